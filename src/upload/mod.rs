//! Upload: send a checked bundle to a trunk API — Genesys Cloud certificate authorities or any REST
//! endpoint — with a backup of what it replaces, a read-back that proves the change landed, and an
//! append-only audit log. The CLI and the window both call [`run`]; the window on a worker thread.
//!
//! The steps are always: authenticate → (pre-flight) → read current → back up → upload → verify.
//! Nothing is changed before the backup file exists.

pub mod audiocodes;
pub mod files;
pub mod genesys;
pub mod host;
pub mod http;
pub mod key;
pub mod readback;
pub mod records;
pub mod rest;
pub mod secret;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::bundle::{self, BundleOptions};
use crate::engine::{self, Report, Severity};
pub use audiocodes::AudioCodesTarget;
pub use files::FilesTarget;
pub use http::{Credentials, HttpError, Request, Response, RetryPolicy};
pub use key::PrivateKey;
pub use rest::{RestAuth, RestTarget};
pub use secret::Secret;

/// Where the bundle goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Target {
    Genesys(GenesysTarget),
    Rest(RestTarget),
    #[serde(rename = "audiocodes")]
    AudioCodes(AudioCodesTarget),
    Files(FilesTarget),
}

impl Target {
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Genesys(_) => "genesys",
            Target::Rest(_) => "rest",
            Target::AudioCodes(_) => "audiocodes",
            Target::Files(_) => "files",
        }
    }

    /// Whether the run changes only trusted CA certificates (an SBC's trusted roots, a CA list).
    pub fn trust_only(&self) -> bool {
        match self {
            Target::AudioCodes(a) => a.job == audiocodes::Job::TrustStore,
            Target::Files(f) => f.job == audiocodes::Job::TrustStore,
            _ => false,
        }
    }

    /// Whether it takes the leaf's private key (a device that serves the certificate itself).
    pub fn takes_key(&self) -> bool {
        matches!(self, Target::AudioCodes(_) | Target::Files(_)) && !self.trust_only()
    }

    /// What the target is, for locks, secret bindings and "the same target" between runs: kind and
    /// place (a Genesys organisation's API and OAuth client and the certificate authority's name; a
    /// REST target's upload URL). Holds no secret.
    pub fn identity(&self) -> String {
        match self {
            Target::Genesys(g) => format!(
                "genesys {} {} {} {}",
                g.api_base, g.login_base, g.client_id, g.ca_name
            ),
            Target::Rest(r) => format!(
                "rest {} {}",
                r.method.to_ascii_uppercase(),
                r.upload_url().unwrap_or_else(|_| r.url.clone())
            ),
            Target::AudioCodes(a) => format!(
                "audiocodes {} context {} {}",
                a.origin(),
                a.context,
                match a.job {
                    audiocodes::Job::Certificate => "certificate",
                    audiocodes::Job::TrustStore => "trust-store",
                }
            ),
            Target::Files(f) => f.identity(),
        }
    }

    /// Where its secret goes, for the window's typed secret (a secret typed for one never goes to
    /// another): a Genesys organisation's login and OAuth client; a REST target's token URL (OAuth) or
    /// its API's origin, with the user or client. Holds no secret.
    pub fn secret_identity(&self) -> String {
        match self {
            Target::Genesys(g) => format!("genesys {} {}", g.login_base, g.client_id),
            Target::Rest(r) => {
                let origin = |url: &str| {
                    reqwest::Url::parse(url)
                        .map(|u| u.origin().ascii_serialization())
                        .unwrap_or_else(|_| url.to_string())
                };
                match &r.auth {
                    RestAuth::None => format!("rest {} none", origin(&r.url)),
                    RestAuth::Bearer => format!("rest {} bearer", origin(&r.url)),
                    RestAuth::Basic { username } => {
                        format!("rest {} basic {username}", origin(&r.url))
                    }
                    RestAuth::Oauth {
                        token_url,
                        client_id,
                    } => format!("rest {token_url} oauth {client_id}"),
                }
            }
            Target::AudioCodes(a) => format!("audiocodes {} basic {}", a.origin(), a.user),
            Target::Files(f) => f.identity(),
        }
    }

    /// The keychain account its secret is filed under (no secret in it).
    pub fn keychain_account(&self) -> String {
        match self {
            Target::Genesys(g) => format!("genesys:{}:{}", g.login_base, g.client_id),
            Target::Rest(r) => r.keychain_account(),
            Target::AudioCodes(a) => format!("audiocodes:{}:{}", a.origin(), a.user),
            Target::Files(f) => f.identity(),
        }
    }
}

/// A Genesys Cloud organisation and the certificate authority to create or update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenesysTarget {
    /// The region's domain (`euw2.pure.cloud`), if the bases come from a region.
    pub region: Option<String>,
    /// `https://api.{domain}` (or the sandbox, a proxy).
    pub api_base: String,
    /// `https://login.{domain}`.
    pub login_base: String,
    pub client_id: String,
    /// The certificate authority's name: updated if it exists, else created.
    pub ca_name: String,
    #[serde(default)]
    pub description: String,
    /// The trunk this is for: checked before (status, BYOC Cloud or Premises).
    #[serde(default)]
    pub trunk: Option<String>,
    /// More trunks checked the same way (`--trunk` repeated, a plan's `trunks = [..]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_trunks: Vec<String>,
}

