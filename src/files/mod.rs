//! Reading certificate files and folders from disk: the I/O edge in front of the engine's loader,
//! shared by the CLI and the window (whose worker threads call it).
//!
//! This file owns reading (files, folders, small files a run depends on) and the words for I/O
//! errors; [`write`] owns writing.

mod write;

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::engine::load::{self, Loaded, MAX_INPUT_BYTES};
#[cfg(test)]
use write::report_bytes_for;
pub use write::{
    OutputPlan, WindowsDevice, WriteError, plan_output, report_bytes, windows_device,
    write_atomically, write_output,
};

/// A named path that cannot be opened at all.
#[derive(Debug, thiserror::Error)]
#[error("cannot open {}: {}", crate::engine::text::escape(.path), io_words(.source))]
pub struct OpenError {
    pub path: String,
    pub source: std::io::Error,
}

/// Reads a named file or folder. `on_file` is called before each file (with the count read so far);
/// returning `false` stops a folder walk (cancel), keeping what was read.
pub fn read_path(path: &Path, on_file: &mut dyn FnMut(usize) -> bool) -> Result<Loaded, OpenError> {
    let open_error = |source| OpenError {
        path: path.display().to_string(),
        source,
    };
    let meta = fs::metadata(path).map_err(open_error)?;
    if meta.is_dir() {
        return Ok(read_folder(path, on_file));
    }
    on_file(0);
    read_file(path, meta.len(), meta.is_file(), Named::ByUser).map_err(open_error)
}

/// How a file came to be read: named by the user, or found in a folder (where files holding no
/// certificate are left out with `input.ignored` rather than being an error).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Named {
    ByUser,
    InFolder,
}

/// Reads at most [`MAX_INPUT_BYTES`] + 1 bytes, so a huge (or endless) file never fills memory.
fn read_file(path: &Path, size_hint: u64, regular: bool, named: Named) -> std::io::Result<Loaded> {
    let source = path.display().to_string();
    if regular && size_hint > MAX_INPUT_BYTES as u64 {
        return Ok(load::too_large(&source, size_hint));
    }
    let file = open_for_reading(path, regular)?;
    let mut bytes = Vec::with_capacity(size_hint.min(MAX_INPUT_BYTES as u64) as usize);
    file.take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() > MAX_INPUT_BYTES {
        return Ok(load::too_large(&source, bytes.len() as u64));
    }
    Ok(match named {
        Named::ByUser => load::load(&source, &bytes),
        Named::InFolder => load::load_found(&source, &bytes),
    })
}

/// Opens a file. A named FIFO, socket or device is opened without waiting for a writer (a FIFO nobody
/// writes to would otherwise block forever), then read normally: a pipe with a writer, such as the
/// shell's `<(curl …)`, is read to its end; one with no writer reads as empty.
#[cfg(unix)]
fn open_for_reading(path: &Path, regular: bool) -> std::io::Result<fs::File> {
    if regular {
        return fs::File::open(path);
    }
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)?;
    let flags = rustix::fs::fcntl_getfl(&file)?;
    rustix::fs::fcntl_setfl(&file, flags - rustix::fs::OFlags::NONBLOCK)?;
    Ok(file)
}

/// Windows: a named pipe (`\\.\pipe\…`) or a device opens without waiting for a writer; it is
/// opened as it is.
#[cfg(windows)]
fn open_for_reading(path: &Path, _regular: bool) -> std::io::Result<fs::File> {
    fs::File::open(path)
}

