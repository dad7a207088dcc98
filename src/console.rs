//! Windows: one program, two faces.
//!
//! `chainsmith.exe` is linked for the window subsystem (`src/main.rs`), so a double-click, the Start menu
//! shortcut or "Open with" opens the window with no console flashing up. Run with a command from cmd or
//! PowerShell, it attaches to that terminal's console ([`attach_to_parent_console`]) so its output
//! shows there. Windows does not wait for a window-subsystem program, though, so the terminal gets its
//! prompt back at once and no exit code: the packages therefore also ship `chainsmith.com`, the same
//! program with the console subsystem (`packaging/build-windows.sh` flips the one header field), which
//! cmd and PowerShell pick first for a bare `chainsmith` (`.COM` comes before `.EXE` in `PATHEXT`), and
//! which they wait for, with its exit code. On other platforms there is nothing to do.

/// Attaches the process to its parent's console, if it has none and the parent has one (a terminal).
/// Standard handles the parent redirected (to a file or a pipe) stay as they are.
#[cfg(windows)]
pub fn attach_to_parent_console() {
    use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};
    // SAFETY: AttachConsole takes a process id by value and touches no memory of ours. It fails when
    // the process already has a console (chainsmith.com) or the parent has none (Explorer); both are
    // fine, so the result is not looked at.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

/// Whether the process has a console to print to (Explorer-started chainsmith.exe has none).
#[cfg(windows)]
pub fn has_console() -> bool {
    // SAFETY: GetConsoleWindow takes nothing and returns a handle (null when there is no console).
    !unsafe { windows_sys::Win32::System::Console::GetConsoleWindow() }.is_null()
}

/// Nothing to do: Unix programs share their terminal.
#[cfg(not(windows))]
pub fn attach_to_parent_console() {}
