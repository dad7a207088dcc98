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

    /// Whether this is the secret that made `binding` for the target `identity` (see
    /// [`Secret::bind`]).
    pub fn matches(&self, identity: &str, binding: &str) -> bool {
        let Some((salt, _)) = binding.split_once('$') else {
            return false;
        };
        let Some(salt) = hex_bytes(salt) else {
            return false;
        };
        // Compared in constant time: the binding is public, the secret is not.
        let mine = self.bind_with(identity, &salt);
        aws_lc_rs::constant_time::verify_slices_are_equal(mine.as_bytes(), binding.as_bytes())
            .is_ok()
    }

    /// A record that this secret was used with the target `identity`, kept in a rotation's run file so
    /// that a rollback sends a secret only to the target it was used with: whoever edits the run file
    /// to point elsewhere cannot make a binding that matches without the secret. It is PBKDF2-HMAC-SHA256
    /// (100,000 rounds, a random salt, the identity mixed in), so the file gives no practical way back
    /// to a strong secret; a weak password is as weak here as anywhere.
    pub fn bind(&self, identity: &str) -> String {
        let mut salt = [0u8; 16];
        // The salt only needs to be unique; should the system's generator fail, a time-based one is
        // still unique enough for that.
        if aws_lc_rs::rand::fill(&mut salt).is_err() {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            salt.copy_from_slice(&nanos.to_le_bytes());
        }
        self.bind_with(identity, &salt)
    }

    fn bind_with(&self, identity: &str, salt: &[u8]) -> String {
        let mut salted = salt.to_vec();
        salted.extend_from_slice(b"\0chainsmith secret binding 1\0");
        salted.extend_from_slice(identity.as_bytes());
        let mut out = [0u8; 32];
        aws_lc_rs::pbkdf2::derive(
            aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256,
            std::num::NonZeroU32::new(100_000).unwrap_or(std::num::NonZeroU32::MIN),
            &salted,
            self.0.as_bytes(),
            &mut out,
        );
        format!("{}${}", hex(salt), hex(&out))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A typed or read secret does not outlive its use in memory: it is overwritten when dropped.
impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
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

/// Why the keychain could not be used: what failed, in words. The text never contains the secret.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeychainError(String);

impl KeychainError {
    fn unavailable(e: impl std::fmt::Display) -> Self {
        Self(format!("the OS keychain is not available: {e}"))
    }
    fn not_stored(e: impl std::fmt::Display) -> Self {
        Self(format!("the OS keychain did not store it: {e}"))
    }
    fn unreadable(e: impl std::fmt::Display) -> Self {
        Self(format!("the OS keychain could not be read: {e}"))
    }
}

/// What one keychain entry holds at most, in characters. The Windows Credential Manager keeps 2,560
/// bytes of UTF-16 (1,280 characters) and bearer tokens (JWTs) are often longer: a longer secret is
/// kept whole in parts (`ACCOUNT#part1`, `#part2`, …), the account's own entry saying how many.
const PART_CHARS: usize = 1000;
/// The account's own entry when the secret is kept in parts: this prefix and the number of parts.
const PARTS_MARK: &str = "chainsmith-secret-in-parts:";
/// More parts than this is not a secret Chainsmith wrote.
const MAX_PARTS: usize = 64;

fn part_account(account: &str, n: usize) -> String {
    format!("{account}#part{n}")
}

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
    keyring_core::Entry::new(KEYCHAIN_SERVICE, account).map_err(KeychainError::unavailable)
}

fn read_entry(account: &str) -> Result<Option<String>, KeychainError> {
    match entry(account)?.get_password() {
        Ok(value) => Ok(Some(value)),
        Err(keyring_core::Error::NoEntry) => Ok(None),
        Err(e) => Err(KeychainError::unreadable(e)),
    }
}

/// How many parts the account's entry says its secret is kept in (`None`: kept whole).
fn parts_of(head: &str) -> Option<usize> {
    head.strip_prefix(PARTS_MARK)?
        .parse()
        .ok()
        .filter(|n| (1..=MAX_PARTS).contains(n))
}

