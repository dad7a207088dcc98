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
