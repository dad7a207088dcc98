//! The Upload window itself and its target forms: Genesys Cloud, the sandbox, a device, a REST endpoint, the trunk picker.

use super::*;

impl UploadPanel {
    /// The window. `report`: the checked chain (None: nothing loaded).
    pub fn ui(&mut self, ctx: &egui::Context, report: Option<&Report>, now: i64) {
        self.poll();
        if !self.open {
            return;
        }
        // A result belongs to the target it was for: another target shows none (a green
        // "verified" from a sandbox rehearsal must never sit under "Genesys Cloud").
        if self.running.is_none()
            && self.finished_for.is_some()
            && self.finished_for != Some(self.prefs.choice)
        {
            self.finished = None;
            self.finished_for = None;
            self.steps.clear();
            self.notes.clear();
            self.message = None;
        }
        if self.prefs.choice == TargetChoice::Sandbox {
            self.ensure_sandbox(ctx);
        }
        if self.is_busy() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
        self.keep_secret_with_its_target();
        let mut open = true;
        // Top right, below the inputs: the Host name and the chain's first card stay in sight.
        let screen = ctx.content_rect();
        egui::Window::new("Upload bundle")
            .id(egui::Id::unique("upload-window"))
            .default_pos([
                (screen.right() - 640.0 - 16.0).max(screen.left()),
                screen.top() + 96.0,
            ])
            .open(&mut open)
            .default_width(640.0)
            .default_height(620.0)
            .vscroll(true)
            .show(ctx, |ui| {
                crate::gui::focus::trapped(ui, |ui| self.ui_body(ui, report))
            });
        // Esc closes the window (a confirmation on top takes Esc first).
        if self.confirm.is_none()
            && self.confirm_trust.is_none()
            && ctx.input(|i| i.key_pressed(egui::Key::Escape))
        {
            open = false;
        }
        if !open {
            self.open = false;
            // A typed secret does not outlive the window.
            zeroize::Zeroize::zeroize(&mut self.secret);
        }
        self.ui_confirm(ctx, report, now);
        self.ui_confirm_trust(ctx);
    }

    /// "Trust this certificate for this target": only after the admin compared the fingerprint.
    pub(super) fn ui_confirm_trust(&mut self, ctx: &egui::Context) {
        let Some(cert) = self.confirm_trust.clone() else {
            return;
        };
        let host = reqwest::Url::parse(&self.prefs.rest.url)
            .ok()
            .and_then(|u| u.host_str().map(String::from))
            .unwrap_or_default();
        egui::Modal::new(egui::Id::unique("confirm-trust-certificate")).show(ctx, |ui| {
            crate::gui::focus::trapped(ui, |ui| {
                ui.heading(format!("Trust this certificate for {host}?"));
                ui.label(format!("Subject: {}", cert.subject));
                ui.label(format!("SHA-256: {}", cert.sha256));
                ui.monospace(format!(
                    "as openssl prints it: {}",
                    openssl_fingerprint(&cert.sha256)
                ));
                ui.label(
                    "Compare the fingerprint with the one the device shows (its web interface, or \
                 `openssl x509 -noout -fingerprint -sha256` on its certificate). Trust it only if \
                 they match: anyone between you and the device could show another certificate.",
                );
                ui.label(
                "The pin is stored in this REST target's definition. The host name and the dates \
                 are still checked.",
            );
                ui.horizontal(|ui| {
                    if ui.button("Trust this certificate").clicked() {
                        match crate::tls::parse_pin(&cert.sha256) {
                            Ok(pin) => {
                                self.prefs.rest.add_pin(&pin);
                                self.message = Some(format!(
                                    "Trusted the certificate {} for {host}: upload again.",
                                    short_fingerprint(&cert.sha256)
                                ));
                            }
                            Err(e) => self.message = Some(e.to_string()),
                        }
                        self.confirm_trust = None;
                    }
                    if ui.button("Don't trust it").clicked() {
                        self.confirm_trust = None;
                    }
                });
            })
        });
    }

