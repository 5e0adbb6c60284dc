//! Markdown rendering with sanitising: whatever the evidence says, the HTML
//! that comes out has no script, no event handler and no `javascript:` URL.
//! A build writes each body's HTML from validation's parse
//! (`markdown::scan_and_render`); that must be the same scan and the same
//! HTML as the two separate passes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cutover_fuzz::targets::markdown_render(data));
