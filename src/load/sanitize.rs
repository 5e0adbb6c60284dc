//! The HTML sanitiser for evidence, and a way to tell an author what it removed.
//! Validation and rendering share it so a warning always matches the page.

mod tags;

use std::sync::OnceLock;
use tags::{TagInfo, start_tags};

/// Where a relative link in sanitised HTML may lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Evidence and summaries: within the workload folder. Validation refuses
    /// a link that climbs out (E0401), reading raw HTML with the same
    /// tokenizer; the sanitiser drops such a link as well, so that a page
    /// built without validation (or a tokenizer state the reading gets
    /// wrong, such as inside `<svg>`) cannot publish one.
    Folder,
    /// Free pages, whose relative links lead to other pages of the site.
    Site,
}

/// The sanitiser for `reach`, built once: what evidence legitimately needs
/// (tables, code with its language class, task lists, images) and nothing
/// that runs.
fn builder(reach: Reach) -> &'static ammonia::Builder<'static> {
    static FOLDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    static SITE: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    match reach {
        Reach::Folder => FOLDER.get_or_init(|| build(keep_in_folder)),
        Reach::Site => SITE.get_or_init(|| build(keep_in_site)),
    }
}

fn build(relative: fn(&str) -> Option<std::borrow::Cow<'_, str>>) -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    // Relative URLs stay, but `//host` (and the `/\host` browsers read the same way) leaves the site.
    b.url_relative(ammonia::UrlRelative::Custom(Box::new(relative)));
    b.url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("td", ["class"])
        .add_tag_attributes("th", ["class"])
        .add_tag_attributes("ol", ["start"])
        .add_tag_attributes("img", ["src", "alt", "title"])
        .add_tag_attributes("div", ["id"]);
    b.attribute_filter(|element, attribute, value| match (element, attribute) {
        ("code", "class") => value
            .split_whitespace()
            .all(|c| {
                c.strip_prefix("language-")
                    .is_some_and(|l| l.chars().all(|ch| ch.is_ascii_alphanumeric() || "+-_".contains(ch)))
            })
            .then(|| value.into()),
        // Table alignment, which the Markdown renderer writes as a class.
        ("td" | "th", "class") => ["align-left", "align-center", "align-right"].contains(&value).then(|| value.into()),
        ("input", "type") => (value == "checkbox").then(|| value.into()),
        // Footnote anchors, which the renderer names `fn-<scope>-<label>`; no other ids.
        ("div", "id") => value.starts_with("fn-").then(|| value.into()),
        // Images come from the workload folder only: no tracking pixels, nothing the CSP would block.
        ("img", "src") => is_local(value).then(|| value.into()),
        _ => Some(value.into()),
    });
    b
}

/// [`keep_in_site`], and not above the folder of the page: `..` segments,
/// however written (`%2e%2e`, backslashes), may not climb past the start.
/// A Markdown attachment in a sub-folder is published as a page, so a raw
/// HTML link to it leads to the page, as a Markdown link does (evidence files,
/// directly in the folder, are not attachments and stay as written).
fn keep_in_folder(url: &str) -> Option<std::borrow::Cow<'_, str>> {
    let kept = keep_in_site(url).filter(|_| !climbs_out(url))?;
    let path = kept.split(['?', '#']).next().unwrap_or("");
    match crate::core::url::normalise(&crate::core::url::decode_lossy(path)) {
        Ok(normal) if normal.contains('/') => match crate::core::documents::link_to_page(&kept) {
            Some(page) => Some(page.into()),
            None => Some(kept),
        },
        _ => Some(kept),
    }
}

/// Whether a relative URL's path climbs above where it starts. Escapes are
/// decoded and backslashes read as slashes, as some servers do.
fn climbs_out(url: &str) -> bool {
    let view = browser_view(url);
    let path = view.split(['?', '#']).next().unwrap_or("");
    let mut depth = 0usize;
    for segment in crate::core::url::decode_lossy(path).split(['/', '\\']) {
        match segment.trim() {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return true,
            },
            _ => depth += 1,
        }
    }
    false
}

/// Relative URLs stay, but `//host` (and `/\\host` or `\\\\host`, which
/// browsers read the same way) would leave the site: the sanitiser drops them.
fn keep_in_site(url: &str) -> Option<std::borrow::Cow<'_, str>> {
    let t = browser_view(url);
    let leaves = t.starts_with("//") || t.starts_with("/\\") || t.starts_with('\\');
    (!leaves).then_some(std::borrow::Cow::Borrowed(url))
}

