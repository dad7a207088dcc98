//! The command line's grammar: every command, argument and flag, for clap (and the man page and completions made from it).

use super::*;

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
