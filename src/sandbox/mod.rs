//! `chainsmith sandbox`: a local HTTPS server that behaves like the Genesys Cloud endpoints an upload
//! uses (token, trunks, certificate authorities with versions) and like a generic REST trunk endpoint,
//! with switches to inject failures, and like an AudioCodes SBC's TLS contexts ([`audiocodes`]), whose
//! certificate a second TLS listener serves. Admins rehearse a rotation against it; tests run against
//! it over real TLS.

pub mod audiocodes;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The client the sandbox accepts (its secret is only a rehearsal value).
pub const CLIENT_ID: &str = "sandbox-client";
/// The rehearsal client secret.
pub const CLIENT_SECRET: &str = "sandbox-secret";

/// A failure to inject into the next matching requests. `Default`: status 0 (only the delay, none),
/// any request, no tampering.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Fault {
    /// HTTP status to answer (401, 403, 409, 429, 500, 502, 503, 504, …); 0 = only the delay.
    pub status: u16,
    /// For 429: the Retry-After seconds.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Wait this long before answering.
    #[serde(default)]
    pub delay_ms: u64,
    /// Only requests whose "METHOD /path" contains this (empty: any API request), e.g.
    /// `PUT /certificateauthorities/`, `GET /trunk-api/`, `WRITE /trunk-api/` (PUT, POST or PATCH).
    #[serde(default)]
    pub path_contains: String,
    /// Instead of failing, store something other than what was sent (the last certificate dropped):
    /// rehearses a read-back that differs.
    #[serde(default)]
    pub tamper: bool,
    /// Instead of failing, store the certificates sent in reverse order: rehearses a read-back with
    /// the same certificates in another order.
    #[serde(default)]
    pub reorder: bool,
    /// Instead of failing, answer as usual but spoil the answer on the way out: rehearses a hostile
    /// or broken network between Chainsmith and the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spoil: Option<Spoil>,
}

/// How an answer is spoiled on the way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Spoil {
    /// The whole Content-Length announced, half the body sent, then the connection dropped.
    CutBody,
    /// 200 with an HTML page instead of the answer (a captive proxy, a load balancer's error page).
    Garbage,
    /// The body sent one byte every `delay_ms` (a server that trickles).
    Trickle,
}

/// How the next write is spoiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tamper {
    DropLast,
    Reverse,
}

/// A certificate authority as the sandbox stores it; answered in the shape of the official SDK model
/// `DomainCertificateAuthority` (PureCloudPlatformClientV2 `models/domain_certificate_authority.py`).
#[derive(Debug, Clone)]
struct CertificateAuthority {
    id: String,
    name: String,
    description: Option<String>,
    /// MANAGED or REMOTE, as sent.
    kind: String,
    /// A subset of SIP, PROVISION, PROVISION_PHONE, as sent.
    services: Vec<String>,
    certificate: String,
    version: u64,
    date_created: String,
    date_modified: String,
    created_by: String,
    modified_by: String,
}

#[derive(Debug, Default)]
struct Sandbox {
    tokens: Vec<String>,
    authorities: BTreeMap<String, CertificateAuthority>,
    /// Generic REST trunk endpoint: trunk id → the JSON body last PUT.
    rest_trunks: BTreeMap<String, Value>,
    faults: VecDeque<Fault>,
    /// The next write stores a tampered certificate.
    tamper: Option<Tamper>,
    next_id: u64,
    requests: u64,
    /// Every request as it arrived, in order.
    received: Vec<Received>,
    /// The AudioCodes stand-in's TLS contexts.
    audiocodes: audiocodes::Device,
}

/// A request as the sandbox received it (for tests and rehearsals: what was really sent, in what
/// order). The body is kept only by its length; no header but the content type is kept, so no
/// credential is ever stored here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub method: String,
    /// The path and query.
    pub path: String,
    pub content_type: Option<String>,
    pub at: std::time::SystemTime,
}

type Shared = Arc<Mutex<Sandbox>>;

/// A running sandbox.
pub struct Handle {
    pub address: SocketAddr,
    /// Where the AudioCodes stand-in serves TLS context [`audiocodes::SIP_CONTEXT`] (its SIP TLS
    /// port): what a probe after a change sees.
    pub sip_address: SocketAddr,
    /// The certificate the sandbox serves (PEM; its own self-signed one unless given): trust it with
    /// `--ca-file`.
    pub certificate_pem: String,
    state: Shared,
    _runtime: tokio::runtime::Runtime,
}

impl Handle {
    /// `https://127.0.0.1:PORT`.
    /// Puts a certificate chain and key in an AudioCodes stand-in context (as an admin would by hand).
    pub fn audiocodes_install(&self, context: u32, chain_pem: &str, key_pem: &str) {
        if let Ok(mut s) = self.state.lock() {
            s.audiocodes.install(context, chain_pem, key_pem);
        }
    }

