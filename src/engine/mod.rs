//! The certificate engine: pure functions from bytes, names and a time to an ordered, checked chain.
//!
//! Nothing here touches the file system, the network, the clock or a UI: inputs come in as bytes with
//! a source name, the validation time as Unix seconds. The CLI and the window only call in.
//!
//! ```text
//! bytes ─► load::load ─► analyze (chain::build ─► checks ─► webpki verdict) ─► Report ─► bundle / JSON
//! ```

mod br;
pub mod bundle;
pub mod cert;
pub mod chain;
pub mod checks;
mod constraints;
mod der;
pub mod finding;
pub mod hostname;
pub mod key;
pub mod load;
pub mod pem;
pub mod report;
pub mod revocation;
pub mod served;
pub mod signature;
pub mod teams;
pub mod text;
pub mod ticket;
pub mod trust;
mod validate;
mod verdict;

use std::fmt;
use std::str::FromStr;

pub use cert::{Certificate, Fingerprint};
pub use finding::{Code, Finding, Severity};
pub use hostname::HostName;
pub use load::{Loaded, load};
pub use report::{ChainEntry, Excluded, Report, Role};

/// What the chain is for; changes which checks apply and what is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Profile {
    /// A TLS server certificate: the leaf must allow serverAuth.
    #[default]
    TlsServer,
    /// SIP over TLS between SBCs, each side also a client: clientAuth wanted, SIP URI SANs match.
    SipMutualTls,
    /// The carrier SBC's chain as Genesys Cloud BYOC Cloud sees it: public roots only, RSA leaf.
    GenesysByocCloud,
    /// The CA certificates for a Genesys BYOC Premises certificate-authority upload: root required.
    GenesysByocPremises,
    /// The SBC's certificate as Microsoft Teams Direct Routing's SIP proxies see it.
    TeamsDirectRouting,
}

impl Profile {
    /// Every profile, in the order shown to users.
    pub const ALL: [Profile; 5] = [
        Self::TlsServer,
        Self::SipMutualTls,
        Self::GenesysByocCloud,
        Self::GenesysByocPremises,
        Self::TeamsDirectRouting,
    ];

    /// The leaf is also a TLS client certificate (the SBC presents it when it connects): clientAuth
    /// required along the path, and the verdict has a client side.
    pub fn mutual(self) -> bool {
        matches!(self, Self::SipMutualTls | Self::TeamsDirectRouting)
    }

    /// The far end trusts public CAs only, whatever the input holds or `--roots` says.
    pub fn public_roots_only(self) -> bool {
        matches!(self, Self::GenesysByocCloud | Self::TeamsDirectRouting)
    }

    /// The name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TlsServer => "tls-server",
            Self::SipMutualTls => "sip-mutual-tls",
            Self::GenesysByocCloud => "genesys-byoc-cloud",
            Self::GenesysByocPremises => "genesys-byoc-premises",
            Self::TeamsDirectRouting => "teams-direct-routing",
        }
    }

    /// One line on what the profile checks.
    pub fn description(self) -> &'static str {
        match self {
            Self::TlsServer => "A TLS server certificate: the leaf must allow serverAuth.",
            Self::SipMutualTls => {
                "SIP TLS between SBCs: also a client, so clientAuth is wanted; sip: URI SANs match the domain."
            }
            Self::GenesysByocCloud => {
                "Your SBC's chain as Genesys Cloud (BYOC Cloud) sees it: public roots only, RSA leaf key."
            }
            Self::GenesysByocPremises => {
                "CA certificates for a Genesys BYOC Premises upload: the whole CA chain, root included."
            }
            Self::TeamsDirectRouting => {
                "Your SBC's certificate as Microsoft Teams Direct Routing sees it: public roots, FQDN in CN or SAN, RSA key, serverAuth and clientAuth."
            }
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|p| p.as_str()).collect();
                format!("unknown profile \"{s}\" (one of: {})", names.join(", "))
            })
    }
}

/// Everything a check depends on besides the certificates.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub host: Option<HostName>,
    /// The certificate to use as the leaf (`--leaf`).
    pub leaf: Option<Fingerprint>,
    pub profile: Profile,
    /// Validation time, Unix seconds.
    pub at: i64,
    /// `at` is the current time (no `--at`, no time in the window): dates are worded "ago" / "in",
    /// otherwise "before" / "after the validation time".
    pub at_is_now: bool,
    pub expiry_warning_days: u32,
    pub strict: bool,
    /// Add the Mozilla root set (webpki-roots) to the trust anchors.
    pub public_roots: bool,
    /// Prefer a path through this certificate (choosing an alternate path); ranks before everything.
    pub via: Option<Fingerprint>,
    /// CRLs to check revocation with (`--crl`, fetched ones); those found among the inputs are added
    /// by [`analyze`].
    pub crls: Vec<std::sync::Arc<revocation::Crl>>,
    /// Revocation was asked for (`--crl`, `--fetch-crl`, the window's toggle): a certificate naming a
    /// CRL distribution point with no usable CRL is `revocation.unknown`.
    pub revocation: bool,
    /// Teams Direct Routing: the SBC's own trust store (`--sbc-trust`), checked for the roots Microsoft's
    /// SIP proxies chain to.
    pub sbc_trust: Option<Vec<std::sync::Arc<cert::Certificate>>>,
}

