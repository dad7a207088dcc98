//! The words an admin reads: the banner's headline names the problem (or what the bundle holds), day
//! counts agree between the findings, the text report and the CLI, and a validation time that is not
//! now is never worded as if it were.

mod common;

use chainsmith::engine::bundle::BundleOptions;
use chainsmith::engine::checks::{expiry_words, relative_words, whole_days};
use chainsmith::engine::finding::Face;
use chainsmith::engine::{self, CheckOptions, HostName};
use common::*;

const DAY: i64 = 86_400;

#[test]
fn the_headline_names_the_first_problem_and_counts_the_rest() {
    let root = root("Test Root CA", Alg::P256);
    let mut expired = ca_params("Issuing CA 1");
    expired.not_after = rcgen::date_time_ymd(2026, 3, 1);
    let intermediate = root.issue(expired, Alg::P256);
    let leaf = intermediate.issue(
        leaf_params("sbc9.other.example", &["sbc9.other.example"]),
        Alg::P256,
    );
    let pem = leaf.pem() + &intermediate.pem() + &root.pem();
    let report = analyze(
        &[("chain.pem", pem.as_bytes())],
        &options(Some("sbc1.carrier.example")),
    );
    let errors: Vec<&str> = errors(&report);
    assert!(errors.contains(&"name.mismatch") && errors.contains(&"cert.expired"));
    let headline = report.headline(BundleOptions::default());
    assert_eq!(
        headline,
        format!(
            "Not ready — the leaf is for sbc9.other.example, not sbc1.carrier.example (and {} more)",
            errors.len() - 1
        )
    );

    // The host fixed: the expired intermediate leads, by its role and name.
    let report = analyze(
        &[("chain.pem", pem.as_bytes())],
        &options(Some("sbc9.other.example")),
    );
    let headline = report.headline(BundleOptions::default());
    assert!(
        headline.starts_with("Not ready — the intermediate \"Issuing CA 1\" expired on 2026-03-01"),
        "{headline}"
    );
}

