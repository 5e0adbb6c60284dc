//! The HTML pages, one function each: the dashboard (with its matrix placed
//! in chunks), a workload's report, a release, the checklist, the security
//! and decommissioning views and the free pages. Each builds its context
//! from [`Env`] and renders its template; `render_into` decides which run.

use super::context::{self, *};
use super::{Env, RenderError, due, markdown, security, svg, trend, wording};
use crate::core::model::Portfolio;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Serialize)]
struct DashboardCtx<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    counts: Counts,
    releases: Vec<ReleaseSummary>,
    groups: Vec<(String, usize)>,
    columns: Vec<MatrixColumn>,
    /// Only for a site's own `dashboard.html`, which may loop over them;
    /// the built-in one places `matrix_rows` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<Vec<MatrixRow>>,
    matrix_rows: &'static str,
    owners: Vec<String>,
    unreleased: usize,
    /// The releases table's last row: the workloads in no release.
    no_release: Option<ReleaseSummary>,
    ring_svg: String,
    due: due::DueView,
    history: Option<trend::DashboardHistory>,
}

#[derive(Serialize)]
struct MatrixRowsCtx<'a> {
    root: &'a str,
    rows: Vec<MatrixRow>,
}

/// What the dashboard gets as `matrix_rows`: the rows are rendered after it,
/// a chunk at a time, and put where this marker ended up. At 10,000
/// workloads a context holding every row was over 100 MB of template values;
/// a chunk's is a few hundred kilobytes, made again in the same memory.
const MATRIX_ROWS: &str = "<!--cutover:matrix-rows-->";
const MATRIX_CHUNK: usize = 500;

