//! `cutover serve`, through the binary: it serves the site on a free port,
//! rebuilds when a file changes and tells open pages to reload, shows the
//! diagnostics as an overlay while there are errors, and stops on Ctrl-C.

use crate::common;

use common::Portfolio;
use std::cell::RefCell;
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
    /// Every line of stderr read so far.
    said: RefCell<Vec<String>>,
}

impl Server {
    fn start(p: &Portfolio) -> Server {
        Server::start_with(p, &[])
    }

    fn start_with(p: &Portfolio, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
            .args(["serve", p.root().to_str().unwrap(), "--port", "0", "--as-of", common::AS_OF])
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
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
        let mut server = Server { child: Some(child), port: 0, log, said: RefCell::new(Vec::new()) };
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
            self.said.borrow_mut().push(line.clone());
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

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// Every line of stderr so far, after waiting `quiet` for more.
    fn said(&self, quiet: Duration) -> Vec<String> {
        while let Ok(line) = self.log.recv_timeout(quiet) {
            self.said.borrow_mut().push(line);
        }
        self.said.borrow().clone()
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
    let (status, _, body) = request(port, path, host);
    (status, body)
}

/// A plain HTTP/1.0 GET of a request target sent as written: status, headers
/// (names in lower case) and body.
fn request(port: u16, target: &str, host: &str) -> (u16, Vec<(String, String)>, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "GET {target} HTTP/1.0\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
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

/// Waits until the page at `path` contains `text`, following the builds the
/// way an open page does (each poll returns at the next build, or after 25 s).
fn wait_for_page(port: u16, path: &str, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, page) = get(port, path, "localhost");
        if status == 200 && page.contains(text) {
            return page;
        }
        assert!(Instant::now() < deadline, "{path} never showed `{text}`; it is now:\n{page}");
        poll(port, version_of(&page)).join().unwrap();
    }
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A redirect's Location is a path on this server: never `//host/...` (or
/// `/\host`), which a browser reads as another host.
#[test]
fn redirects_never_leave_this_server() {
    let p = Portfolio::base("serve-redirect");
    let server = Server::start(&p);
    let targets = [
        "/checklist",
        "//checklist",
        "///checklist",
        "//checklist?x=1",
        "/%2fchecklist",
        "/%2F%2Fchecklist",
        "//%2fchecklist",
        "/\\checklist",
        "/%5cchecklist",
        "//attacker.example/checklist",
        "//attacker.example",
        "/\\attacker.example/checklist",
        "//127.0.0.1/workloads/alpha",
    ];
    for target in targets {
        let (status, headers, _) = request(server.port, target, "localhost");
        assert!(status != 0 && status != 500, "{target}: {status}");
        if (300..400).contains(&status) {
            let to = header(&headers, "location").unwrap_or_else(|| panic!("{target}: {status} without a Location"));
            assert!(
                to.starts_with('/') && !to.starts_with("//") && !to.starts_with("/\\"),
                "{target} redirects off this server: Location: {to}"
            );
        }
    }
    for target in ["/checklist", "//checklist", "///checklist", "/%2f%2fchecklist"] {
        let (status, headers, _) = request(server.port, target, "localhost");
        assert_eq!((status, header(&headers, "location")), (301, Some("/checklist/")), "{target}");
    }
    let (status, headers, _) = request(server.port, "/workloads/alpha", "localhost");
    assert_eq!((status, header(&headers, "location")), (301, Some("/workloads/alpha/")));
}

/// `content/` replaced by another folder (a `git checkout`, `rsync
/// --delay-updates`, a restore) is watched again: changes inside the new one
/// still rebuild. Once renamed away, once removed before the new one moves in.
#[test]
fn content_replaced_by_a_new_folder_is_watched_again() {
    let p = Portfolio::base("serve-replace");
    let server = Server::start(&p);
    let page = "/workloads/alpha/index.html";
    let yaml = "content/workloads/alpha/workload.yaml";
    for round in 0..2 {
        let fresh = p.path("content.new");
        common::copy_tree(&p.path("content"), &fresh);
        let text = std::fs::read_to_string(fresh.join("workloads/alpha/workload.yaml")).unwrap();
        let text = text.replacen("name: ", &format!("name: Replaced {round} "), 1);
        std::fs::write(fresh.join("workloads/alpha/workload.yaml"), text).unwrap();
        if round == 0 {
            std::fs::rename(p.path("content"), p.path("content.old")).unwrap();
        } else {
            std::fs::remove_dir_all(p.path("content")).unwrap();
        }
        std::fs::rename(&fresh, p.path("content")).unwrap();
        wait_for_page(server.port, page, &format!("Replaced {round} "));

        p.edit(yaml, "name: ", &format!("name: Edited {round} "));
        wait_for_page(server.port, page, &format!("Edited {round} "));
    }
}

/// When the folders cannot be watched (here the system's watch limit, as the
/// debug-only `CUTOVER_DEBUG_WATCH_FAIL` makes it happen), serve looks for
/// changes by reading the folders every so often instead, and says so once.
#[test]
fn failed_watching_falls_back_to_polling_and_says_so_once() {
    let p = Portfolio::base("serve-poll");
    let server = Server::start_with(&p, &[("CUTOVER_DEBUG_WATCH_FAIL", "0")]);
    let page = "/workloads/alpha/index.html";
    let yaml = "content/workloads/alpha/workload.yaml";
    p.edit(yaml, "name: ", "name: First change ");
    wait_for_page(server.port, page, "First change ");
    p.edit(yaml, "name: ", "name: Second change ");
    wait_for_page(server.port, page, "Second change ");
    let said = server.said(Duration::from_millis(300));
    let notices: Vec<&String> = said.iter().filter(|l| l.contains("looking for changes every")).collect();
    assert_eq!(notices.len(), 1, "said once: {said:#?}");
    assert!(notices[0].contains("limit"), "says why: {}", notices[0]);
}

/// Watching that fails later (here when `templates/` appears and the limit
/// is reached) falls back the same way; the change that met the limit is
/// not lost.
#[test]
fn watching_that_fails_later_falls_back_too() {
    let p = Portfolio::base("serve-poll-later");
    // The root and content/ are watched; the next watch fails.
    let server = Server::start_with(&p, &[("CUTOVER_DEBUG_WATCH_FAIL", "2")]);
    let page = "/workloads/alpha/index.html";
    p.edit("content/workloads/alpha/workload.yaml", "name: ", "name: Watched ");
    wait_for_page(server.port, page, "Watched ");
    let base = std::fs::read_to_string(common::repo().join("templates/base.html")).unwrap();
    p.write("templates/base.html", &base.replacen("</footer>", "<p>Own footer</p></footer>", 1));
    wait_for_page(server.port, page, "Own footer");
    p.edit("content/workloads/alpha/workload.yaml", "name: ", "name: Polled ");
    wait_for_page(server.port, page, "Polled ");
    let said = server.said(Duration::from_millis(300));
    let notices = said.iter().filter(|l| l.contains("looking for changes every")).count();
    assert_eq!(notices, 1, "said once: {said:#?}");
}

fn threads_of(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("Threads:")).unwrap();
    line["Threads:".len()..].trim().parse().unwrap()
}

/// Connections are answered by a fixed number of threads: a hundred that
/// never finish their request add none, and do not keep others waiting.
#[test]
#[cfg(target_os = "linux")]
fn connection_threads_are_bounded() {
    let p = Portfolio::base("serve-threads");
    let server = Server::start(&p);
    assert_eq!(server.get("/").0, 200);
    let before = threads_of(server.pid());
    let idle: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let during = threads_of(server.pid());
    // Answered while they hang (they are dropped after 30 s of silence):
    // the generous limit is about not waiting for them, not about speed.
    let asked = Instant::now();
    assert_eq!(server.get("/workloads/alpha/index.html").0, 200);
    assert!(asked.elapsed() < Duration::from_secs(10), "waited for idle connections");
    assert!(during <= before + 1, "{before} threads before 100 idle connections, {during} with them");
    drop(idle);

    let barrier = std::sync::Arc::new(std::sync::Barrier::new(64));
    let clients: Vec<_> = (0..64)
        .map(|i| {
            let (port, barrier) = (server.port, std::sync::Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                get(port, if i % 2 == 0 { "/" } else { "/workloads/alpha/index.html" }, "localhost")
            })
        })
        .collect();
    let answers: Vec<(u16, String)> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    for (i, (status, body)) in answers.iter().enumerate() {
        assert_eq!(*status, 200);
        assert_eq!(body, &answers[i % 2].1, "the same page for every request");
    }
    assert!(threads_of(server.pid()) <= before + 1);
}
