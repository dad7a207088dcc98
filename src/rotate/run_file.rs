//! The run file: every target's outcome as a run goes, where run files live, and the run an interruption left.

use super::*;

/// What happened to one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Not reached yet.
    Pending,
    /// Uploaded, and the read-back holds exactly the bundle.
    Verified,
    /// It already held exactly the bundle: nothing was sent.
    Unchanged,
    /// Refused before any change (validation, a BYOC Cloud trunk, permissions).
    Refused,
    /// The server failed or refused; nothing changed.
    Failed,
    /// Changed, but the read-back differs.
    Differs,
    /// A change was sent and may have landed, but could not be read back.
    ChangedUnverified,
    /// Not attempted: an earlier target failed.
    Skipped,
    /// Stopped by the admin.
    Cancelled,
    /// Put back from its backup by `--rollback`.
    RolledBack,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Verified => "verified",
            Status::Unchanged => "unchanged",
            Status::Refused => "refused",
            Status::Failed => "failed",
            Status::Differs => "differs",
            Status::ChangedUnverified => "changed-unverified",
            Status::Skipped => "skipped",
            Status::Cancelled => "cancelled",
            Status::RolledBack => "rolled-back",
        }
    }

    /// In words for the table, the report and the window: a verified target is one this run changed
    /// ("changed, verified"); the other statuses as they are.
    pub fn words(self) -> &'static str {
        match self {
            Status::Verified => "changed, verified",
            other => other.as_str(),
        }
    }

    /// The target holds what was meant for it.
    pub fn is_good(self) -> bool {
        matches!(self, Status::Verified | Status::Unchanged)
    }

    /// A change may have reached the server (what `--rollback` puts back).
    pub fn changed(self) -> bool {
        matches!(
            self,
            Status::Verified | Status::Differs | Status::ChangedUnverified
        )
    }

    pub(super) fn of(record: &upload::Record) -> Self {
        match record.result.as_str() {
            "verified" => Status::Verified,
            "unchanged" => Status::Unchanged,
            "refused" => Status::Refused,
            "differs" => Status::Differs,
            "changed-unverified" => Status::ChangedUnverified,
            "cancelled" => Status::Cancelled,
            _ => Status::Failed,
        }
    }
}

/// One target in a run file: enough to put it back later (no secret: targets hold none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetRun {
    pub name: String,
    pub kind: String,
    pub target: Target,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pins: Vec<String>,
    pub status: Status,
    /// This run changed it (in this attempt or an earlier one it resumed): what `--rollback` puts
    /// back, from `backup`, which is then the backup taken before the first change.
    #[serde(default)]
    pub changed: bool,
    /// What it held before the run (from the read before any change).
    #[serde(default)]
    pub before: Vec<Held>,
    /// What it holds after (what was sent, once read back; what it held, when nothing changed).
    /// Empty when unknown: a change that did not read back as sent.
    #[serde(default)]
    pub after: Vec<Held>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
    /// The audit log entry's time (its key in `audit.jsonl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_time: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub correlation_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Seconds the target took.
    #[serde(default)]
    pub seconds: f64,
    /// The last point of its change the journal recorded: `backed-up` (nothing sent yet),
    /// `sending` (a change was on its way: it may have landed), `done` (the outcome is recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Proof that its secret was the one used with this target (see [`upload::Secret::bind`]): a
    /// rollback sends a secret only to a target it matches, so an edited run file cannot redirect it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_binding: Option<String>,
}

impl TargetRun {
    /// A change of this run may have reached it: what a rollback puts back.
    pub fn was_changed(&self) -> bool {
        self.changed || self.status.changed() || self.step.as_deref() == Some("sending")
    }

    /// Its status as a run reports it: "changed, verified" for a target this run changed and
    /// verified (in this attempt or one it resumed), so that a report never calls it unchanged.
    pub fn status_words(&self) -> String {
        match self.status {
            Status::Unchanged if self.was_changed() => Status::Verified.words().into(),
            Status::Pending if self.was_changed() => "interrupted after a change was sent".into(),
            other => other.words().into(),
        }
    }
}

