//! What the templates see: plain, serialisable views built from the assessment.
//! Keeping them here means templates never compute decisions themselves.

use super::markdown;
use crate::core::checklist::{FieldKind, FieldSpec};
use crate::core::model::{Evidence, FieldValue, Link, Portfolio, Status, Workload};
use crate::evaluate::{Assessment, Decision, ItemState, WorkloadAssessment};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// Shared by every page: where the site root is relative to the page, and the site's names.
#[derive(Serialize)]
pub struct Common<'a> {
    pub root: String,
    pub site_title: &'a str,
    pub organisation: Option<&'a str>,
    pub as_of: String,
    pub page_title: String,
    pub nav: Vec<NavLink>,
    pub canonical: Option<String>,
    pub edition: &'static str,
    /// The changes feed, when the build read history (`<link rel="alternate">`).
    pub feed: Option<String>,
}

#[derive(Serialize, Clone)]
pub struct NavLink {
    pub title: String,
    pub href: String,
}

#[derive(Serialize)]
pub struct Counts {
    pub total: usize,
    pub promoted: usize,
    pub ready: usize,
    pub blocked: usize,
}

impl Counts {
    pub fn of<'a>(decisions: impl Iterator<Item = &'a Decision>) -> Counts {
        let mut c = Counts { total: 0, promoted: 0, ready: 0, blocked: 0 };
        for d in decisions {
            c.total += 1;
            match d {
                Decision::Promoted => c.promoted += 1,
                Decision::Ready => c.ready += 1,
                Decision::Blocked => c.blocked += 1,
            }
        }
        c
    }
}

#[derive(Serialize)]
pub struct ReleaseSummary {
    pub id: String,
    pub title: String,
    pub target: Option<String>,
    pub days_to_target: Option<i64>,
    pub complete: bool,
    pub counts: Counts,
    /// Percentages for the progress bar, summing to 100 when there are workloads.
    pub pct_promoted: u32,
    pub pct_ready: u32,
    /// The progress bar, as inline SVG.
    pub bar_svg: String,
    /// When a complete release completed, and whether on time.
    pub completion: Option<super::wording::Completion>,
}

#[derive(Serialize)]
pub struct MatrixColumn {
    pub id: String,
    pub title: String,
    pub abbr: String,
    pub group: String,
}

#[derive(Serialize)]
pub struct MatrixRow {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub criticality: &'static str,
    pub release: Option<String>,
    pub decision: &'static str,
    pub cells: Vec<Cell>,
    /// The owner's page, where the caller knows it (see `super::people`).
    pub owner_href: Option<String>,
    /// What holds a blocked workload back first, in a few words.
    pub first_reason: Option<super::wording::FirstReason>,
    pub promoted_on: Option<String>,
}

/// One item of one workload in the matrix: a symbol and text, never colour alone.
#[derive(Serialize)]
pub struct Cell {
    pub status: &'static str,
    pub symbol: &'static str,
    pub class: &'static str,
    pub title: String,
}

#[derive(Serialize)]
pub struct DepLink {
    pub id: String,
    pub name: String,
    pub decision: &'static str,
    pub href: String,
}

#[derive(Serialize)]
pub struct ReasonView {
    pub item: Option<String>,
    pub item_title: Option<String>,
    pub workload: Option<String>,
    pub workload_name: Option<String>,
    pub href: String,
    pub message: String,
}

#[derive(Serialize)]
pub struct GroupView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub items: Vec<ItemView<'a>>,
}

#[derive(Serialize)]
pub struct ItemView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub status: &'static str,
    pub symbol: &'static str,
    pub class: &'static str,
    pub satisfied: bool,
    pub required: bool,
    /// The promotion item of a ready workload: open, but the next step rather than a gap.
    pub next_step: bool,
    pub note: Option<&'a str>,
    pub stale: bool,
    pub out_of_order: bool,
    pub executed_on: Option<String>,
    pub validated_by: Option<&'a str>,
    pub validated_on: Option<String>,
    pub justification: Option<&'a str>,
    pub waiver: Option<&'a crate::core::model::Waiver>,
    pub links: Vec<LinkView>,
    pub fields: Vec<FieldView>,
    pub body_html: Cow<'a, str>,
    pub has_evidence: bool,
    pub withheld: &'a [String],
    pub changed_after_signoff: bool,
    pub signed: bool,
    /// A sign-off is recorded but does not count; `note` says why.
    pub lapsed: bool,
    /// Who committed the validation, and the waiver's approval.
    pub provenance: Option<SignoffRecord<'a>>,
    pub waiver_provenance: Option<SignoffRecord<'a>>,
}

