//! The Rotation window: the plan, its targets' table, the buttons.

use super::*;

impl RotationPanel {
    /// The window. Returns what the app must do (a dialog, the clipboard).
    pub fn ui(&mut self, ctx: &egui::Context, seed: &Seed) -> Option<RotationAction> {
        self.ctx = ctx.clone();
        self.poll();
        if self.worker.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(200));
        }
        if !self.open {
            return None;
        }
        let mut action = None;
        let mut open = true;
        // Below the inputs (Host name, Profile, Trust), not over them.
        egui::Window::new("Rotation")
            .id(egui::Id::unique("rotation-window"))
            .default_pos(ctx.content_rect().left_top() + egui::vec2(16.0, 96.0))
            .open(&mut open)
            .default_width(900.0)
            .default_height(560.0)
            .show(ctx, |ui| {
                crate::gui::focus::trapped(ui, |ui| {
                    action = self.ui_body(ui, seed);
                })
            });
        let asking = self.confirm.is_some() || self.confirm_task.is_some();
        self.ui_confirm(ctx);
        if self.confirm_task.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
        if !asking && self.worker.is_none() && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            open = false;
        }
        if !open {
            // Typed secrets do not outlive the window.
            for secret in &mut self.secrets {
                zeroize::Zeroize::zeroize(secret);
            }
        }
        self.open = open;
        action
    }

    pub(super) fn ui_body(&mut self, ui: &mut egui::Ui, seed: &Seed) -> Option<RotationAction> {
        let mut action = None;
        let running = self.worker.is_some();
        if let Some(a) = self.ui_plan_buttons(ui, seed) {
            action = Some(a);
        }
        self.ui_plan_line(ui);
        if self.editing && !running {
            ui.separator();
            if self.ui_form(ui) {
                self.check_draft();
            }
        }
        ui.separator();
        let ready = self.rotation.is_some()
            && !running
            && self.confirm.is_none()
            && self.confirm_task.is_none();
        if let Some(a) = self.ui_run_buttons(ui, ready) {
            action = Some(a);
        }
        if let Some(verdict) = &self.verdict {
            // The chain as checked; what each target receives of it is under the target's name.
            ui.label(format!("Chain checked: {verdict}"))
                .on_hover_text("Each target receives its part: a Genesys certificate authority the CA certificates, a REST endpoint the bundle (see under each target)");
        }
        if let Some(m) = &self.message {
            ui.label(RichText::new(m).strong());
        }
        ui.separator();
        self.ui_table(ui);
        action
    }

    /// Open, start from the loaded chain, save, and edit the plan.
    fn ui_plan_buttons(&mut self, ui: &mut egui::Ui, seed: &Seed) -> Option<RotationAction> {
        let mut action = None;
        let running = self.worker.is_some();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!running, egui::Button::new("Open plan…"))
                .clicked()
            {
                action = Some(RotationAction::OpenPlan);
            }
            if ui
                .add_enabled(
                    !running,
                    egui::Button::new("New plan from the loaded chain"),
                )
                .on_hover_text(
                    "The loaded files as the bundle, the Upload window's targets as targets",
                )
                .clicked()
            {
                self.new_plan(seed);
            }
            if ui
                .add_enabled(!running, egui::Button::new("Save plan…"))
                .clicked()
            {
                let name = self
                    .plan_path
                    .as_ref()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "rotation.toml".into());
                action = Some(RotationAction::SavePlan(name));
            }
            ui.toggle_value(&mut self.editing, "Edit plan");
        });
        action
    }

    /// Which plan this is, and one line that says whether it checks out.
    fn ui_plan_line(&mut self, ui: &mut egui::Ui) {
        match &self.plan_path {
            Some(p) => ui.label(format!("Plan: {}", crate::engine::text::path(p))),
            None if !self.draft.bundle.inputs.is_empty()
                || !self.draft.targets.is_empty()
                || self.rotation.is_some() =>
            {
                ui.label("Plan: not saved yet (Save plan… keeps it)")
            }
            None => ui.weak("No plan yet: open one, or start one from the loaded chain."),
        };
        // One line, always there: an error appearing or going never moves the form under the pointer.
        let line = match &self.plan_error {
            Some(e) if e == READING || e.starts_with(NO_TARGET) => {
                RichText::new(format!("… {e}")).weak()
            }
            Some(e) => RichText::new(format!("✖ {e}")).color(ui.visuals().error_fg_color),
            None if self.rotation.is_some() => RichText::new("✔ The plan checks out").weak(),
            None => RichText::new(" "),
        };
        let full = self.plan_error.clone().unwrap_or_default();
        ui.add(egui::Label::new(line).truncate())
            .on_hover_text(full);
    }

    /// Status, dry run, apply (canary first) or continue, stop, roll back, and the report.
    fn ui_run_buttons(&mut self, ui: &mut egui::Ui, ready: bool) -> Option<RotationAction> {
        let mut action = None;
        let running = self.worker.is_some();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(ready, egui::Button::new("Status"))
                .on_hover_text("Read what every target holds; send nothing")
                .clicked()
            {
                self.start_status(ui.ctx(), false);
            }
            if ui
                .add_enabled(ready, egui::Button::new("Dry run"))
                .on_hover_text("Status, plus every request a run would send; send no change")
                .clicked()
            {
                self.start_status(ui.ctx(), true);
            }
            let pending = self.pending();
            if pending > 0 {
                if ui
                    .add_enabled(
                        ready,
                        egui::Button::new(format!("Continue with the remaining {pending}")),
                    )
                    .clicked()
                {
                    self.ask(ui.ctx(), Asked::Continue);
                }
            } else if ui
                .add_enabled(ready, egui::Button::new("Apply (canary first)"))
                .on_hover_text("Upload to the first target only, then wait for you to continue")
                .clicked()
            {
                self.ask(ui.ctx(), Asked::Canary);
            }
            if ui.add_enabled(running, egui::Button::new("Stop")).clicked() {
                self.stop();
            }
            let changed = self.last_run.as_ref().is_some_and(|(run, _)| {
                run.action == "apply" && run.targets.iter().any(|t| t.was_changed())
            });
            if ui
                .add_enabled(changed && ready, egui::Button::new("Roll back all"))
                .on_hover_text(
                    "Put every target the last run changed back from its backup, last first",
                )
                .clicked()
            {
                self.ask(ui.ctx(), Asked::RollBack);
            }
            let has_run = self.last_run.is_some();
            if ui
                .add_enabled(has_run, egui::Button::new("Save report…"))
                .on_hover_text("The change-ticket report: Markdown, or HTML for a .html name")
                .clicked()
            {
                action = Some(RotationAction::SaveReport("rotation-report.md".into()));
            }
            if ui
                .add_enabled(has_run, egui::Button::new("Copy report"))
                .clicked()
            {
                action = self
                    .report_text(rotate::report::Format::Markdown)
                    .map(RotationAction::Copy);
            }
            if running {
                ui.spinner();
            }
        });
        action
    }

    pub(super) fn ui_table(&mut self, ui: &mut egui::Ui) {
        let rotation = self.rotation.clone();
        egui::ScrollArea::both().show(ui, |ui| {
            // One line per value: a table whose cells wrap letter by letter cannot be read.
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
            egui::Grid::new("rotation-targets")
                .striped(true)
                .num_columns(6)
                .spacing([16.0, 6.0])
                .show(ui, |ui| {
                    for head in ["#", "Target", "Holds now", "Result", "Progress", "Secret"] {
                        ui.label(RichText::new(head).strong());
                    }
                    ui.end_row();
                    for (i, row) in self.rows.iter().enumerate() {
                        ui.label(if i == 0 {
                            "1 (canary)".to_string()
                        } else {
                            (i + 1).to_string()
                        });
                        ui.vertical(|ui| {
                            ui.label(format!("{} ({})", escaped(&row.name), row.kind));
                            if !row.receives.is_empty() {
                                ui.weak(format!("receives {}", row.receives));
                            }
                        });
                        ui.vertical(|ui| ui_holds(ui, row));
                        ui.vertical(|ui| ui_result(ui, row));
                        ui.vertical(|ui| {
                            ui.label(&row.step);
                            if !row.would_send.is_empty() {
                                egui::CollapsingHeader::new(format!(
                                    "{} request(s)",
                                    row.would_send.len()
                                ))
                                .id_salt(("would-send", i))
                                .show(ui, |ui| {
                                    for r in &row.would_send {
                                        ui.monospace(r);
                                    }
                                });
                            }
                        });
                        let needs = rotation
                            .as_ref()
                            .and_then(|r| r.targets.get(i))
                            .is_some_and(|t| upload::needs_secret(&t.target));
                        if needs && let Some(secret) = self.secrets.get_mut(i) {
                            ui.horizontal(|ui| {
                                let label = ui.label(
                                    RichText::new(format!("Secret for {}", escaped(&row.name)))
                                        .small()
                                        .weak(),
                                );
                                ui.add(
                                    egui::TextEdit::singleline(secret)
                                        .password(true)
                                        .desired_width(140.0)
                                        .hint_text("env / keychain"),
                                )
                                .labelled_by(label.id)
                                .on_hover_text(
                                    "Empty: its secret_env variable, else the OS keychain. Never saved.",
                                );
                            });
                        } else {
                            ui.label("");
                        }
                        ui.end_row();
                    }
                });
        });
    }
}

