//! Readiness over time (FORMAT.md, Version 1.1, "History"), through the
//! binary, on throwaway git repositories with commits at chosen dates. The
//! expected days and changes are written out by hand.

use crate::common;
use crate::gitsite;

use gitsite::GitSite;
use serde_json::{Value, json};

const ERIN: &str = "erin.engineer@example.org";
const VAL: &str = "val.idator@example.org";
const SITE: &str = "content/site.yaml";
const ALPHA_PERF: &str = "content/workloads/alpha/application-performance.md";
const BETA_BCDR: &str = "content/workloads/beta/bcdr-validation.md";

/// alpha's performance run, documented but not yet validated.
const PERF_DOCUMENTED: &str = "---
status: documented
executed_on: 2026-10-01
documented_in: [reports/evidence.txt]
---
# application-performance

Done; see [the evidence](reports/evidence.txt).
";

/// beta's BCDR validation, waived from 2026-10-01 to 2026-10-20.
const BCDR_WAIVED: &str = "---
status: waived
waiver:
  approved_by: bob.biz@example.org
  approved_on: 2026-10-01
  expires_on: 2026-10-20
  reason: The restore test waits for the new backup vault.
  mitigation: Nightly snapshots are kept for 35 days.
---
# bcdr-validation
";

/// The story, one commit at a time (the base fixture's alpha is otherwise
/// ready; its performance run, validated 2026-10-02, goes stale after 30
/// days, from 2026-11-02):
/// - 2026-10-10 erin: alpha with its performance run not validated (blocked);
///   beta, a copy of the fixture's alpha with its BCDR validation waived until 2026-10-20 (ready);
/// - 2026-10-12 val: alpha's performance run validated on 2026-10-02 (alpha ready);
/// - (2026-10-21: beta's waiver has lapsed, with no commit);
/// - 2026-10-25 erin: beta removed; gamma added with a workload.yaml that has an error;
/// - 2026-10-28 erin: gamma's workload.yaml fixed (gamma ready);
/// - (2026-11-02: alpha's and gamma's performance runs go stale, with no commit).
struct Story {
    site: GitSite,
    commits: [String; 4],
}

fn story(tag: &str) -> Story {
    let site = GitSite::from_fixture(tag, "base");
    site.copy_dir("content/workloads/alpha", "content/workloads/beta");
    site.edit("content/workloads/beta/workload.yaml", "name: Alpha", "name: Beta");
    site.write(BETA_BCDR, BCDR_WAIVED);
    let good_perf = site.read(ALPHA_PERF);
    site.write(ALPHA_PERF, PERF_DOCUMENTED);
    site.write(SITE, &format!("{}history_days: 30\n", site.read(SITE)));
    let c1 = site.commit(ERIN, "2026-10-10", "Alpha and beta");
    site.write(ALPHA_PERF, &good_perf);
    let c2 = site.commit(VAL, "2026-10-12", "Validate alpha's performance run");
    site.remove_dir("content/workloads/beta");
    site.copy_dir("content/workloads/alpha", "content/workloads/gamma");
    site.write(
        "content/workloads/gamma/workload.yaml",
        "name: Gamma\nowner: gamma-team@example.org\ncriticality: business-critical\nrelease: wave-9\n",
    );
    let c3 = site.commit(ERIN, "2026-10-25", "Beta retired; gamma started");
    site.edit("content/workloads/gamma/workload.yaml", "release: wave-9", "release: wave-2");
    let c4 = site.commit(ERIN, "2026-10-28", "Gamma in wave 2");
    Story { site, commits: [c1, c2, c3, c4] }
}

fn counts(p: u64, r: u64, b: u64) -> (u64, u64, u64) {
    (p, r, b)
}

fn day_counts(day: &Value) -> (u64, u64, u64) {
    (day["promoted"].as_u64().unwrap(), day["ready"].as_u64().unwrap(), day["blocked"].as_u64().unwrap())
}

