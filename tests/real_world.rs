//! Public chains nobody on this project made (tests/fixtures/real-world, with their sources):
//! shuffled, then ordered back and judged at a time inside their validity (the fixtures' README).

mod common;

use std::fs;
use std::path::Path;

use chainsmith::engine::{self, Loaded, Profile};
use common::*;

/// Every permutation of `items` (small sets only).
fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, first.clone());
            out.push(p);
        }
    }
    out
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The certificates of one file, each as its own input (so they can be shuffled).
fn split(path: &Path) -> Vec<(String, Vec<u8>)> {
    let loaded = engine::load(&path.display().to_string(), &read(path));
    assert!(
        loaded.findings.is_empty(),
        "{}: {:?}",
        path.display(),
        loaded.findings
    );
    loaded
        .certificates
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("{}#{i}", path.display()), c.der.clone()))
        .collect()
}

fn loaded(inputs: &[(String, Vec<u8>)]) -> Loaded {
    let mut l = Loaded::default();
    for (name, bytes) in inputs {
        l.extend(engine::load(name, bytes));
    }
    l
}

#[test]
fn webpki_test_chains_in_every_order() {
    let dir = fixtures().join("webpki-tests");
    // (set, time inside, host, strict passes)
    let sets = [
        (
            "netflix",
            "2017-11-05T00:00:00Z",
            "account.netflix.com",
            true,
        ),
        ("cloudflare_dns", "2022-04-25T00:00:00Z", "1.1.1.1", true),
        // The sanofi leaf's Common Name (irelease-uat.sanofi.com) is none of its SANs, which
        // Baseline Requirements §7.1.4.3 forbids: --strict rightly fails it (see the test below).
        (
            "sanofi",
            "2025-10-23T00:00:00Z",
            "irelease-dev.sanofi.com",
            false,
        ),
        ("wpt", "2021-10-11T00:00:00Z", "web-platform.test", false),
    ];
    for (set, time, host, strict_ok) in sets {
        let mut files = vec![("ee.der", "ee"), ("ca.pem", "ca")];
        if dir.join(set).join("inter.pem").exists() {
            files.push(("inter.der", "inter"));
        }
        let inputs: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(f, _)| (f.to_string(), read(&dir.join(set).join(f))))
            .collect();
        let expected: Vec<String> = ["ee", "inter", "ca"]
            .iter()
            .filter(|n| files.iter().any(|(_, m)| m == *n))
            .map(|n| engine::Fingerprint::of(&read(&dir.join(set).join(format!("{n}.der")))).hex())
            .collect();
        let mut o = options(Some(host));
        o.at = at(time);
        for shuffled in permutations(&inputs) {
            let report = engine::analyze(&loaded(&shuffled), None, &o);
            assert_eq!(order(&report), expected, "{set}");
            assert!(report.passed(), "{set}: {:?}", report.findings);
        }
        o.strict = true;
        let report = engine::analyze(&loaded(&inputs), None, &o);
        assert_eq!(
            report.passed(),
            strict_ok,
            "{set} --strict: {:?}",
            errors(&report)
        );
    }
}

#[test]
fn sanofi_fails_strict_only_for_its_common_name() {
    let dir = fixtures().join("webpki-tests/sanofi");
    let inputs: Vec<(String, Vec<u8>)> = ["ee.pem", "inter.pem", "ca.pem"]
        .iter()
        .filter(|f| dir.join(f).exists())
        .map(|f| (f.to_string(), read(&dir.join(f))))
        .collect();
    let mut o = options(Some("irelease-dev.sanofi.com"));
    o.at = at("2025-10-23T00:00:00Z");
    o.strict = true;
    let report = engine::analyze(&loaded(&inputs), None, &o);
    assert_eq!(
        errors(&report),
        ["cabf.cn-not-in-san"],
        "{:?}",
        report.findings
    );
}

#[test]
fn wpt_test_root_breaks_ca_profile_rules_only_under_strict() {
    let dir = fixtures().join("webpki-tests/wpt");
    let inputs = vec![
        ("ca.pem".to_string(), read(&dir.join("ca.pem"))),
        ("ee.pem".to_string(), read(&dir.join("ee.pem"))),
    ];
    let mut o = options(Some("web-platform.test"));
    o.at = at("2021-10-11T00:00:00Z");
    o.strict = true;
    let report = engine::analyze(&loaded(&inputs), None, &o);
    let mut errs = errors(&report);
    errs.sort();
    // The root's basicConstraints are not critical, but it is the trust anchor: how an anchor was
    // issued is not linted (RFC 5280 §6.1.1 (d)). Its EKU still restricts the chain (cabf.root-eku).
    assert_eq!(errs, ["cabf.root-eku"]);
}

