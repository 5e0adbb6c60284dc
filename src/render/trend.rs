//! The portfolio over time on the site: the dashboard's trend and recent
//! changes, each release's burn-up, each report's decision history. Every
//! chart is inline SVG (no script: the site's Content-Security-Policy allows
//! none inline) with the same numbers in a table for screen readers.

use crate::core::date::Date;
use crate::evaluate::history::{Change, History, Outcome};
use serde::Serialize;
use std::fmt::Write as _;

/// The chart's drawing area, in SVG units.
const W: f64 = 640.0;
const H: f64 = 200.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 10.0;

/// How many days back the recent rate of promotion is measured over.
const RATE_DAYS: usize = 28;

/// XML text and attribute escaping.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// One day's numbers, for a data table.
#[derive(Serialize)]
pub struct Row {
    pub date: String,
    pub promoted: usize,
    pub ready: usize,
    pub blocked: usize,
}

/// A change as a page lists it.
#[derive(Serialize)]
pub struct ChangeRow {
    pub date: String,
    pub workload: String,
    pub name: String,
    /// Relative link to the workload's report (none for one that is gone).
    pub href: Option<String>,
    pub what: String,
    pub to: &'static str,
    pub who: String,
    pub commit: String,
    pub subject: Option<String>,
}

impl ChangeRow {
    fn of(root: &str, c: &Change, exists: &dyn Fn(&str) -> bool) -> ChangeRow {
        ChangeRow {
            date: c.date.to_string(),
            workload: c.workload.clone(),
            name: c.name.clone(),
            href: exists(&c.workload).then(|| format!("{root}workloads/{}/index.html", c.workload)),
            what: c.describe(),
            to: c.to.map_or("gone", |d| d.as_str()),
            who: c.cause(),
            // Time alone names no commit.
            commit: if c.author.is_some() { c.short_commit().to_string() } else { String::new() },
            subject: c.subject.clone(),
        }
    }
}

/// The dashboard's section.
#[derive(Serialize, Default)]
pub struct DashboardHistory {
    /// The one line shown instead, when history cannot be read.
    pub note: Option<String>,
    pub svg: String,
    pub rows: Vec<Row>,
    pub first: String,
    pub last: String,
    pub recent: Vec<ChangeRow>,
    pub feed: String,
}

/// The dashboard's view of the history (None when history is off).
pub fn dashboard(outcome: &Outcome, as_of: Date, exists: &dyn Fn(&str) -> bool) -> Option<DashboardHistory> {
    let h = match outcome {
        Outcome::Off => return None,
        Outcome::Unavailable(note) => return Some(DashboardHistory { note: Some(note.clone()), ..Default::default() }),
        Outcome::Ready(h) => h,
    };
    let rows: Vec<Row> = h
        .days
        .iter()
        .map(|d| Row {
            date: d.date.to_string(),
            promoted: d.counts.promoted,
            ready: d.counts.ready,
            blocked: d.counts.blocked,
        })
        .collect();
    Some(DashboardHistory {
        note: None,
        svg: stacked(&rows),
        first: rows.first().map(|r| r.date.clone()).unwrap_or_default(),
        last: rows.last().map(|r| r.date.clone()).unwrap_or_default(),
        rows,
        recent: h.recent(as_of, 7).into_iter().map(|c| ChangeRow::of("", c, exists)).collect(),
        feed: "changes.atom".into(),
    })
}

/// A layer of the stacked trend: its bottom and top on a day.
type Band = dyn Fn(&Row) -> (usize, usize);

