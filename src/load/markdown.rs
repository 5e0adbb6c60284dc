//! What evidence Markdown contains, as validation and rendering both need to
//! see it: the same extensions, the same links, the same raw HTML; and the
//! HTML it becomes, written from the same parse when a build asks for it.

use crate::load::sanitize::Reach;
use pulldown_cmark::{Alignment, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use std::collections::BTreeSet;

/// The CommonMark extensions evidence may use.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS | Options::ENABLE_FOOTNOTES
}

/// Where a link was written: Markdown syntax is held to the link rules with
/// errors; raw HTML is sanitised, so only its paths are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A Markdown link or image.
    Markdown,
    /// An `href` or `src` in raw HTML.
    RawHtml,
}

/// A link or image found in a body, and where, for checking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyLink {
    /// The address as written.
    pub dest: String,
    /// Byte offset in the text.
    pub offset: usize,
    /// Markdown or raw HTML: how strictly it is checked.
    pub origin: Origin,
    /// An image (`![..](..)` or `<img src>`) rather than a link.
    pub image: bool,
}

/// A run of raw HTML (a block, or one inline tag) and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawHtml {
    /// The HTML as written.
    pub html: String,
    /// Byte offset in the text where it starts.
    pub offset: usize,
    /// Where each piece of a block starts: (offset in `html`, offset in
    /// the text). A block inside a list or a quote comes
    /// in pieces, one a line, without the indentation or `>` between them.
    pub pieces: Vec<(usize, usize)>,
}

impl RawHtml {
    /// The offset in the text of byte `at` of [`RawHtml::html`].
    pub(crate) fn text_offset(&self, at: usize) -> usize {
        // The pieces are in order: the last one starting at or before `at`.
        match self.pieces.partition_point(|(start, _)| *start <= at).checked_sub(1) {
            Some(i) => self.pieces[i].1 + (at - self.pieces[i].0),
            None => self.offset + at,
        }
    }
}

/// What a body holds that needs checking: its links and its raw HTML, found in one parse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// Every link and image, in order.
    pub links: Vec<BodyLink>,
    /// Every run of raw HTML, in order.
    pub raw_html: Vec<RawHtml>,
    /// What rendering must know before it starts.
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
    let mut scanner = Scanner::default();
    for (ev, range) in Parser::new_ext(text, options()).into_offset_iter() {
        scanner.see(&ev, range.start);
    }
    scanner.finish()
}

/// [`scan`] and the body's HTML from the same parse: a build needs both, and
/// parsing is most of the cost of either. The events are held until the
/// scan is done, because the HTML depends on what it found (the highest
/// heading, whether to sanitise).
pub fn scan_and_render(text: &str, spec: &HtmlSpec) -> (Scan, String) {
    // Evidence runs at about one event for every 16 bytes of Markdown; sized
    // for one in 8, the list is built without the five or six regrowths
    // (each a copy) that collecting from an empty Vec costs. Capped, so a
    // large body of plain prose does not reserve far more than it uses.
    let mut events: Vec<Event> = Vec::with_capacity((text.len() / 8 + 16).min(1 << 16));
    let mut scanner = Scanner::default();
    for (ev, range) in Parser::new_ext(text, options()).into_offset_iter() {
        scanner.see(&ev, range.start);
        events.push(ev);
    }
    let scan = scanner.finish();
    // The few events the page changes are changed where they lie, so the
    // writer takes each event straight from the list (see `write_html`).
    let mut adjust = Adjust::new(&scan.facts, spec);
    events.iter_mut().for_each(|ev| adjust.apply(ev));
    let html = push_html(events.into_iter(), text.len(), &scan.facts, spec.reach);
    (scan, html)
}

/// Collects a [`Scan`] from events as they go by.
#[derive(Default)]
struct Scanner {
    out: Scan,
    block: Option<RawHtml>,
}

