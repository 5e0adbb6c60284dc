//! Provenance of sign-offs (FORMAT.md, Version 1.1, "Trust": "Approvers over
//! time" for `keys` and "Provenance of sign-offs"), through the binary, on
//! throwaway git repositories built with the `git` CLI.
//!
//! The tests run `git` and `ssh-keygen` to build history; the product never
//! does. Every git call is hermetic (no global or system configuration, an
//! empty HOME, explicit author and committer with their dates), and cutover
//! runs with the same empty HOME, so the machine's configuration never matters.
//!
//! Each repository starts from `tests/fixtures/base` with `ciso-verification`
//! not yet signed, committed by the engineer on 2026-09-01; the tests then add
//! the CISO's sign-off in commits by different people.

use crate::common;

use common::{
    AS_OF, Diag, Run, TempDir, assert_same_files, copy_tree, fixture, hermetic, html_text, item, snapshot, workload,
};
use serde_json::{Value, json};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The approvers of `tests/fixtures/base/content/site.yaml`.
const CISO: &str = "carol.ciso@example.org";
const BUSINESS: &str = "bob.biz@example.org";
/// Someone who is no approver: the engineer who writes the evidence.
const ENGINEER: &str = "erin.engineer@example.org";

const SITE: &str = "content/site.yaml";
const CISO_MD: &str = "content/workloads/alpha/ciso-verification.md";
const IDENTITY_MD: &str = "content/workloads/alpha/identity-alignment.md";

/// The day the engineer commits the portfolio.
const FIRST_DAY: &str = "2026-09-01";

/// A git identity date: 10:00 UTC on `day`.
fn when(day: &str) -> String {
    format!("{day} 10:00:00 +0000")
}

/// The display name git records next to an e-mail address.
fn name_of(email: &str) -> String {
    email.split('@').next().unwrap().to_string()
}

fn short(id: &str) -> &str {
    &id[..7]
}

/// Who writes a commit (author) and who records it (committer), each with a day.
#[derive(Clone, Copy)]
struct Ident<'a> {
    author: &'a str,
    author_day: &'a str,
    committer: &'a str,
    committer_day: &'a str,
}

impl<'a> Ident<'a> {
    /// `who` writes and commits on `day`.
    fn by(who: &'a str, day: &'a str) -> Ident<'a> {
        Ident { author: who, author_day: day, committer: who, committer_day: day }
    }
}

/// A git repository in a temporary folder whose work tree holds a site root.
struct Repo {
    /// The top of the work tree (where `git init` ran), or a plain folder.
    top: TempDir,
    /// The site root: `top` itself or a folder inside it.
    site: PathBuf,
    /// The empty HOME of every git and cutover run.
    home: TempDir,
    /// Where `build` writes (outside the work tree, so `git add -A` never sees it).
    out: TempDir,
}

impl Repo {
    /// The base fixture with `ciso-verification` documented but not signed,
    /// committed by the engineer on [`FIRST_DAY`].
    fn new(tag: &str) -> Repo {
        Repo::at(tag, "")
    }

    /// Like [`Repo::new`], with the site root at `sub` inside the work tree.
    fn at(tag: &str, sub: &str) -> Repo {
        let r = Repo::untracked(tag, sub);
        r.git(&["init", "-q"]);
        r.commit(Ident::by(ENGINEER, FIRST_DAY), "The portfolio, ready for the CISO");
        r
    }

    /// The same files, not in any git work tree.
    fn untracked(tag: &str, sub: &str) -> Repo {
        let top = TempDir::new(tag);
        let site = if sub.is_empty() { top.path().to_path_buf() } else { top.path().join(sub) };
        copy_tree(&fixture("base"), &site);
        let r =
            Repo { top, site, home: TempDir::new(&format!("{tag}-home")), out: TempDir::new(&format!("{tag}-out")) };
        r.write(CISO_MD, &ciso_md(None, ""));
        r
    }

