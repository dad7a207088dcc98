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
    /// The signature cannot be checked here, for the reason given. Such a certificate is never
    /// linked to the issuer (a link is a verified signature, nothing less): the chain ends below it
    /// and `chain.unverifiable-signature` names the reason.
    Unverifiable(Unverifiable),
}

/// Why a signature could not be checked (rather than checked and found bad).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unverifiable {
    /// The signature algorithm OID is one the engine does not know.
    UnknownAlgorithm,
    /// A known algorithm the crypto library does not verify (MD5, DSA).
    UnsupportedAlgorithm,
    /// RSASSA-PSS without hash parameters (SHA-1 by default) or with a hash other than SHA-2.
    PssParameters,
    /// Ed448, which the crypto library does not verify.
    Ed448,
    /// The issuer's RSA key is larger than 8,192 bits, the most the crypto library accepts.
    RsaTooLarge { bits: usize },
    /// The issuer's RSA key is smaller than the algorithm's minimum in the crypto library.
    RsaTooSmall { bits: usize },
    /// The issuer's key is malformed or of a kind that cannot sign (see `key.invalid`).
    IssuerKey,
}

impl Unverifiable {
    /// Why, in words, for findings.
    pub fn reason(self) -> String {
        match self {
            Self::UnknownAlgorithm => "its signature algorithm is unknown".into(),
            Self::UnsupportedAlgorithm => {
                "its signature algorithm (MD5 or DSA) is not supported by any mainstream verifier".into()
            }
            Self::PssParameters => {
                "it is signed with RSA-PSS without SHA-2 hash parameters, which verifiers refuse".into()
            }
            Self::Ed448 => "it is signed with Ed448, which the crypto library does not verify".into(),
            Self::RsaTooLarge { bits } => format!(
                "the issuer's RSA key has {bits} bits, more than the 8,192 that the crypto library (and most TLS stacks) accept"
            ),
            Self::RsaTooSmall { bits } => format!(
                "the issuer's RSA key has only {bits} bits, too few for this signature algorithm"
            ),
            Self::IssuerKey => "the issuer's public key is malformed, or of a kind the crypto library cannot use (DSA, P-192, P-224, an unknown curve)".into(),
        }
    }
}

/// The largest RSA modulus aws-lc-rs verifies with (its `*_8192` algorithms).
pub const RSA_MAX_BITS: usize = 8192;

/// Verifies `child`'s signature with the key in `issuer_spki_key` of kind `issuer_key`.
pub fn verify(
    child: &Certificate,
    issuer_key: &KeyKind,
    issuer_public_key: &[u8],
) -> SignatureCheck {
    verify_signed(
        child.signature_algorithm,
        child.tbs(),
        &child.signature,
        issuer_key,
        issuer_public_key,
    )
}

/// Verifies `signature` over `signed` (a TBSCertificate or a TBSCertList), made with `algorithm` by
/// the holder of `issuer_public_key`.
pub fn verify_signed(
    algorithm: SignatureAlgorithm,
    signed: &[u8],
    signature: &[u8],
    issuer_key: &KeyKind,
    issuer_public_key: &[u8],
) -> SignatureCheck {
    use SignatureAlgorithm as S;
    let unverifiable = match algorithm {
        S::Unknown => Some(Unverifiable::UnknownAlgorithm),
        S::RsaPkcs1Md5 | S::DsaSha1 | S::DsaSha256 => Some(Unverifiable::UnsupportedAlgorithm),
        S::RsaPss(None) => Some(Unverifiable::PssParameters),
        S::Ed448 => Some(Unverifiable::Ed448),
        _ => None,
    };
    if let Some(why) = unverifiable {
        return SignatureCheck::Unverifiable(why);
    }
    if let KeyKind::Rsa { bits } = issuer_key
        && *bits > RSA_MAX_BITS
        && matches!(
            algorithm,
            S::RsaPkcs1Sha1
                | S::RsaPkcs1Sha256
                | S::RsaPkcs1Sha384
                | S::RsaPkcs1Sha512
                | S::RsaPss(_)
        )
    {
        return SignatureCheck::Unverifiable(Unverifiable::RsaTooLarge { bits: *bits });
    }
    let Some((verifier, min_rsa_bits)) = algorithm_for(algorithm, issuer_key) else {
        return match issuer_key {
            // The child names RSA/ECDSA/Ed25519 and the issuer's key is a usable key of another
            // type or curve: the key cannot have made the signature, so it is a wrong issuer.
            KeyKind::Rsa { .. }
            | KeyKind::Ec {
                curve: Curve::P256 | Curve::P384 | Curve::P521,
            }
            | KeyKind::Ed25519 => SignatureCheck::Invalid,
            _ => SignatureCheck::Unverifiable(Unverifiable::IssuerKey),
        };
    };
    if let KeyKind::Rsa { bits } = issuer_key
        && *bits < min_rsa_bits
    {
        return SignatureCheck::Unverifiable(Unverifiable::RsaTooSmall { bits: *bits });
    }
    match verifier.verify_sig(issuer_public_key, signed, signature) {
        Ok(()) => SignatureCheck::Valid,
        Err(_) => SignatureCheck::Invalid,
    }
}

