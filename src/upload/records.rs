//! Files an upload writes in the data directory: a backup of what it replaces (before any change) and
//! one line per run in the append-only audit log. Neither ever holds a secret: targets carry none.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Record, Target, UploadError};

pub use crate::places::{DATA_DIR_VAR, data_dir};

/// The audit log's path.
pub fn audit_path(data_dir: &Path) -> PathBuf {
    data_dir.join("audit.jsonl")
}

/// What a backup file holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Backup {
    /// Format version (1).
    pub chainsmith_backup: u32,
    pub time: String,
    /// Where it was read from (no secret: targets hold none).
    pub target: Target,
    pub region: Option<String>,
    pub ids: std::collections::BTreeMap<String, String>,
    /// The PEM the server held (`None`: nothing was there).
    pub certificate: Option<String>,
    pub fingerprints: Vec<String>,
    /// The whole value as read (the certificate authority, or the REST body).
    pub current: Value,
    /// Proof of the secret used with `target` when this backup was made ([`super::Secret::bind`]):
    /// putting it back sends only a secret that matches, so an edited backup cannot redirect one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_binding: Option<String>,
    /// The endpoint the target serves (its `verify`): a rollback is proved there too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<String>,
}

/// Writes a backup as `backups/<time>-<target>-<n>.json`; never overwrites one.
pub fn write_backup(data_dir: &Path, backup: &Backup, now: i64) -> Result<PathBuf, UploadError> {
    let stamp = crate::engine::report::rfc3339(now).replace(':', "-");
    let text = serde_json::to_string_pretty(backup)
        .map_err(|e| UploadError::Write(format!("backup: {e}")))?;
    let kind = backup.target.kind();
    write_new(
        &data_dir.join("backups"),
        &|n| format!("{stamp}-{kind}-{n}.json"),
        text.as_bytes(),
        false,
        "backups",
    )
}

/// Keeps a file target's previous private key in the data folder, readable by its owner alone
/// (`keys/<time>-<n>.key`, 0600 from its first byte and the folder 0700 on Unix; on Windows the data
/// folder is the user's own profile). Never overwrites one.
pub fn write_key_backup(data_dir: &Path, bytes: &[u8], now: i64) -> Result<PathBuf, UploadError> {
    let stamp = crate::engine::report::rfc3339(now).replace(':', "-");
    write_new(
        &data_dir.join("keys"),
        &|n| format!("{stamp}-{n}.key"),
        bytes,
        true,
        "keys kept",
    )
}

/// Writes `bytes` to a new file in `dir` named `name(n)` for the first `n` not taken, synced;
/// `private`: the folder 0700 and the file 0600 from its first byte (Unix).
fn write_new(
    dir: &Path,
    name: &dyn Fn(u32) -> String,
    bytes: &[u8],
    private: bool,
    what: &str,
) -> Result<PathBuf, UploadError> {
    let failed = |path: &Path, e: std::io::Error| {
        UploadError::Write(format!("{}: {e}", crate::engine::text::path(path)))
    };
    std::fs::create_dir_all(dir).map_err(|e| failed(dir, e))?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| failed(dir, e))?;
    }
    for n in 1..1000 {
        let path = dir.join(name(n));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if private {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        // Windows has no mode: the data folder is the user's own (see `places`).
        #[cfg(windows)]
        let _ = private;
        match options.open(&path) {
            Ok(mut file) => {
                file.write_all(bytes)
                    .and_then(|()| file.sync_all())
                    .map_err(|e| failed(&path, e))?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(failed(&path, e)),
        }
    }
    Err(UploadError::Write(format!(
        "{}: too many {what} in the same second",
        crate::engine::text::path(dir)
    )))
}

/// Reads a backup file.
pub fn read_backup(path: &Path) -> Result<Backup, UploadError> {
    let text = crate::files::read_small_text(path)
        .map_err(|e| UploadError::Usage(format!("cannot read the backup {e}")))?;
    serde_json::from_str(&text).map_err(|e| {
        UploadError::Usage(format!(
            "{} is not a Chainsmith backup: {e}",
            crate::engine::text::path(path)
        ))
    })
}

/// Appends one JSON line to the audit log (creating it).
pub fn append_audit(data_dir: &Path, record: &Record) -> Result<(), UploadError> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| UploadError::Write(format!("{}: {e}", crate::engine::text::path(data_dir))))?;
    let path = audit_path(data_dir);
    let mut line =
        serde_json::to_string(record).map_err(|e| UploadError::Write(format!("audit log: {e}")))?;
    line.push('\n');
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut f| f.write_all(line.as_bytes()))
        .map_err(|e| UploadError::Write(format!("{}: {e}", crate::engine::text::path(&path))))
}

