//! The report in sentences: the headline, the verdict line, and what to do about each finding
//! (worded for the command line or the window).

use super::*;

impl Report {
    /// The one line a banner shows. Passed: what the bundle written with `bundle` holds ("Ready:
    /// bundle of 2 — leaf + 1 intermediate, root not included — valid until 2028-01-02"). Not
    /// passed: the first problem in a few words and how many more ("Not ready — the leaf is for
    /// sbc9.other.example, not sbc1.carrier.example (and 1 more)").
    pub fn headline(&self, bundle: crate::engine::bundle::BundleOptions) -> String {
        let errors: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        if let Some(first) = errors.iter().min_by_key(|f| headline_rank(f.code)) {
            let more = match errors.len() - 1 {
                0 => String::new(),
                n => format!(" (and {n} more)"),
            };
            return format!("Not ready — {}{more}", self.problem_words(first));
        }
        let taken: Vec<&ChainEntry> = self
            .chain
            .iter()
            .filter(|e| crate::engine::bundle::takes(e.role, bundle))
            .collect();
        if taken.is_empty() {
            return "Nothing to bundle".into();
        }
        let mut parts: Vec<String> = Vec::new();
        if taken.iter().any(|e| e.role == Role::Leaf) {
            parts.push("leaf".into());
        }
        match taken
            .iter()
            .filter(|e| e.role == Role::Intermediate)
            .count()
        {
            0 => {}
            1 => parts.push("1 intermediate".into()),
            n => parts.push(format!("{n} intermediates")),
        }
        let root_taken = taken.iter().any(|e| e.role == Role::Root);
        if root_taken {
            parts.push("root".into());
        }
        let mut what = parts.join(" + ");
        if !root_taken {
            match &self.anchor {
                AnchorKind::Public(_) => what.push_str(", root not included (clients have it)"),
                _ if self.chain.iter().any(|e| e.role == Role::Root) => {
                    what.push_str(", root not included")
                }
                _ => {}
            }
        }
        let until = taken
            .iter()
            .map(|e| e.cert.not_after)
            .min()
            .map(date)
            .unwrap_or_default();
        let host = match &self.host {
            Some(host) => format!(" for {host}"),
            None => String::new(),
        };
        format!(
            "Ready: bundle of {}{host} — {what} — valid until {until}",
            taken.len()
        )
    }

    /// How to fix a finding, in the words of `face`, fitted to the certificate it concerns: an expired
    /// CA certificate is replaced by the CA's current one, not "renewed"; a missing issuer is named,
    /// and a missing public root is told apart from a missing intermediate.
    pub fn fix(&self, finding: &Finding, face: crate::engine::finding::Face) -> String {
        use crate::engine::finding::Face;
        let generic = match face {
            Face::Cli => finding.code.fix(),
            Face::Window => finding.code.window_fix(),
        };
        let entry = finding
            .sha256
            .and_then(|fp| self.chain.iter().find(|e| e.cert.sha256 == fp));
        match (finding.code, entry) {
            (Code::CertExpired | Code::CertExpiringSoon, Some(e))
                if e.role != Role::Leaf || e.cert.is_ca() =>
            {
                let name = e.cert.display_name();
                let when = if finding.code == Code::CertExpired {
                    "has expired"
                } else {
                    "expires soon"
                };
                match e.role {
                    Role::Leaf | Role::Intermediate => format!(
                        "The CA certificate \"{name}\" {when}: get the current \"{name}\" from your CA (CAs publish their intermediates) and use it in its place; if the CA re-keyed, the leaf must be reissued under the new one."
                    ),
                    _ => format!(
                        "The root \"{name}\" {when}: get your CA's current root and chain, and make sure the far end trusts the new root before the change."
                    ),
                }
            }
            (Code::ChainIncomplete, Some(e)) => {
                let issuer = &e.cert.issuer;
                let public = crate::engine::trust::public_anchors()
                    .iter()
                    .any(|a| a.subject_key == e.cert.issuer_key);
                match (public, face) {
                    (true, Face::Cli) => format!(
                        "The missing issuer is the public root \"{issuer}\": add --public-roots."
                    ),
                    (true, Face::Window) => format!(
                        "The missing issuer is the public root \"{issuer}\": choose \"The Mozilla set\" under Trust."
                    ),
                    (false, Face::Cli) => format!(
                        "Add the missing issuer \"{issuer}\": get it from your CA (or add --fetch-missing to fetch it from the AIA caIssuers URL)."
                    ),
                    (false, Face::Window) => format!(
                        "Add the missing issuer \"{issuer}\" with \"Add issuer file…\" (get it from your CA), or click \"Fetch missing issuer\" when the certificate names a URL."
                    ),
                }
            }
            // The far end trusts public CAs only: no roots file changes what it trusts.
            (Code::ChainUntrustedRoot, _) if self.profile.public_roots_only() => {
                if self.profile == Profile::TeamsDirectRouting {
                    "Microsoft's SIP proxies trust only CAs of the Microsoft Trusted Root Program: get the SBC certificate from a public CA (adding a root of your own to Chainsmith's trust changes nothing for Microsoft).".to_string()
                } else {
                    "Genesys Cloud trusts only public CAs: get the certificate from a public CA (adding a root of your own to Chainsmith's trust changes nothing for Genesys Cloud).".to_string()
                }
            }
            (Code::ChainUnrelated, None) if self.anchor == AnchorKind::None => {
                let unrelated = finding
                    .sha256
                    .and_then(|fp| self.excluded.iter().find(|e| e.cert.sha256 == fp));
                match (unrelated, self.chain.last()) {
                    (Some(ca), Some(top)) if ca.cert.is_ca() => {
                        let issuer = &top.cert.issuer;
                        match face {
                            Face::Cli => format!(
                                "Add the missing issuer \"{issuer}\" (from your CA, or with --fetch-missing): then \"{}\" can complete the chain.",
                                ca.cert.display_name()
                            ),
                            Face::Window => format!(
                                "Add the missing issuer \"{issuer}\" with \"Add issuer file…\": then \"{}\" can complete the chain.",
                                ca.cert.display_name()
                            ),
                        }
                    }
                    _ => generic.to_string(),
                }
            }
            _ => generic.to_string(),
        }
    }

