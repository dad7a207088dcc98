//! Verdicts that agree with openssl and rustls-webpki: which of several paths is bundled (twins,
//! findings shared by every path), refusals never downgraded, trust settings of `TRUSTED
//! CERTIFICATE` roots, RFC 5280 §7.1 name matching, name constraints on CA-only chains. Where openssl
//! is the peer, the bundle Chainsmith writes is given to `openssl verify` itself.

mod common;

use chainsmith::engine::{self, Fingerprint};
use common::*;
use rcgen::{CustomExtension, KeyPair};

/// An authorityKeyIdentifier extension holding `key_id` (RFC 5280 §4.2.1.1).
fn aki(key_id: &[u8]) -> CustomExtension {
    CustomExtension::from_oid_content(&[2, 5, 29, 35], der_seq(&der(0x80, key_id)))
}

/// A second certificate for `of`'s name and key, signed by `issuer`, made with `params`.
fn twin(of: &Cert, params: rcgen::CertificateParams, issuer: &Cert) -> Cert {
    let key = KeyPair::from_pem(&of.key.serialize_pem()).expect("same key");
    issue_with_key(params, key, Some(issuer))
}

fn chosen(report: &engine::Report) -> Vec<Fingerprint> {
    report.chain.iter().map(|c| c.cert.sha256).collect()
}

/// Two copies of an intermediate, same name, key and dates, one with an authorityKeyIdentifier that
/// is not its issuer's key identifier: whatever the input order, the clean twin is bundled (openssl
/// does not link the other: its X509_check_issued compares the identifiers), and the bundle passes.
#[test]
fn of_two_twins_the_one_whose_key_identifier_agrees_is_bundled() {
    let c = chain(Alg::P256);
    let mut params = ca_params("Test Intermediate CA");
    params.use_authority_key_identifier_extension = false;
    params.custom_extensions.push(aki(&[0x5a; 20]));
    let wrong = twin(&c.intermediate, params, &c.root);
    for pile in [
        [&c.leaf, &wrong, &c.intermediate, &c.root],
        [&c.leaf, &c.intermediate, &wrong, &c.root],
    ] {
        let report = check_pile(&pile, &options(Some("sbc.example.com")));
        assert!(report.passed(), "{:?}", report.findings);
        assert_eq!(
            chosen(&report)[1],
            Fingerprint::of(&c.intermediate.der),
            "{:?}",
            report.findings
        );
        assert!(
            !codes(&report).contains(&"rfc5280.aki-ski-mismatch"),
            "{:?}",
            report.findings
        );
    }
    // Alone, the wrong twin is still a path (RFC 5280 and rustls-webpki ignore key identifiers in
    // validation), with the warning naming what openssl does with it.
    let report = check_pile(
        &[&c.leaf, &wrong, &c.root],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(chosen(&report)[1], Fingerprint::of(&wrong.der));
    assert!(codes(&report).contains(&"rfc5280.aki-ski-mismatch"));
}

/// With `--strict`, an error of the leaf itself (its CN is not among its SANs) is on every path: it
/// does not decide between them. Of two intermediates (same key), the one without an error of its own
/// is chosen, whatever the input order.
#[test]
fn a_finding_every_path_shares_never_decides_the_path() {
    let c = chain(Alg::P256);
    let leaf = c.intermediate.issue(
        leaf_params("Trunk Certificate", &["sbc.example.com"]),
        Alg::P256,
    );
    let mut params = ca_params("Test Intermediate CA");
    params.use_authority_key_identifier_extension = false; // rfc5280.aki-missing: an error in --strict
    let sloppy = twin(&c.intermediate, params, &c.root);
    let mut o = options(Some("sbc.example.com"));
    o.strict = true;
    for pile in [
        [&leaf, &sloppy, &c.intermediate, &c.root],
        [&leaf, &c.intermediate, &sloppy, &c.root],
    ] {
        let report = check_pile(&pile, &o);
        assert_eq!(
            chosen(&report)[1],
            Fingerprint::of(&c.intermediate.der),
            "{:?}",
            report.findings
        );
        assert_eq!(
            errors(&report),
            ["cabf.cn-not-in-san"],
            "{:?}",
            report.findings
        );
    }
}

fn check_pile(certs: &[&Cert], opts: &engine::CheckOptions) -> engine::Report {
    let pile: String = certs.iter().map(|c| c.pem()).collect();
    analyze(&[("p.pem", pile.as_bytes())], opts)
}

/// `openssl verify -x509_strict` of `target` with `root` as the only trust and `untrusted` beside
/// it: `Ok` or openssl's words.
fn openssl_verify(root: &Cert, untrusted: &[&Cert], target: &Cert) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("root.pem"), root.pem()).unwrap();
    let mut pile: String = untrusted.iter().map(|c| c.pem()).collect();
    if pile.is_empty() {
        pile = root.pem(); // -untrusted needs a file; the root adds nothing
    }
    std::fs::write(dir.path().join("untrusted.pem"), pile).unwrap();
    std::fs::write(dir.path().join("target.pem"), target.pem()).unwrap();
    openssl_verify_in(
        dir.path(),
        "root.pem",
        "untrusted.pem",
        "target.pem",
        &["-x509_strict"],
    )
}

