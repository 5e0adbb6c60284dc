//! `checklist.yaml` (and the built-in checklist) into a [`Checklist`].

use super::fields::{self, Fields, Sink};
use super::keys::{self, COMMON_FIELDS};
use crate::core::checklist::{Checklist, FieldKind, FieldSpec, Group, Item, ItemRole, NextStep};
use crate::core::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::core::model::{Criticality, ItemId, Status};
use crate::load::yaml::{Node, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Reads a checklist. Returns `None` when it is too broken to use; the
/// caller then falls back to nothing and the diagnostics explain why.
/// `pages` are the free pages the site will have, which next steps link
/// (`None` where no site is built from it, as for `cutover schema`).
pub(crate) fn from_node(
    node: &Node,
    file: &str,
    pages: Option<&BTreeSet<String>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Checklist> {
    let mut sink = Sink::new(file, 0, diags);
    let top = Fields::of(&mut sink, node, "checklist.yaml")?;
    top.check_keys(&mut sink, keys::CHECKLIST, "checklist.yaml");
    let version = top.get("version").and_then(|n| fields::count(&mut sink, n, "version"));
    if let Some(v) = version.filter(|v| *v != 1) {
        let pos = top.get("version").map_or(top.pos, |n| n.pos);
        sink.report(
            Code::E0205,
            pos,
            format!("checklist version {v} is not supported"),
            Some("this cutover reads `version: 1`".into()),
        );
    }
    let title = top
        .get("title")
        .and_then(|n| fields::text(&mut sink, n, "title"))
        .unwrap_or_else(|| "Promotion to production".into());
    let groups = read_groups(&mut sink, &top);
    let max_waiver_days = top.get("max_waiver_days").and_then(|n| fields::count(&mut sink, n, "max_waiver_days"));
    let mut items = read_items(&mut sink, &top, &groups);
    check_roles(&mut sink, &top, &mut items);
    let next_steps = read_next_steps(&mut sink, &top, pages);
    (sink.errors == 0).then_some(Checklist {
        version: version.unwrap_or(1),
        title,
        groups,
        max_waiver_days,
        items,
        next_steps,
    })
}

fn read_groups(sink: &mut Sink, top: &Fields) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let Some(list) = top.get("groups").and_then(|n| fields::list(sink, n, "groups")) else {
        return groups;
    };
    for node in list {
        let Some(f) = Fields::of(sink, node, "a group") else {
            continue;
        };
        f.check_keys(sink, keys::GROUP, "a group");
        let id = f.get("id").and_then(|n| fields::id(sink, n, "id"));
        let title = f.get("title").and_then(|n| fields::text(sink, n, "title"));
        if let (Some(id), Some(title)) = (id, title) {
            if groups.iter().any(|g| g.id == id) {
                sink.report(Code::E0305, node.pos, format!("group `{id}` is defined twice"), None);
            } else {
                groups.push(Group { id, title });
            }
        }
    }
    groups
}

fn read_items(sink: &mut Sink, top: &Fields, groups: &[Group]) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let mut after_refs = Vec::new();
    let Some(list) = top.get("items").and_then(|n| fields::list(sink, n, "items")) else {
        return items;
    };
    for node in list {
        let Some(f) = Fields::of(sink, node, "an item") else {
            continue;
        };
        f.check_keys(sink, keys::ITEM, "an item");
        let Some(item) = read_item(sink, &f, groups, &mut after_refs) else {
            continue;
        };
        if items.iter().any(|i| i.id == item.id) {
            sink.report(Code::E0305, node.pos, format!("item `{}` is defined twice", item.id), None);
        } else {
            items.push(item);
        }
    }
    let known: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    for (owner, target, pos) in &after_refs {
        let (owner, target, pos) = (owner.clone(), target.clone(), *pos);
        if !known.contains(&target.as_str()) {
            let help = did_you_mean(&target, known.iter().copied());
            sink.report(
                Code::E0501,
                pos,
                format!("item `{owner}` comes after `{target}`, which the checklist does not define"),
                help,
            );
        } else if owner == target {
            sink.report(Code::E0501, pos, format!("item `{owner}` cannot come after itself"), None);
        }
    }
    report_after_loops(sink, &items, &after_refs);
    items
}