    /// A `git clone --depth 1` of this repository (its site root at the same place).
    fn shallow_clone(&self, tag: &str) -> Repo {
        let top = TempDir::new(tag);
        let url = format!("file://{}", self.top.path().display());
        let mut cmd = self.git_command(Ident::by(ENGINEER, FIRST_DAY), None);
        cmd.args(["clone", "-q", "--depth", "1", &url]).arg(top.path());
        run_git(cmd, "clone");
        let sub = self.site.strip_prefix(self.top.path()).unwrap().to_path_buf();
        Repo {
            site: top.path().join(sub),
            top,
            home: TempDir::new(&format!("{tag}-home")),
            out: TempDir::new(&format!("{tag}-out")),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.site.join(rel)
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    /// Replaces `from` by `to` in a file; `from` must occur.
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "`{from}` not found in {rel}:\n{text}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Sets `signoff_provenance` in the work tree's site.yaml (None: removes it).
    fn policy(&self, policy: Option<&str>) {
        let text = self.read(SITE);
        let mut lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("signoff_provenance:")).collect();
        let line = policy.map(|p| format!("signoff_provenance: {p}"));
        if let Some(l) = &line {
            lines.push(l);
        }
        self.write(SITE, &(lines.join("\n") + "\n"));
    }

    /// Lists `keys` (public key lines) for the CISO in site.yaml.
    fn ciso_keys(&self, keys: &[&str]) {
        let list: Vec<String> = keys.iter().map(|k| format!("\"{k}\"")).collect();
        self.edit(
            SITE,
            &format!("  ciso: [{CISO}]\n"),
            &format!("  ciso:\n    - person: {CISO}\n      keys: [{}]\n", list.join(", ")),
        );
    }

    /// A git command in the work tree as `who`, hermetic; signing with `key` (a
    /// private key file) when given, else with signing switched off.
    fn git_command(&self, who: Ident, key: Option<&Path>) -> Command {
        let mut cmd = Command::new("git");
        cmd.current_dir(self.top.path());
        hermetic(&mut cmd, self.home.path());
        cmd.env("GIT_AUTHOR_NAME", name_of(who.author))
            .env("GIT_AUTHOR_EMAIL", who.author)
            .env("GIT_AUTHOR_DATE", when(who.author_day))
            .env("GIT_COMMITTER_NAME", name_of(who.committer))
            .env("GIT_COMMITTER_EMAIL", who.committer)
            .env("GIT_COMMITTER_DATE", when(who.committer_day))
            .args(["-c", "init.defaultBranch=main"]);
        match key {
            None => {
                cmd.args(["-c", "commit.gpgsign=false"]);
            }
            Some(key) => {
                let public = format!("user.signingkey={}.pub", key.display());
                cmd.args(["-c", "gpg.format=ssh", "-c", &public]);
            }
        }
        cmd
    }

    /// Runs git as the engineer; its standard output.
    fn git(&self, args: &[&str]) -> String {
        let mut cmd = self.git_command(Ident::by(ENGINEER, FIRST_DAY), None);
        cmd.args(args);
        run_git(cmd, &args.join(" "))
    }

    /// Commits everything in the work tree as `who`; the new commit's full id.
    fn commit(&self, who: Ident, message: &str) -> String {
        self.commit_with(who, None, message)
    }

    /// Commits everything, SSH-signed with the private key `key`.
    fn commit_signed(&self, who: Ident, key: &Path, message: &str) -> String {
        self.commit_with(who, Some(key), message)
    }

    fn commit_with(&self, who: Ident, key: Option<&Path>, message: &str) -> String {
        let mut add = self.git_command(who, None);
        add.args(["add", "-A"]);
        run_git(add, "add -A");
        let mut commit = self.git_command(who, key);
        commit.args(["commit", "-q", "-m", message]);
        if key.is_some() {
            commit.arg("-S");
        }
        run_git(commit, "commit");
        self.head()
    }

    fn head(&self) -> String {
        let id = self.git(&["rev-parse", "HEAD"]).trim().to_string();
        assert_eq!(id.len(), 40, "a full commit id: {id}");
        id
    }

    /// Writes the CISO's sign-off (`validated_by signer` on `on`) into the work tree.
    fn sign_ciso(&self, signer: &str, on: &str) {
        self.write(CISO_MD, &ciso_md(Some((signer, on)), ""));
    }

    /// Writes the CISO's sign-off and commits it as `who`; the commit id.
    fn commit_ciso(&self, signer: &str, on: &str, who: Ident) -> String {
        self.sign_ciso(signer, on);
        self.commit(who, &format!("Sign off ciso-verification as {signer}"))
    }

    /// Runs cutover with the empty HOME and no global git configuration.
    fn cutover<S: AsRef<OsStr>>(&self, args: &[S], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cutover"));
        hermetic(&mut cmd, self.home.path());
        cmd.current_dir(self.home.path()).args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("the cutover binary runs");
        Run {
            code: out.status.code().unwrap_or_else(|| panic!("cutover was killed: {out:?}")),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }

    /// `build --as-of AS_OF` into `out`, which must succeed.
    fn build(&self) {
        let args = [
            OsStr::new("build"),
            self.site.as_os_str(),
            OsStr::new("--out"),
            self.out.path().as_os_str(),
            OsStr::new("--as-of"),
            OsStr::new(AS_OF),
        ];
        let run = self.cutover(&args, &[]);
        assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
    }

    /// Builds and returns readiness.json.
    fn readiness(&self) -> Value {
        self.build();
        serde_json::from_str(&self.page("readiness.json")).unwrap()
    }

    /// A file of the last build.
    fn page(&self, rel: &str) -> String {
        fs::read_to_string(self.out.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// `check --format json --as-of AS_OF`: the run and its diagnostics.
    fn check(&self) -> (Run, Vec<Diag>) {
        let args = [
            OsStr::new("check"),
            self.site.as_os_str(),
            OsStr::new("--format"),
            OsStr::new("json"),
            OsStr::new("--as-of"),
            OsStr::new(AS_OF),
        ];
        let run = self.cutover(&args, &[]);
        let doc: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
        let diags: Vec<Diag> = serde_json::from_value(doc["diagnostics"].clone())
            .unwrap_or_else(|e| panic!("bad diagnostics ({e}): {doc}"));
        (run, diags)
    }

    /// `cutover sign alpha ITEM SITE --by BY --on ON`, as of [`AS_OF`].
    fn sign(&self, item_id: &str, by: &str, on: &str) -> Run {
        let args = [
            OsStr::new("sign"),
            OsStr::new("alpha"),
            OsStr::new(item_id),
            self.site.as_os_str(),
            OsStr::new("--by"),
            OsStr::new(by),
            OsStr::new("--on"),
            OsStr::new(on),
        ];
        let epoch = (common::days(AS_OF) * 86_400 + 43_200).to_string();
        self.cutover(&args, &[("SOURCE_DATE_EPOCH", &epoch)])
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

/// `ciso-verification.md`: validated by `signoff` (signer, date), or only
/// documented; `extra` is appended to its body.
fn ciso_md(signoff: Option<(&str, &str)>, extra: &str) -> String {
    let mut l = vec!["---".to_string()];
    l.push(if signoff.is_some() { "status: validated" } else { "status: documented" }.to_string());
    l.push("executed_on: 2026-09-01".into());
    l.push("documented_in: [reports/evidence.txt]".into());
    if let Some((by, on)) = signoff {
        l.push(format!("validated_by: {by}"));
        l.push(format!("validated_on: {on}"));
    }
    l.extend(
        [
            "risks:",
            "  - id: r1",
            "    description: Old TLS on the batch interface.",
            "    mitigation: Interface retired next quarter.",
            "    accepted: true",
            "---",
            "# ciso-verification",
            "",
            "Done; see [the evidence](reports/evidence.txt).",
        ]
        .map(String::from),
    );
    if !extra.is_empty() {
        l.push(String::new());
        l.push(extra.to_string());
    }
    l.join("\n") + "\n"
}

/// `identity-alignment.md`, waived: approved by `by` on `on`, for 61 days at most.
fn identity_waiver(by: &str, on: &str) -> String {
    format!(
        "---\nstatus: waived\nwaiver:\n  approved_by: {by}\n  approved_on: {on}\n  expires_on: 2026-11-01\n  reason: The directory sync is replaced next quarter.\n  mitigation: Access is reviewed by hand every week.\n---\n"
    )
}

/// Generates an ed25519 key pair in `dir` (no passphrase); the private key's
/// path and the public key line.
fn keygen(dir: &Path, home: &Path, name: &str, comment: &str) -> (PathBuf, String) {
    let key = dir.join(name);
    let mut cmd = Command::new("ssh-keygen");
    hermetic(&mut cmd, home);
    cmd.args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"]).arg(&key);
    let out = cmd.output().expect("ssh-keygen runs");
    assert!(out.status.success(), "ssh-keygen failed: {}", String::from_utf8_lossy(&out.stderr));
    let public = fs::read_to_string(key.with_extension("pub")).unwrap().trim().to_string();
    (key, public)
}

/// The `provenance` of item `id` of workload alpha (Null when absent).
fn provenance<'a>(r: &'a Value, id: &str) -> &'a Value {
    &item(r, "alpha", id)["provenance"]
}

fn satisfied(r: &Value, id: &str) -> bool {
    item(r, "alpha", id)["satisfied"].as_bool().unwrap_or_else(|| panic!("no `satisfied` in {}", item(r, "alpha", id)))
}

/// The message of workload alpha's reason that names item `id`.
fn reason(r: &Value, id: &str) -> String {
    workload(r, "alpha")["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["item"] == id)
        .and_then(|x| x["message"].as_str())
        .unwrap_or_else(|| panic!("no reason names {id}: {}", workload(r, "alpha")))
        .to_string()
}

/// (line, column), both from 1, of the first `needle` in `text`.
fn position(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not in:\n{text}"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().count() + 1;
    (line as u32, column as u32)
}

/// Where the value of `signoff_provenance` is in site.yaml.
fn policy_value_at(r: &Repo) -> (u32, u32) {
    let (line, column) = position(&r.read(SITE), "signoff_provenance:");
    (line, column + "signoff_provenance: ".len() as u32)
}

fn errors(diags: &[Diag]) -> Vec<&Diag> {
    diags.iter().filter(|d| d.severity == "error").collect()
}

// ---- who committed the sign-off ---------------------------------------------

#[test]
fn a_sign_off_committed_by_its_signer_is_credited_to_that_commit_and_counts_under_author() {
    let r = Repo::new("own-commit");
    let first = r.head();
    // Signed on the 10th, committed the next day.
    let id = r.commit_ciso(CISO, "2026-09-10", Ident::by(CISO, "2026-09-11"));
    assert_ne!(id, first);
    let want = json!({"commit": id, "author": CISO, "date": "2026-09-11", "state": "unsigned"});

    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification"), &want, "{}", item(&doc, "alpha", "ciso-verification"));
    assert!(satisfied(&doc, "ciso-verification"));

    r.policy(Some("author"));
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification"), &want);
    assert!(satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
    // The engineer committed bob's sign-off of business-change-plan: that one does not count.
    assert!(!satisfied(&doc, "business-change-plan"), "{}", item(&doc, "alpha", "business-change-plan"));
    let (run, diags) = r.check();
    assert!(diags.iter().all(|d| d.file != SITE), "a full clone can check `author`: {diags:?}");
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_sign_off_committed_by_someone_else_does_not_count_under_author_and_the_reason_names_both() {
    let r = Repo::new("foreign-commit");
    // The engineer types `validated_by: carol...` and commits it.
    let id = r.commit_ciso(CISO, "2026-09-10", Ident::by(ENGINEER, "2026-09-10"));

    r.policy(Some("author"));
    let doc = r.readiness();
    let it = item(&doc, "alpha", "ciso-verification");
    assert!(!satisfied(&doc, "ciso-verification"), "{it}");
    assert_eq!(workload(&doc, "alpha")["decision"], "blocked");
    let why = reason(&doc, "ciso-verification");
    for needle in [CISO, ENGINEER, short(&id)] {
        assert!(why.contains(needle), "the reason names {needle}: {why}");
    }
    assert_eq!(provenance(&doc, "ciso-verification")["author"], ENGINEER);

    // Under `none` (explicit or by default) it counts, and the record is still shown.
    for policy in [Some("none"), None] {
        r.policy(policy);
        let doc = r.readiness();
        assert!(satisfied(&doc, "ciso-verification"), "{policy:?}: {}", item(&doc, "alpha", "ciso-verification"));
        assert_eq!(
            provenance(&doc, "ciso-verification"),
            &json!({"commit": id, "author": ENGINEER, "date": "2026-09-10", "state": "unsigned"}),
            "{policy:?}"
        );
    }
}

#[test]
fn the_author_of_the_commit_counts_not_its_committer() {
    let r = Repo::new("author-not-committer");
    // The CISO wrote the sign-off; the engineer applied her patch two days later.
    let applied = Ident { author: CISO, author_day: "2026-09-10", committer: ENGINEER, committer_day: "2026-09-12" };
    let id = r.commit_ciso(CISO, "2026-09-10", applied);
    r.policy(Some("author"));
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification")["commit"], id.as_str());
    assert_eq!(provenance(&doc, "ciso-verification")["author"], CISO);
    assert!(satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));

    // The other way round: written by the engineer, committed by the CISO.
    let pushed = Ident { author: ENGINEER, author_day: "2026-09-13", committer: CISO, committer_day: "2026-09-13" };
    let id = r.commit_ciso(CISO, "2026-09-13", pushed);
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification")["commit"], id.as_str());
    assert_eq!(provenance(&doc, "ciso-verification")["author"], ENGINEER);
    assert!(!satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
}

#[test]
fn the_signer_and_the_author_compare_without_regard_to_case() {
    let r = Repo::new("author-case");
    r.commit_ciso("Carol.CISO@example.org", "2026-09-10", Ident::by("carol.ciso@EXAMPLE.org", "2026-09-10"));
    r.policy(Some("author"));
    let doc = r.readiness();
    assert!(satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
}

// ---- which commit set the lines ----------------------------------------------

#[test]
fn a_sign_off_re_dated_by_someone_else_is_credited_to_the_later_commit() {
    let r = Repo::new("redated");
    let signed = r.commit_ciso(CISO, "2026-09-10", Ident::by(CISO, "2026-09-10"));
    r.edit(CISO_MD, "validated_on: 2026-09-10", "validated_on: 2026-09-12");
    let redated = r.commit(Ident::by(ENGINEER, "2026-09-13"), "Fix the date");
    assert_ne!(signed, redated);

    let doc = r.readiness();
    assert_eq!(
        provenance(&doc, "ciso-verification"),
        &json!({"commit": redated, "author": ENGINEER, "date": "2026-09-13", "state": "unsigned"})
    );
    r.policy(Some("author"));
    let doc = r.readiness();
    assert!(!satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
    let why = reason(&doc, "ciso-verification");
    assert!(why.contains(short(&redated)), "the reason names the re-dating commit: {why}");
}

#[test]
fn a_later_commit_that_changes_only_the_body_keeps_the_credit_with_the_signers_commit() {
    let r = Repo::new("body-only");
    let signed = r.commit_ciso(CISO, "2026-09-10", Ident::by(CISO, "2026-09-10"));
    r.write(CISO_MD, &ciso_md(Some((CISO, "2026-09-10")), "Retest of the batch interface booked for November."));
    let later = r.commit(Ident::by(ENGINEER, "2026-09-14"), "Add a note to the CISO's review");
    assert_ne!(signed, later);

    let want = json!({"commit": signed, "author": CISO, "date": "2026-09-10", "state": "unsigned"});
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification"), &want);
    r.policy(Some("author"));
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification"), &want);
    assert!(satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
}

#[test]
fn a_change_of_the_sign_off_lines_not_yet_committed_is_uncommitted() {
    let r = Repo::new("uncommitted");
    let signed = r.commit_ciso(CISO, "2026-09-10", Ident::by(CISO, "2026-09-10"));
    r.policy(Some("author"));

    // A body edit in the work tree leaves the sign-off lines as HEAD has them.
    r.write(CISO_MD, &ciso_md(Some((CISO, "2026-09-10")), "Draft note, not committed."));
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification")["commit"], signed.as_str());
    assert_eq!(provenance(&doc, "ciso-verification")["state"], "unsigned");
    assert!(satisfied(&doc, "ciso-verification"));

    // Re-dating it in the work tree does not.
    r.edit(CISO_MD, "validated_on: 2026-09-10", "validated_on: 2026-09-12");
    let doc = r.readiness();
    let prov = provenance(&doc, "ciso-verification");
    assert_eq!(prov["state"], "uncommitted", "{prov}");
    assert_ne!(prov["commit"], signed.as_str(), "not credited to the commit that set the old date: {prov}");
    assert!(!satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
    let why = reason(&doc, "ciso-verification");
    assert!(why.to_lowercase().contains("commit"), "the reason says it is not committed: {why}");

    // Under `none` it counts, and is still shown as uncommitted.
    r.policy(Some("none"));
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification")["state"], "uncommitted");
    assert!(satisfied(&doc, "ciso-verification"));
}

#[test]
fn a_sign_off_in_a_file_that_was_never_committed_is_uncommitted() {
    let r = Repo::new("new-file");
    fs::remove_file(r.path(CISO_MD)).unwrap();
    r.commit(Ident::by(ENGINEER, "2026-09-02"), "Start over on the CISO's review");
    r.sign_ciso(CISO, "2026-09-10");
    let doc = r.readiness();
    assert_eq!(
        provenance(&doc, "ciso-verification")["state"],
        "uncommitted",
        "{}",
        item(&doc, "alpha", "ciso-verification")
    );
}

#[test]
fn reverting_a_re_dating_credits_the_revert_not_the_first_signature() {
    // The lines the CISO committed come back, but it is the engineer's commit that last set them.
    let r = Repo::new("revert");
    let signed = r.commit_ciso(CISO, "2026-09-10", Ident::by(CISO, "2026-09-10"));
    r.edit(CISO_MD, "validated_on: 2026-09-10", "validated_on: 2026-09-12");
    r.commit(Ident::by(ENGINEER, "2026-09-12"), "Re-date");
    r.edit(CISO_MD, "validated_on: 2026-09-12", "validated_on: 2026-09-10");
    let reverted = r.commit(Ident::by(ENGINEER, "2026-09-13"), "Undo the re-dating");
    let doc = r.readiness();
    let prov = provenance(&doc, "ciso-verification");
    assert_ne!(prov["commit"], signed.as_str(), "{prov}");
    assert_eq!(prov, &json!({"commit": reverted, "author": ENGINEER, "date": "2026-09-13", "state": "unsigned"}));
}

#[test]
fn a_sign_off_committed_on_a_branch_and_merged_is_credited_to_the_branch_commit() {
    let r = Repo::new("merge");
    r.git(&["checkout", "-q", "-b", "ciso-review"]);
    let signed = r.commit_ciso(CISO, "2026-09-10", Ident::by(CISO, "2026-09-10"));
    r.git(&["checkout", "-q", "main"]);
    fs::write(r.top.path().join("NOTES.md"), "Cut-over notes.\n").unwrap();
    r.commit(Ident::by(ENGINEER, "2026-09-11"), "Notes");
    let mut merge = r.git_command(Ident::by(ENGINEER, "2026-09-12"), None);
    merge.args(["merge", "-q", "--no-ff", "-m", "Merge the CISO's review", "ciso-review"]);
    run_git(merge, "merge");
    let head = r.head();
    assert_ne!(head, signed);
    assert_eq!(r.git(&["rev-list", "--parents", "-n", "1", "HEAD"]).split_whitespace().count(), 3, "a merge commit");

    r.policy(Some("author"));
    let doc = r.readiness();
    assert_eq!(
        provenance(&doc, "ciso-verification"),
        &json!({"commit": signed, "author": CISO, "date": "2026-09-10", "state": "unsigned"})
    );
    assert!(satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
}

#[test]
fn a_staged_change_of_the_sign_off_lines_is_still_uncommitted() {
    let r = Repo::new("staged");
    r.commit_ciso(CISO, "2026-09-10", Ident::by(CISO, "2026-09-10"));
    r.edit(CISO_MD, "validated_on: 2026-09-10", "validated_on: 2026-09-12");
    r.git(&["add", "-A"]);
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification")["state"], "uncommitted");
}

#[test]
fn in_a_repository_without_commits_every_sign_off_is_uncommitted() {
    let r = Repo::untracked("unborn", "");
    r.git(&["init", "-q"]);
    r.sign_ciso(CISO, "2026-09-10");
    r.policy(Some("author"));
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification")["state"], "uncommitted");
    assert_eq!(provenance(&doc, "business-change-plan")["state"], "uncommitted");
    assert!(!satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
}

// ---- waivers -----------------------------------------------------------------

#[test]
fn a_waivers_approval_is_held_to_the_same_rules() {
    let r = Repo::new("waiver");
    // The engineer writes and commits a waiver approved by the CISO.
    r.write(IDENTITY_MD, &identity_waiver(CISO, "2026-09-05"));
    let typed = r.commit(Ident::by(ENGINEER, "2026-09-05"), "Waive identity-alignment");

    let doc = r.readiness();
    assert!(satisfied(&doc, "identity-alignment"), "{}", item(&doc, "alpha", "identity-alignment"));
    assert_eq!(
        provenance(&doc, "identity-alignment"),
        &json!({"commit": typed, "author": ENGINEER, "date": "2026-09-05", "state": "unsigned"})
    );

    r.policy(Some("author"));
    let doc = r.readiness();
    assert!(!satisfied(&doc, "identity-alignment"), "{}", item(&doc, "alpha", "identity-alignment"));
    let why = reason(&doc, "identity-alignment");
    for needle in [CISO, ENGINEER, short(&typed)] {
        assert!(why.contains(needle), "the reason names {needle}: {why}");
    }

    // A body-only change keeps the credit; the CISO re-approving herself takes it.
    r.write(IDENTITY_MD, &(identity_waiver(CISO, "2026-09-05") + "Ticket SEC-42.\n"));
    r.commit(Ident::by(ENGINEER, "2026-09-06"), "Link the ticket");
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "identity-alignment")["commit"], typed.as_str());

    r.write(IDENTITY_MD, &(identity_waiver(CISO, "2026-09-07") + "Ticket SEC-42.\n"));
    let approved = r.commit(Ident::by(CISO, "2026-09-07"), "Approve the waiver");
    let doc = r.readiness();
    assert_eq!(
        provenance(&doc, "identity-alignment"),
        &json!({"commit": approved, "author": CISO, "date": "2026-09-07", "state": "unsigned"})
    );
    assert!(satisfied(&doc, "identity-alignment"), "{}", item(&doc, "alpha", "identity-alignment"));

    // Re-dated in the work tree only: uncommitted, and it no longer counts.
    r.write(IDENTITY_MD, &(identity_waiver(CISO, "2026-09-08") + "Ticket SEC-42.\n"));
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "identity-alignment")["state"], "uncommitted");
    assert!(!satisfied(&doc, "identity-alignment"), "{}", item(&doc, "alpha", "identity-alignment"));
}

// ---- signatures ----------------------------------------------------------------

#[test]
fn an_ssh_signature_by_a_key_listed_for_the_signer_is_verified_and_counts_under_signature() {
    let r = Repo::new("ssh-verified");
    let keys = TempDir::new("ssh-verified-keys");
    let (key, public) = keygen(keys.path(), r.home.path(), "carol", "carol");
    r.ciso_keys(&[&public]);
    r.sign_ciso(CISO, "2026-09-10");
    let id = r.commit_signed(Ident::by(CISO, "2026-09-10"), &key, "Sign off ciso-verification");

    r.policy(Some("signature"));
    let doc = r.readiness();
    assert_eq!(
        provenance(&doc, "ciso-verification"),
        &json!({"commit": id, "author": CISO, "date": "2026-09-10", "state": "verified"})
    );
    assert!(satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
    // Bob's sign-off, committed unsigned by the engineer, does not.
    assert!(!satisfied(&doc, "business-change-plan"));
}

#[test]
fn a_commit_signed_with_a_key_not_listed_for_the_signer_is_signed_unknown() {
    let r = Repo::new("ssh-unknown");
    let keys = TempDir::new("ssh-unknown-keys");
    let (_, listed) = keygen(keys.path(), r.home.path(), "carol", "carol");
    let (other, _) = keygen(keys.path(), r.home.path(), "other", "someone-else");
    r.ciso_keys(&[&listed]);
    r.sign_ciso(CISO, "2026-09-10");
    let id = r.commit_signed(Ident::by(CISO, "2026-09-10"), &other, "Sign off ciso-verification");

    r.policy(Some("signature"));
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification")["commit"], id.as_str());
    assert_eq!(provenance(&doc, "ciso-verification")["state"], "signed-unknown");
    assert!(!satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
    let why = reason(&doc, "ciso-verification");
    assert!(why.contains(short(&id)), "the reason names the commit: {why}");

    // `author` asks nothing of the signature.
    r.policy(Some("author"));
    let doc = r.readiness();
    assert!(satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
}

#[test]
fn an_unsigned_commit_does_not_count_under_signature() {
    let r = Repo::new("ssh-unsigned");
    let keys = TempDir::new("ssh-unsigned-keys");
    let (_, public) = keygen(keys.path(), r.home.path(), "carol", "carol");
    r.ciso_keys(&[&public]);
    let id = r.commit_ciso(CISO, "2026-09-10", Ident::by(CISO, "2026-09-10"));

    r.policy(Some("signature"));
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification")["state"], "unsigned");
    assert!(!satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
    let why = reason(&doc, "ciso-verification");
    assert!(why.contains(short(&id)), "the reason names the commit: {why}");
}

#[test]
fn a_commit_by_someone_else_signed_with_the_signers_key_does_not_count_under_signature() {
    let r = Repo::new("ssh-foreign-author");
    let keys = TempDir::new("ssh-foreign-author-keys");
    let (key, public) = keygen(keys.path(), r.home.path(), "carol", "carol");
    r.ciso_keys(&[&public]);
    r.sign_ciso(CISO, "2026-09-10");
    // The engineer got hold of the CISO's key: the author still is not her.
    let id = r.commit_signed(Ident::by(ENGINEER, "2026-09-10"), &key, "Sign off ciso-verification");
    r.policy(Some("signature"));
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification")["commit"], id.as_str());
    assert_eq!(provenance(&doc, "ciso-verification")["author"], ENGINEER);
    assert!(!satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
}

// ---- when the history cannot be read ------------------------------------------

#[test]
fn a_policy_in_a_shallow_clone_is_an_error_at_its_key_that_says_to_fetch_the_whole_history() {
    let origin = Repo::new("shallow-origin");
    origin.commit_ciso(CISO, "2026-09-10", Ident::by(CISO, "2026-09-10"));
    let clone = origin.shallow_clone("shallow-clone");
    assert!(clone.top.path().join(".git/shallow").is_file(), "the clone is shallow");

    for policy in ["author", "signature"] {
        clone.policy(Some(policy));
        let (run, diags) = clone.check();
        let at = policy_value_at(&clone);
        let errs = errors(&diags);
        let e = errs
            .iter()
            .find(|d| d.file == SITE)
            .unwrap_or_else(|| panic!("{policy}: no error at {SITE}: {diags:#?}\n{}", run.stderr));
        assert_eq!((e.line, e.column), at, "{policy}: at the value of signoff_provenance: {e:?}");
        let help = e.help.as_deref().unwrap_or_default().to_lowercase();
        assert!(
            help.contains("fetch") && help.contains("history"),
            "{policy}: the help says to fetch the history: {e:?}"
        );
        assert_eq!(run.code, 1, "{policy}: {}", run.stderr);
    }

    for policy in [Some("none"), None] {
        clone.policy(policy);
        let (run, diags) = clone.check();
        assert!(errors(&diags).is_empty(), "{policy:?}: {diags:#?}");
        assert_eq!(run.code, 0, "{policy:?}: {}", run.stderr);
        let doc = clone.readiness();
        assert!(satisfied(&doc, "ciso-verification"), "{policy:?}");
    }
}

#[test]
fn a_policy_outside_a_git_work_tree_is_an_error_at_its_key() {
    let r = Repo::untracked("no-git", "");
    r.sign_ciso(CISO, "2026-09-10");
    let mut probe = Command::new("git");
    hermetic(&mut probe, r.home.path());
    let probe = probe.current_dir(&r.site).args(["rev-parse", "--is-inside-work-tree"]).output().unwrap();
    assert!(!probe.status.success(), "the temporary folder must not be inside a git work tree");

    for policy in ["author", "signature"] {
        r.policy(Some(policy));
        let (run, diags) = r.check();
        let at = policy_value_at(&r);
        let e = errors(&diags)
            .into_iter()
            .find(|d| d.file == SITE)
            .unwrap_or_else(|| panic!("{policy}: no error at {SITE}: {diags:#?}"));
        assert_eq!((e.line, e.column), at, "{policy}: {e:?}");
        assert!(e.help.as_deref().is_some_and(|h| !h.trim().is_empty()), "{policy}: says how to fix it: {e:?}");
        assert_eq!(run.code, 1, "{policy}");
    }

    r.policy(None);
    let (run, diags) = r.check();
    assert!(errors(&diags).is_empty(), "{diags:#?}");
    assert_eq!(run.code, 0);
    let doc = r.readiness();
    assert!(satisfied(&doc, "ciso-verification"));
    assert!(provenance(&doc, "ciso-verification").is_null(), "no history, no record");
}

// ---- cutover sign ------------------------------------------------------------

#[test]
fn sign_under_author_refuses_a_signer_other_than_gits_user_email() {
    let r = Repo::new("sign-author");
    r.policy(Some("author"));
    r.git(&["config", "user.email", ENGINEER]);
    let before = snapshot(&r.site, &[]);
    let run = r.sign("ciso-verification", CISO, "2026-09-10");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(ENGINEER) && run.stderr.contains(CISO), "names both: {}", run.stderr);
    assert_same_files(&before, &snapshot(&r.site, &[]), "a refused sign-off writes nothing");
    assert_eq!(fs::read(r.path(CISO_MD)).unwrap(), before[CISO_MD], "byte-identical");

    // With user.email set to the CISO's, it signs; once she commits it, it counts.
    r.git(&["config", "user.email", CISO]);
    let run = r.sign("ciso-verification", CISO, "2026-09-10");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = r.read(CISO_MD);
    assert!(
        text.contains(&format!("\nvalidated_by: {CISO}\n")) && text.contains("\nvalidated_on: 2026-09-10\n"),
        "{text}"
    );
    let id = r.commit(Ident::by(CISO, "2026-09-10"), "Sign off");
    let doc = r.readiness();
    assert_eq!(provenance(&doc, "ciso-verification")["commit"], id.as_str());
    assert!(satisfied(&doc, "ciso-verification"), "{}", item(&doc, "alpha", "ciso-verification"));
}

#[test]
fn sign_under_none_does_not_look_at_gits_user_email() {
    let r = Repo::new("sign-none");
    r.git(&["config", "user.email", ENGINEER]);
    let run = r.sign("ciso-verification", CISO, "2026-09-10");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(r.read(CISO_MD).contains(&format!("\nvalidated_by: {CISO}\n")));
}

// ---- where the site root is ----------------------------------------------------

#[test]
fn a_site_root_in_a_subfolder_of_the_repository_works() {
    let r = Repo::at("subfolder", "portal");
    fs::write(r.top.path().join("README.md"), "The portal's repository.\n").unwrap();
    let first = r.commit(Ident::by(ENGINEER, "2026-09-02"), "Add a README");
    let id = r.commit_ciso(CISO, "2026-09-10", Ident::by(CISO, "2026-09-10"));
    r.policy(Some("author"));
    let doc = r.readiness();
    assert_eq!(
        provenance(&doc, "ciso-verification"),
        &json!({"commit": id, "author": CISO, "date": "2026-09-10", "state": "unsigned"})
    );
    assert!(satisfied(&doc, "ciso-verification"));
    // The engineer's initial commit holds bob's sign-off.
    let initial = r.git(&["rev-list", "--max-parents=0", "HEAD"]).trim().to_string();
    assert_ne!(initial, first);
    assert_eq!(provenance(&doc, "business-change-plan")["commit"], initial.as_str());
    assert!(!satisfied(&doc, "business-change-plan"));
    let (run, diags) = r.check();
    assert!(errors(&diags).is_empty(), "{diags:#?}");
    assert_eq!(run.code, 0);
}

// ---- pages -------------------------------------------------------------------

/// The HTML of `<article ... id="item-{id}">` of a workload page.
fn article<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"item-{id}\"")).unwrap_or_else(|| panic!("no item {id}"));
    let end = start + html[start..].find("</article>").unwrap();
    &html[start..end]
}

#[test]
fn the_report_shows_who_committed_a_sign_off_and_the_security_view_lists_the_foreign_ones() {
    let r = Repo::new("pages");
    let initial = r.head();
    let id = r.commit_ciso(CISO, "2026-09-10", Ident::by(CISO, "2026-09-11"));
    r.build();

    let report = r.page("workloads/alpha/index.html");
    let ciso = html_text(article(&report, "ciso-verification"));
    assert!(ciso.contains(short(&id)), "the report shows the commit: {ciso}");
    assert!(!ciso.contains(short(&initial)), "{ciso}");
    let business = html_text(article(&report, "business-change-plan"));
    assert!(
        business.contains(short(&initial)) && business.contains(ENGINEER),
        "the report shows the commit and its author: {business}"
    );

    let security = r.page("security/index.html");
    let start = security.find("id=\"provenance-h\"").expect("a provenance section in the security view");
    let section = &security[start..start + security[start..].find("</section>").unwrap()];
    // Each table row and list entry of the section, on its own.
    let entries: Vec<String> = [("<tr", "</tr>"), ("<li", "</li>")]
        .iter()
        .flat_map(|(open, close)| {
            section.split(open).skip(1).map(move |e| html_text(&e[..e.find(close).unwrap_or(e.len())]))
        })
        .collect();
    assert!(
        entries.iter().any(|e| e.contains(BUSINESS) && e.contains(ENGINEER) && e.contains(short(&initial))),
        "bob's sign-off, committed by the engineer, is listed: {}",
        html_text(section)
    );
}

// ---- keys in site.yaml -----------------------------------------------------------

#[test]
fn a_key_that_is_not_an_openssh_public_key_is_an_error_at_its_entry() {
    let r = Repo::untracked("bad-key", "");
    r.ciso_keys(&["not a key"]);
    let (run, diags) = r.check();
    let at = position(&r.read(SITE), "\"not a key\"");
    let errs = errors(&diags);
    assert!(
        errs.iter().any(|d| d.file == SITE && (d.line, d.column) == at),
        "an error at {SITE}:{}:{}: {diags:#?}",
        at.0,
        at.1
    );
    assert_eq!(run.code, 1);

    // Block style, after a good key: the error is at the second entry only.
    let keys = TempDir::new("bad-key-keys");
    let (_, public) = keygen(keys.path(), r.home.path(), "carol", "carol");
    r.edit(
        SITE,
        "      keys: [\"not a key\"]\n",
        &format!("      keys:\n        - {public}\n        - not a key either\n"),
    );
    let (run, diags) = r.check();
    let at = position(&r.read(SITE), "not a key either");
    let at_site: Vec<(u32, u32)> =
        errors(&diags).iter().filter(|d| d.file == SITE).map(|d| (d.line, d.column)).collect();
    assert_eq!(at_site, [at], "{diags:#?}");
    assert_eq!(run.code, 1);
}
