//! Chain building: from a pile of certificates to the best path leaf → intermediates → trust anchor.
//!
//! Candidate issuers are found by name (normalised subject = issuer), ordered by AKI/SKI agreement,
//! and accepted only when the issuer's key verifies the signature. The search is a depth-first walk
//! with a budget (as in rustls-webpki), so loops, decoys and huge piles end quickly.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::cert::{Certificate, Fingerprint};
use super::finding::{Code, Finding};
use super::hostname;
use super::load::Loaded;
use super::signature::{self, SignatureCheck};
use super::trust::{PublicAnchor, public_anchors};
use super::{CheckOptions, Profile};

/// Longest path considered, in certificates (leaf and anchor included).
const MAX_DEPTH: usize = 10;
/// Search steps (DFS nodes visited) before giving up, per leaf.
const MAX_STEPS: usize = 20_000;
/// Signature verifications before giving up, per analysis.
const MAX_SIGNATURE_CHECKS: usize = 2_000;
/// Complete paths remembered per leaf.
const MAX_PATHS: usize = 256;
/// Leaves tried when the leaf is ambiguous.
const MAX_AMBIGUOUS_LEAVES: usize = 64;

/// A certificate in the analysis.
#[derive(Debug, Clone)]
pub struct Node {
    pub cert: Arc<Certificate>,
    /// Came from the inputs (not only from `--roots`).
    pub in_input: bool,
    /// Is a trust anchor.
    pub trusted: bool,
}

/// How a path ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathEnd {
    /// The last certificate is a trust anchor we hold.
    Anchor,
    /// The last certificate is issued by this public root (index into [`public_anchors`]), not held.
    PublicRoot(usize),
    /// The last certificate is self-signed but not trusted.
    UntrustedRoot,
    /// No issuer was found for the last certificate.
    Incomplete,
}

/// One path, leaf (or lowest CA) first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub nodes: Vec<usize>,
    /// `links[i]`: the signature of `nodes[i]` checked with the key of the next certificate up (for a
    /// `PublicRoot` end, the last link is the public root's key).
    pub links: Vec<SignatureCheck>,
    pub end: PathEnd,
}

impl Path {
    fn reaches_anchor(&self) -> bool {
        matches!(self.end, PathEnd::Anchor | PathEnd::PublicRoot(_))
    }
}

/// The outcome of chain building.
#[derive(Debug, Clone)]
pub struct Built {
    pub nodes: Vec<Node>,
    pub chosen: Option<Path>,
    /// The first certificate of the chosen path is an end-entity (false: only CA certificates).
    pub has_leaf: bool,
    pub alternates: Vec<Path>,
    pub excluded: Vec<(usize, Code)>,
    /// Duplicates: the source they came from and the node they duplicate.
    pub duplicates: Vec<(String, usize)>,
    pub findings: Vec<Finding>,
    pub public: bool,
}

impl Built {
    /// The certificates of the chosen path, leaf first.
    pub fn chain(&self) -> impl Iterator<Item = &Node> {
        self.chosen
            .iter()
            .flat_map(|p| p.nodes.iter().map(|i| &self.nodes[*i]))
    }
}

