//! AudioCodes Mediant SBCs: one TLS context's device certificate, private key and trusted-root
//! store, over the device's REST API as AudioCodes documents it for 7.2–7.40 (HTTP Basic on every
//! request; `GET/PUT /api/v1/files/tls/{context}/certificate`, `PUT …/privateKey`,
//! `GET/PUT …/trustedRoot`, `PUT …/trustedRoot/incremental`, `POST /api/v1/actions/saveConfiguration`,
//! `GET /api/v1/status`). What the vendor leaves unsaid is settled here on the side that cannot
//! leave the device without a working certificate (see `../shared/sbc/audiocodes-rest.md`, the
//! README's "AudioCodes" section):
//!
//! - The key is write-only (a GET says only its size and whether it is valid): rolling back a
//!   changed key needs the previous key, named by the target (`previous_key`) and checked against
//!   the certificate the device holds before anything is sent; without it the run is refused unless
//!   the target says `key_rollback = "none"`.
//! - The key goes first, then the certificate (as the vendor's own scripts and most clients do).
//!   If the certificate is then refused, the previous key is put back at once, so the device keeps
//!   serving its old certificate.
//! - 409 means the device cannot act now (HA synchronisation): the request is sent again with a
//!   doubling wait, a bounded number of times, then the run stops saying so.
//! - After the change, `saveConfiguration` (else the change is lost at the next restart), and a
//!   read-back of the certificate, the key's status, the trusted roots and `/status`.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::http::{Credentials, Request, Response};
use super::key::PrivateKey;
use super::{Phase, Run, Secrets, UploadError, fingerprints, secret};
use crate::engine;

/// How many times a request answered 409 (the device is busy) is sent in all.
const BUSY_ATTEMPTS: u32 = 8;

/// An AudioCodes device and the TLS context to change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioCodesTarget {
    /// The device's REST address (its management interface): `https://sbc1.example.net`.
    pub url: String,
    /// A device user (Local Users table) of level Administrator or above.
    pub user: String,
    /// The TLS context's index (0 is "default").
    pub context: u32,
    /// What the run changes: the context's certificate and key, or only its trusted roots.
    #[serde(default)]
    pub job: Job,
    /// What happens to the context's trusted-root store.
    #[serde(default)]
    pub trusted_roots: TrustedRoots,
    /// The key of the certificate the context holds now: what a rollback puts back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_key: Option<PathBuf>,
    /// `none`: the change may go without the previous key (it then cannot be rolled back).
    #[serde(default, skip_serializing_if = "KeyRollback::is_default")]
    pub key_rollback: KeyRollback,
    /// The device certificate gets the leaf alone (AudioCodes does not say whether a chain sent there
    /// is kept; with `trusted_roots = "add"` the intermediates go to the trusted roots instead).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub leaf_only: bool,
}

/// What an AudioCodes (or file) target's run changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Job {
    /// The certificate chain and its private key.
    #[default]
    Certificate,
    /// Only the CA certificates the device trusts (its peers': Microsoft's, a carrier's).
    TrustStore,
}

/// What a certificate change does to the context's trusted-root store; for a trust-store job, how
/// the CA certificates are put in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustedRoots {
    /// Left as it is.
    #[default]
    Keep,
    /// The CA certificates (the bundle's intermediates and root) added, each one missing.
    Add,
    /// The store made exactly the CA certificates.
    Replace,
}

/// How a changed key is rolled back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyRollback {
    /// With `previous_key`, checked before the change.
    #[default]
    PreviousKey,
    /// Not at all: the admin accepted that this change cannot be undone by Chainsmith.
    None,
}

impl KeyRollback {
    fn is_default(&self) -> bool {
        *self == Self::PreviousKey
    }
}

impl AudioCodesTarget {
    /// `url/api/v1`.
    pub fn api(&self) -> String {
        format!("{}/api/v1", self.url.trim_end_matches('/'))
    }

    fn tls(&self, what: &str) -> String {
        format!("{}/files/tls/{}/{what}", self.api(), self.context)
    }

    /// The device's origin (scheme, host, port), for the secret's binding and keychain account.
    pub fn origin(&self) -> String {
        reqwest::Url::parse(&self.url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| self.url.clone())
    }

