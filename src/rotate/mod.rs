//! Rotations: one checked bundle to every place that needs it (Genesys Cloud organisations, SBC and
//! carrier REST APIs), in plan order, the first target being the canary; each target exactly as
//! `chainsmith upload` does it (authenticate, pre-flight, read, back up, upload, read back, audit),
//! except that a target already holding exactly the bundle gets no write (`unchanged`), so running a
//! plan again after an interruption resumes it. A run file records every target's outcome as it goes,
//! and `--rollback RUN_FILE` puts every changed target back from its backup, in reverse order.
//!
//! The plan file is [`plan`]; the command line around this is `src/cli/rotate.rs`.

pub mod lock;
pub mod plan;
pub mod report;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::engine::{self, CheckOptions, Loaded, Report};
use crate::upload::{self, Event, Holdings, Payload, Plan, Secrets, Target, UploadError, records};

pub use plan::{BundleSpec, PlanError, Rotation, RotationTarget, VerifySpec};

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

    fn of(record: &upload::Record) -> Self {
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
fn slug(name: &str) -> String {
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
fn new_run_path(data_dir: &Path, started: i64, name: &str, action: &str) -> PathBuf {
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
        std::fs::create_dir_all(dir)
            .map_err(|e| UploadError::Usage(format!("cannot create {}: {e}", dir.display())))?;
    }
    let text = serde_json::to_string_pretty(run)
        .map_err(|e| UploadError::Unexpected(format!("the run file: {e}")))?;
    crate::files::write_atomically(path, text.as_bytes(), None)
        .map_err(|e| UploadError::Usage(format!("cannot write {}: {e}", path.display())))
}

/// Reads a run file.
pub fn load_run(path: &Path) -> Result<RunFile, UploadError> {
    let text =
        crate::files::read_small_text(path).map_err(|e| UploadError::Usage(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| {
        UploadError::Usage(format!(
            "{}: not a Chainsmith rotation run file ({e})",
            path.display()
        ))
    })
}

/// The secret a target needs: from its `secret_env` variable, else the keychain, else (with
/// `prompt`, in a terminal) a prompt naming the target. The default variables
/// (`CHAINSMITH_CLIENT_SECRET`) are not read: one secret must not go to several organisations.
pub fn secrets_for(target: &Target, secret_env: Option<&str>, prompt: Option<&str>) -> Secrets {
    Secrets::find_in(target, secret_env, prompt)
}

/// The upload plan for one target of a rotation.
pub fn upload_plan(
    target: &RotationTarget,
    payload: Payload,
    forced: Vec<String>,
    data_dir: &Path,
) -> Plan {
    Plan {
        target: target.target.clone(),
        payload,
        rollback_of: None,
        data_dir: data_dir.to_path_buf(),
        api_roots: None,
        api_roots_file: target.ca_file.clone(),
        api_pins: target.pins.clone(),
        policy: upload::RetryPolicy {
            timeout: target.timeout,
            ..upload::RetryPolicy::default()
        },
        rehearsal: false,
        forced,
        unchanged_if_held: true,
        secret_binding: None,
        verify: target.verify.clone(),
        key_file: None,
        proxy: crate::proxy::ProxyChoice::System,
    }
}

/// Why a plan's bundle cannot go out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    /// The plan asks for something that cannot be (a file that cannot be read, a bad time): exit 2.
    #[error("{0}")]
    Usage(String),
    /// The bundle cannot be made for a target (e.g. no CA certificate for a certificate authority):
    /// exit 1, nothing sent.
    #[error("{0}")]
    Refused(String),
}

/// A plan's bundle, checked once, and each target's upload plan.
pub struct Prepared {
    pub report: Report,
    pub options: CheckOptions,
    pub roots: Option<Loaded>,
    /// `plans[i]` is for `rotation.targets[i]`.
    pub plans: Vec<Plan>,
}

/// Reads and checks the plan's `[bundle]` (as `chainsmith check` would, at `now` unless the plan
/// gives `at`) and makes each target's payload: the CA certificates for a Genesys certificate
/// authority, the bundle (leaf first) for a REST target.
pub fn prepare(rotation: &Rotation, now: i64, data_dir: &Path) -> Result<Prepared, PrepareError> {
    let b = &rotation.bundle;
    let usage = PrepareError::Usage;
    let mut options = CheckOptions::new(now);
    if let Some(at) = &b.at {
        options.at = engine::report::parse_time(at).ok_or_else(|| {
            usage(format!(
                "[bundle] at = \"{at}\": neither RFC 3339 (2026-12-05T22:00:00Z) nor a date (2026-12-05)"
            ))
        })?;
        options.at_is_now = false;
    }
    options.host = b
        .host
        .as_deref()
        .map(engine::HostName::parse)
        .transpose()
        .map_err(|e| usage(format!("[bundle] host: {e}")))?;
    if let Some(name) = &b.profile {
        options.profile = engine::Profile::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| {
                usage(format!(
                    "[bundle] profile = \"{name}\": use tls-server, sip-mutual-tls, genesys-byoc-cloud or genesys-byoc-premises"
                ))
            })?;
    }
    options.expiry_warning_days = b.expiry_warning_days.unwrap_or(30);
    options.strict = b.strict;
    options.public_roots = b.public_roots;
    let read = |path: &Path| {
        crate::files::read_path(path, &mut |_| true).map_err(|e| usage(e.to_string()))
    };
    let mut inputs = Loaded::default();
    for path in &b.inputs {
        inputs.extend(read(path)?);
        if inputs.over_budget {
            break;
        }
    }
    if let Some(path) = &b.leaf {
        let loaded = read(path)?;
        let first = loaded.certificates.first().ok_or_else(|| {
            usage(format!(
                "[bundle] leaf {}: no certificate in it",
                path.display()
            ))
        })?;
        options.leaf = Some(first.sha256);
        if !inputs.certificates.iter().any(|c| c.sha256 == first.sha256) {
            inputs.extend(loaded);
        }
    }
    let roots = if b.roots.is_empty() {
        None
    } else {
        let mut roots = Loaded::default();
        for path in &b.roots {
            // Trust is given file by file: a folder would trust whatever lies in its whole tree.
            if path.is_dir() {
                return Err(usage(format!(
                    "[bundle] roots {}: a folder; name the root certificate files",
                    path.display()
                )));
            }
            let loaded = read(path)?;
            if loaded.certificates.is_empty() {
                return Err(usage(format!(
                    "[bundle] roots {}: no certificate in it",
                    path.display()
                )));
            }
            roots.extend(loaded);
        }
        Some(roots)
    };
    let report = engine::analyze(&inputs, roots.as_ref(), &options);
    let key = match &b.key {
        Some(path) => {
            Some(upload::PrivateKey::read(path).map_err(|e| usage(format!("[bundle] key: {e}")))?)
        }
        None => None,
    };
    let plans = rotation
        .targets
        .iter()
        .map(|t| {
            let refused =
                |e: UploadError| PrepareError::Refused(format!("target \"{}\": {e}", t.name));
            let payload = if t.trust.is_empty() {
                upload::payload_for(&t.target, &report, b.include_root, key.as_ref())
                    .map_err(refused)?
            } else {
                trust_payload(&t.trust).map_err(|e| usage(format!("target \"{}\": {e}", t.name)))?
            };
            Ok(upload_plan(
                t,
                payload,
                upload::forced_codes(&report),
                data_dir,
            ))
        })
        .collect::<Result<Vec<_>, PrepareError>>()?;
    Ok(Prepared {
        report,
        options,
        roots,
        plans,
    })
}

