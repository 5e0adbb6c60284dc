//! Problems found in a portfolio, and the ways they are printed: rustc-style
//! for people, JSON for pipelines, GitHub Actions workflow commands and SARIF
//! (GitLab's and Azure's forms are in `crate::core::diagnostics::annotations`).

pub(crate) mod annotations;
mod codes;

use crate::core::text::{Quoted, printable};
pub use codes::{Code, Entry, TABLE};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::ops::Bound;

/// How bad a problem is. Errors stop `build`; warnings only do under `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The portfolio cannot be built as it is.
    Error,
    /// Worth fixing, but the site can still be built.
    Warning,
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One problem, located in a file as it is on disk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    /// Error or warning; `--strict` makes every warning an error.
    pub severity: Severity,
    /// Which problem it is; `cutover explain CODE` says more.
    pub code: Code,
    /// Relative to the site root, `/`-separated.
    pub file: String,
    /// 1-based line of the problem in the file.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// What is wrong, in a sentence without a final full stop.
    pub message: String,
    /// How to fix it; the code's default help when none is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at the code's default severity; line and column are at least 1.
    pub fn new(code: Code, file: impl Into<String>, line: u32, column: u32, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: code.default_severity(),
            code,
            file: file.into(),
            line: line.max(1),
            column: column.max(1),
            message: message.into(),
            help: None,
        }
    }

    /// The same diagnostic with its own advice.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// The diagnostics of one run, sorted by file and position so output is stable.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Sorted by file, line, column and code, without duplicates.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Sorts and deduplicates, gives each diagnostic without help its code's
    /// default help; under `strict` every warning becomes an error.
    pub fn from_vec(mut diagnostics: Vec<Diagnostic>, strict: bool) -> Self {
        for d in &mut diagnostics {
            if strict {
                d.severity = Severity::Error;
            }
            if d.help.is_none() {
                d.help = Some(d.code.fallback_help().to_string());
            }
        }
        diagnostics.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.code, &a.message).cmp(&(&b.file, b.line, b.column, b.code, &b.message))
        });
        diagnostics.dedup();
        Report { diagnostics }
    }

    /// How many errors there are (after `--strict`).
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// Whether `build` must refuse to write. Evidence changed after sign-off
    /// (E0601) is an error, but the site is still written so that its report
    /// shows the change to the people who trusted the signature.
    pub(crate) fn blocks_build(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error && d.code != Code::E0601)
    }

    /// The report without its warnings, for `--quiet`.
    pub fn errors_only(&self) -> Report {
        Report { diagnostics: self.diagnostics.iter().filter(|d| d.severity == Severity::Error).cloned().collect() }
    }

    /// How many warnings there are.
    pub fn warnings(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count()
    }

    /// The `check --format json` document.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Doc<'a> {
            diagnostics: &'a [Diagnostic],
            errors: usize,
            warnings: usize,
        }
        let doc = Doc { diagnostics: &self.diagnostics, errors: self.errors(), warnings: self.warnings() };
        let mut s = serde_json::to_string_pretty(&doc).expect("diagnostics serialise");
        s.push('\n');
        s
    }

    /// GitHub Actions workflow commands, one per line, with site-relative paths.
    pub fn to_github(&self) -> String {
        self.to_github_at("")
    }

    /// GitHub Actions workflow commands, one per line. `base` goes before each
    /// file name (see [`crate::load::root::repository_prefix`]): GitHub puts an
    /// annotation on a file only when its path is relative to the repository.
    pub fn to_github_at(&self, base: &str) -> String {
        let mut out = String::new();
        for d in &self.diagnostics {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let text = format!("{}: {}", d.code.as_str(), crate::core::diagnostics::annotations::text(d));
            let _ = writeln!(
                out,
                "::{level} file={},line={},col={},title={}::{}",
                gh_property(&format!("{base}{}", d.file)),
                d.line,
                d.column,
                d.code.as_str(),
                gh_data(&text)
            );
        }
        out
    }

    /// A SARIF 2.1.0 log, the format code-scanning services read (GitHub's
    /// among them). `base` is put before each file name, so that locations are
    /// relative to the repository when the site root is a folder inside it
    /// (empty when the site root is the repository root).
    pub fn to_sarif(&self, base: &str) -> String {
        let mut codes: Vec<Code> = self.diagnostics.iter().map(|d| d.code).collect();
        codes.sort();
        codes.dedup();
        let rules: Vec<serde_json::Value> = codes
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.as_str(),
                    "shortDescription": {"text": c.title()},
                    "defaultConfiguration": {"level": level(c.default_severity())},
                })
            })
            .collect();
        let results: Vec<serde_json::Value> = self
            .diagnostics
            .iter()
            .map(|d| {
                let mut text = d.message.clone();
                if let Some(h) = &d.help {
                    text.push_str("\nhelp: ");
                    text.push_str(h);
                }
                serde_json::json!({
                    "ruleId": d.code.as_str(),
                    "ruleIndex": codes.binary_search(&d.code).unwrap_or_default(),
                    "level": level(d.severity),
                    "message": {"text": text},
                    "locations": [{"physicalLocation": {
                        "artifactLocation": {"uri": crate::core::url::encode_path(&format!("{base}{}", d.file))},
                        "region": {"startLine": d.line, "startColumn": d.column},
                    }}],
                })
            })
            .collect();
        let log = serde_json::json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "cutover",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }],
        });
        let mut s = serde_json::to_string_pretty(&log).expect("SARIF serialises");
        s.push('\n');
        s
    }

    /// rustc-style text. `source` returns the text of a file, for the quoted
    /// line; it is asked once per run of diagnostics in the same file (they
    /// are sorted by file), since it may read the file again from disk.
    pub fn to_human(&self, source: &dyn Fn(&str) -> Option<String>, color: bool) -> String {
        let mut out = String::new();
        let mut current: Option<(&str, Option<Quoted>)> = None;
        for d in &self.diagnostics {
            if current.as_ref().is_none_or(|(file, _)| *file != d.file) {
                current = Some((&d.file, source(&d.file).map(Quoted::new)));
            }
            let quoted = current.as_mut().and_then(|(_, q)| q.as_mut());
            render_human(&mut out, d, quoted, color);
        }
        let (e, w) = (self.errors(), self.warnings());
        if e + w > 0 {
            let _ = writeln!(out, "{}", summary(e, w));
        }
        out
    }
}

fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| {
        if n == 1 { format!("{n} {w}") } else { format!("{n} {w}s") }
    };
    match (errors, warnings) {
        (0, w) => format!("{} emitted", plural(w, "warning")),
        (e, 0) => format!("{} emitted", plural(e, "error")),
        (e, w) => format!("{} and {} emitted", plural(e, "error"), plural(w, "warning")),
    }
}

/// One diagnostic in rustc's layout, drawn by annotate-snippets, which puts
/// the caret under the character the column names by display width (a wide
/// character such as `日` takes two columns). The quoted text is
/// [`Quoted`]'s excerpt: the line with tabs and control characters made
/// visible, or on a long line a window around the column, in which case the
/// place after `-->` is given as the diagnostic's own line and column.
fn render_human(out: &mut String, d: &Diagnostic, source: Option<&mut Quoted>, color: bool) {
    use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let message = printable(&d.message);
    let file = printable(&d.file);
    let help = d.help.as_deref().map(printable);
    let column0 = (d.column as usize).saturating_sub(1);
    let excerpt = source.and_then(|q| q.excerpt(d.line, column0));
    let mut group = Group::with_title(level.primary_title(message.as_ref()).id(d.code.as_str()));
    let mut windowed = false;
    match &excerpt {
        Some((shown, caret_at)) => {
            let at = shown.char_indices().nth(*caret_at).map_or(shown.len(), |(i, _)| i);
            let end = shown[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            let mut snippet = Snippet::source(shown.as_str())
                .line_start(d.line as usize)
                .annotation(AnnotationKind::Primary.span(at..end));
            // The whole line: annotate-snippets names the place itself, and its
            // column is the diagnostic's. A window: the place is given here.
            if *caret_at == column0 {
                snippet = snippet.path(file.as_ref());
            } else {
                windowed = true;
                group = group.element(Origin::path(file.as_ref()).line(d.line as usize).char_column(d.column as usize));
            }
            group = group.element(snippet);
        }
        None => {
            group = group.element(Origin::path(file.as_ref()).line(d.line as usize).char_column(d.column as usize));
        }
    }
    if let Some(h) = &help {
        group = group.element(Level::HELP.message(h.as_ref()));
    }
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let text = renderer.render(&[group]);
    if windowed {
        // A snippet without a path of its own is drawn as another file's
        // (`:::` and nothing); it is the same file.
        for line in text.lines().filter(|l| l.trim() != ":::") {
            out.push_str(line);
            out.push('\n');
        }
    } else {
        out.push_str(&text);
        out.push('\n');
    }
    out.push('\n');
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Escapes the message part of a workflow command.
pub(crate) fn gh_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
pub(crate) fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The closest candidate within a small edit distance, for "did you mean":
/// at most a third of the word's length (at least 2) away, the first in
/// sorted order among the closest. The search is bounded (`SUGGEST_CELLS`).
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut sorted: Vec<&str> = candidates.into_iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let seek = |from: Bound<&str>| {
        let at = match from {
            Bound::Included(s) => sorted.partition_point(|c| *c < s),
            Bound::Excluded(s) => sorted.partition_point(|c| *c <= s),
            Bound::Unbounded => 0,
        };
        sorted[at..].iter().copied()
    };
    closest(word, seek).map(|c| format!("did you mean `{c}`?"))
}

/// [`did_you_mean`] among a set that is sorted already, without a pass over
/// all of it: every `depends_on` entry that names no workload is looked up
/// among all the workload ids.
pub fn did_you_mean_among(word: &str, candidates: &BTreeSet<String>) -> Option<String> {
    let seek = |from: Bound<&str>| candidates.range::<str, _>((from, Bound::Unbounded)).map(String::as_str);
    closest(word, seek).map(|c| format!("did you mean `{c}`?"))
}

/// How much one search may do, in cells of the edit-distance table (steps
/// and jumps among the candidates count as what they cost in time): a few
/// dozen microseconds. A small portfolio never needs that much, so there
/// every candidate within reach is weighed, as is nearly always the case for
/// a typo of one or two edits among a thousand varied ids. Among thousands
/// of ids that look alike (`app-00001` to `app-09999`), a name three or more
/// edits from all of them uses it up, and the search ends without a
/// suggestion instead of weighing every id (10,000 such names took minutes).
const SUGGEST_CELLS: usize = 24 * 1024;

/// What a step to the next candidate costs, in cells (a cell takes two or
/// three nanoseconds; a step, measured, about as long as four).
const STEP_CELLS: usize = 4;

/// How many candidates `pass_over` steps over before it jumps instead.
const PASS_STEPS: usize = 16;

/// What a jump to a bound in the candidates costs, in cells (it compares
/// the bound with a dozen or so candidates: about half a microsecond).
const SEEK_CELLS: usize = 256;

/// The closest candidate to `word`, the first in sorted order among the
/// closest: looked for at distance 0, then 1, and so on up to the limit, so
/// that the first one found is the answer and near misses stay cheap.
/// `seek` gives the candidates from a bound on, in order.
fn closest<'a, I: Iterator<Item = &'a str>>(word: &str, seek: impl Fn(Bound<&str>) -> I) -> Option<&'a str> {
    // At distance 0 only the word itself can be there: one jump tells.
    if let Some(same) = seek(Bound::Included(word)).next().filter(|c| *c == word) {
        return Some(same);
    }
    let word: Vec<char> = word.chars().collect();
    let mut budget = SUGGEST_CELLS;
    for reach in 1..=(word.len() / 3).max(2) {
        match first_within(&word, reach, &seek, &mut budget) {
            Ok(None) => {}
            Ok(found) => return found,
            Err(OutOfCells) => return None,
        }
    }
    None
}

