//! Checks on the chosen chain: validity, CA flags, key usages, algorithms, names, profile rules.
//!
//! Default severities follow what a mainstream verifier (OpenSSL, Java, Go, rustls) rejects with its
//! default settings; RFC 5280 / CA/Browser Forum rules that only strict verifiers enforce are in the
//! `rfc5280.*` and `cabf.*` families and become errors with `--strict` (in [`super::analyze`]).

use std::net::IpAddr;

use super::cert::{Certificate, Curve, KeyKind, NameSubtree, San, SignatureAlgorithm};
use super::chain::{PathEnd, PathView};
use super::finding::{Code, Finding, Severity};
use super::hostname;
use super::{CheckOptions, Profile};

const DAY: i64 = 86_400;

/// Runs every check on one path.
pub fn run(view: PathView<'_>, options: &CheckOptions) -> Vec<Finding> {
    let mut findings = Vec::new();
    let path = view.path;
    let certs: Vec<&Certificate> = path.nodes.iter().map(|i| view.cert(*i)).collect();
    // The last certificate is a root (trusted or not) when the path ends there.
    let top_is_root = matches!(path.end, PathEnd::Anchor | PathEnd::UntrustedRoot)
        && certs.len() > 1
        || matches!(path.end, PathEnd::Anchor | PathEnd::UntrustedRoot) && !view.has_leaf;
    let leaf_checked = view.has_leaf || options.profile != Profile::GenesysByocPremises;

    for (position, cert) in certs.iter().enumerate() {
        let is_root = top_is_root && position == certs.len() - 1;
        let is_leaf = position == 0 && leaf_checked && (view.has_leaf || !is_root);
        // RFC 5280 §6.1.1 (d): a trust anchor is trust-anchor information; how its certificate was
        // issued (serial, key identifiers, criticality, subject, self-signature) is not checked.
        let is_anchor = is_root && path.end == PathEnd::Anchor;
        validity(cert, options, &mut findings);
        key(cert, &mut findings);
        super::br::precertificate(cert, &mut findings);
        if !is_anchor {
            serial(cert, &mut findings);
            extensions(cert, is_root, &mut findings);
            // RFC 5280 §4.1: certificates are DER; strict verifiers (rustls-webpki, pyca) refuse BER.
            if let Some(problem) = cert.der_problem() {
                findings.push(Finding::new(
                    Code::Rfc5280DerEncoding,
                    Some(cert.sha256),
                    format!("\"{}\" is not valid DER, in {problem}", cert.display_name()),
                ));
            }
        }
        for oid in &cert.unknown_critical_extensions {
            findings.push(Finding::new(
                Code::Rfc5280UnknownCriticalExtension,
                Some(cert.sha256),
                format!(
                    "\"{}\" has a critical extension {oid} that verifiers do not know; they must reject the certificate",
                    cert.display_name()
                ),
            ));
        }
        if !is_root {
            algorithm(cert, &mut findings);
            let self_signed_top = position == certs.len() - 1
                && cert.is_self_issued()
                && matches!(path.end, PathEnd::Anchor | PathEnd::UntrustedRoot);
            key_identifiers(
                cert,
                certs.get(position + 1).copied(),
                self_signed_top,
                &mut findings,
            );
        }
        // `is_leaf` implies position 0: every other certificate of the path issues the one below it.
        if !is_leaf {
            let first_ca = usize::from(view.has_leaf);
            issuer(
                cert,
                position,
                &certs,
                (is_root, is_anchor, first_ca),
                &mut findings,
            );
        } else if cert.name_constraints.is_some() {
            findings.push(Finding::new(
                Code::Rfc5280NameConstraintsEndEntity,
                Some(cert.sha256),
                format!(
                    "the end-entity certificate \"{}\" carries nameConstraints, which RFC 5280 §4.2.1.10 allows in CA certificates only",
                    cert.display_name()
                ),
            ));
        }
        if is_leaf {
            leaf(cert, options, &mut findings);
            if issued_publicly(&certs, path.end, certs.last().copied()) {
                public_validity(cert, &mut findings);
                super::br::subscriber(cert, &mut findings);
            }
        } else if !is_root && issued_publicly(&certs[position..], path.end, certs.last().copied()) {
            super::br::subordinate_ca(cert, &mut findings);
        }
    }
    findings
}

