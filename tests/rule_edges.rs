//! The edges of the rules in `src/engine/checks.rs`, written where mutation testing (cargo-mutants,
//! see docs/DEVELOPMENT.md) found a changed operator that no other test noticed: a lone self-signed
//! leaf is not a root, a leaf alone still needs its AKI, an untrusted root's plain AKI is fine, and the
//! validity, expiry-warning and RSA-size limits are exact.

mod common;

use chainsmith::engine::{self, Loaded};
use common::*;
use rcgen::{KeyPair, SerialNumber};

const DAY: i64 = 86_400;

fn codes_at(certs: &[&[u8]], host: Option<&str>, at: i64) -> Vec<&'static str> {
    let pile: String = certs
        .iter()
        .map(|der| engine::pem::encode("CERTIFICATE", der))
        .collect();
    let mut opts = options(host);
    opts.at = at;
    let report = engine::analyze(&load(&[("p.pem", pile.as_bytes())]), None, &opts);
    report.findings.iter().map(|f| f.code.as_str()).collect()
}

fn codes_of(certs: &[&[u8]], host: Option<&str>) -> Vec<&'static str> {
    codes_at(certs, host, AT)
}

/// The message of the first finding `code` in `findings`, or "" if none.
fn message_in(findings: &[engine::Finding], code: &str) -> String {
    findings
        .iter()
        .find(|f| f.code.as_str() == code)
        .map(|f| f.message.clone())
        .unwrap_or_default()
}

/// The message of the finding `code` on `certs` (given as one file, leaf first), or "" if none.
fn message_of(certs: &[&Cert], host: &str, code: &str) -> String {
    let pile: String = certs.iter().map(|c| c.pem()).collect();
    let report = analyze(&[("p.pem", pile.as_bytes())], &options(Some(host)));
    message_in(&report.findings, code)
}

#[test]
fn a_lone_self_signed_leaf_is_judged_as_a_leaf_not_as_a_root() {
    // Self-signed, not a CA, with serverAuth and no AKI (RFC 5280 §4.2.1.1: a self-signed
    // certificate may omit it).
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.use_authority_key_identifier_extension = false;
    let lone = issue_with_key(params, key(Alg::P256), None);
    let codes = codes_of(&[&lone.der], Some("sbc.example.com"));
    assert!(codes.contains(&"chain.self-signed-leaf"), "{codes:?}");
    // Root rules do not apply to it (an EKU on a root is cabf.root-eku), nor does the AKI rule.
    assert!(!codes.contains(&"cabf.root-eku"), "{codes:?}");
    assert!(!codes.contains(&"rfc5280.aki-missing"), "{codes:?}");
}

#[test]
fn a_lone_trusted_root_is_an_anchor_and_is_not_linted() {
    // RFC 5280 §6.1.1 (d): how a trust anchor was issued is not checked (serial 0 included).
    let mut params = ca_params("Lone Root");
    params.serial_number = Some(SerialNumber::from_slice(&[0]));
    let root = issue_with_key(params, key(Alg::P256), None);
    let mut opts = options(None);
    opts.profile = engine::Profile::GenesysByocPremises;
    let report = engine::analyze(&load(&[("root.pem", root.pem().as_bytes())]), None, &opts);
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(!codes.contains(&"rfc5280.serial-zero"), "{codes:?}");
}

#[test]
fn a_leaf_alone_without_its_issuer_still_needs_an_aki() {
    let c = chain(Alg::P256);
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.use_authority_key_identifier_extension = false;
    let leaf = c.intermediate.issue(params, Alg::P256);
    let codes = codes_of(&[&leaf.der], Some("sbc.example.com"));
    assert!(codes.contains(&"chain.incomplete"), "{codes:?}");
    assert!(codes.contains(&"rfc5280.aki-missing"), "{codes:?}");
}

#[test]
fn an_untrusted_roots_plain_aki_is_not_an_issuer_and_serial_aki() {
    // The chain ends at its own root, which is not trusted here (another root is): the root is
    // linted, and its AKI (a keyIdentifier only, as rcgen writes it) is what the Baseline
    // Requirements §7.1.2.1.3 ask for.
    let c = chain(Alg::P256);
    let other = root("Other Root", Alg::P256);
    let pile = c.leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let mut roots = Loaded::default();
    roots.extend(engine::load("roots.pem", other.pem().as_bytes()));
    let report = engine::analyze(
        &load(&[("p.pem", pile.as_bytes())]),
        Some(&roots),
        &options(Some("sbc.example.com")),
    );
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"chain.untrusted-root"), "{codes:?}");
    assert!(!codes.contains(&"cabf.root-aki-issuer-serial"), "{codes:?}");
}

#[test]
fn validity_is_inclusive_of_not_after_and_the_warning_window_is_exact() {
    // RFC 5280 §4.1.2.5: the certificate is valid through notAfter, inclusive.
    let c = chain(Alg::P256);
    let not_after = time::OffsetDateTime::from(std::time::SystemTime::UNIX_EPOCH)
        .replace_date(time::macros::date!(2027 - 01 - 01))
        .unix_timestamp();
    let certs: [&[u8]; 3] = [&c.leaf.der, &c.intermediate.der, &c.root.der];
    let host = Some("sbc.example.com");
    assert!(!codes_at(&certs, host, not_after).contains(&"cert.expired"));
    assert!(codes_at(&certs, host, not_after + 1).contains(&"cert.expired"));
    // The expiry warning (30 days by default): exactly 30 days before is not "within 30 days".
    assert!(!codes_at(&certs, host, not_after - 30 * DAY).contains(&"cert.expiring-soon"));
    assert!(codes_at(&certs, host, not_after - 30 * DAY + 1).contains(&"cert.expiring-soon"));
}

/// A certificate (issued by the test root) whose RSA public key has a modulus of `bits` bits
/// (not a working key: it signs nothing here).
fn rsa_key_of_bits(c: &Chain, bits: usize) -> Vec<u8> {
    let mut modulus = vec![0x00, 0xc5];
    modulus.extend((0..bits / 8 - 1).map(|i| (i * 7 + 3) as u8));
    // Odd, as a real modulus (a product of odd primes) is: an even one is `key.invalid`.
    if let Some(last) = modulus.last_mut() {
        *last |= 1;
    }
    let rsa_key = der_seq(&[der(0x02, &modulus), der(0x02, &[0x01, 0x00, 0x01])].concat());
    let raw = RawKey {
        bytes: rsa_key,
        alg: &rcgen::PKCS_RSA_SHA256,
    };
    let signer = rcgen::Issuer::from_params(&c.intermediate.params, &c.intermediate.key);
    leaf_params("sbc.example.com", &["sbc.example.com"])
        .signed_by(&raw, &signer)
        .unwrap()
        .der()
        .to_vec()
}

#[test]
fn an_rsa_key_of_exactly_8192_bits_is_not_too_large() {
    let c = chain(Alg::P256);
    for (bits, too_large) in [(8192, false), (8200, true)] {
        let leaf = rsa_key_of_bits(&c, bits);
        let codes = codes_of(
            &[&leaf, &c.intermediate.der, &c.root.der],
            Some("sbc.example.com"),
        );
        assert_eq!(
            codes.contains(&"key.rsa-too-large"),
            too_large,
            "{bits} bits: {codes:?}"
        );
    }
}

#[test]
fn a_v1_root_and_a_trusted_root_need_no_basic_constraints() {
    // A v1 root (openssl `x509 -req` without extensions makes one), not trusted here: a v1
    // certificate cannot carry basicConstraints, so it is not `rfc5280.root-basic-constraints-missing`.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "v1.key",
            "-out",
            "v1.csr",
            "-subj",
            "/CN=V1 Root",
        ],
    );
    openssl(
        d,
        &[
            "x509", "-req", "-in", "v1.csr", "-signkey", "v1.key", "-out", "v1.pem", "-days",
            "3650",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=sbc.example.com",
        ],
    );
    std::fs::write(
        d.join("leaf.ext"),
        "subjectAltName=DNS:sbc.example.com\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "v1.pem",
            "-CAkey",
            "v1.key",
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            "30",
            "-extfile",
            "leaf.ext",
        ],
    );
    let v1 = std::fs::read(d.join("v1.pem")).unwrap();
    let leaf = std::fs::read(d.join("leaf.pem")).unwrap();
    let other = root("Other Root", Alg::P256);
    let mut roots = Loaded::default();
    roots.extend(engine::load("roots.pem", other.pem().as_bytes()));
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut opts = options(Some("sbc.example.com"));
    opts.at = now;
    let pile = [leaf.clone(), v1.clone()].concat();
    let report = engine::analyze(&load(&[("p.pem", &pile)]), Some(&roots), &opts);
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"chain.untrusted-root"), "{codes:?}");
    assert!(
        !codes.contains(&"rfc5280.root-basic-constraints-missing"),
        "{codes:?}"
    );

    // A v3 root without basicConstraints that is the trust anchor: trust anchors are taken in any
    // form (RFC 5280 §6.1.1 (d)), so it is not linted either.
    let mut p = ca_params("Bare Root");
    p.is_ca = rcgen::IsCa::NoCa;
    let bare = issue_with_key(p, key(Alg::P256), None);
    let leaf = bare.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let mut roots = Loaded::default();
    roots.extend(engine::load("roots.pem", bare.pem().as_bytes()));
    let pile = leaf.pem() + &bare.pem();
    let report = engine::analyze(
        &load(&[("p.pem", pile.as_bytes())]),
        Some(&roots),
        &options(Some("sbc.example.com")),
    );
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(
        !codes.contains(&"rfc5280.root-basic-constraints-missing"),
        "{codes:?}"
    );
}

