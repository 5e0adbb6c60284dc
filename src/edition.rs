//! Editions of the site. The internal edition shows everything; the public
//! edition withholds what must not be published widely, before rendering, so
//! no page, script or JSON file can leak it by accident.

use crate::checklist::FieldSpec;
use crate::model::{FieldValue, Link, Portfolio};
use serde::Serialize;

const CONFIDENTIAL: [&str; 2] = ["confidential", "highly-confidential"];
/// Host names and addresses of the DNS changes: never public.
const CUTOVER_FIELD: &str = "cutover";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    #[default]
    Internal,
    Public,
}

impl Edition {
    pub fn as_str(self) -> &'static str {
        match self {
            Edition::Internal => "internal",
            Edition::Public => "public",
        }
    }
}

/// The data classification a workload's evidence declares, if any.
pub fn classification(w: &crate::model::Workload) -> Option<&str> {
    w.evidence.get("data-classification")?.fields.iter().find_map(|(n, v)| match v {
        crate::model::FieldValue::Text(t) if n == "classification" => Some(t.as_str()),
        _ => None,
    })
}

/// The portfolio as the edition may show it. For the public edition: the
/// bodies, item fields, file links and attachments of confidential workloads,
/// every workload's cutover records, and every field the checklist marks
/// `sensitive`, are removed and listed in `Evidence::withheld`.
/// The internal edition is the portfolio itself, borrowed, not copied.
pub fn apply(p: &Portfolio, edition: Edition) -> std::borrow::Cow<'_, Portfolio> {
    if edition == p.edition && edition == Edition::Internal {
        return std::borrow::Cow::Borrowed(p);
    }
    let mut out = p.clone();
    out.edition = edition;
    if edition == Edition::Internal {
        return std::borrow::Cow::Owned(out);
    }
    for w in out.workloads.values_mut() {
        let confidential = classification(w).is_some_and(|c| CONFIDENTIAL.contains(&c));
        for ev in w.evidence.values_mut() {
            if confidential {
                withhold_all(ev);
            } else if let Some(item) = p.checklist.item(ev.item.as_str())
                && withhold_sensitive(&item.fields, &mut ev.fields, true)
            {
                ev.withheld.push("sensitive fields".into());
            }
        }
        if confidential {
            w.attachments.clear();
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Removes the fields that `specs` mark `sensitive` (and, at the top level, the
/// cutover records) from `values`, also inside the entries of list fields.
/// Returns whether anything was removed.
fn withhold_sensitive(specs: &[FieldSpec], values: &mut Vec<(String, FieldValue)>, top: bool) -> bool {
    let hidden = |name: &str| specs.iter().any(|s| s.name == name && (s.sensitive || (top && s.name == CUTOVER_FIELD)));
    let before = values.len();
    values.retain(|(name, _)| !hidden(name));
    let mut removed = values.len() != before;
    for (name, value) in values.iter_mut() {
        let Some(spec) = specs.iter().find(|s| s.name == *name && !s.fields.is_empty()) else { continue };
        if let FieldValue::List(entries) = value {
            for entry in entries {
                if let FieldValue::Record(record) = entry {
                    removed |= withhold_sensitive(&spec.fields, record, false);
                }
            }
        }
    }
    removed
}

fn withhold_all(ev: &mut crate::model::Evidence) {
    if !ev.body.is_blank() {
        ev.body = crate::model::Body::default();
        ev.withheld.push("the evidence text".into());
    }
    if !ev.fields.is_empty() {
        ev.fields.clear();
        ev.withheld.push("the item fields".into());
    }
    if ev.documented_in.iter().any(|l| matches!(l, Link::File(_))) || !ev.linked_files.is_empty() {
        ev.withheld.push("the attached documents".into());
    }
    ev.documented_in.retain(|l| matches!(l, Link::Url(_)));
    ev.linked_files.clear();
}
