//! Any text as workload.yaml, evidence front matter, site.yaml, checklist.yaml
//! and a free page, through validation and evaluation: no panic, and every
//! diagnostic points at a real position in one of the inputs.
//!
//! The input is split at NUL bytes: `workload.yaml \0 front matter \0 site.yaml
//! \0 checklist.yaml \0 page`. Parts that are missing are left out, so a plain
//! YAML document fuzzes workload.yaml alone.
#![no_main]

use cutover::date::Date;
use cutover::load::{SourceFile, Sources, WorkloadSources};
use cutover_fuzz::{check_decisions, check_diagnostics};
use libfuzzer_sys::fuzz_target;

fn file(path: &str, text: &str) -> SourceFile {
    SourceFile { path: path.to_string(), text: text.to_string().into() }
}

/// Two workloads that read the same workload.yaml (so `depends_on` can name
/// either), each with the same front matter on three evidence files whose items
/// have item-specific fields.
fn sources(parts: &[&str]) -> Sources {
    let workload_yaml = parts[0];
    let front_matter = parts.get(1).map(|fm| format!("---\n{fm}\n---\nSee [the report](report.txt).\n"));
    let mut s = Sources {
        site: parts.get(2).map(|t| file("content/site.yaml", t)),
        checklist: parts.get(3).map(|t| file("content/checklist.yaml", t)),
        pages: parts.get(4).map(|t| file("content/pages/notes.md", t)).into_iter().collect(),
        ..Sources::default()
    };
    for id in ["alpha", "beta"] {
        let dir = format!("content/workloads/{id}");
        let evidence = match &front_matter {
            Some(text) => ["ciso-verification", "data-classification", "promote"]
                .iter()
                .map(|item| file(&format!("{dir}/{item}.md"), text))
                .collect(),
            None => Vec::new(),
        };
        s.workloads.push(WorkloadSources {
            id: id.to_string(),
            workload_yaml: Some(file(&format!("{dir}/workload.yaml"), workload_yaml)),
            dir,
            evidence,
            attachments: vec!["report.txt".into()],
            unreadable: Vec::new(),
            attachment_digests: Default::default(),
        });
    }
    s
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parts: Vec<&str> = text.splitn(5, '\0').collect();
    let sources = sources(&parts);
    let (portfolio, mut diags) = cutover::validate::validate(&sources);
    let as_of = portfolio.site.as_of.unwrap_or_else(|| Date::parse("2026-11-26").unwrap());
    let assessment = cutover::evaluate::evaluate(&portfolio, as_of);
    check_decisions(&portfolio, &assessment);
    diags.extend(assessment.diagnostics.iter().cloned());
    check_diagnostics(&sources, &diags);
});