/// A critical nameConstraints extension with these permitted subtrees (each a GeneralName, DER).
fn permitted(general_names: &[Vec<u8>]) -> CustomExtension {
    let subtrees: Vec<u8> = general_names.iter().flat_map(|g| der_seq(g)).collect();
    let mut ext =
        CustomExtension::from_oid_content(&[2, 5, 29, 30], der_seq(&der(0xa0, &subtrees)));
    ext.set_criticality(true);
    ext
}

/// A CA-only chain (a BYOC Premises upload has no leaf) below an intermediate constrained to one
/// directory name, e-mail domain or URI host: a CA below it named outside is refused, as `openssl
/// verify` refuses it (the independent validation's own refusal: `validate`'s unit tests); one named inside
/// passes, as openssl passes it.
#[test]
fn name_constraints_of_every_form_bind_ca_only_chains() {
    let root = root("Test Root CA", Alg::P256);
    let mut inside_dn = rcgen::DistinguishedName::new();
    inside_dn.push(rcgen::DnType::OrganizationName, "Chainsmith Test");
    struct Form {
        what: &'static str,
        constraint: CustomExtension,
        inside: fn(&mut rcgen::CertificateParams),
        outside: fn(&mut rcgen::CertificateParams),
    }
    let forms = [
        Form {
            what: "directoryName",
            constraint: {
                let mut p = rcgen::CertificateParams::default();
                p.name_constraints = Some(rcgen::NameConstraints {
                    permitted_subtrees: vec![rcgen::GeneralSubtree::DirectoryName(inside_dn)],
                    excluded_subtrees: vec![],
                });
                // rcgen writes the extension; taken from a throwaway certificate below.
                name_constraints_of(p)
            },
            inside: |p| {
                // rcgen's default name starts with a CN; RDN order matters to directoryName subtrees.
                p.distinguished_name = rcgen::DistinguishedName::new();
                p.distinguished_name
                    .push(rcgen::DnType::OrganizationName, "Chainsmith Test");
                p.distinguished_name
                    .push(rcgen::DnType::CommonName, "Sub CA");
            },
            outside: |p| {
                p.distinguished_name = rcgen::DistinguishedName::new();
                p.distinguished_name
                    .push(rcgen::DnType::OrganizationName, "Someone Else");
                p.distinguished_name
                    .push(rcgen::DnType::CommonName, "Sub CA");
            },
        },
        Form {
            what: "rfc822Name",
            constraint: permitted(&[der(0x81, b".example.com")]),
            inside: |p| {
                p.subject_alt_names = vec![rcgen::SanType::Rfc822Name(
                    "pki@ca.example.com".try_into().unwrap(),
                )]
            },
            outside: |p| {
                p.subject_alt_names = vec![rcgen::SanType::Rfc822Name(
                    "pki@example.net".try_into().unwrap(),
                )]
            },
        },
        Form {
            what: "uniformResourceIdentifier",
            constraint: permitted(&[der(0x86, b".example.com")]),
            inside: |p| {
                p.subject_alt_names = vec![rcgen::SanType::URI(
                    "https://pki.example.com/".try_into().unwrap(),
                )]
            },
            outside: |p| {
                p.subject_alt_names = vec![rcgen::SanType::URI(
                    "https://pki.example.net/".try_into().unwrap(),
                )]
            },
        },
        Form {
            // A sip: URI has no scheme://host part: OpenSSL cannot apply the constraint (error 53)
            // and refuses; so does Chainsmith, even for a host inside.
            what: "uniformResourceIdentifier (sip:)",
            constraint: permitted(&[der(0x86, b".example.com")]),
            inside: |p| {
                p.subject_alt_names = vec![rcgen::SanType::URI(
                    "https://pki.example.com/".try_into().unwrap(),
                )]
            },
            outside: |p| {
                p.subject_alt_names = vec![rcgen::SanType::URI(
                    "sip:pki.example.com".try_into().unwrap(),
                )]
            },
        },
    ];
    for form in forms {
        let mut params = ca_params("Constrained CA");
        params.custom_extensions.push(form.constraint.clone());
        let constrained = root.issue(params, Alg::P256);
        for (inside, shape) in [(true, form.inside), (false, form.outside)] {
            let mut params = ca_params("Sub CA");
            shape(&mut params);
            let sub = constrained.issue(params, Alg::P256);
            let report = check_pile(&[&sub, &constrained, &root], &options(None));
            let theirs = openssl_verify(&root, &[&constrained], &sub);
            if inside {
                assert!(report.passed(), "{}: {:?}", form.what, report.findings);
                assert_eq!(theirs, Ok(()), "{}", form.what);
            } else {
                let errs = errors(&report);
                assert!(
                    errs.contains(&"name.constraint-violation"),
                    "{}: {:?}",
                    form.what,
                    report.findings
                );
                let said = theirs.expect_err(form.what);
                assert!(
                    said.contains("error 47") || said.contains("error 53"),
                    "{}: {said}",
                    form.what
                );
            }
        }
    }
}

