//! The `teams-direct-routing` profile: the SBC's certificate as Microsoft Teams Direct Routing's SIP
//! proxies see it (Microsoft's "Plan Direct Routing": FQDN in CN or SAN, one-label wildcards, serverAuth
//! and clientAuth, a root of Microsoft's program, ECDHE-RSA suites only), and the SBC's own trust store
//! against the seven roots Microsoft's proxies chain to from 2026.

mod common;

use chainsmith::engine::{self, Profile, Severity};
use common::*;
use rcgen::ExtendedKeyUsagePurpose;

fn teams(host: &str) -> engine::CheckOptions {
    let mut o = options(Some(host));
    o.profile = Profile::TeamsDirectRouting;
    o
}

fn badssl(file: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("badssl/chain").join(file)).unwrap()
}

fn severity_of(report: &engine::Report, code: &str) -> Option<Severity> {
    report
        .findings
        .iter()
        .find(|f| f.code.as_str() == code)
        .map(|f| f.severity)
}

#[test]
fn a_public_rsa_chain_with_both_ekus_passes_on_a_root_mozilla_dropped() {
    // *.badssl.com (RSA 2048, serverAuth + clientAuth) under DigiCert Global Root CA, which left the
    // Mozilla set but is one of the roots Microsoft's own proxies chain to: Teams accepts it.
    let pem = badssl("wildcard-rsa2048.pem");
    let mut o = teams("sbc.badssl.com");
    o.at = at("2021-04-19T00:00:00Z");
    let report = analyze(&[("sbc.pem", &pem)], &o);
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(report.chain.len(), 3, "anchored at DigiCert Global Root CA");

    // A wildcard covers one label only (Microsoft's example: not sbc.test.contoso.com).
    let mut o = teams("sbc.test.badssl.com");
    o.at = at("2021-04-19T00:00:00Z");
    let report = analyze(&[("sbc.pem", &pem)], &o);
    assert_eq!(severity_of(&report, "name.mismatch"), Some(Severity::Error));

    // The same chain for a plain TLS server with the Mozilla set: no anchor.
    let mut o = options(Some("sbc.badssl.com"));
    o.at = at("2021-04-19T00:00:00Z");
    o.public_roots = true;
    let report = analyze(&[("sbc.pem", &pem)], &o);
    assert!(!report.passed());
}

#[test]
fn an_ecdsa_leaf_has_no_cipher_suite_microsoft_lists() {
    let pem = badssl("wildcard-ecc256.pem");
    let mut o = teams("sbc.badssl.com");
    o.at = at("2021-04-19T00:00:00Z");
    let report = analyze(&[("sbc.pem", &pem)], &o);
    assert_eq!(
        severity_of(&report, "profile.key-type"),
        Some(Severity::Error)
    );
    let message = &report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "profile.key-type")
        .unwrap()
        .message;
    assert!(
        message.contains("Teams") && message.contains("RSA"),
        "{message}"
    );
    // tls-server has no such rule.
    let mut o = options(Some("sbc.badssl.com"));
    o.at = at("2021-04-19T00:00:00Z");
    let report = analyze(&[("sbc.pem", &pem)], &o);
    assert!(!codes(&report).contains(&"profile.key-type"));
}

