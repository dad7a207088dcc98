#![cfg(unix)]
//! Untrusted text is shown, never executed: control characters from certificates, file names and
//! arguments reach the terminal and the text reports as visible escapes.

mod common;

use std::os::unix::ffi::OsStrExt as _;

use chainsmith::engine;
use common::*;
use rcgen::{DnType, SanType};

/// No raw control character (C0 but the newline, DEL, C1) or bidi override in `bytes`.
fn assert_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for c in text.chars() {
        let raw_control = (c < ' ' && c != '\n') || ('\u{7f}'..='\u{9f}').contains(&c);
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!raw_control && !bidi, "{what}: raw {c:?} in {text}");
    }
}

const INJECTED: &str = "\u{1b}[2J\r\nPASS: all good";

fn hostile_leaf(c: &Chain) -> Cert {
    let mut params = leaf_params("x", &["sbc.example.com"]);
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, format!("{INJECTED}\u{202e}moc.elpmaxe"));
    params.subject_alt_names = vec![
        SanType::DnsName("sbc.example.com".try_into().unwrap()),
        SanType::DnsName("evil\u{1b}[31m.example.com".try_into().unwrap()),
        SanType::URI("sip:x\u{1b}]0;owned\u{7}@example.com".try_into().unwrap()),
    ];
    c.intermediate.issue(params, Alg::P256)
}

#[test]
fn injected_names_and_file_names_reach_the_terminal_as_escapes() {
    use std::ffi::{OsStr, OsString};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = chain(Alg::P256);
    let leaf = hostile_leaf(&c);
    let file_name = OsStr::from_bytes(b"evil\x1b[2J\r\nname.pem");
    std::fs::write(d.join(file_name), leaf.pem()).unwrap();
    std::fs::write(d.join("chain.pem"), c.intermediate.pem() + &c.root.pem()).unwrap();
    // The same certificate under another hostile name: listed as a duplicate.
    std::fs::write(
        d.join(OsStr::from_bytes(b"stray\xc2\x9b1m.pem")),
        leaf.pem(),
    )
    .unwrap();

    for (mode, host, strict) in [
        ("text", "sbc.example.com", false),
        ("strict", "sbc.example.com", true),
        ("wrong host", "other.example.com", false),
    ] {
        let mut args: Vec<OsString> = vec!["check".into(), file_name.into(), "chain.pem".into()];
        for a in ["--host", host, "--at=2026-06-01T00:00:00Z"] {
            args.push(a.into());
        }
        if strict {
            args.push("--strict".into());
        }
        let out = chainsmith(&args, d);
        assert_inert(mode, &out.stdout);
        assert_inert(mode, &out.stderr);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("\\x1b[2J\\x0d\\x0aPASS: all good"),
            "{mode}: {text}"
        );
        assert!(text.contains("\\u202e"), "{mode}");
    }
    // A folder: the file names come from the walk.
    let out = chainsmith(&["check", ".", "--at=2026-06-01"], d);
    assert_inert("folder", &out.stdout);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("evil\\x1b[2J\\x0d\\x0aname.pem"), "{text}");
    assert!(text.contains("stray\\x9b1m.pem"), "{text}");
    // The JSON output stays JSON and parses.
    let out = chainsmith(&["check", ".", "--at=2026-06-01", "--json"], d);
    assert_inert("json", &out.stdout);
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
}

