//! Writing what the admin asked for: never over an input, a record or a read-only file, through links only to regular files, to streams (`-`, `/dev/stdout`, Windows' `NUL` and `CON`) as streams, and otherwise atomically (a temporary file renamed over the old one, the folder synced).

use super::*;

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

/// A write error on `path`, with the programs holding it open when that is why (Windows).
pub(super) fn write_io(path: &Path, shown: String, error: std::io::Error) -> WriteError {
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
pub(super) fn is_held_open(error: &std::io::Error) -> bool {
    // ERROR_ACCESS_DENIED (5), ERROR_SHARING_VIOLATION (32), ERROR_LOCK_VIOLATION (33),
    // ERROR_USER_MAPPED_FILE (1224); on Unix these numbers mean other things.
    cfg!(windows) && matches!(error.raw_os_error(), Some(5 | 32 | 33 | 1224))
}

/// [`io_words`], naming the programs that hold the file when they are known.
pub(super) fn held_words(error: &std::io::Error, held_by: Option<&str>) -> String {
    match held_by {
        Some(programs) => format!("it is open in {programs}: close it there and try again"),
        None => io_words(error),
    }
}

/// How an output file will be written, once [`plan_output`] has accepted the path.
#[derive(Debug)]
pub struct OutputPlan {
    pub(super) path: PathBuf,
    pub(super) how: How,
}

#[derive(Debug)]
pub(super) enum How {
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
pub(super) enum Std {
    Out,
    Err,
}

/// `-`, `/dev/stdout`, `/dev/stderr` and their `/dev/fd`, `/proc/self/fd` spellings: this process's
/// own streams, whatever file or pipe they are; on Windows also `CON` (the console).
pub(super) fn standard_stream(path: &Path) -> Option<Std> {
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
pub(super) fn records() -> Vec<PathBuf> {
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
pub(super) fn is_record(path: &Path) -> bool {
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
    let shown = crate::engine::text::path(path);
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
        let shown = crate::engine::text::path(&self.path);
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

pub(super) fn report_bytes_for(text: &str, name: &Path, windows: bool) -> Vec<u8> {
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

pub(super) enum StreamError {
    /// A FIFO opened for writing without a reader (Unix only: Windows' named pipes do not say so).
    #[cfg_attr(windows, allow(dead_code))]
    NoReader,
    Io(std::io::Error),
}

/// Block devices (disks) and sockets are never written to.
#[cfg(unix)]
pub(super) fn refused_special(meta: &fs::Metadata) -> Option<&'static str> {
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
pub(super) fn refused_special(_meta: &fs::Metadata) -> Option<&'static str> {
    None
}

/// A character device or a FIFO is opened for writing as it is (no create, no truncate, no rename); a
/// FIFO without a reader is not waited for.
#[cfg(unix)]
pub(super) fn write_stream(path: &Path, bytes: &[u8]) -> Result<(), StreamError> {
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
pub(super) fn write_stream(path: &Path, bytes: &[u8]) -> Result<(), StreamError> {
    use std::io::Write as _;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(StreamError::Io)?;
    file.write_all(bytes).map_err(StreamError::Io)
}

/// A new output file is 0644: certificates and reports are public.
#[cfg(unix)]
pub(super) fn new_file_permissions(file: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

/// Windows: a new file takes its folder's inherited access rules, as any file the admin saves there.
#[cfg(windows)]
pub(super) fn new_file_permissions(_file: &fs::File) -> std::io::Result<()> {
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
pub(super) fn sync_folder(dir: &Path) {
    if let Ok(folder) = fs::File::open(dir) {
        let _ = folder.sync_all();
    }
}

/// Windows: NTFS journals the rename itself; a folder cannot be opened as a file to sync it.
#[cfg(windows)]
pub(super) fn sync_folder(_dir: &Path) {}
