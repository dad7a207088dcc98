//! What every certificate carries: its key, serial, signature algorithm, key identifiers and extensions' encoding.

use super::*;

/// Extension rules that apply to every certificate that is not a trust anchor.
pub(super) fn extensions(cert: &Certificate, is_root: bool, findings: &mut Vec<Finding>) {
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

pub(super) fn key(cert: &Certificate, findings: &mut Vec<Finding>) {
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
        && bits > crate::engine::signature::RSA_MAX_BITS
    {
        findings.push(Finding::new(
            Code::KeyRsaTooLarge,
            Some(cert.sha256),
            format!(
                "\"{name}\" has a {bits}-bit RSA key; most TLS stacks (and the crypto library here) accept at most {} bits",
                crate::engine::signature::RSA_MAX_BITS
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

pub(super) fn serial(cert: &Certificate, findings: &mut Vec<Finding>) {
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

pub(super) fn algorithm(cert: &Certificate, findings: &mut Vec<Finding>) {
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
pub(super) fn key_identifiers(
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
                crate::engine::cert::hex(aki),
                crate::engine::cert::hex(ski)
            ),
        )),
        _ => {}
    }
}
