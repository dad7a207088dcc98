//! The certificate model: parsed once from DER, owning its bytes and the fields the engine needs.

use std::fmt;
use std::net::IpAddr;
use std::ops::Range;

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
    /// URIs of the CRL distribution points (RFC 5280 §4.2.1.13), escaped for display.
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

/// OpenSSL's trust settings (`X509_CERT_AUX`: `openssl x509 -addtrust/-addreject -trustout`), the form
/// of distributions' trust bundles: the purposes (EKU OIDs) a root is trusted for, and those it is
/// rejected for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrustSettings {
    pub trusted: Vec<String>,
    pub rejected: Vec<String>,
}

/// id-kp-serverAuth, id-kp-clientAuth and anyExtendedKeyUsage (RFC 5280 §4.2.1.12).
pub const OID_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
pub const OID_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
const OID_ANY_EKU: &str = "2.5.29.37.0";

impl TrustSettings {
    /// Why these settings do not let the root anchor a chain for `purpose` (an EKU OID), as OpenSSL
    /// decides (`obj_trust`): rejected for it or for any purpose; or trusted for a list of purposes
    /// that has neither it nor any purpose. `None`: it may.
    pub fn refuses(&self, purpose: &str) -> Option<String> {
        let named = |oid: &String| oid == purpose || oid == OID_ANY_EKU;
        if let Some(oid) = self.rejected.iter().find(|o| named(o)) {
            return Some(format!(
                "its trust settings reject it for {}",
                purpose_name(oid)
            ));
        }
        if !self.trusted.is_empty() && !self.trusted.iter().any(named) {
            let list: Vec<&str> = self.trusted.iter().map(|o| purpose_name(o)).collect();
            return Some(format!(
                "its trust settings trust it only for {}",
                list.join(", ")
            ));
        }
        None
    }

    /// Reads `X509_CERT_AUX ::= SEQUENCE { trust SEQUENCE OF OID OPTIONAL, reject [0] IMPLICIT
    /// SEQUENCE OF OID OPTIONAL, alias UTF8String OPTIONAL, keyid OCTET STRING OPTIONAL, other [1] …}`
    /// (OpenSSL's crypto/x509/x_x509a.c). By hand on asn1-rs: no crate decodes this OpenSSL structure.
    fn from_der(aux: &[u8]) -> Result<Self, String> {
        use x509_parser::asn1_rs::{Any, Class, FromDer, Oid};
        let bad = |e: x509_parser::asn1_rs::Err<x509_parser::asn1_rs::Error>| e.to_string();
        let (rest, seq) = Any::from_der(aux).map_err(bad)?;
        if !rest.is_empty() || seq.header.tag().0 != 16 {
            return Err("they are not one DER SEQUENCE".into());
        }
        let oids = |mut data: &[u8]| -> Result<Vec<String>, String> {
            let mut out = Vec::new();
            while !data.is_empty() {
                let (rest, oid) = Oid::from_der(data).map_err(bad)?;
                out.push(oid.to_id_string());
                data = rest;
            }
            Ok(out)
        };
        let mut settings = TrustSettings::default();
        let mut data = seq.data;
        while !data.is_empty() {
            let (rest, item) = Any::from_der(data).map_err(bad)?;
            match (item.header.class(), item.header.tag().0) {
                (Class::Universal, 16) => settings.trusted = oids(item.data)?,
                (Class::ContextSpecific, 0) => settings.rejected = oids(item.data)?,
                _ => {} // alias, keyid, other: not about trust for a purpose
            }
            data = rest;
        }
        Ok(settings)
    }
}

/// A purpose OID in words.
fn purpose_name(oid: &str) -> &str {
    match oid {
        OID_SERVER_AUTH => "TLS server authentication (serverAuth)",
        OID_CLIENT_AUTH => "TLS client authentication (clientAuth)",
        OID_ANY_EKU => "any purpose",
        "1.3.6.1.5.5.7.3.3" => "code signing",
        "1.3.6.1.5.5.7.3.4" => "e-mail protection",
        "1.3.6.1.5.5.7.3.8" => "time stamping",
        "1.3.6.1.5.5.7.3.9" => "OCSP signing",
        other => other,
    }
}

/// Why DER bytes are not a certificate.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("not a valid X.509 certificate ({0})")]
    Invalid(String),
    #[error("{0} unexpected bytes after the certificate")]
    TrailingBytes(usize),
}