impl GenesysTarget {
    /// Every trunk to check before the upload.
    pub fn trunks(&self) -> impl Iterator<Item = &String> {
        self.trunk.iter().chain(self.other_trunks.iter())
    }

    /// Sets the trunks to check (the first is `trunk`).
    pub fn set_trunks(&mut self, trunks: &[String]) {
        self.trunk = trunks.first().cloned();
        self.other_trunks = trunks.iter().skip(1).cloned().collect();
    }

    /// A target whose bases come from `region` (domain or AWS name), unless given.
    pub fn new(
        region: Option<&str>,
        api_base: Option<&str>,
        login_base: Option<&str>,
        client_id: &str,
        ca_name: &str,
    ) -> Result<Self, UploadError> {
        let region = match region {
            Some(r) => Some(genesys::region(r).ok_or_else(|| {
                UploadError::Usage(format!(
                    "--region {r}: not a Genesys Cloud region; use one of: {}",
                    genesys::REGIONS
                        .iter()
                        .map(|r| r.domain)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?),
            None => None,
        };
        let base = |given: Option<&str>, prefix: &str, flag: &str| match (given, region) {
            (Some(url), _) => {
                secret::refuse_credentials_in_url(flag, url).map_err(UploadError::Usage)?;
                Ok(url.trim_end_matches('/').to_string())
            }
            (None, Some(r)) => Ok(format!("https://{prefix}.{}", r.domain)),
            (None, None) => Err(UploadError::Usage(format!(
                "give --region (e.g. euw2.pure.cloud) or {flag}"
            ))),
        };
        Ok(Self {
            region: region.map(|r| r.domain.to_string()),
            api_base: base(api_base, "api", "--api-base")?,
            login_base: base(login_base, "login", "--login-base")?,
            client_id: client_id.to_string(),
            ca_name: ca_name.to_string(),
            description: "Uploaded by Chainsmith".into(),
            trunk: None,
            other_trunks: Vec::new(),
        })
    }
}

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

/// Why an upload stopped. The text never holds a secret.
#[derive(Debug, Clone, thiserror::Error)]
pub enum UploadError {
    /// Nothing was sent: the bundle (or the trunk) does not pass.
    #[error("refused, nothing sent: {0}")]
    Refused(String),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Http(#[from] HttpError),
    #[error("{method} {url} answered {status}: {message}{}", correlation.as_ref().map(|c| format!(" (correlation id {c})")).unwrap_or_default())]
    Status {
        method: String,
        url: String,
        status: u16,
        message: String,
        correlation: Option<String>,
    },
    #[error("{method} {url}: permission denied (403): the OAuth client's role lacks {permission}{}", correlation.as_ref().map(|c| format!(" (correlation id {c})")).unwrap_or_default())]
    Forbidden {
        method: String,
        url: String,
        permission: String,
        correlation: Option<String>,
    },
    /// A 401: the message says which credentials were refused (or that none were configured).
    #[error("{0}")]
    Unauthorized(String),
    /// The token request itself was refused: the client id or secret is wrong (or the client is
    /// disabled); no fresh token can help.
    #[error("the client id or secret was refused: {0}")]
    TokenRefused(String),
    /// Another run holds the lock on this plan or target: nothing was sent.
    #[error("{0}")]
    Busy(String),
    #[error("version conflict (409) {0}")]
    Conflict(String),
    #[error("the server's answer is not understood: {0}")]
    Unexpected(String),
    #[error("cannot write {0}")]
    Write(String),
    /// What the target holds could not be read whole and understood: no backup, so no change.
    #[error("could not read what {what} holds: {why}; nothing was changed")]
    Unreadable { what: String, why: String },
    /// The change was made but what the server now holds is not what was sent.
    #[error("the read-back differs from what was sent: {0}")]
    Differs(String),
    /// The endpoint the target serves does not serve what was sent (or could not be probed).
    #[error("{0}")]
    NotServed(String),
    /// The server's reload command failed (in its words).
    #[error("{0}")]
    ReloadFailed(String),
}

impl UploadError {
    /// This error, met while reading what `what` holds before any change: an answer that did not
    /// come whole or is not understood is said as such ("could not read what … holds: …; nothing
    /// was changed"). Errors that already say what to do (a refused certificate, a 403, a cancel)
    /// stay as they are.
    pub fn reading(self, what: &str) -> Self {
        match self {
            UploadError::Unexpected(_)
            | UploadError::Status { .. }
            | UploadError::Http(
                HttpError::Incomplete { .. }
                | HttpError::Timeout { .. }
                | HttpError::Connect { sent: true, .. },
            ) => UploadError::Unreadable {
                what: what.to_string(),
                why: self.to_string(),
            },
            other => other,
        }
    }

    fn conflict(response: &Response, when: &str) -> Self {
        UploadError::Conflict(format!(
            "{when}: {}{}",
            response.message(),
            response
                .correlation()
                .map(|c| format!(" (correlation id {c})"))
                .unwrap_or_default()
        ))
    }

    /// The exit code: 1 refused (nothing sent), 2 usage, 3 the server refused or failed with nothing
    /// changed, 4 changed but not verified.
    pub fn exit_code(&self, changed: bool) -> u8 {
        match self {
            UploadError::Refused(_) => 1,
            UploadError::Usage(_) => 2,
            UploadError::Differs(_) => 4,
            _ if changed => 4,
            _ => 3,
        }
    }
}

/// The bytes to put on the server. `None` (a rollback to "there was nothing") removes what is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub pem: Option<String>,
    /// SHA-256 of each certificate, in order.
    pub fingerprints: Vec<String>,
    /// The leaf's private key, for a target that takes it ([`Target::takes_key`]); no other target
    /// ever gets it.
    pub key: Option<PrivateKey>,
    /// CA certificates for a device's trusted-root store (the bundle's intermediates and root, or
    /// what a rollback puts back), for a target whose trusted roots change.
    pub trust_pem: Option<String>,
}

impl Payload {
    pub fn from_pem(pem: Option<String>) -> Self {
        let fingerprints = pem.as_deref().map(fingerprints).unwrap_or_default();
        Self {
            pem,
            fingerprints,
            key: None,
            trust_pem: None,
        }
    }

    /// Each certificate by its display name (the Common Name, else the subject), escaped.
    pub fn display_names(&self) -> Vec<String> {
        let Some(pem) = &self.pem else {
            return Vec::new();
        };
        engine::load("payload", pem.as_bytes())
            .certificates
            .iter()
            .map(|c| engine::text::escaped(&c.display_name()))
            .collect()
    }

    /// Each certificate for people: its subject (escaped) and expiry date.
    pub fn names(&self) -> Vec<String> {
        let Some(pem) = &self.pem else {
            return Vec::new();
        };
        engine::load("payload", pem.as_bytes())
            .certificates
            .iter()
            .map(|c| {
                format!(
                    "{}, until {}",
                    engine::text::escaped(&c.subject),
                    engine::checks::date(c.not_after)
                )
            })
            .collect()
    }
}

/// The certificates in a PEM text, as SHA-256 fingerprints in order: what "the same bundle" means.
pub fn fingerprints(pem: &str) -> Vec<String> {
    engine::load("read-back", pem.as_bytes())
        .certificates
        .iter()
        .map(|c| c.sha256.hex())
        .collect()
}

/// What part of the chain each target takes: a Genesys certificate authority takes the CA certificates
/// (intermediates and root); a REST trunk endpoint the bundle (leaf first, root only if asked).
///
/// An AudioCodes certificate job takes the bundle and `key`, which must be the leaf's (else the
/// upload is refused before anything is sent), and, when its trusted roots change, the CA
/// certificates; a trust-store job takes every certificate loaded (the CA certificates to trust).
pub fn payload_for(
    target: &Target,
    report: &Report,
    include_root: bool,
    key: Option<&PrivateKey>,
) -> Result<Payload, UploadError> {
    let refused = |e: bundle::BundleError| UploadError::Refused(e.to_string());
    let cas = || {
        bundle::to_pem(
            report,
            BundleOptions {
                include_root: true,
                ca_only: true,
            },
        )
        .map_err(refused)
    };
    let options = match target {
        Target::Genesys(_) => BundleOptions {
            include_root: true,
            ca_only: true,
        },
        Target::AudioCodes(_) | Target::Files(_) if target.trust_only() => {
            // What goes into a trust store must be a CA certificate, valid now: the chain verdict
            // (a leaf, a host name) is not the question here.
            for c in report.certificates() {
                let name = engine::text::escaped(&c.display_name());
                if !c.is_ca() {
                    return Err(UploadError::Refused(format!(
                        "{name} is not a CA certificate (no basicConstraints CA): it does not belong in a trusted-root store"
                    )));
                }
                if c.not_after < report.at || c.not_before > report.at {
                    return Err(UploadError::Refused(format!(
                        "{name} is not valid now (valid {} to {})",
                        engine::checks::date(c.not_before),
                        engine::checks::date(c.not_after)
                    )));
                }
            }
            let pem: String = report
                .certificates()
                .map(|c| crate::engine::pem::encode("CERTIFICATE", &c.der))
                .collect();
            if pem.is_empty() {
                return Err(UploadError::Refused(
                    "no CA certificate to put in the trusted roots".into(),
                ));
            }
            return Ok(Payload::from_pem(Some(pem)));
        }
        Target::Rest(_) | Target::AudioCodes(_) | Target::Files(_) => BundleOptions {
            include_root,
            ca_only: false,
        },
    };
    let pem = bundle::to_pem(report, options).map_err(refused)?;
    let mut payload = Payload::from_pem(Some(pem));
    if let (true, Some(key)) = (target.takes_key(), key) {
        let leaf = report
            .chain
            .first()
            .map(|entry| &entry.cert)
            .ok_or_else(|| UploadError::Refused("the bundle has no leaf".into()))?;
        if !key.belongs_to(leaf) {
            return Err(key::mismatch(key, leaf));
        }
        payload.key = Some(key.clone());
    }
    let roots_change = match target {
        Target::AudioCodes(a) => a.trusted_roots,
        Target::Files(f) if f.ca_list.is_some() => f.trusted_roots,
        _ => audiocodes::TrustedRoots::Keep,
    };
    if roots_change != audiocodes::TrustedRoots::Keep {
        payload.trust_pem = Some(cas()?);
    }
    Ok(payload)
}

/// The error findings that refuse an upload (empty: it may go).
/// The codes of the error findings an upload past them overrides (for the audit record).
pub fn forced_codes(report: &Report) -> Vec<String> {
    let mut codes: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code.as_str().to_string())
        .collect();
    codes.dedup();
    codes
}

pub fn blocking_findings(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.code.as_str(), f.message))
        .collect()
}

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

/// One certificate as the server describes it after the upload (Genesys `certificateDetails`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerView {
    pub subject: String,
    pub issuer: String,
    pub expires: String,
    /// The server's verdicts; `None` when it did not say.
    pub valid: Option<bool>,
    pub signature_valid: Option<bool>,
    pub expired: Option<bool>,
}

