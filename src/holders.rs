//! Which programs hold a file open, to name them when Windows refuses a write because of them.
//!
//! Windows: the Restart Manager (`rstrtmgr.dll`), which Explorer's "the action can't be completed
//! because the file is open in …" uses: a session, the file registered as its one resource, and the
//! list of processes using it with their display names. Elsewhere there is nothing to ask (an open file
//! never stops a rename on Unix), and the list is empty.

use std::path::Path;

/// Display names of the programs that have `path` open ("Microsoft Excel", "Notepad"), with their
/// process ids; empty when none is known or the Restart Manager cannot tell.
#[cfg(windows)]
pub fn holders(path: &Path) -> Vec<(String, u32)> {
    use std::os::windows::ffi::OsStrExt as _;
    use windows_sys::Win32::System::RestartManager::{
        CCH_RM_SESSION_KEY, RM_PROCESS_INFO, RmEndSession, RmGetList, RmRegisterResources,
        RmStartSession,
    };
    const ERROR_SUCCESS: u32 = 0;
    const ERROR_MORE_DATA: u32 = 234;

    let wide: Vec<u16> = path.as_os_str().encode_wide().chain([0]).collect();
    let mut session = 0u32;
    let mut key = [0u16; CCH_RM_SESSION_KEY as usize + 1];
    // SAFETY: `session` is a valid out-pointer; `key` has the CCH_RM_SESSION_KEY + 1 characters the
    // function documents for the key it writes.
    if unsafe { RmStartSession(&mut session, 0, key.as_mut_ptr()) } != ERROR_SUCCESS {
        return Vec::new();
    }
    let names = [wide.as_ptr()];
    let mut found = Vec::new();
    // SAFETY: one file name, NUL-terminated, alive for the call; no applications or services.
    let registered = unsafe {
        RmRegisterResources(
            session,
            1,
            names.as_ptr(),
            0,
            std::ptr::null(),
            0,
            std::ptr::null(),
        )
    };
    if registered == ERROR_SUCCESS {
        // Room for a few programs; asked again with the size it needs if more hold the file.
        let mut room = 8u32;
        for _ in 0..3 {
            let mut list = vec![RM_PROCESS_INFO::default(); room as usize];
            let (mut needed, mut count, mut reasons) = (0u32, room, 0u32);
            // SAFETY: `list` has `count` elements for the function to fill; the other pointers are
            // valid out-parameters.
            let result = unsafe {
                RmGetList(
                    session,
                    &mut needed,
                    &mut count,
                    list.as_mut_ptr(),
                    &mut reasons,
                )
            };
            if result == ERROR_MORE_DATA && needed > room {
                room = needed;
                continue;
            }
            if result == ERROR_SUCCESS {
                for info in list.iter().take(count.min(room) as usize) {
                    let name = &info.strAppName;
                    let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
                    let name = String::from_utf16_lossy(&name[..end]);
                    found.push((name, info.Process.dwProcessId));
                }
            }
            break;
        }
    }
    // SAFETY: ends the session started above.
    unsafe {
        RmEndSession(session);
    }
    found
}

/// Nothing on Unix holds a file against a rename.
#[cfg(not(windows))]
pub fn holders(_path: &Path) -> Vec<(String, u32)> {
    Vec::new()
}

/// "Notepad (process 4120) and Microsoft Excel (process 5532)", or None.
pub fn named(holders: &[(String, u32)]) -> Option<String> {
    let shown: Vec<String> = holders
        .iter()
        .map(|(name, pid)| {
            let name = crate::engine::text::escape(name);
            if name.trim().is_empty() {
                format!("process {pid}")
            } else {
                format!("{name} (process {pid})")
            }
        })
        .collect();
    match shown.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        [rest @ .., last] => Some(format!("{} and {last}", rest.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn programs_are_named_with_their_process_ids() {
        assert_eq!(super::named(&[]), None);
        assert_eq!(
            super::named(&[("Notepad".into(), 4120)]).as_deref(),
            Some("Notepad (process 4120)")
        );
        assert_eq!(
            super::named(&[
                ("Notepad".into(), 1),
                (String::new(), 2),
                ("Microsoft Excel".into(), 3)
            ])
            .as_deref(),
            Some("Notepad (process 1), process 2 and Microsoft Excel (process 3)")
        );
    }
}
