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
/// rest; and the backslashes that would make what follows them read as such an escape doubled. A run
/// of backslashes is doubled when what comes after it reads as an escape once shown (`x` and two hex
/// digits, `u` and four, or a character shown as an escape); any other backslash stays as it is. So a
/// name holding the four characters `\x1b` shows as `\\x1b` and cannot pass for one holding ESC, while
/// Windows paths read as they were typed (`C:\users\xavier\leaf.pem`, `\\server\share`).
///
/// Read back left to right: a run of N backslashes before `xHH` or `uHHHH` is N/2 backslashes, and
/// when N is odd the last one starts the escape of one character; any other backslash is itself.
/// Every text has one showing and no two share one (`every_showing_reads_back_as_its_text`). Text
/// without such characters is returned as it is, without a copy.
///
/// Escaping is done once, where a value from outside (a certificate, a file name, an argument, a
/// server's answer) is put into text: the engine keeps certificate names escaped
/// ([`crate::engine::Certificate`]'s `subject`, `issuer`, `source`, …), so what shows them does not
/// escape them again. Sources: ECMA-48 for C0/C1, the "Trojan Source" paper (CVE-2021-42574) for the
/// bidirectional controls.
pub fn escape(text: &str) -> Cow<'_, str> {
    let chars: Vec<char> = text.chars().collect();
    let hex = |from: usize, n: usize| {
        chars
            .get(from..from + n)
            .is_some_and(|h| h.iter().all(char::is_ascii_hexdigit))
    };
    // Whether what starts at `i` reads as an escape once shown.
    let reads_as_escape = |i: usize| match chars.get(i) {
        Some(&c) if is_unsafe(c) => true,
        Some('x') => hex(i + 1, 2),
        Some('u') => hex(i + 1, 4),
        _ => false,
    };
    // For each backslash, whether the run it belongs to ends before such an escape (right to left).
    let mut doubled = vec![false; chars.len()];
    let mut after_run = false;
    for i in (0..chars.len()).rev() {
        if chars[i] == '\\' {
            doubled[i] = after_run;
        } else {
            after_run = reads_as_escape(i);
        }
    }
    if !chars.iter().any(|&c| is_unsafe(c)) && !doubled.contains(&true) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if doubled[i] {
            out.push_str("\\\\");
        } else {
            push_shown(&mut out, c, is_unsafe(c));
        }
    }
    Cow::Owned(out)
}

/// `c` onto `out`, as a visible escape (`\x1b`, `\u202e`) when `shown`.
fn push_shown(out: &mut String, c: char, shown: bool) {
    if !shown {
        out.push(c);
    } else if (c as u32) <= 0xff {
        out.push_str(&format!("\\x{:02x}", c as u32));
    } else {
        out.push_str(&format!("\\u{:04x}", c as u32));
    }
}

/// Text for a terminal whatever printed it, as the last step before the bytes go out
/// ([`crate::console`]'s writers): every unsafe character but the line feed and the tab (which our own
/// layout uses) as [`escape`] shows it. A safety net, not the escaping: it leaves backslashes alone,
/// because the values in the text were escaped where they were put into it, and our own `\x1b` must
/// not be doubled.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    let shown = |c: char| is_unsafe(c) && c != '\n' && c != '\t';
    if !text.chars().any(shown) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_shown(&mut out, c, shown(c));
    }
    Cow::Owned(out)
}

/// Text already shown, for one line of a document (a Markdown cell, an HTML paragraph): as
/// [`terminal_safe`], a safety net that leaves backslashes alone, and the line feed and tab shown too,
/// so that a value read back from a file someone edited can neither carry a control character nor
/// break the line.
pub fn line_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_shown(&mut out, c, is_unsafe(c));
    }
    Cow::Owned(out)
}

/// A path as [`escape`] shows it (a file name is text from outside like any other).
pub fn path(path: &std::path::Path) -> String {
    escaped(&path.display().to_string())
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
    markdown_shown(&escape(text))
}

/// [`markdown`] for text already shown ([`escape`]d where it was made: the engine's names, messages
/// and findings): Markdown's syntax made inert without escaping the escapes again ([`line_safe`] is
/// its safety net for a value read back from a file).
pub fn markdown_shown(shown: &str) -> String {
    let shown = &*line_safe(shown);
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
            // A backslash that could start an escape is doubled; others stay as typed.
            ("lit\\x1b", "lit\\\\x1b"),
            ("lit\\u202e", "lit\\\\u202e"),
            ("two\\\\", "two\\\\"),
            ("two\\\\x1b", "two\\\\\\\\x1b"),
            ("back\\\u{1b}", "back\\\\\\x1b"),
            ("C:\\certs\\leaf.pem", "C:\\certs\\leaf.pem"),
            ("C:\\users\\xavier\\u.pem", "C:\\users\\xavier\\u.pem"),
            ("\\\\server\\share", "\\\\server\\share"),
            ("\\\\?\\C:\\x", "\\\\?\\C:\\x"),
            ("end\\", "end\\"),
        ];
        for (input, shown) in table {
            assert_eq!(escape(input), *shown, "{input:?}");
        }
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
    }

    /// The reading the documentation of [`escape`] promises: a run of N backslashes before `xHH` or
    /// `uHHHH` is N/2 backslashes, and when N is odd the last starts the escape of one character; any
    /// other backslash is itself.
    fn read_back(shown: &str) -> String {
        let chars: Vec<char> = shown.chars().collect();
        let escape_at = |i: usize| -> Option<(char, usize)> {
            let n = match chars.get(i) {
                Some('x') => 2,
                Some('u') => 4,
                _ => return None,
            };
            let digits: String = chars.get(i + 1..i + 1 + n)?.iter().collect();
            let c = char::from_u32(u32::from_str_radix(&digits, 16).ok()?)?;
            Some((c, n + 1))
        };
        let (mut out, mut i) = (String::new(), 0);
        while i < chars.len() {
            if chars[i] != '\\' {
                out.push(chars[i]);
                i += 1;
                continue;
            }
            let run = chars[i..].iter().take_while(|&&c| c == '\\').count();
            i += run;
            match escape_at(i) {
                Some((c, len)) => {
                    out.extend(std::iter::repeat_n('\\', run / 2));
                    if run % 2 == 1 {
                        out.push(c);
                        i += len;
                    }
                }
                None => out.extend(std::iter::repeat_n('\\', run)),
            }
        }
        out
    }

    /// No two texts share a showing: every escaped text reads back as the text itself, over texts
    /// built from the characters that matter (backslashes, `x`, `u`, hex digits, controls, bidi).
    #[test]
    fn every_showing_reads_back_as_its_text() {
        let alphabet = [
            '\\', 'x', 'u', '1', 'b', 'e', '2', '0', '\u{1b}', '\n', '\u{202e}', 'a', '\u{9b}',
        ];
        let mut rng = fastrand::Rng::with_seed(26);
        for _ in 0..20_000 {
            let len = rng.usize(0..12);
            let text: String = (0..len)
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            let shown = escape(&text);
            assert_eq!(read_back(&shown), text, "{text:?} shown as {shown:?}");
            assert!(!shown.chars().any(is_unsafe), "{shown:?}");
        }
    }

    #[test]
    fn terminal_safe_keeps_layout_and_escapes_the_rest() {
        assert_eq!(
            terminal_safe("a\tb\nc\u{1b}[2J\r\u{202e}\\x1b"),
            "a\tb\nc\\x1b[2J\\x0d\\u202e\\x1b"
        );
    }
}
