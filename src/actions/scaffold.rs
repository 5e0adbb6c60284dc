//! `cutover init` and `cutover new`: the files a team starts from.
//!
//! What they write is generated from the same tables and checklist that
//! validation uses (the comments in `site.yaml` and `workload.yaml` are the
//! keys' own docs; each evidence stub lists what its item needs), so a fresh
//! portfolio passes `cutover check` and tells its authors what comes next.
//! Neither command ever replaces a file: files are opened with `create_new`.

use crate::Fatal;
use crate::core::checklist::{Checklist, FieldKind, FieldSpec, Item};
use crate::core::model::{Criticality, Site, Status, is_valid_id};
use crate::validate::keys::{self, STATUS_NEEDS, When};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// What a scaffolding command did, for its report.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Files written, in order.
    pub created: Vec<PathBuf>,
    /// Files that existed already and were left as they were.
    pub kept: Vec<PathBuf>,
    /// What the user may want to do by hand, since an existing file is never changed.
    pub notes: Vec<String>,
}

pub use crate::validate::prose::{PLACEHOLDER_OWNER, STUB_TEXT};

/// The workload `init` adds, so that the new portfolio shows something.
pub(crate) const EXAMPLE_WORKLOAD: &str = "example";

/// Creates a portfolio in `dir`, which may not exist yet or may hold a
/// repository's other files (a README, `.git`, `.github`...): a portfolio
/// often starts in a repository that already exists. Files that exist are
/// kept as they are; only a folder that already holds `content/` is refused,
/// since that is a portfolio (or something else's content) already.
pub fn init(dir: &Path) -> Result<Outcome, Fatal> {
    let content = dir.join("content");
    if content.exists() || content.is_symlink() {
        return Err(Fatal::Refused(format!(
            "refusing to start a portfolio in {}: it already holds `content/`; add workloads to it with \
             `cutover new <workload-id>`, or start the portfolio in another folder",
            dir.display()
        )));
    }
    let mut out = Outcome::default();
    write_new(&dir.join(".gitignore"), GITIGNORE, &mut out)?;
    if out.kept.iter().any(|p| p.ends_with(".gitignore")) && !ignores_public(&dir.join(".gitignore")) {
        out.notes.push(
            "add the line `/public/` to .gitignore: `cutover build` writes the site there, and CI publishes it".into(),
        );
    }
    write_new(&dir.join("content/site.yaml"), &site_yaml(), &mut out)?;
    let site = Site {
        releases: vec![crate::core::model::Release {
            id: crate::core::model::ReleaseId("wave-1".into()),
            title: "Wave 1".into(),
            target: None,
        }],
        ..Site::default()
    };
    let spec = NewWorkload {
        id: EXAMPLE_WORKLOAD.into(),
        name: Some("Example workload".into()),
        owner: Some("migration-team@example.org".into()),
        release: Some("wave-1".into()),
        ..NewWorkload::default()
    };
    let more = write_workload(dir, &spec, &crate::validate::checklist::builtin(), &site)?;
    out.created.extend(more.created);
    Ok(out)
}

const GITIGNORE: &str = "\
# The site that `cutover build` writes; CI builds and publishes it from content/.
/public/
";

/// Whether an existing .gitignore already keeps the built site out of git.
fn ignores_public(path: &Path) -> bool {
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines().map(str::trim).any(|l| matches!(l, "/public/" | "/public" | "public/" | "public"))
}

/// The settings `new` takes from the command line.
#[derive(Debug, Default, Clone)]
pub struct NewWorkload {
    /// The folder name under content/workloads/.
    pub id: String,
    /// `--name`; none: a title made from the id.
    pub name: Option<String>,
    /// `--owner`; none: a placeholder that `check` warns about until it is set.
    pub owner: Option<String>,
    /// `--criticality`; none: what the existing workload.yaml says, else standard.
    pub criticality: Option<Criticality>,
    /// `--release`, a release id from site.yaml.
    pub release: Option<String>,
    /// `--depends-on`, workload ids.
    pub depends_on: Vec<String>,
    /// One line of Markdown (`import` fills it from a spreadsheet; `new` leaves it out).
    pub summary: Option<String>,
}