/// An endpoint probed after the targets: what it serves, judged against the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyResult {
    pub endpoint: String,
    /// SHA-256 of each certificate served, in order.
    pub served: Vec<String>,
    /// `served.*` and other findings: `{severity, code, message}`.
    pub findings: Vec<serde_json::Value>,
    /// Why it could not be probed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The record of one rotation run, rewritten after every target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFile {
    /// Format version (2: the plan's canonical path and hash, the journal steps).
    pub chainsmith_rotation: u32,
    /// The plan file's canonical absolute path.
    pub plan: String,
    /// SHA-256 of the plan's text when the run started: with `plan`, the run's identity.
    #[serde(default)]
    pub plan_sha256: String,
    pub plan_name: String,
    pub started: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    /// `apply` or `rollback`.
    pub action: String,
    /// SHA-256 of each certificate of the bundle.
    pub bundle: Vec<String>,
    pub targets: Vec<TargetRun>,
    #[serde(default)]
    pub verify: Vec<VerifyResult>,
    /// For a rollback: the run it undid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_of: Option<String>,
    /// For a run: the rollback that undid it (a rolled-back run is never resumed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolled_back_by: Option<String>,
    /// How many times an interrupted run was taken up again.
    #[serde(default)]
    pub resumed: u32,
}

impl RunFile {
    /// The exit code `upload` would give: 0 all good; 4 a target changed but did not read back as
    /// sent (or was stopped after its change was sent); 3 a target failed (or was skipped or stopped); refused ones count as failed here (the
    /// bundle's own refusal, exit 1, happens before any run file).
    pub fn exit_code(&self) -> u8 {
        if self.targets.iter().any(|t| {
            matches!(t.status, Status::Differs | Status::ChangedUnverified)
                || (t.changed && !t.status.is_good() && t.status != Status::RolledBack)
        }) {
            4
        } else if self
            .targets
            .iter()
            .all(|t| t.status.is_good() || t.status == Status::RolledBack)
        {
            0
        } else {
            3
        }
    }
}

/// Where run files go: `<data dir>/rotations/`.
pub fn runs_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("rotations")
}

/// A file-name-safe version of the plan's name.
pub(super) fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "plan".into() } else { s }
}

/// A new run file's path: `<data dir>/rotations/<time>-<plan name>.json` (a number appended if taken).
pub(super) fn new_run_path(data_dir: &Path, started: i64, name: &str, action: &str) -> PathBuf {
    let stamp = engine::report::rfc3339(started).replace(':', "");
    let base = format!(
        "{stamp}-{}{}",
        slug(name),
        if action == "rollback" {
            "-rollback"
        } else {
            ""
        }
    );
    let dir = runs_dir(data_dir);
    let mut path = dir.join(format!("{base}.json"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{base}-{n}.json"));
        n += 1;
    }
    path
}

/// Writes the run file (whole, through a temporary file: never half-written).
pub fn save(path: &Path, run: &RunFile) -> Result<(), UploadError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            UploadError::Usage(format!(
                "cannot create {}: {e}",
                crate::engine::text::path(dir)
            ))
        })?;
    }
    let text = serde_json::to_string_pretty(run)
        .map_err(|e| UploadError::Unexpected(format!("the run file: {e}")))?;
    crate::files::write_atomically(path, text.as_bytes(), None).map_err(|e| {
        UploadError::Usage(format!(
            "cannot write {}: {e}",
            crate::engine::text::path(path)
        ))
    })
}

