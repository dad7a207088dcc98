//! `chainsmith sandbox`: a local HTTPS server that behaves like the Genesys Cloud endpoints an upload
//! uses (token, trunks, certificate authorities with versions) and like a generic REST trunk endpoint,
//! with switches to inject failures. Admins rehearse a rotation against it; tests run against it over
//! real TLS.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
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

/// A failure to inject into the next matching requests.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
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
}

#[derive(Debug, Clone, Serialize)]
struct CertificateAuthority {
    id: String,
    name: String,
    description: String,
    #[serde(rename = "type")]
    kind: String,
    services: Vec<String>,
    certificate: String,
    version: u64,
    state: String,
}

#[derive(Debug, Default)]
struct Sandbox {
    tokens: Vec<String>,
    authorities: BTreeMap<String, CertificateAuthority>,
    /// Generic REST trunk endpoint: trunk id → the JSON body last PUT.
    rest_trunks: BTreeMap<String, Value>,
    faults: VecDeque<Fault>,
    /// The next write stores a tampered certificate.
    tamper: bool,
    next_id: u64,
    requests: u64,
}

type Shared = Arc<Mutex<Sandbox>>;

/// A running sandbox.
pub struct Handle {
    pub address: SocketAddr,
    /// The certificate the sandbox serves (PEM; its own self-signed one unless given): trust it with
    /// `--ca-file`.
    pub certificate_pem: String,
    state: Shared,
    _runtime: tokio::runtime::Runtime,
}

impl Handle {
    /// `https://127.0.0.1:PORT`.
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
        ..Sandbox::default()
    }));
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
        certificate_pem,
        state,
        _runtime: runtime,
    })
}

fn router(state: Shared) -> Router {
    let base = "/api/v2/telephony/providers/edges";
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
        .route("/sandbox/faults", post(add_fault))
        .layer(axum::middleware::map_response(correlate))
        .with_state(state)
}

/// A Genesys-style error body.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({
        "message": message,
        "code": code,
        "status": status.as_u16(),
        "contextId": format!("sandbox-{:08x}", rand_id()),
        "details": [],
        "errors": [],
    });
    (status, Json(body)).into_response()
}

fn not_found(what: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not.found",
        &format!("{what} not found"),
    )
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "bad.request", message)
}

/// What Genesys answers to a PUT carrying a stale `version`.
fn conflict() -> Response {
    error(
        StatusCode::CONFLICT,
        "conflict",
        "The version supplied does not match the current version",
    )
}

/// Like Genesys Cloud, every answer carries an `ININ-Correlation-Id`.
async fn correlate(mut response: Response) -> Response {
    if !response.headers().contains_key("inin-correlation-id")
        && let Ok(value) = HeaderValue::from_str(&format!("sandbox-{:08x}", rand_id()))
    {
        response.headers_mut().insert("inin-correlation-id", value);
    }
    response
}

/// When `flag` is set (and then cleared): the PEM without its last certificate.
fn tampered(flag: &mut bool, pem: String) -> String {
    if !std::mem::take(flag) {
        return pem;
    }
    let end = "-----END CERTIFICATE-----";
    let blocks: Vec<&str> = pem
        .split_inclusive(end)
        .filter(|b| b.contains(end))
        .collect();
    blocks[..blocks.len().saturating_sub(1)].concat()
}

