//! The result of an analysis, as a value: the ordered chain, what was left out, the findings.
//! Rendered as text for people and as JSON (field names fixed, see the README) for scripts.

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

    /// The one line a banner shows. Passed: what the bundle written with `bundle` holds ("Ready:
    /// bundle of 2 — leaf + 1 intermediate, root not included — valid until 2028-01-02"). Not
    /// passed: the first problem in a few words and how many more ("Not ready — the leaf is for
    /// sbc9.other.example, not sbc1.carrier.example (and 1 more)").
    pub fn headline(&self, bundle: super::bundle::BundleOptions) -> String {
        let errors: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        if let Some(first) = errors.iter().min_by_key(|f| headline_rank(f.code)) {
            let more = match errors.len() - 1 {
                0 => String::new(),
                n => format!(" (and {n} more)"),
            };
            return format!("Not ready — {}{more}", self.problem_words(first));
        }
        let taken: Vec<&ChainEntry> = self
            .chain
            .iter()
            .filter(|e| super::bundle::takes(e.role, bundle))
            .collect();
        if taken.is_empty() {
            return "Nothing to bundle".into();
        }
        let mut parts: Vec<String> = Vec::new();
        if taken.iter().any(|e| e.role == Role::Leaf) {
            parts.push("leaf".into());
        }
        match taken
            .iter()
            .filter(|e| e.role == Role::Intermediate)
            .count()
        {
            0 => {}
            1 => parts.push("1 intermediate".into()),
            n => parts.push(format!("{n} intermediates")),
        }
        let root_taken = taken.iter().any(|e| e.role == Role::Root);
        if root_taken {
            parts.push("root".into());
        }
        let mut what = parts.join(" + ");
        if !root_taken {
            match &self.anchor {
                AnchorKind::Public(_) => what.push_str(", root not included (clients have it)"),
                _ if self.chain.iter().any(|e| e.role == Role::Root) => {
                    what.push_str(", root not included")
                }
                _ => {}
            }
        }
        let until = taken
            .iter()
            .map(|e| e.cert.not_after)
            .min()
            .map(date)
            .unwrap_or_default();
        let host = match &self.host {
            Some(host) => format!(" for {host}"),
            None => String::new(),
        };
        format!(
            "Ready: bundle of {}{host} — {what} — valid until {until}",
            taken.len()
        )
    }

    /// How to fix a finding, in the words of `face`, fitted to the certificate it concerns: an expired
    /// CA certificate is replaced by the CA's current one, not "renewed"; a missing issuer is named,
    /// and a missing public root is told apart from a missing intermediate.
    pub fn fix(&self, finding: &Finding, face: super::finding::Face) -> String {
        use super::finding::Face;
        let generic = match face {
            Face::Cli => finding.code.fix(),
            Face::Window => finding.code.window_fix(),
        };
        let entry = finding
            .sha256
            .and_then(|fp| self.chain.iter().find(|e| e.cert.sha256 == fp));
        match (finding.code, entry) {
            (Code::CertExpired | Code::CertExpiringSoon, Some(e))
                if e.role != Role::Leaf || e.cert.is_ca() =>
            {
                let name = e.cert.display_name();
                let when = if finding.code == Code::CertExpired {
                    "has expired"
                } else {
                    "expires soon"
                };
                match e.role {
                    Role::Leaf | Role::Intermediate => format!(
                        "The CA certificate \"{name}\" {when}: get the current \"{name}\" from your CA (CAs publish their intermediates) and use it in its place; if the CA re-keyed, the leaf must be reissued under the new one."
                    ),
                    _ => format!(
                        "The root \"{name}\" {when}: get your CA's current root and chain, and make sure the far end trusts the new root before the change."
                    ),
                }
            }
            (Code::ChainIncomplete, Some(e)) => {
                let issuer = &e.cert.issuer;
                let public = super::trust::public_anchors()
                    .iter()
                    .any(|a| a.subject_key == e.cert.issuer_key);
                match (public, face) {
                    (true, Face::Cli) => format!(
                        "The missing issuer is the public root \"{issuer}\": add --public-roots."
                    ),
                    (true, Face::Window) => format!(
                        "The missing issuer is the public root \"{issuer}\": choose \"The Mozilla set\" under Trust."
                    ),
                    (false, Face::Cli) => format!(
                        "Add the missing issuer \"{issuer}\": get it from your CA (or add --fetch-missing to fetch it from the AIA caIssuers URL)."
                    ),
                    (false, Face::Window) => format!(
                        "Add the missing issuer \"{issuer}\" with \"Add issuer file…\" (get it from your CA), or click \"Fetch missing issuer\" when the certificate names a URL."
                    ),
                }
            }
            // The far end trusts public CAs only: no roots file changes what it trusts.
            (Code::ChainUntrustedRoot, _) if self.profile.public_roots_only() => {
                if self.profile == Profile::TeamsDirectRouting {
                    "Microsoft's SIP proxies trust only CAs of the Microsoft Trusted Root Program: get the SBC certificate from a public CA (adding a root of your own to Chainsmith's trust changes nothing for Microsoft).".to_string()
                } else {
                    "Genesys Cloud trusts only public CAs: get the certificate from a public CA (adding a root of your own to Chainsmith's trust changes nothing for Genesys Cloud).".to_string()
                }
            }
            (Code::ChainUnrelated, None) if self.anchor == AnchorKind::None => {
                let unrelated = finding
                    .sha256
                    .and_then(|fp| self.excluded.iter().find(|e| e.cert.sha256 == fp));
                match (unrelated, self.chain.last()) {
                    (Some(ca), Some(top)) if ca.cert.is_ca() => {
                        let issuer = &top.cert.issuer;
                        match face {
                            Face::Cli => format!(
                                "Add the missing issuer \"{issuer}\" (from your CA, or with --fetch-missing): then \"{}\" can complete the chain.",
                                ca.cert.display_name()
                            ),
                            Face::Window => format!(
                                "Add the missing issuer \"{issuer}\" with \"Add issuer file…\": then \"{}\" can complete the chain.",
                                ca.cert.display_name()
                            ),
                        }
                    }
                    _ => generic.to_string(),
                }
            }
            _ => generic.to_string(),
        }
    }

    /// A problem in a few words, for the banner.
    fn problem_words(&self, finding: &Finding) -> String {
        let cert = finding.sha256.and_then(|fp| {
            self.chain
                .iter()
                .map(|e| (&e.cert, Some(e.role)))
                .chain(self.excluded.iter().map(|e| (&e.cert, None)))
                .find(|(c, _)| c.sha256 == fp)
        });
        let role = |r: Option<Role>| match r {
            Some(Role::Leaf) => "the leaf",
            Some(Role::Intermediate) => "the intermediate",
            Some(Role::Root) => "the root",
            None => "a certificate",
        };
        match (finding.code, cert) {
            (Code::NameMismatch, Some((c, _))) => {
                let names: Vec<String> = c.sans.iter().take(2).map(|s| s.to_string()).collect();
                let more = if c.sans.len() > 2 { ", …" } else { "" };
                let host = self.host.as_deref().unwrap_or("the host name");
                format!("the leaf is for {}{more}, not {host}", names.join(", "))
            }
            (Code::CertExpired, Some((c, r))) => format!(
                "{} \"{}\" expired on {}",
                role(r),
                c.display_name(),
                date(c.not_after)
            ),
            (Code::CertNotYetValid, Some((c, r))) => format!(
                "{} \"{}\" is not valid before {}",
                role(r),
                c.display_name(),
                date(c.not_before)
            ),
            (Code::ChainIncomplete, Some((c, _))) => format!(
                "the chain is incomplete: the issuer of \"{}\" is missing",
                c.display_name()
            ),
            (Code::ChainUntrustedRoot, Some((c, _))) => format!(
                "the chain ends at \"{}\", a root that is not trusted",
                c.display_name()
            ),
            _ => shorten(&finding.message, 110),
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

    /// The one-line verdict.
    pub fn verdict_line(&self) -> String {
        let errors = self.count(Severity::Error);
        if errors > 0 {
            let word = if errors == 1 { "problem" } else { "problems" };
            return format!("FAIL: {errors} {word} to fix");
        }
        let until = self.chain.iter().map(|e| e.cert.not_after).min();
        let host = self
            .host
            .as_deref()
            .map(|h| format!(" for {h}"))
            .unwrap_or_default();
        let unchecked = if self.names_unchecked() {
            " (no host name given: the names were not checked)"
        } else {
            ""
        };
        match until {
            Some(until) => format!(
                "PASS: {} certificate{}, valid{host} until {}{unchecked}",
                self.chain.len(),
                if self.chain.len() == 1 { "" } else { "s" },
                date(until)
            ),
            None => "PASS".into(),
        }
    }

    /// The JSON document (`--json`).
    pub fn to_json(&self) -> serde_json::Value {
        let json = JsonReport {
            verdict: if self.passed() { "pass" } else { "fail" },
            host: self.host.clone(),
            profile: self.profile.as_str(),
            at: rfc3339(self.at),
            chain: self
                .chain
                .iter()
                .map(|e| JsonCert {
                    role: e.role.as_str(),
                    sha256: e.cert.sha256.hex(),
                    subject: e.cert.subject.clone(),
                    issuer: e.cert.issuer.clone(),
                    serial: e.cert.serial_hex(),
                    not_before: rfc3339(e.cert.not_before),
                    not_after: rfc3339(e.cert.not_after),
                    sans: e.cert.sans.iter().map(ToString::to_string).collect(),
                    key: e.cert.key.to_string(),
                    signature_algorithm: e.cert.signature_algorithm.name().to_string(),
                    source: e.cert.source.clone(),
                    revocation: e.revocation.as_ref().map(|r| JsonRevocation {
                        status: r.as_str(),
                        text: r.words(),
                    }),
                })
                .collect(),
            excluded: self
                .excluded
                .iter()
                .map(|e| JsonExcluded {
                    sha256: e.cert.sha256.hex(),
                    subject: e.cert.subject.clone(),
                    source: e.source.clone(),
                    reason: e.reason.as_str(),
                })
                .collect(),
            findings: self
                .findings
                .iter()
                .map(|f| JsonFinding {
                    severity: f.severity.as_str(),
                    code: f.code.as_str(),
                    sha256: f.sha256.map(|s| s.hex()),
                    message: f.message.clone(),
                })
                .collect(),
        };
        // Serialising plain strings and vectors cannot fail.
        serde_json::to_value(json).unwrap_or(serde_json::Value::Null)
    }

    /// The readable report (`chainsmith check` without `--json`).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let host = self.host.as_deref().unwrap_or("(no --host)");
        let _ = writeln!(
            out,
            "Chain for {host}  ·  profile {}  ·  at {}",
            self.profile,
            rfc3339(self.at)
        );
        let _ = writeln!(out);
        for (i, entry) in self.chain.iter().enumerate() {
            let c = &entry.cert;
            let _ = writeln!(out, "{}. [{}] {}", i + 1, entry.role.as_str(), c.subject);
            let _ = writeln!(out, "     issuer   {}", c.issuer);
            let _ = writeln!(
                out,
                "     valid    {} → {}  ({}; {})",
                date(c.not_before),
                date(c.not_after),
                super::checks::expiry_words(c.not_after, self.at, self.at_is_now),
                c.key
            );
            if !c.sans.is_empty() {
                let sans: Vec<String> = c.sans.iter().take(8).map(ToString::to_string).collect();
                let more = if c.sans.len() > 8 {
                    format!(" (+{} more)", c.sans.len() - 8)
                } else {
                    String::new()
                };
                let _ = writeln!(out, "     names    {}{more}", sans.join(", "));
            }
            let link = match entry.signature {
                Some(SignatureCheck::Valid) => "signature verified by the next certificate up",
                Some(SignatureCheck::Invalid) => "SIGNATURE DOES NOT VERIFY",
                Some(SignatureCheck::Unverifiable(_)) => "SIGNATURE CANNOT BE VERIFIED",
                None if entry.role == Role::Root => "trust anchor",
                None => "issuer not found",
            };
            let _ = writeln!(
                out,
                "     sha256   {}  ·  {}  ·  from {}",
                c.sha256.short(),
                link,
                c.source
            );
            if let Some(revocation) = &entry.revocation {
                let _ = writeln!(out, "     crl      {}", revocation.words());
            }
        }
        match &self.anchor {
            AnchorKind::Public(subject) => {
                let _ = writeln!(
                    out,
                    "   ↳ anchored at the public root \"{subject}\" (not in the input)"
                );
            }
            AnchorKind::None if !self.chain.is_empty() => {
                let _ = writeln!(out, "   ↳ no trust anchor reached");
            }
            _ => {}
        }
        if !self.excluded.is_empty() {
            let _ = writeln!(out, "\nLeft out of the bundle:");
            for e in self.excluded.iter().take(50) {
                let _ = writeln!(
                    out,
                    "   - {} ({}): {}",
                    e.cert.display_name(),
                    e.source,
                    e.reason.as_str()
                );
            }
            if self.excluded.len() > 50 {
                let _ = writeln!(out, "   … and {} more", self.excluded.len() - 50);
            }
        }
        for severity in [Severity::Error, Severity::Warning, Severity::Info] {
            let of: Vec<&Finding> = self
                .findings
                .iter()
                .filter(|f| f.severity == severity)
                .collect();
            if of.is_empty() {
                continue;
            }
            let title = match severity {
                Severity::Error => "Errors",
                Severity::Warning => "Warnings",
                Severity::Info => "Notes",
            };
            let _ = writeln!(out, "\n{title}:");
            for f in of.iter().take(100) {
                let _ = writeln!(out, "   {} {}", f.code.as_str(), f.message);
                if severity != Severity::Info {
                    let _ = writeln!(out, "      fix: {}", self.fix(f, super::finding::Face::Cli));
                }
            }
            if of.len() > 100 {
                let _ = writeln!(out, "   … and {} more (see --json)", of.len() - 100);
            }
        }
        let _ = writeln!(out, "\n{}", self.verdict_line());
        out
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
