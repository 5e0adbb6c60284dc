//! The one module that parses YAML. Everything else sees [`Node`], a small
//! position-carrying tree, so the parser could be swapped without touching
//! validation.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

mod plain;

/// A 1-based line and column in the text given to [`parse`], plus the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// A YAML value with the position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub value: Value,
    /// Where it starts.
    pub pos: Pos,
}

/// A mapping key with its position (keys are always text here; other scalars are stringified).
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key as text.
    pub name: String,
    /// Where it starts.
    pub pos: Pos,
}

/// A YAML value as validation reads it, whichever reader parsed it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction or exponent.
    Float(f64),
    /// Any other scalar, quoted or not.
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, keys in the order written.
    Map(Vec<(Key, Node)>),
}

impl Value {
    /// A word for the kind of value, for messages such as "expected a date, found a list".
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Scalars as text, the way a person wrote them (numbers and booleans included).
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// A YAML syntax or limit error, positioned like [`Pos`].
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    /// Which kind of error it is, for its diagnostic code.
    pub kind: YamlErrorKind,
    /// What the parser said, in words.
    pub message: String,
    /// Where it happened.
    pub pos: Pos,
}

/// What went wrong reading YAML, each with its own diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlErrorKind {
    /// Not well-formed YAML.
    Syntax,
    /// A mapping names the same key twice.
    DuplicateKey,
    /// Past a limit that keeps hostile input cheap: nesting depth, alias expansion.
    Limit,
}

/// Deepest nesting accepted; deeper documents are refused rather than recursed into.
pub(crate) const MAX_DEPTH: usize = 64;

/// Parses one YAML document. An empty document is `Null` at 1:1.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    nesting_limit(text)?;
    match plain::parse(text) {
        Some(node) => Ok(node),
        None => parse_saphyr(text),
    }
}

/// The fast path alone: `None` where it hands over to the general parser.
/// The nesting pre-scan refuses some documents the fast path could read
/// (brackets inside text), so it comes first here too.
#[doc(hidden)]
pub fn parse_plain(text: &str) -> Option<Node> {
    nesting_limit(text).ok().and_then(|()| plain::parse(text))
}

/// [`parse`] without the fast path for plain documents: what that path must
/// agree with (the fuzz target `yaml_plain` and the tests compare the two).
#[doc(hidden)]
pub fn parse_general(text: &str) -> Result<Node, YamlError> {
    nesting_limit(text)?;
    parse_saphyr(text)
}

/// Refuses flow nesting deeper than [`MAX_DEPTH`] before any parser sees it.
fn nesting_limit(text: &str) -> Result<(), YamlError> {
    match too_deep(text) {
        Some(pos) => Err(YamlError {
            kind: YamlErrorKind::Limit,
            message: format!("YAML nested more than {MAX_DEPTH} levels deep"),
            pos,
        }),
        None => Ok(()),
    }
}

/// The most nodes (parser events) a YAML document may have: far more than
/// any front matter, few enough to read in well under a second.
/// Unit tests use a smaller bound: the same code refuses a document past
/// it, without building a million values in a debug build.
pub(crate) const MAX_NODES: usize = if cfg!(test) { 20_000 } else { 1_000_000 };

/// The general parser's limits, the same for every caller.
fn saphyr_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: MAX_NODES,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
            max_alias_expansions_per_anchor: 1_000,
        },
    }
}

fn parse_saphyr(text: &str) -> Result<Node, YamlError> {
    match serde_saphyr::from_str_with_options::<Option<Spanned<Value>>>(text, saphyr_options()) {
        Ok(Some(sp)) => Ok(Node { value: sp.value, pos: pos_of(&sp.referenced) }),
        Ok(None) => Ok(Node { value: Value::Null, pos: Pos { line: 1, column: 1 } }),
        Err(e) => Err(point_at_tab(text, convert_error(&e))),
    }
}

