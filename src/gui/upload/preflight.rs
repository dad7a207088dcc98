//! The pre-flight checklist, and where an upload goes in words for the confirmation.

use super::*;

impl UploadPanel {
    pub(super) fn ui_checklist(&mut self, ui: &mut egui::Ui, report: Option<&Report>) {
        ui.label(RichText::new("Pre-flight").strong());
        let ok = Color32::from_rgb(0x2f, 0x9e, 0x44);
        let warn = ui.visuals().warn_fg_color;
        let bad = ui.visuals().error_fg_color;
        let preflight = match report.filter(|r| !r.chain.is_empty()) {
            Some(report) => self.preflight(report),
            None => Preflight {
                lines: vec![(Some(false), "No chain loaded".into())],
                ready: false,
                errors: 0,
            },
        };
        for (state, text) in &preflight.lines {
            let (icon, color) = match state {
                Some(true) => ("✔", ok),
                Some(false) => ("✖", bad),
                None => ("⚠", warn),
            };
            ui.colored_label(color, format!("{icon} {text}"));
        }
        if report.is_some_and(|r| !r.chain.is_empty()) {
            self.ui_upload_buttons(ui, preflight.ready, preflight.errors);
            if let Some(m) = &self.message {
                ui.label(m);
            }
        }
    }

    /// The checklist for `report`: its lines (passed, failed, or a warning: `None`), whether the
    /// upload can go, and how many error findings the chain has.
    fn preflight(&mut self, report: &Report) -> Preflight {
        let mut lines: Vec<(Option<bool>, String)> = Vec::new();
        let errors = upload::blocking_findings(report);
        lines.push((
            Some(errors.is_empty()),
            if errors.is_empty() {
                "The chain has no error findings".into()
            } else {
                format!("The chain has {} error finding(s)", errors.len())
            },
        ));
        let target = self.target();
        let payload = target
            .as_ref()
            .ok()
            .map(|t| upload::payload_for(t, report, false, None));
        match (&target, &payload) {
            (Err(e), _) => lines.push((Some(false), e.clone())),
            (Ok(_), Some(Err(e))) => lines.push((Some(false), e.to_string())),
            (Ok(t), Some(Ok(p))) => lines.push((Some(true), sends_words(t, p))),
            _ => {}
        }
        let mut cloud = false;
        if let Some(trunk) = self.chosen_trunk() {
            // The trunk's words come from the server: shown escaped.
            for (passed, text) in trunk.checklist() {
                lines.push((
                    if passed { Some(true) } else { None },
                    crate::engine::text::escaped(&text),
                ));
            }
            if trunk.is_byoc_cloud() {
                cloud = true;
                lines.push((Some(false), genesys::BYOC_CLOUD_NOTHING_TO_UPLOAD.into()));
            }
        }
        // A CA file named in the form is checked here, before the confirmation, not after it.
        let ca_file_missing = self.prefs.choice != TargetChoice::Sandbox && self.ca_file_missing();
        if ca_file_missing {
            lines.push((
                Some(false),
                format!(
                    "CA file {}: not found",
                    crate::engine::text::escape(crate::files::unquoted(&self.prefs.ca_file))
                ),
            ));
        }
        // The leaf's key, for a device: named, and there (it is read and checked on the worker).
        let mut key_missing = false;
        if let Ok(t) = &target {
            match self.key_file(t) {
                Err(e) => {
                    key_missing = true;
                    lines.push((Some(false), e));
                }
                Ok(Some(path)) if self.key_file_missing() => {
                    key_missing = true;
                    lines.push((
                        Some(false),
                        format!(
                            "Private key {}: not found",
                            crate::engine::text::path(&path)
                        ),
                    ));
                }
                Ok(Some(path)) => lines.push((
                    Some(true),
                    format!(
                        "Private key {} goes to this destination only",
                        crate::engine::text::path(&path)
                    ),
                )),
                Ok(None) => {}
            }
        }
        let ready = target.is_ok()
            && matches!(payload, Some(Ok(_)))
            && !cloud
            && !ca_file_missing
            && !key_missing;
        Preflight {
            lines,
            ready,
            errors: errors.len(),
        }
    }

