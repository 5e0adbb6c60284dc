//! Hostile input and failure: nothing lost, nothing leaked, never a panic.
//! Each test feeds one kind of bad input or interruption through the binary.

use crate::common;

use common::{AS_OF, Portfolio, TempDir, copy_tree, fixture, snapshot};
use std::ffi::OsStr;
use std::fs;
use std::process::{Command, Stdio};

const STAGE: &str = "content/workloads/alpha/stage.md";

fn codes(p: &Portfolio) -> Vec<String> {
    p.diagnostics().into_iter().map(|d| d.code).collect()
}

#[test]
fn a_huge_evidence_file_is_refused_without_reading_it() {
    let p = Portfolio::base("huge");
    let mut f = fs::File::create(p.path(STAGE)).unwrap();
    std::io::Write::write_all(&mut f, b"FIRST-LINE-OF-THE-HUGE-FILE\n").unwrap();
    f.set_len(200 * 1024 * 1024).unwrap(); // sparse: 200 MB that would take long to read
    let d = p.diagnostics();
    assert!(d.iter().any(|x| x.code == "E0003" && x.file == STAGE), "{d:#?}");
    // The human report quotes the lines it points at; not from a refused file.
    let run = p.check_human(AS_OF);
    assert!(run.stderr.contains("E0003"), "{}", run.stderr);
    assert!(!run.stderr.contains("FIRST-LINE-OF-THE-HUGE-FILE"), "the refused file was read: {}", run.stderr);
}

#[test]
fn a_huge_attachment_is_refused() {
    let p = Portfolio::base("huge-attachment");
    let f = fs::File::create(p.path("content/workloads/alpha/reports/dump.bin")).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let d = p.diagnostics();
    assert!(d.iter().any(|x| x.code == "E0003" && x.file == "content/workloads/alpha/reports/dump.bin"), "{d:#?}");
}

#[test]
fn alias_bombs_and_deep_nesting_are_limits_not_hangs() {
    let p = Portfolio::base("bomb");
    let mut bomb = String::from("---\nstatus: in-progress\nx-a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("x-a{i}: &a{i} [{refs}]\n"));
    }
    bomb.push_str("---\n");
    p.write(STAGE, &bomb);
    let mut deep = String::from("---\nstatus: in-progress\nx-deep:\n");
    for i in 1..=10_000 {
        deep.push_str(&" ".repeat(i.min(200)));
        deep.push_str("- \n");
    }
    deep.push_str("---\n");
    p.write("content/workloads/alpha/assess.md", &deep);
    let flow = format!("---\nstatus: in-progress\nx-flow: {}{}\n---\n", "[".repeat(10_000), "]".repeat(10_000));
    p.write("content/workloads/alpha/architect.md", &flow);
    let d = p.diagnostics();
    for file in [STAGE, "content/workloads/alpha/assess.md", "content/workloads/alpha/architect.md"] {
        assert!(d.iter().any(|x| x.file == file && (x.code == "E0106" || x.code == "E0101")), "{file}: {d:#?}");
    }
    assert!(d.iter().any(|x| x.file == STAGE && x.code == "E0106"), "{d:#?}");
}

#[test]
fn line_endings_bom_dots_and_tabs_are_read() {
    let p = Portfolio::base("shapes");
    let text = p.read(STAGE);
    let crlf = text.replace('\n', "\r\n");
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(crlf.as_bytes());
    p.write_bytes(STAGE, &bom);
    let dots = p.read("content/workloads/alpha/assess.md").replacen("\n---\n", "\n...\n", 1);
    p.write("content/workloads/alpha/assess.md", &dots);
    let tabs = p.read("content/workloads/alpha/architect.md").replacen("status: ", "status:\t", 1);
    p.write("content/workloads/alpha/architect.md", &tabs);
    assert_eq!(codes(&p), Vec::<String>::new());
    assert_eq!(p.check_human(AS_OF).summary().ready, 1);
}

#[test]
fn fifos_are_reported_not_waited_on() {
    let p = Portfolio::base("fifo");
    for f in [STAGE, "content/site.yaml", "content/workloads/alpha/reports/pipe"] {
        let _ = fs::remove_file(p.path(f));
        let made = Command::new("mkfifo").arg(p.path(f)).status().unwrap();
        assert!(made.success(), "mkfifo {f}");
    }
    let d = p.diagnostics();
    for f in [STAGE, "content/site.yaml", "content/workloads/alpha/reports/pipe"] {
        assert!(
            d.iter().any(|x| x.code == "E0001" && x.file == f && x.message.contains("regular file")),
            "{f}: {d:#?}"
        );
    }
}

