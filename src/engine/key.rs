//! Private keys found beside the certificates: only their public half is kept, to tell the admin
//! whether the key belongs to the leaf (the first question when a key sits in the folder).
//!
//! The private key is decoded in memory for that alone, by rustls' own key loader (aws-lc-rs), and
//! dropped at once: it is never stored, logged, written, bundled or uploaded. What stays is the
//! public key, which is public.

use rustls::crypto::aws_lc_rs::default_provider;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};
use x509_parser::prelude::FromDer as _;
use x509_parser::x509::SubjectPublicKeyInfo;

/// A private key file (or PEM block) found among the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundKey {
    /// The input it came from (escaped for display).
    pub source: String,
    /// Its public key (the subjectPublicKey BIT STRING contents, as in
    /// [`super::Certificate::public_key`]), or why it could not be worked out.
    pub public: Result<Vec<u8>, KeyUnread>,
}

/// Why a key's public half could not be worked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyUnread {
    /// Protected by a passphrase (PKCS#8 EncryptedPrivateKeyInfo or a `Proc-Type: 4,ENCRYPTED` PEM).
    Encrypted,
    /// A format or algorithm the key loader does not read (e.g. RSA under 2048 bits, DSA).
    Unsupported,
}

impl KeyUnread {
    /// Words for a finding: why the key was not compared with the leaf.
    pub fn words(&self) -> &'static str {
        match self {
            Self::Encrypted => {
                "it is encrypted (protected by a passphrase), so it could not be compared with the leaf"
            }
            Self::Unsupported => {
                "its key type or format could not be read, so it could not be compared with the leaf"
            }
        }
    }
}

/// The form a private key arrived in, from its PEM label or DER structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyForm {
    /// `PRIVATE KEY` (PKCS#8).
    Pkcs8,
    /// `RSA PRIVATE KEY` (PKCS#1).
    Pkcs1,
    /// `EC PRIVATE KEY` (SEC1).
    Sec1,
    /// `ENCRYPTED PRIVATE KEY`, or any key with `Proc-Type: 4,ENCRYPTED`.
    Encrypted,
    /// DER whose form is guessed from its structure.
    Der,
    /// Another label (`DSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`, …).
    Other,
}

impl KeyForm {
    /// The form named by a PEM label ending in `PRIVATE KEY`.
    pub fn from_label(label: &str, encrypted_header: bool) -> Self {
        if encrypted_header {
            return Self::Encrypted;
        }
        match label {
            "PRIVATE KEY" => Self::Pkcs8,
            "RSA PRIVATE KEY" => Self::Pkcs1,
            "EC PRIVATE KEY" => Self::Sec1,
            "ENCRYPTED PRIVATE KEY" => Self::Encrypted,
            _ => Self::Other,
        }
    }
}

/// The public half of a private key, as the subjectPublicKey bits a certificate for it carries.
pub fn public_half(form: KeyForm, der: &[u8]) -> Result<Vec<u8>, KeyUnread> {
    let key = match form {
        KeyForm::Pkcs8 => PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)),
        KeyForm::Pkcs1 => PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der)),
        KeyForm::Sec1 => PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(der)),
        KeyForm::Der => PrivateKeyDer::try_from(der).map_err(|_| KeyUnread::Unsupported)?,
        KeyForm::Encrypted => return Err(KeyUnread::Encrypted),
        KeyForm::Other => return Err(KeyUnread::Unsupported),
    };
    // The signing key is dropped at the end of this function; only the public key leaves it.
    let signing = default_provider()
        .key_provider
        .load_private_key(key.clone_key())
        .map_err(|_| KeyUnread::Unsupported)?;
    let spki = signing.public_key().ok_or(KeyUnread::Unsupported)?;
    let (_, parsed) =
        SubjectPublicKeyInfo::from_der(spki.as_ref()).map_err(|_| KeyUnread::Unsupported)?;
    Ok(parsed.subject_public_key.data.to_vec())
}

/// Whose private key a found key is, by its public half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOwner {
    /// The chosen leaf's.
    Leaf,
    /// Another certificate's among the inputs (a CA's key in an openssl working folder).
    OtherCertificate,
    /// No certificate loaded, the leaf included.
    Nobody,
    /// Its public half could not be worked out (encrypted, or a format not read).
    Unread,
}

/// Whose key `key` is (`leaf`: the chosen leaf, if any): the one rule behind `key.matches-leaf` /
/// `key.does-not-match-leaf` and the window's list of keys.
pub fn owner(
    key: &FoundKey,
    leaf: Option<&super::Certificate>,
    certificates: &[std::sync::Arc<super::Certificate>],
) -> KeyOwner {
    let Ok(public) = &key.public else {
        return KeyOwner::Unread;
    };
    if leaf.is_some_and(|l| l.public_key == *public) {
        KeyOwner::Leaf
    } else if certificates.iter().any(|c| c.public_key == *public) {
        KeyOwner::OtherCertificate
    } else {
        KeyOwner::Nobody
    }
}
