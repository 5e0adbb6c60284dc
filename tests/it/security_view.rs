//! Promotion day, part 2: the security view (`security/index.html`) that a
//! CISO reviewer reads, through the binary.

use crate::common;

use common::{AS_OF, Portfolio};

const ALPHA: &str = "content/workloads/alpha";

/// The text of some HTML: tags dropped, entities decoded, blanks collapsed.
pub fn text(html: &str) -> String {
    common::html_text(html)
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The HTML of `<section aria-labelledby="{id}">`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<section aria-labelledby=\"{id}\"")).unwrap_or_else(|| panic!("no section {id}"));
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

/// The text of each body row (`<tr>` after the header row) of a section's table.
fn rows(section: &str) -> Vec<String> {
    let body = &section[section.find("<tbody>").expect("a table body")..];
    body.split("<tr").skip(1).map(|r| text(&r[r.find('>').unwrap() + 1..])).collect()
}

fn waiver(approved_by: &str, approved_on: &str, expires_on: &str, reason: &str) -> String {
    format!(
        "---\nstatus: waived\nwaiver:\n  approved_by: {approved_by}\n  approved_on: {approved_on}\n  expires_on: {expires_on}\n  reason: {reason}\n  mitigation: Reviewed weekly.\n---\n"
    )
}

/// As of AS_OF (2026-10-15):
/// - alpha: internal; CISO validated by Carol (one accepted risk); identity validated.
/// - beta: confidential; CISO documented only, two risks (one not accepted); identity waived, 10 days left.
/// - gamma: highly-confidential; identity waiver expired 14 days ago; application performance stale.
/// - delta: not classified; CISO validated by someone outside the role; identity not started.
fn portfolio(tag: &str) -> Portfolio {
    let p = Portfolio::base(tag);
    let wl = |name: &str| format!("name: {name}\nowner: team@example.org\ncriticality: standard\n");
    p.add_ready_workload("beta", &wl("Beta"));
    p.set_field("content/workloads/beta/data-classification.md", "classification", "confidential");
    p.write(
        "content/workloads/beta/ciso-verification.md",
        "---\nstatus: documented\nexecuted_on: 2026-09-01\ndocumented_in: [reports/evidence.txt]\nrisks:\n  - id: b1\n    description: Shared service account on the file drop.\n    mitigation: Account rotated monthly until the SFTP move.\n    accepted: false\n  - id: b2\n    description: Vendor support over VPN.\n    mitigation: Sessions are recorded.\n    accepted: true\n---\nWaiting for Carol.\n",
    );
    p.write(
        "content/workloads/beta/identity-alignment.md",
        &waiver("bob.biz@example.org", "2026-10-01", "2026-10-25", "Directory sync lands in November."),
    );
    p.add_ready_workload("gamma", &wl("Gamma"));
    p.set_field("content/workloads/gamma/data-classification.md", "classification", "highly-confidential");
    p.write(
        "content/workloads/gamma/identity-alignment.md",
        &waiver("dan.deputy@example.org", "2026-09-01", "2026-10-01", "Legacy LDAP bind until the upgrade."),
    );
    p.set_field("content/workloads/gamma/application-performance.md", "executed_on", "2026-08-30");
    p.set_field("content/workloads/gamma/application-performance.md", "validated_on", "2026-09-01");
    p.add_ready_workload("delta", &wl("Delta"));
    p.remove("content/workloads/delta/data-classification.md");
    p.remove("content/workloads/delta/identity-alignment.md");
    p.set_field("content/workloads/delta/ciso-verification.md", "validated_by", "mallory@example.org");
    p
}

#[test]
fn every_workload_shows_classification_ciso_verification_and_signer_and_identity_alignment() {
    let p = portfolio("security-posture");
    assert_eq!(p.build(AS_OF).code, 0);
    let html = p.read("public/security/index.html");
    let posture = rows(section(&html, "posture-h"));
    assert_eq!(
        posture,
        [
            "Alpha ready internal ✓ validated by carol.ciso@example.org ✓ validated",
            "Beta blocked confidential ✕ documented documented, not yet validated ✓ waived waived until 2026-10-25",
            "Delta blocked not classified ✕ validated by mallory@example.org validated by mallory@example.org, who is not an approver for role ciso ✕ not-started not started",
            "Gamma blocked highly-confidential ✓ validated by carol.ciso@example.org ✕ waived waiver expired on 2026-10-01",
        ]
    );
    // Each workload links to its report.
    for id in ["alpha", "beta", "gamma", "delta"] {
        assert!(html.contains(&format!("href=\"../workloads/{id}/index.html\"")), "{id}");
    }
}