#[test]
fn a_binary_file_named_md_is_reported() {
    let p = Portfolio::base("binary");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    p.write_bytes(STAGE, &bytes);
    let d = p.diagnostics();
    assert!(d.iter().any(|x| x.code == "E0002" && x.file == STAGE), "{d:#?}");
    assert_eq!(p.check_human(AS_OF).summary().blocked, 1, "broken evidence blocks");
}

#[test]
fn control_characters_in_names_and_values_never_reach_the_terminal() {
    let p = Portfolio::base("terminal-escapes");
    // A folder name that would retitle and clear the terminal, then forge a line of the report.
    let evil = "x\u{1b}]0;PWNED\u{7}\u{1b}[2J\nok: all clear";
    fs::create_dir(p.path(&format!("content/workloads/{evil}"))).unwrap();
    let text = p.read(STAGE);
    p.write(STAGE, &text.replace("documented_in: [", "documented_in: [\"docs/m\\e]0;TITLE\\a\", "));
    let run = p.check_human(AS_OF);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("\u{241b}]0;PWNED"), "the name is shown, its escape made visible: {}", run.stderr);
    for c in run.stderr.chars() {
        assert!(c == '\n' || !c.is_control(), "a control character {c:?} reached the terminal: {:?}", run.stderr);
    }
    assert!(!run.stderr.lines().any(|l| l.starts_with("ok: all clear")), "a forged line: {}", run.stderr);
}

#[test]
fn folders_too_deep_to_read_are_reported() {
    let p = Portfolio::base("too-deep");
    let deep: String = (0..33).map(|i| format!("d{i}/")).collect();
    p.write(&format!("content/workloads/alpha/{deep}x.txt"), "deep\n");
    let d = p.diagnostics();
    let w: Vec<_> = d.iter().filter(|x| x.code == "W0003").map(|x| x.file.as_str()).collect();
    let deepest: String = (0..32).map(|i| format!("/d{i}")).collect();
    assert_eq!(w, [format!("content/workloads/alpha{deepest}")], "{d:#?}");
}

#[test]
fn names_with_spaces_and_accents_work() {
    let p = Portfolio::base("names");
    p.write("content/workloads/alpha/reports/Übergabe plan.txt", "handover plan\n");
    let text = p.read(STAGE).replace(
        "documented_in: [reports/evidence.txt]",
        "documented_in: [reports/evidence.txt, \"reports/Übergabe plan.txt\"]",
    );
    p.write(STAGE, &format!("{text}\nSee [the plan](reports/%C3%9Cbergabe%20plan.txt).\n"));
    assert_eq!(codes(&p), Vec::<String>::new());
    let run = p.build(AS_OF);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(p.path("public/workloads/alpha/reports/Übergabe plan.txt").is_file());
    let page = p.read("public/workloads/alpha/index.html");
    assert!(page.contains("reports/%C3%9Cbergabe%20plan.txt"), "the link is percent-encoded");
}

#[test]
fn many_files_in_one_folder() {
    let p = Portfolio::base("many");
    let dir = p.path("content/workloads/alpha/scans");
    fs::create_dir_all(&dir).unwrap();
    for i in 0..100_000 {
        fs::write(dir.join(format!("scan-{i:06}.txt")), "").unwrap();
    }
    assert_eq!(codes(&p), Vec::<String>::new());
    assert_eq!(p.check_human(AS_OF).summary().ready, 1);
}

#[test]
fn symlinks_never_lead_out_and_loops_are_reported() {
    let p = Portfolio::base("links");
    let outside = TempDir::new("outside");
    fs::write(outside.path().join("secret.txt"), "SECRET-OUTSIDE-MARKER").unwrap();
    let alpha = p.path("content/workloads/alpha");
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), alpha.join("reports/secret.txt")).unwrap();
    std::os::unix::fs::symlink(alpha.join("reports/loop"), alpha.join("reports/loop")).unwrap();
    std::os::unix::fs::symlink(&alpha, alpha.join("reports/self")).unwrap();
    std::os::unix::fs::symlink(outside.path(), p.path("content/workloads/elsewhere")).unwrap();
    let d = p.diagnostics();
    for file in ["reports/secret.txt", "reports/loop", "reports/self"] {
        let f = format!("content/workloads/alpha/{file}");
        assert!(d.iter().any(|x| x.code == "E0004" && x.file == f), "{f}: {d:#?}");
    }
    assert!(d.iter().any(|x| x.code == "E0004" && x.file == "content/workloads/elsewhere"), "{d:#?}");
}

