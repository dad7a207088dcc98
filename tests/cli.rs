//! The built `chainsmith` binary: exit codes, JSON shape, bundle writing.

mod common;

use std::process::Output;

use common::*;

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

/// A folder with the usual chain split into files, plus a private key and a stray certificate.
fn workspace() -> (tempfile::TempDir, Chain) {
    let dir = tempfile::tempdir().unwrap();
    let c = chain(Alg::Rsa2048);
    std::fs::write(
        dir.path().join("leaf.pem"),
        c.leaf.pem() + &c.leaf.key.serialize_pem(),
    )
    .unwrap();
    std::fs::write(dir.path().join("intermediate.cer"), &c.intermediate.der).unwrap();
    std::fs::write(dir.path().join("root.crt"), c.root.pem()).unwrap();
    (dir, c)
}

const AT_ARG: &str = "--at=2026-06-01T00:00:00Z";

#[test]
fn check_passes_with_exit_0_and_fails_with_exit_1() {
    let (dir, _) = workspace();
    let out = chainsmith(
        &[
            "check",
            "root.crt",
            "leaf.pem",
            "intermediate.cer",
            "--host",
            "sbc.example.com",
            AT_ARG,
        ],
        dir.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code(&out), 0, "{text}");
    assert!(
        text.contains("PASS: 3 certificates, valid for sbc.example.com until 2027-01-01"),
        "{text}"
    );
    assert!(text.contains("input.private-key"));
    // Three files given in another order than the chain's: no reordering note (each file holds one
    // certificate in the right order).
    assert!(!text.contains("chain.order"), "{text}");

    let out = chainsmith(
        &["check", ".", "--host", "other.example.com", AT_ARG],
        dir.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code(&out), 1, "{text}");
    assert!(
        text.contains("name.mismatch") && text.contains("fix:"),
        "{text}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let (dir, _) = workspace();
    // Each refusal says what is wrong, in words naming the argument (not just "something failed").
    for (args, says) in [
        (vec!["check"], "no input: give certificate files or folders"),
        (vec!["check", "missing.pem"], "cannot open missing.pem"),
        (
            vec!["check", "leaf.pem", "--at", "yesterday"],
            "--at: \"yesterday\" is neither RFC 3339",
        ),
        (
            vec!["check", "leaf.pem", "--host", "bad host"],
            "--host: \"bad host\" is not a valid DNS name or IP address",
        ),
        (
            vec!["check", "leaf.pem", "--profile", "nonsense"],
            "invalid value 'nonsense' for '--profile",
        ),
        (
            vec!["check", "leaf.pem", "--roots", "missing.pem"],
            "cannot open missing.pem",
        ),
        (vec!["build", "leaf.pem"], "--output <OUT>"),
    ] {
        let out = chainsmith(&args, dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 2, "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(
            out.stdout.is_empty(),
            "{args:?}: nothing on standard output"
        );
    }
}

#[test]
fn json_has_the_documented_shape() {
    let (dir, c) = workspace();
    let out = chainsmith(
        &["check", ".", "--host", "sbc.example.com", "--json", AT_ARG],
        dir.path(),
    );
    assert_eq!(code(&out), 0);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["verdict"], "pass");
    assert_eq!(json["host"], "sbc.example.com");
    assert_eq!(json["profile"], "tls-server");
    assert_eq!(json["at"], "2026-06-01T00:00:00Z");
    let chain = json["chain"].as_array().unwrap();
    assert_eq!(chain.len(), 3);
    let leaf = &chain[0];
    assert_eq!(leaf["role"], "leaf");
    assert_eq!(leaf["sha256"], c.leaf.sha256());
    assert_eq!(leaf["key"], "RSA 2048");
    assert_eq!(leaf["signature_algorithm"], "sha256WithRSAEncryption");
    assert_eq!(
        leaf["sans"],
        serde_json::json!(["sbc.example.com", "192.0.2.10"])
    );
    assert_eq!(leaf["not_after"], "2027-01-01T00:00:00Z");
    assert!(leaf["source"].as_str().unwrap().ends_with("leaf.pem"));
    for key in ["subject", "issuer", "serial", "not_before"] {
        assert!(leaf[key].is_string(), "{key}");
    }
    assert_eq!(chain[1]["role"], "intermediate");
    assert_eq!(chain[2]["role"], "root");
    assert!(json["excluded"].as_array().unwrap().is_empty());
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "input.private-key")
        .unwrap();
    assert_eq!(finding["severity"], "warning");
    assert!(finding["sha256"].is_null());
    assert!(finding["message"].as_str().unwrap().contains("leaf.pem"));
}

