//! The Windows package, run under Wine as an admin would: the MSI that `packaging/build-windows.sh`
//! wrote is installed with `msiexec` into a throwaway Wine prefix, and the installed `chainsmith.com`
//! (the console face) and `chainsmith.exe` (the window face) are run with Windows paths: `--version`;
//! `check` and `build` on the sample (the bundle compared byte for byte with this Linux build's);
//! `probe` against a rustls server on loopback; `upload` and `--remember` against the Linux sandbox,
//! with the backup and audit log in `%LOCALAPPDATA%\Chainsmith` and the secret in Wine's Credential
//! Manager; the window under Xvfb; uninstalling.
//!
//! Ignored by default: it needs the Windows packages and Wine. `.ci/run` builds them and runs
//! `cargo test --test windows -- --ignored`.
//!
//! Debian 12's Wine 8 lacks `ProcessPrng` (`bcryptprimitives.dll`), which Rust's standard library
//! calls at start: the test-only shim `packaging/wine/bcryptprimitives.c` is built with mingw into the
//! throwaway prefix's `system32`. It is never shipped.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chainsmith::sandbox::{self, CLIENT_ID, CLIENT_SECRET};
use common::*;

const SAMPLE_HOST: &str = "sbc1.sample.chainsmith.example";
const AT: &str = "--at=2026-06-01T00:00:00Z";

/// A Wine prefix with the MSI installed.
struct Wine {
    prefix: PathBuf,
    /// Removes a one-test prefix when the test ends (the shared one is kept in `target/`: statics are
    /// never dropped, and it is wiped at the next run).
    _temp: Option<tempfile::TempDir>,
}

impl Wine {
    /// The installed program's folder, as a Linux path.
    fn installed(&self) -> PathBuf {
        self.user_dir().join("AppData/Local/Programs/Chainsmith")
    }

    /// `C:\users\NAME` as a Linux path.
    fn user_dir(&self) -> PathBuf {
        user_dir(&self.prefix)
    }

    fn command(&self, program: &str) -> Command {
        wine_command(&self.prefix, program)
    }

    /// Runs an installed program (`chainsmith.com` or `chainsmith.exe`) with `args`.
    fn run(&self, program: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let exe = windows_path(&self.installed().join(program));
        let mut command = self.command(&exe);
        command.args(args).stdin(Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        command.output().expect("run wine")
    }
}

fn user_dir(prefix: &Path) -> PathBuf {
    let users = prefix.join("drive_c/users");
    let name = std::fs::read_dir(&users)
        .expect("the prefix has users")
        .flatten()
        .map(|e| e.file_name())
        .find(|n| n != "Public")
        .expect("a user folder in the prefix");
    users.join(name)
}

fn wine_command(prefix: &Path, program: &str) -> Command {
    let mut command = Command::new("wine");
    command
        .arg(program)
        .env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        // No Mono or Gecko installer prompts in a fresh prefix.
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env_remove("CHAINSMITH_DATA_DIR")
        .env_remove("CHAINSMITH_CLIENT_SECRET")
        .env_remove("CHAINSMITH_TOKEN");
    command
}

/// A Linux path as Wine's Windows programs see it: `Z:\…` with backslashes.
fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where cargo builds (`CARGO_TARGET_DIR` when set): the MSI and the Wine prefix live there.
fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"))
}

fn msi() -> PathBuf {
    let msi = target().join("dist").join(format!(
        "chainsmith-{}-x86_64.msi",
        env!("CARGO_PKG_VERSION")
    ));
    assert!(
        msi.is_file(),
        "{} is missing: run packaging/build-windows.sh first",
        msi.display()
    );
    msi
}

fn ok(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what}: {:?}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh prefix (`wineboot`) in `prefix`, the test-only ProcessPrng shim in its `system32`, then
/// the MSI installed with `msiexec /i … /qn`, as a user without administrator rights would.
fn install_msi(prefix: &Path) {
    let out = wine_command(prefix, "wineboot")
        .arg("-i")
        .output()
        .expect("wine is installed");
    ok("wineboot", &out);
    let out = Command::new("x86_64-w64-mingw32-gcc")
        .args(["-shared", "-O2", "-o"])
        .arg(prefix.join("drive_c/windows/system32/bcryptprimitives.dll"))
        .arg(repo().join("packaging/wine/bcryptprimitives.c"))
        .arg("-ladvapi32")
        .output()
        .expect("mingw-w64 is installed");
    ok("building the ProcessPrng shim", &out);
    let out = wine_command(prefix, "msiexec")
        .args(["/i", &windows_path(&msi()), "/qn"])
        .output()
        .unwrap();
    ok("msiexec /i", &out);
}

/// A prefix of its own, removed when the test ends.
fn new_prefix_with_msi() -> Wine {
    let temp = tempfile::Builder::new()
        .prefix("chainsmith-wine-")
        .tempdir()
        .unwrap();
    install_msi(temp.path());
    Wine {
        prefix: temp.path().to_path_buf(),
        _temp: Some(temp),
    }
}

