//! The sandbox's generic REST trunk endpoint: `/trunk-api/trunks/{id}/certificate` takes the
//! bundle as JSON or as `application/x-pem-file`, behind a bearer token or HTTP Basic.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::genesys::{bad_request, gate, not_found};
use super::{Shared, tampered};

/// The REST trunk route.
pub(super) fn routes() -> Router<Shared> {
    Router::new().route(
        "/trunk-api/trunks/{id}/certificate",
        get(get_rest).put(put_rest).post(put_rest).patch(put_rest),
    )
}

pub(crate) async fn get_rest(
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

pub(crate) async fn put_rest(
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
