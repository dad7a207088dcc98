//! Reading certificate files and folders from disk: the I/O edge in front of the engine's loader,
//! shared by the CLI and the window (whose worker threads call it).

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::engine::load::{self, Loaded, MAX_INPUT_BYTES};

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
    let shown = || crate::engine::text::escaped(&path.display().to_string());
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
        path: crate::engine::text::escaped(&path.display().to_string()),
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

/// Why Chainsmith will not write a file. It never destroys what is there: an input, a folder, a
/// read-only file, a device or pipe (written to, never replaced), a link to anything but a file.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "{path} is one of the inputs: writing the output there would destroy it; choose another file"
    )]
    IsInput { path: String },
    #[error("{path} is a folder: give a file name")]
    Directory { path: String },
    #[error(
        "{path} is among Chainsmith's records (backups, the audit log, rotation run files): a rollback depends on them; choose another file"
    )]
    IsRecord { path: String },
    #[error(
        "{path} is read-only: Chainsmith does not replace read-only files; choose another file, or make it writable first"
    )]
    ReadOnly { path: String },
    #[error(
        "{path} is a link to something that is not a regular file (or to nothing): Chainsmith writes through a link only to a regular file"
    )]
    LinkTarget { path: String },
    #[error("{path} is a {kind}: Chainsmith does not write there")]
    Special { path: String, kind: &'static str },
    #[error("{path} is a pipe that nobody reads: start the reader first")]
    NoReader { path: String },
    #[error("cannot write {path}: {}", held_words(.error, .held_by.as_deref()))]
    Io {
        path: String,
        error: std::io::Error,
        /// The programs that have the file open, when Windows refused because of them.
        held_by: Option<String>,
    },
}

