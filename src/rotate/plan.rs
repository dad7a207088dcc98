//! The rotation plan file (TOML): one bundle, the targets that get it, the endpoints that must then
//! serve it.
//!
//! ```toml
//! [bundle]
//! inputs = ["new-certs/"]
//! host = "sbc1.carrier.example"
//!
//! [[target]]
//! name = "EU org (test first)"
//! kind = "genesys"
//! region = "euw2.pure.cloud"
//! client_id = "7c0d…"
//! ca_name = "Carrier A SIP TLS CAs"
//! secret_env = "EU_CLIENT_SECRET"
//!
//! [[verify]]
//! endpoint = "sbc1.carrier.example:5061"
//! ```
//!
//! Unknown keys are refused with their line (a typo must not silently drop a setting), and so is
//! anything that looks like a secret: a plan names the environment variable that holds a secret
//! (`secret_env`), never the secret. Error texts quote no value from the file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::engine::cert::Fingerprint;
use crate::upload::{AudioCodesTarget, GenesysTarget, RestTarget, Target};

/// A plan that cannot be used: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}, line {line}: {message}")]
    At {
        path: String,
        line: usize,
        message: String,
    },
}

/// The plan, checked and with paths resolved against its folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Rotation {
    /// The plan file (absolute and canonical when read from disk with [`read`]).
    pub path: PathBuf,
    /// SHA-256 (hex) of the plan's text: with `path`, what tells one plan (and one version of it)
    /// from another.
    pub sha256: String,
    /// Its file name without extension (names the run files).
    pub name: String,
    pub bundle: BundleSpec,
    pub targets: Vec<RotationTarget>,
    pub verify: Vec<VerifySpec>,
}

/// What every target gets, checked once (the options of `chainsmith check`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BundleSpec {
    pub inputs: Vec<PathBuf>,
    pub leaf: Option<PathBuf>,
    pub host: Option<String>,
    pub profile: Option<String>,
    pub roots: Vec<PathBuf>,
    pub public_roots: bool,
    pub strict: bool,
    pub at: Option<String>,
    pub expiry_warning_days: Option<u32>,
    /// REST targets also get the root.
    pub include_root: bool,
    /// The leaf's private key, for the targets that take it (an SBC, a SIP server's files).
    pub key: Option<PathBuf>,
}

/// One place the bundle goes.
#[derive(Debug, Clone, PartialEq)]
pub struct RotationTarget {
    pub name: String,
    pub target: Target,
    /// The environment variable holding its secret (else the keychain, else a prompt).
    pub secret_env: Option<String>,
    /// CA certificates trusted for this API itself (a private CA, the sandbox).
    pub ca_file: Option<PathBuf>,
    /// A REST target's definition file (the plan depends on it: never an output).
    pub definition: Option<PathBuf>,
    pub pins: Vec<Fingerprint>,
    pub timeout: Duration,
    /// Where it is in the plan file.
    pub line: usize,
    /// The endpoint it serves (`host:port`), probed after its change.
    pub verify: Option<String>,
    /// A trust-store job's CA certificate files (none: every certificate of the bundle's inputs).
    pub trust: Vec<PathBuf>,
}

impl Rotation {
    /// Every file the plan depends on: itself, the bundle's inputs, leaf and roots, each target's
    /// definition and CA file, each endpoint's CA file. Chainsmith never writes an output over one.
    pub fn depends_on(&self) -> Vec<PathBuf> {
        let mut files = vec![self.path.clone()];
        files.extend(self.bundle.inputs.iter().cloned());
        files.extend(self.bundle.leaf.iter().cloned());
        files.extend(self.bundle.roots.iter().cloned());
        files.extend(self.bundle.key.iter().cloned());
        for t in &self.targets {
            files.extend(t.ca_file.iter().cloned());
            files.extend(t.definition.iter().cloned());
            files.extend(t.trust.iter().cloned());
            match &t.target {
                Target::AudioCodes(a) => files.extend(a.previous_key.iter().cloned()),
                Target::Files(f) => {
                    files.extend(f.known_hosts.iter().cloned());
                    files.extend(f.identity.iter().cloned());
                }
                _ => {}
            }
        }
        files.extend(self.verify.iter().filter_map(|v| v.ca_file.clone()));
        files
    }
}

