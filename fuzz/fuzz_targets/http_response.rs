//! The upload client's handling of an HTTP answer: status, Retry-After and body (error messages,
//! correlation ids, the missing permission, JSON field extraction, trunks), and the retry decision.
#![no_main]

use chainsmith::upload::http::{Attempt, Next, Response, RetryPolicy, decide};
use chainsmith::upload::{RestTarget, genesys, missing_permission};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = u16::from_be_bytes([data[0], data[1]]);
    let header_len = (data[2] as usize % 24).min(data.len() - 3);
    let retry_after = String::from_utf8_lossy(&data[3..3 + header_len]).into_owned();
    let body = data[3 + header_len..].to_vec();
    let response = Response {
        status,
        retry_after: Some(retry_after.clone()),
        correlation_id: Some("fuzz".into()),
        content_type: None,
        body,
    };
    let _ = response.message();
    let _ = response.correlation();
    let permission = missing_permission(&response);
    assert!(!permission.is_empty());
    if let Some(value) = response.json() {
        let _ = serde_json::from_value::<genesys::Trunk>(value.clone());
        let _ = RestTarget::new("https://sbc.example.net/").extract(&value);
    }
    let policy = RetryPolicy::default();
    for attempt in 0..6 {
        for outcome in [Attempt::Answer(status), Attempt::NotConnected, Attempt::NoAnswer] {
            for idempotent in [true, false] {
                match decide(outcome, Some(&retry_after), attempt, idempotent, &policy) {
                    Next::RetryAfter(wait) => {
                        assert!(wait <= policy.max_retry_after.max(policy.max_delay));
                        assert!(attempt < policy.attempts);
                        assert!(idempotent || outcome != Attempt::NoAnswer);
                    }
                    Next::Done | Next::GiveUp => {}
                }
            }
        }
    }
});
