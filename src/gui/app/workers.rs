//! What workers hand back each frame: loads (and the queue behind them), hand-overs from other processes, probes and tasks.

use super::*;

impl App {
    pub(super) fn poll_tasks(&mut self) {
        self.probe.poll();
        self.poll_write();
        if let Some(said) = self.revocation.poll() {
            self.dirty = true;
            self.toast(said);
        }
        if let Some(task) = &self.fetch_task
            && let Some((pile, notes)) = task.try_result()
        {
            self.fetch_task = None;
            let added = notes.iter().filter(|n| n.added.is_some()).count();
            let problems: Vec<String> = notes.iter().filter_map(|n| n.problem.clone()).collect();
            self.loaded = pile;
            self.dirty = true;
            if problems.is_empty() {
                self.toast(format!("Fetched {added} missing issuer(s)"));
            } else {
                self.toast(format!("Fetched {added}; {}", problems.join("; ")));
            }
        }
    }

    /// Collects finished work from workers and dialogs.
    pub(super) fn poll_workers(&mut self, ctx: &egui::Context) {
        while let Ok(picked) = self.picks.1.try_recv() {
            self.on_picked(ctx, picked);
        }
        if let Some(job) = &self.job
            && let Some(loaded) = job.try_result()
        {
            let target = job.target;
            let cancelled = job.is_cancelled();
            self.job = None;
            match target {
                Target::Inputs => {
                    let n = loaded.certificates.len();
                    let crls = match loaded.crls.len() {
                        0 => String::new(),
                        k => format!(" and {k} CRL(s), to check revocation with"),
                    };
                    self.loaded.extend(loaded);
                    if self.timing.is_some() {
                        crate::errln!(
                            "chainsmith: loaded {n} certificate(s); {} in the window",
                            self.loaded.certificates.len()
                        );
                    }
                    let note = if cancelled { " (cancelled)" } else { "" };
                    self.toast(format!("Loaded {n} certificate(s){crls}{note}"));
                }
                Target::Roots => self.roots = Some(loaded),
                Target::SbcTrust => {
                    let n = loaded.certificates.len();
                    self.toast(format!("The SBC's trust store: {n} certificate(s)"));
                    self.sbc_trust = Some(loaded);
                }
            }
            self.dirty = true;
        }
        if self.job.is_none() && !self.queued.is_empty() {
            let queued = std::mem::take(&mut self.queued);
            self.job = Some(LoadJob::spawn(Target::Inputs, queued, ctx));
        }
        let handed = self
            .handover
            .as_ref()
            .map(crate::gui::handover::Server::take)
            .unwrap_or_default();
        if !handed.is_empty() {
            if self.timing.is_some() {
                crate::errln!(
                    "chainsmith: {} file(s) handed over by another Chainsmith",
                    handed.len()
                );
            }
            self.load_paths(ctx, handed);
            ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
        }
    }
}
