//! The row plans into files: what changes in each workload, the texts to
//! write, a last check of the resulting portfolio, and the writing itself.
//!
//! An existing workload.yaml is edited key by key where the parser says the
//! keys are ([`super::edit`]), and only the keys whose value differs:
//! importing the same file twice changes nothing the second time. It is
//! replaced atomically, as `sign` replaces evidence (mode, owner and links
//! kept, an edit saved meanwhile never lost). A new workload gets the files
//! `cutover new` writes.

use super::edit::{self, Change};
use super::rows::RowPlan;
use crate::Fatal;
use crate::actions::scaffold::{self, NewWorkload};
use crate::actions::sign::replace::{Target, Writer};
use crate::core::checklist::Checklist;
use crate::core::diagnostics::{Diagnostic, Severity};
use crate::core::model::Site;
use crate::load::yaml::Value;
use crate::load::{SourceFile, Sources, WorkloadSources};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// One field's change, as `--dry-run` shows it (`None`: not set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The workload.yaml key.
    pub key: &'static str,
    /// The value before the import.
    pub old: Option<String>,
    /// The value after it.
    pub new: Option<String>,
}

/// What the import does to one workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A new folder with these files (site-relative path, text).
    New {
        /// Each file and its text.
        files: Vec<(String, String)>,
        /// The fields the row set.
        fields: Vec<FieldChange>,
    },
    /// workload.yaml (this path) gets this text.
    Changed {
        /// The path of workload.yaml, site-relative.
        file: String,
        /// Its new text: the old one with only the changed values replaced.
        text: String,
        /// The fields that change.
        fields: Vec<FieldChange>,
    },
    /// The row says what the folder already says.
    Unchanged,
}

/// The effect on the workload of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The workload's id.
    pub id: String,
    /// The row's line in the CSV file.
    pub line: u32,
    /// What happens to the workload.
    pub effect: Effect,
}

/// Works out each row's effect on the loaded portfolio.
pub fn effects(
    plans: &[RowPlan],
    sources: &Sources,
    checklist: &Checklist,
    site: &Site,
) -> Result<Vec<Planned>, Fatal> {
    plans
        .iter()
        .map(|p| {
            let yaml = folder(sources, &p.id).and_then(|w| w.workload_yaml.as_ref());
            let effect = match yaml {
                Some(file) if p.existing => changed(p, file)?,
                _ => new(p, checklist, site),
            };
            Ok(Planned { id: p.id.clone(), line: p.line, effect })
        })
        .collect()
}

fn new(p: &RowPlan, checklist: &Checklist, site: &Site) -> Effect {
    let spec = NewWorkload {
        id: p.id.clone(),
        name: p.name.clone(),
        owner: p.owner.clone(),
        criticality: p.criticality,
        release: p.release.clone().flatten(),
        depends_on: p.depends_on.clone().unwrap_or_default(),
        summary: p.summary.clone().flatten(),
    };
    let mut fields = vec![FieldChange { key: "name", old: None, new: p.name.clone() }];
    let mut show = |key, new: Option<String>| {
        if new.is_some() {
            fields.push(FieldChange { key, old: None, new });
        }
    };
    show("owner", p.owner.clone());
    show("criticality", p.criticality.map(|c| c.as_str().to_string()));
    show("release", p.release.clone().flatten());
    show("depends_on", p.depends_on.clone().filter(|d| !d.is_empty()).map(|d| d.join(", ")));
    show("summary", p.summary.clone().flatten());
    Effect::New { files: scaffold::workload_files(&spec, checklist, site), fields }
}

/// The keys of an existing workload.yaml whose value the row changes.
fn changed(p: &RowPlan, file: &SourceFile) -> Result<Effect, Fatal> {
    let entries = edit::entries(&file.path, &file.text)?;
    let current = |key: &str| entries.iter().find(|e| e.key.name == key).map(|e| &e.value.value);
    let mut changes = Vec::new();
    let mut fields = Vec::new();
    let mut text_field = |key: &'static str, new: Option<&str>, changes: &mut Vec<Change>| {
        let old = current(key);
        let old_text = old.and_then(Value::scalar_text);
        match new {
            Some(n) if old_text.as_deref() == Some(n) && matches!(old, Some(Value::Str(_))) => {}
            Some(n) => {
                changes.push(Change::Set {
                    key,
                    yaml: crate::actions::sign::yaml_scalar(n),
                    value: Value::Str(n.to_string()),
                });
                fields.push(FieldChange { key, old: old.map(shown), new: Some(n.to_string()) });
            }
            None if old.is_some() => {
                changes.push(Change::Remove { key });
                fields.push(FieldChange { key, old: old.map(shown), new: None });
            }
            None => {}
        }
    };
    if let Some(n) = &p.name {
        text_field("name", Some(n), &mut changes);
    }
    if let Some(o) = &p.owner {
        text_field("owner", Some(o), &mut changes);
    }
    if let Some(c) = p.criticality {
        text_field("criticality", Some(c.as_str()), &mut changes);
    }
    if let Some(r) = &p.release {
        text_field("release", r.as_deref(), &mut changes);
    }
    if let Some(s) = &p.summary {
        text_field("summary", s.as_deref(), &mut changes);
    }
    if let Some(deps) = &p.depends_on {
        let old = current("depends_on");
        let old_set: Option<BTreeSet<String>> = match old {
            Some(Value::Seq(items)) => Some(items.iter().filter_map(|n| n.value.scalar_text()).collect()),
            _ => None,
        };
        let new_set: BTreeSet<String> = deps.iter().cloned().collect();
        let same = match &old_set {
            Some(o) => *o == new_set,
            None => old.is_none() && new_set.is_empty(),
        };
        if !same {
            let old_shown = old.map(shown);
            if deps.is_empty() {
                changes.push(Change::Remove { key: "depends_on" });
                fields.push(FieldChange { key: "depends_on", old: old_shown, new: None });
            } else {
                let value = Value::Seq(
                    deps.iter()
                        .map(|d| crate::load::yaml::Node { value: Value::Str(d.clone()), pos: Default::default() })
                        .collect(),
                );
                changes.push(Change::Set { key: "depends_on", yaml: format!("[{}]", deps.join(", ")), value });
                fields.push(FieldChange { key: "depends_on", old: old_shown, new: Some(deps.join(", ")) });
            }
        }
    }
    if changes.is_empty() {
        return Ok(Effect::Unchanged);
    }
    let text = edit::apply(&file.path, &file.text, &changes)?;
    Ok(Effect::Changed { file: file.path.clone(), text, fields })
}

