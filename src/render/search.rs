//! `search-evidence.js`: the words of every published evidence body, for the
//! site search. It is a file of its own, apart from `search-index.js` (names,
//! owners, releases), because at portfolio scale it is the larger of the two
//! and `assets/search.js` loads either only once someone types in the search
//! box.
//!
//! The shape keeps it small: every distinct word once in `words`, most
//! frequent first, and per evidence body the base-36 numbers of its distinct
//! words. Words come from the body's report HTML, which the public edition has
//! already emptied of withheld evidence, so the index never holds text that
//! the pages do not show.

use crate::core::model::Portfolio;
use crate::validate::BodyHtml;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Words shorter than this are not indexed: they match too much to help.
const MIN_WORD: usize = 3;
/// Longer runs (hashes, encoded data) are not words anyone types.
const MAX_WORD: usize = 40;

#[derive(Serialize)]
struct EvidenceIndex<'a> {
    /// Every indexed word, the most frequent first (so the most frequent get the shortest numbers).
    words: Vec<&'a str>,
    /// `[workload id, item id, item title, "n n n"]`: the numbers (base 36) of the body's words.
    bodies: Vec<(&'a str, &'a str, &'a str, String)>,
}

/// The script that sets `window.CUTOVER_EVIDENCE`.
pub fn evidence_index(p: &Portfolio, html: &BodyHtml) -> Vec<u8> {
    let titles: BTreeMap<&str, &str> = p.checklist.items.iter().map(|i| (i.id.as_str(), i.title.as_str())).collect();
    // Reading 150,000 bodies is the work here: one workload per task, in the
    // order of the portfolio (rayon's collect keeps it), so the output is the same.
    let per_body: Vec<(&str, &str, &str, Vec<String>)> = p
        .workloads
        .par_iter()
        .flat_map_iter(|(_, w)| {
            let titles = &titles;
            // The report's HTML: validation's when a build kept it, else rendered
            // now as the report does (the library's render keeps the Markdown).
            let with_evidence: BTreeSet<String> = w.evidence.keys().map(|k| k.0.clone()).collect();
            w.evidence.iter().filter_map(move |(item, ev)| {
                let written = html.get(w.id.as_str(), item.as_str());
                let words = words_of(&super::context::body_html(&ev.body, written, &with_evidence, item.as_str()));
                let title = titles.get(item.as_str()).copied().unwrap_or(item.as_str());
                (!words.is_empty()).then_some((w.id.as_str(), item.as_str(), title, words))
            })
        })
        .collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for (.., words) in &per_body {
        for word in words {
            *count.entry(word.as_str()).or_default() += 1;
        }
    }
    let mut words: Vec<&str> = count.keys().copied().collect();
    // Most frequent first; ties alphabetical, so the output is deterministic.
    words.sort_by(|a, b| count[b].cmp(&count[a]).then(a.cmp(b)));
    let number: BTreeMap<&str, usize> = words.iter().enumerate().map(|(i, w)| (*w, i)).collect();
    let bodies = per_body
        .iter()
        .map(|(w, i, t, ws)| {
            let mut ids: Vec<usize> = ws.iter().map(|x| number[x.as_str()]).collect();
            ids.sort_unstable();
            (*w, *i, *t, ids.iter().map(|&n| base36(n)).collect::<Vec<_>>().join(" "))
        })
        .collect();
    let index = EvidenceIndex { words, bodies };
    let json = serde_json::to_string(&index).expect("plain data serialises").replace('<', "\\u003c");
    format!("window.CUTOVER_EVIDENCE = {json};\n").into_bytes()
}

/// The distinct words of report HTML, lower-cased: text outside tags,
/// character references as separators (they are punctuation in practice).
pub fn words_of(html: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_tag = false;
    let mut in_ref = false;
    let mut flush = |word: &mut String| {
        let n = word.chars().count();
        if (MIN_WORD..=MAX_WORD).contains(&n) && seen.insert(word.clone()) {
            out.push(word.clone());
        }
        word.clear();
    };
    for c in html.chars() {
        match c {
            '<' => {
                flush(&mut word);
                in_tag = true;
            }
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            '&' => {
                flush(&mut word);
                in_ref = true;
            }
            ';' if in_ref => in_ref = false,
            c if in_ref && (c.is_alphanumeric() || c == '#') => {}
            // `_` joins words as in names (pg_dump), which people search whole.
            c if c.is_alphanumeric() || c == '_' => word.extend(c.to_lowercase()),
            _ => {
                in_ref = false;
                flush(&mut word);
            }
        }
    }
    flush(&mut word);
    out
}

fn base36(mut n: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut s = Vec::new();
    loop {
        s.push(DIGITS[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII digits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_skip_tags_and_references_and_repeat_once() {
        let html = r#"<p class="x">Failover to <a href="https://zürich.example">Zürich</a> &amp; back&#39;s OK: failover <code>pg_dump</code></p>"#;
        assert_eq!(words_of(html), ["failover", "zürich", "back", "pg_dump"]);
    }

    #[test]
    fn words_drop_short_and_very_long_runs() {
        let long = "a".repeat(41);
        assert_eq!(words_of(&format!("<p>an ox {long} runbook</p>")), ["runbook"]);
    }

    #[test]
    fn base36_numbers() {
        let shown: Vec<String> = [0, 9, 10, 35, 36, 1295, 1296].into_iter().map(base36).collect();
        assert_eq!(shown, ["0", "9", "a", "z", "10", "zz", "100"]);
    }
}
