//! `cargo bench --bench plan`: reading a large rotation plan. A 2 MB plan (10,500 `[[target]]`
//! sections) must read in well under a second: the line numbers and the duplicate-name check are
//! linear (they were quadratic: an 8.9 MB plan took 84 s). The peer, in the same run, is the TOML
//! parser alone (`toml::Table`): the floor any plan reader pays.

use std::path::Path;

fn main() {
    divan::main();
}

/// A plan of `targets` Genesys targets (about 250 bytes each).
fn plan(targets: usize) -> String {
    let mut text =
        String::from("[bundle]\ninputs = [\"new-certs/\"]\nhost = \"sbc1.carrier.example\"\n");
    for i in 0..targets {
        text.push_str(&format!(
            "\n[[target]]\nname = \"Organisation {i}\"\nkind = \"genesys\"\nregion = \"euw2.pure.cloud\"\nclient_id = \"7c0d5e1a-{i:04x}-4b2c-9d3e-000000000000\"\nca_name = \"Carrier A SIP TLS CAs\"\nsecret_env = \"ORG_{i}_SECRET\"\n"
        ));
    }
    text
}

#[divan::bench(args = [1_000, 10_500])]
fn chainsmith_plan_parse(bencher: divan::Bencher, targets: usize) {
    let text = plan(targets);
    assert!(targets < 10_500 || text.len() > 2_000_000, "{}", text.len());
    bencher.bench(|| {
        let rotation = chainsmith::rotate::plan::parse(Path::new("/plans/rotation.toml"), &text)
            .expect("the plan reads");
        assert_eq!(rotation.targets.len(), targets);
        rotation
    });
}

/// The peer: the same text through the TOML parser alone.
#[divan::bench(args = [1_000, 10_500])]
fn toml_table_parse(bencher: divan::Bencher, targets: usize) {
    let text = plan(targets);
    bencher.bench(|| text.parse::<toml::Table>().expect("TOML"));
}
