//! Verdict rules: unverifiable signatures never link (forged CAs, with and without a leaf), trust
//! anchors are not linted, public suffixes, name constraints, the strict rules, rustls-webpki's own
//! policy, keys nobody can use.

mod common;

use std::process::Command;

use chainsmith::engine::{self, Loaded, Profile};
use common::*;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, GeneralSubtree, IsCa, KeyPair,
    KeyUsagePurpose, NameConstraints, SerialNumber,
};

fn analyze_with(
    inputs: &[(&str, &[u8])],
    roots: Option<&[u8]>,
    opts: &engine::CheckOptions,
) -> engine::Report {
    let roots = roots.map(|der| {
        let mut loaded = Loaded::default();
        loaded.extend(engine::load("roots.pem", der));
        loaded
    });
    engine::analyze(&load(inputs), roots.as_ref(), opts)
}

/// A server certificate for `name` (its only SAN) issued by `ca`.
fn server_leaf(ca: &Cert, name: &str) -> Cert {
    ca.issue(leaf_params(name, &[name]), Alg::P256)
}

/// The report on `certs` given as one file, leaf first.
fn check(certs: &[&Cert], opts: &engine::CheckOptions) -> engine::Report {
    let pile: String = certs.iter().map(|c| c.pem()).collect();
    analyze(&[("p.pem", pile.as_bytes())], opts)
}

/// A second certificate for `of`'s name and key, signed by `issuer`, made with `params`.
fn twin_of(of: &Cert, params: CertificateParams, issuer: &Cert) -> Cert {
    let key = KeyPair::from_pem(&of.key.serialize_pem()).expect("same key");
    issue_with_key(params, key, Some(issuer))
}

fn finding<'a>(report: &'a engine::Report, code: &str) -> &'a engine::Finding {
    report
        .findings
        .iter()
        .find(|f| f.code.as_str() == code)
        .unwrap_or_else(|| panic!("no {code}: {:?}", report.findings))
}

fn strict(host: Option<&str>) -> engine::CheckOptions {
    let mut o = options(host);
    o.strict = true;
    o
}

// ---------------------------------------------------------------------------------------------
// 0. A link is a verified signature.

/// The OIDs (DER, tag included) of signature algorithms the engine cannot verify.
fn unverifiable_algorithms() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        // 1.3.6.1.4.1.55555.1: nobody's algorithm.
        (
            "unknown OID",
            algorithm_id(
                &[
                    0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb2, 0x03, 0x01,
                ],
                &[],
            ),
        ),
        // dsa-with-SHA256
        (
            "DSA",
            algorithm_id(
                &[
                    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x02,
                ],
                &[],
            ),
        ),
        // RSASSA-PSS with no parameters (SHA-1 by default)
        (
            "RSA-PSS without hash parameters",
            algorithm_id(
                &[
                    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,
                ],
                &[],
            ),
        ),
        // Ed448
        ("Ed448", algorithm_id(&[0x06, 0x03, 0x2b, 0x65, 0x71], &[])),
    ]
}

#[test]
fn forged_cas_with_unverifiable_signatures_never_link() {
    let c = chain(Alg::P256);
    for (kind, alg) in unverifiable_algorithms() {
        // The real intermediate's certificate, relabelled: same name, same key, a signature nobody
        // checked.
        let forged = rebuild(&c.intermediate.der, |_| {}, Some(alg), None);
        let forged_pem = engine::pem::encode("CERTIFICATE", &forged);

        // CA-only (what a BYOC Premises certificate-authority upload sends), root in the input.
        let ca_only = forged_pem.clone() + &c.root.pem();
        for profile in [Profile::TlsServer, Profile::GenesysByocPremises] {
            let mut o = options(None);
            o.profile = profile;
            let report = analyze(&[("ca.pem", ca_only.as_bytes())], &o);
            assert!(!report.passed(), "{kind}, {profile}: {:?}", report.findings);
            assert_eq!(
                finding(&report, "chain.unverifiable-signature").severity,
                engine::Severity::Error,
                "{kind}"
            );
            assert_eq!(
                report.chain.len(),
                1,
                "{kind}: the forged CA is linked to nothing"
            );
        }
        // ... with --roots.
        let report = analyze_with(
            &[("ca.pem", forged_pem.as_bytes())],
            Some(&c.root.der),
            &options(None),
        );
        assert!(
            errors(&report).contains(&"chain.unverifiable-signature"),
            "{kind}: {:?}",
            report.findings
        );

        // With a leaf (issued by the forged CA's key, which the leaf's issuer name names).
        let with_leaf = c.leaf.pem() + &forged_pem + &c.root.pem();
        let report = analyze(
            &[("all.pem", with_leaf.as_bytes())],
            &options(Some("sbc.example.com")),
        );
        assert!(
            errors(&report).contains(&"chain.unverifiable-signature"),
            "{kind}: {:?}",
            report.findings
        );
        assert!(errors(&report).contains(&"chain.incomplete"), "{kind}");
        // ... and strict changes nothing about it.
        let report = analyze(
            &[("all.pem", with_leaf.as_bytes())],
            &strict(Some("sbc.example.com")),
        );
        assert!(
            errors(&report).contains(&"chain.unverifiable-signature"),
            "{kind}"
        );
        // The finding says why, in words.
        let message = &finding(&report, "chain.unverifiable-signature").message;
        assert!(message.contains("cannot be verified"), "{message}");
    }
}