impl ServerView {
    /// Whether the server marks it as not usable.
    pub fn is_bad(&self) -> bool {
        self.valid == Some(false)
            || self.signature_valid == Some(false)
            || self.expired == Some(true)
    }

    /// One line in words: "CN=… (issued by …, expires …): valid, signature valid, not expired".
    pub fn line(&self) -> String {
        let word = |v: Option<bool>, yes: &str, no: &str| match v {
            Some(true) => yes.to_string(),
            Some(false) => no.to_string(),
            None => format!("{yes}: not said"),
        };
        format!(
            "{} (issued by {}, expires {}): {}, {}, {}",
            self.subject,
            self.issuer,
            self.expires,
            word(self.valid, "valid", "NOT valid"),
            word(
                self.signature_valid,
                "signature valid",
                "signature NOT valid"
            ),
            word(self.expired, "EXPIRED", "not expired"),
        )
    }
}

/// An authenticated connection plus what is needed to renew its token once.
pub struct Session {
    pub conn: http::Connection,
    pub api_base: String,
    /// `(token URL, client id, secret)` for OAuth: a 401 fetches a new token once.
    oauth: Option<(String, String, Secret)>,
    refreshed: bool,
}

impl Session {
    pub fn new(conn: http::Connection, api_base: String) -> Self {
        Self {
            conn,
            api_base,
            oauth: None,
            refreshed: false,
        }
    }

