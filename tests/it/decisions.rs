//! The decision rules of FORMAT.md ("What a workload's decision is"), as a
//! table of cases. Each case starts from `tests/fixtures/base` (workload
//! `alpha`, release wave-1, every item but `promote` validated, ready as of
//! 2026-10-15), changes one thing, builds, and reads `readiness.json`.

use crate::common;

use common::{AS_OF, Portfolio, add_days, item, workload};
use serde_json::Value;

const ALPHA: &str = "content/workloads/alpha";

fn lines(l: &[&str]) -> String {
    let mut s = l.join("\n");
    s.push('\n');
    s
}

/// A reason as (`item` or `workload`, id).
type Why = (&'static str, &'static str);

/// The decision of `id` and its reasons as (kind, id), checking each reason's shape.
fn decision(readiness: &Value, id: &str) -> (String, Vec<(String, String)>) {
    let w = workload(readiness, id);
    let reasons = w["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let msg = r["message"].as_str().unwrap();
            assert!(!msg.trim().is_empty(), "reason without a message: {r}");
            match (r.get("item"), r.get("workload")) {
                (Some(i), None) => ("item".to_string(), i.as_str().unwrap().to_string()),
                (None, Some(w)) => ("workload".to_string(), w.as_str().unwrap().to_string()),
                _ => panic!("a reason names an item or a workload: {r}"),
            }
        })
        .collect();
    (w["decision"].as_str().unwrap().to_string(), reasons)
}

fn assert_decision(p: &Portfolio, as_of: &str, id: &str, want: &str, why: &[Why], case: &str) {
    let r = p.readiness(as_of);
    let (got, reasons) = decision(&r, id);
    let want_reasons: Vec<(String, String)> = why.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    assert_eq!(
        (got.as_str(), &reasons),
        (want, &want_reasons),
        "case `{case}`: {id} as of {as_of}: {}",
        workload(&r, id)
    );
}

fn promote(status: &str) -> String {
    let mut l = vec!["---".to_string(), format!("status: {status}")];
    if status != "in-progress" {
        l.push("executed_on: 2026-10-10".into());
        l.push("promoted_on: 2026-10-10".into());
    }
    if status == "documented" || status == "validated" {
        l.push("documented_in: [reports/evidence.txt]".into());
        l.push("cutover:".into());
        l.push("  - {record: alpha.example.org, type: A, from: 10.0.0.1, to: 10.1.0.1, ttl: 300}".into());
    }
    if status == "validated" {
        l.push("validated_by: val.idator@example.org".into());
        l.push("validated_on: 2026-10-11".into());
    }
    l.push("---".into());
    l.push("Promoted.".into());
    l.join("\n") + "\n"
}

fn waiver(expires_on: &str) -> String {
    lines(&[
        "---",
        "status: waived",
        "waiver:",
        "  approved_by: carol.ciso@example.org",
        "  approved_on: 2026-09-01",
        &format!("  expires_on: {expires_on}"),
        "  reason: The directory sync is replaced next quarter.",
        "  mitigation: Access is reviewed by hand every week.",
        "---",
    ])
}

struct Case {
    name: &'static str,
    setup: Setup,
    as_of: &'static str,
    decision: &'static str,
    reasons: &'static [Why],
}

/// A change to a portfolio.
type Setup = fn(&Portfolio);

fn nothing(_: &Portfolio) {}

