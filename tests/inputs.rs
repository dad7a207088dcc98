#![cfg(unix)]
//! Nothing checked is not a pass, and links in folders are followed to files wherever they are (the
//! certbot layout) or named when they are not.

mod common;

use std::os::unix::fs::symlink;
use std::process::Output;

use common::*;

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn has(report: &serde_json::Value, code: &str, severity: &str) -> bool {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == code && f["severity"] == severity)
}

const AT_ARG: &str = "--at=2026-06-01T00:00:00Z";

#[test]
fn an_input_with_no_certificate_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = chain(Alg::P256);
    std::fs::create_dir(d.join("empty")).unwrap();
    std::fs::create_dir(d.join("keys")).unwrap();
    std::fs::write(d.join("keys/a.key"), c.leaf.key.serialize_pem()).unwrap();
    std::fs::write(d.join("keys/b.key"), c.root.key.serialize_pem()).unwrap();
    std::fs::write(d.join("lone.der"), c.leaf.key.serialize_der()).unwrap();
    std::fs::write(d.join("lone.pem"), c.leaf.key.serialize_pem()).unwrap();
    for input in ["empty", "keys", "lone.der", "lone.pem"] {
        let out = chainsmith(
            &[
                "check",
                input,
                "--host",
                "sbc.example.com",
                AT_ARG,
                "--json",
            ],
            d,
        );
        assert_eq!(out.status.code(), Some(1), "{input}");
        let report = json(&out);
        assert!(
            has(&report, "input.no-certificate", "error"),
            "{input}: {report}"
        );
        let text = chainsmith(&["check", input, "--host", "sbc.example.com", AT_ARG], d);
        assert!(
            !String::from_utf8_lossy(&text.stdout).contains("PASS"),
            "{input}"
        );
    }
    // And a real chain next to the keys still passes.
    std::fs::write(
        d.join("keys/chain.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    let out = chainsmith(&["check", "keys", "--host", "sbc.example.com", AT_ARG], d);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn certbots_live_folder_of_links_into_archive_loads_and_passes() {
    // /etc/letsencrypt as certbot lays it out: live/DOMAIN/*.pem are links to ../../archive/DOMAIN/*N.pem.
    let dir = tempfile::tempdir().unwrap();
    let le = dir.path().join("letsencrypt");
    let archive = le.join("archive/sbc.example.com");
    let live = le.join("live/sbc.example.com");
    std::fs::create_dir_all(&archive).unwrap();
    std::fs::create_dir_all(&live).unwrap();
    let c = chain(Alg::P256);
    std::fs::write(archive.join("cert1.pem"), c.leaf.pem()).unwrap();
    std::fs::write(archive.join("chain1.pem"), c.intermediate.pem()).unwrap();
    std::fs::write(
        archive.join("fullchain1.pem"),
        c.leaf.pem() + &c.intermediate.pem(),
    )
    .unwrap();
    std::fs::write(archive.join("privkey1.pem"), c.leaf.key.serialize_pem()).unwrap();
    for name in ["cert", "chain", "fullchain", "privkey"] {
        symlink(
            format!("../../archive/sbc.example.com/{name}1.pem"),
            live.join(format!("{name}.pem")),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("root.pem"), c.root.pem()).unwrap();
    let out = chainsmith(
        &[
            "check",
            "letsencrypt/live/sbc.example.com",
            "--roots",
            "root.pem",
            "--host",
            "sbc.example.com",
            AT_ARG,
            "--json",
        ],
        dir.path(),
    );
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    let chain: Vec<&str> = report["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sha256"].as_str().unwrap())
        .collect();
    assert_eq!(chain[..2], [c.leaf.sha256(), c.intermediate.sha256()]);
    assert!(has(&report, "input.private-key", "warning"), "{report}");
    assert!(!has(&report, "input.skipped-link", "warning"));
}

#[test]
fn links_that_are_not_followed_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("certs");
    std::fs::create_dir(&d).unwrap();
    let c = chain(Alg::P256);
    std::fs::write(
        d.join("chain.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    symlink("nowhere.pem", d.join("dangling.pem")).unwrap();
    symlink("loop-b.pem", d.join("loop-a.pem")).unwrap();
    symlink("loop-a.pem", d.join("loop-b.pem")).unwrap();
    symlink("/dev/null", d.join("device.pem")).unwrap();
    let out = chainsmith(
        &[
            "check",
            "certs",
            "--host",
            "sbc.example.com",
            AT_ARG,
            "--json",
        ],
        dir.path(),
    );
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    let skipped: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "input.skipped-link")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    for (file, why) in [
        ("dangling.pem", "dangling"),
        ("loop-a.pem", "loop"),
        ("loop-b.pem", "loop"),
        ("device.pem", "device"),
    ] {
        assert!(
            skipped.iter().any(|m| m.contains(file) && m.contains(why)),
            "{file}: {skipped:?}"
        );
    }
}

#[test]
fn the_total_input_budget_refuses_what_passes_it() {
    use chainsmith::engine::{self, Loaded, load};
    let c = chain(Alg::P256);
    let one = engine::load("leaf.pem", c.leaf.pem().as_bytes());
    // Certificates: 50,000 copies (shared, so this costs no memory) pass; one more input is refused.
    let mut many = Loaded::default();
    for _ in 0..load::MAX_TOTAL_CERTIFICATES {
        many.certificates.push(one.certificates[0].clone());
    }
    let mut loaded = Loaded::default();
    loaded.extend(many);
    assert!(!loaded.over_budget);
    loaded.extend(engine::load("chain.pem", c.intermediate.pem().as_bytes()));
    assert!(loaded.over_budget);
    assert_eq!(loaded.certificates.len(), load::MAX_TOTAL_CERTIFICATES);
    let refusal: Vec<_> = loaded
        .findings
        .iter()
        .filter(|f| f.code.as_str() == "input.too-large")
        .collect();
    assert_eq!(refusal.len(), 1);
    assert!(
        refusal[0]
            .message
            .contains("50000 certificates and 200 MiB"),
        "{}",
        refusal[0].message
    );
    // Bytes: past 200 MiB in all.
    let mut loaded = Loaded::default();
    let mut big = engine::load("a.pem", c.leaf.pem().as_bytes());
    big.bytes = load::MAX_TOTAL_BYTES - 10;
    loaded.extend(big);
    loaded.extend(engine::load("b.pem", c.root.pem().as_bytes()));
    assert!(loaded.over_budget);
    assert_eq!(loaded.certificates.len(), 1);
    // And the report says so: an error.
    let report = engine::analyze(&loaded, None, &options(None));
    assert!(errors(&report).contains(&"input.too-large"));
}

#[test]
fn a_file_of_empty_blocks_is_a_few_findings_not_thousands() {
    let block = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
    let loaded = chainsmith::engine::load("empty.pem", block.repeat(5000).as_bytes());
    let malformed: Vec<_> = loaded
        .findings
        .iter()
        .filter(|f| f.code.as_str() == "input.malformed")
        .collect();
    assert_eq!(malformed.len(), 21);
    assert!(
        malformed[20].message.contains("4980 more malformed blocks"),
        "{}",
        malformed[20].message
    );
}

#[test]
fn a_pile_of_one_subject_is_judged_and_a_leaf_list_is_short() {
    // 3,000 self-signed certificates of one subject, each with its own key: every one names every
    // other as a possible issuer (counted per name, not compared pair by pair).
    let mut pile = String::new();
    for i in 0..3000u32 {
        let mut params = leaf_params("same.example.com", &["same.example.com"]);
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&(i + 1).to_be_bytes()));
        pile.push_str(&issue_with_key(params, key(Alg::P256), None).pem());
    }
    let report = analyze(
        &[("same.pem", pile.as_bytes())],
        &options(Some("same.example.com")),
    );
    assert_eq!(report.chain.len() + report.excluded.len(), 3000);
    // Thirty leaves valid for one host: the ambiguity lists ten and counts the rest.
    let c = chain(Alg::P256);
    let mut pile = c.intermediate.pem() + &c.root.pem();
    for i in 0..30 {
        let name = format!("sbc{i}.example.com");
        pile.push_str(
            &c.intermediate
                .issue(
                    leaf_params(&name, &[&name, "shared.example.com"]),
                    Alg::P256,
                )
                .pem(),
        );
    }
    let report = analyze(
        &[("leaves.pem", pile.as_bytes())],
        &options(Some("shared.example.com")),
    );
    let ambiguous = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "chain.ambiguous-leaf")
        .expect("ambiguous");
    assert!(
        ambiguous.message.contains("and 20 more"),
        "{}",
        ambiguous.message
    );
    assert!(ambiguous.message.contains("more than one is valid"));
}

