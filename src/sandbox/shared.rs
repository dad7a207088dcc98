//! What every imitated API shares: injected faults, tampered answers, ids, times and HTTP Basic.

use super::*;

/// A fresh id in the UUID form Genesys uses for correlation ids.
pub(super) fn correlation_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{:08x}-5a4d-4b00-8c1e-{:012x}",
        rand_id(),
        n & 0xffff_ffff_ffff
    )
}

/// The time as the API writes it: ISO 8601 in UTC with milliseconds (`2026-12-01T10:48:11.123Z`).
pub(super) fn api_time() -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::now_utc()
        .format(format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_string())
}

/// When a tamper is set (and then cleared): the PEM without its last certificate, or its
/// certificates in reverse order.
pub(super) fn tampered(flag: &mut Option<Tamper>, pem: String) -> String {
    let Some(how) = flag.take() else {
        return pem;
    };
    let end = "-----END CERTIFICATE-----";
    let mut blocks: Vec<String> = pem
        .split_inclusive(end)
        .filter(|b| b.contains(end))
        .map(|b| format!("{}\n", b.trim()))
        .collect();
    match how {
        Tamper::DropLast => {
            blocks.pop();
        }
        Tamper::Reverse => blocks.reverse(),
    }
    blocks.concat()
}

pub(super) fn rand_id() -> u32 {
    // Correlation ids only need to differ between requests; the clock (and a counter) do here.
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

/// The first queued fault (not a spoiling one) for a request seen as `path` ("METHOD /path"),
/// removed from the queue; a tampering fault is armed for the next write instead of answered.
pub(super) fn take_fault(state: &Shared, path: &str) -> Option<Fault> {
    let mut s = state.lock().ok()?;
    s.requests += 1;
    let write = ["PUT ", "POST ", "PATCH "]
        .iter()
        .any(|m| path.starts_with(m))
        .then(|| {
            format!(
                "WRITE {}",
                path.split_once(' ').map(|x| x.1).unwrap_or(path)
            )
        });
    let at = s.faults.iter().position(|f| {
        f.spoil.is_none()
            && (f.path_contains.is_empty()
                || path.contains(&f.path_contains)
                || write.as_ref().is_some_and(|w| w.contains(&f.path_contains)))
    });
    let fault = at.and_then(|i| s.faults.remove(i));
    if let Some(f) = fault.as_ref().filter(|f| f.tamper || f.reorder) {
        s.tamper = Some(if f.reorder {
            Tamper::Reverse
        } else {
            Tamper::DropLast
        });
        None
    } else {
        fault
    }
}

/// Whether the request carries HTTP Basic `CLIENT_ID` with the client's secret (or one accepted
/// besides it).
pub(super) fn basic_ok(state: &Shared, headers: &HeaderMap) -> bool {
    secrets(state)
        .iter()
        .any(|secret| basic_is(headers, CLIENT_ID, secret))
}

/// The secrets accepted: [`CLIENT_SECRET`] and those added with [`Handle::accept_secret`].
pub(super) fn secrets(state: &Shared) -> Vec<String> {
    let mut all = vec![CLIENT_SECRET.to_string()];
    if let Ok(s) = state.lock() {
        all.extend(s.secrets.iter().cloned());
    }
    all
}

/// Whether the request carries HTTP Basic `user:password`.
pub(super) fn basic_is(headers: &HeaderMap, user: &str, password: &str) -> bool {
    use base64::Engine as _;
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Basic {expected}"))
}

pub(super) async fn add_fault(State(state): State<Shared>, Json(fault): Json<Fault>) -> Response {
    if let Ok(mut s) = state.lock() {
        s.faults.push_back(fault);
    }
    StatusCode::NO_CONTENT.into_response()
}