#[test]
fn badssl_chains_shuffled_come_back_leaf_first() {
    let dir = fixtures().join("badssl/chain");
    // (file, time inside, host, error codes when the file's top certificate is the trust anchor)
    let table: &[(&str, &str, &str, &[&str])] = &[
        (
            "wildcard-rsa2048.pem",
            "2021-04-19T00:00:00Z",
            "www.badssl.com",
            &[],
        ),
        (
            "wildcard-rsa4096.pem",
            "2021-04-29T00:00:00Z",
            "www.badssl.com",
            &[],
        ),
        (
            "wildcard-rsa8192.pem",
            "2022-09-26T00:00:00Z",
            "www.badssl.com",
            &[],
        ),
        (
            "wildcard-ecc256.pem",
            "2021-02-07T00:00:00Z",
            "www.badssl.com",
            &[],
        ),
        (
            "wildcard-ecc384.pem",
            "2021-02-07T00:00:00Z",
            "www.badssl.com",
            &[],
        ),
        (
            "wildcard-sha384.pem",
            "2021-03-27T00:00:00Z",
            "badssl.com",
            &[],
        ),
        (
            "wildcard-expired.pem",
            "2015-04-10T00:00:00Z",
            "www.badssl.com",
            &[],
        ),
        (
            "wildcard-sha1-2016.pem",
            "2016-02-18T00:00:00Z",
            "www.badssl.com",
            &["algo.sha1"],
        ),
        (
            "subdomain-no-common-name.pem",
            "2018-11-06T00:00:00Z",
            "no-common-name.badssl.com",
            &[],
        ),
        (
            "subdomain-no-subject.pem",
            "2018-10-31T00:00:00Z",
            "no-subject.badssl.com",
            &[],
        ),
        (
            "subdomain-xn--n1aae7f7o.pem",
            "2018-10-23T00:00:00Z",
            "xn--n1aae7f7o.badssl.com",
            &[],
        ),
        (
            "subdomain-1000-sans.pem",
            "2020-10-08T00:00:00Z",
            "1000-sans.badssl.com",
            &[],
        ),
        // webpki cannot even parse a certificate this large: never passed silently.
        (
            "subdomain-10000-sans.pem",
            "2020-10-11T00:00:00Z",
            "10000-sans.badssl.com",
            &["trust.rejected"],
        ),
        (
            "old/wildcard-main-old.pem",
            "2015-11-22T00:00:00Z",
            "www.badssl.com",
            &[],
        ),
        (
            "wildcard-rsa2048.pem",
            "2021-04-19T00:00:00Z",
            "wrong.host.example",
            &["name.mismatch"],
        ),
        (
            "wildcard-rsa2048.pem",
            "2023-01-01T00:00:00Z",
            "www.badssl.com",
            &["cert.expired"],
        ),
    ];
    for (file, time, host, expected_errors) in table {
        let certs = split(&dir.join(file));
        let file_order: Vec<String> = certs
            .iter()
            .map(|(_, der)| engine::Fingerprint::of(der).hex())
            .collect();
        let top = certs.last().unwrap().clone();
        let roots = loaded(std::slice::from_ref(&top));
        let mut o = options(Some(host));
        o.at = at(time);
        let mut reversed = certs.clone();
        reversed.reverse();
        for shuffled in permutations(&reversed).into_iter().take(6) {
            let report = engine::analyze(&loaded(&shuffled), Some(&roots), &o);
            assert_eq!(order(&report), file_order, "{file}");
            let mut errs = errors(&report);
            errs.dedup();
            assert_eq!(
                errs, *expected_errors,
                "{file} at {time} for {host}: {:?}",
                report.findings
            );
        }
    }
}

#[test]
fn badssl_without_roots_is_incomplete_and_names_the_missing_root() {
    // DigiCert Global Root CA left the Mozilla set (webpki-roots 1.0.10), so even --public-roots
    // cannot anchor this chain today.
    let path = fixtures().join("badssl/chain/wildcard-rsa2048.pem");
    let mut o = options(Some("www.badssl.com"));
    o.at = at("2021-04-19T00:00:00Z");
    o.public_roots = true;
    let report = engine::analyze(&loaded(&split(&path)), None, &o);
    let finding = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "chain.incomplete")
        .unwrap();
    assert!(
        finding.message.contains("DigiCert Global Root CA"),
        "{}",
        finding.message
    );
    let leaf_only = fixtures().join("badssl/chain/wildcard-incomplete-chain.pem");
    let report = engine::analyze(&loaded(&split(&leaf_only)), None, &o);
    let finding = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "chain.incomplete")
        .unwrap();
    assert!(
        finding.message.contains("http://"),
        "the AIA URL is named: {}",
        finding.message
    );
}

