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
//! tiny_http keeps this small and synchronous (one thread per request is
//! plenty for one person's browser); notify does the file watching.

mod state;
mod watch;

use crate::{Fatal, RunOptions};
use state::{Builder, Page, Snapshot};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

const LIVE_JS: &str = include_str!("live.js");
const LIVE_CSS: &str = include_str!("live.css");
/// How long a poll waits for a change before answering "no change".
const POLL_WAIT: Duration = Duration::from_secs(25);

/// What `cutover serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub port: u16,
    pub bind: IpAddr,
    pub run: RunOptions,
}

/// The state the request threads and the rebuild loop share.
struct Shared {
    current: Mutex<Arc<Snapshot>>,
    changed: Condvar,
    stop: AtomicBool,
    /// Whether only loopback host names are accepted (a guard against DNS rebinding).
    loopback: bool,
}

impl Shared {
    fn snapshot(&self) -> Arc<Snapshot> {
        self.current.lock().map(|s| Arc::clone(&s)).unwrap_or_else(|e| Arc::clone(&e.into_inner()))
    }

    fn publish(&self, snap: Snapshot) {
        if let Ok(mut s) = self.current.lock() {
            *s = Arc::new(snap);
        }
        self.changed.notify_all();
    }

    /// Waits until the version differs from `since`, the server stops, or the wait ends.
    fn wait_for_change(&self, since: u64) -> Arc<Snapshot> {
        let deadline = Instant::now() + POLL_WAIT;
        let mut guard = match self.current.lock() {
            Ok(g) => g,
            Err(e) => e.into_inner(),
        };
        while guard.version == since && !self.stop.load(Ordering::Relaxed) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            guard = match self.changed.wait_timeout(guard, left.min(Duration::from_millis(500))) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            };
        }
        Arc::clone(&guard)
    }
}

/// Serves until Ctrl-C. Fails (exit 2) if the root is unusable or the port is taken.
pub fn serve(opts: &ServeOptions) -> Result<(), Fatal> {
    let root = std::fs::canonicalize(&opts.root)
        .map_err(|e| Fatal(format!("cannot use {} as the site root: {e}", opts.root.display())))?;
    let mut builder = Builder::new(&root, &opts.run);
    let first = builder.build(1, &[]);
    if let Err(why) = &first.outcome {
        return Err(Fatal(why.clone()));
    }
    let addr = SocketAddr::new(opts.bind, opts.port);
    let server = tiny_http::Server::http(addr).map_err(|e| {
        Fatal(format!("cannot listen on {addr}: {e}; choose another port with --port (0 picks a free one)"))
    })?;
    let server = Arc::new(server);
    let port = server.server_addr().to_ip().map_or(opts.port, |a| a.port());
    let shared = Arc::new(Shared {
        current: Mutex::new(Arc::new(first)),
        changed: Condvar::new(),
        stop: AtomicBool::new(false),
        loopback: opts.bind.is_loopback(),
    });
    {
        let (server, shared) = (Arc::clone(&server), Arc::clone(&shared));
        ctrlc::set_handler(move || {
            shared.stop.store(true, Ordering::Relaxed);
            shared.changed.notify_all();
            server.unblock();
        })
        .map_err(|e| Fatal(format!("cannot handle Ctrl-C: {e}")))?;
    }
    let watcher = {
        let shared = Arc::clone(&shared);
        let mut watch = watch::Watch::new(&root).map_err(|e| Fatal(format!("cannot watch {}: {e}", root.display())))?;
        std::thread::spawn(move || rebuild_loop(&mut watch, &shared, &mut builder))
    };
    let host = if opts.bind.is_ipv6() { format!("[{}]", opts.bind) } else { opts.bind.to_string() };
    if !opts.bind.is_loopback() {
        eprintln!("warning: listening on {host}: anyone who can reach this machine can read the evidence");
    }
    report(&shared.snapshot());
    eprintln!("serving {} at http://{host}:{port}/ (Ctrl-C stops)", root.display());
    for request in server.incoming_requests() {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || respond(request, &shared));
    }
    shared.stop.store(true, Ordering::Relaxed);
    shared.changed.notify_all();
    let _ = watcher.join();
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

