//! `calendar.ics` and each person's calendar (RFC 5545): one all-day event
//! on every date of the [`Schedule`], and one on every release target.
//!
//! Calendar programs that subscribe to the file match events by UID, so a
//! UID is made of what the event is about (kind, workload, item, and the
//! risk, asset or release) and nothing else: a rebuild updates an event in
//! place instead of adding a copy. `DTSTAMP` is the as-of date, so that two
//! builds of the same inputs give the same bytes.

use crate::core::date::Date;
use crate::core::model::{Portfolio, Workload};
use crate::evaluate::deadlines::{Deadline, DueKind, Schedule};

/// One all-day event, with the people it concerns (for their own calendars).
#[derive(Debug, Clone)]
pub struct Event {
    pub uid: String,
    pub date: Date,
    pub summary: String,
    pub description: String,
    pub kind: DueKind,
    /// Site-relative page of what the event is about.
    pub page: String,
    /// Owners and signers the event concerns.
    pub people: Vec<String>,
}

/// Every event of the portfolio, sorted by date and UID.
pub fn events(p: &Portfolio, schedule: &Schedule) -> Vec<Event> {
    let mut out = Vec::new();
    for r in &p.site.releases {
        let Some(target) = r.target else { continue };
        let owners = p.workloads.values().filter(|w| w.release.as_ref() == Some(&r.id)).map(|w| w.owner.clone());
        out.push(Event {
            uid: uid(&["release-target", r.id.as_str()]),
            date: target,
            summary: format!("{}: release target", r.title),
            description: format!("Target date of release {} ({}).", r.title, r.id),
            kind: DueKind::ReleaseTarget,
            page: format!("releases/{}/index.html", r.id),
            people: owners.collect(),
        });
    }
    for w in p.workloads.values() {
        let dates = schedule.get(&w.id);
        out.extend(dates.all.iter().filter(|d| d.kind != DueKind::ReleaseTarget).map(|d| event(p, w, d)));
    }
    out.sort_by(|a, b| (a.date, &a.uid).cmp(&(b.date, &b.uid)));
    out
}

fn event(p: &Portfolio, w: &Workload, d: &Deadline) -> Event {
    let item = d.item.as_ref().map_or("", |i| i.as_str());
    let title = d.item.as_ref().and_then(|i| p.checklist.item(i.as_str())).map_or(item, |i| i.title.as_str());
    let what = if title.is_empty() { d.key.as_str() } else { title };
    let mut people = vec![w.owner.clone()];
    people.extend(d.signer.clone());
    Event {
        uid: uid(&[d.kind.as_str(), w.id.as_str(), item, &d.key]),
        date: d.date,
        summary: format!("{} - {what}: {}", w.name, d.kind.label()),
        description: format!("{}. Last day on which it holds: {}.", d.message, d.date),
        kind: d.kind,
        page: match &d.item {
            Some(i) => format!("workloads/{}/index.html#item-{i}", w.id),
            None => format!("workloads/{}/index.html", w.id),
        },
        people,
    }
}

/// `kind.workload.item.key@cutover`, free text percent-encoded so that the UID is plain ASCII.
fn uid(parts: &[&str]) -> String {
    let mut s = String::new();
    for (n, part) in parts.iter().filter(|p| !p.is_empty()).enumerate() {
        if n > 0 {
            s.push('.');
        }
        for b in part.bytes() {
            match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => s.push(b as char),
                _ => s.push_str(&format!("%{b:02X}")),
            }
        }
    }
    s.push_str("@cutover");
    s
}

/// The calendar file: `name` is its display name, `base` the site's absolute address, if any.
pub fn ics(name: &str, as_of: Date, base: Option<&str>, events: &[&Event]) -> Vec<u8> {
    let mut out = String::with_capacity(512 + events.len() * 400);
    let stamp = format!("{}T000000Z", compact(as_of));
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//cutover//promotion readiness//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    let base = base.filter(|b| b.starts_with("https://") || b.starts_with("http://")).map(|b| b.trim_end_matches('/'));
    for e in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", e.uid));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        line(&mut out, &format!("DTSTART;VALUE=DATE:{}", compact(e.date)));
        line(&mut out, &format!("DTEND;VALUE=DATE:{}", compact(e.date.add_days(1))));
        line(&mut out, &format!("SUMMARY:{}", text(&e.summary)));
        line(&mut out, &format!("DESCRIPTION:{}", text(&e.description)));
        line(&mut out, &format!("CATEGORIES:{}", e.kind.as_str()));
        line(&mut out, "TRANSP:TRANSPARENT");
        if let Some(b) = base {
            line(&mut out, &format!("URL:{b}/{}", e.page));
        }
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out.into_bytes()
}

fn compact(d: Date) -> String {
    d.to_string().replace('-', "")
}

/// A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line, folded (RFC 5545 3.1) so that no line is longer than 75
/// octets: a longer one goes on in lines that start with a space, never
/// splitting a UTF-8 character.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// `calendar.ics`: every event of the site.
pub(super) fn site_calendar(env: &super::Env) -> Vec<u8> {
    let all: Vec<&Event> = env.events.iter().collect();
    ics(&env.p.site.title, env.a.as_of, env.p.site.base_url.as_deref(), &all)
}

/// `people/<id>/calendar.ics`: the events that concern one person.
pub(super) fn person_calendar(env: &super::Env, person: &super::people::Person) -> Vec<u8> {
    let mine = super::people::events_of(&env.events, &env.people, person);
    let name = format!("{} - {}", env.p.site.title, person.name);
    ics(&name, env.a.as_of, env.p.site.base_url.as_deref(), &mine)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", "é".repeat(60)));
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l:?} is {} octets", l.len());
        }
        assert_eq!(out.replace("\r\n ", ""), format!("SUMMARY:{}\r\n", "é".repeat(60)));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn uids_are_plain_ascii() {
        assert_eq!(uid(&["hold-ends", "gl", "", "GL SQL/01"]), "hold-ends.gl.GL%20SQL%2F01@cutover");
    }
}
