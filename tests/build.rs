//! What `build` does to the file system: the same bytes every time, inputs
//! never touched, a failed build leaves the previous site as it was, and
//! output folders that must not be replaced are refused.

mod common;

use common::{AS_OF, Portfolio, TempDir, assert_same_files, cutover, cutover_env, snapshot};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const SAMPLE_AS_OF: &str = "2026-11-26";

/// Every file of a build's output, which must be byte-identical between builds.
fn site(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let s = snapshot(out, &[]);
    assert!(s.contains_key("checklist/index.html"), "no checklist page");
    s
}

fn build_into(p: &Portfolio, out: &Path, as_of: &str, env: &[(&str, &str)]) -> common::Run {
    cutover_env(
        ["build".as_ref(), p.root().as_os_str(), "--out".as_ref(), out.as_os_str(), "--as-of".as_ref(), as_of.as_ref()],
        env,
    )
}

// ---- determinism -----------------------------------------------------------

#[test]
fn two_builds_are_byte_identical_whatever_the_thread_count() {
    let p = Portfolio::sample("determinism");
    let a = p.path("out-a");
    let b = p.path("out-b");
    let run = build_into(&p, &a, SAMPLE_AS_OF, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = build_into(&p, &b, SAMPLE_AS_OF, &[("RAYON_NUM_THREADS", "1")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (sa, sb) = (site(&a), site(&b));
    assert!(sa.len() > 10, "{:?}", sa.keys());
    assert_same_files(&sa, &sb, "two builds of the sample");
    let run = build_into(&p, &b, SAMPLE_AS_OF, &[("RAYON_NUM_THREADS", "7")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_same_files(&sa, &site(&b), "a rebuild with 7 threads");
}

/// `build` writes each evidence body's HTML from the parse validation makes
/// (one parse per file); the library's default keeps the Markdown and
/// renders it afterwards, as `serve` does. Both must give the same pages.
#[test]
fn bodies_rendered_during_validation_match_bodies_rendered_afterwards() {
    let p = Portfolio::sample("build-one-parse");
    p.write(
        "content/workloads/payroll/replicate.md",
        &format!(
            "{}\n\nRaw <b>bold</b>, a [runbook](stage.md), a footnote[^n] and <div onclick=\"x()\">a div</div>.\n\n[^n]: Note.\n",
            p.read("content/workloads/payroll/replicate.md")
        ),
    );
    let out = p.temp().join("site");
    let run = build_into(&p, &out, SAMPLE_AS_OF, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let built = site(&out);
    let as_of = cutover::date::Date::parse(SAMPLE_AS_OF);
    let checked = cutover::check(p.root(), &cutover::RunOptions { as_of, ..Default::default() }).unwrap();
    let rendered = cutover::render::render(&checked.portfolio, &checked.assessment).unwrap();
    let mut pages = 0;
    for (path, output) in &rendered {
        if let cutover::render::Output::Bytes(bytes) = output {
            assert_eq!(built.get(path).map(Vec::as_slice), Some(bytes.as_slice()), "{path}");
            pages += 1;
        }
    }
    assert!(pages > 10, "only {pages} pages compared");
    let report = String::from_utf8_lossy(&built["workloads/payroll/index.html"]).into_owned();
    assert!(report.contains("<b>bold</b>") && !report.contains("onclick"), "{report}");
}

/// Attachments are published as plain data: the same bytes, without the
/// source's permission bits (an executable script stays a file to read).
#[test]
#[cfg(unix)]
fn attachments_are_copied_without_their_permission_bits() {
    use std::os::unix::fs::PermissionsExt;
    let p = Portfolio::sample("build-attachment-mode");
    let rel = "content/workloads/payroll/design/payroll-architecture.md";
    std::fs::set_permissions(p.path(rel), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = p.temp().join("site");
    let run = build_into(&p, &out, SAMPLE_AS_OF, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let published = out.join("workloads/payroll/design/payroll-architecture.md");
    assert_eq!(std::fs::read(&published).unwrap(), std::fs::read(p.path(rel)).unwrap());
    let mode = std::fs::metadata(&published).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0, "mode {mode:o}");
}

#[test]
fn the_output_does_not_depend_on_where_the_portfolio_lives() {
    let p = Portfolio::sample("where-1");
    let q = Portfolio::sample("somewhere-else-entirely");
    let (a, b) = (p.path("public"), q.path("public"));
    assert_eq!(build_into(&p, &a, SAMPLE_AS_OF, &[]).code, 0);
    assert_eq!(build_into(&q, &b, SAMPLE_AS_OF, &[]).code, 0);
    assert_same_files(&site(&a), &site(&b), "two site roots");
}

#[test]
fn the_as_of_date_is_the_only_time_in_the_output() {
    let p = Portfolio::sample("as-of-only");
    let a = p.path("out-a");
    assert_eq!(build_into(&p, &a, SAMPLE_AS_OF, &[]).code, 0);
    // Touch every input: modification times must not leak into the output.
    for (rel, bytes) in snapshot(&p.path("content"), &[]) {
        if !rel.ends_with('/') {
            std::fs::write(p.path("content").join(&rel), bytes).unwrap();
        }
    }
    let b = p.path("out-b");
    assert_eq!(build_into(&p, &b, SAMPLE_AS_OF, &[]).code, 0);
    assert_same_files(&site(&a), &site(&b), "after touching inputs");
    // And the as-of date does change it.
    let c = p.path("out-c");
    assert_eq!(build_into(&p, &c, "2026-11-27", &[]).code, 0);
    assert_ne!(site(&a)["readiness.json"], site(&c)["readiness.json"]);
}

// ---- inputs are never written ----------------------------------------------

#[test]
fn check_and_build_leave_every_input_unchanged() {
    let p = Portfolio::sample("inputs");
    p.write("templates/.keep", "");
    p.write("notes/README.txt", "not part of content/\n");
    let before = snapshot(p.root(), &["public"]);
    let r = p.root().display().to_string();
    for args in [
        vec!["check", &r, "--as-of", SAMPLE_AS_OF],
        vec!["check", &r, "--format", "json", "--as-of", SAMPLE_AS_OF],
        vec!["check", &r, "--format", "github", "--strict"],
        vec!["checklist", &r],
    ] {
        cutover(&args);
        assert_same_files(&before, &snapshot(p.root(), &[]), &format!("after {args:?}"));
    }
    assert_eq!(p.build(SAMPLE_AS_OF).code, 0);
    assert_eq!(p.build(SAMPLE_AS_OF).code, 0, "a rebuild over the previous site");
    assert_same_files(&before, &snapshot(p.root(), &["public"]), "after build");
}

#[test]
fn a_failing_build_leaves_the_previous_site_untouched() {
    let p = Portfolio::base("failed-build");
    assert_eq!(p.build(AS_OF).code, 0);
    let previous = snapshot(&p.path("public"), &[]);
    assert!(previous.contains_key("index.html"));
    p.edit("content/workloads/alpha/workload.yaml", "criticality: business-critical", "criticality: urgent");
    p.add_ready_workload("beta", "name: Beta\nowner: o\ncriticality: standard\n");
    let before_inputs = snapshot(p.root(), &["public"]);
    let run = p.build(AS_OF);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_same_files(&previous, &snapshot(&p.path("public"), &[]), "the previous site");
    assert_same_files(&before_inputs, &snapshot(p.root(), &["public"]), "no staging folder left behind");
}

#[test]
fn a_successful_build_replaces_the_whole_previous_site() {
    let p = Portfolio::base("replace");
    p.add_ready_workload("beta", "name: Beta\nowner: o\ncriticality: standard\n");
    assert_eq!(p.build(AS_OF).code, 0);
    assert!(p.path("public/workloads/beta/index.html").is_file());
    p.remove("content/workloads/beta");
    assert_eq!(p.build(AS_OF).code, 0);
    assert!(p.path("public/workloads/alpha/index.html").is_file());
    assert!(!p.path("public/workloads/beta").exists(), "pages of removed workloads do not linger");
}

// ---- output folders that are refused ---------------------------------------

/// Runs `build --out <out>` and asserts exit 2 with nothing written anywhere under the site root.
fn refused(p: &Portfolio, out: &Path, why: &str) {
    let before = snapshot(p.root(), &[]);
    let run = build_into(p, out, AS_OF, &[]);
    assert_eq!(run.code, 2, "{why}: {}", run.stderr);
    assert!(run.stderr.contains("refusing"), "{why}: {}", run.stderr);
    assert_same_files(&before, &snapshot(p.root(), &[]), why);
}

#[test]
fn build_refuses_content_and_its_insides() {
    let p = Portfolio::base("out-content");
    refused(&p, &p.path("content"), "--out content/");
    refused(&p, &p.path("content/public"), "--out content/public");
    refused(&p, &p.path("content/workloads/alpha"), "--out a workload folder");
    refused(&p, &p.path("public/../content"), "--out content/ spelt with ..");
}

#[test]
fn build_refuses_content_reached_through_a_symbolic_link() {
    // The links sit beside the site root, in the test's own temporary folder.
    let p = Portfolio::base_nested("out-content-link");
    let link = p.temp().join("content-link");
    std::os::unix::fs::symlink(p.path("content"), &link).unwrap();
    refused(&p, &link.join("out"), "--out a new folder below a link to content/");
    refused(&p, &link.join("workloads/alpha/site"), "--out a new folder in a workload, through a link");
    let dangling = p.temp().join("dangling");
    std::os::unix::fs::symlink(p.path("content/new"), &dangling).unwrap();
    let run = build_into(&p, &dangling.join("site"), AS_OF, &[]);
    assert_ne!(run.code, 0, "a dangling link into content/ is not followed: {}", run.stderr);
    assert!(!p.path("content/new").exists(), "nothing is created in content/");
}

#[test]
fn build_refuses_content_that_is_itself_a_link_and_roots_spelt_through_links() {
    // content/ is a link to the folder that really holds the evidence.
    let p = Portfolio::base_nested("out-content-is-link");
    fs::rename(p.path("content"), p.path("evidence")).unwrap();
    std::os::unix::fs::symlink("evidence", p.path("content")).unwrap();
    let before = snapshot(&p.path("evidence"), &[]);
    for out in ["evidence/workloads/site", "evidence"] {
        let run = build_into(&p, &p.path(out), AS_OF, &[]);
        assert_eq!(run.code, 2, "--out {out}: {}", run.stderr);
        assert!(run.stderr.contains("inside content/"), "--out {out}: {}", run.stderr);
    }
    assert_same_files(&before, &snapshot(&p.path("evidence"), &[]), "nothing written into the evidence");
    // The root named as `link/..`: the system reads that as the parent of the link's target.
    let q = Portfolio::base_nested("out-root-through-link");
    let elsewhere = q.temp().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(q.path("content"), elsewhere.join("sub")).unwrap();
    let before = snapshot(q.root(), &[]);
    let root = elsewhere.join("sub/..");
    let out = q.path("content/pub");
    let run = cutover_env(
        ["build".as_ref(), root.as_os_str(), "--out".as_ref(), out.as_os_str(), "--as-of".as_ref(), AS_OF.as_ref()],
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    assert_same_files(&before, &snapshot(q.root(), &[]), "nothing written into content/");
}

#[test]
fn build_refuses_the_site_root_and_its_parents() {
    // Nested, so that the parents aimed at are still inside this test's own temporary folder.
    let p = Portfolio::base_nested("out-root");
    let before = snapshot(p.temp(), &[]);
    refused(&p, p.root(), "--out the site root");
    refused(&p, &p.temp().join("outer"), "--out the parent of the site root");
    refused(&p, p.temp(), "--out the grandparent of the site root");
    assert_same_files(&before, &snapshot(p.temp(), &[]), "nothing written next to the site root");
}

#[test]
fn build_refuses_a_folder_it_did_not_make() {
    let p = Portfolio::base("out-foreign");
    p.write("docs/handbook.md", "# Our handbook\n");
    refused(&p, &p.path("docs"), "--out a non-empty folder without the marker");
    p.write("docs/.cutover-site.bak", "");
    refused(&p, &p.path("docs"), "a similar name is not the marker");
    p.write("docs/.cutover-site", "");
    refused(&p, &p.path("docs"), "an empty marker made by hand is not cutover's");
    p.write("report.pdf", "%PDF");
    refused(&p, &p.path("report.pdf"), "--out an existing file");
}

#[test]
fn build_accepts_an_empty_folder_and_its_own_output() {
    let p = Portfolio::base("out-ok");
    std::fs::create_dir_all(p.path("site")).unwrap();
    let run = build_into(&p, &p.path("site"), AS_OF, &[]);
    assert_eq!(run.code, 0, "an empty folder: {}", run.stderr);
    assert!(p.path("site/.cutover-site").is_file(), "the marker is written");
    let run = build_into(&p, &p.path("site"), AS_OF, &[]);
    assert_eq!(run.code, 0, "a folder cutover made: {}", run.stderr);
    let t = TempDir::new("out-elsewhere");
    let out = t.path().join("nested/deeper/site");
    let run = build_into(&p, &out, AS_OF, &[]);
    assert_eq!(run.code, 0, "missing parents are created: {}", run.stderr);
    assert!(out.join("index.html").is_file());
}