/// A sign-off's git record as a report shows it.
#[derive(Serialize)]
pub struct SignoffRecord<'a> {
    pub commit: &'a str,
    pub author: Option<&'a str>,
    pub date: Option<String>,
    pub state: &'static str,
}

impl<'a> From<&'a crate::core::model::Provenance> for SignoffRecord<'a> {
    fn from(p: &'a crate::core::model::Provenance) -> Self {
        SignoffRecord {
            commit: p.short_commit(),
            author: p.author.as_deref(),
            date: p.date.map(|d| d.to_string()),
            state: p.state.as_str(),
        }
    }
}

#[derive(Serialize)]
pub struct LinkView {
    pub href: String,
    pub label: String,
    pub external: bool,
}

/// An item field for display: a value, or a table for lists of records.
#[derive(Serialize)]
pub struct FieldView {
    pub name: String,
    pub label: String,
    pub value: Option<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub fn status_symbol(status: Status) -> &'static str {
    match status {
        // A ring, not a dot: the state furthest from done must not be the hardest to see.
        Status::NotStarted => "○",
        Status::InProgress => "…",
        Status::Executed => "E",
        Status::Documented => "D",
        Status::Validated => "✓",
        Status::NotApplicable => "n/a",
        Status::Waived => "W",
    }
}

/// The CSS class of an item: its status, or `stale`/`unmet` when validated evidence does not count.
pub fn cell_class(state: &ItemState) -> &'static str {
    match (state.status, state.satisfied) {
        (_, false) if state.stale => "stale",
        (Status::Validated | Status::Waived | Status::NotApplicable, false) => "unmet",
        (s, _) => match s {
            Status::NotStarted => "not-started",
            Status::InProgress => "in-progress",
            Status::Executed => "executed",
            Status::Documented => "documented",
            Status::Validated => "validated",
            Status::NotApplicable => "not-applicable",
            Status::Waived => "waived",
        },
    }
}

pub fn cell(state: &ItemState, item_title: &str) -> Cell {
    let mut title = format!("{item_title}: {}", state.status);
    if let Some(n) = &state.note {
        title.push_str(" (");
        title.push_str(n);
        title.push(')');
    }
    if !state.required {
        title.push_str(" - not required");
    }
    Cell { status: state.status.as_str(), symbol: status_symbol(state.status), class: cell_class(state), title }
}

pub fn abbreviation(title: &str) -> String {
    let words: Vec<&str> = title.split(|c: char| c.is_whitespace() || c == '-').filter(|w| !w.is_empty()).collect();
    if words.len() > 1 {
        words.iter().filter_map(|w| w.chars().next()).collect::<String>().to_uppercase()
    } else {
        title.chars().take(3).collect()
    }
}

impl DepLink {
    /// The same workload as a node of a dependency graph.
    pub fn into_node(self, role: super::svg::NodeRole) -> super::svg::GraphNode {
        super::svg::GraphNode { id: self.id, label: self.name, decision: self.decision, href: self.href, role }
    }
}

pub fn workload_href(root: &str, id: &str) -> String {
    format!("{root}workloads/{id}/index.html")
}

pub fn release_summary(p: &Portfolio, a: &Assessment, release_id: &str) -> Option<ReleaseSummary> {
    let r = p.site.releases.iter().find(|r| r.id.as_str() == release_id)?;
    let ra = a.releases.iter().find(|x| x.id == r.id)?;
    let counts = Counts::of(ra.workloads.iter().map(|id| &a.workloads[id].decision));
    let pct = |n: usize| (n * 100).checked_div(counts.total).unwrap_or(0) as u32;
    Some(ReleaseSummary {
        id: r.id.0.clone(),
        title: r.title.clone(),
        target: r.target.map(|d| d.to_string()),
        days_to_target: r.target.map(|t| a.as_of.days_until(t)),
        complete: ra.complete,
        pct_promoted: pct(counts.promoted),
        pct_ready: pct(counts.ready),
        bar_svg: decision_bar(&counts, 240, 14),
        completion: ra.complete.then(|| super::wording::completion(a, &ra.workloads, r.target)).flatten(),
        counts,
    })
}

