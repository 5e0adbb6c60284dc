//! URLs and site paths, in one place: percent-encoding both ways (through the
//! `percent-encoding` crate), schemes, whether a link is local, and the
//! normalisation that keeps a relative path inside its folder. Link
//! validation, the sanitiser, `serve`, SARIF and the report pages all ask here,
//! so that they cannot disagree about what a path means.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use std::collections::BTreeSet;

/// What stays as it is in a path: RFC 3986's unreserved characters and `/`.
const PATH_KEEPS: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// A relative path as a URI reference (an `href`, a SARIF location): every
/// byte outside [`PATH_KEEPS`] percent-encoded, so a name with a space, a `#`
/// or an accent still names its file.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH_KEEPS).to_string()
}

/// `%XX` escapes decoded, as a browser decodes a path before it asks for the
/// file; `None` when a `%` is not followed by two hex digits or the result is
/// not UTF-8. (`u8::from_str_radix` would take `%+1` as byte 1, where a
/// browser keeps the three characters: the check is by hand.)
pub fn decode_strict(s: &str) -> Option<String> {
    decode_checked(s, false)
}

/// [`decode_strict`], except that a `%` too near the end to start an escape
/// stays itself: how `serve` reads a request path (`cut%` is a file name).
pub fn decode_request_path(s: &str) -> Option<String> {
    decode_checked(s, true)
}

fn decode_checked(s: &str, lone_tail: bool) -> Option<String> {
    let b = s.as_bytes();
    let well_formed = b.iter().enumerate().filter(|&(_, &c)| c == b'%').all(|(i, _)| match b.get(i + 1..i + 3) {
        Some(h) => h.iter().all(u8::is_ascii_hexdigit),
        None => lone_tail,
    });
    if !well_formed {
        return None;
    }
    percent_decode_str(s).decode_utf8().ok().map(|c| c.into_owned())
}

/// `%XX` escapes decoded, anything else kept (a lone `%`) or replaced
/// (invalid UTF-8): how a lenient reader such as ammonia's URL hook sees it.
pub fn decode_lossy(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The URL scheme, if the text starts with one (`javascript:`, `https:` ...),
/// lower-cased. Anything before a colon that is not a clean scheme is still
/// returned as one, as written: browsers are lenient about what they run.
pub fn scheme_of(s: &str) -> Option<String> {
    let colon = s.find(':')?;
    let head = &s[..colon];
    if head.contains('/') || head.is_empty() {
        return None;
    }
    let cleaned: String = head.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let valid = cleaned.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && cleaned.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    Some(if valid { cleaned.to_ascii_lowercase() } else { head.to_string() })
}

/// Why a relative path cannot stay inside its folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaves {
    Backslash,
    Absolute,
    ClimbsAbove,
}

impl Leaves {
    pub fn why(self) -> &'static str {
        match self {
            Leaves::Backslash => "backslashes are not path separators here",
            Leaves::Absolute => "absolute path",
            Leaves::ClimbsAbove => "`..` climbs above it",
        }
    }
}

/// Resolves `.` and `..` without touching the disk; refuses anything that
/// would leave the folder the path is relative to.
pub fn normalise(path: &str) -> Result<String, Leaves> {
    if path.contains('\\') {
        return Err(Leaves::Backslash);
    }
    if path.starts_with('/') {
        return Err(Leaves::Absolute);
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or(Leaves::ClimbsAbove)?;
            }
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// The evidence item a relative link points at, if it names `<item>.md` in the
/// workload folder: the report shows that item, so the link becomes an anchor.
pub fn evidence_item(raw: &str, evidence_items: &BTreeSet<String>) -> Option<String> {
    if scheme_of(raw).is_some() || raw.starts_with('#') {
        return None;
    }
    let path = raw.split(['#', '?']).next()?;
    let normal = normalise(&decode_strict(path)?).ok()?;
    let stem = normal.strip_suffix(".md")?;
    evidence_items.contains(stem).then(|| stem.to_string())
}

/// The file a relative link leads to, relative to the workload folder, for
/// a link written in a file in `base` (a sub-folder of it, `""` for the
/// folder itself). `None` for URLs, in-page anchors and paths that leave the folder.
pub fn file_of(raw: &str, base: &str) -> Option<String> {
    let raw = raw.trim();
    if scheme_of(raw).is_some() || raw.starts_with('#') || raw.starts_with("//") {
        return None;
    }
    let path = decode_strict(raw.split(['#', '?']).next()?)?;
    let joined = if base.is_empty() { path } else { format!("{base}/{path}") };
    normalise(&joined).ok().filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_keeps_unreserved_characters_and_slashes() {
        assert_eq!(encode_path("a b/c#d~e.f_g-h"), "a%20b/c%23d~e.f_g-h");
        assert_eq!(encode_path("é"), "%C3%A9");
    }

    #[test]
    fn strict_decoding_wants_two_hex_digits() {
        assert_eq!(decode_strict("a%20b").as_deref(), Some("a b"));
        assert_eq!(decode_strict("%2e%2E").as_deref(), Some(".."));
        assert_eq!(decode_strict("%+1"), None);
        assert_eq!(decode_strict("100%"), None);
        assert_eq!(decode_strict("%4"), None);
        assert_eq!(decode_strict("%ff"), None, "not UTF-8");
        assert_eq!(decode_request_path("cut%").as_deref(), Some("cut%"));
        assert_eq!(decode_request_path("a%zz"), None);
        assert_eq!(decode_lossy("100%"), "100%");
        assert_eq!(decode_lossy("%2e%2e/%zz"), "../%zz");
    }

    #[test]
    fn normalising_stays_inside_the_folder() {
        assert_eq!(normalise("a/./b/../c"), Ok("a/c".into()));
        assert_eq!(normalise("../x"), Err(Leaves::ClimbsAbove));
        assert_eq!(normalise("/x"), Err(Leaves::Absolute));
        assert_eq!(normalise("a\\b"), Err(Leaves::Backslash));
    }

    #[test]
    fn schemes_and_evidence_links() {
        assert_eq!(scheme_of("HTTPS://x").as_deref(), Some("https"));
        assert_eq!(scheme_of("java\tscript:x").as_deref(), Some("javascript"));
        assert_eq!(scheme_of("a/b:c"), None);
        let items: BTreeSet<String> = ["bcdr-validation".to_string()].into();
        assert_eq!(evidence_item("./bcdr-validation.md#x", &items).as_deref(), Some("bcdr-validation"));
        assert_eq!(evidence_item("https://x/bcdr-validation.md", &items), None);
        assert_eq!(evidence_item("other.md", &items), None);
    }
}