/// Extension rules that apply to every certificate that is not a trust anchor.
fn extensions(cert: &Certificate, is_root: bool, findings: &mut Vec<Finding>) {
    let name = cert.display_name();
    let id = Some(cert.sha256);
    if let Some((critical, issuer_serial)) = cert.authority_key_id_ext {
        // RFC 5280 §4.2.1.1: "Conforming CAs MUST mark this extension as non-critical."
        if critical {
            findings.push(Finding::new(
                Code::Rfc5280AkiCritical,
                id,
                format!("the authorityKeyIdentifier of \"{name}\" is marked critical"),
            ));
        }
        // Baseline Requirements §7.1.2.1.3 (root CA authorityKeyIdentifier): keyIdentifier only.
        if is_root && issuer_serial {
            findings.push(Finding::new(
                Code::CabfRootAkiIssuerSerial,
                id,
                format!(
                    "the authorityKeyIdentifier of the root \"{name}\" carries an issuer name or serial number, not only a keyIdentifier"
                ),
            ));
        }
    }
    // RFC 5280 §4.2.1.6: critical if the subject is empty, non-critical otherwise ("SHOULD").
    if cert.has_san_extension && cert.san_critical != cert.subject_is_empty {
        let detail = if cert.subject_is_empty {
            "the subject is empty, so the subjectAltName must be marked critical"
        } else {
            "the subject is not empty, so the subjectAltName should not be marked critical"
        };
        findings.push(Finding::new(
            Code::Rfc5280SanCriticality,
            id,
            format!("\"{name}\": {detail}"),
        ));
    }
    // RFC 5280 §4.2.1.3: keyCertSign only with basicConstraints cA TRUE.
    if let Some(ku) = cert.key_usage
        && ku.key_cert_sign()
        && !cert.is_ca()
    {
        findings.push(Finding::new(
            Code::Rfc5280EeKeyCertSign,
            id,
            format!("\"{name}\" is not a CA certificate but its keyUsage allows keyCertSign"),
        ));
    }
    // RFC 5280 §4.2.2.1: the authorityInfoAccess syntax.
    if cert
        .malformed_extensions
        .iter()
        .any(|oid| oid == "1.3.6.1.5.5.7.1.1")
    {
        findings.push(Finding::new(
            Code::Rfc5280AiaMalformed,
            id,
            format!("the authorityInfoAccess extension of \"{name}\" cannot be decoded"),
        ));
    }
}

/// How long before its expiry a certificate is "expiring soon": the configured days, but never more
/// than a third of its lifetime, so that a 47-day certificate is not flagged for most of its life
/// (a 90-day one is at 30 days, as its CA's renewal advice; a one-year one at 30 days).
fn expiry_window(cert: &Certificate, options: &CheckOptions) -> i64 {
    (i64::from(options.expiry_warning_days) * DAY).min((cert.not_after - cert.not_before) / 3)
}

/// Where a certificate stands at the validation time: the one expiry rule, for the findings and for
/// every screen that colours a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    Expired,
    NotYetValid,
    /// Within the expiry warning window (`--expiry-warning-days`, at most a third of its lifetime).
    ExpiringSoon,
    Valid,
}

/// The one expiry rule (see [`Validity`]).
pub fn validity_at(cert: &Certificate, options: &CheckOptions) -> Validity {
    let at = options.at;
    if at > cert.not_after {
        Validity::Expired
    } else if at < cert.not_before {
        Validity::NotYetValid
    } else if cert.not_after - at < expiry_window(cert, options) {
        Validity::ExpiringSoon
    } else {
        Validity::Valid
    }
}

fn validity(cert: &Certificate, options: &CheckOptions, findings: &mut Vec<Finding>) {
    let at = options.at;
    let name = cert.display_name();
    let state = validity_at(cert, options);
    if state == Validity::Expired {
        findings.push(Finding::new(
            Code::CertExpired,
            Some(cert.sha256),
            format!(
                "\"{name}\" expired on {} ({})",
                date(cert.not_after),
                relative_words(cert.not_after, at, options.at_is_now)
            ),
        ));
    } else if state == Validity::NotYetValid {
        findings.push(Finding::new(
            Code::CertNotYetValid,
            Some(cert.sha256),
            format!(
                "\"{name}\" is not valid before {} ({})",
                date(cert.not_before),
                relative_words(cert.not_before, at, options.at_is_now)
            ),
        ));
    } else if state == Validity::ExpiringSoon {
        findings.push(Finding::new(
            Code::CertExpiringSoon,
            Some(cert.sha256),
            format!(
                "\"{name}\" expires on {} ({})",
                date(cert.not_after),
                relative_words(cert.not_after, at, options.at_is_now)
            ),
        ));
    }
}

