//! HTTP(S) GET of what a certificate points to (AIA caIssuers for `--fetch-missing`, CRL distribution
//! points for `--fetch-crl`): http and https URLs only, a timeout, a size cap, at most three redirects,
//! answers cached by URL in a folder. What the answer is worth is the caller's to decide: nothing
//! fetched is trusted before its signature verifies.

use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

use crate::engine::cert::Fingerprint;

/// GETs `url` (http or https), through the cache (read only if `read_cache`; always written). Returns
/// the bytes and whether they came from the cache.
pub fn get(
    url: &str,
    timeout: Duration,
    cache_dir: Option<&Path>,
    max_bytes: u64,
    read_cache: bool,
) -> Result<(Vec<u8>, bool), String> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!("{url}: only http and https URLs are fetched"));
    }
    let cache_file = cache_dir.map(|d| d.join(Fingerprint::of(url.as_bytes()).hex()));
    if read_cache
        && let Some(file) = &cache_file
        && let Ok(bytes) = std::fs::read(file)
    {
        return Ok((bytes, true));
    }
    let (tls, refused) =
        crate::tls::client_config(&crate::tls::Trust::default()).map_err(|e| e.to_string())?;
    // Loopback never through a proxy (see `upload::http::is_loopback`).
    let direct = reqwest::Url::parse(url).is_ok_and(|u| crate::upload::http::is_loopback(&u));
    let mut builder = reqwest::blocking::Client::builder();
    if direct {
        builder = builder.no_proxy();
    }
    let client = builder
        .tls_backend_preconfigured(tls)
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!("chainsmith/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("{url}: {e}"))?;
    let response = client.get(url).send().map_err(|e| {
        match refused.lock().ok().and_then(|mut slot| slot.take()) {
            // Only the reason: `check` has no --ca-file for AIA servers; give the issuer as a file.
            Some(refusal) => format!(
                "{url}: the server's certificate for {} was refused: {}; give the issuer's certificate as a file instead",
                refusal.host,
                refusal.reason_text()
            ),
            None => describe(url, &e),
        }
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{url}: the server answered {status}"));
    }
    if response.content_length().is_some_and(|n| n > max_bytes) {
        return Err(format!(
            "{url}: the answer is larger than {} KiB; not read",
            max_bytes / 1024
        ));
    }
    let mut bytes = Vec::new();
    response
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{url}: {e}"))?;
    if bytes.len() as u64 > max_bytes {
        return Err(format!(
            "{url}: the answer is larger than {} KiB; not read",
            max_bytes / 1024
        ));
    }
    if let Some(file) = &cache_file
        && let Some(dir) = file.parent()
        && std::fs::create_dir_all(dir).is_ok()
    {
        let _ = crate::files::write_atomically(file, &bytes, None);
    }
    Ok((bytes, false))
}

fn describe(url: &str, e: &reqwest::Error) -> String {
    if let Some(why) = crate::tls::handshake_failure(e) {
        format!("{url}: the TLS handshake failed: {why}")
    } else if e.is_timeout() {
        format!("{url}: no answer in time")
    } else if e.is_connect() {
        format!("{url}: cannot connect")
    } else {
        format!("{url}: {e}")
    }
}
