//! `cutover sign` as a file writer: two signs at once, an edit saved while
//! it runs, the file's mode, owner and links, front matter it must read with
//! the YAML parser rather than by searching text, the size limit, quoting,
//! and how a refusal is printed. (What a sign-off records and what `check`
//! makes of it is in tests/it/gate_sign.rs.)
//!
//! The races are tested with a hook compiled into debug builds only:
//! `CUTOVER_TEST_SIGN_PAUSE=P` makes `sign` stop once the new text is written
//! beside the file, announce it in `P.paused`, and wait for `P.resume`.

use crate::common;

use common::{AS_OF, Portfolio, Run, cutover};
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ALPHA: &str = "content/workloads/alpha";
const CISO: &str = "content/workloads/alpha/ciso-verification.md";
const STAGE: &str = "content/workloads/alpha/stage.md";
const CAROL: &str = "carol.ciso@example.org";
const VAL: &str = "val.idator@example.org";

fn sign_args(p: &Portfolio, item: &str, by: &str, on: &str) -> Vec<OsString> {
    vec![
        "sign".into(),
        "alpha".into(),
        item.into(),
        p.root().as_os_str().to_owned(),
        format!("--by={by}").into(),
        "--on".into(),
        on.into(),
    ]
}

fn sign(p: &Portfolio, item: &str, by: &str, on: &str) -> Run {
    cutover(sign_args(p, item, by, on))
}

fn assert_clean(p: &Portfolio) {
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(run.code, 0);
}

/// Files in the workload folder (and its subfolders) that a `sign` left behind.
fn leftovers(p: &Portfolio) -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![p.path(ALPHA)];
    while let Some(d) = dirs.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().unwrap().is_dir() {
                dirs.push(e.path());
            } else if name.contains("cutover-sign") {
                found.push(name);
            }
        }
    }
    found
}

/// A `sign` stopped by the pause hook, with the temporary file it wrote.
struct Paused {
    child: Child,
    hook: PathBuf,
    temporary: PathBuf,
}

