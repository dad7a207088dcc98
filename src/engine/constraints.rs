//! Name constraints over every name a certificate carries (RFC 5280 §4.2.1.10, applied as in
//! §6.1.3 (b) and (c)): dNSName and iPAddress subtrees for the subjectAltName's DNS names and
//! addresses, rfc822Name for its e-mail addresses and the subject's emailAddress attributes,
//! uniformResourceIdentifier for the host of its URIs, directoryName for the subject and the
//! subjectAltName's directory names. The checks and the independent path validation (`validate`, the
//! CA-only verdict) both ask [`violation`], so they cannot disagree.
//!
//! Each side of the extension is indexed once, when the certificate is parsed ([`Subtrees`]): a name
//! is looked up in time proportional to its own length (its label suffixes, its RDN prefixes), not to
//! the number of subtrees, so a certificate with thousands of names under a CA with thousands of
//! subtrees is checked in near-linear time (`cargo bench --bench piles`).
//!
//! Written by hand: x509-parser decodes the extension but does not evaluate it, and rustls-webpki
//! evaluates it only inside its own end-entity verification (it does not see CA-only chains, and
//! ignores directoryName and URI subtrees).

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use super::cert::{Certificate, NameConstraints, NameSubtree, San};
use super::text::escape;

/// The first name of `below` outside `constraints`: (the name as shown, why it is outside).
pub(crate) fn violation(
    below: &Certificate,
    constraints: &NameConstraints,
) -> Option<(String, String)> {
    let (permitted, excluded) = (&constraints.index.0, &constraints.index.1);
    // Why `shown` is outside, if it is: within an excluded subtree, or in none of the permitted
    // subtrees of its form when there are some.
    let judge = |form: Form, shown: &str, find: &dyn Fn(&Subtrees) -> Option<String>| {
        if let Some(subtree) = find(excluded) {
            return Some(format!("exclude ({subtree})"));
        }
        if permitted.has(form) && find(permitted).is_none() {
            return Some(format!(
                "do not permit (permitted: {}; {shown} is outside)",
                permitted.listed(form)
            ));
        }
        None
    };
    for san in &below.sans {
        let shown = san.to_string();
        let why = match san {
            San::Dns(dns) => {
                let name = dns.trim_end_matches('.').to_ascii_lowercase();
                judge(Form::Dns, &shown, &|s| s.find_dns(&name))
            }
            San::Ip(ip) => judge(Form::Ip, &shown, &|s| s.find_ip(*ip)),
            San::Email(mailbox) => judge(Form::Email, &shown, &|s| s.find_email(mailbox)),
            San::Uri(uri) => {
                let host = uri_host(uri);
                let why = judge(Form::Uri, &shown, &|s| {
                    host.as_deref().and_then(|h| s.find_uri(h))
                });
                match (why, host) {
                    (Some(why), None) => Some(format!(
                        "{why}; the URI has no scheme://host part, which OpenSSL needs to apply URI constraints"
                    )),
                    (why, _) => why,
                }
            }
            San::Other(_) => None,
        };
        if let Some(why) = why {
            return Some((shown, why));
        }
    }
    let emails = below
        .subject_emails
        .iter()
        .map(|mailbox| (format!("emailAddress {}", escape(mailbox)), mailbox));
    for (shown, mailbox) in emails {
        if let Some(why) = judge(Form::Email, &shown, &|s| s.find_email(mailbox)) {
            return Some((shown, why));
        }
    }
    // §6.1.3 (b): the subject name, when it is not empty, and every directoryName alternative name.
    let subject = (!below.subject_rdns.is_empty()).then(|| {
        (
            format!("the subject {}", below.subject),
            &below.subject_rdns,
        )
    });
    let alternatives = below
        .san_directories
        .iter()
        .map(|rdns| ("a directoryName alternative name".to_string(), rdns));
    for (shown, rdns) in subject.into_iter().chain(alternatives) {
        if let Some(why) = judge(Form::Directory, &shown, &|s| s.find_directory(rdns)) {
            return Some((shown, why));
        }
    }
    None
}

/// The name forms a subtree can constrain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Dns,
    Ip,
    Email,
    Uri,
    Directory,
}

