//! From the pile to what the search walks: each certificate once (duplicates said), the trust
//! anchors (`--roots`, the public roots a profile requires, self-signed CAs of the input), the
//! indexes by subject and by key, and the leaf candidates — with a renewal's previous leaves set
//! aside and an ambiguous choice said.

use super::*;

/// The nodes being gathered, and what building has said so far.
pub(super) struct Pile {
    nodes: Vec<Node>,
    by_fingerprint: HashMap<Fingerprint, usize>,
    pub(super) duplicates: Vec<(String, usize)>,
    pub(super) excluded: Vec<(usize, Code)>,
    pub(super) findings: Vec<Finding>,
}

impl Pile {
    /// The input's certificates, each once: a duplicate is said (`chain.duplicate`) and kept once.
    pub(super) fn of(inputs: &Loaded) -> Self {
        let mut pile = Pile {
            nodes: Vec::new(),
            by_fingerprint: HashMap::new(),
            duplicates: Vec::new(),
            excluded: Vec::new(),
            findings: Vec::new(),
        };
        for cert in &inputs.certificates {
            if let Some(&kept) = pile.by_fingerprint.get(&cert.sha256) {
                pile.findings.push(Finding::new(
                    Code::ChainDuplicate,
                    Some(cert.sha256),
                    format!(
                        "\"{}\" appears more than once ({} and {}); kept once",
                        cert.display_name(),
                        pile.nodes[kept].cert.source,
                        cert.source
                    ),
                ));
                pile.duplicates.push((cert.source.clone(), kept));
                continue;
            }
            pile.add(cert, true, false);
        }
        pile
    }

    /// The node of `cert`, added if it is not there yet.
    fn add(&mut self, cert: &Arc<Certificate>, in_input: bool, trusted: bool) -> usize {
        if let Some(&i) = self.by_fingerprint.get(&cert.sha256) {
            return i;
        }
        self.by_fingerprint.insert(cert.sha256, self.nodes.len());
        self.nodes.push(Node {
            cert: cert.clone(),
            in_input,
            trusted,
        });
        self.nodes.len() - 1
    }

    /// The trust anchors. Genesys Cloud trusts public CAs only, whatever the input holds or
    /// `--roots` says; otherwise `--roots`, each unless its own trust settings refuse it.
    pub(super) fn add_anchors(
        &mut self,
        search: &mut Search,
        roots: Option<&Loaded>,
        options: &CheckOptions,
    ) {
        if options.profile.public_roots_only() {
            for node in &mut self.nodes {
                node.trusted = search.public_twin(&node.cert).is_some();
            }
            // Microsoft's root program is not Mozilla's: it still holds roots Mozilla dropped
            // (DigiCert Global Root CA). The roots Microsoft's own SIP proxies chain to are
            // certainly in it, so they are anchors too.
            if options.profile == Profile::TeamsDirectRouting {
                for cert in super::super::teams::roots() {
                    let i = self.add(cert, false, true);
                    self.nodes[i].trusted = true;
                }
            }
        } else if let Some(roots) = roots {
            for cert in &roots.certificates {
                let i = self.add(cert, false, false);
                match anchor_refusal(cert) {
                    // Kept as a certificate (a path may end there, and then says why it is not
                    // trusted).
                    Some(why) => {
                        search.refused.insert(i, why);
                    }
                    None => self.nodes[i].trusted = true,
                }
            }
        }
    }

    /// Hands the nodes to `search` with its indexes (by subject, by key), and, when
    /// `self_anchors` (no `--roots`, no public-only profile), which self-signed CAs of the input may
    /// be the anchor. Returns `issued_other`: for each node, whether it is named as the issuer of
    /// another (AKI/SKI agreeing when both exist; names only: no signature is checked for
    /// certificates that no path goes through).
    pub(super) fn index(&mut self, search: &mut Search, self_anchors: bool) -> Vec<bool> {
        let nodes = std::mem::take(&mut self.nodes);
        let mut by_subject: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, node) in nodes.iter().enumerate() {
            by_subject
                .entry(node.cert.subject_key.clone())
                .or_default()
                .push(i);
        }
        let issued_other = issued_others(&nodes, &by_subject);
        // Without --roots, a self-signed CA certificate in the input is the anchor. Which ones are
        // is decided when a path reaches them (a self-signature is checked only there), so that a
        // pile of unrelated self-signed CAs costs no signature check.
        if self_anchors {
            search.self_anchor = nodes
                .iter()
                .zip(&issued_other)
                .map(|(node, issued)| {
                    let cert = &node.cert;
                    let may_be_ca = cert.basic_constraints.is_none_or(|bc| bc.ca);
                    may_be_ca && (cert.is_ca() || *issued) && cert.is_self_issued()
                })
                .collect();
            for (i, node) in nodes.iter().enumerate() {
                if let Some(why) = search.self_anchor[i]
                    .then(|| anchor_refusal(&node.cert))
                    .flatten()
                {
                    search.self_anchor[i] = false;
                    search.refused.insert(i, why);
                }
            }
        }
        // Certificates that share a key share their signature checks: a pile of look-alikes made
        // with one key costs one verification per child, not one per look-alike.
        let mut keys: HashMap<&[u8], usize> = HashMap::new();
        search.key_index = nodes
            .iter()
            .map(|node| {
                let next = keys.len();
                *keys.entry(node.cert.spki.as_slice()).or_insert(next)
            })
            .collect();
        search.nodes = nodes;
        search.by_subject = by_subject;
        issued_other
    }
}

/// The certificates a path may start from.
pub(super) struct Leaves {
    pub(super) candidates: Vec<usize>,
    pinned: Option<usize>,
    /// The candidates are end-entities (false: the lowest CAs, or roots).
    pub(super) has_leaf: bool,
    /// How many candidates were valid for the host.
    host_matches: usize,
}