/// A target's "Holds now" cell: its certificates (name and expiry; subject and fingerprint on
/// hover), and whether that is the bundle.
fn ui_holds(ui: &mut egui::Ui, row: &Row) {
    if row.holds.is_empty() {
        ui.weak(if row.holds_bundle.is_some() {
            "nothing"
        } else {
            "not read yet"
        });
    }
    for h in &row.holds {
        ui.label(format!(
            "{}, until {}",
            h.shown_name(),
            h.not_after.get(..10).unwrap_or(&h.not_after)
        ))
        .on_hover_text(format!("{}\nSHA-256 {}", h.subject, h.sha256));
    }
    match row.holds_bundle {
        Some(true) => {
            ui.label("✔ holds the bundle");
        }
        Some(false) => {
            ui.label("would change");
        }
        None => {}
    }
}

/// A target's "Result" cell: its status, and its error.
fn ui_result(ui: &mut egui::Ui, row: &Row) {
    match row.status {
        Some(s) if s.is_good() || s == Status::RolledBack => {
            ui.label(format!("✔ {}", s.words()));
        }
        // Not reached (after a failure, or the admin's Stop): not an error of its own.
        Some(s @ (Status::Pending | Status::Skipped)) => {
            ui.weak(s.as_str());
        }
        Some(s @ Status::Cancelled) if row.error.is_none() => {
            ui.weak(s.as_str());
        }
        Some(s) => {
            ui.colored_label(ui.visuals().error_fg_color, format!("✖ {}", s.as_str()));
        }
        None => {}
    }
    if let Some(e) = &row.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
}
