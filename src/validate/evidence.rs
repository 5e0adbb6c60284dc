//! One evidence file (`<item-id>.md`) into [`Evidence`].

use super::fields::{self, Fields, Sink};
use super::keys::{self, COMMON_FIELDS, STATUS_NEEDS};
use super::links::{self, Allowed};
use crate::core::checklist::{FieldKind, FieldSpec, Item};
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::model::{Evidence, FieldValue, ItemId, Link, PromotionModel, Status, Waiver};
use crate::load::SourceFile;
use crate::load::frontmatter;
use crate::load::yaml::{self, Node, Pos};
use std::collections::{BTreeMap, BTreeSet};

/// Reads one evidence file for `item`. `files` are the workload folder's
/// files, for links. `model` is the workload's promotion model, `None` when
/// its workload.yaml is broken: the checks that depend on it then wait.
/// `site` (absent when site.yaml is broken) names the approvers that risks may cite.
/// With `html` (the items the report shows), the body's report HTML comes
/// back too, written from the same parse.
#[allow(clippy::too_many_arguments)]
pub fn read(
    src: &SourceFile,
    item: &Item,
    files: &BTreeSet<String>,
    digests: &BTreeMap<String, String>,
    model: Option<PromotionModel>,
    html: Option<&BTreeSet<String>>,
    site: Option<&crate::core::model::Site>,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Evidence, Option<String>)> {
    let split = match frontmatter::split(&src.text) {
        Ok(s) => s,
        Err(e) => {
            diags.push(Diagnostic::new(e.code, &src.path, e.line, 1, e.message).with_help(e.help));
            return None;
        }
    };
    let mut sink = Sink::new(&src.path, split.yaml_line_offset, diags);
    let node = match yaml::parse(split.yaml) {
        Ok(n) => n,
        Err(e) => {
            super::report_yaml_error(&mut sink, &e);
            return None;
        }
    };
    let f = Fields::of(&mut sink, &node, "evidence front matter")?;
    let f = Fields { pos: Pos { line: 1, column: 1 }, ..f };
    let mut known: Vec<&str> = COMMON_FIELDS.to_vec();
    known.extend(item.fields.iter().map(|s| s.name.as_str()));
    // Waiver fields written at the top level: one error that says where they
    // go, instead of one per field and another for the missing `waiver`.
    let misplaced = misplaced_waiver_fields(&f, &known);
    if let Some(first) = misplaced.first() {
        let names: Vec<String> = misplaced.iter().map(|k| format!("`{}`", k.name)).collect();
        let (verb, it) = if names.len() == 1 { ("belongs", "it") } else { ("belong", "them") };
        sink.report(
            Code::E0203,
            first.pos,
            format!("{} {verb} under `waiver:`, not at the top level", names.join(", ")),
            Some(format!(
                "add a line `waiver:` and indent {it} below it by two spaces (`waiver:`, then `  approved_by: ...`, `  approved_on: ...`)"
            )),
        );
        known.extend(misplaced.iter().map(|k| k.name.as_str()));
    }
    f.reject_unknown(&mut sink, &known, &format!("evidence for `{}`", item.id));
    f.require_keys(&mut sink, keys::EVIDENCE, "evidence front matter");

    let status_node = f.get("status");
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let status =
        status_node.and_then(|n| fields::one_of(&mut sink, n, "status", &statuses)).and_then(|s| Status::parse(&s));
    let status_pos = status_node.map_or(f.pos, |n| n.pos);

    let mut ev = Evidence {
        item: item.id.clone(),
        file: src.path.clone(),
        status: status.unwrap_or(Status::NotStarted),
        status_line: status_pos.line + split.yaml_line_offset,
        status_column: status_pos.column,
        executed_on: f.get("executed_on").and_then(|n| fields::date(&mut sink, n, "executed_on")),
        documented_in: f.get("documented_in").map(|n| documented_in(&mut sink, n, files)).unwrap_or_default(),
        validated_by: f.get("validated_by").and_then(|n| fields::text(&mut sink, n, "validated_by")),
        validated_on: f.get("validated_on").and_then(|n| fields::date(&mut sink, n, "validated_on")),
        validated_digest: f.get("validated_digest").and_then(|n| digest_field(&mut sink, n)),
        justification: f.get("justification").and_then(|n| fields::text(&mut sink, n, "justification")),
        waiver: f.get("waiver").and_then(|n| waiver(&mut sink, n)),
        fields: Vec::new(),
        body: crate::core::model::Body::tail(&src.text, split.body.len()),
        body_line: split.body_line,
        linked_files: Vec::new(),
        has_errors: false,
        changed_after_signoff: false,
        withheld: Vec::new(),
        provenance: None,
        // Only a build shows provenance; the text may have lost a byte-order mark (then history is read).
        blob: html.map(|_| crate::load::git::blob_id(src.text.as_bytes())),
    };
    if let Some(status) = status
        && status.at_least(Status::Validated)
        && split.body.contains(super::prose::STUB_TEXT)
    {
        let line = split.body.lines().position(|l| l.contains(super::prose::STUB_TEXT)).unwrap_or(0) as u32;
        sink.diags.push(
            Diagnostic::new(
                Code::W0010,
                sink.file,
                split.body_line + line,
                1,
                format!("`{}` is `{status}`, but its text is still the stub that `cutover new` wrote", item.id),
            )
            .with_help("replace the stub with what was done and how you know it worked; reviewers read it"),
        );
    }
    if let Some(status) = status {
        status_needs(&mut sink, &f, &ev, item, status, status_pos, !misplaced.is_empty());
    }
    ev.fields = item_fields(&mut sink, &f, &item.fields, status, files);
    for spec in item.fields.iter().filter(|s| s.fields.iter().any(|sub| sub.name == "traffic_percent")) {
        if let Some(crate::load::yaml::Value::Seq(entries)) = f.get(&spec.name).map(|n| &n.value)
            && let Some(model) = model
        {
            check_flight(&mut sink, &spec.name, entries, model);
        }
    }
    super::risks::check(&mut sink, f.entries, item, site);
    let mut linked: Vec<String> = ev.documented_in.iter().filter_map(Link::file).map(str::to_string).collect();
    let spec = html.map(|evidence_items| crate::load::markdown::HtmlSpec {
        evidence_items,
        top: crate::load::markdown::EVIDENCE_TOP_HEADING,
        scope: item.id.as_str(),
        reach: crate::load::sanitize::Reach::Folder,
    });
    let (body_links, body_html) = check_body_links(&mut sink, split.body, split.body_line, files, spec.as_ref());
    linked.extend(body_links);
    linked.sort();
    linked.dedup();
    ev.linked_files = linked;
    if let Some(signed) = &ev.validated_digest
        && *signed != crate::core::digest::evidence_digest(&ev, digests)
    {
        ev.changed_after_signoff = true;
        let pos = f.get("validated_digest").map_or(f.pos, |n| n.pos);
        let on = ev.validated_on.map_or_else(|| "an unknown date".to_string(), |d| d.to_string());
        let by = ev.validated_by.clone().unwrap_or_else(|| "someone".into());
        sink.report(
            Code::E0601,
            pos,
            format!("changed after sign-off on {on} by {by}"),
            Some(format!("the body, item fields or linked files differ from what was signed; review the change and sign again with `cutover sign <workload> {}`", item.id)),
        );
    }
    ev.has_errors = sink.errors > 0;
    Some((ev, body_html))
}

