//! Certificate parameters shared by the benchmarks.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyUsagePurpose};

/// 2026-01-01 .. 2027-01-01, AKI on; a CA (keyCertSign) or a serverAuth leaf with `sans`.
pub fn params(cn: &str, ca: bool, sans: Vec<String>) -> CertificateParams {
    let mut p = CertificateParams::new(sans).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = rcgen::date_time_ymd(2026, 1, 1);
    p.not_after = rcgen::date_time_ymd(2027, 1, 1);
    p.use_authority_key_identifier_extension = true;
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    } else {
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    }
    p
}
