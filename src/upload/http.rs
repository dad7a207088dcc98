//! The upload client's HTTP layer: HTTPS through rustls (plain `http://` only to a loopback address),
//! a timeout on every request, retries by a fixed policy, and a record of every exchange for the audit
//! log. Authorization headers are attached here and never recorded.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;

use super::secret::Secret;

/// One request, as built by a target (and as shown by `--dry-run`, without its credentials). Its
/// `Debug` shows the body's length only: a body may carry a private key.
#[derive(Clone)]
pub struct Request {
    pub method: reqwest::Method,
    pub url: String,
    /// `(content type, body)`.
    pub body: Option<(String, Vec<u8>)>,
    /// Ask the connection to add its credentials.
    pub authorized: bool,
    /// The body holds a secret (a private key): [`Request::describe`] shows only its size.
    pub secret_body: bool,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field(
                "body",
                &self
                    .body
                    .as_ref()
                    .map(|(kind, b)| format!("{kind}, <{} bytes, redacted>", b.len())),
            )
            .finish()
    }
}

impl Request {
    pub fn get(url: impl Into<String>) -> Self {
        Self {
            method: reqwest::Method::GET,
            url: url.into(),
            body: None,
            authorized: true,
            secret_body: false,
        }
    }

    pub fn json(method: reqwest::Method, url: impl Into<String>, body: &serde_json::Value) -> Self {
        Self {
            method,
            url: url.into(),
            body: Some((
                "application/json".into(),
                serde_json::to_vec(body).unwrap_or_default(),
            )),
            authorized: true,
            secret_body: false,
        }
    }

    /// A `multipart/form-data` request with one file part `field` (`filename`, `bytes`), as a
    /// browser's file upload sends it (RFC 7578), and text parts `fields`. Built here rather than
    /// with reqwest's `multipart::Form`: a form is consumed by sending, and a retried request must
    /// send the same bytes again.
    pub fn multipart(
        method: reqwest::Method,
        url: impl Into<String>,
        field: &str,
        filename: &str,
        bytes: &[u8],
        fields: &[(&str, &str)],
    ) -> Self {
        // The boundary must not occur in the parts: PEM text never holds this run of characters.
        let boundary = "----chainsmith-7d1f0c2a9be54e31a4";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        Self {
            method,
            url: url.into(),
            body: Some((format!("multipart/form-data; boundary={boundary}"), body)),
            authorized: true,
            secret_body: false,
        }
    }

    /// This request's body carries a secret (a private key): never shown, not even by a dry run.
    pub fn secret(mut self) -> Self {
        self.secret_body = true;
        self
    }

    /// How `--dry-run` prints it: method, URL, content type and body; the credentials as a marker.
    pub fn describe(&self, auth: &str) -> String {
        let mut out = format!("{} {}\n", self.method, self.url);
        if self.authorized && !auth.is_empty() {
            out.push_str(&format!("  Authorization: {auth} <redacted>\n"));
        }
        if let Some((kind, body)) = &self.body {
            out.push_str(&format!("  Content-Type: {kind}\n"));
            if self.secret_body {
                out.push_str(&format!(
                    "  | <{} bytes holding the private key, not shown>\n",
                    body.len()
                ));
                return out;
            }
            let text = serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
            for line in text.lines() {
                out.push_str(&format!("  | {line}\n"));
            }
        }
        out
    }
}

/// An answer, read whole (bodies are capped at [`MAX_BODY_BYTES`]). Its `Debug` shows the body's
/// length only: a token answer holds the access token.
#[derive(Clone)]
pub struct Response {
    pub status: u16,
    pub retry_after: Option<String>,
    pub correlation_id: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("retry_after", &self.retry_after)
            .field("correlation_id", &self.correlation_id)
            .field("content_type", &self.content_type)
            .field(
                "body",
                &format_args!("<{} bytes, redacted>", self.body.len()),
            )
            .finish()
    }
}

impl Response {
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The `contextId` of a Genesys error body, else the correlation header.
    pub fn correlation(&self) -> Option<String> {
        self.json()
            .and_then(|v| {
                v.get("contextId")
                    .and_then(|c| c.as_str())
                    .map(String::from)
            })
            .or_else(|| self.correlation_id.clone())
    }

