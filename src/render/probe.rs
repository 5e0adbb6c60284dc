//! What `build` would find that `check` does not otherwise look for, so that
//! `check` passes exactly when `build` would: a file the site copies that
//! cannot be read, and a site's own template that fails on this portfolio
//! (an undefined variable, a missing policy tag), which only rendering
//! shows. `build` does both for real and does not run this.
//!
//! Listing and rendering here stay free of I/O; whether a file can be read
//! is asked of the write stage, which is the one that reads it.

use super::{linked_files, render_into};
use crate::core::diagnostics::Diagnostic;
use crate::core::model::Portfolio;
use crate::evaluate::Assessment;
use crate::load::theme::Theme;
use rayon::prelude::*;

/// A file a build copies into the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// Where it is, relative to the site root, `/`-separated.
    pub file: String,
    /// Why the site publishes it, for the hint of a diagnostic about it.
    pub because: String,
}

/// Every file a build of `p` with `theme` copies, as `render_into` hands them
/// to the write stage: each workload's linked attachments, then the theme's files.
pub fn copies(p: &Portfolio, theme: &Theme) -> Vec<Copied> {
    let mut out: Vec<Copied> = p
        .workloads
        .par_iter()
        .flat_map_iter(|(_, w)| {
            linked_files(w).into_iter().map(move |file| {
                let linking = w.evidence.values().find(|e| e.linked_files.contains(&file)).map(|e| &e.file);
                let linking =
                    linking.or_else(|| w.documents.values().find(|d| d.linked_files.contains(&file)).map(|d| &d.file));
                let because = linking.map_or_else(
                    || "evidence links to it, so the site publishes it".to_string(),
                    |f| format!("{f} links to it, so the site publishes it"),
                );
                Copied { file: format!("{}/{file}", w.dir), because }
            })
        })
        .collect();
    out.extend(theme.files.values().map(|file| Copied {
        file: file.to_string_lossy().replace('\\', "/"),
        because: "the site publishes every file of the theme".into(),
    }));
    out
}

/// Renders every page into nothing when the site has templates of its own,
/// and returns the template error a build would report. The built-in
/// templates render every valid portfolio, so without overrides nothing is
/// rendered. Compiled templates are needed (`None`: they did not compile,
/// which `check` reports already). Like a build, it stops at the first error.
pub fn template_failure(
    p: &Portfolio,
    a: &Assessment,
    theme: &Theme,
    templates: Option<&tera::Tera>,
) -> Option<Diagnostic> {
    if theme.templates.is_empty() {
        return None;
    }
    render_into(&super::edition::Shown::internal(p), a, theme, Some(templates?), &|_| true, &|_, _| Ok(()))
        .err()?
        .diagnostic
}
