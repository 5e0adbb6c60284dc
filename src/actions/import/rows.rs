//! Each row of the table into what it says about one workload: which
//! workload (its id), and the value of each field the file has a column
//! for. Every problem is a diagnostic at the cell that holds it; nothing
//! here touches the portfolio.

use super::columns::{Columns, Field, ValueMap, header_key};
use super::ids;
use super::table::{Cell, Row, Table};
use crate::core::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::core::model::{Criticality, Site, WorkloadId};
use crate::core::text::printable;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A workload already in the portfolio, as import needs to know it.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    pub id: String,
    pub name: Option<String>,
    pub depends_on: Vec<String>,
}

/// What one row says. A field is `None` when the file has no column for it
/// (or, for name, owner and criticality, when the cell is empty: an
/// existing workload keeps its value); release, depends_on and summary
/// are `Some(empty)` when the cell is empty, which means "none".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowPlan {
    pub line: u32,
    pub id: String,
    /// Whether the portfolio has this workload already.
    pub existing: bool,
    pub name: Option<String>,
    pub owner: Option<String>,
    pub criticality: Option<Criticality>,
    pub release: Option<Option<String>>,
    pub depends_on: Option<Vec<String>>,
    pub summary: Option<Option<String>>,
}

/// Reads every row; the plans are usable only when `diags` stays empty.
pub struct Resolver<'a> {
    pub file: &'a str,
    pub table: &'a Table,
    pub cols: &'a Columns,
    pub values: &'a [ValueMap],
    pub existing: &'a [Existing],
    pub site: &'a Site,
}

