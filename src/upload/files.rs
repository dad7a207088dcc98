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
//!
//! This file holds the target and how its files are read; `change` makes the change.

mod change;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::audiocodes::{Job, TrustedRoots};
use super::host::{FileState, Host, Ran, Ssh};
use super::{Phase, PrivateKey, Run, UploadError, fingerprints, records};
use crate::engine;
pub(super) use change::apply;
pub use change::judge;

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
