//! Sets and removes top-level keys of a workload.yaml where the YAML parser
//! says they are, leaving every other byte as it was: other keys, their
//! order and spelling, comments, blank lines and line endings.
//!
//! A value's extent is found with the parser too: it ends before the first
//! comment after which only comments and blank lines come before the next
//! key, at a place where the text up to there reads back as the same value
//! (a `#` inside quotes is no comment). Whatever is written is parsed again
//! and must read as the same document with only the named keys changed.

use crate::Fatal;
use crate::actions::sign::same_value;
use crate::core::text::printable;
use crate::load::yaml::{self, EntrySpan, Value};
use std::ops::Range;

/// One change to a top-level key.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Set the key to `yaml` (one line of YAML), which must read back as `value`.
    Set {
        key: &'static str,
        yaml: String,
        value: Value,
    },
    Remove {
        key: &'static str,
    },
}

impl Change {
    fn key(&self) -> &'static str {
        match self {
            Change::Set { key, .. } | Change::Remove { key } => key,
        }
    }
}

/// The document's top-level entries; refuses what cannot be edited by line
/// (YAML that does not parse, a flow mapping, a document that is no mapping).
pub fn entries(rel: &str, text: &str) -> Result<Vec<EntrySpan>, Fatal> {
    let rel = printable(rel);
    match yaml::top_level_entries(text) {
        Ok(Some(top)) if top.flow => Err(Fatal::Refused(format!(
            "cannot import into {rel}: it is one flow mapping (`{{name: ..., ...}}`); write one `key: value` per line first"
        ))),
        Ok(Some(top)) => Ok(top.entries),
        Ok(None) if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) => Ok(Vec::new()),
        Ok(None) => Err(Fatal::Refused(format!(
            "cannot import into {rel}: it is not a mapping of `key: value` lines; fix it first (`cutover check` shows why)"
        ))),
        Err(e) => Err(Fatal::Refused(format!(
            "cannot import into {rel}:{}:{}: {}; fix it first (`cutover check` shows it with a hint)",
            e.pos.line,
            e.pos.column,
            printable(&e.message)
        ))),
    }
}

/// `text` with `changes` made. Keys to set that are missing are added at the
/// end, in the order given, with the file's line ending and indentation.
pub fn apply(rel: &str, text: &str, changes: &[Change]) -> Result<String, Fatal> {
    let entries = entries(rel, text)?;
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut added = Vec::new();
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    for change in changes {
        let Some(k) = entries.iter().position(|e| e.key.name == change.key()) else {
            if let Change::Set { key, yaml, .. } = change {
                added.push(format!("{key}: {yaml}"));
            }
            continue;
        };
        let e = &entries[k];
        let colon = colon_after(text, e).ok_or_else(|| {
            Fatal::Refused(format!(
                "cannot import into {}: `{}` is not written as `{}: value`; write it so and import again",
                printable(rel),
                e.key.name,
                e.key.name
            ))
        })?;
        let limit = entries.get(k + 1).map_or(text.len(), |n| line_start(text, n.key_bytes.start));
        let end = value_end(text, e, colon + 1, limit).ok_or_else(|| {
            Fatal::Refused(format!(
                "cannot import into {}: cannot tell where `{}` ends; write it on one line and import again",
                printable(rel),
                e.key.name
            ))
        })?;
        // Whole-line comments among a list's entries are kept, below the new value.
        let kept: Vec<&str> = if matches!(e.value.value, Value::Seq(_) | Value::Map(_)) {
            text[colon + 1..end].lines().skip(1).filter(|l| l.trim_start().starts_with('#')).collect()
        } else {
            Vec::new()
        };
        let kept: String = kept.iter().map(|l| format!("{eol}{}", l.trim_end_matches('\r'))).collect();
        match change {
            Change::Set { yaml, .. } => edits.push((colon + 1..end, format!(" {yaml}{kept}"))),
            Change::Remove { .. } => {
                let from = line_start(text, e.key_bytes.start);
                let rest = &text[end..];
                let line_end = rest.find('\n').map_or(text.len(), |i| end + i + 1);
                let whole_line = rest[..line_end - end].trim().is_empty();
                match (kept.is_empty(), whole_line) {
                    (true, true) => edits.push((from..line_end, String::new())),
                    (true, false) => edits.push((from..end, String::new())),
                    (false, _) => edits.push((from..end, kept.trim_start_matches(['\r', '\n']).to_string())),
                }
            }
        }
    }
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_string();
    for (range, with) in edits {
        out.replace_range(range, &with);
    }
    let indent = entries.first().map_or(0, |e| e.key_bytes.start - line_start(text, e.key_bytes.start));
    for line in added {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(eol);
        }
        out.push_str(&format!("{:indent$}{line}{eol}", ""));
    }
    reads_back(&entries, &out, changes).map_err(|why| {
        Fatal::Refused(format!(
            "cannot import into {}: the edit would also change {why}; nothing was written: make the change by hand, or report this",
            printable(rel)
        ))
    })?;
    Ok(out)
}

