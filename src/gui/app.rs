//! The window's state and drawing. Persisted preferences and transient state live on one struct,
//! clearly split; UI actions become [`Command`]s handled in one place.
//!
//! Beside this file (the state, loading, the frame's layout), one concern a file: [`commands`] (every
//! command carried out), [`events`] (drops, paste, shortcuts), [`workers`] (what workers hand back),
//! [`saving`] (dialogs and files written), and one module per view or panel.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

use eframe::egui::{self, Color32, RichText};

mod chain;
mod commands;
mod dialogs;
mod events;
mod findings;
mod fit;
mod inputs;
mod revocation;
mod saving;
mod status;
mod toolbar;
mod workers;

use findings::finding_row;

use super::jobs::{LoadJob, Target, Task};
use super::picker::{PickRequest, Picked, Picker};
use crate::engine::bundle::{self, BundleOptions};
use crate::engine::cert::San;
use crate::engine::finding::Face;
use crate::engine::hostname::{self, NameMatch};
use crate::engine::report::{AnchorKind, rfc3339};
use crate::engine::signature::SignatureCheck;
use crate::engine::{
    self, CheckOptions, Code, Fingerprint, HostName, Loaded, Profile, Report, Role, Severity,
};

/// The sample chain shipped in `assets/sample/` (regenerate with `cargo run --example generate_sample`).
const SAMPLE: [(&str, &[u8]); 3] = [
    (
        "sample/root-ca.pem",
        include_bytes!("../../assets/sample/root-ca.pem"),
    ),
    (
        "sample/sbc1.sample.chainsmith.example.pem",
        include_bytes!("../../assets/sample/sbc1.sample.chainsmith.example.pem"),
    ),
    (
        "sample/issuing-ca.cer",
        include_bytes!("../../assets/sample/issuing-ca.cer"),
    ),
];
const SAMPLE_HOST: &str = "sbc1.sample.chainsmith.example";
const STORAGE_KEY: &str = "chainsmith.preferences";
/// Findings shown wrapped in full; more than this are shown as a virtualized list of one-line rows.
const WRAPPED_FINDINGS: usize = 200;

pub use crate::prefs::{Preferences, Theme, Trust};

type InputsKey = (
    String,
    String,
    String,
    Trust,
    bool,
    u32,
    Option<Fingerprint>,
    Option<Fingerprint>,
    // Check revocation, and how many CRLs were fetched.
    (bool, usize),
);

/// Everything the UI asks for, handled in [`App::handle`].
#[derive(Debug, Clone)]
pub enum Command {
    Pick(PickRequest),
    LoadPaths(Vec<PathBuf>),
    LoadBytes(Vec<(String, Vec<u8>)>),
    LoadSample,
    CancelLoad,
    Remove(Fingerprint),
    /// Removes what one input file brought besides certificates (a private key, a leftover's finding).
    RemoveFile(String),
    ClearAll,
    PinLeaf(Option<Fingerprint>),
    PreferPathThrough(Option<Fingerprint>),
    Select(Fingerprint),
    ShowDetails(Option<Fingerprint>),
    SaveBundle,
    SaveBundleConfirmed,
    CopyBundle,
    SaveReport,
    CopyReport,
    Copy(String),
    OpenPaste,
    OpenProbe,
    Probe,
    FetchMissing,
}

/// An input file that brought no certificate, for the Left-out list.
struct OtherFile {
    code: Code,
    /// The input's name as the loader wrote it (escaped).
    source: String,
    what: String,
}

pub use super::probe::ProbeOutcome;