#[test]
fn self_signed_and_bad_ca_fixtures() {
    let dir = fixtures().join("badssl");
    let mut o = options(Some("www.badssl.com"));
    o.at = at("2017-08-08T00:00:00Z");
    let report = engine::analyze(
        &loaded(&split(&dir.join("chain/wildcard-self-signed.pem"))),
        None,
        &o,
    );
    assert_eq!(errors(&report), ["chain.self-signed-leaf"]);

    // Superfish: an RSA-1024 root that signs with SHA-1.
    let mut inputs = split(&dir.join("chain/subdomain-superfish.pem"));
    inputs.extend(split(&dir.join("ca-crt/ca-superfish.crt")));
    let mut o = options(Some("superfish.badssl.com"));
    o.at = at("2019-05-16T00:00:00Z");
    let report = engine::analyze(&loaded(&inputs), None, &o);
    assert!(
        errors(&report).contains(&"key.rsa-weak"),
        "{:?}",
        report.findings
    );
    assert_eq!(report.chain.len(), 2);
}

#[test]
fn lets_encrypt_cross_signs_give_alternate_paths_and_public_roots_anchor() {
    let le = fixtures().join("letsencrypt");
    let inputs: Vec<(String, Vec<u8>)> = [
        "2024/r10.pem",
        "isrgrootx1.pem",
        "isrg-root-x1-cross-signed.pem",
        "trustid-x3-root.pem",
    ]
    .iter()
    .map(|f| (f.to_string(), read(&le.join(f))))
    .collect();
    let mut o = options(None);
    o.at = at("2024-06-01T00:00:00Z");
    o.profile = Profile::GenesysByocPremises;
    for shuffled in permutations(&inputs) {
        let report = engine::analyze(&loaded(&shuffled), None, &o);
        let subjects: Vec<String> = report.chain.iter().map(|e| e.cert.display_name()).collect();
        assert_eq!(subjects, ["R10", "ISRG Root X1"]);
        assert!(report.chain[1].cert.is_self_issued());
        assert!(report.passed(), "{:?}", report.findings);
        assert!(codes(&report).contains(&"chain.alternate-path"));
    }
    // R10 alone, with the public roots: anchored at ISRG Root X1 from the Mozilla set.
    let mut o = options(None);
    o.at = at("2024-06-01T00:00:00Z");
    o.public_roots = true;
    let report = engine::analyze(&loaded(&inputs[..1]), None, &o);
    assert!(
        codes(&report).contains(&"chain.root-omitted"),
        "{:?}",
        report.findings
    );
    assert!(codes(&report).contains(&"leaf.is-ca"));
    // And without them, the same input is incomplete.
    o.public_roots = false;
    let report = engine::analyze(&loaded(&inputs[..1]), None, &o);
    assert!(errors(&report).contains(&"chain.incomplete"));
    // The strict rules pass on Let's Encrypt's real CA chain.
    let mut o = options(None);
    o.at = at("2024-06-01T00:00:00Z");
    o.profile = Profile::GenesysByocPremises;
    o.strict = true;
    let report = engine::analyze(&loaded(&inputs[..2]), None, &o);
    assert!(report.passed(), "{:?}", report.findings);
}

/// Every chain in the fixtures' README table, at its "time inside", for its first SAN: shuffled and
/// ordered back; the verdict is the one each chain is known for.
#[test]
fn every_chain_in_the_fixture_table() {
    let root = fixtures();
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let rows: Vec<Vec<String>> = readme
        .lines()
        .filter(|l| l.starts_with("| badssl/") || l.starts_with("| webpki-tests/"))
        .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
        .filter(|cells: &Vec<String>| cells.len() >= 6 && cells[1].ends_with(".pem"))
        .collect();
    assert!(
        rows.len() >= 30,
        "the fixture table has {} rows",
        rows.len()
    );
    for row in rows {
        let (file, time, first_san) = (&row[1], &row[4], &row[5]);
        let host = first_san.replace('*', "www");
        let path = root.join(file);
        let certs = if file.starts_with("webpki-tests/") {
            let dir = path.parent().unwrap();
            ["ee.pem", "inter.pem", "ca.pem"]
                .iter()
                .filter(|f| dir.join(f).exists())
                .flat_map(|f| split(&dir.join(f)))
                .collect()
        } else {
            split(&path)
        };
        let file_order: Vec<String> = certs
            .iter()
            .map(|(_, der)| engine::Fingerprint::of(der).hex())
            .collect();
        let mut o = options(Some(&host));
        o.at = at(time);
        o.public_roots = true;
        let mut shuffled = certs.clone();
        shuffled.rotate_left(1);
        let report = engine::analyze(&loaded(&shuffled), None, &o);
        assert_eq!(order(&report), file_order, "{file}");
        let mut errs = errors(&report);
        errs.sort();
        errs.dedup();
        let expected: &[&str] = match file.as_str() {
            f if f.starts_with("webpki-tests/") => &[],
            "badssl/chain/wildcard-self-signed.pem" => &["chain.self-signed-leaf"],
            f if f.contains("wildcard-sha1-") => &["algo.sha1", "chain.incomplete"],
            // badssl serves no roots, and its DigiCert / COMODO / private roots are not in today's
            // Mozilla set: every other chain stops one step short of an anchor.
            _ => &["chain.incomplete"],
        };
        assert_eq!(
            errs, expected,
            "{file} at {time} for {host}: {:?}",
            report.findings
        );
    }
}