/// Flight plans: under `promotion_model: flight` every cutover record carries a
/// `batch` and a `traffic_percent`, and each record's percentages add up to 100.
/// Other models move all traffic at once, so those fields are refused there.
fn check_flight(sink: &mut Sink, field: &str, entries: &[Node], model: PromotionModel) {
    let mut totals: Vec<(String, f64, Pos)> = Vec::new();
    for entry in entries {
        let crate::load::yaml::Value::Map(map) = &entry.value else { continue };
        let get = |k: &str| map.iter().find(|(key, _)| key.name == k).map(|(_, v)| v);
        let (batch, percent) = (get("batch"), get("traffic_percent"));
        if model != PromotionModel::Flight {
            if let Some(n) = batch.or(percent) {
                sink.report(
                    Code::E0213,
                    n.pos,
                    format!("`batch` and `traffic_percent` in `{field}` need `promotion_model: flight`"),
                    Some("set `promotion_model: flight` in workload.yaml, or remove the batch fields".into()),
                );
            }
            continue;
        }
        for (name, node) in [("batch", batch), ("traffic_percent", percent)] {
            if node.is_none() {
                sink.report(Code::E0202, entry.pos, format!("a flight cutover record needs `{name}`"), None);
            }
        }
        let record = get("record").and_then(|n| n.value.scalar_text()).unwrap_or_default();
        let Some(pct) = percent.and_then(|n| match n.value {
            crate::load::yaml::Value::Int(i) => Some(i as f64),
            crate::load::yaml::Value::Float(f) => Some(f),
            _ => None,
        }) else {
            continue;
        };
        match totals.iter_mut().find(|(r, _, _)| *r == record) {
            Some(t) => t.1 += pct,
            None => totals.push((record, pct, entry.pos)),
        }
    }
    for (record, total, pos) in totals {
        if (total - 100.0).abs() > 1e-6 {
            sink.report(
                Code::E0212,
                pos,
                format!("traffic for `{record}` adds up to {total}%, not 100%"),
                Some(
                    "the batches of one record must move all of its traffic: make their `traffic_percent` sum to 100"
                        .into(),
                ),
            );
        }
    }
}