/// The parser reports a tab where it noticed it, which for a tab that
/// indents a line is often the end of the line before. Pointed at the tab
/// itself (on the reported line or the next two), with what to do.
fn point_at_tab(text: &str, mut e: YamlError) -> YamlError {
    if e.kind != YamlErrorKind::Syntax || !e.message.contains("tab") {
        return e;
    }
    let from = e.pos.line.saturating_sub(1) as usize;
    let mut lines = text.split('\n').enumerate().skip(from).take(3);
    let found = lines.find_map(|(i, l)| {
        let indent = l.len() - l.trim_start_matches([' ', '\t']).len();
        l[..indent].find('\t').map(|col| (i, l[..col].chars().count()))
    });
    if let Some((i, col)) = found {
        e.pos =
            Pos { line: u32::try_from(i + 1).unwrap_or(u32::MAX), column: u32::try_from(col + 1).unwrap_or(u32::MAX) };
        e.message = "a tab in the indentation: YAML indents with spaces only".into();
    }
    e
}

/// A cheap pre-scan for flow-style nesting that would recurse deeply; block
/// nesting is bounded by the parser's budget. Nesting can go no deeper than
/// the number of opening brackets, and front matter has a handful: counting
/// bytes settles nearly every document without decoding it into characters
/// and counting lines and columns (3% of a large `check`).
fn too_deep(text: &str) -> Option<Pos> {
    if text.bytes().filter(|b| matches!(b, b'[' | b'{')).count() <= MAX_DEPTH {
        return None;
    }
    let mut scan = Nesting::default();
    // The indentation of the line that opened a block scalar (`|` or `>`):
    // the lines indented further, and blank ones, are its text.
    let mut block: Option<usize> = None;
    for (i, line) in text.split('\n').enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        match block {
            Some(parent) if line.trim().is_empty() || indent > parent => continue,
            _ => block = None,
        }
        scan.comment = false;
        for (col, ch) in line.chars().enumerate() {
            if scan.step(ch) > MAX_DEPTH {
                let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                return Some(Pos { line: at(i + 1), column: at(col + 1) });
            }
        }
        scan.step('\n');
        if scan.depth == 0 && scan.quote.is_none() && opens_block_scalar(line) {
            block = Some(indent);
        }
    }
    None
}

/// Whether a line (outside flow collections and quotes) ends with a block
/// scalar's header: `|` or `>`, then chomping and indentation indicators,
/// then perhaps a comment.
fn opens_block_scalar(line: &str) -> bool {
    let code = match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    };
    let header = code.trim_end().trim_end_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
    let Some(rest) = header.strip_suffix(['|', '>']) else {
        return false;
    };
    rest.is_empty() || rest.ends_with([' ', '\t', ':', '-'])
}

/// Flow nesting, one character at a time: brackets count only outside
/// quoted scalars and comments (a summary may well hold 70 `{` in quotes).
/// Plain scalars are not told apart: `a{b` outside quotes is rare, and
/// counting it only refuses a document that is already suspicious.
#[derive(Default)]
struct Nesting {
    depth: usize,
    /// Inside `'…'` or `"…"`: the quote that ends it.
    quote: Option<char>,
    /// The last character was a backslash inside double quotes.
    escaped: bool,
    /// The last character closed a single-quoted scalar: one more `'` makes
    /// the pair `''`, a quote inside it.
    closed_single: bool,
    /// Inside a comment, until the end of the line.
    comment: bool,
    /// The previous character, to tell a comment's `#` (after a space or at
    /// the start of a line) and a quote that opens a scalar.
    prev: Option<char>,
}

