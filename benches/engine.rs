//! `cargo bench`: the engine's speed on a 3-certificate chain and on piles of 1,000 and 10,000.
//!
//! Each iteration starts from bytes: load (parse PEM, X.509), order, check, webpki verdict.

use chainsmith::engine::{self, CheckOptions, HostName, Loaded};
use rcgen::{CertificateParams, Issuer, KeyPair, SerialNumber};

mod support;

use support::params;

fn main() {
    divan::main();
}

/// 2026-06-01T00:00:00Z.
const AT: i64 = 1_780_272_000;

struct Pile {
    pem: String,
}

/// Root → intermediate → leaf for sbc.example.com, then `extra` leaves of 100 other intermediates
/// (a realistic messy pile: many CAs, many leaves), shuffled in after the real chain's root.
fn pile(extra: usize) -> Pile {
    let root_key = KeyPair::generate().unwrap();
    let root_params = params("Bench Root", true, vec![]);
    let root = root_params.self_signed(&root_key).unwrap();
    let root_issuer = Issuer::from_params(&root_params, &root_key);
    let int_key = KeyPair::generate().unwrap();
    let int_params = params("Bench Intermediate", true, vec![]);
    let int = int_params.signed_by(&int_key, &root_issuer).unwrap();
    let int_issuer = Issuer::from_params(&int_params, &int_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = params("sbc.example.com", false, vec!["sbc.example.com".into()])
        .signed_by(&leaf_key, &int_issuer)
        .unwrap();
    let mut pem = String::new();
    pem.push_str(&root.pem());
    let other_key = KeyPair::generate().unwrap();
    let others: Vec<(CertificateParams, String)> = (0..100.min(extra))
        .map(|i| {
            let p = params(&format!("Other CA {i}"), true, vec![]);
            let cert = p.signed_by(&other_key, &root_issuer).unwrap().pem();
            (p, cert)
        })
        .collect();
    for (_, cert) in &others {
        pem.push_str(cert);
    }
    for i in 0..extra.saturating_sub(others.len()) {
        let (p, _) = &others[i % others.len()];
        let issuer = Issuer::from_params(p, &other_key);
        let mut lp = params(
            &format!("host{i}.example.net"),
            false,
            vec![format!("host{i}.example.net")],
        );
        lp.serial_number = Some(SerialNumber::from_slice(&(i as u64 + 1).to_be_bytes()));
        pem.push_str(&lp.signed_by(&other_key, &issuer).unwrap().pem());
    }
    pem.push_str(&leaf.pem());
    pem.push_str(&int.pem());
    Pile { pem }
}

fn options() -> CheckOptions {
    let mut o = CheckOptions::new(AT);
    o.host = Some(HostName::parse("sbc.example.com").unwrap());
    o
}

fn run(pile: &Pile) -> engine::Report {
    let loaded: Loaded = engine::load("pile.pem", pile.pem.as_bytes());
    let report = engine::analyze(&loaded, None, &options());
    assert!(
        report.passed(),
        "{:?}",
        report
            .findings
            .iter()
            .filter(|f| f.severity == engine::Severity::Error)
            .collect::<Vec<_>>()
    );
    report
}

#[divan::bench]
fn check_3_certificates(bencher: divan::Bencher) {
    let pile = pile(0);
    bencher.bench_local(|| run(&pile));
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn pile_load_order_check(bencher: divan::Bencher, n: usize) {
    let pile = pile(n - 3);
    bencher.bench_local(|| run(&pile));
}