fn key(cert: &Certificate, findings: &mut Vec<Finding>) {
    let name = cert.display_name();
    if let Some(defect) = cert.key_defect() {
        findings.push(Finding::new(
            Code::KeyInvalid,
            Some(cert.sha256),
            format!("\"{name}\" has an unusable public key: {defect}"),
        ));
        return;
    }
    if let KeyKind::Rsa { bits } = cert.key
        && bits > super::signature::RSA_MAX_BITS
    {
        findings.push(Finding::new(
            Code::KeyRsaTooLarge,
            Some(cert.sha256),
            format!(
                "\"{name}\" has a {bits}-bit RSA key; most TLS stacks (and the crypto library here) accept at most {} bits",
                super::signature::RSA_MAX_BITS
            ),
        ));
    }
    match &cert.key {
        KeyKind::Rsa { bits } => {
            if *bits < 2048 {
                findings.push(Finding::new(
                    Code::KeyRsaWeak,
                    Some(cert.sha256),
                    format!(
                        "\"{name}\" has a {bits}-bit RSA key; verifiers require at least 2048 bits"
                    ),
                ));
            }
            if bits % 8 != 0 {
                findings.push(Finding::new(
                    Code::CabfRsaModulus,
                    Some(cert.sha256),
                    format!("\"{name}\" has an RSA modulus of {bits} bits, not a multiple of 8"),
                ));
            }
        }
        KeyKind::Dsa { .. } => findings.push(Finding::new(
            Code::CabfKeyDsa,
            Some(cert.sha256),
            format!("\"{name}\" has a DSA key, which TLS certificates may no longer use"),
        )),
        KeyKind::Ec { curve: Curve::P192 } => findings.push(Finding::new(
            Code::CabfKeyP192,
            Some(cert.sha256),
            format!("\"{name}\" has a P-192 key, too weak for TLS certificates"),
        )),
        _ => {}
    }
}

fn serial(cert: &Certificate, findings: &mut Vec<Finding>) {
    let name = cert.display_name();
    let value: &[u8] = match cert.serial.iter().position(|b| *b != 0) {
        Some(i) => &cert.serial[i..],
        None => &[],
    };
    if value.is_empty() {
        findings.push(Finding::new(
            Code::Rfc5280SerialZero,
            Some(cert.sha256),
            format!("\"{name}\" has serial number 0"),
        ));
    } else if cert.serial.first().is_some_and(|b| b & 0x80 != 0) {
        findings.push(Finding::new(
            Code::Rfc5280SerialNegative,
            Some(cert.sha256),
            format!("\"{name}\" has a negative serial number"),
        ));
    } else if value.len() > 20 {
        findings.push(Finding::new(
            Code::Rfc5280SerialTooLong,
            Some(cert.sha256),
            format!(
                "\"{name}\" has a {}-octet serial number (at most 20 allowed)",
                value.len()
            ),
        ));
    }
}

fn algorithm(cert: &Certificate, findings: &mut Vec<Finding>) {
    let name = cert.display_name();
    // RFC 5280 §4.1.1.2: the outer signatureAlgorithm MUST be the TBS `signature` field. openssl
    // (X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH) and webpki refuse a certificate where they differ.
    if cert.signature_algorithms_differ {
        findings.push(Finding::new(
            Code::CertSignatureAlgorithmMismatch,
            Some(cert.sha256),
            format!(
                "\"{name}\" names one signature algorithm outside its signed part and another inside it; verifiers refuse it"
            ),
        ));
    }
    match cert.signature_algorithm {
        SignatureAlgorithm::RsaPkcs1Sha1
        | SignatureAlgorithm::EcdsaSha1
        | SignatureAlgorithm::DsaSha1 => findings.push(Finding::new(
            Code::AlgoSha1,
            Some(cert.sha256),
            format!(
                "\"{name}\" is signed with {} (SHA-1), which verifiers reject",
                cert.signature_algorithm.name()
            ),
        )),
        SignatureAlgorithm::RsaPkcs1Md5 => findings.push(Finding::new(
            Code::AlgoMd5,
            Some(cert.sha256),
            format!("\"{name}\" is signed with MD5, which verifiers reject"),
        )),
        _ => {}
    }
}