impl Scanner {
    fn see(&mut self, ev: &Event, offset: usize) {
        let out = &mut self.out;
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                let level = *level as u8;
                out.facts.highest_heading = Some(out.facts.highest_heading.map_or(level, |h| h.min(level)));
            }
            Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                out.facts.needs_sanitiser |= !crate::load::sanitize::is_safe_link(dest_url);
                out.links.push(BodyLink {
                    // `<ops@x.example>` is an e-mail autolink: its destination carries no scheme.
                    dest: if *link_type == pulldown_cmark::LinkType::Email {
                        format!("mailto:{dest_url}")
                    } else {
                        dest_url.to_string()
                    },
                    offset,
                    origin: Origin::Markdown,
                    image: false,
                })
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                out.facts.needs_sanitiser |= !crate::load::sanitize::is_local(dest_url);
                out.links.push(BodyLink { dest: dest_url.to_string(), offset, origin: Origin::Markdown, image: true })
            }
            Event::Start(Tag::HtmlBlock) => {
                self.block = Some(RawHtml { html: String::new(), offset, pieces: Vec::new() })
            }
            Event::End(TagEnd::HtmlBlock) => out.raw_html.extend(self.block.take()),
            Event::Html(h) => {
                out.facts.needs_sanitiser = true;
                match self.block.as_mut() {
                    Some(b) => {
                        b.pieces.push((b.html.len(), offset));
                        b.html.push_str(h)
                    }
                    None => out.raw_html.push(RawHtml { html: h.to_string(), offset, pieces: Vec::new() }),
                }
            }
            Event::InlineHtml(h) => {
                out.facts.needs_sanitiser = true;
                out.raw_html.push(RawHtml { html: h.to_string(), offset, pieces: Vec::new() })
            }
            _ => {}
        }
    }

    fn finish(self) -> Scan {
        let mut out = self.out;
        for chunk in &out.raw_html {
            for (value, at) in crate::load::sanitize::url_attributes(&chunk.html) {
                // Raw `<img src>` that leaves the folder is reported by the sanitiser check (W0004).
                out.links.push(BodyLink {
                    dest: value,
                    offset: chunk.text_offset(at),
                    origin: Origin::RawHtml,
                    image: false,
                });
            }
        }
        out.links.sort_by_key(|l| l.offset);
        out
    }
}

/// What turning a body into HTML needs besides its text.
pub struct HtmlSpec<'s> {
    /// The item ids with evidence in this workload: a link to `<item>.md`
    /// becomes a link to that item's section of the report.
    pub evidence_items: &'s BTreeSet<String>,
    /// The level the body's highest heading becomes, so that its outline
    /// nests under the page's own headings whatever level the author started at.
    pub top: u8,
    /// Footnote anchors are named `fn-<scope>-<label>`, so two bodies on one
    /// page never share an id.
    pub scope: &'s str,
    /// Where the body's relative links may lead, which the sanitiser holds them to.
    pub reach: crate::load::sanitize::Reach,
}

/// The heading level an evidence body's highest heading becomes on its report (under the item's `h3`).
pub(crate) const EVIDENCE_TOP_HEADING: u8 = 4;

/// Writes the HTML for a body's events: links to other evidence rewritten,
/// headings shifted, table alignment as classes, and the sanitiser run when
/// `facts` says the Markdown could carry anything unsafe. `len` (the
/// Markdown's length) sizes the output.
pub(crate) fn write_html<'a>(
    events: impl Iterator<Item = Event<'a>>,
    len: usize,
    facts: &Facts,
    spec: &HtmlSpec,
) -> String {
    let mut adjust = Adjust::new(facts, spec);
    let events = events.map(|mut ev| {
        adjust.apply(&mut ev);
        ev
    });
    push_html(events, len, facts, spec.reach)
}

/// pulldown-cmark's HTML for events that are ready, sanitised when `facts` says it must be.
fn push_html<'a>(events: impl Iterator<Item = Event<'a>>, len: usize, facts: &Facts, reach: Reach) -> String {
    let mut raw = String::with_capacity(len * 3 / 2);
    html::push_html(&mut raw, events);
    if facts.needs_sanitiser { crate::load::sanitize::clean(&raw, reach) } else { raw }
}

/// What the page changes in a body's events before they are written. It
/// changes an event in place: most events pass unchanged, and a build writes
/// well over a million of them, so not moving each one through a chain of
/// matches was 3% of a build (docs/PERFORMANCE.md, step 35).
struct Adjust<'s> {
    spec: &'s HtmlSpec<'s>,
    heading_shift: u8,
    table: TableCells,
}

impl<'s> Adjust<'s> {
    fn new(facts: &Facts, spec: &'s HtmlSpec<'s>) -> Self {
        let heading_shift = spec.top.saturating_sub(facts.highest_heading.unwrap_or(spec.top));
        Adjust { spec, heading_shift, table: TableCells::default() }
    }