/// The nameConstraints extension rcgen writes for `params` (rcgen has no URI subtree, so the other
/// forms are written by hand above; this one is rcgen's own encoding).
fn name_constraints_of(mut params: rcgen::CertificateParams) -> CustomExtension {
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = key(Alg::P256);
    let der = params.self_signed(&key).unwrap().der().to_vec();
    let (_, parsed) = x509_parser::parse_x509_certificate(&der).unwrap();
    let ext = parsed
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "2.5.29.30")
        .expect("nameConstraints");
    let mut custom = CustomExtension::from_oid_content(&[2, 5, 29, 30], ext.value.to_vec());
    custom.set_criticality(true);
    custom
}

/// The root in OpenSSL's `TRUSTED CERTIFICATE` form (distributions' trust bundles): rejected for
/// serverAuth, or trusted for e-mail only, it anchors nothing (`trust.anchor-refused`), as
/// `openssl verify` refuses it; trusted for serverAuth, it anchors the chain, as openssl accepts it.
/// Given as --roots, or as the self-signed root of the input.
#[test]
fn trust_settings_of_a_trusted_certificate_root_are_honoured() {
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("root.pem"), c.root.pem()).unwrap();
    std::fs::write(dir.path().join("int.pem"), c.intermediate.pem()).unwrap();
    std::fs::write(dir.path().join("leaf.pem"), c.leaf.pem()).unwrap();
    for (name, settings, anchors) in [
        ("rejected", &["-addreject", "serverAuth"][..], false),
        ("email-only", &["-addtrust", "emailProtection"][..], false),
        (
            "any-rejected",
            &["-addreject", "anyExtendedKeyUsage"][..],
            false,
        ),
        ("server", &["-addtrust", "serverAuth"][..], true),
        (
            "server-and-email",
            &["-addtrust", "serverAuth", "-addtrust", "emailProtection"][..],
            true,
        ),
    ] {
        let out = format!("{name}.pem");
        let mut args = vec!["x509", "-in", "root.pem", "-trustout", "-out", &out];
        args.extend_from_slice(settings);
        openssl(dir.path(), &args);
        let trusted = std::fs::read(dir.path().join(&out)).unwrap();
        assert!(String::from_utf8_lossy(&trusted).contains("BEGIN TRUSTED CERTIFICATE"));
        let theirs = openssl_verify_in(
            dir.path(),
            &out,
            "int.pem",
            "leaf.pem",
            &["-purpose", "sslserver"],
        );
        assert_eq!(theirs.is_ok(), anchors, "openssl on {name}: {theirs:?}");
        let pile = c.leaf.pem() + &c.intermediate.pem();
        let o = options(Some("sbc.example.com"));
        // As --roots.
        let mut roots = engine::Loaded::default();
        roots.extend(engine::load(&out, &trusted));
        let as_roots = engine::analyze(&load(&[("p.pem", pile.as_bytes())]), Some(&roots), &o);
        // As the input's own root.
        let in_input = analyze(&[("p.pem", pile.as_bytes()), (&out, &trusted)], &o);
        for report in [as_roots, in_input] {
            assert_eq!(report.passed(), anchors, "{name}: {:?}", report.findings);
            let refused = codes(&report).contains(&"trust.anchor-refused");
            assert_eq!(refused, !anchors, "{name}: {:?}", report.findings);
        }
    }
}

