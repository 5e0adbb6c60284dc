//! A site's own look: `templates/` and `static/` beside `content/`.
//!
//! `templates/<name>.html` replaces the built-in template of that name (or
//! adds a new one that others can include or extend); `templates/style.css`
//! and `templates/search.js` replace the built-in assets. Every file under
//! `static/` is published at the same path in the site, replacing what
//! cutover would have put there. This module only reads them; render builds
//! the Tera environment from a [`Theme`], so rendering stays free of I/O.

use crate::core::diagnostics::{Code, Diagnostic};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Templates and files that a site adds to, or puts in place of, the built-in ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Theme {
    /// Template name (`workload.html`, `partials/x.html`) -> its text.
    pub templates: BTreeMap<String, String>,
    /// Output path -> file to copy, relative to the site root.
    pub files: BTreeMap<String, PathBuf>,
}

/// The built-in assets a site may replace from `templates/`, and where they are published.
pub const ASSET_OVERRIDES: &[(&str, &str)] = &[("style.css", "assets/style.css"), ("search.js", "assets/search.js")];

impl Theme {
    /// The built-in look: nothing added, nothing replaced.
    pub fn builtin() -> Theme {
        Theme::default()
    }

    /// Reads `root/templates/` and `root/static/`. Missing folders are fine;
    /// unreadable files are diagnostics (the build then stops, as for content).
    pub fn load(root: &Path) -> (Theme, Vec<Diagnostic>) {
        let mut theme = Theme::default();
        let mut diags = Vec::new();
        for (rel, inner) in files_under(root, "templates", &mut diags) {
            if inner.ends_with(".html") {
                if let Some(f) = crate::load::read_text(&root.join(&rel), &rel, &mut diags) {
                    theme.templates.insert(inner, f.text.to_string());
                }
            } else if let Some((_, out)) = ASSET_OVERRIDES.iter().find(|(name, _)| *name == inner) {
                theme.files.insert(out.to_string(), PathBuf::from(&rel));
            }
        }
        for (rel, inner) in files_under(root, "static", &mut diags) {
            theme.files.insert(inner, PathBuf::from(rel));
        }
        (theme, diags)
    }

    /// Where template `name` comes from, for diagnostics: the site's file, or
    /// the built-in one under the same name.
    pub fn origin(&self, name: &str) -> (String, bool) {
        (format!("templates/{name}"), self.templates.contains_key(name))
    }

    /// A Tera error as a diagnostic naming the template file, line and column.
    /// `rendering` is the template that was being rendered when it happened.
    pub fn diagnostic(&self, rendering: &str, e: &tera::Error) -> Diagnostic {
        let (name, line, column, message) = match e.kind() {
            tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
                let name = if r.filename().is_empty() { rendering } else { r.filename() };
                (name.to_string(), r.span().start_line, r.span().start_col + 1, r.message().to_string())
            }
            _ => (rendering.to_string(), 1, 1, first_line(&e.to_string())),
        };
        let (file, own) = self.origin(&name);
        let help = if own {
            format!("fix {file}, or delete it to use the built-in template again")
        } else {
            "this built-in template uses something an overriding template changed; \
             `cutover templates export DIR` writes the built-in templates to compare with"
                .to_string()
        };
        Diagnostic::new(
            Code::E0701,
            file,
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
            format!("template `{name}`: {message}"),
        )
        .with_help(help)
    }
}

fn first_line(s: &str) -> String {
    s.lines().find(|l| !l.trim().is_empty()).unwrap_or("template error").trim().to_string()
}

/// Regular files under `root/<folder>`, hidden ones skipped, as (site-relative
/// path, path inside the folder), both `/`-separated and sorted.
fn files_under(root: &Path, folder: &str, diags: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    let dir = root.join(folder);
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut out = Vec::new();
    // Symbolic links may point only inside the site root (nothing outside it is read).
    let inside = std::fs::canonicalize(root).ok();
    if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink())
        && !link_stays_in_root(&dir, inside.as_deref(), folder, &dir, diags)
    {
        return Vec::new();
    }
    let walker = walkdir::WalkDir::new(&dir).sort_by_file_name().min_depth(1).max_depth(16);
    for entry in walker.into_iter().filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.')) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(Diagnostic::new(Code::E0001, folder, 1, 1, format!("cannot read: {e}")));
                continue;
            }
        };
        if entry.path_is_symlink() && !link_stays_in_root(entry.path(), inside.as_deref(), folder, &dir, diags) {
            continue;
        }
        if !entry.path().is_file() {
            continue;
        }
        let parts: Option<Vec<&str>> = entry
            .path()
            .strip_prefix(&dir)
            .ok()
            .map(|p| p.components().map(|c| c.as_os_str().to_str()).collect::<Option<Vec<_>>>())
            .unwrap_or(None);
        match parts {
            Some(parts) => {
                let inner = parts.join("/");
                out.push((format!("{folder}/{inner}"), inner));
            }
            None => diags.push(Diagnostic::new(
                Code::E0002,
                format!("{folder}/{}", entry.path().strip_prefix(&dir).unwrap_or(entry.path()).to_string_lossy()),
                1,
                1,
                "file name is not valid UTF-8",
            )),
        }
    }
    out
}

/// A symbolic link under `templates/` or `static/` is read only when it
/// points at a file inside the site root: a committed link to
/// `/proc/self/environ` or `~/.ssh` must not be published. Links to folders
/// are not followed (walking them could loop), except that `static/` or
/// `templates/` itself may be a link to a folder inside the root.
fn link_stays_in_root(path: &Path, root: Option<&Path>, folder: &str, dir: &Path, diags: &mut Vec<Diagnostic>) -> bool {
    let inner = path.strip_prefix(dir).unwrap_or(path).to_string_lossy();
    let rel = if inner.is_empty() { folder.to_string() } else { format!("{folder}/{inner}") };
    if !crate::load::symlink_stays_inside(path, root, &rel, "the site root", diags) {
        return false;
    }
    if path == dir || path.is_file() {
        return true;
    }
    diags.push(
        Diagnostic::new(Code::E0004, rel, 1, 1, "symbolic link to a folder is not followed")
            .with_help("copy the file here instead of linking to it; cutover reads nothing outside the site root"),
    );
    false
}
