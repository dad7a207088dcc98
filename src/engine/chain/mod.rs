//! Chain building: from a pile of certificates to the best path leaf → intermediates → trust anchor.
//!
//! Candidate issuers are found by name (normalised subject = issuer), ordered by AKI/SKI agreement,
//! and accepted only when the issuer's key verifies the signature. The search is a depth-first walk
//! with a budget (as in rustls-webpki), so loops, decoys and huge piles end quickly.
//!
//! This file owns the types and [`build`]; beside it: [`pile`] (from the pile to what the search
//! walks: each certificate once, the anchors, the indexes, the leaf candidates), [`walk`] (the
//! depth-first search and its budgets), [`rank`] (choosing among paths), [`describe`] (the chain's
//! findings in words).

mod describe;
mod pile;
mod rank;
mod walk;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::cert::{Certificate, Fingerprint};
use super::finding::{Code, Finding};
use super::hostname;
use super::load::Loaded;
use super::signature::{self, SignatureCheck, Unverifiable};
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
/// Candidate issuers of one name tried for one certificate (look-alike piles).
const MAX_TRIES_PER_NAME: usize = 64;
/// Paths judged with every check (best quick rank first).
const MAX_JUDGED: usize = 64;

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
    pub fn reaches_anchor(&self) -> bool {
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
    /// Signature verifications made while building paths (self-signatures included).
    pub signature_checks: usize,
    /// What [`super::judge_path`] found on the chosen path, when it was judged during the search.
    pub chosen_findings: Option<Vec<Finding>>,
}

/// One path with the certificates it indexes: what the checks and the verdicts judge.
#[derive(Debug, Clone, Copy)]
pub struct PathView<'a> {
    pub nodes: &'a [Node],
    pub path: &'a Path,
    /// The first certificate is an end-entity (false: only CA certificates).
    pub has_leaf: bool,
}

impl<'a> PathView<'a> {
    /// The certificate at `i` (an index into `nodes`).
    pub fn cert(&self, i: usize) -> &'a Certificate {
        &self.nodes[i].cert
    }
}

impl Built {
    /// The chosen path as a view, if there is one.
    pub fn view(&self) -> Option<PathView<'_>> {
        Some(PathView {
            nodes: &self.nodes,
            path: self.chosen.as_ref()?,
            has_leaf: self.has_leaf,
        })
    }

    /// The certificates of the chosen path, leaf first.
    pub fn chain(&self) -> impl Iterator<Item = &Node> {
        self.chosen
            .iter()
            .flat_map(|p| p.nodes.iter().map(|i| &self.nodes[*i]))
    }
}

/// The names a leaf is for (subjectAltName DNS names and addresses, and its Common Name), lower-case:
/// two leaves sharing one are renewals of each other.
fn names_of(cert: &Certificate) -> HashSet<String> {
    hostname::names_valid_for(cert, false)
        .into_iter()
        .chain(cert.subject_common_name.clone())
        .map(|n| n.to_ascii_lowercase())
        .collect()
}

