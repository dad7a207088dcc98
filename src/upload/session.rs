//! One API session: OAuth or a static credential, calls with status checks, the server's view of a certificate.

use super::*;

/// One certificate as the server describes it after the upload (Genesys `certificateDetails`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerView {
    pub subject: String,
    pub issuer: String,
    pub expires: String,
    /// The server's verdicts; `None` when it did not say.
    pub valid: Option<bool>,
    pub signature_valid: Option<bool>,
    pub expired: Option<bool>,
}

impl ServerView {
    /// Whether the server marks it as not usable.
    pub fn is_bad(&self) -> bool {
        self.valid == Some(false)
            || self.signature_valid == Some(false)
            || self.expired == Some(true)
    }

    /// One line in words: "CN=… (issued by …, expires …): valid, signature valid, not expired".
    pub fn line(&self) -> String {
        let word = |v: Option<bool>, yes: &str, no: &str| match v {
            Some(true) => yes.to_string(),
            Some(false) => no.to_string(),
            None => format!("{yes}: not said"),
        };
        format!(
            "{} (issued by {}, expires {}): {}, {}, {}",
            self.subject,
            self.issuer,
            self.expires,
            word(self.valid, "valid", "NOT valid"),
            word(
                self.signature_valid,
                "signature valid",
                "signature NOT valid"
            ),
            word(self.expired, "EXPIRED", "not expired"),
        )
    }
}

/// An authenticated connection plus what is needed to renew its token once.
pub struct Session {
    pub conn: http::Connection,
    pub api_base: String,
    /// `(token URL, client id, secret)` for OAuth: a 401 fetches a new token once.
    pub(super) oauth: Option<(String, String, Secret)>,
    pub(super) refreshed: bool,
}

impl Session {
    pub fn new(conn: http::Connection, api_base: String) -> Self {
        Self {
            conn,
            api_base,
            oauth: None,
            refreshed: false,
        }
    }

    /// Gets a client-credentials token (HTTP Basic client id:secret, form grant) and uses it from now on.
    pub fn oauth(
        &mut self,
        token_url: &str,
        client_id: &str,
        secret: &Secret,
    ) -> Result<(), UploadError> {
        self.oauth = Some((token_url.to_string(), client_id.to_string(), secret.clone()));
        self.fetch_token()
    }

    pub(super) fn fetch_token(&mut self) -> Result<(), UploadError> {
        let Some((url, client_id, secret)) = self.oauth.clone() else {
            return Ok(());
        };
        self.conn.credentials = Credentials::Basic {
            user: client_id,
            password: secret,
        };
        let request = Request {
            method: reqwest::Method::POST,
            url: url.clone(),
            body: Some((
                "application/x-www-form-urlencoded".into(),
                b"grant_type=client_credentials".to_vec(),
            )),
            authorized: true,
            secret_body: false,
        };
        let answer = self.conn.send(&request);
        self.conn.credentials = Credentials::None;
        let response = answer?;
        if !response.is_success() {
            let why = response.message();
            return Err(match response.status {
                400 | 401 => UploadError::TokenRefused(format!(
                    "the token request to {url} was refused ({}): {why}; check the client id and secret (and that the OAuth client uses the Client Credentials grant)",
                    response.status
                )),
                _ => status_error(&request, &response),
            });
        }
        let token = response
            .json()
            .and_then(|v| v["access_token"].as_str().map(String::from))
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                UploadError::Unexpected(format!("{url}: the answer has no access_token"))
            })?;
        self.conn.credentials = Credentials::Bearer(Secret::new(token));
        Ok(())
    }

    /// Sends `request`; answers 2xx and the `accept`ed statuses are returned. A 401 renews the token once
    /// and sends again; a 403 names the missing permission; a 400 about the version counts as 409.
    pub fn call(&mut self, request: &Request, accept: &[u16]) -> Result<Response, UploadError> {
        let mut response = self.conn.send(request)?;
        if response.status == 401 && self.oauth.is_some() && !self.refreshed {
            self.refreshed = true;
            self.fetch_token()?;
            response = self.conn.send(request)?;
        }
        if response.status == 400 && response.message().to_lowercase().contains("version") {
            response.status = 409;
        }
        if response.is_success() || accept.contains(&response.status) {
            return Ok(response);
        }
        Err(match response.status {
            401 => {
                let detail = format!("{} {}: {}", request.method, request.url, response.message());
                UploadError::Unauthorized(match &self.conn.credentials {
                    _ if self.refreshed => format!(
                        "the server rejected the credentials (401), also after a fresh token: {detail}"
                    ),
                    http::Credentials::None => format!(
                        "the server asks for credentials (401) and none are configured (authentication: none): {detail}; choose the authentication the endpoint expects"
                    ),
                    _ => format!(
                        "the server rejected the credentials (401): {detail}; check the user name and password or the token"
                    ),
                })
            }
            403 => UploadError::Forbidden {
                method: request.method.to_string(),
                url: request.url.clone(),
                permission: missing_permission(&response),
                correlation: response.correlation(),
            },
            409 => UploadError::conflict(&response, "the server refused the change"),
            _ => status_error(request, &response),
        })
    }

    /// [`Session::call`], with the body parsed as JSON.
    pub fn call_json(&mut self, request: &Request, accept: &[u16]) -> Result<Value, UploadError> {
        let response = self.call(request, accept)?;
        response.json().ok_or_else(|| {
            UploadError::Unexpected(format!(
                "{} {}: the answer is not JSON",
                request.method, request.url
            ))
        })
    }
}
