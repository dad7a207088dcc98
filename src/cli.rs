//! The command line: reads files and folders, reads the clock, calls the engine, prints, writes.
//!
//! Exit codes: 0 no error finding; 1 error findings (or `build` refused); 2 usage error or a named
//! path that cannot be opened.

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
mod json;
mod rotate;
mod transfer;
use transfer::{audit_command, rollback_command, trunks_command, upload_command};

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
    /// Connect to a live TLS endpoint (SIPS: port 5061), check the chain it serves, compare with a bundle.
    Probe(ProbeArgs),
    /// Check a chain, then upload it to a trunk API (Genesys Cloud or REST) with a backup and a read-back.
    Upload(Box<UploadArgs>),
    /// List a Genesys Cloud organisation's EXTERNAL trunks with their status.
    Trunks(TrunksArgs),
    /// Put a backup (written by an upload) back, through the same target.
    Rollback(RollbackArgs),
    /// Show the audit log of uploads and rollbacks (--markdown for a change ticket).
    Audit(AuditArgs),
    /// Rotate one bundle across every target of a plan (TOML): canary first, backed up, verified,
    /// resumable, reversible (--rollback RUN_FILE).
    Rotate(RotateArgs),
    /// Run a local HTTPS server that behaves like the Genesys Cloud and REST trunk APIs (rehearsals, tests).
    Sandbox(SandboxArgs),
    /// Write the seven root certificates an SBC with mutual TLS must trust for Microsoft Teams Direct
    /// Routing (2026) as one PEM file (`-` for standard output).
    TeamsRoots {
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: PathBuf,
    },
    /// Print shell completions (bash, zsh, fish, elvish, powershell) to standard output.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print where Chainsmith keeps its files (data, audit log, backups, rotation runs, caches, preferences).
    Paths,
    /// Print the man page (roff) to standard output.
    #[command(hide = true)]
    Manpage,
    /// Open the window with these files and folders loaded (also: no subcommand at all).
    #[cfg(feature = "gui")]
    Gui {
        /// Certificate files and folders to load.
        inputs: Vec<PathBuf>,
        /// The host name to check (otherwise the last one used).
        #[arg(long)]
        host: Option<String>,
        /// Add the files to the Chainsmith window already open, if there is one, rather than open
        /// another (the file association uses it: "Open with" on several files starts one
        /// process per file).
        #[arg(long)]
        join: bool,
    },
}

/// The profile names, for clap.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProfileArg {
    TlsServer,
    SipMutualTls,
    GenesysByocCloud,
    GenesysByocPremises,
    TeamsDirectRouting,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Self {
        match p {
            ProfileArg::TlsServer => Profile::TlsServer,
            ProfileArg::SipMutualTls => Profile::SipMutualTls,
            ProfileArg::GenesysByocCloud => Profile::GenesysByocCloud,
            ProfileArg::GenesysByocPremises => Profile::GenesysByocPremises,
            ProfileArg::TeamsDirectRouting => Profile::TeamsDirectRouting,
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
    #[command(flatten)]
    pub flags: CheckFlags,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// HOST[:PORT] (default port 5061; IPv6 as [ADDR]:PORT).
    pub target: String,
    /// The SNI name to send (default: --host, else HOST unless it is an IP address).
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,
    /// The name the leaf must be valid for (default: HOST).
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,
    /// Client certificate (PEM) for endpoints that demand mutual TLS.
    #[arg(long, value_name = "FILE", requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    /// Seconds to wait for the connection and each read.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub timeout: u64,
    /// The bundle you mean to deploy: compare the served chain with it.
    #[arg(long, value_name = "FILES", num_args = 1..)]
    pub bundle: Vec<PathBuf>,
    #[command(flatten)]
    pub flags: CheckFlags,
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8443)]
    pub port: u16,
    /// Port on 127.0.0.1 where the AudioCodes stand-in serves its TLS context 1, as an SBC's SIP
    /// TLS port would (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub sip_port: u16,
    /// Where to write the sandbox's self-signed certificate (trust it with --ca-file).
    #[arg(long, value_name = "FILE", default_value = "chainsmith-sandbox.pem")]
    pub cert_file: PathBuf,
    /// Answer the next API request with this failure: STATUS[:RETRY_AFTER] (e.g. 429:2, 503, 401).
    /// Repeatable; failures are used in order.
    #[arg(long, value_name = "STATUS[:SECONDS]")]
    pub inject: Vec<String>,
    /// Serve this certificate chain (PEM, leaf first) instead of the sandbox's own, e.g. an SBC's
    /// `openssl req -x509` certificate, to rehearse trusting it.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

