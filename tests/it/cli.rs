//! The command line as CI sees it: exit codes, and the three diagnostic
//! formats (`--format json`, `--format github`, human).

use crate::common;

use common::{AS_OF, Portfolio, TempDir, cutover, cutover_env};
use serde_json::Value;
use std::collections::BTreeSet;

const STAGE: &str = "content/workloads/alpha/stage.md";

fn root(p: &Portfolio) -> String {
    p.root().display().to_string()
}

/// A portfolio whose only diagnostic is a warning (an unused file).
fn with_warning(tag: &str) -> Portfolio {
    let p = Portfolio::base(tag);
    p.write("content/notes.txt", "to do\n");
    p
}

/// A portfolio with an error (an unknown field with a suggestion, at stage.md:5:1).
fn with_error(tag: &str) -> Portfolio {
    let p = Portfolio::base(tag);
    p.edit(STAGE, "validated_by:", "validatd_by:");
    p
}

// ---- exit codes ------------------------------------------------------------

#[test]
fn exit_0_when_clean() {
    let p = Portfolio::base("exit-clean");
    let r = root(&p);
    assert_eq!(cutover(["check", &r, "--as-of", AS_OF]).code, 0);
    let run = p.build(AS_OF);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(p.path("public/index.html").is_file());
}

#[test]
fn exit_0_with_warnings() {
    let p = with_warning("exit-warn");
    let r = root(&p);
    let run = cutover(["check", &r, "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[W0003]"), "{}", run.stderr);
    let run = p.build(AS_OF);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(p.path("public/index.html").is_file(), "warnings do not stop build");
}

#[test]
fn exit_1_with_errors() {
    let p = with_error("exit-error");
    let r = root(&p);
    for format in ["human", "json", "github"] {
        let run = cutover(["check", &r, "--as-of", AS_OF, "--format", format]);
        assert_eq!(run.code, 1, "--format {format}: {}", run.stderr);
    }
    let run = p.build(AS_OF);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!p.path("public").exists(), "errors stop build");
}

