//! Path building over a mesh of cross-signed intermediates, one edge spoiled at a time: whenever a
//! clean path exists it is chosen and the verdict is pass; with none, the verdict names the spoiler.
//!
//! ```text
//!                 R1 ──────────────► I (by R1) ─┐
//!   R2 ─► X (by R2) ─┐                 │        ├─► leaf sbc.example.com
//!   R3 ─► X (by R3) ─┴─► I (by X) ─────┼────────┘
//!                        ▲             ▼
//!                        └──── X (by I) (I cross-signs X back: a loop)
//! ```
//! `I` (one name, one key) exists as two certificates, `X` (one name, one key) as three. Paths:
//! leaf–I(R1)–R1 (the shortest), leaf–I(X)–X(R2)–R2, leaf–I(X)–X(R3)–R3 and leaf–I(X)–X(I)–I(R1)–R1.
//! Spoiled certificates come first in the input, so an engine that ranks by length and input order
//! alone picks them.

mod common;

use chainsmith::engine::{self, Loaded};
use common::*;
use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, GeneralSubtree, IsCa,
    KeyIdMethod, KeyPair, KeyUsagePurpose, NameConstraints, date_time_ymd,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spoil {
    Expired,
    NotYetValid,
    NoBasicConstraints,
    CaFalse,
    NoKeyCertSign,
    Sha1,
    ExcludesLeafName,
    NoSubjectKeyId,
    NoAuthorityKeyId,
    BadSignature,
    UntrustedRoot,
    PathLenZero,
    WebpkiOnly,
}

impl Spoil {
    /// The error code a path spoiled this way fails with, and whether it needs `--strict`.
    fn code(self) -> (&'static str, bool) {
        match self {
            Spoil::Expired => ("cert.expired", false),
            Spoil::NotYetValid => ("cert.not-yet-valid", false),
            Spoil::NoBasicConstraints | Spoil::CaFalse => ("ca.not-ca", false),
            Spoil::NoKeyCertSign => ("ca.key-usage", false),
            Spoil::Sha1 => ("algo.sha1", false),
            Spoil::ExcludesLeafName => ("name.constraint-violation", false),
            Spoil::NoSubjectKeyId => ("rfc5280.ski-missing", true),
            Spoil::NoAuthorityKeyId => ("rfc5280.aki-missing", true),
            Spoil::BadSignature => ("chain.bad-signature", false),
            Spoil::UntrustedRoot => ("chain.untrusted-root", false),
            Spoil::PathLenZero => ("ca.path-length", false),
            Spoil::WebpkiOnly => ("trust.rejected", false),
        }
    }
}

const ALL: [Spoil; 13] = [
    Spoil::Expired,
    Spoil::NotYetValid,
    Spoil::NoBasicConstraints,
    Spoil::CaFalse,
    Spoil::NoKeyCertSign,
    Spoil::Sha1,
    Spoil::ExcludesLeafName,
    Spoil::NoSubjectKeyId,
    Spoil::NoAuthorityKeyId,
    Spoil::BadSignature,
    Spoil::UntrustedRoot,
    Spoil::PathLenZero,
    Spoil::WebpkiOnly,
];

/// The CA certificates of the mesh that can be spoiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// I signed by R1.
    IByR1,
    /// X signed by R2.
    XByR2,
    /// X signed by R3.
    XByR3,
}

struct Mesh {
    /// The input, spoiled certificates first.
    inputs: Vec<(String, Vec<u8>)>,
    roots: Vec<Vec<u8>>,
    /// Names of the certificates, by fingerprint, for messages.
    names: Vec<(String, String)>,
    leaf: String,
    spoiled: Vec<String>,
}

fn key_pem_copy(key: &KeyPair) -> KeyPair {
    KeyPair::from_pem(&key.serialize_pem()).unwrap()
}

/// Re-signs `cert` with `issuer` using ECDSA with SHA-1 (rcgen cannot sign with SHA-1).
fn resign_sha1(cert: &Cert, issuer: &Cert) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("in.pem"), cert.pem()).unwrap();
    std::fs::write(d.join("ca.pem"), issuer.pem()).unwrap();
    std::fs::write(d.join("ca.key"), issuer.key.serialize_pem()).unwrap();
    openssl(
        d,
        &[
            "x509",
            "-in",
            "in.pem",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-sha1",
            "-set_serial",
            "4242",
            "-outform",
            "DER",
            "-out",
            "out.der",
        ],
    );
    std::fs::read(d.join("out.der")).unwrap()
}

