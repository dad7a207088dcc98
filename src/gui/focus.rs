//! Keyboard focus for windows and dialogs drawn over the main window. egui's Tab order runs through
//! every widget of the viewport, so Tab in a window would wander into the main window's widgets behind
//! it. [`trapped`] keeps it inside: an invisible focusable sentinel before the window's widgets and one
//! after; reaching the one after (Tab from the last widget) sends focus on to the first, reaching the
//! one before (Shift+Tab from the first) back to the last. A window that was not drawn in the previous
//! pass has just opened: focus moves to its first widget (in our dialogs, the one that cancels, so
//! that Enter never confirms by accident).

use eframe::egui::{self, FocusDirection, Id, Rect, Sense, Ui, Vec2};

/// Draws `add_contents` with Tab and Shift+Tab kept inside; focus enters when the window opens.
pub fn trapped<R>(ui: &mut Ui, add_contents: impl FnOnce(&mut Ui) -> R) -> R {
    let head = ui.make_persistent_id("focus-trap-head");
    let tail = ui.make_persistent_id("focus-trap-tail");
    // The pass this was last drawn in: not the previous one means the window has just opened. Focus
    // is handed in on the first pass that is not a sizing pass (whose widgets take no focus).
    let last_key = head.with("last-pass");
    let pending_key = head.with("enter-pending");
    let pass = ui.ctx().cumulative_pass_nr();
    let (previous, pending): (Option<u64>, bool) = ui.ctx().data_mut(|d| {
        let previous = d.get_temp(last_key);
        d.insert_temp(last_key, pass);
        (previous, d.get_temp(pending_key).unwrap_or(false))
    });
    let opened = previous.is_none_or(|p| p + 1 < pass);
    let entering = (opened || pending) && !ui.is_sizing_pass();
    ui.ctx()
        .data_mut(|d| d.insert_temp(pending_key, (opened || pending) && !entering));
    // Whether keyboard focus belongs here: from the opening until a click elsewhere. A widget that
    // had focus here and was disabled (a button while its work runs) leaves nothing focused; the
    // next Tab must come back here, not start over in the main window behind.
    let inside_key = head.with("inside");
    let nothing_key = head.with("nothing-focused");
    // (The pointer is read first: the context is not locked twice.)
    let pressed_at = ui.ctx().input(|i| {
        i.pointer
            .any_pressed()
            .then(|| i.pointer.interact_pos())
            .flatten()
    });
    let clicked_elsewhere =
        pressed_at.is_some_and(|pos| ui.ctx().layer_id_at(pos) != Some(ui.layer_id()));
    let (was_inside, nothing_focused): (bool, bool) = ui.ctx().data(|d| {
        (
            d.get_temp(inside_key).unwrap_or(false),
            d.get_temp(nothing_key).unwrap_or(false),
        )
    });
    let inside = (was_inside || entering) && !clicked_elsewhere;
    let (tab, shift_tab) = ui.ctx().input(|i| {
        (
            i.key_pressed(egui::Key::Tab) && !i.modifiers.shift,
            i.key_pressed(egui::Key::Tab) && i.modifiers.shift,
        )
    });
    let focused = ui.ctx().memory(|m| m.focused());
    ui.ctx().memory_mut(|m| {
        if entering || focused == Some(tail) || (inside && nothing_focused && tab) {
            m.request_focus(head);
            m.move_focus(FocusDirection::Next);
        } else if focused == Some(head) || (inside && nothing_focused && shift_tab) {
            m.request_focus(tail);
            m.move_focus(FocusDirection::Previous);
        }
    });
    sentinel(ui, head);
    let inner = add_contents(ui);
    sentinel(ui, tail);
    let nothing_now = ui.ctx().memory(|m| m.focused()).is_none();
    ui.ctx().data_mut(|d| {
        d.insert_temp(inside_key, inside);
        d.insert_temp(nothing_key, nothing_now);
    });
    inner
}

/// A zero-size widget that takes focus and does nothing with it.
fn sentinel(ui: &mut Ui, id: Id) {
    let rect = Rect::from_min_size(ui.cursor().min, Vec2::ZERO);
    ui.interact(rect, id, Sense::focusable_noninteractive());
}