    /// Gets a client-credentials token (HTTP Basic client id:secret, form grant) and uses it from now on.
    pub fn oauth(
        &mut self,
        token_url: &str,
        client_id: &str,
        secret: &Secret,
    ) -> Result<(), UploadError> {
        self.oauth = Some((token_url.to_string(), client_id.to_string(), secret.clone()));
        self.fetch_token()
    }

    fn fetch_token(&mut self) -> Result<(), UploadError> {
        let Some((url, client_id, secret)) = self.oauth.clone() else {
            return Ok(());
        };
        self.conn.credentials = Credentials::Basic {
            user: client_id,
            password: secret,
        };
        let request = Request {
            method: reqwest::Method::POST,
            url: url.clone(),
            body: Some((
                "application/x-www-form-urlencoded".into(),
                b"grant_type=client_credentials".to_vec(),
            )),
            authorized: true,
            secret_body: false,
        };
        let answer = self.conn.send(&request);
        self.conn.credentials = Credentials::None;
        let response = answer?;
        if !response.is_success() {
            let why = response.message();
            return Err(match response.status {
                400 | 401 => UploadError::TokenRefused(format!(
                    "the token request to {url} was refused ({}): {why}; check the client id and secret (and that the OAuth client uses the Client Credentials grant)",
                    response.status
                )),
                _ => status_error(&request, &response),
            });
        }
        let token = response
            .json()
            .and_then(|v| v["access_token"].as_str().map(String::from))
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                UploadError::Unexpected(format!("{url}: the answer has no access_token"))
            })?;
        self.conn.credentials = Credentials::Bearer(Secret::new(token));
        Ok(())
    }

    /// Sends `request`; answers 2xx and the `accept`ed statuses are returned. A 401 renews the token once
    /// and sends again; a 403 names the missing permission; a 400 about the version counts as 409.
    pub fn call(&mut self, request: &Request, accept: &[u16]) -> Result<Response, UploadError> {
        let mut response = self.conn.send(request)?;
        if response.status == 401 && self.oauth.is_some() && !self.refreshed {
            self.refreshed = true;
            self.fetch_token()?;
            response = self.conn.send(request)?;
        }
        if response.status == 400 && response.message().to_lowercase().contains("version") {
            response.status = 409;
        }
        if response.is_success() || accept.contains(&response.status) {
            return Ok(response);
        }
        Err(match response.status {
            401 => {
                let detail = format!("{} {}: {}", request.method, request.url, response.message());
                UploadError::Unauthorized(match &self.conn.credentials {
                    _ if self.refreshed => format!(
                        "the server rejected the credentials (401), also after a fresh token: {detail}"
                    ),
                    http::Credentials::None => format!(
                        "the server asks for credentials (401) and none are configured (authentication: none): {detail}; choose the authentication the endpoint expects"
                    ),
                    _ => format!(
                        "the server rejected the credentials (401): {detail}; check the user name and password or the token"
                    ),
                })
            }
            403 => UploadError::Forbidden {
                method: request.method.to_string(),
                url: request.url.clone(),
                permission: missing_permission(&response),
                correlation: response.correlation(),
            },
            409 => UploadError::conflict(&response, "the server refused the change"),
            _ => status_error(request, &response),
        })
    }

    /// [`Session::call`], with the body parsed as JSON.
    pub fn call_json(&mut self, request: &Request, accept: &[u16]) -> Result<Value, UploadError> {
        let response = self.call(request, accept)?;
        response.json().ok_or_else(|| {
            UploadError::Unexpected(format!(
                "{} {}: the answer is not JSON",
                request.method, request.url
            ))
        })
    }
}

