//! The chain view: one card per certificate, leaf to root, the arrows between them, the Left-out list, and the Details window.

use super::*;

/// What the chain view remembers: the certificate selected (from a finding) and the one whose
/// Details window is open.
#[derive(Debug, Default)]
pub(super) struct ChainView {
    pub selected: Option<Fingerprint>,
    pub details: Option<Fingerprint>,
}

impl App {
    pub(super) fn ui_chain(&mut self, ui: &mut egui::Ui) {
        let Some(report) = self.report.clone() else {
            return;
        };
        let options = self.check_options();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if report.chain.is_empty() {
                    ui.label("No certificate could be loaded. The findings list says why.");
                }
                for (i, entry) in report.chain.iter().enumerate() {
                    self.ui_card(ui, entry, &report, &options);
                    if i + 1 < report.chain.len() {
                        ui_arrow(ui, entry.signature);
                    } else {
                        self.ui_chain_top(ui, entry, &report);
                    }
                }
                self.ui_left_out(ui, &report);
                if self.leaf_pin.is_some() || self.via.is_some() {
                    ui.horizontal(|ui| {
                        if self.leaf_pin.is_some() && ui.button("Unpin the leaf").clicked() {
                            self.commands.push(Command::PinLeaf(None));
                        }
                        if self.via.is_some() && ui.button("Back to the best path").clicked() {
                            self.commands.push(Command::PreferPathThrough(None));
                        }
                    });
                }
            });
    }

    /// Below the last card: the public root the chain ends at, or, when it is incomplete, what is
    /// missing, with "Add issuer file…" and "Fetch missing issuer".
    fn ui_chain_top(&mut self, ui: &mut egui::Ui, entry: &engine::ChainEntry, report: &Report) {
        if let AnchorKind::Public(subject) = &report.anchor {
            ui_arrow(ui, entry.signature);
            ui.horizontal(|ui| {
                ui.add_space(24.0);
                ui.label(
                    RichText::new(format!("🔒 Public root (Mozilla set): {subject}")).strong(),
                );
            });
            ui.weak("   The root is not in the bundle; clients already have it.");
        } else if report.anchor == AnchorKind::None {
            ui.add_space(6.0);
            ui.colored_label(
                ui.visuals().error_fg_color,
                "✖ No issuer found above this certificate: the chain is incomplete",
            );
            ui.horizontal(|ui| {
                if ui
                    .button("Add issuer file…")
                    .on_hover_text(format!(
                        "Add the certificate of \"{}\" (from your CA)",
                        entry.cert.issuer
                    ))
                    .clicked()
                {
                    self.commands.push(Command::Pick(PickRequest::Files));
                }
                ui.weak(format!("missing: {}", entry.cert.issuer));
            });
            if let Some(url) = entry.cert.aia_ca_issuers.first() {
                let url = crate::engine::text::escape(url);
                ui.horizontal(|ui| {
                    let button = ui
                        .add_enabled(
                            self.fetch_task.is_none(),
                            egui::Button::new("Fetch missing issuer"),
                        )
                        .on_hover_text(format!(
                            "Download it from {url}; it is added only if its signature verifies"
                        ));
                    if button.clicked() {
                        self.commands.push(Command::FetchMissing);
                    }
                    ui.weak(url.as_ref());
                });
            }
        }
    }

    /// The certificates and files left out of the bundle, each with why and what can be done.
    fn ui_left_out(&mut self, ui: &mut egui::Ui, report: &Report) {
        let other_files = self.other_files(report);
        if !report.excluded.is_empty() || !other_files.is_empty() {
            ui.add_space(16.0);
            ui.separator();
            ui.heading(format!(
                "Left out of the bundle ({})",
                report.excluded.len() + other_files.len()
            ));
            for file in &other_files {
                ui.horizontal(|ui| {
                    ui.label(RichText::new(file.code.as_str()).monospace().small());
                    ui.label(file_name(&file.source))
                        .on_hover_text(file.source.as_str());
                    ui.weak(file.what.as_str());
                    if ui
                        .small_button("Remove")
                        .on_hover_text("Remove this file from the inputs")
                        .clicked()
                    {
                        self.commands.push(Command::RemoveFile(file.source.clone()));
                    }
                });
            }
            let row_height = ui.spacing().interact_size.y + 4.0;
            egui::ScrollArea::vertical()
                .id_salt("excluded")
                .max_height(260.0)
                .show_rows(ui, row_height, report.excluded.len(), |ui, range| {
                    for e in &report.excluded[range] {
                        ui.horizontal(|ui| {
                            ui.label(RichText::new(e.reason.as_str()).monospace().small());
                            ui.label(e.cert.display_name())
                                .on_hover_text(format!("{}\n{}", e.cert.subject, e.source));
                            ui.weak(file_name(&e.source));
                            if e.reason == Code::ChainPreviousLeaf {
                                ui.weak(format!(
                                    "valid until {}",
                                    crate::engine::checks::date(e.cert.not_after)
                                ));
                            }
                            let is_candidate_leaf = !e.cert.is_ca();
                            let pin_label = if e.reason == Code::ChainPreviousLeaf {
                                "Use this one instead"
                            } else {
                                "Use as leaf"
                            };
                            if is_candidate_leaf
                                && e.reason != Code::ChainDuplicate
                                && ui.small_button(pin_label).clicked()
                            {
                                self.commands.push(Command::PinLeaf(Some(e.cert.sha256)));
                            }
                            if e.reason == Code::ChainAlternatePath
                                && ui.small_button("Use this path").clicked()
                            {
                                self.commands
                                    .push(Command::PreferPathThrough(Some(e.cert.sha256)));
                            }
                            if e.reason != Code::ChainDuplicate
                                && ui.small_button("Remove").clicked()
                            {
                                self.commands.push(Command::Remove(e.cert.sha256));
                            }
                        });
                    }
                });
        }
    }

    /// Input files that brought no certificate: private keys (with whether each is the leaf's) and
    /// leftovers found in a folder (`input.ignored`), for the Left-out list.
    pub(super) fn other_files(&self, report: &Report) -> Vec<OtherFile> {
        use crate::engine::key::{self, KeyOwner};
        let leaf = report.leaf().map(|e| e.cert.as_ref());
        let mut files: Vec<OtherFile> = self
            .loaded
            .keys
            .iter()
            .map(|found| {
                let what = match key::owner(found, leaf, &self.loaded.certificates) {
                    KeyOwner::Leaf => "private key: the leaf's (never bundled)".to_string(),
                    KeyOwner::OtherCertificate => {
                        "private key of another certificate here (never bundled)".to_string()
                    }
                    KeyOwner::Nobody if leaf.is_some() => {
                        "private key that does NOT match the leaf (never bundled)".to_string()
                    }
                    KeyOwner::Nobody => "private key (never bundled)".to_string(),
                    KeyOwner::Unread => match &found.public {
                        Err(why) => format!("private key: {}", why.words()),
                        Ok(_) => "private key (never bundled)".to_string(),
                    },
                };
                OtherFile {
                    code: Code::InputPrivateKey,
                    source: found.source.clone(),
                    what,
                }
            })
            .collect();
        files.extend(self.loaded.ignored.iter().map(|(source, what)| OtherFile {
            code: Code::InputIgnored,
            source: source.clone(),
            what: format!("{what}, not a certificate"),
        }));
        files.dedup_by(|a, b| a.source == b.source && a.code == b.code);
        files
    }

    pub(super) fn ui_card(
        &mut self,
        ui: &mut egui::Ui,
        entry: &engine::ChainEntry,
        report: &Report,
        options: &CheckOptions,
    ) {
        let cert = &entry.cert;
        let selected = self.chain_view.selected == Some(cert.sha256);
        let problems = report
            .findings
            .iter()
            .filter(|f| f.sha256 == Some(cert.sha256) && f.severity == Severity::Error)
            .count();
        let visuals = ui.visuals().clone();
        let stroke = if selected {
            egui::Stroke::new(2.0, visuals.selection.stroke.color)
        } else if problems > 0 {
            egui::Stroke::new(1.5, visuals.error_fg_color)
        } else {
            visuals.widgets.noninteractive.bg_stroke
        };
        let response = egui::Frame::group(ui.style())
            .stroke(stroke)
            .fill(visuals.faint_bg_color)
            .inner_margin(10.0)
            .corner_radius(8.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                self.ui_card_header(ui, entry, problems);
                for finding in report
                    .findings
                    .iter()
                    .filter(|f| f.sha256 == Some(cert.sha256) && f.severity != Severity::Info)
                {
                    let (icon, color) = if finding.severity == Severity::Error {
                        ("✖", visuals.error_fg_color)
                    } else {
                        ("⚠", visuals.warn_fg_color)
                    };
                    ui.add(
                        egui::Label::new(
                            RichText::new(format!("{icon} {}", drawable(&finding.message)))
                                .color(color),
                        )
                        .wrap(),
                    );
                }
                ui.label(format!("Issued by: {}", cert.issuer));
                ui_validity(ui, cert, options);
                if let Some(revocation) = &entry.revocation {
                    revocation::ui_revocation_line(ui, revocation);
                }
                ui_card_names(ui, entry, options);
                self.ui_card_key_line(ui, cert);
            })
            .response;
        // No tooltip over a card: it would sit on the cards below it (the Details button says it).
        if response.interact(egui::Sense::click()).clicked() {
            self.commands.push(Command::Select(cert.sha256));
            self.commands.push(Command::ShowDetails(Some(cert.sha256)));
        }
    }

    /// A card's first line: the role badge, OK or the count of problems, the name and organisation,
    /// and the Details and Remove buttons.
    fn ui_card_header(&mut self, ui: &mut egui::Ui, entry: &engine::ChainEntry, problems: usize) {
        let cert = &entry.cert;
        let visuals = ui.visuals().clone();
        ui.horizontal(|ui| {
            let (badge, color) = match entry.role {
                Role::Leaf => ("LEAF", Color32::from_rgb(0x2b, 0x6c, 0xb0)),
                Role::Intermediate => ("INTERMEDIATE", Color32::from_rgb(0x6b, 0x46, 0xc1)),
                Role::Root => ("ROOT", Color32::from_rgb(0x2f, 0x85, 0x5a)),
            };
            egui::Frame::NONE
                .fill(color)
                .corner_radius(4.0)
                .inner_margin(egui::Margin::symmetric(6, 2))
                .show(ui, |ui| {
                    ui.label(RichText::new(badge).color(Color32::WHITE).strong().small());
                });
            if problems > 0 {
                ui.colored_label(visuals.error_fg_color, format!("✖ {problems} problem(s)"));
            } else {
                ui.colored_label(Color32::from_rgb(0x2f, 0x9e, 0x44), "✔ OK");
            }
            // The buttons first (right-aligned), then the name in what is left, cut short
            // rather than drawn under them.
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if entry.in_input
                    && ui
                        .small_button("Remove")
                        .on_hover_text("Remove this certificate from the pile")
                        .clicked()
                {
                    self.commands.push(Command::Remove(cert.sha256));
                }
                if ui.small_button("Details").clicked() {
                    self.commands.push(Command::ShowDetails(Some(cert.sha256)));
                }
                ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                    ui.add(
                        egui::Label::new(RichText::new(cert.display_name()).strong().size(16.0))
                            .truncate(),
                    );
                    if let Some(o) = &cert.subject_organization {
                        ui.add(egui::Label::new(RichText::new(o).weak()).truncate());
                    }
                });
            });
        });
    }

    /// A card's last line: key, signature algorithm, the fingerprint (click to copy), the file.
    fn ui_card_key_line(&mut self, ui: &mut egui::Ui, cert: &engine::Certificate) {
        ui.horizontal_wrapped(|ui| {
            ui.weak("Key:");
            ui.label(cert.key.to_string());
            ui.weak("Signature:");
            ui.label(cert.signature_algorithm.name());
            ui.weak("SHA-256:");
            if ui
                .link(RichText::new(cert.sha256.short()).monospace())
                .on_hover_text("Click to copy the full SHA-256 fingerprint")
                .clicked()
            {
                self.commands.push(Command::Copy(cert.sha256.hex()));
            }
            ui.weak("File:");
            ui.label(file_name(&cert.source))
                .on_hover_text(&cert.source);
        });
    }

    pub(super) fn ui_details(&mut self, ctx: &egui::Context) {
        let Some(fp) = self.chain_view.details else {
            return;
        };
        let Some(cert) = self
            .loaded
            .certificates
            .iter()
            .chain(self.roots.iter().flat_map(|r| r.certificates.iter()))
            .find(|c| c.sha256 == fp)
            .cloned()
        else {
            self.chain_view.details = None;
            return;
        };
        // Esc closes the details (the upload and probe windows close on Esc the same way).
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.chain_view.details = None;
            return;
        }
        let mut open = true;
        egui::Window::new("Certificate details")
            .id(egui::Id::unique("details"))
            .open(&mut open)
            .default_width(640.0)
            .default_height(560.0)
            .show(ctx, |ui| {
                crate::gui::focus::trapped(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        egui::Grid::new("fields")
                            .num_columns(2)
                            .striped(true)
                            .show(ui, |ui| {
                                let rows = [
                                    ("Subject", cert.subject.clone()),
                                    ("Issuer", cert.issuer.clone()),
                                    ("Serial", cert.serial_hex()),
                                    ("Valid from", rfc3339(cert.not_before)),
                                    ("Valid until", rfc3339(cert.not_after)),
                                    ("Key", cert.key.to_string()),
                                    ("Signature", cert.signature_algorithm.name().to_string()),
                                    ("SHA-256", cert.sha256.hex()),
                                    ("File", cert.source.clone()),
                                ];
                                for (k, v) in rows {
                                    ui.label(k);
                                    ui.add(egui::Label::new(v).wrap());
                                    ui.end_row();
                                }
                            });
                        ui.add_space(8.0);
                        ui.heading("Extensions");
                        egui::Grid::new("extensions")
                            .num_columns(2)
                            .striped(true)
                            .show(ui, |ui| {
                                for ext in &cert.extensions {
                                    let name = if ext.critical {
                                        format!("{} (critical)", ext.name)
                                    } else {
                                        ext.name.clone()
                                    };
                                    ui.label(name).on_hover_text(&ext.oid);
                                    ui.add(egui::Label::new(&ext.value).wrap());
                                    ui.end_row();
                                }
                            });
                        ui.add_space(8.0);
                        let pem = engine::pem::encode("CERTIFICATE", &cert.der);
                        ui.horizontal(|ui| {
                            ui.heading("PEM");
                            if ui.button("Copy PEM").clicked() {
                                self.commands.push(Command::Copy(pem.clone()));
                            }
                        });
                        let mut shown = pem.as_str();
                        ui.add(
                            egui::TextEdit::multiline(&mut shown)
                                .code_editor()
                                .desired_width(f32::INFINITY),
                        );
                    });
                })
            });
        if !open {
            self.chain_view.details = None;
        }
    }
}

