//! Who must act, and by when: `due` and `at_risk` in readiness.json, risk
//! acceptance and review, `attention_days`, and their diagnostics. Every
//! expected date below is worked out by hand from the fixture's dates.

use crate::common;
use common::*;
use serde_json::Value;

const ALPHA: &str = "content/workloads/alpha";

fn due(r: &Value, id: &str) -> Vec<(String, String, String)> {
    workload(r, id)["due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().into(),
                d["kind"].as_str().unwrap().into(),
                d["item"].as_str().unwrap_or("").into(),
            )
        })
        .collect()
}

fn at_risk(r: &Value, id: &str) -> Vec<(String, String, String)> {
    workload(r, id)["at_risk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (d["item"].as_str().unwrap().into(), d["kind"].as_str().unwrap().into(), d["date"].as_str().unwrap().into())
        })
        .collect()
}

fn t(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

#[test]
fn evidence_is_due_on_its_last_fresh_day_and_gone_the_day_after() {
    let p = Portfolio::base("last-fresh-day");
    // application-performance: validated 2026-10-02, max_age_days 30 -> fresh until 2026-11-01.
    let r = p.readiness("2026-10-20");
    assert_eq!(due(&r, "alpha"), vec![t("2026-11-01", "stale", "application-performance")]);
    let r = p.readiness("2026-11-01");
    assert_eq!(item(&r, "alpha", "application-performance")["satisfied"], true);
    // The release target (2026-12-01) is 30 days off: outside the default 14.
    assert_eq!(due(&r, "alpha"), vec![t("2026-11-01", "stale", "application-performance")]);
    let r = p.readiness("2026-11-02");
    assert_eq!(item(&r, "alpha", "application-performance")["satisfied"], false);
    assert!(due(&r, "alpha").iter().all(|d| d.2 != "application-performance"), "{:?}", due(&r, "alpha"));
}

#[test]
fn at_risk_lists_what_lapses_before_the_release_target() {
    let p = Portfolio::base("at-risk");
    // Target 2026-12-01. application-performance is fresh until 2026-11-01: at risk.
    // bcdr-validation (2026-09-02 + 90) is fresh until 2026-12-01, the target itself: not at risk.
    let r = p.readiness("2026-10-15");
    assert_eq!(workload(&r, "alpha")["decision"], "ready");
    assert_eq!(at_risk(&r, "alpha"), vec![t("application-performance", "stale", "2026-11-01")]);
    let msg = workload(&r, "alpha")["at_risk"][0]["message"].as_str().unwrap();
    assert!(msg.contains("2026-11-01") && msg.contains("2026-12-01"), "{msg}");
}

#[test]
fn a_target_on_the_as_of_date_is_due_today_and_puts_nothing_at_risk() {
    let p = Portfolio::base("target-today");
    p.edit("content/site.yaml", "target: 2026-12-01", "target: 2026-10-20");
    let r = p.readiness("2026-10-20");
    assert!(due(&r, "alpha").contains(&t("2026-10-20", "release-target", "")), "{:?}", due(&r, "alpha"));
    assert_eq!(at_risk(&r, "alpha"), vec![]);
    // The day after, the target has passed: nothing left to be due.
    let r = p.readiness("2026-10-21");
    assert!(!due(&r, "alpha").iter().any(|d| d.1 == "release-target"));
}

#[test]
fn a_waiver_is_due_on_its_last_day() {
    let p = Portfolio::base("waiver-last-day");
    let file = format!("{ALPHA}/identity-alignment.md");
    p.write(
        &file,
        "---\nstatus: waived\nwaiver:\n  approved_by: carol.ciso@example.org\n  approved_on: 2026-10-01\n  expires_on: 2026-10-20\n  reason: Directory sync lands next sprint.\n  mitigation: Accounts are reviewed by hand.\n---\nWaived.\n",
    );
    let r = p.readiness("2026-10-20");
    assert_eq!(item(&r, "alpha", "identity-alignment")["satisfied"], true);
    assert!(due(&r, "alpha").contains(&t("2026-10-20", "waiver-expires", "identity-alignment")));
    let r = p.readiness("2026-10-21");
    assert_eq!(item(&r, "alpha", "identity-alignment")["satisfied"], false);
    assert!(!due(&r, "alpha").iter().any(|d| d.1 == "waiver-expires"));
}

fn with_risk(p: &Portfolio, extra: &str) {
    p.edit(&format!("{ALPHA}/ciso-verification.md"), "    accepted: true\n", &format!("    accepted: true\n{extra}"));
}

#[test]
fn a_risk_review_on_the_as_of_date_still_holds_and_lapses_the_day_after() {
    let p = Portfolio::base("risk-review");
    with_risk(&p, "    accepted_by: carol.ciso@example.org\n    accepted_on: 2026-09-10\n    review_by: 2026-10-20\n");
    let r = p.readiness("2026-10-20");
    assert_eq!(item(&r, "alpha", "ciso-verification")["satisfied"], true);
    assert!(due(&r, "alpha").contains(&t("2026-10-20", "risk-review", "ciso-verification")));
    let r = p.readiness("2026-10-21");
    let ciso = item(&r, "alpha", "ciso-verification");
    assert_eq!(ciso["satisfied"], false);
    assert_eq!(ciso["note"], "risk r1 was due for review by 2026-10-20, before the as-of date 2026-10-21");
    assert_eq!(workload(&r, "alpha")["decision"], "blocked");
}

#[test]
fn a_review_before_the_target_puts_the_item_at_risk() {
    let p = Portfolio::base("risk-at-risk");
    with_risk(&p, "    accepted_by: carol.ciso@example.org\n    accepted_on: 2026-09-10\n    review_by: 2026-11-30\n");
    let r = p.readiness("2026-10-15");
    assert!(at_risk(&r, "alpha").contains(&t("ciso-verification", "risk-review", "2026-11-30")));
}

#[test]
fn a_risk_accepted_by_someone_outside_the_role_on_that_day_does_not_count() {
    let p = Portfolio::base("risk-acceptor");
    p.edit(
        "content/site.yaml",
        "ciso: [carol.ciso@example.org]",
        "ciso:\n    - carol.ciso@example.org\n    - {person: dan.deputy@example.org, since: 2026-10-01}",
    );
    with_risk(&p, "    accepted_by: dan.deputy@example.org\n    accepted_on: 2026-09-30\n");
    let r = p.readiness(AS_OF);
    let ciso = item(&r, "alpha", "ciso-verification");
    assert_eq!(ciso["satisfied"], false);
    let note = ciso["note"].as_str().unwrap();
    assert!(
        note.starts_with(
            "risk r1 accepted by dan.deputy@example.org, who was not an approver for role `ciso` on 2026-09-30"
        ),
        "{note}"
    );
    // On his first day in the role, it counts.
    p.edit(&format!("{ALPHA}/ciso-verification.md"), "accepted_on: 2026-09-30", "accepted_on: 2026-10-01");
    assert_eq!(item(&p.readiness(AS_OF), "alpha", "ciso-verification")["satisfied"], true);
    // A member of another role is outside this one.
    p.edit(
        &format!("{ALPHA}/ciso-verification.md"),
        "accepted_by: dan.deputy@example.org",
        "accepted_by: bob.biz@example.org",
    );
    let r = p.readiness(AS_OF);
    assert_eq!(item(&r, "alpha", "ciso-verification")["satisfied"], false);
}

#[test]
fn risk_dates_and_names_are_checked_where_they_are_written() {
    let p = Portfolio::base("risk-diags");
    with_risk(&p, "    accepted_by: carol.cisso@example.org\n    accepted_on: 2026-09-10\n    review_by: 2026-09-01\n");
    let diags = p.diagnostics();
    let file = format!("{ALPHA}/ciso-verification.md");
    let order = diags.iter().find(|d| d.code == "E0209").unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(order.at(), ("E0209", file.as_str(), 14, 16));
    assert!(order.help.as_deref().unwrap().contains("on or after `accepted_on`"));
    let nobody = diags.iter().find(|d| d.code == "E0604").unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(nobody.at(), ("E0604", file.as_str(), 12, 18));
    assert_eq!(nobody.help.as_deref(), Some("did you mean `carol.ciso@example.org`?"));
}

#[test]
fn accepted_by_and_accepted_on_go_together() {
    let p = Portfolio::base("risk-pair");
    with_risk(&p, "    accepted_by: carol.ciso@example.org\n");
    let diags = p.diagnostics();
    let d = diags.iter().find(|d| d.code == "E0202").unwrap_or_else(|| panic!("{diags:?}"));
    assert!(d.message.contains("accepted_on"), "{}", d.message);
}

#[test]
fn attention_days_sets_the_window_and_is_checked() {
    let p = Portfolio::base("attention");
    // 2026-10-15 + 14 = 2026-10-29: application-performance (2026-11-01) is outside.
    assert_eq!(due(&p.readiness("2026-10-15"), "alpha"), vec![]);
    p.edit("content/site.yaml", "title: Test portfolio\n", "title: Test portfolio\nattention_days: 17\n");
    // + 17 = 2026-11-01: its last fresh day is inside.
    assert_eq!(due(&p.readiness("2026-10-15"), "alpha"), vec![t("2026-11-01", "stale", "application-performance")]);
    p.edit("content/site.yaml", "attention_days: 17", "attention_days: 16");
    assert_eq!(due(&p.readiness("2026-10-15"), "alpha"), vec![]);
    p.edit("content/site.yaml", "attention_days: 16", "attention_days: -3");
    let diags = p.diagnostics();
    let d = diags.iter().find(|d| d.code == "E0205").unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(d.at(), ("E0205", "content/site.yaml", 3, 17));
    assert!(d.help.is_some());
    p.edit("content/site.yaml", "attention_days: -3", "attention_days: soon");
    let diags = p.diagnostics();
    let d = diags.iter().find(|d| d.code == "E0204").unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(d.at(), ("E0204", "content/site.yaml", 3, 17));
}

#[test]
fn the_sample_says_what_lapses_before_wave_3() {
    let p = Portfolio::sample("sample-dates");
    let run = p.build("2026-11-26");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r: Value = serde_json::from_str(&p.read("public/readiness.json")).unwrap();
    // Expense claims is ready, but its performance evidence (2026-11-13 + 30) is
    // fresh only until 2026-12-13, before wave 3's target of 2026-12-15.
    assert_eq!(workload(&r, "expense-claims")["decision"], "ready");
    assert_eq!(at_risk(&r, "expense-claims"), vec![t("application-performance", "stale", "2026-12-13")]);
    // General ledger's (2026-11-18 + 30) lasts until 2026-12-18: its report lists the date.
    let report = html_text(&p.read("public/workloads/general-ledger/index.html"));
    assert!(report.contains("2026-12-18"), "{report}");
    assert!(report.contains("Dates ahead"));
    // Its CISO accepted risk gl-01 until the VPN goes: a review date on the calendar and on her page.
    assert!(report.contains("2027-01-31 : risk review"), "{report}");
    let ics = p.read("public/people/ana-ruiz-contoso-example/calendar.ics");
    assert!(ics.contains("UID:risk-review.general-ledger.ciso-verification.gl-01@cutover\r\n"), "{ics}");
    assert!(ics.contains("DTSTART;VALUE=DATE:20270131\r\n"));
}
