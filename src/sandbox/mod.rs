//! `chainsmith sandbox`: a local HTTPS server that behaves like the Genesys Cloud endpoints an upload
//! uses (token, trunks, certificate authorities with versions) and like a generic REST trunk endpoint,
//! with switches to inject failures, and like an AudioCodes SBC's TLS contexts ([`audiocodes`]), whose
//! certificate a second TLS listener serves. Admins rehearse a rotation against it; tests run against
//! it over real TLS.
//!
//! This file starts the servers and routes the requests; beside it: one module per API it imitates
//! ([`genesys`], [`rest`], [`audiocodes`]), [`sip`] (the SIP TLS listener) and [`shared`] (faults,
//! tampering, ids, times, Basic auth).

pub mod audiocodes;
mod genesys;
mod rest;
mod shared;
mod sip;

use genesys::{CertificateAuthority, EDGES};

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::*;
use sip::serve_sip;

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
    /// Client secrets (and passwords) accepted besides [`CLIENT_SECRET`]: a rehearsal with a secret
    /// of the real one's length (a long token in the Windows Credential Manager).
    secrets: Vec<String>,
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

    /// Accepts `secret` too as the client's secret and the device user's password.
    pub fn accept_secret(&self, secret: &str) {
        if let Ok(mut s) = self.state.lock() {
            s.secrets.push(secret.to_string());
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
    let (listener, address) = listen(&runtime, port)?;
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

/// A listener on 127.0.0.1:`port` (0: any free port) and the address it got.
fn listen(
    runtime: &tokio::runtime::Runtime,
    port: u16,
) -> Result<(tokio::net::TcpListener, SocketAddr), SandboxError> {
    let wanted = SocketAddr::from(([127, 0, 0, 1], port));
    let failed = |e: std::io::Error| SandboxError::Listen {
        address: wanted.to_string(),
        why: e.to_string(),
    };
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(wanted))
        .map_err(failed)?;
    let address = listener.local_addr().map_err(failed)?;
    Ok((listener, address))
}

fn router(state: Shared) -> Router {
    Router::new()
        .merge(genesys::routes())
        .merge(rest::routes())
        .merge(audiocodes::routes())
        .route("/sandbox/faults", post(add_fault))
        .fallback(genesys::no_such_resource)
        .method_not_allowed_fallback(genesys::method_not_allowed)
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
