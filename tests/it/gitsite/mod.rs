//! Throwaway git repositories holding a site, with commits at chosen dates,
//! for the history and diff tests. The tests run `git` to make history; the
//! product never does. Every git call is hermetic (no global or system
//! configuration, an empty HOME, explicit author and committer with dates),
//! and cutover runs with the same empty HOME.
#![allow(dead_code)]

use super::common::{Run, TempDir, copy_tree, fixture, hermetic};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A site root that is the top of a git work tree.
pub struct GitSite {
    pub top: TempDir,
    pub home: TempDir,
    /// Where `build` writes (outside the work tree).
    pub out: TempDir,
}

impl GitSite {
    /// `tests/fixtures/NAME` copied into a new repository, nothing committed yet.
    pub fn from_fixture(tag: &str, name: &str) -> GitSite {
        let s = GitSite::untracked(tag, name);
        s.git(&["init", "-q"]);
        s
    }

    /// The same files, in no git work tree.
    pub fn untracked(tag: &str, name: &str) -> GitSite {
        let top = TempDir::new(tag);
        copy_tree(&fixture(name), top.path());
        GitSite { top, home: TempDir::new(&format!("{tag}-home")), out: TempDir::new(&format!("{tag}-out")) }
    }

    pub fn root(&self) -> &Path {
        self.top.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.top.path().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    /// Replaces the first `from` by `to` in a file; `from` must occur.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "`{from}` not found in {rel}:\n{text}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    pub fn remove_dir(&self, rel: &str) {
        fs::remove_dir_all(self.path(rel)).unwrap();
    }

    pub fn copy_dir(&self, from: &str, to: &str) {
        copy_tree(&self.path(from), &self.path(to));
    }

    fn git_command(&self, who: &str, day: &str) -> Command {
        let mut cmd = Command::new("git");
        cmd.current_dir(self.top.path());
        hermetic(&mut cmd, self.home.path());
        let name = who.split('@').next().unwrap();
        let when = format!("{day} 10:00:00 +0000");
        cmd.env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", who)
            .env("GIT_AUTHOR_DATE", &when)
            .env("GIT_COMMITTER_NAME", name)
            .env("GIT_COMMITTER_EMAIL", who)
            .env("GIT_COMMITTER_DATE", &when)
            .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]);
        cmd
    }

    /// Runs git; its standard output.
    pub fn git(&self, args: &[&str]) -> String {
        let mut cmd = self.git_command("erin.engineer@example.org", "2026-01-01");
        cmd.args(args);
        run_git(cmd, &args.join(" "))
    }

    /// Commits everything in the work tree as `who` on `day` (10:00 UTC); the commit's full id.
    pub fn commit(&self, who: &str, day: &str, message: &str) -> String {
        let mut add = self.git_command(who, day);
        add.args(["add", "-A"]);
        run_git(add, "add -A");
        let mut commit = self.git_command(who, day);
        commit.args(["commit", "-q", "--allow-empty", "-m", message]);
        run_git(commit, "commit");
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// A `git clone --depth 1` of this repository.
    pub fn shallow_clone(&self, tag: &str) -> GitSite {
        let top = TempDir::new(tag);
        let url = format!("file://{}", self.top.path().display());
        let mut cmd = self.git_command("erin.engineer@example.org", "2026-01-01");
        cmd.args(["clone", "-q", "--depth", "1", &url]).arg(top.path());
        run_git(cmd, "clone");
        GitSite { top, home: TempDir::new(&format!("{tag}-home")), out: TempDir::new(&format!("{tag}-out")) }
    }

    /// Runs cutover with the empty HOME and no global git configuration, from HOME.
    pub fn cutover<S: AsRef<OsStr>>(&self, args: &[S]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cutover"));
        hermetic(&mut cmd, self.home.path());
        cmd.current_dir(self.home.path()).args(args);
        let out = cmd.output().expect("the cutover binary runs");
        Run {
            code: out.status.code().unwrap_or_else(|| panic!("cutover was killed: {out:?}")),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }

    /// `build --as-of AS_OF` into `out`.
    pub fn build(&self, as_of: &str) -> Run {
        let args = [
            OsStr::new("build"),
            self.top.path().as_os_str(),
            OsStr::new("--out"),
            self.out.path().as_os_str(),
            OsStr::new("--as-of"),
            OsStr::new(as_of),
        ];
        self.cutover(&args)
    }

    /// A file of the last build.
    pub fn page(&self, rel: &str) -> String {
        fs::read_to_string(self.out.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn has_page(&self, rel: &str) -> bool {
        self.out.path().join(rel).exists()
    }
}

fn run_git(mut cmd: Command, what: &str) -> String {
    let out = cmd.output().expect("git runs");
    assert!(
        out.status.success(),
        "git {what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
