#![cfg(unix)]
//! Keys and leftovers beside the certificates: an openssl working folder (keys, CSRs, serial and
//! extensions files) passes, the leaf's key is recognised, another key is a mismatch, an encrypted key
//! is said to be encrypted, and a file the user names that holds no certificate is still an error.

mod common;

use std::path::Path;
use std::process::Output;

use chainsmith::engine::Code;
use chainsmith::engine::load::load_found;
use common::*;
use serde_json::Value;

const AT_ARG: &str = "--at=2026-06-01T00:00:00Z";

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The findings of a `--json` report as (code, severity, message).
fn findings(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn with_code<'a>(
    all: &'a [(String, String, String)],
    code: &str,
) -> Vec<&'a (String, String, String)> {
    all.iter().filter(|f| f.0 == code).collect()
}

/// What `openssl` leaves in a working folder after making a root, an issuing CA and a server
/// certificate: keys, CSRs, `.srl` serial files and `.ext` extension files beside the three
/// certificates. Made by the openssl binary, as an admin would.
fn openssl_working_folder(d: &Path) {
    let ext = |name: &str, text: &str| std::fs::write(d.join(name), text).unwrap();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "root.key",
            "-out",
            "root.pem",
            "-days",
            "3650",
            "-subj",
            "/CN=Carrier Root CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ica.key",
            "-out",
            "ica.csr",
            "-subj",
            "/CN=Carrier Issuing CA 1",
        ],
    );
    ext(
        "ica.ext",
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "ica.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-CAcreateserial",
            "-out",
            "ica.pem",
            "-days",
            "1825",
            "-extfile",
            "ica.ext",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "sbc1.csr",
            "-subj",
            "/CN=sbc1.carrier.example",
        ],
    );
    ext(
        "sbc1.ext",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:sbc1.carrier.example\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "sbc1.csr",
            "-CA",
            "ica.pem",
            "-CAkey",
            "ica.key",
            "-CAcreateserial",
            "-out",
            "sbc1.pem",
            "-days",
            "397",
            "-extfile",
            "sbc1.ext",
        ],
    );
}

#[test]
fn an_openssl_working_folder_passes_and_its_key_is_the_leafs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl_working_folder(d);
    let out = chainsmith(
        &["check", ".", "--host", "sbc1.carrier.example", "--json"],
        d,
    );
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    let all = findings(&report);
    assert!(
        with_code(&all, "input.no-certificate").is_empty(),
        "{all:?}"
    );
    assert!(with_code(&all, "input.malformed").is_empty(), "{all:?}");

    // Each leftover is named with what it looks like.
    let ignored = with_code(&all, "input.ignored");
    for (file, words) in [
        ("ica.csr", "a certificate signing request"),
        ("sbc1.csr", "a certificate signing request"),
        ("ica.ext", "an openssl extensions file"),
        ("sbc1.ext", "an openssl extensions file"),
        ("ica.srl", "an openssl serial-number file"),
        ("root.srl", "an openssl serial-number file"),
    ] {
        assert!(
            ignored
                .iter()
                .any(|f| f.1 == "info" && f.2.contains(file) && f.2.contains(words)),
            "{file}: {ignored:?}"
        );
    }
    assert_eq!(ignored.len(), 6, "{ignored:?}");

    // The three keys are warned about; the leaf's is recognised; the CAs' keys are no mismatch.
    assert_eq!(with_code(&all, "input.private-key").len(), 3, "{all:?}");
    let matches = with_code(&all, "key.matches-leaf");
    assert_eq!(matches.len(), 1, "{all:?}");
    assert_eq!(matches[0].1, "info");
    assert!(
        matches[0].2.contains("key.pem") && matches[0].2.contains("sbc1.carrier.example"),
        "{matches:?}"
    );
    assert!(
        with_code(&all, "key.does-not-match-leaf").is_empty(),
        "{all:?}"
    );

    // The bundle holds the leaf and the intermediate (the root stays with the far end), and no key.
    let out = chainsmith(
        &[
            "build",
            ".",
            "--host",
            "sbc1.carrier.example",
            "-o",
            "../bundle.pem",
        ],
        d,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bundle = std::fs::read_to_string(d.join("../bundle.pem")).unwrap();
    std::fs::remove_file(d.join("../bundle.pem")).unwrap();
    assert_eq!(bundle.matches("BEGIN CERTIFICATE").count(), 2);
    assert!(!bundle.contains("PRIVATE KEY"));
}