/// `after` entries that loop (`a` after `b`, `b` after `a`): no item of the
/// loop could ever come first. One error a loop, at the first entry of its
/// first item (in checklist order) that leads back into it.
fn report_after_loops(sink: &mut Sink, items: &[Item], after_refs: &[(String, String, crate::load::yaml::Pos)]) {
    let index: BTreeMap<&str, usize> = items.iter().enumerate().map(|(i, it)| (it.id.as_str(), i)).collect();
    let edges: Vec<Vec<usize>> =
        items.iter().map(|it| it.after.iter().filter_map(|t| index.get(t.as_str()).copied()).collect()).collect();
    let reach = |from: usize| -> Vec<bool> {
        let mut seen = vec![false; items.len()];
        let mut stack = edges[from].clone();
        while let Some(n) = stack.pop() {
            if !std::mem::replace(&mut seen[n], true) {
                stack.extend(&edges[n]);
            }
        }
        seen
    };
    let reaches: Vec<Vec<bool>> = (0..items.len()).map(reach).collect();
    let mut told = vec![false; items.len()];
    for i in 0..items.len() {
        if told[i] || !reaches[i][i] || edges[i].contains(&i) {
            continue;
        }
        let members: Vec<usize> = (0..items.len()).filter(|&j| reaches[i][j] && reaches[j][i]).collect();
        if members.len() < 2 {
            continue;
        }
        members.iter().for_each(|&j| told[j] = true);
        let names: Vec<String> = members.iter().map(|&j| format!("`{}`", items[j].id)).collect();
        let in_loop = |t: &str| index.get(t).is_some_and(|j| members.contains(j));
        let Some(&(_, _, pos)) = after_refs.iter().find(|(o, t, _)| *o == items[i].id.as_str() && in_loop(t)) else {
            continue;
        };
        sink.report(
            Code::E0501,
            pos,
            format!("items {} come after one another in a loop, so none of them can come first", names.join(", ")),
            Some("remove one `after` entry of the loop".into()),
        );
    }
}

fn read_item(
    sink: &mut Sink,
    f: &Fields,
    groups: &[Group],
    after_refs: &mut Vec<(String, String, crate::load::yaml::Pos)>,
) -> Option<Item> {
    let id = f.get("id").and_then(|n| fields::id(sink, n, "id"));
    let group = f.get("group").and_then(|n| {
        let g = fields::text(sink, n, "group")?;
        if groups.iter().any(|x| x.id == g) {
            Some(g)
        } else {
            let help = did_you_mean(&g, groups.iter().map(|x| x.id.as_str()));
            sink.report(Code::E0501, n.pos, format!("group `{g}` is not defined under `groups`"), help);
            None
        }
    });
    let title = f.get("title").and_then(|n| fields::text(sink, n, "title"));
    let summary = f.get("summary").and_then(|n| fields::text(sink, n, "summary")).unwrap_or_default();
    let required = f.get("required").map_or(Criticality::ALL.to_vec(), |n| read_required(sink, n));
    let allow_not_applicable =
        f.get("allow_not_applicable").and_then(|n| fields::boolean(sink, n, "allow_not_applicable")).unwrap_or(false);
    let role = f.get("role").and_then(|n| {
        let names: Vec<&str> = ItemRole::ALL.iter().map(|r| r.as_str()).collect();
        fields::one_of(sink, n, "role", &names).and_then(|s| ItemRole::parse(&s))
    });
    let signoff = f.get("signoff").and_then(|n| fields::id(sink, n, "signoff"));
    let waivable = f.get("waivable").and_then(|n| fields::boolean(sink, n, "waivable")).unwrap_or(true);
    let waiver_signoff = f.get("waiver_signoff").and_then(|n| fields::id(sink, n, "waiver_signoff"));
    let waiver_signoff_at = f.get("waiver_signoff").map_or((1, 1), |n| (n.pos.line, n.pos.column));
    let max_waiver_days = f.get("max_waiver_days").and_then(|n| fields::count(sink, n, "max_waiver_days"));
    let max_age_days = f.get("max_age_days").and_then(|n| fields::count(sink, n, "max_age_days"));
    let mut after = Vec::new();
    if let Some(list) = f.get("after").and_then(|n| fields::list(sink, n, "after")) {
        for n in list {
            if let Some(t) = fields::id(sink, n, "after") {
                after_refs.push((id.clone().unwrap_or_default(), t.clone(), n.pos));
                after.push(ItemId(t));
            }
        }
    }
    let fields = f.get("fields").map(|n| read_field_specs(sink, n, true)).unwrap_or_default();
    Some(Item {
        id: ItemId(id?),
        group: group?,
        title: title?,
        summary,
        required,
        allow_not_applicable,
        role,
        signoff,
        waivable,
        waiver_signoff,
        waiver_signoff_at,
        max_waiver_days,
        max_age_days,
        after,
        fields,
    })
}

