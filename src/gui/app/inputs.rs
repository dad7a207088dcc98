//! The settings every verdict depends on: host name, profile, validation time, trust, bundle options.

use super::*;

impl App {
    pub(super) fn ui_inputs(&mut self, ui: &mut egui::Ui) {
        let trust_before = self.prefs.trust;
        ui.horizontal_wrapped(|ui| {
            // Each label stays with its field when the row wraps.
            ui.horizontal(|ui| self.ui_host_field(ui));
            ui.separator();
            ui.horizontal(|ui| self.ui_profile_field(ui));
            ui.separator();
            ui.horizontal(|ui| self.ui_time_field(ui));
            ui.separator();
            ui.horizontal(|ui| self.ui_trust_field(ui));
        });
        ui.horizontal_wrapped(|ui| self.ui_check_options(ui));
        self.ui_sbc_trust(ui);
        if trust_before != self.prefs.trust
            && self.prefs.trust == Trust::RootsFile
            && self.roots.is_none()
        {
            if let Some(path) = self.prefs.roots_file.clone().filter(|p| p.exists()) {
                self.job = Some(LoadJob::spawn(Target::Roots, vec![path], ui.ctx()));
            } else {
                self.commands.push(Command::Pick(PickRequest::RootsFile));
            }
        }
    }

    /// The host name the leaf must be valid for, checked as it is typed.
    fn ui_host_field(&mut self, ui: &mut egui::Ui) {
        let label = ui.label("Host name");
        let host_ok =
            self.prefs.host.trim().is_empty() || HostName::parse(&self.prefs.host).is_ok();
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut self.prefs.host)
                    .hint_text("sbc.carrier.example or 192.0.2.10")
                    .desired_width(200.0),
            )
            .labelled_by(label.id)
            .on_hover_text("The trunk / SBC name the far end connects to");
        if std::mem::take(&mut self.focus_host) {
            field.request_focus();
        }
        if !host_ok {
            ui.colored_label(ui.visuals().error_fg_color, "✖ not a host name");
        }
    }

    /// The profile: what the far end requires.
    fn ui_profile_field(&mut self, ui: &mut egui::Ui) {
        let profile: Profile = self.prefs.profile.parse().unwrap_or_default();
        let label = ui.label("Profile");
        egui::ComboBox::from_id_salt("profile")
            .selected_text(profile.as_str())
            .width(160.0)
            .show_ui(ui, |ui| {
                for p in Profile::ALL {
                    ui.selectable_value(
                        &mut self.prefs.profile,
                        p.as_str().to_string(),
                        RichText::new(format!("{}  —  {}", p.as_str(), p.description())),
                    );
                }
            })
            .response
            .labelled_by(label.id)
            .on_hover_text(profile.description());
    }

    /// The validation time (empty: now), checked as it is typed.
    fn ui_time_field(&mut self, ui: &mut egui::Ui) {
        let label = ui.label("Validation time");
        let time_ok = !self.time_invalid();
        let mut edit = egui::TextEdit::singleline(&mut self.at_text)
            .hint_text("now (or 2026-12-05)")
            .desired_width(140.0);
        if !time_ok {
            edit = edit.text_color(ui.visuals().error_fg_color);
        }
        ui.add(edit)
            .labelled_by(label.id)
            .on_hover_text("Check as of the change window: YYYY-MM-DD or RFC 3339; empty = now");
        if !time_ok {
            ui.colored_label(ui.visuals().error_fg_color, "✖ use YYYY-MM-DD");
        }
    }

    /// What the far end trusts, and the roots file when that is it.
    fn ui_trust_field(&mut self, ui: &mut egui::Ui) {
        let label = ui.label("Trust");
        egui::ComboBox::from_id_salt("trust")
            .selected_text(match self.prefs.trust {
                Trust::BundleRoot => "The bundle's own root",
                Trust::Mozilla => "The Mozilla set",
                Trust::RootsFile => "A roots file",
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(
                    &mut self.prefs.trust,
                    Trust::BundleRoot,
                    "The bundle's own root",
                );
                ui.selectable_value(
                    &mut self.prefs.trust,
                    Trust::Mozilla,
                    "The Mozilla set",
                );
                ui.selectable_value(
                    &mut self.prefs.trust,
                    Trust::RootsFile,
                    "A roots file",
                );
            })
            .response
            .labelled_by(label.id)
            .on_hover_text(
                "What the far end trusts: the root in your files, the public (Mozilla) roots, or the roots in a file",
            );
        if self.prefs.trust == Trust::RootsFile {
            let name = self
                .prefs
                .roots_file
                .as_ref()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "Choose roots file…".into());
            if ui.button(name).clicked() {
                self.commands.push(Command::Pick(PickRequest::RootsFile));
            }
        }
    }

    /// Strict, revocation, and the bundle's options, with the profile's words.
    fn ui_check_options(&mut self, ui: &mut egui::Ui) {
        ui.checkbox(&mut self.prefs.strict, "Strict")
            .on_hover_text("Treat RFC 5280 / CA/Browser Forum rule breaks as errors");
        let revocation_before = self.prefs.check_revocation;
        ui.checkbox(&mut self.prefs.check_revocation, "Check revocation")
            .on_hover_text(
                "Download the CRLs the certificates name (HTTP) and check none is revoked; the CA's server sees which certificates you check",
            );
        if self.prefs.check_revocation && !revocation_before {
            self.revocation.forget_tries();
        }
        ui.separator();
        ui.label("Bundle:");
        ui.checkbox(&mut self.prefs.include_root, "Include root")
            .on_hover_text("Append the root certificate (most far ends have it already)");
        ui.checkbox(&mut self.prefs.ca_only, "CA certificates only")
            .on_hover_text("Intermediates and root only, e.g. for a Genesys BYOC Premises certificate authority");
        ui.separator();
        let profile: Profile = self.prefs.profile.parse().unwrap_or_default();
        ui.weak(format!(
            "Profile {}: {}",
            profile.as_str(),
            profile.description()
        ));
    }

    /// With the Teams Direct Routing profile: the SBC's own trust store, and Microsoft's roots to save.
    fn ui_sbc_trust(&mut self, ui: &mut egui::Ui) {
        let profile: Profile = self.prefs.profile.parse().unwrap_or_default();
        if profile == Profile::TeamsDirectRouting {
            // The SBC's own trust store (mutual TLS): checked for the roots Microsoft's SIP proxies
            // chain to from 2026 (teams.sbc-trust-missing); the seven can be saved to install them.
            ui.horizontal_wrapped(|ui| {
                ui.label("SBC trust store");
                let name = self
                    .sbc_trust
                    .as_ref()
                    .and_then(|l| l.certificates.first())
                    .map(|c| super::chain::file_name(&c.source))
                    .unwrap_or_else(|| "Choose the SBC's root store…".into());
                if ui
                    .button(name)
                    .on_hover_text("The trusted root certificates the SBC holds (exported from it): checked for Microsoft's 2026 Direct Routing roots")
                    .clicked()
                {
                    self.commands
                        .push(Command::Pick(PickRequest::SbcTrustFile));
                }
                if ui
                    .button("Save Microsoft's roots…")
                    .on_hover_text("The seven roots Microsoft's SIP proxies chain to from 2026, as one PEM file, to install on the SBC")
                    .clicked()
                {
                    self.commands.push(Command::Pick(PickRequest::SaveTeamsRoots(
                        "teams-direct-routing-roots-2026.pem".into(),
                    )));
                }
            });
        }
    }
}
