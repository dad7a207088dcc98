//! The Baseline Requirements' certificate profiles (BR 2.0 §7.1.2) as `--strict` lints: certificates
//! made with openssl (a peer nobody here wrote) from a clean profile, each broken in one way, each
//! giving its code; the clean chain gives none. The profiles apply to publicly-trusted certificates
//! only: here the intermediate asserts the CA/B Forum DV policy, as a public CA's does.

mod common;

use std::path::Path;

use chainsmith::engine::Severity;
use common::*;

/// The findings (code, severity) of `chainsmith check leaf.pem int.pem root.pem --strict` in `dir`.
fn strict_findings(dir: &Path) -> Vec<(String, Severity)> {
    let loaded = load(&[
        ("leaf.pem", &std::fs::read(dir.join("leaf.pem")).unwrap()),
        ("int.pem", &std::fs::read(dir.join("int.pem")).unwrap()),
        ("root.pem", &std::fs::read(dir.join("root.pem")).unwrap()),
    ]);
    let mut o = options(Some("sbc.example.com"));
    o.at = time::OffsetDateTime::now_utc().unix_timestamp() + 86_400;
    o.strict = true;
    let report = chainsmith::engine::analyze(&loaded, None, &o);
    report
        .findings
        .iter()
        .map(|f| (f.code.as_str().to_string(), f.severity))
        .collect()
}

/// The leaf's extensions with `line` replacing the line that starts with `key` (or added).
fn leaf_ext_with(key: &str, line: &str) -> String {
    let mut lines: Vec<String> = BR_LEAF_EXT
        .lines()
        .filter(|l| !l.starts_with(key))
        .map(str::to_string)
        .collect();
    if !line.is_empty() {
        lines.push(line.to_string());
    }
    lines.join("\n") + "\n"
}

fn lint(
    subject: &str,
    leaf_ext: &str,
    key: &str,
    int_ext: Option<&str>,
) -> Vec<(String, Severity)> {
    let dir = tempfile::tempdir().unwrap();
    br_chain(dir.path(), subject, leaf_ext, key, int_ext);
    strict_findings(dir.path())
}

fn cabf(found: &[(String, Severity)]) -> Vec<&str> {
    found
        .iter()
        .filter(|(c, _)| c.starts_with("cabf.") || c.starts_with("cert.precertificate"))
        .map(|(c, _)| c.as_str())
        .collect()
}

#[test]
fn the_clean_profiles_give_no_finding_with_strict() {
    for key in ["ec", "rsa"] {
        let ext = if key == "rsa" {
            leaf_ext_with(
                "keyUsage",
                "keyUsage=critical,digitalSignature,keyEncipherment",
            )
        } else {
            BR_LEAF_EXT.to_string()
        };
        let found = lint("/CN=sbc.example.com", &ext, key, None);
        assert!(found.is_empty(), "{key}: {found:?}");
        // Organization validated, attributes in order.
        let ov = ext.replace("2.23.140.1.2.1", "2.23.140.1.2.2");
        let found = lint(
            "/C=US/ST=California/L=San Jose/O=Example Inc/CN=sbc.example.com",
            &ov,
            key,
            None,
        );
        assert!(found.is_empty(), "{key} OV: {found:?}");
    }
}

#[test]
fn each_subject_rule_has_its_code() {
    let ov = BR_LEAF_EXT.replace("2.23.140.1.2.1", "2.23.140.1.2.2");
    let cases: [(&str, &str, &str); 6] = [
        (
            "/C=US/ST=California/O=Example Inc/OU=Voice/CN=sbc.example.com",
            &ov,
            "cabf.subject-ou",
        ),
        (
            "/C=US/ST=California/O=-/CN=sbc.example.com",
            &ov,
            "cabf.subject-encoding",
        ),
        (
            "/C=us/ST=California/O=Example Inc/CN=sbc.example.com",
            &ov,
            "cabf.subject-encoding",
        ),
        (
            "/C=US/O=Example Inc/ST=California/CN=sbc.example.com",
            &ov,
            "cabf.subject-order",
        ),
        (
            "/C=US/O=Example Inc/CN=sbc.example.com",
            BR_LEAF_EXT,
            "cabf.subject-validation-type",
        ),
        (
            "/C=US/O=Example Inc/CN=sbc.example.com",
            &ov,
            "cabf.subject-validation-type",
        ),
    ];
    for (subject, ext, code) in cases {
        let found = lint(subject, ext, "ec", None);
        assert_eq!(cabf(&found), [code], "{subject}");
        assert!(
            found
                .iter()
                .any(|(c, s)| c == code && *s == Severity::Error),
            "a MUST is an error with --strict"
        );
    }
}

