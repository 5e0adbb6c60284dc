//! What `build` does to the file system: the same bytes every time, inputs
//! never touched, a failed build leaves the previous site as it was, and
//! output folders that must not be replaced are refused.

use crate::common;

use common::{AS_OF, Portfolio, TempDir, assert_same_files, cutover, cutover_env, snapshot};
use std::collections::{BTreeMap, BTreeSet};
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
    // The library's render has no history; the build's would say that it needs git.
    p.write("content/site.yaml", &format!("{}\nhistory_days: 0\n", p.read("content/site.yaml")));
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
    let as_of = cutover::core::date::Date::parse(SAMPLE_AS_OF);
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
    let rel = "content/workloads/payroll/reports/assessment.csv";
    std::fs::set_permissions(p.path(rel), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = p.temp().join("site");
    let run = build_into(&p, &out, SAMPLE_AS_OF, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let published = out.join("workloads/payroll/reports/assessment.csv");
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

// ---- the swap: all or nothing, whoever else builds at the same time --------

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

/// The arguments of `build ROOT --out OUT --as-of DATE`.
fn build_args<'a>(p: &'a Portfolio, out: &'a Path, as_of: &'a str) -> Vec<&'a OsStr> {
    vec!["build".as_ref(), p.root().as_os_str(), "--out".as_ref(), out.as_os_str(), "--as-of".as_ref(), as_of.as_ref()]
}

/// Whether the tests run as root, who may read and remove any file: tests of
/// files that cannot be read or removed then run cutover as `nobody`.
fn is_root() -> bool {
    // SAFETY: geteuid takes nothing and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The binary with `args` and `env`, as `cutover_env` runs it, but as the
/// user `nobody` when the tests run as root (see [`is_root`]).
fn unprivileged(args: &[&OsStr], env: &[(&str, &str)]) -> Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cutover"));
    cmd.args(args).env_remove("SOURCE_DATE_EPOCH").env_remove("RAYON_NUM_THREADS").env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    if is_root() {
        cmd.uid(65534).gid(65534);
    }
    cmd
}

/// Whether [`unprivileged`] runs work here: as root, `nobody` must be able to
/// reach the binary (not so when the checkout is in a private home folder).
fn unprivileged_runs() -> bool {
    let works = unprivileged(&["--version".as_ref()], &[]).output().is_ok_and(|o| o.status.success());
    if !works {
        eprintln!("skipped: the user nobody cannot run {}", env!("CARGO_BIN_EXE_cutover"));
    }
    works
}

/// Whether the binary has the test hooks of `src/write/hook.rs` (debug builds only).
fn hooks_compiled() -> bool {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: the test hooks exist only in debug builds");
    }
    cfg!(debug_assertions)
}

fn run_unprivileged(args: &[&OsStr], env: &[(&str, &str)]) -> common::Run {
    finished(unprivileged(args, env).output().expect("the cutover binary runs"))
}

