//! The findings about the chain as built: what is missing, left out, duplicated, out of order, or an alternate path, in words.

use super::*;

impl Search {
    /// Turns the chosen path into findings and exclusions.
    pub(super) fn describe(
        &mut self,
        built: &mut Built,
        alternates: &[Judged],
        options: &CheckOptions,
    ) {
        let Some(path) = built.chosen.clone() else {
            return;
        };
        self.describe_left_out(built, &path);
        self.describe_alternates(built, alternates);
        self.describe_end(built, &path, options);
        let top = *path.nodes.last().unwrap_or(&path.nodes[0]);
        let root_held = path.end == PathEnd::Anchor && self.nodes[top].in_input;
        if options.profile == Profile::GenesysByocPremises && !root_held {
            built.findings.push(Finding::new(
                Code::ChainRootMissing,
                None,
                "the BYOC Premises certificate-authority upload needs the root CA certificate, and the chain does not end at a root held in the input",
            ));
        }
        self.describe_budget(built);
        self.describe_order(built, &path);
    }

    /// Certificates of the input on no chosen path: on an alternate path, or unrelated (with where
    /// the chain stops when it is incomplete).
    fn describe_left_out(&self, built: &mut Built, path: &Path) {
        let on_path: HashSet<usize> = path.nodes.iter().copied().collect();
        let on_alternate: HashSet<usize> = built
            .alternates
            .iter()
            .flat_map(|p| p.nodes.iter().copied())
            .collect();
        let already: HashSet<usize> = built.excluded.iter().map(|(i, _)| *i).collect();
        for (i, node) in self.nodes.iter().enumerate() {
            if !node.in_input || on_path.contains(&i) || already.contains(&i) {
                continue;
            }
            if on_alternate.contains(&i) {
                built.excluded.push((i, Code::ChainAlternatePath));
            } else {
                built.excluded.push((i, Code::ChainUnrelated));
                // A CA beside an incomplete chain is most often its own root, above a missing
                // intermediate: say where the chain stops instead of "nothing to do".
                let stops = match (path.end, path.nodes.last()) {
                    (PathEnd::Incomplete, Some(&top)) if node.cert.is_ca() => {
                        let top = &self.nodes[top].cert;
                        format!(
                            ": the chain stops below it, at \"{}\", whose issuer \"{}\" is missing — if this CA is above that issuer, the certificate between them is what to add",
                            top.display_name(),
                            top.issuer
                        )
                    }
                    _ => String::new(),
                };
                built.findings.push(Finding::new(
                    Code::ChainUnrelated,
                    Some(node.cert.sha256),
                    format!(
                        "\"{}\" ({}) is on no path from the leaf{stops}; left out of the bundle",
                        node.cert.display_name(),
                        node.cert.source
                    ),
                ));
            }
        }
    }

    /// Other paths to a trust anchor (five at most), with why each was not used.
    fn describe_alternates(&self, built: &mut Built, alternates: &[Judged]) {
        for alternate in alternates.iter().take(5) {
            let spoiled = match (&alternate.findings, alternate.first_error()) {
                (_, Some(first)) => {
                    format!(" (not used: {} — {})", first.code.as_str(), first.message)
                }
                (Some(_), None) => String::new(),
                (None, None) => " (not judged: the search budget ran out)".into(),
            };
            built.findings.push(Finding::new(
                Code::ChainAlternatePath,
                None,
                format!(
                    "another path to a trust anchor exists: {}{spoiled}",
                    self.path_text(&alternate.path)
                ),
            ));
        }
    }

