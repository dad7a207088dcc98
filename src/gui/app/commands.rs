//! The one place UI actions are carried out: every [`Command`] a view sends.

use super::*;

impl App {
    /// Handles one command.
    pub fn handle(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::Pick(request) => self.pick(ctx, request),
            Command::LoadPaths(paths) => self.load_paths(ctx, paths),
            Command::LoadBytes(inputs) => self.load_bytes(inputs),
            Command::LoadSample => self.load_sample(),
            Command::CancelLoad => {
                if let Some(job) = &self.job {
                    job.cancel();
                }
                // What waited for it is cancelled with it.
                self.queued.clear();
            }
            Command::Remove(fp) => self.remove(fp),
            Command::RemoveFile(source) => self.remove_file(source),
            Command::ClearAll => self.clear_all(),
            Command::PinLeaf(fp) => {
                self.leaf_pin = fp;
                self.dirty = true;
            }
            Command::PreferPathThrough(fp) => {
                self.via = fp;
                self.dirty = true;
            }
            Command::Select(fp) => self.chain_view.selected = Some(fp),
            Command::ShowDetails(fp) => self.chain_view.details = fp,
            Command::SaveBundle => {
                let ask = self
                    .report
                    .as_ref()
                    .is_some_and(|r| !r.passed() || r.names_unchecked());
                if ask {
                    self.confirm_save.open = true;
                } else {
                    self.handle(ctx, Command::SaveBundleConfirmed);
                }
            }
            Command::SaveBundleConfirmed => {
                self.confirm_save.open = false;
                let name = self.suggested_name("bundle.pem");
                self.handle(ctx, Command::Pick(PickRequest::SaveBundle(name)));
            }
            Command::CopyBundle => match self.bundle_pem() {
                Ok(pem) => {
                    ctx.copy_text(crate::gui::for_clipboard(pem));
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
                    ctx.copy_text(crate::gui::for_clipboard(text));
                    self.toast("Copied: the report, in Markdown for a change ticket");
                }
            }
            Command::Copy(text) => {
                ctx.copy_text(crate::gui::for_clipboard(text));
                self.toast("Copied");
            }
            Command::OpenPaste => self.paste.open = true,
            Command::OpenProbe => self.probe.show(&self.prefs.host),
            Command::Probe => self.start_probe(ctx),
            Command::FetchMissing => self.fetch_missing(ctx),
        }
    }

    /// Opens a file dialog (on the picker's thread), starting in the folder it last used.
    fn pick(&mut self, ctx: &egui::Context, request: PickRequest) {
        // One dialog at a time: a second Ctrl+S while one is open opens no other.
        if self.picking {
            return;
        }
        self.picking = true;
        let start = self.dialog_folder_for(&request);
        self.picker.pick(request, start, ctx, self.picks.0.clone());
    }

    /// The sample chain, with its host name when none is set.
    fn load_sample(&mut self) {
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

    /// One certificate out of the pile (and out of a pin or a preferred path).
    fn remove(&mut self, fp: Fingerprint) {
        self.loaded.certificates.retain(|c| c.sha256 != fp);
        if self.leaf_pin == Some(fp) {
            self.leaf_pin = None;
        }
        if self.via == Some(fp) {
            self.via = None;
        }
        self.dirty = true;
    }

    /// A file that brought no certificate out of the inputs, with what was said of it.
    fn remove_file(&mut self, source: String) {
        self.loaded.keys.retain(|k| k.source != source);
        self.loaded.ignored.retain(|(s, _)| *s != source);
        let prefix = format!("{source}:");
        self.loaded
            .findings
            .retain(|f| !f.message.starts_with(&prefix));
        self.dirty = true;
    }

    /// Everything loaded, pins and selection gone.
    fn clear_all(&mut self) {
        self.loaded = Loaded::default();
        self.loaded_paths.clear();
        self.leaf_pin = None;
        self.via = None;
        self.chain_view.selected = None;
        self.chain_view.details = None;
        self.dirty = true;
    }

    /// The missing issuers fetched (AIA) on a worker.
    fn fetch_missing(&mut self, ctx: &egui::Context) {
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

    pub(super) fn start_probe(&mut self, ctx: &egui::Context) {
        let roots = match self.prefs.trust {
            Trust::RootsFile => self.roots.clone(),
            _ => None,
        };
        let bundle = self.report.clone().filter(|r| !r.chain.is_empty());
        self.probe.start(ctx, self.check_options(), roots, bundle);
    }
}