/// RFC 5280 §4.2.1.1: every certificate but a self-signed one carries an authorityKeyIdentifier —
/// also when the certificate above it is a v3 CA without a subjectKeyIdentifier (a cross-signed root,
/// say). The one exception kept: an issuer that is a v1 certificate (a v1 root such as VeriSign G3) has
/// no extensions, so there was no key identifier to copy. When both identifiers exist they must agree.
fn key_identifiers(
    cert: &Certificate,
    issuer: Option<&Certificate>,
    self_signed_top: bool,
    findings: &mut Vec<Finding>,
) {
    let name = cert.display_name();
    let issuer_ski = issuer.and_then(|i| i.subject_key_id.as_ref());
    match (&cert.authority_key_id, issuer_ski) {
        (None, _) if self_signed_top || issuer.is_some_and(|i| i.version < 3) => {}
        (None, _) if cert.authority_key_id_ext.is_some() => {}
        (None, _) => findings.push(Finding::new(
            Code::Rfc5280AkiMissing,
            Some(cert.sha256),
            format!("\"{name}\" has no authorityKeyIdentifier"),
        )),
        (Some(aki), Some(ski)) if aki != ski => findings.push(Finding::new(
            Code::Rfc5280AkiSkiMismatch,
            Some(cert.sha256),
            format!(
                "the authorityKeyIdentifier of \"{name}\" ({}) differs from the subjectKeyIdentifier of its issuer ({}); the signature verifies, but OpenSSL-based far ends do not link such a certificate to its issuer and refuse the chain",
                super::cert::hex(aki),
                super::cert::hex(ski)
            ),
        )),
        _ => {}
    }
}

/// Checks on a certificate that issues the one below it (or is a lone CA certificate).
/// `first_ca`: the position of the lowest CA certificate of the path (0 when there is no leaf).
fn issuer(
    cert: &Certificate,
    position: usize,
    certs: &[&Certificate],
    (is_root, is_anchor, first_ca): (bool, bool, usize),
    findings: &mut Vec<Finding>,
) {
    let name = cert.display_name();
    let id = Some(cert.sha256);
    match cert.basic_constraints {
        Some(bc) if !bc.ca => findings.push(Finding::new(
            Code::CaNotCa,
            id,
            format!("\"{name}\" issues certificates but its basicConstraints say CA:FALSE"),
        )),
        // A v1 root cannot carry extensions, and RFC 5280 6.1 takes trust anchors in any form.
        None if is_root && (cert.version < 3 || is_anchor) => {}
        None if is_root => findings.push(Finding::new(
            Code::Rfc5280RootBasicConstraintsMissing,
            id,
            format!("the root \"{name}\" has no basicConstraints (a v1-style root)"),
        )),
        None => findings.push(Finding::new(
            Code::CaNotCa,
            id,
            format!("\"{name}\" issues certificates but has no basicConstraints CA:TRUE"),
        )),
        Some(bc) => {
            if !bc.critical && !is_anchor {
                findings.push(Finding::new(
                    Code::Rfc5280BasicConstraintsNotCritical,
                    id,
                    format!("the basicConstraints of the CA \"{name}\" are not marked critical"),
                ));
            }
            if let Some(limit) = bc.path_len {
                // RFC 5280 6.1.4 (l): self-issued intermediates do not count.
                let below = certs[first_ca.min(position)..position]
                    .iter()
                    .filter(|c| !c.is_self_issued())
                    .count();
                if below > limit as usize {
                    findings.push(Finding::new(
                        Code::CaPathLength,
                        id,
                        format!(
                            "\"{name}\" allows {limit} intermediate CA(s) below it (pathLenConstraint) but the chain has {below}"
                        ),
                    ));
                }
            }
        }
    }
    if let Some(ku) = cert.key_usage
        && !ku.key_cert_sign()
    {
        findings.push(Finding::new(
            Code::CaKeyUsage,
            id,
            format!(
                "the keyUsage of \"{name}\" lacks keyCertSign, so it may not sign certificates"
            ),
        ));
    }
    if cert.subject_key_id.is_none() && cert.version >= 3 && !is_anchor {
        findings.push(Finding::new(
            Code::Rfc5280SkiMissing,
            id,
            format!("the CA \"{name}\" has no subjectKeyIdentifier"),
        ));
    }
    if cert.subject_is_empty && !is_anchor {
        findings.push(Finding::new(
            Code::Rfc5280CaEmptySubject,
            id,
            format!(
                "the CA certificate {} has an empty subject",
                cert.sha256.short()
            ),
        ));
    }
    if is_root && cert.extended_key_usage.is_some() {
        findings.push(Finding::new(
            Code::CabfRootEku,
            id,
            format!("the root \"{name}\" carries an Extended Key Usage extension"),
        ));
    }
    if let Some(constraints) = &cert.name_constraints {
        name_constraints_form(cert, constraints, is_anchor, findings);
        // RFC 5280 §6.1.3 (b), (c): constraints apply to every certificate below, except
        // self-issued intermediates (the end-entity certificate is always checked).
        for (below_position, below) in certs[..position].iter().enumerate() {
            if below_position > 0 && below.is_self_issued() {
                continue;
            }
            name_constraints(cert, constraints, below, findings);
        }
    }
}