const OID_SHA256: Oid<'static> = oid!(2.16.840.1.101.3.4.2.1);
const OID_SHA384: Oid<'static> = oid!(2.16.840.1.101.3.4.2.2);
const OID_SHA512: Oid<'static> = oid!(2.16.840.1.101.3.4.2.3);
const OID_AIA_CA_ISSUERS: Oid<'static> = oid!(1.3.6.1.5.5.7.48.2);

impl Certificate {
    /// Parses one DER certificate. `allow_trailing` accepts bytes after it (the caller decides what
    /// they may be: whitespace after a `.cer`).
    pub fn from_der(der: &[u8], source: &str, allow_trailing: bool) -> Result<Self, ParseError> {
        let (rest, x509) =
            X509Certificate::from_der(der).map_err(|e| ParseError::Invalid(e.to_string()))?;
        if !rest.is_empty() && !allow_trailing {
            return Err(ParseError::TrailingBytes(rest.len()));
        }
        let der = &der[..der.len() - rest.len()];
        Self::from_parsed(&x509, der, source)
    }

    /// Parses OpenSSL's `TRUSTED CERTIFICATE` form: the certificate, then its trust settings (if
    /// any), which must be readable — a root whose trust cannot be read is not guessed at.
    pub fn from_trusted_der(der: &[u8], source: &str) -> Result<Self, ParseError> {
        let mut cert = Self::from_der(der, source, true)?;
        let rest = &der[cert.der.len()..];
        if !rest.is_empty() {
            cert.trust_settings = Some(TrustSettings::from_der(rest).map_err(|why| {
                ParseError::Invalid(format!(
                    "the trust settings after the certificate cannot be read ({why})"
                ))
            })?);
        }
        Ok(cert)
    }

