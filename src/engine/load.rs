//! The one loader: every way bytes arrive (file, folder entry, drop, paste, CLI) ends here.
//!
//! The format is detected from the content, never from the file name: PEM (any number of blocks, any
//! text around them), DER certificates, PKCS#7 (DER or PEM). Problems become findings naming the
//! source; nothing here panics or stops the other inputs from loading.
//!
//! This file loads PEM and holds the budgets; `der` loads DER, `kind` names what is not a certificate.

mod der;
mod kind;

use std::sync::Arc;

use x509_parser::der_parser::asn1_rs::{Any, Class, FromBer as _, Oid, Tag};
use x509_parser::der_parser::oid;

use super::cert::Certificate;
use super::finding::{Code, Finding};
use super::key::{self, FoundKey, KeyForm};
use super::pem;
use der::{DerKind, certificates_from_pkcs7, der_kind, load_der};
use kind::{is_text, looks_like, utf16_text};

/// Inputs larger than this are refused: certificate files are kilobytes.
pub const MAX_INPUT_BYTES: usize = 10 * 1024 * 1024;

/// What all inputs of one analysis may hold together: past either, an input is refused whole
/// (`input.too-large` naming the limit), so that no pile exhausts time or memory.
pub const MAX_TOTAL_CERTIFICATES: usize = 50_000;

/// See [`MAX_TOTAL_CERTIFICATES`].
pub const MAX_TOTAL_BYTES: u64 = 200 * 1024 * 1024;

/// What one input yielded.
#[derive(Debug, Default, Clone)]
pub struct Loaded {
    /// Shared, so that chains, reports and the window hold them without copying DER.
    pub certificates: Vec<Arc<Certificate>>,
    pub findings: Vec<Finding>,
    /// Bytes read for these certificates.
    pub bytes: u64,
    /// An input was refused because the total budget was reached: read nothing more.
    pub over_budget: bool,
    /// Private keys found, by their public half only (to compare with the leaf's).
    pub keys: Vec<FoundKey>,
    /// Files found in a folder that hold no certificate (`input.ignored`): the source (escaped) and
    /// what the file looks like.
    pub ignored: Vec<(String, String)>,
    /// Certificate revocation lists found among the inputs (PEM `X509 CRL` or DER).
    pub crls: Vec<Arc<super::revocation::Crl>>,
}

impl Loaded {
    /// Adds another input's result, within [`MAX_TOTAL_CERTIFICATES`] and [`MAX_TOTAL_BYTES`]: an
    /// input that would pass either is refused whole, with one `input.too-large` finding.
    pub fn extend(&mut self, other: Loaded) {
        let certificates = self.certificates.len() + other.certificates.len();
        let bytes = self.bytes.saturating_add(other.bytes);
        if self.over_budget
            || other.over_budget
            || certificates > MAX_TOTAL_CERTIFICATES
            || bytes > MAX_TOTAL_BYTES
        {
            if !self.over_budget {
                self.findings.push(Finding::new(
                    Code::InputTooLarge,
                    None,
                    format!(
                        "the inputs together pass the limit of {MAX_TOTAL_CERTIFICATES} certificates and {} MiB: what came after {} certificates ({} MiB) was not read",
                        MAX_TOTAL_BYTES / (1024 * 1024),
                        self.certificates.len(),
                        self.bytes / (1024 * 1024)
                    ),
                ));
            }
            self.over_budget = true;
            return;
        }
        self.certificates.extend(other.certificates);
        self.findings.extend(other.findings);
        self.keys.extend(other.keys);
        self.ignored.extend(other.ignored);
        self.crls.extend(other.crls);
        self.bytes = bytes;
    }
}

/// Loads every certificate in `bytes`. `source` names the input in findings and reports.
pub fn load(source: &str, bytes: &[u8]) -> Loaded {
    let mut loaded = load_counted(source, bytes);
    loaded.bytes = bytes.len() as u64;
    loaded
}

