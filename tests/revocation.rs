//! Revocation from CRLs: made with rcgen (and re-signed by hand where rcgen cannot make the defect),
//! given with `--crl` or beside the chain, checked by Chainsmith and, where it decides, by `openssl
//! verify -crl_check_all` on the same files.

mod common;

use chainsmith::engine::{self, Fingerprint};
use common::*;
use rcgen::{CertificateRevocationListParams, KeyIdMethod, RevokedCertParams, SerialNumber};

/// 2026-05-01 .. 2026-07-01: current at [`AT`] (2026-06-01).
fn crl_params(revoked: &[&Cert]) -> CertificateRevocationListParams {
    CertificateRevocationListParams {
        this_update: rcgen::date_time_ymd(2026, 5, 1),
        next_update: rcgen::date_time_ymd(2026, 7, 1),
        crl_number: SerialNumber::from(7u64),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|c| RevokedCertParams {
                serial_number: SerialNumber::from_slice(&serial(c)),
                revocation_time: rcgen::date_time_ymd(2026, 4, 1),
                reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    }
}

fn serial(c: &Cert) -> Vec<u8> {
    engine::cert::Certificate::from_der(&c.der, "x", false)
        .expect("parse")
        .serial
}

/// The CRL of `issuer` (DER) from `params`.
fn crl(issuer: &Cert, params: &CertificateRevocationListParams) -> Vec<u8> {
    let signer = rcgen::Issuer::from_params(&issuer.params, &issuer.key);
    params.signed_by(&signer).expect("CRL").der().to_vec()
}

/// The report on the chain with these CRLs (as --crl gives them), revocation asked for.
fn report_with(chain: &[&Cert], crls: &[&[u8]]) -> engine::Report {
    let pile: String = chain.iter().map(|c| c.pem()).collect();
    let mut o = options(Some("sbc.example.com"));
    o.revocation = true;
    for der in crls {
        o.crls.push(std::sync::Arc::new(
            engine::revocation::Crl::from_der(der, "test.crl").expect("CRL parses"),
        ));
    }
    analyze(&[("p.pem", pile.as_bytes())], &o)
}

fn finding<'a>(report: &'a engine::Report, code: &str) -> &'a engine::Finding {
    report
        .findings
        .iter()
        .find(|f| f.code.as_str() == code)
        .unwrap_or_else(|| panic!("no {code}: {:?}", report.findings))
}

/// `openssl verify -crl_check_all` with the root trusted, the intermediate untrusted and the CRLs.
fn openssl_with_crls(c: &Chain, crls: &[&[u8]]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("root.pem"), c.root.pem()).unwrap();
    std::fs::write(dir.path().join("int.pem"), c.intermediate.pem()).unwrap();
    std::fs::write(dir.path().join("leaf.pem"), c.leaf.pem()).unwrap();
    let pem: String = crls
        .iter()
        .map(|d| engine::pem::encode("X509 CRL", d))
        .collect();
    std::fs::write(dir.path().join("crls.pem"), pem).unwrap();
    openssl_verify_in(
        dir.path(),
        "root.pem",
        "int.pem",
        "leaf.pem",
        &["-crl_check_all", "-CRLfile", "crls.pem"],
    )
}

