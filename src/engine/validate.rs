//! Our own RFC 5280 §6.1 basic path validation of one path, independent of path building.
//!
//! It is the second opinion where rustls-webpki has none: a CA-only chain (a Genesys BYOC Premises
//! certificate-authority upload has no end-entity, and webpki verifies end-entities only), and the
//! judge of whether a webpki refusal is RFC 5280 or only webpki's own policy (`trust.rustls-policy`).
//! It re-verifies every signature with the working public key, so that no path is judged by the path
//! builder's bookkeeping alone.

use super::cert::{Certificate, KeyKind};
use super::chain::{PathEnd, PathView};
use super::signature::{self, SignatureCheck};
use super::trust::public_anchors;

/// Validates `view`'s path at `at` (Unix seconds). A CA-only path (`has_leaf` false) is validated as
/// the path to an intermediate: its lowest certificate must itself be fit to issue certificates.
/// Returns why the path fails, in words.
pub fn validate(view: PathView<'_>, at: i64) -> Result<(), String> {
    let (mut working_name, mut working_key, below) = anchor_of(&view)?;
    let n = below.len();
    let mut max_path_length = n;
    // Name constraints accumulated from the CAs above (RFC 5280 §6.1.3 (b), (c)).
    let mut constraints: Vec<&Certificate> = Vec::new();
    for (i, &node) in below.iter().enumerate() {
        let cert = view.cert(node);
        let name = cert.display_name();
        let last = i + 1 == n;
        // Mutation testing: the rules below that the checks also apply (a CA flag, path length, the
        // name-constraint exemption of self-issued CAs, who acts as a CA) leave mutants unkilled.
        // This validation runs only when the checks found no error, so it disagrees with them only
        // where the checks would too; what is its own (signatures with the working key, the public
        // root by index, validity, issuer names) is killed (docs/DEVELOPMENT.md).
        let acts_as_ca = !last || !view.has_leaf;
        basic_checks(cert, &name, &working_key, &working_name, at)?;
        // (b), (c): self-issued intermediates are exempt; the last certificate never is.
        if last || !cert.is_self_issued() {
            for ca in &constraints {
                if let Some(constraint) = &ca.name_constraints
                    && let Some((shown, _)) = super::constraints::violation(cert, constraint)
                {
                    return Err(format!(
                        "\"{name}\" names {shown}, outside the name constraints of \"{}\"",
                        ca.display_name()
                    ));
                }
            }
        }
        // §6.1.5 (f) / §6.1.4 (o): unrecognised critical extensions.
        if let Some(oid) = cert.unknown_critical_extensions.first() {
            return Err(format!(
                "\"{name}\" has an unrecognised critical extension {oid}"
            ));
        }
        if acts_as_ca {
            ca_checks(cert, &name, last, &mut max_path_length)?;
            if cert.name_constraints.is_some() {
                constraints.push(cert);
            }
        }
        // (c)-(f) of §6.1.4: the next certificate is checked with this one's name and key.
        working_name = cert.subject_key.clone();
        working_key = (cert.key.clone(), cert.public_key.clone());
    }
    Ok(())
}

/// The working name and key a path starts from, and its certificates below the anchor (top first).
type Start = (String, (KeyKind, Vec<u8>), Vec<usize>);

/// The trust anchor's name and key (RFC 5280 §6.1.1 (d)) and the certificates below it, top first.
fn anchor_of(view: &PathView<'_>) -> Result<Start, String> {
    let path = view.path;
    match path.end {
        PathEnd::Anchor => {
            let (&top, rest) = path
                .nodes
                .split_last()
                .ok_or_else(|| "the path is empty".to_string())?;
            let anchor = view.cert(top);
            Ok((
                anchor.subject_key.clone(),
                (anchor.key.clone(), anchor.public_key.clone()),
                rest.iter().rev().copied().collect(),
            ))
        }
        PathEnd::PublicRoot(index) => {
            let anchor = public_anchors()
                .iter()
                .find(|a| a.index == index)
                .ok_or_else(|| "the public root is unknown".to_string())?;
            Ok((
                anchor.subject_key.clone(),
                (anchor.key.clone(), anchor.public_key.clone()),
                path.nodes.iter().rev().copied().collect(),
            ))
        }
        PathEnd::UntrustedRoot | PathEnd::Incomplete => {
            Err("the path does not end at a trust anchor".into())
        }
    }
}

