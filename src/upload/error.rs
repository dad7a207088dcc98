//! What can go wrong in an upload, in the admin's words, and the exit codes they map to.

use super::*;

/// Why an upload stopped. The text never holds a secret.
#[derive(Debug, Clone, thiserror::Error)]
pub enum UploadError {
    /// Nothing was sent: the bundle (or the trunk) does not pass.
    #[error("refused, nothing sent: {0}")]
    Refused(String),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Http(#[from] HttpError),
    #[error("{method} {url} answered {status}: {message}{}", correlation.as_ref().map(|c| format!(" (correlation id {c})")).unwrap_or_default())]
    Status {
        method: String,
        url: String,
        status: u16,
        message: String,
        correlation: Option<String>,
    },
    #[error("{method} {url}: permission denied (403): the OAuth client's role lacks {permission}{}", correlation.as_ref().map(|c| format!(" (correlation id {c})")).unwrap_or_default())]
    Forbidden {
        method: String,
        url: String,
        permission: String,
        correlation: Option<String>,
    },
    /// A 401: the message says which credentials were refused (or that none were configured).
    #[error("{0}")]
    Unauthorized(String),
    /// The token request itself was refused: the client id or secret is wrong (or the client is
    /// disabled); no fresh token can help.
    #[error("the client id or secret was refused: {0}")]
    TokenRefused(String),
    /// Another run holds the lock on this plan or target: nothing was sent.
    #[error("{0}")]
    Busy(String),
    #[error("version conflict (409) {0}")]
    Conflict(String),
    #[error("the server's answer is not understood: {0}")]
    Unexpected(String),
    #[error("cannot write {0}")]
    Write(String),
    /// What the target holds could not be read whole and understood: no backup, so no change.
    #[error("could not read what {what} holds: {why}; nothing was changed")]
    Unreadable { what: String, why: String },
    /// The change was made but what the server now holds is not what was sent.
    #[error("the read-back differs from what was sent: {0}")]
    Differs(String),
    /// The endpoint the target serves does not serve what was sent (or could not be probed).
    #[error("{0}")]
    NotServed(String),
    /// The server's reload command failed (in its words).
    #[error("{0}")]
    ReloadFailed(String),
}

impl UploadError {
    /// This error, met while reading what `what` holds before any change: an answer that did not
    /// come whole or is not understood is said as such ("could not read what … holds: …; nothing
    /// was changed"). Errors that already say what to do (a refused certificate, a 403, a cancel)
    /// stay as they are.
    pub fn reading(self, what: &str) -> Self {
        match self {
            UploadError::Unexpected(_)
            | UploadError::Status { .. }
            | UploadError::Http(
                HttpError::Incomplete { .. }
                | HttpError::Timeout { .. }
                | HttpError::Connect { sent: true, .. },
            ) => UploadError::Unreadable {
                what: what.to_string(),
                why: self.to_string(),
            },
            other => other,
        }
    }

    pub(super) fn conflict(response: &Response, when: &str) -> Self {
        UploadError::Conflict(format!(
            "{when}: {}{}",
            response.message(),
            response
                .correlation()
                .map(|c| format!(" (correlation id {c})"))
                .unwrap_or_default()
        ))
    }

    /// The exit code: 1 refused (nothing sent), 2 usage, 3 the server refused or failed with nothing
    /// changed, 4 changed but not verified.
    pub fn exit_code(&self, changed: bool) -> u8 {
        match self {
            UploadError::Refused(_) => 1,
            UploadError::Usage(_) => 2,
            UploadError::Differs(_) => 4,
            _ if changed => 4,
            _ => 3,
        }
    }
}

pub(super) fn status_error(request: &Request, response: &Response) -> UploadError {
    UploadError::Status {
        method: request.method.to_string(),
        url: request.url.clone(),
        status: response.status,
        message: response.message(),
        correlation: response.correlation(),
    }
}

/// The permission a 403 names: Genesys writes it in the message (`…permission: telephony:plugin:all`)
/// and sometimes in `details`/`messageParams`. Falls back to what the upload needs.
pub fn missing_permission(response: &Response) -> String {
    let body = response.json().unwrap_or(Value::Null);
    let mut texts = vec![response.message()];
    if let Some(params) = body["messageParams"].as_object() {
        texts.extend(params.values().filter_map(|v| v.as_str().map(String::from)));
    }
    for text in texts {
        if let Some(found) = text
            .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
            .find(|w| {
                w.matches(':').count() >= 2
                    && w.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '*' || c == '_')
            })
        {
            return found.to_string();
        }
    }
    "the needed permission (telephony:plugin:all)".to_string()
}
