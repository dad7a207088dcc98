//! The generic REST target: any trunk API (SBCs, carriers, in-house provisioning) that takes the bundle
//! by PUT/POST/PATCH, as a field of a JSON body or as the raw PEM. Its definition holds no secret, so it
//! can be saved to a file and shared.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::http::{Credentials, Request};
use super::{Phase, Run, Secrets, UploadError, secret};

/// A REST trunk endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestTarget {
    /// A label for the saved definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The URL, with `{placeholders}` filled from `params`.
    pub url: String,
    /// PUT, POST or PATCH.
    #[serde(default = "default_method")]
    pub method: String,
    /// Values for the URL placeholders.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// Where the PEM bundle goes in the JSON body, as a dot path (`certificateBundle`, `tls.chain`).
    #[serde(default = "default_field")]
    pub field: String,
    /// Send the raw PEM (`application/x-pem-file`) instead of JSON.
    #[serde(default)]
    pub raw_pem: bool,
    /// Fixed fields added to the JSON body.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub static_fields: Map<String, Value>,
    #[serde(default)]
    pub auth: RestAuth,
    /// Where to read the current value (backup, read-back); default: `url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_url: Option<String>,
    /// The dot path of the PEM in what `read_url` answers; default: `field`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_field: Option<String>,
    /// SHA-256 fingerprints (hex) of server certificates trusted as they are, e.g. an SBC's
    /// self-signed management certificate (`--pin-sha256`, or "Trust this certificate" in the window).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pins: Vec<String>,
}

fn default_method() -> String {
    "PUT".into()
}

fn default_field() -> String {
    "certificateBundle".into()
}

/// How a REST target authenticates. Secrets come from the environment, the keychain or a prompt.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum RestAuth {
    #[default]
    None,
    /// `Authorization: Bearer` with `CHAINSMITH_TOKEN`.
    Bearer,
    /// HTTP Basic with this user and `CHAINSMITH_CLIENT_SECRET` as the password.
    Basic { username: String },
    /// OAuth client credentials: a token from `token_url` (client id + `CHAINSMITH_CLIENT_SECRET`).
    Oauth {
        token_url: String,
        client_id: String,
    },
}

impl RestAuth {
    pub fn scheme(&self) -> &'static str {
        match self {
            RestAuth::None => "",
            RestAuth::Bearer | RestAuth::Oauth { .. } => "Bearer",
            RestAuth::Basic { .. } => "Basic",
        }
    }
}

impl RestTarget {
    /// A target with the defaults (PUT, JSON field `certificateBundle`, no auth).
    pub fn new(url: &str) -> Self {
        Self {
            name: None,
            url: url.into(),
            method: default_method(),
            params: BTreeMap::new(),
            field: default_field(),
            raw_pem: false,
            static_fields: Map::new(),
            auth: RestAuth::None,
            read_url: None,
            read_field: None,
            pins: Vec::new(),
        }
    }

    /// The pins, read (a bad one is a usage error naming it).
    pub fn pin_fingerprints(&self) -> Result<Vec<crate::engine::cert::Fingerprint>, UploadError> {
        self.pins
            .iter()
            .map(|p| crate::tls::parse_pin(p).map_err(|e| UploadError::Usage(e.to_string())))
            .collect()
    }

    /// Adds a pin (as lowercase hex), unless it is there already.
    pub fn add_pin(&mut self, pin: &crate::engine::cert::Fingerprint) {
        let hex = pin.hex();
        if !self.pin_fingerprints().is_ok_and(|p| p.contains(pin)) {
            self.pins.push(hex);
        }
    }

    /// Reads a saved definition (JSON).
    pub fn from_json(text: &str) -> Result<Self, UploadError> {
        let target: Self = serde_json::from_str(text).map_err(|e| {
            UploadError::Usage(format!(
                "not a REST target definition: {}",
                secret::value_free(&e.to_string())
            ))
        })?;
        target.check()?;
        Ok(target)
    }