/// One installed prefix, shared by the tests (one install; Wine runs programs side by side).
fn wine() -> &'static Wine {
    static WINE: OnceLock<Wine> = OnceLock::new();
    WINE.get_or_init(|| {
        let prefix = target().join("wine-prefix");
        let _ = std::fs::remove_dir_all(&prefix);
        install_msi(&prefix);
        Wine {
            prefix,
            _temp: None,
        }
    })
}

fn linux(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainsmith"))
        .args(args)
        .env_remove("CHAINSMITH_CLIENT_SECRET")
        .output()
        .unwrap()
}

/// The window tests one after the other: each starts Wine's desktop on its own display in the shared
/// prefix, and two at once have starved each other of the two cores past their limits.
fn one_window_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static WINDOWS: std::sync::Mutex<()> = std::sync::Mutex::new(());
    WINDOWS.lock().unwrap_or_else(|e| e.into_inner())
}

/// The PE header's subsystem field: 2 for the window subsystem, 3 for the console.
fn subsystem(exe: &Path) -> u16 {
    let bytes = std::fs::read(exe).unwrap();
    let pe = u32::from_le_bytes(bytes[0x3c..0x40].try_into().unwrap()) as usize;
    assert_eq!(&bytes[pe..pe + 4], b"PE\0\0", "{}", exe.display());
    // Signature (4) + COFF header (20) + the optional header's Subsystem offset (68).
    let at = pe + 4 + 20 + 68;
    u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap())
}

#[test]
#[ignore = "needs the Windows packages (packaging/build-windows.sh) and Wine; run by .ci/run"]
fn both_faces_are_installed_and_report_the_version() {
    let wine = wine();
    let exe = wine.installed().join("chainsmith.exe");
    let com = wine.installed().join("chainsmith.com");
    assert_eq!(subsystem(&exe), 2, "chainsmith.exe opens no console");
    assert_eq!(subsystem(&com), 3, "chainsmith.com is the console face");
    let linux_version = linux(&["--version"]);
    for program in ["chainsmith.com", "chainsmith.exe"] {
        let out = wine.run(program, &["--version"], &[]);
        ok(program, &out);
        assert_eq!(out.stdout, linux_version.stdout, "{program}");
    }
    // The version information a Windows file's Properties show, and the icon.
    let bytes = std::fs::read(&exe).unwrap();
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    for text in [
        "ProductName",
        "Chainsmith",
        env!("CARGO_PKG_VERSION"),
        "chainsmith.exe",
    ] {
        let needle = utf16(text);
        assert!(
            bytes.windows(needle.len()).any(|w| w == needle),
            "{text} is not in the version information"
        );
    }
}

