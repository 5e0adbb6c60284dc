//! JSON Schema (draft-07) for each kind of portfolio file, for editors.
//!
//! Everything here is derived: mapping keys come from the tables in
//! `crate::validate::keys` that validation itself reads, enumerations from
//! the model's `ALL` lists, and evidence fields from the checklist in effect.
//! A key added to the format therefore shows up in the editor with no second
//! edit. The schemas are a convenience, not the judge: `cutover check` still
//! decides (links, dates in order, sign-off roles and so on are beyond them).

use crate::core::checklist::{Checklist, FieldKind, FieldSpec, Item};
use crate::core::model::{Criticality, PromotionModel, Status};
use crate::validate::keys::{self, Key, STATUS_NEEDS, Ty, When};
use serde_json::{Map, Value, json};

/// The kinds of file a schema can be printed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `site.yaml`.
    Site,
    /// A workload's `workload.yaml`.
    Workload,
    /// `checklist.yaml`.
    Checklist,
    /// An evidence file's front matter (for one item, or any).
    Evidence,
    /// A free page's front matter.
    Page,
}

const DRAFT: &str = "http://json-schema.org/draft-07/schema#";
const ID_PATTERN: &str = "^[a-z0-9][a-z0-9-]{0,62}$";
const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// The schema for one kind of file. Evidence gets the union of every item's
/// fields (an editor cannot tell items apart by content); [`evidence_item`]
/// is exact for one item, and is also under `definitions/<item-id>`.
pub fn schema(kind: Kind, checklist: &Checklist) -> Value {
    let (title, mut body) = match kind {
        Kind::Site => ("cutover content/site.yaml", record(keys::SITE)),
        Kind::Workload => ("cutover content/workloads/<id>/workload.yaml", record(keys::WORKLOAD)),
        Kind::Page => ("cutover front matter of content/pages/<id>.md", record(keys::PAGE)),
        Kind::Checklist => {
            let mut s = record(keys::CHECKLIST);
            s["definitions"] = json!({
                "fields": field_defs(),
                "field": record(keys::FIELD),
            });
            ("cutover content/checklist.yaml", s)
        }
        Kind::Evidence => {
            ("cutover evidence front matter (content/workloads/<id>/<item-id>.md)", evidence_union(checklist))
        }
    };
    top(&mut body, title);
    body
}

/// The exact schema of one item's evidence front matter.
pub fn evidence_item(item: &Item) -> Value {
    let mut s = evidence_body(item);
    top(&mut s, &format!("cutover evidence for `{}` ({})", item.id, item.title));
    s
}

fn top(s: &mut Value, title: &str) {
    if let Value::Object(m) = s {
        let mut out = Map::new();
        out.insert("$schema".into(), json!(DRAFT));
        out.insert("title".into(), json!(title));
        out.append(m);
        *m = out;
    }
}

/// A mapping with the keys of `table`; `x-` keys are allowed and ignored, as in validation.
fn record(table: &[Key]) -> Value {
    let mut props = Map::new();
    for k in table {
        props.insert(k.name.into(), key_schema(k));
    }
    let required: Vec<&str> = table.iter().filter(|k| k.required).map(|k| k.name).collect();
    object(props, required)
}

fn object(props: Map<String, Value>, required: Vec<&str>) -> Value {
    let mut s = json!({
        "type": "object",
        "properties": props,
        "patternProperties": {"^x-": {}},
        "additionalProperties": false,
    });
    if !required.is_empty() {
        s["required"] = json!(required);
    }
    s
}

/// A key's value; validation treats an optional key written as `null` as absent.
fn key_schema(k: &Key) -> Value {
    let mut s = ty_schema(&k.ty);
    if !k.required {
        s = json!({"anyOf": [s, {"type": "null"}]});
    }
    s["description"] = json!(k.doc);
    s
}

fn words(list: impl IntoIterator<Item = &'static str>) -> Value {
    Value::Array(list.into_iter().map(|s| json!(s)).collect())
}

