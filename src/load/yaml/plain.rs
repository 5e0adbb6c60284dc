//! A fast reader for the plain YAML that front matter is nearly always
//! written in: block mappings and lists of simple scalars, flow lists on one
//! line, quoted text without escapes. It gives up (returns `None`) at the
//! first thing outside that subset, and the caller then asks the general
//! parser, so anything unusual, wrong or hostile is still judged by
//! serde-saphyr. Where it does answer, it must answer exactly as
//! serde-saphyr would, positions included; the unit tests below, a test
//! over every YAML file in the repository and the `yaml_plain` fuzz target
//! compare the two.
//!
//! Why it exists: parsing front matter was about two fifths of `check`'s
//! time (docs/PERFORMANCE.md, step 16).

use super::{Key, Node, Pos, Value};

/// Nesting it follows before handing over; the general parser's budget is far above this.
const MAX_NEST: usize = 8;

#[derive(Clone, Copy)]
struct Line<'a> {
    no: u32,
    /// Column of `text`'s first byte, 0-based.
    indent: usize,
    text: &'a str,
}

/// The document's value, or `None` when it is not in the subset.
pub(super) fn parse(text: &str) -> Option<Node> {
    let (mut lines, mut loose) = (Vec::new(), Vec::new());
    let mut segments = 0;
    for (i, raw) in text.split('\n').enumerate() {
        segments = i + 1;
        if !raw.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return None;
        }
        let trimmed = raw.trim_start_matches(' ');
        if trimmed.starts_with('#') || (trimmed.is_empty() && !raw.is_empty()) {
            loose.push((i + 1, raw.len() - trimmed.len()));
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if raw.ends_with(' ') || trimmed.contains('#') {
            return None;
        }
        let no = u32::try_from(i + 1).ok()?;
        lines.push(Line { no, indent: raw.len() - trimmed.len(), text: trimmed });
    }
    if lines.first()?.indent != 0 {
        return None;
    }
    // The general parser refuses a document of more than MAX_NODES events
    // (E0106). A line here gives at most four (key, value or the start and
    // end of a list, first item) and each comma one more: past that bound,
    // the general parser decides.
    let commas = text.bytes().filter(|&b| b == b',').count();
    if 4 * lines.len() + commas + 8 > super::MAX_NODES {
        return None;
    }
    let mut reader = Reader { lines, at: 0, loose, segments };
    let root = reader.map(0, 0)?;
    (reader.at == reader.lines.len()).then_some(root)
}