/// An I/O error in the admin's words. Windows' own text for a file another program holds open ("The
/// process cannot access the file because it is being used by another process") says neither which
/// file nor what to do; the caller names the file, this says what to do.
pub fn io_words(error: &std::io::Error) -> String {
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

/// A write error on `path`, with the programs holding it open when that is why (Windows).
fn write_io(path: &Path, shown: String, error: std::io::Error) -> WriteError {
    let held_by = is_held_open(&error)
        .then(|| crate::holders::named(&crate::holders::holders(path)))
        .flatten();
    WriteError::Io {
        path: shown,
        error,
        held_by,
    }
}

/// Whether Windows refused because another program has the file open (or may have: "access denied"
/// is also what replacing a file held open without delete sharing gives).
fn is_held_open(error: &std::io::Error) -> bool {
    // ERROR_ACCESS_DENIED (5), ERROR_SHARING_VIOLATION (32), ERROR_LOCK_VIOLATION (33),
    // ERROR_USER_MAPPED_FILE (1224); on Unix these numbers mean other things.
    cfg!(windows) && matches!(error.raw_os_error(), Some(5 | 32 | 33 | 1224))
}

/// [`io_words`], naming the programs that hold the file when they are known.
fn held_words(error: &std::io::Error, held_by: Option<&str>) -> String {
    match held_by {
        Some(programs) => format!("it is open in {programs}: close it there and try again"),
        None => io_words(error),
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

/// How an output file will be written, once [`plan_output`] has accepted the path.
#[derive(Debug)]
pub struct OutputPlan {
    path: PathBuf,
    how: How,
}

#[derive(Debug)]
enum How {
    /// A new file, written atomically.
    Create,
    /// An existing regular file (the one a link points at, for a link), replaced atomically with its
    /// permissions kept.
    Replace(PathBuf, fs::Permissions),
    /// A character device or a FIFO, written to as it is.
    Stream,
    /// This process's standard output or error (`-`, `/dev/stdout`, `/dev/stderr`): written as it
    /// is, so that a shell's `>> run.log` appends rather than the log being replaced.
    Standard(Std),
}

#[derive(Debug, Clone, Copy)]
enum Std {
    Out,
    Err,
}

/// `-`, `/dev/stdout`, `/dev/stderr` and their `/dev/fd`, `/proc/self/fd` spellings: this process's
/// own streams, whatever file or pipe they are; on Windows also `CON` (the console).
fn standard_stream(path: &Path) -> Option<Std> {
    match path.to_str()? {
        "-" | "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => Some(Std::Out),
        "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => Some(Std::Err),
        #[cfg(windows)]
        name if windows_device(name) == Some(WindowsDevice::Con) => Some(Std::Out),
        _ => None,
    }
}

/// A Windows device name given as an output: `NUL` (discard) or `CON` (the console).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowsDevice {
    Nul,
    Con,
}

/// Whether `name` is a Windows device that `-o` may name: `NUL`/`CON` in any case, with a colon or an
/// extension (`nul:`, `NUL.txt` — Windows ignores both), or as `\\.\NUL`. Such a name is a stream,
/// written as it is: there is no file to replace atomically.
pub fn windows_device(name: &str) -> Option<WindowsDevice> {
    // The last component: Windows takes `C:\temp\NUL` as the device too.
    let name = name.rsplit(['\\', '/']).next().unwrap_or(name);
    let stem = name.split(['.', ':']).next().unwrap_or(name).trim_end();
    match stem.to_ascii_uppercase().as_str() {
        "NUL" => Some(WindowsDevice::Nul),
        "CON" => Some(WindowsDevice::Con),
        _ => None,
    }
}

/// The folders and files the data directory keeps for rollbacks: never an output.
fn records() -> Vec<PathBuf> {
    let data = crate::places::data_dir();
    [
        data.join("backups"),
        data.join("rotations"),
        data.join("audit.jsonl"),
    ]
    .into_iter()
    .filter_map(|p| fs::canonicalize(p).ok())
    .collect()
}

/// Whether `path` (existing or to be created) is one of [`records`] or inside one of its folders.
fn is_record(path: &Path) -> bool {
    let resolved = fs::canonicalize(path).ok().or_else(|| {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        Some(fs::canonicalize(parent).ok()?.join(path.file_name()?))
    });
    let Some(resolved) = resolved else {
        return false;
    };
    records().iter().any(|r| resolved.starts_with(r))
}

/// Decides how `path` can be written without destroying what is there, or why it cannot
/// ([`WriteError`]). A new file, or an existing writable regular file, is written atomically (a
/// temporary file and a rename; an existing file keeps its permissions). A link to a regular file writes
/// that file and keeps the link. A character device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO) is
/// written to directly, never replaced. `inputs`: what the output must not overwrite. Checked before
/// any work, so a refusal costs nothing.
pub fn plan_output(path: &Path, inputs: &[FileId]) -> Result<OutputPlan, WriteError> {
    let shown = crate::engine::text::escaped(&path.display().to_string());
    let plan = |how| {
        Ok(OutputPlan {
            path: path.to_path_buf(),
            how,
        })
    };
    if let Some(stream) = standard_stream(path) {
        return plan(How::Standard(stream));
    }
    // Windows' NUL discards what is written: a stream, as /dev/null is.
    #[cfg(windows)]
    if path.to_str().and_then(windows_device) == Some(WindowsDevice::Nul) {
        return Ok(OutputPlan {
            path: PathBuf::from(r"\\.\NUL"),
            how: How::Stream,
        });
    }
    if is_record(path) {
        return Err(WriteError::IsRecord { path: shown });
    }
    let link = match fs::symlink_metadata(path) {
        Ok(meta) => meta.file_type().is_symlink(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return plan(How::Create),
        Err(source) => return Err(write_io(path, shown, source)),
    };
    // What the path is, links followed.
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(_) if link => return Err(WriteError::LinkTarget { path: shown }),
        Err(source) => return Err(write_io(path, shown, source)),
    };
    if meta.is_dir() {
        return Err(WriteError::Directory { path: shown });
    }
    if let Some(id) = FileId::of(path)
        && inputs.iter().any(|input| input.same(&id))
    {
        return Err(WriteError::IsInput { path: shown });
    }
    if meta.is_file() {
        if meta.permissions().readonly() {
            return Err(WriteError::ReadOnly { path: shown });
        }
        let target = if link {
            fs::canonicalize(path).map_err(|source| write_io(path, shown.clone(), source))?
        } else {
            path.to_path_buf()
        };
        return plan(How::Replace(target, meta.permissions()));
    }
    if let Some(kind) = refused_special(&meta) {
        return Err(WriteError::Special { path: shown, kind });
    }
    plan(How::Stream)
}

impl OutputPlan {
    /// Writes `bytes` as planned.
    pub fn write(self, bytes: &[u8]) -> Result<(), WriteError> {
        let shown = crate::engine::text::escaped(&self.path.display().to_string());
        let io = |source| write_io(&self.path, shown.clone(), source);
        match self.how {
            How::Create => write_atomically(&self.path, bytes, None).map_err(io),
            How::Replace(target, permissions) => {
                write_atomically(&target, bytes, Some(permissions)).map_err(io)
            }
            How::Standard(stream) => {
                use std::io::Write as _;
                let written = match stream {
                    Std::Out => {
                        let mut out = std::io::stdout().lock();
                        out.write_all(bytes).and_then(|()| out.flush())
                    }
                    Std::Err => {
                        let mut err = std::io::stderr().lock();
                        err.write_all(bytes).and_then(|()| err.flush())
                    }
                };
                written.map_err(io)
            }
            How::Stream => write_stream(&self.path, bytes).map_err(|e| match e {
                StreamError::NoReader => WriteError::NoReader {
                    path: shown.clone(),
                },
                StreamError::Io(e) => io(e),
            }),
        }
    }
}

/// [`plan_output`] then [`OutputPlan::write`].
/// A saved report's bytes (`name` is the file's name, which says the format). On Windows a text or
/// Markdown report starts with a UTF-8 byte-order mark and has CRLF line ends: Notepad before
/// Windows 10 1903 (Windows Server 2016 and 2019 among them) reads a file without the mark in the
/// ANSI code page (`é` comes out as `Ã©`) and shows LF-only text as one line. HTML says its charset
/// itself, and other systems expect plain UTF-8, so those are left as they are.
pub fn report_bytes(text: &str, name: &Path) -> Vec<u8> {
    report_bytes_for(text, name, cfg!(windows))
}

fn report_bytes_for(text: &str, name: &Path, windows: bool) -> Vec<u8> {
    let html = name
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if !windows || html {
        return text.as_bytes().to_vec();
    }
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(text.replace("\r\n", "\n").replace('\n', "\r\n").as_bytes());
    bytes
}

pub fn write_output(path: &Path, bytes: &[u8], inputs: &[FileId]) -> Result<(), WriteError> {
    plan_output(path, inputs)?.write(bytes)
}

enum StreamError {
    /// A FIFO opened for writing without a reader (Unix only: Windows' named pipes do not say so).
    #[cfg_attr(windows, allow(dead_code))]
    NoReader,
    Io(std::io::Error),
}

/// Block devices (disks) and sockets are never written to.
#[cfg(unix)]
fn refused_special(meta: &fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt as _;
    let kind = meta.file_type();
    if kind.is_block_device() {
        Some("block device (a disk)")
    } else if kind.is_socket() {
        Some("socket")
    } else {
        None
    }
}

#[cfg(windows)]
fn refused_special(_meta: &fs::Metadata) -> Option<&'static str> {
    None
}

/// A character device or a FIFO is opened for writing as it is (no create, no truncate, no rename); a
/// FIFO without a reader is not waited for.
#[cfg(unix)]
fn write_stream(path: &Path, bytes: &[u8]) -> Result<(), StreamError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
        .map_err(|e| {
            // ENXIO: a FIFO opened for writing without a reader.
            if e.raw_os_error() == Some(rustix::io::Errno::NXIO.raw_os_error()) {
                StreamError::NoReader
            } else {
                StreamError::Io(e)
            }
        })?;
    let flags = rustix::fs::fcntl_getfl(&file).map_err(|e| StreamError::Io(e.into()))?;
    rustix::fs::fcntl_setfl(&file, flags - rustix::fs::OFlags::NONBLOCK)
        .map_err(|e| StreamError::Io(e.into()))?;
    file.write_all(bytes).map_err(StreamError::Io)?;
    file.flush().map_err(StreamError::Io)
}

