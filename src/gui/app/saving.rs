//! Dialogs and what they lead to: where they open, what was picked, the files written (bundle, report, plan) on a worker, the roots file restored at start.

use super::*;

impl App {
    pub(super) fn suggested_name(&self, suffix: &str) -> String {
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
    pub(super) fn dialog_folder(&self) -> Option<PathBuf> {
        self.loaded
            .certificates
            .iter()
            .filter_map(|c| Path::new(&c.source).parent())
            .find(|dir| !dir.as_os_str().is_empty() && dir.is_dir())
            .map(Path::to_path_buf)
            .or_else(|| self.prefs.last_folder.clone())
            // Never the process's working folder, nor a dialog's "Recent": the home folder.
            .or_else(std::env::home_dir)
    }

    /// Where the dialog for `request` starts: a plan's folder for the plan and its report, else the
    /// folder the loaded certificates came from.
    pub(super) fn dialog_folder_for(&self, request: &PickRequest) -> Option<PathBuf> {
        let plan_folder = self
            .rotation
            .plan_path
            .as_deref()
            .and_then(Path::parent)
            .filter(|d| !d.as_os_str().is_empty())
            .map(Path::to_path_buf);
        match request {
            PickRequest::OpenPlan
            | PickRequest::SavePlan(_)
            | PickRequest::SaveRotationReport(_) => plan_folder.or_else(|| self.dialog_folder()),
            _ => self.dialog_folder(),
        }
    }

    pub(super) fn on_picked(&mut self, ctx: &egui::Context, picked: Picked) {
        self.picking = false;
        if let Some(why) = picked.unavailable {
            // No dialog program: a path field instead, starting where the dialog would have.
            let start = self.dialog_folder_for(&picked.request);
            self.path_dialog.ask(picked.request, start, why);
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
                Ok(pem) => {
                    self.write(ctx, &first, pem.as_bytes(), "Bundle");
                }
                Err(e) => self.toast(format!("Nothing written: {e}")),
            },
            PickRequest::OpenPlan => self.rotation.open_plan(&first),
            PickRequest::SavePlan(_) => {
                let text = self.rotation.plan_text();
                self.write(ctx, &first, text.as_bytes(), "Plan");
            }
            PickRequest::SaveRotationReport(_) => {
                let format = crate::rotate::report::Format::for_file_name(
                    &first.file_name().unwrap_or_default().to_string_lossy(),
                );
                if let Some(text) = self.rotation.report_text(format) {
                    let bytes = crate::files::report_bytes(&text, &first);
                    self.write(ctx, &first, &bytes, "Report");
                }
            }
            PickRequest::SbcTrustFile => {
                self.job = Some(LoadJob::spawn(Target::SbcTrust, vec![first], ctx));
            }
            PickRequest::SaveTeamsRoots(_) => {
                let pem = crate::engine::teams::bundle();
                self.write(ctx, &first, pem.as_bytes(), "Roots");
            }
            PickRequest::SaveReport(_) => {
                let format = crate::engine::ticket::TicketFormat::for_file_name(
                    &first.file_name().unwrap_or_default().to_string_lossy(),
                );
                let Some(text) = self.ticket(format) else {
                    return;
                };
                let bytes = crate::files::report_bytes(&text, &first);
                self.write(ctx, &first, &bytes, "Report");
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

    /// Writes a file the admin chose; `true` when it was written.
    /// Writes `bytes` to `path` on a worker (the checks against the inputs stat every loaded file,
    /// and a folder's are walked): never onto a file the certificates were read from (a cert + key
    /// file would lose its key), a key or other file left out of the bundle, or any file in a loaded
    /// folder. The outcome is taken by [`Self::poll_write`].
    pub(super) fn write(
        &mut self,
        ctx: &egui::Context,
        path: &Path,
        bytes: &[u8],
        what: &'static str,
    ) {
        let mut sources: Vec<String> = self
            .loaded
            .certificates
            .iter()
            .chain(self.roots.iter().flat_map(|r| r.certificates.iter()))
            .map(|c| c.source.clone())
            .chain(self.loaded.keys.iter().map(|k| k.source.clone()))
            .chain(self.loaded.ignored.iter().map(|(source, _)| source.clone()))
            .collect();
        sources.sort_unstable();
        sources.dedup();
        let loaded_paths = self.loaded_paths.clone();
        let (path, bytes) = (path.to_path_buf(), bytes.to_vec());
        self.write_task = Some(Task::spawn(
            format!("Saving the {}", what.to_lowercase()),
            ctx,
            move || {
                let mut inputs: Vec<crate::files::FileId> = sources
                    .iter()
                    .filter_map(|s| crate::files::FileId::of(Path::new(s)))
                    .collect();
                inputs.extend(crate::files::input_ids(&loaded_paths));
                let result =
                    crate::files::write_output(&path, &bytes, &inputs).map_err(|e| e.to_string());
                Written {
                    what,
                    path,
                    sha256: Fingerprint::of(&bytes).hex(),
                    result,
                }
            },
        ));
    }

    /// Takes a finished save: says so, remembers it (and a saved plan's new place).
    pub(super) fn poll_write(&mut self) {
        let Some(written) = self.write_task.as_ref().and_then(|t| t.try_result()) else {
            return;
        };
        self.write_task = None;
        let Written {
            what,
            path,
            sha256,
            result,
        } = written;
        match result {
            Ok(()) => {
                self.toast(format!("{what} saved to {}", path.display()));
                self.last_written = Some(path.clone());
                if what == "Bundle" {
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    self.last_bundle = Some((name, sha256));
                }
                if what == "Plan" {
                    self.rotation.saved_as(&path);
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
    pub(super) fn restore_roots_file(&mut self, ctx: &egui::Context) {
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
}
