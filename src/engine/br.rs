//! The CA/Browser Forum TLS Baseline Requirements' certificate profiles (BR 2.0, §7.1.2), as a CA's
//! pre-issuance linter (pkilint, zlint) runs them, for publicly-trusted certificates only: a private
//! PKI's certificates are not bound by them. Each rule names its section; a rule applies to
//! certificates issued from its effective date (so an older certificate is judged by the rules of its
//! day, as zlint does). "MUST" rules are warnings by default and errors with `--strict`; "NOT
//! RECOMMENDED" rules stay warnings ([`Code::advisory`]). Checked against pkilint (the CA/B Forum
//! TLS BR linter, PyPI) on openssl-made certificates: docs/DEVELOPMENT.md.
//!
//! The subject, policies, access descriptions and distribution points are read from the DER with
//! x509-parser here: they are lint material only and the rest of the engine has no use for them.

use x509_parser::der_parser::der::parse_der;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::X509Name;

use super::cert::{Certificate, Curve, KeyKind, SignatureAlgorithm};
use super::finding::{Code, Finding};

/// BR 2.0.0 (ballot SC-062) took effect: the §7.1.2 profiles apply to certificates issued from then.
const BR_2_0: i64 = 1_694_736_000; // 2023-09-15
/// Ballot SC-047: no organizationalUnitName in subscriber certificates.
const OU_SUNSET: i64 = 1_661_990_400; // 2022-09-01
/// Ballot SC-063: a subscriber certificate without an OCSP URL must name a CRL.
const SC_063: i64 = 1_710_460_800; // 2024-03-15

const OID_CT_POISON: &str = "1.3.6.1.4.1.11129.2.4.3";
const OID_ANY_POLICY: &str = "2.5.29.32.0";
const OID_QT_CPS: &str = "1.3.6.1.5.5.7.2.1";
const OID_AD_OCSP: &str = "1.3.6.1.5.5.7.48.1";
const OID_AD_CA_ISSUERS: &str = "1.3.6.1.5.5.7.48.2";
/// The reserved policy identifiers of BR §7.1.6.1 (and EV Guidelines §9.3.2).
const RESERVED: [(&str, &str); 4] = [
    ("2.23.140.1.2.1", "domain validated"),
    ("2.23.140.1.2.2", "organization validated"),
    ("2.23.140.1.2.3", "individual validated"),
    ("2.23.140.1.1", "extended validation"),
];

/// Subject attributes in the order BR §7.1.4.2 requires them (OID, name, upper bound in characters
/// from RFC 5280 Appendix A; 0: none there).
const ORDER: [(&str, &str, usize); 11] = [
    ("0.9.2342.19200300.100.1.25", "domainComponent", 0),
    ("2.5.4.6", "countryName", 2),
    ("2.5.4.8", "stateOrProvinceName", 128),
    ("2.5.4.7", "localityName", 128),
    ("2.5.4.17", "postalCode", 40),
    ("2.5.4.9", "streetAddress", 0),
    ("2.5.4.10", "organizationName", 64),
    ("2.5.4.4", "surname", 0),
    ("2.5.4.42", "givenName", 0),
    ("2.5.4.11", "organizationalUnitName", 64),
    ("2.5.4.3", "commonName", 64),
];
const OID_SERIAL_NUMBER: &str = "2.5.4.5";
const OID_BUSINESS_CATEGORY: &str = "2.5.4.15";
const OID_JURISDICTION_COUNTRY: &str = "1.3.6.1.4.1.311.60.2.1.3";
const OID_PSEUDONYM: &str = "2.5.4.65";

/// `cert.precertificate`: a certificate carrying the Certificate Transparency poison extension
/// (RFC 6962 §3.1) is a precertificate, never a certificate to deploy. For every certificate.
pub(crate) fn precertificate(cert: &Certificate, findings: &mut Vec<Finding>) {
    if cert.extensions.iter().any(|e| e.oid == OID_CT_POISON) {
        findings.push(Finding::new(
            Code::CertPrecertificate,
            Some(cert.sha256),
            format!(
                "\"{}\" is a precertificate (it carries the Certificate Transparency poison extension, RFC 6962 §3.1): the CA logged it before issuing the real certificate, and no TLS client accepts it",
                cert.display_name()
            ),
        ));
    }
}

