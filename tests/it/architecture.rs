//! The layering docs/ARCHITECTURE.md promises, read from the source: no
//! import circle between modules, imports that go from a lower stage to a
//! higher one only where the document names them, and no item id of the
//! built-in checklist written in code outside the checklist's definition.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stages, lowest first: a module may import from its own stage and the ones before it.
const LAYERS: [&str; 7] = ["core", "load", "validate", "evaluate", "render", "write", "actions"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The module a file belongs to: `layer::child`, or `layer` for the stage's own `mod.rs`.
fn unit_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
    let layer = parts.first()?;
    if !LAYERS.contains(&layer.as_str()) {
        return None;
    }
    match parts.get(1).map(String::as_str) {
        Some("mod.rs") => Some(layer.clone()),
        Some(child) => Some(format!("{layer}::{}", child.trim_end_matches(".rs"))),
        None => None,
    }
}

/// The code of a file without comments, string literals and its test module
/// (by this crate's habit, `#[cfg(test)]` starts the tail of a file).
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                out.push_str("\"\"");
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '\'' => {
                // A char literal ('x', '\n', '"') or a lifetime ('a): skip a literal whole.
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with('\\') {
                    chars.next();
                    chars.next();
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                    } else {
                        // '\u{..}' and the like
                        for c in chars.by_ref() {
                            if c == '\'' {
                                break;
                            }
                        }
                    }
                } else if rest.chars().nth(1) == Some('\'') {
                    chars.next();
                    chars.next();
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}

/// `crate::a::b...` paths of the code, groups (`crate::{a::b, c}`) opened, as segment lists.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        expand("", after, &mut out);
        rest = after;
    }
    out
}

fn expand(prefix: &str, text: &str, out: &mut Vec<Vec<String>>) {
    let text = text.trim_start();
    if let Some(inner) = text.strip_prefix('{') {
        let mut depth = 1;
        let mut end = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = i;
                break;
            }
        }
        let body = &inner[..end];
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in body.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(prefix, &body[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(prefix, &body[start..], out);
        return;
    }
    let path: String = text.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
    let full = format!("{prefix}{path}");
    let tail = &text[path.len()..];
    if full.ends_with("::") && tail.trim_start().starts_with('{') {
        expand(&full, tail, out);
        return;
    }
    let segs: Vec<String> = full.split("::").filter(|s| !s.is_empty()).map(str::to_string).collect();
    if !segs.is_empty() {
        out.push(segs);
    }
}

struct Graph {
    units: BTreeSet<String>,
    /// from -> to -> a file where the import is
    edges: BTreeMap<String, BTreeMap<String, String>>,
}

fn graph() -> Graph {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let units: BTreeSet<String> = files.iter().filter_map(|f| unit_of(f)).collect();
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in &files {
        let Some(from) = unit_of(file) else { continue };
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for segs in crate_paths(&code) {
            if !LAYERS.contains(&segs[0].as_str()) {
                continue;
            }
            let child = segs.get(1).map(|c| format!("{}::{c}", segs[0]));
            let to = match child {
                Some(c) if units.contains(&c) => c,
                _ => segs[0].clone(),
            };
            let layer_of = |u: &str| u.split("::").next().unwrap().to_string();
            // A stage's mod.rs and its own children compose one another: that is containment, not an import.
            let containment = layer_of(&to) == layer_of(&from) && (to == layer_of(&to) || from == layer_of(&from));
            if to != from && !containment {
                let rel = file.strip_prefix(src()).unwrap().display().to_string();
                edges.entry(from.clone()).or_default().entry(to).or_insert(rel);
            }
        }
    }
    Graph { units, edges }
}

fn layer_rank(unit: &str) -> usize {
    let layer = unit.split("::").next().unwrap();
    LAYERS.iter().position(|l| *l == layer).unwrap()
}

