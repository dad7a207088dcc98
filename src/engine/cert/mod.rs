//! The certificate model: parsed once from DER, owning its bytes and the fields the engine needs.
//!
//! This file owns the model; beside it: [`construct`] and [`parse`] (building it from DER),
//! [`trust_settings`] (OpenSSL's trusted and rejected purposes).

mod construct;
mod parse;
mod trust_settings;

use std::fmt;
use std::net::IpAddr;
use std::ops::Range;

pub(crate) use parse::{name_key, offset_in, signature_algorithm_of};
pub use trust_settings::{OID_CLIENT_AUTH, OID_SERVER_AUTH, TrustSettings};
use x509_parser::der_parser::oid;
use x509_parser::der_parser::oid::Oid;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};
use x509_parser::public_key::PublicKey;

/// SHA-256 of a certificate's DER: its identity everywhere in Chainsmith.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// SHA-256 of `der`.
    pub fn of(der: &[u8]) -> Self {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der);
        let mut out = [0u8; 32];
        out.copy_from_slice(digest.as_ref());
        Self(out)
    }

    /// Lowercase hex, 64 characters.
    pub fn hex(&self) -> String {
        hex(&self.0)
    }

    /// The first 8 bytes as `AB:CD:…`, for people reading a report.
    pub fn short(&self) -> String {
        self.0[..8]
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({})", self.short())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// One subjectAltName entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum San {
    Dns(String),
    Ip(IpAddr),
    Uri(String),
    Email(String),
    /// Anything else, as text (directory names, other names, invalid entries).
    Other(String),
}

/// Shown with control characters escaped (`engine::text`): SANs come from whoever made the certificate.
impl fmt::Display for San {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use super::text::escape;
        match self {
            San::Dns(d) => f.write_str(&escape(d)),
            San::Ip(ip) => write!(f, "{ip}"),
            San::Uri(u) => f.write_str(&escape(u)),
            San::Email(e) => write!(f, "email:{}", escape(e)),
            San::Other(o) => f.write_str(&escape(o)),
        }
    }
}

/// The subject public key, as far as the checks care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    Rsa { bits: usize },
    Ec { curve: Curve },
    Ed25519,
    Ed448,
    Dsa { bits: usize },
    Unknown { oid: String },
}

/// Named elliptic curves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Curve {
    P192,
    P224,
    P256,
    P384,
    P521,
    Other(String),
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyKind::Rsa { bits } => write!(f, "RSA {bits}"),
            KeyKind::Ec { curve } => match curve {
                Curve::P192 => f.write_str("ECDSA P-192"),
                Curve::P224 => f.write_str("ECDSA P-224"),
                Curve::P256 => f.write_str("ECDSA P-256"),
                Curve::P384 => f.write_str("ECDSA P-384"),
                Curve::P521 => f.write_str("ECDSA P-521"),
                Curve::Other(oid) => write!(f, "ECDSA curve {oid}"),
            },
            KeyKind::Ed25519 => f.write_str("Ed25519"),
            KeyKind::Ed448 => f.write_str("Ed448"),
            KeyKind::Dsa { bits } => write!(f, "DSA {bits}"),
            KeyKind::Unknown { oid } => write!(f, "unknown key {oid}"),
        }
    }
}

/// Signature algorithms the engine distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    RsaPkcs1Md5,
    RsaPkcs1Sha1,
    RsaPkcs1Sha256,
    RsaPkcs1Sha384,
    RsaPkcs1Sha512,
    /// RSASSA-PSS with the hash named in its parameters (`None`: SHA-1 default or unsupported).
    RsaPss(Option<PssHash>),
    EcdsaSha1,
    EcdsaSha256,
    EcdsaSha384,
    EcdsaSha512,
    Ed25519,
    Ed448,
    DsaSha1,
    DsaSha256,
    Unknown,
}

/// The hash of an RSASSA-PSS signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PssHash {
    Sha256,
    Sha384,
    Sha512,
}

