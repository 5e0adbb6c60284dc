//! What the pages say (issue 22): a page never contradicts itself or
//! another page, and says what is true. Each test reads page text, on the
//! sample (content/) or on small variations of tests/fixtures/base.

use crate::common;

use common::{AS_OF, Portfolio, html_text, workload};
use serde_json::Value;

const SAMPLE_AS_OF: &str = "2026-11-26";

/// The text of a page's `<main>`, tags dropped.
fn main_text(p: &Portfolio, page: &str) -> String {
    let html = p.read(&format!("public/{page}"));
    let start = html.find("<main").expect("a main element");
    let end = html.find("</main>").expect("a closed main");
    html_text(&html[start..end])
}

/// The HTML of one item's article on a report.
fn article(html: &str, item: &str) -> String {
    let at = html.find(&format!("id=\"item-{item}\"")).unwrap_or_else(|| panic!("no item {item}"));
    let rest = &html[at..];
    rest[..rest.find("</article>").unwrap()].to_string()
}

fn promote_executed(on: &str) -> String {
    format!(
        "---\nstatus: documented\nexecuted_on: {on}\npromoted_on: {on}\ndocumented_in: [reports/evidence.txt]\n\
         cutover:\n  - {{record: alpha.example.org, type: A, from: 10.0.0.1, to: 10.1.0.1, ttl: 300}}\n---\nCut over.\n"
    )
}

/// Point 1: the count is of the items required before promotion, so a ready
/// workload reads "N of N"; its promotion item is the next step, not a gap.
#[test]
fn a_ready_report_counts_the_items_before_promotion_and_shows_no_gap() {
    let p = Portfolio::sample("content-ready");
    let r = p.readiness(SAMPLE_AS_OF);
    let mut ready = 0;
    for w in r["workloads"].as_array().unwrap() {
        let id = w["id"].as_str().unwrap();
        let items: Vec<&Value> = w["items"].as_array().unwrap().iter().filter(|i| i["id"] != "promote").collect();
        let satisfied = items.iter().filter(|i| i["satisfied"] == true).count();
        let text = main_text(&p, &format!("workloads/{id}/index.html"));
        // Every item of the built-in checklist is required for every criticality.
        let want = format!("Before promotion {satisfied} of {} required items satisfied", items.len());
        assert!(text.contains(&want), "{id}: `{want}` in {text}");
        if w["decision"] == "ready" {
            ready += 1;
            assert_eq!(satisfied, items.len(), "{id}");
            assert!(text.contains("Every required item is satisfied"), "{id}");
            let html = p.read(&format!("public/workloads/{id}/index.html"));
            let promote = article(&html, "promote");
            assert!(!promote.contains("unmet"), "{id}: the promotion item is not shown as missing: {promote}");
            assert!(promote.contains("class=\"note next-step\""), "{id}: {promote}");
            assert!(text.contains("Promotion the next step"), "{id}: {text}");
        }
    }
    assert!(ready > 0, "the sample has a ready workload");
}

/// Point 2: a complete release says when it completed and whether on time,
/// does not age with the as-of date, and lists each promotion date.
#[test]
fn a_complete_release_says_when_it_completed_not_how_late_it_is_today() {
    let p = Portfolio::sample("content-release");
    let r = p.readiness(SAMPLE_AS_OF);
    let complete = r["releases"].as_array().unwrap().iter().find(|x| x["complete"] == true).unwrap();
    let id = complete["id"].as_str().unwrap();
    let text = main_text(&p, &format!("releases/{id}/index.html"));
    // wave-2 (target 2026-11-13): HR directory promoted 2026-11-10, Intranet portal 2026-11-12.
    assert!(text.contains("Completed on 2026-11-12"), "{text}");
    assert!(text.contains("on time, 1 day before its target 2026-11-13"), "{text}");
    assert!(!text.contains("before the as-of date") && !text.contains("past target"), "{text}");
    assert!(!p.read(&format!("public/releases/{id}/index.html")).contains("class=\"timeline"), "no ageing timeline");
    for (name, on) in [("HR directory", "2026-11-10"), ("Intranet portal", "2026-11-12")] {
        assert!(text.contains(&format!("{name} ")) && text.contains(&format!("promoted {on}")), "{name}: {text}");
    }
    let dash = main_text(&p, "index.html");
    assert!(dash.contains("completed 2026-11-12 , on time"), "{dash}");
    // A later as-of date changes nothing about a finished release.
    let later = Portfolio::sample("content-release-later");
    later.readiness("2027-02-01");
    let again = main_text(&later, &format!("releases/{id}/index.html"));
    assert!(again.contains("Completed on 2026-11-12") && again.contains("on time"), "{again}");

    // Late: promoted after the target (wave-1's target is 2026-12-01).
    let late = Portfolio::base("content-late");
    late.write("content/workloads/alpha/promote.md", &promote_executed("2026-12-04"));
    late.readiness("2026-12-10");
    let text = main_text(&late, "releases/wave-1/index.html");
    assert!(text.contains("Completed on 2026-12-04"), "{text}");
    assert!(text.contains("late, 3 days after its target 2026-12-01"), "{text}");
}