    pub(super) fn ui_body(&mut self, ui: &mut egui::Ui, report: Option<&Report>) {
        let busy = self.running.is_some();
        ui.add_enabled_ui(!busy, |ui| {
            // Wrapped: five choices do not fit a small screen or a 150 % scale on one line.
            ui.horizontal_wrapped(|ui| {
                ui.label("Target");
                let before = self.prefs.choice;
                ui.selectable_value(
                    &mut self.prefs.choice,
                    TargetChoice::Genesys,
                    "Genesys Cloud",
                );
                ui.selectable_value(&mut self.prefs.choice, TargetChoice::Rest, "REST endpoint");
                ui.selectable_value(
                    &mut self.prefs.choice,
                    TargetChoice::AudioCodes,
                    "AudioCodes SBC",
                );
                ui.selectable_value(
                    &mut self.prefs.choice,
                    TargetChoice::Files,
                    "SIP server files",
                );
                ui.selectable_value(
                    &mut self.prefs.choice,
                    TargetChoice::Sandbox,
                    "Sandbox (local rehearsal)",
                );
                if before != self.prefs.choice {
                    self.trunks.clear();
                    self.trunk = None;
                }
            });
            match self.prefs.choice {
                TargetChoice::Genesys => self.ui_genesys(ui),
                TargetChoice::Sandbox => self.ui_sandbox(ui),
                TargetChoice::Rest => self.ui_rest(ui),
                TargetChoice::AudioCodes | TargetChoice::Files => self.ui_device(ui),
            }
            if matches!(
                self.prefs.choice,
                TargetChoice::Genesys | TargetChoice::Sandbox
            ) {
                self.ui_trunks(ui);
            }
            if self.prefs.choice != TargetChoice::Sandbox {
                ui.horizontal(|ui| {
                    let label = ui.label("Proxy");
                    ui.add(
                        egui::TextEdit::singleline(&mut self.prefs.proxy)
                            .hint_text("system (HTTPS_PROXY, Internet Settings), none, or http://proxy.corp:3128")
                            .desired_width(420.0),
                    )
                    .labelled_by(label.id);
                });
            }
        });
        ui.separator();
        self.ui_checklist(ui, report);
        ui.separator();
        self.ui_progress(ui);
        self.ui_audit(ui);
    }

    pub(super) fn ui_genesys(&mut self, ui: &mut egui::Ui) {
        egui::Grid::new("genesys").num_columns(2).show(ui, |ui| {
            let region_label = ui.label("Region");
            let current = genesys::region(&self.prefs.region)
                .map(|r| format!("{} ({})", r.place, r.domain))
                .unwrap_or_else(|| self.prefs.region.clone());
            egui::ComboBox::from_id_salt("region")
                .selected_text(current)
                .width(360.0)
                .show_ui(ui, |ui| {
                    for r in genesys::REGIONS {
                        ui.selectable_value(
                            &mut self.prefs.region,
                            r.domain.to_string(),
                            format!("{} ({}, {})", r.place, r.domain, r.aws),
                        );
                    }
                })
                .response
                .labelled_by(region_label.id);
            ui.end_row();
            let label = ui.label("Client id");
            ui.add(egui::TextEdit::singleline(&mut self.prefs.client_id).desired_width(360.0))
                .labelled_by(label.id);
            ui.end_row();
            self.ui_secret(ui, "Client secret");
            let label = ui.label("CA file (optional)");
            ui.add(
                egui::TextEdit::singleline(&mut self.prefs.ca_file)
                    .hint_text("only for a proxy with a private CA")
                    .desired_width(360.0),
            )
            .labelled_by(label.id);
            ui.end_row();
            self.ui_ca_name(ui);
        });
    }

    pub(super) fn ui_sandbox(&mut self, ui: &mut egui::Ui) {
        match (&self.sandbox, &self.sandbox_error) {
            (Some(s), _) => {
                ui.label(format!(
                    "A local stand-in for Genesys Cloud runs at {} (client {}); nothing leaves this machine.",
                    s.base_url(),
                    crate::sandbox::CLIENT_ID
                ));
            }
            (None, Some(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("✖ {e}"));
            }
            _ => {
                ui.spinner();
            }
        }
        egui::Grid::new("sandbox")
            .num_columns(2)
            .show(ui, |ui| self.ui_ca_name(ui));
    }

