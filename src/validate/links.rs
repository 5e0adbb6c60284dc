//! Links from evidence: URLs with an allowed scheme, or files inside the workload folder.

use crate::diagnostics::{Code, did_you_mean};
use crate::model::Link;
use std::collections::BTreeSet;

/// Why a link was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError {
    pub code: Code,
    pub message: String,
    pub help: Option<String>,
}

/// What a link may be, beside a path inside the workload folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// `documented_in` and URL fields: http and https.
    Web,
    /// Markdown bodies: also mailto, and in-page anchors.
    Body,
}

/// Checks a link against the workload's files (`files` are relative to the folder).
/// Returns `Ok(None)` for links that point nowhere in particular (in-page anchors).
pub fn resolve(raw: &str, allowed: Allowed, files: &BTreeSet<String>) -> Result<Option<Link>, LinkError> {
    let target = raw.trim();
    if target.is_empty() {
        return Err(LinkError { code: Code::E0402, message: "empty link".into(), help: None });
    }
    if target.starts_with('#') && allowed == Allowed::Body {
        return Ok(None);
    }
    if let Some(scheme) = scheme_of(target) {
        let ok = match allowed {
            Allowed::Web => ["http", "https"].contains(&scheme.as_str()),
            Allowed::Body => ["http", "https", "mailto"].contains(&scheme.as_str()),
        };
        return if ok {
            Ok(Some(Link::Url(target.to_string())))
        } else {
            Err(LinkError {
                code: Code::E0403,
                message: format!("links with the scheme `{scheme}:` are not allowed"),
                help: Some(match allowed {
                    Allowed::Web => "use an http or https URL, or a path to a file in the workload folder".into(),
                    Allowed::Body => {
                        "use an http, https or mailto URL, or a path to a file in the workload folder".into()
                    }
                }),
            })
        };
    }
    if target.starts_with("//") {
        return Err(LinkError {
            code: Code::E0403,
            message: "scheme-relative links (`//host/...`) are not allowed".into(),
            help: Some("write the full URL with https://".into()),
        });
    }
    let path = target.split(['#', '?']).next().unwrap_or("");
    let decoded = percent_decode(path).ok_or_else(|| LinkError {
        code: Code::E0402,
        message: format!("`{path}` is not a valid path"),
        help: None,
    })?;
    let normal = normalise(&decoded)?;
    if files.contains(&normal) {
        match unpublishable(&normal) {
            Some(kind) => Err(LinkError {
                code: Code::E0404,
                message: format!(
                    "`{target}` is {kind}, which the site does not publish: a browser may run script in it"
                ),
                help: Some(
                    "attach a PDF, an image (PNG, JPEG), a text or CSV export, or pack the file into a .zip".into(),
                ),
            }),
            None => Ok(Some(Link::File(normal))),
        }
    } else if normal == "workload.yaml" {
        Err(LinkError {
            code: Code::E0402,
            message: format!("`{target}` is the workload's own description, which is not published as an attachment"),
            help: Some("link the evidence or report that holds what you want to show".into()),
        })
    } else if files.range(format!("{normal}/")..).next().is_some_and(|f| f.starts_with(&format!("{normal}/"))) {
        Err(LinkError {
            code: Code::E0402,
            message: format!("`{target}` is a folder; the site publishes files, not folders"),
            help: Some("link each file the evidence needs, or pack the folder into a .zip".into()),
        })
    } else {
        Err(LinkError {
            code: Code::E0402,
            message: format!("`{target}` does not exist in the workload folder"),
            help: web_address_hint(target)
                .or_else(|| did_you_mean(&normal, files.iter().map(String::as_str)))
                .or_else(|| Some("add the file to the workload folder, or fix the path".into())),
        })
    }
}

/// A hint for a web address written without its scheme (`wiki.example.org/page`),
/// which would otherwise be read as a path: its first part has a host's dots.
fn web_address_hint(target: &str) -> Option<String> {
    let (host, rest) = target.split_once('/').unwrap_or((target, ""));
    let labels: Vec<&str> = host.split('.').collect();
    let hostlike = labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    // `notes.md` alone is a file name; `www.`, three labels, or a path after the host are an address.
    let address = host.starts_with("www.") || labels.len() >= 3 || !rest.is_empty();
    (hostlike && address).then(|| format!("if it is a web address, write it with its scheme: `https://{target}`"))
}