/// One side (permitted or excluded) of a nameConstraints extension, indexed by form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Subtrees {
    /// As given, for messages.
    list: Vec<NameSubtree>,
    /// dNSName: an empty base (every name).
    dns_all: bool,
    /// dNSName bases (lower case, no trailing period): the name itself and the names below it.
    dns: HashSet<String>,
    /// dNSName bases written with a leading period: the names below it only.
    dns_below: HashSet<String>,
    /// iPAddress: by mask, the masked addresses.
    ip: HashMap<Vec<u8>, HashSet<Vec<u8>>>,
    /// rfc822Name: whole mailboxes (local part, host in lower case), hosts, domains (below only).
    mailboxes: HashSet<(String, String)>,
    mail_hosts: HashSet<String>,
    mail_below: HashSet<String>,
    /// uniformResourceIdentifier: hosts, domains (below only).
    uri_hosts: HashSet<String>,
    uri_below: HashSet<String>,
    /// directoryName: RDN sequences a name must start with.
    directories: HashSet<Vec<String>>,
}

impl Subtrees {
    pub fn new(list: Vec<NameSubtree>) -> Self {
        let mut s = Subtrees::default();
        let host = |h: &str| h.trim_end_matches('.').to_ascii_lowercase();
        for subtree in &list {
            match subtree {
                NameSubtree::Dns(base) => {
                    let base = host(base);
                    if base.is_empty() {
                        s.dns_all = true;
                    } else if let Some(domain) = base.strip_prefix('.') {
                        s.dns_below.insert(domain.to_string());
                    } else {
                        s.dns.insert(base);
                    }
                }
                NameSubtree::Ip { address, mask } => {
                    let masked = address.iter().zip(mask).map(|(a, m)| a & m).collect();
                    s.ip.entry(mask.clone()).or_default().insert(masked);
                }
                NameSubtree::Email(base) => match base.rsplit_once('@') {
                    Some((local, h)) => {
                        s.mailboxes.insert((local.to_string(), host(h)));
                    }
                    None => match host(base).strip_prefix('.') {
                        Some(domain) => {
                            s.mail_below.insert(domain.to_string());
                        }
                        None => {
                            s.mail_hosts.insert(host(base));
                        }
                    },
                },
                NameSubtree::Uri(base) => match host(base).strip_prefix('.') {
                    Some(domain) => {
                        s.uri_below.insert(domain.to_string());
                    }
                    None => {
                        s.uri_hosts.insert(host(base));
                    }
                },
                NameSubtree::Directory { rdns, .. } => {
                    s.directories.insert(rdns.clone());
                }
                NameSubtree::Other(_) => {}
            }
        }
        s.list = list;
        s
    }

    fn form_of(subtree: &NameSubtree) -> Option<Form> {
        match subtree {
            NameSubtree::Dns(_) => Some(Form::Dns),
            NameSubtree::Ip { .. } => Some(Form::Ip),
            NameSubtree::Email(_) => Some(Form::Email),
            NameSubtree::Uri(_) => Some(Form::Uri),
            NameSubtree::Directory { .. } => Some(Form::Directory),
            NameSubtree::Other(_) => None,
        }
    }

    /// Whether this side has subtrees of `form`.
    fn has(&self, form: Form) -> bool {
        match form {
            Form::Dns => self.dns_all || !self.dns.is_empty() || !self.dns_below.is_empty(),
            Form::Ip => !self.ip.is_empty(),
            Form::Email => {
                !self.mailboxes.is_empty()
                    || !self.mail_hosts.is_empty()
                    || !self.mail_below.is_empty()
            }
            Form::Uri => !self.uri_hosts.is_empty() || !self.uri_below.is_empty(),
            Form::Directory => !self.directories.is_empty(),
        }
    }

    /// The subtrees of `form`, for a message: the first five, and how many more.
    fn listed(&self, form: Form) -> String {
        let of_form: Vec<&NameSubtree> = self
            .list
            .iter()
            .filter(|s| Self::form_of(s) == Some(form))
            .collect();
        let mut shown: Vec<String> = of_form.iter().take(5).map(|s| subtree_text(s)).collect();
        if of_form.len() > shown.len() {
            shown.push(format!("and {} more", of_form.len() - shown.len()));
        }
        shown.join(", ")
    }

