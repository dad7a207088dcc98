//! Matching the trunk's host name against a certificate (RFC 6125 on subjectAltName; RFC 5922 for SIP).

use std::fmt;
use std::net::IpAddr;

use super::cert::{Certificate, San};

/// A host to check: a DNS name (normalised to lowercase A-labels, no trailing dot) or an IP address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostName {
    Dns(String),
    Ip(IpAddr),
}

/// Why a `--host` value is not a host name (its text shows the value escaped, as every error's does).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostNameError {
    #[error("the host name is empty")]
    Empty,
    #[error("\"{}\" is not a valid DNS name or IP address", super::text::escape(.0))]
    Invalid(String),
}

impl HostName {
    /// Parses a DNS name (Unicode names become A-labels) or an IP address (IPv6 with or without brackets).
    pub fn parse(input: &str) -> Result<Self, HostNameError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(HostNameError::Empty);
        }
        let unbracketed = trimmed
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .unwrap_or(trimmed);
        if let Ok(ip) = unbracketed.parse::<IpAddr>() {
            return Ok(Self::Ip(ip));
        }
        // IDNA (UTS #46) would silently drop default-ignorable characters (a zero-width space, a soft
        // hyphen) and keep bidi controls out of sight: a host that contains them is not the host it
        // looks like, so it is refused rather than matched.
        if trimmed.chars().any(invisible) {
            return Err(HostNameError::Invalid(input.to_string()));
        }
        let without_dot = trimmed.strip_suffix('.').unwrap_or(trimmed);
        let ascii = idna::domain_to_ascii(without_dot)
            .map_err(|_| HostNameError::Invalid(input.to_string()))?;
        let valid_labels = ascii.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
        // An empty name is one empty label, which `valid_labels` refuses.
        if ascii.len() > 253 || !valid_labels {
            return Err(HostNameError::Invalid(input.to_string()));
        }
        Ok(Self::Dns(ascii))
    }
}

/// Characters that change a name without being seen: controls, default-ignorable code points (Unicode
/// `Default_Ignorable_Code_Point`, the ones that occur in practice) and bidirectional controls.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{115f}' | '\u{1160}'
            | '\u{17b4}' | '\u{17b5}' | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}'
            | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}'
            | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}' | '\u{e0000}'..='\u{e0fff}')
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dns(d) => f.write_str(d),
            Self::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// How a host matched a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameMatch {
    /// The SAN entry that matched (as written in the certificate).
    Dns(String),
    Ip(IpAddr),
    /// A `sip:` / `sips:` URI SAN (RFC 5922 7.1).
    SipUri(String),
}

/// Finds the SAN entry the host matches. `sip_uris` enables RFC 5922 URI matching first.
pub fn find_match(cert: &Certificate, host: &HostName, sip_uris: bool) -> Option<NameMatch> {
    if sip_uris && let HostName::Dns(domain) = host {
        for san in &cert.sans {
            if let San::Uri(uri) = san
                && sip_uri_domain(uri).is_some_and(|d| d == *domain)
            {
                return Some(NameMatch::SipUri(uri.clone()));
            }
        }
    }
    for san in &cert.sans {
        match (san, host) {
            (San::Dns(pattern), HostName::Dns(name)) if dns_matches(pattern, name) => {
                return Some(NameMatch::Dns(pattern.clone()));
            }
            (San::Ip(ip), HostName::Ip(wanted)) if ip_equal(*ip, *wanted) => {
                return Some(NameMatch::Ip(*ip));
            }
            _ => {}
        }
    }
    None
}

/// The host matches the certificate's Common Name (as a DNS name, wildcard rules of [`dns_matches`]).
/// Only Microsoft Teams Direct Routing reads it ("the SBC FQDN in the CN or a SAN"): RFC 6125 clients
/// look at the subjectAltName alone.
pub fn common_name_matches(cert: &Certificate, host: &HostName) -> bool {
    match (host, &cert.subject_common_name) {
        (HostName::Dns(name), Some(cn)) => dns_matches(cn, name),
        _ => false,
    }
}

