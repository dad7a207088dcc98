//! The sandbox as Genesys Cloud's official Python SDK (PyPI `PureCloudPlatformClientV2`) sees it: every
//! call Chainsmith makes, driven by the SDK (tests/genesys_sdk/driver.py), each answer deserialised by
//! the SDK and its JSON keys compared with the SDK model's `attribute_map`. Then Chainsmith's own client
//! runs against the same sandbox, and the SDK reads back what Chainsmith created.
//!
//! The SDK lives in a virtual environment that `scripts/genesys-sdk.sh` makes, run by this test when it
//! is missing; its Python is `$CHAINSMITH_SDK_PYTHON`, else `target/genesys-sdk/bin/python`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chainsmith::sandbox::{self, CLIENT_ID, CLIENT_SECRET};
use common::*;
use serde_json::Value;

/// The SDK's Python: `$CHAINSMITH_SDK_PYTHON`, else `target/genesys-sdk/bin/python`, made on the
/// first run by `scripts/genesys-sdk.sh` (a pinned virtual environment from PyPI) so that a fresh
/// clone's `cargo test` needs nothing run before it.
fn sdk_python() -> PathBuf {
    if let Some(python) = std::env::var_os("CHAINSMITH_SDK_PYTHON").map(PathBuf::from) {
        assert!(
            python.exists(),
            "CHAINSMITH_SDK_PYTHON names {}, which does not exist",
            python.display()
        );
        return python;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("target/genesys-sdk/bin/python");
    let ready = || {
        Command::new(&python)
            .args(["-c", "import PureCloudPlatformClientV2"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !ready() {
        let made = Command::new("bash")
            .arg(root.join("scripts/genesys-sdk.sh"))
            .arg(root.join("target/genesys-sdk"))
            .output()
            .expect("bash runs scripts/genesys-sdk.sh");
        assert!(
            made.status.success() && ready(),
            "Genesys Cloud's official Python SDK is needed by this test and could not be installed \
             into target/genesys-sdk (python3 with venv and pip, and PyPI, are needed; or point \
             CHAINSMITH_SDK_PYTHON at a Python that has PureCloudPlatformClientV2): {}",
            text(&made)
        );
    }
    python
}

fn driver(base: &str, ca_file: &Path, arg: &str, mode: &str) -> Output {
    Command::new(sdk_python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/genesys_sdk/driver.py"))
        .args([base, &ca_file.display().to_string(), arg, mode])
        .output()
        .expect("run the SDK driver")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn chainsmith_upload(dir: &Path, base: &str, ca_name: &str, trunk: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .args([
            "upload",
            "--target",
            "genesys",
            "--client-id",
            CLIENT_ID,
            "--api-base",
            base,
            "--login-base",
            base,
            "--ca-file",
            "sandbox.pem",
            "--ca-name",
            ca_name,
            "--trunk",
            trunk,
            "--host",
            "sbc.example.com",
            "--at=2026-06-01T00:00:00Z",
            "chain",
        ])
        .current_dir(dir)
        .env("CHAINSMITH_DATA_DIR", dir.join("data"))
        .env("CHAINSMITH_CLIENT_SECRET", CLIENT_SECRET)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn the_official_sdk_cannot_tell_the_sandbox_from_the_api_and_reads_back_what_chainsmith_made() {
    let server = sandbox::start(0, vec![]).unwrap();
    let base = server.base_url();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ca_file = d.join("sandbox.pem");
    std::fs::write(&ca_file, &server.certificate_pem).unwrap();
    let first = chain(Alg::P256);
    let folder = d.join("chain");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("leaf.pem"), first.leaf.pem()).unwrap();
    std::fs::write(folder.join("intermediate.pem"), first.intermediate.pem()).unwrap();
    std::fs::write(folder.join("root.pem"), first.root.pem()).unwrap();
    let cas = first.intermediate.pem() + &first.root.pem();
    std::fs::write(d.join("cas.pem"), &cas).unwrap();

    // Every call, driven by the SDK.
    let out = driver(
        &base,
        &ca_file,
        &d.join("cas.pem").display().to_string(),
        "calls",
    );
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    for line in [
        "ok token",
        "ok trunks filter: 4 EXTERNAL of 5",
        "ok trunks paging: 3 pages of 2",
        "ok trunk by id: trunk-cloud-2 is BYOC Cloud",
        "ok missing trunk: 404",
        "ok update with a stale version: 409",
        "ok services stored as sent: PROVISION",
        "ok create without a certificate: 400",
        "ok delete, then 404",
    ] {
        assert!(said.contains(line), "missing {line:?} in:\n{said}");
    }

    // Chainsmith's own client: the BYOC Cloud trunk of the official shape (with an edge group) is
    // refused with nothing sent; the Premises trunk takes the upload.
    let before = server.requests();
    let out = chainsmith_upload(d, &base, "Carrier A CAs", "trunk-cloud-2");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("BYOC Cloud"), "{}", text(&out));
    // The token and the trunk were read; nothing about certificate authorities.
    assert_eq!(server.requests() - before, 2);
    let out = chainsmith_upload(d, &base, "Carrier A CAs", "trunk-premises-1");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // The SDK reads back what Chainsmith created.
    let out = driver(&base, &ca_file, "Carrier A CAs", "readback");
    assert!(out.status.success(), "{}", text(&out));
    let read: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        chainsmith::upload::fingerprints(read["certificate"].as_str().unwrap()),
        chainsmith::upload::fingerprints(&cas)
    );
    assert_eq!(read["type"], "REMOTE");
    assert_eq!(read["services"], serde_json::json!(["SIP"]));
    assert_eq!(read["details"].as_array().unwrap().len(), 2);

    // An authority the SDK made for PROVISION: Chainsmith's rotation changes its certificate, and
    // keeps its type and services.
    let out = driver(
        &base,
        &ca_file,
        &d.join("cas.pem").display().to_string(),
        "provision",
    );
    assert!(out.status.success(), "{}", text(&out));
    let other = chain(Alg::P384);
    std::fs::write(folder.join("leaf.pem"), other.leaf.pem()).unwrap();
    std::fs::write(folder.join("intermediate.pem"), other.intermediate.pem()).unwrap();
    std::fs::write(folder.join("root.pem"), other.root.pem()).unwrap();
    let out = chainsmith_upload(d, &base, "Provisioning CAs", "trunk-premises-1");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = driver(&base, &ca_file, "Provisioning CAs", "readback");
    assert!(out.status.success(), "{}", text(&out));
    let read: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read["version"], 2);
    assert_eq!(read["services"], serde_json::json!(["PROVISION"]));
    assert_eq!(
        chainsmith::upload::fingerprints(read["certificate"].as_str().unwrap()),
        chainsmith::upload::fingerprints(&(other.intermediate.pem() + &other.root.pem()))
    );
}
