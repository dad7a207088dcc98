//! Proxies as Windows and curl treat them, against a real forward proxy on loopback (a small CONNECT
//! proxy here, which tunnels to the sandbox and records what it was asked): `--proxy URL`,
//! `HTTPS_PROXY` and `NO_PROXY`, `--proxy none`, this machine always direct, and the proxy named in
//! the output, the errors and the audit log. (The Windows Internet Settings are read by the same
//! rules: `src/proxy.rs`'s unit tests.)

mod common;

use std::path::Path;
use std::process::{Command, Output};

use chainsmith::sandbox::{self, CLIENT_ID, CLIENT_SECRET};
use common::*;
use serde_json::Value;

fn upload(dir: &Path, url: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let c = chain(Alg::P256);
    std::fs::write(
        dir.join("chain.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_chainsmith"));
    command
        .args(["upload", "--target", "rest", "--url", url])
        .args(["--auth", "basic", "--username", CLIENT_ID])
        .args(["--ca-file", "corp-ca.pem", "--host", "sbc.example.com"])
        .args(["--at=2026-06-01T00:00:00Z", "--timeout", "5", "chain.pem"])
        .args(extra)
        .current_dir(dir)
        .env("CHAINSMITH_DATA_DIR", dir.join("data"))
        .env("CHAINSMITH_CLIENT_SECRET", CLIENT_SECRET)
        .stdin(std::process::Stdio::null());
    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        command.env_remove(name);
    }
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn last_audit(dir: &Path) -> Value {
    let audit = std::fs::read_to_string(dir.join("data/audit.jsonl")).unwrap();
    serde_json::from_str(audit.lines().last().unwrap()).unwrap()
}

#[test]
fn an_upload_goes_through_the_proxy_named_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = corp_sandbox(dir.path());
    let proxy = Proxy::start(sandbox.address, false);
    let url = format!(
        "https://api.corp.test:{}/trunk-api/trunks/t1/certificate",
        sandbox.address.port()
    );
    let shown = format!("127.0.0.1:{}", proxy.port);

    let out = upload(dir.path(), &url, &["--proxy", &proxy.url()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        proxy
            .seen()
            .iter()
            .all(|l| l == &format!("CONNECT api.corp.test:{} HTTP/1.1", sandbox.address.port())),
        "{:?}",
        proxy.seen()
    );
    assert!(!proxy.seen().is_empty());
    assert!(
        text(&out).contains(&format!("via proxy {shown}")),
        "{}",
        text(&out)
    );
    let entry = last_audit(dir.path());
    assert!(
        entry["requests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["via"] == shown.as_str()),
        "{entry:#}"
    );

    // The environment, as curl reads it.
    let before = proxy.seen().len();
    let out = upload(dir.path(), &url, &[], &[("HTTPS_PROXY", &proxy.url())]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(proxy.seen().len() > before);

    // NO_PROXY and --proxy none go direct: the name does not resolve, and the proxy saw nothing.
    for (extra, env) in [
        (
            vec![],
            vec![
                ("HTTPS_PROXY", proxy.url()),
                ("NO_PROXY", ".corp.test".to_string()),
            ],
        ),
        (vec!["--proxy", "none"], vec![("HTTPS_PROXY", proxy.url())]),
    ] {
        let before = proxy.seen().len();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let out = upload(dir.path(), &url, &extra, &env);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        assert!(!text(&out).contains("via proxy"), "{}", text(&out));
        assert_eq!(proxy.seen().len(), before, "{extra:?} {env:?}");
    }
}

#[test]
fn this_machine_is_never_reached_through_a_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox::start(0, vec![]).unwrap();
    std::fs::write(dir.path().join("corp-ca.pem"), &sandbox.certificate_pem).unwrap();
    let proxy = Proxy::start(sandbox.address, false);
    let url = format!("{}/trunk-api/trunks/t1/certificate", sandbox.base_url());
    let out = upload(
        dir.path(),
        &url,
        &["--proxy", &proxy.url()],
        &[("HTTPS_PROXY", &proxy.url())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
    assert!(!text(&out).contains("via proxy"));
}

#[test]
fn a_proxy_that_refuses_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = corp_sandbox(dir.path());
    let proxy = Proxy::start(sandbox.address, true);
    let url = format!(
        "https://api.corp.test:{}/trunk-api/trunks/t1/certificate",
        sandbox.address.port()
    );
    let out = upload(dir.path(), &url, &["--proxy", &proxy.url()], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains(&format!("(via proxy 127.0.0.1:{})", proxy.port)),
        "{said}"
    );
    assert_eq!(last_audit(dir.path())["result"], "failed");
}