#[test]
fn an_intermediate_without_basic_constraints_is_not_a_ca_not_a_bare_root() {
    // RFC 5280 §4.2.1.9: a certificate that signs others needs basicConstraints CA:TRUE; the lenient
    // reading of a bare root (a v1-style root, a warning) is for roots only.
    let c = chain(Alg::P256);
    let mut p = ca_params("Bare Intermediate");
    p.is_ca = rcgen::IsCa::NoCa;
    let bare = c.root.issue(p, Alg::P256);
    let leaf = bare.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let codes = codes_of(
        &[&leaf.der, &bare.der, &c.root.der],
        Some("sbc.example.com"),
    );
    assert!(codes.contains(&"ca.not-ca"), "{codes:?}");
    assert!(
        !codes.contains(&"rfc5280.root-basic-constraints-missing"),
        "{codes:?}"
    );
    let message = message_of(&[&leaf, &bare, &c.root], "sbc.example.com", "ca.not-ca");
    assert!(message.contains("\"Bare Intermediate\""), "{message}");
}

#[test]
fn name_constraints_reach_other_intermediates_and_a_self_issued_leaf() {
    // RFC 5280 §6.1.3 (b): only self-issued *intermediates* are skipped.
    let c = chain(Alg::P256);
    let mut params = ca_params("Constrained CA");
    params.name_constraints = Some(rcgen::NameConstraints {
        permitted_subtrees: vec![],
        excluded_subtrees: vec![rcgen::GeneralSubtree::DnsName("forbidden.example".into())],
    });
    let constrained = c.root.issue(params, Alg::P256);
    // An intermediate of another name with an excluded SAN: a violation.
    let mut sub = ca_params("Sub CA");
    sub.subject_alt_names = vec![rcgen::SanType::DnsName(
        "ca.forbidden.example".try_into().unwrap(),
    )];
    let sub = constrained.issue(sub, Alg::P256);
    let leaf = sub.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let message = message_of(
        &[&leaf, &sub, &constrained, &c.root],
        "sbc.example.com",
        "name.constraint-violation",
    );
    assert!(
        message.ends_with(
            "names ca.forbidden.example, which the name constraints of \"Constrained CA\" exclude (DNS forbidden.example)"
        ),
        "{message}"
    );
    // A leaf named like its issuer (self-issued, not self-signed) is checked all the same.
    let mut params = leaf_params("x", &["sbc.forbidden.example"]);
    params.distinguished_name = constrained.params.distinguished_name.clone();
    let self_issued_leaf = constrained.issue(params, Alg::P256);
    let codes = codes_of(
        &[&self_issued_leaf.der, &constrained.der, &c.root.der],
        Some("sbc.forbidden.example"),
    );
    assert!(codes.contains(&"name.constraint-violation"), "{codes:?}");
}

#[test]
fn a_key_usage_without_digital_signature_is_explained_by_key_type() {
    let c = chain(Alg::P256);
    let message = |leaf: &Cert| {
        message_of(
            &[leaf, &c.intermediate, &c.root],
            "sbc.example.com",
            "leaf.key-usage",
        )
    };
    // ECDSA with keyEncipherment only: no use for TLS at all.
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.key_usages = vec![rcgen::KeyUsagePurpose::KeyEncipherment];
    let ec = c.intermediate.issue(params.clone(), Alg::P256);
    assert!(
        message(&ec).contains("no digitalSignature"),
        "{}",
        message(&ec)
    );
    // RSA with keyEncipherment only: TLS 1.2 RSA key exchange only.
    let rsa = c.intermediate.issue(params, Alg::Rsa2048);
    assert!(
        message(&rsa).contains("only keyEncipherment"),
        "{}",
        message(&rsa)
    );
}

#[test]
fn a_common_name_that_is_an_ip_san_in_canonical_form_is_in_the_san() {
    let c = chain(Alg::P256);
    let leaf = c
        .intermediate
        .issue(leaf_params("192.0.2.10", &["192.0.2.10"]), Alg::P256);
    let codes = codes_of(
        &[&leaf.der, &c.intermediate.der, &c.root.der],
        Some("192.0.2.10"),
    );
    assert!(!codes.contains(&"cabf.cn-not-in-san"), "{codes:?}");
    // Not canonical ("192.0.2.010"): not the same form.
    let leaf = c
        .intermediate
        .issue(leaf_params("192.0.2.010", &["192.0.2.10"]), Alg::P256);
    let codes = codes_of(
        &[&leaf.der, &c.intermediate.der, &c.root.der],
        Some("192.0.2.10"),
    );
    assert!(codes.contains(&"cabf.cn-not-in-san"), "{codes:?}");
}

#[test]
fn a_non_canonical_ip_common_name_is_told_its_canonical_form() {
    let c = chain(Alg::P256);
    let leaf = c
        .intermediate
        .issue(leaf_params("2001:DB8::1", &["2001:db8::1"]), Alg::P256);
    let message = message_of(
        &[&leaf, &c.intermediate, &c.root],
        "2001:db8::1",
        "cabf.cn-not-in-san",
    );
    assert!(
        message.contains("(the canonical form of this address is 2001:db8::1)"),
        "{message}"
    );
}

#[test]
fn a_name_mismatch_lists_ten_names_then_counts_the_rest() {
    let c = chain(Alg::P256);
    let message = |n: usize| {
        let names: Vec<String> = (1..=n).map(|i| format!("sbc{i}.example.com")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let leaf = c
            .intermediate
            .issue(leaf_params("sbc1.example.com", &names), Alg::P256);
        message_of(
            &[&leaf, &c.intermediate, &c.root],
            "other.example.com",
            "name.mismatch",
        )
    };
    let ten = message(10);
    assert!(ten.ends_with("sbc10.example.com"), "{ten}");
    assert!(!ten.contains("more"), "{ten}");
    let eleven = message(11);
    assert!(eleven.ends_with("sbc10.example.com and 1 more"), "{eleven}");
}

#[test]
fn ip_name_constraints_are_applied_and_a_permitted_ca_only_path_passes() {
    let c = chain(Alg::P256);
    let mut params = ca_params("IP Constrained CA");
    params.name_constraints = Some(rcgen::NameConstraints {
        permitted_subtrees: vec![
            rcgen::GeneralSubtree::IpAddress(rcgen::CidrSubnet::V4(
                [192, 0, 2, 0],
                [255, 255, 255, 0],
            )),
            rcgen::GeneralSubtree::IpAddress(rcgen::CidrSubnet::V6(
                [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            )),
            rcgen::GeneralSubtree::DnsName("example.com".into()),
        ],
        excluded_subtrees: vec![],
    });
    let constrained = c.root.issue(params, Alg::P256);
    // An IP SAN outside the permitted range.
    let leaf = constrained.issue(
        leaf_params("sbc.example.com", &["sbc.example.com", "198.51.100.7"]),
        Alg::P256,
    );
    let message = message_of(
        &[&leaf, &constrained, &c.root],
        "sbc.example.com",
        "name.constraint-violation",
    );
    // The message lists the permitted subtrees of the name's type, in words.
    assert!(
        message.ends_with(
            "do not permit (permitted: IP 192.0.2.0/255.255.255.0, IP 2001:db8::/ffff:ffff::; 198.51.100.7 is outside)"
        ),
        "{message}"
    );
    let inside = constrained.issue(
        leaf_params("sbc.example.com", &["sbc.example.com", "192.0.2.7"]),
        Alg::P256,
    );
    let codes = codes_of(
        &[&inside.der, &constrained.der, &c.root.der],
        Some("sbc.example.com"),
    );
    assert!(!codes.contains(&"name.constraint-violation"), "{codes:?}");

    // A CA-only path (a BYOC Premises upload) below the constrained CA, with a permitted SAN on the
    // intermediate: it passes the checks and the independent RFC 5280 validation alike.
    let mut sub = ca_params("Sub CA");
    sub.subject_alt_names = vec![rcgen::SanType::DnsName(
        "ca.example.com".try_into().unwrap(),
    )];
    let sub = constrained.issue(sub, Alg::P256);
    let pile = sub.pem() + &constrained.pem() + &c.root.pem();
    let mut opts = options(None);
    opts.profile = engine::Profile::GenesysByocPremises;
    let report = engine::analyze(&load(&[("ca.pem", pile.as_bytes())]), None, &opts);
    assert!(report.passed(), "{:?}", report.findings);
}

#[test]
fn a_self_signed_leaf_trusted_as_its_own_anchor_is_still_checked_as_a_leaf() {
    // The admin trusts the SBC's own self-signed certificate (--roots holding it): the path is the
    // leaf alone, ending at an anchor. It is still the end-entity certificate being judged, so the
    // rules for certificates (serial number) apply and the root rules (an EKU on a root) do not.
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.serial_number = Some(SerialNumber::from_slice(&[0]));
    let lone = issue_with_key(params, key(Alg::P256), None);
    let mut roots = Loaded::default();
    roots.extend(engine::load("roots.pem", lone.pem().as_bytes()));
    let report = engine::analyze(
        &load(&[("sbc.pem", lone.pem().as_bytes())]),
        Some(&roots),
        &options(Some("sbc.example.com")),
    );
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"rfc5280.serial-zero"), "{codes:?}");
    assert!(!codes.contains(&"cabf.root-eku"), "{codes:?}");
}

