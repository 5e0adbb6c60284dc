//! Promotion day, part 4: retiring the on-premises assets after the hold
//! period (`decommission/index.html`, the report section, W0005 and W0006),
//! through the binary.

use crate::common;

use common::{Diag, Portfolio, html_text};

const ALPHA_YAML: &str = "content/workloads/alpha/workload.yaml";
const BETA_YAML: &str = "content/workloads/beta/workload.yaml";

/// alpha promoted on 2026-10-01 (hold ends 2026-10-31 with the default 30
/// days) with four assets; beta not promoted, with one asset retired anyway.
fn portfolio(tag: &str) -> Portfolio {
    let p = Portfolio::base(tag);
    p.write(
        ALPHA_YAML,
        "name: Alpha\nowner: alpha-team@example.org\ncriticality: business-critical\nrelease: wave-1\nsummary: The first workload.\nassets:\n  - name: ALPHA-APP01\n    kind: vm\n  - name: ALPHA-DB01\n    kind: database\n    decommissioned_on: 2026-11-05\n  - name: ALPHA-FW01\n    decommissioned_on: 2026-10-31\n  - name: ALPHA-LB01\n    kind: load balancer VIP\n    decommissioned_on: 2026-10-20\n",
    );
    p.write(
        "content/workloads/alpha/promote.md",
        "---\nstatus: executed\nexecuted_on: 2026-10-01\npromoted_on: 2026-10-01\n---\nCut over.\n",
    );
    // Ready on its promotion day: performance validated the day it ran.
    p.edit(
        "content/workloads/alpha/application-performance.md",
        "validated_on: 2026-10-02",
        "validated_on: 2026-10-01",
    );
    p.add_ready_workload("beta", "name: Beta\nowner: b@example.org\ncriticality: standard\nassets:\n  - {name: BETA-VM01, kind: vm, decommissioned_on: 2026-10-10}\n  - name: BETA-VM02\n");
    p
}

/// The text of each asset row of the decommissioning page. Empty cells read as
/// nothing, whether they are rendered blank or as a `-` placeholder.
fn page_rows(p: &Portfolio) -> Vec<String> {
    rows_of(&p.read("public/decommission/index.html"))
}

fn rows_of(html: &str) -> Vec<String> {
    let body = &html[html.find("<tbody>").expect("an asset table")..];
    let body = &body[..body.find("</tbody>").unwrap()];
    body.split("<tr")
        .skip(1)
        .map(|r| {
            html_text(&r[r.find('>').unwrap() + 1..]).split(' ').filter(|w| *w != "-").collect::<Vec<_>>().join(" ")
        })
        .collect()
}

/// The rows of alpha's report section "On-premises assets to retire".
fn report_rows(p: &Portfolio) -> Vec<String> {
    let html = p.read("public/workloads/alpha/index.html");
    let start = html.find("<section aria-labelledby=\"assets-h\"").expect("an assets section in the report");
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    assert!(section.contains("href=\"../../decommission/index.html\""), "{section}");
    rows_of(section)
}