/// A trust-store job's payload: every certificate of its `trust` files.
fn trust_payload(files: &[PathBuf]) -> Result<Payload, String> {
    let mut pem = String::new();
    for path in files {
        let loaded = crate::files::read_path(path, &mut |_| true).map_err(|e| e.to_string())?;
        if loaded.certificates.is_empty() {
            return Err(format!("trust {}: no certificate in it", path.display()));
        }
        for cert in &loaded.certificates {
            pem.push_str(&crate::engine::pem::encode("CERTIFICATE", &cert.der));
        }
    }
    Ok(Payload::from_pem(Some(pem)))
}

/// One certificate a target holds, for `--status` and the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub subject: String,
    /// The name people know it by (its Common Name, else the subject), escaped. Absent from run files
    /// written before it existed.
    #[serde(default)]
    pub name: String,
    pub sha256: String,
    pub not_after: String,
}

impl Held {
    /// `cert` as a holding: escaped subject and name, SHA-256, expiry.
    pub fn of(cert: &engine::Certificate) -> Self {
        Self {
            subject: engine::text::escaped(&cert.subject),
            name: engine::text::escaped(&cert.display_name()),
            sha256: cert.sha256.hex(),
            not_after: engine::report::rfc3339(cert.not_after),
        }
    }

    /// The name to show: the Common Name, else (an older run file) the subject.
    pub fn shown_name(&self) -> &str {
        if self.name.is_empty() {
            &self.subject
        } else {
            &self.name
        }
    }
}

