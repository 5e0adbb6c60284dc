//! The fuzz targets' checks, one function each: the targets in
//! `fuzz_targets/` call them on what libFuzzer generates, and the main crate's
//! `cargo test` (tests/it/fuzz_seeds.rs) replays every committed seed through them.

use super::generate::GenPortfolio;
use super::html::assert_inert;
use super::{check_decisions, check_diagnostics};
use cutover::core::date::Date;
use cutover::core::model::{Portfolio, WorkloadId};
use cutover::evaluate::{Assessment, Decision, evaluate};
use cutover::load::frontmatter::split;
use cutover::load::markdown::{HtmlSpec, scan_and_render};
use cutover::load::sanitize::Reach;
use cutover::load::yaml::{parse_general, parse_plain};
use cutover::load::{SourceFile, Sources, WorkloadSources};
use cutover::render::markdown::{inline_to_html, to_html};
use cutover::validate::validate;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Byte offset of `part` inside `whole`, checking that it is a sub-slice.
fn offset_in(whole: &str, part: &str) -> usize {
    let start = part.as_ptr() as usize;
    let base = whole.as_ptr() as usize;
    assert!(start >= base && start + part.len() <= base + whole.len(), "not a sub-slice of the input");
    start - base
}

fn line_at(text: &str, offset: usize) -> u32 {
    1 + text[..offset].matches('\n').count() as u32
}

/// The front-matter splitter on any text: it never panics, its parts are
pub fn frontmatter_split(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match split(text) {
        Ok(s) => {
            let yaml_at = offset_in(text, s.yaml);
            let body_at = offset_in(text, s.body);
            assert!(yaml_at + s.yaml.len() <= body_at, "the YAML ends before the body starts");
            assert_eq!(body_at + s.body.len(), text.len(), "the body runs to the end of the file");
            // The YAML starts on the line after the opening fence.
            assert_eq!(line_at(text, yaml_at), s.yaml_line_offset + 1, "yaml_line_offset");
            let first = text[..yaml_at].trim_end_matches(['\n', '\r', ' ', '\t']);
            assert_eq!(first, "---", "the opening fence is the first line");
            // Between the YAML and the body there is exactly the closing fence line.
            let fence = &text[yaml_at + s.yaml.len()..body_at];
            let fence_text = fence.trim_end_matches(['\n', '\r', ' ', '\t']);
            assert!(fence_text == "---" || fence_text == "...", "closing fence: {fence:?}");
            assert!(fence.matches('\n').count() <= 1, "the closing fence is one line: {fence:?}");
            if !s.body.is_empty() {
                assert_eq!(line_at(text, body_at), s.body_line, "body_line");
            } else {
                assert!(s.body_line >= line_at(text, body_at), "body_line before the end");
            }
            // Lines of the YAML counted from the YAML's own start agree with the file's lines.
            let yaml_lines = s.yaml.matches('\n').count() as u32;
            assert!(s.body_line >= s.yaml_line_offset + 1 + yaml_lines, "body after the YAML");
        }
        Err(e) => {
            assert!(e.line >= 1, "error line is 1-based");
            assert!(!e.message.is_empty() && !e.help.is_empty());
        }
    }
}

