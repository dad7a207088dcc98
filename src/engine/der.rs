//! Strict DER (X.690 §10, §11) for a certificate, field by field: RFC 5280 §4.1 says a certificate is
//! DER-encoded, and strict verifiers (rustls-webpki, pyca) refuse one that is not, while lenient ones
//! (OpenSSL, x509-parser, which reads BER) accept it. [`problem`] names the first field that breaks a
//! rule, for `rfc5280.der-encoding`.
//!
//! Written by hand: x509-parser is lenient by design, and rustls-webpki's refusal does not say which
//! field is wrong. Only what DER adds to BER is checked here (the certificate already parsed):
//! definite, shortest lengths; primitive strings; BOOLEAN as 00/FF; shortest INTEGERs; BIT STRINGs with
//! zero padding; SET OF sorted; DEFAULT values left out (an extension's `critical FALSE`); named bit
//! lists (keyUsage) without trailing zero bits; UTCTime and GeneralizedTime in their DER form; and the
//! AlgorithmIdentifier parameters RFC 3279 §2.3.1 and RFC 5758 §3.2 fix (an RSA key's NULL, none for
//! ECDSA signatures).

/// One TLV: its tag byte, whether it is constructed, its contents, and the whole encoding.
struct Tlv<'a> {
    tag: u8,
    contents: &'a [u8],
    whole: &'a [u8],
}

impl Tlv<'_> {
    fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }
}

/// Reads one TLV from the start of `bytes` with a DER length; returns it and the rest.
fn read(bytes: &[u8]) -> Result<(Tlv<'_>, &[u8]), String> {
    let (&tag, rest) = bytes.split_first().ok_or("the encoding ends early")?;
    if tag & 0x1f == 0x1f {
        return Err("a high tag number form, which no certificate field uses".into());
    }
    let (&first, mut rest) = rest.split_first().ok_or("the encoding ends early")?;
    let len = match first {
        0x80 => return Err("an indefinite length (BER, not DER)".into()),
        n if n < 0x80 => usize::from(n),
        n => {
            let count = usize::from(n & 0x7f);
            if count > 4 || rest.len() < count {
                return Err("a length that does not fit".into());
            }
            let (digits, after) = rest.split_at(count);
            if digits[0] == 0 {
                return Err("a length with leading zero bytes (DER uses the shortest form)".into());
            }
            let len = digits
                .iter()
                .fold(0usize, |acc, d| (acc << 8) | usize::from(*d));
            if len < 0x80 {
                return Err(format!(
                    "the length {len} in long form (DER writes lengths under 128 in one byte)"
                ));
            }
            rest = after;
            len
        }
    };
    if rest.len() < len {
        return Err("a length longer than what follows".into());
    }
    let header = bytes.len() - rest.len();
    let whole = &bytes[..header + len];
    Ok((
        Tlv {
            tag,
            contents: &rest[..len],
            whole,
        },
        &rest[len..],
    ))
}

/// Every TLV in `bytes`, which must be nothing but TLVs.
fn read_all(mut bytes: &[u8]) -> Result<Vec<Tlv<'_>>, String> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (tlv, rest) = read(bytes)?;
        out.push(tlv);
        bytes = rest;
    }
    Ok(out)
}

/// The generic DER rules, recursively through constructed values.
fn check(tlv: &Tlv<'_>) -> Result<(), String> {
    let universal = tlv.tag & 0xc0 == 0;
    if tlv.constructed() {
        let children = read_all(tlv.contents)?;
        if universal
            && matches!(
                tlv.tag & 0x1f,
                0x03 | 0x04 | 0x0c | 0x13 | 0x16 | 0x17 | 0x18
            )
        {
            return Err("a string in constructed form (BER, not DER)".into());
        }
        if tlv.tag == 0x31 {
            // SET OF: elements in ascending order of their encodings (X.690 §11.6).
            if children.windows(2).any(|w| w[0].whole > w[1].whole) {
                return Err("a SET whose elements are not sorted (DER sorts them)".into());
            }
        }
        return children.iter().try_for_each(check);
    }
    if !universal {
        return Ok(());
    }
    let c = tlv.contents;
    match tlv.tag {
        0x01 if c.len() != 1 || (c[0] != 0 && c[0] != 0xff) => {
            Err("a BOOLEAN that is not 00 or FF".into())
        }
        0x02 | 0x0a if c.is_empty() => Err("an empty INTEGER".into()),
        0x02 | 0x0a
            if c.len() > 1 && ((c[0] == 0 && c[1] < 0x80) || (c[0] == 0xff && c[1] >= 0x80)) =>
        {
            Err("an INTEGER with a redundant leading byte (DER uses the shortest form)".into())
        }
        0x03 => bit_string(c),
        0x05 if !c.is_empty() => Err("a NULL with contents".into()),
        0x06 => {
            let bad_start = c.is_empty()
                || c.last().is_some_and(|b| b & 0x80 != 0)
                || c.iter()
                    .enumerate()
                    .any(|(i, b)| *b == 0x80 && (i == 0 || c[i - 1] & 0x80 == 0));
            if bad_start {
                Err("an OBJECT IDENTIFIER not in its shortest form".into())
            } else {
                Ok(())
            }
        }
        0x17 if !(c.len() == 13 && c[12] == b'Z') => {
            Err("a UTCTime not in the form YYMMDDHHMMSSZ".into())
        }
        0x18 if !(c.len() == 15 && c[14] == b'Z') => {
            Err("a GeneralizedTime not in the form YYYYMMDDHHMMSSZ".into())
        }
        _ => Ok(()),
    }
}

