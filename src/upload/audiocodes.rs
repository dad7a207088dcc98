//! AudioCodes Mediant SBCs: one TLS context's device certificate, private key and trusted-root
//! store, over the device's REST API as AudioCodes documents it for 7.2–7.40 (HTTP Basic on every
//! request; `GET/PUT /api/v1/files/tls/{context}/certificate`, `PUT …/privateKey`,
//! `GET/PUT …/trustedRoot`, `PUT …/trustedRoot/incremental`, `POST /api/v1/actions/saveConfiguration`,
//! `GET /api/v1/status`). What the vendor leaves unsaid is settled here on the side that cannot
//! leave the device without a working certificate (see `../shared/sbc/audiocodes-rest.md`, the
//! README's "AudioCodes" section):
//!
//! - The key is write-only (a GET says only its size and whether it is valid): rolling back a
//!   changed key needs the previous key, named by the target (`previous_key`) and checked against
//!   the certificate the device holds before anything is sent; without it the run is refused unless
//!   the target says `key_rollback = "none"`.
//! - The key goes first, then the certificate (as the vendor's own scripts and most clients do).
//!   If the certificate is then refused, the previous key is put back at once, so the device keeps
//!   serving its old certificate.
//! - 409 means the device cannot act now (HA synchronisation): the request is sent again with a
//!   doubling wait, a bounded number of times, then the run stops saying so.
//! - After the change, `saveConfiguration` (else the change is lost at the next restart), and a
//!   read-back of the certificate, the key's status, the trusted roots and `/status`.
//!
//! This file holds the target as a plan or the command line gives it; [`device`] talks to the device,
//! [`change`] makes the change and lists it for a dry run.

mod change;
mod device;

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::http::{Credentials, Request, Response};
use super::key::PrivateKey;
use super::{Phase, Run, Secrets, UploadError, fingerprints, secret};
use crate::engine;
pub(super) use change::apply;
pub use change::planned;
pub(super) use device::{Held, authenticate, current, read};
use device::{call, flag, status};

/// An AudioCodes device and the TLS context to change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioCodesTarget {
    /// The device's REST address (its management interface): `https://sbc1.example.net`.
    pub url: String,
    /// A device user (Local Users table) of level Administrator or above.
    pub user: String,
    /// The TLS context's index (0 is "default").
    pub context: u32,
    /// What the run changes: the context's certificate and key, or only its trusted roots.
    #[serde(default)]
    pub job: Job,
    /// What happens to the context's trusted-root store.
    #[serde(default)]
    pub trusted_roots: TrustedRoots,
    /// The key of the certificate the context holds now: what a rollback puts back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_key: Option<PathBuf>,
    /// `none`: the change may go without the previous key (it then cannot be rolled back).
    #[serde(default, skip_serializing_if = "KeyRollback::is_default")]
    pub key_rollback: KeyRollback,
    /// The device certificate gets the leaf alone (AudioCodes does not say whether a chain sent there
    /// is kept; with `trusted_roots = "add"` the intermediates go to the trusted roots instead).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub leaf_only: bool,
}

/// What an AudioCodes (or file) target's run changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Job {
    /// The certificate chain and its private key.
    #[default]
    Certificate,
    /// Only the CA certificates the device trusts (its peers': Microsoft's, a carrier's).
    TrustStore,
}

/// What a certificate change does to the context's trusted-root store; for a trust-store job, how
/// the CA certificates are put in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustedRoots {
    /// Left as it is.
    #[default]
    Keep,
    /// The CA certificates (the bundle's intermediates and root) added, each one missing.
    Add,
    /// The store made exactly the CA certificates.
    Replace,
}

/// How a changed key is rolled back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyRollback {
    /// With `previous_key`, checked before the change.
    #[default]
    PreviousKey,
    /// Not at all: the admin accepted that this change cannot be undone by Chainsmith.
    None,
}

impl KeyRollback {
    fn is_default(&self) -> bool {
        *self == Self::PreviousKey
    }
}

impl AudioCodesTarget {
    /// `url/api/v1`.
    pub fn api(&self) -> String {
        format!("{}/api/v1", self.url.trim_end_matches('/'))
    }

    fn tls(&self, what: &str) -> String {
        format!("{}/files/tls/{}/{what}", self.api(), self.context)
    }

    /// The device's origin (scheme, host, port), for the secret's binding and keychain account.
    pub fn origin(&self) -> String {
        reqwest::Url::parse(&self.url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| self.url.clone())
    }

    /// The checks a target needs before use: a URL over HTTPS (or loopback), a user, a sane mode.
    pub fn check(&self) -> Result<(), UploadError> {
        secret::refuse_credentials_in_url("url", &self.url).map_err(UploadError::Usage)?;
        super::http::check_url(&self.url).map_err(UploadError::Http)?;
        if self.user.trim().is_empty() {
            return Err(UploadError::Usage(
                "user: the device user (Local Users table, Administrator level) is needed".into(),
            ));
        }
        if self.job == Job::TrustStore && self.trusted_roots == TrustedRoots::Keep {
            return Err(UploadError::Usage(
                "a trust-store job needs trusted_roots = \"add\" or \"replace\"".into(),
            ));
        }
        Ok(())
    }

    /// Where a run of this target is described (audit log, run file).
    pub fn endpoint(&self) -> String {
        format!(
            "{} TLS context {}",
            self.url.trim_end_matches('/'),
            self.context
        )
    }
}
