//! Text from certificates, file names, servers and arguments is shown, never executed: control
//! characters become visible escapes before they reach a terminal, a text report or the window.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal raw: C0 controls (newlines and tabs included: one value is
/// one line), DEL, C1 controls, and the bidirectional overrides and isolates that reorder what a reader
/// sees (Trojan Source, CVE-2021-42574).
fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{061c}' | '\u{200e}' | '\u{200f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character as a visible escape: `\x1b` for C0, DEL and C1, `\u202e` for the
/// rest. Text without such characters is returned as it is, without a copy. Escaping escaped text
/// changes nothing, which the engine relies on (a source name is escaped where it is read and again
/// where a certificate keeps it). Sources: ECMA-48 for C0/C1, the "Trojan Source" paper
/// (CVE-2021-42574) for the bidirectional controls.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unsafe)
}

/// `text` with the characters `shown` picks as visible escapes (`\x1b`, `\u202e`).
fn escape_where(text: &str, shown: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&shown) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !shown(c) {
            out.push(c);
        } else if (c as u32) <= 0xff {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{:04x}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// Text for a terminal whatever printed it, as the last step before the bytes go out
/// ([`crate::console`]'s writers): every unsafe character but the line feed and the tab (which our own
/// layout uses) as [`escape`] shows it.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| is_unsafe(c) && c != '\n' && c != '\t')
}

/// [`escape`] into an owned string.
pub fn escaped(text: &str) -> String {
    escape(text).into_owned()
}

/// `text` for a Markdown document (also inside a table cell): control characters as visible
/// escapes; `&`, `<` and `>` as HTML entities, so that no tag, comment or entity from a certificate or
/// a server reaches the HTML a Markdown viewer makes; and every character Markdown gives a meaning
/// (backslash, backtick, `*`, `_`, brackets, `!`, `|`, `~`; at the start `#`, `+`, `-`, `=`) escaped with a
/// backslash, so that text stays text: no link, image, code span, emphasis or table cell border; at
/// the start, no heading, list or rule either. (One line: [`escape`] has made newlines visible.)
pub fn markdown(text: &str) -> String {
    let shown = escape(text);
    let mut out = String::with_capacity(shown.len() + 8);
    // Digits at the start then `.` or `)` would make an ordered list.
    let leading_digits = shown.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in shown.chars().enumerate() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' if i == leading_digits && i > 0 => out.push_str("\\."),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_text_text() {
        assert_eq!(
            markdown("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("![x](http://e/)"), "\\!\\[x\\](http://e/)");
        assert_eq!(markdown("\u{1b}]8;;x\u{7}"), "\\\\x1b\\]8;;x\\\\x07");
        assert_eq!(markdown("CN=sbc.example.com"), "CN=sbc.example.com");
        assert_eq!(markdown("# not a heading"), "\\# not a heading");
        assert_eq!(markdown("1. not a list"), "1\\. not a list");
        assert_eq!(markdown("2026-06-01"), "2026-06-01");
    }

    #[test]
    fn escape_table() {
        let table: &[(&str, &str)] = &[
            ("sbc.example.com", "sbc.example.com"),
            (
                "\u{1b}[2J\r\nPASS: all good",
                "\\x1b[2J\\x0d\\x0aPASS: all good",
            ),
            ("tab\there", "tab\\x09here"),
            ("del\u{7f}", "del\\x7f"),
            ("c1\u{9b}31m", "c1\\x9b31m"),
            ("evil\u{202e}gnp.exe", "evil\\u202egnp.exe"),
            ("isolate\u{2066}x\u{2069}", "isolate\\u2066x\\u2069"),
            ("Bücher GmbH", "Bücher GmbH"),
        ];
        for (input, shown) in table {
            assert_eq!(escape(input), *shown, "{input:?}");
        }
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn terminal_safe_keeps_layout_and_escapes_the_rest() {
        assert_eq!(
            terminal_safe("a\tb\nc\u{1b}[2J\r\u{202e}\\x1b"),
            "a\tb\nc\\x1b[2J\\x0d\\u202e\\x1b"
        );
    }
}