impl Paused {
    /// Starts `sign` and waits until it has written its temporary file.
    fn start(p: &Portfolio, item: &str, by: &str, on: &str) -> Paused {
        let hook = p.temp().join("sign-hook");
        let child = Command::new(env!("CARGO_BIN_EXE_cutover"))
            .args(sign_args(p, item, by, on))
            .env_remove("SOURCE_DATE_EPOCH")
            .env("NO_COLOR", "1")
            .env("CUTOVER_TEST_SIGN_PAUSE", &hook)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut paused = Paused { child, hook, temporary: PathBuf::new() };
        let announced = paused.with(".paused");
        let until = Instant::now() + Duration::from_secs(30);
        while !announced.exists() {
            if let Some(status) = paused.child.try_wait().unwrap() {
                let out = paused.child.wait_with_output().unwrap();
                panic!(
                    "sign ended ({status}) without pausing between reading and renaming:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            assert!(Instant::now() < until, "sign did not pause within 30 s");
            std::thread::sleep(Duration::from_millis(5));
        }
        paused.temporary = PathBuf::from(fs::read_to_string(&announced).unwrap());
        paused
    }

    fn with(&self, suffix: &str) -> PathBuf {
        let mut p = self.hook.clone().into_os_string();
        p.push(suffix);
        PathBuf::from(p)
    }

    /// Lets it go on, and waits for it to end.
    fn resume(self) -> Run {
        fs::write(self.with(".resume"), "").unwrap();
        let out = self.child.wait_with_output().unwrap();
        Run {
            code: out.status.code().expect("sign was not killed"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }
}

// ---- temporary files and concurrent signs -------------------------------------

#[test]
fn two_signs_of_one_file_at_once_use_their_own_temporary_files_and_the_later_one_refuses() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: the pause hook is compiled into debug builds only");
        return;
    }
    let p = Portfolio::base("sign-two-at-once");
    let first = Paused::start(&p, "ciso-verification", CAROL, "2026-09-10");
    // Its temporary file is hidden, beside the evidence, and it is not the evidence's name plus a suffix.
    let tmp = first.temporary.clone();
    assert!(tmp.exists(), "{tmp:?}");
    assert_eq!(fs::canonicalize(tmp.parent().unwrap()).unwrap(), fs::canonicalize(p.path(ALPHA)).unwrap());
    let tmp_name = tmp.file_name().unwrap().to_string_lossy().into_owned();
    assert!(tmp_name.starts_with('.'), "{tmp_name}");
    let in_flight = fs::read(&tmp).unwrap();
    // While it waits, the portfolio reads as before: the temporary file is neither an attachment nor evidence.
    assert_clean(&p);
    let build = p.build(AS_OF);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(common::snapshot(&p.path("public"), &[]).keys().all(|k| !k.contains("cutover-sign")));
    // A second sign of the same file runs to the end meanwhile, in a file of its own.
    let second = sign(&p, "ciso-verification", CAROL, "2026-09-12");
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(fs::read(&tmp).unwrap(), in_flight, "the second sign did not touch the first one's temporary file");
    let signed_second = p.read(CISO);
    assert!(signed_second.contains("\nvalidated_on: 2026-09-12\n"), "{signed_second}");
    // The first finds the file changed under it, and writes nothing.
    let run = first.resume();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{CISO} changed while sign was running")), "{}", run.stderr);
    assert_eq!(p.read(CISO), signed_second);
    assert_eq!(leftovers(&p), Vec::<String>::new());
    assert_clean(&p);
}

#[test]
fn a_file_named_like_the_old_temporary_file_is_neither_overwritten_nor_renamed() {
    // Before, every sign of ciso-verification.md wrote ciso-verification.md.cutover-sign:
    // a second sign truncated and renamed away the first one's file.
    let p = Portfolio::base("sign-old-temp-name");
    let stray = format!("{ALPHA}/ciso-verification.md.cutover-sign");
    p.write(&stray, "another sign's text, half written\n");
    let run = sign(&p, "ciso-verification", CAROL, "2026-09-10");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(p.read(&stray), "another sign's text, half written\n");
    assert!(p.read(CISO).contains("validated_digest: sha256:"));
}

#[test]
fn concurrent_signs_of_one_file_never_mix_their_bytes() {
    let p = Portfolio::base("sign-concurrent");
    for round in 0..10 {
        let dates = ["2026-09-10", "2026-09-11"];
        let children: Vec<Child> = dates
            .iter()
            .map(|on| {
                Command::new(env!("CARGO_BIN_EXE_cutover"))
                    .args(sign_args(&p, "ciso-verification", CAROL, on))
                    .env_remove("SOURCE_DATE_EPOCH")
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outs: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
        for out in &outs {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let ok = out.status.code() == Some(0)
                || (out.status.code() == Some(2) && stderr.contains("changed while sign was running"));
            assert!(ok, "round {round}: {:?}\n{stderr}", out.status);
        }
        assert!(outs.iter().any(|o| o.status.success()), "round {round}: one of them signs");
        assert_eq!(leftovers(&p), Vec::<String>::new(), "round {round}");
        assert_clean(&p);
    }
}

// ---- an edit saved while sign runs ---------------------------------------------

#[test]
fn an_edit_saved_while_sign_runs_is_kept_and_sign_refuses() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: the pause hook is compiled into debug builds only");
        return;
    }
    let p = Portfolio::base("sign-edit-meanwhile");
    let paused = Paused::start(&p, "ciso-verification", CAROL, "2026-09-10");
    p.edit(CISO, "Done;", "Done, and re-tested on Friday;");
    let edited = p.read(CISO);
    let run = paused.resume();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{CISO} changed while sign was running")), "{}", run.stderr);
    assert!(run.stderr.contains("run `cutover sign` again"), "{}", run.stderr);
    assert_eq!(p.read(CISO), edited, "the edit is kept");
    assert_eq!(leftovers(&p), Vec::<String>::new());
    // Signing again signs the edited text.
    assert_eq!(sign(&p, "ciso-verification", CAROL, "2026-09-10").code, 0);
    assert!(p.read(CISO).contains("re-tested on Friday"));
    assert_clean(&p);
}

#[test]
fn an_attachment_changed_while_sign_runs_refuses_the_sign_off() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: the pause hook is compiled into debug builds only");
        return;
    }
    let p = Portfolio::base("sign-attachment-meanwhile");
    let before = p.read(CISO);
    let paused = Paused::start(&p, "ciso-verification", CAROL, "2026-09-10");
    p.write(&format!("{ALPHA}/reports/evidence.txt"), "rewritten while sign ran\n");
    let run = paused.resume();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("reports/evidence.txt changed while sign was running"), "{}", run.stderr);
    assert_eq!(p.read(CISO), before);
}

// ---- mode, owner and links ---------------------------------------------------------

#[cfg(unix)]
#[test]
fn sign_keeps_the_files_mode_and_owner() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let p = Portfolio::base("sign-mode");
    for (item, mode) in [("ciso-verification", 0o600), ("stage", 0o664)] {
        let path = p.path(&format!("{ALPHA}/{item}.md"));
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        let by = if item == "stage" { VAL } else { CAROL };
        let run = sign(&p, item, by, "2026-09-10");
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o7777, mode, "{item}");
    }
    // Only root may give a file away: there, the owner and group are kept too.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let path = p.path(STAGE);
        std::os::unix::fs::chown(&path, Some(4321), Some(4322)).unwrap();
        let run = sign(&p, "stage", VAL, "2026-09-11");
        assert_eq!(run.code, 0, "{}", run.stderr);
        let meta = fs::metadata(&path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (4321, 4322));
    } else {
        eprintln!("not root: the owner part of this test needs root to give a file away");
    }
    assert_clean(&p);
}

