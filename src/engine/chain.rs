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
    let public_only = options.profile.public_roots_only();
    let use_public = options.public_roots || public_only;
    let mut search = Search::new(use_public);

    // Trust anchors. Genesys Cloud trusts public CAs only, whatever the input holds or --roots says.
    if public_only {
        for node in &mut nodes {
            node.trusted = search.public_twin(&node.cert).is_some();
        }
        // Microsoft's root program is not Mozilla's: it still holds roots Mozilla dropped (DigiCert
        // Global Root CA). The roots Microsoft's own SIP proxies chain to are certainly in it, so they
        // are anchors too.
        if options.profile == Profile::TeamsDirectRouting {
            for cert in super::teams::roots() {
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
    } else if let Some(roots) = roots {
        for cert in &roots.certificates {
            let refusal = anchor_refusal(cert);
            let i = match by_fingerprint.get(&cert.sha256) {
                Some(&i) => i,
                None => {
                    by_fingerprint.insert(cert.sha256, nodes.len());
                    nodes.push(Node {
                        cert: cert.clone(),
                        in_input: false,
                        trusted: false,
                    });
                    nodes.len() - 1
                }
            };
            match refusal {
                // Kept as a certificate (a path may end there, and then says why it is not trusted).
                Some(why) => {
                    search.refused.insert(i, why);
                }
                None => nodes[i].trusted = true,
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
    // issued_other[i]: node i is named as the issuer of some other node (AKI/SKI agreeing when both
    // exist). Names only: no signature is checked for certificates that no path goes through.
    let issued_other = issued_others(&nodes, &by_subject);
    // Without --roots, a self-signed CA certificate in the input is the anchor. Which ones are is
    // decided when a path reaches them (a self-signature is checked only there), so that a pile of
    // unrelated self-signed CAs costs no signature check.
    if roots.is_none() && !public_only {
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
    // Certificates that share a key share their signature checks: a pile of look-alikes made with
    // one key costs one verification per child, not one per look-alike.
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
            .filter(|i| !issued_other[*i] && !search.nodes[*i].cert.is_self_issued())
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
    let mut host_matches = 0;
    if candidates.len() > 1
        && let Some(host) = &options.host
    {
        let sip = options.profile == Profile::SipMutualTls;
        let matching: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|i| hostname::find_match(&search.nodes[*i].cert, host, sip).is_some())
            .collect();
        host_matches = matching.len();
        if !matching.is_empty() {
            candidates = matching;
        }
    }

    // A renewal folder holds last year's certificate beside this year's, for the same names. Of the
    // candidates for the same names (those valid for the host; without a host, those sharing a name
    // with the newest), the newest — latest notBefore, then latest notAfter — is the leaf; the others
    // are previous certificates, left out (`chain.previous-leaf`). The choice stays ambiguous only
    // when the newest cannot be told apart (same dates) or other names remain.
    if has_leaf && pinned.is_none() && candidates.len() > 1 {
        let dates = |i: usize| {
            let c = &search.nodes[i].cert;
            (c.not_before, c.not_after)
        };
        let newest = candidates
            .iter()
            .copied()
            .max_by_key(|i| dates(*i))
            .unwrap_or(candidates[0]);
        let newest_names = names_of(&search.nodes[newest].cert);
        let siblings: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|i| {
                host_matches > 0 || !names_of(&search.nodes[*i].cert).is_disjoint(&newest_names)
            })
            .collect();
        let tied = siblings
            .iter()
            .any(|i| *i != newest && dates(*i) == dates(newest));
        if !tied && siblings.len() > 1 {
            let previous: Vec<usize> = siblings.into_iter().filter(|i| *i != newest).collect();
            candidates.retain(|i| !previous.contains(i));
            let new = &search.nodes[newest].cert;
            let what = match &options.host {
                Some(host) if host_matches > 0 => format!("for {host}"),
                _ => "for the same names".to_string(),
            };
            for &i in &previous {
                let old = &search.nodes[i].cert;
                findings.push(Finding::new(
                    Code::ChainPreviousLeaf,
                    Some(old.sha256),
                    format!(
                        "{}: \"{}\", valid until {} ({}), is an earlier certificate {what}; the newest, \"{}\" ({}, valid from {}), is the leaf, and this one is left out",
                        old.source,
                        old.display_name(),
                        super::checks::date(old.not_after),
                        super::checks::expiry_words(old.not_after, options.at, options.at_is_now),
                        new.display_name(),
                        new.source,
                        super::checks::date(new.not_before),
                    ),
                ));
                excluded.push((i, Code::ChainPreviousLeaf));
            }
        }
    }

    // Every path from every candidate leaf, then each judged by every check of the engine.
    let mut paths: Vec<Path> = Vec::new();
    for &start in candidates.iter().take(MAX_AMBIGUOUS_LEAVES) {
        paths.extend(search.paths_from(start));
    }
    for i in search.found_anchors.clone() {
        search.nodes[i].trusted = true;
    }
    let judged = search.judge(paths, has_leaf, options);
    let chosen = judged.first().map(|j| j.path.clone());
    let chosen_findings = judged.first().and_then(|j| j.findings.clone());
    let chosen_start = chosen.as_ref().map(|p| p.nodes[0]);
    let alternates: Vec<Judged> = judged
        .into_iter()
        .skip(1)
        .filter(|j| j.path.reaches_anchor() && Some(j.path.nodes[0]) == chosen_start)
        .collect();
    if candidates.len() > 1 {
        let mut names: Vec<String> = candidates
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
        if candidates.len() > names.len() {
            names.push(format!("and {} more", candidates.len() - names.len()));
        }
        let hint = if host_matches > 1 {
            "more than one is valid for the host, with the same dates; pin one"
        } else if options.host.is_some() {
            "none is valid for the host; check the host name's spelling or pin one"
        } else {
            "they are for different names; give the host name or pin one"
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
        alternates: alternates.iter().map(|j| j.path.clone()).collect(),
        excluded,
        duplicates,
        findings,
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
    fn public_twin(&self, cert: &Certificate) -> Option<&'static PublicAnchor> {
        self.public_by_subject
            .get(cert.subject_key.as_str())?
            .iter()
            .copied()
            .find(|a| a.spki == cert.spki)
    }

    /// Self-issued and its own key verifies its signature. A self-signature that cannot be checked
    /// (an old algorithm) still counts: a trust anchor's self-signature is not relied on (RFC 5280
    /// §6.1.1 (d)); whether the root is trusted is the user's choice, not its signature's.
    fn is_self_signed(&mut self, i: usize) -> bool {
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
    fn is_anchor(&mut self, i: usize) -> bool {
        if self.nodes[i].trusted {
            return true;
        }
        if self.self_anchor.get(i).copied().unwrap_or(false) && self.is_self_signed(i) {
            self.found_anchors.insert(i);
            return true;
        }
        false
    }

    fn ski_own(&mut self, i: usize) -> bool {
        if let Some(known) = self.ski_own.get(&i) {
            return *known;
        }
        let own = ski_from_own_key(&self.nodes[i].cert);
        self.ski_own.insert(i, own);
        own
    }

    fn signature(&mut self, child: usize, issuer: usize) -> SignatureCheck {
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
    fn paths_from(&mut self, start: usize) -> Vec<Path> {
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

    fn walk_from(&mut self, start: usize) -> Vec<Path> {
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
        let mut candidates: Vec<usize> = self
            .by_subject
            .get(&issuer_key)
            .into_iter()
            .flatten()
            .copied()
            .filter(|c| *c != top)
            .collect();
        // The likely issuer first: AKI/SKI agreement, then a key identifier derived from the
        // candidate's own key (look-alikes that copy a CA's name and identifier fail this), then input
        // order. Past MAX_TRIES_PER_NAME the rest are skipped (and counted), so one pile of look-alikes
        // cannot use up the signature budget of the whole search.
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
        let public: Vec<&'static PublicAnchor> = self
            .public_by_subject
            .get(issuer_key.as_str())
            .cloned()
            .unwrap_or_default();
        for anchor in public {
            if held_keys.contains(&anchor.spki) {
                continue; // the pile holds this root itself; that path is already walked
            }
            match signature::verify(&self.nodes[top].cert, &anchor.key, &anchor.public_key) {
                SignatureCheck::Valid => {
                    links.push(SignatureCheck::Valid);
                    record(PathEnd::PublicRoot(anchor.index), path, links, paths);
                    links.pop();
                    extended = true;
                }
                SignatureCheck::Invalid => {}
                SignatureCheck::Unverifiable(why) => {
                    self.unverifiable.push((top, anchor.subject.clone(), why));
                }
            }
        }
        if !extended {
            record(PathEnd::Incomplete, path, links, paths);
        }
    }

    /// Larger is better: through `via` (the user's choice) > reaches an anchor > no error finding of
    /// its own > all valid at `at` > fewer errors of its own > every link's key identifiers agree >
    /// shorter > fewer warnings of its own > later expiry > root held.
    ///
    /// "Of its own": a finding (code and certificate) that every judged path shares, such as an error
    /// of the leaf itself, never decides between paths; only the findings that differ do.
    fn rank(
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
                    .filter(|f| f.severity == super::Severity::Error)
                    .count();
                let warnings = own
                    .filter(|f| f.severity == super::Severity::Warning)
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
    fn key_ids_agree_along(&self, path: &Path) -> bool {
        path.nodes
            .windows(2)
            .all(|w| key_ids_agree(&self.nodes[w[0]].cert, &self.nodes[w[1]].cert))
    }

    /// The rank without the judgement: what orders paths before they are judged.
    fn quick_rank(&self, path: &Path, options: &CheckOptions) -> (bool, u8, bool, i64, i64, bool) {
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
    fn judge(
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
                // The budget's exact edge (64 judged, the 65th not) is not tested: it takes more
                // than 64 candidate paths; see docs/DEVELOPMENT.md (mutation testing).
                let findings = (n < MAX_JUDGED).then(|| {
                    let view = PathView {
                        nodes: &self.nodes,
                        path: &path,
                        has_leaf,
                    };
                    super::judge_path(view, options)
                });
                Judged { path, findings }
            })
            .collect();
        let shared = shared_findings(&judged);
        judged.sort_by_cached_key(|j| std::cmp::Reverse(self.rank(j, &shared, options)));
        judged
    }

    /// Turns the chosen path into findings and exclusions.
    fn describe(&mut self, built: &mut Built, alternates: &[Judged], options: &CheckOptions) {
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
            PathEnd::Incomplete => {
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
                        super::text::escape(url)
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
                } else if super::trust::public_anchors()
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
        }
        let root_held = path.end == PathEnd::Anchor && self.nodes[top].in_input;
        if options.profile == Profile::GenesysByocPremises && !root_held {
            built.findings.push(Finding::new(
                Code::ChainRootMissing,
                None,
                "the BYOC Premises certificate-authority upload needs the root CA certificate, and the chain does not end at a root held in the input",
            ));
        }
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
                        self.path_text(&path)
                    ),
                ));
            }
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
        names.join(" → ")
    }
}
