//! Dropped files, pasted PEM and the keyboard shortcuts (Ctrl+O, Ctrl+S), taken from the frame's input.

use super::*;

impl App {
    /// Dropped files, Ctrl+V, Ctrl+O, Ctrl+S.
    pub(super) fn handle_input(&mut self, ctx: &egui::Context) {
        // Shortcuts are consumed (a quick tap is seen whatever the frame timing, and only once); PEM
        // text pasted anywhere (the Host name field focused included) is taken out of the events and
        // loaded, unless the Paste window is open to receive it.
        let paste_open = self.paste.open;
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
}
