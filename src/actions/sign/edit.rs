//! Changes top-level keys of a file's front matter where the YAML parser
//! says they are. Searching the text for `status:` would find it inside a
//! multi-line quoted value, and miss `status :` or `"status":`; the parser's
//! byte spans do neither. Whatever is written is parsed again, and must read
//! back as the same document with only the sign-off keys changed.

use crate::Fatal;
use crate::core::text::printable;
use crate::load::yaml::{self, EntrySpan, Value};
use std::ops::Range;

/// A value to write, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    /// Any text: written plain when YAML reads it back as that same text,
    /// in double quotes otherwise.
    Text(String),
    /// Text the caller knows to be a plain scalar that reads back as itself
    /// (a status, a date, a digest). It is still checked after writing.
    Plain(String),
}

impl Scalar {
    fn text(&self) -> &str {
        match self {
            Scalar::Text(s) | Scalar::Plain(s) => s,
        }
    }

    fn yaml(&self) -> String {
        match self {
            Scalar::Text(s) => yaml_scalar(s),
            Scalar::Plain(s) => s.clone(),
        }
    }
}

/// Sets top-level keys in the front matter of `text` (without BOM; `rel`
/// names it in messages), changing nothing else: an existing one-line key
/// keeps its place, its spelling (`status :`, `"status":`) and its comment; a
/// missing key is added at the end of the front matter, with the file's line
/// ending. Refuses flow-style front matter and values written over several lines.
pub fn set_fields(rel: &str, text: &str, fields: &[(&str, Scalar)]) -> Result<String, Fatal> {
    let refuse = |why: String| Fatal::Refused(format!("cannot sign {}: {why}", printable(rel)));
    let split = crate::load::frontmatter::split(text).map_err(|e| {
        Fatal::Refused(format!("cannot sign {}:{}:1: {}; {}", printable(rel), e.line, e.message, e.help))
    })?;
    let start = split.yaml.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + split.yaml.len();
    let yaml_text = split.yaml;
    let at = |bytes: usize| position(yaml_text, bytes, split.yaml_line_offset, rel);
    let entries = top_level(yaml_text, split.yaml_line_offset, rel)?;
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut missing = Vec::new();
    for (key, value) in fields {
        match entries.iter().find(|e| e.key.name == *key) {
            Some(e) => {
                let range = value_range(yaml_text, e)
                    .map_err(|why| Fatal::Refused(format!("cannot sign {}: `{key}`: {why}", at(e.key_bytes.start))))?;
                edits.push((range, format!(" {}", value.yaml())));
            }
            None => missing.push((*key, value.yaml())),
        }
    }
    let mut yaml_new = yaml_text.to_string();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for (range, with) in edits {
        yaml_new.replace_range(range, &with);
    }
    let eol = if text[..start].ends_with("\r\n") { "\r\n" } else { "\n" };
    let indent = entries.first().map_or(0, |e| e.key_bytes.start - line_start(yaml_text, e.key_bytes.start));
    for (key, value) in missing {
        if !yaml_new.is_empty() && !yaml_new.ends_with('\n') {
            yaml_new.push_str(eol);
        }
        yaml_new.push_str(&format!("{:indent$}{key}: {value}{eol}", ""));
    }
    reads_back(&entries, &yaml_new, fields).map_err(|why| {
        refuse(format!(
            "writing the sign-off would also change {why}; nothing was written: write the four sign-off keys by hand, one per line, or report this"
        ))
    })?;
    Ok(format!("{}{yaml_new}{}", &text[..start], &text[end..]))
}