#[test]
fn days_and_changes_by_commit_and_by_time_alone() {
    let s = story("history-story");
    let [c1, c2, c3, c4] = &s.commits;
    let run = s.site.build("2026-11-03");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let h: Value = serde_json::from_str(&s.site.page("history.json")).unwrap();

    // The window is 2026-10-05..2026-11-03; the first commit is on 2026-10-10.
    let days = h["days"].as_array().unwrap();
    assert_eq!(days.len(), 25, "2026-10-10 to 2026-11-03");
    assert_eq!(days[0]["date"], "2026-10-10");
    assert_eq!(days[24]["date"], "2026-11-03");
    let expect = |date: &str, commit: &str, c: (u64, u64, u64)| {
        let day = days.iter().find(|d| d["date"] == date).unwrap_or_else(|| panic!("no day {date}"));
        assert_eq!(day["commit"], commit, "{date}");
        assert_eq!(day_counts(day), c, "{date}: {day}");
    };
    expect("2026-10-10", c1, counts(0, 1, 1));
    expect("2026-10-11", c1, counts(0, 1, 1));
    expect("2026-10-12", c2, counts(0, 2, 0));
    expect("2026-10-20", c2, counts(0, 2, 0));
    expect("2026-10-21", c2, counts(0, 1, 1));
    expect("2026-10-24", c2, counts(0, 1, 1));
    expect("2026-10-25", c3, counts(0, 1, 1));
    expect("2026-10-28", c4, counts(0, 2, 0));
    expect("2026-11-01", c4, counts(0, 2, 0));
    expect("2026-11-02", c4, counts(0, 0, 2));
    expect("2026-11-03", c4, counts(0, 0, 2));
    // Releases as site.yaml defines them that day.
    let oct_28 = &days[18];
    assert_eq!(oct_28["date"], "2026-10-28");
    assert_eq!(
        oct_28["releases"],
        json!({"wave-1": {"promoted": 0, "ready": 1, "blocked": 0}, "wave-2": {"promoted": 0, "ready": 1, "blocked": 0}})
    );

    let change = |date: &str, commit: &str, author: Value, w: &str, from: Value, to: Value| json!({"date": date, "commit": commit, "author": author, "workload": w, "from": from, "to": to});
    assert_eq!(
        h["changes"],
        json!([
            change("2026-10-12", c2, json!(VAL), "alpha", json!("blocked"), json!("ready")),
            change("2026-10-21", c2, Value::Null, "beta", json!("ready"), json!("blocked")),
            change("2026-10-25", c3, json!(ERIN), "beta", json!("blocked"), Value::Null),
            change("2026-10-25", c3, json!(ERIN), "gamma", Value::Null, json!("blocked")),
            change("2026-10-28", c4, json!(ERIN), "gamma", json!("blocked"), json!("ready")),
            change("2026-11-02", c4, Value::Null, "alpha", json!("ready"), json!("blocked")),
            change("2026-11-02", c4, Value::Null, "gamma", json!("ready"), json!("blocked")),
        ])
    );
}

#[test]
fn each_day_matches_a_build_of_that_commit_as_of_that_day() {
    // The history's decisions are the build's own: check a few days against a
    // build of a checkout of the day's commit, as of that day.
    let s = story("history-vs-build");
    assert_eq!(s.site.build("2026-11-03").code, 0);
    let h: Value = serde_json::from_str(&s.site.page("history.json")).unwrap();
    for date in ["2026-10-10", "2026-10-20", "2026-10-21", "2026-11-02"] {
        let day = h["days"].as_array().unwrap().iter().find(|d| d["date"] == date).unwrap().clone();
        s.site.git(&["checkout", "-q", day["commit"].as_str().unwrap()]);
        let run = s.site.build(date);
        assert_eq!(run.code, 0, "{date}: {}", run.stderr);
        let r: Value = serde_json::from_str(&s.site.page("readiness.json")).unwrap();
        let mut c = (0, 0, 0);
        for w in r["workloads"].as_array().unwrap() {
            match w["decision"].as_str().unwrap() {
                "promoted" => c.0 += 1,
                "ready" => c.1 += 1,
                _ => c.2 += 1,
            }
        }
        assert_eq!(day_counts(&day), c, "{date}");
        s.site.git(&["checkout", "-q", "main"]);
    }
}

#[test]
fn history_days_zero_turns_it_off() {
    let s = story("history-off");
    s.site.edit(SITE, "history_days: 30", "history_days: 0");
    let run = s.site.build("2026-11-03");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!s.site.has_page("history.json"));
    assert!(!s.site.page("index.html").contains("History needs"));
}

