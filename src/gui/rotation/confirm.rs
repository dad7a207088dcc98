//! The confirmation that names every target a run changes, what it receives and what it holds now.

use super::*;

impl RotationPanel {
    /// Prepares the confirmation of `asked` on a worker: nothing is sent before the admin has seen
    /// every destination and what goes there.
    pub fn ask(&mut self, ctx: &egui::Context, asked: Asked) {
        let data_dir = self.data_dir.clone();
        let rotation = self.rotation.clone();
        let last_run = self.last_run.clone();
        let pending: Vec<bool> = match &self.last_run {
            Some((run, _)) if run.action == "apply" => run
                .targets
                .iter()
                .map(|t| t.status == Status::Pending)
                .collect(),
            _ => Vec::new(),
        };
        self.confirm_task = Some(Task::spawn("Preparing the confirmation", ctx, move || {
            let backed_up = "What it holds now is backed up first, then read back after the write.";
            let targets = match asked {
                Asked::Canary | Asked::Continue => {
                    let rotation = rotation.ok_or("no plan")?;
                    let now = time::OffsetDateTime::now_utc().unix_timestamp();
                    let prepared =
                        rotate::prepare(&rotation, now, &data_dir).map_err(|e| e.to_string())?;
                    rotation
                        .targets
                        .iter()
                        .zip(&prepared.plans)
                        .enumerate()
                        .filter(|(i, _)| match asked {
                            Asked::Canary => *i == 0,
                            _ => pending.get(*i).copied().unwrap_or(true),
                        })
                        .map(|(_, (t, plan))| ConfirmTarget {
                            name: t.name.clone(),
                            destination: destination(&t.target),
                            sends: certificate_lines(&rotate::held(plan.payload.pem.as_deref())),
                            backup: backed_up.into(),
                        })
                        .collect()
                }
                Asked::RollBack => {
                    let (run, _) = last_run.ok_or("no run to roll back")?;
                    run.targets
                        .iter()
                        .rev()
                        .filter(|t| t.was_changed())
                        .map(|t| {
                            let backup = t.backup.as_deref().map(|b| {
                                upload::records::read_backup(Path::new(b))
                                    .map(|b| rotate::held(b.certificate.as_deref()))
                            });
                            let (sends, what) = match backup {
                                Some(Ok(held)) if held.is_empty() => (
                                    Vec::new(),
                                    "It held nothing before: what this run put there is deleted."
                                        .to_string(),
                                ),
                                Some(Ok(held)) => (
                                    certificate_lines(&held),
                                    format!("{backed_up} Puts back what it held before this run."),
                                ),
                                Some(Err(e)) => {
                                    (Vec::new(), format!("Its backup cannot be read: {e}"))
                                }
                                None => (
                                    Vec::new(),
                                    "No backup is recorded for it: it will be refused.".into(),
                                ),
                            };
                            ConfirmTarget {
                                name: t.name.clone(),
                                destination: destination(&t.target),
                                sends,
                                backup: what,
                            }
                        })
                        .collect()
                }
            };
            Ok(Confirmation { asked, targets })
        }));
    }

    /// The confirmation, once prepared: Cancel where the eye starts, the confirming button at the far
    /// end of the dialog (never where the button that opened it was); Esc cancels.
    pub(super) fn ui_confirm(&mut self, ctx: &egui::Context) {
        if let Some(task) = &self.confirm_task
            && let Some(result) = task.try_result()
        {
            self.confirm_task = None;
            match result {
                Ok(c) => self.confirm = Some(c),
                Err(e) => self.message = Some(format!("Nothing sent: {e}")),
            }
        }
        let Some(confirm) = self.confirm.clone() else {
            return;
        };
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.confirm = None;
            return;
        }
        let n = confirm.targets.len();
        let (heading, go) = match confirm.asked {
            Asked::Canary => (
                "Apply to the canary?".to_string(),
                format!(
                    "Write to {}",
                    confirm
                        .targets
                        .first()
                        .map(|t| t.name.as_str())
                        .unwrap_or("it")
                ),
            ),
            Asked::Continue => (
                format!("Continue with the remaining {n}?"),
                format!("Write to {n} target(s)"),
            ),
            Asked::RollBack => (
                "Roll back every target this run changed?".to_string(),
                format!("Roll back {n} target(s)"),
            ),
        };
        egui::Modal::new(egui::Id::unique("confirm-rotation")).show(ctx, |ui| {
            crate::gui::focus::trapped(ui, |ui| {
                ui.set_min_width(560.0);
                ui.heading(heading);
                for t in &confirm.targets {
                    ui.separator();
                    ui.label(RichText::new(escaped(&t.name)).strong());
                    ui.label(format!("Destination: {}", t.destination));
                    // The certificates' names as the engine shows them (escaped there).
                    for line in &t.sends {
                        ui.label(format!("Sends: {line}"));
                    }
                    ui.label(&t.backup);
                }
                ui.separator();
                ui.horizontal(|ui| {
                    if ui.button("Cancel").clicked() {
                        self.confirm = None;
                    }
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        if ui.button(RichText::new(go.as_str()).strong()).clicked() {
                            self.confirm = None;
                            let ctx = ui.ctx().clone();
                            match confirm.asked {
                                Asked::Canary => self.start_apply(&ctx, true),
                                Asked::Continue => self.start_apply(&ctx, false),
                                Asked::RollBack => self.start_rollback(&ctx),
                            }
                        }
                    });
                });
            })
        });
    }
}

/// What a target receives, by name: a Genesys certificate authority the CA certificates, a REST
/// endpoint the bundle.
pub(super) fn receives(target: &upload::Target, payload: &upload::Payload) -> String {
    let names = payload.display_names();
    let what = match (target, names.len()) {
        (_, 0) => return "nothing".into(),
        (upload::Target::Genesys(_), 1) => "1 CA certificate".to_string(),
        (upload::Target::Genesys(_), n) => format!("{n} CA certificates"),
        (upload::Target::Rest(_), n) => format!("the bundle of {n}"),
        (t @ (upload::Target::AudioCodes(_) | upload::Target::Files(_)), n) if t.trust_only() => {
            format!("{n} CA certificate(s) for its trusted roots")
        }
        (upload::Target::AudioCodes(_) | upload::Target::Files(_), n) => {
            format!("the bundle of {n} and the private key")
        }
    };
    format!("{what}: {}", names.join(", "))
}
