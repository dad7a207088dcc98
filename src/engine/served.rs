//! What a live endpoint serves, judged as served: order, missing and extra certificates, and how it
//! compares with the bundle the admin means to deploy. Pure: the probe (network) lives in `crate::probe`.

use std::sync::Arc;

use super::CheckOptions;
use super::cert::Certificate;
use super::finding::{Code, Finding};
use super::report::{Report, Role};

/// Judges a served chain: `report` is the analysis of the served certificates (loaded in served
/// order as `served #1`, `served #2`, …); `bundle`, the analysis of what the admin means to deploy.
/// The reordering note gives way to `served.order`, `chain.incomplete` to `served.incomplete`.
///
/// The served leaf is the first certificate served (RFC 8446 §4.4.2, RFC 5246 §7.4.2: the sender's
/// own certificate comes first), whatever path building made of it: a server answering with
/// another, self-signed certificate (its default one, for a client that sent no or another SNI) is
/// judged as that leaf: its names against `options.host`, "self-signed" in words, and
/// `served.stale-leaf` when it is not the bundle's leaf.
pub fn judge(mut report: Report, bundle: Option<&Report>, options: &CheckOptions) -> Report {
    let served = check(&report);
    let first = served_first(&report);
    let lone_self_signed = first
        .as_ref()
        .is_some_and(|c| c.is_self_issued() && report.chain.len() == 1);
    let replaced = |code: Code| match code {
        Code::ChainOrder => true,
        Code::ChainIncomplete => served.iter().any(|f| f.code == Code::ServedIncomplete),
        // Said below in words that fit a server's own certificate.
        Code::ChainUntrustedRoot => lone_self_signed,
        _ => false,
    };
    report.findings.retain(|f| !replaced(f.code));
    report.findings.extend(served);
    if let Some(first) = &first {
        if lone_self_signed {
            report.findings.push(Finding::new(
                Code::ChainSelfSignedLeaf,
                Some(first.sha256),
                format!(
                    "the endpoint serves a self-signed certificate, \"{}\": it signed itself, no CA vouches for it, and only a far end that has it installed as trusted accepts it",
                    first.display_name()
                ),
            ));
        }
        // The host name is checked on the served leaf even when path building took it for a root.
        let judged_as_leaf = report.leaf().is_some_and(|l| l.cert.sha256 == first.sha256);
        if !judged_as_leaf && options.host.is_some() {
            let mut names = Vec::new();
            super::checks::host(first, options, &mut names);
            report.findings.extend(names);
        }
    }
    if let Some(bundle) = bundle {
        report.findings.extend(compare(&report, bundle));
    }
    // Errors first, and among them the served leaf's identity: another certificate than the
    // bundle's leaf is what matters before anything else about it.
    report.findings.sort_by_key(|f| {
        (
            std::cmp::Reverse(f.severity),
            f.code != Code::ServedStaleLeaf,
        )
    });
    report
}

/// The root certificates of a bundle's chain, as trust anchors for probing the endpoint that should
/// serve it (the far end trusts the same root).
pub fn bundle_roots(bundle: &Report) -> Option<super::Loaded> {
    let roots: Vec<_> = bundle
        .chain
        .iter()
        .filter(|e| e.role == Role::Root && e.cert.is_self_issued())
        .map(|e| e.cert.clone())
        .collect();
    (!roots.is_empty()).then(|| super::Loaded {
        certificates: roots,
        ..Default::default()
    })
}

