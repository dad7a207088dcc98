//! `sandbox`: the local stand-ins for the trunk APIs and the SBC, until Ctrl+C.

use super::*;

pub(super) fn sandbox(args: &SandboxArgs) -> anyhow::Result<ExitCode> {
    let mut faults = Vec::new();
    for spec in &args.inject {
        let (status, retry) = match spec.split_once(':') {
            Some((s, r)) => (s, Some(r)),
            None => (spec.as_str(), None),
        };
        let bad = || {
            UsageError(format!(
                "--inject {spec}: use STATUS[:RETRY_AFTER], e.g. 429:2"
            ))
        };
        faults.push(crate::sandbox::Fault {
            status: status.parse().map_err(|_| bad())?,
            retry_after: retry.map(|r| r.parse()).transpose().map_err(|_| bad())?,
            ..crate::sandbox::Fault::default()
        });
    }
    let identity = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let read = |flag: &str, path: &PathBuf| {
                std::fs::read(path).map_err(|e| {
                    UsageError(format!("{flag} {}: {e}", crate::engine::text::path(path)))
                })
            };
            Some(crate::sandbox::Identity {
                chain_pem: read("--tls-cert", cert)?,
                key_pem: read("--tls-key", key)?,
            })
        }
        _ => None,
    };
    let handle = crate::sandbox::start_with_sip(args.port, args.sip_port, faults, identity)?;
    if args.tls_cert.is_none() {
        files::write_output(&args.cert_file, handle.certificate_pem.as_bytes(), &[])?;
    }
    crate::outln!(
        "Chainsmith sandbox (local rehearsal) listening on {}",
        handle.base_url()
    );
    crate::outln!(
        "  its certificate: {} (trust it with --ca-file)",
        crate::engine::text::path(args.tls_cert.as_ref().unwrap_or(&args.cert_file))
    );
    crate::outln!(
        "  OAuth client: {} / {}",
        crate::sandbox::CLIENT_ID,
        crate::sandbox::CLIENT_SECRET
    );
    crate::outln!(
        "  Genesys API base: {0}   login base: {0}",
        handle.base_url()
    );
    crate::outln!(
        "  REST trunk endpoint: {}/trunk-api/trunks/{{id}}/certificate",
        handle.base_url()
    );
    crate::outln!(
        "  AudioCodes device: --url {} --user {} (password: the OAuth client secret above); TLS context {} is served on {} (probe it, or verify = \"{}\")",
        handle.base_url(),
        crate::sandbox::audiocodes::USER,
        crate::sandbox::audiocodes::SIP_CONTEXT,
        handle.sip_address,
        handle.sip_address
    );
    crate::outln!(
        "  inject failures: POST {}/sandbox/faults {{\"status\":429,\"retry_after\":2}}",
        handle.base_url()
    );
    crate::outln!("Ctrl+C to stop.");
    loop {
        std::thread::park();
    }
}
