//! Text made safe to show: control characters as visible stand-ins, and
//! the source lines that human-readable diagnostics quote under their
//! location. A file with thousands of diagnostics (a body full of bad links)
//! must not be searched from the top for each of them: its line starts are
//! found once, and on one long line the column is walked on from the last
//! diagnostic's, since a report lists a file's diagnostics in order.

/// A file's text, ready to quote any of its lines.
pub struct Quoted {
    text: String,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// The last (line, column, byte offset of that column) asked for.
    last: (u32, usize, usize),
}

impl Quoted {
    /// Indexes the lines of `text` once, so that quoting many of them stays cheap.
    pub fn new(text: String) -> Quoted {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        Quoted { text, starts, last: (0, 0, 0) }
    }

    /// The excerpt of 1-based `line` to print, and where the caret goes under
    /// 0-based `column0`; `None` past the last line.
    pub(crate) fn excerpt(&mut self, line: u32, column0: usize) -> Option<(String, usize)> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.starts.get(index)?;
        if start >= self.text.len() {
            return None;
        }
        let end = self.starts.get(index + 1).map_or(self.text.len(), |next| next - 1);
        let text = self.text[start..end].trim_end_matches('\r');
        let at = byte_of(&mut self.last, line, text, column0);
        Some(window(text, at, column0))
    }
}

/// The byte offset in `text` (line `line`) of character `column0`, clamped to
/// the line's end; walked on from `last` when it is earlier on the same line.
fn byte_of(last: &mut (u32, usize, usize), line: u32, text: &str, column0: usize) -> usize {
    let (from_column, from_byte) = if last.0 == line && last.1 <= column0 { (last.1, last.2) } else { (0, 0) };
    let from_byte = from_byte.min(text.len());
    let at = text[from_byte..].char_indices().nth(column0 - from_column).map_or(text.len(), |(i, _)| from_byte + i);
    *last = (line, column0, at);
    at
}

/// What to show of a line: all of it when short; on a long line a window of
/// `WIDTH` characters around byte `at`, marked with `…` where it is cut.
/// Tabs become spaces so that the caret lines up, and other control
/// characters visible stand-ins, so a quoted line cannot drive the terminal. Returns the text and the
/// caret's offset in characters.
fn window(line: &str, at: usize, column0: usize) -> (String, usize) {
    const WIDTH: usize = 100;
    let tab = |c: char| if c == '\t' { ' ' } else { visible(c) };
    if line.chars().nth(WIDTH).is_none() {
        return (line.chars().map(tab).collect(), column0.min(line.chars().count()));
    }
    let before: Vec<char> = line[..at].chars().rev().take(WIDTH / 2 + 1).collect();
    let cut_before = before.len() > WIDTH / 2;
    let kept = before.len().min(WIDTH / 2);
    let mut out = String::new();
    if cut_before {
        out.push('…');
    }
    out.extend(before[..kept].iter().rev().map(|&c| tab(c)));
    let mut after = line[at..].chars();
    out.extend(after.by_ref().take(WIDTH - kept).map(tab));
    if after.next().is_some() {
        out.push('…');
    }
    (out, kept + usize::from(cut_before))
}

/// `s` safe to print to a terminal: each control character becomes one
/// visible stand-in (see [`visible`]). File names and YAML strings can hold
/// escape sequences that retitle or clear a terminal, or a line break that
/// forges a line of the report.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(char::is_control) { s.chars().map(visible).collect::<String>().into() } else { s.into() }
}

/// A character as the human report shows it: a C0 control as its Unicode
/// control picture (`␛` for escape, `␊` for a line feed), DEL as `␡`, a C1
/// control as `�`, anything else as itself. One character for one, so a
/// caret under a quoted line stays in its column.
pub fn visible(c: char) -> char {
    match c as u32 {
        0..=0x1f => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        0x7f => '\u{2421}',
        0x80..=0x9f => '\u{fffd}',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The excerpt as cutover printed it before [`Quoted`]: every line found
    /// from the top, every line turned into a list of characters.
    fn from_the_top(text: &str, line: u32, column0: usize) -> Option<(String, usize)> {
        const WIDTH: usize = 100;
        let l = text.lines().nth(line as usize - 1)?;
        let chars: Vec<char> = l.trim_end_matches('\r').chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
        let column0 = column0.min(chars.len());
        if chars.len() <= WIDTH {
            return Some((chars.into_iter().collect(), column0));
        }
        let start = column0.saturating_sub(WIDTH / 2);
        let end = (start + WIDTH).min(chars.len());
        let mut out: String = if start > 0 { "…".into() } else { String::new() };
        out.extend(&chars[start..end]);
        if end < chars.len() {
            out.push('…');
        }
        Some((out, column0 - start + usize::from(start > 0)))
    }

    #[test]
    fn agrees_with_reading_from_the_top() {
        let long = format!("{}é\tX{}", "a".repeat(230), "日".repeat(170));
        let text = format!("one\r\n\ttwo\n\n{long}\nlast");
        let mut asked = Vec::new();
        for line in 1..=7 {
            for column0 in [0, 1, 2, 3, 49, 50, 51, 99, 100, 101, 150, 229, 230, 231, 232, 300, 399, 400, 401, 402, 500]
            {
                asked.push((line, column0));
            }
        }
        // In order (as a report lists them), then backwards.
        let mut q = Quoted::new(text.clone());
        for &(line, column0) in asked.iter().chain(asked.iter().rev()) {
            assert_eq!(q.excerpt(line, column0), from_the_top(&text, line, column0), "line {line}, column {column0}");
        }
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let (shown, caret) = Quoted::new(line).excerpt(1, 500).unwrap();
        assert!(shown.chars().count() <= 102, "{shown}");
        assert_eq!(shown.chars().nth(caret), Some('X'));
        assert_eq!(Quoted::new("\tab".into()).excerpt(1, 1), Some((" ab".to_string(), 1)));
        // Control characters are shown, one stand-in each, so the caret keeps its column.
        assert_eq!(
            Quoted::new("a\u{1b}[2Jb\u{7f}X".into()).excerpt(1, 6),
            Some(("a\u{241b}[2Jb\u{2421}X".to_string(), 6))
        );
        assert_eq!(Quoted::new("a\n".into()).excerpt(2, 0), None);
        assert_eq!(Quoted::new(String::new()).excerpt(1, 0), None);
    }
}
