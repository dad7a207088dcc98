//! A plan made ready before anything is sent: the bundle checked, each target's upload plan and secrets.

use super::*;

/// The secret a target needs: from its `secret_env` variable, else the keychain, else (with
/// `prompt`, in a terminal) a prompt naming the target. The default variables
/// (`CHAINSMITH_CLIENT_SECRET`) are not read: one secret must not go to several organisations.
pub fn secrets_for(target: &Target, secret_env: Option<&str>, prompt: Option<&str>) -> Secrets {
    Secrets::find_in(target, secret_env, prompt)
}

/// The upload plan for one target of a rotation.
pub fn upload_plan(
    target: &RotationTarget,
    payload: Payload,
    forced: Vec<String>,
    data_dir: &Path,
) -> Plan {
    Plan {
        target: target.target.clone(),
        payload,
        rollback_of: None,
        data_dir: data_dir.to_path_buf(),
        api_roots: None,
        api_roots_file: target.ca_file.clone(),
        api_pins: target.pins.clone(),
        policy: upload::RetryPolicy {
            timeout: target.timeout,
            ..upload::RetryPolicy::default()
        },
        rehearsal: false,
        forced,
        unchanged_if_held: true,
        secret_binding: None,
        verify: target.verify.clone(),
        key_file: None,
        proxy: crate::proxy::ProxyChoice::System,
    }
}

/// Why a plan's bundle cannot go out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    /// The plan asks for something that cannot be (a file that cannot be read, a bad time): exit 2.
    #[error("{0}")]
    Usage(String),
    /// The bundle cannot be made for a target (e.g. no CA certificate for a certificate authority):
    /// exit 1, nothing sent.
    #[error("{0}")]
    Refused(String),
}

/// A plan's bundle, checked once, and each target's upload plan.
pub struct Prepared {
    pub report: Report,
    pub options: CheckOptions,
    pub roots: Option<Loaded>,
    /// `plans[i]` is for `rotation.targets[i]`.
    pub plans: Vec<Plan>,
}

/// Reads and checks the plan's `[bundle]` (as `chainsmith check` would, at `now` unless the plan
/// gives `at`) and makes each target's payload: the CA certificates for a Genesys certificate
/// authority, the bundle (leaf first) for a REST target.
pub fn prepare(rotation: &Rotation, now: i64, data_dir: &Path) -> Result<Prepared, PrepareError> {
    let b = &rotation.bundle;
    let usage = PrepareError::Usage;
    let mut options = bundle_options(b, now)?;
    let (inputs, roots) = read_bundle(b, &mut options)?;
    let report = engine::analyze(&inputs, roots.as_ref(), &options);
    let key = match &b.key {
        Some(path) => {
            Some(upload::PrivateKey::read(path).map_err(|e| usage(format!("[bundle] key: {e}")))?)
        }
        None => None,
    };
    let plans = rotation
        .targets
        .iter()
        .map(|t| {
            let name = engine::text::escape(&t.name);
            let refused = |e: UploadError| PrepareError::Refused(format!("target \"{name}\": {e}"));
            let payload = if t.trust.is_empty() {
                upload::payload_for(&t.target, &report, b.include_root, key.as_ref())
                    .map_err(refused)?
            } else {
                trust_payload(&t.trust).map_err(|e| usage(format!("target \"{name}\": {e}")))?
            };
            Ok(upload_plan(
                t,
                payload,
                upload::forced_codes(&report),
                data_dir,
            ))
        })
        .collect::<Result<Vec<_>, PrepareError>>()?;
    Ok(Prepared {
        report,
        options,
        roots,
        plans,
    })
}