/// RFC 5280 §6.1.3 (a): the signature with the working public key, one signature algorithm, the
/// validity, the issuer name.
fn basic_checks(
    cert: &Certificate,
    name: &str,
    (kind, key): &(KeyKind, Vec<u8>),
    working_name: &str,
    at: i64,
) -> Result<(), String> {
    // (a)(1): the signature verifies with the working public key.
    match signature::verify(cert, kind, key) {
        SignatureCheck::Valid => {}
        SignatureCheck::Invalid => {
            return Err(format!("the signature of \"{name}\" does not verify"));
        }
        SignatureCheck::Unverifiable(why) => {
            return Err(format!(
                "the signature of \"{name}\" cannot be verified: {}",
                why.reason()
            ));
        }
    }
    // RFC 5280 §4.1.1.2: signatureAlgorithm MUST be the same as the TBS signature field (openssl:
    // error 78; rustls-webpki refuses it too).
    if cert.signature_algorithms_differ {
        return Err(format!(
            "\"{name}\" names one signature algorithm outside its signed part and another inside"
        ));
    }
    // (a)(2) validity, (a)(4) issuer name.
    if !cert.is_valid_at(at) {
        return Err(format!("\"{name}\" is not valid at the validation time"));
    }
    if cert.issuer_key != working_name {
        return Err(format!(
            "the issuer name of \"{name}\" is not the subject of the certificate above"
        ));
    }
    Ok(())
}

