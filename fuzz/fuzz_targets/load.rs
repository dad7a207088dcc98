//! The loader on any bytes, then the whole check, the reports and the bundle.
#![no_main]

use chainsmith::engine::{self, CheckOptions, HostName};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let loaded = engine::load("fuzz-input", data);
    for finding in &loaded.findings {
        assert!(
            finding.message.starts_with("fuzz-input"),
            "a loader finding must name its input: {}",
            finding.message
        );
    }
    let mut options = CheckOptions::new(1_780_272_000);
    options.host = HostName::parse("sbc.example.com").ok();
    let report = engine::analyze(&loaded, None, &options);
    let _ = report.to_json();
    let _ = report.to_text();
    let _ = report.to_markdown();
    if let Ok(pem) = engine::bundle::to_pem(&report, Default::default()) {
        // A bundle reads back as the same certificates, in the same order.
        let again = engine::load("bundle", pem.as_bytes());
        let order: Vec<_> = report.chain.iter().map(|e| e.cert.sha256).collect();
        let read: Vec<_> = again.certificates.iter().map(|c| c.sha256).collect();
        assert_eq!(order[..read.len().min(order.len())], read[..]);
    }
});
