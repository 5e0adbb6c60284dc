//! Every diagnostic code, produced on a small portfolio and located exactly
//! (`file`, `line`, `column`, `code`) through `cutover check --format json`.
//!
//! Each test starts from `tests/fixtures/base` (clean: no diagnostics at all)
//! and breaks one thing, so every diagnostic listed is caused by that change.
//! Lines and columns are 1-based and count from the top of the file on disk.
//!
//! Not covered: E0001 for a permission-denied file. The tests run as root on
//! Linux, and root reads every file whatever its mode; E0001 is covered through
//! the other ways a file cannot be read (a folder or a dangling symlink where a
//! file is expected).

use crate::common;

use common::{Diag, Portfolio};

const STAGE: &str = "content/workloads/alpha/stage.md";
const WORKLOAD: &str = "content/workloads/alpha/workload.yaml";

/// Lines joined with `\n`, ending with one, so a file's line numbers are easy to read off.
fn lines(l: &[&str]) -> String {
    let mut s = l.join("\n");
    s.push('\n');
    s
}

/// Asserts the full set of diagnostics, as (code, file, line, column), and returns them.
fn expect(p: &Portfolio, want: &[(&str, &str, u32, u32)]) -> Vec<Diag> {
    let diags = p.diagnostics();
    let mut got: Vec<(&str, &str, u32, u32)> = diags.iter().map(Diag::at).collect();
    got.sort();
    let mut want = want.to_vec();
    want.sort();
    assert_eq!(got, want, "all diagnostics: {diags:#?}");
    diags
}

fn one<'a>(diags: &'a [Diag], code: &str) -> &'a Diag {
    let found: Vec<&Diag> = diags.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "{code}: {diags:#?}");
    found[0]
}

#[test]
fn the_base_fixture_is_clean() {
    let p = Portfolio::base("clean");
    let (run, diags) = p.check_json(&["--as-of", common::AS_OF]);
    assert_eq!(diags, Vec::new());
    assert_eq!(run.code, 0);
}

// ---- E00xx: reading files --------------------------------------------------

#[test]
fn e0001_a_folder_where_a_file_is_expected() {
    let p = Portfolio::base("e0001-dir");
    p.write("content/checklist.yaml/inner.txt", "x");
    let d = expect(&p, &[("E0001", "content/checklist.yaml", 1, 1)]);
    assert_eq!(d[0].severity, "error");
}

#[test]
fn e0004_a_dangling_symlink_where_a_file_is_expected() {
    let p = Portfolio::base("e0004-dangling");
    std::os::unix::fs::symlink(p.path("content/does-not-exist.yaml"), p.path("content/checklist.yaml")).unwrap();
    expect(&p, &[("E0004", "content/checklist.yaml", 1, 1)]);
}

#[test]
fn e0004_a_settings_file_linked_from_outside_the_site_root_is_not_read() {
    let p = Portfolio::base("e0004-outside");
    let outside = common::scratch_base().join(format!("cutover-outside-{}.yaml", std::process::id()));
    std::fs::write(&outside, "title: SECRET-OUTSIDE\n").unwrap();
    std::fs::remove_file(p.path("content/site.yaml")).ok();
    std::os::unix::fs::symlink(&outside, p.path("content/site.yaml")).unwrap();
    let d = p.diagnostics();
    std::fs::remove_file(&outside).ok();
    assert!(d.iter().any(|x| x.code == "E0004" && x.file == "content/site.yaml"), "{d:#?}");
}

#[test]
fn e0002_invalid_utf8_points_at_the_first_bad_byte() {
    let p = Portfolio::base("e0002");
    p.write_bytes(STAGE, b"---\nstatus: in-progress\nx-note: caf\xe9 au lait\n---\nBody.\n");
    // "x-note: caf" is 11 characters, so the bad byte is the 12th column of line 3.
    let d = expect(&p, &[("E0002", STAGE, 3, 12)]);
    assert!(d[0].message.contains("UTF-8"), "{:?}", d[0]);
}

#[test]
fn e0002_a_file_name_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let p = Portfolio::base("e0002-name");
    let name = std::ffi::OsStr::from_bytes(b"bad-\xff.txt");
    std::fs::write(p.path("content/workloads/alpha/reports").join(name), "x").unwrap();
    let d = p.diagnostics();
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "E0002");
    assert!(d[0].file.starts_with("content/workloads/alpha/reports/bad-"), "{d:?}");
    assert_eq!((d[0].line, d[0].column), (1, 1));
}

