//! FORMAT.md, version 1.1, "Trust": approvers over time, waivers, dates
//! after the as-of date and checklist roles, through the binary. Each test
//! starts from `tests/fixtures/base` (workload `alpha`, ready as of
//! 2026-10-15), changes what the rule is about, and reads `readiness.json`,
//! `check --format json`, `gate` or the built site.

use crate::common;

use common::{AS_OF, Diag, Portfolio, Run, add_days, cutover, cutover_env, html_text, item, snapshot, workload};
use serde_json::Value;
use std::collections::BTreeMap;
use std::ffi::OsStr;

const ALPHA: &str = "content/workloads/alpha";
const CISO_MD: &str = "content/workloads/alpha/ciso-verification.md";
const SITE: &str = "content/site.yaml";
const CHECKLIST: &str = "content/checklist.yaml";
const CAROL: &str = "carol.ciso@example.org";
const BOB: &str = "bob.biz@example.org";
const VAL: &str = "val.idator@example.org";

// ---- helpers ----------------------------------------------------------------

/// Replaces the `approvers:` block of the base site.yaml (everything up to `releases:`).
fn set_approvers(p: &Portfolio, block: &str) {
    let site = p.read(SITE);
    let start = site.find("approvers:\n").expect("approvers in site.yaml");
    let end = site.find("releases:\n").expect("releases in site.yaml");
    assert!(block.starts_with("approvers:\n") && block.ends_with('\n'), "{block}");
    p.write(SITE, &format!("{}{block}{}", &site[..start], &site[end..]));
}

/// The path of alpha's evidence for `item`.
fn ev(item: &str) -> String {
    format!("{ALPHA}/{item}.md")
}

/// A `waived` evidence file.
fn waived(by: &str, approved_on: &str, expires_on: &str) -> String {
    waived_with(
        by,
        approved_on,
        expires_on,
        "The directory sync is replaced next quarter.",
        "Accounts are reviewed by hand every week.",
    )
}

fn waived_with(by: &str, approved_on: &str, expires_on: &str, reason: &str, mitigation: &str) -> String {
    format!(
        "---\nstatus: waived\nwaiver:\n  approved_by: {by}\n  approved_on: {approved_on}\n  expires_on: {expires_on}\n  reason: {reason}\n  mitigation: {mitigation}\n---\nWaived.\n"
    )
}

/// A promotion record: `executed`, on `on`.
fn promote_executed(on: &str) -> String {
    format!("---\nstatus: executed\nexecuted_on: {on}\npromoted_on: {on}\n---\nCut over.\n")
}

/// The decision of `id` as of the readiness document.
fn decision(r: &Value, id: &str) -> String {
    workload(r, id)["decision"].as_str().unwrap().to_string()
}

/// The reasons of `id` as (`item:<id>` or `workload:<id>`, message).
fn reasons(r: &Value, id: &str) -> Vec<(String, String)> {
    workload(r, id)["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let who = match (x.get("item"), x.get("workload")) {
                (Some(i), None) => format!("item:{}", i.as_str().unwrap()),
                (None, Some(w)) => format!("workload:{}", w.as_str().unwrap()),
                _ => panic!("a reason names an item or a workload: {x}"),
            };
            (who, x["message"].as_str().unwrap().to_string())
        })
        .collect()
}

/// Asserts alpha is ready as of `as_of`, with no reasons.
fn assert_ready(p: &Portfolio, as_of: &str, case: &str) {
    let r = p.readiness(as_of);
    assert_eq!(
        (decision(&r, "alpha").as_str(), reasons(&r, "alpha")),
        ("ready", vec![]),
        "{case}: {}",
        workload(&r, "alpha")
    );
}

/// Asserts alpha is blocked as of `as_of` by `item` alone, whose reason contains every one of `says`.
fn assert_blocked_by(p: &Portfolio, as_of: &str, item_id: &str, says: &[&str], case: &str) -> String {
    let r = p.readiness(as_of);
    let got = reasons(&r, "alpha");
    assert_eq!(decision(&r, "alpha"), "blocked", "{case}: {}", workload(&r, "alpha"));
    let ids: Vec<&str> = got.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(ids, [format!("item:{item_id}").as_str()], "{case}: {got:?}");
    let msg = &got[0].1;
    for s in says {
        assert!(msg.to_lowercase().contains(&s.to_lowercase()), "{case}: the reason should say `{s}`: {msg:?}");
    }
    assert_eq!(item(&r, "alpha", item_id)["satisfied"], false, "{case}");
    msg.clone()
}

fn gate(p: &Portfolio, ids: &[&str], extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec![OsStr::new("gate")];
    args.extend(ids.iter().map(OsStr::new));
    args.extend([OsStr::new("--root"), p.root().as_os_str()]);
    args.extend(extra.iter().map(OsStr::new));
    cutover(&args)
}

/// `gate <id> --as-of <as_of> --format json`: (exit code, the workload's decision).
fn gate_decision(p: &Portfolio, id: &str, as_of: &str) -> (i32, String) {
    let run = gate(p, &[id], &["--as-of", as_of, "--format", "json"]);
    let doc: Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    let w = doc["workloads"].as_array().unwrap().iter().find(|w| w["id"] == id).unwrap_or_else(|| panic!("{doc}"));
    (run.code, w["decision"].as_str().unwrap().to_string())
}

