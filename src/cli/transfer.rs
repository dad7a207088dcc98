//! `upload`, `trunks`, `rollback`, `audit`: the command line around [`crate::upload`].
//!
//! Exit codes: 0 uploaded and verified; 1 refused by validation (nothing sent); 2 usage error; 3 the
//! server refused or failed (nothing changed); 4 changed, but the read-back differs or failed.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde_json::Value;

use super::{
    ApiArgs, AuditArgs, AuthKind, GenesysArgs, JobKind, RollbackArgs, TargetKind, TrunksArgs,
    TrustedRootsKind, UploadArgs, UsageError,
};
use crate::upload::{
    self, Event, GenesysTarget, Plan, Record, RestAuth, RestTarget, Secrets, Target, UploadError,
    genesys, records, secret,
};

impl ApiArgs {
    fn policy(&self) -> upload::RetryPolicy {
        upload::RetryPolicy {
            timeout: Duration::from_secs(self.timeout.max(1)),
            ..upload::RetryPolicy::default()
        }
    }

    fn proxy(&self) -> anyhow::Result<crate::proxy::ProxyChoice> {
        crate::proxy::ProxyChoice::parse(self.proxy.as_deref().unwrap_or_default())
            .map_err(|e| UsageError(e).into())
    }

    fn roots(&self) -> anyhow::Result<Option<Vec<u8>>> {
        self.ca_file
            .as_ref()
            .map(|path| {
                crate::files::read_small(path)
                    .map_err(|e| UsageError(format!("--ca-file {e}")).into())
            })
            .transpose()
    }

    fn pins(&self) -> anyhow::Result<Vec<crate::engine::cert::Fingerprint>> {
        self.pin_sha256
            .iter()
            .map(|p| crate::tls::parse_pin(p).map_err(|e| UsageError(e.to_string()).into()))
            .collect()
    }

    fn trust(&self) -> anyhow::Result<crate::tls::Trust> {
        Ok(crate::tls::Trust {
            ca_file: self.roots()?,
            pins: self.pins()?,
        })
    }
}

impl GenesysArgs {
    fn target(&self, ca_name: &str) -> Result<GenesysTarget, UploadError> {
        let client_id = self.client_id.as_deref().ok_or_else(|| {
            UploadError::Usage("--client-id: the Genesys Cloud OAuth client id is needed".into())
        })?;
        GenesysTarget::new(
            self.region.as_deref(),
            self.api_base.as_deref(),
            self.login_base.as_deref(),
            client_id,
            ca_name,
        )
    }
}

fn usage(e: UploadError) -> anyhow::Error {
    UsageError(e.to_string()).into()
}

/// `NAME=VALUE` pairs.
fn pairs(flag: &str, values: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    values
        .iter()
        .map(|v| {
            v.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| UsageError(format!("{flag} {v}: use NAME=VALUE")).into())
        })
        .collect()
}

fn rest_target(args: &UploadArgs) -> anyhow::Result<RestTarget> {
    let mut target =
        match (&args.target_file, &args.url) {
            (Some(path), _) => {
                let text = crate::files::read_small_text(path)
                    .map_err(|e| UsageError(format!("--target-file {e}")))?;
                RestTarget::from_json(&text).map_err(|e| {
                    UsageError(format!(
                        "--target-file {}: {e}",
                        crate::engine::text::path(path)
                    ))
                })?
            }
            (None, Some(url)) => {
                let mut t = RestTarget::new(url);
                t.method = args.method.to_ascii_uppercase();
                t.field = args.field.clone();
                t.raw_pem = args.raw_pem;
                t.read_url = args.read_url.clone();
                t.read_field = args.read_field.clone();
                for (name, value) in pairs("--set-field", &args.set_field)? {
                    let value = serde_json::from_str(&value).unwrap_or(Value::String(value));
                    t.static_fields.insert(name, value);
                }
                t.auth =
                    match args.auth {
                        AuthKind::None => RestAuth::None,
                        AuthKind::Bearer => RestAuth::Bearer,
                        AuthKind::Basic => RestAuth::Basic {
                            username: args.username.clone().ok_or_else(|| {
                                UsageError("--auth basic needs --username".into())
                            })?,
                        },
                        AuthKind::Oauth => RestAuth::Oauth {
                            token_url: args.token_url.clone().ok_or_else(|| {
                                UsageError("--auth oauth needs --token-url".into())
                            })?,
                            client_id: args.genesys.client_id.clone().ok_or_else(|| {
                                UsageError("--auth oauth needs --client-id".into())
                            })?,
                        },
                    };
                t
            }
            (None, None) => {
                return Err(UsageError("--target rest needs --url or --target-file".into()).into());
            }
        };
    for (name, value) in pairs("--param", &args.param)? {
        target.params.insert(name, value);
    }
    for pin in args.api.pins()? {
        target.add_pin(&pin);
    }
    target.check().map_err(usage)?;
    Ok(target)
}

