//! Hooks that let tests stop a build at its racy points, compiled into
//! debug builds only (the binary `cargo test` runs); a release build has
//! none and reads no such variable.
//!
//! - `CUTOVER_TEST_PAUSE=<point>:<ms>` sleeps at `point`, so that a test can
//!   start builds that all reach it together, or kill one there;
//! - `CUTOVER_TEST_FAIL=<point>` fails there as a file system error would.

use std::io;

/// Sleeps at `point` when `CUTOVER_TEST_PAUSE` names it.
#[cfg(debug_assertions)]
pub(super) fn pause(point: &str) {
    let asked = std::env::var("CUTOVER_TEST_PAUSE").ok();
    let ms = asked.as_deref().and_then(|v| v.split_once(':')).filter(|(p, _)| *p == point);
    if let Some(ms) = ms.and_then(|(_, ms)| ms.parse().ok()) {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// Fails at `point` when `CUTOVER_TEST_FAIL` names it.
#[cfg(debug_assertions)]
pub(super) fn fail(point: &str) -> io::Result<()> {
    match std::env::var("CUTOVER_TEST_FAIL") {
        Ok(p) if p == point => Err(io::Error::other(format!("failed on purpose at `{point}` (CUTOVER_TEST_FAIL)"))),
        _ => Ok(()),
    }
}

#[cfg(not(debug_assertions))]
pub(super) fn pause(_: &str) {}

#[cfg(not(debug_assertions))]
pub(super) fn fail(_: &str) -> io::Result<()> {
    Ok(())
}