/// `validated_digest: sha256:<64 hex digits>`, as `cutover sign` writes it.
fn digest_field(sink: &mut Sink, node: &Node) -> Option<String> {
    let s = fields::text(sink, node, "validated_digest")?;
    let ok = s
        .strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    if ok {
        Some(s)
    } else {
        sink.report(
            Code::E0205,
            node.pos,
            format!("`{s}` is not a digest cutover wrote"),
            Some("remove `validated_digest` and sign again with `cutover sign`".into()),
        );
        None
    }
}

fn documented_in(sink: &mut Sink, node: &Node, files: &BTreeSet<String>) -> Vec<Link> {
    let Some(list) = fields::list(sink, node, "documented_in") else {
        return Vec::new();
    };
    if list.is_empty() {
        sink.report(
            Code::E0211,
            node.pos,
            "`documented_in` is an empty list",
            Some("list at least one file in the workload folder or one https URL".into()),
        );
    }
    list.iter().filter_map(|n| link_field(sink, n, "documented_in", files)).collect()
}

fn link_field(sink: &mut Sink, node: &Node, field: &str, files: &BTreeSet<String>) -> Option<Link> {
    let raw = fields::text(sink, node, field)?;
    match links::resolve(&raw, Allowed::Web, files) {
        Ok(link) => link,
        Err(e) => {
            sink.report(e.code, node.pos, e.message, e.help);
            None
        }
    }
}

fn waiver(sink: &mut Sink, node: &Node) -> Option<Waiver> {
    let f = Fields::of(sink, node, "waiver")?;
    f.check_keys(sink, keys::WAIVER, "a waiver");
    let approved_by = f.get("approved_by").and_then(|n| fields::text(sink, n, "approved_by"));
    let approved_on = f.get("approved_on").and_then(|n| fields::date(sink, n, "approved_on"));
    let expires_on = f.get("expires_on").and_then(|n| fields::date(sink, n, "expires_on"));
    let reason = f.get("reason").and_then(|n| fields::text(sink, n, "reason"));
    let mitigation = f.get("mitigation").and_then(|n| fields::text(sink, n, "mitigation"));
    if let (Some(a), Some(e)) = (approved_on, expires_on)
        && e < a
    {
        let pos = f.get("expires_on").map_or(f.pos, |n| n.pos);
        sink.report(Code::E0209, pos, format!("the waiver expires ({e}) before it was approved ({a})"), None);
    }
    Some(Waiver {
        approved_by: approved_by?,
        approved_on: approved_on?,
        expires_on: expires_on?,
        reason: reason?,
        mitigation: mitigation?,
        provenance: None,
    })
}

