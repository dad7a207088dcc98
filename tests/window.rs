//! The real window under Xvfb (Mesa's software renderers): how it starts when the graphics fail,
//! and files opened together ("Open with" on several files) going to one window.
//!
//! Needs Xvfb and Mesa (README, "What cargo test needs"). The window reports on standard error with
//! CHAINSMITH_TIMING=1: its first painted frame and the renderer, each load, each hand-over.

#![cfg(feature = "gui")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};

use common::Xvfb;
use std::time::{Duration, Instant};

/// A `chainsmith gui` process and the lines of its standard error; killed when dropped.
struct Window {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Window {
    fn start(x: &Xvfb, home: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chainsmith"))
            .arg("gui")
            .args(args)
            .current_dir(repo())
            .env("DISPLAY", &x.display)
            .env_remove("WAYLAND_DISPLAY")
            .env("CHAINSMITH_TIMING", "1")
            .env("CHAINSMITH_DATA_DIR", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("share"))
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = common::stderr_lines(&mut child);
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The first line with `words` (said already, or within `limit`); panics with all it said.
    fn wait_for(&mut self, words: &str, limit: Duration) -> String {
        if let Some(line) = self.seen.iter().find(|l| l.contains(words)) {
            return line.clone();
        }
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(words) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no \"{words}\" within {limit:?}; it said: {:#?}", self.seen)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait();
                    panic!(
                        "it ended ({status:?}) without \"{words}\"; it said: {:#?}",
                        self.seen
                    )
                }
            }
        }
    }

    /// Waits for the process to end (at most `limit`), and everything it said.
    fn end(mut self, limit: Duration) -> (std::process::ExitStatus, Vec<String>) {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    panic!("still running after {limit:?}; it said: {:#?}", self.seen)
                }
            }
        }
        let status = self.child.wait().unwrap();
        (status, std::mem::take(&mut self.seen))
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const PAINTED: &str = "first frame painted";
const START: Duration = Duration::from_secs(60);

/// On Linux the window draws with OpenGL; `CHAINSMITH_RENDERER=wgpu` asks for wgpu first, and where
/// wgpu cannot start (here: a backend this system does not have, as a remote desktop without
/// Direct3D would be), the window opens with OpenGL by itself and says so — Windows' order.
#[test]
fn a_window_whose_wgpu_cannot_start_opens_with_opengl_and_says_so() {
    let x = Xvfb::start("1280x800x24");
    let home = tempfile::tempdir().unwrap();

    let mut usual = Window::start(&x, home.path(), &["assets/sample"], &[]);
    let line = usual.wait_for(PAINTED, START);
    assert!(line.ends_with("(OpenGL)"), "{line}");
    drop(usual);

    let mut asked = Window::start(
        &x,
        home.path(),
        &["assets/sample"],
        &[("CHAINSMITH_RENDERER", "wgpu")],
    );
    let line = asked.wait_for(PAINTED, START);
    assert!(line.ends_with("(wgpu)"), "{line}");
    drop(asked);

    let mut fallback = Window::start(
        &x,
        home.path(),
        &["assets/sample"],
        &[("CHAINSMITH_RENDERER", "wgpu"), ("WGPU_BACKEND", "dx12")],
    );
    let said = fallback.wait_for("drawn with OpenGL instead", START);
    assert!(
        said.contains("could not start Direct3D, Vulkan or Metal ("),
        "{said}"
    );
    let line = fallback.wait_for(PAINTED, START);
    assert!(
        line.ends_with("(OpenGL, as wgpu could not start)"),
        "{line}"
    );
    // And it works: the sample is loaded and checked as in the usual window.
    fallback.wait_for("3 in the window", START);
}

