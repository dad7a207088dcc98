//! Name constraints over every name a certificate carries (RFC 5280 §4.2.1.10, applied as in
//! §6.1.3 (b) and (c)): dNSName and iPAddress subtrees for the subjectAltName's DNS names and
//! addresses (`checks::san_violation`), rfc822Name for its e-mail addresses and the subject's
//! emailAddress attributes, uniformResourceIdentifier for the host of its URIs, directoryName for the
//! subject and the subjectAltName's directory names. The checks and the independent path validation
//! (`validate`, the CA-only verdict) both ask [`violation`], so they cannot disagree.
//!
//! Written by hand: x509-parser decodes the extension but does not evaluate it, and rustls-webpki
//! evaluates it only inside its own end-entity verification (it does not see CA-only chains, and
//! ignores directoryName and URI subtrees).

use super::cert::{Certificate, NameConstraints, NameSubtree, San};
use super::text::escape;

/// The first name of `below` outside `constraints`: (the name as shown, why it is outside).
pub(crate) fn violation(
    below: &Certificate,
    constraints: &NameConstraints,
) -> Option<(String, String)> {
    // Subtrees of each form, found once per certificate (not once per name), so that a certificate
    // with thousands of names costs time linear in names × subtrees of their own form.
    let form = Forms::of(constraints);
    for san in &below.sans {
        let why = match san {
            San::Dns(_) | San::Ip(_) if form.dns_or_ip => {
                super::checks::san_violation(san, constraints)
            }
            San::Email(mailbox) if form.email => judge(constraints, |s| match s {
                NameSubtree::Email(base) => Some(email_within(mailbox, base)),
                _ => None,
            }),
            San::Uri(uri) if form.uri => {
                let host = uri_host(uri);
                judge(constraints, |s| match s {
                    NameSubtree::Uri(base) => {
                        Some(host.as_deref().is_some_and(|h| host_within(h, base)))
                    }
                    _ => None,
                })
                .map(|why| match host {
                    None => format!(
                        "{why}; the URI has no scheme://host part, which OpenSSL needs to apply URI constraints"
                    ),
                    Some(_) => why,
                })
            }
            _ => None,
        };
        if let Some(why) = why {
            return Some((san.to_string(), why));
        }
    }
    if form.email {
        for mailbox in &below.subject_emails {
            let why = judge(constraints, |s| match s {
                NameSubtree::Email(base) => Some(email_within(mailbox, base)),
                _ => None,
            });
            if let Some(why) = why {
                return Some((format!("emailAddress {}", escape(mailbox)), why));
            }
        }
    }
    if form.directory {
        // §6.1.3 (b): the subject name, when it is not empty, and every directoryName alternative name.
        let subject = (!below.subject_rdns.is_empty()).then(|| {
            (
                &below.subject_rdns,
                format!("the subject {}", below.subject),
            )
        });
        let alternatives = below
            .san_directories
            .iter()
            .map(|rdns| (rdns, "a directoryName alternative name".to_string()));
        for (rdns, shown) in subject.into_iter().chain(alternatives) {
            let why = judge(constraints, |s| match s {
                NameSubtree::Directory { rdns: base, .. } => Some(rdns.starts_with(base)),
                _ => None,
            });
            if let Some(why) = why {
                return Some((shown, why));
            }
        }
    }
    None
}

/// Which name forms `constraints` constrain at all.
struct Forms {
    dns_or_ip: bool,
    email: bool,
    uri: bool,
    directory: bool,
}

impl Forms {
    fn of(constraints: &NameConstraints) -> Self {
        let all = || constraints.permitted.iter().chain(&constraints.excluded);
        Self {
            dns_or_ip: all().any(|s| matches!(s, NameSubtree::Dns(_) | NameSubtree::Ip { .. })),
            email: all().any(|s| matches!(s, NameSubtree::Email(_))),
            uri: all().any(|s| matches!(s, NameSubtree::Uri(_))),
            directory: all().any(|s| matches!(s, NameSubtree::Directory { .. })),
        }
    }
}