fn finished(out: std::process::Output) -> common::Run {
    common::Run {
        code: out.status.code().unwrap_or_else(|| panic!("cutover was killed: {out:?}")),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// A folder that the unprivileged runs may write into.
fn writable_dir(p: &Portfolio, name: &str) -> std::path::PathBuf {
    let dir = p.temp().join(name);
    fs::create_dir_all(&dir).unwrap();
    set_mode(&dir, 0o777);
    dir
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// On drop, makes every folder under `dir` writable again, so that a failed
/// test does not leave folders its temporary folder cannot remove.
struct Writable(std::path::PathBuf);

impl Drop for Writable {
    fn drop(&mut self) {
        for entry in walkdir::WalkDir::new(&self.0).into_iter().flatten() {
            if entry.file_type().is_dir() {
                let _ = fs::set_permissions(entry.path(), fs::Permissions::from_mode(0o755));
            }
        }
    }
}

fn readiness_as_of(out: &Path) -> String {
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(out.join("readiness.json")).unwrap()).unwrap();
    doc["as_of"].as_str().unwrap_or_default().to_string()
}

#[test]
fn an_old_site_that_cannot_be_removed_is_left_for_the_next_build() {
    if !unprivileged_runs() {
        return;
    }
    let p = Portfolio::base("old-site-stuck");
    let www = writable_dir(&p, "www");
    let _restore = Writable(www.clone());
    let out = www.join("site");
    let run = run_unprivileged(&build_args(&p, &out, AS_OF), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A folder of the previous site whose files cannot be removed (read-only,
    // or owned by another user).
    set_mode(&out.join("workloads"), 0o555);
    let run = run_unprivileged(&build_args(&p, &out, "2026-10-16"), &[]);
    assert_eq!(run.code, 0, "the new site is in place, so the build succeeded: {}", run.stderr);
    assert_eq!(readiness_as_of(&out), "2026-10-16", "the new site is in place");
    assert!(run.stderr.contains("warning") && run.stderr.contains("could not be removed"), "{}", run.stderr);
    let left = names(&www);
    assert_eq!(left.len(), 2, "the site and the old copy that could not be removed: {left:?}");
    assert!(left[0].starts_with(".site.cutover-old-"), "{left:?}");
    assert!(run.stderr.contains(&left[0]), "the warning names the folder left: {}", run.stderr);
    // While it still cannot be removed, the next build says so again and succeeds.
    let run = run_unprivileged(&build_args(&p, &out, AS_OF), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains(&left[0]), "{}", run.stderr);
    // Once it can be, the next build removes it.
    set_mode(&www.join(&left[0]).join("workloads"), 0o755);
    let run = run_unprivileged(&build_args(&p, &out, AS_OF), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(names(&www), ["site"]);
}

/// Waits until `cond` holds, for at most a minute.
fn wait_for(what: &str, cond: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !cond() {
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_build_killed_before_the_swap_leaves_the_site_and_its_leftovers_are_cleaned() {
    if !hooks_compiled() {
        return;
    }
    let p = Portfolio::base("killed-build");
    let out = p.temp().join("site");
    assert_eq!(build_into(&p, &out, AS_OF, &[]).code, 0);
    let previous = snapshot(&out, &[]);
    // The hook (debug builds only) pauses the build once its staging folder is complete.
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(build_args(&p, &out, "2026-10-16"))
        .env("CUTOVER_TEST_PAUSE", "publish:60000")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let staged = || {
        names(p.temp())
            .iter()
            .any(|n| n.starts_with(".site.cutover-new-") && p.temp().join(n).join(".cutover-site").is_file())
    };
    wait_for("the staging folder", staged);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_same_files(&previous, &snapshot(&out, &[]), "the previous site after a killed build");
    assert!(names(p.temp()).iter().any(|n| n.starts_with(".site.cutover-new-")), "the killed build left its folder");
    let run = build_into(&p, &out, "2026-10-16", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(readiness_as_of(&out), "2026-10-16");
    assert!(!names(p.temp()).iter().any(|n| n.contains(".cutover-")), "leftovers removed: {:?}", names(p.temp()));
}

#[test]
fn builds_started_at_once_all_succeed() {
    let p = Portfolio::base("concurrent");
    // The last round builds into the site the first one made.
    for (round, folder) in ["fresh-0", "fresh-1", "fresh-0"].into_iter().enumerate() {
        let parent = p.temp().join(folder);
        let out = parent.join("site");
        // Each build pauses right before it puts its folder in place, so all
        // of them find the output missing and then race to create it.
        let children: Vec<_> = (0..4)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_cutover"))
                    .args(build_args(&p, &out, AS_OF))
                    .env("CUTOVER_TEST_PAUSE", "publish:400")
                    .env_remove("SOURCE_DATE_EPOCH")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let run = finished(child.wait_with_output().unwrap());
            assert_eq!(run.code, 0, "round {round}: {}", run.stderr);
        }
        assert!(out.join("index.html").is_file() && out.join(".cutover-site").is_file());
        assert_eq!(names(&parent), ["site"], "round {round}: nothing left beside the site");
    }
}

#[test]
fn output_names_up_to_the_longest_the_system_allows_work() {
    let p = Portfolio::base("long-out");
    for len in [236, 237, 250, 255] {
        let name = "s".repeat(len);
        let out = p.temp().join(&name);
        for as_of in [AS_OF, "2026-10-16"] {
            let run = build_into(&p, &out, as_of, &[]);
            assert_eq!(run.code, 0, "a name of {len} bytes: {}", run.stderr);
            assert_eq!(readiness_as_of(&out), as_of);
        }
        assert!(!names(p.temp()).iter().any(|n| n.contains(".cutover-")), "{:?}", names(p.temp()));
        fs::remove_dir_all(&out).unwrap();
    }
}

#[test]
fn build_refuses_static_and_templates_and_their_insides() {
    let p = Portfolio::base("out-static");
    p.write("static/robots.txt", "User-agent: *\n");
    refused(&p, &p.path("static/site"), "--out a new folder in static/");
    refused(&p, &p.path("templates"), "--out templates/, which does not exist");
    refused(&p, &p.path("templates/out"), "--out a new folder in templates/");
    let run = build_into(&p, &p.path("static/site"), AS_OF, &[]);
    assert!(run.stderr.contains("static/"), "says why: {}", run.stderr);
    let run = build_into(&p, &p.path("templates/out"), AS_OF, &[]);
    assert!(run.stderr.contains("templates/"), "says why: {}", run.stderr);
}

/// `cutover check ROOT --format json --as-of AS_OF`, run as [`unprivileged`]: its exit code and diagnostics.
fn check_unprivileged(p: &Portfolio) -> (i32, Vec<common::Diag>) {
    let args: Vec<&OsStr> = vec![
        "check".as_ref(),
        p.root().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ];
    let run = run_unprivileged(&args, &[]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr));
    (run.code, serde_json::from_value(doc["diagnostics"].clone()).unwrap())
}

#[test]
fn check_and_build_agree_on_a_file_that_cannot_be_read() {
    if !unprivileged_runs() {
        return;
    }
    let p = Portfolio::base("unreadable-attachment");
    let www = writable_dir(&p, "www");
    let out = www.join("site");
    let run = run_unprivileged(&build_args(&p, &out, AS_OF), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let previous = snapshot(&out, &[]);
    let attachment = "content/workloads/alpha/reports/evidence.txt";
    set_mode(&p.path(attachment), 0o000);
    p.write("static/notes.txt", "published as it is\n");
    set_mode(&p.path("static/notes.txt"), 0o000);
    let (code, diags) = check_unprivileged(&p);
    assert_eq!(code, 1, "{diags:?}");
    let at: Vec<_> = diags.iter().map(|d| d.at()).collect();
    assert!(at.contains(&("E0001", attachment, 1, 1)), "{diags:#?}");
    assert!(at.contains(&("E0001", "static/notes.txt", 1, 1)), "{diags:#?}");
    let run = run_unprivileged(&build_args(&p, &out, AS_OF), &[]);
    assert_eq!(run.code, 1, "the same errors as check, not a failure to write: {}", run.stderr);
    assert!(run.stderr.contains(&format!("--> {attachment}:1:1")), "{}", run.stderr);
    assert!(run.stderr.contains("--> static/notes.txt:1:1"), "{}", run.stderr);
    assert!(!run.stderr.contains(&out.display().to_string()), "the output folder is not blamed: {}", run.stderr);
    assert_same_files(&previous, &snapshot(&out, &[]), "the previous site");
}

#[test]
fn check_and_build_agree_on_a_template_that_uses_an_undefined_variable() {
    let p = Portfolio::base("undefined-variable");
    p.add_ready_workload("beta", "name: Beta\nowner: o\ncriticality: standard\n");
    // Only beta's report uses it: check must render what build renders.
    p.write(
        "templates/workload.html",
        "{% extends \"base.html\" %}{% block content %}\n<h1>{{ name }}</h1>\n{% if id == \"beta\" %}{{ no_such_variable }}{% endif %}\n{% endblock content %}\n",
    );
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let e0701: Vec<_> = diags.iter().filter(|d| d.code == "E0701").collect();
    assert_eq!(e0701.len(), 1, "{diags:#?}");
    assert_eq!((e0701[0].file.as_str(), e0701[0].line), ("templates/workload.html", 3), "{diags:#?}");
    assert!(e0701[0].message.contains("no_such_variable"), "{diags:#?}");
    let run = p.build(AS_OF);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("--> templates/workload.html:3:"), "{}", run.stderr);
    assert!(!p.path("public").exists());
}

/// Runs `script` with `sh` in a mount namespace of its own, so that what it
/// mounts goes away with it: as root, or as a user mapped to root where the
/// system allows that. The script writes `$T/mounted` once its first mount
/// succeeded; `None` when it did not (no `unshare`, no namespaces).
fn in_mount_namespace(t: &Path, script: &str, env: &[(&str, &OsStr)]) -> Option<()> {
    let mut args = vec!["--mount", "--propagation", "private"];
    if !is_root() {
        args.push("--map-root-user");
    }
    let mut cmd = Command::new("unshare");
    cmd.args(&args).args(["sh", "-c", script]).env("T", t).env("BIN", env!("CARGO_BIN_EXE_cutover"));
    cmd.env_remove("SOURCE_DATE_EPOCH").env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().ok()?;
    if !t.join("mounted").exists() {
        eprintln!("skipped: cannot mount in a namespace of its own here: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(())
}

/// The exit code and stderr the script of [`a_mount_point_is_filled_in_place`] kept for run `n`.
fn kept_run(t: &Path, n: usize) -> (i32, String) {
    let code = fs::read_to_string(t.join(format!("rc{n}"))).unwrap().trim().parse().unwrap();
    (code, fs::read_to_string(t.join(format!("err{n}"))).unwrap())
}

#[test]
#[cfg(target_os = "linux")]
fn a_mount_point_is_filled_in_place() {
    if !hooks_compiled() {
        return;
    }
    let p = Portfolio::base("out-mount");
    let t = p.temp().join("t");
    for dir in ["t/tmpfs", "t/bind", "t/bound"] {
        fs::create_dir_all(p.temp().join(dir)).unwrap();
    }
    // Each run keeps its exit code, its stderr and a copy of the output
    // folder as it was afterwards, for the test to read once the mounts are gone.
    let script = r#"
        set -u
        run() { "$BIN" build "$ROOT" --out "$1" --as-of "$2" >/dev/null 2>"$T/err$3"; echo $? >"$T/rc$3"
                mkdir "$T/snap$3"; cp -a "$1/." "$T/snap$3/"; ls -a "$1" >"$T/ls$3"; }
        mount -t tmpfs tmpfs "$T/tmpfs" || exit 0
        touch "$T/mounted"
        run "$T/tmpfs" 2026-10-15 1
        CUTOVER_TEST_FAIL=swap-entry-3 run "$T/tmpfs" 2026-10-16 2
        run "$T/tmpfs" 2026-10-16 3
        mount --bind "$T/bound" "$T/bind" || exit 1
        run "$T/bind" 2026-10-15 4
        run "$T/bind" 2026-10-16 5
    "#;
    if in_mount_namespace(&t, script, &[("ROOT", p.root().as_os_str())]).is_none() {
        return;
    }
    let (code, err) = kept_run(&t, 1);
    assert_eq!(code, 0, "an empty file system as the output folder: {err}");
    assert!(t.join("snap1/index.html").is_file() && t.join("snap1/.cutover-site").is_file());
    let (code, err) = kept_run(&t, 2);
    assert_eq!(code, 2, "the swap failed on purpose: {err}");
    assert!(err.contains("previous site is as it was"), "{err}");
    assert_same_files(&snapshot(&t.join("snap1"), &[]), &snapshot(&t.join("snap2"), &[]), "after a failed swap");
    let (code, err) = kept_run(&t, 3);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(readiness_as_of(&t.join("snap3")), "2026-10-16");
    let listed = fs::read_to_string(t.join("ls3")).unwrap();
    assert!(!listed.contains(".cutover-new") && !listed.contains(".cutover-old"), "nothing left inside: {listed}");
    for n in [4, 5] {
        let (code, err) = kept_run(&t, n);
        assert_eq!(code, 0, "a bind mount of a folder of the same file system, run {n}: {err}");
        assert!(!err.contains("warning"), "{err}");
    }
    assert_eq!(readiness_as_of(&t.join("snap5")), "2026-10-16");
    assert!(!fs::read_to_string(t.join("ls5")).unwrap().contains(".cutover-old"));
}

/// The path inside `<fd></path>` of an strace line made with `-y`, after `call(`.
fn fd_path<'a>(line: &'a str, call: &str) -> Option<&'a str> {
    let rest = &line[line.find(&format!(" {call}("))? + call.len() + 2..];
    let rest = &rest[rest.find('<')? + 1..];
    Some(&rest[..rest.find('>')?])
}

/// The first quoted argument of an strace line.
fn quoted(line: &str) -> Option<&str> {
    let rest = &line[line.find('"')? + 1..];
    Some(&rest[..rest.find('"')?])
}

#[test]
#[cfg(target_os = "linux")]
fn every_new_file_and_folder_is_synced_before_the_swap() {
    let p = Portfolio::base("fsync");
    p.add_ready_workload("beta", "name: Beta\nowner: o\ncriticality: standard\n");
    let out = p.temp().join("site");
    assert_eq!(build_into(&p, &out, AS_OF, &[]).code, 0, "a previous site, so that the swap is an exchange");
    let log = p.temp().join("strace.log");
    let traced = Command::new("strace")
        .args(["-f", "-y", "-qq", "-e", "trace=openat,mkdir,mkdirat,fsync,fdatasync,rename,renameat,renameat2", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_cutover"))
        .args(build_args(&p, &out, "2026-10-16"))
        .env_remove("SOURCE_DATE_EPOCH")
        .output();
    match traced {
        Ok(o) if o.status.success() && log.is_file() => {}
        other => {
            eprintln!("skipped: strace cannot trace the build here: {other:?}");
            return;
        }
    }
    let text = fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let staging = lines
        .iter()
        .find_map(|l| quoted(l).filter(|q| q.contains(".site.cutover-new-") && l.contains("mkdir")))
        .expect("the staging folder is made")
        .to_string();
    let swap = lines
        .iter()
        .position(|l| l.contains("rename") && l.contains(&format!("\"{staging}\"")) && l.ends_with("= 0"))
        .expect("the staging folder is swapped in");
    let synced: BTreeSet<&str> =
        lines[..swap].iter().filter_map(|l| fd_path(l, "fsync").or_else(|| fd_path(l, "fdatasync"))).collect();
    let under = |path: &str| path == staging || path.starts_with(&format!("{staging}/"));
    let created: Vec<&str> = lines
        .iter()
        .filter(|l| l.contains("O_CREAT") || l.contains("mkdir"))
        .filter_map(|l| quoted(l))
        .filter(|path| under(path))
        .collect();
    assert!(created.len() > 20, "{created:?}");
    for path in created.iter().copied().chain([staging.as_str()]) {
        assert!(synced.contains(path), "{path} is not synced before the swap");
    }
    let parent = p.temp().to_str().unwrap();
    assert!(lines[swap..].iter().any(|l| fd_path(l, "fsync") == Some(parent)), "the swap itself is synced");
}

/// The write stage's progress bar counts against the site's real size: once
/// rendering ends, the total is the number of files the site holds.
#[test]
fn progress_knows_the_site_size_before_the_write_stage() {
    let p = Portfolio::sample("progress-total");
    let out = p.temp().join("site");
    let as_of = cutover::core::date::Date::parse(SAMPLE_AS_OF);
    let progress = cutover::core::progress::Progress::new();
    let opts = cutover::RunOptions { as_of, ..Default::default() };
    let (_, written) = cutover::build_with(p.root(), &out, &opts, &progress).unwrap();
    assert!(written);
    // Every regular file but the marker that says the folder is cutover's.
    fn files(dir: &Path) -> usize {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| match e.file_type().unwrap().is_dir() {
                true => files(&e.path()),
                false => usize::from(e.file_name() != ".cutover-site"),
            })
            .sum()
    }
    let files = files(&out);
    let total = cutover::core::progress::Progress::count(&progress.pages_total);
    assert!(files > 10, "{files}");
    assert_eq!(total, files, "the bar's total is the number of files in the site");
}