/// A leaf its issuer revoked is `revocation.revoked` (FAIL), as openssl says "certificate revoked";
/// the same CRL without it passes, as openssl passes it. With the CRL among the inputs (a PEM file
/// beside the chain), the same.
#[test]
fn a_revoked_leaf_fails_and_an_unrevoked_one_passes() {
    let c = chain(Alg::P256);
    let root_crl = crl(&c.root, &crl_params(&[]));
    let revoking = crl(&c.intermediate, &crl_params(&[&c.leaf]));
    let report = report_with(
        &[&c.leaf, &c.intermediate, &c.root],
        &[&revoking, &root_crl],
    );
    assert!(!report.passed());
    let f = finding(&report, "revocation.revoked");
    assert_eq!(f.sha256, Some(Fingerprint::of(&c.leaf.der)));
    assert!(f.message.contains("2026-04-01"), "{}", f.message);
    let said = openssl_with_crls(&c, &[&revoking, &root_crl]).unwrap_err();
    assert!(said.contains("revoked"), "{said}");

    let other = c.intermediate.issue(
        leaf_params("other.example.com", &["other.example.com"]),
        Alg::P256,
    );
    let clean = crl(&c.intermediate, &crl_params(&[&other]));
    let report = report_with(&[&c.leaf, &c.intermediate, &c.root], &[&clean, &root_crl]);
    assert!(report.passed(), "{:?}", report.findings);
    assert!(
        !codes(&report).iter().any(|c| c.starts_with("revocation.")),
        "{:?}",
        report.findings
    );
    assert_eq!(openssl_with_crls(&c, &[&clean, &root_crl]), Ok(()));

    // Beside the chain in the input, as a PEM `X509 CRL` block: used without --crl.
    let pile = c.leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let crl_pem = engine::pem::encode("X509 CRL", &revoking);
    let report = analyze(
        &[
            ("chain.pem", pile.as_bytes()),
            ("issuing.crl", crl_pem.as_bytes()),
        ],
        &options(Some("sbc.example.com")),
    );
    assert!(
        errors(&report).contains(&"revocation.revoked"),
        "{:?}",
        report.findings
    );
    // And as DER, as a CRL distribution point serves it.
    let report = analyze(
        &[("chain.pem", pile.as_bytes()), ("issuing.crl", &revoking)],
        &options(Some("sbc.example.com")),
    );
    assert!(
        errors(&report).contains(&"revocation.revoked"),
        "{:?}",
        report.findings
    );
}

/// An intermediate revoked by the root's CRL: the path through it fails (and rustls-webpki, given the
/// same CRLs, would refuse it too).
#[test]
fn a_revoked_intermediate_fails() {
    let c = chain(Alg::P256);
    let root_crl = crl(&c.root, &crl_params(&[&c.intermediate]));
    let int_crl = crl(&c.intermediate, &crl_params(&[]));
    let report = report_with(&[&c.leaf, &c.intermediate, &c.root], &[&root_crl, &int_crl]);
    let f = finding(&report, "revocation.revoked");
    assert_eq!(f.sha256, Some(Fingerprint::of(&c.intermediate.der)));
    assert!(openssl_with_crls(&c, &[&root_crl, &int_crl]).is_err());
}

/// A CRL that cannot decide is `revocation.crl-invalid` and is not used: signed by another key under
/// the issuer's name (a forgery), without cRLNumber, with a critical cRLNumber, or from an issuer whose
/// keyUsage lacks cRLSign. A forged CRL listing the leaf does not make it revoked.
#[test]
fn crls_that_cannot_decide_are_not_used() {
    let c = chain(Alg::P256);
    let root_crl = crl(&c.root, &crl_params(&[]));
    // Same name as the intermediate, another key.
    let impostor = Cert {
        params: c.intermediate.params.clone(),
        key: key(Alg::P256),
        der: Vec::new(),
    };
    let forged = crl(&impostor, &crl_params(&[&c.leaf]));
    let report = report_with(&[&c.leaf, &c.intermediate, &c.root], &[&forged, &root_crl]);
    assert!(
        !codes(&report).contains(&"revocation.revoked"),
        "{:?}",
        report.findings
    );
    assert!(
        finding(&report, "revocation.crl-invalid")
            .message
            .contains("does not verify")
    );
    assert!(report.passed(), "{:?}", report.findings);

    // cRLNumber removed, or marked critical: the TBSCertList's extensions rewritten and re-signed.
    let good = crl(&c.intermediate, &crl_params(&[&c.leaf]));
    for (what, critical) in [("no cRLNumber", None), ("critical cRLNumber", Some(true))] {
        let edited = edit_crl_number(&good, critical, &c.intermediate.key);
        let report = report_with(&[&c.leaf, &c.intermediate, &c.root], &[&edited, &root_crl]);
        let f = finding(&report, "revocation.crl-invalid");
        assert!(f.message.contains("cRLNumber"), "{what}: {}", f.message);
        assert!(
            !codes(&report).contains(&"revocation.revoked"),
            "{what}: {:?}",
            report.findings
        );
    }

    // An intermediate that may not sign CRLs (keyUsage keyCertSign only).
    let mut params = ca_params("Test Intermediate CA");
    params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign];
    let no_crl_sign = c.root.issue(params, Alg::P256);
    let leaf = no_crl_sign.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    // rcgen itself refuses to sign a CRL for such an issuer: it signs as the same name and key with
    // cRLSign added to the parameters, and the certificate in the chain still lacks it.
    let mut claimed = no_crl_sign.params.clone();
    claimed.key_usages.push(rcgen::KeyUsagePurpose::CrlSign);
    let signer = Cert {
        params: claimed,
        key: rcgen::KeyPair::from_pem(&no_crl_sign.key.serialize_pem()).unwrap(),
        der: Vec::new(),
    };
    let its_crl = crl(&signer, &crl_params(&[&leaf]));
    let report = report_with(&[&leaf, &no_crl_sign, &c.root], &[&its_crl, &root_crl]);
    assert!(
        finding(&report, "revocation.crl-invalid")
            .message
            .contains("cRLSign")
    );
    assert!(!codes(&report).contains(&"revocation.revoked"));
}

