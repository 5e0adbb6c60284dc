//! The behaviour tests, through the binary and the library, as one test
//! binary: linking a binary per file took most of a cold `cargo test` (each
//! links the library and its dependencies again). Each module is the test
//! file it was; `common` and `gitsite` are the helpers they share.
//!
//! Run one file's tests with `cargo test --test it NAME::` (for example
//! `cargo test --test it snapshots::`).

mod common;
mod gitsite;

mod annotations;
mod architecture;
mod build;
mod checklist;
mod ci_docs;
mod cli;
mod clock;
mod deadline_outputs;
mod deadlines;
mod decision_properties;
mod decisions;
mod decommission;
mod diagnostics;
mod diff;
mod editions;
mod fuzz_seeds;
mod gate_sign;
mod graph;
mod history;
mod hostile;
mod import;
mod onboarding;
mod promotion_models;
mod provenance;
mod regressions;
mod sarif;
mod scaffold;
mod schema;
mod security_view;
#[cfg(unix)]
mod serve;
mod sign;
mod site;
mod site_content;
mod snapshots;
mod templates;
mod terminal;
mod trust;
mod yaml_plain;
