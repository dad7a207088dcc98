//! The change: the trunks checked, the certificate authority created, updated (with the version
//! read, once more on a conflict) or deleted, then read back and compared.

use super::*;

pub(in crate::upload) fn apply(
    run: &mut Run,
    target: &GenesysTarget,
    wanted: Option<&str>,
) -> Result<(), UploadError> {
    preflight_trunks(run, target)?;
    run.started(Phase::ReadCurrent);
    let current = find_authority(&mut run.session, &target.ca_name).map_err(|e| match e {
        UploadError::Refused(_) => e,
        e => e.reading(&format!(
            "certificate authority \"{}\" at {}",
            crate::engine::text::escaped(&target.ca_name),
            target.api_base
        )),
    })?;
    let current_pem = current
        .as_ref()
        .and_then(|ca| ca["certificate"].as_str())
        .map(String::from);
    if let Some(id) = current.as_ref().and_then(|ca| ca["id"].as_str()) {
        run.ids
            .insert("certificateAuthorityId".into(), id.to_string());
    }
    run.done(
        Phase::ReadCurrent,
        match &current {
            Some(ca) => format!(
                "certificate authority \"{}\" exists (version {})",
                crate::engine::text::escape(&target.ca_name),
                ca["version"].as_u64().unwrap_or(0)
            ),
            None => format!(
                "no certificate authority named \"{}\" yet",
                crate::engine::text::escape(&target.ca_name)
            ),
        },
    );
    if run.already_held(current_pem.as_deref()) {
        return Ok(());
    }
    run.back_up(
        current.clone().unwrap_or(Value::Null),
        current_pem.as_deref(),
    )?;

    run.started(Phase::Upload);
    let after = put_authority(run, target, current.as_ref(), wanted)?;
    verify_authority(run, after, wanted)
}

/// Each trunk the target names is read and must be a BYOC Premises trunk (BYOC Cloud has nothing to
/// upload); its checklist goes into the run's notes, its id and name into the record.
pub(super) fn preflight_trunks(run: &mut Run, target: &GenesysTarget) -> Result<(), UploadError> {
    for (n, id) in target.trunks().enumerate() {
        run.started(Phase::Preflight);
        let trunk = trunk(&mut run.session, id)?;
        // trunkId, then trunkId2, trunkId3… when a plan names several.
        let suffix = if n == 0 {
            String::new()
        } else {
            (n + 1).to_string()
        };
        run.ids.insert(format!("trunkId{suffix}"), trunk.id.clone());
        run.ids
            .insert(format!("trunkName{suffix}"), trunk.name.clone());
        for (ok, line) in trunk.checklist() {
            run.note(if ok {
                format!("ok: {}", crate::engine::text::escape(&line))
            } else {
                format!("warning: {}", crate::engine::text::escape(&line))
            });
        }
        if trunk.is_byoc_cloud() {
            return Err(UploadError::Refused(format!(
                "trunk \"{}\": {BYOC_CLOUD_NOTHING_TO_UPLOAD}",
                crate::engine::text::escape(&trunk.name)
            )));
        }
        run.done(
            Phase::Preflight,
            format!(
                "trunk \"{}\" is a BYOC Premises trunk",
                crate::engine::text::escape(&trunk.name)
            ),
        );
    }

    Ok(())
}

/// The change: delete, create or update the certificate authority; its id afterwards (`None` when
/// nothing was there and nothing is to be).
pub(super) fn put_authority(
    run: &mut Run,
    target: &GenesysTarget,
    current: Option<&Value>,
    wanted: Option<&str>,
) -> Result<Option<String>, UploadError> {
    let api_base = run.session.api_base.clone();
    Ok(match (current, wanted) {
        (None, None) => {
            run.done(Phase::Upload, "nothing to remove: it does not exist".into());
            None
        }
        (Some(ca), None) => {
            let id = ca["id"].as_str().unwrap_or_default().to_string();
            run.change(
                &Request {
                    method: reqwest::Method::DELETE,
                    ..Request::get(authority_url(&api_base, &id))
                },
                &[],
            )?;
            run.done(Phase::Upload, format!("deleted certificate authority {id}"));
            Some(id)
        }
        (None, Some(pem)) => {
            let request = Request::json(
                reqwest::Method::POST,
                format!("{api_base}{EDGES}/certificateauthorities"),
                &authority_body(&target.ca_name, &target.description, pem, None, None),
            );
            let created = run.change(&request, &[])?.json().ok_or_else(|| {
                UploadError::Unexpected("the created certificate authority is not JSON".into())
            })?;
            let id = created["id"].as_str().unwrap_or_default().to_string();
            run.ids.insert("certificateAuthorityId".into(), id.clone());
            run.done(Phase::Upload, format!("created certificate authority {id}"));
            Some(id)
        }
        (Some(ca), Some(pem)) => {
            let id = ca["id"].as_str().unwrap_or_default().to_string();
            update_authority(run, target, &api_base, ca, pem)?;
            Some(id)
        }
    })
}

