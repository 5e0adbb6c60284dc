//! `cutover checklist` prints the effective checklist as checklist.yaml; a
//! portfolio that adopts the printed text must check and decide exactly as
//! with the built-in checklist.

use crate::common;

use common::{AS_OF, Portfolio, TempDir, cutover};
use std::fs;

fn builtin() -> String {
    let t = TempDir::new("no-portfolio");
    let run = cutover(["checklist", &t.path().display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

fn readiness_bytes(p: &Portfolio, as_of: &str) -> Vec<u8> {
    let run = p.build(as_of);
    assert_eq!(run.code, 0, "{}", run.stderr);
    fs::read(p.path("public/readiness.json")).unwrap()
}

#[test]
fn the_printed_checklist_is_the_builtin_one() {
    let text = builtin();
    assert!(text.starts_with("version: 1\n") || text.contains("\nversion: 1\n"), "{text}");
    let ids = [
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
        "promote",
    ];
    let mut at = 0;
    for id in ids {
        let found = text[at..]
            .find(&format!("id: {id}\n"))
            .unwrap_or_else(|| panic!("`{id}` missing or out of order in:\n{text}"));
        at += found;
    }
    assert!(text.contains("align-business-priorities"), "{text}");
    // The same text from the current folder, a site root without checklist.yaml.
    let p = Portfolio::base("checklist-cwd");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .arg("checklist")
        .current_dir(p.root())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(run.stdout).unwrap(), text);
}

#[test]
fn the_printed_checklist_checks_clean_and_decides_the_same() {
    let p = Portfolio::base("checklist-base");
    let before = readiness_bytes(&p, AS_OF);
    p.write("content/checklist.yaml", &builtin());
    assert_eq!(p.diagnostics(), vec![], "a clean check with the printed checklist");
    assert_eq!(readiness_bytes(&p, AS_OF), before);
}

#[test]
fn the_sample_decides_the_same_with_the_printed_checklist() {
    let p = Portfolio::sample("checklist-sample");
    let as_of = "2026-11-26";
    let (_, diags_before) = p.check_json(&["--as-of", as_of]);
    let before = readiness_bytes(&p, as_of);
    p.write("content/checklist.yaml", &builtin());
    let (run, diags_after) = p.check_json(&["--as-of", as_of]);
    assert_eq!(run.code, 0);
    assert_eq!(diags_after, diags_before, "no new diagnostics");
    assert!(diags_after.iter().all(|d| d.severity == "warning"));
    let after = readiness_bytes(&p, as_of);
    assert_eq!(
        String::from_utf8(after).unwrap(),
        String::from_utf8(before).unwrap(),
        "same decisions, reasons and item states"
    );
    // Also later, when freshness windows and waivers come into play.
    let later = "2027-03-01";
    let with_file = readiness_bytes(&p, later);
    p.remove("content/checklist.yaml");
    assert_eq!(readiness_bytes(&p, later), with_file);
}

#[test]
fn checklist_prints_a_portfolio_s_own_checklist() {
    let p = Portfolio::base("checklist-own");
    let own = builtin().replacen("title: Promotion to production", "title: Our own gate", 1);
    assert_ne!(own, builtin());
    p.write("content/checklist.yaml", &own);
    let run = cutover(["checklist", &p.root().display().to_string()]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("title: Our own gate"), "{}", run.stdout);
    // Printing is idempotent: the printed text, printed again, is the same.
    p.write("content/checklist.yaml", &run.stdout);
    let again = cutover(["checklist", &p.root().display().to_string()]);
    assert_eq!(again.stdout, run.stdout);
}
