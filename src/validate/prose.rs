//! Markdown outside evidence bodies: a workload's `summary` and the free
//! pages under `content/pages/`. Both reach the site through the same
//! renderer and sanitiser as evidence, so the same things are told: a link
//! or image with a scheme that is not allowed is an error at its position,
//! and raw HTML that the sanitiser changes is a warning. Neither has
//! attachments of its own, which is where they differ from evidence.

use super::evidence::Positions;
use super::fields::Sink;
use super::links::{self, Allowed, LinkError};
use crate::core::diagnostics::Code;
use crate::core::model::Link;
use crate::load::markdown::Origin;
use crate::load::yaml::Pos;
use std::collections::BTreeSet;

/// The `owner` that `new` writes when none is given: `check` warns about it
/// (W0009), so that a workload does not go unowned unnoticed.
pub const PLACEHOLDER_OWNER: &str = "TODO";

/// The first line of each evidence stub's body: `check` warns (W0010) when
/// evidence is validated while its text is still this.
pub const STUB_TEXT: &str = "Not started yet. Describe here what was done and how you know it worked,";

/// A workload summary (`text` is the value of the field at `at`). It is shown
/// on several pages, so a relative link would lead somewhere different from
/// each; it may link web addresses only. Its diagnostics point at the field,
/// since a YAML scalar's text is not the file's text column for column.
pub fn summary(sink: &mut Sink, text: &str, at: Pos) {
    let scan = crate::load::markdown::scan(text);
    for link in &scan.links {
        match links::resolve(&link.dest, Allowed::Body, &BTreeSet::new()) {
            Ok(Some(Link::Url(u))) if link.image => image_not_shown(sink, at, &u),
            Ok(_) => {}
            Err(e) if link.origin == Origin::RawHtml && e.code == Code::E0403 => {}
            Err(e) if e.code == Code::E0402 => sink.report(
                Code::E0402,
                at,
                format!("`{}` in the summary is not a web address; a summary can only link to one", link.dest),
                Some("link files from the evidence that uses them, where they are published".into()),
            ),
            Err(e) => report(sink, at, e),
        }
    }
    for chunk in &scan.raw_html {
        sanitised(sink, at, &chunk.html);
    }
}

/// A free page's body, which starts on `body_line` of its file. Its relative
/// links lead to other pages of the site, so only their schemes are checked.
pub fn page(sink: &mut Sink, body: &str, body_line: u32) {
    let saved = sink.line_offset;
    sink.line_offset = 0;
    let scan = crate::load::markdown::scan(body);
    let mut positions = Positions::new(body, body_line);
    for link in &scan.links {
        match links::resolve(&link.dest, Allowed::Body, &BTreeSet::new()) {
            Err(e) if e.code == Code::E0403 && link.origin == Origin::Markdown => {
                report(sink, positions.at(link.offset), e)
            }
            Ok(Some(Link::Url(u))) if link.image => image_not_shown(sink, positions.at(link.offset), &u),
            _ => {}
        }
    }
    for chunk in &scan.raw_html {
        super::evidence::report_sanitised(sink, &mut positions, chunk);
    }
    sink.line_offset = saved;
}

fn report(sink: &mut Sink, at: Pos, e: LinkError) {
    sink.report(e.code, at, e.message, e.help);
}

fn image_not_shown(sink: &mut Sink, at: Pos, url: &str) {
    sink.report(
        Code::W0004,
        at,
        format!("the image `{url}` is not shown: the site shows no images from other servers"),
        Some("attach the image to the evidence that needs it and link it by its relative path".into()),
    );
}

fn sanitised(sink: &mut Sink, at: Pos, html: &str) {
    let removed = crate::load::sanitize::removed_parts(html, crate::load::sanitize::Reach::Site);
    if !removed.is_empty() {
        super::evidence::warn_sanitised(sink, at, &removed);
    }
}