/// The profile of a publicly-trusted subscriber (server) certificate, BR §7.1.2.7.
pub(crate) fn subscriber(cert: &Certificate, findings: &mut Vec<Finding>) {
    algorithms(cert, findings);
    if cert.is_ca() {
        return; // a CA certificate where a leaf belongs has its own finding (leaf.is-ca)
    }
    let Ok((_, x509)) = X509Certificate::from_der(&cert.der) else {
        return; // the loader said what is wrong with it
    };
    let lint = Lint { cert, findings };
    lint.run_subscriber(&x509);
}

/// The profile of a publicly-trusted subordinate CA certificate, BR §7.1.2.10 (not a trust anchor:
/// RFC 5280 §6.1.1 (d)).
pub(crate) fn subordinate_ca(cert: &Certificate, findings: &mut Vec<Finding>) {
    algorithms(cert, findings);
    let Ok((_, x509)) = X509Certificate::from_der(&cert.der) else {
        return;
    };
    let lint = Lint { cert, findings };
    lint.run_ca(&x509);
}

/// BR §6.1.5 and §7.1.3: keys are RSA or ECDSA on P-256, P-384 or P-521; signatures RSASSA-PKCS1-v1_5
/// or RSASSA-PSS with SHA-256/384/512, or ECDSA with SHA-256/384/512 (SHA-1, MD5 and DSA have their
/// own codes).
fn algorithms(cert: &Certificate, findings: &mut Vec<Finding>) {
    let key = match &cert.key {
        KeyKind::Ed25519 | KeyKind::Ed448 => Some(cert.key.to_string()),
        KeyKind::Ec {
            curve: Curve::P224 | Curve::Other(_),
        } => Some(cert.key.to_string()),
        _ => None,
    };
    if let Some(key) = key {
        findings.push(Finding::new(
            Code::CabfKeyAlgorithm,
            Some(cert.sha256),
            format!(
                "\"{}\" has a {key} key; publicly-trusted TLS certificates carry RSA or ECDSA P-256, P-384 or P-521 keys only",
                cert.display_name()
            ),
        ));
    }
    if matches!(
        cert.signature_algorithm,
        SignatureAlgorithm::Ed25519 | SignatureAlgorithm::Ed448
    ) {
        findings.push(Finding::new(
            Code::CabfKeyAlgorithm,
            Some(cert.sha256),
            format!(
                "\"{}\" is signed with {}; publicly-trusted TLS certificates are signed with RSA or ECDSA and SHA-256, SHA-384 or SHA-512",
                cert.display_name(),
                cert.signature_algorithm.name()
            ),
        ));
    }
}

struct Lint<'a> {
    cert: &'a Certificate,
    findings: &'a mut Vec<Finding>,
}

