//! The Probe window: what a live endpoint serves, judged as served and against the loaded bundle.
//!
//! The probe runs on a worker ([`Task`]); the window keeps its form while it runs and after it fails
//! (the error is shown in the window, not in a passing toast).

use eframe::egui::{self, Color32, RichText};

use super::jobs::Task;
use crate::engine::finding::Face;
use crate::engine::{self, CheckOptions, Loaded, Report, Severity};

/// What a probe of a live endpoint found, for the probe window.
pub struct ProbeOutcome {
    pub target: String,
    pub probe: crate::probe::Probe,
    /// The served chain, judged as served (and compared with the loaded bundle, if any).
    pub report: Report,
}

impl ProbeOutcome {
    /// The result as plain text, for a ticket or a chat (the "Copy result" button).
    pub fn to_text(&self) -> String {
        let p = &self.probe;
        let mut out = format!(
            "Probed {} ({})\n  {}\n  negotiated {} with {}; client certificate requested: {}\n",
            crate::engine::text::escape(&self.target),
            p.address,
            p.sni_words(),
            p.protocol_version.as_deref().unwrap_or("?"),
            p.cipher_suite.as_deref().unwrap_or("?"),
            if p.client_certificate_requested {
                "yes"
            } else {
                "no"
            }
        );
        if let Some(e) = &p.handshake_error {
            out.push_str(&format!(
                "  the handshake then failed: {}\n",
                crate::engine::text::escape(e)
            ));
        }
        out.push('\n');
        out.push_str(&self.report.to_text());
        out
    }
}

impl ProbeOutcome {
    /// Key/value rows for the change-ticket report.
    pub fn summary(&self) -> Vec<(String, String)> {
        let p = &self.probe;
        let served: Vec<String> = p
            .served
            .iter()
            .enumerate()
            .map(|(i, der)| {
                let name = self
                    .report
                    .certificates()
                    .find(|c| c.der == *der)
                    .map(|c| c.display_name())
                    .unwrap_or_else(|| engine::Fingerprint::of(der).short());
                format!("#{} {name}", i + 1)
            })
            .collect();
        let codes: Vec<&str> = self
            .report
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .collect();
        vec![
            (
                "Endpoint".into(),
                format!("{} ({})", engine::text::escape(&self.target), p.address),
            ),
            ("SNI".into(), p.sni_words()),
            (
                "Negotiated".into(),
                format!(
                    "{} with {}",
                    p.protocol_version.as_deref().unwrap_or("?"),
                    p.cipher_suite.as_deref().unwrap_or("?")
                ),
            ),
            ("Served".into(), served.join(", ")),
            (
                "Result".into(),
                if self.report.passed() {
                    "the endpoint serves a good chain".into()
                } else {
                    format!(
                        "{} problem(s) to fix on the endpoint",
                        self.report.count(Severity::Error)
                    )
                },
            ),
            ("Findings".into(), codes.join(", ")),
        ]
    }
}

/// What the window asks the app to do.
pub enum ProbeAction {
    /// Start a probe (the app supplies the check options, roots and bundle).
    Probe,
    /// Put this text on the clipboard.
    Copy(String),
}

/// The Probe window's state.
#[derive(Default)]
pub struct ProbePanel {
    pub open: bool,
    /// `HOST[:PORT]` to probe.
    pub target: String,
    /// The server name to send (SNI); empty: see [`ProbePanel::sni_for`].
    pub sni: String,
    task: Option<Task<Result<ProbeOutcome, String>>>,
    result: Option<ProbeOutcome>,
    error: Option<String>,
}

impl ProbePanel {
    /// Opens the window; the endpoint starts as the host name when none was typed yet.
    pub fn show(&mut self, host_field: &str) {
        if self.target.is_empty() {
            self.target = host_field.trim().to_string();
        }
        self.open = true;
    }

    pub fn is_busy(&self) -> bool {
        self.task.is_some()
    }

    /// The label of the running probe, for the status bar.
    pub fn busy_label(&self) -> Option<String> {
        self.task.as_ref().map(|t| t.label.clone())
    }

