//! The keys that each kind of file accepts, written down once as data.
//!
//! The validators read these tables for their unknown-key and required-key
//! checks, and `cutover schema` turns the very same tables into JSON Schema
//! for editors. Adding a key here is therefore the only way to make it valid,
//! and it reaches the editor schema at the same time: the two cannot drift.
//! (How each value is read stays in the validators; [`Ty`] tells the schema
//! what they accept, and `tests/schema.rs` checks that the sample portfolio
//! passes both.)

use crate::core::model::Status;

/// One key of a mapping.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    pub ty: Ty,
    /// Reported as E0202 when absent or null.
    pub required: bool,
    /// One sentence for people: shown by editors on hover.
    pub doc: &'static str,
}

/// What a key's value may be, as far as a schema can say.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    /// A non-empty scalar; numbers and booleans count as the text they were written as.
    Text,
    /// `YYYY-MM-DD`.
    Date,
    /// `^[a-z0-9][a-z0-9-]{0,62}$`.
    Id,
    Bool,
    /// A whole number, zero or more.
    Count,
    Number,
    /// A relative path inside the workload folder, or an http(s) URL.
    Link,
    /// `sha256:` and 64 lower-case hex digits, as `cutover sign` writes it.
    Digest,
    Criticality,
    Status,
    PromotionModel,
    /// The `type` of a checklist field definition.
    FieldKind,
    List(&'static Ty),
    /// A list with at least one entry (E0211 otherwise).
    NonEmptyList(&'static Ty),
    /// A mapping with the given keys (plus `x-` keys).
    Record(&'static [Key]),
    /// A text, or a mapping with the given keys (an approver: a person, or a person with dates and keys).
    TextOr(&'static [Key]),
    /// `site.yaml` `signoff_provenance`.
    ProvenancePolicy,
    /// A checklist item's `role`.
    ItemRole,
    /// A mapping from ids to values of one type (`approvers`: role -> people).
    IdMap(&'static Ty),
    /// A checklist item's `required`: `true`, `false` or a list of criticalities.
    Criticalities,
    /// A checklist item's `fields`: field name -> field definition ([`FIELD`]), recursively.
    FieldDefs,
}

const fn key(name: &'static str, ty: Ty, doc: &'static str) -> Key {
    Key { name, ty, required: false, doc }
}

const fn must(name: &'static str, ty: Ty, doc: &'static str) -> Key {
    Key { name, ty, required: true, doc }
}

/// The names of a table, in order, for the places that need a plain list.
pub const fn names<const N: usize>(keys: &[Key]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = keys[i].name;
        i += 1;
    }
    out
}

// ---- content/site.yaml ------------------------------------------------------

pub const SITE: &[Key] = &[
    key("title", Ty::Text, "The site's title, shown on every page. Default: \"Promotion readiness\"."),
    key("organisation", Ty::Text, "The organisation's name, shown beside the title."),
    key(
        "base_url",
        Ty::Text,
        "Prefix for canonical links, e.g. https://readiness.example.org/. Leave out for relative links only.",
    ),
    key(
        "as_of",
        Ty::Date,
        "The \"today\" that freshness and waiver expiry are judged against. Leave out for the build date.",
    ),
    key(
        "approvers",
        Ty::IdMap(&Ty::List(&Ty::TextOr(APPROVER))),
        "Role -> the people allowed to sign off items that name the role: a person, or a map with `person`, `since`, `until` and `keys`.",
    ),
    key(
        "signoff_provenance",
        Ty::ProvenancePolicy,
        "What a sign-off's git commit must show: none (default), author (the signer committed it) or signature (and signed it with an SSH key listed for them).",
    ),
    key("releases", Ty::List(&Ty::Record(RELEASE)), "The releases (waves) that workloads are promoted in."),
    key(
        "decommission_hold_days",
        Ty::Count,
        "Days after promotion before on-premises assets may be retired. Default: 30.",
    ),
    key(
        "attention_days",
        Ty::Count,
        "How many days ahead \"due soon\" looks: waivers, evidence going stale, release targets, holds and risk reviews. Default: 14.",
    ),
    key(
        "history_days",
        Ty::Count,
        "Days of readiness history a build evaluates from git, ending on the as-of date (0 turns history off). Default: 90.",
    ),
];

pub const APPROVER: &[Key] = &[
    must("person", Ty::Text, "The approver: an e-mail address or a name (compared without regard to case)."),
    key("since", Ty::Date, "The first day of the membership; sign-offs dated earlier do not count."),
    key("until", Ty::Date, "The last day of the membership; their earlier sign-offs keep counting."),
    key(
        "keys",
        Ty::List(&Ty::Text),
        "OpenSSH public keys that sign this person's commits (`ssh-ed25519 AAAA... comment`).",
    ),
];

pub const RELEASE: &[Key] = &[
    must("id", Ty::Id, "The release id that workload.yaml's `release` names."),
    key("title", Ty::Text, "The release's title. Default: its id."),
    key("target", Ty::Date, "The planned promotion date."),
];

// ---- content/workloads/<id>/workload.yaml -------------------------------------

pub const WORKLOAD: &[Key] = &[
    must("name", Ty::Text, "The workload's name, as people know it."),
    must("owner", Ty::Text, "The team or person accountable for it (e-mail or name)."),
    must(
        "criticality",
        Ty::Criticality,
        "How much the business depends on it; decides which checklist items it needs.",
    ),
    key("release", Ty::Id, "The release it is promoted in; must be defined in site.yaml."),
    key("depends_on", Ty::List(&Ty::Id), "Workloads that must be promoted (or ready in the same release) first."),
    key("summary", Ty::Text, "One line of Markdown describing it."),
    key("assets", Ty::List(&Ty::Record(ASSET)), "On-premises assets to retire after promotion."),
    key(
        "promotion_model",
        Ty::PromotionModel,
        "How traffic moves: in one step, in stages, or in flights. Default: single-step.",
    ),
];

pub const ASSET: &[Key] = &[
    must("name", Ty::Text, "The asset's name, e.g. PAYROLL-DB01."),
    key("kind", Ty::Text, "What it is (free text): vm, database, appliance..."),
    key("decommissioned_on", Ty::Date, "When it was retired."),
];

// ---- evidence front matter: content/workloads/<id>/<item-id>.md -----------------

/// The fields every evidence file may have; a checklist item adds its own.
pub const EVIDENCE: &[Key] = &[
    must("status", Ty::Status, "How far the item has got. Each status needs the fields listed in docs/format.md."),
    key("executed_on", Ty::Date, "When the work was done (needed from `executed`)."),
    key(
        "documented_in",
        Ty::NonEmptyList(&Ty::Link),
        "Where it is documented: files in the workload folder or http(s) URLs (needed from `documented`).",
    ),
    key(
        "validated_by",
        Ty::Text,
        "Who validated it (needed for `validated`); may have to be an approver of the item's sign-off role.",
    ),
    key("validated_on", Ty::Date, "When it was validated, not before `executed_on` (needed for `validated`)."),
    key("validated_digest", Ty::Digest, "The evidence's digest at sign-off, written by `cutover sign`."),
    key("justification", Ty::Text, "Why the item does not apply (needed for `not-applicable`)."),
    key("waiver", Ty::Record(WAIVER), "The approved exception (needed for `waived`)."),
];

pub const WAIVER: &[Key] = &[
    must("approved_by", Ty::Text, "Who approved the waiver."),
    must("approved_on", Ty::Date, "When it was approved."),
    must("expires_on", Ty::Date, "The last day it is in force."),
    must("reason", Ty::Text, "Why the item cannot be done before promotion."),
    must("mitigation", Ty::Text, "What limits the risk meanwhile."),
];

/// Field names the evidence format already uses; an item may not redefine them.
pub const COMMON_FIELDS: [&str; EVIDENCE.len()] = names(EVIDENCE);

/// When a status needs a field: from a status on in the order, or at exactly one status.
#[derive(Debug, Clone, Copy)]
pub enum When {
    AtLeast(Status),
    Is(Status),
}

impl When {
    pub fn holds(self, status: Status) -> bool {
        match self {
            When::AtLeast(s) => status.at_least(s),
            When::Is(s) => status == s,
        }
    }
}

/// Which common field each status needs (FORMAT.md's table).
pub const STATUS_NEEDS: &[(&str, When)] = &[
    ("executed_on", When::AtLeast(Status::Executed)),
    ("documented_in", When::AtLeast(Status::Documented)),
    ("validated_by", When::AtLeast(Status::Validated)),
    ("validated_on", When::AtLeast(Status::Validated)),
    ("justification", When::Is(Status::NotApplicable)),
    ("waiver", When::Is(Status::Waived)),
];

// ---- content/pages/<id>.md ------------------------------------------------------

pub const PAGE: &[Key] = &[must("title", Ty::Text, "The page's title, also its entry in the navigation.")];

// ---- content/checklist.yaml -----------------------------------------------------

pub const CHECKLIST: &[Key] = &[
    must("version", Ty::Count, "The checklist format version: 1."),
    key("title", Ty::Text, "The checklist's title. Default: \"Promotion to production\"."),
    must("groups", Ty::List(&Ty::Record(GROUP)), "The groups items belong to, in display order."),
    key(
        "max_waiver_days",
        Ty::Count,
        "The longest a waiver may run, from approved_on to expires_on, where an item does not say. Default: 90.",
    ),
    must("items", Ty::List(&Ty::Record(ITEM)), "The items, in order; each is one evidence file per workload."),
    key("next_steps", Ty::List(&Ty::Record(NEXT_STEP)), "Pages that a complete release points to."),
];

pub const GROUP: &[Key] =
    &[must("id", Ty::Id, "The group id that items name."), must("title", Ty::Text, "The group's title.")];

pub const ITEM: &[Key] = &[
    must("id", Ty::Id, "The item id, which is also its evidence file's name (`<id>.md`)."),
    must("group", Ty::Id, "The group it belongs to."),
    must("title", Ty::Text, "The item's title."),
    key("summary", Ty::Text, "What the evidence must show, in a sentence."),
    key(
        "required",
        Ty::Criticalities,
        "The criticalities that need this item; `true` for all, `false` for none. Default: all.",
    ),
    key("allow_not_applicable", Ty::Bool, "Whether `status: not-applicable` is accepted. Default: false."),
    key(
        "role",
        Ty::ItemRole,
        "The part the item plays: promotion (exactly one item), classification, security-signoff or identity.",
    ),
    key("signoff", Ty::Id, "The role (site.yaml approvers) whose member must be `validated_by`; null for anyone."),
    key("waivable", Ty::Bool, "Whether the item may be waived. Default: true."),
    key(
        "waiver_signoff",
        Ty::Id,
        "The role whose member must approve a waiver. Default: `signoff`, else the site's `waivers` role, else anyone.",
    ),
    key("max_waiver_days", Ty::Count, "The longest a waiver of this item may run. Default: the checklist's."),
    key("max_age_days", Ty::Count, "Days after `validated_on` when the evidence goes stale; null for never."),
    key("after", Ty::List(&Ty::Id), "Items that must be satisfied before this one may be executed."),
    key("fields", Ty::FieldDefs, "Extra front-matter fields for this item."),
];

pub const FIELD: &[Key] = &[
    must("type", Ty::FieldKind, "The field's type."),
    key("values", Ty::List(&Ty::Text), "The allowed values of an `enum` field."),
    key("required_from", Ty::Status, "The status from which the field must be present. Default: documented."),
    key("optional", Ty::Bool, "For fields of list entries: may the field be left out."),
    key("sensitive", Ty::Bool, "Withheld from the public edition of the site."),
    key("fields", Ty::FieldDefs, "For `list` fields: the fields of each entry."),
];

pub const NEXT_STEP: &[Key] = &[
    must("title", Ty::Text, "The link's text."),
    must("page", Ty::Id, "The page id (content/pages/<id>.md or a built-in page)."),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn all_tables() -> Vec<&'static [Key]> {
        vec![SITE, APPROVER, RELEASE, WORKLOAD, ASSET, EVIDENCE, WAIVER, PAGE, CHECKLIST, GROUP, ITEM, FIELD, NEXT_STEP]
    }

    #[test]
    fn names_are_unique_and_documented() {
        for table in all_tables() {
            let mut seen = std::collections::BTreeSet::new();
            for k in table {
                assert!(seen.insert(k.name), "`{}` twice", k.name);
                assert!(k.doc.ends_with('.'), "`{}` needs a one-sentence doc", k.name);
                assert!(!k.name.starts_with("x-"), "`x-` keys are the users'");
            }
        }
    }

    #[test]
    fn status_needs_name_common_fields() {
        for (field, _) in STATUS_NEEDS {
            assert!(COMMON_FIELDS.contains(field), "{field}");
        }
        assert_eq!(COMMON_FIELDS[0], "status");
    }
}