impl CheckOptions {
    /// Defaults for a check at `at`.
    pub fn new(at: i64) -> Self {
        Self {
            host: None,
            leaf: None,
            profile: Profile::default(),
            at,
            at_is_now: true,
            expiry_warning_days: 30,
            strict: false,
            public_roots: false,
            via: None,
            crls: Vec::new(),
            revocation: false,
            sbc_trust: None,
        }
    }
}

/// Orders and checks `inputs` (everything loaded, with the loader's findings) against `roots`
/// (`--roots`; `None` means "a self-signed CA in the input is the anchor").
pub fn analyze(inputs: &Loaded, roots: Option<&Loaded>, options: &CheckOptions) -> Report {
    // CRLs beside the chain in the input count as if given with --crl.
    let with_crls;
    let options = if inputs.crls.is_empty() {
        options
    } else {
        let mut o = options.clone();
        o.crls.extend(inputs.crls.iter().cloned());
        with_crls = o;
        &with_crls
    };
    let built = chain::build(inputs, roots, options);
    let mut findings = inputs.findings.clone();
    // Nothing checked is not a pass: an empty folder, a folder of keys, a lone key.
    if inputs.certificates.is_empty()
        && !findings
            .iter()
            .any(|f| f.code == Code::InputNoCertificate && f.severity == Severity::Error)
    {
        findings.push(Finding::new(
            Code::InputNoCertificate,
            None,
            "no certificate was found in the input, so nothing was checked",
        ));
    }
    if let Some(roots) = roots {
        findings.extend(roots.findings.iter().cloned());
    }
    findings.extend(built.findings.iter().cloned());
    findings.extend(key_findings(inputs, &built));
    findings.extend(teams::sbc_trust_findings(options));
    strictness(&mut findings, options);
    match (&built.chosen_findings, built.view()) {
        (Some(judged), _) => findings.extend(judged.iter().cloned()),
        (None, Some(view)) => findings.extend(judge_path(view, options)),
        (None, None) => {}
    }
    report::Report::new(built, findings, options)
}

/// Whether each private key among the inputs is the leaf's: its public half against the leaf's public
/// key (what a TLS server checks when it loads the pair). A key that belongs to another certificate
/// of the input (a CA's key in an openssl working folder) is not the leaf's either, but it is no
/// mismatch: it has its `input.private-key` warning only. An unreadable key was said by the loader.
fn key_findings(inputs: &Loaded, built: &chain::Built) -> Vec<Finding> {
    let Some(view) = built.view().filter(|v| v.has_leaf) else {
        return Vec::new();
    };
    let Some(&leaf_index) = view.path.nodes.first() else {
        return Vec::new();
    };
    let leaf = view.cert(leaf_index);
    let mut findings = Vec::new();
    for key in &inputs.keys {
        match key::owner(key, Some(leaf), &inputs.certificates) {
            key::KeyOwner::Leaf => findings.push(Finding::new(
                Code::KeyMatchesLeaf,
                Some(leaf.sha256),
                format!(
                    "{} holds the private key of the leaf, {}",
                    key.source,
                    leaf.display_name()
                ),
            )),
            key::KeyOwner::Nobody => findings.push(Finding::new(
                Code::KeyDoesNotMatchLeaf,
                Some(leaf.sha256),
                format!(
                    "{} holds a private key that is neither the leaf's ({}) nor that of any other certificate loaded: their public keys differ",
                    key.source,
                    leaf.display_name()
                ),
            )),
            key::KeyOwner::OtherCertificate | key::KeyOwner::Unread => {}
        }
    }
    findings
}

/// Every check of the engine on one path, the independent verdict included (run only when the other
/// checks found no error: it would repeat them). Path building judges each candidate path with this,
/// so the chosen path and the report agree.
pub(crate) fn judge_path(view: chain::PathView<'_>, options: &CheckOptions) -> Vec<Finding> {
    let mut findings = checks::run(view, options);
    findings.extend(revocation::check(view, options));
    strictness(&mut findings, options);
    if !findings.iter().any(|f| f.severity == Severity::Error) {
        findings.extend(verdict::verdict(view, options));
    }
    findings
}

/// `--strict`: the RFC 5280 and CA/Browser Forum families become errors.
fn strictness(findings: &mut [Finding], options: &CheckOptions) {
    if options.strict {
        for finding in findings {
            let code = finding.code.as_str();
            if (code.starts_with("rfc5280.") || code.starts_with("cabf."))
                && !finding.code.advisory()
            {
                finding.severity = Severity::Error;
            }
        }
    }
}
