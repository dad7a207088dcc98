//! The sandbox's AudioCodes Mediant stand-in: the REST API of an SBC's TLS contexts as AudioCodes
//! documents it for 7.40 (`../shared/sbc/audiocodes-rest.md`), and a TLS listener that serves one
//! context's certificate with its key, as the device's SIP interface would: a rehearsal (and the
//! tests) can see by probe what the "device" serves after a change.
//!
//! Documented behaviour: HTTP Basic on every request; `GET …/certificate` answers one PEM (octet
//! stream); `PUT …/certificate`, `…/privateKey`, `…/trustedRoot` and `…/trustedRoot/incremental`
//! take a multipart part `file` (400 when it is not PEM); the key is write-only (a GET gives its
//! size and whether it is valid); `POST /api/v1/actions/saveConfiguration`; `/status` with
//! `saveNeeded`; answers `{"description": …}`; 409 "Device is currently performing HA
//! synchronization" on writes while synchronising (a fault with status 409).
//! Inferred, where the vendor is silent (marked so in the tests): 401 `REST login failed` without
//! credentials, 404 for an unknown context, 405 for other methods, the `GET /files/tls` list shape,
//! a key "valid" when it is the key of the context's certificate, the certificate stored as sent
//! (chain included).

// An axum answer is the error of the handlers' helpers, as in the rest of the sandbox: it is built
// once per request, and boxing it would only add noise.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::Shared;

/// The device user the stand-in accepts (its password is the sandbox's rehearsal secret).
pub const USER: &str = "Admin";

/// The context whose certificate the stand-in's SIP TLS listener serves.
pub const SIP_CONTEXT: u32 = 1;

/// One TLS context.
#[derive(Debug, Clone)]
pub struct Context {
    pub name: String,
    /// The device certificate as last uploaded (PEM; a chain when a chain was sent).
    pub certificate: String,
    /// The private key as last uploaded (PEM). Never answered by the API.
    key: String,
    /// The trusted-root store (DER, in order).
    pub trusted: Vec<Vec<u8>>,
}

impl Context {
    /// Whether the key is the key of the certificate (what the device's "valid" says).
    pub fn key_valid(&self) -> bool {
        let key = crate::engine::load("key", self.key.as_bytes());
        let cert = crate::engine::load("certificate", self.certificate.as_bytes());
        match (key.keys.first(), cert.certificates.first()) {
            (Some(k), Some(c)) => k.public.as_ref().is_ok_and(|p| *p == c.public_key),
            _ => false,
        }
    }

    fn trusted_pem(&self) -> String {
        self.trusted
            .iter()
            .map(|der| crate::engine::pem::encode("CERTIFICATE", der))
            .collect()
    }
}

/// The device's state (`Default`: no context; [`Device::new`] makes the factory ones).
#[derive(Debug, Clone, Default)]
pub struct Device {
    pub contexts: BTreeMap<u32, Context>,
    /// Changed since the last saveConfiguration.
    pub save_needed: bool,
    /// How many times saveConfiguration was called.
    pub saves: u32,
}

impl Device {
    /// Contexts 0 ("default") and 1 ("SIP-TLS"), each with a self-signed certificate named like the
    /// device's factory one (`ACL_<serial>`) and its key.
    pub fn new() -> Result<Self, String> {
        let mut contexts = BTreeMap::new();
        for (id, name) in [(0, "default"), (SIP_CONTEXT, "SIP-TLS")] {
            let (certificate, key) = self_signed(&format!("ACL_{}", 4_812_000 + id))?;
            contexts.insert(
                id,
                Context {
                    name: name.into(),
                    certificate,
                    key,
                    trusted: Vec::new(),
                },
            );
        }
        Ok(Self {
            contexts,
            save_needed: false,
            saves: 0,
        })
    }

    /// Puts a certificate chain and key in a context, as an admin would in the device's Web
    /// interface (tests and rehearsals start from a known "current" certificate).
    pub fn install(&mut self, context: u32, chain_pem: &str, key_pem: &str) {
        let entry = self.contexts.entry(context).or_insert_with(|| Context {
            name: format!("Context-{context}"),
            certificate: String::new(),
            key: String::new(),
            trusted: Vec::new(),
        });
        entry.certificate = chain_pem.to_string();
        entry.key = key_pem.to_string();
    }