    /// A problem in a few words, for the banner.
    pub(super) fn problem_words(&self, finding: &Finding) -> String {
        let cert = finding.sha256.and_then(|fp| {
            self.chain
                .iter()
                .map(|e| (&e.cert, Some(e.role)))
                .chain(self.excluded.iter().map(|e| (&e.cert, None)))
                .find(|(c, _)| c.sha256 == fp)
        });
        let role = |r: Option<Role>| match r {
            Some(Role::Leaf) => "the leaf",
            Some(Role::Intermediate) => "the intermediate",
            Some(Role::Root) => "the root",
            None => "a certificate",
        };
        match (finding.code, cert) {
            (Code::NameMismatch, Some((c, _))) => {
                let names: Vec<String> = c.sans.iter().take(2).map(|s| s.to_string()).collect();
                let more = if c.sans.len() > 2 { ", …" } else { "" };
                let host = self.host.as_deref().unwrap_or("the host name");
                format!("the leaf is for {}{more}, not {host}", names.join(", "))
            }
            (Code::CertExpired, Some((c, r))) => format!(
                "{} \"{}\" expired on {}",
                role(r),
                c.display_name(),
                date(c.not_after)
            ),
            (Code::CertNotYetValid, Some((c, r))) => format!(
                "{} \"{}\" is not valid before {}",
                role(r),
                c.display_name(),
                date(c.not_before)
            ),
            (Code::ChainIncomplete, Some((c, _))) => format!(
                "the chain is incomplete: the issuer of \"{}\" is missing",
                c.display_name()
            ),
            (Code::ChainUntrustedRoot, Some((c, _))) => format!(
                "the chain ends at \"{}\", a root that is not trusted",
                c.display_name()
            ),
            _ => shorten(&finding.message, 110),
        }
    }

    /// The one-line verdict.
    pub fn verdict_line(&self) -> String {
        let errors = self.count(Severity::Error);
        if errors > 0 {
            let word = if errors == 1 { "problem" } else { "problems" };
            return format!("FAIL: {errors} {word} to fix");
        }
        let until = self.chain.iter().map(|e| e.cert.not_after).min();
        let host = self
            .host
            .as_deref()
            .map(|h| format!(" for {h}"))
            .unwrap_or_default();
        let unchecked = if self.names_unchecked() {
            " (no host name given: the names were not checked)"
        } else {
            ""
        };
        match until {
            Some(until) => format!(
                "PASS: {} certificate{}, valid{host} until {}{unchecked}",
                self.chain.len(),
                if self.chain.len() == 1 { "" } else { "s" },
                date(until)
            ),
            None => "PASS".into(),
        }
    }
}