/// Adds (or completes) a workload folder under `root/content/workloads/`.
/// Everything is checked before anything is written, so that the result passes `check`.
pub fn new_workload(root: &Path, spec: &NewWorkload) -> Result<Outcome, Fatal> {
    if !is_valid_id(&spec.id) {
        return Err(Fatal::Refused(format!(
            "`{}` is not a valid workload id: use lower-case letters, digits and `-`, starting with a letter or digit, at most 63 characters",
            spec.id
        )));
    }
    if !root.join("content").is_dir() {
        return Err(Fatal::Refused(format!(
            "no `content/` folder in {}: pass the site root with --root, or start a portfolio with `cutover init`",
            root.display()
        )));
    }
    let checklist = checklist_of(root)?;
    let site = site_of(root)?;
    if let Some(r) = &spec.release
        && !site.releases.iter().any(|x| x.id.as_str() == r)
    {
        let known: Vec<&str> = site.releases.iter().map(|x| x.id.as_str()).collect();
        return Err(Fatal::Refused(format!(
            "release `{r}` is not defined in content/site.yaml ({}); add it under `releases:` first",
            if known.is_empty() { "it defines none".to_string() } else { format!("it defines {}", known.join(", ")) }
        )));
    }
    for d in &spec.depends_on {
        if d == &spec.id {
            return Err(Fatal::Refused(format!("workload `{d}` cannot depend on itself")));
        }
        if !root.join("content/workloads").join(d).join("workload.yaml").is_file() {
            return Err(Fatal::Refused(format!(
                "--depends-on `{d}`: there is no workload `{d}` (content/workloads/{d}/workload.yaml); create it first"
            )));
        }
    }
    let mut spec = spec.clone();
    if spec.criticality.is_none() {
        spec.criticality = existing_criticality(&root.join("content/workloads").join(&spec.id).join("workload.yaml"));
    }
    write_workload(root, &spec, &checklist, &site)
}

/// The checklist in effect under `root`: the site's own if it has one, else the built-in.
/// A broken one is refused, since stubs written from it would be wrong.
pub fn checklist_of(root: &Path) -> Result<Checklist, Fatal> {
    let path = root.join("content/checklist.yaml");
    if !path.is_file() {
        return Ok(crate::validate::checklist::builtin());
    }
    let text = fs::read_to_string(&path).map_err(|e| Fatal::io("read", path.display(), e))?;
    let mut diags = Vec::new();
    let checklist = crate::load::yaml::parse(&text)
        .ok()
        .and_then(|n| crate::validate::checklist::from_node(&n, "content/checklist.yaml", None, &mut diags));
    match checklist {
        Some(c) if diags.iter().all(|d| d.severity != crate::core::diagnostics::Severity::Error) => Ok(c),
        _ => Err(Fatal::Refused(format!(
            "{} has errors; run `cutover check {}` to see them, and fix them first",
            path.display(),
            root.display()
        ))),
    }
}

/// The site settings under `root` (defaults without a site.yaml); a broken one is refused.
pub(crate) fn site_of(root: &Path) -> Result<Site, Fatal> {
    let path = root.join("content/site.yaml");
    if !path.is_file() {
        return Ok(Site::default());
    }
    let text = fs::read_to_string(&path).map_err(|e| Fatal::io("read", path.display(), e))?;
    let mut diags = Vec::new();
    let site = crate::load::yaml::parse(&text)
        .ok()
        .map(|n| crate::validate::site::from_node(&n, "content/site.yaml", &mut diags));
    match site {
        Some(s) if diags.iter().all(|d| d.severity != crate::core::diagnostics::Severity::Error) => Ok(s),
        _ => Err(Fatal::Refused(format!(
            "{} has errors; run `cutover check {}` to see them, and fix them first",
            path.display(),
            root.display()
        ))),
    }
}

/// The criticality an existing workload.yaml states, so that completing a
/// folder writes the stubs that workload needs.
fn existing_criticality(path: &Path) -> Option<Criticality> {
    let text = fs::read_to_string(path).ok()?;
    match crate::load::yaml::parse(&text).ok()?.value {
        crate::load::yaml::Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.name == "criticality")
            .and_then(|(_, v)| v.value.scalar_text())
            .and_then(|s| Criticality::parse(&s)),
        _ => None,
    }
}

fn write_workload(root: &Path, spec: &NewWorkload, checklist: &Checklist, site: &Site) -> Result<Outcome, Fatal> {
    write_files(root, &workload_files(spec, checklist, site))
}

/// The files a new workload starts with, as (path relative to the site
/// root, text): workload.yaml and one evidence stub per item its
/// criticality requires. `import` checks them before writing any.
pub(crate) fn workload_files(spec: &NewWorkload, checklist: &Checklist, site: &Site) -> Vec<(String, String)> {
    let dir = format!("content/workloads/{}", spec.id);
    let criticality = spec.criticality.unwrap_or(Criticality::Standard);
    let mut files = vec![(format!("{dir}/workload.yaml"), workload_yaml(spec, criticality))];
    for item in checklist.items.iter().filter(|i| i.required_for(criticality)) {
        files.push((format!("{dir}/{}.md", item.id), evidence_stub(item, site)));
    }
    files
}

