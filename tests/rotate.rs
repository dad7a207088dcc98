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
        Command::new(env!("CARGO_BIN_EXE_chainsmith"))
            .arg("rotate")
            .args(args)
            .current_dir(self.dir.path())
            .env("CHAINSMITH_DATA_DIR", self.path("data"))
            .env("EU_CLIENT_SECRET", CLIENT_SECRET)
            .env("US_CLIENT_SECRET", CLIENT_SECRET)
            .env("SBC_LONDON_SECRET", CLIENT_SECRET)
            .env_remove("CHAINSMITH_CLIENT_SECRET")
            .stdin(std::process::Stdio::null())
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
    for t in recorded["targets"].as_array().unwrap() {
        assert_eq!(t["status"], "verified");
        assert!(Path::new(t["backup"].as_str().unwrap()).is_file(), "{t}");
    }
    let audit = std::fs::read_to_string(s.path("data/audit.jsonl")).unwrap();
    assert_eq!(audit.lines().count(), 3);

    // Again: every target already holds the bundle.
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(statuses(&json), ["unchanged", "unchanged", "unchanged"]);
    assert_eq!(s.writes(), [1, 1, 1], "no write the second time");
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
    assert_eq!(
        s.requests()[1..],
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
    assert_eq!(s.requests()[1..], [0, 0]);

    // The US org fails (its API is down: every attempt answers 503); the SBC is skipped.
    for _ in 0..6 {
        s.us.inject(fault(503, "GET /certificateauthorities"));
    }
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(statuses(&json), ["unchanged", "failed", "skipped"]);

    // Run again once it is back: done targets are unchanged, the rest verified.
    let (code, json) = s.rotate_json(&["plan.toml"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(statuses(&json), ["unchanged", "verified", "verified"]);
    assert_eq!(s.writes(), [1, 1, 1]);

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
        "SBC <London> & \\| Co",
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
    assert_eq!(names, ["EU org (test first)", "US org", "SBC London"]);
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