impl SignatureAlgorithm {
    /// A readable name, e.g. `sha256WithRSAEncryption`.
    pub fn name(self) -> &'static str {
        match self {
            Self::RsaPkcs1Md5 => "md5WithRSAEncryption",
            Self::RsaPkcs1Sha1 => "sha1WithRSAEncryption",
            Self::RsaPkcs1Sha256 => "sha256WithRSAEncryption",
            Self::RsaPkcs1Sha384 => "sha384WithRSAEncryption",
            Self::RsaPkcs1Sha512 => "sha512WithRSAEncryption",
            Self::RsaPss(Some(PssHash::Sha256)) => "rsassaPss-sha256",
            Self::RsaPss(Some(PssHash::Sha384)) => "rsassaPss-sha384",
            Self::RsaPss(Some(PssHash::Sha512)) => "rsassaPss-sha512",
            Self::RsaPss(None) => "rsassaPss",
            Self::EcdsaSha1 => "ecdsa-with-SHA1",
            Self::EcdsaSha256 => "ecdsa-with-SHA256",
            Self::EcdsaSha384 => "ecdsa-with-SHA384",
            Self::EcdsaSha512 => "ecdsa-with-SHA512",
            Self::Ed25519 => "Ed25519",
            Self::Ed448 => "Ed448",
            Self::DsaSha1 => "dsa-with-SHA1",
            Self::DsaSha256 => "dsa-with-SHA256",
            Self::Unknown => "unknown",
        }
    }
}

/// basicConstraints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BasicConstraints {
    pub ca: bool,
    pub path_len: Option<u32>,
    pub critical: bool,
}

/// keyUsage bits (RFC 5280 4.2.1.3), as x509-parser numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyUsage {
    pub flags: u16,
    pub critical: bool,
}

impl KeyUsage {
    pub fn digital_signature(&self) -> bool {
        self.flags & 1 != 0
    }
    pub fn key_encipherment(&self) -> bool {
        self.flags & (1 << 2) != 0
    }
    pub fn key_cert_sign(&self) -> bool {
        self.flags & (1 << 5) != 0
    }
    pub fn crl_sign(&self) -> bool {
        self.flags & (1 << 6) != 0
    }
}

/// extendedKeyUsage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedKeyUsage {
    pub server_auth: bool,
    pub client_auth: bool,
    pub any: bool,
    pub critical: bool,
}

/// One nameConstraints subtree base the engine can evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameSubtree {
    Dns(String),
    /// Address and mask, both 4 or both 16 bytes.
    Ip {
        address: Vec<u8>,
        mask: Vec<u8>,
    },
    /// rfc822Name: a mailbox (`local@host`), a host, or a domain (`.example.com`).
    Email(String),
    /// uniformResourceIdentifier: a host, or a domain (`.example.com`), for the URI's host part.
    Uri(String),
    /// directoryName: the names it holds start with these RDNs (normalised as [`name_rdns`]).
    Directory {
        rdns: Vec<String>,
        shown: String,
    },
    /// A form the engine does not evaluate (other names, x400, EDI, registered IDs), kept for messages.
    Other(String),
}

/// nameConstraints (RFC 5280 4.2.1.10).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameConstraints {
    pub permitted: Vec<NameSubtree>,
    pub excluded: Vec<NameSubtree>,
    pub critical: bool,
    /// Both sides indexed for lookups (permitted, excluded): see `engine::constraints`.
    pub(crate) index: (super::constraints::Subtrees, super::constraints::Subtrees),
}

/// One extension, as text for people (the details view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionSummary {
    pub oid: String,
    /// Short name (`basicConstraints`) or the OID.
    pub name: String,
    pub critical: bool,
    pub value: String,
}

