//! The machine a file target's files live on: this one, or another reached with the system's
//! OpenSSH client (`ssh`), never with a password prompt (BatchMode), never trusting an unknown host
//! key (StrictHostKeyChecking). Three operations: read a file with its mode and owner, write one
//! atomically in place keeping them, and run a command. File contents travel on standard input and
//! output, never on a command line (a key on a command line is visible to every user of the host).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A file as read: its bytes and what must be kept when it is replaced.
#[derive(Clone, PartialEq, Eq)]
pub struct FileState {
    pub bytes: Vec<u8>,
    /// Permission bits (e.g. 0o640); `None` where the system has none (Windows).
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

impl std::fmt::Debug for FileState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A file may be a private key: only its size is shown.
        f.debug_struct("FileState")
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("mode", &self.mode.map(|m| format!("{m:o}")))
            .field("uid", &self.uid)
            .field("gid", &self.gid)
            .finish()
    }
}

/// What a command printed and how it ended.
#[derive(Debug, Clone)]
pub struct Ran {
    pub code: Option<i32>,
    /// Standard output and error, as text.
    pub output: String,
}

/// Where the files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Local,
    Ssh(Ssh),
}

/// An SSH destination and how to trust and log in to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ssh {
    pub user: Option<String>,
    pub host: String,
    pub port: u16,
    /// The known_hosts file that must hold the host's key (else the system's).
    pub known_hosts: Option<PathBuf>,
    /// The private key to log in with (else the agent's or ssh's defaults).
    pub identity: Option<PathBuf>,
}

impl Ssh {
    /// `user@host:port` (user and port optional; `[::1]:2222` for IPv6).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (user, rest) = match text.rsplit_once('@') {
            Some((u, r)) => (Some(u.to_string()), r),
            None => (None, text),
        };
        let (host, port) = match crate::probe::split_target(rest) {
            Some((host, port)) if rest.contains(':') => (host, port),
            Some((host, _)) => (host, 22),
            None => return Err(format!("ssh = \"{text}\": not user@host:port")),
        };
        if host.is_empty()
            || host.starts_with('-')
            || user
                .as_deref()
                .is_some_and(|u| u.is_empty() || u.starts_with('-'))
        {
            return Err(format!("ssh = \"{text}\": not user@host:port"));
        }
        Ok(Self {
            user,
            host,
            port,
            known_hosts: None,
            identity: None,
        })
    }

    fn command(&self, remote: &str) -> Command {
        let mut c = Command::new("ssh");
        c.args(["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"])
            .args(["-o", "ConnectTimeout=15", "-o", "LogLevel=ERROR"])
            .args(["-p", &self.port.to_string()]);
        if let Some(known) = &self.known_hosts {
            c.arg("-o")
                .arg(format!("UserKnownHostsFile={}", known.display()));
        }
        if let Some(identity) = &self.identity {
            c.arg("-i").arg(identity).args(["-o", "IdentitiesOnly=yes"]);
        }
        let destination = match &self.user {
            Some(user) => format!("{user}@{}", self.host),
            None => self.host.clone(),
        };
        c.arg("--").arg(destination).arg(remote);
        c
    }

    /// `user@host:port`, for messages and identities.
    pub fn shown(&self) -> String {
        format!(
            "{}{}:{}",
            self.user
                .as_deref()
                .map(|u| format!("{u}@"))
                .unwrap_or_default(),
            self.host,
            self.port
        )
    }
}

/// `text` as one single-quoted word for a POSIX shell.
pub fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// What an SSH run's exit code 255 means: ssh itself failed (host key, login, network).
fn ssh_failure(ssh: &Ssh, ran: &Ran) -> Option<String> {
    (ran.code == Some(255)).then(|| {
        format!(
            "ssh to {} failed: {} (the host key must be in the known_hosts file, and the login must work without a password: ssh -p {} {})",
            ssh.shown(),
            ran.output.trim(),
            ssh.port,
            ssh.host
        )
    })
}