#[test]
fn links_in_static_and_templates_never_publish_what_is_outside_the_root() {
    let p = Portfolio::base("theme-links");
    let outside = TempDir::new("theme-outside");
    fs::write(outside.path().join("secret.txt"), "SECRET-OUTSIDE-MARKER").unwrap();
    fs::write(outside.path().join("page.html"), "SECRET-OUTSIDE-MARKER {{ site.title }}").unwrap();
    p.write("static/logo.txt", "inside the root");
    fs::create_dir_all(p.path("templates")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), p.path("static/env.txt")).unwrap();
    std::os::unix::fs::symlink(outside.path(), p.path("static/dir")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("page.html"), p.path("templates/page.html")).unwrap();
    std::os::unix::fs::symlink(p.path("static/logo.txt"), p.path("static/same.txt")).unwrap();
    let run = p.build(AS_OF);
    assert_ne!(run.code, 0, "{}", run.stdout);
    for f in ["static/env.txt", "static/dir", "templates/page.html"] {
        assert!(run.stderr.contains("E0004") && run.stderr.contains(f), "{f}: {}", run.stderr);
    }
    assert!(!run.stderr.contains("static/same.txt"), "a link inside the root is fine: {}", run.stderr);
    assert!(!run.stderr.contains("SECRET-OUTSIDE-MARKER"), "{}", run.stderr);
    assert!(!p.path("public").exists(), "nothing was published");
    // The folders themselves, linked to one outside the root.
    fs::remove_dir_all(p.path("static")).unwrap();
    fs::remove_dir_all(p.path("templates")).unwrap();
    std::os::unix::fs::symlink(outside.path(), p.path("static")).unwrap();
    std::os::unix::fs::symlink(outside.path(), p.path("templates")).unwrap();
    let run = p.build(AS_OF);
    assert_ne!(run.code, 0, "{}", run.stdout);
    for f in ["static:1:1", "templates:1:1"] {
        assert!(run.stderr.contains(f), "{f}: {}", run.stderr);
    }
    assert!(!p.path("public").exists(), "nothing was published");
}