fn spoil_params(params: &mut CertificateParams, spoil: Spoil) {
    match spoil {
        Spoil::Expired => params.not_after = date_time_ymd(2026, 3, 1),
        Spoil::NotYetValid => params.not_before = date_time_ymd(2026, 9, 1),
        Spoil::NoBasicConstraints => params.is_ca = IsCa::NoCa,
        Spoil::CaFalse => params.is_ca = IsCa::ExplicitNoCa,
        Spoil::NoKeyCertSign => {
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::CrlSign]
        }
        Spoil::ExcludesLeafName => {
            params.name_constraints = Some(NameConstraints {
                permitted_subtrees: vec![],
                excluded_subtrees: vec![GeneralSubtree::DnsName("example.com".into())],
            })
        }
        Spoil::NoSubjectKeyId => params.key_identifier_method = KeyIdMethod::PreSpecified(vec![]),
        Spoil::NoAuthorityKeyId => params.use_authority_key_identifier_extension = false,
        Spoil::PathLenZero => params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0)),
        // webpki requires serverAuth in an intermediate's EKU when it has one; RFC 5280 does not.
        Spoil::WebpkiOnly => params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth],
        Spoil::Sha1 | Spoil::BadSignature | Spoil::UntrustedRoot => {}
    }
}

fn mesh(spoils: &[(Edge, Spoil)]) -> Mesh {
    let spoil_of = |edge: Edge| spoils.iter().find(|(e, _)| *e == edge).map(|(_, s)| *s);
    let r1 = root("Mesh Root 1", Alg::P256);
    let r2 = root("Mesh Root 2", Alg::P256);
    let r3 = root("Mesh Root 3", Alg::P256);
    let i_key = key(Alg::P256);
    let x_key = key(Alg::P256);
    let mut names = Vec::new();
    let mut spoiled = Vec::new();
    let mut make = |label: &str, cn: &str, key: &KeyPair, issuer: &Cert, edge: Option<Edge>| {
        let mut params = ca_params(cn);
        let spoil = edge.and_then(spoil_of);
        if let Some(spoil) = spoil {
            spoil_params(&mut params, spoil);
        }
        let for_openssl = params.clone();
        let mut cert = issue_with_key(params, key_pem_copy(key), Some(issuer));
        match spoil {
            // openssl re-signs a self-signed certificate (it checks the input's own signature).
            Some(Spoil::Sha1) => {
                let own = issue_with_key(for_openssl, key_pem_copy(key), None);
                cert.der = resign_sha1(&own, issuer)
            }
            Some(Spoil::BadSignature) => {
                let last = cert.der.len() - 3;
                cert.der[last] ^= 0x55;
            }
            _ => {}
        }
        names.push((cert.sha256(), label.to_string()));
        if spoil.is_some() && spoil != Some(Spoil::UntrustedRoot) {
            spoiled.push(cert.sha256());
        }
        cert
    };
    let i_by_r1 = make("I(R1)", "Mesh Issuing CA", &i_key, &r1, Some(Edge::IByR1));
    let x_by_r2 = make("X(R2)", "Mesh Cross CA", &x_key, &r2, Some(Edge::XByR2));
    let x_by_r3 = make("X(R3)", "Mesh Cross CA", &x_key, &r3, Some(Edge::XByR3));
    // I(X) is signed with X's key; an unspoiled X stands in as the signer so that a spoiled X's
    // parameters (its key identifier) do not leak into I(X).
    let x_signer = issue_with_key(ca_params("Mesh Cross CA"), key_pem_copy(&x_key), Some(&r3));
    let i_by_x = make("I(X)", "Mesh Issuing CA", &i_key, &x_signer, None);
    // And I cross-signs X back: X(I), so the mesh has a loop and a longer path through I(R1).
    let i_signer = issue_with_key(
        ca_params("Mesh Issuing CA"),
        key_pem_copy(&i_key),
        Some(&r1),
    );
    let x_by_i = make("X(I)", "Mesh Cross CA", &x_key, &i_signer, None);
    let leaf = i_by_x.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    names.push((leaf.sha256(), "leaf".into()));
    for (cert, label) in [(&r1, "R1"), (&r2, "R2"), (&r3, "R3")] {
        names.push((cert.sha256(), label.into()));
    }
    let mut versions = vec![
        ("i-by-r1.pem", i_by_r1, Edge::IByR1),
        ("x-by-r2.pem", x_by_r2, Edge::XByR2),
        ("x-by-r3.pem", x_by_r3, Edge::XByR3),
    ];
    // Spoiled certificates first: an engine that keeps the first of equal paths picks them.
    versions.sort_by_key(|(_, _, edge)| spoil_of(*edge).is_none());
    let mut inputs: Vec<(String, Vec<u8>)> = vec![("leaf.pem".into(), leaf.pem().into_bytes())];
    for (name, cert, _) in &versions {
        inputs.push((name.to_string(), cert.pem().into_bytes()));
    }
    inputs.push(("i-by-x.pem".into(), i_by_x.pem().into_bytes()));
    inputs.push(("x-by-i.pem".into(), x_by_i.pem().into_bytes()));
    // The roots: all in the input; trusted through --roots unless the spoiler is an untrusted root.
    let mut roots = Vec::new();
    for (cert, edge) in [(&r1, Edge::IByR1), (&r2, Edge::XByR2), (&r3, Edge::XByR3)] {
        inputs.push((
            format!("root-{}.pem", cert.sha256()),
            cert.pem().into_bytes(),
        ));
        if spoil_of(edge) != Some(Spoil::UntrustedRoot) {
            roots.push(cert.der.clone());
        } else {
            spoiled.push(cert.sha256());
        }
    }
    Mesh {
        inputs,
        roots,
        names,
        leaf: leaf.sha256(),
        spoiled,
    }
}

