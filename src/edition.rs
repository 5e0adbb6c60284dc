//! Editions of the site. The internal edition shows everything; the public
//! edition withholds what must not be published widely, before rendering, so
//! no page, script or JSON file can leak it by accident.

use crate::model::{Link, Portfolio};
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
pub fn apply(p: &Portfolio, edition: Edition) -> Portfolio {
    let mut out = p.clone();
    out.edition = edition;
    if edition == Edition::Internal {
        return out;
    }
    let sensitive: Vec<(String, String)> = p
        .checklist
        .items
        .iter()
        .flat_map(|i| {
            i.fields
                .iter()
                .filter(|f| f.sensitive || f.name == CUTOVER_FIELD)
                .map(move |f| (i.id.0.clone(), f.name.clone()))
        })
        .collect();
    for w in out.workloads.values_mut() {
        let confidential = classification(w).is_some_and(|c| CONFIDENTIAL.contains(&c));
        for ev in w.evidence.values_mut() {
            if confidential {
                withhold_all(ev);
            } else {
                let before = ev.fields.len();
                ev.fields.retain(|(name, _)| !sensitive.iter().any(|(i, f)| *i == ev.item.0 && f == name));
                if ev.fields.len() != before {
                    ev.withheld.push("sensitive fields".into());
                }
            }
        }
        if confidential {
            w.attachments.clear();
        }
    }
    out
}

fn withhold_all(ev: &mut crate::model::Evidence) {
    if !ev.body.trim().is_empty() {
        ev.body.clear();
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
