//! What an upload would send and what a target holds now, without changing anything: the
//! requests of a dry run, and the holdings a rotation's status shows.

use super::*;

/// What `--dry-run` prints: every request the upload would send, credentials redacted.
pub fn dry_run(plan: &Plan) -> Result<Vec<String>, UploadError> {
    let pem = plan.payload.pem.clone().unwrap_or_default();
    let mut out = Vec::new();
    match &plan.target {
        Target::Genesys(g) => {
            out.push(format!(
                "POST {}/oauth/token\n  Authorization: Basic <redacted>\n  Content-Type: application/x-www-form-urlencoded\n  | grant_type=client_credentials\n",
                g.login_base
            ));
            out.extend(
                genesys::planned(g, &pem)
                    .iter()
                    .map(|r| r.describe("Bearer")),
            );
        }
        Target::Rest(r) => {
            if let RestAuth::Oauth { token_url, .. } = &r.auth {
                out.push(format!(
                    "POST {}\n  Authorization: Basic <redacted>\n  | grant_type=client_credentials\n",
                    crate::engine::text::escape(token_url)
                ));
            }
            let scheme = r.auth.scheme();
            for request in r.planned(plan.payload.pem.as_deref())? {
                out.push(request.describe(scheme));
            }
        }
        Target::AudioCodes(a) => {
            a.check()?;
            out.extend(
                audiocodes::planned(
                    a,
                    &pem,
                    plan.payload.trust_pem.as_deref(),
                    plan.payload.key.is_some(),
                )
                .iter()
                .map(|r| r.describe("Basic")),
            );
        }
        Target::Files(f) => {
            f.check()?;
            // The plan's paths, host and command are shown escaped (`engine::text`).
            let host = crate::engine::text::escaped(&f.host()?.shown());
            for (what, path) in [
                ("the private key (not shown)", &f.private_key),
                ("the certificate chain", &f.certificate),
                ("the CA list", &f.ca_list),
            ] {
                if let Some(path) = path {
                    out.push(format!(
                        "WRITE {} on {host}: {what}, atomically, keeping its mode and owner\n",
                        crate::engine::text::escape(path)
                    ));
                }
            }
            if let Some(command) = &f.reload {
                out.push(format!(
                    "RUN on {host}: {}\n",
                    crate::engine::text::escape(command)
                ));
            }
        }
    }
    Ok(out)
}

/// What a target holds now.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Holdings {
    /// The PEM it holds (`None`: nothing, e.g. no certificate authority of that name yet).
    pub pem: Option<String>,
    /// SHA-256 of each certificate held, in order.
    pub fingerprints: Vec<String>,
    pub ids: BTreeMap<String, String>,
    /// Every request sent (all reads), for a dry run's or status's account.
    pub requests: Vec<http::Exchange>,
}

/// Reads what the target holds, authenticated as an upload would be, and sends no change: no write,
/// no backup, no audit entry (`rotate --status`).
pub fn holdings(
    plan: &Plan,
    secrets: &Secrets,
    cancel: Arc<AtomicBool>,
) -> Result<Holdings, UploadError> {
    let trust = plan.trust()?;
    let conn = http::Connection::with_proxy(
        plan.policy,
        &trust,
        cancel,
        crate::proxy::Settings::of(&plan.proxy),
    )?;
    let mut quiet = |_: Event| {};
    let mut no_journal = |_: &Step| Ok(());
    let mut run = Run::new(conn, plan, &mut quiet, &mut no_journal, 0);
    authenticate(&mut run, plan, secrets)?;
    let pem = match &plan.target {
        Target::Genesys(g) => genesys::current(&mut run, g)?,
        Target::Rest(r) => rest::current(&mut run, r)?,
        Target::AudioCodes(a) => audiocodes::current(&mut run, a)?,
        Target::Files(f) => files::current(&mut run, f)?,
    };
    Ok(Holdings {
        fingerprints: pem.as_deref().map(fingerprints).unwrap_or_default(),
        pem,
        ids: run.ids,
        requests: run.session.conn.exchanges.clone(),
    })
}