/// RFC 5280 §4.2.1.10: the extension is critical ("MUST"), has at least one subtree, and a dNSName
/// base is a domain name ("zero or more labels added to the left"), so a leading period is not one.
fn name_constraints_form(
    cert: &Certificate,
    constraints: &super::cert::NameConstraints,
    is_anchor: bool,
    findings: &mut Vec<Finding>,
) {
    let name = cert.display_name();
    let id = Some(cert.sha256);
    if !constraints.critical && !is_anchor {
        findings.push(Finding::new(
            Code::Rfc5280NameConstraintsNotCritical,
            id,
            format!("the nameConstraints of \"{name}\" are not marked critical"),
        ));
    }
    if constraints.permitted.is_empty() && constraints.excluded.is_empty() {
        findings.push(Finding::new(
            Code::Rfc5280NameConstraintsMalformed,
            id,
            format!(
                "the nameConstraints of \"{name}\" have neither permitted nor excluded subtrees"
            ),
        ));
    }
    for subtree in constraints.permitted.iter().chain(&constraints.excluded) {
        if let NameSubtree::Dns(base) = subtree
            && base.starts_with('.')
        {
            findings.push(Finding::new(
                Code::Rfc5280NameConstraintsMalformed,
                id,
                format!(
                    "the nameConstraints of \"{name}\" hold the dNSName \"{base}\", with a leading period (RFC 5280 dNSName constraints are domain names)"
                ),
            ));
        }
    }
}

/// Whether the first of `certs` (the rest: the CAs above it) was issued by a public CA, under the
/// CA/Browser Forum Baseline Requirements: it or a CA above it asserts a CA/B Forum reserved policy
/// (BR §7.1.6.1, which every publicly-trusted TLS certificate must), or the path ends at a Mozilla
/// root (given in the input, or webpki-roots itself).
fn issued_publicly(certs: &[&Certificate], end: PathEnd, top: Option<&Certificate>) -> bool {
    // A CA/Browser Forum reserved policy identifier anywhere on the path (a CA asserting one issues
    // under the Baseline Requirements).
    if certs.iter().any(|c| c.asserts_baseline_requirements()) {
        return true;
    }
    match end {
        PathEnd::PublicRoot(_) => true,
        PathEnd::Anchor | PathEnd::UntrustedRoot => top.is_some_and(|root| {
            super::trust::public_anchors()
                .iter()
                .any(|a| a.spki == root.spki)
        }),
        _ => false,
    }
}

