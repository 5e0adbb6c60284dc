//! The CSV file as a table of trimmed cells, each with the line and column
//! where it is written, so that every diagnostic points into the file.
//!
//! Reading follows RFC 4180 (the `csv` crate): quoted cells may hold commas,
//! quotes (`""`) and line breaks; lines end in CRLF or LF; a UTF-8
//! byte-order mark is skipped. A file whose first line has no comma but
//! semicolons (or tabs) is read with that separator: spreadsheets in
//! locales that write decimal commas export CSV that way.

use crate::core::diagnostics::{Code, Diagnostic};

/// One cell: its text, trimmed, and where it starts in the file (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub line: u32,
    pub column: u32,
}

/// A data row: its cells (as many as there are headers; missing ones are
/// empty, positioned at the row's end) and the line it starts on.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u32,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn cell(&self, i: usize) -> &Cell {
        &self.cells[i]
    }
}

/// The file read as a table.
#[derive(Debug, Clone)]
pub struct Table {
    /// The text without its byte-order mark, for quoting lines in diagnostics.
    pub text: String,
    pub headers: Vec<Cell>,
    /// Rows with at least one non-empty cell, in file order.
    pub rows: Vec<Row>,
}

/// Reads `bytes` (the file `file`) as a table, or says at which line and
/// column it cannot be one. An empty file or one with a header and no row is
/// refused too: there is nothing to import.
pub fn read(file: &str, bytes: &[u8]) -> Result<Table, Vec<Diagnostic>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(e) => return Err(vec![not_utf8(file, bytes, e.valid_up_to())]),
    };
    if text.trim().is_empty() {
        return Err(vec![
            Diagnostic::new(Code::E0802, file, 1, 1, "the file is empty")
                .with_help("export the inventory with a header row and one row per workload"),
        ]);
    }
    let delimiter = separator(&text);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let (start, line) = record_start(&text, record.position());
                records.push((start, line, record.iter().map(str::to_string).collect::<Vec<_>>()));
            }
            Ok(false) => break,
            // The text is UTF-8 and the reader is flexible: only a failure
            // to read memory could land here, which does not happen.
            Err(e) => {
                let at = e.position().map_or(1, |p| p.line() as u32);
                return Err(vec![Diagnostic::new(Code::E0801, file, at, 1, format!("cannot read the CSV: {e}"))]);
            }
        }
    }
    let mut records = records.into_iter();
    let Some((start, line, header_texts)) = records.next() else {
        return Err(vec![Diagnostic::new(Code::E0802, file, 1, 1, "the file is empty")]);
    };
    let headers = cells_at(&text, start, line, &header_texts, delimiter);
    let width = headers.len();
    let mut rows = Vec::new();
    let mut diags = Vec::new();
    for (start, line, texts) in records {
        let mut cells = cells_at(&text, start, line, &texts, delimiter);
        if cells.iter().all(|c| c.text.is_empty()) {
            continue;
        }
        if let Some(extra) = cells[width.min(cells.len())..].iter().find(|c| !c.text.is_empty()) {
            diags.push(
                Diagnostic::new(
                    Code::E0801,
                    file,
                    extra.line,
                    extra.column,
                    format!("this row has {} cells, and the header row {width}", cells.len()),
                )
                .with_help("a value that holds a comma must be in double quotes: \"Payroll, EU\""),
            );
            continue;
        }
        let end = cells.last().map_or((line, 1), |c| (c.line, c.column));
        cells.resize(width, Cell { text: String::new(), line: end.0, column: end.1 });
        rows.push(Row { line, cells });
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    if rows.is_empty() {
        return Err(vec![
            Diagnostic::new(Code::E0802, file, line, 1, "the file has a header row and no workload")
                .with_help("add one row per workload below the header row"),
        ]);
    }
    Ok(Table { text, headers, rows })
}

/// Where a record starts: the reader's position is where it stood before
/// the record, which may be before the line break that ends the previous
/// record, or before blank lines, which it skips.
fn record_start(text: &str, pos: Option<&csv::Position>) -> (usize, u32) {
    let (mut at, mut line) = pos.map_or((0, 1), |p| (p.byte() as usize, p.line() as u32));
    let bytes = text.as_bytes();
    while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
        if bytes[at] == b'\n' {
            line += 1;
        }
        at += 1;
    }
    (at, line)
}

/// `,` unless the first line has none and has `;` or tabs.
fn separator(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    if first.contains(',') {
        b','
    } else if first.contains(';') {
        b';'
    } else if first.contains('\t') {
        b'\t'
    } else {
        b','
    }
}