    fn from_parsed(
        x509: &X509Certificate<'_>,
        der: &[u8],
        source: &str,
    ) -> Result<Self, ParseError> {
        let tbs_raw = x509.tbs_certificate.as_ref();
        let tbs_start = offset_in(der, tbs_raw).ok_or_else(|| {
            ParseError::Invalid("TBSCertificate not inside the certificate".into())
        })?;
        let spki = x509.public_key();
        let key = key_kind(x509);
        let mut cert = Certificate {
            der: der.to_vec(),
            sha256: Fingerprint::of(der),
            source: super::text::escaped(source),
            version: x509.version().0 + 1,
            // Names are for people: shown with control characters escaped (`engine::text`). Lookups
            // use `subject_key` / `issuer_key`, built from the raw values.
            subject: super::text::escaped(&name_to_string(x509.subject())),
            issuer: super::text::escaped(&name_to_string(x509.issuer())),
            subject_common_name: first_attr(x509.subject().iter_common_name())
                .map(|cn| super::text::escaped(&cn)),
            subject_organization: first_attr(x509.subject().iter_organization())
                .map(|o| super::text::escaped(&o)),
            subject_key: name_key(x509.subject()),
            issuer_key: name_key(x509.issuer()),
            subject_rdns: name_rdns(x509.subject()),
            subject_emails: x509
                .subject()
                .iter_email()
                .filter_map(|a| a.as_str().ok().map(str::to_string))
                .collect(),
            san_directories: Vec::new(),
            subject_is_empty: x509.subject().iter_attributes().next().is_none(),
            subject_der: x509.subject().as_raw().to_vec(),
            issuer_der: x509.issuer().as_raw().to_vec(),
            serial: x509.tbs_certificate.raw_serial().to_vec(),
            not_before: x509.validity().not_before.timestamp(),
            not_after: x509.validity().not_after.timestamp(),
            sans: Vec::new(),
            has_san_extension: false,
            san_critical: false,
            key_defect: std::sync::OnceLock::new(),
            der_problem: std::sync::OnceLock::new(),
            key,
            public_key: spki.subject_public_key.data.to_vec(),
            spki: spki.raw.to_vec(),
            signature_algorithm: signature_algorithm(x509),
            signature_algorithm_oid: x509.signature_algorithm.algorithm.to_id_string(),
            signature_algorithms_differ: !same_algorithm(
                &x509.signature_algorithm,
                &x509.tbs_certificate.signature,
            ),
            signature: x509.signature_value.data.to_vec(),
            tbs: tbs_start..tbs_start + tbs_raw.len(),
            basic_constraints: None,
            key_usage: None,
            extended_key_usage: None,
            authority_key_id: None,
            authority_key_id_ext: None,
            subject_key_id: None,
            aia_ca_issuers: Vec::new(),
            crl_distribution_points: Vec::new(),
            name_constraints: None,
            unknown_critical_extensions: Vec::new(),
            malformed_extensions: Vec::new(),
            extensions: Vec::new(),
            policies: Vec::new(),
            trust_settings: None,
        };
        for ext in x509.extensions() {
            cert.extensions.push(extension_summary(ext));
            match ext.parsed_extension() {
                ParsedExtension::SubjectAlternativeName(san) => {
                    cert.has_san_extension = true;
                    cert.san_critical = ext.critical;
                    cert.sans = san.general_names.iter().map(san_entry).collect();
                    cert.san_directories = san
                        .general_names
                        .iter()
                        .filter_map(|n| match n {
                            GeneralName::DirectoryName(d) => Some(name_rdns(d)),
                            _ => None,
                        })
                        .collect();
                }
                ParsedExtension::CertificatePolicies(policies) => {
                    cert.policies = policies
                        .iter()
                        .map(|p| p.policy_id.to_id_string())
                        .collect();
                }
                ParsedExtension::BasicConstraints(bc) => {
                    cert.basic_constraints = Some(BasicConstraints {
                        ca: bc.ca,
                        path_len: bc.path_len_constraint,
                        critical: ext.critical,
                    })
                }
                ParsedExtension::KeyUsage(ku) => {
                    cert.key_usage = Some(KeyUsage {
                        flags: ku.flags,
                        critical: ext.critical,
                    })
                }
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    cert.extended_key_usage = Some(ExtendedKeyUsage {
                        server_auth: eku.server_auth,
                        client_auth: eku.client_auth,
                        any: eku.any,
                        critical: ext.critical,
                    })
                }
                ParsedExtension::AuthorityKeyIdentifier(aki) => {
                    cert.authority_key_id = aki.key_identifier.as_ref().map(|k| k.0.to_vec());
                    cert.authority_key_id_ext = Some((
                        ext.critical,
                        aki.authority_cert_issuer.is_some() || aki.authority_cert_serial.is_some(),
                    ));
                }
                // An empty identifier identifies nothing: treated as absent.
                ParsedExtension::SubjectKeyIdentifier(ski) if !ski.0.is_empty() => {
                    cert.subject_key_id = Some(ski.0.to_vec())
                }
                ParsedExtension::AuthorityInfoAccess(aia) => {
                    for desc in aia.iter() {
                        if desc.access_method == OID_AIA_CA_ISSUERS
                            && let GeneralName::URI(uri) = desc.access_location
                        {
                            cert.aia_ca_issuers.push(uri.to_string());
                        }
                    }
                }
                ParsedExtension::CRLDistributionPoints(points) => {
                    for point in points.iter() {
                        if let Some(x509_parser::extensions::DistributionPointName::FullName(
                            names,
                        )) = &point.distribution_point
                        {
                            for name in names {
                                if let GeneralName::URI(uri) = name {
                                    cert.crl_distribution_points.push(super::text::escaped(uri));
                                }
                            }
                        }
                    }
                }
                ParsedExtension::NameConstraints(nc) => {
                    let convert =
                        |subtrees: &Option<Vec<x509_parser::extensions::GeneralSubtree<'_>>>| {
                            subtrees
                                .iter()
                                .flatten()
                                .map(|s| name_subtree(&s.base))
                                .collect::<Vec<_>>()
                        };
                    let (permitted, excluded) = (
                        convert(&nc.permitted_subtrees),
                        convert(&nc.excluded_subtrees),
                    );
                    cert.name_constraints = Some(NameConstraints {
                        index: (
                            super::constraints::Subtrees::new(permitted.clone()),
                            super::constraints::Subtrees::new(excluded.clone()),
                        ),
                        permitted,
                        excluded,
                        critical: ext.critical,
                    });
                }
                ParsedExtension::ParseError { error } if ext.critical => {
                    return Err(ParseError::Invalid(format!(
                        "critical extension {} cannot be decoded: {error}",
                        ext.oid.to_id_string()
                    )));
                }
                ParsedExtension::ParseError { .. } => {
                    cert.malformed_extensions.push(ext.oid.to_id_string());
                }
                other => {
                    // x509-parser decodes every extension OpenSSL and webpki process; one it does not
                    // know is an extension no mainstream verifier knows either.
                    if ext.critical && other.unsupported() {
                        cert.unknown_critical_extensions
                            .push(ext.oid.to_id_string());
                    }
                }
            }
        }
        Ok(cert)
    }

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

