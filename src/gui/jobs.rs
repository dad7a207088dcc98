//! Loading files and folders on a worker thread, with progress and cancellation.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};

use eframe::egui;

use crate::engine::Loaded;
use crate::engine::load;
use crate::files;

/// What a load is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Certificates to order and check.
    Inputs,
    /// The trusted roots file.
    Roots,
    /// The SBC's own trusted root store (Teams Direct Routing).
    SbcTrust,
}

/// A running load. Dropping it does not stop the thread; [`LoadJob::cancel`] does.
pub struct LoadJob {
    pub target: Target,
    pub label: String,
    files_read: Arc<AtomicUsize>,
    cancelled: Arc<AtomicBool>,
    result: Receiver<Loaded>,
}

impl LoadJob {
    /// Starts reading `paths` on a worker thread.
    pub fn spawn(target: Target, paths: Vec<PathBuf>, ctx: &egui::Context) -> Self {
        let label = match paths.as_slice() {
            [one] => one.display().to_string(),
            many => format!("{} items", many.len()),
        };
        let files_read = Arc::new(AtomicUsize::new(0));
        let cancelled = Arc::new(AtomicBool::new(false));
        let (tx, rx) = channel();
        let (progress, stop, ctx) = (files_read.clone(), cancelled.clone(), ctx.clone());
        std::thread::spawn(move || {
            let mut loaded = Loaded::default();
            let mut before = 0;
            for path in paths {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let result = files::read_path(&path, &mut |n| {
                    progress.store(before + n + 1, Ordering::Relaxed);
                    if n % 64 == 0 {
                        ctx.request_repaint();
                    }
                    !stop.load(Ordering::Relaxed)
                });
                before = progress.load(Ordering::Relaxed);
                match result {
                    Ok(l) => loaded.extend(l),
                    Err(e) => loaded.extend(load::unreadable(
                        &e.path,
                        &crate::files::io_words(&e.source),
                    )),
                }
            }
            let _ = tx.send(loaded);
            ctx.request_repaint();
        });
        Self {
            target,
            label,
            files_read,
            cancelled,
            result: rx,
        }
    }

    /// Files read so far.
    pub fn files_read(&self) -> usize {
        self.files_read.load(Ordering::Relaxed)
    }

    /// Asks the worker to stop after the current file (what was read is still delivered).
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// The result, once the worker is done.
    pub fn try_result(&self) -> Option<Loaded> {
        self.result.try_recv().ok()
    }
}

/// Any other long job (a probe, an AIA fetch): a closure on a worker thread, its result on a channel.
pub struct Task<T> {
    pub label: String,
    result: Receiver<T>,
}

impl<T: Send + 'static> Task<T> {
    /// Runs `work` on a worker thread and repaints when it is done.
    pub fn spawn(
        label: impl Into<String>,
        ctx: &egui::Context,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Self {
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let _ = tx.send(work());
            ctx.request_repaint();
        });
        Self {
            label: label.into(),
            result: rx,
        }
    }

    /// The result, once the worker is done.
    pub fn try_result(&self) -> Option<T> {
        self.result.try_recv().ok()
    }
}
