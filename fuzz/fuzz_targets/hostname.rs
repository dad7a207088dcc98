//! Host-name matching: a name × a list of SAN patterns (one per line), and the same SANs inside a real
//! certificate when rcgen accepts them.
#![no_main]

use std::sync::OnceLock;

use chainsmith::engine::{self, HostName, hostname};
use libfuzzer_sys::fuzz_target;

fn key() -> &'static rcgen::KeyPair {
    static KEY: OnceLock<rcgen::KeyPair> = OnceLock::new();
    KEY.get_or_init(|| rcgen::KeyPair::generate().expect("key"))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let name = lines.next().unwrap_or_default();
    let patterns: Vec<&str> = lines.take(32).collect();
    let host = HostName::parse(name);
    if let Ok(HostName::Dns(normal)) = &host {
        // A normalised name matches itself.
        assert!(hostname::dns_matches(normal, normal), "{normal:?}");
    }
    for pattern in &patterns {
        let matched = hostname::dns_matches(pattern, name);
        if matched {
            assert!(!pattern.contains('*') || pattern.starts_with("*."), "{pattern:?}");
        }
        let _ = hostname::wildcard_parent_allowed(pattern);
        let _ = hostname::is_public_suffix(pattern);
    }
    if patterns.len() <= 8 && patterns.iter().all(|p| p.is_ascii() && !p.is_empty()) {
        let Ok(params) = rcgen::CertificateParams::new(
            patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        ) else {
            return;
        };
        let Ok(cert) = params.self_signed(key()) else {
            return;
        };
        let loaded = engine::load("fuzz", cert.der());
        if let (Some(cert), Ok(host)) = (loaded.certificates.first(), &host) {
            let _ = hostname::find_match(cert, host, true);
            let _ = hostname::names_valid_for(cert, true);
        }
    }
});