/// The check's options from `[bundle]`: the validation time (`at`, else `now`), host, profile,
/// expiry warning, strictness, public roots.
fn bundle_options(b: &BundleSpec, now: i64) -> Result<CheckOptions, PrepareError> {
    let usage = PrepareError::Usage;
    let mut options = CheckOptions::new(now);
    if let Some(at) = &b.at {
        options.at = engine::report::parse_time(at).ok_or_else(|| {
            usage(format!(
                "[bundle] at = \"{}\": neither RFC 3339 (2026-12-05T22:00:00Z) nor a date (2026-12-05)",
                engine::text::escape(at)
            ))
        })?;
        options.at_is_now = false;
    }
    options.host = b
        .host
        .as_deref()
        .map(engine::HostName::parse)
        .transpose()
        .map_err(|e| usage(format!("[bundle] host: {e}")))?;
    if let Some(name) = &b.profile {
        options.profile = engine::Profile::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| {
                usage(format!(
                    "[bundle] profile = \"{}\": use tls-server, sip-mutual-tls, genesys-byoc-cloud or genesys-byoc-premises",
                    engine::text::escape(name)
                ))
            })?;
    }
    options.expiry_warning_days = b.expiry_warning_days.unwrap_or(30);
    options.strict = b.strict;
    options.public_roots = b.public_roots;
    Ok(options)
}

/// The bundle's inputs (and the pinned leaf, which joins them and is set in `options`) and its
/// `roots`, read as `chainsmith check` reads them: a roots folder is refused (trust is given file by
/// file), and so is a roots file without a certificate.
fn read_bundle(
    b: &BundleSpec,
    options: &mut CheckOptions,
) -> Result<(Loaded, Option<Loaded>), PrepareError> {
    let usage = PrepareError::Usage;
    let read = |path: &Path| {
        crate::files::read_path(path, &mut |_| true).map_err(|e| usage(e.to_string()))
    };
    let mut inputs = Loaded::default();
    for path in &b.inputs {
        inputs.extend(read(path)?);
        if inputs.over_budget {
            break;
        }
    }
    if let Some(path) = &b.leaf {
        let loaded = read(path)?;
        let first = loaded.certificates.first().ok_or_else(|| {
            usage(format!(
                "[bundle] leaf {}: no certificate in it",
                crate::engine::text::path(path)
            ))
        })?;
        options.leaf = Some(first.sha256);
        if !inputs.certificates.iter().any(|c| c.sha256 == first.sha256) {
            inputs.extend(loaded);
        }
    }
    if b.roots.is_empty() {
        return Ok((inputs, None));
    }
    let mut roots = Loaded::default();
    for path in &b.roots {
        if path.is_dir() {
            return Err(usage(format!(
                "[bundle] roots {}: a folder; name the root certificate files",
                crate::engine::text::path(path)
            )));
        }
        let loaded = read(path)?;
        if loaded.certificates.is_empty() {
            return Err(usage(format!(
                "[bundle] roots {}: no certificate in it",
                crate::engine::text::path(path)
            )));
        }
        roots.extend(loaded);
    }
    Ok((inputs, Some(roots)))
}

/// A trust-store job's payload: every certificate of its `trust` files.
pub(super) fn trust_payload(files: &[PathBuf]) -> Result<Payload, String> {
    let mut pem = String::new();
    for path in files {
        let loaded = crate::files::read_path(path, &mut |_| true).map_err(|e| e.to_string())?;
        if loaded.certificates.is_empty() {
            return Err(format!(
                "trust {}: no certificate in it",
                crate::engine::text::path(path)
            ));
        }
        for cert in &loaded.certificates {
            pem.push_str(&crate::engine::pem::encode("CERTIFICATE", &cert.der));
        }
    }
    Ok(Payload::from_pem(Some(pem)))
}

/// The first target that needs a secret and has none, in words that say where to give it.
pub fn missing_secret(rotation: &Rotation, secrets: &[Secrets]) -> Option<String> {
    rotation.targets.iter().zip(secrets).find_map(|(t, s)| {
        let missing =
            upload::needs_secret(&t.target) && s.client_secret.is_none() && s.token.is_none();
        missing.then(|| {
            // The variable's name is not quoted: a secret pasted there by mistake is not echoed.
            format!(
                "target \"{}\" (line {}): no secret: {}, or remember one in the OS keychain (upload --remember)",
                engine::text::escaped(&t.name),
                t.line,
                match &t.secret_env {
                    Some(_) => "the environment variable its secret_env names is not set",
                    None => "give secret_env = \"VARIABLE\" in the plan",
                }
            )
        })
    })
}