fn rand_id() -> u32 {
    // Correlation ids only need to differ between requests; the clock is good enough here.
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
    let fault = {
        let mut s = state.lock().ok()?;
        s.requests += 1;
        let at = s
            .faults
            .iter()
            .position(|f| f.path_contains.is_empty() || path.contains(&f.path_contains));
        let fault = at.and_then(|i| s.faults.remove(i));
        if fault.as_ref().is_some_and(|f| f.tamper) {
            s.tamper = true;
            None
        } else {
            fault
        }
    };
    if let Some(fault) = fault {
        if fault.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
        }
        if let Ok(status) = StatusCode::from_u16(fault.status) {
            let mut response = match fault.status {
                401 => error(status, "bad.credentials", "Invalid login credentials."),
                403 => error(
                    status,
                    "missing.any.permissions",
                    "You are missing the following permission: telephony:plugin:all",
                ),
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
    if !basic_ok(&headers) || !body.contains("grant_type=client_credentials") {
        return (
            StatusCode::BAD_REQUEST,
            Json(
                json!({"error": "invalid_client", "description": "client not found or bad secret"}),
            ),
        )
            .into_response();
    }
    let token = format!("sandbox-token-{:08x}", rand_id());
    if let Ok(mut s) = state.lock() {
        s.tokens.push(token.clone());
    }
    Json(json!({"access_token": token, "token_type": "bearer", "expires_in": 86399}))
        .into_response()
}

/// Trunks in the shape of the official SDK model `Trunk`: a top-level `trunkMetabase`, `trunkBase` as
/// a plain reference, `trunkType`, `selfUri`.
fn sample_trunks() -> Vec<Value> {
    let trunk = |id: &str,
                 name: &str,
                 in_service: bool,
                 edge_group: Value,
                 base: (&str, &str),
                 metabase: (&str, &str),
                 connected: (bool, &str)| {
        json!({
            "id": id, "name": name, "state": "active", "trunkType": "EXTERNAL",
            "inService": in_service, "enabled": true, "edgeGroup": edge_group,
            "trunkBase": {"id": base.0, "name": base.1,
                          "selfUri": format!("/api/v2/telephony/providers/edges/trunkbasesettings/{}", base.0)},
            "trunkMetabase": {"id": metabase.0, "name": metabase.1},
            "connectedStatus": {"connected": connected.0, "connectedStateTime": connected.1},
            "selfUri": format!("/api/v2/telephony/providers/edges/trunks/{id}"),
        })
    };
    let generic = ("external_sip.json", "Generic SIP");
    let byoc = ("external_sip_pcv_byoc_carrier.json", "BYOC Carrier");
    vec![
        trunk(
            "trunk-premises-1",
            "Carrier A - Premises",
            true,
            json!({"id": "eg-1", "name": "London Edge Group"}),
            ("tb-1", "Carrier A SIP TLS"),
            generic,
            (true, "2026-11-20T09:00:00Z"),
        ),
        trunk(
            "trunk-cloud-1",
            "Carrier B - BYOC Cloud",
            false,
            Value::Null,
            ("tb-2", "Carrier B BYOC Cloud"),
            byoc,
            (false, "2026-11-25T22:10:00Z"),
        ),
        trunk(
            "trunk-premises-2",
            "Carrier C - Premises (standby)",
            false,
            json!({"id": "eg-2", "name": "Manchester Edge Group"}),
            ("tb-3", "Carrier C SIP TLS"),
            generic,
            (false, "2026-11-26T07:45:00Z"),
        ),
        // A BYOC Cloud trunk that also shows an edge group: only the metabase says what it is.
        trunk(
            "trunk-cloud-2",
            "Carrier D - BYOC Cloud",
            true,
            json!({"id": "eg-3", "name": "Cloud Edge Group"}),
            ("tb-4", "Carrier D BYOC Cloud"),
            byoc,
            (true, "2026-11-27T08:00:00Z"),
        ),
    ]
}

#[derive(Deserialize)]
struct Page {
    #[serde(rename = "pageSize")]
    page_size: Option<usize>,
    #[serde(rename = "pageNumber")]
    page_number: Option<usize>,
}

async fn trunks(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(page): Query<Page>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /trunks", true).await {
        return r;
    }
    let all = sample_trunks();
    let size = page.page_size.unwrap_or(25).max(1);
    let number = page.page_number.unwrap_or(1).max(1);
    let entities: Vec<Value> = all
        .iter()
        .skip((number - 1) * size)
        .take(size)
        .cloned()
        .collect();
    Json(
        json!({"entities": entities, "pageSize": size, "pageNumber": number, "total": all.len(),
                "pageCount": all.len().div_ceil(size)}),
    )
    .into_response()
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

fn authority_json(ca: &CertificateAuthority) -> Value {
    let mut value = serde_json::to_value(ca).unwrap_or(Value::Null);
    value["certificateDetails"] = Value::Array(details(&ca.certificate));
    value
}

async fn list_authorities(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /certificateauthorities", true).await {
        return r;
    }
    let entities: Vec<Value> = state
        .lock()
        .map(|s| s.authorities.values().map(authority_json).collect())
        .unwrap_or_default();
    Json(json!({"entities": entities, "total": entities.len(), "pageSize": 25, "pageNumber": 1}))
        .into_response()
}

#[derive(Deserialize)]
struct AuthorityBody {
    name: String,
    #[serde(default)]
    description: String,
    certificate: String,
    #[serde(default)]
    version: Option<u64>,
}

async fn create_authority(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Option<Json<AuthorityBody>>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "POST /certificateauthorities", true).await {
        return r;
    }
    let Some(Json(body)) = body else {
        return bad_request("The request body is not a certificate authority");
    };
    if crate::engine::load("upload", body.certificate.as_bytes())
        .certificates
        .is_empty()
    {
        return bad_request("The certificate is not valid PEM");
    }
    let Ok(mut s) = state.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "state");
    };
    s.next_id += 1;
    let certificate = tampered(&mut s.tamper, body.certificate);
    let ca = CertificateAuthority {
        id: format!("ca-{}", s.next_id),
        name: body.name,
        description: body.description,
        kind: "REMOTE".into(),
        services: vec!["SIP".into()],
        certificate,
        version: 1,
        state: "active".into(),
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
    body: Option<Json<AuthorityBody>>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "PUT /certificateauthorities/", true).await {
        return r;
    }
    let Some(Json(body)) = body else {
        return bad_request("The request body is not a certificate authority");
    };
    let Ok(mut s) = state.lock() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "state");
    };
    let s = &mut *s;
    let Some(ca) = s.authorities.get_mut(&id) else {
        return not_found("Certificate authority");
    };
    if body.version != Some(ca.version) {
        return conflict();
    }
    ca.name = body.name;
    ca.description = body.description;
    ca.certificate = tampered(&mut s.tamper, body.certificate);
    ca.version += 1;
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
        None => Json(json!({"id": id, "certificateBundle": null})).into_response(),
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
        if s.tamper
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