/// Builds the best path from the pile: each certificate once, the trust anchors, the leaf candidates
/// (previous leaves of a renewal set aside), every path from them, each judged by every check.
pub fn build(inputs: &Loaded, roots: Option<&Loaded>, options: &CheckOptions) -> Built {
    let mut pile = pile::Pile::of(inputs);
    let public_only = options.profile.public_roots_only();
    let use_public = options.public_roots || public_only;
    let mut search = Search::new(use_public);
    pile.add_anchors(&mut search, roots, options);
    let issued_other = pile.index(&mut search, roots.is_none() && !public_only);
    let mut leaves = pile::Leaves::of(&search, &issued_other, options);
    leaves.set_aside_previous(&search, options, &mut pile);

    // Every path from every candidate leaf, then each judged by every check of the engine.
    let mut paths: Vec<Path> = Vec::new();
    for &start in leaves.candidates.iter().take(MAX_AMBIGUOUS_LEAVES) {
        paths.extend(search.paths_from(start));
    }
    for i in search.found_anchors.clone() {
        search.nodes[i].trusted = true;
    }
    let judged = search.judge(paths, leaves.has_leaf, options);
    let chosen = judged.first().map(|j| j.path.clone());
    let chosen_findings = judged.first().and_then(|j| j.findings.clone());
    let chosen_start = chosen.as_ref().map(|p| p.nodes[0]);
    let alternates: Vec<Judged> = judged
        .into_iter()
        .skip(1)
        .filter(|j| j.path.reaches_anchor() && Some(j.path.nodes[0]) == chosen_start)
        .collect();
    leaves.say_if_ambiguous(&search, options, chosen_start, &mut pile);

    let mut built = Built {
        nodes: Vec::new(),
        chosen,
        has_leaf: leaves.has_leaf,
        alternates: alternates.iter().map(|j| j.path.clone()).collect(),
        excluded: pile.excluded,
        duplicates: pile.duplicates,
        findings: pile.findings,
        public: use_public,
        signature_checks: 0,
        chosen_findings,
    };
    search.describe(&mut built, &alternates, options);
    built.signature_checks = search.signature_checks;
    built.nodes = search.nodes;
    built
}

/// Why `cert`'s own trust settings (OpenSSL's `TRUSTED CERTIFICATE` form) forbid it to anchor a TLS
/// server's chain, if they do. OpenSSL's rule (`X509_check_trust` for the SSL server purpose):
/// rejected for serverAuth or any purpose, or trusted only for others. Said (`trust.anchor-refused`)
/// only when the chosen path ends at it: a trust bundle full of rejected roots is not an error.
fn anchor_refusal(cert: &Certificate) -> Option<String> {
    cert.trust_settings
        .as_ref()
        .and_then(|t| t.refuses(super::cert::OID_SERVER_AUTH))
}

/// For each node, whether it is named as the issuer of some *other* node, AKI/SKI agreeing when both
/// exist. Counted per issuer name and key identifier, so a pile of certificates sharing one name costs
/// linear time, not a comparison of every pair.
fn issued_others(nodes: &[Node], by_subject: &HashMap<String, Vec<usize>>) -> Vec<bool> {
    #[derive(Default)]
    struct Children<'a> {
        all: usize,
        without_aki: usize,
        by_aki: HashMap<&'a [u8], usize>,
    }
    let mut children: HashMap<&str, Children<'_>> = HashMap::new();
    for node in nodes {
        let entry = children.entry(node.cert.issuer_key.as_str()).or_default();
        entry.all += 1;
        match &node.cert.authority_key_id {
            Some(aki) => *entry.by_aki.entry(aki.as_slice()).or_default() += 1,
            None => entry.without_aki += 1,
        }
    }
    let mut issued = vec![false; nodes.len()];
    for (subject, members) in by_subject {
        let Some(named) = children.get(subject.as_str()) else {
            continue;
        };
        for &i in members {
            let cert = &nodes[i].cert;
            // A self-issued certificate is among the children of its own name: it does not count.
            let own = cert.is_self_issued();
            let agreeing = match &cert.subject_key_id {
                None => named.all,
                Some(ski) => {
                    named.without_aki + named.by_aki.get(ski.as_slice()).copied().unwrap_or(0)
                }
            };
            let own_agrees = own
                && match (&cert.subject_key_id, &cert.authority_key_id) {
                    (Some(ski), Some(aki)) => ski == aki,
                    _ => true,
                };
            issued[i] = agreeing > usize::from(own_agrees);
        }
    }
    issued
}

/// Whether `child`'s AKI and `issuer`'s SKI agree (or cannot be compared).
fn key_ids_agree(child: &Certificate, issuer: &Certificate) -> bool {
    match (&child.authority_key_id, &issuer.subject_key_id) {
        (Some(aki), Some(ski)) => aki == ski,
        _ => true,
    }
}

