//! Throwaway repositories built with the `git` CLI (tests only: the module
//! itself never runs it), with the host's configuration shut out so that
//! the results do not depend on the machine.

use super::*;
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A folder under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("cutover-git-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs git in `dir` as `email`, at `seconds` since 1970, and returns its standard output.
fn git_as(dir: &Path, email: &str, seconds: i64, args: &[&str]) -> String {
    let date = format!("@{seconds} +0000");
    let name = email.split('@').next().unwrap_or(email);
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", name)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_NAME", name)
        .env("GIT_COMMITTER_EMAIL", email)
        .env("GIT_COMMITTER_DATE", &date)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A repository being built commit by commit, one day apart from 2026-01-01.
struct Fixture {
    dir: TempDir,
    day: Cell<i64>,
}

const JAN_1_2026: i64 = 1_767_225_600;

impl Fixture {
    fn new(name: &str) -> Fixture {
        let f = Fixture { dir: TempDir::new(name), day: Cell::new(0) };
        f.git(&["init", "-q"]);
        f
    }

    fn path(&self) -> &Path {
        &self.dir.0
    }

    fn git(&self, args: &[&str]) -> String {
        git_as(self.path(), "tester@x.example", JAN_1_2026 + self.day.get() * 86_400, args)
    }

    fn write(&self, path: &str, text: &str) {
        let file = self.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }

    /// Commits everything as `email` on the next day; returns the commit id.
    fn commit_as(&self, email: &str, extra: &[&str]) -> String {
        self.day.set(self.day.get() + 1);
        let when = JAN_1_2026 + self.day.get() * 86_400;
        git_as(self.path(), email, when, &["add", "-A"]);
        let mut args = extra.to_vec();
        args.extend(["commit", "-q", "--allow-empty", "-m", "change"]);
        git_as(self.path(), email, when, &args);
        self.git(&["rev-parse", "HEAD"])
    }

    fn repo(&self) -> Repo {
        discover(self.path()).unwrap().expect("a repository")
    }
}

/// The test's fingerprints: each line that starts with `sig:`.
fn sigs(_path: &str, bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes).lines().filter(|l| l.starts_with("sig:")).map(str::to_string).collect()
}

/// The commit id credited with `fingerprint` in `file`.
fn origin_of(repo: &Repo, file: &str, fingerprint: &str) -> Option<String> {
    let all = repo.origins(&[file.to_string()], sigs).unwrap();
    all.get(file)?.get(fingerprint).map(|c| c.id.clone())
}

#[test]
fn outside_a_work_tree_there_is_no_repository() {
    let dir = TempDir::new("plain");
    assert!(discover(&dir.0).unwrap().is_none());
    assert!(discover(&dir.0.join("missing")).unwrap_err().to_string().contains("not a folder"));
    let bare = TempDir::new("bare");
    git_as(&bare.0, "a@x.example", JAN_1_2026, &["init", "-q", "--bare"]);
    assert!(discover(&bare.0).unwrap().is_none());
}

#[test]
fn unborn_head_has_no_commit_and_no_origins() {
    let f = Fixture::new("unborn");
    f.write("content/a.md", "sig: ana\n");
    let repo = f.repo();
    assert_eq!(repo.head(), None);
    assert!(repo.origins(&["content/a.md".to_string()], sigs).unwrap().is_empty());
    assert!(!repo.is_shallow());
}

#[test]
fn a_site_root_in_a_subfolder_uses_site_relative_paths() {
    let f = Fixture::new("subfolder");
    f.write("site/content/a.md", "sig: ana\n");
    f.write("content/a.md", "sig: elsewhere\n");
    let id = f.commit_as("ana@x.example", &[]);
    let repo = discover(&f.path().join("site/content")).unwrap().expect("found from below the site root");
    assert_eq!(repo.head(), Some(id.clone()));
    let repo = discover(&f.path().join("site")).unwrap().unwrap();
    let all = repo.origins(&["content/a.md".to_string(), "content/missing.md".to_string()], sigs).unwrap();
    assert_eq!(all.len(), 1, "a file absent from HEAD is absent from the result: {all:?}");
    let commit = &all["content/a.md"]["sig: ana"];
    assert_eq!(commit.id, id);
    assert_eq!(commit.short_id(), &id[..7]);
    assert_eq!(commit.author_email, "ana@x.example");
    assert_eq!(commit.author_name, "ana");
    assert_eq!(commit.date, crate::core::date::Date::parse("2026-01-02").unwrap());
    assert_eq!(commit.signature, Signature::None);
}

