//! Who may sign off, and when. A role's members change over time: a CISO
//! leaves, another starts. A sign-off is judged by the membership on its own
//! date, so ending an approver's term never undoes what they signed while in
//! office, and people are matched the way mail systems match addresses,
//! without regard to case.

use crate::date::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// One person's membership of a role, for a span of days (both ends inclusive, open where absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approver {
    pub person: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
    /// OpenSSH public keys that sign this person's commits, as written in site.yaml.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
}

impl Approver {
    /// A member with no end dates and no keys: the v1 form of an entry.
    pub fn plain(person: &str) -> Approver {
        Approver { person: person.to_string(), since: None, until: None, keys: Vec::new() }
    }

    pub fn is(&self, who: &str) -> bool {
        same_person(&self.person, who)
    }

    /// Whether the membership holds on `on`.
    pub fn serves_on(&self, on: Date) -> bool {
        self.since.is_none_or(|s| s <= on) && self.until.is_none_or(|u| on <= u)
    }

    /// "ana@x (until 2026-10-31)": how the checklist page and reports name a member.
    pub fn describe(&self) -> String {
        match (self.since, self.until) {
            (None, None) => self.person.clone(),
            (Some(s), None) => format!("{} (since {s})", self.person),
            (None, Some(u)) => format!("{} (until {u})", self.person),
            (Some(s), Some(u)) => format!("{} ({s} to {u})", self.person),
        }
    }
}

/// People are e-mail addresses or names; both compare without regard to case
/// (and to surrounding white space, which YAML keeps in quoted scalars).
pub fn same_person(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    a.len() == b.len() && a.chars().zip(b.chars()).all(|(x, y)| x.to_lowercase().eq(y.to_lowercase()))
}

/// Every role of `site.yaml`, with its members over time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Roles(pub BTreeMap<String, Vec<Approver>>);

impl Roles {
    pub fn members(&self, role: &str) -> &[Approver] {
        self.0.get(role).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn has(&self, role: &str) -> bool {
        self.0.contains_key(role)
    }

    /// Whether `who` was a member of `role` on `on`.
    pub fn is_member(&self, role: &str, who: &str, on: Date) -> bool {
        self.members(role).iter().any(|a| a.is(who) && a.serves_on(on))
    }

    /// The public keys listed for `who` under any role: keys belong to a person, not to a role.
    pub fn keys_of(&self, who: &str) -> Vec<&str> {
        let mut keys: Vec<&str> =
            self.0.values().flatten().filter(|a| a.is(who)).flat_map(|a| a.keys.iter().map(String::as_str)).collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Everyone named under any role, once each (first spelling wins), sorted without regard to case.
    pub fn people(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for a in self.0.values().flatten() {
            if !out.iter().any(|p| same_person(p, &a.person)) {
                out.push(&a.person);
            }
        }
        out.sort_by_key(|p| p.to_lowercase());
        out
    }

    /// Role -> how each member is named, for pages.
    pub fn described(&self) -> BTreeMap<&str, Vec<String>> {
        self.0.iter().map(|(role, m)| (role.as_str(), m.iter().map(Approver::describe).collect())).collect()
    }

    /// "ana@x, ines@y (since 2026-11-01)", or words saying nobody is listed.
    pub fn list(&self, role: &str) -> String {
        let m = self.members(role);
        if m.is_empty() {
            "nobody is listed".to_string()
        } else {
            m.iter().map(Approver::describe).collect::<Vec<_>>().join(", ")
        }
    }
}

/// Whether `line` reads as one OpenSSH public key, and in words why not.
pub fn check_public_key(line: &str) -> Result<(), crate::git::KeyError> {
    crate::git::parse_public_key(line).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn membership_holds_inclusively_between_its_dates() {
        let a = Approver { since: Some(d("2026-11-01")), until: Some(d("2026-11-30")), ..Approver::plain("x") };
        assert!(!a.serves_on(d("2026-10-31")));
        assert!(a.serves_on(d("2026-11-01")));
        assert!(a.serves_on(d("2026-11-30")));
        assert!(!a.serves_on(d("2026-12-01")));
        assert!(Approver::plain("x").serves_on(d("1999-01-01")));
    }

    #[test]
    fn people_compare_without_case() {
        assert!(same_person("Ana.Ruiz@Contoso.example", "ana.ruiz@contoso.EXAMPLE"));
        assert!(same_person(" ana ", "ANA"));
        assert!(!same_person("ana", "anna"));
        assert!(same_person("ÉLODIE", "élodie"));
        let mut roles = Roles::default();
        roles.0.insert("ciso".into(), vec![Approver::plain("Ana@X"), Approver::plain("ana@x")]);
        assert!(roles.is_member("ciso", "ANA@x", d("2026-01-01")));
        assert!(!roles.is_member("business", "ana@x", d("2026-01-01")));
        assert_eq!(roles.people(), ["Ana@X"]);
    }
}
