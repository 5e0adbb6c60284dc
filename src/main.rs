//! The `cutover` binary: parse arguments, run the library, print, exit.

mod cli;

use clap::Parser;
use cli::{Cli, Command, Format, GateFormat};
use cutover::{Checked, RunOptions};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(fatal) => {
            eprintln!("error: {fatal}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, cutover::Fatal> {
    match command {
        Command::Check { root, format, strict, as_of } => {
            let checked = cutover::check(&root, &RunOptions { as_of, strict, ..Default::default() })?;
            print_report(&checked, format);
            if format == Format::Human {
                eprintln!("{}", summary_line(&checked));
            }
            Ok(exit_code(&checked))
        }
        Command::Build { root, out, as_of, strict, edition } => {
            let out = out.unwrap_or_else(|| root.join("public"));
            let opts = RunOptions { as_of, strict, edition: edition.into() };
            let (checked, written) = cutover::build(&root, &out, &opts)?;
            print_report(&checked, Format::Human);
            if written {
                eprintln!("{}\nwrote the site to {}", summary_line(&checked), out.display());
            } else {
                eprintln!("error: the portfolio has errors; the site was not written (the previous one is untouched)");
            }
            Ok(exit_code(&checked))
        }
        Command::Gate { workloads, root, as_of, format } => {
            let checked = cutover::check(&root, &RunOptions { as_of, ..Default::default() })?;
            let result = cutover::gate::gate(&checked, &workloads);
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
        Command::Checklist { root } => {
            let checked = cutover::check(&root, &RunOptions::default());
            let checklist = match checked {
                Ok(c) if c.sources.checklist.is_some() => c.portfolio.checklist,
                _ => cutover::checklist::Checklist::builtin(),
            };
            print!("{}", checklist.to_yaml());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_report(checked: &Checked, format: Format) {
    let r = &checked.report;
    match format {
        Format::Json => print!("{}", r.to_json()),
        Format::Github => print!("{}", r.to_github()),
        Format::Human => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let text = r.to_human(&|p: &str| checked.sources.text_of(p).map(str::to_string), color);
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
    }
}

fn summary_line(c: &Checked) -> String {
    let n = |d| c.assessment.workloads.values().filter(|w| w.decision == d).count();
    use cutover::evaluate::Decision::*;
    format!(
        "checked {} workloads as of {}: {} promoted, {} ready, {} blocked",
        c.assessment.workloads.len(),
        c.assessment.as_of,
        n(Promoted),
        n(Ready),
        n(Blocked)
    )
}

fn exit_code(c: &Checked) -> ExitCode {
    if c.report.errors() > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