impl Lint<'_> {
    fn push(&mut self, code: Code, message: String) {
        self.findings
            .push(Finding::new(code, Some(self.cert.sha256), message));
    }

    fn name(&self) -> String {
        self.cert.display_name()
    }

    fn issued_from(&self, date: i64) -> bool {
        self.cert.not_before >= date
    }

    fn run_subscriber(mut self, x509: &X509Certificate<'_>) {
        let subject = Subject::read(x509.subject());
        if self.issued_from(OU_SUNSET) && subject.has(ORDER[9].0) {
            let name = self.name();
            self.push(
                Code::CabfSubjectOu,
                format!(
                    "the subject of \"{name}\" has an organizationalUnitName, which publicly-trusted TLS certificates may not carry since 2022-09-01"
                ),
            );
        }
        if !self.issued_from(BR_2_0) {
            return;
        }
        self.subject_rules(&subject);
        let policies = self.policies(x509, false);
        if let Some(policies) = policies {
            self.validation_type(&policies, &subject);
        }
        let has_ocsp = self.access(x509, true);
        self.distribution_points(x509, !has_ocsp && self.issued_from(SC_063), false);
        self.leaf_usages(x509);
    }

    fn run_ca(mut self, x509: &X509Certificate<'_>) {
        if !self.issued_from(BR_2_0) {
            return;
        }
        let subject = Subject::read(x509.subject());
        self.subject_rules(&subject);
        self.policies(x509, true);
        self.access(x509, false);
        self.distribution_points(x509, true, true);
        // BR §7.1.2.10.7: keyUsage MUST be present and critical, with keyCertSign and cRLSign.
        let problem = match self.cert.key_usage {
            None => Some("has no keyUsage".to_string()),
            Some(ku) if !ku.critical => Some("has a keyUsage that is not marked critical".into()),
            Some(ku) if !(ku.key_cert_sign() && ku.crl_sign()) => {
                Some("has a keyUsage without both keyCertSign and cRLSign".into())
            }
            _ => None,
        };
        if let Some(problem) = problem {
            let name = self.name();
            self.push(
                Code::CabfCaKeyUsage,
                format!("the CA certificate \"{name}\" {problem} (BR §7.1.2.10.7)"),
            );
        }
    }

    /// BR §7.1.4: one attribute per RDN, the §7.1.4.2 order, PrintableString or UTF8String (a
    /// two-letter PrintableString countryName; an IA5String domainComponent), the RFC 5280 upper
    /// bounds, no attribute twice (but domainComponent and streetAddress), and no value that is only
    /// metadata such as "." or "-".
    fn subject_rules(&mut self, subject: &Subject) {
        let name = self.name();
        let mut problems: Vec<String> = Vec::new();
        if subject.multi_valued {
            problems.push("a relative distinguished name holds more than one attribute".into());
        }
        for attr in &subject.attrs {
            let known = ORDER.iter().find(|(oid, _, _)| *oid == attr.oid);
            let label = known.map_or(attr.oid.as_str(), |(_, n, _)| n);
            let value = super::text::escape(&attr.value);
            if attr.oid == "2.5.4.6" {
                let ok = attr.tag == 0x13
                    && attr.value.len() == 2
                    && attr.value.bytes().all(|b| b.is_ascii_uppercase());
                if !ok {
                    problems.push(format!(
                        "countryName \"{value}\" is not a two-letter ISO 3166-1 code in a PrintableString"
                    ));
                }
                continue;
            }
            if attr.oid == ORDER[0].0 {
                if attr.tag != 0x16 {
                    problems.push("domainComponent is not an IA5String".into());
                }
                continue;
            }
            if !matches!(attr.tag, 0x0c | 0x13) && known.is_some() {
                problems.push(format!(
                    "{label} is encoded as {}, not a PrintableString or UTF8String",
                    tag_name(attr.tag)
                ));
            }
            if let Some((_, _, bound)) = known
                && *bound > 0
                && attr.value.chars().count() > *bound
            {
                problems.push(format!(
                    "{label} is {} characters long, more than the {bound} RFC 5280 allows",
                    attr.value.chars().count()
                ));
            }
            if attr
                .value
                .trim_matches(|c: char| c == '.' || c == '-' || c == ' ')
                .is_empty()
            {
                problems.push(format!(
                    "{label} is \"{value}\", only metadata where a value belongs"
                ));
            }
        }
        for (oid, label, _) in ORDER {
            if oid != ORDER[0].0
                && oid != ORDER[5].0
                && subject.attrs.iter().filter(|a| a.oid == oid).count() > 1
            {
                problems.push(format!("{label} appears more than once"));
            }
        }
        for problem in problems {
            self.push(
                Code::CabfSubjectEncoding,
                format!("the subject of \"{name}\": {problem} (BR §7.1.4)"),
            );
        }
        let ranks: Vec<(usize, &str)> = subject
            .attrs
            .iter()
            .filter_map(|a| {
                ORDER
                    .iter()
                    .position(|(oid, _, _)| *oid == a.oid)
                    .map(|i| (i, ORDER[i].1))
            })
            .collect();
        if let Some(pair) = ranks.windows(2).find(|w| w[0].0 > w[1].0) {
            self.push(
                Code::CabfSubjectOrder,
                format!(
                    "the subject of \"{name}\" lists {} before {}; BR §7.1.4.2 orders them the other way (country, state, locality, postal code, street, organization, surname, given name, unit, common name)",
                    pair[0].1, pair[1].1
                ),
            );
        }
    }

    /// BR §7.1.2.7.9 (subscriber) and §7.1.2.10.5 (CA): certificatePolicies present; a subscriber
    /// certificate asserts exactly one reserved identifier and not anyPolicy, a CA certificate a
    /// reserved identifier or anyPolicy; the only qualifier is a CPS pointer with an http(s) URL; not
    /// critical. Returns the policy identifiers.
    fn policies(&mut self, x509: &X509Certificate<'_>, ca: bool) -> Option<Vec<String>> {
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
                        super::text::escape(&uri)
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

    /// BR §7.1.2.7.2–5: the subject of a subscriber certificate fits its validation type: domain
    /// validated holds only countryName and commonName; organization validated has
    /// organizationName, countryName and a locality or state; individual validated a person's name
    /// and countryName; extended validation the EV Guidelines' organisation attributes.
    fn validation_type(&mut self, policies: &[String], subject: &Subject) {
        let name = self.name();
        let asserted = |oid: &str| policies.iter().any(|p| p == oid);
        let has = |oid: &str| subject.has(oid);
        let problem = if asserted(RESERVED[0].0) {
            subject
                .attrs
                .iter()
                .find(|a| a.oid != "2.5.4.6" && a.oid != "2.5.4.3")
                .map(|a| {
                    format!(
                        "is domain validated (2.23.140.1.2.1) but its subject has {}, which only an organization or individual validated certificate may carry",
                        attribute_name(&a.oid)
                    )
                })
        } else if asserted(RESERVED[1].0) {
            (!(has("2.5.4.10") && has("2.5.4.6") && (has("2.5.4.7") || has("2.5.4.8")))).then(|| {
                "is organization validated (2.23.140.1.2.2) but its subject lacks organizationName, countryName, or both localityName and stateOrProvinceName".to_string()
            })
        } else if asserted(RESERVED[2].0) {
            let person = has("2.5.4.4") && has("2.5.4.42") || has(OID_PSEUDONYM);
            (!(person && has("2.5.4.6"))).then(|| {
                "is individual validated (2.23.140.1.2.3) but its subject lacks givenName and surname (or pseudonym), or countryName".to_string()
            })
        } else if asserted(RESERVED[3].0) {
            (![
                "2.5.4.10",
                OID_SERIAL_NUMBER,
                OID_BUSINESS_CATEGORY,
                OID_JURISDICTION_COUNTRY,
                "2.5.4.6",
            ]
            .iter()
            .all(|oid| has(oid)))
            .then(|| {
                "is extended validation (2.23.140.1.1) but its subject lacks one of organizationName, serialNumber, businessCategory, jurisdictionCountryName, countryName (EV Guidelines §7.1.4.2)".to_string()
            })
        } else {
            None
        };
        if let Some(problem) = problem {
            self.push(
                Code::CabfSubjectValidationType,
                format!("\"{name}\" {problem}"),
            );
        }
    }

    /// BR §7.1.2.7.7 (subscriber) and §7.1.2.10.3 (CA): authorityInformationAccess not critical,
    /// only id-ad-ocsp and id-ad-caIssuers, each an http:// URL; present in a subscriber
    /// certificate. Returns whether an OCSP URL is there.
    fn access(&mut self, x509: &X509Certificate<'_>, required: bool) -> bool {
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
                        super::text::escape(uri)
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
    fn distribution_points(&mut self, x509: &X509Certificate<'_>, required: bool, ca: bool) {
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
                            super::text::escape(uri)
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
    fn leaf_usages(&mut self, x509: &X509Certificate<'_>) {
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

/// One subject attribute: OID, ASN.1 string tag, value as text.
struct Attr {
    oid: String,
    tag: u32,
    value: String,
}

struct Subject {
    attrs: Vec<Attr>,
    multi_valued: bool,
}

impl Subject {
    fn read(name: &X509Name<'_>) -> Self {
        let mut attrs = Vec::new();
        let mut multi_valued = false;
        for rdn in name.iter() {
            multi_valued |= rdn.iter().count() > 1;
            for atv in rdn.iter() {
                let value = atv.attr_value();
                attrs.push(Attr {
                    oid: atv.attr_type().to_id_string(),
                    tag: value.tag().0,
                    value: String::from_utf8_lossy(value.data).into_owned(),
                });
            }
        }
        Self {
            attrs,
            multi_valued,
        }
    }

    fn has(&self, oid: &str) -> bool {
        self.attrs.iter().any(|a| a.oid == oid)
    }
}

fn attribute_name(oid: &str) -> String {
    ORDER
        .iter()
        .find(|(o, _, _)| *o == oid)
        .map_or_else(|| oid.to_string(), |(_, n, _)| (*n).to_string())
}

fn tag_name(tag: u32) -> &'static str {
    match tag {
        0x0c => "UTF8String",
        0x13 => "PrintableString",
        0x14 => "TeletexString",
        0x16 => "IA5String",
        0x1c => "UniversalString",
        0x1e => "BMPString",
        _ => "another type",
    }
}