/// Writes each of `files` (relative to `root`) that does not exist yet, and keeps the others.
pub(crate) fn write_files(root: &Path, files: &[(String, String)]) -> Result<Outcome, Fatal> {
    let mut out = Outcome::default();
    for (rel, text) in files {
        write_new(&root.join(rel), text, &mut out)?;
    }
    Ok(out)
}

fn write_new(path: &Path, text: &str, out: &mut Outcome) -> Result<(), Fatal> {
    let fail = |e: std::io::Error| Fatal::io("write", path.display(), e);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(fail)?;
    }
    match fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(mut f) => {
            f.write_all(text.as_bytes()).map_err(fail)?;
            out.created.push(path.to_path_buf());
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            out.kept.push(path.to_path_buf());
            Ok(())
        }
        Err(e) => Err(fail(e)),
    }
}

// ---- the texts ----------------------------------------------------------------

/// Comment lines, wrapped at about 80 columns.
fn comment(out: &mut String, indent: &str, text: &str) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + 2 + line.len() + 1 + word.len() > 80 {
            let _ = writeln!(out, "{indent}# {line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}# {line}");
    }
}

/// The value each site.yaml key starts with; `None` writes it commented out.
fn site_example(key: &str) -> Option<(&'static str, bool)> {
    Some(match key {
        "title" => ("Promotion readiness", true),
        "organisation" => ("Example Ltd", true),
        "base_url" => ("https://readiness.example.org/", false),
        "as_of" => ("2026-01-31", false),
        "approvers" => (
            "\n  # The built-in checklist needs `ciso` (CISO verification) and `business`\n  # (business change plan). An entry may also be a map with `person`,\n  # `since`, `until` (a term of office) and `keys` (SSH keys that sign commits).\n  ciso: [ciso@example.org]\n  business: [business.owner@example.org]",
            true,
        ),
        "releases" => ("\n  - id: wave-1\n    title: Wave 1\n    # target: 2026-03-31", true),
        "decommission_hold_days" => ("30", false),
        "attention_days" => ("14", false),
        "signoff_provenance" => ("author", false),
        "history_days" => ("90", false),
        _ => return None,
    })
}

fn site_yaml() -> String {
    let mut s = String::from(
        "# Site settings for cutover. Keys starting with `x-` are yours and ignored;\n\
         # `cutover schema site` prints every key as JSON Schema for your editor.\n",
    );
    for k in keys::SITE {
        s.push('\n');
        comment(&mut s, "", k.doc);
        let (value, on) = site_example(k.name).unwrap_or(("...", false));
        let sep = if value.starts_with('\n') { "" } else { " " };
        if on {
            let _ = writeln!(s, "{}:{sep}{value}", k.name);
        } else {
            let _ = writeln!(s, "# {}:{sep}{value}", k.name);
        }
    }
    s
}