fn built(p: &Portfolio, as_of: &str) {
    let run = p.build(as_of);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn an_asset_is_in_hold_then_due_then_overdue_with_the_default_hold_of_30_days() {
    let p = portfolio("decom-stages");
    built(&p, "2026-10-20");
    let html = p.read("public/decommission/index.html");
    assert!(html_text(&html).contains("kept for a hold period of 30 days"), "default hold: {}", html_text(&html));
    let rows = page_rows(&p);
    assert!(rows.contains(&"ALPHA-APP01 vm Alpha in hold 2026-10-31 11 days left".to_string()), "{rows:#?}");
    assert!(report_rows(&p).contains(&"ALPHA-APP01 vm in hold 11 days left, hold ends 2026-10-31".to_string()));

    for (as_of, page, report) in [
        ("2026-10-30", "in hold 2026-10-31 1 days left", "in hold 1 days left, hold ends 2026-10-31"),
        ("2026-10-31", "due 2026-10-31 due today", "due due today"),
        ("2026-11-01", "due 2026-10-31 due for 1 days", "due due since 2026-10-31 (1 days)"),
        ("2026-11-30", "due 2026-10-31 due for 30 days", "due due since 2026-10-31 (30 days)"),
        ("2026-12-01", "overdue 2026-10-31 due for 31 days", "overdue due since 2026-10-31 (31 days)"),
    ] {
        built(&p, as_of);
        let rows = page_rows(&p);
        assert!(rows.contains(&format!("ALPHA-APP01 vm Alpha {page}")), "{as_of}: {rows:#?}");
        assert!(report_rows(&p).contains(&format!("ALPHA-APP01 vm {report}")), "{as_of}: {:#?}", report_rows(&p));
    }
}

#[test]
fn retired_and_in_service_assets_and_the_order_of_the_page() {
    let p = portfolio("decom-order");
    built(&p, "2026-12-01");
    assert_eq!(
        page_rows(&p),
        [
            "ALPHA-APP01 vm Alpha overdue 2026-10-31 due for 31 days",
            "BETA-VM02 Beta in service workload not promoted",
            "ALPHA-DB01 database Alpha retired 2026-10-31 retired 2026-11-05",
            "ALPHA-FW01 Alpha retired 2026-10-31 retired 2026-10-31",
            "ALPHA-LB01 load balancer VIP Alpha retired 2026-10-31 retired 2026-10-20",
            "BETA-VM01 vm Beta retired retired 2026-10-10",
        ]
    );
    let report = p.read("public/workloads/beta/index.html");
    let beta = html_text(&report).replace(" - ", " ");
    assert!(beta.contains("BETA-VM02 in service serves production until promotion"), "{beta}");
}

#[test]
fn decommission_hold_days_in_site_yaml_sets_the_hold() {
    let p = portfolio("decom-hold");
    p.edit("content/site.yaml", "title: Test portfolio\n", "title: Test portfolio\ndecommission_hold_days: 10\n");
    built(&p, "2026-10-20");
    let html = p.read("public/decommission/index.html");
    assert!(html_text(&html).contains("kept for a hold period of 10 days"));
    assert!(page_rows(&p).contains(&"ALPHA-APP01 vm Alpha due 2026-10-11 due for 9 days".to_string()));
    // With a 10-day hold, retiring ALPHA-LB01 on 2026-10-20 was on time: only beta's warning is left.
    let codes: Vec<String> = p.check_json(&["--as-of", "2026-10-20"]).1.into_iter().map(|d| d.code).collect();
    assert_eq!(codes, ["W0005"]);
    // The setting is a count of days.
    p.edit("content/site.yaml", "decommission_hold_days: 10", "decommission_hold_days: ten");
    let diags = p.check_json(&["--as-of", "2026-10-20"]).1;
    assert!(diags.iter().any(|d| d.code == "E0204" && d.file == "content/site.yaml"), "{diags:#?}");
}

#[test]
fn check_warns_about_assets_retired_too_early_with_exact_positions() {
    let p = portfolio("decom-warnings");
    let (run, diags) = p.check_json(&["--as-of", "2026-12-01"]);
    assert_eq!(run.code, 0, "warnings do not fail check");
    let expected = [
        Diag {
            severity: "warning".into(),
            code: "W0006".into(),
            file: ALPHA_YAML.into(),
            line: 16,
            column: 24,
            message: "`ALPHA-LB01` is retired on 2026-10-20, before its hold ends on 2026-10-31".into(),
            help: Some("the hold (decommission_hold_days in site.yaml) keeps a way back after promotion; retire assets after it".into()),
        },
        Diag {
            severity: "warning".into(),
            code: "W0005".into(),
            file: BETA_YAML.into(),
            line: 5,
            column: 52,
            message: "`BETA-VM01` is retired on 2026-10-10, but Beta is not promoted".into(),
            help: Some("an on-premises asset serves production until its workload is promoted; check the date, or record the promotion".into()),
        },
    ];
    assert_eq!(diags, expected);
    // The positions point at the dates as written.
    assert!(p.read(ALPHA_YAML).lines().nth(15).unwrap()[23..].starts_with("2026-10-20"));
    assert!(p.read(BETA_YAML).lines().nth(4).unwrap()[51..].starts_with("2026-10-10"));
    // The human format quotes the line; --strict makes them errors.
    let human = p.check_human("2026-12-01");
    assert!(human.stderr.contains("warning[W0005]") && human.stderr.contains(&format!("--> {BETA_YAML}:5:52")));
    let (strict, diags) = p.check_json(&["--as-of", "2026-12-01", "--strict"]);
    assert_eq!(strict.code, 1);
    assert!(diags.iter().all(|d| d.severity == "error"));
    // Retiring on the day the hold ends (ALPHA-FW01) or later (ALPHA-DB01) is not warned about,
    // and neither is an asset of a workload that is promoted by then.
    p.write(
        "content/workloads/beta/promote.md",
        "---\nstatus: executed\nexecuted_on: 2026-09-01\npromoted_on: 2026-09-01\n---\n",
    );
    let codes: Vec<String> = p.check_json(&["--as-of", "2026-12-01"]).1.into_iter().map(|d| d.code).collect();
    // (beta's evidence is dated after 2026-09-01, so that promotion is W0007.)
    assert_eq!(codes, ["W0006", "W0007"], "BETA-VM01 retired 2026-10-10 is after beta's hold (2026-10-01)");
}