/// The longest validity period (days) the Baseline Requirements allowed a subscriber certificate
/// issued at `not_before` (BR §6.3.2; earlier limits from the ballots that set them: 60 months,
/// 39 months from 2015-04-01, 825 days from 2018-03-01, 398 days from 2020-09-01; SC-081: 200 days
/// from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15).
pub fn max_subscriber_validity_days(not_before: i64) -> i64 {
    const LIMITS: [(i64, i64); 6] = [
        (1_427_846_400, 1_186), // 2015-04-01: 39 months
        (1_519_862_400, 825),   // 2018-03-01
        (1_598_918_400, 398),   // 2020-09-01
        (1_773_532_800, 200),   // 2026-03-15
        (1_805_068_800, 100),   // 2027-03-15
        (1_868_227_200, 47),    // 2029-03-15
    ];
    LIMITS
        .iter()
        .rev()
        .find(|(from, _)| not_before >= *from)
        .map(|(_, days)| *days)
        .unwrap_or(1_827) // 60 months
}

/// Baseline Requirements §6.3.2: a subscriber certificate's validity period (notBefore to notAfter,
/// both included: RFC 5280 §4.1.2.5) within the limit of its issuance date.
fn public_validity(cert: &Certificate, findings: &mut Vec<Finding>) {
    let limit = max_subscriber_validity_days(cert.not_before);
    let period = cert.not_after - cert.not_before + 1;
    if period > limit * DAY {
        findings.push(Finding::new(
            Code::CabfValidityTooLong,
            Some(cert.sha256),
            format!(
                "\"{}\" is valid for {} days from {}; a public CA may issue at most {limit} days then (Baseline Requirements §6.3.2)",
                cert.display_name(),
                (period + DAY - 1) / DAY,
                date(cert.not_before)
            ),
        ));
    }
}

fn leaf(cert: &Certificate, options: &CheckOptions, findings: &mut Vec<Finding>) {
    let name = cert.display_name();
    let id = Some(cert.sha256);
    if cert.is_ca() {
        findings.push(Finding::new(
            Code::LeafIsCa,
            id,
            format!("the leaf \"{name}\" is a CA certificate (basicConstraints CA:TRUE)"),
        ));
    }
    match &cert.extended_key_usage {
        None => findings.push(Finding::new(
            Code::CabfLeafEkuMissing,
            id,
            format!("the leaf \"{name}\" has no Extended Key Usage"),
        )),
        Some(eku) => {
            if !eku.server_auth {
                findings.push(Finding::new(
                    Code::LeafEkuServerAuthMissing,
                    id,
                    format!(
                        "the Extended Key Usage of the leaf \"{name}\" does not include serverAuth, so TLS clients refuse it as a server certificate"
                    ),
                ));
            }
            if eku.any {
                findings.push(Finding::new(
                    Code::CabfLeafAnyEku,
                    id,
                    format!("the leaf \"{name}\" has anyExtendedKeyUsage"),
                ));
            }
            if eku.critical {
                findings.push(Finding::new(
                    Code::CabfLeafEkuCritical,
                    id,
                    format!("the Extended Key Usage of the leaf \"{name}\" is marked critical"),
                ));
            }
            if options.profile == Profile::SipMutualTls && !eku.client_auth {
                findings.push(Finding::new(
                    Code::LeafEkuClientAuthMissing,
                    id,
                    format!(
                        "the leaf \"{name}\" lacks the clientAuth Extended Key Usage: an SBC that also checks it as a TLS client will refuse it. Public CAs stopped issuing clientAuth in 2026 (Chrome root program); use a private CA for SIP mutual TLS, or have the far end accept serverAuth-only certificates"
                    ),
                ));
            }
            // Microsoft's "Plan Direct Routing" (since 19 March 2024): the SBC certificate's EKU must
            // include both Server and Client Authentication, or the SBC cannot connect. An error here:
            // Microsoft's text is the far end's rule, whatever public CAs issue in 2026.
            if options.profile == Profile::TeamsDirectRouting && !eku.client_auth {
                let mut finding = Finding::new(
                    Code::LeafEkuClientAuthMissing,
                    id,
                    format!(
                        "the leaf \"{name}\" lacks the clientAuth Extended Key Usage: Microsoft requires both serverAuth and clientAuth on a Direct Routing SBC certificate since 19 March 2024, because the SBC presents it when it connects to the SIP proxies. Public CAs stopped issuing clientAuth in 2026; check Microsoft's current Direct Routing page before relying on a serverAuth-only certificate"
                    ),
                );
                finding.severity = Severity::Error;
                findings.push(finding);
            }
        }
    }
    if let Some(ku) = cert.key_usage
        && !ku.digital_signature()
    {
        let detail = if matches!(cert.key, KeyKind::Rsa { .. }) && ku.key_encipherment() {
            "only keyEncipherment: it works only for TLS 1.2 RSA key exchange, not TLS 1.3 or ECDHE suites"
        } else {
            "no digitalSignature: TLS cannot use the key"
        };
        findings.push(Finding::new(
            Code::LeafKeyUsage,
            id,
            format!("the keyUsage of the leaf \"{name}\" has {detail}"),
        ));
    }
    if options.profile == Profile::GenesysByocCloud && !matches!(cert.key, KeyKind::Rsa { .. }) {
        findings.push(Finding::new(
            Code::ProfileKeyType,
            id,
            format!(
                "the leaf \"{name}\" has a {} key; Genesys Cloud BYOC Cloud offers only RSA-authenticated TLS 1.2 suites (ECDHE-RSA-AES-GCM)",
                cert.key
            ),
        ));
    }
    // Microsoft's Direct Routing pages list only TLS_ECDHE_RSA_* cipher suites for the SBC: an ECDSA
    // key has none to negotiate.
    if options.profile == Profile::TeamsDirectRouting && !matches!(cert.key, KeyKind::Rsa { .. }) {
        findings.push(Finding::new(
            Code::ProfileKeyType,
            id,
            format!(
                "the leaf \"{name}\" has a {} key; Microsoft Teams Direct Routing lists only ECDHE-RSA cipher suites, so the SBC certificate needs an RSA key (2048 bits or more)",
                cert.key
            ),
        ));
    }
    for san in &cert.sans {
        if let San::Dns(pattern) = san
            && let Some(parent) = pattern.strip_prefix("*.")
            && !hostname::wildcard_parent_allowed(parent.trim_end_matches('.'))
        {
            findings.push(Finding::new(
                Code::CabfWildcardPublicSuffix,
                id,
                format!(
                    "the leaf \"{name}\" has the wildcard {} on a public suffix; clients ignore it",
                    super::text::escape(pattern)
                ),
            ));
        }
        // Baseline Requirements §7.1.4.2.1 (ballot SC12): no underscore in a dNSName.
        if let San::Dns(dns) = san
            && dns.contains('_')
        {
            findings.push(Finding::new(
                Code::CabfDnsUnderscore,
                id,
                format!(
                    "the leaf \"{name}\" has the DNS name {}, which contains an underscore",
                    super::text::escape(dns)
                ),
            ));
        }
    }
    common_name(cert, findings);
    host(cert, options, findings);
}

