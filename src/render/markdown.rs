//! Evidence Markdown into HTML that is safe to put in a page: links rewritten
//! for the report, headings nested under the item, and sanitised wherever
//! the Markdown could carry anything unsafe.

use pulldown_cmark::{Alignment, CowStr, Event, HeadingLevel, Parser, Tag, TagEnd, html};
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
    to_html_scanned(body, &crate::markdown::facts(body), evidence_items, top, scope)
}

/// [`to_html_in`] for a body whose [`Facts`](crate::markdown::Facts) are
/// known (validation found them): one streaming pass, no list of events.
pub fn to_html_scanned(
    body: &str,
    facts: &crate::markdown::Facts,
    evidence_items: &BTreeSet<String>,
    top: u8,
    scope: &str,
) -> String {
    let footnote = |label: CowStr| CowStr::from(format!("fn-{scope}-{label}"));
    let heading_shift = top.saturating_sub(facts.highest_heading.unwrap_or(top));
    let mut table = TableCells::default();
    let events = Parser::new_ext(body, crate::markdown::options()).map(|ev| match ev {
        Event::FootnoteReference(label) => Event::FootnoteReference(footnote(label)),
        Event::Start(Tag::FootnoteDefinition(label)) => Event::Start(Tag::FootnoteDefinition(footnote(label))),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url: rewrite(dest_url, evidence_items), title, id })
        }
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: shift(level, heading_shift), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(level, heading_shift))),
        other => table.map(other),
    });
    let mut raw = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut raw, events);
    if facts.needs_sanitiser { crate::sanitize::clean(&raw) } else { raw }
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
    fn map<'a>(&mut self, ev: Event<'a>) -> Event<'a> {
        match ev {
            Event::Start(Tag::Table(alignments)) => {
                let plain = vec![Alignment::None; alignments.len()];
                self.alignments = alignments;
                Event::Start(Tag::Table(plain))
            }
            Event::Start(Tag::TableHead) => {
                (self.in_head, self.column) = (true, 0);
                ev
            }
            Event::End(TagEnd::TableHead) => {
                self.in_head = false;
                ev
            }
            Event::Start(Tag::TableRow) => {
                self.column = 0;
                ev
            }
            Event::Start(Tag::TableCell) => {
                let class = match self.alignments.get(self.column) {
                    Some(Alignment::Left) => "align-left",
                    Some(Alignment::Center) => "align-center",
                    Some(Alignment::Right) => "align-right",
                    _ => "",
                };
                self.column += 1;
                match (class, self.in_head) {
                    ("", _) => ev,
                    (c, true) => Event::Html(format!("<th class=\"{c}\">").into()),
                    (c, false) => Event::Html(format!("<td class=\"{c}\">").into()),
                }
            }
            other => other,
        }
    }
}

/// Inline Markdown (workload summaries): no block elements survive.
pub fn inline_to_html(text: &str) -> String {
    let html = to_html(text, &BTreeSet::new(), 1);
    let trimmed = html.trim();
    trimmed.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")).unwrap_or(trimmed).to_string()
}

fn shift(level: HeadingLevel, by: u8) -> HeadingLevel {
    let n = (level as u8 + by).min(6);
    HeadingLevel::try_from(n as usize).unwrap_or(HeadingLevel::H6)
}

fn rewrite<'a>(dest: CowStr<'a>, evidence_items: &BTreeSet<String>) -> CowStr<'a> {
    match crate::validate::links::evidence_item(&dest, evidence_items) {
        Some(item) => CowStr::from(format!("#item-{item}")),
        None => dest,
    }
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
        let md = "| a | b | c |\n|:--|--:|---|\n| 1 | 2 | 3 |\n| 4 |\n";
        let want = "<th class=\"align-left\">a</th><th class=\"align-right\">b</th><th>c</th>";
        for body in [md.to_string(), format!("{md}\n<b>raw</b>\n")] {
            let out = to_html(&body, &items(), 4);
            assert!(out.contains(want), "{out}");
            assert!(out.contains("<td class=\"align-left\">1</td><td class=\"align-right\">2</td><td>3</td>"), "{out}");
            assert!(out.contains("<td class=\"align-left\">4</td><td class=\"align-right\"></td><td></td>"), "{out}");
        }
    }

    #[test]
    fn inline_strips_the_paragraph() {
        assert_eq!(inline_to_html("Monthly *payroll*."), "Monthly <em>payroll</em>.");
    }
}