#[test]
fn a_forged_ca_under_a_public_root_is_not_linked_either() {
    // A CA claiming "ISRG Root X1" as its issuer, signed by a key of ours, relabelled Ed448.
    let mut fake_root = ca_params("ISRG Root X1");
    fake_root.distinguished_name = rcgen::DistinguishedName::new();
    fake_root.distinguished_name.push(DnType::CountryName, "US");
    fake_root
        .distinguished_name
        .push(DnType::OrganizationName, "Internet Security Research Group");
    fake_root
        .distinguished_name
        .push(DnType::CommonName, "ISRG Root X1");
    let fake_root = issue_with_key(fake_root, key(Alg::P256), None);
    let ca = fake_root.issue(ca_params("Forged Issuing CA"), Alg::P256);
    let (_, ed448) = unverifiable_algorithms().pop().unwrap();
    let forged = engine::pem::encode("CERTIFICATE", &rebuild(&ca.der, |_| {}, Some(ed448), None));
    let mut o = options(None);
    o.public_roots = true;
    let report = analyze(&[("ca.pem", forged.as_bytes())], &o);
    let message = &finding(&report, "chain.unverifiable-signature").message;
    assert!(
        message.contains("ISRG Root X1") && message.contains("Ed448"),
        "{message}"
    );
    assert!(!report.passed());
    // Unforged (a real ECDSA signature by our fake root's key): a bad signature, not a link.
    let report = analyze(&[("ca.pem", ca.pem().as_bytes())], &o);
    assert!(
        errors(&report).contains(&"chain.incomplete"),
        "{:?}",
        report.findings
    );
}

