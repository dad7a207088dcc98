//! The status line, and what the central panel shows when there is no chain: the empty state, an invalid validation time, files dragged over the window.

use super::*;

impl App {
    pub(super) fn ui_status(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let task_label = self
                .probe
                .busy_label()
                .or_else(|| self.fetch_task.as_ref().map(|t| t.label.clone()))
                .or_else(|| self.revocation.label())
                .or_else(|| self.write_task.as_ref().map(|t| t.label.clone()));
            if let Some(label) = task_label {
                ui.spinner();
                ui.label(format!("{label}…"));
            } else if let Some(job) = &self.job {
                ui.spinner();
                ui.label(format!(
                    "Reading {}: {} file(s)…",
                    job.label,
                    job.files_read()
                ));
                if ui.button("Cancel").clicked() {
                    self.commands.push(Command::CancelLoad);
                }
            } else if let Some((text, _)) = &self.toast {
                ui.label(text);
            } else {
                let crls = match self.loaded.crls.len() {
                    0 => String::new(),
                    k => format!(", {k} CRL(s)"),
                };
                ui.weak(format!(
                    "{} certificate(s){crls} loaded",
                    self.loaded.certificates.len()
                ));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                egui::ComboBox::new("theme", "Theme")
                    .selected_text(match self.prefs.theme {
                        Theme::System => "system",
                        Theme::Light => "light",
                        Theme::Dark => "dark",
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(
                            &mut self.prefs.theme,
                            Theme::System,
                            "Follow the system",
                        );
                        ui.selectable_value(&mut self.prefs.theme, Theme::Light, "Light");
                        ui.selectable_value(&mut self.prefs.theme, Theme::Dark, "Dark");
                    });
                if self.timing.is_some() {
                    ui.weak(format!("frame {:.1} ms", self.last_frame_ms));
                }
                if let Some((label, why)) = self.drawn_with.status() {
                    ui.weak(label).on_hover_text(why);
                }
            });
        });
    }

    /// In place of the chain while the validation time does not parse: nothing is judged.
    pub(super) fn ui_time_invalid(&mut self, ui: &mut egui::Ui) {
        egui::Frame::NONE
            .fill(Color32::from_rgb(0xc9, 0x2a, 0x2a))
            .corner_radius(6.0)
            .inner_margin(10.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(
                    RichText::new(format!(
                        "✖ Not checked: the validation time \"{}\" is not a time",
                        crate::engine::text::escape(self.at_text.trim())
                    ))
                    .color(Color32::WHITE)
                    .strong()
                    .size(16.0),
                );
                ui.label(
                    RichText::new(
                        "Write a date (2026-12-05, midnight UTC) or an RFC 3339 time (2026-12-05T22:00:00Z) in the Validation time field, or empty it to check as of now.",
                    )
                    .color(Color32::WHITE),
                );
            });
    }

    pub(super) fn ui_empty(&mut self, ui: &mut egui::Ui) {
        ui.vertical_centered(|ui| {
            ui.add_space((ui.available_height() * 0.25).max(20.0));
            let (rect, _) = ui.allocate_exact_size(
                egui::vec2(ui.available_width().min(640.0), 200.0),
                egui::Sense::hover(),
            );
            ui.painter().rect_stroke(
                rect,
                12.0,
                egui::Stroke::new(2.0, ui.visuals().weak_text_color()),
                egui::StrokeKind::Inside,
            );
            ui.painter().text(
                rect.center() - egui::vec2(0.0, 18.0),
                egui::Align2::CENTER_CENTER,
                "Drop leaf, intermediate and root certificates — PEM, DER, P7B — or a folder",
                egui::FontId::proportional(18.0),
                ui.visuals().text_color(),
            );
            ui.painter().text(
                rect.center() + egui::vec2(0.0, 18.0),
                egui::Align2::CENTER_CENTER,
                "Any order, any mix. A private key is only compared with the leaf, never written out.",
                egui::FontId::proportional(14.0),
                ui.visuals().weak_text_color(),
            );
            ui.add_space(16.0);
            ui.horizontal(|ui| {
                let width = 380.0; // the four buttons, measured
                ui.add_space(((ui.available_width() - width) / 2.0).max(0.0));
                if ui.button("Open files…").clicked() {
                    self.commands.push(Command::Pick(PickRequest::Files));
                }
                if ui.button("Open folder…").clicked() {
                    self.commands.push(Command::Pick(PickRequest::Folder));
                }
                if ui
                    .button("Paste")
                    .on_hover_text("Or press Ctrl+V anywhere")
                    .clicked()
                {
                    self.commands.push(Command::OpenPaste);
                }
                if ui.button("Load sample chain").clicked() {
                    self.commands.push(Command::LoadSample);
                }
            });
        });
    }

    pub(super) fn ui_drop_hover(&self, ctx: &egui::Context) {
        let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
        if !hovering {
            return;
        }
        let painter = ctx.layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("drop"),
        ));
        let screen = ctx.content_rect();
        painter.rect_filled(screen, 0.0, Color32::from_black_alpha(160));
        painter.rect_stroke(
            screen.shrink(12.0),
            12.0,
            egui::Stroke::new(3.0, Color32::LIGHT_BLUE),
            egui::StrokeKind::Inside,
        );
        painter.text(
            screen.center(),
            egui::Align2::CENTER_CENTER,
            "⬇ Drop to add these certificates",
            egui::FontId::proportional(28.0),
            Color32::WHITE,
        );
    }
}
