//! Running a plan from the window on a worker: secrets found first, status, apply (canary), rollback, Stop, and what the worker reports.

use super::*;

impl RotationPanel {
    /// Where each target's secret comes from: the one typed, else its variable or the keychain. Read
    /// with [`SecretSource::resolve`] on the worker: a keychain lookup (D-Bus, Credential Manager)
    /// never runs on the UI thread.
    pub(super) fn secret_sources<'a>(
        &self,
        targets: impl Iterator<Item = (&'a upload::Target, Option<&'a String>)>,
    ) -> Vec<SecretSource> {
        targets
            .enumerate()
            .map(|(i, (target, secret_env))| SecretSource {
                target: target.clone(),
                typed: self
                    .secrets
                    .get(i)
                    .filter(|s| !s.is_empty())
                    .map(|s| Secret::new(s.clone())),
                secret_env: secret_env.cloned(),
            })
            .collect()
    }

    pub(super) fn secrets_for(&self, rotation: &Rotation) -> Vec<SecretSource> {
        self.secret_sources(
            rotation
                .targets
                .iter()
                .map(|t| (&t.target, t.secret_env.as_ref())),
        )
    }

    /// Status (`dry_run`: and the requests a run would send): reads every target, sends no change.
    pub fn start_status(&mut self, ctx: &egui::Context, dry_run: bool) {
        let Some(rotation) = self.rotation.clone() else {
            return;
        };
        let secrets = self.secrets_for(&rotation);
        let data_dir = self.data_dir.clone();
        for row in &mut self.rows {
            row.step = "reading…".into();
            row.error = None;
        }
        let (tx, rx) = channel::<Message>();
        drop(tx);
        let label = if dry_run { "Dry run" } else { "Status" };
        let task = Task::spawn(label, ctx, move || {
            let secrets = SecretSource::resolve(secrets);
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let prepared = rotate::prepare(&rotation, now, &data_dir).map_err(|e| e.to_string())?;
            let statuses = rotation
                .targets
                .iter()
                .zip(&prepared.plans)
                .zip(&secrets)
                .map(|((t, plan), secrets)| rotate::status_of(&t.name, plan, secrets, dry_run))
                .collect();
            let receives = rotation
                .targets
                .iter()
                .zip(&prepared.plans)
                .map(|(t, plan)| receives(&t.target, &plan.payload))
                .collect();
            Ok(Outcome::Statuses {
                statuses,
                receives,
                bundle: bundle_of(&prepared.report),
                verdict: prepared.report.verdict_line(),
            })
        });
        self.worker = Some(Worker {
            label,
            task,
            messages: rx,
        });
    }

    /// Apply: the canary alone (`canary_only`), or every target not yet done.
    pub fn start_apply(&mut self, ctx: &egui::Context, canary_only: bool) {
        let Some(rotation) = self.rotation.clone() else {
            return;
        };
        let secrets = self.secrets_for(&rotation);
        let data_dir = self.data_dir.clone();
        self.cancel = Arc::new(AtomicBool::new(false));
        let cancel = self.cancel.clone();
        for row in &mut self.rows {
            row.step.clear();
            row.error = None;
        }
        let (tx, rx) = channel::<Message>();
        let repaint = ctx.clone();
        let task = Task::spawn("Apply", ctx, move || {
            let secrets = SecretSource::resolve(secrets);
            let clock = || time::OffsetDateTime::now_utc().unix_timestamp();
            let prepared =
                rotate::prepare(&rotation, clock(), &data_dir).map_err(|e| e.to_string())?;
            let blocking = upload::blocking_findings(&prepared.report);
            if !blocking.is_empty() {
                return Err(format!(
                    "Nothing sent: the bundle has {} error finding(s): {}",
                    blocking.len(),
                    blocking.join("; ")
                ));
            }
            if let Some(e) = rotate::missing_secret(&rotation, &secrets) {
                return Err(format!(
                    "Nothing sent: {e}, or type it in the target's Secret field"
                ));
            }
            let mut progress = |p: Progress| {
                let _ = tx.send(Message::Progress(p));
                repaint.request_repaint();
            };
            let options = rotate::RunOptions {
                continue_on_error: false,
                canary_only,
            };
            let bundle: Vec<String> = prepared
                .report
                .chain
                .iter()
                .map(|c| c.cert.sha256.hex())
                .collect();
            let (mut run, path) = rotate::apply(
                &rotation,
                &prepared.plans,
                &secrets,
                bundle,
                options,
                &data_dir,
                &clock,
                cancel,
                &mut progress,
            )
            .map_err(|e| e.to_string())?;
            rotate::verify_all(&rotation, &prepared, &mut run, &path, &mut |_| {})
                .map_err(|e| e.to_string())?;
            Ok(Outcome::Run {
                run: Box::new(run),
                path,
                bundle: bundle_of(&prepared.report),
                verdict: prepared.report.verdict_line(),
            })
        });
        self.worker = Some(Worker {
            label: "Apply",
            task,
            messages: rx,
        });
    }

    /// Roll back all: every target the last run changed, put back from its backup, last first.
    pub fn start_rollback(&mut self, ctx: &egui::Context) {
        let Some((previous, previous_path)) = self.last_run.clone() else {
            return;
        };
        let secrets = self.secret_sources(
            previous
                .targets
                .iter()
                .map(|t| (&t.target, t.secret_env.as_ref())),
        );
        let data_dir = self.data_dir.clone();
        self.cancel = Arc::new(AtomicBool::new(false));
        let cancel = self.cancel.clone();
        let (tx, rx) = channel::<Message>();
        let repaint = ctx.clone();
        let bundle = self.bundle.clone();
        let verdict = self.verdict.clone().unwrap_or_default();
        let task = Task::spawn("Roll back", ctx, move || {
            let secrets = SecretSource::resolve(secrets);
            let clock = || time::OffsetDateTime::now_utc().unix_timestamp();
            let mut progress = |p: Progress| {
                let _ = tx.send(Message::Progress(p));
                repaint.request_repaint();
            };
            let (run, path) = rotate::rollback(
                &previous,
                &previous_path,
                &secrets,
                &data_dir,
                false,
                &clock,
                cancel,
                &mut progress,
            )
            .map_err(|e| e.to_string())?;
            Ok(Outcome::Run {
                run: Box::new(run),
                path,
                bundle,
                verdict,
            })
        });
        self.worker = Some(Worker {
            label: "Roll back",
            task,
            messages: rx,
        });
    }

    /// Stops a run between requests (the current target ends as `cancelled`, the rest are not touched).
    pub fn stop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Takes what the worker sent, and its result when it is done.
    pub fn poll(&mut self) {
        if let Some(task) = &self.plan_task
            && let Some((path, text)) = task.try_result()
        {
            self.plan_task = None;
            self.opened_plan(&path, text);
        }
        if let Some(task) = &self.definitions_task
            && let Some(read) = task.try_result()
        {
            self.definitions_task = None;
            self.definitions.extend(read);
            self.check_draft();
        }
        let Some(worker) = &self.worker else { return };
        let messages: Vec<Message> = worker.messages.try_iter().collect();
        for Message::Progress(p) in messages {
            self.on_progress(p);
        }
        let Some(worker) = &self.worker else { return };
        let Some(result) = worker.task.try_result() else {
            return;
        };
        let label = worker.label;
        self.worker = None;
        match result {
            Err(e) => {
                // Errors hold their values escaped already.
                self.message = Some(format!("{label}: {e}"));
                for row in &mut self.rows {
                    row.step.clear();
                }
            }
            Ok(Outcome::Statuses {
                statuses,
                receives,
                bundle,
                verdict,
            }) => {
                self.bundle = bundle;
                self.verdict = Some(verdict);
                for (row, r) in self.rows.iter_mut().zip(receives) {
                    row.receives = r;
                }
                for (row, s) in self.rows.iter_mut().zip(statuses) {
                    row.holds = s.certificates;
                    row.holds_bundle = Some(s.holds_bundle);
                    row.error = s.error;
                    row.would_send = s.would_send;
                    row.step.clear();
                }
                self.message = Some(format!("{label}: read every target; nothing was changed."));
            }
            Ok(Outcome::Run {
                run,
                path,
                bundle,
                verdict,
            }) => {
                self.bundle = bundle;
                self.verdict = Some(verdict);
                self.show_run(&run);
                self.message = Some(self.run_words(&run));
                self.last_run = Some((*run, path));
            }
        }
    }

    /// Each row as the run left its target.
    fn show_run(&mut self, run: &RunFile) {
        for (row, t) in self.rows.iter_mut().zip(&run.targets) {
            row.status = Some(t.status);
            // What it holds now is known unless the change did not read back, or the
            // target was not reached.
            if !matches!(
                t.status,
                Status::Differs
                    | Status::ChangedUnverified
                    | Status::Pending
                    | Status::Skipped
                    | Status::Cancelled
            ) {
                row.holds = t.after.clone();
            }
            row.holds_bundle = Some(t.status.is_good() && run.action == "apply");
            // A change was sent and not read back (it differs, could not be read, or the admin
            // stopped it): what it holds now is not known until it is read again.
            if t.was_changed() && !t.status.is_good() && t.status != Status::RolledBack {
                row.holds.clear();
                row.holds_bundle = None;
            }
            row.error = t.error.clone();
            row.step.clear();
            row.would_send.clear();
        }
    }

    /// What the window says of a finished run.
    fn run_words(&self, run: &RunFile) -> String {
        match run.exit_code() {
            0 if run.action == "rollback" => {
                "Rolled back: every changed target holds what it held before.".into()
            }
            0 => "Done: every target holds the bundle.".into(),
            4 if run
                .targets
                .iter()
                .any(|t| t.status == Status::Cancelled && t.was_changed()) =>
            {
                "Stopped after a change was sent: check that target (Status reads it), or roll back."
                    .into()
            }
            4 => "A target changed but did not read back as sent: check it, or roll back."
                .into(),
            _ if run.action == "apply"
                && self.pending_in(run) > 0
                && run
                    .targets
                    .iter()
                    .all(|t| t.status.is_good() || t.status == Status::Pending) =>
            {
                format!(
                    "The canary is done. Check it, then continue with the remaining {}.",
                    self.pending_in(run)
                )
            }
            _ => "Stopped: see the failed target. Fix it and Apply again (done targets are left unchanged), or roll back."
                .into(),
        }
    }

    pub(super) fn pending_in(&self, run: &RunFile) -> usize {
        run.targets
            .iter()
            .filter(|t| t.status == Status::Pending)
            .count()
    }

    /// Targets the last apply left for later (after the canary).
    pub fn pending(&self) -> usize {
        match &self.last_run {
            Some((run, _)) if run.action == "apply" => self.pending_in(run),
            _ => 0,
        }
    }

    pub(super) fn on_progress(&mut self, p: Progress) {
        match p {
            Progress::Started(i) => {
                if let Some(row) = self.rows.get_mut(i) {
                    row.step = "starting…".into();
                    row.status = None;
                }
            }
            Progress::Step(i, event) => {
                if let Some(row) = self.rows.get_mut(i) {
                    row.step = match event {
                        Event::Started(phase) => format!("{phase}…"),
                        Event::Done(phase, _) => format!("{phase} done"),
                        Event::Note(_) => row.step.clone(),
                    };
                }
            }
            Progress::Finished(i, status) => {
                if let Some(row) = self.rows.get_mut(i) {
                    row.status = Some(status);
                    row.step.clear();
                }
            }
        }
    }

    /// The change-ticket report of the last run.
    pub fn report_text(&self, format: rotate::report::Format) -> Option<String> {
        let (run, path) = self.last_run.as_ref()?;
        let ctx = rotate::report::Context {
            verdict: self.verdict.clone().unwrap_or_default(),
            bundle: self.bundle.clone(),
            generated_at: time::OffsetDateTime::now_utc().unix_timestamp(),
            generator: format!("Chainsmith {}", env!("CARGO_PKG_VERSION")),
        };
        Some(rotate::report::render(run, path, &ctx, format))
    }
}
