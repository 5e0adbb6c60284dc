//! Markdown into HTML for pages whose text validation did not render: free
//! pages, workload summaries, and evidence when the caller kept the Markdown
//! (`serve`). The writer itself is `crate::load::markdown::write_html`, shared
//! with validation, which renders a build's evidence from its own parse.

use crate::load::markdown::{HtmlSpec, write_html};
use crate::load::sanitize::Reach;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::collections::BTreeSet;

/// Renders a body. `evidence_items` are the item ids with evidence in this
/// workload: a link to `<item>.md` becomes a link to that item's section.
/// `top` is the level the body's highest heading becomes, so that its outline
/// nests under the page's own headings whatever level the author started at.
pub fn to_html(body: &str, evidence_items: &BTreeSet<String>, top: u8) -> String {
    to_html_in(body, evidence_items, top, "body")
}

/// [`to_html`] for a body that shares its page with others: footnote anchors
/// are named `fn-<scope>-<label>`, so two bodies' `[^1]` never collide and
/// never take an id the page uses itself.
pub(crate) fn to_html_in(body: &str, evidence_items: &BTreeSet<String>, top: u8, scope: &str) -> String {
    to_html_scanned(body, &crate::load::markdown::facts(body), evidence_items, top, scope)
}

/// [`to_html_in`] for a body whose [`Facts`](crate::load::markdown::Facts) are
/// known (validation found them): one streaming pass, no list of events.
fn to_html_scanned(
    body: &str,
    facts: &crate::load::markdown::Facts,
    evidence_items: &BTreeSet<String>,
    top: u8,
    scope: &str,
) -> String {
    let spec = HtmlSpec { evidence_items, top, scope, reach: Reach::Folder };
    write_html(Parser::new_ext(body, crate::load::markdown::options()), body.len(), facts, &spec)
}

/// A free page's body: like evidence, except that its relative links lead
/// to other pages of the site, so the sanitiser lets them climb. A first
/// heading that repeats the title (as a page written to be read on its own
/// starts) is left out, since the page shows the title already; the headings
/// below it move up a level.
pub(crate) fn page_to_html_under(title: &str, body: &str) -> String {
    page_body_html(without_title(title, body))
}

/// `body` without a first heading that says `title`, if it starts with one.
fn without_title<'b>(title: &str, body: &'b str) -> &'b str {
    let mut events = Parser::new_ext(body, crate::load::markdown::options()).into_offset_iter();
    let Some((Event::Start(Tag::Heading { .. }), range)) = events.next() else {
        return body;
    };
    let mut text = String::new();
    for (ev, _) in events.by_ref() {
        match ev {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            _ => {}
        }
    }
    let same =
        |a: &str, b: &str| a.split_whitespace().map(str::to_lowercase).eq(b.split_whitespace().map(str::to_lowercase));
    if same(&text, title) { &body[range.end..] } else { body }
}

/// A Markdown attachment's page body, under `title` (a first heading that
/// says it is left out, as on a free page). `link` maps each link and image
/// destination to where it leads on the site; `None` leaves that link out,
/// its text kept (validation has warned about it, W0012).
pub(crate) fn document_to_html(title: &str, body: &str, link: &dyn Fn(&str) -> Option<String>) -> String {
    let body = without_title(title, body);
    let empty = BTreeSet::new();
    let spec = HtmlSpec { evidence_items: &empty, top: 2, scope: "doc", reach: Reach::Site };
    // Which open links were left out, so their ends are too.
    let mut dropped: Vec<bool> = Vec::new();
    let events = Parser::new_ext(body, crate::load::markdown::options()).filter_map(|ev| match ev {
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => match link(&dest_url) {
            Some(to) => {
                dropped.push(false);
                Some(Event::Start(Tag::Link { link_type, dest_url: to.into(), title, id }))
            }
            None => {
                dropped.push(true);
                None
            }
        },
        Event::End(TagEnd::Link) => (!dropped.pop().unwrap_or(false)).then_some(Event::End(TagEnd::Link)),
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            // An image without a source is an empty box; a missing one keeps its place, unshown.
            let to = link(&dest_url).unwrap_or_default();
            Some(Event::Start(Tag::Image { link_type, dest_url: to.into(), title, id }))
        }
        other => Some(other),
    });
    let mut facts = crate::load::markdown::facts(body);
    // Rewritten links are checked again: the sanitiser runs on every document.
    facts.needs_sanitiser = true;
    write_html(events, body.len(), &facts, &spec)
}

/// The text of a body's first heading, when the body starts with one.
pub(crate) fn first_heading(body: &str) -> Option<String> {
    let mut events = Parser::new_ext(body, crate::load::markdown::options());
    let Some(Event::Start(Tag::Heading { .. })) = events.next() else {
        return None;
    };
    let mut text = String::new();
    for ev in events {
        match ev {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            _ => {}
        }
    }
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn page_body_html(body: &str) -> String {
    let empty = BTreeSet::new();
    let spec = HtmlSpec { evidence_items: &empty, top: 2, scope: "body", reach: Reach::Site };
    write_html(
        Parser::new_ext(body, crate::load::markdown::options()),
        body.len(),
        &crate::load::markdown::facts(body),
        &spec,
    )
}

/// Inline Markdown (workload summaries), shown inside a sentence or a table
/// cell: no block element survives. Headings, lists, quotes and paragraphs
/// give their text, blocks apart by a space; a code block's text stays as
/// text. Raw HTML goes through the sanitiser, as in evidence.
pub fn inline_to_html(text: &str) -> String {
    let empty = BTreeSet::new();
    let spec = HtmlSpec { evidence_items: &empty, top: 1, scope: "body", reach: Reach::Folder };
    let html = write_html(
        inline_only(Parser::new_ext(text, crate::load::markdown::options())),
        text.len(),
        &crate::load::markdown::facts(text),
        &spec,
    );
    html.trim().to_string()
}

/// The inline events of `events`, with a space where one block ends and the
/// next begins.
fn inline_only<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    let mut gap = false;
    let mut started = false;
    events.flat_map(move |ev| {
        let out: Option<Event<'a>> = match ev {
            Event::Start(tag) if is_block(&tag) => None,
            Event::End(tag) if is_block_end(&tag) => {
                gap = started;
                None
            }
            Event::Rule => {
                gap = started;
                None
            }
            // Raw HTML is sanitised as it is everywhere else (script never survives).
            Event::Html(raw) => Some(Event::InlineHtml(raw)),
            other => Some(other),
        };
        let space = out.is_some() && std::mem::take(&mut gap);
        if out.is_some() {
            started = true;
        }
        space.then(|| Event::Text(" ".into())).into_iter().chain(out)
    })
}