/// The CRL's extensions [0] rewritten: cRLNumber left out (`None`) or with this criticality.
fn edit_crl_number(crl_der: &[u8], critical: Option<bool>, key: &rcgen::KeyPair) -> Vec<u8> {
    use rcgen::SigningKey as _;
    let outer = tlvs(&tlv_content(crl_der));
    let mut fields = tlvs(&tlv_content(&outer[0]));
    let last = fields.len() - 1; // [0] { SEQUENCE OF Extension }
    let exts = tlvs(&tlv_content(&tlv_content(&fields[last])));
    let crl_number_oid = [0x06, 0x03, 0x55, 0x1d, 0x14];
    let edited: Vec<Vec<u8>> = exts
        .into_iter()
        .filter_map(|e| {
            let parts = tlvs(&tlv_content(&e));
            if parts[0] != crl_number_oid {
                return Some(e);
            }
            let critical = critical?;
            let flag = vec![0x01, 0x01, if critical { 0xff } else { 0x00 }];
            Some(der_seq(
                &[parts[0].clone(), flag, parts[parts.len() - 1].clone()].concat(),
            ))
        })
        .collect();
    fields[last] = der(0xa0, &der_seq(&edited.concat()));
    let tbs = der_seq(&fields.concat());
    let mut bits = vec![0u8];
    bits.extend(key.sign(&tbs).expect("sign"));
    der_seq(&[tbs, outer[1].clone(), der(0x03, &bits)].concat())
}

/// A CRL past its nextUpdate is still read (a listed certificate is revoked) and is
/// `revocation.crl-expired`; a certificate naming a CRL distribution point with no CRL given is
/// `revocation.unknown` once revocation is asked for — and nothing at all when it is not.
#[test]
fn stale_and_missing_crls_are_said() {
    let c = chain(Alg::P256);
    let root_crl = crl(&c.root, &crl_params(&[]));
    let mut stale = crl_params(&[&c.leaf]);
    stale.this_update = rcgen::date_time_ymd(2026, 3, 1);
    stale.next_update = rcgen::date_time_ymd(2026, 4, 1);
    let stale = crl(&c.intermediate, &stale);
    let report = report_with(&[&c.leaf, &c.intermediate, &c.root], &[&stale, &root_crl]);
    assert!(
        codes(&report).contains(&"revocation.crl-expired"),
        "{:?}",
        report.findings
    );
    assert!(
        errors(&report).contains(&"revocation.revoked"),
        "{:?}",
        report.findings
    );

    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
        uris: vec!["http://crl.example.com/issuing.crl".into()],
    }];
    let leaf = c.intermediate.issue(params, Alg::P256);
    let report = report_with(&[&leaf, &c.intermediate, &c.root], &[&root_crl]);
    let f = finding(&report, "revocation.unknown");
    assert!(
        f.message.contains("http://crl.example.com/issuing.crl"),
        "{}",
        f.message
    );
    assert!(report.passed(), "{:?}", report.findings);
    let report = check_plain(&[&leaf, &c.intermediate, &c.root]);
    assert!(
        !codes(&report).iter().any(|c| c.starts_with("revocation.")),
        "{:?}",
        report.findings
    );
}