/// The kinds of attachment the site publishes, by extension (lower-cased):
/// documents, pictures, text and data exports, archives and recordings,
/// which browsers show inertly or download. Anything else is refused, because
/// a file published on the site's own origin runs with its rights and outside
/// every page's Content-Security-Policy, and what a browser does with a file
/// depends on the type the server gives its extension: `.xhtm`, `.rdf` or a
/// name with no extension can all be sent as a document that runs script. A
/// list of the dangerous kinds could never be complete; this one can be.
#[rustfmt::skip]
pub const PUBLISHED_KINDS: &[&str] = &[
    // documents
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "vsdx",
    // pictures
    "png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "tif", "tiff",
    // text and data exports
    "txt", "text", "log", "csv", "tsv", "json", "yaml", "yml", "toml", "ini", "cfg", "conf", "md", "sql", "diff",
    "patch", "har",
    // archives
    "zip", "gz", "tgz", "tar", "7z", "bz2", "xz", "zst",
    // captures and recordings
    "pcap", "pcapng", "mp4", "webm", "mov",
];

/// Why `path` is not published, if it is not a kind in [`PUBLISHED_KINDS`]:
/// "a .html file", "a file without an extension".
fn unpublishable(path: &str) -> Option<String> {
    // Some servers drop trailing dots and spaces from a name (`x.html.`).
    let name = path.rsplit('/').next().unwrap_or(path).trim_end_matches(['.', ' ']);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => {
            let ext = ext.to_ascii_lowercase();
            (!PUBLISHED_KINDS.contains(&ext.as_str())).then(|| format!("a .{ext} file"))
        }
        _ => Some("a file without an extension".into()),
    }
}

/// The evidence item a relative link points at, if it names `<item>.md` in the
/// workload folder: the report shows that item, so the link becomes an anchor.
pub fn evidence_item(raw: &str, evidence_items: &BTreeSet<String>) -> Option<String> {
    if scheme_of(raw).is_some() || raw.starts_with('#') {
        return None;
    }
    let path = raw.split(['#', '?']).next()?;
    let normal = normalise(&percent_decode(path)?).ok()?;
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
    let path = percent_decode(raw.split(['#', '?']).next()?)?;
    let joined = if base.is_empty() { path } else { format!("{base}/{path}") };
    normalise(&joined).ok().filter(|p| !p.is_empty())
}

/// The URL scheme, if the text starts with one (`javascript:`, `https:` ...). Lower-cased.
pub(crate) fn scheme_of(s: &str) -> Option<String> {
    let colon = s.find(':')?;
    let head = &s[..colon];
    if head.contains('/') || head.is_empty() {
        return None;
    }
    let cleaned: String = head.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let valid = cleaned.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && cleaned.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    // Anything before a colon that is not a clean scheme is still refused as one: browsers are lenient.
    Some(if valid { cleaned.to_ascii_lowercase() } else { head.to_string() })
}

/// `%XX` escapes decoded, as a browser decodes a path before it asks for the
/// file. `%` must be followed by exactly two hex digits (see [`hex_pair`]).
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(hex_pair(*b.get(i + 1)?, *b.get(i + 2)?)?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The byte two hex digits spell. `u8::from_str_radix` would also take a
/// sign, reading `%+1` as byte 1 where a browser keeps the three characters.
pub(crate) fn hex_pair(hi: u8, lo: u8) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16);
    Some((digit(hi)? << 4 | digit(lo)?) as u8)
}

