//! Reading certificate files and folders from disk: the I/O edge in front of the engine's loader,
//! shared by the CLI and the window (whose worker threads call it).

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::engine::load::{self, Loaded, MAX_INPUT_BYTES};

/// A named path that cannot be opened at all.
#[derive(Debug, thiserror::Error)]
#[error("cannot open {path}: {source}")]
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
    read_file(path, meta.len(), meta.is_file()).map_err(open_error)
}

/// Reads at most [`MAX_INPUT_BYTES`] + 1 bytes, so a huge (or endless) file never fills memory.
fn read_file(path: &Path, size_hint: u64, regular: bool) -> std::io::Result<Loaded> {
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
    Ok(load::load(&source, &bytes))
}

/// Opens a file. A named FIFO, socket or device is opened without waiting for a writer (a FIFO nobody
/// writes to would otherwise block forever), then read normally: a pipe with a writer, such as the
/// shell's `<(curl …)`, is read to its end; one with no writer reads as empty.
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

/// Every regular file under `root`, sorted by path. Symlinks are followed only to files inside the
/// folder (never out of it, never into a loop); FIFOs, sockets and devices are skipped.
fn read_folder(root: &Path, on_file: &mut dyn FnMut(usize) -> bool) -> Loaded {
    let mut loaded = Loaded::default();
    let canonical_root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
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
            match fs::canonicalize(path) {
                Ok(target) if target.starts_with(&canonical_root) => fs::metadata(&target).ok(),
                _ => None, // dangling, or pointing out of the folder: not followed
            }
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
        match read_file(path, meta.len(), true) {
            Ok(l) => loaded.extend(l),
            Err(e) => loaded.extend(load::unreadable(
                &path.display().to_string(),
                &e.to_string(),
            )),
        }
    }
    loaded
}

/// Writes through a temporary file in the same folder and a rename: never a half-written file.
/// The result is mode 0644 (certificates and reports are public; the temporary file starts as 0600).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(&dir)?;
    temp.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        temp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))?;
    }
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
