//! What evidence Markdown contains, as validation and rendering both need to
//! see it: the same extensions, the same links, the same raw HTML.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The CommonMark extensions evidence may use.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS | Options::ENABLE_FOOTNOTES
}

/// Where a link was written: Markdown syntax is held to the link rules with
/// errors; raw HTML is sanitised, so only its paths are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Markdown,
    RawHtml,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyLink {
    pub dest: String,
    /// Byte offset in the text.
    pub offset: usize,
    pub origin: Origin,
    /// An image (`![..](..)` or `<img src>`) rather than a link.
    pub image: bool,
}

/// A run of raw HTML (a block, or one inline tag) and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawHtml {
    pub html: String,
    pub offset: usize,
}

/// Every raw HTML run in the text.
pub fn raw_html(text: &str) -> Vec<RawHtml> {
    let mut out: Vec<RawHtml> = Vec::new();
    let mut block: Option<RawHtml> = None;
    for (ev, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match ev {
            Event::Start(Tag::HtmlBlock) => block = Some(RawHtml { html: String::new(), offset: range.start }),
            Event::End(TagEnd::HtmlBlock) => out.extend(block.take()),
            Event::Html(h) => match block.as_mut() {
                Some(b) => b.html.push_str(&h),
                None => out.push(RawHtml { html: h.to_string(), offset: range.start }),
            },
            Event::InlineHtml(h) => out.push(RawHtml { html: h.to_string(), offset: range.start }),
            _ => {}
        }
    }
    out
}

/// Every link and image destination: Markdown links and images, and the
/// `href`/`src` attributes of raw HTML.
pub fn body_links(text: &str) -> Vec<BodyLink> {
    let mut out: Vec<BodyLink> = Parser::new_ext(text, options())
        .into_offset_iter()
        .filter_map(|(ev, range)| match ev {
            Event::Start(Tag::Link { dest_url, .. }) => Some(BodyLink {
                dest: dest_url.to_string(),
                offset: range.start,
                origin: Origin::Markdown,
                image: false,
            }),
            Event::Start(Tag::Image { dest_url, .. }) => Some(BodyLink {
                dest: dest_url.to_string(),
                offset: range.start,
                origin: Origin::Markdown,
                image: true,
            }),
            _ => None,
        })
        .collect();
    for chunk in raw_html(text) {
        for (value, at) in crate::sanitize::url_attributes(&chunk.html) {
            // Raw `<img src>` that leaves the folder is reported by the sanitiser check (W0004).
            out.push(BodyLink { dest: value, offset: chunk.offset + at, origin: Origin::RawHtml, image: false });
        }
    }
    out.sort_by_key(|l| l.offset);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_markdown_and_html_links() {
        let text =
            "See [a](a.txt) and ![i](i.png).\n\n<div><a href=\"b.txt\">b</a></div>\n\nInline <img src='c.png'> too.\n";
        let links: Vec<(String, Origin)> = body_links(text).into_iter().map(|l| (l.dest, l.origin)).collect();
        assert_eq!(
            links,
            [
                ("a.txt".to_string(), Origin::Markdown),
                ("i.png".to_string(), Origin::Markdown),
                ("b.txt".to_string(), Origin::RawHtml),
                ("c.png".to_string(), Origin::RawHtml)
            ]
        );
        let b = body_links(text).into_iter().find(|l| l.dest == "b.txt").unwrap();
        assert!(text[b.offset..].starts_with("href"), "{}", &text[b.offset..]);
    }
}