#[test]
fn the_origin_is_the_commit_that_set_the_lines_not_a_later_one() {
    let f = Fixture::new("authors");
    f.write("content/a.md", "title: A\nsig: ana 2026-01-02\n");
    f.write("content/b.md", "sig: li 2026-01-02\n");
    let set = f.commit_as("ana@x.example", &[]);
    f.write("content/a.md", "title: A, renamed\nsig: ana 2026-01-02\nnotes\n");
    let later = f.commit_as("bob@x.example", &[]);
    let repo = f.repo();
    assert_eq!(origin_of(&repo, "content/a.md", "sig: ana 2026-01-02"), Some(set.clone()));
    assert_eq!(origin_of(&repo, "content/a.md", "sig: bob"), None);
    assert_ne!(set, later);

    // Re-dating the sign-off is a new sign-off, by whoever committed it.
    f.write("content/a.md", "title: A, renamed\nsig: ana 2026-02-01\nnotes\n");
    let redated = f.commit_as("bob@x.example", &[]);
    let all = f.repo().origins(&["content/a.md".to_string(), "content/b.md".to_string()], sigs).unwrap();
    let commit = &all["content/a.md"]["sig: ana 2026-02-01"];
    assert_eq!((commit.id.as_str(), commit.author_email.as_str()), (redated.as_str(), "bob@x.example"));
    assert_eq!(all["content/a.md"].len(), 1);
    assert_eq!(all["content/b.md"]["sig: li 2026-01-02"].id, set);
}

#[test]
fn a_sign_off_merged_from_a_branch_is_credited_to_the_branch_commit() {
    let f = Fixture::new("merge");
    f.write("content/a.md", "title: A\n");
    f.write("content/b.md", "title: B\n");
    f.commit_as("bob@x.example", &[]);
    f.git(&["checkout", "-q", "-b", "signoff"]);
    f.write("content/a.md", "title: A\nsig: ana\n");
    let signed = f.commit_as("ana@x.example", &[]);
    f.git(&["checkout", "-q", "main"]);
    f.write("content/b.md", "title: B, edited\n");
    f.commit_as("bob@x.example", &[]);
    f.day.set(f.day.get() + 1);
    f.git(&["merge", "-q", "--no-ff", "-m", "merge", "signoff"]);
    let repo = f.repo();
    assert_eq!(f.git(&["rev-list", "--count", "--merges", "HEAD"]), "1");
    assert_eq!(origin_of(&repo, "content/a.md", "sig: ana"), Some(signed));
}

#[test]
fn a_sign_off_changed_and_changed_back_is_credited_to_the_change_back() {
    let f = Fixture::new("back");
    f.write("content/a.md", "sig: ana\n");
    f.commit_as("ana@x.example", &[]);
    f.write("content/a.md", "sig: bob\n");
    f.commit_as("bob@x.example", &[]);
    f.write("content/a.md", "sig: ana\n");
    let back = f.commit_as("carol@x.example", &[]);
    assert_eq!(origin_of(&f.repo(), "content/a.md", "sig: ana"), Some(back));
}

#[test]
fn with_the_same_lines_on_two_branches_the_oldest_unbroken_origin_wins() {
    let f = Fixture::new("two-branches");
    f.write("content/a.md", "sig: ana\n");
    let first = f.commit_as("ana@x.example", &[]);
    f.git(&["checkout", "-q", "-b", "side"]);
    f.write("content/other.md", "x\n");
    f.commit_as("bob@x.example", &[]);
    f.git(&["checkout", "-q", "main"]);
    f.write("content/a.md", "sig: bob\n");
    f.commit_as("bob@x.example", &[]);
    f.write("content/a.md", "sig: ana\n");
    let back = f.commit_as("carol@x.example", &[]);
    f.day.set(f.day.get() + 1);
    f.git(&["merge", "-q", "--no-ff", "-m", "merge", "side"]);
    // `side` kept the first commit's lines all along, so that path is unbroken.
    assert_eq!(origin_of(&f.repo(), "content/a.md", "sig: ana"), Some(first.clone()));
    assert_ne!(first, back);
}