fn extension_summary(ext: &x509_parser::extensions::X509Extension<'_>) -> ExtensionSummary {
    let oid = ext.oid.to_id_string();
    let name = x509_parser::objects::oid2sn(&ext.oid, x509_parser::objects::oid_registry())
        .map(str::to_string)
        .unwrap_or_else(|_| oid.clone());
    let value = match ext.parsed_extension() {
        ParsedExtension::BasicConstraints(bc) => match (bc.ca, bc.path_len_constraint) {
            (true, Some(n)) => format!("CA:TRUE, pathlen:{n}"),
            (true, None) => "CA:TRUE".into(),
            (false, _) => "CA:FALSE".into(),
        },
        ParsedExtension::KeyUsage(ku) => ku.to_string(),
        ParsedExtension::ExtendedKeyUsage(eku) => {
            let mut uses = Vec::new();
            for (on, name) in [
                (eku.server_auth, "serverAuth"),
                (eku.client_auth, "clientAuth"),
                (eku.code_signing, "codeSigning"),
                (eku.email_protection, "emailProtection"),
                (eku.time_stamping, "timeStamping"),
                (eku.ocsp_signing, "OCSPSigning"),
                (eku.any, "anyExtendedKeyUsage"),
            ] {
                if on {
                    uses.push(name.to_string());
                }
            }
            uses.extend(eku.other.iter().map(|o| o.to_id_string()));
            uses.join(", ")
        }
        ParsedExtension::SubjectAlternativeName(san) => san
            .general_names
            .iter()
            .map(|n| san_entry(n).to_string())
            .collect::<Vec<_>>()
            .join(", "),
        ParsedExtension::SubjectKeyIdentifier(ski) => hex(ski.0),
        ParsedExtension::AuthorityKeyIdentifier(aki) => aki
            .key_identifier
            .as_ref()
            .map(|k| format!("keyid:{}", hex(k.0)))
            .unwrap_or_default(),
        ParsedExtension::AuthorityInfoAccess(aia) => aia
            .iter()
            .map(|d| {
                let method = x509_parser::objects::oid2sn(
                    &d.access_method,
                    x509_parser::objects::oid_registry(),
                )
                .unwrap_or("access");
                format!("{method}: {}", san_entry(&d.access_location))
            })
            .collect::<Vec<_>>()
            .join(", "),
        ParsedExtension::UnsupportedExtension { .. } => format!("(not decoded) {}", hex(ext.value)),
        other => {
            let mut text = format!("{other:?}");
            if text.len() > 400 {
                let cut = (0..=400)
                    .rev()
                    .find(|i| text.is_char_boundary(*i))
                    .unwrap_or(0);
                text.truncate(cut);
                text.push('…');
            }
            text
        }
    };
    ExtensionSummary {
        oid,
        name,
        critical: ext.critical,
        value: super::text::escaped(&value),
    }
}

/// Two AlgorithmIdentifiers are the same: the same OID and the same parameters, byte for byte (an
/// explicit NULL is not an absent parameter), as openssl's `X509_ALGOR_cmp` compares them.
fn same_algorithm(
    a: &x509_parser::x509::AlgorithmIdentifier<'_>,
    b: &x509_parser::x509::AlgorithmIdentifier<'_>,
) -> bool {
    let parameters = |x: &x509_parser::x509::AlgorithmIdentifier<'_>| {
        x.parameters
            .as_ref()
            .map(|p| (p.header.tag().0, p.data.to_vec()))
    };
    a.algorithm == b.algorithm && parameters(a) == parameters(b)
}

/// Where `inner` (a slice of `outer`, as parsers hand them out) starts in `outer`.
pub(crate) fn offset_in(outer: &[u8], inner: &[u8]) -> Option<usize> {
    let start = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    (start + inner.len() <= outer.len()).then_some(start)
}

