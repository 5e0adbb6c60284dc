//! Annotations land on real files: `--format github`, `gitlab`, `azure` and
//! `sarif` name files from the top of the git repository that holds the
//! site, wherever the site is in it and wherever cutover is run from.

use crate::common;

use common::{AS_OF, TempDir, copy_tree, fixture};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const STAGE: &str = "content/workloads/alpha/stage.md";

/// A git repository with the base portfolio, broken in `stage.md`, in `docs/readiness/`.
fn repository(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let git = Command::new("git").args(["init", "-q"]).current_dir(dir.path()).status().unwrap();
    assert!(git.success());
    let site = dir.path().join("docs/readiness");
    copy_tree(&fixture("base"), &site);
    let stage = site.join(STAGE);
    let text = std::fs::read_to_string(&stage).unwrap().replace("validated_by:", "validatd_by:");
    std::fs::write(stage, text).unwrap();
    dir
}

fn check(cwd: &Path, args: &[&str], format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["check", "--as-of", AS_OF, "--format", format])
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{format}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The file each format names for the first problem.
fn paths(cwd: &Path, args: &[&str]) -> Vec<String> {
    let github = check(cwd, args, "github");
    let github = github.lines().next().unwrap().split("file=").nth(1).unwrap().split(',').next().unwrap().to_string();
    let sarif: Value = serde_json::from_str(&check(cwd, args, "sarif")).unwrap();
    let sarif = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .to_string();
    let gitlab: Value = serde_json::from_str(&check(cwd, args, "gitlab")).unwrap();
    let gitlab = gitlab[0]["location"]["path"].as_str().unwrap().to_string();
    let azure = check(cwd, args, "azure");
    let azure =
        azure.lines().next().unwrap().split("sourcepath=").nth(1).unwrap().split(';').next().unwrap().to_string();
    vec![github, sarif, gitlab, azure]
}

#[test]
fn paths_start_at_the_repository_top_wherever_cutover_runs() {
    let repo = repository("annotations-repo");
    let want = format!("docs/readiness/{STAGE}");
    let site = repo.path().join("docs/readiness");
    for (cwd, args) in [
        (repo.path().to_path_buf(), vec!["docs/readiness"]),
        (repo.path().join("docs"), vec!["--root", "readiness"]),
        (site.join("content/workloads/alpha"), vec![]),
        (site.clone(), vec![]),
    ] {
        for p in paths(&cwd, &args) {
            assert_eq!(p, want, "from {} with {args:?}", cwd.display());
        }
    }
}

#[test]
fn outside_a_repository_paths_start_at_the_current_folder() {
    let dir = TempDir::new("annotations-plain");
    copy_tree(&fixture("base"), &dir.path().join("site"));
    let stage = dir.path().join("site").join(STAGE);
    std::fs::write(&stage, std::fs::read_to_string(&stage).unwrap().replace("validated_by:", "validatd_by:")).unwrap();
    for p in paths(dir.path(), &["site"]) {
        assert_eq!(p, format!("site/{STAGE}"));
    }
    // A root outside the current folder: paths from the site root.
    for p in paths(&dir.path().join("site/content"), &["--root", ".."]) {
        assert_eq!(p, STAGE);
    }
}

#[test]
fn gitlab_report_has_what_code_quality_reads() {
    let repo = repository("annotations-gitlab");
    let report: Value = serde_json::from_str(&check(repo.path(), &["docs/readiness"], "gitlab")).unwrap();
    let issue = &report[0];
    for key in ["description", "check_name", "fingerprint", "severity"] {
        assert!(issue[key].is_string(), "{key}: {issue}");
    }
    assert!(issue["location"]["lines"]["begin"].is_u64(), "{issue}");
    let all = report.to_string();
    assert!(all.contains("validatd_by") && issue["description"].as_str().unwrap().contains("help: "), "{report}");
    let again: Value = serde_json::from_str(&check(repo.path(), &["docs/readiness"], "gitlab")).unwrap();
    assert_eq!(report, again, "the same fingerprints each run");
}
