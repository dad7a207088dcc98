//! The small windows, each with its own state: confirm a save past errors, paste PEM text; and the
//! Probe window's glue.

use super::*;

/// "Save a bundle with problems?": asked before a bundle with error findings is written.
#[derive(Debug, Default)]
pub(super) struct ConfirmSave {
    pub open: bool,
}

impl ConfirmSave {
    /// The question, listing the errors of `report`; `true` when the admin chose "Save anyway".
    pub fn ui(&mut self, ctx: &egui::Context, report: Option<&Report>) -> bool {
        if !self.open {
            return false;
        }
        let Some(report) = report else {
            self.open = false;
            return false;
        };
        // Esc cancels, as every dialog here.
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.open = false;
            return false;
        }
        let mut confirmed = false;
        egui::Modal::new(egui::Id::unique("confirm-save")).show(ctx, |ui| crate::gui::focus::trapped(ui, |ui| {
            ui.set_max_width(560.0);
            if report.passed() {
                ui.heading("Save without checking the names?");
                let names = report
                    .chain
                    .first()
                    .map(|leaf| hostname::names_valid_for(&leaf.cert, false).join(", "))
                    .unwrap_or_default();
                ui.label(format!(
                    "No host name was typed, so nothing checked that the leaf is valid for the trunk's name. The leaf is valid for: {}.",
                    drawable(&names)
                ));
                ui.label("Type the host name to check it, or save anyway.");
            } else {
                ui.heading("Save a bundle with problems?");
                ui.label("The far end will probably refuse this chain:");
            }
            for f in report
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
            {
                ui.horizontal_wrapped(|ui| {
                    ui.colored_label(ui.visuals().error_fg_color, "✖");
                    ui.label(RichText::new(f.code.as_str()).monospace());
                    ui.label(&f.message);
                });
            }
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("Save anyway").clicked() {
                    confirmed = true;
                }
                if ui.button("Cancel").clicked() {
                    self.open = false;
                }
            });
        }));
        confirmed
    }
}

/// Where no file dialog can be shown (no desktop portal, no zenity): the path typed instead.
#[derive(Debug, Default)]
pub(super) struct PathDialog {
    request: Option<PickRequest>,
    text: String,
    why: String,
}

impl PathDialog {
    /// Opens the field for `request`, filled with the folder the dialog would have started in (and
    /// the suggested name of a file to save).
    pub fn ask(&mut self, request: PickRequest, start: Option<PathBuf>, why: String) {
        let name = match &request {
            PickRequest::SaveBundle(n)
            | PickRequest::SaveReport(n)
            | PickRequest::SavePlan(n)
            | PickRequest::SaveRotationReport(n)
            | PickRequest::SaveTeamsRoots(n) => Some(n.clone()),
            _ => None,
        };
        let mut path = start.unwrap_or_default();
        if let Some(name) = name {
            path.push(name);
        }
        self.text = path.display().to_string();
        if !self.text.is_empty() && path.is_dir() && !self.text.ends_with(std::path::MAIN_SEPARATOR)
        {
            self.text.push(std::path::MAIN_SEPARATOR);
        }
        self.why = why;
        self.request = Some(request);
    }

    /// The path, as if a dialog had picked it, once the admin confirms.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<Picked> {
        let request = self.request.clone()?;
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.request = None;
            return None;
        }
        let saving = matches!(
            request,
            PickRequest::SaveBundle(_)
                | PickRequest::SaveReport(_)
                | PickRequest::SavePlan(_)
                | PickRequest::SaveRotationReport(_)
                | PickRequest::SaveTeamsRoots(_)
        );
        let mut picked = None;
        egui::Modal::new(egui::Id::unique("path-dialog")).show(ctx, |ui| {
            crate::gui::focus::trapped(ui, |ui| {
                ui.set_max_width(600.0);
                ui.heading(if saving {
                    "Save to which file?"
                } else {
                    "Open which file or folder?"
                });
                ui.weak(&self.why);
                let label = ui.label("Path");
                let field = ui
                    .add(egui::TextEdit::singleline(&mut self.text).desired_width(560.0))
                    .labelled_by(label.id);
                let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.horizontal(|ui| {
                    if ui.button("Cancel").clicked() {
                        self.request = None;
                    }
                    let go = ui.button(if saving { "Save" } else { "Open" }).clicked();
                    if (go || entered) && !self.text.trim().is_empty() {
                        picked = Some(Picked {
                            request: request.clone(),
                            paths: vec![PathBuf::from(crate::files::unquoted(&self.text))],
                            unavailable: None,
                        });
                        self.request = None;
                    }
                });
            });
        });
        picked
    }
}

/// "Paste PEM": a text box for certificates copied from an e-mail or `openssl s_client -showcerts`.
#[derive(Debug, Default)]
pub(super) struct PasteDialog {
    pub open: bool,
    text: String,
}

impl PasteDialog {
    /// The window; returns the text to load when "Load pasted text" was clicked (and closes).
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<String> {
        if !self.open {
            return None;
        }
        let mut open = !ctx.input(|i| i.key_pressed(egui::Key::Escape));
        let mut load = false;
        egui::Window::new("Paste PEM").open(&mut open).default_width(560.0).show(ctx, |ui| crate::gui::focus::trapped(ui, |ui| {
            ui.label("Paste certificates (PEM text, e.g. from an e-mail or `openssl s_client -showcerts`):");
            let label = ui.label("PEM text");
            ui.add(
                egui::TextEdit::multiline(&mut self.text)
                    .code_editor()
                    .desired_rows(12)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
            if ui.button("Load pasted text").clicked() {
                load = true;
            }
        }));
        self.open = open && !load;
        load.then(|| std::mem::take(&mut self.text))
    }
}

impl App {
    pub(super) fn ui_probe(&mut self, ctx: &egui::Context) {
        let host_field = self.prefs.host.clone();
        // A served certificate is not in the loaded pile: a click on its finding selects nothing.
        let action = self.probe.ui(ctx, &host_field, &mut |ui, finding, fix| {
            let _ = finding_row(ui, finding, fix, None);
        });
        match action {
            Some(crate::gui::probe::ProbeAction::Probe) => self.commands.push(Command::Probe),
            Some(crate::gui::probe::ProbeAction::Copy(text)) => {
                self.commands.push(Command::Copy(text))
            }
            None => {}
        }
    }

    /// The Rotation window, with what a new plan starts from: the loaded files, the host name and
    /// the Upload window's targets.
    pub(super) fn ui_rotation(&mut self, ctx: &egui::Context) {
        let mut inputs: Vec<String> = self
            .loaded
            .certificates
            .iter()
            .map(|c| c.source.clone())
            .filter(|s| Path::new(s).is_file())
            .collect();
        inputs.dedup();
        let seed = crate::gui::rotation::Seed {
            inputs,
            host: self.prefs.host.clone(),
            upload: &self.upload.prefs,
        };
        use crate::gui::rotation::RotationAction;
        match self.rotation.ui(ctx, &seed) {
            Some(RotationAction::OpenPlan) => {
                self.commands.push(Command::Pick(PickRequest::OpenPlan))
            }
            Some(RotationAction::SavePlan(name)) => self
                .commands
                .push(Command::Pick(PickRequest::SavePlan(name))),
            Some(RotationAction::SaveReport(name)) => self
                .commands
                .push(Command::Pick(PickRequest::SaveRotationReport(name))),
            Some(RotationAction::Copy(text)) => self.commands.push(Command::Copy(text)),
            None => {}
        }
    }
}
