//! Sources into a typed [`Portfolio`], with every problem as a diagnostic.
//! Nothing here stops at the first problem: broken parts are reported and left out.

pub mod checklist;
pub(crate) mod documents;
pub(crate) mod evidence;
pub(crate) mod fields;
pub(crate) mod graph;
pub(crate) mod keys;
pub(crate) mod links;
pub(crate) mod prose;
pub(crate) mod provenance;
pub(crate) mod risks;
pub(crate) mod site;
pub(crate) mod workload;

use crate::core::checklist::Checklist;
use crate::core::diagnostics::{Code, Diagnostic, Severity, did_you_mean};
use crate::core::model::{Evidence, ItemId, Page, Portfolio, Site, Workload, WorkloadId, is_valid_id};
use crate::load::frontmatter;
use crate::load::yaml::{self, Node, YamlError, YamlErrorKind};
use crate::load::{SourceFile, Sources, WorkloadSources};
use fields::Sink;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Validates everything that was loaded.
pub fn validate(sources: &Sources) -> (Portfolio, Vec<Diagnostic>) {
    validate_cached(sources, &mut Cache::default())
}

/// One workload's validation: the workload (unless too broken), its bodies'
/// HTML when asked for, and its diagnostics.
type WorkloadResult = (Option<(Workload, workload::DependencyPositions, ItemHtml)>, Vec<Diagnostic>);

/// One workload's evidence bodies as report HTML, by item.
type ItemHtml = BTreeMap<ItemId, std::sync::Arc<str>>;

/// The evidence bodies as report HTML, written by validation from the parse it
/// makes anyway (a build): rendering state, so it travels beside the model to
/// render rather than inside it. Empty when validation wrote none; render then
/// writes a body's HTML from its Markdown.
#[derive(Debug, Clone, Default)]
pub struct BodyHtml(BTreeMap<WorkloadId, ItemHtml>);

impl BodyHtml {
    /// The HTML validation wrote for workload `w`'s evidence for `item`.
    pub fn get(&self, w: &str, item: &str) -> Option<&str> {
        self.0.get(w)?.get(item).map(|h| &**h)
    }

    /// Lets the HTML of `w`'s `item` go (an edition withholds the body).
    pub fn remove(&mut self, w: &str, item: &str) -> bool {
        self.0.get_mut(w).and_then(|m| m.remove(item)).is_some()
    }
}

/// What every workload is checked against: site.yaml, checklist.yaml and the set of workload ids.
type CacheContext = (Option<std::sync::Arc<String>>, Option<std::sync::Arc<String>>, BTreeSet<String>);

/// Workloads validated by an earlier run, for `serve`: after a change in one
/// workload folder, only that workload is read again. The caller says which
/// workloads changed ([`Cache::forget`]); everything is read again when
/// site.yaml, the checklist or the set of workloads changes, since each
/// workload is checked against them.
#[derive(Default)]
pub struct Cache {
    context: Option<CacheContext>,
    workloads: std::collections::HashMap<String, WorkloadResult>,
    /// Off for one-shot runs (check, build): remembering means copying every
    /// workload's evidence, which only pays when the same portfolio is validated again.
    remember: bool,
}

impl Cache {
    /// A cache that keeps what it validated, for `serve`.
    pub fn remembering() -> Cache {
        Cache { remember: true, ..Cache::default() }
    }

    /// Drops what is known about workload `id`, whose files changed.
    pub fn forget(&mut self, id: &str) {
        self.workloads.remove(id);
    }

    /// How many workloads are remembered (for tests).
    pub fn len(&self) -> usize {
        self.workloads.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.workloads.is_empty()
    }
}

/// [`validate`], reusing (and updating) what `cache` remembers.
pub fn validate_cached(sources: &Sources, cache: &mut Cache) -> (Portfolio, Vec<Diagnostic>) {
    let context = (
        sources.site.as_ref().map(|f| f.text.clone()),
        sources.checklist.as_ref().map(|f| f.text.clone()),
        sources.workloads.iter().map(|w| w.id.clone()).collect::<BTreeSet<String>>(),
    );
    if cache.context.as_ref() != Some(&context) {
        cache.workloads.clear();
        cache.context = Some(context);
    }
    let mut diags = sources.diagnostics.clone();
    let known: BTreeSet<String> = sources.workloads.iter().map(|w| w.id.clone()).collect();
    let ctx = Context::of(sources, known, &mut diags);
    let remembered = &cache.workloads;
    let results: Vec<(bool, WorkloadResult)> = sources
        .workloads
        .par_iter()
        .map(|w| match remembered.get(&w.id) {
            Some(hit) => (false, hit.clone()),
            None => (true, ctx.read(w)),
        })
        .collect();
    if cache.remember {
        for (w, (fresh, r)) in sources.workloads.iter().zip(&results) {
            if *fresh {
                cache.workloads.insert(w.id.clone(), r.clone());
            }
        }
    }
    let (portfolio, diags, _) = ctx.assemble(sources, results.into_iter().map(|(_, r)| r), diags);
    (portfolio, diags)
}