    pub fn outcome(&self) -> Option<&ProbeOutcome> {
        self.result.as_ref()
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The SNI to send, by the one rule ([`crate::probe_check::sni_for`]): the SNI field, else the
    /// name checked (the Host name field), else none (the endpoint's own name is sent).
    pub fn sni_for(&self, host_field: &str) -> Option<String> {
        let host = engine::HostName::parse(host_field.trim()).ok();
        crate::probe_check::sni_for(Some(&self.sni), host.as_ref())
    }

    /// Starts a probe on a worker. `options`: the window's check options (the host name to check);
    /// `roots`: a roots file, if trusted; `bundle`: the loaded chain to compare with.
    pub fn start(
        &mut self,
        ctx: &egui::Context,
        mut options: CheckOptions,
        roots: Option<Loaded>,
        bundle: Option<Report>,
    ) {
        let target = self.target.trim().to_string();
        self.result = None;
        self.error = None;
        let Some((host, _)) = crate::probe::split_target(&target) else {
            self.error = Some(format!(
                "\"{}\" is not HOST[:PORT] (e.g. sbc1.carrier.example:5061 or 192.0.2.10:5061)",
                crate::engine::text::escape(&target)
            ));
            return;
        };
        let sni = self.sni.trim().to_string();
        options.leaf = None;
        options.via = None;
        if options.host.is_none() {
            // No Host name: the leaf is checked for the SNI asked for, else the endpoint's name.
            let name = if sni.is_empty() {
                host.as_str()
            } else {
                sni.as_str()
            };
            options.host = engine::HostName::parse(name).ok();
        }
        let label = format!("Probing {}", crate::engine::text::escape(&target));
        self.task = Some(Task::spawn(label, ctx, move || {
            let checked = crate::probe_check::run(crate::probe_check::ProbeCheck {
                target: &target,
                sni: Some(&sni),
                options: &options,
                roots: roots.as_ref(),
                bundle: bundle.as_ref(),
                timeout: std::time::Duration::from_secs(10),
                client_auth: None,
            })
            .map_err(|e| e.to_string())?;
            Ok(ProbeOutcome {
                target,
                probe: checked.probe,
                report: checked.report,
            })
        }));
    }

    /// Takes the worker's result when it is there.
    pub fn poll(&mut self) {
        if let Some(task) = &self.task
            && let Some(result) = task.try_result()
        {
            self.task = None;
            match result {
                Ok(outcome) => self.result = Some(outcome),
                Err(e) => self.error = Some(e),
            }
        }
    }

    /// The window. `finding_row` draws one finding (shared with the main findings list).
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        host_field: &str,
        finding_row: &mut dyn FnMut(&mut egui::Ui, &engine::Finding, &str),
    ) -> Option<ProbeAction> {
        if !self.open {
            return None;
        }
        let mut action = None;
        let mut open = true;
        // Beside the inputs, not over them: top right, below the Host name row, resizable.
        let screen = ctx.content_rect();
        egui::Window::new("Probe endpoint")
            .id(egui::Id::unique("probe-window"))
            .open(&mut open)
            .default_width(620.0)
            .default_height(520.0)
            .resizable(true)
            .default_pos([
                (screen.right() - 620.0 - 16.0).max(screen.left()),
                screen.top() + 96.0,
            ])
            .show(ctx, |ui| crate::gui::focus::trapped(ui, |ui| {
                self.ui_form(ui, host_field);
                if let Some(a) = self.ui_buttons(ui) {
                    action = Some(a);
                }
                ui.weak("Direct TLS (SIPS), port 5061 unless given. The served chain is checked as served and compared with the loaded bundle.");
                if let Some(error) = &self.error {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!("✖ Probe failed: {error}"),
                    );
                }
                if let Some(outcome) = &self.result {
                    ui_outcome(ui, outcome, finding_row);
                }
            }));
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            open = false;
        }
        self.open = open;
        action
    }

    /// The endpoint and the SNI (with what is sent when it is left empty).
    fn ui_form(&mut self, ui: &mut egui::Ui, host_field: &str) {
        egui::Grid::new("probe form").num_columns(2).show(ui, |ui| {
            let label = ui.label("Endpoint");
            ui.add(
                egui::TextEdit::singleline(&mut self.target)
                    .hint_text("sbc1.carrier.example:5061")
                    .desired_width(280.0),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("SNI");
            let endpoint_host = crate::probe::split_target(self.target.trim())
                .map(|(h, _)| h)
                .unwrap_or_default();
            let is_address = endpoint_host.parse::<std::net::IpAddr>().is_ok();
            let hint = match self.sni_for(host_field) {
                _ if !self.sni.trim().is_empty() => String::new(),
                Some(name) => format!("{name} (the Host name)"),
                None if is_address => {
                    "none: the endpoint is an IP address (type a name)".to_string()
                }
                None if endpoint_host.is_empty() => "the endpoint's name".to_string(),
                None => format!("{endpoint_host} (the endpoint's name)"),
            };
            ui.add(
                egui::TextEdit::singleline(&mut self.sni)
                    .hint_text(hint)
                    .desired_width(280.0),
            )
            .labelled_by(label.id)
            .on_hover_text(
                "The server name sent in the handshake: a server with several certificates picks one by it",
            );
            ui.end_row();
        });
    }

    /// Probe (while none runs) and Copy result; the action asked for, if any.
    fn ui_buttons(&mut self, ui: &mut egui::Ui) -> Option<ProbeAction> {
        let mut action = None;
        ui.horizontal(|ui| {
            let busy = self.task.is_some();
            if ui
                .add_enabled(
                    !busy && !self.target.trim().is_empty(),
                    egui::Button::new("Probe"),
                )
                .clicked()
            {
                action = Some(ProbeAction::Probe);
            }
            if busy {
                ui.spinner();
            }
            if let Some(outcome) = &self.result
                && ui.button("Copy result").clicked()
            {
                action = Some(ProbeAction::Copy(outcome.to_text()));
            }
        });
        action
    }
}

