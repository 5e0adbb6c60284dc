//! The checklist: which items a workload needs, in which groups and order,
//! with which fields, sign-off roles and freshness windows.

use crate::core::vocabulary::{Criticality, ItemId, Status};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// The checklist that applies when a portfolio has no `checklist.yaml`.
pub(crate) const BUILTIN_YAML: &str = include_str!("builtin.yaml");

/// The schema every evidence file is checked against, and the order pages list items in.
/// A portfolio may bring its own (`checklist.yaml`); otherwise `BUILTIN_YAML` applies.
#[derive(Debug, Clone, Serialize)]
pub struct Checklist {
    /// The checklist format's version (1).
    pub version: u32,
    /// The checklist's name, shown where pages describe it.
    pub title: String,
    /// The headings items are grouped under, in page order.
    pub groups: Vec<Group>,
    /// The longest a waiver may run, from `approved_on` to `expires_on`, where an item does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_waiver_days: Option<u32>,
    /// Every item, in the order reports list them.
    pub items: Vec<Item>,
    /// The pages a report links to once a workload's release is complete.
    pub next_steps: Vec<NextStep>,
}

/// What a waiver may span when neither the item nor the checklist says.
pub(crate) const DEFAULT_MAX_WAIVER_DAYS: u32 = 90;

/// The part an item plays in the decision, beyond being required. cutover
/// finds these items by role, never by id, so a team may rename them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemRole {
    /// The network change itself: `promoted_on`, `cutover` records, the decision `promoted`.
    Promotion,
    /// Field `classification`: what the public edition withholds.
    Classification,
    /// Field `risks`: the security view.
    SecuritySignoff,
    /// The security view's identity column.
    Identity,
}

impl ItemRole {
    /// Every role, in the order the schema lists them.
    pub(crate) const ALL: [ItemRole; 4] =
        [ItemRole::Promotion, ItemRole::Classification, ItemRole::SecuritySignoff, ItemRole::Identity];

    /// The word `role:` takes in checklist.yaml.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemRole::Promotion => "promotion",
            ItemRole::Classification => "classification",
            ItemRole::SecuritySignoff => "security-signoff",
            ItemRole::Identity => "identity",
        }
    }

    /// The role checklist.yaml names, if the word is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The built-in item that plays the role: a checklist written before roles existed is read by these ids.
    pub(crate) fn builtin_id(self) -> &'static str {
        match self {
            ItemRole::Promotion => "promote",
            ItemRole::Classification => "data-classification",
            ItemRole::SecuritySignoff => "ciso-verification",
            ItemRole::Identity => "identity-alignment",
        }
    }
}

/// A heading that items are listed under (preparation, promotion checks...).
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// How items name it in `group:`.
    pub id: String,
    /// The heading shown.
    pub title: String,
}

/// The free page every site has, built in unless `content/pages/` overrides it.
pub(crate) const BUILTIN_PAGE: &str = "align-business-priorities";

/// A link from a report to what comes after promotion (aligning business priorities).
#[derive(Debug, Clone, Serialize)]
pub struct NextStep {
    /// The link's words.
    pub title: String,
    /// The free page it leads to, by id.
    pub page: String,
}

