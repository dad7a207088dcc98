//! Hostile input: mutated certificates, PEM and PKCS#7 must never panic or hang the engine, and every
//! bad input must come back as a finding naming its source.
//!
//! A deterministic mutation loop (xorshift, fixed seed), not a fuzzer: it runs in every `cargo test`.
//! Coverage-guided fuzzing (cargo-fuzz) is the shipping issue's work.

mod common;

use chainsmith::engine::{self, Code};
use common::*;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut XorShift, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        if out.is_empty() {
            out.push(rng.next() as u8);
            continue;
        }
        let at = rng.below(out.len());
        match rng.below(6) {
            0 => out[at] ^= 1 << rng.below(8),
            1 => out[at] = rng.next() as u8,
            2 => out.truncate(at),
            3 => {
                out.remove(at);
            }
            4 => {
                let byte = rng.next() as u8;
                out.insert(at, byte);
            }
            _ => {
                // Duplicate a slice: nested or repeated structures.
                let end = (at + rng.below(64)).min(out.len());
                let slice = out[at..end].to_vec();
                out.splice(at..at, slice);
            }
        }
    }
    out
}

#[test]
fn mutated_inputs_never_panic_and_are_named() {
    let c = chain(Alg::P256);
    let rsa = chain(Alg::Rsa2048);
    let seeds: Vec<Vec<u8>> = vec![
        c.leaf.der.clone(),
        c.intermediate.der.clone(),
        rsa.leaf.der.clone(),
        (c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()).into_bytes(),
        engine::pem::encode("PKCS7", &rsa.root.der).into_bytes(),
    ];
    let mut rng = XorShift(0x5eed_c4a1_5a17_0001);
    let mut parsed = 0;
    for round in 0..4000 {
        let seed = &seeds[round % seeds.len()];
        let bytes = mutate(&mut rng, seed);
        let name = format!("mutant-{round}.bin");
        let loaded = engine::load(&name, &bytes);
        for finding in &loaded.findings {
            assert!(finding.message.contains(&name), "{finding:?}");
        }
        if loaded.certificates.is_empty() {
            assert!(
                loaded.findings.iter().any(|f| matches!(
                    f.code,
                    Code::InputMalformed | Code::InputNoCertificate | Code::InputPrivateKey
                )),
                "round {round}: nothing loaded and nothing said"
            );
        } else {
            parsed += 1;
        }
        // Whatever parsed still goes through the whole engine with the good chain beside it.
        let mut all = engine::load(
            "good.pem",
            (c.intermediate.pem() + &c.root.pem()).as_bytes(),
        );
        all.extend(loaded);
        let report = engine::analyze(&all, None, &options(Some("sbc.example.com")));
        let _ = report.to_json();
        let _ = report.to_text();
    }
    assert!(
        parsed > 100,
        "the mutations should not all be fatal ({parsed} parsed)"
    );
}

#[test]
fn pathological_structures() {
    let c = chain(Alg::P256);
    // Deeply nested SEQUENCEs (indefinite and definite), a PKCS#7 wrapper around garbage, a PEM with
    // thousands of empty blocks, an unterminated block at the end of a huge text.
    let mut nested = Vec::new();
    for _ in 0..5000 {
        nested.extend([0x30, 0x80]);
    }
    let mut deep = vec![0x30, 0x82, 0xff, 0xff];
    deep.extend(std::iter::repeat_n(0x30, 70_000));
    let p7_garbage = [
        &[
            0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0,
            0x02,
        ][..],
        &[0x30, 0x00],
    ]
    .concat();
    let many_empty = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n".repeat(5000);
    let unterminated = format!(
        "{}{}",
        "x".repeat(1_000_000),
        "\n-----BEGIN CERTIFICATE-----\nAAAA\n"
    );
    let inputs: [(&str, &[u8]); 5] = [
        ("nested.der", &nested),
        ("deep.der", &deep),
        ("p7-garbage.p7b", &p7_garbage),
        ("many-empty.pem", many_empty.as_bytes()),
        ("unterminated.pem", unterminated.as_bytes()),
    ];
    let mut all = engine::load(
        "chain.pem",
        (c.leaf.pem() + &c.intermediate.pem() + &c.root.pem()).as_bytes(),
    );
    for (name, bytes) in inputs {
        let loaded = engine::load(name, bytes);
        assert!(loaded.certificates.is_empty(), "{name}");
        assert!(!loaded.findings.is_empty(), "{name}");
        assert!(
            loaded.findings.iter().all(|f| f.message.contains(name)),
            "{name}: {:?}",
            loaded.findings
        );
        all.extend(loaded);
    }
    let report = engine::analyze(&all, None, &options(Some("sbc.example.com")));
    assert_eq!(report.chain.len(), 3);
}