/// What is wrong with a public key that no signature can be made or checked with, if anything
/// (`key.invalid`). EC points are decoded and checked on their curve by aws-lc-rs; RSA numbers by hand,
/// because aws-lc-rs accepts some degenerate exponents that RFC 8017 §3.1 forbids.
pub fn key_defect(key: &KeyKind, public_key: &[u8]) -> Option<String> {
    use x509_parser::prelude::FromDer as _;
    use x509_parser::public_key::RSAPublicKey;
    match key {
        KeyKind::Rsa { .. } => {
            let Ok((_, rsa)) = RSAPublicKey::from_der(public_key) else {
                return Some("the RSA public key cannot be decoded".into());
            };
            if rsa.modulus.iter().all(|b| *b == 0) {
                return Some("the RSA modulus is empty or zero".into());
            }
            if rsa.modulus[0] & 0x80 != 0 {
                return Some("the RSA modulus is negative".into());
            }
            // RFC 8017 §3.1: the modulus is the product of odd primes, so it is odd.
            if rsa.modulus.last().is_some_and(|b| b & 1 == 0) {
                return Some(
                    "the RSA modulus is even, so it is not the product of two odd primes".into(),
                );
            }
            match rsa.try_exponent() {
                Err(_) => Some("the RSA public exponent is negative, empty or huge".into()),
                // RFC 8017 §3.1: 3 <= e <= n - 1, and e odd.
                Ok(e) if e < 3 || e % 2 == 0 => Some(format!(
                    "the RSA public exponent is {e} (it must be odd and at least 3)"
                )),
                Ok(_) => None,
            }
        }
        KeyKind::Ec { curve } => {
            let algorithm: &'static dyn VerificationAlgorithm = match curve {
                Curve::P256 => &signature::ECDSA_P256_SHA256_ASN1,
                Curve::P384 => &signature::ECDSA_P384_SHA384_ASN1,
                Curve::P521 => &signature::ECDSA_P521_SHA512_ASN1,
                // P-192 and P-224 are named curves the checks report on their own.
                Curve::P192 | Curve::P224 => return None,
                Curve::Other(what) => {
                    return Some(format!(
                        "the EC key uses {what} instead of a named curve TLS knows (P-256, P-384, P-521)"
                    ));
                }
            };
            signature::ParsedPublicKey::new(algorithm, public_key)
                .err()
                .map(|_| {
                    "the EC public key is not a point on its curve (or is the point at infinity)"
                        .into()
                })
        }
        KeyKind::Ed25519 => (public_key.len() != 32).then(|| {
            format!(
                "the Ed25519 key has {} bytes instead of 32",
                public_key.len()
            )
        }),
        // RFC 8410 §3: X25519 and X448 keys are for key agreement only; they cannot sign, so TLS
        // cannot use them to prove a server's (or a CA's) identity.
        KeyKind::Unknown { oid } if oid == "1.3.101.110" || oid == "1.3.101.111" => Some(format!(
            "it is an {} key, which is for key agreement only and cannot sign",
            if oid == "1.3.101.110" {
                "X25519"
            } else {
                "X448"
            }
        )),
        KeyKind::Ed448 | KeyKind::Dsa { .. } | KeyKind::Unknown { .. } => None,
    }
}

/// Verifies a signature against a bare SubjectPublicKeyInfo (trust anchors from webpki-roots).
pub fn verify_with_spki(child: &Certificate, spki_der: &[u8]) -> SignatureCheck {
    match spki_key(spki_der) {
        Some((kind, key)) => verify(child, &kind, &key),
        None => SignatureCheck::Unverifiable(Unverifiable::IssuerKey),
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
                .filter(|p| p.tag() == x509_parser::der_parser::asn1_rs::Tag::Oid)
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
        // Mozilla's set holds no Ed25519 root today, so no input can tell this guard's mutants
        // (always or never Ed25519) apart: equivalent for the compiled-in roots.
        _ if spki.algorithm.algorithm.to_id_string() == "1.3.101.112" => KeyKind::Ed25519,
        _ => return None,
    };
    Some((kind, key))
}

/// The aws-lc-rs algorithm for a signature made with a key of `key`'s kind, and the smallest RSA
/// modulus that algorithm accepts.
fn algorithm_for(
    sig: SignatureAlgorithm,
    key: &KeyKind,
) -> Option<(&'static dyn VerificationAlgorithm, usize)> {
    use SignatureAlgorithm as S;
    let rsa: Option<&'static dyn VerificationAlgorithm> = match sig {
        S::RsaPkcs1Sha1 => Some(&signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY),
        S::RsaPkcs1Sha256 => Some(&signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY),
        S::RsaPkcs1Sha384 => Some(&signature::RSA_PKCS1_2048_8192_SHA384),
        S::RsaPkcs1Sha512 => Some(&signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY),
        S::RsaPss(Some(PssHash::Sha256)) => Some(&signature::RSA_PSS_2048_8192_SHA256),
        S::RsaPss(Some(PssHash::Sha384)) => Some(&signature::RSA_PSS_2048_8192_SHA384),
        S::RsaPss(Some(PssHash::Sha512)) => Some(&signature::RSA_PSS_2048_8192_SHA512),
        _ => None,
    };
    if let KeyKind::Rsa { .. } = key {
        let min = match sig {
            S::RsaPkcs1Sha384 | S::RsaPss(_) => 2048,
            _ => 1024,
        };
        return rsa.map(|a| (a, min));
    }
    let algorithm: &'static dyn VerificationAlgorithm = match (sig, key) {
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
    };
    Some((algorithm, 0))
}
