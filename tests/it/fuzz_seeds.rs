//! Every committed fuzz seed (fuzz/seeds/<target>/) replayed through its
//! target's checks, so that a change which breaks what a fuzzer once found is
//! caught by `cargo test`, without a nightly toolchain or libFuzzer.

#[allow(dead_code)]
#[path = "../../fuzz/src/lib.rs"]
mod cutover_fuzz;

use arbitrary::{Arbitrary, Unstructured};
use cutover_fuzz::generate::GenPortfolio;
use cutover_fuzz::targets;
use std::fs;
use std::path::PathBuf;

/// The seeds of one target, sorted by name; at least one.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap()))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

/// Runs `check` on each seed of `target`, naming the seed that fails.
fn replay(target: &str, check: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    for (name, bytes) in seeds(target) {
        if std::panic::catch_unwind(|| check(&bytes)).is_err() {
            panic!("fuzz/seeds/{target}/{name} fails its target's checks");
        }
    }
}

#[test]
fn frontmatter_split_seeds() {
    replay("frontmatter_split", targets::frontmatter_split);
}

#[test]
fn markdown_render_seeds() {
    replay("markdown_render", targets::markdown_render);
}

#[test]
fn yaml_plain_seeds() {
    replay("yaml_plain", targets::yaml_plain);
}

#[test]
fn yaml_to_model_seeds() {
    replay("yaml_to_model", targets::yaml_to_model);
}

#[test]
fn validate_evaluate_seeds() {
    replay("validate_evaluate", |bytes| {
        let g = GenPortfolio::arbitrary_take_rest(Unstructured::new(bytes)).expect("an arbitrary portfolio");
        targets::validate_evaluate(g);
    });
}
