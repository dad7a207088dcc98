//! Chains made by the `openssl` binary (installed by .ci/run): signature forms rcgen cannot produce,
//! RSASSA-PSS in particular, and a PKCS#7 file written by `openssl crl2pkcs7`.

mod common;

use chainsmith::engine;
use common::*;

#[test]
fn rsa_pss_chain_and_openssl_pkcs7() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("ca.cnf"),
        "[v3_ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n\
         [v3_leaf]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=DNS:sbc.example.com\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    let pss = [
        "-sigopt",
        "rsa_padding_mode:pss",
        "-sigopt",
        "rsa_pss_saltlen:32",
        "-sha256",
    ];
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "ca.key",
        ],
    );
    let mut args = vec![
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-subj",
        "/CN=PSS Root",
        "-days",
        "3650",
    ];
    args.extend([
        "-config",
        "ca.cnf",
        "-extensions",
        "v3_ca",
        "-out",
        "ca.pem",
    ]);
    args.extend(pss);
    openssl(d, &args);
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "leaf.key",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-subj",
            "/CN=sbc.example.com",
            "-out",
            "leaf.csr",
        ],
    );
    let mut args = vec![
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
    ];
    args.extend([
        "-days",
        "365",
        "-extfile",
        "ca.cnf",
        "-extensions",
        "v3_leaf",
        "-out",
        "leaf.pem",
    ]);
    args.extend(pss);
    openssl(d, &args);
    openssl(
        d,
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            "ca.pem",
            "-certfile",
            "leaf.pem",
            "-outform",
            "DER",
            "-out",
            "chain.p7b",
        ],
    );

    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut o = options(Some("sbc.example.com"));
    o.at = now;
    let p7b = std::fs::read(d.join("chain.p7b")).unwrap();
    let report = engine::analyze(&load(&[("chain.p7b", &p7b)]), None, &o);
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(report.chain.len(), 2);
    assert_eq!(
        report.chain[0].cert.signature_algorithm.name(),
        "rsassaPss-sha256"
    );
    assert_eq!(
        report.chain[0].signature,
        Some(engine::signature::SignatureCheck::Valid)
    );

    // The same leaf under another key with the root's name: the PSS signature must not verify.
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "decoy.key",
        ],
    );
    let mut args = vec![
        "req",
        "-x509",
        "-new",
        "-key",
        "decoy.key",
        "-subj",
        "/CN=PSS Root",
        "-days",
        "3650",
    ];
    args.extend([
        "-config",
        "ca.cnf",
        "-extensions",
        "v3_ca",
        "-out",
        "decoy.pem",
    ]);
    openssl(d, &args);
    let leaf = std::fs::read(d.join("leaf.pem")).unwrap();
    let decoy = std::fs::read(d.join("decoy.pem")).unwrap();
    let report = engine::analyze(
        &load(&[("leaf.pem", &leaf), ("decoy.pem", &decoy)]),
        None,
        &o,
    );
    assert!(
        errors(&report).contains(&"chain.bad-signature"),
        "{:?}",
        report.findings
    );
}