#[test]
fn e0003_a_file_over_the_size_limit_is_not_read() {
    let p = Portfolio::base("e0003");
    // A sparse file: 8 MiB and one byte, without writing 8 MiB.
    let f = std::fs::File::create(p.path(STAGE)).unwrap();
    f.set_len(8 * 1024 * 1024 + 1).unwrap();
    drop(f);
    let d = expect(&p, &[("E0003", STAGE, 1, 1)]);
    assert!(d[0].message.contains("8388609"), "{:?}", d[0]);
}

#[test]
fn e0003_a_file_at_the_size_limit_is_read() {
    let p = Portfolio::base("e0003-limit");
    let mut text = p.read(STAGE);
    let pad = 8 * 1024 * 1024 - text.len();
    text.push_str(&" ".repeat(pad));
    p.write(STAGE, &text);
    expect(&p, &[]);
}

#[test]
fn e0004_a_symlink_leaving_the_workload_folder() {
    let p = Portfolio::base("e0004");
    std::os::unix::fs::symlink(p.path("content/site.yaml"), p.path("content/workloads/alpha/reports/site.txt"))
        .unwrap();
    expect(&p, &[("E0004", "content/workloads/alpha/reports/site.txt", 1, 1)]);
}

#[test]
fn e0004_a_symlink_inside_the_folder_is_fine() {
    let p = Portfolio::base("e0004-ok");
    std::os::unix::fs::symlink(
        p.path("content/workloads/alpha/reports/evidence.txt"),
        p.path("content/workloads/alpha/reports/alias.txt"),
    )
    .unwrap();
    expect(&p, &[]);
}

// ---- E01xx: YAML and front matter ----------------------------------------

#[test]
fn e0101_malformed_yaml_in_front_matter() {
    let p = Portfolio::base("e0101");
    p.write(STAGE, &lines(&["---", "status: in-progress", "x-a: b: c", "---", "Body."]));
    // The second `:` on line 3 (column 7) is where a mapping value is not allowed.
    let d = expect(&p, &[("E0101", STAGE, 3, 7)]);
    assert!(d[0].help.is_some());
}

#[test]
fn e0101_malformed_yaml_in_workload_yaml() {
    let p = Portfolio::base("e0101-wl");
    p.edit(WORKLOAD, "owner: alpha-team@example.org", "owner: [unclosed");
    let d = p.diagnostics();
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].code.as_str(), d[0].file.as_str()), ("E0101", WORKLOAD));
    // The list opens on line 2; the parser notices the problem on line 2 or after, within the file.
    assert!((2..=5).contains(&d[0].line), "{:?}", d[0]);
}

#[test]
fn e0102_duplicate_key_points_at_the_repeat() {
    let p = Portfolio::base("e0102");
    p.write(STAGE, &lines(&["---", "status: in-progress", "x-note: first", "status: executed", "---"]));
    let d = expect(&p, &[("E0102", STAGE, 4, 1)]);
    assert!(d[0].message.contains("status"), "{:?}", d[0]);
}

#[test]
fn e0103_a_file_without_front_matter() {
    let p = Portfolio::base("e0103");
    p.write(STAGE, &lines(&["# Stage", "", "We staged it."]));
    expect(&p, &[("E0103", STAGE, 1, 1)]);
}

#[test]
fn e0103_front_matter_must_start_on_the_first_line() {
    let p = Portfolio::base("e0103-late");
    p.write(STAGE, &lines(&["", "---", "status: in-progress", "---"]));
    expect(&p, &[("E0103", STAGE, 1, 1)]);
}

#[test]
fn e0104_front_matter_never_closed() {
    let p = Portfolio::base("e0104");
    p.write(STAGE, &lines(&["---", "status: in-progress", "", "Body without a closing fence."]));
    // Points at the `---` that opened the front matter.
    expect(&p, &[("E0104", STAGE, 1, 1)]);
}

#[test]
fn e0105_empty_files() {
    let p = Portfolio::base("e0105");
    p.write(STAGE, "");
    p.write("content/workloads/alpha/ready.md", "\n  \n");
    p.write("content/checklist.yaml", "");
    expect(
        &p,
        &[
            ("E0105", STAGE, 1, 1),
            ("E0105", "content/workloads/alpha/ready.md", 1, 1),
            ("E0105", "content/checklist.yaml", 1, 1),
        ],
    );
}

