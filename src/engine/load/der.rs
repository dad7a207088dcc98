//! DER input: a certificate (whitespace after it allowed), a CRL, a PKCS#7 bundle, or what else it
//! is (a key, a PKCS#12 archive, a signing request) named rather than called damaged.

use super::*;

pub(super) fn load_der(source: &str, der: &[u8], loaded: &mut Loaded) {
    // Whitespace after the certificate (a `.cer` saved with a trailing newline by an editor or a
    // web form) is not part of it: openssl reads the certificate and ignores it, and so do we. Any
    // other byte after it is reported.
    let cert_error = match Certificate::from_der(der, source, true) {
        Ok(cert) if der[cert.der.len()..].iter().all(u8::is_ascii_whitespace) => {
            loaded.certificates.push(Arc::new(cert));
            return;
        }
        Ok(cert) => crate::engine::cert::ParseError::TrailingBytes(der.len() - cert.der.len()),
        Err(e) => e,
    };
    // A DER CRL (a `.crl` file from a CRL distribution point).
    if let Ok(crl) = crate::engine::revocation::Crl::from_der(der, source) {
        loaded.crls.push(Arc::new(crl));
        return;
    }
    match der_kind(der) {
        DerKind::Pkcs7 => match certificates_from_pkcs7(source, der) {
            Ok(certs) if certs.is_empty() => loaded.findings.push(Finding::new(
                Code::InputNoCertificate,
                None,
                format!("{source}: a PKCS#7 file with no certificate in it"),
            )),
            Ok(certs) => loaded.certificates.extend(certs.into_iter().map(Arc::new)),
            Err(why) => loaded.findings.push(Finding::new(
                Code::InputMalformed,
                None,
                format!("{source}: PKCS#7: {why}"),
            )),
        },
        DerKind::PrivateKey { encrypted } => {
            let form = if encrypted {
                KeyForm::Encrypted
            } else {
                KeyForm::Der
            };
            let public = key::public_half(form, der);
            let unread = match &public {
                Ok(_) => String::new(),
                Err(why) => format!("; {}", why.words()),
            };
            loaded.findings.push(Finding::new(
                Code::InputPrivateKey,
                None,
                format!("{source}: a DER private key was ignored; it is never put into a bundle, report or upload{unread}"),
            ));
            loaded.keys.push(FoundKey {
                source: source.to_string(),
                public,
            });
        }
        DerKind::Pkcs12 => loaded.findings.push(Finding::new(
            Code::InputNoCertificate,
            None,
            format!(
                "{source}: a PKCS#12 (.p12/.pfx) archive, which bundles certificates with their private key; Chainsmith does not open PKCS#12 archives: export the certificates with `openssl pkcs12 -in FILE -nokeys -out certs.pem`"
            ),
        )),
        DerKind::Csr => loaded.findings.push(Finding::new(
            Code::InputNoCertificate,
            None,
            format!("{source}: a certificate signing request (CSR), not a certificate"),
        )),
        DerKind::Other => loaded.findings.push(Finding::new(
            Code::InputMalformed,
            None,
            format!("{source}: DER data that is not a certificate: {cert_error}"),
        )),
    }
}

pub(super) enum DerKind {
    Pkcs7,
    /// PKCS#8, PKCS#1 or SEC1; `encrypted`: an EncryptedPrivateKeyInfo.
    PrivateKey {
        encrypted: bool,
    },
    Pkcs12,
    Csr,
    Other,
}

pub(super) const OID_PKCS7_SIGNED_DATA: Oid<'static> = oid!(1.2.840.113549.1.7.2);

/// Guesses what a DER SEQUENCE is from its first elements, to word the error well.
pub(super) fn der_kind(der: &[u8]) -> DerKind {
    let Ok((_, outer)) = Any::from_ber(der) else {
        return DerKind::Other;
    };
    if outer.tag() != Tag::Sequence {
        return DerKind::Other;
    }
    let Ok((rest, first)) = Any::from_ber(outer.data) else {
        return DerKind::Other;
    };
    match first.tag() {
        Tag::Oid => DerKind::Pkcs7,
        Tag::Integer => match first.data {
            [3] => DerKind::Pkcs12,
            // PKCS#8 (version 0/1, then AlgorithmIdentifier) or PKCS#1 / SEC1 keys (version, then key).
            [0] | [1] => DerKind::PrivateKey { encrypted: false },
            _ => DerKind::Other,
        },
        Tag::Sequence => {
            // CertificationRequestInfo starts with INTEGER version 0; TBSCertificate with [0] or INTEGER
            // serial; an EncryptedPrivateKeyInfo (RFC 5958 §3) is SEQUENCE { AlgorithmIdentifier,
            // OCTET STRING } and nothing else.
            let second = Any::from_ber(rest).ok();
            match Any::from_ber(first.data) {
                Ok((_, inner))
                    if inner.tag() == Tag::Integer && inner.data == [0] && !rest.is_empty() =>
                {
                    DerKind::Csr
                }
                Ok((_, inner))
                    if inner.tag() == Tag::Oid
                        && second.as_ref().is_some_and(|(after, s)| {
                            s.tag() == Tag::OctetString && after.is_empty()
                        }) =>
                {
                    DerKind::PrivateKey { encrypted: true }
                }
                _ => DerKind::Other,
            }
        }
        _ => DerKind::Other,
    }
}

/// The certificates of a PKCS#7 SignedData (RFC 2315 / RFC 5652), as their original bytes.
///
/// Walked with asn1-rs rather than decoded with the `cms` crate so that each certificate keeps its exact
/// encoding (fingerprints must match the same certificate loaded from PEM) and so that certificates a
/// strict decoder refuses still reach the checks, which explain what is wrong with them.
pub(super) fn certificates_from_pkcs7(
    source: &str,
    der: &[u8],
) -> Result<Vec<Certificate>, String> {
    let bad = |what: &str| format!("not a PKCS#7 SignedData ({what})");
    let (_, content_info) = Any::from_ber(der).map_err(|_| bad("no ContentInfo"))?;
    let (rest, content_type) =
        Oid::from_ber(content_info.data).map_err(|_| bad("no content type"))?;
    if content_type != OID_PKCS7_SIGNED_DATA {
        return Err(format!(
            "PKCS#7 content type {} is not SignedData",
            content_type.to_id_string()
        ));
    }
    let (_, explicit) = Any::from_ber(rest).map_err(|_| bad("no content"))?;
    let (_, signed_data) = Any::from_ber(explicit.data).map_err(|_| bad("no SignedData"))?;
    let mut input = signed_data.data;
    let mut certificates = Vec::new();
    while !input.is_empty() {
        let (rest, field) = Any::from_ber(input).map_err(|_| bad("damaged SignedData"))?;
        input = rest;
        if field.class() == Class::ContextSpecific && field.tag().0 == 0 {
            let mut certs_input = field.data;
            while !certs_input.is_empty() {
                let (rest, _) =
                    Any::from_ber(certs_input).map_err(|_| bad("damaged certificate list"))?;
                let raw = &certs_input[..certs_input.len() - rest.len()];
                certs_input = rest;
                let cert = Certificate::from_der(raw, source, false).map_err(|e| {
                    format!("certificate {} in the PKCS#7: {e}", certificates.len() + 1)
                })?;
                certificates.push(cert);
            }
        }
    }
    Ok(certificates)
}
