//! The leaf's own rules: key usage and EKU for the profile, names (SANs, Common Name) against the host, and whether it was issued publicly.

use super::*;

/// Whether the first of `certs` (the rest: the CAs above it) was issued by a public CA, under the
/// CA/Browser Forum Baseline Requirements: it or a CA above it asserts a CA/B Forum reserved policy
/// (BR §7.1.6.1, which every publicly-trusted TLS certificate must), or the path ends at a Mozilla
/// root (given in the input, or webpki-roots itself).
pub(super) fn issued_publicly(
    certs: &[&Certificate],
    end: PathEnd,
    top: Option<&Certificate>,
) -> bool {
    // A CA/Browser Forum reserved policy identifier anywhere on the path (a CA asserting one issues
    // under the Baseline Requirements).
    if certs.iter().any(|c| c.asserts_baseline_requirements()) {
        return true;
    }
    // Mutation testing misses these two arms (deleted, each gives `false`): they decide only for a
    // path under a Mozilla root's key on which no certificate asserts a CA/B Forum policy. Only a
    // Mozilla root's own CA can issue one, and every such certificate available here (the Let's
    // Encrypt fixtures) asserts the policy, so the test above has already answered (see
    // docs/DEVELOPMENT.md).
    match end {
        PathEnd::PublicRoot(_) => true,
        PathEnd::Anchor | PathEnd::UntrustedRoot => top.is_some_and(|root| {
            crate::engine::trust::public_anchors()
                .iter()
                .any(|a| a.spki == root.spki)
        }),
        _ => false,
    }
}

pub(super) fn leaf(cert: &Certificate, options: &CheckOptions, findings: &mut Vec<Finding>) {
    let name = cert.display_name();
    let id = Some(cert.sha256);
    if cert.is_ca() {
        findings.push(Finding::new(
            Code::LeafIsCa,
            id,
            format!("the leaf \"{name}\" is a CA certificate (basicConstraints CA:TRUE)"),
        ));
    }
    extended_key_usage(cert, &name, options, findings);
    if let Some(ku) = cert.key_usage
        && !ku.digital_signature()
    {
        let detail = if matches!(cert.key, KeyKind::Rsa { .. }) && ku.key_encipherment() {
            "only keyEncipherment: it works only for TLS 1.2 RSA key exchange, not TLS 1.3 or ECDHE suites"
        } else {
            "no digitalSignature: TLS cannot use the key"
        };
        findings.push(Finding::new(
            Code::LeafKeyUsage,
            id,
            format!("the keyUsage of the leaf \"{name}\" has {detail}"),
        ));
    }
    profile_key_type(cert, &name, options, findings);
    san_rules(cert, &name, findings);
    common_name(cert, findings);
    host(cert, options, findings);
}

/// The leaf's Extended Key Usage: present (BR §7.1.2.7.10), serverAuth, not anyExtendedKeyUsage,
/// not critical; clientAuth where the profile needs it (SIP mutual TLS, Teams Direct Routing).
fn extended_key_usage(
    cert: &Certificate,
    name: &str,
    options: &CheckOptions,
    findings: &mut Vec<Finding>,
) {
    let id = Some(cert.sha256);
    match &cert.extended_key_usage {
        None => findings.push(Finding::new(
            Code::CabfLeafEkuMissing,
            id,
            format!("the leaf \"{name}\" has no Extended Key Usage"),
        )),
        Some(eku) => {
            if !eku.server_auth {
                findings.push(Finding::new(
                    Code::LeafEkuServerAuthMissing,
                    id,
                    format!(
                        "the Extended Key Usage of the leaf \"{name}\" does not include serverAuth, so TLS clients refuse it as a server certificate"
                    ),
                ));
            }
            if eku.any {
                findings.push(Finding::new(
                    Code::CabfLeafAnyEku,
                    id,
                    format!("the leaf \"{name}\" has anyExtendedKeyUsage"),
                ));
            }
            if eku.critical {
                findings.push(Finding::new(
                    Code::CabfLeafEkuCritical,
                    id,
                    format!("the Extended Key Usage of the leaf \"{name}\" is marked critical"),
                ));
            }
            if options.profile == Profile::SipMutualTls && !eku.client_auth {
                findings.push(Finding::new(
                    Code::LeafEkuClientAuthMissing,
                    id,
                    format!(
                        "the leaf \"{name}\" lacks the clientAuth Extended Key Usage: an SBC that also checks it as a TLS client will refuse it. Public CAs stopped issuing clientAuth in 2026 (Chrome root program); use a private CA for SIP mutual TLS, or have the far end accept serverAuth-only certificates"
                    ),
                ));
            }
            // Microsoft's "Plan Direct Routing" (since 19 March 2024): the SBC certificate's EKU must
            // include both Server and Client Authentication, or the SBC cannot connect. An error here:
            // Microsoft's text is the far end's rule, whatever public CAs issue in 2026.
            if options.profile == Profile::TeamsDirectRouting && !eku.client_auth {
                let mut finding = Finding::new(
                    Code::LeafEkuClientAuthMissing,
                    id,
                    format!(
                        "the leaf \"{name}\" lacks the clientAuth Extended Key Usage: Microsoft requires both serverAuth and clientAuth on a Direct Routing SBC certificate since 19 March 2024, because the SBC presents it when it connects to the SIP proxies. Public CAs stopped issuing clientAuth in 2026; check Microsoft's current Direct Routing page before relying on a serverAuth-only certificate"
                    ),
                );
                finding.severity = Severity::Error;
                findings.push(finding);
            }
        }
    }
}

