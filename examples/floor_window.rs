//! The floor of start-up time and memory: eframe's smallest window (one label), built with
//! Chainsmith's eframe features and drawn with OpenGL as Chainsmith's window is on Linux.
//! `scripts/first-frame.sh` measures it beside Chainsmith's window, so that what any eframe window
//! costs on a machine (under Xvfb: Mesa's llvmpipe) is told apart from what Chainsmith adds.
//! `cargo run --release --example floor_window`; prints "first frame painted N ms after start" on
//! standard error, as `CHAINSMITH_TIMING=1` does for Chainsmith.

use std::time::Instant;

struct Floor {
    started: Instant,
    frames: u32,
}

impl eframe::App for Floor {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.label("The smallest eframe window.");
        });
        // As Chainsmith's window: the second frame starts only after the first was presented.
        self.frames += 1;
        match self.frames {
            1 => ui.ctx().request_repaint(),
            2 => eprintln!(
                "floor: first frame painted {:.0} ms after start (OpenGL)",
                self.started.elapsed().as_secs_f64() * 1000.0
            ),
            _ => {}
        }
    }
}

fn main() -> eframe::Result {
    let started = Instant::now();
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        "floor",
        options,
        Box::new(move |_| Ok(Box::new(Floor { started, frames: 0 }))),
    )
}