#[test]
fn build_writes_the_ordered_bundle_and_never_the_key() {
    let (dir, c) = workspace();
    let out = chainsmith(
        &[
            "build",
            ".",
            "--host",
            "sbc.example.com",
            AT_ARG,
            "-o",
            "bundle.pem",
        ],
        dir.path(),
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let bundle = std::fs::read_to_string(dir.path().join("bundle.pem")).unwrap();
    assert_eq!(bundle, c.leaf.pem() + &c.intermediate.pem());
    assert!(!bundle.contains("PRIVATE KEY"));

    let out = chainsmith(
        &["build", ".", AT_ARG, "--include-root", "-o", "-"],
        dir.path(),
    );
    assert_eq!(code(&out), 0);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()
    );

    let out = chainsmith(&["build", ".", AT_ARG, "--ca-only", "-o", "-"], dir.path());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        c.intermediate.pem() + &c.root.pem()
    );
}

#[test]
fn build_refuses_errors_unless_forced_and_leaves_the_old_file() {
    let (dir, c) = workspace();
    std::fs::write(dir.path().join("bundle.pem"), "previous bundle\n").unwrap();
    let out = chainsmith(
        &[
            "build",
            "leaf.pem",
            "intermediate.cer",
            "root.crt",
            "--host",
            "wrong.example.com",
            AT_ARG,
            "-o",
            "bundle.pem",
        ],
        dir.path(),
    );
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bundle.pem")).unwrap(),
        "previous bundle\n"
    );

    let out = chainsmith(
        &[
            "build",
            "leaf.pem",
            "intermediate.cer",
            "root.crt",
            "--host",
            "wrong.example.com",
            AT_ARG,
            "--force",
            "-o",
            "bundle.pem",
        ],
        dir.path(),
    );
    assert_eq!(code(&out), 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bundle.pem")).unwrap(),
        c.leaf.pem() + &c.intermediate.pem()
    );
    // Only the bundle remains: no temporary file was left behind.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["bundle.pem", "intermediate.cer", "leaf.pem", "root.crt"]
    );
}

#[test]
fn leaf_pin_and_roots_from_files() {
    let (dir, c) = workspace();
    let other = c.intermediate.issue(
        leaf_params("other.example.com", &["other.example.com"]),
        Alg::P256,
    );
    std::fs::write(dir.path().join("other.pem"), other.pem()).unwrap();
    let out = chainsmith(&["check", ".", AT_ARG, "--json"], dir.path());
    assert_eq!(code(&out), 1, "two leaves: ambiguous");
    let out = chainsmith(
        &[
            "check",
            "intermediate.cer",
            "root.crt",
            "--leaf",
            "other.pem",
            AT_ARG,
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["chain"][0]["sha256"], other.sha256());
    // --leaf alone is enough input when the roots come from --roots... but the intermediate is missing.
    let out = chainsmith(
        &["check", "--leaf", "leaf.pem", "--roots", "root.crt", AT_ARG],
        dir.path(),
    );
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("chain.incomplete"));
}

#[test]
fn folders_follow_links_to_files_anywhere_and_name_the_others() {
    let (dir, _) = workspace();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("stray.pem"),
        root("Outside Root", Alg::P256).pem(),
    )
    .unwrap();
    let certs = dir.path().join("certs");
    std::fs::create_dir(&certs).unwrap();
    for f in ["leaf.pem", "intermediate.cer", "root.crt"] {
        std::fs::rename(dir.path().join(f), certs.join(f)).unwrap();
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.path().join("stray.pem"), certs.join("stray.pem"))
            .unwrap();
        std::os::unix::fs::symlink(&certs, certs.join("loop")).unwrap();
        std::os::unix::fs::symlink(certs.join("root.crt"), certs.join("root-link.crt")).unwrap();
    }
    let out = chainsmith(&["check", "certs", AT_ARG, "--json"], dir.path());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(code(&out), 0, "{json:#}");
    let text = json.to_string();
    // The link out of the folder is followed to its file (certbot's live/ → archive/ layout): the stray
    // root is read, and left out as unrelated.
    assert!(
        text.contains("Outside Root") && text.contains("chain.unrelated"),
        "{json:#}"
    );
    // The link to a folder is named, not followed.
    assert!(text.contains("input.skipped-link"), "{json:#}");
    // The in-folder link is followed and recognised as a duplicate.
    assert!(text.contains("chain.duplicate"));
}

#[test]
fn at_takes_a_date_or_rfc3339() {
    let (dir, _) = workspace();
    for (at, meant) in [
        ("2026-06-01", "2026-06-01T00:00:00Z"),
        ("2026-06-01T12:00:00+02:00", "2026-06-01T10:00:00Z"),
    ] {
        let out = chainsmith(
            &[
                "check",
                ".",
                "--host",
                "sbc.example.com",
                "--at",
                at,
                "--json",
            ],
            dir.path(),
        );
        assert_eq!(code(&out), 0, "{at}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["at"], meant, "{at}");
    }
    let out = chainsmith(
        &[
            "check",
            ".",
            "--host",
            "sbc.example.com",
            "--at",
            "2027-02-01",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(code(&out), 1, "expired by then");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["at"], "2027-02-01T00:00:00Z");
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "cert.expired" && f["severity"] == "error"),
        "{json}"
    );
}