/// Builds the best path from the pile.
pub fn build(inputs: &Loaded, roots: Option<&Loaded>, options: &CheckOptions) -> Built {
    let mut findings = Vec::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut by_fingerprint: HashMap<Fingerprint, usize> = HashMap::new();
    let mut duplicates = Vec::new();
    let mut excluded: Vec<(usize, Code)> = Vec::new();

    for cert in &inputs.certificates {
        if let Some(&kept) = by_fingerprint.get(&cert.sha256) {
            findings.push(Finding::new(
                Code::ChainDuplicate,
                Some(cert.sha256),
                format!(
                    "\"{}\" appears more than once ({} and {}); kept once",
                    cert.display_name(),
                    nodes[kept].cert.source,
                    cert.source
                ),
            ));
            duplicates.push((cert.source.clone(), kept));
            continue;
        }
        by_fingerprint.insert(cert.sha256, nodes.len());
        nodes.push(Node {
            cert: cert.clone(),
            in_input: true,
            trusted: false,
        });
    }
    let byoc_cloud = options.profile == Profile::GenesysByocCloud;
    let use_public = options.public_roots || byoc_cloud;
    let mut search = Search::new(use_public);

    // Trust anchors. Genesys Cloud trusts public CAs only, whatever the input holds or --roots says.
    if byoc_cloud {
        for node in &mut nodes {
            node.trusted = search.public_twin(&node.cert).is_some();
        }
    } else if let Some(roots) = roots {
        for cert in &roots.certificates {
            match by_fingerprint.get(&cert.sha256) {
                Some(&i) => nodes[i].trusted = true,
                None => {
                    by_fingerprint.insert(cert.sha256, nodes.len());
                    nodes.push(Node {
                        cert: cert.clone(),
                        in_input: false,
                        trusted: true,
                    });
                }
            }
        }
    }

    let mut by_subject: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        by_subject
            .entry(node.cert.subject_key.clone())
            .or_default()
            .push(i);
    }
    // issued_other[i]: node i is named as the issuer of some other node (AKI/SKI agreeing when both exist).
    let mut issued_other = vec![false; nodes.len()];
    for (j, node) in nodes.iter().enumerate() {
        for &i in by_subject.get(&node.cert.issuer_key).into_iter().flatten() {
            if i != j && key_ids_agree(&node.cert, &nodes[i].cert) {
                issued_other[i] = true;
            }
        }
    }
    search.nodes = nodes;
    search.by_subject = by_subject;

    if roots.is_none() && !byoc_cloud {
        // Without --roots, a self-signed CA certificate in the input is the anchor.
        for (i, issued) in issued_other.iter().enumerate() {
            let cert = &search.nodes[i].cert;
            let may_be_ca = cert.basic_constraints.is_none_or(|bc| bc.ca);
            if may_be_ca && (cert.is_ca() || *issued) && search.is_self_signed(i) {
                search.nodes[i].trusted = true;
            }
        }
    }

    // Leaf candidates: end-entities that issued nothing; else the lowest CAs; else roots.
    let input_nodes: Vec<usize> = (0..search.nodes.len())
        .filter(|i| search.nodes[*i].in_input)
        .collect();
    let pinned = options.leaf.and_then(|fp| {
        input_nodes
            .iter()
            .copied()
            .find(|i| search.nodes[*i].cert.sha256 == fp)
    });
    let mut has_leaf = true;
    let mut candidates: Vec<usize> = match pinned {
        Some(i) => vec![i],
        None => input_nodes
            .iter()
            .copied()
            .filter(|i| !search.nodes[*i].cert.is_ca() && !issued_other[*i])
            .collect(),
    };
    if candidates.is_empty() {
        has_leaf = false;
        candidates = input_nodes
            .iter()
            .copied()
            .filter(|i| !issued_other[*i] && !search.is_self_signed(*i))
            .collect();
        if candidates.is_empty() {
            candidates = input_nodes
                .iter()
                .copied()
                .filter(|i| !issued_other[*i])
                .collect();
        }
        if candidates.is_empty() {
            candidates = input_nodes.first().copied().into_iter().collect();
        }
    }
    if candidates.len() > 1
        && let Some(host) = &options.host
    {
        let sip = options.profile == Profile::SipMutualTls;
        let matching: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|i| hostname::find_match(&search.nodes[*i].cert, host, sip).is_some())
            .collect();
        if !matching.is_empty() {
            candidates = matching;
        }
    }

    let mut chosen: Option<Path> = None;
    let mut alternates = Vec::new();
    for &start in candidates.iter().take(MAX_AMBIGUOUS_LEAVES) {
        let mut paths = search.paths_from(start);
        paths.sort_by_key(|p| std::cmp::Reverse(search.rank(p, options)));
        let mut paths = paths.into_iter();
        let Some(best) = paths.next() else { continue };
        let better = chosen
            .as_ref()
            .is_none_or(|c| search.rank(&best, options) > search.rank(c, options));
        if better {
            alternates = paths.filter(Path::reaches_anchor).collect();
            chosen = Some(best);
        }
    }
    if candidates.len() > 1 {
        let names: Vec<String> = candidates
            .iter()
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
        let hint = if options.host.is_some() {
            "more than one is valid for the host"
        } else {
            "give --host or pin one with --leaf"
        };
        findings.push(Finding::new(
            Code::ChainAmbiguousLeaf,
            None,
            format!(
                "{} possible leaves ({hint}): {}",
                candidates.len(),
                names.join(", ")
            ),
        ));
        let chosen_start = chosen.as_ref().map(|p| p.nodes[0]);
        for &i in &candidates {
            if Some(i) != chosen_start {
                excluded.push((i, Code::ChainAmbiguousLeaf));
            }
        }
    }

    let mut built = Built {
        nodes: Vec::new(),
        chosen,
        has_leaf,
        alternates,
        excluded,
        duplicates,
        findings,
        public: use_public,
    };
    search.describe(&mut built, options);
    built.nodes = search.nodes;
    built
}

