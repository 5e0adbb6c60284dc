//! Editions of the site. The internal edition shows everything; the public
//! edition withholds what must not be published widely, before rendering, so
//! no page, script or JSON file can leak it by accident.

use crate::core::checklist::{Checklist, FieldSpec, ItemRole};
use crate::core::model::{FieldValue, Link, Portfolio, Workload};
use crate::validate::BodyHtml;
use serde::Serialize;
use std::borrow::Cow;

const CONFIDENTIAL: [&str; 2] = ["confidential", "highly-confidential"];
/// Host names and addresses of the DNS changes: never public.
const CUTOVER_FIELD: &str = "cutover";
/// The field of the classification item that holds the class.
pub(crate) const CLASSIFICATION_FIELD: &str = "classification";

/// Which readers a site is for: the internal edition shows everything; the
/// public one withholds what must not be published widely (see [`apply`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    #[default]
    /// For the team and its reviewers: everything.
    Internal,
    /// For readers outside the team: confidential evidence, promotion evidence and sensitive fields withheld.
    Public,
}

impl Edition {
    /// The word `--edition` and the pages use for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Edition::Internal => "internal",
            Edition::Public => "public",
        }
    }
}

/// What a render receives: the portfolio as an edition shows it, and which
/// edition that is (the pages say so). The model itself knows nothing of editions.
pub struct Shown<'a> {
    /// The portfolio, less what the edition withholds.
    pub portfolio: Cow<'a, Portfolio>,
    /// Which edition it is.
    pub edition: Edition,
    /// The bodies' HTML that validation wrote, less what the edition withholds.
    pub body_html: Cow<'a, BodyHtml>,
}

impl<'a> Shown<'a> {
    /// The internal edition: the portfolio itself, borrowed, with no HTML
    /// written yet (render writes each body's from its Markdown).
    pub fn internal(p: &'a Portfolio) -> Shown<'a> {
        Shown { portfolio: Cow::Borrowed(p), edition: Edition::Internal, body_html: Cow::Owned(BodyHtml::default()) }
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
pub(crate) fn is_confidential(checklist: &Checklist, w: &Workload) -> bool {
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
pub fn apply<'a>(p: &'a Portfolio, body_html: &'a BodyHtml, edition: Edition) -> Shown<'a> {
    if edition == Edition::Internal {
        return Shown { portfolio: Cow::Borrowed(p), edition, body_html: Cow::Borrowed(body_html) };
    }
    let mut out = p.clone();
    let mut html = body_html.clone();
    let promotion = p.checklist.role_id(ItemRole::Promotion);
    for w in out.workloads.values_mut() {
        let confidential = is_confidential(&p.checklist, w);
        for ev in w.evidence.values_mut() {
            let had_html = html.get(w.id.as_str(), ev.item.as_str()).is_some();
            let text_withheld = if confidential {
                withhold_all(ev, had_html)
            } else if Some(&ev.item) == promotion {
                withhold_promotion(ev, had_html)
            } else {
                false
            };
            if text_withheld {
                html.remove(w.id.as_str(), ev.item.as_str());
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
            let linked = crate::core::documents::reachable(
                w.evidence.values().flat_map(|e| e.linked_files.iter()),
                &w.documents,
            );
            w.attachments.retain(|a| linked.contains(a));
            w.documents.retain(|d, _| linked.contains(d));
        }
    }
    Shown { portfolio: Cow::Owned(out), edition, body_html: Cow::Owned(html) }
}

/// The promotion's narrative, records and attached plans; its dates stay.
/// Returns whether the text was withheld (`had_html`: validation wrote the
/// body's HTML and let its Markdown go).
fn withhold_promotion(ev: &mut crate::core::model::Evidence, had_html: bool) -> bool {
    let text = withhold_text(ev, had_html);
    withhold_files(ev);
    text
}

/// Withholds the evidence text, if there is any; returns whether there was.
fn withhold_text(ev: &mut crate::core::model::Evidence, had_html: bool) -> bool {
    let any = had_html || !ev.body.is_blank();
    if any {
        ev.body = crate::core::model::Body::default();
        ev.withheld.push("the evidence text".into());
    }
    any
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

fn withhold_all(ev: &mut crate::core::model::Evidence, had_html: bool) -> bool {
    let text = withhold_text(ev, had_html);
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
    text
}

/// Stands in for a withheld text that a page shows in its place.
const WITHHELD: &str = "(withheld in this edition)";

fn withhold_files(ev: &mut crate::core::model::Evidence) {
    if ev.documented_in.iter().any(|l| matches!(l, Link::File(_))) || !ev.linked_files.is_empty() {
        ev.withheld.push("the attached documents".into());
    }
    ev.documented_in.retain(|l| matches!(l, Link::Url(_)));
    ev.linked_files.clear();
}
