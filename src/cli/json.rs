//! JSON for standard output and files written with `--json`: pretty, and ASCII only. Every character
//! outside ASCII is written as a `\uXXXX` escape (RFC 8259 §7; a surrogate pair above U+FFFF), which
//! every JSON reader decodes to the same text and every code page shows the same way — Windows
//! PowerShell 5.1 reads a redirected program's output in the console's code page (437, 850), which
//! turns raw UTF-8 `Zoë` into `Zo├½`.

/// `value` as pretty JSON, ASCII only.
pub fn text<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    Ok(ascii(&serde_json::to_string_pretty(value)?))
}

/// `json` with every non-ASCII character escaped. Outside strings JSON is ASCII, so each such
/// character is inside a string, where an escape means the same character.
pub fn ascii(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_is_escaped_and_reads_back_the_same() {
        let value = serde_json::json!({"subject": "CN=Zoë → 🔒", "plain": "a\"b"});
        let written = text(&value).unwrap();
        assert!(written.is_ascii(), "{written}");
        assert!(
            written.contains("Zo\\u00eb \\u2192 \\ud83d\\udd12"),
            "{written}"
        );
        let back: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(back, value);
    }
}