/// The top-level keys that are a waiver's fields (and not the item's own),
/// when there is no `waiver:` to hold them.
fn misplaced_waiver_fields<'n>(f: &Fields<'n>, known: &[&str]) -> Vec<&'n crate::load::yaml::Key> {
    if f.key("waiver").is_some() {
        return Vec::new();
    }
    f.entries
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !known.contains(&k.name.as_str()) && keys::WAIVER.iter().any(|w| w.name == k.name))
        .collect()
}

/// The fields a status needs (FORMAT.md's table), and date order.
/// `waiver_misplaced`: its fields were written at the top level, which is
/// reported already, so its absence is not reported again.
fn status_needs(
    sink: &mut Sink,
    f: &Fields,
    ev: &Evidence,
    item: &Item,
    status: Status,
    at: Pos,
    waiver_misplaced: bool,
) {
    // A field that is present but malformed has its own diagnostic already.
    for (field, when) in STATUS_NEEDS {
        if *field == "waiver" && waiver_misplaced {
            continue;
        }
        if when.holds(status) && f.get(field).is_none() {
            sink.report(
                Code::E0208,
                at,
                format!("status `{status}` needs `{field}`"),
                Some(format!("add `{field}:` to the front matter, or lower the status")),
            );
        }
    }
    if status == Status::NotApplicable && !item.allow_not_applicable {
        sink.report(
            Code::E0210,
            at,
            format!("item `{}` cannot be `not-applicable`", item.id),
            Some(
                "the checklist requires this item; ask for a waiver (`status: waived`) if it truly cannot be done"
                    .into(),
            ),
        );
    }
    if status == Status::Waived && !item.waivable {
        sink.report(
            Code::E0602,
            at,
            format!("item `{}` cannot be waived", item.id),
            Some("the checklist sets `waivable: false` on it: no exception can stand in for it; record the work, or set the status it has reached".into()),
        );
    }
    if let (Some(x), Some(v)) = (ev.executed_on, ev.validated_on)
        && v < x
    {
        let pos = f.get("validated_on").map_or(at, |n| n.pos);
        sink.report(
            Code::E0209,
            pos,
            format!("validated on {v}, before it was executed on {x}"),
            Some("`validated_on` cannot be earlier than `executed_on`".into()),
        );
    }
}

fn item_fields(
    sink: &mut Sink,
    f: &Fields,
    specs: &[FieldSpec],
    status: Option<Status>,
    files: &BTreeSet<String>,
) -> Vec<(String, FieldValue)> {
    let mut out = Vec::new();
    for spec in specs {
        match f.get(&spec.name) {
            Some(node) => {
                if let Some(v) = field_value(sink, node, spec, files) {
                    out.push((spec.name.clone(), v));
                }
            }
            None => {
                if let (Some(s), Some(from)) = (status, spec.required_from)
                    && s.at_least(from)
                {
                    let pos = f.get("status").map_or(f.pos, |n| n.pos);
                    sink.report(
                        Code::E0208,
                        pos,
                        format!("status `{s}` needs `{}`", spec.name),
                        Some(format!("this item needs `{}` ({}) from status `{from}`", spec.name, describe(spec))),
                    );
                }
            }
        }
    }
    out
}

fn describe(spec: &FieldSpec) -> String {
    match spec.kind {
        FieldKind::Enum => format!("one of {}", spec.values.join(", ")),
        FieldKind::List if !spec.fields.is_empty() => {
            format!(
                "a list of entries with {}",
                spec.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
            )
        }
        k => format!("a {}", k.as_str()),
    }
}