/// What a run keeps of each evidence body once its file is validated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Bodies {
    /// The Markdown, for callers of the library that render it themselves.
    #[default]
    Markdown,
    /// Nothing: `check` and `gate` render nothing, so a large portfolio
    /// never sits in memory whole.
    None,
    /// The report HTML, written from the parse validation makes anyway:
    /// `build` parses each body once.
    Html,
}

/// Loads and validates each workload folder in one pass, so that a large
/// portfolio is never in memory whole: `top` holds what `load::load_root`
/// read, `folders` the workload folders it found. File texts are let go as
/// soon as a workload is validated (a diagnostic's quoted line is read again
/// from its file); evidence bodies are kept for rendering, unless `lean`
/// (`check` and `gate` render nothing). Returns the sources as they were kept.
pub(crate) fn validate_streaming(
    mut top: Sources,
    folders: &[(String, std::path::PathBuf)],
    bodies: Bodies,
    on_loaded: &(dyn Fn(&WorkloadSources) + Sync),
) -> (Portfolio, Vec<Diagnostic>, Sources, BodyHtml) {
    let mut diags = std::mem::take(&mut top.diagnostics);
    let known: BTreeSet<String> = folders.iter().map(|(id, _)| id.clone()).collect();
    let mut ctx = Context::of(&top, known, &mut diags);
    ctx.html = bodies == Bodies::Html;
    let done: Vec<(WorkloadSources, Vec<Diagnostic>, WorkloadResult)> = folders
        .par_iter()
        .map(|(name, path)| {
            let (mut w, load_diags) = crate::load::load_workload_at(name, path);
            on_loaded(&w);
            let (mut r, d) = ctx.read(&w);
            // The texts go either way; what is kept of each body is in its
            // own allocation, so that the rest of its file can go too.
            w.drop_texts();
            if let Some((workload, _, html)) = &mut r {
                for e in workload.evidence.values_mut() {
                    let body = std::mem::take(&mut e.body);
                    e.body = match bodies {
                        Bodies::None => crate::core::model::Body::default(),
                        Bodies::Markdown => body.detached(),
                        // The HTML stands for the Markdown, which goes; so does
                        // the HTML of a body that is only white space.
                        Bodies::Html if body.is_blank() => {
                            html.remove(&e.item);
                            crate::core::model::Body::default()
                        }
                        Bodies::Html if html.contains_key(&e.item) => crate::core::model::Body::default(),
                        Bodies::Html => body.detached(),
                    };
                }
            }
            (w, load_diags, (r, d))
        })
        .collect();
    let mut results = Vec::with_capacity(done.len());
    for (w, load_diags, r) in done {
        top.workloads.push(w);
        diags.extend(load_diags);
        results.push(r);
    }
    let (portfolio, diags, html) = ctx.assemble(&top, results.into_iter(), diags);
    (portfolio, diags, top, html)
}

/// Validates workloads one at a time against one version of site.yaml, the
/// checklist and the set of workload ids, exactly as [`validate`] does:
/// history keeps one while those files stay the same and validates only the
/// workload folders that a commit changed.
pub struct Validator(Context);

impl Validator {
    /// Reads site.yaml and the checklist of `top` (its workloads are not
    /// read); `known` holds the ids of every workload folder.
    pub fn new(top: &Sources, known: BTreeSet<String>) -> (Validator, Vec<Diagnostic>) {
        let mut diags = top.diagnostics.clone();
        let ctx = Context::of(top, known, &mut diags);
        (Validator(ctx), diags)
    }

    /// One workload folder: the workload (unless too broken to read) and its diagnostics.
    pub fn workload(&self, w: &WorkloadSources) -> (Option<Workload>, Vec<Diagnostic>) {
        let (r, d) = self.0.read(w);
        (r.map(|(w, _, _)| w), d)
    }

    /// The site settings every workload is validated against.
    pub fn site(&self) -> &Site {
        &self.0.site
    }

    /// The checklist every evidence file is validated against.
    pub fn checklist(&self) -> &Checklist {
        &self.0.checklist
    }