fn run(mut command: Command, input: Option<&[u8]>) -> Result<Ran, String> {
    let mut child = command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", command.get_program()))?;
    if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin
            .write_all(bytes)
            .map_err(|e| format!("cannot send the file: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("the command did not finish: {e}"))?;
    let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
    output.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok(Ran {
        code: out.status.code(),
        output,
    })
}

impl Host {
    /// Where, for messages: "this machine" or `user@host:port`.
    pub fn shown(&self) -> String {
        match self {
            Host::Local => "this machine".into(),
            Host::Ssh(s) => s.shown(),
        }
    }

    /// The file at `path` (`None`: there is none).
    pub fn read(&self, path: &str) -> Result<Option<FileState>, String> {
        match self {
            Host::Local => read_local(Path::new(path)),
            Host::Ssh(ssh) => {
                let p = quoted(path);
                let script = format!(
                    "if [ -e {p} ]; then stat -c '%a %u %g' -- {p} && cat -- {p}; else echo MISSING; fi"
                );
                // Read as bytes: the file may not be text.
                let ran_bytes = ssh
                    .command(&script)
                    .stdin(Stdio::null())
                    .output()
                    .map_err(|e| format!("cannot run ssh: {e}"))?;
                let said = Ran {
                    code: ran_bytes.status.code(),
                    output: String::from_utf8_lossy(&ran_bytes.stderr).into_owned(),
                };
                if let Some(e) = ssh_failure(ssh, &said) {
                    return Err(e);
                }
                if !ran_bytes.status.success() {
                    return Err(format!(
                        "cannot read {path} on {}: {}",
                        ssh.shown(),
                        said.output.trim()
                    ));
                }
                let out = ran_bytes.stdout;
                if out == b"MISSING\n" {
                    return Ok(None);
                }
                let end = out
                    .iter()
                    .position(|b| *b == b'\n')
                    .ok_or_else(|| format!("cannot read {path} on {}", ssh.shown()))?;
                let head = String::from_utf8_lossy(&out[..end]).into_owned();
                let mut parts = head.split_whitespace();
                let mode = parts.next().and_then(|m| u32::from_str_radix(m, 8).ok());
                let uid = parts.next().and_then(|m| m.parse().ok());
                let gid = parts.next().and_then(|m| m.parse().ok());
                if mode.is_none() || uid.is_none() || gid.is_none() {
                    return Err(format!(
                        "cannot read {path} on {}: stat answered \"{}\"",
                        ssh.shown(),
                        crate::engine::text::escaped(&head)
                    ));
                }
                Ok(Some(FileState {
                    bytes: out[end + 1..].to_vec(),
                    mode,
                    uid,
                    gid,
                }))
            }
        }
    }

    /// Writes `bytes` to `path` atomically (a temporary file in the same folder, renamed over it),
    /// with `mode`, `uid` and `gid` (where the system has them).
    pub fn write(
        &self,
        path: &str,
        bytes: &[u8],
        mode: u32,
        owner: Option<(u32, u32)>,
    ) -> Result<(), String> {
        match self {
            Host::Local => write_local(Path::new(path), bytes, mode, owner),
            Host::Ssh(ssh) => {
                let p = quoted(path);
                let dir = quoted(
                    Path::new(path)
                        .parent()
                        .map(|d| d.display().to_string())
                        .filter(|d| !d.is_empty())
                        .as_deref()
                        .unwrap_or("."),
                );
                let chown = owner
                    .map(|(u, g)| format!(" && chown {u}:{g} \"$t\""))
                    .unwrap_or_default();
                // umask 077: the temporary file is private from its first byte.
                let script = format!(
                    "umask 077; t=$(mktemp {dir}/.chainsmith.XXXXXX) || exit 1; if cat > \"$t\" && chmod {mode:o} \"$t\"{chown} && mv -f \"$t\" {p}; then sync; else rm -f \"$t\"; exit 1; fi"
                );
                let ran = run(ssh.command(&script), Some(bytes))?;
                if let Some(e) = ssh_failure(ssh, &ran) {
                    return Err(e);
                }
                if ran.code != Some(0) {
                    return Err(format!(
                        "cannot write {path} on {}: {}",
                        ssh.shown(),
                        ran.output.trim()
                    ));
                }
                Ok(())
            }
        }
    }

    /// Runs `command` (a shell command line) and returns what it printed and its exit code.
    pub fn run(&self, command: &str) -> Result<Ran, String> {
        match self {
            Host::Local => {
                #[cfg(unix)]
                let c = {
                    let mut c = Command::new("sh");
                    c.args(["-c", command]);
                    c
                };
                #[cfg(windows)]
                let c = {
                    let mut c = Command::new("cmd");
                    c.args(["/C", command]);
                    c
                };
                run(c, None)
            }
            Host::Ssh(ssh) => {
                let ran = run(ssh.command(command), None)?;
                match ssh_failure(ssh, &ran) {
                    Some(e) => Err(e),
                    None => Ok(ran),
                }
            }
        }
    }
}

fn read_local(path: &Path) -> Result<Option<FileState>, String> {
    let shown = || crate::engine::text::path(path);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", shown())),
    };
    if !meta.is_file() {
        return Err(format!("{} is not a file", shown()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", shown()))?;
    #[cfg(unix)]
    let (mode, uid, gid) = {
        use std::os::unix::fs::MetadataExt as _;
        (
            Some(meta.mode() & 0o7777),
            Some(meta.uid()),
            Some(meta.gid()),
        )
    };
    #[cfg(windows)]
    let (mode, uid, gid) = (None, None, None);
    Ok(Some(FileState {
        bytes,
        mode,
        uid,
        gid,
    }))
}

fn write_local(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    owner: Option<(u32, u32)>,
) -> Result<(), String> {
    let shown = || crate::engine::text::path(path);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", shown());
    // tempfile creates the file 0600: private before anything is written to it.
    let mut temp = tempfile::Builder::new()
        .prefix(".chainsmith.")
        .tempfile_in(dir)
        .map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(mode))
            .map_err(fail)?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(temp.path(), Some(uid), Some(gid)).map_err(fail)?;
        }
    }
    // Windows has no mode or numeric owner: the file takes its folder's permissions.
    #[cfg(windows)]
    let _ = (mode, owner);
    temp.as_file().sync_all().map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_and_quoting() {
        let s = Ssh::parse("kamailio@sip1.example.net:2222").unwrap();
        assert_eq!(
            (s.user.as_deref(), s.host.as_str(), s.port),
            (Some("kamailio"), "sip1.example.net", 2222)
        );
        assert_eq!(Ssh::parse("sip1.example.net").unwrap().port, 22);
        assert!(Ssh::parse("-oProxyCommand=x@h").is_err());
        assert!(Ssh::parse("u@-h").is_err());
        assert_eq!(quoted("a'b c"), r"'a'\''b c'");
    }
}
