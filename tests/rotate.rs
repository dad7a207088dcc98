//! `chainsmith rotate PLAN` against real servers on loopback: two sandboxes standing for two Genesys
//! Cloud organisations and a third one's REST trunk API, over TLS, each trusted through its own
//! `ca_file`, with each target's secret in its own environment variable.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chainsmith::sandbox::{self, CLIENT_ID, CLIENT_SECRET, Fault};
use chainsmith::upload::{RestAuth, RestTarget};
use common::*;
use serde_json::Value;

const AT: &str = "2026-06-01T00:00:00Z";

/// `chainsmith rotate` run in `dir`, with the plan's three client secrets in its environment and
/// nothing else of ours: the base of every command these tests run.
fn rotate_command(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chainsmith"));
    c.arg("rotate")
        .current_dir(dir)
        .env("EU_CLIENT_SECRET", CLIENT_SECRET)
        .env("US_CLIENT_SECRET", CLIENT_SECRET)
        .env("SBC_LONDON_SECRET", CLIENT_SECRET)
        .env_remove("CHAINSMITH_CLIENT_SECRET")
        .stdin(std::process::Stdio::null());
    c
}

struct Setup {
    eu: sandbox::Handle,
    us: sandbox::Handle,
    sbc: sandbox::Handle,
    dir: tempfile::TempDir,
    old: Chain,
    new: Chain,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let eu = sandbox::start(0, vec![]).unwrap();
        let us = sandbox::start(0, vec![]).unwrap();
        let sbc = sandbox::start(0, vec![]).unwrap();
        for (name, s) in [("eu", &eu), ("us", &us), ("sbc", &sbc)] {
            std::fs::write(dir.path().join(format!("{name}.pem")), &s.certificate_pem).unwrap();
        }
        let mut rest = RestTarget::new(&format!(
            "{}/trunk-api/trunks/{{trunk}}/certificate",
            sbc.base_url()
        ));
        rest.params.insert("trunk".into(), "london-1".into());
        rest.auth = RestAuth::Oauth {
            token_url: format!("{}/oauth/token", sbc.base_url()),
            client_id: CLIENT_ID.into(),
        };
        std::fs::write(dir.path().join("sbc-london.json"), rest.to_json()).unwrap();
        let old = chain(Alg::P256);
        let new = chain(Alg::P256);
        write_chain(&dir.path().join("old-certs"), &old);
        write_chain(&dir.path().join("new-certs"), &new);
        let s = Self {
            eu,
            us,
            sbc,
            dir,
            old,
            new,
        };
        s.write_plan("plan.toml", "new-certs", "");
        s.write_plan("old.toml", "old-certs", "");
        s
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A plan with three targets (EU org, the canary; US org; SBC London over REST), `extra` appended.
    fn write_plan(&self, name: &str, inputs: &str, extra: &str) {
        let plan = format!(
            r#"# Carrier A's new certificate, everywhere.
[bundle]
inputs = ["{inputs}/"]
host = "sbc.example.com"
at = "{AT}"

[[target]]
name = "EU org (test first)"
kind = "genesys"
api_base = "{eu}"
login_base = "{eu}"
client_id = "{CLIENT_ID}"
ca_name = "Carrier A SIP TLS CAs"
ca_file = "eu.pem"
secret_env = "EU_CLIENT_SECRET"

[[target]]
name = "US org"
kind = "genesys"
api_base = "{us}"
login_base = "{us}"
client_id = "{CLIENT_ID}"
ca_name = "Carrier A SIP TLS CAs"
ca_file = "us.pem"
secret_env = "US_CLIENT_SECRET"

[[target]]
name = "SBC London"
kind = "rest"
definition = "sbc-london.json"
ca_file = "sbc.pem"
secret_env = "SBC_LONDON_SECRET"
{extra}"#,
            eu = self.eu.base_url(),
            us = self.us.base_url(),
        );
        std::fs::write(self.path(name), plan).unwrap();
    }

    fn rotate(&self, args: &[&str]) -> Output {
        self.rotate_with(args, &[])
    }

    /// `rotate` with more environment variables (a crash point).
    fn rotate_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        rotate_command(self.dir.path())
            .args(args)
            .envs(env.iter().copied())
            .env("CHAINSMITH_DATA_DIR", self.path("data"))
            .output()
            .unwrap()
    }

    fn rotate_json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.rotate(&all);
        let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{e}\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap(), json)
    }

    /// Requests that change something (not reads, not token requests), per sandbox.
    fn writes(&self) -> [usize; 3] {
        [&self.eu, &self.us, &self.sbc].map(|s| {
            s.received()
                .iter()
                .filter(|r| r.method != "GET" && !r.path.contains("oauth"))
                .count()
        })
    }

    /// What the three servers hold, exactly as stored (certificate texts, REST bodies).
    fn stored(&self) -> Vec<String> {
        [&self.eu, &self.us, &self.sbc]
            .iter()
            .map(|s| format!("{:?}", s.holdings()))
            .collect()
    }

    /// The run files of the plan named `name` (its file name's stem) not rolled back yet.
    fn run_files(&self, name: &str) -> Vec<PathBuf> {
        files_under(&self.path("data/rotations"))
            .into_iter()
            .filter(|p| {
                let Ok(run) =
                    serde_json::from_slice::<Value>(&std::fs::read(p).unwrap_or_default())
                else {
                    return false;
                };
                run["action"] == "apply"
                    && run["plan_name"] == name
                    && run["rolled_back_by"].is_null()
            })
            .collect()
    }

    fn requests(&self) -> [usize; 3] {
        [&self.eu, &self.us, &self.sbc].map(|s| s.received().len())
    }
}

fn write_chain(folder: &Path, chain: &Chain) {
    std::fs::create_dir_all(folder).unwrap();
    // A private key dropped by mistake beside the leaf: never sent anywhere.
    std::fs::write(
        folder.join("leaf.pem"),
        chain.leaf.pem() + &chain.leaf.key.serialize_pem(),
    )
    .unwrap();
    std::fs::write(folder.join("intermediate.pem"), chain.intermediate.pem()).unwrap();
    std::fs::write(folder.join("root.pem"), chain.root.pem()).unwrap();
}

fn statuses(json: &Value) -> Vec<String> {
    json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap().to_string())
        .collect()
}

fn fault(status: u16, path: &str) -> Fault {
    Fault {
        status,
        path_contains: path.into(),
        ..Fault::default()
    }
}

/// What each target holds, per `--status`.
fn holdings(s: &Setup, plan: &str) -> Vec<Vec<String>> {
    let (code, json) = s.rotate_json(&[plan, "--status"]);
    assert_eq!(code, 0, "{json:#}");
    json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            t["certificates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["sha256"].as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn a_full_run_verifies_every_target_and_running_it_again_sends_no_write() {
    let s = Setup::new();
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(statuses(&json), ["verified", "verified", "verified"]);
    assert_eq!(s.writes(), [1, 1, 1], "one write per target");
    // Genesys gets the CA certificates; the SBC the bundle, leaf first; never the key.
    let held = holdings(&s, "plan.toml");
    assert_eq!(held[0], [s.new.intermediate.sha256(), s.new.root.sha256()]);
    assert_eq!(held[1], held[0]);
    assert_eq!(held[2], [s.new.leaf.sha256(), s.new.intermediate.sha256()]);
    // The run file records every target, with its backup.
    let run_file = PathBuf::from(json["run_file"].as_str().unwrap());
    assert!(
        run_file.starts_with(s.path("data/rotations")),
        "{run_file:?}"
    );
    let recorded: Value = serde_json::from_slice(&std::fs::read(&run_file).unwrap()).unwrap();
    for (t, held) in recorded["targets"].as_array().unwrap().iter().zip(&held) {
        assert_eq!(t["status"], "verified");
        assert!(Path::new(t["backup"].as_str().unwrap()).is_file(), "{t}");
        // It held nothing; it holds what it was sent, as read back.
        assert_eq!(t["before"], serde_json::json!([]), "{t:#}");
        let after: Vec<&str> = t["after"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["sha256"].as_str().unwrap())
            .collect();
        assert_eq!(&after, held, "{t:#}");
    }
    let audit = std::fs::read_to_string(s.path("data/audit.jsonl")).unwrap();
    assert_eq!(audit.lines().count(), 3);

    // Again: every target already holds the bundle.
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(statuses(&json), ["unchanged", "unchanged", "unchanged"]);
    assert_eq!(s.writes(), [1, 1, 1], "no write the second time");
    // Its run file says what each target held before and after: the bundle, both times.
    let run_file = PathBuf::from(json["run_file"].as_str().unwrap());
    let recorded: Value = serde_json::from_slice(&std::fs::read(&run_file).unwrap()).unwrap();
    for (t, held) in recorded["targets"].as_array().unwrap().iter().zip(&held) {
        assert_eq!(&hashes(&t["before"]), held, "{t:#}");
        assert_eq!(&hashes(&t["after"]), held, "{t:#}");
    }
    // No secret in anything written.
    for file in files_under(&s.path("data")) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(!text.contains(CLIENT_SECRET), "{}", file.display());
        for token in [&s.eu, &s.us, &s.sbc]
            .iter()
            .flat_map(|h| h.issued_tokens())
        {
            assert!(!text.contains(&token), "{}", file.display());
        }
    }
}