fn status_error(request: &Request, response: &Response) -> UploadError {
    UploadError::Status {
        method: request.method.to_string(),
        url: request.url.clone(),
        status: response.status,
        message: response.message(),
        correlation: response.correlation(),
    }
}

/// The permission a 403 names: Genesys writes it in the message (`…permission: telephony:plugin:all`)
/// and sometimes in `details`/`messageParams`. Falls back to what the upload needs.
pub fn missing_permission(response: &Response) -> String {
    let body = response.json().unwrap_or(Value::Null);
    let mut texts = vec![response.message()];
    if let Some(params) = body["messageParams"].as_object() {
        texts.extend(params.values().filter_map(|v| v.as_str().map(String::from)));
    }
    for text in texts {
        if let Some(found) = text
            .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
            .find(|w| {
                w.matches(':').count() >= 2
                    && w.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '*' || c == '_')
            })
        {
            return found.to_string();
        }
    }
    "the needed permission (telephony:plugin:all)".to_string()
}

/// The state of one run, shared by the target steps.
pub struct Run<'a> {
    pub session: Session,
    pub ids: BTreeMap<String, String>,
    pub details: Vec<ServerView>,
    notes: Vec<String>,
    changed: bool,
    /// The target already held exactly the payload: nothing was written.
    unchanged: bool,
    backup: Option<PathBuf>,
    verified: Option<String>,
    plan: &'a Plan,
    events: &'a mut dyn FnMut(Event),
    journal: &'a mut Journal<'a>,
    started_at: i64,
    /// The binding of the secret used, for the backup.
    secret_binding: Option<String>,
}

impl<'a> Run<'a> {
    fn new(
        conn: http::Connection,
        plan: &'a Plan,
        events: &'a mut dyn FnMut(Event),
        journal: &'a mut Journal<'a>,
        started_at: i64,
    ) -> Self {
        Self {
            session: Session::new(conn, String::new()),
            ids: BTreeMap::new(),
            details: Vec::new(),
            notes: Vec::new(),
            changed: false,
            unchanged: false,
            backup: None,
            verified: None,
            plan,
            events,
            journal,
            started_at,
            secret_binding: None,
        }
    }

    pub fn started(&mut self, phase: Phase) {
        (self.events)(Event::Started(phase));
    }

    pub fn done(&mut self, phase: Phase, text: String) {
        (self.events)(Event::Done(phase, text));
    }

    pub fn note(&mut self, text: String) {
        self.notes.push(text.clone());
        (self.events)(Event::Note(text));
    }

    /// Sends a request that changes the server. The run counts as "changed" when it was accepted, or
    /// when it was sent and no answer came (it may have been applied), not when no connection was
    /// made: that decides between exit codes 3 and 4.
    pub fn change(&mut self, request: &Request, accept: &[u16]) -> Result<Response, UploadError> {
        if self.backup.is_none() {
            // The rule of every change: its backup exists first.
            return Err(UploadError::Unexpected(
                "a change was about to be sent with no backup; nothing was sent".into(),
            ));
        }
        (self.journal)(&Step::Sending)?;
        crate::fault::point("after-intent");
        let answer = self.session.call(request, accept);
        crate::fault::point("after-write");
        match &answer {
            Ok(r) if r.is_success() => self.changed = true,
            Err(UploadError::Http(
                HttpError::Timeout { .. }
                | HttpError::Connect { sent: true, .. }
                | HttpError::Incomplete { sent: true, .. },
            )) => {
                self.changed = true;
            }
            _ => {}
        }
        answer
    }

    /// With [`Plan::unchanged_if_held`]: whether the server already holds exactly the payload (same
    /// certificates, same order), in which case the run ends here as `unchanged`.
    pub fn already_held(&mut self, current_pem: Option<&str>) -> bool {
        let wanted = &self.plan.payload.fingerprints;
        let held = current_pem.map(fingerprints).unwrap_or_default();
        if !self.plan.unchanged_if_held || self.plan.rollback_of.is_some() || *wanted != held {
            return false;
        }
        self.unchanged = true;
        self.done(
            Phase::Upload,
            format!(
                "it already holds exactly the {} certificate(s): nothing sent",
                wanted.len()
            ),
        );
        true
    }

