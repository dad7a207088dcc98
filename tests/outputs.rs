#![cfg(unix)]
//! `build -o` never destroys what is there: inputs, folders, read-only files, links to anything but a
//! file, devices and pipes (written to, never replaced). Run as root in CI, where permissions do not
//! stop a careless write: the refusals must come from Chainsmith itself.

mod common;

use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
use std::path::Path;
use std::process::{Command, Output};

use common::*;

const AT_ARG: &str = "--at=2026-06-01T00:00:00Z";

/// A folder with `server.pem` (leaf + its private key), `chain.pem` (intermediate + root).
fn workspace() -> (tempfile::TempDir, Chain) {
    let dir = tempfile::tempdir().unwrap();
    let c = chain(Alg::P256);
    std::fs::write(
        dir.path().join("server.pem"),
        c.leaf.pem() + &c.leaf.key.serialize_pem(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("chain.pem"),
        c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    (dir, c)
}

fn build(dir: &Path, output: &str, extra: &[&str]) -> Output {
    let mut args = vec!["build", AT_ARG, "server.pem", "chain.pem", "-o", output];
    args.extend(extra);
    chainsmith(&args, dir)
}

fn refused(out: &Output, says: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(says), "{stderr}");
}

#[test]
fn an_input_is_never_the_output() {
    let (dir, _) = workspace();
    let d = dir.path();
    let before = std::fs::read(d.join("server.pem")).unwrap();
    for spelling in ["server.pem", "./server.pem", "../X/server.pem"] {
        let spelling = spelling.replace("X", d.file_name().unwrap().to_str().unwrap());
        refused(&build(d, &spelling, &[]), "one of the inputs");
        refused(&build(d, &spelling, &["--force"]), "one of the inputs");
    }
    // A hard link to an input is the input.
    std::fs::hard_link(d.join("server.pem"), d.join("alias.pem")).unwrap();
    refused(&build(d, "alias.pem", &[]), "one of the inputs");
    assert_eq!(
        std::fs::read(d.join("server.pem")).unwrap(),
        before,
        "the key is still there"
    );
    // A file inside an input folder is an input too (a bundle from an earlier run, read again).
    let folder = d.join("certs");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(d.join("server.pem"), folder.join("server.pem")).unwrap();
    std::fs::copy(d.join("chain.pem"), folder.join("chain.pem")).unwrap();
    std::fs::write(folder.join("bundle.pem"), "old bundle").unwrap();
    let out = chainsmith(&["build", AT_ARG, "certs", "-o", "certs/bundle.pem"], d);
    refused(&out, "one of the inputs");
    assert_eq!(
        std::fs::read(folder.join("bundle.pem")).unwrap(),
        b"old bundle"
    );
}

#[test]
fn folders_read_only_files_and_odd_links_are_refused() {
    let (dir, _) = workspace();
    let d = dir.path();
    std::fs::create_dir(d.join("out")).unwrap();
    refused(&build(d, "out", &[]), "is a folder");

    std::fs::write(d.join("locked.pem"), "keep me").unwrap();
    std::fs::set_permissions(d.join("locked.pem"), std::fs::Permissions::from_mode(0o444)).unwrap();
    refused(&build(d, "locked.pem", &[]), "read-only");
    refused(&build(d, "locked.pem", &["--force"]), "read-only");
    assert_eq!(std::fs::read(d.join("locked.pem")).unwrap(), b"keep me");
    let mode = std::fs::metadata(d.join("locked.pem")).unwrap().mode() & 0o777;
    assert_eq!(mode, 0o444);

    std::os::unix::fs::symlink("out", d.join("to-folder")).unwrap();
    refused(&build(d, "to-folder", &[]), "is a folder");
    std::os::unix::fs::symlink("nowhere.pem", d.join("dangling")).unwrap();
    refused(
        &build(d, "dangling", &[]),
        "link to something that is not a regular file",
    );
    assert!(!d.join("nowhere.pem").exists());
}

#[test]
fn a_link_to_a_file_writes_the_file_and_keeps_the_link() {
    let (dir, c) = workspace();
    let d = dir.path();
    std::fs::create_dir(d.join("deploy")).unwrap();
    std::fs::write(d.join("deploy/bundle-2026.pem"), "old").unwrap();
    std::fs::set_permissions(
        d.join("deploy/bundle-2026.pem"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    std::os::unix::fs::symlink("deploy/bundle-2026.pem", d.join("current.pem")).unwrap();
    let out = build(d, "current.pem", &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let link = std::fs::symlink_metadata(d.join("current.pem")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is still a link");
    let written = std::fs::read_to_string(d.join("deploy/bundle-2026.pem")).unwrap();
    assert_eq!(written, c.leaf.pem() + &c.intermediate.pem());
    // The replaced file keeps its permissions.
    let mode = std::fs::metadata(d.join("deploy/bundle-2026.pem"))
        .unwrap()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    // A new file is 0644.
    let out = build(d, "new.pem", &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::metadata(d.join("new.pem")).unwrap().mode() & 0o777,
        0o644
    );
}

#[test]
fn devices_and_pipes_are_written_to_never_replaced() {
    let (dir, c) = workspace();
    let d = dir.path();
    let out = build(d, "/dev/null", &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );

    let out = build(d, "/dev/stdout", &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        c.leaf.pem() + &c.intermediate.pem()
    );

    let fifo = d.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // No reader: refused at once, not a hang.
    refused(&build(d, "pipe", &[]), "nobody reads");
    // With a reader: it gets the bundle, and the FIFO is still a FIFO.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    // The reader must be waiting in open() before the writer opens without blocking.
    let mut out = build(d, "pipe", &[]);
    for _ in 0..50 {
        if out.status.code() == Some(0) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        out = build(d, "pipe", &[]);
    }
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(reader.join().unwrap(), c.leaf.pem() + &c.intermediate.pem());
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

/// `-o /dev/stdout` (and `-`, `/dev/stderr`) is this process's own stream: a shell's `>> run.log`
/// appends to the log, which is never replaced.
#[test]
fn standard_streams_are_written_as_they_are_and_a_log_is_appended_to() {
    let (dir, c) = workspace();
    let d = dir.path();
    let log = d.join("run.log");
    std::fs::write(&log, "earlier line\n").unwrap();
    for output in ["/dev/stdout", "-"] {
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "\"$0\" build {AT_ARG} server.pem chain.pem -o {output} >> run.log"
            ))
            .arg(env!("CARGO_BIN_EXE_chainsmith"))
            .current_dir(d)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let bundle = c.leaf.pem() + &c.intermediate.pem();
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!("earlier line\n{bundle}{bundle}")
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "\"$0\" build {AT_ARG} server.pem chain.pem -o /dev/stderr 2>> err.log"
        ))
        .arg(env!("CARGO_BIN_EXE_chainsmith"))
        .current_dir(d)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(d.join("err.log"))
            .unwrap()
            .contains(&bundle)
    );
}

/// The one output rule, as a table: every file Chainsmith writes (here through `build -o`; `upload
/// --save-target`, `rotate --report` and the window's saves go through the same function) is refused
/// over an input, a file of an input folder, a record a rollback needs, a folder; a new file and this
/// process's own streams are written.
#[test]
fn the_output_rule_as_a_table() {
    let (dir, c) = workspace();
    let d = dir.path();
    let data = d.join("data");
    for folder in ["backups", "rotations"] {
        std::fs::create_dir_all(data.join(folder)).unwrap();
    }
    std::fs::write(data.join("backups/2026-genesys-1.json"), "{}").unwrap();
    std::fs::write(data.join("rotations/2026-plan.json"), "{}").unwrap();
    std::fs::write(data.join("audit.jsonl"), "{}\n").unwrap();
    std::fs::create_dir(d.join("certs")).unwrap();
    std::fs::write(d.join("certs/leaf.key"), "a key").unwrap();
    let table: &[(&str, Option<&str>)] = &[
        ("server.pem", Some("one of the inputs")),
        ("certs/leaf.key", Some("one of the inputs")),
        ("data/audit.jsonl", Some("among Chainsmith's records")),
        (
            "data/backups/2026-genesys-1.json",
            Some("among Chainsmith's records"),
        ),
        ("data/backups/new.pem", Some("among Chainsmith's records")),
        (
            "data/rotations/2026-plan.json",
            Some("among Chainsmith's records"),
        ),
        ("data", Some("is a folder")),
        ("fresh.pem", None),
        ("/dev/stdout", None),
        ("-", None),
    ];
    for (output, refusal) in table {
        // (Only the refused places are files to compare: reading /dev/stdout here would read this
        // process's own output pipe.)
        let before = refusal.and_then(|_| std::fs::read(d.join(output)).ok());
        let out = Command::new(env!("CARGO_BIN_EXE_chainsmith"))
            .args([
                "build",
                AT_ARG,
                "server.pem",
                "chain.pem",
                "certs",
                "-o",
                output,
            ])
            .current_dir(d)
            .env("CHAINSMITH_DATA_DIR", &data)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        match refusal {
            Some(says) => {
                assert_eq!(out.status.code(), Some(2), "{output}: {err}");
                assert!(err.contains(says), "{output}: {err}");
                assert_eq!(std::fs::read(d.join(output)).ok(), before, "{output}");
            }
            None => assert_eq!(out.status.code(), Some(0), "{output}: {err}"),
        }
    }
    // What was written, read back by openssl (not by Chainsmith's own PEM reader): leaf first, then
    // the intermediate, no root, no key; the first certificate is the leaf, by openssl's fingerprint.
    let written = d.join("fresh.pem");
    assert_eq!(
        openssl_subjects(&written),
        [
            "CN = sbc.example.com",
            "CN = Test Intermediate CA, O = Chainsmith Test"
        ],
    );
    assert_eq!(openssl_sha256(&written), c.leaf.sha256());
    assert!(
        !std::fs::read_to_string(&written)
            .unwrap()
            .contains("PRIVATE KEY")
    );
}
