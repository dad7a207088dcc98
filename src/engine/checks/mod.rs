//! Checks on the chosen chain: validity, CA flags, key usages, algorithms, names, profile rules.
//!
//! Default severities follow what a mainstream verifier (OpenSSL, Java, Go, rustls) rejects with its
//! default settings; RFC 5280 / CA/Browser Forum rules that only strict verifiers enforce are in the
//! `rfc5280.*` and `cabf.*` families and become errors with `--strict` (in [`super::analyze`]).
//!
//! This file owns running the checks on a path; the rules are one family a file: [`dates`],
//! [`material`] (key, serial, algorithm, identifiers, extensions), [`leaf`], [`issuer`].

mod dates;
mod issuer;
mod leaf;
mod material;

use std::net::IpAddr;

use super::cert::{Certificate, Curve, KeyKind, NameSubtree, San, SignatureAlgorithm};
use super::chain::{PathEnd, PathView};
use super::finding::{Code, Finding, Severity};
use super::hostname;
use super::{CheckOptions, Profile};
pub use dates::{
    Validity, date, expiry_words, max_subscriber_validity_days, relative_words, validity_at,
    whole_days,
};
use dates::{public_validity, validity};
use issuer::issuer;
pub(crate) use leaf::host;
use leaf::{issued_publicly, leaf};
use material::{algorithm, extensions, key, key_identifiers, serial};

const DAY: i64 = 86_400;

/// Runs every check on one path.
pub fn run(view: PathView<'_>, options: &CheckOptions) -> Vec<Finding> {
    let mut findings = Vec::new();
    let path = view.path;
    let certs: Vec<&Certificate> = path.nodes.iter().map(|i| view.cert(*i)).collect();
    // The last certificate is a root (trusted or not) when the path ends there.
    let top_is_root = matches!(path.end, PathEnd::Anchor | PathEnd::UntrustedRoot)
        && certs.len() > 1
        || matches!(path.end, PathEnd::Anchor | PathEnd::UntrustedRoot) && !view.has_leaf;
    let leaf_checked = view.has_leaf || options.profile != Profile::GenesysByocPremises;

    for (position, cert) in certs.iter().enumerate() {
        let is_root = top_is_root && position == certs.len() - 1;
        let is_leaf = position == 0 && leaf_checked && (view.has_leaf || !is_root);
        // RFC 5280 §6.1.1 (d): a trust anchor is trust-anchor information; how its certificate was
        // issued (serial, key identifiers, criticality, subject, self-signature) is not checked.
        let is_anchor = is_root && path.end == PathEnd::Anchor;
        validity(cert, options, &mut findings);
        key(cert, &mut findings);
        super::br::precertificate(cert, &mut findings);
        if !is_anchor {
            serial(cert, &mut findings);
            extensions(cert, is_root, &mut findings);
            // RFC 5280 §4.1: certificates are DER; strict verifiers (rustls-webpki, pyca) refuse BER.
            if let Some(problem) = cert.der_problem() {
                findings.push(Finding::new(
                    Code::Rfc5280DerEncoding,
                    Some(cert.sha256),
                    format!("\"{}\" is not valid DER, in {problem}", cert.display_name()),
                ));
            }
        }
        for oid in &cert.unknown_critical_extensions {
            findings.push(Finding::new(
                Code::Rfc5280UnknownCriticalExtension,
                Some(cert.sha256),
                format!(
                    "\"{}\" has a critical extension {oid} that verifiers do not know; they must reject the certificate",
                    cert.display_name()
                ),
            ));
        }
        if !is_root {
            algorithm(cert, &mut findings);
            let self_signed_top = position == certs.len() - 1
                && cert.is_self_issued()
                && matches!(path.end, PathEnd::Anchor | PathEnd::UntrustedRoot);
            key_identifiers(
                cert,
                certs.get(position + 1).copied(),
                self_signed_top,
                &mut findings,
            );
        }
        // `is_leaf` implies position 0: every other certificate of the path issues the one below it.
        if !is_leaf {
            let first_ca = usize::from(view.has_leaf);
            issuer(
                cert,
                position,
                &certs,
                (is_root, is_anchor, first_ca),
                &mut findings,
            );
        } else if cert.name_constraints.is_some() {
            findings.push(Finding::new(
                Code::Rfc5280NameConstraintsEndEntity,
                Some(cert.sha256),
                format!(
                    "the end-entity certificate \"{}\" carries nameConstraints, which RFC 5280 §4.2.1.10 allows in CA certificates only",
                    cert.display_name()
                ),
            ));
        }
        if is_leaf {
            leaf(cert, options, &mut findings);
            if issued_publicly(&certs, path.end, certs.last().copied()) {
                public_validity(cert, &mut findings);
                super::br::subscriber(cert, &mut findings);
            }
        } else if !is_root && issued_publicly(&certs[position..], path.end, certs.last().copied()) {
            super::br::subordinate_ca(cert, &mut findings);
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriber_validity_limits_by_issuance_date() {
        let at = |text: &str| {
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .unwrap()
                .unix_timestamp()
        };
        let table: &[(&str, i64)] = &[
            ("2014-06-01T00:00:00Z", 1_827),
            ("2015-04-01T00:00:00Z", 1_186),
            ("2018-02-28T23:59:59Z", 1_186),
            ("2018-03-01T00:00:00Z", 825),
            ("2020-09-01T00:00:00Z", 398),
            ("2026-03-14T23:59:59Z", 398),
            ("2026-03-15T00:00:00Z", 200),
            ("2027-03-14T23:59:59Z", 200),
            ("2027-03-15T00:00:00Z", 100),
            ("2029-03-15T00:00:00Z", 47),
            ("2035-01-01T00:00:00Z", 47),
        ];
        for (issued, days) in table {
            assert_eq!(max_subscriber_validity_days(at(issued)), *days, "{issued}");
        }
    }
}
