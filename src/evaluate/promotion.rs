//! The promotion itself: whether it has happened on the as-of date, and
//! whether the workload was ready on the day it happened. The item that
//! records it is found by its checklist role, never by its id.

use super::Reason;
use super::item::Rules;
use crate::core::checklist::{Checklist, ItemRole};
use crate::core::date::Date;
use crate::core::model::{FieldValue, Status, Workload};

/// Where the promotion stands on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Promotion {
    /// No promotion is recorded (or its record has errors).
    NotRecorded,
    /// Recorded for a day after the as-of date: it has not happened yet.
    Scheduled(Date),
    /// Happened on this day, on or before the as-of date.
    Done(Date),
}

/// The day the promotion item records: its `promoted_on`, else when it was
/// executed; only while it is `executed` or later and free of errors.
pub fn recorded_on(checklist: &Checklist, w: &Workload) -> Option<Date> {
    let item = checklist.with_role(ItemRole::Promotion)?;
    let ev = w.evidence.get(&item.id).filter(|e| e.status.at_least(Status::Executed) && !e.has_errors)?;
    let field = ev.fields.iter().find_map(|(n, v)| match v {
        FieldValue::Date(d) if n == "promoted_on" => Some(*d),
        _ => None,
    });
    field.or(ev.executed_on)
}

pub fn promotion(checklist: &Checklist, w: &Workload, as_of: Date) -> Promotion {
    match recorded_on(checklist, w) {
        None => Promotion::NotRecorded,
        Some(on) if on > as_of => Promotion::Scheduled(on),
        Some(on) => Promotion::Done(on),
    }
}

/// What the workload lacked on `on`, the day it was promoted: each required
/// item, other than the promotion, that its evidence did not satisfy then.
pub fn missing_on(rules: Rules, w: &Workload, on: Date) -> Vec<Reason> {
    rules
        .checklist
        .items
        .iter()
        .filter(|item| item.role != Some(ItemRole::Promotion) && item.required_for(w.criticality))
        .filter_map(|item| {
            let v = rules.judge(item, w.evidence.get(&item.id).map(Box::as_ref), on);
            (!v.satisfied).then(|| Reason {
                item: Some(item.id.clone()),
                workload: None,
                message: v.note.unwrap_or_else(|| "not satisfied".into()),
            })
        })
        .collect()
}