/// Tarjan's strongly connected components with more than one member.
fn circles(g: &Graph) -> Vec<Vec<String>> {
    struct State<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on.insert(v);
        let g = s.g;
        for w in g.edges.get(v).into_iter().flat_map(|m| m.keys()) {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for u in &g.units {
        if !s.index.contains_key(u.as_str()) {
            visit(&mut s, u);
        }
    }
    s.out
}

#[test]
fn no_module_imports_another_in_a_circle() {
    let g = graph();
    assert!(g.units.len() > 30, "the modules were not found: {:?}", g.units);
    let found = circles(&g);
    let described: Vec<String> = found
        .iter()
        .map(|c| {
            let pairs: Vec<String> = c
                .iter()
                .flat_map(|a| {
                    let edges = g.edges.get(a);
                    c.iter().filter_map(move |b| edges?.get(b).map(|f| format!("{a} -> {b} ({f})")))
                })
                .collect();
            pairs.join("\n  ")
        })
        .collect();
    assert!(found.is_empty(), "modules that import each other in a circle:\n  {}", described.join("\n\n  "));
}

#[test]
fn imports_go_down_the_stages_except_where_the_architecture_says_why() {
    let g = graph();
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ARCHITECTURE.md")).unwrap();
    let mut upward = Vec::new();
    for (from, tos) in &g.edges {
        for (to, file) in tos {
            if layer_rank(to) > layer_rank(from) {
                upward.push((from.clone(), to.clone(), file.clone()));
            }
        }
    }
    let undocumented: Vec<String> = upward
        .iter()
        .filter(|(from, to, _)| !doc.contains(&format!("`{from}` -> `{to}`")))
        .map(|(from, to, file)| format!("{from} -> {to} ({file})"))
        .collect();
    assert!(
        undocumented.is_empty(),
        "imports from a lower stage to a higher one that ARCHITECTURE.md does not explain:\n{}",
        undocumented.join("\n")
    );
    assert!(upward.len() <= 2, "more than two upward imports: {upward:?}");
}

#[test]
fn no_stage_reaches_up_to_the_crate_root() {
    // `lib.rs` runs the stages; a stage that used its items (`crate::Checked`)
    // would import from above itself. The commands in `actions` run on top of
    // `check` and `build`, so they may.
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut found = Vec::new();
    let stage = |f: &PathBuf| unit_of(f).is_some_and(|u| !u.starts_with("actions"));
    for file in files.iter().filter(|f| stage(f)) {
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        for segs in crate_paths(&code) {
            if !LAYERS.contains(&segs[0].as_str()) {
                found.push(format!("{}: crate::{}", file.strip_prefix(src()).unwrap().display(), segs.join("::")));
            }
        }
    }
    assert!(found.is_empty(), "stages that use the crate root's items:\n{}", found.join("\n"));
}

#[test]
fn no_built_in_item_id_is_written_in_code_outside_the_checklist() {
    let yaml = std::fs::read_to_string(src().join("core/checklist/builtin.yaml")).unwrap();
    let ids: Vec<String> =
        yaml.lines().filter_map(|l| l.trim_start().strip_prefix("- id:")).map(|id| id.trim().to_string()).collect();
    assert!(ids.len() >= 15, "the built-in item ids were not found: {ids:?}");
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(src().join("core/checklist"))) {
        let text = std::fs::read_to_string(file).unwrap();
        let text = text.split("#[cfg(test)]").next().unwrap_or("");
        for id in &ids {
            // `ready` is also a decision's name (`Decision::Ready`): only its use as an item counts.
            let needles = match id.as_str() {
                "ready" => vec!["item(\"ready\")".to_string(), "items[\"ready\"]".to_string()],
                _ => vec![format!("\"{id}\"")],
            };
            for needle in needles {
                if let Some(at) = text.find(&needle) {
                    let line = text[..at].lines().count() + 1;
                    found.push(format!("{}:{line}: {needle}", file.strip_prefix(src()).unwrap().display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "built-in item ids written in code:\n{}", found.join("\n"));
}
