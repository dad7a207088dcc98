//! The target form of the Rotation window: one target's fields, and plan errors told by field.

use super::*;

impl RotationPanel {
    /// The plan form; returns whether anything changed.
    pub(super) fn ui_form(&mut self, ui: &mut egui::Ui) -> bool {
        let mut changed = false;
        let d = &mut self.draft;
        egui::Grid::new("rotation-bundle")
            .num_columns(2)
            .show(ui, |ui| {
                let mut inputs = d.bundle.inputs.join(", ");
                if text_row(ui, "Bundle files", &mut inputs) {
                    d.bundle.inputs = inputs
                        .split(',')
                        .map(|s| crate::files::unquoted(s).to_string())
                        .filter(|s| !s.is_empty())
                        .collect();
                    changed = true;
                }
                changed |= option_row(ui, "Plan host name", &mut d.bundle.host);
            });
        let mut remove = None;
        for (i, t) in d.targets.iter_mut().enumerate() {
            ui.push_id(i, |ui| {
                ui.group(|ui| {
                    egui::Grid::new("target").num_columns(2).show(ui, |ui| {
                        changed |= text_row(ui, "Name", &mut t.name);
                        ui.label("Kind");
                        ui.horizontal(|ui| {
                            let before = t.kind;
                            ui.radio_value(&mut t.kind, Kind::Genesys, "Genesys Cloud");
                            ui.radio_value(&mut t.kind, Kind::Rest, "REST");
                            ui.radio_value(&mut t.kind, Kind::AudioCodes, "AudioCodes");
                            ui.radio_value(&mut t.kind, Kind::Files, "Files");
                            if t.kind != before {
                                // One form per kind: the other kind's fields do not linger.
                                clear_other_kind(t);
                                changed = true;
                            }
                            if ui.button("Remove").clicked() {
                                remove = Some(i);
                            }
                        });
                        ui.end_row();
                        changed |= kind_rows(ui, t);
                        changed |= option_row(ui, "Verify (host:port)", &mut t.verify);
                        changed |= path_row(ui, "API CA file", &mut t.ca_file);
                        changed |= option_row(ui, "Secret variable", &mut t.secret_env);
                    });
                });
            });
        }
        if let Some(i) = remove {
            d.targets.remove(i);
            changed = true;
        }
        ui.horizontal(|ui| {
            if ui.button("Add Genesys target").clicked() {
                d.targets.push(TargetSection {
                    name: format!("Target {}", d.targets.len() + 1),
                    kind: Kind::Genesys,
                    region: Some("euw2.pure.cloud".into()),
                    ..TargetSection::default()
                });
                changed = true;
            }
            if ui.button("Add REST target").clicked() {
                d.targets.push(TargetSection {
                    name: format!("Target {}", d.targets.len() + 1),
                    kind: Kind::Rest,
                    ..TargetSection::default()
                });
                changed = true;
            }
        });
        changed
    }
}

/// The fields of `t`'s kind (one form per kind); whether any changed.
fn kind_rows(ui: &mut egui::Ui, t: &mut TargetSection) -> bool {
    let mut changed = false;
    match t.kind {
        Kind::Genesys => {
            changed |= option_row(ui, "Region", &mut t.region);
            changed |= option_row(ui, "API base", &mut t.api_base);
            changed |= option_row(ui, "Login base", &mut t.login_base);
            changed |= option_row(ui, "Client id", &mut t.client_id);
            changed |= option_row(ui, "CA name", &mut t.ca_name);
        }
        Kind::Rest => {
            changed |= path_row(ui, "Definition file", &mut t.definition);
        }
        Kind::AudioCodes => {
            changed |= option_row(ui, "Device URL", &mut t.url);
            changed |= option_row(ui, "User", &mut t.user);
            let mut context = t.context.map(|c| c.to_string()).unwrap_or_default();
            ui.label("TLS context");
            if ui.text_edit_singleline(&mut context).changed() {
                t.context = context.trim().parse().ok();
                changed = true;
            }
            ui.end_row();
            changed |= path_row(ui, "Previous key", &mut t.previous_key);
        }
        Kind::Files => {
            changed |= option_row(ui, "Certificate path", &mut t.certificate);
            changed |= option_row(ui, "Private key path", &mut t.private_key);
            changed |= option_row(ui, "Reload command", &mut t.reload);
            changed |= option_row(ui, "SSH (user@host:port)", &mut t.ssh);
            changed |= path_row(ui, "Known hosts", &mut t.known_hosts);
            changed |= path_row(ui, "SSH identity", &mut t.identity);
        }
    }
    changed
}

pub(super) fn text_row(ui: &mut egui::Ui, label: &str, value: &mut String) -> bool {
    let l = ui.label(label);
    let changed = ui.text_edit_singleline(value).labelled_by(l.id).changed();
    ui.end_row();
    changed
}

/// [`option_row`] for a file path: a pasted "quoted path" (Explorer's Copy as path) is taken without
/// its quotes.
pub(super) fn path_row(ui: &mut egui::Ui, label: &str, value: &mut Option<String>) -> bool {
    let changed = option_row(ui, label, value);
    if changed && let Some(v) = value.as_mut() {
        *v = crate::files::unquoted(v).to_string();
    }
    changed
}

