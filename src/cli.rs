//! The command line, as clap sees it.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "cutover", version, about = "Check migration evidence and publish a promotion-readiness site")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print errors only: no warnings, progress bar or summary lines.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print how long each stage (load, validate, evaluate, render, write) took.
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate the portfolio and print every diagnostic.
    Check {
        #[command(flatten)]
        root: RootArgs,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// The date to assess against (YYYY-MM-DD; default: site.yaml's as_of, else today).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<cutover::core::date::Date>,
        /// Print the long explanation of a diagnostic code (such as E0203) and exit.
        #[arg(long, value_name = "CODE")]
        explain: Option<String>,
    },
    /// Check, then write the site.
    Build {
        #[command(flatten)]
        root: RootArgs,
        /// Output folder (default: ROOT/public).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The date to assess against (YYYY-MM-DD; default: site.yaml's as_of, else today).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<cutover::core::date::Date>,
        /// Treat warnings as errors (and write nothing when there is one).
        #[arg(long)]
        strict: bool,
        /// `public` withholds confidential evidence, cutover records and sensitive fields.
        #[arg(long, value_enum, default_value_t = EditionArg::Internal)]
        edition: EditionArg,
    },
    /// Exit 0 only if every named workload is ready or promoted (run it right before the DNS change).
    Gate {
        /// Workload ids.
        #[arg(required_unless_present_any = ["release", "all"], conflicts_with_all = ["release", "all"])]
        workloads: Vec<String>,
        /// Every workload of this release (site.yaml `releases`).
        #[arg(long, conflicts_with = "all")]
        release: Option<String>,
        /// Every workload of the portfolio.
        #[arg(long)]
        all: bool,
        /// The site root (default: found by walking up from the current folder).
        #[arg(long, value_name = "ROOT")]
        root: Option<PathBuf>,
        /// The date to assess against (YYYY-MM-DD; default: site.yaml's as_of, else today).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<cutover::core::date::Date>,
        #[arg(long, value_enum, default_value_t = GateFormat::Human)]
        format: GateFormat,
    },
    /// Record a validation in an evidence file, bound to what was signed by a digest.
    Sign {
        workload: String,
        item: String,
        #[command(flatten)]
        root: RootArgs,
        /// The approver signing off (must be in the item's sign-off role, if it has one).
        #[arg(long)]
        by: String,
        /// The date of the sign-off (default: the as-of date).
        #[arg(long, value_parser = parse_date)]
        on: Option<cutover::core::date::Date>,
    },
    /// Compare readiness at git revision BASE with the work tree (or --head REV), both as of one date.
    Diff {
        /// The revision to compare with: a branch, tag, remote branch or commit (`origin/main`).
        base: String,
        /// The site root.
        #[arg(default_value = ".")]
        root: std::path::PathBuf,
        /// Compare with this revision instead of the work tree.
        #[arg(long)]
        head: Option<String>,
        #[arg(long, value_parser = parse_date)]
        as_of: Option<cutover::core::date::Date>,
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
        /// Exit 1 when a workload's decision got worse or an item stopped being satisfied.
        #[arg(long)]
        fail_on_regression: bool,
    },
    /// Print the effective checklist as checklist.yaml.
    Checklist {
        #[command(flatten)]
        root: RootArgs,
    },
    /// Start a new portfolio in DIR (new, or a repository without content/ yet); never overwrites a file.
    Init {
        /// Where to start it (default: the current folder).
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The same as DIR.
        #[arg(long = "root", value_name = "DIR", conflicts_with = "dir")]
        root: Option<PathBuf>,
    },
    /// Add a workload folder with workload.yaml and one evidence stub per required item.
    New {
        /// The workload id, which is also its folder name.
        workload: String,
        /// The site root (default: found by walking up from the current folder).
        #[arg(long, value_name = "ROOT")]
        root: Option<PathBuf>,
        /// Its name, as people know it (default: from the id).
        #[arg(long)]
        name: Option<String>,
        /// The accountable team or person.
        #[arg(long)]
        owner: Option<String>,
        /// Decides which checklist items it needs (default: standard).
        #[arg(long, value_enum)]
        criticality: Option<CriticalityArg>,
        /// A release defined in content/site.yaml.
        #[arg(long)]
        release: Option<String>,
        /// Workloads it depends on (comma-separated, or repeat the option).
        #[arg(long, value_delimiter = ',')]
        depends_on: Vec<String>,
    },
    /// Add or update one workload per row of a CSV file (an inventory, or a readiness.csv).
    #[command(after_help = "Fields: id, name, owner, criticality, release, depends_on, summary. \
