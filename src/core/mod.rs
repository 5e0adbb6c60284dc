//! The small core every stage shares: the domain model, dates, the built-in
//! checklist's types, diagnostics and the text and URL helpers. It imports
//! nothing from the stages around it (see docs/ARCHITECTURE.md).

pub(crate) mod approvers;
pub mod checklist;
pub mod date;
pub mod diagnostics;
pub(crate) mod digest;
pub(crate) mod documents;
pub mod model;
pub mod progress;
pub mod text;
pub(crate) mod url;
pub(crate) mod vocabulary;