/// The secret remembered for `account` (e.g. `genesys:euw2.pure.cloud:CLIENT_ID`), if any: kept
/// whole, or put together from its parts.
pub fn from_keychain(account: &str) -> Result<Option<Secret>, KeychainError> {
    let Some(head) = read_entry(account)? else {
        return Ok(None);
    };
    let Some(count) = parts_of(&head) else {
        return Ok(Some(Secret(head)));
    };
    let mut whole = String::new();
    for n in 1..=count {
        match read_entry(&part_account(account, n))? {
            Some(mut part) => {
                whole.push_str(&part);
                zeroize::Zeroize::zeroize(&mut part);
            }
            None => {
                zeroize::Zeroize::zeroize(&mut whole);
                return Err(KeychainError(format!(
                    "part {n} of {count} of the secret remembered for {account} is missing from the OS keychain: remember it again"
                )));
            }
        }
    }
    Ok(Some(Secret(whole)))
}

/// Remembers `secret` for `account` in the OS keychain, in parts when it is longer than one entry
/// holds on every system.
pub fn remember(account: &str, secret: &Secret) -> Result<(), KeychainError> {
    let chars: Vec<char> = secret.expose().chars().collect();
    let earlier = read_entry(account)
        .ok()
        .flatten()
        .and_then(|h| parts_of(&h));
    if chars.len() <= PART_CHARS {
        entry(account)?
            .set_password(secret.expose())
            .map_err(KeychainError::not_stored)?;
    } else {
        let parts: Vec<String> = chars
            .chunks(PART_CHARS)
            .map(|c| c.iter().collect())
            .collect();
        if parts.len() > MAX_PARTS {
            return Err(KeychainError(format!(
                "the secret is {} characters long; Chainsmith keeps secrets of up to {} characters",
                chars.len(),
                PART_CHARS * MAX_PARTS
            )));
        }
        for (i, part) in parts.iter().enumerate() {
            entry(&part_account(account, i + 1))?
                .set_password(part)
                .map_err(KeychainError::not_stored)?;
        }
        entry(account)?
            .set_password(&format!("{PARTS_MARK}{}", parts.len()))
            .map_err(KeychainError::not_stored)?;
        if let Some(before) = earlier {
            forget_parts(account, parts.len() + 1..=before)?;
        }
        return Ok(());
    }
    if let Some(before) = earlier {
        forget_parts(account, 1..=before)?;
    }
    Ok(())
}

fn forget_parts(
    account: &str,
    range: std::ops::RangeInclusive<usize>,
) -> Result<(), KeychainError> {
    for n in range {
        match entry(&part_account(account, n))?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => {}
            Err(e) => {
                return Err(KeychainError(format!(
                    "the OS keychain did not forget it: {e}"
                )));
            }
        }
    }
    Ok(())
}

