//! Dates and the clock: the as-of date from the system clock and from
//! `SOURCE_DATE_EPOCH` is a UTC date whatever the time zone; values of
//! `SOURCE_DATE_EPOCH` that are not a time in the years 1970 to 9999 are
//! refused; and `gate` on a portfolio whose workload folders cannot be listed
//! says why instead of calling the names unknown.

use crate::common;

use common::{AS_OF, Portfolio, Run, cutover_env};
use std::ffi::OsStr;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Time zones as far from UTC as there are, by name (tzdata) and as POSIX
/// rules that need no tzdata: UTC+14 and UTC-12.
const FAR_ZONES: [&str; 4] = ["Pacific/Kiritimati", "Etc/GMT+12", "<+14>-14", "<-12>12"];

/// `cutover check ROOT` with no --as-of (the base fixture has no `as_of`).
fn check_at(p: &Portfolio, env: &[(&str, &str)]) -> Run {
    cutover_env([OsStr::new("check"), p.root().as_os_str()], env)
}

/// The date of the summary line, `checked N workloads as of DATE: ...`.
fn as_of(run: &Run) -> String {
    let line = run.stderr.lines().find(|l| l.starts_with("checked ")).unwrap_or_else(|| panic!("{}", run.stderr));
    line.split(" as of ").nth(1).unwrap()[..10].to_string()
}

/// Today's date in UTC, computed here without the code under test.
fn utc_today() -> String {
    let days = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() / 86_400;
    // Civil from days (Howard Hinnant), for 1970 onwards.
    let z = days as i64 + 719_468;
    let (era, doe) = (z / 146_097, z % 146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[test]
fn the_clock_gives_the_utc_date_whatever_the_time_zone() {
    let p = Portfolio::base("clock-tz");
    for tz in FAR_ZONES {
        // Around midnight UTC the date may turn between the two readings.
        let before = utc_today();
        let run = check_at(&p, &[("TZ", tz)]);
        let after = utc_today();
        let got = as_of(&run);
        assert!(got == before || got == after, "TZ={tz}: as of {got}, UTC date {before}");
    }
}

#[test]
fn source_date_epoch_is_a_utc_moment_whatever_the_time_zone() {
    // 2026-11-26 11:00 UTC: already the 27th at UTC+14, still the 25th at UTC-12.
    let p = Portfolio::base("epoch-tz");
    for tz in FAR_ZONES.iter().chain(&["UTC"]) {
        let run = check_at(&p, &[("TZ", tz), ("SOURCE_DATE_EPOCH", "1795690800")]);
        assert_eq!(as_of(&run), "2026-11-26", "TZ={tz}");
    }
}

#[test]
fn source_date_epoch_covers_the_years_1970_to_9999() {
    let p = Portfolio::base("epoch-range");
    for (epoch, date) in [("0", "1970-01-01"), ("253402300799", "9999-12-31"), (" 1795651200\n", "2026-11-26")] {
        let run = check_at(&p, &[("SOURCE_DATE_EPOCH", epoch)]);
        assert_eq!(as_of(&run), date, "SOURCE_DATE_EPOCH={epoch:?}: {}", run.stderr);
    }
}

#[test]
fn source_date_epoch_outside_the_years_1970_to_9999_is_refused() {
    let p = Portfolio::base("epoch-refused");
    let after_9999 = ["253402300800", "99999999999999", "100000000000000000000"];
    let not_seconds = ["-1", "-62135596800", "soon", "1.5e9", "+1795651200", "", "0x10"];
    for epoch in after_9999.iter().chain(&not_seconds) {
        let run = check_at(&p, &[("SOURCE_DATE_EPOCH", epoch)]);
        assert_eq!(run.code, 2, "SOURCE_DATE_EPOCH={epoch:?}: {}", run.stderr);
        assert!(!run.stderr.contains(" as of "), "SOURCE_DATE_EPOCH={epoch:?} gave a date: {}", run.stderr);
        assert!(run.stderr.starts_with("error: SOURCE_DATE_EPOCH "), "{}", run.stderr);
        let why = if after_9999.contains(epoch) { "after 9999-12-31" } else { "non-negative number of seconds" };
        assert!(run.stderr.contains(why), "SOURCE_DATE_EPOCH={epoch:?}: {}", run.stderr);
        assert!(run.stderr.contains("--as-of"), "says how to fix it: {}", run.stderr);
    }
    // --as-of and site.yaml's as_of win: the variable is not even read.
    let run = cutover_env(
        [OsStr::new("check"), p.root().as_os_str(), OsStr::new("--as-of"), OsStr::new(AS_OF)],
        &[("SOURCE_DATE_EPOCH", "-1")],
    );
    assert_eq!(as_of(&run), AS_OF);
}

// ---- gate on a portfolio whose workloads cannot be listed ----------------

/// Sets a folder's permission bits, and puts them back when dropped (before
/// the portfolio is removed), even if the test fails.
struct Mode<'a>(&'a Path, u32);

impl<'a> Mode<'a> {
    fn set(path: &'a Path, mode: u32) -> Mode<'a> {
        use std::os::unix::fs::PermissionsExt;
        let old = std::fs::metadata(path).unwrap().permissions().mode();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        Mode(path, old)
    }
}

impl Drop for Mode<'_> {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(self.0, std::fs::Permissions::from_mode(self.1));
    }
}

