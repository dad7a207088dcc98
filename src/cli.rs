//! The command line: reads files and folders, reads the clock, calls the engine, prints, writes.
//!
//! Exit codes: 0 no error finding; 1 error findings (or `build` refused); 2 usage error or a named
//! path that cannot be opened.
//!
//! This file owns running a command (parsing, the exit code, the window); beside it, one concern a
//! file: [`options`] (the grammar), [`check`] (`check`, `build`, `teams-roots`), `probe_command`,
//! `sandbox_command`, [`transfer`] (`upload`, `trunks`, `rollback`, `audit`), [`rotate`], [`json`],
//! [`args`] (the command line as Windows splits it).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::engine::bundle::{self, BundleOptions};
use crate::engine::load::Loaded;
use crate::engine::{self, CheckOptions, HostName, Profile, Report};
use crate::files;
use crate::{aia, crldp, probe};

mod args;
mod check;
mod json;
mod options;
mod probe_command;
mod rotate;
mod sandbox_command;
mod transfer;

pub use check::analyze;
pub use options::*;

use check::{build, check, read_path, teams_roots};
use probe_command::probe;
use sandbox_command::sandbox;
use transfer::{audit_command, rollback_command, trunks_command, upload_command};

/// A failure that is the user's to fix before anything can be checked (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

/// Parses the command line and runs it.
pub fn run() -> ExitCode {
    #[cfg(feature = "gui")]
    let started = std::time::Instant::now();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(hint) = args::swallowed_quote_hint(&args) {
        crate::errln!("chainsmith: {hint}");
        return ExitCode::from(2);
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        // Usage errors quote what was typed: escaped like every value (`args::usage_words`). Help
        // and --version are ours alone: clap prints them.
        Err(e) if e.use_stderr() => {
            crate::err_print!("{}", args::usage_words::<Cli>(&e, &args));
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Some(Command::Check(args)) => check(&args),
        Some(Command::Build(args)) => build(&args),
        Some(Command::Probe(args)) => probe(&args),
        Some(Command::Sandbox(args)) => sandbox(&args),
        Some(Command::Upload(args)) => upload_command(&args),
        Some(Command::Trunks(args)) => trunks_command(&args),
        Some(Command::Rollback(args)) => rollback_command(&args),
        Some(Command::Audit(args)) => audit_command(&args),
        Some(Command::Rotate(args)) => rotate::rotate_command(&args),
        Some(Command::TeamsRoots { output }) => teams_roots(&output),
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory as _;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "chainsmith",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Manpage) => manpage(),
        Some(Command::Paths) => {
            let mut out = crate::console::stdout();
            for (what, path) in crate::places::all() {
                let shown = path.map_or_else(
                    || "(none on this system)".to_string(),
                    |p| engine::text::path(&p),
                );
                let _ = writeln!(out, "{what:<20} {shown}");
            }
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(feature = "gui")]
        Some(Command::Gui { inputs, host, join }) => open_window(inputs, host, join, started),
        #[cfg(feature = "gui")]
        None => open_window(Vec::new(), None, false, started),
        #[cfg(not(feature = "gui"))]
        None => {
            use clap::CommandFactory as _;
            let _ = Cli::command().print_help();
            crate::errln!("\n(this build has no window: it was built without the `gui` feature)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // Errors carry file names, host names and server text escaped where they were put in
            // (`engine::text::escape`): printed as they are, not escaped twice.
            crate::errln!("chainsmith: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(feature = "gui")]
fn open_window(
    inputs: Vec<PathBuf>,
    host: Option<String>,
    join: bool,
    started: std::time::Instant,
) -> anyhow::Result<ExitCode> {
    let handover = match crate::gui::handover::start(&inputs, join) {
        crate::gui::handover::Start::Joined(n) => {
            crate::errln!("chainsmith: {n} file(s) added to the Chainsmith window already open");
            return Ok(ExitCode::SUCCESS);
        }
        crate::gui::handover::Start::Window(server) => server,
    };
    crate::gui::run(inputs, host, started, handover).map_err(|e| {
        let words = crate::gui::window_error_words(&e);
        crate::gui::tell_without_console(&words);
        anyhow::anyhow!(words)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The man page: the main page, then each subcommand's options as its own section.
fn manpage() -> anyhow::Result<ExitCode> {
    use clap::CommandFactory as _;
    let command = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("chainsmith-{}", sub.get_name());
        let page = clap_mangen::Man::new(sub.clone());
        out.extend_from_slice(format!(".SH \"{}\"\n", name.to_uppercase()).as_bytes());
        page.render_description_section(&mut out)?;
        page.render_options_section(&mut out)?;
    }
    std::io::stdout().lock().write_all(&out)?;
    Ok(ExitCode::SUCCESS)
}
