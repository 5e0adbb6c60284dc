//! Which column of the CSV file holds which workload field.
//!
//! Headers are compared by a key that ignores case, spacing and `_`/`-`
//! ("Application Name", "application_name" and " APPLICATION  NAME " are
//! one), against the headers people's spreadsheets use, cutover's own
//! `readiness.csv`, and whatever `--map` adds.

use crate::Fatal;
use crate::core::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::core::text::printable;

/// A workload field a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The folder name.
    Id,
    /// `name`.
    Name,
    /// `owner`.
    Owner,
    /// `criticality`.
    Criticality,
    /// `release`.
    Release,
    /// `depends_on`: workload ids or names in one cell.
    DependsOn,
    /// `summary`.
    Summary,
}

impl Field {
    /// Every field, in the order messages list them.
    pub const ALL: [Field; 7] =
        [Field::Id, Field::Name, Field::Owner, Field::Criticality, Field::Release, Field::DependsOn, Field::Summary];

    /// The name `--map` and `--value` use, which is also the workload.yaml key (but for `id`).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Owner => "owner",
            Field::Criticality => "criticality",
            Field::Release => "release",
            Field::DependsOn => "depends_on",
            Field::Summary => "summary",
        }
    }

    /// The field a `--map` or `--value` names, compared as headers are.
    pub fn parse(s: &str) -> Option<Field> {
        let key = header_key(s);
        Field::ALL.into_iter().find(|f| header_key(f.as_str()) == key)
    }

    fn names() -> String {
        Field::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// The headers recognised without `--map`, by field. `workload` is the
/// first column of cutover's own readiness.csv.
const KNOWN: &[(Field, &[&str])] = &[
    (Field::Id, &["id", "workload", "workload id", "app id", "application id"]),
    (Field::Name, &["name", "workload name", "application name", "application", "app name", "app"]),
    (Field::Owner, &["owner", "application owner", "app owner", "workload owner"]),
    (Field::Criticality, &["criticality", "business criticality"]),
    (Field::Release, &["release", "migration wave", "wave"]),
    (Field::DependsOn, &["depends on", "dependencies", "dependency"]),
    (Field::Summary, &["summary", "description"]),
];

/// readiness.csv columns that import does not read back: what cutover
/// computed, not what people wrote. (The other readiness.csv columns are
/// checklist item ids, which the caller knows.)
pub const COMPUTED: &[&str] = &["decision", "reasons"];

/// A header compared as people mean it: case, runs of spaces, `_` and `-` do not count.
pub fn header_key(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `--map HEADER=FIELD`: the column headed HEADER fills FIELD; an empty
/// FIELD (or `-`) leaves the column out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    /// The header as written in the CSV file.
    pub header: String,
    /// The field it fills; none to leave the column out.
    pub field: Option<Field>,
}

impl ColumnMap {
    /// Reads one `--map` argument.
    pub fn parse(arg: &str) -> Result<ColumnMap, Fatal> {
        let Some((header, field)) = arg.rsplit_once('=') else {
            return Err(Fatal::Refused(format!(
                "--map `{}`: write HEADER=FIELD, such as --map \"App Manager=owner\" (fields: {})",
                printable(arg),
                Field::names()
            )));
        };
        if header.trim().is_empty() {
            return Err(Fatal::Refused(format!("--map `{}`: the header before `=` is empty", printable(arg))));
        }
        let field = match field.trim() {
            "" | "-" => None,
            f => Some(Field::parse(f).ok_or_else(|| unknown_field("--map", arg, f))?),
        };
        Ok(ColumnMap { header: header.trim().to_string(), field })
    }
}

/// `--value FIELD:WORD=VALUE`: a cell of FIELD reading WORD (ignoring case
/// and surrounding spaces) is read as VALUE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueMap {
    /// The field whose cells are read.
    pub field: Field,
    /// What a cell says.
    pub word: String,
    /// What it is read as.
    pub value: String,
}

impl ValueMap {
    /// Reads one `--value` argument.
    pub fn parse(arg: &str) -> Result<ValueMap, Fatal> {
        let parts = arg.split_once(':').and_then(|(f, rest)| rest.split_once('=').map(|(w, v)| (f, w, v)));
        let Some((field, word, value)) = parts else {
            return Err(Fatal::Refused(format!(
                "--value `{}`: write FIELD:WORD=VALUE, such as --value criticality:Tier-1=mission-critical",
                printable(arg)
            )));
        };
        let field = Field::parse(field).ok_or_else(|| unknown_field("--value", arg, field))?;
        Ok(ValueMap { field, word: word.trim().to_string(), value: value.trim().to_string() })
    }
}

fn unknown_field(option: &str, arg: &str, field: &str) -> Fatal {
    let hint = did_you_mean(field, Field::ALL.iter().map(|f| f.as_str()))
        .unwrap_or_else(|| format!("the fields are {}", Field::names()));
    Fatal::Refused(format!("{option} `{}`: `{}` is not a workload field; {hint}", printable(arg), printable(field)))
}

/// What each column of the file is for.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// Column index by field.
    pub by_field: Vec<(Field, usize)>,
    /// Headers of columns that fill nothing (not readiness.csv's computed ones), in file order.
    pub unmapped: Vec<String>,
    /// readiness.csv's computed columns and checklist item columns, left out without a word each.
    pub export_columns: usize,
}

impl Columns {
    pub fn get(&self, field: Field) -> Option<usize> {
        self.by_field.iter().find(|(f, _)| *f == field).map(|(_, i)| *i)
    }
}