/// A parsed certificate. Built only by [`Certificate::from_der`].
#[derive(Debug, Clone)]
pub struct Certificate {
    pub der: Vec<u8>,
    pub sha256: Fingerprint,
    /// Where it came from: a file name, "pasted text", …
    pub source: String,
    pub version: u32,
    pub subject: String,
    pub issuer: String,
    pub subject_common_name: Option<String>,
    pub subject_organization: Option<String>,
    /// Normalised names (RFC 5280 7.1, simplified: case-folded, whitespace collapsed) for issuer lookup.
    pub subject_key: String,
    pub issuer_key: String,
    /// The subject's RDNs, each normalised as in `subject_key` (directoryName constraints compare these).
    pub subject_rdns: Vec<String>,
    /// emailAddress attributes of the subject (PKCS #9), which rfc822Name constraints cover too
    /// (RFC 5280 §4.2.1.10).
    pub subject_emails: Vec<String>,
    /// directoryName entries of the subjectAltName, as normalised RDNs.
    pub san_directories: Vec<Vec<String>>,
    pub subject_is_empty: bool,
    /// The subject and issuer names as encoded (DER): rustls-webpki chains names by these bytes.
    pub subject_der: Vec<u8>,
    pub issuer_der: Vec<u8>,
    /// The serial's DER INTEGER content bytes (two's complement, as encoded).
    pub serial: Vec<u8>,
    pub not_before: i64,
    pub not_after: i64,
    pub sans: Vec<San>,
    pub has_san_extension: bool,
    pub san_critical: bool,
    pub key: KeyKind,
    /// What makes the public key unusable, if anything (`key.invalid`): worked out on first use (it
    /// decodes EC points), so certificates no path goes through cost nothing. See [`Self::key_defect`].
    key_defect: std::sync::OnceLock<Option<String>>,
    /// The first strict-DER problem, naming the field (`engine::der`), worked out on first use.
    der_problem: std::sync::OnceLock<Option<String>>,
    /// The subjectPublicKey BIT STRING contents (RSAPublicKey DER, EC point, Ed25519 bytes).
    pub public_key: Vec<u8>,
    /// The whole SubjectPublicKeyInfo DER.
    pub spki: Vec<u8>,
    pub signature_algorithm: SignatureAlgorithm,
    pub signature_algorithm_oid: String,
    /// The outer signatureAlgorithm differs from the TBS `signature` field (algorithm or parameters):
    /// RFC 5280 §4.1.1.2 says they MUST be the same; openssl and webpki refuse such a certificate.
    pub signature_algorithms_differ: bool,
    pub signature: Vec<u8>,
    tbs: Range<usize>,
    pub basic_constraints: Option<BasicConstraints>,
    pub key_usage: Option<KeyUsage>,
    pub extended_key_usage: Option<ExtendedKeyUsage>,
    pub authority_key_id: Option<Vec<u8>>,
    /// The authorityKeyIdentifier extension: (critical, carries authorityCertIssuer or serial).
    pub authority_key_id_ext: Option<(bool, bool)>,
    pub subject_key_id: Option<Vec<u8>>,
    pub aia_ca_issuers: Vec<String>,
    /// URIs of the CRL distribution points (RFC 5280 §4.2.1.13), as the certificate has them (raw:
    /// they are fetched; escape them to show them).
    pub crl_distribution_points: Vec<String>,
    pub name_constraints: Option<NameConstraints>,
    pub unknown_critical_extensions: Vec<String>,
    /// Non-critical extensions of a known type that do not decode (OIDs).
    pub malformed_extensions: Vec<String>,
    pub extensions: Vec<ExtensionSummary>,
    /// The certificatePolicies OIDs (dotted), in order.
    pub policies: Vec<String>,
    /// The trust settings OpenSSL's `TRUSTED CERTIFICATE` form carries after the certificate, if any.
    pub trust_settings: Option<TrustSettings>,
}

/// Why DER bytes are not a certificate.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("not a valid X.509 certificate ({0})")]
    Invalid(String),
    #[error("{0} unexpected bytes after the certificate")]
    TrailingBytes(usize),
}

impl Certificate {
    /// What makes the public key unusable, if anything (`key.invalid`).
    pub fn key_defect(&self) -> Option<&str> {
        self.key_defect
            .get_or_init(|| super::signature::key_defect(&self.key, &self.public_key))
            .as_deref()
    }

    /// Where the certificate is not valid DER, naming the field (`rfc5280.der-encoding`), if anywhere.
    pub fn der_problem(&self) -> Option<&str> {
        self.der_problem
            .get_or_init(|| super::der::problem(&self.der))
            .as_deref()
    }

    /// The signed part (TBSCertificate DER).
    pub fn tbs(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    /// It asserts a CA/Browser Forum reserved policy (`2.23.140.1.*`, Baseline Requirements §7.1.6.1):
    /// a subscriber certificate issued under the Baseline Requirements, as every publicly-trusted TLS
    /// certificate must say it is.
    pub fn asserts_baseline_requirements(&self) -> bool {
        self.policies.iter().any(|p| p.starts_with("2.23.140.1."))
    }

    /// Subject and issuer names are the same (RFC 5280 "self-issued").
    pub fn is_self_issued(&self) -> bool {
        self.subject_key == self.issuer_key
    }

    /// basicConstraints CA:TRUE.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints.is_some_and(|bc| bc.ca)
    }

    /// A short human name: the CN, else the subject, else the fingerprint.
    pub fn display_name(&self) -> String {
        if let Some(cn) = &self.subject_common_name {
            cn.clone()
        } else if !self.subject.is_empty() {
            self.subject.clone()
        } else {
            format!("(no subject) {}", self.sha256.short())
        }
    }

    /// The serial number as lowercase hex, leading zero octets dropped.
    pub fn serial_hex(&self) -> String {
        let trimmed: &[u8] = match self.serial.iter().position(|b| *b != 0) {
            Some(i) => &self.serial[i..],
            None => &[0],
        };
        hex(trimmed)
    }

    /// Whether `at` (Unix seconds) is inside notBefore..=notAfter.
    pub fn is_valid_at(&self, at: i64) -> bool {
        self.not_before <= at && at <= self.not_after
    }
}