#[test]
#[ignore = "needs the Windows packages (packaging/build-windows.sh) and Wine; run by .ci/run"]
fn check_and_build_give_the_linux_answers_and_bytes() {
    let wine = wine();
    let sample = repo().join("assets/sample");
    let leaf = sample.join("sbc1.sample.chainsmith.example.pem");
    let out_dir = tempfile::tempdir().unwrap();

    // check: the same verdict (codes, order, exit code) as on Linux, with Windows paths in and out.
    let win = wine.run(
        "chainsmith.com",
        &[
            "check",
            &windows_path(&sample),
            "--leaf",
            &windows_path(&leaf),
            "--host",
            SAMPLE_HOST,
            AT,
            "--json",
        ],
        &[],
    );
    ok("check", &win);
    let lin = linux(&[
        "check",
        sample.to_str().unwrap(),
        "--host",
        SAMPLE_HOST,
        AT,
        "--json",
    ]);
    ok("linux check", &lin);
    let win_json: serde_json::Value = serde_json::from_slice(&win.stdout).unwrap();
    let lin_json: serde_json::Value = serde_json::from_slice(&lin.stdout).unwrap();
    assert_eq!(win_json["findings"], lin_json["findings"]);
    let fingerprints = |j: &serde_json::Value| -> Vec<String> {
        j["chain"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["sha256"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(fingerprints(&win_json), fingerprints(&lin_json));
    assert_eq!(
        win_json["chain"][0]["source"],
        windows_path(&leaf),
        "sources are shown as Windows paths"
    );

    // A wrong host: the same error and exit code.
    let win = wine.run(
        "chainsmith.com",
        &[
            "check",
            &windows_path(&sample),
            "--host",
            "sbc9.other.example",
            AT,
        ],
        &[],
    );
    let lin = linux(&[
        "check",
        sample.to_str().unwrap(),
        "--host",
        "sbc9.other.example",
        AT,
    ]);
    assert_ne!(lin.status.code(), Some(0));
    assert_eq!(win.status.code(), lin.status.code());
    assert!(String::from_utf8_lossy(&win.stdout).contains("name.mismatch"));

    // build: byte for byte the Linux bundle (LF line endings: PEM is LF everywhere).
    let win_bundle = out_dir.path().join("windows bundle.pem");
    let out = wine.run(
        "chainsmith.com",
        &[
            "build",
            &windows_path(&sample),
            "--host",
            SAMPLE_HOST,
            AT,
            "--output",
            &windows_path(&win_bundle),
        ],
        &[],
    );
    ok("build", &out);
    let lin_bundle = out_dir.path().join("linux.pem");
    ok(
        "linux build",
        &linux(&[
            "build",
            sample.to_str().unwrap(),
            "--host",
            SAMPLE_HOST,
            AT,
            "--output",
            lin_bundle.to_str().unwrap(),
        ]),
    );
    let windows = std::fs::read(&win_bundle).unwrap();
    assert!(!windows.contains(&b'\r'), "no CR in a bundle");
    assert_eq!(windows, std::fs::read(&lin_bundle).unwrap());
}

#[test]
#[ignore = "needs the Windows packages (packaging/build-windows.sh) and Wine; run by .ci/run"]
fn probe_reads_a_loopback_tls_server() {
    let wine = wine();
    let root = root("Wine Probe Root", Alg::Rsa2048);
    let intermediate = root.issue(ca_params("Wine Probe Intermediate"), Alg::Rsa2048);
    let mut params = leaf_params("localhost", &["localhost", "127.0.0.1"]);
    params.not_before = rcgen::date_time_ymd(2026, 1, 1);
    params.not_after = rcgen::date_time_ymd(2030, 1, 1);
    let leaf = intermediate.issue(params, Alg::Rsa2048);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("root.pem"), root.pem()).unwrap();
    // The server sends leaf, intermediate: what an SBC should.
    let port = serve_tls(
        vec![leaf.der.clone(), intermediate.der.clone()],
        leaf.key.serialize_der(),
        None,
    );
    let out = wine.run(
        "chainsmith.com",
        &[
            "probe",
            &format!("127.0.0.1:{port}"),
            "--host",
            "localhost",
            "--roots",
            &windows_path(&dir.path().join("root.pem")),
            "--json",
        ],
        &[],
    );
    ok("probe", &out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["probe"]["served"],
        serde_json::json!([leaf.sha256(), intermediate.sha256()])
    );
    assert_eq!(json["probe"]["sni"], "localhost");
    assert_eq!(json["probe"]["protocol_version"], "TLSv1_3");
}

#[test]
#[ignore = "needs the Windows packages (packaging/build-windows.sh) and Wine; run by .ci/run"]
fn upload_to_the_linux_sandbox_keeps_records_in_local_app_data_and_the_secret_in_the_credential_manager()
 {
    let wine = wine();
    let handle = sandbox::start(0, vec![]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("sandbox.pem");
    std::fs::write(&ca_file, &handle.certificate_pem).unwrap();
    let base = handle.base_url();
    let ca_file = windows_path(&ca_file);
    let sample = windows_path(&repo().join("assets/sample"));
    let upload = |env: &[(&str, &str)], extra: &[&str]| {
        let mut args = vec![
            "upload",
            "--target",
            "genesys",
            "--client-id",
            CLIENT_ID,
            "--api-base",
            &base,
            "--login-base",
            &base,
            "--ca-file",
            &ca_file,
            "--ca-name",
            "Sample CAs",
            "--host",
            SAMPLE_HOST,
            "--profile",
            "genesys-byoc-premises",
            AT,
            &sample,
        ];
        args.extend_from_slice(extra);
        wine.run("chainsmith.com", &args, env)
    };

    // The secret from the environment, remembered after it worked.
    let out = upload(
        &[("CHAINSMITH_CLIENT_SECRET", CLIENT_SECRET)],
        &["--remember"],
    );
    ok("upload", &out);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("remembered in the OS keychain"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let posted = handle
        .received()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/certificateauthorities"))
        .count();
    assert_eq!(posted, 1, "the authority was created");

    // `chainsmith paths` names the Windows folders.
    let out = wine.run("chainsmith.com", &["paths"], &[]);
    ok("paths", &out);
    let paths = String::from_utf8_lossy(&out.stdout).into_owned();
    for line in [
        r"audit log            C:\users\",
        r"\AppData\Local\Chainsmith\audit.jsonl",
        r"\AppData\Local\Chainsmith\aia-cache",
        r"\AppData\Roaming\Chainsmith\preferences.ron",
    ] {
        assert!(paths.contains(line), "{line}\n{paths}");
    }

    // The records live in %LOCALAPPDATA%\Chainsmith.
    let data = wine.user_dir().join("AppData/Local/Chainsmith");
    let audit = std::fs::read_to_string(data.join("audit.jsonl"))
        .unwrap_or_else(|e| panic!("{}: {e}", data.display()));
    assert_eq!(audit.lines().count(), 1, "{audit}");
    assert!(audit.contains("\"verified\""), "{audit}");

    // Again, with no secret in the environment: it comes from the Credential Manager, the upload
    // finds the authority already there, and the replaced PEM is backed up first.
    let out = upload(&[], &[]);
    ok("upload with the remembered secret", &out);
    assert_eq!(
        std::fs::read_to_string(data.join("audit.jsonl"))
            .unwrap()
            .lines()
            .count(),
        2
    );
    // One backup per upload, each from a complete read before the change: the first found no
    // authority; the second holds what the first put there, the sample's CA certificates, by their
    // SHA-256 as openssl computes it.
    let mut backups: Vec<PathBuf> = std::fs::read_dir(data.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    backups.sort();
    assert_eq!(backups.len(), 2, "{backups:?}");
    let backup = |i: usize| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(&backups[i]).unwrap()).unwrap()
    };
    assert_eq!(
        backup(0)["certificate"],
        serde_json::Value::Null,
        "{}",
        backup(0)
    );
    let openssl_sha256 = |file: &str| -> String {
        let out = Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
            .arg(repo().join("assets/sample").join(file))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .rsplit('=')
            .next()
            .unwrap()
            .replace(':', "")
            .to_lowercase()
    };
    let mut kept: Vec<String> = backup(1)["fingerprints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    kept.sort();
    let mut sample = vec![
        openssl_sha256("issuing-ca.cer"),
        openssl_sha256("root-ca.pem"),
    ];
    sample.sort();
    assert_eq!(kept, sample, "{}", backup(1));
    // Never a secret in a file the program wrote.
    for entry in files_under(&data) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        assert!(!text.contains(CLIENT_SECRET), "{}", entry.display());
        for token in handle.issued_tokens() {
            assert!(!text.contains(&token), "{}", entry.display());
        }
    }

    // A 4,000-character secret (a JWT-sized one; the Credential Manager holds 1,280 characters per
    // entry) is remembered whole, in parts, and found again: the third upload has no secret in its
    // environment, and the sandbox accepts only the whole long one or its own.
    let long: String = (0..4000)
        .map(|i| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[i % 36]))
        .collect();
    handle.accept_secret(&long);
    let out = upload(&[("CHAINSMITH_CLIENT_SECRET", &long)], &["--remember"]);
    ok("upload with a 4,000-character secret", &out);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(said.contains("remembered in the OS keychain"), "{said}");
    assert!(!said.contains("not remembered"), "{said}");
    let tokens_before = handle.issued_tokens().len();
    let out = upload(&[], &[]);
    ok("upload with the remembered 4,000-character secret", &out);
    assert_eq!(
        handle.issued_tokens().len(),
        tokens_before + 1,
        "the remembered long secret was accepted"
    );
    for entry in files_under(&data) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        assert!(!text.contains(&long[..64]), "{}", entry.display());
    }
}

/// The window under Xvfb where wgpu cannot start: it falls back to OpenGL by itself, paints its first
/// frame with the sample loaded, and a screenshot is kept in `target/wine-window.png` to be looked at.
#[test]
#[ignore = "needs the Windows packages (packaging/build-windows.sh), Wine and Xvfb; run by .ci/run"]
fn the_window_paints_under_wine_and_xvfb() {
    let _one = one_window_at_a_time();
    let wine = wine();
    let x = Xvfb::start("1024x700x24");
    let display = x.display.clone();

    let exe = windows_path(&wine.installed().join("chainsmith.exe"));
    let sample = windows_path(&wine.installed().join("sample"));
    let mut window = wine
        .command(&exe)
        .args(["gui", &sample, "--host", SAMPLE_HOST])
        .env("DISPLAY", &display)
        // A backend Windows does not have, as a remote desktop without Direct3D or Vulkan would
        // be: the window must open with OpenGL by itself. (Not wgpu's default here: Wine's
        // Direct3D 12 aborts the process without a GPU, which no program can recover from.)
        .env("WGPU_BACKEND", "metal")
        .env("CHAINSMITH_TIMING", "1")
        .env("CHAINSMITH_WINDOW_SIZE", "1024x700")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = stderr_lines(&mut window);
    let started = Instant::now();
    let mut seen = Vec::new();
    let painted = loop {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(line) if line.contains("first frame painted") => {
                seen.push(line);
                break true;
            }
            Ok(line) => seen.push(line),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                if started.elapsed() < Duration::from_secs(180) => {}
            Err(_) => break false,
        }
    };
    // The sample loaded (all three certificates), then a frame drawn with it, then look.
    let mut loaded = seen.iter().any(|l| l.contains("3 in the window"));
    while painted && !loaded && started.elapsed() < Duration::from_secs(240) {
        if let Ok(line) = rx.recv_timeout(Duration::from_secs(1)) {
            loaded = line.contains("3 in the window");
            seen.push(line);
        }
    }
    if loaded {
        // The load's frame is drawn within a frame or two; this is time for Xvfb, not a wait on
        // the program, which has said all it will.
        std::thread::sleep(Duration::from_millis(500));
    }
    let png = repo().join("target/wine-window.png");
    let shot = Command::new("import")
        .args(["-display", &display, "-window", "root"])
        .arg(&png)
        .output();
    let colours = Command::new("identify")
        .args(["-format", "%k"])
        .arg(&png)
        .output();
    // Stopped alone: `wineserver -k` would end the other tests' programs in this prefix too.
    let _ = window.kill();
    let _ = window.wait();
    drop(x);
    assert!(painted, "no first frame within 180 s: {seen:?}");
    assert!(loaded, "the sample never loaded: {seen:?}");
    assert!(
        seen.iter()
            .any(|l| l.contains("could not start Direct3D, Vulkan or Metal")),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|l| l.contains("first frame painted")
            && l.ends_with("(OpenGL, as wgpu could not start)")),
        "{seen:?}"
    );
    ok("import", &shot.unwrap());
    let colours: u32 = String::from_utf8_lossy(&colours.unwrap().stdout)
        .trim()
        .parse()
        .unwrap();
    assert!(
        colours > 50,
        "the screenshot is nearly blank ({colours} colours)"
    );
}