/// The most Chainsmith reads of a plan, run file, backup, target definition or CA file: far above any
/// real one, far below what would fill memory.
pub const MAX_SMALL_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Why a plan, run file, backup, definition or CA file was not read.
#[derive(Debug, thiserror::Error)]
pub enum SmallFileError {
    #[error("{path}: {}", io_words(.error))]
    Io { path: String, error: std::io::Error },
    #[error("{path} is not a regular file ({kind}); Chainsmith reads it only from a file")]
    NotAFile { path: String, kind: &'static str },
    #[error("{path} is larger than {limit} bytes; that is not a file Chainsmith wrote or expects")]
    TooLarge { path: String, limit: String },
}

/// Reads a small file Chainsmith depends on (a plan, a run file, a backup, a REST definition, a CA
/// file) whole: only a regular file (a FIFO, socket or device is refused without blocking: it is
/// opened non-blocking and checked after opening, so nothing can be swapped in between), at most
/// [`MAX_SMALL_FILE_BYTES`].
pub fn read_small(path: &Path) -> Result<Vec<u8>, SmallFileError> {
    let shown = || crate::engine::text::path(path);
    let io = |source| SmallFileError::Io {
        path: shown(),
        error: source,
    };
    let file = open_without_waiting(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(SmallFileError::NotAFile {
            path: shown(),
            kind: if meta.is_dir() {
                "a folder"
            } else {
                "a pipe, socket or device"
            },
        });
    }
    let too_large = || SmallFileError::TooLarge {
        path: shown(),
        limit: crate::upload::http::grouped(MAX_SMALL_FILE_BYTES),
    };
    if meta.len() > MAX_SMALL_FILE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_SMALL_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_SMALL_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// A path as typed or pasted into a field: surrounding spaces and one pair of surrounding double
/// quotes removed (Windows Explorer's "Copy as path" quotes every path).
pub fn unquoted(path: &str) -> &str {
    let trimmed = path.trim();
    trimmed
        .strip_prefix('"')
        .and_then(|p| p.strip_suffix('"'))
        .map(str::trim)
        .unwrap_or(trimmed)
}

/// [`read_small`] as UTF-8 text.
pub fn read_small_text(path: &Path) -> Result<String, SmallFileError> {
    String::from_utf8(read_small(path)?).map_err(|_| SmallFileError::Io {
        path: crate::engine::text::path(path),
        error: std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"),
    })
}

/// Opens for reading without waiting for a FIFO's writer; reads then block as usual.
#[cfg(unix)]
fn open_without_waiting(path: &Path) -> std::io::Result<fs::File> {
    open_for_reading(path, false)
}

/// Windows: a named pipe or device opens without waiting; [`read_small`] refuses it after opening.
#[cfg(windows)]
fn open_without_waiting(path: &Path) -> std::io::Result<fs::File> {
    fs::File::open(path)
}

/// Every regular file under `root`, sorted by path. Symlinks are followed to regular files wherever
/// they are; a link to anything else (a folder, a device, nothing, a loop) is an `input.skipped-link`
/// warning. FIFOs, sockets and devices in the folder itself are skipped.
fn read_folder(root: &Path, on_file: &mut dyn FnMut(usize) -> bool) -> Loaded {
    let mut loaded = Loaded::default();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name();
    let mut files = 0usize;
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let source = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| root.display().to_string());
                loaded.extend(load::unreadable(&source, &e.to_string()));
                continue;
            }
        };
        let path = entry.path();
        let file_type = entry.file_type();
        let target_meta = if file_type.is_symlink() {
            // A link is followed to a regular file wherever it is (certbot's live/ → ../../archive/);
            // anything else is said, never skipped in silence.
            let why = match fs::metadata(path) {
                Ok(meta) if meta.is_file() => None,
                Ok(meta) if meta.is_dir() => {
                    Some("it points at a folder (folders are read only when named)")
                }
                Ok(_) => Some("it points at a device, pipe or socket, not a file"),
                Err(e) if is_link_loop(&e) => Some("it is part of a loop of links"),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Some("it points at nothing (a dangling link)")
                }
                Err(_) => Some("its target cannot be read"),
            };
            if let Some(why) = why {
                loaded.extend(load::skipped_link(&path.display().to_string(), why));
                continue;
            }
            fs::metadata(path).ok()
        } else if file_type.is_file() {
            entry.metadata().ok()
        } else {
            None
        };
        let Some(meta) = target_meta.filter(|m| m.is_file()) else {
            continue;
        };
        if !on_file(files) {
            break;
        }
        files += 1;
        match read_file(path, meta.len(), true, Named::InFolder) {
            Ok(l) => loaded.extend(l),
            Err(e) => loaded.extend(load::unreadable(&path.display().to_string(), &io_words(&e))),
        }
        if loaded.over_budget {
            break; // the total input budget is reached: read nothing more
        }
    }
    loaded
}

/// A file's identity, to tell whether an output would land on an input: its canonical path and, on
/// Unix, its device and inode (which also catch hard links).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileId {
    canonical: PathBuf,
    #[cfg(unix)]
    dev_ino: (u64, u64),
}

impl FileId {
    /// The identity of an existing file (following symlinks), if it can be read.
    pub fn of(path: &Path) -> Option<Self> {
        let meta = fs::metadata(path).ok()?;
        #[cfg(windows)]
        let _ = meta;
        Some(Self {
            canonical: fs::canonicalize(path).ok()?,
            #[cfg(unix)]
            dev_ino: {
                use std::os::unix::fs::MetadataExt as _;
                (meta.dev(), meta.ino())
            },
        })
    }

    fn same(&self, other: &FileId) -> bool {
        #[cfg(unix)]
        if self.dev_ino == other.dev_ino {
            return true;
        }
        self.canonical == other.canonical
    }
}

