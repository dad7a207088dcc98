//! The change itself: what the plan wants in the context, the previous key checked against what the
//! device holds, the key then the certificate (the previous key put back if the certificate is
//! refused), the trusted roots, `saveConfiguration`; and the requests a dry run lists.

use super::*;

/// How the trusted-root store is to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StoreChange {
    Add,
    Replace,
}

/// What this run puts on the device.
pub(super) struct Wanted<'p> {
    /// The certificate chain and its key.
    pub(super) certificate: Option<(std::borrow::Cow<'p, str>, &'p PrivateKey)>,
    /// The CA certificates for the trusted-root store, and how.
    pub(super) trust: Option<(StoreChange, &'p str)>,
}

pub(super) fn wanted<'p>(
    run: &Run<'p>,
    target: &AudioCodesTarget,
) -> Result<Wanted<'p>, UploadError> {
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
pub(super) fn store_holds(store: &str, change: StoreChange, cas: &str) -> bool {
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
pub(super) fn check_previous_key(
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

pub(in crate::upload) fn apply(
    run: &mut Run,
    target: &AudioCodesTarget,
) -> Result<(), UploadError> {
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

    read_back(run, target, &want)
}

/// The read-back: the certificate with a valid key and the trusted roots as asked, and a saved
/// configuration (else the change would be lost at the next restart).
fn read_back(run: &mut Run, target: &AudioCodesTarget, want: &Wanted) -> Result<(), UploadError> {
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

pub(super) fn held_names(pem: &str) -> String {
    engine::load("held", pem.as_bytes())
        .certificates
        .first()
        .map(|c| c.display_name())
        .unwrap_or_else(|| "(none)".into())
}

/// The key, then the certificate. If the certificate is refused after the key was taken, the
/// previous key goes back at once (when the target names it), so the device serves its old
/// certificate rather than none.
pub(super) fn put_certificate(
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
pub(super) fn put_trust(
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
