//! Markdown attachments that the site publishes as pages (see
//! `crate::core::documents`): their links are checked as evidence links are, each
//! relative to the document's own folder. A problem is a warning (W0012),
//! not an error: before version 1.2 attachments were published as they were,
//! unread, and a portfolio that built then must still build. The page leaves
//! a link that fails out, keeping its text.

use super::evidence::{Positions, report_sanitised};
use super::fields::Sink;
use super::links::{self, Allowed};
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::documents::Document;
use crate::core::model::Link;
use crate::load::SourceFile;
use crate::load::markdown::Origin;
use std::collections::{BTreeMap, BTreeSet};

/// The documents that the workload's evidence reaches (directly, or through
/// other documents), each with the files its links lead to. `sources` are
/// the Markdown attachments loading read; `dir` the workload folder
/// (relative to the site root); `files` every file in it.
pub fn check(
    sources: &[SourceFile],
    dir: &str,
    evidence_links: &BTreeSet<&String>,
    files: &BTreeSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Document> {
    let prefix = format!("{dir}/");
    let by_path: BTreeMap<&str, &SourceFile> =
        sources.iter().filter_map(|s| Some((s.path.strip_prefix(&prefix)?, s))).collect();
    let mut out = BTreeMap::new();
    let mut todo: Vec<&str> = evidence_links.iter().map(|s| s.as_str()).collect();
    while let Some(path) = todo.pop() {
        let Some(src) = by_path.get(path) else { continue };
        if out.contains_key(path) {
            continue;
        }
        let linked = check_links(src, path, files, diags);
        todo.extend(linked.iter().filter_map(|f| by_path.get_key_value(f.as_str()).map(|(k, _)| *k)));
        out.insert(path.to_string(), Document { file: src.path.clone(), text: src.text.clone(), linked_files: linked });
    }
    out
}

/// W0012 for each link of the document that would fail as evidence; W0004
/// for raw HTML the sanitiser changes. Returns the files its links lead to.
fn check_links(src: &SourceFile, path: &str, files: &BTreeSet<String>, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let base = path.rsplit_once('/').map_or("", |(folder, _)| folder);
    let scan = crate::load::markdown::scan(&src.text);
    let mut sink = Sink::new(&src.path, 0, diags);
    let mut positions = Positions::new(&src.text, 1);
    let mut linked = Vec::new();
    for link in &scan.links {
        let dest = link.dest.trim();
        // Relative paths are resolved from the document's folder; URLs and anchors as they are.
        let relative = crate::core::url::scheme_of(dest).is_none() && !dest.starts_with(['#', '/']);
        let target = match (relative, base) {
            (true, "") | (false, _) => dest.to_string(),
            (true, base) => format!("{base}/{dest}"),
        };
        match links::resolve(&target, Allowed::Body, files) {
            Ok(Some(Link::File(f))) => linked.push(f),
            Ok(Some(Link::Url(u))) if link.image => sink.report(
                Code::W0004,
                positions.at(link.offset),
                format!("the image `{u}` is not shown: images must come from the workload folder"),
                Some("save the image in the workload folder and link it by its relative path".into()),
            ),
            Ok(_) => {}
            Err(e) if link.origin == Origin::RawHtml && e.code == Code::E0403 => {}
            Err(e) => sink.report(
                Code::W0012,
                positions.at(link.offset),
                format!("link `{dest}` is left out of the published page: {}", e.message),
                e.help,
            ),
        }
    }
    for chunk in &scan.raw_html {
        report_sanitised(&mut sink, &mut positions, chunk);
    }
    linked
}