/// RFC 6125 6.4 on one dNSName: case-insensitive, trailing dot ignored, a wildcard only as the whole
/// left-most label, matching exactly one label, and never directly above a public suffix.
pub fn dns_matches(pattern: &str, name: &str) -> bool {
    let Some(pattern) = normalise_dns(pattern) else {
        return false;
    };
    let Some(name) = normalise_dns(name) else {
        return false;
    };
    if let Some(parent) = pattern.strip_prefix("*.") {
        if !wildcard_parent_allowed(parent) {
            return false;
        }
        match name.split_once('.') {
            Some((first, rest)) => !first.is_empty() && rest == parent,
            None => false,
        }
    } else {
        !pattern.contains('*') && pattern == name
    }
}

/// A wildcard's parent must have at least two labels and must not be a public suffix (`*.co.uk`).
pub fn wildcard_parent_allowed(parent: &str) -> bool {
    parent.contains('.') && !is_public_suffix(parent)
}

/// Whether `domain` is exactly a public suffix of the Public Suffix List's ICANN section.
///
/// Only the ICANN section counts, as in browsers' certificate checks (Chromium's
/// `registry_controlled_domains` with `EXCLUDE_PRIVATE_REGISTRIES`, Firefox likewise): the private
/// section (`s3.amazonaws.com`, `github.io`) is for cookies, and CAs issue wildcards below it.
pub fn is_public_suffix(domain: &str) -> bool {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    // The longest rule that matches decides; when that rule is a private one, the ICANN suffix of the
    // name is shorter than the name (`com` for `s3.amazonaws.com`), so the name is not an ICANN suffix.
    psl::suffix(domain.as_bytes())
        .is_some_and(|s| s.as_bytes() == domain.as_bytes() && s.typ() == Some(psl::Type::Icann))
}

fn normalise_dns(name: &str) -> Option<String> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || !name.is_ascii() {
        // SANs must hold A-labels; a U-label in a dNSName is malformed and matches nothing.
        return None;
    }
    Some(name.to_ascii_lowercase())
}

fn ip_equal(a: IpAddr, b: IpAddr) -> bool {
    // IPv4-mapped IPv6 addresses compare equal to their IPv4 form.
    let canon = |ip: IpAddr| match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    canon(a) == canon(b)
}

/// The domain of a `sip:domain` / `sips:domain` URI with no user part, lowercased (RFC 5922 7.1).
fn sip_uri_domain(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once(':')?;
    if !scheme.eq_ignore_ascii_case("sip") && !scheme.eq_ignore_ascii_case("sips") {
        return None;
    }
    if rest.contains('@') {
        return None;
    }
    let host = rest.split([';', '?', ':']).next()?;
    normalise_dns(host)
}

