//! A page per person named as an owner or an approver: what they own and
//! what holds it back, the sign-offs waiting for them, what they approved,
//! and their dates. People are matched without regard to case (as sign-offs
//! are); each gets an id that is a safe file name, unique on the site.

use super::calendar::Event;
use super::context::{ReasonView, reason_views, workload_href};
use crate::core::approvers::same_person;
use crate::core::model::{Portfolio, Status, WorkloadId};
use crate::evaluate::Assessment;
use crate::evaluate::deadlines::Schedule;
use crate::evaluate::risks::risks_of;
use serde::Serialize;
use std::collections::BTreeMap;

/// One person of the site.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    /// A slug: lower-case ASCII letters, digits and `-`; unique on the site.
    pub id: String,
    /// As first written (owners before approvers, in id order).
    pub name: String,
}

/// Everyone with a page, and how to find them by any spelling.
#[derive(Debug, Clone, Default)]
pub struct People {
    pub list: Vec<Person>,
    /// Lower-cased, trimmed name -> index in `list`.
    index: BTreeMap<String, usize>,
    /// What concerns each person, parallel to `list`: gathered in one pass
    /// over the portfolio, so that a page per person costs what it shows,
    /// not a walk over every workload.
    holdings: Vec<Holdings>,
}

/// The workloads and events of one person.
#[derive(Debug, Clone, Default)]
pub struct Holdings {
    /// Workloads they own.
    pub owned: Vec<WorkloadId>,
    /// Workloads where they approved a waiver or accepted a risk.
    pub approved_in: Vec<WorkloadId>,
    /// Indexes into the site's events of the events that concern them.
    pub events: Vec<usize>,
    /// Whether they are listed under any role (sign-offs may wait for them).
    pub approver: bool,
}

fn norm(who: &str) -> String {
    who.trim().to_lowercase()
}

/// A file-name-safe form of a name: `Ana.Ruiz@Contoso.example` -> `ana-ruiz-contoso-example`.
pub fn slug(who: &str) -> String {
    let mut s = String::new();
    for c in who.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let mut s: String = s.trim_end_matches('-').chars().take(56).collect();
    while s.ends_with('-') {
        s.pop();
    }
    if s.is_empty() { "person".to_string() } else { s }
}

impl People {
    /// Owners and approvers, sorted without regard to case; a slug that two
    /// people share gets `-2`, `-3`... in that order.
    pub fn of(p: &Portfolio, events: &[Event]) -> People {
        // First spelling wins, as in `Roles::people`.
        let mut first: BTreeMap<String, &str> = BTreeMap::new();
        let owners = p.workloads.values().map(|w| w.owner.as_str());
        for who in owners.chain(p.site.approvers.people()) {
            if !who.trim().is_empty() {
                first.entry(norm(who)).or_insert(who);
            }
        }
        let names: Vec<&str> = first.into_values().collect();
        let mut people = People::default();
        let mut taken: BTreeMap<String, usize> = BTreeMap::new();
        for name in names {
            let base = slug(name);
            let n = taken.entry(base.clone()).or_insert(0);
            *n += 1;
            let mut id = if *n == 1 { base.clone() } else { format!("{base}-{n}") };
            // `x-2` may itself be someone's slug: go on counting until free.
            while people.list.iter().any(|p| p.id == id) {
                *n += 1;
                id = format!("{base}-{n}");
            }
            people.index.insert(norm(name), people.list.len());
            people.list.push(Person { id, name: name.to_string() });
        }
        people.holdings = vec![Holdings::default(); people.list.len()];
        people.gather(p, events);
        people
    }

    fn slot(&mut self, who: &str) -> Option<&mut Holdings> {
        let i = *self.index.get(&norm(who))?;
        self.holdings.get_mut(i)
    }

    fn gather(&mut self, p: &Portfolio, events: &[Event]) {
        for who in p.site.approvers.people() {
            if let Some(h) = self.slot(who) {
                h.approver = true;
            }
        }
        for w in p.workloads.values() {
            if let Some(h) = self.slot(&w.owner) {
                h.owned.push(w.id.clone());
            }
            for ev in w.evidence.values() {
                let waiver = ev.waiver.as_ref().map(|wv| wv.approved_by.clone());
                let risks = risks_of(ev).into_iter().filter_map(|r| r.accepted_by);
                for who in waiver.into_iter().chain(risks) {
                    if let Some(h) = self.slot(&who)
                        && h.approved_in.last() != Some(&w.id)
                    {
                        h.approved_in.push(w.id.clone());
                    }
                }
            }
        }
        for (n, e) in events.iter().enumerate() {
            let mut seen: Vec<usize> = Vec::new();
            for who in &e.people {
                if let Some(&i) = self.index.get(&norm(who))
                    && !seen.contains(&i)
                {
                    seen.push(i);
                    self.holdings[i].events.push(n);
                }
            }
        }
    }