/// Point 3: a dependency reason says what is true about releases.
#[test]
fn dependency_reasons_name_the_release_or_its_absence() {
    let p = Portfolio::base("content-deps");
    // Alpha: ready, wave-1. Loose: no release, needs Alpha. Late: wave-2, needs Loose (ready, no release).
    p.add_ready_workload("loose", "name: Loose\nowner: l@example.org\ncriticality: standard\ndepends_on: [alpha]\n");
    p.add_ready_workload("free", "name: Free\nowner: f@example.org\ncriticality: standard\n");
    p.add_ready_workload(
        "later",
        "name: Later\nowner: t@example.org\ncriticality: standard\nrelease: wave-2\ndepends_on: [alpha, free]\n",
    );
    let r = p.readiness(AS_OF);
    let message = |id: &str, dep: &str| {
        workload(&r, id)["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["workload"] == dep)
            .unwrap_or_else(|| panic!("{id} has no reason about {dep}: {r}"))["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let loose = message("loose", "alpha");
    assert!(!loose.contains("another release") && loose.contains("not yet promoted"), "{loose}");
    assert_eq!(message("later", "alpha"), "dependency is ready but in release Wave 1; it must be promoted first");
    assert_eq!(message("later", "free"), "dependency is ready but has no release; it must be promoted first");
    // The release graph labels an outside dependency with no release as such.
    let graph = p.read("public/releases/wave-2/index.html");
    assert!(graph.contains("Free (no release)") && graph.contains("Alpha (other release)"), "{graph}");

    // Point 6: the dashboard gives each blocked row its first reason, and
    // the releases table a row for the workloads in no release.
    let dash = main_text(&p, "index.html");
    assert!(dash.contains("blocked waiting for Alpha to be promoted"), "{dash}");
    assert!(dash.contains("waiting for Alpha to be promoted (+1 more)"), "{dash}");
    let row = &dash[dash.find("No release").expect("a row for no release")..];
    // Loose (blocked) and Free (ready): 0 promoted, 1 ready, 1 blocked.
    assert!(row.contains("0% promoted 0 1 1"), "{row}");
}

/// Point 5: a classification whose item is not validated is proposed, and
/// the two confidential classes look unlike the rest.
#[test]
fn a_classification_not_validated_is_shown_as_proposed() {
    let p = Portfolio::base("content-class");
    let class = "content/workloads/alpha/data-classification.md";
    p.set_field(class, "status", "documented");
    p.set_field(class, "classification", "highly-confidential");
    p.add_ready_workload("beta", "name: Beta\nowner: b@example.org\ncriticality: standard\n");
    p.set_field("content/workloads/beta/data-classification.md", "classification", "confidential");
    p.readiness(AS_OF);
    let security = p.read("public/security/index.html");
    assert!(
        security.contains("<span class=\"class class-highly-confidential proposed\">highly-confidential</span>"),
        "{security}"
    );
    assert!(security.contains("<span class=\"class class-confidential\">confidential</span>"), "{security}");
    let text = main_text(&p, "security/index.html");
    assert!(text.contains("highly-confidential proposed (documented, not yet validated)"), "{text}");
    assert!(text.contains("Beta ready confidential ✓"), "beta's is validated, so not proposed: {text}");
    let report = main_text(&p, "workloads/alpha/index.html");
    assert!(report.contains("Data classification highly-confidential proposed"), "{report}");
    let css = p.read("public/assets/style.css");
    for rule in [".class-confidential {", ".class-highly-confidential {", ".class.proposed {"] {
        assert!(css.contains(rule), "{rule}");
    }
}

/// Point 9: the About page shows its title once.
#[test]
fn a_free_page_shows_its_title_once() {
    let p = Portfolio::sample("content-about");
    p.readiness(SAMPLE_AS_OF);
    let text = main_text(&p, "pages/about/index.html");
    assert_eq!(text.matches("About the DC-North exit programme").count(), 1, "{text}");
    let html = p.read("public/pages/about/index.html");
    assert!(html.contains("<h2>How a workload gets promoted</h2>"), "the next heading moves up");
}

/// Point 9: no raw backtick on a page; e-mail addresses break between their
/// parts; a waiver's reason and mitigation are apart.
#[test]
fn role_names_are_code_addresses_break_at_their_parts_and_waivers_read_apart() {
    let p = Portfolio::base("content-small");
    let ciso = "content/workloads/alpha/ciso-verification.md";
    p.set_field(ciso, "validated_by", "mallory@example.org");
    let ia = "content/workloads/alpha/identity-alignment.md";
    p.write(
        ia,
        "---\nstatus: waived\nwaiver:\n  approved_by: val.idator@example.org\n  approved_on: 2026-10-01\n  \
         expires_on: 2026-11-30\n  reason: Waiting for the change process\n  mitigation: Weekly review\n---\nWaived.\n",
    );
    p.readiness(AS_OF);
    let html = p.read("public/workloads/alpha/index.html");
    let text = main_text(&p, "workloads/alpha/index.html");
    assert!(!text.contains('`'), "no raw backtick: {text}");
    assert!(html.contains("approver for role <code>ciso</code>"), "{}", article(&html, "ciso-verification"));
    assert!(html.contains("alpha-team@<wbr>example.<wbr>org"), "the owner's address breaks at its parts");
    let waiver = article(&html, "identity-alignment");
    assert!(
        waiver.contains("change process</span></p><p class=\"waiver-part\"><strong>Mitigation:</strong>"),
        "{waiver}"
    );
    let css = p.read("public/assets/style.css");
    let last = css.rfind(".meta dd, .facts dd").unwrap();
    assert!(css[last..].starts_with(".meta dd, .facts dd, .evidence, .person-page { overflow-wrap: break-word; }"));
}

/// Point 9: cutover records are headed in full, without empty columns.
#[test]
fn cutover_records_have_full_headings_and_no_empty_columns() {
    let p = Portfolio::base("content-records");
    p.write("content/workloads/alpha/promote.md", &promote_executed("2026-10-10"));
    p.readiness(AS_OF);
    let html = p.read("public/workloads/alpha/index.html");
    let records = &html[html.find("<caption>Cutover</caption>").expect("a table of cutover records")..];
    let records = &records[..records.find("</table>").unwrap()];
    assert!(records.contains("<th scope=\"col\">Time to live</th>"), "{records}");
    assert!(!records.contains(">Ttl<"), "{records}");
    assert!(!records.contains(">Batch<") && !records.contains("Traffic"), "optional columns nobody filled: {records}");
    assert!(!records.contains("<td></td>"), "{records}");
}

/// Point 17: a Markdown attachment is a rendered, sanitised page; its links
/// are checked from its own folder; links to it lead to the page.
#[test]
fn markdown_attachments_are_published_as_pages() {
    let p = Portfolio::base("content-docs");
    let alpha = "content/workloads/alpha";
    p.write(
        &format!("{alpha}/runbooks/stage.md"),
        "# Staging runbook\n\n1. Restore; see [the log](../reports/evidence.txt) and [the stage item](../stage.md).\n\
         2. Then [the plan](plans/next.md#step-2).\n\n<script>alert(1)</script><b onclick=\"alert(2)\">bold</b>\n\n\
         A [missing file](../reports/missing.txt) and [a web page](https://example.org/x).\n",
    );
    p.write(&format!("{alpha}/runbooks/plans/next.md"), "Plan\n\n## Step 2\n\nBack to [the runbook](../stage.md).\n");
    p.write(&format!("{alpha}/runbooks/unlinked.md"), "Nobody links this.\n");
    p.edit(
        &format!("{alpha}/stage.md"),
        "Done;",
        "Runbook: [stage](runbooks/stage.md), <a href=\"runbooks/stage.md#top\">in raw HTML</a>. Done;",
    );
    p.set_field(&format!("{alpha}/stage.md"), "documented_in", "[reports/evidence.txt, runbooks/stage.md]");

    let diags = p.diagnostics();
    let broken: Vec<_> = diags.iter().filter(|d| d.code == "W0012").collect();
    assert_eq!(broken.len(), 1, "{diags:#?}");
    assert_eq!(broken[0].at(), ("W0012", "content/workloads/alpha/runbooks/stage.md", 8, 3));
    assert!(broken[0].message.contains("../reports/missing.txt"), "{:?}", broken[0]);
    assert!(diags.iter().all(|d| d.severity == "warning"), "{diags:#?}");

    let run = p.build(AS_OF);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = p.path("public/workloads/alpha");
    assert!(!out.join("runbooks/stage.md").exists(), "the raw Markdown is not published");
    assert!(!out.join("runbooks/unlinked.html").exists(), "only linked documents are");
    assert!(out.join("runbooks/plans/next.html").is_file(), "linked from a published document");
    let page = p.read("public/workloads/alpha/runbooks/stage.html");
    assert!(page.contains("<h1>Staging runbook</h1>"), "{page}");
    assert!(page.contains("http-equiv=\"Content-Security-Policy\""));
    for bad in ["<script>alert", "onclick", "alert("] {
        assert!(!page.contains(bad), "`{bad}` survived: {page}");
    }
    assert!(page.contains("href=\"../reports/evidence.txt\""), "{page}");
    assert!(page.contains("href=\"../index.html#item-stage\""), "evidence links lead to the report: {page}");
    assert!(page.contains("href=\"plans/next.html#step-2\""), "{page}");
    assert!(!page.contains("missing.txt\""), "a broken link is left out: {page}");
    assert!(html_text(&page).contains("A missing file and"), "its text stays");
    let report = p.read("public/workloads/alpha/index.html");
    assert_eq!(report.matches("href=\"runbooks/stage.html\"").count(), 2, "documented_in and the body");
    assert!(report.contains("href=\"runbooks/stage.html#top\""), "a raw HTML link leads to the page too");
    let broken = common::broken_links(&p.path("public"));
    assert!(broken.is_empty(), "{broken:#?}");
}

/// Markdown attachments were published unread before they became pages, so
/// one that is not UTF-8 (an export in Latin-1) still builds: its page shows
/// the bad bytes as U+FFFD, and nothing is reported.
#[test]
fn a_markdown_attachment_that_is_not_utf8_still_builds() {
    let p = Portfolio::base("content-docs-latin1");
    let alpha = "content/workloads/alpha";
    p.write_bytes(&format!("{alpha}/runbooks/export.md"), b"# Export\n\nCaf\xe9 ready.\n");
    p.edit(&format!("{alpha}/stage.md"), "Done;", "Runbook: [export](runbooks/export.md). Done;");
    let diags = p.diagnostics();
    assert!(diags.iter().all(|d| d.file != "content/workloads/alpha/runbooks/export.md"), "{diags:#?}");
    let run = p.build(AS_OF);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = p.read("public/workloads/alpha/runbooks/export.html");
    assert!(page.contains("Caf\u{fffd} ready."), "{page}");
}

/// Point 6 on the sample: Payslip portal's own items are all satisfied; its
/// row says what it waits for. Payroll is in the same release, so it need
/// only be ready, not promoted.
#[test]
fn a_blocked_row_says_what_its_dependency_must_become() {
    let p = Portfolio::sample("content-first-reason");
    p.readiness(SAMPLE_AS_OF);
    let dash = main_text(&p, "index.html");
    assert!(dash.contains("Payslip portal"), "{dash}");
    assert!(dash.contains("blocked waiting for Payroll to be ready"), "{dash}");
    assert!(!dash.contains("waiting for Payroll to be promoted"), "{dash}");
}
