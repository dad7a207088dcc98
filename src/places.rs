//! Where Chainsmith keeps its files, by each platform's convention.
//!
//! | What | Linux | Windows |
//! |---|---|---|
//! | data (backups, audit log) | `~/.local/share/chainsmith` | `%LOCALAPPDATA%\Chainsmith` |
//! | AIA cache | `~/.cache/chainsmith/aia` | `%LOCALAPPDATA%\Chainsmith\aia-cache` |
//! | window preferences | `~/.local/share/chainsmith/app.ron` (eframe's default) | `%APPDATA%\Chainsmith\preferences.ron` |
//!
//! `$CHAINSMITH_DATA_DIR` moves the data directory (tests, portable use). The folders come from the
//! `dirs` crate (the XDG variables on Linux, the Known Folder API on Windows).

use std::path::PathBuf;

/// The environment variable that moves the data directory (tests, portable installs).
pub const DATA_DIR_VAR: &str = "CHAINSMITH_DATA_DIR";

/// The data directory: `$CHAINSMITH_DATA_DIR`, else the platform's (see the module's table).
pub fn data_dir() -> PathBuf {
    match std::env::var_os(DATA_DIR_VAR) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => platform_data_dir().unwrap_or_else(|| std::env::temp_dir().join("chainsmith")),
    }
}

#[cfg(not(windows))]
fn platform_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("chainsmith"))
}

/// Local, not roaming: backups and the audit log belong to this machine.
#[cfg(windows)]
fn platform_data_dir() -> Option<PathBuf> {
    dirs::data_local_dir().map(|d| d.join("Chainsmith"))
}

/// Where fetched issuer certificates (AIA) are cached.
#[cfg(not(windows))]
pub fn aia_cache_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("chainsmith").join("aia"))
}

/// In the local data folder (Windows has no separate cache convention).
#[cfg(windows)]
pub fn aia_cache_dir() -> Option<PathBuf> {
    dirs::data_local_dir().map(|d| d.join("Chainsmith").join("aia-cache"))
}

/// Where fetched CRLs (`--fetch-crl`) are cached.
#[cfg(not(windows))]
pub fn crl_cache_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("chainsmith").join("crl"))
}

/// In the local data folder, beside the AIA cache.
#[cfg(windows)]
pub fn crl_cache_dir() -> Option<PathBuf> {
    dirs::data_local_dir().map(|d| d.join("Chainsmith").join("crl-cache"))
}

/// Where the window keeps its preferences, as a path to show (eframe's default on Linux:
/// `$XDG_DATA_HOME/chainsmith/app.ron`).
pub fn preferences_shown() -> Option<PathBuf> {
    preferences_file().or_else(|| {
        std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::home_dir().map(|h| h.join(".local").join("share")))
            .map(|d| d.join("chainsmith").join("app.ron"))
    })
}

/// Every place, named, for `chainsmith paths`.
pub fn all() -> Vec<(&'static str, Option<PathBuf>)> {
    let data = data_dir();
    vec![
        ("data folder", Some(data.clone())),
        ("audit log", Some(data.join("audit.jsonl"))),
        ("backups", Some(data.join("backups"))),
        ("rotation runs", Some(data.join("rotations"))),
        ("AIA cache", aia_cache_dir()),
        ("CRL cache", crl_cache_dir()),
        ("window preferences", preferences_shown()),
    ]
}

/// The window's preferences file, where it is not eframe's default (`None`: the default, which on
/// Linux is `$XDG_DATA_HOME/chainsmith/app.ron`).
#[cfg(not(windows))]
pub fn preferences_file() -> Option<PathBuf> {
    None
}

/// Roaming: preferences follow the admin from desktop to desktop.
#[cfg(windows)]
pub fn preferences_file() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("Chainsmith").join("preferences.ron"))
}
