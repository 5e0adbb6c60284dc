//! `cutover serve`, through the binary: it serves the site on a free port,
//! rebuilds when a file changes and tells open pages to reload, shows the
//! diagnostics as an overlay while there are errors, and stops on Ctrl-C.

#![cfg(unix)]

mod common;

use common::Portfolio;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `cutover serve`, killed if a test fails half-way.
struct Server {
    child: Option<Child>,
    port: u16,
    log: mpsc::Receiver<String>,
}

impl Server {
    fn start(p: &Portfolio) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
            .args(["serve", p.root().to_str().unwrap(), "--port", "0", "--as-of", common::AS_OF])
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cutover serve starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, log) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut server = Server { child: Some(child), port: 0, log };
        let line = server.wait_for("serving ");
        let port = line.rsplit(':').next().and_then(|s| s.split('/').next()).and_then(|s| s.parse().ok());
        server.port = port.unwrap_or_else(|| panic!("no port in `{line}`"));
        assert!(line.contains("http://127.0.0.1:"), "binds 127.0.0.1 by default: {line}");
        server
    }

    /// The first line of stderr that contains `text` (waiting up to 10 s).
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = Vec::new();
        while let Ok(line) = self.log.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            if line.contains(text) {
                return line;
            }
            seen.push(line);
        }
        panic!("no `{text}` from cutover serve; it said:\n{}", seen.join("\n"))
    }

    fn get(&self, path: &str) -> (u16, String) {
        get(self.port, path, "127.0.0.1")
    }

    /// Ctrl-C, then the exit status and what it printed last.
    fn interrupt(mut self) -> i32 {
        let mut child = self.child.take().unwrap();
        let ok = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "cutover serve did not stop on Ctrl-C");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A plain HTTP/1.0 GET: status and body.
fn get(port: u16, path: &str, host: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, body.to_string())
}

/// Waits (in another thread) for the next build after `since`; returns the version seen.
fn poll(port: u16, since: u64) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let (status, body) = get(port, &format!("/__cutover/poll?since={since}"), "localhost");
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["version"].as_u64().unwrap()
    })
}

fn version_of(page: &str) -> u64 {
    let at = page.find("/__cutover/live.js?v=").expect("serve links its reload script");
    page[at + "/__cutover/live.js?v=".len()..].split('"').next().unwrap().parse().unwrap()
}

#[test]
fn serves_rebuilds_reloads_and_stops() {
    let p = Portfolio::base("serve");
    let server = Server::start(&p);
    let (status, index) = server.get("/");
    assert_eq!(status, 200);
    assert!(index.contains("script-src 'self'"), "the page keeps its Content-Security-Policy");
    assert!(index.contains("<script src=\"/__cutover/live.js?v="), "{index}");
    assert!(!index.contains("<script>"), "no inline script");
    assert!(!index.contains("cutover-overlay"), "no overlay without errors");
    let (status, js) = server.get("/__cutover/live.js");
    assert_eq!(status, 200);
    assert!(js.contains("/__cutover/poll"));
    assert_eq!(server.get("/no/such/page.html").0, 404);
    assert_eq!(server.get("/../../etc/passwd").0, 400);

    let (status, page) = server.get("/workloads/alpha/index.html");
    assert_eq!(status, 200);
    assert!(!page.contains("Renamed by the test"));
    let before = version_of(&page);
    let waiting = poll(server.port, before);
    std::thread::sleep(Duration::from_millis(100));
    p.edit("content/workloads/alpha/workload.yaml", "name:", "name: Renamed by the test #");
    let after = waiting.join().unwrap();
    assert!(after > before, "the poll answers with a new version ({before} -> {after})");
    let (status, page) = server.get("/workloads/alpha/index.html");
    assert_eq!(status, 200);
    assert!(page.contains("Renamed by the test"), "the page shows the change");
    assert_eq!(version_of(&page), after);

    assert_eq!(server.interrupt(), 0, "Ctrl-C stops it cleanly");
}

#[test]
fn errors_show_as_an_overlay_until_fixed() {
    let p = Portfolio::base("serve-overlay");
    p.edit("content/workloads/alpha/stage.md", "validated_by:", "validatd_by:");
    let server = Server::start(&p);
    let (status, index) = server.get("/");
    assert_eq!(status, 200, "the site is still served");
    assert!(index.contains("id=\"cutover-overlay\""), "{index}");
    assert!(index.contains("unknown field `validatd_by`"), "{index}");
    assert!(index.contains("content/workloads/alpha/stage.md:"), "the overlay names the file");
    assert!(index.contains("/__cutover/live.css"), "its style is a file too (style-src 'self')");
    let waiting = poll(server.port, version_of(&index));
    std::thread::sleep(Duration::from_millis(100));
    p.edit("content/workloads/alpha/stage.md", "validatd_by:", "validated_by:");
    waiting.join().unwrap();
    let (_, index) = server.get("/");
    assert!(!index.contains("cutover-overlay"), "fixed: the overlay is gone");
}

#[test]
fn only_local_host_names_are_answered() {
    let p = Portfolio::base("serve-host");
    let server = Server::start(&p);
    assert_eq!(get(server.port, "/", "localhost").0, 200);
    assert_eq!(get(server.port, "/", "attacker.example").0, 421, "a DNS-rebinding page gets nothing");
}

/// `serve` validates again only the workload that changed; the result must be
/// what validating everything gives.
#[test]
fn validating_again_from_the_cache_equals_validating_afresh() {
    let p = Portfolio::sample("serve-cache");
    let mut sources = cutover::load::load(p.root()).unwrap();
    let mut cache = cutover::validate::Cache::remembering();
    let (_, first) = cutover::validate::validate_cached(&sources, &mut cache);
    assert_eq!(cache.len(), sources.workloads.len());
    let id = sources.workloads[0].id.clone();
    let stage = format!("content/workloads/{id}/stage.md");
    p.write(&stage, "---\nstatus: executed\n---\nno date\n");
    let (fresh, diags) = cutover::load::load_workload_dir(p.root(), &id);
    assert!(diags.is_empty(), "{diags:?}");
    sources.workloads[0] = fresh;
    cache.forget(&id);
    let (portfolio, cached) = cutover::validate::validate_cached(&sources, &mut cache);
    let (again, afresh) = cutover::validate::validate(&cutover::load::load(p.root()).unwrap());
    assert_eq!(cached, afresh);
    assert_ne!(cached, first, "the change was seen");
    assert!(cached.iter().any(|d| d.file == stage && d.code.as_str() == "E0208"), "{cached:?}");
    assert_eq!(portfolio.workloads.len(), again.workloads.len());
}
