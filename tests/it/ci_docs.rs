//! The pipeline definitions in docs/ci/ work as written: each `cutover`
//! command line in them is run (by `sh`) in a git repository holding a copy
//! of the sample portfolio, and must pass there and fail on a broken one;
//! what cannot run here (installing, the services' own settings) is
//! checked for the shape that makes it work.

use crate::common;

use common::Portfolio;
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::Command;

const FILES: [&str; 3] = ["github-actions.yml", "gitlab-ci.yml", "azure-pipelines.yml"];

fn load(file: &str) -> Value {
    let text = std::fs::read_to_string(common::repo().join("docs/ci").join(file)).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{file} is not YAML: {e}"))
}

/// Every string in a YAML document.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

fn all_strings(doc: &Value) -> Vec<String> {
    let mut all = Vec::new();
    strings(doc, &mut all);
    all
}

/// Every mapping in a YAML document that has `key`, with its value.
fn with_key<'a>(v: &'a Value, key: &str, out: &mut Vec<(&'a Value, &'a Value)>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| with_key(x, key, out)),
        Value::Object(m) => {
            if let Some(found) = m.get(key) {
                out.push((v, found));
            }
            m.values().for_each(|x| with_key(x, key, out));
        }
        _ => {}
    }
}

fn find<'a>(doc: &'a Value, key: &str) -> Vec<(&'a Value, &'a Value)> {
    let mut out = Vec::new();
    with_key(doc, key, &mut out);
    out
}

/// The shell snippets of a pipeline file that run cutover (installing aside).
fn cutover_scripts(doc: &Value) -> Vec<String> {
    all_strings(doc).into_iter().filter(|s| s.lines().any(runs_cutover) && !s.contains("cargo install")).collect()
}

/// A shell line that starts with `cutover <subcommand>` (a cache key that
/// starts with the word is not one).
fn runs_cutover(line: &str) -> bool {
    line.trim_start().strip_prefix("cutover ").is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_lowercase()))
}

fn sh(script: &str, dir: &Path) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_cutover")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    Command::new("sh").args(["-ec", script]).current_dir(dir).env("PATH", path).env("NO_COLOR", "1").output().unwrap()
}

/// A git repository holding the sample portfolio in one commit, as CI checks it out.
fn repository(tag: &str) -> Portfolio {
    let p = Portfolio::sample(tag);
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(p.root())
            .env("GIT_AUTHOR_DATE", "2026-11-20T12:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-11-20T12:00:00Z")
            .output()
            .unwrap();
        assert!(ok.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&ok.stderr));
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["-c", "user.name=CI", "-c", "user.email=ci@example.org", "commit", "-q", "-m", "portfolio"]);
    // What a pull request's checkout has: the main branch as fetched from the remote.
    // A remote to fetch from (itself), for the pipelines that fetch main first.
    git(&["remote", "add", "origin", &p.root().display().to_string()]);
    git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    p
}

