//! `cutover diff BASE` (FORMAT.md, Version 1.1, "Diff"), through the binary,
//! on throwaway git repositories: between two revisions, against the work
//! tree, each output format, and the exit codes.

use crate::common;
use crate::gitsite;

use gitsite::GitSite;
use serde_json::{Value, json};

const ERIN: &str = "erin.engineer@example.org";
const AS_OF: &str = "2026-10-15";
const BCDR: &str = "content/workloads/alpha/bcdr-validation.md";

/// The base fixture (alpha, ready) committed on 2026-10-01, then beta (a
/// copy of alpha) added on 2026-10-02.
fn repo(tag: &str) -> (GitSite, String, String) {
    let site = GitSite::from_fixture(tag, "base");
    site.write(
        "content/site.yaml",
        &site
            .read("content/site.yaml")
            .replace("organisation: Example", "organisation: Example\nbase_url: https://readiness.example.org/"),
    );
    let c1 = site.commit(ERIN, "2026-10-01", "Alpha");
    site.copy_dir("content/workloads/alpha", "content/workloads/beta");
    site.edit("content/workloads/beta/workload.yaml", "name: Alpha", "name: Beta");
    let c2 = site.commit(ERIN, "2026-10-02", "Beta");
    (site, c1, c2)
}

/// alpha's restore test reopened in the work tree: alpha goes from ready to blocked.
fn reopen_bcdr(site: &GitSite) {
    site.edit(BCDR, "status: validated", "status: in-progress");
}

fn diff(site: &GitSite, args: &[&str]) -> common::Run {
    let root = site.root().to_str().unwrap().to_string();
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend(["--as-of", AS_OF]);
    // The root goes after BASE.
    all.insert(2, &root);
    site.cutover(&all)
}

#[test]
fn a_regression_in_the_work_tree() {
    let (site, _, c2) = repo("diff-worktree");
    reopen_bcdr(&site);
    let run = diff(&site, &["HEAD", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v,
        json!({"base": c2, "head": "worktree", "as_of": AS_OF, "workloads": [
            {"id": "alpha", "from": "ready", "to": "blocked", "regression": true,
             "items": [{"id": "bcdr-validation", "from": true, "to": false}]}
        ]})
    );
    let failing = diff(&site, &["main", "--fail-on-regression"]);
    assert_eq!(failing.code, 1, "{}", failing.stderr);
    assert!(failing.stdout.contains("regression: alpha (Alpha): ready -> blocked"), "{}", failing.stdout);
}

#[test]
fn between_two_revisions_nothing_regresses() {
    let (site, c1, c2) = repo("diff-revisions");
    reopen_bcdr(&site); // the work tree is not compared
    let run = diff(&site, &[&c1[..10], "--head", "HEAD", "--format", "json", "--fail-on-regression"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v,
        json!({"base": c1, "head": c2, "as_of": AS_OF, "workloads": [
            {"id": "beta", "from": null, "to": "ready", "regression": false, "items": []}
        ]})
    );
    // And the other way round: beta goes, which is no regression of a decision.
    let back = diff(&site, &["HEAD", "--head", "HEAD~1", "--format", "json", "--fail-on-regression"]);
    assert_eq!(back.code, 0, "{}", back.stderr);
    let v: Value = serde_json::from_str(&back.stdout).unwrap();
    assert_eq!(v["workloads"], json!([{"id": "beta", "from": "ready", "to": null, "regression": false, "items": []}]));
}

#[test]
fn no_change_prints_that_nothing_changed() {
    let (site, _, _) = repo("diff-nothing");
    let run = diff(&site, &["HEAD", "--format", "markdown", "--fail-on-regression"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("No workload changed."), "{}", run.stdout);
}

#[test]
fn markdown_lists_regressions_first_in_a_table_with_links() {
    let (site, _, _) = repo("diff-markdown");
    reopen_bcdr(&site);
    // gamma appears too, ready: an improvement listed after the regression.
    site.copy_dir("content/workloads/alpha", "content/workloads/gamma");
    site.edit("content/workloads/gamma/bcdr-validation.md", "status: in-progress", "status: validated");
    site.edit("content/workloads/gamma/workload.yaml", "name: Alpha", "name: Gamma | *the* <b>third</b>");
    let run = diff(&site, &["HEAD", "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = run.stdout;
    assert!(md.contains("**1 regression**, 1 other change."), "{md}");
    assert!(md.contains("| | Workload | Decision | Items |\n|---|---|---|---|\n"), "{md}");
    let alpha = md.find("| regression | [Alpha (`alpha`)](https://readiness.example.org/workloads/alpha/index.html) | ready to **blocked** | `bcdr-validation` no longer satisfied |").unwrap_or_else(|| panic!("{md}"));
    let gamma =
        md.find("Gamma \\| \\*the\\* \\<b\\>third\\</b\\>").unwrap_or_else(|| panic!("names are escaped: {md}"));
    assert!(alpha < gamma, "regressions first: {md}");
}

#[test]
fn github_annotates_the_file_that_caused_the_regression() {
    let (site, _, _) = repo("diff-github");
    reopen_bcdr(&site);
    let run = diff(&site, &["HEAD", "--format", "github"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "::error file=content/workloads/alpha/bcdr-validation.md,line=2,title=readiness regression%3A alpha::\
         alpha: `bcdr-validation` is no longer satisfied (in progress)\n"
    );
}

#[test]
fn github_paths_start_at_the_top_of_the_repository() {
    // The site root is a folder of the repository: annotations name files from the top.
    let (site, _, _) = repo("diff-nested");
    let inner = site.path("site");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::rename(site.path("content"), inner.join("content")).unwrap();
    site.commit(ERIN, "2026-10-03", "The site moves into site/");
    std::fs::write(
        inner.join(BCDR),
        std::fs::read_to_string(inner.join(BCDR)).unwrap().replace("status: validated", "status: in-progress"),
    )
    .unwrap();
    let run = site.cutover(&["diff", "HEAD", inner.to_str().unwrap(), "--as-of", AS_OF, "--format", "github"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("::error file=site/content/workloads/alpha/bcdr-validation.md,line=2,"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_base_that_is_not_a_revision_exits_2_with_the_reason() {
    let (site, _, _) = repo("diff-bad-base");
    for (base, words) in [
        ("origin/main", "no branch, tag or remote branch is called `origin/main`"),
        ("deadbeef", "no object starts with it"),
        ("HEAD~5", "has no parent number 1"),
        ("HEAD~x", "not a revision cutover understands"),
    ] {
        let run = diff(&site, &[base]);
        assert_eq!(run.code, 2, "{base}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{base}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{base}");
    }
}

#[test]
fn outside_git_diff_exits_2() {
    let site = GitSite::untracked("diff-no-git", "base");
    let run = diff(&site, &["HEAD"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not inside a git work tree"), "{}", run.stderr);
}