#[test]
fn history_days_must_be_a_whole_number() {
    let s = story("history-bad-days");
    for (value, code) in [("-3", "E0205"), ("soon", "E0204")] {
        let text = s.site.read(SITE).lines().filter(|l| !l.starts_with("history_days")).collect::<Vec<_>>().join("\n");
        s.site.write(SITE, &format!("{text}\nhistory_days: {value}\n"));
        let line = s.site.read(SITE).lines().count();
        let run = s.site.build("2026-11-03");
        assert_eq!(run.code, 1, "{value}: {}", run.stderr);
        assert!(run.stderr.contains(code), "{value}: {}", run.stderr);
        assert!(run.stderr.contains(&format!("content/site.yaml:{line}:15")), "{value}: {}", run.stderr);
    }
}

#[test]
fn outside_git_the_site_says_history_needs_git() {
    let s = GitSite::untracked("history-no-git", "base");
    let run = s.build("2026-10-15");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert!(!s.has_page("history.json"));
    assert!(s.page("index.html").contains("History needs git"));
}

#[test]
fn a_shallow_clone_warns_that_history_needs_the_full_history() {
    let s = story("history-deep");
    let shallow = s.site.shallow_clone("history-shallow");
    let run = shallow.build("2026-11-03");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("W0011"), "{}", run.stderr);
    assert!(run.stderr.contains("full git history"), "{}", run.stderr);
    assert!(!shallow.has_page("history.json"));
    assert!(shallow.page("index.html").contains("History needs the full git history"));
}

#[test]
fn history_is_the_same_bytes_from_build_to_build() {
    let s = story("history-determinism");
    assert_eq!(s.site.build("2026-11-03").code, 0);
    let first = s.site.page("history.json");
    assert_eq!(s.site.build("2026-11-03").code, 0);
    assert_eq!(first, s.site.page("history.json"));
}

/// The sample portfolio under a history of commits that add, change, break,
/// remove and bring back workloads and change site.yaml: the day-by-day walk,
/// which decides again only what a day can change, must give what a full
/// validation and evaluation of every day gives.
#[test]
fn incremental_days_match_full_evaluation() {
    let site = GitSite::untracked("history-sample", "base");
    site.remove_dir("content");
    common::copy_tree(&common::repo().join("content"), &site.path("content"));
    site.git(&["init", "-q"]);
    let sample = |rel: &str| format!("content/workloads/{rel}");
    let hr = site.read(&sample("hr-directory/workload.yaml"));
    site.remove_dir(&sample("hr-directory"));
    site.commit(ERIN, "2026-06-20", "Sample without the HR directory");
    common::copy_tree(&common::repo().join("content/workloads/hr-directory"), &site.path(&sample("hr-directory")));
    site.write(&sample("hr-directory/workload.yaml"), &hr.replace("owner:", "owner: [broken"));
    site.commit(ERIN, "2026-07-15", "HR directory, with a broken workload.yaml");
    site.write(&sample("hr-directory/workload.yaml"), &hr);
    site.commit(ERIN, "2026-08-02", "HR directory fixed");
    site.edit(SITE, "target: 2026-12-15", "target: 2027-01-15");
    site.edit(SITE, "decommission_hold_days: 14", "decommission_hold_days: 21");
    site.commit(ERIN, "2026-09-10", "Wave 3 moves");
    site.edit(
        &sample("payroll/workload.yaml"),
        "depends_on: [hr-directory, general-ledger]",
        "depends_on: [general-ledger]",
    );
    site.commit(ERIN, "2026-10-05", "Payroll no longer waits for the HR directory");
    site.copy_dir(&sample("payroll"), &sample("payroll-ie"));
    site.remove_dir(&sample("intranet-portal"));
    site.commit(ERIN, "2026-10-05", "Irish payroll split out; intranet retired");
    let with_wave_4 = site.read(SITE);
    site.edit(SITE, "  - id: wave-4", "  - id: wave-5");
    site.commit(ERIN, "2026-11-01", "Wave 4 renamed: plant scheduling names a release that is not there");
    site.write(SITE, &with_wave_4);
    site.commit(ERIN, "2026-11-03", "Wave 4 back");
    site.commit(ERIN, "2026-11-20", "Nothing changes");

    let repo = cutover::load::git::discover(site.root()).unwrap().expect("a work tree");
    let as_of = cutover::core::date::Date::parse("2026-12-31").unwrap();
    let fast = cutover::evaluate::history::days::walk(&repo, site.root(), as_of, 200).unwrap();
    let slow = cutover::evaluate::history::days::walk_full(&repo, site.root(), as_of, 200).unwrap();
    assert_eq!(fast.days.len(), 195, "from 2026-06-20");
    assert_eq!(fast.days, slow.days);
    let key = |h: &cutover::evaluate::history::History| -> Vec<String> {
        h.changes.iter().map(|c| format!("{} {} {:?} {:?}", c.date, c.workload, c.from, c.to)).collect()
    };
    assert_eq!(key(&fast), key(&slow));
    assert!(fast.changes.len() >= 8, "the sample changes often: {:?}", key(&fast));
}