    /// The dNSName subtree `name` (lower case, no trailing period) is within, as shown.
    fn find_dns(&self, name: &str) -> Option<String> {
        if self.dns_all {
            return Some("DNS (every name)".into());
        }
        host_in(name, &self.dns, &self.dns_below).map(|base| format!("DNS {}", escape(&base)))
    }

    fn find_ip(&self, ip: IpAddr) -> Option<String> {
        let octets: Vec<u8> = match ip {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        self.ip.iter().find_map(|(mask, addresses)| {
            if mask.len() != octets.len() {
                return None;
            }
            let masked: Vec<u8> = octets.iter().zip(mask).map(|(o, m)| o & m).collect();
            addresses.contains(&masked).then(|| {
                subtree_text(&NameSubtree::Ip {
                    address: masked.clone(),
                    mask: mask.clone(),
                })
            })
        })
    }

    /// rfc822Name constraints (RFC 5280 §4.2.1.10): `local@host` is that mailbox, `host` every mailbox
    /// at that host, `.example.com` every mailbox at a host under that domain. Hosts compare without
    /// case; the local part exactly.
    fn find_email(&self, mailbox: &str) -> Option<String> {
        let (local, host) = mailbox.rsplit_once('@')?;
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if self.mailboxes.contains(&(local.to_string(), host.clone())) {
            return Some(format!("e-mail {}", escape(mailbox)));
        }
        if self.mail_hosts.contains(&host) {
            return Some(format!("e-mail {}", escape(&host)));
        }
        below(&host, &self.mail_below).map(|d| format!("e-mail .{}", escape(&d)))
    }

    /// A URI's host (RFC 5280 §4.2.1.10): a host is that host, `.example.com` hosts below it.
    fn find_uri(&self, host: &str) -> Option<String> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if self.uri_hosts.contains(&host) {
            return Some(format!("URI host {}", escape(&host)));
        }
        below(&host, &self.uri_below).map(|d| format!("URI host .{}", escape(&d)))
    }

    /// directoryName: the subtree's RDNs are the first RDNs of the name (RFC 5280 §7.1 comparison).
    fn find_directory(&self, rdns: &[String]) -> Option<String> {
        (0..=rdns.len()).find_map(|n| {
            let prefix = &rdns[..n];
            self.directories.contains(prefix).then(|| {
                self.list
                    .iter()
                    .find_map(|s| match s {
                        NameSubtree::Directory { rdns, shown } if rdns.as_slice() == prefix => {
                            Some(format!("directory name {shown}"))
                        }
                        _ => None,
                    })
                    .unwrap_or_else(|| "directory name".into())
            })
        })
    }
}

/// The dNSName base `host` is within: itself or a parent domain in `bases`, or a parent domain in
/// `below_only` (which hold only what is under them), as shown in messages.
fn host_in(host: &str, bases: &HashSet<String>, below_only: &HashSet<String>) -> Option<String> {
    if bases.contains(host) {
        return Some(host.to_string());
    }
    below(host, bases).or_else(|| below(host, below_only).map(|d| format!(".{d}")))
}

/// The domain in `domains` that `host` is strictly below, if any.
fn below(host: &str, domains: &HashSet<String>) -> Option<String> {
    let mut rest = host;
    while let Some((_, parent)) = rest.split_once('.') {
        if domains.contains(parent) {
            return Some(parent.to_string());
        }
        rest = parent;
    }
    None
}

/// A subtree in words, for messages.
pub(crate) fn subtree_text(subtree: &NameSubtree) -> String {
    match subtree {
        NameSubtree::Dns(d) => format!("DNS {}", escape(d)),
        NameSubtree::Ip { address, mask } => match (to_ip(address), to_ip(mask)) {
            (Some(a), Some(m)) => format!("IP {a}/{m}"),
            _ => "IP (malformed)".into(),
        },
        NameSubtree::Email(base) => format!("e-mail {}", escape(base)),
        NameSubtree::Uri(base) => format!("URI host {}", escape(base)),
        NameSubtree::Directory { shown, .. } => format!("directory name {shown}"),
        NameSubtree::Other(o) => o.clone(),
    }
}