/// `--target audiocodes`: the device, the context and what to do with the key and trusted roots.
fn audiocodes_target(args: &UploadArgs) -> anyhow::Result<upload::AudioCodesTarget> {
    use upload::audiocodes::{Job, KeyRollback, TrustedRoots};
    let need = |what: &str| UsageError(format!("--target audiocodes needs {what}"));
    let target = upload::AudioCodesTarget {
        url: args
            .url
            .clone()
            .ok_or_else(|| need("--url (the device's REST address, https://sbc1.example.net)"))?,
        user: args
            .user
            .clone()
            .ok_or_else(|| need("--user (a device user of level Administrator)"))?,
        context: args
            .context
            .ok_or_else(|| need("--context (the TLS context's index)"))?,
        job: match args.job {
            JobKind::Certificate => Job::Certificate,
            JobKind::TrustStore => Job::TrustStore,
        },
        trusted_roots: match args.trusted_roots {
            TrustedRootsKind::Keep => TrustedRoots::Keep,
            TrustedRootsKind::Add => TrustedRoots::Add,
            TrustedRootsKind::Replace => TrustedRoots::Replace,
        },
        previous_key: args.previous_key.as_deref().map(crate::rotate::absolute),
        key_rollback: if args.no_key_rollback {
            KeyRollback::None
        } else {
            KeyRollback::PreviousKey
        },
        leaf_only: args.leaf_only,
    };
    target.check().map_err(usage)?;
    Ok(target)
}

/// `--target files`: the server's files, its reload command, and the machine.
fn files_target(args: &UploadArgs) -> anyhow::Result<upload::FilesTarget> {
    use upload::audiocodes::{Job, TrustedRoots};
    let target = upload::FilesTarget {
        certificate: args.certificate.clone(),
        private_key: args.private_key.clone(),
        ca_list: args.ca_list.clone(),
        trusted_roots: match args.trusted_roots {
            TrustedRootsKind::Keep => TrustedRoots::Keep,
            TrustedRootsKind::Add => TrustedRoots::Add,
            TrustedRootsKind::Replace => TrustedRoots::Replace,
        },
        reload: args.reload.clone(),
        reload_expect: args.reload_expect.clone(),
        ssh: args.ssh.clone(),
        known_hosts: args.known_hosts.as_deref().map(crate::rotate::absolute),
        identity: args.identity.as_deref().map(crate::rotate::absolute),
        job: match args.job {
            JobKind::Certificate => Job::Certificate,
            JobKind::TrustStore => Job::TrustStore,
        },
    };
    target.check().map_err(usage)?;
    Ok(target)
}

fn remember(target: &Target, secrets: &Secrets) {
    match secrets.remember(target) {
        Ok(Some(account)) => {
            crate::errln!("chainsmith: the secret is remembered in the OS keychain ({account})")
        }
        Ok(None) => {}
        Err(e) => crate::errln!("chainsmith: not remembered: {e}"),
    }
}

/// The target `upload` names: `--target KIND` (a `--target-file` alone means REST) and its options.
fn upload_target(args: &UploadArgs) -> anyhow::Result<Target> {
    let kind = match (args.target, &args.target_file) {
        (Some(kind), _) => kind,
        (None, Some(_)) => TargetKind::Rest,
        (None, None) => {
            return Err(UsageError("--target genesys or --target rest is needed".into()).into());
        }
    };
    Ok(match kind {
        TargetKind::Genesys => {
            let ca_name = args.ca_name.as_deref().ok_or_else(|| {
                UsageError("--ca-name: the certificate authority's name is needed".into())
            })?;
            let mut t = args.genesys.target(ca_name).map_err(usage)?;
            t.set_trunks(&args.trunk);
            Target::Genesys(t)
        }
        TargetKind::Rest => Target::Rest(rest_target(args)?),
        TargetKind::Audiocodes => Target::AudioCodes(audiocodes_target(args)?),
        TargetKind::Files => Target::Files(files_target(args)?),
    })
}

