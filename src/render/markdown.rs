//! Markdown into HTML for pages whose text validation did not render: free
//! pages, workload summaries, and evidence when the caller kept the Markdown
//! (`serve`). The writer itself is [`crate::load::markdown::write_html`], shared
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
pub fn to_html_in(body: &str, evidence_items: &BTreeSet<String>, top: u8, scope: &str) -> String {
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
/// to other pages of the site, so the sanitiser lets them climb.
pub fn page_to_html(body: &str) -> String {
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
