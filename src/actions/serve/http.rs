//! Just enough HTTP/1.1 for `serve`: GET and HEAD, one request per
//! connection, answered by a fixed number of threads.
//!
//! A connection costs a thread only while its answer is being made and
//! written. Until its request has fully arrived it waits in a list that one
//! thread reads without blocking, so connections a browser opens ahead of
//! time (and may never use) keep no answering thread from the others; at
//! most [`MAX_CONNECTIONS`] are open at once, and one that has not sent its
//! whole request [`IDLE`] after connecting is closed. Every answer closes
//! its connection: on a loopback socket a new connection costs little, and
//! it keeps this free of keep-alive bookkeeping.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Threads answering requests. Answers come from memory (a page is rendered
/// once per build and shared), so a few threads keep up with a browser's
/// bursts; the rest wait their turn in line.
pub const CONNECTION_THREADS: usize = 8;
/// Open connections at most (waiting, being answered, or holding a poll);
/// more are closed as soon as they are accepted.
pub const MAX_CONNECTIONS: usize = 512;
/// The request line and headers together, at most.
pub const MAX_HEAD: usize = 16 * 1024;
/// How long a connection may take to send its request.
pub const IDLE: Duration = Duration::from_secs(30);
/// How long writing one chunk of an answer may block on a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// A request, ready to be answered: only its method, target and Host are kept.
pub struct Request {
    stream: TcpStream,
    head_only: bool,
    target: String,
    host: Option<String>,
    _slot: Slot,
}

/// A response body, shared rather than copied where it can be.
pub enum Body {
    Static(&'static [u8]),
    Owned(Vec<u8>),
    Shared(Arc<[u8]>),
}

impl Body {
    fn bytes(&self) -> &[u8] {
        match self {
            Body::Static(b) => b,
            Body::Owned(b) => b,
            Body::Shared(b) => b,
        }
    }
}

pub struct Response {
    status: u16,
    content_type: &'static str,
    location: Option<String>,
    body: Body,
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: Body) -> Response {
        Response { status, content_type, location: None, body }
    }

    /// A redirect to `path`, which must be a path on this server: `/`
    /// followed by anything but another `/` or `\` (else a browser reads
    /// `//host/...` as another server). Anything else becomes `/`.
    pub fn redirect(path: &str) -> Response {
        let on_this_server = path.starts_with('/') && !path[1..].starts_with(['/', '\\']);
        let safe = path.bytes().all(|b| b.is_ascii_graphic());
        let to = if on_this_server && safe { path.to_string() } else { "/".to_string() };
        Response { status: 301, content_type: "text/plain", location: Some(to), body: Body::Static(b"") }
    }

    pub fn text(status: u16, text: &'static str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", Body::Static(text.as_bytes()))
    }

