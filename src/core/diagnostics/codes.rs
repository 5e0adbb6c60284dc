//! The table of diagnostic codes: for each, its severity, its title (the
//! heading of its section in docs/diagnostics.md, and SARIF's rule name), the
//! anchor of that section, and the help a diagnostic gets when its message
//! comes without a more particular one. One row per code, so adding a code is
//! one edit here and one section in the docs (a test holds the two together).

use super::Severity;

/// What the table knows about one code.
#[derive(Debug)]
pub struct Entry {
    /// The code this row describes.
    pub code: Code,
    /// The code as printed (`E0203`).
    pub name: &'static str,
    /// The severity without `--strict`.
    pub severity: Severity,
    /// A few words on what the code means: docs/diagnostics.md's heading
    /// after the code, and the `shortDescription` of its SARIF rule.
    pub title: &'static str,
    /// The id of the code's section in docs/diagnostics.md (GitHub's slug of
    /// its heading), which the index links to and `--explain` looks up.
    pub anchor: &'static str,
    /// How to fix it in general: every diagnostic says what to do.
    pub help: &'static str,
}

/// Declares [`Code`] and [`TABLE`] from one list, so the enum and the table
/// cannot disagree: the n-th variant's row is `TABLE[n]`.
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $code:ident: $severity:ident, $title:literal,
        anchor $anchor:literal, help $help:literal;)*) => {
        /// Stable diagnostic codes. The number never changes meaning once
        /// released; `docs/diagnostics.md` lists them all.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[doc = $doc])* $code,)*
        }

        /// Every code, in the order of [`Code`] (and of docs/diagnostics.md).
        pub const TABLE: &[Entry] = &[$(Entry {
            code: Code::$code,
            name: stringify!($code),
            severity: Severity::$severity,
            title: $title,
            anchor: $anchor,
            help: $help,
        },)*];
    };
}

