//! Issuers: CA flags, key usage, path length, and name constraints in their form and against the names below.

use super::*;

/// Checks on a certificate that issues the one below it (or is a lone CA certificate).
/// `first_ca`: the position of the lowest CA certificate of the path (0 when there is no leaf).
pub(super) fn issuer(
    cert: &Certificate,
    position: usize,
    certs: &[&Certificate],
    (is_root, is_anchor, first_ca): (bool, bool, usize),
    findings: &mut Vec<Finding>,
) {
    let name = cert.display_name();
    let id = Some(cert.sha256);
    match cert.basic_constraints {
        Some(bc) if !bc.ca => findings.push(Finding::new(
            Code::CaNotCa,
            id,
            format!("\"{name}\" issues certificates but its basicConstraints say CA:FALSE"),
        )),
        // A v1 root cannot carry extensions, and RFC 5280 6.1 takes trust anchors in any form.
        None if is_root && (cert.version < 3 || is_anchor) => {}
        None if is_root => findings.push(Finding::new(
            Code::Rfc5280RootBasicConstraintsMissing,
            id,
            format!("the root \"{name}\" has no basicConstraints (a v1-style root)"),
        )),
        None => findings.push(Finding::new(
            Code::CaNotCa,
            id,
            format!("\"{name}\" issues certificates but has no basicConstraints CA:TRUE"),
        )),
        Some(bc) => {
            if !bc.critical && !is_anchor {
                findings.push(Finding::new(
                    Code::Rfc5280BasicConstraintsNotCritical,
                    id,
                    format!("the basicConstraints of the CA \"{name}\" are not marked critical"),
                ));
            }
            if let Some(limit) = bc.path_len {
                // RFC 5280 6.1.4 (l): self-issued intermediates do not count.
                let below = certs[first_ca.min(position)..position]
                    .iter()
                    .filter(|c| !c.is_self_issued())
                    .count();
                if below > limit as usize {
                    findings.push(Finding::new(
                        Code::CaPathLength,
                        id,
                        format!(
                            "\"{name}\" allows {limit} intermediate CA(s) below it (pathLenConstraint) but the chain has {below}"
                        ),
                    ));
                }
            }
        }
    }
    if let Some(ku) = cert.key_usage
        && !ku.key_cert_sign()
    {
        findings.push(Finding::new(
            Code::CaKeyUsage,
            id,
            format!(
                "the keyUsage of \"{name}\" lacks keyCertSign, so it may not sign certificates"
            ),
        ));
    }
    if cert.subject_key_id.is_none() && cert.version >= 3 && !is_anchor {
        findings.push(Finding::new(
            Code::Rfc5280SkiMissing,
            id,
            format!("the CA \"{name}\" has no subjectKeyIdentifier"),
        ));
    }
    if cert.subject_is_empty && !is_anchor {
        findings.push(Finding::new(
            Code::Rfc5280CaEmptySubject,
            id,
            format!(
                "the CA certificate {} has an empty subject",
                cert.sha256.short()
            ),
        ));
    }
    if is_root && cert.extended_key_usage.is_some() {
        findings.push(Finding::new(
            Code::CabfRootEku,
            id,
            format!("the root \"{name}\" carries an Extended Key Usage extension"),
        ));
    }
    if let Some(constraints) = &cert.name_constraints {
        name_constraints_form(cert, constraints, is_anchor, findings);
        // RFC 5280 §6.1.3 (b), (c): constraints apply to every certificate below, except
        // self-issued intermediates (the end-entity certificate is always checked).
        for (below_position, below) in certs[..position].iter().enumerate() {
            if below_position > 0 && below.is_self_issued() {
                continue;
            }
            name_constraints(cert, constraints, below, findings);
        }
    }
}

/// RFC 5280 §4.2.1.10: the extension is critical ("MUST"), has at least one subtree, and a dNSName
/// base is a domain name ("zero or more labels added to the left"), so a leading period is not one.
pub(super) fn name_constraints_form(
    cert: &Certificate,
    constraints: &crate::engine::cert::NameConstraints,
    is_anchor: bool,
    findings: &mut Vec<Finding>,
) {
    let name = cert.display_name();
    let id = Some(cert.sha256);
    if !constraints.critical && !is_anchor {
        findings.push(Finding::new(
            Code::Rfc5280NameConstraintsNotCritical,
            id,
            format!("the nameConstraints of \"{name}\" are not marked critical"),
        ));
    }
    if constraints.permitted.is_empty() && constraints.excluded.is_empty() {
        findings.push(Finding::new(
            Code::Rfc5280NameConstraintsMalformed,
            id,
            format!(
                "the nameConstraints of \"{name}\" have neither permitted nor excluded subtrees"
            ),
        ));
    }
    for subtree in constraints.permitted.iter().chain(&constraints.excluded) {
        if let NameSubtree::Dns(base) = subtree
            && base.starts_with('.')
        {
            findings.push(Finding::new(
                Code::Rfc5280NameConstraintsMalformed,
                id,
                format!(
                    "the nameConstraints of \"{name}\" hold the dNSName \"{base}\", with a leading period (RFC 5280 dNSName constraints are domain names)"
                ),
            ));
        }
    }
}

pub(super) fn name_constraints(
    ca: &Certificate,
    constraints: &crate::engine::cert::NameConstraints,
    below: &Certificate,
    findings: &mut Vec<Finding>,
) {
    if let Some((shown, why)) = crate::engine::constraints::violation(below, constraints) {
        findings.push(Finding::new(
            Code::NameConstraintViolation,
            Some(below.sha256),
            format!(
                "\"{}\" names {shown}, which the name constraints of \"{}\" {why}",
                below.display_name(),
                ca.display_name()
            ),
        ));
    }
}
