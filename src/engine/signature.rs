//! Verifying one certificate's signature with a candidate issuer's public key.
//!
//! aws-lc-rs is called directly (not through webpki's algorithm table) because path building must also
//! verify what webpki refuses on policy grounds — RSA-1024 roots, SHA-1 intermediates — so that the
//! checks can name the real problem (`key.rsa-weak`, `algo.sha1`) instead of "bad signature".

use aws_lc_rs::signature::{self, VerificationAlgorithm};

use super::cert::{Certificate, Curve, KeyKind, PssHash, SignatureAlgorithm};

/// The result of checking a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureCheck {
    Valid,
    Invalid,
    /// The algorithm (MD5, DSA, an unknown OID, …) cannot be checked here; the link is kept on the
    /// name match alone and the algorithm finding explains the problem.
    Unsupported,
}

/// Verifies `child`'s signature with the key in `issuer_spki_key` of kind `issuer_key`.
pub fn verify(
    child: &Certificate,
    issuer_key: &KeyKind,
    issuer_public_key: &[u8],
) -> SignatureCheck {
    let Some(algorithm) = algorithm_for(child.signature_algorithm, issuer_key) else {
        return match (child.signature_algorithm, issuer_key) {
            // The child says RSA/ECDSA/Ed25519 but the issuer's key is of another type: a wrong issuer.
            (
                SignatureAlgorithm::RsaPkcs1Sha256
                | SignatureAlgorithm::RsaPkcs1Sha384
                | SignatureAlgorithm::RsaPkcs1Sha512
                | SignatureAlgorithm::RsaPkcs1Sha1
                | SignatureAlgorithm::EcdsaSha256
                | SignatureAlgorithm::EcdsaSha384
                | SignatureAlgorithm::EcdsaSha512
                | SignatureAlgorithm::Ed25519,
                KeyKind::Rsa { .. } | KeyKind::Ec { .. } | KeyKind::Ed25519,
            ) => SignatureCheck::Invalid,
            _ => SignatureCheck::Unsupported,
        };
    };
    match algorithm.verify_sig(issuer_public_key, child.tbs(), &child.signature) {
        Ok(()) => SignatureCheck::Valid,
        Err(_) => SignatureCheck::Invalid,
    }
}

/// Verifies a signature against a bare SubjectPublicKeyInfo (trust anchors from webpki-roots).
pub fn verify_with_spki(child: &Certificate, spki_der: &[u8]) -> SignatureCheck {
    match spki_key(spki_der) {
        Some((kind, key)) => verify(child, &kind, &key),
        None => SignatureCheck::Unsupported,
    }
}

/// The key kind and subjectPublicKey bytes of a SubjectPublicKeyInfo DER.
pub fn spki_key(spki_der: &[u8]) -> Option<(KeyKind, Vec<u8>)> {
    use x509_parser::prelude::{FromDer as _, SubjectPublicKeyInfo};
    use x509_parser::public_key::PublicKey;
    let (_, spki) = SubjectPublicKeyInfo::from_der(spki_der).ok()?;
    let key = spki.subject_public_key.data.to_vec();
    let kind = match spki.parsed().ok()? {
        PublicKey::RSA(rsa) => KeyKind::Rsa {
            bits: rsa.key_size(),
        },
        PublicKey::EC(_) => {
            let curve = match spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string())
                .as_deref()
            {
                Some("1.2.840.10045.3.1.7") => Curve::P256,
                Some("1.3.132.0.34") => Curve::P384,
                Some("1.3.132.0.35") => Curve::P521,
                other => Curve::Other(other.unwrap_or("?").to_string()),
            };
            KeyKind::Ec { curve }
        }
        _ if spki.algorithm.algorithm.to_id_string() == "1.3.101.112" => KeyKind::Ed25519,
        _ => return None,
    };
    Some((kind, key))
}

fn algorithm_for(
    sig: SignatureAlgorithm,
    key: &KeyKind,
) -> Option<&'static dyn VerificationAlgorithm> {
    use SignatureAlgorithm as S;
    Some(match (sig, key) {
        (S::RsaPkcs1Sha1, KeyKind::Rsa { .. }) => {
            &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        (S::RsaPkcs1Sha256, KeyKind::Rsa { .. }) => {
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
        }
        (S::RsaPkcs1Sha384, KeyKind::Rsa { .. }) => &signature::RSA_PKCS1_2048_8192_SHA384,
        (S::RsaPkcs1Sha512, KeyKind::Rsa { .. }) => {
            &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY
        }
        (S::RsaPss(Some(PssHash::Sha256)), KeyKind::Rsa { .. }) => {
            &signature::RSA_PSS_2048_8192_SHA256
        }
        (S::RsaPss(Some(PssHash::Sha384)), KeyKind::Rsa { .. }) => {
            &signature::RSA_PSS_2048_8192_SHA384
        }
        (S::RsaPss(Some(PssHash::Sha512)), KeyKind::Rsa { .. }) => {
            &signature::RSA_PSS_2048_8192_SHA512
        }
        (S::EcdsaSha1, KeyKind::Ec { curve: Curve::P256 }) => &signature::ECDSA_P256_SHA1_ASN1,
        (S::EcdsaSha256, KeyKind::Ec { curve: Curve::P256 }) => &signature::ECDSA_P256_SHA256_ASN1,
        (S::EcdsaSha384, KeyKind::Ec { curve: Curve::P256 }) => &signature::ECDSA_P256_SHA384_ASN1,
        (S::EcdsaSha512, KeyKind::Ec { curve: Curve::P256 }) => &signature::ECDSA_P256_SHA512_ASN1,
        (S::EcdsaSha256, KeyKind::Ec { curve: Curve::P384 }) => &signature::ECDSA_P384_SHA256_ASN1,
        (S::EcdsaSha384, KeyKind::Ec { curve: Curve::P384 }) => &signature::ECDSA_P384_SHA384_ASN1,
        (S::EcdsaSha512, KeyKind::Ec { curve: Curve::P384 }) => &signature::ECDSA_P384_SHA512_ASN1,
        (S::EcdsaSha1, KeyKind::Ec { curve: Curve::P521 }) => &signature::ECDSA_P521_SHA1_ASN1,
        (S::EcdsaSha256, KeyKind::Ec { curve: Curve::P521 }) => &signature::ECDSA_P521_SHA256_ASN1,
        (S::EcdsaSha384, KeyKind::Ec { curve: Curve::P521 }) => &signature::ECDSA_P521_SHA384_ASN1,
        (S::EcdsaSha512, KeyKind::Ec { curve: Curve::P521 }) => &signature::ECDSA_P521_SHA512_ASN1,
        (S::Ed25519, KeyKind::Ed25519) => &signature::ED25519,
        _ => return None,
    })
}