#[test]
fn client_auth_is_required_and_private_roots_are_not_trusted() {
    let c = chain(Alg::Rsa2048);
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_only = c.intermediate.issue(params, Alg::Rsa2048);
    let pile = server_only.pem() + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(&[("pile.pem", pile.as_bytes())], &teams("sbc.example.com"));
    assert_eq!(
        severity_of(&report, "leaf.eku-client-auth-missing"),
        Some(Severity::Error),
        "{:?}",
        report.findings
    );
    // A private root is not trusted by Microsoft, --roots or not, and the message says why.
    let untrusted = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "chain.untrusted-root")
        .unwrap_or_else(|| panic!("{:?}", report.findings));
    assert!(
        untrusted.message.contains("Microsoft"),
        "{}",
        untrusted.message
    );
    // Its fix does not send the admin to a roots file: Microsoft's trust is not Chainsmith's.
    for face in [engine::finding::Face::Cli, engine::finding::Face::Window] {
        let fix = report.fix(untrusted, face);
        assert!(
            fix.contains("Microsoft Trusted Root Program")
                && !fix.contains("roots file")
                && !fix.contains("--roots"),
            "{fix}"
        );
    }
    let roots = load(&[("root.pem", c.root.pem().as_bytes())]);
    let report = engine::analyze(
        &load(&[("pile.pem", pile.as_bytes())]),
        Some(&roots),
        &teams("sbc.example.com"),
    );
    assert!(!report.passed());

    // Both EKUs: no EKU finding; with tls-server, a serverAuth-only leaf is fine.
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let both = c.intermediate.issue(params, Alg::Rsa2048);
    let pile_both = both.pem() + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(
        &[("pile.pem", pile_both.as_bytes())],
        &teams("sbc.example.com"),
    );
    assert!(!codes(&report).contains(&"leaf.eku-client-auth-missing"));
    let report = analyze(
        &[("pile.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert!(!codes(&report).contains(&"leaf.eku-client-auth-missing"));
}

#[test]
fn the_fqdn_in_the_common_name_only_is_enough_for_teams() {
    let c = chain(Alg::Rsa2048);
    let leaf = c.intermediate.issue(
        leaf_params("sbc.example.com", &["other.example.com"]),
        Alg::Rsa2048,
    );
    let pile = leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(&[("pile.pem", pile.as_bytes())], &teams("sbc.example.com"));
    assert_eq!(severity_of(&report, "teams.cn-only"), Some(Severity::Info));
    assert!(!codes(&report).contains(&"name.mismatch"));
    // A wildcard CN follows the one-label rule too.
    let wild = c.intermediate.issue(
        leaf_params("*.example.com", &["other.example.com"]),
        Alg::Rsa2048,
    );
    let pile = wild.pem() + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(
        &[("pile.pem", pile.as_bytes())],
        &teams("a.sbc.example.com"),
    );
    assert!(codes(&report).contains(&"name.mismatch"));
    assert!(!codes(&report).contains(&"teams.cn-only"));
    // Every other profile reads the subjectAltName alone (RFC 6125).
    let pile = leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(
        &[("pile.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert!(codes(&report).contains(&"name.mismatch"));
}

#[test]
fn the_sbc_trust_store_is_checked_for_the_seven_roots_and_teams_roots_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sbc.pem"), badssl("wildcard-rsa2048.pem")).unwrap();
    // teams-roots writes the seven, as openssl reads them.
    let out = chainsmith(&["teams-roots", "--output", "teams.pem"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(dir.path().join("teams.pem")).unwrap();
    assert_eq!(written.matches("BEGIN CERTIFICATE").count(), 7);
    let listed = std::process::Command::new("openssl")
        .args(["crl2pkcs7", "-nocrl", "-certfile", "teams.pem"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(listed.status.success());

    // A store holding five of them: the two missing are named.
    let five: String = engine::teams::SBC_TRUST_2026[..5]
        .iter()
        .map(|r| r.pem)
        .collect();
    std::fs::write(dir.path().join("store.pem"), five).unwrap();
    let check = |store: &str| {
        chainsmith(
            &[
                "check",
                "sbc.pem",
                "--host",
                "sbc.badssl.com",
                "--at=2021-04-19T00:00:00Z",
                "--profile",
                "teams-direct-routing",
                "--sbc-trust",
                store,
                "--json",
            ],
            dir.path(),
        )
    };
    let out = check("store.pem");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let missing: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "teams.sbc-trust-missing")
        .collect();
    assert_eq!(missing.len(), 1, "{report}");
    assert_eq!(missing[0]["severity"], "error");
    let message = missing[0]["message"].as_str().unwrap();
    assert!(
        message.contains("2 of the 7")
            && message.contains("Microsoft ECC Root Certificate Authority 2017")
            && message.contains("Microsoft RSA Root Certificate Authority 2017")
            && !message.contains("DigiCert Global Root G2"),
        "{message}"
    );
    assert_eq!(out.status.code(), Some(1));

    // The file teams-roots wrote: nothing missing, the check passes.
    let out = check("teams.pem");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // --sbc-trust means nothing to another profile: refused, not ignored.
    let out = chainsmith(
        &["check", "sbc.pem", "--sbc-trust", "teams.pem"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("teams-direct-routing"));
}
