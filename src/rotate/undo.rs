//! Rollback of a run: refused when a later run changed the same targets, then every changed target put back from its backup, last first.

use super::*;

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
                .is_some_and(|undone| undoes_nothing_of(undone, previous, previous_path))
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

/// Whether a rollback of the run at `undone` leaves nothing that rolling `previous` back would
/// undo: it is `previous`'s own rollback, or it undid a run started after `previous` (so it put its
/// targets back to what they held after `previous`, which is what `previous`'s rollback replaces).
/// A run file that cannot be read counts as a later change (refuse rather than guess).
fn undoes_nothing_of(undone: &str, previous: &RunFile, previous_path: &Path) -> bool {
    same_file(Path::new(undone), previous_path)
        || load_run(Path::new(undone)).is_ok_and(|u| u.started > previous.started)
}

pub(super) fn same_file(a: &Path, b: &Path) -> bool {
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
            crate::engine::text::path(previous_path)
        )));
    }
    if let Some(by) = &previous.rolled_back_by {
        return Err(refuse(format!(
            "{} was rolled back already (by {by}); rolling it back again could undo a later change. Nothing was sent",
            crate::engine::text::path(previous_path)
        )));
    }
    let later = later_runs(data_dir, previous, previous_path);
    if !later.is_empty() && !force {
        return Err(refuse(format!(
            "a later run changed the same target(s): {}; rolling back {} would undo that too. Roll back the later run first, or give --force. Nothing was sent",
            later
                .iter()
                .map(|(p, name)| format!("{} (\"{name}\")", crate::engine::text::path(p)))
                .collect::<Vec<_>>()
                .join(", "),
            crate::engine::text::path(previous_path)
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
            crate::engine::text::path(previous_path)
        )));
    }
    let now = clock();
    let path = new_run_path(data_dir, now, &previous.plan_name, "rollback");
    let mut run = rollback_run(previous, previous_path, now);
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
                    put_back(&mut run.targets[i], before, &plan, &record);
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

/// The run file of a rollback of `previous`: its targets pending, each holding what the run left.
fn rollback_run(previous: &RunFile, previous_path: &Path, now: i64) -> RunFile {
    RunFile {
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
            // Each target as the run left it (`after`, kept from `t`), nothing sent yet.
            .map(|t| TargetRun {
                status: Status::Pending,
                changed: false,
                before: t.after.clone(),
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
    }
}

/// One target's rollback (`record`, the upload of `plan`: its backup) into its entry of the
/// rollback's run file: rolled back when verified, what it holds after, its error or what its
/// emptiness means.
fn put_back(
    entry: &mut TargetRun,
    before: &TargetRun,
    plan: &upload::Plan,
    record: &upload::Record,
) {
    let status = match Status::of(record) {
        Status::Verified => Status::RolledBack,
        other => other,
    };
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
                Some(_) => {
                    "removed what this run had put there, as the target held nothing before".into()
                }
                None => {
                    "it holds nothing, as before this run (the interrupted change had not landed)"
                        .into()
                }
            })
        }
        _ => None,
    };
}

/// Why a changed target cannot be put back (nothing is sent to it then): no backup in the journal,
/// or a secret that is not the one the run used with this target.
pub(super) fn rollback_refusal(target: &TargetRun, secrets: &Secrets) -> Option<String> {
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
pub(super) fn rollback_target_plan(
    target: &TargetRun,
    data_dir: &Path,
) -> Result<Plan, UploadError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rotate::run_file::tests::target;
    use crate::upload::{RestAuth, Secret};

    /// A rollback sends a secret only where the run recorded using it: a run file without the
    /// record is refused for a target that needs a secret, never for one that needs none.
    #[test]
    fn a_secret_goes_back_only_where_the_run_recorded_using_it() {
        let secret = Secrets {
            client_secret: Some(Secret::new("s3cret")),
            token: None,
        };
        let mut open = target(Status::Verified, true);
        open.backup = Some("/data/backups/x.json".into());
        assert_eq!(rollback_refusal(&open, &secret), None, "needs no secret");
        assert_eq!(rollback_refusal(&open, &Secrets::default()), None);

        let mut oauth = open.clone();
        if let Target::Rest(rest) = &mut oauth.target {
            rest.auth = RestAuth::Oauth {
                token_url: "https://sbc.example.com/oauth/token".into(),
                client_id: "chainsmith".into(),
            };
        }
        let refused = rollback_refusal(&oauth, &secret).unwrap_or_default();
        assert!(refused.contains("no record of the secret"), "{refused}");
        oauth.secret_binding = Some(Secret::new("s3cret").bind(&oauth.target.identity()));
        assert_eq!(rollback_refusal(&oauth, &secret), None, "its own secret");
        let other = Secrets {
            client_secret: Some(Secret::new("another")),
            token: None,
        };
        let refused = rollback_refusal(&oauth, &other).unwrap_or_default();
        assert!(refused.contains("not the one this run used"), "{refused}");

        open.backup = None;
        let refused = rollback_refusal(&open, &secret).unwrap_or_default();
        assert!(refused.contains("no backup"), "{refused}");
    }
}
