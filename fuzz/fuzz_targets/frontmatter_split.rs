//! The front-matter splitter on any text: it never panics, its parts are
//! slices of the input in order, and its line numbers match the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cutover_fuzz::targets::frontmatter_split(data));