    /// Whether the run changes only trusted roots: what the endpoint serves is not its business.
    fn trust_only(&self) -> bool {
        self.plan.target.trust_only()
    }

    /// A change that is not an HTTP request (a file written) is about to be made: its backup must
    /// exist, and the journal records it first.
    pub fn before_change(&mut self) -> Result<(), UploadError> {
        if self.backup.is_none() {
            return Err(UploadError::Unexpected(
                "a change was about to be made with no backup; nothing was changed".into(),
            ));
        }
        (self.journal)(&Step::Sending)?;
        crate::fault::point("after-intent");
        Ok(())
    }

    /// A change other than an HTTP request was made.
    pub fn mark_changed(&mut self) {
        self.changed = true;
        crate::fault::point("after-write");
    }

    /// What was changed was put back, byte for byte, before the run ended: the target is as it was.
    pub fn restored(&mut self) {
        self.changed = false;
    }

    pub fn payload_count(&self) -> usize {
        self.plan.payload.fingerprints.len()
    }

    /// Writes the backup file. Must be called before the first change.
    pub fn back_up(
        &mut self,
        current: Value,
        current_pem: Option<&str>,
    ) -> Result<(), UploadError> {
        self.started(Phase::BackUp);
        crate::fault::point("before-backup");
        let backup = records::Backup {
            chainsmith_backup: 1,
            time: engine::report::rfc3339(self.started_at),
            target: self.plan.target.clone(),
            region: region_of(&self.plan.target),
            ids: self.ids.clone(),
            certificate: current_pem.map(String::from),
            fingerprints: current_pem.map(fingerprints).unwrap_or_default(),
            current,
            secret_binding: self.secret_binding.clone(),
            verify: self.plan.verify.clone(),
        };
        let path = records::write_backup(&self.plan.data_dir, &backup, self.started_at)?;
        (self.journal)(&Step::BackedUp(path.clone()))?;
        crate::fault::point("after-backup");
        self.done(Phase::BackUp, format!("saved {}", path.display()));
        self.backup = Some(path);
        Ok(())
    }

