//! PEM framing: find `-----BEGIN X-----` … `-----END X-----` blocks in arbitrary text.
//!
//! The blocks are decoded by the `pem` crate. Only the scan for BEGIN/END lines is ours, because the
//! loader needs what `pem::parse_many` does not give: the line where each block starts (errors name
//! it), every label (to warn about keys, to read PKCS#7), and a bad block reported in place rather than
//! silently skipped or failing the whole file.

use base64::Engine as _;

/// One PEM block, found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The label, e.g. `CERTIFICATE`.
    pub label: String,
    /// 1-based line of the BEGIN line.
    pub line: usize,
    /// The decoded body, or why it could not be decoded.
    pub body: Result<Vec<u8>, String>,
}

/// Whether the bytes contain a PEM BEGIN line at all.
pub fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Splits text into PEM blocks. Text outside blocks is ignored (e.g. `openssl x509 -text` output).
/// Never fails: a bad block is returned with an error body so the caller can name its line.
pub fn blocks(text: &[u8]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<(String, usize, String)> = None; // label, line, the block's text
    for (index, raw_line) in text.split(|b| *b == b'\n').enumerate() {
        let line_no = index + 1;
        let line = String::from_utf8_lossy(raw_line);
        let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if let Some(label) = marker(line, "-----BEGIN ") {
            if let Some((open_label, open_line, _)) = current.take() {
                out.push(Block {
                    label: open_label.clone(),
                    line: open_line,
                    body: Err(format!(
                        "no \"-----END {open_label}-----\" line before the next BEGIN at line {line_no}"
                    )),
                });
            }
            current = Some((label.to_string(), line_no, format!("{line}\n")));
            continue;
        }
        let Some((label, start, block_text)) = current.as_mut() else {
            continue;
        };
        if let Some(end_label) = marker(line, "-----END ") {
            let body = if end_label != label {
                Err(format!("BEGIN {label} is closed by END {end_label}"))
            } else {
                block_text.push_str(line);
                block_text.push('\n');
                decode(block_text)
            };
            out.push(Block {
                label: label.clone(),
                line: *start,
                body,
            });
            current = None;
            continue;
        }
        block_text.push_str(line);
        block_text.push('\n');
        if block_text.len() > super::load::MAX_INPUT_BYTES {
            // Unreachable through `load` (inputs are capped), but keeps this function bounded alone.
            break;
        }
    }
    if let Some((label, line, _)) = current {
        out.push(Block {
            body: Err(format!(
                "no \"-----END {label}-----\" line: the block is cut off"
            )),
            label,
            line,
        });
    }
    out
}

fn marker<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    line.strip_prefix(prefix)?
        .strip_suffix("-----")
        .map(str::trim)
}

/// Decodes one whole block (BEGIN line to END line) with the `pem` crate, which also skips RFC 1421
/// encapsulated headers (`Proc-Type: 4,ENCRYPTED`).
fn decode(block_text: &str) -> Result<Vec<u8>, String> {
    match ::pem::parse(block_text) {
        Ok(block) if block.contents().is_empty() => Err("the block is empty".into()),
        Ok(block) => Ok(block.into_contents()),
        Err(::pem::PemError::MissingData) => Err("the block is empty".into()),
        Err(::pem::PemError::InvalidData(e)) => Err(format!("bad base64: {e}")),
        Err(::pem::PemError::InvalidHeader(header)) => {
            Err(format!("bad encapsulated header \"{header}\""))
        }
        Err(_) => Err("the block's BEGIN/END framing is malformed".into()),
    }
}

/// Encodes DER as a PEM block with 64-character lines and LF endings (what OpenSSL writes).
pub fn encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 64);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks_between_text_with_crlf_and_bom() {
        let text = "\u{feff}Certificate:\r\n  Data: x\r\n-----BEGIN CERTIFICATE-----\r\nAAEC\r\n-----END CERTIFICATE-----\r\nsome text\r\n-----BEGIN PRIVATE KEY-----\r\nAwQ=\r\n-----END PRIVATE KEY-----\r\n";
        let blocks = blocks(text.as_bytes());
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].label, "CERTIFICATE");
        assert_eq!(blocks[0].line, 3);
        assert_eq!(blocks[0].body, Ok(vec![0, 1, 2]));
        assert_eq!(blocks[1].label, "PRIVATE KEY");
        assert_eq!(blocks[1].line, 7);
    }

    #[test]
    fn reports_unterminated_and_bad_base64_with_lines() {
        let text = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n\n-----BEGIN CERTIFICATE-----\nAAEC\n";
        let blocks = blocks(text.as_bytes());
        assert_eq!(blocks.len(), 2);
        assert!(blocks[0].body.as_ref().unwrap_err().contains("base64"));
        assert_eq!(blocks[1].line, 5);
        assert!(blocks[1].body.as_ref().unwrap_err().contains("cut off"));
    }

    #[test]
    fn skips_encapsulated_headers() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAEC\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(blocks(text.as_bytes())[0].body, Ok(vec![0, 1, 2]));
    }

    #[test]
    fn encode_round_trips() {
        let der: Vec<u8> = (0..200u8).collect();
        let pem = encode("CERTIFICATE", &der);
        assert!(pem.lines().all(|l| l.len() <= 64));
        assert_eq!(blocks(pem.as_bytes())[0].body, Ok(der));
    }
}
