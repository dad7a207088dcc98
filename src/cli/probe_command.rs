//! `probe`: what an endpoint serves, judged, with the handshake's details.

use super::*;

pub(super) fn probe(args: &ProbeArgs) -> anyhow::Result<ExitCode> {
    let (host, _) = probe::split_target(&args.target).ok_or_else(|| {
        UsageError(format!(
            "\"{}\" is not HOST[:PORT]",
            crate::engine::text::escape(&args.target)
        ))
    })?;
    let check_name = args.host.clone().unwrap_or_else(|| host.clone());
    let options = args.flags.options(Some(&check_name))?;
    let roots = args.flags.roots()?;
    let client_auth = client_auth(args)?;
    let bundle_report = if args.bundle.is_empty() {
        None
    } else {
        let mut bundle = Loaded::default();
        for path in &args.bundle {
            bundle.extend(read_path(path)?);
        }
        Some(engine::analyze(&bundle, roots.as_ref(), &options))
    };
    // The one pipeline (window and rotation verify use it too): the SNI is --sni, else the name
    // checked (--host, else the endpoint's name).
    let checked = match crate::probe_check::run(crate::probe_check::ProbeCheck {
        target: &args.target,
        sni: args.sni.as_deref(),
        options: &options,
        roots: roots.as_ref(),
        bundle: bundle_report.as_ref(),
        timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        client_auth,
    }) {
        Ok(c) => c,
        Err(e) => {
            // The error names the host escaped (`ProbeCheckError`): printed as it is.
            crate::errln!("chainsmith: {e}");
            return Ok(ExitCode::from(3));
        }
    };
    let crate::probe_check::Checked {
        host,
        port,
        probe: probed,
        served,
        roots,
        report,
        probe_options,
    } = checked;
    let mut probe_options = probe_options;
    let mut report = report;
    if args.flags.fetch_missing && report.has(engine::Code::ServedIncomplete) {
        // What the endpoint should also send: fetched for the report; the served verdict stands.
        let (_, _, notes) = aia::analyze_fetching(
            &served,
            roots.as_ref(),
            &options,
            &aia::FetchOptions::default(),
        );
        report = aia::with_fetch_notes(report, &notes);
    }

    let suites = if options.profile == engine::Profile::GenesysByocCloud {
        genesys_byoc_cloud_suites(&mut probe_options)
    } else {
        Vec::new()
    };

    let mut stdout = crate::console::stdout();
    if args.flags.json {
        let mut json = report.to_json();
        json["probe"] = serde_json::json!({
            "target": format!("{host}:{port}"),
            "sni": probed.sni_sent,
            "address": probed.address.to_string(),
            "protocol_version": probed.protocol_version,
            "cipher_suite": probed.cipher_suite,
            "client_certificate_requested": probed.client_certificate_requested,
            "handshake_error": probed.handshake_error,
            "served": probed.served.iter().map(|d| engine::Fingerprint::of(d).hex()).collect::<Vec<_>>(),
            "genesys_byoc_cloud_suites": suites.iter().map(|(n, r)| serde_json::json!({"suite": n, "result": r})).collect::<Vec<_>>(),
        });
        writeln!(stdout, "{}", json::text(&json)?)?;
    } else {
        print_text(
            &mut stdout,
            &format!("{host}:{port}"),
            &probed,
            &served,
            &suites,
            &report,
        )?;
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A client certificate chain and its key.
type ClientAuth = (
    Vec<rustls::pki_types::CertificateDer<'static>>,
    std::sync::Arc<rustls::pki_types::PrivateKeyDer<'static>>,
);

/// The client certificate and key (`--client-cert`, `--client-key`) for an endpoint that asks for
/// one (SIP mutual TLS).
fn client_auth(args: &ProbeArgs) -> anyhow::Result<Option<ClientAuth>> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    Ok(match (&args.client_cert, &args.client_key) {
        (Some(cert), Some(key)) => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
                .and_then(|it| it.collect())
                .map_err(|e| {
                    UsageError(format!(
                        "--client-cert {}: {e}",
                        crate::engine::text::path(cert)
                    ))
                })?;
            // The key's own error text is not repeated: it could quote key material.
            let key = PrivateKeyDer::from_pem_file(key).map_err(|_| {
                UsageError(format!(
                    "--client-key {}: no usable private key in it",
                    crate::engine::text::path(key)
                ))
            })?;
            Some((certs, std::sync::Arc::new(key)))
        }
        _ => None,
    })
}

/// Genesys Cloud's BYOC Cloud suites, each offered alone: accepted or refused by the endpoint.
fn genesys_byoc_cloud_suites(
    probe_options: &mut crate::probe::ProbeOptions,
) -> Vec<(&'static str, String)> {
    let mut suites = Vec::new();
    for (name, suite) in probe::genesys_byoc_cloud_suites() {
        let result = match suite {
            None => "not tested (rustls cannot offer it)".to_string(),
            Some(suite) => {
                probe_options.only_suites = Some(vec![suite]);
                match probe::probe(probe_options) {
                    Ok(_) => "accepted".to_string(),
                    Err(e) => format!("refused ({e})"),
                }
            }
        };
        suites.push((name, result));
    }
    suites
}

/// The probe's result for people: the handshake, what was served in order, the suites, the report.
fn print_text(
    stdout: &mut impl std::io::Write,
    target: &str,
    probed: &crate::probe::Probe,
    served: &Loaded,
    suites: &[(&'static str, String)],
    report: &engine::Report,
) -> anyhow::Result<()> {
    writeln!(
        stdout,
        "Probed {} ({})",
        crate::engine::text::escape(target),
        probed.address
    )?;
    writeln!(stdout, "  {}", probed.sni_words())?;
    writeln!(
        stdout,
        "  negotiated {} with {}; client certificate requested: {}",
        probed.protocol_version.as_deref().unwrap_or("?"),
        probed.cipher_suite.as_deref().unwrap_or("?"),
        if probed.client_certificate_requested {
            "yes"
        } else {
            "no"
        }
    )?;
    if let Some(e) = &probed.handshake_error {
        writeln!(stdout, "  the handshake then failed: {e}")?;
    }
    writeln!(
        stdout,
        "  served {} certificate(s), in this order:",
        probed.served.len()
    )?;
    for (i, cert) in served.certificates.iter().enumerate() {
        writeln!(
            stdout,
            "    #{} {}  (issuer: {})",
            i + 1,
            cert.display_name(),
            cert.issuer
        )?;
    }
    for (name, result) in suites {
        writeln!(stdout, "  {name}: {result}")?;
    }
    writeln!(stdout)?;
    write!(stdout, "{}", report.to_text())?;
    Ok(())
}