/// Whether a certificate's subjectKeyIdentifier is derived from its own public key by one of the
/// methods of RFC 5280 §4.2.1.2 or RFC 7093 (what CAs and tools use). A look-alike that copies a CA's
/// name and key identifier but holds another key fails this, so the real CA is tried first.
fn ski_from_own_key(cert: &Certificate) -> bool {
    use aws_lc_rs::digest;
    let Some(ski) = &cert.subject_key_id else {
        return false;
    };
    let key = &cert.public_key;
    let sha1 = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, key);
    if ski.as_slice() == sha1.as_ref() {
        return true; // RFC 5280 method (1)
    }
    if ski.len() == 8 && ski[0] >> 4 == 0x4 {
        // RFC 5280 method (2): 0100 and the least significant 60 bits of the SHA-1 hash.
        let tail = &sha1.as_ref()[12..];
        return ski[0] & 0x0f == tail[0] & 0x0f && ski[1..] == tail[1..];
    }
    [
        digest::digest(&digest::SHA256, key),
        digest::digest(&digest::SHA384, key),
        digest::digest(&digest::SHA512, key),
        digest::digest(&digest::SHA256, &cert.spki),
    ]
    .iter()
    .any(|d| ski.len() >= 8 && d.as_ref().starts_with(ski))
}

/// A candidate path and what the engine's checks found on it.
#[derive(Debug, Clone)]
pub(crate) struct Judged {
    pub path: Path,
    /// The findings of every check on this path (`None`: not judged, the budget ran out).
    pub findings: Option<Vec<Finding>>,
}

impl Judged {
    fn first_error(&self) -> Option<&Finding> {
        self.findings
            .as_ref()?
            .iter()
            .find(|f| f.severity == super::Severity::Error)
    }
}

/// The findings (code and certificate) that every judged path has: they cannot tell paths apart.
fn shared_findings(judged: &[Judged]) -> HashSet<(Code, Option<Fingerprint>)> {
    let mut all = judged.iter().filter_map(|j| j.findings.as_ref());
    let Some(first) = all.next() else {
        return HashSet::new();
    };
    let mut shared: HashSet<(Code, Option<Fingerprint>)> =
        first.iter().map(|f| (f.code, f.sha256)).collect();
    for findings in all {
        let here: HashSet<(Code, Option<Fingerprint>)> =
            findings.iter().map(|f| (f.code, f.sha256)).collect();
        shared.retain(|k| here.contains(k));
    }
    shared
}

struct Search {
    nodes: Vec<Node>,
    by_subject: HashMap<String, Vec<usize>>,
    public_by_subject: HashMap<&'static str, Vec<&'static PublicAnchor>>,
    /// Signature checks done: (child node, issuer's key index).
    signatures: HashMap<(usize, usize), SignatureCheck>,
    /// `key_index[i]`: one number per distinct subjectPublicKeyInfo among the nodes.
    key_index: Vec<usize>,
    /// Candidate issuers of one name tried before the rest are skipped, in this pass of the walk.
    tries_per_name: usize,
    self_signed: HashMap<usize, bool>,
    /// Without --roots: which nodes may be the anchor if self-signed (empty: none).
    self_anchor: Vec<bool>,
    /// Self-signed CAs of the input that a path reached and took as its anchor.
    found_anchors: HashSet<usize>,
    /// Roots that their own trust settings keep from being anchors, and why.
    refused: HashMap<usize, String>,
    /// Memo: whether a node's subjectKeyIdentifier is derived from its own key.
    ski_own: HashMap<usize, bool>,
    signature_checks: usize,
    steps: usize,
    exhausted: bool,
    looped: bool,
    /// Candidate issuers not tried because one issuer name had too many look-alikes.
    skipped_candidates: usize,
    /// Paths not judged because there were too many.
    unjudged: usize,
    bad_signatures: Vec<(usize, usize)>,
    /// Links refused because the signature could not be checked: (child, issuer's name, why).
    unverifiable: Vec<(usize, String, Unverifiable)>,
}

/// The ranking key of a path; larger is better. See [`Search::rank`].
type Rank = (
    bool,
    u8,
    bool,
    bool,
    std::cmp::Reverse<usize>,
    bool,
    i64,
    std::cmp::Reverse<usize>,
    i64,
    bool,
);

impl Search {}
