//! Who committed each sign-off. Between validation and evaluation, this stage
//! asks the git layer which commit introduced each sign-off that the work
//! tree records (its signer and date, read from every version of the file
//! that history holds) and writes the answer into the evidence, so that
//! evaluation can hold sign-offs to `signoff_provenance` and render can show
//! them. It never runs `git` and never writes to the repository.

use crate::core::approvers::Roles;
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::model::{Evidence, Portfolio, Provenance, ProvenancePolicy, ProvenanceState};
use crate::load::git::{BlobId, Commit, PublicKey, SignatureState};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Which sign-off of an evidence file a fingerprint names.
const VALIDATION: &str = "validation";
const WAIVER: &str = "waiver";

/// Fills in `provenance` for every sign-off of `portfolio`, when the site
/// root is inside a git work tree with its whole history. A policy other
/// than `none` that cannot be checked is an error at its key in site.yaml.
pub fn attach(root: &Path, portfolio: &mut Portfolio, diags: &mut Vec<Diagnostic>) {
    let policy = portfolio.site.signoff_provenance;
    let repo = match crate::load::git::discover(root) {
        Ok(Some(repo)) if repo.is_shallow() => {
            cannot_check(
                portfolio,
                diags,
                "this clone is shallow, so the commits that recorded sign-offs are missing",
                "fetch the whole history (`git fetch --unshallow`; in CI, a full checkout such as `fetch-depth: 0`)",
            );
            return;
        }
        Ok(Some(repo)) => repo,
        Ok(None) => {
            cannot_check(
                portfolio,
                diags,
                "the site root is not inside a git work tree",
                "build from a clone of the repository that holds content/, or set `signoff_provenance: none`",
            );
            return;
        }
        Err(e) => {
            let (line, column) = portfolio.site.signoff_provenance_at;
            let file = "content/site.yaml";
            diags.push(
                Diagnostic::new(
                    if policy == ProvenancePolicy::None { Code::W0008 } else { Code::E0603 },
                    file,
                    line,
                    column,
                    format!("the git repository cannot be read: {e}"),
                )
                .with_help("repair the repository (`git fsck` tells what is wrong), or build from a fresh clone"),
            );
            return;
        }
    };
    let files: Vec<String> = portfolio
        .workloads
        .values()
        .flat_map(|w| w.evidence.values())
        .filter(|e| !signoffs(e).is_empty())
        .map(|e| e.file.clone())
        .collect();
    if files.is_empty() {
        return;
    }
    let known = known_blobs(root, portfolio);
    let origins = match repo.origins_knowing(&files, &known, |_, bytes| fingerprints_of(bytes)) {
        Ok(o) => o,
        Err(e) => {
            let (line, column) = portfolio.site.signoff_provenance_at;
            let code = if policy == ProvenancePolicy::None { Code::W0008 } else { Code::E0603 };
            diags.push(
                Diagnostic::new(
                    code,
                    "content/site.yaml",
                    line,
                    column,
                    format!("the history of the sign-offs cannot be read: {e}"),
                )
                .with_help("repair the repository (`git fsck` tells what is wrong), or build from a fresh clone"),
            );
            return;
        }
    };
    let keys = KeyRing::new(&portfolio.site.approvers);
    let none = BTreeMap::new();
    for w in portfolio.workloads.values_mut() {
        for ev in w.evidence.values_mut() {
            let at_head = origins.get(&ev.file).unwrap_or(&none);
            for (kind, print) in signoffs(ev) {
                let signer = print.split('\0').nth(1).unwrap_or_default().to_string();
                let prov = match at_head.get(&print) {
                    Some(commit) => committed(commit, keys.of(&signer)),
                    None => Provenance::uncommitted(),
                };
                match kind {
                    VALIDATION => ev.provenance = Some(prov),
                    _ => {
                        if let Some(w) = ev.waiver.as_mut() {
                            w.provenance = Some(prov);
                        }
                    }
                }
            }
        }
    }
}

/// What history's blobs of the work tree's files say, without reading them
/// back: a build hashed each evidence file while validating it; other runs
/// read the files again (still cheaper than decompressing their blobs).
fn known_blobs(root: &Path, portfolio: &Portfolio) -> Vec<(BlobId, Vec<String>)> {
    let evidence: Vec<&Evidence> = portfolio
        .workloads
        .values()
        .flat_map(|w| w.evidence.values().map(Box::as_ref))
        .filter(|e| !signoffs(e).is_empty())
        .collect();
    evidence
        .par_iter()
        .filter_map(|e| match e.blob {
            Some(id) => Some((id, signoffs(e).into_iter().map(|(_, print)| print).collect())),
            None => {
                let bytes = std::fs::read(root.join(&e.file)).ok()?;
                Some((crate::load::git::blob_id(&bytes), fingerprints_of(&bytes)))
            }
        })
        .collect()
}

