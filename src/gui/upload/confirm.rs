//! The confirmations that name the destination: an upload, a rollback (read from its backup first).

use super::*;

impl UploadPanel {
    /// Reads the backup on a worker, then asks: the confirmation names where it goes and what it
    /// sends (or deletes).
    pub(super) fn ask_rollback(&mut self, ctx: &egui::Context, path: PathBuf, rehearsal: bool) {
        // The sandbox the rehearsal went to: only the one running in this window can take it back,
        // trusted by its own certificate; a live run goes back to the live API, with the CA file.
        let sandbox_url = self.sandbox.as_ref().map(|s| s.base_url());
        let api_roots = if rehearsal {
            self.sandbox
                .as_ref()
                .map(|s| s.certificate_pem.clone().into_bytes())
        } else {
            None
        };
        let ca_file = Some(PathBuf::from(crate::files::unquoted(&self.prefs.ca_file)))
            .filter(|p| !rehearsal && !p.as_os_str().is_empty());
        let data_dir = self.data_dir.clone();
        // The backup is read (and the rollback made from it) here, on the worker.
        self.rollback_task = Some(Task::spawn("Reading the backup", ctx, move || {
            let (lines, possible) = match records::read_backup(&path) {
                Err(e) => (vec![format!("The backup cannot be read: {e}")], false),
                Ok(backup) => rollback_lines(&backup, rehearsal, sandbox_url.as_deref()),
            };
            let plan = possible
                .then(|| {
                    records::rollback_plan(
                        &path,
                        data_dir,
                        api_roots,
                        Vec::new(),
                        upload::RetryPolicy::default(),
                    )
                    .ok()
                })
                .flatten()
                .map(|mut plan| {
                    plan.rehearsal = rehearsal;
                    plan.api_roots_file = ca_file;
                    Box::new(plan)
                });
            Confirm::Rollback { path, lines, plan }
        }));
    }

    /// The confirmation before anything is sent: it names where it goes.
    pub(super) fn ui_confirm(&mut self, ctx: &egui::Context, report: Option<&Report>, now: i64) {
        if let Some(task) = &self.rollback_task
            && let Some(confirm) = task.try_result()
        {
            self.rollback_task = None;
            self.confirm = Some(confirm);
        }
        let Some(confirm) = self.confirm.clone() else {
            return;
        };
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.confirm = None;
            return;
        }
        match confirm {
            Confirm::Upload { forced } => self.ui_confirm_upload(ctx, forced, report, now),
            Confirm::Rollback { path, lines, plan } => {
                self.ui_confirm_rollback(ctx, &path, &lines, plan.as_deref(), now)
            }
        }
    }

    /// The upload's confirmation: where it goes, and, when forced, the errors overridden.
    fn ui_confirm_upload(
        &mut self,
        ctx: &egui::Context,
        forced: bool,
        report: Option<&Report>,
        now: i64,
    ) {
        let Some(report) = report else {
            self.confirm = None;
            return;
        };
        let errors = upload::blocking_findings(report);
        let lines = self.destination(report);
        egui::Modal::new(egui::Id::unique("confirm-upload")).show(ctx, |ui| {
            crate::gui::focus::trapped(ui, |ui| {
                ui.heading(if forced {
                    "Upload a chain with errors?"
                } else {
                    "Upload this bundle?"
                });
                for line in &lines {
                    ui.label(line);
                }
                ui.label("What is there now is backed up first, and read back after.");
                if forced {
                    ui.label("The far end may refuse it, and the trunk may stop working:");
                    for e in &errors {
                        ui.colored_label(ui.visuals().error_fg_color, format!("✖ {e}"));
                    }
                    ui.label("The audit log records that these errors were overridden.");
                }
                // Cancel first; the confirming button at the far end.
                ui.horizontal(|ui| {
                    if ui.button("Don't upload").clicked() {
                        self.confirm = None;
                    }
                    let go = if forced {
                        "Upload with these errors"
                    } else {
                        "Upload now"
                    };
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        if ui.button(go).clicked() {
                            self.confirm = None;
                            let ctx = ui.ctx().clone();
                            self.start_upload(&ctx, report, now);
                        }
                    });
                });
            })
        });
    }

    /// A rollback's confirmation: where it goes and what it restores, or why it cannot be.
    fn ui_confirm_rollback(
        &mut self,
        ctx: &egui::Context,
        path: &Path,
        lines: &[String],
        plan: Option<&Plan>,
        now: i64,
    ) {
        let possible = plan.is_some();
        egui::Modal::new(egui::Id::unique("confirm-rollback")).show(ctx, |ui| {
            crate::gui::focus::trapped(ui, |ui| {
                ui.heading(if possible {
                    "Put this backup back?"
                } else {
                    "This backup cannot be put back"
                });
                // Their values are escaped where the lines are made.
                for line in lines {
                    ui.label(line);
                }
                ui.weak(format!("Backup: {}", crate::engine::text::path(path)));
                if possible {
                    ui.label(
                        "What the target holds now is backed up first; the backup's certificates \
                     are uploaded and read back, with an audit entry of their own.",
                    );
                }
                ui.horizontal(|ui| {
                    if ui
                        .button(if possible { "Don't roll back" } else { "Close" })
                        .clicked()
                    {
                        self.confirm = None;
                    }
                    if possible {
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                            if ui.button("Roll back now").clicked() {
                                self.confirm = None;
                                let ctx = ui.ctx().clone();
                                if let Some(plan) = plan {
                                    self.start_rollback(&ctx, plan.clone(), now);
                                }
                            }
                        });
                    }
                });
            })
        });
    }
}