/// What a target holds now (`--status`, `--dry-run`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetStatus {
    pub name: String,
    pub kind: String,
    pub certificates: Vec<Held>,
    /// It already holds exactly what a run would send it.
    pub holds_bundle: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `--dry-run`: every request a run would send (credentials redacted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub would_send: Vec<String>,
}

/// The certificates in `pem`, described.
pub fn held(pem: Option<&str>) -> Vec<Held> {
    let Some(pem) = pem else { return Vec::new() };
    engine::load("held", pem.as_bytes())
        .certificates
        .iter()
        .map(|c| Held::of(c))
        .collect()
}

/// Reads what `plan`'s target holds and compares it with what it would be sent. Sends no change.
pub fn status_of(name: &str, plan: &Plan, secrets: &Secrets, dry_run: bool) -> TargetStatus {
    let would_send = if dry_run {
        upload::dry_run(plan).unwrap_or_else(|e| vec![e.to_string()])
    } else {
        Vec::new()
    };
    match upload::holdings(plan, secrets, Arc::new(AtomicBool::new(false))) {
        Ok(Holdings {
            pem, fingerprints, ..
        }) => TargetStatus {
            name: name.to_string(),
            kind: plan.target.kind().to_string(),
            certificates: held(pem.as_deref()),
            holds_bundle: fingerprints == plan.payload.fingerprints,
            error: None,
            would_send,
        },
        Err(e) => TargetStatus {
            name: name.to_string(),
            kind: plan.target.kind().to_string(),
            certificates: Vec::new(),
            holds_bundle: false,
            error: Some(e.to_string()),
            would_send,
        },
    }
}

/// What a rotation reports as it goes.
#[derive(Debug, Clone)]
pub enum Progress {
    /// Target `index` starts.
    Started(usize),
    /// A step of target `index`'s upload.
    Step(usize, Event),
    /// Target `index` ended with this status.
    Finished(usize, Status),
}

/// How a run goes on after a failure.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Go on with the next targets after a failed one (default: stop, the rest `skipped`).
    pub continue_on_error: bool,
    /// Run only the first target (the canary), leaving the rest `pending` for a later run.
    pub canary_only: bool,
}

/// The locks a run holds: its plan and each of its targets.
pub struct Locks(#[allow(dead_code)] Vec<lock::Lock>);

/// Takes the plan's lock and every target's, or says which run holds one. `targets` are
/// `(name, target)`.
pub fn lock_run<'t>(
    data_dir: &Path,
    plan: &str,
    targets: impl IntoIterator<Item = (&'t str, &'t upload::Target)>,
    action: &str,
) -> Result<Locks, UploadError> {
    let targets: Vec<(&str, String)> = targets
        .into_iter()
        .map(|(name, target)| (name, target.identity()))
        .collect();
    let holder = format!(
        "process {} started {}, {action} of {}",
        std::process::id(),
        engine::report::rfc3339(time::OffsetDateTime::now_utc().unix_timestamp()),
        plan
    );
    let mut held = vec![lock::acquire(
        data_dir,
        "plan",
        plan,
        &format!("the plan {}", engine::text::escaped(plan)),
        &holder,
    )?];
    let mut sorted: Vec<&(&str, String)> = targets.iter().collect();
    sorted.sort_by(|a, b| a.1.cmp(&b.1));
    sorted.dedup_by(|a, b| a.1 == b.1);
    for (name, identity) in sorted {
        held.push(lock::acquire(
            data_dir,
            "target",
            identity,
            &format!("target \"{}\"", engine::text::escaped(name)),
            &holder,
        )?);
    }
    Ok(Locks(held))
}