#[test]
fn the_risk_register_lists_every_risk_once_with_its_workloads_mitigation_and_acceptance() {
    let p = portfolio("security-risks");
    assert_eq!(p.build(AS_OF).code, 0);
    let html = p.read("public/security/index.html");
    let risks = section(&html, "risks-h");
    assert!(risks.contains("<table class=\"sortable risks\">"), "the register is sortable");
    assert_eq!(
        rows(risks),
        [
            // r1 is recorded by three workloads: one row, naming them all.
            "Alpha , Delta , Gamma r1 Old TLS on the batch interface. Interface retired next quarter. yes - - -",
            "Beta b1 Shared service account on the file drop. Account rotated monthly until the SFTP move. no - - -",
            "Beta b2 Vendor support over VPN. Sessions are recorded. yes - - -",
        ]
    );
    assert!(risks.contains("href=\"../workloads/beta/index.html#item-ciso-verification\""));
}

#[test]
fn waivers_show_who_approved_them_and_days_left_expired_first() {
    let p = portfolio("security-waivers");
    assert_eq!(p.build(AS_OF).code, 0);
    let html = p.read("public/security/index.html");
    assert_eq!(
        rows(section(&html, "waivers-h")),
        [
            "Gamma Identity alignment dan.deputy@example.org 2026-09-01 2026-10-01 expired 14 days ago Legacy LDAP bind until the upgrade.",
            "Beta Identity alignment bob.biz@example.org 2026-10-01 2026-10-25 10 Directory sync lands in November.",
        ]
    );
    assert!(
        html.contains(
            "<tr class=\"expired\"><td><a href=\"../workloads/gamma/index.html#item-identity-alignment\">Gamma"
        )
    );
    // Days left follow the as-of date.
    let run = p.build("2026-10-25");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = p.read("public/security/index.html");
    let waivers = rows(section(&html, "waivers-h"));
    assert!(waivers[0].contains("expired 24 days ago"), "{waivers:?}");
    assert!(waivers[1].contains("2026-10-25 0 Directory"), "the last day still counts: {waivers:?}");
}

#[test]
fn every_lapsed_signoff_is_listed_and_nothing_else() {
    let p = portfolio("security-stale");
    assert_eq!(p.build(AS_OF).code, 0);
    let html = p.read("public/security/index.html");
    let attention = section(&html, "attention-h");
    let items: Vec<String> = attention.split("<li>").skip(1).map(text).collect();
    // Stale, signed by someone outside the role, an expired waiver: each
    // recorded sign-off that does not count, and nothing merely unfinished.
    assert_eq!(
        items,
        [
            "Delta - CISO verification : validated by mallory@example.org, who is not an approver for role ciso",
            "Gamma - Application performance : stale: validated 2026-09-01, older than 30 days",
            "Gamma - Identity alignment : waiver expired on 2026-10-01",
        ]
    );
    assert!(attention.contains("href=\"../workloads/gamma/index.html#item-application-performance\""));
    // A clean portfolio says so.
    let clean = Portfolio::base("security-clean");
    assert_eq!(clean.build(AS_OF).code, 0);
    let html = clean.read("public/security/index.html");
    assert!(text(section(&html, "attention-h")).contains("No recorded sign-off has lapsed."));
    assert!(text(section(&html, "waivers-h")).contains("No item is waived."));
}

#[test]
fn the_security_and_decommissioning_views_are_linked_from_the_dashboard_and_every_report() {
    let p = portfolio("security-links");
    assert_eq!(p.build(AS_OF).code, 0);
    let dashboard = p.read("public/index.html");
    assert!(dashboard.contains("<a href=\"security/index.html\">Security</a>"), "{dashboard}");
    assert!(dashboard.contains("<a href=\"decommission/index.html\">Decommissioning</a>"));
    for id in ["alpha", "beta", "gamma", "delta"] {
        let report = p.read(&format!("public/workloads/{id}/index.html"));
        assert!(report.contains("<a href=\"../../security/index.html\">Security</a>"), "{id}");
        assert!(report.contains("<a href=\"../../decommission/index.html\">Decommissioning</a>"), "{id}");
    }
    let broken = common::broken_links(&p.path("public"));
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn a_workload_without_risks_or_ciso_evidence_still_has_a_row() {
    let p = Portfolio::base("security-empty");
    p.remove(&format!("{ALPHA}/ciso-verification.md"));
    assert_eq!(p.build(AS_OF).code, 0);
    let html = p.read("public/security/index.html");
    assert_eq!(rows(section(&html, "posture-h")), ["Alpha blocked internal ✕ not-started not started ✓ validated"]);
    assert!(text(section(&html, "risks-h")).contains("No risk is recorded in any CISO verification."));
}