    /// What of site.yaml a workload's validation depends on: whether it is
    /// trusted (free of errors) and its release ids. Two validators that
    /// agree on it (and share a checklist) validate every workload alike.
    pub(crate) fn workload_context(&self) -> (bool, Vec<&str>) {
        let mut releases: Vec<&str> = self.0.site.releases.iter().map(|r| r.id.as_str()).collect();
        releases.sort_unstable();
        (self.0.site_trusted, releases)
    }
}

/// The ids of the free pages the site will have: `content/pages/<id>.md`,
/// and the built-in one.
fn page_ids(sources: &Sources) -> BTreeSet<String> {
    let named = sources.pages.iter().map(|p| page_id(&p.path).to_string());
    named.chain([crate::core::checklist::BUILTIN_PAGE.to_string()]).collect()
}

/// A free page's id: its file name without `.md`.
fn page_id(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path).trim_end_matches(".md")
}

/// What each workload is validated against, read once from site.yaml and
/// checklist.yaml.
struct Context {
    site: Site,
    checklist: Checklist,
    /// False when site.yaml has errors: its releases and approvers are then unknown.
    site_trusted: bool,
    /// False when checklist.yaml has errors and the built-in checklist stands in.
    checklist_trusted: bool,
    known: BTreeSet<String>,
    /// Write each evidence body's HTML from validation's parse (a build).
    html: bool,
}

impl Context {
    fn of(sources: &Sources, known: BTreeSet<String>, diags: &mut Vec<Diagnostic>) -> Context {
        let site = sources
            .site
            .as_ref()
            .and_then(|f| parse_file(f, diags))
            .map_or_else(Site::default, |(n, f)| site::from_node(&n, &f.path, diags));
        let own = sources.checklist.as_ref().map(|f| {
            parse_file(f, diags).and_then(|(n, f)| checklist::from_node(&n, &f.path, Some(&page_ids(sources)), diags))
        });
        // A broken checklist.yaml falls back to the built-in one; evidence
        // named after its own items is then not told it matches no item.
        let checklist_trusted = !matches!(own, Some(None));
        let checklist = own.flatten().unwrap_or_else(checklist::builtin);
        // With site.yaml broken, its releases and approvers are unknown: checking
        // workloads against them would bury the one real error under echoes.
        let site_trusted = !diags.iter().any(|d| d.file == "content/site.yaml" && d.severity == Severity::Error);
        if site_trusted {
            signoff_roles(&checklist, &site, sources, diags);
        }
        Context { site, checklist, site_trusted, checklist_trusted, known, html: false }
    }

    fn read(&self, w: &WorkloadSources) -> WorkloadResult {
        let mut d = Vec::new();
        let site = self.site_trusted.then_some(&self.site);
        let checklist = (&self.checklist, self.checklist_trusted);
        let r = read_workload(w, site, checklist, &self.known, self.html, &mut d);
        (r, d)
    }

    /// The portfolio from each workload's result, with the checks that need all of them.
    fn assemble(
        self,
        sources: &Sources,
        results: impl Iterator<Item = WorkloadResult>,
        mut diags: Vec<Diagnostic>,
    ) -> (Portfolio, Vec<Diagnostic>, BodyHtml) {
        let mut workloads = BTreeMap::new();
        let mut dep_positions = BTreeMap::new();
        let mut html = BTreeMap::new();
        for (r, d) in results {
            diags.extend(d);
            if let Some((w, deps, h)) = r {
                dep_positions.insert(w.id.clone(), (deps, format!("{}/workload.yaml", w.dir)));
                if !h.is_empty() {
                    html.insert(w.id.clone(), h);
                }
                workloads.insert(w.id.clone(), w);
            }
        }
        report_cycles(&dep_positions, &mut diags);
        let pages = sources.pages.iter().filter_map(|p| read_page(p, &mut diags)).collect();
        let Context { site, checklist, .. } = self;
        (Portfolio { site, checklist, workloads, pages }, diags, BodyHtml(html))
    }
}

/// Parses a whole-file YAML document, reporting empty files and syntax errors.
fn parse_file<'a>(f: &'a SourceFile, diags: &mut Vec<Diagnostic>) -> Option<(Node, &'a SourceFile)> {
    if f.text.trim().is_empty() {
        diags.push(
            Diagnostic::new(Code::E0105, &f.path, 1, 1, "the file is empty")
                .with_help("remove it, or write the settings it should hold"),
        );
        return None;
    }
    match yaml::parse(&f.text) {
        Ok(n) => Some((n, f)),
        Err(e) => {
            report_yaml_error(&mut Sink::new(&f.path, 0, diags), &e);
            None
        }
    }
}