/// A trust bundle in `TRUSTED CERTIFICATE` form that also holds roots rejected for serverAuth: those
/// do not matter to a chain that ends at another root (no finding), and trust settings that cannot be
/// read are an error naming the file, not a guess.
#[test]
fn rejected_roots_beside_the_one_that_anchors_are_not_an_error() {
    let c = chain(Alg::P256);
    let other = root("Distrusted Root", Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("root.pem"), c.root.pem()).unwrap();
    std::fs::write(dir.path().join("other.pem"), other.pem()).unwrap();
    openssl(
        dir.path(),
        &[
            "x509",
            "-in",
            "root.pem",
            "-addtrust",
            "serverAuth",
            "-trustout",
            "-out",
            "a.pem",
        ],
    );
    openssl(
        dir.path(),
        &[
            "x509",
            "-in",
            "other.pem",
            "-addreject",
            "serverAuth",
            "-trustout",
            "-out",
            "b.pem",
        ],
    );
    let bundle = [
        std::fs::read(dir.path().join("b.pem")).unwrap(),
        std::fs::read(dir.path().join("a.pem")).unwrap(),
    ]
    .concat();
    let mut roots = engine::Loaded::default();
    roots.extend(engine::load("bundle.pem", &bundle));
    let pile = c.leaf.pem() + &c.intermediate.pem();
    let report = engine::analyze(
        &load(&[("p.pem", pile.as_bytes())]),
        Some(&roots),
        &options(Some("sbc.example.com")),
    );
    assert!(report.passed(), "{:?}", report.findings);
    assert!(!codes(&report).contains(&"trust.anchor-refused"));
    // Trust settings that are not DER: the root is refused with its file named.
    let text = String::from_utf8(std::fs::read(dir.path().join("a.pem")).unwrap()).unwrap();
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    use base64::Engine as _;
    let mut der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    let cut = der.len() - 3;
    der.truncate(cut); // the settings' last bytes are gone
    let broken = engine::pem::encode("TRUSTED CERTIFICATE", &der);
    let loaded = engine::load("broken-bundle.pem", broken.as_bytes());
    assert!(loaded.certificates.is_empty());
    let said: Vec<&str> = loaded.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        said.iter()
            .any(|m| m.contains("broken-bundle.pem") && m.contains("trust settings")),
        "{said:?}"
    );
}

/// A leaf of 0.25 MB (8,000 names) under name constraints: checked quickly (the benchmark has the
/// figure), and refused with the true reason, since rustls-webpki reads no certificate above 64 KiB.
#[test]
fn a_certificate_too_large_for_rustls_is_refused_in_those_words() {
    let c = chain(Alg::P256);
    let names: Vec<String> = (0..8_000)
        .map(|i| format!("host{i}.trunks.example.com"))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut params = leaf_params("sbc.example.com", &refs);
    params.subject_alt_names.push(rcgen::SanType::DnsName(
        "sbc.example.com".try_into().unwrap(),
    ));
    let leaf = c.intermediate.issue(params, Alg::P256);
    assert!(leaf.der.len() > 200_000);
    let report = check_pile(
        &[&leaf, &c.intermediate, &c.root],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(errors(&report), ["trust.rejected"], "{:?}", report.findings);
    let said = &report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "trust.rejected")
        .unwrap()
        .message;
    assert!(said.contains("larger than 64 KiB"), "{said}");
}

