//! Starting the Upload window's work on workers (trunks, an upload, a rollback) and taking in what they report.

use super::*;

impl UploadPanel {
    pub(super) fn start_trunks(&mut self, ctx: &egui::Context) {
        let target = match self.target_with(false) {
            Ok(Target::Genesys(g)) => g,
            Ok(_) => return,
            Err(e) => {
                self.message = Some(e);
                return;
            }
        };
        let (typed, (pem, file)) = (self.typed_secret(), self.api_roots());
        let proxy = match crate::proxy::ProxyChoice::parse(&self.prefs.proxy) {
            Ok(p) => p,
            Err(e) => {
                self.message = Some(e.replace("--proxy", "Proxy:"));
                return;
            }
        };
        self.trunks_task = Some(Task::spawn("Listing trunks", ctx, move || {
            let trust = crate::tls::Trust {
                ca_file: upload::api_roots(pem, file.as_deref()).map_err(|e| e.to_string())?,
                pins: Vec::new(),
            };
            let secret = Secrets::find(&Target::Genesys(target.clone()), typed, false)
                .client_secret
                .ok_or("Enter the client secret")?;
            let mut session = upload::connect_genesys(
                &target,
                &secret,
                &trust,
                upload::RetryPolicy::default(),
                Arc::new(AtomicBool::new(false)),
                &proxy,
            )
            .map_err(|e| e.to_string())?;
            genesys::list_trunks(&mut session).map_err(|e| e.to_string())
        }));
    }

    pub(super) fn start_upload(&mut self, ctx: &egui::Context, report: &Report, now: i64) {
        let target = match self.target() {
            Ok(t) => t,
            Err(e) => {
                self.message = Some(e);
                return;
            }
        };
        let include_root = false;
        let payload = match upload::payload_for(&target, report, include_root, None) {
            Ok(p) => p,
            Err(e) => {
                self.message = Some(e.to_string());
                return;
            }
        };
        let (key_file, verify) = match (self.key_file(&target), self.verify_endpoint()) {
            (Ok(k), Ok(v)) => (k, v),
            (Err(e), _) | (_, Err(e)) => {
                self.message = Some(e);
                return;
            }
        };
        let proxy = match crate::proxy::ProxyChoice::parse(&self.prefs.proxy) {
            Ok(p) => p,
            Err(e) => {
                self.message = Some(e.replace("--proxy", "Proxy:"));
                return;
            }
        };
        let (api_roots, api_roots_file) = self.api_roots();
        let plan = Plan {
            target,
            payload,
            rollback_of: None,
            data_dir: self.data_dir.clone(),
            api_roots,
            api_roots_file,
            api_pins: Vec::new(),
            policy: upload::RetryPolicy::default(),
            rehearsal: self.prefs.choice == TargetChoice::Sandbox,
            forced: upload::forced_codes(report),
            unchanged_if_held: false,
            secret_binding: None,
            verify,
            key_file,
            proxy,
        };
        self.start_run(ctx, plan, now);
    }

    /// Puts a backup back through the target it was read from, with its own backup, read-back and
    /// audit entry (as `chainsmith rollback`).
    /// Runs a rollback prepared by [`Self::ask_rollback`] (its destination and trust come from the
    /// run being undone, never from the tab selected now).
    pub(super) fn start_rollback(&mut self, ctx: &egui::Context, plan: Plan, now: i64) {
        self.start_run(ctx, plan, now);
    }

    /// Runs a plan on a worker, reporting each step.
    pub(super) fn start_run(&mut self, ctx: &egui::Context, plan: Plan, now: i64) {
        let typed = self.secret_for_plan(&plan);
        let remember = self.remember && !plan.rehearsal;
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, events) = channel();
        let (worker_cancel, repaint) = (cancel.clone(), ctx.clone());
        self.message = None;
        self.finished = None;
        self.finished_for = Some(self.prefs.choice);
        self.notes.clear();
        self.steps = Phase::ALL
            .iter()
            .filter(|p| {
                **p != Phase::Preflight
                    || (matches!(plan.target, Target::Genesys(_)) && self.trunk.is_some())
            })
            .map(|p| (*p, StepState::Pending))
            .collect();
        let task = Task::spawn("Uploading", ctx, move || {
            let secrets = Secrets::find(&plan.target, typed, false);
            let mut on_event = |event: Event| {
                let _ = tx.send(event);
                repaint.request_repaint();
            };
            let (record, result) = upload::run(&plan, &secrets, worker_cancel, now, &mut on_event);
            if result.is_ok()
                && remember
                && let Err(e) = secrets.remember(&plan.target)
            {
                let _ = tx.send(Event::Note(format!("not remembered: {e}")));
            }
            let refusal = match &result {
                Err(upload::UploadError::Http(upload::HttpError::Certificate {
                    refusal, ..
                })) => Some((**refusal).clone()),
                _ => None,
            };
            Finished {
                refusal,
                audit: records::read_audit(&plan.data_dir),
                exit_code: result
                    .as_ref()
                    .err()
                    .map(|e| e.exit_code(record.changed))
                    .unwrap_or(0),
                error: result.err().map(|e| e.to_string()),
                record,
            }
        });
        self.running = Some(Running {
            task,
            events,
            cancel,
        });
    }

    pub(super) fn poll(&mut self) {
        if let Some(task) = &self.sandbox_task
            && let Some(started) = task.try_result()
        {
            self.sandbox_task = None;
            match started {
                Ok(handle) => self.sandbox = Some(handle),
                Err(e) => self.sandbox_error = Some(e),
            }
        }
        if let Some(task) = &self.audit_task
            && let Some(entries) = task.try_result()
        {
            self.audit_task = None;
            self.audit = entries;
        }
        if let Some(task) = &self.trunks_task
            && let Some(result) = task.try_result()
        {
            self.trunks_task = None;
            match result {
                Ok(trunks) => {
                    self.message = Some(format!("{} EXTERNAL trunk(s)", trunks.len()));
                    self.trunks = trunks;
                }
                Err(e) => self.message = Some(format!("Cannot list trunks: {e}")),
            }
        }
        let Some(running) = &self.running else { return };
        let events: Vec<Event> = running.events.try_iter().collect();
        let done = running.task.try_result();
        for event in events {
            match event {
                Event::Started(phase) => self.set_step(phase, StepState::Running),
                Event::Done(phase, text) => self.set_step(phase, StepState::Done(text)),
                Event::Note(text) => self.notes.push(text),
            }
        }
        if let Some(mut finished) = done {
            // Events sent just before the result.
            let late: Vec<Event> = self
                .running
                .as_ref()
                .map(|r| r.events.try_iter().collect())
                .unwrap_or_default();
            for event in late {
                match event {
                    Event::Done(phase, text) => self.set_step(phase, StepState::Done(text)),
                    Event::Note(text) => self.notes.push(text),
                    Event::Started(phase) => self.set_step(phase, StepState::Running),
                }
            }
            if finished.error.is_some() {
                for (_, state) in &mut self.steps {
                    if *state == StepState::Running {
                        *state = StepState::Failed;
                    }
                }
            }
            self.running = None;
            self.audit = std::mem::take(&mut finished.audit);
            self.finished = Some(finished);
        }
    }

    pub(super) fn set_step(&mut self, phase: Phase, state: StepState) {
        match self.steps.iter_mut().find(|(p, _)| *p == phase) {
            Some(step) => step.1 = state,
            None => self.steps.push((phase, state)),
        }
    }
}
