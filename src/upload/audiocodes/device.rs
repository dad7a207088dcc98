//! Talking to the device: HTTP Basic login, `/status`, each request with the busy (409) retry,
//! answers read as the vendor documents them, and what one TLS context holds now.

use super::*;

/// How many times a request answered 409 (the device is busy) is sent in all.
pub(super) const BUSY_ATTEMPTS: u32 = 8;

/// What the context holds, read whole before any change (the backup) and after it (the read-back).
#[derive(Debug, Clone, Default)]
pub struct Held {
    /// The device certificate (PEM, as answered).
    pub certificate: String,
    /// The trusted-root store (PEM blocks, as answered; empty when the store is empty).
    pub trusted: String,
    /// `{"size": …, "valid": …}` of the private key.
    pub key_status: Value,
}

impl Held {
    pub(super) fn key_valid(&self) -> bool {
        self.key_status["valid"].as_bool() == Some(true)
            || self.key_status["valid"].as_str() == Some("true")
    }

    pub(super) fn as_json(&self, status: &Value) -> Value {
        json!({
            "certificate": self.certificate,
            "trustedRoot": self.trusted,
            "privateKey": self.key_status,
            "status": status,
        })
    }
}

/// HTTP Basic with the device user, then `GET /status` (which any user level may read): wrong
/// credentials stop the run here, before anything is read for the backup.
pub(in crate::upload) fn authenticate(
    run: &mut Run,
    target: &AudioCodesTarget,
    secrets: &Secrets,
) -> Result<(), UploadError> {
    target.check()?;
    let password = secrets.client_secret.clone().ok_or_else(|| {
        UploadError::Usage(format!(
            "no password for the device user {}: set {} (or the plan's secret_env), or let Chainsmith prompt for it",
            engine::text::escaped(&target.user),
            secret::CLIENT_SECRET_VAR
        ))
    })?;
    run.session.api_base = target.api();
    run.session.conn.credentials = Credentials::Basic {
        user: target.user.clone(),
        password,
    };
    let status = status(run, target)?;
    let mut words = format!("user {} accepted", engine::text::escaped(&target.user));
    if let Some(version) = status["versionID"].as_str() {
        words.push_str(&format!(", firmware {}", engine::text::escaped(version)));
    }
    run.done(Phase::Authenticate, words);
    if flag(&status, "saveNeeded") {
        run.note(
            "the device had unsaved configuration changes before this run; saving the certificate saves them too".into(),
        );
    }
    Ok(())
}

/// `"true"` / `true` of a `/status` field.
pub(super) fn flag(status: &Value, name: &str) -> bool {
    status[name].as_str() == Some("true") || status[name].as_bool() == Some(true)
}

pub(super) fn status(run: &mut Run, target: &AudioCodesTarget) -> Result<Value, UploadError> {
    let request = Request::get(format!("{}/status", target.api()));
    let response = call(run, &request, false)?;
    response.json().ok_or_else(|| {
        UploadError::Unexpected(format!(
            "GET {}: the answer is not JSON; is this an AudioCodes device's REST address?",
            request.url
        ))
    })
}

/// Sends `request` (a change with `change`), sending it again while the device answers 409 (busy:
/// HA synchronisation), with a doubling wait, [`BUSY_ATTEMPTS`] times at most. A final answer other
/// than 2xx becomes an error in the device's words.
pub(super) fn call(
    run: &mut Run,
    request: &Request,
    change: bool,
) -> Result<Response, UploadError> {
    let accept = [400, 403, 404, 405, 409, 500];
    let mut delay = run.session.conn.policy.base_delay;
    let mut waited = Duration::ZERO;
    let mut attempt = 1;
    loop {
        let response = if change {
            run.change(request, &accept)?
        } else {
            run.session.call(request, &accept)?
        };
        if response.status != 409 {
            return answer(request, response);
        }
        if attempt >= BUSY_ATTEMPTS {
            return Err(UploadError::Conflict(format!(
                "{} {}: the device stayed busy: \"{}\" ({attempt} attempts over {} s). It is probably synchronising its HA pair; try again when its /status shows it ready",
                request.method,
                request.url,
                engine::text::escaped(&response.message()),
                waited.as_secs()
            )));
        }
        run.note(format!(
            "the device is busy (409: {}); sending again in {} ms",
            engine::text::escaped(&response.message()),
            delay.as_millis()
        ));
        run.session.conn.pause(delay)?;
        waited += delay;
        delay = (delay * 2).min(run.session.conn.policy.max_delay);
        attempt += 1;
    }
}

