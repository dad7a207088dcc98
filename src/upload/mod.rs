//! Upload: send a checked bundle to a trunk API — Genesys Cloud certificate authorities or any REST
//! endpoint — with a backup of what it replaces, a read-back that proves the change landed, and an
//! append-only audit log. The CLI and the window both call [`run`]; the window on a worker thread.
//!
//! The steps are always: authenticate → (pre-flight) → read current → back up → upload → verify.
//! Nothing is changed before the backup file exists.
//!
//! This file owns the plan, the secrets, the phases and the record; beside it, one concern a file:
//! [`flow`] (one upload from start to end, journaled), [`dry_run`] (what would be sent, what a
//! target holds), [`target`] (where a bundle goes), [`payload`] (what is sent), [`session`] (one API
//! session), [`running`] (one run's progress, journal, backup and comparison), [`error`] (what went
//! wrong, in words), and one module per target kind.

pub mod audiocodes;
mod dry_run;
mod error;
pub mod files;
mod flow;
pub mod genesys;
pub mod host;
pub mod http;
pub mod key;
mod payload;
pub mod readback;
pub mod records;
pub mod rest;
mod running;
pub mod secret;
mod session;
mod target;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::bundle::{self, BundleOptions};
use crate::engine::{self, Report, Severity};
pub use audiocodes::AudioCodesTarget;
pub use dry_run::{Holdings, dry_run, holdings};
use error::status_error;
pub use error::{UploadError, missing_permission};
pub use files::FilesTarget;
use flow::authenticate;
pub use flow::{run, run_journaled};
pub use http::{Credentials, HttpError, Request, Response, RetryPolicy};
pub use key::PrivateKey;
pub use payload::{Payload, blocking_findings, fingerprints, forced_codes, payload_for};
pub use rest::{RestAuth, RestTarget};
pub use running::Run;
pub use secret::Secret;
pub use session::{ServerView, Session};
pub use target::{GenesysTarget, Target};
use target::{endpoint_of, first_url, region_of};

/// The steps of an upload, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Authenticate,
    Preflight,
    ReadCurrent,
    BackUp,
    Upload,
    Verify,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::Authenticate,
        Phase::Preflight,
        Phase::ReadCurrent,
        Phase::BackUp,
        Phase::Upload,
        Phase::Verify,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Phase::Authenticate => "authenticate",
            Phase::Preflight => "pre-flight",
            Phase::ReadCurrent => "read current",
            Phase::BackUp => "back up",
            Phase::Upload => "upload",
            Phase::Verify => "verify",
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// What happened, as the progress display sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Started(Phase),
    Done(Phase, String),
    Note(String),
}

/// A point of a remote change that a caller's journal records durably before the upload goes on
/// (a rotation's run file): if the journal cannot record it, nothing more is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The backup of what the target held is written and synced; nothing has been sent yet.
    BackedUp(PathBuf),
    /// A change is about to be sent: from here on the target may have changed, answer or not.
    Sending,
}

/// The journal of one upload: called at each [`Step`]; an error stops the upload before the next
/// request.
pub type Journal<'a> = dyn FnMut(&Step) -> Result<(), UploadError> + 'a;

