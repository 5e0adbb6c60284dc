//! `cutover sign`: records a validation in an evidence file and binds it to
//! what was signed. It changes only the sign-off lines of the front matter;
//! every other byte, comment, key order and line ending stays as it was.
//!
//! Three parts: this module decides whether the sign-off may be written and
//! what it says; `edit` changes the front matter where the YAML parser
//! says the keys are; `replace` puts the new text in place of the file
//! without losing an edit made meanwhile, the file's mode and owner, or the
//! link that leads to it.

mod edit;
pub(crate) mod replace;

pub use edit::{Scalar, set_fields};
pub(crate) use edit::{same_value, yaml_scalar};

use crate::Fatal;
use crate::core::date::Date;
use crate::core::text::printable;
use crate::load::SourceFile;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Who signs what, and when.
#[derive(Debug, Clone)]
pub struct SignRequest {
    /// The workload's id.
    pub workload: String,
    /// The checklist item's id.
    pub item: String,
    /// The signer's e-mail; where the item names a sign-off role, a member of it on `on`.
    pub by: String,
    /// The day of the sign-off.
    pub on: Date,
}

/// What `sign` wrote.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The evidence file, site-relative.
    pub file: String,
    /// `sha256:<hex>` over what was signed, as written to `validated_digest`.
    pub digest: String,
}

/// Signs one evidence file under `root`, refusing when the signer is not an
/// approver for the item's role or the result would not be valid evidence.
pub fn sign(root: &Path, req: &SignRequest) -> Result<Signed, Fatal> {
    let sources = crate::load::load(root).map_err(Fatal::from)?;
    let (portfolio, _) = crate::validate::validate(&sources);
    let item = portfolio.checklist.item(&req.item).ok_or_else(|| {
        let help =
            crate::core::diagnostics::did_you_mean(&req.item, portfolio.checklist.item_ids()).unwrap_or_default();
        Fatal::Refused(format!("`{}` is not a checklist item {help}", req.item).trim_end().to_string())
    })?;
    let ws = sources
        .workloads
        .iter()
        .find(|w| w.id == req.workload)
        .ok_or_else(|| Fatal::Refused(format!("`{}` is not a workload in this portfolio", req.workload)))?;
    let as_of = crate::resolve_as_of(None, portfolio.site.as_of, std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())?;
    if req.on > as_of {
        return Err(Fatal::Refused(format!(
            "--on {} is after the as-of date {as_of}: a sign-off cannot be dated in the future; sign on the day the validation happened",
            req.on
        )));
    }
    if let Some(role) = &item.signoff
        && !portfolio.site.approvers.is_member(role, &req.by, req.on)
    {
        let list = portfolio.site.approvers.list(role);
        return Err(Fatal::Refused(format!(
            "{} is not an approver for role `{role}` on {}, which signs off `{}` (approvers: {list}); add them under `approvers.{role}` in content/site.yaml first",
            req.by, req.on, item.id
        )));
    }
    committer_is_signer(root, portfolio.site.signoff_provenance, &req.by)?;
    let rel = format!("{}/{}.md", ws.dir, item.id);
    let src = ws.evidence.iter().find(|f| f.path == rel).ok_or_else(|| {
        Fatal::Refused(format!(
            "{rel} does not exist or cannot be read; write the evidence first (`cutover check` lists why)"
        ))
    })?;
    // The file as it is now, which must still be what was validated.
    let target = replace::Target::open(replace::Writer::Sign, root, &ws.dir, &rel, &src.text)?;
    let digests = attachment_digests(root, ws)?;
    let model = portfolio.workloads.get(req.workload.as_str()).map(|w| w.promotion_model).unwrap_or_default();
    // Fill in the sign-off, then compute the digest of what validation reads back.
    let draft = set_fields(&rel, &src.text, &signoff_fields(req, None))?;
    let ev = read_back(&rel, &draft, item, ws, &digests, model)?;
    let digest = crate::core::digest::evidence_digest(&ev, &digests);
    let text = set_fields(&rel, &src.text, &signoff_fields(req, Some(&digest)))?;
    read_back(&rel, &text, item, ws, &digests, model)?;
    let mut bytes = target.bom().to_vec();
    bytes.extend_from_slice(text.as_bytes());
    within_size_limit(&rel, bytes.len())?;
    target.replace(&bytes, &|| linked_files_unchanged(root, ws, &ev.linked_files, &digests))?;
    Ok(Signed { file: rel, digest })
}

