//! The independent verdict: the chosen path is verified again by rustls-webpki, the verifier rustls
//! uses. Whatever webpki rejects must never pass silently.

use std::time::Duration;

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::chain::{PathEnd, PathView};
use super::finding::{Code, Finding};
use super::hostname::{self, HostName, NameMatch};
use super::validate;
use super::{CheckOptions, Profile};

/// The independent verdict on one path: rustls-webpki when there is a leaf; our own RFC 5280
/// validation for a CA-only path (webpki verifies end-entities only). A webpki refusal that RFC 5280
/// validation does not share, for a reason that is webpki's own policy, is `trust.rustls-policy`: an
/// error too (a refusal by the verifier far ends are built on is never downgraded), whose words say
/// that RFC 5280 alone would accept the path.
pub(super) fn verdict(view: PathView<'_>, options: &CheckOptions) -> Vec<Finding> {
    let mut findings: Vec<Finding> = server_verdict(view, options).into_iter().collect();
    findings.extend(client_verdict(view, options));
    findings
}

/// With `sip-mutual-tls`, the leaf is also a TLS client certificate: each SBC connects to the other
/// and shows it, and the far end verifies it as a client's (RFC 5922 §7.3, RFC 5280 §4.2.1.12:
/// clientAuth along the path). rustls-webpki's verification for client authentication; a refusal is
/// `trust.client-rejected`, saying it is the client side that fails.
fn client_verdict(view: PathView<'_>, options: &CheckOptions) -> Option<Finding> {
    if !options.profile.mutual() || !view.has_leaf {
        return None;
    }
    // A path that reaches no anchor gets no verdict: webpki_path returns None for it.
    let refusal = webpki_path(view, options, webpki::KeyUsage::client_auth())?;
    let leaf = view.cert(view.path.nodes[0]);
    let reason = match &refusal {
        Refusal::Webpki(webpki::Error::RequiredEkuNotFoundContext(_)) => {
            "the Extended Key Usage of the leaf or of a CA above it does not allow TLS client authentication (clientAuth)".to_string()
        }
        Refusal::Webpki(e) => webpki_reason(e),
        Refusal::Other(reason) => reason.clone(),
    };
    Some(Finding::new(
        Code::TrustClientRejected,
        Some(leaf.sha256),
        format!(
            "as a TLS client certificate ({}), rustls-webpki rejects the chain of \"{}\": {reason}",
            if options.profile == Profile::TeamsDirectRouting {
                "Teams Direct Routing: Microsoft's SIP proxies verify it when the SBC connects"
            } else {
                "SIP mutual TLS: the far end verifies it when this side connects"
            },
            leaf.display_name()
        ),
    ))
}

