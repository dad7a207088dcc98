#![cfg(unix)]
//! Every finding code in the README's table, produced for real: for each code, inputs that give it,
//! run through the `chainsmith` binary with `--json`, and the code and its severity read from the
//! report. A second test reads the README's table and fails when a code there has no case here (or a
//! case has another severity than the table says), so a code no test produces cannot hide.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use common::*;
use rcgen::{CertificateParams, CustomExtension, DnType, ExtendedKeyUsagePurpose, KeyUsagePurpose};
use serde_json::Value;

const AT_ARG: &str = "--at=2026-06-01T00:00:00Z";
const HOST: &str = "sbc.example.com";

/// One code: its default severity and how to produce it (files written into the folder given; the
/// returned arguments run `chainsmith` there, `--json` added).
struct Case {
    code: &'static str,
    severity: &'static str,
    make: fn(&Path) -> Vec<String>,
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn put(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

/// Declares which certificate the case crafted for its code: the finding must name it (its SHA-256,
/// computed here from the DER, not by Chainsmith).
fn expect(dir: &Path, der: &[u8]) {
    let hex: String = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    put(dir, "expect.sha256", hex);
}

/// [`expect`] for the first certificate in a PEM file the case wrote.
fn expect_file(dir: &Path, name: &str) {
    expect_nth(dir, name, 0);
}

/// [`expect`] for the `n`th certificate (from 0) in a PEM file the case wrote.
fn expect_nth(dir: &Path, name: &str, n: usize) {
    let text = std::fs::read(dir.join(name)).unwrap();
    let blocks = pem::parse_many(text).unwrap();
    expect(dir, blocks[n].contents());
}

fn pems(certs: &[&Cert]) -> String {
    certs.iter().map(|c| c.pem()).collect()
}

/// `check in --host sbc.example.com --at 2026-06-01` with `certs` in `in/chain.pem`, plus `extra`.
fn check_pile(dir: &Path, certs: &[&Cert], extra: &[&str]) -> Vec<String> {
    put(dir, "in/chain.pem", pems(certs));
    let mut a = args(&["check", "in", "--host", HOST, AT_ARG]);
    a.extend(args(extra));
    a
}

/// The test chain with its leaf made from `params` (issued by the intermediate).
fn with_leaf(dir: &Path, params: CertificateParams, extra: &[&str]) -> Vec<String> {
    let c = chain(Alg::P256);
    let leaf = c.intermediate.issue(params, Alg::P256);
    expect(dir, &leaf.der);
    check_pile(dir, &[&leaf, &c.intermediate, &c.root], extra)
}

/// The test chain with its intermediate made from `params` (and a leaf under it).
fn with_intermediate(dir: &Path, params: CertificateParams, extra: &[&str]) -> Vec<String> {
    let root = root("Test Root CA", Alg::P256);
    let intermediate = root.issue(params, Alg::P256);
    let leaf = intermediate.issue(leaf_params(HOST, &[HOST]), Alg::P256);
    expect(dir, &intermediate.der);
    check_pile(dir, &[&leaf, &intermediate, &root], extra)
}

fn leaf() -> CertificateParams {
    leaf_params(HOST, &[HOST])
}

fn ext(oid: &[u64], content: Vec<u8>, critical: bool) -> CustomExtension {
    let mut e = CustomExtension::from_oid_content(oid, content);
    e.set_criticality(critical);
    e
}

/// A real-world chain file from the fixtures (tests/fixtures/real-world), checked at its own time.
fn fixture(dir: &Path, file: &str, at: &str, host: &str, extra: &[&str]) -> Vec<String> {
    std::fs::copy(fixtures().join(file), dir.join("fixture.pem")).unwrap();
    expect_file(dir, "fixture.pem");
    let mut a = args(&[
        "check",
        "fixture.pem",
        "--host",
        host,
        &format!("--at={at}"),
    ]);
    a.extend(args(extra));
    a
}

/// A chain made with openssl under an intermediate asserting the CA/B Forum DV policy (so the
/// Baseline Requirements profiles apply): the clean leaf with `from` replaced by `to` in its
/// extensions, checked now (the certificates are issued now).
fn br_case(
    d: &Path,
    subject: &str,
    from: &str,
    to: &str,
    key: &str,
    int_ext: Option<&str>,
) -> Vec<String> {
    let ext = BR_LEAF_EXT.replace(from, to);
    br_chain(d, subject, &ext, key, int_ext);
    expect_file(d, "leaf.pem");
    args(&["check", "leaf.pem", "int.pem", "root.pem", "--host", HOST])
}

/// An HTTP server on loopback answering `path` with `body` (anything else: 404).
fn http_serving(path: &'static str, body: Vec<u8>) -> u16 {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut stream = stream;
            if request.split_whitespace().nth(1) == Some(path) {
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            } else {
                let _ = stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        }
    });
    port
}

/// `probe` of a loopback TLS server serving `served` (with the leaf's key), against the bundle.
fn probe(dir: &Path, served: &[&Cert], key: &rcgen::KeyPair, bundle: &[&Cert]) -> Vec<String> {
    let port = serve_tls(
        served.iter().map(|c| c.der.clone()).collect(),
        key.serialize_der(),
        None,
    );
    put(dir, "bundle.pem", pems(bundle));
    args(&[
        "probe",
        &format!("127.0.0.1:{port}"),
        "--host",
        HOST,
        AT_ARG,
        "--bundle",
        "bundle.pem",
    ])
}

