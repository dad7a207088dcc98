//! The Chainsmith window (feature `gui`): eframe around [`app::App`], which only calls the engine.
//!
//! Long jobs (reading folders, file dialogs) run on worker threads that report back through channels
//! and `request_repaint()`; the UI thread never blocks.

pub mod app;
pub mod focus;
pub mod jobs;
pub mod picker;
pub mod probe;
pub mod rotation;
pub mod upload;

use std::path::PathBuf;

pub use app::App;

/// What to tell the admin when the window cannot open: what failed, and what to try.
pub fn window_error_words(error: &eframe::Error) -> String {
    match error {
        // wgpu picks Direct3D 12 or Vulkan first; a remote desktop, a VM without 3D, or Wine may
        // offer one that then fails. Its OpenGL backend is the usual way out.
        eframe::Error::Wgpu(e) => format!(
            "cannot open the window: the graphics driver failed ({e}). Try the OpenGL renderer: \
             set WGPU_BACKEND=gl in the environment (cmd: set WGPU_BACKEND=gl; PowerShell: \
             $env:WGPU_BACKEND=\"gl\"; sh: export WGPU_BACKEND=gl) and start Chainsmith again. The \
             command line (chainsmith check, build, probe, upload) needs no window."
        ),
        e => format!("cannot open the window: {e}"),
    }
}

/// Windows: a window-subsystem program started from Explorer has no console, so an error printed
/// there would be lost; it is shown in a message box too.
#[cfg(windows)]
pub fn tell_without_console(words: &str) {
    if !crate::console::has_console() {
        // A sentence in a box starts with a capital (the words start lower case after "chainsmith: ").
        let mut chars = words.chars();
        let words: String = chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        rfd::MessageDialog::new()
            .set_level(rfd::MessageLevel::Error)
            .set_title("Chainsmith")
            .set_description(words)
            .set_buttons(rfd::MessageButtons::Ok)
            .show();
    }
}

/// Elsewhere, standard error reaches the terminal or the session's log.
#[cfg(not(windows))]
pub fn tell_without_console(_words: &str) {}

/// Opens the window, with `paths` loaded (and `host`, if given, as the host name).
pub fn run(
    paths: Vec<PathBuf>,
    host: Option<String>,
    started: std::time::Instant,
) -> eframe::Result {
    // CHAINSMITH_WINDOW_SIZE=WIDTHxHEIGHT (screenshots at a laptop's size); else 1280×820.
    let size = std::env::var("CHAINSMITH_WINDOW_SIZE")
        .ok()
        .and_then(|s| {
            let (w, h) = s.split_once('x')?;
            Some([w.trim().parse::<f32>().ok()?, h.trim().parse::<f32>().ok()?])
        })
        .unwrap_or([1280.0, 820.0]);
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("Chainsmith")
            .with_app_id("chainsmith")
            .with_inner_size(size)
            .with_min_inner_size([760.0, 480.0])
            .with_drag_and_drop(true)
            .with_icon(window_icon()),
        // Windows: %APPDATA%\Chainsmith\preferences.ron; elsewhere eframe's default (crate::places).
        persistence_path: crate::places::preferences_file(),
        ..Default::default()
    };
    eframe::run_native(
        "Chainsmith",
        options,
        Box::new(move |cc| {
            let mut app = App::new(cc.storage, Box::new(picker::RfdPicker));
            if std::env::var_os("CHAINSMITH_TIMING").is_some() {
                app.timing = Some(app::Timing { started, frames: 0 });
            }
            if let Some(host) = host {
                app.prefs.host = host;
            }
            app.load_paths(&cc.egui_ctx, paths);
            Ok(Box::new(app))
        }),
    )
}

/// The window icon (the menu entry's icon comes from the installed hicolor theme).
fn window_icon() -> eframe::egui::IconData {
    // The PNG is ours and valid (rendered by scripts/render-icons.sh); if decoding ever failed, the
    // window would simply have no icon.
    eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icons/chainsmith-256.png"))
        .unwrap_or_default()
}

/// Text for the clipboard: CRLF line ends on Windows, where classic edit controls (and Notepad before
/// 2018) show LF-only text as one line; as it is elsewhere.
pub fn for_clipboard(text: String) -> String {
    with_line_ends(text, cfg!(windows))
}

/// `text` with CRLF line ends when `crlf` (an existing CRLF is not doubled).
pub fn with_line_ends(text: String, crlf: bool) -> String {
    if crlf {
        text.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        text
    }
}

#[cfg(test)]
mod clipboard_tests {
    #[test]
    fn windows_gets_crlf_once_and_others_the_text_as_it_is() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\r\n-----END CERTIFICATE-----\n".to_string();
        assert_eq!(
            super::with_line_ends(pem.clone(), true),
            "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n"
        );
        assert_eq!(super::with_line_ends(pem.clone(), false), pem);
    }
}
