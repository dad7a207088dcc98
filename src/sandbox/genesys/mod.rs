//! The sandbox's Genesys Cloud: the OAuth token endpoint, errors in the shape of the official SDK's
//! `ErrorBody` (with an `ININ-Correlation-Id`), the gate that applies injected faults and checks
//! bearer tokens, and paging; the trunks and the certificate authorities are modules of their own.

mod authorities;
mod trunks;

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{Shared, audiocodes, basic_ok, correlation_id, rand_id, take_fault};
pub(crate) use authorities::CertificateAuthority;

/// The Genesys routes: token, trunks, certificate authorities.
pub(super) fn routes() -> Router<Shared> {
    let base = EDGES;
    Router::new()
        .route("/oauth/token", post(token))
        .route(&format!("{base}/trunks"), get(trunks::trunks))
        .route(&format!("{base}/trunks/{{id}}"), get(trunks::trunk))
        .route(
            &format!("{base}/certificateauthorities"),
            get(authorities::list_authorities).post(authorities::create_authority),
        )
        .route(
            &format!("{base}/certificateauthorities/{{id}}"),
            get(authorities::get_authority)
                .put(authorities::update_authority)
                .delete(authorities::delete_authority),
        )
}

/// The path of the Genesys edges API.
pub(crate) const EDGES: &str = "/api/v2/telephony/providers/edges";

/// The division every sandbox entity is in (the org's "Home" division).
pub(crate) const HOME_DIVISION: &str = "a7d3c1e2-5b6f-4c8d-9e0a-1b2c3d4e5f60";

/// An error in Genesys Cloud's shape (the official SDK model `ErrorBody`): `messageWithParams` with
/// `{name}` placeholders, the `messageParams` that fill them, `message` filled in, and a `contextId`
/// that is also the `ININ-Correlation-Id` header.
pub(crate) fn error_with(
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

pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    error_with(status, code, message, &[])
}

pub(crate) fn not_found(what: &str) -> Response {
    error_with(
        StatusCode::NOT_FOUND,
        "not.found",
        "{entity} not found",
        &[("entity", what)],
    )
}

pub(crate) fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "bad.request", message)
}

/// What Genesys answers to a PUT carrying a stale `version`.
pub(crate) fn conflict() -> Response {
    error(
        StatusCode::CONFLICT,
        "general.conflict",
        "The version supplied does not match the current version of the resource",
    )
}

/// A path no route serves: Genesys's 404, in its shape (the AudioCodes stand-in's under `/api/v1`).
pub(crate) async fn no_such_resource(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/v1/") {
        return audiocodes::described(StatusCode::NOT_FOUND, "Resource not found");
    }
    error(
        StatusCode::NOT_FOUND,
        "not.found",
        "The requested resource was not found",
    )
}

pub(crate) async fn method_not_allowed(uri: axum::http::Uri) -> Response {
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
pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "description": description, "error_description": description})),
    )
        .into_response()
}

/// Applies a queued fault (after its delay) or checks the bearer token. `Some`: answer with it.
pub(crate) async fn gate(
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
        let basic = path.contains("/trunk-api/") && basic_ok(state, headers);
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

pub(crate) async fn token(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(r) = gate(&state, &headers, "POST /oauth/token", false).await {
        return r;
    }
    let grant = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.into_owned());
    if !basic_ok(&state, &headers) {
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
pub(crate) fn division() -> Value {
    json!({"id": HOME_DIVISION, "name": "Home",
           "selfUri": format!("/api/v2/authorization/divisions/{HOME_DIVISION}")})
}

/// A page request (`pageSize`, `pageNumber`) and a listing's other query parameters, read by hand so a
/// bad value is answered with Genesys's error, not a plain-text rejection.
pub(crate) struct Paging {
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