/// The stacked trend: promoted at the bottom, then ready, then blocked.
pub fn stacked(rows: &[Row]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let max = rows.iter().map(|r| r.promoted + r.ready + r.blocked).max().unwrap_or(0).max(1);
    let x =
        |i: usize| LEFT + (W - LEFT - 10.0) * if rows.len() == 1 { 0.5 } else { i as f64 / (rows.len() - 1) as f64 };
    let y = |v: usize| H - BOTTOM - (H - BOTTOM - TOP) * v as f64 / max as f64;
    let (first, last) = (rows.first().unwrap(), rows.last().unwrap());
    let label = format!(
        "Workloads by decision from {} to {}: promoted {} to {}, ready {} to {}, blocked {} to {}",
        first.date, last.date, first.promoted, last.promoted, first.ready, last.ready, first.blocked, last.blocked
    );
    let mut s =
        format!(r#"<svg class="trend" viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{}">"#, esc(&label));
    let layers: [(&str, &Band); 3] = [
        ("promoted", &|r| (0, r.promoted)),
        ("ready", &|r| (r.promoted, r.promoted + r.ready)),
        ("blocked", &|r| (r.promoted + r.ready, r.promoted + r.ready + r.blocked)),
    ];
    for (class, band) in layers {
        let mut top = String::new();
        let mut bottom = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let (lo, hi) = band(r);
            // A single day is drawn as a narrow band around its point.
            let xs = if rows.len() == 1 { vec![x(i) - 4.0, x(i) + 4.0] } else { vec![x(i)] };
            for xi in xs {
                let _ = write!(top, "{xi:.1},{:.1} ", y(hi));
                bottom.push(format!("{xi:.1},{:.1}", y(lo)));
            }
        }
        bottom.reverse();
        let _ = write!(
            s,
            r#"<polygon class="band {class}" points="{}{}"><title>{class}</title></polygon>"#,
            top,
            bottom.join(" ")
        );
    }
    axes(&mut s, &first.date, &last.date, max);
    s.push_str("</svg>");
    s
}

fn axes(s: &mut String, first: &str, last: &str, max: usize) {
    let base = H - BOTTOM;
    let _ = write!(
        s,
        r#"<line class="axis" x1="{LEFT}" y1="{base}" x2="{}" y2="{base}"/><line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}"/>"#,
        W - 10.0
    );
    let _ = write!(
        s,
        r#"<text x="{LEFT}" y="{}" text-anchor="start">{}</text><text x="{}" y="{}" text-anchor="end">{}</text>"#,
        H - 6.0,
        esc(first),
        W - 10.0,
        H - 6.0,
        esc(last)
    );
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="end">{max}</text><text x="{}" y="{base}" text-anchor="end">0</text>"#,
        LEFT - 4.0,
        TOP + 10.0,
        LEFT - 4.0
    );
}

/// A release page's burn-up.
#[derive(Serialize, Default)]
pub struct Burnup {
    pub svg: String,
    pub rows: Vec<Row>,
    /// The projection in words.
    pub projection: String,
}

