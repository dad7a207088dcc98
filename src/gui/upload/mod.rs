//! The Upload window: target (Genesys Cloud, a REST endpoint, or the local sandbox), credentials
//! (masked; optionally remembered in the OS keychain), the trunk picker with status, a pre-flight
//! checklist, and the steps (authenticate, read current, back up, upload, verify) run on a worker
//! thread with Cancel. It only calls [`crate::upload`].

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

mod device;

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
        let entry = serde_json::to_value(r).unwrap_or_default();
        let mut rows = vec![
            ("Time".to_string(), r.time.clone()),
            ("Action".into(), records::action_words(&entry)),
            ("Target".into(), format!("{} {}", r.target, r.endpoint)),
        ];
        for (k, v) in &r.ids {
            rows.push((k.clone(), v.clone()));
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
            rows.push(("Backup".into(), b.clone()));
        }
        if !r.correlation_ids.is_empty() {
            rows.push(("Correlation ids".into(), r.correlation_ids.join(", ")));
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

    fn start_trunks(&mut self, ctx: &egui::Context) {
        let target = match self.target_with(false) {
            Ok(Target::Genesys(g)) => g,
            Ok(_) => return,
            Err(e) => {
                self.message = Some(e);
                return;
            }
        };
        let (typed, (pem, file)) = (self.typed_secret(), self.api_roots());
        let proxy = match crate::proxy::ProxyChoice::parse(&self.prefs.proxy) {
            Ok(p) => p,
            Err(e) => {
                self.message = Some(e.replace("--proxy", "Proxy:"));
                return;
            }
        };
        self.trunks_task = Some(Task::spawn("Listing trunks", ctx, move || {
            let trust = crate::tls::Trust {
                ca_file: upload::api_roots(pem, file.as_deref()).map_err(|e| e.to_string())?,
                pins: Vec::new(),
            };
            let secret = Secrets::find(&Target::Genesys(target.clone()), typed, false)
                .client_secret
                .ok_or("Enter the client secret")?;
            let mut session = upload::connect_genesys(
                &target,
                &secret,
                &trust,
                upload::RetryPolicy::default(),
                Arc::new(AtomicBool::new(false)),
                &proxy,
            )
            .map_err(|e| e.to_string())?;
            genesys::list_trunks(&mut session).map_err(|e| e.to_string())
        }));
    }

    fn start_upload(&mut self, ctx: &egui::Context, report: &Report, now: i64) {
        let target = match self.target() {
            Ok(t) => t,
            Err(e) => {
                self.message = Some(e);
                return;
            }
        };
        let include_root = false;
        let payload = match upload::payload_for(&target, report, include_root, None) {
            Ok(p) => p,
            Err(e) => {
                self.message = Some(e.to_string());
                return;
            }
        };
        let (key_file, verify) = match (self.key_file(&target), self.verify_endpoint()) {
            (Ok(k), Ok(v)) => (k, v),
            (Err(e), _) | (_, Err(e)) => {
                self.message = Some(e);
                return;
            }
        };
        let proxy = match crate::proxy::ProxyChoice::parse(&self.prefs.proxy) {
            Ok(p) => p,
            Err(e) => {
                self.message = Some(e.replace("--proxy", "Proxy:"));
                return;
            }
        };
        let (api_roots, api_roots_file) = self.api_roots();
        let plan = Plan {
            target,
            payload,
            rollback_of: None,
            data_dir: self.data_dir.clone(),
            api_roots,
            api_roots_file,
            api_pins: Vec::new(),
            policy: upload::RetryPolicy::default(),
            rehearsal: self.prefs.choice == TargetChoice::Sandbox,
            forced: upload::forced_codes(report),
            unchanged_if_held: false,
            secret_binding: None,
            verify,
            key_file,
            proxy,
        };
        self.start_run(ctx, plan, now);
    }

    /// Puts a backup back through the target it was read from, with its own backup, read-back and
    /// audit entry (as `chainsmith rollback`).
    /// Runs a rollback prepared by [`Self::ask_rollback`] (its destination and trust come from the
    /// run being undone, never from the tab selected now).
    fn start_rollback(&mut self, ctx: &egui::Context, plan: Plan, now: i64) {
        self.start_run(ctx, plan, now);
    }

    /// Runs a plan on a worker, reporting each step.
    fn start_run(&mut self, ctx: &egui::Context, plan: Plan, now: i64) {
        let typed = self.secret_for_plan(&plan);
        let remember = self.remember && !plan.rehearsal;
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, events) = channel();
        let (worker_cancel, repaint) = (cancel.clone(), ctx.clone());
        self.message = None;
        self.finished = None;
        self.finished_for = Some(self.prefs.choice);
        self.notes.clear();
        self.steps = Phase::ALL
            .iter()
            .filter(|p| {
                **p != Phase::Preflight
                    || (matches!(plan.target, Target::Genesys(_)) && self.trunk.is_some())
            })
            .map(|p| (*p, StepState::Pending))
            .collect();
        let task = Task::spawn("Uploading", ctx, move || {
            let secrets = Secrets::find(&plan.target, typed, false);
            let mut on_event = |event: Event| {
                let _ = tx.send(event);
                repaint.request_repaint();
            };
            let (record, result) = upload::run(&plan, &secrets, worker_cancel, now, &mut on_event);
            if result.is_ok()
                && remember
                && let Err(e) = secrets.remember(&plan.target)
            {
                let _ = tx.send(Event::Note(format!("not remembered: {e}")));
            }
            let refusal = match &result {
                Err(upload::UploadError::Http(upload::HttpError::Certificate {
                    refusal, ..
                })) => Some((**refusal).clone()),
                _ => None,
            };
            Finished {
                refusal,
                audit: records::read_audit(&plan.data_dir),
                exit_code: result
                    .as_ref()
                    .err()
                    .map(|e| e.exit_code(record.changed))
                    .unwrap_or(0),
                error: result.err().map(|e| e.to_string()),
                record,
            }
        });
        self.running = Some(Running {
            task,
            events,
            cancel,
        });
    }

    fn poll(&mut self) {
        if let Some(task) = &self.sandbox_task
            && let Some(started) = task.try_result()
        {
            self.sandbox_task = None;
            match started {
                Ok(handle) => self.sandbox = Some(handle),
                Err(e) => self.sandbox_error = Some(e),
            }
        }
        if let Some(task) = &self.audit_task
            && let Some(entries) = task.try_result()
        {
            self.audit_task = None;
            self.audit = entries;
        }
        if let Some(task) = &self.trunks_task
            && let Some(result) = task.try_result()
        {
            self.trunks_task = None;
            match result {
                Ok(trunks) => {
                    self.message = Some(format!("{} EXTERNAL trunk(s)", trunks.len()));
                    self.trunks = trunks;
                }
                Err(e) => self.message = Some(format!("Cannot list trunks: {e}")),
            }
        }
        let Some(running) = &self.running else { return };
        let events: Vec<Event> = running.events.try_iter().collect();
        let done = running.task.try_result();
        for event in events {
            match event {
                Event::Started(phase) => self.set_step(phase, StepState::Running),
                Event::Done(phase, text) => self.set_step(phase, StepState::Done(text)),
                Event::Note(text) => self.notes.push(text),
            }
        }
        if let Some(mut finished) = done {
            // Events sent just before the result.
            let late: Vec<Event> = self
                .running
                .as_ref()
                .map(|r| r.events.try_iter().collect())
                .unwrap_or_default();
            for event in late {
                match event {
                    Event::Done(phase, text) => self.set_step(phase, StepState::Done(text)),
                    Event::Note(text) => self.notes.push(text),
                    Event::Started(phase) => self.set_step(phase, StepState::Running),
                }
            }
            if finished.error.is_some() {
                for (_, state) in &mut self.steps {
                    if *state == StepState::Running {
                        *state = StepState::Failed;
                    }
                }
            }
            self.running = None;
            self.audit = std::mem::take(&mut finished.audit);
            self.finished = Some(finished);
        }
    }

    fn set_step(&mut self, phase: Phase, state: StepState) {
        match self.steps.iter_mut().find(|(p, _)| *p == phase) {
            Some(step) => step.1 = state,
            None => self.steps.push((phase, state)),
        }
    }

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
    fn ui_confirm_trust(&mut self, ctx: &egui::Context) {
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

    fn ui_body(&mut self, ui: &mut egui::Ui, report: Option<&Report>) {
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

    fn ui_genesys(&mut self, ui: &mut egui::Ui) {
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

    fn ui_sandbox(&mut self, ui: &mut egui::Ui) {
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
    fn ui_device(&mut self, ui: &mut egui::Ui) {
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

    fn ui_ca_name(&mut self, ui: &mut egui::Ui) {
        let label = ui.label("Certificate authority name");
        ui.add(
            egui::TextEdit::singleline(&mut self.prefs.ca_name)
                .hint_text("Carrier A SIP TLS CAs")
                .desired_width(360.0),
        )
        .labelled_by(label.id);
        ui.end_row();
    }

    fn ui_secret(&mut self, ui: &mut egui::Ui, what: &str) {
        secret_row(ui, what, &mut self.secret, &mut self.remember);
    }

    fn ui_rest(&mut self, ui: &mut egui::Ui) {
        let (rest, secret, remember, ca_file, params_text) = (
            &mut self.prefs.rest,
            &mut self.secret,
            &mut self.remember,
            &mut self.prefs.ca_file,
            &mut self.params_text,
        );
        egui::Grid::new("rest").num_columns(2).show(ui, |ui| {
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
        });
    }

    fn ui_trunks(&mut self, ui: &mut egui::Ui) {
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
    fn chosen_trunk(&self) -> Option<&Trunk> {
        self.trunk
            .as_ref()
            .and_then(|id| self.trunks.iter().find(|t| &t.id == id))
    }

    fn ui_checklist(&mut self, ui: &mut egui::Ui, report: Option<&Report>) {
        ui.label(RichText::new("Pre-flight").strong());
        let ok = Color32::from_rgb(0x2f, 0x9e, 0x44);
        let warn = ui.visuals().warn_fg_color;
        let bad = ui.visuals().error_fg_color;
        let line = |ui: &mut egui::Ui, state: Option<bool>, text: String| {
            let (icon, color) = match state {
                Some(true) => ("✔", ok),
                Some(false) => ("✖", bad),
                None => ("⚠", warn),
            };
            ui.colored_label(color, format!("{icon} {text}"));
        };
        let Some(report) = report.filter(|r| !r.chain.is_empty()) else {
            line(ui, Some(false), "No chain loaded".into());
            return;
        };
        let errors = upload::blocking_findings(report);
        line(
            ui,
            Some(errors.is_empty()),
            if errors.is_empty() {
                "The chain has no error findings".into()
            } else {
                format!("The chain has {} error finding(s)", errors.len())
            },
        );
        let target = self.target();
        let payload = target
            .as_ref()
            .ok()
            .map(|t| upload::payload_for(t, report, false, None));
        match (&target, &payload) {
            (Err(e), _) => line(ui, Some(false), e.clone()),
            (Ok(_), Some(Err(e))) => line(ui, Some(false), e.to_string()),
            (Ok(t), Some(Ok(p))) => line(
                ui,
                Some(true),
                format!(
                    "Will send {} certificate(s) to {}: {}{}",
                    p.fingerprints.len(),
                    match t {
                        Target::Genesys(g) => g.api_base.clone(),
                        Target::Rest(r) => r.upload_url().unwrap_or_default(),
                        Target::AudioCodes(a) => a.endpoint(),
                        Target::Files(f) => f.endpoint(),
                    },
                    p.display_names().join(", "),
                    // A certificate authority takes the CA certificates, root included: not the
                    // "bundle" the banner counts (leaf and intermediates).
                    if t.kind() == "genesys" {
                        " (the CA part of the chain, root included)"
                    } else {
                        ""
                    },
                ),
            ),
            _ => {}
        }
        let mut cloud = false;
        if let Some(trunk) = self.chosen_trunk() {
            for (passed, text) in trunk.checklist() {
                line(ui, if passed { Some(true) } else { None }, text);
            }
            if trunk.is_byoc_cloud() {
                cloud = true;
                line(
                    ui,
                    Some(false),
                    genesys::BYOC_CLOUD_NOTHING_TO_UPLOAD.into(),
                );
            }
        }
        // A CA file named in the form is checked here, before the confirmation, not after it.
        let ca_file_missing = self.prefs.choice != TargetChoice::Sandbox && self.ca_file_missing();
        if ca_file_missing {
            line(
                ui,
                Some(false),
                format!(
                    "CA file {}: not found",
                    crate::engine::text::escape(crate::files::unquoted(&self.prefs.ca_file))
                ),
            );
        }
        // The leaf's key, for a device: named, and there (it is read and checked on the worker).
        let mut key_missing = false;
        if let Ok(t) = &target {
            match self.key_file(t) {
                Err(e) => {
                    key_missing = true;
                    line(ui, Some(false), e);
                }
                Ok(Some(path)) if self.key_file_missing() => {
                    key_missing = true;
                    line(
                        ui,
                        Some(false),
                        format!(
                            "Private key {}: not found",
                            crate::engine::text::escape(&path.display().to_string())
                        ),
                    );
                }
                Ok(Some(path)) => line(
                    ui,
                    Some(true),
                    format!(
                        "Private key {} goes to this destination only",
                        crate::engine::text::escape(&path.display().to_string())
                    ),
                ),
                Ok(None) => {}
            }
        }
        let ready = target.is_ok()
            && matches!(payload, Some(Ok(_)))
            && !cloud
            && !ca_file_missing
            && !key_missing;
        ui.horizontal(|ui| {
            let busy = self.running.is_some();
            if ui
                .add_enabled(
                    ready && errors.is_empty() && !busy,
                    egui::Button::new("Upload"),
                )
                .on_hover_text("Back up, upload, read back and verify (asks first)")
                .clicked()
            {
                self.confirm = Some(Confirm::Upload { forced: false });
            }
            if !errors.is_empty()
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
        if let Some(m) = &self.message {
            ui.label(m);
        }
    }

    /// Where an upload goes, in lines for the confirmation: target, region, certificate authority,
    /// trunk (or endpoint and method), and how many certificates.
    fn destination(&self, report: &Report) -> Vec<String> {
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
                        g.region.as_deref().unwrap_or(&g.api_base)
                    ));
                }
                lines.push(format!("Certificate authority: \"{}\"", g.ca_name));
                lines.push(match self.chosen_trunk() {
                    Some(t) => format!(
                        "Trunk: \"{}\" ({})",
                        crate::engine::text::escape(&t.name),
                        t.id
                    ),
                    None => "Trunk: none chosen (no pre-flight on a trunk)".into(),
                });
            }
            Target::Rest(r) => {
                lines.push(format!(
                    "Target: REST endpoint {} {}",
                    r.method,
                    r.upload_url().unwrap_or_default()
                ));
            }
            Target::AudioCodes(_) | Target::Files(_) => {
                lines.push(format!(
                    "Target: LIVE — {}",
                    super::rotation::destination(&target)
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

    /// Reads the backup on a worker, then asks: the confirmation names where it goes and what it
    /// sends (or deletes).
    fn ask_rollback(&mut self, ctx: &egui::Context, path: PathBuf, rehearsal: bool) {
        // The sandbox the rehearsal went to: only the one running in this window can take it back,
        // trusted by its own certificate; a live run goes back to the live API, with the CA file.
        let sandbox_url = self.sandbox.as_ref().map(|s| s.base_url());
        let api_roots = if rehearsal {
            self.sandbox
                .as_ref()
                .map(|s| s.certificate_pem.clone().into_bytes())
        } else {
            None
        };
        let ca_file = Some(PathBuf::from(crate::files::unquoted(&self.prefs.ca_file)))
            .filter(|p| !rehearsal && !p.as_os_str().is_empty());
        let data_dir = self.data_dir.clone();
        // The backup is read (and the rollback made from it) here, on the worker.
        self.rollback_task = Some(Task::spawn("Reading the backup", ctx, move || {
            let (lines, possible) = match records::read_backup(&path) {
                Err(e) => (vec![format!("The backup cannot be read: {e}")], false),
                Ok(backup) => rollback_lines(&backup, rehearsal, sandbox_url.as_deref()),
            };
            let plan = possible
                .then(|| {
                    records::rollback_plan(
                        &path,
                        data_dir,
                        api_roots,
                        Vec::new(),
                        upload::RetryPolicy::default(),
                    )
                    .ok()
                })
                .flatten()
                .map(|mut plan| {
                    plan.rehearsal = rehearsal;
                    plan.api_roots_file = ca_file;
                    Box::new(plan)
                });
            Confirm::Rollback { path, lines, plan }
        }));
    }

    /// The confirmation before anything is sent: it names where it goes.
    fn ui_confirm(&mut self, ctx: &egui::Context, report: Option<&Report>, now: i64) {
        if let Some(task) = &self.rollback_task
            && let Some(confirm) = task.try_result()
        {
            self.rollback_task = None;
            self.confirm = Some(confirm);
        }
        let Some(confirm) = self.confirm.clone() else {
            return;
        };
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.confirm = None;
            return;
        }
        match confirm {
            Confirm::Upload { forced } => {
                let Some(report) = report else {
                    self.confirm = None;
                    return;
                };
                let errors = upload::blocking_findings(report);
                let lines = self.destination(report);
                egui::Modal::new(egui::Id::unique("confirm-upload")).show(ctx, |ui| {
                    crate::gui::focus::trapped(ui, |ui| {
                        ui.heading(if forced {
                            "Upload a chain with errors?"
                        } else {
                            "Upload this bundle?"
                        });
                        for line in &lines {
                            ui.label(line);
                        }
                        ui.label("What is there now is backed up first, and read back after.");
                        if forced {
                            ui.label("The far end may refuse it, and the trunk may stop working:");
                            for e in &errors {
                                ui.colored_label(ui.visuals().error_fg_color, format!("✖ {e}"));
                            }
                            ui.label("The audit log records that these errors were overridden.");
                        }
                        // Cancel first; the confirming button at the far end.
                        ui.horizontal(|ui| {
                            if ui.button("Don't upload").clicked() {
                                self.confirm = None;
                            }
                            let go = if forced {
                                "Upload with these errors"
                            } else {
                                "Upload now"
                            };
                            ui.with_layout(
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| {
                                    if ui.button(go).clicked() {
                                        self.confirm = None;
                                        let ctx = ui.ctx().clone();
                                        self.start_upload(&ctx, report, now);
                                    }
                                },
                            );
                        });
                    })
                });
            }
            Confirm::Rollback { path, lines, plan } => {
                let possible = plan.is_some();
                egui::Modal::new(egui::Id::unique("confirm-rollback")).show(ctx, |ui| crate::gui::focus::trapped(ui, |ui| {
                    ui.heading(if possible {
                        "Put this backup back?"
                    } else {
                        "This backup cannot be put back"
                    });
                    for line in &lines {
                        ui.label(crate::engine::text::escaped(line));
                    }
                    ui.weak(format!("Backup: {}", path.display()));
                    if possible {
                        ui.label(
                            "What the target holds now is backed up first; the backup's certificates \
                             are uploaded and read back, with an audit entry of their own.",
                        );
                    }
                    ui.horizontal(|ui| {
                        if ui
                            .button(if possible { "Don't roll back" } else { "Close" })
                            .clicked()
                        {
                            self.confirm = None;
                        }
                        if possible {
                            ui.with_layout(
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| {
                                    if ui.button("Roll back now").clicked() {
                                        self.confirm = None;
                                        let ctx = ui.ctx().clone();
                                        if let Some(plan) = &plan {
                                            self.start_rollback(&ctx, (**plan).clone(), now);
                                        }
                                    }
                                },
                            );
                        }
                    });
                }));
            }
        }
    }

    fn ui_progress(&mut self, ui: &mut egui::Ui) {
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
        if !f.record.details.is_empty() {
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
                    for d in &f.record.details {
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
        if let Some(b) = &f.record.backup {
            ui.horizontal(|ui| {
                ui.label(format!("Backup: {b}"));
                if ui.small_button("Copy path").clicked() {
                    ui.ctx().copy_text(crate::gui::for_clipboard(b.clone()));
                }
            });
            ui.weak("Put it back with \"Roll back…\" on its audit entry below.");
        }
        ui.label(format!(
            "Audit entry: {} {} {}, correlation ids: {}",
            f.record.time,
            f.record.action,
            f.record.result,
            if f.record.correlation_ids.is_empty() {
                "none".to_string()
            } else {
                f.record.correlation_ids.join(", ")
            }
        ));
    }

    /// The certificate the server showed and why it was refused; for a REST target whose certificate
    /// is only unknown (self-signed, a private CA), the offer to trust it.
    fn ui_refused_certificate(&self, ui: &mut egui::Ui, refusal: &crate::tls::Refusal) -> bool {
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

    fn ui_audit(&mut self, ui: &mut egui::Ui) {
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

/// The confirmation's lines for putting `backup` back, and whether it can be: where it goes (the
/// running sandbox for a rehearsal, the live API otherwise), what it deletes or sends, by name and
/// expiry. A rehearsal whose sandbox is not the one running now cannot be put back.
fn rollback_lines(
    backup: &records::Backup,
    rehearsal: bool,
    sandbox_url: Option<&str>,
) -> (Vec<String>, bool) {
    let destination = super::rotation::destination(&backup.target);
    let base = match &backup.target {
        Target::Genesys(g) => g.api_base.clone(),
        Target::Rest(r) => r.url.clone(),
        Target::AudioCodes(a) => a.url.clone(),
        Target::Files(f) => f.endpoint(),
    };
    let mut lines = Vec::new();
    if rehearsal {
        let running = sandbox_url.is_some_and(|url| base.starts_with(url));
        if !running {
            lines.push(format!(
                "This was a rehearsal against a sandbox ({destination}) that is no longer running. A sandbox forgets everything when it stops, so there is nothing to put back, and nothing was ever sent to a live system."
            ));
            return (lines, false);
        }
        lines.push(format!(
            "Where: the local sandbox — a rehearsal; nothing goes to a live system ({destination})"
        ));
    } else {
        lines.push(format!("Where: LIVE — {destination}"));
    }
    let held = crate::rotate::held(backup.certificate.as_deref());
    let what = match &backup.target {
        Target::Genesys(g) => format!("the certificate authority \"{}\"", g.ca_name),
        Target::Rest(_) => "the certificate there".to_string(),
        Target::AudioCodes(a) => format!("TLS context {}", a.context),
        Target::Files(_) => "the files there".to_string(),
    };
    if held.is_empty() {
        lines.push(format!(
            "It held nothing then: {what} is deleted (what is there now is backed up first)."
        ));
    }
    for h in held {
        lines.push(format!(
            "Restores: {} (valid until {}; SHA-256 {})",
            h.subject,
            h.not_after.get(..10).unwrap_or(&h.not_after),
            short_fingerprint(&h.sha256)
        ));
    }
    (lines, true)
}

/// The result in words, by what the exit code means: nothing was changed, or the change may have
/// been applied.
fn finished_words(f: &Finished) -> (Color32, String) {
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

/// The masked secret field and the keychain checkbox (a grid row).
fn secret_row(ui: &mut egui::Ui, what: &str, secret: &mut String, remember: &mut bool) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn backup(api_base: &str, certificate: Option<String>) -> records::Backup {
        let target: Target = serde_json::from_value(serde_json::json!({
            "kind": "genesys",
            "region": null,
            "api_base": api_base,
            "login_base": api_base,
            "client_id": "ops",
            "ca_name": "Carrier CA",
        }))
        .expect("a Genesys target");
        records::Backup {
            chainsmith_backup: 1,
            time: "2026-12-02T19:00:00Z".into(),
            target,
            region: None,
            ids: Default::default(),
            certificate,
            fingerprints: Vec::new(),
            current: serde_json::Value::Null,
            secret_binding: None,
            verify: None,
        }
    }

    #[test]
    fn a_rehearsal_goes_back_only_to_the_sandbox_that_is_running() {
        let b = backup("https://127.0.0.1:40001", None);
        let (lines, possible) = rollback_lines(&b, true, Some("https://127.0.0.1:40001"));
        assert!(possible);
        assert!(
            lines[0].starts_with("Where: the local sandbox"),
            "{lines:?}"
        );
        assert!(
            lines[1].contains("the certificate authority \"Carrier CA\" is deleted"),
            "{lines:?}"
        );
        // That sandbox is gone (another one runs, or none): nothing to put back, and said so.
        for running in [Some("https://127.0.0.1:40002"), None] {
            let (lines, possible) = rollback_lines(&b, true, running);
            assert!(!possible);
            assert!(lines[0].contains("no longer running"), "{lines:?}");
        }
        // A live run goes back to the live API, whatever sandbox runs.
        let live = backup("https://api.mypurecloud.de", None);
        let (lines, possible) = rollback_lines(&live, false, Some("https://127.0.0.1:40001"));
        assert!(possible);
        assert!(
            lines[0].starts_with(
                "Where: LIVE — Genesys Cloud organisation at https://api.mypurecloud.de"
            ),
            "{lines:?}"
        );
    }
}