    /// How the chosen path ends: a root omitted, a self-signed leaf, a refused or untrusted root, an
    /// incomplete chain; and a lone root with no leaf.
    fn describe_end(&self, built: &mut Built, path: &Path, options: &CheckOptions) {
        let leaf = path.nodes[0];
        let top = *path.nodes.last().unwrap_or(&leaf);
        let top_cert = &self.nodes[top].cert;
        let server_profile = options.profile != Profile::GenesysByocPremises;
        if !built.has_leaf && server_profile && path.nodes.len() == 1 && self.nodes[leaf].trusted {
            built.findings.push(Finding::new(
                Code::ChainNoLeaf,
                None,
                format!(
                    "only a root certificate (\"{}\") was given; there is no server certificate to check",
                    top_cert.display_name()
                ),
            ));
        }
        match path.end {
            PathEnd::Anchor => {}
            PathEnd::PublicRoot(index) => {
                let subject = public_anchors()
                    .iter()
                    .find(|a| a.index == index)
                    .map(|a| a.subject.clone())
                    .unwrap_or_default();
                built.findings.push(Finding::new(
                    Code::ChainRootOmitted,
                    None,
                    format!("the root \"{subject}\" is not in the input; it is a public root (Mozilla set) that clients already have"),
                ));
            }
            PathEnd::UntrustedRoot if path.nodes.len() == 1 && built.has_leaf => {
                built.findings.push(Finding::new(
                    Code::ChainSelfSignedLeaf,
                    Some(top_cert.sha256),
                    format!(
                        "\"{}\" is a self-signed end-entity certificate: no CA vouches for it, so the far end will refuse it unless it is installed there as trusted",
                        top_cert.display_name()
                    ),
                ));
            }
            PathEnd::UntrustedRoot if self.refused.contains_key(&top) => {
                built.findings.push(Finding::new(
                    Code::TrustAnchorRefused,
                    Some(top_cert.sha256),
                    format!(
                        "the chain ends at the root \"{}\" ({}), which is not used as a trust anchor: {}",
                        top_cert.display_name(),
                        top_cert.source,
                        self.refused[&top]
                    ),
                ));
            }
            PathEnd::UntrustedRoot => {
                let why = if options.profile == Profile::GenesysByocCloud {
                    "Genesys Cloud (BYOC Cloud) trusts public CAs only, and this root is not in the public (Mozilla) set"
                } else if options.profile == Profile::TeamsDirectRouting {
                    "Microsoft Teams trusts only CAs of the Microsoft Trusted Root Program, and this root is not in the public (Mozilla) set Chainsmith checks against"
                } else {
                    "it is not among the trusted roots given with --roots"
                };
                built.findings.push(Finding::new(
                    Code::ChainUntrustedRoot,
                    Some(top_cert.sha256),
                    format!(
                        "the chain ends at the root \"{}\", which is not trusted: {why}",
                        top_cert.display_name()
                    ),
                ));
            }
            PathEnd::Incomplete => self.describe_incomplete(built, top),
        }
    }

    /// The chain stops below a missing (or unlinked) issuer of `top`: the signatures that did not
    /// verify or could not be checked, then `chain.incomplete` with what is known.
    fn describe_incomplete(&self, built: &mut Built, top: usize) {
        let top_cert = &self.nodes[top].cert;
        let bad: Vec<usize> = self
            .bad_signatures
            .iter()
            .filter(|(child, _)| *child == top)
            .map(|(_, issuer)| *issuer)
            .collect();
        let unverifiable: Vec<&(usize, String, Unverifiable)> = self
            .unverifiable
            .iter()
            .filter(|(child, _, _)| *child == top)
            .collect();
        for (_, issuer, why) in unverifiable.iter().take(3) {
            built.findings.push(Finding::new(
                Code::ChainUnverifiableSignature,
                Some(top_cert.sha256),
                format!(
                    "the signature of \"{}\" cannot be verified with the key of \"{issuer}\": {}; it is not linked to that issuer",
                    top_cert.display_name(),
                    why.reason()
                ),
            ));
        }
        if let Some(&issuer) = bad.first() {
            let issuer = &self.nodes[issuer].cert;
            built.findings.push(Finding::new(
                Code::ChainBadSignature,
                Some(top_cert.sha256),
                format!(
                    "the signature of \"{}\" does not verify with the key of \"{}\" ({}), the certificate of that name in the input",
                    top_cert.display_name(),
                    issuer.display_name(),
                    issuer.source
                ),
            ));
        }
        let aia = match top_cert.aia_ca_issuers.first() {
            Some(url) => format!(
                "; its issuer can be downloaded from {}",
                crate::engine::text::escape(url)
            ),
            None => String::new(),
        };
        let looped = if self.looped {
            " (the certificates found issue each other in a loop)"
        } else {
            ""
        };
        // What to do is the finding's fix (worded for the CLI or the window, and for a
        // public root or an intermediate); the message says only what is known.
        let hint = if self.exhausted || !(unverifiable.is_empty() && bad.is_empty()) {
            ""
        } else if built.public {
            " It is not in the Mozilla root set either."
        } else if crate::engine::trust::public_anchors()
            .iter()
            .any(|a| a.subject_key == top_cert.issuer_key)
        {
            " It is a public root (in the Mozilla set), which is not trusted here."
        } else {
            ""
        };
        let what = if self.exhausted {
            // Not "none verifies": some were never tried.
            "was not found before the path search reached its budget (not every certificate of that name could be tried)"
        } else if unverifiable.is_empty() && bad.is_empty() {
            "is missing"
        } else {
            "is not linked (no certificate of that name verifies its signature)"
        };
        built.findings.push(Finding::new(
            Code::ChainIncomplete,
            Some(top_cert.sha256),
            format!(
                "no path to a trust anchor: the issuer of \"{}\" (\"{}\") {what}{looped}{aia}.{hint}",
                top_cert.display_name(),
                top_cert.issuer
            ),
        ));
    }

