//! Revocation from CRLs (RFC 5280 §5, §6.3): a CRL given with `--crl`, found beside the chain in the
//! input, or fetched from a CRL distribution point by the caller (the engine does no I/O) says whether
//! a certificate of the path is revoked. A CRL counts only when its issuer's key verifies its
//! signature (a link is a verified signature; so is a revocation), it is current at the validation
//! time, and it is a complete CRL its issuer may sign (cRLNumber present and not critical, the issuer's
//! keyUsage allowing cRLSign). Trust anchors are not checked (RFC 5280 §6.1.1 (d)).

use std::collections::HashMap;
use std::ops::Range;

use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use super::CheckOptions;
use super::cert::{Certificate, Fingerprint, KeyKind, SignatureAlgorithm};
use super::chain::{PathEnd, PathView};
use super::finding::{Code, Finding};
use super::signature::{self, SignatureCheck};
use super::trust::public_anchors;

/// A parsed CRL. Built only by [`Crl::from_der`].
#[derive(Debug, Clone)]
pub struct Crl {
    pub der: Vec<u8>,
    pub sha256: Fingerprint,
    /// Where it came from (escaped for display).
    pub source: String,
    /// The issuer's name, for people, and as a lookup key (as certificates' `issuer_key`).
    pub issuer: String,
    pub issuer_key: String,
    pub this_update: i64,
    pub next_update: Option<i64>,
    /// cRLNumber: `Some(critical)` when present.
    pub number: Option<bool>,
    /// A delta CRL (deltaCRLIndicator): not applied on its own.
    pub delta: bool,
    /// issuingDistributionPoint scope: only end-entity / only CA certificates.
    pub only_user: bool,
    pub only_ca: bool,
    /// Critical extensions this module does not process.
    pub unknown_critical: Vec<String>,
    /// Revoked serials (DER INTEGER contents) and their revocation times.
    pub revoked: HashMap<Vec<u8>, i64>,
    signature_algorithm: SignatureAlgorithm,
    tbs: Range<usize>,
    signature: Vec<u8>,
}

const OID_CRL_NUMBER: &str = "2.5.29.20";
const OID_DELTA_CRL: &str = "2.5.29.27";
const OID_ISSUING_DP: &str = "2.5.29.28";
const OID_AKI: &str = "2.5.29.35";

impl Crl {
    /// Parses one DER CRL (`source` names it in messages, escaped as the loader gives it).
    pub fn from_der(der: &[u8], source: &str) -> Result<Self, String> {
        let (rest, crl) = CertificateRevocationList::from_der(der).map_err(|e| e.to_string())?;
        if !rest.iter().all(u8::is_ascii_whitespace) {
            return Err(format!("{} bytes after the CRL", rest.len()));
        }
        let der = &der[..der.len() - rest.len()];
        let tbs_raw: &[u8] = crl.tbs_cert_list.as_ref();
        let start =
            super::cert::offset_in(der, tbs_raw).ok_or("the signed part is not inside the CRL")?;
        let mut out = Crl {
            der: der.to_vec(),
            sha256: Fingerprint::of(der),
            // Given escaped by the loader, as certificates' sources are.
            source: source.to_string(),
            issuer: super::text::escaped(&crl.issuer().to_string()),
            issuer_key: super::cert::name_key(crl.issuer()),
            this_update: crl.last_update().timestamp(),
            next_update: crl.next_update().map(|t| t.timestamp()),
            number: None,
            delta: false,
            only_user: false,
            only_ca: false,
            unknown_critical: Vec::new(),
            revoked: crl
                .iter_revoked_certificates()
                .map(|r| (r.raw_serial().to_vec(), r.revocation_date.timestamp()))
                .collect(),
            signature_algorithm: super::cert::signature_algorithm_of(&crl.signature_algorithm),
            tbs: start..start + tbs_raw.len(),
            signature: crl.signature_value.data.to_vec(),
        };
        for ext in crl.extensions() {
            let oid = ext.oid.to_id_string();
            match (oid.as_str(), ext.parsed_extension()) {
                (OID_CRL_NUMBER, _) => out.number = Some(ext.critical),
                (OID_DELTA_CRL, _) => out.delta = true,
                (OID_ISSUING_DP, ParsedExtension::IssuingDistributionPoint(idp)) => {
                    out.only_user = idp.only_contains_user_certs;
                    out.only_ca = idp.only_contains_ca_certs;
                    if idp.indirect_crl
                        || idp.only_contains_attribute_certs
                        || idp.only_some_reasons.is_some()
                    {
                        out.unknown_critical
                            .push("issuingDistributionPoint (indirect or partial)".into());
                    }
                }
                (OID_AKI, _) => {}
                _ if ext.critical => out.unknown_critical.push(oid),
                _ => {}
            }
        }
        Ok(out)
    }

