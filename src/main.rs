// Windows: the window subsystem, so that no console flashes up when the window opens; with a command,
// the program attaches to the terminal's console instead (see src/console.rs).
#![cfg_attr(windows, windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    if std::env::args_os().len() > 1 {
        chainsmith::console::attach_to_parent_console();
    }
    chainsmith::cli::run()
}