    /// An AudioCodes SBC or a SIP server's files: the device, the key, the endpoint to probe.
    pub(super) fn ui_device(&mut self, ui: &mut egui::Ui) {
        egui::Grid::new("device").num_columns(2).show(ui, |ui| {
            if self.prefs.choice == TargetChoice::AudioCodes {
                device::ui_audiocodes(ui, &mut self.prefs.audiocodes);
                secret_row(ui, "Password", &mut self.secret, &mut self.remember);
                let label = ui.label("CA file (optional)");
                ui.add(
                    egui::TextEdit::singleline(&mut self.prefs.ca_file)
                        .hint_text("the device's management certificate's CA")
                        .desired_width(360.0),
                )
                .labelled_by(label.id);
                ui.end_row();
            } else {
                device::ui_files(ui, &mut self.prefs.files);
            }
            device::ui_key_and_verify(ui, &mut self.prefs.key_file, &mut self.prefs.verify);
        });
    }

    pub(super) fn ui_ca_name(&mut self, ui: &mut egui::Ui) {
        let label = ui.label("Certificate authority name");
        ui.add(
            egui::TextEdit::singleline(&mut self.prefs.ca_name)
                .hint_text("Carrier A SIP TLS CAs")
                .desired_width(360.0),
        )
        .labelled_by(label.id);
        ui.end_row();
    }

    pub(super) fn ui_secret(&mut self, ui: &mut egui::Ui, what: &str) {
        secret_row(ui, what, &mut self.secret, &mut self.remember);
    }

    pub(super) fn ui_rest(&mut self, ui: &mut egui::Ui) {
        let (rest, secret, remember, ca_file, params_text) = (
            &mut self.prefs.rest,
            &mut self.secret,
            &mut self.remember,
            &mut self.prefs.ca_file,
            &mut self.params_text,
        );
        egui::Grid::new("rest").num_columns(2).show(ui, |ui| {
            rest_address_rows(ui, rest, params_text);
            rest_body_rows(ui, rest);
            rest_auth_rows(ui, rest);
            let needs_secret = rest.auth != RestAuth::None;
            let label = ui.label("Read URL (optional)");
            let mut read = rest.read_url.clone().unwrap_or_default();
            if ui
                .add(
                    egui::TextEdit::singleline(&mut read)
                        .hint_text("default: the URL")
                        .desired_width(420.0),
                )
                .labelled_by(label.id)
                .changed()
            {
                rest.read_url = (!read.trim().is_empty()).then(|| read.trim().to_string());
            }
            ui.end_row();
            if needs_secret {
                secret_row(ui, "Secret / token", secret, remember);
            }
            let label = ui.label("CA file (optional)");
            ui.add(
                egui::TextEdit::singleline(ca_file)
                    .hint_text("PEM: a private CA the endpoint's certificate chains to")
                    .desired_width(420.0),
            )
            .labelled_by(label.id);
            ui.end_row();
            rest_pins_row(ui, rest);
        });
    }

    pub(super) fn ui_trunks(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let trunk_label = ui.label("Trunk");
            let busy = self.trunks_task.is_some();
            if ui
                .add_enabled(!busy, egui::Button::new("Load trunks"))
                .clicked()
            {
                let ctx = ui.ctx().clone();
                self.start_trunks(&ctx);
            }
            if busy {
                ui.spinner();
            }
            let selected = self
                .trunk
                .as_ref()
                .and_then(|id| self.trunks.iter().find(|t| &t.id == id))
                .map(|t| t.name.clone())
                .unwrap_or_else(|| "(none: no pre-flight)".into());
            egui::ComboBox::from_id_salt("trunk")
                .selected_text(selected)
                .width(320.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.trunk, None, "(none)");
                    for t in &self.trunks {
                        let kind = if t.is_byoc_cloud() {
                            "BYOC Cloud"
                        } else {
                            "Premises"
                        };
                        let status = t.checklist().iter().filter(|(ok, _)| !ok).count();
                        ui.selectable_value(
                            &mut self.trunk,
                            Some(t.id.clone()),
                            format!(
                                "{} ({} trunk, {kind}, {})",
                                crate::engine::text::escape(&t.name),
                                crate::engine::text::escape(t.kind()),
                                if status == 0 {
                                    "healthy".to_string()
                                } else {
                                    format!("{status} warning(s)")
                                }
                            ),
                        );
                    }
                })
                .response
                .labelled_by(trunk_label.id);
        });
    }

    /// The trunk chosen, if its status is known.
    pub(super) fn chosen_trunk(&self) -> Option<&Trunk> {
        self.trunk
            .as_ref()
            .and_then(|id| self.trunks.iter().find(|t| &t.id == id))
    }
}

