//! The Rotation window: a plan's targets with what each holds now, **Status**, **Dry run**, **Apply**
//! (the canary first, then "Continue with the remaining N"), **Stop**, **Roll back all**, each row's
//! progress and result live from a worker, and the change-ticket report. The plan is edited in a form
//! and saved as the TOML `chainsmith rotate` reads; a new one starts from the loaded chain and the
//! Upload window's targets.
//!
//! Everything that touches the network or the disk runs on a [`Task`] that reports each step through a
//! channel and `request_repaint()`; the window never waits.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};

use eframe::egui::{self, RichText};

use super::jobs::Task;
use crate::prefs::UploadPrefs;
use crate::rotate::plan::{self, Draft, Kind, TargetSection};
use crate::rotate::{self, Held, Progress, Rotation, RunFile, Status, TargetStatus};
use crate::upload::{self, Event, Secret, Secrets};

/// What the window asks the app to do (dialogs and the clipboard are the app's).
#[derive(Debug, Clone, PartialEq)]
pub enum RotationAction {
    OpenPlan,
    /// Save the plan (suggested file name).
    SavePlan(String),
    /// Save the report (suggested file name: `.md` or `.html`).
    SaveReport(String),
    Copy(String),
}

/// One target's line in the table.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub name: String,
    pub kind: String,
    /// What it holds, as last read or written.
    pub holds: Vec<Held>,
    pub holds_bundle: Option<bool>,
    pub status: Option<Status>,
    /// The step it is at, while running.
    pub step: String,
    pub error: Option<String>,
    pub would_send: Vec<String>,
    /// What it receives, by name: "2 CA certificates: Carrier Issuing CA 1, Carrier Root CA 2026".
    pub receives: String,
}

/// What a confirmation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// Apply to the canary alone.
    Canary,
    /// Continue with the targets left after the canary.
    Continue,
    /// Roll back every target the last run changed.
    RollBack,
}

/// A confirmation before anything is sent: each destination by name and place, what goes there
/// (certificates by subject and SHA-256 prefix), and what is backed up or deleted. Made on a worker
/// (the plan's bundle is read, a rollback's backups are opened), then shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmation {
    pub asked: Asked,
    pub targets: Vec<ConfirmTarget>,
}

/// One destination in a [`Confirmation`].
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmTarget {
    pub name: String,
    /// "Genesys Cloud organisation at https://api.euw2.pure.cloud (region euw2.pure.cloud), certificate
    /// authority “Carrier A”", "REST endpoint PUT https://…".
    pub destination: String,
    /// What is sent, one certificate a line; empty with `deletes`.
    pub sends: Vec<String>,
    /// What happens to what is there: backed up first, or deleted (a rollback to "nothing").
    pub backup: String,
}

/// A target's destination in words: the live place a write reaches.
pub fn destination(target: &upload::Target) -> String {
    match target {
        upload::Target::Genesys(g) => format!(
            "Genesys Cloud organisation at {}{}, OAuth client {}, certificate authority \"{}\"",
            g.api_base,
            g.region
                .as_deref()
                .map(|r| format!(" (region {r})"))
                .unwrap_or_default(),
            g.client_id,
            g.ca_name
        ),
        upload::Target::Files(f) => format!(
            "the files {} on {}{}",
            [&f.private_key, &f.certificate, &f.ca_list]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            f.ssh.as_deref().unwrap_or("this machine"),
            f.reload
                .as_deref()
                .map(|r| format!(", then `{r}`"))
                .unwrap_or_default()
        ),
        upload::Target::AudioCodes(a) => format!(
            "AudioCodes device {} (user {}), TLS context {}{}",
            a.origin(),
            a.user,
            a.context,
            match (a.job, a.key_rollback) {
                (upload::audiocodes::Job::TrustStore, _) => ": trusted roots only",
                (_, upload::audiocodes::KeyRollback::None) => {
                    ": certificate and private key; no previous key, so this change cannot be rolled back"
                }
                _ => ": certificate and private key",
            }
        ),
        upload::Target::Rest(r) => format!(
            "REST endpoint {} {}",
            r.method.to_ascii_uppercase(),
            r.upload_url().unwrap_or_else(|_| r.url.clone())
        ),
    }
    .chars()
    .map(|c| if c.is_control() { ' ' } else { c })
    .collect()
}

/// Certificates as a confirmation lists them: subject and SHA-256 prefix.
fn certificate_lines(held: &[Held]) -> Vec<String> {
    held.iter()
        .map(|h| {
            format!(
                "{}, until {} — {} (SHA-256 {}…)",
                h.shown_name(),
                h.not_after.get(..10).unwrap_or(&h.not_after),
                h.subject,
                short(&h.sha256)
            )
        })
        .collect()
}

/// What a worker sends back as it goes.
enum Message {
    Progress(Progress),
}

/// What a finished worker returns.
enum Outcome {
    Statuses {
        statuses: Vec<TargetStatus>,
        receives: Vec<String>,
        bundle: Vec<Held>,
        verdict: String,
    },
    Run {
        run: Box<RunFile>,
        path: PathBuf,
        bundle: Vec<Held>,
        verdict: String,
    },
}

struct Worker {
    label: &'static str,
    task: Task<Result<Outcome, String>>,
    messages: Receiver<Message>,
}

/// Where a new plan starts from: the loaded chain and the Upload window's targets.
pub struct Seed<'a> {
    /// The files the loaded certificates came from.
    pub inputs: Vec<String>,
    pub host: String,
    pub upload: &'a UploadPrefs,
}

