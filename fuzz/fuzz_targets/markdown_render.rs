//! Markdown rendering with sanitising: whatever the evidence says, the HTML
//! that comes out has no script, no event handler and no `javascript:` URL.
//! A build writes each body's HTML from validation's parse
//! (`markdown::scan_and_render`); that must be the same scan and the same
//! HTML as the two separate passes.
#![no_main]

use cutover::markdown::{HtmlSpec, scan_and_render};
use cutover::render::markdown::{inline_to_html, to_html};
use cutover::sanitize::Reach;
use cutover_fuzz::html::assert_inert;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;

fuzz_target!(|data: &[u8]| {
    let Some((&shift, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let items: BTreeSet<String> = ["stage", "promote"].iter().map(|s| s.to_string()).collect();
    let html = to_html(text, &items, shift % 8);
    assert_inert(&html);
    let spec = HtmlSpec { evidence_items: &items, top: shift % 8, scope: "body", reach: Reach::Folder };
    let (scan, once) = scan_and_render(text, &spec);
    assert_eq!(scan, cutover::markdown::scan(text));
    assert_eq!(once, html);
    assert_inert(&inline_to_html(text));
});
