//! Whether one item's evidence counts on a date. Every rule that can make a
//! sign-off worthless lives here, so that the decision, the promotion check
//! (evidence as of the promotion day) and the security view agree.

use crate::core::approvers::{Roles, same_person};
use crate::core::checklist::{Checklist, Item};
use crate::core::date::Date;
use crate::core::model::{Evidence, Provenance, ProvenancePolicy, ProvenanceState, Site, Status, Waiver};

/// What the rules say about one item on one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub satisfied: bool,
    /// What holds the item back, or what keeps it satisfied (a waiver's end).
    pub note: Option<String>,
    pub stale: bool,
    /// A sign-off is recorded but does not count (wrong signer, expired,
    /// changed, committed by someone else...): the security view lists these.
    pub lapsed: bool,
}

impl Verdict {
    fn ok(note: Option<String>) -> Verdict {
        Verdict { satisfied: true, note, stale: false, lapsed: false }
    }

    fn open(note: impl Into<String>) -> Verdict {
        Verdict { satisfied: false, note: Some(note.into()), stale: false, lapsed: false }
    }

    fn lapsed(note: impl Into<String>) -> Verdict {
        Verdict { satisfied: false, note: Some(note.into()), stale: false, lapsed: true }
    }
}

/// The site and checklist that every judgement reads.
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    pub site: &'a Site,
    pub checklist: &'a Checklist,
    /// What the date judged against is called in notes: "the as-of date", or
    /// "the promotion day" when a promotion is checked after the fact.
    pub day: &'static str,
}

impl Rules<'_> {
    /// Judges `ev` (absent: not started) for `item` as of `as_of`.
    pub fn judge(&self, item: &Item, ev: Option<&Evidence>, as_of: Date) -> Verdict {
        let Some(ev) = ev else {
            return Verdict::open("not started");
        };
        if ev.changed_after_signoff {
            let on = ev.validated_on.map(|d| format!(" on {d}")).unwrap_or_default();
            let by = ev.validated_by.as_deref().map(|p| format!(" by {p}")).unwrap_or_default();
            return Verdict::lapsed(format!("changed after sign-off{on}{by}"));
        }
        if ev.has_errors {
            return Verdict::open("evidence has errors");
        }
        match ev.status {
            Status::Validated => self.validated(item, ev, as_of),
            Status::NotApplicable if item.allow_not_applicable => Verdict::ok(None),
            Status::NotApplicable => Verdict::open("not-applicable is not allowed for this item"),
            Status::Waived if !item.waivable => Verdict::open("this item cannot be waived"),
            Status::Waived => match &ev.waiver {
                Some(w) => self.waived(item, w, as_of),
                None => Verdict::open("waived without a waiver"),
            },
            Status::NotStarted => Verdict::open("not started"),
            Status::InProgress => Verdict::open("in progress"),
            Status::Executed => Verdict::open("executed, not yet documented or validated"),
            Status::Documented => Verdict::open("documented, not yet validated"),
        }
    }

    /// Whether an item was ever properly closed, whatever its freshness or
    /// expiry: the test for "out of order".
    pub fn signed_off(&self, item: &Item, ev: Option<&Evidence>) -> bool {
        let Some(e) = ev.filter(|e| !e.has_errors) else { return false };
        match e.status {
            Status::Validated => e.validated_on.is_some_and(|on| self.signer_problem(item, e, on).is_none()),
            Status::Waived => item.waivable && e.waiver.is_some(),
            Status::NotApplicable => item.allow_not_applicable,
            _ => false,
        }
    }

    fn validated(&self, item: &Item, ev: &Evidence, as_of: Date) -> Verdict {
        let Some(on) = ev.validated_on else {
            return Verdict::open("validated without a date");
        };
        if let Some(why) = self.signer_problem(item, ev, on) {
            return Verdict::lapsed(why);
        }
        // Evidence dated after the as-of date had not been validated on it (a
        // typo such as 2099 would otherwise stay fresh for ever).
        if on > as_of {
            return Verdict::open(format!("validated {on}, after {} {as_of}", self.day));
        }
        let by = ev.validated_by.as_deref().unwrap_or_default();
        if let Some(why) = policy_problem(self.site, "validated_by", by, ev.provenance.as_ref()) {
            return Verdict::lapsed(why);
        }
        if let Some(max) = item.max_age_days
            && on.days_until(as_of) > i64::from(max)
        {
            return Verdict { stale: true, ..Verdict::lapsed(format!("validated {on}, older than {max} days")) };
        }
        if let Some(why) = super::risks::problem(self, item, ev, as_of) {
            return Verdict::lapsed(why);
        }
        Verdict::ok(None)
    }

    /// Why the validator could not sign this item on `on`, if they could not.
    fn signer_problem(&self, item: &Item, ev: &Evidence, on: Date) -> Option<String> {
        let role = item.signoff.as_deref()?;
        let by = ev.validated_by.as_deref().unwrap_or_default();
        not_member(&self.site.approvers, role, by, on).map(|why| format!("validated by {by}, {why}"))
    }

    fn waived(&self, item: &Item, w: &Waiver, as_of: Date) -> Verdict {
        let role = item.waiver_role(self.site.approvers.has(crate::core::checklist::WAIVERS_ROLE));
        if let Some(role) = role
            && let Some(why) = not_member(&self.site.approvers, role, &w.approved_by, w.approved_on)
        {
            return Verdict::lapsed(format!("waiver approved by {}, {why}", w.approved_by));
        }
        if w.approved_on > as_of {
            return Verdict::open(format!("waiver approved on {}, after {} {as_of}", w.approved_on, self.day));
        }
        let max = self.checklist.max_waiver_days(item);
        let span = w.approved_on.days_until(w.expires_on);
        if span > i64::from(max) {
            return Verdict::lapsed(format!(
                "waiver runs {span} days ({} to {}), longer than the {max} days a waiver of this item may run",
                w.approved_on, w.expires_on
            ));
        }
        if as_of > w.expires_on {
            return Verdict::lapsed(format!("waiver expired on {}", w.expires_on));
        }
        if let Some(why) = policy_problem(self.site, "waiver approved_by", &w.approved_by, w.provenance.as_ref()) {
            return Verdict::lapsed(why);
        }
        Verdict::ok(Some(format!("waived until {}", w.expires_on)))
    }
}

