//! The Upload window: target (Genesys Cloud, a REST endpoint, a device, or the local sandbox),
//! credentials (masked; optionally remembered in the OS keychain), the trunk picker with status, a
//! pre-flight checklist, and the steps (authenticate, read current, back up, upload, verify) run on a
//! worker thread with Cancel. It only calls [`crate::upload`].
//!
//! This file owns the panel's state and what it derives from it (the target, the secret, the files
//! named); the rest is one concern a file: [`form`] (the window and its target forms), [`device`]
//! (AudioCodes and file targets), [`preflight`] (the checklist, the destination in words),
//! [`confirm`] (confirmations naming the destination, rollbacks), [`run`] (work on workers and what
//! it reports), [`progress`] (steps, outcome, refused certificates, the audit log).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};

use eframe::egui::{self, Color32, RichText};

use super::jobs::Task;
use crate::engine::Report;
use crate::upload::genesys::{self, Trunk};
use crate::upload::{
    self, Event, GenesysTarget, Phase, Plan, Record, RestAuth, Secret, Secrets, Target, records,
};

pub use crate::prefs::{TargetChoice, UploadPrefs};

mod confirm;
mod device;
mod form;
mod preflight;
mod progress;
mod run;

/// How far a step got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepState {
    Pending,
    Running,
    Done(String),
    Failed,
}

/// The finished run: its record, and the error text (none: verified).
pub struct Finished {
    pub record: Record,
    pub error: Option<String>,
    pub exit_code: u8,
    /// The server's certificate, when it was refused (shown, and offered to be trusted).
    pub refusal: Option<crate::tls::Refusal>,
    /// The audit log as it is after this run (read on the worker).
    audit: Vec<serde_json::Value>,
}

/// What a confirmation is about.
#[derive(Debug, Clone)]
enum Confirm {
    /// Upload the loaded bundle; `forced`: past its error findings.
    Upload { forced: bool },
    /// Put a backup back (from the audit log): where it goes and what it sends, in lines (read from
    /// the backup on a worker), and whether the run it undoes was a sandbox rehearsal (from the audit
    /// entry, never from the tab selected now). `None` lines' first entry: it cannot be done.
    Rollback {
        path: PathBuf,
        lines: Vec<String>,
        /// The rollback, made from the backup on the worker (`None`: it cannot be done).
        plan: Option<Box<Plan>>,
    },
}

struct Running {
    task: Task<Finished>,
    events: Receiver<Event>,
    cancel: Arc<AtomicBool>,
}

/// The Upload window's state.
pub struct UploadPanel {
    pub open: bool,
    pub prefs: UploadPrefs,
    /// Typed into the masked field; empty: the environment variable or the keychain is used.
    secret: String,
    /// The target the typed secret was typed for ([`Target::secret_identity`]): when the form names
    /// another target (or kind), the secret is cleared, never carried across.
    secret_for: Option<String>,
    pub remember: bool,
    pub trunks: Vec<Trunk>,
    pub trunk: Option<String>,
    trunks_task: Option<Task<Result<Vec<Trunk>, String>>>,
    running: Option<Running>,
    pub steps: Vec<(Phase, StepState)>,
    pub notes: Vec<String>,
    pub finished: Option<Finished>,
    /// The confirmation shown before anything is sent.
    confirm: Option<Confirm>,
    /// The target the shown results are for: a result is cleared when the target changes.
    finished_for: Option<TargetChoice>,
    /// The CA file field's value last looked up, and whether it was missing.
    ca_file_checked: Option<(String, bool)>,
    /// The key file field's value when it was last looked up, and whether it was missing.
    key_file_checked: Option<(String, bool)>,
    /// The sandbox, started when first chosen.
    pub sandbox: Option<crate::sandbox::Handle>,
    sandbox_error: Option<String>,
    sandbox_task: Option<Task<Result<crate::sandbox::Handle, String>>>,
    /// Backups and the audit log go here.
    pub data_dir: PathBuf,
    pub message: Option<String>,
    /// The audit log as last read (on opening the window and after each run).
    audit: Vec<serde_json::Value>,
    /// The placeholder values as typed (`trunk=42 site=lon`).
    params_text: String,
    audit_task: Option<Task<Vec<serde_json::Value>>>,
    /// The certificate the admin asked to trust, waiting for the confirmation.
    confirm_trust: Option<crate::tls::Presented>,
    /// A rollback's confirmation being prepared (the backup read on a worker).
    rollback_task: Option<Task<Confirm>>,
}

impl UploadPanel {
    pub fn new(prefs: UploadPrefs) -> Self {
        Self {
            open: false,
            prefs,
            secret: String::new(),
            secret_for: None,
            remember: false,
            trunks: Vec::new(),
            trunk: None,
            trunks_task: None,
            running: None,
            steps: Vec::new(),
            notes: Vec::new(),
            finished: None,
            confirm: None,
            finished_for: None,
            ca_file_checked: None,
            key_file_checked: None,
            sandbox: None,
            sandbox_error: None,
            sandbox_task: None,
            data_dir: records::data_dir(),
            message: None,
            audit: Vec::new(),
            params_text: String::new(),
            audit_task: None,
            confirm_trust: None,
            rollback_task: None,
        }
    }