fn ty_schema(ty: &Ty) -> Value {
    match ty {
        // `pattern` applies to strings only: numbers and booleans pass as text, as in validation.
        Ty::Text => json!({"type": ["string", "number", "boolean"], "pattern": "\\S"}),
        Ty::Date => json!({"type": "string", "pattern": DATE_PATTERN}),
        Ty::Id => json!({"type": "string", "pattern": ID_PATTERN}),
        Ty::Bool => json!({"type": "boolean"}),
        Ty::Count => json!({"type": "integer", "minimum": 0, "maximum": u32::MAX}),
        Ty::Number => json!({"type": "number"}),
        Ty::Link => json!({"type": "string", "minLength": 1}),
        Ty::Digest => json!({"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"}),
        Ty::Criticality => json!({"enum": words(Criticality::ALL.iter().map(|c| c.as_str()))}),
        Ty::Status => json!({"enum": words(Status::ALL.iter().map(|s| s.as_str()))}),
        Ty::PromotionModel => json!({"enum": words(PromotionModel::ALL.iter().map(|m| m.as_str()))}),
        Ty::FieldKind => json!({"enum": words(FieldKind::ALL.iter().map(|k| k.as_str()))}),
        Ty::List(t) => json!({"type": "array", "items": ty_schema(t)}),
        Ty::NonEmptyList(t) => json!({"type": "array", "items": ty_schema(t), "minItems": 1}),
        Ty::Record(table) => record(table),
        Ty::TextOr(table) => json!({"anyOf": [ty_schema(&Ty::Text), record(table)]}),
        Ty::ProvenancePolicy => {
            json!({"enum": words(crate::core::model::ProvenancePolicy::ALL.iter().map(|p| p.as_str()))})
        }
        Ty::ItemRole => json!({"enum": words(crate::core::checklist::ItemRole::ALL.iter().map(|r| r.as_str()))}),
        Ty::IdMap(t) => {
            json!({"type": "object", "propertyNames": {"pattern": ID_PATTERN}, "additionalProperties": ty_schema(t)})
        }
        Ty::Criticalities => json!({"anyOf": [
            {"type": "boolean"},
            {"type": "array", "items": ty_schema(&Ty::Criticality)},
        ]}),
        Ty::FieldDefs => json!({"$ref": "#/definitions/fields"}),
    }
}

fn field_defs() -> Value {
    json!({"type": ["object", "null"], "additionalProperties": {"$ref": "#/definitions/field"}})
}

// ---- evidence ---------------------------------------------------------------

/// Statuses at which `when` holds, as a schema enum.
fn statuses_where(when: When) -> Value {
    words(Status::ALL.iter().filter(|s| when.holds(**s)).map(|s| s.as_str()))
}

/// "When `status` is one of these, `field` is required", for each rule.
fn status_rules(rules: impl IntoIterator<Item = (String, When)>) -> Vec<Value> {
    rules
        .into_iter()
        .map(|(field, when)| {
            json!({
                "if": {"properties": {"status": {"enum": statuses_where(when)}}, "required": ["status"]},
                "then": {"required": [field]},
            })
        })
        .collect()
}

fn common_props() -> Map<String, Value> {
    keys::EVIDENCE.iter().map(|k| (k.name.to_string(), key_schema(k))).collect()
}

fn evidence_body(item: &Item) -> Value {
    let mut props = common_props();
    if !item.allow_not_applicable {
        let allowed = words(Status::ALL.iter().filter(|s| **s != Status::NotApplicable).map(|s| s.as_str()));
        props["status"] = json!({
            "enum": allowed,
            "description": format!("How far `{}` has got; this item cannot be `not-applicable`.", item.id),
        });
    }
    for spec in &item.fields {
        let mut s = field_schema(spec);
        s["description"] = json!(describe(item, spec));
        props.insert(spec.name.clone(), s);
    }
    let mut s = object(props, vec!["status"]);
    let mut rules: Vec<(String, When)> = STATUS_NEEDS.iter().map(|(f, w)| (f.to_string(), *w)).collect();
    rules.extend(item.fields.iter().filter_map(|f| f.required_from.map(|from| (f.name.clone(), When::AtLeast(from)))));
    s["allOf"] = Value::Array(status_rules(rules));
    if !item.summary.is_empty() {
        s["description"] = json!(item.summary);
    }
    s
}

