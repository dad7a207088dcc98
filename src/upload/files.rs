//! File-based SIP servers (Kamailio, FreeSWITCH, Asterisk, OpenSIPS): the certificate chain, its
//! key and optionally a CA list written to the paths the server reads, on this machine or another
//! over SSH ([`super::host`]), each file atomically in place with the mode, owner and group of the
//! file it replaces (a server that drops privileges must still read it; a new key file is 0600), then
//! the server's reload command, judged by what it prints and not only its exit code (`kamcmd
//! tls.reload` exits 0 and prints `error: 500 …` when the reload failed).
//!
//! The backup holds the previous files' text and metadata; the previous key goes to the data
//! folder (0600), never into the backup, the audit log or anywhere remote. A reload that fails puts
//! the previous files back at once, so that what is on disk is what the server still serves.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::audiocodes::{Job, TrustedRoots};
use super::host::{FileState, Host, Ran, Ssh};
use super::{Phase, PrivateKey, Run, UploadError, fingerprints, records};
use crate::engine;

/// A SIP server's certificate files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilesTarget {
    /// Where the chain goes (leaf first, then the intermediates), as the server names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// Where the leaf's private key goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    /// A CA list file (the CA certificates the server trusts or sends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_list: Option<String>,
    /// What happens to the CA list: add the CA certificates missing, or replace it with them.
    #[serde(default)]
    pub trusted_roots: TrustedRoots,
    /// The server's reload command line (`kamcmd tls.reload`, `fs_cli -x "reloadxml"`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reload: Option<String>,
    /// Words the reload must print to count as done (`TLS configuration reloaded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reload_expect: Option<String>,
    /// Another machine: `user@host:port`, reached with the system's `ssh`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<String>,
    /// The known_hosts file holding that machine's host key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_hosts: Option<PathBuf>,
    /// The private key ssh logs in with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<PathBuf>,
    /// The certificate and key, or only the CA list.
    #[serde(default)]
    pub job: Job,
}

impl FilesTarget {
    /// The machine the files are on.
    pub fn host(&self) -> Result<Host, UploadError> {
        match &self.ssh {
            None => Ok(Host::Local),
            Some(text) => {
                let mut ssh = Ssh::parse(text).map_err(UploadError::Usage)?;
                ssh.known_hosts = self.known_hosts.clone();
                ssh.identity = self.identity.clone();
                Ok(Host::Ssh(ssh))
            }
        }
    }

    /// What must hold before use: the paths the job needs, absolute; a mode for a named CA list.
    pub fn check(&self) -> Result<(), UploadError> {
        let usage = |m: &str| Err(UploadError::Usage(m.to_string()));
        self.host()?;
        match self.job {
            Job::Certificate => {
                if self.certificate.is_none() || self.private_key.is_none() {
                    return usage(
                        "a files target needs certificate = \"PATH\" and private_key = \"PATH\" (the server's files)",
                    );
                }
                if self.ca_list.is_some() && self.trusted_roots == TrustedRoots::Keep {
                    return usage(
                        "ca_list is named: say what it gets, trusted_roots = \"add\" (the bundle's CA certificates missing from it) or \"replace\"",
                    );
                }
            }
            Job::TrustStore => {
                if self.ca_list.is_none() || self.trusted_roots == TrustedRoots::Keep {
                    return usage(
                        "a trust-store job needs ca_list = \"PATH\" and trusted_roots = \"add\" or \"replace\"",
                    );
                }
                if self.certificate.is_some() || self.private_key.is_some() {
                    return usage(
                        "a trust-store job changes only the CA list: leave certificate and private_key out",
                    );
                }
            }
        }
        for path in self.paths() {
            let absolute = path.starts_with('/') || Path::new(path).is_absolute();
            if !absolute {
                return Err(UploadError::Usage(format!(
                    "{}: give the server's file as an absolute path",
                    engine::text::escaped(path)
                )));
            }
        }
        Ok(())
    }

    fn paths(&self) -> impl Iterator<Item = &String> {
        self.certificate
            .iter()
            .chain(self.private_key.iter())
            .chain(self.ca_list.iter())
    }

