//! One window for files opened together: Explorer's "Open with" on three selected files starts the
//! registered command three times, one file each (`chainsmith.exe gui --join "%1"`). The first
//! process to start becomes the window and takes the others' files; the others hand theirs over
//! and exit. A window opened any other way (the Start menu, `chainsmith gui`) takes them too.
//!
//! How (the standard library only; no crate offers this for both systems without a runtime):
//! - The window holds an exclusive lock on `window.lock` in the per-user data folder for as long as
//!   it runs; the operating system releases it when the process ends, even by `kill -9`, so there
//!   is never a stale owner to clean up.
//! - It listens on a loopback TCP port and writes the port and a random token to `window.handover`
//!   beside the lock (only this user can read the data folder's files: 0600 on Unix, the profile's
//!   ACL on Windows). A process that cannot take the lock connects, proves the token and sends its
//!   files as absolute paths, one per line; the window answers `ok` once it has them.
//! - A process that can neither take the lock nor reach the window within ten seconds opens its own
//!   window: files are never dropped for want of a hand-over.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// The first line of the rendezvous file and of a hand-over: what and which version.
const MAGIC: &str = "chainsmith-window 1";
/// How long a joining process keeps trying before it opens its own window.
const JOIN_FOR: Duration = Duration::from_secs(10);
/// Longest hand-over read (thousands of paths); more is not one of ours.
const MAX_MESSAGE: u64 = 1 << 20;

/// The window's side: files handed over by other processes, for [`super::App`] to load.
pub struct Server {
    files: Receiver<Vec<PathBuf>>,
    ctx: Arc<OnceLock<eframe::egui::Context>>,
    /// Held, and so locked, for as long as the window runs.
    _lock: std::fs::File,
}

impl Server {
    /// Lets the listener wake the window when files arrive.
    pub fn attach(&self, ctx: &eframe::egui::Context) {
        let _ = self.ctx.set(ctx.clone());
    }

    /// Files handed over since the last call.
    pub fn take(&self) -> Vec<PathBuf> {
        self.files.try_iter().flatten().collect()
    }
}

/// What a starting `gui` does.
pub enum Start {
    /// Its files went to the window already open ("3 files"); nothing more to do.
    Joined(usize),
    /// It opens the window, serving hand-overs when it could take the lock.
    Window(Option<Server>),
}

/// Where the lock and the rendezvous file live.
fn folder() -> PathBuf {
    crate::places::data_dir()
}

/// For `gui` (`join` false: always a window of its own) and `gui --join` (hand `paths` to the window
/// already open, if there is one).
pub fn start(paths: &[PathBuf], join: bool) -> Start {
    start_in(&folder(), paths, join)
}

fn start_in(dir: &Path, paths: &[PathBuf], join: bool) -> Start {
    let deadline = Instant::now() + JOIN_FOR;
    let message = if join { message(paths) } else { None };
    loop {
        match serve(dir) {
            Ok(Some(server)) => return Start::Window(Some(server)),
            Ok(None) => {}
            Err(e) => {
                crate::errln!(
                    "chainsmith: files opened later will open their own windows: {}",
                    crate::engine::text::escape(&e.to_string())
                );
                return Start::Window(None);
            }
        }
        let Some(message) = &message else {
            return Start::Window(None);
        };
        if hand_over(dir, message).is_ok() {
            return Start::Joined(paths.len());
        }
        if Instant::now() >= deadline {
            crate::errln!(
                "chainsmith: the open Chainsmith window did not take the files within {} s; \
                 opening another window",
                JOIN_FOR.as_secs()
            );
            return Start::Window(None);
        }
        // The window is starting (it holds the lock but has not written its port yet), or a
        // previous one is closing: a short wait, bounded by the deadline above.
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The hand-over's lines: absolute paths, one per line. None when a path cannot travel as a line
/// (not Unicode, or with a line break in its name): such a process opens its own window.
fn message(paths: &[PathBuf]) -> Option<String> {
    let mut lines = String::new();
    for path in paths {
        let path = std::path::absolute(path).ok()?;
        let text = path.to_str()?;
        if text.contains(['\n', '\r']) {
            return None;
        }
        lines.push_str(text);
        lines.push('\n');
    }
    Some(lines)
}

/// Takes the lock and starts listening; `None` when another window holds the lock.
fn serve(dir: &Path) -> std::io::Result<Option<Server>> {
    std::fs::create_dir_all(dir)?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("window.lock"))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
        Err(std::fs::TryLockError::Error(e)) => return Err(e),
    }
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    let mut secret = [0u8; 16];
    aws_lc_rs::rand::fill(&mut secret).map_err(|_| std::io::Error::other("no random numbers"))?;
    let token: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    // Written whole under a temporary name, then renamed: a joining process reads the old file or
    // the new one, never half of one. tempfile makes it 0600 on Unix.
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    writeln!(file, "{MAGIC} {} {token}", listener.local_addr()?.port())?;
    file.persist(dir.join("window.handover"))
        .map_err(|e| e.error)?;
    let (tx, files) = channel();
    let ctx = Arc::new(OnceLock::new());
    let waker = ctx.clone();
    std::thread::spawn(move || listen(listener, token, tx, waker));
    Ok(Some(Server {
        files,
        ctx,
        _lock: lock,
    }))
}