/// What the probe found: the handshake, what was served in order, the verdict, the findings.
fn ui_outcome(
    ui: &mut egui::Ui,
    outcome: &ProbeOutcome,
    finding_row: &mut dyn FnMut(&mut egui::Ui, &engine::Finding, &str),
) {
    ui.separator();
    let p = &outcome.probe;
    ui.label(format!(
        "{} ({}): {} with {}; client certificate requested: {}",
        crate::engine::text::escape(&outcome.target),
        p.address,
        p.protocol_version.as_deref().unwrap_or("?"),
        p.cipher_suite.as_deref().unwrap_or("?"),
        if p.client_certificate_requested {
            "yes"
        } else {
            "no"
        }
    ));
    ui.label(p.sni_words());
    if let Some(e) = &p.handshake_error {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "⚠ the handshake then failed: {}",
                crate::engine::text::escape(e)
            ),
        );
    }
    ui.label(RichText::new("Served, in this order:").strong());
    for (i, der) in p.served.iter().enumerate() {
        let cert = outcome.report.certificates().find(|c| c.der == *der);
        let name = cert
            .map(|c| {
                let self_signed = if c.is_self_issued() {
                    " (self-signed)"
                } else {
                    ""
                };
                format!("{}{self_signed}", c.display_name())
            })
            .unwrap_or_else(|| engine::Fingerprint::of(der).short());
        ui.label(format!("  #{} {name}", i + 1));
    }
    let report = &outcome.report;
    let stale = report
        .findings
        .iter()
        .find(|f| f.code == engine::Code::ServedStaleLeaf)
        .and_then(|f| f.sha256)
        .and_then(|fp| report.certificates().find(|c| c.sha256 == fp));
    let (fill, text) = if let Some(cert) = stale {
        let n = report.count(Severity::Error);
        (
            Color32::from_rgb(0xc9, 0x2a, 0x2a),
            format!(
                "✖ The endpoint serves another certificate than the loaded leaf: \"{}\"{} ({n} problem{} to fix)",
                cert.display_name(),
                if cert.is_self_issued() {
                    ", self-signed"
                } else {
                    ""
                },
                if n == 1 { "" } else { "s" }
            ),
        )
    } else if report.passed() {
        (
            Color32::from_rgb(0x2f, 0x9e, 0x44),
            "✔ The endpoint serves a good chain".to_string(),
        )
    } else {
        let n = report.count(Severity::Error);
        (
            Color32::from_rgb(0xc9, 0x2a, 0x2a),
            format!(
                "✖ {n} problem{} to fix on the endpoint",
                if n == 1 { "" } else { "s" }
            ),
        )
    };
    egui::Frame::NONE
        .fill(fill)
        .corner_radius(6.0)
        .inner_margin(8.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(text).color(Color32::WHITE).strong());
        });
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .max_height(ui.available_height().max(160.0))
        .show(ui, |ui| {
            for finding in &report.findings {
                let fix = report.fix(finding, Face::Window);
                finding_row(ui, finding, &fix);
            }
        });
}