/// The search ran out of [`SUGGEST_CELLS`].
struct OutOfCells;

fn spend(budget: &mut usize, cells: usize) -> Result<(), OutOfCells> {
    *budget = budget.checked_sub(cells).ok_or(OutOfCells)?;
    Ok(())
}

/// The first candidate in sorted order within `reach` edits of `word`,
/// walking the sorted candidates as a trie: candidates that share a prefix
/// share its rows of the table, and a prefix already farther than `reach`
/// from every start of `word` is passed over with everything under it.
fn first_within<'a, I: Iterator<Item = &'a str>>(
    word: &[char],
    reach: usize,
    seek: &impl Fn(Bound<&str>) -> I,
    budget: &mut usize,
) -> Result<Option<&'a str>, OutOfCells> {
    let width = word.len() + 1;
    // Row d holds the distances (capped at reach + 1) from each prefix of
    // `word` to the first d characters of `path`, which end at byte ends[d].
    // Rows are reused from candidate to candidate, so only the cells that
    // the next row reads are written (see `push_row`).
    let mut table: Vec<usize> = (0..width).collect();
    let (mut path, mut ends) = (String::new(), vec![0]);
    let mut candidates = seek(Bound::Unbounded);
    let mut next = candidates.next();
    while let Some(candidate) = next {
        let bytes = common_prefix(path.as_bytes(), candidate.as_bytes());
        spend(budget, STEP_CELLS + bytes / 16)?;
        let mut depth = ends.partition_point(|end| *end <= bytes) - 1;
        path.truncate(ends[depth]);
        ends.truncate(depth + 1);
        let mut far = false;
        for ch in candidate[path.len()..].chars() {
            path.push(ch);
            ends.push(path.len());
            depth += 1;
            if table.len() < (depth + 1) * width {
                table.resize((depth + 1) * width, reach + 1);
            }
            // A row's smallest entry never shrinks further down, so nothing
            // under this prefix can come back within reach.
            if push_row(&mut table[(depth - 1) * width..(depth + 1) * width], word, ch, depth, reach, budget)? > reach {
                far = true;
                break;
            }
        }
        next = if far {
            pass_over(&path, &mut candidates, seek, budget)?
        } else if table[depth * width + word.len()] <= reach {
            return Ok(Some(candidate));
        } else {
            candidates.next()
        };
    }
    Ok(None)
}