    /// Opens the window, and reads the audit log on a worker (it grows with every run).
    pub fn show(&mut self, ctx: &egui::Context) {
        self.open = true;
        let data_dir = self.data_dir.clone();
        self.audit_task = Some(Task::spawn("Reading the audit log", ctx, move || {
            records::read_audit(&data_dir)
        }));
    }

    /// Key/value rows on the last run, for the change-ticket report.
    pub fn summary(&self) -> Option<Vec<(String, String)>> {
        let r = &self.finished.as_ref()?.record;
        // Shown text (the ticket's rows): the record's values escaped once here; its error is.
        let shown = crate::engine::text::escaped;
        let entry = serde_json::to_value(r).unwrap_or_default();
        let mut rows = vec![
            ("Time".to_string(), r.time.clone()),
            ("Action".into(), records::action_words(&entry)),
            (
                "Target".into(),
                format!("{} {}", shown(r.target), shown(&r.endpoint)),
            ),
        ];
        for (k, v) in &r.ids {
            rows.push((shown(k), shown(v)));
        }
        rows.push(("Result".into(), r.result.clone()));
        if let Some(e) = &r.error {
            rows.push(("Error".into(), e.clone()));
        }
        rows.push((
            "Changed".into(),
            if r.changed { "yes" } else { "no" }.into(),
        ));
        if let Some(b) = &r.backup {
            rows.push(("Backup".into(), shown(b)));
        }
        if !r.correlation_ids.is_empty() {
            rows.push((
                "Correlation ids".into(),
                shown(&r.correlation_ids.join(", ")),
            ));
        }
        Some(rows)
    }

    pub fn is_busy(&self) -> bool {
        self.running.is_some()
            || self.trunks_task.is_some()
            || self.audit_task.is_some()
            || self.sandbox_task.is_some()
            || self.rollback_task.is_some()
    }

    /// Whether a secret is typed in the masked field (for tests: the value is never exposed).
    pub fn has_typed_secret(&self) -> bool {
        !self.secret.is_empty()
    }

    /// Types the secret (as the masked field does).
    pub fn set_secret(&mut self, text: &str) {
        self.secret = text.to_string();
        self.secret_for = self.target_with(false).ok().map(|t| t.secret_identity());
    }

    /// A typed secret belongs to the target it was typed for: while the field is empty it follows
    /// the form; once typed, a change of target or kind clears it (and says so).
    fn keep_secret_with_its_target(&mut self) {
        let identity = self.target_with(false).ok().map(|t| t.secret_identity());
        if self.secret.is_empty() || self.secret_for.is_none() {
            self.secret_for = identity;
        } else if self.secret_for != identity {
            zeroize::Zeroize::zeroize(&mut self.secret);
            self.secret_for = identity;
            self.message = Some(
                "The typed secret was cleared: the target changed. Type the secret for this target."
                    .into(),
            );
        }
    }

    /// Starts the sandbox on a worker (it binds a port and makes its certificate) the first time.
    fn ensure_sandbox(&mut self, ctx: &egui::Context) {
        if self.sandbox.is_none() && self.sandbox_error.is_none() && self.sandbox_task.is_none() {
            self.sandbox_task = Some(Task::spawn("Starting the sandbox", ctx, || {
                crate::sandbox::start(0, vec![]).map_err(|e| e.to_string())
            }));
        }
    }

    /// The target the form describes.
    fn target(&self) -> Result<Target, String> {
        self.target_with(true)
    }

    /// The target; listing trunks needs no certificate authority name yet.
    fn target_with(&self, need_ca_name: bool) -> Result<Target, String> {
        match self.prefs.choice {
            TargetChoice::Genesys | TargetChoice::Sandbox => {
                let mut target = match (&self.prefs.choice, &self.sandbox) {
                    (TargetChoice::Sandbox, Some(s)) => GenesysTarget::new(
                        None,
                        Some(&s.base_url()),
                        Some(&s.base_url()),
                        crate::sandbox::CLIENT_ID,
                        self.prefs.ca_name.trim(),
                    ),
                    (TargetChoice::Sandbox, None) => {
                        return Err(self
                            .sandbox_error
                            .clone()
                            .unwrap_or_else(|| "the sandbox is not running".into()));
                    }
                    _ => GenesysTarget::new(
                        Some(&self.prefs.region),
                        None,
                        None,
                        self.prefs.client_id.trim(),
                        self.prefs.ca_name.trim(),
                    ),
                }
                .map_err(|e| e.to_string())?;
                if self.prefs.choice == TargetChoice::Genesys && target.client_id.is_empty() {
                    return Err("Enter the OAuth client id".into());
                }
                if need_ca_name && target.ca_name.is_empty() {
                    return Err("Enter the certificate authority's name".into());
                }
                target.trunk = self.trunk.clone();
                Ok(Target::Genesys(target))
            }
            TargetChoice::Rest => {
                self.prefs.rest.check().map_err(|e| e.to_string())?;
                Ok(Target::Rest(self.prefs.rest.clone()))
            }
            TargetChoice::AudioCodes => device::audiocodes_target(&self.prefs.audiocodes),
            TargetChoice::Files => device::files_target(&self.prefs.files),
        }
    }