/// A file that cannot be read, in a folder with good files beside it: `input.unreadable` names it, and
/// the chain still loads and passes. Run as an unprivileged user (through `runuser` when the tests run
/// as root), with a copy of the binary that user may run.
#[test]
fn an_unreadable_file_in_a_folder_is_named_and_the_rest_loads() {
    use std::os::unix::fs::PermissionsExt as _;
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let folder = d.join("certs");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("leaf.pem"), c.leaf.pem()).unwrap();
    std::fs::write(
        folder.join("chain.pem"),
        c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    std::fs::write(folder.join("secret-ca.pem"), c.intermediate.pem()).unwrap();
    for (path, mode) in [
        (folder.as_path(), 0o755),
        (&folder.join("leaf.pem"), 0o644),
        (&folder.join("chain.pem"), 0o644),
        (&folder.join("secret-ca.pem"), 0o000),
    ] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let out = chainsmith_unprivileged(
        d,
        &[
            "check",
            "certs",
            "--host",
            "sbc.example.com",
            AT_ARG,
            "--json",
        ],
    );
    let report = json(&out);
    assert!(has(&report, "input.unreadable", "error"), "{report}");
    let unreadable = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "input.unreadable")
        .unwrap();
    assert!(
        unreadable["message"]
            .as_str()
            .unwrap()
            .contains("secret-ca.pem"),
        "{unreadable}"
    );
    // The good files beside it loaded: the whole chain, in order.
    let chain: Vec<&str> = report["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sha256"].as_str().unwrap())
        .collect();
    assert_eq!(chain.len(), 3, "{report}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "an unreadable input fails the check"
    );
}
