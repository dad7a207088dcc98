//! The AudioCodes target against the sandbox's AudioCodes stand-in, over real TLS on loopback: the key
//! then the certificate, the previous-key rule, trusted roots, saveConfiguration, 409 retries, the
//! read-back by probe (checked again with `openssl s_client`, a client nobody here wrote), rollback,
//! and the private key in no file or stream Chainsmith wrote. Behaviour the vendor does not document
//! and the stand-in infers is marked "[inferred]".

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use chainsmith::sandbox::{self, CLIENT_SECRET, Fault, audiocodes};
use chainsmith::upload;
use common::*;
use serde_json::Value;

const AT_ARG: &str = "--at=2026-06-01T00:00:00Z";

struct Bench {
    sandbox: sandbox::Handle,
    dir: tempfile::TempDir,
    old: Chain,
    new: Chain,
    printed: std::cell::RefCell<Vec<u8>>,
}

fn write_chain(folder: &Path, chain: &Chain) {
    std::fs::create_dir_all(folder).unwrap();
    std::fs::write(folder.join("leaf.pem"), chain.leaf.pem()).unwrap();
    std::fs::write(folder.join("intermediate.pem"), chain.intermediate.pem()).unwrap();
    std::fs::write(folder.join("root.pem"), chain.root.pem()).unwrap();
}