/// The masked secret field and the keychain checkbox (a grid row).
pub(super) fn secret_row(ui: &mut egui::Ui, what: &str, secret: &mut String, remember: &mut bool) {
    let label = ui.label(what);
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(secret)
                .password(true)
                .hint_text("empty: CHAINSMITH_CLIENT_SECRET or the keychain")
                .desired_width(300.0),
        )
        .labelled_by(label.id);
        ui.checkbox(remember, "Remember in keychain");
    });
    ui.end_row();
}

/// The REST form's URL and its placeholders (`trunk=42`).
fn rest_address_rows(
    ui: &mut egui::Ui,
    rest: &mut crate::upload::RestTarget,
    params_text: &mut String,
) {
    let label = ui.label("URL");
    ui.add(
        egui::TextEdit::singleline(&mut rest.url)
            .hint_text("https://sbc.example.net/api/trunks/{trunk}/certificate")
            .desired_width(420.0),
    )
    .labelled_by(label.id);
    ui.end_row();
    let label = ui.label("Placeholders");
    if params_text.is_empty() && !rest.params.is_empty() {
        *params_text = rest
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
    }
    if ui
        .add(
            egui::TextEdit::singleline(params_text)
                .hint_text("trunk=42")
                .desired_width(420.0),
        )
        .labelled_by(label.id)
        .changed()
    {
        rest.params = params_text
            .split_whitespace()
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    }
    ui.end_row();
}

/// How the certificate is sent: the method, and raw PEM or a JSON field.
fn rest_body_rows(ui: &mut egui::Ui, rest: &mut crate::upload::RestTarget) {
    ui.label("Method");
    ui.horizontal(|ui| {
        for m in ["PUT", "POST", "PATCH"] {
            ui.selectable_value(&mut rest.method, m.to_string(), m);
        }
        ui.checkbox(&mut rest.raw_pem, "Raw PEM body");
    });
    ui.end_row();
    let label = ui.label("JSON field");
    ui.add_enabled(
        !rest.raw_pem,
        egui::TextEdit::singleline(&mut rest.field).desired_width(240.0),
    )
    .labelled_by(label.id);
    ui.end_row();
}

/// The authentication: none, bearer token, Basic with its user, or OAuth with its token URL and
/// client id.
fn rest_auth_rows(ui: &mut egui::Ui, rest: &mut crate::upload::RestTarget) {
    ui.label("Auth");
    ui.horizontal(|ui| {
        let kind = match rest.auth {
            RestAuth::None => 0,
            RestAuth::Bearer => 1,
            RestAuth::Basic { .. } => 2,
            RestAuth::Oauth { .. } => 3,
        };
        for (i, name) in ["None", "Bearer", "Basic", "OAuth"].iter().enumerate() {
            if ui.selectable_label(kind == i, *name).clicked() && kind != i {
                rest.auth = match i {
                    1 => RestAuth::Bearer,
                    2 => RestAuth::Basic {
                        username: String::new(),
                    },
                    3 => RestAuth::Oauth {
                        token_url: String::new(),
                        client_id: String::new(),
                    },
                    _ => RestAuth::None,
                };
            }
        }
    });
    ui.end_row();
    match &mut rest.auth {
        RestAuth::Basic { username } => {
            let label = ui.label("User");
            ui.text_edit_singleline(username).labelled_by(label.id);
            ui.end_row();
        }
        RestAuth::Oauth {
            token_url,
            client_id,
        } => {
            let label = ui.label("Token URL");
            ui.text_edit_singleline(token_url).labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Client id");
            ui.text_edit_singleline(client_id).labelled_by(label.id);
            ui.end_row();
        }
        _ => {}
    }
}

/// The endpoint certificates trusted by fingerprint, each with Forget.
fn rest_pins_row(ui: &mut egui::Ui, rest: &mut crate::upload::RestTarget) {
    if !rest.pins.is_empty() {
        ui.label("Trusted certificates");
        ui.vertical(|ui| {
            let mut forget = None;
            for (i, pin) in rest.pins.iter().enumerate() {
                ui.horizontal(|ui| {
                    ui.monospace(format!("SHA-256 {}", short_fingerprint(pin)))
                        .on_hover_text(pin.as_str());
                    if ui.small_button("Forget").clicked() {
                        forget = Some(i);
                    }
                });
            }
            if let Some(i) = forget {
                rest.pins.remove(i);
            }
        });
        ui.end_row();
    }
}