fn bit_string(c: &[u8]) -> Result<(), String> {
    let Some((&unused, bits)) = c.split_first() else {
        return Err("an empty BIT STRING".into());
    };
    if unused > 7 || (bits.is_empty() && unused != 0) {
        return Err("a BIT STRING with an impossible count of unused bits".into());
    }
    if let Some(last) = bits.last()
        && last & ((1u8 << unused) - 1) != 0
    {
        return Err("a BIT STRING whose unused bits are not zero".into());
    }
    Ok(())
}

/// A named bit list (keyUsage): DER drops trailing zero bits (X.690 §11.2.2).
fn named_bits(value: &[u8]) -> Result<(), String> {
    let (tlv, _) = read(value)?;
    if let Some((&unused, bits)) = tlv.contents.split_first()
        && let Some(last) = bits.last()
        && (last >> unused) & 1 == 0
    {
        return Err(
            "a named bit list that ends with zero bits (DER drops trailing zero bits)".into(),
        );
    }
    Ok(())
}

const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// ecdsa-with-SHA224/256/384/512 share this prefix (1.2.840.10045.4.3).
const ECDSA_WITH_SHA2: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03];
const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];

/// The AlgorithmIdentifier rules: ECDSA signature algorithms have no parameters (RFC 5758 §3.2).
fn signature_algorithm(alg: &Tlv<'_>) -> Result<(), String> {
    let parts = read_all(alg.contents)?;
    if let Some(oid) = parts.first()
        && oid.contents.starts_with(ECDSA_WITH_SHA2)
        && parts.len() > 1
    {
        return Err("ECDSA with parameters, which RFC 5758 §3.2 says to omit".into());
    }
    Ok(())
}

/// The first DER problem of the certificate `der`, naming the field: `None` when it is DER.
pub fn problem(der: &[u8]) -> Option<String> {
    let in_field = |field: &str, why: String| Some(format!("{field}: {why}"));
    let (cert, _) = match read(der) {
        Ok(x) => x,
        Err(why) => return in_field("the certificate's outer SEQUENCE", why),
    };
    let outer = match read_all(cert.contents) {
        Ok(parts) if parts.len() == 3 => parts,
        Ok(_) => return in_field("the certificate", "not three parts".into()),
        Err(why) => return in_field("the certificate", why),
    };
    if let Err(why) = signature_algorithm(&outer[1]).and_then(|()| check(&outer[1])) {
        return in_field("the signatureAlgorithm", why);
    }
    if let Err(why) = check(&outer[2]) {
        return in_field("the signature", why);
    }
    let fields = match read_all(outer[0].contents) {
        Ok(fields) => fields,
        Err(why) => return in_field("the TBSCertificate", why),
    };
    // Names of the fields, in order; version and extensions are recognised by their tags.
    let mut names = [
        "serialNumber",
        "signature",
        "issuer",
        "validity",
        "subject",
        "subjectPublicKeyInfo",
    ]
    .into_iter();
    for field in &fields {
        let name = match field.tag {
            0xa0 => "version",
            0xa3 => "extensions",
            0x81 => "issuerUniqueID",
            0x82 => "subjectUniqueID",
            _ => names.next().unwrap_or("a field after subjectPublicKeyInfo"),
        };
        if name == "extensions" {
            if let Some(why) = extensions(field) {
                return Some(why);
            }
            continue;
        }
        let specific = match name {
            "signature" => signature_algorithm(field),
            "subjectPublicKeyInfo" => spki(field),
            _ => Ok(()),
        };
        if let Err(why) = specific.and_then(|()| check(field)) {
            return in_field(&format!("the {name} field"), why);
        }
    }
    None
}