    /// The chain (DER) and key (PEM) the SIP listener serves, when they belong together.
    fn served(&self) -> Option<(Vec<Vec<u8>>, String)> {
        let context = self.contexts.get(&SIP_CONTEXT)?;
        if !context.key_valid() {
            return None;
        }
        let mut chain: Vec<std::sync::Arc<crate::engine::Certificate>> =
            crate::engine::load("served", context.certificate.as_bytes()).certificates;
        // [inferred] A device certificate uploaded alone is served with its issuers found in the
        // context's trusted roots (how AudioCodes' guides have admins load intermediates); the
        // root itself is not sent.
        let trusted = crate::engine::load("trusted", context.trusted_pem().as_bytes()).certificates;
        while let Some(last) = chain.last().cloned() {
            let issuer = trusted.iter().find(|t| {
                t.subject_der == last.issuer_der
                    && t.subject_der != t.issuer_der
                    && !chain.iter().any(|c| c.sha256 == t.sha256)
            });
            match issuer {
                Some(i) if chain.len() < 8 => chain.push(i.clone()),
                _ => break,
            }
        }
        Some((
            chain.iter().map(|c| c.der.clone()).collect(),
            context.key.clone(),
        ))
    }
}

fn self_signed(name: &str) -> Result<(String, String), String> {
    let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
    let mut params =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// The routes under `/api/v1`.
pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/status", get(status))
        .route("/api/v1/files/tls", get(list))
        .route(
            "/api/v1/files/tls/{id}/certificate",
            get(get_certificate).put(put_certificate),
        )
        .route(
            "/api/v1/files/tls/{id}/privateKey",
            get(get_key).put(put_key),
        )
        .route(
            "/api/v1/files/tls/{id}/trustedRoot",
            get(get_trusted).put(put_trusted),
        )
        .route(
            "/api/v1/files/tls/{id}/trustedRoot/incremental",
            put(add_trusted),
        )
        .route("/api/v1/actions/saveConfiguration", post(save))
}

/// `{"description": …}` with `status`: the device's answer shape.
pub(super) fn described(status: StatusCode, description: &str) -> Response {
    (status, Json(json!({ "description": description }))).into_response()
}

/// The answer to a request that an injected fault (or missing credentials) stops, if any.
async fn gate(state: &Shared, headers: &HeaderMap, seen: &str) -> Option<Response> {
    if let Some(fault) = super::take_fault(state, seen) {
        if fault.delay_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(fault.delay_ms)).await;
        }
        let status = StatusCode::from_u16(fault.status).ok()?;
        return Some(match fault.status {
            409 => described(status, "Device is currently performing HA synchronization"),
            401 => described(status, "REST login failed"),
            400 => described(status, "Invalid file content"),
            _ => described(status, "Internal error"),
        });
    }
    if !basic_ok(state, headers) {
        return Some(described(StatusCode::UNAUTHORIZED, "REST login failed"));
    }
    None
}

fn basic_ok(state: &Shared, headers: &HeaderMap) -> bool {
    super::secrets(state)
        .iter()
        .any(|secret| super::basic_is(headers, USER, secret))
}

fn unknown_context(id: &str) -> Response {
    described(
        StatusCode::NOT_FOUND,
        &format!("TLS context {id} does not exist"),
    )
}

