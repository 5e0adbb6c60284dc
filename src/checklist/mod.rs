//! The checklist: which items a workload needs, in which groups and order,
//! with which fields, sign-off roles and freshness windows.

use crate::model::{Criticality, ItemId, Status};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// The checklist that applies when a portfolio has no `checklist.yaml`.
pub const BUILTIN_YAML: &str = include_str!("builtin.yaml");

#[derive(Debug, Clone, Serialize)]
pub struct Checklist {
    pub version: u32,
    pub title: String,
    pub groups: Vec<Group>,
    pub items: Vec<Item>,
    pub next_steps: Vec<NextStep>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub id: String,
    pub title: String,
}

/// The free page every site has, built in unless `content/pages/` overrides it.
pub const BUILTIN_PAGE: &str = "align-business-priorities";

#[derive(Debug, Clone, Serialize)]
pub struct NextStep {
    pub title: String,
    pub page: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: ItemId,
    pub group: String,
    pub title: String,
    pub summary: String,
    pub required: Vec<Criticality>,
    pub allow_not_applicable: bool,
    pub signoff: Option<String>,
    pub max_age_days: Option<u32>,
    pub after: Vec<ItemId>,
    #[serde(serialize_with = "fields_as_map")]
    pub fields: Vec<FieldSpec>,
}

impl Item {
    pub fn required_for(&self, c: Criticality) -> bool {
        self.required.contains(&c)
    }
}

/// The type of an item-specific field. `boolean` is an extension of format v1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    String,
    Text,
    Date,
    Number,
    Url,
    Enum,
    List,
    Boolean,
}

impl FieldKind {
    pub const ALL: [FieldKind; 8] = [
        FieldKind::String,
        FieldKind::Text,
        FieldKind::Date,
        FieldKind::Number,
        FieldKind::Url,
        FieldKind::Enum,
        FieldKind::List,
        FieldKind::Boolean,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::String => "string",
            FieldKind::Text => "text",
            FieldKind::Date => "date",
            FieldKind::Number => "number",
            FieldKind::Url => "url",
            FieldKind::Enum => "enum",
            FieldKind::List => "list",
            FieldKind::Boolean => "boolean",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An item-specific front-matter field. Lists may describe their entries as
/// records with `fields` (an extension: each entry a mapping of those fields).
#[derive(Debug, Clone, Serialize)]
pub struct FieldSpec {
    #[serde(skip)]
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldKind,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// For top-level fields: the status from which the field must be present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_from: Option<Status>,
    /// For record fields: may the field be left out.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "fields_as_map")]
    pub fields: Vec<FieldSpec>,
}

fn fields_as_map<S: Serializer>(fields: &[FieldSpec], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(fields.len()))?;
    for f in fields {
        m.serialize_entry(&f.name, f)?;
    }
    m.end()
}

impl Checklist {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id.as_str() == id)
    }

    pub fn item_ids(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|i| i.id.as_str())
    }

    /// The built-in checklist, parsed by the same code that reads a team's own
    /// (once per process: every `validate` without a checklist.yaml asks for it).
    pub fn builtin() -> Checklist {
        static BUILTIN: std::sync::OnceLock<Checklist> = std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let mut diags = Vec::new();
                let node = crate::yaml::parse(BUILTIN_YAML).expect("built-in checklist is valid YAML");
                crate::validate::checklist::from_node(&node, "<built-in checklist>", None, &mut diags)
                    .filter(|_| diags.is_empty())
                    .expect("built-in checklist is valid")
            })
            .clone()
    }

    /// The checklist as `checklist.yaml` text.
    pub fn to_yaml(&self) -> String {
        crate::yaml::to_string(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_every_item_in_order() {
        let c = Checklist::builtin();
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
    }

    #[test]
    fn printed_checklist_reads_back_the_same() {
        let c = Checklist::builtin();
        let text = c.to_yaml();
        let mut diags = Vec::new();
        let again =
            crate::validate::checklist::from_node(&crate::yaml::parse(&text).unwrap(), "x", None, &mut diags).unwrap();
        assert!(diags.is_empty(), "{diags:?}\n{text}");
        assert_eq!(again.to_yaml(), text);
    }
}