    /// The AudioCodes stand-in's state now.
    pub fn audiocodes(&self) -> Option<audiocodes::Device> {
        self.state.lock().ok().map(|s| s.audiocodes.clone())
    }

    pub fn base_url(&self) -> String {
        format!("https://{}", self.address)
    }

    /// Queues failures for the next requests (what `POST /sandbox/faults` does).
    pub fn inject(&self, fault: Fault) {
        if let Ok(mut s) = self.state.lock() {
            s.faults.push_back(fault);
        }
    }

    /// The access tokens handed out so far (tests check that none was written anywhere).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state
            .lock()
            .map(|s| s.tokens.clone())
            .unwrap_or_default()
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.state
            .lock()
            .map(|s| s.received.clone())
            .unwrap_or_default()
    }

    /// What the sandbox holds, exactly as stored (for tests that prove a rollback byte for byte):
    /// `authority name → certificate PEM` and `REST trunk id → the body last written`.
    pub fn holdings(&self) -> (BTreeMap<String, String>, BTreeMap<String, Value>) {
        self.state
            .lock()
            .map(|s| {
                (
                    s.authorities
                        .values()
                        .map(|ca| (ca.name.clone(), ca.certificate.clone()))
                        .collect(),
                    s.rest_trunks.clone(),
                )
            })
            .unwrap_or_default()
    }

    /// API requests served so far.
    pub fn requests(&self) -> u64 {
        self.state.lock().map(|s| s.requests).unwrap_or(0)
    }
}

/// Why the sandbox did not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot create the sandbox certificate: {0}")]
    Certificate(String),
    #[error("cannot listen on {address}: {why}")]
    Listen { address: String, why: String },
    #[error("cannot start the runtime: {0}")]
    Runtime(String),
}

/// Starts the sandbox on `127.0.0.1:port` (0: any free port) on its own runtime threads, with a
/// certificate of its own for `localhost` and `127.0.0.1`.
pub fn start(port: u16, faults: Vec<Fault>) -> Result<Handle, SandboxError> {
    start_serving(port, faults, None)
}

/// A certificate chain and key for the sandbox to serve instead of its own (PEM): an SBC's
/// `openssl req -x509` certificate, to rehearse trusting it.
#[derive(Debug, Clone)]
pub struct Identity {
    pub chain_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

/// [`start`], serving `identity` if given.
pub fn start_serving(
    port: u16,
    faults: Vec<Fault>,
    identity: Option<Identity>,
) -> Result<Handle, SandboxError> {
    start_with_sip(port, 0, faults, identity)
}

/// [`start_serving`], with the AudioCodes stand-in's SIP TLS listener on `sip_port` (0: any free
/// port).
pub fn start_with_sip(
    port: u16,
    sip_port: u16,
    faults: Vec<Fault>,
    identity: Option<Identity>,
) -> Result<Handle, SandboxError> {
    use rustls::pki_types::pem::PemObject as _;
    let (chain, key, certificate_pem) = match identity {
        Some(identity) => {
            let chain = crate::engine::load("the sandbox certificate", &identity.chain_pem)
                .certificates
                .iter()
                .map(|c| rustls::pki_types::CertificateDer::from(c.der.clone()))
                .collect::<Vec<_>>();
            if chain.is_empty() {
                return Err(SandboxError::Certificate(
                    "no certificate in the certificate file".into(),
                ));
            }
            let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(&identity.key_pem).map_err(
                |_| SandboxError::Certificate("no private key (PEM) in the key file".into()),
            )?;
            let pem = String::from_utf8_lossy(&identity.chain_pem).into_owned();
            (chain, key, pem)
        }
        None => {
            let key =
                rcgen::KeyPair::generate().map_err(|e| SandboxError::Certificate(e.to_string()))?;
            let mut params = rcgen::CertificateParams::new(vec![
                "localhost".to_string(),
                "127.0.0.1".to_string(),
            ])
            .map_err(|e| SandboxError::Certificate(e.to_string()))?;
            params.distinguished_name.push(
                rcgen::DnType::CommonName,
                "Chainsmith sandbox (local rehearsal)",
            );
            let cert = params
                .self_signed(&key)
                .map_err(|e| SandboxError::Certificate(e.to_string()))?;
            (
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
                cert.pem(),
            )
        }
    };
    let server_config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| SandboxError::Certificate(e.to_string()))?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| SandboxError::Certificate(e.to_string()))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| SandboxError::Runtime(e.to_string()))?;
    let wanted = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(wanted))
        .map_err(|e| SandboxError::Listen {
            address: wanted.to_string(),
            why: e.to_string(),
        })?;
    let address = listener.local_addr().map_err(|e| SandboxError::Listen {
        address: wanted.to_string(),
        why: e.to_string(),
    })?;
    let state: Shared = Arc::new(Mutex::new(Sandbox {
        faults: faults.into(),
        audiocodes: audiocodes::Device::new().map_err(SandboxError::Certificate)?,
        ..Sandbox::default()
    }));
    let sip_address = serve_sip(&runtime, state.clone(), sip_port)?;
    let app = router(state.clone());
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config));
    runtime.spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper_util::service::TowerToHyperService::new(app);
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                .await;
            });
        }
    });
    Ok(Handle {
        address,
        sip_address,
        certificate_pem,
        state,
        _runtime: runtime,
    })
}