#[test]
fn an_aki_of_issuer_and_serial_only_is_not_a_missing_aki() {
    // authorityKeyIdentifier { authorityCertIssuer, authorityCertSerialNumber } without a
    // keyIdentifier: the extension is there (RFC 5280 §4.2.1.1 allows the pair), so it is not
    // `rfc5280.aki-missing`.
    let c = chain(Alg::P256);
    let issuer_name = der_seq(
        &tlvs(&tlv_content(
            &tlvs(&tlv_content(&tlvs(&tlv_content(&c.intermediate.der))[0]))[5],
        ))
        .concat(),
    );
    let aki = der_seq(&[der(0xa1, &der(0xa4, &issuer_name)), der(0x82, &[0x01])].concat());
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.use_authority_key_identifier_extension = false;
    params.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(
        &[2, 5, 29, 35],
        aki,
    )];
    let leaf = c.intermediate.issue(params, Alg::P256);
    let codes = codes_of(
        &[&leaf.der, &c.intermediate.der, &c.root.der],
        Some("sbc.example.com"),
    );
    assert!(!codes.contains(&"rfc5280.aki-missing"), "{codes:?}");
}

// The ranking of paths (`src/engine/chain.rs`: `quick_rank`).

#[test]
fn a_path_through_the_chosen_certificate_wins() {
    // One intermediate key, certified by two roots: two complete paths. "Use this path" (`via`)
    // picks either.
    let root1 = root("Root One", Alg::P256);
    let root2 = root("Root Two", Alg::P256);
    let int_key = key(Alg::P256);
    let int1 = issue_with_key(
        ca_params("Cross CA"),
        KeyPair::from_pem(&int_key.serialize_pem()).unwrap(),
        Some(&root1),
    );
    let int2 = issue_with_key(
        ca_params("Cross CA"),
        KeyPair::from_pem(&int_key.serialize_pem()).unwrap(),
        Some(&root2),
    );
    let leaf = int1.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let pile = leaf.pem() + &int1.pem() + &int2.pem() + &root1.pem() + &root2.pem();
    for via in [&int1, &int2] {
        let mut opts = options(Some("sbc.example.com"));
        opts.via = Some(engine::Fingerprint::of(&via.der));
        let report = engine::analyze(&load(&[("p.pem", pile.as_bytes())]), None, &opts);
        assert!(report.passed(), "{:?}", report.findings);
        assert_eq!(report.chain[1].cert.sha256.hex(), via.sha256());
    }
}

#[test]
fn a_root_held_in_the_input_is_the_anchor_not_its_public_twin() {
    // R3 and ISRG Root X1 given, the Mozilla set trusted too: the path ends at the root in the input
    // (no second path to the same root as a public anchor is walked), so `--include-root` can write it.
    let dir = fixtures().join("letsencrypt");
    let r3 = std::fs::read(dir.join("lets-encrypt-r3.pem")).unwrap();
    let root = std::fs::read(dir.join("isrgrootx1.pem")).unwrap();
    let mut opts = options(None);
    opts.public_roots = true;
    opts.at = at("2024-01-01T00:00:00Z");
    let report = engine::analyze(&load(&[("r3.pem", &r3), ("root.pem", &root)]), None, &opts);
    assert_eq!(
        report.anchor,
        engine::report::AnchorKind::Certificate,
        "{:?}",
        report.findings
    );
    assert_eq!(report.chain.len(), 2);
    assert!(report.chain[1].cert.subject.contains("ISRG Root X1"));
}

/// Issue 23: the 2026 validity limits (Baseline Requirements §6.3.2, ballot SC-081) for a public-CA
/// leaf (one asserting a CA/B Forum policy): 200 days from 2026-03-15, a warning by default and an
/// error with --strict; exactly the limit passes; a private CA's leaf is not held to it. The expiry
/// warning window is scaled to the certificate's lifetime.
#[test]
fn public_leaf_validity_limits_of_2026_and_a_scaled_expiry_window() {
    use chainsmith::engine::{Code, Severity};
    let c = chain(Alg::P256);
    // certificatePolicies { 2.23.140.1.2.1 (domain validated) }.
    let dv = rcgen::CustomExtension::from_oid_content(
        &[2, 5, 29, 32],
        der_seq(&der_seq(&[0x06, 0x06, 0x67, 0x81, 0x0c, 0x01, 0x02, 0x01])),
    );
    let leaf = |from: (i32, u8, u8), to: (i32, u8, u8), public: bool| {
        let mut p = leaf_params("sbc.example.com", &["sbc.example.com"]);
        p.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
        p.not_after = rcgen::date_time_ymd(to.0, to.1, to.2);
        if public {
            p.custom_extensions = vec![dv.clone()];
        }
        c.intermediate.issue(p, Alg::P256)
    };
    let report = |leaf: &Cert, strict: bool, at: &str| {
        let pile = leaf.pem() + &c.intermediate.pem() + &c.root.pem();
        let mut o = options(Some("sbc.example.com"));
        o.at = common::at(at);
        o.strict = strict;
        chainsmith::engine::analyze(&load(&[("chain.pem", pile.as_bytes())]), None, &o)
    };
    let too_long = |r: &chainsmith::engine::Report| {
        r.findings
            .iter()
            .find(|f| f.code == Code::CabfValidityTooLong)
            .map(|f| (f.severity, f.message.clone()))
    };
    // Issued 2026-04-01 for 275 days: over the 200 allowed.
    let long = leaf((2026, 4, 1), (2027, 1, 1), true);
    let (severity, message) = too_long(&report(&long, false, "2026-06-01T00:00:00Z")).unwrap();
    assert_eq!(severity, Severity::Warning);
    assert!(message.contains("at most 200 days"), "{message}");
    let strict = report(&long, true, "2026-06-01T00:00:00Z");
    assert_eq!(too_long(&strict).unwrap().0, Severity::Error);
    // Issued before 2026-03-15 for 365 days: within the 398 of then.
    let before = leaf((2026, 3, 1), (2027, 3, 1), true);
    assert!(too_long(&report(&before, true, "2026-06-01T00:00:00Z")).is_none());
    // Exactly 200 days (notBefore and notAfter included: 200 × 86,400 s in all).
    let mut exact = leaf_params("sbc.example.com", &["sbc.example.com"]);
    exact.not_before = rcgen::date_time_ymd(2026, 4, 1);
    exact.not_after = exact.not_before + time::Duration::days(200) - time::Duration::seconds(1);
    exact.custom_extensions = vec![dv.clone()];
    let exact = c.intermediate.issue(exact, Alg::P256);
    assert!(too_long(&report(&exact, true, "2026-06-01T00:00:00Z")).is_none());
    // One second more is over, and said in whole days started.
    let mut over = leaf_params("sbc.example.com", &["sbc.example.com"]);
    over.not_before = rcgen::date_time_ymd(2026, 4, 1);
    over.not_after = over.not_before + time::Duration::days(200);
    over.custom_extensions = vec![dv.clone()];
    let over = c.intermediate.issue(over, Alg::P256);
    let (_, message) = too_long(&report(&over, true, "2026-06-01T00:00:00Z")).unwrap();
    assert!(
        message.contains("is valid for 201 days from 2026-04-01"),
        "{message}"
    );
    // The first second of its validity is valid (RFC 5280 §4.1.2.5: the period includes both
    // dates); the one before is not.
    let not_yet = |at: &str| {
        report(&exact, false, at)
            .findings
            .iter()
            .any(|f| f.code == Code::CertNotYetValid)
    };
    assert!(!not_yet("2026-04-01T00:00:00Z"));
    assert!(not_yet("2026-03-31T23:59:59Z"));
    // A private CA's leaf (no CA/B Forum policy, a private root): not held to the public limits.
    let private = leaf((2026, 4, 1), (2028, 4, 1), false);
    assert!(too_long(&report(&private, true, "2026-06-01T00:00:00Z")).is_none());

    // The expiry warning: 30 days by default, but at most a third of the lifetime. A 47-day
    // certificate 20 days before its end is not "expiring soon" yet; at 10 days it is.
    let short = leaf((2026, 5, 1), (2026, 6, 17), false);
    let expiring = |at: &str| {
        report(&short, false, at)
            .findings
            .iter()
            .any(|f| f.code == Code::CertExpiringSoon)
    };
    assert!(!expiring("2026-05-28T00:00:00Z"));
    assert!(expiring("2026-06-07T00:00:00Z"));
    // A one-year certificate still warns at 29 days.
    let year = leaf((2026, 1, 1), (2027, 1, 1), false);
    assert!(
        report(&year, false, "2026-12-03T00:00:00Z")
            .findings
            .iter()
            .any(|f| f.code == Code::CertExpiringSoon)
    );
}

