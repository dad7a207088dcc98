//! The Chainsmith window (feature `gui`): eframe around [`app::App`], which only calls the engine.
//!
//! Long jobs (reading folders, file dialogs) run on worker threads that report back through channels
//! and `request_repaint()`; the UI thread never blocks.

pub mod app;
pub mod jobs;
pub mod picker;
pub mod probe;
pub mod upload;

use std::path::PathBuf;

pub use app::App;

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