/// An endpoint probed after every target is verified.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifySpec {
    /// HOST[:PORT], as `chainsmith probe` takes it.
    pub endpoint: String,
    pub sni: Option<String>,
    /// The name the leaf must be valid for there (default: the bundle's host).
    pub host: Option<crate::engine::HostName>,
    pub ca_file: Option<PathBuf>,
    pub timeout: Duration,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    bundle: Spanned<BundleSection>,
    #[serde(default, rename = "target")]
    targets: Vec<Spanned<TargetSection>>,
    #[serde(default)]
    verify: Vec<Spanned<VerifySection>>,
}

/// `[bundle]` as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BundleSection {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roots: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public_roots: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strict: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_warning_days: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_root: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// A target's kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Genesys,
    Rest,
    #[serde(rename = "audiocodes")]
    AudioCodes,
    Files,
}

/// A `[[target]]` as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSection {
    pub name: String,
    pub kind: Kind,
    // Genesys Cloud (every `upload --target genesys` option by its long name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trunk: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trunks: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_base: Option<String>,
    // REST: a saved definition (`upload --save-target`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    // AudioCodes (`upload --target audiocodes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<crate::upload::audiocodes::Job>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_roots: Option<crate::upload::audiocodes::TrustedRoots>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_rollback: Option<crate::upload::audiocodes::KeyRollback>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub leaf_only: bool,
    /// A trust-store job's CA certificate files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trust: Vec<String>,
    // Files (`upload --target files`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_list: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reload: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reload_expect: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_hosts: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    // Any target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<String>,
    // Both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pin_sha256: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<String>,
}

/// A `[[verify]]` as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VerifySection {
    pub endpoint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

/// A plan as written in the file, for the window's form: edited, then saved with [`to_toml`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    pub bundle: BundleSection,
    #[serde(default, rename = "target")]
    pub targets: Vec<TargetSection>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verify: Vec<VerifySection>,
}

/// The draft as a plan file (TOML), as [`parse`] reads it back.
pub fn to_toml(draft: &Draft) -> String {
    // The sections are plain data (strings, numbers, booleans, lists): serializing cannot fail.
    toml::to_string(draft).unwrap_or_default()
}

/// A plan file's text as a draft, for editing (checked with [`parse`] before use).
pub fn draft(text: &str) -> Result<Draft, String> {
    toml::from_str(text).map_err(|e| e.message().to_string())
}

/// Keys that would hold a secret: refused with the way to give it instead.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "secret",
        "token",
        "password",
        "passwd",
        "credential",
        "api_key",
        "apikey",
    ]
    .iter()
    .any(|word| key.contains(word))
        && key != "secret_env"
}

const SECRET_HINT: &str = "no secret may be written in a plan: put it in an environment variable and \
     name that variable with secret_env, or let the OS keychain (upload --remember) or a prompt supply it";

/// The line (1-based) of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    Lines::new(text).of(offset)
}

/// Where each line of a text starts, so that the line of any offset is a binary search: a plan
/// with thousands of targets is numbered in linear time, not by counting from the top each time.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self(starts)
    }

    /// The line (1-based) of byte `offset`.
    fn of(&self, offset: usize) -> usize {
        self.0.partition_point(|start| *start <= offset).max(1)
    }
}

/// The key serde named in "unknown field `KEY`, expected …".
fn unknown_key(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split_once('`').map(|(key, _)| key)
}

/// Reads and checks a plan from its text. `path` is where it was read from: relative paths in it are
/// taken from its folder.
pub fn parse(path: &Path, text: &str) -> Result<Rotation, PlanError> {
    parse_with(path, text, &|file: &Path| {
        crate::files::read_small_text(file).map_err(|e| e.to_string())
    })
}

