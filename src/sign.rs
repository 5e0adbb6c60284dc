//! `cutover sign`: records a validation in an evidence file and binds it to
//! what was signed. It changes only the sign-off lines of the front matter;
//! every other byte, comment, key order and line ending stays as it was.

use crate::Fatal;
use crate::date::Date;
use crate::load::SourceFile;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Who signs what, and when.
#[derive(Debug, Clone)]
pub struct SignRequest {
    pub workload: String,
    pub item: String,
    pub by: String,
    pub on: Date,
}

/// What `sign` wrote.
#[derive(Debug, Clone)]
pub struct Signed {
    pub file: String,
    pub digest: String,
}

/// Signs one evidence file under `root`, refusing when the signer is not an
/// approver for the item's role or the result would not be valid evidence.
pub fn sign(root: &Path, req: &SignRequest) -> Result<Signed, Fatal> {
    let sources = crate::load::load(root).map_err(|e| Fatal(e.0))?;
    let (portfolio, _) = crate::validate::validate(&sources);
    let item = portfolio.checklist.item(&req.item).ok_or_else(|| {
        let help = crate::diagnostics::did_you_mean(&req.item, portfolio.checklist.item_ids()).unwrap_or_default();
        Fatal(format!("`{}` is not a checklist item {help}", req.item).trim_end().to_string())
    })?;
    let ws = sources
        .workloads
        .iter()
        .find(|w| w.id == req.workload)
        .ok_or_else(|| Fatal(format!("`{}` is not a workload in this portfolio", req.workload)))?;
    let as_of = crate::resolve_as_of(None, portfolio.site.as_of, std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())?;
    if req.on > as_of {
        return Err(Fatal(format!(
            "--on {} is after the as-of date {as_of}: a sign-off cannot be dated in the future; sign on the day the validation happened",
            req.on
        )));
    }
    if let Some(role) = &item.signoff
        && !portfolio.site.approvers.is_member(role, &req.by, req.on)
    {
        let list = portfolio.site.approvers.list(role);
        return Err(Fatal(format!(
            "{} is not an approver for role `{role}` on {}, which signs off `{}` (approvers: {list}); add them under `approvers.{role}` in content/site.yaml first",
            req.by, req.on, item.id
        )));
    }
    committer_is_signer(root, portfolio.site.signoff_provenance, &req.by)?;
    let rel = format!("{}/{}.md", ws.dir, item.id);
    let src = ws.evidence.iter().find(|f| f.path == rel).ok_or_else(|| {
        Fatal(format!("{rel} does not exist or cannot be read; write the evidence first (`cutover check` lists why)"))
    })?;
    let digests = attachment_digests(root, ws)?;
    let model = portfolio.workloads.get(req.workload.as_str()).map(|w| w.promotion_model).unwrap_or_default();
    // Fill in the sign-off, then compute the digest of what validation reads back.
    let draft = set_fields(&src.text, &signoff_fields(req, None))?;
    let ev = read_back(&rel, &draft, item, ws, &digests, model)?;
    let digest = crate::digest::evidence_digest(&ev, &digests);
    let text = set_fields(&src.text, &signoff_fields(req, Some(&digest)))?;
    read_back(&rel, &text, item, ws, &digests, model)?;
    write_atomically(&root.join(&rel), src, &text)?;
    Ok(Signed { file: rel, digest })
}

/// Under `signoff_provenance: author` or `signature`, a sign-off counts only
/// when its signer commits it: refuse to write one that git would commit
/// under another name.
fn committer_is_signer(root: &Path, policy: crate::model::ProvenancePolicy, by: &str) -> Result<(), Fatal> {
    if policy == crate::model::ProvenancePolicy::None {
        return Ok(());
    }
    let policy = policy.as_str();
    let repo = crate::git::discover(root)
        .map_err(|e| Fatal(format!("the git repository cannot be read: {e}")))?
        .ok_or_else(|| {
            Fatal(format!("`signoff_provenance: {policy}` needs the sign-off committed to git, but {} is not inside a git work tree", root.display()))
        })?;
    match repo.user_email() {
        Some(email) if crate::approvers::same_person(&email, by) => Ok(()),
        Some(email) => Err(Fatal(format!(
            "git would commit this sign-off as {email}, not as {by}, and under `signoff_provenance: {policy}` it would not count; sign as yourself (--by {email}), or let {by} sign"
        ))),
        None => Err(Fatal(format!(
            "git's user.email is not set, and under `signoff_provenance: {policy}` a sign-off counts only when its signer commits it; run `git config user.email {by}` first"
        ))),
    }
}