/// A served chain judged as `probe` judges it: loaded in served order, analysed with the bundle's
/// root as the far end's anchor, then `served::judge` against the bundle.
fn served_codes(served: &[&Cert], bundle: &[&Cert]) -> Vec<&'static str> {
    let opts = options(Some("sbc.example.com"));
    let bundle_inputs: Vec<(String, Vec<u8>)> = bundle
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("bundle #{i}"), c.der.clone()))
        .collect();
    let bundle_refs: Vec<(&str, &[u8])> = bundle_inputs
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let bundle_report = analyze(&bundle_refs, &opts);
    let mut loaded = Loaded::default();
    for (i, c) in served.iter().enumerate() {
        loaded.extend(engine::load(&format!("served #{}", i + 1), &c.der));
    }
    let roots = engine::served::bundle_roots(&bundle_report);
    let report = engine::analyze(&loaded, roots.as_ref(), &opts);
    let judged = engine::served::judge(report, Some(&bundle_report), &opts);
    codes(&judged)
}

/// Mutants of `served::judge`: a leaf served alone is not "self-signed" (only a self-issued lone
/// certificate is); its missing issuer is said once, as `served.incomplete`, not also as
/// `chain.incomplete`; a served order is said as `served.order`, not also as `chain.order`.
#[test]
fn served_chains_say_each_thing_once_and_only_a_self_issued_lone_leaf_is_self_signed() {
    let c = chain(Alg::P256);
    let bundle = [&c.leaf, &c.intermediate, &c.root];

    let alone = served_codes(&[&c.leaf], &bundle);
    assert!(alone.contains(&"served.incomplete"), "{alone:?}");
    assert!(!alone.contains(&"chain.incomplete"), "{alone:?}");
    assert!(!alone.contains(&"chain.self-signed-leaf"), "{alone:?}");

    let shuffled = served_codes(&[&c.leaf, &c.root, &c.intermediate], &bundle);
    assert!(shuffled.contains(&"served.order"), "{shuffled:?}");
    assert!(!shuffled.contains(&"chain.order"), "{shuffled:?}");
    // The same order read as one file (as a saved `s_client -showcerts` would be): the file's
    // `chain.order` note gives way to `served.order` too.
    let opts = options(Some("sbc.example.com"));
    let pem = c.leaf.pem() + &c.root.pem() + &c.intermediate.pem();
    let as_one = analyze(&[("served", pem.as_bytes())], &opts);
    assert!(
        codes(&as_one).contains(&"chain.order"),
        "{:?}",
        codes(&as_one)
    );
    let bundle_report = analyze(
        &[(
            "bundle",
            (c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()).as_bytes(),
        )],
        &opts,
    );
    let judged = engine::served::judge(as_one, Some(&bundle_report), &opts);
    assert!(
        !codes(&judged).contains(&"chain.order"),
        "{:?}",
        codes(&judged)
    );

    // The host name is checked once on the served leaf (not again when path building took the
    // same certificate as the leaf), and on the first certificate served even when path building
    // made another the leaf (the server answers with its own certificate first).
    let wrong_host = |served: &[&Cert], bundle: &[&Cert]| {
        let opts = options(Some("other.example.com"));
        let mut loaded = Loaded::default();
        for (i, c) in served.iter().enumerate() {
            loaded.extend(engine::load(&format!("served #{}", i + 1), &c.der));
        }
        let bundle_pem: String = bundle.iter().map(|c| c.pem()).collect();
        let bundle_report = analyze(&[("bundle", bundle_pem.as_bytes())], &opts);
        let roots = engine::served::bundle_roots(&bundle_report);
        let report = engine::analyze(&loaded, roots.as_ref(), &opts);
        engine::served::judge(report, Some(&bundle_report), &opts)
    };
    let judged = wrong_host(&[&c.leaf, &c.intermediate], &bundle);
    let mismatches = codes(&judged)
        .iter()
        .filter(|c| **c == "name.mismatch")
        .count();
    assert_eq!(mismatches, 1, "{:?}", codes(&judged));
    let first_not_leaf = served_codes(&[&c.intermediate, &c.leaf], &bundle);
    assert!(
        first_not_leaf.contains(&"name.no-san"),
        "{first_not_leaf:?}"
    );
    // Errors first, and among them the served leaf's identity: a stale leaf leads.
    let old = c.intermediate.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let judged = wrong_host(&[&old, &c.intermediate], &bundle);
    assert_eq!(
        judged.findings[0].code.as_str(),
        "served.stale-leaf",
        "{:?}",
        codes(&judged)
    );
    assert!(
        codes(&judged).contains(&"name.mismatch"),
        "{:?}",
        codes(&judged)
    );

    // A self-signed certificate served alone is said as such.
    let lone = issue_with_key(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        key(Alg::P256),
        None,
    );
    let own = served_codes(&[&lone], &bundle);
    assert!(own.contains(&"chain.self-signed-leaf"), "{own:?}");
}

/// A mutant of `KeyForm::from_label`: a key in OpenSSL's traditional EC form (`EC PRIVATE KEY`,
/// SEC 1, what `openssl ecparam -genkey` writes) beside its certificate is recognised as the leaf's.
#[test]
fn an_ec_private_key_in_sec1_form_is_recognised_as_the_leafs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "sbc.key",
        ],
    );
    let key_text = std::fs::read_to_string(d.join("sbc.key")).unwrap();
    assert!(
        key_text.starts_with("-----BEGIN EC PRIVATE KEY-----"),
        "{key_text}"
    );
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-key",
            "sbc.key",
            "-subj",
            "/CN=sbc.example.com",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-addext",
            "subjectAltName=DNS:sbc.example.com",
            "-out",
            "sbc.pem",
        ],
    );
    let pem = std::fs::read(d.join("sbc.pem")).unwrap();
    let report = analyze(
        &[("sbc.pem", &pem), ("sbc.key", key_text.as_bytes())],
        &options(None),
    );
    assert!(
        codes(&report).contains(&"key.matches-leaf"),
        "{:?}",
        codes(&report)
    );
}