#[test]
fn every_pipeline_checks_then_builds_both_editions() {
    for file in FILES {
        let doc = load(file);
        let scripts = cutover_scripts(&doc);
        let (diffs, runnable): (Vec<&String>, Vec<&String>) = scripts.iter().partition(|s| s.contains("cutover diff"));
        let checks: Vec<&&String> = runnable.iter().filter(|s| s.contains("cutover check")).collect();
        assert!(!checks.is_empty() && runnable.iter().any(|s| s.contains("cutover build")), "{file}: {scripts:?}");
        assert!(!diffs.is_empty(), "{file}: no `cutover diff` on pull requests");

        let p = repository(&format!("ci-{file}"));
        for s in &runnable {
            let out = sh(s, p.root());
            assert!(out.status.success(), "{file}: `{s}` failed:\n{}", String::from_utf8_lossy(&out.stderr));
        }
        // The pull-request step: a markdown table of what changed, into the summary file the service reads.
        for s in &diffs {
            let summary = p.temp().join("summary.md");
            let script = format!(
                "export GITHUB_STEP_SUMMARY={0} BUILD_ARTIFACTSTAGINGDIRECTORY={1}; {s}",
                summary.display(),
                p.temp().display()
            );
            let out = sh(&script, p.root());
            assert!(out.status.success(), "{file}: `{s}` failed:\n{}", String::from_utf8_lossy(&out.stderr));
            let written = [summary, p.temp().join("readiness-diff.md"), p.path("readiness-diff.md")]
                .into_iter()
                .find(|f| f.is_file())
                .unwrap_or_else(|| panic!("{file}: `{s}` wrote no summary"));
            assert!(!fs::read_to_string(&written).unwrap().trim().is_empty(), "{file}: empty diff summary");
        }
        let public = p.read("public/index.html");
        assert!(public.contains("edition-note"), "{file}: public/ holds the public edition");
        assert!(
            !p.read("internal/index.html").contains("edition-note"),
            "{file}: internal/ holds the internal edition"
        );
        for sarif in ["cutover.sarif", "sarif/cutover.sarif"] {
            if p.path(sarif).is_file() {
                let log: Value = serde_json::from_str(&p.read(sarif)).unwrap();
                assert_eq!(log["version"], "2.1.0", "{file}");
            }
        }

        let broken = Portfolio::base(&format!("ci-broken-{file}"));
        broken.edit("content/workloads/alpha/stage.md", "validated_by:", "validatd_by:");
        // Steps that only record a report (`|| true`) may pass; the gatekeeping ones may not.
        let gates: Vec<&&&String> = checks.iter().filter(|s| !s.trim_end().ends_with("|| true")).collect();
        assert!(!gates.is_empty(), "{file}: no check step fails the run");
        for s in gates {
            let out = sh(s, broken.root());
            assert!(!out.status.success(), "{file}: `{s}` passed a broken portfolio");
        }
    }
}