/// Where an upload goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetKind {
    Genesys,
    Rest,
    Audiocodes,
    Files,
}

/// What an AudioCodes target's run changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JobKind {
    /// The certificate chain and its private key.
    Certificate,
    /// Only the trusted roots (the certificates given are the CA certificates to trust).
    TrustStore,
}

/// What happens to a device's trusted-root store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrustedRootsKind {
    Keep,
    Add,
    Replace,
}

/// How a REST target authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthKind {
    None,
    Bearer,
    Basic,
    Oauth,
}

/// How to reach an API (shared by `upload`, `trunks` and `rollback`).
#[derive(Debug, Args)]
pub struct ApiArgs {
    /// PEM file of CA certificates to trust for the API itself (a private CA, the sandbox), on top of
    /// the system's.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Trust the server certificate with this SHA-256 fingerprint as it is (an SBC's self-signed
    /// management certificate); the host name and dates are still checked. Repeatable; a saved REST
    /// target keeps its pins.
    #[arg(long = "pin-sha256", value_name = "HEX")]
    pub pin_sha256: Vec<String>,
    /// Seconds to wait for each request.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
    /// Show the requests (credentials redacted) and send none.
    #[arg(long)]
    pub dry_run: bool,
    /// Store the secret in the OS keychain after it worked.
    #[arg(long)]
    pub remember: bool,
    /// The proxy for the API: a URL (http://proxy.corp:3128), or none. Default: HTTPS_PROXY and
    /// NO_PROXY, else (Windows) the Internet Settings; this machine is always reached directly.
    #[arg(long, value_name = "URL|none")]
    pub proxy: Option<String>,
}

/// A Genesys Cloud organisation.
#[derive(Debug, Args)]
pub struct GenesysArgs {
    /// The Genesys Cloud region: its domain (euw2.pure.cloud) or AWS name (eu-west-2).
    #[arg(long)]
    pub region: Option<String>,
    /// The OAuth client (client credentials) id; its secret comes from CHAINSMITH_CLIENT_SECRET, the
    /// keychain or a prompt.
    #[arg(long)]
    pub client_id: Option<String>,
    /// Another API base than https://api.{region} (the sandbox, a proxy).
    #[arg(long, value_name = "URL")]
    pub api_base: Option<String>,
    /// Another login base than https://login.{region}.
    #[arg(long, value_name = "URL")]
    pub login_base: Option<String>,
}