    /// What concerns `person` (a person of this list).
    pub fn holdings(&self, person: &Person) -> &Holdings {
        static NONE: Holdings =
            Holdings { owned: Vec::new(), approved_in: Vec::new(), events: Vec::new(), approver: false };
        self.index.get(&norm(&person.name)).and_then(|&i| self.holdings.get(i)).unwrap_or(&NONE)
    }

    pub fn find(&self, who: &str) -> Option<&Person> {
        self.index.get(&norm(who)).map(|&i| &self.list[i])
    }

    /// The link to `who`'s page from a page at `root`, if they have one.
    pub fn href(&self, root: &str, who: &str) -> Option<String> {
        self.find(who).map(|p| format!("{root}people/{}/index.html", p.id))
    }
}

#[derive(Serialize)]
pub struct OwnedRow {
    pub name: String,
    pub href: String,
    pub decision: &'static str,
    pub reasons: Vec<ReasonView>,
    pub release: Option<String>,
}

#[derive(Serialize)]
pub struct SignoffRow {
    pub workload_name: String,
    pub href: String,
    pub item: String,
    pub status: &'static str,
    pub role: String,
    pub by: Option<String>,
}

#[derive(Serialize)]
pub struct ApprovedRow {
    pub workload_name: String,
    pub href: String,
    pub what: String,
    pub on: String,
    pub until: String,
    pub in_force: bool,
}

#[derive(Serialize)]
pub struct DateRow {
    pub date: String,
    pub kind: &'static str,
    pub summary: String,
    pub href: String,
    pub soon: bool,
}

/// What a person's page shows.
#[derive(Serialize)]
pub struct PersonView {
    pub person: Person,
    /// Role -> the term, in words.
    pub roles: Vec<(String, String)>,
    pub owned: Vec<OwnedRow>,
    pub waiting: Vec<SignoffRow>,
    pub waivers: Vec<ApprovedRow>,
    pub risks: Vec<ApprovedRow>,
    pub dates: Vec<DateRow>,
    pub attention_days: u32,
}

