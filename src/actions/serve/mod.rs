//! `cutover serve`: the site as it would be built, on 127.0.0.1, rebuilt on
//! every change under `content/`, `templates/` or `static/`, with open pages
//! reloading themselves and an overlay listing the diagnostics while there
//! are errors.
//!
//! Nothing is written to disk. The reload script is a file served at
//! `/__cutover/live.js` and linked from each HTML page only here, so that
//! the site's Content-Security-Policy (`script-src 'self'`) holds unchanged:
//! there is no inline script. Pages learn of a new build by long polling
//! `/__cutover/poll`, which answers as soon as the version moves.
//!
//! A fixed number of threads answer requests (`http`); a long poll holds
//! no thread while it waits, only its connection, and is answered by the
//! thread that watches for new builds. notify does the file watching or,
//! where the system will not watch, `watch` reads the folders every so
//! often instead.

mod http;
mod scan;
mod state;
mod watch;

use crate::core::url;
use crate::{Fatal, RunOptions};
use http::{Body, Request, Response};
use state::{Builder, Page, Snapshot};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

const LIVE_JS: &str = include_str!("live.js");
const LIVE_CSS: &str = include_str!("live.css");
/// How long a poll waits for a change before answering "no change".
const POLL_WAIT: Duration = Duration::from_secs(25);
/// Polls waiting at most; more are answered 503 (the page asks again a second later).
const MAX_WAITING_POLLS: usize = 256;

/// What `cutover serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site root to build and watch.
    pub root: PathBuf,
    /// The port to listen on; 0 picks a free one.
    pub port: u16,
    /// The address to listen on (loopback unless asked otherwise).
    pub bind: IpAddr,
    /// The options each rebuild runs with.
    pub run: RunOptions,
}

/// A poll waiting for a build newer than `since`.
struct Waiting {
    since: u64,
    until: Instant,
    request: Request,
}

