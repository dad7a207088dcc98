//! The files target against real servers on loopback: Debian's Kamailio with a TLS listener, rotated
//! with `chainsmith rotate` and `chainsmith upload --target files` on this machine and over SSH to a
//! local OpenSSH server; what it serves is checked with `openssl s_client`. Kamailio runs as its own
//! user when the tests run as root, so a file that lost its owner or mode would stop its reload.
//! `.ci/run` installs `kamailio`, `kamailio-tls-modules` and `openssh-server`.
#![cfg(unix)]

mod common;

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn is_root() -> bool {
    // The effective user of this process is the owner of a file it creates.
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid() == 0
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until `port` accepts connections, at most `limit`.
fn wait_for_port(port: u16, limit: Duration, what: &str) {
    let until = Instant::now() + limit;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < until, "{what} did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn need(binary: &str, package: &str) -> String {
    for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
        let path = Path::new(dir).join(binary);
        if path.exists() {
            return path.display().to_string();
        }
    }
    panic!("{binary} is needed by this test: install {package} (.ci/run does)");
}

/// A Kamailio serving TLS on loopback from `dir/tls/cert.pem` and the key file named.
struct Kamailio {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Kamailio {
    fn start(dir: &Path, key_file: &str) -> Self {
        let kamailio = need("kamailio", "kamailio kamailio-tls-modules");
        let modules = std::fs::read_dir("/usr/lib")
            .unwrap()
            .flatten()
            .map(|e| e.path().join("kamailio/modules"))
            .find(|p| p.join("tls.so").exists())
            .expect("kamailio's tls module is needed: install kamailio-tls-modules");
        let port = free_port();
        let run = dir.join("run");
        std::fs::create_dir_all(&run).unwrap();
        let tls = dir.join("tls");
        std::fs::write(
            dir.join("tls.cfg"),
            format!(
                "[server:default]\nmethod = TLSv1.2+\ncertificate = {}\nprivate_key = {}\n",
                tls.join("cert.pem").display(),
                tls.join(key_file).display()
            ),
        )
        .unwrap();
        std::fs::write(
            dir.join("kamailio.cfg"),
            format!(
                "#!KAMAILIO\ndebug=2\nlog_stderror=yes\nchildren=1\nenable_tls=yes\nlisten=tls:127.0.0.1:{port}\nmpath=\"{}/\"\nloadmodule \"tls.so\"\nloadmodule \"ctl.so\"\nloadmodule \"sl.so\"\nmodparam(\"tls\", \"config\", \"{}\")\nmodparam(\"ctl\", \"binrpc\", \"unix:{}\")\nrequest_route {{\n  sl_send_reply(\"404\", \"Not here\");\n}}\n",
                modules.display(),
                dir.join("tls.cfg").display(),
                dir.join("ctl").display()
            ),
        )
        .unwrap();
        let mut command = Command::new(kamailio);
        command
            .arg("-f")
            .arg(dir.join("kamailio.cfg"))
            .args(["-DD", "-E", "-m", "64"])
            .arg("-Y")
            .arg(&run)
            .arg("-P")
            .arg(run.join("kamailio.pid"));
        if is_root() {
            // As a real server runs: it reads its files after dropping privileges.
            chown_tree(dir, "kamailio");
            command.args(["-u", "kamailio", "-g", "kamailio"]);
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.join("kamailio.log")).unwrap(),
            ))
            .spawn()
            .unwrap();
        wait_for_port(port, Duration::from_secs(20), "kamailio");
        // The port accepts before the TLS workers are ready: ready is a completed handshake.
        let address = format!("127.0.0.1:{port}");
        let until = Instant::now() + Duration::from_secs(20);
        while openssl_served(&address, None).is_empty() {
            assert!(
                Instant::now() < until,
                "kamailio did not complete a TLS handshake: {}",
                std::fs::read_to_string(dir.join("kamailio.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            child,
            port,
            dir: dir.to_path_buf(),
        }
    }

    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn reload_command(&self) -> String {
        format!(
            "{} -s unix:{} tls.reload",
            need("kamcmd", "kamailio"),
            self.dir.join("ctl").display()
        )
    }

    fn served(&self) -> Vec<String> {
        openssl_served(&self.address(), Some("sbc.example.com"))
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chown_tree(dir: &Path, user: &str) {
    let ok = Command::new("chown")
        .args(["-R", &format!("{user}:{user}")])
        .arg(dir)
        .status()
        .unwrap()
        .success();
    assert!(ok, "chown {user} {}", dir.display());
}

/// A server folder: `tls/cert.pem` (the old chain, 0644) and `tls/key.pem` (its key, 0600).
struct Server {
    dir: tempfile::TempDir,
    old: Chain,
    new: Chain,
}

impl Server {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // Every user must reach the folder (Kamailio runs as its own user).
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let old = chain(Alg::P256);
        let new = chain(Alg::P256);
        let tls = dir.path().join("tls");
        std::fs::create_dir_all(&tls).unwrap();
        std::fs::write(
            tls.join("cert.pem"),
            old.leaf.pem() + &old.intermediate.pem(),
        )
        .unwrap();
        std::fs::write(tls.join("key.pem"), old.leaf.key.serialize_pem()).unwrap();
        std::fs::set_permissions(tls.join("key.pem"), std::fs::Permissions::from_mode(0o600))
            .unwrap();
        // What the admin brings: the new chain and its key, in a work folder of their own.
        let work = dir.path().join("work");
        std::fs::create_dir_all(work.join("new")).unwrap();
        std::fs::write(work.join("new/leaf.pem"), new.leaf.pem()).unwrap();
        std::fs::write(work.join("new/intermediate.pem"), new.intermediate.pem()).unwrap();
        std::fs::write(work.join("new/root.pem"), new.root.pem()).unwrap();
        std::fs::write(work.join("new.key"), new.leaf.key.serialize_pem()).unwrap();
        Self { dir, old, new }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `work/plan.toml`: the new chain and key to the server's files, reloaded and verified there.
    fn write_plan(&self, kamailio: &Kamailio) {
        let plan = format!(
            r#"[bundle]
inputs = ["new"]
host = "sbc.example.com"
at = "2026-06-01T00:00:00Z"
key = "new.key"

[[target]]
name = "Kamailio"
kind = "files"
certificate = "{}"
private_key = "{}"
reload = "{}"
reload_expect = "TLS configuration reloaded"
verify = "{}"
"#,
            self.path("tls/cert.pem").display(),
            self.path("tls/key.pem").display(),
            kamailio.reload_command(),
            kamailio.address()
        );
        std::fs::write(self.path("work/plan.toml"), plan).unwrap();
    }

    fn old_served(&self) -> Vec<String> {
        vec![self.old.leaf.sha256(), self.old.intermediate.sha256()]
    }

    fn new_served(&self) -> Vec<String> {
        vec![self.new.leaf.sha256(), self.new.intermediate.sha256()]
    }

    fn chainsmith(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_chainsmith"))
            .args(args)
            .current_dir(self.path("work"))
            .env("CHAINSMITH_DATA_DIR", self.path("data"))
            .env_remove("CHAINSMITH_CLIENT_SECRET")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// The key's owner, group and mode, and the certificate's.
    fn modes(&self) -> [(u32, u32, u32); 2] {
        ["tls/key.pem", "tls/cert.pem"].map(|f| {
            let m = std::fs::metadata(self.path(f)).unwrap();
            (m.uid(), m.gid(), m.mode() & 0o7777)
        })
    }

    /// No private key's PEM body in any file Chainsmith wrote but the key files and the previous
    /// key kept (0600) in the data folder.
    fn assert_keys_kept_only_where_they_belong(&self, printed: &[u8]) {
        let needles: Vec<String> = [&self.new, &self.old]
            .iter()
            .map(|c| {
                c.leaf
                    .key
                    .serialize_pem()
                    .lines()
                    .nth(2)
                    .unwrap()
                    .to_string()
            })
            .collect();
        for file in files_under(&self.path("data")) {
            let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
            let kept = file.parent().is_some_and(|p| p.ends_with("data/keys"));
            if kept {
                let mode = std::fs::metadata(&file).unwrap().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", file.display());
                continue;
            }
            for needle in &needles {
                assert!(
                    !text.contains(needle),
                    "a private key is in {}",
                    file.display()
                );
            }
        }
        let printed = String::from_utf8_lossy(printed);
        for needle in &needles {
            assert!(!printed.contains(needle), "a private key was printed");
        }
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_rotation_reloads_kamailio_without_a_restart_keeps_owner_and_mode_and_rolls_back() {
    let s = Server::new();
    let kamailio = Kamailio::start(s.dir.path(), "key.pem");
    assert_eq!(kamailio.served(), s.old_served());
    let modes_before = s.modes();
    s.write_plan(&kamailio);
    let pid = kamailio.child.id();
    let out = s.chainsmith(&["rotate", "plan.toml", "--json"]);
    let json: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    assert_eq!(out.status.code(), Some(0), "{json:#} {}", stderr(&out));
    assert_eq!(json["targets"][0]["status"], "verified", "{json:#}");
    // Served at once, by the same process: reloaded, not restarted.
    assert_eq!(kamailio.served(), s.new_served());
    assert_eq!(kamailio.child.id(), pid);
    assert!(
        std::fs::read_to_string(s.path("kamailio.log"))
            .unwrap_or_default()
            .contains("TLS"),
        "kamailio logged its TLS setup"
    );
    // Each file kept its owner, group and mode (Kamailio, as its own user, could read them).
    assert_eq!(s.modes(), modes_before);
    assert_eq!(
        std::fs::read_to_string(s.path("tls/cert.pem")).unwrap(),
        s.new.leaf.pem() + &s.new.intermediate.pem()
    );

    let run_file = json["run_file"].as_str().unwrap().to_string();
    let out = s.chainsmith(&["rotate", "--rollback", &run_file, "--json"]);
    let json: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    assert_eq!(out.status.code(), Some(0), "{json:#} {}", stderr(&out));
    assert_eq!(json["targets"][0]["status"], "rolled-back", "{json:#}");
    assert_eq!(kamailio.served(), s.old_served());
    assert_eq!(s.modes(), modes_before);
    s.assert_keys_kept_only_where_they_belong(&[out.stdout, out.stderr].concat());
}

#[test]
fn a_reload_that_fails_leaves_the_old_certificate_served_and_the_target_failed_in_the_servers_words()
 {
    let s = Server::new();
    // The server reads its key from another file than the one the target names: the reload finds
    // the new certificate beside the old key, and refuses.
    std::fs::copy(s.path("tls/key.pem"), s.path("tls/other.key")).unwrap();
    let kamailio = Kamailio::start(s.dir.path(), "other.key");
    assert_eq!(kamailio.served(), s.old_served());
    let cert_path = s.path("tls/cert.pem").display().to_string();
    let key_path = s.path("tls/key.pem").display().to_string();
    let reload = kamailio.reload_command();
    let out = s.chainsmith(&[
        "upload",
        "--target",
        "files",
        "--certificate",
        &cert_path,
        "--private-key",
        &key_path,
        "--reload",
        &reload,
        "--key",
        "new.key",
        "--host",
        "sbc.example.com",
        "--at=2026-06-01T00:00:00Z",
        "new",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let said = stderr(&out);
    // kamcmd's own words, though it exited 0.
    assert!(said.contains("error: 500"), "{said}");
    assert!(said.contains("The previous files were put back"), "{said}");
    assert_eq!(kamailio.served(), s.old_served());
    assert_eq!(
        std::fs::read_to_string(&cert_path).unwrap(),
        s.old.leaf.pem() + &s.old.intermediate.pem(),
        "what is on disk is what is served"
    );
    let audit = std::fs::read_to_string(s.path("data/audit.jsonl")).unwrap();
    let entry: Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(entry["result"], "failed");
}

/// An OpenSSH server on a loopback port that takes one key, for the current user.
struct Sshd {
    child: Child,
    port: u16,
    known_hosts: PathBuf,
    identity: PathBuf,
}

impl Sshd {
    fn start(dir: &Path) -> Self {
        let sshd = need("sshd", "openssh-server");
        let keygen = need("ssh-keygen", "openssh-client");
        let _ = std::fs::create_dir_all("/run/sshd");
        let port = free_port();
        let keys = dir.join("ssh");
        std::fs::create_dir_all(&keys).unwrap();
        for (name, kind) in [("host_key", "ed25519"), ("id", "ed25519")] {
            let ok = Command::new(&keygen)
                .args(["-q", "-t", kind, "-N", "", "-f"])
                .arg(keys.join(name))
                .status()
                .unwrap()
                .success();
            assert!(ok);
        }
        std::fs::copy(keys.join("id.pub"), keys.join("authorized_keys")).unwrap();
        let host_public = std::fs::read_to_string(keys.join("host_key.pub")).unwrap();
        let known_hosts = keys.join("known_hosts");
        std::fs::write(&known_hosts, format!("[127.0.0.1]:{port} {host_public}")).unwrap();
        std::fs::write(
            keys.join("sshd_config"),
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\n",
                keys.join("host_key").display(),
                keys.join("sshd.pid").display(),
                keys.join("authorized_keys").display()
            ),
        )
        .unwrap();
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(keys.join("sshd_config"))
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(keys.join("sshd.log")).unwrap(),
            ))
            .spawn()
            .unwrap();
        wait_for_port(port, Duration::from_secs(10), "sshd");
        Self {
            child,
            port,
            known_hosts,
            identity: keys.join("id"),
        }
    }

    fn destination(&self) -> String {
        let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string();
        format!("{user}@127.0.0.1:{}", self.port)
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn over_ssh_a_rotation_replaces_the_files_kamailio_reloads_and_a_rollback_puts_them_back() {
    let s = Server::new();
    let kamailio = Kamailio::start(s.dir.path(), "key.pem");
    let sshd = Sshd::start(&s.path("work"));
    let modes_before = s.modes();
    let cert_path = s.path("tls/cert.pem").display().to_string();
    let key_path = s.path("tls/key.pem").display().to_string();
    let reload = kamailio.reload_command();
    let destination = sshd.destination();
    let known = sshd.known_hosts.display().to_string();
    let identity = sshd.identity.display().to_string();
    let address = kamailio.address();
    let args = |known: &str| {
        vec![
            "upload".to_string(),
            "--target".into(),
            "files".into(),
            "--ssh".into(),
            destination.clone(),
            "--known-hosts".into(),
            known.to_string(),
            "--identity".into(),
            identity.clone(),
            "--certificate".into(),
            cert_path.clone(),
            "--private-key".into(),
            key_path.clone(),
            "--reload".into(),
            reload.clone(),
            "--verify".into(),
            address.clone(),
            "--key".into(),
            "new.key".into(),
            "--host".into(),
            "sbc.example.com".into(),
            "--at=2026-06-01T00:00:00Z".into(),
            "new".into(),
        ]
    };
    // A host key that is not the one on record: nothing is written.
    let stranger = s.path("work/stranger_hosts");
    std::fs::write(
        &stranger,
        format!(
            "[127.0.0.1]:{} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHn3D9sQ0oSVmn1JnVjXGeu9fTbXkPLqD0n6Zk2Yq3cE\n",
            sshd.port
        ),
    )
    .unwrap();
    let stranger_args = args(&stranger.display().to_string());
    let out = s.chainsmith(&stranger_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("known_hosts"), "{}", stderr(&out));
    assert_eq!(kamailio.served(), s.old_served());

    // The rotation itself, as a plan: `chainsmith rotate` over SSH, then its rollback.
    let plan = format!(
        r#"[bundle]
inputs = ["new"]
host = "sbc.example.com"
at = "2026-06-01T00:00:00Z"
key = "new.key"

[[target]]
name = "Kamailio over SSH"
kind = "files"
ssh = "{destination}"
known_hosts = "{known}"
identity = "{identity}"
certificate = "{cert_path}"
private_key = "{key_path}"
reload = "{reload}"
verify = "{address}"
"#
    );
    std::fs::write(s.path("work/ssh.toml"), plan).unwrap();
    let out = s.chainsmith(&["rotate", "ssh.toml", "--json"]);
    let json: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    assert_eq!(out.status.code(), Some(0), "{json:#} {}", stderr(&out));
    assert_eq!(json["targets"][0]["status"], "verified", "{json:#}");
    assert_eq!(kamailio.served(), s.new_served());
    assert_eq!(s.modes(), modes_before);
    let audit = std::fs::read_to_string(s.path("data/audit.jsonl")).unwrap();
    let entry: Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(entry["result"], "verified");
    assert!(entry["endpoint"].as_str().unwrap().contains(&destination));

    let run_file = json["run_file"].as_str().unwrap().to_string();
    let out = s.chainsmith(&["rotate", "--rollback", &run_file, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(kamailio.served(), s.old_served());
    assert_eq!(s.modes(), modes_before);
    assert_eq!(
        std::fs::read(s.path("tls/key.pem")).unwrap(),
        s.old.leaf.key.serialize_pem().into_bytes(),
        "the previous key, byte for byte"
    );
    s.assert_keys_kept_only_where_they_belong(&[out.stdout, out.stderr].concat());
}

#[test]
fn one_file_holding_key_and_chain_as_freeswitch_agent_pem_is_replaced_and_put_back_byte_for_byte() {
    let s = Server::new();
    // FreeSWITCH's agent.pem: the key and the chain in one file, readable by its owner alone.
    let agent = s.path("tls/agent.pem");
    let original = format!(
        "{}{}{}",
        s.old.leaf.key.serialize_pem(),
        s.old.leaf.pem(),
        s.old.intermediate.pem()
    );
    std::fs::write(&agent, &original).unwrap();
    std::fs::set_permissions(&agent, std::fs::Permissions::from_mode(0o640)).unwrap();
    // A CA list the server already has: one of the new bundle's CAs is added to it, nothing removed.
    let other_ca = root("Peer CA", Alg::P256);
    std::fs::write(s.path("tls/cafile.pem"), other_ca.pem()).unwrap();
    let agent_path = agent.display().to_string();
    let ca_path = s.path("tls/cafile.pem").display().to_string();
    let out = s.chainsmith(&[
        "upload",
        "--target",
        "files",
        "--certificate",
        &agent_path,
        "--private-key",
        &agent_path,
        "--ca-list",
        &ca_path,
        "--trusted-roots",
        "add",
        "--reload",
        "echo +OK reloaded",
        "--reload-expect",
        "+OK",
        "--key",
        "new.key",
        "--host",
        "sbc.example.com",
        "--at=2026-06-01T00:00:00Z",
        "new",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let now = std::fs::read_to_string(&agent).unwrap();
    assert_eq!(
        now,
        s.new.leaf.key.serialize_pem() + &s.new.leaf.pem() + &s.new.intermediate.pem()
    );
    assert_eq!(
        std::fs::metadata(&agent).unwrap().mode() & 0o777,
        0o640,
        "the mode of the file it replaced"
    );
    let cas = chainsmith::upload::fingerprints(&std::fs::read_to_string(&ca_path).unwrap());
    assert_eq!(
        cas,
        vec![
            other_ca.sha256(),
            s.new.intermediate.sha256(),
            s.new.root.sha256()
        ]
    );
    let audit = std::fs::read_to_string(s.path("data/audit.jsonl")).unwrap();
    let entry: Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    let backup = entry["backup"].as_str().unwrap().to_string();
    // The backup names the kept copy of agent.pem; the key is not in it.
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&backup).unwrap()).unwrap();
    assert!(
        saved["current"]["certificate"]["saved_to"].is_string(),
        "{saved:#}"
    );
    assert!(saved["current"]["certificate"]["text"].is_null());
    assert_eq!(
        chainsmith::upload::fingerprints(saved["certificate"].as_str().unwrap()),
        vec![s.old.leaf.sha256(), s.old.intermediate.sha256()]
    );

    let out = s.chainsmith(&["rollback", &backup]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&agent).unwrap(), original);
    assert_eq!(std::fs::read_to_string(&ca_path).unwrap(), other_ca.pem());
    s.assert_keys_kept_only_where_they_belong(&[out.stdout, out.stderr].concat());
}

#[test]
fn a_reload_judged_by_its_words_and_its_exit_code() {
    use chainsmith::upload::files::judge;
    use chainsmith::upload::host::Ran;
    let ran = |code, output: &str| Ran {
        code: Some(code),
        output: output.into(),
    };
    assert!(judge(&ran(0, "Ok. TLS configuration reloaded.\n"), None).is_ok());
    // kamcmd's failure: exit 0, an error line.
    let e = judge(
        &ran(
            0,
            "error: 500 - Error while fixing TLS configuration (consult server log)\n",
        ),
        None,
    )
    .unwrap_err();
    assert!(e.contains("error: 500"), "{e}");
    assert!(judge(&ran(1, "No such command\n"), None).is_err());
    assert!(judge(&ran(0, "done\n"), Some("TLS configuration reloaded")).is_err());
    assert!(
        judge(
            &ran(0, "Module 'res_pjsip.so' reloaded successfully.\n"),
            Some("reloaded successfully")
        )
        .is_ok()
    );
}

#[test]
fn a_trust_store_job_replaces_a_ca_list_and_its_rollback_puts_it_back() {
    let s = Server::new();
    let peer = root("Peer CA", Alg::P256);
    let teams = root("Teams Root 2026", Alg::P256);
    let ca_path = s.path("tls/ca_list.pem");
    std::fs::write(&ca_path, peer.pem()).unwrap();
    std::fs::write(s.path("work/teams.pem"), teams.pem()).unwrap();
    let key_before = std::fs::read(s.path("tls/key.pem")).unwrap();
    let ca = ca_path.display().to_string();
    let out = s.chainsmith(&[
        "upload",
        "--target",
        "files",
        "--job",
        "trust-store",
        "--ca-list",
        &ca,
        "--trusted-roots",
        "replace",
        "teams.pem",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&ca_path).unwrap(), teams.pem());
    assert_eq!(std::fs::read(s.path("tls/key.pem")).unwrap(), key_before);
    // A leaf is not a CA: refused, nothing written.
    std::fs::write(s.path("work/leaf.pem"), s.new.leaf.pem()).unwrap();
    let out = s.chainsmith(&[
        "upload",
        "--target",
        "files",
        "--job",
        "trust-store",
        "--ca-list",
        &ca,
        "--trusted-roots",
        "add",
        "--at=2026-06-01T00:00:00Z",
        "leaf.pem",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not a CA certificate"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&ca_path).unwrap(), teams.pem());
    let audit = std::fs::read_to_string(s.path("data/audit.jsonl")).unwrap();
    let entry: Value = serde_json::from_str(audit.lines().next().unwrap()).unwrap();
    let backup = entry["backup"].as_str().unwrap().to_string();
    let out = s.chainsmith(&["rollback", &backup]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&ca_path).unwrap(), peer.pem());
}

/// `kill -9` after the key file was written and before the certificate: the run file's journal lets
/// `rotate --rollback` put both files back byte for byte, with their owner and mode.
#[test]
fn a_rotation_killed_between_two_files_is_rolled_back_from_its_journal() {
    let s = Server::new();
    let kamailio = Kamailio::start(s.dir.path(), "key.pem");
    let modes_before = s.modes();
    let key_before = std::fs::read(s.path("tls/key.pem")).unwrap();
    let cert_before = std::fs::read(s.path("tls/cert.pem")).unwrap();
    s.write_plan(&kamailio);
    let crashed = Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .args(["rotate", "plan.toml"])
        .current_dir(s.path("work"))
        .env("CHAINSMITH_DATA_DIR", s.path("data"))
        .env("CHAINSMITH_CRASH_AT", "after-write#1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!crashed.status.success(), "{}", stderr(&crashed));
    assert_ne!(
        std::fs::read(s.path("tls/key.pem")).unwrap(),
        key_before,
        "the key file was written before the crash"
    );
    assert_eq!(std::fs::read(s.path("tls/cert.pem")).unwrap(), cert_before);
    // Not reloaded: Kamailio still serves what it had.
    assert_eq!(kamailio.served(), s.old_served());
    let runs = files_under(&s.path("data/rotations"));
    let run_file = runs[0].display().to_string();
    let out = s.chainsmith(&["rotate", "--rollback", &run_file, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(s.path("tls/key.pem")).unwrap(), key_before);
    assert_eq!(std::fs::read(s.path("tls/cert.pem")).unwrap(), cert_before);
    assert_eq!(s.modes(), modes_before);
    assert_eq!(kamailio.served(), s.old_served());
}
