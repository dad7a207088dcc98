//! Fetching missing intermediates from the AIA caIssuers URL of the certificate they issued.
//!
//! The network edge of `--fetch-missing`: HTTP(S) GET of that URL only, DER or PKCS#7 answers, a size
//! cap, a timeout, at most [`MAX_HOPS`] fetches per chain, answers cached in the user's cache folder. A
//! fetched certificate joins the pile only if it verifies the signature of the certificate that named it.

use std::path::PathBuf;
use std::time::Duration;

use crate::engine::cert::Fingerprint;
use crate::engine::signature::{self, SignatureCheck};
use crate::engine::{self, CheckOptions, Code, Loaded, Report};

/// Fetches per analysis (leaf → intermediate → … is rarely more than two).
pub const MAX_HOPS: usize = 4;
/// Largest answer read (certificates are kilobytes; PKCS#7 bundles a few more).
pub const MAX_ANSWER_BYTES: u64 = 1024 * 1024;

/// How fetching behaves.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub timeout: Duration,
    /// Where answers are cached (`None`: no cache).
    pub cache_dir: Option<PathBuf>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            cache_dir: crate::places::aia_cache_dir(),
        }
    }
}

/// What one fetch did, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchNote {
    pub url: String,
    /// The certificate added, if one verified.
    pub added: Option<Fingerprint>,
    /// Its name, for messages.
    pub added_name: Option<String>,
    /// Why nothing was added.
    pub problem: Option<String>,
    pub from_cache: bool,
}

/// Analyses `inputs`; while the chain is incomplete and its top certificate names a caIssuers URL,
/// fetches it and tries again. Returns the final report (fetched certificates have the source
/// `fetched from <URL>`), the grown pile, and what each fetch did.
pub fn analyze_fetching(
    inputs: &Loaded,
    roots: Option<&Loaded>,
    options: &CheckOptions,
    fetch: &FetchOptions,
) -> (Report, Loaded, Vec<FetchNote>) {
    let mut pile = inputs.clone();
    let mut notes = Vec::new();
    let mut tried: Vec<String> = Vec::new();
    loop {
        let report = engine::analyze(&pile, roots, options);
        let incomplete = report
            .findings
            .iter()
            .any(|f| f.code == Code::ChainIncomplete);
        let top = report.chain.last().map(|e| e.cert.clone());
        let url = top.as_ref().and_then(|t| {
            t.aia_ca_issuers
                .iter()
                .find(|u| !tried.contains(u))
                .cloned()
        });
        let (Some(top), Some(url)) = (top, url) else {
            return (report, pile, notes);
        };
        if !incomplete {
            return (report, pile, notes);
        }
        if tried.len() >= MAX_HOPS {
            // Said, not silent: the chain needs more than the fetches allowed.
            notes.push(FetchNote {
                url,
                added: None,
                added_name: None,
                problem: Some(format!(
                    "not fetched: {MAX_HOPS} issuers were fetched for this chain already (the limit); get the rest of the chain from the CA"
                )),
                from_cache: false,
            });
            let report = engine::analyze(&pile, roots, options);
            return (report, pile, notes);
        }
        tried.push(url.clone());
        let source = format!("fetched from {url}");
        let mut note = FetchNote {
            url: url.clone(),
            added: None,
            added_name: None,
            problem: None,
            from_cache: false,
        };
        // Only a certificate whose key verifies the signature of the certificate that named the URL
        // is accepted: the URL is untrusted, the signature is not.
        let signed_top = |bytes: &[u8]| {
            let fetched = engine::load(&source, bytes);
            let issuer = fetched
                .certificates
                .iter()
                .find(|c| signature::verify(&top, &c.key, &c.public_key) == SignatureCheck::Valid)
                .cloned();
            (fetched, issuer)
        };
        let answer = match get(&url, fetch, true) {
            // A cached answer that signed nothing here is stale (the URL now serves another
            // certificate): ask the server again.
            Ok((bytes, true)) if signed_top(&bytes).1.is_none() => get(&url, fetch, false),
            other => other,
        };
        match answer {
            Err(why) => note.problem = Some(why),
            Ok((bytes, from_cache)) => {
                note.from_cache = from_cache;
                let (fetched, issuer) = signed_top(&bytes);
                match issuer {
                    Some(issuer) => {
                        note.added = Some(issuer.sha256);
                        note.added_name = Some(issuer.display_name());
                        pile.certificates.push(issuer);
                    }
                    None if fetched.certificates.is_empty() => {
                        note.problem = Some(match fetched.findings.first() {
                            Some(f) => f.message.clone(),
                            None => "no certificate in the answer".into(),
                        })
                    }
                    None => {
                        note.problem = Some(format!(
                            "the answer holds no certificate that signed \"{}\"",
                            top.display_name()
                        ))
                    }
                }
            }
        }
        notes.push(note);
    }
}

/// [`crate::fetch::get`] with the limits of an issuer certificate.
fn get(url: &str, fetch: &FetchOptions, read_cache: bool) -> Result<(Vec<u8>, bool), String> {
    crate::fetch::get(
        url,
        fetch.timeout,
        fetch.cache_dir.as_deref(),
        MAX_ANSWER_BYTES,
        read_cache,
    )
}

/// Adds what each AIA fetch did to the report's findings.
pub fn with_fetch_notes(mut report: Report, notes: &[FetchNote]) -> Report {
    for note in notes {
        let cached = if note.from_cache {
            " (from the cache)"
        } else {
            ""
        };
        let finding = match (&note.added, &note.problem) {
            (Some(fp), _) => {
                let name = note.added_name.clone().unwrap_or_else(|| fp.short());
                crate::engine::Finding::new(
                    Code::AiaFetched,
                    Some(*fp),
                    format!(
                        "the missing issuer \"{name}\" was fetched from {}{cached} and its signature verified",
                        note.url
                    ),
                )
            }
            (None, Some(why)) => crate::engine::Finding::new(
                Code::AiaFetchFailed,
                None,
                format!("could not fetch the missing issuer: {why}"),
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
