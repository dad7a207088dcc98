//! One upload from start to end: the journal and the audit record around it; connect,
//! authenticate, read what the target holds, back it up, change it, read it back.

use super::*;

/// Runs an upload (or rollback) start to finish and appends it to the audit log.
/// `events` sees each step as it happens; `cancel` stops it between requests.
pub fn run(
    plan: &Plan,
    secrets: &Secrets,
    cancel: Arc<AtomicBool>,
    now: i64,
    events: &mut dyn FnMut(Event),
) -> (Record, Result<(), UploadError>) {
    run_journaled(plan, secrets, cancel, now, events, &mut |_| Ok(()))
}

/// [`run`], with `journal` told of each [`Step`] before the upload goes on (a rotation's run file).
pub fn run_journaled(
    plan: &Plan,
    secrets: &Secrets,
    cancel: Arc<AtomicBool>,
    now: i64,
    events: &mut dyn FnMut(Event),
    journal: &mut Journal<'_>,
) -> (Record, Result<(), UploadError>) {
    let mut record = new_record(plan, now);
    // The key file, read here (the window's worker), and checked against the leaf before any request.
    let keyed;
    let plan = match (&plan.key_file, &plan.payload.key) {
        (Some(path), None) if plan.target.takes_key() => {
            let mut with_key = plan.clone();
            match with_key_from(&mut with_key, path) {
                Ok(()) => {
                    keyed = with_key;
                    &keyed
                }
                Err(e) => {
                    record.result = "refused".into();
                    record.error = Some(e.to_string());
                    let result = match records::append_audit(&plan.data_dir, &record) {
                        Ok(()) => Err(e),
                        Err(write) => Err::<(), _>(e).and(Err(write)),
                    };
                    return (record, result);
                }
            }
        }
        _ => plan,
    };
    let connection = plan.trust().and_then(|trust| {
        http::Connection::with_proxy(
            plan.policy,
            &trust,
            cancel.clone(),
            crate::proxy::Settings::of(&plan.proxy),
        )
        .map_err(Into::into)
    });
    let mut unchanged = false;
    let result = match connection {
        Err(e) => Err(e),
        Ok(conn) => {
            let mut run = Run::new(conn, plan, events, journal, now);
            let result = steps(&mut run, plan, secrets);
            unchanged = run.unchanged;
            record.ids = run.ids;
            record.changed = run.changed;
            record.backup = run.backup.map(|p| p.display().to_string());
            record.notes = run.notes;
            record.details = run.details;
            record.requests = run.session.conn.exchanges.clone();
            if let Some(v) = run.verified {
                record.notes.push(v);
            }
            result
        }
    };
    record.correlation_ids = record
        .requests
        .iter()
        .filter_map(|e| e.correlation_id.clone())
        .collect();
    record.result = result_word(&result, unchanged, record.changed).to_string();
    record.error = result.as_ref().err().map(|e| e.to_string());
    let result = match records::append_audit(&plan.data_dir, &record) {
        Ok(()) => result,
        Err(e) => result.and(Err(e)),
    };
    (record, result)
}

/// The audit record of an upload of `plan` started at `now`, before anything is sent.
fn new_record(plan: &Plan, now: i64) -> Record {
    Record {
        time: engine::report::rfc3339(now),
        action: if plan.rollback_of.is_some() {
            "rollback"
        } else {
            "upload"
        },
        target: plan.target.kind(),
        region: region_of(&plan.target),
        endpoint: endpoint_of(&plan.target),
        certificate_authority: match &plan.target {
            Target::Genesys(g) => Some(g.ca_name.clone()),
            Target::Rest(_) | Target::AudioCodes(_) | Target::Files(_) => None,
        },
        ids: BTreeMap::new(),
        bundle: plan.payload.fingerprints.clone(),
        certificates: plan.payload.names(),
        requests: Vec::new(),
        result: String::new(),
        error: None,
        changed: false,
        backup: None,
        correlation_ids: Vec::new(),
        notes: Vec::new(),
        details: Vec::new(),
        rollback_of: plan.rollback_of.as_ref().map(|p| p.display().to_string()),
        rehearsal: plan.rehearsal,
        forced: plan.forced.clone(),
    }
}