/// `cutover checklist ROOT`: the effective checklist, as YAML text.
fn printed_checklist(p: &Portfolio) -> String {
    let run = cutover([OsStr::new("checklist"), p.root().as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

/// `text` with `from` replaced by `to` once; `from` must occur exactly once.
fn replaced(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` should occur once in:\n{text}");
    text.replacen(from, to, 1)
}

/// The 1-based (line, column) of the first occurrence of `needle` in `text`.
fn position(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not in:\n{text}"));
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    (u32::try_from(line).unwrap(), u32::try_from(column).unwrap())
}

/// The errors among `diags`, as (code, file, line, column).
fn errors(diags: &[Diag]) -> Vec<(&str, &str, u32, u32)> {
    diags.iter().filter(|d| d.severity == "error").map(Diag::at).collect()
}

/// Builds into ROOT/<dir> as of AS_OF with `--edition`, and returns every output file.
fn build_edition(p: &Portfolio, dir: &str, edition: &str) -> BTreeMap<String, Vec<u8>> {
    let out = p.path(dir);
    let run = cutover([
        OsStr::new("build"),
        p.root().as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--as-of"),
        OsStr::new(AS_OF),
        OsStr::new("--edition"),
        OsStr::new(edition),
    ]);
    assert_eq!(run.code, 0, "build --edition {edition} failed:\n{}", run.stderr);
    snapshot(&out, &[])
}

/// The output files whose bytes or path contain `marker`.
fn found(site: &BTreeMap<String, Vec<u8>>, marker: &str) -> Vec<String> {
    let needle = marker.as_bytes();
    site.iter()
        .filter(|(path, bytes)| path.contains(marker) || bytes.windows(needle.len()).any(|w| w == needle))
        .map(|(path, _)| path.clone())
        .collect()
}

/// Asserts each marker is in the internal edition and nowhere in the public one.
fn assert_withheld(internal: &BTreeMap<String, Vec<u8>>, public: &BTreeMap<String, Vec<u8>>, markers: &[(&str, &str)]) {
    assert!(public.contains_key("readiness.json"), "the public edition was built");
    for (marker, place) in markers {
        assert!(!found(internal, marker).is_empty(), "the internal edition should show {place} ({marker})");
        let leaks = found(public, marker);
        assert!(leaks.is_empty(), "the public edition leaks {place} ({marker}) in {leaks:?}");
    }
}

/// Writes `text` to `rel`, runs `f`, and puts the file back as it was.
fn with_file(p: &Portfolio, rel: &str, text: &str, f: impl FnOnce()) {
    let old = std::fs::read(p.path(rel)).ok();
    p.write(rel, text);
    f();
    match old {
        Some(bytes) => {
            p.write_bytes(rel, &bytes);
        }
        None => {
            p.remove(rel);
        }
    }
}

// ---- approvers over time ----------------------------------------------------

#[test]
fn an_approver_map_counts_sign_offs_from_since_to_until_both_days_included() {
    let p = Portfolio::base("approver-window");
    set_approvers(
        &p,
        "approvers:\n  ciso:\n    - person: carol.ciso@example.org\n      since: 2026-09-10\n      until: 2026-09-20\n      keys: [\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl carol@laptop\"]\n  business:\n    - bob.biz@example.org\n",
    );
    assert_eq!(p.diagnostics(), vec![], "approver maps with person, since, until and keys are valid");
    for on in ["2026-09-10", "2026-09-20"] {
        p.set_field(CISO_MD, "validated_on", on);
        assert_ready(&p, AS_OF, &format!("signed on {on}, a day of the membership"));
    }
    for on in ["2026-09-09", "2026-09-21"] {
        p.set_field(CISO_MD, "validated_on", on);
        assert_blocked_by(
            &p,
            AS_OF,
            "ciso-verification",
            &[CAROL, "ciso", on],
            &format!("signed on {on}, outside the membership"),
        );
    }
}

#[test]
fn ending_an_approver_keeps_their_earlier_sign_offs_while_a_successor_takes_over() {
    let p = Portfolio::base("approver-successor");
    set_approvers(
        &p,
        "approvers:\n  ciso:\n    - person: carol.ciso@example.org\n      until: 2026-10-10\n    - person: ines.moreau@example.org\n      since: 2026-10-11\n  business: [bob.biz@example.org]\n",
    );
    // Carol signed on 2026-09-10, in office; her term has ended by the as-of date.
    assert_ready(&p, AS_OF, "an earlier sign-off of an approver whose term ended");
    assert_ready(&p, "2026-10-11", "the first day of the successor");
    // Carol after her last day does not count.
    p.set_field(CISO_MD, "validated_on", "2026-10-11");
    assert_blocked_by(&p, AS_OF, "ciso-verification", &[CAROL, "2026-10-11"], "carol signs the day after `until`");
    p.set_field(CISO_MD, "validated_on", "2026-10-10");
    assert_ready(&p, AS_OF, "carol signs on her `until` day");
    // Ines, from her first day only.
    p.set_field(CISO_MD, "validated_by", "ines.moreau@example.org");
    assert_blocked_by(
        &p,
        AS_OF,
        "ciso-verification",
        &["ines.moreau@example.org", "2026-10-10"],
        "ines the day before `since`",
    );
    p.set_field(CISO_MD, "validated_on", "2026-10-11");
    assert_ready(&p, AS_OF, "ines on her `since` day");
}

#[test]
fn removing_an_approver_removes_their_sign_offs() {
    let p = Portfolio::base("approver-removed");
    assert_ready(&p, AS_OF, "carol is the ciso");
    set_approvers(
        &p,
        "approvers:\n  ciso:\n    - person: ines.moreau@example.org\n      since: 2026-10-11\n  business: [bob.biz@example.org]\n",
    );
    assert_blocked_by(&p, AS_OF, "ciso-verification", &[CAROL, "ciso"], "carol is no longer listed at all");
}

#[test]
fn people_compare_without_regard_to_case() {
    let p = Portfolio::base("approver-case");
    p.set_field(CISO_MD, "validated_by", "Carol.CISO@Example.org");
    p.set_field(&ev("business-change-plan"), "validated_by", "BOB.Biz@example.ORG");
    assert_ready(&p, AS_OF, "mixed-case signers, lower-case site.yaml");
    // The other way round, in map form; and a waiver approver.
    set_approvers(
        &p,
        "approvers:\n  ciso:\n    - person: CAROL.ciso@EXAMPLE.org\n      since: 2026-09-01\n  business: [Bob.Biz@Example.Org]\n",
    );
    p.set_field(CISO_MD, "validated_by", CAROL);
    p.set_field(&ev("business-change-plan"), "validated_by", BOB);
    assert_ready(&p, AS_OF, "lower-case signers, mixed-case site.yaml");
    p.write(&ev("data-classification"), &waived("carol.CISO@example.org", "2026-10-01", "2026-11-30"));
    assert_ready(&p, AS_OF, "a mixed-case waiver approver");
    let r = p.readiness(AS_OF);
    assert_eq!(item(&r, "alpha", "data-classification")["status"], "waived");
}

#[test]
fn a_waiver_counts_when_its_approver_was_a_member_on_approved_on() {
    let p = Portfolio::base("approver-waiver-date");
    set_approvers(
        &p,
        "approvers:\n  ciso:\n    - person: carol.ciso@example.org\n      until: 2026-09-30\n  business: [bob.biz@example.org]\n",
    );
    p.write(&ev("data-classification"), &waived(CAROL, "2026-09-30", "2026-12-01"));
    assert_ready(&p, AS_OF, "approved on carol's last day");
    p.write(&ev("data-classification"), &waived(CAROL, "2026-10-01", "2026-12-01"));
    assert_blocked_by(&p, AS_OF, "data-classification", &[CAROL, "ciso"], "approved the day after carol's last day");
}

// ---- waivers ----------------------------------------------------------------

#[test]
fn ciso_verification_and_data_classification_waivers_need_the_ciso() {
    for id in ["ciso-verification", "data-classification"] {
        let p = Portfolio::base(&format!("waiver-ciso-{id}"));
        for who in [BOB, VAL, "alpha-team@example.org"] {
            p.write(&ev(id), &waived(who, "2026-10-01", "2026-11-30"));
            assert_blocked_by(&p, AS_OF, id, &[who, "ciso"], &format!("{id} waived by {who}"));
        }
        p.write(&ev(id), &waived(CAROL, "2026-10-01", "2026-11-30"));
        assert_ready(&p, AS_OF, &format!("{id} waived by the ciso"));
        // A site `waivers` role does not stand in for `waiver_signoff: ciso`.
        p.edit(
            SITE,
            "  business: [bob.biz@example.org]\n",
            "  business: [bob.biz@example.org]\n  waivers: [cio@example.org]\n",
        );
        p.write(&ev(id), &waived("cio@example.org", "2026-10-01", "2026-11-30"));
        assert_blocked_by(&p, AS_OF, id, &["cio@example.org", "ciso"], &format!("{id} waived by the waivers role"));
    }
}

#[test]
fn a_waiver_of_an_item_with_signoff_business_needs_the_business_role() {
    let p = Portfolio::base("waiver-business");
    let rel = ev("business-change-plan");
    p.write(&rel, &waived(CAROL, "2026-10-01", "2026-11-30"));
    assert_blocked_by(&p, AS_OF, "business-change-plan", &[CAROL, "business"], "waived by the ciso");
    p.write(&rel, &waived(VAL, "2026-10-01", "2026-11-30"));
    assert_blocked_by(&p, AS_OF, "business-change-plan", &[VAL, "business"], "waived by anyone");
    p.write(&rel, &waived(BOB, "2026-10-01", "2026-11-30"));
    assert_ready(&p, AS_OF, "waived by the business approver");
    // `signoff` wins over the site's `waivers` role.
    p.edit(
        SITE,
        "  business: [bob.biz@example.org]\n",
        "  business: [bob.biz@example.org]\n  waivers: [cio@example.org]\n",
    );
    assert_ready(&p, AS_OF, "still the business approver");
    p.write(&rel, &waived("cio@example.org", "2026-10-01", "2026-11-30"));
    assert_blocked_by(
        &p,
        AS_OF,
        "business-change-plan",
        &["cio@example.org", "business"],
        "waived by the waivers role",
    );
}

#[test]
fn a_waiver_of_an_item_without_signoff_needs_the_waivers_role_when_the_site_defines_it() {
    let p = Portfolio::base("waiver-waivers-role");
    let rel = ev("identity-alignment");
    for who in [VAL, "anyone.at.all@example.org"] {
        p.write(&rel, &waived(who, "2026-10-01", "2026-11-30"));
        assert_ready(&p, AS_OF, &format!("no waivers role: {who} may approve"));
    }
    p.edit(
        SITE,
        "  business: [bob.biz@example.org]\n",
        "  business: [bob.biz@example.org]\n  waivers: [cio@example.org]\n",
    );
    for who in [VAL, CAROL, BOB] {
        p.write(&rel, &waived(who, "2026-10-01", "2026-11-30"));
        assert_blocked_by(
            &p,
            AS_OF,
            "identity-alignment",
            &[who, "waivers"],
            &format!("waivers role defined, {who} is not in it"),
        );
    }
    for who in ["cio@example.org", "CIO@Example.org"] {
        p.write(&rel, &waived(who, "2026-10-01", "2026-11-30"));
        assert_ready(&p, AS_OF, &format!("{who} is in the waivers role"));
    }
    // The waivers role over time, too.
    set_approvers(
        &p,
        "approvers:\n  ciso: [carol.ciso@example.org]\n  business: [bob.biz@example.org]\n  waivers:\n    - {person: cio@example.org, since: 2026-10-02}\n",
    );
    p.write(&rel, &waived("cio@example.org", "2026-10-01", "2026-11-30"));
    assert_blocked_by(&p, AS_OF, "identity-alignment", &["cio@example.org", "waivers"], "approved before `since`");
    p.write(&rel, &waived("cio@example.org", "2026-10-02", "2026-11-30"));
    assert_ready(&p, AS_OF, "approved on `since`");
}

#[test]
fn a_waiver_approved_on_the_as_of_date_counts_and_one_approved_the_day_after_does_not() {
    let p = Portfolio::base("waiver-approved-on");
    let rel = ev("identity-alignment");
    p.write(&rel, &waived(VAL, AS_OF, &add_days(AS_OF, 30)));
    assert_ready(&p, AS_OF, "approved on the as-of date");
    p.write(&rel, &waived(VAL, AS_OF, AS_OF));
    assert_ready(&p, AS_OF, "approved and expiring on the as-of date: a one-day waiver");
    let next = add_days(AS_OF, 1);
    p.write(&rel, &waived(VAL, &next, &add_days(AS_OF, 30)));
    assert_blocked_by(&p, AS_OF, "identity-alignment", &[&next, "after"], "approved the day after the as-of date");
    // On its approved_on date, the same waiver is in force.
    assert_ready(&p, &next, "as of the day it was approved");
}

#[test]
fn a_waiver_is_in_force_on_its_expires_on_date() {
    let p = Portfolio::base("waiver-expires-on");
    p.write(&ev("identity-alignment"), &waived(VAL, &add_days(AS_OF, -30), AS_OF));
    assert_ready(&p, AS_OF, "expires on the as-of date");
    assert_blocked_by(&p, &add_days(AS_OF, 1), "identity-alignment", &[AS_OF], "the day after it expired");
}

#[test]
fn a_waiver_may_run_exactly_max_waiver_days_and_not_one_day_more() {
    let p = Portfolio::base("waiver-90-days");
    let rel = ev("identity-alignment");
    let approved = "2026-09-01";
    assert_eq!(add_days(approved, 90), "2026-11-30");
    p.write(&rel, &waived(VAL, approved, &add_days(approved, 90)));
    assert_ready(&p, AS_OF, "90 days, the default maximum");
    p.write(&rel, &waived(VAL, approved, &add_days(approved, 91)));
    assert_blocked_by(&p, AS_OF, "identity-alignment", &["90"], "91 days");
    // The same for an item with a waiver role.
    p.write(&rel, &waived(VAL, approved, &add_days(approved, 90)));
    p.write(&ev("ciso-verification"), &waived(CAROL, approved, &add_days(approved, 91)));
    assert_blocked_by(&p, AS_OF, "ciso-verification", &["90"], "91 days, by the ciso");
}

#[test]
fn max_waiver_days_is_read_from_the_checklist_top_level_and_from_an_item() {
    let p = Portfolio::base("waiver-max-days");
    let printed = printed_checklist(&p);
    let checklist = replaced(&printed, "\nmax_waiver_days: 90\n", "\nmax_waiver_days: 30\n");
    let checklist =
        replaced(&checklist, "- id: identity-alignment\n", "- id: identity-alignment\n  max_waiver_days: 10\n");
    let checklist =
        replaced(&checklist, "- id: domain-alignment\n", "- id: domain-alignment\n  max_waiver_days: 120\n");
    p.write(CHECKLIST, &checklist);
    assert_eq!(p.diagnostics(), vec![]);
    let approved = add_days(AS_OF, -5);
    let approved = approved.as_str();
    for (id, max) in [("user-routing", 30), ("identity-alignment", 10), ("domain-alignment", 120)] {
        let rel = ev(id);
        with_file(&p, &rel, &waived(VAL, approved, &add_days(approved, max)), || {
            assert_ready(&p, AS_OF, &format!("{id}: a waiver of exactly {max} days"));
        });
        with_file(&p, &rel, &waived(VAL, approved, &add_days(approved, max + 1)), || {
            assert_blocked_by(&p, AS_OF, id, &[&max.to_string()], &format!("{id}: a waiver of {} days", max + 1));
        });
    }
    // `cutover checklist` prints the effective values.
    let effective = printed_checklist(&p);
    assert!(effective.contains("\nmax_waiver_days: 30\n"), "{effective}");
    assert_eq!(effective.matches("  max_waiver_days: 10\n").count(), 1, "{effective}");
    assert_eq!(effective.matches("  max_waiver_days: 120\n").count(), 1, "{effective}");
    // Without the top-level key, the default of 90 applies where an item says nothing.
    let approved = "2026-09-01";
    p.write(CHECKLIST, &replaced(&checklist, "\nmax_waiver_days: 30\n", "\n"));
    with_file(&p, &ev("user-routing"), &waived(VAL, approved, &add_days(approved, 90)), || {
        assert_ready(&p, AS_OF, "default 90 days");
    });
    with_file(&p, &ev("user-routing"), &waived(VAL, approved, &add_days(approved, 91)), || {
        assert_blocked_by(&p, AS_OF, "user-routing", &["90"], "default, 91 days");
    });
}

#[test]
fn waived_on_promote_is_an_error_at_its_status_line_and_the_workload_is_not_ready() {
    let p = Portfolio::base("waiver-promote");
    let rel = ev("promote");
    p.write(&rel, &waived(CAROL, "2026-10-01", "2026-10-30"));
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(errors(&diags), [("E0602", rel.as_str(), 2, 9)], "{diags:#?}");
    assert_eq!(p.check_human(AS_OF).code, 1);
    let (code, decision) = gate_decision(&p, "alpha", AS_OF);
    assert_eq!((code, decision.as_str()), (1, "blocked"));
    assert_eq!(p.build(AS_OF).code, 1, "an error stops build");

    // `waivable: false` is read from a team's checklist, on any item.
    p.remove(&rel);
    let checklist = replaced(&printed_checklist(&p), "- id: user-routing\n", "- id: user-routing\n  waivable: false\n");
    p.write(CHECKLIST, &checklist);
    let ur = ev("user-routing");
    p.write(&ur, &waived(VAL, "2026-10-01", "2026-10-30"));
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(run.code, 1);
    assert_eq!(errors(&diags), [("E0602", ur.as_str(), 2, 9)], "{diags:#?}");
}

#[test]
fn a_negative_max_waiver_days_is_an_error_at_its_line_and_column() {
    let p = Portfolio::base("waiver-negative");
    let printed = printed_checklist(&p);
    let top = replaced(&printed, "\nmax_waiver_days: 90\n", "\nmax_waiver_days: -1\n");
    p.write(CHECKLIST, &top);
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(run.code, 1);
    let (line, column) = position(&top, "-1\n");
    assert_eq!(errors(&diags), [("E0205", CHECKLIST, line, column)], "{diags:#?}");

    let on_item = replaced(&printed, "- id: stage\n", "- id: stage\n  max_waiver_days: -30\n");
    p.write(CHECKLIST, &on_item);
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(run.code, 1);
    let (line, column) = position(&on_item, "-30\n");
    assert_eq!(errors(&diags), [("E0205", CHECKLIST, line, column)], "{diags:#?}");
}

#[test]
fn a_waiver_signoff_naming_a_role_site_yaml_does_not_define_is_an_error_in_a_custom_checklist() {
    let p = Portfolio::base("waiver-signoff-role");
    let printed = printed_checklist(&p);
    let bad = replaced(
        &printed,
        "- id: identity-alignment\n",
        "- id: identity-alignment\n  waiver_signoff: security-office\n",
    );
    p.write(CHECKLIST, &bad);
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let (line, column) = position(&bad, "security-office\n");
    assert_eq!(errors(&diags), [("E0501", CHECKLIST, line, column)], "{diags:#?}");
    assert!(diags.iter().any(|d| d.message.contains("security-office")), "{diags:#?}");

    // Naming a role that exists is fine, and that role then approves the item's waivers.
    let good =
        replaced(&printed, "- id: identity-alignment\n", "- id: identity-alignment\n  waiver_signoff: business\n");
    p.write(CHECKLIST, &good);
    assert_eq!(p.diagnostics(), vec![]);
    p.write(&ev("identity-alignment"), &waived(VAL, "2026-10-01", "2026-11-30"));
    assert_blocked_by(&p, AS_OF, "identity-alignment", &[VAL, "business"], "not in waiver_signoff's role");
    p.write(&ev("identity-alignment"), &waived(BOB, "2026-10-01", "2026-11-30"));
    assert_ready(&p, AS_OF, "approved by waiver_signoff's role");
}

/// The issue: the workload's own engineer waived the CISO's review, dated
/// the approval after the as-of date, and let it run to 2099.
#[test]
fn the_engineer_who_waives_the_ciso_review_into_the_future_does_not_unblock_the_workload() {
    let p = Portfolio::base("waiver-attack");
    let engineer = "eve.engineer@example.org";
    p.write(
        "content/workloads/alpha/workload.yaml",
        &format!("name: Alpha\nowner: {engineer}\ncriticality: business-critical\nrelease: wave-1\n"),
    );
    let approved = add_days(AS_OF, 3);
    p.write(
        CISO_MD,
        &waived_with(engineer, &approved, "2099-12-31", "We reviewed it ourselves.", "We will be careful."),
    );
    let r = p.readiness(AS_OF);
    assert_eq!(decision(&r, "alpha"), "blocked", "{}", workload(&r, "alpha"));
    let ids: Vec<String> = reasons(&r, "alpha").into_iter().map(|(w, _)| w).collect();
    assert_eq!(ids, ["item:ciso-verification"]);
    let run = gate(&p, &["alpha"], &["--as-of", AS_OF]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("ciso-verification"), "{}", run.stderr);
    // Still blocked once the approval date has come, and with the engineer in the site's waivers role.
    p.edit(
        SITE,
        "  business: [bob.biz@example.org]\n",
        &format!("  business: [bob.biz@example.org]\n  waivers: [{engineer}]\n"),
    );
    assert_eq!(gate(&p, &["alpha"], &["--as-of", &add_days(AS_OF, 5)]).code, 1);
    assert_eq!(gate(&p, &["alpha"], &["--as-of", AS_OF]).code, 1);
}

// ---- dates after the as-of date ---------------------------------------------

#[test]
fn a_promotion_counts_from_its_promoted_on_date_not_before() {
    let p = Portfolio::base("promoted-on");
    let rel = ev("promote");
    p.write(&rel, &promote_executed(AS_OF));
    let r = p.readiness(AS_OF);
    assert_eq!((decision(&r, "alpha").as_str(), reasons(&r, "alpha")), ("promoted", vec![]));

    let next = add_days(AS_OF, 1);
    p.write(&rel, &format!("---\nstatus: executed\nexecuted_on: {AS_OF}\npromoted_on: {next}\n---\nCut over.\n"));
    let r = p.readiness(AS_OF);
    assert_eq!((decision(&r, "alpha").as_str(), reasons(&r, "alpha")), ("ready", vec![]), "scheduled, otherwise ready");
    assert_eq!(decision(&p.readiness(&next), "alpha"), "promoted", "as of its promoted_on");

    // Blocked by something else: the scheduled promotion is among the reasons.
    p.remove(&ev("ready"));
    let r = p.readiness(AS_OF);
    assert_eq!(decision(&r, "alpha"), "blocked");
    let got = reasons(&r, "alpha");
    let ids: Vec<&str> = got.iter().map(|(w, _)| w.as_str()).collect();
    assert!(ids.contains(&"item:ready"), "{got:?}");
    assert!(
        got.iter().any(|(w, m)| w == "item:promote" && m.contains(&format!("promotion scheduled for {next}"))),
        "{got:?}"
    );
    assert_eq!(got.len(), 2, "{got:?}");
}

#[test]
fn gate_with_an_as_of_date_before_promoted_on_does_not_say_promoted() {
    let p = Portfolio::base("promoted-on-gate");
    p.write(
        &ev("promote"),
        "---\nstatus: executed\nexecuted_on: 2026-10-10\npromoted_on: 2026-10-12\n---\nCut over.\n",
    );
    assert_eq!(gate_decision(&p, "alpha", "2026-10-11"), (0, "ready".to_string()));
    let run = gate(&p, &["alpha"], &["--as-of", "2026-10-11"]);
    assert!(!run.stderr.contains("alpha: promoted"), "{}", run.stderr);
    assert_eq!(gate_decision(&p, "alpha", "2026-10-12"), (0, "promoted".to_string()));
    // Not ready before it, either: the gate fails.
    p.remove(&ev("stage"));
    assert_eq!(gate_decision(&p, "alpha", "2026-10-11"), (1, "blocked".to_string()));
}

#[test]
fn an_executed_promotion_with_an_error_is_not_a_promotion() {
    let p = Portfolio::base("promoted-error");
    let rel = ev("promote");
    // `promoted_on` is required from `executed`.
    p.write(&rel, "---\nstatus: executed\nexecuted_on: 2026-10-10\n---\nCut over.\n");
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(run.code, 1);
    let errs = errors(&diags);
    assert_eq!(errs.len(), 1, "{diags:#?}");
    assert_eq!((errs[0].1, errs[0].2), (rel.as_str(), 2), "at the status line: {diags:#?}");
    let error = diags.iter().find(|d| d.severity == "error").unwrap();
    assert!(error.message.contains("promoted_on"), "the error names the missing field: {error:#?}");
    let (code, decision) = gate_decision(&p, "alpha", AS_OF);
    assert_eq!((code, decision.as_str()), (1, "blocked"));
}

#[test]
fn a_validation_dated_after_the_as_of_date_does_not_count() {
    let p = Portfolio::base("validated-after");
    p.set_field(CISO_MD, "validated_on", AS_OF);
    assert_ready(&p, AS_OF, "validated on the as-of date");
    let next = add_days(AS_OF, 1);
    p.set_field(CISO_MD, "validated_on", &next);
    assert_blocked_by(&p, AS_OF, "ciso-verification", &[&next], "validated the day after");
}

/// The text of each asset row of the decommissioning page ("-" cells dropped).
fn decommission_rows(p: &Portfolio) -> Vec<String> {
    let html = p.read("public/decommission/index.html");
    let body = &html[html.find("<tbody>").expect("an asset table")..];
    let body = &body[..body.find("</tbody>").unwrap()];
    body.split("<tr")
        .skip(1)
        .map(|r| {
            html_text(&r[r.find('>').unwrap() + 1..]).split(' ').filter(|w| *w != "-").collect::<Vec<_>>().join(" ")
        })
        .collect()
}

#[test]
fn an_asset_decommissioned_after_the_as_of_date_is_not_shown_as_retired() {
    let p = Portfolio::base("decommissioned-after");
    p.write(
        "content/workloads/alpha/workload.yaml",
        "name: Alpha\nowner: alpha-team@example.org\ncriticality: business-critical\nrelease: wave-1\nassets:\n  - {name: ALPHA-DB01, kind: database, decommissioned_on: 2026-10-16}\n  - {name: ALPHA-FW01, kind: firewall, decommissioned_on: 2026-10-15}\n",
    );
    p.write(&ev("promote"), &promote_executed("2026-10-01"));
    let row = |rows: &[String], name: &str| -> String {
        rows.iter().find(|r| r.starts_with(name)).unwrap_or_else(|| panic!("no {name} in {rows:#?}")).clone()
    };
    let run = p.build(AS_OF);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = decommission_rows(&p);
    assert!(row(&rows, "ALPHA-FW01").contains("retired"), "retired on the as-of date: {rows:#?}");
    assert!(!row(&rows, "ALPHA-DB01").contains("retired"), "retired the day after the as-of date: {rows:#?}");
    assert!(row(&rows, "ALPHA-DB01").contains("in hold"), "{rows:#?}");
    let run = p.build("2026-10-16");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = decommission_rows(&p);
    assert!(row(&rows, "ALPHA-DB01").contains("retired"), "{rows:#?}");
}

fn sign(p: &Portfolio, item_id: &str, by: &str, on: &str) -> Run {
    cutover([
        OsStr::new("sign"),
        OsStr::new("alpha"),
        OsStr::new(item_id),
        p.root().as_os_str(),
        OsStr::new("--by"),
        OsStr::new(by),
        OsStr::new("--on"),
        OsStr::new(on),
    ])
}

#[test]
fn sign_refuses_a_date_after_the_as_of_date_and_writes_nothing() {
    let p = Portfolio::base("sign-future");
    p.edit(SITE, "title: Test portfolio\n", &format!("title: Test portfolio\nas_of: {AS_OF}\n"));
    p.set_field(CISO_MD, "status", "documented");
    let before = snapshot(p.root(), &[]);
    let next = add_days(AS_OF, 1);
    let run = sign(&p, "ciso-verification", CAROL, &next);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(AS_OF), "the message names the as-of date: {}", run.stderr);
    common::assert_same_files(&before, &snapshot(p.root(), &[]), "a refused sign-off writes nothing");
    // The as-of date may also come from SOURCE_DATE_EPOCH (2026-10-15T12:00:00Z).
    p.edit(SITE, &format!("as_of: {AS_OF}\n"), "");
    let before = snapshot(p.root(), &[]);
    let args = [
        OsStr::new("sign"),
        OsStr::new("alpha"),
        OsStr::new("ciso-verification"),
        p.root().as_os_str(),
        OsStr::new("--by"),
        OsStr::new(CAROL),
        OsStr::new("--on"),
        OsStr::new(&next),
    ];
    let epoch = (common::days(AS_OF) * 86_400 + 43_200).to_string();
    let run = cutover_env(args, &[("SOURCE_DATE_EPOCH", &epoch)]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(AS_OF), "{}", run.stderr);
    common::assert_same_files(&before, &snapshot(p.root(), &[]), "a refused sign-off writes nothing");
    // On the as-of date itself, it signs.
    p.edit(SITE, "title: Test portfolio\n", &format!("title: Test portfolio\nas_of: {AS_OF}\n"));
    let run = sign(&p, "ciso-verification", CAROL, AS_OF);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(p.read(CISO_MD).contains(&format!("\nvalidated_on: {AS_OF}\n")));
}

#[test]
fn sign_checks_the_signers_membership_on_the_sign_off_date() {
    let p = Portfolio::base("sign-membership");
    p.edit(SITE, "title: Test portfolio\n", &format!("title: Test portfolio\nas_of: {AS_OF}\n"));
    set_approvers(
        &p,
        "approvers:\n  ciso:\n    - {person: carol.ciso@example.org, until: 2026-10-10}\n  business: [bob.biz@example.org]\n",
    );
    p.set_field(CISO_MD, "status", "documented");
    let before = snapshot(p.root(), &[]);
    let run = sign(&p, "ciso-verification", CAROL, "2026-10-11");
    assert_eq!(run.code, 2, "{}", run.stderr);
    common::assert_same_files(&before, &snapshot(p.root(), &[]), "a refused sign-off writes nothing");
    let run = sign(&p, "ciso-verification", "Carol.Ciso@example.org", "2026-10-10");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_ready(&p, AS_OF, "signed on carol's last day");
}

/// The W0007 warnings of `check --format json` as of `as_of`, and the run.
fn w0007(p: &Portfolio, as_of: &str, extra: &[&str]) -> (Run, Vec<Diag>) {
    let mut args = vec!["--as-of", as_of];
    args.extend_from_slice(extra);
    let (run, diags) = p.check_json(&args);
    (run, diags.into_iter().filter(|d| d.code == "W0007").collect())
}

#[test]
fn a_workload_promoted_while_its_performance_evidence_was_stale_is_flagged() {
    let p = Portfolio::base("promoted-stale");
    let rel = ev("promote");
    // Performance validated 2026-10-02, 30 days fresh: stale from 2026-11-02.
    p.write(&rel, &promote_executed("2026-11-01"));
    let (run, flagged) = w0007(&p, "2026-11-10", &[]);
    assert_eq!((run.code, flagged.len()), (0, 0), "promoted on the last fresh day: {flagged:#?}");

    p.write(&rel, &promote_executed("2026-11-02"));
    let (run, flagged) = w0007(&p, "2026-11-10", &[]);
    assert_eq!(run.code, 0, "a warning does not fail check");
    assert_eq!(flagged.len(), 1, "{flagged:#?}");
    let d = &flagged[0];
    assert_eq!((d.severity.as_str(), d.file.as_str(), d.line), ("warning", rel.as_str(), 2), "{d:#?}");
    assert!(d.message.contains("application-performance"), "names what was missing: {}", d.message);
    for other in ["bcdr-validation", "ciso-verification", "stage"] {
        assert!(!d.message.contains(other), "names only what was missing: {}", d.message);
    }
    let (run, _) = w0007(&p, "2026-11-10", &["--strict"]);
    assert_eq!(run.code, 1, "--strict makes it an error");
    // It is still promoted.
    assert_eq!(decision(&p.readiness("2026-11-10"), "alpha"), "promoted");
}

#[test]
fn a_workload_promoted_before_its_performance_evidence_was_validated_is_flagged() {
    let p = Portfolio::base("promoted-early");
    let rel = ev("promote");
    p.write(&rel, &promote_executed("2026-10-02"));
    let (_, flagged) = w0007(&p, AS_OF, &[]);
    assert!(flagged.is_empty(), "validated on the promotion day: {flagged:#?}");
    p.write(&rel, &promote_executed("2026-10-01"));
    let (run, flagged) = w0007(&p, AS_OF, &[]);
    assert_eq!(run.code, 0);
    assert_eq!(flagged.len(), 1, "{flagged:#?}");
    assert_eq!((flagged[0].file.as_str(), flagged[0].line), (rel.as_str(), 2));
    assert!(flagged[0].message.contains("application-performance"), "{}", flagged[0].message);
    assert!(!flagged[0].message.contains("ciso-verification"), "{}", flagged[0].message);
    assert_eq!(w0007(&p, AS_OF, &["--strict"]).0.code, 1);
}

// ---- checklist roles ----------------------------------------------------------

/// The built-in checklist with `data-classification` renamed `classify` and
/// `promote` renamed `go-live`, their roles kept.
fn renamed_checklist(p: &Portfolio) -> String {
    let text = printed_checklist(p);
    let text = replaced(&text, "- id: data-classification\n", "- id: classify\n");
    let text = replaced(&text, "- id: promote\n", "- id: go-live\n");
    let text = replaced(&text, "\n  - data-classification\n", "\n  - classify\n");
    assert!(text.contains("- id: classify\n") && text.contains("  role: classification\n"), "{text}");
    assert!(text.contains("- id: go-live\n") && text.contains("  role: promotion\n"), "{text}");
    text
}

/// Adopts [`renamed_checklist`], renaming every workload's evidence files to match.
fn adopt_renamed_checklist(p: &Portfolio) {
    let checklist = renamed_checklist(p);
    p.write(CHECKLIST, &checklist);
    for entry in std::fs::read_dir(p.path("content/workloads")).unwrap() {
        let dir = entry.unwrap().path();
        for (from, to) in [("data-classification.md", "classify.md"), ("promote.md", "go-live.md")] {
            if dir.join(from).exists() {
                std::fs::rename(dir.join(from), dir.join(to)).unwrap();
            }
        }
    }
}

/// alpha ready; beta promoted; gamma blocked (classification in progress,
/// promotion scheduled); delta waiting on gamma; omega confidential and ready
/// with its promotion scheduled; zeta with a waived classification.
fn roles_portfolio(tag: &str) -> Portfolio {
    let p = Portfolio::base(tag);
    let yaml = |name: &str, extra: &str| {
        format!("name: {name}\nowner: o@example.org\ncriticality: standard\nrelease: wave-1\n{extra}")
    };
    p.add_ready_workload("beta", &yaml("Beta", ""));
    p.write("content/workloads/beta/promote.md", &promote_executed("2026-10-10"));
    p.add_ready_workload("gamma", &yaml("Gamma", ""));
    p.write("content/workloads/gamma/data-classification.md", "---\nstatus: in-progress\n---\nStarted.\n");
    p.write(
        "content/workloads/gamma/promote.md",
        "---\nstatus: executed\nexecuted_on: 2026-10-14\npromoted_on: 2026-10-20\n---\nPlanned.\n",
    );
    p.add_ready_workload("delta", &yaml("Delta", "depends_on: [gamma]\n"));
    p.add_ready_workload("omega", &yaml("Omega", ""));
    p.set_field("content/workloads/omega/data-classification.md", "classification", "confidential");
    p.write(
        "content/workloads/omega/promote.md",
        "---\nstatus: executed\nexecuted_on: 2026-10-14\npromoted_on: 2026-10-18\n---\nPlanned.\n",
    );
    p.add_ready_workload("zeta", &yaml("Zeta", ""));
    p.write("content/workloads/zeta/data-classification.md", &waived(CAROL, "2026-10-01", "2026-10-16"));
    p
}

#[test]
fn renamed_promotion_and_classification_items_decide_as_the_built_in_ones() {
    let p = roles_portfolio("roles-renamed");
    let dates = [AS_OF, "2026-10-17", "2026-10-18", "2026-10-20"];
    let builtin: Vec<Value> = dates.iter().map(|d| p.readiness(d)).collect();
    let first = &builtin[0];
    assert_eq!(decision(first, "alpha"), "ready");
    assert_eq!(decision(first, "beta"), "promoted");
    assert_eq!(decision(first, "gamma"), "blocked");
    assert_eq!(decision(first, "delta"), "blocked");
    assert_eq!(decision(first, "omega"), "ready");
    assert_eq!(decision(first, "zeta"), "ready");
    assert_eq!(decision(&builtin[2], "omega"), "promoted");
    assert_eq!(decision(&builtin[1], "zeta"), "blocked");

    // gamma's promotion is recorded while its classification is not satisfied: out of order.
    let rename = |s: &str| s.replace("promote", "go-live").replace("data-classification", "classify");
    let builtin_diags: Vec<Diag> = p
        .diagnostics()
        .into_iter()
        .map(|d| Diag { file: rename(&d.file), message: rename(&d.message), help: d.help.as_deref().map(rename), ..d })
        .collect();
    assert_eq!(
        builtin_diags.iter().map(Diag::at).collect::<Vec<_>>(),
        [("W0001", "content/workloads/gamma/go-live.md", 2, 9)]
    );

    adopt_renamed_checklist(&p);
    assert_eq!(p.diagnostics(), builtin_diags, "the same diagnostics, with the items renamed");
    for (d, want) in dates.iter().zip(&builtin) {
        let text = std::fs::read_to_string({
            let r = p.readiness(d);
            assert_eq!(r["as_of"], *d);
            p.path("public/readiness.json")
        })
        .unwrap();
        assert!(text.contains("\"go-live\"") && text.contains("\"classify\""), "{text}");
        let mapped = text
            .replace("\"go-live\"", "\"promote\"")
            .replace("\"classify\"", "\"data-classification\"")
            .replace("`go-live`", "`promote`")
            .replace("`classify`", "`data-classification`");
        let got: Value = serde_json::from_str(&mapped).unwrap();
        assert_eq!(&got, want, "as of {d}: the same decisions, reasons and items with the items renamed");
    }
    // gamma's scheduled promotion is named by the renamed item.
    let r = p.readiness(AS_OF);
    assert!(
        reasons(&r, "gamma")
            .iter()
            .any(|(w, m)| w == "item:go-live" && m.contains("promotion scheduled for 2026-10-20")),
        "{:?}",
        reasons(&r, "gamma")
    );
    // The gate agrees.
    assert_eq!(gate_decision(&p, "beta", AS_OF), (0, "promoted".to_string()));
    assert_eq!(gate_decision(&p, "omega", "2026-10-17"), (0, "ready".to_string()));
    assert_eq!(gate_decision(&p, "omega", "2026-10-18"), (0, "promoted".to_string()));
}

#[test]
fn renamed_roles_still_decide_what_the_public_edition_withholds() {
    let p = Portfolio::base("roles-renamed-public");
    p.add_ready_workload("secret", "name: Secret\nowner: s@example.org\ncriticality: standard\nrelease: wave-1\n");
    let s = "content/workloads/secret";
    p.set_field(&format!("{s}/data-classification.md"), "classification", "confidential");
    p.edit(&format!("{s}/data-classification.md"), "Done;", "MARKER-CLASSIFY-BODY-a1f0;");
    p.edit(&format!("{s}/stage.md"), "Done;", "MARKER-STAGE-BODY-b2e1;");
    p.write(&format!("{s}/reports/evidence.txt"), "MARKER-ATTACHMENT-c3d2\n");
    p.edit(&format!("{s}/ciso-verification.md"), "Interface retired next quarter.", "MARKER-RISK-MITIGATION-d4c3");
    p.write(
        &format!("{s}/identity-alignment.md"),
        &waived_with(VAL, "2026-10-01", "2026-11-30", "MARKER-WAIVER-REASON-e5b4", "MARKER-WAIVER-MITIGATION-f6a5"),
    );
    p.write(
        &format!("{s}/promote.md"),
        "---\nstatus: in-progress\n---\nMARKER-GOLIVE-SECRET-0a9b: planned for next week.\n",
    );
    p.write(
        &ev("promote"),
        "---\nstatus: documented\nexecuted_on: 2026-10-12\npromoted_on: 2026-10-12\ndocumented_in: [reports/evidence.txt]\ncutover:\n  - {record: marker-golive-record-1b8c.example.org, type: A, from: 10.0.0.1, to: 10.1.0.1, ttl: 300}\n---\nMARKER-GOLIVE-BODY-2c7d: traffic moved.\n",
    );
    adopt_renamed_checklist(&p);
    assert_eq!(p.diagnostics(), vec![]);
    let internal = build_edition(&p, "internal", "internal");
    let public = build_edition(&p, "public", "public");
    assert_withheld(
        &internal,
        &public,
        &[
            ("MARKER-CLASSIFY-BODY-a1f0", "the confidential workload's classification body"),
            ("MARKER-STAGE-BODY-b2e1", "a confidential workload's evidence body"),
            ("MARKER-ATTACHMENT-c3d2", "an attachment of a confidential workload"),
            ("MARKER-RISK-MITIGATION-d4c3", "a confidential workload's risk mitigation"),
            ("MARKER-WAIVER-REASON-e5b4", "a confidential workload's waiver reason"),
            ("MARKER-WAIVER-MITIGATION-f6a5", "a confidential workload's waiver mitigation"),
            ("MARKER-GOLIVE-SECRET-0a9b", "a confidential workload's promotion body"),
            ("MARKER-GOLIVE-BODY-2c7d", "an internal workload's promotion body"),
            ("marker-golive-record-1b8c", "an internal workload's cutover record"),
        ],
    );
    let r: Value = serde_json::from_slice(&public["readiness.json"]).unwrap();
    assert_eq!(decision(&r, "secret"), "ready");
    assert_eq!(decision(&r, "alpha"), "promoted");
}

/// `check --format json` of a portfolio whose checklist is `text`: (exit code, errors).
fn checklist_errors(p: &Portfolio, text: &str) -> (i32, Vec<(String, String, u32, u32)>) {
    p.write(CHECKLIST, text);
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    let errs = errors(&diags).into_iter().map(|(c, f, l, col)| (c.to_string(), f.to_string(), l, col)).collect();
    (run.code, errs)
}

#[test]
fn a_checklist_needs_exactly_one_promotion_item() {
    let p = Portfolio::base("roles-promotion-count");
    let printed = printed_checklist(&p);
    let items_at = position(&printed, "items:\n");

    let none = replaced(&printed, "  role: promotion\n", "");
    let (code, errs) = checklist_errors(&p, &none);
    assert_eq!(code, 1, "{errs:?}");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!((errs[0].0.as_str(), errs[0].1.as_str()), ("E0502", CHECKLIST), "{errs:?}");
    assert!(errs[0].2 >= items_at.0, "points into the items: {errs:?}");

    let two = replaced(&printed, "- id: ready\n", "- id: ready\n  role: promotion\n");
    let (code, errs) = checklist_errors(&p, &two);
    assert_eq!(code, 1, "{errs:?}");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!((errs[0].0.as_str(), errs[0].1.as_str()), ("E0502", CHECKLIST), "{errs:?}");

    // Another role given twice is an error too; once, and nowhere, are fine.
    let twice = replaced(&printed, "- id: stage\n", "- id: stage\n  role: identity\n");
    let (code, errs) = checklist_errors(&p, &twice);
    assert_eq!(code, 1, "{errs:?}");
    assert_eq!(errs.iter().map(|e| (e.0.as_str(), e.1.as_str())).collect::<Vec<_>>(), [("E0502", CHECKLIST)]);
    let no_identity = replaced(&printed, "  role: identity\n", "");
    assert_eq!(checklist_errors(&p, &no_identity), (0, vec![]));
    // A role that does not exist is refused.
    let unknown = replaced(&printed, "  role: identity\n", "  role: identity-check\n");
    let (code, errs) = checklist_errors(&p, &unknown);
    assert_eq!(code, 1);
    let (line, column) = position(&unknown, "identity-check\n");
    assert_eq!(
        errs.iter().map(|e| (e.1.as_str(), e.2, e.3)).collect::<Vec<_>>(),
        [(CHECKLIST, line, column)],
        "{errs:?}"
    );
}

/// A portfolio where alpha (class `internal`) has a marker in its stage body.
fn internal_marker_portfolio(tag: &str) -> Portfolio {
    let p = Portfolio::base(tag);
    p.edit(&ev("stage"), "Done;", "MARKER-INTERNAL-BODY-3d6e;");
    p.edit(&ev("user-routing"), "Done;", "MARKER-INTERNAL-ROUTING-4e5f;");
    p
}

const INTERNAL_MARKERS: &[(&str, &str)] = &[
    ("MARKER-INTERNAL-BODY-3d6e", "an internal workload's stage body"),
    ("MARKER-INTERNAL-ROUTING-4e5f", "an internal workload's user-routing body"),
];

#[test]
fn without_a_classification_item_the_public_edition_withholds_every_workloads_evidence() {
    // With the built-in checklist, the internal workload's bodies are public.
    let p = internal_marker_portfolio("roles-no-classification");
    let public = build_edition(&p, "public", "public");
    for (marker, place) in INTERNAL_MARKERS {
        assert!(!found(&public, marker).is_empty(), "{place} is public with a classification item");
    }
    // The item is there but plays no role.
    let printed = printed_checklist(&p);
    p.write(CHECKLIST, &replaced(&printed, "  role: classification\n", ""));
    assert_eq!(p.diagnostics(), vec![]);
    let internal = build_edition(&p, "internal", "internal");
    let public = build_edition(&p, "public", "public");
    assert_withheld(&internal, &public, INTERNAL_MARKERS);
    let r: Value = serde_json::from_slice(&public["readiness.json"]).unwrap();
    assert_eq!(decision(&r, "alpha"), "ready");

    // The item is gone altogether.
    let start = printed.find("- id: data-classification\n").unwrap();
    let end = printed.find("- id: ciso-verification\n").unwrap();
    let without = format!("{}{}", &printed[..start], &printed[end..]);
    let without = replaced(&without, "\n  - data-classification\n", "\n");
    p.write(CHECKLIST, &without);
    p.remove(&ev("data-classification"));
    assert_eq!(p.diagnostics(), vec![]);
    let internal = build_edition(&p, "internal", "internal");
    let public = build_edition(&p, "public", "public");
    assert_withheld(&internal, &public, INTERNAL_MARKERS);
}

// ---- public edition -----------------------------------------------------------

#[test]
fn the_public_edition_withholds_every_workloads_promotion_body_and_cutover_records() {
    let p = Portfolio::base("public-promotion");
    let promote = |marker: &str, record: &str| {
        format!(
            "---\nstatus: documented\nexecuted_on: 2026-10-12\npromoted_on: 2026-10-12\ndocumented_in: [reports/evidence.txt]\ncutover:\n  - {{record: {record}.example.org, type: A, from: 10.0.0.1, to: 10.1.0.1, ttl: 300}}\n---\n{marker}: traffic moved.\n"
        )
    };
    p.write(&ev("promote"), &promote("MARKER-PROMOTE-INTERNAL-5a1b", "marker-rec-internal-6b2c"));
    p.add_ready_workload("open", "name: Open\nowner: o@example.org\ncriticality: standard\nrelease: wave-1\n");
    p.set_field("content/workloads/open/data-classification.md", "classification", "public");
    p.edit("content/workloads/open/stage.md", "Done;", "MARKER-OPEN-STAGE-7c3d;");
    p.write("content/workloads/open/promote.md", &promote("MARKER-PROMOTE-PUBLIC-8d4e", "marker-rec-public-9e5f"));
    let internal = build_edition(&p, "internal", "internal");
    let public = build_edition(&p, "public", "public");
    assert_withheld(
        &internal,
        &public,
        &[
            ("MARKER-PROMOTE-INTERNAL-5a1b", "an internal workload's promotion body"),
            ("marker-rec-internal-6b2c", "an internal workload's cutover record"),
            ("MARKER-PROMOTE-PUBLIC-8d4e", "a public workload's promotion body"),
            ("marker-rec-public-9e5f", "a public workload's cutover record"),
        ],
    );
    assert!(!found(&public, "MARKER-OPEN-STAGE-7c3d").is_empty(), "a public workload's other evidence stays");
    let r: Value = serde_json::from_slice(&public["readiness.json"]).unwrap();
    assert_eq!((decision(&r, "alpha"), decision(&r, "open")), ("promoted".to_string(), "promoted".to_string()));
}

#[test]
fn the_public_edition_withholds_a_confidential_workloads_waivers_and_risks() {
    let p = Portfolio::base("public-waivers");
    p.add_ready_workload("secret", "name: Secret\nowner: s@example.org\ncriticality: standard\nrelease: wave-1\n");
    let s = "content/workloads/secret";
    p.set_field(&format!("{s}/data-classification.md"), "classification", "confidential");
    p.write(
        &format!("{s}/identity-alignment.md"),
        &waived_with(VAL, "2026-10-01", "2026-11-30", "MARKER-SECRET-REASON-0f6a", "MARKER-SECRET-MITIGATION-1a7b"),
    );
    p.write(
        &format!("{s}/business-change-plan.md"),
        &waived_with(BOB, "2026-10-01", "2026-11-30", "MARKER-SECRET-REASON2-2b8c", "MARKER-SECRET-MITIGATION2-3c9d"),
    );
    p.edit(&format!("{s}/ciso-verification.md"), "Old TLS on the batch interface.", "MARKER-SECRET-RISK-4d0e");
    p.edit(&format!("{s}/ciso-verification.md"), "Interface retired next quarter.", "MARKER-SECRET-RISKMIT-5e1f");
    let internal = build_edition(&p, "internal", "internal");
    let public = build_edition(&p, "public", "public");
    assert_withheld(
        &internal,
        &public,
        &[
            ("MARKER-SECRET-REASON-0f6a", "a confidential workload's waiver reason"),
            ("MARKER-SECRET-MITIGATION-1a7b", "a confidential workload's waiver mitigation"),
            ("MARKER-SECRET-REASON2-2b8c", "a confidential workload's waiver reason (signed-off item)"),
            ("MARKER-SECRET-MITIGATION2-3c9d", "a confidential workload's waiver mitigation (signed-off item)"),
            ("MARKER-SECRET-RISK-4d0e", "a confidential workload's risk description"),
            ("MARKER-SECRET-RISKMIT-5e1f", "a confidential workload's risk mitigation"),
        ],
    );
    let r: Value = serde_json::from_slice(&public["readiness.json"]).unwrap();
    assert_eq!(decision(&r, "secret"), "ready");
    assert_eq!(item(&r, "secret", "identity-alignment")["status"], "waived");
}

// ---- the printed checklist and the schemas ------------------------------------

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).unwrap_or_else(|e| panic!("not YAML ({e}):\n{text}"))
}

fn schema(kind: &str) -> Value {
    let run = cutover(["schema", kind]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

fn schema_errors(schema: &Value, instance: &Value) -> Vec<String> {
    let v = jsonschema::validator_for(schema).unwrap_or_else(|e| panic!("the schema itself is invalid: {e}"));
    v.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[test]
fn the_printed_checklist_shows_roles_waivability_waiver_roles_and_max_waiver_days() {
    let p = Portfolio::base("roles-printed");
    let text = printed_checklist(&p);
    let doc = yaml(&text);
    assert_eq!(doc["max_waiver_days"], 90, "{text}");
    let items = doc["items"].as_array().unwrap();
    let by_id = |id: &str| items.iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("{id}"));
    let roles: Vec<(&str, &str)> =
        items.iter().filter_map(|i| Some((i["id"].as_str()?, i.get("role")?.as_str()?))).collect();
    assert_eq!(
        roles,
        [
            ("identity-alignment", "identity"),
            ("data-classification", "classification"),
            ("ciso-verification", "security-signoff"),
            ("promote", "promotion")
        ]
    );
    assert_eq!(by_id("promote")["waivable"], false);
    let not_waivable: Vec<&str> = items
        .iter()
        .filter(|i| i.get("waivable") == Some(&Value::Bool(false)))
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(not_waivable, ["promote"]);
    let waiver_roles: Vec<(&str, &str)> =
        items.iter().filter_map(|i| Some((i["id"].as_str()?, i.get("waiver_signoff")?.as_str()?))).collect();
    assert_eq!(waiver_roles, [("data-classification", "ciso"), ("ciso-verification", "ciso")]);
    // Adopting the printed text changes nothing.
    p.readiness(AS_OF);
    let builtin = std::fs::read(p.path("public/readiness.json")).unwrap();
    p.write(CHECKLIST, &text);
    p.readiness(AS_OF);
    assert_eq!(std::fs::read(p.path("public/readiness.json")).unwrap(), builtin);
    assert_eq!(printed_checklist(&p), text, "the adopted checklist prints the same");
}

#[test]
fn the_checklist_schema_knows_the_new_keys() {
    let s = schema("checklist");
    let item_props = &s["properties"]["items"]["items"]["properties"];
    for key in ["role", "waivable", "waiver_signoff", "max_waiver_days"] {
        assert!(item_props.get(key).is_some(), "items have `{key}`: {item_props}");
    }
    assert!(s["properties"].get("max_waiver_days").is_some(), "{}", s["properties"]);
    let p = Portfolio::base("roles-schema");
    let printed = printed_checklist(&p);
    assert_eq!(schema_errors(&s, &yaml(&printed)), Vec::<String>::new(), "the printed checklist passes");
    let custom = replaced(
        &printed,
        "- id: stage\n",
        "- id: stage\n  waiver_signoff: business\n  max_waiver_days: 14\n  waivable: true\n",
    );
    assert_eq!(schema_errors(&s, &yaml(&custom)), Vec::<String>::new());
    for (bad, what) in [
        (replaced(&printed, "  role: identity\n", "  role: identity-check\n"), "an unknown role"),
        (
            replaced(&printed, "\nmax_waiver_days: 90\n", "\nmax_waiver_days: -1\n"),
            "a negative top-level max_waiver_days",
        ),
        (
            replaced(&printed, "- id: stage\n", "- id: stage\n  max_waiver_days: -1\n"),
            "a negative max_waiver_days on an item",
        ),
        (replaced(&printed, "  waivable: false\n", "  waivable: sometimes\n"), "a waivable that is not a boolean"),
        (
            replaced(&printed, "- id: stage\n", "- id: stage\n  waiver_signoff: Not An Id\n"),
            "a waiver_signoff that is not an id",
        ),
    ] {
        assert!(!schema_errors(&s, &yaml(&bad)).is_empty(), "the schema should reject {what}");
    }
}

#[test]
fn the_site_schema_knows_approver_maps_and_signoff_provenance() {
    let s = schema("site");
    let text = "title: T\napprovers:\n  ciso:\n    - person: ana.ruiz@contoso.example\n      until: 2026-10-31\n    - person: ines.moreau@contoso.example\n      since: 2026-11-01\n      keys: [\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ines@laptop\"]\n  business: [li.wei@contoso.example]\n  waivers: [cio@contoso.example]\nsignoff_provenance: signature\n";
    assert_eq!(schema_errors(&s, &yaml(text)), Vec::<String>::new());
    for policy in ["none", "author", "signature"] {
        let t = text.replace("signoff_provenance: signature", &format!("signoff_provenance: {policy}"));
        assert_eq!(schema_errors(&s, &yaml(&t)), Vec::<String>::new(), "{policy}");
    }
    for (bad, what) in [
        (text.replace("signoff_provenance: signature", "signoff_provenance: sometimes"), "an unknown policy"),
        (text.replace("      since: 2026-11-01\n", "      sinse: 2026-11-01\n"), "an unknown key in an approver map"),
        (
            text.replace("    - person: ana.ruiz@contoso.example\n      until", "    - until"),
            "an approver map without person",
        ),
        (text.replace("until: 2026-10-31", "until: end of october"), "an until that is not a date"),
    ] {
        assert!(!schema_errors(&s, &yaml(&bad)).is_empty(), "the schema should reject {what}");
    }
    // And check agrees with the schema on the same site.yaml.
    let p = Portfolio::base("site-schema");
    let site = p.read(SITE);
    let start = site.find("approvers:\n").unwrap();
    let end = site.find("releases:\n").unwrap();
    let block = &text[text.find("approvers:\n").unwrap()..text.find("signoff_provenance").unwrap()];
    let block = block.replace("ana.ruiz@contoso.example", CAROL).replace("li.wei@contoso.example", BOB);
    p.write(SITE, &format!("{}{block}{}", &site[..start], &site[end..]));
    assert_eq!(p.diagnostics(), vec![], "approver maps with keys are valid site.yaml");
    let unknown = p.read(SITE).replace("      since: 2026-11-01\n", "      sinse: 2026-11-01\n");
    p.write(SITE, &unknown);
    let diags = p.diagnostics();
    let (line, column) = position(&unknown, "sinse");
    assert_eq!(errors(&diags), [("E0203", SITE, line, column)], "{diags:#?}");
}