pub(crate) fn report_yaml_error(sink: &mut Sink, e: &YamlError) {
    let (code, help) = match e.kind {
        YamlErrorKind::Syntax => (Code::E0101, "check indentation, colons and quotes on this line and the one before"),
        YamlErrorKind::DuplicateKey => (Code::E0102, "each key may appear once; remove or merge the repeated one"),
        YamlErrorKind::Limit => (
            Code::E0106,
            "cutover limits YAML size, nesting and alias expansion; write the values out plainly, or attach large data as a file",
        ),
    };
    sink.report(code, e.pos, e.message.clone(), Some(help.into()));
}

/// Roles the checklist names that site.yaml does not fill: a sign-off role
/// without members is a warning (nothing can be signed yet); a
/// `waiver_signoff` that names no role at all is an error in a team's own
/// checklist (a typo there would let anyone waive the item).
fn signoff_roles(checklist: &Checklist, site: &Site, sources: &Sources, diags: &mut Vec<Diagnostic>) {
    let file = sources.site.as_ref().map_or("content/site.yaml", |f| f.path.as_str());
    for item in &checklist.items {
        if let Some(role) = &item.signoff
            && site.approvers.members(role).is_empty()
        {
            diags.push(
                Diagnostic::new(Code::W0002, file, 1, 1, format!("item `{}` needs sign-off by role `{role}`, which has no approvers", item.id))
                    .with_help(format!("add `approvers: {{{role}: [someone@example.org]}}` to site.yaml; until then no evidence for this item can be satisfied")),
            );
        }
        let Some(role) = item.waiver_signoff.as_ref().filter(|r| !site.approvers.has(r)) else { continue };
        match sources.checklist.as_ref() {
            Some(own) => diags.push(
                Diagnostic::new(Code::E0501, &own.path, item.waiver_signoff_at.0, item.waiver_signoff_at.1, format!("item `{}` has `waiver_signoff: {role}`, a role that site.yaml does not define", item.id))
                    .with_help(crate::core::diagnostics::did_you_mean(role, site.approvers.0.keys().map(String::as_str)).unwrap_or_else(|| format!("add `approvers: {{{role}: [someone@example.org]}}` to site.yaml, or name one of its roles"))),
            ),
            None if item.signoff.as_ref() != Some(role) => diags.push(
                Diagnostic::new(Code::W0002, file, 1, 1, format!("waivers of item `{}` need approval by role `{role}`, which has no approvers", item.id))
                    .with_help(format!("add `approvers: {{{role}: [someone@example.org]}}` to site.yaml; until then no waiver of this item is in force")),
            ),
            None => {}
        }
    }
}