#[derive(Debug, Args)]
pub struct UploadArgs {
    #[command(flatten)]
    pub check: CheckArgs,
    /// genesys (certificate authority for BYOC Premises) or rest (any trunk API).
    #[arg(long, value_enum)]
    pub target: Option<TargetKind>,
    #[command(flatten)]
    pub genesys: GenesysArgs,
    /// genesys: the certificate authority to create, or update if it exists.
    #[arg(long, value_name = "NAME")]
    pub ca_name: Option<String>,
    /// genesys: the trunk this is for (checked first: status, BYOC Cloud or Premises). Repeatable.
    #[arg(long, value_name = "ID")]
    pub trunk: Vec<String>,
    /// rest: the URL, with {placeholders} filled by --param.
    #[arg(long)]
    pub url: Option<String>,
    /// rest: PUT, POST or PATCH.
    #[arg(long, default_value = "PUT")]
    pub method: String,
    /// rest: where the PEM bundle goes in the JSON body (a dot path).
    #[arg(long, default_value = "certificateBundle", value_name = "PATH")]
    pub field: String,
    /// rest: send the raw PEM (application/x-pem-file) instead of JSON.
    #[arg(long)]
    pub raw_pem: bool,
    /// rest: a fixed JSON body field NAME=VALUE (VALUE as JSON if it parses, else text). Repeatable.
    #[arg(long = "set-field", value_name = "NAME=VALUE")]
    pub set_field: Vec<String>,
    /// rest: a URL placeholder value NAME=VALUE. Repeatable.
    #[arg(long, value_name = "NAME=VALUE")]
    pub param: Vec<String>,
    /// rest: how to authenticate (secrets: CHAINSMITH_TOKEN / CHAINSMITH_CLIENT_SECRET, keychain, prompt).
    #[arg(long, value_enum, default_value = "none")]
    pub auth: AuthKind,
    /// rest, basic auth: the user name.
    #[arg(long)]
    pub username: Option<String>,
    /// rest, oauth: the token URL (client id: --client-id).
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    /// rest: where to read the current value for the backup and the read-back (default: --url).
    #[arg(long, value_name = "URL")]
    pub read_url: Option<String>,
    /// rest: the dot path of the PEM in what --read-url answers (default: --field).
    #[arg(long, value_name = "PATH")]
    pub read_field: Option<String>,
    /// rest: use a saved target definition (JSON) instead of the flags above.
    #[arg(long, value_name = "FILE")]
    pub target_file: Option<PathBuf>,
    /// rest: save the target definition (no secret in it) to this file.
    #[arg(long, value_name = "FILE")]
    pub save_target: Option<PathBuf>,
    /// rest, audiocodes: also send the root certificate.
    #[arg(long)]
    pub include_root: bool,
    /// audiocodes: the leaf's private key (PEM), checked against the leaf before anything is sent.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// audiocodes: the device user (its password from CHAINSMITH_CLIENT_SECRET, the keychain or a
    /// prompt); --url is the device's REST address (https://sbc1.example.net).
    #[arg(long)]
    pub user: Option<String>,
    /// audiocodes: the TLS context's index.
    #[arg(long, value_name = "INDEX")]
    pub context: Option<u32>,
    /// audiocodes, files: certificate (and key), or trust-store (only the trusted roots, the CA list).
    #[arg(long, value_enum, default_value = "certificate")]
    pub job: JobKind,
    /// audiocodes: what happens to the context's trusted roots (add or replace with the CA
    /// certificates).
    #[arg(long, value_enum, default_value = "keep")]
    pub trusted_roots: TrustedRootsKind,
    /// audiocodes: the key of the certificate the device holds now (what a rollback puts back).
    #[arg(long, value_name = "FILE")]
    pub previous_key: Option<PathBuf>,
    /// audiocodes: go without the previous key; the change then cannot be rolled back.
    #[arg(long)]
    pub no_key_rollback: bool,
    /// audiocodes: send the device certificate alone, without the intermediates (give them to the
    /// trusted roots with --trusted-roots add).
    #[arg(long)]
    pub leaf_only: bool,
    /// files: where the server reads its certificate chain (an absolute path on its machine).
    #[arg(long, value_name = "PATH")]
    pub certificate: Option<String>,
    /// files: where the server reads its private key.
    #[arg(long, value_name = "PATH")]
    pub private_key: Option<String>,
    /// files: a CA list file (with --trusted-roots add or replace).
    #[arg(long, value_name = "PATH")]
    pub ca_list: Option<String>,
    /// files: the server's reload command (e.g. "kamcmd tls.reload"); its output is judged.
    #[arg(long, value_name = "COMMAND")]
    pub reload: Option<String>,
    /// files: words the reload must print to count as done.
    #[arg(long, value_name = "TEXT")]
    pub reload_expect: Option<String>,
    /// files: another machine, reached with ssh (key login, known host key): user@host:port.
    #[arg(long, value_name = "USER@HOST:PORT")]
    pub ssh: Option<String>,
    /// files, over ssh: the known_hosts file that holds the machine's host key.
    #[arg(long, value_name = "FILE")]
    pub known_hosts: Option<PathBuf>,
    /// files, over ssh: the private key to log in with.
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// After the change, probe this HOST:PORT (SNI = HOST): verified only when it serves the bundle.
    #[arg(long, value_name = "HOST:PORT")]
    pub verify: Option<String>,
    /// Upload even when the chain has error findings.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Debug, Args)]
pub struct TrunksArgs {
    #[command(flatten)]
    pub genesys: GenesysArgs,
    #[command(flatten)]
    pub api: ApiArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The backup file an upload wrote (see `chainsmith audit`).
    pub backup: PathBuf,
    #[command(flatten)]
    pub api: ApiArgs,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The plan file (TOML): [bundle], [[target]]s, [[verify]] endpoints.
    #[arg(required_unless_present = "rollback")]
    pub plan: Option<PathBuf>,
    /// Show what every target holds now (certificates, expiry, whether it holds the bundle); send nothing.
    #[arg(long)]
    pub status: bool,
    /// As --status, plus every request a run would send; send no change.
    #[arg(long)]
    pub dry_run: bool,
    /// Go on with the remaining targets after one fails (default: stop, the rest skipped).
    #[arg(long)]
    pub continue_on_error: bool,
    /// Run the first target (the canary) only; run the plan again for the rest.
    #[arg(long)]
    pub canary_only: bool,
    /// Put every target a run changed back from its backup, last first.
    #[arg(long, value_name = "RUN_FILE", conflicts_with_all = ["plan", "status", "dry_run", "canary_only"])]
    pub rollback: Option<PathBuf>,
    /// Rotate even when the bundle has error findings (recorded in the audit log); with --rollback,
    /// roll back even though a later run changed the same targets (that run's change is undone too).
    #[arg(long)]
    pub force: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Write the change-ticket report of the run: Markdown, or HTML for a .html name.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Print a Markdown table (for a change ticket) instead of JSON lines.
    #[arg(long)]
    pub markdown: bool,
}

/// Trust and check flags shared by `check`, `build` and `probe`.
#[derive(Debug, Args)]
pub struct CheckFlags {
    /// Trust exactly the roots in this file (repeatable).
    #[arg(long, value_name = "FILE")]
    pub roots: Vec<PathBuf>,
    /// Also trust the Mozilla root set (webpki-roots).
    #[arg(long)]
    pub public_roots: bool,
    /// Check revocation with this CRL (PEM or DER; repeatable). CRLs among the inputs count too.
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<PathBuf>,
    /// What the chain is for.
    #[arg(long, value_enum, default_value = "tls-server")]
    pub profile: ProfileArg,
    /// With --profile teams-direct-routing: the SBC's trusted root store (PEM or DER; repeatable),
    /// checked for the seven roots Microsoft's SIP proxies chain to from 2026.
    #[arg(long, value_name = "FILE")]
    pub sbc_trust: Vec<PathBuf>,
    /// Validation time: RFC 3339 (2026-12-01T22:00:00Z) or a date (2026-12-01, midnight UTC); default now.
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
    /// When an issuer is missing, fetch it from the certificate's AIA caIssuers URL (HTTP/HTTPS).
    #[arg(long)]
    pub fetch_missing: bool,
    /// Check revocation with the CRLs the chain's certificates name (HTTP/HTTPS; cached until their
    /// next update). Tells the CA's server which certificates you look at.
    #[arg(long)]
    pub fetch_crl: bool,
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
    #[cfg(feature = "gui")]
    let started = std::time::Instant::now();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(hint) = args::swallowed_quote_hint(&args) {
        crate::errln!("chainsmith: {hint}");
        return ExitCode::from(2);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        // Usage errors quote what was typed: they go out through the same escaping as everything
        // else (console::stderr), not raw. Help and --version are ours alone: clap prints them.
        Err(e) if e.use_stderr() => {
            crate::err_print!("{}", e.render());
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
                    |p| engine::text::escaped(&p.display().to_string()),
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
            // Errors carry file names, host names and server text: shown, never executed.
            crate::errln!("chainsmith: {}", engine::text::escape(&format!("{e:#}")));
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

fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let report = analyze(args)?;
    let mut stdout = crate::console::stdout();
    if args.flags.json {
        writeln!(stdout, "{}", json::text(&report.to_json())?)?;
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
    let to_stdout = args.output.as_os_str() == "-";
    // Where the bundle goes is settled before any work: never onto an input (a cert + key file would
    // lose its key), a folder, a read-only file, or by replacing a device or pipe. --force does not
    // lift these refusals.
    let output = if to_stdout {
        None
    } else {
        let mut named = args.check.inputs.clone();
        named.extend(args.check.leaf.iter().cloned());
        named.extend(args.check.flags.roots.iter().cloned());
        named.extend(args.check.flags.crl.iter().cloned());
        named.extend(args.check.flags.sbc_trust.iter().cloned());
        Some(files::plan_output(&args.output, &files::input_ids(&named))?)
    };
    let report = analyze(&args.check)?;
    let summary = if args.check.flags.json {
        json::text(&report.to_json())? + "\n"
    } else {
        report.to_text()
    };
    crate::err_print!("{summary}");
    if !report.passed() && !args.force {
        // With --json the error findings in the report are the reason: standard error stays JSON.
        if !args.check.flags.json {
            crate::errln!(
                "chainsmith: refusing to write the bundle: {} error finding(s); fix them or use --force",
                report.count(engine::Severity::Error)
            );
        }
        return Ok(ExitCode::from(1));
    }
    let options = BundleOptions {
        include_root: args.include_root,
        ca_only: args.ca_only,
    };
    let pem = match bundle::to_pem(&report, options) {
        Ok(pem) => pem,
        Err(e) => {
            crate::errln!("chainsmith: nothing written: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let count = pem.matches("-----BEGIN CERTIFICATE-----").count();
    if let Some(output) = output {
        output.write(pem.as_bytes())?;
        crate::errln!(
            "chainsmith: wrote {count} certificate(s) to {}",
            engine::text::escape(&args.output.display().to_string())
        );
    } else {
        std::io::stdout().lock().write_all(pem.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn teams_roots(output: &std::path::Path) -> anyhow::Result<ExitCode> {
    let pem = engine::teams::bundle();
    if output.as_os_str() == "-" {
        std::io::stdout().lock().write_all(pem.as_bytes())?;
    } else {
        files::write_output(output, pem.as_bytes(), &[])?;
        crate::errln!(
            "chainsmith: wrote the {} roots of Microsoft Teams Direct Routing (2026) to {}",
            engine::teams::SBC_TRUST_2026.len(),
            engine::text::escape(&output.display().to_string())
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn probe(args: &ProbeArgs) -> anyhow::Result<ExitCode> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let (host, _) = probe::split_target(&args.target)
        .ok_or_else(|| UsageError(format!("\"{}\" is not HOST[:PORT]", args.target)))?;
    let check_name = args.host.clone().unwrap_or_else(|| host.clone());
    let options = args.flags.options(Some(&check_name))?;
    let roots = args.flags.roots()?;
    let client_auth = match (&args.client_cert, &args.client_key) {
        (Some(cert), Some(key)) => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
                .and_then(|it| it.collect())
                .map_err(|e| UsageError(format!("--client-cert {}: {e}", cert.display())))?;
            // The key's own error text is not repeated: it could quote key material.
            let key = PrivateKeyDer::from_pem_file(key).map_err(|_| {
                UsageError(format!(
                    "--client-key {}: no usable private key in it",
                    key.display()
                ))
            })?;
            Some((certs, std::sync::Arc::new(key)))
        }
        _ => None,
    };
    let bundle_report = if args.bundle.is_empty() {
        None
    } else {
        let mut bundle = Loaded::default();
        for path in &args.bundle {
            bundle.extend(read_path(path)?);
        }
        Some(engine::analyze(&bundle, roots.as_ref(), &options))
    };
    // The one pipeline (window and rotation verify use it too): the SNI is --sni, else the name
    // checked (--host, else the endpoint's name).
    let checked = match crate::probe_check::run(crate::probe_check::ProbeCheck {
        target: &args.target,
        sni: args.sni.as_deref(),
        options: &options,
        roots: roots.as_ref(),
        bundle: bundle_report.as_ref(),
        timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        client_auth,
    }) {
        Ok(c) => c,
        Err(e) => {
            // The error names the host as given: escaped for the terminal.
            crate::errln!("chainsmith: {}", engine::text::escape(&e.to_string()));
            return Ok(ExitCode::from(3));
        }
    };
    let crate::probe_check::Checked {
        host,
        port,
        probe: probed,
        served,
        roots,
        report,
        probe_options,
    } = checked;
    let mut probe_options = probe_options;
    let mut report = report;
    if args.flags.fetch_missing && report.has(engine::Code::ServedIncomplete) {
        // What the endpoint should also send: fetched for the report; the served verdict stands.
        let (_, _, notes) = aia::analyze_fetching(
            &served,
            roots.as_ref(),
            &options,
            &aia::FetchOptions::default(),
        );
        report = aia::with_fetch_notes(report, &notes);
    }

    let mut suites = Vec::new();
    if options.profile == engine::Profile::GenesysByocCloud {
        for (name, suite) in probe::genesys_byoc_cloud_suites() {
            let result = match suite {
                None => "not tested (rustls cannot offer it)".to_string(),
                Some(suite) => {
                    probe_options.only_suites = Some(vec![suite]);
                    match probe::probe(&probe_options) {
                        Ok(_) => "accepted".to_string(),
                        Err(e) => format!("refused ({e})"),
                    }
                }
            };
            suites.push((name, result));
        }
    }

    let mut stdout = crate::console::stdout();
    if args.flags.json {
        let mut json = report.to_json();
        json["probe"] = serde_json::json!({
            "target": format!("{host}:{port}"),
            "sni": probed.sni_sent,
            "address": probed.address.to_string(),
            "protocol_version": probed.protocol_version,
            "cipher_suite": probed.cipher_suite,
            "client_certificate_requested": probed.client_certificate_requested,
            "handshake_error": probed.handshake_error,
            "served": probed.served.iter().map(|d| engine::Fingerprint::of(d).hex()).collect::<Vec<_>>(),
            "genesys_byoc_cloud_suites": suites.iter().map(|(n, r)| serde_json::json!({"suite": n, "result": r})).collect::<Vec<_>>(),
        });
        writeln!(stdout, "{}", json::text(&json)?)?;
    } else {
        writeln!(stdout, "Probed {host}:{port} ({})", probed.address)?;
        writeln!(stdout, "  {}", probed.sni_words())?;
        writeln!(
            stdout,
            "  negotiated {} with {}; client certificate requested: {}",
            probed.protocol_version.as_deref().unwrap_or("?"),
            probed.cipher_suite.as_deref().unwrap_or("?"),
            if probed.client_certificate_requested {
                "yes"
            } else {
                "no"
            }
        )?;
        if let Some(e) = &probed.handshake_error {
            writeln!(stdout, "  the handshake then failed: {e}")?;
        }
        writeln!(
            stdout,
            "  served {} certificate(s), in this order:",
            probed.served.len()
        )?;
        for (i, cert) in served.certificates.iter().enumerate() {
            writeln!(
                stdout,
                "    #{} {}  (issuer: {})",
                i + 1,
                cert.display_name(),
                cert.issuer
            )?;
        }
        for (name, result) in &suites {
            writeln!(stdout, "  {name}: {result}")?;
        }
        writeln!(stdout)?;
        write!(stdout, "{}", report.to_text())?;
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn sandbox(args: &SandboxArgs) -> anyhow::Result<ExitCode> {
    let mut faults = Vec::new();
    for spec in &args.inject {
        let (status, retry) = match spec.split_once(':') {
            Some((s, r)) => (s, Some(r)),
            None => (spec.as_str(), None),
        };
        let bad = || {
            UsageError(format!(
                "--inject {spec}: use STATUS[:RETRY_AFTER], e.g. 429:2"
            ))
        };
        faults.push(crate::sandbox::Fault {
            status: status.parse().map_err(|_| bad())?,
            retry_after: retry.map(|r| r.parse()).transpose().map_err(|_| bad())?,
            ..crate::sandbox::Fault::default()
        });
    }
    let identity = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let read = |flag: &str, path: &PathBuf| {
                std::fs::read(path)
                    .map_err(|e| UsageError(format!("{flag} {}: {e}", path.display())))
            };
            Some(crate::sandbox::Identity {
                chain_pem: read("--tls-cert", cert)?,
                key_pem: read("--tls-key", key)?,
            })
        }
        _ => None,
    };
    let handle = crate::sandbox::start_with_sip(args.port, args.sip_port, faults, identity)?;
    if args.tls_cert.is_none() {
        files::write_output(&args.cert_file, handle.certificate_pem.as_bytes(), &[])?;
    }
    crate::outln!(
        "Chainsmith sandbox (local rehearsal) listening on {}",
        handle.base_url()
    );
    crate::outln!(
        "  its certificate: {} (trust it with --ca-file)",
        args.tls_cert.as_ref().unwrap_or(&args.cert_file).display()
    );
    crate::outln!(
        "  OAuth client: {} / {}",
        crate::sandbox::CLIENT_ID,
        crate::sandbox::CLIENT_SECRET
    );
    crate::outln!(
        "  Genesys API base: {0}   login base: {0}",
        handle.base_url()
    );
    crate::outln!(
        "  REST trunk endpoint: {}/trunk-api/trunks/{{id}}/certificate",
        handle.base_url()
    );
    crate::outln!(
        "  AudioCodes device: --url {} --user {} (password: the OAuth client secret above); TLS context {} is served on {} (probe it, or verify = \"{}\")",
        handle.base_url(),
        crate::sandbox::audiocodes::USER,
        crate::sandbox::audiocodes::SIP_CONTEXT,
        handle.sip_address,
        handle.sip_address
    );
    crate::outln!(
        "  inject failures: POST {}/sandbox/faults {{\"status\":429,\"retry_after\":2}}",
        handle.base_url()
    );
    crate::outln!("Ctrl+C to stop.");
    loop {
        std::thread::park();
    }
}

/// Loads the inputs and roots, reads the clock, and runs the engine.
pub fn analyze(args: &CheckArgs) -> anyhow::Result<Report> {
    if args.inputs.is_empty() && args.leaf.is_none() {
        bail!(UsageError(
            "no input: give certificate files or folders (or --leaf FILE)".into()
        ));
    }
    let mut options = args.flags.options(args.host.as_deref())?;
    let mut inputs = Loaded::default();
    for path in &args.inputs {
        inputs.extend(read_path(path)?);
        if inputs.over_budget {
            break; // the total input budget is reached: read nothing more
        }
    }
    if let Some(path) = &args.leaf {
        let loaded = read_path(path)?;
        let Some(first) = loaded.certificates.first() else {
            bail!(UsageError(format!(
                "--leaf {}: no certificate in it",
                path.display()
            )));
        };
        options.leaf = Some(first.sha256);
        // The pinned file joins the pile unless it is already there (its certificates would be duplicates).
        let already = inputs.certificates.iter().any(|c| c.sha256 == first.sha256);
        if !already {
            inputs.extend(loaded);
        }
    }
    let roots = args.flags.roots()?;
    let (report, inputs, aia_notes) = if args.flags.fetch_missing {
        aia::analyze_fetching(
            &inputs,
            roots.as_ref(),
            &options,
            &aia::FetchOptions::default(),
        )
    } else {
        let report = engine::analyze(&inputs, roots.as_ref(), &options);
        (report, inputs, Vec::new())
    };
    let mut report = aia::with_fetch_notes(report, &aia_notes);
    if args.flags.fetch_crl {
        // The chain is known now: fetch what its certificates name, then judge again with it.
        let mut known = options.crls.clone();
        known.extend(inputs.crls.iter().cloned());
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let (crls, notes) = crldp::fetch_for(&report, &known, &crldp::CrlFetchOptions::new(now));
        options.crls.extend(crls);
        options.revocation = true;
        report = engine::analyze(&inputs, roots.as_ref(), &options);
        report = aia::with_fetch_notes(report, &aia_notes);
        report = crldp::with_notes(report, &notes);
    }
    Ok(report)
}

impl CheckFlags {
    /// The engine options these flags describe (reads the clock when `--at` is absent).
    fn options(&self, host: Option<&str>) -> anyhow::Result<CheckOptions> {
        let host = match host {
            Some(h) => Some(HostName::parse(h).map_err(|e| UsageError(format!("--host: {e}")))?),
            None => None,
        };
        let at = match &self.at {
            Some(text) => engine::report::parse_time(text).ok_or_else(|| {
                UsageError(format!(
                    "--at: \"{text}\" is neither RFC 3339 (2026-12-05T22:00:00Z) nor a date (2026-12-05)"
                ))
            })?,
            None => time::OffsetDateTime::now_utc().unix_timestamp(),
        };
        // Certificates carry years 0001..9999 (RFC 5280 GeneralizedTime); outside them every date
        // written in a report would be a bare number.
        let year = time::OffsetDateTime::from_unix_timestamp(at).map(|t| t.year());
        if !year.is_ok_and(|y| (1..=9999).contains(&y)) {
            bail!(UsageError(format!(
                "--at: \"{}\" is outside the years 1 to 9999 (in UTC)",
                self.at.as_deref().unwrap_or_default()
            )));
        }
        let mut options = CheckOptions::new(at);
        options.at_is_now = self.at.is_none();
        options.host = host;
        options.profile = self.profile.into();
        options.expiry_warning_days = self.expiry_warning_days;
        options.strict = self.strict;
        options.public_roots = self.public_roots;
        for path in &self.crl {
            let loaded = read_path(path)?;
            if loaded.crls.is_empty() {
                bail!(UsageError(format!(
                    "--crl {}: no CRL in it (a PEM X509 CRL block or a DER CRL)",
                    path.display()
                )));
            }
            options.crls.extend(loaded.crls);
            options.revocation = true;
        }
        if !self.sbc_trust.is_empty() {
            if options.profile != engine::Profile::TeamsDirectRouting {
                bail!(UsageError(
                    "--sbc-trust is read with --profile teams-direct-routing only".to_string()
                ));
            }
            let mut store = Vec::new();
            for path in &self.sbc_trust {
                let loaded = read_path(path)?;
                if loaded.certificates.is_empty() {
                    bail!(UsageError(format!(
                        "--sbc-trust {}: no certificate in it",
                        path.display()
                    )));
                }
                store.extend(loaded.certificates);
            }
            options.sbc_trust = Some(store);
        }
        Ok(options)
    }

    /// The `--roots` files, loaded (`None` without the flag).
    fn roots(&self) -> anyhow::Result<Option<Loaded>> {
        if self.roots.is_empty() {
            return Ok(None);
        }
        let mut roots = Loaded::default();
        for path in &self.roots {
            // Trust is given file by file: a folder would trust whatever lies in its whole tree.
            if path.is_dir() {
                bail!(UsageError(format!(
                    "--roots {}: a folder; name the root certificate files (trust is given file by file)",
                    path.display()
                )));
            }
            let loaded = read_path(path)?;
            if loaded.certificates.is_empty() {
                bail!(UsageError(format!(
                    "--roots {}: no certificate in it",
                    path.display()
                )));
            }
            roots.extend(loaded);
        }
        Ok(Some(roots))
    }
}

/// Reads a named file or folder. A named path that cannot be opened is a usage error.
fn read_path(path: &Path) -> anyhow::Result<Loaded> {
    files::read_path(path, &mut |_| true).map_err(|e| UsageError(e.to_string()).into())
}