struct Reader<'a> {
    /// The lines that are neither blank nor comments.
    lines: Vec<Line<'a>>,
    at: usize,
    /// Line numbers and indentation of comment lines and of lines of spaces
    /// only: skipped elsewhere, but inside a block scalar they can be text.
    loose: Vec<(usize, usize)>,
    /// Lines in the document; every line but the last one ends with a line break.
    segments: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<Line<'a>> {
        self.lines.get(self.at).copied()
    }

    /// True when the next line is more indented than `indent`: a continuation this reader does not follow.
    fn continues_past(&self, indent: usize) -> bool {
        self.peek().is_some_and(|l| l.indent > indent)
    }

    /// A block mapping whose keys start at column `indent`.
    fn map(&mut self, indent: usize, depth: usize) -> Option<Node> {
        if depth > MAX_NEST {
            return None;
        }
        let first = self.peek()?;
        let pos = at(first.no, indent);
        let mut entries: Vec<(Key, Node)> = Vec::new();
        // A set, not a search of `entries`: a mapping of 100,000 keys took minutes.
        let mut names = std::collections::HashSet::new();
        while let Some(line) = self.peek() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || is_item(line.text) {
                return None;
            }
            let (name, rest) = key(line.text)?;
            if !names.insert(name) {
                return None;
            }
            self.at += 1;
            let value = if rest.is_empty() {
                self.nested(indent, depth)?
            } else if rest.starts_with(['>', '|']) {
                self.block_scalar(rest, line.no, indent)?
            } else {
                let column = indent + (line.text.len() - rest.len());
                let node = inline(rest, line.no, column)?;
                if self.continues_past(indent) {
                    return None;
                }
                node
            };
            entries.push((Key { name: name.to_string(), pos: at(line.no, indent) }, value));
        }
        Some(Node { value: Value::Map(entries), pos })
    }

    /// The block value of a key that ended its line: a list (which may sit at
    /// the key's own column) or a more indented mapping. An empty value is
    /// left to the general parser.
    fn nested(&mut self, indent: usize, depth: usize) -> Option<Node> {
        let next = self.peek()?;
        if is_item(next.text) && next.indent >= indent {
            let mut seq = self.seq(next.indent, depth + 1)?;
            if next.indent == indent {
                // The general parser places a list at its key's own column
                // where its first item starts, not at the dash.
                let content = next.text[1..].trim_start_matches(' ');
                seq.pos = at(next.no, indent + next.text.len() - content.len());
            }
            Some(seq)
        } else if next.indent > indent {
            self.map(next.indent, depth + 1)
        } else {
            None
        }
    }

    /// A folded (`>`, `>-`) or literal (`|`, `|-`) scalar under a key at
    /// column `indent`, when all its lines share one indentation and none is
    /// blank; anything subtler (more-indented lines, blank lines, `+`, an
    /// indentation indicator) is left to the general parser.
    /// The general parser places it where its text starts.
    fn block_scalar(&mut self, header: &str, header_line: u32, indent: usize) -> Option<Node> {
        let (joiner, clip) = match header {
            ">" => (" ", true),
            ">-" => (" ", false),
            "|" => ("\n", true),
            "|-" => ("\n", false),
            _ => return None,
        };
        let first = self.peek()?;
        if first.indent <= indent || first.no != header_line + 1 {
            return None;
        }
        let mut text = String::new();
        let mut last = first.no;
        while let Some(line) = self.peek() {
            if line.indent <= indent {
                break;
            }
            if line.indent != first.indent || (line.no != first.no && line.no != last + 1) {
                return None;
            }
            if line.no != first.no {
                text.push_str(joiner);
            }
            text.push_str(line.text);
            last = line.no;
            self.at += 1;
        }
        // A comment line right after the text, or a line of spaces, as
        // indented as the text or more, would belong to it.
        let next = self.peek().map_or(usize::MAX, |l| l.no as usize);
        if self.loose.iter().any(|&(c, ci)| c > last as usize && c < next && ci >= first.indent) {
            return None;
        }
        if clip {
            // Parsers differ on a kept line break that the document does not have.
            if last as usize >= self.segments {
                return None;
            }
            text.push('\n');
        }
        Some(Node { value: Value::Str(text), pos: at(first.no, first.indent) })
    }

    /// A block list whose dashes sit at column `indent`.
    fn seq(&mut self, indent: usize, depth: usize) -> Option<Node> {
        if depth > MAX_NEST {
            return None;
        }
        let pos = at(self.peek()?.no, indent);
        let mut items = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent != indent || !is_item(line.text) {
                break;
            }
            let content = line.text[1..].trim_start_matches(' ');
            let column = indent + (line.text.len() - content.len());
            if content.is_empty() || is_item(content) {
                return None;
            }
            if key(content).is_some() {
                // `- key: value`: a mapping whose keys line up with this first one.
                self.lines[self.at] = Line { no: line.no, indent: column, text: content };
                items.push(self.map(column, depth + 1)?);
            } else {
                self.at += 1;
                items.push(inline(content, line.no, column)?);
                if self.continues_past(indent) {
                    return None;
                }
            }
        }
        if self.continues_past(indent) {
            return None;
        }
        Some(Node { value: Value::Seq(items), pos })
    }
}

fn at(line: u32, indent: usize) -> Pos {
    Pos { line, column: u32::try_from(indent + 1).unwrap_or(u32::MAX) }
}

fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// `name: rest` or `name:` at the start of `text`, for a name that is plain text.
fn key(text: &str) -> Option<(&str, &str)> {
    let end = text.bytes().position(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))?;
    let (name, after) = text.split_at(end);
    let rest = after.strip_prefix(':')?;
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    // YAML limits a key on one line to 1,024 characters; leave long ones to the parser that says so.
    if name.len() > 512 || !name.as_bytes().first()?.is_ascii_alphabetic() || special_word(name) {
        return None;
    }
    Some((name, rest.trim_start_matches(' ')))
}

