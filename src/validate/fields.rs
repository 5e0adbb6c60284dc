//! Reading typed values out of YAML nodes while collecting diagnostics, so
//! that one pass over a file reports every problem in it.

use super::keys;
use crate::core::date::Date;
use crate::core::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::core::model::is_valid_id;
use crate::load::yaml::{Key, Node, Pos, Value};

/// Where diagnostics for one file go. `line_offset` shifts YAML positions to
/// positions in the file on disk (front matter starts below its `---`).
pub struct Sink<'a> {
    pub file: &'a str,
    pub line_offset: u32,
    pub diags: &'a mut Vec<Diagnostic>,
    /// Set when an error is reported, so callers know the file is broken.
    pub errors: usize,
}

impl<'a> Sink<'a> {
    pub fn new(file: &'a str, line_offset: u32, diags: &'a mut Vec<Diagnostic>) -> Self {
        Sink { file, line_offset, diags, errors: 0 }
    }

    pub fn report(&mut self, code: Code, pos: Pos, message: impl Into<String>, help: Option<String>) {
        let mut d = Diagnostic::new(code, self.file, pos.line + self.line_offset, pos.column, message);
        d.help = help;
        if d.severity == crate::core::diagnostics::Severity::Error {
            self.errors += 1;
        }
        self.diags.push(d);
    }
}

/// A YAML mapping being read field by field.
pub struct Fields<'n> {
    pub entries: &'n [(Key, Node)],
    pub pos: Pos,
}

impl<'n> Fields<'n> {
    /// Reads `node` as a mapping, or reports that it is not one. A document
    /// that is only comments counts as an empty mapping.
    pub fn of(sink: &mut Sink, node: &'n Node, what: &str) -> Option<Fields<'n>> {
        match &node.value {
            Value::Map(entries) => Some(Fields { entries, pos: node.pos }),
            Value::Null => Some(Fields { entries: &[], pos: node.pos }),
            other => {
                sink.report(
                    Code::E0204,
                    node.pos,
                    format!("{what} must be a mapping of keys to values, found {}", other.kind()),
                    None,
                );
                None
            }
        }
    }

    /// Reports every key that is not in `known` and does not start with `x-`.
    pub fn reject_unknown(&self, sink: &mut Sink, known: &[&str], what: &str) {
        for (key, _) in self.entries {
            if key.name.starts_with("x-") || known.contains(&key.name.as_str()) {
                continue;
            }
            let help = did_you_mean(&key.name, known.iter().copied())
                .or_else(|| Some(format!("{what} accepts: {}; keys starting with `x-` are ignored", known.join(", "))));
            sink.report(Code::E0203, key.pos, format!("unknown field `{}` in {what}", key.name), help);
        }
    }

    /// Checks the keys against a table from [`keys`]: unknown ones (E0203)
    /// and required ones that are absent or null (E0202). Validators then read
    /// values with [`Fields::get`], so the table alone decides what is allowed.
    pub fn check_keys(&self, sink: &mut Sink, table: &[keys::Key], what: &str) {
        let known: Vec<&str> = table.iter().map(|k| k.name).collect();
        self.reject_unknown(sink, &known, what);
        self.require_keys(sink, table, what);
    }

    /// The required-key half of [`Fields::check_keys`], for mappings whose
    /// allowed keys are not all in a table (evidence: common fields plus the item's).
    pub fn require_keys(&self, sink: &mut Sink, table: &[keys::Key], what: &str) {
        for k in table.iter().filter(|k| k.required) {
            self.require(sink, k.name, what);
        }
    }

    pub fn get(&self, name: &str) -> Option<&'n Node> {
        self.entries.iter().find(|(k, _)| k.name == name).map(|(_, v)| v).filter(|v| v.value != Value::Null)
    }

    pub fn key(&self, name: &str) -> Option<&'n Key> {
        self.entries.iter().find(|(k, _)| k.name == name).map(|(k, _)| k)
    }

    /// Like [`Fields::get`], reporting E0202 when the field is absent or empty.
    pub fn require(&self, sink: &mut Sink, name: &str, what: &str) -> Option<&'n Node> {
        let found = self.get(name);
        if found.is_none() {
            let pos = self.key(name).map_or(self.pos, |k| k.pos);
            sink.report(
                Code::E0202,
                pos,
                format!("{what} needs the field `{name}`"),
                Some(format!("add `{name}: ...`")),
            );
        }
        found
    }
}

