//! How Chainsmith trusts the HTTPS servers it talks to (trunk APIs, Genesys Cloud, AIA URLs), and what
//! it says when it does not.
//!
//! Trust is the platform's verifier (rustls-platform-verifier: the Windows certificate store on
//! Windows, webpki with the system roots elsewhere) plus the `--ca-file` roots (where a Windows
//! crypt32 cannot take extra roots, as Wine's cannot, webpki with those roots and the Mozilla set). On top of it come
//! *pins*, for the many SBC management interfaces that serve a certificate made with
//! `openssl req -x509` (a self-signed CA certificate used as the server's own, which webpki refuses as
//! `CaUsedAsEndEntity`): a server certificate byte-identical to one in `--ca-file` (as curl does with
//! `--cacert`), or whose SHA-256 is given with `--pin-sha256`, is trusted as that server's own. For a
//! pinned certificate the handshake signature, the validity dates and the host name are still checked;
//! nothing else is relaxed. A pin adds trust in one certificate; it never narrows what else is trusted.
//!
//! Every refusal is kept as a [`Refusal`] (the reason in words and the certificate the server showed),
//! so the upload says what is wrong and what to pass, and the window can offer to trust it.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use serde::Serialize;

use crate::engine::cert::{Certificate, Fingerprint};
use crate::engine::hostname::{self, HostName};
use crate::engine::text::escaped;

/// What to trust beyond the platform's roots.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trust {
    /// Certificates (PEM, DER or PKCS#7) from `--ca-file`: roots, and pins when the server presents
    /// one of them as its own certificate.
    pub ca_file: Option<Vec<u8>>,
    /// SHA-256 fingerprints of server certificates trusted as they are (`--pin-sha256`).
    pub pins: Vec<Fingerprint>,
}

/// Why a trust setting cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error("--ca-file: no certificate in it (PEM, DER or PKCS#7 expected)")]
    NoCertificate,
    #[error(
        "--pin-sha256 {0}: not a SHA-256 fingerprint; give 64 hexadecimal digits (colons allowed), as `chainsmith check` or `openssl x509 -noout -fingerprint -sha256` print it"
    )]
    BadPin(String),
    #[error("cannot set up TLS: {0}")]
    Setup(String),
}

/// Reads a `--pin-sha256` value: 64 hex digits, with or without colons, any case, an optional
/// `sha256:` / `SHA256=` prefix.
pub fn parse_pin(text: &str) -> Result<Fingerprint, TrustError> {
    let bad = || TrustError::BadPin(escaped(text));
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let digits = ["sha256:", "sha256=", "sha256 fingerprint="]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .unwrap_or(&lower);
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if digits.len() != 64 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(Fingerprint(out))
}

/// The certificate a server presented, as an admin reads it (all text escaped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Presented {
    pub subject: String,
    pub issuer: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    /// Lowercase hex, what `--pin-sha256` takes.
    pub sha256: String,
    /// basicConstraints CA:TRUE.
    pub is_ca: bool,
    pub self_signed: bool,
    /// The names it is valid for (subjectAltName DNS names and IP addresses).
    pub names: Vec<String>,
}

impl Presented {
    fn of(cert: &Certificate) -> Self {
        Self {
            // The engine's names are escaped already (`engine::text`).
            subject: cert.subject.clone(),
            issuer: cert.issuer.clone(),
            not_before: crate::engine::report::rfc3339(cert.not_before),
            not_after: crate::engine::report::rfc3339(cert.not_after),
            sha256: cert.sha256.hex(),
            is_ca: cert.is_ca(),
            self_signed: cert.is_self_issued(),
            names: hostname::names_valid_for(cert, false)
                .iter()
                .map(|n| escaped(n))
                .collect(),
        }
    }
}

/// Why a server's certificate was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "reason")]
pub enum Reason {
    /// No trusted root issued it (a private CA, a self-signed certificate).
    UnknownIssuer,
    /// A CA certificate (basicConstraints CA:TRUE) served as the server's own certificate.
    CaAsServerCertificate,
    Expired,
    NotYetValid,
    /// It is not valid for the host name asked for.
    WrongName,
    Revoked,
    /// A signature in the chain does not verify.
    BadSignature,
    /// Its extendedKeyUsage does not allow TLS servers.
    NotForServers,
    /// Anything else the verifier said, in words.
    Other {
        words: String,
    },
}

