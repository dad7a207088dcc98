//! The independent verdict: the chosen path is verified again by rustls-webpki, the verifier rustls
//! uses. Whatever webpki rejects must never pass silently.

use std::time::Duration;

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::chain::{Built, PathEnd};
use super::finding::{Code, Finding};
use super::hostname::{self, HostName, NameMatch};
use super::{CheckOptions, Profile};

/// Runs webpki on the chosen path; returns `trust.rejected` if it refuses.
pub(super) fn webpki_verdict(built: &Built, options: &CheckOptions) -> Option<Finding> {
    let path = built.chosen.as_ref()?;
    if !built.has_leaf || options.at < 0 {
        return None; // a CA-only upload has no end-entity for webpki to verify
    }
    let leaf = &built.nodes[path.nodes[0]].cert;
    let anchor_der;
    let anchor = match path.end {
        PathEnd::Anchor => {
            let top = &built.nodes[*path.nodes.last()?].cert;
            if path.nodes.len() == 1 {
                return None; // the leaf itself is trusted (pinned with --roots): nothing to verify
            }
            anchor_der = CertificateDer::from(top.der.as_slice());
            match webpki::anchor_from_trusted_cert(&anchor_der) {
                Ok(anchor) => anchor,
                Err(e) => {
                    return Some(rejected(
                        leaf,
                        &format!("the root cannot be used as a trust anchor: {e}"),
                    ));
                }
            }
        }
        PathEnd::PublicRoot(index) => webpki_roots::TLS_SERVER_ROOTS.get(index)?.clone(),
        PathEnd::UntrustedRoot | PathEnd::Incomplete => return None,
    };
    let below_anchor = match path.end {
        PathEnd::Anchor => &path.nodes[1..path.nodes.len() - 1],
        _ => &path.nodes[1..],
    };
    let intermediates: Vec<CertificateDer<'_>> = below_anchor
        .iter()
        .map(|i| CertificateDer::from(built.nodes[*i].cert.der.as_slice()))
        .collect();
    let leaf_der = CertificateDer::from(leaf.der.as_slice());
    let end_entity = match webpki::EndEntityCert::try_from(&leaf_der) {
        Ok(ee) => ee,
        Err(e) => return Some(rejected(leaf, &format!("the leaf cannot be parsed: {e}"))),
    };
    let time = UnixTime::since_unix_epoch(Duration::from_secs(options.at as u64));
    if let Err(e) = end_entity.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &[anchor],
        &intermediates,
        time,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    ) {
        return Some(rejected(leaf, &format!("{e:?}")));
    }
    let host = options.host.as_ref()?;
    let sip = options.profile == Profile::SipMutualTls;
    if matches!(
        hostname::find_match(leaf, host, sip),
        Some(NameMatch::SipUri(_))
    ) {
        return None; // RFC 5922 URI matching is not something webpki does
    }
    let server_name = match host {
        HostName::Dns(dns) => ServerName::try_from(dns.as_str()).ok()?.to_owned(),
        HostName::Ip(ip) => ServerName::IpAddress((*ip).into()),
    };
    end_entity
        .verify_is_valid_for_subject_name(&server_name)
        .err()
        .map(|e| rejected(leaf, &format!("for {host}: {e:?}")))
}

fn rejected(leaf: &super::cert::Certificate, reason: &str) -> Finding {
    Finding::new(
        Code::TrustRejected,
        Some(leaf.sha256),
        format!(
            "rustls-webpki rejects the chain of \"{}\": {reason}",
            leaf.display_name()
        ),
    )
}
