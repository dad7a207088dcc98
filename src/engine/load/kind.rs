//! What a file that holds no certificate looks like (a signing request, an openssl serial, index
//! or configuration file, notes), and UTF-16 text read as the text it is.

use super::*;

/// Plain text (UTF-8, no control characters but tabs and line ends): an openssl serial file such as
/// `0F46D1…` starts with the byte of a DER SEQUENCE (`'0'` is 0x30), but DER is never text (its
/// length octets are not valid UTF-8 on their own).
pub(super) fn is_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|t| {
        t.chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\r' | '\n'))
    })
}

/// What a file that holds no certificate looks like, in words; `None` for what may be a damaged
/// certificate (DER that does not parse, a PEM certificate block that does not decode).
pub(super) fn looks_like(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(text) = utf16_text(bytes) {
        return looks_like(text.as_bytes());
    }
    if pem::looks_like_pem(bytes) {
        let mut words: Vec<String> = Vec::new();
        for block in pem::blocks(bytes) {
            if is_certificate_label(&block.label)
                || is_pkcs7_label(&block.label)
                || block.label == "X509 CRL"
            {
                return None; // read: certificates, or CRLs to check them with
            }
            let word = match block.label.as_str() {
                "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
                    "a certificate signing request".to_string()
                }
                "PUBLIC KEY" | "RSA PUBLIC KEY" => "a public key".into(),
                "EC PARAMETERS" | "DH PARAMETERS" => "key parameters".into(),
                other => format!(
                    "a PEM block labelled {}",
                    crate::engine::text::escape(other)
                ),
            };
            if !words.contains(&word) {
                words.push(word);
            }
        }
        return Some(words.join(" and "));
    }
    if bytes.first() == Some(&0x30) && !is_text(bytes) {
        return match der_kind(bytes) {
            DerKind::Csr => Some("a certificate signing request".into()),
            DerKind::Pkcs12 => Some(
                "a PKCS#12 (.p12/.pfx) archive, which Chainsmith does not open (export its certificates with `openssl pkcs12 -in FILE -nokeys -out certs.pem`)"
                    .into(),
            ),
            DerKind::Pkcs7 | DerKind::PrivateKey { .. } | DerKind::Other => None,
        };
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Some("an empty file".into());
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some("a binary file".into());
    };
    if text.contains('\0') {
        return Some("a binary file".into());
    }
    Some(text_kind(text).into())
}

/// What a text file with no PEM block is, from the files openssl and CAs leave in a working folder.
pub(super) fn text_kind(text: &str) -> &'static str {
    const EXTENSIONS: [&str; 10] = [
        "basicConstraints",
        "keyUsage",
        "extendedKeyUsage",
        "subjectAltName",
        "subjectKeyIdentifier",
        "authorityKeyIdentifier",
        "authorityInfoAccess",
        "crlDistributionPoints",
        "certificatePolicies",
        "nameConstraints",
    ];
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let serial = |l: &str| l.len() <= 64 && l.chars().all(|c| c.is_ascii_hexdigit());
    if lines.len() == 1 && serial(lines[0]) {
        return "an openssl serial-number file";
    }
    if !lines.is_empty()
        && lines
            .iter()
            .all(|l| l.starts_with("V\t") || l.starts_with("R\t") || l.starts_with("E\t"))
    {
        return "an openssl CA database (index.txt)";
    }
    if lines.iter().any(|l| l.starts_with('[') && l.ends_with(']')) {
        return "a configuration file";
    }
    let sets_extension = |l: &&str| {
        l.split_once('=')
            .is_some_and(|(name, _)| EXTENSIONS.contains(&name.trim()))
    };
    if lines.iter().any(sets_extension) {
        return "an openssl extensions file";
    }
    "a text file"
}

/// The text of UTF-16 bytes with a byte-order mark, if that is what they are.
pub(super) fn utf16_text(bytes: &[u8]) -> Option<String> {
    let (little, body) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (true, rest),
        [0xFE, 0xFF, rest @ ..] => (false, rest),
        _ => return None,
    };
    let units = body.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}