pub(super) fn dashboard(env: &Env) -> Result<Vec<u8>, RenderError> {
    let (p, a) = (env.p, env.a);
    let checklist = &p.checklist;
    let groups = checklist
        .groups
        .iter()
        .map(|g| (g.title.clone(), checklist.items.iter().filter(|i| i.group == g.id).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let columns = checklist
        .items
        .iter()
        .map(|i| MatrixColumn {
            id: i.id.0.clone(),
            title: i.title.clone(),
            abbr: abbreviation(&i.title),
            group: i.group.clone(),
        })
        .collect();
    let own_template = env.theme.templates.contains_key("dashboard.html");
    let owners: BTreeSet<String> = p.workloads.values().map(|w| w.owner.clone()).collect();
    let counts = Counts::of(a.workloads.values().map(|w| &w.decision));
    let ctx = DashboardCtx {
        common: env.common(0, p.site.title.clone(), "index.html"),
        ring_svg: svg::ring(&decision_parts(&counts), "workloads"),
        counts,
        releases: p.site.releases.iter().filter_map(|r| release_summary(p, a, r.id.as_str())).collect(),
        groups,
        columns,
        rows: own_template.then(|| p.workloads.values().map(|w| matrix_row(p, w, &a.workloads[&w.id])).collect()),
        matrix_rows: MATRIX_ROWS,
        owners: owners.into_iter().collect(),
        unreleased: p.workloads.values().filter(|w| w.release.is_none()).count(),
        no_release: no_release_summary(p, a),
        due: due::due_view("", p, &env.schedule, &env.people, &|_, _| true),
        history: trend::dashboard(&a.history, a.as_of, &|id| p.workloads.contains_key(id)),
    };
    let page = env.render("dashboard.html", &ctx)?;
    place_matrix_rows(env, page, &ctx.common.root)
}

/// Renders the matrix rows, a chunk at a time, where the dashboard's
/// [`MATRIX_ROWS`] marker ended up (a dashboard without it is left as it is).
fn place_matrix_rows(env: &Env, mut page: Vec<u8>, root: &str) -> Result<Vec<u8>, RenderError> {
    let Some(at) = page.windows(MATRIX_ROWS.len()).position(|w| w == MATRIX_ROWS.as_bytes()) else {
        return Ok(page);
    };
    let tail = page.split_off(at + MATRIX_ROWS.len());
    page.truncate(at);
    let workloads: Vec<&crate::core::model::Workload> = env.p.workloads.values().collect();
    for chunk in workloads.chunks(MATRIX_CHUNK) {
        let rows = chunk
            .iter()
            .map(|w| MatrixRow {
                owner_href: env.people.href(root, &w.owner),
                ..matrix_row(env.p, w, &env.a.workloads[&w.id])
            })
            .collect();
        env.render_to("matrix-rows.html", &MatrixRowsCtx { root, rows }, &mut page)?;
    }
    page.extend_from_slice(&tail);
    Ok(page)
}

#[derive(Serialize)]
struct WorkloadCtx<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    id: &'a str,
    name: &'a str,
    owner: &'a str,
    criticality: &'static str,
    release: Option<&'a ReleaseSummary>,
    summary_html: Option<String>,
    decision: &'static str,
    reasons: Vec<ReasonView>,
    promoted_on: Option<String>,
    /// What its own evidence lacked on the promotion day (W0007).
    promoted_while_missing: Vec<ReasonView>,
    dependencies: Vec<DepLink>,
    dependants: Vec<DepLink>,
    groups: Vec<GroupView<'a>>,
    assets: Vec<security::AssetRow>,
    promotion_model: &'static str,
    flight_plan: Vec<security::FlightBatch>,
    hold_days: u32,
    /// Items required before promotion (the promotion item apart), and how many are satisfied.
    satisfied: usize,
    required: usize,
    /// Where the promotion itself stands, in words.
    promotion: Option<String>,
    classification: Option<wording::Classification>,
    next_steps: Vec<NavLink>,
    graph_svg: String,
    progress_svg: String,
    #[serde(flatten)]
    deadlines: due::ReportDates,
    history: Option<trend::WorkloadHistory>,
}

pub(super) fn workload_page(env: &Env, id: &crate::core::model::WorkloadId) -> Result<Vec<u8>, RenderError> {
    let (p, a) = (env.p, env.a);
    let (w, wa) = (&p.workloads[id], &a.workloads[id]);
    let root = "../../";
    let (satisfied, required) = wording::before_promotion(p, wa);
    let promotion_item = p.checklist.role_id(crate::core::checklist::ItemRole::Promotion);
    let ctx = WorkloadCtx {
        common: env.common(2, format!("{} - promotion report", w.name), &format!("workloads/{id}/index.html")),
        id: id.as_str(),
        name: &w.name,
        owner: &w.owner,
        criticality: w.criticality.as_str(),
        release: w.release.as_ref().and_then(|r| env.releases.get(r.as_str())),
        summary_html: w.summary.as_deref().map(markdown::inline_to_html),
        decision: wa.decision.as_str(),
        reasons: reasons(root, p, wa),
        promoted_on: wa.promoted_on.map(|d| d.to_string()),
        promoted_while_missing: context::reason_views(root, p, &wa.promoted_while_missing),
        dependencies: w.depends_on.iter().map(|d| dep_link(root, p, a, d)).collect(),
        dependants: wa.dependants.iter().map(|d| dep_link(root, p, a, d)).collect(),
        groups: item_groups(p, w, wa, env.body_html),
        assets: wa.assets.iter().map(|s| security::asset_row(root, w, s)).collect(),
        promotion_model: w.promotion_model.as_str(),
        flight_plan: security::flight_plan(w, promotion_item),
        hold_days: p.site.decommission_hold_days,
        satisfied,
        required,
        promotion: wording::promotion_line(wa, wa.items.iter().find(|s| Some(&s.id) == promotion_item)),
        classification: wording::classification(p, a, w),
        // Next steps follow a release once all of it is promoted, not a workload on its way.
        next_steps: match &w.release {
            Some(r) if a.releases.iter().any(|ra| ra.id == *r && ra.complete) => next_steps(env, root),
            _ => Vec::new(),
        },
        graph_svg: workload_graph(root, p, a, w, wa),
        progress_svg: svg::stacked_bar(
            &[
                svg::Part { class: "ready", label: "required items satisfied", value: satisfied },
                svg::Part { class: "blocked", label: "still open", value: required - satisfied },
            ],
            240,
            14,
        ),
        deadlines: due::report_dates(env, w),
        history: trend::workload(&a.history, id.as_str()),
    };
    env.render("workload.html", &ctx)
}

fn next_steps(env: &Env, root: &str) -> Vec<NavLink> {
    env.p
        .checklist
        .next_steps
        .iter()
        .map(|n| NavLink { title: n.title.clone(), href: format!("{root}pages/{}/index.html", n.page) })
        .collect()
}

#[derive(Serialize)]
struct ReleaseCtx<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    release: ReleaseSummary,
    rows: Vec<MatrixRow>,
    reasons: BTreeMap<String, Vec<ReasonView>>,
    next_steps: Vec<NavLink>,
    graph_svg: String,
    timeline_svg: String,
    at_risk: BTreeMap<String, Vec<due::AtRiskView>>,
    owner_hrefs: BTreeMap<String, Option<String>>,
    burnup: Option<trend::Burnup>,
}

pub(super) fn release_page(env: &Env, rid: &str) -> Result<Vec<u8>, RenderError> {
    let (p, a) = (env.p, env.a);
    let release = release_summary(p, a, rid).ok_or_else(|| RenderError::new(format!("release {rid} vanished")))?;
    let members: Vec<&crate::core::model::Workload> =
        p.workloads.values().filter(|w| w.release.as_ref().is_some_and(|r| r.as_str() == rid)).collect();
    let root = "../../";
    let ctx = ReleaseCtx {
        common: env.common(2, release.title.clone(), &format!("releases/{rid}/index.html")),
        rows: members.iter().map(|w| matrix_row(p, w, &a.workloads[&w.id])).collect(),
        reasons: members.iter().map(|w| (w.id.0.clone(), reasons(root, p, &a.workloads[&w.id]))).collect(),
        next_steps: next_steps(env, root),
        graph_svg: release_graph(root, p, a, &members, &format!("Dependency graph of {}", release.title)),
        // A finished release does not age: its page says when it completed instead.
        timeline_svg: match (&release.target, release.days_to_target, release.complete) {
            (Some(t), Some(d), false) => svg::timeline(&a.as_of.to_string(), t, d),
            _ => String::new(),
        },
        at_risk: due::at_risk(p, &env.schedule, &mut members.iter().copied()),
        owner_hrefs: members.iter().map(|w| (w.id.0.clone(), env.people.href(root, &w.owner))).collect(),
        burnup: a.history.history().and_then(|h| {
            let target = p.site.releases.iter().find(|r| r.id.as_str() == rid).and_then(|r| r.target);
            trend::burnup(h, rid, target, a.as_of)
        }),
        release,
    };
    env.render("release.html", &ctx)
}