/// A scalar as text. Numbers and booleans are accepted as the text they were written as.
pub fn text(sink: &mut Sink, node: &Node, field: &str) -> Option<String> {
    match node.value.scalar_text() {
        Some(s) if !s.trim().is_empty() => Some(s),
        Some(_) => {
            sink.report(Code::E0202, node.pos, format!("`{field}` is empty"), None);
            None
        }
        None => {
            sink.report(Code::E0204, node.pos, format!("`{field}` must be text, found {}", node.value.kind()), None);
            None
        }
    }
}

pub fn date(sink: &mut Sink, node: &Node, field: &str) -> Option<Date> {
    let raw = match &node.value {
        Value::Str(s) => s.clone(),
        other => {
            sink.report(
                Code::E0206,
                node.pos,
                format!("`{field}` must be a date, found {}", other.kind()),
                Some("write dates as YYYY-MM-DD, e.g. 2026-11-26".into()),
            );
            return None;
        }
    };
    let parsed = Date::parse(raw.trim());
    if parsed.is_none() {
        let why = Date::why_invalid(raw.trim()).unwrap_or_default();
        sink.report(
            Code::E0206,
            node.pos,
            format!("`{field}` is not a valid date: `{raw}`: {why}"),
            Some("write dates as YYYY-MM-DD, e.g. 2026-11-26".into()),
        );
    }
    parsed
}

pub fn boolean(sink: &mut Sink, node: &Node, field: &str) -> Option<bool> {
    match node.value {
        Value::Bool(b) => Some(b),
        ref other => {
            sink.report(
                Code::E0204,
                node.pos,
                format!("`{field}` must be true or false, found {}", other.kind()),
                None,
            );
            None
        }
    }
}

pub fn number(sink: &mut Sink, node: &Node, field: &str) -> Option<f64> {
    match node.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) if f.is_finite() => Some(f),
        ref other => {
            sink.report(Code::E0204, node.pos, format!("`{field}` must be a number, found {}", other.kind()), None);
            None
        }
    }
}

/// A whole number (of days, or a version): non-negative and fits in u32.
pub fn count(sink: &mut Sink, node: &Node, field: &str) -> Option<u32> {
    match node.value {
        Value::Int(i) if (0..=i64::from(u32::MAX)).contains(&i) => Some(i as u32),
        Value::Int(i) => {
            let help = format!("write a number from 0 to {}", u32::MAX);
            sink.report(Code::E0205, node.pos, format!("`{field}` cannot be {i}"), Some(help));
            None
        }
        ref other => {
            let message = format!("`{field}` must be a whole number, found {}", other.kind());
            sink.report(Code::E0204, node.pos, message, Some("write it as digits, such as 30".into()));
            None
        }
    }
}

pub fn id(sink: &mut Sink, node: &Node, field: &str) -> Option<String> {
    let s = text(sink, node, field)?;
    if is_valid_id(&s) {
        Some(s)
    } else {
        sink.report(
            Code::E0207,
            node.pos,
            format!("`{s}` is not a valid id for `{field}`"),
            Some("ids use lower-case letters, digits and `-`, start with a letter or digit, and are at most 63 characters".into()),
        );
        None
    }
}

/// One of a fixed set of words, with "did you mean" on a near miss.
pub fn one_of(sink: &mut Sink, node: &Node, field: &str, allowed: &[&str]) -> Option<String> {
    let s = text(sink, node, field)?;
    if allowed.contains(&s.as_str()) {
        return Some(s);
    }
    let help =
        did_you_mean(&s, allowed.iter().copied()).unwrap_or_else(|| format!("use one of: {}", allowed.join(", ")));
    sink.report(Code::E0205, node.pos, format!("`{s}` is not a valid value for `{field}`"), Some(help));
    None
}

pub fn list<'n>(sink: &mut Sink, node: &'n Node, field: &str) -> Option<&'n [Node]> {
    match &node.value {
        Value::Seq(items) => Some(items),
        other => {
            sink.report(
                Code::E0204,
                node.pos,
                format!("`{field}` must be a list, found {}", other.kind()),
                Some(format!("write `{field}: [a, b]` or one `- entry` per line")),
            );
            None
        }
    }
}