#[test]
fn e0106_yaml_nested_too_deep() {
    let p = Portfolio::base("e0106");
    let deep = format!("x-deep: {}{}", "[".repeat(65), "]".repeat(65));
    p.write(STAGE, &lines(&["---", "status: in-progress", &deep, "---"]));
    // The 65th `[` is the first level too many: column 8 + 65.
    expect(&p, &[("E0106", STAGE, 3, 73)]);
}

#[test]
fn e0106_alias_bombs_are_refused() {
    let p = Portfolio::base("e0106-alias");
    let mut l = vec![
        "---".to_string(),
        "status: in-progress".to_string(),
        "x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]".to_string(),
    ];
    for i in 1..12 {
        let q = i - 1;
        l.push(format!("x-a{i}: &a{i} [*a{q}, *a{q}, *a{q}, *a{q}, *a{q}, *a{q}, *a{q}, *a{q}, *a{q}, *a{q}]"));
    }
    l.push("---".into());
    p.write(STAGE, &(l.join("\n") + "\n"));
    let d = p.diagnostics();
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].code.as_str(), d[0].file.as_str()), ("E0106", STAGE));
    assert!((3..=14).contains(&d[0].line), "{:?}", d[0]);
}

// ---- E02xx: fields ---------------------------------------------------------

#[test]
fn e0201_a_file_name_that_is_no_checklist_item() {
    let p = Portfolio::base("e0201");
    let file = "content/workloads/alpha/stge.md";
    p.write(file, &lines(&["---", "status: in-progress", "---"]));
    let d = expect(&p, &[("E0201", file, 1, 1)]);
    assert!(d[0].message.contains("stge.md"), "{:?}", d[0]);
    let help = d[0].help.as_deref().unwrap();
    assert!(help.contains("did you mean `stage`?"), "{help}");
}

#[test]
fn e0202_a_required_field_is_missing() {
    let p = Portfolio::base("e0202");
    p.write(WORKLOAD, &lines(&["name: Alpha", "criticality: standard", "release: wave-1"]));
    let d = expect(&p, &[("E0202", WORKLOAD, 1, 1)]);
    assert!(d[0].message.contains("`owner`"), "{:?}", d[0]);
}

#[test]
fn e0202_evidence_without_status() {
    let p = Portfolio::base("e0202-status");
    p.write(STAGE, &lines(&["---", "x-note: no status here", "---"]));
    // Points at the first line of the front matter.
    let d = expect(&p, &[("E0202", STAGE, 2, 1)]);
    assert!(d[0].message.contains("`status`"), "{:?}", d[0]);
}

#[test]
fn e0203_unknown_field_with_a_suggestion() {
    let p = Portfolio::base("e0203");
    p.write(
        STAGE,
        &lines(&[
            "---",
            "status: validated",
            "executed_on: 2026-09-01",
            "documented_in: [reports/evidence.txt]",
            "validatd_by: val.idator@example.org",
            "validated_on: 2026-09-10",
            "---",
        ]),
    );
    // The misspelt key, and the validated status that now lacks `validated_by`.
    let d = expect(&p, &[("E0203", STAGE, 5, 1), ("E0208", STAGE, 2, 9)]);
    let e = one(&d, "E0203");
    assert_eq!(e.message, "unknown field `validatd_by` in evidence for `stage`");
    assert_eq!(e.help.as_deref(), Some("did you mean `validated_by`?"));
}

#[test]
fn e0203_positions_are_the_same_with_crlf_line_ends() {
    let p = Portfolio::base("e0203-crlf");
    p.write(STAGE, "---\r\nstatus: in-progress\r\nx-ok: 1\r\n  \r\ncolour: red\r\n---\r\nBody\r\n");
    expect(&p, &[("E0203", STAGE, 5, 1)]);
}

#[test]
fn e0203_unknown_field_in_nested_mappings() {
    let p = Portfolio::base("e0203-nested");
    p.write(
        "content/workloads/alpha/identity-alignment.md",
        &lines(&[
            "---",
            "status: waived",
            "waiver:",
            "  approved_by: carol.ciso@example.org",
            "  approved_on: 2026-09-01",
            "  expires_on: 2026-12-31",
            "  reason: Directory sync is replaced in Q1.",
            "  mitigation: Manual review weekly.",
            "  reviewer: someone",
            "---",
        ]),
    );
    let d = expect(&p, &[("E0203", "content/workloads/alpha/identity-alignment.md", 9, 3)]);
    assert!(d[0].message.contains("`reviewer`"), "{:?}", d[0]);
}