fn load_counted(raw_source: &str, bytes: &[u8]) -> Loaded {
    if bytes.len() > MAX_INPUT_BYTES {
        return too_large(raw_source, bytes.len() as u64);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // UTF-16 text (what Windows PowerShell's `>` writes): read it as the text it is.
    if let Some(text) = utf16_text(bytes) {
        return load(raw_source, text.as_bytes());
    }
    // A file name is shown, never executed: every message below, and every certificate loaded,
    // names the escaped form (escaped here, once).
    let source = &*super::text::escape(raw_source);
    let mut loaded = Loaded::default();
    if pem::looks_like_pem(bytes) {
        load_pem(source, bytes, &mut loaded);
    } else if bytes.first() == Some(&0x30) && !is_text(bytes) {
        load_der(source, bytes, &mut loaded);
    } else if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        loaded.findings.push(Finding::new(
            Code::InputNoCertificate,
            None,
            format!("{source}: the file is empty"),
        ));
    } else if std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0) {
        loaded.findings.push(Finding::new(
            Code::InputNoCertificate,
            None,
            format!("{source}: text with no PEM block (no \"-----BEGIN CERTIFICATE-----\" line)"),
        ));
    } else {
        loaded.findings.push(Finding::new(
            Code::InputMalformed,
            None,
            format!("{source}: not a certificate file (neither PEM, DER nor PKCS#7)"),
        ));
    }
    loaded
}

/// Loads a file found by a folder walk rather than named by the user. A file there that holds no
/// certificate (a CSR, an openssl serial, extensions or configuration file, notes, a stray binary) is
/// `input.ignored`, an info naming what it looks like: a CA's or openssl's working folder holds such
/// files beside the chain, and they are not a problem with it. A file the user named that holds no
/// certificate stays `input.no-certificate`, and a damaged certificate stays `input.malformed`.
pub fn load_found(source: &str, bytes: &[u8]) -> Loaded {
    let mut loaded = load(source, bytes);
    let nothing_loaded = loaded.certificates.is_empty() && loaded.keys.is_empty();
    let not_a_certificate = |f: &Finding| {
        f.code == Code::InputNoCertificate
            || (f.code == Code::InputMalformed && looks_like(bytes).is_some())
    };
    if nothing_loaded && loaded.findings.iter().any(not_a_certificate) {
        let what =
            looks_like(bytes).unwrap_or_else(|| "a PKCS#7 file with no certificate in it".into());
        loaded.findings.retain(|f| !not_a_certificate(f));
        let source = super::text::escape(source).into_owned();
        loaded.findings.push(Finding::new(
            Code::InputIgnored,
            None,
            format!("{source}: left out: {what}, not a certificate"),
        ));
        loaded.ignored.push((source, what));
    }
    loaded
}

/// A result with one finding and nothing loaded.
fn only(finding: Finding) -> Loaded {
    Loaded {
        findings: vec![finding],
        ..Loaded::default()
    }
}

/// The refusal of an input over [`MAX_INPUT_BYTES`] (callers that know the size before reading use it
/// directly, so a huge file is never read into memory).
pub fn too_large(source: &str, size: u64) -> Loaded {
    let source = &*super::text::escape(source);
    only(Finding::new(
        Code::InputTooLarge,
        None,
        format!(
            "{source}: {size} bytes is too large for a certificate file (limit {} MiB); it was not read",
            MAX_INPUT_BYTES / (1024 * 1024)
        ),
    ))
}

/// An input that could not be read at all.
pub fn unreadable(source: &str, why: &str) -> Loaded {
    let source = &*super::text::escape(source);
    only(Finding::new(
        Code::InputUnreadable,
        None,
        format!("{source}: cannot be read: {why}"),
    ))
}

/// A link in a folder that was not followed, and why (`input.skipped-link`).
pub fn skipped_link(source: &str, why: &str) -> Loaded {
    let source = &*super::text::escape(source);
    only(Finding::new(
        Code::InputSkippedLink,
        None,
        format!("{source}: a link that was not followed: {why}"),
    ))
}

/// Malformed blocks reported one by one per file; past this, one finding counts the rest (a file of
/// 200,000 empty blocks must not become 200,000 findings).
const MAX_MALFORMED_SHOWN: usize = 20;