/// What the certificate is valid for, for messages: DNS and IP SANs, and SIP URIs when relevant.
pub fn names_valid_for(cert: &Certificate, sip_uris: bool) -> Vec<String> {
    cert.sans
        .iter()
        .filter(|san| match san {
            San::Dns(_) | San::Ip(_) => true,
            San::Uri(u) => sip_uris && sip_uri_domain(u).is_some(),
            _ => false,
        })
        .map(ToString::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_matching_table() {
        // (pattern in the certificate, host, matches)
        let table: &[(&str, &str, bool)] = &[
            ("sbc.example.com", "sbc.example.com", true),
            ("SBC.Example.COM", "sbc.example.com", true),
            ("sbc.example.com.", "sbc.example.com", true),
            ("sbc.example.com", "sbc.example.com.", true),
            ("sbc.example.com", "sbc2.example.com", false),
            ("*.example.com", "sbc.example.com", true),
            ("*.example.com", "SBC.EXAMPLE.COM", true),
            ("*.example.com", "a.b.example.com", false),
            ("*.example.com", "example.com", false),
            ("*.example.com", ".example.com", false),
            ("*.com", "example.com", false),
            ("*.co.uk", "example.co.uk", false),
            ("*.example.co.uk", "sbc.example.co.uk", true),
            // The PSL's private section does not stop certificate wildcards (browsers agree).
            ("*.s3.amazonaws.com", "bucket.s3.amazonaws.com", true),
            ("*.github.io", "user.github.io", true),
            ("*.ac.uk", "example.ac.uk", false),
            ("s*.example.com", "sbc.example.com", false),
            ("*bc.example.com", "sbc.example.com", false),
            ("sbc.*.com", "sbc.example.com", false),
            ("*", "localhost", false),
            ("xn--n1aae7f7o.badssl.com", "xn--n1aae7f7o.badssl.com", true),
            ("", "example.com", false),
        ];
        for (pattern, host, expected) in table {
            assert_eq!(dns_matches(pattern, host), *expected, "{pattern} vs {host}");
        }
    }

    #[test]
    fn public_suffixes_are_the_icann_section_only() {
        for (domain, icann) in [
            ("com", true),
            ("co.uk", true),
            ("COM.", true),
            ("s3.amazonaws.com", false),
            ("github.io", false),
            ("example.com", false),
        ] {
            assert_eq!(is_public_suffix(domain), icann, "{domain}");
        }
    }

    #[test]
    fn host_parsing_table() {
        let table: &[(&str, Result<HostName, ()>)] = &[
            (
                "sbc.example.com",
                Ok(HostName::Dns("sbc.example.com".into())),
            ),
            (
                "SBC.Example.com.",
                Ok(HostName::Dns("sbc.example.com".into())),
            ),
            (
                "тест.badssl.com",
                Ok(HostName::Dns("xn--e1aybc.badssl.com".into())),
            ),
            (
                "192.0.2.10",
                Ok(HostName::Ip("192.0.2.10".parse().unwrap())),
            ),
            (
                "[2001:db8::1]",
                Ok(HostName::Ip("2001:db8::1".parse().unwrap())),
            ),
            (
                "2001:DB8:0:0::1",
                Ok(HostName::Ip("2001:db8::1".parse().unwrap())),
            ),
            ("", Err(())),
            ("bad host", Err(())),
            ("a..b", Err(())),
            // Invisible characters IDNA would drop or keep out of sight: refused, not matched.
            ("sbc\u{200b}.example.com", Err(())),
            ("sbc.exa\u{00ad}mple.com", Err(())),
            ("\u{202e}moc.elpmaxe.cbs", Err(())),
            ("sbc.example.com\u{2066}", Err(())),
            ("sbc.\u{feff}example.com", Err(())),
        ];
        for (input, expected) in table {
            assert_eq!(HostName::parse(input).map_err(|_| ()), *expected, "{input}");
        }
    }

    #[test]
    fn ip_comparison_is_by_address() {
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        let b: IpAddr = "2001:0db8:0000::0001".parse().unwrap();
        assert!(ip_equal(a, b));
        assert!(ip_equal(
            "::ffff:192.0.2.1".parse().unwrap(),
            "192.0.2.1".parse().unwrap()
        ));
        assert!(!ip_equal(
            "192.0.2.1".parse().unwrap(),
            "192.0.2.2".parse().unwrap()
        ));
    }

    #[test]
    fn sip_uri_table() {
        let table: &[(&str, Option<&str>)] = &[
            ("sip:example.com", Some("example.com")),
            ("SIPS:Example.com", Some("example.com")),
            ("sip:example.com;transport=tls", Some("example.com")),
            ("sip:example.com:5061", Some("example.com")),
            ("sip:alice@example.com", None),
            ("https://example.com", None),
        ];
        for (uri, expected) in table {
            assert_eq!(sip_uri_domain(uri).as_deref(), *expected, "{uri}");
        }
    }

    #[test]
    fn names_are_at_most_253_octets_and_print_normalised() {
        // Four 63-octet labels and a 61-octet one: 4 * 64 + 61 = 317; trim to the limits exactly.
        let label = "a".repeat(63);
        let at_limit = format!("{label}.{label}.{label}.{}", "b".repeat(61)); // 253
        assert_eq!(at_limit.len(), 253);
        assert!(HostName::parse(&at_limit).is_ok());
        let over = format!("{label}.{label}.{label}.{}", "b".repeat(62)); // 254
        assert!(HostName::parse(&over).is_err());
        assert!(HostName::parse(&format!("{}.example", "c".repeat(64))).is_err());
        assert_eq!(
            HostName::parse("SBC.Example.com.").unwrap().to_string(),
            "sbc.example.com"
        );
        assert_eq!(
            HostName::parse("[2001:DB8::1]").unwrap().to_string(),
            "2001:db8::1"
        );
    }

    #[test]
    fn empty_and_unicode_dns_names_match_nothing() {
        for name in ["", ".", "bücher.example"] {
            assert!(!dns_matches(name, name), "{name:?}");
        }
        assert!(dns_matches(
            "xn--bcher-kva.example",
            "XN--BCHER-KVA.example."
        ));
    }

    /// A certificate with these SANs (rcgen), read back by the engine.
    fn with_sans(sans: Vec<rcgen::SanType>) -> Certificate {
        let mut params = rcgen::CertificateParams::default();
        params.subject_alt_names = sans;
        let key = rcgen::KeyPair::generate().expect("key");
        let der = params.self_signed(&key).expect("sign").der().to_vec();
        Certificate::from_der(&der, "test", false).expect("parse")
    }

    #[test]
    fn an_ip_san_matches_its_own_address_only() {
        let cert = with_sans(vec![rcgen::SanType::IpAddress(
            "192.0.2.10".parse().unwrap(),
        )]);
        let host = |h: &str| HostName::parse(h).unwrap();
        assert_eq!(
            find_match(&cert, &host("192.0.2.10"), false),
            Some(NameMatch::Ip("192.0.2.10".parse().unwrap()))
        );
        assert_eq!(find_match(&cert, &host("192.0.2.11"), false), None);
        assert!(find_match(&cert, &host("::ffff:192.0.2.10"), false).is_some());
    }

    #[test]
    fn dns_and_sip_uri_sans_match_their_own_domain_only() {
        let uri = |u: &str| rcgen::SanType::URI(rcgen::string::Ia5String::try_from(u).unwrap());
        let cert = with_sans(vec![
            rcgen::SanType::DnsName("*.example.com".try_into().unwrap()),
            uri("sip:carrier.example"),
        ]);
        let host = |h: &str| HostName::parse(h).unwrap();
        assert_eq!(
            find_match(&cert, &host("sbc.example.com"), false),
            Some(NameMatch::Dns("*.example.com".into()))
        );
        assert_eq!(find_match(&cert, &host("sbc.example.org"), false), None);
        // RFC 5922: the SIP URI first when asked, and only for its own domain.
        assert_eq!(
            find_match(&cert, &host("carrier.example"), true),
            Some(NameMatch::SipUri("sip:carrier.example".into()))
        );
        assert_eq!(find_match(&cert, &host("carrier.example"), false), None);
        assert_eq!(find_match(&cert, &host("other.example"), true), None);
    }

    #[test]
    fn names_valid_for_lists_sip_uris_only_when_asked() {
        let uri = |u: &str| rcgen::SanType::URI(rcgen::string::Ia5String::try_from(u).unwrap());
        let cert = with_sans(vec![
            rcgen::SanType::DnsName("sbc.example.com".try_into().unwrap()),
            uri("sip:example.com"),
            uri("https://example.com/"),
        ]);
        assert_eq!(names_valid_for(&cert, false), ["sbc.example.com"]);
        assert_eq!(
            names_valid_for(&cert, true),
            ["sbc.example.com", "sip:example.com"]
        );
    }
}