/// A refused server certificate: who, why, what it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The host name (or IP address) that was asked for.
    pub host: String,
    #[serde(flatten)]
    pub reason: Reason,
    /// The end-entity certificate the server presented, if it could be read.
    pub certificate: Option<Presented>,
    /// It was pinned (in `--ca-file` or `--pin-sha256`), and still refused (dates, host name).
    pub pinned: bool,
}

impl Refusal {
    /// The reason, as a sentence about the certificate ("it expired on …").
    pub fn reason_text(&self) -> String {
        let cert = self.certificate.as_ref();
        let names = || {
            cert.map(|c| {
                if c.names.is_empty() {
                    "it names no host in subjectAltName".to_string()
                } else {
                    format!("it is valid for {}", c.names.join(", "))
                }
            })
            .unwrap_or_default()
        };
        match &self.reason {
            Reason::UnknownIssuer => {
                "it was not issued by a CA this computer trusts (a private CA or a self-signed certificate)"
                    .to_string()
            }
            Reason::CaAsServerCertificate => "it is a CA certificate (basicConstraints CA:TRUE) used as the server's own certificate, as `openssl req -x509` makes them; no public CA issues such a server certificate".to_string(),
            Reason::Expired => format!(
                "it expired on {}",
                cert.map(|c| c.not_after.as_str()).unwrap_or("an earlier date")
            ),
            Reason::NotYetValid => format!(
                "it is not valid before {} (check this computer's clock too)",
                cert.map(|c| c.not_before.as_str()).unwrap_or("a later date")
            ),
            Reason::WrongName => format!("it is not valid for {}; {}", self.host, names()),
            Reason::Revoked => "its issuer has revoked it".to_string(),
            Reason::BadSignature => "a signature in the chain it came with does not verify".to_string(),
            Reason::NotForServers => {
                "its extendedKeyUsage does not allow TLS servers (serverAuth)".to_string()
            }
            Reason::Other { words } => format!("the verifier refused it: {words}"),
        }
    }

    /// What the admin can do about it.
    pub fn fix(&self) -> String {
        let fingerprint = self
            .certificate
            .as_ref()
            .map(|c| c.sha256.as_str())
            .unwrap_or("<fingerprint>");
        match self.reason {
            Reason::UnknownIssuer | Reason::CaAsServerCertificate if !self.pinned => format!(
                "If this is the right server, trust it with --ca-file FILE (its CA's certificate, or the server's own certificate) or --pin-sha256 {fingerprint}; compare the fingerprint with the device first."
            ),
            Reason::Expired | Reason::NotYetValid => {
                "Renew the server's certificate (a pin does not make an out-of-date certificate acceptable).".to_string()
            }
            Reason::WrongName => {
                "Use the host name the certificate names, or reissue it with this name in subjectAltName.".to_string()
            }
            _ => "Check the server's certificate.".to_string(),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the server's certificate for {} was refused: {}",
            self.host,
            self.reason_text()
        )?;
        if let Some(c) = &self.certificate {
            let issuer = if c.self_signed {
                "itself".to_string()
            } else {
                format!("\"{}\"", c.issuer)
            };
            write!(
                f,
                ". It is \"{}\", issued by {issuer}, valid until {}, SHA-256 {}",
                c.subject, c.not_after, c.sha256
            )?;
        }
        write!(f, ". {}", self.fix())
    }
}

impl std::error::Error for Refusal {}

/// The last refusal a verifier recorded (one connection sends one request at a time).
pub type RefusalSlot = Arc<Mutex<Option<Refusal>>>;