/// Each role at most once, and exactly one promotion item. A checklist that
/// names no role at all was written before roles existed: its items with the
/// built-in ids play the built-in roles, so it reads as it always did.
fn check_roles(sink: &mut Sink, top: &Fields, items: &mut [Item]) {
    if items.iter().all(|i| i.role.is_none()) {
        for role in ItemRole::ALL {
            if let Some(item) = items.iter_mut().find(|i| i.id.as_str() == role.builtin_id()) {
                item.role = Some(role);
            }
        }
    }
    let pos = top.get("items").map_or(top.pos, |n| n.pos);
    for role in ItemRole::ALL {
        let with: Vec<&str> = items.iter().filter(|i| i.role == Some(role)).map(|i| i.id.as_str()).collect();
        if with.len() > 1 {
            let list = with.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ");
            sink.report(
                Code::E0502,
                pos,
                format!("items {list} all have `role: {}`; a checklist has at most one", role.as_str()),
                Some(format!("keep `role: {}` on one item and remove it from the others", role.as_str())),
            );
        }
    }
    if items.iter().all(|i| i.role != Some(ItemRole::Promotion)) {
        sink.report(
            Code::E0502,
            pos,
            "no item has `role: promotion`, so no workload could ever be promoted",
            Some("add `role: promotion` to the item that records the network change (the built-in `promote`)".into()),
        );
    }
}

fn read_required(sink: &mut Sink, node: &Node) -> Vec<Criticality> {
    match &node.value {
        Value::Bool(true) => Criticality::ALL.to_vec(),
        Value::Bool(false) => Vec::new(),
        Value::Seq(list) => {
            let names: Vec<&str> = Criticality::ALL.iter().map(|c| c.as_str()).collect();
            let mut out: Vec<Criticality> = list
                .iter()
                .filter_map(|n| fields::one_of(sink, n, "required", &names))
                .filter_map(|s| Criticality::parse(&s))
                .collect();
            out.sort();
            out.dedup();
            out
        }
        other => {
            sink.report(
                Code::E0204,
                node.pos,
                format!("`required` must be `true`, `false` or a list of criticalities, found {}", other.kind()),
                None,
            );
            Vec::new()
        }
    }
}

fn read_field_specs(sink: &mut Sink, node: &Node, top_level: bool) -> Vec<FieldSpec> {
    let Some(map) = Fields::of(sink, node, "fields") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (key, spec_node) in map.entries {
        if top_level && COMMON_FIELDS.contains(&key.name.as_str()) {
            sink.report(
                Code::E0305,
                key.pos,
                format!("`{}` is a common evidence field and cannot be redefined", key.name),
                None,
            );
            continue;
        }
        if !seen.insert(key.name.clone()) {
            continue;
        }
        if let Some(spec) = read_field_spec(sink, &key.name, spec_node, top_level) {
            out.push(spec);
        }
    }
    out
}

fn read_field_spec(sink: &mut Sink, name: &str, node: &Node, top_level: bool) -> Option<FieldSpec> {
    let f = Fields::of(sink, node, "a field definition")?;
    f.check_keys(sink, keys::FIELD, "a field definition");
    let kinds: Vec<&str> = FieldKind::ALL.iter().map(|k| k.as_str()).collect();
    let kind = f.get("type").and_then(|n| fields::one_of(sink, n, "type", &kinds)).and_then(|s| FieldKind::parse(&s));
    let values: Vec<String> = f
        .get("values")
        .and_then(|n| fields::list(sink, n, "values"))
        .map(|l| l.iter().filter_map(|n| fields::text(sink, n, "values")).collect())
        .unwrap_or_default();
    if kind == Some(FieldKind::Enum) && values.is_empty() {
        sink.report(Code::E0202, f.pos, format!("enum field `{name}` needs a non-empty `values` list"), None);
    }
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let required_from = match f.get("required_from") {
        Some(n) => fields::one_of(sink, n, "required_from", &statuses).and_then(|s| Status::parse(&s)),
        None if top_level => Some(Status::Documented),
        None => None,
    };
    let optional = f.get("optional").and_then(|n| fields::boolean(sink, n, "optional")).unwrap_or(false);
    let sensitive = f.get("sensitive").and_then(|n| fields::boolean(sink, n, "sensitive")).unwrap_or(false);
    let sub = f.get("fields").map(|n| read_field_specs(sink, n, false)).unwrap_or_default();
    Some(FieldSpec { name: name.to_string(), kind: kind?, values, required_from, optional, sensitive, fields: sub })
}