/// The releases table's row for the workloads in no release, when there are any.
pub fn no_release_summary(p: &Portfolio, a: &Assessment) -> Option<ReleaseSummary> {
    let counts = Counts::of(p.workloads.values().filter(|w| w.release.is_none()).map(|w| &a.workloads[&w.id].decision));
    if counts.total == 0 {
        return None;
    }
    let pct = |n: usize| (n * 100).checked_div(counts.total).unwrap_or(0) as u32;
    Some(ReleaseSummary {
        id: String::new(),
        title: "No release".into(),
        target: None,
        days_to_target: None,
        complete: false,
        pct_promoted: pct(counts.promoted),
        pct_ready: pct(counts.ready),
        bar_svg: decision_bar(&counts, 240, 14),
        completion: None,
        counts,
    })
}

pub fn matrix_row(p: &Portfolio, w: &Workload, wa: &WorkloadAssessment) -> MatrixRow {
    let checklist = &p.checklist;
    MatrixRow {
        id: w.id.0.clone(),
        name: w.name.clone(),
        owner: w.owner.clone(),
        criticality: w.criticality.as_str(),
        release: w.release.as_ref().map(|r| r.0.clone()),
        decision: wa.decision.as_str(),
        cells: wa.items.iter().zip(&checklist.items).map(|(s, i)| cell(s, &i.title)).collect(),
        owner_href: None,
        first_reason: super::wording::first_reason(p, w, wa),
        promoted_on: wa.promoted_on.map(|d| d.to_string()),
    }
}

pub fn dep_link(root: &str, p: &Portfolio, a: &Assessment, id: &crate::core::model::WorkloadId) -> DepLink {
    DepLink {
        id: id.0.clone(),
        name: p.workloads.get(id).map_or_else(|| id.0.clone(), |w| w.name.clone()),
        decision: a.workloads.get(id).map_or("blocked", |x| x.decision.as_str()),
        href: workload_href(root, id.as_str()),
    }
}

pub fn reasons(root: &str, p: &Portfolio, wa: &WorkloadAssessment) -> Vec<ReasonView> {
    reason_views(root, p, &wa.reasons)
}

/// Reasons as a page shows them, each linked to its item or workload.
pub fn reason_views(root: &str, p: &Portfolio, list: &[crate::evaluate::Reason]) -> Vec<ReasonView> {
    list.iter()
        .map(|r| ReasonView {
            item: r.item.as_ref().map(|i| i.0.clone()),
            item_title: r.item.as_ref().and_then(|i| p.checklist.item(i.as_str())).map(|i| i.title.clone()),
            workload: r.workload.as_ref().map(|w| w.0.clone()),
            workload_name: r.workload.as_ref().and_then(|w| p.workloads.get(w)).map(|w| w.name.clone()),
            href: match (&r.item, &r.workload) {
                (Some(i), _) => format!("#item-{i}"),
                (None, Some(w)) => workload_href(root, w.as_str()),
                _ => String::new(),
            },
            message: r.message.clone(),
        })
        .collect()
}

pub fn item_groups<'a>(
    p: &'a Portfolio,
    w: &'a Workload,
    wa: &'a WorkloadAssessment,
    html: &'a crate::validate::BodyHtml,
) -> Vec<GroupView<'a>> {
    let with_evidence: BTreeSet<String> = w.evidence.keys().map(|k| k.0.clone()).collect();
    p.checklist
        .groups
        .iter()
        .map(|g| GroupView {
            id: &g.id,
            title: &g.title,
            items: p
                .checklist
                .items
                .iter()
                .zip(&wa.items)
                .filter(|(i, _)| i.group == g.id)
                .map(|(item, state)| {
                    let ev = w.evidence.get(&item.id).map(Box::as_ref);
                    let mut view =
                        item_view(item, state, ev, html.get(w.id.as_str(), item.id.as_str()), &with_evidence);
                    // On a ready workload the open promotion item is what comes next, not what is missing.
                    if wa.decision == Decision::Ready
                        && item.role == Some(crate::core::checklist::ItemRole::Promotion)
                        && !state.satisfied
                    {
                        view.next_step = true;
                        view.note = Some(super::wording::NEXT_STEP_NOTE);
                    }
                    view
                })
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect()
}

/// An evidence body under its item's heading: the HTML validation wrote, or
/// else rendered now from the Markdown.
pub(super) fn body_html<'a>(
    body: &'a crate::core::model::Body,
    written: Option<&'a str>,
    with_evidence: &BTreeSet<String>,
    scope: &str,
) -> Cow<'a, str> {
    let top = crate::load::markdown::EVIDENCE_TOP_HEADING;
    match written {
        Some(html) => Cow::Borrowed(html),
        None => Cow::Owned(markdown::to_html_in(body, with_evidence, top, scope)),
    }
}

