//! Helpers shared by the behaviour tests: throw-away portfolios in temporary
//! folders, running the `cutover` binary, and reading what it prints and writes.
//!
//! Every test file includes this module but uses only part of it.
#![allow(dead_code)]

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The as-of date at which the `base` fixture's workload `alpha` is ready.
pub const AS_OF: &str = "2026-10-15";

/// The repository root (where Cargo.toml, content/ and tests/ are).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests").join("fixtures").join(name)
}

/// Where the tests make their throwaway portfolios, sites and repositories:
/// `CUTOVER_TEST_TMPDIR` when set, else `/dev/shm` where it is a writable
/// memory file system, else the system temp dir. Every build syncs each file
/// it writes, and on a disk those syncs were three quarters of the suite's
/// system time (a warm `cargo test --test it`: 42 s on ext4, 24 s on tmpfs).
pub fn scratch_base() -> PathBuf {
    static BASE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BASE.get_or_init(|| {
        if let Some(dir) = std::env::var_os("CUTOVER_TEST_TMPDIR") {
            return PathBuf::from(dir);
        }
        let shm = Path::new("/dev/shm");
        // A container's /dev/shm may be 64 MB: the largest tests need far more.
        if available_bytes(shm).is_some_and(|b| b >= 2 << 30) {
            let probe = shm.join(format!("cutover-test-probe-{}", std::process::id()));
            if fs::create_dir(&probe).is_ok() {
                let _ = fs::remove_dir(&probe);
                return shm.to_path_buf();
            }
        }
        std::env::temp_dir()
    })
    .clone()
}

/// The bytes an unprivileged process may still write on the file system of `dir`.
fn available_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is a valid C string and `st` a writable statvfs.
    let rc = unsafe { libc::statvfs(path.as_ptr(), &mut st) };
    (rc == 0).then_some(st.f_bavail.saturating_mul(st.f_frsize))
}