/// Words the general parser reads as null, a boolean or a float.
fn special_word(s: &str) -> bool {
    const WORDS: [&str; 12] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf", "infinity"];
    WORDS.iter().any(|w| s.eq_ignore_ascii_case(w))
}

/// A value that fits on the rest of its line.
fn inline(text: &str, line: u32, column: usize) -> Option<Node> {
    let pos = at(line, column);
    let value = match text.as_bytes()[0] {
        b'"' | b'\'' => {
            let (s, rest) = quoted(text)?;
            if !rest.is_empty() {
                return None;
            }
            Value::Str(s.to_string())
        }
        b'[' => flow_seq(text.strip_suffix(']')?.strip_prefix('[')?, line, column + 1)?,
        _ => {
            if text.contains(": ") || text.ends_with(':') || text.contains(['[', ']', '{', '}']) {
                return None;
            }
            scalar(text)?
        }
    };
    Some(Node { value, pos })
}

/// A quoted string without escapes, and what follows its closing quote.
fn quoted(text: &str) -> Option<(&str, &str)> {
    let quote = text.as_bytes()[0];
    let end = text[1..].bytes().position(|b| b == quote)? + 1;
    let body = &text[1..end];
    let rest = &text[end + 1..];
    if body.contains('\\') || rest.starts_with(quote as char) {
        return None;
    }
    Some((body, rest))
}

/// The items between `[` and `]`, on one line; `column` is where `inner` starts.
fn flow_seq(inner: &str, line: u32, column: usize) -> Option<Value> {
    if inner.contains(['[', ']', '{', '}']) {
        return None;
    }
    let mut items = Vec::new();
    let mut rest = inner.trim_start_matches(' ');
    if rest.is_empty() {
        return Some(Value::Seq(items));
    }
    loop {
        let col = column + (inner.len() - rest.len());
        let (value, after) = if rest.starts_with(['"', '\'']) {
            let (s, after) = quoted(rest)?;
            (Value::Str(s.to_string()), after)
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let item = rest[..end].trim_end_matches(' ');
            if item.is_empty() || item.contains([':', '"', '\'']) {
                return None;
            }
            (scalar(item)?, &rest[end..])
        };
        items.push(Node { value, pos: at(line, col) });
        let after = after.trim_start_matches(' ');
        match after.strip_prefix(',') {
            Some(next) => {
                rest = next.trim_start_matches(' ');
                if rest.is_empty() {
                    return None;
                }
            }
            None if after.is_empty() => return Some(Value::Seq(items)),
            None => return None,
        }
    }
}