/// Mutants of `served::compare`: only intermediates are compared as intermediates (a stale leaf
/// under the same intermediate is a stale leaf, not a difference of intermediates); an extra
/// intermediate alone is a difference, said as "served but not in the bundle" and nothing else.
#[test]
fn served_intermediates_are_compared_as_intermediates_and_each_side_said_only_when_it_differs() {
    let c = chain(Alg::P256);
    let bundle = [&c.leaf, &c.intermediate, &c.root];
    let old = c.intermediate.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let stale = served_codes(&[&old, &c.intermediate], &bundle);
    assert!(stale.contains(&"served.stale-leaf"), "{stale:?}");
    assert!(!stale.contains(&"served.intermediates-differ"), "{stale:?}");

    // One side only: what the bundle lacks, or what the endpoint lacks, said alone.
    let opts = options(Some("sbc.example.com"));
    let report_of = |certs: &[&Cert]| {
        let pem: String = certs.iter().map(|x| x.pem()).collect();
        analyze(&[("pile", pem.as_bytes())], &opts)
    };
    let differ = |served: &[&Cert], bundle: &[&Cert]| -> Vec<String> {
        engine::served::compare(&report_of(served), &report_of(bundle))
            .iter()
            .filter(|f| f.code.as_str() == "served.intermediates-differ")
            .map(|f| f.message.clone())
            .collect()
    };
    let extra = differ(&[&c.leaf, &c.intermediate, &c.root], &[&c.leaf]);
    assert_eq!(extra.len(), 1, "{extra:?}");
    assert!(
        extra[0].contains("served but not in the bundle: \"Test Intermediate CA\""),
        "{extra:?}"
    );
    assert!(
        !extra[0].contains("in the bundle but not served"),
        "{extra:?}"
    );
    let lacking = differ(&[&c.leaf], &[&c.leaf, &c.intermediate, &c.root]);
    assert_eq!(lacking.len(), 1, "{lacking:?}");
    assert!(
        lacking[0].contains("in the bundle but not served: \"Test Intermediate CA\""),
        "{lacking:?}"
    );
    assert!(
        !lacking[0].contains("served but not in the bundle"),
        "{lacking:?}"
    );
}

/// A validation time before 1970 (which webpki's clock cannot hold) on certificates valid then: our
/// own checks judge it, webpki is not asked (a mutant asked it with the time wrapped to the far
/// future, and it refused).
#[test]
fn a_time_before_1970_is_judged_without_webpki() {
    let mut root_params = ca_params("Old Root CA");
    root_params.not_before = rcgen::date_time_ymd(1960, 1, 1);
    root_params.not_after = rcgen::date_time_ymd(2040, 1, 1);
    let old_root = issue_with_key(root_params, key(Alg::P256), None);
    let mut leaf = leaf_params("sbc.example.com", &["sbc.example.com"]);
    leaf.not_before = rcgen::date_time_ymd(1960, 1, 1);
    leaf.not_after = rcgen::date_time_ymd(2030, 1, 1);
    let leaf = old_root.issue(leaf, Alg::P256);
    let at = -86_400; // 1969-12-31
    let found = codes_at(&[&leaf.der, &old_root.der], Some("sbc.example.com"), at);
    assert!(!found.contains(&"trust.rejected"), "{found:?}");
    assert!(!found.contains(&"cert.expired"), "{found:?}");
    assert!(!found.contains(&"cert.not-yet-valid"), "{found:?}");
    // At the epoch itself webpki is asked: an intermediate for TLS clients only is refused then.
    let mut int_params = ca_params("Clients Only CA");
    int_params.not_before = rcgen::date_time_ymd(1960, 1, 1);
    int_params.not_after = rcgen::date_time_ymd(2040, 1, 1);
    int_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let clients_only = old_root.issue(int_params, Alg::P256);
    let mut leaf = leaf_params("sbc.example.com", &["sbc.example.com"]);
    leaf.not_before = rcgen::date_time_ymd(1960, 1, 1);
    leaf.not_after = rcgen::date_time_ymd(2030, 1, 1);
    let leaf = clients_only.issue(leaf, Alg::P256);
    let found = codes_at(
        &[&leaf.der, &clients_only.der, &old_root.der],
        Some("sbc.example.com"),
        0,
    );
    assert!(found.contains(&"trust.rejected"), "{found:?}");
}

/// Mutants of `signature::verify_signed`: an issuer whose RSA key is exactly 8,192 bits is checked
/// (only a larger one is beyond verifiers), so a wrong signature under it is a bad signature; and an
/// issuer whose usable key is of another type than the signature names cannot have made it: a bad
/// signature, not an unverifiable one.
#[test]
fn signatures_under_an_8192_bit_rsa_key_or_a_key_of_another_type_are_checked() {
    // A CA certificate carrying an RSA public key of exactly 8,192 bits (made up: no such private
    // key is needed, since no valid signature is expected under it).
    let c = chain(Alg::Rsa2048);
    let mut modulus = vec![0x00, 0xc5];
    modulus.extend((0..1023).map(|i| (i * 7 + 3) as u8));
    let raw = RawKey {
        bytes: der_seq(&[der(0x02, &modulus), der(0x02, &[0x01, 0x00, 0x01])].concat()),
        alg: &rcgen::PKCS_RSA_SHA256,
    };
    let huge_params = ca_params("Huge RSA CA");
    let signer = rcgen::Issuer::from_params(&c.root.params, &c.root.key);
    let huge = huge_params.signed_by(&raw, &signer).unwrap().der().to_vec();
    // A leaf naming it as its issuer, signed (RSA) by another key.
    let by_other = rcgen::Issuer::from_params(&huge_params, &c.intermediate.key);
    let leaf = leaf_params("sbc.example.com", &["sbc.example.com"])
        .signed_by(&c.leaf.key, &by_other)
        .unwrap()
        .der()
        .to_vec();
    let found = codes_of(&[&leaf, &huge, &c.root.der], Some("sbc.example.com"));
    assert!(found.contains(&"chain.bad-signature"), "{found:?}");
    assert!(
        !found.contains(&"chain.unverifiable-signature"),
        "{found:?}"
    );

    // An ECDSA-signed leaf whose named issuer has an RSA key.
    let p = chain(Alg::P256);
    let decoy = p
        .root
        .issue(ca_params("Test Intermediate CA"), Alg::Rsa2048);
    let found = codes_of(
        &[&p.leaf.der, &decoy.der, &p.root.der],
        Some("sbc.example.com"),
    );
    assert!(found.contains(&"chain.bad-signature"), "{found:?}");
    assert!(
        !found.contains(&"chain.unverifiable-signature"),
        "{found:?}"
    );
}

/// Mutants of `signature::key_defect`: an X25519 key (key agreement only, RFC 8410 §3) is an unusable
/// key; a key of an algorithm Chainsmith does not know is not called one.
#[test]
fn an_x25519_key_is_unusable_and_an_unknown_one_is_not_called_x25519() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(d, &["genpkey", "-algorithm", "X25519", "-out", "x.key"]);
    openssl(d, &["pkey", "-in", "x.key", "-pubout", "-out", "x.pub"]);
    openssl(
        d,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "ca.key",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-new",
            "-subj",
            "/CN=sbc.example.com",
            "-force_pubkey",
            "x.pub",
            "-key",
            "ca.key",
            "-days",
            "30",
            "-outform",
            "DER",
            "-out",
            "x.der",
        ],
    );
    let x25519 = std::fs::read(d.join("x.der")).unwrap();
    let report = analyze(&[("x.der", &x25519)], &options(None));
    let f = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "key.invalid")
        .unwrap_or_else(|| panic!("{:?}", codes(&report)));
    assert!(f.message.contains("X25519"), "{}", f.message);
    // The same certificate with the key's algorithm changed to an unassigned OID (1.3.101.127).
    let oid = [0x06, 0x03, 0x2b, 0x65, 0x6e];
    let at = x25519
        .windows(5)
        .position(|w| w == oid)
        .expect("the X25519 OID");
    let mut unknown = x25519.clone();
    unknown[at + 4] = 0x7f;
    let report = analyze(&[("unknown.der", &unknown)], &options(None));
    assert!(
        !codes(&report).contains(&"key.invalid"),
        "{:?}",
        report.findings
    );
}