fn yaml_text(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn workload_yaml(spec: &NewWorkload, criticality: Criticality) -> String {
    let name = spec.name.clone().unwrap_or_else(|| title_of(&spec.id));
    let mut s = String::from(
        "# The workload's settings. Its evidence is one `<item-id>.md` file per\n\
         # checklist item beside this file; `cutover schema workload` prints every key.\n",
    );
    for k in keys::WORKLOAD {
        s.push('\n');
        comment(&mut s, "", k.doc);
        let line = match k.name {
            "name" => format!("name: {}", yaml_text(&name)),
            "owner" => match &spec.owner {
                Some(o) => format!("owner: {}", yaml_text(o)),
                None => format!(
                    "owner: {PLACEHOLDER_OWNER}   # the accountable team or person; `cutover check` warns until it is set"
                ),
            },
            "criticality" => {
                let all: Vec<&str> = Criticality::ALL.iter().map(|c| c.as_str()).collect();
                format!("criticality: {}   # {}", criticality.as_str(), all.join(" | "))
            }
            "release" => match &spec.release {
                Some(r) => format!("release: {r}"),
                None => "# release: wave-1".into(),
            },
            "depends_on" if !spec.depends_on.is_empty() => format!("depends_on: [{}]", spec.depends_on.join(", ")),
            "depends_on" => "# depends_on: [other-workload]".into(),
            "summary" => match &spec.summary {
                Some(s) => format!("summary: {}", yaml_text(s)),
                None => "# summary: What it does, in one line of Markdown.".into(),
            },
            "assets" => "# assets:\n#   - name: EXAMPLE-VM01\n#     kind: vm".into(),
            "promotion_model" => "# promotion_model: single-step".into(),
            other => format!("# {other}: ..."),
        };
        s.push_str(&line);
        s.push('\n');
    }
    s
}

fn title_of(id: &str) -> String {
    let mut words: Vec<String> = id.split('-').filter(|w| !w.is_empty()).map(str::to_string).collect();
    if let Some(first) = words.first_mut() {
        let mut c = first.chars();
        *first = c.next().map(|h| h.to_uppercase().chain(c).collect()).unwrap_or_default();
    }
    words.join(" ")
}

/// An example value for a common field, as a status that needs it would have it.
fn common_example(field: &str, item: &Item) -> String {
    match field {
        "executed_on" | "validated_on" => "YYYY-MM-DD".into(),
        "documented_in" => format!("[runbooks/{}.md, https://wiki.example.org/...]", item.id),
        "validated_by" => "name@example.org".into(),
        "justification" => "why this item does not apply to this workload".into(),
        "waiver" => "{approved_by, approved_on, expires_on, reason, mitigation}".into(),
        other => format!("<{other}>"),
    }
}

fn when_text(when: When) -> String {
    match when {
        When::AtLeast(s) => format!("from `{s}`"),
        When::Is(s) => format!("for `{s}`"),
    }
}

fn field_text(spec: &FieldSpec) -> String {
    match spec.kind {
        FieldKind::Enum => format!("one of {}", spec.values.join(", ")),
        FieldKind::List if !spec.fields.is_empty() => {
            let subs: Vec<String> = spec
                .fields
                .iter()
                .map(|f| if f.optional { format!("{} (optional)", f.name) } else { f.name.clone() })
                .collect();
            format!("a list of entries with {}", subs.join(", "))
        }
        k => format!("a {}", k.as_str()),
    }
}

fn evidence_stub(item: &Item, site: &Site) -> String {
    let mut s = String::from("---\n");
    let summary = if item.summary.is_empty() { String::new() } else { format!(": {}", item.summary) };
    comment(&mut s, "", &format!("Evidence for `{}` ({}){summary}", item.id, item.title));
    let order: Vec<&str> =
        Status::ALL.iter().filter(|st| st.at_least(Status::NotStarted)).map(|st| st.as_str()).collect();
    comment(
        &mut s,
        "",
        &format!(
            "Raise `status` as the work goes on ({}), or use `waived`{}. Each step needs more fields:",
            order.join(" > "),
            if item.allow_not_applicable { " or `not-applicable`" } else { "" }
        ),
    );
    for (field, when) in STATUS_NEEDS {
        if matches!(when, When::Is(Status::NotApplicable)) && !item.allow_not_applicable {
            continue;
        }
        let _ = writeln!(s, "#   {field}: {}   ({})", common_example(field, item), when_text(*when));
    }
    for spec in &item.fields {
        let when = spec.required_from.map(|f| format!("   (from `{f}`)")).unwrap_or_default();
        let _ = writeln!(s, "#   {}: {}{when}", spec.name, field_text(spec));
    }
    if let Some(role) = &item.signoff {
        let who = match site.approvers.members(role) {
            [] => "(none listed in site.yaml yet)".to_string(),
            _ => site.approvers.list(role),
        };
        comment(&mut s, "", &format!("`validated_by` must be an approver of role `{role}`: {who}."));
    }
    if !item.after.is_empty() {
        let after: Vec<&str> = item.after.iter().map(|a| a.as_str()).collect();
        comment(&mut s, "", &format!("Do this after: {}.", after.join(", ")));
    }
    if let Some(days) = item.max_age_days {
        comment(&mut s, "", &format!("Validated evidence goes stale {days} days after `validated_on`."));
    }
    s.push_str("status: not-started\n---\n");
    s.push_str(STUB_TEXT);
    s.push_str("\nand list the files and pages in `documented_in`.\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_site_key_has_a_starting_value() {
        for k in keys::SITE {
            assert!(site_example(k.name).is_some(), "add `{}` to site_example", k.name);
        }
        let text = site_yaml();
        for k in keys::SITE {
            assert!(text.contains(k.doc.split_whitespace().next().unwrap()), "{}", k.name);
        }
    }

    #[test]
    fn every_status_need_has_an_example() {
        let c = crate::validate::checklist::builtin();
        for (field, _) in STATUS_NEEDS {
            assert!(!common_example(field, &c.items[0]).starts_with('<'), "add `{field}` to common_example");
        }
    }

    #[test]
    fn workload_ids_become_titles() {
        assert_eq!(title_of("payroll-db"), "Payroll db");
        assert_eq!(title_of("x"), "X");
    }
}