/// A URL as a browser reads it: C0 control characters and spaces trimmed
/// from both ends, tabs and line breaks inside removed (the URL standard's
/// first steps). Checked as written, a control character before `\\host`
/// hid a link that a browser follows to another site.
pub fn browser_view(url: &str) -> std::borrow::Cow<'_, str> {
    let t = url.trim_matches(|c: char| c <= ' ');
    match t.contains(['\t', '\n', '\r']) {
        true => t.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect::<String>().into(),
        false => t.into(),
    }
}

/// A link the sanitiser would keep as it is: an in-page anchor, a relative
/// path, or an http, https or mailto URL without tricks (whitespace, controls).
pub(crate) fn is_safe_link(url: &str) -> bool {
    if url.starts_with('#') || is_local(url) {
        return !url.chars().any(|c| c.is_control());
    }
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:"].iter().any(|p| lower.starts_with(p))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A relative URL inside the site: no scheme, not scheme-relative, not absolute.
pub(crate) fn is_local(url: &str) -> bool {
    let u = browser_view(url);
    let head = u.split(['/', '?', '#']).next().unwrap_or("");
    !u.is_empty() && !u.starts_with('/') && !u.starts_with('\\') && !head.contains(':')
}

/// Sanitises rendered HTML whose relative links may lead as far as `reach`.
pub fn clean(html: &str, reach: Reach) -> String {
    builder(reach).clean(html).to_string()
}

/// What sanitising a fragment of raw HTML takes away, in words such as
/// "`<script>`" or "`onerror` on `<img>`". Empty when the fragment survives whole.
pub(crate) fn removed_parts(fragment: &str, reach: Reach) -> Vec<String> {
    let mut out: Vec<String> = removed_parts_at(fragment, reach).into_iter().map(|(what, _)| what).collect();
    out.dedup();
    out
}

/// [`removed_parts`], each with the byte offset in `fragment` of the tag or
/// attribute it names, so a warning can point at the line that has it.
pub(crate) fn removed_parts_at(fragment: &str, reach: Reach) -> Vec<(String, usize)> {
    let cleaned = start_tags(&clean(fragment, reach));
    let mut out: Vec<(String, usize)> = Vec::new();
    let mut next = 0;
    for TagInfo { name, attrs, at } in start_tags(fragment) {
        match cleaned[next..].iter().position(|t| t.name == name) {
            Some(offset) => {
                let kept = &cleaned[next + offset].attrs;
                out.extend(
                    attrs
                        .iter()
                        .filter(|(a, _, _)| !kept.iter().any(|(k, _, _)| k == a))
                        .map(|(a, _, attr_at)| (format!("`{a}` on `<{name}>`"), *attr_at)),
                );
                next += offset + 1;
            }
            None => out.push((format!("`<{name}>`"), at)),
        }
    }
    out
}

/// The values of URL attributes (`href`, `src`) in a fragment, with their offsets.
pub(crate) fn url_attributes(fragment: &str) -> Vec<(String, usize)> {
    start_tags(fragment)
        .into_iter()
        .flat_map(|t| t.attrs.into_iter())
        .filter(|(name, value, _)| (name == "href" || name == "src") && !value.trim().is_empty())
        .map(|(_, value, at)| (value, at))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_the_way_a_browser_reads_them() {
        // Found by the markdown_render fuzzer: controls before `\\host` hid a scheme-relative link.
        for href in ["\n\u{16}\u{16}\\\\\\host", "\u{1}//host", " \t/\\host", "/\t/host", "\u{16}\\host"] {
            let html = format!("<a href=\"{href}\">x</a><img src=\"{href}\" alt=\"\">");
            let out = clean(&html, Reach::Folder);
            assert!(!out.contains("host"), "{href:?} survived: {out}");
            assert!(!is_local(href), "{href:?} is not inside the site");
            assert!(!is_safe_link(href), "{href:?}");
        }
        assert!(is_local("\u{1}reports/a.csv"), "a control before a relative path keeps it relative");
        assert!(clean("<a href=\"reports/a.csv\">a</a>", Reach::Folder).contains("href=\"reports/a.csv\""));
        let runbook = clean("<a href=\"runbooks/stage.md#step-2\">r</a> <a href=\"stage.md\">s</a>", Reach::Folder);
        assert!(runbook.contains("href=\"runbooks/stage.html#step-2\""), "an attachment's page: {runbook}");
        assert!(runbook.contains("href=\"stage.md\""), "evidence stays as written: {runbook}");
    }

    #[test]
    fn benign_html_is_not_reported() {
        assert!(removed_parts("<b>bold</b> and <a href=\"https://x.example\">x</a>", Reach::Folder).is_empty());
        assert!(removed_parts("<table><tr><td>1</td></tr></table>", Reach::Folder).is_empty());
        assert!(removed_parts("<details><summary>More</summary>text</details>", Reach::Folder).is_empty());
        assert!(removed_parts("<!-- a note -->", Reach::Folder).is_empty());
    }

    #[test]
    fn reads_url_attributes() {
        let f = "<a title=x href=\"../up.txt\">x</a><img src='p.png'>";
        let urls = url_attributes(f);
        assert_eq!(urls, [("../up.txt".to_string(), 11), ("p.png".to_string(), 38)]);
        assert!(f[11..].starts_with("href") && f[38..].starts_with("src"));
    }

    #[test]
    fn safe_links_are_plain() {
        for ok in ["#top", "reports/a.csv", "https://x.example/a?b=c", "mailto:a@b.example", "HTTPS://X.EXAMPLE"] {
            assert!(is_safe_link(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "//evil.example",
            "/etc/passwd",
            "java\tscript:x",
            "data:text/html,x",
            "https://x y",
        ] {
            assert!(!is_safe_link(bad), "{bad}");
        }
    }

    #[test]
    fn entities_in_urls_are_decoded() {
        let url = |html: &str| url_attributes(html).into_iter().map(|(u, _)| u).collect::<Vec<_>>();
        assert_eq!(url("<a href='&#106;avascript&colon;alert(1)'>"), ["javascript:alert(1)"]);
        assert_eq!(url("<a href=&#x6A;ava&Tab;script:x>"), ["java\tscript:x"]);
        assert_eq!(url("<a href=\"a&amp;b&unknown;c&\">"), ["a&b&unknown;c&"]);
        assert!(url_attributes("<img src onerror=x>").is_empty());
    }

    #[test]
    fn images_come_from_the_folder_only() {
        assert!(removed_parts("<img src=\"reports/chart.png\" alt=\"c\">", Reach::Folder).is_empty());
        for src in
            ["https://attacker.example/p.png", "//attacker.example/p.png", "/etc/p.png", "data:image/png;base64,AAAA"]
        {
            assert_eq!(removed_parts(&format!("<img src=\"{src}\">"), Reach::Folder), ["`src` on `<img>`"], "{src}");
        }
    }

    #[test]
    fn evidence_links_stay_in_the_folder_and_page_links_may_climb() {
        for out in ["../x", "a/../../x", "%2e%2e/x", ".%2E/x", "..\\x", "a/..%2f..%2fx", " ../x", "a/%2e%2e/%2e%2e/x"] {
            let html = format!("<a href=\"{out}\">x</a>");
            assert!(!clean(&html, Reach::Folder).contains("href"), "{out}");
            assert!(clean(&html, Reach::Site).contains("href"), "{out}");
        }
        for inside in ["x.pdf", "a/../x.pdf", "./a/b/../../c.txt", "a%2fb.txt", "#top", "...x"] {
            let html = format!("<a href=\"{inside}\">x</a>");
            assert!(clean(&html, Reach::Folder).contains("href"), "{inside}");
        }
        // A link inside an attribute that `</textarea>` ends: the sanitiser drops it too.
        let hidden = "<textarea><p title=\"</textarea><a href=../../outside.html>up</a>\"></textarea>";
        assert!(!clean(hidden, Reach::Folder).contains("outside.html\""));
    }

    #[test]
    fn names_what_was_removed() {
        assert_eq!(removed_parts("<script>alert(1)</script>", Reach::Folder), ["`<script>`"]);
        assert_eq!(removed_parts("<img src=x.png onerror='alert(1)'>", Reach::Folder), ["`onerror` on `<img>`"]);
        assert_eq!(removed_parts("<a href=\"javascript:alert(1)\">x</a>", Reach::Folder), ["`href` on `<a>`"]);
        assert_eq!(removed_parts("<iframe srcdoc=x></iframe><b>ok</b>", Reach::Folder), ["`<iframe>`"]);
    }
}