/// A self-signed certificate made by `openssl req -x509` with a new key of `key_args`.
fn openssl_self_signed(dir: &Path, key_args: &[&str]) -> Vec<String> {
    let mut a = vec![
        "req",
        "-x509",
        "-nodes",
        "-days",
        "30",
        "-subj",
        "/CN=sbc.example.com",
    ];
    a.extend(["-addext", "subjectAltName=DNS:sbc.example.com"]);
    a.extend(key_args);
    a.extend(["-keyout", "odd.key", "-out", "odd.pem"]);
    openssl(dir, &a);
    expect_file(dir, "odd.pem");
    args(&["check", "odd.pem", "--host", HOST])
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            code: "input.malformed",
            severity: "error",
            make: |d| {
                put(
                    d,
                    "in/broken.pem",
                    "-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n",
                );
                with_leaf(d, leaf(), &[])
            },
        },
        Case {
            code: "input.no-certificate",
            severity: "error",
            // Named by the user: a file in a folder that holds no certificate is input.ignored.
            make: |d| {
                put(d, "notes.txt", "the certificates are attached\n");
                let mut a = with_leaf(d, leaf(), &[]);
                a.insert(1, "notes.txt".into());
                a
            },
        },
        Case {
            code: "input.ignored",
            severity: "info",
            make: |d| {
                put(d, "in/notes.txt", "the certificates are attached\n");
                with_leaf(d, leaf(), &[])
            },
        },
        Case {
            code: "key.matches-leaf",
            severity: "info",
            make: |d| {
                let c = chain(Alg::P256);
                put(d, "in/key.pem", c.leaf.key.serialize_pem());
                expect(d, &c.leaf.der);
                check_pile(d, &[&c.leaf, &c.intermediate], &[])
            },
        },
        Case {
            code: "key.does-not-match-leaf",
            severity: "warning",
            make: |d| {
                put(d, "in/key.pem", key(Alg::P256).serialize_pem());
                with_leaf(d, leaf(), &[])
            },
        },
        Case {
            code: "input.private-key",
            severity: "warning",
            make: |d| {
                put(d, "in/sbc.key", key(Alg::P256).serialize_pem());
                with_leaf(d, leaf(), &[])
            },
        },
        Case {
            code: "input.skipped-link",
            severity: "warning",
            make: |d| {
                std::fs::create_dir_all(d.join("in")).unwrap();
                std::os::unix::fs::symlink("nowhere.pem", d.join("in/dangling.pem")).unwrap();
                with_leaf(d, leaf(), &[])
            },
        },
        Case {
            code: "input.unreadable",
            severity: "error",
            // Run as an unprivileged user: see `unprivileged` below.
            make: |d| {
                use std::os::unix::fs::PermissionsExt as _;
                let a = with_leaf(d, leaf(), &[]);
                put(d, "in/locked.pem", "");
                for (path, mode) in [
                    ("in", 0o755),
                    ("in/chain.pem", 0o644),
                    ("in/locked.pem", 0o000),
                ] {
                    std::fs::set_permissions(d.join(path), std::fs::Permissions::from_mode(mode))
                        .unwrap();
                }
                a
            },
        },
        Case {
            code: "input.too-large",
            severity: "error",
            make: |d| {
                std::fs::create_dir_all(d.join("in")).unwrap();
                std::fs::File::create(d.join("in/huge.pem"))
                    .unwrap()
                    .set_len(11 * 1024 * 1024)
                    .unwrap();
                with_leaf(d, leaf(), &[])
            },
        },
        Case {
            code: "chain.incomplete",
            severity: "error",
            make: |d| {
                let c = chain(Alg::P256);
                expect(d, &c.leaf.der);
                check_pile(d, &[&c.leaf, &c.root], &[])
            },
        },
        Case {
            code: "chain.untrusted-root",
            severity: "error",
            make: |d| {
                let other = root("Another Root", Alg::P256);
                put(d, "other-root.pem", other.pem());
                let c = chain(Alg::P256);
                expect(d, &c.root.der);
                check_pile(
                    d,
                    &[&c.leaf, &c.intermediate, &c.root],
                    &["--roots", "other-root.pem"],
                )
            },
        },
        Case {
            code: "revocation.revoked",
            severity: "error",
            make: |d| {
                let c = chain(Alg::P256);
                put(
                    d,
                    "issuing.crl",
                    test_crl(&c.intermediate, Some(&c.leaf), (2026, 7, 1)),
                );
                expect(d, &c.leaf.der);
                check_pile(
                    d,
                    &[&c.leaf, &c.intermediate, &c.root],
                    &["--crl", "issuing.crl"],
                )
            },
        },
        Case {
            code: "revocation.crl-invalid",
            severity: "warning",
            make: |d| {
                // A CRL in the intermediate's name signed by another key.
                let c = chain(Alg::P256);
                let impostor = Cert {
                    params: c.intermediate.params.clone(),
                    key: common::key(Alg::P256),
                    der: Vec::new(),
                };
                put(
                    d,
                    "forged.crl",
                    test_crl(&impostor, Some(&c.leaf), (2026, 7, 1)),
                );
                expect(d, &c.leaf.der);
                check_pile(
                    d,
                    &[&c.leaf, &c.intermediate, &c.root],
                    &["--crl", "forged.crl"],
                )
            },
        },
        Case {
            code: "revocation.crl-expired",
            severity: "warning",
            make: |d| {
                // nextUpdate 2026-05-15, before the validation time (2026-06-01).
                let c = chain(Alg::P256);
                put(
                    d,
                    "stale.crl",
                    test_crl(&c.intermediate, None, (2026, 5, 15)),
                );
                expect(d, &c.leaf.der);
                check_pile(
                    d,
                    &[&c.leaf, &c.intermediate, &c.root],
                    &["--crl", "stale.crl"],
                )
            },
        },
        Case {
            code: "revocation.unknown",
            severity: "warning",
            make: |d| {
                // The leaf names a CRL distribution point; the CRL given is the root's only.
                let c = chain(Alg::P256);
                let mut p = leaf();
                p.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
                    uris: vec!["http://crl.example.com/issuing.crl".into()],
                }];
                let leaf = c.intermediate.issue(p, Alg::P256);
                put(d, "root.crl", test_crl(&c.root, None, (2026, 7, 1)));
                expect(d, &leaf.der);
                check_pile(
                    d,
                    &[&leaf, &c.intermediate, &c.root],
                    &["--crl", "root.crl"],
                )
            },
        },
        Case {
            code: "revocation.crl-fetched",
            severity: "info",
            make: |d| {
                // --fetch-crl: the leaf names its issuer's CRL on a loopback server.
                let c = chain(Alg::P256);
                let crl = test_crl(&c.intermediate, None, (2026, 7, 1));
                let port = http_serving("/issuing.crl", crl);
                let mut p = leaf();
                p.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
                    uris: vec![format!("http://127.0.0.1:{port}/issuing.crl")],
                }];
                let leaf = c.intermediate.issue(p, Alg::P256);
                check_pile(d, &[&leaf, &c.intermediate, &c.root], &["--fetch-crl"])
            },
        },
        Case {
            code: "revocation.crl-fetch-failed",
            severity: "warning",
            make: |d| {
                // --fetch-crl: the point the leaf names answers 404.
                let c = chain(Alg::P256);
                let port = http_serving("/other.crl", Vec::new());
                let mut p = leaf();
                p.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
                    uris: vec![format!("http://127.0.0.1:{port}/issuing.crl")],
                }];
                let leaf = c.intermediate.issue(p, Alg::P256);
                check_pile(d, &[&leaf, &c.intermediate, &c.root], &["--fetch-crl"])
            },
        },
        Case {
            code: "rfc5280.der-encoding",
            severity: "warning",
            make: |d| {
                // The leaf re-signed with its first non-critical extension encoding critical FALSE.
                let c = chain(Alg::P256);
                let leaf = rebuild(
                    &c.leaf.der,
                    |fields| {
                        let last = fields.len() - 1;
                        let mut exts = tlvs(&tlv_content(&tlv_content(&fields[last])));
                        if let Some(e) = exts.iter_mut().find(|e| tlvs(&tlv_content(e)).len() == 2)
                        {
                            let parts = tlvs(&tlv_content(e));
                            *e = der_seq(
                                &[parts[0].clone(), vec![0x01, 0x01, 0x00], parts[1].clone()]
                                    .concat(),
                            );
                        }
                        fields[last] = der(0xa3, &der_seq(&exts.concat()));
                    },
                    None,
                    Some(&c.intermediate.key),
                );
                put(
                    d,
                    "in/leaf.pem",
                    chainsmith::engine::pem::encode("CERTIFICATE", &leaf),
                );
                expect(d, &leaf);
                check_pile(d, &[&c.intermediate, &c.root], &[])
            },
        },
        Case {
            code: "trust.client-rejected",
            severity: "error",
            make: |d| {
                // sip-mutual-tls: the intermediate allows serverAuth only, so the leaf (which has
                // both) cannot be a TLS client certificate under it.
                let mut p = ca_params("Servers Only Intermediate");
                p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
                let a = with_intermediate(d, p, &["--profile", "sip-mutual-tls"]);
                expect_file(d, "in/chain.pem");
                a
            },
        },
        Case {
            code: "trust.anchor-refused",
            severity: "error",
            make: |d| {
                // The root in OpenSSL's TRUSTED CERTIFICATE form, rejected for serverAuth.
                let c = chain(Alg::P256);
                put(d, "root.pem", c.root.pem());
                common::openssl(
                    d,
                    &[
                        "x509",
                        "-in",
                        "root.pem",
                        "-addreject",
                        "serverAuth",
                        "-trustout",
                        "-out",
                        "root-rejected.pem",
                    ],
                );
                expect(d, &c.root.der);
                check_pile(
                    d,
                    &[&c.leaf, &c.intermediate],
                    &["--roots", "root-rejected.pem"],
                )
            },
        },
        Case {
            code: "chain.self-signed-leaf",
            severity: "error",
            make: |d| {
                let lone = issue_with_key(leaf(), key(Alg::P256), None);
                expect(d, &lone.der);
                check_pile(d, &[&lone], &[])
            },
        },
        Case {
            code: "chain.bad-signature",
            severity: "error",
            make: |d| {
                // The leaf's issuer name, on another key.
                let c = chain(Alg::P256);
                let decoy = c.root.issue(ca_params("Test Intermediate CA"), Alg::P256);
                expect(d, &c.leaf.der);
                check_pile(d, &[&c.leaf, &decoy, &c.root], &[])
            },
        },
        Case {
            code: "cert.signature-algorithm-mismatch",
            severity: "error",
            make: |d| {
                // The intermediate's outer algorithm given an explicit NULL parameter its TBS field
                // does not have (the signature still verifies); CA-only, as it was bundled with PASS.
                let c = chain(Alg::P256);
                let mismatched = outer_algorithm(
                    &c.intermediate.der,
                    algorithm_id(&ECDSA_SHA256, &[0x05, 0x00]),
                );
                put(
                    d,
                    "in/chain.pem",
                    chainsmith::engine::pem::encode("CERTIFICATE", &mismatched) + &c.root.pem(),
                );
                expect(d, &mismatched);
                args(&["check", "in", AT_ARG])
            },
        },
        Case {
            code: "chain.unverifiable-signature",
            severity: "error",
            make: |d| {
                // The intermediate's signature relabelled as Ed448, which nothing here verifies.
                let c = chain(Alg::P256);
                let relabelled =
                    relabel_signature(&c.intermediate.der, &[0x06, 0x03, 0x2b, 0x65, 0x71]);
                put(
                    d,
                    "in/chain.pem",
                    c.leaf.pem()
                        + &chainsmith::engine::pem::encode("CERTIFICATE", &relabelled)
                        + &c.root.pem(),
                );
                expect(d, &relabelled);
                args(&["check", "in", "--host", HOST, AT_ARG])
            },
        },
        Case {
            code: "chain.previous-leaf",
            severity: "info",
            make: |d| {
                // Last year's certificate for the host beside this year's (one day newer).
                let c = chain(Alg::P256);
                let mut old = leaf();
                old.not_before = rcgen::date_time_ymd(2025, 6, 1);
                old.not_after = rcgen::date_time_ymd(2026, 6, 20);
                let old = c.intermediate.issue(old, Alg::P256);
                put(d, "in/sbc-2025.pem", old.pem());
                expect(d, &old.der);
                check_pile(d, &[&c.leaf, &c.intermediate, &c.root], &[])
            },
        },
        Case {
            code: "chain.ambiguous-leaf",
            severity: "error",
            make: |d| {
                let c = chain(Alg::P256);
                let other = c.intermediate.issue(
                    leaf_params("other.example.com", &["other.example.com"]),
                    Alg::P256,
                );
                put(
                    d,
                    "in/chain.pem",
                    pems(&[&c.leaf, &other, &c.intermediate, &c.root]),
                );
                args(&["check", "in", AT_ARG])
            },
        },
        Case {
            code: "chain.no-leaf",
            severity: "error",
            make: |d| {
                let c = chain(Alg::P256);
                check_pile(d, &[&c.root], &[])
            },
        },
        Case {
            code: "chain.root-missing",
            severity: "error",
            make: |d| {
                let c = chain(Alg::P256);
                put(d, "root.pem", c.root.pem());
                check_pile(
                    d,
                    &[&c.leaf, &c.intermediate],
                    &["--roots", "root.pem", "--profile", "genesys-byoc-premises"],
                )
            },
        },
        Case {
            code: "chain.unrelated",
            severity: "warning",
            make: |d| {
                let c = chain(Alg::P256);
                let stranger = root("Unrelated Root", Alg::P256);
                expect(d, &stranger.der);
                check_pile(d, &[&c.leaf, &c.intermediate, &c.root, &stranger], &[])
            },
        },
        Case {
            code: "chain.search-budget",
            severity: "warning",
            make: |d| {
                // 300 copies of the intermediate (one key, other serial numbers): 300 paths up
                // from the leaf, more than the 256 one leaf may have.
                let c = chain(Alg::P256);
                let twins: Vec<Cert> = (0..300u32)
                    .map(|i| {
                        let mut p = ca_params("Test Intermediate CA");
                        p.serial_number =
                            Some(rcgen::SerialNumber::from_slice(&(i + 1).to_be_bytes()));
                        let key =
                            rcgen::KeyPair::try_from(c.intermediate.key.serialize_der().as_slice())
                                .unwrap();
                        issue_with_key(p, key, Some(&c.root))
                    })
                    .collect();
                let mut pile: Vec<&Cert> = vec![&c.leaf];
                pile.extend(twins.iter());
                pile.push(&c.root);
                check_pile(d, &pile, &[])
            },
        },
        Case {
            code: "cert.precertificate",
            severity: "error",
            make: |d| {
                br_case(
                    d,
                    "/CN=sbc.example.com",
                    "authorityKeyIdentifier=keyid:always",
                    "authorityKeyIdentifier=keyid:always\n1.3.6.1.4.1.11129.2.4.3=critical,ASN1:NULL",
                    "ec",
                    None,
                )
            },
        },
        Case {
            code: "cabf.key-algorithm",
            severity: "warning",
            make: |d| br_case(d, "/CN=sbc.example.com", "", "", "ed25519", None),
        },
        Case {
            code: "cabf.subject-ou",
            severity: "warning",
            make: |d| {
                br_case(
                    d,
                    "/C=US/ST=California/O=Example Inc/OU=Voice/CN=sbc.example.com",
                    "2.23.140.1.2.1",
                    "2.23.140.1.2.2",
                    "ec",
                    None,
                )
            },
        },
        Case {
            code: "cabf.subject-encoding",
            severity: "warning",
            make: |d| {
                br_case(
                    d,
                    "/C=US/ST=California/O=-/CN=sbc.example.com",
                    "2.23.140.1.2.1",
                    "2.23.140.1.2.2",
                    "ec",
                    None,
                )
            },
        },
        Case {
            code: "cabf.subject-order",
            severity: "warning",
            make: |d| br_case(d, "/CN=sbc.example.com/C=US", "", "", "ec", None),
        },
        Case {
            code: "cabf.subject-validation-type",
            severity: "warning",
            make: |d| {
                br_case(
                    d,
                    "/C=US/O=Example Inc/CN=sbc.example.com",
                    "",
                    "",
                    "ec",
                    None,
                )
            },
        },
        Case {
            code: "cabf.policies",
            severity: "warning",
            make: |d| {
                br_case(
                    d,
                    "/CN=sbc.example.com",
                    "certificatePolicies=2.23.140.1.2.1",
                    "certificatePolicies=2.23.140.1.2.1,2.5.29.32.0",
                    "ec",
                    None,
                )
            },
        },
        Case {
            code: "cabf.aia",
            severity: "warning",
            make: |d| {
                br_case(
                    d,
                    "/CN=sbc.example.com",
                    "caIssuers;URI:http://",
                    "caIssuers;URI:ldap://",
                    "ec",
                    None,
                )
            },
        },
        Case {
            code: "cabf.crldp",
            severity: "warning",
            make: |d| {
                br_case(
                    d,
                    "/CN=sbc.example.com",
                    "URI:http://ca.example.com/int.crl",
                    "URI:https://ca.example.com/int.crl",
                    "ec",
                    None,
                )
            },
        },
        Case {
            code: "cabf.ca-key-usage",
            severity: "warning",
            make: |d| {
                let ca = BR_CA_EXT.replace(
                    "keyUsage=critical,digitalSignature,keyCertSign,cRLSign",
                    "keyUsage=critical,digitalSignature,keyCertSign",
                );
                let a = br_case(d, "/CN=sbc.example.com", "", "", "ec", Some(&ca));
                expect_file(d, "int.pem");
                a
            },
        },
        Case {
            code: "cabf.leaf-eku-other",
            severity: "warning",
            make: |d| {
                br_case(
                    d,
                    "/CN=sbc.example.com",
                    "extendedKeyUsage=serverAuth",
                    "extendedKeyUsage=serverAuth,codeSigning",
                    "ec",
                    None,
                )
            },
        },
        Case {
            code: "cabf.leaf-key-usage",
            severity: "warning",
            make: |d| {
                br_case(
                    d,
                    "/CN=sbc.example.com",
                    "keyUsage=critical,digitalSignature",
                    "keyUsage=critical,digitalSignature,dataEncipherment",
                    "ec",
                    None,
                )
            },
        },
        Case {
            code: "cabf.leaf-key-agreement",
            severity: "warning",
            make: |d| {
                br_case(
                    d,
                    "/CN=sbc.example.com",
                    "keyUsage=critical,digitalSignature",
                    "keyUsage=critical,digitalSignature,keyAgreement",
                    "ec",
                    None,
                )
            },
        },
        Case {
            code: "teams.sbc-trust-missing",
            severity: "error",
            make: |d| {
                // The SBC trusts only DigiCert Global Root G2 (the 2023 rule): six of the seven
                // 2026 roots are missing.
                put(
                    d,
                    "sbc-roots.pem",
                    chainsmith::engine::teams::SBC_TRUST_2026[1].pem,
                );
                fixture(
                    d,
                    "badssl/chain/wildcard-rsa2048.pem",
                    "2021-04-19T00:00:00Z",
                    "sbc.badssl.com",
                    &[
                        "--profile",
                        "teams-direct-routing",
                        "--sbc-trust",
                        "sbc-roots.pem",
                    ],
                )
            },
        },
        Case {
            code: "teams.cn-only",
            severity: "info",
            make: |d| {
                let c = chain(Alg::Rsa2048);
                let leaf = c
                    .intermediate
                    .issue(leaf_params(HOST, &["other.example.com"]), Alg::Rsa2048);
                expect(d, &leaf.der);
                check_pile(
                    d,
                    &[&leaf, &c.intermediate, &c.root],
                    &["--profile", "teams-direct-routing"],
                )
            },
        },
        Case {
            code: "aia.fetched",
            severity: "info",
            make: |d| {
                let c = chain(Alg::P256);
                let port = http_serving("/int.der", c.intermediate.der.clone());
                let mut params = leaf();
                params
                    .custom_extensions
                    .push(aia_ca_issuers(&format!("http://127.0.0.1:{port}/int.der")));
                let leaf = c.intermediate.issue(params, Alg::P256);
                put(d, "cache/.keep", "");
                expect(d, &c.intermediate.der);
                check_pile(d, &[&leaf, &c.root], &["--fetch-missing"])
            },
        },
        Case {
            code: "aia.fetch-failed",
            severity: "warning",
            make: |d| {
                let c = chain(Alg::P256);
                let port = http_serving("/elsewhere.der", Vec::new());
                let mut params = leaf();
                params
                    .custom_extensions
                    .push(aia_ca_issuers(&format!("http://127.0.0.1:{port}/int.der")));
                let leaf = c.intermediate.issue(params, Alg::P256);
                check_pile(d, &[&leaf, &c.root], &["--fetch-missing"])
            },
        },
        Case {
            code: "chain.duplicate",
            severity: "info",
            make: |d| {
                let c = chain(Alg::P256);
                expect(d, &c.intermediate.der);
                check_pile(
                    d,
                    &[&c.leaf, &c.intermediate, &c.intermediate, &c.root],
                    &[],
                )
            },
        },
        Case {
            code: "chain.order",
            severity: "info",
            make: |d| {
                let c = chain(Alg::P256);
                check_pile(d, &[&c.root, &c.leaf, &c.intermediate], &[])
            },
        },
        Case {
            code: "chain.alternate-path",
            severity: "info",
            make: |d| {
                let le = fixtures().join("letsencrypt");
                for f in [
                    "2024/r10.pem",
                    "isrgrootx1.pem",
                    "isrg-root-x1-cross-signed.pem",
                    "trustid-x3-root.pem",
                ] {
                    put(
                        d,
                        &format!("in/{}", f.replace('/', "-")),
                        std::fs::read(le.join(f)).unwrap(),
                    );
                }
                args(&[
                    "check",
                    "in",
                    "--at=2024-06-01T00:00:00Z",
                    "--profile",
                    "genesys-byoc-premises",
                ])
            },
        },
        Case {
            code: "chain.root-omitted",
            severity: "info",
            make: |d| {
                std::fs::copy(
                    fixtures().join("letsencrypt/2024/r10.pem"),
                    d.join("r10.pem"),
                )
                .unwrap();
                args(&[
                    "check",
                    "r10.pem",
                    "--public-roots",
                    "--profile",
                    "genesys-byoc-premises",
                    "--at=2024-06-01T00:00:00Z",
                ])
            },
        },
        Case {
            code: "cert.expired",
            severity: "error",
            make: |d| {
                let c = chain(Alg::P256);
                put(
                    d,
                    "in/chain.pem",
                    pems(&[&c.leaf, &c.intermediate, &c.root]),
                );
                expect(d, &c.leaf.der);
                args(&["check", "in", "--host", HOST, "--at=2027-06-01T00:00:00Z"])
            },
        },
        Case {
            code: "cert.not-yet-valid",
            severity: "error",
            make: |d| {
                let c = chain(Alg::P256);
                put(
                    d,
                    "in/chain.pem",
                    pems(&[&c.leaf, &c.intermediate, &c.root]),
                );
                expect(d, &c.leaf.der);
                args(&["check", "in", "--host", HOST, "--at=2025-06-01T00:00:00Z"])
            },
        },
        Case {
            code: "cert.expiring-soon",
            severity: "warning",
            make: |d| {
                let c = chain(Alg::P256);
                put(
                    d,
                    "in/chain.pem",
                    pems(&[&c.leaf, &c.intermediate, &c.root]),
                );
                expect(d, &c.leaf.der);
                args(&["check", "in", "--host", HOST, "--at=2026-12-20T00:00:00Z"])
            },
        },
        Case {
            code: "ca.not-ca",
            severity: "error",
            make: |d| {
                let mut p = ca_params("Test Intermediate CA");
                p.is_ca = rcgen::IsCa::ExplicitNoCa;
                with_intermediate(d, p, &[])
            },
        },
        Case {
            code: "ca.path-length",
            severity: "error",
            make: |d| {
                let mut p = ca_params("Test Root CA");
                p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
                let root = issue_with_key(p, key(Alg::P256), None);
                let middle = root.issue(ca_params("Middle CA"), Alg::P256);
                let lower = middle.issue(ca_params("Lower CA"), Alg::P256);
                let leaf = lower.issue(leaf(), Alg::P256);
                expect(d, &root.der);
                check_pile(d, &[&leaf, &lower, &middle, &root], &[])
            },
        },
        Case {
            code: "ca.key-usage",
            severity: "error",
            make: |d| {
                let mut p = ca_params("Test Intermediate CA");
                p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
                with_intermediate(d, p, &[])
            },
        },
        Case {
            code: "leaf.is-ca",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
                p.key_usages = vec![
                    KeyUsagePurpose::DigitalSignature,
                    KeyUsagePurpose::KeyCertSign,
                ];
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "leaf.eku-server-auth-missing",
            severity: "error",
            make: |d| {
                let mut p = leaf();
                p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "leaf.eku-client-auth-missing",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
                with_leaf(d, p, &["--profile", "sip-mutual-tls"])
            },
        },
        Case {
            code: "leaf.key-usage",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.key_usages = vec![KeyUsagePurpose::ContentCommitment];
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "name.mismatch",
            severity: "error",
            make: |d| {
                let c = chain(Alg::P256);
                put(
                    d,
                    "in/chain.pem",
                    pems(&[&c.leaf, &c.intermediate, &c.root]),
                );
                expect(d, &c.leaf.der);
                args(&["check", "in", "--host", "other.example.com", AT_ARG])
            },
        },
        Case {
            code: "name.no-san",
            severity: "error",
            make: |d| with_leaf(d, leaf_params(HOST, &[]), &[]),
        },
        Case {
            code: "name.constraint-violation",
            severity: "error",
            make: |d| {
                let mut p = ca_params("Test Intermediate CA");
                p.name_constraints = Some(rcgen::NameConstraints {
                    permitted_subtrees: vec![],
                    excluded_subtrees: vec![rcgen::GeneralSubtree::DnsName(HOST.into())],
                });
                let a = with_intermediate(d, p, &[]);
                expect_file(d, "in/chain.pem");
                a
            },
        },
        Case {
            code: "algo.sha1",
            severity: "error",
            make: |d| {
                fixture(
                    d,
                    "badssl/chain/wildcard-sha1-2016.pem",
                    "2016-02-18T00:00:00Z",
                    "www.badssl.com",
                    &[],
                )
            },
        },
        Case {
            code: "algo.md5",
            severity: "error",
            make: |d| {
                // The leaf's sha256WithRSAEncryption relabelled as md5WithRSAEncryption.
                let c = chain(Alg::Rsa2048);
                let md5 = [
                    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04,
                ];
                let relabelled = relabel_signature(&c.leaf.der, &md5);
                put(
                    d,
                    "in/chain.pem",
                    chainsmith::engine::pem::encode("CERTIFICATE", &relabelled)
                        + &pems(&[&c.intermediate, &c.root]),
                );
                expect(d, &relabelled);
                args(&["check", "in", "--host", HOST, AT_ARG])
            },
        },
        Case {
            code: "key.rsa-weak",
            severity: "error",
            make: |d| {
                let dir = fixtures().join("badssl");
                let pile = [
                    std::fs::read(dir.join("chain/subdomain-superfish.pem")).unwrap(),
                    std::fs::read(dir.join("ca-crt/ca-superfish.crt")).unwrap(),
                ]
                .concat();
                put(d, "superfish.pem", pile);
                expect_nth(d, "superfish.pem", 1);
                args(&[
                    "check",
                    "superfish.pem",
                    "--host",
                    "superfish.badssl.com",
                    "--at=2019-05-16T00:00:00Z",
                ])
            },
        },
        Case {
            code: "key.invalid",
            severity: "error",
            make: |d| {
                let c = chain(Alg::P256);
                let mut point = vec![0x04];
                point.extend([0x11; 64]);
                let raw = RawKey {
                    bytes: point,
                    alg: &rcgen::PKCS_ECDSA_P256_SHA256,
                };
                let signer =
                    rcgen::Issuer::from_params(&c.intermediate.params, &c.intermediate.key);
                let leaf = leaf().signed_by(&raw, &signer).unwrap().der().to_vec();
                put(
                    d,
                    "in/chain.pem",
                    chainsmith::engine::pem::encode("CERTIFICATE", &leaf)
                        + &pems(&[&c.intermediate, &c.root]),
                );
                expect(d, &leaf);
                args(&["check", "in", "--host", HOST, AT_ARG])
            },
        },
        Case {
            code: "key.rsa-too-large",
            severity: "warning",
            make: |d| {
                // A CA with a 9,216-bit modulus (it signs nothing) and a leaf naming it as issuer.
                let c = chain(Alg::P256);
                let mut modulus = vec![0x00, 0xc5];
                modulus.extend((0..1151).map(|i| (i * 7 + 3) as u8));
                let raw = RawKey {
                    bytes: der_seq(&[der(0x02, &modulus), der(0x02, &[0x01, 0x00, 0x01])].concat()),
                    alg: &rcgen::PKCS_RSA_SHA256,
                };
                let params = ca_params("Huge RSA CA");
                let signer = rcgen::Issuer::from_params(&c.root.params, &c.root.key);
                let big = params.signed_by(&raw, &signer).unwrap().der().to_vec();
                put(
                    d,
                    "in/chain.pem",
                    chainsmith::engine::pem::encode("CERTIFICATE", &big) + &c.root.pem(),
                );
                expect(d, &big);
                args(&["check", "in", AT_ARG, "--profile", "genesys-byoc-premises"])
            },
        },
        Case {
            code: "profile.key-type",
            severity: "error",
            make: |d| with_leaf(d, leaf(), &["--profile", "genesys-byoc-cloud"]),
        },
        Case {
            code: "trust.rejected",
            severity: "error",
            make: |d| {
                // An intermediate for clientAuth only: webpki applies EKU along the whole path.
                let mut p = ca_params("Client-Only Intermediate");
                p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
                let a = with_intermediate(d, p, &[]);
                expect_file(d, "in/chain.pem");
                a
            },
        },
        Case {
            code: "trust.rustls-policy",
            severity: "error",
            make: |d| {
                // A CA certificate pinned as the leaf.
                let c = chain(Alg::P256);
                put(d, "int.pem", c.intermediate.pem());
                put(d, "root.pem", c.root.pem());
                expect(d, &c.intermediate.der);
                args(&["check", "int.pem", "root.pem", "--leaf", "int.pem", AT_ARG])
            },
        },
        Case {
            code: "served.order",
            severity: "error",
            make: |d| {
                let c = chain(Alg::P256);
                probe(
                    d,
                    &[&c.leaf, &c.root, &c.intermediate],
                    &c.leaf.key,
                    &[&c.leaf, &c.intermediate, &c.root],
                )
            },
        },
        Case {
            code: "served.incomplete",
            severity: "error",
            make: |d| {
                let c = chain(Alg::P256);
                expect(d, &c.leaf.der);
                probe(
                    d,
                    &[&c.leaf],
                    &c.leaf.key,
                    &[&c.leaf, &c.intermediate, &c.root],
                )
            },
        },
        Case {
            code: "served.extra",
            severity: "warning",
            make: |d| {
                let c = chain(Alg::P256);
                let stray = root("Stray CA", Alg::P256);
                expect(d, &stray.der);
                probe(
                    d,
                    &[&c.leaf, &c.intermediate, &stray],
                    &c.leaf.key,
                    &[&c.leaf, &c.intermediate, &c.root],
                )
            },
        },
        Case {
            code: "served.stale-leaf",
            severity: "error",
            make: |d| {
                let c = chain(Alg::P256);
                let old = c.intermediate.issue(leaf(), Alg::P256);
                expect(d, &old.der);
                probe(
                    d,
                    &[&old, &c.intermediate],
                    &old.key,
                    &[&c.leaf, &c.intermediate, &c.root],
                )
            },
        },
        Case {
            code: "served.intermediates-differ",
            severity: "warning",
            make: |d| {
                // The same leaf, served with a cross-signed copy of its intermediate (same name and
                // key, another issuer) where the bundle has the original.
                let c = chain(Alg::P256);
                let other_root = root("Other Root CA", Alg::P256);
                let cross = issue_with_key(
                    ca_params("Test Intermediate CA"),
                    rcgen::KeyPair::from_pem(&c.intermediate.key.serialize_pem()).unwrap(),
                    Some(&other_root),
                );
                probe(
                    d,
                    &[&c.leaf, &cross],
                    &c.leaf.key,
                    &[&c.leaf, &c.intermediate, &c.root],
                )
            },
        },
        Case {
            code: "served.matches-bundle",
            severity: "info",
            make: |d| {
                let c = chain(Alg::P256);
                probe(
                    d,
                    &[&c.leaf, &c.intermediate],
                    &c.leaf.key,
                    &[&c.leaf, &c.intermediate, &c.root],
                )
            },
        },
        Case {
            code: "rfc5280.unknown-critical-extension",
            severity: "error",
            make: |d| {
                let mut p = leaf();
                p.custom_extensions =
                    vec![ext(&[1, 3, 6, 1, 4, 1, 55555, 9], vec![0x05, 0x00], true)];
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "rfc5280.aki-missing",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.use_authority_key_identifier_extension = false;
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "rfc5280.ski-missing",
            severity: "warning",
            make: |d| {
                let mut p = ca_params("Test Intermediate CA");
                p.key_identifier_method = rcgen::KeyIdMethod::PreSpecified(vec![]);
                with_intermediate(d, p, &[])
            },
        },
        Case {
            code: "rfc5280.aki-ski-mismatch",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.use_authority_key_identifier_extension = false;
                p.custom_extensions = vec![ext(
                    &[2, 5, 29, 35],
                    der_seq(&der(0x80, &[0x42; 20])),
                    false,
                )];
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "rfc5280.serial-zero",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.serial_number = Some(rcgen::SerialNumber::from_slice(&[0x00]));
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "rfc5280.serial-negative",
            severity: "warning",
            make: |d| {
                // rcgen writes only positive serials: patch INTEGER 0x7f01 into 0x8001 (the signature
                // then fails, which is not what this case is about).
                let c = chain(Alg::P256);
                let mut p = leaf();
                p.serial_number = Some(rcgen::SerialNumber::from_slice(&[0x7f, 0x01]));
                let mut der_bytes = c.intermediate.issue(p, Alg::P256).der;
                let at = der_bytes
                    .windows(4)
                    .position(|w| w == [0x02, 0x02, 0x7f, 0x01])
                    .unwrap();
                der_bytes[at + 2] = 0x80;
                put(
                    d,
                    "in/chain.pem",
                    chainsmith::engine::pem::encode("CERTIFICATE", &der_bytes)
                        + &pems(&[&c.intermediate, &c.root]),
                );
                expect(d, &der_bytes);
                args(&["check", "in", "--host", HOST, AT_ARG])
            },
        },
        Case {
            code: "rfc5280.serial-too-long",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.serial_number = Some(rcgen::SerialNumber::from_slice(&[0x11; 22]));
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "rfc5280.ca-empty-subject",
            severity: "warning",
            make: |d| {
                let mut p = ca_params("x");
                p.distinguished_name = rcgen::DistinguishedName::new();
                with_intermediate(d, p, &[])
            },
        },
        Case {
            code: "rfc5280.basic-constraints-not-critical",
            severity: "warning",
            make: |d| {
                let mut p = ca_params("Test Intermediate CA");
                p.is_ca = rcgen::IsCa::NoCa;
                // basicConstraints CA:TRUE, not critical.
                p.custom_extensions =
                    vec![ext(&[2, 5, 29, 19], der_seq(&[0x01, 0x01, 0xff]), false)];
                with_intermediate(d, p, &[])
            },
        },
        Case {
            code: "rfc5280.root-basic-constraints-missing",
            severity: "warning",
            make: |d| {
                // A v3 root without basicConstraints, which is not the trust anchor (another root is
                // given with --roots), so it is linted.
                let mut p = ca_params("Bare Root");
                p.is_ca = rcgen::IsCa::NoCa;
                let bare = issue_with_key(p, key(Alg::P256), None);
                let leaf = bare.issue(leaf(), Alg::P256);
                let other = root("Another Root", Alg::P256);
                put(d, "other-root.pem", other.pem());
                expect(d, &bare.der);
                check_pile(d, &[&leaf, &bare], &["--roots", "other-root.pem"])
            },
        },
        Case {
            code: "rfc5280.name-constraints-end-entity",
            severity: "error",
            make: |d| {
                let mut p = leaf();
                p.custom_extensions = vec![ext(
                    &[2, 5, 29, 30],
                    der_seq(&der(0xa1, &der_seq(&der(0x82, b"forbidden.example")))),
                    true,
                )];
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "rfc5280.name-constraints-malformed",
            severity: "error",
            make: |d| {
                let mut p = ca_params("Test Intermediate CA");
                p.custom_extensions = vec![ext(&[2, 5, 29, 30], der_seq(&[]), true)];
                with_intermediate(d, p, &[])
            },
        },
        Case {
            code: "rfc5280.name-constraints-not-critical",
            severity: "warning",
            make: |d| {
                let mut p = ca_params("Test Intermediate CA");
                p.custom_extensions = vec![ext(
                    &[2, 5, 29, 30],
                    der_seq(&der(0xa1, &der_seq(&der(0x82, b"forbidden.example")))),
                    false,
                )];
                with_intermediate(d, p, &[])
            },
        },
        Case {
            code: "rfc5280.aki-critical",
            severity: "warning",
            make: |d| {
                let c = chain(Alg::P256);
                let ski = c.intermediate.params.key_identifier(&c.intermediate.key);
                let mut p = leaf();
                p.use_authority_key_identifier_extension = false;
                p.custom_extensions = vec![ext(&[2, 5, 29, 35], der_seq(&der(0x80, &ski)), true)];
                let leaf = c.intermediate.issue(p, Alg::P256);
                expect(d, &leaf.der);
                check_pile(d, &[&leaf, &c.intermediate, &c.root], &[])
            },
        },
        Case {
            code: "rfc5280.san-criticality",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.subject_alt_names = vec![];
                p.custom_extensions = vec![ext(
                    &[2, 5, 29, 17],
                    der_seq(&der(0x82, HOST.as_bytes())),
                    true,
                )];
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "rfc5280.ee-key-cert-sign",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.key_usages.push(KeyUsagePurpose::KeyCertSign);
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "rfc5280.aia-malformed",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.custom_extensions = vec![ext(
                    &[1, 3, 6, 1, 5, 5, 7, 1, 1],
                    vec![0x02, 0x01, 0x05],
                    false,
                )];
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "cabf.leaf-eku-missing",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.extended_key_usages = vec![];
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "cabf.leaf-any-eku",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.extended_key_usages.push(ExtendedKeyUsagePurpose::Any);
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "cabf.leaf-eku-critical",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.extended_key_usages = vec![];
                p.custom_extensions = vec![ext(&[2, 5, 29, 37], eku_der(), true)];
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "cabf.root-eku",
            severity: "warning",
            make: |d| {
                let mut p = ca_params("Test Root CA");
                p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
                let root = issue_with_key(p, key(Alg::P256), None);
                let intermediate = root.issue(ca_params("Test Intermediate CA"), Alg::P256);
                let leaf = intermediate.issue(leaf(), Alg::P256);
                expect(d, &root.der);
                check_pile(d, &[&leaf, &intermediate, &root], &[])
            },
        },
        Case {
            code: "cabf.key-dsa",
            severity: "warning",
            make: |d| {
                openssl(
                    d,
                    &[
                        "genpkey",
                        "-genparam",
                        "-algorithm",
                        "DSA",
                        "-pkeyopt",
                        "dsa_paramgen_bits:1024",
                        "-out",
                        "dsa.param",
                    ],
                );
                openssl_self_signed(d, &["-newkey", "dsa:dsa.param"])
            },
        },
        Case {
            code: "cabf.key-p192",
            severity: "warning",
            make: |d| {
                openssl_self_signed(
                    d,
                    &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime192v1"],
                )
            },
        },
        Case {
            code: "cabf.rsa-modulus",
            severity: "warning",
            make: |d| openssl_self_signed(d, &["-newkey", "rsa:2052"]),
        },
        Case {
            code: "cabf.wildcard-public-suffix",
            severity: "warning",
            make: |d| with_leaf(d, leaf_params(HOST, &[HOST, "*.co.uk"]), &[]),
        },
        Case {
            code: "cabf.cn-not-in-san",
            severity: "warning",
            make: |d| {
                let mut p = leaf();
                p.distinguished_name = rcgen::DistinguishedName::new();
                p.distinguished_name
                    .push(DnType::CommonName, "other.example.com");
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "cabf.root-aki-issuer-serial",
            severity: "warning",
            make: |d| {
                // A root (not the anchor) whose AKI carries an issuer name and serial too.
                let mut p = ca_params("Linted Root");
                p.use_authority_key_identifier_extension = false;
                let k = key(Alg::P256);
                let ski = p.key_identifier(&k);
                let content = [der(0x80, &ski), der(0x82, &[0x01])].concat();
                p.custom_extensions = vec![ext(&[2, 5, 29, 35], der_seq(&content), false)];
                let linted = issue_with_key(p, k, None);
                let leaf = linted.issue(leaf(), Alg::P256);
                let other = root("Another Root", Alg::P256);
                put(d, "other-root.pem", other.pem());
                expect(d, &linted.der);
                check_pile(d, &[&leaf, &linted], &["--roots", "other-root.pem"])
            },
        },
        Case {
            code: "cabf.validity-too-long",
            severity: "warning",
            make: |d| {
                // A DV leaf (2.23.140.1.2.1) issued 2026-04-01 for 275 days: over the 200 allowed.
                let mut p = leaf();
                p.not_before = rcgen::date_time_ymd(2026, 4, 1);
                p.not_after = rcgen::date_time_ymd(2027, 1, 1);
                p.custom_extensions = vec![ext(
                    &[2, 5, 29, 32],
                    der_seq(&der_seq(&[0x06, 0x06, 0x67, 0x81, 0x0c, 0x01, 0x02, 0x01])),
                    false,
                )];
                with_leaf(d, p, &[])
            },
        },
        Case {
            code: "cabf.dns-underscore",
            severity: "warning",
            make: |d| with_leaf(d, leaf_params(HOST, &[HOST, "_sip._tls.example.com"]), &[]),
        },
    ]
}

/// ecdsa-with-SHA256 (1.2.840.10045.4.3.2), as a DER OID.
const ECDSA_SHA256: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];

