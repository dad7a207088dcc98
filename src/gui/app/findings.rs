//! The findings panel: the verdict banner and every finding with its fix.

use super::*;

impl App {
    pub(super) fn ui_findings(&mut self, ui: &mut egui::Ui) {
        let Some(report) = self.report.clone() else {
            return;
        };
        let passed = report.passed();
        let headline = drawable(&report.headline(self.bundle_options())).into_owned();
        let (fill, text) = if passed && report.names_unchecked() {
            // Amber: nothing is wrong that was checked, but the names were not checked at all.
            (
                Color32::from_rgb(0xa8, 0x5d, 0x00),
                format!("⚠ Checked without a host name — the names were not checked\n{headline}"),
            )
        } else if passed {
            (Color32::from_rgb(0x2f, 0x9e, 0x44), format!("✔ {headline}"))
        } else {
            (Color32::from_rgb(0xc9, 0x2a, 0x2a), format!("✖ {headline}"))
        };
        egui::Frame::NONE
            .fill(fill)
            .corner_radius(6.0)
            .inner_margin(10.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(
                    RichText::new(text)
                        .color(Color32::WHITE)
                        .strong()
                        .size(16.0),
                );
            });
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.heading("Findings");
            ui.weak(format!(
                "{} · {} · {}",
                plural(report.count(Severity::Error), "error"),
                plural(report.count(Severity::Warning), "warning"),
                plural(report.count(Severity::Info), "note")
            ));
        });
        // Up to a few hundred findings are shown in full (wrapped). Beyond that, one fixed-height row
        // each (message and fix truncated, full text on hover), so 1,000 findings scroll cheaply.
        let findings = &report.findings;
        if findings.is_empty() {
            ui.weak("No findings: nothing to fix, nothing to note.");
        }
        if findings.len() <= WRAPPED_FINDINGS {
            egui::ScrollArea::vertical()
                .id_salt("findings")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    for finding in findings {
                        let fix = report.fix(finding, Face::Window);
                        if let Some(fp) = finding_row(ui, finding, &fix, None) {
                            self.commands.push(Command::Select(fp));
                        }
                    }
                });
        } else {
            let row_height = ui.text_style_height(&egui::TextStyle::Body) * 2.0
                + ui.spacing().item_spacing.y * 3.0;
            egui::ScrollArea::vertical()
                .id_salt("findings")
                .auto_shrink([false, false])
                .show_rows(ui, row_height, findings.len(), |ui, range| {
                    for finding in &findings[range] {
                        let fix = report.fix(finding, Face::Window);
                        if let Some(fp) = finding_row(ui, finding, &fix, Some(row_height)) {
                            self.commands.push(Command::Select(fp));
                        }
                    }
                });
        }
    }
}

/// One finding; `row_height` set: a fixed-height, truncated row (virtualized list). Returns the
/// certificate it concerns when the row was clicked.
pub(super) fn finding_row(
    ui: &mut egui::Ui,
    finding: &engine::Finding,
    fix: &str,
    row_height: Option<f32>,
) -> Option<Fingerprint> {
    let (icon, color) = match finding.severity {
        Severity::Error => ("✖", ui.visuals().error_fg_color),
        Severity::Warning => ("⚠", ui.visuals().warn_fg_color),
        Severity::Info => ("ℹ", ui.visuals().weak_text_color()),
    };
    let text = |t: RichText| {
        let label = egui::Label::new(t);
        if row_height.is_some() {
            label.truncate()
        } else {
            label.wrap()
        }
    };
    let response = ui
        .vertical(|ui| {
            if let Some(h) = row_height {
                ui.set_height(h - ui.spacing().item_spacing.y);
            }
            ui.horizontal(|ui| {
                ui.colored_label(color, icon);
                ui.label(
                    RichText::new(finding.code.as_str())
                        .monospace()
                        .color(color),
                );
            });
            ui.horizontal(|ui| {
                ui.add_space(18.0);
                ui.add(text(RichText::new(drawable(&finding.message))));
            });
            if finding.severity != Severity::Info {
                ui.horizontal(|ui| {
                    ui.add_space(18.0);
                    ui.add(text(RichText::new(format!("Fix: {fix}")).weak()));
                });
            }
            if row_height.is_none() {
                ui.add_space(4.0);
            }
        })
        .response
        .interact(egui::Sense::click());
    // The whole text as a tooltip only where rows are cut short (the long, virtualized list): over a
    // full row it would only cover the rows below.
    let response = if row_height.is_some() {
        response.on_hover_text(format!("{}\n\nFix: {fix}", drawable(&finding.message)))
    } else {
        response
    };
    response.clicked().then_some(finding.sha256).flatten()
}