impl Bench {
    /// A stand-in whose served context holds the "old" chain and key, as an admin set it up by hand.
    fn new(faults: Vec<Fault>) -> Self {
        let sandbox = sandbox::start(0, faults).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let old = chain(Alg::P256);
        let new = chain(Alg::P256);
        sandbox.audiocodes_install(
            audiocodes::SIP_CONTEXT,
            &(old.leaf.pem() + &old.intermediate.pem()),
            &old.leaf.key.serialize_pem(),
        );
        let path = dir.path();
        std::fs::write(path.join("sandbox.pem"), &sandbox.certificate_pem).unwrap();
        write_chain(&path.join("new"), &new);
        std::fs::write(path.join("new.key"), new.leaf.key.serialize_pem()).unwrap();
        std::fs::write(path.join("old.key"), old.leaf.key.serialize_pem()).unwrap();
        std::fs::write(path.join("stray.key"), key(Alg::P256).serialize_pem()).unwrap();
        Self {
            sandbox,
            dir,
            old,
            new,
            printed: Default::default(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn data(&self) -> PathBuf {
        self.path().join("data")
    }

    fn sip(&self) -> String {
        self.sandbox.sip_address.to_string()
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_chainsmith"))
            .args(args)
            .current_dir(self.path())
            .env("CHAINSMITH_DATA_DIR", self.data())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_CACHE_HOME", self.path().join("cache"))
            .env("CHAINSMITH_CLIENT_SECRET", CLIENT_SECRET)
            .env_remove("CHAINSMITH_TOKEN")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let mut printed = self.printed.borrow_mut();
        printed.extend_from_slice(&out.stdout);
        printed.extend_from_slice(&out.stderr);
        out
    }

    /// `chainsmith upload --target audiocodes` of the new chain to the served context.
    fn upload(&self, extra: &[&str]) -> Output {
        let base = self.sandbox.base_url();
        let context = audiocodes::SIP_CONTEXT.to_string();
        let mut args = vec![
            "upload",
            "--target",
            "audiocodes",
            "--url",
            &base,
            "--user",
            audiocodes::USER,
            "--context",
            &context,
            "--ca-file",
            "sandbox.pem",
            "--host",
            "sbc.example.com",
            AT_ARG,
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `plan.toml`: the new chain and key to the served context, its previous key named, verified
    /// by probe.
    fn write_plan(&self) {
        let plan = format!(
            r#"[bundle]
inputs = ["new"]
host = "sbc.example.com"
at = "2026-06-01T00:00:00Z"
key = "new.key"

[[target]]
name = "SBC London"
kind = "audiocodes"
url = "{}"
user = "{}"
context = {}
previous_key = "old.key"
secret_env = "SBC_SECRET"
ca_file = "sandbox.pem"
verify = "{}"
"#,
            self.sandbox.base_url(),
            audiocodes::USER,
            audiocodes::SIP_CONTEXT,
            self.sip()
        );
        std::fs::write(self.path().join("plan.toml"), plan).unwrap();
    }

    /// `chainsmith rotate ARGS`, with the device's password in SBC_SECRET and, with `crash`, the
    /// process aborted at that point (`CHAINSMITH_CRASH_AT`).
    fn rotate(&self, args: &[&str], crash: Option<&str>) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_chainsmith"));
        c.arg("rotate")
            .args(args)
            .current_dir(self.path())
            .env("CHAINSMITH_DATA_DIR", self.data())
            .env("SBC_SECRET", CLIENT_SECRET)
            .env_remove("CHAINSMITH_CLIENT_SECRET")
            .env_remove("CHAINSMITH_CRASH_AT")
            .stdin(std::process::Stdio::null());
        if let Some(point) = crash {
            c.env("CHAINSMITH_CRASH_AT", point);
        }
        let out = c.output().unwrap();
        let mut printed = self.printed.borrow_mut();
        printed.extend_from_slice(&out.stdout);
        printed.extend_from_slice(&out.stderr);
        out
    }

    fn context(&self) -> audiocodes::Context {
        self.sandbox.audiocodes().unwrap().contexts[&audiocodes::SIP_CONTEXT].clone()
    }

    fn audit(&self) -> Vec<Value> {
        std::fs::read_to_string(self.data().join("audit.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The writes the stand-in received, as "METHOD /path".
    fn writes(&self) -> Vec<String> {
        self.sandbox
            .received()
            .into_iter()
            .filter(|r| r.method != "GET")
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// The private keys' PEM bodies appear in no file under the work folder but the key files
    /// themselves, and in nothing printed.
    fn assert_no_key_leaked(&self) {
        let keys = [
            self.new.leaf.key.serialize_pem(),
            self.old.leaf.key.serialize_pem(),
        ];
        // A line from the middle of each key's base64: what any copy of the key would contain.
        let needles: Vec<String> = keys
            .iter()
            .map(|k| k.lines().nth(2).unwrap().to_string())
            .collect();
        for file in files_under(self.path()) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".key") {
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
            for needle in &needles {
                assert!(
                    !text.contains(needle),
                    "a private key is in {}",
                    file.display()
                );
            }
            assert!(
                !text.contains("PRIVATE KEY"),
                "key material in {}",
                file.display()
            );
        }
        let printed = String::from_utf8_lossy(&self.printed.borrow()).into_owned();
        for needle in &needles {
            assert!(!printed.contains(needle), "a private key was printed");
        }
        assert!(
            !printed.contains("PRIVATE KEY-----"),
            "key material was printed"
        );
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_key_then_the_certificate_go_saved_and_the_endpoint_serves_the_new_chain_then_rolls_back() {
    let b = Bench::new(vec![]);
    assert_eq!(
        openssl_served(&b.sip(), Some("sbc.example.com")),
        vec![b.old.leaf.sha256(), b.old.intermediate.sha256()],
        "the stand-in serves the old chain to start with"
    );
    let sip = b.sip();
    let out = b.upload(&[
        "--key",
        "new.key",
        "--previous-key",
        "old.key",
        "--verify",
        &sip,
        "new",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Key first, then the certificate, then the save: nothing else written.
    assert_eq!(
        b.writes(),
        vec![
            "PUT /api/v1/files/tls/1/privateKey",
            "PUT /api/v1/files/tls/1/certificate",
            "POST /api/v1/actions/saveConfiguration",
        ]
    );
    let context = b.context();
    assert_eq!(
        upload::fingerprints(&context.certificate),
        vec![b.new.leaf.sha256(), b.new.intermediate.sha256()]
    );
    assert!(context.key_valid());
    let device = b.sandbox.audiocodes().unwrap();
    assert!(!device.save_needed);
    assert_eq!(device.saves, 1);
    // What peers get, seen by openssl: the new chain, without a restart.
    assert_eq!(
        openssl_served(&b.sip(), Some("sbc.example.com")),
        vec![b.new.leaf.sha256(), b.new.intermediate.sha256()]
    );
    let audit = b.audit();
    let entry = audit.last().unwrap();
    assert_eq!(entry["result"], "verified");
    assert_eq!(entry["target"], "audiocodes");
    let notes = entry["notes"].to_string();
    assert!(
        notes.contains(&format!("{sip} serves the 2 certificate(s) sent")),
        "{notes}"
    );
    assert!(notes.contains("previous key"), "{notes}");
    // The backup holds the old certificate and the trusted roots, and no key.
    let backup = entry["backup"].as_str().unwrap().to_string();
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&backup).unwrap()).unwrap();
    assert_eq!(
        upload::fingerprints(saved["certificate"].as_str().unwrap()),
        vec![b.old.leaf.sha256(), b.old.intermediate.sha256()]
    );
    assert!(saved["current"]["trustedRoot"].is_string());
    assert_eq!(saved["verify"], sip.as_str());

    // The rollback puts the old certificate and key back, and proves it by probe.
    let out = b.run(&["rollback", &backup, "--ca-file", "sandbox.pem"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        openssl_served(&b.sip(), Some("sbc.example.com")),
        vec![b.old.leaf.sha256(), b.old.intermediate.sha256()]
    );
    assert!(b.context().key_valid());
    let entry = b.audit().last().unwrap().clone();
    assert_eq!(entry["action"], "rollback");
    assert_eq!(entry["result"], "verified");
    assert!(
        entry["notes"]
            .to_string()
            .contains("serves the 2 certificate(s) sent")
    );
    b.assert_no_key_leaked();
}

#[test]
fn a_key_that_is_not_the_leafs_is_refused_before_anything_is_sent() {
    let b = Bench::new(vec![]);
    let out = b.upload(&["--key", "stray.key", "--previous-key", "old.key", "new"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not the key of the leaf"),
        "{}",
        stderr(&out)
    );
    assert!(b.writes().is_empty(), "{:?}", b.writes());
    assert_eq!(b.sandbox.received().len(), 0, "not even a read was sent");
    b.assert_no_key_leaked();
}

#[test]
fn the_previous_key_must_be_the_key_of_what_the_device_holds() {
    let b = Bench::new(vec![]);
    // Named, but not the device's current key.
    let out = b.upload(&["--key", "new.key", "--previous-key", "stray.key", "new"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("is not the key of the certificate the device holds now"),
        "{said}"
    );
    assert!(
        said.contains(&b.old.leaf.sha256()),
        "names the certificate it holds: {said}"
    );
    assert!(b.writes().is_empty(), "{:?}", b.writes());

    // Not named: refused, saying how to go on.
    let out = b.upload(&["--key", "new.key", "new"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("key_rollback = \"none\""),
        "{}",
        stderr(&out)
    );
    assert!(b.writes().is_empty(), "{:?}", b.writes());

    // Without a way back, by choice: it goes, and a rollback is refused saying why.
    let out = b.upload(&["--key", "new.key", "--no-key-rollback", "new"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let entry = b.audit().last().unwrap().clone();
    assert!(
        entry["notes"]
            .to_string()
            .contains("cannot roll this change back")
    );
    let backup = entry["backup"].as_str().unwrap().to_string();
    let requests = b.sandbox.received().len();
    let out = b.run(&["rollback", &backup, "--ca-file", "sandbox.pem"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot be rolled back"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        b.sandbox.received().len(),
        requests,
        "the refused rollback sent nothing, not even a read"
    );
    b.assert_no_key_leaked();
}

#[test]
fn a_refused_certificate_puts_the_previous_key_back_so_the_old_chain_is_still_served() {
    // [inferred] a device that takes the key and then refuses the certificate with 400.
    let b = Bench::new(vec![Fault {
        status: 400,
        path_contains: "PUT /api/v1/files/tls/certificate".into(),
        ..Fault::default()
    }]);
    let out = b.upload(&["--key", "new.key", "--previous-key", "old.key", "new"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("The previous key was put back"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        b.writes(),
        vec![
            "PUT /api/v1/files/tls/1/privateKey",
            "PUT /api/v1/files/tls/1/certificate",
            "PUT /api/v1/files/tls/1/privateKey",
        ]
    );
    assert!(b.context().key_valid());
    assert_eq!(
        openssl_served(&b.sip(), Some("sbc.example.com")),
        vec![b.old.leaf.sha256(), b.old.intermediate.sha256()]
    );
    b.assert_no_key_leaked();
}

#[test]
fn a_busy_device_is_asked_again_and_the_change_lands() {
    let busy = || Fault {
        status: 409,
        path_contains: "WRITE /api/v1/files/tls/privateKey".into(),
        ..Fault::default()
    };
    let b = Bench::new(vec![busy(), busy()]);
    let out = b.upload(&["--key", "new.key", "--previous-key", "old.key", "new"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("HA synchronization"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        b.writes()
            .iter()
            .filter(|w| w.ends_with("/privateKey"))
            .count(),
        3
    );
    assert!(b.context().key_valid());
}

/// The run as the window and rotations make it, with a short backoff.
fn library_plan(b: &Bench, target: upload::AudioCodesTarget) -> upload::Plan {
    let report = analyze(
        &[
            ("leaf", b.new.leaf.pem().as_bytes()),
            ("intermediate", b.new.intermediate.pem().as_bytes()),
            ("root", b.new.root.pem().as_bytes()),
        ],
        &options(Some("sbc.example.com")),
    );
    let key = upload::PrivateKey::read(&b.path().join("new.key")).unwrap();
    let target = upload::Target::AudioCodes(target);
    upload::Plan {
        payload: upload::payload_for(&target, &report, false, Some(&key)).unwrap(),
        target,
        rollback_of: None,
        data_dir: b.data(),
        api_roots: Some(b.sandbox.certificate_pem.clone().into_bytes()),
        api_roots_file: None,
        api_pins: Vec::new(),
        policy: upload::RetryPolicy {
            base_delay: std::time::Duration::from_millis(10),
            max_delay: std::time::Duration::from_millis(40),
            ..upload::RetryPolicy::default()
        },
        rehearsal: true,
        forced: Vec::new(),
        unchanged_if_held: true,
        secret_binding: None,
        verify: None,
        key_file: None,
        proxy: chainsmith::proxy::ProxyChoice::System,
    }
}

fn device(b: &Bench) -> upload::AudioCodesTarget {
    upload::AudioCodesTarget {
        url: b.sandbox.base_url(),
        user: audiocodes::USER.into(),
        context: audiocodes::SIP_CONTEXT,
        job: upload::audiocodes::Job::Certificate,
        trusted_roots: upload::audiocodes::TrustedRoots::Keep,
        previous_key: Some(b.path().join("old.key")),
        key_rollback: upload::audiocodes::KeyRollback::PreviousKey,
        leaf_only: false,
    }
}

fn secrets() -> upload::Secrets {
    upload::Secrets {
        client_secret: Some(upload::Secret::new(CLIENT_SECRET)),
        token: None,
    }
}

#[test]
fn a_device_busy_for_good_stops_the_run_after_bounded_attempts_with_nothing_changed() {
    let busy: Vec<Fault> = (0..20)
        .map(|_| Fault {
            status: 409,
            path_contains: "WRITE /api/v1/files/tls/privateKey".into(),
            ..Fault::default()
        })
        .collect();
    let b = Bench::new(busy);
    let plan = library_plan(&b, device(&b));
    let (record, result) = upload::run(
        &plan,
        &secrets(),
        Arc::new(AtomicBool::new(false)),
        AT,
        &mut |_| {},
    );
    let error = result.unwrap_err().to_string();
    assert!(error.contains("stayed busy"), "{error}");
    assert!(error.contains("8 attempts"), "{error}");
    assert_eq!(record.result, "failed");
    assert!(!record.changed);
    assert_eq!(b.writes().len(), 8, "{:?}", b.writes());
    assert_eq!(
        upload::fingerprints(&b.context().certificate),
        vec![b.old.leaf.sha256(), b.old.intermediate.sha256()]
    );
}

#[test]
fn trusted_roots_added_with_the_certificate_then_unchanged_on_a_second_run() {
    let b = Bench::new(vec![]);
    let mut target = device(&b);
    target.trusted_roots = upload::audiocodes::TrustedRoots::Add;
    let plan = library_plan(&b, target);
    let run = || {
        upload::run(
            &plan,
            &secrets(),
            Arc::new(AtomicBool::new(false)),
            AT,
            &mut |_| {},
        )
    };
    let (record, result) = run();
    result.unwrap();
    assert_eq!(record.result, "verified");
    let trusted: Vec<String> = b
        .context()
        .trusted
        .iter()
        .map(|d| chainsmith::engine::Fingerprint::of(d).hex())
        .collect();
    assert_eq!(
        trusted,
        vec![b.new.intermediate.sha256(), b.new.root.sha256()],
        "the bundle's intermediate and root, one incremental add each"
    );
    let adds = b
        .writes()
        .iter()
        .filter(|w| w.ends_with("/trustedRoot/incremental"))
        .count();
    assert_eq!(adds, 2);
    // A second run of the same plan (a rotation resumed) sends nothing.
    let writes = b.writes().len();
    let (record, result) = run();
    result.unwrap();
    assert_eq!(record.result, "unchanged");
    assert_eq!(b.writes().len(), writes);
}

#[test]
fn a_trust_store_job_adds_roots_and_its_rollback_puts_the_store_back() {
    let b = Bench::new(vec![]);
    let carrier = root("Carrier Root CA", Alg::P256);
    let teams = root("Teams Root 2026", Alg::P256);
    std::fs::write(b.path().join("carrier.pem"), carrier.pem()).unwrap();
    std::fs::write(b.path().join("teams.pem"), teams.pem()).unwrap();
    let trust = |roots: &str, files: &[&str]| {
        let mut args = vec!["--job", "trust-store", "--trusted-roots", roots];
        args.extend_from_slice(files);
        b.upload(&args)
    };
    let out = trust("replace", &["carrier.pem"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = trust("add", &["teams.pem"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let store = |b: &Bench| -> Vec<String> {
        b.context()
            .trusted
            .iter()
            .map(|d| chainsmith::engine::Fingerprint::of(d).hex())
            .collect()
    };
    assert_eq!(store(&b), vec![carrier.sha256(), teams.sha256()]);
    assert!(
        !b.writes()
            .iter()
            .any(|w| w.contains("privateKey") || w.ends_with("/certificate")),
        "a trust-store job touches neither key nor certificate: {:?}",
        b.writes()
    );
    let backup = b.audit().last().unwrap()["backup"]
        .as_str()
        .unwrap()
        .to_string();
    let out = b.run(&["rollback", &backup, "--ca-file", "sandbox.pem"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(store(&b), vec![carrier.sha256()]);
}

#[test]
fn a_change_the_endpoint_does_not_serve_is_changed_unverified_with_what_is_served() {
    let b = Bench::new(vec![]);
    // The probe goes to an endpoint that serves something else (another context, say).
    let other = chain(Alg::P256);
    let port = serve_tls(
        vec![other.leaf.der.clone()],
        other.leaf.key.serialize_der(),
        None,
    );
    let elsewhere = format!("127.0.0.1:{port}");
    let out = b.upload(&[
        "--key",
        "new.key",
        "--previous-key",
        "old.key",
        "--verify",
        &elsewhere,
        "new",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(said.contains("does not serve what was sent"), "{said}");
    assert!(
        said.contains("sbc.example.com"),
        "names what is served: {said}"
    );
    // What to check on an AudioCodes device.
    assert!(
        said.contains("this port belongs to the TLS context changed")
            && said.contains("device reset"),
        "{said}"
    );
    assert_eq!(b.audit().last().unwrap()["result"], "changed-unverified");
}

#[test]
fn the_stand_in_answers_as_the_device_documents() {
    let b = Bench::new(vec![]);
    let client = sandbox_client(&b.sandbox);
    let base = b.sandbox.base_url();
    // [inferred] 401 without credentials.
    let r = client.get(format!("{base}/api/v1/status")).send().unwrap();
    assert_eq!(r.status(), 401);
    let authed = |path: &str| {
        client
            .get(format!("{base}{path}"))
            .basic_auth(audiocodes::USER, Some(CLIENT_SECRET))
            .send()
            .unwrap()
    };
    let r = authed("/api/v1/status");
    assert!(
        r.headers().get("inin-correlation-id").is_none(),
        "a device has no Genesys correlation header"
    );
    let status: Value = r.json().unwrap();
    assert_eq!(status["saveNeeded"], "false", "strings, as documented");
    // The key is write-only: size and validity, never the key.
    let r = authed("/api/v1/files/tls/1/privateKey");
    let text = r.text().unwrap();
    let key: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(key["valid"], true);
    assert!(!text.contains("PRIVATE"));
    // The certificate as an octet stream of PEM.
    let r = authed("/api/v1/files/tls/1/certificate");
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert!(r.text().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
    // [inferred] an unknown context is a 404 with a description.
    let r = authed("/api/v1/files/tls/77/certificate");
    assert_eq!(r.status(), 404);
    assert!(r.json::<Value>().unwrap()["description"].is_string());
    // Uploads as curl sends them (multipart, part "file"): not PEM is a 400, a certificate is taken.
    std::fs::write(b.path().join("bad.pem"), "not a certificate").unwrap();
    let extra = root("Extra Root", Alg::P256);
    std::fs::write(b.path().join("extra.pem"), extra.pem()).unwrap();
    let curl = |path: &str, file: &str| -> String {
        let out = Command::new("curl")
            .current_dir(b.path())
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--cacert",
                "sandbox.pem",
            ])
            .args(["-u", &format!("{}:{CLIENT_SECRET}", audiocodes::USER)])
            .args(["-X", "PUT", "-F", &format!("file=@{file}")])
            .arg(format!("{base}{path}"))
            .output()
            .expect("curl is needed by this test (.ci/run installs it)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(curl("/api/v1/files/tls/1/certificate", "bad.pem"), "400");
    assert_eq!(
        curl("/api/v1/files/tls/1/trustedRoot/incremental", "extra.pem"),
        "200"
    );
    assert_eq!(b.context().trusted, vec![extra.der.clone()]);
    assert!(
        b.sandbox.audiocodes().unwrap().save_needed,
        "a change needs saving"
    );
    // [inferred] DELETE is not a method of these resources.
    let r = client
        .delete(format!("{base}/api/v1/files/tls/1/certificate"))
        .basic_auth(audiocodes::USER, Some(CLIENT_SECRET))
        .send()
        .unwrap();
    assert_eq!(r.status(), 405);
}

#[test]
fn a_dry_run_shows_the_requests_without_the_key() {
    let b = Bench::new(vec![]);
    let out = b.upload(&[
        "--key",
        "new.key",
        "--previous-key",
        "old.key",
        "--trusted-roots",
        "add",
        "--dry-run",
        "new",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(shown.contains("PUT https://127.0.0.1"), "{shown}");
    assert!(shown.contains("/api/v1/files/tls/1/privateKey"), "{shown}");
    assert!(
        shown.contains("holding the private key, not shown"),
        "{shown}"
    );
    assert!(shown.contains("trustedRoot/incremental"), "{shown}");
    assert!(shown.contains("saveConfiguration"), "{shown}");
    assert_eq!(b.sandbox.received().len(), 0);
    b.assert_no_key_leaked();
}

#[test]
fn a_rotation_plan_with_an_sbc_rotates_it_proves_it_by_probe_and_rolls_it_back() {
    let b = Bench::new(vec![]);
    b.write_plan();
    let rotate = |args: &[&str]| {
        let mut all = args.to_vec();
        all.push("--json");
        let out = b.rotate(&all, None);
        let json: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
        (out.status.code().unwrap(), json)
    };
    let (code, json) = rotate(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["targets"][0]["status"], "verified", "{json:#}");
    assert_eq!(
        openssl_served(&b.sip(), Some("sbc.example.com")),
        vec![b.new.leaf.sha256(), b.new.intermediate.sha256()]
    );
    // The run file names the previous key's file, never the key.
    let run_file = json["run_file"].as_str().unwrap().to_string();
    let run: Value = serde_json::from_str(&std::fs::read_to_string(&run_file).unwrap()).unwrap();
    assert!(
        run["targets"][0]["target"]["previous_key"]
            .as_str()
            .unwrap()
            .ends_with("old.key")
    );
    // Run again: the device holds the bundle, nothing is sent.
    let writes = b.writes().len();
    let (code, json) = rotate(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(b.writes().len(), writes, "{json:#}");

    let (code, json) = rotate(&["--rollback", &run_file]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["targets"][0]["status"], "rolled-back", "{json:#}");
    assert_eq!(
        openssl_served(&b.sip(), Some("sbc.example.com")),
        vec![b.old.leaf.sha256(), b.old.intermediate.sha256()]
    );
    b.assert_no_key_leaked();
}

#[test]
fn a_plan_names_the_key_for_a_device_and_refuses_keys_of_other_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let parse = |text: &str| {
        chainsmith::rotate::plan::parse(&dir.path().join("plan.toml"), text)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let device = r#"
[[target]]
name = "SBC"
kind = "audiocodes"
url = "https://sbc1.example.net"
user = "Admin"
context = 1
key_rollback = "none"
"#;
    let e = parse(&format!("[bundle]\ninputs = [\"new\"]\n{device}")).unwrap_err();
    assert!(e.contains("[bundle] key"), "{e}");
    parse(&format!(
        "[bundle]\ninputs = [\"new\"]\nkey = \"new.key\"\n{device}"
    ))
    .unwrap();
    // Plain HTTP to a device is refused: the key would cross the network in clear.
    let e = parse(&format!(
        "[bundle]\ninputs = [\"new\"]\nkey = \"new.key\"\n{}",
        device.replace("https://sbc1", "http://sbc1")
    ))
    .unwrap_err();
    assert!(e.contains("http"), "{e}");
    let e = parse(
        "[bundle]\ninputs = [\"new\"]\n[[target]]\nname = \"x\"\nkind = \"genesys\"\nregion = \"euw2.pure.cloud\"\nclient_id = \"c\"\nca_name = \"n\"\ncontext = 1\n",
    )
    .unwrap_err();
    assert!(e.contains("context is for kind = \"audiocodes\""), "{e}");
}

#[test]
fn leaf_only_sends_the_leaf_to_the_certificate_and_the_intermediates_to_the_trusted_roots() {
    let b = Bench::new(vec![]);
    let sip = b.sip();
    let out = b.upload(&[
        "--key",
        "new.key",
        "--previous-key",
        "old.key",
        "--leaf-only",
        "--trusted-roots",
        "add",
        "--verify",
        &sip,
        "new",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let context = b.context();
    assert_eq!(
        upload::fingerprints(&context.certificate),
        vec![b.new.leaf.sha256()],
        "the device certificate alone"
    );
    let trusted: Vec<String> = context
        .trusted
        .iter()
        .map(|d| chainsmith::engine::Fingerprint::of(d).hex())
        .collect();
    assert_eq!(
        trusted,
        vec![b.new.intermediate.sha256(), b.new.root.sha256()]
    );
    // [inferred] the stand-in serves the intermediate from the trusted roots: the chain peers get.
    assert_eq!(
        openssl_served(&sip, Some("sbc.example.com")),
        vec![b.new.leaf.sha256(), b.new.intermediate.sha256()]
    );
}

/// `kill -9` between the key and the certificate: the device holds the new key beside the old
/// certificate (its SIP port serves nothing). The run file, written before each change, lets
/// `rotate --rollback` put the previous key and certificate back, proved by probe.
#[test]
fn a_rotation_killed_between_the_key_and_the_certificate_is_rolled_back_from_its_journal() {
    let b = Bench::new(vec![]);
    b.write_plan();
    let rotate = |args: &[&str], crash: Option<&str>| b.rotate(args, crash);
    // The first write is the key: the process dies right after it.
    let out = rotate(&["plan.toml"], Some("after-write#1"));
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("crash point after-write"),
        "{}",
        stderr(&out)
    );
    assert!(
        !b.context().key_valid(),
        "the new key beside the old certificate"
    );
    assert!(
        openssl_served(&b.sip(), Some("sbc.example.com")).is_empty(),
        "a device in that state serves no certificate"
    );
    let runs = files_under(&b.data().join("rotations"));
    assert_eq!(runs.len(), 1, "{runs:?}");
    let run: Value = serde_json::from_slice(&std::fs::read(&runs[0]).unwrap()).unwrap();
    assert_eq!(run["targets"][0]["step"], "sending", "{run:#}");
    let run_file = runs[0].display().to_string();
    let out = rotate(&["--rollback", &run_file, "--json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(b.context().key_valid());
    assert_eq!(
        openssl_served(&b.sip(), Some("sbc.example.com")),
        vec![b.old.leaf.sha256(), b.old.intermediate.sha256()]
    );
    b.assert_no_key_leaked();
}
