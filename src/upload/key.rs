//! The leaf's private key, for the targets that need it (an SBC's TLS context, a SIP server's key
//! file): read from the file the plan or form names, checked against the certificate it goes with
//! before anything is sent, and held so that it cannot be printed. It goes only into the body of the
//! one request (or the one file) its target writes; never into a log, an audit entry, a report, a
//! run file, a backup or a dry run.

use std::path::{Path, PathBuf};

use super::UploadError;
use super::secret::Secret;
use crate::engine::key::{KeyForm, KeyUnread};
use crate::engine::{self, Certificate};

/// A private key read from a file. `Debug` shows where it came from, never the key.
#[derive(Clone)]
pub struct PrivateKey {
    /// The PEM text of the key block alone (other blocks in the file are not kept).
    pem: Secret,
    /// Its public half (the subjectPublicKey bits, as [`Certificate::public_key`]).
    public: Vec<u8>,
    /// The file it was read from.
    pub path: PathBuf,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("path", &self.path)
            .field("pem", &"<redacted>")
            .finish()
    }
}

impl PartialEq for PrivateKey {
    fn eq(&self, other: &Self) -> bool {
        self.public == other.public && self.path == other.path
    }
}

impl Eq for PrivateKey {}

impl PrivateKey {
    /// Reads the first private key of `path` (PEM: PKCS#8, PKCS#1 or SEC1). An encrypted key is
    /// refused: Chainsmith could not check that it belongs to the certificate, and a device given a
    /// key that does not is left without a working certificate.
    pub fn read(path: &Path) -> Result<Self, UploadError> {
        let shown = || engine::text::path(path);
        let bytes = crate::files::read_small(path)
            .map_err(|e| UploadError::Usage(format!("private key {e}")))?;
        Self::from_pem(&bytes, path)
            .map_err(|why| UploadError::Usage(format!("private key {}: {why}", shown())))
    }

    /// The first private key block of `bytes` (read from `path`).
    pub fn from_pem(bytes: &[u8], path: &Path) -> Result<Self, String> {
        let blocks = pem::parse_many(bytes).map_err(|_| {
            "not a PEM file (a key file starts with -----BEGIN PRIVATE KEY-----)".to_string()
        })?;
        let block = blocks
            .iter()
            .find(|b| b.tag().ends_with("PRIVATE KEY"))
            .ok_or_else(|| "no private key in it".to_string())?;
        let encrypted = block
            .headers()
            .get("Proc-Type")
            .is_some_and(|v| v.contains("ENCRYPTED"));
        let form = KeyForm::from_label(block.tag(), encrypted);
        let public = engine::key::public_half(form, block.contents()).map_err(|e| match e {
            KeyUnread::Encrypted => "it is encrypted; give the key without a passphrase (openssl pkey -in KEY -out KEY.plain), kept where only you can read it".to_string(),
            KeyUnread::Unsupported => "its key type or format is not one Chainsmith reads (RSA of 2048 bits or more, ECDSA P-256/P-384, Ed25519)".to_string(),
        })?;
        Ok(Self {
            // LF line ends, as the key files of the servers it goes to are written.
            pem: Secret::new(pem::encode_config(
                block,
                pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
            )),
            public,
            path: path.to_path_buf(),
        })
    }

    /// Whether this is the private key of `cert`.
    pub fn belongs_to(&self, cert: &Certificate) -> bool {
        self.public == cert.public_key
    }

    /// Whether this is the private key of the first certificate of `pem` (a leaf-first bundle).
    pub fn belongs_to_leaf_of(&self, pem: &str) -> bool {
        engine::load("certificate", pem.as_bytes())
            .certificates
            .first()
            .is_some_and(|c| self.belongs_to(c))
    }

    /// The key's PEM text, for the one request or file that carries it.
    pub fn expose(&self) -> &str {
        self.pem.expose()
    }

    /// The file, for messages.
    pub fn shown(&self) -> String {
        engine::text::path(&self.path)
    }
}

/// The refusal when `key` is not the private key of `leaf`: nothing is sent.
pub fn mismatch(key: &PrivateKey, leaf: &Certificate) -> UploadError {
    UploadError::Refused(format!(
        "the private key {} is not the key of the leaf {} (its public key differs); a device given both would have no working certificate. Name the key made with this certificate's request",
        key.shown(),
        leaf.display_name()
    ))
}
