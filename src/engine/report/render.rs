//! The report rendered: JSON for scripts (field names fixed, see the README) and text for people.

use super::*;

impl Report {
    /// The JSON document (`--json`).
    pub fn to_json(&self) -> serde_json::Value {
        let json = JsonReport {
            verdict: if self.passed() { "pass" } else { "fail" },
            host: self.host.clone(),
            profile: self.profile.as_str(),
            at: rfc3339(self.at),
            chain: self
                .chain
                .iter()
                .map(|e| JsonCert {
                    role: e.role.as_str(),
                    sha256: e.cert.sha256.hex(),
                    subject: e.cert.subject.clone(),
                    issuer: e.cert.issuer.clone(),
                    serial: e.cert.serial_hex(),
                    not_before: rfc3339(e.cert.not_before),
                    not_after: rfc3339(e.cert.not_after),
                    sans: e.cert.sans.iter().map(ToString::to_string).collect(),
                    key: e.cert.key.to_string(),
                    signature_algorithm: e.cert.signature_algorithm.name().to_string(),
                    source: e.cert.source.clone(),
                    revocation: e.revocation.as_ref().map(|r| JsonRevocation {
                        status: r.as_str(),
                        text: r.words(),
                    }),
                })
                .collect(),
            excluded: self
                .excluded
                .iter()
                .map(|e| JsonExcluded {
                    sha256: e.cert.sha256.hex(),
                    subject: e.cert.subject.clone(),
                    source: e.source.clone(),
                    reason: e.reason.as_str(),
                })
                .collect(),
            findings: self
                .findings
                .iter()
                .map(|f| JsonFinding {
                    severity: f.severity.as_str(),
                    code: f.code.as_str(),
                    sha256: f.sha256.map(|s| s.hex()),
                    message: f.message.clone(),
                })
                .collect(),
        };
        // Serialising plain strings and vectors cannot fail.
        serde_json::to_value(json).unwrap_or(serde_json::Value::Null)
    }

    /// The readable report (`chainsmith check` without `--json`).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let host = self.host.as_deref().unwrap_or("(no --host)");
        let _ = writeln!(
            out,
            "Chain for {host}  ·  profile {}  ·  at {}",
            self.profile,
            rfc3339(self.at)
        );
        let _ = writeln!(out);
        for (i, entry) in self.chain.iter().enumerate() {
            self.entry_text(&mut out, i, entry);
        }
        match &self.anchor {
            AnchorKind::Public(subject) => {
                let _ = writeln!(
                    out,
                    "   ↳ anchored at the public root \"{subject}\" (not in the input)"
                );
            }
            AnchorKind::None if !self.chain.is_empty() => {
                let _ = writeln!(out, "   ↳ no trust anchor reached");
            }
            _ => {}
        }
        if !self.excluded.is_empty() {
            let _ = writeln!(out, "\nLeft out of the bundle:");
            for e in self.excluded.iter().take(50) {
                let _ = writeln!(
                    out,
                    "   - {} ({}): {}",
                    e.cert.display_name(),
                    e.source,
                    e.reason.as_str()
                );
            }
            if self.excluded.len() > 50 {
                let _ = writeln!(out, "   … and {} more", self.excluded.len() - 50);
            }
        }
        self.findings_text(&mut out);
        let _ = writeln!(out, "\n{}", self.verdict_line());
        out
    }

    /// One certificate of the chain: subject, issuer, validity, names, link, fingerprint, source,
    /// revocation.
    fn entry_text(&self, out: &mut String, i: usize, entry: &ChainEntry) {
        let c = &entry.cert;
        let _ = writeln!(out, "{}. [{}] {}", i + 1, entry.role.as_str(), c.subject);
        let _ = writeln!(out, "     issuer   {}", c.issuer);
        let _ = writeln!(
            out,
            "     valid    {} → {}  ({}; {})",
            date(c.not_before),
            date(c.not_after),
            crate::engine::checks::expiry_words(c.not_after, self.at, self.at_is_now),
            c.key
        );
        if !c.sans.is_empty() {
            let sans: Vec<String> = c.sans.iter().take(8).map(ToString::to_string).collect();
            let more = if c.sans.len() > 8 {
                format!(" (+{} more)", c.sans.len() - 8)
            } else {
                String::new()
            };
            let _ = writeln!(out, "     names    {}{more}", sans.join(", "));
        }
        let link = match entry.signature {
            Some(SignatureCheck::Valid) => "signature verified by the next certificate up",
            Some(SignatureCheck::Invalid) => "SIGNATURE DOES NOT VERIFY",
            Some(SignatureCheck::Unverifiable(_)) => "SIGNATURE CANNOT BE VERIFIED",
            None if entry.role == Role::Root => "trust anchor",
            None => "issuer not found",
        };
        let _ = writeln!(
            out,
            "     sha256   {}  ·  {}  ·  from {}",
            c.sha256.short(),
            link,
            c.source
        );
        if let Some(revocation) = &entry.revocation {
            let _ = writeln!(out, "     crl      {}", revocation.words());
        }
    }

    /// The findings by severity (a hundred of each at most), each error and warning with its fix.
    fn findings_text(&self, out: &mut String) {
        for severity in [Severity::Error, Severity::Warning, Severity::Info] {
            let of: Vec<&Finding> = self
                .findings
                .iter()
                .filter(|f| f.severity == severity)
                .collect();
            if of.is_empty() {
                continue;
            }
            let title = match severity {
                Severity::Error => "Errors",
                Severity::Warning => "Warnings",
                Severity::Info => "Notes",
            };
            let _ = writeln!(out, "\n{title}:");
            for f in of.iter().take(100) {
                let _ = writeln!(out, "   {} {}", f.code.as_str(), f.message);
                if severity != Severity::Info {
                    let _ = writeln!(
                        out,
                        "      fix: {}",
                        self.fix(f, crate::engine::finding::Face::Cli)
                    );
                }
            }
            if of.len() > 100 {
                let _ = writeln!(out, "   … and {} more (see --json)", of.len() - 100);
            }
        }
    }
}
