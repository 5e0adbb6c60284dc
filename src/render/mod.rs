//! The assessment into a [`Site`]: every output file as bytes in memory, no I/O.
//! Templates are built in and autoescaped; pages are rendered in parallel.

pub(crate) mod atom;
pub(crate) mod calendar;
pub(crate) mod context;
pub(crate) mod csv;
pub(crate) mod documents;
pub(crate) mod due;
pub mod edition;
pub(crate) mod json;
pub mod markdown;
mod pages;
pub(crate) mod people;
pub(crate) mod probe;
pub(crate) mod provenance;
pub(crate) mod search;
pub(crate) mod security;
pub(crate) mod svg;
pub(crate) mod textwidth;
pub(crate) mod trend;
pub(crate) mod wording;

use crate::core::model::Portfolio;
use crate::evaluate::Assessment;
use crate::load::theme::Theme;
use context::*;
use edition::{Edition, Shown};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One file of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Content rendered in memory.
    Bytes(Vec<u8>),
    /// An attachment, copied from the portfolio by the write stage.
    Copy(PathBuf),
}

/// The whole site: output path (relative, `/`-separated) to content.
pub type Site = BTreeMap<String, Output>;

/// Why rendering failed. When a template is at fault, `diagnostic` names its
/// file, line and column (the build reports it like any other problem).
#[derive(Debug)]
pub struct RenderError {
    /// What went wrong, in words.
    pub message: String,
    /// The template's file, line and column, when a template is at fault.
    pub diagnostic: Option<crate::core::diagnostics::Diagnostic>,
}

