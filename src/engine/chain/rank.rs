//! Choosing among the paths found: a quick rank, then each candidate judged (checks run) and the best one kept (RFC 4158's ordering ideas; the ranking's rules are listed in the README).

use super::*;

impl Search {
    /// Larger is better: through `via` (the user's choice) > reaches an anchor > no error finding of
    /// its own > all valid at `at` > fewer errors of its own > every link's key identifiers agree >
    /// shorter > fewer warnings of its own > later expiry > root held.
    ///
    /// "Of its own": a finding (code and certificate) that every judged path shares, such as an error
    /// of the leaf itself, never decides between paths; only the findings that differ do.
    pub(super) fn rank(
        &self,
        judged: &Judged,
        shared: &HashSet<(Code, Option<Fingerprint>)>,
        options: &CheckOptions,
    ) -> Rank {
        let (via, class, all_valid, length, expiry, root_held) =
            self.quick_rank(&judged.path, options);
        let (errors, warnings) = match &judged.findings {
            Some(findings) => {
                let own = findings
                    .iter()
                    .filter(|f| !shared.contains(&(f.code, f.sha256)));
                let errors = own
                    .clone()
                    .filter(|f| f.severity == crate::engine::Severity::Error)
                    .count();
                let warnings = own
                    .filter(|f| f.severity == crate::engine::Severity::Warning)
                    .count();
                (errors, warnings)
            }
            None => (usize::MAX, usize::MAX),
        };
        (
            via,
            class,
            errors == 0,
            all_valid,
            std::cmp::Reverse(errors),
            self.key_ids_agree_along(&judged.path),
            length,
            std::cmp::Reverse(warnings),
            expiry,
            root_held,
        )
    }

    /// Whether every link of `path` between certificates we hold has the child's
    /// authorityKeyIdentifier equal to the issuer's subjectKeyIdentifier (or one of them absent).
    /// OpenSSL does not link a certificate to an issuer whose identifier differs (X509_check_issued),
    /// so of two twins (same name and key) the one whose identifier agrees is the one to bundle.
    pub(super) fn key_ids_agree_along(&self, path: &Path) -> bool {
        path.nodes
            .windows(2)
            .all(|w| key_ids_agree(&self.nodes[w[0]].cert, &self.nodes[w[1]].cert))
    }

    /// The rank without the judgement: what orders paths before they are judged.
    pub(super) fn quick_rank(
        &self,
        path: &Path,
        options: &CheckOptions,
    ) -> (bool, u8, bool, i64, i64, bool) {
        let at = options.at;
        let via = options
            .via
            .is_some_and(|fp| path.nodes.iter().any(|i| self.nodes[*i].cert.sha256 == fp));
        let class = match path.end {
            PathEnd::Anchor | PathEnd::PublicRoot(_) => 2,
            PathEnd::UntrustedRoot => 1,
            PathEnd::Incomplete => 0,
        };
        let certs = path.nodes.iter().map(|i| &self.nodes[*i].cert);
        let all_valid = certs.clone().all(|c| c.is_valid_at(at));
        // Certificates below the anchor: a root held in the path is not counted, a public root is not
        // in it. This (and `root held` below) only orders a path to a root in the input against a
        // path to a Mozilla root that is not: that takes an intermediate cross-certified by a
        // Mozilla root's key, which no test here can make, and no public chain among the fixtures
        // ties there (mutation testing misses these lines: see docs/DEVELOPMENT.md).
        let below_anchor = match path.end {
            PathEnd::Anchor | PathEnd::UntrustedRoot => path.nodes.len() as i64 - 1,
            _ => path.nodes.len() as i64,
        };
        // Incomplete paths: the longer one explains more.
        let length = if class == 0 {
            below_anchor
        } else {
            -below_anchor
        };
        let expiry = certs.map(|c| c.not_after).min().unwrap_or(i64::MIN);
        (
            via,
            class,
            all_valid,
            length,
            expiry,
            path.end == PathEnd::Anchor,
        )
    }

    /// Judges the paths with every check of the engine (the rustls-webpki verdict included) and
    /// returns them best first. Paths are judged in the order of their quick rank, at most
    /// MAX_JUDGED of them.
    pub(super) fn judge(
        &mut self,
        mut paths: Vec<Path>,
        has_leaf: bool,
        options: &CheckOptions,
    ) -> Vec<Judged> {
        paths.sort_by_cached_key(|p| std::cmp::Reverse(self.quick_rank(p, options)));
        self.unjudged = paths.len().saturating_sub(MAX_JUDGED);
        let mut judged: Vec<Judged> = paths
            .into_iter()
            .enumerate()
            .map(|(n, path)| {
                // The budget's exact edge (64 judged, the 65th not): tests/rule_edges.rs
                // `the_65th_path_by_quick_rank_is_not_judged`.
                let findings = (n < MAX_JUDGED).then(|| {
                    let view = PathView {
                        nodes: &self.nodes,
                        path: &path,
                        has_leaf,
                    };
                    crate::engine::judge_path(view, options)
                });
                Judged { path, findings }
            })
            .collect();
        let shared = shared_findings(&judged);
        judged.sort_by_cached_key(|j| std::cmp::Reverse(self.rank(j, &shared, options)));
        judged
    }
}
