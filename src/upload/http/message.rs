//! A request and a response as Chainsmith sends and reads them: bodies never shown, secrets redacted, the server's message and correlation id found.

use super::*;

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
