//! Markdown settings shared by link checking and rendering, so both see the same links.

use pulldown_cmark::Options;

/// The CommonMark extensions evidence may use.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS | Options::ENABLE_FOOTNOTES
}

/// Every link and image destination in a Markdown text, with its byte offset.
pub fn link_targets_with_offsets(text: &str) -> Vec<(String, usize)> {
    use pulldown_cmark::{Event, Parser, Tag};
    Parser::new_ext(text, options())
        .into_offset_iter()
        .filter_map(|(ev, range)| match ev {
            Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
                Some((dest_url.to_string(), range.start))
            }
            _ => None,
        })
        .collect()
}

/// Every link and image destination in a Markdown text.
pub fn link_targets(text: &str) -> Vec<String> {
    link_targets_with_offsets(text).into_iter().map(|(d, _)| d).collect()
}
