//! The pipeline definitions in docs/ci/ run the cutover commands they show:
//! each `cutover` command line in them is run (by `sh`) in a copy of the
//! sample portfolio, and must pass there and fail on a broken portfolio.

mod common;

use common::Portfolio;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Every string in a YAML document.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// The shell snippets of a pipeline file that run cutover (installing it aside).
fn cutover_scripts(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(common::repo().join("docs/ci").join(file)).unwrap();
    let doc: Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{file} is not YAML: {e}"));
    let mut all = Vec::new();
    strings(&doc, &mut all);
    all.into_iter().filter(|s| s.contains("cutover ") && !s.contains("cargo install") && !s.starts_with('#')).collect()
}

fn sh(script: &str, dir: &Path) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_cutover")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    Command::new("sh").args(["-ec", script]).current_dir(dir).env("PATH", path).env("NO_COLOR", "1").output().unwrap()
}

#[test]
fn every_pipeline_checks_then_builds() {
    for file in ["github-actions.yml", "gitlab-ci.yml", "azure-pipelines.yml"] {
        let scripts = cutover_scripts(file);
        let checks: Vec<&String> = scripts.iter().filter(|s| s.contains("cutover check")).collect();
        let builds: Vec<&String> = scripts.iter().filter(|s| s.contains("cutover build")).collect();
        assert!(!checks.is_empty() && !builds.is_empty(), "{file}: {scripts:?}");

        let p = Portfolio::sample(&format!("ci-{file}"));
        for s in &scripts {
            let out = sh(s, p.root());
            assert!(out.status.success(), "{file}: `{s}` failed:\n{}", String::from_utf8_lossy(&out.stderr));
        }
        assert!(p.path("public/index.html").is_file(), "{file}: the build step wrote the site");
        for sarif in ["cutover.sarif", "sarif/cutover.sarif"] {
            if p.path(sarif).is_file() {
                let log: Value = serde_json::from_str(&p.read(sarif)).unwrap();
                assert_eq!(log["version"], "2.1.0", "{file}");
            }
        }

        let broken = Portfolio::base(&format!("ci-broken-{file}"));
        broken.edit("content/workloads/alpha/stage.md", "validated_by:", "validatd_by:");
        // Steps that only record a report (`|| true`) may pass; the gatekeeping ones may not.
        let gates: Vec<&&String> = checks.iter().filter(|s| !s.trim_end().ends_with("|| true")).collect();
        assert!(!gates.is_empty(), "{file}: no check step fails the run");
        for s in gates {
            let out = sh(s, broken.root());
            assert!(!out.status.success(), "{file}: `{s}` passed a broken portfolio");
        }
    }
}
