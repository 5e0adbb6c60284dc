//! Sentences the pages share, worked out once so that two pages never say
//! different things about the same fact: how far a workload is before its
//! promotion, its first reason in a few words, when a release completed, and
//! whether a classification is settled or only proposed.

use crate::core::checklist::ItemRole;
use crate::core::date::Date;
use crate::core::model::{Portfolio, Workload};
use crate::evaluate::{Assessment, Decision, ItemState, Reason, WorkloadAssessment};
use serde::Serialize;

/// The items a workload needs before it may be promoted, apart from the
/// promotion item itself: "14 of 14" on a ready workload, never "14 of 15".
pub fn before_promotion(p: &Portfolio, wa: &WorkloadAssessment) -> (usize, usize) {
    let promotion = p.checklist.role_id(ItemRole::Promotion);
    let counted = wa.items.iter().filter(|s| s.required && Some(&s.id) != promotion);
    let (mut satisfied, mut required) = (0, 0);
    for s in counted {
        required += 1;
        satisfied += usize::from(s.satisfied);
    }
    (satisfied, required)
}

/// Where the promotion itself stands, in words, for the report's summary.
pub fn promotion_line(wa: &WorkloadAssessment, state: Option<&ItemState>) -> Option<String> {
    let state = state?;
    Some(match wa.decision {
        Decision::Promoted => match wa.promoted_on {
            Some(on) => format!("promoted on {on}"),
            None => "promoted".into(),
        },
        Decision::Ready => "the next step, not yet carried out".into(),
        Decision::Blocked => match &state.note {
            Some(note) if note.starts_with("promotion scheduled") => {
                format!("{note}; it waits until the workload is ready")
            }
            _ => "waits until the workload is ready".into(),
        },
    })
}

/// What the promotion item's note says on a ready workload: it is the next
/// step, not something missing.
pub const NEXT_STEP_NOTE: &str = "The next step: every item required before promotion is satisfied.";

/// A reason of `w` in a few words, for a table row: "waiting for Payroll
/// to be promoted" (or "to be ready", for a dependency in the same release,
/// which need not be promoted first), or "Business testing: in progress".
pub fn short_reason(p: &Portfolio, workload: &Workload, r: &Reason) -> String {
    match (&r.item, &r.workload) {
        (Some(item), _) => {
            let title = p.checklist.item(item.as_str()).map_or(item.as_str(), |i| i.title.as_str());
            format!("{title}: {}", r.message)
        }
        (None, Some(id)) => {
            let dep = p.workloads.get(id);
            let name = dep.map_or(id.as_str(), |d| d.name.as_str());
            let same_release = workload.release.is_some() && dep.is_some_and(|d| d.release == workload.release);
            if r.message.starts_with("dependency is") {
                format!("waiting for {name} to be {}", if same_release { "ready" } else { "promoted" })
            } else {
                format!("{name}: {}", r.message)
            }
        }
        (None, None) => r.message.clone(),
    }
}

/// A workload's first reason in a few words, and how many more it has.
#[derive(Serialize, Default)]
pub struct FirstReason {
    pub text: String,
    pub more: usize,
}

pub fn first_reason(p: &Portfolio, w: &Workload, wa: &WorkloadAssessment) -> Option<FirstReason> {
    let first = wa.reasons.first()?;
    Some(FirstReason { text: short_reason(p, w, first), more: wa.reasons.len() - 1 })
}

/// When a complete release completed: the day its last workload was
/// promoted, and how that day stands to its target. A finished release does
/// not age with the as-of date.
#[derive(Serialize, Clone)]
pub struct Completion {
    pub on: String,
    /// Days from the target to the completion: negative or zero is on time.
    pub days_after_target: Option<i64>,
    pub on_time: Option<bool>,
    /// "on time, 3 days before its target" and the like.
    pub verdict: Option<String>,
}

pub fn completion(
    a: &Assessment,
    workloads: &[crate::core::model::WorkloadId],
    target: Option<Date>,
) -> Option<Completion> {
    let on = workloads.iter().map(|id| a.workloads.get(id)?.promoted_on).collect::<Option<Vec<Date>>>()?;
    let on = on.into_iter().max()?;
    let days_after_target = target.map(|t| t.days_until(on));
    let verdict = days_after_target.map(|d| match d {
        d if d < 0 => format!("on time, {} before its target", days(-d)),
        0 => "on time, on its target date".to_string(),
        d => format!("late, {} after its target", days(d)),
    });
    Some(Completion { on: on.to_string(), days_after_target, on_time: days_after_target.map(|d| d <= 0), verdict })
}