/// `cutover gate` as a user that folder permissions apply to: the test's own
/// user, or, under root (which reads any folder), the `nobody` user. `None`
/// when root cannot switch users here.
fn gate_unprivileged(p: &Portfolio, ids: &[&str], extra: &[&str]) -> Option<Run> {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"));
    cmd.arg("gate").args(ids).arg("--root").arg(p.root()).args(extra);
    cmd.env_remove("SOURCE_DATE_EPOCH").env("NO_COLOR", "1");
    // SAFETY: geteuid only reads the process's effective user id.
    if unsafe { libc::geteuid() } == 0 {
        cmd.uid(65534).gid(65534);
    }
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) => {
            eprintln!("skipped: cannot run cutover as an unprivileged user ({e})");
            return None;
        }
    };
    Some(Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    })
}

#[test]
fn gate_says_why_when_the_workload_folders_cannot_be_listed() {
    let p = Portfolio::base("gate-unlistable");
    // The portfolio must be readable by `nobody` when root runs the test.
    let _open = Mode::set(p.temp(), 0o755);
    let workloads = p.path("content/workloads");
    let _closed = Mode::set(&workloads, 0o000);
    for extra in [&[][..], &["--format", "json"][..]] {
        let Some(run) = gate_unprivileged(&p, &["alpha"], &[&["--as-of", AS_OF][..], extra].concat()) else {
            return;
        };
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(!run.stderr.contains("not a workload in this portfolio"), "{}", run.stderr);
        assert!(run.stderr.contains("cannot tell whether `alpha` is a workload"), "{}", run.stderr);
        assert!(run.stderr.contains("content/workloads: cannot read folder: "), "{}", run.stderr);
        assert!(run.stderr.contains("ermission denied"), "the system's own words: {}", run.stderr);
        assert_eq!(run.stdout, "", "no verdict is printed");
    }
}

#[test]
fn gate_says_why_when_content_cannot_be_listed() {
    let p = Portfolio::base("gate-unlistable-content");
    let _open = Mode::set(p.temp(), 0o755);
    let content = p.path("content");
    let _closed = Mode::set(&content, 0o000);
    let Some(run) = gate_unprivileged(&p, &["alpha"], &["--as-of", AS_OF]) else {
        return;
    };
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains("not a workload in this portfolio"), "{}", run.stderr);
    assert!(run.stderr.contains("content: cannot read folder: "), "{}", run.stderr);
}

#[test]
fn gate_still_calls_a_name_unknown_when_the_folders_were_listed() {
    // Sanity for the two tests above: with the folders readable, the same
    // user gets the ordinary answers.
    let p = Portfolio::base("gate-listable");
    let _open = Mode::set(p.temp(), 0o755);
    let Some(run) = gate_unprivileged(&p, &["alpha", "nope"], &["--as-of", AS_OF]) else {
        return;
    };
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("`nope` is not a workload in this portfolio"), "{}", run.stderr);
    assert!(run.stderr.contains("alpha: ready"), "{}", run.stderr);
}
