#![cfg(unix)]
//! Nothing checked is not a pass, and links in folders are followed to files wherever they are (the
//! certbot layout) or named when they are not.

mod common;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn chainsmith(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run chainsmith")
}

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