fn server_verdict(view: PathView<'_>, options: &CheckOptions) -> Option<Finding> {
    let path = view.path;
    if !path.reaches_anchor() {
        return None;
    }
    if !view.has_leaf {
        let top = view.cert(path.nodes[0]);
        return validate::validate(view, options.at).err().map(|reason| {
            Finding::new(
                Code::TrustRejected,
                Some(top.sha256),
                format!(
                    "RFC 5280 path validation (the independent check for CA certificates) rejects \"{}\": {reason}",
                    top.display_name()
                ),
            )
        });
    }
    let refusal = webpki_verdict(view, options)?;
    // webpki reports the highest-ranked error of all the paths it tried, so the refusal is attributed
    // from the path itself: the policy shapes below, an error webpki can report for them, and our own
    // RFC 5280 validation passing. Anything else stays `trust.rejected`.
    let Refusal::Webpki(error) = &refusal else {
        return Some(refusal.finding(view, options));
    };
    let attributable = matches!(
        error,
        webpki::Error::CaUsedAsEndEntity
            | webpki::Error::PathLenConstraintViolated
            | webpki::Error::InvalidSignatureForPublicKey
            | webpki::Error::UnknownIssuer
    );
    let mut policy = Vec::new();
    let leaf = view.cert(path.nodes[0]);
    if leaf.is_ca() {
        policy.push("a CA certificate (basicConstraints CA:TRUE) is used as the leaf");
    }
    if names_match_only_as_rfc5280_compares(view) {
        policy.push(
            "rustls-webpki chains names byte for byte, and here an issuer name matches its issuer's subject only as RFC 5280 §7.1 compares names (string types, letter case or spaces differ; OpenSSL accepts it)",
        );
    }
    if self_issued_exceed_path_length(view) {
        policy.push(
            "rustls-webpki counts self-issued intermediates against pathLenConstraint, which RFC 5280 §6.1.4 (l) does not",
        );
    }
    // An intermediate whose extendedKeyUsage leaves out serverAuth is refused by webpki and OpenSSL
    // alike (not RFC 5280, so `validate` does not look): the refusal is then not webpki's policy alone.
    let eku_refused = path.nodes[1..].iter().any(|&i| {
        view.cert(i)
            .extended_key_usage
            .as_ref()
            .is_some_and(|eku| !eku.server_auth && !eku.any)
    });
    // Mutation testing: `||` → `&&` between the first two terms is not killed. The two differ only
    // for a webpki refusal whose kind and the policy shapes disagree (one of the four attributable
    // errors on a path with no policy shape that RFC 5280 validation accepts, or another error on a
    // path with one); no such input was made (docs/DEVELOPMENT.md).
    if !attributable
        || policy.is_empty()
        || eku_refused
        || validate::validate(view, options.at).is_err()
    {
        return Some(refusal.finding(view, options));
    }
    Some(Finding::new(
        Code::TrustRustlsPolicy,
        Some(leaf.sha256),
        format!(
            "RFC 5280 validation accepts the chain of \"{}\", but rustls-webpki refuses it by its own policy ({}): {}. Far ends built on rustls will refuse this",
            leaf.display_name(),
            webpki_reason(error),
            policy.join("; ")
        ),
    ))
}

/// Whether some link of the path has an issuer name that equals its issuer's subject as RFC 5280 §7.1
/// compares names (our name key) but not byte for byte (as rustls-webpki compares them).
fn names_match_only_as_rfc5280_compares(view: PathView<'_>) -> bool {
    view.path.nodes.windows(2).any(|w| {
        let (child, issuer) = (view.cert(w[0]), view.cert(w[1]));
        child.issuer_key == issuer.subject_key && child.issuer_der != issuer.subject_der
    })
}

/// Whether some CA's pathLenConstraint is exceeded when self-issued intermediates are counted (as
/// rustls-webpki counts them) but not when they are left out (as RFC 5280 §6.1.4 (l) says).
fn self_issued_exceed_path_length(view: PathView<'_>) -> bool {
    let certs: Vec<_> = view.path.nodes.iter().map(|i| view.cert(*i)).collect();
    (1..certs.len()).any(|position| {
        let Some(limit) = certs[position].basic_constraints.and_then(|bc| bc.path_len) else {
            return false;
        };
        let below = &certs[1..position];
        let all = below.len();
        let counted = below.iter().filter(|c| !c.is_self_issued()).count();
        all > limit as usize && counted <= limit as usize
    })
}

/// Why webpki refuses.
enum Refusal {
    Webpki(webpki::Error),
    Other(String),
}

impl Refusal {
    /// `trust.rejected`; with `sip-mutual-tls`, whose verdict has two sides, it names the server side.
    fn finding(&self, view: PathView<'_>, options: &CheckOptions) -> Finding {
        let leaf = view.cert(view.path.nodes[0]);
        let side = if options.profile.mutual() {
            " as a TLS server certificate"
        } else {
            ""
        };
        let reason = match self {
            Refusal::Webpki(e) => webpki_reason(e),
            Refusal::Other(reason) => reason.clone(),
        };
        Finding::new(
            Code::TrustRejected,
            Some(leaf.sha256),
            format!(
                "rustls-webpki rejects the chain of \"{}\"{side}: {reason}",
                leaf.display_name()
            ),
        )
    }
}

