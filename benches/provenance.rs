//! Criterion benchmark of sign-off provenance (`git::Repo::origins`) on a
//! generated repository: `cargo bench --bench provenance`.
//!
//! The repository has 1,000 workloads of 15 evidence files each
//! (`CUTOVER_BENCH_WORKLOADS` changes it) and about 460 commits: 100 that add
//! the workloads, then 300 that re-sign or edit a few files each, one in ten
//! with a side branch merged with `--no-ff`. It is written by
//! `git fast-import` (so `git` must be installed; the library itself never
//! runs it) into a temporary folder that is removed at the end.
//! `CUTOVER_BENCH_REPACK=1` repacks it as a server would send it.

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const ITEMS: usize = 15;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A generated repository in a temporary folder, removed when dropped.
struct Repository(PathBuf);

impl Drop for Repository {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn evidence_path(workload: usize, item: usize) -> String {
    format!("content/workloads/w{workload:04}/item-{item:02}.md")
}

/// An evidence file; `version` changes the sign-off, `edit` only the body.
fn evidence(workload: usize, item: usize, version: usize, edit: usize) -> String {
    let person = (workload * 7 + item + version) % 40;
    let day = 1 + (version % 28);
    let mut text = format!(
        "---\nstatus: validated\nvalidated_by: person{person}@contoso.example\nvalidated_on: 2026-03-{day:02}\n---\n"
    );
    for line in 0..6 {
        let _ = writeln!(
            text,
            "Evidence line {line} for workload {workload}, item {item}, edit {edit}: checked and recorded."
        );
    }
    text
}

/// The benchmark's sign-off parser: `validated_by` and `validated_on` from the front matter.
fn extract(_path: &str, bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let front = text.strip_prefix("---\n").and_then(|rest| rest.split("\n---").next()).unwrap_or("");
    let field = |name: &str| front.lines().find_map(|l| l.strip_prefix(name)).map(str::trim);
    match (field("validated_by:"), field("validated_on:")) {
        (Some(by), Some(on)) => vec![format!("validated:{by}:{on}")],
        _ => Vec::new(),
    }
}

/// Writes the fast-import stream for `workloads` workloads.
fn stream(workloads: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut mark = 0usize;
    let mut time = 1_767_225_600i64;
    let mut versions = vec![(0usize, 0usize); workloads * ITEMS];
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    let mut commit =
        |out: &mut Vec<u8>, branch: &str, from: Option<usize>, merge: Option<usize>, files: &[(usize, String)]| {
            mark += 1;
            time += 3_600;
            let author = format!("person{}@contoso.example", mark % 40);
            let _ = writeln!(out, "commit refs/heads/{branch}\nmark :{mark}");
            let _ = writeln!(out, "author P <{author}> {time} +0000\ncommitter P <{author}> {time} +0000");
            let message = format!("change {mark}");
            let _ = write!(out, "data {}\n{message}\n", message.len());
            if let Some(from) = from {
                let _ = writeln!(out, "from :{from}");
            }
            if let Some(merge) = merge {
                let _ = writeln!(out, "merge :{merge}");
            }
            for (file, text) in files {
                let _ = write!(
                    out,
                    "M 100644 inline {}\ndata {}\n{text}\n",
                    evidence_path(file / ITEMS, file % ITEMS),
                    text.len()
                );
            }
            mark
        };
    let mut head = None;
    let batch = workloads.div_ceil(100).max(1);
    for first in (0..workloads).step_by(batch) {
        let files: Vec<_> = (first..(first + batch).min(workloads))
            .flat_map(|w| (0..ITEMS).map(move |i| (w * ITEMS + i, evidence(w, i, 0, 0))))
            .collect();
        head = Some(commit(&mut out, "main", head, None, &files));
    }
    let total = workloads * ITEMS;
    let change = |versions: &mut Vec<(usize, usize)>, count: usize, next: &mut dyn FnMut(usize) -> usize| {
        (0..count)
            .map(|_| {
                let file = next(total);
                let v = &mut versions[file];
                if next(2) == 0 {
                    v.0 += 1
                } else {
                    v.1 += 1
                }
                (file, evidence(file / ITEMS, file % ITEMS, v.0, v.1))
            })
            .collect::<Vec<_>>()
    };
    for round in 0..300 {
        if round % 10 == 5 {
            let side = change(&mut versions, 8, &mut next);
            let side_mark = commit(&mut out, "side", head, None, &side);
            let main = change(&mut versions, 8, &mut next);
            let main_mark = commit(&mut out, "main", head, None, &main);
            // fast-import does not merge: the merge commit names the side's files itself.
            let merged: Vec<_> = side.iter().filter(|(f, _)| !main.iter().any(|(g, _)| g == f)).cloned().collect();
            head = Some(commit(&mut out, "main", Some(main_mark), Some(side_mark), &merged));
        } else {
            let files = change(&mut versions, 1 + next(12), &mut next);
            head = Some(commit(&mut out, "main", head, None, &files));
        }
    }
    out
}

fn git(dir: &Path, args: &[&str], input: Option<&[u8]>) {
    let mut child = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::null())
        .spawn()
        .expect("run git");
    if let Some(input) = input {
        child.stdin.take().expect("stdin").write_all(input).expect("feed git");
    }
    assert!(child.wait().expect("wait for git").success(), "git {args:?} failed");
}

fn provenance(c: &mut Criterion) {
    let workloads: usize = env_or("CUTOVER_BENCH_WORKLOADS", 1000);
    let dir = Repository(std::env::temp_dir().join(format!("cutover-provenance-{}-{workloads}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    std::fs::create_dir_all(&dir.0).expect("create the repository folder");
    git(&dir.0, &["init", "-q", "-b", "main"], None);
    git(&dir.0, &["fast-import", "--quiet"], Some(&stream(workloads)));
    if env_or("CUTOVER_BENCH_REPACK", 0) == 1 {
        git(&dir.0, &["repack", "-adq"], None);
    }
    let files: Vec<String> = (0..workloads).flat_map(|w| (0..ITEMS).map(move |i| evidence_path(w, i))).collect();
    let repo = cutover::load::git::discover(&dir.0).expect("read the repository").expect("a repository");
    let found = repo.origins(&files, extract).expect("origins");
    assert_eq!(found.len(), files.len(), "every file is in HEAD");

    let mut g = c.benchmark_group(format!("provenance/{workloads}"));
    g.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    g.bench_function("origins", |b| b.iter(|| black_box(repo.origins(&files, extract).expect("origins"))));
    g.finish();
}

criterion_group!(benches, provenance);
criterion_main!(benches);