#[test]
fn e0204_a_value_of_the_wrong_type() {
    let p = Portfolio::base("e0204");
    p.write(STAGE, &lines(&["---", "status: in-progress", "documented_in: reports/evidence.txt", "---"]));
    let d = expect(&p, &[("E0204", STAGE, 3, 16)]);
    assert!(d[0].message.contains("must be a list"), "{:?}", d[0]);
}

#[test]
fn e0204_wrong_type_in_workload_yaml() {
    let p = Portfolio::base("e0204-wl");
    p.edit(WORKLOAD, "summary: The first workload.", "assets: {name: X}");
    expect(&p, &[("E0204", WORKLOAD, 5, 9)]);
}

#[test]
fn e0205_a_value_outside_the_allowed_set() {
    let p = Portfolio::base("e0205");
    p.write(STAGE, &lines(&["---", "status: validate", "---"]));
    let d = expect(&p, &[("E0205", STAGE, 2, 9)]);
    assert_eq!(d[0].help.as_deref(), Some("did you mean `validated`?"));
}

#[test]
fn e0205_bad_item_enum_and_bad_criticality() {
    let p = Portfolio::base("e0205-more");
    p.edit("content/workloads/alpha/data-classification.md", "classification: internal", "classification: secret");
    p.edit(WORKLOAD, "criticality: business-critical", "criticality: critical");
    // data-classification.md: line 7 is `classification: secret`.
    expect(&p, &[("E0205", "content/workloads/alpha/data-classification.md", 7, 17), ("E0205", WORKLOAD, 3, 14)]);
}

#[test]
fn e0206_a_malformed_date() {
    let p = Portfolio::base("e0206");
    p.write(
        STAGE,
        &lines(&["---", "status: executed", "executed_on: 2026-02-30", "x-note: a date that does not exist", "---"]),
    );
    let d = expect(&p, &[("E0206", STAGE, 3, 14)]);
    assert!(d[0].message.contains("2026-02-30"), "{:?}", d[0]);
}

#[test]
fn e0206_a_date_written_another_way() {
    let p = Portfolio::base("e0206-fmt");
    p.edit("content/workloads/alpha/ready.md", "validated_on: 2026-09-10", "validated_on: 10/09/2026");
    expect(&p, &[("E0206", "content/workloads/alpha/ready.md", 6, 15)]);
}

#[test]
fn e0207_a_malformed_id() {
    let p = Portfolio::base("e0207");
    p.edit(WORKLOAD, "release: wave-1", "release: Wave_1");
    expect(&p, &[("E0207", WORKLOAD, 4, 10)]);
}

#[test]
fn e0207_a_workload_folder_that_is_no_id() {
    let p = Portfolio::base("e0207-dir");
    p.add_ready_workload("Beta_2", &lines(&["name: B", "owner: o", "criticality: standard"]));
    expect(&p, &[("E0207", "content/workloads/Beta_2", 1, 1)]);
}

#[test]
fn e0208_a_field_that_the_status_needs() {
    let p = Portfolio::base("e0208");
    p.write(
        STAGE,
        &lines(&[
            "---",
            "status: validated",
            "executed_on: 2026-09-01",
            "documented_in: [reports/evidence.txt]",
            "validated_on: 2026-09-10",
            "---",
        ]),
    );
    let d = expect(&p, &[("E0208", STAGE, 2, 9)]);
    assert!(d[0].message.contains("`validated_by`"), "{:?}", d[0]);
}

#[test]
fn e0208_an_item_field_that_the_status_needs() {
    let p = Portfolio::base("e0208-item");
    let file = "content/workloads/alpha/bcdr-validation.md";
    p.write(file, &p.read(file).replace("last_restore_test: 2026-09-01\n", ""));
    let d = expect(&p, &[("E0208", file, 2, 9)]);
    assert!(d[0].message.contains("`last_restore_test`"), "{:?}", d[0]);
}

#[test]
fn e0209_validated_before_executed() {
    let p = Portfolio::base("e0209");
    p.write(
        STAGE,
        &lines(&[
            "---",
            "status: validated",
            "executed_on: 2026-09-10",
            "documented_in: [reports/evidence.txt]",
            "validated_by: val.idator@example.org",
            "validated_on: 2026-09-09",
            "---",
        ]),
    );
    let d = expect(&p, &[("E0209", STAGE, 6, 15)]);
    assert!(d[0].message.contains("2026-09-09"), "{:?}", d[0]);
}