/// The identities of every file the named inputs stand for: the files themselves, and every regular
/// file in the named folders (as [`read_path`] reads them).
pub fn input_ids(paths: &[PathBuf]) -> Vec<FileId> {
    let mut ids = Vec::new();
    for path in paths {
        if fs::metadata(path).is_ok_and(|m| m.is_dir()) {
            for entry in walkdir::WalkDir::new(path)
                .follow_links(true)
                .into_iter()
                .flatten()
            {
                if entry.file_type().is_file() {
                    ids.extend(FileId::of(entry.path()));
                }
            }
        } else {
            ids.extend(FileId::of(path));
        }
    }
    ids
}

/// An I/O error in the admin's words. Windows' own text for a file another program holds open ("The
/// process cannot access the file because it is being used by another process") says neither which
/// file nor what to do; the caller names the file, this says what to do.
pub fn io_words(error: &std::io::Error) -> String {
    // tempfile wraps the system's error in one whose text appends the temporary file's path in
    // Rust's debug notation (`… at path "/dir/\u{1b}…/.tmpAbc"`, tempfile's `PathError`) and gives no
    // other way to the system's words: they are the text before that; the caller names the file,
    // escaped.
    if error.raw_os_error().is_none()
        && let Some(inner) = error.get_ref()
    {
        let text = inner.to_string();
        if let Some((words, _)) = text.split_once(" at path \"") {
            return words.to_string();
        }
    }
    // ERROR_SHARING_VIOLATION (32), ERROR_LOCK_VIOLATION (33), ERROR_USER_MAPPED_FILE (1224); on
    // Unix these numbers mean other things, so only on Windows.
    const HELD_OPEN: [i32; 3] = [32, 33, 1224];
    match error.raw_os_error() {
        Some(code) if cfg!(windows) && HELD_OPEN.contains(&code) => {
            "another program has the file open (an editor, Excel, a certificate viewer, a backup or \
             antivirus scan): close it there, or wait for the scan, and try again"
                .to_string()
        }
        // ERROR_ACCESS_DENIED: also what replacing a file another program holds open gives.
        Some(5) if cfg!(windows) => "access is denied: you may lack the permission to change it, \
             or another program has it open (an editor, Excel, a certificate viewer, a backup or \
             antivirus scan): close it there and try again"
            .to_string(),
        _ => error.to_string(),
    }
}

/// ELOOP: too many levels of symbolic links.
#[cfg(unix)]
fn is_link_loop(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
}

/// Windows reports a loop of links as an ordinary error: it is then "cannot be read".
#[cfg(windows)]
fn is_link_loop(_e: &std::io::Error) -> bool {
    false
}

#[cfg(test)]
mod unquoted_tests {
    use super::unquoted;

    #[test]
    fn a_pasted_quoted_path_loses_its_quotes_only() {
        assert_eq!(
            unquoted(r#""C:\Users\Zoë\certs\leaf.pem""#),
            r"C:\Users\Zoë\certs\leaf.pem"
        );
        assert_eq!(unquoted("  \"/srv/certs/a b.pem\"  "), "/srv/certs/a b.pem");
        assert_eq!(unquoted("/srv/certs/leaf.pem"), "/srv/certs/leaf.pem");
        assert_eq!(unquoted("\""), "\"");
        assert_eq!(unquoted("\"half"), "\"half");
    }
}

#[cfg(test)]
mod windows_device_tests {
    use super::{WindowsDevice, windows_device};

    #[test]
    fn nul_and_con_in_the_spellings_windows_accepts() {
        for name in ["NUL", "nul", "Nul:", "NUL.txt", r"\\.\NUL", r"C:\temp\NUL"] {
            assert_eq!(windows_device(name), Some(WindowsDevice::Nul), "{name}");
        }
        for name in ["CON", "con:", "CON.pem"] {
            assert_eq!(windows_device(name), Some(WindowsDevice::Con), "{name}");
        }
        for name in [
            "null",
            "nul2",
            "bundle.pem",
            r"C:\certs\nul\bundle.pem",
            "CONSOLE",
        ] {
            assert_eq!(windows_device(name), None, "{name}");
        }
    }
}

#[cfg(test)]
mod report_bytes_tests {
    use std::path::Path;

    #[test]
    fn windows_reports_open_in_an_old_notepad_and_html_and_other_systems_stay_utf8() {
        let text = "# Chainsmith report\nZoë → ok\r\n";
        let md = super::report_bytes_for(text, Path::new("report.md"), true);
        assert_eq!(md, "\u{feff}# Chainsmith report\r\nZoë → ok\r\n".as_bytes());
        let txt = super::report_bytes_for(text, Path::new("REPORT.TXT"), true);
        assert_eq!(txt, md);
        let html = super::report_bytes_for(text, Path::new("report.HTML"), true);
        assert_eq!(html, text.as_bytes());
        let linux = super::report_bytes_for(text, Path::new("report.md"), false);
        assert_eq!(linux, text.as_bytes());
    }
}