fn to_ip(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
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

    fn within(base: NameSubtree, find: impl Fn(&Subtrees) -> Option<String>) -> bool {
        find(&Subtrees::new(vec![base])).is_some()
    }

    #[test]
    fn dns_constraint_table() {
        let table: &[(&str, &str, bool)] = &[
            ("sbc.example.com", "example.com", true),
            ("example.com", "example.com", true),
            ("sbc.example.com", "Example.COM.", true),
            ("sbc.example.com", ".example.com", true),
            ("example.com", ".example.com", false),
            ("sbc.badexample.com", "example.com", false),
            ("*.example.com", "example.com", true),
            ("anything.org", "", true),
        ];
        for (name, base, expected) in table {
            let found = within(NameSubtree::Dns(base.to_string()), |s| s.find_dns(name));
            assert_eq!(found, *expected, "{name} in {base}");
        }
    }

    #[test]
    fn ip_constraint_table() {
        let table: &[(&str, [u8; 4], [u8; 4], bool)] = &[
            ("192.0.2.7", [192, 0, 2, 0], [255, 255, 255, 0], true),
            ("192.0.3.7", [192, 0, 2, 0], [255, 255, 255, 0], false),
            ("10.1.2.3", [10, 0, 0, 0], [255, 0, 0, 0], true),
            ("10.1.2.3", [10, 9, 9, 9], [255, 0, 0, 0], true),
            ("2001:db8::1", [10, 0, 0, 0], [255, 0, 0, 0], false),
        ];
        for (ip, address, mask, expected) in table {
            let subtree = NameSubtree::Ip {
                address: address.to_vec(),
                mask: mask.to_vec(),
            };
            let found = within(subtree, |s| s.find_ip(ip.parse().unwrap()));
            assert_eq!(found, *expected, "{ip}");
        }
    }

    #[test]
    fn mailboxes_hosts_and_domains() {
        let table: &[(&str, &str, bool)] = &[
            ("ops@example.com", "example.com", true),
            ("ops@EXAMPLE.com", "ops@example.com", true),
            ("Ops@example.com", "ops@example.com", false),
            ("ops@mail.example.com", "example.com", false),
            ("ops@mail.example.com", ".example.com", true),
            ("ops@example.com", ".example.com", false),
            ("ops@badexample.com", ".example.com", false),
            ("no-at-sign", "example.com", false),
        ];
        for (mailbox, base, expected) in table {
            let found = within(NameSubtree::Email(base.to_string()), |s| {
                s.find_email(mailbox)
            });
            assert_eq!(found, *expected, "{mailbox} in {base}");
        }
    }

    #[test]
    fn uri_hosts_and_domains() {
        assert!(within(NameSubtree::Uri(".example.com".into()), |s| s
            .find_uri("a.b.example.com")));
        assert!(!within(NameSubtree::Uri(".example.com".into()), |s| s
            .find_uri("example.com")));
        assert!(within(NameSubtree::Uri("example.com".into()), |s| s
            .find_uri("EXAMPLE.com")));
        assert!(!within(NameSubtree::Uri("example.com".into()), |s| s
            .find_uri("a.example.com")));
    }

    #[test]
    fn directory_prefixes() {
        let base = NameSubtree::Directory {
            rdns: vec!["2.5.4.6=gb".into(), "2.5.4.10=acme".into()],
            shown: "C=GB, O=Acme".into(),
        };
        let name = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(within(base.clone(), |s| s.find_directory(&name(&[
            "2.5.4.6=gb",
            "2.5.4.10=acme",
            "2.5.4.3=sbc"
        ]))));
        assert!(within(base.clone(), |s| s
            .find_directory(&name(&["2.5.4.6=gb", "2.5.4.10=acme"]))));
        assert!(!within(base.clone(), |s| s.find_directory(&name(&["2.5.4.6=gb"]))));
        assert!(!within(base, |s| s
            .find_directory(&name(&["2.5.4.10=acme", "2.5.4.6=gb"]))));
    }
}
