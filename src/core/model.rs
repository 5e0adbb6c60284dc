//! The typed portfolio that validation produces and evaluation reads.

use crate::core::date::Date;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

pub use crate::core::vocabulary::*;

/// How many days ahead of a date a workload is listed as due (`attention_days`
/// in site.yaml, when it is not set).
pub(crate) const DEFAULT_ATTENTION_DAYS: u32 = 14;

/// The site settings from `site.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// The portfolio's name, in every page's title and heading.
    pub title: String,
    /// Who runs the migration, shown beside the title and as the feed's author.
    pub organisation: Option<String>,
    /// Where the site is published; absolute links (the feed, calendars, `cutover diff`) start from it.
    pub base_url: Option<String>,
    /// The date decisions are made as of when the command line gives none.
    pub as_of: Option<Date>,
    /// Who holds each role (validator, CISO, waivers...) and since when.
    pub approvers: crate::core::approvers::Roles,
    /// The waves workloads are promoted in, in the order site.yaml lists them.
    pub releases: Vec<Release>,
    /// Days after promotion before on-premises assets may be retired.
    pub decommission_hold_days: u32,
    /// How many days ahead "due soon" looks (`attention_days`).
    pub attention_days: u32,
    /// What a sign-off's commit must show for the sign-off to count.
    pub signoff_provenance: ProvenancePolicy,
    /// Where `signoff_provenance` is written (line, column), for the error when git cannot answer it.
    #[serde(skip)]
    pub signoff_provenance_at: (u32, u32),
    /// How many days of history a build evaluates from git (0: none).
    pub history_days: u32,
    /// Where `history_days` is written (line, column), for the warnings about git.
    #[serde(skip)]
    pub history_days_at: (u32, u32),
}

/// `site.yaml` `signoff_provenance`: how far a sign-off's git history is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProvenancePolicy {
    /// Shown, never required.
    #[default]
    None,
    /// The commit that set a sign-off must be authored by its signer.
    Author,
    /// And carry an SSH signature by one of the signer's keys.
    Signature,
}

impl ProvenancePolicy {
    /// Every policy, in the order the schema and messages list them.
    pub(crate) const ALL: [ProvenancePolicy; 3] =
        [ProvenancePolicy::None, ProvenancePolicy::Author, ProvenancePolicy::Signature];

    /// The word site.yaml uses for it.
    pub fn as_str(self) -> &'static str {
        match self {
            ProvenancePolicy::None => "none",
            ProvenancePolicy::Author => "author",
            ProvenancePolicy::Signature => "signature",
        }
    }

    /// The policy site.yaml names, if the word is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl Default for Site {
    fn default() -> Self {
        Site {
            title: "Promotion readiness".into(),
            organisation: None,
            base_url: None,
            as_of: None,
            approvers: Default::default(),
            releases: Vec::new(),
            decommission_hold_days: 30,
            attention_days: DEFAULT_ATTENTION_DAYS,
            signoff_provenance: ProvenancePolicy::None,
            signoff_provenance_at: (1, 1),
            history_days: 90,
            history_days_at: (1, 1),
        }
    }
}

/// A wave of promotions, with the date it aims to be complete by.
#[derive(Debug, Clone, Serialize)]
pub struct Release {
    /// How workloads name it in `release:`.
    pub id: ReleaseId,
    /// The name shown on release pages.
    pub title: String,
    /// The day every workload of the release should be promoted by; none for an open-ended wave.
    pub target: Option<Date>,
}

/// An on-premises asset retired once the workload is promoted.
#[derive(Debug, Clone, Serialize)]
pub struct Asset {
    /// The asset as the on-premises inventory names it.
    pub name: String,
    /// What sort of asset it is (server, database, appliance...), free text.
    pub kind: Option<String>,
    /// When it was retired; none while it still runs.
    pub decommissioned_on: Option<Date>,
    /// Where `decommissioned_on` is written, for warnings about it.
    #[serde(skip)]
    pub decommissioned_at: (u32, u32),
}

/// How traffic moves on promotion day. `flight` moves it in batches, each
/// cutover record carrying `batch` and `traffic_percent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PromotionModel {
    #[default]
    /// All traffic moves at once.
    SingleStep,
    /// The workload moves in stages; shown as such, decided as single-step.
    Staged,
    /// Traffic moves in batches, each with its share of traffic.
    Flight,
}

