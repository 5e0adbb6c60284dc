//! A new user's first day: every command run from inside a site (a
//! workload's folder, `content/`) finds the site root by walking up, as
//! cargo finds Cargo.toml; `--root` names a root for every command.

mod common;

use common::{AS_OF, Portfolio, Run, TempDir};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

const ALPHA: &str = "content/workloads/alpha";

/// Runs `cutover` with `args` in the folder `dir`.
fn cutover_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .expect("the cutover binary runs");
    Run {
        code: out.status.code().expect("cutover exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A base portfolio with a checklist of its own (so that `checklist` and
/// `schema` show whether they read the site's or fell back to the built-in).
fn site(tag: &str) -> Portfolio {
    let p = Portfolio::base(tag);
    let builtin = common::cutover(["checklist", p.root().to_str().unwrap()]).stdout;
    p.write("content/checklist.yaml", &format!("# the site's own\n{builtin}"));
    p.write("content/checklist.yaml", &p.read("content/checklist.yaml").replace("title: Assess", "title: Assess it"));
    assert!(p.read("content/checklist.yaml").contains("title: Assess it"), "the sample checklist has `title: Assess`");
    p
}

#[test]
fn every_command_finds_the_root_from_a_workload_folder() {
    let p = site("root-from-workload");
    let here = p.path(ALPHA);

    let run = cutover_in(&here, &["check", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "check: {}", run.stderr);
    assert!(run.stderr.contains("checked 1 workload"), "{}", run.stderr);

    let run = cutover_in(&here, &["build", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "build: {}", run.stderr);
    assert!(p.path("public/index.html").is_file(), "build writes ROOT/public, not a public/ in the workload folder");
    assert!(!here.join("public").exists());

    let run = cutover_in(&here, &["gate", "alpha", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "gate: {}", run.stderr);

    let run = cutover_in(&here, &["checklist"]);
    assert!(run.stdout.contains("title: Assess it"), "checklist reads the site's own:\n{}", run.stdout);

    let run = cutover_in(&here, &["schema", "evidence"]);
    assert_eq!(run.code, 0, "schema: {}", run.stderr);

    let run = cutover_in(&here, &["new", "beta", "--owner", "team@example.org"]);
    assert_eq!(run.code, 0, "new: {}", run.stderr);
    assert!(p.path("content/workloads/beta/workload.yaml").is_file());
    assert!(!here.join("content").exists(), "new wrote into the root, not into the workload folder");

    let run = cutover_in(&here, &["sign", "alpha", "stage", "--by", "val.idator@example.org", "--on", AS_OF]);
    assert_eq!(run.code, 0, "sign: {}", run.stderr);
    assert!(p.read("content/workloads/alpha/stage.md").contains("validated_digest:"));

    // From content/ as well, and from a folder below the workload's.
    for dir in [p.path("content"), p.path("content/workloads/alpha/reports")] {
        let run = cutover_in(&dir, &["check", "--as-of", AS_OF]);
        assert_eq!(run.code, 0, "{}: {}", dir.display(), run.stderr);
    }
}

#[test]
fn serve_finds_the_root_from_a_workload_folder() {
    let p = Portfolio::base("root-serve");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["serve", "--port", "0", "--as-of", AS_OF])
        .current_dir(p.path(ALPHA))
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = Vec::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines().map_while(Result::ok) {
        let done = line.contains("serving ") || line.starts_with("error");
        said.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(said.iter().any(|l| l.contains("serving ")), "{said:?}");
}

#[test]
fn root_is_one_option_for_every_command() {
    let p = site("root-option");
    let root = p.root().to_str().unwrap();
    let elsewhere = TempDir::new("root-option-cwd");
    let run = cutover_in(elsewhere.path(), &["check", "--root", root, "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cutover_in(elsewhere.path(), &["build", "--root", root, "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(p.path("public/index.html").is_file());
    let run = cutover_in(elsewhere.path(), &["gate", "alpha", "--root", root, "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cutover_in(elsewhere.path(), &["checklist", "--root", root]);
    assert!(run.stdout.contains("title: Assess it"), "{}", run.stdout);
    let run = cutover_in(elsewhere.path(), &["schema", "workload", "--root", root]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cutover_in(elsewhere.path(), &["new", "gamma", "--root", root]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(p.path("content/workloads/gamma/workload.yaml").is_file());
    let run = cutover_in(elsewhere.path(), &["init", "--root", "fresh"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(elsewhere.path().join("fresh/content/site.yaml").is_file());

    // A named folder inside a site is walked up from, too.
    let run = cutover_in(p.root(), &["check", "content/workloads/alpha", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Both forms at once are refused rather than one silently winning.
    let run = cutover_in(p.root(), &["check", ".", "--root", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn outside_any_site_the_error_says_what_a_root_is() {
    let dir = TempDir::new("root-none");
    let run = cutover_in(dir.path(), &["check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no site root at or above the current folder"), "{}", run.stderr);
    assert!(run.stderr.contains("--root") && run.stderr.contains("cutover init"), "{}", run.stderr);
    // Commands that make sense anywhere still work: the built-in checklist.
    let run = cutover_in(dir.path(), &["checklist"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("promote"));
}

#[test]
fn a_workload_named_content_is_not_taken_for_a_root() {
    let p = Portfolio::base("root-content-workload");
    p.add_ready_workload("content", &p.read("content/workloads/alpha/workload.yaml"));
    let run = cutover_in(&p.path("content/workloads"), &["check", "--as-of", AS_OF, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["diagnostics"], serde_json::json!([]), "{}", run.stdout);
    let run = cutover_in(&p.path("content/workloads"), &["gate", "content", "alpha", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "both workloads were found, so the real root was: {}", run.stderr);
}