/// The application.
pub struct App {
    pub prefs: Preferences,
    /// Everything loaded, in load order (the loader's findings included).
    loaded: Loaded,
    /// The files and folders the admin loaded: no output is ever written over one of them or over
    /// any file in them (a private key left out of the bundle included).
    loaded_paths: Vec<PathBuf>,
    roots: Option<Loaded>,
    /// Empty: now. Otherwise `YYYY-MM-DD` or RFC 3339.
    pub at_text: String,
    leaf_pin: Option<Fingerprint>,
    via: Option<Fingerprint>,
    report: Option<Report>,
    /// Set when the certificates change; option changes are seen through `checked_with`.
    dirty: bool,
    checked_with: Option<InputsKey>,
    chain_view: chain::ChainView,
    job: Option<LoadJob>,
    picker: Box<dyn Picker>,
    picks: (Sender<Picked>, Receiver<Picked>),
    confirm_save: dialogs::ConfirmSave,
    /// A file dialog is open (one at a time).
    picking: bool,
    /// Focus the Host name field on the first frame.
    focus_host: bool,
    paste: dialogs::PasteDialog,
    /// A path typed where no file dialog can be shown.
    path_dialog: dialogs::PathDialog,
    toast: Option<(String, Instant)>,
    commands: Vec<Command>,
    /// CPU time of the last frame, milliseconds.
    pub last_frame_ms: f32,
    /// Fixed "now" (tests); `None` reads the clock.
    pub fixed_now: Option<i64>,
    /// Bundles and reports written, for the status line and tests.
    pub last_written: Option<PathBuf>,
    /// The bundle last saved: its file name and the SHA-256 of its bytes (for the report).
    pub last_bundle: Option<(String, String)>,
    /// The Probe window.
    pub probe: super::probe::ProbePanel,
    fetch_task: Option<Task<(Loaded, Vec<crate::aia::FetchNote>)>>,
    /// Teams Direct Routing: the SBC's own trusted root store, checked for Microsoft's roots.
    sbc_trust: Option<Loaded>,
    /// A bundle, report or plan being written.
    write_task: Option<Task<Written>>,
    /// "Check revocation": CRLs fetched from the chain's distribution points.
    revocation: revocation::RevocationFetch,
    /// Set at start when the preferences say "trust a roots file".
    restore_roots_pending: bool,
    /// The Upload window.
    pub upload: super::upload::UploadPanel,
    /// The Rotation window.
    pub rotation: super::rotation::RotationPanel,
    /// Set with CHAINSMITH_TIMING=1: start-up timing, loads and hand-overs on standard error.
    pub timing: Option<Timing>,
    /// How the window is drawn (shown in the status bar when it is not the usual way).
    pub drawn_with: DrawnWith,
    /// Files other Chainsmith processes hand over ("Open with" on several files).
    pub handover: Option<super::handover::Server>,
    /// Paths waiting for the load under way to finish.
    queued: Vec<PathBuf>,
    /// The first window made to fit its screen.
    fit: fit::WindowFit,
}

/// A finished save: what, where, the SHA-256 of what was written, and whether it was.
struct Written {
    what: &'static str,
    path: PathBuf,
    sha256: String,
    result: Result<(), String>,
}

pub use super::renderer::DrawnWith;

/// When the process started, and how many frames have been drawn.
pub struct Timing {
    pub started: Instant,
    pub frames: u32,
}

impl App {
    /// A new app with preferences restored from `storage` and dialogs from `picker`.
    pub fn new(storage: Option<&dyn eframe::Storage>, picker: Box<dyn Picker>) -> Self {
        let prefs = storage
            .and_then(|s| eframe::get_value::<Preferences>(s, STORAGE_KEY))
            .unwrap_or_default();
        Self {
            upload: super::upload::UploadPanel::new(prefs.upload.clone()),
            rotation: Default::default(),
            timing: None,
            drawn_with: DrawnWith::default(),
            handover: None,
            queued: Vec::new(),
            fit: fit::WindowFit::default(),
            prefs,
            loaded: Loaded::default(),
            loaded_paths: Vec::new(),
            roots: None,
            at_text: String::new(),
            leaf_pin: None,
            via: None,
            report: None,
            dirty: true,
            checked_with: None,
            chain_view: Default::default(),
            job: None,
            picker,
            picks: channel(),
            confirm_save: Default::default(),
            picking: false,
            focus_host: true,
            paste: Default::default(),
            path_dialog: Default::default(),
            toast: None,
            commands: Vec::new(),
            last_frame_ms: 0.0,
            fixed_now: None,
            last_written: None,
            last_bundle: None,
            probe: super::probe::ProbePanel::default(),
            fetch_task: None,
            write_task: None,
            sbc_trust: None,
            revocation: Default::default(),
            restore_roots_pending: true,
        }
    }

