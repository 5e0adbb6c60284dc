//! The start tags of a fragment of raw HTML as html5ever's tokenizer reads
//! them (the one inside ammonia), each with the byte offsets of its `<` and
//! of its attributes' names, so that a warning names what the sanitiser saw
//! and points at the line that has it.
//!
//! The tokenizer tells what is a tag, decodes every character reference in
//! attribute values, and, told by [`Sink`] which elements hold raw text as
//! ammonia's tree builder tells it (`<textarea>`, `<title>`, `<style>`,
//! `<xmp>`, `<noscript>`...), does not see tags inside them. It gives no
//! offsets, so the fragment is fed one piece at a time, each piece starting
//! at a `<`: a tag starts at the start of a piece, and which one is told by
//! when the tokenizer emits it (see [`start_tags`]).

use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts, states::RawKind,
};
use std::cell::{Cell, RefCell};

/// A start tag: its name and attributes (names lower-cased, values decoded,
/// a repeated attribute kept once, as the browser keeps the first).
#[derive(Debug, PartialEq)]
pub struct TagInfo {
    pub name: String,
    /// Name, value and the byte offset of the attribute's name.
    pub attrs: Vec<(String, String, usize)>,
    /// Byte offset of the tag's `<`.
    pub at: usize,
}

/// What the tokenizer emitted during one piece: the start tags, and whether
/// anything came before the first of them (text, a comment, another tag).
#[derive(Default)]
struct Emitted {
    tags: Vec<Tag>,
    /// Any token that is not a parse error, tag or not.
    anything: bool,
    /// A token before the first start tag of the piece.
    before_tag: bool,
    /// A parse error and nothing else.
    errors_only: bool,
}

/// Receives the tokens, and switches the tokenizer into the raw-text states
/// that ammonia's tree builder (html5ever's, with scripting enabled) would.
#[derive(Default)]
struct Sink {
    emitted: RefCell<Emitted>,
    /// How deep inside `<svg>` or `<math>`, where those rules do not apply.
    foreign: Cell<usize>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut e = self.emitted.borrow_mut();
        match token {
            Token::ParseError(_) => {
                e.errors_only = !e.anything;
                return TokenSinkResult::Continue;
            }
            Token::TagToken(tag) => {
                e.errors_only = false;
                let name: &str = &tag.name;
                let foreign = self.foreign.get();
                if tag.kind == TagKind::EndTag {
                    if matches!(name, "svg" | "math") {
                        self.foreign.set(foreign.saturating_sub(1));
                    }
                    e.before_tag |= e.tags.is_empty();
                    e.anything = true;
                    return TokenSinkResult::Continue;
                }
                let result = if foreign > 0 {
                    if breaks_out(name) {
                        self.foreign.set(0);
                    }
                    TokenSinkResult::Continue
                } else {
                    raw_kind(name)
                };
                if matches!(name, "svg" | "math") && !tag.self_closing {
                    self.foreign.set(self.foreign.get() + 1);
                }
                e.before_tag |= e.anything && e.tags.is_empty();
                e.anything = true;
                e.tags.push(tag);
                return result;
            }
            _ => {
                e.errors_only = false;
                e.before_tag |= e.tags.is_empty();
                e.anything = true;
            }
        }
        TokenSinkResult::Continue
    }

    /// Inside `<svg>` or `<math>`, `<![CDATA[` opens a CDATA section.
    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.foreign.get() > 0
    }
}

/// What the tree builder tells the tokenizer after the start tag `name` in HTML content.
fn raw_kind(name: &str) -> TokenSinkResult<()> {
    match name {
        "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => TokenSinkResult::RawData(RawKind::Rawtext),
        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
        "plaintext" => TokenSinkResult::Plaintext,
        _ => TokenSinkResult::Continue,
    }
}

/// HTML start tags that end `<svg>` or `<math>` content (the HTML standard's
/// "any other start tag" exceptions in foreign content).
fn breaks_out(name: &str) -> bool {
    matches!(
        name,
        "b" | "big"
            | "blockquote"
            | "body"
            | "br"
            | "center"
            | "code"
            | "dd"
            | "div"
            | "dl"
            | "dt"
            | "em"
            | "embed"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "hr"
            | "i"
            | "img"
            | "li"
            | "listing"
            | "menu"
            | "meta"
            | "nobr"
            | "ol"
            | "p"
            | "pre"
            | "ruby"
            | "s"
            | "small"
            | "span"
            | "strong"
            | "strike"
            | "sub"
            | "sup"
            | "table"
            | "tt"
            | "u"
            | "ul"
            | "var"
    )
}

/// The start tags of `html` in document order.
///
/// Each piece fed starts at a `<` (but the first), so a tag starts at the
/// start of a piece. A start tag emitted after something else in its piece
/// starts at that piece (a character reference such as `&amp` ends only at
/// the `<` after it). Else it started at the earliest piece of the run of
/// pieces just before that emitted nothing: those were all inside the tag
/// (an attribute value holding `<`), since anything else ends with a token.
/// `</>` is the one thing that ends without one, so a piece that is it, with
/// only a parse error, ends the run too.
pub fn start_tags(html: &str) -> Vec<TagInfo> {
    let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let queue = BufferQueue::default();
    let mut out = Vec::new();
    // Starts of the pieces since the last that emitted something.
    let mut quiet: Vec<usize> = Vec::new();
    let mut from = 0;
    while from < html.len() {
        let to = html[from + 1..].find('<').map_or(html.len(), |i| from + 1 + i);
        queue.push_back(html[from..to].into());
        let _ = tokenizer.feed(&queue);
        let e = std::mem::take(&mut *tokenizer.sink.emitted.borrow_mut());
        for (n, tag) in e.tags.into_iter().enumerate() {
            let start = match quiet.first() {
                Some(&first) if n == 0 && !e.before_tag => first,
                _ => from,
            };
            let end = if n == 0 { to } else { from };
            out.push(info(html, start, end, tag));
        }
        let ends_run = e.anything || (e.errors_only && html[from..to].starts_with("</>"));
        if ends_run {
            quiet.clear();
        } else if html[from..].starts_with('<') {
            quiet.push(from);
        }
        from = to;
    }
    out
}