    /// The leaf's key file for a target that takes one (read on the worker), or what is missing.
    fn key_file(&self, target: &Target) -> Result<Option<PathBuf>, String> {
        if !target.takes_key() {
            return Ok(None);
        }
        let path = crate::files::unquoted(&self.prefs.key_file);
        if path.is_empty() {
            return Err("Name the leaf's private key file (it goes to this device only)".into());
        }
        Ok(Some(PathBuf::from(path)))
    }

    /// The endpoint to probe after a device's change, if one is named.
    fn verify_endpoint(&self) -> Result<Option<String>, String> {
        let text = self.prefs.verify.trim();
        if text.is_empty()
            || !matches!(
                self.prefs.choice,
                TargetChoice::AudioCodes | TargetChoice::Files
            )
        {
            return Ok(None);
        }
        crate::probe::split_target(text)
            .map(|_| Some(text.to_string()))
            .ok_or_else(|| format!("Verify: \"{text}\" is not host:port"))
    }

    /// The roots trusted for the API: the sandbox's own certificate, or the CA file's path (read on
    /// the worker).
    fn api_roots(&self) -> (Option<Vec<u8>>, Option<PathBuf>) {
        if self.prefs.choice == TargetChoice::Sandbox {
            let pem = self.sandbox.as_ref().map(|s| s.certificate_pem.clone());
            return (pem.map(String::into_bytes), None);
        }
        let path = crate::files::unquoted(&self.prefs.ca_file);
        (None, (!path.is_empty()).then(|| PathBuf::from(path)))
    }

    /// Whether the CA file field names a file that is not there (looked up once per value typed).
    fn ca_file_missing(&mut self) -> bool {
        let path = crate::files::unquoted(&self.prefs.ca_file).to_string();
        if path.is_empty() {
            return false;
        }
        if self.ca_file_checked.as_ref().map(|(p, _)| p) != Some(&path) {
            let missing = !Path::new(&path).is_file();
            self.ca_file_checked = Some((path, missing));
        }
        self.ca_file_checked.as_ref().is_some_and(|(_, m)| *m)
    }

    /// Whether the leaf's key file field names a file that is not there (looked up once per value).
    fn key_file_missing(&mut self) -> bool {
        let path = crate::files::unquoted(&self.prefs.key_file).to_string();
        if path.is_empty() {
            return false;
        }
        if self.key_file_checked.as_ref().map(|(p, _)| p) != Some(&path) {
            let missing = !Path::new(&path).is_file();
            self.key_file_checked = Some((path, missing));
        }
        self.key_file_checked.as_ref().is_some_and(|(_, m)| *m)
    }

    /// The secrets: the typed one, else (on the worker) the environment or the keychain.
    fn typed_secret(&self) -> Option<Secret> {
        self.secret_for(self.prefs.choice == TargetChoice::Sandbox)
    }

    /// The secret a run takes: the sandbox's own for a rehearsal; else the one typed in a live tab
    /// (none typed, or the Sandbox tab selected: the environment or the keychain, on the worker).
    fn secret_for(&self, rehearsal: bool) -> Option<Secret> {
        if rehearsal {
            return Some(Secret::new(crate::sandbox::CLIENT_SECRET));
        }
        (self.prefs.choice != TargetChoice::Sandbox && !self.secret.is_empty())
            .then(|| Secret::new(self.secret.clone()))
    }

    /// The secret a run of `plan` takes: the typed one only when `plan` goes to the target it was
    /// typed for (a rollback from the audit log may go elsewhere: then the environment or the
    /// keychain of that target, never the secret typed for another).
    fn secret_for_plan(&self, plan: &Plan) -> Option<Secret> {
        if plan.rehearsal {
            return self.secret_for(true);
        }
        let typed_for = self.target().ok().map(|t| t.identity());
        if typed_for != Some(plan.target.identity()) {
            return None;
        }
        self.secret_for(false)
    }
}

/// A hex fingerprint as `openssl x509 -fingerprint` prints it: upper case, colon-separated.
fn openssl_fingerprint(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|p| String::from_utf8_lossy(p).to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(":")
}

/// The first 8 bytes of a hex fingerprint as `AB:CD:…`, as the report shows them.
fn short_fingerprint(hex: &str) -> String {
    let pairs: Vec<String> = hex
        .as_bytes()
        .chunks(2)
        .take(8)
        .map(|p| String::from_utf8_lossy(p).to_ascii_uppercase())
        .collect();
    format!("{}…", pairs.join(":"))
}