/// Accepts hand-overs until the window closes (the process ends with it).
fn listen(
    listener: TcpListener,
    token: String,
    tx: Sender<Vec<PathBuf>>,
    ctx: Arc<OnceLock<eframe::egui::Context>>,
) {
    for stream in listener.incoming().map_while(Result::ok) {
        if let Ok((paths, mut stream)) = receive(stream, &token) {
            // Queued for the window before the sender hears `ok`: once it has ended, its files are
            // the window's.
            if tx.send(paths).is_err() {
                return;
            }
            let _ = stream.write_all(b"ok\n");
            if let Some(ctx) = ctx.get() {
                ctx.request_repaint();
            }
        }
    }
}

/// One hand-over: the token, then paths until an empty line (the caller answers `ok`).
fn receive(stream: TcpStream, token: &str) -> std::io::Result<(Vec<PathBuf>, TcpStream)> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new((&stream).take(MAX_MESSAGE));
    let mut first = String::new();
    reader.read_line(&mut first)?;
    let proof = first.trim_end().strip_prefix(MAGIC).unwrap_or("").trim();
    // Compared in constant time: the token is all that keeps another account's processes out.
    if aws_lc_rs::constant_time::verify_slices_are_equal(proof.as_bytes(), token.as_bytes())
        .is_err()
    {
        return Err(std::io::Error::other("not our token"));
    }
    let mut paths = Vec::new();
    for line in reader.lines() {
        let line = line?;
        if line.is_empty() {
            return Ok((paths, stream));
        }
        paths.push(PathBuf::from(line));
    }
    Err(std::io::ErrorKind::UnexpectedEof.into())
}

/// Sends `message` to the window named in the rendezvous file; Ok once it answered `ok`.
fn hand_over(dir: &Path, message: &str) -> std::io::Result<()> {
    let rendezvous = std::fs::read_to_string(dir.join("window.handover"))?;
    let mut words = rendezvous
        .trim_end()
        .strip_prefix(MAGIC)
        .ok_or_else(|| std::io::Error::other("not a rendezvous file"))?
        .split_whitespace();
    let (Some(port), Some(token)) = (words.next(), words.next()) else {
        return Err(std::io::Error::other("not a rendezvous file"));
    };
    let port: u16 = port.parse().map_err(std::io::Error::other)?;
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(format!("{MAGIC} {token}\n{message}\n").as_bytes())?;
    let mut answer = String::new();
    BufReader::new(stream.take(16)).read_line(&mut answer)?;
    if answer.trim_end() == "ok" {
        Ok(())
    } else {
        Err(std::io::Error::other("the window did not take the files"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_serves_and_the_next_hands_over_its_files_as_absolute_paths() {
        let dir = tempfile::tempdir().unwrap();
        let Start::Window(Some(server)) = start_in(dir.path(), &[PathBuf::from("a.pem")], true)
        else {
            panic!("the first process opens the window and serves");
        };
        let b = dir.path().join("b.pem");
        match start_in(dir.path(), &[b.clone(), PathBuf::from("c.pem")], true) {
            Start::Joined(2) => {}
            _ => panic!("the second process hands over"),
        }
        let got = server.take();
        assert_eq!(got[0], b);
        assert_eq!(got[1], std::path::absolute("c.pem").unwrap());
        // Without --join, a window of its own, which does not serve (the first one does).
        assert!(matches!(
            start_in(dir.path(), &[b], false),
            Start::Window(None)
        ));
    }

    #[test]
    fn a_wrong_token_is_refused_and_a_closed_window_frees_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let Start::Window(Some(server)) = start_in(dir.path(), &[], false) else {
            panic!("serves");
        };
        let rendezvous = std::fs::read_to_string(dir.path().join("window.handover")).unwrap();
        let port = rendezvous.split_whitespace().nth(2).unwrap();
        let mut stream = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        stream
            .write_all(format!("{MAGIC} 00112233\n/etc/passwd\n\n").as_bytes())
            .unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert_eq!(answer, "", "no answer to a wrong token");
        assert!(server.take().is_empty(), "nothing handed over");
        drop(server);
        // The lock went with the window: the next process serves.
        assert!(matches!(
            start_in(dir.path(), &[], true),
            Start::Window(Some(_))
        ));
    }
}