/// Baseline Requirements §7.1.4.3: a Common Name, when present, is one of the SANs — an IP address in
/// its canonical text (no hex, no leading zeros; IPv6 lower-case and RFC 5952 compressed), a DNS name
/// in the same A-label form as the SAN.
fn common_name(cert: &Certificate, findings: &mut Vec<Finding>) {
    let Some(cn) = &cert.subject_common_name else {
        return;
    };
    let listed = cert.sans.iter().any(|san| match san {
        San::Dns(dns) => dns.eq_ignore_ascii_case(cn),
        San::Ip(ip) => ip.to_string() == *cn,
        _ => false,
    });
    if !listed {
        let canonical_ip = cn
            .parse::<IpAddr>()
            .ok()
            .filter(|ip| ip.to_string() != *cn)
            .map(|ip| format!(" (the canonical form of this address is {ip})"))
            .unwrap_or_default();
        findings.push(Finding::new(
            Code::CabfCnNotInSan,
            Some(cert.sha256),
            format!(
                "the Common Name \"{cn}\" of the leaf is not one of its subjectAltNames in the same form{canonical_ip}"
            ),
        ));
    }
}

/// `name.mismatch` / `name.no-san` for `cert` as the leaf for `options.host` (RFC 6125 §6.4).
pub(crate) fn host(cert: &Certificate, options: &CheckOptions, findings: &mut Vec<Finding>) {
    let name = cert.display_name();
    let id = Some(cert.sha256);
    let sip = options.profile == Profile::SipMutualTls;
    let Some(host) = &options.host else {
        if !cert.has_san_extension {
            let mut finding = Finding::new(
                Code::NameNoSan,
                id,
                format!(
                    "the leaf \"{name}\" has no subjectAltName; clients will not accept it for any name"
                ),
            );
            finding.severity = Severity::Warning;
            findings.push(finding);
        }
        return;
    };
    if options.profile == Profile::TeamsDirectRouting
        && hostname::find_match(cert, host, false).is_none()
        && hostname::common_name_matches(cert, host)
    {
        findings.push(Finding::new(
            Code::TeamsCnOnly,
            id,
            format!(
                "the leaf \"{name}\" names {host} in its Common Name only: Microsoft Teams accepts the SBC's FQDN in the CN or a subjectAltName, other TLS clients read the subjectAltName alone"
            ),
        ));
        return;
    }
    if !cert.has_san_extension {
        findings.push(Finding::new(
            Code::NameNoSan,
            id,
            format!(
                "the leaf \"{name}\" has no subjectAltName, so it is not valid for {host}: clients no longer fall back to the Common Name"
            ),
        ));
        return;
    }
    if hostname::find_match(cert, host, sip).is_none() {
        let valid = hostname::names_valid_for(cert, sip);
        let listed = if valid.is_empty() {
            "no DNS name or IP address".to_string()
        } else if valid.len() > 10 {
            format!("{} and {} more", valid[..10].join(", "), valid.len() - 10)
        } else {
            valid.join(", ")
        };
        findings.push(Finding::new(
            Code::NameMismatch,
            id,
            format!("the leaf \"{name}\" is not valid for {host}; it is valid for: {listed}"),
        ));
    }
}