/// The audit log's entries, oldest first (lines that do not parse are skipped).
pub fn read_audit(data_dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(audit_path(data_dir))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// An audit entry's action, with what makes it unlike an ordinary run: "upload (rehearsal — nothing
/// was sent to Genesys Cloud)", "upload (forced past chain.incomplete, name.mismatch)".
pub fn action_words(entry: &Value) -> String {
    let mut words = entry["action"].as_str().unwrap_or_default().to_string();
    if entry["rehearsal"].as_bool() == Some(true) {
        words.push_str(" (rehearsal — nothing was sent to Genesys Cloud)");
    }
    let forced: Vec<&str> = entry["forced"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    if !forced.is_empty() {
        words.push_str(&format!(" (forced past {})", forced.join(", ")));
    }
    words
}

/// The audit entries as a Markdown table for a change ticket.
pub fn audit_markdown(entries: &[Value]) -> String {
    let mut out = String::from(
        "| time | action | target | certificates | ids | result | backup | correlation ids |\n|---|---|---|---|---|---|---|---|\n",
    );
    for e in entries {
        let ids = e["ids"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let correlation = e["correlation_ids"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        // Every cell is text from the log (a server's error body, a URL, ids): escaped for
        // Markdown, and for the HTML a Markdown viewer makes of it.
        let md = crate::engine::text::markdown;
        let authority = e["certificate_authority"]
            .as_str()
            .map(|n| format!(", certificate authority \"{n}\""))
            .unwrap_or_default();
        let certificates = e["certificates"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| {
                let n = e["bundle"].as_array().map_or(0, Vec::len);
                if n == 0 {
                    "none".into()
                } else {
                    format!("{n} (SHA-256 only)")
                }
            });
        out.push_str(&format!(
            "| {} | {} | {} {}{} | {} | {} | {}{} | {} | {} |\n",
            md(e["time"].as_str().unwrap_or_default()),
            md(&action_words(e)),
            md(e["target"].as_str().unwrap_or_default()),
            md(e["endpoint"].as_str().unwrap_or_default()),
            md(&authority),
            md(&certificates),
            md(&ids),
            md(e["result"].as_str().unwrap_or_default()),
            e["error"]
                .as_str()
                .map(|t| format!(": {}", md(t)))
                .unwrap_or_default(),
            md(e["backup"].as_str().unwrap_or_default()),
            md(&correlation)
        ));
    }
    out
}

/// The plan that puts `backup` back through the same target.
pub fn rollback_plan(
    path: &Path,
    data_dir: PathBuf,
    api_roots: Option<Vec<u8>>,
    api_pins: Vec<crate::engine::cert::Fingerprint>,
    policy: super::RetryPolicy,
) -> Result<super::Plan, UploadError> {
    let backup = read_backup(path)?;
    let mut payload = super::Payload::from_pem(backup.certificate.clone());
    if let super::Target::AudioCodes(a) = &backup.target {
        rollback_payload(a, &backup, &mut payload)?;
    }
    Ok(super::Plan {
        secret_binding: backup.secret_binding.clone(),
        verify: backup.verify.clone(),
        key_file: None,
        proxy: crate::proxy::ProxyChoice::System,
        target: backup.target,
        payload,
        rollback_of: Some(path.to_path_buf()),
        data_dir,
        api_roots,
        api_roots_file: None,
        api_pins,
        policy,
        rehearsal: false,
        forced: Vec::new(),
        unchanged_if_held: false,
    })
}

/// What an AudioCodes rollback puts back besides the certificate: the trusted roots it held (when
/// the change touched them) and the previous key, read from the file the target names and checked
/// against the certificate put back. No key (`key_rollback = "none"`): the payload has none, and
/// the run refuses, saying so.
fn rollback_payload(
    target: &super::AudioCodesTarget,
    backup: &Backup,
    payload: &mut super::Payload,
) -> Result<(), UploadError> {
    use super::audiocodes::{Job, KeyRollback, TrustedRoots};
    if target.job == Job::TrustStore {
        return Ok(());
    }
    if target.key_rollback == KeyRollback::None {
        // Refused here, before anything is sent: the key the device held was never kept.
        return Err(UploadError::Usage(
            "this change cannot be rolled back: the target had key_rollback = \"none\" (no previous key). Put the old certificate and key back in the device's Web interface".into(),
        ));
    }
    if target.trusted_roots != TrustedRoots::Keep {
        payload.trust_pem = backup.current["trustedRoot"].as_str().map(String::from);
    }
    if let (KeyRollback::PreviousKey, Some(path)) = (target.key_rollback, &target.previous_key) {
        let key = super::PrivateKey::read(path)?;
        if !key.belongs_to_leaf_of(backup.certificate.as_deref().unwrap_or_default()) {
            return Err(UploadError::Refused(format!(
                "the previous key {} is not the key of the certificate in the backup; it was changed since the upload. Nothing was sent",
                key.shown()
            )));
        }
        payload.key = Some(key);
    }
    Ok(())
}
