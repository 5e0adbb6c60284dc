//! A small structured portfolio, derived with `arbitrary` and written out as
//! the YAML and Markdown files `cutover` reads, all in memory.
//!
//! The shape is fixed (the built-in checklist, a handful of workloads) so the
//! fuzzer spends its time on the decisions, not on syntax; `yaml_to_model`
//! covers the syntax.

use arbitrary::Arbitrary;
use cutover::core::checklist::Checklist;
use cutover::core::date::Date;
use cutover::load::{SourceFile, Sources, WorkloadSources};
use std::collections::BTreeMap;

/// The workload ids, one per slot (a slot may use an invalid id instead).
pub const IDS: [&str; 4] = ["payroll", "hr", "crm", "web"];
pub const PEOPLE: &[&str] = &["ana@x.example", "li@x.example", "sam@x.example", "val@x.example"];
pub const RELEASES: &[&str] = &["wave-1", "wave-2", "wave-3"];
pub const ATTACHMENT: &str = "reports/evidence.txt";
const CRITICALITIES: [&str; 3] = ["mission-critical", "business-critical", "standard"];
const STATUSES: &[&str] =
    &["not-started", "in-progress", "executed", "documented", "validated", "not-applicable", "waived", "done"];

#[derive(Arbitrary, Debug, Clone)]
pub struct GenPortfolio {
    /// Days after 2025-01-01 (mod 1000).
    pub as_of: u16,
    /// Four slots, so that most inputs have several workloads to depend on each other.
    pub workloads: [GenWorkload; 4],
    pub site: Option<GenSite>,
    /// Seed for the file order of the second run.
    pub shuffle: u64,
    /// Which workload and item the monotonicity check completes.
    pub complete: (u8, u8),
}

#[derive(Arbitrary, Debug, Clone)]
pub struct GenSite {
    pub ciso: Vec<u8>,
    pub business: Vec<u8>,
    pub releases: u8,
    pub as_of: Option<i16>,
    pub unknown_key: bool,
}

