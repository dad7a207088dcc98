//! `check`, `build` and `teams-roots`: files read, the engine called with the flags' options, the report printed or the bundle written.

use super::*;

pub(super) fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let report = analyze(args)?;
    let mut stdout = crate::console::stdout();
    if args.flags.json {
        writeln!(stdout, "{}", json::text(&report.to_json())?)?;
    } else {
        write!(stdout, "{}", report.to_text())?;
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(super) fn build(args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let to_stdout = args.output.as_os_str() == "-";
    // Where the bundle goes is settled before any work: never onto an input (a cert + key file would
    // lose its key), a folder, a read-only file, or by replacing a device or pipe. --force does not
    // lift these refusals.
    let output = if to_stdout {
        None
    } else {
        let mut named = args.check.inputs.clone();
        named.extend(args.check.leaf.iter().cloned());
        named.extend(args.check.flags.roots.iter().cloned());
        named.extend(args.check.flags.crl.iter().cloned());
        named.extend(args.check.flags.sbc_trust.iter().cloned());
        Some(files::plan_output(&args.output, &files::input_ids(&named))?)
    };
    let report = analyze(&args.check)?;
    let summary = if args.check.flags.json {
        json::text(&report.to_json())? + "\n"
    } else {
        report.to_text()
    };
    crate::err_print!("{summary}");
    if !report.passed() && !args.force {
        // With --json the error findings in the report are the reason: standard error stays JSON.
        if !args.check.flags.json {
            crate::errln!(
                "chainsmith: refusing to write the bundle: {} error finding(s); fix them or use --force",
                report.count(engine::Severity::Error)
            );
        }
        return Ok(ExitCode::from(1));
    }
    let options = BundleOptions {
        include_root: args.include_root,
        ca_only: args.ca_only,
    };
    let pem = match bundle::to_pem(&report, options) {
        Ok(pem) => pem,
        Err(e) => {
            crate::errln!("chainsmith: nothing written: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let count = pem.matches("-----BEGIN CERTIFICATE-----").count();
    if let Some(output) = output {
        output.write(pem.as_bytes())?;
        crate::errln!(
            "chainsmith: wrote {count} certificate(s) to {}",
            engine::text::path(&args.output)
        );
    } else {
        std::io::stdout().lock().write_all(pem.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn teams_roots(output: &std::path::Path) -> anyhow::Result<ExitCode> {
    let pem = engine::teams::bundle();
    if output.as_os_str() == "-" {
        std::io::stdout().lock().write_all(pem.as_bytes())?;
    } else {
        files::write_output(output, pem.as_bytes(), &[])?;
        crate::errln!(
            "chainsmith: wrote the {} roots of Microsoft Teams Direct Routing (2026) to {}",
            engine::teams::SBC_TRUST_2026.len(),
            engine::text::path(output)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads the inputs and roots, reads the clock, and runs the engine.
pub fn analyze(args: &CheckArgs) -> anyhow::Result<Report> {
    if args.inputs.is_empty() && args.leaf.is_none() {
        bail!(UsageError(
            "no input: give certificate files or folders (or --leaf FILE)".into()
        ));
    }
    let mut options = args.flags.options(args.host.as_deref())?;
    let mut inputs = Loaded::default();
    for path in &args.inputs {
        inputs.extend(read_path(path)?);
        if inputs.over_budget {
            break; // the total input budget is reached: read nothing more
        }
    }
    if let Some(path) = &args.leaf {
        let loaded = read_path(path)?;
        let Some(first) = loaded.certificates.first() else {
            bail!(UsageError(format!(
                "--leaf {}: no certificate in it",
                engine::text::path(path)
            )));
        };
        options.leaf = Some(first.sha256);
        // The pinned file joins the pile unless it is already there (its certificates would be duplicates).
        let already = inputs.certificates.iter().any(|c| c.sha256 == first.sha256);
        if !already {
            inputs.extend(loaded);
        }
    }
    let roots = args.flags.roots()?;
    let (report, inputs, aia_notes) = if args.flags.fetch_missing {
        aia::analyze_fetching(
            &inputs,
            roots.as_ref(),
            &options,
            &aia::FetchOptions::default(),
        )
    } else {
        let report = engine::analyze(&inputs, roots.as_ref(), &options);
        (report, inputs, Vec::new())
    };
    let mut report = aia::with_fetch_notes(report, &aia_notes);
    if args.flags.fetch_crl {
        // The chain is known now: fetch what its certificates name, then judge again with it.
        let mut known = options.crls.clone();
        known.extend(inputs.crls.iter().cloned());
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let (crls, notes) = crldp::fetch_for(&report, &known, &crldp::CrlFetchOptions::new(now));
        options.crls.extend(crls);
        options.revocation = true;
        report = engine::analyze(&inputs, roots.as_ref(), &options);
        report = aia::with_fetch_notes(report, &aia_notes);
        report = crldp::with_notes(report, &notes);
    }
    Ok(report)
}

impl CheckFlags {
    /// The engine options these flags describe (reads the clock when `--at` is absent).
    pub(super) fn options(&self, host: Option<&str>) -> anyhow::Result<CheckOptions> {
        let host = match host {
            Some(h) => Some(HostName::parse(h).map_err(|e| UsageError(format!("--host: {e}")))?),
            None => None,
        };
        let at = match &self.at {
            Some(text) => engine::report::parse_time(text).ok_or_else(|| {
                UsageError(format!(
                    "--at: \"{}\" is neither RFC 3339 (2026-12-05T22:00:00Z) nor a date (2026-12-05)",
                    engine::text::escape(text)
                ))
            })?,
            None => time::OffsetDateTime::now_utc().unix_timestamp(),
        };
        // Certificates carry years 0001..9999 (RFC 5280 GeneralizedTime); outside them every date
        // written in a report would be a bare number.
        let year = time::OffsetDateTime::from_unix_timestamp(at).map(|t| t.year());
        if !year.is_ok_and(|y| (1..=9999).contains(&y)) {
            bail!(UsageError(format!(
                "--at: \"{}\" is outside the years 1 to 9999 (in UTC)",
                self.at.as_deref().unwrap_or_default()
            )));
        }
        let mut options = CheckOptions::new(at);
        options.at_is_now = self.at.is_none();
        options.host = host;
        options.profile = self.profile.into();
        options.expiry_warning_days = self.expiry_warning_days;
        options.strict = self.strict;
        options.public_roots = self.public_roots;
        for path in &self.crl {
            let loaded = read_path(path)?;
            if loaded.crls.is_empty() {
                bail!(UsageError(format!(
                    "--crl {}: no CRL in it (a PEM X509 CRL block or a DER CRL)",
                    engine::text::path(path)
                )));
            }
            options.crls.extend(loaded.crls);
            options.revocation = true;
        }
        if !self.sbc_trust.is_empty() {
            if options.profile != engine::Profile::TeamsDirectRouting {
                bail!(UsageError(
                    "--sbc-trust is read with --profile teams-direct-routing only".to_string()
                ));
            }
            let mut store = Vec::new();
            for path in &self.sbc_trust {
                let loaded = read_path(path)?;
                if loaded.certificates.is_empty() {
                    bail!(UsageError(format!(
                        "--sbc-trust {}: no certificate in it",
                        engine::text::path(path)
                    )));
                }
                store.extend(loaded.certificates);
            }
            options.sbc_trust = Some(store);
        }
        Ok(options)
    }

    /// The `--roots` files, loaded (`None` without the flag).
    pub(super) fn roots(&self) -> anyhow::Result<Option<Loaded>> {
        if self.roots.is_empty() {
            return Ok(None);
        }
        let mut roots = Loaded::default();
        for path in &self.roots {
            // Trust is given file by file: a folder would trust whatever lies in its whole tree.
            if path.is_dir() {
                bail!(UsageError(format!(
                    "--roots {}: a folder; name the root certificate files (trust is given file by file)",
                    engine::text::path(path)
                )));
            }
            let loaded = read_path(path)?;
            if loaded.certificates.is_empty() {
                bail!(UsageError(format!(
                    "--roots {}: no certificate in it",
                    engine::text::path(path)
                )));
            }
            roots.extend(loaded);
        }
        Ok(Some(roots))
    }
}

/// Reads a named file or folder. A named path that cannot be opened is a usage error.
pub(super) fn read_path(path: &Path) -> anyhow::Result<Loaded> {
    files::read_path(path, &mut |_| true).map_err(|e| UsageError(e.to_string()).into())
}