/// Mutants of `signature::key_defect` at its edges: an RSA public exponent of 3 is allowed (RFC 8017
/// §3.1: odd and at least 3), and an Ed25519 key of its 32 bytes is fine.
#[test]
fn an_rsa_exponent_of_3_and_an_ed25519_key_are_usable() {
    let c = chain(Alg::P256);
    let mut modulus = vec![0x00, 0xc5];
    modulus.extend((0..255).map(|i| (i * 7 + 3) as u8));
    *modulus.last_mut().unwrap() |= 1; // odd
    let raw = RawKey {
        bytes: der_seq(&[der(0x02, &modulus), der(0x02, &[0x03])].concat()),
        alg: &rcgen::PKCS_RSA_SHA256,
    };
    let signer = rcgen::Issuer::from_params(&c.intermediate.params, &c.intermediate.key);
    let e3 = leaf_params("sbc.example.com", &["sbc.example.com"])
        .signed_by(&raw, &signer)
        .unwrap()
        .der()
        .to_vec();
    let found = codes_of(
        &[&e3, &c.intermediate.der, &c.root.der],
        Some("sbc.example.com"),
    );
    assert!(!found.contains(&"key.invalid"), "{found:?}");

    let ed = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let ed_leaf = issue_with_key(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        ed,
        Some(&c.intermediate),
    );
    let found = codes_of(
        &[&ed_leaf.der, &c.intermediate.der, &c.root.der],
        Some("sbc.example.com"),
    );
    assert!(!found.contains(&"key.invalid"), "{found:?}");
}

/// A mutant of `signature::spki_key` (the curve of a Mozilla root read from its bare SPKI): Let's
/// Encrypt's E5, an ECDSA intermediate, is verified against ISRG Root X2 (P-384) from webpki-roots,
/// so the path reaches that public root (the root is then omitted, as a server sends it).
#[test]
fn an_intermediate_under_an_ecdsa_mozilla_root_is_verified_by_its_key() {
    let e5 = std::fs::read(fixtures().join("letsencrypt/2024/e5.pem")).unwrap();
    let mut opts = options(None);
    opts.public_roots = true;
    let report = analyze(&[("e5.pem", &e5)], &opts);
    let found = codes(&report);
    assert!(
        !found.contains(&"chain.unverifiable-signature"),
        "{found:?}"
    );
    assert!(!found.contains(&"chain.incomplete"), "{found:?}");
    assert!(found.contains(&"chain.root-omitted"), "{found:?}");
}

