//! The upload client's HTTP layer: HTTPS through rustls (plain `http://` only to a loopback address),
//! a timeout on every request, retries by a fixed policy, and a record of every exchange for the audit
//! log. Authorization headers are attached here and never recorded.
//!
//! This file owns the errors in words and the URL rules; beside it: [`message`] (requests and
//! responses), [`retry`] (the retry rules), [`connection`] (sending).

mod connection;
mod message;
mod retry;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;

use super::secret::Secret;
pub use connection::{Connection, Credentials};
pub use message::{Exchange, MAX_BODY_BYTES, Request, Response};
pub use retry::{Attempt, Next, RetryPolicy, decide, wait_too_long};

/// A URL given by the admin, or words from the network stack, as shown in an error
/// (`engine::text::escape`). URLs that were parsed are percent-encoded already.
fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    crate::engine::text::escape(text)
}

/// Why a request got no usable answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    #[error("{}: plain http:// is only allowed to a loopback address; use https://", shown(.url))]
    Insecure { url: String },
    #[error("{}", if url.trim().is_empty() { "a URL is empty: enter it".to_string() } else { format!("{}: not a valid URL", shown(url)) })]
    BadUrl { url: String },
    #[error(
        "{}: the URL carries credentials (user:password@), which are never sent or written; give the secret through an environment variable, the OS keychain or the prompt",
        shown(.url)
    )]
    CredentialsInUrl { url: String },
    #[error("{url}: no answer within {seconds} s (tried {attempts} time(s))")]
    Timeout {
        url: String,
        seconds: u64,
        attempts: u32,
    },
    #[error("{url}: {}: {} (tried {attempts} time(s))", if *.sent { "the connection broke before the whole answer came" } else { "cannot connect" }, shown(.why))]
    Connect {
        url: String,
        why: String,
        attempts: u32,
        /// The request may have reached the server (the connection broke after it was sent), as
        /// opposed to no connection at all.
        sent: bool,
    },
    /// The answer's body did not arrive whole: the connection broke, or it disagrees with its
    /// Content-Length, or it is larger than [`MAX_BODY_BYTES`]. Never taken as what the server holds.
    #[error("{url}: {}", incomplete_words(*.got, *.expected, .why))]
    Incomplete {
        url: String,
        got: u64,
        expected: Option<u64>,
        why: String,
        /// The request was sent (a write may have been applied).
        sent: bool,
    },
    #[error("{url}: the server asked to wait {seconds} s (Retry-After), longer than allowed")]
    WaitTooLong { url: String, seconds: u64 },
    /// The server's certificate was refused: never retried, nothing was sent.
    #[error("{url}: {refusal}")]
    Certificate {
        url: String,
        refusal: Box<crate::tls::Refusal>,
    },
    /// The TLS handshake failed for another reason: never retried, nothing was sent.
    #[error("{url}: the TLS handshake failed: {why}")]
    Handshake { url: String, why: String },
    #[error("cancelled")]
    Cancelled,
    #[error("cannot set up HTTPS: {0}")]
    Setup(String),
}

/// "the answer was cut off after 1,500 of 3,100 bytes (connection reset)".
fn incomplete_words(got: u64, expected: Option<u64>, why: &str) -> String {
    let reason = if why.is_empty() {
        String::new()
    } else {
        format!(" ({why})")
    };
    match expected {
        Some(total) if got < total => format!(
            "the answer was cut off after {} of {} bytes{reason}",
            grouped(got),
            grouped(total)
        ),
        Some(total) => format!(
            "the answer holds {} bytes where its Content-Length says {}{reason}",
            grouped(got),
            grouped(total)
        ),
        None => format!(
            "the answer was cut off after {} bytes{reason}",
            grouped(got)
        ),
    }
}