impl Nesting {
    /// Takes the next character; returns the depth after it.
    fn step(&mut self, ch: char) -> usize {
        let prev = self.prev.replace(ch);
        if self.comment {
            self.comment = ch != '\n';
            return self.depth;
        }
        if std::mem::take(&mut self.closed_single) && ch == '\'' {
            self.quote = Some(ch);
            return self.depth;
        }
        match self.quote {
            Some('"') if self.escaped => self.escaped = false,
            Some('\'') if ch == '\'' => {
                self.quote = None;
                self.closed_single = true;
            }
            Some('"') if ch == '\\' => self.escaped = true,
            Some(q) if ch == q => self.quote = None,
            Some(_) => {}
            None => match ch {
                '#' if prev.is_none_or(|p| p == ' ' || p == '\t' || p == '\n') => self.comment = true,
                '\'' | '"' if prev.is_none_or(|p| " \t\n[{,:-?".contains(p)) => self.quote = Some(ch),
                '[' | '{' => self.depth += 1,
                ']' | '}' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            },
        }
        self.depth
    }
}

fn pos_of(loc: &serde_saphyr::Location) -> Pos {
    Pos { line: loc.line().clamp(1, u32::MAX as u64) as u32, column: loc.column().clamp(1, u32::MAX as u64) as u32 }
}

/// The parser's error as cutover reports it, decided by the error's variant
/// (the words of its message may change from one release to the next).
fn convert_error(e: &serde_saphyr::Error) -> YamlError {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    let pos = e.location().map(|l| pos_of(&l)).unwrap_or(Pos { line: 1, column: 1 });
    let said = || {
        let full = e.without_snippet().to_string();
        clean_message(full.lines().next().unwrap_or("invalid YAML"))
    };
    let limit = |message: String| YamlError { kind: YamlErrorKind::Limit, message, pos };
    match innermost(e) {
        E::UnknownAnchor { .. } => YamlError {
            kind: YamlErrorKind::Syntax,
            message: "this alias names no anchor defined before it".into(),
            pos,
        },
        E::DuplicateMappingKey { .. } => YamlError { kind: YamlErrorKind::DuplicateKey, message: said(), pos },
        E::Budget { breach: B::Depth { .. }, .. } => limit(format!("YAML nested more than {MAX_DEPTH} levels deep")),
        E::Budget { breach: B::Nodes { .. } | B::Events { .. }, .. } => {
            limit(format!("YAML document has more than {MAX_NODES} values"))
        }
        E::Budget { breach: B::Aliases { .. } | B::Anchors { .. }, .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayStackDepthExceeded { .. } => {
            limit("YAML aliases expand to too much data (an alias bomb?)".to_string())
        }
        E::Budget { .. } => limit(format!("YAML document too large to read safely ({})", said())),
        _ => YamlError { kind: YamlErrorKind::Syntax, message: said(), pos },
    }
}

/// The error under the parser's wrappers (a snippet, an alias's use site).
fn innermost(mut e: &serde_saphyr::Error) -> &serde_saphyr::Error {
    while let serde_saphyr::Error::AliasError { error, .. } | serde_saphyr::Error::WithSnippet { error, .. } = e {
        e = error;
    }
    e
}

/// Drops the parser's own position suffix and API advice, which mean nothing to an evidence author.
fn clean_message(line: &str) -> String {
    let mut m = line.trim();
    if let Some(i) = m.rfind(" at line ") {
        m = &m[..i];
    }
    if let Some(i) = m.find(", set DuplicateKeyPolicy") {
        m = &m[..i];
    }
    m.to_string()
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(sp) = seq.next_element::<Spanned<Value>>()? {
            items.push(Node { value: sp.value, pos: pos_of(&sp.referenced) });
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = map.next_key::<Spanned<Value>>()? {
            let v: Spanned<Value> = map.next_value()?;
            let name = k.value.scalar_text().unwrap_or_default();
            entries
                .push((Key { name, pos: pos_of(&k.referenced) }, Node { value: v.value, pos: pos_of(&v.referenced) }));
        }
        Ok(Value::Map(entries))
    }
}

/// One entry of a document's top-level mapping, with the bytes its key and
/// its value occupy in the text given to `top_level_entries`. `cutover
/// sign` edits front matter by these spans, never by searching the text.
#[derive(Debug, Clone, PartialEq)]
pub struct EntrySpan {
    /// The key and where it starts.
    pub key: Key,
    /// The key as written, quotes included.
    pub key_bytes: std::ops::Range<usize>,
    /// The value as parsed.
    pub value: Node,
    /// A scalar from its first character to its last, quotes included (an
    /// anchor or tag before it and a comment after it are outside); an empty
    /// value is an empty range at or before its `:`. For a list or mapping
    /// this is its first token only, not its extent.
    pub value_bytes: std::ops::Range<usize>,
}

/// A document's top-level mapping, entry by entry with [`EntrySpan`]s.
#[derive(Debug, Clone, PartialEq)]
pub struct TopLevel {
    /// Written in flow style (`{a: 1, b: 2}`) rather than one key per line.
    pub flow: bool,
    /// Each entry, in the order written.
    pub entries: Vec<EntrySpan>,
}

/// Parses `text` like [`parse`], but always with the general parser (the
/// fast path keeps no byte offsets), and returns the top-level mapping's
/// entries with their byte spans; `Ok(None)` when the document is not a
/// mapping (empty, a list, a scalar).
pub(crate) fn top_level_entries(text: &str) -> Result<Option<TopLevel>, YamlError> {
    nesting_limit(text)?;
    match serde_saphyr::from_str_with_options::<Option<Spanned<TopMap>>>(text, saphyr_options()) {
        Ok(Some(Spanned { value: TopMap(Some(entries)), referenced, .. })) => {
            let flow = byte_range(&referenced).and_then(|r| text.get(r.start..)).is_some_and(|t| t.starts_with('{'));
            Ok(Some(TopLevel { flow, entries }))
        }
        Ok(_) => Ok(None),
        Err(e) => Err(point_at_tab(text, convert_error(&e))),
    }
}

/// The bytes a parser location covers, when the parser knows them (it does for text input).
fn byte_range(loc: &serde_saphyr::Location) -> Option<std::ops::Range<usize>> {
    let span = loc.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len()?).ok()?;
    Some(start..start.saturating_add(len))
}