fn load_pem(source: &str, text: &[u8], loaded: &mut Loaded) {
    let mut other_labels: Vec<String> = Vec::new();
    let mut malformed = 0usize;
    let before = loaded.certificates.len();
    let crls_before = loaded.crls.len();
    let mut malformed_finding = |loaded: &mut Loaded, message: String| {
        malformed += 1;
        if malformed <= MAX_MALFORMED_SHOWN {
            loaded
                .findings
                .push(Finding::new(Code::InputMalformed, None, message));
        }
    };
    for block in pem::blocks(text) {
        let label = block.label.as_str();
        if label.ends_with("PRIVATE KEY") {
            found_key(source, &block, loaded);
            if !other_labels.iter().any(|l| l == "a private key") {
                other_labels.push("a private key".into());
            }
            continue;
        }
        let der = match block.body {
            Ok(der) => der,
            Err(why) => {
                if is_certificate_label(label) || is_pkcs7_label(label) {
                    malformed_finding(
                        loaded,
                        format!("{source}: line {}: {label} block: {why}", block.line),
                    );
                } else if !other_labels.iter().any(|l| l == label) {
                    other_labels.push(label.to_string());
                }
                continue;
            }
        };
        if label == "X509 CRL" {
            match super::revocation::Crl::from_der(&der, source) {
                Ok(crl) => loaded.crls.push(Arc::new(crl)),
                Err(why) => malformed_finding(
                    loaded,
                    format!("{source}: line {}: X509 CRL block: {why}", block.line),
                ),
            }
            continue;
        }
        let result = if is_certificate_label(label) {
            if label == "TRUSTED CERTIFICATE" {
                Certificate::from_trusted_der(&der, source)
            } else {
                Certificate::from_der(&der, source, false)
            }
            .map(|c| vec![c])
            .map_err(|e| e.to_string())
        } else if is_pkcs7_label(label) {
            certificates_from_pkcs7(source, &der)
        } else {
            if !other_labels.iter().any(|l| l == label) {
                other_labels.push(label.to_string());
            }
            continue;
        };
        match result {
            Ok(certs) => loaded.certificates.extend(certs.into_iter().map(Arc::new)),
            Err(why) => malformed_finding(
                loaded,
                format!("{source}: line {}: {label} block: {why}", block.line),
            ),
        }
    }
    if malformed > MAX_MALFORMED_SHOWN {
        loaded.findings.push(Finding::new(
            Code::InputMalformed,
            None,
            format!(
                "{source}: {} more malformed blocks (the first {MAX_MALFORMED_SHOWN} are listed)",
                malformed - MAX_MALFORMED_SHOWN
            ),
        ));
    }
    let nothing_new =
        loaded.certificates.len() == before && loaded.crls.len() == crls_before && malformed == 0;
    if nothing_new {
        no_certificate(source, other_labels, loaded);
    }
}

/// A private key block: said (`input.private-key`) and only its public half kept, to compare with the
/// leaf; the key itself travels no further than this function.
fn found_key(source: &str, block: &pem::Block, loaded: &mut Loaded) {
    let label = block.label.as_str();
    let public = match &block.body {
        Ok(der) => key::public_half(KeyForm::from_label(label, block.encrypted), der),
        Err(_) => Err(key::KeyUnread::Unsupported),
    };
    let unread = match &public {
        Ok(_) => String::new(),
        Err(why) => format!("; {}", why.words()),
    };
    loaded.findings.push(Finding::new(
        Code::InputPrivateKey,
        None,
        format!(
            "{source}: line {}: a private key ({label}) was ignored; it is never put into a bundle, report or upload{unread}",
            block.line
        ),
    ));
    loaded.keys.push(FoundKey {
        source: source.to_string(),
        public,
    });
}

/// A PEM file that brought nothing readable: `input.no-certificate`, naming the blocks it holds.
/// A file that holds only private keys (certbot's privkey.pem beside the certificates) has its
/// `input.private-key` warning; it is not an error of its own. A key with nothing else at all is
/// caught by the analysis ("no certificate was found in the input").
fn no_certificate(source: &str, mut other_labels: Vec<String>, loaded: &mut Loaded) {
    let only_keys = !other_labels.is_empty() && other_labels.iter().all(|l| l == "a private key");
    if only_keys {
        return;
    }
    let found = if other_labels.is_empty() {
        "no PEM block".to_string()
    } else {
        other_labels.dedup();
        format!("only {}", other_labels.join(", "))
    };
    loaded.findings.push(Finding::new(
        Code::InputNoCertificate,
        None,
        format!("{source}: no certificate in it ({found})"),
    ));
}

fn is_certificate_label(label: &str) -> bool {
    matches!(
        label,
        "CERTIFICATE" | "X509 CERTIFICATE" | "X.509 CERTIFICATE" | "TRUSTED CERTIFICATE"
    )
}

fn is_pkcs7_label(label: &str) -> bool {
    matches!(label, "PKCS7" | "PKCS #7 SIGNED DATA" | "CMS")
}
