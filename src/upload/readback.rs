//! Read-back by probe: a target that names the endpoint it serves (`verify = "host:port"`) is
//! verified only when a TLS handshake there (SNI = the host) gets exactly the chain sent, leaf
//! first. An API that says it holds the new certificate proves what it stores; the probe proves
//! what peers get (a device may need a reload, or serve another context on that port).

use super::{Run, UploadError};
use crate::engine;

/// Probes `endpoint` and compares what it serves with the payload.
pub(super) fn verify(run: &mut Run, endpoint: &str) -> Result<(), UploadError> {
    let shown = engine::text::escaped(endpoint);
    let (host, port) = crate::probe::split_target(endpoint)
        .ok_or_else(|| UploadError::Usage(format!("verify = \"{shown}\": not HOST[:PORT]")))?;
    let options = crate::probe::ProbeOptions {
        sni: Some(host.clone()),
        host,
        port,
        timeout: run.session.conn.policy.timeout,
        client_auth: None,
        only_suites: None,
    };
    let probe = crate::probe::probe(&options).map_err(|e| {
        UploadError::NotServed(format!(
            "could not probe {shown} to see what it serves: {}",
            e
        ))
    })?;
    let served: Vec<String> = probe
        .served
        .iter()
        .map(|der| engine::cert::Fingerprint::of(der).hex())
        .collect();
    let sent = &run.plan.payload.fingerprints;
    let names = |ders: &[Vec<u8>]| {
        ders.iter()
            .map(|d| {
                engine::load(
                    "served",
                    &crate::engine::pem::encode("CERTIFICATE", d).into_bytes(),
                )
                .certificates
                .first()
                .map(|c| c.display_name())
                .unwrap_or_else(|| "(unreadable)".into())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if served == *sent {
        run.note(format!(
            "{shown} serves the {} certificate(s) sent ({})",
            served.len(),
            names(&probe.served)
        ));
        return Ok(());
    }
    let what = if probe.served.is_empty() {
        format!(
            "no certificate{}",
            probe
                .handshake_error
                .as_deref()
                .map(|e| format!(" (the handshake failed: {})", engine::text::escaped(e)))
                .unwrap_or_default()
        )
    } else {
        format!("{} certificate(s): {}", served.len(), names(&probe.served))
    };
    let hint = match &run.plan.target {
        super::Target::AudioCodes(_) => {
            ". Check that this port belongs to the TLS context changed; some AudioCodes deployments need a device reset before their listeners take a new certificate"
        }
        super::Target::Files(_) => {
            ". Check that the server reads these files and that the reload command reloads TLS"
        }
        _ => "",
    };
    Err(UploadError::NotServed(format!(
        "{shown} does not serve what was sent ({} certificate(s)); it serves {what}{hint}",
        sent.len()
    )))
}
