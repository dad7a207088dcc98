//! The sandbox over real TLS: token, trunks, certificate authorities with versions, the generic REST
//! endpoint, and injected failures — what the upload (issue 4) is tested against.

mod common;

use std::time::{Duration, Instant};

use chainsmith::sandbox::{self, CLIENT_ID, CLIENT_SECRET, Fault};
use common::*;
use serde_json::{Value, json};

fn token(handle: &sandbox::Handle, http: &reqwest::blocking::Client) -> String {
    let response = http
        .post(format!("{}/oauth/token", handle.base_url()))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().unwrap();
    assert_eq!(body["token_type"], "bearer");
    body["access_token"].as_str().unwrap().to_string()
}

#[test]
fn genesys_certificate_authority_lifecycle_with_versions() {
    let handle = sandbox::start(0, vec![]).unwrap();
    let http = sandbox_client(&handle);
    let base = format!("{}/api/v2/telephony/providers/edges", handle.base_url());
    // No token: 401 in Genesys's error shape.
    let response = http
        .get(format!("{base}/certificateauthorities"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().unwrap();
    assert_eq!(body["code"], "bad.credentials");
    assert!(body["contextId"].is_string());

    let token = token(&handle, &http);
    let trunks: Value = http
        .get(format!(
            "{base}/trunks?trunkType=EXTERNAL&pageSize=25&pageNumber=1"
        ))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(trunks["entities"].as_array().unwrap().len(), 4);
    assert_eq!(trunks["entities"][0]["connectedStatus"]["connected"], true);

    let c = chain(Alg::Rsa2048);
    let ca_pem = c.intermediate.pem() + &c.root.pem();
    let created: Value = http
        .post(format!("{base}/certificateauthorities"))
        .bearer_auth(&token)
        .json(&json!({"name": "Carrier A CAs", "description": "rotation", "type": "REMOTE", "services": ["SIP"], "certificate": ca_pem}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(created["version"], 1);
    let details = created["certificateDetails"].as_array().unwrap();
    assert_eq!(details.len(), 2);
    assert!(
        details.iter().all(|d| d["signatureValid"] == true),
        "{details:?}"
    );
    let id = created["id"].as_str().unwrap();

    // A PUT with a stale version is refused with 409; with the current one it bumps the version.
    let stale = http
        .put(format!("{base}/certificateauthorities/{id}"))
        .bearer_auth(&token)
        .json(&json!({"name": "Carrier A CAs", "certificate": ca_pem, "version": 7}))
        .send()
        .unwrap();
    assert_eq!(stale.status(), 409);
    let updated: Value = http
        .put(format!("{base}/certificateauthorities/{id}"))
        .bearer_auth(&token)
        .json(&json!({"name": "Carrier A CAs", "certificate": c.root.pem(), "version": 1}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(updated["version"], 2);
    let read: Value = http
        .get(format!("{base}/certificateauthorities/{id}"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(read["certificate"], c.root.pem());
    let deleted = http
        .delete(format!("{base}/certificateauthorities/{id}"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(deleted.status(), 204);
}

#[test]
fn injected_failures_answer_in_order_and_then_clear() {
    let handle = sandbox::start(
        0,
        vec![
            Fault {
                status: 429,
                retry_after: Some(2),
                ..Default::default()
            },
            Fault {
                status: 503,
                ..Default::default()
            },
        ],
    )
    .unwrap();
    let http = sandbox_client(&handle);
    let url = format!(
        "{}/api/v2/telephony/providers/edges/trunks",
        handle.base_url()
    );
    let first = http.get(&url).send().unwrap();
    assert_eq!(first.status(), 429);
    assert_eq!(first.headers()["retry-after"], "2");
    assert_eq!(http.get(&url).send().unwrap().status(), 503);
    assert_eq!(
        http.get(&url).send().unwrap().status(),
        401,
        "faults used up: back to normal (no token)"
    );

    handle.inject(Fault {
        status: 403,
        path_contains: "certificateauthorities".into(),
        ..Default::default()
    });
    let token = token(&handle, &http);
    assert_eq!(
        http.get(&url).bearer_auth(&token).send().unwrap().status(),
        200,
        "the fault waits for its path"
    );
    let forbidden: Value = http
        .get(format!(
            "{}/api/v2/telephony/providers/edges/certificateauthorities",
            handle.base_url()
        ))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(forbidden["code"], "missing.any.permissions");
    assert!(
        forbidden["message"]
            .as_str()
            .unwrap()
            .contains("telephony:plugin:all")
    );

    // A slow answer, through the admin endpoint.
    http.post(format!("{}/sandbox/faults", handle.base_url()))
        .json(&json!({"status": 0, "delay_ms": 800}))
        .send()
        .unwrap();
    let started = Instant::now();
    assert_eq!(
        http.get(&url).bearer_auth(&token).send().unwrap().status(),
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(800));
}

#[test]
fn generic_rest_trunk_endpoint_keeps_json_or_raw_pem() {
    let handle = sandbox::start(0, vec![]).unwrap();
    let http = sandbox_client(&handle);
    let token = token(&handle, &http);
    let url = format!("{}/trunk-api/trunks/sbc-7/certificate", handle.base_url());
    let c = chain(Alg::P256);
    let bundle = c.leaf.pem() + &c.intermediate.pem();
    // Nothing uploaded yet: 404, as a trunk API answers it.
    let nothing = http.get(&url).bearer_auth(&token).send().unwrap();
    assert_eq!(nothing.status(), 404);
    let put = http
        .put(&url)
        .bearer_auth(&token)
        .json(&json!({"certificateBundle": bundle, "site": "lon"}))
        .send()
        .unwrap();
    assert_eq!(put.status(), 200);
    let read: Value = http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(read["certificateBundle"], bundle);
    assert_eq!(read["site"], "lon");
    http.put(&url)
        .bearer_auth(&token)
        .header("Content-Type", "application/x-pem-file")
        .body(c.root.pem())
        .send()
        .unwrap();
    let read: Value = http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(read["certificateBundle"], c.root.pem());
}

#[test]
fn cli_sandbox_prints_where_it_listens_and_writes_its_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("sandbox.pem");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .args(["sandbox", "--port", "0", "--cert-file"])
        .arg(&cert)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut first).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.contains("listening on https://127.0.0.1:"), "{first}");
    let pem = std::fs::read(&cert).unwrap();
    assert_eq!(engine_certs(&pem), 1);
}

fn engine_certs(pem: &[u8]) -> usize {
    chainsmith::engine::load("sandbox.pem", pem)
        .certificates
        .len()
}

/// Every error in Genesys's shape (`ErrorBody`), with the `ININ-Correlation-Id` header equal to its
/// `contextId`; the OAuth endpoint in OAuth's shape.
#[test]
fn every_error_has_the_genesys_shape_and_the_token_endpoint_the_oauth_shape() {
    let handle = sandbox::start(0, vec![]).unwrap();
    let http = sandbox_client(&handle);
    let token = token(&handle, &http);
    let base = format!("{}/api/v2/telephony/providers/edges", handle.base_url());
    let c = chain(Alg::P256);
    let pem = c.intermediate.pem();
    let check = |response: reqwest::blocking::Response, status: u16, code: &str, words: &str| {
        assert_eq!(response.status(), status);
        let header = response
            .headers()
            .get("inin-correlation-id")
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let body: Value = response.json().unwrap();
        for key in [
            "message",
            "code",
            "status",
            "messageWithParams",
            "messageParams",
            "contextId",
            "details",
            "errors",
        ] {
            assert!(body.get(key).is_some(), "{key} missing in {body}");
        }
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["status"], status);
        assert!(body["message"].as_str().unwrap().contains(words), "{body}");
        assert_eq!(header.as_deref(), body["contextId"].as_str());
    };
    let post = |body: &str| {
        http.post(format!("{base}/certificateauthorities"))
            .bearer_auth(&token)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap()
    };
    check(post("{\"name\": "), 400, "bad.request", "malformed");
    check(
        post(&json!({"name": "x"}).to_string()),
        400,
        "required.field.missing",
        "certificate",
    );
    check(
        post(&json!({"name": "x", "certificate": pem, "type": "BOGUS"}).to_string()),
        400,
        "invalid.value",
        "BOGUS",
    );
    check(
        post(&json!({"name": "x", "certificate": pem, "services": ["SIP", "FAX"]}).to_string()),
        400,
        "invalid.value",
        "FAX",
    );
    check(
        post(&json!({"name": 5, "certificate": pem}).to_string()),
        400,
        "bad.request",
        "name",
    );
    check(
        post(&json!({"name": "x", "certificate": "not a certificate"}).to_string()),
        400,
        "invalid.value",
        "certificate",
    );
    // Stored as sent.
    let made: Value = post(
        &json!({"name": "m", "certificate": pem, "type": "MANAGED", "services": ["PROVISION_PHONE", "SIP"]})
            .to_string(),
    )
    .json()
    .unwrap();
    assert_eq!(made["type"], "MANAGED");
    assert_eq!(made["services"], json!(["PROVISION_PHONE", "SIP"]));
    let get = |path: &str| {
        http.get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
            .unwrap()
    };
    check(
        get("/certificateauthorities/nope"),
        404,
        "not.found",
        "not found",
    );
    check(get("/no-such-thing"), 404, "not.found", "not found");
    check(get("/trunks?pageSize=abc"), 400, "bad.request", "pageSize");
    check(
        get("/trunks?trunkType=FAX"),
        400,
        "bad.request",
        "trunkType",
    );
    check(
        http.delete(format!("{base}/trunks"))
            .bearer_auth(&token)
            .send()
            .unwrap(),
        405,
        "method.not.allowed",
        "not supported",
    );
    // Paging: pageCount and the URIs as the API writes them.
    let page: Value = get("/trunks?pageSize=2&pageNumber=2&trunkType=EXTERNAL")
        .json()
        .unwrap();
    assert_eq!(page["pageCount"], 2);
    assert_eq!(page["total"], 4);
    assert_eq!(
        page["previousUri"],
        "/api/v2/telephony/providers/edges/trunks?pageSize=2&pageNumber=1&trunkType=EXTERNAL"
    );
    assert!(page.get("nextUri").is_none(), "{page}");
    // An injected fault, in the same shape.
    handle.inject(Fault {
        status: 503,
        path_contains: "GET /trunks".into(),
        ..Default::default()
    });
    check(get("/trunks"), 503, "service.unavailable", "unavailable");

    // The token endpoint answers in OAuth's shape.
    let oauth = |user: &str, body: &str| {
        let response = http
            .post(format!("{}/oauth/token", handle.base_url()))
            .basic_auth(user, Some(CLIENT_SECRET))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body.to_string())
            .send()
            .unwrap();
        assert_eq!(response.status(), 400);
        let body: Value = response.json().unwrap();
        assert!(body["error_description"].is_string(), "{body}");
        assert!(body.get("code").is_none(), "{body}");
        body["error"].as_str().unwrap().to_string()
    };
    assert_eq!(
        oauth("someone", "grant_type=client_credentials"),
        "invalid_client"
    );
    assert_eq!(
        oauth(CLIENT_ID, "grant_type=password"),
        "unsupported_grant_type"
    );
}
