//! The window's state and drawing. Persisted preferences and transient state live on one struct,
//! clearly split; UI actions become [`Command`]s handled in one place.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

use eframe::egui::{self, Color32, RichText};

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
    roots: Option<Loaded>,
    /// Empty: now. Otherwise `YYYY-MM-DD` or RFC 3339.
    pub at_text: String,
    leaf_pin: Option<Fingerprint>,
    via: Option<Fingerprint>,
    report: Option<Report>,
    /// Set when the certificates change; option changes are seen through `checked_with`.
    dirty: bool,
    checked_with: Option<InputsKey>,
    selected: Option<Fingerprint>,
    details: Option<Fingerprint>,
    job: Option<LoadJob>,
    picker: Box<dyn Picker>,
    picks: (Sender<Picked>, Receiver<Picked>),
    confirm_save: bool,
    /// A file dialog is open (one at a time).
    picking: bool,
    /// Focus the Host name field on the first frame.
    focus_host: bool,
    paste_open: bool,
    paste_text: String,
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
    /// Set at start when the preferences say "trust a roots file".
    restore_roots_pending: bool,
    /// The Upload window.
    pub upload: super::upload::UploadPanel,
    /// Set with CHAINSMITH_TIMING=1: start-up timing on standard error.
    pub timing: Option<Timing>,
}

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
            timing: None,
            prefs,
            loaded: Loaded::default(),
            roots: None,
            at_text: String::new(),
            leaf_pin: None,
            via: None,
            report: None,
            dirty: true,
            checked_with: None,
            selected: None,
            details: None,
            job: None,
            picker,
            picks: channel(),
            confirm_save: false,
            picking: false,
            focus_host: true,
            paste_open: false,
            paste_text: String::new(),
            toast: None,
            commands: Vec::new(),
            last_frame_ms: 0.0,
            fixed_now: None,
            last_written: None,
            last_bundle: None,
            probe: super::probe::ProbePanel::default(),
            fetch_task: None,
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
            .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()));
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
        if let Some(job) = &self.job {
            job.cancel();
        }
        self.job = Some(LoadJob::spawn(Target::Inputs, paths, ctx));
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
        self.report = Some(engine::analyze(&self.loaded, roots, &self.check_options()));
    }

    fn toast(&mut self, text: impl Into<String>) {
        self.toast = Some((text.into(), Instant::now()));
    }

    /// Handles one command.
    pub fn handle(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::Pick(request) => {
                // One dialog at a time: a second Ctrl+S while one is open opens no other.
                if self.picking {
                    return;
                }
                self.picking = true;
                let start = self.dialog_folder();
                self.picker.pick(request, start, ctx, self.picks.0.clone());
            }
            Command::LoadPaths(paths) => self.load_paths(ctx, paths),
            Command::LoadBytes(inputs) => self.load_bytes(inputs),
            Command::LoadSample => {
                self.load_bytes(
                    SAMPLE
                        .iter()
                        .map(|(n, b)| (n.to_string(), b.to_vec()))
                        .collect(),
                );
                if self.prefs.host.is_empty() {
                    self.prefs.host = SAMPLE_HOST.to_string();
                }
            }
            Command::CancelLoad => {
                if let Some(job) = &self.job {
                    job.cancel();
                }
            }
            Command::Remove(fp) => {
                self.loaded.certificates.retain(|c| c.sha256 != fp);
                if self.leaf_pin == Some(fp) {
                    self.leaf_pin = None;
                }
                if self.via == Some(fp) {
                    self.via = None;
                }
                self.dirty = true;
            }
            Command::RemoveFile(source) => {
                self.loaded.keys.retain(|k| k.source != source);
                self.loaded.ignored.retain(|(s, _)| *s != source);
                let prefix = format!("{source}:");
                self.loaded
                    .findings
                    .retain(|f| !f.message.starts_with(&prefix));
                self.dirty = true;
            }
            Command::ClearAll => {
                self.loaded = Loaded::default();
                self.leaf_pin = None;
                self.via = None;
                self.selected = None;
                self.details = None;
                self.dirty = true;
            }
            Command::PinLeaf(fp) => {
                self.leaf_pin = fp;
                self.dirty = true;
            }
            Command::PreferPathThrough(fp) => {
                self.via = fp;
                self.dirty = true;
            }
            Command::Select(fp) => self.selected = Some(fp),
            Command::ShowDetails(fp) => self.details = fp,
            Command::SaveBundle => {
                let has_errors = self.report.as_ref().is_some_and(|r| !r.passed());
                if has_errors {
                    self.confirm_save = true;
                } else {
                    self.handle(ctx, Command::SaveBundleConfirmed);
                }
            }
            Command::SaveBundleConfirmed => {
                self.confirm_save = false;
                let name = self.suggested_name("bundle.pem");
                self.handle(ctx, Command::Pick(PickRequest::SaveBundle(name)));
            }
            Command::CopyBundle => match self.bundle_pem() {
                Ok(pem) => {
                    ctx.copy_text(pem);
                    self.toast("Bundle copied to the clipboard");
                }
                Err(e) => self.toast(format!("Nothing copied: {e}")),
            },
            Command::SaveReport => {
                let name = self.suggested_name("report.md");
                self.handle(ctx, Command::Pick(PickRequest::SaveReport(name)));
            }
            Command::CopyReport => {
                if let Some(text) = self.ticket(crate::engine::ticket::TicketFormat::Markdown) {
                    ctx.copy_text(text);
                    self.toast("Copied: the report, in Markdown for a change ticket");
                }
            }
            Command::Copy(text) => {
                ctx.copy_text(text);
                self.toast("Copied");
            }
            Command::OpenPaste => self.paste_open = true,
            Command::OpenProbe => self.probe.show(&self.prefs.host),
            Command::Probe => self.start_probe(ctx),
            Command::FetchMissing => {
                let (loaded, options) = (self.loaded.clone(), self.check_options());
                let roots = match self.prefs.trust {
                    Trust::RootsFile => self.roots.clone(),
                    _ => None,
                };
                self.fetch_task = Some(Task::spawn("Fetching missing issuers", ctx, move || {
                    let (_, pile, notes) = crate::aia::analyze_fetching(
                        &loaded,
                        roots.as_ref(),
                        &options,
                        &crate::aia::FetchOptions::default(),
                    );
                    (pile, notes)
                }));
            }
        }
    }

    fn start_probe(&mut self, ctx: &egui::Context) {
        let roots = match self.prefs.trust {
            Trust::RootsFile => self.roots.clone(),
            _ => None,
        };
        let bundle = self.report.clone().filter(|r| !r.chain.is_empty());
        let host_field = self.prefs.host.clone();
        self.probe
            .start(ctx, &host_field, self.check_options(), roots, bundle);
    }

    fn poll_tasks(&mut self) {
        self.probe.poll();
        if let Some(task) = &self.fetch_task
            && let Some((pile, notes)) = task.try_result()
        {
            self.fetch_task = None;
            let added = notes.iter().filter(|n| n.added.is_some()).count();
            let problems: Vec<String> = notes.iter().filter_map(|n| n.problem.clone()).collect();
            self.loaded = pile;
            self.dirty = true;
            if problems.is_empty() {
                self.toast(format!("Fetched {added} missing issuer(s)"));
            } else {
                self.toast(format!("Fetched {added}; {}", problems.join("; ")));
            }
        }
    }

    fn suggested_name(&self, suffix: &str) -> String {
        let host = self.prefs.host.trim();
        if host.is_empty() {
            suffix.to_string()
        } else {
            format!("{host}-{suffix}")
        }
    }

    /// The bundle exactly as `chainsmith build` writes it with the same inputs and options.
    pub fn bundle_pem(&self) -> Result<String, String> {
        let report = self.report.as_ref().ok_or("nothing is loaded")?;
        bundle::to_pem(report, self.bundle_options()).map_err(|e| e.to_string())
    }

    /// Where dialogs open: the folder the loaded certificates came from, else the last folder used.
    fn dialog_folder(&self) -> Option<PathBuf> {
        self.loaded
            .certificates
            .iter()
            .filter_map(|c| Path::new(&c.source).parent())
            .find(|dir| !dir.as_os_str().is_empty() && dir.is_dir())
            .map(Path::to_path_buf)
            .or_else(|| self.prefs.last_folder.clone())
    }

    fn on_picked(&mut self, ctx: &egui::Context, picked: Picked) {
        self.picking = false;
        if let Some(why) = picked.unavailable {
            self.toast(why);
            return;
        }
        let Some(first) = picked.paths.first().cloned() else {
            return; // cancelled
        };
        match picked.request {
            PickRequest::Files | PickRequest::Folder => self.load_paths(ctx, picked.paths),
            PickRequest::RootsFile => {
                self.prefs.roots_file = Some(first.clone());
                self.prefs.trust = Trust::RootsFile;
                self.job = Some(LoadJob::spawn(Target::Roots, vec![first], ctx));
            }
            PickRequest::SaveBundle(_) => match self.bundle_pem() {
                Ok(pem) => self.write(&first, pem.as_bytes(), "Bundle"),
                Err(e) => self.toast(format!("Nothing written: {e}")),
            },
            PickRequest::SaveReport(_) => {
                let format = crate::engine::ticket::TicketFormat::for_file_name(
                    &first.file_name().unwrap_or_default().to_string_lossy(),
                );
                let Some(text) = self.ticket(format) else {
                    return;
                };
                self.write(&first, text.as_bytes(), "Report");
            }
        }
    }

    /// The report for a change ticket: the analysis, when and by which version, the bundle saved
    /// (name and SHA-256), and the last probe and upload.
    pub fn ticket(&self, format: crate::engine::ticket::TicketFormat) -> Option<String> {
        let report = self.report.as_ref()?;
        let now = self
            .fixed_now
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
        let mut sections = Vec::new();
        if let Some(outcome) = self.probe.outcome() {
            sections.push(("Last probe".to_string(), outcome.summary()));
        }
        if let Some(rows) = self.upload.summary() {
            sections.push(("Last upload".to_string(), rows));
        }
        let ctx = crate::engine::ticket::TicketContext {
            generated_at: now,
            generator: format!("Chainsmith {}", env!("CARGO_PKG_VERSION")),
            bundle: self.bundle_options(),
            bundle_file: self.last_bundle.clone(),
            sections,
        };
        Some(crate::engine::ticket::render(report, &ctx, format))
    }

    fn write(&mut self, path: &Path, bytes: &[u8], what: &str) {
        // Never onto a file the certificates were read from (a cert + key file would lose its key).
        let mut sources: Vec<&str> = self
            .loaded
            .certificates
            .iter()
            .chain(self.roots.iter().flat_map(|r| r.certificates.iter()))
            .map(|c| c.source.as_str())
            .collect();
        sources.sort_unstable();
        sources.dedup();
        let inputs: Vec<crate::files::FileId> = sources
            .iter()
            .filter_map(|s| crate::files::FileId::of(Path::new(s)))
            .collect();
        match crate::files::write_output(path, bytes, &inputs) {
            Ok(()) => {
                self.toast(format!("{what} saved to {}", path.display()));
                self.last_written = Some(path.to_path_buf());
                if what == "Bundle" {
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    self.last_bundle = Some((name, Fingerprint::of(bytes).hex()));
                }
                if let Some(dir) = path.parent() {
                    self.prefs.last_folder = Some(dir.to_path_buf());
                }
            }
            Err(e) => self.toast(format!("{what} not saved: {e}")),
        }
    }

    /// A restored "trust a roots file" preference: load that file (once) before anything is judged
    /// with it, so the window never claims a trust it has not applied.
    fn restore_roots_file(&mut self, ctx: &egui::Context) {
        if !self.restore_roots_pending || self.job.is_some() {
            return;
        }
        self.restore_roots_pending = false;
        if self.prefs.trust != Trust::RootsFile || self.roots.is_some() {
            return;
        }
        match self.prefs.roots_file.clone().filter(|p| p.is_file()) {
            Some(path) => self.job = Some(LoadJob::spawn(Target::Roots, vec![path], ctx)),
            None => {
                self.prefs.trust = Trust::BundleRoot;
                self.toast("The saved roots file is gone; trusting the bundle's own root instead");
            }
        }
    }

    /// Collects finished work from workers and dialogs.
    fn poll_workers(&mut self, ctx: &egui::Context) {
        while let Ok(picked) = self.picks.1.try_recv() {
            self.on_picked(ctx, picked);
        }
        if let Some(job) = &self.job
            && let Some(loaded) = job.try_result()
        {
            let target = job.target;
            let cancelled = job.is_cancelled();
            self.job = None;
            match target {
                Target::Inputs => {
                    let n = loaded.certificates.len();
                    self.loaded.extend(loaded);
                    let note = if cancelled { " (cancelled)" } else { "" };
                    self.toast(format!("Loaded {n} certificate(s){note}"));
                }
                Target::Roots => self.roots = Some(loaded),
            }
            self.dirty = true;
        }
    }

    /// Dropped files, Ctrl+V, Ctrl+O, Ctrl+S.
    fn handle_input(&mut self, ctx: &egui::Context) {
        // Shortcuts are consumed (a quick tap is seen whatever the frame timing, and only once); PEM
        // text pasted anywhere (the Host name field focused included) is taken out of the events and
        // loaded, unless the Paste window is open to receive it.
        let paste_open = self.paste_open;
        let (dropped, pasted, open, save) = ctx.input_mut(|i| {
            let mut pasted = Vec::new();
            if !paste_open {
                i.events.retain(|e| match e {
                    egui::Event::Paste(text) if text.contains("-----BEGIN ") => {
                        pasted.push(text.clone());
                        false
                    }
                    _ => true,
                });
            }
            let open = i.consume_shortcut(&egui::KeyboardShortcut::new(
                egui::Modifiers::COMMAND,
                egui::Key::O,
            ));
            let save = i.consume_shortcut(&egui::KeyboardShortcut::new(
                egui::Modifiers::COMMAND,
                egui::Key::S,
            ));
            (i.raw.dropped_files.clone(), pasted, open, save)
        });
        let mut paths = Vec::new();
        let mut bytes = Vec::new();
        for file in dropped {
            let path = file.path().to_path_buf();
            if path.exists() {
                paths.push(path); // read on the worker, like a dialog pick
            } else {
                match file.bytes() {
                    Ok(b) => bytes.push((path.display().to_string(), b)),
                    Err(e) => self
                        .loaded
                        .extend(engine::load::unreadable(&path.display().to_string(), &e)),
                }
            }
        }
        if !bytes.is_empty() {
            self.load_bytes(bytes);
        }
        if !paths.is_empty() {
            self.load_paths(ctx, paths);
        }
        for text in pasted {
            self.load_bytes(vec![("pasted text".to_string(), text.into_bytes())]);
        }
        if open {
            self.commands.push(Command::Pick(PickRequest::Files));
        }
        if save {
            self.commands.push(Command::SaveBundle);
        }
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
        self.ui_confirm_save(&ctx);
        self.ui_paste(&ctx);
        self.ui_probe(&ctx);
        let now = self
            .fixed_now
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
        self.upload.ui(&ctx, self.report.as_ref(), now);

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

    /// The toolbar row above the inputs. The inputs are created first (drawn below the toolbar's
    /// row), so that the Host name is the first Tab stop.
    fn ui_top(&mut self, ui: &mut egui::Ui) {
        let full = ui.available_rect_before_wrap();
        let row = ui.spacing().interact_size.y + 2.0;
        let toolbar = egui::Rect::from_min_size(full.min, egui::vec2(full.width(), row));
        let gap = ui.spacing().item_spacing.y * 2.0 + 2.0;
        let below = egui::Rect::from_min_max(
            egui::pos2(full.min.x, toolbar.max.y + gap),
            egui::pos2(full.max.x, full.max.y.max(toolbar.max.y + gap + row)),
        );
        let inputs = ui
            .scope_builder(egui::UiBuilder::new().max_rect(below), |ui| {
                self.ui_inputs(ui)
            })
            .response
            .rect;
        ui.scope_builder(egui::UiBuilder::new().max_rect(toolbar), |ui| {
            self.ui_toolbar(ui)
        });
        let y = toolbar.max.y + gap / 2.0;
        ui.painter().hline(
            full.x_range(),
            y,
            ui.visuals().widgets.noninteractive.bg_stroke,
        );
        ui.allocate_rect(toolbar.union(inputs), egui::Sense::hover());
    }

    fn ui_toolbar(&mut self, ui: &mut egui::Ui) {
        let caption = |ui: &mut egui::Ui, text: &str| {
            ui.label(RichText::new(text).small().weak());
        };
        ui.horizontal(|ui| {
            caption(ui, "Input");
            if ui
                .button("Open files…")
                .on_hover_text("Add certificate files (Ctrl+O)")
                .clicked()
            {
                self.commands.push(Command::Pick(PickRequest::Files));
            }
            if ui
                .button("Open folder…")
                .on_hover_text("Add every certificate in a folder")
                .clicked()
            {
                self.commands.push(Command::Pick(PickRequest::Folder));
            }
            if ui
                .button("Paste")
                .on_hover_text("Paste PEM text (Ctrl+V anywhere)")
                .clicked()
            {
                self.commands.push(Command::OpenPaste);
            }
            if ui
                .button("Sample")
                .on_hover_text("Load the sample chain")
                .clicked()
            {
                self.commands.push(Command::LoadSample);
            }
            let loaded = self.report.is_some() || !self.loaded.certificates.is_empty();
            if ui
                .add_enabled(loaded, egui::Button::new("Clear"))
                .on_hover_text("Remove everything loaded")
                .clicked()
            {
                self.commands.push(Command::ClearAll);
            }
            ui.separator();
            caption(ui, "Check");
            if ui
                .button("Probe endpoint…")
                .on_hover_text("See what a live SIP TLS endpoint serves")
                .clicked()
            {
                self.commands.push(Command::OpenProbe);
            }
            ui.separator();
            caption(ui, "Output");
            let can_export = self.report.as_ref().is_some_and(|r| !r.chain.is_empty());
            if ui
                .add_enabled(can_export, egui::Button::new("Save bundle…"))
                .on_hover_text("Write the bundle, leaf first (Ctrl+S)")
                .clicked()
            {
                self.commands.push(Command::SaveBundle);
            }
            if ui
                .add_enabled(can_export, egui::Button::new("Copy bundle"))
                .clicked()
            {
                self.commands.push(Command::CopyBundle);
            }
            if ui
                .add_enabled(can_export, egui::Button::new("Upload…"))
                .on_hover_text("Send the bundle to Genesys Cloud or a REST trunk API")
                .clicked()
            {
                self.upload.show(ui.ctx());
            }
            let has_report = self.report.is_some();
            ui.add_enabled_ui(has_report, |ui| {
                ui.menu_button("Report", |ui| {
                    if ui
                        .button("Save report…")
                        .on_hover_text(
                            "For the change ticket: Markdown, plain text (.txt) or JSON (.json)",
                        )
                        .clicked()
                    {
                        self.commands.push(Command::SaveReport);
                        ui.close();
                    }
                    if ui
                        .button("Copy report")
                        .on_hover_text("The report in Markdown, for the change ticket")
                        .clicked()
                    {
                        self.commands.push(Command::CopyReport);
                        ui.close();
                    }
                })
                .response
                .on_hover_text("Save or copy the report for the change ticket");
            });
        });
    }

    fn ui_inputs(&mut self, ui: &mut egui::Ui) {
        let trust_before = self.prefs.trust;
        ui.horizontal_wrapped(|ui| {
            // Each label stays with its field when the row wraps.
            ui.horizontal(|ui| {
                let label = ui.label("Host name");
                let host_ok = self.prefs.host.trim().is_empty()
                    || HostName::parse(&self.prefs.host).is_ok();
                let field = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.prefs.host)
                            .hint_text("sbc.carrier.example or 192.0.2.10")
                            .desired_width(200.0),
                    )
                    .labelled_by(label.id)
                    .on_hover_text("The trunk / SBC name the far end connects to");
                if std::mem::take(&mut self.focus_host) {
                    field.request_focus();
                }
                if !host_ok {
                    ui.colored_label(ui.visuals().error_fg_color, "✖ not a host name");
                }
            });
            ui.separator();
            ui.horizontal(|ui| {
                let profile: Profile = self.prefs.profile.parse().unwrap_or_default();
                let label = ui.label("Profile");
                egui::ComboBox::from_id_salt("profile")
                    .selected_text(profile.as_str())
                    .width(160.0)
                    .show_ui(ui, |ui| {
                        for p in Profile::ALL {
                            ui.selectable_value(
                                &mut self.prefs.profile,
                                p.as_str().to_string(),
                                RichText::new(format!("{}  —  {}", p.as_str(), p.description())),
                            );
                        }
                    })
                    .response
                    .labelled_by(label.id)
                    .on_hover_text(profile.description());
            });
            ui.separator();
            ui.horizontal(|ui| {
                let label = ui.label("Validation time");
                let time_ok = !self.time_invalid();
                let mut edit = egui::TextEdit::singleline(&mut self.at_text)
                    .hint_text("now (or 2026-12-05)")
                    .desired_width(140.0);
                if !time_ok {
                    edit = edit.text_color(ui.visuals().error_fg_color);
                }
                ui.add(edit).labelled_by(label.id).on_hover_text(
                    "Check as of the change window: YYYY-MM-DD or RFC 3339; empty = now",
                );
                if !time_ok {
                    ui.colored_label(ui.visuals().error_fg_color, "✖ use YYYY-MM-DD");
                }
            });
            ui.separator();
            ui.horizontal(|ui| {
                let label = ui.label("Trust");
                egui::ComboBox::from_id_salt("trust")
                    .selected_text(match self.prefs.trust {
                        Trust::BundleRoot => "The bundle's own root",
                        Trust::Mozilla => "The Mozilla set",
                        Trust::RootsFile => "A roots file",
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(
                            &mut self.prefs.trust,
                            Trust::BundleRoot,
                            "The bundle's own root",
                        );
                        ui.selectable_value(
                            &mut self.prefs.trust,
                            Trust::Mozilla,
                            "The Mozilla set",
                        );
                        ui.selectable_value(
                            &mut self.prefs.trust,
                            Trust::RootsFile,
                            "A roots file",
                        );
                    })
                    .response
                    .labelled_by(label.id)
                    .on_hover_text(
                        "What the far end trusts: the root in your files, the public (Mozilla) roots, or the roots in a file",
                    );
                if self.prefs.trust == Trust::RootsFile {
                    let name = self
                        .prefs
                        .roots_file
                        .as_ref()
                        .and_then(|p| p.file_name())
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "Choose roots file…".into());
                    if ui.button(name).clicked() {
                        self.commands.push(Command::Pick(PickRequest::RootsFile));
                    }
                }
            });
        });
        ui.horizontal_wrapped(|ui| {
            ui.checkbox(&mut self.prefs.strict, "Strict")
                .on_hover_text("Treat RFC 5280 / CA/Browser Forum rule breaks as errors");
            ui.separator();
            ui.label("Bundle:");
            ui.checkbox(&mut self.prefs.include_root, "Include root")
                .on_hover_text("Append the root certificate (most far ends have it already)");
            ui.checkbox(&mut self.prefs.ca_only, "CA certificates only")
                .on_hover_text("Intermediates and root only, e.g. for a Genesys BYOC Premises certificate authority");
            ui.separator();
            let profile: Profile = self.prefs.profile.parse().unwrap_or_default();
            ui.weak(format!(
                "Profile {}: {}",
                profile.as_str(),
                profile.description()
            ));
        });
        if trust_before != self.prefs.trust
            && self.prefs.trust == Trust::RootsFile
            && self.roots.is_none()
        {
            if let Some(path) = self.prefs.roots_file.clone().filter(|p| p.exists()) {
                self.job = Some(LoadJob::spawn(Target::Roots, vec![path], ui.ctx()));
            } else {
                self.commands.push(Command::Pick(PickRequest::RootsFile));
            }
        }
    }

    fn ui_status(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let task_label = self
                .probe
                .busy_label()
                .or_else(|| self.fetch_task.as_ref().map(|t| t.label.clone()));
            if let Some(label) = task_label {
                ui.spinner();
                ui.label(format!("{label}…"));
            } else if let Some(job) = &self.job {
                ui.spinner();
                ui.label(format!(
                    "Reading {}: {} file(s)…",
                    job.label,
                    job.files_read()
                ));
                if ui.button("Cancel").clicked() {
                    self.commands.push(Command::CancelLoad);
                }
            } else if let Some((text, _)) = &self.toast {
                ui.label(text);
            } else {
                ui.weak(format!(
                    "{} certificate(s) loaded",
                    self.loaded.certificates.len()
                ));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                egui::ComboBox::new("theme", "Theme")
                    .selected_text(match self.prefs.theme {
                        Theme::System => "system",
                        Theme::Light => "light",
                        Theme::Dark => "dark",
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(
                            &mut self.prefs.theme,
                            Theme::System,
                            "Follow the system",
                        );
                        ui.selectable_value(&mut self.prefs.theme, Theme::Light, "Light");
                        ui.selectable_value(&mut self.prefs.theme, Theme::Dark, "Dark");
                    });
                if self.timing.is_some() {
                    ui.weak(format!("frame {:.1} ms", self.last_frame_ms));
                }
            });
        });
    }

    /// In place of the chain while the validation time does not parse: nothing is judged.
    fn ui_time_invalid(&mut self, ui: &mut egui::Ui) {
        egui::Frame::NONE
            .fill(Color32::from_rgb(0xc9, 0x2a, 0x2a))
            .corner_radius(6.0)
            .inner_margin(10.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(
                    RichText::new(format!(
                        "✖ Not checked: the validation time \"{}\" is not a time",
                        crate::engine::text::escape(self.at_text.trim())
                    ))
                    .color(Color32::WHITE)
                    .strong()
                    .size(16.0),
                );
                ui.label(
                    RichText::new(
                        "Write a date (2026-12-05, midnight UTC) or an RFC 3339 time (2026-12-05T22:00:00Z) in the Validation time field, or empty it to check as of now.",
                    )
                    .color(Color32::WHITE),
                );
            });
    }

    fn ui_empty(&mut self, ui: &mut egui::Ui) {
        ui.vertical_centered(|ui| {
            ui.add_space((ui.available_height() * 0.25).max(20.0));
            let (rect, _) = ui.allocate_exact_size(
                egui::vec2(ui.available_width().min(640.0), 200.0),
                egui::Sense::hover(),
            );
            ui.painter().rect_stroke(
                rect,
                12.0,
                egui::Stroke::new(2.0, ui.visuals().weak_text_color()),
                egui::StrokeKind::Inside,
            );
            ui.painter().text(
                rect.center() - egui::vec2(0.0, 18.0),
                egui::Align2::CENTER_CENTER,
                "Drop leaf, intermediate and root certificates — PEM, DER, P7B — or a folder",
                egui::FontId::proportional(18.0),
                ui.visuals().text_color(),
            );
            ui.painter().text(
                rect.center() + egui::vec2(0.0, 18.0),
                egui::Align2::CENTER_CENTER,
                "Any order, any mix. A private key is only compared with the leaf, never written out.",
                egui::FontId::proportional(14.0),
                ui.visuals().weak_text_color(),
            );
            ui.add_space(16.0);
            ui.horizontal(|ui| {
                let width = 380.0; // the four buttons, measured
                ui.add_space(((ui.available_width() - width) / 2.0).max(0.0));
                if ui.button("Open files…").clicked() {
                    self.commands.push(Command::Pick(PickRequest::Files));
                }
                if ui.button("Open folder…").clicked() {
                    self.commands.push(Command::Pick(PickRequest::Folder));
                }
                if ui
                    .button("Paste")
                    .on_hover_text("Or press Ctrl+V anywhere")
                    .clicked()
                {
                    self.commands.push(Command::OpenPaste);
                }
                if ui.button("Load sample chain").clicked() {
                    self.commands.push(Command::LoadSample);
                }
            });
        });
    }

    fn ui_drop_hover(&self, ctx: &egui::Context) {
        let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
        if !hovering {
            return;
        }
        let painter = ctx.layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("drop"),
        ));
        let screen = ctx.content_rect();
        painter.rect_filled(screen, 0.0, Color32::from_black_alpha(160));
        painter.rect_stroke(
            screen.shrink(12.0),
            12.0,
            egui::Stroke::new(3.0, Color32::LIGHT_BLUE),
            egui::StrokeKind::Inside,
        );
        painter.text(
            screen.center(),
            egui::Align2::CENTER_CENTER,
            "⬇ Drop to add these certificates",
            egui::FontId::proportional(28.0),
            Color32::WHITE,
        );
    }

    fn ui_chain(&mut self, ui: &mut egui::Ui) {
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
                    } else if let AnchorKind::Public(subject) = &report.anchor {
                        ui_arrow(ui, entry.signature);
                        ui.horizontal(|ui| {
                            ui.add_space(24.0);
                            ui.label(
                                RichText::new(format!("🔒 Public root (Mozilla set): {subject}"))
                                    .strong(),
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
                                    crate::engine::text::escape(&entry.cert.issuer)
                                ))
                                .clicked()
                            {
                                self.commands.push(Command::Pick(PickRequest::Files));
                            }
                            ui.weak(format!(
                                "missing: {}",
                                crate::engine::text::escape(&entry.cert.issuer)
                            ));
                        });
                        if let Some(url) = entry.cert.aia_ca_issuers.first() {
                            let url = crate::engine::text::escape(url);
                            ui.horizontal(|ui| {
                                let button = ui
                                    .add_enabled(self.fetch_task.is_none(), egui::Button::new("Fetch missing issuer"))
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
                let other_files = self.other_files(&report);
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
                                    let is_candidate_leaf = !e.cert.is_ca();
                                    if is_candidate_leaf
                                        && e.reason != Code::ChainDuplicate
                                        && ui.small_button("Use as leaf").clicked()
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

    /// Input files that brought no certificate: private keys (with whether each is the leaf's) and
    /// leftovers found in a folder (`input.ignored`), for the Left-out list.
    fn other_files(&self, report: &Report) -> Vec<OtherFile> {
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

    fn ui_card(
        &mut self,
        ui: &mut egui::Ui,
        entry: &engine::ChainEntry,
        report: &Report,
        options: &CheckOptions,
    ) {
        let cert = &entry.cert;
        let selected = self.selected == Some(cert.sha256);
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
                        ui.colored_label(
                            visuals.error_fg_color,
                            format!("✖ {problems} problem(s)"),
                        );
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
                                egui::Label::new(
                                    RichText::new(cert.display_name()).strong().size(16.0),
                                )
                                .truncate(),
                            );
                            if let Some(o) = &cert.subject_organization {
                                ui.add(egui::Label::new(RichText::new(o).weak()).truncate());
                            }
                        });
                    });
                });
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
                if !cert.sans.is_empty() {
                    let matched = match (&options.host, entry.role) {
                        (Some(host), Role::Leaf) => hostname::find_match(
                            cert,
                            host,
                            options.profile == Profile::SipMutualTls,
                        ),
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
            })
            .response;
        // No tooltip over a card: it would sit on the cards below it (the Details button says it).
        if response.interact(egui::Sense::click()).clicked() {
            self.commands.push(Command::Select(cert.sha256));
            self.commands.push(Command::ShowDetails(Some(cert.sha256)));
        }
    }

    fn ui_findings(&mut self, ui: &mut egui::Ui) {
        let Some(report) = self.report.clone() else {
            return;
        };
        let passed = report.passed();
        let headline = drawable(&report.headline(self.bundle_options())).into_owned();
        let (fill, text) = if passed {
            (Color32::from_rgb(0x2f, 0x9e, 0x44), format!("✔ {headline}"))
        } else {
            (Color32::from_rgb(0xc9, 0x2a, 0x2a), format!("✖ {headline}"))
        };
        egui::Frame::NONE
            .fill(fill)
            .corner_radius(6.0)
            .inner_margin(10.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(
                    RichText::new(text)
                        .color(Color32::WHITE)
                        .strong()
                        .size(16.0),
                );
            });
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.heading("Findings");
            ui.weak(format!(
                "{} · {} · {}",
                plural(report.count(Severity::Error), "error"),
                plural(report.count(Severity::Warning), "warning"),
                plural(report.count(Severity::Info), "note")
            ));
        });
        // Up to a few hundred findings are shown in full (wrapped). Beyond that, one fixed-height row
        // each (message and fix truncated, full text on hover), so 1,000 findings scroll cheaply.
        let findings = &report.findings;
        if findings.is_empty() {
            ui.weak("No findings: nothing to fix, nothing to note.");
        }
        if findings.len() <= WRAPPED_FINDINGS {
            egui::ScrollArea::vertical()
                .id_salt("findings")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    for finding in findings {
                        let fix = report.fix(finding, Face::Window);
                        if let Some(fp) = finding_row(ui, finding, &fix, None) {
                            self.commands.push(Command::Select(fp));
                        }
                    }
                });
        } else {
            let row_height = ui.text_style_height(&egui::TextStyle::Body) * 2.0
                + ui.spacing().item_spacing.y * 3.0;
            egui::ScrollArea::vertical()
                .id_salt("findings")
                .auto_shrink([false, false])
                .show_rows(ui, row_height, findings.len(), |ui, range| {
                    for finding in &findings[range] {
                        let fix = report.fix(finding, Face::Window);
                        if let Some(fp) = finding_row(ui, finding, &fix, Some(row_height)) {
                            self.commands.push(Command::Select(fp));
                        }
                    }
                });
        }
    }

    fn ui_details(&mut self, ctx: &egui::Context) {
        let Some(fp) = self.details else { return };
        let Some(cert) = self
            .loaded
            .certificates
            .iter()
            .chain(self.roots.iter().flat_map(|r| r.certificates.iter()))
            .find(|c| c.sha256 == fp)
            .cloned()
        else {
            self.details = None;
            return;
        };
        // Esc closes the details (the upload and probe windows close on Esc the same way).
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.details = None;
            return;
        }
        let mut open = true;
        egui::Window::new("Certificate details")
            .id(egui::Id::unique("details"))
            .open(&mut open)
            .default_width(640.0)
            .default_height(560.0)
            .show(ctx, |ui| {
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
            });
        if !open {
            self.details = None;
        }
    }

    fn ui_confirm_save(&mut self, ctx: &egui::Context) {
        if !self.confirm_save {
            return;
        }
        let Some(report) = self.report.clone() else {
            self.confirm_save = false;
            return;
        };
        egui::Modal::new(egui::Id::unique("confirm-save")).show(ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading("Save a bundle with problems?");
            ui.label("The far end will probably refuse this chain:");
            for f in report
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
            {
                ui.horizontal_wrapped(|ui| {
                    ui.colored_label(ui.visuals().error_fg_color, "✖");
                    ui.label(RichText::new(f.code.as_str()).monospace());
                    ui.label(&f.message);
                });
            }
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("Save anyway").clicked() {
                    self.commands.push(Command::SaveBundleConfirmed);
                }
                if ui.button("Cancel").clicked() {
                    self.confirm_save = false;
                }
            });
        });
    }

    fn ui_paste(&mut self, ctx: &egui::Context) {
        if !self.paste_open {
            return;
        }
        let mut open = true;
        let mut load = false;
        egui::Window::new("Paste PEM").open(&mut open).default_width(560.0).show(ctx, |ui| {
            ui.label("Paste certificates (PEM text, e.g. from an e-mail or `openssl s_client -showcerts`):");
            let label = ui.label("PEM text");
            ui.add(
                egui::TextEdit::multiline(&mut self.paste_text)
                    .code_editor()
                    .desired_rows(12)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
            if ui.button("Load pasted text").clicked() {
                load = true;
            }
        });
        if load {
            let text = std::mem::take(&mut self.paste_text);
            self.load_bytes(vec![("pasted text".to_string(), text.into_bytes())]);
            open = false;
        }
        self.paste_open = open;
    }
}