fn run(mesh: &Mesh, strict: bool) -> engine::Report {
    let inputs: Vec<(&str, &[u8])> = mesh
        .inputs
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let mut roots = Loaded::default();
    for der in &mesh.roots {
        roots.extend(engine::load("roots.pem", der));
    }
    let mut opts = options(Some("sbc.example.com"));
    opts.strict = strict;
    engine::analyze(&load(&inputs), Some(&roots), &opts)
}

fn path_names(mesh: &Mesh, report: &engine::Report) -> Vec<String> {
    order(report)
        .iter()
        .map(|fp| {
            mesh.names
                .iter()
                .find(|(f, _)| f == fp)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| fp.clone())
        })
        .collect()
}

/// The scenarios for one spoiler: which edges get it, and whether a clean path remains.
fn scenarios(spoil: Spoil) -> Vec<(Vec<(Edge, Spoil)>, bool)> {
    if spoil == Spoil::PathLenZero {
        // pathLenConstraint 0 spoils X (an intermediate, I(X), is below it), not I(R1).
        let bad_i = (Edge::IByR1, Spoil::BadSignature);
        return vec![
            (vec![bad_i, (Edge::XByR2, spoil)], true),
            (
                vec![bad_i, (Edge::XByR2, spoil), (Edge::XByR3, spoil)],
                false,
            ),
        ];
    }
    vec![
        (vec![(Edge::IByR1, spoil)], true),
        (vec![(Edge::IByR1, spoil), (Edge::XByR2, spoil)], true),
        (vec![(Edge::XByR2, spoil), (Edge::XByR3, spoil)], true),
        (
            vec![
                (Edge::IByR1, spoil),
                (Edge::XByR2, spoil),
                (Edge::XByR3, spoil),
            ],
            false,
        ),
    ]
}

#[test]
fn the_clean_path_is_found_whichever_edge_is_spoiled() {
    let mut cases = 0;
    for spoil in ALL {
        let (code, strict) = spoil.code();
        for (spoils, clean_exists) in scenarios(spoil) {
            let mesh = mesh(&spoils);
            let report = run(&mesh, strict);
            let chosen = path_names(&mesh, &report);
            let what = format!(
                "{spoil:?} on {spoils:?}: chose {chosen:?}, {:?}",
                report.findings
            );
            assert_eq!(order(&report)[0], mesh.leaf, "{what}");
            if clean_exists {
                assert!(errors(&report).is_empty(), "{what}");
                for fp in order(&report) {
                    assert!(!mesh.spoiled.contains(&fp), "{what}");
                }
            } else {
                let codes = errors(&report);
                assert!(codes.contains(&code), "expected {code}: {what}");
            }
            // Never a silent pass through a spoiled certificate.
            if errors(&report).is_empty() {
                assert!(report.chain.len() >= 3, "{what}");
            }
            cases += 1;
        }
    }
    assert_eq!(cases, 12 * 4 + 2);
}

#[test]
fn alternate_paths_that_are_spoiled_are_listed_with_their_first_error() {
    let mesh = mesh(&[(Edge::IByR1, Spoil::Expired)]);
    let report = run(&mesh, false);
    assert!(errors(&report).is_empty(), "{:?}", report.findings);
    let alternates: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.code.as_str() == "chain.alternate-path")
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        alternates
            .iter()
            .any(|m| m.contains("not used: cert.expired")),
        "{alternates:?}"
    );
}