    /// Compares what the server holds with what was sent.
    pub fn compare(&mut self, wanted: Option<&str>, now: Option<&str>) -> Result<(), UploadError> {
        let want = wanted.map(fingerprints).unwrap_or_default();
        let have = now.map(fingerprints).unwrap_or_default();
        if want == have {
            return Ok(());
        }
        let short = |v: &[String]| {
            v.iter()
                .map(|f| f.get(..16).unwrap_or(f).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        Err(UploadError::Differs(format!(
            "sent {} certificate(s) [{}], the server holds {} [{}]",
            want.len(),
            short(&want),
            have.len(),
            short(&have)
        )))
    }

    pub fn verified(&mut self, text: String) {
        self.done(Phase::Verify, text.clone());
        self.verified = Some(text);
    }
}

fn region_of(target: &Target) -> Option<String> {
    match target {
        Target::Genesys(g) => g.region.clone(),
        Target::Rest(_) | Target::AudioCodes(_) | Target::Files(_) => None,
    }
}

/// Where a run went: the Genesys API base, or the REST URL with its `{placeholders}` filled in.
fn endpoint_of(target: &Target) -> String {
    match target {
        Target::Genesys(g) => g.api_base.clone(),
        Target::Rest(r) => r.upload_url().unwrap_or_else(|_| r.url.clone()),
        Target::AudioCodes(a) => a.endpoint(),
        Target::Files(f) => f.endpoint(),
    }
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

/// What `--dry-run` prints: every request the upload would send, credentials redacted.
pub fn dry_run(plan: &Plan) -> Result<Vec<String>, UploadError> {
    let pem = plan.payload.pem.clone().unwrap_or_default();
    let mut out = Vec::new();
    match &plan.target {
        Target::Genesys(g) => {
            out.push(format!(
                "POST {}/oauth/token\n  Authorization: Basic <redacted>\n  Content-Type: application/x-www-form-urlencoded\n  | grant_type=client_credentials\n",
                g.login_base
            ));
            out.extend(
                genesys::planned(g, &pem)
                    .iter()
                    .map(|r| r.describe("Bearer")),
            );
        }
        Target::Rest(r) => {
            if let RestAuth::Oauth { token_url, .. } = &r.auth {
                out.push(format!(
                    "POST {token_url}\n  Authorization: Basic <redacted>\n  | grant_type=client_credentials\n"
                ));
            }
            let scheme = r.auth.scheme();
            for request in r.planned(plan.payload.pem.as_deref())? {
                out.push(request.describe(scheme));
            }
        }
        Target::AudioCodes(a) => {
            a.check()?;
            out.extend(
                audiocodes::planned(
                    a,
                    &pem,
                    plan.payload.trust_pem.as_deref(),
                    plan.payload.key.is_some(),
                )
                .iter()
                .map(|r| r.describe("Basic")),
            );
        }
        Target::Files(f) => {
            f.check()?;
            let host = f.host()?.shown();
            for (what, path) in [
                ("the private key (not shown)", &f.private_key),
                ("the certificate chain", &f.certificate),
                ("the CA list", &f.ca_list),
            ] {
                if let Some(path) = path {
                    out.push(format!(
                        "WRITE {path} on {host}: {what}, atomically, keeping its mode and owner\n"
                    ));
                }
            }
            if let Some(command) = &f.reload {
                out.push(format!("RUN on {host}: {command}\n"));
            }
        }
    }
    Ok(out)
}

/// Runs an upload (or rollback) start to finish and appends it to the audit log.
/// `events` sees each step as it happens; `cancel` stops it between requests.
pub fn run(
    plan: &Plan,
    secrets: &Secrets,
    cancel: Arc<AtomicBool>,
    now: i64,
    events: &mut dyn FnMut(Event),
) -> (Record, Result<(), UploadError>) {
    run_journaled(plan, secrets, cancel, now, events, &mut |_| Ok(()))
}

/// [`run`], with `journal` told of each [`Step`] before the upload goes on (a rotation's run file).
pub fn run_journaled(
    plan: &Plan,
    secrets: &Secrets,
    cancel: Arc<AtomicBool>,
    now: i64,
    events: &mut dyn FnMut(Event),
    journal: &mut Journal<'_>,
) -> (Record, Result<(), UploadError>) {
    let mut record = Record {
        time: engine::report::rfc3339(now),
        action: if plan.rollback_of.is_some() {
            "rollback"
        } else {
            "upload"
        },
        target: plan.target.kind(),
        region: region_of(&plan.target),
        endpoint: endpoint_of(&plan.target),
        certificate_authority: match &plan.target {
            Target::Genesys(g) => Some(g.ca_name.clone()),
            Target::Rest(_) | Target::AudioCodes(_) | Target::Files(_) => None,
        },
        ids: BTreeMap::new(),
        bundle: plan.payload.fingerprints.clone(),
        certificates: plan.payload.names(),
        requests: Vec::new(),
        result: String::new(),
        error: None,
        changed: false,
        backup: None,
        correlation_ids: Vec::new(),
        notes: Vec::new(),
        details: Vec::new(),
        rollback_of: plan.rollback_of.as_ref().map(|p| p.display().to_string()),
        rehearsal: plan.rehearsal,
        forced: plan.forced.clone(),
    };
    // The key file, read here (the window's worker), and checked against the leaf before any request.
    let keyed;
    let plan = match (&plan.key_file, &plan.payload.key) {
        (Some(path), None) if plan.target.takes_key() => {
            let mut with_key = plan.clone();
            match with_key_from(&mut with_key, path) {
                Ok(()) => {
                    keyed = with_key;
                    &keyed
                }
                Err(e) => {
                    record.result = "refused".into();
                    record.error = Some(e.to_string());
                    let result = match records::append_audit(&plan.data_dir, &record) {
                        Ok(()) => Err(e),
                        Err(write) => Err::<(), _>(e).and(Err(write)),
                    };
                    return (record, result);
                }
            }
        }
        _ => plan,
    };
    let connection = plan.trust().and_then(|trust| {
        http::Connection::with_proxy(
            plan.policy,
            &trust,
            cancel.clone(),
            crate::proxy::Settings::of(&plan.proxy),
        )
        .map_err(Into::into)
    });
    let mut unchanged = false;
    let result = match connection {
        Err(e) => Err(e),
        Ok(conn) => {
            let mut run = Run::new(conn, plan, events, journal, now);
            let result = steps(&mut run, plan, secrets);
            unchanged = run.unchanged;
            record.ids = run.ids;
            record.changed = run.changed;
            record.backup = run.backup.map(|p| p.display().to_string());
            record.notes = run.notes;
            record.details = run.details;
            record.requests = run.session.conn.exchanges.clone();
            if let Some(v) = run.verified {
                record.notes.push(v);
            }
            result
        }
    };
    record.correlation_ids = record
        .requests
        .iter()
        .filter_map(|e| e.correlation_id.clone())
        .collect();
    record.result = match &result {
        Ok(()) if unchanged => "unchanged",
        Ok(()) => "verified",
        Err(UploadError::Refused(_)) => "refused",
        Err(UploadError::Http(HttpError::Cancelled)) => "cancelled",
        Err(UploadError::Differs(_)) => "differs",
        Err(_) if record.changed => "changed-unverified",
        Err(_) => "failed",
    }
    .to_string();
    record.error = result.as_ref().err().map(|e| e.to_string());
    let result = match records::append_audit(&plan.data_dir, &record) {
        Ok(()) => result,
        Err(e) => result.and(Err(e)),
    };
    (record, result)
}

/// Reads `path` into `plan`'s payload: the leaf's key, or a refusal naming the file.
fn with_key_from(plan: &mut Plan, path: &std::path::Path) -> Result<(), UploadError> {
    let key = PrivateKey::read(path)?;
    let pem = plan.payload.pem.as_deref().unwrap_or_default();
    let leaf = engine::load("bundle", pem.as_bytes())
        .certificates
        .first()
        .cloned()
        .ok_or_else(|| UploadError::Refused("the bundle has no leaf".into()))?;
    if !key.belongs_to(&leaf) {
        return Err(key::mismatch(&key, &leaf));
    }
    plan.payload.key = Some(key);
    Ok(())
}

/// The first URL a run of `target` reaches (its token endpoint or API), for naming the proxy.
fn first_url(target: &Target) -> Option<String> {
    match target {
        Target::Genesys(g) => Some(g.login_base.clone()),
        Target::Rest(r) => Some(match &r.auth {
            RestAuth::Oauth { token_url, .. } => token_url.clone(),
            _ => r.upload_url().unwrap_or_else(|_| r.url.clone()),
        }),
        Target::AudioCodes(a) => Some(a.url.clone()),
        Target::Files(_) => None,
    }
}

fn steps(run: &mut Run, plan: &Plan, secrets: &Secrets) -> Result<(), UploadError> {
    if let Some(url) = first_url(&plan.target)
        && let Some(proxy) = run.session.conn.via(&url)
    {
        run.note(format!("via proxy {proxy}"));
    }
    authenticate(run, plan, secrets)?;
    match &plan.target {
        Target::Genesys(g) => genesys::apply(run, g, plan.payload.pem.as_deref()),
        Target::Rest(r) => rest::apply(run, r, plan.payload.pem.as_deref()),
        Target::AudioCodes(a) => audiocodes::apply(run, a),
        Target::Files(f) => files::apply(run, f),
    }?;
    if let Some(endpoint) = &plan.verify
        && !run.trust_only()
    {
        readback::verify(run, endpoint)?;
    }
    Ok(())
}

fn authenticate(run: &mut Run, plan: &Plan, secrets: &Secrets) -> Result<(), UploadError> {
    run.started(Phase::Authenticate);
    let secret = secrets.client_secret.as_ref().or(secrets.token.as_ref());
    if let (Some(secret), Some(binding)) = (secret, &plan.secret_binding)
        && !secret.matches(&plan.target.identity(), binding)
    {
        return Err(UploadError::Refused(format!(
            "the secret given is not the one used with {} when the backup was made; the backup may have been edited to name another place, or the secret was changed since. Nothing was sent",
            crate::engine::text::escaped(&plan.target.identity())
        )));
    }
    // What the backup records of the secret used here.
    run.secret_binding = secret.map(|s| s.bind(&plan.target.identity()));
    match &plan.target {
        Target::Genesys(g) => {
            let secret = secrets.client_secret.as_ref().ok_or_else(|| {
                UploadError::Usage(format!(
                    "no client secret: set {} or let Chainsmith prompt for it",
                    secret::CLIENT_SECRET_VAR
                ))
            })?;
            run.session.api_base = g.api_base.clone();
            run.session.oauth(
                &format!("{}/oauth/token", g.login_base),
                &g.client_id,
                secret,
            )?;
            run.done(
                Phase::Authenticate,
                format!("token for client {}", g.client_id),
            );
            Ok(())
        }
        Target::Rest(r) => rest::authenticate(run, r, secrets),
        Target::AudioCodes(a) => audiocodes::authenticate(run, a, secrets),
        Target::Files(f) => {
            let host = f.host()?;
            run.done(
                Phase::Authenticate,
                match host {
                    host::Host::Local => "files on this machine: no credentials".into(),
                    host::Host::Ssh(s) => format!("ssh to {} with its key", s.shown()),
                },
            );
            Ok(())
        }
    }
}

/// What a target holds now.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Holdings {
    /// The PEM it holds (`None`: nothing, e.g. no certificate authority of that name yet).
    pub pem: Option<String>,
    /// SHA-256 of each certificate held, in order.
    pub fingerprints: Vec<String>,
    pub ids: BTreeMap<String, String>,
    /// Every request sent (all reads), for a dry run's or status's account.
    pub requests: Vec<http::Exchange>,
}

/// Reads what the target holds, authenticated as an upload would be, and sends no change: no write,
/// no backup, no audit entry (`rotate --status`).
pub fn holdings(
    plan: &Plan,
    secrets: &Secrets,
    cancel: Arc<AtomicBool>,
) -> Result<Holdings, UploadError> {
    let trust = plan.trust()?;
    let conn = http::Connection::with_proxy(
        plan.policy,
        &trust,
        cancel,
        crate::proxy::Settings::of(&plan.proxy),
    )?;
    let mut quiet = |_: Event| {};
    let mut no_journal = |_: &Step| Ok(());
    let mut run = Run::new(conn, plan, &mut quiet, &mut no_journal, 0);
    authenticate(&mut run, plan, secrets)?;
    let pem = match &plan.target {
        Target::Genesys(g) => genesys::current(&mut run, g)?,
        Target::Rest(r) => rest::current(&mut run, r)?,
        Target::AudioCodes(a) => audiocodes::current(&mut run, a)?,
        Target::Files(f) => files::current(&mut run, f)?,
    };
    Ok(Holdings {
        fingerprints: pem.as_deref().map(fingerprints).unwrap_or_default(),
        pem,
        ids: run.ids,
        requests: run.session.conn.exchanges.clone(),
    })
}