/// An upload or rollback to run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub target: Target,
    pub payload: Payload,
    /// `Some(backup file)`: this puts a backup back.
    pub rollback_of: Option<PathBuf>,
    /// Backups and the audit log go here.
    pub data_dir: PathBuf,
    /// PEM roots trusted for the API itself (the sandbox's certificate).
    pub api_roots: Option<Vec<u8>>,
    /// A PEM file of roots trusted for the API itself (`--ca-file`), read when the run starts (on the
    /// worker, for the window).
    pub api_roots_file: Option<PathBuf>,
    /// Server certificates trusted as they are (`--pin-sha256`), besides a REST target's own pins.
    pub api_pins: Vec<crate::engine::cert::Fingerprint>,
    pub policy: RetryPolicy,
    /// A rehearsal against the local sandbox: nothing goes to a real trunk API (recorded as such).
    pub rehearsal: bool,
    /// The error codes the admin chose to upload past (`--force`, "Upload anyway…"), recorded.
    pub forced: Vec<String>,
    /// A target that already holds exactly the payload gets no write (and no backup): the run is
    /// `unchanged`. Rotations set it, so running a plan again sends no change.
    pub unchanged_if_held: bool,
    /// A rollback: the binding its backup recorded of the secret used with the target. A secret that
    /// does not match is never sent (the backup may have been edited to name another place).
    pub secret_binding: Option<String>,
    /// The endpoint the target serves (`host:port`): after the change it is probed, and the target
    /// is verified only when it serves the bundle sent.
    pub verify: Option<String>,
    /// The leaf's private key file, read when the run starts (on the worker, for the window) and
    /// checked to be the leaf's before anything is sent; for a target that takes a key.
    pub key_file: Option<PathBuf>,
    /// The proxy to go through (`--proxy`, the window's setting; default: the system's).
    pub proxy: crate::proxy::ProxyChoice,
}

impl Plan {
    /// What is trusted for the API: the roots (read here), `--pin-sha256`, and a REST target's pins.
    pub fn trust(&self) -> Result<crate::tls::Trust, UploadError> {
        let mut pins = self.api_pins.clone();
        if let Target::Rest(r) = &self.target {
            pins.extend(r.pin_fingerprints()?);
        }
        Ok(crate::tls::Trust {
            ca_file: api_roots(self.api_roots.clone(), self.api_roots_file.as_deref())?,
            pins,
        })
    }
}

/// The extra roots for the API: the given PEM, else the file's (read here, on the caller's thread).
pub fn api_roots(
    pem: Option<Vec<u8>>,
    file: Option<&std::path::Path>,
) -> Result<Option<Vec<u8>>, UploadError> {
    match (pem, file) {
        (Some(pem), _) => Ok(Some(pem)),
        (None, Some(path)) => crate::files::read_small(path)
            .map(Some)
            .map_err(|e| UploadError::Usage(format!("CA file {e}"))),
        (None, None) => Ok(None),
    }
}

/// Whether `target` needs a secret (a Genesys client secret; a REST token, password or client secret).
pub fn needs_secret(target: &Target) -> bool {
    match target {
        Target::Genesys(_) | Target::AudioCodes(_) => true,
        Target::Rest(r) => r.auth != RestAuth::None,
        Target::Files(_) => false,
    }
}

/// The credentials an upload may need (any may be absent; a missing one needed is a usage error).
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    /// OAuth client secret or basic-auth password.
    pub client_secret: Option<Secret>,
    /// A bearer token.
    pub token: Option<Secret>,
}

impl Secrets {
    /// Finds the secret `target` needs (none, a bearer token, or a client secret / password):
    /// `typed` (the window's field) first, else the environment variable, the keychain, and with
    /// `prompt` a terminal prompt.
    pub fn find(target: &Target, typed: Option<Secret>, prompt: bool) -> Self {
        if let Some(typed) = typed {
            return Self::holding(target, Some(typed));
        }
        let token = matches!(target, Target::Rest(r) if r.auth == RestAuth::Bearer);
        let (variable, question) = if token {
            (secret::TOKEN_VAR, "Bearer token: ")
        } else {
            (secret::CLIENT_SECRET_VAR, "Client secret (or password): ")
        };
        Self::find_in(target, Some(variable), prompt.then_some(question))
    }

    /// Finds the secret `target` needs in the environment variable `variable` (if any), else the
    /// keychain, else with `prompt` (the question) a terminal prompt. Rotations use it with each
    /// target's own `secret_env`.
    pub fn find_in(target: &Target, variable: Option<&str>, prompt: Option<&str>) -> Self {
        if !needs_secret(target) {
            return Self::default();
        }
        let found =
            secret::resolve_in(variable, &target.keychain_account(), prompt).map(|(s, _)| s);
        Self::holding(target, found)
    }

