//! The command line, as clap sees it.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "cutover", version, about = "Check migration evidence and publish a promotion-readiness site")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate the portfolio and print every diagnostic.
    Check {
        /// The site root (the folder holding content/).
        #[arg(default_value = ".")]
        root: PathBuf,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// The date to assess against (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<cutover::date::Date>,
    },
    /// Check, then write the site.
    Build {
        #[arg(default_value = ".")]
        root: PathBuf,
        /// Output folder (default: ROOT/public).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, value_parser = parse_date)]
        as_of: Option<cutover::date::Date>,
        #[arg(long)]
        strict: bool,
    },
    /// Print the effective checklist as checklist.yaml.
    Checklist {
        #[arg(default_value = ".")]
        root: PathBuf,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Github,
}

fn parse_date(s: &str) -> Result<cutover::date::Date, String> {
    cutover::date::Date::parse(s).ok_or_else(|| format!("`{s}` is not a date; write YYYY-MM-DD"))
}