/// The front matter's top-level entries, refusing what sign cannot edit by
/// line: YAML that does not parse, a document that is not a mapping, and a
/// flow mapping (`{status: x, ...}`), which would have to be rewritten whole.
fn top_level(yaml_text: &str, line_offset: u32, rel: &str) -> Result<Vec<EntrySpan>, Fatal> {
    let refuse = |why: String| Fatal::Refused(format!("cannot sign {}: {why}", printable(rel)));
    match yaml::top_level_entries(yaml_text) {
        Ok(Some(top)) if top.flow => Err(Fatal::Refused(format!(
            "cannot sign {}: its front matter is one flow mapping (`{{status: ..., ...}}`), and sign changes block-style front matter only; write one `key: value` per line and sign again",
            top.entries.first().map_or_else(
                || printable(rel).into_owned(),
                |e| position(yaml_text, e.key_bytes.start, line_offset, rel)
            )
        ))),
        Ok(Some(top)) => Ok(top.entries),
        // Nothing but comments: every key is added.
        Ok(None) if yaml_text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) => Ok(Vec::new()),
        Ok(None) => Err(refuse(
            "its front matter is not a mapping of `key: value` lines; fix it first (`cutover check` shows why)".into(),
        )),
        Err(e) => Err(Fatal::Refused(format!(
            "cannot sign {}:{}:{}: its front matter is not valid YAML: {}; fix it first (`cutover check` shows it with a hint)",
            printable(rel),
            e.pos.line + line_offset,
            e.pos.column,
            printable(&e.message)
        ))),
    }
}

/// The bytes to replace with ` <new value>`: from just after the key's `:`
/// to the end of its value, all on the key's line. An anchor or a tag goes
/// with the old value; a trailing comment stays.
fn value_range(yaml_text: &str, e: &EntrySpan) -> Result<Range<usize>, String> {
    if matches!(e.value.value, Value::Seq(_) | Value::Map(_)) {
        return Err(format!(
            "it holds {}, where sign writes one value; write `{}: <value>` on one line and sign again",
            e.value.value.kind(),
            e.key.name
        ));
    }
    let after_key = &yaml_text[e.key_bytes.end..];
    let gap = after_key.len() - after_key.trim_start_matches([' ', '\t']).len();
    let colon = e.key_bytes.end + gap;
    if !yaml_text[colon..].starts_with(':') {
        return Err(format!(
            "its value is not on the key's line; write `{}: <value>` on one line and sign again",
            e.key.name
        ));
    }
    let range = colon + 1..e.value_bytes.end.max(colon + 1);
    let rest_of_line = yaml_text[range.end..].split('\n').next().unwrap_or("").trim_end_matches('\r');
    let rest = rest_of_line.trim_start_matches([' ', '\t']);
    let comment_only = rest.is_empty() || (rest.starts_with('#') && rest.len() < rest_of_line.len());
    if yaml_text[range.clone()].contains('\n') || !comment_only {
        return Err(format!(
            "its value spans several lines; write `{}: <value>` on one line and sign again",
            e.key.name
        ));
    }
    Ok(range)
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// `line L, column C` of a byte of the front matter, as the file numbers them.
fn position(yaml_text: &str, at: usize, line_offset: u32, rel: &str) -> String {
    let line = yaml_text[..at].matches('\n').count() as u64 + 1 + u64::from(line_offset);
    let column = yaml_text[line_start(yaml_text, at)..at].chars().count() + 1;
    format!("{}:{line}:{column}", printable(rel))
}

/// Parses the new front matter as `check` will and compares it with the
/// old: the same other entries in the same order with the same values, and
/// each field once, reading back as its text. Returns what differs.
fn reads_back(old: &[EntrySpan], yaml_new: &str, fields: &[(&str, Scalar)]) -> Result<(), String> {
    let node = yaml::parse(yaml_new).map_err(|e| format!("whether the front matter parses ({})", e.message))?;
    let Value::Map(new) = node.value else {
        return Err("the front matter into something that is not a mapping".into());
    };
    let is_field = |name: &str| fields.iter().any(|(k, _)| *k == name);
    let old_rest: Vec<(&str, &Value)> =
        old.iter().filter(|e| !is_field(&e.key.name)).map(|e| (e.key.name.as_str(), &e.value.value)).collect();
    let new_rest: Vec<(&str, &Value)> =
        new.iter().filter(|(k, _)| !is_field(&k.name)).map(|(k, v)| (k.name.as_str(), &v.value)).collect();
    let same = old_rest.len() == new_rest.len()
        && old_rest.iter().zip(&new_rest).all(|((ka, a), (kb, b))| ka == kb && same_value(a, b));
    if !same {
        return Err("other keys of the front matter".into());
    }
    for (key, value) in fields {
        let found: Vec<&Value> = new.iter().filter(|(k, _)| k.name == *key).map(|(_, v)| &v.value).collect();
        if found != [&Value::Str(value.text().to_string())] {
            return Err(format!("how `{key}` reads (it would not read as {:?})", value.text()));
        }
    }
    Ok(())
}

/// Equal values, wherever they are written (positions are not compared).
pub(crate) fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(&p.value, &q.value))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|((kp, p), (kq, q))| kp.name == kq.name && same_value(&p.value, &q.value))
        }
        _ => a == b,
    }
}