/// A typed field value; also used for the fields of list entries.
fn field_value(sink: &mut Sink, node: &Node, spec: &FieldSpec, files: &BTreeSet<String>) -> Option<FieldValue> {
    let name = spec.name.as_str();
    match spec.kind {
        FieldKind::String | FieldKind::Text => fields::text(sink, node, name).map(FieldValue::Text),
        FieldKind::Date => fields::date(sink, node, name).map(FieldValue::Date),
        FieldKind::Number => fields::number(sink, node, name).map(FieldValue::Number),
        FieldKind::Boolean => fields::boolean(sink, node, name).map(FieldValue::Bool),
        FieldKind::Url => link_field(sink, node, name, files).map(|l| match l {
            Link::Url(u) => FieldValue::Text(u),
            Link::File(p) => FieldValue::Text(p),
        }),
        FieldKind::Enum => {
            let allowed: Vec<&str> = spec.values.iter().map(String::as_str).collect();
            fields::one_of(sink, node, name, &allowed).map(FieldValue::Text)
        }
        FieldKind::List => {
            let list = fields::list(sink, node, name)?;
            let items = list.iter().filter_map(|n| list_entry(sink, n, spec, files)).collect();
            Some(FieldValue::List(items))
        }
    }
}

fn list_entry(sink: &mut Sink, node: &Node, spec: &FieldSpec, files: &BTreeSet<String>) -> Option<FieldValue> {
    if spec.fields.is_empty() {
        return fields::text(sink, node, &spec.name).map(FieldValue::Text);
    }
    let what = format!("an entry of `{}`", spec.name);
    let f = Fields::of(sink, node, &what)?;
    let known: Vec<&str> = spec.fields.iter().map(|s| s.name.as_str()).collect();
    f.reject_unknown(sink, &known, &what);
    let mut record = Vec::new();
    for sub in &spec.fields {
        match f.get(&sub.name) {
            Some(n) => record.extend(field_value(sink, n, sub, files).map(|v| (sub.name.clone(), v))),
            None if !sub.optional => {
                sink.report(
                    Code::E0202,
                    node.pos,
                    format!("{what} needs `{}`", sub.name),
                    Some(format!("add `{}:` ({})", sub.name, describe(sub))),
                );
            }
            None => {}
        }
    }
    Some(FieldValue::Record(record))
}

/// Links and images in the body must stay in the folder; Markdown ones must
/// also use allowed schemes (raw HTML is sanitised, and told about below).
/// Returns the files the body links to, and what rendering needs to know of it.
fn check_body_links(
    sink: &mut Sink,
    body: &str,
    body_line: u32,
    files: &BTreeSet<String>,
    html: Option<&crate::load::markdown::HtmlSpec>,
) -> (Vec<String>, Option<String>) {
    use crate::load::markdown::Origin;
    let saved = sink.line_offset;
    sink.line_offset = 0;
    let mut linked = Vec::new();
    let (scan, body_html) = match html {
        Some(spec) => {
            let (scan, body_html) = crate::load::markdown::scan_and_render(body, spec);
            (scan, Some(body_html))
        }
        None => (crate::load::markdown::scan(body), None),
    };
    let mut positions = Positions::new(body, body_line);
    for link in &scan.links {
        match links::resolve(&link.dest, Allowed::Body, files) {
            Ok(Some(Link::File(f))) => linked.push(f),
            Ok(Some(Link::Url(u))) if link.image => sink.report(
                Code::W0004,
                positions.at(link.offset),
                format!("the image `{u}` is not shown: images must come from the workload folder"),
                Some("save the image in the workload folder and link it by its relative path".into()),
            ),
            Ok(_) => {}
            Err(e) if link.origin == Origin::RawHtml && e.code == Code::E0403 => {}
            Err(e) => sink.report(e.code, positions.at(link.offset), e.message, e.help),
        }
    }
    for chunk in &scan.raw_html {
        report_sanitised(sink, &mut positions, chunk);
    }
    sink.line_offset = saved;
    (linked, body_html)
}