fn item_view<'a>(
    item: &'a crate::core::checklist::Item,
    state: &'a ItemState,
    ev: Option<&'a Evidence>,
    written: Option<&'a str>,
    with_evidence: &BTreeSet<String>,
) -> ItemView<'a> {
    let date = |d: Option<crate::core::date::Date>| d.map(|d| d.to_string());
    ItemView {
        id: &item.id.0,
        title: &item.title,
        summary: &item.summary,
        status: state.status.as_str(),
        symbol: status_symbol(state.status),
        class: cell_class(state),
        satisfied: state.satisfied,
        required: state.required,
        next_step: false,
        note: state.note.as_deref(),
        stale: state.stale,
        out_of_order: state.out_of_order,
        executed_on: date(ev.and_then(|e| e.executed_on)),
        validated_by: ev.and_then(|e| e.validated_by.as_deref()),
        validated_on: date(ev.and_then(|e| e.validated_on)),
        justification: ev.and_then(|e| e.justification.as_deref()),
        waiver: ev.and_then(|e| e.waiver.as_ref()),
        links: ev.map(|e| e.documented_in.iter().map(|l| link_view(l, with_evidence)).collect()).unwrap_or_default(),
        fields: ev.map(|e| field_views(&item.fields, &e.fields)).unwrap_or_default(),
        body_html: ev.map(|e| body_html(&e.body, written, with_evidence, item.id.as_str())).unwrap_or_default(),
        has_evidence: ev.is_some(),
        withheld: ev.map_or(&[], |e| e.withheld.as_slice()),
        changed_after_signoff: ev.is_some_and(|e| e.changed_after_signoff),
        signed: ev.is_some_and(|e| e.validated_digest.is_some()),
        lapsed: state.lapsed,
        provenance: ev.filter(|e| e.validated_by.is_some()).and_then(|e| e.provenance.as_ref()).map(Into::into),
        waiver_provenance: ev.and_then(|e| e.waiver.as_ref()).and_then(|w| w.provenance.as_ref()).map(Into::into),
    }
}

fn link_view(l: &Link, with_evidence: &BTreeSet<String>) -> LinkView {
    match l {
        Link::Url(u) => LinkView { href: u.clone(), label: u.clone(), external: true },
        Link::File(p) => match crate::core::url::evidence_item(p, with_evidence) {
            Some(item) => LinkView { href: format!("#item-{item}"), label: p.clone(), external: false },
            // A Markdown attachment is published as a page beside it.
            None => LinkView {
                href: crate::core::url::encode_path(&crate::core::documents::page_path(p)),
                label: p.clone(),
                external: false,
            },
        },
    }
}