#[test]
fn a_deleted_file_is_absent() {
    let f = Fixture::new("deleted");
    f.write("content/a.md", "sig: ana\n");
    f.write("content/b.md", "title\n");
    f.commit_as("ana@x.example", &[]);
    std::fs::remove_file(f.path().join("content/a.md")).unwrap();
    f.commit_as("ana@x.example", &[]);
    let all = f.repo().origins(&["content/a.md".to_string(), "content/b.md".to_string()], sigs).unwrap();
    assert_eq!(all.keys().collect::<Vec<_>>(), ["content/b.md"]);
    assert!(all["content/b.md"].is_empty());
}

#[test]
fn ssh_signatures_verify_with_the_signers_key_only() {
    let f = Fixture::new("signed");
    let keys = TempDir::new("keys");
    for name in ["signer", "other"] {
        let status = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
            .arg(keys.0.join(name))
            .status()
            .expect("run ssh-keygen");
        assert!(status.success());
    }
    let key = |name: &str| {
        let line = std::fs::read_to_string(keys.0.join(format!("{name}.pub"))).unwrap();
        parse_public_key(&line).unwrap()
    };
    f.write("content/a.md", "sig: ana\n");
    let signing_key = format!("user.signingkey={}", keys.0.join("signer.pub").display());
    let signed =
        f.commit_as("ana@x.example", &["-c", "gpg.format=ssh", "-c", &signing_key, "-c", "commit.gpgsign=true"]);
    f.write("content/b.md", "sig: bob\n");
    let unsigned = f.commit_as("bob@x.example", &[]);
    let all = f.repo().origins(&["content/a.md".to_string(), "content/b.md".to_string()], sigs).unwrap();
    let a = &all["content/a.md"]["sig: ana"];
    assert_eq!(a.id, signed);
    assert!(matches!(a.signature, Signature::Ssh { .. }), "{:?}", a.signature);
    assert_eq!(a.signature_state(&[key("signer")]), SignatureState::Verified);
    assert_eq!(a.signature_state(&[key("other"), key("signer")]), SignatureState::Verified);
    assert_eq!(a.signature_state(&[key("other")]), SignatureState::SignedUnknown);
    assert_eq!(a.signature_state(&[]), SignatureState::SignedUnknown);
    let b = &all["content/b.md"]["sig: bob"];
    assert_eq!(b.id, unsigned);
    assert_eq!(b.signature_state(&[key("signer")]), SignatureState::Unsigned);

    // A signature that does not match its commit does not verify.
    let Signature::Ssh { armored, payload } = a.signature.clone() else { unreachable!() };
    let mut payload = payload;
    payload[0] ^= 1;
    let tampered = Commit { signature: Signature::Ssh { armored, payload }, ..a.clone() };
    assert_eq!(tampered.signature_state(&[key("signer")]), SignatureState::SignedUnknown);
    assert_eq!(serde_json::to_string(&SignatureState::SignedUnknown).unwrap(), "\"signed-unknown\"");
}

#[test]
fn signature_headers_are_split_from_the_signed_payload() {
    let raw = b"tree 1\nauthor a <a@x> 1 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\ncommitter a <a@x> 1 +0000\n\nmsg\n gpgsig not a header\n";
    assert_eq!(commit::signature_of(raw), Signature::Other);
    let raw = b"tree 1\ngpgsig -----BEGIN SSH SIGNATURE-----\n abc\n -----END SSH SIGNATURE-----\n\nmsg\n";
    let Signature::Ssh { armored, payload } = commit::signature_of(raw) else { panic!("an SSH signature") };
    assert_eq!(armored, "-----BEGIN SSH SIGNATURE-----\nabc\n-----END SSH SIGNATURE-----");
    assert_eq!(payload, b"tree 1\n\nmsg\n");
    assert_eq!(commit::signature_of(b"tree 1\n\nmsg\n"), Signature::None);
}