#[test]
fn each_extension_rule_has_its_code() {
    let cases: Vec<(String, &str, &str)> = vec![
        (
            leaf_ext_with("certificatePolicies", ""),
            "ec",
            "cabf.policies",
        ),
        (
            leaf_ext_with(
                "certificatePolicies",
                "certificatePolicies=2.23.140.1.2.1,2.23.140.1.2.2",
            ),
            "ec",
            "cabf.policies",
        ),
        (
            leaf_ext_with(
                "certificatePolicies",
                "certificatePolicies=2.23.140.1.2.1,2.5.29.32.0",
            ),
            "ec",
            "cabf.policies",
        ),
        (leaf_ext_with("authorityInfoAccess", ""), "ec", "cabf.aia"),
        (
            leaf_ext_with(
                "authorityInfoAccess",
                "authorityInfoAccess=OCSP;URI:https://ocsp.ca.example.com,caIssuers;URI:http://ca.example.com/int.crt",
            ),
            "ec",
            "cabf.aia",
        ),
        (
            leaf_ext_with(
                "crlDistributionPoints",
                "crlDistributionPoints=URI:ldap://ca.example.com/int.crl",
            ),
            "ec",
            "cabf.crldp",
        ),
        (
            leaf_ext_with(
                "keyUsage",
                "keyUsage=critical,digitalSignature,keyEncipherment",
            ),
            "ec",
            "cabf.leaf-key-usage",
        ),
        (
            leaf_ext_with(
                "extendedKeyUsage",
                "extendedKeyUsage=serverAuth,emailProtection",
            ),
            "ec",
            "cabf.leaf-eku-other",
        ),
        (BR_LEAF_EXT.to_string(), "ed25519", "cabf.key-algorithm"),
    ];
    for (ext, key, code) in &cases {
        let found = lint("/CN=sbc.example.com", ext, key, None);
        assert!(
            cabf(&found).contains(code),
            "{code} expected: {found:?}\n{ext}"
        );
        assert!(
            cabf(&found).iter().all(|c| c == code),
            "only {code}: {found:?}\n{ext}"
        );
    }
    // Without an OCSP URL a subscriber certificate must name a CRL (ballot SC-063).
    let no_ocsp = leaf_ext_with(
        "authorityInfoAccess",
        "authorityInfoAccess=caIssuers;URI:http://ca.example.com/int.crt",
    );
    let found = lint("/CN=sbc.example.com", &no_ocsp, "ec", None);
    assert!(found.is_empty(), "{found:?}");
    let found = lint(
        "/CN=sbc.example.com",
        &no_ocsp.replace(
            "crlDistributionPoints=URI:http://ca.example.com/int.crl\n",
            "",
        ),
        "ec",
        None,
    );
    assert_eq!(cabf(&found), ["cabf.crldp"]);
}

#[test]
fn a_not_recommended_stays_a_warning_and_the_ca_profile_is_checked() {
    let found = lint(
        "/CN=sbc.example.com",
        &leaf_ext_with(
            "keyUsage",
            "keyUsage=critical,digitalSignature,keyAgreement",
        ),
        "ec",
        None,
    );
    assert_eq!(
        found,
        [("cabf.leaf-key-agreement".to_string(), Severity::Warning)],
        "NOT RECOMMENDED: a warning even with --strict"
    );
    // Critical policies: an error with --strict (pkilint: ERROR; rustls-webpki refuses them too).
    let found = lint(
        "/CN=sbc.example.com",
        &leaf_ext_with(
            "certificatePolicies",
            "certificatePolicies=critical,2.23.140.1.2.1",
        ),
        "ec",
        None,
    );
    assert!(
        found.contains(&("cabf.policies".to_string(), Severity::Error)),
        "{found:?}"
    );

    let ca = BR_CA_EXT.replace(
        "keyUsage=critical,digitalSignature,keyCertSign,cRLSign",
        "keyUsage=digitalSignature,keyCertSign,cRLSign",
    );
    let found = lint("/CN=sbc.example.com", BR_LEAF_EXT, "ec", Some(&ca));
    assert_eq!(cabf(&found), ["cabf.ca-key-usage"], "{found:?}");
    let ca = BR_CA_EXT.replace(
        "crlDistributionPoints=URI:http://ca.example.com/root.crl\n",
        "",
    );
    let found = lint("/CN=sbc.example.com", BR_LEAF_EXT, "ec", Some(&ca));
    assert_eq!(cabf(&found), ["cabf.crldp"], "{found:?}");
}

#[test]
fn a_precertificate_is_an_error_even_without_strict() {
    let dir = tempfile::tempdir().unwrap();
    let ext = leaf_ext_with(
        "1.3.6.1.4.1.11129.2.4.3",
        "1.3.6.1.4.1.11129.2.4.3=critical,ASN1:NULL",
    );
    br_chain(dir.path(), "/CN=sbc.example.com", &ext, "ec", None);
    let pile = std::fs::read_to_string(dir.path().join("leaf.pem")).unwrap()
        + &std::fs::read_to_string(dir.path().join("int.pem")).unwrap()
        + &std::fs::read_to_string(dir.path().join("root.pem")).unwrap();
    let mut o = options(Some("sbc.example.com"));
    o.at = time::OffsetDateTime::now_utc().unix_timestamp() + 86_400;
    let report = analyze(&[("pile.pem", pile.as_bytes())], &o);
    assert!(
        errors(&report).contains(&"cert.precertificate"),
        "{:?}",
        report.findings
    );
}

#[test]
fn private_pki_certificates_are_not_held_to_the_public_profiles() {
    // The same broken leaf (an OU, no policies, no AIA) under an intermediate that asserts no CA/B
    // Forum policy: a private CA's business, not the Baseline Requirements'.
    let ca = BR_CA_EXT.replace("certificatePolicies=2.23.140.1.2.1\n", "");
    let ext = leaf_ext_with("certificatePolicies", "")
        .replace("authorityInfoAccess=OCSP;URI:http://ocsp.ca.example.com,caIssuers;URI:http://ca.example.com/int.crt\n", "");
    let found = lint(
        "/C=US/O=Example Inc/OU=Voice/CN=sbc.example.com",
        &ext,
        "ec",
        Some(&ca),
    );
    assert!(
        !found.iter().any(|(c, _)| c.starts_with("cabf.")),
        "{found:?}"
    );
}
