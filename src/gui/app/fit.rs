//! A first window that fits its screen. The window opens at 1280×820 (or the size eframe restored);
//! on a 1366×768 laptop, or at 150 % scaling, that is taller than the screen once the title bar and the
//! task bar are counted, and the status bar — the only place "Bundle saved to …" appears — falls off
//! the bottom. As soon as the monitor's size is known (a frame or two), a window larger than the
//! monitor less its frame and a task bar's height is made to fit and moved to the top, centred.
//! Sizes are in points: the scale factor is already in them.

use eframe::egui::{self, Vec2};

/// Room left for a task bar (Windows' is 40–48 points; GNOME's top bar 32).
const TASK_BAR: f32 = 48.0;
/// The smallest window Chainsmith lays out (as `src/gui/mod.rs` sets it).
const MIN: Vec2 = Vec2::new(760.0, 480.0);
/// Whether the window was fitted yet (until the monitor's size is known, every frame looks again:
/// no repaint is asked for it).
#[derive(Debug, Default)]
pub struct WindowFit {
    done: bool,
}

impl WindowFit {
    /// Fits the window once, when the monitor's size is known.
    pub fn ui(&mut self, ctx: &egui::Context) {
        if self.done {
            return;
        }
        let (monitor, inner, outer) = ctx.input(|i| {
            let v = i.viewport();
            (v.monitor_size, v.inner_rect, v.outer_rect)
        });
        let (Some(monitor), Some(inner)) = (monitor, inner) else {
            return;
        };
        self.done = true;
        let frame = outer
            .map(|o| o.size() - inner.size())
            .filter(|f| f.x >= 0.0 && f.y >= 0.0)
            .unwrap_or(Vec2::new(0.0, 32.0));
        if let Some(size) = fitted(inner.size(), frame, monitor) {
            ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(size));
            let left = ((monitor.x - size.x - frame.x) / 2.0).max(0.0);
            ctx.send_viewport_cmd(egui::ViewportCommand::OuterPosition(egui::pos2(left, 0.0)));
        }
    }
}

/// The inner size a window of `inner` (with a frame of `frame` around it) takes on `monitor`: `None`
/// when it fits already, else the largest that fits with room for a task bar (never below the
/// smallest layout, even on a screen smaller than that).
pub fn fitted(inner: Vec2, frame: Vec2, monitor: Vec2) -> Option<Vec2> {
    let room = Vec2::new(monitor.x - frame.x, monitor.y - frame.y - TASK_BAR);
    if inner.x <= room.x && inner.y <= room.y {
        return None;
    }
    Some(inner.min(room).max(MIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_window_fits_a_laptop_and_a_scaled_screen() {
        let start = Vec2::new(1280.0, 820.0);
        let title = Vec2::new(0.0, 32.0);
        // 1366×768 at 100 %.
        assert_eq!(
            fitted(start, title, Vec2::new(1366.0, 768.0)),
            Some(Vec2::new(1280.0, 688.0))
        );
        // 1920×1080 at 150 % is 1280×720 points.
        assert_eq!(
            fitted(start, title, Vec2::new(1280.0, 720.0)),
            Some(Vec2::new(1280.0, 640.0))
        );
        // A big screen: as it is.
        assert_eq!(fitted(start, title, Vec2::new(1920.0, 1080.0)), None);
        // A window restored wider than the screen is narrowed too.
        assert_eq!(
            fitted(Vec2::new(2400.0, 600.0), title, Vec2::new(1920.0, 1080.0)),
            Some(Vec2::new(1920.0, 600.0))
        );
        // Never below the smallest layout.
        assert_eq!(
            fitted(start, title, Vec2::new(640.0, 480.0)),
            Some(Vec2::new(760.0, 480.0))
        );
    }
}