/// 3100 → "3,100".
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whether `url` names this machine (`localhost`, 127.0.0.0/8, `::1`): such a request never goes
/// through a proxy, as Windows' "bypass proxy for local addresses" and curl's defaults have it — a
/// sandbox rehearsal or a local stand-in must not be tunnelled to a corporate proxy.
pub fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks the scheme: https, or http to a loopback address.
pub fn check_url(url: &str) -> Result<reqwest::Url, HttpError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| HttpError::BadUrl { url: url.into() })?;
    // A credential in a URL would be sent to the server and written wherever the URL is shown:
    // refused here too, whatever let it through, and shown without it.
    if !parsed.username().is_empty() || parsed.password().is_some() {
        let mut shown = parsed.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        return Err(HttpError::CredentialsInUrl {
            url: shown.to_string(),
        });
    }
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" => {
            if is_loopback(&parsed) {
                Ok(parsed)
            } else {
                Err(HttpError::Insecure { url: url.into() })
            }
        }
        _ => Err(HttpError::BadUrl { url: url.into() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_rules() {
        let p = RetryPolicy::default();
        assert_eq!(decide(Attempt::Answer(200), None, 1, true, &p), Next::Done);
        for status in [400, 401, 403, 404, 409, 500] {
            assert_eq!(
                decide(Attempt::Answer(status), None, 1, true, &p),
                Next::Done,
                "{status}"
            );
        }
        assert_eq!(
            decide(Attempt::Answer(429), Some("3"), 1, true, &p),
            Next::RetryAfter(Duration::from_secs(3))
        );
        assert_eq!(
            decide(Attempt::Answer(429), Some("3600"), 1, true, &p),
            Next::GiveUp
        );
        // The longest wait allowed is waited for; one second more is not, and is named.
        assert_eq!(wait_too_long(429, Some("120"), &p), None);
        assert_eq!(wait_too_long(429, Some(" 121 "), &p), Some(121));
        assert_eq!(wait_too_long(503, Some("121"), &p), None);
        assert_eq!(wait_too_long(429, None, &p), None);
        assert_eq!(
            decide(Attempt::Answer(429), Some("120"), 1, true, &p),
            Next::RetryAfter(Duration::from_secs(120))
        );
        assert_eq!(
            decide(Attempt::Answer(429), Some("121"), 1, true, &p),
            Next::GiveUp
        );
        // An HTTP-date Retry-After is not read: the backoff applies.
        assert_eq!(
            decide(
                Attempt::Answer(429),
                Some("Wed, 21 Oct 2026 07:28:00 GMT"),
                2,
                true,
                &p
            ),
            Next::RetryAfter(Duration::from_secs(1))
        );
        assert_eq!(
            decide(Attempt::Answer(503), None, 1, true, &p),
            Next::RetryAfter(Duration::from_millis(500))
        );
        assert_eq!(
            decide(Attempt::Answer(502), None, 3, true, &p),
            Next::RetryAfter(Duration::from_secs(2))
        );
        assert_eq!(
            decide(Attempt::Answer(504), None, 4, true, &p),
            Next::GiveUp
        );
        // A POST with no answer may have been applied: not sent again.
        assert_eq!(decide(Attempt::NoAnswer, None, 1, false, &p), Next::Done);
        // Not connected: nothing was sent, so even a POST is tried again.
        assert_eq!(
            decide(Attempt::NotConnected, None, 1, false, &p),
            Next::RetryAfter(Duration::from_millis(500))
        );
        assert_eq!(
            decide(Attempt::Answer(503), None, 1, false, &p),
            Next::RetryAfter(Duration::from_millis(500))
        );
        assert_eq!(
            decide(Attempt::NoAnswer, None, 2, true, &p),
            Next::RetryAfter(Duration::from_secs(1))
        );
        let long = RetryPolicy { attempts: 40, ..p };
        assert_eq!(
            decide(Attempt::Answer(503), None, 39, true, &long),
            Next::RetryAfter(Duration::from_secs(8))
        );
    }

    #[test]
    fn a_response_debug_never_shows_its_body() {
        let response = Response {
            status: 200,
            retry_after: None,
            correlation_id: None,
            content_type: Some("application/json".into()),
            body: br#"{"access_token":"tok-abc123-secret"}"#.to_vec(),
        };
        let shown = format!("{response:?}");
        assert!(!shown.contains("tok-abc123"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(check_url("https://api.euw2.pure.cloud/x").is_ok());
        assert!(check_url("http://127.0.0.1:8080/x").is_ok());
        assert!(check_url("http://[::1]:8080/x").is_ok());
        assert!(check_url("http://localhost/x").is_ok());
        assert!(matches!(
            check_url("http://sbc.example.net/x"),
            Err(HttpError::Insecure { .. })
        ));
        assert!(matches!(
            check_url("ftp://x/"),
            Err(HttpError::BadUrl { .. })
        ));
        assert!(matches!(
            check_url("not a url"),
            Err(HttpError::BadUrl { .. })
        ));
    }
}