/// Runs webpki on a path with a leaf, as a TLS server's certificate for the host; `None` when it
/// accepts.
fn webpki_verdict(view: PathView<'_>, options: &CheckOptions) -> Option<Refusal> {
    if let Some(refusal) = webpki_path(view, options, webpki::KeyUsage::server_auth()) {
        return Some(refusal);
    }
    // The name check below needs no time (webpki_path, which does, judges nothing before 1970).
    let path = view.path;
    // What follows is webpki's own host-name check, a second opinion: the verdict runs only when
    // our checks found no error, so it shows only where webpki and our RFC 6125 matcher (mutation-
    // tested in hostname.rs) disagree. No input here makes them disagree, so mutants of this guard
    // and below are not killed (docs/DEVELOPMENT.md).
    if path.end == PathEnd::Anchor && path.nodes.len() == 1 {
        return None; // the leaf itself is trusted (pinned with --roots): nothing to verify
    }
    let leaf = view.cert(path.nodes[0]);
    let leaf_der = CertificateDer::from(leaf.der.as_slice());
    let end_entity = webpki::EndEntityCert::try_from(&leaf_der).ok()?;
    let host = options.host.as_ref()?;
    let sip = options.profile == Profile::SipMutualTls;
    let matched = hostname::find_match(leaf, host, sip);
    if matches!(matched, Some(NameMatch::SipUri(_))) {
        return None; // RFC 5922 URI matching is not something webpki does
    }
    if options.profile == Profile::TeamsDirectRouting
        && matched.is_none()
        && hostname::common_name_matches(leaf, host)
    {
        return None; // Teams reads the CN too (teams.cn-only); webpki reads only the SAN
    }
    let server_name = match host {
        HostName::Dns(dns) => ServerName::try_from(dns.as_str()).ok()?.to_owned(),
        HostName::Ip(ip) => ServerName::IpAddress((*ip).into()),
    };
    end_entity
        .verify_is_valid_for_subject_name(&server_name)
        .err()
        .map(|e| Refusal::Other(format!("for {host}: {}", webpki_reason(&e))))
}

/// Runs webpki's path verification for `usage` on a path with a leaf; `None` when it accepts.
fn webpki_path(
    view: PathView<'_>,
    options: &CheckOptions,
    usage: webpki::KeyUsage,
) -> Option<Refusal> {
    let path = view.path;
    if options.at < 0 {
        return None;
    }
    let leaf = view.cert(path.nodes[0]);
    let anchor_der;
    let anchor = match path.end {
        PathEnd::Anchor => {
            let top = view.cert(*path.nodes.last()?);
            if path.nodes.len() == 1 {
                return None; // the leaf itself is trusted (pinned with --roots): nothing to verify
            }
            anchor_der = CertificateDer::from(top.der.as_slice());
            match webpki::anchor_from_trusted_cert(&anchor_der) {
                Ok(anchor) => anchor,
                Err(e) => {
                    return Some(Refusal::Other(format!(
                        "the root cannot be used as a trust anchor: {}",
                        webpki_reason(&e)
                    )));
                }
            }
        }
        PathEnd::PublicRoot(index) => webpki_roots::TLS_SERVER_ROOTS.get(index)?.clone(),
        PathEnd::UntrustedRoot | PathEnd::Incomplete => return None,
    };
    // The anchor is left out of the intermediates. Given to webpki among them too, it changes no
    // verdict (webpki stops at the anchor), so the mutants that keep it (the arm deleted, `-` → `/`)
    // are equivalent (docs/DEVELOPMENT.md).
    let below_anchor = match path.end {
        PathEnd::Anchor => &path.nodes[1..path.nodes.len() - 1],
        _ => &path.nodes[1..],
    };
    let intermediates: Vec<CertificateDer<'_>> = below_anchor
        .iter()
        .map(|i| CertificateDer::from(view.cert(*i).der.as_slice()))
        .collect();
    // rustls-webpki reads no certificate whose contents exceed 65,535 bytes (its TWO_BYTE_DER_SIZE):
    // said as such, not as "not valid DER", which it would report.
    if let Some(big) = path
        .nodes
        .iter()
        .map(|i| view.cert(*i))
        .find(|c| c.der.len() > 0xFFFF + 4)
    {
        return Some(Refusal::Other(format!(
            "\"{}\" is {} bytes, and rustls-webpki reads no certificate larger than 64 KiB (fewer names would fit)",
            big.display_name(),
            big.der.len()
        )));
    }
    let leaf_der = CertificateDer::from(leaf.der.as_slice());
    let end_entity = match webpki::EndEntityCert::try_from(&leaf_der) {
        Ok(ee) => ee,
        Err(e) => {
            return Some(Refusal::Other(format!(
                "the leaf cannot be parsed: {}",
                webpki_reason(&e)
            )));
        }
    };
    let time = UnixTime::since_unix_epoch(Duration::from_secs(options.at as u64));
    // The CRLs, for rustls-webpki's own revocation check along the whole path (a second opinion on
    // `revocation.revoked`); a status it cannot decide is allowed (that is `revocation.unknown`).
    let crls: Vec<webpki::CertRevocationList<'_>> = options
        .crls
        .iter()
        .filter(|c| super::revocation::fit_for_webpki(c, view))
        .filter_map(|c| webpki::BorrowedCertRevocationList::from_der(&c.der).ok())
        .map(webpki::CertRevocationList::from)
        .collect();
    let crl_refs: Vec<&webpki::CertRevocationList<'_>> = crls.iter().collect();
    let revocation = webpki::RevocationOptionsBuilder::new(&crl_refs)
        .ok()
        .map(|b| {
            b.with_depth(webpki::RevocationCheckDepth::Chain)
                .with_status_policy(webpki::UnknownStatusPolicy::Allow)
                .build()
        });
    end_entity
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &[anchor],
            &intermediates,
            time,
            usage,
            revocation,
            None,
        )
        .err()
        .map(Refusal::Webpki)
}

