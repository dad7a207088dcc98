//! The search itself: which certificates are self-signed or anchors, signatures checked once each, and the depth-first walk from a leaf with its budgets (as in rustls-webpki).

use super::*;

impl Search {
    pub(super) fn new(use_public: bool) -> Self {
        let mut public_by_subject: HashMap<&'static str, Vec<&'static PublicAnchor>> =
            HashMap::new();
        if use_public {
            for anchor in public_anchors() {
                public_by_subject
                    .entry(anchor.subject_key.as_str())
                    .or_default()
                    .push(anchor);
            }
        }
        Self {
            nodes: Vec::new(),
            by_subject: HashMap::new(),
            public_by_subject,
            signatures: HashMap::new(),
            key_index: Vec::new(),
            tries_per_name: MAX_TRIES_PER_NAME,
            self_signed: HashMap::new(),
            self_anchor: Vec::new(),
            found_anchors: HashSet::new(),
            refused: HashMap::new(),
            ski_own: HashMap::new(),
            signature_checks: 0,
            steps: 0,
            exhausted: false,
            looped: false,
            skipped_candidates: 0,
            unjudged: 0,
            bad_signatures: Vec::new(),
            unverifiable: Vec::new(),
        }
    }

    /// The public root that is this very certificate (same name and key), if any.
    pub(super) fn public_twin(&self, cert: &Certificate) -> Option<&'static PublicAnchor> {
        self.public_by_subject
            .get(cert.subject_key.as_str())?
            .iter()
            .copied()
            .find(|a| a.spki == cert.spki)
    }

    /// Self-issued and its own key verifies its signature. A self-signature that cannot be checked
    /// (an old algorithm) still counts: a trust anchor's self-signature is not relied on (RFC 5280
    /// §6.1.1 (d)); whether the root is trusted is the user's choice, not its signature's.
    pub(super) fn is_self_signed(&mut self, i: usize) -> bool {
        if let Some(known) = self.self_signed.get(&i) {
            return *known;
        }
        let cert = &self.nodes[i].cert;
        // Self-signatures count against the same budget as links.
        let result = cert.is_self_issued() && {
            self.signature_checks += 1;
            if self.signature_checks > MAX_SIGNATURE_CHECKS {
                self.exhausted = true;
                false
            } else {
                signature::verify(cert, &cert.key, &cert.public_key) != SignatureCheck::Invalid
            }
        };
        self.self_signed.insert(i, result);
        result
    }

    /// A trust anchor: given as one, or (without --roots) a self-signed CA of the input.
    pub(super) fn is_anchor(&mut self, i: usize) -> bool {
        if self.nodes[i].trusted {
            return true;
        }
        if self.self_anchor.get(i).copied().unwrap_or(false) && self.is_self_signed(i) {
            self.found_anchors.insert(i);
            return true;
        }
        false
    }

    pub(super) fn ski_own(&mut self, i: usize) -> bool {
        if let Some(known) = self.ski_own.get(&i) {
            return *known;
        }
        let own = ski_from_own_key(&self.nodes[i].cert);
        self.ski_own.insert(i, own);
        own
    }

    pub(super) fn signature(&mut self, child: usize, issuer: usize) -> SignatureCheck {
        let key = self
            .key_index
            .get(issuer)
            .copied()
            .unwrap_or(usize::MAX - issuer);
        if let Some(known) = self.signatures.get(&(child, key)) {
            return *known;
        }
        self.signature_checks += 1;
        if self.signature_checks > MAX_SIGNATURE_CHECKS {
            self.exhausted = true;
            return SignatureCheck::Invalid;
        }
        let issuer_cert = &self.nodes[issuer].cert;
        let check = if issuer_cert.key_defect().is_some() {
            SignatureCheck::Unverifiable(Unverifiable::IssuerKey)
        } else {
            signature::verify(
                &self.nodes[child].cert,
                &issuer_cert.key,
                &issuer_cert.public_key,
            )
        };
        self.signatures.insert((child, key), check);
        check
    }

    /// Every path up from `start`. A first walk tries at most [`MAX_TRIES_PER_NAME`] candidate
    /// issuers of one name, so that one pile of look-alikes cannot spend the budget of the whole
    /// search. When that walk reaches no anchor *because* candidates were skipped, a second walk
    /// tries them all, bounded by the signature budget only: look-alikes that copy a CA's name and
    /// key identifier (or a CA whose identifier is not derived from its key) must not hide the real
    /// issuer while the budget lasts. Checks already done are cached, so the second walk repeats none.
    pub(super) fn paths_from(&mut self, start: usize) -> Vec<Path> {
        let skipped_before = self.skipped_candidates;
        let (bad_before, unverifiable_before) =
            (self.bad_signatures.len(), self.unverifiable.len());
        self.tries_per_name = MAX_TRIES_PER_NAME;
        let paths = self.walk_from(start);
        if self.skipped_candidates == skipped_before
            || self.exhausted
            || paths.iter().any(Path::reaches_anchor)
        {
            return paths;
        }
        self.skipped_candidates = skipped_before;
        self.bad_signatures.truncate(bad_before);
        self.unverifiable.truncate(unverifiable_before);
        self.tries_per_name = usize::MAX;
        let paths = self.walk_from(start);
        self.tries_per_name = MAX_TRIES_PER_NAME;
        paths
    }

    pub(super) fn walk_from(&mut self, start: usize) -> Vec<Path> {
        self.steps = 0;
        let mut paths = Vec::new();
        let mut path = vec![start];
        let mut links = Vec::new();
        self.walk(&mut path, &mut links, &mut paths);
        paths
    }

    pub(super) fn walk(
        &mut self,
        path: &mut Vec<usize>,
        links: &mut Vec<SignatureCheck>,
        paths: &mut Vec<Path>,
    ) {
        self.steps += 1;
        if self.steps > MAX_STEPS || paths.len() >= MAX_PATHS {
            self.exhausted = true;
        }
        let top = *path.last().unwrap_or(&0);
        let record =
            |end: PathEnd, path: &[usize], links: &[SignatureCheck], paths: &mut Vec<Path>| {
                paths.push(Path {
                    nodes: path.to_vec(),
                    links: links.to_vec(),
                    end,
                })
            };
        if self.is_anchor(top) {
            return record(PathEnd::Anchor, path, links, paths);
        }
        if self.is_self_signed(top) {
            return record(PathEnd::UntrustedRoot, path, links, paths);
        }
        if self.exhausted {
            return record(PathEnd::Incomplete, path, links, paths);
        }
        let issuer_key = self.nodes[top].cert.issuer_key.clone();
        let candidates = self.issuer_candidates(top, &issuer_key);
        let mut extended = false;
        let mut held_keys: Vec<Vec<u8>> = Vec::new();
        let mut failed = 0;
        let total = candidates.len();
        for (tried, candidate) in candidates.into_iter().enumerate() {
            if failed >= self.tries_per_name {
                // Counted only when nothing linked: then the skipped ones might have mattered.
                if !extended {
                    self.skipped_candidates += total - tried;
                }
                break;
            }
            if path.contains(&candidate) {
                self.looped = true;
                continue;
            }
            if path.len() >= MAX_DEPTH {
                continue;
            }
            // A link is a verified signature, nothing less.
            match self.signature(top, candidate) {
                SignatureCheck::Valid => {}
                SignatureCheck::Invalid => {
                    if !self.exhausted {
                        self.bad_signatures.push((top, candidate));
                    }
                    failed += 1;
                    continue;
                }
                SignatureCheck::Unverifiable(why) => {
                    let name = self.nodes[candidate].cert.display_name();
                    self.unverifiable.push((top, name, why));
                    failed += 1;
                    continue;
                }
            }
            held_keys.push(self.nodes[candidate].cert.spki.clone());
            path.push(candidate);
            links.push(SignatureCheck::Valid);
            self.walk(path, links, paths);
            path.pop();
            links.pop();
            extended = true;
        }
        if self.public_roots_above(top, &issuer_key, &held_keys, path, links, paths) {
            extended = true;
        }
        if !extended {
            record(PathEnd::Incomplete, path, links, paths);
        }
    }

    /// The certificates of the pile named like `top`'s issuer, the likely issuer first: AKI/SKI
    /// agreement, then a key identifier derived from the candidate's own key (look-alikes that copy
    /// a CA's name and identifier fail this), then input order.
    fn issuer_candidates(&mut self, top: usize, issuer_key: &str) -> Vec<usize> {
        let mut candidates: Vec<usize> = self
            .by_subject
            .get(issuer_key)
            .into_iter()
            .flatten()
            .copied()
            .filter(|c| *c != top)
            .collect();
        // The walk tries MAX_TRIES_PER_NAME of them and counts the rest as skipped, so one pile of
        // look-alikes cannot use up the signature budget of the whole search: the likely ones first.
        if candidates.len() > 1 {
            let mut keyed: Vec<(bool, bool, usize)> = Vec::with_capacity(candidates.len());
            for c in candidates {
                let agree = key_ids_agree(&self.nodes[top].cert, &self.nodes[c].cert);
                let own = agree && self.ski_own(c);
                keyed.push((!agree, !own, c));
            }
            keyed.sort_unstable();
            candidates = keyed.into_iter().map(|(_, _, c)| c).collect();
        }
        candidates
    }

    /// The public (Mozilla) roots whose key signed `top` and that the pile does not hold itself
    /// (`held_keys`): each ends a path. Whether one did.
    fn public_roots_above(
        &mut self,
        top: usize,
        issuer_key: &str,
        held_keys: &[Vec<u8>],
        path: &[usize],
        links: &mut Vec<SignatureCheck>,
        paths: &mut Vec<Path>,
    ) -> bool {
        let mut extended = false;
        let public: Vec<&'static PublicAnchor> = self
            .public_by_subject
            .get(issuer_key)
            .cloned()
            .unwrap_or_default();
        for anchor in public {
            if held_keys.contains(&anchor.spki) {
                continue; // the pile holds this root itself; that path is already walked
            }
            match signature::verify(&self.nodes[top].cert, &anchor.key, &anchor.public_key) {
                SignatureCheck::Valid => {
                    links.push(SignatureCheck::Valid);
                    paths.push(Path {
                        nodes: path.to_vec(),
                        links: links.to_vec(),
                        end: PathEnd::PublicRoot(anchor.index),
                    });
                    links.pop();
                    extended = true;
                }
                SignatureCheck::Invalid => {}
                SignatureCheck::Unverifiable(why) => {
                    self.unverifiable.push((top, anchor.subject.clone(), why));
                }
            }
        }
        extended
    }
}
