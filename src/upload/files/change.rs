//! The change on the server: what each file will hold, the backup of what it holds, the writes,
//! the read-back, the reload judged by its output (the previous files put back when it fails), and
//! the rollback's writes from a backup.

use super::*;

/// One file to write: its path, new bytes, and the mode and owner to give it.
pub(super) struct Write {
    pub(super) path: String,
    pub(super) bytes: Vec<u8>,
    pub(super) mode: u32,
    pub(super) owner: Option<(u32, u32)>,
    pub(super) what: &'static str,
    /// What it held before (`None`: it did not exist).
    pub(super) before: Option<FileState>,
}

pub(super) fn write_for(
    path: &str,
    bytes: Vec<u8>,
    before: &Option<FileState>,
    new_mode: u32,
    what: &'static str,
) -> Write {
    Write {
        path: path.to_string(),
        bytes,
        mode: before.as_ref().and_then(|f| f.mode).unwrap_or(new_mode),
        owner: before.as_ref().and_then(|f| f.uid.zip(f.gid)),
        what,
        before: before.clone(),
    }
}

/// The files to write for an upload: the key and the chain (one file when `certificate` and
/// `private_key` name the same one, as FreeSWITCH's agent.pem), and the CA list.
pub(super) fn upload_writes(
    run: &Run,
    target: &FilesTarget,
    seen: &mut Seen,
) -> Result<Vec<Write>, UploadError> {
    let payload = &run.plan.payload;
    let mut writes = Vec::new();
    if target.job == Job::Certificate {
        let pem = payload.pem.as_deref().unwrap_or_default();
        let key = payload.key.as_ref().ok_or_else(|| {
            UploadError::Usage(
                "a files target needs the leaf's private key: [bundle] key = \"FILE\" in a plan, --key FILE on the command line".into(),
            )
        })?;
        if !key.belongs_to_leaf_of(pem) {
            return Err(UploadError::Refused(format!(
                "the private key {} is not the key of the leaf; nothing was written",
                key.shown()
            )));
        }
        match (&target.private_key, &target.certificate) {
            (Some(k), Some(c)) if k == c => {
                let before = seen.get(Some(c))?;
                let mut bytes = key.expose().as_bytes().to_vec();
                bytes.extend_from_slice(pem.as_bytes());
                writes.push(write_for(
                    c,
                    bytes,
                    &before,
                    0o600,
                    "private key and certificate",
                ));
            }
            (k, c) => {
                if let Some(k) = k {
                    let before = seen.get(Some(k))?;
                    writes.push(write_for(
                        k,
                        key.expose().as_bytes().to_vec(),
                        &before,
                        0o600,
                        "private key",
                    ));
                }
                if let Some(c) = c {
                    let before = seen.get(Some(c))?;
                    writes.push(write_for(
                        c,
                        pem.as_bytes().to_vec(),
                        &before,
                        0o644,
                        "certificate",
                    ));
                }
            }
        }
    }
    let cas = match target.job {
        Job::Certificate => payload.trust_pem.as_deref(),
        Job::TrustStore => payload.pem.as_deref(),
    };
    if let (Some(path), Some(cas)) = (&target.ca_list, cas) {
        let before = seen.get(Some(path))?;
        let after = ca_list_after(&before, target.trusted_roots, cas);
        writes.push(write_for(
            path,
            after.into_bytes(),
            &before,
            0o644,
            "CA list",
        ));
    }
    Ok(writes)
}