    /// The message an error body carries (`message`, `error_description`, `description`, `error`), or
    /// the start of a text body.
    pub fn message(&self) -> String {
        if let Some(v) = self.json() {
            for key in ["message", "error_description", "description", "error"] {
                if let Some(text) = v.get(key).and_then(|m| m.as_str()) {
                    return text.to_string();
                }
            }
        }
        let text = String::from_utf8_lossy(&self.body);
        text.chars()
            .take(200)
            .collect::<String>()
            .trim()
            .to_string()
    }
}

/// The largest answer read (a certificate authority list with many entries stays far below).
pub const MAX_BODY_BYTES: u64 = 4 * 1024 * 1024;

/// One request and its final answer, for the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    pub method: String,
    pub url: String,
    /// The final status (0: no answer).
    pub status: u16,
    pub attempts: u32,
    /// Time spent waiting between attempts (Retry-After, backoff).
    pub waited_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// The proxy it went through (`host:port`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

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

/// Why a request got no usable answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    #[error("{url}: plain http:// is only allowed to a loopback address; use https://")]
    Insecure { url: String },
    #[error("{}", if url.trim().is_empty() { "a URL is empty: enter it".to_string() } else { format!("{url}: not a valid URL") })]
    BadUrl { url: String },
    #[error(
        "{url}: the URL carries credentials (user:password@), which are never sent or written; give the secret through an environment variable, the OS keychain or the prompt"
    )]
    CredentialsInUrl { url: String },
    #[error("{url}: no answer within {seconds} s (tried {attempts} time(s))")]
    Timeout {
        url: String,
        seconds: u64,
        attempts: u32,
    },
    #[error("{url}: {}: {why} (tried {attempts} time(s))", if *.sent { "the connection broke before the whole answer came" } else { "cannot connect" })]
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

/// How the connection authorizes requests.
#[derive(Debug, Clone)]
pub enum Credentials {
    None,
    Bearer(Secret),
    Basic { user: String, password: Secret },
}

impl Credentials {
    /// The scheme word for `--dry-run` (`Bearer`, `Basic`).
    pub fn scheme(&self) -> &'static str {
        match self {
            Credentials::None => "",
            Credentials::Bearer(_) => "Bearer",
            Credentials::Basic { .. } => "Basic",
        }
    }
}

/// A client plus its policy, credentials and record.
pub struct Connection {
    client: reqwest::blocking::Client,
    /// The same client without any proxy, for loopback addresses ([`is_loopback`]).
    direct: reqwest::blocking::Client,
    /// Which proxy each request goes through ([`crate::proxy`]).
    proxy: crate::proxy::Settings,
    /// Where the verifier leaves why it refused a server.
    refused: crate::tls::RefusalSlot,
    pub policy: RetryPolicy,
    pub credentials: Credentials,
    pub exchanges: Vec<Exchange>,
    cancel: Arc<AtomicBool>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("policy", &self.policy)
            .field("credentials", &self.credentials)
            .field("exchanges", &self.exchanges)
            .finish()
    }
}

impl Connection {
    /// `trust`: what is trusted for the API beyond the system roots (`--ca-file`, pins). Proxies as
    /// the system has them.
    pub fn new(
        policy: RetryPolicy,
        trust: &crate::tls::Trust,
        cancel: Arc<AtomicBool>,
    ) -> Result<Self, HttpError> {
        let proxy = crate::proxy::Settings::of(&crate::proxy::ProxyChoice::System);
        Self::with_proxy(policy, trust, cancel, proxy)
    }