    fn head(&self) -> String {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
             X-Content-Type-Options: nosniff\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.bytes().len()
        );
        if let Some(to) = &self.location {
            head.push_str(&format!("Location: {to}\r\n"));
        }
        if self.status == 405 {
            head.push_str("Allow: GET, HEAD\r\n");
        }
        head.push_str("\r\n");
        head
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

impl Request {
    /// The request target as sent (a path, with its query if any).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The Host header, if there was one.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// Writes the response (without its body for HEAD) and closes the connection.
    pub fn respond(mut self, response: Response) -> io::Result<()> {
        self.stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
        self.stream.write_all(response.head().as_bytes())?;
        if !self.head_only {
            self.stream.write_all(response.body.bytes())?;
        }
        self.stream.flush()?;
        self.stream.shutdown(std::net::Shutdown::Write)
    }
}

/// One of the [`MAX_CONNECTIONS`]: given back when the connection closes.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A connection whose request has not fully arrived.
struct Pending {
    stream: TcpStream,
    head: Vec<u8>,
    since: Instant,
    slot: Slot,
}

/// What the reading thread hands the answering threads.
enum Job {
    Request(Request),
    /// A request that cannot be answered (malformed, too large, a method
    /// other than GET and HEAD): the status to send.
    Refused(TcpStream, u16, Slot),
}

/// Accepts connections on `listener` until the process ends, reading each
/// request on one thread and answering with `handle` on
/// [`CONNECTION_THREADS`] threads.
pub fn run(listener: TcpListener, handle: Arc<dyn Fn(Request) + Send + Sync>) -> io::Result<()> {
    let (to_reader, from_acceptor) = mpsc::channel();
    let (to_workers, jobs) = mpsc::channel();
    let jobs = Arc::new(Mutex::new(jobs));
    for n in 0..CONNECTION_THREADS {
        let (jobs, handle) = (Arc::clone(&jobs), Arc::clone(&handle));
        std::thread::Builder::new().name(format!("serve-{n}")).spawn(move || answer(&jobs, handle.as_ref()))?;
    }
    std::thread::Builder::new().name("serve-read".into()).spawn(move || read_requests(&from_acceptor, &to_workers))?;
    std::thread::Builder::new().name("serve-accept".into()).spawn(move || accept(&listener, &to_reader))?;
    Ok(())
}

fn accept(listener: &TcpListener, to_reader: &Sender<Pending>) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors, most likely: give closing ones a moment.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if open.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::AcqRel);
            continue;
        }
        let slot = Slot(Arc::clone(&open));
        if stream.set_nonblocking(true).is_err() {
            continue;
        }
        let pending = Pending { stream, head: Vec::new(), since: Instant::now(), slot };
        if to_reader.send(pending).is_err() {
            return;
        }
    }
}

fn answer(jobs: &Mutex<Receiver<Job>>, handle: &(dyn Fn(Request) + Send + Sync)) {
    loop {
        let job = jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
        match job {
            Ok(Job::Request(request)) => {
                // A request that panics loses its connection, not the pool its thread.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(request)));
            }
            Ok(Job::Refused(stream, status, slot)) => {
                let text = match status {
                    405 => "cutover serve answers GET and HEAD only\n",
                    431 => "the request's headers are too large\n",
                    505 => "cutover serve speaks HTTP/1.0 and HTTP/1.1\n",
                    _ => "malformed request\n",
                };
                let request = Request { stream, head_only: false, target: String::new(), host: None, _slot: slot };
                let _ = request.respond(Response::text(status, text));
            }
            Err(_) => return,
        }
    }
}

/// Reads the requests of every pending connection without blocking on any:
/// while some are pending it looks at them again after a short pause (at
/// once when a new connection arrives), and sleeps while none are.
fn read_requests(from_acceptor: &Receiver<Pending>, to_workers: &Sender<Job>) {
    let mut pending: Vec<Pending> = Vec::new();
    let mut pause = Duration::from_millis(1);
    loop {
        let arrived = if pending.is_empty() {
            from_acceptor.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            from_acceptor.recv_timeout(pause)
        };
        match arrived {
            Ok(p) => pending.push(p),
            Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {}
        }
        pending.extend(from_acceptor.try_iter());
        let before = pending.len();
        let mut kept = Vec::with_capacity(pending.len());
        for mut p in pending.drain(..) {
            match read_more(&mut p) {
                Progress::Waiting => kept.push(p),
                Progress::Gone => {}
                Progress::Done(head) => {
                    if to_workers.send(p.into_job(head)).is_err() {
                        return;
                    }
                }
            }
        }
        pending = kept;
        // Back off while the same connections stay silent; start over when anything moves.
        pause =
            if pending.len() == before { (pause * 2).min(Duration::from_millis(25)) } else { Duration::from_millis(1) };
    }
}

enum Progress {
    Waiting,
    Gone,
    /// The head has arrived: what it asks, or the status that refuses it.
    Done(Result<Head, u16>),
}