/// A device answer as a result: 2xx passes; the rest in the device's words with what to do.
pub(super) fn answer(request: &Request, response: Response) -> Result<Response, UploadError> {
    let what = format!("{} {}", request.method, request.url);
    let said = engine::text::escaped(&response.message());
    Err(match response.status {
        200..=299 => return Ok(response),
        400 => UploadError::Status {
            method: request.method.to_string(),
            url: request.url.clone(),
            status: 400,
            message: format!("{said} (the device refused the content: not PEM, or not usable)"),
            correlation: None,
        },
        403 | 405 => UploadError::Unauthorized(format!(
            "{what}: the device user's level does not allow this ({}: {said}); use a user of level Administrator or Security Administrator",
            response.status
        )),
        404 => UploadError::Refused(format!(
            "{what}: the device has no such resource (404: {said}); check the TLS context index (contexts are made in the device's Web interface, Setup > IP Network > Security > TLS Contexts)"
        )),
        status => UploadError::Status {
            method: request.method.to_string(),
            url: request.url.clone(),
            status,
            message: said,
            correlation: None,
        },
    })
}

/// Reads the context: certificate, trusted roots, the key's status. Every part must come whole and
/// be understood, or nothing is changed.
pub(in crate::upload) fn read(
    run: &mut Run,
    target: &AudioCodesTarget,
) -> Result<Held, UploadError> {
    let reading = |e: UploadError| {
        e.reading(&format!(
            "TLS context {} of {}",
            target.context,
            target.origin()
        ))
    };
    let certificate =
        call(run, &Request::get(target.tls("certificate")), false).map_err(reading)?;
    let certificate = String::from_utf8(certificate.body).map_err(|_| {
        reading(UploadError::Unexpected(
            "the certificate answered is not text (PEM)".into(),
        ))
    })?;
    if fingerprints(&certificate).is_empty() {
        return Err(reading(UploadError::Unexpected(
            "the certificate answered holds no PEM certificate".into(),
        )));
    }
    let trusted = call(run, &Request::get(target.tls("trustedRoot")), false).map_err(reading)?;
    let trusted = String::from_utf8(trusted.body).map_err(|_| {
        reading(UploadError::Unexpected(
            "the trusted roots answered are not text (PEM)".into(),
        ))
    })?;
    if !trusted.trim().is_empty() && fingerprints(&trusted).is_empty() {
        return Err(reading(UploadError::Unexpected(
            "the trusted roots answered hold no PEM certificate".into(),
        )));
    }
    let key = call(run, &Request::get(target.tls("privateKey")), false).map_err(reading)?;
    let key_status = key.json().filter(Value::is_object).ok_or_else(|| {
        reading(UploadError::Unexpected(
            "the private key's status is not JSON".into(),
        ))
    })?;
    Ok(Held {
        certificate,
        trusted,
        key_status,
    })
}

/// What the certificate the context holds now is, for `rotate --status` and the backup.
pub(in crate::upload) fn current(
    run: &mut Run,
    target: &AudioCodesTarget,
) -> Result<Option<String>, UploadError> {
    let held = read(run, target)?;
    Ok(Some(match target.job {
        Job::Certificate => held.certificate,
        Job::TrustStore => held.trusted,
    }))
}
