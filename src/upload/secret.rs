//! Secrets (client secrets, tokens): held in [`Secret`], whose `Debug` and `Display` never show the value,
//! read from an environment variable, the OS keychain or a prompt, and stored in the keychain only when
//! the admin asks. They are never written to preferences, backups, the audit log or any report.

use std::sync::Once;

/// The environment variable for an OAuth client secret or a basic-auth password.
pub const CLIENT_SECRET_VAR: &str = "CHAINSMITH_CLIENT_SECRET";
/// The environment variable for a bearer token.
pub const TOKEN_VAR: &str = "CHAINSMITH_TOKEN";
/// The keychain service name the secrets are filed under.
const KEYCHAIN_SERVICE: &str = "chainsmith";

/// A secret value. Printing it (`{:?}`, `{}`) shows `<redacted>`; only [`Secret::expose`] reads it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that sends it (an HTTP header or form).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Why the keychain could not be used. The text never contains the secret.
#[derive(Debug, thiserror::Error)]
#[error("the OS keychain is not available: {0}")]
pub struct KeychainError(String);

static PLATFORM_STORE: Once = Once::new();

/// Makes the platform keychain the default store, unless one is already set (tests set keyring-core's
/// in-memory store first).
fn ensure_store() {
    PLATFORM_STORE.call_once(|| {
        if keyring_core::get_default_store().is_some() {
            return;
        }
        #[cfg(target_os = "linux")]
        if let Ok(store) = zbus_secret_service_keyring_store::Store::new() {
            let store: std::sync::Arc<keyring_core::CredentialStore> = store;
            keyring_core::set_default_store(store);
        }
        // The Windows Credential Manager (generic credentials, "chainsmith" as the service).
        #[cfg(windows)]
        if let Ok(store) = windows_native_keyring_store::Store::new() {
            let store: std::sync::Arc<keyring_core::CredentialStore> = store;
            keyring_core::set_default_store(store);
        }
    });
}

fn entry(account: &str) -> Result<keyring_core::Entry, KeychainError> {
    ensure_store();
    keyring_core::Entry::new(KEYCHAIN_SERVICE, account).map_err(|e| KeychainError(e.to_string()))
}

/// The secret remembered for `account` (e.g. `genesys:euw2.pure.cloud:CLIENT_ID`), if any.
pub fn from_keychain(account: &str) -> Result<Option<Secret>, KeychainError> {
    match entry(account)?.get_password() {
        Ok(value) => Ok(Some(Secret(value))),
        Err(keyring_core::Error::NoEntry) => Ok(None),
        Err(e) => Err(KeychainError(e.to_string())),
    }
}

/// Remembers `secret` for `account` in the OS keychain.
pub fn remember(account: &str, secret: &Secret) -> Result<(), KeychainError> {
    entry(account)?
        .set_password(secret.expose())
        .map_err(|e| KeychainError(e.to_string()))
}

/// Forgets what the keychain holds for `account` (nothing there is not an error).
pub fn forget(account: &str) -> Result<(), KeychainError> {
    match entry(account)?.delete_credential() {
        Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
        Err(e) => Err(KeychainError(e.to_string())),
    }
}

/// Where a secret came from (shown to the admin; never the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSource {
    Environment,
    Keychain,
    Prompt,
    Given,
}

/// Finds the secret: the environment variable, then the keychain entry, then (in a terminal) a prompt
/// that does not echo. `None`: none of them had one.
pub fn resolve(
    variable: &str,
    account: &str,
    prompt: Option<&str>,
) -> Option<(Secret, SecretSource)> {
    resolve_in(Some(variable), account, prompt)
}

/// [`resolve`], where there may be no environment variable to look at (a rotation target without
/// `secret_env`).
pub fn resolve_in(
    variable: Option<&str>,
    account: &str,
    prompt: Option<&str>,
) -> Option<(Secret, SecretSource)> {
    if let Some(value) = variable.and_then(|v| std::env::var(v).ok())
        && !value.is_empty()
    {
        return Some((Secret(value), SecretSource::Environment));
    }
    if let Ok(Some(secret)) = from_keychain(account) {
        return Some((secret, SecretSource::Keychain));
    }
    let prompt = prompt?;
    use std::io::IsTerminal as _;
    if !std::io::stdin().is_terminal() {
        return None;
    }
    let value = rpassword::prompt_password(prompt).ok()?;
    (!value.is_empty()).then_some((Secret(value), SecretSource::Prompt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert_eq!(secret.expose(), "hunter2-very-secret");
    }

    #[test]
    fn keychain_round_trip_through_keyring_core() {
        // keyring-core's in-memory store stands in for the desktop's Secret Service, which a CI
        // machine does not run; the calls are the same.
        keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
        let account = "genesys:euw2.pure.cloud:client-for-test";
        assert!(from_keychain(account).unwrap().is_none());
        remember(account, &Secret::new("s3cret")).unwrap();
        assert_eq!(from_keychain(account).unwrap(), Some(Secret::new("s3cret")));
        let (found, source) = resolve("CHAINSMITH_TEST_UNSET_VARIABLE", account, None).unwrap();
        assert_eq!((found.expose(), source), ("s3cret", SecretSource::Keychain));
        forget(account).unwrap();
        assert!(from_keychain(account).unwrap().is_none());
        forget(account).unwrap();
    }
}
