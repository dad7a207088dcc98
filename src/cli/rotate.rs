//! `chainsmith rotate PLAN`: the command line around [`crate::rotate`].
//!
//! Exit codes, as `upload`: 0 every target verified or unchanged; 1 the bundle refused by validation
//! (nothing sent); 2 usage or a bad plan; 3 a target failed (the rest skipped unless
//! `--continue-on-error`); 4 a target changed but its read-back differs.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde_json::json;

use super::{RotateArgs, UsageError};
use crate::engine::{self, Report};
use crate::rotate::{self, Progress, Rotation, RunFile, Status, TargetStatus};
use crate::upload::{self, Event, Secrets, records};

/// A value from a plan, a server or the command line (a target's name, an endpoint, a path) as it
/// may reach a terminal (`engine::text::escape`). Messages, notes and errors are not passed through
/// it: they hold their values escaped already.
fn shown(text: impl std::fmt::Display) -> String {
    engine::text::escaped(&text.to_string())
}

/// Every target's secret, found before anything is sent: a missing one stops the run before the
/// canary, not half-way.
fn secrets(rotation: &Rotation) -> Result<Vec<Secrets>, String> {
    let secrets: Vec<Secrets> = rotation
        .targets
        .iter()
        .map(|t| {
            let question = format!("Secret for target \"{}\": ", shown(&t.name));
            rotate::secrets_for(&t.target, t.secret_env.as_deref(), Some(&question))
        })
        .collect();
    match rotate::missing_secret(rotation, &secrets) {
        Some(e) => Err(format!("{e}, or run in a terminal to be asked")),
        None => Ok(secrets),
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Where `--report FILE` will go, settled before anything is sent: never over a file the plan (or
/// the run) depends on, nor a record.
fn plan_report(
    args: &RotateArgs,
    protect: &[std::path::PathBuf],
) -> anyhow::Result<Option<crate::files::OutputPlan>> {
    let Some(file) = &args.report else {
        return Ok(None);
    };
    let inputs = crate::files::input_ids(protect);
    Ok(Some(crate::files::plan_output(file, &inputs)?))
}

/// `--report FILE`: the run's change-ticket report, where [`plan_report`] settled.
fn write_report(
    args: &RotateArgs,
    output: Option<crate::files::OutputPlan>,
    run: &RunFile,
    run_path: &std::path::Path,
    report: Option<&Report>,
) -> anyhow::Result<()> {
    let (Some(file), Some(output)) = (&args.report, output) else {
        return Ok(());
    };
    let ctx = rotate::report::Context {
        verdict: match report {
            Some(r) => r.verdict_line(),
            None => format!(
                "Rollback of {}",
                engine::text::escaped(run.rollback_of.as_deref().unwrap_or("a run"))
            ),
        },
        bundle: report
            .map(|r| r.chain.iter().map(|c| rotate::Held::of(&c.cert)).collect())
            .unwrap_or_default(),
        generated_at: now(),
        generator: format!("Chainsmith {}", env!("CARGO_PKG_VERSION")),
    };
    let format = rotate::report::Format::for_file_name(&file.to_string_lossy());
    let text = rotate::report::render(run, run_path, &ctx, format);
    output.write(&crate::files::report_bytes(&text, file))?;
    crate::errln!("chainsmith: wrote the report to {}", shown(file.display()));
    Ok(())
}

/// One line per step on standard error: `[i/n] target`, its steps, `[i/n] target: status`.
fn print_progress(names: &[String], starting: &str, p: Progress) {
    let total = names.len();
    match p {
        Progress::Started(i) => crate::errln!(
            "chainsmith: [{}/{total}] {}{}{starting}",
            i + 1,
            names[i],
            if i == 0 && starting.is_empty() {
                " (canary)"
            } else {
                ""
            }
        ),
        Progress::Step(_, Event::Started(phase)) => crate::errln!("chainsmith:   {phase}…"),
        Progress::Step(_, Event::Done(phase, text)) => {
            crate::errln!("chainsmith:     {phase}: {text}")
        }
        Progress::Step(_, Event::Note(text)) => crate::errln!("chainsmith:     {text}"),
        Progress::Finished(i, status) => {
            crate::errln!(
                "chainsmith: [{}/{total}] {}: {}",
                i + 1,
                names[i],
                status.as_str()
            )
        }
    }
}

pub(super) fn rotate_command(args: &RotateArgs) -> anyhow::Result<ExitCode> {
    if let Some(run_file) = &args.rollback {
        return rollback(args, run_file);
    }
    let Some(path) = &args.plan else {
        return Err(
            UsageError("give the plan file (PLAN.toml) or --rollback RUN_FILE".into()).into(),
        );
    };
    let rotation = match rotate::plan::read(path) {
        Ok(r) => r,
        Err(e) => {
            crate::errln!("chainsmith: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let data_dir = records::data_dir();
    let report_output = plan_report(args, &rotation.depends_on())?;
    let prepared = match rotate::prepare(&rotation, now(), &data_dir) {
        Ok(p) => p,
        Err(rotate::PrepareError::Usage(e)) => return Err(UsageError(e).into()),
        Err(rotate::PrepareError::Refused(e)) => {
            crate::err_print!("{e}");
            crate::errln!();
            crate::errln!("chainsmith: refusing to rotate, nothing sent");
            return Ok(ExitCode::from(1));
        }
    };
    let report = &prepared.report;
    crate::err_print!("{}", report.to_text());
    let blocking = upload::blocking_findings(report);
    if !blocking.is_empty() && !args.force {
        crate::errln!(
            "chainsmith: refusing to rotate, nothing sent: {} error finding(s) in the bundle; fix them or use --force",
            blocking.len()
        );
        return Ok(ExitCode::from(1));
    }
    let plans = &prepared.plans;
    let secrets = secrets(&rotation).map_err(UsageError)?;

    if args.status || args.dry_run {
        let statuses: Vec<TargetStatus> = rotation
            .targets
            .iter()
            .zip(plans)
            .zip(&secrets)
            .map(|((t, plan), secrets)| rotate::status_of(&t.name, plan, secrets, args.dry_run))
            .collect();
        print_status(&rotation, report, &statuses, args.json)?;
        let unreadable = statuses.iter().any(|s| s.error.is_some());
        return Ok(ExitCode::from(if unreadable { 3 } else { 0 }));
    }

    let names: Vec<String> = rotation.targets.iter().map(|t| shown(&t.name)).collect();
    let mut progress = |p: Progress| print_progress(&names, "", p);
    let options = rotate::RunOptions {
        continue_on_error: args.continue_on_error,
        canary_only: args.canary_only,
    };
    let applied = rotate::apply(
        &rotation,
        plans,
        &secrets,
        report.chain.iter().map(|c| c.cert.sha256.hex()).collect(),
        options,
        &data_dir,
        &now,
        Arc::new(AtomicBool::new(false)),
        &mut progress,
    );
    let (mut run, run_path) = match applied {
        Ok(done) => done,
        // Refused before any change (a busy lock, an edited plan, a pre-flight): said in words.
        Err(e) => {
            crate::errln!("chainsmith: {e}");
            return Ok(ExitCode::from(e.exit_code(false)));
        }
    };

    // The far ends, once every target holds the bundle.
    rotate::verify_all(&rotation, &prepared, &mut run, &run_path, &mut |endpoint| {
        crate::errln!("chainsmith: probing {}…", shown(endpoint))
    })?;
    print_run(&rotation, report, &run, &run_path, args.json)?;
    write_report(args, report_output, &run, &run_path, Some(report))?;
    Ok(ExitCode::from(run.exit_code()))
}

fn rollback(args: &RotateArgs, run_file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let previous = rotate::load_run(run_file).map_err(|e| UsageError(e.to_string()))?;
    let data_dir = records::data_dir();
    rotate::check_rollback(&previous, run_file, &data_dir, args.force)
        .map_err(|e| UsageError(e.to_string()))?;
    let mut protect = vec![run_file.to_path_buf()];
    protect.extend(previous.targets.iter().filter_map(|t| t.ca_file.clone()));
    protect.extend(
        previous
            .targets
            .iter()
            .filter_map(|t| t.backup.as_ref().map(Into::into)),
    );
    let report_output = plan_report(args, &protect)?;
    let changed = previous
        .targets
        .iter()
        .filter(|t| t.was_changed() && t.backup.is_some())
        .count();
    crate::errln!(
        "chainsmith: putting back {changed} changed target(s) of {}, last first",
        shown(run_file.display())
    );
    let secrets: Vec<Secrets> = previous
        .targets
        .iter()
        .map(|t| {
            let question = format!("Secret for target \"{}\": ", shown(&t.name));
            rotate::secrets_for(&t.target, t.secret_env.as_deref(), Some(&question))
        })
        .collect();
    let names: Vec<String> = previous.targets.iter().map(|t| shown(&t.name)).collect();
    let mut progress = |p: Progress| print_progress(&names, ": putting back", p);
    let (run, path) = rotate::rollback(
        &previous,
        run_file,
        &secrets,
        &data_dir,
        args.force,
        &now,
        Arc::new(AtomicBool::new(false)),
        &mut progress,
    )?;
    let mut out = crate::console::stdout();
    if args.json {
        writeln!(out, "{}", super::json::text(&run_json(&run, &path, None))?)?;
    } else {
        writeln!(out, "Rollback of {}:", shown(run_file.display()))?;
        for t in &run.targets {
            writeln!(out, "  {:<20} {}", t.status_words(), shown(&t.name))?;
            if let Some(e) = &t.error {
                writeln!(out, "  {:<20}   {e}", "")?;
            }
        }
        writeln!(out, "  run file: {}", shown(path.display()))?;
    }
    drop(out);
    write_report(args, report_output, &run, &path, None)?;
    Ok(ExitCode::from(run.exit_code()))
}

/// `--json`: `{plan, run_file, bundle: {verdict, chain}, targets: [{name, kind, status, backup,
/// error}], verify: [{endpoint, served, findings}]}`.
fn run_json(run: &RunFile, path: &std::path::Path, report: Option<&Report>) -> serde_json::Value {
    json!({
        "plan": run.plan,
        "action": run.action,
        "run_file": path.display().to_string(),
        "bundle": {
            "verdict": report.map(|r| r.to_json()["verdict"].clone()),
            "chain": run.bundle,
        },
        "targets": run.targets.iter().map(|t| json!({
            "name": t.name,
            "kind": t.kind,
            "status": t.status,
            "result": t.status_words(),
            "changed": t.was_changed(),
            "backup": t.backup,
            "error": t.error,
            "before": t.before,
            "after": t.after,
            "correlation_ids": t.correlation_ids,
            "seconds": t.seconds,
        })).collect::<Vec<_>>(),
        "verify": run.verify,
    })
}

fn print_run(
    rotation: &Rotation,
    report: &Report,
    run: &RunFile,
    path: &std::path::Path,
    json: bool,
) -> anyhow::Result<()> {
    let mut out = crate::console::stdout();
    if json {
        writeln!(
            out,
            "{}",
            super::json::text(&run_json(run, path, Some(report)))?
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "Rotation {}: {} target(s)",
        shown(rotation.path.display()),
        run.targets.len()
    )?;
    for t in &run.targets {
        writeln!(
            out,
            "  {:<20} {} ({})",
            t.status_words(),
            shown(&t.name),
            t.kind
        )?;
        if let Some(backup) = &t.backup {
            writeln!(out, "  {:<20}   backup: {}", "", shown(backup))?;
        }
        if let Some(e) = &t.error {
            writeln!(out, "  {:<20}   {e}", "")?;
        }
    }
    for v in &run.verify {
        match &v.error {
            Some(e) => writeln!(out, "  probe {}: {e}", shown(&v.endpoint))?,
            None => {
                writeln!(
                    out,
                    "  probe {}: {} certificate(s) served",
                    shown(&v.endpoint),
                    v.served.len()
                )?;
                for f in &v.findings {
                    writeln!(
                        out,
                        "    {} {}: {}",
                        f["severity"].as_str().unwrap_or_default(),
                        f["code"].as_str().unwrap_or_default(),
                        f["message"].as_str().unwrap_or_default()
                    )?;
                }
            }
        }
    }
    if run.targets.iter().any(|t| t.status == Status::Pending) {
        writeln!(
            out,
            "  the canary is done; run the plan again (without --canary-only) for the rest"
        )?;
    }
    writeln!(out, "  run file: {}", shown(path.display()))?;
    Ok(())
}

fn print_status(
    rotation: &Rotation,
    report: &Report,
    statuses: &[TargetStatus],
    json: bool,
) -> anyhow::Result<()> {
    let mut out = crate::console::stdout();
    if json {
        let value = json!({
            "plan": rotation.path.display().to_string(),
            "bundle": {
                "verdict": report.to_json()["verdict"].clone(),
                "chain": report.chain.iter().map(|c| c.cert.sha256.hex()).collect::<Vec<_>>(),
            },
            "targets": statuses,
        });
        writeln!(out, "{}", super::json::text(&value)?)?;
        return Ok(());
    }
    for s in statuses {
        let state = match (&s.error, s.holds_bundle) {
            (Some(_), _) => "unreadable",
            (None, true) => "holds the bundle",
            (None, false) => "would change",
        };
        writeln!(out, "{} ({}): {state}", shown(&s.name), s.kind)?;
        if let Some(e) = &s.error {
            writeln!(out, "  {e}")?;
        }
        if s.certificates.is_empty() && s.error.is_none() {
            writeln!(out, "  holds nothing yet")?;
        }
        for c in &s.certificates {
            writeln!(
                out,
                "  {}  until {}  {}",
                c.sha256.get(..16).unwrap_or(&c.sha256),
                c.not_after.get(..10).unwrap_or(&c.not_after),
                c.subject
            )?;
        }
        if s.holds_bundle && !s.would_send.is_empty() {
            writeln!(out, "  would send: nothing (it already holds the bundle)")?;
        } else if !s.would_send.is_empty() {
            writeln!(out, "  would send:")?;
            for r in &s.would_send {
                for line in r.lines() {
                    writeln!(out, "    {line}")?;
                }
            }
        }
    }
    Ok(())
}