/// Why a plan cannot be run as it is: an unfinished run of an earlier version of the same plan file.
/// Its backups must stay reachable, so the edited plan is refused until that run is finished with
/// the plan it was started with, or rolled back.
fn edited_plan_refusal(old_path: &Path, old: &RunFile, rotation: &Rotation) -> UploadError {
    let mut changes = Vec::new();
    for t in &old.targets {
        match rotation.targets.iter().find(|n| n.name == t.name) {
            None => changes.push(format!("target \"{}\" was removed", t.name)),
            Some(n) if n.target != t.target => changes.push(format!(
                "target \"{}\" (line {}) now names another place or settings",
                t.name, n.line
            )),
            Some(_) => {}
        }
    }
    for n in &rotation.targets {
        if !old.targets.iter().any(|t| t.name == n.name) {
            changes.push(format!("target \"{}\" (line {}) is new", n.name, n.line));
        }
    }
    if changes.is_empty() {
        changes.push("the bundle or other settings".into());
    }
    let changed: Vec<&str> = old
        .targets
        .iter()
        .filter(|t| t.was_changed())
        .map(|t| t.name.as_str())
        .collect();
    UploadError::Usage(engine::text::escaped(&format!(
        "the plan was edited since its unfinished run {} started ({}); that run changed {} and holds the backups to undo it. \
         Finish it with the plan as it was, or undo it first (chainsmith rotate --rollback {}), then run the edited plan",
        old_path.display(),
        changes.join("; "),
        if changed.is_empty() {
            "nothing yet".to_string()
        } else {
            changed
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        },
        old_path.display()
    )))
}

/// Checks every target before the canary changes anything: its secret, its API's CA file and pins,
/// and a read of what it holds now (authenticated as the run will be). The first failure names the
/// target and its line in the plan; nothing has been sent then but reads.
pub fn preflight(
    rotation: &Rotation,
    plans: &[Plan],
    secrets: &[Secrets],
    cancel: Arc<AtomicBool>,
) -> Result<(), UploadError> {
    if let Some(e) = missing_secret(rotation, secrets) {
        return Err(UploadError::Usage(e));
    }
    for ((t, plan), secrets) in rotation.targets.iter().zip(plans).zip(secrets) {
        let named = |e: UploadError| {
            let why = match e {
                UploadError::Unreadable { why, .. } => why,
                other => other.to_string(),
            };
            UploadError::Unreadable {
                what: format!(
                    "target \"{}\" (line {} of the plan)",
                    engine::text::escaped(&t.name),
                    t.line
                ),
                why,
            }
        };
        plan.trust().map_err(named)?;
        upload::holdings(plan, secrets, cancel.clone()).map_err(named)?;
    }
    Ok(())
}