#[test]
fn a_key_of_no_certificate_loaded_is_a_mismatch_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = chain(Alg::Rsa2048);
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::write(
        d.join("in/chain.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    // Another RSA key (the one the admin thinks is the leaf's), in PKCS#1 form as older tools write it.
    let other = key(Alg::Rsa2048);
    std::fs::write(d.join("other.p8"), other.serialize_der()).unwrap();
    openssl(
        d,
        &[
            "pkey",
            "-inform",
            "DER",
            "-in",
            "other.p8",
            "-traditional",
            "-out",
            "in/sbc.key",
        ],
    );
    std::fs::remove_file(d.join("other.p8")).unwrap();
    assert!(
        std::fs::read_to_string(d.join("in/sbc.key"))
            .unwrap()
            .contains("BEGIN RSA PRIVATE KEY")
    );

    let out = chainsmith(
        &["check", "in", "--host", "sbc.example.com", AT_ARG, "--json"],
        d,
    );
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "a warning: {report}");
    let all = findings(&report);
    let mismatch = with_code(&all, "key.does-not-match-leaf");
    assert_eq!(mismatch.len(), 1, "{all:?}");
    assert_eq!(mismatch[0].1, "warning");
    assert!(
        mismatch[0].2.contains("sbc.key") && mismatch[0].2.contains("sbc.example.com"),
        "{mismatch:?}"
    );
    assert!(with_code(&all, "key.matches-leaf").is_empty());

    // The right key, in DER (PKCS#8) and in PKCS#1 PEM, is the leaf's.
    std::fs::write(d.join("in/sbc.key"), c.leaf.key.serialize_der()).unwrap();
    openssl(
        d,
        &[
            "pkey",
            "-inform",
            "DER",
            "-in",
            "in/sbc.key",
            "-traditional",
            "-out",
            "in/sbc1.key",
        ],
    );
    let out = chainsmith(
        &["check", "in", "--host", "sbc.example.com", AT_ARG, "--json"],
        d,
    );
    let all = findings(&json(&out));
    assert_eq!(with_code(&all, "key.matches-leaf").len(), 2, "{all:?}");
    assert!(
        with_code(&all, "key.does-not-match-leaf").is_empty(),
        "{all:?}"
    );
}

#[test]
fn an_encrypted_key_is_said_to_be_encrypted_and_not_compared() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = chain(Alg::P256);
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::write(d.join("in/chain.pem"), c.leaf.pem() + &c.intermediate.pem()).unwrap();
    std::fs::write(d.join("plain.key"), c.leaf.key.serialize_pem()).unwrap();
    // PKCS#8 EncryptedPrivateKeyInfo, and OpenSSL's legacy `Proc-Type: 4,ENCRYPTED` PEM.
    openssl(
        d,
        &[
            "pkey",
            "-in",
            "plain.key",
            "-aes256",
            "-passout",
            "pass:x",
            "-out",
            "in/p8.key",
        ],
    );
    openssl(
        d,
        &[
            "ec",
            "-in",
            "plain.key",
            "-aes256",
            "-passout",
            "pass:x",
            "-out",
            "in/legacy.key",
        ],
    );
    assert!(
        std::fs::read_to_string(d.join("in/legacy.key"))
            .unwrap()
            .contains("Proc-Type: 4,ENCRYPTED")
    );
    let out = chainsmith(
        &["check", "in", "--host", "sbc.example.com", AT_ARG, "--json"],
        d,
    );
    let all = findings(&json(&out));
    let keys = with_code(&all, "input.private-key");
    assert_eq!(keys.len(), 2, "{all:?}");
    for key in keys {
        assert!(
            key.2.contains("encrypted") && key.2.contains("could not be compared"),
            "{key:?}"
        );
    }
    assert!(with_code(&all, "key.matches-leaf").is_empty(), "{all:?}");
    assert!(
        with_code(&all, "key.does-not-match-leaf").is_empty(),
        "{all:?}"
    );
}

