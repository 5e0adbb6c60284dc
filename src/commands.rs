//! The commands that help people write a portfolio rather than judge one:
//! init, new, schema, templates export, completions and man. Each is a thin
//! layer over the library; what it prints is for people, on stderr, unless
//! it is the command's product (a schema, a script, a page) on stdout.

use crate::cli::{Cli, SchemaKind};
use clap::CommandFactory;
use cutover::Fatal;
use cutover::actions::scaffold::{self, NewWorkload, Outcome};
use std::io::{IsTerminal, Write};
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
    for n in &out.notes {
        eprintln!("     note: {n}");
    }
}

pub fn schema(kind: SchemaKind, root: &Path, item: Option<&str>) -> Result<ExitCode, Fatal> {
    let checklist = scaffold::checklist_of(root)?;
    let value = match (kind, item) {
        (SchemaKind::Evidence, Some(id)) => {
            let Some(item) = checklist.item(id) else {
                let hint = cutover::core::diagnostics::did_you_mean(id, checklist.item_ids()).unwrap_or_else(|| {
                    format!("the items are: {}", checklist.item_ids().collect::<Vec<_>>().join(", "))
                });
                return Err(Fatal::Refused(format!("`{id}` is not an item of the checklist in effect; {hint}")));
            };
            cutover::actions::schema::evidence_item(item)
        }
        (_, Some(_)) => return Err(Fatal::Refused("--item applies to `cutover schema evidence` only".into())),
        (kind, None) => cutover::actions::schema::schema(kind.into(), &checklist),
    };
    let text = serde_json::to_string_pretty(&value).map_err(|e| Fatal::failed("print the schema", e))?;
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
        return Err(Fatal::Refused(format!(
            "refusing to overwrite {} in {}; move them away or export into another folder and compare",
            existing.join(", "),
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Fatal::io("create", dir.display(), e))?;
    for (name, text) in &files {
        let path = dir.join(name);
        // Partials live in a folder of their own (`partials/due.html`, `partials/trend.html`).
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Fatal::io("create", parent.display(), e))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Fatal::io("write", path.display(), e))?;
        f.write_all(text.as_bytes()).map_err(|e| Fatal::io("write", path.display(), e))?;
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

/// `check --explain CODE`: docs/diagnostics.md's section for the code.
pub fn explain(code: &str) -> Result<ExitCode, Fatal> {
    match cutover::actions::explain::explain(code) {
        Some(text) => {
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let known = cutover::actions::explain::codes();
            let hint = cutover::core::diagnostics::did_you_mean(&code.to_ascii_uppercase(), known.iter().copied())
                .unwrap_or_else(|| format!("the codes are {} to {}", known[0], known[known.len() - 1]));
            Err(Fatal::Refused(format!("`{code}` is not a diagnostic code of cutover; {hint}")))
        }
    }
}

pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode, Fatal> {
    clap_complete::generate(shell, &mut Cli::command(), "cutover", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// The man page of `cutover` on stdout, or with `out`, one page per command
/// and subcommand in that folder (`cutover.1`, `cutover-check.1`,
/// `cutover-templates-export.1`...), each with its options and exit codes, for
/// packagers to install. Pages are rendered by clap_mangen from the same
/// definitions as `--help`, so they cannot drift from it.
pub fn man(out: Option<&Path>, quiet: bool) -> Result<ExitCode, Fatal> {
    let mut top = Cli::command().disable_help_subcommand(true);
    top.build();
    let Some(dir) = out else {
        let page = man_page(&top)?;
        std::io::stdout().write_all(&page).map_err(|e| Fatal::failed("print the man page", e))?;
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(dir).map_err(|e| Fatal::io("create", dir.display(), e))?;
    let mut pages = Vec::new();
    let mut todo = vec![top];
    while let Some(cmd) = todo.pop() {
        todo.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
        let name = format!("{}.1", cmd.get_display_name().unwrap_or_else(|| cmd.get_name()));
        let path = dir.join(&name);
        std::fs::write(&path, man_page(&cmd)?).map_err(|e| Fatal::io("write", path.display(), e))?;
        pages.push(name);
    }
    if !quiet {
        pages.sort();
        eprintln!("wrote {} man pages to {}: {}", pages.len(), dir.display(), pages.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

fn man_page(cmd: &clap::Command) -> Result<Vec<u8>, Fatal> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page).map_err(|e| Fatal::failed("render the man page", e))?;
    page.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    for (code, meaning) in exit_codes(cmd.get_name()) {
        page.extend_from_slice(format!(".TP\n{code}\n{meaning}\n").as_bytes());
    }
    Ok(page)
}

/// What each exit code means for a command (docs/format.md, "Exit codes").
fn exit_codes(command: &str) -> Vec<(u8, &'static str)> {
    match command {
        "check" | "build" | "cutover" => vec![
            (0, "No errors (warnings may have been printed; with --strict, none)."),
            (1, "The portfolio has errors (with --strict, warnings count as errors); build then writes nothing."),
            (2, "cutover could not run: bad arguments, or no readable site root."),
        ],
        "gate" => vec![
            (0, "Every named workload is ready or promoted."),
            (1, "At least one named workload is blocked, or the portfolio has errors."),
            (2, "cutover could not run, or a name is not a workload."),
        ],
        _ => {
            vec![(0, "Success."), (2, "cutover could not run: bad arguments, or a file could not be read or written.")]
        }
    }
}

/// `cutover import`: diagnostics on stderr (exit 1, nothing written), else
/// what changed (on stdout for `--dry-run`, whose product it is; on
/// stderr otherwise, like `new`).
pub fn import(
    file: &Path,
    root: &Path,
    maps: &[String],
    values: &[String],
    dry_run: bool,
    quiet: bool,
) -> Result<ExitCode, Fatal> {
    use cutover::actions::import::{self, ColumnMap, ValueMap};
    let opts = import::Options {
        maps: maps.iter().map(|m| ColumnMap::parse(m)).collect::<Result<_, _>>()?,
        values: values.iter().map(|v| ValueMap::parse(v)).collect::<Result<_, _>>()?,
        dry_run,
    };
    let imported = import::import(root, file, &opts)?;
    if imported.report.errors() > 0 {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let text = imported.report.to_human(&|p: &str| (p == imported.file).then(|| imported.text.clone()), color);
        let _ = std::io::stderr().write_all(text.as_bytes());
        eprintln!("error: nothing was imported; fix the rows above and import again");
        return Ok(ExitCode::from(1));
    }
    let report = import::describe(&imported, dry_run);
    if dry_run {
        print!("{report}");
    } else if !quiet {
        eprint!("{report}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `cutover diff`: prints the comparison on standard output; exit 1 for a
/// regression under `--fail-on-regression`, 2 when it cannot be made.
pub fn diff(
    root: &Path,
    base: &str,
    head: Option<String>,
    as_of: Option<cutover::core::date::Date>,
    format: crate::cli::DiffFormat,
    fail_on_regression: bool,
) -> Result<ExitCode, Fatal> {
    use crate::cli::DiffFormat;
    let head = head.map_or(cutover::actions::diff::Head::WorkTree, cutover::actions::diff::Head::Rev);
    let d = cutover::actions::diff::diff(root, base, &head, as_of).map_err(Fatal::from)?;
    let text = match format {
        DiffFormat::Human => d.to_human(),
        DiffFormat::Json => d.to_json(),
        DiffFormat::Markdown => d.to_markdown(),
        DiffFormat::Github => d.to_github(),
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(if fail_on_regression && d.regressions() > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