impl Leaves {
    /// The pinned leaf (`--leaf`); else the end-entities that issued nothing; else the lowest CAs;
    /// else roots. With a host name, those valid for it, if any is.
    pub(super) fn of(search: &Search, issued_other: &[bool], options: &CheckOptions) -> Self {
        let nodes = &search.nodes;
        let input_nodes: Vec<usize> = (0..nodes.len()).filter(|i| nodes[*i].in_input).collect();
        let among = |keep: &dyn Fn(usize) -> bool| -> Vec<usize> {
            input_nodes.iter().copied().filter(|i| keep(*i)).collect()
        };
        let pinned = options
            .leaf
            .and_then(|fp| among(&|i| nodes[i].cert.sha256 == fp).first().copied());
        let mut has_leaf = true;
        let mut candidates = match pinned {
            Some(i) => vec![i],
            None => among(&|i| !nodes[i].cert.is_ca() && !issued_other[i]),
        };
        if candidates.is_empty() {
            has_leaf = false;
            candidates = among(&|i| !issued_other[i] && !nodes[i].cert.is_self_issued());
            if candidates.is_empty() {
                candidates = among(&|i| !issued_other[i]);
            }
            if candidates.is_empty() {
                candidates = input_nodes.first().copied().into_iter().collect();
            }
        }
        let mut host_matches = 0;
        if candidates.len() > 1
            && let Some(host) = &options.host
        {
            let sip = options.profile == Profile::SipMutualTls;
            let matching: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|i| hostname::find_match(&nodes[*i].cert, host, sip).is_some())
                .collect();
            host_matches = matching.len();
            if !matching.is_empty() {
                candidates = matching;
            }
        }
        Leaves {
            candidates,
            pinned,
            has_leaf,
            host_matches,
        }
    }

    /// A renewal folder holds last year's certificate beside this year's, for the same names. Of
    /// the candidates for the same names (those valid for the host; without a host, those sharing a
    /// name with the newest), the newest — latest notBefore, then latest notAfter — is the leaf; the
    /// others are previous certificates, left out (`chain.previous-leaf`). The choice stays
    /// ambiguous only when the newest cannot be told apart (same dates) or other names remain.
    pub(super) fn set_aside_previous(
        &mut self,
        search: &Search,
        options: &CheckOptions,
        pile: &mut Pile,
    ) {
        if !self.has_leaf || self.pinned.is_some() || self.candidates.len() < 2 {
            return;
        }
        let cert = |i: usize| &search.nodes[i].cert;
        let dates = |i: usize| (cert(i).not_before, cert(i).not_after);
        let newest = self
            .candidates
            .iter()
            .copied()
            .max_by_key(|i| dates(*i))
            .unwrap_or(self.candidates[0]);
        let newest_names = names_of(cert(newest));
        let siblings: Vec<usize> = self
            .candidates
            .iter()
            .copied()
            .filter(|i| self.host_matches > 0 || !names_of(cert(*i)).is_disjoint(&newest_names))
            .collect();
        let tied = siblings
            .iter()
            .any(|i| *i != newest && dates(*i) == dates(newest));
        if tied || siblings.len() < 2 {
            return;
        }
        let previous: Vec<usize> = siblings.into_iter().filter(|i| *i != newest).collect();
        self.candidates.retain(|i| !previous.contains(i));
        let new = cert(newest);
        let what = match &options.host {
            Some(host) if self.host_matches > 0 => format!("for {host}"),
            _ => "for the same names".to_string(),
        };
        for &i in &previous {
            let old = cert(i);
            pile.findings.push(Finding::new(
                Code::ChainPreviousLeaf,
                Some(old.sha256),
                format!(
                    "{}: \"{}\", valid until {} ({}), is an earlier certificate {what}; the newest, \"{}\" ({}, valid from {}), is the leaf, and this one is left out",
                    old.source,
                    old.display_name(),
                    super::super::checks::date(old.not_after),
                    super::super::checks::expiry_words(old.not_after, options.at, options.at_is_now),
                    new.display_name(),
                    new.source,
                    super::super::checks::date(new.not_before),
                ),
            ));
            pile.excluded.push((i, Code::ChainPreviousLeaf));
        }
    }

    /// More than one candidate left: `chain.ambiguous-leaf`, naming them (ten at most) with a hint,
    /// and every one but the chosen path's start left out.
    pub(super) fn say_if_ambiguous(
        &self,
        search: &Search,
        options: &CheckOptions,
        chosen_start: Option<usize>,
        pile: &mut Pile,
    ) {
        if self.candidates.len() < 2 {
            return;
        }
        let mut names: Vec<String> = self
            .candidates
            .iter()
            .take(10)
            .map(|i| {
                let c = &search.nodes[*i].cert;
                format!(
                    "\"{}\" ({}, {})",
                    c.display_name(),
                    c.source,
                    c.sha256.short()
                )
            })
            .collect();
        if self.candidates.len() > names.len() {
            names.push(format!("and {} more", self.candidates.len() - names.len()));
        }
        let hint = if self.host_matches > 1 {
            "more than one is valid for the host, with the same dates; pin one"
        } else if options.host.is_some() {
            "none is valid for the host; check the host name's spelling or pin one"
        } else {
            "they are for different names; give the host name or pin one"
        };
        pile.findings.push(Finding::new(
            Code::ChainAmbiguousLeaf,
            None,
            format!(
                "{} possible leaves ({hint}): {}",
                self.candidates.len(),
                names.join(", ")
            ),
        ));
        for &i in &self.candidates {
            if Some(i) != chosen_start {
                pile.excluded.push((i, Code::ChainAmbiguousLeaf));
            }
        }
    }
}