#[test]
fn a_shallow_clone_is_shallow_and_a_full_clone_is_not() {
    let f = Fixture::new("origin");
    f.write("content/a.md", "sig: ana\n");
    f.commit_as("ana@x.example", &[]);
    f.write("content/b.md", "sig: bob\n");
    let last = f.commit_as("bob@x.example", &[]);
    let clones = TempDir::new("clones");
    let url = format!("file://{}", f.path().display());
    git_as(&clones.0, "a@x.example", JAN_1_2026, &["clone", "-q", "--depth", "1", &url, "shallow"]);
    git_as(&clones.0, "a@x.example", JAN_1_2026, &["clone", "-q", &url, "full"]);
    let shallow = discover(&clones.0.join("shallow")).unwrap().unwrap();
    assert!(shallow.is_shallow());
    // The boundary commit stands for the history that is missing.
    assert_eq!(origin_of(&shallow, "content/a.md", "sig: ana"), Some(last));
    assert!(!discover(&clones.0.join("full")).unwrap().unwrap().is_shallow());
    assert!(!f.repo().is_shallow());
}

#[test]
fn user_email_comes_from_the_repository_config() {
    let f = Fixture::new("email");
    f.git(&["config", "user.email", "ines@x.example"]);
    assert_eq!(f.repo().user_email().as_deref(), Some("ines@x.example"));
}

#[test]
fn public_keys_parse_or_say_why_not() {
    let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIADuS8YyZjeE053JA0Q8lRXxUPvgpaYmOQbwqRxPUk6X ana@laptop";
    let key = parse_public_key(line).unwrap();
    assert_eq!(key.algorithm(), ssh_key::Algorithm::Ed25519);
    let err = parse_public_key("not a key").unwrap_err().to_string();
    assert!(err.contains("not an OpenSSH public key") && err.contains("ssh-ed25519"), "{err}");
    let err = parse_public_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIADuS8Yy ana@laptop").unwrap_err();
    assert!(std::error::Error::source(&err).is_some(), "the decoding error is kept as the cause");
    let err = err.to_string();
    assert!(err.contains("not a valid OpenSSH public key"), "{err}");
    assert!(parse_public_key("").unwrap_err().to_string().contains("empty"));
}

#[test]
fn a_corrupt_object_is_an_error_not_a_panic() {
    let f = Fixture::new("corrupt");
    f.write("content/a.md", "sig: ana\n");
    f.commit_as("ana@x.example", &[]);
    let blob = f.git(&["rev-parse", "HEAD:content/a.md"]);
    let object = f.path().join(".git/objects").join(&blob[..2]).join(&blob[2..]);
    // Git writes objects read-only: replace the file rather than write into it.
    std::fs::remove_file(&object).unwrap();
    std::fs::write(&object, b"not zlib at all").unwrap();
    let err = f.repo().origins(&["content/a.md".to_string()], sigs).unwrap_err();
    assert!(err.to_string().contains("content/a.md"), "{err}");
}

#[test]
fn a_repository_that_cannot_be_opened_is_an_error() {
    let f = Fixture::new("bad-config");
    std::fs::write(f.path().join(".git/config"), "[core\nbroken\n").unwrap();
    let err = discover(f.path()).expect_err("an error, not `no repository`");
    assert!(err.to_string().contains("configuration"), "{err}");
}

#[test]
fn a_repo_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Repo>();
}