/// `--key`, read and required exactly when the target takes the leaf's private key.
fn upload_key(args: &UploadArgs, target: &Target) -> anyhow::Result<Option<upload::PrivateKey>> {
    Ok(match (&args.key, target.takes_key()) {
        (Some(path), true) => Some(upload::PrivateKey::read(path).map_err(usage)?),
        (Some(_), false) => {
            return Err(UsageError(
                "--key: this target does not take a private key (only a server that serves the certificate does: --target audiocodes or files)".into(),
            )
            .into());
        }
        (None, true) => {
            return Err(UsageError(
                "this target takes the leaf's private key: --key FILE (checked against the leaf before anything is sent)".into(),
            )
            .into());
        }
        (None, false) => None,
    })
}

pub(super) fn upload_command(args: &UploadArgs) -> anyhow::Result<ExitCode> {
    let target = upload_target(args)?;
    // --save-target: where it goes is settled before any work (never over an input, the CA file, a
    // record), and it is written only once the bundle passes.
    let save_target = match (&args.save_target, &target) {
        (Some(path), Target::Rest(_)) => {
            let mut named = args.check.inputs.clone();
            named.extend(args.check.leaf.iter().cloned());
            named.extend(args.check.flags.roots.iter().cloned());
            named.extend(args.api.ca_file.iter().cloned());
            named.extend(args.target_file.iter().cloned());
            Some(crate::files::plan_output(
                path,
                &crate::files::input_ids(&named),
            )?)
        }
        _ => None,
    };
    let report = super::analyze(&args.check)?;
    crate::err_print!("{}", report.to_text());
    let blocking = upload::blocking_findings(&report);
    // A trust-store job sends CA certificates to trust, not a chain: the chain's verdict is not
    // its question (each certificate is checked to be a CA valid now instead).
    let trust_only = target.trust_only();
    if !blocking.is_empty() && !args.force && !trust_only {
        crate::errln!(
            "chainsmith: refusing to upload, nothing sent: {} error finding(s); fix them or use --force",
            blocking.len()
        );
        return Ok(ExitCode::from(1));
    }
    if let (Some(output), Target::Rest(rest)) = (save_target, &target) {
        output.write(rest.to_json().as_bytes())?;
        if let Some(path) = &args.save_target {
            crate::errln!(
                "chainsmith: saved the target definition to {}",
                shown(path.display())
            );
        }
    }
    let key = upload_key(args, &target)?;
    let payload = match upload::payload_for(&target, &report, args.include_root, key.as_ref()) {
        Ok(p) => p,
        Err(e) => {
            crate::errln!("chainsmith: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let plan = Plan {
        target,
        payload,
        rollback_of: None,
        data_dir: records::data_dir(),
        api_roots: None,
        api_roots_file: args.api.ca_file.clone(),
        api_pins: args.api.pins()?,
        policy: args.api.policy(),
        rehearsal: false,
        forced: upload::forced_codes(&report),
        unchanged_if_held: false,
        secret_binding: None,
        verify: args.verify.clone(),
        key_file: None,
        proxy: args.api.proxy()?,
    };
    execute(&plan, &args.api, args.check.flags.json)
}

pub(super) fn rollback_command(args: &RollbackArgs) -> anyhow::Result<ExitCode> {
    let plan = records::rollback_plan(
        &args.backup,
        records::data_dir(),
        args.api.roots()?,
        args.api.pins()?,
        args.api.policy(),
    )
    .map_err(usage)?;
    let plan = Plan {
        proxy: args.api.proxy()?,
        ..plan
    };
    crate::errln!(
        "chainsmith: putting back {} ({} certificate(s)) through {}",
        crate::engine::text::path(&args.backup),
        plan.payload.fingerprints.len(),
        plan.target.kind()
    );
    execute(&plan, &args.api, args.json)
}

/// Dry run, or the real run with progress on standard error and the result on standard output.
fn execute(plan: &Plan, api: &ApiArgs, json: bool) -> anyhow::Result<ExitCode> {
    if api.dry_run {
        let mut out = crate::console::stdout();
        writeln!(out, "Dry run: these requests would be sent (none is):")?;
        for request in upload::dry_run(plan).map_err(usage)? {
            writeln!(out, "{request}")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let secrets = Secrets::find(&plan.target, None, true);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut on_event = |event: Event| match event {
        Event::Started(phase) => crate::errln!("chainsmith: {phase}…"),
        Event::Done(phase, text) => crate::errln!("chainsmith:   {phase}: {text}"),
        Event::Note(text) => crate::errln!("chainsmith:   {text}"),
    };
    let (record, result) = upload::run(
        plan,
        &secrets,
        Arc::new(AtomicBool::new(false)),
        now,
        &mut on_event,
    );
    if result.is_ok() && api.remember {
        remember(&plan.target, &secrets);
    }
    print_record(&record, json)?;
    Ok(match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            crate::errln!("chainsmith: {e}");
            ExitCode::from(e.exit_code(record.changed))
        }
    })
}

/// A value from a server, a record or the command line (an endpoint, an id, a path) as it may reach a
/// terminal (`engine::text::escape`). Messages, notes and errors are not passed through it: they hold
/// their values escaped already.
fn shown(text: impl std::fmt::Display) -> String {
    crate::engine::text::escaped(&text.to_string())
}

fn print_record(record: &Record, json: bool) -> anyhow::Result<()> {
    let mut out = crate::console::stdout();
    if json {
        writeln!(out, "{}", super::json::text(record)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} to {}: {}",
        shown(record.action),
        shown(&record.endpoint),
        record.result
    )?;
    for (k, v) in &record.ids {
        writeln!(out, "  {}: {}", shown(k), shown(v))?;
    }
    if let Some(backup) = &record.backup {
        writeln!(out, "  backup: {}", shown(backup))?;
    }
    let mut proxies: Vec<&str> = record
        .requests
        .iter()
        .filter_map(|e| e.via.as_deref())
        .collect();
    proxies.dedup();
    for proxy in proxies {
        writeln!(out, "  via proxy {}", shown(proxy))?;
    }
    for view in &record.details {
        writeln!(out, "  server: {}", shown(view.line()))?;
    }
    if !record.correlation_ids.is_empty() {
        writeln!(
            out,
            "  correlation ids: {}",
            shown(record.correlation_ids.join(", "))
        )?;
    }
    writeln!(
        out,
        "  audit log: {}",
        crate::engine::text::path(&records::audit_path(&records::data_dir()))
    )?;
    Ok(())
}

pub(super) fn trunks_command(args: &TrunksArgs) -> anyhow::Result<ExitCode> {
    let target = args.genesys.target("").map_err(usage)?;
    let wrapped = Target::Genesys(target.clone());
    if args.api.dry_run {
        crate::outln!(
            "Dry run: POST {}/oauth/token, then GET {}/api/v2/telephony/providers/edges/trunks?trunkType=EXTERNAL&pageSize=100&pageNumber=1 …",
            target.login_base,
            target.api_base
        );
        return Ok(ExitCode::SUCCESS);
    }
    let secrets = Secrets::find(&wrapped, None, true);
    let Some(secret) = secrets.client_secret.as_ref() else {
        return Err(UsageError(format!(
            "no client secret: set {} or run in a terminal to be asked",
            secret::CLIENT_SECRET_VAR
        ))
        .into());
    };
    let listed = upload::connect_genesys(
        &target,
        secret,
        &args.api.trust()?,
        args.api.policy(),
        Arc::new(AtomicBool::new(false)),
        &args.api.proxy()?,
    )
    .and_then(|mut session| genesys::list_trunks(&mut session));
    let trunks = match listed {
        Ok(t) => t,
        Err(e) => {
            crate::errln!("chainsmith: {e}");
            return Ok(ExitCode::from(e.exit_code(false)));
        }
    };
    if args.api.remember {
        remember(&wrapped, &secrets);
    }
    let mut out = crate::console::stdout();
    if args.json {
        writeln!(out, "{}", super::json::text(&trunks)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{} EXTERNAL trunk(s) at {}",
        trunks.len(),
        target.api_base
    )?;
    for t in &trunks {
        let kind = if t.is_byoc_cloud() {
            "BYOC Cloud (nothing to upload)"
        } else {
            "BYOC Premises"
        };
        writeln!(
            out,
            "\n{}  [{}]  {} trunk, {kind}",
            shown(&t.name),
            shown(&t.id),
            shown(t.kind())
        )?;
        for (ok, line) in t.checklist() {
            let mark = if ok { "ok     " } else { "warning" };
            writeln!(out, "  {mark} {}", shown(&line))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn audit_command(args: &AuditArgs) -> anyhow::Result<ExitCode> {
    let dir = records::data_dir();
    let entries = records::read_audit(&dir);
    let mut out = crate::console::stdout();
    if args.markdown {
        write!(out, "{}", records::audit_markdown(&entries))?;
    } else {
        for e in &entries {
            // A JSON line, ASCII only: JSON's own escapes show every control character of a value
            // (C1 and bidirectional controls included, which serde leaves raw).
            writeln!(out, "{}", super::json::ascii(&e.to_string()))?;
        }
    }
    if entries.is_empty() {
        crate::errln!(
            "chainsmith: no entry yet in {}",
            crate::engine::text::path(&records::audit_path(&dir))
        );
    }
    Ok(ExitCode::SUCCESS)
}
