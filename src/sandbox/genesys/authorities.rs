//! The sandbox's Genesys certificate authorities, in the shape of the official SDK model
//! `DomainCertificateAuthority`, with versions (a stale one answers 409) and `certificateDetails`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{EDGES, Paging, bad_request, conflict, division, error, error_with, gate, not_found};
use crate::sandbox::{CLIENT_ID, Shared, api_time, tampered};

/// A certificate authority as the sandbox stores it; answered in the shape of the official SDK model
/// `DomainCertificateAuthority` (PureCloudPlatformClientV2 `models/domain_certificate_authority.py`).
#[derive(Debug, Clone)]
pub(crate) struct CertificateAuthority {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    /// MANAGED or REMOTE, as sent.
    pub(crate) kind: String,
    /// A subset of SIP, PROVISION, PROVISION_PHONE, as sent.
    pub(crate) services: Vec<String>,
    pub(crate) certificate: String,
    pub(crate) version: u64,
    pub(crate) date_created: String,
    pub(crate) date_modified: String,
    pub(crate) created_by: String,
    pub(crate) modified_by: String,
}

/// `certificateDetails` as Genesys computes them, from the PEM (through Chainsmith's own loader).
pub(crate) fn details(pem: &str) -> Vec<Value> {
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
pub(crate) fn authority_json(ca: &CertificateAuthority) -> Value {
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

pub(crate) async fn list_authorities(
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
pub(crate) struct AuthorityBody {
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
pub(crate) fn authority_body(body: &[u8]) -> Result<AuthorityBody, Response> {
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

pub(crate) async fn create_authority(
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

pub(crate) async fn get_authority(
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

pub(crate) async fn update_authority(
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

pub(crate) async fn delete_authority(
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