const CASES: &[Case] = &[
    Case {
        name: "every required item but promote is satisfied",
        setup: nothing,
        as_of: AS_OF,
        decision: "ready",
        reasons: &[],
    },
    Case {
        name: "promote in progress does not keep a workload from ready",
        setup: |p| {
            p.write(&format!("{ALPHA}/promote.md"), &promote("in-progress"));
        },
        as_of: AS_OF,
        decision: "ready",
        reasons: &[],
    },
    Case {
        name: "promote executed",
        setup: |p| {
            p.write(&format!("{ALPHA}/promote.md"), &promote("executed"));
        },
        as_of: AS_OF,
        decision: "promoted",
        reasons: &[],
    },
    Case {
        name: "promote documented",
        setup: |p| {
            p.write(&format!("{ALPHA}/promote.md"), &promote("documented"));
        },
        as_of: AS_OF,
        decision: "promoted",
        reasons: &[],
    },
    Case {
        name: "promote validated",
        setup: |p| {
            p.write(&format!("{ALPHA}/promote.md"), &promote("validated"));
        },
        as_of: AS_OF,
        decision: "promoted",
        reasons: &[],
    },
    Case {
        name: "promote executed while other items are missing is still promoted",
        setup: |p| {
            p.remove(&format!("{ALPHA}/ready.md"));
            p.remove(&format!("{ALPHA}/stage.md"));
            p.write(&format!("{ALPHA}/promote.md"), &promote("executed"));
        },
        as_of: AS_OF,
        decision: "promoted",
        reasons: &[],
    },
    Case {
        name: "a missing item blocks, and the reason names it",
        setup: |p| {
            p.remove(&format!("{ALPHA}/ready.md"));
        },
        as_of: AS_OF,
        decision: "blocked",
        reasons: &[("item", "ready")],
    },
    Case {
        name: "documented is not enough",
        setup: |p| {
            p.write(
                &format!("{ALPHA}/user-routing.md"),
                &lines(&[
                    "---",
                    "status: documented",
                    "executed_on: 2026-09-01",
                    "documented_in: [reports/evidence.txt]",
                    "---",
                ]),
            );
        },
        as_of: AS_OF,
        decision: "blocked",
        reasons: &[("item", "user-routing")],
    },
    Case {
        name: "every unsatisfied item is a reason, in checklist order",
        setup: |p| {
            p.remove(&format!("{ALPHA}/data-classification.md"));
            p.remove(&format!("{ALPHA}/business-testing.md"));
        },
        as_of: AS_OF,
        decision: "blocked",
        reasons: &[("item", "business-testing"), ("item", "data-classification")],
    },
    Case {
        name: "a waiver is in force on its expires_on date",
        setup: |p| {
            p.write(&format!("{ALPHA}/identity-alignment.md"), &waiver("2026-10-15"));
        },
        as_of: "2026-10-15",
        decision: "ready",
        reasons: &[],
    },
    Case {
        name: "a waiver has expired the day after expires_on",
        setup: |p| {
            p.write(&format!("{ALPHA}/identity-alignment.md"), &waiver("2026-10-15"));
        },
        as_of: "2026-10-16",
        decision: "blocked",
        reasons: &[("item", "identity-alignment")],
    },
    Case {
        // alpha's application-performance was validated on 2026-10-02.
        name: "application-performance exactly 30 days after validation is fresh",
        setup: nothing,
        as_of: "2026-11-01",
        decision: "ready",
        reasons: &[],
    },
    Case {
        name: "application-performance 31 days after validation is stale",
        setup: nothing,
        as_of: "2026-11-02",
        decision: "blocked",
        reasons: &[("item", "application-performance")],
    },
    Case {
        name: "bcdr-validation exactly 90 days after validation is fresh",
        setup: |p| bcdr_validated_on(p, "2026-08-01"),
        as_of: "2026-10-30",
        decision: "ready",
        reasons: &[],
    },
    Case {
        name: "bcdr-validation 91 days after validation is stale",
        setup: |p| bcdr_validated_on(p, "2026-08-01"),
        as_of: "2026-10-31",
        decision: "blocked",
        reasons: &[("item", "bcdr-validation")],
    },
    Case {
        name: "ciso-verification signed by someone outside the ciso role",
        setup: |p| {
            p.edit(
                &format!("{ALPHA}/ciso-verification.md"),
                "validated_by: carol.ciso@example.org",
                "validated_by: val.idator@example.org",
            );
        },
        as_of: AS_OF,
        decision: "blocked",
        reasons: &[("item", "ciso-verification")],
    },
    Case {
        name: "business-change-plan signed by the CISO, who is not in the business role",
        setup: |p| {
            p.edit(
                &format!("{ALPHA}/business-change-plan.md"),
                "validated_by: bob.biz@example.org",
                "validated_by: carol.ciso@example.org",
            );
        },
        as_of: AS_OF,
        decision: "blocked",
        reasons: &[("item", "business-change-plan")],
    },
    Case {
        name: "a second approver of the role may sign",
        setup: |p| {
            p.edit(
                "content/site.yaml",
                "ciso: [carol.ciso@example.org]",
                "ciso: [carol.ciso@example.org, dan.deputy@example.org]",
            );
            p.edit(
                &format!("{ALPHA}/ciso-verification.md"),
                "validated_by: carol.ciso@example.org",
                "validated_by: dan.deputy@example.org",
            );
        },
        as_of: AS_OF,
        decision: "ready",
        reasons: &[],
    },
    Case {
        name: "domain-alignment not-applicable with a justification is satisfied",
        setup: |p| {
            p.write(
                &format!("{ALPHA}/domain-alignment.md"),
                &lines(&[
                    "---",
                    "status: not-applicable",
                    "justification: Staging and production share one domain here.",
                    "---",
                ]),
            );
        },
        as_of: AS_OF,
        decision: "ready",
        reasons: &[],
    },
    Case {
        name: "x- keys are accepted everywhere",
        setup: x_keys_everywhere,
        as_of: AS_OF,
        decision: "ready",
        reasons: &[],
    },
];

