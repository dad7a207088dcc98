//! Trusting the servers an upload talks to, as curl does: an SBC management API whose certificate was
//! made with `openssl req -x509` (a CA certificate used as the server's own) is reached with that
//! certificate in `--ca-file` or with `--pin-sha256`; without either, the refusal names the reason and
//! the fix, after one attempt. The servers are the sandbox serving openssl's certificate and a plain
//! HTTP listener; curl is the peer we agree with.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use chainsmith::sandbox::{self, CLIENT_ID, CLIENT_SECRET, Identity};
use common::*;
use serde_json::Value;

const AT_ARG: &str = "--at=2026-06-01T00:00:00Z";

fn serve(dir: &Path, name: &str) -> sandbox::Handle {
    sandbox::start_serving(
        0,
        vec![],
        Some(Identity {
            chain_pem: std::fs::read(dir.join(format!("{name}.pem"))).unwrap(),
            key_pem: std::fs::read(dir.join(format!("{name}.key"))).unwrap(),
        }),
    )
    .unwrap()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .args(args)
        .current_dir(dir)
        .env("CHAINSMITH_DATA_DIR", dir.join("data"))
        .env("CHAINSMITH_CLIENT_SECRET", CLIENT_SECRET)
        .env_remove("CHAINSMITH_TOKEN")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

/// A REST upload of the test chain to the sandbox's generic endpoint at `base`, plus `extra`.
fn upload(dir: &Path, base: &str, extra: &[&str]) -> Output {
    let url = format!("{base}/trunk-api/trunks/sbc-7/certificate");
    let mut args = vec![
        "upload",
        "--target",
        "rest",
        "--url",
        &url,
        "--auth",
        "basic",
        "--username",
        CLIENT_ID,
        "--host",
        "sbc.example.com",
        AT_ARG,
        "chain",
    ];
    args.extend_from_slice(extra);
    run(dir, &args)
}

fn last_audit(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("data/audit.jsonl")).unwrap();
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let chain = chain(Alg::P256);
    let folder = dir.path().join("chain");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("leaf.pem"), chain.leaf.pem()).unwrap();
    std::fs::write(folder.join("intermediate.pem"), chain.intermediate.pem()).unwrap();
    std::fs::write(folder.join("root.pem"), chain.root.pem()).unwrap();
    dir
}

/// `curl --cacert FILE URL` succeeds (curl's exit code).
fn curl(dir: &Path, cacert: &str, url: &str) -> i32 {
    Command::new("curl")
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "--max-time",
            "10",
            "--cacert",
            cacert,
            url,
        ])
        .current_dir(dir)
        .status()
        .expect("curl is needed by this test (.ci/run installs it)")
        .code()
        .unwrap_or(-1)
}

