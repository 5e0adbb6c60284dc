//! The fast path for plain YAML must read every document it accepts exactly
//! as the general parser does. This runs both over every YAML document in
//! the sample portfolio, the test fixtures and the built-in checklist, and
//! (an ignored test, run on demand) over the folder `CUTOVER_YAML_CORPUS`
//! names: a generated portfolio, a real one.

use std::path::Path;

use cutover::load::yaml::{parse_general, parse_plain};

/// The YAML documents under `dir`: `.yaml` files whole, front matter of `.md` files.
fn documents(dir: &Path) -> Vec<(String, String)> {
    let mut docs = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let name = path.display().to_string();
        match path.extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml") => docs.push((name, text)),
            Some("md") => {
                if let Ok(split) = cutover::load::frontmatter::split(&text) {
                    docs.push((name, split.yaml.to_string()));
                }
            }
            _ => {}
        }
    }
    docs
}

/// Compares the two parsers on each document; returns how many the fast path took.
fn compare(docs: &[(String, String)]) -> usize {
    let mut taken = 0;
    for (name, doc) in docs {
        if let Some(fast) = parse_plain(doc) {
            assert_eq!(Ok(fast), parse_general(doc), "{name}");
            taken += 1;
        }
    }
    taken
}

#[test]
fn sample_portfolio_and_fixtures_agree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = documents(&root.join("content"));
    let sample = docs.len();
    let taken_in_sample = compare(&docs);
    // The sample is written the way teams write front matter; most of it must take the fast path.
    assert!(taken_in_sample * 2 > sample, "fast path took {taken_in_sample} of {sample} sample documents");
    docs = documents(&root.join("tests/fixtures"));
    docs.push(("built-in checklist".into(), include_str!("../../src/core/checklist/builtin.yaml").into()));
    compare(&docs);
}

/// For a larger corpus than the repository's (a generated or real portfolio):
/// `CUTOVER_YAML_CORPUS=DIR cargo test --release --test yaml_plain -- --ignored`.
#[test]
#[ignore = "needs CUTOVER_YAML_CORPUS, a folder of YAML and Markdown files"]
fn corpus_from_the_environment_agrees() {
    let dir = std::env::var_os("CUTOVER_YAML_CORPUS").expect("set CUTOVER_YAML_CORPUS to a folder");
    let docs = documents(Path::new(&dir));
    assert!(!docs.is_empty(), "no YAML or Markdown documents under {}", dir.to_string_lossy());
    let taken = compare(&docs);
    eprintln!("fast path took {taken} of {} documents", docs.len());
}