pub(super) fn option_row(ui: &mut egui::Ui, label: &str, value: &mut Option<String>) -> bool {
    let mut text = value.clone().unwrap_or_default();
    let changed = text_row(ui, label, &mut text);
    if changed {
        *value = Some(text).filter(|t| !t.trim().is_empty());
    }
    changed
}

/// What a plan without a target says: a step still to take, not an error.
pub(super) const NO_TARGET: &str = "No target yet";

/// What the plan says while a REST definition file is being read.
pub(super) const READING: &str = "reading the REST definition file…";

/// A plan error in the form's words: the target and the form field it is about, instead of a line
/// number of a TOML text the admin never saw.
pub(super) fn form_error(e: &plan::PlanError) -> String {
    let message = match e {
        plan::PlanError::At { message, .. } => message.clone(),
        plan::PlanError::Read { .. } => return e.to_string(),
    };
    const FIELDS: [(&str, &str); 12] = [
        ("region", "Region"),
        ("client_id", "Client id"),
        ("ca_name", "CA name"),
        ("api_base", "API base"),
        ("login_base", "Login base"),
        ("description", "Description"),
        ("trunk", "Trunk"),
        ("definition", "Definition file"),
        ("secret_env", "Secret variable"),
        ("pin_sha256", "Pinned SHA-256"),
        ("ca_file", "API CA file"),
        ("timeout", "Timeout"),
    ];
    if let Some(rest) = message.strip_prefix("[bundle] inputs: ") {
        return format!("Bundle files: {rest}");
    }
    if message.starts_with("no [[target]]") {
        return format!("{NO_TARGET}: add one with Add Genesys target or Add REST target");
    }
    let Some(rest) = message.strip_prefix("target \"") else {
        return message;
    };
    let Some((name, rest)) = rest.split_once("\": ") else {
        return message;
    };
    let field = FIELDS.iter().find(|(key, _)| {
        rest.starts_with(key)
            && !rest[key.len()..].starts_with(|c: char| c == '_' || c.is_alphanumeric())
    });
    match field {
        Some((key, label)) => {
            let said = rest[key.len()..].trim_start_matches([':', ' ']);
            format!("Target \"{name}\" · {label}: {said}")
        }
        None => format!("Target \"{name}\": {rest}"),
    }
}

/// Clears the fields of the kind `t` is not (after the kind was switched in the form).
pub(super) fn clear_other_kind(t: &mut TargetSection) {
    if t.kind != Kind::AudioCodes {
        t.url = None;
        t.user = None;
        t.context = None;
        t.job = None;
        t.trusted_roots = None;
        t.previous_key = None;
        t.key_rollback = None;
    }
    if t.kind != Kind::Files {
        t.certificate = None;
        t.private_key = None;
        t.ca_list = None;
        t.reload = None;
        t.reload_expect = None;
        t.ssh = None;
        t.known_hosts = None;
        t.identity = None;
    }
    if !matches!(t.kind, Kind::AudioCodes | Kind::Files) {
        t.job = None;
        t.trusted_roots = None;
        t.trust.clear();
    }
    match t.kind {
        Kind::Rest | Kind::AudioCodes | Kind::Files => {
            if t.kind != Kind::Rest {
                t.definition = None;
            }
            t.region = None;
            t.client_id = None;
            t.ca_name = None;
            t.description = None;
            t.trunk = None;
            t.trunks.clear();
            t.api_base = None;
            t.login_base = None;
        }
        Kind::Genesys => {
            t.definition = None;
            if t.region.is_none() && t.api_base.is_none() {
                t.region = Some("euw2.pure.cloud".into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        let e = plan::parse(Path::new("/plans/rotation.toml"), text).unwrap_err();
        form_error(&e)
    }

    #[test]
    fn plan_errors_name_the_form_field_not_a_toml_line() {
        let bundle = "[bundle]\ninputs = [\"new/\"]\n";
        assert_eq!(
            error_of(bundle),
            "No target yet: add one with Add Genesys target or Add REST target"
        );
        let e = error_of(&format!(
            "{bundle}[[target]]\nname = \"EU\"\nkind = \"rest\"\nregion = \"euw2.pure.cloud\"\n"
        ));
        assert!(e.starts_with("Target \"EU\" · Region: is for kind"), "{e}");
        assert!(!e.contains("line"), "{e}");
        let e = error_of(&format!(
            "{bundle}[[target]]\nname = \"EU\"\nkind = \"genesys\"\nca_name = \"A\"\n"
        ));
        assert_eq!(
            e,
            "Target \"EU\" · Client id: the Genesys Cloud OAuth client id is needed"
        );
        assert_eq!(
            error_of("[bundle]\ninputs = []\n[[target]]\nname = \"x\"\nkind = \"rest\"\n"),
            "Bundle files: name the certificate files or folders (relative to the plan)"
        );
    }
}