fn signoff_fields(req: &SignRequest, digest: Option<&str>) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("status", "validated".to_string()),
        ("validated_by", yaml_scalar(&req.by)),
        ("validated_on", req.on.to_string()),
    ];
    if let Some(d) = digest {
        f.push(("validated_digest", d.to_string()));
    }
    f
}

fn attachment_digests(root: &Path, ws: &crate::load::WorkloadSources) -> Result<BTreeMap<String, String>, Fatal> {
    ws.attachments
        .iter()
        .map(|a| {
            let bytes =
                fs::read(root.join(&ws.dir).join(a)).map_err(|e| Fatal(format!("cannot read {}/{a}: {e}", ws.dir)))?;
            Ok((a.clone(), crate::digest::sha256_hex(&bytes)))
        })
        .collect()
}

/// Validates the would-be file; any error (bar a stale digest) refuses the signature.
fn read_back(
    rel: &str,
    text: &str,
    item: &crate::checklist::Item,
    ws: &crate::load::WorkloadSources,
    digests: &BTreeMap<String, String>,
    model: crate::model::PromotionModel,
) -> Result<crate::model::Evidence, Fatal> {
    let mut files: std::collections::BTreeSet<String> = ws.attachments.iter().cloned().collect();
    files.extend(ws.evidence.iter().filter_map(|e| e.path.rsplit('/').next().map(str::to_string)));
    let mut diags = Vec::new();
    let src = SourceFile { path: rel.to_string(), text: text.to_string().into() };
    let ev = crate::validate::evidence::read(&src, item, &files, digests, Some(model), None, &mut diags);
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Error && d.code != crate::diagnostics::Code::E0601)
        .map(|d| format!("  {}:{}:{}: {}", d.file, d.line, d.column, d.message))
        .collect();
    match ev {
        Some(ev) if errors.is_empty() => Ok(ev),
        _ => Err(Fatal(format!(
            "cannot sign {rel}: as validated evidence it would have errors:\n{}\nfix them first (`cutover check` shows them with hints)",
            errors.join("\n")
        ))),
    }
}

/// Writes beside the file and renames over it, so a crash cannot leave half a file.
fn write_atomically(path: &Path, src: &SourceFile, text: &str) -> Result<(), Fatal> {
    let original = fs::read(path).map_err(|e| Fatal(format!("cannot read {}: {e}", src.path)))?;
    let bom: &[u8] = if original.starts_with(b"\xef\xbb\xbf") { b"\xef\xbb\xbf" } else { b"" };
    let tmp = path.with_extension("md.cutover-sign");
    let mut bytes = bom.to_vec();
    bytes.extend_from_slice(text.as_bytes());
    fs::write(&tmp, &bytes).and_then(|()| fs::rename(&tmp, path)).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Fatal(format!("cannot write {}: {e}", src.path))
    })
}

/// A value as a one-line YAML scalar, quoted only when plain text would be misread.
fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with([':', ' '])
        && !s.contains(['\n', '\r', '\t']);
    if plain {
        s.to_string()
    } else {
        format!(
            "\"{}\"",
            s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n").replace('\r', "\\r").replace('\t', "\\t")
        )
    }
}