/// A tag token with its offsets: `<` at `start`, in `html[start..end]`.
fn info(html: &str, start: usize, end: usize, tag: Tag) -> TagInfo {
    let spans = attribute_names(&html[start..end.max(start)]);
    let attrs = tag
        .attrs
        .into_iter()
        .map(|a| {
            let name = a.name.local.to_string();
            let at = spans.iter().find(|(n, _)| *n == name).map_or(start, |(_, at)| start + at);
            (name, a.value.to_string(), at)
        })
        .collect();
    TagInfo { name: tag.name.to_string(), attrs, at: start }
}

/// The attribute names of the tag at the start of `tag` (which starts with
/// `<`), lower-cased as the tokenizer does, each with its byte offset, read
/// by the HTML standard's attribute states: a name runs to whitespace, `/`,
/// `>` or `=` (a leading `=` belongs to it); a value is quoted, or runs to
/// whitespace or `>`.
fn attribute_names(tag: &str) -> Vec<(String, usize)> {
    let b = tag.as_bytes();
    let space = |c: u8| matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let mut i = 1;
    while i < b.len() && !space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let mut out = Vec::new();
    loop {
        while i < b.len() && (space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' {
            return out;
        }
        let at = i;
        i += 1;
        while i < b.len() && !space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name = String::from_utf8_lossy(&b[at..i]).to_ascii_lowercase().replace('\0', "\u{fffd}");
        out.push((name, at));
        while i < b.len() && space(b[i]) {
            i += 1;
        }
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && space(b[i]) {
                i += 1;
            }
            match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    i += 1;
                    while i < b.len() && b[i] != q {
                        i += 1;
                    }
                    i += 1;
                }
                _ => {
                    while i < b.len() && !space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(html: &str) -> Vec<(String, usize)> {
        start_tags(html).into_iter().map(|t| (t.name, t.at)).collect()
    }

    fn attr(html: &str, tag: usize, n: usize) -> (String, String, usize) {
        start_tags(html)[tag].attrs[n].clone()
    }

    #[test]
    fn tags_inside_raw_text_elements_are_text() {
        for raw in ["textarea", "title", "noscript", "xmp", "style", "iframe", "noembed", "noframes", "script"] {
            let html = format!("<{raw}><a href=x></{raw}><b>");
            let at = html.rfind("<b>").unwrap();
            assert_eq!(names(&html), [(raw.to_string(), 0), ("b".to_string(), at)], "{html}");
        }
        // An end tag for another element does not end the raw text.
        assert_eq!(names("<title></b><i></title><u>"), [("title".to_string(), 0), ("u".to_string(), 22)]);
        assert_eq!(names("<plaintext><a href=x></plaintext><b>"), [("plaintext".to_string(), 0)]);
        // Inside <svg>, <title> and <style> are elements like any other.
        assert_eq!(names("<svg><title><a>").len(), 3);
    }

    #[test]
    fn attributes_without_quotes_and_with_any_reference_are_decoded() {
        let html = "<a title=x href=../up.txt>x</a>";
        assert_eq!(attr(html, 0, 1), ("href".into(), "../up.txt".into(), 11));
        // References beyond the few that matter for schemes: every named one.
        let html = "<a href=\"&#106;avascript&colon;&NewLine;&hellip;&eacute;&amp;&rarr;\">";
        assert_eq!(attr(html, 0, 0).1, "javascript:\n…é&→");
        // Without a `;` a legacy reference followed by `=` stays as written (the
        // standard's rule for attributes), one followed by anything else decodes.
        assert_eq!(attr("<a href='?a=1&copy=2&copy x'>", 0, 0).1, "?a=1&copy=2© x");
    }

    #[test]
    fn offsets_survive_what_a_small_scanner_gets_wrong() {
        // `<` and `>` inside a quoted value are part of it.
        let html = "<a title=\"<b>\" href=x><i>";
        assert_eq!(names(html), [("a".to_string(), 0), ("i".to_string(), 22)]);
        assert_eq!(attr(html, 0, 1).2, 15);
        // A reference without `;` ends at the `<` of the next tag.
        assert_eq!(names("x&amp<b>"), [("b".to_string(), 5)]);
        // `</>` is nothing at all; the tag after it starts after it.
        assert_eq!(names("</><b x=1>"), [("b".to_string(), 3)]);
        // A repeated attribute counts once, at its first place.
        assert_eq!(start_tags("<a href=x HREF=y>")[0].attrs, [("href".into(), "x".into(), 3)]);
        // Comments, upper case and tags across lines.
        let html = "<!-- <a href=no> -->\n<IMG\n  SRC='p.png'>";
        assert_eq!(names(html), [("img".to_string(), 21)]);
        assert_eq!(attr(html, 0, 0), ("src".into(), "p.png".into(), 28));
        // A tag never closed is no tag.
        assert!(start_tags("<a href=x").is_empty());
    }
}