/// The AudioCodes stand-in's SIP TLS listener on a free loopback port: each handshake gets the
/// certificate of [`audiocodes::SIP_CONTEXT`] as it is at that moment.
fn serve_sip(
    runtime: &tokio::runtime::Runtime,
    state: Shared,
    port: u16,
) -> Result<SocketAddr, SandboxError> {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| SandboxError::Certificate(e.to_string()))?
    .with_no_client_auth()
    .with_cert_resolver(Arc::new(audiocodes::Served(state)));
    let wanted = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(wanted))
        .map_err(|e| SandboxError::Listen {
            address: wanted.to_string(),
            why: e.to_string(),
        })?;
    let address = listener.local_addr().map_err(|e| SandboxError::Listen {
        address: wanted.to_string(),
        why: e.to_string(),
    })?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    runtime.spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                use tokio::io::AsyncReadExt as _;
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                // No SIP is spoken: the handshake is the point. The peer's bytes are read until
                // it closes (or for a few seconds at most).
                let mut buffer = [0u8; 1024];
                let _ = tokio::time::timeout(Duration::from_secs(5), async {
                    while matches!(tls.read(&mut buffer).await, Ok(n) if n > 0) {}
                })
                .await;
            });
        }
    });
    Ok(address)
}

fn router(state: Shared) -> Router {
    let base = EDGES;
    Router::new()
        .route("/oauth/token", post(token))
        .route(&format!("{base}/trunks"), get(trunks))
        .route(&format!("{base}/trunks/{{id}}"), get(trunk))
        .route(
            &format!("{base}/certificateauthorities"),
            get(list_authorities).post(create_authority),
        )
        .route(
            &format!("{base}/certificateauthorities/{{id}}"),
            get(get_authority)
                .put(update_authority)
                .delete(delete_authority),
        )
        .route(
            "/trunk-api/trunks/{id}/certificate",
            get(get_rest).put(put_rest).post(put_rest).patch(put_rest),
        )
        .merge(audiocodes::routes())
        .route("/sandbox/faults", post(add_fault))
        .fallback(no_such_resource)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(correlate))
        .layer(axum::middleware::from_fn_with_state(state.clone(), record))
        .with_state(state)
}

/// Notes every request as it arrives (method, path and query, content type, time).
async fn record(
    State(state): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let received = Received {
        method: request.method().to_string(),
        path: request
            .uri()
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        content_type: request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(String::from),
        at: std::time::SystemTime::now(),
    };
    let method = received.method.clone();
    let path = received
        .path
        .strip_prefix(EDGES)
        .unwrap_or(&received.path)
        .to_string();
    let spoil = match state.lock() {
        Ok(mut s) => {
            s.received.push(received);
            let seen = [
                format!("{method} {path}"),
                if matches!(method.as_str(), "PUT" | "POST" | "PATCH") {
                    format!("WRITE {path}")
                } else {
                    String::new()
                },
            ];
            let at = s.faults.iter().position(|f| {
                f.spoil.is_some()
                    && (f.path_contains.is_empty()
                        || seen.iter().any(|p| p.contains(&f.path_contains)))
            });
            at.and_then(|i| s.faults.remove(i))
        }
        Err(_) => None,
    };
    let response = next.run(request).await;
    match spoil {
        Some(fault) => spoiled(response, &fault).await,
        None => response,
    }
}