/// Runs the targets in order; `plans[i]` and `secrets[i]` belong to `rotation.targets[i]`. The run
/// file is a journal: written before the first target, and before each target's change is sent
/// (its backup, then "sending"), and after each target's outcome, each time durably (write, sync,
/// rename). Returns it with its path.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    rotation: &Rotation,
    plans: &[Plan],
    secrets: &[Secrets],
    bundle: Vec<String>,
    options: RunOptions,
    data_dir: &Path,
    clock: &dyn Fn() -> i64,
    cancel: Arc<AtomicBool>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(RunFile, PathBuf), UploadError> {
    let data_dir = &absolute(data_dir);
    let plan_id = rotation.path.display().to_string();
    let _locks = lock_run(
        data_dir,
        &plan_id,
        rotation
            .targets
            .iter()
            .map(|t| (t.name.as_str(), &t.target)),
        "rotation",
    )?;
    // Every target is checked before the canary: a mistyped CA file or a target that cannot be read
    // stops the run before any change.
    preflight(rotation, plans, secrets, cancel.clone())?;
    let now = clock();
    let path = new_run_path(data_dir, now, &rotation.name, "apply");
    let mut run = RunFile {
        chainsmith_rotation: 2,
        plan: plan_id,
        plan_sha256: rotation.sha256.clone(),
        plan_name: rotation.name.clone(),
        started: engine::report::rfc3339(now),
        finished: None,
        action: "apply".into(),
        bundle,
        targets: rotation
            .targets
            .iter()
            .zip(secrets)
            .map(|(t, s)| TargetRun {
                name: t.name.clone(),
                kind: t.target.kind().into(),
                target: t.target.clone(),
                secret_env: t.secret_env.clone(),
                ca_file: t.ca_file.as_deref().map(absolute),
                pins: t.pins.iter().map(|p| p.hex()).collect(),
                status: Status::Pending,
                changed: false,
                before: Vec::new(),
                after: Vec::new(),
                backup: None,
                audit_time: None,
                correlation_ids: Vec::new(),
                error: None,
                seconds: 0.0,
                step: None,
                secret_binding: s
                    .client_secret
                    .as_ref()
                    .or(s.token.as_ref())
                    .map(|secret| secret.bind(&t.target.identity())),
            })
            .collect(),
        verify: Vec::new(),
        rollback_of: None,
        rolled_back_by: None,
        resumed: 0,
    };
    // An interrupted run of this plan (a target failed, was skipped, left for after the canary, or
    // the process died) is taken up again in its own run file, so that one rollback undoes the
    // whole rotation; what it may have changed keeps its first backup.
    let mut path = path;
    if let Some((old_path, old)) = unfinished_run(data_dir, &run.plan) {
        if old.plan_sha256 != rotation.sha256 {
            return Err(edited_plan_refusal(&old_path, &old, rotation));
        }
        for (entry, prior) in run.targets.iter_mut().zip(&old.targets) {
            if prior.was_changed() {
                entry.changed = true;
                entry.status = prior.status;
                entry.before = prior.before.clone();
                entry.after = prior.after.clone();
                entry.backup = prior.backup.clone();
                entry.step = prior.step.clone();
            }
        }
        run.started = old.started.clone();
        run.resumed = old.resumed + 1;
        path = old_path;
    }
    save(&path, &run)?;
    let mut stop = false;
    for (i, (plan, secrets)) in plans.iter().zip(secrets).enumerate() {
        if stop || (options.canary_only && i > 0) {
            if stop && !run.targets[i].was_changed() {
                run.targets[i].status = Status::Skipped;
            }
            continue;
        }
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            if !run.targets[i].was_changed() {
                run.targets[i].status = Status::Cancelled;
            }
            stop = true;
            continue;
        }
        progress(Progress::Started(i));
        let started = std::time::Instant::now();
        let prior_change = run.targets[i].was_changed();
        let mut on_event = |event: Event| {
            progress(Progress::Step(i, event));
        };
        // The journal: the backup, then "sending", each saved before the upload goes on.
        let journal_path = path.clone();
        let mut journal = |step: &upload::Step| -> Result<(), UploadError> {
            let entry = &mut run.targets[i];
            match step {
                upload::Step::BackedUp(backup) => {
                    // A target changed by an earlier attempt keeps the backup taken before that
                    // first change: what it held before the rotation.
                    if entry.backup.is_none() {
                        entry.backup = Some(absolute(backup).display().to_string());
                    }
                    if entry.step.as_deref() != Some("sending") {
                        entry.step = Some("backed-up".into());
                    }
                }
                upload::Step::Sending => {
                    entry.step = Some("sending".into());
                    entry.changed = true;
                }
            }
            save(&journal_path, &run)
        };
        let (record, _) = upload::run_journaled(
            plan,
            secrets,
            cancel.clone(),
            clock(),
            &mut on_event,
            &mut journal,
        );
        crate::fault::point("after-readback");
        let mut status = Status::of(&record);
        let sent = held(plan.payload.pem.as_deref());
        let entry = &mut run.targets[i];
        if prior_change && status == Status::Unchanged {
            // An earlier attempt of this run changed it, and it holds the bundle: this run's change,
            // verified now.
            status = Status::Verified;
        }
        let before = match (&record.backup, prior_change) {
            (_, true) => entry.before.clone(),
            (Some(backup), false) => records::read_backup(Path::new(backup))
                .map(|b| held(b.certificate.as_deref()))
                .unwrap_or_default(),
            (None, false) if status == Status::Unchanged => sent.clone(),
            (None, false) => Vec::new(),
        };
        entry.status = status;
        entry.after = match status {
            Status::Verified | Status::Unchanged => sent,
            Status::Differs | Status::ChangedUnverified => Vec::new(),
            _ => before.clone(),
        };
        entry.before = before;
        if entry.backup.is_none() {
            entry.backup = record
                .backup
                .as_deref()
                .map(|b| absolute(Path::new(b)).display().to_string());
        }
        entry.changed = prior_change || record.changed;
        entry.step = Some("done".into());
        entry.audit_time = Some(record.time.clone());
        entry.correlation_ids = record.correlation_ids.clone();
        entry.error = record.error.clone();
        entry.seconds = started.elapsed().as_secs_f64();
        progress(Progress::Finished(i, status));
        if !status.is_good() && !options.continue_on_error {
            stop = true;
        }
        save(&path, &run)?;
    }
    run.finished = Some(engine::report::rfc3339(clock()));
    save(&path, &run)?;
    Ok((run, path))
}

