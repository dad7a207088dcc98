//! A certificate built from its DER: the fields parsed once, and what is odd about its encoding noted.

use super::parse::*;
use super::*;

impl Certificate {
    /// Parses one DER certificate. `source` names where it came from as it is shown (escaped with
    /// [`crate::engine::text::escape`]: the loader does that once). `allow_trailing` accepts bytes
    /// after it (the caller decides what they may be: whitespace after a `.cer`).
    pub fn from_der(der: &[u8], source: &str, allow_trailing: bool) -> Result<Self, ParseError> {
        let (rest, x509) =
            X509Certificate::from_der(der).map_err(|e| ParseError::Invalid(e.to_string()))?;
        if !rest.is_empty() && !allow_trailing {
            return Err(ParseError::TrailingBytes(rest.len()));
        }
        let der = &der[..der.len() - rest.len()];
        Self::from_parsed(&x509, der, source)
    }

    /// Parses OpenSSL's `TRUSTED CERTIFICATE` form: the certificate, then its trust settings (if
    /// any), which must be readable — a root whose trust cannot be read is not guessed at.
    pub fn from_trusted_der(der: &[u8], source: &str) -> Result<Self, ParseError> {
        let mut cert = Self::from_der(der, source, true)?;
        let rest = &der[cert.der.len()..];
        if !rest.is_empty() {
            cert.trust_settings = Some(TrustSettings::from_der(rest).map_err(|why| {
                ParseError::Invalid(format!(
                    "the trust settings after the certificate cannot be read ({why})"
                ))
            })?);
        }
        Ok(cert)
    }

    pub(super) fn from_parsed(
        x509: &X509Certificate<'_>,
        der: &[u8],
        source: &str,
    ) -> Result<Self, ParseError> {
        let tbs_raw = x509.tbs_certificate.as_ref();
        let tbs_start = offset_in(der, tbs_raw).ok_or_else(|| {
            ParseError::Invalid("TBSCertificate not inside the certificate".into())
        })?;
        let spki = x509.public_key();
        let key = key_kind(x509);
        let mut cert = Certificate {
            der: der.to_vec(),
            sha256: Fingerprint::of(der),
            // The loader gives the source escaped (`engine::load`), as it names it in its messages.
            source: source.to_string(),
            version: x509.version().0 + 1,
            // Names are for people: shown with control characters escaped (`engine::text`). Lookups
            // use `subject_key` / `issuer_key`, built from the raw values.
            subject: crate::engine::text::escaped(&name_to_string(x509.subject())),
            issuer: crate::engine::text::escaped(&name_to_string(x509.issuer())),
            subject_common_name: first_attr(x509.subject().iter_common_name())
                .map(|cn| crate::engine::text::escaped(&cn)),
            subject_organization: first_attr(x509.subject().iter_organization())
                .map(|o| crate::engine::text::escaped(&o)),
            subject_key: name_key(x509.subject()),
            issuer_key: name_key(x509.issuer()),
            subject_rdns: name_rdns(x509.subject()),
            subject_emails: x509
                .subject()
                .iter_email()
                .filter_map(|a| a.as_str().ok().map(str::to_string))
                .collect(),
            san_directories: Vec::new(),
            subject_is_empty: x509.subject().iter_attributes().next().is_none(),
            subject_der: x509.subject().as_raw().to_vec(),
            issuer_der: x509.issuer().as_raw().to_vec(),
            serial: x509.tbs_certificate.raw_serial().to_vec(),
            not_before: x509.validity().not_before.timestamp(),
            not_after: x509.validity().not_after.timestamp(),
            sans: Vec::new(),
            has_san_extension: false,
            san_critical: false,
            key_defect: std::sync::OnceLock::new(),
            der_problem: std::sync::OnceLock::new(),
            key,
            public_key: spki.subject_public_key.data.to_vec(),
            spki: spki.raw.to_vec(),
            signature_algorithm: signature_algorithm(x509),
            signature_algorithm_oid: x509.signature_algorithm.algorithm.to_id_string(),
            signature_algorithms_differ: !same_algorithm(
                &x509.signature_algorithm,
                &x509.tbs_certificate.signature,
            ),
            signature: x509.signature_value.data.to_vec(),
            tbs: tbs_start..tbs_start + tbs_raw.len(),
            basic_constraints: None,
            key_usage: None,
            extended_key_usage: None,
            authority_key_id: None,
            authority_key_id_ext: None,
            subject_key_id: None,
            aia_ca_issuers: Vec::new(),
            crl_distribution_points: Vec::new(),
            name_constraints: None,
            unknown_critical_extensions: Vec::new(),
            malformed_extensions: Vec::new(),
            extensions: Vec::new(),
            policies: Vec::new(),
            trust_settings: None,
        };
        for ext in x509.extensions() {
            cert.read_extension(ext)?;
        }
        Ok(cert)
    }

