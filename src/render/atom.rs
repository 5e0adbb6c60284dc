//! `changes.atom`: the history's changes as an Atom 1.0 feed (RFC 4287),
//! newest first, one entry per change, each linking to the workload's report.
//!
//! Deterministic: the feed is `updated` at the as-of date, each entry at its
//! day (midnight UTC), and ids are made from the site's title, the day and the
//! workload, never from the clock.

use crate::core::model::Portfolio;
use crate::evaluate::history::History;
use std::fmt::Write as _;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// Characters that are not allowed in XML 1.0 text (control characters) are dropped.
fn xml_text(s: &str) -> String {
    esc(&s.chars().filter(|c| !c.is_control() || matches!(c, '\t' | '\n')).collect::<String>())
}

pub fn feed(p: &Portfolio, h: &History, as_of: crate::core::date::Date) -> Vec<u8> {
    let base = p.site.base_url.as_deref().map(|b| format!("{}/", b.trim_end_matches('/')));
    let link = |rel: &str| format!("{}{rel}", base.as_deref().unwrap_or(""));
    // A tag URI (RFC 4151) that stays the same from build to build of one site.
    let digest = crate::core::digest::sha256_hex(p.site.title.as_bytes());
    let id = format!("tag:cutover.invalid,2026:{}", &digest[..16]);
    let mut s =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(s, "  <title>{} - readiness changes</title>", xml_text(&p.site.title));
    let _ = writeln!(s, "  <id>{id}</id>");
    let _ = writeln!(s, "  <updated>{as_of}T00:00:00Z</updated>");
    let _ = writeln!(
        s,
        "  <author><name>{}</name></author>",
        xml_text(p.site.organisation.as_deref().unwrap_or(&p.site.title))
    );
    let _ = writeln!(s, "  <generator>cutover</generator>");
    let _ = writeln!(s, "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", esc(&link("index.html")));
    if base.is_some() {
        let _ =
            writeln!(s, "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>", esc(&link("changes.atom")));
    }
    for c in h.changes.iter().rev() {
        let workload = crate::core::url::encode_path(&c.workload);
        let href = link(&format!("workloads/{workload}/index.html"));
        let who = c.cause();
        let _ = writeln!(s, "  <entry>");
        let _ = writeln!(s, "    <title>{}: {}</title>", xml_text(&c.name), xml_text(&c.describe()));
        let _ = writeln!(s, "    <id>{id}/{}/{workload}</id>", c.date);
        let _ = writeln!(s, "    <updated>{}T00:00:00Z</updated>", c.date);
        let author = c.author_name.as_deref().filter(|n| !n.is_empty()).or(c.author.as_deref()).unwrap_or("cutover");
        let _ = writeln!(s, "    <author><name>{}</name></author>", xml_text(author));
        let _ = writeln!(s, "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", esc(&href));
        let mut summary = format!("{} ({}) is {} on {}; brought by {who}", c.name, c.workload, c.describe(), c.date);
        if c.author.is_some() {
            let _ = write!(summary, " in commit {}", c.short_commit());
            if let Some(subject) = &c.subject {
                let _ = write!(summary, " ({subject})");
            }
        }
        summary.push('.');
        let _ = writeln!(s, "    <summary>{}</summary>", xml_text(&summary));
        let _ = writeln!(s, "  </entry>");
    }
    s.push_str("</feed>\n");
    s.into_bytes()
}