    /// The current analysis, if anything is loaded.
    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }

    /// Whether a load, probe or fetch is running.
    pub fn is_loading(&self) -> bool {
        self.job.is_some()
            || self.probe.is_busy()
            || self.fetch_task.is_some()
            || self.revocation.is_busy()
            || self.write_task.is_some()
            || self.upload.is_busy()
    }

    /// The last probe's outcome.
    pub fn probe_outcome(&self) -> Option<&ProbeOutcome> {
        self.probe.outcome()
    }

    /// Starts loading files and folders (worker thread).
    pub fn load_paths(&mut self, ctx: &egui::Context, paths: Vec<PathBuf>) {
        if paths.is_empty() {
            return;
        }
        let first = paths
            .first()
            .map(|p| dunce::canonicalize(p).unwrap_or_else(|_| p.clone()));
        if let Some(first) = first {
            let dir = if first.is_dir() {
                Some(first)
            } else {
                first.parent().map(Path::to_path_buf)
            };
            if dir.is_some() {
                self.prefs.last_folder = dir;
            }
        }
        self.loaded_paths.extend(paths.iter().cloned());
        // One load at a time: files that come while one is under way (a second drop, a hand-over)
        // are read after it, so neither is lost.
        if self.job.is_some() {
            self.queued.extend(paths);
        } else {
            self.job = Some(LoadJob::spawn(Target::Inputs, paths, ctx));
        }
    }

    /// Adds bytes through the engine's loader (drops without a path, paste, the sample).
    pub fn load_bytes(&mut self, inputs: Vec<(String, Vec<u8>)>) {
        for (name, bytes) in inputs {
            self.loaded.extend(engine::load(&name, &bytes));
        }
        self.dirty = true;
    }

    /// The validation time field holds text that is not a time.
    pub fn time_invalid(&self) -> bool {
        !self.at_text.trim().is_empty()
            && crate::engine::report::parse_time(&self.at_text).is_none()
    }

    /// The options the window's inputs describe.
    pub fn check_options(&self) -> CheckOptions {
        let now = self
            .fixed_now
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
        let at = crate::engine::report::parse_time(&self.at_text);
        let mut options = CheckOptions::new(at.unwrap_or(now));
        options.at_is_now = at.is_none();
        options.host = HostName::parse(&self.prefs.host).ok();
        options.profile = self.prefs.profile.parse().unwrap_or_default();
        options.public_roots = self.prefs.trust == Trust::Mozilla;
        options.leaf = self.leaf_pin;
        options.via = self.via;
        options.expiry_warning_days = self.prefs.expiry_warning_days;
        options.strict = self.prefs.strict;
        if options.profile == Profile::TeamsDirectRouting
            && let Some(store) = &self.sbc_trust
        {
            options.sbc_trust = Some(store.certificates.clone());
        }
        if self.prefs.check_revocation {
            options.revocation = true;
            options.crls.extend(self.revocation.crls.iter().cloned());
        }
        options
    }

    fn bundle_options(&self) -> BundleOptions {
        BundleOptions {
            include_root: self.prefs.include_root,
            ca_only: self.prefs.ca_only,
        }
    }

    /// What the analysis depends on besides the certificates.
    fn inputs_key(&self) -> InputsKey {
        (
            self.prefs.host.clone(),
            self.prefs.profile.clone(),
            self.at_text.clone(),
            self.prefs.trust,
            self.prefs.strict,
            self.prefs.expiry_warning_days,
            self.leaf_pin,
            self.via,
            (self.prefs.check_revocation, self.revocation.crls.len()),
        )
    }

    /// Re-runs the engine when the certificates or the options changed (never per frame otherwise).
    fn recompute(&mut self) {
        let key = self.inputs_key();
        if !self.dirty && self.checked_with.as_ref() == Some(&key) {
            return;
        }
        self.dirty = false;
        self.checked_with = Some(key);
        if self.loaded.certificates.is_empty() && self.loaded.findings.is_empty() {
            self.report = None;
            return;
        }
        // Nothing is judged at a time that does not parse: no silent fall-back to now.
        if self.time_invalid() {
            self.report = None;
            return;
        }
        // "A roots file" trusts exactly its roots: none while it is not loaded yet.
        let no_roots = Loaded::default();
        let roots = match self.prefs.trust {
            Trust::RootsFile => Some(self.roots.as_ref().unwrap_or(&no_roots)),
            _ => None,
        };
        let report = engine::analyze(&self.loaded, roots, &self.check_options());
        self.report = Some(if self.prefs.check_revocation {
            crate::crldp::with_notes(report, &self.revocation.notes)
        } else {
            report
        });
    }

    /// With "Check revocation" on, fetches the CRLs the chain names that are not known yet (worker).
    fn fetch_revocation(&mut self, ctx: &egui::Context) {
        if !self.prefs.check_revocation {
            return;
        }
        if let Some(report) = &self.report {
            self.revocation
                .start_if_needed(ctx, report, &self.loaded.crls);
        }
    }

    fn toast(&mut self, text: impl Into<String>) {
        self.toast = Some((text.into(), Instant::now()));
    }

    /// One frame.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let started = Instant::now();
        let ctx = ui.ctx().clone();
        ctx.set_theme(match self.prefs.theme {
            Theme::System => egui::ThemePreference::System,
            Theme::Light => egui::ThemePreference::Light,
            Theme::Dark => egui::ThemePreference::Dark,
        });
        self.restore_roots_file(&ctx);
        self.poll_workers(&ctx);
        self.poll_tasks();
        self.handle_input(&ctx);
        self.recompute();
        self.fetch_revocation(&ctx);

        egui::Panel::top("top").show(ui, |ui| self.ui_top(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.ui_status(ui));
        if self.report.is_some() {
            egui::Panel::right("findings")
                .resizable(true)
                .default_size(440.0)
                .min_size(300.0)
                .show(ui, |ui| self.ui_findings(ui));
        }
        egui::CentralPanel::default().show(ui, |ui| {
            if self.report.is_some() {
                self.ui_chain(ui);
            } else if self.time_invalid() && !self.loaded.certificates.is_empty() {
                self.ui_time_invalid(ui);
            } else {
                self.ui_empty(ui);
            }
        });
        self.ui_drop_hover(&ctx);
        self.ui_details(&ctx);
        if self.confirm_save.ui(&ctx, self.report.as_ref()) {
            self.commands.push(Command::SaveBundleConfirmed);
        }
        if let Some(picked) = self.path_dialog.ui(&ctx) {
            self.on_picked(&ctx, picked);
        }
        if let Some(text) = self.paste.ui(&ctx) {
            self.load_bytes(vec![("pasted text".to_string(), text.into_bytes())]);
        }
        self.ui_probe(&ctx);
        let now = self
            .fixed_now
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
        self.upload.ui(&ctx, self.report.as_ref(), now);
        self.ui_rotation(&ctx);

        for command in std::mem::take(&mut self.commands) {
            self.handle(&ctx, command);
        }
        self.recompute();
        if self.is_loading() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
        if let Some((_, at)) = &self.toast {
            if at.elapsed().as_secs() >= 6 {
                self.toast = None;
            } else {
                ctx.request_repaint_after(std::time::Duration::from_secs(1));
            }
        }
        self.last_frame_ms = started.elapsed().as_secs_f32() * 1000.0;
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.fit.ui(ui.ctx());
        App::ui(self, ui);
        // CHAINSMITH_TIMING=1: report when the first frame has been painted (the second frame starts
        // only after the first was presented), measured from the start of `main`.
        if let Some(timing) = self.timing.as_mut() {
            timing.frames += 1;
            match timing.frames {
                1 => ui.ctx().request_repaint(),
                2 => crate::errln!(
                    "chainsmith: first frame painted {:.0} ms after start ({})",
                    timing.started.elapsed().as_secs_f64() * 1000.0,
                    self.drawn_with.words()
                ),
                _ => {}
            }
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.prefs.upload = self.upload.prefs.clone();
        eframe::set_value(storage, STORAGE_KEY, &self.prefs);
    }
}

/// Engine text as the window's fonts can draw it: egui's bundled fonts have no "→" (U+2192), which
/// the engine's messages use for paths, so it is drawn as "➡" (in the bundled emoji font).
pub(crate) fn drawable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('→') {
        std::borrow::Cow::Owned(text.replace('→', "➡"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