/// Updates the certificate authority `ca` to hold `pem`: with the version read, and on a 409 (the
/// server holds another version than was read) once more after reading it again.
pub(super) fn update_authority(
    run: &mut Run,
    target: &GenesysTarget,
    api_base: &str,
    ca: &Value,
    pem: &str,
) -> Result<(), UploadError> {
    let id = ca["id"].as_str().unwrap_or_default().to_string();
    let mut version = ca["version"].as_u64();
    let mut held = ca.clone();
    let mut retried = false;
    loop {
        let request = Request::json(
            reqwest::Method::PUT,
            authority_url(api_base, &id),
            &authority_body(
                &target.ca_name,
                &target.description,
                pem,
                version,
                Some(&held),
            ),
        );
        let response = run.change(&request, &[409])?;
        if response.status != 409 {
            let v = response.json().and_then(|v| v["version"].as_u64());
            run.done(
                Phase::Upload,
                format!(
                    "updated certificate authority {id} (now version {})",
                    v.unwrap_or(0)
                ),
            );
            break;
        }
        if retried {
            return Err(UploadError::conflict(
                &response,
                "again after re-reading it",
            ));
        }
        retried = true;
        run.note(format!(
            "the server holds another version of {id} than we read ({}); re-reading it and retrying once",
            crate::engine::text::escape(&response.message())
        ));
        let fresh = get_authority(&mut run.session, &id)?;
        version = fresh.as_ref().and_then(|ca| ca["version"].as_u64());
        if let Some(fresh) = fresh {
            held = fresh;
        }
    }
    Ok(())
}

/// The read-back: the certificate authority holds exactly what was sent (or is gone, for a
/// rollback to nothing), and Genesys Cloud's own view marks none of it invalid.
pub(super) fn verify_authority(
    run: &mut Run,
    after: Option<String>,
    wanted: Option<&str>,
) -> Result<(), UploadError> {
    run.started(Phase::Verify);
    let Some(id) = after else {
        run.verified("nothing was there and nothing is".into());
        return Ok(());
    };
    let now = get_authority(&mut run.session, &id)?;
    let now_pem = now.as_ref().and_then(|ca| ca["certificate"].as_str());
    run.compare(wanted, now_pem)?;
    if wanted.is_none() {
        run.verified(format!(
            "certificate authority {id} is gone, as it was absent before"
        ));
        return Ok(());
    }
    if let Some(ca) = &now {
        let details = ca["certificateDetails"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut bad = Vec::new();
        for d in &details {
            let text = |key: &str| d[key].as_str().unwrap_or("?").to_string();
            let view = crate::upload::ServerView {
                subject: text("subject"),
                issuer: text("issuer"),
                expires: text("expirationDate"),
                valid: d["valid"].as_bool(),
                signature_valid: d["signatureValid"].as_bool(),
                expired: d["expired"].as_bool(),
            };
            if view.is_bad() {
                bad.push(view.line());
            }
            run.details.push(view);
        }
        if !bad.is_empty() {
            return Err(UploadError::Differs(format!(
                "Genesys Cloud marks {} certificate(s) we sent as not valid: {}",
                bad.len(),
                crate::engine::text::escape(&bad.join("; "))
            )));
        }
    }
    run.verified(format!(
        "certificate authority {id} holds exactly the {} certificate(s) sent",
        run.payload_count()
    ));
    Ok(())
}
