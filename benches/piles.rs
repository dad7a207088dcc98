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
