//! A generated portfolio (a few workloads with dependencies, releases and
//! evidence of every status) through validate and evaluate. Checks:
//! - no panic, and every diagnostic points into an input;
//! - the decision rules hold (never `ready` with an unsatisfied required item
//!   or a dependency that holds it back);
//! - the result does not depend on the order of workloads or files;
//! - completing one item (a valid, satisfied evidence file) never turns a
//!   `ready` workload `blocked`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|g: cutover_fuzz::generate::GenPortfolio| cutover_fuzz::targets::validate_evaluate(g));