/// The cells of the record that starts at byte `start` on line `line`,
/// positioned by scanning the raw text the way the reader did.
fn cells_at(text: &str, start: usize, line: u32, texts: &[String], delimiter: u8) -> Vec<Cell> {
    let bytes = text.as_bytes();
    let mut at = start;
    let mut out = Vec::with_capacity(texts.len());
    for (i, t) in texts.iter().enumerate() {
        // Leading spaces before a value do not count in its column.
        let mut first = at;
        while first < bytes.len() && matches!(bytes[first], b' ' | b'\t') && bytes[first] != delimiter {
            first += 1;
        }
        let (l, c) = line_column(text, start, line, first);
        out.push(Cell { text: t.trim().to_string(), line: l, column: c });
        if i + 1 < texts.len() {
            at = past_field(bytes, at, delimiter) + 1;
        }
    }
    out
}

/// The index of the separator (or line end) after the field starting at `at`.
fn past_field(bytes: &[u8], mut at: usize, delimiter: u8) -> usize {
    let mut quoted = false;
    while at < bytes.len() {
        match bytes[at] {
            b'"' if quoted && bytes.get(at + 1) == Some(&b'"') => at += 1,
            b'"' => quoted = !quoted,
            b if b == delimiter && !quoted => return at,
            b'\n' | b'\r' if !quoted => return at,
            _ => {}
        }
        at += 1;
    }
    at
}

/// Line and column (in characters, 1-based) of byte `at`, counting from a
/// record that starts at byte `start` on line `line`.
fn line_column(text: &str, start: usize, line: u32, at: usize) -> (u32, u32) {
    let at = at.min(text.len());
    let between = &text[start.min(at)..at];
    let breaks = between.matches('\n').count() as u32;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..at].chars().count() as u32 + 1;
    (line + breaks, column)
}

fn not_utf8(file: &str, bytes: &[u8], valid: usize) -> Diagnostic {
    let line = bytes[..valid].iter().filter(|b| **b == b'\n').count() as u32 + 1;
    let line_start = bytes[..valid].iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&bytes[line_start..valid]).chars().count() as u32 + 1;
    Diagnostic::new(
        Code::E0801,
        file,
        line,
        column,
        format!("the file is not UTF-8 (byte 0x{:02X} here)", bytes[valid]),
    )
    .with_help("save it as \"CSV UTF-8\" (Excel: File > Save As; LibreOffice: character set Unicode (UTF-8))")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: &Table, row: usize, col: usize) -> (&str, u32, u32) {
        let c = &t.rows[row].cells[col];
        (c.text.as_str(), c.line, c.column)
    }

    #[test]
    fn bom_crlf_quotes_and_line_breaks_in_cells_keep_positions() {
        let text = "\u{feff}Name,Owner\r\n\"Paie, congés\",ana\r\n\"Two\r\nlines\",\"bo \"\"b\"\"\"\r\nÉté,x\r\n";
        let t = read("f.csv", text.as_bytes()).unwrap();
        assert_eq!(t.headers[1].text, "Owner");
        assert_eq!(at(&t, 0, 0), ("Paie, congés", 2, 1));
        assert_eq!(at(&t, 0, 1), ("ana", 2, 16));
        assert_eq!(at(&t, 1, 0), ("Two\r\nlines", 3, 1));
        assert_eq!(at(&t, 1, 1), ("bo \"b\"", 4, 8));
        assert_eq!(t.rows[2].line, 5);
        assert_eq!(at(&t, 2, 1), ("x", 5, 5));
    }

    #[test]
    fn short_rows_are_padded_and_blank_rows_skipped() {
        let t = read("f.csv", b"a,b,c\n1\n,,\n\n2,3,4\n").unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].cells.len(), 3);
        assert_eq!(t.rows[1].line, 5);
    }

    #[test]
    fn semicolons_separate_when_the_header_has_no_comma() {
        let t = read("f.csv", "Name;Depends on\nA;\"b, c\"\n".as_bytes()).unwrap();
        assert_eq!(at(&t, 0, 1), ("b, c", 2, 3));
    }

    #[test]
    fn what_cannot_be_imported_is_pointed_at() {
        let d = read("f.csv", b"name\nCaf\xe9\n").unwrap_err();
        assert_eq!((d[0].code, d[0].line, d[0].column), (Code::E0801, 2, 4));
        for empty in ["", "\u{feff}", " \r\n"] {
            let d = read("f.csv", empty.as_bytes()).unwrap_err();
            assert_eq!(d[0].code, Code::E0802, "{empty:?}");
        }
        let d = read("f.csv", b"name,owner\r\n,\r\n").unwrap_err();
        assert!(d[0].message.contains("no workload"), "{d:?}");
        let d = read("f.csv", b"name,owner\nPayroll, EU,ana\n").unwrap_err();
        assert_eq!((d[0].code, d[0].line, d[0].column), (Code::E0801, 2, 13));
    }
}