/// Resolves `.` and `..` without touching the disk; refuses anything that would leave the folder.
pub(crate) fn normalise(path: &str) -> Result<String, LinkError> {
    let leaves = |why: &str| LinkError {
        code: Code::E0401,
        message: format!("link `{path}` leaves the workload folder ({why})"),
        help: Some("evidence may only link to files inside its own workload folder; copy the file there".into()),
    };
    if path.contains('\\') {
        return Err(leaves("backslashes are not path separators here"));
    }
    if path.starts_with('/') {
        return Err(leaves("absolute path"));
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(leaves("`..` climbs above it"));
                }
            }
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_are_two_hex_digits() {
        assert_eq!(percent_decode("a%20b%2Fc%2e").as_deref(), Some("a b/c."));
        assert_eq!(percent_decode("caf%C3%A9").as_deref(), Some("caf\u{e9}"));
        for bad in ["%+1", "%-1", "% 1", "%1", "%", "%zz", "%1g", "%C3", "a%\u{e9}9"] {
            assert_eq!(percent_decode(bad), None, "{bad}");
        }
    }

    fn files() -> BTreeSet<String> {
        ["runbooks/stage.md", "report.csv", "my file.txt"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn accepts_files_and_web_urls() {
        assert_eq!(
            resolve("runbooks/stage.md", Allowed::Web, &files()),
            Ok(Some(Link::File("runbooks/stage.md".into())))
        );
        assert_eq!(
            resolve("./runbooks/../report.csv#x", Allowed::Web, &files()),
            Ok(Some(Link::File("report.csv".into())))
        );
        assert_eq!(resolve("my%20file.txt", Allowed::Body, &files()), Ok(Some(Link::File("my file.txt".into()))));
        assert!(matches!(resolve("https://wiki.example/x", Allowed::Web, &files()), Ok(Some(Link::Url(_)))));
        assert!(matches!(resolve("mailto:a@b.example", Allowed::Body, &files()), Ok(Some(Link::Url(_)))));
        assert_eq!(resolve("#top", Allowed::Body, &files()), Ok(None));
    }

    #[test]
    fn refuses_attachments_a_browser_would_run() {
        let files: BTreeSet<String> = [
            "x.html",
            "a/Diagram.SVG",
            "b/page.xhtml",
            "junit.xml",
            "c/app.js",
            "y.htm. ",
            "notes.txt",
            "shot.png",
            "html",
            "r/report.xhtm",
            "r/feed.RDF",
            "r/plan.xpdl",
            "r/.htaccess",
            "logs/run.log",
            "data/Export.CSV",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for active in [
            "x.html",
            "a/Diagram.SVG",
            "b/page.xhtml",
            "junit.xml",
            "c/app.js",
            "./a/../x.html#top",
            "y.htm.%20",
            "r/report.xhtm",
            "r/feed.RDF",
            "r/plan.xpdl",
            "html",
            "r/.htaccess",
        ] {
            let e = resolve(active, Allowed::Body, &files).unwrap_err();
            assert_eq!(e.code, Code::E0404, "{active}");
        }
        for plain in ["notes.txt", "shot.png", "logs/run.log", "data/Export.CSV"] {
            assert!(matches!(resolve(plain, Allowed::Body, &files), Ok(Some(Link::File(_)))), "{plain}");
        }
    }

    #[test]
    fn says_why_an_existing_name_is_not_a_file_to_link() {
        let files: BTreeSet<String> = ["docs/a.pdf", "docsx.txt"].iter().map(|s| s.to_string()).collect();
        for (link, says) in [("docs", "is a folder"), ("./docs/", "is a folder"), ("workload.yaml", "own description")]
        {
            let e = resolve(link, Allowed::Body, &files).unwrap_err();
            assert_eq!(e.code, Code::E0402, "{link}");
            assert!(e.message.contains(says), "{link}: {}", e.message);
        }
        let e = resolve("doc", Allowed::Body, &files).unwrap_err();
        assert!(e.message.contains("does not exist"), "{}", e.message);
    }

    #[test]
    fn refuses_escapes_and_schemes() {
        for (link, code) in [
            ("../other/x.md", Code::E0401),
            ("/etc/passwd", Code::E0401),
            ("%2e%2e/x", Code::E0401),
            ("runbooks\\..\\..\\x", Code::E0401),
            ("javascript:alert(1)", Code::E0403),
            ("JavaScript:alert(1)", Code::E0403),
            ("java\tscript:alert(1)", Code::E0403),
            ("data:text/html,x", Code::E0403),
            ("//evil.example/x", Code::E0403),
            ("mailto:x@y", Code::E0403),
            ("missing.md", Code::E0402),
        ] {
            let allowed = if link.starts_with("mailto") { Allowed::Web } else { Allowed::Body };
            assert_eq!(resolve(link, allowed, &files()).unwrap_err().code, code, "{link}");
        }
    }

    #[test]
    fn suggests_near_file_names() {
        let e = resolve("runbooks/stag.md", Allowed::Web, &files()).unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `runbooks/stage.md`?"));
    }
}