#[test]
fn arguments_are_escaped_in_error_messages() {
    let dir = tempfile::tempdir().unwrap();
    let out = chainsmith(
        &["check", "x.pem", "--host", "\u{1b}[2Jbad host"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_inert("--host", &out.stderr);
    assert!(String::from_utf8_lossy(&out.stderr).contains("\\x1b[2J"));
    let args = [
        std::ffi::OsStr::new("check"),
        std::ffi::OsStr::from_bytes(b"missing\x1b[2J.pem"),
    ];
    let out = chainsmith(&args, dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_inert("missing file", &out.stderr);
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing\\x1b[2J.pem"));

    // `build -o NAME`: the name written back is escaped.
    let c = chain(Alg::P256);
    std::fs::write(
        dir.path().join("chain.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    let args = [
        std::ffi::OsStr::new("build"),
        std::ffi::OsStr::new("chain.pem"),
        std::ffi::OsStr::new("--at=2026-06-01"),
        std::ffi::OsStr::new("-o"),
        std::ffi::OsStr::from_bytes(b"out\x1b[2J.pem"),
    ];
    let out = chainsmith(&args, dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_inert("build -o", &out.stderr);
    assert!(String::from_utf8_lossy(&out.stderr).contains("out\\x1b[2J.pem"));
    // `probe`: a host that cannot be resolved is named escaped.
    let out = chainsmith(
        &["probe", "bad\u{1b}[2Jhost.invalid:5061", "--timeout", "2"],
        dir.path(),
    );
    assert_ne!(out.status.code(), Some(0));
    assert_inert("probe", &out.stderr);
}

#[test]
fn reports_in_markdown_are_inert_too() {
    let c = chain(Alg::P256);
    let leaf = hostile_leaf(&c);
    let pile = leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(
        &[("evil\u{1b}[2J.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    use chainsmith::engine::ticket::{self, TicketContext, TicketFormat};
    let ctx = TicketContext {
        generator: "Chainsmith test".into(),
        bundle_file: Some(("bundle\u{1b}[2J.pem".into(), "00".into())),
        sections: vec![(
            "Last probe".into(),
            vec![("Served".into(), "evil\u{1b}]0;title\u{7}".into())],
        )],
        ..TicketContext::default()
    };
    for format in [
        TicketFormat::Markdown,
        TicketFormat::Text,
        TicketFormat::Json,
    ] {
        assert_inert("ticket", ticket::render(&report, &ctx, format).as_bytes());
    }
    assert_inert("text", report.to_text().as_bytes());
    // The window shows the same escaped strings (they are the certificate's display fields).
    let cert = &report.chain[0].cert;
    assert!(cert.display_name().contains("\\x1b"));
    assert!(
        cert.sans
            .iter()
            .any(|s| s.to_string().contains("\\x1b[31m"))
    );
    assert!(engine::text::escape(INJECTED).contains("\\x0d\\x0a"));
}

/// Markdown rendered as a viewer would (CommonMark with tables, pulldown-cmark): no tag, comment,
/// image or link from untrusted text survives, and the text is still there to read.
fn assert_markdown_inert(what: &str, markdown: &str) {
    use pulldown_cmark::{Options, Parser, html};
    assert_inert(what, markdown.as_bytes());
    let mut rendered = String::new();
    html::push_html(
        &mut rendered,
        Parser::new_ext(
            markdown,
            Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
        ),
    );
    for raw in ["<script", "<img", "<!--", "<a ", "<del>", "<iframe"] {
        assert!(!rendered.contains(raw), "{what}: {raw} in\n{rendered}");
    }
    assert!(
        rendered.contains("&lt;script&gt;"),
        "{what}: the text is kept:\n{rendered}"
    );
}

const MARKUP: &str = "SBC <script>alert(1)</script> <img src=x onerror=alert(2)> <!-- hidden | ![x](http://e/) [y](http://e/) `code` ~~gone~~";

#[test]
fn markdown_reports_render_untrusted_text_as_text() {
    use chainsmith::rotate::{self, Held, RunFile, Status, TargetRun};
    // A rotation run whose target name and certificate subjects carry markup.
    let held = vec![Held {
        subject: format!("CN={MARKUP}"),
        name: MARKUP.into(),
        sha256: "ab".repeat(32),
        not_after: "2027-01-01T00:00:00Z".into(),
    }];
    let target = TargetRun {
        name: MARKUP.into(),
        kind: "rest".into(),
        target: chainsmith::upload::Target::Rest(chainsmith::upload::RestTarget::new(
            "https://sbc.example.com/api",
        )),
        secret_env: None,
        ca_file: None,
        pins: Vec::new(),
        status: Status::Verified,
        changed: true,
        before: held.clone(),
        after: held.clone(),
        backup: Some("/data/backups/x.json".into()),
        audit_time: None,
        correlation_ids: vec![format!("id {MARKUP}")],
        error: Some(format!("the server said: {MARKUP}\u{1b}]0;title\u{7}\r")),
        seconds: 1.0,
        step: None,
        secret_binding: None,
    };
    let run = RunFile {
        chainsmith_rotation: 2,
        plan: format!("/plans/{MARKUP}.toml"),
        plan_sha256: String::new(),
        plan_name: MARKUP.into(),
        started: "2026-06-01T00:00:00Z".into(),
        finished: None,
        action: "apply".into(),
        bundle: Vec::new(),
        targets: vec![target],
        verify: Vec::new(),
        rollback_of: None,
        rolled_back_by: None,
        resumed: 0,
    };
    let ctx = rotate::report::Context {
        verdict: MARKUP.into(),
        bundle: held,
        generated_at: 0,
        generator: "Chainsmith test".into(),
    };
    let md = rotate::report::render(
        &run,
        std::path::Path::new("/data/rotations/run.json"),
        &ctx,
        rotate::report::Format::Markdown,
    );
    assert_markdown_inert("rotation report", &md);

    // The window's change-ticket report (engine::ticket), with a hostile subject.
    let c = chain(Alg::P256);
    let mut params = leaf_params("x", &["sbc.example.com"]);
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, MARKUP);
    let leaf = c.intermediate.issue(params, Alg::P256);
    let pile = leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(
        &[("evil.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    use chainsmith::engine::ticket::{self, TicketContext, TicketFormat};
    let md = ticket::render(&report, &TicketContext::default(), TicketFormat::Markdown);
    assert_markdown_inert("ticket", &md);
}

/// `audit --markdown`: a server's error body in the audit log (ESC, OSC, BEL, CR, markup) reaches
/// the terminal and the ticket as inert text.
#[test]
fn audit_markdown_renders_a_servers_error_body_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let entry = serde_json::json!({
        "time": "2026-06-01T00:00:00Z",
        "action": "upload",
        "target": "rest",
        "endpoint": "https://sbc.example.com/api",
        "ids": {"url": "https://sbc.example.com/api"},
        "bundle": [],
        "requests": [],
        "result": "failed",
        "error": format!("PUT https://sbc.example.com/api answered 500: {MARKUP}\u{1b}]8;;http://evil/\u{7}click\u{1b}[2J\r"),
        "changed": false,
        "correlation_ids": [format!("c|{MARKUP}")],
    });
    std::fs::write(dir.path().join("audit.jsonl"), format!("{entry}\n")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .args(["audit", "--markdown"])
        .env("CHAINSMITH_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_markdown_inert("audit --markdown", &md);
    // One row: the table was not split by a `|` or a newline from the body.
    assert_eq!(md.lines().count(), 3, "{md}");
}

/// Whether `bytes` (a command's output) holds a raw control character: anything a terminal acts on
/// other than a line feed or a tab (C0, DEL, C1 as UTF-8, the bidirectional overrides and isolates).
fn raw_controls(bytes: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|&c| {
            (c < ' ' && c != '\n' && c != '\t')
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

/// Every command, given hostile file names, host names, plan contents and arguments (ESC sequences,
/// BEL, a C1 CSI, a right-to-left override), says what it has to say without a single raw control
/// character on standard output or standard error; and what it shows of them is the visible escape.
#[test]
fn every_command_with_hostile_names_and_arguments_writes_no_raw_control_character() {
    // The last four characters are a backslash, `x`, `1`, `b`: text that must not pass for an ESC.
    let evil = EVIL;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = chain(Alg::P256);
    let leaf = hostile_leaf(&c);
    let pile = leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let input = format!("{evil}.pem");
    std::fs::write(d.join(&input), &pile).unwrap();
    // A plan whose names and paths are hostile (TOML's \u escapes), and one that is not TOML.
    let plan = format!("{evil}.toml");
    std::fs::write(
        d.join(&plan),
        format!(
            "[bundle]\ninputs = [\"{input}\"]\nhost = \"sbc\\u001b[2J.example.com\"\n\n[[target]]\nname = \"SBC \\u001b]0;owned\\u0007\\u202e\"\nkind = \"files\"\ncertificate = \"missing\\u001b[2J/served.pem\"\n"
        ),
    )
    .unwrap();
    let bad_plan = format!("bad{evil}.toml");
    std::fs::write(d.join(&bad_plan), format!("[bundle\n{evil} = \n")).unwrap();
    let run_file = format!("{evil}.json");
    std::fs::write(d.join(&run_file), format!("{{\"x\": \"{evil}\"")).unwrap();
    let data = d.join(format!("data{evil}"));
    std::fs::create_dir(&data).unwrap();
    let host_port = format!("{evil}.invalid:5061");
    let out_path = format!("out{evil}.pem");
    let missing_dir = format!("no{evil}/bundle.pem");
    let flag = format!("--{evil}");
    let url = format!("https://{evil}.invalid/x");
    let runs: Vec<Vec<&str>> = vec![
        vec!["check", &input, "--host", evil],
        vec!["check", &input, "--host", evil, "--json"],
        vec![
            "check",
            &input,
            "--roots",
            &input,
            "--sbc-trust",
            &input,
            "--profile",
            "teams-direct-routing",
        ],
        vec!["check", evil],
        vec!["check", &input, "--at", evil],
        vec!["check", &input, "--profile", evil],
        vec!["check", &input, &flag],
        vec!["build", &input, "-o", &out_path],
        vec!["build", &input, "--force", "-o", &out_path],
        vec!["build", &input, "--force", "-o", &missing_dir],
        vec!["build", &input, "--force", "-o", "-"],
        vec!["probe", &host_port, "--timeout", "2"],
        vec![
            "probe",
            "127.0.0.1:1",
            "--sni",
            evil,
            "--host",
            evil,
            "--timeout",
            "2",
        ],
        vec![
            "probe",
            "127.0.0.1:1",
            "--client-cert",
            evil,
            "--client-key",
            evil,
        ],
        vec![
            "upload",
            &input,
            "--target",
            "files",
            "--certificate",
            &missing_dir,
            "--dry-run",
        ],
        vec![
            "upload",
            &input,
            "--target",
            "rest",
            "--url",
            &url,
            "--dry-run",
        ],
        vec![
            "upload",
            &input,
            "--target",
            "genesys",
            "--region",
            evil,
            "--client-id",
            evil,
            "--dry-run",
        ],
        vec!["trunks", "--region", evil, "--client-id", evil, "--dry-run"],
        vec!["rollback", &run_file],
        vec!["rollback", evil],
        vec!["audit"],
        vec!["audit", "--markdown"],
        vec!["rotate", &plan, "--status"],
        vec!["rotate", &plan, "--dry-run"],
        vec!["rotate", &plan],
        vec!["rotate", &bad_plan],
        vec!["rotate", evil],
        vec!["rotate", "--rollback", &run_file],
        vec!["teams-roots", "-o", &missing_dir],
        vec!["paths"],
        vec!["sandbox", "--port", evil],
        vec!["gui", &flag],
        vec![evil],
    ];
    let mut wrong = Vec::new();
    let mut run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_chainsmith"))
            .args(args)
            .current_dir(d)
            .env("CHAINSMITH_DATA_DIR", &data)
            .env("CHAINSMITH_CLIENT_SECRET", "not-a-real-secret")
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .output()
            .unwrap();
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let raw = raw_controls(bytes);
            assert!(
                raw.is_empty(),
                "{args:?} wrote {raw:?} raw to {stream}:\n{}",
                String::from_utf8_lossy(bytes)
            );
        }
        let said = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(!said.is_empty(), "{args:?} said nothing");
        wrong.extend(escaped_twice(&format!("{args:?}"), &said));
        out
    };
    for args in &runs {
        run(args);
    }
    // A rotation that goes through, with a hostile target name and server path: its progress, its
    // status, its rollback and the audit trail show them escaped once.
    let served = d.join(format!("served{evil}"));
    std::fs::create_dir(&served).unwrap();
    let key_file = format!("{evil}.key");
    std::fs::write(d.join(&key_file), leaf.key.serialize_pem()).unwrap();
    let good_plan = format!("good{evil}.toml");
    std::fs::write(
        d.join(&good_plan),
        format!(
            "[bundle]\ninputs = [\"{}\"]\nhost = \"sbc.example.com\"\nat = \"2026-06-01T00:00:00Z\"\nkey = \"{}\"\n\n[[target]]\nname = \"{}\"\nkind = \"files\"\ncertificate = \"{}\"\nprivate_key = \"{}\"\n",
            toml_string(&input),
            toml_string(&key_file),
            toml_string(evil),
            toml_string(&served.join("cert.pem").display().to_string()),
            toml_string(&served.join("cert.key").display().to_string()),
        ),
    )
    .unwrap();
    run(&["rotate", &good_plan, "--dry-run"]);
    let rotated = run(&["rotate", &good_plan, "--report", "rotation.md"]);
    assert_eq!(rotated.status.code(), Some(0), "{rotated:?}");
    run(&["rotate", &good_plan, "--status"]);
    let run_files: Vec<_> = files_under(&data)
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && p.parent().is_some_and(|d| d.ends_with("rotations"))
        })
        .collect();
    assert_eq!(run_files.len(), 1, "{run_files:?}");
    let run_file = run_files[0].display().to_string();
    let rolled_back = run(&[
        "rotate",
        "--rollback",
        &run_file,
        "--report",
        "rollback.html",
    ]);
    assert_eq!(rolled_back.status.code(), Some(0), "{rolled_back:?}");
    run(&["audit"]);
    run(&["audit", "--markdown"]);
    // The change-ticket reports, in Markdown and HTML, show the names escaped once too.
    for report in ["rotation.md", "rollback.html"] {
        let text = std::fs::read_to_string(d.join(report)).unwrap();
        assert_inert(report, text.as_bytes());
        assert!(text.matches("evil").count() >= 3, "{report}: {text}");
        wrong.extend(escaped_twice(report, &text));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));

    // What is shown is the visible escape.
    let out = chainsmith(&["check", evil], d);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(said.contains(EVIL_SHOWN), "{said}");
}

/// `text` as a TOML basic string's content: backslash and quote escaped, controls and bidirectional
/// overrides as `\uXXXX`.
fn toml_string(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\\' => "\\\\".to_string(),
            '"' => "\\\"".to_string(),
            c if c < ' ' || ('\u{7f}'..='\u{9f}').contains(&c) || c == '\u{202e}' => {
                format!("\\u{:04x}", c as u32)
            }
            c => c.to_string(),
        })
        .collect()
}

/// How the hostile text of the test above shows: each control as its escape, the literal `\x1b`
/// with its backslash doubled; escaped once, not twice (which would show `\\x1b[2J` for the ESC and
/// pass it off as text).
const EVIL: &str = "evil\u{1b}[2J\u{7}\u{9b}31m\u{202e}\\x1b";
const EVIL_SHOWN: &str = "evil\\x1b[2J\\x07\\x9b31m\\u202e\\\\x1b";

/// The places `said` shows the hostile text otherwise than as [`EVIL_SHOWN`] (in a JSON document, in
/// each string value, decoded; in Markdown, as Markdown escapes that showing), as messages.
fn escaped_twice(what: &str, said: &str) -> Vec<String> {
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
            serde_json::Value::Object(o) => o.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    // A JSON document, or JSON lines (the audit log): each string value, decoded, holds the text
    // as it was given (JSON's escapes show it) or shown once; never shown twice.
    let documents: Option<Vec<serde_json::Value>> = serde_json::from_str(said.trim())
        .map(|v| vec![v])
        .ok()
        .or_else(|| {
            let lines: Vec<&str> = said.lines().filter(|l| l.starts_with('{')).collect();
            (!lines.is_empty())
                .then(|| lines.iter().map(|l| serde_json::from_str(l).ok()).collect())
                .flatten()
        });
    if let Some(documents) = documents {
        let mut values = Vec::new();
        documents.iter().for_each(|d| strings(d, &mut values));
        let other: String = said
            .lines()
            .filter(|l| !l.starts_with('{'))
            .collect::<Vec<_>>()
            .join("\n");
        return values
            .iter()
            .map(|v| v.replace(EVIL, ""))
            .flat_map(|v| escaped_twice(what, &v))
            .chain(if documents.len() > 1 {
                escaped_twice(what, &other)
            } else {
                Vec::new()
            })
            .collect();
    }
    let markdown = "evil\\\\x1b\\[2J\\\\x07\\\\x9b31m\\\\u202e\\\\\\\\x1b";
    said.match_indices("evil")
        .map(|(at, _)| &said[at..])
        .filter(|rest| {
            // A run file's name is made of the plan's name with every other character a dash.
            ![EVIL_SHOWN, markdown, "evil--2J--31m--x1b", "evil\\x1b[31m"]
                .iter()
                .any(|shown| rest.starts_with(shown))
        })
        .map(|rest| {
            let line = rest.lines().next().unwrap_or_default();
            format!("{what}: not shown escaped once: {line}")
        })
        .collect()
}