fn name_constraints(
    ca: &Certificate,
    constraints: &super::cert::NameConstraints,
    below: &Certificate,
    findings: &mut Vec<Finding>,
) {
    if let Some((shown, why)) = super::constraints::violation(below, constraints) {
        findings.push(Finding::new(
            Code::NameConstraintViolation,
            Some(below.sha256),
            format!(
                "\"{}\" names {shown}, which the name constraints of \"{}\" {why}",
                below.display_name(),
                ca.display_name()
            ),
        ));
    }
}

/// `YYYY-MM-DD` for messages.
/// Whole days between two times, counted one way everywhere (findings, text report, window): the
/// distance truncated to whole days, so 699.6 days reads "699 days" on every screen.
pub fn whole_days(from: i64, to: i64) -> i64 {
    (to - from).abs() / DAY
}

/// Where `when` stands from the validation time `at`, in words: "in 30 days" / "700 days ago" when
/// checking now, "30 days after the validation time" / "700 days before the validation time" when a
/// validation time was given (so a future or past `--at` is never worded as if it were today).
pub fn relative_words(when: i64, at: i64, at_is_now: bool) -> String {
    let days = whole_days(at, when);
    let unit = if days == 1 { "day" } else { "days" };
    match (when >= at, at_is_now) {
        (true, true) => format!("in {days} {unit}"),
        (false, true) => format!("{days} {unit} ago"),
        (true, false) => format!("{days} {unit} after the validation time"),
        (false, false) => format!("{days} {unit} before the validation time"),
    }
}

/// A certificate's expiry in words: "expired 700 days ago", "expires in 30 days" (see
/// [`relative_words`]).
pub fn expiry_words(not_after: i64, at: i64, at_is_now: bool) -> String {
    let words = relative_words(not_after, at, at_is_now);
    if at > not_after {
        format!("expired {words}")
    } else {
        format!("expires {words}")
    }
}

pub fn date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_else(|_| unix.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriber_validity_limits_by_issuance_date() {
        let at = |text: &str| {
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .unwrap()
                .unix_timestamp()
        };
        let table: &[(&str, i64)] = &[
            ("2014-06-01T00:00:00Z", 1_827),
            ("2015-04-01T00:00:00Z", 1_186),
            ("2018-02-28T23:59:59Z", 1_186),
            ("2018-03-01T00:00:00Z", 825),
            ("2020-09-01T00:00:00Z", 398),
            ("2026-03-14T23:59:59Z", 398),
            ("2026-03-15T00:00:00Z", 200),
            ("2027-03-14T23:59:59Z", 200),
            ("2027-03-15T00:00:00Z", 100),
            ("2029-03-15T00:00:00Z", 47),
            ("2035-01-01T00:00:00Z", 47),
        ];
        for (issued, days) in table {
            assert_eq!(max_subscriber_validity_days(at(issued)), *days, "{issued}");
        }
    }
}