/// `response` spoiled as `fault` says.
async fn spoiled(response: Response, fault: &Fault) -> Response {
    use futures_util::StreamExt as _;
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let length = HeaderValue::from(bytes.len());
    match fault.spoil {
        Some(Spoil::CutBody) => {
            parts.headers.insert(header::CONTENT_LENGTH, length);
            let half = bytes.slice(..bytes.len() / 2);
            // The first half is sent (the pause lets the server flush it), then the connection is
            // dropped: the client has headers and part of the body.
            let stream = futures_util::stream::iter([Some(half), None]).then(|chunk| async move {
                match chunk {
                    Some(bytes) => Ok(bytes),
                    None => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        Err(std::io::Error::other("the sandbox cuts the answer off"))
                    }
                }
            });
            Response::from_parts(parts, axum::body::Body::from_stream(stream))
        }
        Some(Spoil::Trickle) => {
            parts.headers.insert(header::CONTENT_LENGTH, length);
            let delay = Duration::from_millis(fault.delay_ms.max(1));
            let stream = futures_util::stream::iter(bytes.to_vec()).then(move |b| async move {
                tokio::time::sleep(delay).await;
                Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b]))
            });
            Response::from_parts(parts, axum::body::Body::from_stream(stream))
        }
        Some(Spoil::Garbage) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>502 Bad Gateway (proxy)</body></html>",
        )
            .into_response(),
        None => Response::from_parts(parts, axum::body::Body::from(bytes)),
    }
}

/// The path of the Genesys edges API.
const EDGES: &str = "/api/v2/telephony/providers/edges";

/// The division every sandbox entity is in (the org's "Home" division).
const HOME_DIVISION: &str = "a7d3c1e2-5b6f-4c8d-9e0a-1b2c3d4e5f60";

/// An error in Genesys Cloud's shape (the official SDK model `ErrorBody`): `messageWithParams` with
/// `{name}` placeholders, the `messageParams` that fill them, `message` filled in, and a `contextId`
/// that is also the `ININ-Correlation-Id` header.
fn error_with(
    status: StatusCode,
    code: &str,
    message_with_params: &str,
    params: &[(&str, &str)],
) -> Response {
    let mut message = message_with_params.to_string();
    let mut message_params = serde_json::Map::new();
    for (name, value) in params {
        message = message.replace(&format!("{{{name}}}"), value);
        message_params.insert((*name).to_string(), Value::String((*value).to_string()));
    }
    let context = correlation_id();
    let body = json!({
        "message": message,
        "code": code,
        "status": status.as_u16(),
        "messageWithParams": message_with_params,
        "messageParams": message_params,
        "contextId": context,
        "details": [],
        "errors": [],
    });
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&context) {
        response.headers_mut().insert("inin-correlation-id", value);
    }
    response
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    error_with(status, code, message, &[])
}

fn not_found(what: &str) -> Response {
    error_with(
        StatusCode::NOT_FOUND,
        "not.found",
        "{entity} not found",
        &[("entity", what)],
    )
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "bad.request", message)
}

/// What Genesys answers to a PUT carrying a stale `version`.
fn conflict() -> Response {
    error(
        StatusCode::CONFLICT,
        "general.conflict",
        "The version supplied does not match the current version of the resource",
    )
}

/// A path no route serves: Genesys's 404, in its shape (the AudioCodes stand-in's under `/api/v1`).
async fn no_such_resource(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/v1/") {
        return audiocodes::described(StatusCode::NOT_FOUND, "Resource not found");
    }
    error(
        StatusCode::NOT_FOUND,
        "not.found",
        "The requested resource was not found",
    )
}

async fn method_not_allowed(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/v1/") {
        return audiocodes::described(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed");
    }
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method.not.allowed",
        "The requested method is not supported for this resource",
    )
}

/// An error of the OAuth endpoint, in OAuth's shape (RFC 6749 §5.2; Genesys adds `description`).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "description": description, "error_description": description})),
    )
        .into_response()
}

/// Like Genesys Cloud, every answer carries an `ININ-Correlation-Id`.
async fn correlate(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    // The AudioCodes stand-in's answers carry none: the device has no such header.
    let device = request.uri().path().starts_with("/api/v1/");
    let mut response = next.run(request).await;
    if !device
        && !response.headers().contains_key("inin-correlation-id")
        && let Ok(value) = HeaderValue::from_str(&correlation_id())
    {
        response.headers_mut().insert("inin-correlation-id", value);
    }
    response
}

/// A fresh id in the UUID form Genesys uses for correlation ids.
fn correlation_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{:08x}-5a4d-4b00-8c1e-{:012x}",
        rand_id(),
        n & 0xffff_ffff_ffff
    )
}

/// The time as the API writes it: ISO 8601 in UTC with milliseconds (`2026-12-01T10:48:11.123Z`).
fn api_time() -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::now_utc()
        .format(format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_string())
}