fn is_block(tag: &Tag) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_block_end(tag: &TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> BTreeSet<String> {
        ["stage".to_string()].into_iter().collect()
    }

    #[test]
    fn script_never_survives() {
        let out = to_html(
            "<script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">x</a>",
            &items(),
            2,
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("javascript:"), "{out}");
    }

    #[test]
    fn footnotes_are_scoped_to_their_body() {
        let out = to_html_in("Text[^1].\n\n[^1]: Note.\n", &items(), 4, "stage");
        assert!(out.contains("id=\"fn-stage-1\"") && out.contains("href=\"#fn-stage-1\""), "{out}");
        let raw = to_html_in("Text[^1] <b>raw</b>.\n\n[^1]: Note.\n", &items(), 4, "stage");
        assert!(
            raw.contains("id=\"fn-stage-1\"") && raw.contains("href=\"#fn-stage-1\""),
            "kept by the sanitiser: {raw}"
        );
    }

    #[test]
    fn markdown_alone_is_safe_too() {
        for body in [
            "[x](javascript:alert(1))",
            "![x](https://attacker.example/p.png)",
            "[x](//evil.example)",
            "<https://ok.example>",
        ] {
            let out = to_html(body, &items(), 4);
            assert!(
                !out.contains("javascript:") && !out.contains("attacker") && !out.contains("//evil"),
                "{body}: {out}"
            );
        }
        let table = to_html("| a | b | c |\n|:--|--:|---|\n| 1 | 2 | 3 |\n", &items(), 4);
        assert!(!table.contains("style="), "alignment would be an inline style: {table}");
    }

    #[test]
    fn keeps_tables_code_language_and_rewrites_evidence_links() {
        let out = to_html(
            "## Title\n\n### Sub\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```sql\nselect 1;\n```\n\nSee [stage](stage.md) and [log](logs/run.txt).\n",
            &items(),
            4,
        );
        assert!(
            out.contains("<h4>Title</h4>") && out.contains("<h5>Sub</h5>"),
            "the highest heading becomes h4: {out}"
        );
        assert!(out.contains("<table>"), "{out}");
        assert!(out.contains("class=\"language-sql\""), "{out}");
        assert!(out.contains("href=\"#item-stage\""), "{out}");
        assert!(out.contains("href=\"logs/run.txt\""), "{out}");
    }

    #[test]
    fn table_alignment_is_a_class_with_or_without_the_sanitiser() {
        let md = "| a | b | c | d |\n|:--|--:|---|:-:|\n| 1 | 2 | 3 | 5 |\n| 4 |\n";
        let want = "<th class=\"align-left\">a</th><th class=\"align-right\">b</th><th>c</th><th class=\"align-center\">d</th>";
        for body in [md.to_string(), format!("{md}\n<b>raw</b>\n")] {
            let out = to_html(&body, &items(), 4);
            assert!(out.contains(want), "{out}");
            let first = "<td class=\"align-left\">1</td><td class=\"align-right\">2</td><td>3</td><td class=\"align-center\">5</td>";
            assert!(out.contains(first), "{out}");
            let short = "<td class=\"align-left\">4</td><td class=\"align-right\"></td><td></td><td class=\"align-center\"></td>";
            assert!(out.contains(short), "{out}");
        }
    }

    #[test]
    fn a_page_does_not_repeat_its_title() {
        let out = page_to_html_under("About the programme", "# About  the Programme\n\nText.\n\n## Part\n");
        assert!(!out.contains("About"), "{out}");
        assert!(out.contains("<h2>Part</h2>"), "the next heading moves up: {out}");
        let kept = page_to_html_under("About", "# Background\n\nText.\n");
        assert!(kept.contains("<h2>Background</h2>"), "a different first heading stays: {kept}");
        let setext = page_to_html_under("About", "About\n=====\n\nText.\n");
        assert!(!setext.contains("About"), "{setext}");
    }

    #[test]
    fn inline_strips_the_paragraph() {
        assert_eq!(inline_to_html("Monthly *payroll*."), "Monthly <em>payroll</em>.");
    }

    #[test]
    fn inline_keeps_no_block() {
        let cases = [
            ("# Payroll\n\nMonthly *run*.", "Payroll Monthly <em>run</em>."),
            ("- one\n- two", "one two"),
            ("> quoted\n\n---\n\ntext", "quoted text"),
            ("```\ncode\n```", "code"),
            ("<script>alert(1)</script>\n\ntext", "text"),
            ("| a |\n|---|\n| b |", "a b"),
        ];
        for (md, want) in cases {
            assert_eq!(inline_to_html(md).split_whitespace().collect::<Vec<_>>().join(" "), want, "{md}");
        }
    }
}