/// E0603 where the policy needs the history; where it is only shown, nothing.
fn cannot_check(portfolio: &Portfolio, diags: &mut Vec<Diagnostic>, why: &str, help: &str) {
    let policy = portfolio.site.signoff_provenance;
    if policy == ProvenancePolicy::None {
        return;
    }
    let (line, column) = portfolio.site.signoff_provenance_at;
    diags.push(
        Diagnostic::new(
            Code::E0603,
            "content/site.yaml",
            line,
            column,
            format!("`signoff_provenance: {}` needs the git history, but {why}", policy.as_str()),
        )
        .with_help(help),
    );
}

fn committed(c: &Commit, keys: &[PublicKey]) -> Provenance {
    let state = match c.signature_state(keys) {
        SignatureState::Verified => ProvenanceState::Verified,
        SignatureState::SignedUnknown => ProvenanceState::SignedUnknown,
        SignatureState::Unsigned => ProvenanceState::Unsigned,
    };
    Provenance { commit: Some(c.id.clone()), author: Some(c.author_email.clone()), date: Some(c.date), state }
}

/// The sign-offs the work tree records in `ev`, as (kind, fingerprint).
fn signoffs(ev: &Evidence) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let (Some(by), Some(on)) = (&ev.validated_by, ev.validated_on) {
        out.push((VALIDATION, fingerprint(VALIDATION, by, &on.to_string())));
    }
    if let Some(w) = &ev.waiver {
        out.push((WAIVER, fingerprint(WAIVER, &w.approved_by, &w.approved_on.to_string())));
    }
    out
}

/// A sign-off as the git layer compares it from version to version: who and when, nothing else.
fn fingerprint(kind: &str, who: &str, on: &str) -> String {
    format!("{kind}\0{}\0{}", who.trim().to_lowercase(), on.trim())
}

/// The sign-off fingerprints of one version of an evidence file (any version
/// history holds, however broken: what cannot be read has none).
fn fingerprints_of(bytes: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(bytes) else { return Vec::new() };
    let Ok(split) = crate::load::frontmatter::split(text.strip_prefix('\u{feff}').unwrap_or(text)) else {
        return Vec::new();
    };
    // A build asks this of every evidence file history holds: most are plain
    // block mappings, read line by line; anything else goes to the parser.
    plain_fingerprints(split.yaml).unwrap_or_else(|| parsed_fingerprints(split.yaml))
}

/// The four sign-off keys of front matter written the plain way (top-level
/// `key: value` lines, a `waiver:` block indented beneath), or `None` where
/// the text holds anything a line reading could get wrong (quotes, flow
/// collections, tabs, anchors, a key twice): the YAML parser then decides.
fn plain_fingerprints(yaml: &str) -> Option<Vec<String>> {
    if yaml.contains(['"', '\'', '{', '[', '\t', '&', '*', '!', '%', '~']) {
        return None;
    }
    let mut found: BTreeMap<&str, &str> = BTreeMap::new();
    let mut in_waiver = false;
    // The indentation of the last sign-off line: a deeper line after it continues its value.
    let mut watched: Option<usize> = None;
    for line in yaml.lines() {
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        if watched.is_some_and(|w| indent > w) {
            return None;
        }
        watched = None;
        if indent == 0 {
            in_waiver = body.split(':').next() == Some("waiver");
        }
        let Some((key, value)) = body.split_once(':') else { continue };
        if value.contains(": ") {
            return None; // not a plain mapping line: the parser says what it is
        }
        let slot = match (indent, in_waiver, key) {
            (0, _, "validated_by") => "validated_by",
            (0, _, "validated_on") => "validated_on",
            (1.., true, "approved_by") => "approved_by",
            (1.., true, "approved_on") => "approved_on",
            _ => continue,
        };
        let value = value.split(" #").next().unwrap_or_default().trim();
        let odd = value.is_empty() || value.starts_with(['|', '>', '-', '?', ':', '`', '#']) || value == "null";
        if odd || found.insert(slot, value).is_some() {
            return None;
        }
        watched = Some(indent);
    }
    let mut out = Vec::new();
    if let (Some(by), Some(on)) = (found.get("validated_by"), found.get("validated_on")) {
        out.push(fingerprint(VALIDATION, by, on));
    }
    if let (Some(by), Some(on)) = (found.get("approved_by"), found.get("approved_on")) {
        out.push(fingerprint(WAIVER, by, on));
    }
    Some(out)
}