#[test]
fn exit_1_with_warnings_under_strict() {
    let p = with_warning("exit-strict");
    let r = root(&p);
    let run = cutover(["check", &r, "--as-of", AS_OF, "--strict"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let (run, diags) = p.check_json(&["--as-of", AS_OF, "--strict"]);
    assert_eq!(run.code, 1);
    assert_eq!(diags.len(), 1);
    assert_eq!(
        (diags[0].code.as_str(), diags[0].severity.as_str()),
        ("W0003", "error"),
        "the code stays, the severity is raised"
    );
    let out = p.path("public");
    let run = cutover(["build", &r, "--out", &out.display().to_string(), "--as-of", AS_OF, "--strict"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!out.exists(), "--strict warnings stop build");
}

#[test]
fn exit_0_under_strict_when_clean() {
    let p = Portfolio::base("exit-strict-clean");
    let run = cutover(["check", &root(&p), "--as-of", AS_OF, "--strict"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn exit_2_for_a_missing_site_root() {
    let t = TempDir::new("no-root");
    let missing = t.path().join("nowhere").display().to_string();
    for cmd in ["check", "build"] {
        let run = cutover([cmd, &missing, "--as-of", AS_OF]);
        assert_eq!(run.code, 2, "{cmd}: {}", run.stderr);
        assert!(run.stderr.contains("content/"), "{cmd}: {}", run.stderr);
    }
    assert!(!t.path().join("nowhere").exists(), "nothing created");
}

#[test]
fn exit_2_for_a_folder_without_content() {
    let t = TempDir::new("no-content");
    std::fs::write(t.path().join("site.yaml"), "title: x\n").unwrap();
    let r = t.path().display().to_string();
    for cmd in ["check", "build"] {
        let run = cutover([cmd, &r, "--as-of", AS_OF]);
        assert_eq!(run.code, 2, "{cmd}: {}", run.stderr);
    }
    let json = cutover(["check", &r, "--format", "json"]);
    assert_eq!(json.code, 2);
    assert_eq!(json.stdout, "", "nothing on stdout for a run that could not start");
    // content/ as a file is no better.
    std::fs::write(t.path().join("content"), "not a folder").unwrap();
    assert_eq!(cutover(["check", &r, "--as-of", AS_OF]).code, 2);
    let names: BTreeSet<String> =
        std::fs::read_dir(t.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["content", "site.yaml"].iter().map(|s| s.to_string()).collect(), "build wrote nothing");
}

#[test]
fn exit_2_for_a_bad_as_of() {
    let p = Portfolio::base("bad-as-of");
    let r = root(&p);
    for bad in ["2026-13-01", "2026-02-30", "26-10-15", "yesterday", ""] {
        for cmd in ["check", "build"] {
            let run = cutover([cmd, &r, "--as-of", bad]);
            assert_eq!(run.code, 2, "{cmd} --as-of {bad:?}: {}", run.stderr);
            assert!(!run.stderr.is_empty());
        }
    }
    assert!(!p.path("public").exists());
}

#[test]
fn exit_2_for_a_bad_source_date_epoch_when_nothing_else_gives_the_date() {
    let p = Portfolio::base("bad-epoch");
    let run = cutover_env(["check", &root(&p)], &[("SOURCE_DATE_EPOCH", "last tuesday")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    // With --as-of the variable is not needed, so it does not matter.
    let run = cutover_env(["check", &root(&p), "--as-of", AS_OF], &[("SOURCE_DATE_EPOCH", "last tuesday")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn exit_2_for_bad_arguments() {
    let p = Portfolio::base("bad-args");
    let r = root(&p);
    assert_eq!(cutover(["check", &r, "--format", "xml"]).code, 2);
    assert_eq!(cutover(["check", &r, "--colour"]).code, 2);
    assert_eq!(cutover(["deploy", &r]).code, 2);
    assert_eq!(cutover::<[&str; 0], &str>([]).code, 2);
}

// ---- --format json ---------------------------------------------------------

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(k: &[&str]) -> BTreeSet<String> {
    k.iter().map(|s| s.to_string()).collect()
}

#[test]
fn json_has_exactly_the_documented_shape() {
    let p = with_error("json-shape");
    p.write("content/notes.txt", "x\n");
    let run = cutover(["check", &root(&p), "--as-of", AS_OF, "--format", "json"]);
    let doc: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    assert_eq!(keys(&doc), set(&["diagnostics", "errors", "warnings"]));
    let diags = doc["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 3, "{doc}");
    let required = set(&["severity", "code", "file", "line", "column", "message"]);
    let mut with_help = 0;
    for d in diags {
        let k = keys(d);
        assert!(k.is_superset(&required), "{d}");
        assert!(k.difference(&required).all(|x| x == "help"), "{d}");
        let code = d["code"].as_str().unwrap();
        assert!(
            code.len() == 5
                && (code.starts_with('E') || code.starts_with('W'))
                && code[1..].bytes().all(|b| b.is_ascii_digit()),
            "{code}"
        );
        let sev = d["severity"].as_str().unwrap();
        assert_eq!(sev, if code.starts_with('E') { "error" } else { "warning" });
        assert!(d["line"].as_u64().unwrap() >= 1);
        assert!(d["column"].as_u64().unwrap() >= 1);
        let file = d["file"].as_str().unwrap();
        assert!(file.starts_with("content/") && !file.contains('\\'), "{file}");
        assert!(!d["message"].as_str().unwrap().is_empty());
        if let Some(h) = d.get("help") {
            assert!(h.is_string(), "{d}");
            with_help += 1;
        }
    }
    assert!(with_help >= 1);
    assert_eq!(doc["errors"], 2, "{doc}");
    assert_eq!(doc["warnings"], 1, "{doc}");
    assert!(run.stderr.is_empty(), "json mode keeps stderr quiet: {}", run.stderr);
}

#[test]
fn json_when_clean() {
    let p = Portfolio::base("json-clean");
    let run = cutover(["check", &root(&p), "--as-of", AS_OF, "--format", "json"]);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc, serde_json::json!({"diagnostics": [], "errors": 0, "warnings": 0}));
}

#[test]
fn json_file_is_relative_to_the_site_root_whatever_the_working_folder() {
    let p = with_error("json-relative");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["check", ".", "--format", "json", "--as-of", AS_OF])
        .current_dir(p.path("content/workloads"))
        .output()
        .unwrap();
    // content/workloads is no site root: the root above it is found.
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    let doc: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(doc["diagnostics"][0]["file"], STAGE, "{doc}");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["check", "../..", "--format", "json", "--as-of", AS_OF])
        .current_dir(p.path("content/workloads"))
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(doc["diagnostics"][0]["file"], STAGE, "{doc}");
}

// ---- --format github -------------------------------------------------------

/// Splits one workflow command into (level, properties, data).
fn workflow_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let rest = line.strip_prefix("::").unwrap_or_else(|| panic!("not a workflow command: {line:?}"));
    let (head, data) = rest.split_once("::").unwrap_or_else(|| panic!("no `::` before the message: {line:?}"));
    let (level, props) = head.split_once(' ').unwrap();
    let props = props
        .split(',')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or_else(|| panic!("{kv:?} in {line:?}"));
            (k.to_string(), v.to_string())
        })
        .collect();
    (level.to_string(), props, data.to_string())
}

/// Undoes the workflow-command escaping, checking that every `%` starts an escape.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 3).unwrap_or("");
        out.push(match code {
            "25" => '%',
            "0D" => '\r',
            "0A" => '\n',
            "3A" => ':',
            "2C" => ',',
            other => panic!("`%{other}` is not an escape in {s:?}"),
        });
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    out
}

#[test]
fn github_lines_are_workflow_commands() {
    let p = with_error("github");
    p.write("content/notes.txt", "x\n");
    let (_, diags) = p.check_json(&["--as-of", AS_OF]);
    let run = cutover(["check", &root(&p), "--as-of", AS_OF, "--format", "github"]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), diags.len(), "one line per diagnostic:\n{}", run.stdout);
    for (line, d) in lines.iter().zip(&diags) {
        let (level, props, data) = workflow_command(line);
        assert_eq!(level, d.severity);
        let get = |k: &str| {
            props.iter().find(|(n, _)| n == k).map(|(_, v)| unescape(v)).unwrap_or_else(|| panic!("no {k}= in {line}"))
        };
        assert_eq!(get("file"), d.file);
        assert_eq!(get("line"), d.line.to_string());
        assert_eq!(get("col"), d.column.to_string());
        let text = unescape(&data);
        assert!(text.contains(&d.message), "{text:?} lacks {:?}", d.message);
        assert!(text.contains(&d.code), "{text:?}");
        if let Some(h) = &d.help {
            assert!(text.contains(h.as_str()), "{text:?} lacks help {h:?}");
        }
    }
    let want = format!("::error file={STAGE},line=5,col=1,");
    assert!(lines.iter().any(|l| l.starts_with(&want)), "{}", run.stdout);
}

#[test]
fn github_escapes_percent_cr_and_lf() {
    let p = Portfolio::base("github-escape");
    p.write(STAGE, "---\nstatus: in-progress\na%b: 1\n\"c\\rd\": 2\n\"e\\nf\": 3\n---\n");
    let (_, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(diags.len(), 3, "{diags:#?}");
    let run = cutover(["check", &root(&p), "--as-of", AS_OF, "--format", "github"]);
    assert!(!run.stdout.contains('\r'), "{:?}", run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{:?}", run.stdout);
    assert!(lines[0].contains("`a%25b`"), "{}", lines[0]);
    assert!(lines[1].contains("`c%0Dd`"), "{}", lines[1]);
    assert!(lines[2].contains("`e%0Af`"), "{}", lines[2]);
    for (line, d) in lines.iter().zip(&diags) {
        let (_, _, data) = workflow_command(line);
        assert!(unescape(&data).contains(&d.message), "{line}");
    }
}

#[test]
fn github_escapes_commas_and_colons_in_file_names() {
    let p = Portfolio::base("github-props");
    p.add_ready_workload("a,b:c", "name: X\nowner: o\ncriticality: standard\n");
    let run = cutover(["check", &root(&p), "--as-of", AS_OF, "--format", "github"]);
    let line = run.stdout.lines().find(|l| l.contains("E0207")).unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(line.starts_with("::error file=content/workloads/a%2Cb%3Ac,line=1,col=1,"), "{line}");
}

// ---- human format ----------------------------------------------------------

// The layout (header, location, quoted line, help, totals), that it goes to
// stderr and that it has no colour are in the snapshot of `check` on the
// broken fixture (tests/it/snapshots.rs, check_human).

#[test]
fn human_caret_points_at_the_column() {
    let p = Portfolio::base("human-caret");
    p.write(STAGE, "---\nstatus: in-progress\ndocumented_in: [reports/evidence.txt, reports/nope.txt]\n---\n");
    let run = cutover(["check", &root(&p), "--as-of", AS_OF]);
    let (_, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!((d.line, d.column), (3, 39));
    let lines: Vec<&str> = run.stderr.lines().collect();
    let quoted =
        lines.iter().position(|l| l.starts_with("3 | documented_in:")).unwrap_or_else(|| panic!("{}", run.stderr));
    let text_start = lines[quoted].find("| ").unwrap() + 2;
    let caret_line = lines[quoted + 1];
    assert_eq!(caret_line.find('^'), Some(text_start + d.column as usize - 1), "{}", run.stderr);
    assert_eq!(&lines[quoted][text_start + d.column as usize - 1..][..7], "reports", "the caret sits under the link");
}

#[test]
fn human_warnings_and_summary() {
    let p = with_warning("human-warn");
    let run = cutover(["check", &root(&p), "--as-of", AS_OF]);
    // One warning is counted in the singular (the snapshots show a plural).
    assert!(run.stderr.contains("\n1 warning emitted\n"), "{}", run.stderr);
    let s = run.summary();
    assert_eq!((s.workloads, s.ready), (1, 1));
}

/// A reader that stops early (`cutover schema site | head -1`) ends the
/// command quietly, as it ends `cat`: no panic, nothing on stderr.
#[test]
fn a_closed_pipe_ends_output_quietly() {
    use std::process::{Command, Stdio};
    for args in [&["schema", "site"][..], &["checklist"][..], &["schema", "checklist"][..]] {
        // A pipe whose reader has already gone: every write fails.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_cutover"))
            .args(args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}