/// How many leading bytes `a` and `b` share (a plain loop: ids are short,
/// and a call to `memcmp` for each of thousands of them costs more).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// The first candidate that does not start with `prefix`: a few steps when
/// few start with it, else a jump past them all.
fn pass_over<'a, I: Iterator<Item = &'a str>>(
    prefix: &str,
    candidates: &mut I,
    seek: &impl Fn(Bound<&str>) -> I,
    budget: &mut usize,
) -> Result<Option<&'a str>, OutOfCells> {
    for _ in 0..PASS_STEPS {
        spend(budget, STEP_CELLS)?;
        match candidates.next() {
            Some(c) if common_prefix(c.as_bytes(), prefix.as_bytes()) == prefix.len() => {}
            other => return Ok(other),
        }
    }
    spend(budget, SEEK_CELLS)?;
    let Some(bound) = after_prefix(prefix) else {
        return Ok(None);
    };
    *candidates = seek(Bound::Included(&bound));
    Ok(candidates.next())
}

/// Fills row `depth` (the second half of `rows`) from the row above it for
/// one more candidate character, and returns its smallest entry. Only the
/// cells within `reach` of the diagonal can be within reach: those are
/// computed, the two beside them set to reach + 1 for the next row to read,
/// and the rest, never read, left as they were.
fn push_row(
    rows: &mut [usize],
    word: &[char],
    ch: char,
    depth: usize,
    reach: usize,
    budget: &mut usize,
) -> Result<usize, OutOfCells> {
    let (above, row) = rows.split_at_mut(word.len() + 1);
    let (low, high) = (depth.saturating_sub(reach), (depth + reach).min(word.len()));
    spend(budget, (high + 3).saturating_sub(low))?;
    let far = reach + 1;
    for beside in [low.checked_sub(1), Some(high + 1)].into_iter().flatten() {
        if let Some(cell) = row.get_mut(beside) {
            *cell = far;
        }
    }
    let mut smallest = far;
    for j in low..=high {
        let cell = match j.checked_sub(1) {
            None => above[0] + 1,
            Some(i) => (above[i] + usize::from(word[i] != ch)).min(above[j] + 1).min(row[i] + 1),
        };
        row[j] = cell.min(far);
        smallest = smallest.min(row[j]);
    }
    Ok(smallest)
}