/// RFC 5280 §7.1: names match whatever their string types, letter case or spacing. The intermediate's
/// subject is a UTF8String; its leaf names its issuer as a PrintableString in other case and spacing.
/// Chainsmith links them (a CA-only chain passes, as openssl verify passes it); with a leaf, rustls-webpki
/// compares names byte for byte and refuses, and the verdict says exactly that (`trust.rustls-policy`,
/// an error: far ends built on rustls, Go or pyca refuse it too).
#[test]
fn names_that_match_as_rfc5280_compares_them_link() {
    let root = root("Test Root CA", Alg::P256);
    let mut params = ca_params("x");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(
        rcgen::DnType::OrganizationName,
        rcgen::DnValue::Utf8String("Chainsmith Test".into()),
    );
    params.distinguished_name.push(
        rcgen::DnType::CommonName,
        rcgen::DnValue::Utf8String("Test Intermediate CA".into()),
    );
    let intermediate = root.issue(params, Alg::P256);
    // The same name as its leaves write it: PrintableString, other case, doubled spaces.
    let mut as_named = intermediate.params.clone();
    as_named.distinguished_name = rcgen::DistinguishedName::new();
    as_named.distinguished_name.push(
        rcgen::DnType::OrganizationName,
        rcgen::DnValue::PrintableString("CHAINSMITH  test".try_into().unwrap()),
    );
    as_named.distinguished_name.push(
        rcgen::DnType::CommonName,
        rcgen::DnValue::PrintableString("test intermediate  CA".try_into().unwrap()),
    );
    let int_key = KeyPair::from_pem(&intermediate.key.serialize_pem()).unwrap();
    let issuer = Cert {
        params: as_named,
        key: int_key,
        der: intermediate.der.clone(),
    };
    // A CA below it (CA-only, as a BYOC Premises upload) and a leaf below it.
    let sub = issuer.issue(ca_params("Sub CA"), Alg::P256);
    let report = check_pile(&[&sub, &intermediate, &root], &options(None));
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(report.chain.len(), 3);
    assert_eq!(openssl_verify(&root, &[&intermediate], &sub), Ok(()));
    let leaf = issuer.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let report = check_pile(
        &[&leaf, &intermediate, &root],
        &options(Some("sbc.example.com")),
    );
    assert_eq!(report.chain.len(), 3, "{:?}", report.findings);
    assert_eq!(
        errors(&report),
        ["trust.rustls-policy"],
        "{:?}",
        report.findings
    );
    let said = &report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "trust.rustls-policy")
        .unwrap()
        .message;
    assert!(said.contains("byte for byte"), "{said}");
    assert!(!said.contains("self-issued"), "{said}");
    assert!(!said.contains("used as the leaf"), "{said}");
    assert_eq!(openssl_verify(&root, &[&intermediate], &leaf), Ok(()));
}

