//! From the file's sections to a checked [`Rotation`](super::Rotation): every key checked with the
//! line it is on, secrets refused, paths resolved beside the plan, each target built.

use super::*;

/// Keys that would hold a secret: refused with the way to give it instead.
pub(super) fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "secret",
        "token",
        "password",
        "passwd",
        "credential",
        "api_key",
        "apikey",
    ]
    .iter()
    .any(|word| key.contains(word))
        && key != "secret_env"
}

pub(super) const SECRET_HINT: &str = "no secret may be written in a plan: put it in an environment variable and \
     name that variable with secret_env, or let the OS keychain (upload --remember) or a prompt supply it";

/// The line (1-based) of byte `offset` in `text`.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    Lines::new(text).of(offset)
}

/// Where each line of a text starts, so that the line of any offset is a binary search: a plan
/// with thousands of targets is numbered in linear time, not by counting from the top each time.
pub(super) struct Lines(Vec<usize>);

impl Lines {
    pub(super) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self(starts)
    }

    /// The line (1-based) of byte `offset`.
    pub(super) fn of(&self, offset: usize) -> usize {
        self.0.partition_point(|start| *start <= offset).max(1)
    }
}

/// The key serde named in "unknown field `KEY`, expected …".
pub(super) fn unknown_key(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split_once('`').map(|(key, _)| key)
}

/// [`parse`], reading each REST target's definition file with `read_definition` (the window reads
/// them on a worker and keeps them, and knows a new plan's definition before it is written).
pub fn parse_with(
    path: &Path,
    text: &str,
    read_definition: &dyn Fn(&Path) -> Result<String, String>,
) -> Result<Rotation, PlanError> {
    let shown = crate::engine::text::path(path);
    let at = |line: usize, message: String| PlanError::At {
        path: shown.clone(),
        line,
        message,
    };
    let file: PlanFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        // toml's own Display quotes the line, value included; only serde's message is used, which
        // names keys and types, never a value of an unknown key.
        let message = crate::upload::secret::value_free(e.message());
        match unknown_key(&message) {
            Some(key) if is_secret_key(key) => {
                at(line, format!("`{}`: {SECRET_HINT}", shown_(key)))
            }
            Some(key) => at(
                line,
                format!(
                    "unknown key `{}`: {}",
                    shown_(key),
                    shown_(&expected(&message))
                ),
            ),
            None => at(line, shown_(&message)),
        }
    })?;
    let folder = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let resolve = |p: &str| -> PathBuf {
        let p = PathBuf::from(p);
        if p.is_absolute() { p } else { folder.join(p) }
    };

    let lines = Lines::new(text);
    let bundle_line = lines.of(file.bundle.span().start);
    let bundle = bundle_of(file.bundle.get_ref(), &resolve).ok_or_else(|| {
        at(
            bundle_line,
            "[bundle] inputs: name the certificate files or folders (relative to the plan)".into(),
        )
    })?;
    if file.targets.is_empty() {
        return Err(at(
            lines.of(text.len()),
            "no [[target]]: name at least one place the bundle goes".into(),
        ));
    }
    let mut targets: Vec<RotationTarget> = Vec::new();
    for spanned in &file.targets {
        let line = lines.of(spanned.span().start);
        let t = spanned.get_ref();
        let target =
            rotation_target(t, line, &resolve, read_definition).map_err(|m| at(line, m))?;
        if target.target.takes_key() && bundle.key.is_none() {
            return Err(at(
                bundle_line,
                format!(
                    "target \"{}\" takes the leaf's private key: name it in [bundle] key = \"FILE\"",
                    shown_(&t.name)
                ),
            ));
        }
        if targets.iter().any(|other| other.name == t.name) {
            return Err(at(
                line,
                format!(
                    "target \"{}\": another target has that name",
                    shown_(&t.name)
                ),
            ));
        }
        targets.push(target);
    }
    refuse_writing_what_the_plan_reads(&bundle, &targets).map_err(|(line, m)| at(line, m))?;
    let verify = file
        .verify
        .iter()
        .map(|spanned| {
            let line = lines.of(spanned.span().start);
            verify_spec(spanned.get_ref(), &resolve).map_err(|m| at(line, m))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Rotation {
        path: path.to_path_buf(),
        sha256: Fingerprint::of(text.as_bytes()).hex(),
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "plan".into()),
        bundle,
        targets,
        verify,
    })
}

