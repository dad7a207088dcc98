//! Scenario tests: generated chains, one behaviour each, and codes asserted absent where they must be.
//! Every finding code is produced, with its severity, from the JSON report in `codes.rs`.
//!
//! The usual chain:  Test Root CA ──signs──► Test Intermediate CA ──signs──► sbc.example.com

mod common;

use chainsmith::engine::bundle::{self, BundleOptions};
use chainsmith::engine::{self, Fingerprint, Profile, Role, Severity};
use common::*;
use rcgen::{
    BasicConstraints, CustomExtension, ExtendedKeyUsagePurpose, GeneralSubtree, IsCa,
    KeyUsagePurpose, NameConstraints, SerialNumber, date_time_ymd,
};

#[test]
fn shuffled_chain_is_ordered_leaf_first_and_passes() {
    for alg in [Alg::P256, Alg::P384, Alg::P521, Alg::Ed25519, Alg::Rsa2048] {
        let c = chain(alg);
        let pile = c.root.pem() + &c.leaf.pem() + &c.intermediate.pem();
        let report = analyze(
            &[("pile.pem", pile.as_bytes())],
            &options(Some("sbc.example.com")),
        );
        assert_eq!(
            order(&report),
            [c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()],
            "{alg:?}"
        );
        assert!(report.passed(), "{alg:?}: {:?}", report.findings);
        let order_notes: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.code.as_str() == "chain.order")
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(
            order_notes,
            [
                "pile.pem holds the chain out of order: \"Test Root CA\" → \"sbc.example.com\" → \"Test Intermediate CA\"; the bundle is written leaf first: \"sbc.example.com\" → \"Test Intermediate CA\" → \"Test Root CA\""
            ],
            "{alg:?}"
        );
        // The same certificates as three files given in any order: nothing to note.
        let report = analyze(
            &[
                ("root.pem", c.root.pem().as_bytes()),
                ("leaf.pem", c.leaf.pem().as_bytes()),
                ("int.pem", c.intermediate.pem().as_bytes()),
            ],
            &options(Some("sbc.example.com")),
        );
        assert!(!codes(&report).contains(&"chain.order"), "{alg:?}");
        let roles: Vec<Role> = report.chain.iter().map(|e| e.role).collect();
        assert_eq!(roles, [Role::Leaf, Role::Intermediate, Role::Root]);
        // No warnings on a well-made chain, in strict mode either.
        let mut strict = options(Some("sbc.example.com"));
        strict.strict = true;
        let report = analyze(&[("pile.pem", pile.as_bytes())], &strict);
        assert!(
            report.findings.iter().all(|f| f.severity == Severity::Info),
            "{alg:?}: {:?}",
            report.findings
        );
    }
}