    /// What one extension says, into the certificate's fields; a critical extension that cannot be
    /// decoded makes the certificate unreadable (RFC 5280 §4.2).
    fn read_extension(
        &mut self,
        ext: &x509_parser::extensions::X509Extension<'_>,
    ) -> Result<(), ParseError> {
        self.extensions.push(extension_summary(ext));
        match ext.parsed_extension() {
            ParsedExtension::SubjectAlternativeName(san) => {
                self.has_san_extension = true;
                self.san_critical = ext.critical;
                self.sans = san.general_names.iter().map(san_entry).collect();
                self.san_directories = san_directories(&san.general_names);
            }
            ParsedExtension::CertificatePolicies(policies) => {
                self.policies = policies
                    .iter()
                    .map(|p| p.policy_id.to_id_string())
                    .collect();
            }
            ParsedExtension::BasicConstraints(bc) => {
                self.basic_constraints = Some(BasicConstraints {
                    ca: bc.ca,
                    path_len: bc.path_len_constraint,
                    critical: ext.critical,
                })
            }
            ParsedExtension::KeyUsage(ku) => {
                self.key_usage = Some(KeyUsage {
                    flags: ku.flags,
                    critical: ext.critical,
                })
            }
            ParsedExtension::ExtendedKeyUsage(eku) => {
                self.extended_key_usage = Some(ExtendedKeyUsage {
                    server_auth: eku.server_auth,
                    client_auth: eku.client_auth,
                    any: eku.any,
                    critical: ext.critical,
                })
            }
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                self.authority_key_id = aki.key_identifier.as_ref().map(|k| k.0.to_vec());
                self.authority_key_id_ext = Some((
                    ext.critical,
                    aki.authority_cert_issuer.is_some() || aki.authority_cert_serial.is_some(),
                ));
            }
            // An empty identifier identifies nothing: treated as absent.
            ParsedExtension::SubjectKeyIdentifier(ski) if !ski.0.is_empty() => {
                self.subject_key_id = Some(ski.0.to_vec())
            }
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for desc in aia.iter() {
                    if desc.access_method == OID_AIA_CA_ISSUERS
                        && let GeneralName::URI(uri) = desc.access_location
                    {
                        self.aia_ca_issuers.push(uri.to_string());
                    }
                }
            }
            ParsedExtension::CRLDistributionPoints(points) => {
                self.crl_distribution_points.extend(crl_uris(points));
            }
            ParsedExtension::NameConstraints(nc) => {
                self.name_constraints = Some(name_constraints_of(nc, ext.critical));
            }
            ParsedExtension::ParseError { error } if ext.critical => {
                return Err(ParseError::Invalid(format!(
                    "critical extension {} cannot be decoded: {error}",
                    ext.oid.to_id_string()
                )));
            }
            ParsedExtension::ParseError { .. } => {
                self.malformed_extensions.push(ext.oid.to_id_string());
            }
            other => {
                // x509-parser decodes every extension OpenSSL and webpki process; one it does not
                // know is an extension no mainstream verifier knows either.
                if ext.critical && other.unsupported() {
                    self.unknown_critical_extensions
                        .push(ext.oid.to_id_string());
                }
            }
        }
        Ok(())
    }
}

/// The directory names of a subjectAltName, each as its RDNs.
fn san_directories(names: &[GeneralName<'_>]) -> Vec<Vec<String>> {
    names
        .iter()
        .filter_map(|n| match n {
            GeneralName::DirectoryName(d) => Some(name_rdns(d)),
            _ => None,
        })
        .collect()
}

/// The URIs of a cRLDistributionPoints extension's full names (RFC 5280 §4.2.1.13), kept raw:
/// they are fetched.
fn crl_uris(points: &x509_parser::extensions::CRLDistributionPoints<'_>) -> Vec<String> {
    let mut uris = Vec::new();
    for point in points.iter() {
        if let Some(x509_parser::extensions::DistributionPointName::FullName(names)) =
            &point.distribution_point
        {
            for name in names {
                if let GeneralName::URI(uri) = name {
                    uris.push(uri.to_string());
                }
            }
        }
    }
    uris
}

/// The nameConstraints extension (RFC 5280 §4.2.1.10) as the checks use it: its subtrees, and an
/// index of them for matching.
fn name_constraints_of(
    nc: &x509_parser::extensions::NameConstraints<'_>,
    critical: bool,
) -> NameConstraints {
    let convert = |subtrees: &Option<Vec<x509_parser::extensions::GeneralSubtree<'_>>>| {
        subtrees
            .iter()
            .flatten()
            .map(|s| name_subtree(&s.base))
            .collect::<Vec<_>>()
    };
    let (permitted, excluded) = (
        convert(&nc.permitted_subtrees),
        convert(&nc.excluded_subtrees),
    );
    NameConstraints {
        index: (
            crate::engine::constraints::Subtrees::new(permitted.clone()),
            crate::engine::constraints::Subtrees::new(excluded.clone()),
        ),
        permitted,
        excluded,
        critical,
    }
}