/// Sets top-level keys in the front matter of `text` (without BOM), changing
/// nothing else: an existing one-line key keeps its place and its comment; a
/// missing key is added at the end of the front matter, with the file's line ending.
pub fn set_fields(text: &str, fields: &[(&str, String)]) -> Result<String, Fatal> {
    let split = crate::frontmatter::split(text).map_err(|e| Fatal(format!("cannot sign: {}", e.message)))?;
    let start = split.yaml.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + split.yaml.len();
    let eol = if text[..start].ends_with("\r\n") { "\r\n" } else { "\n" };
    let mut lines: Vec<String> = split.yaml.split_inclusive('\n').map(str::to_string).collect();
    for (key, value) in fields {
        match find_key(&lines, key) {
            Some(i) => {
                let continues =
                    lines.get(i + 1).is_some_and(|l| l.starts_with([' ', '\t', '-']) && !l.trim().is_empty());
                let rest = lines[i][key.len() + 1..].trim();
                if continues || rest.starts_with(['|', '>']) {
                    return Err(Fatal(format!(
                        "cannot sign: `{key}` spans several lines; write it on one line and sign again"
                    )));
                }
                let line_end = if lines[i].ends_with("\r\n") {
                    "\r\n"
                } else if lines[i].ends_with('\n') {
                    "\n"
                } else {
                    ""
                };
                let comment = plain_comment(rest);
                lines[i] = format!("{key}: {value}{comment}{line_end}");
            }
            None => {
                if lines.last().is_some_and(|l| !l.ends_with('\n')) {
                    lines.last_mut().expect("non-empty").push_str(eol);
                }
                lines.push(format!("{key}: {value}{eol}"));
            }
        }
    }
    Ok(format!("{}{}{}", &text[..start], lines.concat(), &text[end..]))
}

fn find_key(lines: &[String], key: &str) -> Option<usize> {
    lines.iter().position(|l| {
        l.strip_prefix(key)
            .is_some_and(|r| r.starts_with(':') && (r.len() == 1 || r[1..].starts_with([' ', '\t', '\r', '\n'])))
    })
}

/// A trailing ` # comment` after an unquoted value, kept when the value is replaced.
fn plain_comment(rest: &str) -> String {
    if rest.starts_with(['"', '\'']) {
        return String::new();
    }
    let trimmed = rest.trim_end_matches(['\r', '\n']);
    match trimmed.find(" #").or_else(|| trimmed.starts_with('#').then_some(0)) {
        Some(i) => format!("  {}", trimmed[i..].trim_start()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn replaces_in_place_and_keeps_comments_and_crlf() {
        let text = "---\r\n# who and when\r\nstatus: documented   # waiting for Ana\r\nexecuted_on: 2026-10-01\r\n---\r\nBody\r\n---\r\nmore\r\n";
        let out = set_fields(text, &f(&[("status", "validated"), ("validated_by", "ana")])).unwrap();
        assert_eq!(
            out,
            "---\r\n# who and when\r\nstatus: validated  # waiting for Ana\r\nexecuted_on: 2026-10-01\r\nvalidated_by: ana\r\n---\r\nBody\r\n---\r\nmore\r\n"
        );
    }

    #[test]
    fn only_top_level_keys_match() {
        let text = "---\nwaiver:\n  status: x\nstatus_note: y\nstatus: in-progress\n---\n";
        let out = set_fields(text, &f(&[("status", "validated")])).unwrap();
        assert_eq!(out, "---\nwaiver:\n  status: x\nstatus_note: y\nstatus: validated\n---\n");
    }

    #[test]
    fn refuses_multi_line_values() {
        let text = "---\nvalidated_by:\n  - a\n---\n";
        assert!(set_fields(text, &f(&[("validated_by", "b")])).is_err());
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(yaml_scalar("ana.ruiz@contoso.example"), "ana.ruiz@contoso.example");
        assert_eq!(yaml_scalar("Ruiz, Ana"), "Ruiz, Ana");
        assert_eq!(yaml_scalar("Ana: CISO"), "\"Ana: CISO\"");
        assert_eq!(yaml_scalar("#1 \"fan\""), "\"#1 \\\"fan\\\"\"");
    }
}