/// The byte of the `:` after the key, when the value follows it (not for `? key` syntax).
fn colon_after(text: &str, e: &EntrySpan) -> Option<usize> {
    let after = &text[e.key_bytes.end..];
    let gap = after.len() - after.trim_start_matches([' ', '\t']).len();
    let colon = e.key_bytes.end + gap;
    text[colon..].starts_with(':').then_some(colon)
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Where the value that starts after `from` ends: the first place, at a line
/// end or before a ` #`, after which only comments and blank lines come
/// before `limit` (the next key's line), and up to which the text reads as
/// the value the parser found.
fn value_end(text: &str, e: &EntrySpan, from: usize, limit: usize) -> Option<usize> {
    let scalar_end = match e.value.value {
        Value::Seq(_) | Value::Map(_) => from,
        _ => from + text[from..e.value_bytes.end.max(from)].trim_end().len(),
    };
    let indent = e.key_bytes.start - line_start(text, e.key_bytes.start);
    let mut candidates = Vec::new();
    let mut at = line_start(text, from);
    while at < limit {
        let line_end = text[at..limit].find('\n').map_or(limit, |i| at + i);
        let line = &text[at..line_end];
        for (i, _) in line.match_indices('#') {
            if i == 0 || line[..i].ends_with([' ', '\t']) {
                candidates.push(at + line[..i].trim_end().len());
            }
        }
        candidates.push(at + line.trim_end().len());
        at = line_end + 1;
    }
    candidates.into_iter().filter(|x| *x >= scalar_end.max(from)).find(|x| {
        only_comments(&text[*x..limit]) && {
            let alone = format!("{:indent$}{}:{}\n", "", e.key.name, &text[from..*x]);
            matches!(yaml::parse(&alone).map(|n| n.value), Ok(Value::Map(m)) if m.len() == 1 && same_value(&m[0].1.value, &e.value.value))
        }
    })
}

fn only_comments(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    })
}

/// Parses the edited text as `check` will and compares it with the old
/// entries: the same other keys in the same order with the same values,
/// each set key once with its value, each removed key gone.
fn reads_back(old: &[EntrySpan], new_text: &str, changes: &[Change]) -> Result<(), String> {
    let node = yaml::parse(new_text).map_err(|e| format!("whether the file parses ({})", e.message))?;
    let new: Vec<(String, Value)> = match node.value {
        Value::Map(m) => m.into_iter().map(|(k, v)| (k.name, v.value)).collect(),
        Value::Null => Vec::new(),
        _ => return Err("the file into something that is not a mapping".into()),
    };
    let touched = |name: &str| changes.iter().any(|c| c.key() == name);
    let old_rest: Vec<(&str, &Value)> =
        old.iter().filter(|e| !touched(&e.key.name)).map(|e| (e.key.name.as_str(), &e.value.value)).collect();
    let new_rest: Vec<(&str, &Value)> = new.iter().filter(|(k, _)| !touched(k)).map(|(k, v)| (k.as_str(), v)).collect();
    let same = old_rest.len() == new_rest.len()
        && old_rest.iter().zip(&new_rest).all(|((ka, a), (kb, b))| ka == kb && same_value(a, b));
    if !same {
        return Err("other keys".into());
    }
    for change in changes {
        let found: Vec<&Value> = new.iter().filter(|(k, _)| k == change.key()).map(|(_, v)| v).collect();
        let ok = match change {
            Change::Set { value, .. } => found.len() == 1 && same_value(found[0], value),
            Change::Remove { .. } => found.is_empty(),
        };
        if !ok {
            return Err(format!("how `{}` reads", change.key()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(key: &'static str, yaml: &str) -> Change {
        let value = match crate::load::yaml::parse(&format!("v: {yaml}\n")).unwrap().value {
            Value::Map(m) => m[0].1.value.clone(),
            _ => unreachable!(),
        };
        Change::Set { key, yaml: yaml.to_string(), value }
    }

    #[test]
    fn scalars_change_in_place_with_their_comments() {
        let text = "# top\nname: Old   # was renamed\r\nowner: \"a # b\"  # who\nx-note: keep\n";
        let out = apply("w.yaml", text, &[set("name", "New"), set("owner", "c@d")]).unwrap();
        assert_eq!(out, "# top\nname: New   # was renamed\r\nowner: c@d  # who\nx-note: keep\n");
    }

    #[test]
    fn lists_and_block_scalars_are_replaced_whole_keeping_comment_lines() {
        let text = "depends_on:\n  - a   # old\n  # still needed?\n  - b\n\n# about the summary\nsummary: |\n  one\n  # two\n\nname: N\n";
        let out = apply("w.yaml", text, &[set("depends_on", "[c, d]"), set("summary", "Short")]).unwrap();
        assert_eq!(out, "depends_on: [c, d]\n  # still needed?\n\n# about the summary\nsummary: Short\n\nname: N\n");
        let text = "depends_on: [a, b]   # upstream\nname: N\n";
        let out = apply("w.yaml", text, &[set("depends_on", "[b]")]).unwrap();
        assert_eq!(out, "depends_on: [b]   # upstream\nname: N\n");
    }

    #[test]
    fn keys_are_removed_with_their_line_and_added_at_the_end() {
        let text = "name: N\r\nrelease: wave-1\r\n# promotion_model: single-step";
        let out = apply("w.yaml", text, &[Change::Remove { key: "release" }, set("summary", "S")]).unwrap();
        assert_eq!(out, "name: N\r\n# promotion_model: single-step\r\nsummary: S\r\n");
        let out = apply("w.yaml", "  name: N\n", &[set("owner", "o")]).unwrap();
        assert_eq!(out, "  name: N\n  owner: o\n");
    }

    #[test]
    fn what_cannot_be_edited_by_line_is_refused() {
        assert!(apply("w.yaml", "{name: N}\n", &[set("name", "M")]).unwrap_err().to_string().contains("flow mapping"));
        assert!(apply("w.yaml", "name: [\n", &[set("name", "M")]).is_err());
        let e = apply("w.yaml", "name: &n N\nx-copy: *n\n", &[set("name", "M")]).unwrap_err();
        assert!(e.to_string().contains("nothing was written"), "{e}");
    }
}