pub(super) fn ui_arrow(ui: &mut egui::Ui, signature: Option<SignatureCheck>) {
    ui.horizontal(|ui| {
        ui.add_space(24.0);
        ui.label(RichText::new("⬇").size(20.0));
        match signature {
            Some(SignatureCheck::Valid) => ui.colored_label(
                Color32::from_rgb(0x2f, 0x9e, 0x44),
                "✔ issued by the certificate below: signature verified",
            ),
            Some(SignatureCheck::Invalid) => {
                ui.colored_label(ui.visuals().error_fg_color, "✖ signature does NOT verify")
            }
            Some(SignatureCheck::Unverifiable(_)) => ui.colored_label(
                ui.visuals().warn_fg_color,
                "⚠ signature algorithm cannot be checked",
            ),
            None => ui.weak("issuer"),
        };
    });
}

pub(super) fn ui_validity(
    ui: &mut egui::Ui,
    cert: &crate::engine::Certificate,
    options: &CheckOptions,
) {
    use crate::engine::checks::{Validity, expiry_words, relative_words, validity_at};
    let (not_before, not_after, at) = (cert.not_before, cert.not_after, options.at);
    // The engine's own rule (the findings use it too): one expiry rule everywhere.
    let (color, text) = match validity_at(cert, options) {
        Validity::Expired => (
            ui.visuals().error_fg_color,
            format!("✖ {}", expiry_words(not_after, at, options.at_is_now)),
        ),
        Validity::NotYetValid => (
            ui.visuals().error_fg_color,
            format!(
                "✖ not yet valid: valid from {}",
                relative_words(not_before, at, options.at_is_now)
            ),
        ),
        Validity::ExpiringSoon => (
            ui.visuals().warn_fg_color,
            format!("⚠ {}", expiry_words(not_after, at, options.at_is_now)),
        ),
        Validity::Valid => (
            Color32::from_rgb(0x2f, 0x9e, 0x44),
            format!("✔ {}", expiry_words(not_after, at, options.at_is_now)),
        ),
    };
    ui.horizontal(|ui| {
        ui.label(format!(
            "{} to {}",
            crate::engine::checks::date(not_before),
            crate::engine::checks::date(not_after)
        ));
        let span = (not_after - not_before).max(1) as f32;
        let elapsed = ((at - not_before) as f32 / span).clamp(0.0, 1.0);
        let (rect, _) = ui.allocate_exact_size(egui::vec2(160.0, 8.0), egui::Sense::hover());
        ui.painter()
            .rect_filled(rect, 4.0, ui.visuals().widgets.inactive.bg_fill);
        let mut used = rect;
        used.set_width(rect.width() * elapsed);
        ui.painter().rect_filled(used, 4.0, color);
        ui.colored_label(color, text);
    });
}

