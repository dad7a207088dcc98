//! The public (Mozilla) trust anchors from webpki-roots, in the form path building needs.

use std::sync::OnceLock;

use x509_parser::prelude::{FromDer as _, X509Name};

use super::cert::KeyKind;
use super::signature;

/// A public root known by name and key only (webpki-roots carries no certificates).
#[derive(Debug)]
pub struct PublicAnchor {
    pub subject: String,
    pub subject_key: String,
    /// The SubjectPublicKeyInfo DER (with its SEQUENCE header).
    pub spki: Vec<u8>,
    pub key: KeyKind,
    pub public_key: Vec<u8>,
    /// Index in `webpki_roots::TLS_SERVER_ROOTS`.
    pub index: usize,
}

/// The Mozilla root set, parsed once (it is constant data compiled into the binary).
pub fn public_anchors() -> &'static [PublicAnchor] {
    static ANCHORS: OnceLock<Vec<PublicAnchor>> = OnceLock::new();
    ANCHORS.get_or_init(|| {
        webpki_roots::TLS_SERVER_ROOTS
            .iter()
            .enumerate()
            .filter_map(|(index, anchor)| {
                let subject_der = der_sequence(anchor.subject.as_ref());
                let spki = der_sequence(anchor.subject_public_key_info.as_ref());
                let (_, name) = X509Name::from_der(&subject_der).ok()?;
                let (key, public_key) = signature::spki_key(&spki)?;
                Some(PublicAnchor {
                    subject: name.to_string(),
                    subject_key: super::cert::name_key(&name),
                    spki,
                    key,
                    public_key,
                    index,
                })
            })
            .collect()
    })
}

/// Wraps DER contents in a SEQUENCE header (webpki-roots stores names and SPKIs without it).
pub(crate) fn der_sequence(contents: &[u8]) -> Vec<u8> {
    let len = contents.len();
    let mut out = vec![0x30];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mozilla_root_is_usable() {
        let anchors = public_anchors();
        assert_eq!(anchors.len(), webpki_roots::TLS_SERVER_ROOTS.len());
        assert!(anchors.iter().any(|a| a.subject.contains("ISRG Root X1")));
    }
}
