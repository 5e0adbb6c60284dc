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
        /// `public` withholds confidential evidence, cutover records and sensitive fields.
        #[arg(long, value_enum, default_value_t = EditionArg::Internal)]
        edition: EditionArg,
    },
    /// Exit 0 only if every named workload is ready or promoted (run it right before the DNS change).
    Gate {
        /// Workload ids.
        #[arg(required = true)]
        workloads: Vec<String>,
        /// The site root.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_parser = parse_date)]
        as_of: Option<cutover::date::Date>,
        #[arg(long, value_enum, default_value_t = GateFormat::Human)]
        format: GateFormat,
    },
    /// Record a validation in an evidence file, bound to what was signed by a digest.
    Sign {
        workload: String,
        item: String,
        #[arg(default_value = ".")]
        root: PathBuf,
        /// The approver signing off (must be in the item's sign-off role, if it has one).
        #[arg(long)]
        by: String,
        /// The date of the sign-off (default: the as-of date).
        #[arg(long, value_parser = parse_date)]
        on: Option<cutover::date::Date>,
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

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditionArg {
    Internal,
    Public,
}

impl From<EditionArg> for cutover::edition::Edition {
    fn from(e: EditionArg) -> Self {
        match e {
            EditionArg::Internal => cutover::edition::Edition::Internal,
            EditionArg::Public => cutover::edition::Edition::Public,
        }
    }
}

fn parse_date(s: &str) -> Result<cutover::date::Date, String> {
    cutover::date::Date::parse(s).ok_or_else(|| format!("`{s}` is not a date; write YYYY-MM-DD"))
}
