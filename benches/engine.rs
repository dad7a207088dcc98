//! `cargo bench`: the engine's speed on a 3-certificate chain, on piles of 1,000 and 10,000, and on a
//! 3-certificate chain beside 10,000 unrelated self-signed CAs.
//!
//! Each iteration starts from bytes: load (parse PEM, X.509), order, check, webpki verdict.

use chainsmith::engine::{self, CheckOptions, HostName, Loaded};

mod support;

fn main() {
    divan::main();
}

/// 2026-06-01T00:00:00Z.
const AT: i64 = 1_780_272_000;

struct Pile {
    pem: String,
}

/// See [`support::messy_pile`].
fn pile(extra: usize) -> Pile {
    Pile {
        pem: support::messy_pile(extra),
    }
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

#[divan::bench(sample_count = 10)]
fn chain_beside_10_000_unrelated_self_signed_cas(bencher: divan::Bencher) {
    let pile = Pile {
        pem: support::self_signed_pile(10_000),
    };
    bencher.bench_local(|| {
        let report = run(&pile);
        // Only the chain's links and its root's self-signature are checked.
        assert_eq!(report.signature_checks, 3);
        report
    });
}
