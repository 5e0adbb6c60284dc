//! `cutover import FILE.csv`: a spreadsheet of applications into workloads,
//! one per row.
//!
//! The steps, each its own module: `table` reads the CSV with every
//! cell's position; `columns` says which column holds which field;
//! `rows` turns each row into a workload id and field values, with a
//! diagnostic at the cell for anything wrong; `apply` works out what
//! changes in each workload (editing workload.yaml by the parser's spans,
//! in `edit`), validates the portfolio as it would be, and writes.
//!
//! All or nothing: any problem in any row, or any error the result would
//! have that the portfolio does not have now, and nothing is written.

pub(crate) mod apply;
pub(crate) mod columns;
pub(crate) mod edit;
pub(crate) mod ids;
pub(crate) mod rows;
pub(crate) mod table;

pub use apply::{Effect, FieldChange, Planned};
pub use columns::{ColumnMap, Field, ValueMap};

use crate::Fatal;
use crate::core::diagnostics::Report;
use crate::core::text::printable;
use crate::load::yaml::Value;
use std::path::Path;

/// What the command line asks of an import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--map` arguments, in order.
    pub maps: Vec<ColumnMap>,
    /// `--value` arguments, in order.
    pub values: Vec<ValueMap>,
    /// Work out and report the changes, write nothing.
    pub dry_run: bool,
}

/// What an import found and did.
#[derive(Debug)]
pub struct Imported {
    /// The CSV file as diagnostics name it (as given on the command line).
    pub file: String,
    /// Its text without byte-order mark, for quoting lines.
    pub text: String,
    /// Problems: any error means nothing was written.
    pub report: Report,
    /// Each row's effect, in file order (empty when there are errors).
    pub planned: Vec<Planned>,
    /// Headers of the columns that fill no field.
    pub unmapped: Vec<String>,
    /// readiness.csv columns left out because import does not read them back.
    pub export_columns: usize,
    /// Whether files were written (false on errors and under `--dry-run`).
    pub written: bool,
}

impl Imported {
    fn refused(file: String, text: String, diags: Vec<crate::core::diagnostics::Diagnostic>) -> Imported {
        Imported {
            file,
            text,
            report: Report::from_vec(diags, false),
            planned: Vec::new(),
            unmapped: Vec::new(),
            export_columns: 0,
            written: false,
        }
    }
}

/// Imports `csv` into the portfolio under `root`. `Err` when the command
/// cannot run (no such file, no site root, a broken site.yaml); bad rows
/// are diagnostics in the result, and then nothing is written.
pub fn import(root: &Path, csv: &Path, opts: &Options) -> Result<Imported, Fatal> {
    let file = csv.display().to_string().replace('\\', "/");
    let bytes = std::fs::read(csv).map_err(|e| Fatal::io("read", printable(&file), e))?;
    if !root.join("content").is_dir() {
        return Err(Fatal::Refused(format!(
            "no `content/` folder in {}: pass the site root (`cutover import FILE ROOT` or --root ROOT), or start a portfolio with `cutover init`",
            root.display()
        )));
    }
    let checklist = crate::actions::scaffold::checklist_of(root)?;
    let site = crate::actions::scaffold::site_of(root)?;
    let table = match table::read(&file, &bytes) {
        Ok(t) => t,
        Err(diags) => {
            // Not UTF-8: quoted with stand-ins for the bytes that are not, so the caret still points.
            let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes)).into_owned();
            return Ok(Imported::refused(file, text, diags));
        }
    };
    let mut diags = Vec::new();
    let headers: Vec<String> = table.headers.iter().map(|c| c.text.clone()).collect();
    let items: Vec<&str> = checklist.items.iter().map(|i| i.id.as_str()).collect();
    let at = |i: usize| (table.headers[i].line, table.headers[i].column);
    let cols = columns::assign(&headers, &opts.maps, &items, &file, &at, &mut diags)?;
    if !diags.is_empty() {
        return Ok(Imported::refused(file, table.text, diags));
    }
    let sources = crate::load::load(root).map_err(Fatal::from)?;
    let existing = existing(&sources);
    let resolver = rows::Resolver {
        file: &file,
        table: &table,
        cols: &cols,
        values: &opts.values,
        existing: &existing,
        site: &site,
    };
    let plans = resolver.resolve(&mut diags);
    if !diags.is_empty() {
        return Ok(Imported::refused(file, table.text, diags));
    }
    let planned = apply::effects(&plans, &sources, &checklist, &site)?;
    let broken = apply::new_errors(&sources, &planned);
    if !broken.is_empty() {
        let at_rows = broken.into_iter().map(|d| at_row(d, &planned, &file)).collect();
        return Ok(Imported::refused(file, table.text, at_rows));
    }
    let written = !opts.dry_run && planned.iter().any(|p| p.effect != Effect::Unchanged);
    if written {
        apply::write(root, &sources, &planned)?;
    }
    Ok(Imported {
        file,
        text: table.text,
        report: Report::default(),
        planned,
        unmapped: cols.unmapped,
        export_columns: cols.export_columns,
        written,
    })
}

