//! The OS keychain for real: the Secret Service of a gnome-keyring daemon on a private D-Bus session.
//! Ignored by default (a desktop session is needed); `.ci/run` runs it inside `dbus-run-session` with an
//! unlocked gnome-keyring:  `cargo test --test keychain -- --ignored`.

mod common;

use std::process::{Command, Output};

use chainsmith::sandbox::{self, CLIENT_ID, CLIENT_SECRET};

fn trunks(handle: &sandbox::Handle, dir: &std::path::Path, env: &[(&str, &str)]) -> Output {
    let base = handle.base_url();
    let mut command = Command::new(env!("CARGO_BIN_EXE_chainsmith"));
    command
        .args([
            "trunks",
            "--client-id",
            CLIENT_ID,
            "--api-base",
            &base,
            "--login-base",
            &base,
            "--ca-file",
            "sandbox.pem",
            "--remember",
        ])
        .current_dir(dir)
        .env("CHAINSMITH_DATA_DIR", dir.join("data"))
        .env_remove("CHAINSMITH_CLIENT_SECRET")
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

#[test]
#[ignore = "needs a Secret Service (run by .ci/run inside dbus-run-session with gnome-keyring)"]
fn remembered_secret_is_used_from_the_keychain_next_time() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no D-Bus session: run inside dbus-run-session with gnome-keyring-daemon unlocked"
    );
    let handle = sandbox::start(0, vec![]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sandbox.pem"), &handle.certificate_pem).unwrap();
    let account = format!("genesys:{}:{CLIENT_ID}", handle.base_url());
    let _ = chainsmith::upload::secret::forget(&account);

    // Nothing remembered and no variable: the secret is missing (exit 2).
    let out = trunks(&handle, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");

    // From the variable, and remembered after it worked.
    let out = trunks(
        &handle,
        dir.path(),
        &[("CHAINSMITH_CLIENT_SECRET", CLIENT_SECRET)],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("remembered in the OS keychain"));

    // Next time, from the keychain alone.
    let out = trunks(&handle, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        chainsmith::upload::secret::from_keychain(&account)
            .unwrap()
            .map(|s| s.expose().to_string()),
        Some(CLIENT_SECRET.to_string())
    );
    chainsmith::upload::secret::forget(&account).unwrap();
}