codes! {
    /// A file could not be read.
    E0001: Error, "a file could not be read",
        anchor "e0001-a-file-could-not-be-read",
        help "make it a regular file that cutover can read, or remove it from content/";
    /// A text file is not valid UTF-8.
    E0002: Error, "not valid UTF-8",
        anchor "e0002-not-valid-utf-8",
        help "save the file as UTF-8, and give files and folders UTF-8 names";
    /// A file is larger than the size limit.
    E0003: Error, "file too large",
        anchor "e0003-file-too-large",
        help "keep evidence small: link large data as an attachment in a .zip, or split the file";
    /// A symlink leads outside the workload folder or loops.
    E0004: Error, "symbolic link leaves the workload folder",
        anchor "e0004-symbolic-link-leaves-the-workload-folder",
        help "replace the link with a copy of the file inside the folder";
    /// YAML syntax error.
    E0101: Error, "YAML syntax error",
        anchor "e0101-yaml-syntax-error",
        help "check indentation, colons and quotes on this line and the one before";
    /// Duplicate key in a YAML mapping.
    E0102: Error, "duplicate key",
        anchor "e0102-duplicate-key",
        help "each key may appear once; remove or merge the repeated one";
    /// An evidence file does not start with front matter.
    E0103: Error, "no front matter",
        anchor "e0103-no-front-matter",
        help "start the file with a line `---`, the front matter, and another `---`";
    /// Front matter is never closed.
    E0104: Error, "front matter never closed",
        anchor "e0104-front-matter-never-closed",
        help "close the front matter with a line `---` (or `...`)";
    /// A file is empty.
    E0105: Error, "empty file",
        anchor "e0105-empty-file",
        help "write the front matter, or delete the file";
    /// YAML too large or too deep (alias bombs, nesting).
    E0106: Error, "YAML too deep or too large",
        anchor "e0106-yaml-too-deep-or-too-large",
        help "write the values out plainly, or attach large data as a file";
    /// A file name is not a checklist item id.
    E0201: Error, "not a checklist item",
        anchor "e0201-not-a-checklist-item",
        help "name the file after a checklist item (`cutover checklist` lists them)";
    /// A required field is missing.
    E0202: Error, "required field missing",
        anchor "e0202-required-field-missing",
        help "add the field with a value";
    /// An unknown field.
    E0203: Error, "unknown field",
        anchor "e0203-unknown-field",
        help "remove the field, or start its name with `x-` to keep it as a note";
    /// A value of the wrong type.
    E0204: Error, "wrong type",
        anchor "e0204-wrong-type",
        help "write the value as the field's type; `cutover schema evidence` lists them";
    /// A value outside the allowed set.
    E0205: Error, "value not allowed",
        anchor "e0205-value-not-allowed",
        help "use one of the values the field allows; docs/format.md lists them";
    /// A malformed date.
    E0206: Error, "malformed date",
        anchor "e0206-malformed-date",
        help "write dates as YYYY-MM-DD";
    /// A malformed id.
    E0207: Error, "malformed id",
        anchor "e0207-malformed-id",
        help "use lower-case letters, digits and `-`";
    /// A field that the status needs is missing.
    E0208: Error, "field needed by the status missing",
        anchor "e0208-field-needed-by-the-status-missing",
        help "add the field, or set a lower status";
    /// Dates in the wrong order.
    E0209: Error, "dates in the wrong order",
        anchor "e0209-dates-in-the-wrong-order",
        help "put the dates in the order things happened";
    /// `not-applicable` where the checklist does not allow it.
    E0210: Error, "not-applicable not allowed",
        anchor "e0210-not-applicable-not-allowed",
        help "set another status, or allow not-applicable for the item in checklist.yaml";
    /// An empty list where at least one entry is needed.
    E0211: Error, "empty list",
        anchor "e0211-empty-list",
        help "list at least one entry, or remove the field";
    /// A flight plan whose traffic for one record does not add up to 100%.
    E0212: Error, "flight traffic does not add up to 100%",
        anchor "e0212-flight-traffic-does-not-add-up-to-100",
        help "make the batches of each record add up to 100";
    /// Flight fields (`batch`, `traffic_percent`) outside `promotion_model: flight`.
    E0213: Error, "batches outside the flight model",
        anchor "e0213-batches-outside-the-flight-model",
        help "set `promotion_model: flight` in workload.yaml, or remove the batch fields";
    /// A workload folder without `workload.yaml`.
    E0301: Error, "workload.yaml missing",
        anchor "e0301-workloadyaml-missing",
        help "add a workload.yaml to the folder, or move the folder out of content/workloads/";
    /// A release that site.yaml does not define.
    E0302: Error, "unknown release",
        anchor "e0302-unknown-release",
        help "define the release in site.yaml, or fix its id";
    /// A dependency on a workload that does not exist.
    E0303: Error, "unknown dependency",
        anchor "e0303-unknown-dependency",
        help "name a workload folder under content/workloads/";
    /// A dependency cycle.
    E0304: Error, "dependency cycle",
        anchor "e0304-dependency-cycle",
        help "remove one `depends_on` entry of the cycle";
    /// A duplicate id (release, group, item, field).
    E0305: Error, "duplicate id",
        anchor "e0305-duplicate-id",
        help "give each one its own id";
    /// A link that leaves its workload folder.
    E0401: Error, "link leaves the workload folder",
        anchor "e0401-link-leaves-the-workload-folder",
        help "copy the file into the workload folder and link it by relative path";
    /// A link to a file that does not exist.
    E0402: Error, "link to a missing file",
        anchor "e0402-link-to-a-missing-file",
        help "add the file to the workload folder, or fix the path";
    /// A link with a scheme other than http, https or mailto.
    E0403: Error, "link scheme not allowed",
        anchor "e0403-link-scheme-not-allowed",
        help "use an http, https or mailto URL, or a path to a file in the workload folder";
    /// A link to an attached file of a kind a browser runs script in (HTML, SVG ...).
    E0404: Error, "attachment a browser would run",
        anchor "e0404-attachment-a-browser-would-run",
        help "attach a PDF, an image, a text or CSV export, or a .zip";
    /// The checklist refers to something it does not define.
    E0501: Error, "checklist refers to something undefined",
        anchor "e0501-checklist-refers-to-something-undefined",
        help "define what is referred to, or fix the reference";
    /// A checklist role (`role: promotion` ...) missing or given to several items.
    E0502: Error, "checklist role missing or repeated",
        anchor "e0502-checklist-role-missing-or-repeated",
        help "give exactly one item `role: promotion`, and each other role to one item at most";
    /// Signed evidence changed after its sign-off.
    E0601: Error, "signed evidence changed after sign-off",
        anchor "e0601-signed-evidence-changed-after-sign-off",
        help "sign the evidence again with `cutover sign`, or undo the change";
    /// An item that may not be waived is waived.
    E0602: Error, "item may not be waived",
        anchor "e0602-item-may-not-be-waived",
        help "do the work and record it, or set another status";
    /// A sign-off policy that cannot be checked (no git history to read).
    E0603: Error, "sign-off provenance cannot be checked",
        anchor "e0603-sign-off-provenance-cannot-be-checked",
        help "build from a full git clone (in CI: fetch the whole history), or set `signoff_provenance: none`";
    /// A risk's `accepted_by` names someone no role lists.
    E0604: Error, "risk accepted by someone no role lists",
        anchor "e0604-risk-accepted-by-someone-no-role-lists",
        help "name a member of the item's sign-off role, or list the person under `approvers` in site.yaml";
    /// A template (built-in or the site's own) failed to parse or render.
    E0701: Error, "template error",
        anchor "e0701-template-error",
        help "fix the template, or delete it to use the built-in one";
    /// The CSV file given to `import` cannot be read as a table (not UTF-8, more cells than headers).
    E0801: Error, "CSV file not readable as a table",
        anchor "e0801-csv-file-not-readable-as-a-table",
        help "save the file as CSV UTF-8, and put values that hold commas in double quotes";
    /// The CSV file given to `import` has no workload (empty, or a header row only).
    E0802: Error, "nothing to import",
        anchor "e0802-nothing-to-import",
        help "export the inventory with a header row and one row per workload";
    /// The CSV file's columns: none holds names or ids, or two hold one field.
    E0803: Error, "columns not understood",
        anchor "e0803-columns-not-understood",
        help "name the columns with `--map HEADER=FIELD`, or leave one out with `--map HEADER=`";
    /// A row of an imported CSV file without a name.
    E0804: Error, "row without a name",
        anchor "e0804-row-without-a-name",
        help "fill in the workload's name, or remove the row";
    /// A cell of an imported CSV file with a value its field does not allow.
    E0805: Error, "value not allowed in an imported row",
        anchor "e0805-value-not-allowed-in-an-imported-row",
        help "use a value the field allows, or say what it means with --value FIELD:WORD=VALUE";
    /// A release in an imported CSV file that site.yaml does not define.
    E0806: Error, "unknown release in an imported row",
        anchor "e0806-unknown-release-in-an-imported-row",
        help "define the release in content/site.yaml, or map the cell with --value release:WORD=ID";
    /// A dependency in an imported CSV file that names no workload, or closes a cycle.
    E0807: Error, "dependency of an imported row not found",
        anchor "e0807-dependency-of-an-imported-row-not-found",
        help "name a workload of the file or of content/workloads/ by its id or name";
    /// Two rows of an imported CSV file for one workload.
    E0808: Error, "two rows for one workload",
        anchor "e0808-two-rows-for-one-workload",
        help "keep one row per workload, or give each its own id";
    /// An item is executed while an item it comes after is not satisfied.
    W0001: Warning, "item out of order",
        anchor "w0001-item-out-of-order",
        help "finish the earlier items first, or correct the statuses";
    /// A sign-off role with no approvers in site.yaml.
    W0002: Warning, "sign-off role without approvers",
        anchor "w0002-sign-off-role-without-approvers",
        help "list the people for the role under `approvers` in site.yaml";
    /// A file under content/ that cutover does not use.
    W0003: Warning, "file not used",
        anchor "w0003-file-not-used",
        help "link the file from the evidence that uses it, or remove it";
    /// Raw HTML in evidence that the sanitiser changes.
    W0004: Warning, "raw HTML changed by the sanitiser",
        anchor "w0004-raw-html-changed-by-the-sanitiser",
        help "use Markdown or plain HTML for formatting";
    /// An asset is retired while its workload is not promoted.
    W0005: Warning, "asset retired before its workload was promoted",
        anchor "w0005-asset-retired-before-its-workload-was-promoted",
        help "retire assets only after promotion";
    /// An asset is retired before its hold period after promotion ended.
    W0006: Warning, "asset retired during the hold period",
        anchor "w0006-asset-retired-during-the-hold-period",
        help "keep the asset until the hold period has passed";
    /// A workload was promoted while it was not ready.
    W0007: Warning, "promoted while not ready",
        anchor "w0007-promoted-while-not-ready",
        help "record why the promotion went ahead, and complete the missing evidence";
    /// The git history that records sign-offs cannot be read (provenance is not shown).
    W0008: Warning, "git history unreadable",
        anchor "w0008-git-history-unreadable",
        help "repair the repository, or build from a fresh clone";
    /// `owner` is still the placeholder that `cutover new` wrote.
    W0009: Warning, "owner still the placeholder",
        anchor "w0009-owner-still-the-placeholder",
        help "write the accountable team or person as `owner` in workload.yaml";
    /// Evidence validated while its text is still the stub that `cutover new` wrote.
    W0010: Warning, "validated evidence still the stub text",
        anchor "w0010-validated-evidence-still-the-stub-text",
        help "replace the stub text with what was done and how you know it worked";
    /// The clone is shallow: history over time needs the whole history.
    W0011: Warning, "history needs the full git history",
        anchor "w0011-history-needs-the-full-git-history",
        help "fetch the whole history (CI: fetch-depth: 0), or set history_days: 0";
    /// A link in a Markdown attachment published as a page does not resolve (it is left out).
    W0012: Warning, "broken link in a published attachment",
        anchor "w0012-broken-link-in-a-published-attachment",
        help "fix the path, relative to the attachment's own folder, or add the file to the workload folder";
}

impl Code {
    /// The code's row of [`TABLE`].
    pub fn entry(self) -> &'static Entry {
        &TABLE[self as usize]
    }

    /// The code as printed (`E0203`).
    pub fn as_str(self) -> &'static str {
        self.entry().name
    }

    /// A few words on what the code means, as docs/diagnostics.md titles it
    /// (SARIF rules carry it, so code-scanning pages name each rule).
    pub fn title(self) -> &'static str {
        self.entry().title
    }

    /// How to fix it in general, for a diagnostic whose message came without
    /// a more particular hint.
    pub fn fallback_help(self) -> &'static str {
        self.entry().help
    }

    /// The severity a code has without `--strict`.
    pub fn default_severity(self) -> Severity {
        self.entry().severity
    }

    /// The id of the code's section in docs/diagnostics.md.
    pub fn anchor(self) -> &'static str {
        self.entry().anchor
    }

    /// The code named `name` (`E0203`, any case), if there is one.
    pub fn parse(name: &str) -> Option<Code> {
        TABLE.iter().find(|e| e.name.eq_ignore_ascii_case(name.trim())).map(|e| e.code)
    }
}