/// An error the imported portfolio would have, told at the row of the
/// workload whose file has it (which may not exist yet), in its words.
fn at_row(
    d: crate::core::diagnostics::Diagnostic,
    planned: &[Planned],
    file: &str,
) -> crate::core::diagnostics::Diagnostic {
    let id = d.file.strip_prefix("content/workloads/").and_then(|rest| rest.split('/').next());
    match planned.iter().find(|p| Some(p.id.as_str()) == id) {
        Some(p) => {
            let help = d.help.clone().unwrap_or_else(|| d.code.fallback_help().to_string());
            crate::core::diagnostics::Diagnostic::new(
                d.code,
                file,
                p.line,
                1,
                format!("workload `{}` would not pass `cutover check` ({}:{}): {}", p.id, d.file, d.line, d.message),
            )
            .with_help(help)
        }
        None => d,
    }
}

/// The portfolio's workloads as rows are matched against them: id, name
/// and dependencies as their workload.yaml writes them.
fn existing(sources: &crate::load::Sources) -> Vec<rows::Existing> {
    sources
        .workloads
        .iter()
        .filter(|w| w.workload_yaml.is_some())
        .map(|w| {
            let mut e = rows::Existing { id: w.id.clone(), ..Default::default() };
            let parsed = w.workload_yaml.as_ref().and_then(|f| crate::load::yaml::parse(&f.text).ok());
            if let Some(Value::Map(entries)) = parsed.map(|n| n.value) {
                for (k, v) in entries {
                    match (k.name.as_str(), v.value) {
                        ("name", v) => e.name = v.scalar_text(),
                        ("depends_on", Value::Seq(items)) => {
                            e.depends_on = items.iter().filter_map(|n| n.value.scalar_text()).collect();
                        }
                        _ => {}
                    }
                }
            }
            e
        })
        .collect()
}

/// What an import did, or would do under `--dry-run`, for people: new
/// workloads with their fields, changed fields as old → new, a count of
/// the unchanged, and the columns that were left out (once each).
pub fn describe(imported: &Imported, dry_run: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if !imported.unmapped.is_empty() {
        let shown: Vec<String> = imported.unmapped.iter().map(|h| format!("`{}`", printable(h))).collect();
        let _ = writeln!(
            out,
            "left out {} column{} that {} no workload field: {} (name one with --map \"HEADER=FIELD\")",
            shown.len(),
            if shown.len() == 1 { "" } else { "s" },
            if shown.len() == 1 { "holds" } else { "hold" },
            shown.join(", ")
        );
    }
    if imported.export_columns > 0 {
        let _ = writeln!(
            out,
            "left out {} readiness.csv column{} that cutover computes (decision, reasons, item statuses)",
            imported.export_columns,
            if imported.export_columns == 1 { "" } else { "s" }
        );
    }
    let value = |v: &Option<String>| v.as_deref().map_or_else(|| "(none)".to_string(), |s| printable(s).into_owned());
    let (mut new, mut changed, mut same) = (0, 0, 0);
    for p in &imported.planned {
        match &p.effect {
            Effect::New { fields, .. } => {
                new += 1;
                let _ = writeln!(out, "new workload {} (line {})", p.id, p.line);
                for f in fields {
                    let _ = writeln!(out, "  {}: {}", f.key, value(&f.new));
                }
            }
            Effect::Changed { fields, .. } => {
                changed += 1;
                let _ = writeln!(out, "changed workload {} (line {})", p.id, p.line);
                for f in fields {
                    let _ = writeln!(out, "  {}: {} → {}", f.key, value(&f.old), value(&f.new));
                }
            }
            Effect::Unchanged => same += 1,
        }
    }
    let rows = imported.planned.len();
    let counts =
        format!("{rows} row{}: {new} new, {changed} changed, {same} unchanged", if rows == 1 { "" } else { "s" });
    if dry_run {
        let _ = writeln!(out, "would import {counts}; nothing was written (--dry-run)");
    } else {
        let _ = writeln!(out, "imported {counts}");
    }
    out
}