/// Markdown rendering with sanitising: whatever the evidence says, the HTML
pub fn markdown_render(data: &[u8]) {
    let Some((&shift, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let items: BTreeSet<String> = ["stage", "promote"].iter().map(|s| s.to_string()).collect();
    let html = to_html(text, &items, shift % 8);
    assert_inert(&html);
    let spec = HtmlSpec { evidence_items: &items, top: shift % 8, scope: "body", reach: Reach::Folder };
    let (scan, once) = scan_and_render(text, &spec);
    assert_eq!(scan, cutover::load::markdown::scan(text));
    assert_eq!(once, html);
    assert_inert(&inline_to_html(text));
}

/// The fast path for plain YAML against the general parser: wherever the
pub fn yaml_plain(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(fast) = parse_plain(text) {
        assert_eq!(Ok(fast), parse_general(text), "the fast path disagrees with serde-saphyr");
    }
}

fn file(path: &str, text: &str) -> SourceFile {
    SourceFile { path: path.to_string(), text: text.to_string().into() }
}

/// Two workloads that read the same workload.yaml (so `depends_on` can name
/// either), each with the same front matter on three evidence files whose items
/// have item-specific fields.
fn model_sources(parts: &[&str]) -> Sources {
    let workload_yaml = parts[0];
    let front_matter = parts.get(1).map(|fm| format!("---\n{fm}\n---\nSee [the report](report.txt).\n"));
    let mut s = Sources {
        site: parts.get(2).map(|t| file("content/site.yaml", t)),
        checklist: parts.get(3).map(|t| file("content/checklist.yaml", t)),
        pages: parts.get(4).map(|t| file("content/pages/notes.md", t)).into_iter().collect(),
        ..Sources::default()
    };
    for id in ["alpha", "beta"] {
        let dir = format!("content/workloads/{id}");
        let evidence = match &front_matter {
            Some(text) => ["ciso-verification", "data-classification", "promote"]
                .iter()
                .map(|item| file(&format!("{dir}/{item}.md"), text))
                .collect(),
            None => Vec::new(),
        };
        s.workloads.push(WorkloadSources {
            id: id.to_string(),
            workload_yaml: Some(file(&format!("{dir}/workload.yaml"), workload_yaml)),
            dir,
            evidence,
            attachments: vec!["report.txt".into()],
            documents: Vec::new(),
            unreadable: Vec::new(),
            attachment_digests: Default::default(),
        });
    }
    s
}

/// Any text as workload.yaml, evidence front matter, site.yaml, checklist.yaml
pub fn yaml_to_model(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parts: Vec<&str> = text.splitn(5, '\0').collect();
    let sources = model_sources(&parts);
    let (portfolio, mut diags) = cutover::validate::validate(&sources);
    let as_of = portfolio.site.as_of.unwrap_or_else(|| Date::parse("2026-11-26").unwrap());
    let assessment = cutover::evaluate::evaluate(&portfolio, as_of);
    check_decisions(&portfolio, &assessment);
    diags.extend(assessment.diagnostics.iter().cloned());
    check_diagnostics(&sources, &diags);
}

fn run_generated(sources: &Sources, g: &GenPortfolio) -> (Portfolio, Assessment, Vec<String>) {
    let (portfolio, mut diags) = validate(sources);
    let assessment = evaluate(&portfolio, g.as_of_date());
    check_decisions(&portfolio, &assessment);
    diags.extend(assessment.diagnostics.iter().cloned());
    check_diagnostics(sources, &diags);
    let mut shown: Vec<String> = diags.iter().map(|d| format!("{d:?}")).collect();
    shown.sort();
    (portfolio, assessment, shown)
}

fn decisions_of(a: &Assessment) -> Vec<String> {
    a.workloads.values().map(|w| format!("{} {:?} {:?}", w.id, w.decision, w.reasons)).collect()
}

/// With `CUTOVER_FUZZ_STATS=1`, each input prints its decisions, to see what the corpus reaches.
fn print_stats() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CUTOVER_FUZZ_STATS").is_some())
}

/// A generated portfolio (a few workloads with dependencies, releases and
pub fn validate_evaluate(g: GenPortfolio) {
    let sources = g.sources();
    let (portfolio, assessment, diags) = run_generated(&sources, &g);
    if print_stats() {
        let count = |d| assessment.workloads.values().filter(|w| w.decision == d).count();
        eprintln!(
            "stats: workloads={} promoted={} ready={} blocked={} diagnostics={}",
            assessment.workloads.len(),
            count(Decision::Promoted),
            count(Decision::Ready),
            count(Decision::Blocked),
            diags.len()
        );
    }

    // The order of files on disk does not matter.
    let (_, again, diags_again) = run_generated(&super::generate::shuffled(&sources, g.shuffle), &g);
    assert_eq!(decisions_of(&assessment), decisions_of(&again), "decisions depend on file order");
    assert_eq!(diags, diags_again, "diagnostics depend on file order");

    // Completing one item never turns `ready` into `blocked`.
    if sources.workloads.is_empty() {
        return;
    }
    let w = usize::from(g.complete.0) % sources.workloads.len();
    let item = &portfolio.checklist.items[usize::from(g.complete.1) % portfolio.checklist.items.len()];
    let mut more = sources.clone();
    let ws = &mut more.workloads[w];
    let path = format!("{}/{}.md", ws.dir, item.id);
    ws.evidence.retain(|f| f.path != path);
    ws.evidence.push(SourceFile { path, text: g.satisfied_evidence(item).into() });
    ws.evidence.sort_by(|a, b| a.path.cmp(&b.path));
    let completed = WorkloadId(ws.id.clone());
    let (_, after, _) = run_generated(&more, &g);
    if let Some(state) = after.workloads.get(&completed).and_then(|a| a.items.iter().find(|s| s.id == item.id)) {
        assert!(state.satisfied, "the completed item `{}` is not satisfied: {state:?}", item.id);
    }
    for (id, before) in &assessment.workloads {
        let now = after.workloads.get(id).map(|a| a.decision);
        if before.decision == Decision::Ready {
            assert_ne!(
                now,
                Some(Decision::Blocked),
                "{id} went from ready to blocked when `{}` was completed",
                item.id
            );
        }
    }
}
