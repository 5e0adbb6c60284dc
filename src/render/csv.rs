//! `readiness.csv`: the dashboard as a spreadsheet, for steering meetings.
//! RFC 4180: a header row, CRLF line ends, and a field quoted (its quotes
//! doubled) whenever it holds a comma, a quote or a line break. UTF-8
//! without a byte-order mark. The columns are fixed by FORMAT.md:
//! `workload,name,owner,release,criticality,decision,reasons`, then one
//! column per checklist item holding `satisfied` or the item's status.

use crate::core::model::Portfolio;
use crate::evaluate::{Assessment, Reason};

/// The whole file.
pub fn readiness(p: &Portfolio, a: &Assessment) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + p.workloads.len() * (128 + 16 * p.checklist.items.len()));
    let mut header: Vec<&str> = vec!["workload", "name", "owner", "release", "criticality", "decision", "reasons"];
    header.extend(p.checklist.items.iter().map(|i| i.id.as_str()));
    row(&mut out, header);
    for w in p.workloads.values() {
        let Some(wa) = a.workloads.get(&w.id) else { continue };
        let reasons = reasons(&wa.reasons);
        let mut fields: Vec<&str> = vec![
            w.id.as_str(),
            &w.name,
            &w.owner,
            w.release.as_ref().map_or("", |r| r.as_str()),
            w.criticality.as_str(),
            wa.decision.as_str(),
            &reasons,
        ];
        fields.extend(wa.items.iter().map(|s| if s.satisfied { "satisfied" } else { s.status.as_str() }));
        row(&mut out, fields);
    }
    out
}

/// Reasons in one cell, one a line: "item: message" or "workload: message".
fn reasons(list: &[Reason]) -> String {
    list.iter()
        .map(|r| match (&r.item, &r.workload) {
            (Some(i), _) => format!("{i}: {}", r.message),
            (None, Some(w)) => format!("{w}: {}", r.message),
            _ => r.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn row<'s>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = &'s str>) {
    for (n, f) in fields.into_iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        field(out, f);
    }
    out.extend_from_slice(b"\r\n");
}

/// One field, quoted when RFC 4180 asks for it.
pub fn field(out: &mut Vec<u8>, f: &str) {
    if f.contains([',', '"', '\r', '\n']) {
        out.push(b'"');
        out.extend_from_slice(f.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(f.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_only_when_needed() {
        let cell = |s: &str| {
            let mut out = Vec::new();
            super::field(&mut out, s);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(cell("plain é"), "plain é");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(""), "");
    }
}