fn read_next_steps(sink: &mut Sink, top: &Fields, pages: Option<&BTreeSet<String>>) -> Vec<NextStep> {
    let Some(list) = top.get("next_steps").and_then(|n| fields::list(sink, n, "next_steps")) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|node| {
            let f = Fields::of(sink, node, "a next step")?;
            f.check_keys(sink, keys::NEXT_STEP, "a next step");
            let title = f.get("title").and_then(|n| fields::text(sink, n, "title"));
            let page_node = f.get("page");
            let page = page_node.and_then(|n| fields::id(sink, n, "page"));
            if let (Some(p), Some(n), Some(pages)) = (&page, page_node, pages)
                && !pages.contains(p)
            {
                let help = did_you_mean(p, pages.iter().map(String::as_str)).or_else(|| {
                    Some(format!(
                        "add content/pages/{p}.md, or link one of: {}",
                        pages.iter().cloned().collect::<Vec<_>>().join(", ")
                    ))
                });
                sink.report(Code::E0501, n.pos, format!("next step page `{p}` does not exist"), help);
            }
            Some(NextStep { title: title?, page: page? })
        })
        .collect()
}

/// The built-in checklist, parsed by the same code that reads a team's own
/// (once per process: every `validate` without a checklist.yaml asks for it).
pub fn builtin() -> Checklist {
    static BUILTIN: std::sync::OnceLock<Checklist> = std::sync::OnceLock::new();
    BUILTIN
        .get_or_init(|| {
            let mut diags = Vec::new();
            let node = crate::load::yaml::parse(crate::core::checklist::BUILTIN_YAML)
                .expect("built-in checklist is valid YAML");
            from_node(&node, "<built-in checklist>", None, &mut diags)
                .filter(|_| diags.is_empty())
                .expect("built-in checklist is valid")
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::checklist::DEFAULT_MAX_WAIVER_DAYS;

    #[test]
    fn builtin_has_every_item_in_order() {
        let c = builtin();
        let ids: Vec<&str> = c.item_ids().collect();
        assert_eq!(
            ids,
            [
                "assess",
                "architect",
                "replicate",
                "stage",
                "business-testing",
                "business-change-plan",
                "ready",
                "domain-alignment",
                "user-routing",
                "identity-alignment",
                "application-performance",
                "bcdr-validation",
                "data-classification",
                "ciso-verification",
                "promote"
            ]
        );
        let promote = c.item("promote").unwrap();
        assert_eq!(promote.after.len(), 14);
        assert_eq!(c.item("ciso-verification").unwrap().signoff.as_deref(), Some("ciso"));
        assert_eq!(c.item("bcdr-validation").unwrap().max_age_days, Some(90));
        assert!(c.items.iter().all(|i| i.allow_not_applicable == (i.id.as_str() == "domain-alignment")));
        assert!(c.items.iter().all(|i| i.required.len() == 3));
        for role in ItemRole::ALL {
            assert_eq!(c.role_id(role).map(ItemId::as_str), Some(role.builtin_id()), "{role:?}");
        }
        assert!(!promote.waivable);
        assert!(c.items.iter().filter(|i| !i.waivable).count() == 1);
        for id in ["ciso-verification", "data-classification"] {
            assert_eq!(c.item(id).unwrap().waiver_role(false), Some("ciso"));
        }
        assert_eq!(c.item("assess").unwrap().waiver_role(false), None);
        assert_eq!(c.item("assess").unwrap().waiver_role(true), Some("waivers"));
        assert_eq!(c.item("business-change-plan").unwrap().waiver_role(true), Some("business"));
        assert_eq!(c.max_waiver_days(promote), DEFAULT_MAX_WAIVER_DAYS);
    }

    #[test]
    fn printed_checklist_reads_back_the_same() {
        let c = builtin();
        let text = crate::load::yaml::to_string(&c);
        let mut diags = Vec::new();
        let again = from_node(&crate::load::yaml::parse(&text).unwrap(), "x", None, &mut diags).unwrap();
        assert!(diags.is_empty(), "{diags:?}\n{text}");
        assert_eq!(crate::load::yaml::to_string(&again), text);
    }
}