/// The view of `person`; `root` leads from their page to the site root.
pub fn view(
    root: &str,
    p: &Portfolio,
    a: &Assessment,
    s: &Schedule,
    events: &[&Event],
    person: &Person,
    held: &Holdings,
) -> PersonView {
    let me = |who: &str| same_person(who, &person.name);
    let roles = p
        .site
        .approvers
        .0
        .iter()
        .flat_map(|(role, members)| {
            members.iter().filter(|m| m.is(&person.name)).map(move |m| (role.clone(), m.describe()))
        })
        .collect();
    let title = |id: &str| p.checklist.item(id).map_or_else(|| id.to_string(), |i| i.title.clone());
    let target = |w: &crate::core::model::Workload| {
        let r = w.release.as_ref().and_then(|id| p.site.releases.iter().find(|r| &r.id == id))?;
        Some(match r.target {
            Some(t) => format!("{} (target {t})", r.title),
            None => r.title.clone(),
        })
    };
    let mut view = PersonView {
        person: person.clone(),
        roles,
        owned: Vec::new(),
        waiting: Vec::new(),
        waivers: Vec::new(),
        risks: Vec::new(),
        dates: Vec::new(),
        attention_days: s.attention_days,
    };
    // Only the workloads that concern them: owned, approved in, or (for an approver) all.
    let mut ids: Vec<&WorkloadId> = held.owned.iter().chain(&held.approved_in).collect();
    if held.approver {
        ids = p.workloads.keys().collect();
    }
    ids.sort();
    ids.dedup();
    for id in ids {
        let (Some(w), Some(wa)) = (p.workloads.get(id), a.workloads.get(id)) else { continue };
        let href = workload_href(root, w.id.as_str());
        if me(&w.owner) {
            view.owned.push(OwnedRow {
                name: w.name.clone(),
                href: href.clone(),
                decision: wa.decision.as_str(),
                reasons: reason_views(root, p, &wa.reasons)
                    .into_iter()
                    .map(|r| ReasonView {
                        href: if r.item.is_some() { format!("{href}{}", r.href) } else { r.href },
                        ..r
                    })
                    .collect(),
                release: target(w),
            });
        }
        for (item, state) in p.checklist.items.iter().zip(&wa.items) {
            let ev = w.evidence.get(&item.id);
            let waiting =
                held.approver && matches!(state.status, Status::Executed | Status::Documented) && !state.satisfied;
            if let (true, Some(role)) = (waiting, item.signoff.as_deref())
                && p.site.approvers.is_member(role, &person.name, a.as_of)
            {
                view.waiting.push(SignoffRow {
                    workload_name: w.name.clone(),
                    href: format!("{href}#item-{}", item.id),
                    item: item.title.clone(),
                    status: state.status.as_str(),
                    role: role.to_string(),
                    by: target(w),
                });
            }
            let Some(ev) = ev else { continue };
            if let Some(wv) = ev.waiver.as_ref().filter(|wv| me(&wv.approved_by)) {
                view.waivers.push(ApprovedRow {
                    workload_name: w.name.clone(),
                    href: format!("{href}#item-{}", item.id),
                    what: title(item.id.as_str()),
                    on: wv.approved_on.to_string(),
                    until: wv.expires_on.to_string(),
                    in_force: ev.status == Status::Waived && state.satisfied,
                });
            }
            for r in risks_of(ev).into_iter().filter(|r| r.accepted_by.as_deref().is_some_and(me)) {
                view.risks.push(ApprovedRow {
                    workload_name: w.name.clone(),
                    href: format!("{href}#item-{}", item.id),
                    what: format!("{} ({}): {}", r.label(), item.title, r.description),
                    on: r.accepted_on.map(|d| d.to_string()).unwrap_or_default(),
                    until: r.review_by.map(|d| d.to_string()).unwrap_or_default(),
                    in_force: r.review_by.is_none_or(|d| d >= a.as_of),
                });
            }
        }
    }
    view.dates = events
        .iter()
        .filter(|e| e.date >= a.as_of)
        .map(|e| DateRow {
            date: e.date.to_string(),
            kind: e.kind.label(),
            summary: e.summary.clone(),
            href: format!("{root}{}", e.page),
            soon: e.date <= s.horizon,
        })
        .collect();
    view
}

/// The events that concern `person`.
pub fn events_of<'e>(events: &'e [Event], people: &People, person: &Person) -> Vec<&'e Event> {
    people.holdings(person).events.iter().filter_map(|&n| events.get(n)).collect()
}

#[derive(Serialize)]
struct PersonCtx<'a> {
    #[serde(flatten)]
    common: super::context::Common<'a>,
    #[serde(flatten)]
    view: PersonView,
}

pub(super) fn person_page(env: &super::Env, person: &Person) -> Result<Vec<u8>, super::RenderError> {
    let path = format!("people/{}/index.html", person.id);
    let mine = events_of(&env.events, &env.people, person);
    let held = env.people.holdings(person);
    let ctx = PersonCtx {
        common: env.common(2, person.name.clone(), &path),
        view: view("../../", env.p, env.a, &env.schedule, &mine, person, held),
    };
    env.render("person.html", &ctx)
}

#[derive(Serialize)]
struct PeopleCtx<'a> {
    #[serde(flatten)]
    common: super::context::Common<'a>,
    people: Vec<PersonRow>,
}

#[derive(Serialize)]
struct PersonRow {
    id: String,
    name: String,
    roles: Vec<String>,
    owns: usize,
}

pub(super) fn people_page(env: &super::Env) -> Result<Vec<u8>, super::RenderError> {
    let p = env.p;
    let people = env
        .people
        .list
        .iter()
        .map(|person| PersonRow {
            id: person.id.clone(),
            name: person.name.clone(),
            roles: p
                .site
                .approvers
                .0
                .iter()
                .filter(|(_, m)| m.iter().any(|a| a.is(&person.name)))
                .map(|(r, _)| r.clone())
                .collect(),
            owns: env.people.holdings(person).owned.len(),
        })
        .collect();
    let ctx = PeopleCtx { common: env.common(1, "People".into(), "people/index.html"), people };
    env.render("people.html", &ctx)
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_safe_file_names() {
        assert_eq!(slug("Ana.Ruiz@Contoso.example"), "ana-ruiz-contoso-example");
        assert_eq!(slug("  ../../etc/passwd "), "etc-passwd");
        assert_eq!(slug("Élodie Durand"), "lodie-durand");
        assert_eq!(slug("???"), "person");
        assert!(slug(&"a".repeat(300)).len() <= 56);
    }
}