#[test]
fn dsa_p192_and_odd_rsa_keys_signed_by_an_openssl_ca() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("ext.cnf"),
        "[v3_ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n\
         [v3_leaf]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=DNS:sbc.example.com\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "ca.key",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/CN=Odd Keys Root",
            "-days",
            "3650",
            "-config",
            "ext.cnf",
            "-extensions",
            "v3_ca",
            "-out",
            "ca.pem",
        ],
    );
    openssl(
        d,
        &[
            "genpkey",
            "-genparam",
            "-algorithm",
            "DSA",
            "-pkeyopt",
            "dsa_paramgen_bits:2048",
            "-out",
            "dsa.param",
        ],
    );
    openssl(
        d,
        &["genpkey", "-paramfile", "dsa.param", "-out", "dsa.key"],
    );
    openssl(
        d,
        &[
            "ecparam",
            "-name",
            "prime192v1",
            "-genkey",
            "-noout",
            "-out",
            "p192.key",
        ],
    );
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2052",
            "-out",
            "rsa2052.key",
        ],
    );
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let ca = std::fs::read(d.join("ca.pem")).unwrap();
    for (key, code) in [
        ("dsa.key", "cabf.key-dsa"),
        ("p192.key", "cabf.key-p192"),
        ("rsa2052.key", "cabf.rsa-modulus"),
    ] {
        openssl(
            d,
            &[
                "req",
                "-new",
                "-key",
                key,
                "-subj",
                "/CN=sbc.example.com",
                "-out",
                "leaf.csr",
            ],
        );
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "30",
                "-extfile",
                "ext.cnf",
                "-extensions",
                "v3_leaf",
                "-out",
                "leaf.pem",
            ],
        );
        let leaf = std::fs::read(d.join("leaf.pem")).unwrap();
        let mut o = options(Some("sbc.example.com"));
        o.at = now;
        let report = engine::analyze(&load(&[("leaf.pem", &leaf), ("ca.pem", &ca)]), None, &o);
        let found = codes(&report);
        assert!(found.contains(&code), "{key}: {found:?}");
        assert_eq!(report.chain.len(), 2, "{key}");
        o.strict = true;
        let report = engine::analyze(&load(&[("leaf.pem", &leaf), ("ca.pem", &ca)]), None, &o);
        assert!(errors(&report).contains(&code), "{key} --strict");
    }
}

/// Issue 23: an intermediate whose outer signatureAlgorithm differs from its TBS `signature` field (an
/// explicit NULL parameter added outside; the signature still verifies) is refused, CA-only and with a
/// leaf, as `openssl verify` refuses it.
#[test]
fn an_outer_signature_algorithm_that_differs_from_the_tbs_one_is_refused_as_openssl_does() {
    let c = chain(Alg::P256);
    let outer = tlvs(&tlv_content(&c.intermediate.der));
    let ecdsa_sha256 = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    let mismatched = der_seq(
        &[
            outer[0].clone(),
            algorithm_id(&ecdsa_sha256, &[0x05, 0x00]),
            outer[2].clone(),
        ]
        .concat(),
    );
    let intermediate = engine::pem::encode("CERTIFICATE", &mismatched);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("root.pem"), c.root.pem()).unwrap();
    std::fs::write(d.join("intermediate.pem"), &intermediate).unwrap();
    std::fs::write(d.join("leaf.pem"), c.leaf.pem()).unwrap();
    // openssl: the intermediate does not verify under the root.
    let out = std::process::Command::new("openssl")
        .args([
            "verify",
            "-x509_strict",
            "-CAfile",
            "root.pem",
            "intermediate.pem",
        ])
        .current_dir(d)
        .output()
        .expect("openssl");
    assert!(!out.status.success(), "openssl accepted it");
    // Chainsmith: an error finding, CA-only and with the leaf.
    for inputs in [
        vec!["intermediate.pem", "root.pem"],
        vec!["leaf.pem", "intermediate.pem", "root.pem"],
    ] {
        let mut args = vec!["check", "--at=2026-06-01T00:00:00Z", "--json"];
        args.extend(&inputs);
        if inputs.len() == 3 {
            args.extend(["--host", "sbc.example.com"]);
        }
        let out = chainsmith(&args, d);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(1), "{inputs:?}: {report:#}");
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == "cert.signature-algorithm-mismatch"
                    && f["severity"] == "error"),
            "{inputs:?}: {report:#}"
        );
    }
    // The clean intermediate passes CA-only.
    std::fs::write(d.join("intermediate.pem"), c.intermediate.pem()).unwrap();
    let out = chainsmith(
        &[
            "check",
            "--at=2026-06-01T00:00:00Z",
            "intermediate.pem",
            "root.pem",
        ],
        d,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