/// webpki's error in words (its Debug names, e.g. `CaUsedAsEndEntity`, are not for admins).
fn webpki_reason(e: &webpki::Error) -> String {
    use webpki::Error as E;
    match e {
        E::BadDer | E::BadDerTime | E::TrailingData(_) => "a certificate is not valid DER".into(),
        E::CaUsedAsEndEntity => "a CA certificate is used as the leaf".into(),
        E::CertExpired { .. } => "a certificate has expired".into(),
        E::CertNotValidYet { .. } => "a certificate is not yet valid".into(),
        E::CertNotValidForName(_) => "the leaf is not valid for that name".into(),
        E::EndEntityUsedAsCa => "an end-entity certificate is used as a CA".into(),
        E::ExtensionValueInvalid => "an extension has an invalid value".into(),
        E::InvalidCertValidity => "a certificate's validity period is invalid".into(),
        E::InvalidSignatureForPublicKey => "a signature does not verify".into(),
        E::NameConstraintViolation => "a name is outside a CA's name constraints".into(),
        E::PathLenConstraintViolated => "a CA's pathLenConstraint is exceeded".into(),
        E::RequiredEkuNotFoundContext(_) => {
            "the leaf's Extended Key Usage does not allow TLS server authentication".into()
        }
        E::UnknownIssuer => "no path to the trust anchor (unknown issuer)".into(),
        E::UnsupportedCertVersion => "a certificate has an unsupported version".into(),
        E::UnsupportedCriticalExtension => {
            "a certificate has an unsupported critical extension".into()
        }
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "a signature algorithm is not supported (SHA-1, MD5, or a weak key)".into()
        }
        E::MaximumPathDepthExceeded => "the chain is too long".into(),
        E::MaximumSignatureChecksExceeded | E::MaximumPathBuildCallsExceeded => {
            "the chain needs too much work to verify".into()
        }
        E::MalformedExtensions => "a certificate's extensions are malformed".into(),
        E::CertRevoked => "a certificate is revoked (a CRL lists it)".into(),
        E::IssuerNotCrlSigner | E::UnknownRevocationStatus => "revocation cannot be checked".into(),
        E::EmptyEkuExtension => "the leaf has an empty Extended Key Usage".into(),
        E::InvalidNetworkMaskConstraint => "a name constraint has an invalid network mask".into(),
        other => format!("refused ({})", webpki_error_name(other)),
    }
}

/// The error's variant name, for the rare errors worded above as "refused".
fn webpki_error_name(e: &webpki::Error) -> String {
    let debug = format!("{e:?}");
    debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("unknown")
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_webpki_error_is_named_by_its_variant() {
        assert_eq!(super::webpki_error_name(&webpki::Error::BadDer), "BadDer");
        assert_eq!(
            super::webpki_error_name(&webpki::Error::TrailingData(webpki::DerTypeId::Certificate)),
            "TrailingData"
        );
    }
}
