//! The words the model and the checklist share: ids, criticality and an
//! item's status. They sit apart so that neither imports the other for them.

use serde::Serialize;
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as written in the portfolio's files.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        /// Lets maps keyed by the id be looked up with a plain `&str`.
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_string())
            }
        }
    };
}

id_type!(
    /// A workload's folder name under `content/workloads/`.
    WorkloadId
);
id_type!(
    /// A checklist item id, which is also the evidence file's stem.
    ItemId
);
id_type!(
    /// A release id from site.yaml.
    ReleaseId
);

/// Whether `s` is a valid id: `^[a-z0-9][a-z0-9-]{0,62}$`.
pub fn is_valid_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// How much the business depends on a workload; decides which items it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Criticality {
    /// An outage stops the organisation's mission; the checklist asks the most of these.
    MissionCritical,
    /// An outage hurts the business but does not stop it.
    BusinessCritical,
    /// Everything else.
    Standard,
}

impl Criticality {
    /// Every criticality, from most to least critical.
    pub const ALL: [Criticality; 3] =
        [Criticality::MissionCritical, Criticality::BusinessCritical, Criticality::Standard];

    /// The word workload.yaml and the checklist use for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::MissionCritical => "mission-critical",
            Criticality::BusinessCritical => "business-critical",
            Criticality::Standard => "standard",
        }
    }

    /// The criticality a file names, if the word is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Where an item stands. The first five are ordered; the last two stand outside the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Nothing done yet (also what a missing evidence file counts as).
    NotStarted,
    /// Work has begun.
    InProgress,
    /// The work is done (`executed_on`), not yet written up.
    Executed,
    /// The work is done and recorded (`documented_in`).
    Documented,
    /// Signed off by someone who may (`validated_by`, `validated_on`).
    Validated,
    /// Does not apply to this workload, with a justification.
    NotApplicable,
    /// Gone ahead without, under an approved, unexpired waiver.
    Waived,
}

impl Status {
    /// Every status, in the order of the type.
    pub const ALL: [Status; 7] = [
        Status::NotStarted,
        Status::InProgress,
        Status::Executed,
        Status::Documented,
        Status::Validated,
        Status::NotApplicable,
        Status::Waived,
    ];

    /// The word front matter uses for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotStarted => "not-started",
            Status::InProgress => "in-progress",
            Status::Executed => "executed",
            Status::Documented => "documented",
            Status::Validated => "validated",
            Status::NotApplicable => "not-applicable",
            Status::Waived => "waived",
        }
    }

    /// The status front matter names, if the word is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Rank in the progress order, or `None` for the two statuses outside it.
    pub fn rank(self) -> Option<u8> {
        match self {
            Status::NotStarted => Some(0),
            Status::InProgress => Some(1),
            Status::Executed => Some(2),
            Status::Documented => Some(3),
            Status::Validated => Some(4),
            Status::NotApplicable | Status::Waived => None,
        }
    }

    /// True when this status is in the order and at least `other` (which must be ordered).
    pub fn at_least(self, other: Status) -> bool {
        matches!((self.rank(), other.rank()), (Some(a), Some(b)) if a >= b)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file's content as git names it (SHA-1 of `blob <len>\0<bytes>`), so
/// that a file already read need not be read again from history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlobId(pub [u8; 20]);