    fn apply(&mut self, ev: &mut Event) {
        match ev {
            Event::FootnoteReference(label) | Event::Start(Tag::FootnoteDefinition(label)) => {
                *label = CowStr::from(format!("fn-{}-{label}", self.spec.scope));
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(item) = crate::core::url::evidence_item(dest_url, self.spec.evidence_items) {
                    *dest_url = CowStr::from(format!("#item-{item}"));
                } else if let Some(page) = crate::core::documents::link_to_page(dest_url) {
                    // A Markdown attachment is published as a page beside it.
                    *dest_url = CowStr::from(page);
                }
            }
            Event::Start(Tag::Heading { level, .. }) | Event::End(TagEnd::Heading(level)) => {
                *level = shift(*level, self.heading_shift);
            }
            other => self.table.apply(other),
        }
    }
}

/// Table alignment as classes (`align-left`, `align-center`, `align-right`)
/// instead of the inline `style` pulldown-cmark writes, which the page's
/// Content-Security-Policy would block. Cells of an aligned column become
/// raw `<th>`/`<td>` openings; the writer still closes them itself.
#[derive(Default)]
struct TableCells {
    alignments: Vec<Alignment>,
    in_head: bool,
    column: usize,
}

impl TableCells {
    fn apply(&mut self, ev: &mut Event) {
        match ev {
            Event::Start(Tag::Table(alignments)) => {
                let plain = vec![Alignment::None; alignments.len()];
                self.alignments = std::mem::replace(alignments, plain);
            }
            Event::Start(Tag::TableHead) => (self.in_head, self.column) = (true, 0),
            Event::End(TagEnd::TableHead) => self.in_head = false,
            Event::Start(Tag::TableRow) => self.column = 0,
            Event::Start(Tag::TableCell) => {
                let alignment = self.alignments.get(self.column).copied();
                self.column += 1;
                // Static openings: a cell is too common to allocate one.
                let open = match (alignment, self.in_head) {
                    (Some(Alignment::Left), true) => "<th class=\"align-left\">",
                    (Some(Alignment::Center), true) => "<th class=\"align-center\">",
                    (Some(Alignment::Right), true) => "<th class=\"align-right\">",
                    (Some(Alignment::Left), false) => "<td class=\"align-left\">",
                    (Some(Alignment::Center), false) => "<td class=\"align-center\">",
                    (Some(Alignment::Right), false) => "<td class=\"align-right\">",
                    (Some(Alignment::None) | None, _) => return,
                };
                *ev = Event::Html(CowStr::Borrowed(open));
            }
            _ => {}
        }
    }
}

fn shift(level: HeadingLevel, by: u8) -> HeadingLevel {
    let n = (level as u8 + by).min(6);
    HeadingLevel::try_from(n as usize).unwrap_or(HeadingLevel::H6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_offsets_map_back_through_quote_markers() {
        let text = "Intro.\n\n> <div>\n> <b onclick=x>q</b>\n>   <i style=y>r</i>\n> </div>\n";
        let scan = scan(text);
        let block = &scan.raw_html[0];
        for word in ["onclick", "style", "</div>"] {
            let at = block.html.find(word).unwrap();
            assert_eq!(block.text_offset(at), text.find(word).unwrap(), "{word}");
        }
    }

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

    #[test]
    fn one_parse_gives_the_scan_and_the_html_of_two() {
        let items: BTreeSet<String> = ["stage".to_string()].into_iter().collect();
        let spec =
            HtmlSpec { evidence_items: &items, top: EVIDENCE_TOP_HEADING, scope: "assess", reach: Reach::Folder };
        for body in [
            "",
            "## Plan\n\nSee [stage](stage.md), [log](logs/run.txt) and <ops@x.example>.\n",
            "Text[^1].\n\n[^1]: Note.\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n",
            "<div onclick=\"x()\">raw <a href=\"javascript:alert(1)\">link</a></div>\n\n# Top\n",
            "![remote](https://x.example/i.png) and inline <b>bold</b>\n",
        ] {
            let (scan_once, html_once) = scan_and_render(body, &spec);
            let scanned = scan(body);
            let html = write_html(Parser::new_ext(body, options()), body.len(), &scanned.facts, &spec);
            assert_eq!(scan_once, scanned, "{body}");
            assert_eq!(html_once, html, "{body}");
        }
    }
}
