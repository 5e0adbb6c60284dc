//! Splits an evidence or page file into its YAML front matter and Markdown body,
//! keeping the line numbers of both so diagnostics point into the file on disk.

use crate::core::diagnostics::Code;

/// The two parts of a Markdown file with front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The front matter, between the fences.
    pub yaml: &'a str,
    /// How many lines of the file come before the YAML (the opening `---`).
    pub yaml_line_offset: u32,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// The 1-based line on which the body starts.
    pub body_line: u32,
}

/// Why a file could not be split, with the 1-based line to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    /// Which problem it is (a missing or unclosed fence...).
    pub code: Code,
    /// The 1-based line to point at.
    pub line: u32,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

fn is_fence(line: &str, closing: bool) -> bool {
    let l = line.trim_end_matches(['\r', '\n']).trim_end_matches([' ', '\t']);
    l == "---" || (closing && l == "...")
}

/// Splits `text` (already without a byte-order mark). The front matter opens
/// with `---` on the first line and closes with `---` or `...` on a line of its own.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    if text.trim().is_empty() {
        return Err(SplitError {
            code: Code::E0105,
            line: 1,
            message: "the file is empty".into(),
            help: "start it with front matter: `---`, `status: not-started`, `---`".into(),
        });
    }
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if !is_fence(&text[..first_end], false) {
        return Err(SplitError {
            code: Code::E0103,
            line: 1,
            message: "the file does not start with front matter".into(),
            help: "put a line `---` first, then the YAML fields (at least `status:`), then another `---`".into(),
        });
    }
    let mut offset = first_end;
    let mut line_no = 2u32;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1);
        if is_fence(&text[offset..end], true) {
            return Ok(Split {
                yaml: &text[first_end..offset],
                yaml_line_offset: 1,
                body: &text[end..],
                body_line: line_no + 1,
            });
        }
        offset = end;
        line_no += 1;
    }
    Err(SplitError {
        code: Code::E0104,
        line: 1,
        message: "the front matter is never closed".into(),
        help: "add a line `---` after the last YAML field, before the Markdown body".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lf_crlf_and_dots() {
        let s = split("---\nstatus: x\n---\nBody\n").unwrap();
        assert_eq!((s.yaml, s.body, s.body_line), ("status: x\n", "Body\n", 4));
        let s = split("---\r\nstatus: x\r\n---\r\nBody\r\n").unwrap();
        assert_eq!((s.yaml, s.body), ("status: x\r\n", "Body\r\n"));
        let s = split("---\na: 1\n...\n").unwrap();
        assert_eq!((s.yaml, s.body), ("a: 1\n", ""));
        let s = split("---\n---").unwrap();
        assert_eq!((s.yaml, s.body), ("", ""));
    }

    #[test]
    fn body_may_contain_rules() {
        let s = split("---\na: 1\n---\ntext\n---\nmore\n").unwrap();
        assert_eq!(s.body, "text\n---\nmore\n");
    }

    #[test]
    fn reports_missing_parts() {
        assert_eq!(split("").unwrap_err().code, Code::E0105);
        assert_eq!(split(" \n\n").unwrap_err().code, Code::E0105);
        assert_eq!(split("status: x\n").unwrap_err().code, Code::E0103);
        assert_eq!(split("---\nstatus: x\nbody\n").unwrap_err().code, Code::E0104);
    }
}
