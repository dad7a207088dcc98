//! What is sent: the bundle's PEM and names, made from a checked report, and the findings that block it.

use super::*;

/// The bytes to put on the server. `None` (a rollback to "there was nothing") removes what is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub pem: Option<String>,
    /// SHA-256 of each certificate, in order.
    pub fingerprints: Vec<String>,
    /// The leaf's private key, for a target that takes it ([`Target::takes_key`]); no other target
    /// ever gets it.
    pub key: Option<PrivateKey>,
    /// CA certificates for a device's trusted-root store (the bundle's intermediates and root, or
    /// what a rollback puts back), for a target whose trusted roots change.
    pub trust_pem: Option<String>,
}

impl Payload {
    pub fn from_pem(pem: Option<String>) -> Self {
        let fingerprints = pem.as_deref().map(fingerprints).unwrap_or_default();
        Self {
            pem,
            fingerprints,
            key: None,
            trust_pem: None,
        }
    }

    /// Each certificate by its display name (the Common Name, else the subject), escaped.
    pub fn display_names(&self) -> Vec<String> {
        let Some(pem) = &self.pem else {
            return Vec::new();
        };
        engine::load("payload", pem.as_bytes())
            .certificates
            .iter()
            .map(|c| c.display_name())
            .collect()
    }

    /// Each certificate for people: its subject (escaped) and expiry date.
    pub fn names(&self) -> Vec<String> {
        let Some(pem) = &self.pem else {
            return Vec::new();
        };
        engine::load("payload", pem.as_bytes())
            .certificates
            .iter()
            .map(|c| format!("{}, until {}", c.subject, engine::checks::date(c.not_after)))
            .collect()
    }
}

/// The certificates in a PEM text, as SHA-256 fingerprints in order: what "the same bundle" means.
pub fn fingerprints(pem: &str) -> Vec<String> {
    engine::load("read-back", pem.as_bytes())
        .certificates
        .iter()
        .map(|c| c.sha256.hex())
        .collect()
}

/// What part of the chain each target takes: a Genesys certificate authority takes the CA certificates
/// (intermediates and root); a REST trunk endpoint the bundle (leaf first, root only if asked).
///
/// An AudioCodes certificate job takes the bundle and `key`, which must be the leaf's (else the
/// upload is refused before anything is sent), and, when its trusted roots change, the CA
/// certificates; a trust-store job takes every certificate loaded (the CA certificates to trust).
pub fn payload_for(
    target: &Target,
    report: &Report,
    include_root: bool,
    key: Option<&PrivateKey>,
) -> Result<Payload, UploadError> {
    let refused = |e: bundle::BundleError| UploadError::Refused(e.to_string());
    let cas = || {
        bundle::to_pem(
            report,
            BundleOptions {
                include_root: true,
                ca_only: true,
            },
        )
        .map_err(refused)
    };
    let options = match target {
        Target::Genesys(_) => BundleOptions {
            include_root: true,
            ca_only: true,
        },
        Target::AudioCodes(_) | Target::Files(_) if target.trust_only() => {
            // What goes into a trust store must be a CA certificate, valid now: the chain verdict
            // (a leaf, a host name) is not the question here.
            for c in report.certificates() {
                let name = c.display_name();
                if !c.is_ca() {
                    return Err(UploadError::Refused(format!(
                        "{name} is not a CA certificate (no basicConstraints CA): it does not belong in a trusted-root store"
                    )));
                }
                if c.not_after < report.at || c.not_before > report.at {
                    return Err(UploadError::Refused(format!(
                        "{name} is not valid now (valid {} to {})",
                        engine::checks::date(c.not_before),
                        engine::checks::date(c.not_after)
                    )));
                }
            }
            let pem: String = report
                .certificates()
                .map(|c| crate::engine::pem::encode("CERTIFICATE", &c.der))
                .collect();
            if pem.is_empty() {
                return Err(UploadError::Refused(
                    "no CA certificate to put in the trusted roots".into(),
                ));
            }
            return Ok(Payload::from_pem(Some(pem)));
        }
        Target::Rest(_) | Target::AudioCodes(_) | Target::Files(_) => BundleOptions {
            include_root,
            ca_only: false,
        },
    };
    let pem = bundle::to_pem(report, options).map_err(refused)?;
    let mut payload = Payload::from_pem(Some(pem));
    if let (true, Some(key)) = (target.takes_key(), key) {
        let leaf = report
            .chain
            .first()
            .map(|entry| &entry.cert)
            .ok_or_else(|| UploadError::Refused("the bundle has no leaf".into()))?;
        if !key.belongs_to(leaf) {
            return Err(key::mismatch(key, leaf));
        }
        payload.key = Some(key.clone());
    }
    let roots_change = match target {
        Target::AudioCodes(a) => a.trusted_roots,
        Target::Files(f) if f.ca_list.is_some() => f.trusted_roots,
        _ => audiocodes::TrustedRoots::Keep,
    };
    if roots_change != audiocodes::TrustedRoots::Keep {
        payload.trust_pem = Some(cas()?);
    }
    Ok(payload)
}

/// The error findings that refuse an upload (empty: it may go).
/// The codes of the error findings an upload past them overrides (for the audit record).
pub fn forced_codes(report: &Report) -> Vec<String> {
    let mut codes: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code.as_str().to_string())
        .collect();
    codes.dedup();
    codes
}

pub fn blocking_findings(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.code.as_str(), f.message))
        .collect()
}