/// When a tamper is set (and then cleared): the PEM without its last certificate, or its
/// certificates in reverse order.
fn tampered(flag: &mut Option<Tamper>, pem: String) -> String {
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

fn rand_id() -> u32 {
    // Correlation ids only need to differ between requests; the clock (and a counter) do here.
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

/// Applies a queued fault (after its delay) or checks the bearer token. `Some`: answer with it.
async fn gate(
    state: &Shared,
    headers: &HeaderMap,
    path: &str,
    needs_token: bool,
) -> Option<Response> {
    let fault = take_fault(state, path);
    if let Some(fault) = fault {
        if fault.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
        }
        if let Ok(status) = StatusCode::from_u16(fault.status) {
            let mut response = match fault.status {
                400..=499 if path.contains("/oauth/token") => oauth_error(
                    status,
                    "invalid_client",
                    "The client could not be authenticated",
                ),
                401 => error(status, "bad.credentials", "Invalid login credentials."),
                403 => error(
                    status,
                    "missing.any.permissions",
                    "You are missing the following permission: telephony:plugin:all",
                ),
                // Some Genesys endpoints answer a stale version with a 400 that says so.
                400 if path.contains("/certificateauthorities/") => error(
                    status,
                    "bad.request",
                    "The version supplied does not match the current version of the resource",
                ),
                400 => bad_request("The request is not valid"),
                409 => conflict(),
                429 => error(
                    status,
                    "too.many.requests",
                    "Rate limit exceeded the maximum",
                ),
                _ => error(
                    status,
                    "service.unavailable",
                    "The service is temporarily unavailable",
                ),
            };
            if let Some(seconds) = fault.retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            return Some(response);
        }
    }
    if needs_token {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string);
        let known = state
            .lock()
            .ok()?
            .tokens
            .iter()
            .any(|t| Some(t) == token.as_ref());
        // The generic REST trunk endpoint also takes HTTP Basic with the sandbox client.
        let basic = path.contains("/trunk-api/") && basic_ok(headers);
        if !known && !basic {
            return Some(error(
                StatusCode::UNAUTHORIZED,
                "bad.credentials",
                "Invalid login credentials.",
            ));
        }
    }
    None
}

/// The first queued fault (not a spoiling one) for a request seen as `path` ("METHOD /path"),
/// removed from the queue; a tampering fault is armed for the next write instead of answered.
fn take_fault(state: &Shared, path: &str) -> Option<Fault> {
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

/// Whether the request carries HTTP Basic `CLIENT_ID:CLIENT_SECRET`.
fn basic_ok(headers: &HeaderMap) -> bool {
    use base64::Engine as _;
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Basic {expected}"))
}

async fn token(State(state): State<Shared>, headers: HeaderMap, body: String) -> Response {
    if let Some(r) = gate(&state, &headers, "POST /oauth/token", false).await {
        return r;
    }
    let grant = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.into_owned());
    if !basic_ok(&headers) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "client not found or bad secret",
        );
    }
    if grant.as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "the grant type is not supported by this client",
        );
    }
    let token = format!("sandbox-token-{:08x}", rand_id());
    if let Ok(mut s) = state.lock() {
        s.tokens.push(token.clone());
    }
    Json(json!({"access_token": token, "token_type": "bearer", "expires_in": 86399}))
        .into_response()
}

/// The `Division` every entity carries.
fn division() -> Value {
    json!({"id": HOME_DIVISION, "name": "Home",
           "selfUri": format!("/api/v2/authorization/divisions/{HOME_DIVISION}")})
}

/// Trunks in the shape of the official SDK model `Trunk`: a top-level `trunkMetabase`, `trunkBase` as
/// a plain reference (`DomainEntityRef`), `trunkType`, `division`, dates and `selfUri`.
fn sample_trunks() -> Vec<Value> {
    let reference = |kind: &str, id: &str, name: &str| json!({"id": id, "name": name, "selfUri": format!("{EDGES}/{kind}/{id}")});
    let trunk = |id: &str,
                 name: &str,
                 trunk_type: &str,
                 in_service: bool,
                 edge_group: Option<(&str, &str)>,
                 base: (&str, &str),
                 metabase: (&str, &str),
                 connected: (bool, &str)| {
        let mut t = json!({
            "id": id, "name": name, "division": division(), "version": 3,
            "dateCreated": "2026-03-02T09:15:00.000Z", "dateModified": connected.1,
            "state": "active", "trunkType": trunk_type,
            "inService": in_service, "enabled": true,
            "trunkBase": reference("trunkbasesettings", base.0, base.1),
            "trunkMetabase": {"id": metabase.0, "name": metabase.1},
            "connectedStatus": {"connected": connected.0, "connectedStateTime": connected.1},
            "selfUri": format!("{EDGES}/trunks/{id}"),
        });
        if let Some((group, group_name)) = edge_group {
            t["edgeGroup"] = reference("edgegroups", group, group_name);
        }
        t
    };
    let generic = ("external_sip.json", "Generic SIP");
    let byoc = ("external_sip_pcv_byoc_carrier.json", "BYOC Carrier");
    vec![
        trunk(
            "trunk-premises-1",
            "Carrier A - Premises",
            "EXTERNAL",
            true,
            Some(("eg-1", "London Edge Group")),
            ("tb-1", "Carrier A SIP TLS"),
            generic,
            (true, "2026-11-20T09:00:00.000Z"),
        ),
        trunk(
            "trunk-cloud-1",
            "Carrier B - BYOC Cloud",
            "EXTERNAL",
            false,
            None,
            ("tb-2", "Carrier B BYOC Cloud"),
            byoc,
            (false, "2026-11-25T22:10:00.000Z"),
        ),
        trunk(
            "trunk-premises-2",
            "Carrier C - Premises (standby)",
            "EXTERNAL",
            false,
            Some(("eg-2", "Manchester Edge Group")),
            ("tb-3", "Carrier C SIP TLS"),
            generic,
            (false, "2026-11-26T07:45:00.000Z"),
        ),
        // A BYOC Cloud trunk that also shows an edge group: only the metabase says what it is.
        trunk(
            "trunk-cloud-2",
            "Carrier D - BYOC Cloud",
            "EXTERNAL",
            true,
            Some(("eg-3", "Cloud Edge Group")),
            ("tb-4", "Carrier D BYOC Cloud"),
            byoc,
            (true, "2026-11-27T08:00:00.000Z"),
        ),
        // An Edge-to-Edge trunk: what the trunkType=EXTERNAL filter leaves out.
        trunk(
            "trunk-edge-1",
            "London Edge - Manchester Edge",
            "EDGE",
            true,
            Some(("eg-1", "London Edge Group")),
            ("tb-5", "Edge to Edge"),
            ("edge_to_edge.json", "Edge to Edge"),
            (true, "2026-11-28T06:30:00.000Z"),
        ),
    ]
}

