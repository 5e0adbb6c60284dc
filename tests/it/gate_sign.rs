//! Promotion day, part 1: `cutover gate` (what a deployment pipeline asks
//! right before the DNS change) and `cutover sign` (sign-offs bound to what
//! was signed by a digest), through the binary.

use crate::common;

use common::{AS_OF, Portfolio, Run, cutover, snapshot};
use serde_json::Value;
use std::ffi::OsStr;
use std::fs;

const ALPHA: &str = "content/workloads/alpha";
const CISO: &str = "content/workloads/alpha/ciso-verification.md";
const CAROL: &str = "carol.ciso@example.org";

// ---- gate -------------------------------------------------------------------

fn gate(p: &Portfolio, ids: &[&str], extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec![OsStr::new("gate")];
    args.extend(ids.iter().map(OsStr::new));
    args.extend([OsStr::new("--root"), p.root().as_os_str()]);
    args.extend(extra.iter().map(OsStr::new));
    cutover(&args)
}

fn gate_json(p: &Portfolio, ids: &[&str], extra: &[&str]) -> (Run, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(extra);
    let run = gate(p, ids, &all);
    let doc = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout));
    (run, doc)
}

fn entry<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["workloads"].as_array().unwrap().iter().find(|w| w["id"] == id).unwrap_or_else(|| panic!("{id} in {doc}"))
}

/// alpha ready (as of AS_OF), beta promoted, gamma blocked for three reasons
/// (two items and a dependency in another release).
fn three_workloads(tag: &str) -> Portfolio {
    let p = Portfolio::base(tag);
    p.add_ready_workload("beta", "name: Beta\nowner: b@example.org\ncriticality: standard\nrelease: wave-1\n");
    p.write(
        "content/workloads/beta/promote.md",
        "---\nstatus: executed\nexecuted_on: 2026-10-10\npromoted_on: 2026-10-10\n---\nCut over.\n",
    );
    p.add_ready_workload(
        "gamma",
        "name: Gamma\nowner: g@example.org\ncriticality: standard\nrelease: wave-2\ndepends_on: [alpha]\n",
    );
    p.remove("content/workloads/gamma/ready.md");
    p.set_field("content/workloads/gamma/business-testing.md", "status", "in-progress");
    p
}