    /// What it is, for locks and messages: the machine and the first file.
    pub fn identity(&self) -> String {
        let machine = self.ssh.as_deref().unwrap_or("local");
        format!(
            "files {machine} {}",
            self.paths().cloned().collect::<Vec<_>>().join(" ")
        )
    }

    /// Where a run went, for the audit log.
    pub fn endpoint(&self) -> String {
        let machine = match self.host() {
            Ok(h) => h.shown(),
            Err(_) => self.ssh.clone().unwrap_or_default(),
        };
        format!(
            "{} on {machine}",
            self.certificate
                .as_deref()
                .or(self.ca_list.as_deref())
                .unwrap_or_default()
        )
    }
}

fn text(file: &Option<FileState>) -> Option<String> {
    file.as_ref()
        .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
}

/// The certificates of a file's text, re-encoded (what a backup, a status or a report may show):
/// any private key block beside them is left out.
fn certificates_only(file: &Option<FileState>) -> Option<String> {
    let file = file.as_ref()?;
    Some(
        engine::load("file", &file.bytes)
            .certificates
            .iter()
            .map(|c| crate::engine::pem::encode("CERTIFICATE", &c.der))
            .collect(),
    )
}

/// Whether a file holds a private key (a key file, or FreeSWITCH's agent.pem: key and chain).
fn holds_key(file: &FileState) -> bool {
    !engine::load("file", &file.bytes).keys.is_empty()
        || String::from_utf8_lossy(&file.bytes).contains("PRIVATE KEY")
}

/// What the backup records of one file: where, mode and owner, and its bytes: inline when they
/// hold no key, else the path of the copy kept 0600 in the data folder.
fn saved(
    path: Option<&String>,
    file: &Option<FileState>,
    data_dir: &Path,
    now: i64,
) -> Result<Value, UploadError> {
    Ok(match (path, file) {
        (None, _) => Value::Null,
        (Some(p), None) => json!({"path": p, "exists": false}),
        (Some(p), Some(f)) => {
            let mut v = json!({
                "path": p,
                "exists": true,
                "mode": f.mode.map(|m| format!("{m:o}")),
                "uid": f.uid,
                "gid": f.gid,
            });
            if holds_key(f) {
                let kept = records::write_key_backup(data_dir, &f.bytes, now)?;
                v["saved_to"] = json!(kept.display().to_string());
            } else {
                v["text"] = json!(String::from_utf8_lossy(&f.bytes));
            }
            v
        }
    })
}

fn read(host: &Host, path: Option<&String>) -> Result<Option<FileState>, UploadError> {
    let Some(path) = path else {
        return Ok(None);
    };
    host.read(path).map_err(|why| UploadError::Unreadable {
        what: format!("{} on {}", engine::text::escaped(path), host.shown()),
        why: engine::text::escaped(&why),
    })
}

/// The files as read before the change, each read once (over SSH a read is a connection).
struct Seen<'h> {
    host: &'h Host,
    files: std::collections::BTreeMap<String, Option<FileState>>,
}

impl Seen<'_> {
    fn get(&mut self, path: Option<&String>) -> Result<Option<FileState>, UploadError> {
        let Some(path) = path else {
            return Ok(None);
        };
        if let Some(file) = self.files.get(path) {
            return Ok(file.clone());
        }
        let file = read(self.host, Some(path))?;
        self.files.insert(path.clone(), file.clone());
        Ok(file)
    }
}

/// The content of `file` after `change` with the CA certificates `cas` (PEM).
fn ca_list_after(file: &Option<FileState>, change: TrustedRoots, cas: &str) -> String {
    let have = text(file).unwrap_or_default();
    match change {
        TrustedRoots::Replace | TrustedRoots::Keep => cas.to_string(),
        TrustedRoots::Add => {
            let held = fingerprints(&have);
            let mut out = have.clone();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            for cert in engine::load("CA list", cas.as_bytes()).certificates {
                if !held.contains(&cert.sha256.hex()) {
                    out.push_str(&crate::engine::pem::encode("CERTIFICATE", &cert.der));
                }
            }
            out
        }
    }
}