#[test]
fn a_named_file_with_no_certificate_stays_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = chain(Alg::P256);
    std::fs::write(
        d.join("chain.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    let csr = rcgen::CertificateParams::new(vec!["sbc.example.com".into()])
        .unwrap()
        .serialize_request(&c.leaf.key)
        .unwrap()
        .pem()
        .unwrap();
    std::fs::write(d.join("sbc.csr"), &csr).unwrap();
    let out = chainsmith(
        &[
            "check",
            "chain.pem",
            "sbc.csr",
            "--host",
            "sbc.example.com",
            AT_ARG,
            "--json",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(1));
    let all = findings(&json(&out));
    let named = with_code(&all, "input.no-certificate");
    assert_eq!(named.len(), 1, "{all:?}");
    assert_eq!(named[0].1, "error");
    assert!(named[0].2.contains("sbc.csr"));
    assert!(with_code(&all, "input.ignored").is_empty());
    // The same file in a folder is left out.
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::rename(d.join("sbc.csr"), d.join("in/sbc.csr")).unwrap();
    std::fs::rename(d.join("chain.pem"), d.join("in/chain.pem")).unwrap();
    let out = chainsmith(
        &["check", "in", "--host", "sbc.example.com", AT_ARG, "--json"],
        d,
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn leftovers_are_named_by_what_they_look_like() {
    let c = chain(Alg::P256);
    let csr_der = rcgen::CertificateParams::new(vec!["sbc.example.com".into()])
        .unwrap()
        .serialize_request(&c.leaf.key)
        .unwrap()
        .der()
        .to_vec();
    let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        ("csr.der", csr_der, Some("a certificate signing request")),
        (
            "01.srl",
            b"1A2B3C4D5E6F\n".to_vec(),
            Some("an openssl serial-number file"),
        ),
        // A serial starting with "0" starts with the byte of a DER SEQUENCE (0x30): still text.
        (
            "02.srl",
            b"0F46D10B56380B16B0299E885BAA02B48A0267B3\n".to_vec(),
            Some("an openssl serial-number file"),
        ),
        (
            "v3.ext",
            b"# for the leaf\nsubjectAltName = DNS:a.example\n".to_vec(),
            Some("an openssl extensions file"),
        ),
        (
            "openssl.cnf",
            b"[ req ]\ndistinguished_name = dn\n".to_vec(),
            Some("a configuration file"),
        ),
        (
            "index.txt",
            b"V\t280102000000Z\t\t1000\tunknown\t/CN=a\n".to_vec(),
            Some("an openssl CA database"),
        ),
        (
            "README.txt",
            b"Your certificates are attached.\n".to_vec(),
            Some("a text file"),
        ),
        ("empty", Vec::new(), Some("an empty file")),
        (
            ".DS_Store",
            vec![0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31, 0xff],
            Some("a binary file"),
        ),
        (
            "pub.pem",
            c.leaf.key.public_key_pem().into_bytes(),
            Some("a public key"),
        ),
        // What may be a damaged certificate is never waved through.
        ("cut.der", c.leaf.der[..c.leaf.der.len() / 2].to_vec(), None),
        (
            "bad.pem",
            b"-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n".to_vec(),
            None,
        ),
    ];
    for (name, bytes, words) in cases {
        let loaded = load_found(name, &bytes);
        let codes: Vec<Code> = loaded.findings.iter().map(|f| f.code).collect();
        match words {
            Some(words) => {
                assert_eq!(codes, [Code::InputIgnored], "{name}");
                assert!(
                    loaded.findings[0].message.contains(words),
                    "{name}: {}",
                    loaded.findings[0].message
                );
                assert!(loaded.findings[0].message.starts_with(name), "{name}");
            }
            None => assert_eq!(codes, [Code::InputMalformed], "{name}"),
        }
    }
}

/// Issue 23: a leaf key no signature can be checked with is `key.invalid`: an even RSA modulus
/// (RFC 8017 §3.1: a product of odd primes) and an X25519 key (RFC 8410: key agreement only). Both
/// passed with no finding before.
#[test]
fn an_even_rsa_modulus_and_an_x25519_leaf_key_are_invalid() {
    let cases: Vec<(&str, Chain, Vec<u8>)> = {
        let rsa = chain(Alg::Rsa2048);
        let spki = {
            let outer = tlvs(&tlv_content(&rsa.leaf.der));
            let fields = tlvs(&tlv_content(&outer[0]));
            let spki = tlvs(&tlv_content(&fields[6]));
            let bits = tlv_content(&spki[1]);
            let rsa_key = tlvs(&tlv_content(&bits[1..]));
            let mut modulus = rsa_key[0].clone();
            *modulus.last_mut().unwrap() &= 0xfe;
            let key = der_seq(&[modulus, rsa_key[1].clone()].concat());
            der_seq(&[spki[0].clone(), der(0x03, &[&[0u8][..], &key].concat())].concat())
        };
        let even = rebuild(
            &rsa.leaf.der,
            |f| f[6] = spki,
            None,
            Some(&rsa.intermediate.key),
        );
        let p256 = chain(Alg::P256);
        let x25519 = der_seq(
            &[
                der_seq(&[0x06, 0x03, 0x2b, 0x65, 0x6e]),
                der(0x03, &[&[0u8][..], &[0x42; 32]].concat()),
            ]
            .concat(),
        );
        let agreement = rebuild(
            &p256.leaf.der,
            |f| f[6] = x25519,
            None,
            Some(&p256.intermediate.key),
        );
        vec![
            ("the RSA modulus is even", rsa, even),
            (
                "X25519 key, which is for key agreement only",
                p256,
                agreement,
            ),
        ]
    };
    for (says, c, leaf) in cases {
        let pile = chainsmith::engine::pem::encode("CERTIFICATE", &leaf)
            + &c.intermediate.pem()
            + &c.root.pem();
        let report = analyze(
            &[("chain.pem", pile.as_bytes())],
            &options(Some("sbc.example.com")),
        );
        let found = report
            .findings
            .iter()
            .find(|f| f.code == Code::KeyInvalid)
            .unwrap_or_else(|| panic!("{says}: {:?}", report.findings));
        assert!(found.message.contains(says), "{}", found.message);
        assert!(!report.passed(), "{says}");
    }
}