impl Resolver<'_> {
    pub fn resolve(&self, diags: &mut Vec<Diagnostic>) -> Vec<RowPlan> {
        let ids = self.identify(diags);
        let known: BTreeSet<&str> =
            self.existing.iter().map(|e| e.id.as_str()).chain(ids.iter().flatten().map(String::as_str)).collect();
        let names = self.names_to_ids(&ids);
        let existing_ids: std::collections::HashSet<&str> = self.existing.iter().map(|e| e.id.as_str()).collect();
        let mut plans = Vec::new();
        for (row, id) in self.table.rows.iter().zip(&ids) {
            let Some(id) = id else { continue };
            let existing = existing_ids.contains(id.as_str());
            let mut plan = RowPlan { line: row.line, id: id.clone(), existing, ..RowPlan::default() };
            plan.name = self.text(row, Field::Name);
            if plan.name.is_none() && !existing {
                let (line, column) = self.at(row, Field::Name);
                diags.push(
                    Diagnostic::new(Code::E0804, self.file, line, column, format!("workload `{id}` has no name"))
                        .with_help("a new workload needs a name: fill in the cell"),
                );
            }
            plan.owner = self.text(row, Field::Owner);
            plan.criticality = self.cell(row, Field::Criticality).and_then(|c| self.criticality(c, diags));
            plan.release = self.cell(row, Field::Release).map(|c| self.release(c, diags));
            plan.depends_on = self.cell(row, Field::DependsOn).map(|c| self.depends_on(c, id, &known, &names, diags));
            plan.summary = self
                .cell(row, Field::Summary)
                .map(|c| Some(self.mapped(Field::Summary, &c.text)).filter(|s| !s.is_empty()));
            plans.push(plan);
        }
        self.cycles(&plans, diags);
        plans
    }

    fn cell<'r>(&self, row: &'r Row, field: Field) -> Option<&'r Cell> {
        self.cols.get(field).map(|i| row.cell(i))
    }

    /// A cell's text after `--value`, `None` when there is no column or the cell is empty.
    fn text(&self, row: &Row, field: Field) -> Option<String> {
        self.cell(row, field).map(|c| self.mapped(field, &c.text)).filter(|s| !s.is_empty())
    }

    fn mapped(&self, field: Field, text: &str) -> String {
        let lower = text.trim().to_lowercase();
        match self.values.iter().rev().find(|v| v.field == field && v.word.to_lowercase() == lower) {
            Some(v) => v.value.clone(),
            None => text.trim().to_string(),
        }
    }

    /// Where a field's cell is, or the row's start when the file has no such column.
    fn at(&self, row: &Row, field: Field) -> (u32, u32) {
        self.cell(row, field).map_or((row.line, 1), |c| (c.line, c.column))
    }

    fn report(&self, code: Code, cell: &Cell, message: String, help: String, diags: &mut Vec<Diagnostic>) {
        diags.push(Diagnostic::new(code, self.file, cell.line, cell.column, message).with_help(help));
    }

    /// Each row's workload id (`None` for a row that names none): the id
    /// column's, folded like a name; else the workload already named so;
    /// else made from the name, with `-2`, `-3`... when an earlier row made
    /// it too. Two rows for one workload are an error at the second.
    fn identify(&self, diags: &mut Vec<Diagnostic>) -> Vec<Option<String>> {
        let by_name = self.existing_by_name();
        let existing: BTreeSet<&str> = self.existing.iter().map(|e| e.id.as_str()).collect();
        let mut ids: Vec<Option<String>> = vec![None; self.table.rows.len()];
        let mut made: Vec<usize> = Vec::new();
        for (i, row) in self.table.rows.iter().enumerate() {
            if let Some(cell) = self.cell(row, Field::Id).filter(|c| !c.text.is_empty()) {
                let text = self.mapped(Field::Id, &cell.text);
                match ids::slug(&text) {
                    Some(id) => ids[i] = Some(id),
                    None => self.report(
                        Code::E0805,
                        cell,
                        format!("`{}` cannot be made into a workload id", printable(&text)),
                        "use letters or digits: ids are lower-case ASCII letters, digits and `-`".into(),
                        diags,
                    ),
                }
            } else if let Some(name) = self.text(row, Field::Name) {
                match by_name.get(&name.to_lowercase()).map(Vec::as_slice) {
                    Some([one]) => ids[i] = Some(one.to_string()),
                    Some(several) => {
                        let cell = self.cell(row, Field::Name).expect("a name came from this column");
                        self.report(
                            Code::E0808,
                            cell,
                            format!("workloads {} are all named `{}`", several.join(", "), printable(&name)),
                            "add an id column (header `id`) to say which one this row is".into(),
                            diags,
                        );
                    }
                    None => made.push(i),
                }
            } else {
                let (line, column) = self.at(row, Field::Name);
                diags.push(
                    Diagnostic::new(Code::E0804, self.file, line, column, "this row has no name")
                        .with_help("fill in the workload's name, or remove the row"),
                );
            }
        }
        let mut taken: BTreeSet<String> = ids.iter().flatten().cloned().collect();
        for i in made {
            let row = &self.table.rows[i];
            let name = self.text(row, Field::Name).unwrap_or_default();
            let Some(base) = ids::slug(&name) else {
                let cell = self.cell(row, Field::Name).expect("a name came from this column");
                self.report(
                    Code::E0805,
                    cell,
                    format!("no workload id can be made from `{}`", printable(&name)),
                    "add an id column (header `id`) with an id for this row".into(),
                    diags,
                );
                continue;
            };
            let id = ids::unique(&base, &|id| taken.contains(id) || (id != base && existing.contains(id)));
            taken.insert(id.clone());
            ids[i] = Some(id);
        }
        self.one_row_each(&ids, diags);
        ids
    }

    /// Existing workloads by lower-cased name.
    fn existing_by_name(&self) -> HashMap<String, Vec<&str>> {
        let mut by_name: HashMap<String, Vec<&str>> = HashMap::new();
        for e in self.existing {
            if let Some(n) = &e.name {
                by_name.entry(n.trim().to_lowercase()).or_default().push(&e.id);
            }
        }
        by_name
    }

    /// Two rows for one workload cannot both be imported: two rows with one
    /// id, or a row without an id that has another row's name (its id would
    /// depend on the order of the rows, and the next import could not tell
    /// the two apart by name).
    fn one_row_each(&self, ids: &[Option<String>], diags: &mut Vec<Diagnostic>) {
        let mut lines_by_name: HashMap<String, Vec<u32>> = HashMap::new();
        for row in &self.table.rows {
            if let Some(n) = self.text(row, Field::Name) {
                lines_by_name.entry(n.to_lowercase()).or_default().push(row.line);
            }
        }
        let mut first: HashMap<&str, u32> = HashMap::new();
        for (row, id) in self.table.rows.iter().zip(ids) {
            let Some(id) = id else { continue };
            let has_id = self.cell(row, Field::Id).is_some_and(|c| !c.text.is_empty());
            let twin = match self.text(row, Field::Name) {
                Some(name) if !has_id => lines_by_name
                    .get(&name.to_lowercase())
                    .and_then(|lines| lines.iter().find(|l| **l != row.line))
                    .map(|l| (*l, name)),
                _ => None,
            };
            let message = if let Some((line, name)) = twin {
                format!("this row and the row on line {line} both name `{}`", printable(&name))
            } else if let Some(line) = first.get(id.as_str()) {
                format!("this row and the row on line {line} are both workload `{id}`")
            } else {
                first.insert(id, row.line);
                continue;
            };
            let field = if has_id { Field::Id } else { Field::Name };
            let (l, c) = self.at(row, field);
            diags.push(Diagnostic::new(Code::E0808, self.file, l, c, message).with_help(
                "keep one row per workload: merge the two, or add an id column (header `id`) to tell them apart",
            ));
        }
    }

    /// Lower-cased names (and made ids) of this file's rows and the
    /// portfolio's workloads, to their ids: what `depends_on` may name.
    fn names_to_ids(&self, ids: &[Option<String>]) -> HashMap<String, String> {
        let mut out: HashMap<String, String> = HashMap::new();
        for e in self.existing {
            if let Some(n) = &e.name {
                out.entry(n.trim().to_lowercase()).or_insert_with(|| e.id.clone());
            }
        }
        for (row, id) in self.table.rows.iter().zip(ids) {
            if let (Some(id), Some(name)) = (id, self.text(row, Field::Name)) {
                out.insert(name.to_lowercase(), id.clone());
            }
        }
        out
    }

    /// `High`, `Medium` and `Low`, or the criticality itself in any case and spacing.
    fn criticality(&self, cell: &Cell, diags: &mut Vec<Diagnostic>) -> Option<Criticality> {
        let text = self.mapped(Field::Criticality, &cell.text);
        if text.is_empty() {
            return None;
        }
        let key = header_key(&text).replace(' ', "-");
        let found = Criticality::parse(&key).or(match key.as_str() {
            "high" => Some(Criticality::MissionCritical),
            "medium" => Some(Criticality::BusinessCritical),
            "low" => Some(Criticality::Standard),
            _ => None,
        });
        if found.is_none() {
            let words: Vec<&str> = Criticality::ALL.iter().map(|c| c.as_str()).collect();
            self.report(
                Code::E0805,
                cell,
                format!("`{}` is not a criticality", printable(&text)),
                format!(
                    "write {}, or High, Medium or Low; or say what it means: --value \"criticality:{}=standard\"",
                    words.join(", "),
                    printable(&text)
                ),
                diags,
            );
        }
        found
    }

    /// A release of site.yaml, by id, by title or by the id its title gives; empty means none.
    fn release(&self, cell: &Cell, diags: &mut Vec<Diagnostic>) -> Option<String> {
        let text = self.mapped(Field::Release, &cell.text);
        if text.is_empty() {
            return None;
        }
        let lower = text.to_lowercase();
        let slug = ids::slug(&text);
        let found = self.site.releases.iter().find(|r| {
            r.id.as_str() == lower || r.title.to_lowercase() == lower || slug.as_deref() == Some(r.id.as_str())
        });
        if let Some(r) = found {
            return Some(r.id.0.clone());
        }
        let known: Vec<&str> = self.site.releases.iter().map(|r| r.id.as_str()).collect();
        let help = match did_you_mean(slug.as_deref().unwrap_or(&lower), known.iter().copied()) {
            Some(d) => d,
            None if known.is_empty() => {
                "content/site.yaml defines no release: add it under `releases:`, or leave the cell empty".into()
            }
            None => format!(
                "the releases are {}; add it under `releases:` in content/site.yaml, or map it: --value \"release:{}=ID\"",
                known.join(", "),
                printable(&text)
            ),
        };
        self.report(
            Code::E0806,
            cell,
            format!("release `{}` is not defined in content/site.yaml", printable(&text)),
            help,
            diags,
        );
        Some(String::new())
    }

    /// Ids or names separated by `;` or `,`, each a workload of the file or the portfolio.
    fn depends_on(
        &self,
        cell: &Cell,
        me: &str,
        known: &BTreeSet<&str>,
        names: &HashMap<String, String>,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let lookup = |word: &str| {
            let word = self.mapped(Field::DependsOn, word);
            let lower = word.to_lowercase();
            known
                .get(lower.as_str())
                .map(|s| s.to_string())
                .or_else(|| names.get(&lower).cloned())
                .or_else(|| ids::slug(&word).filter(|s| known.contains(s.as_str())))
        };
        // A name may hold a separator itself ("Paie, Congés"): at each
        // place, the longest run of pieces that names a workload is taken.
        let pieces = split_keeping_spans(&cell.text);
        let mut i = 0;
        while i < pieces.len() {
            let longest = (i..pieces.len()).rev().find_map(|j| {
                let run = cell.text[pieces[i].start..pieces[j].end].trim();
                lookup(run).map(|id| (j, id))
            });
            let (next, found, word) = match longest {
                Some((j, id)) => (j + 1, Some(id), String::new()),
                None => (i + 1, None, self.mapped(Field::DependsOn, cell.text[pieces[i].clone()].trim())),
            };
            i = next;
            match found {
                Some(id) if id == me => self.report(
                    Code::E0807,
                    cell,
                    format!("workload `{me}` depends on itself"),
                    "remove it from the cell".into(),
                    diags,
                ),
                Some(id) => {
                    if !out.contains(&id) {
                        out.push(id);
                    }
                }
                None => {
                    let help = did_you_mean(&word.to_lowercase(), known.iter().copied()).unwrap_or_else(|| {
                        "name a workload by its id or name: one of this file's rows or of content/workloads/".into()
                    });
                    self.report(Code::E0807, cell, format!("`{}` names no workload", printable(&word)), help, diags);
                }
            }
        }
        out
    }

    /// Cycles the file's `depends_on` cells would close, at the first row on each.
    fn cycles(&self, plans: &[RowPlan], diags: &mut Vec<Diagnostic>) {
        let Some(col) = self.cols.get(Field::DependsOn) else { return };
        let mut graph: BTreeMap<WorkloadId, Vec<WorkloadId>> = BTreeMap::new();
        for e in self.existing {
            graph.insert(WorkloadId(e.id.clone()), e.depends_on.iter().map(|d| WorkloadId(d.clone())).collect());
        }
        let mut rows: HashMap<&str, &RowPlan> = HashMap::new();
        for p in plans {
            let deps = p.depends_on.clone().unwrap_or_default();
            graph.insert(WorkloadId(p.id.clone()), deps.into_iter().map(WorkloadId).collect());
            rows.insert(&p.id, p);
        }
        for cycle in crate::validate::graph::cycles(graph) {
            let first = cycle.iter().filter_map(|id| rows.get(id.as_str())).min_by_key(|p| p.line);
            let Some(plan) = first else { continue };
            let row = self.table.rows.iter().find(|r| r.line == plan.line).expect("each plan comes from a row");
            let mut path: Vec<&str> = cycle.iter().map(WorkloadId::as_str).collect();
            path.push(cycle[0].as_str());
            self.report(
                Code::E0807,
                row.cell(col),
                format!("dependency cycle: {}", path.join(" -> ")),
                "remove one dependency of the cycle: workloads that move together belong in one release".into(),
                diags,
            );
        }
    }
}

/// The pieces of a `depends_on` cell between `;` and `,`, as byte ranges, empty ones left out.
fn split_keeping_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ';'))) {
        if c == ';' || c == ',' {
            if !text[start..i].trim().is_empty() {
                out.push(start..i);
            }
            start = i + c.len_utf8();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_cells_split_on_both_separators() {
        let text = "a; b , ,Paie, Congés";
        let pieces: Vec<&str> = split_keeping_spans(text).into_iter().map(|r| text[r].trim()).collect();
        assert_eq!(pieces, ["a", "b", "Paie", "Congés"]);
    }
}
