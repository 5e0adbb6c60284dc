//! The fast path for plain YAML against the general parser: wherever the
//! fast path answers, its value and every position must equal serde-saphyr's.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cutover_fuzz::targets::yaml_plain(data));