    /// [`Connection::new`], through the proxies `proxy` names.
    pub fn with_proxy(
        policy: RetryPolicy,
        trust: &crate::tls::Trust,
        cancel: Arc<AtomicBool>,
        proxy: crate::proxy::Settings,
    ) -> Result<Self, HttpError> {
        let (tls, refused) =
            crate::tls::client_config(trust).map_err(|e| HttpError::Setup(e.to_string()))?;
        let builder = || {
            reqwest::blocking::Client::builder()
                .timeout(policy.timeout)
                .connect_timeout(policy.timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("chainsmith/", env!("CARGO_PKG_VERSION")))
                .tls_backend_preconfigured(tls.clone())
        };
        // Chainsmith decides the proxy of each request itself (so that it can name it); reqwest's
        // own reading of the system's is replaced by that decision.
        let decide = proxy.clone();
        let client = builder()
            .proxy(reqwest::Proxy::custom(move |url| decide.for_url(url)))
            .build()
            .map_err(|e| HttpError::Setup(e.to_string()))?;
        let direct = builder()
            .no_proxy()
            .build()
            .map_err(|e| HttpError::Setup(e.to_string()))?;
        Ok(Self {
            client,
            direct,
            proxy,
            refused,
            policy,
            credentials: Credentials::None,
            exchanges: Vec::new(),
            cancel,
        })
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The proxy a request to `url` goes through (`host:port`), if any.
    pub fn via(&self, url: &str) -> Option<String> {
        let url = reqwest::Url::parse(url).ok()?;
        self.proxy.for_url(&url).map(|p| crate::proxy::shown(&p))
    }

    /// Waits `how_long` (a target's own backoff), stopping at Cancel.
    pub fn pause(&self, how_long: Duration) -> Result<(), HttpError> {
        self.wait(how_long)
    }

    /// Sleeps in small steps so Cancel is seen.
    fn wait(&self, how_long: Duration) -> Result<(), HttpError> {
        let until = std::time::Instant::now() + how_long;
        while std::time::Instant::now() < until {
            if self.cancelled() {
                return Err(HttpError::Cancelled);
            }
            std::thread::sleep(Duration::from_millis(50).min(until - std::time::Instant::now()));
        }
        Ok(())
    }

    /// Sends `request`, retrying as [`decide`] says. Any final answer is returned, error statuses included.
    pub fn send(&mut self, request: &Request) -> Result<Response, HttpError> {
        let url = check_url(&request.url)?;
        // Errors name the proxy the request went through: a proxy's refusal reads as the server's
        // otherwise.
        let via = self.proxy.for_url(&url).map(|p| crate::proxy::shown(&p));
        let shown_url = match &via {
            Some(p) => format!("{} (via proxy {p})", request.url),
            None => request.url.clone(),
        };
        let mut attempt = 0;
        let mut waited = Duration::ZERO;
        loop {
            attempt += 1;
            if self.cancelled() {
                return Err(HttpError::Cancelled);
            }
            // The whole exchange, body included, within the timeout: reqwest's per-request timeout
            // covers the body too (the client's own timeout is per read, which a trickling server
            // can stretch without end).
            let client = if is_loopback(&url) {
                &self.direct
            } else {
                &self.client
            };
            let mut builder = client
                .request(request.method.clone(), url.clone())
                .timeout(self.policy.timeout);
            if request.authorized {
                builder = match &self.credentials {
                    Credentials::None => builder,
                    Credentials::Bearer(token) => builder.bearer_auth(token.expose()),
                    Credentials::Basic { user, password } => {
                        builder.basic_auth(user, Some(password.expose()))
                    }
                };
            }
            if let Some((kind, body)) = &request.body {
                builder = builder
                    .header(reqwest::header::CONTENT_TYPE, kind)
                    .body(body.clone());
            }
            if let Ok(mut slot) = self.refused.lock() {
                *slot = None;
            }
            let answer = builder
                .send()
                .map_err(Failure::Request)
                .and_then(|r| read(r).map_err(Failure::Body));
            // A refused certificate or a failed handshake never heals by sending again.
            if let Err(Failure::Request(e)) = &answer
                && let Some(failure) = self.tls_failure(&shown_url, e)
            {
                self.exchanges.push(Exchange {
                    method: request.method.to_string(),
                    url: request.url.clone(),
                    status: 0,
                    attempts: attempt,
                    waited_ms: waited.as_millis() as u64,
                    correlation_id: None,
                    via: via.clone(),
                });
                return Err(failure);
            }
            let (outcome, status, retry_after) = match &answer {
                Ok(r) => (Attempt::Answer(r.status), r.status, r.retry_after.clone()),
                Err(Failure::Request(e)) if e.is_connect() => (Attempt::NotConnected, 0, None),
                Err(_) => (Attempt::NoAnswer, 0, None),
            };
            let idempotent =
                request.method != reqwest::Method::POST && request.method != reqwest::Method::PATCH;
            match decide(
                outcome,
                retry_after.as_deref(),
                attempt,
                idempotent,
                &self.policy,
            ) {
                Next::RetryAfter(delay) => {
                    self.wait(delay)?;
                    waited += delay;
                    continue;
                }
                Next::Done | Next::GiveUp => {}
            }
            self.exchanges.push(Exchange {
                method: request.method.to_string(),
                url: request.url.clone(),
                status,
                attempts: attempt,
                waited_ms: waited.as_millis() as u64,
                correlation_id: answer.as_ref().ok().and_then(Response::correlation),
                via: via.clone(),
            });
            return match answer {
                Ok(r) => match wait_too_long(r.status, r.retry_after.as_deref(), &self.policy) {
                    Some(seconds) => Err(HttpError::WaitTooLong {
                        url: shown_url.clone(),
                        seconds,
                    }),
                    None => Ok(r),
                },
                Err(Failure::Body(cut)) if !cut.timed_out => Err(HttpError::Incomplete {
                    url: shown_url.clone(),
                    got: cut.got,
                    expected: cut.expected,
                    why: cut.why,
                    sent: true,
                }),
                Err(Failure::Body(_)) => Err(HttpError::Timeout {
                    url: shown_url.clone(),
                    seconds: self.policy.timeout.as_secs(),
                    attempts: attempt,
                }),
                Err(Failure::Request(e)) if e.is_timeout() => Err(HttpError::Timeout {
                    url: shown_url.clone(),
                    seconds: self.policy.timeout.as_secs(),
                    attempts: attempt,
                }),
                Err(Failure::Request(e)) => Err(HttpError::Connect {
                    url: shown_url.clone(),
                    why: describe(&e),
                    attempts: attempt,
                    sent: outcome == Attempt::NoAnswer,
                }),
            };
        }
    }
}

impl Connection {
    /// The TLS failure behind `error`, in words: a refused certificate (as the verifier recorded it)
    /// or another handshake failure.
    fn tls_failure(&self, url: &str, error: &reqwest::Error) -> Option<HttpError> {
        if let Some(refusal) = self.refused.lock().ok().and_then(|mut s| s.take()) {
            return Some(HttpError::Certificate {
                url: url.to_string(),
                refusal: Box::new(refusal),
            });
        }
        crate::tls::handshake_failure(error).map(|why| HttpError::Handshake {
            url: url.to_string(),
            why,
        })
    }
}

/// The innermost cause of a reqwest error (the TLS or socket reason), which is what an admin can act on.
fn describe(e: &reqwest::Error) -> String {
    let why = innermost(e);
    if why.contains("tunnel error") {
        // hyper-util's words for a CONNECT the proxy did not answer with 200.
        return format!(
            "the proxy refused to open a tunnel to the server ({why}); check the proxy's address and whether it allows this host, or choose another with --proxy"
        );
    }
    why
}

/// Why one attempt got no usable answer.
enum Failure {
    /// No answer at all (connection, TLS, time).
    Request(reqwest::Error),
    /// An answer whose body did not arrive whole.
    Body(Cut),
}

/// A body that did not arrive whole.
struct Cut {
    got: u64,
    expected: Option<u64>,
    why: String,
    timed_out: bool,
}

/// Reads the answer whole, or says why it is not whole: a body cut short by the connection, one that
/// disagrees with its Content-Length, one over [`MAX_BODY_BYTES`], or the time running out. A partial
/// body is never handed on: what a target holds must come from a complete read.
fn read(response: reqwest::blocking::Response) -> Result<Response, Cut> {
    use std::io::Read as _;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let status = response.status().as_u16();
    let retry_after = header("retry-after");
    let correlation_id = header("inin-correlation-id").or_else(|| header("x-correlation-id"));
    let content_type = header("content-type");
    let expected = response.content_length();
    let mut body = Vec::new();
    let mut limited = response.take(MAX_BODY_BYTES + 1);
    if let Err(e) = limited.read_to_end(&mut body) {
        let timed_out = e.kind() == std::io::ErrorKind::TimedOut
            || e.get_ref()
                .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
                .is_some_and(reqwest::Error::is_timeout);
        return Err(Cut {
            got: body.len() as u64,
            expected,
            why: innermost(&e),
            timed_out,
        });
    }
    let got = body.len() as u64;
    if got > MAX_BODY_BYTES {
        return Err(Cut {
            got,
            expected,
            why: format!(
                "larger than the {} bytes Chainsmith reads",
                grouped(MAX_BODY_BYTES)
            ),
            timed_out: false,
        });
    }
    if let Some(total) = expected
        && total != got
    {
        return Err(Cut {
            got,
            expected,
            why: String::new(),
            timed_out: false,
        });
    }
    Ok(Response {
        status,
        retry_after,
        correlation_id,
        content_type,
        body,
    })
}

/// The innermost cause of an I/O error, in words.
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
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
