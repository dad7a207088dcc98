//! One probe pipeline, used by `chainsmith probe`, the window's Probe window and a rotation's verify
//! step alike: connect with the SNI rule below, load what the endpoint serves, analyse it as served
//! (trusting the roots given, else the bundle's own root), and judge it against the bundle.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::engine::{self, CheckOptions, HostName, Loaded, Report};
use crate::probe::{self, Probe, ProbeError, ProbeOptions};

/// What to probe and how to judge it.
pub struct ProbeCheck<'a> {
    /// `HOST[:PORT]` (port 5061 by default).
    pub target: &'a str,
    /// The SNI asked for explicitly (`--sni`, the window's SNI field, a plan's `sni`).
    pub sni: Option<&'a str>,
    /// The check options; `host` is the name the served leaf must be valid for.
    pub options: &'a CheckOptions,
    /// Roots trusted (`--roots`, a roots file); `None`: the bundle's own root.
    pub roots: Option<&'a Loaded>,
    /// The bundle the admin holds, to compare with.
    pub bundle: Option<&'a Report>,
    pub timeout: Duration,
    pub client_auth: Option<(Vec<CertificateDer<'static>>, Arc<PrivateKeyDer<'static>>)>,
}

/// What the pipeline found.
pub struct Checked {
    pub host: String,
    pub port: u16,
    pub probe: Probe,
    /// The certificates as served (sources `served #1`, …).
    pub served: Loaded,
    /// The roots the served chain was judged against.
    pub roots: Option<Loaded>,
    /// The served chain, analysed and judged against the bundle (`served.*` findings).
    pub report: Report,
    /// The connection options used (to probe again with other suites).
    pub probe_options: ProbeOptions,
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeCheckError {
    #[error("\"{0}\" is not HOST[:PORT] (e.g. sbc1.carrier.example:5061 or 192.0.2.10:5061)")]
    BadTarget(String),
    #[error(transparent)]
    Probe(#[from] ProbeError),
}

/// The SNI rule, the same everywhere: the SNI given; else the name the leaf is checked for (a server
/// with several certificates picks one by it, so the name asked for is the name checked); else none
/// here, and the probe sends the endpoint's own name unless it is an address.
pub fn sni_for(sni: Option<&str>, check_host: Option<&HostName>) -> Option<String> {
    if let Some(sni) = sni.map(str::trim).filter(|s| !s.is_empty()) {
        return Some(sni.to_string());
    }
    match check_host {
        Some(HostName::Dns(name)) => Some(name.clone()),
        _ => None,
    }
}

/// Probes and judges.
pub fn run(check: ProbeCheck<'_>) -> Result<Checked, ProbeCheckError> {
    let (host, port) = probe::split_target(check.target.trim())
        .ok_or_else(|| ProbeCheckError::BadTarget(engine::text::escaped(check.target)))?;
    let probe_options = ProbeOptions {
        host: host.clone(),
        port,
        sni: sni_for(check.sni, check.options.host.as_ref()),
        timeout: check.timeout,
        client_auth: check.client_auth,
        only_suites: None,
    };
    let probe = probe::probe(&probe_options)?;
    let mut served = Loaded::default();
    for (i, der) in probe.served.iter().enumerate() {
        served.extend(engine::load(&format!("served #{}", i + 1), der));
    }
    // Without roots of its own, what the far end trusts is the bundle's root.
    let roots = check
        .roots
        .cloned()
        .or_else(|| check.bundle.and_then(engine::served::bundle_roots));
    let report = engine::analyze(&served, roots.as_ref(), check.options);
    let report = engine::served::judge(report, check.bundle, check.options);
    Ok(Checked {
        host,
        port,
        probe,
        served,
        roots,
        report,
        probe_options,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sni_is_the_one_given_else_the_name_checked_else_none() {
        let dns = HostName::parse("sbc1.carrier.example").unwrap();
        let ip = HostName::parse("192.0.2.10").unwrap();
        assert_eq!(
            sni_for(Some("voice.example.net"), Some(&dns)).as_deref(),
            Some("voice.example.net")
        );
        assert_eq!(
            sni_for(Some("  "), Some(&dns)).as_deref(),
            Some("sbc1.carrier.example")
        );
        assert_eq!(
            sni_for(None, Some(&dns)).as_deref(),
            Some("sbc1.carrier.example")
        );
        assert_eq!(sni_for(None, Some(&ip)), None);
        assert_eq!(sni_for(None, None), None);
    }
}