fn bcdr_validated_on(p: &Portfolio, date: &str) {
    let f = format!("{ALPHA}/bcdr-validation.md");
    p.set_field(&f, "executed_on", date);
    p.set_field(&f, "last_restore_test", date);
    p.set_field(&f, "validated_on", date);
}

fn x_keys_everywhere(p: &Portfolio) {
    p.edit("content/site.yaml", "title: Test portfolio", "title: Test portfolio\nx-programme: DCN-EXIT");
    p.edit("content/site.yaml", "    title: Wave 2", "    title: Wave 2\n    x-budget: 12");
    p.edit(
        &format!("{ALPHA}/workload.yaml"),
        "summary: The first workload.",
        "summary: The first workload.\nx-cmdb: CI0001\nassets:\n  - {name: ALPHA-VM1, kind: vm, x-rack: R12}",
    );
    p.edit(&format!("{ALPHA}/stage.md"), "status: validated", "status: validated\nx-ticket: CHG0001");
    p.edit(&format!("{ALPHA}/ciso-verification.md"), "    accepted: true", "    accepted: true\n    x-review-id: SR-7");
    p.write(&format!("{ALPHA}/identity-alignment.md"), &waiver("2026-11-30"));
    p.edit(&format!("{ALPHA}/identity-alignment.md"), "  reason:", "  x-ticket: RISK-12\n  reason:");
    p.write("content/pages/about.md", &lines(&["---", "title: About", "x-author: cmo", "---", "About us."]));
    p.write("content/checklist.yaml", &std::fs::read_to_string(common::fixture("checklist-with-x-keys.yaml")).unwrap());
}

#[test]
fn decision_table() {
    for (n, case) in CASES.iter().enumerate() {
        let p = Portfolio::base(&format!("decision-{n}"));
        (case.setup)(&p);
        assert_decision(&p, case.as_of, "alpha", case.decision, case.reasons, case.name);
    }
}

#[test]
fn x_keys_leave_check_clean() {
    let p = Portfolio::base("x-keys-clean");
    x_keys_everywhere(&p);
    assert_eq!(p.diagnostics(), vec![]);
}