    /// The checks a target needs before use: a URL over HTTPS (or loopback), a user, a sane mode.
    pub fn check(&self) -> Result<(), UploadError> {
        secret::refuse_credentials_in_url("url", &self.url).map_err(UploadError::Usage)?;
        super::http::check_url(&self.url).map_err(UploadError::Http)?;
        if self.user.trim().is_empty() {
            return Err(UploadError::Usage(
                "user: the device user (Local Users table, Administrator level) is needed".into(),
            ));
        }
        if self.job == Job::TrustStore && self.trusted_roots == TrustedRoots::Keep {
            return Err(UploadError::Usage(
                "a trust-store job needs trusted_roots = \"add\" or \"replace\"".into(),
            ));
        }
        Ok(())
    }

    /// Where a run of this target is described (audit log, run file).
    pub fn endpoint(&self) -> String {
        format!(
            "{} TLS context {}",
            self.url.trim_end_matches('/'),
            self.context
        )
    }
}

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
    fn key_valid(&self) -> bool {
        self.key_status["valid"].as_bool() == Some(true)
            || self.key_status["valid"].as_str() == Some("true")
    }

    fn as_json(&self, status: &Value) -> Value {
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
pub(super) fn authenticate(
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
fn flag(status: &Value, name: &str) -> bool {
    status[name].as_str() == Some("true") || status[name].as_bool() == Some(true)
}

fn status(run: &mut Run, target: &AudioCodesTarget) -> Result<Value, UploadError> {
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
fn call(run: &mut Run, request: &Request, change: bool) -> Result<Response, UploadError> {
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
fn answer(request: &Request, response: Response) -> Result<Response, UploadError> {
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
pub(super) fn read(run: &mut Run, target: &AudioCodesTarget) -> Result<Held, UploadError> {
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
pub(super) fn current(
    run: &mut Run,
    target: &AudioCodesTarget,
) -> Result<Option<String>, UploadError> {
    let held = read(run, target)?;
    Ok(Some(match target.job {
        Job::Certificate => held.certificate,
        Job::TrustStore => held.trusted,
    }))
}

/// How the trusted-root store is to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoreChange {
    Add,
    Replace,
}

/// What this run puts on the device.
struct Wanted<'p> {
    /// The certificate chain and its key.
    certificate: Option<(std::borrow::Cow<'p, str>, &'p PrivateKey)>,
    /// The CA certificates for the trusted-root store, and how.
    trust: Option<(StoreChange, &'p str)>,
}

fn wanted<'p>(run: &Run<'p>, target: &AudioCodesTarget) -> Result<Wanted<'p>, UploadError> {
    let plan = run.plan;
    let payload = &plan.payload;
    let rollback = plan.rollback_of.is_some();
    let pem = payload.pem.as_deref().ok_or_else(|| {
        UploadError::Refused(
            "there was nothing to put back: an AudioCodes context always holds a certificate"
                .into(),
        )
    })?;
    match target.job {
        Job::Certificate => {
            let key = payload.key.as_ref().ok_or_else(|| {
                UploadError::Usage(if rollback {
                    "this change cannot be rolled back: the target had key_rollback = \"none\" (no previous key). Put the old certificate and key back in the device's Web interface".to_string()
                } else {
                    "an AudioCodes target needs the leaf's private key: [bundle] key = \"FILE\" in a plan, --key FILE on the command line".to_string()
                })
            })?;
            if !key.belongs_to_leaf_of(pem) {
                return Err(UploadError::Refused(format!(
                    "the private key {} is not the key of the certificate to {}; nothing was sent",
                    key.shown(),
                    if rollback { "put back" } else { "upload" }
                )));
            }
            let trust = match (rollback, target.trusted_roots, payload.trust_pem.as_deref()) {
                (_, TrustedRoots::Keep, _) | (_, _, None) => None,
                (true, _, Some(store)) => Some((StoreChange::Replace, store)),
                (false, TrustedRoots::Add, Some(cas)) => Some((StoreChange::Add, cas)),
                (false, TrustedRoots::Replace, Some(cas)) => Some((StoreChange::Replace, cas)),
            };
            // The leaf alone when the target says the device keeps only the leaf there (its
            // intermediates then come from the trusted roots).
            let sent = if target.leaf_only {
                std::borrow::Cow::Owned(
                    engine::load("bundle", pem.as_bytes())
                        .certificates
                        .first()
                        .map(|c| engine::pem::encode("CERTIFICATE", &c.der))
                        .unwrap_or_default(),
                )
            } else {
                std::borrow::Cow::Borrowed(pem)
            };
            Ok(Wanted {
                certificate: Some((sent, key)),
                trust,
            })
        }
        Job::TrustStore => Ok(Wanted {
            certificate: None,
            trust: Some((
                match (rollback, target.trusted_roots) {
                    (false, TrustedRoots::Add) => StoreChange::Add,
                    _ => StoreChange::Replace,
                },
                pem,
            )),
        }),
    }
}

/// Whether `store` already holds what `change` asks for `cas`.
fn store_holds(store: &str, change: StoreChange, cas: &str) -> bool {
    let mut have = fingerprints(store);
    let mut want = fingerprints(cas);
    match change {
        StoreChange::Add => want.iter().all(|f| have.contains(f)),
        StoreChange::Replace => {
            have.sort();
            have.dedup();
            want.sort();
            want.dedup();
            have == want
        }
    }
}

/// The previous key's rule, before anything is sent: named, readable, and the key of what the
/// context holds now; or `key_rollback = "none"`.
fn check_previous_key(
    run: &mut Run,
    target: &AudioCodesTarget,
    held: &Held,
) -> Result<(), UploadError> {
    let leaf = engine::load("the device certificate", held.certificate.as_bytes())
        .certificates
        .first()
        .cloned();
    match (target.key_rollback, &target.previous_key) {
        (KeyRollback::None, _) => {
            run.note(
                "key_rollback = \"none\": the device's current key is not kept, so Chainsmith cannot roll this change back".into(),
            );
            Ok(())
        }
        (KeyRollback::PreviousKey, None) => Err(UploadError::Refused(
            "the device's private key cannot be read back, so a rollback needs the key of the certificate it holds now: name it (previous_key = \"FILE\", --previous-key FILE), or accept a change that cannot be rolled back with key_rollback = \"none\"; nothing was sent"
                .into(),
        )),
        (KeyRollback::PreviousKey, Some(path)) => {
            let key = PrivateKey::read(path)?;
            match leaf {
                Some(leaf) if key.belongs_to(&leaf) => {
                    run.note(format!(
                        "previous key {} matches the certificate the device holds ({}): a rollback can put both back",
                        key.shown(),
                        leaf.display_name()
                    ));
                    Ok(())
                }
                Some(leaf) => Err(UploadError::Refused(format!(
                    "previous_key {} is not the key of the certificate the device holds now ({}, SHA-256 {}); with it a rollback would leave the device without a working certificate. Name the right key; nothing was sent",
                    key.shown(),
                    leaf.display_name(),
                    leaf.sha256.hex()
                ))),
                None => Err(UploadError::Unexpected(
                    "the device certificate could not be parsed".into(),
                )),
            }
        }
    }
}

pub(super) fn apply(run: &mut Run, target: &AudioCodesTarget) -> Result<(), UploadError> {
    let want = wanted(run, target)?;
    run.started(Phase::ReadCurrent);
    let held = read(run, target)?;
    let before = status(run, target)?;
    run.done(
        Phase::ReadCurrent,
        format!(
            "context {}: certificate {}, {} trusted root(s), private key {}",
            target.context,
            held_names(&held.certificate),
            fingerprints(&held.trusted).len(),
            if held.key_valid() {
                "valid"
            } else {
                "not valid"
            }
        ),
    );
    if before["highAvailability"].as_str() == Some("Operational") {
        run.note(
            "the device runs as an HA pair: AudioCodes does not document whether TLS files replicate to the standby unit; check the standby after the change".into(),
        );
    }
    let certificate_held = want.certificate.as_ref().is_none_or(|(pem, _)| {
        fingerprints(&held.certificate) == fingerprints(pem) && held.key_valid()
    });
    let store_held = want
        .trust
        .is_none_or(|(change, cas)| store_holds(&held.trusted, change, cas));
    let shown_held = match target.job {
        Job::Certificate => held.certificate.clone(),
        Job::TrustStore => held.trusted.clone(),
    };
    if certificate_held && store_held && run.already_held(Some(&shown_held)) {
        return Ok(());
    }
    if want.certificate.is_some() && run.plan.rollback_of.is_none() {
        check_previous_key(run, target, &held)?;
    }
    if let Some((StoreChange::Replace, cas)) = want.trust
        && fingerprints(cas).is_empty()
    {
        return Err(UploadError::Refused(
            "the trusted-root store was empty before; the device's REST API cannot empty it. Remove the certificates added in its Web interface"
                .into(),
        ));
    }
    run.back_up(held.as_json(&before), Some(&shown_held))?;

    run.started(Phase::Upload);
    if let Some((pem, key)) = &want.certificate {
        put_certificate(run, target, pem, key)?;
    }
    if let Some((change, cas)) = want.trust {
        put_trust(run, target, &held.trusted, change, cas)?;
    }
    let save = Request {
        method: reqwest::Method::POST,
        url: format!("{}/actions/saveConfiguration", target.api()),
        // cURL's `-d ""`: the device asks for a Content-Length of 0.
        body: Some(("application/x-www-form-urlencoded".into(), Vec::new())),
        authorized: true,
        secret_body: false,
    };
    call(run, &save, true)?;
    run.done(
        Phase::Upload,
        "saved the configuration (it survives a restart)".into(),
    );

    run.started(Phase::Verify);
    let now = read(run, target)?;
    if let Some((pem, _)) = &want.certificate {
        run.compare(Some(pem.as_ref()), Some(&now.certificate))?;
        if !now.key_valid() {
            return Err(UploadError::Differs(
                "the device says its private key is not valid for the certificate it now holds"
                    .into(),
            ));
        }
    }
    if let Some((change, cas)) = want.trust
        && !store_holds(&now.trusted, change, cas)
    {
        return Err(UploadError::Differs(format!(
            "the trusted-root store holds {} certificate(s), not what was sent",
            fingerprints(&now.trusted).len()
        )));
    }
    let after = status(run, target)?;
    if flag(&after, "saveNeeded") {
        return Err(UploadError::Differs(
            "the device still says its configuration needs saving: the change would be lost at its next restart".into(),
        ));
    }
    run.verified(format!(
        "the device holds {}{} and its configuration is saved",
        match &want.certificate {
            Some((pem, _)) => format!(
                "the {} certificate(s) sent with a valid key",
                fingerprints(pem).len()
            ),
            None => String::new(),
        },
        match want.trust {
            Some(_) if want.certificate.is_some() => ", the trusted roots asked for",
            Some(_) => "the trusted roots asked for",
            None => "",
        }
    ));
    Ok(())
}

fn held_names(pem: &str) -> String {
    engine::load("held", pem.as_bytes())
        .certificates
        .first()
        .map(|c| c.display_name())
        .unwrap_or_else(|| "(none)".into())
}

/// The key, then the certificate. If the certificate is refused after the key was taken, the
/// previous key goes back at once (when the target names it), so the device serves its old
/// certificate rather than none.
fn put_certificate(
    run: &mut Run,
    target: &AudioCodesTarget,
    pem: &str,
    key: &PrivateKey,
) -> Result<(), UploadError> {
    let key_request = Request::multipart(
        reqwest::Method::PUT,
        target.tls("privateKey"),
        "file",
        "key.pem",
        key.expose().as_bytes(),
        &[],
    )
    .secret();
    call(run, &key_request, true)?;
    run.done(Phase::Upload, format!("private key sent ({})", key.shown()));
    let cert_request = Request::multipart(
        reqwest::Method::PUT,
        target.tls("certificate"),
        "file",
        "certificate.pem",
        pem.as_bytes(),
        &[],
    );
    match call(run, &cert_request, true) {
        Ok(_) => {
            run.done(
                Phase::Upload,
                format!(
                    "certificate sent ({} certificate(s))",
                    fingerprints(pem).len()
                ),
            );
            Ok(())
        }
        Err(e) => {
            let restored = match (&target.previous_key, run.plan.rollback_of.is_some()) {
                (Some(path), false) => {
                    let previous = PrivateKey::read(path)?;
                    let back = Request::multipart(
                        reqwest::Method::PUT,
                        target.tls("privateKey"),
                        "file",
                        "key.pem",
                        previous.expose().as_bytes(),
                        &[],
                    )
                    .secret();
                    call(run, &back, true).is_ok()
                }
                _ => false,
            };
            Err(UploadError::Unexpected(format!(
                "the device took the new key but refused the certificate: {e}. {}",
                if restored {
                    "The previous key was put back: the device holds its old certificate and key"
                } else {
                    "The device now holds a key that does not match its certificate: put the previous key back (or upload the new certificate) at once"
                }
            )))
        }
    }
}

/// The trusted-root store: each missing CA certificate added (`incremental`, one per request, as
/// the device takes them), or the whole store replaced.
fn put_trust(
    run: &mut Run,
    target: &AudioCodesTarget,
    store: &str,
    change: StoreChange,
    cas: &str,
) -> Result<(), UploadError> {
    match change {
        StoreChange::Add => {
            let have = fingerprints(store);
            let mut added = 0;
            for cert in engine::load("trusted roots", cas.as_bytes()).certificates {
                if have.contains(&cert.sha256.hex()) {
                    continue;
                }
                let request = Request::multipart(
                    reqwest::Method::PUT,
                    target.tls("trustedRoot/incremental"),
                    "file",
                    "trust.pem",
                    crate::engine::pem::encode("CERTIFICATE", &cert.der).as_bytes(),
                    &[],
                );
                call(run, &request, true)?;
                added += 1;
            }
            run.done(
                Phase::Upload,
                format!("added {added} certificate(s) to the trusted roots"),
            );
        }
        StoreChange::Replace => {
            let request = Request::multipart(
                reqwest::Method::PUT,
                target.tls("trustedRoot"),
                "file",
                "trust.pem",
                cas.as_bytes(),
                &[],
            );
            call(run, &request, true)?;
            run.done(
                Phase::Upload,
                format!(
                    "replaced the trusted roots with {} certificate(s)",
                    fingerprints(cas).len()
                ),
            );
        }
    }
    Ok(())
}

/// Every request a run would send, for `--dry-run` (the key's body is not shown).
pub fn planned(
    target: &AudioCodesTarget,
    pem: &str,
    trust: Option<&str>,
    has_key: bool,
) -> Vec<Request> {
    let file = |what: &str, name: &str, body: &[u8]| {
        Request::multipart(
            reqwest::Method::PUT,
            target.tls(what),
            "file",
            name,
            body,
            &[],
        )
    };
    let mut out = vec![
        Request::get(format!("{}/status", target.api())),
        Request::get(target.tls("certificate")),
        Request::get(target.tls("trustedRoot")),
        Request::get(target.tls("privateKey")),
    ];
    let cas = match target.job {
        Job::Certificate => {
            if has_key {
                out.push(file("privateKey", "key.pem", b"").secret());
            }
            out.push(file("certificate", "certificate.pem", pem.as_bytes()));
            trust
        }
        Job::TrustStore => Some(pem),
    };
    match (target.trusted_roots, cas) {
        (TrustedRoots::Add, Some(cas)) => {
            for cert in engine::load("trusted roots", cas.as_bytes()).certificates {
                let one = crate::engine::pem::encode("CERTIFICATE", &cert.der);
                out.push(file("trustedRoot/incremental", "trust.pem", one.as_bytes()));
            }
        }
        (TrustedRoots::Replace, Some(cas)) => {
            out.push(file("trustedRoot", "trust.pem", cas.as_bytes()));
        }
        _ => {}
    }
    out.push(Request {
        method: reqwest::Method::POST,
        url: format!("{}/actions/saveConfiguration", target.api()),
        body: Some(("application/x-www-form-urlencoded".into(), Vec::new())),
        authorized: true,
        secret_body: false,
    });
    out
}
