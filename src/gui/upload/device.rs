//! The Upload window's forms for the devices that serve the certificate themselves: an AudioCodes
//! SBC's TLS context and a SIP server's files. Both take the leaf's private key (a file named here,
//! read on the worker when the run starts) and may name the endpoint to probe afterwards.

use eframe::egui;

use crate::prefs::{AudioCodesForm, FilesForm};
use crate::upload::audiocodes::{Job, KeyRollback, TrustedRoots};
use crate::upload::{AudioCodesTarget, FilesTarget, Target};

const WIDTH: f32 = 360.0;

fn row(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str) {
    let label = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(WIDTH),
    )
    .labelled_by(label.id);
    ui.end_row();
}

/// A path field: what was pasted with Explorer's quotes is kept without them.
fn path_row(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str) {
    row(ui, label, value, hint);
    let unquoted = crate::files::unquoted(value);
    if unquoted.len() != value.len() {
        *value = unquoted.to_string();
    }
}

/// The fields both device forms share: the leaf's key and the endpoint to probe.
pub fn ui_key_and_verify(ui: &mut egui::Ui, key_file: &mut String, verify: &mut String) {
    path_row(
        ui,
        "Leaf's private key",
        key_file,
        "sbc1-2026.key (checked against the leaf first)",
    );
    row(
        ui,
        "Verify (host:port)",
        verify,
        "sbc1.example.net:5061 (optional)",
    );
}

pub fn ui_audiocodes(ui: &mut egui::Ui, form: &mut AudioCodesForm) {
    row(
        ui,
        "Device URL",
        &mut form.url,
        "https://sbc1-mgmt.example.net",
    );
    row(
        ui,
        "User",
        &mut form.user,
        "a Local Users account, Administrator",
    );
    row(ui, "TLS context", &mut form.context, "1");
    let label = ui.label("Trusted roots");
    egui::ComboBox::from_id_salt("trusted-roots")
        .selected_text(roots_words(form.trusted_roots))
        .show_ui(ui, |ui| {
            for choice in [TrustedRoots::Keep, TrustedRoots::Add, TrustedRoots::Replace] {
                ui.selectable_value(&mut form.trusted_roots, choice, roots_words(choice));
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    path_row(
        ui,
        "Previous key",
        &mut form.previous_key,
        "the key of what the device holds now (for a rollback)",
    );
    ui.label("");
    ui.checkbox(
        &mut form.no_key_rollback,
        "No previous key: this change cannot be rolled back",
    );
    ui.end_row();
    ui.label("");
    ui.checkbox(
        &mut form.leaf_only,
        "Device certificate without intermediates (they go to the trusted roots)",
    );
    ui.end_row();
}

fn roots_words(choice: TrustedRoots) -> &'static str {
    match choice {
        TrustedRoots::Keep => "keep as they are",
        TrustedRoots::Add => "add the bundle's CA certificates",
        TrustedRoots::Replace => "replace with the bundle's CA certificates",
    }
}

pub fn ui_files(ui: &mut egui::Ui, form: &mut FilesForm) {
    row(
        ui,
        "Certificate file",
        &mut form.certificate,
        "/etc/kamailio/tls/server.pem (on the server)",
    );
    row(
        ui,
        "Key file",
        &mut form.private_key,
        "/etc/kamailio/tls/server.key (on the server)",
    );
    row(ui, "Reload command", &mut form.reload, "kamcmd tls.reload");
    row(
        ui,
        "Reload prints",
        &mut form.reload_expect,
        "TLS configuration reloaded (optional)",
    );
    row(
        ui,
        "SSH",
        &mut form.ssh,
        "user@host:port (empty: this machine)",
    );
    path_row(
        ui,
        "Known hosts",
        &mut form.known_hosts,
        "the file with the host's key",
    );
    path_row(
        ui,
        "SSH key",
        &mut form.identity,
        "the key ssh logs in with",
    );
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn optional_path(text: &str) -> Option<std::path::PathBuf> {
    optional(crate::files::unquoted(text)).map(std::path::PathBuf::from)
}

/// The AudioCodes target the form describes, or what is missing.
pub fn audiocodes_target(form: &AudioCodesForm) -> Result<Target, String> {
    let context = form.context.trim().parse::<u32>().map_err(|_| {
        "Enter the TLS context's index (a number, from the device's TLS Contexts table)".to_string()
    })?;
    let previous_key = optional_path(&form.previous_key);
    if previous_key.is_none() && !form.no_key_rollback {
        return Err(
            "Name the previous key (the key of the certificate the device holds now), or tick \"No previous key\""
                .into(),
        );
    }
    let target = AudioCodesTarget {
        url: form.url.trim().to_string(),
        user: form.user.trim().to_string(),
        context,
        job: Job::Certificate,
        trusted_roots: form.trusted_roots,
        previous_key,
        key_rollback: if form.no_key_rollback {
            KeyRollback::None
        } else {
            KeyRollback::PreviousKey
        },
        leaf_only: form.leaf_only,
    };
    target.check().map_err(|e| e.to_string())?;
    Ok(Target::AudioCodes(target))
}

/// The files target the form describes, or what is missing.
pub fn files_target(form: &FilesForm) -> Result<Target, String> {
    let target = FilesTarget {
        certificate: optional(&form.certificate),
        private_key: optional(&form.private_key),
        ca_list: None,
        trusted_roots: TrustedRoots::Keep,
        reload: optional(&form.reload),
        reload_expect: optional(&form.reload_expect),
        ssh: optional(&form.ssh),
        known_hosts: optional_path(&form.known_hosts),
        identity: optional_path(&form.identity),
        job: Job::Certificate,
    };
    target.check().map_err(|e| e.to_string())?;
    Ok(Target::Files(target))
}

/// What the confirmation says of the key and the rollback of a device target.
pub fn key_lines(target: &Target, key_file: &str, verify: &str) -> Vec<String> {
    let mut lines = Vec::new();
    if target.takes_key() {
        lines.push(format!(
            "Private key: {} — goes to this destination only, checked to be the leaf's before anything is sent",
            crate::files::unquoted(key_file)
        ));
    }
    if let Target::AudioCodes(a) = target {
        lines.push(match (&a.previous_key, a.key_rollback) {
            (_, KeyRollback::None) => {
                "No previous key: Chainsmith cannot roll this change back (key_rollback = \"none\")"
                    .to_string()
            }
            (Some(p), _) => format!(
                "Previous key: {} — checked to be the key of what the device holds before any change",
                p.display()
            ),
            (None, _) => "No previous key named".to_string(),
        });
    }
    if let Some(endpoint) = optional(verify) {
        lines.push(format!(
            "Then probes {endpoint}: verified only when it serves the bundle"
        ));
    }
    lines
}
