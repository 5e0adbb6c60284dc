//! Any text as workload.yaml, evidence front matter, site.yaml, checklist.yaml
//! and a free page, through validation and evaluation: no panic, and every
//! diagnostic points at a real position in one of the inputs.
//!
//! The input is split at NUL bytes: `workload.yaml \0 front matter \0 site.yaml
//! \0 checklist.yaml \0 page`. Parts that are missing are left out, so a plain
//! YAML document fuzzes workload.yaml alone.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cutover_fuzz::targets::yaml_to_model(data));