/// Assigns the header row's columns to fields. `at(i)` is where header `i`
/// is written (line, column); `items` are the checklist item ids, which
/// head readiness.csv's item columns. A `--map` naming no header is a bad
/// argument (`Err`); two columns for one field is the file's problem (a
/// diagnostic).
pub fn assign(
    headers: &[String],
    maps: &[ColumnMap],
    items: &[&str],
    file: &str,
    at: &dyn Fn(usize) -> (u32, u32),
    diags: &mut Vec<Diagnostic>,
) -> Result<Columns, Fatal> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    for m in maps {
        if !keys.contains(&header_key(&m.header)) {
            let shown: Vec<String> = headers.iter().map(|h| format!("`{}`", printable(h))).collect();
            return Err(Fatal::Refused(format!(
                "--map `{}`: {file} has no column headed so; its headers are {}",
                printable(&m.header),
                shown.join(", ")
            )));
        }
    }
    let is_export = keys.iter().any(|k| k == "workload") && keys.iter().any(|k| k == "decision");
    let mut cols = Columns::default();
    for (i, key) in keys.iter().enumerate() {
        let mapped = maps.iter().rev().find(|m| header_key(&m.header) == *key);
        let field = match mapped {
            Some(m) => m.field,
            None => KNOWN.iter().find(|(_, names)| names.contains(&key.as_str())).map(|(f, _)| *f),
        };
        match field {
            Some(f) => match cols.get(f) {
                Some(first) => {
                    let (line, column) = at(i);
                    diags.push(
                        Diagnostic::new(
                            Code::E0803,
                            file,
                            line,
                            column,
                            format!(
                                "columns `{}` and `{}` both hold `{}`",
                                printable(&headers[first]),
                                printable(&headers[i]),
                                f.as_str()
                            ),
                        )
                        .with_help(format!(
                            "say which one to read: --map \"{}=\" leaves this one out",
                            printable(&headers[i])
                        )),
                    );
                }
                None => cols.by_field.push((f, i)),
            },
            None if mapped.is_some() => {}
            None if is_export && (COMPUTED.contains(&key.as_str()) || items.contains(&headers[i].trim())) => {
                cols.export_columns += 1;
            }
            None if key.is_empty() => {}
            None => cols.unmapped.push(headers[i].clone()),
        }
    }
    if cols.get(Field::Id).is_none() && cols.get(Field::Name).is_none() {
        let known: Vec<&str> = KNOWN[..2].iter().flat_map(|(_, n)| n.iter().copied()).collect();
        diags.push(
            Diagnostic::new(Code::E0803, file, at(0).0, 1, "no column holds the workloads' names or ids").with_help(
                format!(
                    "head one column with one of: {}; or name it with --map \"YOUR HEADER=name\"",
                    known.join(", ")
                ),
            ),
        );
    }
    Ok(cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assign_all(headers: &[&str], maps: &[&str]) -> (Columns, Vec<Diagnostic>) {
        let headers: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let maps: Vec<ColumnMap> = maps.iter().map(|m| ColumnMap::parse(m).unwrap()).collect();
        let mut diags = Vec::new();
        let cols =
            assign(&headers, &maps, &["assess", "promote"], "f.csv", &|i| (1, i as u32 + 1), &mut diags).unwrap();
        (cols, diags)
    }

    #[test]
    fn spreadsheet_headers_are_recognised_whatever_their_case_and_spacing() {
        let (c, d) = assign_all(
            &[
                "Application Name",
                "APPLICATION_OWNER",
                "Business  Criticality",
                "Migration wave",
                "Depends on",
                "Notes",
            ],
            &[],
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            c.by_field,
            [(Field::Name, 0), (Field::Owner, 1), (Field::Criticality, 2), (Field::Release, 3), (Field::DependsOn, 4)]
        );
        assert_eq!(c.unmapped, ["Notes"]);
    }

    #[test]
    fn readiness_csv_maps_back_and_its_computed_columns_are_left_out_quietly() {
        let (c, d) = assign_all(
            &["workload", "name", "owner", "release", "criticality", "decision", "reasons", "assess", "promote"],
            &[],
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.get(Field::Id), Some(0));
        assert_eq!(c.get(Field::Criticality), Some(4));
        assert!(c.unmapped.is_empty(), "{:?}", c.unmapped);
        assert_eq!(c.export_columns, 4);
    }

    #[test]
    fn map_adds_and_removes_columns() {
        let (c, d) = assign_all(
            &["System", "App Manager", "Application", "Owner"],
            &["System=name", "Application=", "App Manager=owner", "Owner=-"],
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.by_field, [(Field::Name, 0), (Field::Owner, 1)]);
        assert!(c.unmapped.is_empty());
    }

    #[test]
    fn two_columns_for_one_field_and_no_name_column_are_diagnosed() {
        let (_, d) = assign_all(&["Application", "App name"], &[]);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].code, d[0].column), (Code::E0803, 2));
        let (_, d) = assign_all(&["Owner", "Wave"], &[]);
        assert!(d[0].message.contains("no column"), "{d:?}");
    }

    #[test]
    fn bad_options_are_refused_with_the_fields() {
        assert!(ColumnMap::parse("Owner").is_err());
        assert!(ColumnMap::parse("Owner=ownr").unwrap_err().to_string().contains("did you mean `owner`"));
        assert_eq!(ValueMap::parse("criticality:Tier 1=mission-critical").unwrap().word, "Tier 1");
        assert!(ValueMap::parse("criticality=x").is_err());
        assert_eq!(Field::parse("Depends-On"), Some(Field::DependsOn));
        let headers = ["A".to_string()];
        let err = assign(&headers, &[ColumnMap::parse("B=name").unwrap()], &[], "f.csv", &|_| (1, 1), &mut Vec::new());
        assert!(err.unwrap_err().to_string().contains("no column headed"));
    }
}
