//! The `cutover` binary: parse arguments, run the library, print, exit.

mod cli;
mod commands;
mod terminal;

use clap::Parser;
use cli::{Cli, Command, Format, GateFormat, TemplatesCommand};
use cutover::{Checked, RunOptions};
use std::io::{IsTerminal, Write};
use std::path::Path;
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
    if !matches!(cli.command, Command::Serve { .. }) {
        quiet_on_closed_pipe();
    }
    match run(cli) {
        Ok(code) => code,
        Err(fatal) => {
            // Line by line: a message's own line breaks stay, control characters within a line do not.
            let message = fatal.to_string();
            let lines: Vec<_> = message.split('\n').map(cutover::core::text::printable).collect();
            eprintln!("error: {}", lines.join("\n"));
            ExitCode::from(2)
        }
    }
}

/// Output piped into a reader that stops early (`cutover schema site | head`)
/// ends the process quietly, as it ends `cat`, instead of a panic from
/// `println!`. Rust ignores SIGPIPE by default; the commands that print
/// restore the default action. `serve` keeps ignoring it: a browser that
/// closes its connection must not end the server.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: sets the disposition of one signal to its default; no handler runs our code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
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
        // prctl is variadic: each argument after the option must be passed
        // as the `unsigned long` the kernel reads, not as an `int`.
        let (on, unused): (libc::c_ulong, libc::c_ulong) = (1, 0);
        libc::prctl(libc::PR_SET_THP_DISABLE, on, unused, unused, unused);
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
        Command::Check { explain: Some(code), .. } => commands::explain(&code),
        Command::Check { root, format, strict, as_of, explain: None } => {
            let root = root.find()?;
            let watch = terminal::Watch::start(quiet, verbose);
            let checked = cutover::check_with(
                &root,
                &RunOptions { as_of, strict, bodies: cutover::validate::Bodies::None, ..Default::default() },
                watch.progress(),
            );
            watch.finish();
            let checked = checked?;
            // Machine formats name files from the repository's top, where CI looks for them.
            let base = || cutover::load::root::repository_prefix(&root);
            match format {
                Format::Sarif => print!("{}", checked.report.to_sarif(&base())),
                Format::Github => print!("{}", checked.report.to_github_at(&base())),
                Format::Gitlab => print!("{}", checked.report.to_gitlab(&base())),
                Format::Azure => print!("{}", checked.report.to_azure(&base())),
                _ => print_report(&checked, format, quiet),
            }
            if format == Format::Human && !quiet {
                eprintln!("{}", summary_line(&checked));
            }
            Ok(exit_leaving(checked))
        }
        Command::Build { root, out, as_of, strict, edition } => {
            let root = root.find()?;
            let out = out.unwrap_or_else(|| root.join("public"));
            let opts = RunOptions { as_of, strict, edition: edition.into(), ..Default::default() };
            let watch = terminal::Watch::start(quiet, verbose);
            let built = cutover::build_with(&root, &out, &opts, watch.progress());
            watch.finish();
            let (checked, written) = built?;
            print_report(&checked, Format::Human, quiet);
            let changed =
                checked.report.diagnostics.iter().filter(|d| d.code == cutover::core::diagnostics::Code::E0601).count();
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
        Command::Gate { workloads, release, all, root, as_of, format } => {
            let root = cutover::load::root::find(root.as_deref())?;
            let checked = cutover::check(
                &root,
                &RunOptions { as_of, bodies: cutover::validate::Bodies::None, ..Default::default() },
            )?;
            let ids = match (release, all) {
                (Some(r), _) => cutover::actions::gate::release_ids(&checked, &r)?,
                (None, true) => cutover::actions::gate::all_ids(&checked)?,
                (None, false) => workloads,
            };
            let result = cutover::actions::gate::gate(&checked, &ids)?;
            match format {
                GateFormat::Human => eprint!("{}", result.to_human()),
                GateFormat::Json => print!("{}", result.to_json()),
            }
            Ok(ExitCode::from(result.exit_code()))
        }
        Command::Sign { workload, item, root, by, on } => {
            let root = root.find()?;
            let on = match on {
                Some(d) => d,
                None => cutover::check(&root, &RunOptions::default())?.assessment.as_of,
            };
            let signed = cutover::actions::sign::sign(
                &root,
                &cutover::actions::sign::SignRequest { workload, item, by: by.clone(), on },
            )?;
            if !quiet {
                eprintln!("signed {} as validated by {by} on {on}\n  validated_digest: {}", signed.file, signed.digest);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { base, root, head, as_of, format, fail_on_regression } => {
            commands::diff(&root, &base, head, as_of, format, fail_on_regression)
        }
        Command::Checklist { root } => {
            // Outside any site, the built-in checklist.
            let root = root.find().unwrap_or_else(|_| root.named().unwrap_or(Path::new(".")).to_path_buf());
            let checked = cutover::check(&root, &RunOptions::default());
            let checklist = match checked {
                Ok(c) if c.sources.checklist.is_some() => c.portfolio.checklist,
                _ => cutover::validate::checklist::builtin(),
            };
            print!("{}", cutover::load::yaml::to_string(&checklist));
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { dir, root } => {
            commands::init(dir.as_deref().or(root.as_deref()).unwrap_or(Path::new(".")), quiet)
        }
        Command::New { workload, root, name, owner, criticality, release, depends_on } => {
            let spec = cutover::actions::scaffold::NewWorkload {
                id: workload,
                name,
                owner,
                criticality: criticality.map(Into::into),
                release,
                depends_on,
                summary: None,
            };
            commands::new(&cutover::load::root::find(root.as_deref())?, &spec, quiet)
        }
        Command::Schema { kind, root, item } => {
            // Outside any site, the schemas of the built-in checklist.
            let root = cutover::load::root::find(root.as_deref())
                .unwrap_or_else(|_| root.unwrap_or_else(|| std::path::PathBuf::from(".")));
            commands::schema(kind, &root, item.as_deref())
        }
        Command::Import { file, root, map, value, dry_run } => {
            let root = root.find()?;
            commands::import(&file, &root, &map, &value, dry_run, quiet)
        }
        Command::Serve { root, port, bind, as_of, strict } => {
            let root = root.find()?;
            let opts = cutover::actions::serve::ServeOptions {
                root,
                port,
                bind,
                run: RunOptions { as_of, strict, ..Default::default() },
            };
            cutover::actions::serve::serve(&opts)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Templates { command: TemplatesCommand::Export { dir } } => commands::export_templates(&dir, quiet),
        Command::Completions { shell } => commands::completions(shell),
        Command::Man { out } => commands::man(out.as_deref(), quiet),
    }
}

/// `quiet` keeps the errors of the human report and drops its warnings.
fn print_report(checked: &Checked, format: Format, quiet: bool) {
    let errors_only;
    let r = if quiet && format == Format::Human {
        errors_only = checked.report.errors_only();
        &errors_only
    } else {
        &checked.report
    };
    match format {
        Format::Json => print!("{}", r.to_json()),
        Format::Github => print!("{}", r.to_github()),
        Format::Sarif => print!("{}", r.to_sarif("")),
        Format::Gitlab => print!("{}", r.to_gitlab("")),
        Format::Azure => print!("{}", r.to_azure("")),
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