/// W0004 for what the sanitiser takes out of a run of raw HTML: one warning
/// a line, at the first tag or attribute it removes there, so that in a
/// long table the row with the `onclick` is the one pointed at. It compares
/// with the sanitiser that lets relative links climb (`Reach::Site`): a raw
/// link out of the folder is already E0401, so the evidence sanitiser's
/// dropping it too is not told again (a link only the browser's parser sees
/// is told through the tag that hid it).
pub fn report_sanitised(sink: &mut Sink, positions: &mut Positions, chunk: &crate::load::markdown::RawHtml) {
    let mut lines: Vec<(Pos, Vec<String>)> = Vec::new();
    for (what, at) in crate::load::sanitize::removed_parts_at(&chunk.html, crate::load::sanitize::Reach::Site) {
        let pos = positions.at(chunk.text_offset(at));
        match lines.last_mut() {
            Some((first, parts)) if first.line == pos.line => {
                if !parts.contains(&what) {
                    parts.push(what);
                }
            }
            _ => lines.push((pos, vec![what])),
        }
    }
    for (pos, parts) in lines {
        warn_sanitised(sink, pos, &parts);
    }
}

/// The W0004 that names what the sanitiser removes (`parts`) at `pos`.
pub fn warn_sanitised(sink: &mut Sink, pos: Pos, parts: &[String]) {
    sink.report(
        Code::W0004,
        pos,
        format!("the sanitiser removes {} from this raw HTML", parts.join(", ")),
        Some("scripts, event handlers, styles, frames and unsafe URLs never reach the page; use Markdown or plain HTML for formatting".into()),
    );
}

/// File positions of byte offsets in a body, asked for in rising order (as
/// the scan finds links and raw HTML): each answer walks on from the last
/// one, so a body with thousands of bad links costs one pass, not one pass
/// per link. An offset before the last one starts again from the top.
pub struct Positions<'a> {
    text: &'a str,
    first_line: u32,
    offset: usize,
    line: u32,
    line_start: usize,
    column: u32,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str, first_line: u32) -> Positions<'a> {
        Positions { text, first_line, offset: 0, line: first_line, line_start: 0, column: 1 }
    }

    pub fn at(&mut self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        if offset < self.offset {
            *self = Positions::new(self.text, self.first_line);
        }
        let walked = &self.text[self.offset..offset];
        match walked.rfind('\n') {
            Some(i) => {
                self.line += walked.bytes().filter(|&b| b == b'\n').count() as u32;
                self.line_start = self.offset + i + 1;
                self.column = 1 + self.text[self.line_start..offset].chars().count() as u32;
            }
            None => self.column += walked.chars().count() as u32,
        }
        self.offset = offset;
        Pos { line: self.line, column: self.column }
    }
}

/// The item id a file name stands for, if its stem is one.
pub fn item_id_of(file_name: &str) -> Option<ItemId> {
    file_name.strip_suffix(".md").map(ItemId::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The position counted from the top every time, as the cursor must agree.
    fn counted(text: &str, offset: usize, first_line: u32) -> Pos {
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Pos {
            line: first_line + before.matches('\n').count() as u32,
            column: 1 + before[line_start..].chars().count() as u32,
        }
    }

    #[test]
    fn positions_agree_with_counting_from_the_top_in_any_order() {
        let text = "ab\r\né[x](y)\n\n  日本 [z](w)\nend";
        let offsets: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        let mut rising = Positions::new(text, 7);
        for &o in &offsets {
            assert_eq!(rising.at(o), counted(text, o, 7), "rising, offset {o}");
        }
        let mut falling = Positions::new(text, 7);
        for &o in offsets.iter().rev() {
            assert_eq!(falling.at(o), counted(text, o, 7), "falling, offset {o}");
        }
        let mut mixed = Positions::new(text, 1);
        for &o in offsets.iter().step_by(3).chain(offsets.iter().step_by(2)) {
            assert_eq!(mixed.at(o), counted(text, o, 1), "mixed, offset {o}");
        }
    }

    #[test]
    fn offsets_past_the_end_or_inside_a_character_are_clamped() {
        let text = "é\nx";
        let mut p = Positions::new(text, 1);
        assert_eq!(p.at(1), Pos { line: 1, column: 1 });
        assert_eq!(p.at(99), Pos { line: 2, column: 2 });
    }
}