/// Reads a run file.
pub fn load_run(path: &Path) -> Result<RunFile, UploadError> {
    let text =
        crate::files::read_small_text(path).map_err(|e| UploadError::Usage(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| {
        UploadError::Usage(format!(
            "{}: not a Chainsmith rotation run file ({e})",
            crate::engine::text::path(path)
        ))
    })
}

/// The latest run of the plan file `plan` (canonical path) that did not finish its work (a target not
/// verified or unchanged, or the process died) and was not rolled back: the run a new attempt takes
/// up, or refuses to start beside when the plan was edited since.
pub(super) fn unfinished_run(data_dir: &Path, plan: &str) -> Option<(PathBuf, RunFile)> {
    let mut runs: Vec<(PathBuf, RunFile)> = std::fs::read_dir(runs_dir(data_dir))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| load_run(&p).ok().map(|r| (p, r)))
        .filter(|(_, r)| {
            r.action == "apply"
                && r.plan == plan
                && r.rolled_back_by.is_none()
                && (r.finished.is_none() || !r.targets.iter().all(|t| t.status.is_good()))
        })
        .collect();
    // The run files' names start with their start time: the last is the latest.
    runs.sort_by(|a, b| a.0.cmp(&b.0));
    runs.pop()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A REST target's entry (no authentication) with this status.
    pub(in crate::rotate) fn target(status: Status, changed: bool) -> TargetRun {
        TargetRun {
            name: "SBC London".into(),
            kind: "rest".into(),
            target: Target::Rest(crate::upload::RestTarget::new(
                "https://sbc.example.com/api",
            )),
            secret_env: None,
            ca_file: None,
            pins: Vec::new(),
            status,
            changed,
            before: Vec::new(),
            after: Vec::new(),
            backup: None,
            audit_time: None,
            correlation_ids: Vec::new(),
            error: None,
            seconds: 0.0,
            step: None,
            secret_binding: None,
        }
    }

    /// A report never calls a target this run changed "unchanged" or merely "pending".
    #[test]
    fn a_target_this_run_changed_is_never_called_unchanged_or_pending() {
        let words = |status, changed| target(status, changed).status_words();
        assert_eq!(words(Status::Unchanged, true), "changed, verified");
        assert_eq!(words(Status::Unchanged, false), "unchanged");
        assert_eq!(
            words(Status::Pending, true),
            "interrupted after a change was sent"
        );
        assert_eq!(words(Status::Pending, false), "pending");
        assert_eq!(words(Status::Verified, true), "changed, verified");
        assert_eq!(words(Status::Failed, true), "failed");
    }

    /// `upload`'s exit codes: 4 when a change was sent that is not known good (it did not read
    /// back, or the run was stopped after sending it), 3 when a target failed or was not reached, 0
    /// when every target holds the bundle or was put back.
    #[test]
    fn a_run_exits_4_for_a_change_not_known_good_and_3_for_a_failure() {
        let code = |targets: &[(Status, bool)]| {
            RunFile {
                chainsmith_rotation: 2,
                plan: "/plans/carrier-a.toml".into(),
                plan_sha256: String::new(),
                plan_name: "carrier-a".into(),
                started: "2026-06-01T00:00:00Z".into(),
                finished: None,
                action: "apply".into(),
                bundle: Vec::new(),
                targets: targets.iter().map(|&(s, c)| target(s, c)).collect(),
                verify: Vec::new(),
                rollback_of: None,
                rolled_back_by: None,
                resumed: 0,
            }
            .exit_code()
        };
        assert_eq!(
            code(&[(Status::Verified, true), (Status::Unchanged, false)]),
            0
        );
        assert_eq!(
            code(&[(Status::RolledBack, true), (Status::Unchanged, false)]),
            0
        );
        assert_eq!(
            code(&[(Status::Verified, true), (Status::Differs, true)]),
            4
        );
        assert_eq!(code(&[(Status::ChangedUnverified, false)]), 4);
        assert_eq!(
            code(&[(Status::Cancelled, true), (Status::Skipped, false)]),
            4
        );
        assert_eq!(
            code(&[(Status::Cancelled, false), (Status::Skipped, false)]),
            3
        );
        assert_eq!(
            code(&[(Status::Verified, true), (Status::Failed, false)]),
            3
        );
        assert_eq!(
            code(&[(Status::Verified, true), (Status::Pending, false)]),
            3
        );
    }

    /// Two runs started in the same second never share a file: the next free number is taken.
    #[test]
    fn a_run_file_never_takes_a_name_in_use() {
        let data = tempfile::tempdir().unwrap();
        let path = |n: &str| runs_dir(data.path()).join(format!("1970-01-01T000000Z-plan{n}.json"));
        std::fs::create_dir_all(runs_dir(data.path())).unwrap();
        assert_eq!(new_run_path(data.path(), 0, "plan", "apply"), path(""));
        std::fs::write(path(""), "{}").unwrap();
        assert_eq!(new_run_path(data.path(), 0, "plan", "apply"), path("-2"));
        std::fs::write(path("-2"), "{}").unwrap();
        assert_eq!(new_run_path(data.path(), 0, "plan", "apply"), path("-3"));
        assert_eq!(
            new_run_path(data.path(), 0, "plan", "rollback"),
            path("-rollback")
        );
    }

    /// A plan's name in a file name: letters, digits, `-` and `_` kept, the rest dashes, none at
    /// the ends; nothing left is "plan".
    #[test]
    fn a_plan_name_becomes_a_safe_file_name() {
        assert_eq!(slug("carrier-a_2026"), "carrier-a_2026");
        assert_eq!(slug("Carrier A: SBC/London"), "Carrier-A--SBC-London");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("évian ✓"), "vian");
        assert_eq!(slug("///"), "plan");
        assert_eq!(slug(""), "plan");
    }
}
