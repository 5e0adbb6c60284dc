//! Whether the files a build copies can be read, asked before anything is
//! written: one that cannot be is a problem of the portfolio, told at the
//! file itself (E0001), by `check` as by `build`, and never a failure to
//! write the output folder.

use crate::core::diagnostics::{Code, Diagnostic};
use crate::render::probe::Copied;
use rayon::prelude::*;
use std::fs;
use std::io;
use std::path::Path;

/// A diagnostic for each of `files` (relative to `root`) that cannot be
/// opened for reading, sorted by file.
pub fn unreadable(root: &Path, files: &[Copied]) -> Vec<Diagnostic> {
    let mut found: Vec<Diagnostic> =
        files.par_iter().filter_map(|c| fs::File::open(root.join(&c.file)).err().map(|e| cannot_read(c, &e))).collect();
    found.sort_by(|a, b| a.file.cmp(&b.file));
    found.dedup_by(|a, b| a.file == b.file);
    found
}

/// E0001 at the file `c` that the build could not read.
pub fn cannot_read(c: &Copied, e: &io::Error) -> Diagnostic {
    Diagnostic::new(Code::E0001, &c.file, 1, 1, format!("cannot read file: {e}"))
        .with_help(format!("{}: make it readable by whoever runs cutover, or stop publishing it", c.because))
}
