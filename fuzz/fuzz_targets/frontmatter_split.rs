//! The front-matter splitter on any text: it never panics, its parts are
//! slices of the input in order, and its line numbers match the text.
#![no_main]

use cutover::frontmatter::split;
use libfuzzer_sys::fuzz_target;

/// Byte offset of `part` inside `whole`, checking that it is a sub-slice.
fn offset_in(whole: &str, part: &str) -> usize {
    let start = part.as_ptr() as usize;
    let base = whole.as_ptr() as usize;
    assert!(start >= base && start + part.len() <= base + whole.len(), "not a sub-slice of the input");
    start - base
}

fn line_at(text: &str, offset: usize) -> u32 {
    1 + text[..offset].matches('\n').count() as u32
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match split(text) {
        Ok(s) => {
            let yaml_at = offset_in(text, s.yaml);
            let body_at = offset_in(text, s.body);
            assert!(yaml_at + s.yaml.len() <= body_at, "the YAML ends before the body starts");
            assert_eq!(body_at + s.body.len(), text.len(), "the body runs to the end of the file");
            // The YAML starts on the line after the opening fence.
            assert_eq!(line_at(text, yaml_at), s.yaml_line_offset + 1, "yaml_line_offset");
            let first = text[..yaml_at].trim_end_matches(['\n', '\r', ' ', '\t']);
            assert_eq!(first, "---", "the opening fence is the first line");
            // Between the YAML and the body there is exactly the closing fence line.
            let fence = &text[yaml_at + s.yaml.len()..body_at];
            let fence_text = fence.trim_end_matches(['\n', '\r', ' ', '\t']);
            assert!(fence_text == "---" || fence_text == "...", "closing fence: {fence:?}");
            assert!(fence.matches('\n').count() <= 1, "the closing fence is one line: {fence:?}");
            if !s.body.is_empty() {
                assert_eq!(line_at(text, body_at), s.body_line, "body_line");
            } else {
                assert!(s.body_line >= line_at(text, body_at), "body_line before the end");
            }
            // Lines of the YAML counted from the YAML's own start agree with the file's lines.
            let yaml_lines = s.yaml.matches('\n').count() as u32;
            assert!(s.body_line >= s.yaml_line_offset + 1 + yaml_lines, "body after the YAML");
        }
        Err(e) => {
            assert!(e.line >= 1, "error line is 1-based");
            assert!(!e.message.is_empty() && !e.help.is_empty());
        }
    }
});