#[test]
fn reasons_say_what_is_wrong() {
    let p = Portfolio::base("reason-messages");
    p.remove(&format!("{ALPHA}/ready.md"));
    p.write(&format!("{ALPHA}/identity-alignment.md"), &waiver("2026-10-01"));
    p.edit(
        &format!("{ALPHA}/ciso-verification.md"),
        "validated_by: carol.ciso@example.org",
        "validated_by: val.idator@example.org",
    );
    let r = p.readiness("2026-11-10");
    let reasons = workload(&r, "alpha")["reasons"].as_array().unwrap().clone();
    let msg = |id: &str| {
        reasons.iter().find(|x| x["item"] == id).unwrap_or_else(|| panic!("no reason for {id}: {reasons:?}"))["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(msg("ready").contains("not started"), "{}", msg("ready"));
    assert!(msg("identity-alignment").contains("2026-10-01"), "names the expiry: {}", msg("identity-alignment"));
    let ciso = msg("ciso-verification");
    assert!(ciso.contains("val.idator@example.org") && ciso.contains("ciso"), "{ciso}");
    let perf = msg("application-performance");
    assert!(perf.contains("2026-10-02") && perf.contains("30"), "{perf}");
}

#[test]
fn item_states_in_readiness_json() {
    let p = Portfolio::base("item-states");
    p.write(
        &format!("{ALPHA}/domain-alignment.md"),
        &lines(&["---", "status: not-applicable", "justification: One domain.", "---"]),
    );
    p.remove(&format!("{ALPHA}/ready.md"));
    let r = p.readiness(AS_OF);
    let da = item(&r, "alpha", "domain-alignment");
    assert_eq!(da["status"], "not-applicable");
    assert_eq!(da["satisfied"], true);
    let ready = item(&r, "alpha", "ready");
    assert_eq!(ready["status"], "not-started");
    assert_eq!(ready["satisfied"], false);
    assert_eq!(item(&r, "alpha", "stage")["satisfied"], true);
    let ids: Vec<&str> =
        workload(&r, "alpha")["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "assess",
            "architect",
            "replicate",
            "stage",
            "business-testing",
            "business-change-plan",
            "ready",
            "domain-alignment",
            "user-routing",
            "identity-alignment",
            "application-performance",
            "bcdr-validation",
            "data-classification",
            "ciso-verification",
            "promote"
        ],
        "every checklist item, in checklist order"
    );
}

#[test]
fn freshness_boundaries_move_with_validated_on() {
    // The same rule from the other side: fixed as-of date, validated_on moved.
    for (item_id, max) in [("application-performance", 30), ("bcdr-validation", 90)] {
        // A negative age: validated after the as-of date, so not yet on it.
        for (age, want) in [(max, "ready"), (max + 1, "blocked"), (0, "ready"), (-1, "blocked"), (-27_000, "blocked")] {
            let p = Portfolio::base(&format!("fresh-{item_id}-{age}"));
            let f = format!("{ALPHA}/{item_id}.md");
            let on = add_days(AS_OF, -age);
            p.set_field(&f, "executed_on", &on);
            p.set_field(&f, "validated_on", &on);
            if item_id == "bcdr-validation" {
                p.set_field(&f, "last_restore_test", &on);
            }
            let r = p.readiness(AS_OF);
            assert_eq!(decision(&r, "alpha").0, want, "{item_id} validated {age} days before {AS_OF}");
            assert_eq!(item(&r, "alpha", item_id)["satisfied"], want == "ready", "{item_id} {age}");
        }
    }
}

// ---- dependencies ----------------------------------------------------------

fn beta(release: Option<&str>, deps: &str) -> String {
    let mut l = vec![
        "name: Beta".to_string(),
        "owner: beta@example.org".to_string(),
        "criticality: standard".to_string(),
        format!("depends_on: [{deps}]"),
    ];
    if let Some(r) = release {
        l.push(format!("release: {r}"));
    }
    l.join("\n") + "\n"
}

#[test]
fn dependency_table() {
    struct Dep {
        name: &'static str,
        alpha: fn(&Portfolio),
        beta_release: Option<&'static str>,
        decision: &'static str,
        reasons: &'static [Why],
    }
    let blocked: fn(&Portfolio) = |p| {
        p.remove(&format!("{ALPHA}/ready.md"));
    };
    let promoted: fn(&Portfolio) = |p| {
        p.write(&format!("{ALPHA}/promote.md"), &promote("executed"));
    };
    let cases = [
        Dep {
            name: "dependency ready in the same release",
            alpha: nothing,
            beta_release: Some("wave-1"),
            decision: "ready",
            reasons: &[],
        },
        Dep {
            name: "dependency ready in another release",
            alpha: nothing,
            beta_release: Some("wave-2"),
            decision: "blocked",
            reasons: &[("workload", "alpha")],
        },
        Dep {
            name: "dependency ready, dependant in no release",
            alpha: nothing,
            beta_release: None,
            decision: "blocked",
            reasons: &[("workload", "alpha")],
        },
        Dep {
            name: "dependency promoted, other release",
            alpha: promoted,
            beta_release: Some("wave-2"),
            decision: "ready",
            reasons: &[],
        },
        Dep {
            name: "dependency blocked, same release: blocked only by the dependency",
            alpha: blocked,
            beta_release: Some("wave-1"),
            decision: "blocked",
            reasons: &[("workload", "alpha")],
        },
    ];
    for (n, c) in cases.iter().enumerate() {
        let p = Portfolio::base(&format!("dep-{n}"));
        p.add_ready_workload("beta", &beta(c.beta_release, "alpha"));
        (c.alpha)(&p);
        assert_decision(&p, AS_OF, "beta", c.decision, c.reasons, c.name);
    }
}

#[test]
fn a_blocked_dependency_is_named_not_its_own_dependencies() {
    let p = Portfolio::base("dep-chain");
    p.remove(&format!("{ALPHA}/ready.md"));
    p.add_ready_workload("beta", &beta(Some("wave-1"), "alpha"));
    p.add_ready_workload("gamma", &beta(Some("wave-1"), "beta"));
    let r = p.readiness(AS_OF);
    assert_eq!(decision(&r, "gamma"), ("blocked".to_string(), vec![("workload".to_string(), "beta".to_string())]));
    assert_eq!(decision(&r, "beta").0, "blocked");
}

#[test]
fn item_and_dependency_reasons_are_both_listed() {
    let p = Portfolio::base("dep-and-item");
    p.remove(&format!("{ALPHA}/ready.md"));
    p.add_ready_workload("beta", &beta(Some("wave-1"), "alpha"));
    p.remove("content/workloads/beta/stage.md");
    assert_decision(&p, AS_OF, "beta", "blocked", &[("item", "stage"), ("workload", "alpha")], "both kinds of reason");
}

// ---- criticality and custom checklists ------------------------------------

#[test]
fn an_item_not_required_for_the_criticality_does_not_block() {
    let p = Portfolio::base("not-required");
    let builtin = common::cutover(["checklist"]).stdout;
    // Make `ready` required for mission-critical workloads only; alpha is business-critical.
    let marker = "- id: ready\n";
    let at = builtin.find(marker).expect("the printed checklist lists `ready`");
    let rest = &builtin[at..];
    let req = rest.find("  required:\n").unwrap();
    let end = rest[req..].find("  allow_not_applicable").unwrap();
    let custom = format!("{}{}  required: [mission-critical]\n{}", &builtin[..at], &rest[..req], &rest[req + end..]);
    p.write("content/checklist.yaml", &custom);
    p.remove(&format!("{ALPHA}/ready.md"));
    assert_eq!(p.diagnostics(), vec![]);
    let r = p.readiness(AS_OF);
    assert_eq!(decision(&r, "alpha"), ("ready".to_string(), vec![]));
    assert_eq!(item(&r, "alpha", "ready")["satisfied"], false);

    p.edit(&format!("{ALPHA}/workload.yaml"), "criticality: business-critical", "criticality: mission-critical");
    assert_decision(&p, AS_OF, "alpha", "blocked", &[("item", "ready")], "mission-critical needs `ready`");
}

// ---- evidence with errors --------------------------------------------------

#[test]
fn evidence_with_an_error_is_never_ready() {
    // Errors stop `build`, so the decision is read from `check`'s summary line.
    let cases: [(&str, Setup); 3] = [
        ("an unknown field in validated evidence", |p| {
            p.edit(&format!("{ALPHA}/stage.md"), "status: validated", "status: validated\ncolour: red");
        }),
        ("a broken link in validated evidence", |p| {
            p.edit(&format!("{ALPHA}/stage.md"), "Done;", "See [log](logs/missing.txt). Done;");
        }),
        ("an error in promote.md that is only in progress", |p| {
            p.write(&format!("{ALPHA}/promote.md"), &lines(&["---", "status: in-progress", "colour: red", "---"]));
        }),
    ];
    for (name, setup) in cases {
        let p = Portfolio::base("broken-evidence");
        // Sanity: without the error the workload is ready.
        assert_eq!(p.check_human(AS_OF).summary().ready, 1);
        setup(&p);
        let run = p.check_human(AS_OF);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        let s = run.summary();
        assert_eq!((s.ready, s.blocked), (0, 1), "{name}: {}", run.stderr);
    }
}

// ---- releases --------------------------------------------------------------

#[test]
fn a_release_is_complete_when_every_workload_in_it_is_promoted() {
    let p = Portfolio::base("release-complete");
    p.add_ready_workload("beta", &beta(Some("wave-1"), "alpha"));
    let complete = |r: &Value, id: &str| {
        r["releases"].as_array().unwrap().iter().find(|x| x["id"] == id).unwrap()["complete"].clone()
    };
    p.write(&format!("{ALPHA}/promote.md"), &promote("executed"));
    let r = p.readiness(AS_OF);
    assert_eq!(complete(&r, "wave-1"), false, "beta is only ready");
    p.write("content/workloads/beta/promote.md", &promote("validated"));
    let r = p.readiness(AS_OF);
    assert_eq!(complete(&r, "wave-1"), true);
    assert_eq!(decision(&r, "beta").0, "promoted");
}

#[test]
fn as_of_comes_from_the_command_line_then_site_yaml_then_source_date_epoch() {
    let p = Portfolio::base("as-of-precedence");
    let as_of = |extra: &[(&str, &str)], args: &[&str]| {
        let out = p.path("public");
        let mut a =
            vec!["build".to_string(), p.root().display().to_string(), "--out".to_string(), out.display().to_string()];
        a.extend(args.iter().map(|s| s.to_string()));
        let run = common::cutover_env(&a, extra);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let r: Value = serde_json::from_str(&std::fs::read_to_string(out.join("readiness.json")).unwrap()).unwrap();
        r["as_of"].as_str().unwrap().to_string()
    };
    // 1795651200 is 2026-11-26T00:00:00Z.
    let epoch = [("SOURCE_DATE_EPOCH", "1795651200")];
    assert_eq!(as_of(&epoch, &[]), "2026-11-26");
    p.edit("content/site.yaml", "title: Test portfolio", "title: Test portfolio\nas_of: 2026-10-20");
    assert_eq!(as_of(&epoch, &[]), "2026-10-20");
    assert_eq!(as_of(&epoch, &["--as-of", "2026-10-21"]), "2026-10-21");
}

#[test]
fn date_helper_is_right() {
    assert_eq!(add_days("2026-10-15", -30), "2026-09-15");
    assert_eq!(add_days("2026-10-02", 30), "2026-11-01");
    assert_eq!(add_days("2026-08-01", 90), "2026-10-30");
    assert_eq!(add_days("2026-03-01", -1), "2026-02-28");
    assert_eq!(add_days("2024-02-28", 1), "2024-02-29");
    assert_eq!(add_days("2026-12-31", 1), "2027-01-01");
}