fn describe(item: &Item, spec: &FieldSpec) -> String {
    let from = spec.required_from.map(|s| format!(", needed from `{s}`")).unwrap_or_default();
    format!("`{}` field of `{}` ({}{from}).", spec.name, item.id, spec.kind.as_str())
}

/// An item-specific field, typed as `validate::evidence` reads it.
fn field_schema(spec: &FieldSpec) -> Value {
    match spec.kind {
        FieldKind::String | FieldKind::Text => ty_schema(&Ty::Text),
        FieldKind::Date => ty_schema(&Ty::Date),
        FieldKind::Number => ty_schema(&Ty::Number),
        FieldKind::Boolean => ty_schema(&Ty::Bool),
        FieldKind::Url => ty_schema(&Ty::Link),
        FieldKind::Enum => json!({"enum": spec.values}),
        FieldKind::List if spec.fields.is_empty() => json!({"type": "array", "items": ty_schema(&Ty::Text)}),
        FieldKind::List => {
            let props = spec.fields.iter().map(|f| (f.name.clone(), field_schema(f))).collect();
            let required = spec.fields.iter().filter(|f| !f.optional).map(|f| f.name.as_str()).collect();
            json!({"type": "array", "items": object(props, required)})
        }
    }
}

/// Every item's fields at once: a field two items define differently may be either.
fn evidence_union(checklist: &Checklist) -> Value {
    let mut props = common_props();
    let mut variants: Map<String, Value> = Map::new();
    for item in &checklist.items {
        for spec in &item.fields {
            let s = field_schema(spec);
            let list = variants.entry(spec.name.clone()).or_insert_with(|| json!([]));
            if let Value::Array(v) = list
                && !v.contains(&s)
            {
                v.push(s);
            }
        }
    }
    for (name, v) in variants {
        let mut s = match v {
            Value::Array(mut one) if one.len() == 1 => one.remove(0),
            many => json!({"anyOf": many}),
        };
        let owners: Vec<&str> =
            checklist.items.iter().filter(|i| i.fields.iter().any(|f| f.name == name)).map(|i| i.id.as_str()).collect();
        s["description"] = json!(format!("Field of {}.", owners.join(", ")));
        props.insert(name, s);
    }
    let mut s = object(props, vec!["status"]);
    s["allOf"] = Value::Array(status_rules(STATUS_NEEDS.iter().map(|(f, w)| (f.to_string(), *w))));
    s["definitions"] = checklist.items.iter().map(|i| (i.id.0.clone(), evidence_body(i))).collect();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_drive_the_schema() {
        let c = crate::validate::checklist::builtin();
        let site = schema(Kind::Site, &c);
        let props = site["properties"].as_object().unwrap();
        let names: Vec<&str> = keys::SITE.iter().map(|k| k.name).collect();
        assert_eq!(props.keys().map(String::as_str).collect::<Vec<_>>().len(), names.len());
        assert!(names.iter().all(|n| props.contains_key(*n)));
        assert_eq!(site["additionalProperties"], false);
        let w = schema(Kind::Workload, &c);
        assert_eq!(w["required"], json!(["name", "owner", "criticality"]));
        assert_eq!(
            w["properties"]["criticality"]["enum"],
            json!(["mission-critical", "business-critical", "standard"])
        );
    }

    #[test]
    fn evidence_knows_item_fields_and_status_rules() {
        let c = crate::validate::checklist::builtin();
        let dc = evidence_item(c.item("data-classification").unwrap());
        assert!(dc["properties"]["classification"]["enum"].as_array().unwrap().contains(&json!("confidential")));
        assert!(!dc["properties"]["status"]["enum"].as_array().unwrap().contains(&json!("not-applicable")));
        let rules = dc["allOf"].as_array().unwrap();
        assert!(rules.iter().any(|r| r["then"]["required"] == json!(["classification"])));
        let union = schema(Kind::Evidence, &c);
        assert!(union["properties"]["cutover"].is_object());
        assert!(union["definitions"]["promote"]["properties"]["promoted_on"].is_object());
    }
}