#[test]
fn build_ca_only_refuses_a_forged_ca() {
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    for (n, (kind, alg)) in unverifiable_algorithms().into_iter().enumerate() {
        let forged = rebuild(&c.intermediate.der, |_| {}, Some(alg), None);
        let file = format!("forged-{n}.pem");
        std::fs::write(
            dir.path().join(&file),
            engine::pem::encode("CERTIFICATE", &forged) + &c.root.pem(),
        )
        .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_chainsmith"))
            .args([
                "build",
                "--ca-only",
                "--profile",
                "genesys-byoc-premises",
                "--at=2026-06-01T00:00:00Z",
            ])
            .args(["-o", "bundle.pem", &file])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{kind}: {stderr}");
        assert!(
            stderr.contains("chain.unverifiable-signature"),
            "{kind}: {stderr}"
        );
        assert!(
            !dir.path().join("bundle.pem").exists(),
            "{kind}: nothing written"
        );
    }
    // The genuine CA chain builds.
    std::fs::write(
        dir.path().join("good.pem"),
        c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .args([
            "build",
            "--ca-only",
            "--profile",
            "genesys-byoc-premises",
            "--at=2026-06-01T00:00:00Z",
        ])
        .args(["-o", "bundle.pem", "good.pem"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_ca_only_path_gets_an_independent_rfc5280_validation() {
    // An intermediate whose own signature verifies but that is not fit to issue (keyUsage without
    // keyCertSign) below a good one: as a CA-only upload it fails, and the finding names it.
    let c = chain(Alg::P256);
    let mut params = ca_params("Sub CA");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let sub = c.intermediate.issue(params, Alg::P256);
    let pile = sub.pem() + &c.intermediate.pem() + &c.root.pem();
    let mut o = options(None);
    o.profile = Profile::GenesysByocPremises;
    let report = analyze(&[("ca.pem", pile.as_bytes())], &o);
    assert!(
        errors(&report).contains(&"ca.key-usage"),
        "{:?}",
        report.findings
    );
    // A clean CA-only chain passes, with the independent check run (no trust.rejected).
    let pile = c.intermediate.pem() + &c.root.pem();
    let report = analyze(&[("ca.pem", pile.as_bytes())], &o);
    assert!(report.passed(), "{:?}", report.findings);
}

#[test]
fn an_issuer_key_above_8192_bits_is_named_not_called_a_bad_signature() {
    // A CA with a 9,216-bit RSA modulus (not a working key: it signs nothing here) and a leaf that
    // names it as issuer.
    let c = chain(Alg::P256);
    let mut modulus = vec![0x00, 0xc5];
    modulus.extend((0..1151).map(|i| (i * 7 + 3) as u8));
    let rsa_key = der_seq(&[der(0x02, &modulus), der(0x02, &[0x01, 0x00, 0x01])].concat());
    let big = RawKey {
        bytes: rsa_key,
        alg: &rcgen::PKCS_RSA_SHA256,
    };
    let params = ca_params("Huge RSA CA");
    let signer = rcgen::Issuer::from_params(&c.root.params, &c.root.key);
    let big_ca = params.signed_by(&big, &signer).unwrap().der().to_vec();
    // The leaf is signed with an unrelated RSA key under the huge CA's name.
    let rsa = key(Alg::Rsa2048);
    let issuer = rcgen::Issuer::from_params(&params, &rsa);
    let leaf = leaf_params("sbc.example.com", &["sbc.example.com"])
        .signed_by(&key(Alg::P256), &issuer)
        .unwrap()
        .der()
        .to_vec();
    let pile = engine::pem::encode("CERTIFICATE", &leaf)
        + &engine::pem::encode("CERTIFICATE", &big_ca)
        + &c.root.pem();
    let report = analyze(
        &[("p.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    let message = &finding(&report, "chain.unverifiable-signature").message;
    assert!(
        message.contains("9216 bits") && message.contains("8,192"),
        "{message}"
    );
    assert!(
        !errors(&report).contains(&"chain.bad-signature"),
        "{:?}",
        report.findings
    );
    // The huge key itself is a warning on the CA (as a CA-only chain it is linked to the root).
    let report = analyze(
        &[(
            "p.pem",
            (engine::pem::encode("CERTIFICATE", &big_ca) + &c.root.pem()).as_bytes(),
        )],
        &options(None),
    );
    assert_eq!(
        finding(&report, "key.rsa-too-large").severity,
        engine::Severity::Warning
    );
}

// ---------------------------------------------------------------------------------------------
// 7. Keys nobody can use.

#[test]
fn unusable_keys_are_key_invalid() {
    let c = chain(Alg::P256);
    let rsa = |modulus: &[u8], exponent: &[u8]| RawKey {
        bytes: der_seq(&[der(0x02, modulus), der(0x02, exponent)].concat()),
        alg: &rcgen::PKCS_RSA_SHA256,
    };
    // A plausible modulus: 2048 bits, odd (a product of odd primes).
    let mut good_modulus = vec![0x00, 0xc1];
    good_modulus.extend([0x5a; 254]);
    good_modulus.push(0x5b);
    let mut even_modulus = good_modulus.clone();
    *even_modulus.last_mut().unwrap() = 0x5a;
    let mut point_off_curve = vec![0x04];
    point_off_curve.extend([0x11; 64]);
    let cases: Vec<(&str, RawKey, &str)> = vec![
        (
            "EC point off the curve",
            RawKey {
                bytes: point_off_curve,
                alg: &rcgen::PKCS_ECDSA_P256_SHA256,
            },
            "not a point on its curve",
        ),
        (
            "EC point at infinity",
            RawKey {
                bytes: vec![0x00],
                alg: &rcgen::PKCS_ECDSA_P256_SHA256,
            },
            "not a point on its curve",
        ),
        (
            "RSA exponent 1",
            rsa(&good_modulus, &[0x01]),
            "exponent is 1",
        ),
        (
            "RSA even modulus",
            rsa(&even_modulus, &[0x01, 0x00, 0x01]),
            "modulus is even",
        ),
        (
            "RSA even exponent",
            rsa(&good_modulus, &[0x01, 0x00, 0x00]),
            "exponent is 65536",
        ),
        (
            "RSA negative modulus",
            rsa(&[0xc1; 256], &[0x01, 0x00, 0x01]),
            "modulus is negative",
        ),
        (
            "RSA zero modulus",
            rsa(&[0x00], &[0x01, 0x00, 0x01]),
            "empty or zero",
        ),
    ];
    let signer = rcgen::Issuer::from_params(&c.intermediate.params, &c.intermediate.key);
    for (kind, raw, says) in cases {
        let leaf = leaf_params("sbc.example.com", &["sbc.example.com"])
            .signed_by(&raw, &signer)
            .unwrap()
            .der()
            .to_vec();
        let pile =
            engine::pem::encode("CERTIFICATE", &leaf) + &c.intermediate.pem() + &c.root.pem();
        let report = analyze(
            &[("p.pem", pile.as_bytes())],
            &options(Some("sbc.example.com")),
        );
        let f = finding(&report, "key.invalid");
        assert_eq!(f.severity, engine::Severity::Error, "{kind}");
        assert!(f.message.contains(says), "{kind}: {}", f.message);
    }
}

#[test]
fn explicit_and_unknown_curves_are_key_invalid() {
    let c = chain(Alg::P256);
    let ec_public_key = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    // brainpoolP256r1 (1.3.36.3.3.2.8.1.1.7): a named curve no TLS stack here knows.
    let brainpool = der(
        0x06,
        &[0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07],
    );
    // Explicit ECParameters (a SEQUENCE instead of a curve OID); the content is not even read.
    let explicit = der_seq(&[der(0x02, &[0x01])].concat());
    for (kind, params, says) in [
        ("unknown curve", brainpool, "1.3.36.3.3.2.8.1.1.7"),
        ("explicit parameters", explicit, "explicit parameters"),
    ] {
        let leaf = rebuild(
            &c.leaf.der,
            |fields| {
                let spki = tlvs(&tlv_content(&fields[6]));
                let algorithm = der_seq(&[&ec_public_key[..], &params].concat());
                fields[6] = der_seq(&[algorithm, spki[1].clone()].concat());
            },
            None,
            Some(&c.intermediate.key),
        );
        let pile =
            engine::pem::encode("CERTIFICATE", &leaf) + &c.intermediate.pem() + &c.root.pem();
        let report = analyze(
            &[("p.pem", pile.as_bytes())],
            &options(Some("sbc.example.com")),
        );
        let f = finding(&report, "key.invalid");
        assert!(f.message.contains(says), "{kind}: {}", f.message);
        // Its signature by the intermediate verifies: the leaf is linked.
        assert_eq!(report.chain.len(), 3, "{kind}");
    }
}

// ---------------------------------------------------------------------------------------------
// 2, 3. Trust anchors are not linted; public suffixes are ICANN's.

#[test]
fn a_trust_anchor_with_serial_zero_passes_strict_as_fastly_does() {
    // fastly.com's shape: the Mozilla root "Starfield Root Certificate Authority - G2" has serial 0.
    let mut params = ca_params("Starfield Root Certificate Authority - G2");
    params.serial_number = Some(SerialNumber::from_slice(&[0]));
    params.key_identifier_method = rcgen::KeyIdMethod::Sha256;
    let root = issue_with_key(params, key(Alg::P256), None);
    let inter = root.issue(
        ca_params("Starfield Secure Certificate Authority - G2"),
        Alg::P256,
    );
    let leaf = server_leaf(&inter, "www.fastly.com");
    let pile = leaf.pem() + &inter.pem() + &root.pem();
    // As the anchor (a self-signed root of the input, and through --roots): not linted.
    let report = analyze(
        &[("p.pem", pile.as_bytes())],
        &strict(Some("www.fastly.com")),
    );
    assert!(report.passed(), "{:?}", report.findings);
    let report = analyze_with(
        &[("p.pem", (leaf.pem() + &inter.pem()).as_bytes())],
        Some(&root.der),
        &strict(Some("www.fastly.com")),
    );
    assert!(report.passed(), "{:?}", report.findings);
    // The same serial on an intermediate is still an error under --strict.
    let mut params = ca_params("Zero Serial Intermediate");
    params.serial_number = Some(SerialNumber::from_slice(&[0]));
    let zero = root.issue(params, Alg::P256);
    let leaf = server_leaf(&zero, "www.fastly.com");
    let report = check(&[&leaf, &zero, &root], &strict(Some("www.fastly.com")));
    assert_eq!(
        errors(&report),
        ["rfc5280.serial-zero"],
        "{:?}",
        report.findings
    );
    // An untrusted self-signed root is no anchor: it is linted (and untrusted).
    let other_root = common::root("Other Root", Alg::P256);
    let report = analyze_with(
        &[("p.pem", pile.as_bytes())],
        Some(&other_root.der),
        &strict(Some("www.fastly.com")),
    );
    assert!(
        errors(&report).contains(&"chain.untrusted-root"),
        "{:?}",
        report.findings
    );
}

#[test]
fn wildcards_below_private_suffixes_pass_as_amazon_s3_does() {
    let c = chain(Alg::P256);
    for (san, host, ok) in [
        ("*.s3.amazonaws.com", "bucket.s3.amazonaws.com", true),
        ("*.github.io", "someone.github.io", true),
        ("*.co.uk", "example.co.uk", false),
    ] {
        let leaf = c.intermediate.issue(leaf_params(san, &[san]), Alg::P256);
        let report = check(&[&leaf, &c.intermediate, &c.root], &strict(Some(host)));
        if ok {
            assert!(report.passed(), "{san}: {:?}", report.findings);
        } else {
            assert!(
                errors(&report).contains(&"cabf.wildcard-public-suffix"),
                "{san}"
            );
            assert!(errors(&report).contains(&"name.mismatch"), "{san}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Name constraints.

fn constrained_ca(root: &Cert, cn: &str, excluded: &[&str], permitted: &[&str]) -> Cert {
    let mut params = ca_params(cn);
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted
            .iter()
            .map(|d| GeneralSubtree::DnsName(d.to_string()))
            .collect(),
        excluded_subtrees: excluded
            .iter()
            .map(|d| GeneralSubtree::DnsName(d.to_string()))
            .collect(),
    });
    root.issue(params, Alg::P256)
}

#[test]
fn name_constraints_skip_self_issued_intermediates_but_never_the_leaf() {
    let c = chain(Alg::P256);
    // The constrained CA excludes "rollover.example", and below it a self-issued CA (key rollover:
    // same name, new key) whose own SAN would be excluded; the leaf is allowed.
    let mut params = ca_params("Constrained CA");
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![],
        excluded_subtrees: vec![GeneralSubtree::DnsName("rollover.example".into())],
    });
    let constrained = c.root.issue(params, Alg::P256);
    let mut rollover = ca_params("Constrained CA");
    rollover.subject_alt_names = vec![rcgen::SanType::DnsName(
        "ca.rollover.example".try_into().unwrap(),
    )];
    let rollover = constrained.issue(rollover, Alg::P256);
    let leaf = server_leaf(&rollover, "sbc.example.com");
    let report = check(
        &[&leaf, &rollover, &constrained, &c.root],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(report.chain.len(), 4, "{:?}", report.findings);
    assert!(
        !codes(&report).contains(&"name.constraint-violation"),
        "{:?}",
        report.findings
    );
    // A leaf with the excluded name is caught.
    let bad = server_leaf(&rollover, "sbc.rollover.example");
    let report = check(
        &[&bad, &rollover, &constrained, &c.root],
        &options(Some("sbc.rollover.example")),
    );
    assert!(
        errors(&report).contains(&"name.constraint-violation"),
        "{:?}",
        report.findings
    );
}

/// nameConstraints as a custom extension (rcgen omits empty ones and always marks them critical).
fn name_constraints_ext(content: Vec<u8>, critical: bool) -> CustomExtension {
    let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 30], content);
    ext.set_criticality(critical);
    ext
}

#[test]
fn name_constraint_form_rules() {
    let c = chain(Alg::P256);
    let excluded_example = der_seq(&der(0xa1, &der_seq(&der(0x82, b"forbidden.example"))));
    let cases: Vec<(&str, CustomExtension, &str, engine::Severity)> = vec![
        (
            "leading period",
            name_constraints_ext(
                der_seq(&der(0xa1, &der_seq(&der(0x82, b".forbidden.example")))),
                true,
            ),
            "rfc5280.name-constraints-malformed",
            engine::Severity::Error,
        ),
        (
            "no subtree",
            name_constraints_ext(der_seq(&[]), true),
            "rfc5280.name-constraints-malformed",
            engine::Severity::Error,
        ),
        (
            "not critical",
            name_constraints_ext(excluded_example.clone(), false),
            "rfc5280.name-constraints-not-critical",
            engine::Severity::Warning,
        ),
    ];
    for (kind, ext, code, severity) in cases {
        let mut params = ca_params("Constrained CA");
        params.custom_extensions = vec![ext];
        let ca = c.root.issue(params, Alg::P256);
        let leaf = server_leaf(&ca, "sbc.example.com");
        let report = check(&[&leaf, &ca, &c.root], &options(Some("sbc.example.com")));
        assert_eq!(finding(&report, code).severity, severity, "{kind}");
        let report = check(&[&leaf, &ca, &c.root], &strict(Some("sbc.example.com")));
        assert!(errors(&report).contains(&code), "{kind}");
    }
    // In an end-entity certificate: an error.
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.custom_extensions = vec![name_constraints_ext(excluded_example, true)];
    let leaf = c.intermediate.issue(params, Alg::P256);
    let report = check(
        &[&leaf, &c.intermediate, &c.root],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(
        finding(&report, "rfc5280.name-constraints-end-entity").severity,
        engine::Severity::Error
    );
    // And a well-formed, critical constraint that allows the leaf says nothing.
    let ca = constrained_ca(&c.root, "Fine CA", &["forbidden.example"], &[]);
    let leaf = server_leaf(&ca, "sbc.example.com");
    let report = check(&[&leaf, &ca, &c.root], &strict(Some("sbc.example.com")));
    assert!(report.passed(), "{:?}", report.findings);
}

// ---------------------------------------------------------------------------------------------
// 5. The new strict codes: warnings by default, errors with --strict.

fn aki_ext(content: Vec<u8>, critical: bool) -> CustomExtension {
    let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 35], content);
    ext.set_criticality(critical);
    ext
}

/// Each case: a chain (leaf first) whose only strict finding is `code`.
fn strict_cases() -> Vec<(&'static str, Vec<Cert>, &'static str, &'static str)> {
    let c = chain(Alg::P256);
    let int_ski = c.intermediate.params.key_identifier(&c.intermediate.key);
    let mut cases = Vec::new();
    let leaf_with = |edit: &dyn Fn(&mut CertificateParams), host: &str| {
        let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
        edit(&mut params);
        let _ = host;
        c.intermediate.issue(params, Alg::P256)
    };
    // CN not among the SANs, in its forms.
    for (cn, sans, host) in [
        (
            "other.example.com",
            vec!["sbc.example.com"],
            "sbc.example.com",
        ),
        ("010.000.002.010", vec!["10.0.2.10"], "10.0.2.10"),
        ("2001:DB8::1", vec!["2001:db8::1"], "2001:db8::1"),
        (
            "bücher.example",
            vec!["xn--bcher-kva.example"],
            "xn--bcher-kva.example",
        ),
    ] {
        let mut params = leaf_params(cn, &sans);
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, cn);
        let leaf = c.intermediate.issue(params, Alg::P256);
        cases.push(("CN not a SAN", vec![leaf], "cabf.cn-not-in-san", host));
    }
    // AKI critical.
    let leaf = leaf_with(
        &|p| {
            p.use_authority_key_identifier_extension = false;
            p.custom_extensions = vec![aki_ext(der_seq(&der(0x80, &int_ski)), true)];
        },
        "sbc.example.com",
    );
    cases.push((
        "AKI critical",
        vec![leaf],
        "rfc5280.aki-critical",
        "sbc.example.com",
    ));
    // SAN critical with a subject.
    let leaf = leaf_with(
        &|p| {
            p.subject_alt_names = vec![];
            let mut ext = CustomExtension::from_oid_content(
                &[2, 5, 29, 17],
                der_seq(&der(0x82, b"sbc.example.com")),
            );
            ext.set_criticality(true);
            p.custom_extensions = vec![ext];
        },
        "sbc.example.com",
    );
    cases.push((
        "SAN critical",
        vec![leaf],
        "rfc5280.san-criticality",
        "sbc.example.com",
    ));
    // An underscore in a DNS SAN.
    let leaf = leaf_with(
        &|p| {
            p.subject_alt_names = vec![
                rcgen::SanType::DnsName("sbc.example.com".try_into().unwrap()),
                rcgen::SanType::DnsName("_sip._tls.example.com".try_into().unwrap()),
            ]
        },
        "sbc.example.com",
    );
    cases.push((
        "underscore",
        vec![leaf],
        "cabf.dns-underscore",
        "sbc.example.com",
    ));
    // keyCertSign on a non-CA.
    let leaf = leaf_with(
        &|p| p.key_usages.push(KeyUsagePurpose::KeyCertSign),
        "sbc.example.com",
    );
    cases.push((
        "keyCertSign on a leaf",
        vec![leaf],
        "rfc5280.ee-key-cert-sign",
        "sbc.example.com",
    ));
    // A malformed authorityInfoAccess (an INTEGER where the SEQUENCE OF AccessDescription goes).
    let leaf = leaf_with(
        &|p| {
            p.custom_extensions = vec![CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 5, 5, 7, 1, 1],
                vec![0x02, 0x01, 0x05],
            )]
        },
        "sbc.example.com",
    );
    cases.push((
        "malformed AIA",
        vec![leaf],
        "rfc5280.aia-malformed",
        "sbc.example.com",
    ));
    cases
        .into_iter()
        .map(|(kind, mut certs, code, host)| {
            certs.push(chain_copy(&c.intermediate));
            certs.push(chain_copy(&c.root));
            (kind, certs, code, host)
        })
        .collect()
}

fn chain_copy(cert: &Cert) -> Cert {
    Cert {
        params: cert.params.clone(),
        key: KeyPair::from_pem(&cert.key.serialize_pem()).unwrap(),
        der: cert.der.clone(),
    }
}

#[test]
fn strict_rules_are_warnings_by_default_and_errors_with_strict() {
    for (kind, certs, code, host) in strict_cases() {
        let pile: String = certs.iter().map(Cert::pem).collect();
        let report = analyze(&[("p.pem", pile.as_bytes())], &options(Some(host)));
        if code == "rfc5280.aki-critical" {
            // rustls-webpki refuses a critical authorityKeyIdentifier outright.
            assert_eq!(errors(&report), ["trust.rejected"], "{kind}");
        } else {
            assert!(report.passed(), "{kind}: {:?}", report.findings);
        }
        assert_eq!(
            finding(&report, code).severity,
            engine::Severity::Warning,
            "{kind}"
        );
        let report = analyze(&[("p.pem", pile.as_bytes())], &strict(Some(host)));
        assert_eq!(errors(&report), [code], "{kind}: {:?}", report.findings);
    }
}

#[test]
fn root_aki_with_issuer_and_serial_and_aki_missing_under_a_v3_issuer_without_ski() {
    // A root whose AKI carries authorityCertIssuer and serial, linted when it is not the anchor.
    let root_key = key(Alg::P256);
    let mut params = ca_params("AKI Root");
    params.use_authority_key_identifier_extension = false;
    let probe = issue_with_key(
        params.clone(),
        KeyPair::from_pem(&root_key.serialize_pem()).unwrap(),
        None,
    );
    let ski = probe.params.key_identifier(&probe.key);
    let issuer_name = der_seq(
        &tlvs(&tlv_content(
            &tlvs(&tlv_content(&tlvs(&tlv_content(&probe.der))[0]))[5],
        ))
        .concat(),
    );
    let aki = der_seq(
        &[
            der(0x80, &ski),
            der(0xa1, &der(0xa4, &issuer_name)),
            der(0x82, &[0x01]),
        ]
        .concat(),
    );
    params.custom_extensions = vec![aki_ext(aki, false)];
    let root = issue_with_key(params, root_key, None);
    let inter = root.issue(ca_params("Inter"), Alg::P256);
    let leaf = server_leaf(&inter, "sbc.example.com");
    let pile = leaf.pem() + &inter.pem() + &root.pem();
    // Trusted through --roots → an anchor, not linted. Untrusted → linted.
    let report = analyze_with(
        &[("p.pem", pile.as_bytes())],
        Some(&root.der),
        &strict(Some("sbc.example.com")),
    );
    assert!(report.passed(), "{:?}", report.findings);
    let other = common::root("Other", Alg::P256);
    let report = analyze_with(
        &[("p.pem", pile.as_bytes())],
        Some(&other.der),
        &options(Some("sbc.example.com")),
    );
    assert_eq!(
        finding(&report, "cabf.root-aki-issuer-serial").severity,
        engine::Severity::Warning
    );

    // An intermediate without SKI (v3) above a leaf without AKI: aki-missing all the same.
    let c = chain(Alg::P256);
    let mut params = ca_params("No SKI CA");
    params.key_identifier_method = rcgen::KeyIdMethod::PreSpecified(vec![]);
    let no_ski = c.root.issue(params, Alg::P256);
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.use_authority_key_identifier_extension = false;
    let leaf = no_ski.issue(params, Alg::P256);
    let report = check(&[&leaf, &no_ski, &c.root], &strict(Some("sbc.example.com")));
    let mut errs = errors(&report);
    errs.sort();
    assert_eq!(
        errs,
        ["rfc5280.aki-missing", "rfc5280.ski-missing"],
        "{:?}",
        report.findings
    );
}

// ---------------------------------------------------------------------------------------------
// 6. When only rustls-webpki refuses.

#[test]
fn self_issued_intermediates_against_path_length_are_rustls_policy() {
    let c = chain(Alg::P256);
    let mut params = ca_params("Issuing CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let issuing = c.root.issue(params, Alg::P256);
    // Key rollover: a self-issued certificate (same name) for the new key, signed by the old one.
    let rollover = issuing.issue(ca_params("Issuing CA"), Alg::P256);
    let leaf = server_leaf(&rollover, "sbc.example.com");
    let report = check(
        &[&leaf, &rollover, &issuing, &c.root],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(report.chain.len(), 4, "{:?}", report.findings);
    // RFC 5280 accepts the path, rustls-webpki refuses it: the refusal is an error all the same, and
    // says whose policy it is.
    assert_eq!(
        errors(&report),
        ["trust.rustls-policy"],
        "{:?}",
        report.findings
    );
    let f = finding(&report, "trust.rustls-policy");
    assert!(f.message.contains("self-issued"), "{}", f.message);
    // Only the reasons this path has (each detector returning true was a mutant).
    assert!(!f.message.contains("byte for byte"), "{}", f.message);
    assert!(!f.message.contains("used as the leaf"), "{}", f.message);
    assert!(
        f.message.contains("RFC 5280 validation accepts"),
        "{}",
        f.message
    );
    // An intermediate whose extendedKeyUsage allows serverAuth changes nothing: still webpki's
    // policy alone (a mutant of the EKU test made it `trust.rejected`).
    let mut params = ca_params("Issuing CA");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let servers_only = twin_of(&rollover, params, &issuing);
    let report = check(
        &[&leaf, &servers_only, &issuing, &c.root],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(
        errors(&report),
        ["trust.rustls-policy"],
        "{:?}",
        report.findings
    );
    // The same path with a second reason to refuse that is no policy of webpki's alone (the
    // intermediate is for TLS clients only, which OpenSSL refuses too) is `trust.rejected`.
    let mut params = ca_params("Issuing CA");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let clients_only = twin_of(&rollover, params, &issuing);
    let report = check(
        &[&leaf, &clients_only, &issuing, &c.root],
        &options(Some("sbc.example.com")),
    );
    assert!(
        errors(&report).contains(&"trust.rejected"),
        "{:?}",
        report.findings
    );
    assert!(
        !codes(&report).contains(&"trust.rustls-policy"),
        "{:?}",
        report.findings
    );
    // A real pathLen violation (a second, not self-issued intermediate) stays an error.
    let sub = issuing.issue(ca_params("Sub CA"), Alg::P256);
    let leaf = server_leaf(&sub, "sbc.example.com");
    let report = check(
        &[&leaf, &sub, &issuing, &c.root],
        &options(Some("sbc.example.com")),
    );
    assert!(
        errors(&report).contains(&"ca.path-length"),
        "{:?}",
        report.findings
    );
    assert!(!codes(&report).contains(&"trust.rustls-policy"));
}

#[test]
fn a_ca_pinned_as_the_leaf_is_rustls_policy() {
    let c = chain(Alg::P256);
    let mut params = ca_params("sbc.example.com");
    params.subject_alt_names = vec![rcgen::SanType::DnsName(
        "sbc.example.com".try_into().unwrap(),
    )];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages.push(KeyUsagePurpose::DigitalSignature);
    // Its issuer allows no CA below it (pathLenConstraint 0), which the pinned leaf does not break:
    // the leaf is not counted (and the path-length reason must not be given).
    let mut int_params = ca_params("Test Intermediate CA");
    int_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let intermediate = c.root.issue(int_params, Alg::P256);
    let ca_leaf = intermediate.issue(params, Alg::P256);
    let pile = ca_leaf.pem() + &intermediate.pem() + &c.root.pem();
    let mut o = options(Some("sbc.example.com"));
    o.leaf = Some(engine::Fingerprint::of(&ca_leaf.der));
    let report = analyze(&[("p.pem", pile.as_bytes())], &o);
    assert!(!report.passed(), "{:?}", report.findings);
    let f = finding(&report, "trust.rustls-policy");
    assert!(f.message.contains("CA certificate"), "{}", f.message);
    assert!(!f.message.contains("byte for byte"), "{}", f.message);
    assert!(!f.message.contains("self-issued"), "{}", f.message);
    assert!(codes(&report).contains(&"leaf.is-ca"));
}

// ---------------------------------------------------------------------------------------------
// 8. Smaller.

#[test]
fn ambiguous_leaf_says_whether_any_leaf_is_valid_for_the_host() {
    let c = chain(Alg::P256);
    let a = c.intermediate.issue(
        leaf_params("a.example.com", &["a.example.com", "both.example.com"]),
        Alg::P256,
    );
    let b = c.intermediate.issue(
        leaf_params("b.example.com", &["b.example.com", "both.example.com"]),
        Alg::P256,
    );
    let report = check(
        &[&a, &b, &c.intermediate, &c.root],
        &options(Some("none.example.com")),
    );
    let message = &finding(&report, "chain.ambiguous-leaf").message;
    assert!(message.contains("none is valid for the host"), "{message}");
    let report = check(
        &[&a, &b, &c.intermediate, &c.root],
        &options(Some("both.example.com")),
    );
    let message = &finding(&report, "chain.ambiguous-leaf").message;
    assert!(
        message.contains("more than one is valid for the host"),
        "{message}"
    );
    // One matching: no ambiguity at all.
    let report = check(
        &[&a, &b, &c.intermediate, &c.root],
        &options(Some("a.example.com")),
    );
    assert!(!codes(&report).contains(&"chain.ambiguous-leaf"));
}

#[test]
fn a_path_length_on_an_end_entity_certificate_is_not_refused() {
    // basicConstraints CA:FALSE with a pathLenConstraint: rustls-webpki, OpenSSL and pyca accept it
    // (Mozilla bug 985025: such leaves exist), so nothing here refuses it either.
    let c = chain(Alg::P256);
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.is_ca = IsCa::NoCa;
    params.custom_extensions = vec![{
        let mut ext = CustomExtension::from_oid_content(
            &[2, 5, 29, 19],
            der_seq(&[der(0x01, &[0x00]), der(0x02, &[0x00])].concat()),
        );
        ext.set_criticality(true);
        ext
    }];
    let leaf = c.intermediate.issue(params, Alg::P256);
    let report = check(
        &[&leaf, &c.intermediate, &c.root],
        &options(Some("sbc.example.com")),
    );
    assert!(report.passed(), "{:?}", report.findings);
    assert!(!codes(&report).contains(&"trust.rejected"));
}

/// With `sip-mutual-tls`, a chain that reaches no anchor is said once, as incomplete: the client
/// verdict needs a complete path like the server's (a mutant let it run and add
/// `trust.client-rejected`).
#[test]
fn an_incomplete_chain_gets_no_client_verdict() {
    let c = chain(Alg::P256);
    let mut opts = options(Some("sbc.example.com"));
    opts.profile = engine::Profile::SipMutualTls;
    let report = check(&[&c.leaf], &opts);
    assert!(
        codes(&report).contains(&"chain.incomplete"),
        "{:?}",
        report.findings
    );
    assert!(
        !codes(&report).contains(&"trust.client-rejected"),
        "{:?}",
        report.findings
    );
    // Complete, the same leaf is judged as a client certificate (and accepted: it has clientAuth).
    let report = check(&[&c.leaf, &c.intermediate, &c.root], &opts);
    assert!(
        !codes(&report).contains(&"chain.incomplete"),
        "{:?}",
        report.findings
    );
}
