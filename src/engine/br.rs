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
//!
//! This file runs the profiles; `subject` and `extensions` hold their rules.

mod extensions;
mod subject;

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
