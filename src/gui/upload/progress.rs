//! The steps as they run, their outcome, a refused server certificate, and the audit log.

use super::*;

impl UploadPanel {
    pub(super) fn ui_progress(&mut self, ui: &mut egui::Ui) {
        if self.steps.is_empty() {
            return;
        }
        ui.label(RichText::new("Progress").strong());
        for (phase, state) in &self.steps {
            ui.horizontal(|ui| match state {
                StepState::Pending => {
                    ui.weak(format!("○ {phase}"));
                }
                StepState::Running => {
                    ui.spinner();
                    ui.label(phase.label());
                }
                StepState::Done(text) => {
                    ui.label(format!("✔ {phase}: {text}"));
                }
                StepState::Failed => {
                    ui.colored_label(ui.visuals().error_fg_color, format!("✖ {phase}"));
                }
            });
        }
        for note in &self.notes {
            ui.weak(format!("  {note}"));
        }
        let Some(f) = &self.finished else { return };
        let (fill, text) = finished_words(f);
        egui::Frame::NONE
            .fill(fill)
            .corner_radius(6.0)
            .inner_margin(8.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(RichText::new(text).color(Color32::WHITE).strong());
            });
        let trust = f
            .refusal
            .as_ref()
            .filter(|r| self.ui_refused_certificate(ui, r))
            .and_then(|r| r.certificate.clone());
        if trust.is_some() {
            self.confirm_trust = trust;
        }
        let Some(f) = &self.finished else { return };
        if f.record.rehearsal {
            ui.label(RichText::new("Rehearsal — nothing was sent to Genesys Cloud").strong());
        }
        ui_server_view(ui, &f.record.details);
        ui_record_tail(ui, &f.record);
    }

    /// The certificate the server showed and why it was refused; for a REST target whose certificate
    /// is only unknown (self-signed, a private CA), the offer to trust it.
    pub(super) fn ui_refused_certificate(
        &self,
        ui: &mut egui::Ui,
        refusal: &crate::tls::Refusal,
    ) -> bool {
        let Some(cert) = &refusal.certificate else {
            return false;
        };
        let mut trust = false;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(RichText::new("The server's certificate").strong());
            egui::Grid::new("refused-certificate")
                .num_columns(2)
                .show(ui, |ui| {
                    let issuer = if cert.self_signed {
                        format!("{} (self-signed)", cert.issuer)
                    } else {
                        cert.issuer.clone()
                    };
                    for (name, value) in [
                        ("Subject", cert.subject.as_str()),
                        ("Issuer", issuer.as_str()),
                        ("Valid until", cert.not_after.as_str()),
                    ] {
                        ui.label(name);
                        ui.label(value);
                        ui.end_row();
                    }
                    ui.label("SHA-256");
                    ui.horizontal(|ui| {
                        ui.monospace(&cert.sha256);
                        if ui.small_button("Copy").clicked() {
                            ui.ctx().copy_text(cert.sha256.clone());
                        }
                    });
                    ui.end_row();
                });
            ui.label(format!("Refused: {}.", refusal.reason_text()));
            let trustable = matches!(
                refusal.reason,
                crate::tls::Reason::UnknownIssuer | crate::tls::Reason::CaAsServerCertificate
            ) && !refusal.pinned;
            if self.prefs.choice == TargetChoice::Rest && trustable {
                trust = ui
                    .button("Trust this certificate for this target…")
                    .on_hover_text("Pin its SHA-256 in this REST target, after you compare it")
                    .clicked();
            } else {
                ui.weak(refusal.fix());
            }
        });
        trust
    }

    pub(super) fn ui_audit(&mut self, ui: &mut egui::Ui) {
        egui::CollapsingHeader::new("Audit log").show(ui, |ui| {
            let entries = &self.audit;
            ui.weak(records::audit_path(&self.data_dir).display().to_string());
            if ui
                .add_enabled(
                    !entries.is_empty(),
                    egui::Button::new("Copy as Markdown (change ticket)"),
                )
                .clicked()
            {
                ui.ctx()
                    .copy_text(crate::gui::for_clipboard(records::audit_markdown(entries)));
            }
            let busy = self.running.is_some();
            let mut rollback: Option<(PathBuf, bool)> = None;
            for e in entries.iter().rev().take(20) {
                ui.horizontal(|ui| {
                    ui.label(format!(
                        "{}  {} {}  {}",
                        e["time"].as_str().unwrap_or_default(),
                        crate::engine::text::escape(&records::action_words(e)),
                        crate::engine::text::escape(e["endpoint"].as_str().unwrap_or_default()),
                        e["result"].as_str().unwrap_or_default()
                    ));
                    if let Some(backup) = e["backup"].as_str()
                        && ui
                            .add_enabled(!busy, egui::Button::new("Roll back…").small())
                            .on_hover_text(format!("Put back what this run replaced: {backup}"))
                            .clicked()
                    {
                        let rehearsal = e["rehearsal"].as_bool() == Some(true);
                        rollback = Some((PathBuf::from(backup), rehearsal));
                    }
                });
            }
            if let Some((path, rehearsal)) = rollback {
                self.ask_rollback(ui.ctx(), path, rehearsal);
            }
        });
    }
}