/// `sip-mutual-tls`: the leaf is verified as a server's and as a client's certificate, and the verdict
/// says which side fails — as `openssl verify -purpose sslserver` and `-purpose sslclient` decide.
#[test]
fn sip_mutual_tls_verifies_both_sides_and_names_the_one_that_fails() {
    let root = root("Test Root CA", Alg::P256);
    let mut o = options(Some("sbc.example.com"));
    o.profile = engine::Profile::SipMutualTls;
    let eku = |list: &[rcgen::ExtendedKeyUsagePurpose]| list.to_vec();
    use rcgen::ExtendedKeyUsagePurpose::{ClientAuth, ServerAuth};
    // (intermediate EKU, leaf EKU, server side passes, client side passes)
    let cases = [
        (eku(&[]), eku(&[ServerAuth, ClientAuth]), true, true),
        (eku(&[]), eku(&[ServerAuth]), true, false),
        (
            eku(&[ServerAuth]),
            eku(&[ServerAuth, ClientAuth]),
            true,
            false,
        ),
        (
            eku(&[ClientAuth]),
            eku(&[ServerAuth, ClientAuth]),
            false,
            true,
        ),
    ];
    for (int_eku, leaf_eku, server, client) in cases {
        let mut p = ca_params("Test Intermediate CA");
        p.extended_key_usages = int_eku.clone();
        let intermediate = root.issue(p, Alg::P256);
        let mut p = leaf_params("sbc.example.com", &["sbc.example.com"]);
        p.extended_key_usages = leaf_eku.clone();
        let leaf = intermediate.issue(p, Alg::P256);
        let report = check_pile(&[&leaf, &intermediate, &root], &o);
        let what = format!("intermediate {int_eku:?}, leaf {leaf_eku:?}");
        let codes = codes(&report);
        assert_eq!(
            report.passed(),
            server && client,
            "{what}: {:?}",
            report.findings
        );
        assert_eq!(
            codes.contains(&"trust.client-rejected"),
            !client,
            "{what}: {:?}",
            report.findings
        );
        if !server {
            let said = &report
                .findings
                .iter()
                .find(|f| f.code.as_str() == "trust.rejected")
                .unwrap()
                .message;
            assert!(
                said.contains("as a TLS server certificate"),
                "{what}: {said}"
            );
        }
        if !client {
            let said = &report
                .findings
                .iter()
                .find(|f| f.code.as_str() == "trust.client-rejected")
                .unwrap()
                .message;
            assert!(
                said.contains("as a TLS client certificate"),
                "{what}: {said}"
            );
        }
        // openssl, per side.
        for (purpose, expected) in [("sslserver", server), ("sslclient", client)] {
            let theirs = openssl_purpose(&root, &intermediate, &leaf, purpose);
            assert_eq!(theirs, expected, "{what}: openssl -purpose {purpose}");
        }
    }
}

fn openssl_purpose(root: &Cert, intermediate: &Cert, leaf: &Cert, purpose: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("root.pem"), root.pem()).unwrap();
    std::fs::write(dir.path().join("int.pem"), intermediate.pem()).unwrap();
    std::fs::write(dir.path().join("leaf.pem"), leaf.pem()).unwrap();
    openssl_verify_in(
        dir.path(),
        "root.pem",
        "int.pem",
        "leaf.pem",
        &["-x509_strict", "-purpose", purpose],
    )
    .is_ok()
}

