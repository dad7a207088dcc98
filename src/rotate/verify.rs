//! The endpoints a plan names, probed after the change: served chain against the bundle.

use super::*;

/// Once every target holds the bundle: probes each `[[verify]]` endpoint into `run` (and saves it).
/// `probing` hears each endpoint before it is probed.
pub fn verify_all(
    rotation: &Rotation,
    prepared: &Prepared,
    run: &mut RunFile,
    run_path: &Path,
    probing: &mut dyn FnMut(&str),
) -> Result<(), UploadError> {
    if rotation.verify.is_empty() || !run.targets.iter().all(|t| t.status.is_good()) {
        return Ok(());
    }
    for spec in &rotation.verify {
        probing(&spec.endpoint);
        let mut options = prepared.options.clone();
        if let Some(host) = &spec.host {
            options.host = Some(host.clone());
        }
        run.verify.push(verify(
            spec,
            &prepared.report,
            &options,
            prepared.roots.as_ref(),
        ));
    }
    save(run_path, run)
}

/// Probes `spec.endpoint` and judges what it serves against the bundle (`served.*` findings). A stale
/// leaf is reported; it is the admin's call whether that fails the change.
pub fn verify(
    spec: &VerifySpec,
    bundle: &Report,
    options: &CheckOptions,
    roots: Option<&Loaded>,
) -> VerifyResult {
    let checked = crate::probe_check::run(crate::probe_check::ProbeCheck {
        target: &spec.endpoint,
        sni: spec.sni.as_deref(),
        options,
        roots,
        bundle: Some(bundle),
        timeout: spec.timeout,
        client_auth: None,
    });
    let (probed, report) = match checked {
        Ok(c) => (c.probe, c.report),
        Err(e) => {
            return VerifyResult {
                endpoint: spec.endpoint.clone(),
                served: Vec::new(),
                findings: Vec::new(),
                error: Some(e.to_string()),
            };
        }
    };
    VerifyResult {
        endpoint: spec.endpoint.clone(),
        served: probed
            .served
            .iter()
            .map(|d| engine::cert::Fingerprint::of(d).hex())
            .collect(),
        findings: report.to_json()["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
        error: None,
    }
}