/// Findings about the served chain. `report` is the analysis of the served certificates loaded in the
/// order they were served (source names `served #1`, `served #2`, …).
pub fn check(report: &Report) -> Vec<Finding> {
    let mut findings = Vec::new();
    // The order the chain's certificates were served in, by their position in the handshake.
    let served_position =
        |source: &str| -> Option<usize> { source.strip_prefix("served #")?.parse().ok() };
    let positions: Vec<usize> = report
        .chain
        .iter()
        .filter(|e| e.in_input)
        .filter_map(|e| served_position(&e.cert.source))
        .collect();
    let leaf_first = report
        .leaf()
        .is_some_and(|l| served_position(&l.cert.source) == Some(1));
    // Positions are distinct (each chain entry is its own `served #N`; a certificate served twice
    // is kept once), so `<` and `<=` agree here (an equivalent mutant, docs/DEVELOPMENT.md).
    if !positions.windows(2).all(|w| w[0] < w[1]) || (report.leaf().is_some() && !leaf_first) {
        let served: Vec<String> = {
            let mut by_position: Vec<(usize, String)> = report
                .chain
                .iter()
                .filter_map(|e| Some((served_position(&e.cert.source)?, e.cert.display_name())))
                .collect();
            by_position.sort();
            by_position
                .into_iter()
                .map(|(_, n)| format!("\"{n}\""))
                .collect()
        };
        let right: Vec<String> = report
            .chain
            .iter()
            .filter(|e| e.in_input)
            .map(|e| format!("\"{}\"", e.cert.display_name()))
            .collect();
        findings.push(Finding::new(
            Code::ServedOrder,
            None,
            format!(
                "the endpoint serves {} in the wrong order; strict clients want the leaf first, then each issuer: {}",
                served.join(", "),
                right.join(", ")
            ),
        ));
    }
    if let Some(incomplete) = report
        .findings
        .iter()
        .find(|f| f.code == Code::ChainIncomplete)
    {
        findings.push(Finding::new(
            Code::ServedIncomplete,
            incomplete.sha256,
            format!(
                "the endpoint does not send every intermediate: {} Add the intermediate(s) to the certificate file the server is configured with",
                incomplete.message
            ),
        ));
    }
    for excluded in &report.excluded {
        findings.push(Finding::new(
            Code::ServedExtra,
            Some(excluded.cert.sha256),
            format!(
                "the endpoint also sends \"{}\", which is not part of its chain ({}); remove it from the server's certificate file",
                excluded.cert.display_name(),
                excluded.reason.as_str()
            ),
        ));
    }
    findings
}

/// The certificate served first (`served #1`), wherever the analysis put it.
fn served_first(report: &Report) -> Option<Arc<Certificate>> {
    report
        .certificates()
        .find(|c| c.source == "served #1")
        .cloned()
}

/// Compares the served chain with the bundle the admin holds.
pub fn compare(served: &Report, bundle: &Report) -> Vec<Finding> {
    let mut findings = Vec::new();
    let served_leaf = served_first(served).or_else(|| served.leaf().map(|e| e.cert.clone()));
    if let (Some(s), Some(b)) = (served_leaf, bundle.leaf())
        && s.sha256 != b.cert.sha256
    {
        let self_signed = if s.is_self_issued() {
            ", a self-signed certificate"
        } else {
            ""
        };
        findings.push(Finding::new(
            Code::ServedStaleLeaf,
            Some(s.sha256),
            format!(
                "the endpoint still serves another certificate than the bundle's leaf: it serves \"{}\"{self_signed}, valid {} to {} (SHA-256 {}); the bundle's leaf is \"{}\", valid {} to {} (SHA-256 {}). The new certificate is not deployed yet, the server was not reloaded, or it answers with another certificate for this name (check the SNI sent)",
                s.display_name(),
                super::checks::date(s.not_before),
                super::checks::date(s.not_after),
                s.sha256.short(),
                b.cert.display_name(),
                super::checks::date(b.cert.not_before),
                super::checks::date(b.cert.not_after),
                b.cert.sha256.short()
            ),
        ));
    }
    let intermediates = |r: &Report| -> Vec<(super::cert::Fingerprint, String)> {
        r.chain
            .iter()
            .filter(|e| e.role == Role::Intermediate)
            .map(|e| (e.cert.sha256, e.cert.display_name()))
            .collect()
    };
    let (served_ints, bundle_ints) = (intermediates(served), intermediates(bundle));
    let missing: Vec<String> = bundle_ints
        .iter()
        .filter(|b| !served_ints.iter().any(|s| s.0 == b.0))
        .map(|b| format!("\"{}\"", b.1))
        .collect();
    let unexpected: Vec<String> = served_ints
        .iter()
        .filter(|s| !bundle_ints.iter().any(|b| b.0 == s.0))
        .map(|s| format!("\"{}\"", s.1))
        .collect();
    if !missing.is_empty() || !unexpected.is_empty() {
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!(
                "in the bundle but not served: {}",
                missing.join(", ")
            ));
        }
        if !unexpected.is_empty() {
            parts.push(format!(
                "served but not in the bundle: {}",
                unexpected.join(", ")
            ));
        }
        findings.push(Finding::new(
            Code::ServedIntermediatesDiffer,
            None,
            format!(
                "the intermediates differ from the bundle: {}",
                parts.join("; ")
            ),
        ));
    }
    if findings.is_empty() {
        findings.push(Finding::new(
            Code::ServedMatchesBundle,
            None,
            "the endpoint serves the bundle's leaf and intermediates",
        ));
    }
    findings
}