    fn tbs(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    /// Whether the holder of this key signed the CRL.
    fn signed_by(&self, kind: &KeyKind, key: &[u8]) -> bool {
        signature::verify_signed(
            self.signature_algorithm,
            self.tbs(),
            &self.signature,
            kind,
            key,
        ) == SignatureCheck::Valid
    }

    /// Why this CRL cannot be used to decide, if it cannot (`revocation.crl-invalid`).
    fn defect(&self, issuer: Option<&Certificate>) -> Option<String> {
        if self.delta {
            return Some("it is a delta CRL; give the complete CRL".into());
        }
        match self.number {
            None => return Some("it has no cRLNumber, which RFC 5280 §5.2.3 requires".into()),
            Some(true) => {
                return Some(
                    "its cRLNumber is marked critical, which RFC 5280 §5.2.3 forbids".into(),
                );
            }
            Some(false) => {}
        }
        if let Some(oid) = self.unknown_critical.first() {
            return Some(format!(
                "it has a critical extension Chainsmith does not apply ({oid})"
            ));
        }
        if let Some(issuer) = issuer
            && issuer.key_usage.is_some_and(|ku| !ku.crl_sign())
        {
            return Some(format!(
                "its issuer \"{}\" may not sign CRLs (its keyUsage lacks cRLSign; RFC 5280 §6.3.3 (f))",
                issuer.display_name()
            ));
        }
        None
    }

    /// Whether its scope (issuingDistributionPoint) covers `cert`.
    fn covers(&self, cert: &Certificate) -> bool {
        !(self.only_user && cert.is_ca() || self.only_ca && !cert.is_ca())
    }
}

/// What the CRLs say about one certificate of the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// A usable CRL of its issuer does not list it.
    Good {
        crl: String,
        this_update: i64,
        next_update: Option<i64>,
    },
    /// A usable CRL of its issuer lists it.
    Revoked { crl: String, since: i64 },
    /// It names CRL distribution points and no usable CRL was found.
    Unknown { points: Vec<String> },
    /// It names no CRL distribution point and no CRL of its issuer was given.
    NoCrl,
    /// A trust anchor, an untrusted root or the top of an incomplete path: not checked.
    NotChecked,
}

impl Revocation {
    /// The status word of the JSON report.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Good { .. } => "good",
            Self::Revoked { .. } => "revoked",
            Self::Unknown { .. } => "unknown",
            Self::NoCrl => "no-crl",
            Self::NotChecked => "not-checked",
        }
    }

    /// One line for the report and the window.
    pub fn words(&self) -> String {
        let date = super::checks::date;
        match self {
            Self::Good {
                crl,
                this_update,
                next_update,
            } => format!(
                "not revoked (CRL {crl} of {}{})",
                date(*this_update),
                next_update
                    .map(|n| format!(", next update {}", date(n)))
                    .unwrap_or_default()
            ),
            Self::Revoked { crl, since } => {
                format!("REVOKED since {} (CRL {crl})", date(*since))
            }
            Self::Unknown { points } => format!(
                "unknown: no usable CRL (it names {})",
                super::text::escape(&points.join(", "))
            ),
            Self::NoCrl => "not checked: it names no CRL distribution point".into(),
            Self::NotChecked => "not checked: a trust anchor is not revoked by CRL".into(),
        }
    }
}

/// Revocation findings for one path. Nothing when no CRL is known and none was asked for.
pub(crate) fn check(view: PathView<'_>, options: &CheckOptions) -> Vec<Finding> {
    assess(view, options).0
}

/// What the CRLs say about each certificate of the path, leaf first (`None`: revocation was not
/// asked for and no CRL is known).
pub(crate) fn statuses(view: PathView<'_>, options: &CheckOptions) -> Option<Vec<Revocation>> {
    if options.crls.is_empty() && !options.revocation {
        return None;
    }
    Some(assess(view, options).1)
}

fn assess(view: PathView<'_>, options: &CheckOptions) -> (Vec<Finding>, Vec<Revocation>) {
    let mut findings = Vec::new();
    let mut statuses = Vec::new();
    if options.crls.is_empty() && !options.revocation {
        return (findings, statuses);
    }
    let path = view.path;
    for (position, &node) in path.nodes.iter().enumerate() {
        let cert = view.cert(node);
        let last = position + 1 == path.nodes.len();
        // The issuer's key and certificate: the next one up, or the public root a path ends at. A trust
        // anchor, an untrusted root and the top of an incomplete path are not checked.
        let (kind, key, issuer_cert) = match (last, path.end) {
            (false, _) => {
                let issuer = view.cert(path.nodes[position + 1]);
                (issuer.key.clone(), issuer.public_key.clone(), Some(issuer))
            }
            (true, PathEnd::PublicRoot(index)) => {
                let Some(anchor) = public_anchors().iter().find(|a| a.index == index) else {
                    statuses.push(Revocation::NotChecked);
                    continue;
                };
                (anchor.key.clone(), anchor.public_key.clone(), None)
            }
            (true, _) => {
                statuses.push(Revocation::NotChecked);
                continue;
            }
        };
        let usable = usable_crls(cert, (&kind, &key), issuer_cert, options, &mut findings);
        statuses.push(status_of(cert, &usable, &mut findings));
    }
    (findings, statuses)
}