    /// The definition as pretty JSON (it holds no secret).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks the method, field paths and URLs (placeholders filled, https or loopback http).
    pub fn check(&self) -> Result<(), UploadError> {
        self.method()?;
        for path in [Some(&self.field), self.read_field.as_ref()]
            .into_iter()
            .flatten()
        {
            if path.split('.').any(str::is_empty) {
                return Err(UploadError::Usage(format!(
                    "field path \"{path}\": use names separated by dots, e.g. tls.certificateBundle"
                )));
            }
        }
        let usage = UploadError::Usage;
        secret::refuse_credentials_in_url("the URL", &self.url).map_err(usage)?;
        if let Some(read) = &self.read_url {
            secret::refuse_credentials_in_url("read_url", read).map_err(usage)?;
        }
        self.upload_url()?;
        self.read_url()?;
        secret::refuse_credentials_in_url("the URL", &self.upload_url()?).map_err(usage)?;
        secret::refuse_credentials_in_url("read_url", &self.read_url()?).map_err(usage)?;
        self.pin_fingerprints()?;
        if let RestAuth::Oauth { token_url, .. } = &self.auth {
            if token_url.trim().is_empty() {
                return Err(UploadError::Usage(
                    "the token URL is empty: enter the OAuth token endpoint (https://…/oauth/token)"
                        .into(),
                ));
            }
            secret::refuse_credentials_in_url("token_url", token_url).map_err(usage)?;
            super::http::check_url(token_url)?;
        }
        Ok(())
    }

    pub fn method(&self) -> Result<reqwest::Method, UploadError> {
        match self.method.to_ascii_uppercase().as_str() {
            "PUT" => Ok(reqwest::Method::PUT),
            "POST" => Ok(reqwest::Method::POST),
            "PATCH" => Ok(reqwest::Method::PATCH),
            other => Err(UploadError::Usage(format!(
                "method {other}: use PUT, POST or PATCH"
            ))),
        }
    }

    pub fn upload_url(&self) -> Result<String, UploadError> {
        let url = fill(&self.url, &self.params)?;
        super::http::check_url(&url)?;
        Ok(url)
    }

    pub fn read_url(&self) -> Result<String, UploadError> {
        let url = fill(self.read_url.as_ref().unwrap_or(&self.url), &self.params)?;
        super::http::check_url(&url)?;
        Ok(url)
    }

    fn read_field(&self) -> &str {
        self.read_field.as_deref().unwrap_or(&self.field)
    }

    pub fn keychain_account(&self) -> String {
        let host = reqwest::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(String::from))
            .unwrap_or_default();
        let who = match &self.auth {
            RestAuth::None => String::new(),
            RestAuth::Bearer => "token".into(),
            RestAuth::Basic { username } => username.clone(),
            RestAuth::Oauth { client_id, .. } => client_id.clone(),
        };
        format!("rest:{host}:{who}")
    }

    /// The upload request for `pem` (`None`: the field set to null, to put back "nothing").
    pub fn upload_request(&self, pem: Option<&str>) -> Result<Request, UploadError> {
        let method = self.method()?;
        let url = self.upload_url()?;
        if self.raw_pem {
            let Some(pem) = pem else {
                return Err(UploadError::Refused(
                    "the backup holds no bundle, and a raw-PEM endpoint cannot be sent \"nothing\"; remove it on the device".into(),
                ));
            };
            return Ok(Request {
                method,
                url,
                body: Some(("application/x-pem-file".into(), pem.as_bytes().to_vec())),
                authorized: true,
                secret_body: false,
            });
        }
        let mut body = Value::Object(self.static_fields.clone());
        set_path(
            &mut body,
            &self.field,
            pem.map(|p| Value::String(p.to_string()))
                .unwrap_or(Value::Null),
        );
        Ok(Request::json(method, url, &body))
    }

    /// What `--dry-run` shows after authentication.
    pub fn planned(&self, pem: Option<&str>) -> Result<Vec<Request>, UploadError> {
        Ok(vec![
            Request::get(self.read_url()?),
            self.upload_request(pem)?,
            Request::get(self.read_url()?),
        ])
    }

    /// The PEM inside what the read URL answered: `Ok(None)` only when the answer says so explicitly
    /// (404, or the field present and `null` or empty). An answer without the field, or a field that
    /// holds no certificate, is not understood: it is an error, never "it holds nothing", because a
    /// backup made from it would restore nothing.
    pub fn extract(&self, value: &Value) -> Result<Option<String>, String> {
        let field = self.read_field();
        let found = match value {
            Value::Null => return Ok(None),
            // A raw PEM answer (not JSON).
            Value::String(text) if !field.contains('.') => {
                Some(value).filter(|_| text.contains("-----BEGIN") || text.trim().is_empty())
            }
            _ => get_path(value, field),
        };
        match found {
            None => Err(format!(
                "the answer has no \"{field}\" field; if the PEM is elsewhere, set read_field in the definition"
            )),
            Some(Value::Null) => Ok(None),
            Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
            Some(Value::String(text)) => {
                if super::fingerprints(text).is_empty() {
                    Err(format!(
                        "\"{field}\" holds text that is not a PEM certificate Chainsmith can read"
                    ))
                } else {
                    Ok(Some(text.clone()))
                }
            }
            Some(_) => Err(format!("\"{field}\" is not a text (PEM) value")),
        }
    }
}

