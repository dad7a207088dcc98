//! The Chainsmith window (feature `gui`): eframe around [`app::App`], which only calls the engine.
//!
//! Long jobs (reading folders, file dialogs) run on worker threads that report back through channels
//! and `request_repaint()`; the UI thread never blocks.

pub mod app;
pub mod focus;
pub mod handover;
pub mod jobs;
pub mod picker;
pub mod probe;
pub mod renderer;
pub mod rotation;
pub mod upload;

use std::path::PathBuf;

pub use app::App;

/// Why the window did not open.
#[derive(Debug)]
pub enum WindowError {
    /// Neither renderer could draw: wgpu (Direct3D 12, Vulkan, Metal) and OpenGL both failed to start.
    NoGraphics { wgpu: String, opengl: String },
    /// Something else (the display, the event loop).
    Other(eframe::Error),
}

/// What to tell the admin when the window cannot open: what failed, and what they can do about it
/// from where they started it (a Start-menu user cannot set environment variables).
pub fn window_error_words(error: &WindowError) -> String {
    use crate::engine::text::escape;
    match error {
        WindowError::NoGraphics { wgpu, opengl } => format!(
            "cannot open the window: this computer's graphics could not be used, neither through \
             Direct3D or Vulkan ({}) nor through OpenGL ({}). What to do: update the graphics driver \
             ({}); on a remote desktop or a virtual machine, ask for 3D \
             acceleration to be turned on, or run Chainsmith on a computer with a graphics card. \
             Everything the window does is also on the command line, which needs no graphics: \
             open a terminal and type chainsmith check FILES, build, probe, upload or rotate.",
            escape(wgpu),
            escape(opengl),
            if cfg!(windows) {
                "Windows Update or the maker's site"
            } else {
                "the system's Mesa or the maker's driver packages"
            }
        ),
        WindowError::Other(e) => format!(
            "cannot open the window: {}",
            crate::engine::text::escape(&e.to_string())
        ),
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
///
/// The window draws with this platform's first renderer ([`renderer`]: OpenGL on Linux, wgpu on
/// Windows). Where that cannot start (a remote desktop, a virtual machine without 3D, an old driver),
/// the window opens again with the other by itself, says so on standard error and in its status bar;
/// eframe keeps one event loop per thread, so a second `run_native` works after the first failed.
pub fn run(
    paths: Vec<PathBuf>,
    host: Option<String>,
    started: std::time::Instant,
    handover: Option<handover::Server>,
) -> Result<(), WindowError> {
    let first = renderer::Renderer::first(std::env::var("CHAINSMITH_RENDERER").ok().as_deref());
    // Taken by whichever attempt creates the app.
    let handover = std::rc::Rc::new(std::cell::Cell::new(handover));
    let drawn = |fallback| renderer::DrawnWith {
        renderer: match fallback {
            None => first,
            Some(_) => first.other(),
        },
        fallback,
    };
    let first_error = match open(
        drawn(None),
        paths.clone(),
        host.clone(),
        started,
        handover.clone(),
    ) {
        Ok(()) => return Ok(()),
        Err(e) if first.failed_to_start(&e) => e.to_string(),
        Err(e) => return Err(WindowError::Other(e)),
    };
    crate::errln!(
        "chainsmith: the graphics driver could not start {} ({}); the window is drawn with {} instead",
        first.through(),
        crate::engine::text::escape(&first_error),
        first.other().words()
    );
    let second = first.other();
    open(
        drawn(Some(first_error.clone())),
        paths,
        host,
        started,
        handover,
    )
    .map_err(|e| {
        if !second.failed_to_start(&e) {
            return WindowError::Other(e);
        }
        let (wgpu, opengl) = match first {
            renderer::Renderer::Wgpu => (first_error, e.to_string()),
            renderer::Renderer::OpenGl => (e.to_string(), first_error),
        };
        WindowError::NoGraphics { wgpu, opengl }
    })
}

/// One attempt at the window, drawn as `drawn` says.
fn open(
    drawn: renderer::DrawnWith,
    paths: Vec<PathBuf>,
    host: Option<String>,
    started: std::time::Instant,
    handover: std::rc::Rc<std::cell::Cell<Option<handover::Server>>>,
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
        renderer: drawn.renderer.eframe(),
        ..Default::default()
    };
    eframe::run_native(
        "Chainsmith",
        options,
        Box::new(move |cc| {
            let mut app = App::new(cc.storage, Box::new(picker::RfdPicker));
            app.drawn_with = drawn;
            if std::env::var_os("CHAINSMITH_TIMING").is_some() {
                app.timing = Some(app::Timing { started, frames: 0 });
            }
            if let Some(host) = host {
                app.prefs.host = host;
            }
            if let Some(server) = handover.take() {
                server.attach(&cc.egui_ctx);
                app.handover = Some(server);
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
