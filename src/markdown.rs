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

/// What a body holds that needs checking: its links and its raw HTML, found in one parse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    pub links: Vec<BodyLink>,
    pub raw_html: Vec<RawHtml>,
    pub facts: Facts,
}

/// What rendering must know about a body before it writes the first tag.
/// Validation parses every body anyway, and keeps these with it, so the
/// report renders each body in one streaming pass instead of collecting
/// its events first (docs/PERFORMANCE.md, step 19).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// The level of the body's highest heading (1 for `#`), if it has one.
    pub highest_heading: Option<u8>,
    /// Whether the HTML that pulldown-cmark writes for it could carry
    /// anything unsafe: raw HTML, a link outside the allowed schemes, an
    /// image from outside the workload folder. It escapes everything else
    /// itself, so most bodies can skip the sanitiser (which re-parses them).
    pub needs_sanitiser: bool,
}

/// [`Scan::facts`] alone, for text that validation did not see (free pages, summaries).
pub fn facts(text: &str) -> Facts {
    scan(text).facts
}

/// Parses `text` once and collects every link and image destination (Markdown
/// links and images, and the `href`/`src` of raw HTML) and every raw HTML run.
pub fn scan(text: &str) -> Scan {
    let mut out = Scan::default();
    let mut block: Option<RawHtml> = None;
    for (ev, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                let level = level as u8;
                out.facts.highest_heading = Some(out.facts.highest_heading.map_or(level, |h| h.min(level)));
            }
            Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                out.facts.needs_sanitiser |= !crate::sanitize::is_safe_link(&dest_url);
                out.links.push(BodyLink {
                    // `<ops@x.example>` is an e-mail autolink: its destination carries no scheme.
                    dest: if link_type == pulldown_cmark::LinkType::Email {
                        format!("mailto:{dest_url}")
                    } else {
                        dest_url.to_string()
                    },
                    offset: range.start,
                    origin: Origin::Markdown,
                    image: false,
                })
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                out.facts.needs_sanitiser |= !crate::sanitize::is_local(&dest_url);
                out.links.push(BodyLink {
                    dest: dest_url.to_string(),
                    offset: range.start,
                    origin: Origin::Markdown,
                    image: true,
                })
            }
            Event::Start(Tag::HtmlBlock) => block = Some(RawHtml { html: String::new(), offset: range.start }),
            Event::End(TagEnd::HtmlBlock) => out.raw_html.extend(block.take()),
            Event::Html(h) => {
                out.facts.needs_sanitiser = true;
                match block.as_mut() {
                    Some(b) => b.html.push_str(&h),
                    None => out.raw_html.push(RawHtml { html: h.to_string(), offset: range.start }),
                }
            }
            Event::InlineHtml(h) => {
                out.facts.needs_sanitiser = true;
                out.raw_html.push(RawHtml { html: h.to_string(), offset: range.start })
            }
            _ => {}
        }
    }
    for chunk in &out.raw_html {
        for (value, at) in crate::sanitize::url_attributes(&chunk.html) {
            // Raw `<img src>` that leaves the folder is reported by the sanitiser check (W0004).
            out.links.push(BodyLink { dest: value, offset: chunk.offset + at, origin: Origin::RawHtml, image: false });
        }
    }
    out.links.sort_by_key(|l| l.offset);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_markdown_and_html_links() {
        let text =
            "See [a](a.txt) and ![i](i.png).\n\n<div><a href=\"b.txt\">b</a></div>\n\nInline <img src='c.png'> too.\n";
        let links: Vec<(String, Origin)> = scan(text).links.into_iter().map(|l| (l.dest, l.origin)).collect();
        assert_eq!(
            links,
            [
                ("a.txt".to_string(), Origin::Markdown),
                ("i.png".to_string(), Origin::Markdown),
                ("b.txt".to_string(), Origin::RawHtml),
                ("c.png".to_string(), Origin::RawHtml)
            ]
        );
        let b = scan(text).links.into_iter().find(|l| l.dest == "b.txt").unwrap();
        assert_eq!(scan("Mail <ops@x.example>.").links[0].dest, "mailto:ops@x.example");
        assert!(text[b.offset..].starts_with("href"), "{}", &text[b.offset..]);
    }

    #[test]
    fn facts_for_rendering() {
        let plain =
            scan("Text, [a file](a.txt), [web](https://x.example) and ![local](i.png).\n\n### Low\n\n## Higher\n");
        assert_eq!(plain.facts, Facts { highest_heading: Some(2), needs_sanitiser: false });
        assert_eq!(facts("No heading at all.\n").highest_heading, None);
        for unsafe_body in [
            "Raw <b>inline</b> HTML.\n",
            "<div>\nblock\n</div>\n",
            "[x](javascript:alert(1))\n",
            "![remote](https://x.example/i.png)\n",
        ] {
            assert!(facts(unsafe_body).needs_sanitiser, "{unsafe_body}");
        }
    }
}