/// `path` made absolute (from the working folder), so that run files and backups name files that
/// can be found from anywhere.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Why a rollback is refused before anything is sent.
fn refuse(message: String) -> UploadError {
    UploadError::Usage(engine::text::escaped(&message))
}

/// The later runs (apply or rollback, not rolled back themselves) that changed one of `previous`'s
/// changed targets: rolling `previous` back would undo their work too.
pub fn later_runs(
    data_dir: &Path,
    previous: &RunFile,
    previous_path: &Path,
) -> Vec<(PathBuf, String)> {
    let mine: Vec<String> = previous
        .targets
        .iter()
        .filter(|t| t.was_changed())
        .map(|t| t.target.identity())
        .collect();
    let Ok(entries) = std::fs::read_dir(runs_dir(data_dir)) else {
        return Vec::new();
    };
    let mut later = Vec::new();
    for entry in entries.flatten() {
        let p = entry.path();
        if p.extension().is_none_or(|x| x != "json") || same_file(&p, previous_path) {
            continue;
        }
        let Ok(other) = load_run(&p) else { continue };
        if other.started <= previous.started
            || other.rolled_back_by.is_some()
            || other
                .rollback_of
                .as_deref()
                .is_some_and(|undone| same_file(Path::new(undone), previous_path))
        {
            continue;
        }
        if let Some(t) = other
            .targets
            .iter()
            .find(|t| t.was_changed() && mine.contains(&t.target.identity()))
        {
            later.push((p, t.name.clone()));
        }
    }
    later.sort();
    later
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// What `--rollback` may do with a run, before anything is sent: refused when it was rolled back
/// already, when it is a rollback itself, or (unless `force`) when a later run changed one of its
/// targets.
pub fn check_rollback(
    previous: &RunFile,
    previous_path: &Path,
    data_dir: &Path,
    force: bool,
) -> Result<(), UploadError> {
    if previous.action != "apply" {
        return Err(refuse(format!(
            "{}: a rollback's run file; roll back the run it undid, or run the plan again",
            previous_path.display()
        )));
    }
    if let Some(by) = &previous.rolled_back_by {
        return Err(refuse(format!(
            "{} was rolled back already (by {by}); rolling it back again could undo a later change. Nothing was sent",
            previous_path.display()
        )));
    }
    let later = later_runs(data_dir, previous, previous_path);
    if !later.is_empty() && !force {
        return Err(refuse(format!(
            "a later run changed the same target(s): {}; rolling back {} would undo that too. Roll back the later run first, or give --force. Nothing was sent",
            later
                .iter()
                .map(|(p, name)| format!("{} (\"{name}\")", p.display()))
                .collect::<Vec<_>>()
                .join(", "),
            previous_path.display()
        )));
    }
    Ok(())
}

/// Puts every changed target of `previous` back from its backup, in reverse order, each with its own
/// backup, read-back and audit entry. `secrets[i]` belongs to `previous.targets[i]` and is sent only
/// if it is the secret the run used with that target (its binding). [`check_rollback`] decides first
/// whether the run may be rolled back (`force`: past a later run of the same targets).
#[allow(clippy::too_many_arguments)]
pub fn rollback(
    previous: &RunFile,
    previous_path: &Path,
    secrets: &[Secrets],
    data_dir: &Path,
    force: bool,
    clock: &dyn Fn() -> i64,
    cancel: Arc<AtomicBool>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(RunFile, PathBuf), UploadError> {
    let data_dir = &absolute(data_dir);
    let previous_path = &absolute(previous_path);
    check_rollback(previous, previous_path, data_dir, force)?;
    let _locks = lock_run(
        data_dir,
        &previous.plan,
        previous
            .targets
            .iter()
            .map(|t| (t.name.as_str(), &t.target)),
        "rollback",
    )?;
    // Read again under the lock: another rollback may have finished in between.
    let previous = &load_run(previous_path).unwrap_or_else(|_| previous.clone());
    if let Some(by) = &previous.rolled_back_by {
        return Err(refuse(format!(
            "{} was rolled back already (by {by}). Nothing was sent",
            previous_path.display()
        )));
    }
    let now = clock();
    let path = new_run_path(data_dir, now, &previous.plan_name, "rollback");
    let mut run = RunFile {
        chainsmith_rotation: 2,
        plan: previous.plan.clone(),
        plan_sha256: previous.plan_sha256.clone(),
        plan_name: previous.plan_name.clone(),
        started: engine::report::rfc3339(now),
        finished: None,
        action: "rollback".into(),
        bundle: previous.bundle.clone(),
        targets: previous
            .targets
            .iter()
            .map(|t| TargetRun {
                status: Status::Pending,
                changed: false,
                before: t.after.clone(),
                after: t.after.clone(),
                backup: None,
                audit_time: None,
                correlation_ids: Vec::new(),
                error: None,
                seconds: 0.0,
                step: None,
                ..t.clone()
            })
            .collect(),
        verify: Vec::new(),
        rollback_of: Some(previous_path.display().to_string()),
        rolled_back_by: None,
        resumed: 0,
    };
    save(&path, &run)?;
    for i in (0..previous.targets.len()).rev() {
        let before = &previous.targets[i];
        if !before.was_changed() {
            // Nothing was sent there: nothing to put back.
            run.targets[i].status = Status::Unchanged;
            continue;
        }
        progress(Progress::Started(i));
        let started = std::time::Instant::now();
        let default = Secrets::default();
        let secrets = secrets.get(i).unwrap_or(&default);
        let refusal = match rollback_refusal(before, secrets) {
            Some(why) => Some(why),
            None => match rollback_target_plan(before, data_dir) {
                Ok(plan) => {
                    let mut on_event = |event: Event| progress(Progress::Step(i, event));
                    let (record, _) =
                        upload::run(&plan, secrets, cancel.clone(), clock(), &mut on_event);
                    let status = match Status::of(&record) {
                        Status::Verified => Status::RolledBack,
                        other => other,
                    };
                    let entry = &mut run.targets[i];
                    entry.status = status;
                    entry.changed = record.changed;
                    entry.before = before.after.clone();
                    entry.after = match status {
                        Status::RolledBack => held(plan.payload.pem.as_deref()),
                        Status::Differs | Status::ChangedUnverified => Vec::new(),
                        _ => before.after.clone(),
                    };
                    entry.backup = record.backup.clone();
                    entry.audit_time = Some(record.time.clone());
                    entry.correlation_ids = record.correlation_ids.clone();
                    entry.error = match (status, &record.error) {
                        (_, Some(e)) => Some(e.clone()),
                        (Status::RolledBack, None) if plan.payload.pem.is_none() => {
                            // What it held just before this rollback: its own backup.
                            let held_then = record
                                .backup
                                .as_deref()
                                .and_then(|b| records::read_backup(Path::new(b)).ok())
                                .and_then(|b| b.certificate);
                            Some(match held_then {
                                Some(_) => "removed what this run had put there, as the target held nothing before".into(),
                                None => "it holds nothing, as before this run (the interrupted change had not landed)".into(),
                            })
                        }
                        _ => None,
                    };
                    None
                }
                Err(e) => Some(e.to_string()),
            },
        };
        if let Some(why) = refusal {
            run.targets[i].status = Status::Refused;
            run.targets[i].error = Some(why);
        }
        run.targets[i].seconds = started.elapsed().as_secs_f64();
        progress(Progress::Finished(i, run.targets[i].status));
        save(&path, &run)?;
    }
    run.finished = Some(engine::report::rfc3339(clock()));
    save(&path, &run)?;
    // The run it undid is marked once every changed target is back, so that it is never resumed or
    // rolled back again; a rollback that did not finish can be run again.
    if run.exit_code() == 0 {
        let mut undone = previous.clone();
        undone.rolled_back_by = Some(path.display().to_string());
        save(previous_path, &undone)?;
    }
    Ok((run, path))
}

/// Why a changed target cannot be put back (nothing is sent to it then): no backup in the journal,
/// or a secret that is not the one the run used with this target.
fn rollback_refusal(target: &TargetRun, secrets: &Secrets) -> Option<String> {
    if target.backup.is_none() {
        return Some(
            "the run file records a change but no backup for it; Chainsmith cannot know what to put back. Restore it by hand"
                .into(),
        );
    }
    let secret = secrets.client_secret.as_ref().or(secrets.token.as_ref());
    match (secret, &target.secret_binding) {
        (Some(secret), Some(binding)) if !secret.matches(&target.target.identity(), binding) => {
            Some(format!(
                "the secret found for it is not the one this run used with {}; the run file may have been edited to point elsewhere, or the secret was changed since. Nothing was sent",
                engine::text::escaped(&target.target.identity())
            ))
        }
        (Some(_), None) if upload::needs_secret(&target.target) => Some(
            "the run file has no record of the secret used with this target (it was not made by this version, or was edited); nothing was sent. Put it back from its backup with chainsmith upload --rollback"
                .into(),
        ),
        _ => None,
    }
}

/// The upload that puts `target`'s backup back: the backup must be of this very target (a backup
/// file edited to name another place is refused).
fn rollback_target_plan(target: &TargetRun, data_dir: &Path) -> Result<Plan, UploadError> {
    let backup = target.backup.as_deref().unwrap_or_default();
    let pins = target
        .pins
        .iter()
        .filter_map(|p| crate::tls::parse_pin(p).ok())
        .collect();
    let policy = upload::RetryPolicy::default();
    let mut plan = records::rollback_plan(
        Path::new(backup),
        data_dir.to_path_buf(),
        None,
        pins,
        policy,
    )?;
    if plan.target.identity() != target.target.identity() {
        return Err(refuse(format!(
            "the backup {backup} is of another target ({}) than the run file names; nothing was sent",
            plan.target.identity()
        )));
    }
    plan.target = target.target.clone();
    plan.api_roots_file = target.ca_file.clone();
    Ok(plan)
}

/// The latest run of the plan file `plan` (canonical path) that did not finish its work (a target not
/// verified or unchanged, or the process died) and was not rolled back: the run a new attempt takes
/// up, or refuses to start beside when the plan was edited since.
fn unfinished_run(data_dir: &Path, plan: &str) -> Option<(PathBuf, RunFile)> {
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

/// The first target that needs a secret and has none, in words that say where to give it.
pub fn missing_secret(rotation: &Rotation, secrets: &[Secrets]) -> Option<String> {
    rotation.targets.iter().zip(secrets).find_map(|(t, s)| {
        let missing =
            upload::needs_secret(&t.target) && s.client_secret.is_none() && s.token.is_none();
        missing.then(|| {
            // The variable's name is not quoted: a secret pasted there by mistake is not echoed.
            format!(
                "target \"{}\" (line {}): no secret: {}, or remember one in the OS keychain (upload --remember)",
                engine::text::escaped(&t.name),
                t.line,
                match &t.secret_env {
                    Some(_) => "the environment variable its secret_env names is not set",
                    None => "give secret_env = \"VARIABLE\" in the plan",
                }
            )
        })
    })
}

/// Once every target holds the bundle: probes each `[[verify]]` endpoint into `run` (and saves it).
/// `probing` hears each endpoint before it is probed.
pub fn verify_all(
    rotation: &Rotation,
    prepared: &Prepared,
    run: &mut RunFile,
    run_path: &Path,
    probing: &mut dyn FnMut(&str),
) -> Result<(), UploadError> {
    if rotation.verify.is_empty() || !run.targets.iter().all(|t| t.status.is_good()) {
        return Ok(());
    }
    for spec in &rotation.verify {
        probing(&spec.endpoint);
        let mut options = prepared.options.clone();
        if let Some(host) = &spec.host {
            options.host = Some(host.clone());
        }
        run.verify.push(verify(
            spec,
            &prepared.report,
            &options,
            prepared.roots.as_ref(),
        ));
    }
    save(run_path, run)
}

/// Probes `spec.endpoint` and judges what it serves against the bundle (`served.*` findings). A stale
/// leaf is reported; it is the admin's call whether that fails the change.
pub fn verify(
    spec: &VerifySpec,
    bundle: &Report,
    options: &CheckOptions,
    roots: Option<&Loaded>,
) -> VerifyResult {
    let checked = crate::probe_check::run(crate::probe_check::ProbeCheck {
        target: &spec.endpoint,
        sni: spec.sni.as_deref(),
        options,
        roots,
        bundle: Some(bundle),
        timeout: spec.timeout,
        client_auth: None,
    });
    let (probed, report) = match checked {
        Ok(c) => (c.probe, c.report),
        Err(e) => {
            return VerifyResult {
                endpoint: spec.endpoint.clone(),
                served: Vec::new(),
                findings: Vec::new(),
                error: Some(e.to_string()),
            };
        }
    };
    VerifyResult {
        endpoint: spec.endpoint.clone(),
        served: probed
            .served
            .iter()
            .map(|d| engine::cert::Fingerprint::of(d).hex())
            .collect(),
        findings: report.to_json()["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
        error: None,
    }
}