#[test]
fn e0209_validated_on_the_day_of_execution_is_fine() {
    let p = Portfolio::base("e0209-same");
    p.edit(STAGE, "validated_on: 2026-09-10", "validated_on: 2026-09-01");
    expect(&p, &[]);
}

#[test]
fn e0210_not_applicable_where_not_allowed() {
    let p = Portfolio::base("e0210");
    p.write(
        STAGE,
        &lines(&["---", "status: not-applicable", "justification: We restore straight into production.", "---"]),
    );
    let d = expect(&p, &[("E0210", STAGE, 2, 9)]);
    assert!(d[0].message.contains("`stage`"), "{:?}", d[0]);
}

#[test]
fn e0211_empty_documented_in() {
    let p = Portfolio::base("e0211");
    p.write(STAGE, &lines(&["---", "status: in-progress", "documented_in: []", "---"]));
    expect(&p, &[("E0211", STAGE, 3, 16)]);
}

// ---- E03xx: the portfolio --------------------------------------------------

#[test]
fn e0301_workload_folder_without_workload_yaml() {
    let p = Portfolio::base("e0301");
    p.write("content/workloads/beta/stage.md", &lines(&["---", "status: in-progress", "---"]));
    let d = expect(&p, &[("E0301", "content/workloads/beta", 1, 1)]);
    assert!(d[0].message.contains("beta"), "{:?}", d[0]);
}

#[test]
fn e0302_unknown_release() {
    let p = Portfolio::base("e0302");
    p.edit(WORKLOAD, "release: wave-1", "release: wave-9");
    let d = expect(&p, &[("E0302", WORKLOAD, 4, 10)]);
    assert!(d[0].message.contains("wave-9"), "{:?}", d[0]);
}

#[test]
fn e0303_unknown_dependency() {
    let p = Portfolio::base("e0303");
    p.edit(WORKLOAD, "summary: The first workload.", "summary: The first workload.\ndepends_on: [beta, ghost]");
    p.add_ready_workload("beta", &lines(&["name: Beta", "owner: o", "criticality: standard"]));
    let d = expect(&p, &[("E0303", WORKLOAD, 6, 20)]);
    assert!(d[0].message.contains("ghost"), "{:?}", d[0]);
}

#[test]
fn e0304_a_dependency_cycle_names_every_workload_on_it() {
    let p = Portfolio::base("e0304");
    let wl = |dep: &str| lines(&["name: W", "owner: o", "criticality: standard", &format!("depends_on: [{dep}]")]);
    p.write("content/workloads/cyc-a/workload.yaml", &wl("cyc-b"));
    p.write("content/workloads/cyc-b/workload.yaml", &wl("cyc-c"));
    p.write("content/workloads/cyc-c/workload.yaml", &wl("cyc-a"));
    let d = p.diagnostics();
    assert_eq!(d.len(), 1, "one cycle, reported once: {d:#?}");
    let e = &d[0];
    assert_eq!(e.code, "E0304");
    assert!(e.file.starts_with("content/workloads/cyc-"), "{e:?}");
    assert!(e.file.ends_with("/workload.yaml"), "{e:?}");
    assert_eq!((e.line, e.column), (4, 14), "at a `depends_on` entry: {e:?}");
    for w in ["cyc-a", "cyc-b", "cyc-c"] {
        assert!(e.message.contains(w), "{w} missing from {:?}", e.message);
    }
    assert!(!e.message.contains("alpha"), "{e:?}");
}

#[test]
fn e0304_a_workload_that_depends_on_itself() {
    let p = Portfolio::base("e0304-self");
    p.edit(WORKLOAD, "summary: The first workload.", "summary: The first workload.\ndepends_on: [alpha]");
    expect(&p, &[("E0304", WORKLOAD, 6, 14)]);
}

#[test]
fn e0305_a_duplicate_release_id() {
    let p = Portfolio::base("e0305");
    let site = p.read("content/site.yaml") + "  - id: wave-1\n    title: Again\n";
    p.write("content/site.yaml", &site);
    // site.yaml: the repeated release starts on line 13 (`  - id: wave-1`, its mapping at column 5).
    let d = expect(&p, &[("E0305", "content/site.yaml", 13, 5)]);
    assert!(d[0].message.contains("wave-1"), "{:?}", d[0]);
}

