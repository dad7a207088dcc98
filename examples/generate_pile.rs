//! Writes the benchmark pile as a PEM file, for whole-process timings (scripts/bench-vs-openssl.sh):
//! the chain for sbc.example.com (root, intermediate, leaf) plus N-3 other certificates.
//!
//!     cargo run --release --example generate_pile -- 10000 target/bench/pile-10000.pem
//!
//! With a third argument `self-signed`: the chain beside N-3 unrelated self-signed CA certificates;
//! `same-subject`: N self-signed certificates that all carry one subject; `constrained-sans`: a chain
//! whose leaf has N DNS names under a name-constrained intermediate.

#[path = "../benches/support/mod.rs"]
mod support;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(n), Some(out)) = (
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
        args.get(2),
    ) else {
        eprintln!(
            "usage: generate_pile N OUT.pem [self-signed|same-subject|constrained-sans]   (N >= 3)"
        );
        return std::process::ExitCode::from(2);
    };
    let pem = match args.get(3).map(String::as_str) {
        Some("self-signed") => support::self_signed_pile(n.saturating_sub(3)),
        Some("same-subject") => support::same_subject_pile(n),
        Some("constrained-sans") => support::constrained_sans(n, n),
        _ => support::messy_pile(n.saturating_sub(3)),
    };
    if let Err(e) = std::fs::write(out, pem) {
        eprintln!("cannot write {out}: {e}");
        return std::process::ExitCode::from(1);
    }
    std::process::ExitCode::SUCCESS
}