/// A copy of `cert` (DER) with only its outer signatureAlgorithm replaced (the TBS untouched, so the
/// signature still verifies).
fn outer_algorithm(cert: &[u8], algorithm: Vec<u8>) -> Vec<u8> {
    let outer = tlvs(&tlv_content(cert));
    der_seq(&[outer[0].clone(), algorithm, outer[2].clone()].concat())
}

/// A copy of `cert` (DER) with both signature AlgorithmIdentifiers replaced by `oid` (no parameters).
fn relabel_signature(cert: &[u8], oid: &[u8]) -> Vec<u8> {
    let outer = tlvs(&tlv_content(cert));
    let mut tbs_fields = tlvs(&tlv_content(&outer[0]));
    let at = usize::from(tbs_fields[0][0] == 0xa0); // the version is optional
    let algorithm = algorithm_id(oid, &[]);
    tbs_fields[at + 1] = algorithm.clone();
    let tbs = der_seq(&tbs_fields.concat());
    der_seq(&[tbs, algorithm, outer[2].clone()].concat())
}

fn report_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Codes about the chain or the endpoint as a whole, which name no one certificate.
const ABOUT_NO_CERTIFICATE: &[&str] = &[
    "aia.fetch-failed",
    "chain.alternate-path",
    "chain.ambiguous-leaf",
    "chain.no-leaf",
    "chain.order",
    "chain.root-missing",
    "chain.root-omitted",
    "chain.search-budget",
    "revocation.crl-fetch-failed",
    "revocation.crl-fetched",
    "served.intermediates-differ",
    "served.matches-bundle",
    "served.order",
    "teams.sbc-trust-missing",
];