impl RenderError {
    /// An error that no template is at fault for.
    pub fn new(message: impl Into<String>) -> Self {
        RenderError { message: message.into(), diagnostic: None }
    }
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The built-in templates, by name; a site's `templates/` replaces them one by one.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("dashboard.html", include_str!("../../templates/dashboard.html")),
    ("matrix-rows.html", include_str!("../../templates/matrix-rows.html")),
    ("provenance.html", include_str!("../../templates/provenance.html")),
    ("workload.html", include_str!("../../templates/workload.html")),
    ("release.html", include_str!("../../templates/release.html")),
    ("checklist.html", include_str!("../../templates/checklist.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("document.html", include_str!("../../templates/document.html")),
    ("security.html", include_str!("../../templates/security.html")),
    ("decommission.html", include_str!("../../templates/decommission.html")),
    ("person.html", include_str!("../../templates/person.html")),
    ("people.html", include_str!("../../templates/people.html")),
    ("partials/due.html", include_str!("../../templates/partials/due.html")),
    ("partials/at-risk.html", include_str!("../../templates/partials/at-risk.html")),
    ("partials/who-signs.html", include_str!("../../templates/partials/who-signs.html")),
    ("partials/dates-ahead.html", include_str!("../../templates/partials/dates-ahead.html")),
    ("partials/trend.html", include_str!("../../templates/partials/trend.html")),
    ("partials/burnup.html", include_str!("../../templates/partials/burnup.html")),
    ("partials/decision-history.html", include_str!("../../templates/partials/decision-history.html")),
];

/// The built-in stylesheet and search script (`templates/style.css` and `templates/search.js` replace them).
pub const STYLE: &str = include_str!("../../templates/style.css");
/// The built-in search script (see [`STYLE`]).
pub const SEARCH_JS: &str = include_str!("../../templates/search.js");
/// The site's icon: linked from every page, so a browser asks for no `/favicon.ico` that is not there.
pub(crate) const FAVICON: &str = include_str!("../../templates/favicon.svg");
const NEXT_STEP_PAGE: &str = include_str!("../../templates/pages/align-business-priorities.md");

/// The Tera environment: the built-in templates, then the site's own, which
/// replace built-ins of the same name. Errors name the template, line and column.
pub fn tera(theme: &Theme) -> Result<tera::Tera, RenderError> {
    let mut t = tera::Tera::new();
    t.register_filter("wbr", wording::wbr);
    t.register_filter("code", wording::code);
    let mut all: BTreeMap<&str, &str> = TEMPLATES.iter().copied().collect();
    all.extend(theme.templates.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    t.add_raw_templates(all).map_err(|e| {
        let d = theme.diagnostic("base.html", &e);
        RenderError { message: format!("{}: {}", d.file, d.message), diagnostic: Some(d) }
    })?;
    Ok(t)
}

struct Env<'a> {
    tera: &'a tera::Tera,
    theme: &'a Theme,
    p: &'a Portfolio,
    edition: Edition,
    body_html: &'a crate::validate::BodyHtml,
    a: &'a Assessment,
    nav: Vec<NavLink>,
    pages: Vec<(String, String, String)>,
    /// Each release's summary, made once: every report of its workloads shows it.
    releases: BTreeMap<String, ReleaseSummary>,
    /// The largest page each template has made so far: a page's buffer
    /// starts that large instead of doubling its way up (each doubling a copy
    /// and, on this scale, fresh memory the kernel has to zero).
    sizes: Vec<(&'static str, AtomicUsize)>,
    /// Who must act by when (see `crate::evaluate::deadlines`), and who has a page.
    schedule: crate::evaluate::deadlines::Schedule,
    people: people::People,
    events: Vec<calendar::Event>,
}

impl Env<'_> {
    fn common(&self, depth: usize, page_title: String, path: &str) -> Common<'_> {
        let root = "../".repeat(depth);
        let nav =
            self.nav.iter().map(|n| NavLink { title: n.title.clone(), href: format!("{root}{}", n.href) }).collect();
        Common {
            root,
            site_title: &self.p.site.title,
            organisation: self.p.site.organisation.as_deref(),
            as_of: self.a.as_of.to_string(),
            page_title,
            nav,
            canonical: self.p.site.base_url.as_ref().map(|b| format!("{}/{}", b.trim_end_matches('/'), path)),
            edition: self.edition.as_str(),
            feed: self.a.history.history().map(|_| format!("{}changes.atom", "../".repeat(depth))),
        }
    }

    fn render<T: Serialize>(&self, template: &str, ctx: &T) -> Result<Vec<u8>, RenderError> {
        let hint = self.sizes.iter().find(|(name, _)| *name == template).map(|(_, size)| size);
        let mut out = Vec::with_capacity(hint.map_or(0, |s| s.load(Ordering::Relaxed)));
        self.render_to(template, ctx, &mut out)?;
        self.require_csp(template, &out)?;
        if let Some(size) = hint {
            size.fetch_max(out.len(), Ordering::Relaxed);
        }
        Ok(out)
    }

    /// Every page must carry the Content-Security-Policy that keeps script
    /// from evidence from running. The built-in base.html has it; a site's
    /// own template that drops it is refused rather than published without.
    fn require_csp(&self, template: &str, page: &[u8]) -> Result<(), RenderError> {
        const META: &[u8] = b"http-equiv=\"Content-Security-Policy\"";
        let head_end = page.windows(7).position(|w| w.eq_ignore_ascii_case(b"</head>")).unwrap_or(page.len());
        if page[..head_end].windows(META.len()).any(|w| w == META) {
            return Ok(());
        }
        let (file, _) = self.theme.origin(template);
        let d = crate::core::diagnostics::Diagnostic::new(
            crate::core::diagnostics::Code::E0701,
            file.clone(),
            1,
            1,
            format!("template `{template}` renders a page without the Content-Security-Policy meta tag in its <head>"),
        )
        .with_help(
            "keep the <meta http-equiv=\"Content-Security-Policy\"> of the built-in base.html \
             (`cutover templates export DIR` writes it out)",
        );
        Err(RenderError { message: format!("{file}: {}", d.message), diagnostic: Some(d) })
    }

    /// Appends the page to `out`.
    fn render_to<T: Serialize>(&self, template: &str, ctx: &T, out: &mut Vec<u8>) -> Result<(), RenderError> {
        let ctx = tera::Context::from_serialize(ctx).map_err(|e| RenderError::new(format!("{template}: {e}")))?;
        self.tera.render_to(template, &ctx, out).map_err(|e| {
            let d = self.theme.diagnostic(template, &e);
            RenderError { message: format!("{}: {}", d.file, d.message), diagnostic: Some(d) }
        })
    }
}

/// Renders every page, the stylesheet, readiness.json and the attachment list.
pub fn render(p: &Portfolio, a: &Assessment) -> Result<Site, RenderError> {
    render_with(&Shown::internal(p), a, &Theme::builtin(), None, &|_| true)
}

/// [`render`] with a site's own templates and static files, producing only the
/// paths that `want` accepts: `serve` renders one page per request this way,
/// so that a change shows in a large portfolio without rendering all of it.
/// `templates` are the theme's templates compiled by Tera (compiled here when `None`).
pub(crate) fn render_with(
    shown: &Shown,
    a: &Assessment,
    theme: &Theme,
    templates: Option<&tera::Tera>,
    want: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Site, RenderError> {
    let site = std::sync::Mutex::new(Site::new());
    render_into(shown, a, theme, templates, want, &|path, output| {
        site.lock().map_err(|_| RenderError::new("a render thread failed"))?.insert(path, output);
        Ok(())
    })?;
    site.into_inner().map_err(|_| RenderError::new("a render thread failed"))
}

/// Where rendered files go, one by one and from several threads; `build`
/// writes each straight into the staging folder, so the site is never held
/// in memory whole. A later file at the same path replaces an earlier one.
pub type Sink<'a> = dyn Fn(String, Output) -> Result<(), RenderError> + Sync + 'a;

/// Renders every page, the stylesheet, readiness.json and the attachment list,
/// handing each file that `want` accepts to `sink`.
pub(crate) fn render_into(
    shown: &Shown,
    a: &Assessment,
    theme: &Theme,
    templates: Option<&tera::Tera>,
    want: &(dyn Fn(&str) -> bool + Sync),
    sink: &Sink,
) -> Result<(), RenderError> {
    let p: &Portfolio = &shown.portfolio;
    let compiled;
    let templates = match templates {
        Some(t) => t,
        None => {
            compiled = tera(theme)?;
            &compiled
        }
    };
    let pages = page_sources(p);
    let mut nav = vec![
        NavLink { title: "Dashboard".into(), href: "index.html".into() },
        NavLink { title: "Security".into(), href: "security/index.html".into() },
        NavLink { title: "Decommissioning".into(), href: "decommission/index.html".into() },
        NavLink { title: "Checklist".into(), href: "checklist/index.html".into() },
        NavLink { title: "People".into(), href: "people/index.html".into() },
    ];
    nav.extend(
        pages.iter().map(|(id, title, _)| NavLink { title: title.clone(), href: format!("pages/{id}/index.html") }),
    );
    let releases =
        p.site.releases.iter().filter_map(|r| Some((r.id.0.clone(), release_summary(p, a, r.id.as_str())?))).collect();
    // Pages with a row per workload start with room for a few kilobytes a workload.
    let per_workload = |name: &str| match name {
        "dashboard.html" | "security.html" | "decommission.html" => 4096 * p.workloads.len(),
        _ => 0,
    };
    let sizes = TEMPLATES.iter().map(|(name, _)| (*name, AtomicUsize::new(per_workload(name)))).collect();
    let schedule = crate::evaluate::deadlines::Schedule::of(p, a);
    let events = calendar::events(p, &schedule);
    let people = people::People::of(p, &events);
    let env = Env {
        tera: templates,
        theme,
        p,
        edition: shown.edition,
        body_html: &shown.body_html,
        a,
        nav,
        pages,
        releases,
        sizes,
        schedule,
        people,
        events,
    };
    let put = |path: String, make: &dyn Fn() -> Result<Vec<u8>, RenderError>| -> Result<(), RenderError> {
        if want(&path) {
            sink(path, Output::Bytes(make()?))?;
        }
        Ok(())
    };
    type Make<'e> = Box<dyn Fn() -> Result<Vec<u8>, RenderError> + Sync + 'e>;
    let env = &env;
    let mut site_pages: Vec<(String, Make)> = vec![
        ("assets/style.css".into(), Box::new(|| Ok(STYLE.as_bytes().to_vec()))),
        ("readiness.json".into(), Box::new(|| Ok(json::readiness(p, a, &env.schedule)))),
        ("readiness.csv".into(), Box::new(|| Ok(csv::readiness(p, a)))),
        ("calendar.ics".into(), Box::new(|| Ok(calendar::site_calendar(env)))),
        ("people/index.html".into(), Box::new(|| people::people_page(env))),
        ("assets/search.js".into(), Box::new(|| Ok(SEARCH_JS.as_bytes().to_vec()))),
        ("assets/favicon.svg".into(), Box::new(|| Ok(FAVICON.as_bytes().to_vec()))),
        ("search-index.js".into(), Box::new(|| Ok(json::search_index(p, a, &env.people)))),
        ("search-evidence.js".into(), Box::new(|| Ok(search::evidence_index(p, &shown.body_html)))),
        ("index.html".into(), Box::new(|| pages::dashboard(env))),
        ("checklist/index.html".into(), Box::new(|| pages::checklist_page(env))),
        ("security/index.html".into(), Box::new(|| pages::security_page(env))),
        ("decommission/index.html".into(), Box::new(|| pages::decommission_page(env))),
    ];
    if let Some(h) = a.history.history() {
        site_pages.push(("history.json".into(), Box::new(|| Ok(h.to_json()))));
        site_pages.push(("changes.atom".into(), Box::new(|| Ok(atom::feed(p, h, a.as_of)))));
    }
    for r in &p.site.releases {
        site_pages
            .push((format!("releases/{}/index.html", r.id), Box::new(|| pages::release_page(env, r.id.as_str()))));
    }
    for person in &env.people.list {
        let dir = format!("people/{}", person.id);
        site_pages.push((format!("{dir}/index.html"), Box::new(|| people::person_page(env, person))));
        site_pages.push((format!("{dir}/calendar.ics"), Box::new(|| Ok(calendar::person_calendar(env, person)))));
    }
    for (id, title, body) in &env.pages {
        site_pages.push((format!("pages/{id}/index.html"), Box::new(|| pages::free_page(env, id, title, body))));
    }
    // Site-wide pages render alongside the workload reports: at 10,000
    // workloads the dashboard alone is a large page, and rendered first it
    // left the other cores idle.
    let (site_done, workloads_done) = rayon::join(
        || site_pages.par_iter().try_for_each(|(path, make)| put(path.clone(), make.as_ref())),
        || {
            p.workloads.par_iter().try_for_each(|(id, w)| -> Result<(), RenderError> {
                put(format!("workloads/{id}/index.html"), &|| pages::workload_page(env, id))?;
                let published = published_files(w);
                for (path, doc) in w.documents.iter().filter(|(path, _)| published.contains(*path)) {
                    let page = format!("workloads/{id}/{}", crate::core::documents::page_path(path));
                    put(page, &|| documents::document_page(env, w, path, doc, &published))?;
                }
                for file in linked_files(w) {
                    let path = format!("workloads/{}/{file}", w.id);
                    if want(&path) {
                        sink(path, Output::Copy(PathBuf::from(&w.dir).join(&file)))?;
                    }
                }
                Ok(())
            })
        },
    );
    site_done?;
    workloads_done?;
    // The site's static files come last: they replace whatever cutover made at their path.
    for (path, file) in &theme.files {
        if want(path) {
            sink(path.clone(), Output::Copy(file.clone()))?;
        }
    }
    Ok(())
}

/// The free pages: the built-in next-step page unless overridden, then `content/pages/`.
fn page_sources(p: &Portfolio) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> =
        p.pages.iter().map(|pg| (pg.id.clone(), pg.title.clone(), pg.body.clone())).collect();
    if !out.iter().any(|(id, _, _)| id == crate::core::checklist::BUILTIN_PAGE) {
        out.push((
            crate::core::checklist::BUILTIN_PAGE.into(),
            "Align business priorities".into(),
            NEXT_STEP_PAGE.into(),
        ));
    }
    out.sort();
    out
}

/// Files of a workload that its evidence links to, directly or through a
/// published document; only these are published. (Links to other evidence
/// files become in-page links instead.)
fn published_files(w: &crate::core::model::Workload) -> BTreeSet<String> {
    let attachments: BTreeSet<&str> = w.attachments.iter().map(String::as_str).collect();
    crate::core::documents::reachable(w.evidence.values().flat_map(|e| e.linked_files.iter()), &w.documents)
        .into_iter()
        .filter(|f| attachments.contains(f.as_str()))
        .collect()
}

/// The published files copied as they are: documents become pages instead.
fn linked_files(w: &crate::core::model::Workload) -> BTreeSet<String> {
    published_files(w).into_iter().filter(|f| !w.documents.contains_key(f)).collect()
}