/// Mutants of `signature::algorithm_for` (which verifier for which signature and key): certificates
/// made by openssl with every RSA digest, RSA-PSS with each hash, and ECDSA on each curve with each
/// hash (SHA-1 too, which the checks report on their own) all have their signatures verified; and an
/// RSA-SHA384 or PSS signature under a 1,024-bit key is said to be unverifiable (those verifiers
/// start at 2,048 bits), not bad.
#[test]
fn every_signature_algorithm_openssl_makes_is_verified_with_the_right_verifier() {
    let cases: &[(&str, &[&str], &str, bool)] = &[
        ("rsa-sha1", &["-newkey", "rsa:2048"], "-sha1", false),
        ("rsa-sha256", &["-newkey", "rsa:2048"], "-sha256", false),
        ("rsa-sha384", &["-newkey", "rsa:2048"], "-sha384", false),
        ("rsa-sha512", &["-newkey", "rsa:2048"], "-sha512", false),
        ("pss-sha256", &["-newkey", "rsa:2048"], "-sha256", true),
        ("pss-sha384", &["-newkey", "rsa:2048"], "-sha384", true),
        ("pss-sha512", &["-newkey", "rsa:2048"], "-sha512", true),
        (
            "p256-sha1",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            "-sha1",
            false,
        ),
        (
            "p256-sha256",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            "-sha256",
            false,
        ),
        (
            "p256-sha384",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            "-sha384",
            false,
        ),
        (
            "p256-sha512",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            "-sha512",
            false,
        ),
        (
            "p384-sha256",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
            "-sha256",
            false,
        ),
        (
            "p384-sha384",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
            "-sha384",
            false,
        ),
        (
            "p384-sha512",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
            "-sha512",
            false,
        ),
        (
            "p521-sha1",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"],
            "-sha1",
            false,
        ),
        (
            "p521-sha256",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"],
            "-sha256",
            false,
        ),
        (
            "p521-sha384",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"],
            "-sha384",
            false,
        ),
        (
            "p521-sha512",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"],
            "-sha512",
            false,
        ),
        ("ed25519", &["-newkey", "ed25519"], "", false),
    ];
    let signed = |dir: &std::path::Path, key: &[&str], digest: &str, pss: bool| -> Vec<String> {
        let mut root: Vec<&str> = vec![
            "req",
            "-x509",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=Algo Root",
        ];
        root.extend(key);
        root.extend(["-keyout", "root.key", "-out", "root.pem"]);
        root.extend(["-addext", "basicConstraints=critical,CA:TRUE"]);
        root.extend(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        if !digest.is_empty() {
            root.push(digest);
        }
        if pss {
            root.extend([
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                "rsa_pss_saltlen:digest",
            ]);
        }
        openssl(dir, &root);
        openssl(
            dir,
            &[
                "req",
                "-new",
                "-nodes",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-subj",
                "/CN=sbc.example.com",
                "-keyout",
                "leaf.key",
                "-out",
                "leaf.csr",
            ],
        );
        std::fs::write(
            dir.join("leaf.ext"),
            "subjectAltName=DNS:sbc.example.com\nbasicConstraints=critical,CA:FALSE\n",
        )
        .unwrap();
        let mut leaf: Vec<&str> = vec![
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            "leaf.ext",
            "-out",
            "leaf.pem",
        ];
        if !digest.is_empty() {
            leaf.push(digest);
        }
        if pss {
            leaf.extend([
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                "rsa_pss_saltlen:digest",
            ]);
        }
        openssl(dir, &leaf);
        let root = std::fs::read(dir.join("root.pem")).unwrap();
        let leaf = std::fs::read(dir.join("leaf.pem")).unwrap();
        let report = analyze(&[("leaf.pem", &leaf), ("root.pem", &root)], &options(None));
        codes(&report).iter().map(|c| c.to_string()).collect()
    };
    let mut wrong = Vec::new();
    for (name, key, digest, pss) in cases {
        let dir = tempfile::tempdir().unwrap();
        let found = signed(dir.path(), key, digest, *pss);
        if found.iter().any(|c| {
            matches!(
                c.as_str(),
                "chain.bad-signature" | "chain.unverifiable-signature" | "chain.incomplete"
            )
        }) {
            wrong.push(format!("{name}: {found:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Under a 1,024-bit RSA key: SHA-384 and PSS verifiers start at 2,048 bits.
    for (digest, pss) in [("-sha384", false), ("-sha256", true)] {
        let dir = tempfile::tempdir().unwrap();
        let found = signed(dir.path(), &["-newkey", "rsa:1024"], digest, pss);
        assert!(
            found.contains(&"chain.unverifiable-signature".to_string()),
            "{digest} {pss}: {found:?}"
        );
        assert!(
            !found.contains(&"chain.bad-signature".to_string()),
            "{digest} {pss}: {found:?}"
        );
    }
}

/// Mutants of `validate` (our RFC 5280 §6.1 validation, the verdict for a CA-only chain such as a
/// Genesys BYOC Premises upload): the path length left by a CA above is enforced on the lowest CA
/// ("no room to issue") and counts each CA below once; a CA-only chain under an ECDSA Mozilla root is
/// validated with that root's key (the public root found by its index).
#[test]
fn ca_only_chains_are_validated_with_their_path_length_and_their_public_root() {
    let root = root("Validated Root", Alg::P256);
    let roots = load(&[("root.pem", root.pem().as_bytes())]);
    let mut opts = options(None);
    opts.profile = engine::Profile::GenesysByocPremises;
    let judged = |pile: &[&Cert]| -> Vec<String> {
        let pem: String = pile.iter().map(|c| c.pem()).collect();
        let report = engine::analyze(&load(&[("cas.pem", pem.as_bytes())]), Some(&roots), &opts);
        report
            .findings
            .iter()
            .map(|f| f.code.as_str().to_string())
            .collect()
    };
    let with_limit = |limit: u8| {
        let mut p = ca_params("Upper CA");
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(limit));
        let upper = root.issue(p, Alg::P256);
        let lower = upper.issue(ca_params("Lower CA"), Alg::P256);
        (upper, lower)
    };
    // pathLenConstraint 0 above: the lower CA may not issue, so as the top of an upload it is refused.
    let (upper, lower) = with_limit(0);
    let found = judged(&[&lower, &upper]);
    assert!(
        found
            .iter()
            .any(|c| c == "trust.rejected" || c == "ca.path-length"),
        "{found:?}"
    );
    // pathLenConstraint 1: room for it.
    let (upper, lower) = with_limit(1);
    let found = judged(&[&lower, &upper]);
    assert!(!found.iter().any(|c| c == "trust.rejected"), "{found:?}");
    // Two CAs below a limit of 1 (upper → middle → lower): the second is one too many.
    let mut p = ca_params("Upper CA");
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(1));
    let upper = root.issue(p, Alg::P256);
    let middle = upper.issue(ca_params("Middle CA"), Alg::P256);
    let lower = middle.issue(ca_params("Lower CA"), Alg::P256);
    let found = judged(&[&lower, &middle, &upper]);
    assert!(
        found
            .iter()
            .any(|c| c == "trust.rejected" || c == "ca.path-length"),
        "{found:?}"
    );

    // E5 alone, under ISRG Root X2 from webpki-roots.
    let e5 = std::fs::read(fixtures().join("letsencrypt/2024/e5.pem")).unwrap();
    let mut public = options(None);
    public.profile = engine::Profile::GenesysByocPremises;
    public.public_roots = true;
    public.at = at("2025-01-01T00:00:00Z");
    let report = engine::analyze(&load(&[("e5.pem", &e5)]), None, &public);
    assert!(
        !codes(&report).contains(&"trust.rejected"),
        "{:?}",
        report.findings
    );
}

/// Mutants of the loader's budgets (`load_counted`, `Loaded::extend`), at their exact edges: a file of
/// exactly 10 MiB is read and one byte more is not; inputs totalling exactly the 50,000 certificates
/// or the 200 MiB are kept, one more is refused; once over the budget, nothing more is added.
#[test]
fn the_loaders_budgets_are_exact() {
    use chainsmith::engine::load::{MAX_INPUT_BYTES, MAX_TOTAL_BYTES, MAX_TOTAL_CERTIFICATES};
    let too_large = |l: &Loaded| {
        l.findings
            .iter()
            .any(|f| f.code.as_str() == "input.too-large")
    };
    let at_limit = engine::load("blank.txt", &vec![b' '; MAX_INPUT_BYTES]);
    assert!(!too_large(&at_limit), "{:?}", at_limit.findings);
    let over = engine::load("blank.txt", &vec![b' '; MAX_INPUT_BYTES + 1]);
    assert!(too_large(&over), "{:?}", over.findings);

    let c = chain(Alg::P256);
    let one = engine::load("leaf.pem", c.leaf.pem().as_bytes());
    let cert = one.certificates[0].clone();
    let with = |n: usize, bytes: u64| Loaded {
        certificates: vec![cert.clone(); n],
        bytes,
        ..Default::default()
    };
    // Certificates: exactly the limit, then one more.
    let mut total = with(MAX_TOTAL_CERTIFICATES - 1, 0);
    total.extend(with(1, 0));
    assert_eq!(total.certificates.len(), MAX_TOTAL_CERTIFICATES);
    assert!(!too_large(&total) && !total.over_budget);
    total.extend(with(1, 0));
    assert!(too_large(&total) && total.over_budget);
    assert_eq!(total.certificates.len(), MAX_TOTAL_CERTIFICATES);
    // Once over, a later input that would fit is not added either.
    total.extend(with(0, 1));
    assert_eq!(
        total.bytes, 0,
        "nothing counted after the budget was passed"
    );
    // Bytes: exactly the limit, then one more.
    let mut total = with(0, MAX_TOTAL_BYTES - 1);
    total.extend(with(1, 1));
    assert_eq!(total.bytes, MAX_TOTAL_BYTES);
    assert!(!total.over_budget);
    total.extend(with(1, 1));
    assert!(total.over_budget);
    assert_eq!(total.certificates.len(), 1);
}

/// A mutant of `load_found`: a key alone in a folder is a key found (`input.private-key`), not a file
/// to pass over as `input.ignored`.
#[test]
fn a_key_alone_in_a_folder_is_not_ignored() {
    let k = key(Alg::P256).serialize_pem();
    let loaded = engine::load::load_found("folder/sbc.key", k.as_bytes());
    let found: Vec<&str> = loaded.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(found.contains(&"input.private-key"), "{found:?}");
    assert!(!found.contains(&"input.ignored"), "{found:?}");
    // A key saved with its signing request in one file (as some CSR tools write them): the key is
    // still found, and the file is not passed over though it holds no certificate.
    let dir = tempfile::tempdir().unwrap();
    openssl(
        dir.path(),
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "sbc.key",
            "-subj",
            "/CN=sbc.example.com",
            "-out",
            "sbc.csr",
        ],
    );
    let both = std::fs::read_to_string(dir.path().join("sbc.key")).unwrap()
        + &std::fs::read_to_string(dir.path().join("sbc.csr")).unwrap();
    let loaded = engine::load::load_found("folder/sbc.pem", both.as_bytes());
    let found: Vec<&str> = loaded.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(loaded.keys.len(), 1);
    assert!(found.contains(&"input.private-key"), "{found:?}");
    assert!(!found.contains(&"input.ignored"), "{found:?}");
    assert!(loaded.ignored.is_empty());
}

/// The loader's mutants of the 2026-12-03 run, second part (`docs/DEVELOPMENT.md`): what a folder's
/// stray text files are taken for. Comment lines do not count (an openssl serial file with a comment
/// is still one), an index.txt may hold valid, revoked and expired lines, and a line that merely ends
/// with `]` is not a configuration section.
#[test]
fn stray_text_files_are_named_for_what_they_are() {
    let what = |name: &str, text: &str| {
        let loaded = engine::load::load_found(name, text.as_bytes());
        assert!(loaded.certificates.is_empty());
        loaded
            .ignored
            .first()
            .map(|(_, what)| what.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        what("ca/serial", "# next serial\n1000\n"),
        "an openssl serial-number file"
    );
    assert_eq!(
        what(
            "ca/index.txt",
            "V\t270101000000Z\t\t1000\tunknown\t/CN=a\nR\t270101000000Z\t260101000000Z\t1001\tunknown\t/CN=b\nE\t250101000000Z\t\t1002\tunknown\t/CN=c\n"
        ),
        "an openssl CA database (index.txt)"
    );
    assert_eq!(
        what("ca/notes.txt", "renewed for the trunk, see [RFC 5280]\n"),
        "a text file"
    );
    assert_eq!(
        what("ca/openssl.cnf", "[ req ]\nprompt = no\n"),
        "a configuration file"
    );
}

/// A PEM file saved as UTF-16 with a big-endian byte-order mark is read as the text it is (the
/// little-endian form is what PowerShell 5.1 writes; both marks are Unicode's).
#[test]
fn utf16_big_endian_pem_is_read() {
    let c = chain(Alg::P256);
    let mut bytes = vec![0xFE, 0xFF];
    for unit in c.leaf.pem().encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    let loaded = engine::load("leaf-utf16be.pem", &bytes);
    assert_eq!(loaded.certificates.len(), 1, "{:?}", loaded.findings);
    assert_eq!(loaded.certificates[0].der, c.leaf.der);
}

/// A file of blocks that are not certificates says which, each label once and in the order found,
/// whether its base64 reads or not, a private key among them.
#[test]
fn a_file_without_certificates_names_each_kind_of_block_once() {
    let block = |label: &str, body: &str| {
        format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
    };
    let k = key(Alg::P256).serialize_pem();
    let text = [
        block("FOO", "AAAA"),
        block("BAR", "AAAA"),
        block("FOO", "AAAA"),
        k.clone(),
        block("BAZ", "!!not base64!!"),
        block("QUX", "!!not base64!!"),
        block("BAZ", "!!not base64!!"),
        k,
    ]
    .concat();
    let loaded = engine::load("blocks.pem", text.as_bytes());
    let message = message_in(&loaded.findings, "input.no-certificate");
    assert!(
        message.ends_with("(only FOO, BAR, a private key, BAZ, QUX)"),
        "{message}"
    );
}

/// At most 20 malformed certificate blocks are listed one by one; with exactly 20 there is no "more"
/// line, with 21 there is one.
#[test]
fn malformed_blocks_are_listed_up_to_twenty() {
    let bad = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    for (blocks, more) in [(20, false), (21, true)] {
        let loaded = engine::load("bad.pem", bad.repeat(blocks).as_bytes());
        let malformed: Vec<&str> = loaded
            .findings
            .iter()
            .filter(|f| f.code.as_str() == "input.malformed")
            .map(|f| f.message.as_str())
            .collect();
        let listed = malformed
            .iter()
            .filter(|m| m.contains("CERTIFICATE block"))
            .count();
        assert_eq!(listed, 20, "{blocks}: {malformed:?}");
        assert_eq!(
            malformed
                .iter()
                .any(|m| m.contains("more malformed blocks")),
            more,
            "{blocks}: {malformed:?}"
        );
    }
}

/// PKCS#7 bundles as openssl writes them (`crl2pkcs7 -nocrl -certfile`), in PEM and in DER: every
/// certificate inside loads, byte for byte.
#[test]
fn pkcs7_bundles_from_openssl_load_in_pem_and_der() {
    let dir = tempfile::tempdir().unwrap();
    let c = chain(Alg::P256);
    std::fs::write(
        dir.path().join("chain.pem"),
        c.leaf.pem() + &c.intermediate.pem(),
    )
    .unwrap();
    for (form, file) in [("PEM", "chain.p7b"), ("DER", "chain.p7c")] {
        openssl(
            dir.path(),
            &[
                "crl2pkcs7",
                "-nocrl",
                "-certfile",
                "chain.pem",
                "-outform",
                form,
                "-out",
                file,
            ],
        );
        let bytes = std::fs::read(dir.path().join(file)).unwrap();
        let loaded = engine::load(file, &bytes);
        let ders: Vec<&[u8]> = loaded.certificates.iter().map(|c| &c.der[..]).collect();
        assert_eq!(
            ders,
            vec![&c.leaf.der[..], &c.intermediate.der[..]],
            "{form}: {:?}",
            loaded.findings
        );
    }
    // With a CRL beside the certificates (`[1] crls` of SignedData): only the certificates are read
    // as certificates.
    std::fs::write(
        dir.path().join("crl.der"),
        test_crl(&c.intermediate, None, (2027, 1, 1)),
    )
    .unwrap();
    openssl(
        dir.path(),
        &[
            "crl2pkcs7",
            "-in",
            "crl.der",
            "-inform",
            "DER",
            "-certfile",
            "chain.pem",
            "-out",
            "with-crl.p7b",
        ],
    );
    let bytes = std::fs::read(dir.path().join("with-crl.p7b")).unwrap();
    let loaded = engine::load("with-crl.p7b", &bytes);
    let ders: Vec<&[u8]> = loaded.certificates.iter().map(|c| &c.der[..]).collect();
    assert_eq!(
        ders,
        vec![&c.leaf.der[..], &c.intermediate.der[..]],
        "{:?}",
        loaded.findings
    );
    assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
}

/// A DER certificate followed by bytes that are not whitespace: the message counts them.
#[test]
fn bytes_after_a_der_certificate_are_counted() {
    let c = chain(Alg::P256);
    let mut bytes = c.leaf.der.clone();
    bytes.extend_from_slice(b"xyz");
    let loaded = engine::load("leaf.cer", &bytes);
    let message = loaded
        .findings
        .iter()
        .map(|f| f.message.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(message.contains("3 unexpected bytes after"), "{message}");
}

/// A DER certificate signing request (openssl `req -outform DER`) is named as one; a DER SEQUENCE
/// that only starts like one is not.
#[test]
fn a_der_csr_is_named_as_one() {
    let dir = tempfile::tempdir().unwrap();
    openssl(
        dir.path(),
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "csr.key",
            "-subj",
            "/CN=sbc.example.com",
            "-outform",
            "DER",
            "-out",
            "sbc.csr",
        ],
    );
    let csr = std::fs::read(dir.path().join("sbc.csr")).unwrap();
    let said = |bytes: &[u8]| {
        engine::load("sbc.csr", bytes)
            .findings
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        said(&csr).contains("certificate signing request"),
        "{}",
        said(&csr)
    );
    // SEQUENCE { SEQUENCE { INTEGER 0 } }: version 0 and nothing after it is no request.
    let lone = der_seq(&der_seq(&[0x02, 0x01, 0x00]));
    assert!(
        !said(&lone).contains("certificate signing request"),
        "{}",
        said(&lone)
    );
    // SEQUENCE { SEQUENCE { INTEGER 1 }, NULL }: a version other than 0 is no request either.
    let v1 = der_seq(&[der_seq(&[0x02, 0x01, 0x01]), vec![0x05, 0x00]].concat());
    assert!(
        !said(&v1).contains("certificate signing request"),
        "{}",
        said(&v1)
    );
}

/// An encrypted DER private key (PKCS#8 EncryptedPrivateKeyInfo, openssl `pkcs8 -topk8 -outform
/// DER`) is named as a key; a DER value shaped almost like one (something after the OCTET STRING, or
/// no algorithm OID first) is not.
#[test]
fn an_encrypted_der_key_is_named_as_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plain.pem"), key(Alg::P256).serialize_pem()).unwrap();
    openssl(
        dir.path(),
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "plain.pem",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "pass:not-a-secret",
            "-outform",
            "DER",
            "-out",
            "sealed.der",
        ],
    );
    let sealed = std::fs::read(dir.path().join("sealed.der")).unwrap();
    let codes = |bytes: &[u8]| -> Vec<&'static str> {
        engine::load("key.der", bytes)
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .collect()
    };
    assert_eq!(codes(&sealed), ["input.private-key"]);
    let oid = [0x06, 0x03, 0x2a, 0x03, 0x04];
    let octets = [0x04, 0x02, 0xAB, 0xCD];
    // SEQUENCE { SEQUENCE { OID }, OCTET STRING, NULL }
    let trailing = der_seq(&[der_seq(&oid), octets.to_vec(), vec![0x05, 0x00]].concat());
    assert_eq!(codes(&trailing), ["input.malformed"]);
    // SEQUENCE { SEQUENCE { INTEGER 5 }, OCTET STRING }
    let no_oid = der_seq(&[der_seq(&[0x02, 0x01, 0x05]), octets.to_vec()].concat());
    assert_eq!(codes(&no_oid), ["input.malformed"]);
    // SEQUENCE { SEQUENCE { OID }, NULL }
    let no_octets = der_seq(&[der_seq(&oid), vec![0x05, 0x00]].concat());
    assert_eq!(codes(&no_octets), ["input.malformed"]);
}

