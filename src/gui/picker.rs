//! File dialogs behind a small interface, so tests never open a real dialog.

use std::path::PathBuf;
use std::sync::mpsc::Sender;

/// What the user is asked to pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickRequest {
    /// Certificate files to add (multi-select).
    Files,
    /// A folder to add.
    Folder,
    /// The trusted roots file.
    RootsFile,
    /// Where to save the bundle (suggested file name).
    SaveBundle(String),
    /// Where to save the report (suggested file name; `.md` or `.json` decides the format).
    SaveReport(String),
    /// A rotation plan (TOML) to open.
    OpenPlan,
    /// Where to save the rotation plan (suggested file name).
    SavePlan(String),
    /// Where to save a rotation's report (suggested file name; `.html` for HTML, else Markdown).
    SaveRotationReport(String),
    /// The SBC's trusted root store, to check for Microsoft's Direct Routing roots.
    SbcTrustFile,
    /// Where to save Microsoft's seven Direct Routing roots (suggested file name).
    SaveTeamsRoots(String),
}

/// The answer: the request and what was picked (empty when cancelled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    pub request: PickRequest,
    pub paths: Vec<PathBuf>,
    /// Set when no dialog could be shown at all (no desktop portal, no zenity).
    pub unavailable: Option<String>,
}

/// Opens dialogs. Implementations must not block the caller: they answer on `reply` later and call
/// `ctx.request_repaint()`.
pub trait Picker {
    fn pick(
        &self,
        request: PickRequest,
        start: Option<PathBuf>,
        ctx: &egui::Context,
        reply: Sender<Picked>,
    );
}

use eframe::egui;

/// The real dialogs (rfd), each run on its own thread: rfd's synchronous dialog would block the UI
/// thread, and its async one needs an executor we do not otherwise have.
pub struct RfdPicker;

impl Picker for RfdPicker {
    fn pick(
        &self,
        request: PickRequest,
        start: Option<PathBuf>,
        ctx: &egui::Context,
        reply: Sender<Picked>,
    ) {
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let mut dialog = rfd::FileDialog::new();
            if let Some(dir) = &start {
                dialog = dialog.set_directory(dir);
            }
            let paths = show(dialog, &request);
            // rfd answers "cancelled" both when the user cancels and when no dialog could be shown
            // (no xdg-desktop-portal and no zenity, as under a bare X server). Nobody cancels a dialog
            // within a fifth of a second, so an instant empty answer means there was no dialog.
            let unavailable = (paths.is_empty() && started.elapsed() < std::time::Duration::from_millis(200)).then(|| {
                "No file dialog is available here (it needs xdg-desktop-portal or zenity): drop files onto the window, paste PEM, or use Copy bundle / Copy report".to_string()
            });
            let _ = reply.send(Picked {
                request,
                paths,
                unavailable,
            });
            ctx.request_repaint();
        });
    }
}

/// The dialog `request` asks for, shown (this blocks its thread until the admin answers); the paths
/// chosen, none when cancelled.
fn show(dialog: rfd::FileDialog, request: &PickRequest) -> Vec<PathBuf> {
    let certificates = ["pem", "crt", "cer", "der", "p7b", "p7c", "txt"];
    match request {
        PickRequest::Files => dialog
            .set_title("Add certificate files")
            .add_filter("Certificates", &certificates)
            .add_filter("All files", &["*"])
            .pick_files()
            .unwrap_or_default(),
        PickRequest::Folder => dialog
            .set_title("Add a folder of certificates")
            .pick_folder()
            .into_iter()
            .collect(),
        PickRequest::RootsFile => dialog
            .set_title("Trusted roots file")
            .add_filter("Certificates", &certificates)
            .pick_file()
            .into_iter()
            .collect(),
        PickRequest::SaveBundle(name) => dialog
            .set_title("Save bundle")
            .set_file_name(name)
            .add_filter("PEM bundle", &["pem", "crt"])
            .save_file()
            .into_iter()
            .collect(),
        PickRequest::OpenPlan => dialog
            .set_title("Open a rotation plan")
            .add_filter("Rotation plan", &["toml"])
            .pick_file()
            .into_iter()
            .collect(),
        PickRequest::SavePlan(name) => dialog
            .set_title("Save the rotation plan")
            .set_file_name(name)
            .add_filter("Rotation plan", &["toml"])
            .save_file()
            .into_iter()
            .collect(),
        PickRequest::SaveRotationReport(name) => dialog
            .set_title("Save the rotation report")
            .set_file_name(name)
            .add_filter("Markdown", &["md"])
            .add_filter("HTML", &["html"])
            .save_file()
            .into_iter()
            .collect(),
        PickRequest::SbcTrustFile => dialog
            .set_title("The SBC's trusted root store")
            .add_filter("Certificates", &certificates)
            .add_filter("All files", &["*"])
            .pick_file()
            .into_iter()
            .collect(),
        PickRequest::SaveTeamsRoots(name) => dialog
            .set_title("Save Microsoft's Direct Routing roots")
            .set_file_name(name)
            .add_filter("PEM", &["pem", "crt"])
            .save_file()
            .into_iter()
            .collect(),
        PickRequest::SaveReport(name) => dialog
            .set_title("Save report")
            .set_file_name(name)
            .add_filter("Markdown", &["md"])
            .add_filter("Plain text", &["txt"])
            .add_filter("JSON", &["json"])
            .save_file()
            .into_iter()
            .collect(),
    }
}