/// The `file` part of a multipart body, or the device's 400.
async fn file_part(mut form: Multipart) -> Result<(Vec<u8>, Vec<(String, String)>), Response> {
    let bad = || described(StatusCode::BAD_REQUEST, "Invalid request: no file part");
    let mut file = None;
    let mut fields = Vec::new();
    while let Ok(Some(part)) = form.next_field().await {
        let name = part.name().unwrap_or_default().to_string();
        let Ok(bytes) = part.bytes().await else {
            return Err(bad());
        };
        if name == "file" {
            file = Some(bytes.to_vec());
        } else {
            fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    file.map(|f| (f, fields)).ok_or_else(bad)
}

async fn status(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /api/v1/status").await {
        return r;
    }
    let save_needed = state
        .lock()
        .map(|s| s.audiocodes.save_needed)
        .unwrap_or(false);
    Json(json!({
        "localTimeStamp": super::api_time(),
        "ipAddress": "127.0.0.1",
        "subnetMask": "255.0.0.0",
        "defaultGateway": "127.0.0.1",
        "productType": "Mediant SW (Chainsmith sandbox stand-in)",
        "versionID": "7.40A.500.123",
        "protocolType": "SIP",
        "operationalState": "UNLOCKED",
        "highAvailability": "Not Operational",
        "serialNumber": "4812000",
        "macAddress": "00908f000000",
        "systemUpTime": 4242,
        "saveNeeded": if save_needed { "true" } else { "false" },
        "resetNeeded": "false",
    }))
    .into_response()
}

async fn list(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /api/v1/files/tls").await {
        return r;
    }
    let contexts: Vec<Value> = state
        .lock()
        .map(|s| {
            s.audiocodes
                .contexts
                .iter()
                .map(|(id, c)| {
                    json!({"id": id.to_string(), "description": c.name, "url": format!("/api/v1/files/tls/{id}")})
                })
                .collect()
        })
        .unwrap_or_default();
    Json(json!({ "tls": contexts })).into_response()
}

fn pem_body(text: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/octet-stream")],
        text,
    )
        .into_response()
}

async fn get_certificate(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /api/v1/files/tls/certificate").await {
        return r;
    }
    let found = state.lock().ok().and_then(|s| {
        id.parse::<u32>()
            .ok()
            .and_then(|n| s.audiocodes.contexts.get(&n).map(|c| c.certificate.clone()))
    });
    match found {
        Some(pem) => pem_body(pem),
        None => unknown_context(&id),
    }
}

/// Runs `change` on context `id` and marks the configuration unsaved.
fn with_context(
    state: &Shared,
    id: &str,
    change: impl FnOnce(&mut Context, &mut Option<super::Tamper>),
) -> Result<(), Response> {
    let mut s = state
        .lock()
        .map_err(|_| described(StatusCode::INTERNAL_SERVER_ERROR, "Internal error"))?;
    let s = &mut *s;
    let context = id
        .parse::<u32>()
        .ok()
        .and_then(|n| s.audiocodes.contexts.get_mut(&n))
        .ok_or_else(|| unknown_context(id))?;
    change(context, &mut s.tamper);
    s.audiocodes.save_needed = true;
    Ok(())
}

async fn put_certificate(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Multipart,
) -> Response {
    if let Some(r) = gate(&state, &headers, "PUT /api/v1/files/tls/certificate").await {
        return r;
    }
    let (file, _) = match file_part(form).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let text = String::from_utf8_lossy(&file).into_owned();
    if crate::engine::load("upload", text.as_bytes())
        .certificates
        .is_empty()
    {
        return described(StatusCode::BAD_REQUEST, "Invalid certificate file: not PEM");
    }
    match with_context(&state, &id, |c, tamper| {
        c.certificate = super::tampered(tamper, text);
    }) {
        Ok(()) => described(StatusCode::OK, "Certificate was successfully changed"),
        Err(r) => r,
    }
}

async fn get_key(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /api/v1/files/tls/privateKey").await {
        return r;
    }
    let found = state.lock().ok().and_then(|s| {
        id.parse::<u32>().ok().and_then(|n| {
            s.audiocodes.contexts.get(&n).map(|c| {
                let size = crate::engine::load("certificate", c.certificate.as_bytes())
                    .certificates
                    .first()
                    .map(|c| match &c.key {
                        crate::engine::cert::KeyKind::Rsa { bits } => *bits,
                        crate::engine::cert::KeyKind::Ec { curve } => match curve {
                            crate::engine::cert::Curve::P384 => 384,
                            crate::engine::cert::Curve::P521 => 521,
                            _ => 256,
                        },
                        _ => 256,
                    })
                    .unwrap_or(0);
                (size, c.key_valid())
            })
        })
    });
    match found {
        // The documented status only: the key itself is never answered.
        Some((size, valid)) => Json(json!({"size": size, "valid": valid})).into_response(),
        None => unknown_context(&id),
    }
}