/// The `cutover diff` lines (run in the test above) compare with the main
/// branch, in Markdown, into the service's summary.
#[test]
fn pull_requests_get_the_readiness_diff_in_the_summary() {
    for (file, into) in [
        ("github-actions.yml", r#">> "$GITHUB_STEP_SUMMARY""#),
        ("gitlab-ci.yml", "> readiness-diff.md"),
        ("azure-pipelines.yml", "task.uploadsummary"),
    ] {
        let doc = load(file);
        let diffs: Vec<String> = cutover_scripts(&doc).into_iter().filter(|s| s.contains("cutover diff")).collect();
        assert_eq!(diffs.len(), 1, "{file}: {diffs:?}");
        assert!(diffs[0].contains("cutover diff origin/main --format markdown"), "{file}: {}", diffs[0]);
        assert!(diffs[0].contains(into), "{file}: {}", diffs[0]);
    }
    let gh = load("github-actions.yml");
    let step = find(&gh, "run").into_iter().find(|(_, run)| run.as_str().unwrap().contains("cutover diff")).unwrap().0;
    assert_eq!(step["if"], "github.event_name == 'pull_request'");
    let gl = load("gitlab-ci.yml");
    assert_eq!(gl["diff"]["artifacts"]["expose_as"], "readiness diff", "linked from the merge request");
    assert_eq!(gl["diff"]["rules"][0]["if"], r#"$CI_PIPELINE_SOURCE == "merge_request_event""#);
}

#[test]
fn installs_are_pinned_to_a_release_tag_and_caches_follow_it() {
    for file in FILES {
        let doc = load(file);
        let all = all_strings(&doc);
        let installs: Vec<&String> = all.iter().filter(|s| s.contains("cargo install")).collect();
        assert!(!installs.is_empty(), "{file}");
        for s in installs {
            assert!(s.contains("cargo install --locked") && s.contains("--git \"$CUTOVER_GIT\""), "{file}: {s}");
            assert!(s.contains("--tag \"$CUTOVER_TAG\"") && !s.contains("--branch"), "{file}: {s}");
        }
        let tags = find(&doc, "CUTOVER_TAG");
        let tag = tags[0].1.as_str().unwrap();
        assert!(tag.starts_with('v') && tag[1..].split('.').count() == 3, "{file}: a release tag, not `{tag}`");
        let keys: Vec<&str> = find(&doc, "key").into_iter().filter_map(|(_, k)| k.as_str()).collect();
        assert!(!keys.is_empty(), "{file}: no cache");
        for k in keys {
            assert!(k.contains("CUTOVER_TAG"), "{file}: cache key `{k}` does not change with the pinned version");
        }
    }
}

#[test]
fn checkouts_fetch_the_whole_history() {
    let gh = load("github-actions.yml");
    let checkouts: Vec<&Value> = find(&gh, "uses")
        .into_iter()
        .filter(|(_, u)| u.as_str().unwrap().starts_with("actions/checkout"))
        .map(|(step, _)| step)
        .collect();
    assert_eq!(checkouts.len(), 2);
    for step in checkouts {
        assert_eq!(step["with"]["fetch-depth"], 0, "{step}");
    }
    assert_eq!(load("gitlab-ci.yml")["variables"]["GIT_DEPTH"], 0);
    let az = load("azure-pipelines.yml");
    let checkouts = find(&az, "checkout");
    assert_eq!(checkouts.len(), 2);
    for (step, _) in checkouts {
        assert_eq!(step["fetchDepth"], 0, "{step}");
    }
}

#[test]
fn a_nightly_schedule_publishes() {
    let gh = load("github-actions.yml");
    assert!(gh["on"]["schedule"][0]["cron"].is_string(), "{}", gh["on"]);
    let publish_if = gh["jobs"]["publish"]["if"].as_str().unwrap();
    assert!(
        publish_if.contains("github.event_name != 'pull_request'") && publish_if.contains("refs/heads/main"),
        "a scheduled run on main publishes: {publish_if}"
    );
    let az = load("azure-pipelines.yml");
    assert_eq!(az["schedules"][0]["always"], true, "runs even without a new commit");
    assert_eq!(az["schedules"][0]["branches"]["include"][0], "main");
    // GitLab schedules are made in its settings; the publishing jobs' rules let them run.
    let gl = load("gitlab-ci.yml");
    for job in ["pages", "internal"] {
        assert_eq!(gl[job]["rules"][0]["if"], "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", "{job}");
    }
    let text = std::fs::read_to_string(common::repo().join("docs/ci/gitlab-ci.yml")).unwrap();
    assert!(text.contains("Pipeline schedules"), "says where to create the schedule");
}

/// Public hosting gets `--edition public`; the internal edition goes only
/// where access is controlled.
#[test]
fn only_the_public_edition_is_published_publicly() {
    let built = |doc: &Value, dir: &str| -> Vec<String> {
        cutover_scripts(doc)
            .into_iter()
            .flat_map(|s| s.lines().map(str::to_string).collect::<Vec<_>>())
            .filter(|l| l.contains("cutover build") && l.contains(&format!("--out {dir}")))
            .collect()
    };
    let gh = load("github-actions.yml");
    let steps = gh["jobs"]["publish"]["steps"].as_array().unwrap();
    let uses = |name: &str| steps.iter().find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(name))).unwrap();
    assert_eq!(uses("actions/upload-pages-artifact")["with"]["path"], "public");
    assert_eq!(uses("actions/upload-artifact")["with"]["path"], "internal");
    let gl = load("gitlab-ci.yml");
    assert_eq!(gl["pages"]["artifacts"]["paths"][0], "public");
    assert_eq!(gl["internal"]["artifacts"]["paths"][0], "internal");
    assert_eq!(gl["internal"]["artifacts"]["access"], "developer", "members only");
    let az = load("azure-pipelines.yml");
    let inputs: Vec<&Value> = find(&az, "inputs").into_iter().map(|(_, i)| i).collect();
    assert!(inputs.iter().any(|i| i["app_location"] == "public"));
    assert!(inputs.iter().any(|i| i["targetPath"] == "internal"));
    for (file, doc) in [("github", &gh), ("gitlab", &gl), ("azure", &az)] {
        let public = built(doc, "public");
        assert!(!public.is_empty() && public.iter().all(|l| l.contains("--edition public")), "{file}: {public:?}");
        let internal = built(doc, "internal");
        assert!(!internal.is_empty() && internal.iter().all(|l| l.contains("--edition internal")), "{file}");
    }
}