/// [`parse`], reading each REST target's definition file with `read_definition` (the window reads
/// them on a worker and keeps them, and knows a new plan's definition before it is written).
pub fn parse_with(
    path: &Path,
    text: &str,
    read_definition: &dyn Fn(&Path) -> Result<String, String>,
) -> Result<Rotation, PlanError> {
    let shown = crate::engine::text::path(path);
    let at = |line: usize, message: String| PlanError::At {
        path: shown.clone(),
        line,
        message: crate::engine::text::escaped(&message),
    };
    let file: PlanFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        // toml's own Display quotes the line, value included; only serde's message is used, which
        // names keys and types, never a value of an unknown key.
        let message = crate::upload::secret::value_free(e.message());
        match unknown_key(&message) {
            Some(key) if is_secret_key(key) => at(line, format!("`{key}`: {SECRET_HINT}")),
            Some(key) => at(line, format!("unknown key `{key}`: {}", expected(&message))),
            None => at(line, message),
        }
    })?;
    let folder = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let resolve = |p: &str| -> PathBuf {
        let p = PathBuf::from(p);
        if p.is_absolute() { p } else { folder.join(p) }
    };

    let lines = Lines::new(text);
    let line_of = |_: &str, offset: usize| lines.of(offset);
    let b = file.bundle.get_ref();
    let bundle_line = line_of(text, file.bundle.span().start);
    if b.inputs.is_empty() && b.leaf.is_none() {
        return Err(at(
            bundle_line,
            "[bundle] inputs: name the certificate files or folders (relative to the plan)".into(),
        ));
    }
    let bundle = BundleSpec {
        inputs: b.inputs.iter().map(|p| resolve(p)).collect(),
        leaf: b.leaf.as_deref().map(resolve),
        host: b.host.clone(),
        profile: b.profile.clone(),
        roots: b.roots.iter().map(|p| resolve(p)).collect(),
        public_roots: b.public_roots,
        strict: b.strict,
        at: b.at.clone(),
        expiry_warning_days: b.expiry_warning_days,
        include_root: b.include_root,
        key: b.key.as_deref().map(resolve),
    };

    if file.targets.is_empty() {
        return Err(at(
            line_of(text, text.len()),
            "no [[target]]: name at least one place the bundle goes".into(),
        ));
    }
    let mut targets = Vec::new();
    let mut names = std::collections::HashSet::new();
    for spanned in &file.targets {
        let line = line_of(text, spanned.span().start);
        let t = spanned.get_ref();
        let target = target_of(t, &resolve, read_definition)
            .map_err(|message| at(line, format!("target \"{}\": {message}", t.name)))?;
        if let Some(endpoint) = &t.verify
            && crate::probe::split_target(endpoint).is_none()
        {
            return Err(at(
                line,
                format!(
                    "target \"{}\": verify = \"{endpoint}\": not HOST:PORT",
                    t.name
                ),
            ));
        }
        if target.takes_key() && bundle.key.is_none() {
            return Err(at(
                bundle_line,
                format!(
                    "target \"{}\" takes the leaf's private key: name it in [bundle] key = \"FILE\"",
                    t.name
                ),
            ));
        }
        if !names.insert(t.name.clone()) {
            return Err(at(
                line,
                format!("target \"{}\": another target has that name", t.name),
            ));
        }
        let pins = t
            .pin_sha256
            .iter()
            .map(|p| crate::tls::parse_pin(p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| at(line, format!("target \"{}\": {e}", t.name)))?;
        // A variable's name: letters, digits and _, not starting with a digit. Anything else is
        // likely the secret itself, pasted in the wrong place: refused without quoting it.
        if let Some(var) = &t.secret_env
            && (var.is_empty()
                || var.starts_with(|c: char| c.is_ascii_digit())
                || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return Err(at(
                line,
                format!(
                    "target \"{}\": secret_env must name an environment variable (letters, digits and _, e.g. EU_CLIENT_SECRET), not hold a value; {SECRET_HINT}",
                    t.name
                ),
            ));
        }
        targets.push(RotationTarget {
            name: t.name.clone(),
            target,
            secret_env: t.secret_env.clone(),
            ca_file: t.ca_file.as_deref().map(resolve),
            definition: t.definition.as_deref().map(resolve),
            pins,
            timeout: Duration::from_secs(t.timeout.unwrap_or(30).max(1)),
            line,
            verify: t.verify.clone(),
            trust: t.trust.iter().map(|p| resolve(p)).collect(),
        });
    }
    // A local files target never writes over a file the plan reads (its bundle, its key).
    let reads: Vec<PathBuf> = bundle
        .inputs
        .iter()
        .chain(bundle.leaf.iter())
        .chain(bundle.roots.iter())
        .chain(bundle.key.iter())
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect();
    for t in &targets {
        if let Target::Files(f) = &t.target
            && f.ssh.is_none()
        {
            for path in [&f.certificate, &f.private_key, &f.ca_list]
                .into_iter()
                .flatten()
            {
                let written = std::fs::canonicalize(path).unwrap_or_else(|_| PathBuf::from(path));
                if reads
                    .iter()
                    .any(|r| r == &written || written.starts_with(r))
                {
                    return Err(at(
                        t.line,
                        format!(
                            "target \"{}\": {path} is a file the plan reads ([bundle]); the server's files must be other files",
                            t.name
                        ),
                    ));
                }
            }
        }
    }
    let mut verify = Vec::new();
    for spanned in &file.verify {
        let v = spanned.get_ref();
        let line = line_of(text, spanned.span().start);
        if crate::probe::split_target(&v.endpoint).is_none() {
            return Err(at(
                line,
                format!("[[verify]] endpoint = \"{}\": not HOST[:PORT]", v.endpoint),
            ));
        }
        // The name the served leaf must be valid for: checked now, not after the targets changed.
        let host = v
            .host
            .as_deref()
            .map(crate::engine::HostName::parse)
            .transpose()
            .map_err(|e| at(line, format!("[[verify]] host: {e}")))?;
        verify.push(VerifySpec {
            endpoint: v.endpoint.clone(),
            sni: v.sni.clone(),
            host,
            ca_file: v.ca_file.as_deref().map(resolve),
            timeout: Duration::from_secs(v.timeout.unwrap_or(10).max(1)),
        });
    }
    Ok(Rotation {
        path: path.to_path_buf(),
        sha256: Fingerprint::of(text.as_bytes()).hex(),
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "plan".into()),
        bundle,
        targets,
        verify,
    })
}

