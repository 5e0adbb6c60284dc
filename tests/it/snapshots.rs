//! Snapshot tests: whole outputs compared with reviewed copies under
//! `tests/it/snapshots/`, so a change to any line of them shows up as a diff to
//! accept or reject instead of slipping past a handful of `contains` checks.
//!
//! Covered: `check` of `tests/fixtures/broken` (errors and warnings in several
//! files, one on a line of wide characters) in the human, JSON, GitHub and
//! SARIF formats; the dashboard, gamma's report and `readiness.json` of
//! `tests/fixtures/portfolio` built as of [`AS_OF`]; and `--help` of `cutover`
//! and of every subcommand, found by walking the help itself.
//!
//! What differs between machines is redacted before comparing: the temporary
//! folder, the repository's path and the crate's version. README.md
//! ("Snapshot tests") says how to review and accept a change.

use crate::common;

use common::{Portfolio, Run, cutover, cutover_in};
use std::ffi::OsStr;
use std::path::Path;

/// The as-of date both fixtures are read at: the portfolio's decisions and
/// the freshness of its evidence are fixed by it.
const AS_OF: &str = "2026-10-15";

/// Snapshots named by the test alone (no module prefix), so they keep their
/// names if this file becomes a module of a larger test binary.
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

/// Replaces every occurrence of `what` by `with`, unless it is part of a
/// longer run of digits and dots (so a version `0.1.0` is not found inside
/// an address such as `10.1.0.5`).
fn replace_token(text: &str, what: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(what) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + what.len()..].chars().next();
        let glued = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '.');
        out.push_str(&rest[..i]);
        out.push_str(if glued(before) || glued(after) { what } else { with });
        rest = &rest[i + what.len()..];
    }
    out.push_str(rest);
    out
}

/// Text with the machine-specific parts replaced: `root` (the temporary copy
/// of a fixture, also as its canonical path) by `[site root]`, the repository by
/// `[repository]`, the temp dir by `[temp dir]` and the crate's version by `[version]`.
fn redact(text: &str, root: Option<&Path>) -> String {
    let mut paths: Vec<(String, &str)> = Vec::new();
    if let Some(root) = root {
        paths.push((root.display().to_string(), "[site root]"));
        if let Ok(real) = root.canonicalize() {
            paths.push((real.display().to_string(), "[site root]"));
        }
    }
    paths.push((common::repo().display().to_string(), "[repository]"));
    let tmp = common::scratch_base();
    paths.push((tmp.display().to_string(), "[temp dir]"));
    if let Ok(real) = tmp.canonicalize() {
        paths.push((real.display().to_string(), "[temp dir]"));
    }
    // Longest first, so a root inside the temp dir is replaced as a whole.
    paths.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    let mut text = text.to_string();
    for (path, with) in &paths {
        let path = path.trim_end_matches('/');
        if !path.is_empty() {
            text = text.replace(path, with);
        }
    }
    replace_token(&text, env!("CARGO_PKG_VERSION"), "[version]")
}

/// One run as a single text: its exit code, then each stream that printed something.
fn transcript(run: &Run, root: Option<&Path>) -> String {
    let mut out = format!("exit code: {}\n", run.code);
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        if !text.is_empty() {
            out.push_str(&format!("----- {name} -----\n{text}"));
            if !text.ends_with('\n') {
                out.push_str("\n[no newline at the end]\n");
            }
        }
    }
    redact(&out, root)
}

// ---- check on a broken portfolio --------------------------------------------

/// `cutover check ROOT --as-of AS_OF --format FORMAT` on a copy of the broken
/// fixture, run from the copy (so the CI formats name files from there: the
/// copy is in no git repository).
fn check_broken(format: &str) -> String {
    let p = Portfolio::fixture("broken", &format!("snap-check-{format}"));
    let args = [OsStr::new("check"), p.root().as_os_str()]
        .into_iter()
        .chain(["--as-of", AS_OF, "--format", format].map(OsStr::new));
    let run = cutover_in(p.root(), args);
    assert_eq!(run.code, 1, "the broken fixture has errors, so check fails:\n{run:?}");
    transcript(&run, Some(p.root()))
}