/// A file read on a worker: its path and its text, or why it could not be read.
type FileRead = (PathBuf, Result<String, String>);

/// Where one target's secret comes from, gathered on the UI thread and read on a worker.
struct SecretSource {
    target: upload::Target,
    typed: Option<Secret>,
    secret_env: Option<String>,
}

impl SecretSource {
    /// The secrets, from what was typed, else the variable, else the keychain (never a prompt).
    fn resolve(sources: Vec<SecretSource>) -> Vec<Secrets> {
        sources
            .into_iter()
            .map(|s| match s.typed {
                Some(typed) => Secrets::find(&s.target, Some(typed), false),
                None => rotate::secrets_for(&s.target, s.secret_env.as_deref(), None),
            })
            .collect()
    }
}

/// The Rotation window's state.
pub struct RotationPanel {
    pub open: bool,
    /// The plan file (relative paths in it are taken from its folder).
    pub plan_path: Option<PathBuf>,
    /// The plan as edited in the form.
    pub draft: Draft,
    /// The draft, checked (`None` until it reads).
    pub rotation: Option<Rotation>,
    pub plan_error: Option<String>,
    pub rows: Vec<Row>,
    /// Typed secrets, by target (never saved): else `secret_env`, else the keychain.
    secrets: Vec<String>,
    pub data_dir: PathBuf,
    /// The last run (apply or rollback) and its run file.
    pub last_run: Option<(RunFile, PathBuf)>,
    /// The bundle's verdict and certificates, for the report.
    pub verdict: Option<String>,
    bundle: Vec<Held>,
    pub message: Option<String>,
    worker: Option<Worker>,
    cancel: Arc<AtomicBool>,
    /// The form is shown.
    pub editing: bool,
    /// A new plan's REST target, from the Upload window: its definition is written beside the plan
    /// when the plan is first saved (a definition holds no secret).
    rest_definition: Option<(String, crate::upload::RestTarget)>,
    /// REST definition files as read (on a worker), by path: the form re-checks the plan at every
    /// edit without reading them again.
    definitions: std::collections::HashMap<PathBuf, Result<String, String>>,
    /// Definition files being read.
    definitions_task: Option<Task<Vec<FileRead>>>,
    /// A plan file being read (on a worker), with its path.
    plan_task: Option<Task<FileRead>>,
    /// For workers started outside a frame's `ui` (to repaint when they are done).
    ctx: egui::Context,
    /// The confirmation being prepared (on a worker), then shown.
    confirm_task: Option<Task<Result<Confirmation, String>>>,
    pub confirm: Option<Confirmation>,
}

impl Default for RotationPanel {
    fn default() -> Self {
        Self {
            open: false,
            plan_path: None,
            draft: Draft::default(),
            rotation: None,
            plan_error: None,
            rows: Vec::new(),
            secrets: Vec::new(),
            data_dir: crate::places::data_dir(),
            last_run: None,
            verdict: None,
            bundle: Vec::new(),
            message: None,
            worker: None,
            cancel: Arc::new(AtomicBool::new(false)),
            editing: false,
            rest_definition: None,
            definitions: Default::default(),
            definitions_task: None,
            plan_task: None,
            ctx: egui::Context::default(),
            confirm_task: None,
            confirm: None,
        }
    }
}

fn short(sha256: &str) -> &str {
    sha256.get(..16).unwrap_or(sha256)
}

fn escaped(text: &str) -> String {
    crate::engine::text::escaped(text)
}

impl RotationPanel {
    /// A run, a status, or the reading of the plan or its definitions is under way.
    pub fn is_running(&self) -> bool {
        self.worker.is_some() || self.plan_task.is_some() || self.definitions_task.is_some()
    }

    /// Reads a plan file (on a worker), then puts it into the form and checks it.
    pub fn open_plan(&mut self, path: &Path) {
        // Definitions are read again for another plan (they may have changed on disk meanwhile).
        self.definitions.clear();
        let path = path.to_path_buf();
        self.plan_task = Some(Task::spawn("Reading the plan", &self.ctx, move || {
            let text = crate::files::read_small_text(&path).map_err(|e| e.to_string());
            (path, text)
        }));
    }

    /// Puts a plan file's text into the form and checks it.
    fn opened_plan(&mut self, path: &Path, text: Result<String, String>) {
        match text {
            Ok(text) => match plan::draft(&text) {
                Ok(draft) => {
                    self.draft = draft;
                    self.plan_path = Some(path.to_path_buf());
                    self.last_run = None;
                    self.check_draft_text(&text);
                }
                Err(e) => {
                    self.plan_error = Some(format!("{}: {}", path.display(), escaped(&e)));
                }
            },
            Err(e) => self.plan_error = Some(format!("{}: {e}", path.display())),
        }
    }

    /// The form's plan as TOML (what Save plan… writes).
    pub fn plan_text(&self) -> String {
        plan::to_toml(&self.draft)
    }

    /// Remembers where the plan was saved (its folder now anchors relative paths), writes a new
    /// plan's REST definition beside it (never over an existing file), and re-checks it.
    pub fn saved_as(&mut self, path: &Path) {
        self.plan_path = Some(path.to_path_buf());
        // A definition that could not be read is tried again (the admin may have just created it).
        self.definitions.retain(|_, read| read.is_ok());
        if let Some((name, target)) = self.rest_definition.take() {
            let file = path.parent().unwrap_or(Path::new(".")).join(&name);
            if !file.exists() {
                match crate::files::write_output(&file, target.to_json().as_bytes(), &[]) {
                    Ok(()) => {
                        self.definitions.insert(file.clone(), Ok(target.to_json()));
                    }
                    Err(e) => self.message = Some(format!("{}: not written: {e}", file.display())),
                }
            }
        }
        self.check_draft();
    }

