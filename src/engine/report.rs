//! The result of an analysis, as a value: the ordered chain, what was left out, the findings.
//! Rendered as text for people and as JSON (field names fixed, see the README) for scripts.
//!
//! This file holds the report as a value; `words` says it in sentences, `render` writes it as
//! text and JSON.

mod render;
mod words;

use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;

use super::cert::{Certificate, Fingerprint};
use super::chain::{Built, PathEnd};
use super::checks::date;
use super::finding::{Code, Finding, Severity};
use super::signature::SignatureCheck;
use super::trust::public_anchors;
use super::{CheckOptions, Profile};

/// A certificate's place in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Leaf,
    Intermediate,
    Root,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Leaf => "leaf",
            Self::Intermediate => "intermediate",
            Self::Root => "root",
        }
    }
}

/// One certificate of the ordered chain.
#[derive(Debug, Clone)]
pub struct ChainEntry {
    pub role: Role,
    pub cert: Arc<Certificate>,
    /// Whether the certificate came from the inputs (false: from `--roots`).
    pub in_input: bool,
    /// The signature of this certificate checked with its issuer's key (`None` for a root, or when
    /// the issuer is missing).
    pub signature: Option<SignatureCheck>,
    /// What the CRLs say about it (`None`: revocation not asked for and no CRL known).
    pub revocation: Option<super::revocation::Revocation>,
}

/// A certificate left out of the bundle, and why.
#[derive(Debug, Clone)]
pub struct Excluded {
    pub cert: Arc<Certificate>,
    pub source: String,
    pub reason: Code,
}

/// The trust anchor the chain ends at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorKind {
    /// The last chain entry is the trusted root.
    Certificate,
    /// A public root not in the input (its subject).
    Public(String),
    /// The chain ends at an untrusted root.
    Untrusted,
    /// No anchor reached.
    None,
}

/// Everything an analysis found. Built only by [`super::analyze`].
#[derive(Debug, Clone)]
pub struct Report {
    pub host: Option<String>,
    pub profile: Profile,
    pub at: i64,
    /// `at` is the current time (see [`CheckOptions::at_is_now`]).
    pub at_is_now: bool,
    /// Leaf first; the anchor last when it is a certificate.
    pub chain: Vec<ChainEntry>,
    pub anchor: AnchorKind,
    pub excluded: Vec<Excluded>,
    pub findings: Vec<Finding>,
    /// Signature verifications path building needed (unrelated certificates cost none).
    pub signature_checks: usize,
}

impl Report {
    pub(super) fn new(built: Built, mut findings: Vec<Finding>, options: &CheckOptions) -> Self {
        // Most severe first, stable within a severity (the order checks ran in).
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let mut chain = Vec::new();
        let mut anchor = AnchorKind::None;
        if let Some(path) = &built.chosen {
            let revocation = built
                .view()
                .and_then(|view| super::revocation::statuses(view, options))
                .unwrap_or_default();
            let last = path.nodes.len() - 1;
            let top_is_root = matches!(path.end, PathEnd::Anchor | PathEnd::UntrustedRoot);
            for (position, &i) in path.nodes.iter().enumerate() {
                let node = &built.nodes[i];
                let role = if top_is_root && position == last && (position > 0 || !built.has_leaf) {
                    Role::Root
                } else if position == 0
                    && (built.has_leaf || options.profile != Profile::GenesysByocPremises)
                {
                    Role::Leaf
                } else {
                    Role::Intermediate
                };
                chain.push(ChainEntry {
                    role,
                    cert: node.cert.clone(),
                    in_input: node.in_input,
                    signature: path.links.get(position).copied(),
                    revocation: revocation.get(position).cloned(),
                });
            }
            anchor = match path.end {
                PathEnd::Anchor => AnchorKind::Certificate,
                PathEnd::PublicRoot(index) => AnchorKind::Public(
                    public_anchors()
                        .iter()
                        .find(|a| a.index == index)
                        .map(|a| a.subject.clone())
                        .unwrap_or_default(),
                ),
                PathEnd::UntrustedRoot => AnchorKind::Untrusted,
                PathEnd::Incomplete => AnchorKind::None,
            };
        }
        let mut excluded: Vec<Excluded> = built
            .excluded
            .iter()
            .map(|(i, reason)| Excluded {
                cert: built.nodes[*i].cert.clone(),
                source: built.nodes[*i].cert.source.clone(),
                reason: *reason,
            })
            .collect();
        for (source, kept) in &built.duplicates {
            excluded.push(Excluded {
                cert: built.nodes[*kept].cert.clone(),
                source: source.clone(),
                reason: Code::ChainDuplicate,
            });
        }
        Self {
            host: options.host.as_ref().map(ToString::to_string),
            profile: options.profile,
            at: options.at,
            at_is_now: options.at_is_now,
            chain,
            anchor,
            excluded,
            findings,
            signature_checks: built.signature_checks,
        }
    }