pub(in crate::upload) fn apply(run: &mut Run, target: &FilesTarget) -> Result<(), UploadError> {
    target.check()?;
    let host = target.host()?;
    let plan = run.plan;
    run.started(Phase::ReadCurrent);
    let mut seen = Seen {
        host: &host,
        files: Default::default(),
    };
    let writes = match &plan.rollback_of {
        Some(path) => rollback_writes(run, target, &mut seen, &records::read_backup(path)?)?,
        None => upload_writes(run, target, &mut seen)?,
    };
    run.done(
        Phase::ReadCurrent,
        format!(
            "on {}: {}",
            engine::text::escape(&host.shown()),
            writes
                .iter()
                .map(|w| match &w.before {
                    Some(f) => format!("{} ({} bytes)", w.what, f.bytes.len()),
                    None => format!("{} (none yet)", w.what),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    // Already there: nothing to write (a rotation run again).
    let shown_before = seen.get(shown_path(target))?;
    let same = writes
        .iter()
        .all(|w| w.before.as_ref().is_some_and(|f| f.bytes == w.bytes));
    if same && run.already_held(certificates_only(&shown_before).as_deref()) {
        return Ok(());
    }

    back_up_files(run, target, &mut seen, &shown_before)?;
    write_files(run, &host, &writes)?;
    verify_and_reload(run, target, &host, &writes)?;
    run.verified(format!(
        "{} file(s) hold what was written{}",
        writes.len(),
        if target.reload.is_some() {
            ", and the server reloaded them"
        } else {
            " (no reload command: the server reads them when it next starts)"
        }
    ));
    Ok(())
}

/// The backup: each file's mode, owner and text (a file holding a key is kept apart, 0600), and the
/// host they are on; journaled before anything is written.
pub(super) fn back_up_files(
    run: &mut Run,
    target: &FilesTarget,
    seen: &mut Seen,
    shown_before: &Option<FileState>,
) -> Result<(), UploadError> {
    let plan = run.plan;
    let mut files = serde_json::Map::new();
    for (name, path) in [
        ("certificate", &target.certificate),
        ("private_key", &target.private_key),
        ("ca_list", &target.ca_list),
    ] {
        let before = seen.get(path.as_ref())?;
        files.insert(
            name.into(),
            saved(path.as_ref(), &before, &plan.data_dir, run.started_at)?,
        );
    }
    let mut current = Value::Object(files);
    current["host"] = json!(seen.host.shown());
    run.back_up(current, certificates_only(shown_before).as_deref())?;
    Ok(())
}

/// Each file written in place (atomically, keeping its mode and owner), each change journaled first.
pub(super) fn write_files(run: &mut Run, host: &Host, writes: &[Write]) -> Result<(), UploadError> {
    run.started(Phase::Upload);
    for w in writes {
        run.before_change()?;
        host.write(&w.path, &w.bytes, w.mode, w.owner)
            .map_err(|why| UploadError::Write(engine::text::escaped(&why)))?;
        run.mark_changed();
        run.done(
            Phase::Upload,
            format!(
                "wrote the {} to {} (mode {:o}{})",
                w.what,
                engine::text::escaped(&w.path),
                w.mode,
                w.owner
                    .map(|(u, g)| format!(", owner {u}:{g}"))
                    .unwrap_or_default()
            ),
        );
    }
    Ok(())
}

/// The read-back of every file, then the reload command judged by its output; when the reload
/// fails, the previous files are put back.
pub(super) fn verify_and_reload(
    run: &mut Run,
    target: &FilesTarget,
    host: &Host,
    writes: &[Write],
) -> Result<(), UploadError> {
    run.started(Phase::Verify);
    for w in writes {
        let now = read(host, Some(&w.path))?;
        if now.as_ref().map(|f| &f.bytes) != Some(&w.bytes) {
            return Err(UploadError::Differs(format!(
                "{} does not hold what was written",
                engine::text::escaped(&w.path)
            )));
        }
    }
    if let Some(command) = &target.reload {
        let ran = host.run(command).map_err(|why| {
            UploadError::Write(format!(
                "the reload could not run: {}",
                engine::text::escaped(&why)
            ))
        })?;
        if let Err(why) = judge(&ran, target.reload_expect.as_deref()) {
            let restored = restore(run, host, writes);
            return Err(UploadError::ReloadFailed(format!(
                "the server's reload failed: {why}. {}",
                match restored {
                    Ok(()) => "The previous files were put back: the server still serves (and would load again) what it had".to_string(),
                    Err(e) => format!("Putting the previous files back failed too ({}): restore them from the backup now", engine::text::escaped(&e)),
                }
            )));
        }
        run.note(format!(
            "reload: {}",
            engine::text::escaped(ran.output.trim())
        ));
    }
    Ok(())
}

/// Whether a reload worked: exit code 0, no line saying error or failure, and the expected words
/// when the target names them.
pub fn judge(ran: &Ran, expect: Option<&str>) -> Result<(), String> {
    let said = engine::text::escaped(ran.output.trim());
    if ran.code != Some(0) {
        return Err(format!(
            "it exited with {}: {said}",
            ran.code
                .map(|c| format!("code {c}"))
                .unwrap_or_else(|| "a signal".into())
        ));
    }
    let failing = ran.output.lines().any(|line| {
        let l = line.trim().to_ascii_lowercase();
        l.starts_with("error")
            || l.starts_with("fatal")
            || l.starts_with("failed")
            || l.contains("error:")
            || l.contains(" failed")
    });
    if failing {
        return Err(format!("it said: {said}"));
    }
    if let Some(words) = expect
        && !ran.output.contains(words)
    {
        return Err(format!(
            "it did not say \"{}\": {said}",
            engine::text::escaped(words)
        ));
    }
    Ok(())
}

/// Puts the files read before the change back (files that did not exist are left: nothing of
/// the server's is removed).
pub(super) fn restore(run: &mut Run, host: &Host, writes: &[Write]) -> Result<(), String> {
    for w in writes {
        if let Some(file) = &w.before {
            host.write(
                &w.path,
                &file.bytes,
                file.mode.unwrap_or(w.mode),
                file.uid.zip(file.gid),
            )?;
        }
    }
    run.restored();
    Ok(())
}

/// The files a backup recorded, to write back byte for byte with their old mode and owner: inline
/// text, or the copy kept in the data folder (a key, checked against the certificate put back).
pub(super) fn rollback_writes(
    run: &mut Run,
    target: &FilesTarget,
    seen: &mut Seen,
    backup: &records::Backup,
) -> Result<Vec<Write>, UploadError> {
    let mut writes: Vec<Write> = Vec::new();
    for (name, what, path) in [
        ("private_key", "private key", &target.private_key),
        ("certificate", "certificate", &target.certificate),
        ("ca_list", "CA list", &target.ca_list),
    ] {
        let Some(path) = path else { continue };
        if writes.iter().any(|w| &w.path == path) {
            continue; // one file holding key and chain
        }
        let v = &backup.current[name];
        if v["exists"] == false {
            run.note(format!(
                "{} did not exist before: left in place",
                engine::text::escaped(path)
            ));
            continue;
        }
        let bytes = match (v["saved_to"].as_str(), v["text"].as_str()) {
            (Some(saved), _) => crate::files::read_small(Path::new(saved))
                .map_err(|e| UploadError::Usage(format!("the previous {what}: {e}")))?,
            (None, Some(text)) => text.as_bytes().to_vec(),
            (None, None) => {
                return Err(UploadError::Refused(format!(
                    "the backup holds no copy of {}; restore it by hand",
                    engine::text::escaped(path)
                )));
            }
        };
        let mode = v["mode"]
            .as_str()
            .and_then(|m| u32::from_str_radix(m, 8).ok())
            .unwrap_or(0o600);
        let owner = v["uid"]
            .as_u64()
            .zip(v["gid"].as_u64())
            .map(|(u, g)| (u as u32, g as u32));
        let before = seen.get(Some(path))?;
        writes.push(Write {
            path: path.clone(),
            bytes,
            mode,
            owner,
            what,
            before,
        });
    }
    // The key put back must be the certificate's: else the server would not load them.
    let certificate = backup.certificate.as_deref().unwrap_or_default();
    if target.job == Job::Certificate
        && let Some(w) = writes.iter().find(|w| w.what == "private key")
    {
        let key = PrivateKey::from_pem(&w.bytes, Path::new(&w.path))
            .map_err(|why| UploadError::Refused(format!("the previous key: {why}")))?;
        if !key.belongs_to_leaf_of(certificate) {
            return Err(UploadError::Refused(
                "the previous key kept in the data folder is not the key of the certificate in the backup; nothing was written".into(),
            ));
        }
    }
    Ok(writes)
}