#[test]
fn a_content_folder_linked_from_outside_the_root_is_refused() {
    let p = Portfolio::empty("content-link");
    let outside = Portfolio::base("content-link-target");
    fs::remove_dir(p.path("content")).unwrap();
    std::os::unix::fs::symlink(outside.path("content"), p.path("content")).unwrap();
    let run = p.run(&["check", p.root().to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("outside the site root"), "{}", run.stderr);
}

#[test]
fn attachments_a_browser_would_run_are_errors_and_never_published() {
    let p = Portfolio::base("active-attachments");
    p.write("content/workloads/alpha/reports/x.html", "<script>alert(1)</script>");
    p.write(
        "content/workloads/alpha/reports/d.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
    );
    // Kinds that no list of dangerous extensions had: the site publishes only the kinds it knows.
    for name in ["r.xhtm", "feed.rdf", "README"] {
        p.write(&format!("content/workloads/alpha/reports/{name}"), "<html><script>alert(1)</script></html>");
    }
    let text = p.read(STAGE);
    let line = text.lines().count() as u32 + 2;
    p.write(
        STAGE,
        &format!(
            "{text}\n[report](reports/x.html) and ![drawing](reports/d.svg)\n\
             [a](reports/r.xhtm) [b](reports/feed.rdf) [c](reports/README)\n"
        ),
    );
    let d = p.diagnostics();
    let found: Vec<_> = d.iter().filter(|x| x.code == "E0404").map(|x| (x.file.as_str(), x.line, x.column)).collect();
    let want = [(line, 1), (line, 30), (line + 1, 1), (line + 1, 21), (line + 1, 43)];
    assert_eq!(found, want.map(|(l, c)| (STAGE, l, c)), "{d:#?}");
    let run = p.build(AS_OF);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(!p.path("public").exists());
}

#[test]
fn raw_html_cannot_hide_a_link_out_of_the_folder_from_the_checker() {
    let p = Portfolio::base("raw-html-rawtext");
    // A scanner that ignores raw-text elements reads `<a>` and `<img>` here as
    // text inside an attribute; a browser ends the attribute at `</textarea>`
    // or `</title>`, and so does the checker, which reads tags with the
    // sanitiser's tokenizer: both links are E0401, at their attributes.
    let text = p.read(STAGE);
    let lines = text.lines().count() as u32;
    p.write(
        STAGE,
        &format!(
            "{text}\n<textarea><p title=\"</textarea><a href=../../../../outside.html>up</a>\"></textarea>\n\n\
             <title><p title=\"</title><img src=..%2f..%2f..%2fx.png>\"></title>\n\n\
             <a href=\"reports/evidence.txt\">kept</a>\n"
        ),
    );
    let d = p.diagnostics();
    let found: Vec<(&str, u32, u32)> =
        d.iter().filter(|x| x.code == "E0401").map(|x| (x.code.as_str(), x.line, x.column)).collect();
    assert_eq!(found, [("E0401", lines + 2, 35), ("E0401", lines + 4, 31)], "{d:#?}");
    assert!(d.iter().any(|x| x.code == "E0401" && x.message.contains("`../../../x.png`")), "{d:#?}");
    assert!(!d.iter().any(|x| x.message.contains("reports/evidence.txt")), "{d:#?}");
}

#[test]
fn summaries_and_free_pages_are_held_to_the_link_rules() {
    let p = Portfolio::base("prose-links");
    p.edit(
        "content/workloads/alpha/workload.yaml",
        "summary: The first workload.",
        "summary: \"[x](javascript:alert(1)) [up](../../../etc/passwd) [file](reports/evidence.txt) \
         <img src=x onerror=alert(2)> [web](https://wiki.example.org/alpha)\"",
    );
    p.write(
        "content/pages/about.md",
        "---\ntitle: About\n---\n# About\n\n[a](javascript:alert(1)) and [b](data:text/html,x)\n\n\
         <img src=x onerror=alert(1)>\n\n[the dashboard](../../index.html) and [mail](mailto:a@example.org)\n",
    );
    let d = p.diagnostics();
    let at = |file: &str| -> Vec<(String, u32, u32)> {
        d.iter().filter(|x| x.file == file).map(|x| (x.code.clone(), x.line, x.column)).collect()
    };
    let summary = |code: &str| (code.to_string(), 5, 10);
    assert_eq!(
        at("content/workloads/alpha/workload.yaml"),
        vec![summary("E0401"), summary("E0402"), summary("E0402"), summary("E0403"), summary("W0004")],
        "{d:#?}"
    );
    let page = |code: &str, line, column| (code.to_string(), line, column);
    assert_eq!(
        at("content/pages/about.md"),
        vec![page("E0403", 6, 1), page("E0403", 6, 30), page("W0004", 8, 12)],
        "{d:#?}"
    );
}

#[test]
fn base_url_is_held_to_the_scheme_rule() {
    let p = Portfolio::base("base-url");
    let site = p.read("content/site.yaml");
    for (value, code) in [
        ("\"javascript:alert(1)//\"", Some("E0403")),
        ("\"data:text/html,x\"", Some("E0403")),
        ("//attacker.example/", Some("E0403")),
        ("'/\\attacker.example/'", Some("E0403")),
        ("'\\\\attacker.example\\'", Some("E0403")),
        ("\"/\\t/attacker.example/\"", Some("E0403")),
        ("/", None),
        ("/readiness/", None),
        ("https://readiness.example.org/", None),
    ] {
        p.write("content/site.yaml", &format!("{site}base_url: {value}\n"));
        let found: Vec<_> = p
            .diagnostics()
            .into_iter()
            .filter(|x| x.file == "content/site.yaml")
            .map(|x| (x.code, x.line, x.column))
            .collect();
        let want: Vec<_> = code.map(|c| (c.to_string(), 13, 11)).into_iter().collect();
        assert_eq!(found, want, "base_url: {value}");
    }
}

#[test]
fn sanitiser_warnings_point_at_the_line_of_what_is_removed() {
    let p = Portfolio::base("raw-html-lines");
    let text = p.read(STAGE);
    let table = "<table>\n<tr><td>1</td></tr>\n<tr><td>2</td></tr>\n<tr><td onclick=\"alert(1)\">3</td></tr>\n\
                 <tr><td>4</td><td onclick=\"x\" style=\"y\">5</td></tr>\n</table>\n";
    let quoted = "> <div>\n> <b>q</b>\n> <b onmouseover=\"x\">q</b>\n> </div>\n";
    p.write(STAGE, &format!("{text}\n{table}\n{quoted}"));
    let first = text.lines().count() as u32 + 2; // the <table> line
    let d = p.diagnostics();
    let w: Vec<_> = d.iter().filter(|x| x.code == "W0004").map(|x| (x.line, x.column, x.message.as_str())).collect();
    assert_eq!(
        w,
        vec![
            (first + 3, 9, "the sanitiser removes `onclick` on `<td>` from this raw HTML"),
            (first + 4, 19, "the sanitiser removes `onclick` on `<td>`, `style` on `<td>` from this raw HTML"),
            (first + 9, 6, "the sanitiser removes `onmouseover` on `<b>` from this raw HTML"),
        ],
        "{d:#?}"
    );
}

#[test]
fn raw_html_the_sanitiser_changes_is_a_warning_with_its_position() {
    let p = Portfolio::base("raw-html");
    let text = p.read(STAGE);
    let body_start = text.lines().position(|l| l == "# stage").unwrap() + 1;
    p.write(STAGE, &format!("{text}\n<img src=\"reports/evidence.txt\" onerror=\"alert(1)\">\n"));
    let d = p.diagnostics();
    let w: Vec<_> = d.iter().filter(|x| x.code == "W0004").collect();
    assert_eq!(w.len(), 1, "{d:#?}");
    assert_eq!(w[0].file, STAGE);
    assert!(w[0].line as usize > body_start, "{:?}", w[0]);
    assert!(w[0].message.contains("onerror"), "{:?}", w[0]);
    let run = p.build(AS_OF);
    assert_eq!(run.code, 0, "warnings do not stop the build: {}", run.stderr);
    assert!(!p.read("public/workloads/alpha/index.html").contains("onerror"));
}

#[test]
fn removed_workloads_do_not_survive_a_rebuild() {
    let p = Portfolio::base("stale-pages");
    p.add_ready_workload("beta", "name: Beta\nowner: b@example.org\ncriticality: standard\n");
    assert_eq!(p.build(AS_OF).code, 0);
    assert!(p.path("public/workloads/beta/index.html").is_file());
    p.remove("content/workloads/beta");
    assert_eq!(p.build(AS_OF).code, 0);
    assert!(!p.path("public/workloads/beta").exists());
}

#[test]
fn out_refuses_the_file_system_root_and_the_home_folder() {
    let p = Portfolio::base("out-guards");
    let home = TempDir::new("home");
    for (out, home_env) in [("/", None), (home.path().to_str().unwrap(), Some(home.path()))] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cutover"));
        cmd.args([OsStr::new("build"), p.root().as_os_str(), OsStr::new("--out"), OsStr::new(out)]);
        if let Some(h) = home_env {
            cmd.env("HOME", h);
        }
        let o = cmd.output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{out}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("refusing"), "{out}");
    }
    assert!(fs::read_dir(home.path()).unwrap().next().is_none(), "nothing written into the home folder");
}

