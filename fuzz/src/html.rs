//! A small reader for the sanitiser's output (serialised by html5ever, so
//! attribute values are always quoted) that asserts it cannot run anything.

/// Elements that may never reach a reader's browser.
const BANNED_TAGS: &[&str] = &[
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "base",
    "meta",
    "link",
    "svg",
    "math",
    "template",
    "noscript",
    "xmp",
    "plaintext",
    "button",
    "select",
    "textarea",
];
/// Attributes whose value is a URL.
const URL_ATTRS: &[&str] =
    &["href", "src", "cite", "action", "formaction", "background", "poster", "longdesc", "xlink:href", "srcset"];
const SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Panics if `html` holds a script element, an event-handler attribute, inline
/// style, or a URL with a scheme other than http, https or mailto.
pub fn assert_inert(html: &str) {
    let b = html.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        i += 1;
        assert!(b.get(i) != Some(&b'!'), "comment or doctype in sanitised output: {html}");
        let closing = b.get(i) == Some(&b'/');
        if closing {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b':') {
            i += 1;
        }
        let tag = html[name_start..i].to_ascii_lowercase();
        assert!(!tag.is_empty(), "a bare `<` in sanitised output (text must be escaped): {html}");
        assert!(!BANNED_TAGS.contains(&tag.as_str()), "<{tag}> in sanitised output: {html}");
        // Attributes up to the closing `>`.
        loop {
            while i < b.len() && (b[i] == b' ' || b[i] == b'/' || b[i] == b'\n' || b[i] == b'\t') {
                i += 1;
            }
            if i >= b.len() {
                panic!("unterminated tag <{tag}: {html}");
            }
            if b[i] == b'>' {
                i += 1;
                break;
            }
            let a_start = i;
            while i < b.len() && !b" \t\n/>=".contains(&b[i]) {
                i += 1;
            }
            let attr = html[a_start..i].to_ascii_lowercase();
            let mut value = String::new();
            if b.get(i) == Some(&b'=') {
                i += 1;
                let quote = b[i];
                assert!(quote == b'"' || quote == b'\'', "unquoted attribute value in <{tag} {attr}>: {html}");
                let v_start = i + 1;
                let v_end = v_start + html[v_start..].find(quote as char).expect("closing quote");
                value = decode(&html[v_start..v_end]);
                i = v_end + 1;
            }
            assert!(!closing, "attributes on a closing tag: {html}");
            assert!(!attr.starts_with("on"), "event handler `{attr}` on <{tag}>: {html}");
            assert!(attr != "style" && attr != "srcdoc", "`{attr}` on <{tag}>: {html}");
            if URL_ATTRS.contains(&attr.as_str()) {
                if let Some(scheme) = scheme_of(&value) {
                    assert!(SCHEMES.contains(&scheme.as_str()), "`{scheme}:` URL in <{tag} {attr}>: {html}");
                }
                // `//host`, and `/\host` or `\\host` which browsers read the same way, leave the site.
                let url = browser_view(&value);
                assert!(
                    !(url.starts_with("//") || url.starts_with("/\\") || url.starts_with('\\')),
                    "scheme-relative URL in <{tag} {attr}>: {html}"
                );
                if tag == "img" && attr == "src" {
                    let local = scheme_of(&value).is_none() && !url.starts_with('/');
                    assert!(local, "an image from outside the workload folder: {html}");
                }
            }
            if tag == "input" && attr == "type" {
                assert_eq!(value, "checkbox", "only checkboxes: {html}");
            }
        }
    }
}

/// The entities html5ever writes in attribute values, and numeric ones for safety.
fn decode(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';') else { break };
        let ent = &rest[1..semi];
        let ch = match ent {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "nbsp" => Some('\u{a0}'),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The scheme a browser would see: the URL standard trims C0 controls and
/// spaces at both ends and drops tabs and newlines inside, then reads `scheme:`.
/// Anything else before the colon makes it a relative URL.
fn scheme_of(url: &str) -> Option<String> {
    let cleaned = browser_view(url);
    let colon = cleaned.find(':')?;
    let head = &cleaned[..colon];
    let is_scheme = head.starts_with(|c: char| c.is_ascii_alphabetic())
        && head.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !is_scheme {
        return None; // a relative URL
    }
    Some(head.to_ascii_lowercase())
}

/// A URL as a browser starts to read it: C0 controls and spaces trimmed at
/// both ends, tabs and newlines removed everywhere.
fn browser_view(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect()
}