#[test]
fn arguments_outside_what_can_be_meant_are_exit_2() {
    let (dir, _) = workspace();
    let d = dir.path();
    // --at: years 1 to 9999 in UTC only (an offset can push a valid-looking time past them).
    for at in ["9999-12-31T23:30:00-01:00", "0001-01-01T00:30:00+01:00"] {
        let out = chainsmith(&["check", "leaf.pem", "--at", at, "--json"], d);
        assert_eq!(code(&out), 2, "{at}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("years 1 to 9999"));
        assert!(out.stdout.is_empty());
    }
    // The last instant of year 9999 in UTC is a time like any other: judged (the leaf has expired by
    // then: exit 1), and the report says when.
    let out = chainsmith(
        &[
            "check",
            "leaf.pem",
            "--at",
            "9999-12-31T23:30:00Z",
            "--json",
        ],
        d,
    );
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["at"], "9999-12-31T23:30:00Z");
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "cert.expired"),
        "{json}"
    );
    // --host: invisible characters are refused, not dropped.
    for host in ["sbc\u{200b}.example.com", "sbc.example.com\u{202e}"] {
        let out = chainsmith(&["check", "leaf.pem", "--host", host], d);
        assert_eq!(code(&out), 2, "{host:?}");
    }
    // --roots: files, not folders.
    std::fs::create_dir(d.join("roots")).unwrap();
    std::fs::copy(d.join("root.crt"), d.join("roots/root.crt")).unwrap();
    let out = chainsmith(&["check", "leaf.pem", "--roots", "roots", AT_ARG], d);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("a folder"));
}

#[test]
fn a_refused_json_build_keeps_standard_error_json() {
    let (dir, _) = workspace();
    let out = chainsmith(
        &[
            "build",
            "leaf.pem",
            "intermediate.cer",
            "root.crt",
            "--host",
            "wrong.example.com",
            AT_ARG,
            "--json",
            "-o",
            "-",
        ],
        dir.path(),
    );
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty(), "no bundle on standard output");
    let report: serde_json::Value = serde_json::from_slice(&out.stderr)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "name.mismatch" && f["severity"] == "error")
    );
}

#[test]
fn paths_says_where_every_file_lives() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .arg("paths")
        .env_remove("CHAINSMITH_DATA_DIR")
        .env("XDG_DATA_HOME", dir.path().join("share"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let text = String::from_utf8_lossy(&out.stdout);
    let share = dir.path().join("share/chainsmith");
    for (what, path) in [
        ("data folder", share.clone()),
        ("audit log", share.join("audit.jsonl")),
        ("backups", share.join("backups")),
        ("rotation runs", share.join("rotations")),
        ("AIA cache", dir.path().join("cache/chainsmith/aia")),
        ("window preferences", share.join("app.ron")),
    ] {
        let line = format!("{what:<20} {}", path.display());
        assert!(text.lines().any(|l| l == line), "{line}\n{text}");
    }
    // CHAINSMITH_DATA_DIR moves the data, as it does for uploads.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .arg("paths")
        .env("CHAINSMITH_DATA_DIR", dir.path().join("portable"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!(
        "{}",
        dir.path().join("portable/audit.jsonl").display()
    )));
}

/// `--json` is ASCII: non-ASCII text is written as `\u` escapes (readable in any code page, and by
/// Windows PowerShell 5.1, which decodes a redirected program's output in the console's code page),
/// and reads back as the same text.
#[test]
fn json_output_is_ascii_and_reads_back_the_same_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = root("Zoë Racine CA → 🔒", Alg::P256);
    let leaf = root.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    std::fs::write(dir.path().join("zoë.pem"), leaf.pem() + &root.pem()).unwrap();
    for args in [
        vec!["check", "zoë.pem", "--json", "--at=2026-06-01T00:00:00Z"],
        vec![
            "build",
            "zoë.pem",
            "-o",
            "-",
            "--json",
            "--at=2026-06-01T00:00:00Z",
        ],
    ] {
        let out = chainsmith(&args, dir.path());
        // check prints the report on stdout; build prints the bundle there and the report on stderr.
        let json = if args[0] == "check" {
            &out.stdout
        } else {
            &out.stderr
        };
        let text = String::from_utf8(json.clone()).unwrap();
        assert!(text.is_ascii(), "{args:?}: {text}");
        assert!(
            text.contains("Zo\\u00eb Racine CA \\u2192 \\ud83d\\udd12"),
            "{text}"
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let shown = value.to_string();
        assert!(shown.contains("Zoë Racine CA → 🔒"), "{shown}");
        assert!(shown.contains("zoë.pem"), "the file name too: {shown}");
    }
}