/// `checklist` comes with whether it is the portfolio's own (see [`Context`]).
fn read_workload(
    w: &WorkloadSources,
    site: Option<&Site>,
    (checklist, checklist_trusted): (&Checklist, bool),
    known: &BTreeSet<String>,
    html: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Workload, workload::DependencyPositions, ItemHtml)> {
    let id_ok = is_valid_id(&w.id);
    if !id_ok {
        diags.push(
            Diagnostic::new(Code::E0207, &w.dir, 1, 1, format!("workload folder name `{}` is not a valid id", w.id))
                .with_help("rename the folder: lower-case letters, digits and `-`, at most 63 characters"),
        );
    }
    let head = match &w.workload_yaml {
        Some(yaml_file) => parse_file(yaml_file, diags)
            .and_then(|(node, _)| workload::read(&node, &w.id, &w.dir, &yaml_file.path, site, known, diags)),
        None => {
            diags.push(
                Diagnostic::new(Code::E0301, &w.dir, 1, 1, format!("workload folder `{}` has no workload.yaml", w.id))
                    .with_help(if w.attachments.iter().any(|a| a == "workload.yml") {
                        "rename workload.yml to workload.yaml: cutover reads only that name"
                    } else {
                        "add workload.yaml with at least `name`, `owner` and `criticality`"
                    }),
            );
            None
        }
    };
    let model = head.as_ref().map(|(h, _)| h.promotion_model);
    let mut files: BTreeSet<String> = w.attachments.iter().cloned().collect();
    files.extend(w.evidence.iter().filter_map(|e| e.path.rsplit('/').next().map(str::to_string)));
    let item_of = |name: &str| evidence::item_id_of(name).and_then(|id| checklist.item(id.as_str()));
    fn file_name(src: &crate::load::SourceFile) -> &str {
        src.path.rsplit('/').next().unwrap_or_default()
    }
    // The items the report will have a section for (the keys `evidence` gets
    // below): links to their files become in-page links.
    let with_evidence: Option<BTreeSet<String>> = html.then(|| {
        let names = w.evidence.iter().map(file_name).chain(w.unreadable.iter().map(String::as_str));
        names.filter_map(item_of).map(|i| i.id.0.clone()).collect()
    });
    let mut evidence = BTreeMap::new();
    let mut html = ItemHtml::new();
    for src in &w.evidence {
        let name = file_name(src);
        let Some(item) = item_of(name) else {
            if !checklist_trusted {
                continue;
            }
            let stem = name.trim_end_matches(".md");
            let help = did_you_mean(stem, checklist.item_ids())
                .map(|h| format!("{h} (rename the file to match a checklist item)"))
                .unwrap_or_else(|| {
                    "evidence files are named after checklist items; move other Markdown into a sub-folder to attach it"
                        .into()
                });
            diags.push(
                Diagnostic::new(Code::E0201, &src.path, 1, 1, format!("`{name}` is not a checklist item"))
                    .with_help(help),
            );
            continue;
        };
        let ev = match evidence::read(
            src,
            item,
            &files,
            &w.attachment_digests,
            model,
            with_evidence.as_ref(),
            site,
            diags,
        ) {
            Some((ev, body_html)) => {
                if let Some(h) = body_html {
                    html.insert(item.id.clone(), h.into());
                }
                ev
            }
            None => Evidence::unreadable(item.id.clone(), &src.path),
        };
        evidence.insert(item.id.clone(), Box::new(ev));
    }
    for name in &w.unreadable {
        if let Some(item) = item_of(name) {
            evidence
                .insert(item.id.clone(), Box::new(Evidence::unreadable(item.id.clone(), &format!("{}/{name}", w.dir))));
        }
    }
    let evidence_links: BTreeSet<&String> = evidence.values().flat_map(|e| e.linked_files.iter()).collect();
    let published = documents::check(&w.documents, &w.dir, &evidence_links, &files, diags);
    let (mut workload, deps) = head?;
    if !id_ok {
        return None;
    }
    workload.documents = published;
    workload.evidence = evidence;
    workload.attachments = w.attachments.clone();
    Some((workload, deps, html))
}

/// Reports every dependency cycle once, at the `depends_on` entry that closes it.
fn report_cycles(deps: &BTreeMap<WorkloadId, (workload::DependencyPositions, String)>, diags: &mut Vec<Diagnostic>) {
    for cycle in crate::validate::graph::cycles(
        deps.iter().map(|(id, (d, _))| (id.clone(), d.iter().map(|(x, _)| x.clone()).collect())),
    ) {
        let first = &cycle[0];
        let next = &cycle[1 % cycle.len()];
        let (list, file) = &deps[first];
        let pos = list.iter().find(|(d, _)| d == next).map(|(_, p)| *p).unwrap_or_default();
        let mut path: Vec<&str> = cycle.iter().map(WorkloadId::as_str).collect();
        path.push(first.as_str());
        diags.push(
            Diagnostic::new(
                Code::E0304,
                file,
                pos.line,
                pos.column,
                format!("dependency cycle: {}", path.join(" -> ")),
            )
            .with_help("a workload cannot wait for itself; remove one of these `depends_on` entries"),
        );
    }
}

fn read_page(src: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<Page> {
    let id = page_id(&src.path).to_string();
    if !is_valid_id(&id) {
        diags.push(
            Diagnostic::new(Code::E0207, &src.path, 1, 1, format!("page name `{id}` is not a valid id"))
                .with_help("rename the file: lower-case letters, digits and `-`"),
        );
        return None;
    }
    let split = match frontmatter::split(&src.text) {
        Ok(s) => s,
        Err(e) => {
            diags.push(
                Diagnostic::new(e.code, &src.path, e.line, 1, e.message)
                    .with_help("a page starts with front matter holding its `title`"),
            );
            return None;
        }
    };
    let mut sink = Sink::new(&src.path, split.yaml_line_offset, diags);
    let node = match yaml::parse(split.yaml) {
        Ok(n) => n,
        Err(e) => {
            report_yaml_error(&mut sink, &e);
            return None;
        }
    };
    let f = fields::Fields::of(&mut sink, &node, "page front matter")?;
    let f = fields::Fields { pos: crate::load::yaml::Pos { line: 1, column: 1 }, ..f };
    f.check_keys(&mut sink, keys::PAGE, "page front matter");
    let title = f.get("title").and_then(|n| fields::text(&mut sink, n, "title"))?;
    prose::page(&mut sink, split.body, split.body_line);
    Some(Page { id, file: src.path.clone(), title, body: split.body.to_string() })
}
