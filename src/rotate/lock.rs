//! Locks that keep two runs from changing the same things at once: one per plan file and one per
//! target (the same certificate authority of the same organisation, or the same REST URL, named by
//! two plans). They are the operating system's file locks (`flock` on Unix, `LockFileEx` on
//! Windows, through `std::fs::File::try_lock`), so a process that dies, `kill -9` included, holds
//! nothing: there is never a stale lock to clear by hand. Beside each lock a `.holder` file says who
//! holds it, for the refusal's words.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::upload::UploadError;

/// A held lock; dropped, it is released.
#[derive(Debug)]
pub struct Lock {
    _file: fs::File,
    holder: PathBuf,
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.holder);
    }
}

/// Where the lock files live: `<data dir>/locks/`.
pub fn locks_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("locks")
}

/// The lock file's name for `identity` (a plan's canonical path, a target's identity): a hash, so
/// that any text makes a safe file name.
fn file_name(kind: &str, identity: &str) -> String {
    let hash = crate::engine::cert::Fingerprint::of(identity.as_bytes()).hex();
    format!("{kind}-{}", &hash[..24])
}

/// Takes the lock for `identity` (`kind`: "plan" or "target"), or says who holds it. `what` names
/// the locked thing for the admin; `holder` describes this run (written beside the lock).
pub fn acquire(
    data_dir: &Path,
    kind: &str,
    identity: &str,
    what: &str,
    holder: &str,
) -> Result<Lock, UploadError> {
    let dir = locks_dir(data_dir);
    fs::create_dir_all(&dir)
        .map_err(|e| UploadError::Write(format!("{}: {e}", crate::engine::text::path(&dir))))?;
    let name = file_name(kind, identity);
    let path = dir.join(format!("{name}.lock"));
    let holder_path = dir.join(format!("{name}.holder"));
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| UploadError::Write(format!("{}: {e}", crate::engine::text::path(&path))))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let who = holder_words(&holder_path);
            return Err(UploadError::Busy(format!(
                "{what} is being changed by another run ({who}); wait for it to finish, then run again"
            )));
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(UploadError::Write(format!(
                "cannot lock {}: {e}",
                crate::engine::text::path(&path)
            )));
        }
    }
    // Written whole, then renamed into place: a run refused meanwhile reads the previous
    // description or this one, never a file just created and still empty.
    let written = tempfile::NamedTempFile::new_in(&dir).and_then(|mut text| {
        writeln!(text, "{holder}")?;
        text.persist(&holder_path).map_err(|e| e.error)?;
        Ok(())
    });
    written.map_err(|e| {
        UploadError::Write(format!(
            "{}: {}",
            crate::engine::text::path(&holder_path),
            crate::files::io_words(&e)
        ))
    })?;
    Ok(Lock {
        _file: file,
        holder: holder_path,
    })
}

/// Who holds a lock, from the description its holder wrote beside it; when there is none to read
/// (gone, unreadable, empty), "another Chainsmith process".
fn holder_words(holder_path: &Path) -> String {
    crate::files::read_small_text(holder_path)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(|t| crate::engine::text::escaped(&t))
        .unwrap_or_else(|| "another Chainsmith process".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_description_not_there_or_empty_names_another_process() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.holder");
        assert_eq!(holder_words(&path), "another Chainsmith process");
        std::fs::write(&path, "").unwrap();
        assert_eq!(holder_words(&path), "another Chainsmith process");
        std::fs::write(&path, "rotation of plan.toml (process 42)\n").unwrap();
        assert_eq!(holder_words(&path), "rotation of plan.toml (process 42)");
    }

    /// A lock lives in `<data dir>/locks/` with its holder's description beside it; a second
    /// taker is refused naming the holder; released, the description goes and the lock can be
    /// taken again.
    #[test]
    fn a_lock_names_its_holder_while_held_and_leaves_no_description_behind() {
        let data = tempfile::tempdir().unwrap();
        let names = |ext: &str| -> Vec<String> {
            fs::read_dir(data.path().join("locks"))
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(ext))
                .collect()
        };
        let lock = acquire(data.path(), "plan", "/plans/a.toml", "plan a", "run 1").unwrap();
        assert_eq!(names(".lock").len(), 1);
        assert_eq!(names(".holder").len(), 1);
        let busy = acquire(data.path(), "plan", "/plans/a.toml", "plan a", "run 2").unwrap_err();
        assert!(busy.to_string().contains("another run (run 1)"), "{busy}");
        drop(lock);
        assert!(names(".holder").is_empty(), "the description is removed");
        let again = acquire(data.path(), "plan", "/plans/a.toml", "plan a", "run 3");
        assert!(again.is_ok());
    }
}