/// RFC 5280 §6.1.4 (k)-(n) for a certificate that acts as a CA: the CA flag, the path length (which
/// it updates), keyCertSign.
fn ca_checks(
    cert: &Certificate,
    name: &str,
    last: bool,
    max_path_length: &mut usize,
) -> Result<(), String> {
    // (k): a v3 certificate must be a CA (basicConstraints cA TRUE).
    if cert.version >= 3 && !cert.is_ca() {
        return Err(format!("\"{name}\" is not a CA certificate"));
    }
    // (l): self-issued certificates do not count against the path length.
    if !last {
        if !cert.is_self_issued() {
            if *max_path_length == 0 {
                return Err(format!(
                    "the path length constraint of a CA above \"{name}\" is exceeded"
                ));
            }
            *max_path_length -= 1;
        }
    } else if !cert.is_self_issued() && *max_path_length == 0 {
        return Err(format!(
            "the path length constraint of a CA above \"{name}\" leaves it no room to issue"
        ));
    }
    // (m)
    if let Some(limit) = cert.basic_constraints.and_then(|bc| bc.path_len) {
        *max_path_length = (*max_path_length).min(limit as usize);
    }
    // (n)
    if cert.key_usage.is_some_and(|ku| !ku.key_cert_sign()) {
        return Err(format!("the keyUsage of \"{name}\" lacks keyCertSign"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::engine::cert::Certificate;
    use crate::engine::chain::{Node, Path};

    fn ca(
        name: &str,
        issuer: Option<(&rcgen::CertificateParams, &rcgen::KeyPair)>,
    ) -> (rcgen::CertificateParams, rcgen::KeyPair, Vec<u8>) {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign];
        params.not_before = rcgen::date_time_ymd(2026, 1, 1);
        params.not_after = rcgen::date_time_ymd(2036, 1, 1);
        let key = rcgen::KeyPair::generate().expect("key");
        let der = match issuer {
            Some((p, k)) => params.signed_by(&key, &rcgen::Issuer::from_params(p, k)),
            None => params.self_signed(&key),
        }
        .expect("sign")
        .der()
        .to_vec();
        (params, key, der)
    }

    /// Name constraints of every form bind the CAs below (RFC 5280 §6.1.3 (b)): here a URI host. The
    /// validation refuses a CA named outside them on its own, as it must for a CA-only chain, where
    /// the checks are the only other judge.
    #[test]
    fn name_constraints_bind_the_cas_below() {
        let (root_params, root_key, root_der) = ca("Root", None);
        let (mut params, key, _) = ca("Constrained", Some((&root_params, &root_key)));
        // nameConstraints, critical: permittedSubtrees [0] { GeneralSubtree { URI ".example.com" } }.
        let uri = [&[0x86, 12][..], b".example.com"].concat();
        let subtree = [&[0x30, uri.len() as u8][..], &uri].concat();
        let permitted = [&[0xa0, subtree.len() as u8][..], &subtree].concat();
        let value = [&[0x30, permitted.len() as u8][..], &permitted].concat();
        let mut ext = rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 30], value);
        ext.set_criticality(true);
        params.custom_extensions.push(ext);
        let constrained_der = params
            .signed_by(&key, &rcgen::Issuer::from_params(&root_params, &root_key))
            .expect("sign")
            .der()
            .to_vec();
        let at = 1_780_272_000;
        for (uri, fits) in [
            ("https://pki.example.com/", true),
            ("https://pki.example.net/", false),
        ] {
            let (mut sub, sub_key, _) = ca("Sub", None);
            sub.subject_alt_names = vec![rcgen::SanType::URI(uri.try_into().expect("uri"))];
            let sub_der = sub
                .signed_by(&sub_key, &rcgen::Issuer::from_params(&params, &key))
                .expect("sign")
                .der()
                .to_vec();
            let nodes = [
                node(&sub_der, false),
                node(&constrained_der, false),
                node(&root_der, true),
            ];
            let path = Path {
                nodes: vec![0, 1, 2],
                links: vec![SignatureCheck::Valid; 2],
                end: PathEnd::Anchor,
            };
            let view = PathView {
                nodes: &nodes,
                path: &path,
                has_leaf: false,
            };
            match validate(view, at) {
                Ok(()) => assert!(fits, "{uri} passed"),
                Err(why) => {
                    assert!(!fits, "{uri}: {why}");
                    assert!(why.contains("outside the name constraints"), "{why}");
                }
            }
        }
    }

    fn node(der: &[u8], trusted: bool) -> Node {
        Node {
            cert: Arc::new(Certificate::from_der(der, "test", false).expect("parse")),
            in_input: true,
            trusted,
        }
    }

    /// The validation re-checks every signature itself: a path handed to it with a link that does not
    /// hold (whatever the path builder recorded) is refused, and a true one passes.
    #[test]
    fn every_link_is_verified_again() {
        let (root_params, root_key, root_der) = ca("Root", None);
        let (_, _, inter_der) = ca("Inter", Some((&root_params, &root_key)));
        let (_, _, stranger_root) = ca("Root", None); // same name, another key
        let at = 1_780_272_000;
        let path = Path {
            nodes: vec![0, 1],
            links: vec![SignatureCheck::Valid],
            end: PathEnd::Anchor,
        };
        let good = [node(&inter_der, false), node(&root_der, true)];
        let view = PathView {
            nodes: &good,
            path: &path,
            has_leaf: false,
        };
        assert_eq!(validate(view, at), Ok(()));
        let forged = [node(&inter_der, false), node(&stranger_root, true)];
        let view = PathView {
            nodes: &forged,
            path: &path,
            has_leaf: false,
        };
        let why = validate(view, at).unwrap_err();
        assert!(why.contains("does not verify"), "{why}");
        // Outside its validity, or below a CA that may not sign: refused too.
        let view = PathView {
            nodes: &good,
            path: &path,
            has_leaf: false,
        };
        assert!(validate(view, 1_700_000_000).is_err());
    }
}