/// A value as a one-line YAML scalar: plain when every YAML reader takes it
/// for this text, double-quoted otherwise. Plain `yes`, `no`, `on`, `null`,
/// `~`, `12`, `1.5`, `2026-10-01` are read as booleans, nothing, numbers or
/// dates (by this parser or by YAML 1.1 tools such as editors), `a: b` and
/// `a #b` as a mapping and a comment, a leading `&`, `*`, `!`, `|`, `-`...
/// as syntax; so they are quoted, and what is written plain is parsed back
/// to make sure.
pub(crate) fn yaml_scalar(s: &str) -> String {
    if plain_is_safe(s) { s.to_string() } else { double_quoted(s) }
}

fn plain_is_safe(s: &str) -> bool {
    const WORDS: [&str; 13] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "=", "<<", ""];
    let lower = s.to_ascii_lowercase();
    let syntax = s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` \t".contains(c))
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with([':', ' ', '\t'])
        || s.chars().any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{a0}'));
    // Numbers, dates, times and `.inf`/`.nan`, in YAML 1.2 or 1.1.
    let typed = WORDS.contains(&lower.as_str()) || s.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '.');
    !syntax && !typed && parses_as_itself(s)
}

/// Whether `key: s` reads back as the text `s`.
fn parses_as_itself(s: &str) -> bool {
    match yaml::parse(&format!("v: {s}\n")).map(|n| n.value) {
        Ok(Value::Map(m)) => m.len() == 1 && m[0].1.value == Value::Str(s.to_string()),
        _ => false,
    }
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, Scalar)> {
        pairs.iter().map(|(k, v)| (*k, Scalar::Text(v.to_string()))).collect()
    }

    fn set(text: &str, pairs: &[(&'static str, &str)]) -> Result<String, Fatal> {
        set_fields("e.md", text, &f(pairs))
    }

    #[test]
    fn replaces_in_place_and_keeps_comments_and_crlf() {
        let text = "---\r\n# who and when\r\nstatus: documented   # waiting for Ana\r\nexecuted_on: 2026-10-01\r\n---\r\nBody\r\n---\r\nmore\r\n";
        let out = set(text, &[("status", "validated"), ("validated_by", "ana")]).unwrap();
        assert_eq!(
            out,
            "---\r\n# who and when\r\nstatus: validated   # waiting for Ana\r\nexecuted_on: 2026-10-01\r\nvalidated_by: ana\r\n---\r\nBody\r\n---\r\nmore\r\n"
        );
    }

    #[test]
    fn only_top_level_keys_match() {
        let text = "---\nwaiver:\n  status: x\nstatus_note: y\nstatus: in-progress\n---\n";
        let out = set(text, &[("status", "validated")]).unwrap();
        assert_eq!(out, "---\nwaiver:\n  status: x\nstatus_note: y\nstatus: validated\n---\n");
    }

    #[test]
    fn a_key_inside_a_multi_line_quoted_value_is_text_not_a_key() {
        for q in ['"', '\''] {
            let text =
                format!("---\nx-note: {q}Checked twice.\n  status: in-progress\n  end{q}\nstatus: documented\n---\n");
            let out = set(&text, &[("status", "validated")]).unwrap();
            let expected = text.replace("status: documented", "status: validated");
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn keys_spelled_otherwise_are_found_where_they_are() {
        for (line, now) in [
            ("status : documented", "status : validated"),
            ("\"status\": documented", "\"status\": validated"),
            ("'status':   documented  # c", "'status': validated  # c"),
            ("status:", "status: validated"),
            ("status:   # not yet", "status: validated   # not yet"),
            ("status: &s !!str documented", "status: validated"),
            ("status: \"documented\"", "status: validated"),
        ] {
            let text = format!("---\na: 1\n{line}\nb: 2\n---\n");
            let out = set(&text, &[("status", "validated")]).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(out, format!("---\na: 1\n{now}\nb: 2\n---\n"), "{line}");
        }
    }

    #[test]
    fn an_indented_mapping_gets_indented_keys() {
        let out = set("---\n  status: documented\n---\n", &[("validated_by", "ana")]).unwrap();
        assert_eq!(out, "---\n  status: documented\n  validated_by: ana\n---\n");
        let out = set("---\n# nothing yet\n---\n", &[("status", "validated")]).unwrap();
        assert_eq!(out, "---\n# nothing yet\nstatus: validated\n---\n");
    }

    #[test]
    fn refuses_what_it_cannot_change_by_line() {
        for (yaml, says) in [
            ("validated_by:\n  - a\n", "holds a list"),
            ("validated_by: [a, b]\n", "holds a list"),
            ("validated_by: |\n  a\n", "spans several lines"),
            ("validated_by: a\n  b\n", "spans several lines"),
            ("validated_by: \"a\n  b\"\n", "spans several lines"),
            ("? validated_by\n: a\n", "not on the key's line"),
            ("{status: x, validated_by: a}\n", "flow mapping"),
            ("status: [x\n", "not valid YAML"),
            ("- a\n", "not a mapping"),
            ("~\n", "not a mapping"),
        ] {
            let e = set(&format!("---\n{yaml}---\n"), &[("validated_by", "b")]).unwrap_err();
            assert!(e.to_string().starts_with("cannot sign e.md"), "{yaml:?}: {e}");
            assert!(e.to_string().contains(says), "{yaml:?}: {e}");
        }
    }

    #[test]
    fn an_anchor_other_keys_use_is_not_silently_repointed() {
        let e = set("---\nvalidated_by: &who ana\nx-copy: *who\n---\n", &[("validated_by", "bo")]).unwrap_err();
        assert!(e.to_string().contains("would also change"), "{e}");
    }

    #[test]
    fn quotes_what_yaml_would_read_as_something_else() {
        assert_eq!(yaml_scalar("ana.ruiz@contoso.example"), "ana.ruiz@contoso.example");
        assert_eq!(yaml_scalar("Ruiz, Ana"), "Ruiz, Ana");
        assert_eq!(yaml_scalar("Ana: CISO"), "\"Ana: CISO\"");
        assert_eq!(yaml_scalar("#1 \"fan\""), "\"#1 \\\"fan\\\"\"");
        assert_eq!(yaml_scalar("a\nb\u{1b}"), "\"a\\nb\\u001B\"");
        for s in [
            "yes",
            "No",
            "TRUE",
            "false",
            "on",
            "Off",
            "y",
            "n",
            "null",
            "Null",
            "~",
            "",
            "12",
            "-3",
            "1.5",
            "0x1F",
            "0o17",
            "1e3",
            ".inf",
            "-.inf",
            ".nan",
            "2026-10-01",
            "12:30",
            "+1",
            "a #b",
            "a: b",
            "x:",
            "@ana",
            "`x`",
            "&a",
            "*a",
            "!t",
            "|",
            ">",
            "%x",
            "'q'",
            "\"q\"",
            "[a]",
            "{a}",
            "- a",
            "? a",
            " a",
            "a ",
        ] {
            let q = yaml_scalar(s);
            assert!(q.starts_with('"'), "{s:?} is written plain as {q}");
            let read = yaml::parse(&format!("v: {q}\n")).unwrap();
            let Value::Map(m) = read.value else { panic!("{q}") };
            assert_eq!(m[0].1.value, Value::Str(s.to_string()), "{s:?} written as {q}");
        }
    }
}
