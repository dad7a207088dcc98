//! One connection to an API: rustls with our trust, the proxy, timeouts, a cancel flag, and each request sent with the retry rules and read whole.

use super::*;

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
    pub(super) client: reqwest::blocking::Client,
    /// The same client without any proxy, for loopback addresses ([`is_loopback`]).
    pub(super) direct: reqwest::blocking::Client,
    /// Which proxy each request goes through ([`crate::proxy`]).
    pub(super) proxy: crate::proxy::Settings,
    /// Where the verifier leaves why it refused a server.
    pub(super) refused: crate::tls::RefusalSlot,
    pub policy: RetryPolicy,
    pub credentials: Credentials,
    pub exchanges: Vec<Exchange>,
    pub(super) cancel: Arc<AtomicBool>,
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

    pub(super) fn cancelled(&self) -> bool {
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
    pub(super) fn wait(&self, how_long: Duration) -> Result<(), HttpError> {
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
            let answer = self.attempt(request, &url);
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
            return self.final_result(answer, outcome, &shown_url, attempt);
        }
    }

    /// One attempt: the request built (its credentials when it is authorised, its body) and sent,
    /// its answer read whole. The whole exchange, body included, within the timeout.
    fn attempt(&self, request: &Request, url: &reqwest::Url) -> Result<Response, Failure> {
        // The whole exchange, body included, within the timeout: reqwest's per-request timeout
        // covers the body too (the client's own timeout is per read, which a trickling server
        // can stretch without end).
        let client = if is_loopback(url) {
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
        builder
            .send()
            .map_err(Failure::Request)
            .and_then(|r| read(r).map_err(Failure::Body))
    }

    /// The last attempt's answer as the caller gets it: the response, or why there is none.
    fn final_result(
        &self,
        answer: Result<Response, Failure>,
        outcome: Attempt,
        shown_url: &str,
        attempt: u32,
    ) -> Result<Response, HttpError> {
        match answer {
            Ok(r) => match wait_too_long(r.status, r.retry_after.as_deref(), &self.policy) {
                Some(seconds) => Err(HttpError::WaitTooLong {
                    url: shown_url.to_string(),
                    seconds,
                }),
                None => Ok(r),
            },
            Err(Failure::Body(cut)) if !cut.timed_out => Err(HttpError::Incomplete {
                url: shown_url.to_string(),
                got: cut.got,
                expected: cut.expected,
                why: cut.why,
                sent: true,
            }),
            Err(Failure::Body(_)) => Err(HttpError::Timeout {
                url: shown_url.to_string(),
                seconds: self.policy.timeout.as_secs(),
                attempts: attempt,
            }),
            Err(Failure::Request(e)) if e.is_timeout() => Err(HttpError::Timeout {
                url: shown_url.to_string(),
                seconds: self.policy.timeout.as_secs(),
                attempts: attempt,
            }),
            Err(Failure::Request(e)) => Err(HttpError::Connect {
                url: shown_url.to_string(),
                why: describe(&e),
                attempts: attempt,
                sent: outcome == Attempt::NoAnswer,
            }),
        }
    }
}

impl Connection {
    /// The TLS failure behind `error`, in words: a refused certificate (as the verifier recorded it)
    /// or another handshake failure.
    pub(super) fn tls_failure(&self, url: &str, error: &reqwest::Error) -> Option<HttpError> {
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
pub(super) fn describe(e: &reqwest::Error) -> String {
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
pub(super) enum Failure {
    /// No answer at all (connection, TLS, time).
    Request(reqwest::Error),
    /// An answer whose body did not arrive whole.
    Body(Cut),
}

/// A body that did not arrive whole.
pub(super) struct Cut {
    pub(super) got: u64,
    pub(super) expected: Option<u64>,
    pub(super) why: String,
    pub(super) timed_out: bool,
}

/// Reads the answer whole, or says why it is not whole: a body cut short by the connection, one that
/// disagrees with its Content-Length, one over [`MAX_BODY_BYTES`], or the time running out. A partial
/// body is never handed on: what a target holds must come from a complete read.
pub(super) fn read(response: reqwest::blocking::Response) -> Result<Response, Cut> {
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

/// The innermost cause of an I/O error, in words. A connection closed before the end of the answer
/// is said so: rustls's own text for it ("peer closed connection without sending TLS
/// close_notify: https://docs.rs/…") speaks to a Rust programmer, not to the admin.
pub(super) fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut source: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = source.source() {
        source = next;
    }
    match source.downcast_ref::<std::io::Error>() {
        Some(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the server closed the connection before the end".into()
        }
        _ => source.to_string(),
    }
}