fn read_more(p: &mut Pending) -> Progress {
    let mut buf = [0u8; 4096];
    loop {
        match p.stream.read(&mut buf) {
            Ok(0) => return Progress::Gone,
            Ok(n) => {
                let searched_from = p.head.len().saturating_sub(3);
                p.head.extend_from_slice(&buf[..n]);
                if let Some(end) = find_end(&p.head[searched_from..]) {
                    p.head.truncate(searched_from + end);
                    return Progress::Done(parse(&p.head));
                }
                if p.head.len() > MAX_HEAD {
                    return Progress::Done(Err(431));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return if p.since.elapsed() > IDLE { Progress::Gone } else { Progress::Waiting };
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Progress::Gone,
        }
    }
}

impl Pending {
    /// The connection, blocking again, with what to do about it.
    fn into_job(self, head: Result<Head, u16>) -> Job {
        let _ = self.stream.set_nonblocking(false);
        match head {
            Ok(h) => Job::Request(Request {
                stream: self.stream,
                head_only: h.head_only,
                target: h.target,
                host: h.host,
                _slot: self.slot,
            }),
            Err(status) => Job::Refused(self.stream, status, self.slot),
        }
    }
}

/// Where the head ends (the blank line), if it has.
fn find_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n").or_else(|| bytes.windows(2).position(|w| w == b"\n\n"))
}

/// What a request's head says, or the status that refuses it.
#[derive(Debug, PartialEq, Eq)]
struct Head {
    head_only: bool,
    target: String,
    host: Option<String>,
}

fn parse(head: &[u8]) -> Result<Head, u16> {
    let text = std::str::from_utf8(head).map_err(|_| 400u16)?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut parts = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    if !version.starts_with("HTTP/") {
        return Err(400);
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(505);
    }
    // Only origin-form (`/path?query`): an absolute URL or `*` is not for this server.
    if !target.starts_with('/') || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(400);
    }
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        m if !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase()) => return Err(405),
        _ => return Err(400),
    };
    let mut host = None;
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or(400u16)?;
        if name.eq_ignore_ascii_case("host") {
            if host.is_some() {
                return Err(400);
            }
            host = Some(value.trim().to_string());
        }
    }
    Ok(Head { head_only, target: target.to_string(), host })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Result<Head, u16> {
        parse(text.as_bytes())
    }

    #[test]
    fn heads_parse_or_are_refused_with_a_status() {
        let h = head("GET /a/b?x=1 HTTP/1.1\r\nhost: localhost:8000\r\nAccept: */*").unwrap();
        assert_eq!(h, Head { head_only: false, target: "/a/b?x=1".into(), host: Some("localhost:8000".into()) });
        assert!(head("HEAD / HTTP/1.0").unwrap().head_only);
        assert_eq!(head("GET / HTTP/1.0").unwrap().host, None);
        assert_eq!(head("POST / HTTP/1.1"), Err(405));
        assert_eq!(head("GET / HTTP/2.0"), Err(505));
        assert_eq!(head("GET http://example.org/ HTTP/1.1"), Err(400), "absolute form");
        assert_eq!(head("GET * HTTP/1.1"), Err(400));
        assert_eq!(head("GET /a b HTTP/1.1"), Err(400));
        assert_eq!(head("GET / HTTP/1.1\r\nHost: a\r\nHost: b"), Err(400), "two hosts");
        assert_eq!(head("GET / HTTP/1.1\r\nno colon"), Err(400));
        assert_eq!(head("get / HTTP/1.1"), Err(400));
    }

    #[test]
    fn redirects_stay_on_this_server() {
        let to = |p: &str| Response::redirect(p).location.unwrap();
        assert_eq!(to("/checklist/"), "/checklist/");
        assert_eq!(to("//evil.example/"), "/");
        assert_eq!(to("/\\evil.example/"), "/");
        assert_eq!(to("evil.example/"), "/");
        assert_eq!(to("/a\r\nSet-Cookie: x/"), "/", "no header injection");
    }

    #[test]
    fn the_end_of_a_head_is_found() {
        assert_eq!(find_end(b"GET / HTTP/1.0\r\n\r\n"), Some(14));
        assert_eq!(find_end(b"GET / HTTP/1.0\n\n"), Some(14));
        assert_eq!(find_end(b"GET / HTTP/1.0\r\n"), None);
    }
}
