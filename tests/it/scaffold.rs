//! `cutover init` and `cutover new`: what they write passes `check`, with every
//! item not started, and they never write over anything.

use crate::common;

use common::{Portfolio, TempDir, cutover, snapshot};
use std::fs;

#[test]
fn init_makes_a_portfolio_that_checks_clean() {
    let dir = TempDir::new("init");
    let root = dir.path().join("readiness");
    let run = cutover(["init", root.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for f in [
        ".gitignore",
        "content/site.yaml",
        "content/workloads/example/workload.yaml",
        "content/workloads/example/promote.md",
    ] {
        assert!(root.join(f).is_file(), "{f} missing");
    }
    assert!(fs::read_to_string(root.join(".gitignore")).unwrap().lines().any(|l| l == "/public/"));
    let site = fs::read_to_string(root.join("content/site.yaml")).unwrap();
    for key in ["title:", "approvers:", "releases:", "# base_url:", "# as_of:"] {
        assert!(site.contains(key), "site.yaml lacks {key}:\n{site}");
    }
    assert!(site.lines().filter(|l| l.starts_with('#')).count() >= 8, "settings are explained:\n{site}");

    let run = cutover(["check", root.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["diagnostics"], serde_json::json!([]), "no error and no warning");

    let out = dir.path().join("out");
    let run = cutover(["build", root.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let readiness: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("readiness.json")).unwrap()).unwrap();
    let items = readiness["workloads"][0]["items"].as_array().unwrap();
    assert_eq!(items.len(), 15);
    assert!(items.iter().all(|i| i["status"] == "not-started"), "{items:?}");
}

#[test]
fn init_starts_beside_a_repositorys_own_files_and_overwrites_none() {
    let dir = TempDir::new("init-beside");
    let root = dir.path();
    fs::write(root.join("README.md"), "# Our migration\n").unwrap();
    fs::write(root.join(".gitignore"), "target/\n").unwrap();
    fs::create_dir_all(root.join(".git")).unwrap();
    fs::write(root.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    fs::write(root.join(".github/workflows/ci.yml"), "name: ci\n").unwrap();
    let before = snapshot(root, &[]);
    let run = cutover(["init", root.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = snapshot(root, &[]);
    for (file, bytes) in &before {
        assert_eq!(after.get(file), Some(bytes), "{file} was changed");
    }
    assert!(root.join("content/site.yaml").is_file() && root.join("content/workloads/example/promote.md").is_file());
    assert!(run.stderr.contains("kept .gitignore"), "{}", run.stderr);
    assert!(run.stderr.contains("`/public/` to .gitignore"), "says what to add by hand: {}", run.stderr);
    let run = cutover(["check", root.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn init_refuses_a_folder_that_holds_content_already() {
    let dir = TempDir::new("init-refuse");
    fs::create_dir_all(dir.path().join("content")).unwrap();
    fs::write(dir.path().join("content/notes.txt"), "mine\n").unwrap();
    let before = snapshot(dir.path(), &[]);
    let run = cutover(["init", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("already holds `content/`") && run.stderr.contains("cutover new"), "{}", run.stderr);
    common::assert_same_files(&before, &snapshot(dir.path(), &[]), "a refused init writes nothing");
    // A repository that was just `git init`-ed is fine, and gets the .gitignore.
    let git = TempDir::new("init-git");
    fs::create_dir(git.path().join(".git")).unwrap();
    assert_eq!(cutover(["init", git.path().to_str().unwrap()]).code, 0);
    assert!(fs::read_to_string(git.path().join(".gitignore")).unwrap().contains("/public/"));
}

#[test]
fn new_writes_a_stub_per_item_its_criticality_needs() {
    let p = Portfolio::base("new-criticality");
    p.write(
        "content/checklist.yaml",
        "version: 1\ngroups: [{id: g, title: G}]\nitems:\n  - {id: assess, group: g, title: Assess}\n  - {id: pentest, group: g, title: Pen test, required: [mission-critical], fields: {severity: {type: enum, values: [low, high]}}}\n  - {id: promote, group: g, title: Promote, after: [assess]}\n",
    );
    // The base fixture's own evidence does not fit this checklist: start afresh.
    p.remove("content/workloads/alpha");
    let root = p.root().to_str().unwrap();
    let run = cutover(["new", "std-app", "--root", root, "--criticality", "standard", "--owner", "team@example.org"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run =
        cutover(["new", "core-app", "--root", root, "--criticality", "mission-critical", "--depends-on", "std-app"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = |id: &str| {
        let mut v: Vec<String> = fs::read_dir(p.path(&format!("content/workloads/{id}")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(files("std-app"), ["assess.md", "promote.md", "workload.yaml"]);
    assert_eq!(files("core-app"), ["assess.md", "pentest.md", "promote.md", "workload.yaml"]);
    let stub = p.read("content/workloads/core-app/pentest.md");
    assert!(stub.contains("severity: one of low, high"), "the stub says what the item needs:\n{stub}");
    let promote = p.read("content/workloads/core-app/promote.md");
    assert!(promote.contains("Do this after: assess."), "{promote}");
    let w = p.read("content/workloads/core-app/workload.yaml");
    assert!(w.contains("depends_on: [std-app]") && w.contains("criticality: mission-critical"), "{w}");

    let (run, diags) = p.check_json(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // core-app was made without --owner: its placeholder is the only finding.
    let found: Vec<_> = diags.iter().map(|d| (d.code.as_str(), d.file.as_str())).collect();
    assert_eq!(found, [("W0009", "content/workloads/core-app/workload.yaml")], "{diags:?}");
    let r = p.readiness(common::AS_OF);
    for id in ["std-app", "core-app"] {
        let w = common::workload(&r, id);
        assert!(w["items"].as_array().unwrap().iter().all(|i| i["status"] == "not-started"), "{w}");
    }
}

#[test]
fn new_never_overwrites_and_completes_a_folder() {
    let p = Portfolio::base("new-keep");
    let root = p.root().to_str().unwrap();
    let before = p.read("content/workloads/alpha/stage.md");
    let yaml = p.read("content/workloads/alpha/workload.yaml");
    p.remove("content/workloads/alpha/user-routing.md");
    let run = cutover(["new", "alpha", "--root", root, "--name", "Something else"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("created content/workloads/alpha/user-routing.md"), "{}", run.stderr);
    assert!(run.stderr.contains("kept content/workloads/alpha/stage.md"), "{}", run.stderr);
    assert_eq!(p.read("content/workloads/alpha/stage.md"), before);
    assert_eq!(p.read("content/workloads/alpha/workload.yaml"), yaml);
    assert!(p.read("content/workloads/alpha/user-routing.md").contains("status: not-started"));
}

#[test]
fn new_refuses_what_would_not_check() {
    let p = Portfolio::base("new-refuse");
    let root = p.root().to_str().unwrap();
    let before = snapshot(p.root(), &[]);
    for (args, says) in [
        (vec!["new", "Bad_Id", "--root", root], "not a valid workload id"),
        (vec!["new", "beta", "--root", root, "--release", "wave-9"], "release `wave-9` is not defined"),
        (vec!["new", "beta", "--root", root, "--depends-on", "ghost"], "no workload `ghost`"),
    ] {
        let run = cutover(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    common::assert_same_files(&before, &snapshot(p.root(), &[]), "refusals write nothing");
    let empty = TempDir::new("new-no-content");
    let run = cutover(["new", "beta", "--root", empty.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cutover init"), "{}", run.stderr);
}