#[test]
fn ready_says_what_the_written_bundle_holds() {
    let c = chain(Alg::P256);
    let pem = c.leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let report = analyze(
        &[("chain.pem", pem.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    assert!(report.passed(), "{:?}", report.findings);
    for (bundle, says, count) in [
        (
            BundleOptions::default(),
            "Ready: bundle of 2 for sbc.example.com — leaf + 1 intermediate, root not included — valid until 2027-01-01",
            2,
        ),
        (
            BundleOptions {
                include_root: true,
                ca_only: false,
            },
            "Ready: bundle of 3 for sbc.example.com — leaf + 1 intermediate + root — valid until 2027-01-01",
            3,
        ),
        (
            BundleOptions {
                include_root: false,
                ca_only: true,
            },
            "Ready: bundle of 2 for sbc.example.com — 1 intermediate + root — valid until 2036-01-01",
            2,
        ),
    ] {
        assert_eq!(report.headline(bundle), says);
        let written = engine::bundle::to_pem(&report, bundle).unwrap();
        assert_eq!(
            written.matches("BEGIN CERTIFICATE").count(),
            count,
            "{says}"
        );
    }
}

#[test]
fn day_counts_agree_everywhere_and_follow_the_validation_time() {
    // 699.6 days: every place says 699.
    let at = AT;
    let not_after = at - 699 * DAY - DAY * 6 / 10;
    assert_eq!(whole_days(at, not_after), 699);
    assert_eq!(expiry_words(not_after, at, true), "expired 699 days ago");
    assert_eq!(
        expiry_words(not_after, at, false),
        "expired 699 days before the validation time"
    );
    assert_eq!(
        relative_words(at + 30 * DAY, at, false),
        "30 days after the validation time"
    );
    assert_eq!(relative_words(at + DAY, at, true), "in 1 day");

    // A leaf that expired 699.6 days before the validation time, through the engine.
    let c = chain(Alg::P256);
    let mut params = leaf_params("sbc.example.com", &["sbc.example.com"]);
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = time::OffsetDateTime::from_unix_timestamp(not_after).unwrap();
    let leaf = c.intermediate.issue(params, Alg::P256);
    let pem = leaf.pem() + &c.intermediate.pem() + &c.root.pem();
    let mut opts = CheckOptions::new(at);
    opts.host = Some(HostName::parse("sbc.example.com").unwrap());
    opts.at_is_now = false;
    let report = engine::analyze(&load(&[("chain.pem", pem.as_bytes())]), None, &opts);
    let expired = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "cert.expired")
        .expect("cert.expired");
    assert!(
        expired
            .message
            .ends_with("(699 days before the validation time)"),
        "{}",
        expired.message
    );
    let text = report.to_text();
    assert!(
        text.contains("expired 699 days before the validation time"),
        "{text}"
    );
    assert!(!text.contains("700 days"), "{text}");
}

#[test]
fn the_cli_words_dates_by_the_validation_time_it_was_given() {
    let dir = tempfile::tempdir().unwrap();
    let c = chain(Alg::P256);
    std::fs::write(
        dir.path().join("chain.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    // At 2028-01-01 (given): the leaf (until 2027-01-01) expired 365 days before it.
    let out = chainsmith(
        &[
            "check",
            "chain.pem",
            "--host",
            "sbc.example.com",
            "--at",
            "2028-01-01",
        ],
        dir.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("expired on 2027-01-01 (365 days before the validation time)"),
        "{text}"
    );
    assert!(!text.contains(" ago"), "{text}");
    // Now (no --at): the words are "in" / "ago".
    let out = chainsmith(
        &["check", "chain.pem", "--host", "sbc.example.com"],
        dir.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("validation time"), "{text}");
}

#[test]
fn fixes_fit_the_role_and_the_face() {
    // An expired intermediate: replaced by the CA's current one, not "renewed".
    let root = root("Test Root CA", Alg::P256);
    let mut expired = ca_params("Issuing CA 1");
    expired.not_after = rcgen::date_time_ymd(2026, 3, 1);
    let intermediate = root.issue(expired, Alg::P256);
    let leaf = intermediate.issue(
        leaf_params("sbc.example.com", &["sbc.example.com"]),
        Alg::P256,
    );
    let pem = leaf.pem() + &intermediate.pem() + &root.pem();
    let report = analyze(
        &[("chain.pem", pem.as_bytes())],
        &options(Some("sbc.example.com")),
    );
    let finding = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "cert.expired")
        .unwrap();
    for face in [Face::Cli, Face::Window] {
        let fix = report.fix(finding, face);
        assert!(
            fix.contains("get the current \"Issuing CA 1\" from your CA"),
            "{fix}"
        );
        assert!(!fix.contains("Renew"), "{fix}");
    }
    assert!(
        report
            .to_text()
            .contains("get the current \"Issuing CA 1\" from your CA")
    );

    // A missing intermediate is named, in each face's words; never "if it is a public root".
    let report = analyze(
        &[("leaf.pem", leaf.pem().as_bytes())],
        &options(Some("sbc.example.com")),
    );
    let incomplete = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "chain.incomplete")
        .unwrap();
    let cli = report.fix(incomplete, Face::Cli);
    let window = report.fix(incomplete, Face::Window);
    assert!(
        cli.contains("Add the missing issuer \"CN=Issuing CA 1, O=Chainsmith Test\""),
        "{cli}"
    );
    assert!(window.contains("\"Add issuer file…\""), "{window}");
    assert!(!window.contains("--"), "{window}");
    assert!(!incomplete.message.contains("--"), "{}", incomplete.message);
    assert!(!cli.contains("public root"), "{cli}");

    // An intermediate whose issuer is a public root: the fix says so, and how to trust it.
    let r3 = std::fs::read(fixtures().join("letsencrypt/lets-encrypt-r3.pem")).unwrap();
    let report = analyze(&[("r3.pem", &r3)], &options(None));
    let incomplete = report
        .findings
        .iter()
        .find(|f| f.code.as_str() == "chain.incomplete")
        .expect("R3 alone, without the Mozilla set");
    assert!(
        report
            .fix(incomplete, Face::Cli)
            .ends_with("is the public root \"C=US, O=Internet Security Research Group, CN=ISRG Root X1\": add --public-roots."),
        "{}",
        report.fix(incomplete, Face::Cli)
    );
    assert!(
        report
            .fix(incomplete, Face::Window)
            .ends_with(": choose \"The Mozilla set\" under Trust."),
        "{}",
        report.fix(incomplete, Face::Window)
    );
}
