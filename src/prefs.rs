//! What the window remembers between runs (eframe stores it as RON). Never a secret, never certificate
//! content. Kept apart from the window so that it builds, and is fuzzed, without the GUI.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::engine::Profile;
use crate::upload::RestTarget;

/// What is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Trust {
    /// A self-signed root in the input is the anchor.
    #[default]
    BundleRoot,
    /// The Mozilla root set (webpki-roots), plus a root in the input.
    Mozilla,
    /// Exactly the roots in a file.
    RootsFile,
}

/// Light, dark, or as the system says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// What survives a restart. Never a secret, never certificate content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    pub host: String,
    pub profile: String,
    pub trust: Trust,
    pub roots_file: Option<PathBuf>,
    pub last_folder: Option<PathBuf>,
    pub theme: Theme,
    pub include_root: bool,
    pub ca_only: bool,
    pub expiry_warning_days: u32,
    pub strict: bool,
    /// Fetch the CRLs the chain's certificates name and check revocation (off: nothing is asked of
    /// the CAs' servers).
    pub check_revocation: bool,
    /// The upload target (no secret: those go to the keychain, if anywhere).
    pub upload: UploadPrefs,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            host: String::new(),
            profile: Profile::TlsServer.as_str().to_string(),
            trust: Trust::BundleRoot,
            roots_file: None,
            last_folder: None,
            theme: Theme::System,
            include_root: false,
            ca_only: false,
            expiry_warning_days: 30,
            strict: false,
            check_revocation: false,
            upload: UploadPrefs::default(),
        }
    }
}

/// Where the bundle goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum TargetChoice {
    #[default]
    Genesys,
    Rest,
    /// An in-process `chainsmith sandbox`: rehearse without touching a real organisation.
    Sandbox,
    /// An AudioCodes SBC's TLS context.
    AudioCodes,
    /// A SIP server's certificate files (here or over SSH).
    Files,
}

/// The AudioCodes form as the window remembers it (paths and names; never a password or a key).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AudioCodesForm {
    pub url: String,
    pub user: String,
    pub context: String,
    pub previous_key: String,
    /// `key_rollback = "none"`: go without the previous key.
    pub no_key_rollback: bool,
    /// The device certificate gets the leaf alone.
    pub leaf_only: bool,
    pub trusted_roots: crate::upload::audiocodes::TrustedRoots,
}

/// The SIP-server files form as the window remembers it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FilesForm {
    pub certificate: String,
    pub private_key: String,
    pub reload: String,
    pub reload_expect: String,
    pub ssh: String,
    pub known_hosts: String,
    pub identity: String,
}

/// What the window remembers (never a secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadPrefs {
    pub choice: TargetChoice,
    pub region: String,
    pub client_id: String,
    pub ca_name: String,
    pub rest: RestTarget,
    pub ca_file: String,
    pub audiocodes: AudioCodesForm,
    pub files: FilesForm,
    /// The leaf's private key file, for an SBC or a SIP server (a path; the key is read on the
    /// worker when the run starts).
    pub key_file: String,
    /// The endpoint a device target serves, probed after the change (`host:port`).
    pub verify: String,
    /// The proxy: empty (the system's), `none`, or a URL.
    pub proxy: String,
}

impl Default for UploadPrefs {
    fn default() -> Self {
        Self {
            choice: TargetChoice::Genesys,
            region: "euw2.pure.cloud".into(),
            client_id: String::new(),
            ca_name: String::new(),
            rest: RestTarget::new("https://"),
            ca_file: String::new(),
            audiocodes: AudioCodesForm::default(),
            files: FilesForm::default(),
            key_file: String::new(),
            verify: String::new(),
            proxy: String::new(),
        }
    }
}