#[test]
fn check_human() {
    let text = check_broken("human");
    // The fixture is meant to show a line of wide characters; keep it so.
    assert!(text.contains("日本語の説明"), "{text}");
    // Escapes would hide in a snapshot: say it outright.
    assert!(!text.contains('\x1b'), "no colour when not on a terminal: {text:?}");
    settings().bind(|| insta::assert_snapshot!("check_human", text));
}

#[test]
fn check_json() {
    settings().bind(|| insta::assert_snapshot!("check_json", check_broken("json")));
}

#[test]
fn check_github() {
    settings().bind(|| insta::assert_snapshot!("check_github", check_broken("github")));
}

#[test]
fn check_sarif() {
    settings().bind(|| insta::assert_snapshot!("check_sarif", check_broken("sarif")));
}

// ---- the site of a small portfolio ------------------------------------------

/// The `<main>` element of a page, tags included: the part that shows the
/// page's own content (the header and footer are the same on every page).
fn main_of(html: &str) -> &str {
    let start = html.find("<main").unwrap_or_else(|| panic!("no <main> in:\n{html}"));
    let end = html[start..].find("</main>").unwrap_or_else(|| panic!("<main> never closed in:\n{html}"));
    &html[start..start + end + "</main>".len()]
}

#[test]
fn site_of_the_fixture_portfolio() {
    let p = Portfolio::fixture("portfolio", "snap-site");
    let run = p.build(AS_OF);
    assert_eq!(run.code, 0, "build failed:\n{run:?}");
    settings().bind(|| {
        insta::assert_snapshot!("build_output", transcript(&run, Some(p.root())));
        insta::assert_snapshot!("readiness_json", redact(&p.read("public/readiness.json"), Some(p.root())));
        let dashboard = p.read("public/index.html");
        insta::assert_snapshot!("dashboard_main", redact(main_of(&dashboard), Some(p.root())));
        let report = p.read("public/workloads/gamma/index.html");
        insta::assert_snapshot!("report_gamma_main", redact(main_of(&report), Some(p.root())));
    });
}

// ---- --help of every command ------------------------------------------------

/// The subcommands listed under `Commands:` in a help text, without `help`.
fn subcommands(help: &str) -> Vec<String> {
    let Some(start) = help.find("\nCommands:\n") else {
        return Vec::new();
    };
    help[start + "\nCommands:\n".len()..]
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// Snapshots `cutover PATH... --help`, then the help of each of its subcommands.
fn help_tree(path: &[String], seen: &mut Vec<String>) {
    let mut args = path.to_vec();
    args.push("--help".to_string());
    let run = cutover(&args);
    assert_eq!(run.code, 0, "cutover {args:?}:\n{run:?}");
    let name = if path.is_empty() { "help_cutover".to_string() } else { format!("help_{}", path.join("_")) };
    settings().bind(|| insta::assert_snapshot!(name.clone(), transcript(&run, None)));
    seen.push(name);
    for sub in subcommands(&run.stdout) {
        let mut deeper = path.to_vec();
        deeper.push(sub);
        help_tree(&deeper, seen);
    }
}

#[test]
fn help_of_every_command() {
    let mut seen = Vec::new();
    help_tree(&[], &mut seen);
    // The walk found the commands: a help layout it cannot read would find none.
    for name in ["help_check", "help_build", "help_templates_export"] {
        assert!(seen.iter().any(|s| s == name), "{name} not reached; walked {seen:?}");
    }
    // A removed command leaves no help snapshot behind (insta keeps files no
    // test asserts any more). Its folder is `snapshots/` beside this file.
    let dir = common::repo().join(Path::new(file!()).parent().unwrap()).join("snapshots");
    let mut orphans: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".snap").map(str::to_string))
        .filter(|n| n.starts_with("help_") && !seen.contains(n))
        .collect();
    orphans.sort();
    assert_eq!(orphans, Vec::<String>::new(), "help snapshots in {} that no command has", dir.display());
}

#[test]
fn redaction_leaves_other_numbers_alone() {
    let v = env!("CARGO_PKG_VERSION");
    let text = format!("cutover {v}\nserver 1{v}.5 and {v}-rc\n");
    let got = redact(&text, None);
    assert!(got.starts_with("cutover [version]\n"), "{got}");
    assert!(got.contains(&format!("1{v}.5")), "{got}");
    let repo = common::repo();
    assert_eq!(redact(&format!("at {}/src", repo.display()), None), "at [repository]/src");
}