/// A value from the plan as an error shows it (`engine::text::escape`).
fn shown_(text: &str) -> String {
    crate::engine::text::escaped(text)
}

/// The `[bundle]` section with its paths resolved beside the plan; `None` when it names no input.
fn bundle_of(b: &BundleSection, resolve: &dyn Fn(&str) -> PathBuf) -> Option<BundleSpec> {
    if b.inputs.is_empty() && b.leaf.is_none() {
        return None;
    }
    Some(BundleSpec {
        inputs: b.inputs.iter().map(|p| resolve(p)).collect(),
        leaf: b.leaf.as_deref().map(resolve),
        host: b.host.clone(),
        profile: b.profile.clone(),
        roots: b.roots.iter().map(|p| resolve(p)).collect(),
        public_roots: b.public_roots,
        strict: b.strict,
        at: b.at.clone(),
        expiry_warning_days: b.expiry_warning_days,
        include_root: b.include_root,
        key: b.key.as_deref().map(resolve),
    })
}

/// One `[[target]]` (on `line`), checked: its target, its read-back endpoint, its pins, and a
/// `secret_env` that names a variable rather than holding a secret. The message names the target.
fn rotation_target(
    t: &TargetSection,
    line: usize,
    resolve: &dyn Fn(&str) -> PathBuf,
    read_definition: &dyn Fn(&Path) -> Result<String, String>,
) -> Result<RotationTarget, String> {
    let name = shown_(&t.name);
    let target = target_of(t, resolve, read_definition)
        .map_err(|message| format!("target \"{name}\": {message}"))?;
    if let Some(endpoint) = &t.verify
        && crate::probe::split_target(endpoint).is_none()
    {
        return Err(format!(
            "target \"{name}\": verify = \"{}\": not HOST:PORT",
            shown_(endpoint)
        ));
    }
    let pins = t
        .pin_sha256
        .iter()
        .map(|p| crate::tls::parse_pin(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("target \"{name}\": {e}"))?;
    // A variable's name: letters, digits and _, not starting with a digit. Anything else is likely
    // the secret itself, pasted in the wrong place: refused without quoting it.
    if let Some(var) = &t.secret_env
        && (var.is_empty()
            || var.starts_with(|c: char| c.is_ascii_digit())
            || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        return Err(format!(
            "target \"{name}\": secret_env must name an environment variable (letters, digits and _, e.g. EU_CLIENT_SECRET), not hold a value; {SECRET_HINT}"
        ));
    }
    Ok(RotationTarget {
        name: t.name.clone(),
        target,
        secret_env: t.secret_env.clone(),
        ca_file: t.ca_file.as_deref().map(resolve),
        definition: t.definition.as_deref().map(resolve),
        pins,
        timeout: Duration::from_secs(t.timeout.unwrap_or(30).max(1)),
        line,
        verify: t.verify.clone(),
        trust: t.trust.iter().map(|p| resolve(p)).collect(),
    })
}

/// A local files target never writes over a file the plan reads (its bundle, its key): the target's
/// line and the words when one would.
fn refuse_writing_what_the_plan_reads(
    bundle: &BundleSpec,
    targets: &[RotationTarget],
) -> Result<(), (usize, String)> {
    let reads: Vec<PathBuf> = bundle
        .inputs
        .iter()
        .chain(bundle.leaf.iter())
        .chain(bundle.roots.iter())
        .chain(bundle.key.iter())
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect();
    for t in targets {
        let Target::Files(f) = &t.target else {
            continue;
        };
        if f.ssh.is_some() {
            continue;
        }
        for path in [&f.certificate, &f.private_key, &f.ca_list]
            .into_iter()
            .flatten()
        {
            let written = std::fs::canonicalize(path).unwrap_or_else(|_| PathBuf::from(path));
            if reads
                .iter()
                .any(|r| r == &written || written.starts_with(r))
            {
                return Err((
                    t.line,
                    format!(
                        "target \"{}\": {} is a file the plan reads ([bundle]); the server's files must be other files",
                        shown_(&t.name),
                        shown_(path)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// One `[[verify]]` endpoint, checked now (not after the targets changed): HOST[:PORT], and the name
/// the served leaf must be valid for.
fn verify_spec(v: &VerifySection, resolve: &dyn Fn(&str) -> PathBuf) -> Result<VerifySpec, String> {
    if crate::probe::split_target(&v.endpoint).is_none() {
        return Err(format!(
            "[[verify]] endpoint = \"{}\": not HOST[:PORT]",
            shown_(&v.endpoint)
        ));
    }
    let host = v
        .host
        .as_deref()
        .map(crate::engine::HostName::parse)
        .transpose()
        .map_err(|e| format!("[[verify]] host: {e}"))?;
    Ok(VerifySpec {
        endpoint: v.endpoint.clone(),
        sni: v.sni.clone(),
        host,
        ca_file: v.ca_file.as_deref().map(resolve),
        timeout: Duration::from_secs(v.timeout.unwrap_or(10).max(1)),
    })
}

/// "expected one of `a`, `b`" from serde's message, for the admin who mistyped a key.
pub(super) fn expected(message: &str) -> String {
    message
        .split_once(", ")
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

pub(super) fn target_of(
    t: &TargetSection,
    resolve: &dyn Fn(&str) -> PathBuf,
    read_definition: &dyn Fn(&Path) -> Result<String, String>,
) -> Result<Target, String> {
    keys_of_other_kinds(t)?;
    match t.kind {
        Kind::Genesys => genesys_of(t),
        Kind::Rest => {
            let file = t.definition.as_deref().ok_or(
                "definition: the saved REST target definition (upload --save-target FILE.json) is needed",
            )?;
            let path = resolve(file);
            let text = read_definition(&path).map_err(|e| format!("definition {e}"))?;
            let target = RestTarget::from_json(&text)
                .map_err(|e| format!("definition {}: {e}", crate::engine::text::path(&path)))?;
            Ok(Target::Rest(target))
        }
        Kind::AudioCodes => audiocodes_of(t, resolve),
        Kind::Files => files_of(t, resolve),
    }
}

/// A key that belongs to another kind of target is refused, naming the kind it is for: a typo of
/// the kind must not silently drop a setting.
fn keys_of_other_kinds(t: &TargetSection) -> Result<(), String> {
    let genesys_keys = [
        ("region", t.region.is_some()),
        ("client_id", t.client_id.is_some()),
        ("ca_name", t.ca_name.is_some()),
        ("description", t.description.is_some()),
        ("trunk", t.trunk.is_some()),
        ("trunks", !t.trunks.is_empty()),
        ("api_base", t.api_base.is_some()),
        ("login_base", t.login_base.is_some()),
    ];
    let audiocodes_keys = [
        ("url", t.url.is_some()),
        ("user", t.user.is_some()),
        ("context", t.context.is_some()),
        ("previous_key", t.previous_key.is_some()),
        ("key_rollback", t.key_rollback.is_some()),
        ("leaf_only", t.leaf_only),
    ];
    let device_keys = [
        ("job", t.job.is_some()),
        ("trusted_roots", t.trusted_roots.is_some()),
        ("trust", !t.trust.is_empty()),
    ];
    let files_keys = [
        ("certificate", t.certificate.is_some()),
        ("private_key", t.private_key.is_some()),
        ("ca_list", t.ca_list.is_some()),
        ("reload", t.reload.is_some()),
        ("reload_expect", t.reload_expect.is_some()),
        ("ssh", t.ssh.is_some()),
        ("known_hosts", t.known_hosts.is_some()),
        ("identity", t.identity.is_some()),
    ];
    let given = |keys: &[(&'static str, bool)]| keys.iter().find(|(_, g)| *g).map(|(k, _)| *k);
    if t.kind != Kind::AudioCodes
        && let Some(key) = given(&audiocodes_keys)
    {
        return Err(format!("{key} is for kind = \"audiocodes\""));
    }
    if t.kind != Kind::Files
        && let Some(key) = given(&files_keys)
    {
        return Err(format!("{key} is for kind = \"files\""));
    }
    if !matches!(t.kind, Kind::AudioCodes | Kind::Files)
        && let Some(key) = given(&device_keys)
    {
        return Err(format!("{key} is for kind = \"audiocodes\" or \"files\""));
    }
    if matches!(t.kind, Kind::AudioCodes | Kind::Files)
        && t.job != Some(crate::upload::audiocodes::Job::TrustStore)
        && !t.trust.is_empty()
    {
        return Err("trust is for job = \"trust-store\"".into());
    }
    if t.kind != Kind::Genesys
        && let Some(key) = given(&genesys_keys)
    {
        return Err(if t.kind == Kind::Rest {
            format!(
                "{key} is for kind = \"genesys\"; a REST target is a saved definition (definition = \"FILE.json\", from upload --save-target)"
            )
        } else {
            format!("{key} is for kind = \"genesys\"")
        });
    }
    if t.kind != Kind::Rest && t.definition.is_some() {
        return Err("definition is for kind = \"rest\"".into());
    }
    Ok(())
}

fn genesys_of(t: &TargetSection) -> Result<Target, String> {
    let client_id = t
        .client_id
        .as_deref()
        .ok_or("client_id: the Genesys Cloud OAuth client id is needed")?;
    let ca_name = t
        .ca_name
        .as_deref()
        .ok_or("ca_name: the certificate authority's name is needed")?;
    let mut target = GenesysTarget::new(
        t.region.as_deref(),
        t.api_base.as_deref(),
        t.login_base.as_deref(),
        client_id,
        ca_name,
    )
    .map_err(|e| e.to_string().replace("--", ""))?;
    if let Some(d) = &t.description {
        target.description = d.clone();
    }
    let trunks: Vec<String> = t.trunk.iter().chain(t.trunks.iter()).cloned().collect();
    target.set_trunks(&trunks);
    Ok(Target::Genesys(target))
}

fn audiocodes_of(t: &TargetSection, resolve: &dyn Fn(&str) -> PathBuf) -> Result<Target, String> {
    let target = AudioCodesTarget {
        url: t
            .url
            .clone()
            .ok_or("url: the device's REST address (https://sbc1.example.net) is needed")?,
        user: t
            .user
            .clone()
            .ok_or("user: a device user of level Administrator is needed")?,
        context: t
            .context
            .ok_or("context: the TLS context's index is needed")?,
        job: t.job.unwrap_or_default(),
        trusted_roots: t.trusted_roots.unwrap_or_default(),
        previous_key: t.previous_key.as_deref().map(resolve),
        key_rollback: t.key_rollback.unwrap_or_default(),
        leaf_only: t.leaf_only,
    };
    target.check().map_err(|e| e.to_string())?;
    Ok(Target::AudioCodes(target))
}

fn files_of(t: &TargetSection, resolve: &dyn Fn(&str) -> PathBuf) -> Result<Target, String> {
    let target = crate::upload::FilesTarget {
        certificate: t.certificate.clone(),
        private_key: t.private_key.clone(),
        ca_list: t.ca_list.clone(),
        trusted_roots: t.trusted_roots.unwrap_or_default(),
        reload: t.reload.clone(),
        reload_expect: t.reload_expect.clone(),
        ssh: t.ssh.clone(),
        // Local files of this machine (the plan's folder is where relative ones start).
        known_hosts: t.known_hosts.as_deref().map(resolve),
        identity: t.identity.as_deref().map(resolve),
        job: t.job.unwrap_or_default(),
    };
    target.check().map_err(|e| e.to_string())?;
    Ok(Target::Files(target))
}