impl PromotionModel {
    /// Every model, in the order the schema and messages list them.
    pub(crate) const ALL: [PromotionModel; 3] =
        [PromotionModel::SingleStep, PromotionModel::Staged, PromotionModel::Flight];

    /// The word workload.yaml uses for it.
    pub fn as_str(self) -> &'static str {
        match self {
            PromotionModel::SingleStep => "single-step",
            PromotionModel::Staged => "staged",
            PromotionModel::Flight => "flight",
        }
    }

    /// The model workload.yaml names, if the word is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// One workload as its folder describes it.
#[derive(Debug, Clone)]
pub struct Workload {
    /// The folder name, which dependencies and links use.
    pub id: WorkloadId,
    /// The folder, relative to the site root, `/`-separated.
    pub dir: String,
    /// The name people know the application by.
    pub name: String,
    /// Who answers for the workload: a team or a person's e-mail.
    pub owner: String,
    /// How much harm an outage does, which sets what the checklist requires.
    pub criticality: Criticality,
    /// The release it is promoted in; none while unplanned.
    pub release: Option<ReleaseId>,
    /// Workloads that must be promoted before this one, in the order written.
    pub depends_on: Vec<WorkloadId>,
    /// A short description (inline Markdown) for the dashboard and report.
    pub summary: Option<String>,
    /// On-premises assets retired after promotion.
    pub assets: Vec<Asset>,
    /// How traffic moves on promotion day.
    pub promotion_model: PromotionModel,
    /// The evidence files found in the folder, by checklist item.
    pub evidence: BTreeMap<ItemId, Box<Evidence>>,
    /// Files in the folder other than workload.yaml and evidence, relative to `dir`.
    pub attachments: Vec<String>,
    /// Markdown attachments that are published as pages, by path relative to `dir`.
    pub documents: BTreeMap<String, crate::core::documents::Document>,
}

/// A link from evidence: a URL, or a file inside the workload folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "target", rename_all = "lowercase")]
pub enum Link {
    /// A web address, as written.
    Url(String),
    /// Normalised path relative to the workload folder.
    File(String),
}

/// A documented decision to go ahead without an item, for a limited time.
#[derive(Debug, Clone, Serialize)]
pub struct Waiver {
    /// Who approved it; must hold the role the item's waivers need on `approved_on`.
    pub approved_by: String,
    /// The day it was approved; a waiver dated after the as-of date does not count yet.
    pub approved_on: Date,
    /// The last day it counts.
    pub expires_on: Date,
    /// Why going ahead without the item is acceptable.
    pub reason: String,
    /// What stands in for the item while it is waived.
    pub mitigation: String,
    /// The commit that set `approved_by` and `approved_on`, when the site is in git.
    #[serde(skip)]
    pub provenance: Option<Provenance>,
}

/// Where a sign-off came from in git: who committed the lines that record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The full commit id; absent while uncommitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The commit's author e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The commit's author date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// How far the commit vouches for the signer.
    pub state: ProvenanceState,
}

impl Provenance {
    /// What a sign-off not yet committed shows.
    pub fn uncommitted() -> Provenance {
        Provenance { commit: None, author: None, date: None, state: ProvenanceState::Uncommitted }
    }

    /// The commit id as people quote it (7 digits), or "uncommitted".
    pub(crate) fn short_commit(&self) -> &str {
        self.commit.as_deref().map_or("uncommitted", |c| &c[..c.len().min(7)])
    }
}

/// How far a sign-off's commit vouches for its signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProvenanceState {
    /// Signed with an SSH key listed for the signer.
    Verified,
    /// Signed, but not verifiably by one of the signer's keys.
    SignedUnknown,
    /// Committed without a signature.
    Unsigned,
    /// The recorded lines differ from HEAD.
    Uncommitted,
}

impl ProvenanceState {
    /// Every state, in the order the schema lists them.
    pub(crate) const ALL: [ProvenanceState; 4] = [
        ProvenanceState::Verified,
        ProvenanceState::SignedUnknown,
        ProvenanceState::Unsigned,
        ProvenanceState::Uncommitted,
    ];

