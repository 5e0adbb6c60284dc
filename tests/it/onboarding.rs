//! A new user's first day: every command run from inside a site (a
//! workload's folder, `content/`) finds the site root by walking up, as
//! cargo finds Cargo.toml; `--root` names a root for every command.

use crate::common;

use common::{AS_OF, Portfolio, Run, TempDir};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

const ALPHA: &str = "content/workloads/alpha";

/// Runs `cutover` with `args` in the folder `dir`.
fn cutover_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .expect("the cutover binary runs");
    Run {
        code: out.status.code().expect("cutover exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A base portfolio with a checklist of its own (so that `checklist` and
/// `schema` show whether they read the site's or fell back to the built-in).
fn site(tag: &str) -> Portfolio {
    let p = Portfolio::base(tag);
    let builtin = common::cutover(["checklist", p.root().to_str().unwrap()]).stdout;
    p.write("content/checklist.yaml", &format!("# the site's own\n{builtin}"));
    p.write("content/checklist.yaml", &p.read("content/checklist.yaml").replace("title: Assess", "title: Assess it"));
    assert!(p.read("content/checklist.yaml").contains("title: Assess it"), "the sample checklist has `title: Assess`");
    p
}

#[test]
fn every_command_finds_the_root_from_a_workload_folder() {
    let p = site("root-from-workload");
    let here = p.path(ALPHA);

    let run = cutover_in(&here, &["check", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "check: {}", run.stderr);
    assert!(run.stderr.contains("checked 1 workload"), "{}", run.stderr);

    let run = cutover_in(&here, &["build", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "build: {}", run.stderr);
    assert!(p.path("public/index.html").is_file(), "build writes ROOT/public, not a public/ in the workload folder");
    assert!(!here.join("public").exists());

    let run = cutover_in(&here, &["gate", "alpha", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "gate: {}", run.stderr);

    let run = cutover_in(&here, &["checklist"]);
    assert!(run.stdout.contains("title: Assess it"), "checklist reads the site's own:\n{}", run.stdout);

    let run = cutover_in(&here, &["schema", "evidence"]);
    assert_eq!(run.code, 0, "schema: {}", run.stderr);

    let run = cutover_in(&here, &["new", "beta", "--owner", "team@example.org"]);
    assert_eq!(run.code, 0, "new: {}", run.stderr);
    assert!(p.path("content/workloads/beta/workload.yaml").is_file());
    assert!(!here.join("content").exists(), "new wrote into the root, not into the workload folder");

    let run = cutover_in(&here, &["sign", "alpha", "stage", "--by", "val.idator@example.org", "--on", AS_OF]);
    assert_eq!(run.code, 0, "sign: {}", run.stderr);
    assert!(p.read("content/workloads/alpha/stage.md").contains("validated_digest:"));

    // From content/ as well, and from a folder below the workload's.
    for dir in [p.path("content"), p.path("content/workloads/alpha/reports")] {
        let run = cutover_in(&dir, &["check", "--as-of", AS_OF]);
        assert_eq!(run.code, 0, "{}: {}", dir.display(), run.stderr);
    }
}

#[test]
fn serve_finds_the_root_from_a_workload_folder() {
    let p = Portfolio::base("root-serve");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["serve", "--port", "0", "--as-of", AS_OF])
        .current_dir(p.path(ALPHA))
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = Vec::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines().map_while(Result::ok) {
        let done = line.contains("serving ") || line.starts_with("error");
        said.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(said.iter().any(|l| l.contains("serving ")), "{said:?}");
}

#[test]
fn root_is_one_option_for_every_command() {
    let p = site("root-option");
    let root = p.root().to_str().unwrap();
    let elsewhere = TempDir::new("root-option-cwd");
    let run = cutover_in(elsewhere.path(), &["check", "--root", root, "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cutover_in(elsewhere.path(), &["build", "--root", root, "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(p.path("public/index.html").is_file());
    let run = cutover_in(elsewhere.path(), &["gate", "alpha", "--root", root, "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cutover_in(elsewhere.path(), &["checklist", "--root", root]);
    assert!(run.stdout.contains("title: Assess it"), "{}", run.stdout);
    let run = cutover_in(elsewhere.path(), &["schema", "workload", "--root", root]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cutover_in(elsewhere.path(), &["new", "gamma", "--root", root]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(p.path("content/workloads/gamma/workload.yaml").is_file());
    let run = cutover_in(elsewhere.path(), &["init", "--root", "fresh"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(elsewhere.path().join("fresh/content/site.yaml").is_file());

    // A named folder inside a site is walked up from, too.
    let run = cutover_in(p.root(), &["check", "content/workloads/alpha", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Both forms at once are refused rather than one silently winning.
    let run = cutover_in(p.root(), &["check", ".", "--root", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn outside_any_site_the_error_says_what_a_root_is() {
    let dir = TempDir::new("root-none");
    let run = cutover_in(dir.path(), &["check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no site root at or above the current folder"), "{}", run.stderr);
    assert!(run.stderr.contains("--root") && run.stderr.contains("cutover init"), "{}", run.stderr);
    // Commands that make sense anywhere still work: the built-in checklist.
    let run = cutover_in(dir.path(), &["checklist"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("promote"));
}

#[test]
fn a_workload_named_content_is_not_taken_for_a_root() {
    let p = Portfolio::base("root-content-workload");
    p.add_ready_workload("content", &p.read("content/workloads/alpha/workload.yaml"));
    let run = cutover_in(&p.path("content/workloads"), &["check", "--as-of", AS_OF, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["diagnostics"], serde_json::json!([]), "{}", run.stdout);
    let run = cutover_in(&p.path("content/workloads"), &["gate", "content", "alpha", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "both workloads were found, so the real root was: {}", run.stderr);
}

// ---- a new user's smaller stumbles --------------------------------------------

/// `check --format json` diagnostics of a portfolio.
fn diagnostics(p: &Portfolio, extra: &[&str]) -> (i32, Vec<common::Diag>) {
    let (run, diags) = p.check_json(extra);
    (run.code, diags)
}

#[test]
fn quiet_prints_errors_only() {
    let p = Portfolio::base("quiet");
    p.write("content/notes.txt", "not read\n"); // W0003
    p.edit("content/workloads/alpha/stage.md", "validated_by:", "validatd_by:");
    let loud = common::cutover(["check", p.root().to_str().unwrap(), "--as-of", AS_OF]);
    assert!(loud.stderr.contains("warning[W0003]") && loud.stderr.contains("error["), "{}", loud.stderr);
    for q in ["-q", "--quiet"] {
        for cmd in ["check", "build"] {
            let run = common::cutover([cmd, q, p.root().to_str().unwrap(), "--as-of", AS_OF]);
            assert_eq!(run.code, 1, "{}", run.stderr);
            assert!(run.stderr.contains("error[E0203]"), "{cmd} {q}: {}", run.stderr);
            assert!(!run.stderr.contains("warning"), "{cmd} {q}: {}", run.stderr);
            assert!(!run.stderr.contains("checked 1 workload"), "{cmd} {q}: {}", run.stderr);
        }
    }
}

#[test]
fn as_of_and_strict_are_explained_on_every_command() {
    for cmd in ["check", "build", "gate", "serve", "sign"] {
        let help = common::cutover([cmd, "--help"]).stdout;
        let lines: Vec<&str> = help.lines().collect();
        for flag in ["--as-of", "--strict"] {
            for (i, line) in lines.iter().enumerate().filter(|(_, l)| l.trim_start().starts_with(flag)) {
                // On the flag's line, or (when clap wraps) indented on the next.
                let same = line.trim_start().split_once("  ").map(|(_, t)| t.trim()).unwrap_or("");
                let next = lines.get(i + 1).filter(|l| l.starts_with("          ")).map_or("", |l| l.trim());
                assert!(same.len() + next.len() > 10, "`cutover {cmd} --help`: {flag} has no help text: `{line}`");
            }
        }
    }
}

#[test]
fn man_out_writes_a_page_per_subcommand_with_exit_codes() {
    let dir = TempDir::new("man-out");
    let out = dir.path().join("man1");
    let run = common::cutover(["man", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for cmd in ["check", "build", "gate", "sign", "checklist", "init", "new", "schema", "serve", "templates-export"] {
        let page = std::fs::read_to_string(out.join(format!("cutover-{cmd}.1"))).unwrap_or_else(|_| panic!("{cmd}"));
        assert!(page.starts_with(".ie") || page.contains(".TH"), "{cmd}: roff");
        assert!(page.contains("EXIT STATUS"), "{cmd}: exit codes");
        assert!(page.contains("help"), "{cmd}: options");
    }
    let check = std::fs::read_to_string(out.join("cutover-check.1")).unwrap();
    assert!(check.contains("strict") && check.contains("explain") && check.contains("warnings count as errors"));
    assert!(out.join("cutover.1").is_file());
}

#[test]
fn new_without_owner_writes_a_placeholder_that_check_warns_about() {
    let p = Portfolio::base("owner-placeholder");
    let run = common::cutover(["new", "beta", "--root", p.root().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (code, diags) = diagnostics(&p, &["--as-of", AS_OF]);
    assert_eq!(code, 0);
    let line = p.read("content/workloads/beta/workload.yaml").lines().position(|l| l.starts_with("owner: TODO"));
    let at: Vec<_> = diags.iter().map(|d| (d.code.as_str(), d.file.as_str(), d.line)).collect();
    assert_eq!(at, [("W0009", "content/workloads/beta/workload.yaml", line.unwrap() as u32 + 1)], "{diags:#?}");
    let (code, diags) = diagnostics(&p, &["--as-of", AS_OF, "--strict"]);
    assert_eq!(code, 1, "an error under --strict");
    assert_eq!(diags[0].severity, "error");
    p.edit("content/workloads/beta/workload.yaml", "owner: TODO", "owner: beta-team@example.org");
    assert!(diagnostics(&p, &["--as-of", AS_OF]).1.is_empty());
}

#[test]
fn validated_evidence_that_is_still_the_stub_is_warned_about() {
    let p = Portfolio::base("stub-validated");
    let run = common::cutover(["new", "beta", "--root", p.root().to_str().unwrap(), "--owner", "b@example.org"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let file = "content/workloads/beta/assess.md";
    p.edit(
        file,
        "status: not-started",
        "status: validated\nexecuted_on: 2026-09-01\ndocumented_in: [https://wiki.example.org/a]\nvalidated_by: v@example.org\nvalidated_on: 2026-09-02",
    );
    let (_, diags) = diagnostics(&p, &["--as-of", AS_OF]);
    let stub: Vec<_> = diags.iter().filter(|d| d.code == "W0010").collect();
    assert_eq!(stub.len(), 1, "{diags:#?}");
    assert_eq!(stub[0].file, file);
    let line = p.read(file).lines().position(|l| l.starts_with("Not started yet")).unwrap() as u32 + 1;
    assert_eq!(stub[0].line, line);
    // A stub that is not validated yet is fine.
    assert!(!diags.iter().any(|d| d.code == "W0010" && d.file != file));
}

#[test]
fn hints_say_what_went_wrong() {
    let p = Portfolio::base("hints");
    let stage = "content/workloads/alpha/stage.md";
    p.write(
        stage,
        "---\nstatus: waived\napproved_by: carol.ciso@example.org\napproved_on: 2026-10-01\nexpires_on: 2026-11-30\nreason: later\nmitigation: none\n---\nWaived.\n",
    );
    p.set_field("content/workloads/alpha/replicate.md", "executed_on", "2026-13-01");
    p.set_field("content/workloads/alpha/assess.md", "documented_in", "[wiki.example.org/assess]");
    p.edit("content/workloads/alpha/workload.yaml", "release: wave-1", "release: wave-9");
    let (code, diags) = diagnostics(&p, &["--as-of", AS_OF]);
    assert_eq!(code, 1);
    let of = |file: &str| diags.iter().filter(|d| d.file.ends_with(file)).collect::<Vec<_>>();

    let waiver = of("stage.md");
    assert_eq!(waiver.len(), 1, "one diagnostic, not six: {waiver:#?}");
    assert!(waiver[0].message.contains("`approved_by`") && waiver[0].message.contains("belong under `waiver:`"));
    assert_eq!((waiver[0].line, waiver[0].column), (3, 1));

    let date = of("replicate.md");
    assert!(date.iter().any(|d| d.code == "E0206" && d.message.contains("there is no month 13")), "{date:#?}");

    let link = of("assess.md");
    let help = link[0].help.as_deref().unwrap_or("");
    assert!(help.contains("`https://wiki.example.org/assess`"), "{link:#?}");

    let release = of("workload.yaml");
    let help = release[0].help.as_deref().unwrap_or("");
    assert!(help.contains("wave-1, wave-2"), "the known releases are listed: {help}");

    let q = Portfolio::base("hints-yml");
    std::fs::rename(q.path("content/site.yaml"), q.path("content/site.yml")).unwrap();
    let (_, diags) = diagnostics(&q, &["--as-of", AS_OF]);
    let yml = diags.iter().find(|d| d.file == "content/site.yml").expect("site.yml is reported");
    assert!(yml.help.as_deref().unwrap().contains("rename it to `site.yaml`"), "{yml:?}");
}

#[test]
fn explain_prints_the_long_explanation_of_a_code() {
    let run = common::cutover(["check", "--explain", "E0203"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("### E0203: unknown field\n"), "{}", run.stdout);
    assert!(run.stdout.contains("**Fix:**") && !run.stdout.contains("### E0204"), "{}", run.stdout);
    // Any case, and from anywhere: no site root needed.
    let dir = TempDir::new("explain");
    let run = cutover_in(dir.path(), &["check", "--explain", "w0009"]);
    assert!(run.stdout.starts_with("### W0009"), "{}{}", run.stdout, run.stderr);
    let run = common::cutover(["check", "--explain", "E0302x"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a diagnostic code") && run.stderr.contains("E0302"), "{}", run.stderr);
}
