//! Reading a certificate: DER parsed with x509-parser into the model, names, SANs, keys and signature algorithms as the engine compares them.

use super::*;

pub(super) const OID_SHA256: Oid<'static> = oid!(2.16.840.1.101.3.4.2.1);

pub(super) const OID_SHA384: Oid<'static> = oid!(2.16.840.1.101.3.4.2.2);

pub(super) const OID_SHA512: Oid<'static> = oid!(2.16.840.1.101.3.4.2.3);

pub(super) const OID_AIA_CA_ISSUERS: Oid<'static> = oid!(1.3.6.1.5.5.7.48.2);

pub(super) fn extension_summary(
    ext: &x509_parser::extensions::X509Extension<'_>,
) -> ExtensionSummary {
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
        value: crate::engine::text::escaped(&value),
    }
}

/// Two AlgorithmIdentifiers are the same: the same OID and the same parameters, byte for byte (an
/// explicit NULL is not an absent parameter), as openssl's `X509_ALGOR_cmp` compares them.
pub(super) fn same_algorithm(
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

pub(super) fn first_attr<'a>(
    mut it: impl Iterator<Item = &'a x509_parser::x509::AttributeTypeAndValue<'a>>,
) -> Option<String> {
    it.next().map(|a| attr_string(a))
}

pub(super) fn attr_string(a: &x509_parser::x509::AttributeTypeAndValue<'_>) -> String {
    match a.as_str() {
        Ok(s) => s.to_string(),
        Err(_) => String::from_utf8_lossy(a.as_slice()).into_owned(),
    }
}

pub(super) fn name_to_string(name: &X509Name<'_>) -> String {
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

pub(super) fn san_entry(name: &GeneralName<'_>) -> San {
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

pub(super) fn name_subtree(name: &GeneralName<'_>) -> NameSubtree {
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
            shown: crate::engine::text::escaped(&name_to_string(d)),
        },
        other => NameSubtree::Other(format!("{other:?}")),
    }
}

pub(super) fn key_kind(x509: &X509Certificate<'_>) -> KeyKind {
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
pub(super) fn rsa_modulus_bits(modulus: &[u8]) -> usize {
    match modulus.iter().position(|b| *b != 0) {
        Some(i) => (modulus.len() - i) * 8 - modulus[i].leading_zeros() as usize,
        None => 0,
    }
}

pub(super) fn signature_algorithm(x509: &X509Certificate<'_>) -> SignatureAlgorithm {
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
pub(super) fn pss_hash(
    params: Option<&x509_parser::der_parser::asn1_rs::Any<'_>>,
) -> Option<PssHash> {
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