/// A plain scalar's value: `true` or `false`, text that starts with a letter
/// and is no other special word, a whole number without a leading zero, or
/// text that no parser could take for a number (a `YYYY-MM-DD` date, an IP address).
fn scalar(text: &str) -> Option<Value> {
    let bytes = text.as_bytes();
    let first = *bytes.first()?;
    if first.is_ascii_alphabetic() {
        return match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => (!special_word(text)).then(|| Value::Str(text.to_string())),
        };
    }
    if !first.is_ascii_digit() {
        return None;
    }
    if bytes.iter().all(u8::is_ascii_digit) && bytes.len() <= 18 && (first != b'0' || bytes.len() == 1) {
        return text.parse().ok().map(Value::Int);
    }
    let is_date = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
    // Two dots or more (an IP address, a version) is never a number.
    let is_dotted =
        bytes.iter().all(|b| b.is_ascii_digit() || *b == b'.') && bytes.iter().filter(|b| **b == b'.').count() >= 2;
    (is_date || is_dotted).then(|| Value::Str(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::parse_general;
    use super::parse;

    /// Each document must be read by the fast path, and read as the general parser reads it.
    fn agrees(doc: &str) {
        let fast = parse(doc).unwrap_or_else(|| panic!("fast path gave up on:\n{doc}"));
        assert_eq!(Ok(fast), parse_general(doc), "on:\n{doc}");
    }

    /// Each document must be left to the general parser.
    fn declined(doc: &str) {
        assert_eq!(parse(doc), None, "fast path answered for:\n{doc}");
    }

    #[test]
    fn agrees_with_the_general_parser() {
        agrees("status: validated\nexecuted_on: 2026-05-12\n");
        agrees("a: 1\nb: 0\nc: 123456789012345678\nd: abc def\n");
        agrees("documented_in: [\"reports/a.csv\", \"https://wiki.example/x\"]\nx: []\nz: [ a , b,c ]\n");
        agrees("q: 'single'\nr: \"dbl: with colon\"\ns: it's\nt: https://a.example/b?c=d&e\n");
        agrees("# comment\n\nname: x\n  # indented comment\nowner: y@z.example\n");
        agrees("risks:\n  - id: r1\n    description: \"text\"\n    accepted: 1\n  - id: r2\nnext: 2\n");
        agrees("risks:\n- id: r1\n  note: m\n- id: r2\nnext: 2\n");
        agrees("list:\n  - x\n  - 2026-10-01\n  - [a, b]\n");
        agrees("outer:\n  inner:\n    deep: v\n  other: w\nlast: z\n");
        agrees("x-ticket: CHG1\nkey_with_underscore: Value (with) punctuation!\n");
        agrees("a:    spaced\nb: [   ]\n");
        agrees("items:\n  -   spaced: 1\n      more: 2\n");
        agrees("accepted: true\nretired: false\nfrom: 10.38.187.42\nversion: 1.2.3\nodd: 1.5.\n");
        agrees("reason: >-\n  The vendor needs\n  remote access: see below.\nnext: 1\n");
        agrees("reason: >\n  folded\n  text\nnext: 1\n");
        agrees("reason: |\n  literal\n  text\n\n# comment\nnext: 1\n");
        agrees("reason: |-\n  literal\n  text\n");
        agrees("w:\n  - id: a\n    reason: >-\n      one\n      two\n  - id: b\n");
    }

    #[test]
    fn leaves_the_rest_to_the_general_parser() {
        for doc in [
            "",
            "# only a comment\n",
            "a: yes\n",
            "a: No\n",
            "a: null\n",
            "a: ~\n",
            "a: 1.5\n",
            "a: 012\n",
            "a: -3\n",
            "a: 0x1F\n",
            "a: .inf\n",
            "a: &x 1\nb: *x\n",
            "a: !tag x\n",
            "a: >+\n  kept\n",
            "a: >2\n   indicator\n",
            "a: >-\n  para\n\n  graph\n",
            "a: >-\n  text\n    more indented\n",
            "a: >-\n  text\n  # not a comment\n",
            "a: >-\n  text\n    # not a comment\nb: 1\n",
            "a: >-\n\n  leading blank\n",
            "a: >-\n text\n\n  \nb: 1\n",
            "a: True\n",
            &format!("{}: 1\n", "k".repeat(1100)),
            "a: ...\n",
            "a: .5\n",
            "reason: >\n  at the end without a break",
            "a: \"esc\\n\"\n",
            "a: 'it''s'\n",
            "a:\nb: 1\n",
            "a: 1\na: 2\n",
            "a: multi\n  line\n",
            "a: x # trailing comment\n",
            "a: x \n",
            "a:\tx\n",
            "a: x\r\nb: y\r\n",
            "a: caf\u{e9}\n",
            "a: {b: c}\n",
            "a: [b, [c]]\n",
            "a: [b, ]\n",
            "a: [b\n",
            "- a\n- b\n",
            "  a: 1\n",
            "---\na: 1\n",
            "a: 1\n...\n",
            "yes: 1\n",
            "1: a\n",
            "\"a\": 1\n",
            "a: b: c\n",
            "a:\n  - - x\n",
            "a:\n  -\n    b: 1\n",
            "a: 1\n  b: 2\n",
        ] {
            declined(doc);
        }
    }

    #[test]
    fn nesting_beyond_its_limit_is_handed_over() {
        let mut doc = String::new();
        for depth in 0..20 {
            doc.push_str(&format!("{}k{depth}:\n", "  ".repeat(depth)));
        }
        doc.push_str(&format!("{}leaf: 1\n", "  ".repeat(20)));
        declined(&doc);
    }

    /// Documents built from the pieces front matter is made of, including
    /// the ones that look alike and read differently (`1.5.`, `yes`, `~`,
    /// `: ` inside a value, quotes, comments, block scalars, flow lists):
    /// wherever the fast reader answers, it says what serde-saphyr says,
    /// positions included. The fuzz target `yaml_plain` does the same at
    /// length; this keeps it in every `cargo test`.
    mod property {
        use super::super::super::parse_general;
        use super::super::parse;
        use proptest::prelude::*;

        fn scalar() -> impl Strategy<Value = String> {
            let usual = prop::sample::select(vec![
                "validated",
                "2026-05-12",
                "1",
                "0",
                "abc def",
                "it's",
                "\"dbl: colon\"",
                "'single'",
                "x@y.example",
                "https://a.example/b?c=d&e",
                "[a, b]",
                "Ünïcödé",
                "1.5.",
                "10.38.187.42",
                "a #b",
                "true",
            ]);
            let odd = prop::sample::select(vec![
                "2026-13-01",
                "-3",
                "1.5",
                "yes",
                "No",
                "null",
                "~",
                "'it''s'",
                "a: b",
                "https://a.example/b?c=d&e",
                "x@y.example",
                "[a, b]",
                "[ ]",
                "[\"q\", 'r', s]",
                "{a: 1}",
                "&anchor v",
                "*alias",
                "!tag v",
                "%",
                "@at",
                "`tick`",
                "- dash",
                "? q",
                "|",
                ">-",
                "\"\"",
                "''",
                "\"\\u00e9\"",
                "  spaced  ",
            ]);
            prop_oneof![3 => usual, 1 => odd].prop_map(str::to_string)
        }

        fn key() -> impl Strategy<Value = String> {
            prop::sample::select(vec!["status", "name", "x-ticket", "a", "b", "owner", "risks", "id", "note"])
                .prop_map(str::to_string)
        }

        /// One entry at `indent`, possibly with nested block content.
        fn entry(indent: usize) -> BoxedStrategy<String> {
            let pad = " ".repeat(indent);
            let inner = " ".repeat(indent + 2);
            let simple = (key(), scalar()).prop_map({
                let pad = pad.clone();
                move |(k, v)| format!("{pad}{k}: {v}\n")
            });
            let list = (key(), prop::collection::vec(scalar(), 1..4)).prop_map({
                let (pad, inner) = (pad.clone(), inner.clone());
                move |(k, vs)| {
                    format!("{pad}{k}:\n{}", vs.iter().map(|v| format!("{inner}- {v}\n")).collect::<String>())
                }
            });
            let block =
                (key(), prop::sample::select(vec!["|", "|-", ">", ">-"]), prop::collection::vec(scalar(), 1..3))
                    .prop_map({
                        let (pad, inner) = (pad.clone(), inner.clone());
                        move |(k, h, vs)| {
                            format!("{pad}{k}: {h}\n{}", vs.iter().map(|v| format!("{inner}{v}\n")).collect::<String>())
                        }
                    });
            let comment = Just(format!("{pad}# a comment: [x]\n"));
            if indent >= 4 {
                return prop_oneof![4 => simple, 1 => list, 1 => block, 1 => comment].boxed();
            }
            let nested = (key(), prop::collection::vec(entry(indent + 2), 1..3)).prop_map({
                let pad = pad.clone();
                move |(k, es)| format!("{pad}{k}:\n{}", es.concat())
            });
            prop_oneof![4 => simple, 1 => list, 1 => block, 1 => comment, 1 => nested].boxed()
        }

        /// The property says something only where the fast reader answers:
        /// it must answer for a good share of the generated documents.
        #[test]
        fn the_fast_reader_answers_for_many_of_them() {
            use proptest::strategy::ValueTree;
            let mut runner = proptest::test_runner::TestRunner::deterministic();
            let docs = prop::collection::vec(entry(0), 1..6);
            let answered =
                (0..400).filter(|_| parse(&docs.new_tree(&mut runner).unwrap().current().concat()).is_some()).count();
            assert!(answered >= 100, "the fast reader answered for {answered} of 400");
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
            #[test]
            fn the_fast_reader_agrees_where_it_answers(entries in prop::collection::vec(entry(0), 0..6), crlf in any::<bool>()) {
                let mut doc = entries.concat();
                if crlf {
                    doc = doc.replace('\n', "\r\n");
                }
                if let Some(fast) = parse(&doc) {
                    prop_assert_eq!(Ok(fast), parse_general(&doc), "on:\n{}", doc);
                }
            }
        }
    }
}