/// The CRLs of `cert`'s issuer that may be used: signed with the issuer's key (`kind`, `key`), sound
/// (`Crl::defect`), issued by the validation time. Those that are not are said
/// (`revocation.crl-invalid`), and a used one past its nextUpdate too (`revocation.crl-expired`).
fn usable_crls<'c>(
    cert: &Certificate,
    (kind, key): (&KeyKind, &[u8]),
    issuer_cert: Option<&Certificate>,
    options: &'c CheckOptions,
    findings: &mut Vec<Finding>,
) -> Vec<&'c Crl> {
    let at = options.at;
    let name = cert.display_name();
    let named: Vec<&Crl> = options
        .crls
        .iter()
        .map(|c| c.as_ref())
        .filter(|c| c.issuer_key == cert.issuer_key && c.covers(cert))
        .collect();
    let signed: Vec<&Crl> = named
        .iter()
        .copied()
        .filter(|c| c.signed_by(kind, key))
        .collect();
    for crl in named
        .iter()
        .filter(|c| !signed.iter().any(|s| s.sha256 == c.sha256))
    {
        findings.push(Finding::new(
            Code::RevocationCrlInvalid,
            Some(cert.sha256),
            format!(
                "the CRL {} names the issuer of \"{name}\" but its signature does not verify with that issuer's key; it is not used",
                crl.source
            ),
        ));
    }
    let mut usable = Vec::new();
    for crl in signed {
        if let Some(why) = crl.defect(issuer_cert) {
            findings.push(Finding::new(
                Code::RevocationCrlInvalid,
                Some(cert.sha256),
                format!("the CRL {} for \"{name}\" is not used: {why}", crl.source),
            ));
        } else if crl.this_update > at {
            findings.push(Finding::new(
                Code::RevocationCrlInvalid,
                Some(cert.sha256),
                format!(
                    "the CRL {} for \"{name}\" was issued on {}, after the validation time; it is not used",
                    crl.source,
                    super::checks::date(crl.this_update)
                ),
            ));
        } else if crl.next_update.is_some_and(|next| next < at) {
            findings.push(Finding::new(
                Code::RevocationCrlExpired,
                Some(cert.sha256),
                format!(
                    "the CRL {} for \"{name}\" was due to be replaced on {}: get a current one (its CRL distribution point); it was still used",
                    crl.source,
                    super::checks::date(crl.next_update.unwrap_or_default())
                ),
            ));
            usable.push(crl);
        } else {
            usable.push(crl);
        }
    }
    usable
}

/// What the usable CRLs say of `cert`: revoked (said, `revocation.revoked`), good, unknown (it names
/// distribution points but no CRL is usable, said), or no CRL at all.
fn status_of(cert: &Certificate, usable: &[&Crl], findings: &mut Vec<Finding>) -> Revocation {
    let name = cert.display_name();
    if let Some((crl, since)) = usable
        .iter()
        .find_map(|crl| crl.revoked.get(&cert.serial).map(|since| (crl, *since)))
    {
        findings.push(Finding::new(
            Code::RevocationRevoked,
            Some(cert.sha256),
            format!(
                "\"{name}\" (serial {}) is revoked: the CRL {} of its issuer lists it since {}",
                super::cert::hex(&cert.serial),
                crl.source,
                super::checks::date(since)
            ),
        ));
        return Revocation::Revoked {
            crl: crl.source.clone(),
            since,
        };
    }
    if let Some(crl) = usable.first() {
        return Revocation::Good {
            crl: crl.source.clone(),
            this_update: crl.this_update,
            next_update: crl.next_update,
        };
    }
    if cert.crl_distribution_points.is_empty() {
        return Revocation::NoCrl;
    }
    findings.push(Finding::new(
        Code::RevocationUnknown,
        Some(cert.sha256),
        format!(
            "no usable CRL for \"{name}\", which names {}: its revocation was not checked",
            super::text::escape(&cert.crl_distribution_points.join(", "))
        ),
    ));
    Revocation::Unknown {
        points: cert.crl_distribution_points.clone(),
    }
}

/// Whether rustls-webpki may be given this CRL for its own check of `view`: one Chainsmith itself
/// would use, signed by a certificate of the path allowed to sign CRLs. (A CRL Chainsmith
/// finds unusable is `revocation.crl-invalid`, a warning; given to webpki it would refuse the path.)
pub(crate) fn fit_for_webpki(crl: &Crl, view: PathView<'_>) -> bool {
    crl.defect(None).is_none()
        && view.path.nodes.iter().map(|i| view.cert(*i)).any(|c| {
            c.subject_key == crl.issuer_key
                && c.key_usage.is_none_or(|ku| ku.crl_sign())
                && crl.signed_by(&c.key, &c.public_key)
        })
}