/// Fills `{name}` placeholders (values percent-encoded). An unfilled one is a usage error.
pub fn fill(template: &str, params: &BTreeMap<String, String>) -> Result<String, UploadError> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(UploadError::Usage(format!(
                "URL {template}: a '{{' is not closed"
            )));
        };
        let name = &after[..close];
        let value = params.get(name).ok_or_else(|| {
            UploadError::Usage(format!(
                "URL {template}: no value for {{{name}}}; give --param {name}=VALUE"
            ))
        })?;
        out.extend(
            url::form_urlencoded::byte_serialize(value.as_bytes()).map(|s| s.replace('+', "%20")),
        );
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Sets `value` at a dot path, creating objects on the way (a non-object on the way is replaced).
pub fn set_path(root: &mut Value, path: &str, value: Value) {
    let mut node = root;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let Value::Object(map) = node else { return };
        if i + 1 == parts.len() {
            map.insert((*part).to_string(), value);
            return;
        }
        node = map
            .entry((*part).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// The value at a dot path.
pub fn get_path<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(root, |node, part| node.get(part))
}

pub(super) fn authenticate(
    run: &mut Run,
    target: &RestTarget,
    secrets: &Secrets,
) -> Result<(), UploadError> {
    let missing = |what: &str, var: &str| {
        UploadError::Usage(format!(
            "no {what}: set {var} or let Chainsmith prompt for it"
        ))
    };
    let text = match &target.auth {
        RestAuth::None => "no credentials configured".to_string(),
        RestAuth::Bearer => {
            let token = secrets
                .token
                .clone()
                .ok_or_else(|| missing("token", secret::TOKEN_VAR))?;
            run.session.conn.credentials = Credentials::Bearer(token);
            "bearer token".to_string()
        }
        RestAuth::Basic { username } => {
            let password = secrets
                .client_secret
                .clone()
                .ok_or_else(|| missing("password", secret::CLIENT_SECRET_VAR))?;
            run.session.conn.credentials = Credentials::Basic {
                user: username.clone(),
                password,
            };
            format!("basic auth as {username}")
        }
        RestAuth::Oauth {
            token_url,
            client_id,
        } => {
            let secret = secrets
                .client_secret
                .as_ref()
                .ok_or_else(|| missing("client secret", secret::CLIENT_SECRET_VAR))?;
            run.session.oauth(token_url, client_id, secret)?;
            format!("token for client {client_id}")
        }
    };
    run.done(Phase::Authenticate, text);
    Ok(())
}

/// Reads the current value: `Null` when the endpoint answers 404 (it holds nothing); the JSON
/// answer; or a raw PEM text. Anything else (HTML, a truncated or garbled body) is an error: what a
/// target holds comes only from an answer that is understood whole.
fn read(run: &mut Run, target: &RestTarget) -> Result<Value, UploadError> {
    let url = target.read_url()?;
    let response = run.session.call(&Request::get(url.clone()), &[404])?;
    if response.status == 404 {
        return Ok(Value::Null);
    }
    if let Some(value) = response.json() {
        return Ok(value);
    }
    match std::str::from_utf8(&response.body) {
        Ok(text) if text.contains("-----BEGIN") => Ok(Value::String(text.to_string())),
        _ => Err(UploadError::Unexpected(format!(
            "GET {url}: the answer ({} bytes{}) is neither JSON nor PEM",
            super::http::grouped(response.body.len() as u64),
            response
                .content_type
                .as_deref()
                .map(|t| format!(", {}", crate::engine::text::escaped(t)))
                .unwrap_or_default()
        ))),
    }
}

/// What the endpoint answered, as the PEM it holds (an answer not understood is an error).
fn held(target: &RestTarget, value: &Value) -> Result<Option<String>, UploadError> {
    let url = target.read_url()?;
    target
        .extract(value)
        .map_err(|why| UploadError::Unexpected(format!("GET {url}: {why}")))
}

/// The PEM the endpoint holds now (`None`: nothing, or 404).
pub(super) fn current(run: &mut Run, target: &RestTarget) -> Result<Option<String>, UploadError> {
    target.check()?;
    run.ids.insert("url".into(), target.read_url()?);
    let value = read(run, target)?;
    held(target, &value)
}

pub(super) fn apply(
    run: &mut Run,
    target: &RestTarget,
    wanted: Option<&str>,
) -> Result<(), UploadError> {
    target.check()?;
    let request = target.upload_request(wanted)?;
    run.ids.insert("url".into(), request.url.clone());

    run.started(Phase::ReadCurrent);
    let what = target.read_url()?;
    let current = read(run, target).map_err(|e| e.reading(&what))?;
    let current_pem = held(target, &current).map_err(|e| e.reading(&what))?;
    run.done(
        Phase::ReadCurrent,
        match &current_pem {
            Some(pem) => format!(
                "the endpoint holds {} certificate(s)",
                super::fingerprints(pem).len()
            ),
            None => "the endpoint holds no bundle".into(),
        },
    );
    if run.already_held(current_pem.as_deref()) {
        return Ok(());
    }
    run.back_up(current, current_pem.as_deref())?;

    run.started(Phase::Upload);
    let response = run.change(&request, &[409])?;
    if response.status == 409 {
        run.note(format!(
            "the endpoint answered 409 ({}); re-reading it and retrying once",
            response.message()
        ));
        read(run, target)?;
        let again = run.change(&request, &[409])?;
        if again.status == 409 {
            return Err(UploadError::conflict(&again, "again after re-reading it"));
        }
    }
    run.done(Phase::Upload, format!("{} {}", request.method, request.url));

    run.started(Phase::Verify);
    let now = read(run, target)?;
    run.compare(wanted, held(target, &now)?.as_deref())?;
    run.verified(match run.payload_count() {
        0 => "the endpoint holds no certificate, as the backup recorded".to_string(),
        n => format!("the endpoint holds exactly the {n} certificate(s) sent"),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_encoded() {
        let params = BTreeMap::from([("trunk".to_string(), "a b/c".to_string())]);
        assert_eq!(
            fill("https://sbc/api/trunks/{trunk}/tls", &params).unwrap(),
            "https://sbc/api/trunks/a%20b%2Fc/tls"
        );
        assert!(matches!(
            fill("https://sbc/{missing}", &params),
            Err(UploadError::Usage(m)) if m.contains("--param missing=VALUE")
        ));
        assert!(fill("https://sbc/{open", &params).is_err());
    }

    #[test]
    fn field_paths() {
        let mut body = serde_json::json!({"enabled": true, "tls": 3});
        set_path(&mut body, "tls.chain.pem", Value::String("X".into()));
        assert_eq!(
            body,
            serde_json::json!({"enabled": true, "tls": {"chain": {"pem": "X"}}})
        );
        assert_eq!(
            get_path(&body, "tls.chain.pem"),
            Some(&Value::String("X".into()))
        );
        assert_eq!(get_path(&body, "tls.nope"), None);
    }

    #[test]
    fn saved_definition_round_trips_and_holds_no_secret_field() {
        let mut target = RestTarget::new("https://sbc.example.net/api/trunks/{trunk}/certificate");
        target.params.insert("trunk".into(), "42".into());
        target.auth = RestAuth::Oauth {
            token_url: "https://sbc.example.net/oauth/token".into(),
            client_id: "ops".into(),
        };
        target
            .static_fields
            .insert("enabled".into(), Value::Bool(true));
        let text = target.to_json();
        assert_eq!(RestTarget::from_json(&text).unwrap(), target);
        // A definition cannot carry a secret: unknown fields are refused.
        let with_secret = text.replacen(
            "\"client_id\"",
            "\"client_secret\": \"x\", \"client_id\"",
            1,
        );
        assert!(RestTarget::from_json(&with_secret).is_err());
        assert!(RestTarget::from_json("{\"url\": \"http://sbc.example.net/\"}").is_err());
        assert!(RestTarget::from_json("[]").is_err());
    }
}
