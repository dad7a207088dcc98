//! Rotations: one checked bundle to every place that needs it (Genesys Cloud organisations, SBC and
//! carrier REST APIs), in plan order, the first target being the canary; each target exactly as
//! `chainsmith upload` does it (authenticate, pre-flight, read, back up, upload, read back, audit),
//! except that a target already holding exactly the bundle gets no write (`unchanged`), so running a
//! plan again after an interruption resumes it. A run file records every target's outcome as it goes,
//! and `--rollback RUN_FILE` puts every changed target back from its backup, in reverse order.
//!
//! The plan file is [`plan`]; the command line around this is `src/cli/rotate.rs`.
//!
//! This file owns applying a plan (locks, pre-flight, the targets in order); beside it, one concern a
//! file: [`run_file`] (the record of a run), [`prepare`] (a plan made ready), [`holding`] (what targets
//! hold now), [`undo`] (rollback), [`verify`] (probing the endpoints after), [`lock`], [`report`].

mod holding;
pub mod lock;
pub mod plan;
mod prepare;
pub mod report;
mod run_file;
mod undo;
mod verify;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::engine::{self, CheckOptions, Loaded, Report};
use crate::upload::{self, Event, Holdings, Payload, Plan, Secrets, Target, UploadError, records};

pub use holding::{Held, TargetStatus, held, status_of};
pub use plan::{BundleSpec, PlanError, Rotation, RotationTarget, VerifySpec};
pub use prepare::{PrepareError, Prepared, missing_secret, prepare, secrets_for, upload_plan};
pub use run_file::{RunFile, Status, TargetRun, VerifyResult, load_run, runs_dir, save};
use run_file::{new_run_path, unfinished_run};
pub use undo::{check_rollback, later_runs, rollback};
pub use verify::{verify, verify_all};

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
    let mut run = new_run(rotation, secrets, bundle, plan_id, now);
    // An interrupted run of this plan (a target failed, was skipped, left for after the canary, or
    // the process died) is taken up again in its own run file, so that one rollback undoes the
    // whole rotation; what it may have changed keeps its first backup.
    let path = match unfinished_run(data_dir, &run.plan) {
        Some((old_path, old)) => {
            take_up(&mut run, &old, &old_path, rotation)?;
            old_path
        }
        None => new_run_path(data_dir, now, &rotation.name, "apply"),
    };
    save(&path, &run)?;
    let mut stop = false;
    for (i, (plan, secrets)) in plans.iter().zip(secrets).enumerate() {
        // Not reached: after the admin's Stop "cancelled", after a failure "skipped"; with the
        // canary alone, the rest left pending. A target an earlier attempt changed keeps its
        // status (a rollback must still undo it).
        let cancelled = cancel.load(std::sync::atomic::Ordering::Relaxed);
        if stop || cancelled || (options.canary_only && i > 0) {
            if (stop || cancelled) && !run.targets[i].was_changed() {
                run.targets[i].status = if cancelled {
                    Status::Cancelled
                } else {
                    Status::Skipped
                };
            }
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
            journal_step(&mut run.targets[i], step);
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
        let sent = held(plan.payload.pem.as_deref());
        let status = record_outcome(&mut run.targets[i], &record, prior_change, sent);
        run.targets[i].seconds = started.elapsed().as_secs_f64();
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

/// A step of `entry`'s change into its run-file entry (which the caller saves before the upload
/// goes on): its backup, then "sending".
fn journal_step(entry: &mut TargetRun, step: &upload::Step) {
    match step {
        upload::Step::BackedUp(backup) => {
            // A target changed by an earlier attempt keeps the backup taken before that first
            // change: what it held before the rotation.
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
}

/// A new run file for `rotation`: every target pending, each secret bound to its target.
fn new_run(
    rotation: &Rotation,
    secrets: &[Secrets],
    bundle: Vec<String>,
    plan: String,
    now: i64,
) -> RunFile {
    RunFile {
        chainsmith_rotation: 2,
        plan,
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
    }
}

/// Takes up the unfinished run `old` (at `old_path`) of the same plan: refused when the plan was
/// edited since; what it changed keeps its status, before and after, backup and step.
fn take_up(
    run: &mut RunFile,
    old: &RunFile,
    old_path: &Path,
    rotation: &Rotation,
) -> Result<(), UploadError> {
    if old.plan_sha256 != rotation.sha256 {
        return Err(edited_plan_refusal(old_path, old, rotation));
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
    Ok(())
}

/// One target's outcome (its upload's `record`) into its run-file entry: the status, what it held
/// before and holds after, its backup (the first one kept), the audit entry's time, its error.
/// `sent` is the bundle's certificates; `prior_change`, whether an earlier attempt of this run
/// changed the target.
fn record_outcome(
    entry: &mut TargetRun,
    record: &upload::Record,
    prior_change: bool,
    sent: Vec<Held>,
) -> Status {
    let mut status = Status::of(record);
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
    status
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
