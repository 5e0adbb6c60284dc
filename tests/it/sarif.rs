//! `check --format sarif`: a SARIF 2.1.0 log that the official schema
//! accepts, with one rule per code and one result per diagnostic, located
//! like every other output format.

use crate::common;

use common::{AS_OF, Portfolio, cutover};
use serde_json::Value;

fn sarif_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(common::fixture("sarif/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn sarif(p: &Portfolio) -> (i32, Value) {
    let run = cutover(["check", p.root().to_str().unwrap(), "--format", "sarif", "--as-of", AS_OF]);
    let log: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout));
    let errors: Vec<String> =
        sarif_schema().iter_errors(&log).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert_eq!(errors, Vec::<String>::new(), "valid SARIF 2.1.0:\n{log:#}");
    (run.code, log)
}

#[test]
fn diagnostics_become_results_with_rules_and_locations() {
    let p = Portfolio::base("sarif-errors");
    p.edit("content/workloads/alpha/stage.md", "validated_by:", "validatd_by:");
    p.write("content/notes.txt", "stray\n");
    let (code, log) = sarif(&p);
    assert_eq!(code, 1, "errors still fail the run");
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "cutover");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let json = p.diagnostics();
    assert_eq!(results.len(), json.len(), "one result per diagnostic");
    for (r, d) in results.iter().zip(&json) {
        assert_eq!(r["ruleId"], d.code.as_str());
        assert_eq!(r["level"], d.severity.as_str());
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], d.code.as_str(), "ruleIndex points at the rule");
        assert!(!rule["shortDescription"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], d.file.as_str());
        assert_eq!(loc["region"]["startLine"], d.line);
        assert_eq!(loc["region"]["startColumn"], d.column);
        assert!(r["message"]["text"].as_str().unwrap().starts_with(&d.message));
    }
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"E0203") && ids.contains(&"W0003"), "{ids:?}");
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "each code once");
}

#[test]
fn a_clean_portfolio_is_an_empty_run() {
    let (code, log) = sarif(&Portfolio::base("sarif-clean"));
    assert_eq!(code, 0);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn uris_are_percent_encoded() {
    let p = Portfolio::base("sarif-names");
    std::fs::create_dir(p.path("content/workloads/sp ace#nön")).unwrap();
    let (_, log) = sarif(&p);
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert!(uris.contains(&"content/workloads/sp%20ace%23n%C3%B6n"), "{uris:?}");
}

#[test]
fn a_relative_root_prefixes_the_uris() {
    let p = Portfolio::base_nested("sarif-nested");
    p.edit("content/workloads/alpha/stage.md", "validated_by:", "validatd_by:");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .current_dir(p.temp())
        .args(["check", "outer/site", "--format", "sarif", "--as-of", AS_OF])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "outer/site/content/workloads/alpha/stage.md", "relative to where CI runs it");
}
