//! Crash points for the journal's tests: `CHAINSMITH_CRASH_AT=POINT[#N]` makes the process abort
//! (no destructor, no flush: as `kill -9`) the Nth time (default: the first) it reaches `POINT`.
//! Only in debug builds (what `cargo test` runs); a release build has no such hook.
//!
//! The points, in the order of one target's change: `before-backup`, `after-backup`,
//! `after-intent` (the journal says "sending", nothing sent yet), `after-write` (the change's answer
//! came, no read-back yet), `after-readback` (verified, the run file not yet told).

/// The environment variable naming the crash point.
pub const CRASH_VAR: &str = "CHAINSMITH_CRASH_AT";

/// Aborts here if `CHAINSMITH_CRASH_AT` names this point (and this is its Nth passage).
#[cfg(debug_assertions)]
pub fn point(name: &str) {
    use std::sync::Mutex;
    static SEEN: Mutex<Vec<(String, u32)>> = Mutex::new(Vec::new());
    let Some(wanted) = std::env::var_os(CRASH_VAR) else {
        return;
    };
    let wanted = wanted.to_string_lossy().into_owned();
    let (point, nth) = match wanted.split_once('#') {
        Some((p, n)) => (p.to_string(), n.parse().unwrap_or(1)),
        None => (wanted, 1),
    };
    if point != name {
        return;
    }
    let Ok(mut seen) = SEEN.lock() else { return };
    let count = match seen.iter_mut().find(|(p, _)| p == name) {
        Some((_, n)) => {
            *n += 1;
            *n
        }
        None => {
            seen.push((name.to_string(), 1));
            1
        }
    };
    if count == nth {
        crate::errln!("chainsmith: crash point {name} #{nth} (test hook): aborting");
        std::process::abort();
    }
}

/// Release builds: no crash points.
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn point(_name: &str) {}
