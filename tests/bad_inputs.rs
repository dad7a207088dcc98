//! The bad-input corpus: every kind of wrong file an admin (or a script) can hand over, in one folder
//! next to a good chain. Each must give a clear finding that names it, and the good chain must still
//! load, order and pass. Run through `files::read_path`, the same path the CLI and the window use.

mod common;

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};

use chainsmith::engine::{self, Loaded};
use chainsmith::files;
use common::*;
use rcgen::SerialNumber;

/// One wrong input: its file name, its bytes, and what its finding must say.
struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    code: &'static str,
    says: &'static str,
}

fn case(
    name: &'static str,
    bytes: impl Into<Vec<u8>>,
    code: &'static str,
    says: &'static str,
) -> Case {
    Case {
        name,
        bytes: bytes.into(),
        code,
        says,
    }
}

fn pem_block(label: &str, body: &[u8]) -> String {
    engine::pem::encode(label, body)
}

fn corpus(c: &Chain) -> Vec<Case> {
    let leaf_der = c.leaf.der.clone();
    let mut garbage = Vec::new();
    let mut x: u32 = 0x1234_5678;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        garbage.push((x >> 24) as u8);
    }
    garbage[0] = 0x9f; // not a DER SEQUENCE, not text
    let mut nested = Vec::new();
    for _ in 0..10_000 {
        nested.extend([0x30, 0x80]);
    }
    let leaf_pem = c.leaf.pem();
    let body_lines: Vec<&str> = leaf_pem.lines().collect();
    let broken_base64 = leaf_pem.replacen(body_lines[3], &"!@#$%^&*".repeat(8), 1);
    let unterminated = leaf_pem.replace("-----END CERTIFICATE-----\n", "");
    let csr = {
        let params = rcgen::CertificateParams::new(vec!["csr.example.com".to_string()]).unwrap();
        params
            .serialize_request(&c.leaf.key)
            .unwrap()
            .der()
            .to_vec()
    };
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            c.intermediate
                .pem()
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let mut trailing = leaf_der.clone();
    trailing.extend_from_slice(b"\x00\x01trailing bytes");
    let huge_line = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        "A".repeat(1_000_000)
    );
    let key_pem = c.leaf.key.serialize_pem();
    let key_der = c.leaf.key.serialize_der();
    let encrypted_key = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n";
    // A real PKCS#12 archive, made by openssl from the leaf and its key.
    let pkcs12 = {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("leaf.pem"), c.leaf.pem()).unwrap();
        std::fs::write(dir.path().join("key.pem"), c.leaf.key.serialize_pem()).unwrap();
        let status = std::process::Command::new("openssl")
            .args(["pkcs12", "-export", "-in", "leaf.pem", "-inkey", "key.pem"])
            .args(["-passout", "pass:secret", "-out", "bundle.p12"])
            .current_dir(dir.path())
            .status()
            .expect("openssl");
        assert!(status.success());
        std::fs::read(dir.path().join("bundle.p12")).unwrap()
    };
    // The same archive with an empty password, and the key as DER encrypted PKCS#8.
    let (pkcs12_no_password, encrypted_key_der) = {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("leaf.pem"), c.leaf.pem()).unwrap();
        std::fs::write(dir.path().join("key.pem"), c.leaf.key.serialize_pem()).unwrap();
        openssl(
            dir.path(),
            &[
                "pkcs12", "-export", "-in", "leaf.pem", "-inkey", "key.pem", "-passout", "pass:",
                "-out", "open.p12",
            ],
        );
        openssl(
            dir.path(),
            &[
                "pkcs8", "-topk8", "-in", "key.pem", "-outform", "DER", "-passout", "pass:x",
                "-out", "key.p8",
            ],
        );
        (
            std::fs::read(dir.path().join("open.p12")).unwrap(),
            std::fs::read(dir.path().join("key.p8")).unwrap(),
        )
    };
    let crl = pem_block("X509 CRL", &[0x30, 0x03, 0x02, 0x01, 0x01]);
    let empty_p7 = {
        // SignedData with no certificates.
        let signed = der_seq(
            &[
                der(0x02, &[1]),
                der_seq(&[]),
                der_seq(&der(
                    0x06,
                    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01],
                )),
                der_seq(&[]),
            ]
            .concat(),
        );
        der_seq(
            &[
                der(
                    0x06,
                    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02],
                ),
                der(0xa0, &signed),
            ]
            .concat(),
        )
    };
    vec![
        case("empty.pem", Vec::new(), "input.no-certificate", "empty"),
        case("blank.pem", "\n\n   \r\n", "input.no-certificate", "empty"),
        case(
            "garbage.bin",
            garbage,
            "input.malformed",
            "not a certificate file",
        ),
        case(
            "zeros.der",
            vec![0u8; 4096],
            "input.malformed",
            "not a certificate file",
        ),
        case(
            "icon.png",
            std::fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/icons/chainsmith-16.png"),
            )
            .unwrap(),
            "input.malformed",
            "not a certificate file",
        ),
        case(
            "truncated.der",
            leaf_der[..leaf_der.len() / 2].to_vec(),
            "input.malformed",
            "not a certificate",
        ),
        case(
            "trailing.der",
            trailing,
            "input.malformed",
            "not a certificate",
        ),
        case(
            "broken-base64.pem",
            broken_base64,
            "input.malformed",
            "bad base64",
        ),
        case(
            "unterminated.pem",
            unterminated,
            "input.malformed",
            "the block is cut off",
        ),
        case("nested.der", nested, "input.malformed", "not a certificate"),
        case(
            "deep-seq.der",
            [&[0x30, 0x84, 0x7f, 0xff, 0xff, 0xff][..], &[0x30; 100]].concat(),
            "input.malformed",
            "not a certificate",
        ),
        case(
            "key.pem",
            key_pem,
            "input.private-key",
            "never put into a bundle",
        ),
        case(
            "key.der",
            key_der,
            "input.private-key",
            "never put into a bundle",
        ),
        case(
            "encrypted-key.pem",
            encrypted_key,
            "input.private-key",
            "ENCRYPTED PRIVATE KEY",
        ),
        case("bundle.p12", pkcs12, "input.no-certificate", "PKCS#12"),
        // Said to be a PKCS#12 archive, not claimed to be password-protected.
        case(
            "open.p12",
            pkcs12_no_password,
            "input.no-certificate",
            "does not open PKCS#12 archives",
        ),
        // An EncryptedPrivateKeyInfo in DER is a private key, not a malformed certificate.
        case(
            "encrypted-key.der",
            encrypted_key_der,
            "input.private-key",
            "never put into a bundle",
        ),
        case(
            "request.csr",
            pem_block("CERTIFICATE REQUEST", &csr),
            "input.no-certificate",
            "CERTIFICATE REQUEST",
        ),
        case(
            "request.der",
            csr,
            "input.no-certificate",
            "certificate signing request",
        ),
        // A CRL is read (to check revocation with); this one is not a CRL at all.
        case("revocations.crl", crl, "input.malformed", "X509 CRL"),
        case(
            "public-key.pem",
            pem_block("PUBLIC KEY", &[0x30, 0x00]),
            "input.no-certificate",
            "PUBLIC KEY",
        ),
        case(
            "id_ed25519.pub",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyFakeKeyFakeKey admin@host\n",
            "input.no-certificate",
            "no PEM block",
        ),
        case(
            "notes.txt",
            "Here are the certificates for the new trunk.\nRegards,\nThe CA\n",
            "input.no-certificate",
            "no PEM block",
        ),
        case(
            "config.json",
            "{\"certificate\": \"see attachment\"}",
            "input.no-certificate",
            "no PEM block",
        ),
        case(
            "label-mismatch.pem",
            pem_block("CERTIFICATE", &[0x30, 0x03, 0x02, 0x01, 0x05]),
            "input.malformed",
            "CERTIFICATE block",
        ),
        case(
            "empty-block.pem",
            "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
            "input.malformed",
            "CERTIFICATE block",
        ),
        case(
            "empty.p7b",
            empty_p7,
            "input.no-certificate",
            "PKCS#7 file with no certificate",
        ),
        case(
            "gzip.pem.gz",
            [&[0x1f, 0x8b, 0x08, 0x00][..], &[0xff; 60]].concat(),
            "input.malformed",
            "not a certificate file",
        ),
        case(
            "huge-line.pem",
            huge_line,
            "input.malformed",
            "CERTIFICATE block",
        ),
        case("windows-utf16.pem", utf16, "", ""),
    ]
}

