//! The text report, the Markdown report and every escaped string never carry a raw control character
//! (C0 but the newline, DEL, C1) or a bidi control, whatever the certificates, file names and host say.
#![no_main]

use chainsmith::engine::{self, CheckOptions, HostName};
use libfuzzer_sys::fuzz_target;

fn assert_inert(what: &str, text: &str) {
    for c in text.chars() {
        let raw = (c < ' ' && c != '\n') || ('\u{7f}'..='\u{9f}').contains(&c);
        let bidi = matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!raw && !bidi, "{what}: raw {c:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    // The input: a file name, a Common Name, a SAN, then the rest as a file's content.
    let mut parts = data.splitn(4, |b| *b == 0xff);
    let name = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let cn = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let san = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let content = parts.next().unwrap_or_default();

    assert_inert("escape", &engine::text::escape(&name));

    let mut loaded = engine::load(&name, content);
    // A certificate carrying the Common Name and SAN as given (when rcgen can encode them).
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name.push(rcgen::DnType::CommonName, cn.clone());
    if let Ok(dns) = rcgen::string::Ia5String::try_from(san.clone()) {
        params.subject_alt_names.push(rcgen::SanType::DnsName(dns.clone()));
        params.subject_alt_names.push(rcgen::SanType::URI(dns));
    }
    if let Ok(key) = rcgen::KeyPair::generate()
        && let Ok(cert) = params.self_signed(&key)
    {
        loaded.extend(engine::load(&name, cert.der()));
    }
    let mut options = CheckOptions::new(1_780_272_000);
    options.host = HostName::parse(&san).ok();
    let report = engine::analyze(&loaded, None, &options);
    assert_inert("text report", &report.to_text());
    assert_inert("markdown report", &report.to_markdown());
    for finding in &report.findings {
        assert_inert("finding", &finding.message);
    }
    if let Err(e) = HostName::parse(&san) {
        assert_inert("host error", &e.to_string());
    }
});