/// The loaded folder of workload `id` (`load::load` reads folders in id order).
fn folder<'a>(sources: &'a Sources, id: &str) -> Option<&'a WorkloadSources> {
    sources.workloads.binary_search_by(|w| w.id.as_str().cmp(id)).ok().map(|i| &sources.workloads[i])
}

/// A value as `--dry-run` shows it.
fn shown(v: &Value) -> String {
    match v {
        Value::Seq(items) => items.iter().map(|n| shown(&n.value)).collect::<Vec<_>>().join(", "),
        Value::Map(_) => "(a mapping)".into(),
        Value::Null => "(empty)".into(),
        other => other.scalar_text().unwrap_or_default(),
    }
}

/// Validates the portfolio as it would be after the import, and returns
/// the errors that it would have and does not have now (compared by code,
/// file and message: lines move in edited files).
pub fn new_errors(sources: &Sources, planned: &[Planned]) -> Vec<Diagnostic> {
    let mut after = sources.clone();
    let at: std::collections::HashMap<String, usize> =
        sources.workloads.iter().enumerate().map(|(i, w)| (w.id.clone(), i)).collect();
    for p in planned {
        match &p.effect {
            Effect::Changed { file, text, .. } => {
                if let Some(i) = at.get(&p.id) {
                    after.workloads[*i].workload_yaml =
                        Some(SourceFile { path: file.clone(), text: Arc::new(text.clone()) });
                }
            }
            Effect::New { files, .. } => {
                let dir = format!("content/workloads/{}", p.id);
                let file =
                    |(path, text): &(String, String)| SourceFile { path: path.clone(), text: Arc::new(text.clone()) };
                let (yaml, stubs): (Vec<_>, Vec<_>) =
                    files.iter().partition(|(path, _)| path.ends_with("/workload.yaml"));
                let w = WorkloadSources {
                    id: p.id.clone(),
                    dir,
                    workload_yaml: yaml.first().map(|f| file(f)),
                    evidence: stubs.into_iter().map(file).collect(),
                    attachments: Vec::new(),
                    documents: Vec::new(),
                    unreadable: Vec::new(),
                    attachment_digests: Default::default(),
                };
                match at.get(&p.id) {
                    // A folder without workload.yaml: the stubs it has are kept, so they are what is checked.
                    Some(i) => after.workloads[*i].workload_yaml = w.workload_yaml,
                    None => after.workloads.push(w),
                }
            }
            Effect::Unchanged => {}
        }
    }
    after.workloads.sort_by(|a, b| a.id.cmp(&b.id));
    let errors = |s: &Sources| -> Vec<Diagnostic> {
        crate::validate::validate(s).1.into_iter().filter(|d| d.severity == Severity::Error).collect()
    };
    let before: BTreeSet<(String, String, String)> =
        errors(sources).into_iter().map(|d| (d.code.as_str().to_string(), d.file, d.message)).collect();
    errors(&after)
        .into_iter()
        .filter(|d| !before.contains(&(d.code.as_str().to_string(), d.file.clone(), d.message.clone())))
        .collect()
}

/// Writes what the plan says: edited workload.yaml files replaced whole,
/// new workloads' files created (never over an existing file).
pub fn write(root: &Path, sources: &Sources, planned: &[Planned]) -> Result<(), Fatal> {
    // Every edited file is opened (and checked unchanged) before any is written.
    let mut targets = Vec::new();
    for p in planned {
        if let Effect::Changed { file, text, .. } = &p.effect {
            let ws = folder(sources, &p.id).expect("a changed workload was loaded");
            let loaded = ws.workload_yaml.as_ref().map_or("", |f| f.text.as_str());
            targets.push((Target::open(Writer::Import, root, &ws.dir, file, loaded)?, text));
        }
    }
    for (target, text) in targets {
        let mut bytes = target.bom().to_vec();
        bytes.extend_from_slice(text.as_bytes());
        target.replace(&bytes, &|| Ok(()))?;
    }
    for p in planned {
        if let Effect::New { files, .. } = &p.effect {
            scaffold::write_files(root, files)?;
        }
    }
    Ok(())
}
