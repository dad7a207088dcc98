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
/// rest. Text without such characters is returned as it is, without a copy.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !is_unsafe(c) {
            out.push(c);
        } else if (c as u32) <= 0xff {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{:04x}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// [`escape`] into an owned string.
pub fn escaped(text: &str) -> String {
    escape(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