#[test]
fn openssl_req_x509_server_is_trusted_by_ca_file_or_pin_and_refused_without_in_one_attempt() {
    let dir = setup();
    let d = dir.path();
    let pem = openssl_self_signed(d, "sbc", "/CN=sbc-mgmt", Some("DNS:localhost,IP:127.0.0.1"));
    // What openssl made is a CA certificate (basicConstraints CA:TRUE), as on many SBCs.
    let made = &chainsmith::engine::load("sbc.pem", &pem).certificates[0];
    assert!(made.is_ca(), "openssl req -x509 made a CA certificate");
    let fingerprint = made.sha256.hex();
    let server = serve(d, "sbc");
    let base = server.base_url();

    // curl trusts it with --cacert: so must we.
    assert_eq!(
        curl(
            d,
            "sbc.pem",
            &format!("{base}/trunk-api/trunks/x/certificate")
        ),
        0
    );

    // Neither --ca-file nor a pin: refused, in words, once.
    let served = server.requests();
    let out = upload(d, &base, &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    for words in [
        "CA certificate",
        "openssl req -x509",
        "--ca-file",
        "--pin-sha256",
        fingerprint.as_str(),
        "sbc-mgmt",
    ] {
        assert!(err.contains(words), "missing {words:?} in: {err}");
    }
    for debug in [
        "OtherError",
        "CaUsedAsEndEntity",
        "InvalidCertificate",
        "Other(",
    ] {
        assert!(!err.contains(debug), "Debug text {debug:?} in: {err}");
    }
    let audit = last_audit(d);
    assert_eq!(audit["result"], "failed");
    assert_eq!(audit["changed"], false);
    assert_eq!(audit["requests"][0]["attempts"], 1, "{audit}");
    assert_eq!(server.requests(), served, "nothing reached the API");

    // The server's own certificate in --ca-file: trusted, uploaded and read back.
    let out = upload(d, &base, &["--ca-file", "sbc.pem"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // By fingerprint, as openssl prints it (upper case, colons), saved with the definition.
    let colons = fingerprint
        .as_bytes()
        .chunks(2)
        .map(|p| std::str::from_utf8(p).unwrap().to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(":");
    let out = upload(
        d,
        &base,
        &["--pin-sha256", &colons, "--save-target", "sbc-7.json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("sbc-7.json")).unwrap()).unwrap();
    assert_eq!(saved["pins"], serde_json::json!([fingerprint]));
    // The saved definition alone is enough.
    let out = run(
        d,
        &[
            "upload",
            "--target-file",
            "sbc-7.json",
            "--host",
            "sbc.example.com",
            AT_ARG,
            "chain",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // Rollback: the backup keeps the target with its pins, so it needs no flag...
    let backup = last_audit(d)["backup"].as_str().unwrap().to_string();
    let out = run(d, &["rollback", &backup]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // ...while a backup made with --ca-file needs it again, and says so in words.
    let out = upload(d, &base, &["--ca-file", "sbc.pem"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let backup = last_audit(d)["backup"].as_str().unwrap().to_string();
    let out = run(d, &["rollback", &backup]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("CA certificate"), "{}", stderr(&out));
    let out = run(d, &["rollback", &backup, "--ca-file", "sbc.pem"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // A pin of another certificate does not help.
    let other = "ab".repeat(32);
    let out = upload(d, &base, &["--pin-sha256", &other]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("CA certificate"), "{}", stderr(&out));

    // A bad pin is a usage error that names it.
    let out = upload(d, &base, &["--pin-sha256", "12:34"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--pin-sha256 12:34"),
        "{}",
        stderr(&out)
    );

    // Genesys through the same server: trunks with the pin; refused without it.
    let trunks = |extra: &[&str]| {
        let mut args = vec![
            "trunks",
            "--client-id",
            CLIENT_ID,
            "--api-base",
            &base,
            "--login-base",
            &base,
        ];
        args.extend_from_slice(extra);
        run(d, &args)
    };
    let out = trunks(&["--pin-sha256", &fingerprint]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("4 EXTERNAL trunk(s)"));
    let out = trunks(&[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("--pin-sha256"), "{}", stderr(&out));
}

#[test]
fn a_pinned_certificate_still_needs_the_right_host_name_and_dates() {
    let dir = setup();
    let d = dir.path();
    // Made for another host: pinned, but 127.0.0.1 is not in it.
    openssl_self_signed(d, "other", "/CN=sbc-mgmt", Some("DNS:sbc.example.net"));
    let server = serve(d, "other");
    let out = upload(d, &server.base_url(), &["--ca-file", "other.pem"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("not valid for 127.0.0.1"), "{err}");
    assert!(err.contains("sbc.example.net"), "{err}");
    assert!(err.contains("subjectAltName"), "{err}");
    // curl agrees.
    assert_ne!(curl(d, "other.pem", &format!("{}/", server.base_url())), 0);

    // No subjectAltName at all: the CN is the name (RFC 6125 §6.4.4), as curl does.
    openssl_self_signed(d, "cn-only", "/CN=localhost", None);
    let server = serve(d, "cn-only");
    let local = format!("https://localhost:{}", server.address.port());
    assert_eq!(curl(d, "cn-only.pem", &format!("{local}/")), 0);
    let out = upload(d, &local, &["--ca-file", "cn-only.pem"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // Expired (made with rcgen: openssl req cannot back-date): a pin does not revive it.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(d.join("expired.pem"), cert.pem()).unwrap();
    std::fs::write(d.join("expired.key"), key.serialize_pem()).unwrap();
    let server = serve(d, "expired");
    let fingerprint = chainsmith::engine::cert::Fingerprint::of(cert.der()).hex();
    let out = upload(d, &server.base_url(), &["--pin-sha256", &fingerprint]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("expired on 2021-01-01"), "{err}");
    assert!(err.contains("Renew"), "{err}");
    assert_eq!(last_audit(d)["requests"][0]["attempts"], 1);
}

/// Issue 23: a pinned certificate must allow serverAuth (or have no extendedKeyUsage): one made for
/// TLS clients only is refused, as curl refuses it; nothing is sent.
#[test]
fn a_pinned_certificate_for_clients_only_is_refused_as_curl_refuses_it() {
    let dir = setup();
    let d = dir.path();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    params.not_before = rcgen::date_time_ymd(2026, 1, 1);
    params.not_after = rcgen::date_time_ymd(2036, 1, 1);
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(d.join("client-only.pem"), cert.pem()).unwrap();
    std::fs::write(d.join("client-only.key"), key.serialize_pem()).unwrap();
    let server = serve(d, "client-only");
    assert_ne!(
        curl(d, "client-only.pem", &format!("{}/", server.base_url())),
        0,
        "curl refuses it"
    );
    let fingerprint = chainsmith::engine::cert::Fingerprint::of(cert.der()).hex();
    for trust in [
        vec!["--pin-sha256", fingerprint.as_str()],
        vec!["--ca-file", "client-only.pem"],
    ] {
        let out = upload(d, &server.base_url(), &trust);
        let err = stderr(&out);
        assert_eq!(code(&out), 3, "{trust:?}: {err}");
        assert!(err.contains("does not allow TLS servers"), "{err}");
        assert_eq!(last_audit(d)["requests"][0]["attempts"], 1);
    }
    assert_eq!(server.received().len(), 0, "nothing sent");

    // The same with serverAuth is accepted as pinned.
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(d.join("server.pem"), cert.pem()).unwrap();
    std::fs::write(d.join("server.key"), key.serialize_pem()).unwrap();
    let server = serve(d, "server");
    let fingerprint = chainsmith::engine::cert::Fingerprint::of(cert.der()).hex();
    let out = upload(d, &server.base_url(), &["--pin-sha256", &fingerprint]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn a_plain_http_port_behind_https_fails_in_words_once() {
    let dir = setup();
    let d = dir.path();
    let port = serve_http(b"hello".to_vec());
    let out = upload(d, &format!("https://127.0.0.1:{port}"), &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("does not speak TLS"), "{err}");
    assert!(!err.contains("InvalidMessage"), "{err}");
    assert_eq!(last_audit(d)["requests"][0]["attempts"], 1);
}