    /// The word readiness.json and the pages use for it.
    pub fn as_str(self) -> &'static str {
        match self {
            ProvenanceState::Verified => "verified",
            ProvenanceState::SignedUnknown => "signed-unknown",
            ProvenanceState::Unsigned => "unsigned",
            ProvenanceState::Uncommitted => "uncommitted",
        }
    }
}

impl Link {
    /// The file's path when the link is to a file in the workload folder.
    pub fn file(&self) -> Option<&str> {
        match self {
            Link::File(f) => Some(f),
            Link::Url(_) => None,
        }
    }
}

/// The value of an item-specific field, typed by the checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// Free text, a choice among the checklist's values, or an e-mail.
    Text(String),
    /// A `YYYY-MM-DD` date.
    Date(Date),
    /// A number (a percentage, a count of minutes...).
    Number(f64),
    /// Yes or no.
    Bool(bool),
    /// A list of values of one type.
    List(Vec<FieldValue>),
    /// A record's fields, in the checklist's order.
    Record(Vec<(String, FieldValue)>),
}

impl FieldValue {
    /// A plain-text rendering for tables and reports.
    pub fn display(&self) -> String {
        match self {
            FieldValue::Text(s) => s.clone(),
            FieldValue::Date(d) => d.to_string(),
            FieldValue::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{}", *n as i64)
                } else {
                    n.to_string()
                }
            }
            FieldValue::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
            FieldValue::List(items) => items.iter().map(FieldValue::display).collect::<Vec<_>>().join(", "),
            FieldValue::Record(fields) => {
                fields.iter().map(|(k, v)| format!("{k}: {}", v.display())).collect::<Vec<_>>().join("; ")
            }
        }
    }
}

/// The evidence for one checklist item of one workload.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The checklist item the file is evidence for.
    pub item: ItemId,
    /// The file, relative to the site root.
    pub file: String,
    /// Where the item stands: not started, documented, validated, waived...
    pub status: Status,
    /// Where `status` is written, for warnings about this item.
    pub status_line: u32,
    /// The column of `status` (see `status_line`).
    pub status_column: u32,
    /// When the work was done.
    pub executed_on: Option<Date>,
    /// Where the work is recorded: files in the folder or web addresses.
    pub documented_in: Vec<Link>,
    /// Who signed it off; where the item names a sign-off role, a member of it on `validated_on`.
    pub validated_by: Option<String>,
    /// The day of the sign-off; freshness is counted from it.
    pub validated_on: Option<Date>,
    /// `sha256:<hex>` over what was signed (see `crate::core::digest`), written by `cutover sign`.
    pub validated_digest: Option<String>,
    /// Why the item does not apply to this workload (status `not-applicable`).
    pub justification: Option<String>,
    /// The waiver, when the item is waived.
    pub waiver: Option<Waiver>,
    /// Item-specific fields in checklist order.
    pub fields: Vec<(String, FieldValue)>,
    /// The Markdown body.
    pub body: Body,
    /// The line of the file on which the body starts.
    pub body_line: u32,
    /// Files in the workload folder that this evidence links to (they are published).
    pub linked_files: Vec<String>,
    /// Whether validation found an error in this file (a workload is never ready on broken evidence).
    pub has_errors: bool,
    /// Signed with a digest that no longer matches what is in the folder.
    pub changed_after_signoff: bool,
    /// What the public edition left out of this evidence, in words.
    pub withheld: Vec<String>,
    /// The commit that set `validated_by` and `validated_on`, when the site is in git.
    pub provenance: Option<Provenance>,
    /// The file's git blob id, taken while a build had its text at hand, so
    /// that provenance need not read the file, nor history its blob, again.
    pub blob: Option<BlobId>,
}

impl Evidence {
    /// Stands in for an evidence file that could not be read or parsed (already
    /// reported), so that the item still counts as broken rather than missing.
    pub fn unreadable(item: ItemId, file: &str) -> Evidence {
        Evidence {
            item,
            file: file.to_string(),
            status: Status::NotStarted,
            status_line: 1,
            status_column: 1,
            executed_on: None,
            documented_in: Vec::new(),
            validated_by: None,
            validated_on: None,
            validated_digest: None,
            justification: None,
            waiver: None,
            fields: Vec::new(),
            body: Body::default(),
            body_line: 1,
            linked_files: Vec::new(),
            has_errors: true,
            changed_after_signoff: false,
            withheld: Vec::new(),
            provenance: None,
            blob: None,
        }
    }
}