async fn put_key(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Multipart,
) -> Response {
    if let Some(r) = gate(&state, &headers, "PUT /api/v1/files/tls/privateKey").await {
        return r;
    }
    let (file, _fields) = match file_part(form).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let text = String::from_utf8_lossy(&file).into_owned();
    let loaded = crate::engine::load("key", text.as_bytes());
    if loaded.keys.first().is_none_or(|k| k.public.is_err()) {
        return described(
            StatusCode::BAD_REQUEST,
            "Invalid private key file: not PEM or invalid size",
        );
    }
    match with_context(&state, &id, |c, _| c.key = text) {
        Ok(()) => described(StatusCode::OK, "Private key was successfully changed"),
        Err(r) => r,
    }
}

async fn get_trusted(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "GET /api/v1/files/tls/trustedRoot").await {
        return r;
    }
    let found = state.lock().ok().and_then(|s| {
        id.parse::<u32>()
            .ok()
            .and_then(|n| s.audiocodes.contexts.get(&n).map(Context::trusted_pem))
    });
    match found {
        Some(pem) => pem_body(pem),
        None => unknown_context(&id),
    }
}

/// The certificates of a trusted-root upload, or the device's 400.
fn certificates_of(file: &[u8]) -> Result<Vec<Vec<u8>>, Response> {
    let certs: Vec<Vec<u8>> = crate::engine::load("upload", file)
        .certificates
        .iter()
        .map(|c| c.der.clone())
        .collect();
    if certs.is_empty() {
        return Err(described(
            StatusCode::BAD_REQUEST,
            "Invalid certificate file: not PEM",
        ));
    }
    Ok(certs)
}

async fn put_trusted(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Multipart,
) -> Response {
    if let Some(r) = gate(&state, &headers, "PUT /api/v1/files/tls/trustedRoot").await {
        return r;
    }
    let certs = match file_part(form).await.and_then(|(f, _)| certificates_of(&f)) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match with_context(&state, &id, |c, _| c.trusted = certs) {
        Ok(()) => described(
            StatusCode::OK,
            "Trusted root certificates were successfully replaced",
        ),
        Err(r) => r,
    }
}

async fn add_trusted(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Multipart,
) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "PUT /api/v1/files/tls/trustedRoot/incremental",
    )
    .await
    {
        return r;
    }
    let certs = match file_part(form).await.and_then(|(f, _)| certificates_of(&f)) {
        Ok(c) => c,
        Err(r) => return r,
    };
    // The documented call adds one certificate.
    let first = certs.into_iter().next().unwrap_or_default();
    match with_context(&state, &id, |c, _| c.trusted.push(first)) {
        Ok(()) => described(
            StatusCode::OK,
            "Trusted root certificate was successfully added",
        ),
        Err(r) => r,
    }
}

async fn save(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(r) = gate(&state, &headers, "POST /api/v1/actions/saveConfiguration").await {
        return r;
    }
    if let Ok(mut s) = state.lock() {
        s.audiocodes.save_needed = false;
        s.audiocodes.saves += 1;
    }
    StatusCode::OK.into_response()
}

/// What the SIP TLS listener serves: the current certificate and key of [`SIP_CONTEXT`], read at
/// each handshake (a change is served at once, without a restart). No certificate when the key
/// does not belong to it: the handshake fails, as it would on the device.
#[derive(Debug)]
pub(super) struct Served(pub Shared);

impl rustls::server::ResolvesServerCert for Served {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        use rustls::pki_types::pem::PemObject as _;
        let (chain, key) = self.0.lock().ok()?.audiocodes.served()?;
        let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(key.as_bytes()).ok()?;
        let signing = rustls::crypto::aws_lc_rs::sign::any_supported_type(&key).ok()?;
        let chain = chain
            .into_iter()
            .map(rustls::pki_types::CertificateDer::from)
            .collect();
        Some(Arc::new(rustls::sign::CertifiedKey::new(chain, signing)))
    }
}
