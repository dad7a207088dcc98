//! `chainsmith probe` against real TLS servers on loopback: rustls servers (on threads) serving
//! complete, leaf-only, misordered and expired chains and demanding a client certificate; a plain TCP
//! socket that speaks no TLS; and `openssl s_server -cert_chain`, a peer nobody here wrote.

mod common;

use std::io::Write as _;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};

use std::time::Duration;

use chainsmith::probe::{self, ProbeOptions};
use common::*;

/// A socket that answers like a SIP server over plain TCP.
fn serve_plain_tcp() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = stream.write_all(b"SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    port
}

fn chainsmith(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn codes_of(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// Leaf for localhost (RSA, so the Genesys suites apply), its intermediate and root, written to `dir`.
struct Setup {
    dir: tempfile::TempDir,
    chain: Chain,
    leaf_key: Vec<u8>,
}

fn setup() -> Setup {
    let root = root("Probe Root", Alg::Rsa2048);
    let intermediate = root.issue(ca_params("Probe Intermediate"), Alg::Rsa2048);
    let mut params = leaf_params("localhost", &["localhost", "127.0.0.1"]);
    params.not_before = rcgen::date_time_ymd(2026, 1, 1);
    params.not_after = rcgen::date_time_ymd(2030, 1, 1);
    let leaf = intermediate.issue(params, Alg::Rsa2048);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("root.pem"), root.pem()).unwrap();
    std::fs::write(
        dir.path().join("bundle.pem"),
        leaf.pem() + &intermediate.pem(),
    )
    .unwrap();
    let leaf_key = leaf.key.serialize_der();
    Setup {
        dir,
        chain: Chain {
            root,
            intermediate,
            leaf,
        },
        leaf_key,
    }
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

#[test]
fn a_complete_chain_passes_and_matches_the_bundle() {
    let s = setup();
    let port = serve_tls(
        vec![s.chain.leaf.der.clone(), s.chain.intermediate.der.clone()],
        s.leaf_key.clone(),
        None,
    );
    let out = chainsmith(&[
        "probe",
        &format!("localhost:{port}"),
        "--roots",
        &path(s.dir.path(), "root.pem"),
        "--bundle",
        &path(s.dir.path(), "bundle.pem"),
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let json = json(&out);
    assert_eq!(json["probe"]["protocol_version"], "TLSv1_3");
    assert_eq!(json["probe"]["client_certificate_requested"], false);
    assert_eq!(
        json["probe"]["served"],
        serde_json::json!([s.chain.leaf.sha256(), s.chain.intermediate.sha256()])
    );
    assert!(codes_of(&json).contains(&"served.matches-bundle".to_string()));
    assert_eq!(json["chain"][0]["source"], "served #1");

    // Without --roots, the bundle's own root is the anchor (what the far end trusts).
    std::fs::write(
        s.dir.path().join("full.pem"),
        s.chain.leaf.pem() + &s.chain.intermediate.pem() + &s.chain.root.pem(),
    )
    .unwrap();
    let out = chainsmith(&[
        "probe",
        &format!("localhost:{port}"),
        "--bundle",
        &path(s.dir.path(), "full.pem"),
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn leaf_only_misordered_and_expired_are_named() {
    let s = setup();
    let roots = path(s.dir.path(), "root.pem");
    let leaf_only = serve_tls(vec![s.chain.leaf.der.clone()], s.leaf_key.clone(), None);
    let out = chainsmith(&[
        "probe",
        &format!("localhost:{leaf_only}"),
        "--roots",
        &roots,
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(codes_of(&json(&out)).contains(&"served.incomplete".to_string()));

    let misordered = serve_tls(
        vec![s.chain.intermediate.der.clone(), s.chain.leaf.der.clone()],
        s.leaf_key.clone(),
        None,
    );
    // rustls's server sends what it is given; the client sees the intermediate first.
    let out = chainsmith(&[
        "probe",
        &format!("localhost:{misordered}"),
        "--roots",
        &roots,
        "--json",
    ]);
    let codes = codes_of(&json(&out));
    assert!(codes.contains(&"served.order".to_string()), "{codes:?}");
    assert_eq!(out.status.code(), Some(1));

    let out = chainsmith(&[
        "probe",
        &format!("localhost:{leaf_only}"),
        "--roots",
        &roots,
        "--at",
        "2031-01-01T00:00:00Z",
        "--json",
    ]);
    assert!(codes_of(&json(&out)).contains(&"cert.expired".to_string()));

    // A wrong name to check, and a stale leaf against a bundle holding another certificate.
    let complete = serve_tls(
        vec![s.chain.leaf.der.clone(), s.chain.intermediate.der.clone()],
        s.leaf_key.clone(),
        None,
    );
    let out = chainsmith(&[
        "probe",
        &format!("127.0.0.1:{complete}"),
        "--host",
        "sbc.example.com",
        "--roots",
        &roots,
        "--json",
    ]);
    assert!(codes_of(&json(&out)).contains(&"name.mismatch".to_string()));
    let new_leaf = s
        .chain
        .intermediate
        .issue(leaf_params("localhost", &["localhost"]), Alg::Rsa2048);
    std::fs::write(
        s.dir.path().join("new.pem"),
        new_leaf.pem() + &s.chain.intermediate.pem(),
    )
    .unwrap();
    let out = chainsmith(&[
        "probe",
        &format!("localhost:{complete}"),
        "--roots",
        &roots,
        "--bundle",
        &path(s.dir.path(), "new.pem"),
        "--json",
    ]);
    let json = json(&out);
    let stale = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "served.stale-leaf")
        .unwrap();
    assert!(stale["message"].as_str().unwrap().contains("still serves"));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn client_certificate_requests_are_reported_and_can_be_answered() {
    let s = setup();
    let client_ca = root("Client CA", Alg::P256);
    let client = client_ca.issue(
        leaf_params("sbc-client", &["sbc-client.example.com"]),
        Alg::P256,
    );
    let port = serve_tls(
        vec![s.chain.leaf.der.clone(), s.chain.intermediate.der.clone()],
        s.leaf_key.clone(),
        Some(client_ca.der.clone()),
    );
    let roots = path(s.dir.path(), "root.pem");
    // Without a client certificate: the chain is still captured and judged; the refusal is reported.
    let out = chainsmith(&[
        "probe",
        &format!("localhost:{port}"),
        "--roots",
        &roots,
        "--json",
    ]);
    let without = json(&out);
    assert_eq!(without["probe"]["client_certificate_requested"], true);
    assert!(
        without["probe"]["handshake_error"].is_string(),
        "{without:#}"
    );
    assert_eq!(without["chain"].as_array().unwrap().len(), 3);

    std::fs::write(s.dir.path().join("client.pem"), client.pem()).unwrap();
    std::fs::write(s.dir.path().join("client.key"), client.key.serialize_pem()).unwrap();
    let out = chainsmith(&[
        "probe",
        &format!("localhost:{port}"),
        "--roots",
        &roots,
        "--client-cert",
        &path(s.dir.path(), "client.pem"),
        "--client-key",
        &path(s.dir.path(), "client.key"),
        "--json",
    ]);
    let with = json(&out);
    assert_eq!(with["probe"]["client_certificate_requested"], true);
    assert!(with["probe"]["handshake_error"].is_null(), "{with:#}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn unreachable_and_non_tls_endpoints_exit_3_quickly() {
    let plain = serve_plain_tcp();
    let started = std::time::Instant::now();
    let out = chainsmith(&["probe", &format!("127.0.0.1:{plain}"), "--timeout", "5"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not speak TLS"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port(); // bound, then dropped
    let out = chainsmith(&["probe", &format!("127.0.0.1:{closed}")]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot connect"));

    // A listener that accepts and closes at once (reset / closed mid-handshake).
    let closer = TcpListener::bind("127.0.0.1:0").unwrap();
    let closer_port = closer.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in closer.incoming().flatten() {
            drop(stream);
        }
    });
    let out = chainsmith(&[
        "probe",
        &format!("127.0.0.1:{closer_port}"),
        "--timeout",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The kind of failure, whichever way the socket ended (a FIN reads as "closed", an RST as reset).
    assert!(
        stderr.contains("the TLS handshake failed before any certificate was sent"),
        "{stderr}"
    );

    // A listener that accepts and never answers: the timeout ends it.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let _held = std::thread::spawn(move || {
        let held: Vec<TcpStream> = silent.incoming().take(1).flatten().collect();
        std::thread::sleep(Duration::from_secs(6));
        drop(held);
    });
    let out = chainsmith(&[
        "probe",
        &format!("127.0.0.1:{silent_port}"),
        "--timeout",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no answer within"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn genesys_byoc_cloud_suites_are_tried_one_by_one() {
    let s = setup();
    let port = serve_tls(
        vec![s.chain.leaf.der.clone(), s.chain.intermediate.der.clone()],
        s.leaf_key.clone(),
        None,
    );
    let out = chainsmith(&[
        "probe",
        &format!("localhost:{port}"),
        "--profile",
        "genesys-byoc-cloud",
        "--json",
    ]);
    let json = json(&out);
    let suites = json["probe"]["genesys_byoc_cloud_suites"]
        .as_array()
        .unwrap();
    assert_eq!(suites.len(), 2);
    assert!(
        suites.iter().all(|s| s["result"] == "accepted"),
        "{suites:?}"
    );
    // A private root under this profile: nothing the endpoint serves reaches a public root.
    assert!(
        codes_of(&json).contains(&"served.incomplete".to_string()),
        "{:?}",
        codes_of(&json)
    );

    // A server that takes one suite and not the other (openssl s_server, TLS 1.2, AES-128-GCM only):
    // each suite is judged on its own.
    let d = s.dir.path();
    std::fs::write(d.join("leaf.pem"), s.chain.leaf.pem()).unwrap();
    std::fs::write(d.join("leaf.key"), s.chain.leaf.key.serialize_pem()).unwrap();
    std::fs::write(d.join("int.pem"), s.chain.intermediate.pem()).unwrap();
    let (_server, one_port) = openssl_s_server(
        d,
        &[
            "-cert",
            "leaf.pem",
            "-key",
            "leaf.key",
            "-cert_chain",
            "int.pem",
            "-tls1_2",
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256",
        ],
    );
    let out = chainsmith(&[
        "probe",
        &format!("localhost:{one_port}"),
        "--profile",
        "genesys-byoc-cloud",
        "--json",
    ]);
    let json_one = self::json(&out);
    let results: Vec<(String, String)> = json_one["probe"]["genesys_byoc_cloud_suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["suite"].as_str().unwrap().to_string(),
                s["result"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(results[0].0, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_eq!(results[0].1, "accepted", "{results:?}");
    assert_eq!(results[1].0, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    assert!(results[1].1.starts_with("refused"), "{results:?}");

    // An ECDSA-only server accepts none of the RSA suites.
    let c = chain(Alg::P256);
    let mut params = leaf_params("localhost", &["localhost"]);
    params.not_after = rcgen::date_time_ymd(2030, 1, 1);
    let leaf = c.intermediate.issue(params, Alg::P256);
    let ec_port = serve_tls(
        vec![leaf.der.clone(), c.intermediate.der.clone()],
        leaf.key.serialize_der(),
        None,
    );
    let out = chainsmith(&[
        "probe",
        &format!("localhost:{ec_port}"),
        "--profile",
        "genesys-byoc-cloud",
        "--json",
    ]);
    let json = self::json(&out);
    let suites = json["probe"]["genesys_byoc_cloud_suites"]
        .as_array()
        .unwrap();
    assert!(
        suites
            .iter()
            .all(|s| s["result"].as_str().unwrap().starts_with("refused")),
        "{suites:?}"
    );
    assert!(codes_of(&json).contains(&"profile.key-type".to_string()));
}

#[test]
fn probe_library_records_tls12_when_only_tls12_suites_are_offered() {
    let s = setup();
    let port = serve_tls(
        vec![s.chain.leaf.der.clone(), s.chain.intermediate.der.clone()],
        s.leaf_key.clone(),
        None,
    );
    let options = ProbeOptions {
        host: "localhost".into(),
        port,
        sni: None,
        timeout: Duration::from_secs(5),
        client_auth: None,
        only_suites: Some(vec![
            rustls::crypto::aws_lc_rs::cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ]),
    };
    let probed = probe::probe(&options).unwrap();
    assert_eq!(probed.protocol_version.as_deref(), Some("TLSv1_2"));
    assert_eq!(
        probed.cipher_suite.as_deref(),
        Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
    );
    assert_eq!(
        probed.served,
        [s.chain.leaf.der.clone(), s.chain.intermediate.der.clone()]
    );
}

#[test]
fn openssl_s_server_is_probed_like_any_peer() {
    let s = setup();
    let d = s.dir.path();
    std::fs::write(d.join("leaf.pem"), s.chain.leaf.pem()).unwrap();
    std::fs::write(d.join("leaf.key"), s.chain.leaf.key.serialize_pem()).unwrap();
    std::fs::write(d.join("int.pem"), s.chain.intermediate.pem()).unwrap();
    let (_server, port) = openssl_s_server(
        d,
        &[
            "-cert",
            "leaf.pem",
            "-key",
            "leaf.key",
            "-cert_chain",
            "int.pem",
        ],
    );
    let out = chainsmith(&[
        "probe",
        &format!("localhost:{port}"),
        "--roots",
        &path(d, "root.pem"),
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let json = json(&out);
    assert_eq!(
        json["probe"]["served"],
        serde_json::json!([s.chain.leaf.sha256(), s.chain.intermediate.sha256()])
    );
}

#[test]
fn probe_fetch_missing_names_the_intermediate_to_add() {
    let s = setup();
    let http_port = serve_http(s.chain.intermediate.der.clone());
    let url = format!("http://127.0.0.1:{http_port}/int.der");
    let mut params = leaf_params("localhost", &["localhost"]);
    params.not_after = rcgen::date_time_ymd(2030, 1, 1);
    params.custom_extensions.push(aia_ca_issuers(&url));
    let leaf = s.chain.intermediate.issue(params, Alg::Rsa2048);
    let port = serve_tls(vec![leaf.der.clone()], leaf.key.serialize_der(), None);
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .args([
            "probe",
            &format!("localhost:{port}"),
            "--roots",
            &path(s.dir.path(), "root.pem"),
            "--fetch-missing",
            "--json",
        ])
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .unwrap();
    let json = json(&out);
    let codes = codes_of(&json);
    assert!(
        codes.contains(&"served.incomplete".to_string()),
        "the endpoint is still judged as served: {codes:?}"
    );
    let fetched = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "aia.fetched")
        .unwrap();
    assert!(
        fetched["message"]
            .as_str()
            .unwrap()
            .contains("Probe Intermediate"),
        "{fetched}"
    );
    assert_eq!(out.status.code(), Some(1));
}

fn serve_two(s: &Setup) -> (OpensslServer, u16) {
    serve_two_certificates(
        s.dir.path(),
        "localhost",
        &s.chain.leaf.pem(),
        &s.chain.leaf.key.serialize_pem(),
    )
}

#[test]
fn probing_an_address_sends_the_host_as_sni_and_gets_that_certificate() {
    let s = setup();
    let (_server, port) = serve_two(&s);
    let bundle = path(s.dir.path(), "bundle.pem");
    let root = path(s.dir.path(), "root.pem");
    let target = format!("127.0.0.1:{port}");
    let out = chainsmith(&[
        "probe",
        &target,
        "--host",
        "localhost",
        "--bundle",
        &bundle,
        &root,
        "--json",
    ]);
    let json = json(&out);
    assert_eq!(json["probe"]["sni"], "localhost", "{json}");
    assert_eq!(
        json["probe"]["served"],
        serde_json::json!([s.chain.leaf.sha256()]),
        "the certificate for the name asked for"
    );
    let codes = codes_of(&json);
    assert!(
        !codes.contains(&"served.stale-leaf".to_string()),
        "{codes:?}"
    );
    assert!(!codes.contains(&"name.mismatch".to_string()), "{codes:?}");
    // The text says which name was sent.
    let out = chainsmith(&["probe", &target, "--host", "localhost"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("  SNI sent: localhost\n"));
}

#[test]
fn a_server_answering_with_another_self_signed_certificate_is_a_stale_leaf_and_a_name_mismatch() {
    let s = setup();
    let (_server, port) = serve_two(&s);
    let bundle = path(s.dir.path(), "bundle.pem");
    let root = path(s.dir.path(), "root.pem");
    let target = format!("127.0.0.1:{port}");
    // Another name asked for: the server answers with its default, self-signed certificate.
    let out = chainsmith(&[
        "probe",
        &target,
        "--host",
        "localhost",
        "--sni",
        "voice.example.net",
        "--bundle",
        &bundle,
        &root,
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let json = json(&out);
    assert_eq!(json["probe"]["sni"], "voice.example.net");
    let findings = json["findings"].as_array().unwrap();
    let find = |code: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {json}"))
    };
    let stale = find("served.stale-leaf");
    assert_eq!(stale["severity"], "error");
    let message = stale["message"].as_str().unwrap();
    assert!(
        message.contains("\"Old VPN Gateway\", a self-signed certificate"),
        "{message}"
    );
    let mismatch = find("name.mismatch");
    assert!(
        mismatch["message"]
            .as_str()
            .unwrap()
            .contains("\"Old VPN Gateway\" is not valid for localhost"),
        "{mismatch}"
    );
    let self_signed = find("chain.self-signed-leaf");
    assert!(
        self_signed["message"]
            .as_str()
            .unwrap()
            .contains("self-signed")
    );
    // Said as what it is, not as a root to trust.
    assert!(
        findings.iter().all(|f| f["code"] != "chain.untrusted-root"),
        "{json}"
    );

    // No name at all (an address, no --host, no --sni): no SNI is sent, and the result says so.
    let out = chainsmith(&["probe", &target]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("SNI sent: none (the name is an IP address"),
        "{text}"
    );
    assert!(text.contains("#1 Old VPN Gateway"), "{text}");
}