/// Random histories (merges, several roots, lines that come and go and come
/// back), written with `git fast-import`, against the definition computed
/// directly on the generator's model.
#[test]
fn origins_match_the_definition_on_random_histories() {
    use std::collections::{BTreeMap, BTreeSet};
    use std::io::Write;
    const FILES: usize = 4;
    for seed in 1..=12u64 {
        let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        // Per commit: its parents and each file's lines (None when absent).
        let mut parents: Vec<Vec<usize>> = Vec::new();
        let mut contents: Vec<Vec<Option<Vec<String>>>> = Vec::new();
        for c in 0..30usize {
            let ps: Vec<usize> = match (c, next(20)) {
                (0, _) | (_, 0) => vec![],
                (_, 1..=5) if c >= 2 => {
                    let a = next(c as u64) as usize;
                    let b = (a + 1 + next(c as u64 - 1) as usize) % c;
                    vec![a, b]
                }
                _ => vec![c - 1 - next(c.min(3) as u64) as usize],
            };
            let files = (0..FILES)
                .map(|f| match ps.first() {
                    Some(&p) if next(10) < 6 => contents[p][f].clone(),
                    _ if next(10) == 0 => None,
                    _ => Some(
                        ["sig: a", "sig: b", "sig: c", &format!("note {}", next(3))]
                            .iter()
                            .filter(|_| next(2) == 0)
                            .map(|s| s.to_string())
                            .collect(),
                    ),
                })
                .collect();
            parents.push(ps);
            contents.push(files);
        }
        let mut stream = Vec::new();
        for (c, ps) in parents.iter().enumerate() {
            let time = JAN_1_2026 + c as i64 * 3_600;
            let _ = write!(stream, "commit refs/heads/c{c}\nmark :{}\n", c + 1);
            let _ = write!(stream, "author A <a{c}@x.example> {time} +0000\ncommitter A <a@x.example> {time} +0000\n");
            let _ = write!(stream, "data 1\nm\n");
            for (i, p) in ps.iter().enumerate() {
                let _ = writeln!(stream, "{} :{}", if i == 0 { "from" } else { "merge" }, p + 1);
            }
            stream.extend_from_slice(b"deleteall\n");
            for (f, text) in contents[c].iter().enumerate() {
                if let Some(lines) = text {
                    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
                    let _ = write!(stream, "M 100644 inline content/f{f}.md\ndata {}\n{body}\n", body.len());
                }
            }
        }
        let head = parents.len() - 1;
        let _ = write!(stream, "reset refs/heads/main\nfrom :{}\n\n", head + 1);
        let dir = TempDir::new("random");
        git_as(&dir.0, "a@x.example", JAN_1_2026, &["init", "-q"]);
        let mut child = Command::new("git")
            .current_dir(&dir.0)
            .args(["fast-import", "--quiet"])
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&stream).unwrap();
        assert!(child.wait().unwrap().success());
        let refs =
            git_as(&dir.0, "a@x.example", JAN_1_2026, &["for-each-ref", "--format=%(refname:short) %(objectname)"]);
        let by_ref: BTreeMap<&str, &str> = refs.lines().filter_map(|l| l.split_once(' ')).collect();
        let ids: Vec<String> = (0..parents.len()).map(|c| by_ref[format!("c{c}").as_str()].to_string()).collect();

        // The definition: a commit introduced a line when no parent has it;
        // otherwise the oldest origin among the parents that have it.
        let has = |c: usize, f: usize, line: &str| contents[c][f].as_ref().is_some_and(|l| l.iter().any(|x| x == line));
        fn origin(
            c: usize,
            f: usize,
            line: &str,
            parents: &[Vec<usize>],
            has: &dyn Fn(usize, usize, &str) -> bool,
        ) -> usize {
            let with: Vec<usize> = parents[c].iter().copied().filter(|&p| has(p, f, line)).collect();
            with.iter().map(|&p| origin(p, f, line, parents, has)).min().unwrap_or(c)
        }
        let mut expected: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for f in 0..FILES {
            if let Some(lines) = &contents[head][f] {
                let sigs: BTreeSet<&String> = lines.iter().filter(|l| l.starts_with("sig:")).collect();
                expected.insert(
                    format!("content/f{f}.md"),
                    sigs.into_iter().map(|l| (l.clone(), ids[origin(head, f, l, &parents, &has)].clone())).collect(),
                );
            }
        }
        let repo = discover(&dir.0).unwrap().unwrap();
        let files: Vec<String> = (0..FILES).map(|f| format!("content/f{f}.md")).collect();
        let found: BTreeMap<String, BTreeMap<String, String>> = repo
            .origins(&files, sigs)
            .unwrap()
            .into_iter()
            .map(|(file, map)| (file, map.into_iter().map(|(fp, c)| (fp, c.id)).collect()))
            .collect();
        assert_eq!(found, expected, "seed {seed}");
    }
}
