//! The Rotation window: a plan's targets with what each holds now, **Status**, **Dry run**, **Apply**
//! (the canary first, then "Continue with the remaining N"), **Stop**, **Roll back all**, each row's
//! progress and result live from a worker, and the change-ticket report. The plan is edited in a form
//! and saved as the TOML `chainsmith rotate` reads; a new one starts from the loaded chain and the
//! Upload window's targets.
//!
//! Everything that touches the network or the disk runs on a [`Task`] that reports each step through a
//! channel and `request_repaint()`; the window never waits.
//!
//! This file owns the panel's state and the words shared by its parts; one concern a file beside it:
//! [`draft`] (the plan opened, typed, made, saved), [`form`] (one target's fields, errors by field),
//! [`view`] (the window and the targets' table), [`confirm`] (the confirmation naming every target),
//! [`run`] (status, apply, rollback and Stop on a worker, and what it reports).

mod confirm;
mod draft;
mod form;
mod run;
mod view;

use confirm::receives;
use form::{NO_TARGET, READING, form_error};

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

/// A target's destination in words: the live place a write reaches (its names and addresses
/// escaped, as they come from a plan or a form).
pub fn destination(target: &upload::Target) -> String {
    crate::engine::text::escaped(&destination_words(target))
}

fn destination_words(target: &upload::Target) -> String {
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
}

fn bundle_of(report: &crate::engine::Report) -> Vec<Held> {
    report.chain.iter().map(|c| Held::of(&c.cert)).collect()
}