/// A DER PKCS#7 that holds no certificate says so (`input.no-certificate`), rather than loading
/// nothing in silence.
#[test]
fn an_empty_der_pkcs7_says_it_holds_no_certificate() {
    let loaded = engine::load("empty.p7c", &pkcs7(&[]));
    let codes: Vec<&str> = loaded.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["input.no-certificate"], "{:?}", loaded.findings);
    assert!(
        loaded.findings[0]
            .message
            .contains("PKCS#7 file with no certificate")
    );
}

#[test]
fn the_65th_path_by_quick_rank_is_not_judged() {
    // The work budget's exact edge (MAX_JUDGED, 64 paths judged): eight twin roots (one name, one
    // key) trusted, nine twin intermediates under them, so 72 paths from the leaf. Eight of the
    // intermediates say CA:FALSE (ca.not-ca, found only when a path is judged) and expire after the
    // leaf; the clean one expires first, so its eight paths come last by quick rank (65th to 72nd)
    // and none is judged: the chain fails and says why. Judging one more would pick it and pass.
    let copy = |k: &KeyPair| KeyPair::try_from(k.serialize_der().as_slice()).unwrap();
    let serial = |n: u32| Some(SerialNumber::from_slice(&(n + 1).to_be_bytes()));
    let root_key = key(Alg::P256);
    let roots: Vec<Cert> = (0..8u32)
        .map(|n| {
            let mut p = ca_params("Twin Root");
            p.serial_number = serial(n);
            issue_with_key(p, copy(&root_key), None)
        })
        .collect();
    let ca_key = key(Alg::P256);
    let cas: Vec<Cert> = (0..9u32)
        .map(|n| {
            let mut p = ca_params("Twin Intermediate");
            p.serial_number = serial(100 + n);
            if n < 8 {
                p.is_ca = rcgen::IsCa::ExplicitNoCa;
            } else {
                p.not_after = rcgen::date_time_ymd(2026, 12, 31);
            }
            issue_with_key(p, copy(&ca_key), Some(&roots[0]))
        })
        .collect();
    let leaf = cas[8].issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let pile: String = std::iter::once(&leaf)
        .chain(cas.iter())
        .map(|c| c.pem())
        .collect();
    let trusted: String = roots.iter().map(|c| c.pem()).collect();
    let mut anchors = Loaded::default();
    anchors.extend(engine::load("roots.pem", trusted.as_bytes()));
    let report = engine::analyze(
        &load(&[("p.pem", pile.as_bytes())]),
        Some(&anchors),
        &options(Some("sbc.example.com")),
    );
    let budget = message_in(&report.findings, "chain.search-budget");
    assert!(budget.contains("8 paths not judged"), "{budget:?}");
    assert!(!report.passed(), "{:?}", report.findings);
    assert_ne!(
        report.chain[1].cert.sha256,
        engine::Fingerprint::of(&cas[8].der)
    );
}