/// Forgets what the keychain holds for `account`, its parts included (nothing there is not an error).
pub fn forget(account: &str) -> Result<(), KeychainError> {
    if let Some(count) = read_entry(account)
        .ok()
        .flatten()
        .and_then(|h| parts_of(&h))
    {
        forget_parts(account, 1..=count)?;
    }
    match entry(account)?.delete_credential() {
        Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
        Err(e) => Err(KeychainError(format!(
            "the OS keychain did not forget it: {e}"
        ))),
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

/// A serde error message (JSON or TOML) with every value taken out, names kept: "invalid type:
/// string \"s3cr3t\", expected u64" becomes "invalid type: a string, expected u64". Field and key
/// names stay (they are not values); a value pasted in the wrong place (a secret) is never echoed.
pub fn value_free(message: &str) -> String {
    let message = message.trim();
    // serde_json appends " at line L column C": kept, it is a place, not a value.
    let (message, place) = match message.rfind(" at line ") {
        Some(at) => (&message[..at], &message[at..]),
        None => (message, ""),
    };
    let (head, expected) = match message.split_once(", expected") {
        Some((head, rest)) => (head, format!(", expected{rest}")),
        None => (message, String::new()),
    };
    let head = if let Some(rest) = head
        .strip_prefix("invalid type: ")
        .map(|r| ("invalid type", r))
        .or_else(|| {
            head.strip_prefix("invalid value: ")
                .map(|r| ("invalid value", r))
        }) {
        let (what, value) = rest;
        let kind = value.split([' ', '`', '"']).next().unwrap_or("value");
        format!("{what}: a {kind}")
    } else if head.starts_with("unknown variant") {
        "unknown value".to_string()
    } else if head.starts_with("unknown field")
        || head.starts_with("missing field")
        || head.starts_with("duplicate field")
        || head.starts_with("duplicate key")
    {
        head.to_string()
    } else if head.contains(['"', '`', '\'']) {
        // Anything else that quotes: keep the words before the first quote.
        head.split(['"', '`', '\''])
            .next()
            .unwrap_or_default()
            .trim()
            .to_string()
    } else {
        head.to_string()
    };
    crate::engine::text::escaped(&format!("{head}{expected}{place}"))
}

/// Query parameters that carry a secret: refused in any URL Chainsmith is given.
const SECRET_PARAMETERS: &[&str] = &[
    "access_token",
    "id_token",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "key",
    "password",
    "passwd",
    "pwd",
    "secret",
    "client_secret",
    "sig",
    "signature",
    "auth",
];

/// Refuses a URL that carries a credential (`https://user:PASSWORD@…`, or a secret query parameter
/// such as `?access_token=…`). The message names the parameter, never its value, and says where a
/// secret belongs. `what` names the URL for the admin ("the REST target's URL").
pub fn refuse_credentials_in_url(what: &str, url: &str) -> Result<(), String> {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Ok(()); // not a URL at all: the URL check says so, in its words
    };
    let hint = "a secret belongs in an environment variable (a plan's secret_env, or CHAINSMITH_CLIENT_SECRET / CHAINSMITH_TOKEN), the OS keychain (--remember) or the prompt, never in a URL";
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "{what} carries credentials before its host (user:password@); remove them: {hint}. For HTTP Basic, set auth = {{\"type\": \"basic\", \"username\": …}} in the definition"
        ));
    }
    if let Some((name, _)) = parsed
        .query_pairs()
        .find(|(name, _)| SECRET_PARAMETERS.contains(&name.to_ascii_lowercase().as_str()))
    {
        return Err(format!(
            "{what} carries the query parameter \"{}\", which holds a secret; remove it: {hint}",
            crate::engine::text::escaped(&name)
        ));
    }
    Ok(())
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

        // A 4,000-character bearer token (longer than the Windows Credential Manager's 1,280
        // characters per entry) is kept whole, in parts, and found again whole.
        let token: String = (0..4000)
            .map(|i| {
                char::from(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."[i % 65],
                )
            })
            .collect();
        let account = "rest:https://sbc.example.net:bearer";
        remember(account, &Secret::new(token.clone())).unwrap();
        assert_eq!(
            from_keychain(account).unwrap(),
            Some(Secret::new(token.clone()))
        );
        for n in 1..=4 {
            let part = entry(&part_account(account, n))
                .unwrap()
                .get_password()
                .unwrap();
            assert!(part.chars().count() <= PART_CHARS);
        }
        // A shorter one replaces it and leaves no part behind.
        remember(account, &Secret::new("short")).unwrap();
        assert_eq!(from_keychain(account).unwrap(), Some(Secret::new("short")));
        assert!(matches!(
            entry(&part_account(account, 1)).unwrap().get_password(),
            Err(keyring_core::Error::NoEntry)
        ));
        // A missing part is said as such, not as an unavailable keychain.
        remember(account, &Secret::new(token)).unwrap();
        entry(&part_account(account, 2))
            .unwrap()
            .delete_credential()
            .unwrap();
        let e = from_keychain(account).unwrap_err().to_string();
        assert!(
            e.contains("part 2 of 4") && e.contains("remember it again"),
            "{e}"
        );
        forget(account).unwrap();
        assert!(from_keychain(account).unwrap().is_none());
    }
}