/// The burn-up of release `rid`: promoted, and promoted or ready, per day,
/// against its size, its target and the as-of date, with the finish
/// projected at the rate of promotion of the last four weeks.
pub fn burnup(h: &History, rid: &str, target: Option<Date>, as_of: Date) -> Option<Burnup> {
    let rows: Vec<Row> = h
        .days
        .iter()
        .filter_map(|d| {
            let c = d.releases.get(rid)?;
            Some(Row { date: d.date.to_string(), promoted: c.promoted, ready: c.ready, blocked: c.blocked })
        })
        .collect();
    let last = rows.last()?;
    let total = last.promoted + last.ready + last.blocked;
    let back = &rows[rows.len().saturating_sub(RATE_DAYS + 1)];
    let span = (rows.len() - 1).min(RATE_DAYS);
    let rate = if span == 0 { 0.0 } else { (last.promoted as f64 - back.promoted as f64) / span as f64 };
    let remaining = total.saturating_sub(last.promoted);
    let finish = (rate > 0.0 && remaining > 0).then(|| as_of.add_days((remaining as f64 / rate).ceil() as i64));
    let projection = match (remaining, finish) {
        (0, _) if total > 0 => "Every workload of this release is promoted.".to_string(),
        (0, _) => "This release has no workloads.".to_string(),
        (_, Some(f)) => format!(
            "At the rate of the last {span} days ({:.1} promoted a week), the last of the {remaining} workloads left would be promoted around {f}{}.",
            rate * 7.0,
            match target {
                Some(t) if f > t => format!(", {} days after the target {t}", t.days_until(f)),
                Some(t) => format!(", on or before the target {t}"),
                None => String::new(),
            }
        ),
        (_, None) => format!(
            "No workload of this release was promoted in the last {span} days, so no finish can be projected ({remaining} left)."
        ),
    };
    let first = Date::parse(&rows[0].date)?;
    let end = [Some(as_of), target, finish].into_iter().flatten().max().unwrap_or(as_of).max(first.add_days(1));
    let days = first.days_until(end) as f64;
    let x = |d: Date| LEFT + (W - LEFT - 10.0) * first.days_until(d) as f64 / days;
    let max = total.max(rows.iter().map(|r| r.promoted + r.ready + r.blocked).max().unwrap_or(0)).max(1);
    let y = |v: f64| H - BOTTOM - (H - BOTTOM - TOP) * v / max as f64;
    let label = format!(
        "Burn-up from {} to {as_of}: {} of {total} promoted and {} ready{}{}",
        rows[0].date,
        last.promoted,
        last.ready,
        target.map(|t| format!("; target {t}")).unwrap_or_default(),
        finish.map(|f| format!("; projected finish {f}")).unwrap_or_default()
    );
    let mut s =
        format!(r#"<svg class="burnup" viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{}">"#, esc(&label));
    let line = |class: &str, value: &dyn Fn(&Row) -> usize| -> String {
        let points: Vec<String> = rows
            .iter()
            .filter_map(|r| Some(format!("{:.1},{:.1}", x(Date::parse(&r.date)?), y(value(r) as f64))))
            .collect();
        format!(r#"<polyline class="line {class}" points="{}"><title>{class}</title></polyline>"#, points.join(" "))
    };
    let _ = write!(
        s,
        r#"<line class="scope" x1="{LEFT}" y1="{:.1}" x2="{}" y2="{:.1}"><title>{total} workloads in the release</title></line>"#,
        y(total as f64),
        W - 10.0,
        y(total as f64)
    );
    s.push_str(&line("ready", &|r| r.promoted + r.ready));
    s.push_str(&line("promoted", &|r| r.promoted));
    if let Some(f) = finish {
        let _ = write!(
            s,
            r#"<line class="projection" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"><title>projected finish {f}</title></line>"#,
            x(as_of),
            y(last.promoted as f64),
            x(f),
            y(total as f64)
        );
    }
    let marker = |s: &mut String, class: &str, d: Date, text: &str| {
        let _ = write!(
            s,
            r#"<line class="{class}" x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}"/><text class="{class}" x="{x:.1}" y="{}" text-anchor="middle">{}</text>"#,
            H - BOTTOM,
            TOP + 8.0,
            esc(text),
            x = x(d)
        );
    };
    marker(&mut s, "today", as_of, "today");
    if let Some(t) = target {
        marker(&mut s, "target", t, "target");
    }
    axes(&mut s, &rows[0].date, &end.to_string(), max);
    s.push_str("</svg>");
    Some(Burnup { svg: s, rows, projection })
}

/// A report's decision history.
#[derive(Serialize, Default)]
pub struct WorkloadHistory {
    pub note: Option<String>,
    pub changes: Vec<ChangeRow>,
    pub first: String,
}

pub fn workload(outcome: &Outcome, id: &str) -> Option<WorkloadHistory> {
    match outcome {
        // The dashboard says once why there is no history.
        Outcome::Off | Outcome::Unavailable(_) => None,
        Outcome::Ready(h) => Some(WorkloadHistory {
            note: None,
            changes: h.of(id).into_iter().map(|c| ChangeRow::of("../../", c, &|_| false)).collect(),
            first: h.days.first().map(|d| d.date.to_string()).unwrap_or_default(),
        }),
    }
}
