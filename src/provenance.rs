//! Who committed each sign-off. Between validation and evaluation, this stage
//! asks the git layer which commit introduced each sign-off that the work
//! tree records (its signer and date, read from every version of the file
//! that history holds) and writes the answer into the evidence, so that
//! evaluation can hold sign-offs to `signoff_provenance` and render can show
//! them. It never runs `git` and never writes to the repository.

use crate::approvers::Roles;
use crate::diagnostics::{Code, Diagnostic};
use crate::git::{Commit, PublicKey, SignatureState};
use crate::model::{Evidence, Portfolio, Provenance, ProvenancePolicy, ProvenanceState};
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
    let repo = match crate::git::discover(root) {
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
    let origins = match repo.origins(&files, |_, bytes| fingerprints_of(bytes)) {
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
    let Ok(split) = crate::frontmatter::split(text.strip_prefix('\u{feff}').unwrap_or(text)) else {
        return Vec::new();
    };
    let Ok(node) = crate::yaml::parse(split.yaml) else { return Vec::new() };
    let mut out = Vec::new();
    let get = |map: &[(crate::yaml::Key, crate::yaml::Node)], k: &str| -> Option<String> {
        map.iter().find(|(key, _)| key.name == k).and_then(|(_, n)| n.value.scalar_text())
    };
    let crate::yaml::Value::Map(top) = &node.value else { return out };
    if let (Some(by), Some(on)) = (get(top, "validated_by"), get(top, "validated_on")) {
        out.push(fingerprint(VALIDATION, &by, &on));
    }
    if let Some((_, waiver)) = top.iter().find(|(k, _)| k.name == "waiver")
        && let crate::yaml::Value::Map(w) = &waiver.value
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
            let keys = roles.keys_of(person).into_iter().filter_map(|k| crate::git::parse_public_key(k).ok()).collect();
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
}