    fn check_draft(&mut self) {
        let text = self.plan_text();
        self.check_draft_text(&text);
    }

    /// Checks the plan as the command line would (relative paths from the plan's folder).
    fn check_draft_text(&mut self, text: &str) {
        let path = self
            .plan_path
            .clone()
            .unwrap_or_else(|| PathBuf::from("unsaved plan.toml"));
        // Definitions come from the cache; one not read yet is read on a worker, then the plan is
        // checked again (meanwhile the plan says so, without an error).
        let missing = std::cell::RefCell::new(Vec::new());
        let read = |file: &Path| -> Result<String, String> {
            match self.definitions.get(file) {
                Some(known) => known.clone(),
                None => {
                    missing.borrow_mut().push(file.to_path_buf());
                    Err(READING.into())
                }
            }
        };
        let parsed = plan::parse_with(&path, text, &read);
        let missing = missing.into_inner();
        if !missing.is_empty() {
            if self.definitions_task.is_none() {
                self.definitions_task = Some(Task::spawn(
                    "Reading the REST definitions",
                    &self.ctx,
                    move || {
                        missing
                            .into_iter()
                            .map(|file| {
                                let text =
                                    crate::files::read_small_text(&file).map_err(|e| e.to_string());
                                (file, text)
                            })
                            .collect()
                    },
                ));
            }
            self.rotation = None;
            self.plan_error = Some(READING.into());
            return;
        }
        match parsed {
            Ok(rotation) => {
                let keep = self.rows.len() == rotation.targets.len()
                    && self
                        .rows
                        .iter()
                        .zip(&rotation.targets)
                        .all(|(r, t)| r.name == t.name);
                if !keep {
                    self.rows = rotation
                        .targets
                        .iter()
                        .map(|t| Row {
                            name: t.name.clone(),
                            kind: t.target.kind().into(),
                            ..Row::default()
                        })
                        .collect();
                }
                self.secrets.resize(rotation.targets.len(), String::new());
                self.rotation = Some(rotation);
                self.plan_error = None;
            }
            Err(e) => {
                self.rotation = None;
                self.plan_error = Some(form_error(&e));
            }
        }
    }

    /// A new plan: the loaded chain's files as the bundle, and a target for each target the Upload
    /// window holds (a Genesys organisation with a client id, a REST URL).
    pub fn new_plan(&mut self, seed: &Seed) {
        self.definitions.clear();
        let mut draft = Draft::default();
        draft.bundle.inputs = seed.inputs.clone();
        draft.bundle.host = Some(seed.host.clone()).filter(|h| !h.trim().is_empty());
        let u = seed.upload;
        if !u.client_id.trim().is_empty() {
            draft.targets.push(TargetSection {
                name: format!("Genesys {}", u.region),
                kind: Kind::Genesys,
                region: Some(u.region.clone()),
                client_id: Some(u.client_id.trim().into()),
                ca_name: Some(u.ca_name.trim().into()).filter(|n: &String| !n.is_empty()),
                ca_file: Some(u.ca_file.trim().into()).filter(|n: &String| !n.is_empty()),
                ..TargetSection::default()
            });
        }
        self.rest_definition = None;
        if u.rest.check().is_ok() {
            draft.targets.push(TargetSection {
                name: "REST target".into(),
                kind: Kind::Rest,
                definition: Some("rest-target.json".into()),
                ca_file: Some(u.ca_file.trim().into()).filter(|n: &String| !n.is_empty()),
                ..TargetSection::default()
            });
            self.rest_definition = Some(("rest-target.json".into(), u.rest.clone()));
            // Known before it is written beside the plan: the new plan checks out at once.
            self.definitions
                .insert(PathBuf::from("rest-target.json"), Ok(u.rest.to_json()));
        }
        self.draft = draft;
        self.plan_path = None;
        self.last_run = None;
        self.editing = true;
        self.message = Some(
            "A new plan from the loaded chain: check each target, then Save plan… (the REST target's definition is saved beside it)."
                .into(),
        );
        self.check_draft();
    }