fn check_plain(certs: &[&Cert]) -> engine::Report {
    let pile: String = certs.iter().map(|c| c.pem()).collect();
    analyze(
        &[("p.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    )
}

/// The command line: `--crl FILE` (DER or PEM, repeatable) fails a revoked chain with exit 1; a
/// `--crl` file without a CRL in it is a usage error (exit 2), naming it.
#[test]
fn the_command_line_takes_crl_files() {
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("chain.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("issuing.crl"),
        crl(&c.intermediate, &crl_params(&[&c.leaf])),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("root.crl"),
        engine::pem::encode("X509 CRL", &crl(&c.root, &crl_params(&[]))),
    )
    .unwrap();
    let out = chainsmith(
        &[
            "check",
            "chain.pem",
            "--host",
            "sbc.example.com",
            "--at",
            "2026-06-01",
            "--crl",
            "issuing.crl",
            "--crl",
            "root.crl",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("revocation.revoked"));
    let out = chainsmith(
        &[
            "check",
            "chain.pem",
            "--at",
            "2026-06-01",
            "--crl",
            "chain.pem",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--crl chain.pem") && err.contains("no CRL"),
        "{err}"
    );
}

type Shared<T> = std::sync::Arc<std::sync::Mutex<T>>;
/// Path → body served; path → requests seen.
type Routes = Shared<std::collections::HashMap<String, Vec<u8>>>;
type Counts = Shared<std::collections::HashMap<String, usize>>;

/// A loopback HTTP server answering each path put in its routes with that body (anything else: 404),
/// counting the requests of each path; `/huge.crl` says `Content-Length: 99999999` and sends nothing.
fn crl_server() -> (u16, Routes, Counts) {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let routes: Routes = Default::default();
    let counts: Counts = Default::default();
    let (served, seen) = (routes.clone(), counts.clone());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split(' ').nth(1).unwrap_or("").to_string();
            *seen.lock().unwrap().entry(path.clone()).or_insert(0) += 1;
            let body = served.lock().unwrap().get(&path).cloned();
            let _ = match (path.as_str(), body) {
                ("/huge.crl", _) => write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n"
                ),
                (_, Some(body)) => write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .and_then(|()| stream.write_all(&body)),
                (_, None) => write!(
                    stream,
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                ),
            };
        }
    });
    (port, routes, counts)
}

/// `--fetch-crl`: the CRLs the chain's certificates name are fetched over HTTP, used (a revoked leaf
/// fails), cached until their nextUpdate (a second run asks nothing; a CRL past its nextUpdate is
/// fetched again), and a failed or oversized fetch is a warning beside `revocation.unknown`. Without the
/// flag, nothing is asked of the server.
#[test]
fn crls_the_chain_names_are_fetched_cached_and_used() {
    let c = chain(Alg::P256);
    let (port, routes, counts) = crl_server();
    let url = |p: &str| format!("http://127.0.0.1:{port}/{p}");
    let mut int_params = ca_params("Test Intermediate CA");
    int_params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
        uris: vec![url("root.crl")],
    }];
    let intermediate = c.root.issue(int_params, Alg::P256);
    let mut leaf_p = leaf_params("sbc.example.com", &["sbc.example.com"]);
    leaf_p.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
        uris: vec![url("missing.crl"), url("issuing.crl")],
    }];
    let leaf = intermediate.issue(leaf_p, Alg::P256);
    // The leaf's issuer's CRL lists it and lasts until 2099 (the cache keeps it); the root's is
    // current at --at 2026-06-01 but past its nextUpdate today (the cache does not keep it).
    let mut revoking = crl_params(&[&leaf]);
    revoking.next_update = rcgen::date_time_ymd(2099, 1, 1);
    {
        let mut r = routes.lock().unwrap();
        r.insert("/issuing.crl".into(), crl(&intermediate, &revoking));
        r.insert("/root.crl".into(), crl(&c.root, &crl_params(&[])));
    }

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("chain.pem"),
        leaf.pem() + &intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_chainsmith"))
            .args([
                "check",
                "chain.pem",
                "--host",
                "sbc.example.com",
                "--at",
                "2026-06-01",
                "--json",
            ])
            .args(extra)
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            // A proxy that answers nothing: the CRL server is on loopback, reached directly.
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .env("http_proxy", "http://127.0.0.1:9")
            .env("ALL_PROXY", "http://127.0.0.1:9")
            .current_dir(dir.path())
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
        (out.status.code(), json)
    };
    let codes_of = |json: &serde_json::Value| -> Vec<(String, String)> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_string(),
                    f["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let count = |path: &str| counts.lock().unwrap().get(path).copied().unwrap_or(0);

    // Without the flag: no request, no revocation finding or line.
    let (code, json) = run(&[]);
    assert_eq!(code, Some(0), "{json}");
    assert!(counts.lock().unwrap().is_empty());
    assert!(json["chain"][0].get("revocation").is_none());

    let (code, json) = run(&["--fetch-crl"]);
    assert_eq!(code, Some(1), "{json}");
    let found = codes_of(&json);
    assert!(
        found.contains(&("revocation.revoked".into(), "error".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("revocation.crl-fetch-failed".into(), "warning".into())),
        "the leaf's first point answers 404: {found:?}"
    );
    assert_eq!(
        found
            .iter()
            .filter(|(c, _)| c == "revocation.crl-fetched")
            .count(),
        2,
        "{found:?}"
    );
    assert_eq!(json["chain"][0]["revocation"]["status"], "revoked");
    assert_eq!(json["chain"][1]["revocation"]["status"], "good");
    assert_eq!(json["chain"][2]["revocation"]["status"], "not-checked");
    assert_eq!(
        (
            count("/missing.crl"),
            count("/issuing.crl"),
            count("/root.crl")
        ),
        (1, 1, 1)
    );

    // Again: the lasting CRL comes from the cache; the root's, past its nextUpdate, is asked again.
    // (The 404 is not cached: it is asked again too.)
    let (code, json) = run(&["--fetch-crl"]);
    assert_eq!(code, Some(1));
    assert_eq!((count("/issuing.crl"), count("/root.crl")), (1, 2));
    let messages: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "revocation.crl-fetched")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("issuing.crl") && m.contains("from the cache")),
        "{messages:?}"
    );

    // A CRL larger than the cap is not read: a warning, and the leaf's revocation is unknown.
    let mut leaf_p = leaf_params("sbc.example.com", &["sbc.example.com"]);
    leaf_p.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
        uris: vec![url("huge.crl")],
    }];
    let huge = intermediate.issue(leaf_p, Alg::P256);
    std::fs::write(
        dir.path().join("chain.pem"),
        huge.pem() + &intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    let (code, json) = run(&["--fetch-crl"]);
    assert_eq!(code, Some(0), "warnings only: {json}");
    let found = codes_of(&json);
    assert!(
        found.contains(&("revocation.unknown".into(), "warning".into())),
        "{found:?}"
    );
    let failed = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "revocation.crl-fetch-failed")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert!(
        failed["message"].as_str().unwrap().contains("larger than"),
        "{failed}"
    );
    assert_eq!(json["chain"][0]["revocation"]["status"], "unknown");
}