pub(super) fn file_name(source: &str) -> String {
    // Not files: shown as they are ("fetched from http://…", "served #2", "pasted text").
    if source.starts_with("fetched from ")
        || source.starts_with("served #")
        || !source.contains(std::path::is_separator)
    {
        return source.to_string();
    }
    Path::new(source)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| source.to_string())
}

/// A card's names (subjectAltName), the one matching the host name marked.
fn ui_card_names(ui: &mut egui::Ui, entry: &engine::ChainEntry, options: &CheckOptions) {
    let cert = &entry.cert;
    let visuals = ui.visuals().clone();
    if !cert.sans.is_empty() {
        let matched = match (&options.host, entry.role) {
            (Some(host), Role::Leaf) => {
                hostname::find_match(cert, host, options.profile == Profile::SipMutualTls)
            }
            _ => None,
        };
        ui.horizontal_wrapped(|ui| {
            ui.weak("Names:");
            for san in cert.sans.iter().take(24) {
                let is_match = match (&matched, san) {
                    (Some(NameMatch::Dns(d)), San::Dns(s)) => d == s,
                    (Some(NameMatch::Ip(a)), San::Ip(b)) => a == b,
                    (Some(NameMatch::SipUri(u)), San::Uri(s)) => u == s,
                    _ => false,
                };
                let text = if is_match {
                    format!("✔ {san}")
                } else {
                    san.to_string()
                };
                let fill = if is_match {
                    Color32::from_rgb(0x2f, 0x9e, 0x44)
                } else {
                    visuals.widgets.inactive.bg_fill
                };
                let color = if is_match {
                    Color32::WHITE
                } else {
                    visuals.text_color()
                };
                egui::Frame::NONE
                    .fill(fill)
                    .corner_radius(10.0)
                    .inner_margin(egui::Margin::symmetric(8, 2))
                    .show(ui, |ui| {
                        ui.label(RichText::new(text).color(color).small());
                    })
                    .response
                    .on_hover_text(if is_match {
                        "matches the host name"
                    } else {
                        ""
                    });
            }
            if cert.sans.len() > 24 {
                ui.weak(format!("+{} more (Details)", cert.sans.len() - 24));
            }
        });
    }
}