// ---- E04xx: links ----------------------------------------------------------

#[test]
fn e0401_a_link_that_leaves_the_folder() {
    let p = Portfolio::base("e0401");
    p.write(
        STAGE,
        &lines(&[
            "---",
            "status: in-progress",
            "documented_in: [../beta/secret.txt]",
            "---",
            "# Stage",
            "",
            "Also see [the site settings](../../../site.yaml).",
        ]),
    );
    let d = expect(&p, &[("E0401", STAGE, 3, 17), ("E0401", STAGE, 7, 10)]);
    assert!(d.iter().all(|x| x.message.contains("leaves")), "{d:?}");
}

#[test]
fn e0402_a_link_to_a_missing_file() {
    let p = Portfolio::base("e0402");
    p.write(
        STAGE,
        &lines(&[
            "---",
            "status: in-progress",
            "documented_in:",
            "  - reports/evidence.txt",
            "  - reports/evidance.txt",
            "---",
            "",
            "Body line 8.",
            "",
            "![graph](reports/graph.png)",
        ]),
    );
    let d = expect(&p, &[("E0402", STAGE, 5, 5), ("E0402", STAGE, 10, 1)]);
    let near = d.iter().find(|x| x.line == 5).unwrap();
    assert_eq!(near.help.as_deref(), Some("did you mean `reports/evidence.txt`?"));
}

#[test]
fn e0403_a_javascript_link() {
    let p = Portfolio::base("e0403");
    p.write(
        STAGE,
        &lines(&[
            "---",
            "status: in-progress",
            "documented_in: [\"javascript:alert(1)\"]",
            "---",
            "Click [here](javascript:alert(document.cookie)) or",
            "mail [us](mailto:team@example.org) or [read](https://example.org/a).",
        ]),
    );
    let d = expect(&p, &[("E0403", STAGE, 3, 17), ("E0403", STAGE, 5, 7)]);
    assert!(d.iter().all(|x| x.message.contains("javascript")), "{d:?}");
}

#[test]
fn every_diagnostic_says_how_to_fix_it() {
    // The second review's list of messages that came without a hint.
    let p = Portfolio::base("every-help");
    p.edit("content/workloads/alpha/workload.yaml", "owner:", "owner: [o]\nx-owner:");
    let stage = "content/workloads/alpha/stage.md";
    p.edit(stage, "documented_in: [reports/evidence.txt]", "documented_in: [[a], \"\", \"%zz\"]");
    std::os::unix::fs::symlink("loop", p.path("content/workloads/alpha/reports/loop")).unwrap();
    let d = p.diagnostics();
    assert!(d.len() >= 4, "{d:#?}");
    for x in &d {
        assert!(x.help.as_deref().is_some_and(|h| !h.is_empty()), "no help: {x:#?}");
    }
}

// ---- E05xx: the checklist --------------------------------------------------

#[test]
fn e0501_after_loops_and_next_steps_to_missing_pages() {
    let p = Portfolio::base("e0501-loops");
    p.write("content/pages/runbook.md", "---\ntitle: Runbook\n---\nSteps.\n");
    p.write(
        "content/checklist.yaml",
        &lines(&[
            "version: 1",
            "groups:",
            "  - {id: prerequisites, title: Pre-requisites}",
            "items:",
            "  - {id: x1, group: prerequisites, title: One, after: [x3]}",
            "  - {id: x2, group: prerequisites, title: Two, after: [x1]}",
            "  - {id: x3, group: prerequisites, title: Three, after: [x2]}",
            "  - {id: x4, group: prerequisites, title: Four, after: [x1]}",
            "  - {id: go, group: prerequisites, title: Go live, role: promotion}",
            "next_steps:",
            "  - {title: Runbook, page: runbok}",
            "  - {title: Priorities, page: align-business-priorities}",
            "  - {title: Book, page: runbook}",
        ]),
    );
    let d = p.diagnostics();
    let e0501: Vec<(&str, &str, u32, u32)> = d.iter().filter(|x| x.code == "E0501").map(Diag::at).collect();
    assert_eq!(
        e0501,
        vec![("E0501", "content/checklist.yaml", 5, 56), ("E0501", "content/checklist.yaml", 11, 28)],
        "{d:#?}"
    );
    assert!(d[0].message.contains("`x1`, `x2`, `x3`") && !d[0].message.contains("x4"), "{:?}", d[0]);
    let page = d.iter().find(|x| x.line == 11).unwrap();
    assert_eq!(page.help.as_deref(), Some("did you mean `runbook`?"));
}