    /// Every certificate of the analysis: the chain's, then those left out.
    pub fn certificates(&self) -> impl Iterator<Item = &Arc<Certificate>> {
        self.chain
            .iter()
            .map(|e| &e.cert)
            .chain(self.excluded.iter().map(|e| &e.cert))
    }

    /// No error finding.
    pub fn passed(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Number of findings of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether a finding with this code is present.
    pub fn has(&self, code: Code) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// The leaf entry, if the chain has one.
    pub fn leaf(&self) -> Option<&ChainEntry> {
        self.chain.first().filter(|e| e.role == Role::Leaf)
    }

    /// Fingerprints of the chain, leaf first.
    pub fn fingerprints(&self) -> Vec<Fingerprint> {
        self.chain.iter().map(|e| e.cert.sha256).collect()
    }

    /// A leaf was judged without a host name: nothing checked that it is valid for the trunk's name.
    pub fn names_unchecked(&self) -> bool {
        self.host.is_none() && self.chain.first().is_some_and(|e| e.role == Role::Leaf)
    }
}

/// Which error a banner names first: the host name, then the chain, then dates, then the rest, then
/// the inputs (a stray file is the least of the problems when the chain itself is wrong).
fn headline_rank(code: Code) -> u8 {
    let family = code.as_str().split('.').next().unwrap_or_default();
    match family {
        "name" => 0,
        "chain" => 1,
        "cert" => 2,
        "input" => 4,
        _ => 3,
    }
}

/// `text` cut at a word boundary to at most `max` characters, with "…" when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

/// `YYYY-MM-DD` (midnight UTC) or RFC 3339.
pub fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(t) = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return Some(t.unix_timestamp());
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format)
        .ok()
        .map(|d| d.midnight().assume_utc().unix_timestamp())
}

/// RFC 3339 in UTC (`2026-11-26T06:00:00Z`).
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

#[derive(Serialize)]
struct JsonReport {
    verdict: &'static str,
    host: Option<String>,
    profile: &'static str,
    at: String,
    chain: Vec<JsonCert>,
    excluded: Vec<JsonExcluded>,
    findings: Vec<JsonFinding>,
}

#[derive(Serialize)]
struct JsonCert {
    role: &'static str,
    sha256: String,
    subject: String,
    issuer: String,
    serial: String,
    not_before: String,
    not_after: String,
    sans: Vec<String>,
    key: String,
    signature_algorithm: String,
    source: String,
    /// Present when revocation was checked (a CRL known or asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    revocation: Option<JsonRevocation>,
}

#[derive(Serialize)]
struct JsonRevocation {
    /// `good`, `revoked`, `unknown`, `no-crl`, `not-checked`.
    status: &'static str,
    text: String,
}

#[derive(Serialize)]
struct JsonExcluded {
    sha256: String,
    subject: String,
    source: String,
    reason: &'static str,
}

#[derive(Serialize)]
struct JsonFinding {
    severity: &'static str,
    code: &'static str,
    sha256: Option<String>,
    message: String,
}