#[test]
fn a_failing_canary_stops_the_run_and_nothing_reaches_the_rest() {
    let s = Setup::new();
    s.eu.inject(fault(403, "POST /certificateauthorities"));
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(statuses(&json), ["failed", "skipped", "skipped"]);
    assert!(
        json["targets"][0]["error"]
            .as_str()
            .unwrap()
            .contains("permission"),
        "{json:#}"
    );
    // Every target was read in the pre-flight; no change reached the skipped ones.
    assert_eq!(
        s.writes()[1..],
        [0, 0],
        "nothing sent to the skipped targets"
    );

    // --continue-on-error goes on past a failure.
    s.eu.inject(fault(403, "POST /certificateauthorities"));
    let (code, json) = s.rotate_json(&["plan.toml", "--continue-on-error"]);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(statuses(&json), ["failed", "verified", "verified"]);
}

#[test]
fn an_interrupted_run_resumes_where_it_stopped() {
    let s = Setup::new();
    // The canary alone, then the whole plan: the canary is not written twice.
    let (code, json) = s.rotate_json(&["plan.toml", "--canary-only"]);
    assert_eq!(code, 3, "the rest is still to do: {json:#}");
    assert_eq!(statuses(&json), ["verified", "pending", "pending"]);
    assert_eq!(s.writes()[1..], [0, 0]);

    // The US org refuses the change (its write answers 403 at its turn); the SBC is skipped. The
    // canary, changed by the first attempt of this run, is reported as this run's change.
    s.us.inject(fault(403, "POST /certificateauthorities"));
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(statuses(&json), ["verified", "failed", "skipped"]);
    assert_eq!(
        json["targets"][0]["result"], "changed, verified",
        "{json:#}"
    );
    assert_eq!(json["targets"][0]["changed"], true, "{json:#}");

    // Run again once it is back: the canary is not written again, the rest verified; every target
    // this run changed says so, the canary included.
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(statuses(&json), ["verified", "verified", "verified"]);
    for t in json["targets"].as_array().unwrap() {
        assert_eq!(t["result"], "changed, verified", "{json:#}");
    }
    assert_eq!(
        s.writes(),
        [1, 2, 1],
        "the US org's refused POST counts as a write sent"
    );

    // All three attempts are one run, in one run file: one rollback undoes the whole rotation,
    // the canary (changed in the first attempt) included.
    let run_files: std::collections::BTreeSet<_> =
        files_under(&s.path("data/rotations")).into_iter().collect();
    assert_eq!(run_files.len(), 1, "{run_files:?}");
    let run_file = json["run_file"].as_str().unwrap().to_string();
    let recorded: Value = serde_json::from_slice(&std::fs::read(&run_file).unwrap()).unwrap();
    assert_eq!(recorded["resumed"], 2);
    let (code, json) = s.rotate_json(&["--rollback", &run_file]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        statuses(&json),
        ["rolled-back", "rolled-back", "rolled-back"]
    );
    assert_eq!(
        holdings(&s, "plan.toml"),
        [Vec::<String>::new(), vec![], vec![]]
    );

    // A rolled-back run is not taken up again: the plan run anew is a new run.
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(statuses(&json), ["verified", "verified", "verified"]);
    assert_ne!(json["run_file"].as_str().unwrap(), run_file);
}

#[test]
fn rollback_puts_every_target_back_last_first() {
    let s = Setup::new();
    let (code, _) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0);
    let before = holdings(&s, "old.toml");
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    assert_ne!(holdings(&s, "old.toml"), before);
    let run_file = json["run_file"].as_str().unwrap().to_string();

    let (code, json) = s.rotate_json(&["--rollback", &run_file]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        statuses(&json),
        ["rolled-back", "rolled-back", "rolled-back"]
    );
    assert_eq!(
        holdings(&s, "old.toml"),
        before,
        "every target holds the old bundle again"
    );
    // Last first: the SBC, then the US org, then the EU org.
    let last_write = |h: &sandbox::Handle| {
        h.received()
            .iter()
            .filter(|r| r.method != "GET" && !r.path.contains("oauth"))
            .map(|r| r.at)
            .max()
            .unwrap()
    };
    assert!(last_write(&s.sbc) < last_write(&s.us));
    assert!(last_write(&s.us) < last_write(&s.eu));
    // Each put-back has its own audit entry and backup.
    let audit = std::fs::read_to_string(s.path("data/audit.jsonl")).unwrap();
    let rollbacks = audit
        .lines()
        .filter(|l| l.contains("\"action\":\"rollback\""))
        .count();
    assert_eq!(rollbacks, 3, "{audit}");
    // Held before by the rolled-back run: the old chain's CA certificates.
    assert_eq!(
        before[0],
        [s.old.intermediate.sha256(), s.old.root.sha256()]
    );
    // The rollback's own record: each target held the new bundle, holds the old one again, and
    // nothing went wrong.
    let new = holdings_after(&run_file);
    let recorded: Value =
        serde_json::from_slice(&std::fs::read(json["run_file"].as_str().unwrap()).unwrap())
            .unwrap();
    for ((t, before), new) in recorded["targets"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&before)
        .zip(&new)
    {
        assert_eq!(&hashes(&t["after"]), before, "{t:#}");
        assert_eq!(&hashes(&t["before"]), new, "{t:#}");
        assert!(t["error"].is_null(), "{t:#}");
    }
}

/// The SHA-256 of each certificate of a run file's `before` or `after` list.
fn hashes(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|h| h["sha256"].as_str().unwrap().to_string())
        .collect()
}

