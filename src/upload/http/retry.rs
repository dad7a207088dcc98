//! When to try again: the retry rules (which statuses, how long, Retry-After) as pure functions.

use super::*;

/// When to retry.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The first backoff; doubled each time.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A Retry-After longer than this is not waited for.
    pub max_retry_after: Duration,
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(120),
            timeout: Duration::from_secs(30),
        }
    }
}

/// What to do after an answer (or no answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Hand the answer to the caller (success, or an error the caller handles: 401, 403, 409, 4xx).
    Done,
    /// Wait, then send again.
    RetryAfter(Duration),
    /// Give up: the retry budget is spent, or the server asked for a wait longer than allowed.
    GiveUp,
}

/// What came back from one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// An HTTP answer with this status.
    Answer(u16),
    /// No connection was made (refused, DNS, TLS handshake): the request was not sent.
    NotConnected,
    /// Sent, but no (complete) answer in time: it may have been applied.
    NoAnswer,
}

/// The retry decision for attempt number `attempt` (1-based). A request that got no answer is sent
/// again only if it is `idempotent`: a POST that timed out may have been applied.
/// Pure, so the rules are tested (and fuzzed) without a server.
pub fn decide(
    outcome: Attempt,
    retry_after: Option<&str>,
    attempt: u32,
    idempotent: bool,
    policy: &RetryPolicy,
) -> Next {
    let status = match outcome {
        Attempt::Answer(status) => status,
        Attempt::NotConnected => 0,
        Attempt::NoAnswer if idempotent => 0,
        Attempt::NoAnswer => return Next::Done,
    };
    let retryable = matches!(status, 0 | 429 | 502 | 503 | 504);
    if !retryable {
        return Next::Done;
    }
    if attempt >= policy.attempts {
        return Next::GiveUp;
    }
    let backoff = policy
        .base_delay
        .saturating_mul(1u32 << (attempt.saturating_sub(1)).min(16))
        .min(policy.max_delay);
    if status == 429 {
        if wait_too_long(status, retry_after, policy).is_some() {
            return Next::GiveUp;
        }
        // Retry-After is seconds (Genesys) or an HTTP date (RFC 9110), which we do not try to read:
        // then the backoff applies.
        return match retry_after.and_then(|v| v.trim().parse::<u64>().ok()) {
            Some(seconds) => Next::RetryAfter(Duration::from_secs(seconds)),
            None => Next::RetryAfter(backoff),
        };
    }
    Next::RetryAfter(backoff)
}

/// The seconds a 429 asks to wait, when that is longer than the policy allows (then the request
/// is given up, and the error says so).
pub fn wait_too_long(status: u16, retry_after: Option<&str>, policy: &RetryPolicy) -> Option<u64> {
    retry_after
        .filter(|_| status == 429)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|seconds| Duration::from_secs(*seconds) > policy.max_retry_after)
}
