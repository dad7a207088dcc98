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
//!
//! This file holds the checked plan ([`Rotation`]) and reads it; `file` is the TOML as written (and
//! the window's draft), `check` turns it into a [`Rotation`].

mod check;
mod file;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::engine::cert::Fingerprint;
use crate::upload::{AudioCodesTarget, GenesysTarget, RestTarget, Target};
pub use check::parse_with;
use file::PlanFile;
pub use file::{BundleSection, Draft, Kind, TargetSection, VerifySection, draft, to_toml};

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

/// Reads and checks a plan from its text. `path` is where it was read from: relative paths in it are
/// taken from its folder.
pub fn parse(path: &Path, text: &str) -> Result<Rotation, PlanError> {
    parse_with(path, text, &|file: &Path| {
        crate::files::read_small_text(file).map_err(|e| e.to_string())
    })
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
