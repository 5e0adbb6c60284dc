//! Markdown attachments (runbooks, plans, notes in a workload's sub-folders)
//! are published as pages of the site, rendered and sanitised like evidence,
//! rather than as raw text. This module says which attachments those are,
//! where their page goes, and which files a workload publishes once the
//! documents' own links are followed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A Markdown attachment that evidence (or another published document) links to.
#[derive(Debug, Clone)]
pub struct Document {
    /// Relative to the site root, as diagnostics name it.
    pub file: String,
    pub text: Arc<String>,
    /// The files of the workload folder its links lead to, relative to the folder.
    pub linked_files: Vec<String>,
}

/// Whether an attachment is Markdown, published as a page.
pub fn is_document(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.len() > 3 && name.get(name.len() - 3..).is_some_and(|ext| ext.eq_ignore_ascii_case(".md"))
}

/// The page a document is published as: beside it, `.md` replaced by
/// `.html`. Links written between attachments stay right, since every file
/// keeps its folder; and no attachment is ever published at that path,
/// because the site refuses to publish HTML files (E0404).
pub fn page_path(path: &str) -> String {
    match is_document(path) {
        true => format!("{}.html", &path[..path.len() - 3]),
        false => path.to_string(),
    }
}

/// A relative link's path part with a document's `.md` turned into its
/// page's `.html`, the `?query` or `#fragment` kept. Anything else unchanged.
pub fn link_to_page(dest: &str) -> Option<String> {
    let cut = dest.find(['#', '?']).unwrap_or(dest.len());
    let (path, rest) = dest.split_at(cut);
    (is_document(path) && !path.contains(':')).then(|| format!("{}{rest}", page_path(path)))
}

/// Every file a workload publishes: what its evidence links, and what the
/// documents among those link in turn, followed to the end. `documents`
/// are the workload's readable Markdown attachments.
pub fn reachable<'a>(
    evidence_links: impl Iterator<Item = &'a String>,
    documents: &BTreeMap<String, Document>,
) -> BTreeSet<String> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut todo: Vec<&str> = evidence_links.map(String::as_str).collect();
    while let Some(f) = todo.pop() {
        if seen.insert(f.to_string())
            && let Some(d) = documents.get(f)
        {
            todo.extend(d.linked_files.iter().map(String::as_str));
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_published_beside_itself_as_html() {
        assert!(is_document("runbooks/stage.md") && is_document("Notes.MD"));
        assert!(!is_document("runbooks/stage.mdx") && !is_document(".md") && !is_document("a.txt"));
        assert_eq!(page_path("runbooks/stage.md"), "runbooks/stage.html");
        assert_eq!(link_to_page("../plans/cut.md#step-2").as_deref(), Some("../plans/cut.html#step-2"));
        assert_eq!(link_to_page("reports/a.txt"), None);
        assert_eq!(link_to_page("https://x.example/a.md"), None);
    }

    #[test]
    fn links_are_followed_through_documents_once() {
        let doc = |links: &[&str]| Document {
            file: String::new(),
            text: Arc::new(String::new()),
            linked_files: links.iter().map(|s| s.to_string()).collect(),
        };
        let docs: BTreeMap<String, Document> = [
            ("a.md".to_string(), doc(&["b.md", "x.txt"])),
            ("b.md".to_string(), doc(&["a.md", "y.png"])),
            ("c.md".to_string(), doc(&["z.txt"])),
        ]
        .into_iter()
        .collect();
        let start = ["a.md".to_string()];
        let got: Vec<String> = reachable(start.iter(), &docs).into_iter().collect();
        assert_eq!(got, ["a.md", "b.md", "x.txt", "y.png"], "c.md is linked by nothing published");
    }
}
