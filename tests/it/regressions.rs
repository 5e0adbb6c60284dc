//! Regressions: behaviour that docs/format.md or the crate documentation
//! (src/lib.rs) promises and that an earlier version got wrong. One test per
//! bug, named after what must hold: unparseable evidence still blocks;
//! `documented_in` naming another evidence file links to that item; raw HTML
//! links are checked; the checklist page is deterministic; every workload on
//! overlapping dependency cycles is named.

use crate::common;

use common::{AS_OF, Diag, Portfolio, assert_same_files, broken_links, snapshot};

fn lines(l: &[&str]) -> String {
    let mut s = l.join("\n");
    s.push('\n');
    s
}

/// Bug 1 - src/validate/mod.rs `read_workload` drops evidence whose front
/// matter cannot be split or parsed (E0101, E0103, E0104, E0105; at load time
/// also E0002, E0003), and src/evaluate.rs `decide` only treats evidence that
/// is present with `has_errors` as broken. For `promote` (skipped unless
/// broken) the workload is then `ready`; `check` prints
/// "0 promoted, 1 ready, 0 blocked". Expected: blocked.
#[test]
fn unparseable_promote_evidence_still_blocks() {
    let broken: [(&str, &[u8]); 5] = [
        ("E0101", b"---\nstatus: in-progress\nx-a: b: c\n---\n"),
        ("E0103", b"Promotion is scheduled for December.\n"),
        ("E0104", b"---\nstatus: in-progress\n"),
        ("E0105", b""),
        ("E0002", b"---\nstatus: in-progress\nx-note: caf\xe9\n---\n"),
    ];
    let mut wrong = Vec::new();
    for (code, bytes) in broken {
        let p = Portfolio::base(&format!("bug1-{code}"));
        p.write_bytes("content/workloads/alpha/promote.md", bytes);
        let diags = p.diagnostics();
        assert!(diags.iter().any(|d| d.code == code), "{code}: {diags:?}");
        let run = p.check_human(AS_OF);
        assert_eq!(run.code, 1);
        let s = run.summary();
        if s.ready != 0 || s.blocked != 1 {
            wrong.push(format!("promote.md with {code}: {} ready, {} blocked", s.ready, s.blocked));
        }
    }
    assert!(wrong.is_empty(), "evidence with an error must never leave a workload ready: {wrong:#?}");
}

/// Bug 2 - src/validate/links.rs accepts a link to another evidence file of
/// the workload (the `files` set includes `*.md` evidence), but
/// src/render/mod.rs `linked_files` publishes only attachments and
/// src/render/context.rs `link_view` does not rewrite `documented_in` links
/// to `#item-...` as body links are. So
/// `documented_in: [stage.md]` in ready.md gives `href="stage.md"` on
/// workloads/alpha/index.html and no workloads/alpha/stage.md in the output
/// (the same for a body link `runbooks/../stage.md`).
/// Expected: either an error, or a link that resolves.
#[test]
fn documented_in_naming_another_evidence_file_is_published_or_refused() {
    let p = Portfolio::base("bug2");
    p.write("content/workloads/alpha/runbooks/readme.txt", "x\n");
    p.edit("content/workloads/alpha/ready.md", "documented_in: [reports/evidence.txt]", "documented_in: [stage.md]");
    p.edit("content/workloads/alpha/ready.md", "Done;", "See [the stage record](runbooks/../stage.md). Done;");
    let run = p.build(AS_OF);
    if run.code == 0 {
        let broken = broken_links(&p.path("public"));
        assert!(broken.is_empty(), "the build succeeded with broken links: {broken:#?}");
    } else {
        assert_eq!(run.code, 1, "{}", run.stderr);
    }
}

/// Bug 3 - src/validate/evidence.rs `check_body_links` only sees Markdown
/// link and image syntax (src/load/markdown.rs `link_targets_with_offsets`), so raw
/// HTML in a body is never checked, and the sanitiser keeps relative URLs.
/// Input (stage.md, line 9): `<a href="../beta/secret.txt">raw</a>` and
/// (line 10) `<img src="missing.png" alt="m">`. Expected: E0401 at line 9 and
/// E0402 at line 10 (FORMAT.md: relative links in the body must resolve
/// inside the workload folder). Actual: no diagnostic; the report carries
/// `href="../beta/secret.txt"` and `src="missing.png"`, both broken.
#[test]
fn raw_html_links_in_evidence_are_checked() {
    let p = Portfolio::base("bug3");
    let stage = "content/workloads/alpha/stage.md";
    let text = p.read(stage);
    assert_eq!(text.lines().count(), 10, "{text}");
    // Keep lines 1-8 (front matter and heading), then raw HTML on lines 9 and 10.
    let mut l: Vec<&str> = text.lines().take(8).collect();
    l.push("<a href=\"../beta/secret.txt\">raw</a>");
    l.push("<img src=\"missing.png\" alt=\"m\">");
    p.write(stage, &lines(&l));
    let diags = p.diagnostics();
    let at: Vec<(&str, &str, u32)> = diags.iter().map(|d: &Diag| (d.code.as_str(), d.file.as_str(), d.line)).collect();
    assert_eq!(at, vec![("E0401", stage, 9), ("E0402", stage, 10)], "{diags:#?}");
}

/// Bug 4 - templates/checklist.html iterates `i.fields` (and `f.fields`), a
/// map serialised by src/core/checklist/mod.rs `fields_as_map`; tera's context
/// does not keep its order, so e.g. `promoted_on, cutover` and
/// `cutover, promoted_on` (and the order of `record, type, from, to, ttl`)
/// differ between two builds of the same portfolio. docs/format.md: same inputs,
/// same bytes. (tests/it/build.rs checks every other file.)
#[test]
fn the_checklist_page_is_deterministic() {
    let p = Portfolio::base("bug4");
    let mut first = None;
    for i in 0..3 {
        let out = p.path(&format!("out-{i}"));
        let run = common::cutover([
            "build".as_ref(),
            p.root().as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--as-of".as_ref(),
            std::ffi::OsStr::new(AS_OF),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let s = snapshot(&out, &[]);
        match &first {
            None => first = Some(s),
            Some(f) => assert_same_files(f, &s, &format!("build {i} against build 0")),
        }
    }
}

/// Bug 5 - src/evaluate/graph.rs `cycles` reports one shortest cycle per strongly
/// connected component. Input: a depends_on [b, c], b depends_on [c],
/// c depends_on [a]: two cycles, a -> c -> a and a -> b -> c -> a. Actual: one
/// E0304, "dependency cycle: a -> c -> a"; `b` is on a cycle but never named,
/// and is only found after the first fix. Expected (FORMAT.md: "a depends_on
/// cycle is an error naming every workload on the cycle"; `check` reports every
/// problem at once): every workload on a cycle is named by an E0304.
#[test]
fn every_workload_on_a_dependency_cycle_is_named() {
    let p = Portfolio::base("bug5");
    for (id, deps) in [("a", "b, c"), ("b", "c"), ("c", "a")] {
        p.write(
            &format!("content/workloads/{id}/workload.yaml"),
            &lines(&["name: W", "owner: o", "criticality: standard", &format!("depends_on: [{deps}]")]),
        );
    }
    let diags = p.diagnostics();
    let cycles: Vec<&str> = diags.iter().filter(|d| d.code == "E0304").map(|d| d.message.as_str()).collect();
    for w in ["a", "b", "c"] {
        let named = cycles.iter().any(|m| m.trim_start_matches("dependency cycle: ").split(" -> ").any(|x| x == w));
        assert!(named, "`{w}` is on a cycle but no E0304 names it: {cycles:?}");
    }
}