/// A page request (`pageSize`, `pageNumber`) and a listing's other query parameters, read by hand so a
/// bad value is answered with Genesys's error, not a plain-text rejection.
struct Paging {
    size: usize,
    number: usize,
    /// The other parameters, as given, for the paging URIs.
    rest: Vec<(String, String)>,
}

impl Paging {
    // The error is the answer itself, built once per refused request: its size does not matter.
    #[allow(clippy::result_large_err)]
    fn read(query: &str) -> Result<Self, Response> {
        let mut paging = Paging {
            size: 25,
            number: 1,
            rest: Vec::new(),
        };
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let number = || {
                v.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    error_with(
                        StatusCode::BAD_REQUEST,
                        "bad.request",
                        "The value {value} for {field} is not a positive whole number",
                        &[("value", &v), ("field", &k)],
                    )
                })
            };
            match k.as_ref() {
                "pageSize" => paging.size = number()?.min(500),
                "pageNumber" => paging.number = number()?,
                _ => paging.rest.push((k.into_owned(), v.into_owned())),
            }
        }
        Ok(paging)
    }

    /// The listing (the official SDK models `TrunkEntityListing`, `CertificateAuthorityEntityListing`)
    /// of `all` at `path`: the page's entities, `pageCount`, and the paging URIs as the API writes them
    /// (path and query, `nextUri`/`previousUri` only when there is such a page).
    fn listing(&self, path: &str, all: Vec<Value>) -> Value {
        let total = all.len();
        let pages = total.div_ceil(self.size).max(1);
        let uri = |number: usize| {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            query.append_pair("pageSize", &self.size.to_string());
            query.append_pair("pageNumber", &number.to_string());
            for (k, v) in &self.rest {
                query.append_pair(k, v);
            }
            format!("{path}?{}", query.finish())
        };
        let entities: Vec<Value> = all
            .into_iter()
            .skip((self.number - 1).saturating_mul(self.size))
            .take(self.size)
            .collect();
        let mut listing = json!({
            "entities": entities, "pageSize": self.size, "pageNumber": self.number,
            "total": total, "pageCount": pages,
            "firstUri": uri(1), "selfUri": uri(self.number), "lastUri": uri(pages),
        });
        if self.number < pages {
            listing["nextUri"] = Value::String(uri(self.number + 1));
        }
        if self.number > 1 {
            listing["previousUri"] = Value::String(uri((self.number - 1).min(pages)));
        }
        listing
    }
}

async fn trunks(
    State(state): State<Shared>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /trunks", true).await {
        return r;
    }
    let paging = match Paging::read(query.as_deref().unwrap_or("")) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut all = sample_trunks();
    for (k, v) in &paging.rest {
        if k == "trunkType" {
            if !["EXTERNAL", "PHONE", "EDGE"].contains(&v.as_str()) {
                return error_with(
                    StatusCode::BAD_REQUEST,
                    "bad.request",
                    "Invalid value {value} for {field}; allowed: EXTERNAL, PHONE, EDGE",
                    &[("value", v), ("field", "trunkType")],
                );
            }
            all.retain(|t| t["trunkType"] == v.as_str());
        }
    }
    Json(paging.listing(&format!("{EDGES}/trunks"), all)).into_response()
}