/// Runs `case` and checks its code and severity in the JSON report.
fn produced(case: &Case) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut a = (case.make)(d);
    a.push("--json".into());
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = if case.code == "input.unreadable" {
        chainsmith_unprivileged(d, &a)
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_chainsmith"))
            .args(&a)
            .current_dir(d)
            .env("XDG_CACHE_HOME", d.join("cache"))
            .output()
            .unwrap()
    };
    let report = report_of(&out);
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let mine: Vec<&Value> = findings.iter().filter(|f| f["code"] == case.code).collect();
    // The finding names the certificate the case crafted for it; an input's finding and the codes
    // about the chain as a whole name none.
    let expected = if case.code.starts_with("input.") || ABOUT_NO_CERTIFICATE.contains(&case.code) {
        Some("none".to_string())
    } else {
        std::fs::read_to_string(d.join("expect.sha256")).ok()
    };
    if let Some(f) = mine.first() {
        let named = f["sha256"].as_str();
        match (expected.as_deref(), named) {
            (Some("none"), None) => {}
            (Some(want), Some(got)) if want == got => {}
            (None, _) => {
                return Err(format!(
                    "the case does not say which certificate it crafted (the finding names {named:?})"
                ));
            }
            (Some(want), got) => {
                return Err(format!(
                    "names {got:?}, not the crafted certificate {want}: {}",
                    f["message"]
                ));
            }
        }
    }
    match mine.first() {
        None => Err(format!(
            "not produced; got {:?}",
            findings
                .iter()
                .map(|f| f["code"].as_str().unwrap_or("?"))
                .collect::<Vec<_>>()
        )),
        Some(f) if f["severity"] != case.severity => Err(format!(
            "produced as {}, not {}: {}",
            f["severity"], case.severity, f["message"]
        )),
        Some(f) if f["message"].as_str().is_none_or(str::is_empty) => {
            Err("produced without a message".into())
        }
        Some(_) => Ok(()),
    }
}