/// A rustls client configuration with [`Trust`] applied, and the slot where its verifier records why
/// it refused a server.
pub fn client_config(trust: &Trust) -> Result<(rustls::ClientConfig, RefusalSlot), TrustError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let ca_file: Vec<Vec<u8>> = match &trust.ca_file {
        Some(bytes) => {
            let loaded = crate::engine::load("--ca-file", bytes);
            if loaded.certificates.is_empty() {
                return Err(TrustError::NoCertificate);
            }
            loaded.certificates.iter().map(|c| c.der.clone()).collect()
        }
        None => Vec::new(),
    };
    let roots: Vec<CertificateDer<'static>> = ca_file
        .iter()
        .map(|d| CertificateDer::from(d.clone()))
        .collect();
    let platform: Arc<dyn ServerCertVerifier> = if roots.is_empty() {
        Arc::new(
            rustls_platform_verifier::Verifier::new(provider.clone())
                .map_err(|e| TrustError::Setup(e.to_string()))?,
        )
    } else {
        match rustls_platform_verifier::Verifier::new_with_extra_roots(
            roots.clone(),
            provider.clone(),
        ) {
            Ok(verifier) => Arc::new(verifier),
            // On Windows the extra roots need a chain engine with its own root store, which some
            // crypt32 implementations refuse ("Invalid parameter": Wine's, which CI runs the Windows
            // build on). Then webpki verifies instead, with the --ca-file roots and the Mozilla set:
            // still a verified chain, only without roots added to that machine's store.
            Err(_) => webpki_verifier(&roots, &provider)?,
        }
    };
    let refused: RefusalSlot = Arc::default();
    let verifier = Verifier {
        platform,
        pinned: ca_file,
        pins: trust.pins.clone(),
        algorithms: provider.signature_verification_algorithms,
        refused: refused.clone(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TrustError::Setup(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok((config, refused))
}

/// rustls' webpki verifier over `roots` and the Mozilla root set (webpki-roots).
fn webpki_verifier(
    roots: &[CertificateDer<'static>],
    provider: &Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, TrustError> {
    let mut store = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    store.add_parsable_certificates(roots.iter().cloned());
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(store),
        provider.clone(),
    )
    .build()
    .map_err(|e| TrustError::Setup(e.to_string()))?;
    Ok(verifier)
}

#[derive(Debug)]
struct Verifier {
    platform: Arc<dyn ServerCertVerifier>,
    /// The `--ca-file` certificates, each trusted as a server's own when presented byte for byte.
    pinned: Vec<Vec<u8>>,
    pins: Vec<Fingerprint>,
    algorithms: WebPkiSupportedAlgorithms,
    refused: RefusalSlot,
}

impl Verifier {
    fn is_pinned(&self, der: &[u8]) -> bool {
        self.pinned.iter().any(|p| p == der) || self.pins.contains(&Fingerprint::of(der))
    }

    fn record(&self, refusal: Refusal) {
        if let Ok(mut slot) = self.refused.lock() {
            *slot = Some(refusal);
        }
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let error = match self.platform.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => return Ok(verified),
            Err(e) => e,
        };
        let host = server_name.to_str().into_owned();
        let cert = Certificate::from_der(end_entity, "server", false).ok();
        let pinned = self.is_pinned(end_entity);
        let reason = match (&cert, pinned) {
            (Some(c), true) => match check_pinned(c, &host, now.as_secs() as i64) {
                None => return Ok(ServerCertVerified::assertion()),
                Some(reason) => reason,
            },
            _ => reason_of(&error),
        };
        self.record(Refusal {
            host: escaped(&host),
            reason,
            certificate: cert.as_ref().map(Presented::of),
            pinned,
        });
        Err(error)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A pinned certificate is the server's own: its dates, its extendedKeyUsage and the host name are
/// checked (the handshake signature is checked by rustls with its key). `None`: accepted.
fn check_pinned(cert: &Certificate, host: &str, now: i64) -> Option<Reason> {
    // A certificate made for TLS clients only is not a server's, pinned or not: RFC 5280 §4.2.1.12,
    // and what curl (OpenSSL's purpose check) and rustls-webpki refuse.
    if cert
        .extended_key_usage
        .as_ref()
        .is_some_and(|eku| !eku.server_auth)
    {
        return Some(Reason::NotForServers);
    }
    if now < cert.not_before {
        return Some(Reason::NotYetValid);
    }
    if now > cert.not_after {
        return Some(Reason::Expired);
    }
    let Ok(wanted) = HostName::parse(host) else {
        return Some(Reason::WrongName);
    };
    if hostname::find_match(cert, &wanted, false).is_some() {
        return None;
    }
    // RFC 6125 §6.4.4: the subject CN is looked at only when there is no subjectAltName at all; that
    // is what curl (OpenSSL's X509_check_host) does for the `openssl req -x509 -subj /CN=host`
    // certificates many SBCs serve.
    if !cert.has_san_extension
        && let (HostName::Dns(name), Some(cn)) = (&wanted, &cert.subject_common_name)
        && hostname::dns_matches(cn, name)
    {
        return None;
    }
    Some(Reason::WrongName)
}

/// The verifier's error, as a [`Reason`].
fn reason_of(error: &rustls::Error) -> Reason {
    let rustls::Error::InvalidCertificate(e) = error else {
        return Reason::Other {
            words: words(&format!("{error:?}")),
        };
    };
    match e {
        CertificateError::UnknownIssuer => Reason::UnknownIssuer,
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => Reason::Expired,
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            Reason::NotYetValid
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            Reason::WrongName
        }
        CertificateError::Revoked => Reason::Revoked,
        CertificateError::BadSignature => Reason::BadSignature,
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            Reason::NotForServers
        }
        CertificateError::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
            Some(webpki::Error::CaUsedAsEndEntity) => Reason::CaAsServerCertificate,
            Some(webpki::Error::UnknownIssuer) => Reason::UnknownIssuer,
            Some(inner) => Reason::Other {
                words: words(&format!("{inner:?}")),
            },
            None => Reason::Other {
                words: escaped(&other.0.to_string()),
            },
        },
        other => Reason::Other {
            words: words(&format!("{other:?}")),
        },
    }
}

/// The name of an error variant in words: `UnhandledCriticalExtension { .. }` → "unhandled critical
/// extension". Only the leading identifier is kept, so no Debug structure reaches the admin.
pub fn words(variant: &str) -> String {
    let name: String = variant
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    if out.is_empty() {
        "an unnamed error".to_string()
    } else {
        out
    }
}

/// A TLS failure that is not about the certificate (the handshake, the protocol), in words, if `error`
/// (or anything it wraps, through `io::Error`s) is a rustls error.
pub fn handshake_failure(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(mut e) = next {
        // An io::Error hides what it wraps from `source()` (hyper wraps rustls' error in two).
        while let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            e = inner;
        }
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(handshake_words(tls));
        }
        next = e.source();
    }
    None
}