/// A field's name as a heading: words apart, the first capitalised, and the
/// short forms a reader may not know spelt out ("ttl" is "Time to live",
/// never "Ttl"), the acronyms everyone knows in capitals.
fn label(name: &str) -> String {
    let words: Vec<String> = name
        .split(['_', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| match w.to_ascii_lowercase().as_str() {
            "ttl" => "time to live".to_string(),
            "percent" | "pct" => "(%)".to_string(),
            "id" | "url" | "dns" | "ip" | "vm" | "sla" | "rpo" | "rto" => w.to_ascii_uppercase(),
            _ => w.to_string(),
        })
        .collect();
    let s = words.join(" ");
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// Drops the columns that no row fills (optional record fields nobody used).
fn drop_empty_columns(view: &mut FieldView) {
    let keep: Vec<bool> =
        (0..view.columns.len()).map(|i| view.rows.iter().any(|r| r.get(i).is_some_and(|v| !v.is_empty()))).collect();
    let mut i = 0;
    view.columns.retain(|_| (keep[i], i += 1).0);
    for row in &mut view.rows {
        let mut i = 0;
        row.retain(|_| (keep.get(i).copied().unwrap_or(true), i += 1).0);
    }
}

fn field_views(specs: &[FieldSpec], values: &[(String, FieldValue)]) -> Vec<FieldView> {
    specs
        .iter()
        .filter_map(|spec| {
            let (_, v) = values.iter().find(|(n, _)| *n == spec.name)?;
            let mut view = FieldView {
                name: spec.name.clone(),
                label: label(&spec.name),
                value: None,
                columns: Vec::new(),
                rows: Vec::new(),
            };
            match (spec.kind, v) {
                (FieldKind::List, FieldValue::List(entries)) if !spec.fields.is_empty() => {
                    view.columns = spec.fields.iter().map(|f| label(&f.name)).collect();
                    view.rows = entries
                        .iter()
                        .map(|e| match e {
                            FieldValue::Record(r) => spec
                                .fields
                                .iter()
                                .map(|f| {
                                    r.iter().find(|(n, _)| *n == f.name).map(|(_, v)| v.display()).unwrap_or_default()
                                })
                                .collect(),
                            other => vec![other.display()],
                        })
                        .collect();
                    drop_empty_columns(&mut view);
                }
                (_, v) => view.value = Some(v.display()),
            }
            Some(view)
        })
        .collect()
}

/// Promoted, ready and blocked as one bar.
pub fn decision_bar(c: &Counts, width: u32, height: u32) -> String {
    super::svg::stacked_bar(&decision_parts(c), width, height)
}

pub fn decision_parts(c: &Counts) -> [super::svg::Part<'static>; 3] {
    use super::svg::Part;
    [
        Part { class: "promoted", label: "promoted", value: c.promoted },
        Part { class: "ready", label: "ready", value: c.ready },
        Part { class: "blocked", label: "blocked", value: c.blocked },
    ]
}

/// The graph around one workload: its dependencies, itself, and what depends on it.
pub fn workload_graph(root: &str, p: &Portfolio, a: &Assessment, w: &Workload, wa: &WorkloadAssessment) -> String {
    use super::svg::{GraphNode, NodeRole, dependency_graph};
    let mut nodes = vec![GraphNode {
        id: w.id.0.clone(),
        label: w.name.clone(),
        decision: wa.decision.as_str(),
        href: "index.html".into(),
        role: NodeRole::Focus,
    }];
    let mut edges = Vec::new();
    for d in &w.depends_on {
        let l = dep_link(root, p, a, d);
        edges.push((w.id.0.clone(), l.id.clone()));
        nodes.push(l.into_node(NodeRole::Normal));
    }
    for d in &wa.dependants {
        if w.depends_on.contains(d) {
            continue;
        }
        let l = dep_link(root, p, a, d);
        edges.push((l.id.clone(), w.id.0.clone()));
        nodes.push(l.into_node(NodeRole::Normal));
    }
    if nodes.len() == 1 {
        return String::new();
    }
    dependency_graph(&nodes, &edges, &format!("Dependency graph of {}", w.name))
}

/// The graph of a release: its workloads, plus the outside workloads they depend on.
pub fn release_graph(root: &str, p: &Portfolio, a: &Assessment, members: &[&Workload], title: &str) -> String {
    use super::svg::{GraphNode, NodeRole, dependency_graph};
    let inside: BTreeSet<&str> = members.iter().map(|w| w.id.as_str()).collect();
    let mut nodes: Vec<GraphNode> = Vec::new();
    let mut outside = BTreeSet::new();
    let mut edges = Vec::new();
    for w in members {
        let l = dep_link(root, p, a, &w.id);
        nodes.push(l.into_node(NodeRole::Normal));
        for d in &w.depends_on {
            edges.push((w.id.0.clone(), d.0.clone()));
            if !inside.contains(d.as_str()) {
                outside.insert(d.clone());
            }
        }
    }
    for d in outside {
        let l = dep_link(root, p, a, &d);
        // Said as it is: a dependency outside the release may be in no release at all.
        let label = match p.workloads.get(&d).map(|w| &w.release) {
            Some(None) => format!("{} (no release)", l.name),
            _ => format!("{} (other release)", l.name),
        };
        nodes.push(GraphNode { label, ..l.into_node(NodeRole::External) });
    }
    dependency_graph(&nodes, &edges, title)
}