/// Windows: a path that is neither a file nor a folder (a named pipe, `NUL`) is written to as it is.
#[cfg(windows)]
fn write_stream(path: &Path, bytes: &[u8]) -> Result<(), StreamError> {
    use std::io::Write as _;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(StreamError::Io)?;
    file.write_all(bytes).map_err(StreamError::Io)
}

/// A new output file is 0644: certificates and reports are public.
#[cfg(unix)]
fn new_file_permissions(file: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

/// Windows: a new file takes its folder's inherited access rules, as any file the admin saves there.
#[cfg(windows)]
fn new_file_permissions(_file: &fs::File) -> std::io::Result<()> {
    Ok(())
}

/// Writes through a temporary file in the same folder and a rename: never a half-written file.
/// A new file is mode 0644 (certificates and reports are public; the temporary file starts as 0600);
/// a replaced file keeps `keep` (its permissions). Use [`write_output`] for any path a user names.
pub fn write_atomically(
    path: &Path,
    bytes: &[u8],
    keep: Option<fs::Permissions>,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(&dir)?;
    temp.write_all(bytes)?;
    match keep {
        Some(permissions) => temp.as_file().set_permissions(permissions)?,
        None => new_file_permissions(temp.as_file())?,
    }
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    sync_folder(&dir);
    Ok(())
}

/// Makes a rename in `dir` durable (the journal's "write, sync, rename" needs the folder synced too).
#[cfg(unix)]
fn sync_folder(dir: &Path) {
    if let Ok(folder) = fs::File::open(dir) {
        let _ = folder.sync_all();
    }
}

/// Windows: NTFS journals the rename itself; a folder cannot be opened as a file to sync it.
#[cfg(windows)]
fn sync_folder(_dir: &Path) {}

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