Exit codes: 0 imported (or nothing to change), 1 a row is wrong and nothing was written, 2 the command could not run.")]
    Import {
        /// The CSV file: a header row, then one workload per row.
        file: PathBuf,
        #[command(flatten)]
        root: RootArgs,
        /// Read the column headed HEADER as FIELD (repeatable; `HEADER=` leaves the column out).
        #[arg(long = "map", value_name = "HEADER=FIELD")]
        map: Vec<String>,
        /// Read WORD in FIELD's cells as VALUE, e.g. criticality:Tier-1=mission-critical (repeatable).
        #[arg(long = "value", value_name = "FIELD:WORD=VALUE")]
        value: Vec<String>,
        /// Print what would change, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the JSON Schema (draft-07) of a kind of file, for editors.
    Schema {
        #[arg(value_enum)]
        kind: SchemaKind,
        /// The site root, whose checklist decides the evidence fields (default: found by walking up).
        #[arg(long, value_name = "ROOT")]
        root: Option<PathBuf>,
        /// For `evidence`: the exact schema of this item's evidence.
        #[arg(long)]
        item: Option<String>,
    },
    /// Preview the site: build into memory, serve it, rebuild and reload on every change.
    Serve {
        #[command(flatten)]
        root: RootArgs,
        /// The port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// The address to listen on. Anything but 127.0.0.1 exposes the evidence to your network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The date to assess against (YYYY-MM-DD; default: site.yaml's as_of, else today).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<cutover::core::date::Date>,
        /// Treat warnings as errors (the preview then shows the error page).
        #[arg(long)]
        strict: bool,
    },
    /// Work with the templates that shape the site.
    Templates {
        #[command(subcommand)]
        command: TemplatesCommand,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per subcommand into DIR.
    Man {
        /// Write cutover.1 and cutover-<command>.1 for every subcommand, with its options and exit codes.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// The site root, named by position (as before) or with `--root` (as every
/// command takes it); when neither is given, found by walking up from the
/// current folder (see `cutover::load::root`).
#[derive(clap::Args, Debug, Clone)]
pub struct RootArgs {
    /// The site root, the folder holding content/ (default: found by walking up from the current folder).
    #[arg(value_name = "ROOT")]
    root: Option<PathBuf>,
    /// The same as ROOT, for scripts that name the root the same way for every command.
    #[arg(long = "root", value_name = "ROOT", conflicts_with = "root")]
    named: Option<PathBuf>,
}

impl RootArgs {
    /// The root as named, if it was.
    pub fn named(&self) -> Option<&std::path::Path> {
        self.named.as_deref().or(self.root.as_deref())
    }

    /// The site root: the named folder, else the nearest one at or above the current folder.
    pub fn find(&self) -> Result<PathBuf, cutover::Fatal> {
        Ok(cutover::load::root::find(self.named())?)
    }
}

#[derive(Subcommand, Debug)]
pub enum TemplatesCommand {
    /// Write the built-in templates, stylesheet and search script into DIR, to start a custom look from.
    Export {
        /// Usually the site root's templates/ folder.
        dir: PathBuf,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    Site,
    Workload,
    Checklist,
    Evidence,
    Page,
}

impl From<SchemaKind> for cutover::actions::schema::Kind {
    fn from(k: SchemaKind) -> Self {
        match k {
            SchemaKind::Site => cutover::actions::schema::Kind::Site,
            SchemaKind::Workload => cutover::actions::schema::Kind::Workload,
            SchemaKind::Checklist => cutover::actions::schema::Kind::Checklist,
            SchemaKind::Evidence => cutover::actions::schema::Kind::Evidence,
            SchemaKind::Page => cutover::actions::schema::Kind::Page,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CriticalityArg {
    MissionCritical,
    BusinessCritical,
    Standard,
}

impl From<CriticalityArg> for cutover::core::model::Criticality {
    fn from(c: CriticalityArg) -> Self {
        match c {
            CriticalityArg::MissionCritical => cutover::core::model::Criticality::MissionCritical,
            CriticalityArg::BusinessCritical => cutover::core::model::Criticality::BusinessCritical,
            CriticalityArg::Standard => cutover::core::model::Criticality::Standard,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    /// GitHub Actions workflow commands (annotations), paths from the repository's top.
    Github,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// A GitLab Code Quality report (JSON), paths from the repository's top.
    Gitlab,
    /// Azure Pipelines `##vso[task.logissue]` commands, paths from the repository's top.
    Azure,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Human,
    Json,
    /// For a pull-request comment or a CI job summary.
    Markdown,
    /// GitHub Actions annotations on the files that caused a regression.
    Github,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditionArg {
    Internal,
    Public,
}

impl From<EditionArg> for cutover::render::edition::Edition {
    fn from(e: EditionArg) -> Self {
        match e {
            EditionArg::Internal => cutover::render::edition::Edition::Internal,
            EditionArg::Public => cutover::render::edition::Edition::Public,
        }
    }
}

fn parse_date(s: &str) -> Result<cutover::core::date::Date, String> {
    cutover::core::date::Date::parse(s).ok_or_else(|| format!("`{s}` is not a date; write YYYY-MM-DD"))
}