fn findings_for<'a>(loaded: &'a Loaded, name: &str) -> Vec<&'a engine::Finding> {
    loaded
        .findings
        .iter()
        .filter(|f| f.message.contains(name))
        .collect()
}

#[test]
fn every_bad_input_gets_a_clear_named_finding_and_the_chain_still_loads() {
    let c = chain(Alg::P256);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("good-chain.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    let cases = corpus(&c);
    for case in &cases {
        std::fs::write(root.join(case.name), &case.bytes).unwrap();
    }
    // A 50 MB file (sparse: no disk, and never read into memory).
    std::fs::File::create(root.join("huge.pem"))
        .unwrap()
        .set_len(50 * 1024 * 1024)
        .unwrap();
    // A non-UTF-8 file name holding a real certificate (the intermediate again: a duplicate).
    let odd_name = PathBuf::from(std::ffi::OsStr::from_bytes(b"inter\xff\xfe.pem"));
    std::fs::write(root.join(&odd_name), c.intermediate.pem()).unwrap();
    // A link to the folder itself (not followed, and said so) and a link out of the folder to a file
    // that is no certificate (followed, and said so).
    std::os::unix::fs::symlink(root, root.join("loop")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", root.join("outside.pem")).unwrap();
    // A negative serial number (rcgen writes only positive ones: patch INTEGER 0x7f01 into 0x8001).
    let mut params = leaf_params("neg.example.com", &["neg.example.com"]);
    params.serial_number = Some(SerialNumber::from_slice(&[0x7f, 0x01]));
    let mut negative = c.intermediate.issue(params, Alg::P256).der;
    let at = negative
        .windows(4)
        .position(|w| w == [0x02, 0x02, 0x7f, 0x01])
        .unwrap();
    negative[at + 2] = 0x80;
    std::fs::write(root.join("negative-serial.der"), &negative).unwrap();
    // A zero-length name: the real badssl leaf whose subject is empty.
    std::fs::copy(
        fixtures().join("badssl/chain/subdomain-no-subject.pem"),
        root.join("no-subject.pem"),
    )
    .unwrap();
    // A FIFO nobody writes to: skipped in a folder (never opened, so never a hang).
    let fifo = root.join("pipe.pem");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // An empty sub-folder and a folder named like a certificate.
    std::fs::create_dir(root.join("empty-folder")).unwrap();
    std::fs::create_dir(root.join("looks-like.pem")).unwrap();

    let loaded = files::read_path(root, &mut |_| true).unwrap();

    // Found in the folder, a file that holds no certificate is left out (`input.ignored`, naming what
    // it looks like); so is a binary file that cannot be a damaged certificate. Named by the user,
    // each file gets its own code.
    let binary = ["garbage.bin", "zeros.der", "icon.png", "gzip.pem.gz"];
    let mut problems = BTreeMap::new();
    for case in &cases {
        if case.code.is_empty() {
            continue;
        }
        let in_folder = if case.code == "input.no-certificate" || binary.contains(&case.name) {
            ("input.ignored", "left out: ")
        } else {
            (case.code, case.says)
        };
        let found = findings_for(&loaded, case.name);
        let ok = found
            .iter()
            .any(|f| f.code.as_str() == in_folder.0 && f.message.contains(in_folder.1));
        if !ok {
            problems.insert(
                format!("{} in the folder", case.name),
                format!("{:?}", found),
            );
        }
        let named = files::read_path(&root.join(case.name), &mut |_| true).unwrap();
        let ok = named
            .findings
            .iter()
            .any(|f| f.code.as_str() == case.code && f.message.contains(case.says));
        if !ok {
            problems.insert(
                format!("{} named", case.name),
                format!("{:?}", named.findings),
            );
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    let huge = findings_for(&loaded, "huge.pem");
    assert!(
        huge.iter()
            .any(|f| f.code.as_str() == "input.too-large" && f.message.contains("it was not read")),
        "{huge:?}"
    );
    // The UTF-16 file (as PowerShell writes it) is read: it holds the intermediate.
    assert!(
        findings_for(&loaded, "windows-utf16.pem").is_empty(),
        "{:?}",
        loaded.findings
    );
    assert!(
        loaded
            .certificates
            .iter()
            .any(|cert| cert.source.contains("windows-utf16.pem")),
        "the UTF-16 PEM was not read"
    );
    assert!(
        loaded
            .certificates
            .iter()
            .any(|cert| cert.source.contains("inter") && cert.source.ends_with(".pem")),
        "the non-UTF-8 file name was not read"
    );
    assert!(findings_for(&loaded, "pipe.pem").is_empty());
    let outside = findings_for(&loaded, "outside.pem");
    assert!(
        outside.iter().any(|f| f.code.as_str() == "input.ignored"),
        "{outside:?}"
    );
    let link = findings_for(&loaded, "loop");
    assert!(
        link.iter()
            .any(|f| f.code.as_str() == "input.skipped-link" && f.message.contains("folder")),
        "{link:?}"
    );

    // The negative serial and the empty subject load, and are reported, not refused.
    let negative = loaded
        .certificates
        .iter()
        .find(|cert| cert.source.contains("negative-serial.der"))
        .expect("the negative-serial certificate loads");
    let no_subject = loaded
        .certificates
        .iter()
        .find(|cert| cert.source.contains("no-subject.pem"))
        .expect("the certificate with an empty subject loads");
    assert!(no_subject.subject.is_empty(), "{}", no_subject.subject);
    assert!(!no_subject.display_name().is_empty());
    let mut alone = Loaded::default();
    alone.certificates.push(negative.clone());
    let report = engine::analyze(&alone, None, &options(None));
    assert!(
        codes(&report).contains(&"rfc5280.serial-negative"),
        "{:?}",
        report.findings
    );

    // The good chain is still there, in order, and passes; no key is in the bundle.
    let mut options = chainsmith::engine::CheckOptions::new(AT);
    options.host = Some(chainsmith::engine::HostName::parse("sbc.example.com").unwrap());
    let report = engine::analyze(&loaded, None, &options);
    assert_eq!(
        order(&report),
        vec![c.leaf.sha256(), c.intermediate.sha256(), c.root.sha256()]
    );
    let bundle = engine::bundle::to_pem(&report, Default::default()).unwrap();
    assert!(!bundle.contains("PRIVATE KEY"));
    // Every kind in the corpus is a file of its own, and none was lost: 30 listed kinds plus the nine
    // made above (huge, odd name, loop, outside link, negative serial, empty subject, FIFO, two
    // folders) are the 39 docs/DEVELOPMENT.md counts.
    let names: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), cases.len(), "two kinds share a file name");
    assert_eq!(
        cases.len() + 9,
        39,
        "the corpus changed: update docs/DEVELOPMENT.md"
    );
}

#[test]
fn named_special_files_give_clear_errors_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    // A FIFO named directly, with no writer: read as empty at once, not waited on.
    let fifo = dir.path().join("pipe.pem");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let loaded = files::read_path(&fifo, &mut |_| true).unwrap();
    assert!(
        loaded
            .findings
            .iter()
            .any(|f| f.code.as_str() == "input.no-certificate" && f.message.contains("pipe.pem")),
        "{:?}",
        loaded.findings
    );
    // A file the kernel refuses to read (the tests run as root, which reads any ordinary file): a
    // named input that cannot be read is the caller's error (the CLI exits 2), naming the file.
    let e = files::read_path(Path::new("/proc/self/mem"), &mut |_| true).unwrap_err();
    assert!(
        e.to_string().contains("/proc/self/mem") && e.to_string().contains("Input/output error"),
        "{e}"
    );
    // A path that does not exist: the caller's usage error names it.
    let e = files::read_path(&dir.path().join("missing.pem"), &mut |_| true).unwrap_err();
    assert!(e.to_string().contains("missing.pem"), "{e}");
}

#[test]
fn ten_thousand_certificates_in_one_file_and_ten_thousand_sans() {
    let c = chain(Alg::P256);
    let mut pem = c.root.pem() + &c.intermediate.pem() + &c.leaf.pem();
    for i in 0..9_997u32 {
        let mut p = leaf_params(
            &format!("h{i}.example.net"),
            &[&format!("h{i}.example.net")],
        );
        p.serial_number = Some(SerialNumber::from_slice(&(i + 1).to_be_bytes()));
        pem.push_str(&c.intermediate.issue(p, Alg::P256).pem());
    }
    let loaded = engine::load("pile.pem", pem.as_bytes());
    assert_eq!(loaded.certificates.len(), 10_000);
    let report = engine::analyze(&loaded, None, &options(Some("sbc.example.com")));
    assert_eq!(report.chain.len(), 3);
    assert!(report.passed(), "{:?}", errors(&report));

    let sans = fixtures().join("badssl/chain/subdomain-10000-sans.pem");
    let loaded = files::read_path(&sans, &mut |_| true).unwrap();
    let leaf = &loaded.certificates[0];
    assert!(leaf.sans.len() >= 10_000, "{}", leaf.sans.len());
    let mut options = options(Some("san9999.badssl.com"));
    options.at = at("2020-10-11T00:00:00Z");
    let report = engine::analyze(&loaded, None, &options);
    assert!(
        !codes(&report).contains(&"name.mismatch"),
        "{:?}",
        report.findings
    );
}

/// A DER `.cer` saved with a trailing newline (an editor, a web form, Windows' CRLF) is the same
/// certificate: read with no finding, as openssl reads it. Other bytes after it are still reported.
#[test]
fn a_der_certificate_with_trailing_whitespace_is_read() {
    let c = chain(Alg::P256);
    for tail in [&b"\n"[..], b"\r\n", b"  \n\n"] {
        let mut der = c.leaf.der.clone();
        der.extend_from_slice(tail);
        let loaded = load(&[("leaf.cer", &der)]);
        assert_eq!(loaded.certificates.len(), 1, "{tail:?}");
        assert!(
            loaded.findings.is_empty(),
            "{tail:?}: {:?}",
            loaded.findings
        );
        assert_eq!(
            loaded.certificates[0].der, c.leaf.der,
            "the certificate's own bytes"
        );
    }
    // openssl agrees (the peer nobody here wrote).
    let dir = tempfile::tempdir().unwrap();
    let mut der = c.leaf.der.clone();
    der.extend_from_slice(b"\r\n");
    std::fs::write(dir.path().join("leaf.cer"), &der).unwrap();
    let out = std::process::Command::new("openssl")
        .args([
            "x509", "-inform", "DER", "-in", "leaf.cer", "-noout", "-subject",
        ])
        .current_dir(dir.path())
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut garbage = c.leaf.der.clone();
    garbage.extend_from_slice(b"\nPS C:\\> ");
    let loaded = load(&[("leaf.cer", &garbage)]);
    assert!(loaded.certificates.is_empty());
    assert!(
        loaded
            .findings
            .iter()
            .any(|f| f.message.contains("unexpected bytes after the certificate")),
        "{:?}",
        loaded.findings
    );
}