/// What each target held after the run in `run_file`, as its run file says.
fn holdings_after(run_file: &str) -> Vec<Vec<String>> {
    let run: Value = serde_json::from_slice(&std::fs::read(run_file).unwrap()).unwrap();
    run["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| hashes(&t["after"]))
        .collect()
}

#[test]
fn status_and_dry_run_send_no_change() {
    let s = Setup::new();
    let (code, json) = s.rotate_json(&["plan.toml", "--status"]);
    assert_eq!(code, 0, "{json:#}");
    for t in json["targets"].as_array().unwrap() {
        assert_eq!(t["holds_bundle"], false, "{t}");
        assert_eq!(t["certificates"].as_array().unwrap().len(), 0, "{t}");
    }
    let out = s.rotate(&["plan.toml", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("would send:"), "{text}");
    assert!(text.contains("POST"), "{text}");
    assert!(!text.contains(CLIENT_SECRET), "{text}");
    assert_eq!(s.writes(), [0, 0, 0], "no change sent");
    assert!(!s.path("data/rotations").exists(), "no run recorded");

    let (code, _) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0);
    let (_, json) = s.rotate_json(&["plan.toml", "--status"]);
    for t in json["targets"].as_array().unwrap() {
        assert_eq!(t["holds_bundle"], true, "{t}");
    }
    // The expiry of what each holds: the CAs' for the orgs, the leaf's (first) for the SBC.
    assert_eq!(
        json["targets"][0]["certificates"][0]["not_after"],
        "2036-01-01T00:00:00Z"
    );
    assert_eq!(
        json["targets"][2]["certificates"][0]["not_after"],
        "2027-01-01T00:00:00Z"
    );
    assert_eq!(
        json["targets"][2]["certificates"][0]["subject"],
        "CN=sbc.example.com"
    );
}

#[test]
fn a_plan_with_a_secret_or_a_typo_is_refused_naming_the_line() {
    let s = Setup::new();
    let plan = std::fs::read_to_string(s.path("plan.toml")).unwrap();
    let with_secret = plan.replace(
        "secret_env = \"US_CLIENT_SECRET\"",
        "client_secret = \"hunter2-do-not-print\"",
    );
    std::fs::write(s.path("secret.toml"), &with_secret).unwrap();
    let line = with_secret
        .lines()
        .position(|l| l.starts_with("client_secret"))
        .unwrap()
        + 1;
    let out = s.rotate(&["secret.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("line {line}")), "{err}");
    assert!(
        err.contains("client_secret") && err.contains("secret_env"),
        "{err}"
    );
    assert!(
        !err.contains("hunter2"),
        "the value is never printed: {err}"
    );

    let typo = plan.replace("ca_name = ", "ca_nmae = ");
    std::fs::write(s.path("typo.toml"), &typo).unwrap();
    let line = typo.lines().position(|l| l.starts_with("ca_nmae")).unwrap() + 1;
    let out = s.rotate(&["typo.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("line {line}")) && err.contains("unknown key `ca_nmae`"),
        "{err}"
    );
    assert_eq!(s.requests(), [0, 0, 0], "nothing sent for a bad plan");
}

#[test]
fn a_bundle_with_errors_is_refused_before_anything_is_sent() {
    let s = Setup::new();
    let plan = std::fs::read_to_string(s.path("plan.toml"))
        .unwrap()
        .replace(
            "host = \"sbc.example.com\"",
            "host = \"sbc9.other.example\"",
        );
    std::fs::write(s.path("wrong-host.toml"), plan).unwrap();
    let out = s.rotate(&["wrong-host.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("name.mismatch"));
    assert_eq!(s.requests(), [0, 0, 0]);
}

#[test]
fn verify_endpoints_are_probed_and_judged_against_the_bundle() {
    let s = Setup::new();
    // The SBC already serves the new chain; a second endpoint still serves the old leaf.
    let fresh = serve_tls(
        vec![s.new.leaf.der.clone(), s.new.intermediate.der.clone()],
        s.new.leaf.key.serialize_der(),
        None,
    );
    let stale = serve_tls(
        vec![s.old.leaf.der.clone(), s.old.intermediate.der.clone()],
        s.old.leaf.key.serialize_der(),
        None,
    );
    s.write_plan(
        "verify.toml",
        "new-certs",
        &format!(
            "\n[[verify]]\nendpoint = \"127.0.0.1:{fresh}\"\nhost = \"sbc.example.com\"\n\n[[verify]]\nendpoint = \"127.0.0.1:{stale}\"\nhost = \"sbc.example.com\"\n"
        ),
    );
    // While a target is not done, the far ends are not probed: they would be judged too early.
    s.eu.inject(fault(403, "WRITE /certificateauthorities"));
    let (code, json) = s.rotate_json(&["verify.toml"]);
    assert_eq!(code, 3, "{json:#}");
    assert!(
        json["verify"].as_array().is_none_or(Vec::is_empty),
        "{json:#}"
    );
    let (code, json) = s.rotate_json(&["verify.toml"]);
    assert_eq!(
        code, 0,
        "a stale far end is reported, not a failed run: {json:#}"
    );
    let codes = |i: usize| -> Vec<String> {
        json["verify"][i]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        codes(0).contains(&"served.matches-bundle".to_string()),
        "{json:#}"
    );
    assert!(
        codes(1).iter().any(|c| c == "served.stale-leaf"),
        "{:?}",
        codes(1)
    );
    assert_eq!(
        json["verify"][0]["served"],
        serde_json::json!([s.new.leaf.sha256(), s.new.intermediate.sha256()])
    );
}

#[test]
fn every_trunk_a_target_names_is_checked_first() {
    let s = Setup::new();
    // Two BYOC Premises trunks: both pre-flighted, then the upload.
    let plan = std::fs::read_to_string(s.path("plan.toml")).unwrap().replacen(
        "secret_env = \"EU_CLIENT_SECRET\"",
        "secret_env = \"EU_CLIENT_SECRET\"\ntrunks = [\"trunk-premises-1\", \"trunk-premises-2\"]",
        1,
    );
    std::fs::write(s.path("trunks.toml"), &plan).unwrap();
    let (code, json) = s.rotate_json(&["trunks.toml"]);
    assert_eq!(code, 0, "{json:#}");
    let checked: Vec<String> =
        s.eu.received()
            .iter()
            .filter(|r| r.path.contains("/trunks/"))
            .map(|r| r.path.rsplit('/').next().unwrap().to_string())
            .collect();
    assert_eq!(checked, ["trunk-premises-1", "trunk-premises-2"]);

    // A BYOC Cloud trunk among them: refused before any change, the rest skipped.
    let s = Setup::new();
    let plan = std::fs::read_to_string(s.path("plan.toml"))
        .unwrap()
        .replacen(
            "secret_env = \"EU_CLIENT_SECRET\"",
            "secret_env = \"EU_CLIENT_SECRET\"\ntrunks = [\"trunk-premises-1\", \"trunk-cloud-1\"]",
            1,
        );
    std::fs::write(s.path("cloud.toml"), &plan).unwrap();
    let (code, json) = s.rotate_json(&["cloud.toml"]);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(statuses(&json), ["refused", "skipped", "skipped"]);
    assert_eq!(s.writes(), [0, 0, 0]);
}

#[test]
fn the_report_tells_an_approver_what_changed_in_markdown_and_html() {
    let s = Setup::new();
    let (code, _) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0);
    // Names with markup and table characters: shown, never interpreted.
    let plan = std::fs::read_to_string(s.path("plan.toml"))
        .unwrap()
        .replace("name = \"SBC London\"", "name = \"SBC <London> & | Co\"");
    std::fs::write(s.path("plan.toml"), plan).unwrap();
    let out = s.rotate(&["plan.toml", "--report", "ticket.md"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(s.path("ticket.md")).unwrap();
    assert!(md.starts_with("# Certificate rotation: plan"), "{md}");
    for text in [
        "EU org (test first)",
        "US org",
        "SBC &lt;London&gt; &amp; \\| Co",
        "Held before",
        "Holds now",
        "verified",
        "To undo",
        "chainsmith rotate --rollback",
    ] {
        assert!(md.contains(text), "{text} missing:\n{md}");
    }
    // Before: the old CA certificates; now: the new ones, by SHA-256, with their expiry.
    assert!(md.contains(&s.old.intermediate.sha256()[..16]), "{md}");
    assert!(md.contains(&s.new.leaf.sha256()), "{md}");
    assert!(md.contains("until 2036-01-01"), "{md}");
    let backups = files_under(&s.path("data/backups"));
    assert!(
        backups
            .iter()
            .any(|b| md.contains(&b.display().to_string().replace('\\', "\\\\")))
    );

    let out = s.rotate(&["plan.toml", "--report", "ticket.html"]);
    assert_eq!(out.status.code(), Some(0));
    let html = std::fs::read_to_string(s.path("ticket.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("SBC &lt;London&gt; &amp; | Co"), "{html}");
    assert!(!html.contains("<London>"), "{html}");
    assert!(
        html.contains("unchanged"),
        "the second run changed nothing: {html}"
    );
    // Never a secret.
    assert!(!md.contains(CLIENT_SECRET) && !html.contains(CLIENT_SECRET));
}

#[test]
fn the_readme_plan_is_a_valid_plan() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("## Rotating many targets").unwrap()..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let plan = &section[start..start + section[start..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let rest = RestTarget::new("https://sbc-london.example/api/certificate");
    std::fs::write(dir.path().join("sbc-london.json"), rest.to_json()).unwrap();
    let path = dir.path().join("rotation.toml");
    std::fs::write(&path, plan).unwrap();
    let rotation = chainsmith::rotate::plan::read(&path).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = rotation.targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "EU org (test first)",
            "US org",
            "SBC London",
            "SBC Paris (AudioCodes)",
            "Kamailio edge"
        ]
    );
    // The devices: the key from [bundle], paths of this machine from the plan's folder.
    assert_eq!(rotation.bundle.key, Some(dir.path().join("sbc1-2026.key")));
    match &rotation.targets[3].target {
        chainsmith::upload::Target::AudioCodes(a) => {
            assert_eq!(a.context, 1);
            assert_eq!(a.previous_key, Some(dir.path().join("sbc1-2025.key")));
        }
        other => panic!("{other:?}"),
    }
    match &rotation.targets[4].target {
        chainsmith::upload::Target::Files(f) => {
            assert_eq!(f.ssh.as_deref(), Some("root@sip-edge.carrier.example:22"));
            assert_eq!(
                f.private_key.as_deref(),
                Some("/etc/kamailio/tls/server.key")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        rotation.targets[4].verify.as_deref(),
        Some("sip-edge.carrier.example:5061")
    );
    assert_eq!(rotation.verify[0].endpoint, "sbc1.carrier.example:5061");
    assert_eq!(rotation.bundle.inputs, [dir.path().join("new-certs/")]);
}

#[test]
fn a_plan_edited_as_a_draft_and_saved_reads_back_the_same() {
    let s = Setup::new();
    let text = std::fs::read_to_string(s.path("plan.toml")).unwrap();
    let draft = chainsmith::rotate::plan::draft(&text).unwrap();
    assert_eq!(draft.targets.len(), 3);
    let saved = chainsmith::rotate::plan::to_toml(&draft);
    std::fs::write(s.path("saved.toml"), &saved).unwrap();
    let mut original = chainsmith::rotate::plan::read(&s.path("plan.toml")).unwrap();
    let mut again = chainsmith::rotate::plan::read(&s.path("saved.toml")).unwrap();
    // Only where each target starts in its file differs.
    for t in original.targets.iter_mut().chain(again.targets.iter_mut()) {
        t.line = 0;
    }
    assert_eq!(again.targets, original.targets, "{saved}");
    assert_eq!(again.bundle, original.bundle, "{saved}");
    assert!(!saved.contains("secret ="), "{saved}");
}

#[test]
fn a_verify_endpoint_with_a_bad_host_is_refused_before_anything_is_sent() {
    let s = Setup::new();
    s.write_plan(
        "bad-verify.toml",
        "new-certs",
        "\n[[verify]]\nendpoint = \"127.0.0.1:5061\"\nhost = \"not a host!\"\n",
    );
    let text = std::fs::read_to_string(s.path("bad-verify.toml")).unwrap();
    let line = text.lines().position(|l| l == "[[verify]]").unwrap() + 1;
    let out = s.rotate(&["bad-verify.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("line {line}")) && err.contains("[[verify]] host"),
        "{err}"
    );
    assert_eq!(s.requests(), [0, 0, 0], "no target touched");
}

/// The journal, crash point by crash point: the process dies (abort, as `kill -9`: no destructor,
/// no flush) at each step boundary of a Genesys target (the canary, the 1st passage) and of the REST
/// target (the 3rd); the run file then tells rollback exactly which targets may have changed and
/// holds their backups, and the rollback puts every target back byte for byte.
#[test]
fn a_crash_at_any_step_leaves_a_journal_that_rolls_back_every_target_byte_for_byte() {
    let s = Setup::new();
    let (code, json) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0, "{json:#}");
    let original = s.stored();
    for point in [
        "before-backup",
        "after-backup",
        "after-intent",
        "after-write",
        "after-readback",
    ] {
        for passage in ["1", "3"] {
            let crash = format!("{point}#{passage}");
            let out = s.rotate_with(&["plan.toml"], &[("CHAINSMITH_CRASH_AT", &crash)]);
            assert_eq!(
                out.status.code(),
                None,
                "{crash}: the process was to die there: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let mut open = s.run_files("plan");
            assert_eq!(open.len(), 1, "{crash}: one run not rolled back: {open:?}");
            let run_file = open.remove(0);
            let recorded: Value =
                serde_json::from_slice(&std::fs::read(&run_file).unwrap()).unwrap();
            assert!(recorded["finished"].is_null(), "{crash}: {recorded:#}");
            // Until the write is sent, the canary is not recorded as (maybe) changed.
            let canary = &recorded["targets"][0];
            let sent = !(passage == "1" && ["before-backup", "after-backup"].contains(&point));
            assert_eq!(
                canary["changed"].as_bool().unwrap()
                    || canary["step"] == "sending"
                    || canary["status"] == "verified",
                sent,
                "{crash}: {canary:#}"
            );
            // The journal's last step for the canary: its backup saved, then "sending" before the
            // write, never back to "backed-up" after it.
            if passage == "1" {
                let step = match point {
                    "before-backup" => Value::Null,
                    "after-backup" => "backed-up".into(),
                    _ => "sending".into(),
                };
                assert_eq!(canary["step"], step, "{crash}: {canary:#}");
            }
            let out = s.rotate(&["--rollback", run_file.to_str().unwrap(), "--json"]);
            let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
                panic!("{crash}: {e}: {}", String::from_utf8_lossy(&out.stderr))
            });
            assert_eq!(out.status.code(), Some(0), "{crash}: {json:#}");
            assert_eq!(
                s.stored(),
                original,
                "{crash}: every target holds exactly what it held before"
            );
            // A run rolled back is never rolled back twice.
            let again = s.rotate(&["--rollback", run_file.to_str().unwrap()]);
            assert_eq!(again.status.code(), Some(2), "{crash}");
            assert!(
                String::from_utf8_lossy(&again.stderr).contains("rolled back already"),
                "{crash}: {}",
                String::from_utf8_lossy(&again.stderr)
            );
        }
    }
}

/// Killed after the US org's write was sent: running the plan again resumes the same run, keeps the
/// first backups, and one rollback undoes all of it.
#[test]
fn a_run_killed_after_a_write_resumes_and_keeps_its_first_backup() {
    let s = Setup::new();
    let (code, _) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0);
    let original = s.stored();
    let out = s.rotate_with(&["plan.toml"], &[("CHAINSMITH_CRASH_AT", "after-write#2")]);
    assert_eq!(out.status.code(), None);
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(statuses(&json), ["verified", "verified", "verified"]);
    assert_eq!(s.run_files("plan").len(), 1, "one run, resumed");
    let run_file = json["run_file"].as_str().unwrap().to_string();
    let (code, json) = s.rotate_json(&["--rollback", &run_file]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(s.stored(), original);
}

/// Two runs at once: the second is refused, naming the holder; the same target named by another
/// plan is locked too.
#[test]
fn a_second_run_of_the_plan_or_its_targets_is_refused_while_one_runs() {
    let s = Setup::new();
    // The canary's write waits 6 s: the first run holds its locks meanwhile.
    s.eu.inject(Fault {
        delay_ms: 6000,
        ..fault(0, "POST /certificateauthorities")
    });
    let first = {
        let dir = s.dir.path().to_path_buf();
        std::thread::spawn(move || {
            rotate_command(&dir)
                .args(["plan.toml", "--json"])
                .env("CHAINSMITH_DATA_DIR", dir.join("data"))
                .output()
                .unwrap()
        })
    };
    // Wait for the first run's write to be on its way.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !s
        .eu
        .received()
        .iter()
        .any(|r| r.method == "POST" && r.path.contains("certificateauthorities"))
    {
        assert!(
            std::time::Instant::now() < until,
            "the first run never wrote"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = s.rotate(&["plan.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("being changed by another run") && err.contains("process"),
        "{err}"
    );
    // Another plan file naming the same EU target: its lock is held too.
    std::fs::create_dir_all(s.path("other")).unwrap();
    let other = std::fs::read_to_string(s.path("plan.toml"))
        .unwrap()
        .replace("\"new-certs/\"", "\"../new-certs/\"")
        .replace("\"eu.pem\"", "\"../eu.pem\"")
        .replace("\"us.pem\"", "\"../us.pem\"")
        .replace("\"sbc.pem\"", "\"../sbc.pem\"")
        .replace("\"sbc-london.json\"", "\"../sbc-london.json\"");
    std::fs::write(s.path("other/plan.toml"), other).unwrap();
    let out = s.rotate(&["other/plan.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("being changed by another run") && err.contains("target \""),
        "{err}"
    );
    // A plan naming only one of the other targets: every target of the running plan is locked,
    // not only the first.
    let whole = std::fs::read_to_string(s.path("other/plan.toml")).unwrap();
    let mut blocks = whole.split("[[target]]");
    let head = blocks.next().unwrap().to_string();
    for block in blocks.filter(|b| !b.contains("EU org")) {
        std::fs::write(s.path("other/one.toml"), format!("{head}[[target]]{block}")).unwrap();
        let out = s.rotate(&["other/one.toml"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{block}: {err}");
        assert!(
            err.contains("being changed by another run") && err.contains("target \""),
            "{err}"
        );
    }
    let first = first.join().unwrap();
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(s.writes(), [1, 1, 1], "only the first run wrote");
}

/// Two plan files of the same name in two folders are two plans: neither resumes the other's run,
/// and each rollback goes only to its own targets.
#[test]
fn plans_of_the_same_name_in_two_folders_never_share_a_run() {
    let s = Setup::new();
    let (code, json) = s.rotate_json(&["plan.toml", "--canary-only"]);
    assert_eq!(code, 3, "{json:#}");
    let first_run = json["run_file"].as_str().unwrap().to_string();
    // The same name elsewhere, naming only the US org.
    std::fs::create_dir_all(s.path("b")).unwrap();
    let text = std::fs::read_to_string(s.path("plan.toml")).unwrap();
    let us_only = text[..text.find("[[target]]").unwrap()].to_string()
        + &text[text.find("[[target]]\nname = \"US org\"").unwrap()
            ..text.find("[[target]]\nname = \"SBC London\"").unwrap()];
    std::fs::write(
        s.path("b/plan.toml"),
        us_only
            .replace("\"new-certs/\"", "\"../new-certs/\"")
            .replace("\"us.pem\"", "\"../us.pem\""),
    )
    .unwrap();
    let (code, json) = s.rotate_json(&["b/plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    assert_ne!(json["run_file"].as_str().unwrap(), first_run);
    assert_eq!(statuses(&json), ["verified"]);
    // The first plan's run is still its own, unfinished: rolling it back touches the EU org only.
    let before = s.writes();
    let (code, json) = s.rotate_json(&["--rollback", &first_run]);
    assert_eq!(code, 0, "{json:#}");
    let after = s.writes();
    assert_eq!(after[0], before[0] + 1, "the EU org put back");
    assert_eq!(
        after[1..],
        before[1..],
        "the other plan's US change is left alone"
    );
}

/// A plan edited after the canary (a mistyped ca_name fixed): the resume is refused, saying what
/// changed and how to undo; the first run's backup stays reachable, and its rollback restores it.
#[test]
fn an_edited_plan_never_loses_the_first_runs_backup() {
    let s = Setup::new();
    let (code, json) = s.rotate_json(&["plan.toml", "--canary-only"]);
    assert_eq!(code, 3, "{json:#}");
    let run_file = json["run_file"].as_str().unwrap().to_string();
    let edited = std::fs::read_to_string(s.path("plan.toml"))
        .unwrap()
        .replacen(
            "ca_name = \"Carrier A SIP TLS CAs\"",
            "ca_name = \"Carrier A SIP TLS CA\"",
            1,
        );
    std::fs::write(s.path("plan.toml"), edited).unwrap();
    let out = s.rotate(&["plan.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("edited") && err.contains("EU org (test first)") && err.contains("--rollback"),
        "{err}"
    );
    assert_eq!(s.writes(), [1, 0, 0], "nothing more sent");
    let (code, json) = s.rotate_json(&["--rollback", &run_file]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        s.eu.holdings().0.len(),
        0,
        "the org holds no certificate authority again, as before"
    );
    assert!(
        json["targets"][0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("held nothing before"),
        "{json:#}"
    );
}

/// Rolling back an older run after a later one changed the same targets is refused (it would undo
/// the later change), unless --force.
#[test]
fn an_older_run_is_not_rolled_back_over_a_later_one_without_force() {
    let s = Setup::new();
    let (code, json) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0);
    let older = json["run_file"].as_str().unwrap().to_string();
    // A later run must start in a later second than the first: run file times are to the second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    let later = json["run_file"].as_str().unwrap().to_string();
    let out = s.rotate(&["--rollback", &older]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let later_name = Path::new(&later).file_name().unwrap().to_string_lossy();
    assert!(
        err.contains("a later run") && err.contains(&*later_name),
        "{err}"
    );
    assert_eq!(s.writes(), [2, 2, 2], "nothing sent");
    let (code, json) = s.rotate_json(&["--rollback", &older, "--force"]);
    assert_eq!(code, 0, "{json:#}");
}

/// As the refusal says: once the later run is rolled back, the older one can be, without --force
/// (but not while the later run's file is missing: refuse rather than guess); and a copy of a run
/// file kept aside under another name (`.json.bak`) is not a run.
#[test]
fn an_older_run_is_rolled_back_once_the_later_one_is() {
    let s = Setup::new();
    let (code, _) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0);
    let original = s.stored();
    // The older run brings the new certificates; the later one the old ones back.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0);
    let older = json["run_file"].as_str().unwrap().to_string();
    let after_older = s.stored();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (code, json) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0, "{json:#}");
    let later = json["run_file"].as_str().unwrap().to_string();
    std::fs::copy(&later, format!("{later}.bak")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (code, json) = s.rotate_json(&["--rollback", &later]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(s.stored(), after_older);
    // While the later run's file is gone, what its rollback undid cannot be told: refused.
    std::fs::rename(&later, s.path("aside.json")).unwrap();
    let out = s.rotate(&["--rollback", &older]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("a later run") && err.contains("-rollback.json"),
        "{err}"
    );
    std::fs::rename(s.path("aside.json"), &later).unwrap();
    let (code, json) = s.rotate_json(&["--rollback", &older]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(s.stored(), original, "as before both runs");
}

/// Run files name absolute paths: the rollback command a report prints works from anywhere, even
/// when the data folder was given relative to where the run was started.
#[test]
fn a_rollback_works_from_another_folder() {
    let s = Setup::new();
    let out = rotate_command(s.dir.path())
        .args(["plan.toml", "--json"])
        .env("CHAINSMITH_DATA_DIR", "data")
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{json:#}");
    let run_file = json["run_file"].as_str().unwrap();
    assert!(Path::new(run_file).is_absolute(), "{run_file}");
    let recorded: Value = serde_json::from_slice(&std::fs::read(run_file).unwrap()).unwrap();
    assert!(Path::new(recorded["plan"].as_str().unwrap()).is_absolute());
    for t in recorded["targets"].as_array().unwrap() {
        assert!(
            Path::new(t["backup"].as_str().unwrap()).is_absolute(),
            "{t}"
        );
        assert!(
            Path::new(t["ca_file"].as_str().unwrap()).is_absolute(),
            "{t}"
        );
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let out = rotate_command(elsewhere.path())
        .args(["--rollback", run_file])
        .env("CHAINSMITH_DATA_DIR", s.path("data"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        holdings(&s, "plan.toml"),
        [Vec::<String>::new(), vec![], vec![]]
    );
}

/// A run file edited to send a target's rollback elsewhere: the secret is bound to the target it
/// was used with, so nothing (no secret, no request) goes to the new URL.
#[test]
fn an_edited_run_file_cannot_send_a_secret_elsewhere() {
    let s = Setup::new();
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    let run_file = json["run_file"].as_str().unwrap().to_string();
    let evil = sandbox::start(0, vec![]).unwrap();
    let original = std::fs::read_to_string(&run_file).unwrap();
    let text = original.replace(&s.us.base_url(), &evil.base_url());
    std::fs::write(&run_file, text).unwrap();
    std::fs::write(s.path("us.pem"), &evil.certificate_pem).unwrap();
    let (code, json) = s.rotate_json(&["--rollback", &run_file]);
    assert_ne!(code, 0, "{json:#}");
    assert_eq!(json["targets"][1]["status"], "refused", "{json:#}");
    assert!(
        json["targets"][1]["error"]
            .as_str()
            .unwrap()
            .contains("not the one this run used"),
        "{json:#}"
    );
    assert_eq!(evil.received().len(), 0, "nothing reached the edited URL");
    // The other targets were put back.
    assert_eq!(statuses(&json)[0], "rolled-back");
    assert_eq!(statuses(&json)[2], "rolled-back");

    // The run file as it was, but the US org's backup file edited to name the other URL: refused
    // too, nothing sent there.
    std::fs::write(&run_file, &original).unwrap();
    let recorded: Value = serde_json::from_str(&original).unwrap();
    let backup = recorded["targets"][1]["backup"].as_str().unwrap();
    let text = std::fs::read_to_string(backup)
        .unwrap()
        .replace(&s.us.base_url(), &evil.base_url());
    std::fs::write(backup, text).unwrap();
    let (code, json) = s.rotate_json(&["--rollback", &run_file]);
    assert_ne!(code, 0, "{json:#}");
    assert_eq!(json["targets"][1]["status"], "refused", "{json:#}");
    assert!(
        json["targets"][1]["error"]
            .as_str()
            .unwrap()
            .contains("is of another target"),
        "{json:#}"
    );
    assert_eq!(evil.received().len(), 0, "nothing reached the backup's URL");
}

/// Every target is checked before the canary: a mistyped ca_file on the second target stops the
/// run before any write, naming the target and its line.
#[test]
fn a_broken_second_target_stops_the_run_before_the_canary() {
    let s = Setup::new();
    let plan = std::fs::read_to_string(s.path("plan.toml"))
        .unwrap()
        .replace("ca_file = \"us.pem\"", "ca_file = \"us-typo.pem\"");
    std::fs::write(s.path("typo.toml"), &plan).unwrap();
    let line = plan.lines().position(|l| l == "name = \"US org\"").unwrap();
    let out = s.rotate(&["typo.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("target \"US org\"")
            && err.contains(&format!("line {line}"))
            && err.contains("us-typo.pem")
            && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(s.writes(), [0, 0, 0]);
}

/// A plan error never quotes a value (a secret pasted in the wrong key or in secret_env).
#[test]
fn plan_errors_quote_no_value() {
    let s = Setup::new();
    let plan = std::fs::read_to_string(s.path("plan.toml")).unwrap();
    for (from, to) in [
        (
            "secret_env = \"US_CLIENT_SECRET\"",
            "secret_env = \"Xk9-hunter2-pasted\"",
        ),
        (
            "secret_env = \"US_CLIENT_SECRET\"",
            "timeout = \"Xk9-hunter2-pasted\"",
        ),
        ("kind = \"rest\"", "kind = \"Xk9-hunter2-pasted\""),
    ] {
        std::fs::write(s.path("bad.toml"), plan.replacen(from, to, 1)).unwrap();
        let out = s.rotate(&["bad.toml"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("line "), "{err}");
        assert!(!err.contains("hunter2"), "a value was quoted: {err}");
    }
}

/// `--report` never lands on a file the plan depends on, nor on a record; refused before anything
/// is sent.
#[test]
fn a_report_never_replaces_a_file_the_plan_or_a_rollback_needs() {
    let s = Setup::new();
    let (code, _) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0);
    let writes = s.writes();
    let backup = files_under(&s.path("data/backups")).remove(0);
    let run_file = s.run_files("old").remove(0);
    for target in [
        s.path("sbc-london.json"),
        s.path("eu.pem"),
        s.path("plan.toml"),
        s.path("new-certs/leaf.pem"),
        s.path("data/audit.jsonl"),
        backup.clone(),
        run_file.clone(),
        s.path("data/rotations/new-report.md"),
    ] {
        let before = std::fs::read(&target).ok();
        let out = s.rotate(&["plan.toml", "--report", target.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", target.display());
        assert_eq!(std::fs::read(&target).ok(), before, "{}", target.display());
    }
    assert_eq!(s.writes(), writes, "nothing sent");
}

/// A plan file that is a FIFO, a device or huge is refused at once, never read without end.
#[cfg(unix)]
#[test]
fn a_plan_that_is_not_a_small_regular_file_is_refused_at_once() {
    let s = Setup::new();
    let fifo = s.path("fifo.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let started = std::time::Instant::now();
    for plan in [fifo.to_str().unwrap(), "/dev/zero"] {
        let out = s.rotate(&[plan]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("not a regular file"), "{err}");
    }
    let big = s.path("big.toml");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(11 * 1024 * 1024).unwrap();
    let out = s.rotate(&[big.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than"));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

/// Killed after the journal said "sending" but before the write left: the rollback says the target
/// holds nothing as before (the change had not landed), not that it removed something.
#[test]
fn a_rollback_says_when_an_interrupted_change_had_not_landed() {
    let s = Setup::new();
    let out = s.rotate_with(&["plan.toml"], &[("CHAINSMITH_CRASH_AT", "after-intent#1")]);
    assert_eq!(out.status.code(), None);
    let run_file = s.run_files("plan").remove(0);
    let (code, json) = s.rotate_json(&["--rollback", run_file.to_str().unwrap()]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(statuses(&json), ["rolled-back", "unchanged", "unchanged"]);
    assert!(
        json["targets"][0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("had not landed"),
        "{json:#}"
    );
    assert_eq!(s.eu.holdings().0.len(), 0);
}

/// An edited plan is refused while an unfinished run of its earlier version stands, and the refusal
/// says what changed, target by target: one removed, one whose settings changed (with its line), one
/// new (with its line).
#[test]
fn an_edited_plan_is_refused_naming_each_change() {
    let s = Setup::new();
    let (code, json) = s.rotate_json(&["plan.toml", "--canary-only"]);
    assert_eq!(code, 3, "{json:#}");
    let plan = std::fs::read_to_string(s.path("plan.toml")).unwrap();
    let edited = plan
        // The canary's settings change; the REST target is renamed: removed, and a new one.
        .replacen(
            "ca_name = \"Carrier A SIP TLS CAs\"",
            "ca_name = \"Carrier A SIP TLS CA\"",
            1,
        )
        .replace("name = \"SBC London\"", "name = \"SBC London 2\"");
    std::fs::write(s.path("plan.toml"), &edited).unwrap();
    let line_of = |needle: &str| {
        edited
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .unwrap()
    };
    let out = s.rotate(&["plan.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let eu_line = line_of("name = \"EU org (test first)\"") - 1;
    let new_line = line_of("name = \"SBC London 2\"") - 1;
    for said in [
        format!(
            "target \"EU org (test first)\" (line {eu_line}) now names another place or settings"
        ),
        "target \"SBC London\" was removed".to_string(),
        format!("target \"SBC London 2\" (line {new_line}) is new"),
    ] {
        assert!(err.contains(&said), "{said:?} not in: {err}");
    }
    assert!(
        !err.contains("\"US org\""),
        "an unchanged target is not named: {err}"
    );
    assert_eq!(s.writes(), [1, 0, 0], "nothing more sent");
}

/// A rotation through the library, as the window runs it, with Stop pressed when `stop_when` says:
/// the run file's targets and its path.
fn apply_stopping(
    s: &Setup,
    stop_when: impl Fn(&chainsmith::rotate::Progress) -> bool,
) -> (Vec<chainsmith::rotate::TargetRun>, PathBuf) {
    use chainsmith::rotate::{self, Progress, RunOptions};
    use chainsmith::upload::{Secret, Secrets};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let data = s.path("data");
    let rotation = rotate::plan::read(&s.path("plan.toml")).unwrap_or_else(|e| panic!("{e}"));
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    };
    let prepared = rotate::prepare(&rotation, now(), &data).unwrap_or_else(|e| panic!("{e}"));
    let secrets: Vec<Secrets> = rotation
        .targets
        .iter()
        .map(|_| Secrets {
            client_secret: Some(Secret::new(CLIENT_SECRET)),
            token: None,
        })
        .collect();
    let cancel = Arc::new(AtomicBool::new(false));
    let stop = cancel.clone();
    let mut progress = |p: Progress| {
        if stop_when(&p) {
            stop.store(true, Ordering::Relaxed);
        }
    };
    let (run, path) = rotate::apply(
        &rotation,
        &prepared.plans,
        &secrets,
        prepared
            .report
            .chain
            .iter()
            .map(|c| c.cert.sha256.hex())
            .collect(),
        RunOptions::default(),
        &data,
        &now,
        cancel,
        &mut progress,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    (run.targets, path)
}

/// Stop pressed as the canary starts (it ends cancelled).
fn apply_stopping_at_the_canary(s: &Setup) -> Vec<chainsmith::rotate::TargetRun> {
    use chainsmith::rotate::Progress;
    apply_stopping(s, |p| matches!(p, Progress::Started(0))).0
}

/// Stop pressed (the window's Stop, here through the library as the window calls it): the target
/// being handled and those after it are marked cancelled, not left pending, none is sent anything,
/// and a target stopped before it was read claims to hold nothing. A target an earlier, killed
/// attempt changed keeps saying so (a rollback must still undo it), never "cancelled".
#[test]
fn targets_after_a_stop_are_cancelled_and_one_an_earlier_attempt_changed_says_so() {
    use chainsmith::rotate::Status;
    let s = Setup::new();
    let targets = apply_stopping_at_the_canary(&s);
    let got: Vec<Status> = targets.iter().map(|t| t.status).collect();
    assert_eq!(got, [Status::Cancelled; 3]);
    assert!(targets.iter().all(|t| !t.was_changed()));
    // Stopped before its read: nothing is known of what it holds, and nothing is claimed.
    assert!(
        targets[0].before.is_empty() && targets[0].after.is_empty(),
        "{:?}",
        targets[0]
    );
    assert_eq!(s.writes(), [0, 0, 0], "nothing sent after the Stop");

    // Killed after the US org's write was sent: the canary verified, the US org maybe changed.
    let out = s.rotate_with(&["plan.toml"], &[("CHAINSMITH_CRASH_AT", "after-write#2")]);
    assert_eq!(out.status.code(), None);
    let writes_before = s.writes();
    let targets = apply_stopping_at_the_canary(&s);
    let got: Vec<(Status, String)> = targets
        .iter()
        .map(|t| (t.status, t.status_words()))
        .collect();
    assert_eq!(got[0].0, Status::Cancelled, "{got:?}");
    assert_eq!(got[1].0, Status::Pending, "{got:?}");
    assert_eq!(got[1].1, "interrupted after a change was sent", "{got:?}");
    assert!(targets[1].was_changed());
    assert_eq!(got[2].0, Status::Cancelled, "{got:?}");
    assert!(!targets[2].was_changed());
    assert_eq!(s.writes(), writes_before, "nothing sent after the Stop");
}

/// Stop pressed after the canary's write was accepted, before its read-back: the canary ends
/// cancelled but is recorded as changed, and the rollback puts it back.
#[test]
fn a_stop_after_a_write_leaves_a_change_the_rollback_undoes() {
    use chainsmith::rotate::{Progress, Status};
    use chainsmith::upload::{Event, Phase};
    let s = Setup::new();
    let (code, json) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0, "{json:#}");
    let original = s.stored();
    let (targets, run_file) = apply_stopping(&s, |p| {
        matches!(p, Progress::Step(0, Event::Done(Phase::Upload, _)))
    });
    let got: Vec<Status> = targets.iter().map(|t| t.status).collect();
    assert_eq!(got, [Status::Cancelled; 3]);
    assert_eq!(
        s.writes(),
        [2, 1, 1],
        "the canary's write only (after old.toml's three)"
    );
    assert!(
        targets[0].changed && targets[0].was_changed(),
        "{:?}",
        targets[0]
    );
    assert!(!targets[1].was_changed() && !targets[2].was_changed());
    assert_ne!(s.stored(), original);
    let (code, json) = s.rotate_json(&["--rollback", run_file.to_str().unwrap()]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(s.stored(), original, "the canary holds what it held before");
}

/// A target whose read-back differs from what was sent (the server stored something else): the run
/// stops there (exit 4), says so, records what it holds as unknown, and the rollback puts it back.
#[test]
fn a_target_that_reads_back_otherwise_stops_the_run_and_is_rolled_back() {
    let s = Setup::new();
    let (code, json) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0, "{json:#}");
    let original = s.stored();
    s.us.inject(Fault {
        tamper: true,
        path_contains: "WRITE /certificateauthorities".into(),
        ..Fault::default()
    });
    let out = s.rotate(&["plan.toml", "--json", "--report", "report.md"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(4), "{json:#}");
    assert_eq!(statuses(&json), ["verified", "differs", "skipped"]);
    assert_eq!(s.writes(), [2, 2, 1], "after old.toml's three");
    let run_file = json["run_file"].as_str().unwrap().to_string();
    let recorded: Value = serde_json::from_slice(&std::fs::read(&run_file).unwrap()).unwrap();
    let us = &recorded["targets"][1];
    assert_eq!(us["after"], serde_json::json!([]), "{us:#}");
    assert_eq!(us["changed"], true, "{us:#}");
    assert_eq!(
        recorded["targets"][0]["after"].as_array().unwrap().len(),
        2,
        "the canary holds the two CA certificates: {recorded:#}"
    );
    let report = std::fs::read_to_string(s.path("report.md")).unwrap();
    assert!(
        report.contains("| Holds now | unknown: it did not read back as sent |"),
        "{report}"
    );
    let (code, json) = s.rotate_json(&["--rollback", &run_file]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(s.stored(), original);
}

/// The plan's settings are the run's: `[bundle] profile` is the profile the bundle is judged by, and
/// a target's `timeout` bounds each of its requests (here the SBC's API answers after 3 s: with
/// `timeout = 1` every attempt of the pre-flight read gives up, and nothing is sent anywhere).
#[test]
fn the_plans_profile_and_a_targets_timeout_are_the_runs() {
    let s = Setup::new();
    s.write_plan("plan.toml", "new-certs", "timeout = 1\n");
    let text = std::fs::read_to_string(s.path("plan.toml"))
        .unwrap()
        .replacen("at = ", "profile = \"sip-mutual-tls\"\nat = ", 1);
    std::fs::write(s.path("plan.toml"), text).unwrap();
    let out = s.rotate(&["plan.toml", "--status"]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("profile sip-mutual-tls"), "{said}");
    for _ in 0..6 {
        s.sbc.inject(Fault {
            delay_ms: 3000,
            path_contains: "GET /trunk-api".into(),
            ..Fault::default()
        });
    }
    let out = s.rotate(&["plan.toml"]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert!(
        said.contains("SBC London") && said.contains("no answer within 1 s"),
        "{said}"
    );
    assert_eq!(s.writes(), [0, 0, 0], "nothing sent");
}

/// `[bundle] leaf` names the leaf in a file of its own: from a folder of CA certificates it makes
/// the bundle leaf first; when the inputs hold the leaf already, it is not loaded twice.
#[test]
fn the_bundles_leaf_file_joins_the_inputs_once() {
    let s = Setup::new();
    let cas = s.path("cas-only");
    std::fs::create_dir_all(&cas).unwrap();
    std::fs::write(cas.join("intermediate.pem"), s.new.intermediate.pem()).unwrap();
    std::fs::write(cas.join("root.pem"), s.new.root.pem()).unwrap();
    std::fs::create_dir_all(s.path("issued")).unwrap();
    std::fs::write(s.path("issued/sbc.pem"), s.new.leaf.pem()).unwrap();
    let expected = [
        s.new.leaf.sha256(),
        s.new.intermediate.sha256(),
        s.new.root.sha256(),
    ];
    for (inputs, leaf) in [
        ("cas-only", "issued/sbc.pem"),
        ("new-certs", "new-certs/leaf.pem"),
    ] {
        s.write_plan("leaf.toml", inputs, "");
        let text = std::fs::read_to_string(s.path("leaf.toml"))
            .unwrap()
            .replacen("at = ", &format!("leaf = \"{leaf}\"\nat = "), 1);
        std::fs::write(s.path("leaf.toml"), text).unwrap();
        let out = s.rotate(&["leaf.toml", "--status", "--json"]);
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{inputs}: {said}");
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            json["bundle"]["chain"],
            serde_json::json!(expected),
            "{inputs}: {json:#}"
        );
        assert!(!said.contains("uplicate"), "{inputs}: loaded once: {said}");
    }
}

/// A target whose secret is not given stops the run before anything is sent or even read, naming
/// the target and its line, and never the variable's value.
#[test]
fn a_target_without_its_secret_is_named_before_anything_is_read() {
    let s = Setup::new();
    let out = rotate_command(s.dir.path())
        .arg("plan.toml")
        .env_remove("US_CLIENT_SECRET")
        .env("CHAINSMITH_DATA_DIR", s.path("data"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("target \"US org\" (line 17): no secret: the environment variable its secret_env names is not set"),
        "{said}"
    );
    assert_eq!(s.requests(), [0, 0, 0], "nothing read or sent");
}

/// A run file written before the journal recorded `changed` (only each target's status said it):
/// its verified targets are still put back by a rollback.
#[test]
fn a_run_file_without_the_changed_flags_is_rolled_back_by_its_statuses() {
    let s = Setup::new();
    let (code, json) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0, "{json:#}");
    let original = s.stored();
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    let run_file = json["run_file"].as_str().unwrap().to_string();
    let mut recorded: Value = serde_json::from_slice(&std::fs::read(&run_file).unwrap()).unwrap();
    for t in recorded["targets"].as_array_mut().unwrap() {
        let t = t.as_object_mut().unwrap();
        assert!(t.remove("changed").is_some() && t.remove("step").is_some());
    }
    std::fs::write(&run_file, serde_json::to_vec_pretty(&recorded).unwrap()).unwrap();
    let (code, json) = s.rotate_json(&["--rollback", &run_file]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(statuses(&json), ["rolled-back"; 3]);
    assert_eq!(s.stored(), original);
}

/// The canary's write lands but its read-back cannot be made (the API fails the read after the
/// write): "changed-unverified", the run stops (exit 4), and the rollback puts it back.
#[test]
fn a_change_that_cannot_be_read_back_stops_the_run_and_is_rolled_back() {
    use chainsmith::rotate::{Progress, Status};
    use chainsmith::upload::{Event, Phase};
    let s = Setup::new();
    let (code, json) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0, "{json:#}");
    let original = s.stored();
    let (targets, run_file) = apply_stopping(&s, |p| {
        if matches!(p, Progress::Step(0, Event::Done(Phase::Upload, _))) {
            // The read-back's GET fails.
            s.eu.inject(fault(500, "GET /"));
        }
        false
    });
    let got: Vec<Status> = targets.iter().map(|t| t.status).collect();
    assert_eq!(
        got,
        [Status::ChangedUnverified, Status::Skipped, Status::Skipped]
    );
    assert!(targets[0].was_changed());
    assert_eq!(
        s.writes(),
        [2, 1, 1],
        "the canary's write only (after old.toml's three)"
    );
    let (code, json) = s.rotate_json(&["--rollback", run_file.to_str().unwrap()]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(s.stored(), original);
}

/// A rollback that fails half-way (the canary's API refuses its write back) leaves the run open;
/// rolling it back again, named by another path to the same file this time, is not refused because
/// of the first rollback's own changes, and finishes the job.
#[test]
fn a_rollback_that_failed_half_way_can_be_run_again() {
    let s = Setup::new();
    let (code, _) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0);
    let original = s.stored();
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    let run_file = PathBuf::from(json["run_file"].as_str().unwrap());
    // Run files' times are to the second: the rollback starts in a later one than the run.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // Last first: the SBC and the US org are put back, then the canary's write is refused.
    for _ in 0..4 {
        s.eu.inject(fault(503, "WRITE /certificateauthorities"));
    }
    let (code, json) = s.rotate_json(&["--rollback", run_file.to_str().unwrap()]);
    assert_ne!(code, 0, "{json:#}");
    assert_eq!(statuses(&json), ["failed", "rolled-back", "rolled-back"]);
    assert!(
        json["targets"][0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("503")
            && json["targets"][1]["error"].is_null(),
        "{json:#}"
    );
    let relative = run_file.strip_prefix(s.dir.path()).unwrap();
    let another_path = Path::new("data/../data").join(relative.strip_prefix("data").unwrap());
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (code, json) = s.rotate_json(&["--rollback", another_path.to_str().unwrap()]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(s.stored(), original);
}

/// A rollback killed before it changed anything (at its first backup): its run file says every
/// target is pending and unchanged, holding what the run left; and it does not stand in the way of
/// running the rollback again.
#[test]
fn a_rollback_killed_before_any_change_leaves_a_true_record_and_can_run_again() {
    let s = Setup::new();
    let (code, _) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0);
    let original = s.stored();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    // The US org refuses the write (its entry keeps an error); the others change.
    s.us.inject(fault(403, "WRITE /certificateauthorities"));
    let (code, json) = s.rotate_json(&["plan.toml", "--continue-on-error"]);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(statuses(&json), ["verified", "failed", "verified"]);
    let run_file = json["run_file"].as_str().unwrap().to_string();
    let run: Value = serde_json::from_slice(&std::fs::read(&run_file).unwrap()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = s.rotate_with(
        &["--rollback", &run_file],
        &[("CHAINSMITH_CRASH_AT", "before-backup#1")],
    );
    assert_eq!(out.status.code(), None, "killed");
    let rollbacks: Vec<PathBuf> = files_under(&s.path("data/rotations"))
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with("-rollback.json"))
        .collect();
    assert_eq!(rollbacks.len(), 1, "{rollbacks:?}");
    let killed: Value = serde_json::from_slice(&std::fs::read(&rollbacks[0]).unwrap()).unwrap();
    for (t, done) in killed["targets"]
        .as_array()
        .unwrap()
        .iter()
        .zip(run["targets"].as_array().unwrap())
    {
        assert_eq!(t["status"], "pending", "{t:#}");
        assert_eq!(t["changed"], false, "{t:#}");
        assert_eq!(t["before"], done["after"], "{t:#}");
        assert_eq!(t["after"], done["after"], "{t:#}");
        // Nothing of the run's own record (its backup, audit entry, ids, error, step, time).
        for field in ["backup", "audit_time", "correlation_ids", "error", "step"] {
            assert!(t[field].is_null(), "{field}: {t:#}");
        }
        assert_eq!(t["seconds"], 0.0, "{t:#}");
        assert!(!done["backup"].is_null() && !done["audit_time"].is_null());
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (code, json) = s.rotate_json(&["--rollback", &run_file]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(s.stored(), original);
}

/// A rollback whose read-back differs from what it put back: "differs", exit 4, and its record
/// does not claim to know what the target holds.
#[test]
fn a_rollback_that_reads_back_otherwise_says_so() {
    let s = Setup::new();
    let (code, _) = s.rotate_json(&["old.toml"]);
    assert_eq!(code, 0);
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    let run_file = json["run_file"].as_str().unwrap().to_string();
    s.eu.inject(Fault {
        tamper: true,
        path_contains: "WRITE /certificateauthorities".into(),
        ..Fault::default()
    });
    let (code, json) = s.rotate_json(&["--rollback", &run_file]);
    assert_eq!(code, 4, "{json:#}");
    assert_eq!(statuses(&json), ["differs", "rolled-back", "rolled-back"]);
    let recorded: Value =
        serde_json::from_slice(&std::fs::read(json["run_file"].as_str().unwrap()).unwrap())
            .unwrap();
    assert_eq!(
        recorded["targets"][0]["after"],
        serde_json::json!([]),
        "{recorded:#}"
    );
    assert_eq!(recorded["targets"][1]["after"].as_array().unwrap().len(), 2);
}