impl App {
    fn ui_probe(&mut self, ctx: &egui::Context) {
        let host_field = self.prefs.host.clone();
        // A served certificate is not in the loaded pile: a click on its finding selects nothing.
        let action = self.probe.ui(ctx, &host_field, &mut |ui, finding, fix| {
            let _ = finding_row(ui, finding, fix, None);
        });
        match action {
            Some(super::probe::ProbeAction::Probe) => self.commands.push(Command::Probe),
            Some(super::probe::ProbeAction::Copy(text)) => self.commands.push(Command::Copy(text)),
            None => {}
        }
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        App::ui(self, ui);
        // CHAINSMITH_TIMING=1: report when the first frame has been painted (the second frame starts
        // only after the first was presented), measured from the start of `main`.
        if let Some(timing) = self.timing.as_mut() {
            timing.frames += 1;
            match timing.frames {
                1 => ui.ctx().request_repaint(),
                2 => eprintln!(
                    "chainsmith: first frame painted {:.0} ms after start",
                    timing.started.elapsed().as_secs_f64() * 1000.0
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

/// One finding; `row_height` set: a fixed-height, truncated row (virtualized list). Returns the
/// certificate it concerns when the row was clicked.
fn finding_row(
    ui: &mut egui::Ui,
    finding: &engine::Finding,
    fix: &str,
    row_height: Option<f32>,
) -> Option<Fingerprint> {
    let (icon, color) = match finding.severity {
        Severity::Error => ("✖", ui.visuals().error_fg_color),
        Severity::Warning => ("⚠", ui.visuals().warn_fg_color),
        Severity::Info => ("ℹ", ui.visuals().weak_text_color()),
    };
    let text = |t: RichText| {
        let label = egui::Label::new(t);
        if row_height.is_some() {
            label.truncate()
        } else {
            label.wrap()
        }
    };
    let response = ui
        .vertical(|ui| {
            if let Some(h) = row_height {
                ui.set_height(h - ui.spacing().item_spacing.y);
            }
            ui.horizontal(|ui| {
                ui.colored_label(color, icon);
                ui.label(
                    RichText::new(finding.code.as_str())
                        .monospace()
                        .color(color),
                );
            });
            ui.horizontal(|ui| {
                ui.add_space(18.0);
                ui.add(text(RichText::new(drawable(&finding.message))));
            });
            if finding.severity != Severity::Info {
                ui.horizontal(|ui| {
                    ui.add_space(18.0);
                    ui.add(text(RichText::new(format!("Fix: {fix}")).weak()));
                });
            }
            if row_height.is_none() {
                ui.add_space(4.0);
            }
        })
        .response
        .interact(egui::Sense::click());
    // The whole text as a tooltip only where rows are cut short (the long, virtualized list): over a
    // full row it would only cover the rows below.
    let response = if row_height.is_some() {
        response.on_hover_text(format!("{}\n\nFix: {fix}", drawable(&finding.message)))
    } else {
        response
    };
    response.clicked().then_some(finding.sha256).flatten()
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

fn ui_arrow(ui: &mut egui::Ui, signature: Option<SignatureCheck>) {
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

fn ui_validity(ui: &mut egui::Ui, cert: &crate::engine::Certificate, options: &CheckOptions) {
    use crate::engine::checks::{expiry_words, relative_words};
    let (not_before, not_after, at) = (cert.not_before, cert.not_after, options.at);
    let (color, text) = if at > not_after {
        (
            ui.visuals().error_fg_color,
            format!("✖ {}", expiry_words(not_after, at, options.at_is_now)),
        )
    } else if at < not_before {
        (
            ui.visuals().error_fg_color,
            format!(
                "✖ not yet valid: valid from {}",
                relative_words(not_before, at, options.at_is_now)
            ),
        )
    } else if not_after - at < i64::from(options.expiry_warning_days) * 86_400 {
        (
            ui.visuals().warn_fg_color,
            format!("⚠ {}", expiry_words(not_after, at, options.at_is_now)),
        )
    } else {
        (
            Color32::from_rgb(0x2f, 0x9e, 0x44),
            format!("✔ {}", expiry_words(not_after, at, options.at_is_now)),
        )
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

fn file_name(source: &str) -> String {
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