#[test]
fn a_broken_checklist_does_not_bury_its_error_under_e0201() {
    let p = Portfolio::base("e0501-own-items");
    p.write(
        "content/checklist.yaml",
        &lines(&["version: 1", "groups: []", "items:", "  - {id: smoke-test, group: nowhere, title: Smoke test}"]),
    );
    p.write("content/workloads/alpha/smoke-test.md", "---\nstatus: in-progress\n---\nRunning.\n");
    let codes: Vec<String> = p.diagnostics().into_iter().map(|d| d.code).collect();
    assert!(codes.contains(&"E0501".to_string()), "{codes:?}");
    assert!(!codes.contains(&"E0201".to_string()), "{codes:?}");
}

#[test]
fn e0501_checklist_refers_to_undefined_group_and_item() {
    let p = Portfolio::base("e0501");
    // A checklist with errors is not used (the built-in one applies), so the
    // evidence of alpha is still read: only the checklist's own errors matter here.
    p.write(
        "content/checklist.yaml",
        &lines(&[
            "version: 1",
            "groups:",
            "  - {id: prerequisites, title: Pre-requisites}",
            "items:",
            "  - id: stage",
            "    group: prerequisits",
            "    title: Stage",
            "    after: [replicate]",
        ]),
    );
    let d = p.diagnostics();
    let e0501: Vec<(&str, &str, u32, u32)> = d.iter().filter(|x| x.code == "E0501").map(Diag::at).collect();
    assert_eq!(
        e0501,
        vec![("E0501", "content/checklist.yaml", 6, 12), ("E0501", "content/checklist.yaml", 8, 13),],
        "{d:#?}"
    );
    let group = d.iter().find(|x| x.line == 6).unwrap();
    assert_eq!(group.help.as_deref(), Some("did you mean `prerequisites`?"));
}

// ---- warnings --------------------------------------------------------------

#[test]
fn w0001_an_item_executed_out_of_order() {
    let p = Portfolio::base("w0001");
    p.write("content/workloads/alpha/replicate.md", &lines(&["---", "status: in-progress", "---"]));
    let d = expect(&p, &[("W0001", STAGE, 2, 9)]);
    assert_eq!(d[0].severity, "warning");
    assert!(d[0].message.contains("`stage`") && d[0].message.contains("`replicate`"), "{:?}", d[0]);
}

#[test]
fn w0007_promoted_before_ready_is_flagged() {
    let p = Portfolio::base("w0007-promote");
    p.remove("content/workloads/alpha/ready.md");
    p.write(
        "content/workloads/alpha/promote.md",
        &lines(&["---", "status: executed", "executed_on: 2026-10-01", "promoted_on: 2026-10-01", "---"]),
    );
    let d = expect(&p, &[("W0007", "content/workloads/alpha/promote.md", 2, 9)]);
    assert!(d[0].message.contains("`ready` (not started)"), "{:?}", d[0]);
    // Evidence validated after the promotion day was not there on it.
    assert!(
        d[0].message.contains("`application-performance` (validated 2026-10-02, after the promotion day 2026-10-01)"),
        "{:?}",
        d[0]
    );
}

#[test]
fn w0001_a_scheduled_promotion_recorded_before_ready_is_out_of_order() {
    let p = Portfolio::base("w0001-promote");
    p.remove("content/workloads/alpha/ready.md");
    p.write(
        "content/workloads/alpha/promote.md",
        &lines(&["---", "status: executed", "executed_on: 2026-10-01", "promoted_on: 2026-12-01", "---"]),
    );
    let d = expect(&p, &[("W0001", "content/workloads/alpha/promote.md", 2, 9)]);
    assert!(d[0].message.contains("`ready`"), "{:?}", d[0]);
}

#[test]
fn w0002_a_signoff_role_without_approvers() {
    let p = Portfolio::base("w0002");
    p.edit("content/site.yaml", "  ciso: [carol.ciso@example.org]\n", "  ciso: []\n");
    let d = expect(&p, &[("W0002", "content/site.yaml", 1, 1)]);
    assert_eq!(d[0].severity, "warning");
    assert!(d[0].message.contains("ciso-verification") && d[0].message.contains("`ciso`"), "{:?}", d[0]);
}

