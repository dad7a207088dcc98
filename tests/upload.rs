//! `chainsmith upload / trunks / rollback / audit` against the sandbox over real TLS on loopback:
//! both targets, every retry rule, backups before changes, read-back, rollback, and no secret in any
//! file the program wrote.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use chainsmith::sandbox::{self, CLIENT_ID, CLIENT_SECRET, Fault};
use common::*;
use serde_json::Value;

const AT_ARG: &str = "--at=2026-06-01T00:00:00Z";

/// A sandbox, a data directory, the sandbox's certificate file and a chain split into files.
struct Rehearsal {
    sandbox: sandbox::Handle,
    dir: tempfile::TempDir,
    chain: Chain,
    /// What every run printed (standard output and error), searched for secrets.
    printed: std::cell::RefCell<Vec<u8>>,
}

impl Rehearsal {
    fn new() -> Self {
        let sandbox = sandbox::start(0, vec![]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let chain = chain(Alg::P256);
        std::fs::write(dir.path().join("sandbox.pem"), &sandbox.certificate_pem).unwrap();
        Self::write_chain(dir.path(), "chain", &chain);
        Self {
            sandbox,
            dir,
            chain,
            printed: Default::default(),
        }
    }

    fn write_chain(dir: &Path, name: &str, chain: &Chain) {
        let folder = dir.join(name);
        std::fs::create_dir_all(&folder).unwrap();
        // A private key dropped by mistake next to the leaf: it must never be sent.
        std::fs::write(
            folder.join("leaf.pem"),
            chain.leaf.pem() + &chain.leaf.key.serialize_pem(),
        )
        .unwrap();
        std::fs::write(folder.join("intermediate.pem"), chain.intermediate.pem()).unwrap();
        std::fs::write(folder.join("root.pem"), chain.root.pem()).unwrap();
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn base(&self) -> String {
        self.sandbox.base_url()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[("CHAINSMITH_CLIENT_SECRET", CLIENT_SECRET)])
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_chainsmith"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("CHAINSMITH_DATA_DIR", self.data())
            // Preferences and caches land in the work folder too, where the secret search looks.
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env_remove("CHAINSMITH_CLIENT_SECRET")
            .env_remove("CHAINSMITH_TOKEN")
            .stdin(std::process::Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let out = command.output().unwrap();
        let mut printed = self.printed.borrow_mut();
        printed.extend_from_slice(&out.stdout);
        printed.extend_from_slice(&out.stderr);
        out
    }

    /// `chainsmith trunks` against the sandbox, with `secret` in CHAINSMITH_CLIENT_SECRET (or none).
    fn trunks(&self, extra: &[&str], secret: Option<&str>) -> Output {
        let base = self.base();
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
        match secret {
            Some(s) => self.run_env(&args, &[("CHAINSMITH_CLIENT_SECRET", s)]),
            None => self.run_env(&args, &[]),
        }
    }

    /// `chainsmith upload --target genesys …` for the chain in `folder`.
    fn genesys(&self, folder: &str, extra: &[&str]) -> Output {
        let base = self.base();
        let mut args = vec![
            "upload",
            "--target",
            "genesys",
            "--client-id",
            CLIENT_ID,
            "--api-base",
            &base,
            "--login-base",
            &base,
            "--ca-file",
            "sandbox.pem",
            "--ca-name",
            "Carrier A CAs",
            "--host",
            "sbc.example.com",
            AT_ARG,
            folder,
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    fn audit(&self) -> Vec<Value> {
        std::fs::read_to_string(self.data().join("audit.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn backups(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.data().join("backups"))
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    /// The certificate authority named "Carrier A CAs" as the sandbox holds it now.
    fn authority(&self) -> Option<Value> {
        let http = sandbox_client(&self.sandbox);
        let token = token(&self.sandbox, &http);
        let list: Value = http
            .get(format!(
                "{}/api/v2/telephony/providers/edges/certificateauthorities",
                self.base()
            ))
            .bearer_auth(token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        list["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|ca| ca["name"] == "Carrier A CAs")
            .cloned()
    }

    /// No secret (the client secret, any token the sandbox issued) in any file under the work folder
    /// (data: backups and audit log; config; cache) nor in anything a run printed.
    fn assert_no_secret_written(&self) {
        let mut secrets = vec![CLIENT_SECRET.to_string()];
        secrets.extend(self.sandbox.issued_tokens());
        let printed = String::from_utf8_lossy(&self.printed.borrow()).into_owned();
        assert!(!printed.is_empty());
        for secret in &secrets {
            assert!(!printed.contains(secret.as_str()), "a run printed a secret");
        }
        let files = files_under(self.dir.path());
        assert!(
            files.iter().any(|f| f.ends_with("audit.jsonl")),
            "the search covers the data folder"
        );
        for entry in files {
            let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "{} contains a secret",
                    entry.display()
                );
            }
        }
    }
}

fn token(handle: &sandbox::Handle, http: &reqwest::blocking::Client) -> String {
    let body: Value = http
        .post(format!("{}/oauth/token", handle.base_url()))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .unwrap()
        .json()
        .unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn fault(status: u16, path: &str) -> Fault {
    Fault {
        status,
        path_contains: path.into(),
        ..Fault::default()
    }
}

fn pem_fingerprints(pem: &str) -> Vec<String> {
    chainsmith::upload::fingerprints(pem)
}

#[test]
fn genesys_creates_then_updates_the_authority_with_backups_and_audit() {
    let r = Rehearsal::new();
    let out = r.genesys("chain", &["--trunk", "trunk-premises-1"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("verified"), "{stdout}");
    // The promised order: authenticate → pre-flight → read current → (back up) → upload → verify,
    // as the audit records the requests and as the server received them.
    let steps = [
        ("POST", "/oauth/token"),
        ("GET", "/trunks/trunk-premises-1"),
        ("GET", "/certificateauthorities?pageSize=100&pageNumber=1"),
        ("POST", "/certificateauthorities"),
        ("GET", "/certificateauthorities/ca-1"),
    ];
    let requests = r.audit()[0]["requests"].as_array().unwrap().clone();
    assert_eq!(requests.len(), steps.len(), "{requests:?}");
    for (request, (method, path)) in requests.iter().zip(steps) {
        assert_eq!(request["method"], method, "{requests:?}");
        assert!(
            request["url"].as_str().unwrap().ends_with(path),
            "{path}: {requests:?}"
        );
    }
    // The admin sees the same order, each step named as it starts.
    let said = stderr(&out);
    let started: Vec<&str> = said
        .lines()
        .filter_map(|l| l.strip_prefix("chainsmith: ")?.strip_suffix('…'))
        .collect();
    assert_eq!(
        started,
        [
            "authenticate",
            "pre-flight",
            "read current",
            "back up",
            "upload",
            "verify"
        ],
        "{said}"
    );
    // And what each step did, as it ends.
    for done in [
        "chainsmith:   back up: saved ",
        "chainsmith:   verify: certificate authority ca-1 holds exactly the 2 certificate(s) sent",
    ] {
        assert!(said.contains(done), "{done}: {said}");
    }
    // The audit entry says the authority changed.
    assert_eq!(r.audit()[0]["changed"], true, "{:?}", r.audit()[0]);
    let received = r.sandbox.received();
    let seen: Vec<(String, String)> = received
        .iter()
        .map(|x| (x.method.clone(), x.path.clone()))
        .collect();
    assert_eq!(seen.len(), steps.len(), "{seen:?}");
    for ((method, path), (want_method, want_path)) in seen.iter().zip(steps) {
        assert_eq!(method, want_method);
        assert!(path.ends_with(want_path), "{path}");
    }
    // The backup file existed before the first change reached the server.
    let backup_time = std::fs::metadata(&r.backups()[0])
        .unwrap()
        .modified()
        .unwrap();
    assert!(backup_time <= received[3].at, "backup after the POST");
    let ca = r.authority().expect("created");
    // The CA part of the bundle: intermediate then root; never the leaf or its key.
    assert_eq!(
        pem_fingerprints(ca["certificate"].as_str().unwrap()),
        vec![r.chain.intermediate.sha256(), r.chain.root.sha256()]
    );
    assert!(!ca["certificate"].as_str().unwrap().contains("PRIVATE KEY"));
    assert_eq!(ca["type"], "REMOTE");
    assert_eq!(ca["services"][0], "SIP");

    // A new chain (the rotation): the same authority is updated, and the backup holds the old one.
    let next = chain(Alg::P256);
    Rehearsal::write_chain(r.dir.path(), "next", &next);
    let out = r.genesys("next", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let ca = r.authority().unwrap();
    assert_eq!(ca["version"], 2);
    assert_eq!(
        pem_fingerprints(ca["certificate"].as_str().unwrap()),
        vec![next.intermediate.sha256(), next.root.sha256()]
    );
    let backups = r.backups();
    assert_eq!(backups.len(), 2);
    let first: Value = serde_json::from_slice(&std::fs::read(&backups[0]).unwrap()).unwrap();
    assert_eq!(first["current"], Value::Null, "nothing existed before");
    let second: Value = serde_json::from_slice(&std::fs::read(&backups[1]).unwrap()).unwrap();
    assert_eq!(second["target"]["kind"], "genesys");
    assert_eq!(second["ids"]["certificateAuthorityId"], "ca-1");
    assert_eq!(
        pem_fingerprints(second["certificate"].as_str().unwrap()),
        vec![r.chain.intermediate.sha256(), r.chain.root.sha256()]
    );
    assert_eq!(second["current"]["version"], 1);

    let audit = r.audit();
    assert_eq!(audit.len(), 2);
    assert!(audit.iter().all(|e| e["result"] == "verified"), "{audit:?}");
    assert_eq!(audit[0]["ids"]["trunkId"], "trunk-premises-1");
    assert_eq!(audit[1]["bundle"][0], next.intermediate.sha256());
    assert_eq!(audit[1]["backup"], backups[1].display().to_string());
    assert!(
        audit[1]["correlation_ids"].as_array().unwrap().len() >= 3,
        "{audit:?}"
    );
    let statuses: Vec<u64> = audit[1]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_u64().unwrap())
        .collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    r.assert_no_secret_written();

    // `chainsmith audit --markdown` is the change-ticket table.
    let out = r.run(&["audit", "--markdown"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(table.lines().count(), 4, "{table}");
    assert!(table.contains("certificateAuthorityId=ca-1"), "{table}");
}

#[test]
fn byoc_cloud_trunk_and_broken_chain_are_refused_with_nothing_sent() {
    let r = Rehearsal::new();
    // The official model's shape: a top-level trunkMetabase of the pcv_byoc kind, with no edge group
    // (trunk-cloud-1) and with one (trunk-cloud-2): both are BYOC Cloud, both refused.
    for trunk in ["trunk-cloud-1", "trunk-cloud-2"] {
        let out = r.genesys("chain", &["--trunk", trunk]);
        assert_eq!(code(&out), 1, "{trunk}: {}", stderr(&out));
        assert!(stderr(&out).contains("BYOC Cloud"), "{}", stderr(&out));
        assert!(r.authority().is_none());
        assert!(r.backups().is_empty());
    }

    // Without its intermediate the chain is incomplete: refused before any request.
    std::fs::remove_file(r.dir.path().join("chain/intermediate.pem")).unwrap();
    let before = r.sandbox.requests();
    let out = r.genesys("chain", &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refusing to upload"),
        "{}",
        stderr(&out)
    );
    assert_eq!(r.sandbox.requests(), before, "nothing may be sent");
}

#[test]
fn forced_expired_ca_is_marked_invalid_by_the_server_exit_4() {
    let r = Rehearsal::new();
    let root = root("Old Root", Alg::P256);
    let mut params = ca_params("Expired Intermediate");
    params.not_before = rcgen::date_time_ymd(2019, 1, 1);
    params.not_after = rcgen::date_time_ymd(2020, 1, 1);
    let intermediate = root.issue(params, Alg::P256);
    let leaf = intermediate.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let old = Chain {
        root,
        intermediate,
        leaf,
    };
    Rehearsal::write_chain(r.dir.path(), "old", &old);
    let out = r.genesys("old", &[]);
    assert_eq!(code(&out), 1, "refused without --force: {}", stderr(&out));
    let out = r.genesys("old", &["--force"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("marks 1 certificate(s) we sent as not valid"),
        "{}",
        stderr(&out)
    );
    assert_eq!(r.audit().last().unwrap()["result"], "differs");
}

#[test]
fn expired_token_is_renewed_once() {
    let r = Rehearsal::new();
    r.sandbox.inject(fault(401, "GET /certificateauthorities"));
    let out = r.genesys("chain", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let audit = r.audit();
    let requests = audit[0]["requests"].as_array().unwrap();
    let tokens = requests
        .iter()
        .filter(|x| x["url"].as_str().unwrap().ends_with("/oauth/token"))
        .count();
    assert_eq!(tokens, 2, "{requests:?}");
    assert!(requests.iter().any(|x| x["status"] == 401));
    // Two 401s in a row: the fresh token is not trusted either; stop.
    r.sandbox.inject(fault(401, "GET /certificateauthorities"));
    r.sandbox.inject(fault(401, "GET /certificateauthorities"));
    let out = r.genesys("chain", &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("401"), "{}", stderr(&out));
}

#[test]
fn forbidden_names_the_missing_permission_and_changes_nothing() {
    let r = Rehearsal::new();
    r.sandbox.inject(fault(403, "POST /certificateauthorities"));
    let out = r.genesys("chain", &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("lacks telephony:plugin:all"),
        "{}",
        stderr(&out)
    );
    assert!(r.authority().is_none());
    // The backup was written before the attempt reached the server.
    assert_eq!(r.backups().len(), 1);
    let post = r
        .sandbox
        .received()
        .into_iter()
        .find(|x| x.method == "POST" && x.path.ends_with("/certificateauthorities"))
        .expect("the POST was sent");
    let backup_time = std::fs::metadata(&r.backups()[0])
        .unwrap()
        .modified()
        .unwrap();
    assert!(backup_time <= post.at, "the backup came after the attempt");
    let entry = &r.audit()[0];
    assert_eq!(entry["result"], "failed");
    assert_eq!(entry["changed"], false);
    r.assert_no_secret_written();
}

#[test]
fn version_conflict_is_re_read_and_retried_once_then_stops() {
    let r = Rehearsal::new();
    assert_eq!(code(&r.genesys("chain", &[])), 0);
    r.sandbox.inject(fault(409, "PUT /certificateauthorities/"));
    let before = r.sandbox.received().len();
    let out = r.genesys("chain", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("retrying once"), "{}", stderr(&out));
    assert_eq!(r.authority().unwrap()["version"], 2);
    // The refused PUT, then a fresh read of the authority, then the PUT again.
    let after: Vec<String> = r.sandbox.received()[before..]
        .iter()
        .map(|x| format!("{} {}", x.method, x.path))
        .collect();
    let puts: Vec<usize> = after
        .iter()
        .enumerate()
        .filter(|(_, x)| x.starts_with("PUT "))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(puts.len(), 2, "{after:?}");
    assert!(
        after[puts[0] + 1..puts[1]]
            .iter()
            .any(|x| x.starts_with("GET ") && x.ends_with("/certificateauthorities/ca-1")),
        "no re-read between the 409 and the retried PUT: {after:?}"
    );

    // A 400 that says the version does not match is a conflict too: re-read and retried once.
    r.sandbox.inject(fault(400, "PUT /certificateauthorities/"));
    let out = r.genesys("chain", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("retrying once"), "{}", stderr(&out));
    assert_eq!(r.authority().unwrap()["version"], 3);

    r.sandbox.inject(fault(409, "PUT /certificateauthorities/"));
    r.sandbox.inject(fault(409, "PUT /certificateauthorities/"));
    let out = r.genesys("chain", &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("version conflict (409)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(r.authority().unwrap()["version"], 3);
}

#[test]
fn rate_limit_honours_retry_after() {
    let r = Rehearsal::new();
    r.sandbox.inject(Fault {
        retry_after: Some(2),
        ..fault(429, "GET /certificateauthorities")
    });
    let started = Instant::now();
    let out = r.genesys("chain", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(started.elapsed() >= Duration::from_secs(2));
    let requests = r.audit()[0]["requests"].as_array().unwrap().clone();
    let list = requests
        .iter()
        .find(|x| {
            x["url"]
                .as_str()
                .unwrap()
                .contains("certificateauthorities?")
        })
        .unwrap();
    assert_eq!(list["attempts"], 2);
    assert!(list["waited_ms"].as_u64().unwrap() >= 2000, "{list}");
}

#[test]
fn unavailable_then_success_and_a_silent_server_times_out() {
    let r = Rehearsal::new();
    r.sandbox.inject(fault(503, "POST /certificateauthorities"));
    r.sandbox.inject(fault(502, "POST /certificateauthorities"));
    let out = r.genesys("chain", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(r.authority().is_some());
    // Three attempts, after backing off 0.5 s then 1 s; the server saw the POST three times.
    let post = r.audit()[0]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["method"] == "POST" && x["url"].as_str().unwrap().ends_with("authorities"))
        .unwrap()
        .clone();
    assert_eq!(post["attempts"], 3, "{post}");
    assert_eq!(post["status"], 200, "{post}");
    let waited = post["waited_ms"].as_u64().unwrap();
    assert!((1500..3000).contains(&waited), "{post}");
    let posts = r
        .sandbox
        .received()
        .iter()
        .filter(|x| x.method == "POST" && x.path.ends_with("/certificateauthorities"))
        .count();
    assert_eq!(posts, 3);

    // Every read of the list stalls past the 1 s timeout: four attempts, then exit 3, nothing changed.
    for _ in 0..4 {
        r.sandbox.inject(Fault {
            delay_ms: 3000,
            ..fault(0, "GET /certificateauthorities")
        });
    }
    let out = r.genesys("chain", &["--timeout", "1"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no answer within 1 s (tried 4 time(s))"),
        "{}",
        stderr(&out)
    );
    assert_eq!(r.authority().unwrap()["version"], 1);
}

#[test]
fn read_back_that_differs_exits_4() {
    let r = Rehearsal::new();
    r.sandbox.inject(Fault {
        tamper: true,
        reorder: false,
        ..fault(0, "")
    });
    let out = r.genesys("chain", &[]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("sent 2 certificate(s)") && stderr(&out).contains("holds 1"),
        "{}",
        stderr(&out)
    );
    assert_eq!(r.audit()[0]["result"], "differs");

    // The same certificates in another order are not what was sent either.
    let next = chain(Alg::P256);
    Rehearsal::write_chain(r.dir.path(), "next", &next);
    r.sandbox.inject(Fault {
        reorder: true,
        ..fault(0, "")
    });
    let out = r.genesys("next", &[]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("sent 2 certificate(s)") && stderr(&out).contains("holds 2"),
        "{}",
        stderr(&out)
    );
    let held = pem_fingerprints(r.authority().unwrap()["certificate"].as_str().unwrap());
    assert_eq!(held, vec![next.root.sha256(), next.intermediate.sha256()]);
    assert_eq!(r.audit()[1]["result"], "differs");
}

/// No answer to the change: it may have been applied, so exit 4 (`changed-unverified`), and the POST
/// is never sent a second time.
#[test]
fn a_change_without_an_answer_is_changed_unverified_and_never_sent_twice() {
    let r = Rehearsal::new();
    r.sandbox.inject(Fault {
        delay_ms: 2500,
        ..fault(0, "POST /certificateauthorities")
    });
    let out = r.genesys("chain", &["--timeout", "1"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let entry = r.audit()[0].clone();
    assert_eq!(entry["result"], "changed-unverified", "{entry}");
    assert_eq!(entry["changed"], true);
    let post = entry["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["method"] == "POST" && x["url"].as_str().unwrap().ends_with("authorities"))
        .unwrap()
        .clone();
    assert_eq!(post["attempts"], 1, "{post}");
    assert_eq!(post["status"], 0, "{post}");
    // Whatever the server did with it after the client gave up, it arrived once.
    std::thread::sleep(Duration::from_millis(2000));
    let posts = r
        .sandbox
        .received()
        .iter()
        .filter(|x| x.method == "POST" && x.path.ends_with("/certificateauthorities"))
        .count();
    assert_eq!(posts, 1);
    r.assert_no_secret_written();
}

#[test]
fn rollback_puts_each_backup_back() {
    let r = Rehearsal::new();
    assert_eq!(code(&r.genesys("chain", &[])), 0);
    let next = chain(Alg::P256);
    Rehearsal::write_chain(r.dir.path(), "next", &next);
    assert_eq!(code(&r.genesys("next", &[])), 0);
    let backups = r.backups();

    // The second backup holds the first chain's CAs: put them back.
    let out = r.run(&[
        "rollback",
        backups[1].to_str().unwrap(),
        "--ca-file",
        "sandbox.pem",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let ca = r.authority().unwrap();
    assert_eq!(
        pem_fingerprints(ca["certificate"].as_str().unwrap()),
        vec![r.chain.intermediate.sha256(), r.chain.root.sha256()]
    );
    // The rollback itself was backed up first (it holds the second chain).
    assert_eq!(r.backups().len(), 3);
    let entry = r.audit().last().unwrap().clone();
    assert_eq!(entry["action"], "rollback");
    assert_eq!(entry["result"], "verified");

    // The first backup says nothing existed: rolling back to it removes the authority.
    let out = r.run(&[
        "rollback",
        backups[0].to_str().unwrap(),
        "--ca-file",
        "sandbox.pem",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(r.authority().is_none());
    r.assert_no_secret_written();
}

#[test]
fn trunks_lists_status_and_dry_run_sends_nothing() {
    let r = Rehearsal::new();
    let out = r.trunks(&["--ca-file", "sandbox.pem", "--json"], Some(CLIENT_SECRET));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let trunks: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(trunks.as_array().unwrap().len(), 4);
    assert_eq!(trunks[1]["inService"], false);
    assert_eq!(trunks[0]["edgeGroup"]["name"], "London Edge Group");
    // The official model's fields come through as the API sends them.
    assert_eq!(trunks[0]["trunkType"], "EXTERNAL");
    assert_eq!(
        trunks[3]["trunkMetabase"]["id"],
        "external_sip_pcv_byoc_carrier.json"
    );
    assert_eq!(
        trunks[0]["selfUri"],
        "/api/v2/telephony/providers/edges/trunks/trunk-premises-1"
    );

    let before = r.sandbox.requests();
    let out = r.genesys("chain", &["--dry-run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("Authorization: Basic <redacted>"), "{shown}");
    assert!(shown.contains("POST "), "{shown}");
    assert!(!shown.contains(CLIENT_SECRET));
    assert_eq!(r.sandbox.requests(), before);
    assert!(r.audit().is_empty());

    // The secret is needed and not given: a usage error, not a prompt (stdin is not a terminal).
    let out = r.trunks(&["--ca-file", "sandbox.pem"], None);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("CHAINSMITH_CLIENT_SECRET"));
    // Without --ca-file the sandbox's certificate is not trusted: no silent skip of verification.
    let out = r.trunks(&[], Some(CLIENT_SECRET));
    assert_eq!(code(&out), 3, "{}", stderr(&out));
}

#[test]
fn rest_target_json_field_with_oauth_then_saved_and_raw_pem_with_bearer() {
    let r = Rehearsal::new();
    let base = r.base();
    let url = format!("{base}/trunk-api/trunks/{{trunk}}/certificate");
    let token_url = format!("{base}/oauth/token");
    let out = r.run(&[
        "upload",
        "--target",
        "rest",
        "--url",
        &url,
        "--param",
        "trunk=sbc-7",
        "--field",
        "tls.certificateBundle",
        "--set-field",
        "enabled=true",
        "--auth",
        "oauth",
        "--token-url",
        &token_url,
        "--client-id",
        CLIENT_ID,
        "--ca-file",
        "sandbox.pem",
        "--save-target",
        "sbc-7.json",
        "--host",
        "sbc.example.com",
        AT_ARG,
        "chain",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let http = sandbox_client(&r.sandbox);
    let stored: Value = http
        .get(format!("{base}/trunk-api/trunks/sbc-7/certificate"))
        .bearer_auth(token(&r.sandbox, &http))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(stored["enabled"], true);
    assert_eq!(
        pem_fingerprints(stored["tls"]["certificateBundle"].as_str().unwrap()),
        vec![r.chain.leaf.sha256(), r.chain.intermediate.sha256()],
        "leaf first, no root, no key"
    );
    // Nothing was there yet: the read answered 404, which the backup records as "nothing".
    let first = &r.audit()[0];
    let read = &first["requests"].as_array().unwrap()[1];
    assert_eq!(read["method"], "GET", "{first}");
    assert_eq!(read["status"], 404, "{first}");
    let backup: Value = serde_json::from_slice(&std::fs::read(&r.backups()[0]).unwrap()).unwrap();
    assert_eq!(backup["current"], Value::Null);
    assert_eq!(backup["certificate"], Value::Null);
    let saved = std::fs::read_to_string(r.dir.path().join("sbc-7.json")).unwrap();
    assert!(saved.contains("\"trunk\": \"sbc-7\""), "{saved}");
    // The audit entry names the endpoint with its {trunk} filled in, and the certificates by name.
    assert_eq!(
        first["endpoint"],
        format!("{base}/trunk-api/trunks/sbc-7/certificate")
    );
    let names = first["certificates"].to_string();
    assert!(
        names.contains("CN=sbc.example.com, until") && names.contains("Test Intermediate CA"),
        "{names}"
    );
    let out = r.run(&["audit", "--markdown"]);
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        table.contains("/trunk-api/trunks/sbc-7/certificate") && !table.contains("{trunk}"),
        "{table}"
    );
    assert!(table.contains("CN=sbc.example.com, until"), "{table}");

    // The saved definition is reused; 409 once is re-read and retried; a 503 is retried.
    r.sandbox.inject(fault(409, "WRITE /trunk-api/"));
    r.sandbox.inject(fault(503, "GET /trunk-api/"));
    let out = r.run(&[
        "upload",
        "--target-file",
        "sbc-7.json",
        "--ca-file",
        "sandbox.pem",
        AT_ARG,
        "chain",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(r.backups().len(), 2);
    let backup: Value = serde_json::from_slice(&std::fs::read(&r.backups()[1]).unwrap()).unwrap();
    assert_eq!(backup["current"]["enabled"], true);
    assert_eq!(backup["target"]["kind"], "rest");

    // Raw PEM with a bearer token from CHAINSMITH_TOKEN.
    let bearer = token(&r.sandbox, &http);
    let out = r.run_env(
        &[
            "upload",
            "--target",
            "rest",
            "--url",
            &format!("{base}/trunk-api/trunks/raw-1/certificate"),
            "--raw-pem",
            "--method",
            "post",
            "--auth",
            "bearer",
            "--ca-file",
            "sandbox.pem",
            AT_ARG,
            "chain",
        ],
        &[("CHAINSMITH_TOKEN", &bearer)],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let audit = r.audit();
    assert_eq!(audit.len(), 3);
    assert!(audit.iter().all(|e| e["result"] == "verified"), "{audit:?}");
    // What the server received: the JSON uploads as PUT application/json, the raw one as POST
    // application/x-pem-file, to the filled-in URLs.
    let writes: Vec<(String, String, Option<String>)> = r
        .sandbox
        .received()
        .into_iter()
        .filter(|x| x.path.starts_with("/trunk-api/") && x.method != "GET")
        .map(|x| (x.method, x.path, x.content_type))
        .collect();
    let json = Some("application/json".to_string());
    assert_eq!(
        writes,
        vec![
            (
                "PUT".into(),
                "/trunk-api/trunks/sbc-7/certificate".into(),
                json.clone()
            ),
            (
                "PUT".into(),
                "/trunk-api/trunks/sbc-7/certificate".into(),
                json.clone()
            ),
            (
                "PUT".into(),
                "/trunk-api/trunks/sbc-7/certificate".into(),
                json
            ),
            (
                "POST".into(),
                "/trunk-api/trunks/raw-1/certificate".into(),
                Some("application/x-pem-file".into())
            ),
        ],
        "the first upload, the 409 and its retry, then the raw POST"
    );
    r.assert_no_secret_written();

    // Without credentials the endpoint's 401 is said as such (not "rejected … after a fresh token").
    let out = r.run(&[
        "upload",
        "--target",
        "rest",
        "--url",
        &format!("{base}/trunk-api/trunks/open-1/certificate"),
        "--auth",
        "none",
        "--ca-file",
        "sandbox.pem",
        "--host",
        "sbc.example.com",
        AT_ARG,
        "chain",
    ]);
    assert_ne!(code(&out), 0);
    assert!(
        stderr(&out).contains("asks for credentials (401) and none are configured")
            && !stderr(&out).contains("fresh token"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn rest_refuses_plain_http_to_a_remote_host() {
    let r = Rehearsal::new();
    let out = r.run(&[
        "upload",
        "--target",
        "rest",
        "--url",
        "http://sbc.example.net/api/certificate",
        AT_ARG,
        "chain",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("only allowed to a loopback address"));
}

#[test]
fn secret_is_prompted_for_in_a_terminal_without_echo() {
    use std::io::Write as _;
    let r = Rehearsal::new();
    let base = r.base();
    // `script` (util-linux) gives the program a terminal, as an admin's shell would.
    let command = format!(
        "{} trunks --client-id {CLIENT_ID} --api-base {base} --login-base {base} --ca-file sandbox.pem",
        env!("CARGO_BIN_EXE_chainsmith")
    );
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(r.dir.path())
        .env("CHAINSMITH_DATA_DIR", r.data())
        .env_remove("CHAINSMITH_CLIENT_SECRET")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script (util-linux)");
    // Answer once the prompt is shown (echo is off by then).
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        use std::io::Read as _;
        let mut all = Vec::new();
        let mut buf = [0u8; 256];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
            let _ = tx.send(String::from_utf8_lossy(&all).into_owned());
        }
        String::from_utf8_lossy(&all).into_owned()
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Ok(seen) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if seen.contains("Client secret (or password):") {
            break;
        }
    }
    // The prompt is written just before echo is turned off: give it a moment.
    std::thread::sleep(Duration::from_millis(300));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{CLIENT_SECRET}\n").as_bytes())
        .unwrap();
    child.wait().unwrap();
    let shown = reader.join().unwrap();
    assert!(shown.contains("Client secret (or password):"), "{shown}");
    assert!(shown.contains("4 EXTERNAL trunk(s)"), "{shown}");
    assert!(
        !shown.contains(CLIENT_SECRET),
        "the secret was echoed: {shown}"
    );
}

#[test]
fn rest_with_basic_auth_patch_explicit_read_url_json_output_and_no_retry_on_400() {
    let r = Rehearsal::new();
    let base = r.base();
    let url = format!("{base}/trunk-api/trunks/basic-1/certificate");
    let args = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "upload",
            "--target",
            "rest",
            "--url",
            &url,
            "--method",
            "PATCH",
            "--field",
            "bundle",
            "--read-url",
            &url,
            "--read-field",
            "bundle",
            "--auth",
            "basic",
            "--username",
            CLIENT_ID,
            "--ca-file",
            "sandbox.pem",
            "--include-root",
            AT_ARG,
            "chain",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let owned = args(&["--json"]);
    let out = r.run(&owned.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["result"], "verified");
    assert_eq!(record["target"], "rest");
    assert_eq!(
        record["bundle"],
        serde_json::json!([
            r.chain.leaf.sha256(),
            r.chain.intermediate.sha256(),
            r.chain.root.sha256()
        ]),
        "--include-root adds the root"
    );
    assert!(
        record["requests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["method"] == "PATCH")
    );

    // A 400 is the client's mistake: never retried, nothing changed.
    r.sandbox.inject(fault(400, "WRITE /trunk-api/"));
    let owned = args(&[]);
    let out = r.run(&owned.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let entry = r.audit().last().unwrap().clone();
    let patch = entry["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["method"] == "PATCH")
        .unwrap()
        .clone();
    assert_eq!(patch["status"], 400);
    assert_eq!(patch["attempts"], 1);
    assert_eq!(entry["changed"], false);
    r.assert_no_secret_written();
}

#[test]
fn region_names_and_preflight_warnings() {
    use chainsmith::upload::GenesysTarget;
    let t = GenesysTarget::new(Some("eu-west-2"), None, None, "id", "CAs").unwrap();
    assert_eq!(t.api_base, "https://api.euw2.pure.cloud");
    assert_eq!(t.login_base, "https://login.euw2.pure.cloud");
    assert_eq!(t.region.as_deref(), Some("euw2.pure.cloud"));
    let t = GenesysTarget::new(Some("mypurecloud.com.au"), None, None, "id", "CAs").unwrap();
    assert_eq!(t.api_base, "https://api.mypurecloud.com.au");
    let e = GenesysTarget::new(Some("mars-1"), None, None, "id", "CAs").unwrap_err();
    assert!(e.to_string().contains("euw2.pure.cloud"), "{e}");
    assert_eq!(chainsmith::upload::genesys::REGIONS.len(), 17);

    let r = Rehearsal::new();
    let out = r.trunks(&["--ca-file", "sandbox.pem"], Some(CLIENT_SECRET));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "Carrier C - Premises (standby)  [trunk-premises-2]  EXTERNAL trunk, BYOC Premises"
        ),
        "{text}"
    );
    assert!(text.contains("warning in service: no"), "{text}");
    assert!(text.contains("BYOC Cloud (nothing to upload)"), "{text}");
    assert!(
        text.contains("Carrier D - BYOC Cloud  [trunk-cloud-2]  EXTERNAL trunk, BYOC Cloud"),
        "a BYOC Cloud trunk with an edge group is still BYOC Cloud: {text}"
    );
    // The upload's pre-flight warns about the same trunk but goes on.
    let out = r.genesys("chain", &["--trunk", "trunk-premises-2"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: in service: no"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_refused_token_request_says_the_client_id_or_secret_was_refused() {
    let r = Rehearsal::new();
    let before = r.sandbox.requests();
    let out = r.trunks(&["--ca-file", "sandbox.pem"], Some("not-the-secret"));
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("client id or secret was refused"), "{text}");
    assert!(
        !text.contains("fresh token"),
        "no fresh token can help: {text}"
    );
    assert!(
        !text.contains("not-the-secret"),
        "the secret is never shown: {text}"
    );
    // One token request, not retried.
    assert_eq!(r.sandbox.requests(), before + 1);
}

/// No connection at all for the write (a refused port): nothing was sent, so even a POST is tried
/// again (four times, backing off), it says "cannot connect", and nothing changed (exit 3).
#[test]
fn a_refused_connection_is_retried_even_for_a_post_and_changes_nothing() {
    let r = Rehearsal::new();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port(); // bound, then dropped
    let base = r.base();
    let out = r.run(&[
        "upload",
        "--target",
        "rest",
        "--url",
        &format!("https://127.0.0.1:{closed}/api/certificate"),
        "--method",
        "post",
        "--read-url",
        &format!("{base}/trunk-api/trunks/new-1/certificate"),
        "--auth",
        "basic",
        "--username",
        CLIENT_ID,
        "--ca-file",
        "sandbox.pem",
        AT_ARG,
        "chain",
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot connect"), "{}", stderr(&out));
    let entry = r.audit()[0].clone();
    assert_eq!(entry["result"], "failed", "{entry}");
    assert_eq!(entry["changed"], false);
    let post = entry["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["method"] == "POST")
        .unwrap()
        .clone();
    assert_eq!(post["attempts"], 4, "{post}");
    assert!(post["waited_ms"].as_u64().unwrap() >= 3500, "{post}");
}

/// A 429 that asks for a wait longer than allowed (120 s) is not waited for: one attempt, named.
#[test]
fn a_retry_after_longer_than_allowed_is_named_not_waited_for() {
    let r = Rehearsal::new();
    r.sandbox.inject(Fault {
        retry_after: Some(3600),
        ..fault(429, "GET /certificateauthorities")
    });
    let started = Instant::now();
    let out = r.genesys("chain", &[]);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("asked to wait 3600 s (Retry-After), longer than allowed"),
        "{}",
        stderr(&out)
    );
    let entry = r.audit()[0].clone();
    let list = entry["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| {
            x["url"]
                .as_str()
                .unwrap()
                .contains("certificateauthorities?")
        })
        .unwrap()
        .clone();
    assert_eq!(list["attempts"], 1, "{list}");
    assert_eq!(list["status"], 429);
    assert_eq!(entry["changed"], false);
}

/// `upload --target rest` to the sandbox's trunk API with HTTP Basic, for the chain in `folder`.
fn rest_upload(r: &Rehearsal, folder: &str, extra: &[&str]) -> Output {
    let url = format!("{}/trunk-api/trunks/london-1/certificate", r.base());
    let mut args = vec!["--auth", "basic", "--username", CLIENT_ID];
    args.extend_from_slice(extra);
    rest_upload_to(r, &url, "sbc.example.com", folder, &args)
}

/// `upload --target rest --url URL` (no credentials) for the chain in `folder`, valid for `host`.
fn rest_upload_to(r: &Rehearsal, url: &str, host: &str, folder: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "upload",
        "--target",
        "rest",
        "--url",
        url,
        "--ca-file",
        "sandbox.pem",
        "--host",
        host,
        AT_ARG,
        folder,
    ];
    args.extend_from_slice(extra);
    r.run(&args)
}

fn spoiled(spoil: sandbox::Spoil, path: &str) -> Fault {
    Fault {
        spoil: Some(spoil),
        ..fault(0, path)
    }
}

/// What a target holds comes only from a complete answer understood whole: a read cut off, one
/// that is not JSON, or one without the field stops the target before any write, in words. The
/// old code took each of these for "it holds nothing" and a later rollback sent null.
#[test]
fn a_backup_read_that_is_cut_off_or_not_understood_stops_before_any_write() {
    let r = Rehearsal::new();
    let out = rest_upload(&r, "chain", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let writes = |r: &Rehearsal| {
        r.sandbox
            .received()
            .iter()
            .filter(|q| q.method != "GET" && !q.path.contains("oauth"))
            .count()
    };
    let next = chain(Alg::P256);
    Rehearsal::write_chain(r.dir.path(), "next", &next);
    // Every attempt of the read is cut off (a GET is retried: 4 attempts); a page that is not the
    // answer is an answer (not retried).
    for case in ["cut", "garbage"] {
        for _ in 0..if case == "cut" { 4 } else { 1 } {
            r.sandbox.inject(spoiled(
                if case == "cut" {
                    sandbox::Spoil::CutBody
                } else {
                    sandbox::Spoil::Garbage
                },
                "GET /trunk-api/",
            ));
        }
        let before = writes(&r);
        let out = rest_upload(&r, "next", &[]);
        let err = stderr(&out);
        assert_eq!(code(&out), 3, "{case}: {err}");
        assert!(
            err.contains("could not read what") && err.contains("nothing was changed"),
            "{case}: {err}"
        );
        if case == "cut" {
            assert!(err.contains("cut off after"), "{err}");
        } else {
            assert!(err.contains("neither JSON nor PEM"), "{err}");
        }
        assert_eq!(writes(&r), before, "{case}: no write");
        assert_eq!(r.audit().last().unwrap()["result"], "failed");
        assert!(r.audit().last().unwrap()["backup"].is_null(), "no backup");
    }

    // The read answers JSON without the field: not "nothing".
    let mut definition = chainsmith::upload::RestTarget::new(&format!(
        "{}/trunk-api/trunks/london-1/certificate",
        r.base()
    ));
    definition.read_field = Some("tls.chain".into());
    definition.auth = chainsmith::upload::RestAuth::Basic {
        username: CLIENT_ID.into(),
    };
    std::fs::write(r.dir.path().join("wrong-field.json"), definition.to_json()).unwrap();
    let before = writes(&r);
    let out = r.run(&[
        "upload",
        "--target-file",
        "wrong-field.json",
        "--ca-file",
        "sandbox.pem",
        "--host",
        "sbc.example.com",
        AT_ARG,
        "next",
    ]);
    let err = stderr(&out);
    assert_eq!(code(&out), 3, "{err}");
    assert!(err.contains("no \"tls.chain\" field"), "{err}");
    assert_eq!(writes(&r), before);
}

/// Genesys Cloud: a certificate authority list cut off mid-body stops the upload before any write.
#[test]
fn a_genesys_list_cut_off_stops_before_any_write() {
    let r = Rehearsal::new();
    let out = r.genesys("chain", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let next = chain(Alg::P256);
    Rehearsal::write_chain(r.dir.path(), "next", &next);
    for _ in 0..4 {
        r.sandbox.inject(spoiled(
            sandbox::Spoil::CutBody,
            "GET /certificateauthorities",
        ));
    }
    let out = r.genesys("next", &[]);
    let err = stderr(&out);
    assert_eq!(code(&out), 3, "{err}");
    assert!(
        err.contains("could not read what certificate authority")
            && err.contains("cut off after")
            && err.contains("(the server closed the connection before the end)")
            && !err.contains("docs.rs")
            && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(r.authority().unwrap()["version"], 1, "not changed");
}

/// `--timeout` bounds the whole exchange, the body included: a server that trickles its answer is
/// given up on in about the timeout, not for as long as it keeps sending.
#[test]
fn the_timeout_bounds_a_trickling_answer() {
    let r = Rehearsal::new();
    for _ in 0..4 {
        r.sandbox.inject(Fault {
            delay_ms: 300,
            ..spoiled(sandbox::Spoil::Trickle, "GET /trunk-api/")
        });
    }
    let started = std::time::Instant::now();
    let out = rest_upload(&r, "chain", &["--timeout", "2"]);
    let took = started.elapsed();
    let err = stderr(&out);
    assert_eq!(code(&out), 3, "{err}");
    assert!(err.contains("no answer within 2 s"), "{err}");
    // 4 attempts of 2 s and the backoff between them; a 40-byte-plus body at 300 ms a byte would
    // take minutes per attempt.
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
}

/// Credentials in a URL are refused with exit 2, never echoed, and nothing is sent.
#[test]
fn credentials_in_a_url_are_refused_and_never_shown() {
    let r = Rehearsal::new();
    let port = r.sandbox.address.port();
    for url in [
        format!("https://ops:Pa55-hunter2@127.0.0.1:{port}/trunk-api/trunks/x/certificate"),
        format!("https://127.0.0.1:{port}/trunk-api/trunks/x/certificate?access_token=hunter2-tok"),
    ] {
        let out = rest_upload_to(&r, &url, "sbc.example.com", "chain", &[]);
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{err}");
        assert!(err.contains("secret belongs"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
    let out = r.run(&[
        "upload",
        "--target",
        "genesys",
        "--client-id",
        CLIENT_ID,
        "--api-base",
        &format!("https://u:hunter2@127.0.0.1:{port}"),
        "--login-base",
        &r.base(),
        "--ca-name",
        "X",
        "--ca-file",
        "sandbox.pem",
        "--host",
        "sbc.example.com",
        AT_ARG,
        "chain",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(!stderr(&out).contains("hunter2"));
    assert_eq!(r.sandbox.received().len(), 0, "nothing sent");
    assert!(!r.data().join("audit.jsonl").exists());
}

/// `--save-target` never replaces an input or the CA file, and is written only once the bundle
/// passes: a refused upload leaves no definition behind.
#[test]
fn save_target_never_replaces_an_input_and_waits_for_the_check() {
    let r = Rehearsal::new();
    let leaf = r.dir.path().join("chain/leaf.pem");
    let before = std::fs::read(&leaf).unwrap();
    for over in ["chain/leaf.pem", "sandbox.pem"] {
        let out = rest_upload(&r, "chain", &["--save-target", over]);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(
            stderr(&out).contains("one of the inputs"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(std::fs::read(&leaf).unwrap(), before);
    // A bundle that does not pass (wrong host): refused, and no definition written.
    let url = format!("{}/trunk-api/trunks/london-1/certificate", r.base());
    let out = rest_upload_to(
        &r,
        &url,
        "wrong.example.org",
        "chain",
        &["--save-target", "def.json"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(!r.dir.path().join("def.json").exists());
    assert_eq!(r.sandbox.received().len(), 0);
}

/// A backup edited to name another place: `rollback` never sends the secret there (the backup
/// records a binding of the secret to the target it was used with).
#[test]
fn an_edited_backup_cannot_send_the_secret_elsewhere() {
    let r = Rehearsal::new();
    assert_eq!(code(&r.genesys("chain", &[])), 0);
    let next = chain(Alg::P256);
    Rehearsal::write_chain(r.dir.path(), "next", &next);
    assert_eq!(code(&r.genesys("next", &[])), 0);
    let backup = r.backups()[1].clone();
    let evil = sandbox::start(0, vec![]).unwrap();
    std::fs::write(r.dir.path().join("evil.pem"), &evil.certificate_pem).unwrap();
    let text = std::fs::read_to_string(&backup)
        .unwrap()
        .replace(&r.base(), &evil.base_url());
    std::fs::write(&backup, text).unwrap();
    let out = r.run(&[
        "rollback",
        backup.to_str().unwrap(),
        "--ca-file",
        "evil.pem",
    ]);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    assert!(err.contains("not the one used with"), "{err}");
    assert_eq!(evil.received().len(), 0, "nothing reached the edited place");
    r.assert_no_secret_written();
}

/// Loopback never goes through a proxy (as Windows' "bypass for local addresses" and curl's default
/// do): with HTTPS_PROXY pointing at a proxy that does not answer, a rehearsal against the sandbox on
/// 127.0.0.1 still reaches it directly.
#[test]
fn loopback_is_never_sent_through_a_proxy() {
    let r = Rehearsal::new();
    // A port nothing listens on: a request sent to this "proxy" fails at once.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let proxy = format!("http://127.0.0.1:{dead}");
    let base = r.base();
    let out = r.run_env(
        &[
            "trunks",
            "--client-id",
            CLIENT_ID,
            "--api-base",
            &base,
            "--login-base",
            &base,
            "--ca-file",
            "sandbox.pem",
        ],
        &[
            ("CHAINSMITH_CLIENT_SECRET", CLIENT_SECRET),
            ("HTTPS_PROXY", &proxy),
            ("https_proxy", &proxy),
            ("ALL_PROXY", &proxy),
            ("NO_PROXY", ""),
            ("no_proxy", ""),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// The window's key file is read only for a target that takes the leaf's key: named for a
/// Genesys upload (the field kept while the admin switched targets), it is never opened, here a
/// file that does not exist, and the upload goes on without it.
#[test]
fn a_key_file_is_read_only_for_a_target_that_takes_a_key() {
    use chainsmith::upload;
    let r = Rehearsal::new();
    let c = &r.chain;
    let report = analyze(
        &[
            ("leaf", c.leaf.pem().as_bytes()),
            ("intermediate", c.intermediate.pem().as_bytes()),
            ("root", c.root.pem().as_bytes()),
        ],
        &options(Some("sbc.example.com")),
    );
    let base = r.base();
    let genesys =
        upload::GenesysTarget::new(None, Some(&base), Some(&base), CLIENT_ID, "CAs").unwrap();
    let target = upload::Target::Genesys(genesys);
    let plan = upload::Plan {
        payload: upload::payload_for(&target, &report, false, None).unwrap(),
        target,
        rollback_of: None,
        data_dir: r.data(),
        api_roots: Some(r.sandbox.certificate_pem.clone().into_bytes()),
        api_roots_file: None,
        api_pins: Vec::new(),
        policy: upload::RetryPolicy::default(),
        rehearsal: false,
        forced: Vec::new(),
        unchanged_if_held: false,
        secret_binding: None,
        verify: None,
        key_file: Some(r.dir.path().join("no-such.key")),
        proxy: chainsmith::proxy::ProxyChoice::System,
    };
    let secrets = upload::Secrets {
        client_secret: Some(upload::Secret::new(CLIENT_SECRET)),
        token: None,
    };
    let (record, result) = upload::run(
        &plan,
        &secrets,
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
        0,
        &mut |_| {},
    );
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(record.result, "verified", "{record:?}");
}

/// A SIP server's files written, but its endpoint serves something else (the server reads other
/// files, or was not reloaded): "changed-unverified" (exit 4), naming what it serves and what to
/// check.
#[test]
fn a_files_target_whose_endpoint_serves_something_else_says_what_to_check() {
    let r = Rehearsal::new();
    let other = chain(Alg::P256);
    let port = serve_tls(
        vec![other.leaf.der.clone()],
        other.leaf.key.serialize_der(),
        None,
    );
    std::fs::write(
        r.dir.path().join("new.key"),
        r.chain.leaf.key.serialize_pem(),
    )
    .unwrap();
    let served = r.dir.path().join("served");
    std::fs::create_dir_all(&served).unwrap();
    let cert = served.join("cert.pem").display().to_string();
    let key = served.join("key.pem").display().to_string();
    let endpoint = format!("127.0.0.1:{port}");
    let out = r.run(&[
        "upload",
        "--target",
        "files",
        "--certificate",
        &cert,
        "--private-key",
        &key,
        "--key",
        "new.key",
        "--verify",
        &endpoint,
        "--host",
        "sbc.example.com",
        AT_ARG,
        "chain",
    ]);
    let said = stderr(&out);
    assert_eq!(code(&out), 4, "{said}");
    assert!(
        said.contains("does not serve what was sent")
            && said
                .contains("the server reads these files and that the reload command reloads TLS"),
        "{said}"
    );
    assert_eq!(r.audit().last().unwrap()["result"], "changed-unverified");
}

/// A trust-store job changes what a SIP server trusts, not what it serves: an endpoint named with
/// `--verify` is not judged by the CA list (it would never serve it), and the job is verified by
/// reading the file back.
#[test]
fn a_trust_store_job_is_not_judged_by_what_the_endpoint_serves() {
    let r = Rehearsal::new();
    let teams = root("Teams Root 2026", Alg::P256);
    std::fs::write(r.dir.path().join("teams.pem"), teams.pem()).unwrap();
    let port = serve_tls(
        vec![r.chain.leaf.der.clone(), r.chain.intermediate.der.clone()],
        r.chain.leaf.key.serialize_der(),
        None,
    );
    let ca_list = r.dir.path().join("ca_list.pem");
    std::fs::write(&ca_list, r.chain.root.pem()).unwrap();
    let ca = ca_list.display().to_string();
    let endpoint = format!("127.0.0.1:{port}");
    let out = r.run(&[
        "upload",
        "--target",
        "files",
        "--job",
        "trust-store",
        "--ca-list",
        &ca,
        "--trusted-roots",
        "replace",
        "--verify",
        &endpoint,
        "teams.pem",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&ca_list).unwrap(), teams.pem());
    assert_eq!(r.audit().last().unwrap()["result"], "verified");
}