/// One step every workload is held to: its evidence file's name, what it
/// requires, who signs it off and how long that stays fresh.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// The evidence file's name without `.md`.
    pub id: ItemId,
    /// The group it is listed under, by id.
    pub group: String,
    /// The name shown on pages.
    pub title: String,
    /// What the step asks for, in a sentence.
    pub summary: String,
    /// The criticalities for which the item must be done before promotion.
    pub required: Vec<Criticality>,
    /// Whether a workload may mark it `not-applicable` with a justification.
    pub allow_not_applicable: bool,
    /// The part it plays in the decision, if any (see [`ItemRole`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<ItemRole>,
    /// The site role whose members may sign it off; none when anyone may.
    pub signoff: Option<String>,
    /// False where no exception may stand in for the evidence (the promotion itself).
    #[serde(skip_serializing_if = "is_true")]
    pub waivable: bool,
    /// The role that approves waivers of this item, where it is not `signoff`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver_signoff: Option<String>,
    /// Where `waiver_signoff` is written (line, column), for the error when it names no role.
    #[serde(skip)]
    pub waiver_signoff_at: (u32, u32),
    /// The longest a waiver of this item may run, over the checklist's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_waiver_days: Option<u32>,
    /// Days a sign-off stays fresh; none for never stale.
    pub max_age_days: Option<u32>,
    /// Items that must be done before this one; doing it earlier is reported as out of order.
    pub after: Vec<ItemId>,
    /// The item-specific front-matter fields, in order.
    #[serde(serialize_with = "fields_as_map")]
    pub fields: Vec<FieldSpec>,
}

impl Item {
    /// Whether a workload of criticality `c` must have it done before promotion.
    pub(crate) fn required_for(&self, c: Criticality) -> bool {
        self.required.contains(&c)
    }

    /// The role whose members may approve a waiver of this item: `waiver_signoff`,
    /// else `signoff`, else the site's `waivers` role when `has_waivers_role`;
    /// `None` when anyone may.
    pub(crate) fn waiver_role(&self, has_waivers_role: bool) -> Option<&str> {
        self.waiver_signoff.as_deref().or(self.signoff.as_deref()).or(has_waivers_role.then_some(WAIVERS_ROLE))
    }
}

fn is_true(b: &bool) -> bool {
    *b
}

/// The site role that approves waivers of items that name no role of their own.
pub(crate) const WAIVERS_ROLE: &str = "waivers";

/// The type of an item-specific field. `boolean` is an extension of format v1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// One line of text.
    String,
    /// Free text over several lines.
    Text,
    /// A `YYYY-MM-DD` date.
    Date,
    /// A number.
    Number,
    /// A web address.
    Url,
    /// One of the field's `values`.
    Enum,
    /// A list of strings, or of records when the field has `fields`.
    List,
    /// Yes or no.
    Boolean,
}

impl FieldKind {
    /// Every type, in the order the schema lists them.
    pub(crate) const ALL: [FieldKind; 8] = [
        FieldKind::String,
        FieldKind::Text,
        FieldKind::Date,
        FieldKind::Number,
        FieldKind::Url,
        FieldKind::Enum,
        FieldKind::List,
        FieldKind::Boolean,
    ];

    /// The word `type:` takes in checklist.yaml.
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

    /// The type checklist.yaml names, if the word is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An item-specific front-matter field. Lists may describe their entries as
/// records with `fields` (an extension: each entry a mapping of those fields).
#[derive(Debug, Clone, Serialize)]
pub struct FieldSpec {
    /// The field's key in front matter.
    #[serde(skip)]
    pub name: String,
    /// What values it takes.
    #[serde(rename = "type")]
    pub kind: FieldKind,
    /// The allowed values of an `enum`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// For top-level fields: the status from which the field must be present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_from: Option<Status>,
    /// For record fields: may the field be left out.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// Withheld from the public edition of the site.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// The fields of each entry, for a list of records.
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
    /// The item with id `id`, if the checklist has one.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id.as_str() == id)
    }

    /// The item that plays `role`, if the checklist has one.
    pub fn with_role(&self, role: ItemRole) -> Option<&Item> {
        self.items.iter().find(|i| i.role == Some(role))
    }

    /// The id of the item that plays `role`.
    pub(crate) fn role_id(&self, role: ItemRole) -> Option<&ItemId> {
        self.with_role(role).map(|i| &i.id)
    }

    /// How long a waiver of `item` may run.
    pub fn max_waiver_days(&self, item: &Item) -> u32 {
        item.max_waiver_days.or(self.max_waiver_days).unwrap_or(DEFAULT_MAX_WAIVER_DAYS)
    }

    /// The ids of every item, in checklist order.
    pub fn item_ids(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|i| i.id.as_str())
    }
}