#[derive(Serialize)]
struct ChecklistCtx<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    checklist: &'a crate::core::checklist::Checklist,
    approvers: BTreeMap<&'a str, Vec<String>>,
    /// Item id -> who may waive it and for how long, in words.
    waivers: BTreeMap<&'a str, String>,
    /// Item id -> the role it plays in the decision.
    roles: BTreeMap<&'a str, &'static str>,
    /// Role -> each member as described, with their page.
    approver_links: BTreeMap<&'a str, Vec<(String, Option<String>)>>,
}

/// Who may waive `item`, and for how long, as the checklist page says it.
fn waiver_rule(p: &Portfolio, item: &crate::core::checklist::Item) -> String {
    if !item.waivable {
        return "may not be waived".into();
    }
    let days = p.checklist.max_waiver_days(item);
    match item.waiver_role(p.site.approvers.has(crate::core::checklist::WAIVERS_ROLE)) {
        Some(role) => format!("approved by role {role} ({}), for at most {days} days", p.site.approvers.list(role)),
        None => format!("approved by anyone, for at most {days} days"),
    }
}

#[derive(Serialize)]
struct SecurityCtx<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    #[serde(flatten)]
    view: security::SecurityView,
    due: due::DueView,
    /// Every person the page names -> their page, if they have one.
    people_hrefs: BTreeMap<String, Option<String>>,
}

pub(super) fn security_page(env: &Env) -> Result<Vec<u8>, RenderError> {
    let view = security::security_view("../", env.p, env.a);
    let named = view.risks.iter().filter_map(|r| r.accepted_by.as_deref());
    let named = named.chain(view.waivers.iter().map(|w| w.approved_by.as_str()));
    let named = named.chain(view.posture.iter().filter_map(|r| r.ciso_by.as_deref()));
    let ctx = SecurityCtx {
        people_hrefs: named.map(|who| (who.to_string(), env.people.href("../", who))).collect(),
        common: env.common(1, "Security view".into(), "security/index.html"),
        view,
        due: due::due_view("../", env.p, &env.schedule, &env.people, &|_, d| due::security_kind(d)),
    };
    env.render("security.html", &ctx)
}

#[derive(Serialize)]
struct DecommissionCtx<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    assets: Vec<security::AssetRow>,
    hold_days: u32,
    overdue_after: i64,
}

pub(super) fn decommission_page(env: &Env) -> Result<Vec<u8>, RenderError> {
    let ctx = DecommissionCtx {
        common: env.common(1, "Decommissioning".into(), "decommission/index.html"),
        assets: security::all_assets("../", env.p, env.a),
        hold_days: env.p.site.decommission_hold_days,
        overdue_after: crate::evaluate::decommission::OVERDUE_AFTER_DAYS,
    };
    env.render("decommission.html", &ctx)
}

pub(super) fn checklist_page(env: &Env) -> Result<Vec<u8>, RenderError> {
    let ctx = ChecklistCtx {
        common: env.common(1, env.p.checklist.title.clone(), "checklist/index.html"),
        checklist: &env.p.checklist,
        approvers: env.p.site.approvers.described(),
        waivers: env.p.checklist.items.iter().map(|i| (i.id.as_str(), waiver_rule(env.p, i))).collect(),
        roles: env.p.checklist.items.iter().filter_map(|i| Some((i.id.as_str(), i.role?.as_str()))).collect(),
        approver_links: env
            .p
            .site
            .approvers
            .0
            .iter()
            .map(|(role, m)| {
                (role.as_str(), m.iter().map(|a| (a.describe(), env.people.href("../", &a.person))).collect())
            })
            .collect(),
    };
    env.render("checklist.html", &ctx)
}

#[derive(Serialize)]
struct PageCtx<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    id: &'a str,
    body_html: String,
}

pub(super) fn free_page(env: &Env, id: &str, title: &str, body: &str) -> Result<Vec<u8>, RenderError> {
    let ctx = PageCtx {
        common: env.common(2, title.to_string(), &format!("pages/{id}/index.html")),
        id,
        body_html: markdown::page_to_html_under(title, body),
    };
    env.render("page.html", &ctx)
}
