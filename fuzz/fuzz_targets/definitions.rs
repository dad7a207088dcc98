//! The files Chainsmith reads back: a saved REST target definition (JSON), a backup (JSON), audit log
//! lines (JSON lines), the window's preferences (RON, as eframe stores them), URL placeholders.
#![no_main]

use std::collections::BTreeMap;

use chainsmith::prefs::Preferences;
use chainsmith::upload::{RestTarget, records, rest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(target) = RestTarget::from_json(text) {
        // What we write, we read back the same.
        let again = RestTarget::from_json(&target.to_json()).expect("our own definition reads back");
        assert_eq!(again, target);
        let _ = target.upload_request(Some("-----BEGIN CERTIFICATE-----"));
        let _ = target.upload_request(None);
        let _ = target.planned(None);
        let _ = target.keychain_account();
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = RestTarget::new("https://sbc.example.net/").extract(&value);
    }
    let _ = serde_json::from_str::<records::Backup>(text);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let _ = records::audit_markdown(&lines);
    let params = BTreeMap::from([("trunk".to_string(), text.chars().take(40).collect::<String>())]);
    let _ = rest::fill(text, &params);
    if let Ok(prefs) = ron::from_str::<Preferences>(text) {
        let written = ron::ser::to_string(&prefs).expect("preferences serialise");
        let again: Preferences = ron::from_str(&written).expect("our own preferences read back");
        assert_eq!(again, prefs);
    }
});