/// The one word an audit entry's result is: unchanged, verified, refused, cancelled, differs,
/// changed-unverified or failed.
fn result_word(result: &Result<(), UploadError>, unchanged: bool, changed: bool) -> &'static str {
    match result {
        Ok(()) if unchanged => "unchanged",
        Ok(()) => "verified",
        Err(UploadError::Refused(_)) => "refused",
        Err(UploadError::Http(HttpError::Cancelled)) => "cancelled",
        Err(UploadError::Differs(_)) => "differs",
        Err(_) if changed => "changed-unverified",
        Err(_) => "failed",
    }
}

/// Reads `path` into `plan`'s payload: the leaf's key, or a refusal naming the file.
pub(super) fn with_key_from(plan: &mut Plan, path: &std::path::Path) -> Result<(), UploadError> {
    let key = PrivateKey::read(path)?;
    let pem = plan.payload.pem.as_deref().unwrap_or_default();
    let leaf = engine::load("bundle", pem.as_bytes())
        .certificates
        .first()
        .cloned()
        .ok_or_else(|| UploadError::Refused("the bundle has no leaf".into()))?;
    if !key.belongs_to(&leaf) {
        return Err(key::mismatch(&key, &leaf));
    }
    plan.payload.key = Some(key);
    Ok(())
}

pub(super) fn steps(run: &mut Run, plan: &Plan, secrets: &Secrets) -> Result<(), UploadError> {
    if let Some(url) = first_url(&plan.target)
        && let Some(proxy) = run.session.conn.via(&url)
    {
        run.note(format!("via proxy {proxy}"));
    }
    authenticate(run, plan, secrets)?;
    match &plan.target {
        Target::Genesys(g) => genesys::apply(run, g, plan.payload.pem.as_deref()),
        Target::Rest(r) => rest::apply(run, r, plan.payload.pem.as_deref()),
        Target::AudioCodes(a) => audiocodes::apply(run, a),
        Target::Files(f) => files::apply(run, f),
    }?;
    if let Some(endpoint) = &plan.verify
        && !run.trust_only()
    {
        readback::verify(run, endpoint)?;
    }
    Ok(())
}

pub(super) fn authenticate(
    run: &mut Run,
    plan: &Plan,
    secrets: &Secrets,
) -> Result<(), UploadError> {
    run.started(Phase::Authenticate);
    let secret = secrets.client_secret.as_ref().or(secrets.token.as_ref());
    if let (Some(secret), Some(binding)) = (secret, &plan.secret_binding)
        && !secret.matches(&plan.target.identity(), binding)
    {
        return Err(UploadError::Refused(format!(
            "the secret given is not the one used with {} when the backup was made; the backup may have been edited to name another place, or the secret was changed since. Nothing was sent",
            crate::engine::text::escaped(&plan.target.identity())
        )));
    }
    // What the backup records of the secret used here.
    run.secret_binding = secret.map(|s| s.bind(&plan.target.identity()));
    match &plan.target {
        Target::Genesys(g) => {
            let secret = secrets.client_secret.as_ref().ok_or_else(|| {
                UploadError::Usage(format!(
                    "no client secret: set {} or let Chainsmith prompt for it",
                    secret::CLIENT_SECRET_VAR
                ))
            })?;
            run.session.api_base = g.api_base.clone();
            run.session.oauth(
                &format!("{}/oauth/token", g.login_base),
                &g.client_id,
                secret,
            )?;
            run.done(
                Phase::Authenticate,
                format!("token for client {}", g.client_id),
            );
            Ok(())
        }
        Target::Rest(r) => rest::authenticate(run, r, secrets),
        Target::AudioCodes(a) => audiocodes::authenticate(run, a, secrets),
        Target::Files(f) => {
            let host = f.host()?;
            run.done(
                Phase::Authenticate,
                match host {
                    host::Host::Local => "files on this machine: no credentials".into(),
                    host::Host::Ssh(s) => format!("ssh to {} with its key", s.shown()),
                },
            );
            Ok(())
        }
    }
}
