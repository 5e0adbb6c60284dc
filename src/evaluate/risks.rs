//! Accepted risks as dated sign-offs. A risk recorded in an item's `risks`
//! field may say who accepted it (`accepted_by`, on `accepted_on`) and when
//! it must be looked at again (`review_by`). Either can leave the item
//! unsatisfied: an acceptor outside the item's sign-off role on the day of
//! acceptance, or a review date that has passed.

use super::item::{Rules, not_member};
use crate::core::checklist::Item;
use crate::core::date::Date;
use crate::core::model::{Evidence, FieldValue};

pub use crate::validate::risks::RISKS_FIELD;

/// One entry of a `risks` field, as far as dates and people go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Risk {
    pub id: String,
    pub description: String,
    pub mitigation: String,
    pub accepted: bool,
    pub accepted_by: Option<String>,
    pub accepted_on: Option<Date>,
    pub review_by: Option<Date>,
}

/// The risks recorded in `ev`, in the order written (none when the item has no `risks` field).
pub fn risks_of(ev: &Evidence) -> Vec<Risk> {
    let Some((_, FieldValue::List(entries))) = ev.fields.iter().find(|(n, _)| n == RISKS_FIELD) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|e| match e {
            FieldValue::Record(r) => Some(risk(r)),
            _ => None,
        })
        .collect()
}

fn risk(r: &[(String, FieldValue)]) -> Risk {
    let get = |k: &str| r.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    let text = |k: &str| get(k).map(FieldValue::display).unwrap_or_default();
    let date = |k: &str| match get(k) {
        Some(FieldValue::Date(d)) => Some(*d),
        _ => None,
    };
    Risk {
        id: text("id"),
        description: text("description"),
        mitigation: text("mitigation"),
        accepted: get("accepted") == Some(&FieldValue::Bool(true)),
        accepted_by: get("accepted_by").map(FieldValue::display),
        accepted_on: date("accepted_on"),
        review_by: date("review_by"),
    }
}

impl Risk {
    /// How a note names the risk.
    pub fn label(&self) -> String {
        if self.id.is_empty() { "a risk".to_string() } else { format!("risk {}", self.id) }
    }
}

/// Why the risks recorded in `ev` keep `item` from counting on `on`, if they do.
/// The first problem in written order is told.
pub fn problem(rules: &Rules, item: &Item, ev: &Evidence, on: Date) -> Option<String> {
    risks_of(ev).iter().find_map(|r| risk_problem(rules, item, ev, r, on))
}

fn risk_problem(rules: &Rules, item: &Item, ev: &Evidence, r: &Risk, on: Date) -> Option<String> {
    if let (Some(role), Some(by)) = (item.signoff.as_deref(), r.accepted_by.as_deref()) {
        // Validation asks for `accepted_on` with `accepted_by`; without it, the validation's date stands in.
        let day = r.accepted_on.or(ev.validated_on).unwrap_or(on);
        if let Some(why) = not_member(&rules.site.approvers, role, by, day) {
            return Some(format!("{} accepted by {by}, {why}", r.label()));
        }
    }
    match r.review_by {
        Some(review) if review < on => {
            Some(format!("{} was due for review by {review}, before {} {on}", r.label(), rules.day))
        }
        _ => None,
    }
}