fn respond(request: tiny_http::Request, shared: &Shared) {
    if shared.loopback && !host_is_local(&request) {
        let _ =
            request.respond(text(421, "text/plain", b"cutover serve answers requests for localhost only\n".to_vec()));
        return;
    }
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let response = match path {
        "/__cutover/live.js" => text(200, "text/javascript; charset=utf-8", LIVE_JS.as_bytes().to_vec()),
        "/__cutover/live.css" => text(200, "text/css; charset=utf-8", LIVE_CSS.as_bytes().to_vec()),
        "/__cutover/poll" => {
            let since = query.split('&').find_map(|kv| kv.strip_prefix("since=")).and_then(|v| v.parse().ok());
            let snap = match since {
                Some(v) => shared.wait_for_change(v),
                None => shared.snapshot(),
            };
            let (errors, _) = snap.problems();
            let body = serde_json::json!({"version": snap.version, "errors": errors}).to_string();
            text(200, "application/json", body.into_bytes())
        }
        _ => site_file(&shared.snapshot(), path),
    };
    let _ = request.respond(response);
}

fn host_is_local(request: &tiny_http::Request) -> bool {
    let Some(h) = request.headers().iter().find(|h| h.field.equiv("Host")) else {
        return true;
    };
    let host = h.value.as_str();
    let name = if host.starts_with('[') {
        host.split(']').next().map(|s| &s[1..]).unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    matches!(name, "localhost" | "127.0.0.1" | "::1") || name.ends_with(".localhost")
}

type Response = tiny_http::Response<std::io::Cursor<Vec<u8>>>;

fn text(status: u16, content_type: &str, body: Vec<u8>) -> Response {
    let mut r = tiny_http::Response::from_data(body).with_status_code(status);
    for (k, v) in [("Content-Type", content_type), ("Cache-Control", "no-store")] {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            r.add_header(h);
        }
    }
    r
}

/// A file of the site: `/` is `index.html`, a folder is its `index.html`.
fn site_file(snap: &Snapshot, url_path: &str) -> Response {
    let Some(mut path) = decode(url_path) else {
        return text(400, "text/plain", b"bad path\n".to_vec());
    };
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let page = snap.page(&path);
    match page.as_ref() {
        Page::Found(bytes) if path.ends_with(".html") => {
            text(200, "text/html; charset=utf-8", inject(bytes, snap, None))
        }
        Page::Found(bytes) => text(200, content_type(&path), bytes.clone()),
        Page::Failed(why) => {
            text(500, "text/html; charset=utf-8", inject(&placeholder("Rendering failed"), snap, Some(why)))
        }
        Page::Missing => {
            let folder = format!("{path}/index.html");
            if !path.ends_with(".html") && matches!(snap.page(&folder).as_ref(), Page::Found(_)) {
                let mut r = text(301, "text/plain", Vec::new());
                if let Ok(h) = tiny_http::Header::from_bytes(&b"Location"[..], format!("{url_path}/").as_bytes()) {
                    r.add_header(h);
                }
                return r;
            }
            text(404, "text/html; charset=utf-8", inject(&placeholder("Not found"), snap, None))
        }
    }
}

fn placeholder(title: &str) -> Vec<u8> {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1><p><a href=\"/\">Dashboard</a></p></body></html>\n"
    )
    .into_bytes()
}

/// Adds the reload script (and, while there are errors, the overlay) to a page.
fn inject(html: &[u8], snap: &Snapshot, failure: Option<&str>) -> Vec<u8> {
    let (errors, mut text) = snap.problems();
    let mut count = errors;
    if let Some(why) = failure {
        text.push_str(why);
        count += 1;
    }
    let mut tail = format!("<script src=\"/__cutover/live.js?v={}\" defer></script>\n", snap.version);
    if count > 0 {
        tail = format!(
            "<div id=\"cutover-overlay\" role=\"alert\"><div class=\"cutover-box\">\
             <button type=\"button\" aria-label=\"Hide\">×</button>\
             <h2>{count} {}: cutover build would not publish this site</h2><pre>{}</pre>\
             <p>Fix the files and save: this page reloads by itself.</p></div></div>\n{tail}",
            if count == 1 { "error" } else { "errors" },
            escape(&text)
        );
    }
    let head = "<link rel=\"stylesheet\" href=\"/__cutover/live.css\">\n";
    let mut page = String::from_utf8_lossy(html).into_owned();
    match page.rfind("</head>") {
        Some(i) => page.insert_str(i, head),
        None => page.insert_str(0, head),
    }
    match page.rfind("</body>") {
        Some(i) => page.insert_str(i, &tail),
        None => page.push_str(&tail),
    }
    page.into_bytes()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The site path of a URL path: percent-decoded, without the leading `/`;
/// `None` for anything that could climb out (`..`) or is not UTF-8.
fn decode(url_path: &str) -> Option<String> {
    let bytes = url_path.trim_start_matches('/').as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(crate::validate::links::hex_pair(bytes[i + 1], bytes[i + 2])?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).ok()?;
    if s.split('/').any(|seg| seg == ".." || seg == ".") || s.contains('\\') || s.contains('\0') {
        return None;
    }
    Some(s)
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
    }
}
