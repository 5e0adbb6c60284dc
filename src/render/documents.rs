//! Markdown attachments as pages of the site (see `crate::core::documents`):
//! rendered and sanitised like evidence, each beside the file it comes from,
//! its links leading where they lead on the site.

use super::context::Common;
use super::{Env, RenderError, markdown};
use crate::core::documents::{Document, link_to_page, page_path};
use crate::core::model::Workload;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Serialize)]
struct DocumentCtx<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    workload_id: &'a str,
    workload_name: &'a str,
    /// The workload's report, relative to this page.
    workload_href: String,
    title: String,
    /// The attachment's path inside the workload folder.
    source: &'a str,
    body_html: String,
}

/// The page of document `path` (relative to the workload folder) of `w`.
/// `published` are the files the workload publishes: a link to anything
/// else is left out.
pub(super) fn document_page(
    env: &Env,
    w: &Workload,
    path: &str,
    doc: &Document,
    published: &BTreeSet<String>,
) -> Result<Vec<u8>, RenderError> {
    let depth = 2 + path.matches('/').count();
    let to_workload = "../".repeat(depth - 2);
    let base = path.rsplit_once('/').map_or("", |(folder, _)| folder);
    let link = |dest: &str| -> Option<String> {
        let dest = dest.trim();
        if dest.starts_with('#') || crate::core::url::scheme_of(dest).is_some() {
            // Anchors stay; URLs are held to the allowed schemes by the sanitiser.
            return Some(dest.to_string());
        }
        let file = crate::core::url::file_of(dest, base)?;
        if let Some(item) = file.strip_suffix(".md").filter(|s| !s.contains('/'))
            && w.evidence.keys().any(|k| k.as_str() == item)
        {
            return Some(format!("{to_workload}index.html#item-{item}"));
        }
        published.contains(&file).then(|| link_to_page(dest).unwrap_or_else(|| dest.to_string()))
    };
    let name = path.rsplit('/').next().unwrap_or(path);
    let title = markdown::first_heading(&doc.text).unwrap_or_else(|| name.to_string());
    let page = format!("workloads/{}/{}", w.id, page_path(path));
    let ctx = DocumentCtx {
        common: env.common(depth, format!("{title} - {}", w.name), &page),
        workload_id: w.id.as_str(),
        workload_name: &w.name,
        workload_href: format!("{to_workload}index.html"),
        body_html: markdown::document_to_html(&title, &doc.text, &link),
        title,
        source: path,
    };
    env.render("document.html", &ctx)
}
