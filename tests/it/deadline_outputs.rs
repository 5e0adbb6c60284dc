//! The files that tell who must act by when: readiness.csv read back with the
//! `csv` crate, the calendars with the `ical` parser, the people pages, and
//! `gate --release` / `gate --all`.

use crate::common;
use common::*;
use std::collections::BTreeMap;
use std::io::BufReader;

/// Gives alpha a name and owner that need quoting in CSV and escaping in iCalendar.
fn awkward(p: &Portfolio) {
    p.write(
        "content/workloads/alpha/workload.yaml",
        "name: \"Alpha, the \\\"first\\\"\\nsecond line\"\nowner: \"Team A, \\\"core\\\"\"\ncriticality: business-critical\nrelease: wave-1\n",
    );
}

#[test]
fn readiness_csv_reads_back_with_its_header_and_quoted_names() {
    let p = Portfolio::base("csv");
    awkward(&p);
    p.add_ready_workload("beta", "name: Beta\nowner: beta@example.org\ncriticality: standard\n");
    p.remove("content/workloads/beta/stage.md");
    let run = p.build(AS_OF);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(p.path("public/readiness.csv")).unwrap();
    assert!(!bytes.starts_with(b"\xef\xbb\xbf"), "no byte-order mark");
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header[..7], ["workload", "name", "owner", "release", "criticality", "decision", "reasons"]);
    assert_eq!(header[7], "assess");
    assert_eq!(header.last().unwrap(), "promote");
    assert_eq!(header.len(), 7 + 15, "one column per built-in item");
    let rows: Vec<BTreeMap<String, String>> =
        reader.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect()).collect();
    assert_eq!(rows.len(), 2);
    let alpha = &rows[0];
    assert_eq!(alpha["workload"], "alpha");
    assert_eq!(alpha["name"], "Alpha, the \"first\"\nsecond line");
    assert_eq!(alpha["owner"], "Team A, \"core\"");
    assert_eq!(alpha["release"], "wave-1");
    assert_eq!(alpha["decision"], "ready");
    assert_eq!(alpha["reasons"], "");
    assert_eq!(alpha["assess"], "satisfied");
    assert_eq!(alpha["promote"], "not-started");
    let beta = &rows[1];
    assert_eq!((beta["release"].as_str(), beta["decision"].as_str()), ("", "blocked"));
    assert_eq!(beta["stage"], "not-started");
    assert_eq!(beta["reasons"], "stage: not started");
    // RFC 4180 line ends.
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.split('\n').next().unwrap().ends_with('\r'));
}

type Event = BTreeMap<String, String>;

fn calendar(path: &std::path::Path) -> Vec<Event> {
    let file = std::fs::File::open(path).unwrap();
    let mut cals = ical::IcalParser::new(BufReader::new(file));
    let cal = cals.next().expect("one calendar").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(cals.next().is_none());
    cal.events
        .into_iter()
        .map(|e| {
            e.properties
                .into_iter()
                .map(|p| {
                    let params = p.params.unwrap_or_default().into_iter().map(|(k, v)| format!(";{k}={}", v.join(",")));
                    (format!("{}{}", p.name, params.collect::<String>()), p.value.unwrap_or_default())
                })
                .collect()
        })
        .collect()
}

#[test]
fn calendar_ics_parses_and_is_the_same_bytes_from_build_to_build() {
    let p = Portfolio::base("ics");
    awkward(&p);
    p.build(AS_OF);
    let first = std::fs::read(p.path("public/calendar.ics")).unwrap();
    let events = calendar(&p.path("public/calendar.ics"));
    let by_uid: BTreeMap<&str, &Event> = events.iter().map(|e| (e["UID"].as_str(), e)).collect();
    assert_eq!(by_uid.len(), events.len(), "UIDs are unique");
    let perf = by_uid["stale.alpha.application-performance@cutover"];
    // validated 2026-10-02, max_age_days 30: the last fresh day is 2026-11-01.
    assert_eq!(perf["DTSTART;VALUE=DATE"], "20261101");
    assert_eq!(perf["DTEND;VALUE=DATE"], "20261102");
    assert_eq!(perf["DTSTAMP"], "20261015T000000Z");
    assert!(perf["SUMMARY"].contains("Alpha\\, the \"first\"\\nsecond line"), "{}", perf["SUMMARY"]);
    // bcdr-validation: 2026-09-02 + 90 days.
    assert_eq!(by_uid["stale.alpha.bcdr-validation@cutover"]["DTSTART;VALUE=DATE"], "20261201");
    assert_eq!(by_uid["release-target.wave-1@cutover"]["DTSTART;VALUE=DATE"], "20261201");
    for line in String::from_utf8(first.clone()).unwrap().split("\r\n") {
        assert!(line.len() <= 75, "folded at 75 octets: {line:?}");
        assert!(!line.contains('\n'), "CRLF only");
    }
    // Same inputs and as-of date, same bytes; the UIDs stay when the dates move.
    p.build(AS_OF);
    assert_eq!(std::fs::read(p.path("public/calendar.ics")).unwrap(), first);
    p.set_field("content/workloads/alpha/application-performance.md", "validated_on", "2026-10-05");
    p.build(AS_OF);
    let moved = calendar(&p.path("public/calendar.ics"));
    let uids = |evs: &[Event]| evs.iter().map(|e| e["UID"].clone()).collect::<std::collections::BTreeSet<_>>();
    assert_eq!(uids(&moved), uids(&events));
    let perf = moved.iter().find(|e| e["UID"] == "stale.alpha.application-performance@cutover").unwrap();
    assert_eq!(perf["DTSTART;VALUE=DATE"], "20261104");
}

