//! Writing the bundle: PEM, leaf first, each issuer after the certificate it signed.
//!
//! A bundle is made only from a [`Report`]'s ordered chain, so an unordered pile can never be
//! written, and a private key (never loaded into a `Certificate`) can never be in it.

use super::pem;
use super::report::{Report, Role};

/// What goes into the bundle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BundleOptions {
    /// Append the root (when the chain ends at a root certificate).
    pub include_root: bool,
    /// Intermediates and root only (for certificate-authority uploads).
    pub ca_only: bool,
}

/// Why no bundle could be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("there is no certificate to write")]
    Empty,
    #[error("--ca-only: the chain has no CA certificate to write")]
    NoCaCertificates,
}

/// Whether a bundle written with `options` holds a certificate of this role.
pub fn takes(role: Role, options: BundleOptions) -> bool {
    match role {
        Role::Leaf => !options.ca_only,
        Role::Intermediate => true,
        Role::Root => options.include_root || options.ca_only,
    }
}

/// The bundle as PEM text.
pub fn to_pem(report: &Report, options: BundleOptions) -> Result<String, BundleError> {
    if report.chain.is_empty() {
        return Err(BundleError::Empty);
    }
    let mut out = String::new();
    let mut written = 0;
    for entry in &report.chain {
        if takes(entry.role, options) {
            out.push_str(&pem::encode("CERTIFICATE", &entry.cert.der));
            written += 1;
        }
    }
    if written == 0 {
        return Err(if options.ca_only {
            BundleError::NoCaCertificates
        } else {
            BundleError::Empty
        });
    }
    Ok(out)
}