/// The confirmation's lines for putting `backup` back, and whether it can be: where it goes (the
/// running sandbox for a rehearsal, the live API otherwise), what it deletes or sends, by name and
/// expiry. A rehearsal whose sandbox is not the one running now cannot be put back.
pub(super) fn rollback_lines(
    backup: &records::Backup,
    rehearsal: bool,
    sandbox_url: Option<&str>,
) -> (Vec<String>, bool) {
    let destination = crate::gui::rotation::destination(&backup.target);
    let base = match &backup.target {
        Target::Genesys(g) => g.api_base.clone(),
        Target::Rest(r) => r.url.clone(),
        Target::AudioCodes(a) => a.url.clone(),
        Target::Files(f) => f.endpoint(),
    };
    let mut lines = Vec::new();
    if rehearsal {
        let running = sandbox_url.is_some_and(|url| base.starts_with(url));
        if !running {
            lines.push(format!(
                "This was a rehearsal against a sandbox ({destination}) that is no longer running. A sandbox forgets everything when it stops, so there is nothing to put back, and nothing was ever sent to a live system."
            ));
            return (lines, false);
        }
        lines.push(format!(
            "Where: the local sandbox — a rehearsal; nothing goes to a live system ({destination})"
        ));
    } else {
        lines.push(format!("Where: LIVE — {destination}"));
    }
    let held = crate::rotate::held(backup.certificate.as_deref());
    let what = match &backup.target {
        Target::Genesys(g) => format!(
            "the certificate authority \"{}\"",
            crate::engine::text::escape(&g.ca_name)
        ),
        Target::Rest(_) => "the certificate there".to_string(),
        Target::AudioCodes(a) => format!("TLS context {}", a.context),
        Target::Files(_) => "the files there".to_string(),
    };
    if held.is_empty() {
        lines.push(format!(
            "It held nothing then: {what} is deleted (what is there now is backed up first)."
        ));
    }
    for h in held {
        lines.push(format!(
            "Restores: {} (valid until {}; SHA-256 {})",
            h.subject,
            h.not_after.get(..10).unwrap_or(&h.not_after),
            short_fingerprint(&h.sha256)
        ));
    }
    (lines, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup(api_base: &str, certificate: Option<String>) -> records::Backup {
        let target: Target = serde_json::from_value(serde_json::json!({
            "kind": "genesys",
            "region": null,
            "api_base": api_base,
            "login_base": api_base,
            "client_id": "ops",
            "ca_name": "Carrier CA",
        }))
        .expect("a Genesys target");
        records::Backup {
            chainsmith_backup: 1,
            time: "2026-12-02T19:00:00Z".into(),
            target,
            region: None,
            ids: Default::default(),
            certificate,
            fingerprints: Vec::new(),
            current: serde_json::Value::Null,
            secret_binding: None,
            verify: None,
        }
    }

    #[test]
    fn a_rehearsal_goes_back_only_to_the_sandbox_that_is_running() {
        let b = backup("https://127.0.0.1:40001", None);
        let (lines, possible) = rollback_lines(&b, true, Some("https://127.0.0.1:40001"));
        assert!(possible);
        assert!(
            lines[0].starts_with("Where: the local sandbox"),
            "{lines:?}"
        );
        assert!(
            lines[1].contains("the certificate authority \"Carrier CA\" is deleted"),
            "{lines:?}"
        );
        // That sandbox is gone (another one runs, or none): nothing to put back, and said so.
        for running in [Some("https://127.0.0.1:40002"), None] {
            let (lines, possible) = rollback_lines(&b, true, running);
            assert!(!possible);
            assert!(lines[0].contains("no longer running"), "{lines:?}");
        }
        // A live run goes back to the live API, whatever sandbox runs.
        let live = backup("https://api.mypurecloud.de", None);
        let (lines, possible) = rollback_lines(&live, false, Some("https://127.0.0.1:40001"));
        assert!(possible);
        assert!(
            lines[0].starts_with(
                "Where: LIVE — Genesys Cloud organisation at https://api.mypurecloud.de"
            ),
            "{lines:?}"
        );
    }
}
