//! The extensions' rules (BR §7.1.2.3–10): certificate policies, authority information access,
//! CRL distribution points, and the leaf's key and extended key usages.

use super::*;

impl Lint<'_> {
    /// BR §7.1.2.7.9 (subscriber) and §7.1.2.10.5 (CA): certificatePolicies present; a subscriber
    /// certificate asserts exactly one reserved identifier and not anyPolicy, a CA certificate a
    /// reserved identifier or anyPolicy; the only qualifier is a CPS pointer with an http(s) URL; not
    /// critical. Returns the policy identifiers.
    pub(super) fn policies(&mut self, x509: &X509Certificate<'_>, ca: bool) -> Option<Vec<String>> {
        let name = self.name();
        let section = if ca { "§7.1.2.10.5" } else { "§7.1.2.7.9" };
        let Some(ext) = x509
            .extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == "2.5.29.32")
        else {
            self.push(
                Code::CabfPolicies,
                format!("\"{name}\" has no certificatePolicies (BR {section})"),
            );
            return None;
        };

        let ParsedExtension::CertificatePolicies(policies) = ext.parsed_extension() else {
            return None; // unreadable: the loader's malformed-extension finding says so
        };
        let ids: Vec<String> = policies
            .iter()
            .map(|p| p.policy_id.to_id_string())
            .collect();
        let reserved: Vec<&str> = RESERVED
            .iter()
            .filter(|(oid, _)| ids.iter().any(|i| i == oid))
            .map(|(_, what)| *what)
            .collect();
        let any = ids.iter().any(|i| i == OID_ANY_POLICY);
        let mut problems = Vec::new();
        if ext.critical {
            problems.push("are marked critical".to_string());
        }
        if ca {
            if reserved.is_empty() && !any {
                problems.push(
                    "asserts neither a CA/Browser Forum reserved policy identifier nor anyPolicy"
                        .to_string(),
                );
            }
        } else {
            match reserved.len() {
                0 => problems.push(
                    "asserts no CA/Browser Forum reserved policy identifier (2.23.140.1.…)".into(),
                ),
                1 => {}
                _ => problems.push(format!(
                    "asserts {} reserved policy identifiers ({}); exactly one is allowed",
                    reserved.len(),
                    reserved.join(", ")
                )),
            }
            if any {
                problems.push("asserts anyPolicy".into());
            }
        }
        for policy in policies {
            for qualifier in policy.policy_qualifiers.iter().flatten() {
                if qualifier.policy_qualifier_id.to_id_string() != OID_QT_CPS {
                    problems.push(format!(
                        "has a policy qualifier {} other than a CPS pointer",
                        qualifier.policy_qualifier_id.to_id_string()
                    ));
                    continue;
                }
                let uri = parse_der(qualifier.qualifier)
                    .ok()
                    .and_then(|(_, o)| o.as_str().ok().map(str::to_string))
                    .unwrap_or_default();
                if !(uri.starts_with("http://") || uri.starts_with("https://")) {
                    problems.push(format!(
                        "has a CPS pointer \"{}\" that is not an http or https URL",
                        crate::engine::text::escape(&uri)
                    ));
                }
            }
        }
        for problem in problems {
            self.push(
                Code::CabfPolicies,
                format!("the certificatePolicies of \"{name}\" {problem} (BR {section})"),
            );
        }
        Some(ids)
    }

    /// BR §7.1.2.7.7 (subscriber) and §7.1.2.10.3 (CA): authorityInformationAccess not critical,
    /// only id-ad-ocsp and id-ad-caIssuers, each an http:// URL; present in a subscriber
    /// certificate. Returns whether an OCSP URL is there.
    pub(super) fn access(&mut self, x509: &X509Certificate<'_>, required: bool) -> bool {
        let name = self.name();
        let Some(ext) = x509
            .extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == "1.3.6.1.5.5.7.1.1")
        else {
            if required {
                self.push(
                    Code::CabfAia,
                    format!("\"{name}\" has no authorityInformationAccess (BR §7.1.2.7.7)"),
                );
            }
            return false;
        };
        let mut problems = Vec::new();
        if ext.critical {
            problems.push("is marked critical".to_string());
        }
        let mut ocsp = false;
        if let ParsedExtension::AuthorityInfoAccess(aia) = ext.parsed_extension() {
            for desc in &aia.accessdescs {
                let method = desc.access_method.to_id_string();
                let what = match method.as_str() {
                    OID_AD_OCSP => {
                        ocsp = true;
                        "OCSP"
                    }
                    OID_AD_CA_ISSUERS => "caIssuers",
                    _ => {
                        problems.push(format!("has the access method {method}"));
                        continue;
                    }
                };
                match &desc.access_location {
                    GeneralName::URI(uri) if uri.starts_with("http://") => {}
                    GeneralName::URI(uri) => problems.push(format!(
                        "has the {what} location \"{}\", not an http:// URL",
                        crate::engine::text::escape(uri)
                    )),
                    _ => problems.push(format!("has a {what} location that is not a URL")),
                }
            }
        }
        for problem in problems {
            self.push(
                Code::CabfAia,
                format!(
                    "the authorityInformationAccess of \"{name}\" {problem} (BR §7.1.2.7.7, §7.1.2.10.3)"
                ),
            );
        }
        ocsp
    }

    /// BR §7.1.2.11.2: cRLDistributionPoints not critical, one distribution point whose fullName
    /// starts with an http:// URL, without reasons or cRLIssuer; present in a CA certificate
    /// (§7.1.2.10.2) and, since ballot SC-063, in a subscriber certificate without an OCSP URL.
    pub(super) fn distribution_points(
        &mut self,
        x509: &X509Certificate<'_>,
        required: bool,
        ca: bool,
    ) {
        let name = self.name();
        let Some(ext) = x509
            .extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == "2.5.29.31")
        else {
            if required {
                let why = if ca {
                    "a CA certificate must name its CRL (BR §7.1.2.10.2)"
                } else {
                    "without an OCSP URL, a subscriber certificate must name its CRL (BR §7.1.2.7.6, ballot SC-063)"
                };
                self.push(
                    Code::CabfCrldp,
                    format!("\"{name}\" has no cRLDistributionPoints: {why}"),
                );
            }
            return;
        };
        let mut problems = Vec::new();
        if ext.critical {
            problems.push("is marked critical".to_string());
        }
        if let ParsedExtension::CRLDistributionPoints(points) = ext.parsed_extension() {
            if points.points.len() != 1 {
                problems.push(format!(
                    "has {} distribution points; one is allowed",
                    points.points.len()
                ));
            }
            for point in &points.points {
                if point.reasons.is_some() {
                    problems.push("limits a distribution point to some reasons".into());
                }
                if point.crl_issuer.is_some() {
                    problems.push("names a cRLIssuer".into());
                }
                match &point.distribution_point {
                    Some(DistributionPointName::FullName(names)) => match names.first() {
                        Some(GeneralName::URI(uri)) if uri.starts_with("http://") => {}
                        Some(GeneralName::URI(uri)) => problems.push(format!(
                            "starts with \"{}\", not an http:// URL",
                            crate::engine::text::escape(uri)
                        )),
                        _ => problems.push("has a distribution point that is not a URL".into()),
                    },
                    _ => problems.push("has a distribution point without a full name".into()),
                }
            }
        }
        for problem in problems {
            self.push(
                Code::CabfCrldp,
                format!("the cRLDistributionPoints of \"{name}\" {problem} (BR §7.1.2.11.2)"),
            );
        }
    }

    /// BR §7.1.2.7.10–11: a subscriber certificate's extendedKeyUsage has no e-mail, code signing,
    /// time stamping or OCSP signing purpose; its keyUsage has only digitalSignature and (for RSA)
    /// keyEncipherment (keyAgreement for ECDSA: NOT RECOMMENDED, a warning even with `--strict`).
    pub(super) fn leaf_usages(&mut self, x509: &X509Certificate<'_>) {
        let name = self.name();
        if let Ok(Some(eku)) = x509.extended_key_usage() {
            let eku = &eku.value;
            let named: Vec<&str> = [
                (eku.email_protection, "emailProtection"),
                (eku.code_signing, "codeSigning"),
                (eku.time_stamping, "timeStamping"),
                (eku.ocsp_signing, "OCSPSigning"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| *n)
            .collect();
            if !named.is_empty() {
                self.push(
                    Code::CabfLeafEkuOther,
                    format!(
                        "the extendedKeyUsage of the leaf \"{name}\" includes {}, which a TLS server certificate may not (BR §7.1.2.7.10)",
                        named.join(", ")
                    ),
                );
            }
        }
        let Some(ku) = self.cert.key_usage else {
            return;
        };
        let rsa = matches!(self.cert.key, KeyKind::Rsa { .. });
        // RSA: digitalSignature, keyEncipherment. ECDSA: digitalSignature, and keyAgreement, which
        // is NOT RECOMMENDED (its own advisory code).
        let allowed: u16 = if rsa { 0b101 } else { 0b1_0001 };
        if !rsa && ku.flags & 0b1_0000 != 0 {
            self.push(
                Code::CabfLeafKeyAgreement,
                format!(
                    "the keyUsage of the ECDSA leaf \"{name}\" includes keyAgreement, which BR §7.1.2.7.11 does not recommend"
                ),
            );
        }
        let names = [
            "digitalSignature",
            "contentCommitment",
            "keyEncipherment",
            "dataEncipherment",
            "keyAgreement",
            "keyCertSign",
            "cRLSign",
            "encipherOnly",
            "decipherOnly",
        ];
        let extra: Vec<&str> = names
            .iter()
            .enumerate()
            .filter(|(bit, _)| ku.flags & (1 << bit) != 0 && allowed & (1 << bit) == 0)
            .map(|(_, n)| *n)
            .collect();
        if !extra.is_empty() {
            self.push(
                Code::CabfLeafKeyUsage,
                format!(
                    "the keyUsage of the leaf \"{name}\" ({} key) includes {}, which BR §7.1.2.7.11 does not allow",
                    if rsa { "RSA" } else { "ECDSA" },
                    extra.join(", ")
                ),
            );
        }
    }
}
