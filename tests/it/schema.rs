//! `cutover schema`: the emitted JSON Schemas accept every file of the sample
//! portfolio (YAML files, and the front matter of each Markdown file), and
//! reject what validation rejects, so that an editor and `check` agree.

use crate::common;

use common::{Portfolio, cutover, repo};
use serde_json::Value;
use std::fs;
use std::path::Path;

fn schema(args: &[&str]) -> Value {
    let mut all = vec!["schema"];
    all.extend_from_slice(args);
    let run = cutover(&all);
    assert_eq!(run.code, 0, "cutover {all:?}: {}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout));
    assert_eq!(v["$schema"], "http://json-schema.org/draft-07/schema#", "{all:?}");
    v
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::validator_for(schema).unwrap_or_else(|e| panic!("the schema itself is invalid: {e}\n{schema}"))
}

/// The errors of `instance` against `v`, as text (empty when valid).
fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).unwrap_or_else(|e| panic!("not YAML ({e}):\n{text}"))
}

/// The front matter of a Markdown file, as JSON.
fn front_matter(text: &str) -> Value {
    let rest = text.strip_prefix("---\n").expect("front matter starts the file");
    let end = rest.find("\n---").expect("front matter is closed");
    yaml(&rest[..end + 1])
}

/// Every file of a portfolio checked against the schema of its kind; returns how many.
fn validate_portfolio(root: &Path, checklist_args: &[&str]) -> usize {
    let root_arg = root.to_str().unwrap();
    let with_root = |kind: &str| {
        let mut a = vec![kind, "--root", root_arg];
        a.extend_from_slice(checklist_args);
        schema(&a)
    };
    let site = validator(&with_root("site"));
    let workload = validator(&with_root("workload"));
    let page = validator(&with_root("page"));
    let union = validator(&with_root("evidence"));
    let mut checked = 0;
    let content = root.join("content");
    if content.join("site.yaml").is_file() {
        let v = yaml(&fs::read_to_string(content.join("site.yaml")).unwrap());
        assert_eq!(errors(&site, &v), Vec::<String>::new(), "site.yaml");
        checked += 1;
    }
    if let Ok(pages) = fs::read_dir(content.join("pages")) {
        for p in pages.flatten() {
            let fm = front_matter(&fs::read_to_string(p.path()).unwrap());
            assert_eq!(errors(&page, &fm), Vec::<String>::new(), "{}", p.path().display());
            checked += 1;
        }
    }
    let mut dirs: Vec<_> = fs::read_dir(content.join("workloads")).unwrap().flatten().map(|e| e.path()).collect();
    dirs.sort();
    for dir in dirs {
        let w = yaml(&fs::read_to_string(dir.join("workload.yaml")).unwrap());
        assert_eq!(errors(&workload, &w), Vec::<String>::new(), "{}/workload.yaml", dir.display());
        checked += 1;
        for f in fs::read_dir(&dir).unwrap().flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            let Some(item) = name.strip_suffix(".md") else { continue };
            let fm = front_matter(&fs::read_to_string(f.path()).unwrap());
            let exact = validator(&schema(&["evidence", "--root", root_arg, "--item", item]));
            assert_eq!(errors(&exact, &fm), Vec::<String>::new(), "{} (item schema)", f.path().display());
            assert_eq!(errors(&union, &fm), Vec::<String>::new(), "{} (evidence schema)", f.path().display());
            checked += 1;
        }
    }
    checked
}

#[test]
fn the_sample_portfolio_passes_its_schemas() {
    let n = validate_portfolio(&repo(), &[]);
    assert!(n > 40, "only {n} files were checked");
}

#[test]
fn the_checklist_schema_accepts_the_built_in_checklist() {
    let v = validator(&schema(&["checklist"]));
    let printed = cutover(["checklist", repo().to_str().unwrap()]);
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    assert_eq!(errors(&v, &yaml(&printed.stdout)), Vec::<String>::new());
    let fixture = fs::read_to_string(common::fixture("checklist-with-x-keys.yaml")).unwrap();
    assert_eq!(errors(&v, &yaml(&fixture)), Vec::<String>::new(), "x- keys are allowed, as in validation");
}

#[test]
fn schemas_reject_what_check_rejects() {
    let site = validator(&schema(&["site"]));
    let w = validator(&schema(&["workload"]));
    let ev = validator(&schema(&["evidence", "--item", "data-classification"]));
    // An unknown key, a missing required key, a value outside an enumeration.
    assert!(!errors(&site, &yaml("titel: x\n")).is_empty());
    assert!(!errors(&w, &yaml("name: A\nowner: b\n")).is_empty(), "criticality is required");
    assert!(!errors(&w, &yaml("name: A\nowner: b\ncriticality: vital\n")).is_empty());
    assert!(errors(&w, &yaml("name: A\nowner: b\ncriticality: standard\nx-team: blue\n")).is_empty());
    // The fields a status needs, and the item's own field from `documented`.
    assert!(!errors(&ev, &yaml("status: executed\n")).is_empty(), "executed needs executed_on");
    assert!(errors(&ev, &yaml("status: executed\nexecuted_on: 2026-01-02\n")).is_empty());
    let documented = "status: documented\nexecuted_on: 2026-01-02\ndocumented_in: [a.md]\n";
    assert!(!errors(&ev, &yaml(documented)).is_empty(), "classification is needed from documented");
    assert!(errors(&ev, &yaml(&format!("{documented}classification: internal\n"))).is_empty());
    assert!(!errors(&ev, &yaml(&format!("{documented}classification: secret\n"))).is_empty());
    assert!(!errors(&ev, &yaml("status: not-applicable\njustification: no\n")).is_empty(), "not allowed for this item");
}

#[test]
fn evidence_schema_follows_the_sites_own_checklist() {
    let p = Portfolio::base("schema-checklist");
    p.write(
        "content/checklist.yaml",
        "version: 1\ngroups: [{id: g, title: G}]\nitems:\n  - id: pentest\n    group: g\n    title: Pen test\n    fields:\n      severity: {type: enum, values: [low, high], required_from: executed}\n  - {id: go-live, group: g, title: Go live, role: promotion}\n",
    );
    let root = p.root().to_str().unwrap();
    let s = schema(&["evidence", "--root", root, "--item", "pentest"]);
    assert_eq!(s["properties"]["severity"]["enum"], serde_json::json!(["low", "high"]));
    let run = cutover(["schema", "evidence", "--root", root, "--item", "stage"]);
    assert_eq!(run.code, 2, "stage is not in this checklist: {}", run.stderr);
    assert!(run.stderr.contains("pentest"), "{}", run.stderr);
    p.write("content/checklist.yaml", "version: 1\nitems: nope\n");
    let run = cutover(["schema", "evidence", "--root", root]);
    assert_eq!(run.code, 2, "a broken checklist is refused: {}", run.stderr);
    assert!(run.stderr.contains("checklist.yaml has errors"), "{}", run.stderr);
}

#[test]
fn a_new_portfolio_passes_its_schemas() {
    let dir = common::TempDir::new("schema-init");
    let root = dir.path().join("site");
    let run = cutover(["init", root.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(validate_portfolio(&root, &[]) >= 17);
}
