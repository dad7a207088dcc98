//! Fetching CRLs from the CRL distribution points of the chain's certificates (`--fetch-crl`, the
//! window's "Check revocation"). Opt-in: it tells the CA's web server which certificates are being
//! looked at. HTTP(S) GETs through [`crate::fetch::get`] (timeout, size cap, cache); a cached CRL is
//! used until its nextUpdate, then fetched again. A fetched CRL is only a candidate: the engine uses it
//! when its issuer's key verifies its signature, as for a CRL given with `--crl`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::engine::revocation::Crl;
use crate::engine::{self, Code, Finding, Report, Role};

/// Largest CRL read. Public CAs' CRLs are kilobytes to a few megabytes; the largest seen are tens.
pub const MAX_CRL_BYTES: u64 = 32 * 1024 * 1024;
/// URLs fetched per analysis (one per certificate of a chain is the usual need).
pub const MAX_FETCHES: usize = 8;

/// How fetching behaves.
#[derive(Debug, Clone)]
pub struct CrlFetchOptions {
    pub timeout: Duration,
    /// Where answers are cached (`None`: no cache).
    pub cache_dir: Option<PathBuf>,
    /// The real current time (Unix seconds), to tell a cached CRL past its nextUpdate.
    pub now: i64,
}

impl CrlFetchOptions {
    /// Ten seconds per fetch, the user's CRL cache.
    pub fn new(now: i64) -> Self {
        Self {
            timeout: Duration::from_secs(10),
            cache_dir: crate::places::crl_cache_dir(),
            now,
        }
    }
}

/// What one fetch did, for the report and the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlNote {
    pub url: String,
    /// The certificate that names the URL.
    pub named_by: String,
    /// The fetched CRL's issuer, when a CRL was read.
    pub issuer: Option<String>,
    pub problem: Option<String>,
    pub from_cache: bool,
}

/// The chain's certificates whose revocation needs a CRL not known yet: not a root, and no CRL of
/// their issuer among `known` (RFC 5280 §6.1.1 (d): trust anchors are not checked).
pub fn needing_crl<'a>(
    report: &'a Report,
    known: &'a [Arc<Crl>],
) -> impl Iterator<Item = &'a engine::Certificate> + 'a {
    report
        .chain
        .iter()
        .filter(|e| e.role != Role::Root)
        .map(|e| e.cert.as_ref())
        .filter(|cert| !known.iter().any(|c| c.issuer_key == cert.issuer_key))
}

/// The distribution points of `cert` this module fetches (http and https).
pub fn fetchable(cert: &engine::Certificate) -> impl Iterator<Item = &String> {
    cert.crl_distribution_points
        .iter()
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
}

/// Fetches the CRLs the certificates of `report`'s chain name, for those whose issuer has no CRL among
/// `known`. Trust anchors are skipped (RFC 5280 §6.1.1 (d)). Returns the CRLs read and a note per URL.
pub fn fetch_for(
    report: &Report,
    known: &[Arc<Crl>],
    fetch: &CrlFetchOptions,
) -> (Vec<Arc<Crl>>, Vec<CrlNote>) {
    let mut crls: Vec<Arc<Crl>> = Vec::new();
    let mut notes = Vec::new();
    let mut tried: Vec<String> = Vec::new();
    for cert in needing_crl(report, known) {
        // A CRL fetched for an earlier certificate may serve this one too (same issuer).
        if crls.iter().any(|c| c.issuer_key == cert.issuer_key) {
            continue;
        }
        for url in fetchable(cert) {
            if tried.contains(url) {
                break; // another certificate's fetch of the same URL said what there is to say
            }
            if tried.len() >= MAX_FETCHES {
                notes.push(CrlNote {
                    url: url.clone(),
                    named_by: cert.display_name(),
                    issuer: None,
                    problem: Some(format!(
                        "not fetched: {MAX_FETCHES} CRLs were fetched for this chain already (the limit)"
                    )),
                    from_cache: false,
                });
                return (crls, notes);
            }
            tried.push(url.clone());
            let note = fetch_one(url, cert.display_name(), fetch, &mut crls);
            let fetched = note.problem.is_none();
            notes.push(note);
            if fetched {
                break; // one CRL per certificate; the next point only if this one failed
            }
        }
    }
    (crls, notes)
}

fn fetch_one(
    url: &str,
    named_by: String,
    fetch: &CrlFetchOptions,
    crls: &mut Vec<Arc<Crl>>,
) -> CrlNote {
    // Raw: the loader escapes the source it is given.
    let source = format!("fetched from {url}");
    let read = |bytes: &[u8]| -> Result<Vec<Arc<Crl>>, String> {
        let loaded = engine::load(&source, bytes);
        if loaded.crls.is_empty() {
            return Err(match loaded.findings.first() {
                Some(f) => f.message.clone(),
                None => "the answer holds no CRL".into(),
            });
        }
        Ok(loaded.crls)
    };
    let get = |read_cache: bool| {
        crate::fetch::get(
            url,
            fetch.timeout,
            fetch.cache_dir.as_deref(),
            MAX_CRL_BYTES,
            read_cache,
        )
    };
    let mut note = CrlNote {
        url: engine::text::escape(url).into_owned(),
        named_by,
        issuer: None,
        problem: None,
        from_cache: false,
    };
    // A cached CRL that does not read, or is past its nextUpdate, is fetched again.
    let answer = match get(true) {
        Ok((bytes, true))
            if read(&bytes).is_ok_and(|c| {
                c.iter()
                    .all(|crl| crl.next_update.is_some_and(|n| n > fetch.now))
            }) =>
        {
            Ok((bytes, true))
        }
        Ok((_, true)) => get(false),
        other => other,
    };
    match answer.and_then(|(bytes, from_cache)| Ok((read(&bytes)?, from_cache))) {
        Ok((read, from_cache)) => {
            note.from_cache = from_cache;
            note.issuer = read.first().map(|c| c.issuer.clone());
            crls.extend(read);
        }
        Err(why) => note.problem = Some(why),
    }
    note
}

/// Adds what each CRL fetch did to the report's findings (`revocation.crl-fetched`,
/// `revocation.crl-fetch-failed`).
pub fn with_notes(mut report: Report, notes: &[CrlNote]) -> Report {
    for note in notes {
        let finding = match (&note.issuer, &note.problem) {
            (_, Some(why)) => Finding::new(
                Code::RevocationCrlFetchFailed,
                None,
                format!(
                    "could not fetch the CRL that \"{}\" names: {why}",
                    note.named_by
                ),
            ),
            (Some(issuer), None) => Finding::new(
                Code::RevocationCrlFetched,
                None,
                format!(
                    "the CRL of \"{issuer}\" was fetched from {}{} (it counts only if its issuer's signature on it verifies)",
                    note.url,
                    if note.from_cache {
                        " (from the cache)"
                    } else {
                        ""
                    }
                ),
            ),
            (None, None) => continue,
        };
        report.findings.push(finding);
    }
    report
        .findings
        .sort_by_key(|f| std::cmp::Reverse(f.severity));
    report
}