/// SubjectPublicKeyInfo: an RSA key's AlgorithmIdentifier has NULL parameters (RFC 3279 §2.3.1).
fn spki(field: &Tlv<'_>) -> Result<(), String> {
    let parts = read_all(field.contents)?;
    let alg = parts.first().ok_or("empty")?;
    let alg_parts = read_all(alg.contents)?;
    if let Some(oid) = alg_parts.first()
        && oid.contents == RSA_ENCRYPTION
        && alg_parts.get(1).is_none_or(|p| p.tag != 0x05)
    {
        return Err("an RSA key without the NULL parameters RFC 3279 §2.3.1 requires".into());
    }
    Ok(())
}

/// `[3] { SEQUENCE OF Extension }`: each extension's own DER, naming it.
fn extensions(field: &Tlv<'_>) -> Option<String> {
    let fail = |name: &str, why: String| Some(format!("the {name} extension: {why}"));
    let list = match read(field.contents) {
        Ok((list, _)) => list,
        Err(why) => return Some(format!("the extensions: {why}")),
    };
    let each = match read_all(list.contents) {
        Ok(each) => each,
        Err(why) => return Some(format!("the extensions: {why}")),
    };
    for ext in each {
        let parts = match read_all(ext.contents) {
            Ok(parts) => parts,
            Err(why) => return Some(format!("an extension: {why}")),
        };
        let Some(oid) = parts.first() else {
            return Some("an empty extension".into());
        };
        let name = extension_name(oid.contents);
        if parts.len() == 3 && parts[1].tag == 0x01 && parts[1].contents == [0x00] {
            return fail(
                &name,
                "it encodes critical FALSE, the DEFAULT, which DER leaves out".into(),
            );
        }
        if let Err(why) = parts
            .iter()
            .take(parts.len().saturating_sub(1))
            .try_for_each(check)
        {
            return fail(&name, why);
        }
        // extnValue: an OCTET STRING holding the extension's own DER value.
        let Some(value) = parts.last().filter(|v| v.tag == 0x04) else {
            return fail(&name, "no OCTET STRING value".into());
        };
        let inner = read(value.contents).and_then(|(tlv, rest)| {
            if rest.is_empty() {
                Ok(tlv)
            } else {
                Err("bytes after its value".into())
            }
        });
        let checked = inner.and_then(|tlv| check(&tlv));
        let checked = if oid.contents == KEY_USAGE {
            checked.and_then(|()| named_bits(value.contents))
        } else {
            checked
        };
        if let Err(why) = checked {
            return fail(&name, why);
        }
    }
    None
}

/// An extension's short name (keyUsage, certificatePolicies, …) or its OID.
fn extension_name(oid: &[u8]) -> String {
    let oid = x509_parser::der_parser::oid::Oid::new(std::borrow::Cow::Borrowed(oid));
    x509_parser::objects::oid2sn(&oid, x509_parser::objects::oid_registry())
        .map(str::to_string)
        .unwrap_or_else(|_| oid.to_id_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_integers_booleans_bits() {
        let (tlv, _) = read(&[0x02, 0x02, 0x00, 0x7f]).expect("tlv");
        assert!(check(&tlv).unwrap_err().contains("INTEGER"));
        let (tlv, _) = read(&[0x02, 0x02, 0x00, 0x80]).expect("tlv");
        assert!(check(&tlv).is_ok());
        assert!(
            read(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5])
                .err()
                .unwrap()
                .contains("long form")
        );
        assert!(
            read(&[0x30, 0x80, 0, 0])
                .err()
                .unwrap()
                .contains("indefinite")
        );
        let (tlv, _) = read(&[0x01, 0x01, 0x01]).expect("tlv");
        assert!(check(&tlv).unwrap_err().contains("BOOLEAN"));
        let (tlv, _) = read(&[0x03, 0x02, 0x01, 0x03]).expect("tlv");
        assert!(check(&tlv).unwrap_err().contains("unused bits"));
        // keyUsage digitalSignature (bit 0): 03 02 07 80 is DER; 03 02 06 80 keeps a zero bit.
        assert!(named_bits(&[0x03, 0x02, 0x07, 0x80]).is_ok());
        assert!(named_bits(&[0x03, 0x02, 0x06, 0x80]).is_err());
        let (tlv, _) = read(&[0x31, 0x06, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01]).expect("tlv");
        assert!(check(&tlv).unwrap_err().contains("SET"));
    }
}