fn parsed_fingerprints(yaml: &str) -> Vec<String> {
    let Ok(node) = crate::load::yaml::parse(yaml) else { return Vec::new() };
    let mut out = Vec::new();
    let get = |map: &[(crate::load::yaml::Key, crate::load::yaml::Node)], k: &str| -> Option<String> {
        map.iter().find(|(key, _)| key.name == k).and_then(|(_, n)| n.value.scalar_text())
    };
    let crate::load::yaml::Value::Map(top) = &node.value else { return out };
    if let (Some(by), Some(on)) = (get(top, "validated_by"), get(top, "validated_on")) {
        out.push(fingerprint(VALIDATION, &by, &on));
    }
    if let Some((_, waiver)) = top.iter().find(|(k, _)| k.name == "waiver")
        && let crate::load::yaml::Value::Map(w) = &waiver.value
        && let (Some(by), Some(on)) = (get(w, "approved_by"), get(w, "approved_on"))
    {
        out.push(fingerprint(WAIVER, &by, &on));
    }
    out
}

/// Each person's parsed keys, once (site.yaml's keys were checked when it was read).
struct KeyRing(BTreeMap<String, Vec<PublicKey>>);

impl KeyRing {
    fn new(roles: &Roles) -> KeyRing {
        let mut ring = BTreeMap::new();
        for person in roles.people() {
            let keys =
                roles.keys_of(person).into_iter().filter_map(|k| crate::load::git::parse_public_key(k).ok()).collect();
            ring.insert(person.to_lowercase(), keys);
        }
        KeyRing(ring)
    }

    fn of(&self, person: &str) -> &[PublicKey] {
        self.0.get(&person.trim().to_lowercase()).map(Vec::as_slice).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_name_the_signer_and_date_only() {
        let a = fingerprints_of(
            b"---\nstatus: validated\nvalidated_by: Ana@X.example\nvalidated_on: 2026-10-01\n---\nBody\n",
        );
        let b = fingerprints_of(b"---\nvalidated_on: 2026-10-01\nvalidated_by: ana@x.example # moved\nstatus: validated\nx-note: 1\n---\nOther body\n");
        assert_eq!(a, b);
        assert_eq!(a.len(), 1);
        let c = fingerprints_of(b"---\nvalidated_by: ana@x.example\nvalidated_on: 2026-10-02\n---\n");
        assert_ne!(a, c, "re-dated");
        let w = fingerprints_of(b"---\nstatus: waived\nwaiver: {approved_by: cio@x, approved_on: 2026-10-01, expires_on: 2026-11-01, reason: r, mitigation: m}\n---\n");
        assert_eq!(w, [fingerprint(WAIVER, "cio@x", "2026-10-01")]);
        assert!(fingerprints_of(b"no front matter").is_empty());
        assert!(fingerprints_of(&[0xff, 0xfe]).is_empty());
    }

    /// The line reading gives what the parser gives, or steps aside.
    #[test]
    fn the_plain_reading_agrees_with_the_parser() {
        let cases = [
            "status: validated\nvalidated_by: Ana@X\nvalidated_on: 2026-10-01\n",
            "validated_by: ana@x # the CISO\nvalidated_on: 2026-10-01\n",
            "validated_by: ana@x\n  continued\nvalidated_on: 2026-10-01\n",
            "validated_by: \"ana@x\"\nvalidated_on: 2026-10-01\n",
            "validated_by: ana@x\nvalidated_by: bob@x\nvalidated_on: 2026-10-01\n",
            "validated_by: ~\nvalidated_on: 2026-10-01\n",
            "validated_by: >-\n  ana@x\nvalidated_on: 2026-10-01\n",
            "waiver:\n  approved_by: cio@x\n  approved_on: 2026-10-01\n  reason: >-\n    approved_by: mallory\n",
            "waiver:\n    approved_by: cio@x\n    approved_on: 2026-10-01\nnotes:\n  approved_by: not-a-waiver\n",
            "x-note: |\n  validated_by: mallory\nvalidated_by: ana@x\nvalidated_on: 2026-10-02\n",
            "risks:\n  - id: r1\n    description: validated_by: x\nvalidated_by: ana@x\nvalidated_on: 2026-10-02\n",
        ];
        for yaml in cases {
            if let Some(plain) = plain_fingerprints(yaml) {
                assert_eq!(plain, parsed_fingerprints(yaml), "{yaml}");
            }
        }
        assert!(plain_fingerprints(cases[2]).is_none(), "a continued value is the parser's");
        assert!(plain_fingerprints(cases[0]).is_some(), "the common case is read by lines");
        // Every evidence file of the sample portfolio.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/workloads");
        for dir in std::fs::read_dir(root).unwrap() {
            for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
                let path = f.unwrap().path();
                if path.extension().is_some_and(|e| e == "md") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let split = crate::load::frontmatter::split(&text).unwrap();
                    if let Some(plain) = plain_fingerprints(split.yaml) {
                        assert_eq!(plain, parsed_fingerprints(split.yaml), "{}", path.display());
                    }
                }
            }
        }
    }
}