/// Certificates that are not DER — each defect in one field — are `rfc5280.der-encoding`, naming the
/// field: a warning by default, an error with --strict.
#[test]
fn certificates_that_are_not_der_are_a_finding_naming_the_field() {
    let c = chain(Alg::P256);
    // The intermediate's TBS with its extensions edited, re-signed by the root.
    let resign_intermediate = |edit: &dyn Fn(Vec<Vec<u8>>) -> Vec<Vec<u8>>| {
        rebuild(
            &c.intermediate.der,
            |fields| {
                let last = fields.len() - 1; // [3] { SEQUENCE OF Extension }
                let exts = tlvs(&tlv_content(&tlv_content(&fields[last])[..]));
                let edited = edit(exts);
                fields[last] = der(0xa3, &der_seq(&edited.concat()));
            },
            None,
            Some(&c.root.key),
        )
    };
    // 1. An extension that encodes critical FALSE (the DEFAULT).
    let explicit_false = resign_intermediate(&|exts| {
        exts.into_iter()
            .map(|e| {
                let parts = tlvs(&tlv_content(&e));
                if parts.len() == 2 && parts[0].ends_with(&[0x55, 0x1d, 0x23]) {
                    der_seq(&[parts[0].clone(), vec![0x01, 0x01, 0x00], parts[1].clone()].concat())
                } else {
                    e
                }
            })
            .collect()
    });
    // 2. keyUsage keyCertSign + cRLSign with a trailing zero bit kept (unused bits 0 instead of 1).
    let trailing_zero = resign_intermediate(&|exts| {
        exts.into_iter()
            .map(|e| {
                let parts = tlvs(&tlv_content(&e));
                if parts[0].ends_with(&[0x55, 0x1d, 0x0f]) {
                    let bits = vec![0x03, 0x02, 0x00, 0x06]; // bits 5, 6 set; bit 7 a zero kept
                    let value = der(0x04, &bits);
                    let mut rebuilt = vec![parts[0].clone()];
                    if parts.len() == 3 {
                        rebuilt.push(parts[1].clone());
                    }
                    rebuilt.push(value);
                    der_seq(&rebuilt.concat())
                } else {
                    e
                }
            })
            .collect()
    });
    // 3. An RSA leaf key without the NULL parameters.
    let rsa_leaf = c.intermediate.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::Rsa2048,
    );
    let no_null = rebuild(
        &rsa_leaf.der,
        |fields| {
            // version, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
            let at = 6;
            let parts = tlvs(&tlv_content(&fields[at]));
            let alg = tlvs(&tlv_content(&parts[0]));
            fields[at] = der_seq(&[der_seq(&alg[0]), parts[1].clone()].concat());
        },
        None,
        Some(&c.intermediate.key),
    );
    for (what, pile, field) in [
        (
            "critical FALSE",
            vec![c.leaf.der.clone(), explicit_false, c.root.der.clone()],
            "authorityKeyIdentifier extension",
        ),
        (
            "trailing zero bit",
            vec![c.leaf.der.clone(), trailing_zero, c.root.der.clone()],
            "keyUsage extension",
        ),
        (
            "RSA without NULL",
            vec![no_null, c.intermediate.der.clone(), c.root.der.clone()],
            "subjectPublicKeyInfo",
        ),
    ] {
        let text: String = pile
            .iter()
            .map(|d| engine::pem::encode("CERTIFICATE", d))
            .collect();
        let report = analyze(
            &[("p.pem", text.as_bytes())],
            &options(Some("sbc.example.com")),
        );
        let f = report
            .findings
            .iter()
            .find(|f| f.code.as_str() == "rfc5280.der-encoding")
            .unwrap_or_else(|| panic!("{what}: {:?}", report.findings));
        assert_eq!(f.severity, engine::Severity::Warning, "{what}");
        assert!(f.message.contains(field), "{what}: {}", f.message);
        let mut strict = options(Some("sbc.example.com"));
        strict.strict = true;
        let report = analyze(&[("p.pem", text.as_bytes())], &strict);
        assert!(
            errors(&report).contains(&"rfc5280.der-encoding"),
            "{what}: {:?}",
            report.findings
        );
    }
    // The clean chain has no such finding, and neither does a real public chain.
    let report = check_pile(
        &[&c.leaf, &c.intermediate, &c.root],
        &options(Some("sbc.example.com")),
    );
    assert!(
        !codes(&report).contains(&"rfc5280.der-encoding"),
        "{:?}",
        report.findings
    );
}

/// The 64 KiB limit's edge: rustls-webpki reads a certificate whose contents are 65,535 bytes
/// (65,539 with the outer tag and length), not one byte more (65,536 bytes of contents, 65,541 in
/// all). Certificates of exactly those sizes
/// (a padding extension sized to fit, RSA signatures being of fixed length) are told apart.
#[test]
fn the_64_kib_limit_is_exact() {
    let c = chain(Alg::Rsa2048);
    let sized = |total: usize| -> Cert {
        let make = |pad: usize| {
            let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
            // A private, non-critical extension: ignored by every verifier.
            params
                .custom_extensions
                .push(rcgen::CustomExtension::from_oid_content(
                    &[1, 3, 6, 1, 4, 1, 55555, 1],
                    der(0x04, &vec![0x41; pad]),
                ));
            c.intermediate.issue(params, Alg::P256)
        };
        let mut pad = total - 2_000;
        for _ in 0..5 {
            let cert = make(pad);
            if cert.der.len() == total {
                return cert;
            }
            pad = pad + total - cert.der.len();
        }
        panic!("no certificate of {total} bytes");
    };
    let verdict = |leaf: &Cert| {
        let report = check_pile(
            &[leaf, &c.intermediate, &c.root],
            &options(Some("sbc.example.com")),
        );
        report
            .findings
            .iter()
            .any(|f| f.message.contains("larger than 64 KiB"))
    };
    assert!(!verdict(&sized(0xFFFF + 4)), "65,539 bytes is read");
    // One byte more of contents needs a third length byte: 65,541 in all.
    assert!(verdict(&sized(0xFFFF + 6)), "65,541 bytes is not");
}