    /// `found` filed as what `target` needs: a bearer token or a client secret / password.
    fn holding(target: &Target, found: Option<Secret>) -> Self {
        if !needs_secret(target) {
            return Self::default();
        }
        if matches!(target, Target::Rest(r) if r.auth == RestAuth::Bearer) {
            Self {
                token: found,
                ..Self::default()
            }
        } else {
            Self {
                client_secret: found,
                ..Self::default()
            }
        }
    }

    /// Stores the secret in the OS keychain under `target`'s account, which is returned.
    pub fn remember(&self, target: &Target) -> Result<Option<String>, secret::KeychainError> {
        let Some(value) = self.token.as_ref().or(self.client_secret.as_ref()) else {
            return Ok(None);
        };
        let account = target.keychain_account();
        secret::remember(&account, value)?;
        Ok(Some(account))
    }
}

/// The result of a finished run (also what the audit log records).
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub time: String,
    pub action: &'static str,
    pub target: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub endpoint: String,
    /// The Genesys certificate authority's name (the REST endpoint is in `endpoint`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_authority: Option<String>,
    pub ids: BTreeMap<String, String>,
    /// SHA-256 of each certificate sent.
    pub bundle: Vec<String>,
    /// Each certificate sent, for people: subject and expiry ("CN=Carrier Root CA, until 2036-11-29").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<String>,
    pub requests: Vec<http::Exchange>,
    /// `verified`, `refused`, `failed`, `differs`, `cancelled`.
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub changed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
    pub correlation_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The server's view of what it now holds (Genesys `certificateDetails`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ServerView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback_of: Option<String>,
    /// A rehearsal against the local sandbox: nothing was sent to a real trunk API.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rehearsal: bool,
    /// The error codes uploaded past (a forced upload).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forced: Vec<String>,
}

/// An authenticated Genesys Cloud session (for listing trunks outside an upload).
pub fn connect_genesys(
    target: &GenesysTarget,
    secret: &Secret,
    trust: &crate::tls::Trust,
    policy: RetryPolicy,
    cancel: Arc<AtomicBool>,
    proxy: &crate::proxy::ProxyChoice,
) -> Result<Session, UploadError> {
    let conn =
        http::Connection::with_proxy(policy, trust, cancel, crate::proxy::Settings::of(proxy))?;
    let mut session = Session::new(conn, target.api_base.clone());
    session.oauth(
        &format!("{}/oauth/token", target.login_base),
        &target.client_id,
        secret,
    )?;
    Ok(session)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A secret is found only for a target that uses one, and filed as what it uses: never picked up
    /// (from the environment, here `PATH`, always set) for a target that authenticates with none.
    #[test]
    fn a_secret_is_found_only_for_a_target_that_uses_one() {
        let url = "https://sbc.example.com/api";
        let mut rest = RestTarget::new(url);
        let none = Target::Rest(rest.clone());
        rest.auth = RestAuth::Bearer;
        let bearer = Target::Rest(rest.clone());
        rest.auth = RestAuth::Basic {
            username: "admin".into(),
        };
        let basic = Target::Rest(rest);
        assert!(!needs_secret(&none) && needs_secret(&bearer) && needs_secret(&basic));
        let found = Secrets::find_in(&none, Some("PATH"), None);
        assert!(found.client_secret.is_none() && found.token.is_none());
        let found = Secrets::find_in(&bearer, Some("PATH"), None);
        assert!(found.token.is_some() && found.client_secret.is_none());
        let found = Secrets::find_in(&basic, Some("PATH"), None);
        assert!(found.client_secret.is_some() && found.token.is_none());
        let typed = Secrets::find(&none, Some(Secret::new("typed")), false);
        assert!(typed.client_secret.is_none() && typed.token.is_none());
    }
}
