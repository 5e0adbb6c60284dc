//! `cutover check --explain CODE`: the long explanation of a diagnostic
//! code, as `rustc --explain` prints one. The text is docs/diagnostics.md's
//! section for the code, built into the binary, so it is there offline and
//! always matches the version that reported the code.

use crate::core::diagnostics::{Code, TABLE};

const DOC: &str = include_str!("../../docs/diagnostics.md");

/// The section of docs/diagnostics.md for `code` (`E0203`, any case): its
/// heading and everything up to the next heading, or `None` if `code` is not
/// a code or the page has no section with its anchor.
pub fn explain(code: &str) -> Option<String> {
    let anchor = Code::parse(code)?.anchor();
    let (_, text) = sections().into_iter().find(|(heading, _)| slug(heading) == anchor)?;
    Some(text)
}

/// The codes there are, in the table's order (which is the page's).
pub fn codes() -> Vec<&'static str> {
    TABLE.iter().map(|e| e.name).collect()
}

/// The `###` sections of the page: each heading (without `### `) and its
/// text from the heading up to the next heading, trailing blank lines
/// dropped. A `#` line inside a fenced example is a YAML comment, not a heading.
fn sections() -> Vec<(&'static str, String)> {
    let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut fenced = false;
    let mut open = false;
    for line in DOC.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        }
        let heading = !fenced && (line.starts_with("## ") || line.starts_with("### "));
        if heading {
            open = false;
            if let Some(title) = line.strip_prefix("### ") {
                out.push((title, vec![line]));
                open = true;
            }
        } else if open && let Some((_, text)) = out.last_mut() {
            text.push(line);
        }
    }
    out.into_iter()
        .map(|(heading, mut text)| {
            while text.last().is_some_and(|l| l.trim().is_empty()) {
                text.pop();
            }
            (heading, text.join("\n") + "\n")
        })
        .collect()
}

/// The id GitHub gives a heading (and so the anchor a link to it needs):
/// lower case, punctuation other than `-` and `_` dropped, spaces as `-`.
fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_an_explanation() {
        assert!(TABLE.len() > 40);
        for e in TABLE {
            let text = explain(e.name).unwrap_or_else(|| panic!("docs/diagnostics.md has no section #{}", e.anchor));
            assert!(text.lines().count() > 2, "{}: {text}", e.name);
        }
    }

    #[test]
    fn headings_are_the_titles_and_every_section_is_a_code() {
        let headings: Vec<&str> = sections().into_iter().map(|(h, _)| h).collect();
        let titles: Vec<String> = TABLE.iter().map(|e| format!("{}: {}", e.name, e.title)).collect();
        assert_eq!(headings, titles, "docs/diagnostics.md's `###` headings and the code table differ");
        for e in TABLE {
            assert_eq!(slug(&format!("{}: {}", e.name, e.title)), e.anchor, "{}", e.name);
            assert_eq!(Code::parse(e.name).map(Code::as_str), Some(e.name));
        }
    }

    #[test]
    fn the_index_links_to_every_section_and_gives_its_severity() {
        let rows: Vec<(&str, &str, &str)> = DOC
            .lines()
            .filter_map(|l| {
                let (link, rest) = l.strip_prefix("| [")?.split_once(") | ")?;
                let (code, anchor) = link.split_once("](#")?;
                Some((code, anchor, rest.split(" | ").next()?))
            })
            .collect();
        let expected: Vec<(&str, &str, &str)> = TABLE
            .iter()
            .map(|e| {
                (
                    e.name,
                    e.anchor,
                    if e.severity == crate::core::diagnostics::Severity::Error { "error" } else { "warning" },
                )
            })
            .collect();
        assert_eq!(rows, expected);
    }

    #[test]
    fn slugs_drop_punctuation_as_github_does() {
        assert_eq!(slug("E0301: workload.yaml missing"), "e0301-workloadyaml-missing");
        assert_eq!(
            slug("E0212: flight traffic does not add up to 100%"),
            "e0212-flight-traffic-does-not-add-up-to-100"
        );
    }

    #[test]
    fn a_section_ends_at_the_next_heading_not_at_a_comment_in_an_example() {
        let text = explain("e0202").unwrap();
        assert!(text.starts_with("### E0202: required field missing\n"), "{text}");
        assert!(text.contains("\n# workload.yaml\n"), "the example's YAML comment is part of the section: {text}");
        assert!(!text.contains("### E0203"), "{text}");
        assert!(explain("E9999").is_none());
        assert!(codes().contains(&"W0001"));
    }
}