/// RFC 5280 §4.2.1.10: a name is outside if it is within an excluded subtree, or if permitted subtrees
/// of its form exist and it is within none. `within(subtree)` is `None` for a subtree of another form.
fn judge(
    constraints: &NameConstraints,
    within: impl Fn(&NameSubtree) -> Option<bool>,
) -> Option<String> {
    if let Some(excluded) = constraints
        .excluded
        .iter()
        .find(|s| within(s) == Some(true))
    {
        return Some(format!("exclude ({})", subtree_text(excluded)));
    }
    let permitted: Vec<&NameSubtree> = constraints
        .permitted
        .iter()
        .filter(|s| within(s).is_some())
        .collect();
    if !permitted.is_empty() && !permitted.iter().any(|s| within(s) == Some(true)) {
        let list: Vec<String> = permitted.iter().map(|s| subtree_text(s)).collect();
        return Some(format!("do not permit (permitted: {})", list.join(", ")));
    }
    None
}

fn subtree_text(subtree: &NameSubtree) -> String {
    match subtree {
        NameSubtree::Email(base) => format!("e-mail {}", escape(base)),
        NameSubtree::Uri(base) => format!("URI host {}", escape(base)),
        NameSubtree::Directory { shown, .. } => format!("directory name {shown}"),
        other => super::checks::subtree_text(other),
    }
}

/// rfc822Name constraints (RFC 5280 §4.2.1.10): `local@host` is that mailbox, `host` every mailbox at
/// that host, `.example.com` every mailbox at a host under that domain. Hosts compare without case;
/// the local part exactly.
fn email_within(mailbox: &str, base: &str) -> bool {
    let Some((local, host)) = mailbox.rsplit_once('@') else {
        return false;
    };
    match base.rsplit_once('@') {
        Some((base_local, base_host)) => {
            base_local == local && base_host.eq_ignore_ascii_case(host)
        }
        None => host_within(host, base),
    }
}

/// A host against a constraint's host (the same host) or domain (a leading period: hosts under it).
fn host_within(host: &str, base: &str) -> bool {
    let host = host.trim_end_matches('.');
    match base.strip_prefix('.') {
        Some(domain) => {
            host.len() > domain.len() + 1
                && host.is_char_boundary(host.len() - domain.len() - 1)
                && host[host.len() - domain.len() - 1..].eq_ignore_ascii_case(base)
        }
        None => host.eq_ignore_ascii_case(base.trim_end_matches('.')),
    }
}

/// The host part of a URI: its RFC 3986 authority (`scheme://[user@]host[:port]/…`), without port or
/// brackets; `None` for a URI without one. A `sip:` URI (RFC 3261) has a host, but OpenSSL reads a host
/// only after `//` and refuses the rest (error 53, unsupported name syntax); a trunk's far end is often
/// OpenSSL, so a URI it cannot constrain is refused here too rather than guessed.
fn uri_host(uri: &str) -> Option<String> {
    let (_scheme, rest) = uri.split_once(':')?;
    let authority = rest.strip_prefix("//")?.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_hosts() {
        assert_eq!(uri_host("sip:sbc.example.com"), None);
        assert_eq!(
            uri_host("sips://trunk@sbc.example.com:5061;transport=tls").as_deref(),
            Some("sbc.example.com")
        );
        assert_eq!(
            uri_host("https://user@host.example.com:8443/x?y").as_deref(),
            Some("host.example.com")
        );
        assert_eq!(
            uri_host("https://[2001:db8::1]/").as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(uri_host("urn:uuid:1234"), None);
        assert_eq!(uri_host("file:///etc/passwd"), None);
        assert_eq!(uri_host("nothing"), None);
    }

    #[test]
    fn mailboxes_hosts_and_domains() {
        assert!(email_within("ops@example.com", "example.com"));
        assert!(email_within("ops@EXAMPLE.com", "ops@example.com"));
        assert!(!email_within("Ops@example.com", "ops@example.com"));
        assert!(!email_within("ops@mail.example.com", "example.com"));
        assert!(email_within("ops@mail.example.com", ".example.com"));
        assert!(!email_within("ops@example.com", ".example.com"));
        assert!(!email_within("ops@badexample.com", ".example.com"));
        assert!(!email_within("no-at-sign", "example.com"));
        assert!(host_within("a.b.example.com", ".example.com"));
        assert!(!host_within("ëxample.com", ".example.com"));
    }
}