/// The result in words, by what the exit code means: nothing was changed, or the change may have
/// been applied.
pub(super) fn finished_words(f: &Finished) -> (Color32, String) {
    let red = Color32::from_rgb(0xc9, 0x2a, 0x2a);
    let what = if f.record.action == "rollback" {
        "Rolled back"
    } else {
        "Uploaded"
    };
    match &f.error {
        None if f.record.rehearsal => (
            Color32::from_rgb(0x2f, 0x9e, 0x44),
            format!("✔ {what} and verified — rehearsal: nothing was sent to Genesys Cloud"),
        ),
        None => (
            Color32::from_rgb(0x2f, 0x9e, 0x44),
            format!("✔ {what} and verified"),
        ),
        Some(_) if f.record.result == "cancelled" => (
            red,
            if f.record.changed {
                "✖ Cancelled after the change was sent: the change may have been applied; check what the server holds".to_string()
            } else {
                "✖ Cancelled: nothing was changed".to_string()
            },
        ),
        // The certificate and what to do are shown in full below.
        Some(_) if f.refusal.is_some() => (
            red,
            format!(
                "✖ Not sent: the server's certificate for {} was refused; nothing was changed",
                f.refusal
                    .as_ref()
                    .map(|r| r.host.as_str())
                    .unwrap_or("the server")
            ),
        ),
        Some(e) => match f.exit_code {
            4 => (
                red,
                format!(
                    "✖ The change may have been applied, but the read-back does not prove it: {e}. Check what the server holds; Roll back… puts the backup back."
                ),
            ),
            1 | 2 => (red, format!("✖ Not sent — nothing was changed: {e}")),
            _ => (red, format!("✖ Failed — nothing was changed: {e}")),
        },
    }
}

/// What the server says it now holds (Genesys Cloud's view of each certificate), when it says.
fn ui_server_view(ui: &mut egui::Ui, details: &[upload::ServerView]) {
    if details.is_empty() {
        return;
    }
    ui.label(RichText::new("What the server says it now holds").strong());
    egui::Grid::new("server-view")
        .num_columns(6)
        .striped(true)
        .show(ui, |ui| {
            for head in [
                "Subject",
                "Issuer",
                "Expires",
                "Valid",
                "Signature",
                "Expired",
            ] {
                ui.label(RichText::new(head).strong());
            }
            ui.end_row();
            let yes_no = |ui: &mut egui::Ui, v: Option<bool>, good: bool| {
                let (text, ok) = match v {
                    Some(b) => (if b { "yes" } else { "no" }, b == good),
                    None => ("not said", true),
                };
                if ok {
                    ui.label(text);
                } else {
                    ui.colored_label(ui.visuals().error_fg_color, format!("✖ {text}"));
                }
            };
            for d in details {
                ui.label(crate::engine::text::escape(&d.subject));
                ui.label(crate::engine::text::escape(&d.issuer));
                ui.label(crate::engine::text::escape(&d.expires));
                yes_no(ui, d.valid, true);
                yes_no(ui, d.signature_valid, true);
                yes_no(ui, d.expired, false);
                ui.end_row();
            }
        });
}

/// The run's backup (with Copy path) and its audit entry.
fn ui_record_tail(ui: &mut egui::Ui, record: &upload::Record) {
    if let Some(b) = &record.backup {
        ui.horizontal(|ui| {
            ui.label(format!("Backup: {}", crate::engine::text::escape(b)));
            if ui.small_button("Copy path").clicked() {
                ui.ctx().copy_text(crate::gui::for_clipboard(b.clone()));
            }
        });
        ui.weak("Put it back with \"Roll back…\" on its audit entry below.");
    }
    ui.label(format!(
        "Audit entry: {} {} {}, correlation ids: {}",
        record.time,
        record.action,
        record.result,
        if record.correlation_ids.is_empty() {
            "none".to_string()
        } else {
            crate::engine::text::escaped(&record.correlation_ids.join(", "))
        }
    ));
}