async fn trunk(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /trunks/", true).await {
        return r;
    }
    match sample_trunks().into_iter().find(|t| t["id"] == id) {
        Some(t) => Json(t).into_response(),
        None => not_found("Trunk"),
    }
}

/// `certificateDetails` as Genesys computes them, from the PEM (through Chainsmith's own loader).
fn details(pem: &str) -> Vec<Value> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let loaded = crate::engine::load("upload", pem.as_bytes());
    let pile: Vec<_> = loaded.certificates.clone();
    pile.iter()
        .map(|c| {
            let issuer = pile.iter().find(|i| i.subject_key == c.issuer_key);
            let signature_valid = issuer.is_some_and(|i| {
                crate::engine::signature::verify(c, &i.key, &i.public_key)
                    == crate::engine::signature::SignatureCheck::Valid
            });
            json!({
                "issuer": c.issuer, "subject": c.subject,
                "expirationDate": crate::engine::report::rfc3339(c.not_after),
                "issueDate": crate::engine::report::rfc3339(c.not_before),
                "expired": now > c.not_after,
                "valid": c.is_valid_at(now) && signature_valid,
                "signatureValid": signature_valid,
            })
        })
        .collect()
}

/// A certificate authority in the shape of the official SDK model `DomainCertificateAuthority`.
fn authority_json(ca: &CertificateAuthority) -> Value {
    let mut value = json!({
        "id": ca.id, "name": ca.name, "division": division(), "version": ca.version,
        "dateCreated": ca.date_created, "dateModified": ca.date_modified,
        "createdBy": ca.created_by, "modifiedBy": ca.modified_by,
        "state": "active", "certificate": ca.certificate, "type": ca.kind,
        "services": ca.services, "certificateDetails": details(&ca.certificate),
        "selfUri": format!("{EDGES}/certificateauthorities/{}", ca.id),
    });
    if let Some(description) = &ca.description {
        value["description"] = Value::String(description.clone());
    }
    value
}

async fn list_authorities(
    State(state): State<Shared>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /certificateauthorities", true).await {
        return r;
    }
    let paging = match Paging::read(query.as_deref().unwrap_or("")) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let entities: Vec<Value> = state
        .lock()
        .map(|s| s.authorities.values().map(authority_json).collect())
        .unwrap_or_default();
    Json(paging.listing(&format!("{EDGES}/certificateauthorities"), entities)).into_response()
}

/// A create or update body, checked as the API checks it.
struct AuthorityBody {
    name: String,
    description: Option<String>,
    kind: Option<String>,
    services: Option<Vec<String>>,
    certificate: String,
    version: Option<u64>,
}

/// Reads a `DomainCertificateAuthority` body: malformed JSON, a missing required field, a field of the
/// wrong type or an unknown `type`/`services` value is a 400 in Genesys's shape, naming the field.
// The error is the answer itself, built once per refused request: its size does not matter.
#[allow(clippy::result_large_err)]
fn authority_body(body: &[u8]) -> Result<AuthorityBody, Response> {
    let value: Value = serde_json::from_slice(body).map_err(|_| {
        bad_request("The request could not be understood by the server due to malformed syntax.")
    })?;
    let Some(object) = value.as_object() else {
        return Err(bad_request("The request body must be a JSON object."));
    };
    let wrong_type = |field: &str, kind: &str| {
        error_with(
            StatusCode::BAD_REQUEST,
            "bad.request",
            "The field {field} must be {kind}",
            &[("field", field), ("kind", kind)],
        )
    };
    let text = |field: &str, required: bool| -> Result<Option<String>, Response> {
        match object.get(field) {
            None | Some(Value::Null) if required => Err(error_with(
                StatusCode::BAD_REQUEST,
                "required.field.missing",
                "The field {field} is required",
                &[("field", field)],
            )),
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(wrong_type(field, "a string")),
        }
    };
    let invalid = |field: &str, value: &str, allowed: &str| {
        error_with(
            StatusCode::BAD_REQUEST,
            "invalid.value",
            "Invalid value {value} for {field}; allowed: {allowed}",
            &[("value", value), ("field", field), ("allowed", allowed)],
        )
    };
    let name = text("name", true)?.unwrap_or_default();
    let certificate = text("certificate", true)?.unwrap_or_default();
    let kind = text("type", false)?;
    if let Some(k) = &kind
        && !["MANAGED", "REMOTE"].contains(&k.as_str())
    {
        return Err(invalid("type", k, "MANAGED, REMOTE"));
    }
    let services = match object.get("services") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for item in items {
                let Some(service) = item.as_str() else {
                    return Err(wrong_type("services", "a list of strings"));
                };
                if !["SIP", "PROVISION", "PROVISION_PHONE"].contains(&service) {
                    return Err(invalid(
                        "services",
                        service,
                        "SIP, PROVISION, PROVISION_PHONE",
                    ));
                }
                out.push(service.to_string());
            }
            Some(out)
        }
        Some(_) => return Err(wrong_type("services", "a list of strings")),
    };
    let version = match object.get("version") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| wrong_type("version", "a whole number"))?,
        ),
    };
    if crate::engine::load("upload", certificate.as_bytes())
        .certificates
        .is_empty()
    {
        return Err(error_with(
            StatusCode::BAD_REQUEST,
            "invalid.value",
            "The field {field} does not hold a PEM certificate",
            &[("field", "certificate")],
        ));
    }
    Ok(AuthorityBody {
        name,
        description: text("description", false)?,
        kind,
        services,
        certificate,
        version,
    })
}