/// The key type a profile's far end can use: RSA for Genesys Cloud BYOC Cloud and for Teams Direct
/// Routing.
fn profile_key_type(
    cert: &Certificate,
    name: &str,
    options: &CheckOptions,
    findings: &mut Vec<Finding>,
) {
    let id = Some(cert.sha256);
    if options.profile == Profile::GenesysByocCloud && !matches!(cert.key, KeyKind::Rsa { .. }) {
        findings.push(Finding::new(
            Code::ProfileKeyType,
            id,
            format!(
                "the leaf \"{name}\" has a {} key; Genesys Cloud BYOC Cloud offers only RSA-authenticated TLS 1.2 suites (ECDHE-RSA-AES-GCM)",
                cert.key
            ),
        ));
    }
    // Microsoft's Direct Routing pages list only TLS_ECDHE_RSA_* cipher suites for the SBC: an ECDSA
    // key has none to negotiate.
    if options.profile == Profile::TeamsDirectRouting && !matches!(cert.key, KeyKind::Rsa { .. }) {
        findings.push(Finding::new(
            Code::ProfileKeyType,
            id,
            format!(
                "the leaf \"{name}\" has a {} key; Microsoft Teams Direct Routing lists only ECDHE-RSA cipher suites, so the SBC certificate needs an RSA key (2048 bits or more)",
                cert.key
            ),
        ));
    }
}

/// The leaf's DNS names: no wildcard on a public suffix, no underscore (BR §7.1.4.2.1).
fn san_rules(cert: &Certificate, name: &str, findings: &mut Vec<Finding>) {
    let id = Some(cert.sha256);
    for san in &cert.sans {
        if let San::Dns(pattern) = san
            && let Some(parent) = pattern.strip_prefix("*.")
            && !hostname::wildcard_parent_allowed(parent.trim_end_matches('.'))
        {
            findings.push(Finding::new(
                Code::CabfWildcardPublicSuffix,
                id,
                format!(
                    "the leaf \"{name}\" has the wildcard {} on a public suffix; clients ignore it",
                    crate::engine::text::escape(pattern)
                ),
            ));
        }
        // Baseline Requirements §7.1.4.2.1 (ballot SC12): no underscore in a dNSName.
        if let San::Dns(dns) = san
            && dns.contains('_')
        {
            findings.push(Finding::new(
                Code::CabfDnsUnderscore,
                id,
                format!(
                    "the leaf \"{name}\" has the DNS name {}, which contains an underscore",
                    crate::engine::text::escape(dns)
                ),
            ));
        }
    }
}

/// Baseline Requirements §7.1.4.3: a Common Name, when present, is one of the SANs — an IP address in
/// its canonical text (no hex, no leading zeros; IPv6 lower-case and RFC 5952 compressed), a DNS name
/// in the same A-label form as the SAN.
pub(super) fn common_name(cert: &Certificate, findings: &mut Vec<Finding>) {
    let Some(cn) = &cert.subject_common_name else {
        return;
    };
    let listed = cert.sans.iter().any(|san| match san {
        San::Dns(dns) => dns.eq_ignore_ascii_case(cn),
        San::Ip(ip) => ip.to_string() == *cn,
        _ => false,
    });
    if !listed {
        let canonical_ip = cn
            .parse::<IpAddr>()
            .ok()
            .filter(|ip| ip.to_string() != *cn)
            .map(|ip| format!(" (the canonical form of this address is {ip})"))
            .unwrap_or_default();
        findings.push(Finding::new(
            Code::CabfCnNotInSan,
            Some(cert.sha256),
            format!(
                "the Common Name \"{cn}\" of the leaf is not one of its subjectAltNames in the same form{canonical_ip}"
            ),
        ));
    }
}

/// `name.mismatch` / `name.no-san` for `cert` as the leaf for `options.host` (RFC 6125 §6.4).
pub(crate) fn host(cert: &Certificate, options: &CheckOptions, findings: &mut Vec<Finding>) {
    let name = cert.display_name();
    let id = Some(cert.sha256);
    let sip = options.profile == Profile::SipMutualTls;
    let Some(host) = &options.host else {
        if !cert.has_san_extension {
            let mut finding = Finding::new(
                Code::NameNoSan,
                id,
                format!(
                    "the leaf \"{name}\" has no subjectAltName; clients will not accept it for any name"
                ),
            );
            finding.severity = Severity::Warning;
            findings.push(finding);
        }
        return;
    };
    if options.profile == Profile::TeamsDirectRouting
        && hostname::find_match(cert, host, false).is_none()
        && hostname::common_name_matches(cert, host)
    {
        findings.push(Finding::new(
            Code::TeamsCnOnly,
            id,
            format!(
                "the leaf \"{name}\" names {host} in its Common Name only: Microsoft Teams accepts the SBC's FQDN in the CN or a subjectAltName, other TLS clients read the subjectAltName alone"
            ),
        ));
        return;
    }
    if !cert.has_san_extension {
        findings.push(Finding::new(
            Code::NameNoSan,
            id,
            format!(
                "the leaf \"{name}\" has no subjectAltName, so it is not valid for {host}: clients no longer fall back to the Common Name"
            ),
        ));
        return;
    }
    if hostname::find_match(cert, host, sip).is_none() {
        let valid = hostname::names_valid_for(cert, sip);
        let listed = if valid.is_empty() {
            "no DNS name or IP address".to_string()
        } else if valid.len() > 10 {
            format!("{} and {} more", valid[..10].join(", "), valid.len() - 10)
        } else {
            valid.join(", ")
        };
        findings.push(Finding::new(
            Code::NameMismatch,
            id,
            format!("the leaf \"{name}\" is not valid for {host}; it is valid for: {listed}"),
        ));
    }
}