#[test]
fn gate_passes_when_every_named_workload_is_ready_or_promoted() {
    let p = three_workloads("gate-pass");
    let run = gate(&p, &["alpha", "beta"], &["--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("alpha: ready\n"), "{}", run.stderr);
    assert!(run.stderr.contains("beta: promoted\n"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("gate as of {AS_OF}: PASS")), "{}", run.stderr);

    let (run, doc) = gate_json(&p, &["alpha", "beta"], &["--as-of", AS_OF]);
    assert_eq!(run.code, 0);
    assert_eq!(doc["pass"], true, "{doc}");
    assert_eq!(doc["as_of"], AS_OF);
    assert_eq!(doc["unknown"], serde_json::json!([]));
    assert_eq!(entry(&doc, "alpha")["decision"], "ready");
    assert_eq!(entry(&doc, "beta")["decision"], "promoted");
    assert_eq!(entry(&doc, "alpha")["reasons"], serde_json::json!([]));
}

#[test]
fn gate_fails_and_prints_every_reason() {
    let p = three_workloads("gate-fail");
    let run = gate(&p, &["alpha", "gamma"], &["--as-of", AS_OF]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let expected = "gamma: blocked\n  - item business-testing: in progress\n  - item ready: not started\n  - dependency alpha: dependency is ready but in release Wave 1; it must be promoted first\n";
    assert!(run.stderr.contains(expected), "{}", run.stderr);
    assert!(run.stderr.contains("alpha: ready\n"), "{}", run.stderr);
    assert!(run.stderr.contains("FAIL: do not promote"), "{}", run.stderr);

    let (run, doc) = gate_json(&p, &["gamma", "alpha"], &["--as-of", AS_OF]);
    assert_eq!(run.code, 1);
    assert_eq!(doc["pass"], false);
    let ids: Vec<&str> = doc["workloads"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["gamma", "alpha"], "in the order named");
    let gamma = entry(&doc, "gamma");
    assert_eq!(gamma["decision"], "blocked");
    assert_eq!(
        gamma["reasons"],
        serde_json::json!([
            {"item": "business-testing", "message": "in progress"},
            {"item": "ready", "message": "not started"},
            {"workload": "alpha", "message": "dependency is ready but in release Wave 1; it must be promoted first"}
        ])
    );
    // The same reasons as readiness.json, the other machine-readable answer.
    let readiness = p.readiness(AS_OF);
    assert_eq!(gamma["reasons"], common::workload(&readiness, "gamma")["reasons"]);
}

#[test]
fn gate_exits_2_for_an_unknown_workload_even_beside_blocked_ones() {
    let p = three_workloads("gate-unknown");
    let run = gate(&p, &["alpha", "nope"], &["--as-of", AS_OF]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("`nope` is not a workload in this portfolio"), "{}", run.stderr);
    let (run, doc) = gate_json(&p, &["gamma", "nope", "alpah"], &["--as-of", AS_OF]);
    assert_eq!(run.code, 2);
    assert_eq!(doc["unknown"], serde_json::json!(["nope", "alpah"]));
    assert_eq!(doc["pass"], false);
    assert_eq!(entry(&doc, "gamma")["decision"], "blocked");
    // Naming no workload at all is a usage error.
    assert_eq!(gate(&p, &[], &[]).code, 2);
}

#[test]
fn a_workload_whose_workload_yaml_is_broken_is_blocked_not_unknown() {
    let p = Portfolio::base("gate-broken-yaml");
    p.write("content/workloads/alpha/workload.yaml", "name: [Alpha\n");
    let (run, doc) = gate_json(&p, &["alpha"], &["--as-of", AS_OF]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(doc["unknown"], serde_json::json!([]));
    assert_eq!(entry(&doc, "alpha")["decision"], "blocked");
    assert!(entry(&doc, "alpha")["reasons"][0]["message"].as_str().unwrap().contains("workload.yaml"));
}

#[test]
fn gate_honours_as_of_a_waiver_that_expires_flips_it() {
    let p = Portfolio::base("gate-as-of");
    p.write(
        "content/workloads/alpha/identity-alignment.md",
        "---\nstatus: waived\nwaiver:\n  approved_by: bob.biz@example.org\n  approved_on: 2026-10-01\n  expires_on: 2026-10-20\n  reason: The directory sync lands next month.\n  mitigation: Accounts are reviewed weekly.\n---\n",
    );
    let last_day = gate(&p, &["alpha"], &["--as-of", "2026-10-20"]);
    assert_eq!(last_day.code, 0, "a waiver is in force on its expires_on day:\n{}", last_day.stderr);
    let (run, doc) = gate_json(&p, &["alpha"], &["--as-of", "2026-10-21"]);
    assert_eq!(run.code, 1);
    assert_eq!(doc["as_of"], "2026-10-21");
    assert_eq!(
        entry(&doc, "alpha")["reasons"],
        serde_json::json!([{"item": "identity-alignment", "message": "waiver expired on 2026-10-20"}])
    );
    // Without --as-of, site.yaml's as_of applies.
    p.edit("content/site.yaml", "title: Test portfolio\n", "title: Test portfolio\nas_of: 2026-10-21\n");
    let (run, doc) = gate_json(&p, &["alpha"], &[]);
    assert_eq!((run.code, doc["as_of"].as_str()), (1, Some("2026-10-21")));
    assert_eq!(gate(&p, &["alpha"], &["--as-of", "2026-10-19"]).code, 0, "--as-of wins over site.yaml");
}

#[test]
fn gate_reads_the_portfolio_under_root_and_defaults_to_the_current_folder() {
    let ready = Portfolio::base("gate-root-ready");
    let blocked = Portfolio::base("gate-root-blocked");
    blocked.remove("content/workloads/alpha/ready.md");
    assert_eq!(gate(&ready, &["alpha"], &["--as-of", AS_OF]).code, 0);
    assert_eq!(gate(&blocked, &["alpha"], &["--as-of", AS_OF]).code, 1);
    for (p, code) in [(&ready, 0), (&blocked, 1)] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
            .args(["gate", "alpha", "--as-of", AS_OF])
            .current_dir(p.root())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let missing = ready.path("no-such-folder");
    let run = cutover([OsStr::new("gate"), OsStr::new("alpha"), OsStr::new("--root"), missing.as_os_str()]);
    assert_eq!(run.code, 2, "an unreadable root cannot be gated: {}", run.stderr);
}

// ---- sign -------------------------------------------------------------------

fn sign(p: &Portfolio, workload: &str, item: &str, by: &str, on: Option<&str>) -> Run {
    let mut args: Vec<&OsStr> =
        vec![OsStr::new("sign"), OsStr::new(workload), OsStr::new(item), p.root().as_os_str(), OsStr::new("--by")];
    args.push(OsStr::new(by));
    if let Some(on) = on {
        args.extend([OsStr::new("--on"), OsStr::new(on)]);
    }
    cutover(&args)
}

fn signed(p: &Portfolio, workload: &str, item: &str, by: &str, on: &str) {
    let run = sign(p, workload, item, by, Some(on));
    assert_eq!(run.code, 0, "sign failed:\n{}", run.stderr);
}

/// The `sha256:<hex>` in a signed file, checked for shape.
fn digest_in(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let at = text.find("validated_digest: ").expect("a validated_digest line") + "validated_digest: ".len();
    let d: String = text[at..].chars().take_while(|c| !c.is_whitespace()).collect();
    let hex = d.strip_prefix("sha256:").unwrap_or_else(|| panic!("not sha256: {d}"));
    assert!(hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{d}");
    d
}

/// Signs `rel` (item `item` of alpha) and asserts the file became exactly `expected`
/// (with `{DIGEST}` standing for the digest written). The status line may
/// re-space the blank before a trailing comment, nothing else.
fn assert_sign_result(p: &Portfolio, item: &str, by: &str, on: &str, expected: &[u8]) {
    let rel = format!("{ALPHA}/{item}.md");
    let others = snapshot(p.root(), &[]);
    signed(p, "alpha", item, by, on);
    let after = fs::read(p.path(&rel)).unwrap();
    let digest = digest_in(&after);
    let expected = String::from_utf8(expected.to_vec()).unwrap().replace("{DIGEST}", &digest);
    let normalise = |s: &str| {
        s.split_inclusive('\n')
            .map(|l| match (l.strip_prefix("status: validated"), l.find('#')) {
                (Some(_), Some(i)) => format!("status: validated #{}", &l[i + 1..]),
                _ => l.to_string(),
            })
            .collect::<String>()
    };
    let actual = String::from_utf8(after.clone()).unwrap();
    assert_eq!(normalise(&actual), normalise(&expected), "{rel}, byte for byte:\n{actual:?}");
    assert_eq!(after.starts_with(b"\xef\xbb\xbf"), expected.starts_with('\u{feff}'), "the BOM is kept as it was");
    // Nothing else in the portfolio changed, and the result is clean evidence.
    let mut now = snapshot(p.root(), &[]);
    let mut before = others;
    now.remove(&rel);
    before.remove(&rel);
    common::assert_same_files(&before, &now, "sign touches one file");
    let (_, diags) = p.check_json(&["--as-of", AS_OF]);
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn sign_keeps_comments_key_order_and_x_keys_and_only_touches_signoff_lines() {
    let p = Portfolio::base("sign-comments");
    let before = "---\n# CISO review of Alpha - see RISK-118\nstatus: documented   # Carol signs on Monday\nexecuted_on: 2026-09-01\ndocumented_in: [reports/evidence.txt]  # the pen-test report\nrisks:\n  # one risk only\n  - id: r1\n    description: Old TLS on the batch interface.\n    mitigation: Interface retired next quarter.\n    accepted: true\nx-ticket: RISK-118\n---\n# ciso-verification\n\nReviewed; see [the evidence](reports/evidence.txt).\n";
    p.write(CISO, before);
    let expected = "---\n# CISO review of Alpha - see RISK-118\nstatus: validated  # Carol signs on Monday\nexecuted_on: 2026-09-01\ndocumented_in: [reports/evidence.txt]  # the pen-test report\nrisks:\n  # one risk only\n  - id: r1\n    description: Old TLS on the batch interface.\n    mitigation: Interface retired next quarter.\n    accepted: true\nx-ticket: RISK-118\nvalidated_by: carol.ciso@example.org\nvalidated_on: 2026-09-10\nvalidated_digest: {DIGEST}\n---\n# ciso-verification\n\nReviewed; see [the evidence](reports/evidence.txt).\n";
    assert_sign_result(&p, "ciso-verification", CAROL, "2026-09-10", expected.as_bytes());
}

#[test]
fn sign_keeps_crlf_line_endings() {
    let p = Portfolio::base("sign-crlf");
    let before = "---\r\n# restore rehearsal\r\nstatus: documented\r\nexecuted_on: 2026-09-01\r\ndocumented_in: [reports/evidence.txt]\r\n---\r\nRestored from the replica.\r\n\r\nSee [the log](reports/evidence.txt).\r\n";
    p.write(&format!("{ALPHA}/stage.md"), before);
    let expected = "---\r\n# restore rehearsal\r\nstatus: validated\r\nexecuted_on: 2026-09-01\r\ndocumented_in: [reports/evidence.txt]\r\nvalidated_by: val.idator@example.org\r\nvalidated_on: 2026-09-10\r\nvalidated_digest: {DIGEST}\r\n---\r\nRestored from the replica.\r\n\r\nSee [the log](reports/evidence.txt).\r\n";
    assert_sign_result(&p, "stage", "val.idator@example.org", "2026-09-10", expected.as_bytes());
    // The digest normalises line endings: the same file checked out with LF still matches.
    let crlf = p.read(&format!("{ALPHA}/stage.md"));
    p.write(&format!("{ALPHA}/stage.md"), &crlf.replace("\r\n", "\n"));
    assert!(p.diagnostics().is_empty(), "{:#?}", p.diagnostics());
}

#[test]
fn sign_leaves_a_body_with_dash_lines_and_look_alike_keys_alone() {
    let p = Portfolio::base("sign-dashes");
    let body = "Notes from the restore.\n\n---\nstatus: in-progress\nvalidated_by: somebody.else@example.org\n---\n\n- item\n---\nMore notes, see [the log](reports/evidence.txt).\n";
    let before = format!(
        "---\nstatus: executed\nexecuted_on: 2026-09-01\ndocumented_in: [reports/evidence.txt]\nvalidated_by: someone.earlier@example.org\n---\n{body}"
    );
    p.write(&format!("{ALPHA}/replicate.md"), &before);
    let expected = format!(
        "---\nstatus: validated\nexecuted_on: 2026-09-01\ndocumented_in: [reports/evidence.txt]\nvalidated_by: val.idator@example.org\nvalidated_on: 2026-09-10\nvalidated_digest: {{DIGEST}}\n---\n{body}"
    );
    assert_sign_result(&p, "replicate", "val.idator@example.org", "2026-09-10", expected.as_bytes());
}

#[test]
fn sign_keeps_a_utf8_byte_order_mark_and_a_missing_final_newline() {
    let p = Portfolio::base("sign-bom");
    let before = "\u{feff}---\nstatus: documented\nexecuted_on: 2026-09-01\ndocumented_in: [reports/evidence.txt]\n---\nCafé notes, no final newline";
    p.write(&format!("{ALPHA}/assess.md"), before);
    let expected = "\u{feff}---\nstatus: validated\nexecuted_on: 2026-09-01\ndocumented_in: [reports/evidence.txt]\nvalidated_by: val.idator@example.org\nvalidated_on: 2026-09-10\nvalidated_digest: {DIGEST}\n---\nCafé notes, no final newline";
    assert_sign_result(&p, "assess", "val.idator@example.org", "2026-09-10", expected.as_bytes());
    assert!(fs::read(p.path(&format!("{ALPHA}/assess.md"))).unwrap().starts_with(b"\xef\xbb\xbf---\n"));
}

#[test]
fn signing_again_replaces_the_signoff_lines_where_they_are() {
    let p = Portfolio::base("sign-again");
    signed(&p, "alpha", "ciso-verification", CAROL, "2026-09-10");
    let first = p.read(CISO);
    p.edit(
        "content/site.yaml",
        "ciso: [carol.ciso@example.org]",
        "ciso: [carol.ciso@example.org, dan.deputy@example.org]",
    );
    signed(&p, "alpha", "ciso-verification", "dan.deputy@example.org", "2026-09-12");
    let second = p.read(CISO);
    let expected = first
        .replace("validated_by: carol.ciso@example.org", "validated_by: dan.deputy@example.org")
        .replace("validated_on: 2026-09-10", "validated_on: 2026-09-12");
    assert_eq!(second, expected, "same digest, same places; only who and when changed");
    assert_eq!(second.matches("validated_digest:").count(), 1);
}

#[test]
fn sign_refuses_a_person_outside_the_items_signoff_role() {
    let p = Portfolio::base("sign-refuse");
    p.set_field(CISO, "status", "documented");
    let before = snapshot(p.root(), &[]);
    let run = sign(&p, "alpha", "ciso-verification", "bob.biz@example.org", Some("2026-09-10"));
    assert_ne!(run.code, 0);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bob.biz@example.org is not an approver for role `ciso`"), "{}", run.stderr);
    assert!(run.stderr.contains(CAROL), "it lists who may sign: {}", run.stderr);
    common::assert_same_files(&before, &snapshot(p.root(), &[]), "a refused sign-off writes nothing");
    // The business role is another role: its approver may sign business-change-plan, not the CISO item.
    signed(&p, "alpha", "business-change-plan", "bob.biz@example.org", "2026-09-10");
}

#[test]
fn sign_refuses_what_it_cannot_sign_and_writes_nothing() {
    let p = Portfolio::base("sign-refuse-other");
    p.write(&format!("{ALPHA}/stage.md"), "---\nstatus: in-progress\n---\nStarted.\n");
    let before = snapshot(p.root(), &[]);
    for (args, says) in [
        (("nope", "stage", "2026-09-10"), "`nope` is not a workload"),
        (("alpha", "stagee", "2026-09-10"), "`stagee` is not a checklist item"),
        (("alpha", "promote", "2026-09-10"), "promote.md does not exist"),
        (("alpha", "stage", "2026-09-10"), "needs `executed_on`"),
        (("alpha", "assess", "2026-08-01"), "before it was executed"),
    ] {
        let run = sign(&p, args.0, args.1, "val.idator@example.org", Some(args.2));
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    common::assert_same_files(&before, &snapshot(p.root(), &[]), "refusals write nothing");
}

#[test]
fn sign_defaults_the_date_to_the_as_of_date() {
    let p = Portfolio::base("sign-default-date");
    p.edit("content/site.yaml", "title: Test portfolio\n", "title: Test portfolio\nas_of: 2026-10-05\n");
    let run = sign(&p, "alpha", "ciso-verification", CAROL, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(p.read(CISO).contains("\nvalidated_on: 2026-10-05\n"), "{}", p.read(CISO));
}

#[test]
fn check_is_clean_right_after_signing_and_the_report_marks_it_signed() {
    let p = Portfolio::base("sign-clean");
    signed(&p, "alpha", "ciso-verification", CAROL, "2026-09-10");
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(run.code, 0);
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(gate(&p, &["alpha"], &["--as-of", AS_OF]).code, 0);
    let readiness = p.readiness(AS_OF);
    assert_eq!(common::item(&readiness, "alpha", "ciso-verification")["satisfied"], true);
    let report = p.read("public/workloads/alpha/index.html");
    let article = &report[report.find("id=\"item-ciso-verification\"").unwrap()..];
    let article = &article[..article.find("</header>").unwrap()];
    assert!(article.contains(">signed</span>"), "{article}");
    assert!(!report.contains("changed after sign-off"));
}

/// Signs the CISO item, applies `change`, and expects E0601 at the digest.
fn changed_after_signoff(tag: &str, change: impl FnOnce(&Portfolio)) {
    let p = Portfolio::base(tag);
    signed(&p, "alpha", "ciso-verification", CAROL, "2026-09-10");
    assert!(p.diagnostics().is_empty());
    change(&p);
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(run.code, 1);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    // Line 12 of the signed file is `validated_digest: sha256:...`; the value starts in column 19.
    assert_eq!(d.at(), ("E0601", CISO, 12, 19), "{d:#?}");
    assert!(p.read(CISO).lines().nth(11).unwrap().starts_with("validated_digest: sha256:"));
    assert_eq!(d.severity, "error");
    assert_eq!(d.message, "changed after sign-off on 2026-09-10 by carol.ciso@example.org");
    assert!(d.help.as_deref().unwrap().contains("cutover sign"), "{d:#?}");
    // The human report says the same, and the gate refuses with it as the reason.
    let human = p.check_human(AS_OF);
    assert!(human.stderr.contains("error[E0601]: changed after sign-off on 2026-09-10 by carol.ciso@example.org"));
    assert!(human.stderr.contains(&format!("--> {CISO}:12:19")), "{}", human.stderr);
    let (_, doc) = gate_json(&p, &["alpha"], &["--as-of", AS_OF]);
    assert_eq!(
        entry(&doc, "alpha")["reasons"],
        serde_json::json!([{"item": "ciso-verification", "message": "changed after sign-off on 2026-09-10 by carol.ciso@example.org"}])
    );
    // Signing again accepts the change.
    signed(&p, "alpha", "ciso-verification", CAROL, "2026-09-11");
    assert!(p.diagnostics().is_empty(), "{:#?}", p.diagnostics());
}

#[test]
fn editing_the_body_after_signoff_is_e0601() {
    changed_after_signoff("e0601-body", |p| {
        p.edit(CISO, "Done; see", "Done (mostly); see");
    });
}

#[test]
fn editing_an_item_field_after_signoff_is_e0601() {
    changed_after_signoff("e0601-field", |p| {
        p.edit(CISO, "accepted: true", "accepted: false");
    });
}

#[test]
fn changing_a_linked_attachment_after_signoff_is_e0601() {
    changed_after_signoff("e0601-attachment", |p| {
        p.write(&format!("{ALPHA}/reports/evidence.txt"), "Evidence collected for every item, and then some.\n");
    });
}

#[test]
fn adding_a_link_after_signoff_is_e0601() {
    changed_after_signoff("e0601-link", |p| {
        p.write(&format!("{ALPHA}/reports/extra.txt"), "more\n");
        p.edit(
            CISO,
            "documented_in: [reports/evidence.txt]",
            "documented_in: [reports/evidence.txt, reports/extra.txt]",
        );
    });
}

#[test]
fn what_the_digest_does_not_cover_leaves_the_signoff_intact() {
    let p = Portfolio::base("e0601-not");
    p.write(&format!("{ALPHA}/reports/unrelated.txt"), "not linked from the CISO item\n");
    signed(&p, "alpha", "ciso-verification", CAROL, "2026-09-10");
    let digest = digest_in(p.read(CISO).as_bytes());
    // The sign-off fields themselves: another date, another approver of the role.
    p.edit(
        "content/site.yaml",
        "ciso: [carol.ciso@example.org]",
        "ciso: [carol.ciso@example.org, dan.deputy@example.org]",
    );
    p.set_field(CISO, "validated_on", "2026-09-20");
    p.set_field(CISO, "validated_by", "dan.deputy@example.org");
    // A comment in the front matter, an attachment the item does not link to, another evidence file.
    p.edit(CISO, "risks:\n", "# reviewed again in September\nrisks:\n");
    p.write(&format!("{ALPHA}/reports/unrelated.txt"), "changed\n");
    p.edit(&format!("{ALPHA}/stage.md"), "Done;", "Finished;");
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(run.code, 0);
    assert!(diags.iter().all(|d| d.code != "E0601"), "{diags:#?}");
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(digest_in(p.read(CISO).as_bytes()), digest);
    assert_eq!(gate(&p, &["alpha"], &["--as-of", AS_OF]).code, 0);
}

#[test]
fn unsigned_evidence_keeps_working_and_a_malformed_digest_is_refused() {
    let p = Portfolio::base("unsigned");
    // The fixture has no digests at all: validated evidence without one counts as before.
    assert!(!p.read(CISO).contains("validated_digest"));
    p.edit(CISO, "Done;", "Done, and edited at will;");
    assert!(p.diagnostics().is_empty());
    assert_eq!(common::item(&p.readiness(AS_OF), "alpha", "ciso-verification")["satisfied"], true);
    // A digest that cutover did not write is an error in the file, at its value.
    p.set_field(CISO, "validated_digest", "sha256:1234");
    let diags = p.diagnostics();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].at(), ("E0205", CISO, 12, 19));
}

/// A change after sign-off is an error (CI goes red), but `build` still writes
/// the site, so the report and the security view show the change instead of
/// leaving the old, signed-looking pages up.
#[test]
fn the_report_and_security_view_show_a_change_after_signoff() {
    use cutover::render::Output;
    let p = Portfolio::base("e0601-report");
    signed(&p, "alpha", "ciso-verification", CAROL, "2026-09-10");
    p.edit(CISO, "Done;", "Done (mostly);");
    let opts = cutover::RunOptions { as_of: cutover::core::date::Date::parse(AS_OF), ..Default::default() };
    let checked = cutover::check(p.root(), &opts).unwrap();
    assert_eq!(checked.report.errors(), 1);
    let site = cutover::render::render(&checked.portfolio, &checked.assessment).unwrap();
    let page = |path: &str| match &site[path] {
        Output::Bytes(b) => String::from_utf8(b.clone()).unwrap(),
        Output::Copy(_) => panic!("{path} is a page"),
    };
    let report = page("workloads/alpha/index.html");
    let article = &report[report.find("id=\"item-ciso-verification\"").unwrap()..];
    let article = &article[..article.find("</article>").unwrap()];
    assert!(article.contains(">changed after sign-off</span>"), "{article}");
    assert!(article.contains("changed after sign-off on 2026-09-10 by carol.ciso@example.org"), "{article}");
    let security = page("security/index.html");
    assert!(
        security
            .contains("Alpha - CISO verification</a>: changed after sign-off on 2026-09-10 by carol.ciso@example.org"),
        "{security}"
    );
    // Through the binary: E0601 is printed and the exit code says so, but the site is written.
    let run = p.build(AS_OF);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[E0601]"), "{}", run.stderr);
    let built = p.read("public/workloads/alpha/index.html");
    assert!(built.contains("changed after sign-off on 2026-09-10 by carol.ciso@example.org"));
    // Any other error still stops the build.
    p.write("content/workloads/alpha/stray.md", "---\nstatus: done\n---\n");
    std::fs::remove_dir_all(p.path("public")).unwrap();
    assert_eq!(p.build(AS_OF).code, 1);
    assert!(!p.path("public").exists());
}