/// Under `signoff_provenance: author` or `signature`, a sign-off counts only
/// when its signer commits it: refuse to write one that git would commit
/// under another name.
fn committer_is_signer(root: &Path, policy: crate::core::model::ProvenancePolicy, by: &str) -> Result<(), Fatal> {
    if policy == crate::core::model::ProvenancePolicy::None {
        return Ok(());
    }
    let policy = policy.as_str();
    let repo = crate::load::git::discover(root)
        .map_err(|e| Fatal::Refused(format!("the git repository cannot be read: {e}")))?
        .ok_or_else(|| {
            Fatal::Refused(format!("`signoff_provenance: {policy}` needs the sign-off committed to git, but {} is not inside a git work tree", root.display()))
        })?;
    match repo.user_email() {
        Some(email) if crate::core::approvers::same_person(&email, by) => Ok(()),
        Some(email) => Err(Fatal::Refused(format!(
            "git would commit this sign-off as {email}, not as {by}, and under `signoff_provenance: {policy}` it would not count; sign as yourself (--by {email}), or let {by} sign"
        ))),
        None => Err(Fatal::Refused(format!(
            "git's user.email is not set, and under `signoff_provenance: {policy}` a sign-off counts only when its signer commits it; run `git config user.email {by}` first"
        ))),
    }
}

/// The four sign-off keys. The person is text and is quoted when YAML would
/// read it as anything else (`yes`, `null`, `12`...); the status, the date
/// and the digest are written plain, which reads back as the same text.
fn signoff_fields(req: &SignRequest, digest: Option<&str>) -> Vec<(&'static str, Scalar)> {
    let mut f = vec![
        ("status", Scalar::Plain("validated".to_string())),
        ("validated_by", Scalar::Text(req.by.clone())),
        ("validated_on", Scalar::Plain(req.on.to_string())),
    ];
    if let Some(d) = digest {
        f.push(("validated_digest", Scalar::Plain(d.to_string())));
    }
    f
}

fn attachment_digests(root: &Path, ws: &crate::load::WorkloadSources) -> Result<BTreeMap<String, String>, Fatal> {
    ws.attachments
        .iter()
        .map(|a| {
            let bytes =
                fs::read(root.join(&ws.dir).join(a)).map_err(|e| Fatal::io("read", format!("{}/{a}", ws.dir), e))?;
            Ok((a.clone(), crate::core::digest::sha256_hex(&bytes)))
        })
        .collect()
}

/// The files the digest covers must still be what was hashed, or the
/// sign-off would vouch for a version that is no longer there (and `check`
/// would call it changed at once).
fn linked_files_unchanged(
    root: &Path,
    ws: &crate::load::WorkloadSources,
    linked: &[String],
    digests: &BTreeMap<String, String>,
) -> Result<(), Fatal> {
    for f in linked {
        let now = fs::read(root.join(&ws.dir).join(f)).ok().map(|b| crate::core::digest::sha256_hex(&b));
        if now.as_ref() != digests.get(f) {
            return Err(Fatal::Refused(format!(
                "{}/{} changed while sign was running, and the sign-off would cover the version sign read; nothing was written: run `cutover sign` again to sign what is there now",
                printable(&ws.dir),
                printable(f)
            )));
        }
    }
    Ok(())
}

/// A signed file must stay readable: `check` refuses text files over
/// [`crate::load::MAX_TEXT_BYTES`] without reading them.
fn within_size_limit(rel: &str, len: usize) -> Result<(), Fatal> {
    let limit = crate::load::MAX_TEXT_BYTES;
    if u64::try_from(len).map_or(true, |l| l > limit) {
        return Err(Fatal::Refused(format!(
            "cannot sign {}: with the sign-off it would be {len} bytes, over the limit of {limit} bytes for a text file, and `check` would no longer read it; make the evidence shorter (attach large material as separate files) and sign again",
            printable(rel)
        )));
    }
    Ok(())
}

/// Validates the would-be file; any error (bar a stale digest) refuses the
/// signature. The errors are listed one per line, each escaped on its own,
/// so that a message quoting the file cannot forge a line.
fn read_back(
    rel: &str,
    text: &str,
    item: &crate::core::checklist::Item,
    ws: &crate::load::WorkloadSources,
    digests: &BTreeMap<String, String>,
    model: crate::core::model::PromotionModel,
) -> Result<crate::core::model::Evidence, Fatal> {
    let mut files: std::collections::BTreeSet<String> = ws.attachments.iter().cloned().collect();
    files.extend(ws.evidence.iter().filter_map(|e| e.path.rsplit('/').next().map(str::to_string)));
    let mut diags = Vec::new();
    let src = SourceFile { path: rel.to_string(), text: text.to_string().into() };
    let ev = crate::validate::evidence::read(&src, item, &files, digests, Some(model), None, None, &mut diags);
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| {
            d.severity == crate::core::diagnostics::Severity::Error && d.code != crate::core::diagnostics::Code::E0601
        })
        .map(|d| format!("  {}:{}:{}: {}", printable(&d.file), d.line, d.column, printable(&d.message)))
        .collect();
    match ev {
        Some((ev, _)) if errors.is_empty() => Ok(ev),
        _ => Err(Fatal::Refused(format!(
            "cannot sign {}: as validated evidence it would have errors:\n{}\nfix them first (`cutover check` shows them with hints)",
            printable(rel),
            errors.join("\n")
        ))),
    }
}