#[cfg(unix)]
#[test]
fn sign_writes_through_a_symbolic_link_to_its_target() {
    let p = Portfolio::base("sign-symlink");
    let text = p.read(STAGE);
    p.remove(STAGE);
    p.write(&format!("{ALPHA}/drafts/stage-notes.md"), &text);
    std::os::unix::fs::symlink("drafts/stage-notes.md", p.path(STAGE)).unwrap();
    assert_clean(&p);
    let run = sign(&p, "stage", VAL, "2026-09-10");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let link = fs::symlink_metadata(p.path(STAGE)).unwrap();
    assert!(link.file_type().is_symlink(), "the link is still a link");
    assert_eq!(fs::read_link(p.path(STAGE)).unwrap(), Path::new("drafts/stage-notes.md"));
    let target = p.read(&format!("{ALPHA}/drafts/stage-notes.md"));
    assert!(target.contains("validated_digest: sha256:"), "the target is signed:\n{target}");
    assert_eq!(leftovers(&p), Vec::<String>::new());
    assert_clean(&p);
}

#[cfg(unix)]
#[test]
fn sign_refuses_a_file_with_several_hard_links_and_keeps_them() {
    use std::os::unix::fs::MetadataExt;
    let p = Portfolio::base_nested("sign-hard-link");
    let outside = p.temp().join("stage-elsewhere.md");
    fs::hard_link(p.path(STAGE), &outside).unwrap();
    let before = p.read(STAGE);
    let run = sign(&p, "stage", VAL, "2026-09-10");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("cannot sign {STAGE}: the file has 2 hard links")), "{}", run.stderr);
    assert_eq!(p.read(STAGE), before);
    assert_eq!(fs::metadata(&outside).unwrap().nlink(), 2, "the link is intact");
    assert_eq!(leftovers(&p), Vec::<String>::new());
}

// ---- finding the lines with the YAML parser ---------------------------------------

/// Signs `stage` with `front` as its front matter, expecting exactly `signed` after
/// (`{DIGEST}` standing for the digest) and a clean `check`.
fn signs_as(tag: &str, front: &str, signed: &str) {
    let p = Portfolio::base(tag);
    let body = "---\n# stage\n\nDone; see [the evidence](reports/evidence.txt).\n";
    p.write(STAGE, &format!("---\n{front}{body}"));
    let run = sign(&p, "stage", VAL, "2026-09-10");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = p.read(STAGE);
    let at = after.find("validated_digest: ").expect("a digest") + "validated_digest: ".len();
    let digest = &after[at..at + 71];
    assert_eq!(after, format!("---\n{}{body}", signed.replace("{DIGEST}", digest)));
    assert_clean(&p);
}

#[test]
fn a_multi_line_quoted_value_that_holds_status_lines_is_left_as_it_is() {
    let note = "x-note: \"Reviewed twice.\nstatus: in-progress\nvalidated_by: nobody\n  done.\"\n";
    signs_as(
        "sign-quoted-status",
        &format!("status: documented\nexecuted_on: 2026-09-01\ndocumented_in: [reports/evidence.txt]\n{note}"),
        &format!(
            "status: validated\nexecuted_on: 2026-09-01\ndocumented_in: [reports/evidence.txt]\n{note}validated_by: val.idator@example.org\nvalidated_on: 2026-09-10\nvalidated_digest: {{DIGEST}}\n"
        ),
    );
}

#[test]
fn keys_written_as_status_space_colon_or_quoted_are_signed_where_they_are() {
    signs_as(
        "sign-key-spellings",
        "\"status\": documented  # pending\nexecuted_on: 2026-09-01\ndocumented_in: [reports/evidence.txt]\nvalidated_by : someone.earlier@example.org\n'validated_on':   2026-09-02\n",
        "\"status\": validated  # pending\nexecuted_on: 2026-09-01\ndocumented_in: [reports/evidence.txt]\nvalidated_by : val.idator@example.org\n'validated_on': 2026-09-10\nvalidated_digest: {DIGEST}\n",
    );
}