/// A folder under [`scratch_base`], removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let dir = scratch_base().join(format!(
            "cutover-test-{}-{n}-{}",
            std::process::id(),
            tag.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        ));
        if dir.exists() {
            fs::remove_dir_all(&dir).unwrap();
        }
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Copies a folder tree (regular files and folders only).
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let ty = entry.file_type().unwrap();
        let dest = to.join(entry.file_name());
        if ty.is_dir() {
            copy_tree(&entry.path(), &dest);
        } else if ty.is_file() {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Every regular file under `dir`, as `/`-separated relative path -> bytes,
/// skipping the top-level entries named in `skip`.
pub fn snapshot(dir: &Path, skip: &[&str]) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, skip: &[&str], out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            if prefix.is_empty() && skip.contains(&name.as_str()) {
                continue;
            }
            let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
            let ty = e.file_type().unwrap();
            if ty.is_dir() {
                // Folders are recorded too, so an added empty folder is noticed.
                out.insert(format!("{rel}/"), Vec::new());
                walk(&e.path(), &rel, skip, out);
            } else {
                out.insert(rel, fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", skip, &mut out);
    out
}

/// Asserts two snapshots are equal, naming the first difference instead of dumping bytes.
pub fn assert_same_files(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, what: &str) {
    let ka: Vec<&String> = a.keys().collect();
    let kb: Vec<&String> = b.keys().collect();
    assert_eq!(ka, kb, "{what}: the sets of files differ");
    for (k, v) in a {
        assert!(*v == b[k], "{what}: `{k}` differs ({} vs {} bytes)", v.len(), b[k].len());
    }
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The `checked N workloads as of D: P promoted, R ready, B blocked` line of a human-format run.
    pub fn summary(&self) -> Summary {
        let line = self
            .stderr
            .lines()
            .find(|l| l.starts_with("checked "))
            .unwrap_or_else(|| panic!("no summary line in:\n{}", self.stderr));
        let nums: Vec<usize> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        // checked N workloads as of YYYY-MM-DD: P promoted, R ready, B blocked
        assert_eq!(nums.len(), 7, "unexpected summary line: {line}");
        Summary { workloads: nums[0], promoted: nums[4], ready: nums[5], blocked: nums[6] }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Summary {
    pub workloads: usize,
    pub promoted: usize,
    pub ready: usize,
    pub blocked: usize,
}

/// Runs `cutover` with `args`, no colour, and no `SOURCE_DATE_EPOCH` from the caller.
pub fn cutover<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    cutover_env(args, &[])
}

pub fn cutover_env<I, S>(args: I, env: &[(&str, &str)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cutover"));
    cmd.args(args).env_remove("SOURCE_DATE_EPOCH").env_remove("RAYON_NUM_THREADS").env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_command(cmd)
}

/// Runs `cutover` with `args` from the folder `cwd`, as [`cutover`] does
/// otherwise: the CI formats name files relative to it when the site is not
/// in a git repository.
pub fn cutover_in<I, S>(cwd: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cutover"));
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("RAYON_NUM_THREADS")
        .env("NO_COLOR", "1");
    run_command(cmd)
}

fn run_command(mut cmd: Command) -> Run {
    let out = cmd.output().expect("the cutover binary runs");
    Run {
        code: out.status.code().unwrap_or_else(|| panic!("cutover was killed: {out:?}")),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// One entry of `check --format json`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Diag {
    pub severity: String,
    pub code: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub help: Option<String>,
}

impl Diag {
    pub fn at(&self) -> (&str, &str, u32, u32) {
        (self.code.as_str(), self.file.as_str(), self.line, self.column)
    }
}

/// A site root in a temporary folder.
pub struct Portfolio {
    dir: TempDir,
    /// The site root: `dir` itself, or a folder inside it.
    root: PathBuf,
}

impl Portfolio {
    /// A site root with an empty `content/`.
    pub fn empty(tag: &str) -> Portfolio {
        let dir = TempDir::new(tag);
        fs::create_dir_all(dir.path().join("content")).unwrap();
        Portfolio::at(dir, "")
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str, tag: &str) -> Portfolio {
        let dir = TempDir::new(tag);
        copy_tree(&fixture(name), dir.path());
        Portfolio::at(dir, "")
    }

    /// A copy of `tests/fixtures/base`: site.yaml and workload `alpha`, ready as of [`AS_OF`].
    pub fn base(tag: &str) -> Portfolio {
        Portfolio::fixture("base", tag)
    }

    /// A copy of the repository's sample `content/`.
    pub fn sample(tag: &str) -> Portfolio {
        let dir = TempDir::new(tag);
        copy_tree(&repo().join("content"), &dir.path().join("content"));
        Portfolio::at(dir, "")
    }

    /// A copy of `tests/fixtures/base` two folders down in its temporary folder
    /// (`<tmp>/outer/site`), so tests may aim at the site root's parents safely.
    pub fn base_nested(tag: &str) -> Portfolio {
        let dir = TempDir::new(tag);
        copy_tree(&fixture("base"), &dir.path().join("outer/site"));
        Portfolio::at(dir, "outer/site")
    }

    fn at(dir: TempDir, sub: &str) -> Portfolio {
        let root = if sub.is_empty() { dir.path().to_path_buf() } else { dir.path().join(sub) };
        Portfolio { dir, root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The temporary folder that holds the site root (the root itself unless nested).
    pub fn temp(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Writes a file (relative to the site root), creating folders.
    pub fn write(&self, rel: &str, text: &str) -> &Self {
        self.write_bytes(rel, text.as_bytes())
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) -> &Self {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }

    pub fn remove(&self, rel: &str) -> &Self {
        let p = self.path(rel);
        if p.is_dir() {
            fs::remove_dir_all(p).unwrap();
        } else {
            fs::remove_file(p).unwrap();
        }
        self
    }

    /// Replaces `from` by `to` in a file; `from` must occur.
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let text = self.read(rel);
        assert!(text.contains(from), "`{from}` not found in {rel}:\n{text}");
        self.write(rel, &text.replacen(from, to, 1))
    }

    /// Sets (or adds) a top-level front-matter field of an evidence file.
    pub fn set_field(&self, rel: &str, field: &str, value: &str) -> &Self {
        let text = self.read(rel);
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let close = 1 + lines[1..].iter().position(|l| l == "---").unwrap();
        let prefix = format!("{field}:");
        match lines[1..close].iter().position(|l| l.starts_with(&prefix)) {
            Some(i) => lines[i + 1] = format!("{field}: {value}"),
            None => lines.insert(close, format!("{field}: {value}")),
        }
        self.write(rel, &(lines.join("\n") + "\n"))
    }

    /// Adds a workload with `alpha`'s complete evidence (ready as of [`AS_OF`]) and this workload.yaml.
    pub fn add_ready_workload(&self, id: &str, workload_yaml: &str) -> &Self {
        let from = fixture("base").join("content/workloads/alpha");
        let to = self.path(&format!("content/workloads/{id}"));
        copy_tree(&from, &to);
        fs::write(to.join("workload.yaml"), workload_yaml).unwrap();
        self
    }

    pub fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Run {
        cutover(args)
    }

    /// `cutover check ROOT --format json [extra...]`, parsed; asserts the counts agree with the list.
    pub fn check_json(&self, extra: &[&str]) -> (Run, Vec<Diag>) {
        let mut args: Vec<&OsStr> =
            vec![OsStr::new("check"), self.root().as_os_str(), OsStr::new("--format"), OsStr::new("json")];
        args.extend(extra.iter().map(OsStr::new));
        let run = cutover(&args);
        let doc: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
        let diags: Vec<Diag> = serde_json::from_value(doc["diagnostics"].clone())
            .unwrap_or_else(|e| panic!("bad diagnostics ({e}): {doc}"));
        let errors = diags.iter().filter(|d| d.severity == "error").count();
        let warnings = diags.iter().filter(|d| d.severity == "warning").count();
        assert_eq!(doc["errors"], errors, "{doc}");
        assert_eq!(doc["warnings"], warnings, "{doc}");
        (run, diags)
    }

    /// The diagnostics of `check --format json --as-of AS_OF`.
    pub fn diagnostics(&self) -> Vec<Diag> {
        self.check_json(&["--as-of", AS_OF]).1
    }

    /// `cutover check ROOT --as-of DATE` in human format (for the summary line).
    pub fn check_human(&self, as_of: &str) -> Run {
        cutover([OsStr::new("check"), self.root().as_os_str(), OsStr::new("--as-of"), OsStr::new(as_of)])
    }

    /// `cutover build ROOT --out ROOT/public --as-of DATE`.
    pub fn build(&self, as_of: &str) -> Run {
        let out = self.path("public");
        cutover([
            OsStr::new("build"),
            self.root().as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
            OsStr::new("--as-of"),
            OsStr::new(as_of),
        ])
    }

    /// Builds as of `as_of` (which must succeed) and returns readiness.json.
    pub fn readiness(&self, as_of: &str) -> Value {
        let run = self.build(as_of);
        assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
        let text = fs::read_to_string(self.path("public/readiness.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

/// The workload `id` in a readiness.json document.
pub fn workload<'a>(readiness: &'a Value, id: &str) -> &'a Value {
    readiness["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == id)
        .unwrap_or_else(|| panic!("no workload {id} in {readiness}"))
}

/// The item `item` of workload `id` in a readiness.json document.
pub fn item<'a>(readiness: &'a Value, id: &str, item: &str) -> &'a Value {
    workload(readiness, id)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == item)
        .unwrap_or_else(|| panic!("no item {item} in workload {id}"))
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (H. Hinnant's algorithm, independent of the crate's).
pub fn days(date: &str) -> i64 {
    let p: Vec<i64> = date.split('-').map(|s| s.parse().unwrap()).collect();
    let (y, m, d) = (p[0] - i64::from(p[1] <= 2), p[1], p[2]);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `date` plus `n` days, as `YYYY-MM-DD`.
pub fn add_days(date: &str, n: i64) -> String {
    let z = days(date) + n + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

// ---- links in generated pages ---------------------------------------------

/// Decodes the few entities that can appear in attribute values.
fn unescape_html(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Values of attribute `name` (quoted with " or ') anywhere in `html`.
fn attributes(html: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let pat = format!("{name}=");
    let mut from = 0;
    while let Some(i) = html[from..].find(&pat) {
        let at = from + i;
        from = at + pat.len();
        let before = html[..at].chars().next_back();
        if !before.is_some_and(char::is_whitespace) {
            continue; // e.g. `data-href=` or `xsrc=`
        }
        let rest = &html[from..];
        let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            panic!("unquoted {name} attribute near {:?}", &rest[..rest.len().min(40)]);
        };
        let end = rest[1..].find(q).expect("closing quote");
        out.push(unescape_html(&rest[1..1 + end]));
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
        if let (b'%', Some(v)) = (b[i], hex) {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).expect("percent-decoded link is UTF-8")
}

/// Every broken relative link of every page under `out`, as (page, link, why).
pub fn broken_links(out: &Path) -> Vec<(String, String, String)> {
    let files = snapshot(out, &[]);
    let mut broken = Vec::new();
    let mut checked = 0;
    for (page, bytes) in &files {
        if !page.ends_with(".html") {
            continue;
        }
        let html = std::str::from_utf8(bytes).expect("pages are UTF-8");
        let ids: BTreeSet<String> = attributes(html, "id").into_iter().collect();
        let dir = Path::new(page).parent().unwrap_or(Path::new(""));
        for link in attributes(html, "href").into_iter().chain(attributes(html, "src")) {
            checked += 1;
            let lower = link.to_ascii_lowercase();
            if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:") {
                continue;
            }
            let mut why = |w: &str| broken.push((page.clone(), link.clone(), w.to_string()));
            if let Some(frag) = link.strip_prefix('#') {
                if !ids.contains(frag) {
                    why("no element with this id in the page");
                }
                continue;
            }
            if link.contains(':') && !link.contains('/') || link.starts_with("//") {
                why("a scheme the site must not use");
                continue;
            }
            if link.starts_with('/') {
                why("absolute path: the site must work from any sub-path");
                continue;
            }
            let path = link.split(['#', '?']).next().unwrap();
            let decoded = percent_decode(path);
            let mut target = PathBuf::new();
            let mut escaped = false;
            for c in dir.join(&decoded).components() {
                match c {
                    Component::ParentDir => escaped |= !target.pop(),
                    Component::Normal(x) => target.push(x),
                    _ => {}
                }
            }
            let target = target.to_string_lossy().replace('\\', "/");
            if escaped {
                why("leaves the output folder");
            } else if !files.contains_key(&target) {
                why(&format!("{target} is not in the output"));
            }
        }
    }
    assert!(checked > 0, "no links found at all under {}", out.display());
    broken
}

/// The visible text of some HTML: tags dropped (each as a space), whitespace collapsed.
pub fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    // A break opportunity (`<wbr>`, in e-mail addresses) is no space.
    for c in html.replace("<wbr>", "").chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Variables that would point git, ssh or cutover at something other than a
/// test's throwaway repository and identities.
const LEAKY_GIT_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_TRACE",
    "SSH_AUTH_SOCK",
    "EMAIL",
    "SOURCE_DATE_EPOCH",
    "RAYON_NUM_THREADS",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_COMMITTER_DATE",
];

/// Strips the caller's git environment from `cmd` and points HOME (and
/// XDG_CONFIG_HOME) at `home`, with no global or system git configuration:
/// the tests that build repositories (provenance, history, diff) share it.
pub fn hermetic(cmd: &mut Command, home: &Path) {
    for var in LEAKY_GIT_ENV {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("NO_COLOR", "1");
}
