//! The dates and people of accepted risks (`accepted_by`, `accepted_on`,
//! `review_by` in an item's `risks`), checked where they are written. Whether
//! the acceptor was in the role on the day is evaluation's business (it leaves
//! the item unsatisfied); a name that no role lists at all is a typo, and an
//! error here, like a review planned before the acceptance it reviews.

use super::fields::Sink;
use crate::core::checklist::Item;
use crate::core::date::Date;
use crate::core::diagnostics::{Code, did_you_mean};
use crate::core::model::Site;
use crate::load::yaml::{Key, Node, Value};

/// The field that holds risks, in the built-in checklist and by convention.
pub const RISKS_FIELD: &str = "risks";

/// Checks every entry of the `risks` list in `front` (the evidence's front matter).
pub fn check(sink: &mut Sink, front: &[(Key, Node)], item: &Item, site: Option<&Site>) {
    let Some(Value::Seq(entries)) = front.iter().find(|(k, _)| k.name == RISKS_FIELD).map(|(_, n)| &n.value) else {
        return;
    };
    for entry in entries {
        let Value::Map(map) = &entry.value else { continue };
        let get =
            |k: &str| map.iter().find(|(key, _)| key.name == k).map(|(_, v)| v).filter(|v| v.value != Value::Null);
        let date = |k: &str| get(k).and_then(|n| n.value.scalar_text()).and_then(|s| Date::parse(s.trim()));
        let (by, on) = (get("accepted_by"), get("accepted_on"));
        match (by, on) {
            (Some(n), None) => sink.report(
                Code::E0202,
                n.pos,
                "a risk with `accepted_by` needs `accepted_on`, the day it was accepted".to_string(),
                Some(
                    "add `accepted_on: YYYY-MM-DD`: the acceptor must be in the item's sign-off role on that day"
                        .into(),
                ),
            ),
            (None, Some(n)) => sink.report(
                Code::E0202,
                n.pos,
                "a risk with `accepted_on` needs `accepted_by`, who accepted it".to_string(),
                Some("add `accepted_by:` with the approver who accepted the risk".into()),
            ),
            _ => {}
        }
        if let (Some(accepted), Some(review), Some(n)) = (date("accepted_on"), date("review_by"), get("review_by"))
            && review < accepted
        {
            sink.report(
                Code::E0209,
                n.pos,
                format!("`review_by` ({review}) is before `accepted_on` ({accepted})"),
                Some("a risk is reviewed after it is accepted: set `review_by` on or after `accepted_on`".into()),
            );
        }
        if let (Some(n), Some(site)) = (by, site) {
            nobody(sink, n, item, site);
        }
    }
}

/// E0604: `accepted_by` names someone who is listed under no role at all.
fn nobody(sink: &mut Sink, node: &Node, item: &Item, site: &Site) {
    let (Some(role), Some(who)) = (item.signoff.as_deref(), node.value.scalar_text()) else { return };
    let members = site.approvers.members(role);
    // A role without members is already told about (W0002); every name would be "nobody".
    if members.is_empty() || who.trim().is_empty() {
        return;
    }
    let listed = site.approvers.people();
    if listed.iter().any(|p| crate::core::approvers::same_person(p, &who)) {
        return;
    }
    let names: Vec<&str> = members.iter().map(|a| a.person.as_str()).collect();
    let help = did_you_mean(&who.to_lowercase(), names.iter().copied()).unwrap_or_else(|| {
        format!(
            "name a member of role `{role}` ({}), or list `{who}` under `approvers: {role}:` in site.yaml",
            names.join(", ")
        )
    });
    sink.report(
        Code::E0604,
        node.pos,
        format!("`accepted_by` names `{who}`, whom no role in site.yaml lists"),
        Some(help),
    );
}