/// Whether `child`'s AKI and `issuer`'s SKI agree (or cannot be compared).
fn key_ids_agree(child: &Certificate, issuer: &Certificate) -> bool {
    match (&child.authority_key_id, &issuer.subject_key_id) {
        (Some(aki), Some(ski)) => aki == ski,
        _ => true,
    }
}

struct Search {
    nodes: Vec<Node>,
    by_subject: HashMap<String, Vec<usize>>,
    public_by_subject: HashMap<&'static str, Vec<&'static PublicAnchor>>,
    signatures: HashMap<(usize, usize), SignatureCheck>,
    self_signed: HashMap<usize, bool>,
    signature_checks: usize,
    steps: usize,
    exhausted: bool,
    looped: bool,
    bad_signatures: Vec<(usize, usize)>,
}

type Rank = (bool, u8, bool, i64, i64, bool);

impl Search {
    fn new(use_public: bool) -> Self {
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
            self_signed: HashMap::new(),
            signature_checks: 0,
            steps: 0,
            exhausted: false,
            looped: false,
            bad_signatures: Vec::new(),
        }
    }

    /// The public root that is this very certificate (same name and key), if any.
    fn public_twin(&self, cert: &Certificate) -> Option<&'static PublicAnchor> {
        self.public_by_subject
            .get(cert.subject_key.as_str())?
            .iter()
            .copied()
            .find(|a| a.spki == cert.spki)
    }

    fn is_self_signed(&mut self, i: usize) -> bool {
        if let Some(known) = self.self_signed.get(&i) {
            return *known;
        }
        let cert = &self.nodes[i].cert;
        let result = cert.is_self_issued()
            && signature::verify(cert, &cert.key, &cert.public_key) != SignatureCheck::Invalid;
        self.self_signed.insert(i, result);
        result
    }

    fn signature(&mut self, child: usize, issuer: usize) -> SignatureCheck {
        if let Some(known) = self.signatures.get(&(child, issuer)) {
            return *known;
        }
        self.signature_checks += 1;
        if self.signature_checks > MAX_SIGNATURE_CHECKS {
            self.exhausted = true;
            return SignatureCheck::Invalid;
        }
        let issuer_cert = &self.nodes[issuer].cert;
        let check = signature::verify(
            &self.nodes[child].cert,
            &issuer_cert.key,
            &issuer_cert.public_key,
        );
        self.signatures.insert((child, issuer), check);
        check
    }

    fn paths_from(&mut self, start: usize) -> Vec<Path> {
        self.steps = 0;
        let mut paths = Vec::new();
        let mut path = vec![start];
        let mut links = Vec::new();
        self.walk(&mut path, &mut links, &mut paths);
        paths
    }

    fn walk(
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
        if self.nodes[top].trusted {
            return record(PathEnd::Anchor, path, links, paths);
        }
        if self.is_self_signed(top) {
            return record(PathEnd::UntrustedRoot, path, links, paths);
        }
        if self.exhausted {
            return record(PathEnd::Incomplete, path, links, paths);
        }
        let issuer_key = self.nodes[top].cert.issuer_key.clone();
        let mut candidates: Vec<usize> = self
            .by_subject
            .get(&issuer_key)
            .into_iter()
            .flatten()
            .copied()
            .filter(|c| *c != top)
            .collect();
        // AKI/SKI agreement first: the likely issuer is tried (and verified) first.
        candidates.sort_by_key(|c| !key_ids_agree(&self.nodes[top].cert, &self.nodes[*c].cert));
        let mut extended = false;
        let mut held_keys: Vec<Vec<u8>> = Vec::new();
        for candidate in candidates {
            if path.contains(&candidate) {
                self.looped = true;
                continue;
            }
            if path.len() >= MAX_DEPTH {
                continue;
            }
            let check = self.signature(top, candidate);
            if check == SignatureCheck::Invalid {
                if !self.exhausted {
                    self.bad_signatures.push((top, candidate));
                }
                continue;
            }
            held_keys.push(self.nodes[candidate].cert.spki.clone());
            path.push(candidate);
            links.push(check);
            self.walk(path, links, paths);
            path.pop();
            links.pop();
            extended = true;
        }
        let public: Vec<&'static PublicAnchor> = self
            .public_by_subject
            .get(issuer_key.as_str())
            .cloned()
            .unwrap_or_default();
        for anchor in public {
            if held_keys.contains(&anchor.spki) {
                continue; // the pile holds this root itself; that path is already walked
            }
            let check = signature::verify(&self.nodes[top].cert, &anchor.key, &anchor.public_key);
            if check != SignatureCheck::Invalid {
                links.push(check);
                record(PathEnd::PublicRoot(anchor.index), path, links, paths);
                links.pop();
                extended = true;
            }
        }
        if !extended {
            record(PathEnd::Incomplete, path, links, paths);
        }
    }

    /// Larger is better: through `via` (the user's choice) > reaches an anchor > all valid at `at` > shorter > later expiry > root held.
    fn rank(&self, path: &Path, options: &CheckOptions) -> Rank {
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

    /// Turns the chosen path into findings and exclusions.
    fn describe(&mut self, built: &mut Built, options: &CheckOptions) {
        let Some(path) = built.chosen.clone() else {
            return;
        };
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
                built.findings.push(Finding::new(
                    Code::ChainUnrelated,
                    Some(node.cert.sha256),
                    format!(
                        "\"{}\" ({}) is on no path from the leaf; left out of the bundle",
                        node.cert.display_name(),
                        node.cert.source
                    ),
                ));
            }
        }
        for alternate in built.alternates.iter().take(5) {
            built.findings.push(Finding::new(
                Code::ChainAlternatePath,
                None,
                format!(
                    "another path to a trust anchor exists: {}",
                    self.path_text(alternate)
                ),
            ));
        }

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
            PathEnd::UntrustedRoot => {
                let why = if options.profile == Profile::GenesysByocCloud {
                    "Genesys Cloud (BYOC Cloud) trusts public CAs only, and this root is not in the public (Mozilla) set"
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
            PathEnd::Incomplete => {
                let bad: Vec<usize> = self
                    .bad_signatures
                    .iter()
                    .filter(|(child, _)| *child == top)
                    .map(|(_, issuer)| *issuer)
                    .collect();
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
                    Some(url) => format!("; its issuer can be downloaded from {url}"),
                    None => String::new(),
                };
                let looped = if self.looped {
                    " (the certificates found issue each other in a loop)"
                } else {
                    ""
                };
                let hint = if built.public {
                    " It is not in the Mozilla root set either; if the far end trusts it, pass it with --roots."
                } else {
                    " If it is a public root, add --public-roots."
                };
                built.findings.push(Finding::new(
                    Code::ChainIncomplete,
                    Some(top_cert.sha256),
                    format!(
                        "no path to a trust anchor: the issuer of \"{}\" (\"{}\") is missing{looped}{aia}.{hint}",
                        top_cert.display_name(),
                        top_cert.issuer
                    ),
                ));
            }
        }
        let root_held = path.end == PathEnd::Anchor && self.nodes[top].in_input;
        if options.profile == Profile::GenesysByocPremises && !root_held {
            built.findings.push(Finding::new(
                Code::ChainRootMissing,
                None,
                "the BYOC Premises certificate-authority upload needs the root CA certificate, and the input does not hold it",
            ));
        }
        if self.exhausted {
            built.findings.push(Finding::new(
                Code::ChainSearchBudget,
                None,
                format!(
                    "path search stopped after {} steps and {} signature checks; the chain shown is the best found",
                    self.steps, self.signature_checks
                ),
            ));
        }

        // Reordering: were the chain's input certificates given leaf first, issuer after issuer?
        let positions: Vec<usize> = path
            .nodes
            .iter()
            .copied()
            .filter(|i| self.nodes[*i].in_input)
            .collect();
        if positions.windows(2).any(|w| w[0] > w[1]) {
            let mut given = positions.clone();
            given.sort_unstable();
            let given: Vec<String> = given
                .iter()
                .map(|i| self.nodes[*i].cert.display_name())
                .collect();
            built.findings.push(Finding::new(
                Code::ChainOrder,
                None,
                format!(
                    "the input order was {}; the bundle is written leaf first: {}",
                    given.join(", "),
                    self.path_text(&path)
                ),
            ));
        }
    }

    fn path_text(&self, path: &Path) -> String {
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
        names.join(" -> ")
    }
}
