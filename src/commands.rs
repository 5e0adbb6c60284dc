//! The commands that help people write a portfolio rather than judge one:
//! init, new, schema, templates export, completions and man. Each is a thin
//! layer over the library; what it prints is for people, on stderr, unless
//! it is the command's product (a schema, a script, a page) on stdout.

use crate::cli::{Cli, SchemaKind};
use clap::CommandFactory;
use cutover::Fatal;
use cutover::scaffold::{self, NewWorkload, Outcome};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn init(dir: &Path, quiet: bool) -> Result<ExitCode, Fatal> {
    let out = scaffold::init(dir)?;
    if !quiet {
        report(&out, dir);
        let shown = dir.display();
        eprintln!(
            "\nnext:\n  cutover new <workload-id> --root {shown}   add a workload\n  cutover serve {shown}                     preview the site while you write\n  cutover check {shown}                     what CI will run"
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn new(root: &Path, spec: &NewWorkload, quiet: bool) -> Result<ExitCode, Fatal> {
    let out = scaffold::new_workload(root, spec)?;
    if !quiet {
        report(&out, root);
    }
    Ok(ExitCode::SUCCESS)
}

fn report(out: &Outcome, base: &Path) {
    let rel = |p: &Path| p.strip_prefix(base).unwrap_or(p).display().to_string();
    for p in &out.created {
        eprintln!("  created {}", rel(p));
    }
    for p in &out.kept {
        eprintln!("     kept {} (it exists; cutover never overwrites a file)", rel(p));
    }
}

pub fn schema(kind: SchemaKind, root: &Path, item: Option<&str>) -> Result<ExitCode, Fatal> {
    let checklist = scaffold::checklist_of(root)?;
    let value = match (kind, item) {
        (SchemaKind::Evidence, Some(id)) => {
            let Some(item) = checklist.item(id) else {
                let hint = cutover::diagnostics::did_you_mean(id, checklist.item_ids()).unwrap_or_else(|| {
                    format!("the items are: {}", checklist.item_ids().collect::<Vec<_>>().join(", "))
                });
                return Err(Fatal(format!("`{id}` is not an item of the checklist in effect; {hint}")));
            };
            cutover::schema::evidence_item(item)
        }
        (_, Some(_)) => return Err(Fatal("--item applies to `cutover schema evidence` only".into())),
        (kind, None) => cutover::schema::schema(kind.into(), &checklist),
    };
    let text = serde_json::to_string_pretty(&value).map_err(|e| Fatal(format!("cannot print the schema: {e}")))?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// Writes the built-in templates and assets into `dir`, refusing (before
/// writing anything) if any of those files exists.
pub fn export_templates(dir: &Path, quiet: bool) -> Result<ExitCode, Fatal> {
    let mut files: Vec<(&str, &str)> = cutover::render::TEMPLATES.to_vec();
    files.push(("style.css", cutover::render::STYLE));
    files.push(("search.js", cutover::render::SEARCH_JS));
    let existing: Vec<&str> = files.iter().map(|(n, _)| *n).filter(|n| dir.join(n).exists()).collect();
    if !existing.is_empty() {
        return Err(Fatal(format!(
            "refusing to overwrite {} in {}; move them away or export into another folder and compare",
            existing.join(", "),
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Fatal(format!("cannot create {}: {e}", dir.display())))?;
    for (name, text) in &files {
        let path = dir.join(name);
        // Partials live in a folder of their own (`partials/trend.html`).
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Fatal(format!("cannot create {}: {e}", parent.display())))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Fatal(format!("cannot write {}: {e}", path.display())))?;
        f.write_all(text.as_bytes()).map_err(|e| Fatal(format!("cannot write {}: {e}", path.display())))?;
    }
    if !quiet {
        eprintln!(
            "wrote {} files to {}; edit them in the site root's templates/ folder, and delete the ones you do not change",
            files.len(),
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode, Fatal> {
    clap_complete::generate(shell, &mut Cli::command(), "cutover", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

pub fn man() -> Result<ExitCode, Fatal> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Fatal(format!("cannot render the man page: {e}")))?;
    std::io::stdout().write_all(&out).map_err(|e| Fatal(format!("cannot print the man page: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// `cutover diff`: prints the comparison on standard output; exit 1 for a
/// regression under `--fail-on-regression`, 2 when it cannot be made.
pub fn diff(
    root: &Path,
    base: &str,
    head: Option<String>,
    as_of: Option<cutover::date::Date>,
    format: crate::cli::DiffFormat,
    fail_on_regression: bool,
) -> Result<ExitCode, Fatal> {
    use crate::cli::DiffFormat;
    let head = head.map_or(cutover::diff::Head::WorkTree, cutover::diff::Head::Rev);
    let d = cutover::diff::diff(root, base, &head, as_of).map_err(|e| Fatal(e.0))?;
    let text = match format {
        DiffFormat::Human => d.to_human(),
        DiffFormat::Json => d.to_json(),
        DiffFormat::Markdown => d.to_markdown(),
        DiffFormat::Github => d.to_github(),
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(if fail_on_regression && d.regressions() > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