fn first_attr<'a>(
    mut it: impl Iterator<Item = &'a x509_parser::x509::AttributeTypeAndValue<'a>>,
) -> Option<String> {
    it.next().map(|a| attr_string(a))
}

fn attr_string(a: &x509_parser::x509::AttributeTypeAndValue<'_>) -> String {
    match a.as_str() {
        Ok(s) => s.to_string(),
        Err(_) => String::from_utf8_lossy(a.as_slice()).into_owned(),
    }
}

fn name_to_string(name: &X509Name<'_>) -> String {
    // x509-parser's Display prints in DER order; errors (odd string types) fall back to a lossy form.
    match x509_parser::x509::X509Name::to_string_with_registry(
        name,
        x509_parser::objects::oid_registry(),
    ) {
        Ok(s) => s,
        Err(_) => name
            .iter_attributes()
            .map(|a| format!("{}={}", a.attr_type().to_id_string(), attr_string(a)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A comparison key for names: each attribute as `oid=value`, case-folded, whitespace collapsed
/// (RFC 5280 7.1 asks for LDAP StringPrep caseIgnoreMatch; this covers what CAs actually vary:
/// PrintableString vs UTF8String encoding and letter case).
pub(crate) fn name_key(name: &X509Name<'_>) -> String {
    name_rdns(name)
        .iter()
        .map(|rdn| format!("/{rdn}"))
        .collect()
}

/// Each RDN of `name` as `oid=value` (several attributes joined by `+`), values case-folded and
/// whitespace collapsed: the parts of [`name_key`].
pub(crate) fn name_rdns(name: &X509Name<'_>) -> Vec<String> {
    name.iter_rdn()
        .map(|rdn| {
            let mut key = String::new();
            for (i, a) in rdn.iter().enumerate() {
                if i > 0 {
                    key.push('+');
                }
                key.push_str(&a.attr_type().to_id_string());
                key.push('=');
                let value = attr_string(a);
                key.push_str(
                    &value
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase(),
                );
            }
            key
        })
        .collect()
}

fn san_entry(name: &GeneralName<'_>) -> San {
    match name {
        GeneralName::DNSName(d) => San::Dns(d.to_string()),
        GeneralName::IPAddress(bytes) => match bytes.len() {
            4 => {
                let mut a = [0u8; 4];
                a.copy_from_slice(bytes);
                San::Ip(IpAddr::from(a))
            }
            16 => {
                let mut a = [0u8; 16];
                a.copy_from_slice(bytes);
                San::Ip(IpAddr::from(a))
            }
            _ => San::Other(format!("IP:invalid({})", hex(bytes))),
        },
        GeneralName::URI(u) => San::Uri(u.to_string()),
        GeneralName::RFC822Name(e) => San::Email(e.to_string()),
        GeneralName::DirectoryName(n) => San::Other(format!("DirName:{}", name_to_string(n))),
        GeneralName::OtherName(oid, _) => San::Other(format!("othername:{}", oid.to_id_string())),
        other => San::Other(format!("{other:?}")),
    }
}

fn name_subtree(name: &GeneralName<'_>) -> NameSubtree {
    match name {
        GeneralName::DNSName(d) => NameSubtree::Dns(d.to_string()),
        GeneralName::IPAddress(bytes) if bytes.len() == 8 || bytes.len() == 32 => {
            let half = bytes.len() / 2;
            NameSubtree::Ip {
                address: bytes[..half].to_vec(),
                mask: bytes[half..].to_vec(),
            }
        }
        GeneralName::RFC822Name(e) => NameSubtree::Email(e.to_string()),
        GeneralName::URI(u) => NameSubtree::Uri(u.to_string()),
        GeneralName::DirectoryName(d) => NameSubtree::Directory {
            rdns: name_rdns(d),
            shown: super::text::escaped(&name_to_string(d)),
        },
        other => NameSubtree::Other(format!("{other:?}")),
    }
}

fn key_kind(x509: &X509Certificate<'_>) -> KeyKind {
    let spki = x509.public_key();
    let alg = &spki.algorithm.algorithm;
    let alg_id = alg.to_id_string();
    match alg_id.as_str() {
        "1.3.101.112" => return KeyKind::Ed25519,
        "1.3.101.113" => return KeyKind::Ed448,
        _ => {}
    }
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => KeyKind::Rsa {
            bits: rsa_modulus_bits(rsa.modulus),
        },
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .filter(|p| p.tag() == x509_parser::der_parser::asn1_rs::Tag::Oid)
                .and_then(|p| p.as_oid().ok())
                .map(|oid| match oid.to_id_string().as_str() {
                    "1.2.840.10045.3.1.1" => Curve::P192,
                    "1.3.132.0.33" => Curve::P224,
                    "1.2.840.10045.3.1.7" => Curve::P256,
                    "1.3.132.0.34" => Curve::P384,
                    "1.3.132.0.35" => Curve::P521,
                    other => Curve::Other(other.to_string()),
                })
                .unwrap_or_else(|| Curve::Other("explicit parameters".into()));
            KeyKind::Ec { curve }
        }
        Ok(PublicKey::DSA(y)) => KeyKind::Dsa {
            bits: rsa_modulus_bits(y),
        },
        // An rsaEncryption key whose numbers do not decode: still RSA, and `key.invalid` says why.
        _ if alg_id == "1.2.840.113549.1.1.1" => KeyKind::Rsa { bits: 0 },
        _ => KeyKind::Unknown { oid: alg_id },
    }
}

/// Bit length of a big-endian unsigned integer (leading zero octets and bits ignored).
fn rsa_modulus_bits(modulus: &[u8]) -> usize {
    match modulus.iter().position(|b| *b != 0) {
        Some(i) => (modulus.len() - i) * 8 - modulus[i].leading_zeros() as usize,
        None => 0,
    }
}

fn signature_algorithm(x509: &X509Certificate<'_>) -> SignatureAlgorithm {
    signature_algorithm_of(&x509.signature_algorithm)
}

/// The signature algorithm an AlgorithmIdentifier names (certificates and CRLs).
pub(crate) fn signature_algorithm_of(
    alg: &x509_parser::x509::AlgorithmIdentifier<'_>,
) -> SignatureAlgorithm {
    match alg.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.4" => SignatureAlgorithm::RsaPkcs1Md5,
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => SignatureAlgorithm::RsaPkcs1Sha1,
        "1.2.840.113549.1.1.11" => SignatureAlgorithm::RsaPkcs1Sha256,
        "1.2.840.113549.1.1.12" => SignatureAlgorithm::RsaPkcs1Sha384,
        "1.2.840.113549.1.1.13" => SignatureAlgorithm::RsaPkcs1Sha512,
        "1.2.840.113549.1.1.10" => SignatureAlgorithm::RsaPss(pss_hash(alg.parameters.as_ref())),
        "1.2.840.10045.4.1" => SignatureAlgorithm::EcdsaSha1,
        "1.2.840.10045.4.3.2" => SignatureAlgorithm::EcdsaSha256,
        "1.2.840.10045.4.3.3" => SignatureAlgorithm::EcdsaSha384,
        "1.2.840.10045.4.3.4" => SignatureAlgorithm::EcdsaSha512,
        "1.3.101.112" => SignatureAlgorithm::Ed25519,
        "1.3.101.113" => SignatureAlgorithm::Ed448,
        "1.2.840.10040.4.3" => SignatureAlgorithm::DsaSha1,
        "2.16.840.1.101.3.4.3.2" => SignatureAlgorithm::DsaSha256,
        _ => SignatureAlgorithm::Unknown,
    }
}

/// The hash of RSASSA-PSS-params (RFC 4055): `SEQUENCE { [0] EXPLICIT hashAlgorithm, … }`.
fn pss_hash(params: Option<&x509_parser::der_parser::asn1_rs::Any<'_>>) -> Option<PssHash> {
    use x509_parser::der_parser::asn1_rs::{Any, FromDer as _};
    let params = params?;
    let mut input = params.data;
    while !input.is_empty() {
        let (rest, field) = Any::from_der(input).ok()?;
        input = rest;
        if field.tag().0 == 0 {
            let (_, hash_alg) = Any::from_der(field.data).ok()?;
            let (_, oid) = Oid::from_der(hash_alg.data).ok()?;
            return match oid {
                o if o == OID_SHA256 => Some(PssHash::Sha256),
                o if o == OID_SHA384 => Some(PssHash::Sha384),
                o if o == OID_SHA512 => Some(PssHash::Sha512),
                _ => None,
            };
        }
    }
    None // absent hashAlgorithm means SHA-1, which nobody should accept with PSS
}
