//! The command line: reads files and folders, reads the clock, calls the engine, prints, writes.
//!
//! Exit codes: 0 no error finding; 1 error findings (or `build` refused); 2 usage error or a named
//! path that cannot be opened.

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::engine::bundle::{self, BundleOptions};
use crate::engine::load::{self, Loaded, MAX_INPUT_BYTES};
use crate::engine::{self, CheckOptions, HostName, Profile, Report};

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
        None => {
            use clap::CommandFactory as _;
            let _ = Cli::command().print_help();
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
        write_atomically(&args.output, pem.as_bytes())?;
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
    };
    Ok(engine::analyze(&inputs, roots.as_ref(), &options))
}

/// Reads a named file or folder. A named path that cannot be opened is a usage error.
fn read_path(path: &Path) -> anyhow::Result<Loaded> {
    let meta = fs::metadata(path)
        .map_err(|e| UsageError(format!("cannot open {}: {e}", path.display())))?;
    if meta.is_dir() {
        return Ok(read_folder(path));
    }
    let source = path.display().to_string();
    match read_file(path, meta.len(), meta.is_file()) {
        Ok(loaded) => Ok(loaded),
        Err(e) => Err(UsageError(format!("cannot open {source}: {e}")).into()),
    }
}

/// Reads at most [`MAX_INPUT_BYTES`] + 1 bytes, so a huge (or endless) file never fills memory.
fn read_file(path: &Path, size_hint: u64, regular: bool) -> std::io::Result<Loaded> {
    let source = path.display().to_string();
    if regular && size_hint > MAX_INPUT_BYTES as u64 {
        return Ok(load::too_large(&source, size_hint));
    }
    let file = fs::File::open(path)?;
    let mut bytes = Vec::with_capacity(size_hint.min(MAX_INPUT_BYTES as u64) as usize);
    file.take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() > MAX_INPUT_BYTES {
        return Ok(load::too_large(&source, bytes.len() as u64));
    }
    Ok(load::load(&source, &bytes))
}

/// Every regular file under `root`, sorted by path. Symlinks are followed only to files inside the
/// folder (never out of it, never into a loop); FIFOs, sockets and devices are skipped.
fn read_folder(root: &Path) -> Loaded {
    let mut loaded = Loaded::default();
    let canonical_root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let source = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| root.display().to_string());
                loaded.extend(load::unreadable(&source, &e.to_string()));
                continue;
            }
        };
        let path = entry.path();
        let file_type = entry.file_type();
        let source = path.display().to_string();
        let target_meta = if file_type.is_symlink() {
            match fs::canonicalize(path) {
                Ok(target) if target.starts_with(&canonical_root) => fs::metadata(&target).ok(),
                _ => None, // dangling, or pointing out of the folder: not followed
            }
        } else if file_type.is_file() {
            entry.metadata().ok()
        } else {
            None
        };
        let Some(meta) = target_meta.filter(|m| m.is_file()) else {
            continue;
        };
        match read_file(path, meta.len(), true) {
            Ok(l) => loaded.extend(l),
            Err(e) => loaded.extend(load::unreadable(&source, &e.to_string())),
        }
    }
    loaded
}

/// Writes through a temporary file in the same folder and a rename: never a half-written bundle.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(&dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    temp.write_all(bytes)?;
    // A bundle holds only public certificates: readable like any certificate file (the temporary
    // file starts as 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        temp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))?;
    }
    temp.as_file().sync_all()?;
    temp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
