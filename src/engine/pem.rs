//! PEM framing: find `-----BEGIN X-----` … `-----END X-----` blocks in arbitrary text.
//!
//! The blocks are decoded by the `pem` crate. Only the scan for BEGIN/END lines is ours, because the
//! loader needs what `pem::parse_many` does not give: the line where each block starts (errors name
//! it), every label (to warn about keys, to read PKCS#7), and a bad block reported in place rather than
//! silently skipped or failing the whole file.

/// One PEM block, found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The label, e.g. `CERTIFICATE`.
    pub label: String,
    /// 1-based line of the BEGIN line.
    pub line: usize,
    /// The decoded body, or why it could not be decoded.
    pub body: Result<Vec<u8>, String>,
    /// RFC 1421 headers say the body is encrypted (`Proc-Type: 4,ENCRYPTED`, OpenSSL's legacy
    /// passphrase-protected keys).
    pub encrypted: bool,
}

/// Whether the bytes contain a PEM BEGIN line at all.
pub fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Splits text into PEM blocks. Text outside blocks is ignored (e.g. `openssl x509 -text` output).
/// Never fails: a bad block is returned with an error body so the caller can name its line.
pub fn blocks(text: &[u8]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<(String, usize, usize)> = None; // label, line, byte offset of BEGIN
    let mut offset = 0;
    for (index, raw_line) in text.split(|b| *b == b'\n').enumerate() {
        let line_start = offset;
        offset += raw_line.len() + 1;
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
                    encrypted: false,
                });
            }
            let begin = raw_line
                .windows(11)
                .position(|w| w == b"-----BEGIN ")
                .unwrap_or(0);
            current = Some((label.to_string(), line_no, line_start + begin));
            continue;
        }
        let Some((label, start, begin)) = current.as_ref() else {
            continue;
        };
        if let Some(end_label) = marker(line, "-----END ") {
            let whole = &text[*begin..(line_start + raw_line.len()).min(text.len())];
            let body = if end_label != label {
                Err(format!("BEGIN {label} is closed by END {end_label}"))
            } else {
                decode(whole)
            };
            out.push(Block {
                label: label.clone(),
                line: *start,
                body,
                encrypted: proc_type_encrypted(whole),
            });
            current = None;
        }
    }
    if let Some((label, line, _)) = current {
        out.push(Block {
            body: Err(format!(
                "no \"-----END {label}-----\" line: the block is cut off"
            )),
            label,
            line,
            encrypted: false,
        });
    }
    out
}

/// Whether a block's RFC 1421 headers say `Proc-Type: 4,ENCRYPTED`.
fn proc_type_encrypted(block: &[u8]) -> bool {
    String::from_utf8_lossy(block).lines().any(|line| {
        line.trim()
            .strip_prefix("Proc-Type:")
            .is_some_and(|value| value.trim().ends_with(",ENCRYPTED"))
    })
}

fn marker<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    line.strip_prefix(prefix)?
        .strip_suffix("-----")
        .map(str::trim)
}

/// Decodes one whole block (BEGIN line to END line) with the `pem` crate, which also skips RFC 1421
/// encapsulated headers (`Proc-Type: 4,ENCRYPTED`). The block is given to it as it is in the file;
/// only when that fails (blank or indented lines, a byte-order mark inside) is it tidied and tried
/// again.
fn decode(block: &[u8]) -> Result<Vec<u8>, String> {
    match ::pem::parse(block) {
        Ok(parsed) if !parsed.contents().is_empty() => Ok(parsed.into_contents()),
        _ => decode_tidied(block),
    }
}

/// The block with every line trimmed, and blank lines dropped except the one that ends headers.
fn decode_tidied(block: &[u8]) -> Result<Vec<u8>, String> {
    let text = String::from_utf8_lossy(block);
    let mut tidied = String::with_capacity(text.len());
    let mut data_seen = false;
    let mut in_headers = false;
    for line in text.lines() {
        let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        let framing = line.starts_with("-----");
        if line.is_empty() {
            if in_headers {
                tidied.push('\n');
                in_headers = false;
            }
            continue;
        }
        if !framing && !data_seen && line.contains(':') {
            in_headers = true;
        } else if !framing {
            data_seen = true;
        }
        tidied.push_str(line);
        tidied.push('\n');
    }
    match ::pem::parse(tidied.as_bytes()) {
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

/// Encodes DER as a PEM block with 64-character lines and LF endings (what OpenSSL writes; LF on every
/// platform, so a bundle is byte-identical wherever it is written).
pub fn encode(label: &str, der: &[u8]) -> String {
    ::pem::encode_config(
        &::pem::Pem::new(label, der),
        ::pem::EncodeConfig::new().set_line_ending(::pem::LineEnding::LF),
    )
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
    fn blank_and_indented_lines_inside_a_block_are_read() {
        let text = "  -----BEGIN CERTIFICATE-----\n    AAEC\n\n  -----END CERTIFICATE-----\n";
        assert_eq!(blocks(text.as_bytes())[0].body, Ok(vec![0, 1, 2]));
        let empty = "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n";
        assert_eq!(
            blocks(empty.as_bytes())[0].body,
            Err("the block is empty".to_string())
        );
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
