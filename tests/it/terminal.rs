//! What `check` and `build` print besides diagnostics: no progress bar when
//! stderr is not a terminal (as in CI, and in these tests), stage timings
//! under `--verbose`, no summary under `--quiet`; and the generated shell
//! completions and man page.

use crate::common;

use common::{AS_OF, Portfolio, cutover};

fn no_bar(stderr: &str) {
    assert!(!stderr.contains('\r'), "no carriage returns: {stderr:?}");
    assert!(!stderr.contains('\u{1b}'), "no terminal escapes: {stderr:?}");
    assert!(!stderr.contains("reading content/") && !stderr.contains("files ["), "no bar: {stderr}");
}

#[test]
fn no_progress_output_when_not_a_terminal() {
    let p = Portfolio::sample("progress-pipe");
    let root = p.root().to_str().unwrap();
    let check = cutover(["check", root]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    no_bar(&check.stderr);
    let out = p.path("public");
    let build = cutover(["build", root, "--out", out.to_str().unwrap()]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    no_bar(&build.stderr);
    let lines: Vec<&str> = build.stderr.lines().filter(|l| !l.is_empty()).collect();
    assert!(lines.last().unwrap().starts_with("wrote the site to"), "{}", build.stderr);
}

#[test]
fn verbose_prints_each_stage_time_and_quiet_prints_no_summary() {
    let p = Portfolio::base("progress-verbose");
    let root = p.root().to_str().unwrap();
    let out = p.path("public");
    let run = cutover(["build", root, "--out", out.to_str().unwrap(), "--as-of", AS_OF, "--verbose"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    no_bar(&run.stderr);
    for stage in ["load", "validate", "evaluate", "render", "write", "total"] {
        let line = run
            .stderr
            .lines()
            .find(|l| l.starts_with(stage))
            .unwrap_or_else(|| panic!("no {stage} time:\n{}", run.stderr));
        assert!(line.trim_end().ends_with(" ms"), "{line}");
    }
    let run = cutover(["check", root, "--as-of", AS_OF, "--verbose"]);
    assert!(
        run.stderr.lines().any(|l| l.starts_with("evaluate")) && !run.stderr.lines().any(|l| l.starts_with("render"))
    );
    let run = cutover(["check", root, "--as-of", AS_OF, "--quiet"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stderr, "", "quiet and clean: nothing at all");
    p.edit("content/workloads/alpha/stage.md", "validated_by:", "validatd_by:");
    let run = cutover(["check", root, "--as-of", AS_OF, "-q"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[E0203]") && !run.stderr.contains("checked "), "{}", run.stderr);
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = cutover(["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains("cutover") && run.stdout.contains("serve"), "{shell}");
    }
    assert_eq!(cutover(["completions", "tcsh"]).code, 2);
    let man = cutover(["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(
        man.stdout.starts_with(".ie") || man.stdout.contains(".TH cutover"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
    for word in ["check", "build", "serve", "schema"] {
        assert!(man.stdout.contains(word), "the man page lists {word}");
    }
}