    /// The search stopped at a budget: said, with the counts.
    fn describe_budget(&self, built: &mut Built) {
        if self.exhausted || self.unjudged > 0 || self.skipped_candidates > 0 {
            built.findings.push(Finding::new(
                Code::ChainSearchBudget,
                None,
                format!(
                    "path search stopped after {} steps and {} signature checks{}{}; the chain shown is the best found",
                    self.steps,
                    self.signature_checks,
                    if self.skipped_candidates > 0 {
                        format!(
                            ", {} candidate issuers skipped (more than {MAX_TRIES_PER_NAME} certificates share one issuer name)",
                            self.skipped_candidates
                        )
                    } else {
                        String::new()
                    },
                    if self.unjudged > 0 {
                        format!(", {} paths not judged", self.unjudged)
                    } else {
                        String::new()
                    }
                ),
            ));
        }
    }

    /// Did one file (or paste) hold the chain out of order?
    fn describe_order(&self, built: &mut Built, path: &Path) {
        // Reordering: did one file (or paste) hold the chain out of order? Files given one
        // certificate each, in any order, are no reordering worth a note: the order of several files
        // is the order of a folder listing or a drop, which means nothing.
        let mut sources: Vec<&str> = Vec::new();
        for i in path.nodes.iter().filter(|i| self.nodes[**i].in_input) {
            let source = self.nodes[*i].cert.source.as_str();
            if !sources.contains(&source) {
                sources.push(source);
            }
        }
        for source in sources {
            let positions: Vec<usize> = path
                .nodes
                .iter()
                .copied()
                .filter(|i| self.nodes[*i].in_input && self.nodes[*i].cert.source == source)
                .collect();
            if positions.windows(2).any(|w| w[0] > w[1]) {
                let mut given = positions.clone();
                given.sort_unstable();
                let given: Vec<String> = given
                    .iter()
                    .map(|i| format!("\"{}\"", self.nodes[*i].cert.display_name()))
                    .collect();
                built.findings.push(Finding::new(
                    Code::ChainOrder,
                    None,
                    format!(
                        "{source} holds the chain out of order: {}; the bundle is written leaf first: {}",
                        given.join(" → "),
                        self.path_text(path)
                    ),
                ));
            }
        }
    }

    pub(super) fn path_text(&self, path: &Path) -> String {
        let mut names: Vec<String> = path
            .nodes
            .iter()
            .map(|i| format!("\"{}\"", self.nodes[*i].cert.display_name()))
            .collect();
        if let PathEnd::PublicRoot(index) = path.end
            && let Some(anchor) = public_anchors().iter().find(|a| a.index == index)
        {
            names.push(format!("\"{}\" (public root)", anchor.subject));
        }
        names.join(" → ")
    }
}