#[test]
fn the_site_shows_the_trend_the_recent_changes_and_each_decision_history() {
    let s = story("history-site");
    assert_eq!(s.site.build("2026-11-03").code, 0);
    let dash = s.site.page("index.html");
    assert!(dash.contains(r#"<svg class="trend""#), "a trend chart");
    assert!(
        dash.contains("from 2026-10-10 to 2026-11-03: promoted 0 to 0, ready 1 to 0, blocked 1 to 2"),
        "its text equivalent"
    );
    assert!(dash.contains(r#"<table class="trend-data">"#), "and its data table");
    assert_eq!(dash.matches("<tr><th scope=\"row\"><time").count(), 25, "a row per day");
    // The last 7 days (2026-10-28 to 2026-11-03), newest first, linked, with who.
    let recent = &dash[dash.find("Changes in the last 7 days").unwrap()..];
    let alpha = recent.find(r#"<a href="workloads/alpha/index.html">Alpha</a>"#).expect("alpha linked");
    let gamma_fixed = recent.find("blocked to ready").expect("gamma fixed on 2026-10-28");
    assert!(alpha < gamma_fixed, "newest first");
    assert!(recent.contains("time (no commit changed it)"), "the lapse on 2026-11-02 came with time");
    assert!(recent.replace("<wbr>", "").contains("erin.engineer &lt;erin.engineer@example.org&gt;"), "{recent}");
    assert!(!recent.contains("2026-10-25"), "older than 7 days");
    assert!(dash.contains(
        r#"<link rel="alternate" type="application/atom+xml" title="Readiness changes" href="changes.atom">"#
    ));

    let report = s.site.page("workloads/alpha/index.html");
    let hist = &report[report.find("Decision history").unwrap()..];
    let became_ready = hist.find("blocked to ready").unwrap();
    let went_stale = hist.find("ready to blocked").unwrap();
    assert!(became_ready < went_stale, "oldest first");
    assert!(hist.replace("<wbr>", "").contains("val.idator &lt;val.idator@example.org&gt;"));
    assert!(report.contains(r#"href="../../changes.atom""#));

    let release = s.site.page("releases/wave-1/index.html");
    assert!(release.contains(r#"<svg class="burnup""#), "a burn-up");
    assert!(release.contains(r#"<line class="today""#) && release.contains(r#"<line class="target""#));
    assert!(release.contains("No workload of this release was promoted in the last 24 days"), "no rate, no projection");
}

#[test]
fn a_release_finishing_at_the_recent_rate_is_projected() {
    let s = story("history-burnup");
    // alpha promoted on 2026-10-30 (and committed then): one of the two
    // workloads of wave-1 in the last 28 days... wave-1 holds alpha only now.
    s.site.copy_dir("content/workloads/alpha", "content/workloads/delta");
    s.site.edit("content/workloads/delta/workload.yaml", "name: Alpha", "name: Delta");
    s.site.commit(ERIN, "2026-10-29", "Delta joins wave 1");
    s.site.write(
        "content/workloads/alpha/promote.md",
        "---\nstatus: executed\nexecuted_on: 2026-10-30\npromoted_on: 2026-10-30\n---\n# promote\n",
    );
    s.site.commit(ERIN, "2026-10-30", "Alpha promoted");
    let run = s.site.build("2026-11-01");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let release = s.site.page("releases/wave-1/index.html");
    // 1 promoted in the 22 days of history: 1 left at 1/22 a day, 22 days on.
    assert!(
        release.contains(
            "the last of the 1 workloads left would be promoted around 2026-11-23, on or before the target 2026-12-01"
        ),
        "{}",
        &release[release.find("Burn-up").unwrap()..][..1500]
    );
    assert!(release.contains(r#"<line class="projection""#));
}

#[test]
fn the_atom_feed_is_valid_with_an_entry_per_change() {
    let s = story("history-atom");
    assert_eq!(s.site.build("2026-11-03").code, 0);
    let text = s.site.page("changes.atom");
    let feed = atom_syndication::Feed::read_from(text.as_bytes()).expect("a valid Atom feed");
    assert_eq!(feed.updated().to_rfc3339(), "2026-11-03T00:00:00+00:00");
    assert_eq!(feed.entries().len(), 7, "one entry per change");
    let first = &feed.entries()[0];
    assert_eq!(first.updated().to_rfc3339(), "2026-11-02T00:00:00+00:00", "newest first");
    let ids: std::collections::BTreeSet<&str> = feed.entries().iter().map(|e| e.id()).collect();
    assert_eq!(ids.len(), 7, "unique ids");
    for e in feed.entries() {
        assert!(!e.authors().is_empty(), "{}", e.title().value);
        let href = e.links()[0].href();
        assert!(href.starts_with("https://") || href.starts_with("workloads/"), "{href}");
        assert!(href.ends_with("/index.html"), "{href}");
    }
    let gone = feed.entries().iter().find(|e| e.title().value.contains("removed")).expect("beta's removal");
    assert!(
        gone.title().value.starts_with("Beta: removed or renamed (was blocked)"),
        "its last name: {}",
        gone.title().value
    );
    // The same bytes from build to build.
    assert_eq!(s.site.build("2026-11-03").code, 0);
    assert_eq!(text, s.site.page("changes.atom"));
}

#[path = "../../examples/gen_portfolio.rs"]
#[allow(dead_code)]
mod gen_portfolio;

/// The generated portfolio of the benchmarks (stale evidence, expired
/// waivers, wrong signers, promotions, dependencies; all dated around its
/// as-of date) under commits that change evidence and add workloads: the
/// walk agrees with a full evaluation of every day.
#[test]
fn incremental_days_match_full_evaluation_on_a_generated_portfolio() {
    let site = GitSite::untracked("history-generated", "base");
    site.remove_dir("content");
    gen_portfolio::generate(site.root(), 40, 7).unwrap();
    site.git(&["init", "-q"]);
    site.commit(ERIN, "2026-06-01", "Portfolio");
    let folders: Vec<String> = {
        let mut v: Vec<String> = std::fs::read_dir(site.path("content/workloads"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    };
    for k in 1..=12 {
        let day = common::add_days("2026-06-01", k * 14);
        if k % 4 == 0 {
            site.copy_dir(
                &format!("content/workloads/{}", folders[k as usize]),
                &format!("content/workloads/added-{k}"),
            );
        } else {
            let w = &folders[(k as usize * 7) % folders.len()];
            let dir = site.path(&format!("content/workloads/{w}"));
            let md = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.extension().is_some_and(|x| x == "md"))
                .unwrap();
            let text = std::fs::read_to_string(&md).unwrap();
            std::fs::write(&md, text.replacen("status: validated", "status: documented", 1)).unwrap();
        }
        site.commit(ERIN, &day, &format!("Change {k}"));
    }
    let repo = cutover::load::git::discover(site.root()).unwrap().expect("a work tree");
    let as_of = cutover::core::date::Date::parse("2026-11-26").unwrap();
    let fast = cutover::evaluate::history::days::walk(&repo, site.root(), as_of, 180).unwrap();
    let slow = cutover::evaluate::history::days::walk_full(&repo, site.root(), as_of, 180).unwrap();
    assert_eq!(fast.days.len(), 179, "from 2026-06-01 to 2026-11-26");
    assert_eq!(fast.days, slow.days);
    let key = |h: &cutover::evaluate::history::History| -> Vec<String> {
        h.changes.iter().map(|c| format!("{} {} {:?} {:?}", c.date, c.workload, c.from, c.to)).collect()
    };
    assert_eq!(key(&fast), key(&slow));
    assert!(fast.changes.len() >= 20, "{:?}", key(&fast));
}