/// Where OpenGL cannot start (no OpenGL driver to load: here Mesa's are hidden) but Vulkan can (Mesa's
/// lavapipe), the window opens with wgpu by itself and says so.
#[test]
fn a_window_whose_opengl_cannot_start_opens_with_wgpu_and_says_so() {
    let x = Xvfb::start("1280x800x24");
    let home = tempfile::tempdir().unwrap();
    let mut fallback = Window::start(
        &x,
        home.path(),
        &["assets/sample"],
        &[
            ("LIBGL_DRIVERS_PATH", "/nonexistent"),
            ("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent"),
        ],
    );
    let said = fallback.wait_for("drawn with wgpu instead", START);
    assert!(said.contains("could not start OpenGL ("), "{said}");
    let line = fallback.wait_for(PAINTED, START);
    assert!(
        line.ends_with("(wgpu, as OpenGL could not start)"),
        "{line}"
    );
    fallback.wait_for("3 in the window", START);
}

/// With neither wgpu nor OpenGL (no Mesa driver to load), the window cannot open: the admin is told
/// both reasons, what to do, and that the command line needs no graphics; exit code 2.
#[test]
fn with_no_graphics_at_all_the_admin_is_told_what_to_do() {
    let x = Xvfb::start("1280x800x24");
    let home = tempfile::tempdir().unwrap();
    let window = Window::start(
        &x,
        home.path(),
        &["assets/sample"],
        &[
            ("WGPU_BACKEND", "dx12"),
            ("LIBGL_DRIVERS_PATH", "/nonexistent"),
            ("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent"),
        ],
    );
    let (status, said) = window.end(START);
    assert_eq!(status.code(), Some(2), "{said:#?}");
    let words = said
        .iter()
        .find(|l| l.starts_with("chainsmith: cannot open the window"))
        .unwrap_or_else(|| panic!("no words for the admin: {said:#?}"));
    for part in [
        "neither through Direct3D or Vulkan (",
        "nor through OpenGL (",
        "update the graphics driver",
        "3D acceleration",
        "chainsmith check FILES",
    ] {
        assert!(words.contains(part), "{part:?} missing from: {words}");
    }
    assert!(!said.iter().any(|l| l.contains(PAINTED)), "{said:#?}");
}

/// "Open with" on three selected files starts `chainsmith gui --join FILE` three times at once (the
/// registered command, .desktop and MSI alike): one of them becomes the window, the other two hand
/// their file over and end, and the one window holds all three files' certificates.
#[test]
fn files_opened_together_go_to_one_window() {
    let x = Xvfb::start("1280x800x24");
    let home = tempfile::tempdir().unwrap();
    let files = [
        "assets/sample/sbc1.sample.chainsmith.example.pem",
        "assets/sample/issuing-ca.cer",
        "assets/sample/root-ca.pem",
    ];
    let mut started: Vec<Window> = files
        .iter()
        .map(|f| Window::start(&x, home.path(), &["--join", f], &[]))
        .collect();

    // Two end, having handed their file over; one stays: the window.
    let deadline = Instant::now() + START;
    let mut ended = Vec::new();
    while ended.len() < 2 {
        assert!(Instant::now() < deadline, "no hand-over within {START:?}");
        match started
            .iter_mut()
            .position(|w| matches!(w.child.try_wait(), Ok(Some(_))))
        {
            Some(i) => ended.push(started.remove(i).end(START)),
            // Waiting on processes: std has no wait-for-any, so a bounded poll.
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    for (status, said) in &ended {
        assert!(status.success(), "{said:#?}");
        assert!(
            said.iter()
                .any(|l| l == "chainsmith: 1 file(s) added to the Chainsmith window already open"),
            "{said:#?}"
        );
        assert!(!said.iter().any(|l| l.contains(PAINTED)), "{said:#?}");
    }
    let mut window = started.pop().unwrap();
    window.wait_for(PAINTED, START);
    window.wait_for("3 in the window", START);
    let handed = window
        .seen
        .iter()
        .filter(|l| l.contains("handed over by another Chainsmith"))
        .count();
    assert!(handed >= 1, "{:#?}", window.seen);
}
