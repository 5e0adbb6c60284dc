//! The `cutover` binary: parse arguments, run the library, print, exit.

mod cli;
mod commands;
mod terminal;

use clap::Parser;
use cli::{Cli, Command, Format, GateFormat, TemplatesCommand};
use cutover::{Checked, RunOptions};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: a build allocates and frees many
/// small strings (Markdown events, template values), and glibc's malloc was
/// about a sixth of its CPU time. Its v2 line (the crate's `v2` feature)
/// returns less memory to the kernel between stages than v3, and fresh pages
/// are slow to fault in on a VM: less system time at 10,000 workloads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    small_pages_only();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(fatal) => {
            // Line by line: a message's own line breaks stay, control characters within a line do not.
            let lines: Vec<_> = fatal.0.split('\n').map(cutover::diagnostics::printable).collect();
            eprintln!("error: {}", lines.join("\n"));
            ExitCode::from(2)
        }
    }
}

/// Asks Linux not to back this process with transparent huge pages, which
/// mimalloc requests for its memory. A huge page is zeroed whole on first
/// touch, and on a VM whose kernel hands free 2 MB blocks back to the host
/// (free page reporting), every one of them is memory the host must supply
/// again: a 10,000-workload build spent a fifth of its CPU time there
/// (docs/PERFORMANCE.md, step 26). Small pages come from memory the guest
/// already holds more often. Nothing else changes, so a failure is ignored.
fn small_pages_only() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes no pointers; it sets a flag on this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// The exit code, without freeing the portfolio: the process ends right
/// after, the system takes the memory back at once, and freeing millions of
/// small allocations one by one took a noticeable part of a large `check`.
fn exit_leaving(checked: Checked) -> ExitCode {
    let code = exit_code(&checked);
    std::mem::forget(checked);
    code
}

fn run(cli: Cli) -> Result<ExitCode, cutover::Fatal> {
    let Cli { command, quiet, verbose } = cli;
    match command {
        Command::Check { root, format, strict, as_of } => {
            let watch = terminal::Watch::start(quiet, verbose);
            let checked = cutover::check_with(
                &root,
                &RunOptions { as_of, strict, bodies: cutover::validate::Bodies::None, ..Default::default() },
                watch.progress(),
            );
            watch.finish();
            let checked = checked?;
            match format {
                Format::Sarif => print!("{}", checked.report.to_sarif(&sarif_base(&root))),
                _ => print_report(&checked, format),
            }
            if format == Format::Human && !quiet {
                eprintln!("{}", summary_line(&checked));
            }
            Ok(exit_leaving(checked))
        }
        Command::Build { root, out, as_of, strict, edition } => {
            let out = out.unwrap_or_else(|| root.join("public"));
            let opts = RunOptions { as_of, strict, edition: edition.into(), ..Default::default() };
            let watch = terminal::Watch::start(quiet, verbose);
            let built = cutover::build_with(&root, &out, &opts, watch.progress());
            watch.finish();
            let (checked, written) = built?;
            print_report(&checked, Format::Human);
            let changed =
                checked.report.diagnostics.iter().filter(|d| d.code == cutover::diagnostics::Code::E0601).count();
            if written && !quiet {
                eprintln!("{}\nwrote the site to {}", summary_line(&checked), out.display());
            }
            if written && changed > 0 {
                eprintln!(
                    "error: {changed} evidence file(s) changed after sign-off; the site marks them on their reports and they no longer count"
                );
            } else if !written {
                eprintln!("error: the portfolio has errors; the site was not written (the previous one is untouched)");
            }
            Ok(exit_leaving(checked))
        }
        Command::Gate { workloads, root, as_of, format } => {
            let checked = cutover::check(
                &root,
                &RunOptions { as_of, bodies: cutover::validate::Bodies::None, ..Default::default() },
            )?;
            let result = cutover::gate::gate(&checked, &workloads)?;
            match format {
                GateFormat::Human => eprint!("{}", result.to_human()),
                GateFormat::Json => print!("{}", result.to_json()),
            }
            Ok(ExitCode::from(result.exit_code()))
        }
        Command::Sign { workload, item, root, by, on } => {
            let on = match on {
                Some(d) => d,
                None => cutover::check(&root, &RunOptions::default())?.assessment.as_of,
            };
            let signed =
                cutover::sign::sign(&root, &cutover::sign::SignRequest { workload, item, by: by.clone(), on })?;
            eprintln!("signed {} as validated by {by} on {on}\n  validated_digest: {}", signed.file, signed.digest);
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { base, root, head, as_of, format, fail_on_regression } => {
            commands::diff(&root, &base, head, as_of, format, fail_on_regression)
        }
        Command::Checklist { root } => {
            let checked = cutover::check(&root, &RunOptions::default());
            let checklist = match checked {
                Ok(c) if c.sources.checklist.is_some() => c.portfolio.checklist,
                _ => cutover::checklist::Checklist::builtin(),
            };
            print!("{}", checklist.to_yaml());
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { dir } => commands::init(&dir, quiet),
        Command::New { workload, root, name, owner, criticality, release, depends_on } => {
            let spec = cutover::scaffold::NewWorkload {
                id: workload,
                name,
                owner,
                criticality: criticality.map(Into::into),
                release,
                depends_on,
            };
            commands::new(&root, &spec, quiet)
        }
        Command::Schema { kind, root, item } => commands::schema(kind, &root, item.as_deref()),
        Command::Serve { root, port, bind, as_of, strict } => {
            let opts = cutover::serve::ServeOptions {
                root,
                port,
                bind,
                run: RunOptions { as_of, strict, ..Default::default() },
            };
            cutover::serve::serve(&opts)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Templates { command: TemplatesCommand::Export { dir } } => commands::export_templates(&dir, quiet),
        Command::Completions { shell } => commands::completions(shell),
        Command::Man => commands::man(),
    }
}

/// SARIF locations are relative to the repository; a relative site root is
/// taken to be the path from the repository root (`check` runs at the top in CI).
fn sarif_base(root: &std::path::Path) -> String {
    if root.is_absolute() || root.components().any(|c| c == std::path::Component::ParentDir) {
        return String::new();
    }
    let parts: Vec<String> = root
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if parts.is_empty() { String::new() } else { format!("{}/", parts.join("/")) }
}

fn print_report(checked: &Checked, format: Format) {
    let r = &checked.report;
    match format {
        Format::Json => print!("{}", r.to_json()),
        Format::Github => print!("{}", r.to_github()),
        Format::Sarif => print!("{}", r.to_sarif("")),
        Format::Human => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let text = r.to_human(&|p: &str| checked.quote(p), color);
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
    }
}

fn summary_line(c: &Checked) -> String {
    let n = |d| c.assessment.workloads.values().filter(|w| w.decision == d).count();
    use cutover::evaluate::Decision::*;
    format!(
        "checked {} workload{} as of {}: {} promoted, {} ready, {} blocked",
        c.assessment.workloads.len(),
        if c.assessment.workloads.len() == 1 { "" } else { "s" },
        c.assessment.as_of,
        n(Promoted),
        n(Ready),
        n(Blocked)
    )
}

fn exit_code(c: &Checked) -> ExitCode {
    if c.report.errors() > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