/// "expected one of `a`, `b`" from serde's message, for the admin who mistyped a key.
fn expected(message: &str) -> String {
    message
        .split_once(", ")
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

/// Reads and checks the plan file at `path` (made absolute and canonical: a run is tied to the plan
/// file itself, wherever it was named from).
pub fn read(path: &Path) -> Result<Rotation, PlanError> {
    // Without Windows' \\?\ prefix: the path is shown and stored (run files, reports).
    let canonical = dunce::canonicalize(path).map_err(|e| PlanError::Read {
        path: crate::engine::text::path(path),
        message: e.to_string(),
    })?;
    let path = canonical.as_path();
    let text = crate::files::read_small_text(path).map_err(|e| PlanError::Read {
        path: crate::engine::text::path(path),
        message: match e {
            crate::files::SmallFileError::Io { error, .. } => crate::files::io_words(&error),
            other => other.to_string(),
        },
    })?;
    parse(path, &text)
}

fn target_of(
    t: &TargetSection,
    resolve: &dyn Fn(&str) -> PathBuf,
    read_definition: &dyn Fn(&Path) -> Result<String, String>,
) -> Result<Target, String> {
    let genesys_keys = [
        ("region", t.region.is_some()),
        ("client_id", t.client_id.is_some()),
        ("ca_name", t.ca_name.is_some()),
        ("description", t.description.is_some()),
        ("trunk", t.trunk.is_some()),
        ("trunks", !t.trunks.is_empty()),
        ("api_base", t.api_base.is_some()),
        ("login_base", t.login_base.is_some()),
    ];
    let audiocodes_keys = [
        ("url", t.url.is_some()),
        ("user", t.user.is_some()),
        ("context", t.context.is_some()),
        ("previous_key", t.previous_key.is_some()),
        ("key_rollback", t.key_rollback.is_some()),
        ("leaf_only", t.leaf_only),
    ];
    let device_keys = [
        ("job", t.job.is_some()),
        ("trusted_roots", t.trusted_roots.is_some()),
        ("trust", !t.trust.is_empty()),
    ];
    let files_keys = [
        ("certificate", t.certificate.is_some()),
        ("private_key", t.private_key.is_some()),
        ("ca_list", t.ca_list.is_some()),
        ("reload", t.reload.is_some()),
        ("reload_expect", t.reload_expect.is_some()),
        ("ssh", t.ssh.is_some()),
        ("known_hosts", t.known_hosts.is_some()),
        ("identity", t.identity.is_some()),
    ];
    let given = |keys: &[(&'static str, bool)]| keys.iter().find(|(_, g)| *g).map(|(k, _)| *k);
    if t.kind != Kind::AudioCodes
        && let Some(key) = given(&audiocodes_keys)
    {
        return Err(format!("{key} is for kind = \"audiocodes\""));
    }
    if t.kind != Kind::Files
        && let Some(key) = given(&files_keys)
    {
        return Err(format!("{key} is for kind = \"files\""));
    }
    if !matches!(t.kind, Kind::AudioCodes | Kind::Files)
        && let Some(key) = given(&device_keys)
    {
        return Err(format!("{key} is for kind = \"audiocodes\" or \"files\""));
    }
    if matches!(t.kind, Kind::AudioCodes | Kind::Files)
        && t.job != Some(crate::upload::audiocodes::Job::TrustStore)
        && !t.trust.is_empty()
    {
        return Err("trust is for job = \"trust-store\"".into());
    }
    match t.kind {
        Kind::Genesys => {
            if t.definition.is_some() {
                return Err("definition is for kind = \"rest\"".into());
            }
            let client_id = t
                .client_id
                .as_deref()
                .ok_or("client_id: the Genesys Cloud OAuth client id is needed")?;
            let ca_name = t
                .ca_name
                .as_deref()
                .ok_or("ca_name: the certificate authority's name is needed")?;
            let mut target = GenesysTarget::new(
                t.region.as_deref(),
                t.api_base.as_deref(),
                t.login_base.as_deref(),
                client_id,
                ca_name,
            )
            .map_err(|e| e.to_string().replace("--", ""))?;
            if let Some(d) = &t.description {
                target.description = d.clone();
            }
            let trunks: Vec<String> = t.trunk.iter().chain(t.trunks.iter()).cloned().collect();
            target.set_trunks(&trunks);
            Ok(Target::Genesys(target))
        }
        Kind::Rest => {
            if let Some((key, _)) = genesys_keys.iter().find(|(_, given)| *given) {
                return Err(format!(
                    "{key} is for kind = \"genesys\"; a REST target is a saved definition (definition = \"FILE.json\", from upload --save-target)"
                ));
            }
            let file = t.definition.as_deref().ok_or(
                "definition: the saved REST target definition (upload --save-target FILE.json) is needed",
            )?;
            let path = resolve(file);
            let text = read_definition(&path).map_err(|e| format!("definition {e}"))?;
            let target = RestTarget::from_json(&text)
                .map_err(|e| format!("definition {}: {e}", crate::engine::text::path(&path)))?;
            Ok(Target::Rest(target))
        }
        Kind::AudioCodes => {
            if let Some((key, _)) = genesys_keys.iter().find(|(_, given)| *given) {
                return Err(format!("{key} is for kind = \"genesys\""));
            }
            if t.definition.is_some() {
                return Err("definition is for kind = \"rest\"".into());
            }
            let target = AudioCodesTarget {
                url: t
                    .url
                    .clone()
                    .ok_or("url: the device's REST address (https://sbc1.example.net) is needed")?,
                user: t
                    .user
                    .clone()
                    .ok_or("user: a device user of level Administrator is needed")?,
                context: t
                    .context
                    .ok_or("context: the TLS context's index is needed")?,
                job: t.job.unwrap_or_default(),
                trusted_roots: t.trusted_roots.unwrap_or_default(),
                previous_key: t.previous_key.as_deref().map(resolve),
                key_rollback: t.key_rollback.unwrap_or_default(),
                leaf_only: t.leaf_only,
            };
            target.check().map_err(|e| e.to_string())?;
            Ok(Target::AudioCodes(target))
        }
        Kind::Files => {
            if let Some((key, _)) = genesys_keys.iter().find(|(_, given)| *given) {
                return Err(format!("{key} is for kind = \"genesys\""));
            }
            if t.definition.is_some() {
                return Err("definition is for kind = \"rest\"".into());
            }
            let target = crate::upload::FilesTarget {
                certificate: t.certificate.clone(),
                private_key: t.private_key.clone(),
                ca_list: t.ca_list.clone(),
                trusted_roots: t.trusted_roots.unwrap_or_default(),
                reload: t.reload.clone(),
                reload_expect: t.reload_expect.clone(),
                ssh: t.ssh.clone(),
                // Local files of this machine (the plan's folder is where relative ones start).
                known_hosts: t.known_hosts.as_deref().map(resolve),
                identity: t.identity.as_deref().map(resolve),
                job: t.job.unwrap_or_default(),
            };
            target.check().map_err(|e| e.to_string())?;
            Ok(Target::Files(target))
        }
    }
}