/// One file to write: its path, new bytes, and the mode and owner to give it.
struct Write {
    path: String,
    bytes: Vec<u8>,
    mode: u32,
    owner: Option<(u32, u32)>,
    what: &'static str,
    /// What it held before (`None`: it did not exist).
    before: Option<FileState>,
}

fn write_for(
    path: &str,
    bytes: Vec<u8>,
    before: &Option<FileState>,
    new_mode: u32,
    what: &'static str,
) -> Write {
    Write {
        path: path.to_string(),
        bytes,
        mode: before.as_ref().and_then(|f| f.mode).unwrap_or(new_mode),
        owner: before.as_ref().and_then(|f| f.uid.zip(f.gid)),
        what,
        before: before.clone(),
    }
}

/// The path that shows what the target holds: the certificate, or for a trust-store job the CA list.
fn shown_path(target: &FilesTarget) -> Option<&String> {
    match target.job {
        Job::Certificate => target.certificate.as_ref(),
        Job::TrustStore => target.ca_list.as_ref(),
    }
}

pub(super) fn current(run: &mut Run, target: &FilesTarget) -> Result<Option<String>, UploadError> {
    let _ = run;
    let host = target.host()?;
    Ok(certificates_only(&read(&host, shown_path(target))?))
}

/// The files to write for an upload: the key and the chain (one file when `certificate` and
/// `private_key` name the same one, as FreeSWITCH's agent.pem), and the CA list.
fn upload_writes(
    run: &Run,
    target: &FilesTarget,
    seen: &mut Seen,
) -> Result<Vec<Write>, UploadError> {
    let payload = &run.plan.payload;
    let mut writes = Vec::new();
    if target.job == Job::Certificate {
        let pem = payload.pem.as_deref().unwrap_or_default();
        let key = payload.key.as_ref().ok_or_else(|| {
            UploadError::Usage(
                "a files target needs the leaf's private key: [bundle] key = \"FILE\" in a plan, --key FILE on the command line".into(),
            )
        })?;
        if !key.belongs_to_leaf_of(pem) {
            return Err(UploadError::Refused(format!(
                "the private key {} is not the key of the leaf; nothing was written",
                key.shown()
            )));
        }
        match (&target.private_key, &target.certificate) {
            (Some(k), Some(c)) if k == c => {
                let before = seen.get(Some(c))?;
                let mut bytes = key.expose().as_bytes().to_vec();
                bytes.extend_from_slice(pem.as_bytes());
                writes.push(write_for(
                    c,
                    bytes,
                    &before,
                    0o600,
                    "private key and certificate",
                ));
            }
            (k, c) => {
                if let Some(k) = k {
                    let before = seen.get(Some(k))?;
                    writes.push(write_for(
                        k,
                        key.expose().as_bytes().to_vec(),
                        &before,
                        0o600,
                        "private key",
                    ));
                }
                if let Some(c) = c {
                    let before = seen.get(Some(c))?;
                    writes.push(write_for(
                        c,
                        pem.as_bytes().to_vec(),
                        &before,
                        0o644,
                        "certificate",
                    ));
                }
            }
        }
    }
    let cas = match target.job {
        Job::Certificate => payload.trust_pem.as_deref(),
        Job::TrustStore => payload.pem.as_deref(),
    };
    if let (Some(path), Some(cas)) = (&target.ca_list, cas) {
        let before = seen.get(Some(path))?;
        let after = ca_list_after(&before, target.trusted_roots, cas);
        writes.push(write_for(
            path,
            after.into_bytes(),
            &before,
            0o644,
            "CA list",
        ));
    }
    Ok(writes)
}