async fn create_authority(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(r) = gate(&state, &headers, "POST /certificateauthorities", true).await {
        return r;
    }
    let body = match authority_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Ok(mut s) = state.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "state");
    };
    s.next_id += 1;
    let certificate = tampered(&mut s.tamper, body.certificate);
    let now = api_time();
    let ca = CertificateAuthority {
        id: format!("ca-{}", s.next_id),
        name: body.name,
        description: body.description,
        kind: body.kind.unwrap_or_else(|| "REMOTE".into()),
        services: body.services.unwrap_or_else(|| vec!["SIP".into()]),
        certificate,
        version: 1,
        date_created: now.clone(),
        date_modified: now,
        created_by: CLIENT_ID.into(),
        modified_by: CLIENT_ID.into(),
    };
    let value = authority_json(&ca);
    s.authorities.insert(ca.id.clone(), ca);
    (StatusCode::OK, Json(value)).into_response()
}

async fn get_authority(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /certificateauthorities/", true).await {
        return r;
    }
    match state
        .lock()
        .ok()
        .and_then(|s| s.authorities.get(&id).map(authority_json))
    {
        Some(v) => Json(v).into_response(),
        None => not_found("Certificate authority"),
    }
}

async fn update_authority(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Some(r) = gate(&state, &headers, "PUT /certificateauthorities/", true).await {
        return r;
    }
    let Ok(mut s) = state.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "state");
    };
    let s = &mut *s;
    let Some(ca) = s.authorities.get_mut(&id) else {
        return not_found("Certificate authority");
    };
    let body = match authority_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if body.version != Some(ca.version) {
        return conflict();
    }
    ca.name = body.name;
    ca.description = body.description;
    if let Some(kind) = body.kind {
        ca.kind = kind;
    }
    if let Some(services) = body.services {
        ca.services = services;
    }
    ca.certificate = tampered(&mut s.tamper, body.certificate);
    ca.version += 1;
    ca.date_modified = api_time();
    ca.modified_by = CLIENT_ID.into();
    Json(authority_json(ca)).into_response()
}

async fn delete_authority(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "DELETE /certificateauthorities/", true).await {
        return r;
    }
    match state
        .lock()
        .ok()
        .and_then(|mut s| s.authorities.remove(&id))
    {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => not_found("Certificate authority"),
    }
}

async fn get_rest(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /trunk-api/", true).await {
        return r;
    }
    match state
        .lock()
        .ok()
        .and_then(|s| s.rest_trunks.get(&id).cloned())
    {
        Some(v) => Json(v).into_response(),
        // Nothing uploaded for this trunk yet.
        None => not_found("Trunk certificate"),
    }
}

async fn put_rest(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: String,
) -> Response {
    if let Some(r) = gate(&state, &headers, "WRITE /trunk-api/", true).await {
        return r;
    }
    let is_pem = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-pem-file"));
    let mut value = if is_pem {
        json!({"certificateBundle": body})
    } else {
        match serde_json::from_str::<Value>(&body) {
            Ok(v) => v,
            Err(_) => {
                return bad_request("The body is not JSON");
            }
        }
    };
    value["id"] = Value::String(id.clone());
    if let Ok(mut s) = state.lock() {
        let s = &mut *s;
        if s.tamper.is_some()
            && let Some(pem) = value.get("certificateBundle").and_then(|v| v.as_str())
        {
            value["certificateBundle"] = Value::String(tampered(&mut s.tamper, pem.to_string()));
        }
        s.rest_trunks.insert(id, value.clone());
    }
    Json(value).into_response()
}

async fn add_fault(State(state): State<Shared>, Json(fault): Json<Fault>) -> Response {
    if let Ok(mut s) = state.lock() {
        s.faults.push_back(fault);
    }
    StatusCode::NO_CONTENT.into_response()
}