#[test]
fn leftovers_of_a_killed_build_are_cleaned_up() {
    let p = Portfolio::base("leftovers");
    let stale = p.path(".public.cutover-new-4000000");
    fs::create_dir_all(stale.join("workloads")).unwrap();
    assert_eq!(p.build(AS_OF).code, 0);
    assert!(!stale.exists());
}

/// A portfolio big enough that a debug build takes a while to write.
fn big_portfolio(tag: &str, n: usize) -> Portfolio {
    let p = Portfolio::base(tag);
    let alpha = fixture("base").join("content/workloads/alpha");
    for i in 0..n {
        let dir = p.path(&format!("content/workloads/w{i:05}"));
        copy_tree(&alpha, &dir);
    }
    p
}

#[test]
fn a_killed_build_leaves_the_previous_site_as_it_was() {
    let p = big_portfolio("killed", 200);
    let out = p.path("public");
    let build = |extra: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cutover"));
        cmd.args([OsStr::new("build"), p.root().as_os_str(), OsStr::new("--out"), out.as_os_str()]);
        cmd.args(extra).stdout(Stdio::null()).stderr(Stdio::null());
        cmd
    };
    let started = std::time::Instant::now();
    assert!(build(&["--as-of", AS_OF]).status().unwrap().success());
    // Kills land across a whole build, the write stage (its last tenth or so) included,
    // however fast this machine builds.
    let whole = started.elapsed();
    let first = snapshot(&out, &[]);
    let mut old = first.clone();
    // The next builds differ (another as-of date), so a half-written swap would show.
    let mut killed_midway = 0;
    for percent in [5u32, 35, 70, 88, 94, 98] {
        let mut child = build(&["--as-of", "2026-12-31"]).spawn().unwrap();
        std::thread::sleep(whole * percent / 100);
        let running = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot(&out, &[]);
        if now == old {
            killed_midway += usize::from(running);
            continue;
        }
        // The build finished before the kill landed: the new site must be
        // whole, and it is what the next kill must leave alone.
        assert!(
            now.contains_key("index.html") && now.contains_key(".cutover-site"),
            "half-written after {percent}% of a build"
        );
        assert_ne!(now, first, "after {percent}% of a build");
        old = now;
    }
    assert!(killed_midway > 0, "no build was interrupted; make the portfolio bigger");
    assert!(build(&["--as-of", AS_OF]).status().unwrap().success(), "a build after the kills works");
    assert_eq!(snapshot(&out, &[]), first, "and writes the first site again");
}