pub(super) fn apply(run: &mut Run, target: &FilesTarget) -> Result<(), UploadError> {
    target.check()?;
    let host = target.host()?;
    let plan = run.plan;
    run.started(Phase::ReadCurrent);
    let mut seen = Seen {
        host: &host,
        files: Default::default(),
    };
    let writes = match &plan.rollback_of {
        Some(path) => rollback_writes(run, target, &mut seen, &records::read_backup(path)?)?,
        None => upload_writes(run, target, &mut seen)?,
    };
    run.done(
        Phase::ReadCurrent,
        format!(
            "on {}: {}",
            engine::text::escape(&host.shown()),
            writes
                .iter()
                .map(|w| match &w.before {
                    Some(f) => format!("{} ({} bytes)", w.what, f.bytes.len()),
                    None => format!("{} (none yet)", w.what),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    // Already there: nothing to write (a rotation run again).
    let shown_before = seen.get(shown_path(target))?;
    let same = writes
        .iter()
        .all(|w| w.before.as_ref().is_some_and(|f| f.bytes == w.bytes));
    if same && run.already_held(certificates_only(&shown_before).as_deref()) {
        return Ok(());
    }

    back_up_files(run, target, &mut seen, &shown_before)?;
    write_files(run, &host, &writes)?;
    verify_and_reload(run, target, &host, &writes)?;
    run.verified(format!(
        "{} file(s) hold what was written{}",
        writes.len(),
        if target.reload.is_some() {
            ", and the server reloaded them"
        } else {
            " (no reload command: the server reads them when it next starts)"
        }
    ));
    Ok(())
}

/// The backup: each file's mode, owner and text (a file holding a key is kept apart, 0600), and the
/// host they are on; journaled before anything is written.
fn back_up_files(
    run: &mut Run,
    target: &FilesTarget,
    seen: &mut Seen,
    shown_before: &Option<FileState>,
) -> Result<(), UploadError> {
    let plan = run.plan;
    let mut files = serde_json::Map::new();
    for (name, path) in [
        ("certificate", &target.certificate),
        ("private_key", &target.private_key),
        ("ca_list", &target.ca_list),
    ] {
        let before = seen.get(path.as_ref())?;
        files.insert(
            name.into(),
            saved(path.as_ref(), &before, &plan.data_dir, run.started_at)?,
        );
    }
    let mut current = Value::Object(files);
    current["host"] = json!(seen.host.shown());
    run.back_up(current, certificates_only(shown_before).as_deref())?;
    Ok(())
}

/// Each file written in place (atomically, keeping its mode and owner), each change journaled first.
fn write_files(run: &mut Run, host: &Host, writes: &[Write]) -> Result<(), UploadError> {
    run.started(Phase::Upload);
    for w in writes {
        run.before_change()?;
        host.write(&w.path, &w.bytes, w.mode, w.owner)
            .map_err(|why| UploadError::Write(engine::text::escaped(&why)))?;
        run.mark_changed();
        run.done(
            Phase::Upload,
            format!(
                "wrote the {} to {} (mode {:o}{})",
                w.what,
                engine::text::escaped(&w.path),
                w.mode,
                w.owner
                    .map(|(u, g)| format!(", owner {u}:{g}"))
                    .unwrap_or_default()
            ),
        );
    }
    Ok(())
}

/// The read-back of every file, then the reload command judged by its output; when the reload
/// fails, the previous files are put back.
fn verify_and_reload(
    run: &mut Run,
    target: &FilesTarget,
    host: &Host,
    writes: &[Write],
) -> Result<(), UploadError> {
    run.started(Phase::Verify);
    for w in writes {
        let now = read(host, Some(&w.path))?;
        if now.as_ref().map(|f| &f.bytes) != Some(&w.bytes) {
            return Err(UploadError::Differs(format!(
                "{} does not hold what was written",
                engine::text::escaped(&w.path)
            )));
        }
    }
    if let Some(command) = &target.reload {
        let ran = host.run(command).map_err(|why| {
            UploadError::Write(format!(
                "the reload could not run: {}",
                engine::text::escaped(&why)
            ))
        })?;
        if let Err(why) = judge(&ran, target.reload_expect.as_deref()) {
            let restored = restore(run, host, writes);
            return Err(UploadError::ReloadFailed(format!(
                "the server's reload failed: {why}. {}",
                match restored {
                    Ok(()) => "The previous files were put back: the server still serves (and would load again) what it had".to_string(),
                    Err(e) => format!("Putting the previous files back failed too ({}): restore them from the backup now", engine::text::escaped(&e)),
                }
            )));
        }
        run.note(format!(
            "reload: {}",
            engine::text::escaped(ran.output.trim())
        ));
    }
    Ok(())
}

/// Whether a reload worked: exit code 0, no line saying error or failure, and the expected words
/// when the target names them.
pub fn judge(ran: &Ran, expect: Option<&str>) -> Result<(), String> {
    let said = engine::text::escaped(ran.output.trim());
    if ran.code != Some(0) {
        return Err(format!(
            "it exited with {}: {said}",
            ran.code
                .map(|c| format!("code {c}"))
                .unwrap_or_else(|| "a signal".into())
        ));
    }
    let failing = ran.output.lines().any(|line| {
        let l = line.trim().to_ascii_lowercase();
        l.starts_with("error")
            || l.starts_with("fatal")
            || l.starts_with("failed")
            || l.contains("error:")
            || l.contains(" failed")
    });
    if failing {
        return Err(format!("it said: {said}"));
    }
    if let Some(words) = expect
        && !ran.output.contains(words)
    {
        return Err(format!(
            "it did not say \"{}\": {said}",
            engine::text::escaped(words)
        ));
    }
    Ok(())
}

/// Puts the files read before the change back (files that did not exist are left: nothing of
/// the server's is removed).
fn restore(run: &mut Run, host: &Host, writes: &[Write]) -> Result<(), String> {
    for w in writes {
        if let Some(file) = &w.before {
            host.write(
                &w.path,
                &file.bytes,
                file.mode.unwrap_or(w.mode),
                file.uid.zip(file.gid),
            )?;
        }
    }
    run.restored();
    Ok(())
}

/// The files a backup recorded, to write back byte for byte with their old mode and owner: inline
/// text, or the copy kept in the data folder (a key, checked against the certificate put back).
fn rollback_writes(
    run: &mut Run,
    target: &FilesTarget,
    seen: &mut Seen,
    backup: &records::Backup,
) -> Result<Vec<Write>, UploadError> {
    let mut writes: Vec<Write> = Vec::new();
    for (name, what, path) in [
        ("private_key", "private key", &target.private_key),
        ("certificate", "certificate", &target.certificate),
        ("ca_list", "CA list", &target.ca_list),
    ] {
        let Some(path) = path else { continue };
        if writes.iter().any(|w| &w.path == path) {
            continue; // one file holding key and chain
        }
        let v = &backup.current[name];
        if v["exists"] == false {
            run.note(format!(
                "{} did not exist before: left in place",
                engine::text::escaped(path)
            ));
            continue;
        }
        let bytes = match (v["saved_to"].as_str(), v["text"].as_str()) {
            (Some(saved), _) => crate::files::read_small(Path::new(saved))
                .map_err(|e| UploadError::Usage(format!("the previous {what}: {e}")))?,
            (None, Some(text)) => text.as_bytes().to_vec(),
            (None, None) => {
                return Err(UploadError::Refused(format!(
                    "the backup holds no copy of {}; restore it by hand",
                    engine::text::escaped(path)
                )));
            }
        };
        let mode = v["mode"]
            .as_str()
            .and_then(|m| u32::from_str_radix(m, 8).ok())
            .unwrap_or(0o600);
        let owner = v["uid"]
            .as_u64()
            .zip(v["gid"].as_u64())
            .map(|(u, g)| (u as u32, g as u32));
        let before = seen.get(Some(path))?;
        writes.push(Write {
            path: path.clone(),
            bytes,
            mode,
            owner,
            what,
            before,
        });
    }
    // The key put back must be the certificate's: else the server would not load them.
    let certificate = backup.certificate.as_deref().unwrap_or_default();
    if target.job == Job::Certificate
        && let Some(w) = writes.iter().find(|w| w.what == "private key")
    {
        let key = PrivateKey::from_pem(&w.bytes, Path::new(&w.path))
            .map_err(|why| UploadError::Refused(format!("the previous key: {why}")))?;
        if !key.belongs_to_leaf_of(certificate) {
            return Err(UploadError::Refused(
                "the previous key kept in the data folder is not the key of the certificate in the backup; nothing was written".into(),
            ));
        }
    }
    Ok(writes)
}
