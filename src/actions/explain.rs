//! `cutover check --explain CODE`: the long explanation of a diagnostic
//! code, as `rustc --explain` prints one. The text is docs/diagnostics.md's
//! section for the code, built into the binary, so it is there offline and
//! always matches the version that reported the code.

const DOC: &str = include_str!("../../docs/diagnostics.md");

/// The section of docs/diagnostics.md for `code` (`E0203`, any case): its
/// heading and everything up to the next heading, or `None` if there is none.
pub fn explain(code: &str) -> Option<String> {
    let want = format!("### {}:", code.trim().to_ascii_uppercase());
    let mut out: Vec<&str> = Vec::new();
    let mut fenced = false;
    for line in DOC.lines() {
        let heading = !fenced && line.starts_with('#') && (line.starts_with("## ") || line.starts_with("### "));
        if line.starts_with("```") {
            fenced = !fenced;
        }
        if out.is_empty() {
            if heading && line.starts_with(&want) {
                out.push(line);
            }
        } else if heading {
            break;
        } else {
            out.push(line);
        }
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    (!out.is_empty()).then(|| out.join("\n") + "\n")
}

/// The codes docs/diagnostics.md explains, in its order.
pub fn codes() -> Vec<&'static str> {
    DOC.lines().filter_map(|l| l.strip_prefix("### ")?.split(':').next()).filter(|c| c.len() == 5).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_an_explanation() {
        // The codes as `Code::as_str` spells them, read from its source.
        let source = include_str!("../core/diagnostics/mod.rs");
        let codes: Vec<&str> = source
            .lines()
            .filter_map(|l| l.trim().strip_prefix("Code::")?.split_once(" => \"").map(|(c, _)| c))
            .filter(|c| c.len() == 5)
            .collect();
        assert!(codes.len() > 40, "{codes:?}");
        for c in codes {
            let text = explain(c).unwrap_or_else(|| panic!("docs/diagnostics.md has no `### {c}:` section"));
            assert!(text.lines().count() > 2, "{c}: {text}");
        }
    }

    #[test]
    fn a_section_ends_at_the_next_heading_not_at_a_comment_in_an_example() {
        let text = explain("e0203").unwrap();
        assert!(text.starts_with("### E0203: unknown field\n"), "{text}");
        assert!(!text.contains("### E0204"), "{text}");
        assert!(explain("E9999").is_none());
        assert!(codes().contains(&"W0001"));
    }
}