/// An evidence body: the tail of its loaded file, shared rather than copied
/// while the file is validated. A large portfolio's bodies are most of its
/// bytes, and a copy of each in the model doubled the memory (and the
/// page-zeroing time) of `check`. A build lets the Markdown go once
/// validation has written its HTML (kept apart from the model, in
/// `validate::BodyHtml`), so that no body is parsed twice.
#[derive(Clone, Default)]
pub struct Body {
    /// `None` for an empty body (a lean `check` empties them all, without allocating).
    file: Option<Arc<String>>,
    start: usize,
}

impl Body {
    /// The last `len` bytes of `file` (the caller's front-matter split ends at the end of the file).
    pub fn tail(file: &Arc<String>, len: usize) -> Body {
        let start = file.len().saturating_sub(len);
        match file.is_char_boundary(start) {
            true => Body { file: Some(Arc::clone(file)), start },
            // Not reached with a split of this file's own text; never a panic either way.
            false => Body::from(String::from_utf8_lossy(&file.as_bytes()[start..]).into_owned()),
        }
    }

    /// The body in an allocation of its own, so that the rest of its file
    /// (front matter, about a third of an evidence file) can be freed.
    pub(crate) fn detached(self) -> Body {
        match &self.file {
            Some(file) if self.start > 0 => Body { file: Some(Arc::new(file[self.start..].to_string())), start: 0 },
            _ => self,
        }
    }

    /// Whether there is nothing to show: only white space.
    pub(crate) fn is_blank(&self) -> bool {
        self.trim().is_empty()
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body { file: Some(Arc::new(text)), start: 0 }
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Body {
        Body::from(text.to_string())
    }
}

/// The Markdown; empty once only the HTML is kept.
impl std::ops::Deref for Body {
    type Target = str;
    fn deref(&self) -> &str {
        self.file.as_ref().map_or("", |f| &f[self.start..])
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A free page from `content/pages/`.
#[derive(Debug, Clone)]
pub struct Page {
    /// The file name without `.md`, which is the page's address.
    pub id: String,
    /// The file, relative to the site root.
    pub file: String,
    /// The heading: front matter's `title`.
    pub title: String,
    /// The Markdown.
    pub body: String,
}

/// Everything validation could make sense of. Broken parts are left out and reported.
#[derive(Debug, Clone)]
pub struct Portfolio {
    /// The settings from site.yaml.
    pub site: Site,
    /// The checklist in force: built in, or the site's own.
    pub checklist: crate::core::checklist::Checklist,
    /// Every workload that could be read, by id.
    pub workloads: BTreeMap<WorkloadId, Workload>,
    /// The free pages, in file-name order.
    pub pages: Vec<Page>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_the_tail_of_its_file_without_a_copy() {
        let file = Arc::new("---\nstatus: done\n---\nBody é\n".to_string());
        let body = Body::tail(&file, "Body é\n".len());
        assert_eq!(&*body, "Body é\n");
        assert!(Arc::ptr_eq(body.file.as_ref().unwrap(), &file), "shares the loaded text");
        assert_eq!(&*Body::default(), "");
        assert_eq!(&*Body::tail(&file, 1000), &**file, "a length past the start is the whole file");
        assert_eq!(&*Body::tail(&file, 2), "\u{fffd}\n", "inside a character: no panic");
    }

    #[test]
    fn ids_follow_the_pattern() {
        assert!(is_valid_id("payroll"));
        assert!(is_valid_id("0-a"));
        assert!(!is_valid_id("-a"));
        assert!(!is_valid_id("Payroll"));
        assert!(!is_valid_id(&"a".repeat(64)));
        assert!(is_valid_id(&"a".repeat(63)));
    }

    #[test]
    fn status_order() {
        assert!(Status::Validated.at_least(Status::Documented));
        assert!(!Status::Waived.at_least(Status::Executed));
        assert!(!Status::InProgress.at_least(Status::Executed));
    }
}
