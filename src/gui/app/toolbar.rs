//! The toolbar (Input, Check, Output) and the row of settings under it.

use super::*;

impl App {
    /// The toolbar row above the inputs. The inputs are created first (drawn below the toolbar's
    /// row), so that the Host name is the first Tab stop.
    pub(super) fn ui_top(&mut self, ui: &mut egui::Ui) {
        let full = ui.available_rect_before_wrap();
        let row = ui.spacing().interact_size.y + 2.0;
        let toolbar = egui::Rect::from_min_size(full.min, egui::vec2(full.width(), row));
        let gap = ui.spacing().item_spacing.y * 2.0 + 2.0;
        let below = egui::Rect::from_min_max(
            egui::pos2(full.min.x, toolbar.max.y + gap),
            egui::pos2(full.max.x, full.max.y.max(toolbar.max.y + gap + row)),
        );
        let inputs = ui
            .scope_builder(egui::UiBuilder::new().max_rect(below), |ui| {
                self.ui_inputs(ui)
            })
            .response
            .rect;
        ui.scope_builder(egui::UiBuilder::new().max_rect(toolbar), |ui| {
            self.ui_toolbar(ui)
        });
        let y = toolbar.max.y + gap / 2.0;
        ui.painter().hline(
            full.x_range(),
            y,
            ui.visuals().widgets.noninteractive.bg_stroke,
        );
        ui.allocate_rect(toolbar.union(inputs), egui::Sense::hover());
    }

    pub(super) fn ui_toolbar(&mut self, ui: &mut egui::Ui) {
        let caption = |ui: &mut egui::Ui, text: &str| {
            ui.label(RichText::new(text).small().weak());
        };
        ui.horizontal(|ui| {
            caption(ui, "Input");
            self.ui_input_buttons(ui);
            ui.separator();
            caption(ui, "Check");
            if ui
                .button("Probe…")
                .on_hover_text("See what a live SIP TLS endpoint serves")
                .clicked()
            {
                self.commands.push(Command::OpenProbe);
            }
            ui.separator();
            caption(ui, "Output");
            self.ui_output_buttons(ui);
        });
    }

    /// Open files, open folder, paste, sample, clear.
    fn ui_input_buttons(&mut self, ui: &mut egui::Ui) {
        if ui
            .button("Open files…")
            .on_hover_text("Add certificate files (Ctrl+O)")
            .clicked()
        {
            self.commands.push(Command::Pick(PickRequest::Files));
        }
        if ui
            .button("Open folder…")
            .on_hover_text("Add every certificate in a folder")
            .clicked()
        {
            self.commands.push(Command::Pick(PickRequest::Folder));
        }
        if ui
            .button("Paste")
            .on_hover_text("Paste PEM text (Ctrl+V anywhere)")
            .clicked()
        {
            self.commands.push(Command::OpenPaste);
        }
        if ui
            .button("Sample")
            .on_hover_text("Load the sample chain")
            .clicked()
        {
            self.commands.push(Command::LoadSample);
        }
        let loaded = self.report.is_some() || !self.loaded.certificates.is_empty();
        if ui
            .add_enabled(loaded, egui::Button::new("Clear"))
            .on_hover_text("Remove everything loaded")
            .clicked()
        {
            self.commands.push(Command::ClearAll);
        }
    }

    /// Save and copy the bundle, upload, rotate, and the report menu.
    fn ui_output_buttons(&mut self, ui: &mut egui::Ui) {
        let can_export = self.report.as_ref().is_some_and(|r| !r.chain.is_empty());
        if ui
            .add_enabled(can_export, egui::Button::new("Save bundle…"))
            .on_hover_text("Write the bundle, leaf first (Ctrl+S)")
            .clicked()
        {
            self.commands.push(Command::SaveBundle);
        }
        if ui
            .add_enabled(can_export, egui::Button::new("Copy bundle"))
            .clicked()
        {
            self.commands.push(Command::CopyBundle);
        }
        if ui
            .add_enabled(can_export, egui::Button::new("Upload…"))
            .on_hover_text("Send the bundle to Genesys Cloud or a REST trunk API")
            .clicked()
        {
            self.upload.show(ui.ctx());
        }
        if ui
            .button("Rotate…")
            .on_hover_text("One bundle to every target of a plan: canary first, backed up, verified, reversible")
            .clicked()
        {
            self.rotation.open = true;
        }
        let has_report = self.report.is_some();
        ui.add_enabled_ui(has_report, |ui| {
            ui.menu_button("Report", |ui| {
                if ui
                    .button("Save report…")
                    .on_hover_text(
                        "For the change ticket: Markdown, plain text (.txt) or JSON (.json)",
                    )
                    .clicked()
                {
                    self.commands.push(Command::SaveReport);
                    ui.close();
                }
                if ui
                    .button("Copy report")
                    .on_hover_text("The report in Markdown, for the change ticket")
                    .clicked()
                {
                    self.commands.push(Command::CopyReport);
                    ui.close();
                }
            })
            .response
            .on_hover_text("Save or copy the report for the change ticket");
        });
    }
}