/// The least string after every string that starts with `prefix` (`None`
/// when there is none): the prefix with its last character raised by one.
fn after_prefix(prefix: &str) -> Option<String> {
    let mut bound = prefix.to_string();
    while let Some(last) = bound.pop() {
        if let Some(next) = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32) {
            bound.push(next);
            return Some(bound);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_words_only() {
        assert_eq!(
            did_you_mean("validatd_by", ["validated_by", "validated_on"]).as_deref(),
            Some("did you mean `validated_by`?")
        );
        assert_eq!(did_you_mean("colour", ["status", "waiver"]), None);
    }

    #[test]
    fn github_escapes_percent_and_newlines() {
        let d = Diagnostic::new(Code::E0203, "content/a,b.md", 2, 3, "100% bad\nreally").with_help("fix");
        let out = Report::from_vec(vec![d], false).to_github();
        assert_eq!(
            out,
            "::error file=content/a%2Cb.md,line=2,col=3,title=E0203::E0203: 100%25 bad%0Areally%0Ahelp: fix\n"
        );
    }

    #[test]
    fn human_output_quotes_line_and_caret() {
        let d = Diagnostic::new(Code::E0203, "f.md", 2, 3, "unknown field").with_help("did you mean `x`?");
        let out = Report::from_vec(vec![d], false).to_human(&|_| Some("one\n  bad: 1\n".into()), false);
        assert!(
            out.contains(
                "error[E0203]: unknown field\n --> f.md:2:3\n  |\n2 |   bad: 1\n  |   ^\n  |\n  = help: did you mean `x`?"
            ),
            "{out}"
        );
        assert!(out.ends_with("1 error emitted\n"));
    }

    #[test]
    fn the_caret_counts_display_width() {
        // Each of the six wide characters takes two columns: `bad` starts at
        // character 8 and at display column 14.
        let d = Diagnostic::new(Code::E0203, "f.md", 1, 8, "unknown field");
        let out = Report::from_vec(vec![d], false).to_human(&|_| Some("日本語の説明 bad\n".into()), false);
        let lines: Vec<&str> = out.lines().collect();
        let quoted = lines.iter().position(|l| l.contains("日本語の説明 bad")).expect(&out);
        let caret = lines[quoted + 1].find('^').expect(&out);
        let bad_at = lines[quoted].find("bad").expect(&out);
        let width =
            |line: &str, byte: usize| line[..byte].chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>();
        assert_eq!(width(lines[quoted + 1], caret), width(lines[quoted], bad_at), "{out}");
        assert!(out.contains("--> f.md:1:8"), "{out}");
    }

    #[test]
    fn a_long_line_is_shown_around_its_column_and_named_exactly() {
        let line = format!("{}bad{}", "x".repeat(5000), "y".repeat(5000));
        let d = Diagnostic::new(Code::E0203, "f.md", 1, 5001, "unknown field");
        let out = Report::from_vec(vec![d], false).to_human(&|_| Some(line.clone()), false);
        assert!(out.contains("--> f.md:1:5001"), "{out}");
        assert!(!out.contains(":::"), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        let quoted = lines.iter().position(|l| l.contains("bad")).expect(&out);
        assert!(lines[quoted].chars().count() < 120, "{out}");
        let caret = lines[quoted + 1].find('^').expect(&out);
        assert_eq!(
            lines[quoted].char_indices().position(|(i, _)| i == lines[quoted].find("bad").unwrap()),
            lines[quoted + 1][..caret].chars().count().into(),
            "{out}"
        );
    }

    #[test]
    fn strict_turns_warnings_into_errors() {
        let r = Report::from_vec(vec![Diagnostic::new(Code::W0001, "f", 1, 1, "m")], true);
        assert_eq!((r.errors(), r.warnings()), (1, 0));
    }
}
