//! The fast path for plain YAML against the general parser: wherever the
//! fast path answers, its value and every position must equal serde-saphyr's.
#![no_main]

use cutover::yaml::{parse_general, parse_plain};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(fast) = parse_plain(text) {
        assert_eq!(Ok(fast), parse_general(text), "the fast path disagrees with serde-saphyr");
    }
});
