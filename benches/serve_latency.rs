//! How long `cutover serve` takes to show a one-file change, end to end:
//! from writing an evidence file to having the page, re-rendered with the
//! change, in hand, the way an open browser gets it (its poll returns, it
//! reloads). The issue's budget is 300 ms on a 1,000-workload portfolio.
//!
//! ```text
//! cargo bench --bench serve_latency
//! CUTOVER_BENCH_PORTFOLIO=/tmp/p1k cargo bench --bench serve_latency
//! ```
//!
//! Without `CUTOVER_BENCH_PORTFOLIO` (a site root, e.g. from
//! `cargo run --release --example gen_portfolio -- --workloads 1000 --seed 1 --out /tmp/p1k`),
//! it makes one: `CUTOVER_BENCH_WORKLOADS` (default 1,000) copies of the test
//! fixture's workload. It prints each round and the median and worst.
//!
//! Then `CUTOVER_BENCH_CONCURRENT` (default 200) requests for the dashboard
//! arrive at once, and it prints how long they took and, on Linux, serve's
//! peak memory (VmHWM) and threads before and after: a page is made once and
//! shared by every request for it, and a fixed number of threads answer.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const ROUNDS: usize = 15;

fn get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn version_of(page: &str) -> u64 {
    let at = page.find("live.js?v=").expect("a served page") + "live.js?v=".len();
    page[at..].split('"').next().unwrap().parse().unwrap()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A portfolio of `n` copies of the fixture's ready workload.
fn make_portfolio(n: usize) -> PathBuf {
    let root = std::env::temp_dir().join(format!("cutover-serve-bench-{}", std::process::id()));
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/base/content");
    std::fs::create_dir_all(root.join("content/workloads")).unwrap();
    std::fs::copy(fixture.join("site.yaml"), root.join("content/site.yaml")).unwrap();
    for i in 0..n {
        copy_tree(&fixture.join("workloads/alpha"), &root.join(format!("content/workloads/w-{i:04}")));
    }
    root
}

/// A line of `/proc/<pid>/status` (Linux), e.g. `VmHWM:  123 kB`: its number.
fn proc_status(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].trim_start_matches(':').split_whitespace().next()?.parse().ok()
}

/// `n` requests for the dashboard at once (it was rendered just before):
/// how long they took, and serve's peak memory and threads around them.
fn concurrent_dashboards(port: u16, pid: u32, n: usize) -> String {
    let (peak_before, threads_before) = (proc_status(pid, "VmHWM"), proc_status(pid, "Threads"));
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(n));
    let started = Instant::now();
    let clients: Vec<_> = (0..n)
        .map(|_| {
            let barrier = std::sync::Arc::clone(&barrier);
            std::thread::spawn(move || -> std::io::Result<(bool, u64)> {
                barrier.wait();
                let mut s = TcpStream::connect(("127.0.0.1", port))?;
                s.set_read_timeout(Some(Duration::from_secs(120)))?;
                write!(s, "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
                let mut status = [0u8; 12];
                s.read_exact(&mut status)?;
                let rest = std::io::copy(&mut s, &mut std::io::sink())?;
                Ok((status.ends_with(b" 200"), rest))
            })
        })
        .collect();
    let answers: Vec<(bool, u64)> = clients.into_iter().filter_map(|c| c.join().ok()?.ok()).collect();
    let took = started.elapsed();
    let ok = answers.iter().filter(|(ok, _)| *ok).count();
    let bytes = answers.first().map_or(0, |(_, b)| *b);
    let mb = |kb: Option<u64>| kb.map_or("?".to_string(), |kb| format!("{:.0} MB", kb as f64 / 1024.0));
    format!(
        "{n} dashboard requests at once ({:.1} MB each): {ok} answered 200 in {:.2} s; serve's peak RSS {} before, \
         {} after; threads {} before, {} after",
        bytes as f64 / 1e6,
        took.as_secs_f64(),
        mb(peak_before),
        mb(proc_status(pid, "VmHWM")),
        threads_before.map_or("?".into(), |t| t.to_string()),
        proc_status(pid, "Threads").map_or("?".into(), |t| t.to_string()),
    )
}

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let given = std::env::var_os("CUTOVER_BENCH_PORTFOLIO").map(PathBuf::from);
    let n = std::env::var("CUTOVER_BENCH_WORKLOADS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let root = given.clone().unwrap_or_else(|| make_portfolio(n));
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(root.join("content/workloads")).unwrap().flatten().map(|e| e.path()).collect();
    dirs.sort();
    let dir = dirs[dirs.len() / 2].clone();
    let id = dir.file_name().unwrap().to_string_lossy().into_owned();
    let file = dir.join("assess.md");
    let original = std::fs::read_to_string(&file).unwrap();

    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["serve", root.to_str().unwrap(), "--port", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let serve = Serve(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let port: u16 = loop {
        let line = rx.recv_timeout(Duration::from_secs(120)).expect("serve starts");
        if let Some(url) = line.split("http://127.0.0.1:").nth(1) {
            break url.trim_end_matches(|c: char| !c.is_ascii_digit()).split('/').next().unwrap().parse().unwrap();
        }
    };
    println!("{} workloads; serve ready in {} ms", dirs.len(), started.elapsed().as_millis());
    let page_path = format!("/workloads/{id}/index.html");
    get(port, "/");
    let mut version = version_of(&get(port, &page_path));

    let mut page_ms = Vec::new();
    let mut index_ms = Vec::new();
    for round in 0..ROUNDS {
        let marker = format!("bench-marker-{round}-{}", std::process::id());
        let t0 = Instant::now();
        let poll = std::thread::spawn(move || get(port, &format!("/__cutover/poll?since={version}")));
        std::fs::write(&file, format!("{original}\n{marker}\n")).unwrap();
        poll.join().unwrap();
        let page = get(port, &page_path);
        let t_page = t0.elapsed();
        assert!(page.contains(&marker), "round {round}: the page does not show the change");
        version = version_of(&page);
        let t1 = Instant::now();
        get(port, "/");
        let t_index = t1.elapsed();
        let rebuilt = rx.try_iter().filter(|l| l.starts_with("rebuilt")).last().unwrap_or_default();
        println!(
            "round {round:>2}: change to page {:>6.1} ms; dashboard after it {:>6.1} ms  ({rebuilt})",
            t_page.as_secs_f64() * 1e3,
            t_index.as_secs_f64() * 1e3
        );
        page_ms.push(t_page.as_secs_f64() * 1e3);
        index_ms.push(t_index.as_secs_f64() * 1e3);
        std::thread::sleep(Duration::from_millis(50));
    }
    let n = std::env::var("CUTOVER_BENCH_CONCURRENT").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    println!("{}", concurrent_dashboards(port, serve.0.id(), n));
    std::fs::write(&file, original).unwrap();
    drop(serve);
    if given.is_none() {
        let _ = std::fs::remove_dir_all(&root);
    }
    for (what, v) in [("change to page", &mut page_ms), ("dashboard render", &mut index_ms)] {
        v.sort_by(f64::total_cmp);
        println!("{what}: median {:.1} ms, worst {:.1} ms over {ROUNDS} rounds", v[v.len() / 2], v[v.len() - 1]);
    }
}
