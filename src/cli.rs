//! The command line: reads files and folders, reads the clock, calls the engine, prints, writes.
//!
//! Exit codes: 0 no error finding; 1 error findings (or `build` refused); 2 usage error or a named
//! path that cannot be opened.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::engine::bundle::{self, BundleOptions};
use crate::engine::load::Loaded;
use crate::engine::{self, CheckOptions, HostName, Profile, Report};
use crate::files;

/// Order, check and bundle TLS certificate chains for SIP trunks.
#[derive(Debug, Parser)]
#[command(name = "chainsmith", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Order and check a chain; print a report (exit 1 if anything is an error).
    Check(CheckArgs),
    /// Order and check a chain, then write the PEM bundle (leaf first).
    Build(BuildArgs),
    /// Open the window with these files and folders loaded (also: no subcommand at all).
    #[cfg(feature = "gui")]
    Gui {
        /// Certificate files and folders to load.
        inputs: Vec<PathBuf>,
        /// The host name to check (otherwise the last one used).
        #[arg(long)]
        host: Option<String>,
    },
}

/// The profile names, for clap.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProfileArg {
    TlsServer,
    SipMutualTls,
    GenesysByocCloud,
    GenesysByocPremises,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Self {
        match p {
            ProfileArg::TlsServer => Profile::TlsServer,
            ProfileArg::SipMutualTls => Profile::SipMutualTls,
            ProfileArg::GenesysByocCloud => Profile::GenesysByocCloud,
            ProfileArg::GenesysByocPremises => Profile::GenesysByocPremises,
        }
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Certificate files (PEM, DER, PKCS#7) and folders, in any order.
    pub inputs: Vec<PathBuf>,
    /// The trunk / SBC host name or IP address the leaf must be valid for.
    #[arg(long)]
    pub host: Option<String>,
    /// The file whose (first) certificate is the leaf.
    #[arg(long, value_name = "FILE")]
    pub leaf: Option<PathBuf>,
    /// Trust exactly the roots in this file (repeatable).
    #[arg(long, value_name = "FILE")]
    pub roots: Vec<PathBuf>,
    /// Also trust the Mozilla root set (webpki-roots).
    #[arg(long)]
    pub public_roots: bool,
    /// What the chain is for.
    #[arg(long, value_enum, default_value = "tls-server")]
    pub profile: ProfileArg,
    /// Validation time (RFC 3339, e.g. 2026-12-01T22:00:00Z); default now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Warn when a certificate expires within this many days.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub expiry_warning_days: u32,
    /// Treat RFC 5280 / CA/Browser Forum rule breaks (rfc5280.*, cabf.*) as errors.
    #[arg(long)]
    pub strict: bool,
    /// Print the JSON report instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub check: CheckArgs,
    /// Where to write the bundle (`-` for standard output).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: PathBuf,
    /// Append the root certificate.
    #[arg(long)]
    pub include_root: bool,
    /// Write only the CA certificates (intermediates and root), e.g. for a CA upload.
    #[arg(long)]
    pub ca_only: bool,
    /// Write even when there are error findings.
    #[arg(long)]
    pub force: bool,
}

/// A failure that is the user's to fix before anything can be checked (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

/// Parses the command line and runs it.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Check(args)) => check(&args),
        Some(Command::Build(args)) => build(&args),
        #[cfg(feature = "gui")]
        Some(Command::Gui { inputs, host }) => open_window(inputs, host),
        #[cfg(feature = "gui")]
        None => open_window(Vec::new(), None),
        #[cfg(not(feature = "gui"))]
        None => {
            use clap::CommandFactory as _;
            let _ = Cli::command().print_help();
            eprintln!("\n(this build has no window: it was built without the `gui` feature)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("chainsmith: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(feature = "gui")]
fn open_window(inputs: Vec<PathBuf>, host: Option<String>) -> anyhow::Result<ExitCode> {
    crate::gui::run(inputs, host).map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let report = analyze(args)?;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(&report.to_json())?
        )?;
    } else {
        write!(stdout, "{}", report.to_text())?;
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn build(args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let report = analyze(&args.check)?;
    let to_stdout = args.output.as_os_str() == "-";
    let summary = if args.check.json {
        serde_json::to_string_pretty(&report.to_json())? + "\n"
    } else {
        report.to_text()
    };
    eprint!("{summary}");
    if !report.passed() && !args.force {
        eprintln!(
            "chainsmith: refusing to write the bundle: {} error finding(s); fix them or use --force",
            report.count(engine::Severity::Error)
        );
        return Ok(ExitCode::from(1));
    }
    let options = BundleOptions {
        include_root: args.include_root,
        ca_only: args.ca_only,
    };
    let pem = match bundle::to_pem(&report, options) {
        Ok(pem) => pem,
        Err(e) => {
            eprintln!("chainsmith: nothing written: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let count = pem.matches("-----BEGIN CERTIFICATE-----").count();
    if to_stdout {
        std::io::stdout().lock().write_all(pem.as_bytes())?;
    } else {
        files::write_atomically(&args.output, pem.as_bytes())
            .with_context(|| format!("cannot write {}", args.output.display()))?;
        eprintln!(
            "chainsmith: wrote {count} certificate(s) to {}",
            args.output.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads the inputs and roots, reads the clock, and runs the engine.
pub fn analyze(args: &CheckArgs) -> anyhow::Result<Report> {
    if args.inputs.is_empty() && args.leaf.is_none() {
        bail!(UsageError(
            "no input: give certificate files or folders (or --leaf FILE)".into()
        ));
    }
    let host = match &args.host {
        Some(h) => Some(HostName::parse(h).map_err(|e| UsageError(format!("--host: {e}")))?),
        None => None,
    };
    let at = match &args.at {
        Some(text) => {
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .map_err(|e| UsageError(format!("--at: \"{text}\" is not an RFC 3339 time ({e})")))?
                .unix_timestamp()
        }
        None => time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    let mut inputs = Loaded::default();
    for path in &args.inputs {
        inputs.extend(read_path(path)?);
    }
    let mut leaf = None;
    if let Some(path) = &args.leaf {
        let loaded = read_path(path)?;
        let Some(first) = loaded.certificates.first() else {
            bail!(UsageError(format!(
                "--leaf {}: no certificate in it",
                path.display()
            )));
        };
        leaf = Some(first.sha256);
        // The pinned file joins the pile unless it is already there (its certificates would be duplicates).
        let already = inputs.certificates.iter().any(|c| c.sha256 == first.sha256);
        if !already {
            inputs.extend(loaded);
        }
    }
    let roots = if args.roots.is_empty() {
        None
    } else {
        let mut roots = Loaded::default();
        for path in &args.roots {
            let loaded = read_path(path)?;
            if loaded.certificates.is_empty() {
                bail!(UsageError(format!(
                    "--roots {}: no certificate in it",
                    path.display()
                )));
            }
            roots.extend(loaded);
        }
        Some(roots)
    };
    let options = CheckOptions {
        host,
        leaf,
        profile: args.profile.into(),
        at,
        expiry_warning_days: args.expiry_warning_days,
        strict: args.strict,
        public_roots: args.public_roots,
        via: None,
    };
    Ok(engine::analyze(&inputs, roots.as_ref(), &options))
}

/// Reads a named file or folder. A named path that cannot be opened is a usage error.
fn read_path(path: &Path) -> anyhow::Result<Loaded> {
    files::read_path(path, &mut |_| true).map_err(|e| UsageError(e.to_string()).into())
}