#[test]
fn flow_style_front_matter_is_refused_with_what_to_do() {
    let p = Portfolio::base("sign-flow");
    p.write(
        STAGE,
        "---\n{status: documented, executed_on: 2026-09-01, documented_in: [reports/evidence.txt]}\n---\nDone; see [the evidence](reports/evidence.txt).\n",
    );
    let (_, diags) = p.check_json(&["--as-of", AS_OF]);
    assert!(diags.iter().all(|d| d.severity != "error"), "check accepts it: {diags:#?}");
    let before = p.read(STAGE);
    let run = sign(&p, "stage", VAL, "2026-09-10");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("cannot sign {STAGE}:2:2: its front matter is one flow mapping")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("write one `key: value` per line"), "{}", run.stderr);
    assert!(!run.stderr.contains("duplicate"), "{}", run.stderr);
    assert_eq!(p.read(STAGE), before);
}

// ---- size, quoting, refusals -------------------------------------------------------

#[test]
fn sign_refuses_to_push_a_file_over_the_text_size_limit() {
    let limit = cutover::load::MAX_TEXT_BYTES as usize;
    let p = Portfolio::base("sign-size");
    let head = "---\nstatus: documented\nexecuted_on: 2026-09-01\ndocumented_in: [reports/evidence.txt]\n---\nSee [the evidence](reports/evidence.txt).\n";
    let line = "Restore log line, kept for the auditors.\n";
    // 40 bytes under the limit: the sign-off lines (about 160 bytes) do not fit.
    let pad = |room: usize| {
        let mut body = line.repeat((limit - room - head.len()) / line.len());
        body.push_str(&"x".repeat(limit - room - head.len() - body.len()));
        format!("{head}{body}")
    };
    let near = pad(40);
    assert_eq!(near.len(), limit - 40);
    p.write(STAGE, &near);
    let run = sign(&p, "stage", VAL, "2026-09-10");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("over the limit of {limit} bytes")), "{}", run.stderr);
    assert_eq!(p.read(STAGE), near, "nothing written");
    // With room for the sign-off, it signs, and the result is still read.
    p.write(STAGE, &pad(400));
    let run = sign(&p, "stage", VAL, "2026-09-10");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(fs::metadata(p.path(STAGE)).unwrap().len() <= limit as u64);
    assert_clean(&p);
}

#[test]
fn a_refusal_lists_each_error_on_its_own_line() {
    let p = Portfolio::base("sign-refusal-lines");
    p.write(STAGE, "---\nstatus: in-progress\n---\nStarted.\n");
    let run = sign(&p, "stage", VAL, "2026-09-10");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains('\u{240a}'), "no ␊ in:\n{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(lines[0].starts_with(&format!("error: cannot sign {STAGE}: ")), "{}", run.stderr);
    let errors: Vec<&&str> = lines.iter().filter(|l| l.starts_with(&format!("  {STAGE}:"))).collect();
    assert!(errors.len() >= 2, "one error a line:\n{}", run.stderr);
    assert!(errors.iter().any(|l| l.contains("executed_on")), "{}", run.stderr);
    assert!(errors.iter().any(|l| l.contains("documented_in")), "{}", run.stderr);
    assert!(lines.last().unwrap().starts_with("fix them first"), "{}", run.stderr);
}

#[test]
fn a_person_yaml_would_read_as_something_else_is_quoted() {
    let p = Portfolio::base("sign-quoting");
    for by in [
        "yes",
        "No",
        "true",
        "off",
        "null",
        "~",
        "12",
        "1.5",
        "0x1F",
        "2026-01-01",
        "ana: ciso",
        "ana #2",
        "@ana",
        "'ana'",
        "-ana",
        "*ana",
        "ana ruiz",
    ] {
        let run = sign(&p, "stage", by, "2026-09-10");
        assert_eq!(run.code, 0, "--by {by}: {}", run.stderr);
        let text = p.read(STAGE);
        let front = &text[4..text[4..].find("\n---\n").unwrap() + 5];
        let node = cutover::load::yaml::parse(front).unwrap();
        let cutover::load::yaml::Value::Map(m) = node.value else { panic!("{front}") };
        let read = &m.iter().find(|(k, _)| k.name == "validated_by").unwrap().1.value;
        assert_eq!(read, &cutover::load::yaml::Value::Str(by.to_string()), "--by {by} wrote:\n{front}");
        assert_clean(&p);
    }
    let run = sign(&p, "stage", "yes", "2026-09-10");
    assert_eq!(run.code, 0);
    assert!(p.read(STAGE).contains("\nvalidated_by: \"yes\"\n"));
    assert_eq!(p.build(AS_OF).code, 0);
    let report = p.read("public/workloads/alpha/index.html");
    let article = &report[report.find("id=\"item-stage\"").unwrap()..];
    assert!(article.contains("2026-09-10 by yes</dd>"), "the report names the person as given");
}
