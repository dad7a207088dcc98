//! Regenerates the sample chain in `assets/sample/` (the window's "Load sample chain", and the CLI
//! examples): `cargo run --example generate_sample`. Keys are thrown away; only certificates are written.
//!
//! ```text
//! Chainsmith Sample Root CA ──► Chainsmith Sample Issuing CA ──► sbc1.sample.chainsmith.example
//! (RSA 4096, 2026–2046)          (RSA 2048, pathlen 0, 2026–2036)  (RSA 2048, 2026-01-01 – 2035-12-31)
//! ```

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, RsaKeySize, SanType, date_time_ymd,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample");
    std::fs::create_dir_all(&dir)?;
    let rsa = |size| KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, size);

    let root_key = rsa(RsaKeySize::_4096)?;
    let mut root = CertificateParams::new(Vec::<String>::new())?;
    root.distinguished_name
        .push(DnType::OrganizationName, "Chainsmith Sample");
    root.distinguished_name
        .push(DnType::CommonName, "Chainsmith Sample Root CA");
    root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    root.not_before = date_time_ymd(2026, 1, 1);
    root.not_after = date_time_ymd(2046, 1, 1);
    let root_cert = root.self_signed(&root_key)?;

    let int_key = rsa(RsaKeySize::_2048)?;
    let mut int = CertificateParams::new(Vec::<String>::new())?;
    int.distinguished_name
        .push(DnType::OrganizationName, "Chainsmith Sample");
    int.distinguished_name
        .push(DnType::CommonName, "Chainsmith Sample Issuing CA");
    int.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    int.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    int.use_authority_key_identifier_extension = true;
    int.not_before = date_time_ymd(2026, 1, 1);
    int.not_after = date_time_ymd(2036, 1, 1);
    let int_cert = int.signed_by(&int_key, &Issuer::from_params(&root, &root_key))?;

    let leaf_key = rsa(RsaKeySize::_2048)?;
    let mut leaf = CertificateParams::new(vec![
        "sbc1.sample.chainsmith.example".to_string(),
        "sbc2.sample.chainsmith.example".to_string(),
    ])?;
    leaf.subject_alt_names
        .push(SanType::URI("sip:sample.chainsmith.example".try_into()?));
    leaf.distinguished_name
        .push(DnType::OrganizationName, "Chainsmith Sample Carrier");
    leaf.distinguished_name
        .push(DnType::CommonName, "sbc1.sample.chainsmith.example");
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    leaf.use_authority_key_identifier_extension = true;
    leaf.not_before = date_time_ymd(2026, 1, 1);
    leaf.not_after = date_time_ymd(2035, 12, 31);
    let leaf_cert = leaf.signed_by(&leaf_key, &Issuer::from_params(&int, &int_key))?;

    // As a CA delivers them: the leaf in PEM, the intermediate as a DER .cer, the root in PEM.
    std::fs::write(
        dir.join("sbc1.sample.chainsmith.example.pem"),
        leaf_cert.pem(),
    )?;
    std::fs::write(dir.join("issuing-ca.cer"), int_cert.der().as_ref())?;
    std::fs::write(dir.join("root-ca.pem"), root_cert.pem())?;
    println!("wrote {}", dir.display());
    Ok(())
}