/// The state the request threads, the poll thread and the rebuild loop share.
struct Shared {
    current: Mutex<Arc<Snapshot>>,
    waiting: Mutex<Vec<Waiting>>,
    /// Signalled (with `waiting` locked) on a new build, a new poll, and stop.
    wake: Condvar,
    stop: AtomicBool,
    /// Whether only loopback host names are accepted (a guard against DNS rebinding).
    loopback: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&lock(&self.current))
    }

    fn publish(&self, snap: Snapshot) {
        *lock(&self.current) = Arc::new(snap);
        let _waiting = lock(&self.waiting);
        self.wake.notify_all();
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        let _waiting = lock(&self.waiting);
        self.wake.notify_all();
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Holds a poll until a build newer than `since` (or [`POLL_WAIT`]);
    /// gives the request back when too many wait already.
    fn hold(&self, since: u64, request: Request) -> Result<(), Request> {
        let mut waiting = lock(&self.waiting);
        if waiting.len() >= MAX_WAITING_POLLS {
            return Err(request);
        }
        waiting.push(Waiting { since, until: Instant::now() + POLL_WAIT, request });
        self.wake.notify_all();
        Ok(())
    }

    /// Until Ctrl-C.
    fn wait_for_stop(&self) {
        let mut waiting = lock(&self.waiting);
        while !self.stopped() {
            waiting = self.wake.wait(waiting).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

/// Answers each held poll once there is a newer build or its time is up.
/// The version is read with `waiting` locked, and a build signals with it
/// locked, so no build goes unseen between a look and the wait.
fn answer_polls(shared: &Shared) {
    let mut waiting = lock(&shared.waiting);
    loop {
        let snap = shared.snapshot();
        let (now, stop) = (Instant::now(), shared.stopped());
        let (due, keep): (Vec<Waiting>, Vec<Waiting>) =
            waiting.drain(..).partition(|w| stop || w.since != snap.version || w.until <= now);
        *waiting = keep;
        if !due.is_empty() {
            drop(waiting);
            for w in due {
                let _ = w.request.respond(poll_answer(&snap));
            }
            waiting = lock(&shared.waiting);
            continue;
        }
        if stop {
            return;
        }
        waiting = match shared.wake.wait_timeout(waiting, Duration::from_millis(500)) {
            Ok((g, _)) => g,
            Err(e) => e.into_inner().0,
        };
    }
}

fn poll_answer(snap: &Snapshot) -> Response {
    let body = serde_json::json!({"version": snap.version, "errors": snap.errors()}).to_string();
    Response::new(200, "application/json", Body::Owned(body.into_bytes()))
}

/// Serves until Ctrl-C. Fails (exit 2) if the root is unusable or the port is taken.
pub fn serve(opts: &ServeOptions) -> Result<(), Fatal> {
    let root = std::fs::canonicalize(&opts.root)
        .map_err(|e| Fatal::failed(format!("use {} as the site root", opts.root.display()), e))?;
    // Watching starts before the first build, so that no change is missed in between.
    let mut watch = watch::Watch::new(&root);
    let mut builder = Builder::new(&root, &opts.run);
    let first = builder.build(1, &[]);
    if let Err(why) = &first.outcome {
        return Err(Fatal::Refused(why.clone()));
    }
    let addr = SocketAddr::new(opts.bind, opts.port);
    let listener = TcpListener::bind(addr).map_err(|source| Fatal::Listen { addr, source })?;
    let port = listener.local_addr().map_or(opts.port, |a| a.port());
    let shared = Arc::new(Shared {
        current: Mutex::new(Arc::new(first)),
        waiting: Mutex::new(Vec::new()),
        wake: Condvar::new(),
        stop: AtomicBool::new(false),
        loopback: opts.bind.is_loopback(),
    });
    {
        let shared = Arc::clone(&shared);
        ctrlc::set_handler(move || shared.stop()).map_err(|e| Fatal::failed("handle Ctrl-C", e))?;
    }
    let rebuilds = {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || rebuild_loop(&mut watch, &shared, &mut builder))
    };
    {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || answer_polls(&shared));
    }
    let handler = {
        let shared = Arc::clone(&shared);
        Arc::new(move |request: Request| respond(request, &shared))
    };
    http::run(listener, handler).map_err(|e| Fatal::failed("start serving", e))?;
    let host = if opts.bind.is_ipv6() { format!("[{}]", opts.bind) } else { opts.bind.to_string() };
    if !opts.bind.is_loopback() {
        eprintln!("warning: listening on {host}: anyone who can reach this machine can read the evidence");
    }
    report(&shared.snapshot());
    eprintln!("serving {} at http://{host}:{port}/ (Ctrl-C stops)", root.display());
    shared.wait_for_stop();
    let _ = rebuilds.join();
    eprintln!("stopped");
    Ok(())
}

fn rebuild_loop(watch: &mut watch::Watch, shared: &Shared, builder: &mut Builder) {
    while !shared.stop.load(Ordering::Relaxed) {
        let Some(changed) = watch.next(Duration::from_millis(200)) else {
            continue;
        };
        let started = Instant::now();
        let version = shared.snapshot().version + 1;
        let snap = builder.build(version, &changed);
        let took = started.elapsed();
        let what = match changed.as_slice() {
            [one] if !one.is_empty() => one.clone(),
            all if all.iter().any(String::is_empty) => "the site's folders (all read again)".to_string(),
            many => format!("{} files", many.len()),
        };
        eprintln!("rebuilt after a change to {what} in {} ms", took.as_millis());
        report(&snap);
        shared.publish(snap);
    }
}

/// Prints a build's errors (or that it has none) to the terminal too.
fn report(snap: &Snapshot) {
    let (errors, text) = snap.problems();
    if errors > 0 {
        eprint!("{text}");
    }
}

fn respond(request: Request, shared: &Shared) {
    if shared.loopback && !host_is_local(request.host()) {
        let _ = request.respond(Response::text(421, "cutover serve answers requests for localhost only\n"));
        return;
    }
    let target = request.target().to_string();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let response = match path {
        "/__cutover/live.js" => Response::new(200, "text/javascript; charset=utf-8", Body::Static(LIVE_JS.as_bytes())),
        "/__cutover/live.css" => Response::new(200, "text/css; charset=utf-8", Body::Static(LIVE_CSS.as_bytes())),
        "/__cutover/poll" => {
            match query.split('&').find_map(|kv| kv.strip_prefix("since=")).and_then(|v| v.parse().ok()) {
                Some(since) => {
                    if let Err(request) = shared.hold(since, request) {
                        let _ = request.respond(Response::text(503, "too many pages are waiting; try again\n"));
                    }
                    return;
                }
                None => poll_answer(&shared.snapshot()),
            }
        }
        _ => site_file(&shared.snapshot(), path),
    };
    let _ = request.respond(response);
}

fn host_is_local(host: Option<&str>) -> bool {
    let Some(host) = host else {
        return true;
    };
    let name = if host.starts_with('[') {
        host.split(']').next().map(|s| &s[1..]).unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    matches!(name, "localhost" | "127.0.0.1" | "::1") || name.ends_with(".localhost")
}

/// A file of the site: `/` is `index.html`, a folder is its `index.html`.
fn site_file(snap: &Snapshot, url_path: &str) -> Response {
    let Some(mut path) = decode(url_path) else {
        return Response::text(400, "bad path\n");
    };
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    match snap.page(&path) {
        Page::Found(bytes) => Response::new(200, content_type(&path), Body::Shared(bytes)),
        Page::Failed(bytes) => Response::new(500, "text/html; charset=utf-8", Body::Shared(bytes)),
        Page::Missing if !path.ends_with(".html") && snap.has(&format!("{path}/index.html")) => {
            // Made from the site path, never from what was sent: `//host` stays a path here.
            Response::redirect(&format!("/{}/", encode(&path)))
        }
        Page::Missing => Response::new(404, "text/html; charset=utf-8", Body::Shared(snap.not_found())),
    }
}

/// A site path as it goes in a URL (see [`url::encode_path`]).
fn encode(path: &str) -> String {
    url::encode_path(path)
}

/// The site path of a URL path: percent-decoded, without leading `/`s
/// (however many, encoded or not); `None` for a malformed escape, or anything
/// that could climb out (`..`), holds a `\` or is not UTF-8.
fn decode(url_path: &str) -> Option<String> {
    let s = url::decode_request_path(url_path)?;
    if s.split('/').any(|seg| seg == ".." || seg == ".") || s.contains('\\') || s.contains('\0') {
        return None;
    }
    Some(s.trim_start_matches('/').to_string())
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "txt" | "md" | "csv" | "log" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_and_never_climb() {
        assert_eq!(decode("/workloads/a%20b/index.html").as_deref(), Some("workloads/a b/index.html"));
        assert_eq!(decode("/").as_deref(), Some(""));
        assert_eq!(decode("/../etc/passwd"), None);
        assert_eq!(decode("/a/%2e%2e/b"), None);
        assert_eq!(decode("/bad%zz"), None);
        assert_eq!(decode("/a%+1"), None);
        assert_eq!(decode("/cut%"), Some("cut%".into()));
        assert_eq!(decode("/a\\b"), None);
        assert_eq!(decode("/a%5cb"), None);
    }

    #[test]
    fn leading_slashes_collapse_however_they_are_written() {
        for url in ["/checklist", "//checklist", "///checklist", "/%2fchecklist", "/%2F%2Fchecklist", "//%2fchecklist"]
        {
            assert_eq!(decode(url).as_deref(), Some("checklist"), "{url}");
        }
        assert_eq!(decode("/a//b").as_deref(), Some("a//b"), "only leading ones");
    }

    #[test]
    fn site_paths_encode_for_a_location() {
        assert_eq!(encode("workloads/a b/é"), "workloads/a%20b/%C3%A9");
        assert_eq!(encode("x\r\nSet-Cookie: y"), "x%0D%0ASet-Cookie%3A%20y");
    }

    #[test]
    fn only_local_host_names_pass() {
        for host in ["localhost", "localhost:8000", "127.0.0.1:1", "[::1]:80", "app.localhost"] {
            assert!(host_is_local(Some(host)), "{host}");
        }
        assert!(host_is_local(None), "HTTP/1.0 without Host");
        for host in ["attacker.example", "localhost.attacker.example", "[::2]:80", "127.0.0.2"] {
            assert!(!host_is_local(Some(host)), "{host}");
        }
    }
}