#[test]
fn each_owner_and_approver_has_a_page_and_a_calendar() {
    let p = Portfolio::base("people");
    p.add_ready_workload("beta", "name: Beta\nowner: A.B@example.org\ncriticality: standard\n");
    p.add_ready_workload("gamma", "name: Gamma\nowner: a-b@example.org\ncriticality: standard\n");
    p.set_field("content/workloads/alpha/business-change-plan.md", "status", "documented");
    let run = p.build(AS_OF);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let person = |id: &str| p.read(&format!("public/people/{id}/index.html"));
    // Two people whose names make the same slug get their own pages, in name order.
    assert!(html_text(&person("a-b-example-org")).contains("a-b@example.org"));
    assert!(html_text(&person("a-b-example-org-2")).contains("A.B@example.org"));
    // Bob signs business change plans: alpha's documented one waits for him.
    let bob = html_text(&person("bob-biz-example-org"));
    assert!(bob.contains("Alpha - Business change plan : documented, waiting for a member of role business"), "{bob}");
    // Carol validated the CISO verification; her calendar is hers alone.
    let carol = calendar(&p.path("public/people/carol-ciso-example-org/calendar.ics"));
    assert!(carol.iter().all(|e| !e["UID"].starts_with("release-target")), "{carol:?}");
    let team = calendar(&p.path("public/people/alpha-team-example-org/calendar.ics"));
    assert!(team.iter().any(|e| e["UID"] == "stale.alpha.application-performance@cutover"));
    assert!(team.iter().any(|e| e["UID"] == "release-target.wave-1@cutover"));
    // The report links its owner and the open item's signers to their pages.
    let report = p.read("public/workloads/alpha/index.html");
    assert!(report.contains("href=\"../../people/alpha-team-example-org/index.html\""));
    assert!(report.contains("href=\"../../people/bob-biz-example-org/index.html\""));
    assert!(html_text(&report).contains("needed by the release target 2026-12-01 (Wave 1)"));
    // Search finds people.
    assert!(p.read("public/search-index.js").contains("\"href\":\"people/carol-ciso-example-org/index.html\""));
    assert!(broken_links(&p.path("public")).is_empty(), "{:?}", broken_links(&p.path("public")));
}

fn gate(p: &Portfolio, args: &[&str]) -> Run {
    let mut all = vec!["gate", "--root", p.root().to_str().unwrap(), "--as-of", AS_OF];
    all.extend(args);
    cutover(all)
}

#[test]
fn gate_by_release_and_for_all() {
    let p = Portfolio::base("gate-release");
    p.add_ready_workload("beta", "name: Beta\nowner: beta@example.org\ncriticality: standard\nrelease: wave-2\n");
    assert_eq!(gate(&p, &["--release", "wave-1"]).code, 0);
    assert_eq!(gate(&p, &["--release", "wave-2"]).code, 0);
    assert_eq!(gate(&p, &["--all"]).code, 0);
    p.remove("content/workloads/beta/stage.md");
    let run = gate(&p, &["--release", "wave-2"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("beta: blocked"), "{}", run.stderr);
    assert_eq!(gate(&p, &["--release", "wave-1"]).code, 0, "wave 1 does not hold beta");
    assert_eq!(gate(&p, &["--all"]).code, 1);
    let unknown = gate(&p, &["--release", "wave-3"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("not a release"), "{}", unknown.stderr);
    p.edit("content/workloads/beta/workload.yaml", "release: wave-2\n", "");
    let empty = gate(&p, &["--release", "wave-2"]);
    assert_eq!(empty.code, 2, "an empty release lets nothing through: {}", empty.stderr);
    assert_eq!(gate(&p, &["alpha", "--all"]).code, 2, "ids and --all together are refused");
    assert_eq!(cutover(["gate", "--root", p.root().to_str().unwrap()]).code, 2, "nothing named");
}