/// Uninstalling (Settings > Apps, or msiexec /x) leaves nothing behind: files, shortcut, the file
/// associations and the uninstall entry. Its own prefix, so the other tests keep theirs.
#[test]
#[ignore = "needs the Windows packages (packaging/build-windows.sh) and Wine; run by .ci/run"]
fn the_msi_registers_shortcut_associations_and_uninstall_entry_and_removes_them() {
    let wine = new_prefix_with_msi();
    let reg = |key: &str| -> Output {
        wine.command("reg")
            .args(["query", key, "/s"])
            .output()
            .unwrap()
    };
    let start_menu = wine
        .user_dir()
        .join("AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Chainsmith.lnk");
    let exts = ["pem", "crt", "cer", "der", "p7b", "p7c"];

    // Installed, for this user only.
    assert!(wine.installed().join("chainsmith.exe").is_file());
    assert!(wine.installed().join("sample/root-ca.pem").is_file());
    assert!(start_menu.is_file(), "{}", start_menu.display());
    for ext in exts {
        let out = reg(&format!(r"HKCU\Software\Classes\.{ext}\OpenWithProgids"));
        ok(ext, &out);
        assert!(String::from_utf8_lossy(&out.stdout).contains("Chainsmith.Certificate"));
    }
    let out = reg(r"HKCU\Software\Classes\Chainsmith.Certificate\shell\open\command");
    ok("open command", &out);
    let command = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        command.contains(r#"\AppData\Local\Programs\Chainsmith\chainsmith.exe" gui --join "%1""#),
        "{command}"
    );
    let uninstall = reg(r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall");
    let entries = String::from_utf8_lossy(&uninstall.stdout).into_owned();
    assert!(
        entries.contains("DisplayName    REG_SZ    Chainsmith"),
        "{entries}"
    );
    let product = entries
        .split("HKEY_")
        .find(|block| block.contains("DisplayName    REG_SZ    Chainsmith"))
        .and_then(|block| block.lines().next())
        .and_then(|key| key.rsplit('\\').next())
        .expect("the uninstall entry's product code")
        .trim()
        .to_string();

    // The association's command is run for real, with three files, in
    // the_registered_command_opens_three_selected_files_in_one_window.

    let out = wine
        .command("msiexec")
        .args(["/x", &product, "/qn"])
        .output()
        .unwrap();
    ok("msiexec /x", &out);
    assert!(!wine.installed().exists(), "the program folder is removed");
    assert!(!start_menu.exists(), "the shortcut is removed");
    for ext in exts {
        let out = reg(&format!(r"HKCU\Software\Classes\.{ext}\OpenWithProgids"));
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("Chainsmith"),
            "{ext} still offers Chainsmith"
        );
    }
    assert!(
        !reg(r"HKCU\Software\Classes\Chainsmith.Certificate")
            .status
            .success()
    );
    let uninstall = reg(r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall");
    assert!(
        !String::from_utf8_lossy(&uninstall.stdout).contains("REG_SZ    Chainsmith"),
        "the uninstall entry is gone"
    );
    let _ = wine.command("wineserver").arg("-k").status();
}

/// The proxy Windows is set to use (Internet Settings in the per-protocol form Group Policy writes,
/// with `<local>`): an upload to a named host goes through it and says so; one to this machine (the
/// sandbox rehearsal) goes direct although the settings name a proxy.
#[test]
#[ignore = "needs the Windows packages (packaging/build-windows.sh) and Wine; run by .ci/run"]
fn uploads_go_through_the_internet_settings_proxy_and_this_machine_goes_direct() {
    let wine = new_prefix_with_msi();
    let dir = tempfile::tempdir().unwrap();
    let corp = corp_sandbox(dir.path());
    let proxy = Proxy::start(corp.address, false);
    let key = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings";
    let server = format!(
        "http=127.0.0.1:{0};https=127.0.0.1:{0};ftp=127.0.0.1:21",
        proxy.port
    );
    for (name, kind, value) in [
        ("ProxyEnable", "REG_DWORD", "1"),
        ("ProxyServer", "REG_SZ", server.as_str()),
        ("ProxyOverride", "REG_SZ", "<local>"),
    ] {
        let out = wine
            .command("reg")
            .args(["add", key, "/v", name, "/t", kind, "/d", value, "/f"])
            .output()
            .unwrap();
        ok("reg add", &out);
    }
    let c = chain(Alg::P256);
    std::fs::write(
        dir.path().join("chain.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    let chain_file = windows_path(&dir.path().join("chain.pem"));
    let upload = |url: &str, ca_file: &Path| {
        let ca_file = windows_path(ca_file);
        wine.run(
            "chainsmith.com",
            &[
                "upload",
                "--target",
                "rest",
                "--url",
                url,
                "--auth",
                "basic",
                "--username",
                CLIENT_ID,
                "--ca-file",
                &ca_file,
                "--host",
                "sbc.example.com",
                AT,
                &chain_file,
            ],
            &[("CHAINSMITH_CLIENT_SECRET", CLIENT_SECRET)],
        )
    };
    let url = format!(
        "https://api.corp.test:{}/trunk-api/trunks/t1/certificate",
        corp.address.port()
    );
    let out = upload(&url, &dir.path().join("corp-ca.pem"));
    ok("upload through the proxy", &out);
    assert_eq!(
        proxy.seen(),
        vec![format!(
            "CONNECT api.corp.test:{} HTTP/1.1",
            corp.address.port()
        )],
        "the https= proxy of the per-protocol form"
    );
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        said.contains(&format!("via proxy 127.0.0.1:{}", proxy.port)),
        "{said}"
    );

    // This machine: direct, whatever the settings say.
    let local = sandbox::start(0, vec![]).unwrap();
    std::fs::write(dir.path().join("local.pem"), &local.certificate_pem).unwrap();
    let url = format!("{}/trunk-api/trunks/t1/certificate", local.base_url());
    let out = upload(&url, &dir.path().join("local.pem"));
    ok("upload to this machine", &out);
    assert_eq!(proxy.seen().len(), 1, "{:?}", proxy.seen());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("via proxy"));
}

/// `-o NUL` discards and `-o CON` prints (streams, as /dev/null and /dev/stdout are); a plan's path is
/// shown and stored without Windows' `\\?\` prefix; a files target reads a server's files on Windows.
#[test]
#[ignore = "needs the Windows packages (packaging/build-windows.sh) and Wine; run by .ci/run"]
fn nul_and_con_are_streams_and_paths_are_shown_as_windows_users_know_them() {
    let wine = wine();
    let sample = windows_path(&repo().join("assets/sample"));
    let out = wine.run(
        "chainsmith.com",
        &["build", &sample, "--host", SAMPLE_HOST, "-o", "NUL"],
        &[],
    );
    ok("build -o NUL", &out);
    let out = wine.run(
        "chainsmith.com",
        &["build", &sample, "--host", SAMPLE_HOST, "-o", "con"],
        &[],
    );
    ok("build -o con", &out);
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        printed.matches("-----BEGIN CERTIFICATE-----").count(),
        2,
        "{printed}"
    );

    // A plan with a files target on this (Windows) machine: --status reads the certificate file.
    let dir = tempfile::tempdir().unwrap();
    let c = chain(Alg::P256);
    std::fs::create_dir_all(dir.path().join("new")).unwrap();
    std::fs::write(
        dir.path().join("new/chain.pem"),
        c.leaf.pem() + &c.intermediate.pem() + &c.root.pem(),
    )
    .unwrap();
    std::fs::write(dir.path().join("new.key"), c.leaf.key.serialize_pem()).unwrap();
    std::fs::write(
        dir.path().join("served.pem"),
        c.leaf.pem() + &c.intermediate.pem(),
    )
    .unwrap();
    std::fs::write(dir.path().join("served.key"), c.leaf.key.serialize_pem()).unwrap();
    let toml_path = |p: &Path| windows_path(p).replace('\\', "\\\\");
    std::fs::write(
        dir.path().join("plan.toml"),
        format!(
            "[bundle]\ninputs = [\"new\"]\nhost = \"sbc.example.com\"\nat = \"2026-06-01T00:00:00Z\"\nkey = \"new.key\"\n\n[[target]]\nname = \"SIP server\"\nkind = \"files\"\ncertificate = \"{}\"\nprivate_key = \"{}\"\n",
            toml_path(&dir.path().join("served.pem")),
            toml_path(&dir.path().join("served.key"))
        ),
    )
    .unwrap();
    let plan = windows_path(&dir.path().join("plan.toml"));
    let out = wine.run(
        "chainsmith.com",
        &["rotate", &plan, "--status", "--json"],
        &[],
    );
    ok("rotate --status", &out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let shown = json["plan"].as_str().unwrap_or_default().to_string();
    assert!(!shown.starts_with(r"\\?\"), "{json:#}");
    assert!(shown.ends_with(r"\plan.toml"), "{json:#}");
    assert_eq!(json["targets"][0]["holds_bundle"], true, "{json:#}");

    // Last year's certificate served: the run replaces both files, and its report (.md) is
    // written for Windows' Notepad (a byte-order mark, CRLF).
    let old = chain(Alg::P256);
    std::fs::write(
        dir.path().join("served.pem"),
        old.leaf.pem() + &old.intermediate.pem(),
    )
    .unwrap();
    std::fs::write(dir.path().join("served.key"), old.leaf.key.serialize_pem()).unwrap();
    let report = dir.path().join("change report.md");
    let out = wine.run(
        "chainsmith.com",
        &["rotate", &plan, "--report", &windows_path(&report)],
        &[(
            "CHAINSMITH_DATA_DIR",
            &windows_path(&dir.path().join("data")),
        )],
    );
    ok("rotate --report", &out);
    assert_eq!(
        openssl_subjects(&dir.path().join("served.pem")),
        openssl_subjects(&dir.path().join("new/chain.pem"))[..2],
        "the served file holds the new leaf and intermediate"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("served.key")).unwrap(),
        c.leaf.key.serialize_pem()
    );
    let bytes = std::fs::read(&report).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "no byte-order mark");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.contains("\r\n"), "{text}");
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "a bare LF: {text:?}"
    );
}

