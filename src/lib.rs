//! cutover: a portfolio of migration evidence in, a validated promotion-readiness site out.
//!
//! The pipeline runs one way: [`load`] reads `content/`, [`validate`] builds the
//! typed [`model::Portfolio`] and collects every problem, [`evaluate`] decides each
//! workload, [`render`] turns the assessment into files in memory, and [`write`](mod@write)
//! swaps them into the output folder whole.

// Every exported item says what it is for: the binary, the tests, the
// benches and the fuzz targets are this API's users, and rustdoc is their map.
#![warn(missing_docs)]

pub mod actions;
pub mod core;
pub mod evaluate;
pub mod load;
pub mod render;
pub mod validate;
pub mod write;

use crate::core::date::Date;
use crate::core::diagnostics::Report;
use crate::core::progress::{Progress, Stage};
use crate::core::{diagnostics, model};
use crate::evaluate::history;
use crate::load::theme;
use crate::render::edition;
use crate::validate::provenance;
use std::path::Path;

/// A run that could not start or finish: bad arguments, an unusable site
/// root, a file that cannot be read or written (exit code 2). Each says in
/// words what went wrong and, where there is one, keeps its cause.
#[derive(Debug, thiserror::Error)]
pub enum Fatal {
    /// The command refuses: the message says why and what to do.
    #[error("{0}")]
    Refused(String),
    /// A file or folder could not be read or written; the message keeps the
    /// system's words for why (`No such file or directory (os error 2)`).
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done: `read`, `write`, `create`...
        action: &'static str,
        /// The file or folder, as the user knows it.
        path: String,
        /// The system's error, with its kind.
        #[source]
        source: std::io::Error,
    },
    /// Something else the command needs failed: `cannot {what}: {source}`.
    #[error("cannot {what}: {source}")]
    Failed {
        /// What could not be done, in words (`start serving`).
        what: String,
        /// What failed underneath (a serialiser, the HTTP server, the signal handler).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// `serve` cannot listen on its address (taken, or not allowed).
    #[error("cannot listen on {addr}: {source}; choose another port with --port (0 picks a free one)")]
    Listen {
        /// The address asked for (`--bind`, `--port`).
        addr: std::net::SocketAddr,
        /// Why the system refused it.
        #[source]
        source: std::io::Error,
    },
    /// The site root cannot be used at all.
    #[error(transparent)]
    Root(#[from] load::RootError),
    /// `diff` cannot compare the revisions.
    #[error(transparent)]
    Diff(#[from] actions::diff::DiffError),
    /// The output folder is refused, or the site cannot be written into it.
    #[error(transparent)]
    Write(#[from] write::WriteError),
}

impl Fatal {
    /// [`Fatal::Io`]: `cannot {action} {path}: {source}`.
    pub fn io(action: &'static str, path: impl std::fmt::Display, source: std::io::Error) -> Fatal {
        Fatal::Io { action, path: path.to_string(), source }
    }

    /// [`Fatal::Failed`]: `cannot {what}: {source}`.
    pub fn failed(what: impl std::fmt::Display, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Fatal {
        Fatal::Failed { what: what.to_string(), source: source.into() }
    }
}

/// What `check` produces: the sources (for quoting lines), the portfolio, its assessment and the report.
pub struct Checked {
    /// Every file read, for quoting lines in diagnostics.
    pub sources: load::Sources,
    /// The site's own templates and static files (`templates/`, `static/`).
    pub theme: theme::Theme,
    /// What validation could make sense of.
    pub portfolio: model::Portfolio,
    /// Every workload decided as of the date.
    pub assessment: evaluate::Assessment,
    /// Every problem found, sorted.
    pub report: Report,
    /// The theme's templates, compiled once (`None` when they do not compile:
    /// the report then holds the error).
    pub templates: Option<tera::Tera>,
    /// The evidence bodies as report HTML, when validation wrote it (a build):
    /// rendering state, kept beside the model rather than in it.
    pub body_html: validate::BodyHtml,
}

/// Options shared by `check` and `build`.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The date to decide as of; site.yaml's `as_of`, `SOURCE_DATE_EPOCH` or today when none.
    pub as_of: Option<Date>,
    /// Whether warnings count as errors (`--strict`).
    pub strict: bool,
    /// Which edition `build` writes; `check` ignores it.
    pub edition: edition::Edition,
    /// What to keep of each evidence body (file texts are never kept; see
    /// [`Checked::quote`]): `check` and `gate` keep none, the library's
    /// default is the Markdown. `build` ignores it and keeps the HTML.
    pub bodies: validate::Bodies,
}

impl Checked {
    /// The text of a site-relative file, for quoting the lines diagnostics
    /// point at: as loaded, or, when the run let it go, read again.
    pub fn quote(&self, path: &str) -> Option<String> {
        match self.sources.text_of(path) {
            Some(text) => Some(text.to_string()),
            None if path.split('/').all(|part| !part.is_empty() && part != "..") => {
                // Only a regular file within the size limit, never through a
                // link: the file may be the one refused for its size or for
                // pointing outside the site root.
                let file = self.sources.root.join(path);
                let meta = std::fs::symlink_metadata(&file).ok()?;
                if !meta.is_file() || meta.len() > crate::load::MAX_TEXT_BYTES {
                    return None;
                }
                std::fs::read_to_string(file).ok().map(|t| t.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(t))
            }
            None => None,
        }
    }
}

/// Loads, validates and evaluates the portfolio under `root`.
pub fn check(root: &Path, opts: &RunOptions) -> Result<Checked, Fatal> {
    check_with(root, opts, &Progress::new())
}

/// [`check`], reporting each stage to `progress` (which another thread may watch).
pub fn check_with(root: &Path, opts: &RunOptions, progress: &Progress) -> Result<Checked, Fatal> {
    let (top, folders) = progress.time(Stage::Load, || load::load_root(root)).map_err(Fatal::from)?;
    let files = |w: &load::WorkloadSources| {
        progress.files_read.fetch_add(w.file_count(), std::sync::atomic::Ordering::Relaxed);
    };
    progress.files_read.store(files_in(&top), std::sync::atomic::Ordering::Relaxed);
    // Workload folders are read as they are validated, never all at once.
    let (portfolio, diags, sources, body_html) =
        progress.time(Stage::Validate, || validate::validate_streaming(top, &folders, opts.bodies, &files));
    let checked = conclude(root, sources, portfolio, diags, opts, progress)?;
    Ok(as_build_would(root, Checked { body_html, ..checked }, opts))
}

/// The stages after loading, on sources that the caller read: `serve` keeps
/// them between builds and reads again only the folder that changed, and
/// keeps `cache` so that only that workload is validated again.
pub(crate) fn check_loaded(
    root: &Path,
    sources: load::Sources,
    opts: &RunOptions,
    progress: &Progress,
    cache: &mut validate::Cache,
) -> Result<Checked, Fatal> {
    progress.files_read.store(files_in(&sources), std::sync::atomic::Ordering::Relaxed);
    let (portfolio, diags) = progress.time(Stage::Validate, || validate::validate_cached(&sources, cache));
    conclude(root, sources, portfolio, diags, opts, progress)
}

/// Theme, evaluation and report: what `check` does once the portfolio is validated.
fn conclude(
    root: &Path,
    sources: load::Sources,
    mut portfolio: model::Portfolio,
    mut diags: Vec<diagnostics::Diagnostic>,
    opts: &RunOptions,
    progress: &Progress,
) -> Result<Checked, Fatal> {
    // Who committed each sign-off: needed for decisions under a policy, and shown by a build.
    if opts.bodies == validate::Bodies::Html || portfolio.site.signoff_provenance != model::ProvenancePolicy::None {
        progress.time(Stage::Provenance, || provenance::attach(root, &mut portfolio, &mut diags));
    }
    let (theme, theme_diags) = theme::Theme::load(root);
    diags.extend(theme_diags);
    // Template syntax errors are found here, so that `check` in CI catches a broken override.
    let templates = match render::tera(&theme) {
        Ok(t) => Some(t),
        Err(e) => {
            diags.extend(e.diagnostic);
            None
        }
    };
    let as_of = resolve_as_of(opts.as_of, portfolio.site.as_of, std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())?;
    let assessment = progress.time(Stage::Evaluate, || evaluate::evaluate(&portfolio, as_of));
    diags.extend(assessment.diagnostics.iter().cloned());
    let report = Report::from_vec(diags, opts.strict);
    Ok(Checked { sources, theme, portfolio, assessment, report, templates, body_html: Default::default() })
}

/// The text files and attachments that loading found.
fn files_in(s: &load::Sources) -> usize {
    let workloads: usize = s.workloads.iter().map(load::WorkloadSources::file_count).sum();
    workloads + s.pages.len() + usize::from(s.site.is_some()) + usize::from(s.checklist.is_some())
}

/// Checks, then renders and writes the site to `out` unless the portfolio has errors.
/// Returns the check result either way, so the caller can print the diagnostics.
pub fn build(root: &Path, out: &Path, opts: &RunOptions) -> Result<(Checked, bool), Fatal> {
    build_with(root, out, opts, &Progress::new())
}

/// `checked` with what [`render::probe::copies`] and [`render::probe::template_failure`] find added to its
/// report; unchanged for `build` (bodies kept as HTML), which finds the same
/// problems itself.
fn as_build_would(root: &Path, mut checked: Checked, opts: &RunOptions) -> Checked {
    if opts.bodies == validate::Bodies::Html {
        return checked;
    }
    let mut found = write::unreadable(root, &render::probe::copies(&checked.portfolio, &checked.theme));
    found.extend(render::probe::template_failure(
        &checked.portfolio,
        &checked.assessment,
        &checked.theme,
        checked.templates.as_ref(),
    ));
    if !found.is_empty() {
        found.append(&mut checked.report.diagnostics);
        checked.report = Report::from_vec(found, opts.strict);
    }
    checked
}

/// [`build`], reporting each stage to `progress`.
pub fn build_with(root: &Path, out: &Path, opts: &RunOptions, progress: &Progress) -> Result<(Checked, bool), Fatal> {
    write::check_target(out, root).map_err(Fatal::from)?;
    // Rendering needs the evidence bodies, as HTML from validation's own parse.
    let mut checked = check_with(root, &RunOptions { bodies: validate::Bodies::Html, ..opts.clone() }, progress)?;
    if checked.report.blocks_build() {
        return Ok((checked, false));
    }
    // The portfolio over time, read from git; its warnings join the report.
    let mut found = Vec::new();
    let site = &checked.portfolio.site;
    let history = progress.time(Stage::History, || {
        let known: history::snapshot::Known = checked
            .portfolio
            .workloads
            .values()
            .flat_map(|w| w.evidence.values())
            .filter_map(|e| Some((e.blob?, root.join(&e.file))))
            .collect();
        history::compute(root, checked.assessment.as_of, (site.history_days, site.history_days_at), &known, &mut found)
    });
    checked.assessment.history = std::sync::Arc::new(history);
    if !found.is_empty() {
        let mut all = std::mem::take(&mut checked.report.diagnostics);
        all.extend(found);
        checked.report = Report::from_vec(all, opts.strict);
        if checked.report.blocks_build() {
            return Ok((checked, false));
        }
    }
    // Problems found past `check`'s stages are reported like any other error, and nothing is written.
    let refuse = |mut checked: Checked, found: Vec<diagnostics::Diagnostic>| {
        let mut all = checked.report.diagnostics.clone();
        all.extend(found);
        checked.report = Report::from_vec(all, opts.strict);
        Ok((checked, false))
    };
    let shown = edition::apply(&checked.portfolio, &checked.body_html, opts.edition);
    // A file to copy that cannot be read is the portfolio's fault: told at the file, as `check` tells it.
    let copies = render::probe::copies(&shown.portfolio, &checked.theme);
    let unreadable = write::unreadable(root, &copies);
    if !unreadable.is_empty() {
        return refuse(checked, unreadable);
    }
    let staging = write::Staging::begin(root, out).map_err(Fatal::from)?;
    // Pages are written as they are rendered; the folder is swapped in only at the end.
    let sink = |path: String, output: render::Output| -> Result<(), render::RenderError> {
        staging.put(&path, &output).map_err(|e| match e {
            // Readable a moment ago, and not any more.
            write::PutError::Source(file, e) => {
                let file = file.to_string_lossy().replace('\\', "/");
                let copied = copies.iter().find(|c| c.file == file);
                let because = copied.map_or_else(|| "the site publishes it".into(), |c| c.because.clone());
                let d = write::cannot_read(&render::probe::Copied { file, because }, &e);
                render::RenderError { message: format!("{}: {}", d.file, d.message), diagnostic: Some(d) }
            }
            e => render::RenderError::new(staging.error(e).to_string()),
        })?;
        progress.pages_written.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    };
    let rendered = progress.time(Stage::Render, || {
        render::render_into(&shown, &checked.assessment, &checked.theme, checked.templates.as_ref(), &|_| true, &sink)
    });
    match rendered {
        Ok(()) => {}
        // A template that fails on this portfolio is reported like any other error.
        Err(render::RenderError { diagnostic: Some(d), .. }) => return refuse(checked, vec![d]),
        Err(e) => return Err(Fatal::Refused(e.message)),
    }
    // Every file is written once rendering ends: that is the site's size.
    let written = progress.pages_written.load(std::sync::atomic::Ordering::Relaxed);
    progress.pages_total.store(written, std::sync::atomic::Ordering::Relaxed);
    let warnings = progress.time(Stage::Write, || staging.finish()).map_err(Fatal::from)?;
    for w in warnings {
        progress.warn(w);
    }
    Ok((checked, true))
}

/// The as-of date: the command line, else site.yaml, else `SOURCE_DATE_EPOCH`, else the clock.
/// The last two are read in UTC, whatever `TZ` says: a pipeline and a laptop
/// in different time zones judge the same evidence on the same day.
pub(crate) fn resolve_as_of(cli: Option<Date>, site: Option<Date>, epoch: Option<&str>) -> Result<Date, Fatal> {
    if let Some(d) = cli.or(site) {
        return Ok(d);
    }
    let secs = match epoch {
        Some(s) => epoch_seconds(s)?,
        None => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            if now > LAST_SECOND {
                return Err(Fatal::Refused(
                    "the system clock is past 9999-12-31; set it right, or pass --as-of YYYY-MM-DD".into(),
                ));
            }
            now
        }
    };
    Ok(Date::from_days_since_epoch((secs / 86_400) as i64))
}

/// 9999-12-31 23:59:59 UTC in seconds since 1970: dates have four-digit years.
const LAST_SECOND: u64 = 253_402_300_799;

/// `SOURCE_DATE_EPOCH` as the reproducible-builds convention defines it:
/// whole, non-negative seconds since 1970-01-01 00:00 UTC. Anything else,
/// or a time after 9999, is refused rather than turned into a nonsense date.
fn epoch_seconds(s: &str) -> Result<u64, Fatal> {
    let digits = s.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Fatal::Refused(format!(
            "SOURCE_DATE_EPOCH must be a whole, non-negative number of seconds since 1970-01-01 00:00 UTC \
             (such as 1795651200), got `{s}`; unset it, or pass --as-of YYYY-MM-DD"
        )));
    }
    digits.parse::<u64>().ok().filter(|n| *n <= LAST_SECOND).ok_or_else(|| {
        Fatal::Refused(format!(
            "SOURCE_DATE_EPOCH `{s}` is after 9999-12-31 23:59:59 UTC ({LAST_SECOND}), the last time cutover can \
             date; unset it, or pass --as-of YYYY-MM-DD"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_precedence() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(resolve_as_of(Some(d("2026-01-02")), Some(d("2026-03-04")), Some("0")).unwrap(), d("2026-01-02"));
        assert_eq!(resolve_as_of(None, Some(d("2026-03-04")), Some("0")).unwrap(), d("2026-03-04"));
        assert_eq!(resolve_as_of(None, None, Some("1795651200")).unwrap(), d("2026-11-26"));
        assert!(resolve_as_of(None, None, Some("soon")).is_err());
    }

    #[test]
    fn operational_errors_keep_their_cause_and_its_words() {
        use std::error::Error as _;
        // A file that cannot be read: the message ends with the system's words
        // for why, and the cause is the I/O error with its kind.
        let missing = std::env::temp_dir().join("cutover-no-such-file-here/site.yaml");
        let e = Fatal::io("read", missing.display(), std::fs::read(&missing).unwrap_err());
        let cause = e.source().and_then(|s| s.downcast_ref::<std::io::Error>()).expect("an I/O cause");
        assert_eq!(cause.kind(), std::io::ErrorKind::NotFound);
        assert_eq!(e.to_string(), format!("cannot read {}: {cause}", missing.display()));
        // Writing the site under a file: the staging folder's parent cannot be made.
        let dir = std::env::temp_dir().join(format!("cutover-fatal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("file"), "x").unwrap();
        let Err(e) = write::Staging::begin(&dir, &dir.join("file/out/site")) else { panic!("a file is not a folder") };
        let e = Fatal::from(e);
        let _ = std::fs::remove_dir_all(&dir);
        // `Fatal::Write` is transparent: its source is the write error's.
        let cause = e.source().and_then(|s| s.downcast_ref::<std::io::Error>());
        let cause = cause.unwrap_or_else(|| panic!("no I/O cause: {e:?}"));
        assert!(e.to_string().starts_with("cannot create ") && e.to_string().ends_with(&format!(": {cause}")), "{e}");
    }
}