    /// Upload (asks first), Upload anyway… when the chain has errors, and Cancel while one runs.
    fn ui_upload_buttons(&mut self, ui: &mut egui::Ui, ready: bool, errors: usize) {
        ui.horizontal(|ui| {
            let busy = self.running.is_some();
            if ui
                .add_enabled(ready && errors == 0 && !busy, egui::Button::new("Upload"))
                .on_hover_text("Back up, upload, read back and verify (asks first)")
                .clicked()
            {
                self.confirm = Some(Confirm::Upload { forced: false });
            }
            if errors > 0
                && ui
                    .add_enabled(ready && !busy, egui::Button::new("Upload anyway…"))
                    .clicked()
            {
                self.confirm = Some(Confirm::Upload { forced: true });
            }
            if busy {
                ui.spinner();
                if ui.button("Cancel").clicked()
                    && let Some(r) = &self.running
                {
                    r.cancel.store(true, Ordering::Relaxed);
                }
            }
        });
    }

    /// Where an upload goes, in lines for the confirmation: target, region, certificate authority,
    /// trunk (or endpoint and method), and how many certificates.
    pub(super) fn destination(&self, report: &Report) -> Vec<String> {
        let mut lines = Vec::new();
        let target = match self.target() {
            Ok(t) => t,
            Err(e) => return vec![e],
        };
        match &target {
            Target::Genesys(g) => {
                if self.prefs.choice == TargetChoice::Sandbox {
                    lines.push(
                        "Target: the local sandbox — a rehearsal; nothing is sent to Genesys Cloud"
                            .into(),
                    );
                } else {
                    lines.push(format!(
                        "Target: Genesys Cloud, region {}",
                        crate::engine::text::escape(g.region.as_deref().unwrap_or(&g.api_base))
                    ));
                }
                lines.push(format!(
                    "Certificate authority: \"{}\"",
                    crate::engine::text::escape(&g.ca_name)
                ));
                lines.push(match self.chosen_trunk() {
                    Some(t) => format!(
                        "Trunk: \"{}\" ({})",
                        crate::engine::text::escape(&t.name),
                        crate::engine::text::escape(&t.id)
                    ),
                    None => "Trunk: none chosen (no pre-flight on a trunk)".into(),
                });
            }
            Target::Rest(r) => {
                lines.push(format!(
                    "Target: REST endpoint {} {}",
                    r.method,
                    crate::engine::text::escape(&r.upload_url().unwrap_or_default())
                ));
            }
            Target::AudioCodes(_) | Target::Files(_) => {
                lines.push(format!(
                    "Target: LIVE — {}",
                    crate::gui::rotation::destination(&target)
                ));
                lines.extend(device::key_lines(
                    &target,
                    &self.prefs.key_file,
                    &self.prefs.verify,
                ));
            }
        }
        if let Ok(p) = upload::payload_for(&target, report, false, None) {
            // By name and expiry, the SHA-256 prefix after: what the admin knows them by first.
            lines.push(format!("Certificates: {}", p.fingerprints.len()));
            let names = p.names();
            for (name, sha256) in names.iter().zip(&p.fingerprints) {
                lines.push(format!(
                    "  · {name} (SHA-256 {})",
                    short_fingerprint(sha256)
                ));
            }
        }
        lines
    }
}

/// The pre-flight checklist of an upload.
struct Preflight {
    lines: Vec<(Option<bool>, String)>,
    ready: bool,
    errors: usize,
}

/// "Will send N certificate(s) to WHERE: NAMES".
fn sends_words(t: &Target, p: &upload::Payload) -> String {
    let destination = match t {
        Target::Genesys(g) => g.api_base.clone(),
        Target::Rest(r) => r.upload_url().unwrap_or_default(),
        Target::AudioCodes(a) => a.endpoint(),
        Target::Files(f) => f.endpoint(),
    };
    format!(
        "Will send {} certificate(s) to {}: {}{}",
        p.fingerprints.len(),
        crate::engine::text::escape(&destination),
        p.display_names().join(", "),
        // A certificate authority takes the CA certificates, root included: not the "bundle" the
        // banner counts (leaf and intermediates).
        if t.kind() == "genesys" {
            " (the CA part of the chain, root included)"
        } else {
            ""
        },
    )
}