fn days(n: i64) -> String {
    if n == 1 { "1 day".into() } else { format!("{n} days") }
}

/// A workload's data classification and whether it is settled: proposed
/// until its item is satisfied (validated, or waived), so a page never shows
/// a value nobody has validated as a fact.
#[derive(Serialize, Clone)]
pub struct Classification {
    pub value: String,
    pub proposed: bool,
    /// The item's state in words when proposed ("documented, not yet validated").
    pub state: Option<String>,
}

pub fn classification(p: &Portfolio, a: &Assessment, w: &Workload) -> Option<Classification> {
    let value = crate::render::edition::classification(&p.checklist, w)?;
    let id = p.checklist.role_id(ItemRole::Classification)?;
    let state = a.workloads.get(&w.id)?.items.iter().find(|s| &s.id == id)?;
    Some(Classification {
        value: value.to_string(),
        proposed: !state.satisfied,
        state: (!state.satisfied).then(|| state.note.clone().unwrap_or_else(|| state.status.to_string())),
    })
}

/// The `wbr` template filter: the text, escaped, with a break opportunity
/// after each `@` and `.` of an e-mail address or host name, so that a
/// narrow column breaks `li.wei@contoso.example` between its parts and never
/// in the middle of a word.
pub fn wbr(value: tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    tera::Value::safe_string(&with_breaks(&plain(&value)))
}

/// A template value as text: a string as it is, nothing as nothing.
fn plain(value: &tera::Value) -> String {
    match value.as_str() {
        Some(s) => s.to_string(),
        None if value.is_none() || value.is_undefined() => String::new(),
        None => value.to_string(),
    }
}

/// The `code` template filter: the text, escaped, with each pair of
/// backticks (as reasons and notes name a role or an item: "role `ciso`")
/// turned into `<code>`, so that a page never shows a raw backtick where the
/// terminal would show one. A backtick without its pair stays as it is.
pub fn code(value: tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    tera::Value::safe_string(&with_code(&plain(&value)))
}

/// [`code`] on plain text.
pub fn with_code(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let mut out = String::with_capacity(text.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        let inside = i % 2 == 1;
        // An odd part is inside a pair only if a closing backtick follows it.
        if inside && i + 1 < parts.len() {
            out.push_str("<code>");
            out.push_str(&escape(part));
            out.push_str("</code>");
        } else {
            if inside {
                out.push('`');
            }
            out.push_str(&escape(part));
        }
    }
    out
}

fn escape(text: &str) -> String {
    with_breaks_or_not(text, false)
}

/// [`wbr`] on plain text: escaped HTML with `<wbr>` after `@` and after a
/// `.` that has more of the word behind it.
pub fn with_breaks(text: &str) -> String {
    with_breaks_or_not(text, true)
}

fn with_breaks_or_not(text: &str, breaks: bool) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
        let breakable = breaks && (c == '@' || (c == '.' && chars.peek().is_some_and(|n| n.is_alphanumeric())));
        if breakable {
            out.push_str("<wbr>");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_only_between_the_parts_of_an_address() {
        assert_eq!(with_breaks("li.wei@contoso.example"), "li.<wbr>wei@<wbr>contoso.<wbr>example");
        assert_eq!(with_breaks("Done. Next"), "Done. Next", "a full stop before a space is no break");
        assert_eq!(with_breaks("<a>&\"'"), "&lt;a&gt;&amp;&quot;&#x27;", "escaped like autoescape");
    }

    #[test]
    fn backtick_pairs_become_code() {
        assert_eq!(with_code("role `ciso` on 2026-01-02"), "role <code>ciso</code> on 2026-01-02");
        assert_eq!(with_code("`a` and `b`"), "<code>a</code> and <code>b</code>");
        assert_eq!(with_code("one ` alone"), "one ` alone");
        assert_eq!(with_code("`<b>`"), "<code>&lt;b&gt;</code>");
    }
}
