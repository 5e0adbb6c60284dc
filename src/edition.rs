//! Editions of the site. The internal edition shows everything; the public
//! edition withholds what must not be published widely, before rendering, so
//! no page, script or JSON file can leak it by accident.

use crate::checklist::{Checklist, FieldSpec, ItemRole};
use crate::model::{FieldValue, Link, Portfolio, Workload};
use serde::Serialize;

const CONFIDENTIAL: [&str; 2] = ["confidential", "highly-confidential"];
/// Host names and addresses of the DNS changes: never public.
const CUTOVER_FIELD: &str = "cutover";
/// The field of the classification item that holds the class.
pub const CLASSIFICATION_FIELD: &str = "classification";

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
pub fn classification<'w>(checklist: &Checklist, w: &'w Workload) -> Option<&'w str> {
    let item = checklist.role_id(ItemRole::Classification)?;
    w.evidence.get(item)?.fields.iter().find_map(|(n, v)| match v {
        FieldValue::Text(t) if n == CLASSIFICATION_FIELD => Some(t.as_str()),
        _ => None,
    })
}

/// Whether the public edition must withhold the workload's evidence: its
/// class is confidential or above, or the checklist has no classification
/// item at all (nothing then says that anything may be published).
pub fn is_confidential(checklist: &Checklist, w: &Workload) -> bool {
    match checklist.with_role(ItemRole::Classification) {
        None => true,
        Some(_) => classification(checklist, w).is_some_and(|c| CONFIDENTIAL.contains(&c)),
    }
}

/// The portfolio as the edition may show it. For the public edition: the
/// bodies, item fields, file links, attachments, waiver reasons and
/// mitigations of confidential workloads; every workload's promotion
/// evidence (its text, cutover records and attached plans name hosts and
/// addresses); and every field the checklist marks `sensitive`, are removed
/// and listed in `Evidence::withheld`.
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
    let promotion = p.checklist.role_id(ItemRole::Promotion);
    for w in out.workloads.values_mut() {
        let confidential = is_confidential(&p.checklist, w);
        for ev in w.evidence.values_mut() {
            if confidential {
                withhold_all(ev);
            } else if Some(&ev.item) == promotion {
                withhold_promotion(ev);
            }
            if let Some(item) = p.checklist.item(ev.item.as_str())
                && withhold_sensitive(&item.fields, &mut ev.fields, Some(&ev.item) == promotion)
            {
                ev.withheld.push("sensitive fields".into());
            }
        }
        if confidential {
            w.attachments.clear();
            w.documents.clear();
        } else {
            // Only what some evidence still links (itself, or through a document it links) is published.
            let linked =
                crate::documents::reachable(w.evidence.values().flat_map(|e| e.linked_files.iter()), &w.documents);
            w.attachments.retain(|a| linked.contains(a));
            w.documents.retain(|d, _| linked.contains(d));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The promotion's narrative, records and attached plans; its dates stay.
fn withhold_promotion(ev: &mut crate::model::Evidence) {
    if !ev.body.is_blank() {
        ev.body = crate::model::Body::default();
        ev.withheld.push("the evidence text".into());
    }
    withhold_files(ev);
}

/// Removes the fields that `specs` mark `sensitive` (and, for the promotion
/// item, its cutover records) from `values`, also inside the entries of list
/// fields. Returns whether anything was removed.
fn withhold_sensitive(specs: &[FieldSpec], values: &mut Vec<(String, FieldValue)>, records: bool) -> bool {
    let hidden =
        |name: &str| specs.iter().any(|s| s.name == name && (s.sensitive || (records && s.name == CUTOVER_FIELD)));
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
    if let Some(w) = &mut ev.waiver {
        w.reason = WITHHELD.into();
        w.mitigation = WITHHELD.into();
        ev.withheld.push("the waiver's reason and mitigation".into());
    }
    withhold_files(ev);
}

/// Stands in for a withheld text that a page shows in its place.
const WITHHELD: &str = "(withheld in this edition)";

fn withhold_files(ev: &mut crate::model::Evidence) {
    if ev.documented_in.iter().any(|l| matches!(l, Link::File(_))) || !ev.linked_files.is_empty() {
        ev.withheld.push("the attached documents".into());
    }
    ev.documented_in.retain(|l| matches!(l, Link::Url(_)));
    ev.linked_files.clear();
}