/// A workload starts with complete evidence (every item but `promote`
/// satisfied, so `ready` is the default) and `changes` replace or remove files.
#[derive(Arbitrary, Debug, Clone)]
pub struct GenWorkload {
    // Breakage is rare (a byte with its low bits all set), so that most slots
    // hold a readable workload; an input that runs out reads as zeros, which
    // means a plain, valid workload.
    /// Leave the slot empty: 1 in 8.
    pub absent: u8,
    /// A folder name that is not an id: 1 in 16.
    pub bad_id: u8,
    /// 250 and above: a criticality that does not exist.
    pub criticality: u8,
    pub release: Option<u8>,
    pub deps: Vec<u8>,
    /// No workload.yaml: 1 in 16.
    pub no_yaml: u8,
    /// A misspelt key in workload.yaml: 1 in 16.
    pub unknown_key: u8,
    pub changes: Vec<GenEvidence>,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct GenEvidence {
    /// Index into the checklist items; one past the end is a file that names no item.
    pub item: u8,
    pub status: u8,
    pub executed_on: Option<i16>,
    pub validated_on: Option<i16>,
    pub validated_by: Option<u8>,
    pub documented: u8,
    pub waiver: Option<GenWaiver>,
    pub justification: bool,
    /// Item-specific fields: 0 left out, 1 valid, 2 invalid.
    pub fields: u8,
    pub body: u8,
    pub unknown_key: bool,
    /// Break the file: no front matter, unclosed, or bad YAML; or remove it.
    pub broken: u8,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct GenWaiver {
    pub approved_on: i16,
    pub expires_on: i16,
    pub complete: bool,
}

/// 2025-01-01.
fn base() -> Date {
    Date::parse("2025-01-01").expect("valid")
}

impl GenPortfolio {
    pub fn as_of_date(&self) -> Date {
        base().add_days(i64::from(self.as_of % 1000))
    }

    /// A date `offset` days (bounded to about a year) from the as-of date.
    fn date(&self, offset: i16) -> String {
        self.as_of_date().add_days(i64::from(offset % 400)).to_string()
    }

    /// The approvers of a role as written in site.yaml.
    pub fn approvers(&self, role: &str) -> Vec<&'static str> {
        let Some(site) = &self.site else { return Vec::new() };
        let picks = if role == "ciso" { &site.ciso } else { &site.business };
        let mut out: Vec<&str> = picks.iter().take(3).map(|p| PEOPLE[*p as usize % PEOPLE.len()]).collect();
        out.dedup();
        out
    }

    pub fn sources(&self) -> Sources {
        let checklist = cutover::validate::checklist::builtin();
        let mut sources = Sources::default();
        if let Some(site) = &self.site {
            sources.site = Some(SourceFile { path: "content/site.yaml".into(), text: self.site_yaml(site).into() });
        }
        for (w, id) in self.workloads.iter().zip(IDS) {
            if w.absent % 8 == 7 {
                continue;
            }
            let id = if w.bad_id % 16 == 15 { format!("Bad_{id}") } else { id.to_string() };
            sources.workloads.push(self.workload(w, &id, &checklist));
        }
        sources
    }

    fn site_yaml(&self, site: &GenSite) -> String {
        let mut s = String::from("title: Fuzz\n");
        if let Some(d) = site.as_of {
            s += &format!("as_of: {}\n", self.date(d));
        }
        s += "approvers:\n";
        for role in ["ciso", "business"] {
            s += &format!("  {role}: [{}]\n", self.approvers(role).join(", "));
        }
        let n = usize::from(site.releases % 4);
        if n > 0 {
            s += "releases:\n";
            for r in &RELEASES[..n] {
                s += &format!("  - id: {r}\n    title: Release {r}\n");
            }
        }
        if site.unknown_key {
            s += "colour: blue\n";
        }
        s
    }

    fn workload(&self, w: &GenWorkload, id: &str, checklist: &Checklist) -> WorkloadSources {
        let dir = format!("content/workloads/{id}");
        let mut yaml = format!(
            "name: Workload {id}\nowner: team@x.example\ncriticality: {}\n",
            if w.criticality >= 250 { "critical" } else { CRITICALITIES[w.criticality as usize % 3] }
        );
        if let Some(r) = w.release {
            yaml += &format!("release: {}\n", RELEASES[r as usize % RELEASES.len()]);
        }
        if !w.deps.is_empty() {
            let deps: Vec<&str> = w.deps.iter().take(4).map(|d| IDS[*d as usize % IDS.len()]).collect();
            yaml += &format!("depends_on: [{}]\n", deps.join(", "));
        }
        if w.unknown_key % 16 == 15 {
            yaml += "ownr: someone\n";
        }
        let mut files: BTreeMap<String, String> = checklist
            .items
            .iter()
            .filter(|i| i.id.as_str() != "promote")
            .map(|i| (format!("{dir}/{}.md", i.id), self.satisfied_evidence(i)))
            .collect();
        for e in w.changes.iter().take(8) {
            let idx = e.item as usize % (checklist.items.len() + 1);
            let name = checklist.items.get(idx).map_or("notes", |i| i.id.as_str());
            let path = format!("{dir}/{name}.md");
            if e.broken % 8 == 7 {
                files.remove(&path);
            } else {
                files.insert(path, self.evidence_text(e, name));
            }
        }
        let evidence = files.into_iter().map(|(path, text)| SourceFile { path, text: text.into() }).collect();
        WorkloadSources {
            id: id.to_string(),
            dir: dir.clone(),
            workload_yaml: (w.no_yaml % 16 != 15)
                .then(|| SourceFile { path: format!("{dir}/workload.yaml"), text: yaml.into() }),
            evidence,
            attachments: vec![ATTACHMENT.to_string()],
            documents: Vec::new(),
            unreadable: Vec::new(),
            attachment_digests: Default::default(),
        }
    }

    fn evidence_text(&self, e: &GenEvidence, item: &str) -> String {
        let status = STATUSES[e.status as usize % STATUSES.len()];
        let mut fm = format!("status: {status}\n");
        if let Some(d) = e.executed_on {
            fm += &format!("executed_on: {}\n", self.date(d));
        }
        match e.documented % 8 {
            1 => fm += &format!("documented_in: [{ATTACHMENT}]\n"),
            2 => fm += "documented_in: [\"https://wiki.x.example/doc\"]\n",
            3 => fm += "documented_in: []\n",
            4 => fm += "documented_in: [missing.txt]\n",
            5 => fm += "documented_in: [../other/evidence.txt]\n",
            6 => fm += "documented_in: \"javascript:alert(1)\"\n",
            7 => fm += &format!("documented_in:\n  - {ATTACHMENT}\n  - https://wiki.x.example/doc\n"),
            _ => {}
        }
        if let Some(p) = e.validated_by {
            fm += &format!("validated_by: {}\n", PEOPLE[p as usize % PEOPLE.len()]);
        }
        if let Some(d) = e.validated_on {
            fm += &format!("validated_on: {}\n", self.date(d));
        }
        if e.justification {
            fm += "justification: Not used here.\n";
        }
        if let Some(w) = &e.waiver {
            fm += &format!(
                "waiver:\n  approved_by: ana@x.example\n  approved_on: {}\n  expires_on: {}\n",
                self.date(w.approved_on),
                self.date(w.expires_on)
            );
            if w.complete {
                fm += "  reason: Vendor delay.\n  mitigation: Manual checks.\n";
            }
        }
        if !e.fields.is_multiple_of(3) {
            fm += &item_fields(item, e.fields % 3 == 1, &self.date(-3));
        }
        if e.unknown_key {
            fm += "validatd_by: typo\n";
        }
        let body = match e.body % 6 {
            0 => "Done.\n".to_string(),
            1 => format!("See [the evidence]({ATTACHMENT}).\n"),
            2 => "See [nothing](missing.txt).\n".into(),
            3 => "[x](javascript:alert(1)) <script>alert(1)</script>\n".into(),
            4 => "See [stage](stage.md) and [up](../up.txt).\n\n# Heading\n".into(),
            _ => String::new(),
        };
        match e.broken % 8 {
            1 => format!("{fm}{body}"),
            2 => format!("---\n{fm}{body}"),
            3 => format!("---\n{fm}  : [unclosed\n---\n{body}"),
            4 => format!("---\n{fm}status: again\n---\n{body}"),
            _ => format!("---\n{fm}---\n{body}"),
        }
    }

    /// Evidence for `item` that satisfies it on the as-of date, given this site's approvers.
    pub fn satisfied_evidence(&self, item: &cutover::core::checklist::Item) -> String {
        let signer = match &item.signoff {
            None => Some(PEOPLE[3]),
            Some(role) => self.approvers(role).first().copied(),
        };
        let Some(signer) = signer else {
            // Nobody may sign it off: a waiver in force satisfies it all the same.
            return format!(
                "---\nstatus: waived\nwaiver:\n  approved_by: ana@x.example\n  approved_on: {}\n  expires_on: {}\n  reason: r\n  mitigation: m\n---\nWaived.\n",
                self.date(-5),
                self.date(5)
            );
        };
        format!(
            "---\nstatus: validated\nexecuted_on: {}\ndocumented_in: [{ATTACHMENT}]\nvalidated_by: {signer}\nvalidated_on: {}\n{}---\nDone, see [the evidence]({ATTACHMENT}).\n",
            self.date(-2),
            self.date(-1),
            item_fields(item.id.as_str(), true, &self.date(-3))
        )
    }
}

/// The built-in checklist's item-specific fields, valid or not.
fn item_fields(item: &str, valid: bool, date: &str) -> String {
    match (item, valid) {
        ("data-classification", true) => "classification: confidential\n".into(),
        ("data-classification", false) => "classification: secret\n".into(),
        ("domain-alignment", true) => "domain: corp.x.example\n".into(),
        ("domain-alignment", false) => "domain: [a, b]\n".into(),
        ("bcdr-validation", true) => format!("last_restore_test: {date}\n"),
        ("bcdr-validation", false) => "last_restore_test: 2026-02-30\n".into(),
        ("ciso-verification", true) => "risks:\n  - {id: r1, description: d, mitigation: m, accepted: true}\n".into(),
        ("ciso-verification", false) => "risks:\n  - {id: r1, accepted: maybe, extra: 1}\n".into(),
        ("promote", true) => format!(
            "promoted_on: {date}\ncutover:\n  - {{record: a.x.example, type: A, from: 10.0.0.1, to: 10.1.0.1, ttl: 300}}\n"
        ),
        ("promote", false) => "promoted_on: soon\ncutover:\n  - {record: a, type: MX, ttl: fast}\n".into(),
        _ => String::new(),
    }
}

/// The same sources with workloads, evidence and attachments in another order.
pub fn shuffled(sources: &Sources, seed: u64) -> Sources {
    let mut rng = seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut out = sources.clone();
    shuffle(&mut out.workloads, &mut next);
    for w in &mut out.workloads {
        shuffle(&mut w.evidence, &mut next);
        shuffle(&mut w.attachments, &mut next);
    }
    out
}

fn shuffle<T>(v: &mut [T], next: &mut impl FnMut() -> u64) {
    for i in (1..v.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}