/// Why `who` was not a member of `role` on `on` ("who was not ... on that date"), or `None` if they were.
pub(crate) fn not_member(roles: &Roles, role: &str, who: &str, on: Date) -> Option<String> {
    if roles.is_member(role, who, on) {
        return None;
    }
    let terms: Vec<String> = roles.members(role).iter().filter(|a| a.is(who)).map(|a| a.describe()).collect();
    Some(if terms.is_empty() {
        format!("who is not an approver for role `{role}`")
    } else {
        format!("who was not an approver for role `{role}` on {on} (listed as {})", terms.join(", "))
    })
}

/// Why the git history of a sign-off does not meet `signoff_provenance`, if it does not.
pub fn policy_problem(site: &Site, field: &str, signer: &str, prov: Option<&Provenance>) -> Option<String> {
    if site.signoff_provenance == ProvenancePolicy::None {
        return None;
    }
    let Some(p) = prov else {
        return Some(format!("{field} {signer} cannot be checked: there is no git history to read"));
    };
    let commit = p.short_commit();
    match p.state {
        ProvenanceState::Uncommitted => Some(format!("{field} {signer} is not committed yet")),
        _ if !p.author.as_deref().is_some_and(|a| same_person(a, signer)) => Some(format!(
            "{field} {signer} but the line was committed by {} in {commit}",
            p.author.as_deref().unwrap_or("someone else")
        )),
        ProvenanceState::Verified => None,
        _ if site.signoff_provenance == ProvenancePolicy::Author => None,
        ProvenanceState::SignedUnknown => {
            Some(format!("{field} {signer}: commit {commit} is signed, but not with a key listed for {signer}"))
        }
        ProvenanceState::Unsigned => Some(format!("{field} {signer}: commit {commit} is not signed")),
    }
}