#[test]
fn leaf_first_input_gets_no_order_note_and_the_bundle_matches() {
    let c = chain(Alg::P256);
    let pile = c.leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(
        &[("fullchain.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert!(!codes(&report).contains(&"chain.order"));
    let pem = bundle::to_pem(&report, BundleOptions::default()).unwrap();
    assert_eq!(pem, c.leaf.pem() + &c.intermediate.pem());
    let with_root = bundle::to_pem(
        &report,
        BundleOptions {
            include_root: true,
            ca_only: false,
        },
    )
    .unwrap();
    assert_eq!(with_root, pile);
    let ca_only = bundle::to_pem(
        &report,
        BundleOptions {
            include_root: false,
            ca_only: true,
        },
    )
    .unwrap();
    assert_eq!(ca_only, c.intermediate.pem() + &c.root.pem());
}

#[test]
fn der_files_pkcs7_and_separate_files_load_alike() {
    let c = chain(Alg::Rsa2048);
    let p7 = pkcs7(&[&c.root.der, &c.intermediate.der, &c.leaf.der]);
    let p7_pem = engine::pem::encode("PKCS7", &p7);
    for inputs in [
        vec![
            ("leaf.cer", c.leaf.der.as_slice()),
            ("int.der", &c.intermediate.der),
            ("root.crt", &c.root.der),
        ],
        vec![("bundle.p7b", p7.as_slice())],
        vec![("bundle.p7c", p7_pem.as_bytes())],
    ] {
        let report = analyze(&inputs, &options(Some("sbc.example.com")));
        assert_eq!(
            order(&report),
            [c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()]
        );
        assert!(report.passed(), "{:?}", report.findings);
    }
}

#[test]
fn pem_with_text_crlf_bom_and_trusted_certificate_blocks() {
    let c = chain(Alg::P256);
    let text = format!(
        "\u{feff}Certificate:\r\n    Data:\r\n        Version: 3 (0x2)\r\n{}subject=CN = x\r\n{}trailing words\r\n",
        c.leaf.pem().replace('\n', "\r\n"),
        c.intermediate
            .pem()
            .replace("CERTIFICATE", "TRUSTED CERTIFICATE")
    );
    let report = analyze(
        &[
            ("openssl-text.pem", text.as_bytes()),
            ("root.pem", c.root.pem().as_bytes()),
        ],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(
        order(&report),
        [c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()]
    );
    assert!(report.passed(), "{:?}", report.findings);
}

#[test]
fn bad_inputs_are_named_and_do_not_stop_the_others() {
    let c = chain(Alg::P256);
    let broken = format!(
        "{}\n-----BEGIN CERTIFICATE-----\nMIIB!!notbase64\n-----END CERTIFICATE-----\n",
        c.leaf.pem()
    );
    let key = c.leaf.key.serialize_pem();
    let with_key = c.intermediate.pem() + &key;
    let csr_params = rcgen::CertificateParams::new(vec!["sbc.example.com".to_string()]).unwrap();
    let csr = csr_params
        .serialize_request(&c.leaf.key)
        .unwrap()
        .pem()
        .unwrap();
    let huge = vec![b'A'; 11 * 1024 * 1024];
    let report = analyze(
        &[
            ("broken.pem", broken.as_bytes()),
            ("with-key.pem", with_key.as_bytes()),
            ("request.csr", csr.as_bytes()),
            ("empty.pem", b""),
            ("garbage.bin", &[0x89, b'P', b'N', b'G', 0, 1, 2, 255]),
            ("truncated.der", &c.root.der[..c.root.der.len() / 2]),
            ("huge.pem", &huge),
            ("root.pem", c.root.pem().as_bytes()),
        ],
        &options(Some("sbc.example.com")),
    );
    // The good certificates still form the chain.
    assert_eq!(
        order(&report),
        [c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()]
    );
    let message = |code: &str, file: &str| {
        report
            .findings
            .iter()
            .find(|f| f.code.as_str() == code && f.message.contains(file))
            .unwrap_or_else(|| panic!("no {code} for {file}: {:#?}", report.findings))
            .message
            .clone()
    };
    let begin_line = format!("line {}", c.leaf.pem().lines().count() + 2);
    assert!(
        message("input.malformed", "broken.pem").contains(&begin_line),
        "{}",
        message("input.malformed", "broken.pem")
    );
    assert!(message("input.private-key", "with-key.pem").contains("never"));
    assert!(message("input.no-certificate", "request.csr").contains("CERTIFICATE REQUEST"));
    message("input.no-certificate", "empty.pem");
    message("input.malformed", "garbage.bin");
    message("input.malformed", "truncated.der");
    message("input.too-large", "huge.pem");
    // The key never reaches any output.
    let key_body: String = key.lines().nth(1).unwrap().to_string();
    let bundle = bundle::to_pem(
        &report,
        BundleOptions {
            include_root: true,
            ca_only: false,
        },
    )
    .unwrap();
    assert!(!bundle.contains("PRIVATE KEY") && !bundle.contains(&key_body));
    let json = report.to_json().to_string();
    assert!(!json.contains(&key_body) && !report.to_text().contains(&key_body));
}

#[test]
fn duplicates_are_kept_once() {
    let c = chain(Alg::P256);
    let report = analyze(
        &[
            ("a.pem", (c.leaf.pem() + &c.intermediate.pem()).as_bytes()),
            ("b.pem", (c.intermediate.pem() + &c.root.pem()).as_bytes()),
        ],
        &options(None),
    );
    assert_eq!(report.chain.len(), 3);
    assert!(codes(&report).contains(&"chain.duplicate"));
    let dup = report
        .excluded
        .iter()
        .find(|e| e.reason.as_str() == "chain.duplicate")
        .unwrap();
    assert_eq!(dup.source, "b.pem");
    assert_eq!(dup.cert.sha256.hex(), c.intermediate.sha256());

    // A duplicated certificate that is on no path is still reported as unrelated.
    let stray = root("Stray Root", Alg::P256);
    let report = analyze(
        &[
            (
                "a.pem",
                (c.leaf.pem() + &c.intermediate.pem() + &c.root.pem() + &stray.pem()).as_bytes(),
            ),
            ("b.pem", stray.pem().as_bytes()),
        ],
        &options(None),
    );
    assert!(
        report.excluded.iter().any(
            |e| e.reason.as_str() == "chain.unrelated" && e.cert.sha256.hex() == stray.sha256()
        )
    );
}

#[test]
fn missing_intermediate_is_incomplete_and_names_the_issuer_and_aia() {
    let c = chain(Alg::P256);
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params
        .custom_extensions
        .push(aia_ca_issuers("http://ca.example.com/int.der"));
    let leaf = c.intermediate.issue(params, Alg::P256);
    let report = analyze(
        &[
            ("leaf.pem", leaf.pem().as_bytes()),
            ("root.pem", c.root.pem().as_bytes()),
        ],
        &options(None),
    );
    assert!(!report.passed());
    let finding = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "chain.incomplete")
        .unwrap();
    assert!(
        finding.message.contains("Test Intermediate CA"),
        "{}",
        finding.message
    );
    assert!(
        finding.message.contains("http://ca.example.com/int.der"),
        "{}",
        finding.message
    );
    assert!(
        codes(&report).contains(&"chain.unrelated"),
        "the root is on no path"
    );
    assert_eq!(order(&report), [leaf.sha256()]);
}

#[test]
fn loops_end_quickly_as_incomplete() {
    // X and Y sign each other; the leaf is issued by X.
    let kx = key(Alg::P256);
    let ky = key(Alg::P256);
    let x_params = ca_params("Loop X");
    let y_params = ca_params("Loop Y");
    let x_as_issuer = common::Cert {
        params: x_params.clone(),
        key: key_copy(&kx),
        der: vec![],
    };
    let y_as_issuer = common::Cert {
        params: y_params.clone(),
        key: key_copy(&ky),
        der: vec![],
    };
    let x = issue_with_key(x_params, kx, Some(&y_as_issuer));
    let y = issue_with_key(y_params, ky, Some(&x_as_issuer));
    let leaf = x_as_issuer.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let report = analyze(
        &[
            ("leaf.pem", leaf.pem().as_bytes()),
            ("x.pem", x.pem().as_bytes()),
            ("y.pem", y.pem().as_bytes()),
        ],
        &options(None),
    );
    assert!(errors(&report).contains(&"chain.incomplete"));
    let incomplete = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "chain.incomplete")
        .unwrap();
    assert!(
        incomplete.message.contains("loop"),
        "{}",
        incomplete.message
    );
    assert_eq!(report.chain.len(), 3);
}

#[test]
fn same_name_decoys_do_not_win_and_a_lone_decoy_is_a_bad_signature() {
    let c = chain(Alg::P256);
    let decoys: Vec<common::Cert> = (0..150)
        .map(|_| c.root.issue(ca_params("Test Intermediate CA"), Alg::P256))
        .collect();
    let mut pile = c.leaf.pem();
    for d in &decoys {
        pile.push_str(&d.pem());
    }
    pile.push_str(&c.intermediate.pem());
    pile.push_str(&c.root.pem());
    let report = analyze(
        &[("pile.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(
        order(&report),
        [c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()]
    );
    assert!(report.passed(), "{:?}", errors(&report));
    assert!(!codes(&report).contains(&"chain.bad-signature"));
    assert_eq!(
        report
            .excluded
            .iter()
            .filter(|e| e.reason.as_str() == "chain.unrelated")
            .count(),
        150
    );

    let only_decoy = c.leaf.pem() + &decoys[0].pem() + &c.root.pem();
    let report = analyze(&[("pile.pem", only_decoy.as_bytes())], &options(None));
    assert!(
        errors(&report).contains(&"chain.bad-signature"),
        "{:?}",
        report.findings
    );
    assert!(errors(&report).contains(&"chain.incomplete"));
}

#[test]
fn leaf_choice_ambiguity_host_and_pin() {
    let c = chain(Alg::P256);
    let other = c.intermediate.issue(
        leaf_params("other.example.com", &["other.example.com"]),
        Alg::P256,
    );
    let pile = c.leaf.pem() + &other.pem() + &c.intermediate.pem() + &c.root.pem();
    let inputs = [("pile.pem", pile.as_bytes())];

    let report = analyze(&inputs, &options(None));
    assert!(errors(&report).contains(&"chain.ambiguous-leaf"));
    assert!(
        report
            .excluded
            .iter()
            .any(|e| e.reason.as_str() == "chain.ambiguous-leaf")
    );

    let report = analyze(&inputs, &options(Some("other.example.com")));
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(order(&report)[0], other.sha256());
    assert!(codes(&report).contains(&"chain.unrelated"));

    let mut pinned = options(None);
    pinned.leaf = Some(Fingerprint::of(&c.leaf.der));
    let report = analyze(&inputs, &pinned);
    assert!(!codes(&report).contains(&"chain.ambiguous-leaf"));
    assert_eq!(order(&report)[0], c.leaf.sha256());

    // Both valid for the host: still ambiguous.
    let twin = c.intermediate.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let pile = c.leaf.pem() + &twin.pem() + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(
        &[("pile.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert!(errors(&report).contains(&"chain.ambiguous-leaf"));
}

#[test]
fn cross_signed_intermediate_gives_an_alternate_path_and_the_best_is_chosen() {
    // Old Root ──signs──► New Root (cross-sign) ; New Root (self-signed) ; New Root ──► Int ──► leaf
    let old_root = root("Old Root", Alg::P256);
    let new_root = root("New Root", Alg::P256);
    let cross = issue_with_key(
        ca_params("New Root"),
        key_copy(&new_root.key),
        Some(&old_root),
    );
    let intermediate = new_root.issue(ca_params("Test Intermediate CA"), Alg::P256);
    let leaf = intermediate.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let pile = [&old_root, &cross, &leaf, &new_root, &intermediate]
        .iter()
        .map(|c| c.pem())
        .collect::<String>();
    let report = analyze(
        &[("pile.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(
        order(&report),
        [leaf.sha256(), intermediate.sha256(), new_root.sha256()],
        "shorter path wins"
    );
    assert!(codes(&report).contains(&"chain.alternate-path"));
    assert!(
        report
            .excluded
            .iter()
            .any(|e| e.reason.as_str() == "chain.alternate-path"
                && e.cert.sha256.hex() == cross.sha256())
    );
    assert!(report.passed());

    // When the shorter path's root has expired, the valid longer path wins.
    let mut expired_params = ca_params("New Root");
    expired_params.not_after = date_time_ymd(2026, 3, 1);
    let new_root_expired = issue_with_key(expired_params, key_copy(&new_root.key), None);
    let pile = [&old_root, &cross, &leaf, &new_root_expired, &intermediate]
        .iter()
        .map(|c| c.pem())
        .collect::<String>();
    let report = analyze(
        &[("pile.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(
        order(&report),
        [
            leaf.sha256(),
            intermediate.sha256(),
            cross.sha256(),
            old_root.sha256()
        ]
    );
    assert!(report.passed(), "{:?}", report.findings);
}

#[test]
fn trust_anchors_roots_flag_untrusted_and_self_signed_leaf() {
    let c = chain(Alg::P256);
    let other_root = root("Some Other Root", Alg::P256);
    let pile = c.leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let loaded = load(&[("pile.pem", pile.as_bytes())]);

    let trusted = load(&[("roots.pem", c.root.pem().as_bytes())]);
    let report = engine::analyze(&loaded, Some(&trusted), &options(None));
    assert!(report.passed(), "{:?}", report.findings);

    let untrusted = load(&[("roots.pem", other_root.pem().as_bytes())]);
    let report = engine::analyze(&loaded, Some(&untrusted), &options(None));
    assert!(errors(&report).contains(&"chain.untrusted-root"));

    // --roots supplies a root that is not in the pile: it ends the chain.
    let pile = c.leaf.pem() + &c.intermediate.pem();
    let report = engine::analyze(
        &load(&[("pile.pem", pile.as_bytes())]),
        Some(&trusted),
        &options(None),
    );
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(
        order(&report),
        [c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()]
    );
    assert!(!report.chain[2].in_input);

    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.use_authority_key_identifier_extension = false;
    let self_signed = issue_with_key(params, key(Alg::P256), None);
    let report = analyze(
        &[("self.pem", self_signed.pem().as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(errors(&report), ["chain.self-signed-leaf"]);
}

#[test]
fn validity_codes_at_different_times() {
    let c = chain(Alg::P256);
    let pile = c.leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let at = |t: &str| {
        let mut o = options(None);
        o.at = common::at(t);
        analyze(&[("pile.pem", pile.as_bytes())], &o)
    };
    assert_eq!(errors(&at("2027-02-01T00:00:00Z")), ["cert.expired"]);
    assert_eq!(
        errors(&at("2025-12-01T00:00:00Z")),
        [
            "cert.not-yet-valid",
            "cert.not-yet-valid",
            "cert.not-yet-valid"
        ]
    );
    let soon = at("2026-12-15T00:00:00Z");
    assert!(soon.passed());
    assert!(codes(&soon).contains(&"cert.expiring-soon"));
    assert!(!codes(&at("2026-06-01T00:00:00Z")).contains(&"cert.expiring-soon"));
}

#[test]
fn ca_flag_path_length_and_key_usage_of_issuers() {
    let root = root("Test Root CA", Alg::P256);
    // Not a CA, yet it issued the leaf.
    let mut params = ca_params("Not A CA");
    params.is_ca = IsCa::ExplicitNoCa;
    let not_ca = root.issue(params, Alg::P256);
    let leaf = not_ca.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let report = analyze(
        &[(
            "p.pem",
            (leaf.pem() + &not_ca.pem() + &root.pem()).as_bytes(),
        )],
        &options(None),
    );
    assert!(
        errors(&report).contains(&"ca.not-ca"),
        "{:?}",
        report.findings
    );

    // Root allows no intermediate below it.
    let mut params = ca_params("Strict Root");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let strict_root = issue_with_key(params, key(Alg::P256), None);
    let int = strict_root.issue(ca_params("Int"), Alg::P256);
    let leaf = int.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let report = analyze(
        &[(
            "p.pem",
            (leaf.pem() + &int.pem() + &strict_root.pem()).as_bytes(),
        )],
        &options(None),
    );
    assert_eq!(errors(&report), ["ca.path-length"]);

    // Intermediate without keyCertSign.
    let mut params = ca_params("No Cert Sign");
    params.key_usages = vec![KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let int = root.issue(params, Alg::P256);
    let leaf = int.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let report = analyze(
        &[("p.pem", (leaf.pem() + &int.pem() + &root.pem()).as_bytes())],
        &options(None),
    );
    assert!(
        errors(&report).contains(&"ca.key-usage"),
        "{:?}",
        report.findings
    );
}

#[test]
fn leaf_checks_eku_key_usage_ca_and_names() {
    let c = chain(Alg::P256);
    let check = |leaf: &common::Cert, profile: Profile, host: Option<&str>| {
        let mut o = options(host);
        o.profile = profile;
        analyze(
            &[(
                "p.pem",
                (leaf.pem() + &c.intermediate.pem() + &c.root.pem()).as_bytes(),
            )],
            &o,
        )
    };
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_only = c.intermediate.issue(params, Alg::P256);
    let report = check(&client_only, Profile::TlsServer, None);
    assert!(errors(&report).contains(&"leaf.eku-server-auth-missing"));

    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_only = c.intermediate.issue(params, Alg::P256);
    assert!(
        !codes(&check(&server_only, Profile::TlsServer, None))
            .contains(&"leaf.eku-client-auth-missing")
    );
    // sip-mutual-tls verifies the leaf as a client's certificate too: a serverAuth-only leaf fails on
    // that side (trust.client-rejected), with the warning saying what to do.
    let report = check(&server_only, Profile::SipMutualTls, None);
    assert!(!report.passed());
    assert_eq!(errors(&report), ["trust.client-rejected"]);
    let finding = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "leaf.eku-client-auth-missing")
        .unwrap();
    assert_eq!(finding.severity, Severity::Warning);
    assert!(finding.message.contains("2026"));
    assert!(
        !codes(&check(&c.leaf, Profile::SipMutualTls, None))
            .contains(&"leaf.eku-client-auth-missing")
    );

    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
    let report = check(
        &c.intermediate.issue(params, Alg::P256),
        Profile::TlsServer,
        None,
    );
    assert!(codes(&report).contains(&"leaf.key-usage"));

    // A CA certificate as the only candidate leaf.
    let mut params = ca_params("sbc.example.com");
    params.subject_alt_names = vec![rcgen::SanType::DnsName(
        "sbc.example.com".try_into().unwrap(),
    )];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let ca_leaf = c.intermediate.issue(params, Alg::P256);
    let report = check(&ca_leaf, Profile::TlsServer, Some("sbc.example.com"));
    assert!(
        codes(&report).contains(&"leaf.is-ca"),
        "{:?}",
        report.findings
    );

    let report = check(&c.leaf, Profile::TlsServer, Some("trunk.example.net"));
    let finding = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "name.mismatch")
        .unwrap();
    assert!(finding.message.contains("sbc.example.com") && finding.message.contains("192.0.2.10"));
    assert!(check(&c.leaf, Profile::TlsServer, Some("192.0.2.10")).passed());
    assert!(check(&c.leaf, Profile::TlsServer, Some("SBC.EXAMPLE.COM.")).passed());
    assert!(
        !codes(&check(&c.leaf, Profile::TlsServer, Some("sbc.example.com")))
            .contains(&"name.mismatch")
    );

    let mut params = leaf_params("sbc.example.com", &[]);
    params.subject_alt_names.clear();
    let no_san = c.intermediate.issue(params, Alg::P256);
    assert!(
        errors(&check(&no_san, Profile::TlsServer, Some("sbc.example.com")))
            .contains(&"name.no-san")
    );
    let report = check(&no_san, Profile::TlsServer, None);
    let finding = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "name.no-san")
        .unwrap();
    assert_eq!(finding.severity, Severity::Warning);
}

#[test]
fn sip_profile_matches_sip_uri_sans() {
    let c = chain(Alg::P256);
    let mut params = leaf_params("sbc", &[]);
    params.subject_alt_names = vec![rcgen::SanType::URI(
        "sip:trunk.example.com".try_into().unwrap(),
    )];
    let leaf = c.intermediate.issue(params, Alg::P256);
    let pile = leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let mut o = options(Some("trunk.example.com"));
    assert!(errors(&analyze(&[("p.pem", pile.as_bytes())], &o)).contains(&"name.mismatch"));
    o.profile = Profile::SipMutualTls;
    let report = analyze(&[("p.pem", pile.as_bytes())], &o);
    assert!(report.passed(), "{:?}", report.findings);
}

#[test]
fn genesys_profiles() {
    let c = chain(Alg::P256);
    let pile = c.leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let mut o = options(Some("sbc.example.com"));
    o.profile = Profile::GenesysByocCloud;
    let report = analyze(&[("p.pem", pile.as_bytes())], &o);
    let errs = errors(&report);
    assert!(
        errs.contains(&"chain.untrusted-root"),
        "private root: {errs:?}"
    );
    assert!(errs.contains(&"profile.key-type"), "ECDSA leaf: {errs:?}");

    let rsa = chain(Alg::Rsa2048);
    let rsa_pile = rsa.leaf.pem() + &rsa.intermediate.pem() + &rsa.root.pem();
    let report = analyze(&[("p.pem", rsa_pile.as_bytes())], &o);
    assert!(!codes(&report).contains(&"profile.key-type"));

    o.profile = Profile::GenesysByocPremises;
    assert!(analyze(&[("p.pem", pile.as_bytes())], &o).passed());
    let without_root = c.leaf.pem() + &c.intermediate.pem();
    let report = analyze(&[("p.pem", without_root.as_bytes())], &o);
    assert!(errors(&report).contains(&"chain.root-missing"));
    // A CA-only input (what the Premises upload takes): intermediate + root, no leaf.
    o.host = None;
    let ca_only = c.root.pem() + &c.intermediate.pem();
    let report = analyze(&[("ca.pem", ca_only.as_bytes())], &o);
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(order(&report), [c.intermediate.sha256(), c.root.sha256()]);
    assert_eq!(report.chain[0].role, Role::Intermediate);
}

#[test]
fn md5_signature_is_reported() {
    let c = chain(Alg::Rsa2048);
    // Relabel the leaf's sha256WithRSAEncryption as md5WithRSAEncryption (both occurrences).
    let sha256_rsa = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
    let mut der = c.leaf.der.clone();
    let mut replaced = 0;
    for i in 0..der.len() - sha256_rsa.len() {
        if der[i..i + sha256_rsa.len()] == sha256_rsa {
            der[i + 8] = 0x04;
            replaced += 1;
        }
    }
    assert_eq!(replaced, 2);
    let pile = engine::pem::encode("CERTIFICATE", &der) + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(&[("p.pem", pile.as_bytes())], &options(None));
    assert!(
        errors(&report).contains(&"algo.md5"),
        "{:?}",
        report.findings
    );
    // A link is a verified signature: MD5 cannot be verified, so the leaf is not linked.
    assert!(
        errors(&report).contains(&"chain.unverifiable-signature"),
        "{:?}",
        report.findings
    );
    assert_eq!(report.chain.len(), 1);
}

#[test]
fn webpki_rejection_is_never_silent() {
    // An intermediate whose Extended Key Usage allows clientAuth only: no leaf check of ours fires,
    // but webpki (like OpenSSL) applies EKU along the whole path and refuses a server chain.
    let c = chain(Alg::P256);
    let mut params = ca_params("Client-Only Intermediate");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let int = c.root.issue(params, Alg::P256);
    let leaf = int.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let pile = leaf.pem() + &int.pem() + &c.root.pem();
    let report = analyze(
        &[("p.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(errors(&report), ["trust.rejected"], "{:?}", report.findings);
    let finding = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "trust.rejected")
        .unwrap();
    assert!(
        finding.message.contains("webpki") && finding.message.contains("Extended Key Usage"),
        "{}",
        finding.message
    );
    // And absent on the same chain with a proper intermediate.
    let pile = c.leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    assert!(
        !codes(&analyze(
            &[("p.pem", pile.as_bytes())],
            &options(Some("sbc.example.com"))
        ))
        .contains(&"trust.rejected")
    );
}

#[test]
fn serial_number_rules() {
    let c = chain(Alg::P256);
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.serial_number = Some(SerialNumber::from_slice(&[0x11; 21]));
    let leaf = c.intermediate.issue(params, Alg::P256);
    let pile = leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(
        &[("p.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert!(
        codes(&report).contains(&"rfc5280.serial-too-long"),
        "{:?}",
        report.findings
    );

    // rcgen only writes positive serials: patch INTEGER 0x7f01 into 0x8001 (negative). The signature
    // no longer verifies, but the certificate is still checked.
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.serial_number = Some(SerialNumber::from_slice(&[0x7f, 0x01]));
    let mut der = c.intermediate.issue(params, Alg::P256).der;
    let at = der
        .windows(4)
        .position(|w| w == [0x02, 0x02, 0x7f, 0x01])
        .unwrap();
    der[at + 2] = 0x80;
    let pile = engine::pem::encode("CERTIFICATE", &der) + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(&[("p.pem", pile.as_bytes())], &options(None));
    assert!(
        codes(&report).contains(&"rfc5280.serial-negative"),
        "{:?}",
        report.findings
    );
    assert!(codes(&report).contains(&"chain.bad-signature"));
}

#[test]
fn strict_turns_rfc5280_and_cabf_warnings_into_errors() {
    let c = chain(Alg::P256);
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com", "*.co.uk"]);
    params.use_authority_key_identifier_extension = false;
    params.extended_key_usages = vec![];
    params.serial_number = Some(SerialNumber::from_slice(&[0]));
    let leaf = c.intermediate.issue(params, Alg::P256);
    let pile = leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let mut o = options(Some("sbc.example.com"));
    let report = analyze(&[("p.pem", pile.as_bytes())], &o);
    for code in [
        "rfc5280.aki-missing",
        "cabf.leaf-eku-missing",
        "cabf.wildcard-public-suffix",
        "rfc5280.serial-zero",
    ] {
        let f = report
            .findings
            .iter()
            .find(|f| f.code.as_str() == code)
            .unwrap_or_else(|| panic!("{code}"));
        assert_eq!(f.severity, Severity::Warning, "{code}");
    }
    o.strict = true;
    let report = analyze(&[("p.pem", pile.as_bytes())], &o);
    for code in [
        "rfc5280.aki-missing",
        "cabf.leaf-eku-missing",
        "cabf.wildcard-public-suffix",
        "rfc5280.serial-zero",
    ] {
        assert!(errors(&report).contains(&code), "{code}");
    }
}

#[test]
fn strict_family_rules_on_cas() {
    // Intermediate: anyEKU-free but with EKU critical on the leaf, BC not critical is not producible
    // with rcgen (it always marks BC critical), so cover: EKU on root, CA without SKI, leaf with any
    // EKU and critical EKU, unknown critical extension.
    let mut root_params = ca_params("Root With EKU");
    root_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let root = issue_with_key(root_params, key(Alg::P256), None);
    let mut int_params = ca_params("Int Without SKI");
    int_params.key_identifier_method = rcgen::KeyIdMethod::PreSpecified(vec![]);
    let int = root.issue(int_params, Alg::P256);
    let mut leaf = leaf_params("sbc.example.com", &["sbc.example.com"]);
    let mut critical_eku = CustomExtension::from_oid_content(&[2, 5, 29, 37], eku_der());
    critical_eku.set_criticality(true);
    leaf.extended_key_usages.clear();
    leaf.custom_extensions.push(critical_eku);
    let mut unknown =
        CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 99999, 1], vec![0x05, 0x00]);
    unknown.set_criticality(true);
    leaf.custom_extensions.push(unknown);
    let leaf = int.issue(leaf, Alg::P256);
    let pile = leaf.pem() + &int.pem() + &root.pem();
    let report = analyze(&[("p.pem", pile.as_bytes())], &options(None));
    let found = codes(&report);
    for code in [
        "cabf.root-eku",
        "cabf.leaf-any-eku",
        "cabf.leaf-eku-critical",
        "rfc5280.unknown-critical-extension",
    ] {
        assert!(found.contains(&code), "{code}: {found:?}");
    }
    assert!(
        errors(&report).contains(&"rfc5280.unknown-critical-extension"),
        "rejected by mainstream verifiers"
    );
}

#[test]
fn name_constraints_are_errors_in_both_modes() {
    let root = root("Test Root CA", Alg::P256);
    let mut params = ca_params("Constrained CA");
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName("example.com".into())],
        excluded_subtrees: vec![GeneralSubtree::DnsName("secret.example.com".into())],
    });
    let int = root.issue(params, Alg::P256);
    let check = |sans: &[&str]| {
        let leaf = int.issue(leaf_params("leaf", sans), Alg::P256);
        analyze(
            &[("p.pem", (leaf.pem() + &int.pem() + &root.pem()).as_bytes())],
            &options(None),
        )
    };
    assert!(check(&["sbc.example.com"]).passed());
    assert_eq!(
        errors(&check(&["sbc.example.org"])),
        ["name.constraint-violation"]
    );
    assert_eq!(
        errors(&check(&["a.secret.example.com"])),
        ["name.constraint-violation"]
    );
}

#[test]
fn large_piles_end_with_the_right_chain() {
    let c = chain(Alg::P256);
    let filler_root = root("Filler Root", Alg::P256);
    let filler_key = key(Alg::P256);
    let mut pile = String::new();
    for i in 0..2000 {
        let mut params = leaf_params(
            &format!("host{i}.example.net"),
            &[&format!("host{i}.example.net")],
        );
        params.serial_number = Some(SerialNumber::from_slice(&(i as u32 + 1).to_be_bytes()));
        let signer = rcgen::Issuer::from_params(&filler_root.params, &filler_root.key);
        pile.push_str(&chainsmith::engine::pem::encode(
            "CERTIFICATE",
            params.signed_by(&filler_key, &signer).unwrap().der(),
        ));
    }
    pile.push_str(&(c.leaf.pem() + &c.intermediate.pem() + &c.root.pem() + &filler_root.pem()));
    let report = analyze(
        &[("pile.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(
        order(&report),
        [c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()]
    );
    assert!(!codes(&report).contains(&"chain.search-budget"));
}

/// A copy of a key pair (rcgen keys are not Clone).
fn key_copy(key: &rcgen::KeyPair) -> rcgen::KeyPair {
    rcgen::KeyPair::try_from(key.serialize_der().as_slice()).unwrap()
}

#[test]
fn bundle_refuses_an_empty_chain() {
    let report = analyze(&[("empty.pem", b"")], &options(None));
    assert!(bundle::to_pem(&report, BundleOptions::default()).is_err());
    let _ = IsCa::NoCa;
}

#[test]
fn only_a_root_is_no_leaf() {
    let c = chain(Alg::P256);
    let report = analyze(
        &[("root.pem", c.root.pem().as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert!(
        errors(&report).contains(&"chain.no-leaf"),
        "{:?}",
        report.findings
    );
    assert_eq!(report.chain[0].role, Role::Root);
}

#[test]
fn look_alikes_that_copy_the_name_and_key_identifier_do_not_hide_the_real_issuer() {
    // 2,100 look-alikes carrying the real intermediate's name *and* key identifier, with another key,
    // before it: the real one's identifier is derived from its own key, so it is tried first.
    let c = chain(Alg::P256);
    let real_ski = c.intermediate.params.key_identifier(&c.intermediate.key);
    let decoy_key = key(Alg::P256);
    let signer = rcgen::Issuer::from_params(&c.root.params, &c.root.key);
    let mut pile = c.leaf.pem();
    for i in 0..2100u32 {
        let mut params = ca_params("Test Intermediate CA");
        params.key_identifier_method = rcgen::KeyIdMethod::PreSpecified(real_ski.clone());
        params.serial_number = Some(SerialNumber::from_slice(&(i + 1).to_be_bytes()));
        pile.push_str(&engine::pem::encode(
            "CERTIFICATE",
            params.signed_by(&decoy_key, &signer).unwrap().der(),
        ));
    }
    pile.push_str(&(c.intermediate.pem() + &c.root.pem()));
    let report = analyze(&[("pile.pem", pile.as_bytes())], &options(None));
    assert_eq!(
        order(&report),
        [c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()]
    );
    assert!(report.passed(), "{:?}", errors(&report));
}

#[test]
fn look_alikes_of_a_ca_whose_key_identifier_is_not_derived_do_not_hide_it() {
    // The real intermediate's subjectKeyIdentifier is not a hash of its key (RFC 5280 §4.2.1.2 allows
    // any method), so nothing ranks it above 300 look-alikes that copy its name and identifier with
    // keys of their own, placed before it. Only a signature tells them apart: the search must try
    // past the first 64 of one name rather than give up (it said "no certificate of that name
    // verifies its signature").
    let c = chain(Alg::P256);
    let ski = vec![0x5a; 20];
    let mut int_params = ca_params("Test Intermediate CA");
    int_params.key_identifier_method = rcgen::KeyIdMethod::PreSpecified(ski.clone());
    let intermediate = c.root.issue(int_params, Alg::P256);
    let leaf = intermediate.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let mut pile = leaf.pem();
    for _ in 0..300 {
        let mut params = ca_params("Test Intermediate CA");
        params.key_identifier_method = rcgen::KeyIdMethod::PreSpecified(ski.clone());
        pile.push_str(&c.root.issue(params, Alg::P256).pem());
    }
    pile.push_str(&(intermediate.pem() + &c.root.pem()));
    let report = analyze(
        &[("pile.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(
        order(&report),
        [leaf.sha256(), intermediate.sha256(), c.root.sha256()]
    );
    assert!(report.passed(), "{:?}", report.findings);
    assert!(!codes(&report).contains(&"chain.search-budget"));
}

#[test]
fn look_alikes_past_the_signature_budget_say_so_rather_than_none_verifies() {
    // A leaf without an authorityKeyIdentifier and 2,100 same-name CAs with keys of their own before
    // the real issuer: more than the 2,000 signature checks one analysis may spend. The verdict is
    // FAIL, and it says the search stopped at its budget, not that no certificate of that name verifies.
    let c = chain(Alg::P256);
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.use_authority_key_identifier_extension = false;
    let leaf = c.intermediate.issue(params, Alg::P256);
    // The leaf, `n` look-alikes with keys of their own, then the real issuer and the root.
    let with_decoys = |n: usize| {
        let mut pile = leaf.pem();
        for _ in 0..n {
            pile.push_str(
                &c.root
                    .issue(ca_params("Test Intermediate CA"), Alg::P256)
                    .pem(),
            );
        }
        pile + &c.intermediate.pem() + &c.root.pem()
    };
    let pile = with_decoys(2100);
    let report = analyze(&[("pile.pem", pile.as_bytes())], &options(None));
    assert!(!report.passed());
    let find = |code: &str| {
        report
            .findings
            .iter()
            .find(|f| f.code.as_str() == code)
            .unwrap_or_else(|| panic!("{code}: {:?}", report.findings))
            .message
            .clone()
    };
    assert!(find("chain.search-budget").contains("signature checks"));
    let incomplete = find("chain.incomplete");
    assert!(incomplete.contains("budget"), "{incomplete}");
    assert!(
        !incomplete.contains("verifies its signature"),
        "{incomplete}"
    );

    // A hundred of them (the old per-name limit was 64) cost no more than a warning-free PASS.
    let pile = with_decoys(100);
    let report = analyze(&[("pile.pem", pile.as_bytes())], &options(None));
    assert!(report.passed(), "{:?}", report.findings);
    assert!(!codes(&report).contains(&"chain.search-budget"));
}

#[test]
fn key_identifier_and_empty_subject_rules() {
    let c = chain(Alg::P256);
    // The leaf's AKI names a key id the intermediate does not carry.
    let mut other_id = ca_params("Test Intermediate CA");
    other_id.key_identifier_method = rcgen::KeyIdMethod::PreSpecified(vec![1, 2, 3, 4]);
    let signer = rcgen::Issuer::from_params(&other_id, &c.intermediate.key);
    let leaf_key = key(Alg::P256);
    let leaf = leaf_params("sbc.example.com", &["sbc.example.com"])
        .signed_by(&leaf_key, &signer)
        .unwrap();
    let pile =
        engine::pem::encode("CERTIFICATE", leaf.der()) + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(&[("p.pem", pile.as_bytes())], &options(None));
    assert!(
        codes(&report).contains(&"rfc5280.aki-ski-mismatch"),
        "{:?}",
        report.findings
    );
    assert_eq!(
        report.chain.len(),
        3,
        "the signature decides, not the key identifier"
    );

    // A CA with an empty subject and no subjectKeyIdentifier.
    let mut params = ca_params("x");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.key_identifier_method = rcgen::KeyIdMethod::PreSpecified(vec![]);
    let nameless = c.root.issue(params, Alg::P256);
    let leaf = nameless.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let pile = leaf.pem() + &nameless.pem() + &c.root.pem();
    let report = analyze(&[("p.pem", pile.as_bytes())], &options(None));
    let found = codes(&report);
    assert!(found.contains(&"rfc5280.ca-empty-subject"), "{found:?}");
    assert!(found.contains(&"rfc5280.ski-missing"), "{found:?}");
    assert_eq!(report.chain.len(), 3);
}

#[test]
fn unrelated_self_signed_cas_in_a_pile_cost_no_signature_check() {
    let c = chain(Alg::P256);
    let other_key = key(Alg::P256);
    let mut pile = String::new();
    for i in 0..2000 {
        let params = ca_params(&format!("Unrelated Root {i}"));
        pile.push_str(&issue_with_key(params, key_copy(&other_key), None).pem());
    }
    pile.push_str(&(c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()));
    let report = analyze(
        &[("pile.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(
        order(&report),
        [c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()]
    );
    assert!(report.passed(), "{:?}", errors(&report));
    // leaf → intermediate, intermediate → root, the root's self-signature. Nothing for the 2,000
    // others.
    assert_eq!(report.signature_checks, 3);
}

/// A renewal folder: last year's leaf for the host (still valid, or expired) beside this year's. The
/// newest is the leaf, the older one is left out as `chain.previous-leaf` (a note naming its expiry),
/// with a host name or without (same names); ambiguity remains for leaves of other names without a
/// host, and for renewals that cannot be told apart (same dates).
#[test]
fn the_renewal_folder_takes_the_newest_leaf_and_names_the_previous_one() {
    let c = chain(Alg::P256);
    let leaf = |from: (i32, u8, u8), to: (i32, u8, u8), names: &[&str]| {
        let mut p = leaf_params(names[0], names);
        p.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
        p.not_after = rcgen::date_time_ymd(to.0, to.1, to.2);
        c.intermediate.issue(p, Alg::P256)
    };
    let host = ["sbc.example.com"];
    let new = leaf((2026, 5, 1), (2026, 11, 15), &host);
    let last_year = leaf((2025, 6, 1), (2026, 6, 20), &host);
    let expired = leaf((2024, 6, 1), (2025, 6, 1), &host);
    for (old, host_given) in [(&last_year, true), (&expired, true), (&last_year, false)] {
        // Old first, as a folder listing sorts "sbc-2025" before "sbc-2026".
        let files = [
            ("sbc-2025.pem", old.pem()),
            ("sbc-2026.pem", new.pem()),
            ("int.pem", c.intermediate.pem()),
            ("root.pem", c.root.pem()),
        ];
        let inputs: Vec<(&str, &[u8])> = files.iter().map(|(n, p)| (*n, p.as_bytes())).collect();
        let o = options(host_given.then_some("sbc.example.com"));
        let report = analyze(&inputs, &o);
        assert_eq!(report.chain[0].cert.sha256.hex(), new.sha256());
        assert!(report.passed(), "{:?}", report.findings);
        assert!(!codes(&report).contains(&"chain.ambiguous-leaf"));
        let note = report
            .findings
            .iter()
            .find(|f| f.code.as_str() == "chain.previous-leaf")
            .unwrap_or_else(|| panic!("{:?}", report.findings));
        assert_eq!(note.severity, Severity::Info);
        assert!(
            note.message.contains("sbc-2025.pem") && note.message.contains("valid until"),
            "{}",
            note.message
        );
        assert!(
            report
                .excluded
                .iter()
                .any(|e| e.reason.as_str() == "chain.previous-leaf" && e.source == "sbc-2025.pem")
        );
        // Pinning the previous one is still possible.
        let mut pinned = o.clone();
        pinned.leaf = Some(engine::Fingerprint::of(&old.der));
        let report = analyze(&inputs, &pinned);
        assert_eq!(report.chain[0].cert.sha256.hex(), old.sha256());
    }

    // Other names, no host name: still ambiguous.
    let other = leaf((2026, 1, 1), (2026, 12, 1), &["other.example.com"]);
    let pile = last_year.pem() + &other.pem() + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(&[("pile.pem", pile.as_bytes())], &options(None));
    assert!(errors(&report).contains(&"chain.ambiguous-leaf"));
    // Two renewals with the very same dates cannot be told apart.
    let twin = leaf((2026, 5, 1), (2026, 11, 15), &host);
    let pile = new.pem() + &twin.pem() + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(
        &[("pile.pem", pile.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert!(
        errors(&report).contains(&"chain.ambiguous-leaf"),
        "{:?}",
        report.findings
    );
}
