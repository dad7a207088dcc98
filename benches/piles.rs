//! `cargo bench --bench piles`: hostile piles stay near-linear in time and memory (divan's allocation
//! profiler gives the memory): 40,000 certificates with one subject, and six 10 MiB files of empty
//! `CERTIFICATE` blocks rendered as JSON.

use chainsmith::engine::{self, CheckOptions, Loaded};

mod support;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

/// 2026-06-01T00:00:00Z.
const AT: i64 = 1_780_272_000;

#[divan::bench(sample_count = 3)]
fn same_subject_40_000(bencher: divan::Bencher) {
    // Four files of 10,000 (one file may hold at most 10 MiB).
    let files: Vec<String> = (0..4).map(|_| support::same_subject_pile(10_000)).collect();
    bencher.bench_local(|| {
        let mut loaded = Loaded::default();
        for (i, pem) in files.iter().enumerate() {
            loaded.extend(engine::load(&format!("pile-{i}.pem"), pem.as_bytes()));
        }
        let report = engine::analyze(&loaded, None, &CheckOptions::new(AT));
        assert_eq!(loaded.certificates.len(), 40_000);
        report
    });
}

#[divan::bench(sample_count = 3)]
fn empty_blocks_6_files_of_10_mib_as_json(bencher: divan::Bencher) {
    let file = support::empty_blocks(10 * 1024 * 1024 - 64);
    bencher.bench_local(|| {
        let mut loaded = Loaded::default();
        for i in 0..6 {
            loaded.extend(engine::load(&format!("empty-{i}.pem"), file.as_bytes()));
        }
        let report = engine::analyze(&loaded, None, &CheckOptions::new(AT));
        serde_json::to_string(&report.to_json()).unwrap().len()
    });
}

/// A leaf with 8,000 DNS names under an intermediate with 8,000 excluded subtrees (0.8 MB): target
/// 0.5 s from bytes to verdict (`scripts/bench-vs-openssl.sh` times `openssl verify` on it).
#[divan::bench(sample_count = 5)]
fn name_constraints_8_000_sans(bencher: divan::Bencher) {
    let pem = support::constrained_sans(8_000, 8_000);
    let mut options = CheckOptions::new(AT);
    options.host = Some(engine::HostName::parse("sbc.example.com").unwrap());
    bencher.bench_local(|| {
        let loaded = engine::load("constrained.pem", pem.as_bytes());
        let report = engine::analyze(&loaded, None, &options);
        // rustls-webpki reads no certificate above 64 KiB (these are 0.25 MB): its refusal is the only
        // error; every name was still checked against the subtrees by our checks.
        let errors: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.severity == engine::Severity::Error)
            .map(|f| f.code.as_str())
            .collect();
        assert_eq!(errors, ["trust.rejected"], "{:?}", report.findings);
        report
    });
}