#[test]
fn w0003_files_that_cutover_does_not_use() {
    let p = Portfolio::base("w0003");
    p.write("content/notes.txt", "todo\n");
    p.write("content/workloads/readme.txt", "one folder per workload\n");
    p.write("content/pages/logo.png", "not really a png\n");
    let d = expect(
        &p,
        &[
            ("W0003", "content/notes.txt", 1, 1),
            ("W0003", "content/pages/logo.png", 1, 1),
            ("W0003", "content/workloads/readme.txt", 1, 1),
        ],
    );
    assert!(d.iter().all(|x| x.severity == "warning"));
}

// ---- across codes ----------------------------------------------------------

#[test]
fn every_problem_in_a_file_is_reported_at_once() {
    let p = Portfolio::base("all-at-once");
    p.write(
        STAGE,
        &lines(&[
            "---",
            "status: executed",
            "executed_on: 2026-13-01",
            "documented_in: []",
            "colour: red",
            "---",
            "[x](missing.txt)",
        ]),
    );
    expect(&p, &[("E0206", STAGE, 3, 14), ("E0211", STAGE, 4, 16), ("E0203", STAGE, 5, 1), ("E0402", STAGE, 7, 1)]);
}

#[test]
fn a_byte_order_mark_does_not_hide_front_matter() {
    let p = Portfolio::base("bom");
    let text = format!("\u{feff}{}", p.read(STAGE));
    p.write(STAGE, &text);
    expect(&p, &[]);
}

#[test]
fn diagnostics_are_sorted_by_file_and_position() {
    let p = Portfolio::base("sorted");
    p.write("content/notes.txt", "x\n");
    p.edit(WORKLOAD, "release: wave-1", "release: wave-9");
    p.write(STAGE, &lines(&["---", "status: validate", "colour: red", "---"]));
    let d = p.diagnostics();
    let keys: Vec<(String, u32, u32)> = d.iter().map(|x| (x.file.clone(), x.line, x.column)).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(d.len(), 4, "{d:#?}");
}

/// Links into docs/diagnostics.md from the other pages (`diagnostics.md#w0006-...`)
/// name a code's section as the code table spells its anchor, so renaming a
/// title cannot leave a link pointing nowhere.
#[test]
fn links_to_a_code_name_its_anchor() {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut checked = 0;
    for entry in std::fs::read_dir(&docs).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (at, _) in text.match_indices("diagnostics.md#") {
            let anchor: String =
                text[at + 15..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
            let Some(code) = anchor.get(..5).and_then(cutover::core::diagnostics::Code::parse) else { continue };
            assert_eq!(anchor, code.anchor(), "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 5, "{checked} links checked");
}

/// Raw HTML is read as the sanitiser reads it (html5ever's tokenizer), and
/// what is found is placed at its line and column in the file: a reference
/// beyond the common few decodes into a path that climbs out (E0401, at
/// `href`, after an unquoted value and a quoted one holding `>`); a tag
/// inside `<noscript>` or `<textarea>` is text, no link; an attribute on the
/// line after its tag's name is found there.
#[test]
fn raw_html_is_read_as_the_sanitiser_reads_it() {
    let p = Portfolio::base("raw-html-tokens");
    let text = p.read(STAGE);
    let n = text.lines().count() as u32;
    p.write(
        STAGE,
        &format!(
            "{text}\n<div>\n<noscript><a href=\"../../../x.html\">n</a></noscript>\n\
             <p>a <a title='x>y' rel=x href=&#x2e;&#x2e;/&period;&period;/z.html>e</a></p>\n\
             <textarea>\n<img src=../up.png>\n</textarea><img\n  src=reports/evidence.txt onerror=go()>\n</div>\n"
        ),
    );
    let d = expect(
        &p,
        &[
            ("W0004", STAGE, n + 3, 1),
            ("E0401", STAGE, n + 4, 27),
            ("W0004", STAGE, n + 5, 1),
            ("W0004", STAGE, n + 8, 28),
        ],
    );
    assert!(d.iter().any(|x| x.code == "E0401" && x.message.contains("`../../z.html`")), "{d:#?}");
    let w: Vec<&str> = d.iter().filter(|x| x.code == "W0004").map(|x| x.message.as_str()).collect();
    assert_eq!(
        w,
        [
            "the sanitiser removes `<noscript>` from this raw HTML",
            "the sanitiser removes `<textarea>` from this raw HTML",
            "the sanitiser removes `onerror` on `<img>` from this raw HTML",
        ]
    );
}
