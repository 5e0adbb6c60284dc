//! The generated site: the repository's sample portfolio builds, every
//! relative link in every page resolves inside the output, and
//! readiness.json has the shape FORMAT.md promises.

use crate::common;

use common::{Portfolio, broken_links, item, workload};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;

const SAMPLE_AS_OF: &str = "2026-11-26";

fn built_sample(tag: &str) -> (Portfolio, Value) {
    let p = Portfolio::sample(tag);
    let run = p.build(SAMPLE_AS_OF);
    assert_eq!(run.code, 0, "the sample builds:\n{}", run.stderr);
    let r: Value = serde_json::from_str(&fs::read_to_string(p.path("public/readiness.json")).unwrap())
        .expect("readiness.json is JSON");
    (p, r)
}

#[test]
fn the_sample_builds_and_every_relative_link_resolves() {
    let (p, _) = built_sample("sample-links");
    let out = p.path("public");
    assert!(out.join("index.html").is_file());
    let broken = broken_links(&out);
    assert!(broken.is_empty(), "broken links: {broken:#?}");
}

#[test]
fn the_sample_has_a_page_per_workload_and_release() {
    let (p, r) = built_sample("sample-pages");
    for w in r["workloads"].as_array().unwrap() {
        let id = w["id"].as_str().unwrap();
        assert!(p.path(&format!("public/workloads/{id}/index.html")).is_file(), "{id}");
    }
    for rel in r["releases"].as_array().unwrap() {
        let id = rel["id"].as_str().unwrap();
        assert!(p.path(&format!("public/releases/{id}/index.html")).is_file(), "{id}");
    }
    // Every workload folder of the sample is in the report.
    let folders: BTreeSet<String> = fs::read_dir(p.path("content/workloads"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let ids: BTreeSet<String> =
        r["workloads"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(folders, ids);
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap_or_else(|| panic!("not an object: {v}")).keys().map(String::as_str).collect()
}

#[test]
fn readiness_json_has_the_documented_shape() {
    let (_, r) = built_sample("sample-json");
    assert!(keys(&r).is_superset(&["as_of", "workloads", "releases"].into()));
    assert_eq!(r["as_of"], SAMPLE_AS_OF);
    let workloads = r["workloads"].as_array().unwrap();
    assert!(!workloads.is_empty());
    let releases: BTreeSet<&str> = r["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            assert!(keys(x).is_superset(&["id", "complete"].into()), "{x}");
            assert!(x["complete"].is_boolean(), "{x}");
            x["id"].as_str().unwrap()
        })
        .collect();
    for w in workloads {
        let k = keys(w);
        assert!(k.is_superset(&["id", "name", "release", "criticality", "decision", "reasons", "items"].into()), "{w}");
        assert!(w["id"].is_string() && w["name"].is_string(), "{w}");
        assert!(w["release"].is_null() || releases.contains(w["release"].as_str().unwrap()), "{w}");
        assert!(
            ["mission-critical", "business-critical", "standard"].contains(&w["criticality"].as_str().unwrap()),
            "{w}"
        );
        let decision = w["decision"].as_str().unwrap();
        assert!(["promoted", "ready", "blocked"].contains(&decision), "{w}");
        let reasons = w["reasons"].as_array().unwrap();
        assert_eq!(reasons.is_empty(), decision != "blocked", "a workload is blocked exactly when it has reasons: {w}");
        for reason in reasons {
            assert!(reason["message"].is_string(), "{reason}");
            assert!(
                reason.get("item").is_some_and(Value::is_string)
                    != reason.get("workload").is_some_and(Value::is_string),
                "a reason names an item or a workload: {reason}"
            );
        }
        let items = w["items"].as_array().unwrap();
        assert_eq!(items.len(), 15, "every built-in item: {w}");
        for i in items {
            assert!(keys(i).is_superset(&["id", "status", "satisfied"].into()), "{i}");
            assert!(i["satisfied"].is_boolean(), "{i}");
            assert!(
                ["not-started", "in-progress", "executed", "documented", "validated", "not-applicable", "waived"]
                    .contains(&i["status"].as_str().unwrap()),
                "{i}"
            );
        }
    }
}

#[test]
fn the_sample_shows_every_decision_and_both_kinds_of_release() {
    let (_, r) = built_sample("sample-coverage");
    let mut by_decision: BTreeMap<&str, usize> = BTreeMap::new();
    for w in r["workloads"].as_array().unwrap() {
        *by_decision.entry(w["decision"].as_str().unwrap()).or_default() += 1;
    }
    for d in ["promoted", "ready", "blocked"] {
        assert!(by_decision.contains_key(d), "no {d} workload: {by_decision:?}");
    }
    let complete: Vec<bool> =
        r["releases"].as_array().unwrap().iter().map(|x| x["complete"].as_bool().unwrap()).collect();
    assert!(complete.contains(&true), "no complete release: {complete:?}");
    assert!(complete.contains(&false), "no incomplete release: {complete:?}");
    // A complete release is one whose workloads are all promoted.
    for rel in r["releases"].as_array().unwrap() {
        let members: Vec<&Value> =
            r["workloads"].as_array().unwrap().iter().filter(|w| w["release"] == rel["id"]).collect();
        let all_promoted = !members.is_empty() && members.iter().all(|w| w["decision"] == "promoted");
        assert_eq!(rel["complete"], all_promoted, "{rel}");
    }
}

#[test]
fn the_sample_satisfied_flags_agree_with_the_decisions() {
    let (_, r) = built_sample("sample-consistency");
    for w in r["workloads"].as_array().unwrap() {
        let id = w["id"].as_str().unwrap();
        let promote_done =
            ["executed", "documented", "validated"].contains(&item(&r, id, "promote")["status"].as_str().unwrap());
        let unmet: Vec<&str> = w["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["id"] != "promote" && i["satisfied"] == false)
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        match w["decision"].as_str().unwrap() {
            "promoted" => assert!(promote_done, "{id}"),
            "ready" => assert!(unmet.is_empty() && !promote_done, "{id}: {unmet:?}"),
            _ => {
                let named: BTreeSet<&str> =
                    workload(&r, id)["reasons"].as_array().unwrap().iter().filter_map(|x| x["item"].as_str()).collect();
                assert!(
                    unmet.iter().all(|i| named.contains(i)),
                    "{id}: every unmet item is a reason: {unmet:?} vs {named:?}"
                );
            }
        }
    }
}

#[test]
fn links_of_many_shapes_resolve_in_the_report() {
    let p = Portfolio::base("link-shapes");
    let alpha = "content/workloads/alpha";
    p.write(&format!("{alpha}/reports/my file.txt"), "spaces\n");
    p.write(&format!("{alpha}/img/diagram.png"), "PNG placeholder\n");
    p.write(&format!("{alpha}/runbooks/notes.md"), "# Notes\n");
    p.edit(
        &format!("{alpha}/ready.md"),
        "documented_in: [reports/evidence.txt]",
        "documented_in: [\"reports/my file.txt\", runbooks/notes.md, \"https://wiki.example.org/a?b=c&d=e\"]",
    );
    p.edit(
        &format!("{alpha}/ready.md"),
        "Done;",
        "See [spaces](reports/my%20file.txt), [angle](<reports/my file.txt>), \
         [query](./reports/evidence.txt?raw=1#L3), [round trip](runbooks/../reports/evidence.txt), \
         [stage](stage.md), [stage section](./stage.md#details), [notes](runbooks/notes.md), \
         [mail](mailto:team@example.org), [web](https://example.org/x?y=1&z=2).\n\n\
         ![diagram](img/diagram.png)\n\nDone;",
    );
    let run = p.build(common::AS_OF);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let broken = broken_links(&p.path("public"));
    assert!(broken.is_empty(), "broken links: {broken:#?}");
    let page = fs::read_to_string(p.path("public/workloads/alpha/index.html")).unwrap();
    assert!(page.contains("href=\"#item-stage\""), "links to evidence become in-page links");
    assert!(p.path("public/workloads/alpha/reports/my file.txt").is_file());
    assert!(p.path("public/workloads/alpha/img/diagram.png").is_file());
}

#[test]
fn only_linked_attachments_are_published() {
    let p = Portfolio::base("unlinked");
    p.write("content/workloads/alpha/private/salaries.csv", "name,salary\n");
    let run = p.build(common::AS_OF);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(p.path("public/workloads/alpha/reports/evidence.txt").is_file());
    assert!(!p.path("public/workloads/alpha/private").exists());
    assert!(!p.path("public/workloads/alpha/workload.yaml").exists());
    assert!(!p.path("public/workloads/alpha/stage.md").exists());
}

#[test]
fn no_script_from_evidence_reaches_a_page() {
    let p = Portfolio::base("xss");
    p.edit(
        "content/workloads/alpha/stage.md",
        "Done;",
        "<script>alert(1)</script><img src=\"reports/evidence.txt\" onerror=\"alert(2)\">\
         <a href=\"reports/evidence.txt\" onclick=\"alert(3)\">x</a> Done;",
    );
    p.edit(
        "content/workloads/alpha/workload.yaml",
        "summary: The first workload.",
        "summary: \"<script>alert(4)</script> *first*\"",
    );
    let run = p.build(common::AS_OF);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = fs::read_to_string(p.path("public/workloads/alpha/index.html")).unwrap();
    // Pages may load the site's own scripts; none of the evidence's may survive.
    for bad in ["<script>alert", "onerror", "onclick", "alert("] {
        assert!(!page.contains(bad), "`{bad}` survived in the report");
    }
}

#[test]
fn the_link_checker_itself_finds_broken_links() {
    let t = common::TempDir::new("checker");
    let page = "<a href=\"ok.html\">ok</a> <a href='missing.html'>x</a> <a href=\"#here\" id=\"here\">\
                <a href=\"#gone\">y</a> <img src=\"../outside.png\"> <a href=\"/abs.html\">z</a>\
                <a href=\"https://example.org/\">w</a> <a data-href=\"ignored\">v</a>";
    fs::write(t.path().join("ok.html"), page).unwrap();
    let broken: Vec<String> = broken_links(t.path()).into_iter().map(|(_, link, _)| link).collect();
    assert_eq!(broken, ["missing.html", "#gone", "/abs.html", "../outside.png"]);
}

/// Next steps (align business priorities) follow a complete release: a
/// report shows them only when every workload of its release is promoted,
/// never on a blocked workload's page or one without a release.
#[test]
fn next_steps_only_on_reports_of_complete_releases() {
    let (p, r) = built_sample("next-steps");
    let complete: BTreeSet<&str> = r["releases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|rel| rel["complete"] == true)
        .map(|rel| rel["id"].as_str().unwrap())
        .collect();
    assert!(!complete.is_empty(), "the sample has a complete release");
    let (mut shown, mut hidden) = (0, 0);
    for w in r["workloads"].as_array().unwrap() {
        let id = w["id"].as_str().unwrap();
        let page = p.read(&format!("public/workloads/{id}/index.html"));
        let expect = w["release"].as_str().is_some_and(|rel| complete.contains(rel));
        assert_eq!(page.contains("id=\"next-h\""), expect, "{id} ({}): next steps shown?", w["decision"]);
        if expect { shown += 1 } else { hidden += 1 }
    }
    assert!(shown > 0 && hidden > 0, "both kinds of report are in the sample ({shown} shown, {hidden} hidden)");
}