fn handshake_words(error: &rustls::Error) -> String {
    use rustls::AlertDescription as A;
    match error {
        rustls::Error::InvalidCertificate(e) => format!(
            "the server's certificate was refused ({})",
            words(&format!("{e:?}"))
        ),
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "the server does not speak TLS there (is it a plain http:// port?)".to_string()
        }
        rustls::Error::AlertReceived(A::CertificateRequired) => {
            "the server asks for a client certificate, which Chainsmith's uploads do not send"
                .to_string()
        }
        rustls::Error::AlertReceived(A::ProtocolVersion) => {
            "the server speaks no TLS version Chainsmith accepts (TLS 1.2 or 1.3)".to_string()
        }
        rustls::Error::AlertReceived(A::HandshakeFailure) | rustls::Error::PeerIncompatible(_) => {
            "the server and Chainsmith share no TLS version, cipher suite or signature scheme (TLS 1.2 or 1.3 with modern suites is needed)".to_string()
        }
        rustls::Error::AlertReceived(alert) => format!(
            "the server ended the handshake ({} alert)",
            words(&format!("{alert:?}"))
        ),
        other => format!("TLS: {}", words(&format!("{other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_parse_with_or_without_colons_and_refuse_anything_else() {
        let hex = "AB".repeat(32);
        let colons = vec!["ab"; 32].join(":");
        for text in [
            hex.clone(),
            colons.clone(),
            format!("sha256:{hex}"),
            format!(" {colons} "),
        ] {
            assert_eq!(parse_pin(&text), Ok(Fingerprint([0xab; 32])), "{text}");
        }
        for bad in [
            "",
            "ab",
            &"ab".repeat(31),
            &"zz".repeat(32),
            &format!("{hex}00"),
        ] {
            assert!(parse_pin(bad).is_err(), "{bad}");
        }
        // The value is escaped in the message.
        let e = parse_pin("\x1b[31m").unwrap_err().to_string();
        assert!(!e.contains('\x1b'), "{e}");
    }

    #[test]
    fn variant_names_become_words() {
        assert_eq!(
            words("UnhandledCriticalExtension"),
            "unhandled critical extension"
        );
        assert_eq!(
            words("UnsupportedSignatureAlgorithmContext { signature_algorithm_id: [] }"),
            "unsupported signature algorithm context"
        );
        assert_eq!(words("{}"), "an unnamed error");
    }
}