#[test]
fn every_code_is_produced_with_its_severity_in_the_json_report() {
    let mut problems = BTreeMap::new();
    for case in cases() {
        if let Err(why) = produced(&case) {
            problems.insert(case.code, why);
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The README's finding table: every code with its severity.
fn readme_codes() -> BTreeMap<String, String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let table = readme
        .split("## Finding codes")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has a Finding codes section");
    table
        .lines()
        .filter_map(|line| {
            let mut cells = line.split('|').map(str::trim).skip(1);
            let code = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
            let severity = cells.next()?;
            Some((code.to_string(), severity.to_string()))
        })
        .collect()
}

#[test]
fn every_code_in_the_readme_table_has_a_case_with_the_same_severity() {
    let readme = readme_codes();
    assert!(readme.len() > 70, "the table was not read: {readme:?}");
    let here: BTreeMap<String, String> = cases()
        .iter()
        .map(|c| (c.code.to_string(), c.severity.to_string()))
        .collect();
    assert_eq!(here.len(), cases().len(), "a code has two cases");
    let missing: Vec<&String> = readme.keys().filter(|c| !here.contains_key(*c)).collect();
    assert!(
        missing.is_empty(),
        "README codes no test produces: {missing:?}"
    );
    let unknown: Vec<&String> = here.keys().filter(|c| !readme.contains_key(*c)).collect();
    assert!(
        unknown.is_empty(),
        "cases for codes the README lacks: {unknown:?}"
    );
    for (code, severity) in &readme {
        assert_eq!(
            &here[code], severity,
            "{code}: the README and the case disagree"
        );
    }
    // And the engine's own list of codes is the README's.
    let engine: Vec<&str> = chainsmith::engine::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    let table: Vec<&str> = readme.keys().map(String::as_str).collect();
    let mut engine_sorted = engine.clone();
    engine_sorted.sort_unstable();
    assert_eq!(
        engine_sorted, table,
        "the engine's codes and the README's table differ"
    );
}