/// A document read for [`top_level_entries`]: the top-level mapping's
/// entries, or `None` for any other kind of document.
struct TopMap(Option<Vec<EntrySpan>>);

impl<'de> Deserialize<'de> for TopMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TopMapVisitor)
    }
}

struct TopMapVisitor;

impl<'de> Visitor<'de> for TopMapVisitor {
    type Value = TopMap;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopMap, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = map.next_key::<Spanned<Value>>()? {
            let v: Spanned<Value> = map.next_value()?;
            let unknown = || de::Error::custom("the parser gave no byte offsets");
            entries.push(EntrySpan {
                key: Key { name: k.value.scalar_text().unwrap_or_default(), pos: pos_of(&k.referenced) },
                key_bytes: byte_range(&k.referenced).ok_or_else(unknown)?,
                value: Node { value: v.value, pos: pos_of(&v.referenced) },
                value_bytes: byte_range(&v.referenced).ok_or_else(unknown)?,
            });
        }
        Ok(TopMap(Some(entries)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopMap, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(TopMap(None))
    }
    fn visit_bool<E>(self, _: bool) -> Result<TopMap, E> {
        Ok(TopMap(None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<TopMap, E> {
        Ok(TopMap(None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<TopMap, E> {
        Ok(TopMap(None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<TopMap, E> {
        Ok(TopMap(None))
    }
    fn visit_str<E>(self, _: &str) -> Result<TopMap, E> {
        Ok(TopMap(None))
    }
    fn visit_unit<E>(self) -> Result<TopMap, E> {
        Ok(TopMap(None))
    }
    fn visit_none<E>(self) -> Result<TopMap, E> {
        Ok(TopMap(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<TopMap, D::Error> {
        TopMap::deserialize(d)
    }
}

/// Serialises a value as YAML (used to print the effective checklist).
pub fn to_string<T: serde::Serialize>(value: &T) -> String {
    serde_saphyr::to_string(value).expect("plain data serialises to YAML")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(n: &Node) -> &[(Key, Node)] {
        match &n.value {
            Value::Map(m) => m,
            other => panic!("not a map: {other:?}"),
        }
    }

    #[test]
    fn keys_and_values_carry_positions() {
        let n = parse("a: 1\nlist:\n  - x\n  - 2026-10-01\nb: {c: yes}\n").unwrap();
        let m = map(&n);
        assert_eq!(m[0].0.name, "a");
        assert_eq!(m[0].0.pos, Pos { line: 1, column: 1 });
        assert_eq!(m[0].1.value, Value::Int(1));
        assert_eq!(m[0].1.pos, Pos { line: 1, column: 4 });
        let Value::Seq(items) = &m[1].1.value else { panic!() };
        assert_eq!(items[1].value, Value::Str("2026-10-01".into()));
        assert_eq!(items[1].pos, Pos { line: 4, column: 5 });
        assert_eq!(m[2].0.pos, Pos { line: 5, column: 1 });
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.kind, YamlErrorKind::DuplicateKey, "{e:?}");
        assert_eq!(e.pos.line, 3);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("a: 1\nb: [1, 2\n").unwrap_err();
        assert_eq!(e.kind, YamlErrorKind::Syntax);
        assert!(e.pos.line >= 2, "{e:?}");
    }

    #[test]
    fn alias_bombs_are_bounded() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse(&doc).unwrap_err();
        assert_eq!(e.kind, YamlErrorKind::Limit, "{e:?}");
    }

    #[test]
    fn documents_of_too_many_values_are_refused_whichever_reader_answers() {
        // A plain flow list (the fast reader's kind) and a block list.
        let flow = format!("x-l: [{}]\n", vec!["1"; MAX_NODES + 1].join(","));
        let block = format!("x-l:\n{}", "  - 1\n".repeat(MAX_NODES + 1));
        for doc in [flow, block] {
            let e = parse(&doc).unwrap_err();
            assert_eq!(e.kind, YamlErrorKind::Limit, "{e:?}");
            assert!(e.message.contains(&format!("more than {MAX_NODES} values")), "{e:?}");
        }
        let fits = format!("x-l: [{}]\n", vec!["1"; 1000].join(","));
        assert!(parse(&fits).is_ok());
    }

    #[test]
    fn an_alias_to_nothing_is_a_syntax_error_not_a_bomb() {
        let e = parse("a: 1\nb: *undefined\n").unwrap_err();
        assert_eq!((e.kind, e.pos), (YamlErrorKind::Syntax, Pos { line: 2, column: 4 }), "{e:?}");
        assert!(e.message.contains("no anchor"), "{e:?}");
    }

    #[test]
    fn a_tab_that_indents_is_pointed_at() {
        for (doc, line) in [("a: 1\nb: 2\n\tc: 3\n", 3), ("a:\n\t- x\n", 2), ("a:\n  b:\n\t  c: 1\n", 3)] {
            let e = parse(doc).unwrap_err();
            assert_eq!(e.pos.line, line, "{doc:?}: {e:?}");
            assert!(e.message.contains("tab in the indentation"), "{doc:?}: {e:?}");
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(parse(&doc).unwrap_err().kind, YamlErrorKind::Limit);
    }

    #[test]
    fn the_pre_scan_counts_depth_not_brackets() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(too_deep(&format!("a: {}\n", nested(MAX_DEPTH))), None);
        // The bracket that goes one level too deep, on the line it is on.
        let deep = format!("a: 1\nb: {}\n", nested(MAX_DEPTH + 1));
        assert_eq!(too_deep(&deep), Some(Pos { line: 2, column: 4 + MAX_DEPTH as u32 }));
        // Many brackets, never more than two open at a time.
        let flat = format!("a: [{}]\n", vec!["[1]"; 3 * MAX_DEPTH].join(", "));
        assert_eq!(too_deep(&flat), None);
    }

    #[test]
    fn the_nesting_limit_comes_before_the_fast_path() {
        let doc = format!("note: {}\n", "{".repeat(100));
        assert_eq!(parse_plain(&doc), None);
        assert_eq!(parse(&doc).unwrap_err().kind, YamlErrorKind::Limit);
    }

    #[test]
    fn brackets_in_text_are_not_nesting() {
        let many = "{".repeat(70);
        for doc in [
            format!("summary: \"{many}\"\n"),
            format!("summary: '{many} it''s [{many}'\nnext: 1\n"),
            format!("summary: \"a \\\" {many}\"\n"),
            format!("summary: |\n  {many}\n  [{many}\n\nnext: 1\n"),
            format!("list:\n  - >-\n    {many}\n  - two\n"),
            format!("a: 1 # {many}\n"),
            format!("a: \"multi\n  line {many}\"\n"),
        ] {
            assert_eq!(too_deep(&doc), None, "{doc}");
            assert!(parse(&doc).is_ok(), "{doc}: {:?}", parse(&doc));
        }
        // After the quoted text, real nesting still counts.
        let deep = format!("a: \"{many}\"\nb: {}{}\n", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(too_deep(&deep), Some(Pos { line: 2, column: 4 + MAX_DEPTH as u32 }));
        // And so does nesting after a block scalar ends.
        let after = format!("a: |\n  {many}\nb: {}\n", "[".repeat(MAX_DEPTH + 1));
        assert_eq!(too_deep(&after), Some(Pos { line: 3, column: 4 + MAX_DEPTH as u32 }));
    }

    #[test]
    fn parser_errors_are_told_apart_by_variant() {
        assert_eq!(parse("a: 1\na: 2\n").unwrap_err().kind, YamlErrorKind::DuplicateKey);
        assert_eq!(parse_general("a: *nothing\n").unwrap_err().message, "this alias names no anchor defined before it");
        let deep_block = (0..MAX_DEPTH + 2).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect::<String>()
            + &"  ".repeat(MAX_DEPTH + 2)
            + "v\n";
        // The test thread's stack is smaller than the binary's threads'.
        let e = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || parse_general(&deep_block).unwrap_err())
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(
            (e.kind, e.message.as_str()),
            (YamlErrorKind::Limit, format!("YAML nested more than {MAX_DEPTH} levels deep").as_str())
        );
        assert_eq!(parse_general("a: [1, 2\n").unwrap_err().kind, YamlErrorKind::Syntax);
    }

    #[test]
    fn top_level_entries_carry_byte_spans() {
        let doc = "# c\n\"status\" :  in-progress # note\nx: \"multi\n  status: no\"\nvalidated_by:\né: ü\n";
        let top = top_level_entries(doc).unwrap().unwrap();
        assert!(!top.flow);
        let at = |r: &std::ops::Range<usize>| &doc[r.clone()];
        let names: Vec<&str> = top.entries.iter().map(|e| e.key.name.as_str()).collect();
        assert_eq!(names, ["status", "x", "validated_by", "é"]);
        assert_eq!(at(&top.entries[0].key_bytes), "\"status\"");
        assert_eq!(at(&top.entries[0].value_bytes), "in-progress");
        assert_eq!(at(&top.entries[1].value_bytes), "\"multi\n  status: no\"");
        assert_eq!(top.entries[2].value.value, Value::Null);
        assert!(top.entries[2].value_bytes.is_empty());
        assert_eq!(at(&top.entries[3].value_bytes), "ü");
        assert!(top_level_entries("{status: x, b: 1}\n").unwrap().unwrap().flow);
        assert_eq!(top_level_entries("- a\n"), Ok(None));
        assert_eq!(top_level_entries(""), Ok(None));
        assert_eq!(top_level_entries("a: 1\na: 2\n").unwrap_err().kind, YamlErrorKind::DuplicateKey);
    }

    #[test]
    fn empty_is_null() {
        assert_eq!(parse("").unwrap().value, Value::Null);
        assert_eq!(parse("# only a comment\n").unwrap().value, Value::Null);
    }
}