    /// Where each target's secret comes from: the one typed, else its variable or the keychain. Read
    /// with [`SecretSource::resolve`] on the worker: a keychain lookup (D-Bus, Credential Manager)
    /// never runs on the UI thread.
    fn secret_sources<'a>(
        &self,
        targets: impl Iterator<Item = (&'a upload::Target, Option<&'a String>)>,
    ) -> Vec<SecretSource> {
        targets
            .enumerate()
            .map(|(i, (target, secret_env))| SecretSource {
                target: target.clone(),
                typed: self
                    .secrets
                    .get(i)
                    .filter(|s| !s.is_empty())
                    .map(|s| Secret::new(s.clone())),
                secret_env: secret_env.cloned(),
            })
            .collect()
    }

    fn secrets_for(&self, rotation: &Rotation) -> Vec<SecretSource> {
        self.secret_sources(
            rotation
                .targets
                .iter()
                .map(|t| (&t.target, t.secret_env.as_ref())),
        )
    }

    /// Status (`dry_run`: and the requests a run would send): reads every target, sends no change.
    pub fn start_status(&mut self, ctx: &egui::Context, dry_run: bool) {
        let Some(rotation) = self.rotation.clone() else {
            return;
        };
        let secrets = self.secrets_for(&rotation);
        let data_dir = self.data_dir.clone();
        for row in &mut self.rows {
            row.step = "reading…".into();
            row.error = None;
        }
        let (tx, rx) = channel::<Message>();
        drop(tx);
        let label = if dry_run { "Dry run" } else { "Status" };
        let task = Task::spawn(label, ctx, move || {
            let secrets = SecretSource::resolve(secrets);
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let prepared = rotate::prepare(&rotation, now, &data_dir).map_err(|e| e.to_string())?;
            let statuses = rotation
                .targets
                .iter()
                .zip(&prepared.plans)
                .zip(&secrets)
                .map(|((t, plan), secrets)| rotate::status_of(&t.name, plan, secrets, dry_run))
                .collect();
            let receives = rotation
                .targets
                .iter()
                .zip(&prepared.plans)
                .map(|(t, plan)| receives(&t.target, &plan.payload))
                .collect();
            Ok(Outcome::Statuses {
                statuses,
                receives,
                bundle: bundle_of(&prepared.report),
                verdict: prepared.report.verdict_line(),
            })
        });
        self.worker = Some(Worker {
            label,
            task,
            messages: rx,
        });
    }

    /// Apply: the canary alone (`canary_only`), or every target not yet done.
    pub fn start_apply(&mut self, ctx: &egui::Context, canary_only: bool) {
        let Some(rotation) = self.rotation.clone() else {
            return;
        };
        let secrets = self.secrets_for(&rotation);
        let data_dir = self.data_dir.clone();
        self.cancel = Arc::new(AtomicBool::new(false));
        let cancel = self.cancel.clone();
        for row in &mut self.rows {
            row.step.clear();
            row.error = None;
        }
        let (tx, rx) = channel::<Message>();
        let repaint = ctx.clone();
        let task = Task::spawn("Apply", ctx, move || {
            let secrets = SecretSource::resolve(secrets);
            let clock = || time::OffsetDateTime::now_utc().unix_timestamp();
            let prepared =
                rotate::prepare(&rotation, clock(), &data_dir).map_err(|e| e.to_string())?;
            let blocking = upload::blocking_findings(&prepared.report);
            if !blocking.is_empty() {
                return Err(format!(
                    "Nothing sent: the bundle has {} error finding(s): {}",
                    blocking.len(),
                    blocking.join("; ")
                ));
            }
            if let Some(e) = rotate::missing_secret(&rotation, &secrets) {
                return Err(format!(
                    "Nothing sent: {e}, or type it in the target's Secret field"
                ));
            }
            let mut progress = |p: Progress| {
                let _ = tx.send(Message::Progress(p));
                repaint.request_repaint();
            };
            let options = rotate::RunOptions {
                continue_on_error: false,
                canary_only,
            };
            let bundle: Vec<String> = prepared
                .report
                .chain
                .iter()
                .map(|c| c.cert.sha256.hex())
                .collect();
            let (mut run, path) = rotate::apply(
                &rotation,
                &prepared.plans,
                &secrets,
                bundle,
                options,
                &data_dir,
                &clock,
                cancel,
                &mut progress,
            )
            .map_err(|e| e.to_string())?;
            rotate::verify_all(&rotation, &prepared, &mut run, &path, &mut |_| {})
                .map_err(|e| e.to_string())?;
            Ok(Outcome::Run {
                run: Box::new(run),
                path,
                bundle: bundle_of(&prepared.report),
                verdict: prepared.report.verdict_line(),
            })
        });
        self.worker = Some(Worker {
            label: "Apply",
            task,
            messages: rx,
        });
    }

    /// Prepares the confirmation of `asked` on a worker: nothing is sent before the admin has seen
    /// every destination and what goes there.
    pub fn ask(&mut self, ctx: &egui::Context, asked: Asked) {
        let data_dir = self.data_dir.clone();
        let rotation = self.rotation.clone();
        let last_run = self.last_run.clone();
        let pending: Vec<bool> = match &self.last_run {
            Some((run, _)) if run.action == "apply" => run
                .targets
                .iter()
                .map(|t| t.status == Status::Pending)
                .collect(),
            _ => Vec::new(),
        };
        self.confirm_task = Some(Task::spawn("Preparing the confirmation", ctx, move || {
            let backed_up = "What it holds now is backed up first, then read back after the write.";
            let targets = match asked {
                Asked::Canary | Asked::Continue => {
                    let rotation = rotation.ok_or("no plan")?;
                    let now = time::OffsetDateTime::now_utc().unix_timestamp();
                    let prepared =
                        rotate::prepare(&rotation, now, &data_dir).map_err(|e| e.to_string())?;
                    rotation
                        .targets
                        .iter()
                        .zip(&prepared.plans)
                        .enumerate()
                        .filter(|(i, _)| match asked {
                            Asked::Canary => *i == 0,
                            _ => pending.get(*i).copied().unwrap_or(true),
                        })
                        .map(|(_, (t, plan))| ConfirmTarget {
                            name: t.name.clone(),
                            destination: destination(&t.target),
                            sends: certificate_lines(&rotate::held(plan.payload.pem.as_deref())),
                            backup: backed_up.into(),
                        })
                        .collect()
                }
                Asked::RollBack => {
                    let (run, _) = last_run.ok_or("no run to roll back")?;
                    run.targets
                        .iter()
                        .rev()
                        .filter(|t| t.was_changed())
                        .map(|t| {
                            let backup = t.backup.as_deref().map(|b| {
                                upload::records::read_backup(Path::new(b))
                                    .map(|b| rotate::held(b.certificate.as_deref()))
                            });
                            let (sends, what) = match backup {
                                Some(Ok(held)) if held.is_empty() => (
                                    Vec::new(),
                                    "It held nothing before: what this run put there is deleted."
                                        .to_string(),
                                ),
                                Some(Ok(held)) => (
                                    certificate_lines(&held),
                                    format!("{backed_up} Puts back what it held before this run."),
                                ),
                                Some(Err(e)) => {
                                    (Vec::new(), format!("Its backup cannot be read: {e}"))
                                }
                                None => (
                                    Vec::new(),
                                    "No backup is recorded for it: it will be refused.".into(),
                                ),
                            };
                            ConfirmTarget {
                                name: t.name.clone(),
                                destination: destination(&t.target),
                                sends,
                                backup: what,
                            }
                        })
                        .collect()
                }
            };
            Ok(Confirmation { asked, targets })
        }));
    }

    /// The confirmation, once prepared: Cancel where the eye starts, the confirming button at the far
    /// end of the dialog (never where the button that opened it was); Esc cancels.
    fn ui_confirm(&mut self, ctx: &egui::Context) {
        if let Some(task) = &self.confirm_task
            && let Some(result) = task.try_result()
        {
            self.confirm_task = None;
            match result {
                Ok(c) => self.confirm = Some(c),
                Err(e) => self.message = Some(format!("Nothing sent: {}", escaped(&e))),
            }
        }
        let Some(confirm) = self.confirm.clone() else {
            return;
        };
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.confirm = None;
            return;
        }
        let n = confirm.targets.len();
        let (heading, go) = match confirm.asked {
            Asked::Canary => (
                "Apply to the canary?".to_string(),
                format!(
                    "Write to {}",
                    confirm
                        .targets
                        .first()
                        .map(|t| t.name.as_str())
                        .unwrap_or("it")
                ),
            ),
            Asked::Continue => (
                format!("Continue with the remaining {n}?"),
                format!("Write to {n} target(s)"),
            ),
            Asked::RollBack => (
                "Roll back every target this run changed?".to_string(),
                format!("Roll back {n} target(s)"),
            ),
        };
        egui::Modal::new(egui::Id::unique("confirm-rotation")).show(ctx, |ui| {
            crate::gui::focus::trapped(ui, |ui| {
                ui.set_min_width(560.0);
                ui.heading(heading);
                for t in &confirm.targets {
                    ui.separator();
                    ui.label(RichText::new(escaped(&t.name)).strong());
                    ui.label(format!("Destination: {}", t.destination));
                    for line in &t.sends {
                        ui.label(format!("Sends: {}", escaped(line)));
                    }
                    ui.label(&t.backup);
                }
                ui.separator();
                ui.horizontal(|ui| {
                    if ui.button("Cancel").clicked() {
                        self.confirm = None;
                    }
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        if ui.button(RichText::new(go.as_str()).strong()).clicked() {
                            self.confirm = None;
                            let ctx = ui.ctx().clone();
                            match confirm.asked {
                                Asked::Canary => self.start_apply(&ctx, true),
                                Asked::Continue => self.start_apply(&ctx, false),
                                Asked::RollBack => self.start_rollback(&ctx),
                            }
                        }
                    });
                });
            })
        });
    }

    /// Roll back all: every target the last run changed, put back from its backup, last first.
    pub fn start_rollback(&mut self, ctx: &egui::Context) {
        let Some((previous, previous_path)) = self.last_run.clone() else {
            return;
        };
        let secrets = self.secret_sources(
            previous
                .targets
                .iter()
                .map(|t| (&t.target, t.secret_env.as_ref())),
        );
        let data_dir = self.data_dir.clone();
        self.cancel = Arc::new(AtomicBool::new(false));
        let cancel = self.cancel.clone();
        let (tx, rx) = channel::<Message>();
        let repaint = ctx.clone();
        let bundle = self.bundle.clone();
        let verdict = self.verdict.clone().unwrap_or_default();
        let task = Task::spawn("Roll back", ctx, move || {
            let secrets = SecretSource::resolve(secrets);
            let clock = || time::OffsetDateTime::now_utc().unix_timestamp();
            let mut progress = |p: Progress| {
                let _ = tx.send(Message::Progress(p));
                repaint.request_repaint();
            };
            let (run, path) = rotate::rollback(
                &previous,
                &previous_path,
                &secrets,
                &data_dir,
                false,
                &clock,
                cancel,
                &mut progress,
            )
            .map_err(|e| e.to_string())?;
            Ok(Outcome::Run {
                run: Box::new(run),
                path,
                bundle,
                verdict,
            })
        });
        self.worker = Some(Worker {
            label: "Roll back",
            task,
            messages: rx,
        });
    }

    /// Stops a run between requests (the current target ends as `cancelled`, the rest are not touched).
    pub fn stop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Takes what the worker sent, and its result when it is done.
    pub fn poll(&mut self) {
        if let Some(task) = &self.plan_task
            && let Some((path, text)) = task.try_result()
        {
            self.plan_task = None;
            self.opened_plan(&path, text);
        }
        if let Some(task) = &self.definitions_task
            && let Some(read) = task.try_result()
        {
            self.definitions_task = None;
            self.definitions.extend(read);
            self.check_draft();
        }
        let Some(worker) = &self.worker else { return };
        let messages: Vec<Message> = worker.messages.try_iter().collect();
        for Message::Progress(p) in messages {
            self.on_progress(p);
        }
        let Some(worker) = &self.worker else { return };
        let Some(result) = worker.task.try_result() else {
            return;
        };
        let label = worker.label;
        self.worker = None;
        match result {
            Err(e) => {
                self.message = Some(format!("{label}: {}", escaped(&e)));
                for row in &mut self.rows {
                    row.step.clear();
                }
            }
            Ok(Outcome::Statuses {
                statuses,
                receives,
                bundle,
                verdict,
            }) => {
                self.bundle = bundle;
                self.verdict = Some(verdict);
                for (row, r) in self.rows.iter_mut().zip(receives) {
                    row.receives = r;
                }
                for (row, s) in self.rows.iter_mut().zip(statuses) {
                    row.holds = s.certificates;
                    row.holds_bundle = Some(s.holds_bundle);
                    row.error = s.error.map(|e| escaped(&e));
                    row.would_send = s.would_send;
                    row.step.clear();
                }
                self.message = Some(format!("{label}: read every target; nothing was changed."));
            }
            Ok(Outcome::Run {
                run,
                path,
                bundle,
                verdict,
            }) => {
                self.bundle = bundle;
                self.verdict = Some(verdict);
                for (row, t) in self.rows.iter_mut().zip(&run.targets) {
                    row.status = Some(t.status);
                    // What it holds now is known unless the change did not read back, or the
                    // target was not reached.
                    if !matches!(
                        t.status,
                        Status::Differs
                            | Status::ChangedUnverified
                            | Status::Pending
                            | Status::Skipped
                            | Status::Cancelled
                    ) {
                        row.holds = t.after.clone();
                    }
                    row.holds_bundle = Some(t.status.is_good() && run.action == "apply");
                    row.error = t.error.as_deref().map(escaped);
                    row.step.clear();
                    row.would_send.clear();
                }
                self.message = Some(match run.exit_code() {
                    0 if run.action == "rollback" => {
                        "Rolled back: every changed target holds what it held before.".into()
                    }
                    0 => "Done: every target holds the bundle.".into(),
                    4 => "A target changed but did not read back as sent: check it, or roll back."
                        .into(),
                    _ if run.action == "apply"
                        && self.pending_in(&run) > 0
                        && run
                            .targets
                            .iter()
                            .all(|t| t.status.is_good() || t.status == Status::Pending) =>
                    {
                        format!(
                            "The canary is done. Check it, then continue with the remaining {}.",
                            self.pending_in(&run)
                        )
                    }
                    _ => "Stopped: see the failed target. Fix it and Apply again (done targets are left unchanged), or roll back."
                        .into(),
                });
                self.last_run = Some((*run, path));
            }
        }
    }

    fn pending_in(&self, run: &RunFile) -> usize {
        run.targets
            .iter()
            .filter(|t| t.status == Status::Pending)
            .count()
    }

    /// Targets the last apply left for later (after the canary).
    pub fn pending(&self) -> usize {
        match &self.last_run {
            Some((run, _)) if run.action == "apply" => self.pending_in(run),
            _ => 0,
        }
    }

    fn on_progress(&mut self, p: Progress) {
        match p {
            Progress::Started(i) => {
                if let Some(row) = self.rows.get_mut(i) {
                    row.step = "starting…".into();
                    row.status = None;
                }
            }
            Progress::Step(i, event) => {
                if let Some(row) = self.rows.get_mut(i) {
                    row.step = match event {
                        Event::Started(phase) => format!("{phase}…"),
                        Event::Done(phase, _) => format!("{phase} done"),
                        Event::Note(_) => row.step.clone(),
                    };
                }
            }
            Progress::Finished(i, status) => {
                if let Some(row) = self.rows.get_mut(i) {
                    row.status = Some(status);
                    row.step.clear();
                }
            }
        }
    }

    /// The change-ticket report of the last run.
    pub fn report_text(&self, format: rotate::report::Format) -> Option<String> {
        let (run, path) = self.last_run.as_ref()?;
        let ctx = rotate::report::Context {
            verdict: self.verdict.clone().unwrap_or_default(),
            bundle: self.bundle.clone(),
            generated_at: time::OffsetDateTime::now_utc().unix_timestamp(),
            generator: format!("Chainsmith {}", env!("CARGO_PKG_VERSION")),
        };
        Some(rotate::report::render(run, path, &ctx, format))
    }

    /// The window. Returns what the app must do (a dialog, the clipboard).
    pub fn ui(&mut self, ctx: &egui::Context, seed: &Seed) -> Option<RotationAction> {
        self.ctx = ctx.clone();
        self.poll();
        if self.worker.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(200));
        }
        if !self.open {
            return None;
        }
        let mut action = None;
        let mut open = true;
        // Below the inputs (Host name, Profile, Trust), not over them.
        egui::Window::new("Rotation")
            .id(egui::Id::unique("rotation-window"))
            .default_pos(ctx.content_rect().left_top() + egui::vec2(16.0, 96.0))
            .open(&mut open)
            .default_width(900.0)
            .default_height(560.0)
            .show(ctx, |ui| {
                crate::gui::focus::trapped(ui, |ui| {
                    action = self.ui_body(ui, seed);
                })
            });
        let asking = self.confirm.is_some() || self.confirm_task.is_some();
        self.ui_confirm(ctx);
        if self.confirm_task.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
        if !asking && self.worker.is_none() && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            open = false;
        }
        if !open {
            // Typed secrets do not outlive the window.
            for secret in &mut self.secrets {
                zeroize::Zeroize::zeroize(secret);
            }
        }
        self.open = open;
        action
    }

    fn ui_body(&mut self, ui: &mut egui::Ui, seed: &Seed) -> Option<RotationAction> {
        let mut action = None;
        let running = self.worker.is_some();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!running, egui::Button::new("Open plan…"))
                .clicked()
            {
                action = Some(RotationAction::OpenPlan);
            }
            if ui
                .add_enabled(
                    !running,
                    egui::Button::new("New plan from the loaded chain"),
                )
                .on_hover_text(
                    "The loaded files as the bundle, the Upload window's targets as targets",
                )
                .clicked()
            {
                self.new_plan(seed);
            }
            if ui
                .add_enabled(!running, egui::Button::new("Save plan…"))
                .clicked()
            {
                let name = self
                    .plan_path
                    .as_ref()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "rotation.toml".into());
                action = Some(RotationAction::SavePlan(name));
            }
            ui.toggle_value(&mut self.editing, "Edit plan");
        });
        match &self.plan_path {
            Some(p) => ui.label(format!("Plan: {}", escaped(&p.display().to_string()))),
            None if !self.draft.bundle.inputs.is_empty()
                || !self.draft.targets.is_empty()
                || self.rotation.is_some() =>
            {
                ui.label("Plan: not saved yet (Save plan… keeps it)")
            }
            None => ui.weak("No plan yet: open one, or start one from the loaded chain."),
        };
        // One line, always there: an error appearing or going never moves the form under the pointer.
        let line = match &self.plan_error {
            Some(e) if e == READING || e.starts_with(NO_TARGET) => {
                RichText::new(format!("… {e}")).weak()
            }
            Some(e) => RichText::new(format!("✖ {e}")).color(ui.visuals().error_fg_color),
            None if self.rotation.is_some() => RichText::new("✔ The plan checks out").weak(),
            None => RichText::new(" "),
        };
        let full = self.plan_error.clone().unwrap_or_default();
        ui.add(egui::Label::new(line).truncate())
            .on_hover_text(full);
        if self.editing && !running {
            ui.separator();
            if self.ui_form(ui) {
                self.check_draft();
            }
        }
        ui.separator();
        let ready = self.rotation.is_some()
            && !running
            && self.confirm.is_none()
            && self.confirm_task.is_none();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(ready, egui::Button::new("Status"))
                .on_hover_text("Read what every target holds; send nothing")
                .clicked()
            {
                self.start_status(ui.ctx(), false);
            }
            if ui
                .add_enabled(ready, egui::Button::new("Dry run"))
                .on_hover_text("Status, plus every request a run would send; send no change")
                .clicked()
            {
                self.start_status(ui.ctx(), true);
            }
            let pending = self.pending();
            if pending > 0 {
                if ui
                    .add_enabled(
                        ready,
                        egui::Button::new(format!("Continue with the remaining {pending}")),
                    )
                    .clicked()
                {
                    self.ask(ui.ctx(), Asked::Continue);
                }
            } else if ui
                .add_enabled(ready, egui::Button::new("Apply (canary first)"))
                .on_hover_text("Upload to the first target only, then wait for you to continue")
                .clicked()
            {
                self.ask(ui.ctx(), Asked::Canary);
            }
            if ui.add_enabled(running, egui::Button::new("Stop")).clicked() {
                self.stop();
            }
            let changed = self.last_run.as_ref().is_some_and(|(run, _)| {
                run.action == "apply" && run.targets.iter().any(|t| t.was_changed())
            });
            if ui
                .add_enabled(changed && ready, egui::Button::new("Roll back all"))
                .on_hover_text(
                    "Put every target the last run changed back from its backup, last first",
                )
                .clicked()
            {
                self.ask(ui.ctx(), Asked::RollBack);
            }
            let has_run = self.last_run.is_some();
            if ui
                .add_enabled(has_run, egui::Button::new("Save report…"))
                .on_hover_text("The change-ticket report: Markdown, or HTML for a .html name")
                .clicked()
            {
                action = Some(RotationAction::SaveReport("rotation-report.md".into()));
            }
            if ui
                .add_enabled(has_run, egui::Button::new("Copy report"))
                .clicked()
            {
                action = self
                    .report_text(rotate::report::Format::Markdown)
                    .map(RotationAction::Copy);
            }
            if running {
                ui.spinner();
            }
        });
        if let Some(verdict) = &self.verdict {
            // The chain as checked; what each target receives of it is under the target's name.
            ui.label(format!("Chain checked: {}", escaped(verdict)))
                .on_hover_text("Each target receives its part: a Genesys certificate authority the CA certificates, a REST endpoint the bundle (see under each target)");
        }
        if let Some(m) = &self.message {
            ui.label(RichText::new(m).strong());
        }
        ui.separator();
        self.ui_table(ui);
        action
    }

    fn ui_table(&mut self, ui: &mut egui::Ui) {
        let rotation = self.rotation.clone();
        egui::ScrollArea::both().show(ui, |ui| {
            // One line per value: a table whose cells wrap letter by letter cannot be read.
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
            egui::Grid::new("rotation-targets")
                .striped(true)
                .num_columns(6)
                .spacing([16.0, 6.0])
                .show(ui, |ui| {
                    for head in ["#", "Target", "Holds now", "Result", "Progress", "Secret"] {
                        ui.label(RichText::new(head).strong());
                    }
                    ui.end_row();
                    for (i, row) in self.rows.iter().enumerate() {
                        ui.label(if i == 0 {
                            "1 (canary)".to_string()
                        } else {
                            (i + 1).to_string()
                        });
                        ui.vertical(|ui| {
                            ui.label(format!("{} ({})", escaped(&row.name), row.kind));
                            if !row.receives.is_empty() {
                                ui.weak(format!("receives {}", row.receives));
                            }
                        });
                        ui.vertical(|ui| {
                            if row.holds.is_empty() {
                                ui.weak(if row.holds_bundle.is_some() {
                                    "nothing"
                                } else {
                                    "not read yet"
                                });
                            }
                            for h in &row.holds {
                                ui.label(format!(
                                    "{}, until {}",
                                    h.shown_name(),
                                    h.not_after.get(..10).unwrap_or(&h.not_after)
                                ))
                                .on_hover_text(format!("{}\nSHA-256 {}", h.subject, h.sha256));
                            }
                            match row.holds_bundle {
                                Some(true) => {
                                    ui.label("✔ holds the bundle");
                                }
                                Some(false) => {
                                    ui.label("would change");
                                }
                                None => {}
                            }
                        });
                        ui.vertical(|ui| {
                            match row.status {
                                Some(s) if s.is_good() || s == Status::RolledBack => {
                                    ui.label(format!("✔ {}", s.words()));
                                }
                                Some(s @ (Status::Pending | Status::Skipped)) => {
                                    ui.weak(s.as_str());
                                }
                                Some(s) => {
                                    ui.colored_label(ui.visuals().error_fg_color, format!("✖ {}", s.as_str()));
                                }
                                None => {}
                            }
                            if let Some(e) = &row.error {
                                ui.colored_label(ui.visuals().error_fg_color, e);
                            }
                        });
                        ui.vertical(|ui| {
                            ui.label(&row.step);
                            if !row.would_send.is_empty() {
                                egui::CollapsingHeader::new(format!(
                                    "{} request(s)",
                                    row.would_send.len()
                                ))
                                .id_salt(("would-send", i))
                                .show(ui, |ui| {
                                    for r in &row.would_send {
                                        ui.monospace(escaped(r));
                                    }
                                });
                            }
                        });
                        let needs = rotation
                            .as_ref()
                            .and_then(|r| r.targets.get(i))
                            .is_some_and(|t| upload::needs_secret(&t.target));
                        if needs && let Some(secret) = self.secrets.get_mut(i) {
                            ui.horizontal(|ui| {
                                let label = ui.label(
                                    RichText::new(format!("Secret for {}", escaped(&row.name)))
                                        .small()
                                        .weak(),
                                );
                                ui.add(
                                    egui::TextEdit::singleline(secret)
                                        .password(true)
                                        .desired_width(140.0)
                                        .hint_text("env / keychain"),
                                )
                                .labelled_by(label.id)
                                .on_hover_text(
                                    "Empty: its secret_env variable, else the OS keychain. Never saved.",
                                );
                            });
                        } else {
                            ui.label("");
                        }
                        ui.end_row();
                    }
                });
        });
    }

    /// The plan form; returns whether anything changed.
    fn ui_form(&mut self, ui: &mut egui::Ui) -> bool {
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
                                let mut context =
                                    t.context.map(|c| c.to_string()).unwrap_or_default();
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

fn text_row(ui: &mut egui::Ui, label: &str, value: &mut String) -> bool {
    let l = ui.label(label);
    let changed = ui.text_edit_singleline(value).labelled_by(l.id).changed();
    ui.end_row();
    changed
}

/// [`option_row`] for a file path: a pasted "quoted path" (Explorer's Copy as path) is taken without
/// its quotes.
fn path_row(ui: &mut egui::Ui, label: &str, value: &mut Option<String>) -> bool {
    let changed = option_row(ui, label, value);
    if changed && let Some(v) = value.as_mut() {
        *v = crate::files::unquoted(v).to_string();
    }
    changed
}

fn option_row(ui: &mut egui::Ui, label: &str, value: &mut Option<String>) -> bool {
    let mut text = value.clone().unwrap_or_default();
    let changed = text_row(ui, label, &mut text);
    if changed {
        *value = Some(text).filter(|t| !t.trim().is_empty());
    }
    changed
}

fn bundle_of(report: &crate::engine::Report) -> Vec<Held> {
    report.chain.iter().map(|c| Held::of(&c.cert)).collect()
}

/// What a plan without a target says: a step still to take, not an error.
const NO_TARGET: &str = "No target yet";

/// What the plan says while a REST definition file is being read.
const READING: &str = "reading the REST definition file…";

/// A plan error in the form's words: the target and the form field it is about, instead of a line
/// number of a TOML text the admin never saw.
fn form_error(e: &plan::PlanError) -> String {
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
fn clear_other_kind(t: &mut TargetSection) {
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

/// What a target receives, by name: a Genesys certificate authority the CA certificates, a REST
/// endpoint the bundle.
fn receives(target: &upload::Target, payload: &upload::Payload) -> String {
    let names = payload.display_names();
    let what = match (target, names.len()) {
        (_, 0) => return "nothing".into(),
        (upload::Target::Genesys(_), 1) => "1 CA certificate".to_string(),
        (upload::Target::Genesys(_), n) => format!("{n} CA certificates"),
        (upload::Target::Rest(_), n) => format!("the bundle of {n}"),
        (t @ (upload::Target::AudioCodes(_) | upload::Target::Files(_)), n) if t.trust_only() => {
            format!("{n} CA certificate(s) for its trusted roots")
        }
        (upload::Target::AudioCodes(_) | upload::Target::Files(_), n) => {
            format!("the bundle of {n} and the private key")
        }
    };
    format!("{what}: {}", names.join(", "))
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