/// The command a file association registered for `.pem` files, split as Windows splits it, with `%1`
/// still in it.
fn registered_command(wine: &Wine) -> Vec<String> {
    let out = wine
        .command("reg")
        .args([
            "query",
            r"HKCU\Software\Classes\Chainsmith.Certificate\shell\open\command",
            "/ve",
        ])
        .output()
        .unwrap();
    ok("reg query", &out);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = text
        .lines()
        .find_map(|l| l.split_once("REG_SZ").map(|(_, v)| v.trim().to_string()))
        .unwrap_or_else(|| panic!("no command: {text}"));
    // Quoted words and bare words, as the C runtime splits a command line (no escapes in ours).
    let mut words = Vec::new();
    let mut rest = line.as_str();
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        rest = &rest[start..];
        let (word, after) = match rest.strip_prefix('"') {
            Some(quoted) => quoted.split_once('"').expect("a closing quote"),
            None => rest.split_once(' ').unwrap_or((rest, "")),
        };
        words.push(word.to_string());
        rest = after;
    }
    words
}

/// Explorer's "Open with → Chainsmith" on three selected files runs the registered command three
/// times at once, one file each. One window opens, with all three files' certificates; the other two
/// processes hand their file over and end without painting.
#[test]
#[ignore = "needs the Windows packages (packaging/build-windows.sh), Wine and Xvfb; run by .ci/run"]
fn the_registered_command_opens_three_selected_files_in_one_window() {
    let _one = one_window_at_a_time();
    let wine = wine();
    let command = registered_command(wine);
    assert_eq!(command[1..], ["gui", "--join", "%1"], "{command:?}");
    let x = Xvfb::start("1024x700x24");
    let data = tempfile::tempdir().unwrap();
    let sample = wine.installed().join("sample");
    let files = [
        "sbc1.sample.chainsmith.example.pem",
        "issuing-ca.cer",
        "root-ca.pem",
    ];
    let mut processes: Vec<(std::process::Child, std::sync::mpsc::Receiver<String>)> = files
        .iter()
        .map(|f| {
            let args: Vec<String> = command[1..]
                .iter()
                .map(|w| w.replace("%1", &windows_path(&sample.join(f))))
                .collect();
            let mut child = wine
                .command(&command[0])
                .args(&args)
                .env("DISPLAY", &x.display)
                .env("CHAINSMITH_TIMING", "1")
                .env("CHAINSMITH_WINDOW_SIZE", "1024x700")
                .env("CHAINSMITH_DATA_DIR", windows_path(data.path()))
                // Wine's Direct3D 12 (vkd3d) aborts the process without a GPU: wgpu's OpenGL.
                .env("WGPU_BACKEND", "gl")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let rx = stderr_lines(&mut child);
            (child, rx)
        })
        .collect();

    // Two end on their own, successfully; the third is the window.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut ended = Vec::new();
    while ended.len() < 2 && Instant::now() < deadline {
        match processes
            .iter_mut()
            .position(|(c, _)| matches!(c.try_wait(), Ok(Some(_))))
        {
            Some(i) => {
                let (mut child, rx) = processes.remove(i);
                let status = child.wait().unwrap();
                ended.push((status, rx.try_iter().collect::<Vec<_>>()));
            }
            // std has no wait-for-any-child: a bounded poll.
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    let mut said = Vec::new();
    let mut whole = false;
    let mut painted = false;
    if let Some((_, rx)) = processes.first() {
        // Until the window holds all three files and has painted: on a busy machine the files
        // handed over can be loaded before the first frame is drawn.
        while Instant::now() < deadline {
            match rx.recv_timeout(Duration::from_secs(1)) {
                Ok(line) => {
                    whole |= line.contains("3 in the window");
                    painted |= line.contains("first frame painted");
                    said.push(line);
                    if whole && painted {
                        break;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(_) => break,
            }
        }
    }
    // Each process is stopped alone: `wineserver -k` would end the other tests' programs too.
    for (child, _) in &mut processes {
        let _ = child.kill();
        let _ = child.wait();
    }
    drop(x);
    assert_eq!(
        ended.len(),
        2,
        "two processes handed over and ended: {ended:?}"
    );
    for (status, lines) in &ended {
        assert!(status.success(), "{status:?}: {lines:?}");
        assert!(
            !lines.iter().any(|l| l.contains("first frame painted")),
            "a second window painted: {lines:?}"
        );
    }
    assert!(whole, "the window never held all three files: {said:#?}");
    assert!(painted, "the window never painted: {said:#?}");
    assert!(
        said.iter()
            .any(|l| l.contains("handed over by another Chainsmith")),
        "{said:#?}"
    );
}

/// Text to a file or a pipe is ASCII (the console's code page reads it as written): Chainsmith's
/// symbols as ASCII stand-ins, other characters as code points. The console itself is not tested
/// here (Wine's console is not Windows').
#[test]
#[ignore = "needs the Windows packages (packaging/build-windows.sh) and Wine; run by .ci/run"]
fn redirected_text_is_ascii_that_any_code_page_reads() {
    let wine = wine();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("Zoë's renewal");
    std::fs::create_dir(&folder).unwrap();
    let c = chain(Alg::P256);
    std::fs::write(folder.join("leaf.pem"), c.leaf.pem()).unwrap();
    std::fs::write(folder.join("root.pem"), c.root.pem()).unwrap();
    // The intermediate is missing: the report then names the missing issuer and the path.
    let out = wine.run(
        "chainsmith.com",
        &["check", &windows_path(&folder), "--host", "sbc.example.com"],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lin = linux(&[
        "check",
        folder.to_str().unwrap(),
        "--host",
        "sbc.example.com",
    ]);
    let linux_text = String::from_utf8(lin.stdout).unwrap();
    assert!(
        !linux_text.is_ascii(),
        "the Linux report has non-ASCII text: {linux_text}"
    );
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(bytes.is_ascii(), "{stream} is not ASCII: {text}");
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains(r"Zo\u{eb}'s renewal\leaf.pem"), "{text}");
    // Every line of the Linux report is there, in its ASCII form (paths aside).
    let expected = chainsmith::console::ascii(&linux_text).into_owned();
    let normalise = |t: &str| {
        t.replace(&windows_path(dir.path()), "DIR")
            .replace(
                &chainsmith::console::ascii(dir.path().to_str().unwrap()).into_owned(),
                "DIR",
            )
            .replace('\\', "/")
    };
    assert_eq!(normalise(&text), normalise(&expected));
}

/// PowerShell's Tab completion writes `"C:\certs\"`; Windows' splitting makes that one argument with a
/// quote and the rest of the line in it. The admin is told, not sent looking for a missing file.
#[test]
#[ignore = "needs the Windows packages (packaging/build-windows.sh) and Wine; run by .ci/run"]
fn a_trailing_backslash_before_a_quote_gets_a_hint() {
    let wine = wine();
    // Wine builds the Windows command line from these words, quoting as Windows does, so the
    // program sees exactly this argument.
    let out = wine.run(
        "chainsmith.com",
        &["check", "C:\\certs\" --host sbc1.example.com"],
        &[],
    );
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("a backslash just before a closing quote"),
        "{said}"
    );
    assert!(said.contains("(\"C:\\certs\")"), "{said}");
    assert!(!said.contains("cannot open"), "{said}");
}

/// A bundle file another program holds open: the error names the file, says another program has it
/// open and to close it, once (not Windows' words twice).
#[test]
#[ignore = "needs the Windows packages (packaging/build-windows.sh) and Wine; run by .ci/run"]
fn a_file_held_open_by_another_program_is_said_in_words() {
    let wine = wine();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle.pem");
    // cmd holds its redirection's file open, without delete sharing, while `more` waits for input.
    let mut holder = wine
        .command("cmd")
        .args(["/c", &format!("more > {}", windows_path(&bundle))])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !bundle.exists() {
        assert!(Instant::now() < deadline, "cmd did not open the file");
        std::thread::sleep(Duration::from_millis(50));
    }
    let sample = windows_path(&repo().join("assets/sample"));
    let out = wine.run(
        "chainsmith.com",
        &[
            "build",
            &sample,
            "--host",
            SAMPLE_HOST,
            "-o",
            &windows_path(&bundle),
        ],
        &[],
    );
    drop(holder.stdin.take());
    let _ = holder.kill();
    let _ = holder.wait();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("bundle.pem"), "{said}");
    assert!(said.contains("another program has"), "{said}");
    assert!(said.contains("close it there"), "{said}");
    assert!(said.matches("os error").count() <= 1, "{said}");
}
