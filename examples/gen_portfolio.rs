//! A synthetic portfolio for benchmarks, deterministic from a seed.
//!
//! ```text
//! cargo run --release --example gen_portfolio -- --workloads 1000 --seed 1 --out /tmp/p1000
//! ```
//!
//! writes `/tmp/p1000/content/`: a `site.yaml` with approvers and release waves, a
//! free page, and N workload folders, each with `workload.yaml`, one evidence file
//! per checklist item (about 1.5 KB of Markdown with headings, paragraphs, lists,
//! tables, code and links) and two or three attachments that the evidence links to.
//! Dependencies form a DAG (a workload only depends on workloads with a smaller
//! index), two per workload on average. About 30% of the workloads are promoted,
//! 30% ready and 40% blocked, for the reasons real portfolios have: unfinished
//! prerequisites, stale evidence, expired waivers, sign-off by the wrong person,
//! evidence awaiting validation, dependencies that are not ready. The output
//! passes `cutover check` with no error and no warning.
//!
//! The benchmark script (`scripts/bench.sh`) and the criterion benches
//! (`benches/stages.rs`, which includes this file with `#[path]`) use it.

use cutover::core::date::Date;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The "today" of every generated portfolio (site.yaml `as_of`).
pub const AS_OF: &str = "2026-11-26";

/// splitmix64: small, fast, and good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// An independent stream for `(seed, stream)`, so that a workload's text does not
    /// depend on how much randomness the workloads before it used.
    pub fn stream(seed: u64, stream: u64) -> Rng {
        let mut r = Rng::new(seed ^ stream.wrapping_mul(0xA24B_AED4_963E_E407));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }

    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

const SYSTEMS: &[(&str, &str)] = &[
    ("billing", "Billing"),
    ("payroll", "Payroll"),
    ("ledger", "General ledger"),
    ("crm", "Customer relationship management"),
    ("inventory", "Inventory"),
    ("warehouse", "Warehouse management"),
    ("timesheets", "Timesheets"),
    ("procurement", "Procurement"),
    ("intranet", "Intranet"),
    ("dms", "Document management"),
    ("reporting", "Management reporting"),
    ("scheduling", "Plant scheduling"),
    ("fleet", "Fleet tracking"),
    ("helpdesk", "Service desk"),
    ("contracts", "Contract management"),
    ("treasury", "Treasury"),
    ("pricing", "Pricing engine"),
    ("portal", "Customer portal"),
    ("mes", "Manufacturing execution"),
    ("lims", "Laboratory information"),
    ("expenses", "Expense claims"),
    ("recruiting", "Recruiting"),
    ("training", "Learning management"),
    ("archive", "Mail archive"),
];

const AREAS: &[&str] =
    &["Finance", "HR", "Plant", "Sales", "Logistics", "Shared services", "Customer", "Analytics", "Legal", "Research"];

const TEAMS: &[&str] = &[
    "finance-apps",
    "hr-systems",
    "plant-systems",
    "sales-it",
    "logistics-it",
    "platform",
    "digital",
    "data-platform",
    "workplace",
    "research-it",
];

const ENGINEERS: &[&str] = &[
    "tomas.berg",
    "noor.haddad",
    "kenji.watanabe",
    "marta.kowalski",
    "aisha.bello",
    "jon.fraser",
    "elena.petrova",
    "ravi.menon",
    "hannah.cole",
    "lucas.moreau",
    "ines.carvalho",
    "femi.adeyemi",
    "sara.lindqvist",
    "diego.ramos",
    "yuki.tanaka",
    "olga.ivanova",
];

const CISO: &[&str] = &["ana.ruiz", "devi.nair"];
const BUSINESS: &[&str] = &["li.wei", "sam.okafor", "grace.mensah", "omar.haddad", "julia.novak"];
/// People who sign things they may not sign (not in the approver lists).
const PROGRAMME: &[&str] = &["priya.shah", "mark.jensen"];
const ORG: &str = "fabrikam.example";

const ROLES: &[(&str, &str, &str)] = &[
    ("APP", "application server", "Windows Server 2019"),
    ("SQL", "database", "SQL Server 2017"),
    ("WEB", "web front end", "RHEL 8, nginx"),
    ("FS", "file server", "Windows Server 2016"),
    ("BAT", "batch server", "Windows Server 2019"),
    ("MQ", "message broker", "RHEL 8, RabbitMQ"),
];

const SIZES: &[&str] = &["D2s_v5", "D4s_v5", "D8s_v5", "E4s_v5", "E8s_v5", "E16s_v5", "F4s_v2"];

const ITEMS: &[&str] = &[
    "assess",
    "architect",
    "replicate",
    "stage",
    "business-testing",
    "business-change-plan",
    "ready",
    "domain-alignment",
    "user-routing",
    "identity-alignment",
    "application-performance",
    "bcdr-validation",
    "data-classification",
    "ciso-verification",
    "promote",
];
const PREREQUISITES: usize = 7;
const PROMOTE: usize = 14;
const APP_PERF: usize = 10;
const BCDR: usize = 11;
const BCP: usize = 5;
const CISO_ITEM: usize = 13;
const DOMAIN: usize = 7;

/// Days before the workload's anchor date on which each item was executed.
const OFFSETS: [i64; 15] = [150, 135, 110, 90, 70, 60, 12, 45, 35, 30, 0, 0, 120, 20, 0];

const GENERIC: &[&str] = &[
    "The change was announced in the weekly migration stand-up and nobody raised an objection.",
    "All times are Central European Time; the change window ran from 18:00 to 22:00.",
    "The service owner attended the review and agreed with the conclusions.",
    "Open questions are tracked in the workload's backlog, not in this file.",
    "Monitoring dashboards for the migrated copy are in the shared workspace under the workload's name.",
    "Nothing here needed an exception to the landing zone policies.",
    "The run was repeated once because the first attempt overlapped with the nightly backup window.",
    "Costs stay within the estimate of the business case; the reserved instances were bought in advance.",
    "Hypercare contacts are the same as for the on-premises service until promotion plus two weeks.",
    "Findings that do not block promotion were logged as improvements for the next quarter.",
    "The vendor confirmed in writing that the version in use is supported on Azure.",
    "Licences were re-assigned from the on-premises hosts without extra cost.",
    "The firewall rules were requested through the standard change process and approved the same week.",
    "Every step was executed from the privileged access workstation, as the runbook requires.",
    "Logs of the run are kept for 90 days in the central workspace.",
    "Two people were present for every step: one executed, one watched and took notes.",
    "The numbers are from the migrated copy, not from the on-premises servers.",
    "The business contact was informed by mail the same day and had no questions.",
    "A lesson for the next waves: book the database administrators a week earlier.",
    "The on-premises servers stay powered on, read-only, until the decommissioning date in the plan.",
];

const NOT_DONE_NOTES: &[&str] = &[
    "Nothing has been done yet; the team will pick this up once the earlier steps are validated.",
    "Planned for the next sprint; the owner is the workload's technical lead.",
    "The item depends on people outside the team and is waiting for a slot in their calendar.",
    "The approach is agreed; the work itself has not started.",
    "An estimate of two to three days of work was given in the wave planning.",
];

const IN_PROGRESS_NOTES: &[&str] = &[
    "About half of the work is done; the rest is booked for the coming two weeks.",
    "The first attempt hit a firewall rule that was missing; the request is with the network team.",
    "The team is waiting for a change window agreed with the business.",
    "The work is done on two servers out of three; the last one needs a vendor call first.",
];

// ---------------------------------------------------------------------------
// The plan: decisions, releases and dependencies (sequential, cheap)
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Promoted,
    Ready,
    Blocked,
}

/// What one item's evidence says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    NotStarted,
    InProgress,
    Executed,
    Documented,
    Validated,
    /// Validated, but outside the freshness window.
    Stale,
    /// Validated by someone outside the sign-off role.
    WrongSigner,
    NotApplicable,
    WaivedActive,
    WaivedExpired,
}

impl St {
    fn at_least_executed(self) -> bool {
        !matches!(self, St::NotStarted | St::InProgress | St::NotApplicable | St::WaivedActive | St::WaivedExpired)
    }
    fn at_least_documented(self) -> bool {
        self.at_least_executed() && self != St::Executed
    }
    fn validated(self) -> bool {
        matches!(self, St::Validated | St::Stale | St::WrongSigner)
    }
    fn status(self) -> &'static str {
        match self {
            St::NotStarted => "not-started",
            St::InProgress => "in-progress",
            St::Executed => "executed",
            St::Documented => "documented",
            St::Validated | St::Stale | St::WrongSigner => "validated",
            St::NotApplicable => "not-applicable",
            St::WaivedActive | St::WaivedExpired => "waived",
        }
    }
}

struct Plan {
    index: usize,
    id: String,
    system: usize,
    criticality: &'static str,
    release: usize,
    decision: Decision,
    deps: Vec<usize>,
    states: [St; 15],
}

struct Release {
    id: String,
    title: String,
    target: Date,
}

/// What was generated.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub workloads: usize,
    pub releases: usize,
    pub files: usize,
    pub bytes: u64,
    pub evidence_files: usize,
    pub evidence_bytes: u64,
    pub dependencies: usize,
    pub promoted: usize,
    pub ready: usize,
    pub blocked: usize,
}

fn as_of() -> Date {
    Date::parse(AS_OF).expect("AS_OF is a date")
}

fn releases(n: usize) -> Vec<Release> {
    let count = n.div_ceil(250).max(3);
    let width = count.to_string().len().max(2);
    (0..count)
        .map(|r| {
            let offset = (r as i64 - (count as i64) / 2) * 14;
            Release {
                id: format!("wave-{:0width$}", r + 1),
                title: format!("Wave {} - {}", r + 1, AREAS[r % AREAS.len()]),
                target: as_of().add_days(offset + 10),
            }
        })
        .collect()
}

/// Picks up to `k` distinct entries of `pool` (ascending indices), mostly recent ones.
fn pick_deps(rng: &mut Rng, pool: &[usize], k: usize, out: &mut Vec<usize>) {
    let want = k.min(pool.len());
    let mut tries = 0;
    while out.len() < want && tries < 8 * want + 8 {
        tries += 1;
        let idx = if rng.chance(0.7) {
            let window = pool.len().min(120);
            pool.len() - 1 - rng.below(window)
        } else {
            rng.below(pool.len())
        };
        let d = pool[idx];
        if !out.contains(&d) {
            out.push(d);
        }
    }
}

fn plan(n: usize, seed: u64, rels: &[Release]) -> Vec<Plan> {
    let mut rng = Rng::new(seed);
    let mut plans: Vec<Plan> = Vec::with_capacity(n);
    let mut promoted: Vec<usize> = Vec::new();
    let mut blocked: Vec<usize> = Vec::new();
    let mut all: Vec<usize> = Vec::new();
    // Ready workloads of the current release, and its promoted ones merged in, for ready dependants.
    let mut ready_pool: Vec<usize> = Vec::new();
    let mut pool_release = usize::MAX;
    for i in 0..n {
        let release = i * rels.len() / n;
        if release != pool_release {
            pool_release = release;
            ready_pool = promoted.clone();
        }
        let pos = (release as f64 + 0.5) / rels.len() as f64;
        let roll = rng.below(1000) as f64 / 1000.0;
        let decision = if roll < 0.6 * (1.0 - pos) {
            Decision::Promoted
        } else if roll < 0.6 * (1.0 - pos) + 0.3 {
            Decision::Ready
        } else {
            Decision::Blocked
        };
        let k = if i == 0 { 0 } else { rng.below(5) };
        let mut deps = Vec::new();
        let mut deps_only = false;
        match decision {
            Decision::Promoted => pick_deps(&mut rng, &promoted, k, &mut deps),
            Decision::Ready => pick_deps(&mut rng, &ready_pool, k, &mut deps),
            Decision::Blocked => {
                deps_only = !blocked.is_empty() && rng.chance(0.25);
                if deps_only {
                    pick_deps(&mut rng, &blocked, 1, &mut deps);
                }
                pick_deps(&mut rng, &all, k.max(deps.len()), &mut deps);
            }
        }
        deps.sort_unstable();
        let criticality =
            rng.pick(&["mission-critical", "business-critical", "business-critical", "standard", "standard"]);
        let mut states = [St::Validated; 15];
        for (j, s) in states.iter_mut().enumerate() {
            if j == DOMAIN && rng.chance(0.1) {
                *s = St::NotApplicable;
            } else if [4, 8, 9, 12].contains(&j) && rng.chance(0.01) {
                *s = St::WaivedActive;
            }
        }
        match decision {
            Decision::Promoted => {
                states[PROMOTE] = rng.pick(&[St::Validated, St::Validated, St::Executed, St::Documented]);
            }
            Decision::Ready => {
                states[PROMOTE] = rng.pick(&[St::NotStarted, St::InProgress]);
            }
            Decision::Blocked => {
                states[PROMOTE] = St::NotStarted;
                if !deps_only {
                    block(&mut rng, &mut states);
                }
            }
        }
        let system = rng.below(SYSTEMS.len());
        plans.push(Plan {
            index: i,
            id: format!("{}-{:05}", SYSTEMS[system].0, i + 1),
            system,
            criticality,
            release,
            decision,
            deps,
            states,
        });
        all.push(i);
        match decision {
            Decision::Promoted => {
                promoted.push(i);
                ready_pool.push(i);
            }
            Decision::Ready => ready_pool.push(i),
            Decision::Blocked => blocked.push(i),
        }
    }
    plans
}

/// Makes a workload's own evidence insufficient in one to three ways, never out of order.
fn block(rng: &mut Rng, states: &mut [St; 15]) {
    let ways = 1 + rng.below(3);
    let mut frontier_done = false;
    for _ in 0..ways {
        match rng.below(6) {
            0 | 1 if !frontier_done => {
                frontier_done = true;
                let f = rng.below(PREREQUISITES);
                states[f] = rng.pick(&[St::InProgress, St::Executed, St::Documented]);
                for s in &mut states[f + 1..PREREQUISITES] {
                    *s = rng.pick(&[St::NotStarted, St::NotStarted, St::InProgress]);
                }
                for s in &mut states[PREREQUISITES..PROMOTE] {
                    if rng.chance(0.5) {
                        *s = rng.pick(&[St::NotStarted, St::InProgress, St::Executed, St::Documented]);
                    }
                }
            }
            2 => states[rng.pick(&[APP_PERF, BCDR])] = St::Stale,
            3 => states[rng.pick(&[4, 6, 8, 9, 12])] = St::WaivedExpired,
            4 => states[rng.pick(&[BCP, CISO_ITEM])] = St::WrongSigner,
            _ => states[rng.pick(&[4, 5, 6, 8, 9, 10, 11, 12, 13])] = St::Documented,
        }
    }
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

struct Server {
    name: String,
    role: &'static str,
    os: &'static str,
    cores: i64,
    memory: i64,
    disk: i64,
    size: &'static str,
    old_ip: String,
    new_ip: String,
}

/// One workload being written: its plan, its text's randomness, its files.
struct Ctx<'a> {
    p: &'a Plan,
    rng: Rng,
    name: String,
    host: String,
    servers: Vec<Server>,
    team: &'static str,
    anchor: Date,
    attachments: Vec<(String, String)>,
}

fn email(user: &str) -> String {
    format!("{user}@{ORG}")
}

impl Ctx<'_> {
    fn engineer(&mut self) -> String {
        email(self.rng.pick(ENGINEERS))
    }

    fn generic(&mut self) -> &'static str {
        self.rng.pick(GENERIC)
    }

    fn server_table(&self, out: &mut String) {
        out.push_str("| Server | Role | OS | vCPU | Memory | Disk used | Target size |\n");
        out.push_str("|---|---|---|---:|---:|---:|---|\n");
        for s in &self.servers {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} GB | {} GB | `{}` |",
                s.name, s.role, s.os, s.cores, s.memory, s.disk, s.size
            );
        }
        out.push('\n');
    }

    fn link(&self, kind: usize) -> String {
        let (path, _) = &self.attachments[kind.min(self.attachments.len() - 1)];
        format!("[{path}]({path})")
    }

    fn url(&self, topic: &str) -> String {
        format!("https://wiki.{ORG}/migration/{}/{topic}", self.p.id)
    }
}

/// Writes the whole portfolio to `out/content`.
pub fn generate(out: &Path, n: usize, seed: u64) -> io::Result<Summary> {
    let content = out.join("content");
    let rels = releases(n);
    let plans = plan(n, seed, &rels);
    let mut sum = Summary { workloads: n, releases: rels.len(), ..Summary::default() };
    fs::create_dir_all(content.join("workloads"))?;
    fs::create_dir_all(content.join("pages"))?;
    put(&mut sum, &content.join("site.yaml"), &site_yaml(&rels, n, seed))?;
    put(&mut sum, &content.join("pages/about.md"), &about_page(n, seed))?;

    let workers = std::thread::available_parallelism().map_or(1, usize::from).min(8);
    let chunk = n.div_ceil(workers).max(1);
    let results: Vec<io::Result<Summary>> = std::thread::scope(|scope| {
        let handles: Vec<_> = plans
            .chunks(chunk)
            .map(|part| {
                let content = &content;
                let plans = &plans;
                let rels = &rels;
                scope.spawn(move || {
                    let mut s = Summary::default();
                    for p in part {
                        write_workload(&mut s, content, p, plans, rels, seed)?;
                    }
                    Ok(s)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("generator thread")).collect()
    });
    for r in results {
        let s = r?;
        sum.files += s.files;
        sum.bytes += s.bytes;
        sum.evidence_files += s.evidence_files;
        sum.evidence_bytes += s.evidence_bytes;
    }
    for p in &plans {
        sum.dependencies += p.deps.len();
        match p.decision {
            Decision::Promoted => sum.promoted += 1,
            Decision::Ready => sum.ready += 1,
            Decision::Blocked => sum.blocked += 1,
        }
    }
    Ok(sum)
}

fn put(sum: &mut Summary, path: &Path, text: &str) -> io::Result<()> {
    fs::write(path, text)?;
    sum.files += 1;
    sum.bytes += text.len() as u64;
    Ok(())
}

fn site_yaml(rels: &[Release], n: usize, seed: u64) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Synthetic portfolio: {n} workloads, seed {seed}. Generated by examples/gen_portfolio.rs.");
    s.push_str("title: Fabrikam migration - promotion readiness\norganisation: Fabrikam\n");
    let _ = writeln!(s, "as_of: {AS_OF}");
    s.push_str("approvers:\n  ciso:\n");
    for c in CISO {
        let _ = writeln!(s, "    - {}", email(c));
    }
    s.push_str("  business:\n");
    for b in BUSINESS {
        let _ = writeln!(s, "    - {}", email(b));
    }
    s.push_str("releases:\n");
    for r in rels {
        let _ = writeln!(s, "  - id: {}\n    title: {}\n    target: {}", r.id, r.title, r.target);
    }
    s.push_str("x-generator: gen_portfolio\n");
    s
}

fn about_page(n: usize, seed: u64) -> String {
    format!(
        "---\ntitle: About this portfolio\n---\n# About this portfolio\n\n\
         This portfolio is **synthetic**: {n} workloads generated from seed {seed} by\n\
         `examples/gen_portfolio.rs`, for benchmarks. Names, people and numbers are made up.\n\n\
         | Decision | Share |\n|---|---|\n| promoted | about 30% |\n| ready | about 30% |\n| blocked | about 40% |\n"
    )
}

fn write_workload(
    sum: &mut Summary,
    content: &Path,
    p: &Plan,
    plans: &[Plan],
    rels: &[Release],
    seed: u64,
) -> io::Result<()> {
    let mut rng = Rng::stream(seed, p.index as u64);
    let (slug, title) = SYSTEMS[p.system];
    let name = format!("{title} {}", p.index + 1);
    let prefix = format!("{}{:04}", slug[..3].to_ascii_uppercase(), (p.index + 1) % 10_000);
    let count = 1 + rng.below(4);
    let mut servers = Vec::new();
    let mut roles: Vec<usize> = (0..ROLES.len()).collect();
    for k in 0..count {
        let r = roles.remove(if k == 0 { 0 } else { rng.below(roles.len()) });
        let (code, role, os) = ROLES[r];
        let cores = rng.pick(&[2, 4, 8, 16]);
        servers.push(Server {
            name: format!("{prefix}-{code}01"),
            role,
            os,
            cores,
            memory: cores * rng.pick(&[2, 4, 8]),
            disk: rng.range(40, 900),
            size: rng.pick(SIZES),
            old_ip: format!("10.{}.{}.{}", 20 + rng.below(20), rng.below(250), 10 + rng.below(240)),
            new_ip: format!("10.{}.{}.{}", 64 + rng.below(8), rng.below(250), 10 + rng.below(240)),
        });
    }
    let anchor = as_of().add_days(match p.decision {
        Decision::Promoted => -rng.range(6, 90),
        Decision::Ready => rng.range(3, 30),
        Decision::Blocked => rng.range(0, 60),
    });
    let mut attachments = vec![
        ("reports/assessment.csv".to_string(), String::new()),
        (format!("runbooks/{}-cutover.txt", p.id), String::new()),
    ];
    if p.states[APP_PERF].at_least_executed() {
        attachments.push(("reports/performance.csv".to_string(), String::new()));
    }
    let mut cx = Ctx {
        p,
        rng,
        name,
        host: format!("{}.corp.{ORG}", p.id),
        servers,
        team: TEAMS[p.system % TEAMS.len()],
        anchor,
        attachments,
    };
    attachment_texts(&mut cx);

    let dir = content.join("workloads").join(&p.id);
    fs::create_dir_all(dir.join("reports"))?;
    fs::create_dir_all(dir.join("runbooks"))?;
    let yaml = workload_yaml(&mut cx, plans, rels);
    put(sum, &dir.join("workload.yaml"), &yaml)?;
    for (path, text) in &cx.attachments {
        put(sum, &dir.join(path), text)?;
    }
    for (j, item) in ITEMS.iter().enumerate() {
        let text = evidence(&mut cx, j);
        put(sum, &dir.join(format!("{item}.md")), &text)?;
        sum.evidence_files += 1;
        sum.evidence_bytes += text.len() as u64;
    }
    Ok(())
}

fn workload_yaml(cx: &mut Ctx, plans: &[Plan], rels: &[Release]) -> String {
    let p = cx.p;
    let mut s = String::new();
    let _ = writeln!(s, "name: {}", cx.name);
    let _ = writeln!(s, "owner: {}", email(cx.team));
    let _ = writeln!(s, "criticality: {}", p.criticality);
    let _ = writeln!(s, "release: {}", rels[p.release].id);
    if !p.deps.is_empty() {
        let ids: Vec<&str> = p.deps.iter().map(|&d| plans[d].id.as_str()).collect();
        let _ = writeln!(s, "depends_on: [{}]", ids.join(", "));
    }
    let what = SYSTEMS[p.system].1.to_lowercase();
    let _ = writeln!(
        s,
        "summary: >-\n  The {what} service of the {} area, {} server{} in DC-North.\n  Users reach it at `{}`.",
        AREAS[p.system % AREAS.len()],
        cx.servers.len(),
        if cx.servers.len() == 1 { "" } else { "s" },
        cx.host
    );
    s.push_str("assets:\n");
    // Promoted on the anchor date; assets are retired after the 30-day hold, if that has passed.
    let retired = cx.anchor.add_days(cx.rng.range(31, 45));
    let decommissioned = p.decision == Decision::Promoted && retired < as_of() && cx.rng.chance(0.7);
    for sv in &cx.servers {
        let _ = writeln!(s, "  - name: {}\n    kind: vm ({})", sv.name, sv.os);
        if decommissioned {
            let _ = writeln!(s, "    decommissioned_on: {retired}");
        }
    }
    if cx.rng.chance(0.6) {
        let _ = writeln!(s, "x-cost-centre: CC-{}", 4000 + cx.rng.below(900));
    }
    s
}

fn attachment_texts(cx: &mut Ctx) {
    let mut csv = String::from("machine,role,os,cores,memory_gb,disk_used_gb,readiness,recommended_size\n");
    for s in &cx.servers {
        let _ = writeln!(csv, "{},{},{},{},{},{},Ready,{}", s.name, s.role, s.os, s.cores, s.memory, s.disk, s.size);
    }
    cx.attachments[0].1 = csv;
    let mut rb = format!("{} - cutover runbook\n\n", cx.name);
    let steps = [
        "Announce the freeze to the service desk and the business contacts.",
        "Stop the application services on the on-premises servers.",
        "Run the final delta replication and wait for it to report zero pending changes.",
        "Fail over the replicas; start the servers in the production network.",
        "Check the health endpoint and the application log for errors.",
        "Change the DNS records listed in the promote evidence.",
        "Smoke test with the business contacts; lift the freeze.",
    ];
    for (k, step) in steps.iter().enumerate() {
        let _ = writeln!(rb, "{:>2}. {step}", k + 1);
    }
    for s in &cx.servers {
        let _ = writeln!(rb, "    Test-NetConnection {} -Port 443   # expect {}", s.name, s.new_ip);
    }
    cx.attachments[1].1 = rb;
    if cx.attachments.len() > 2 {
        let mut perf = String::from("step,virtual_users,p95_ms_onprem,p95_ms_azure,target_ms\n");
        for step in ["login", "search", "open_record", "save_record", "report"] {
            let users = 50 * (1 + cx.rng.below(12));
            let onprem = 200 + cx.rng.below(1500);
            let azure = onprem * (60 + cx.rng.below(45)) / 100;
            let _ = writeln!(perf, "{step},{users},{onprem},{azure},{}", onprem * 2);
        }
        cx.attachments[2].1 = perf;
    }
}

/// Dates of one item's evidence: executed, validated.
fn dates(cx: &mut Ctx, j: usize, st: St) -> (Date, Date) {
    let last = as_of().add_days(-1);
    // A promoted workload was ready on its promotion day (the anchor): its
    // freshness-bound evidence was validated before it, within its window.
    let promoted = cx.p.decision == Decision::Promoted;
    let mut executed = match (j, st) {
        (APP_PERF, St::Stale) => as_of().add_days(-cx.rng.range(35, 120)),
        (BCDR, St::Stale) => as_of().add_days(-cx.rng.range(95, 200)),
        (APP_PERF, _) if promoted => cx.anchor.add_days(-cx.rng.range(4, 26)),
        (BCDR, _) if promoted => cx.anchor.add_days(-cx.rng.range(5, 80)),
        (APP_PERF, _) => as_of().add_days(-cx.rng.range(2, 26)),
        (BCDR, _) => as_of().add_days(-cx.rng.range(5, 80)),
        (PROMOTE, _) => cx.anchor,
        _ => cx.anchor.add_days(-OFFSETS[j] - cx.rng.range(0, 5)),
    };
    if executed > last {
        executed = last;
    }
    let mut validated = executed.add_days(cx.rng.range(0, 4));
    if validated > as_of() {
        validated = as_of();
    }
    if st == St::Stale {
        validated = executed.add_days(1);
    }
    (executed, validated)
}

fn evidence(cx: &mut Ctx, j: usize) -> String {
    let st = cx.p.states[j];
    let item = ITEMS[j];
    let (executed, validated) = dates(cx, j, st);
    let mut fm = String::from("---\n");
    let _ = writeln!(fm, "status: {}", st.status());
    if st.at_least_executed() {
        let _ = writeln!(fm, "executed_on: {executed}");
    }
    if st.at_least_documented() {
        let mut docs: Vec<String> = Vec::new();
        match j {
            0 => docs.push(cx.attachments[0].0.clone()),
            PROMOTE | 6 | 3 => docs.push(cx.attachments[1].0.clone()),
            APP_PERF if cx.attachments.len() > 2 => docs.push(cx.attachments[2].0.clone()),
            _ => {}
        }
        if docs.is_empty() || cx.rng.chance(0.4) {
            docs.push(cx.url(item));
        }
        let quoted: Vec<String> = docs.iter().map(|d| format!("\"{d}\"")).collect();
        let _ = writeln!(fm, "documented_in: [{}]", quoted.join(", "));
    }
    if st.validated() {
        let by = match (j, st) {
            (_, St::WrongSigner) => email(cx.rng.pick(PROGRAMME)),
            (BCP, _) => email(cx.rng.pick(BUSINESS)),
            (CISO_ITEM, _) => email(cx.rng.pick(CISO)),
            _ => cx.engineer(),
        };
        let _ = writeln!(fm, "validated_by: {by}\nvalidated_on: {validated}");
    }
    match st {
        St::NotApplicable => fm.push_str(
            "justification: >-\n  The workload runs on PaaS services only; there is no server to join to a domain.\n",
        ),
        St::WaivedActive | St::WaivedExpired => {
            // Within the 90 days a waiver may run, approved by the item's waiver role.
            // (A promoted workload's waiver was in force on its promotion day.)
            let day = if cx.p.decision == Decision::Promoted { cx.anchor } else { as_of() };
            let (approved, expires) = if st == St::WaivedActive {
                (day.add_days(-cx.rng.range(10, 40)), day.add_days(cx.rng.range(10, 45)))
            } else {
                (day.add_days(-cx.rng.range(40, 80)), day.add_days(-cx.rng.range(1, 30)))
            };
            let approver = if j == BCP { cx.rng.pick(BUSINESS) } else { cx.rng.pick(CISO) };
            let _ = write!(
                fm,
                "waiver:\n  approved_by: {}\n  approved_on: {approved}\n  expires_on: {expires}\n  reason: >-\n    The {} work needs a vendor upgrade that is only certified next quarter.\n  mitigation: >-\n    Access restricted to the operations subnet, with a monthly review of the\n    accounts by the service owner.\n",
                email(approver),
                item.replace('-', " ")
            );
        }
        _ => {}
    }
    item_fields(cx, j, st, executed, &mut fm);
    if cx.rng.chance(0.05) {
        let _ = writeln!(fm, "x-ticket: CHG{:07}", cx.rng.below(10_000_000));
    }
    fm.push_str("---\n");
    let body = body(cx, j, st, executed, validated);
    fm.push_str(&body);
    fm
}

fn item_fields(cx: &mut Ctx, j: usize, st: St, executed: Date, fm: &mut String) {
    match j {
        DOMAIN if st.at_least_documented() => {
            let _ = writeln!(fm, "domain: {}", cx.rng.pick(&["corp.fabrikam.example", "prod.fabrikam.example"]));
        }
        BCDR if st.at_least_executed() => {
            let _ = writeln!(fm, "last_restore_test: {executed}");
        }
        12 if st.at_least_documented() => {
            let c =
                cx.rng.pick(&["public", "internal", "internal", "confidential", "confidential", "highly-confidential"]);
            let _ = writeln!(fm, "classification: {c}");
        }
        CISO_ITEM if st.at_least_documented() => {
            fm.push_str("risks:\n");
            let n = 1 + cx.rng.below(3);
            let risks = [
                (
                    "Legacy TLS 1.0 clients on the shop floor still connect to the service.",
                    "TLS 1.2 enforced at the gateway; the remaining clients are replaced in the next quarter.",
                ),
                (
                    "Service account with a non-expiring password.",
                    "Password moved to the vault and rotated every 90 days; replacement by a managed identity is planned.",
                ),
                (
                    "Backups are readable by the operations team.",
                    "Access limited to two named operators, with alerts on every restore.",
                ),
                (
                    "The vendor needs remote access for support.",
                    "Just-in-time access through the bastion host, recorded sessions.",
                ),
            ];
            for k in 0..n {
                let (d, m) = risks[(k + cx.p.system) % risks.len()];
                let _ = write!(
                    fm,
                    "  - id: {}-r{}\n    description: \"{d}\"\n    mitigation: \"{m}\"\n    accepted: {}\n",
                    cx.p.id,
                    k + 1,
                    k == 0 || cx.rng.chance(0.7)
                );
            }
        }
        PROMOTE => {
            if st.at_least_executed() {
                let _ = writeln!(fm, "promoted_on: {executed}");
            }
            if st.at_least_documented() || (st == St::InProgress && cx.rng.chance(0.5)) {
                fm.push_str("cutover:\n");
                let _ = write!(
                    fm,
                    "  - record: {}\n    type: A\n    from: {}\n    to: {}\n    ttl: 300\n",
                    cx.host, cx.servers[0].old_ip, cx.servers[0].new_ip
                );
                if cx.rng.chance(0.5) {
                    let _ = write!(
                        fm,
                        "  - record: {}.{ORG}\n    type: CNAME\n    from: {}-vip.dcn.{ORG}\n    to: agw-{}-weu.corp.{ORG}\n    ttl: {}\n",
                        cx.p.id,
                        cx.p.id,
                        cx.team,
                        cx.rng.pick(&[300, 600, 3600])
                    );
                }
            }
        }
        _ => {}
    }
}

fn body(cx: &mut Ctx, j: usize, st: St, executed: Date, validated: Date) -> String {
    let mut b = String::new();
    let titles = [
        "Assessment",
        "Target architecture",
        "Replication",
        "Staging",
        "Business testing",
        "Business change plan",
        "Ready for promotion",
        "Domain alignment",
        "User routing",
        "Identity alignment",
        "Application performance",
        "BCDR validation",
        "Data classification",
        "CISO verification",
        "Promotion",
    ];
    let target =
        if matches!(st, St::NotStarted | St::InProgress) { 400 + cx.rng.below(700) } else { 850 + cx.rng.below(850) };
    if cx.rng.chance(0.6) {
        let _ = writeln!(b, "# {}\n", titles[j]);
    }
    match st {
        St::NotStarted => {
            let _ = writeln!(
                b,
                "Not started. {} The {} team ({}) owns it.\n",
                cx.rng.pick(NOT_DONE_NOTES),
                cx.team,
                email(cx.team)
            );
            plan_list(cx, j, &mut b);
        }
        St::InProgress => {
            let _ = writeln!(
                b,
                "Work started on {} and is *not finished*. {}\n",
                cx.anchor.add_days(-OFFSETS[j]).min(as_of()),
                cx.rng.pick(IN_PROGRESS_NOTES)
            );
            plan_list(cx, j, &mut b);
        }
        St::NotApplicable => {
            let _ = writeln!(
                b,
                "{} runs entirely on platform services (App Service and Azure SQL Database), so there\nis no machine to join to a domain. The managed identities are in the production tenant.\n",
                cx.name
            );
        }
        St::WaivedActive | St::WaivedExpired => {
            let _ = writeln!(
                b,
                "A waiver covers this item: the work cannot be done before the vendor certifies\nthe next release. The compensating controls are in the front matter.{}\n",
                if st == St::WaivedExpired {
                    " **The waiver has expired**; a renewal was requested and is not yet approved."
                } else {
                    ""
                }
            );
        }
        _ => done_body(cx, j, st, executed, validated, &mut b),
    }
    if b.len() < target && cx.rng.chance(0.5) {
        b.push_str(cx.rng.pick(&["## Notes\n\n", "## Remarks\n\n", "### Context\n\n"]));
    }
    while b.len() < target {
        notes(cx, &mut b);
    }
    b
}

/// One block of the filler that real evidence has: a paragraph, a list, a quote, contacts.
fn notes(cx: &mut Ctx, b: &mut String) {
    let mut picked: Vec<&str> = Vec::new();
    let want = 2 + cx.rng.below(3);
    while picked.len() < want {
        let g = cx.generic();
        if !picked.contains(&g) {
            picked.push(g);
        }
    }
    match cx.rng.below(10) {
        0..=4 => b.push_str(&wrap(&picked.join(" "))),
        5 | 6 => {
            for g in &picked {
                let _ = writeln!(b, "- {g}");
            }
        }
        7 => {
            let _ = writeln!(b, "> {}", picked[0]);
        }
        8 => {
            let owner = email(cx.team);
            let lead = cx.engineer();
            let _ = writeln!(
                b,
                "| Contact | Who |\n|---|---|\n| Service owner | [{owner}](mailto:{owner}) |\n| Technical lead | [{lead}](mailto:{lead}) |\n| Wiki | [{}]({}) |",
                cx.p.id,
                cx.url("home")
            );
        }
        _ => {
            let _ = writeln!(
                b,
                "See also the [change record](https://servicenow.{ORG}/change/CHG{:07}) and\nthe [cutover runbook]({}).",
                cx.rng.below(10_000_000),
                cx.attachments[1].0
            );
        }
    }
    b.push('\n');
}

fn plan_list(cx: &mut Ctx, j: usize, b: &mut String) {
    b.push_str("## Plan\n\n");
    let start = cx.anchor.add_days(-OFFSETS[j]);
    let steps = [
        "agree the scope with the service owner",
        "book the people and the change window",
        "do the work and record what was done",
        "write the evidence and ask for validation",
    ];
    for (k, s) in steps.iter().enumerate() {
        let _ = writeln!(b, "{}. {} (by {})", k + 1, s, start.add_days(k as i64 * 4));
    }
    b.push('\n');
}

fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut col = 0;
    for w in text.split(' ') {
        if col > 0 && col + w.len() > 76 {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(w);
        col += w.len();
    }
    out.push('\n');
    out
}

fn done_body(cx: &mut Ctx, j: usize, st: St, executed: Date, validated: Date, b: &mut String) {
    let name = cx.name.clone();
    let first = cx.servers[0].name.clone();
    match j {
        0 => {
            let _ = writeln!(
                b,
                "{name} was assessed with Azure Migrate on {executed}. The discovery ran for\ntwo weeks so that month-end load is included. All {} servers are *Ready for\nAzure*; none needs an OS upgrade first.\n",
                cx.servers.len()
            );
            cx.server_table(b);
            let l = cx.link(0);
            let _ = writeln!(b, "Raw export of the assessment: {l}.\n");
        }
        1 => {
            let _ = writeln!(
                b,
                "The target design rehosts the servers into the **{}** landing zone, West Europe,\nwith North Europe as the paired region. The architecture review board approved it\non {executed}.\n",
                AREAS[cx.p.system % AREAS.len()]
            );
            b.push_str("Decisions:\n\n");
            let _ = writeln!(b, "- keep the servers as IaaS VMs for this wave; re-platforming is out of scope;");
            let _ = writeln!(b, "- `{first}` moves into the spoke `vnet-{}-weu`;", cx.team);
            let _ = writeln!(b, "- backups by the Recovery Services vault of the landing zone;");
            let _ = writeln!(b, "- interfaces keep their names, only the addresses change.\n");
            let u = cx.url("architecture");
            let _ = writeln!(b, "Full design on the [wiki]({u}).\n");
        }
        2 => {
            let _ = writeln!(
                b,
                "Agentless replication was enabled for every server; the initial sync finished on\n{executed}. Replication health was green for three days in a row before validation.\n"
            );
            b.push_str("```powershell\n");
            for s in &cx.servers {
                let _ = writeln!(
                    b,
                    "Get-AzMigrateServerReplication -MachineName {} | Select-Object ReplicationStatus",
                    s.name
                );
            }
            b.push_str("```\n\n");
        }
        3 => {
            let _ = writeln!(
                b,
                "The replicas were test-migrated into the isolated test network on {executed}.\nThe application started without changes; one connection string had to be\nupdated, which is now part of the runbook ({}).\n",
                cx.link(1)
            );
            b.push_str("| Check | Result |\n|---|---|\n| Services start | pass |\n| Health endpoint | pass |\n| Interfaces reachable | pass |\n| Scheduled jobs | pass, after one fix |\n\n");
        }
        4 => {
            let testers = 5 + cx.rng.below(30);
            let _ = writeln!(
                b,
                "{testers} business users ran their test cases on the staged copy, ending on {executed}.\n"
            );
            b.push_str("| Test case | Testers | Result |\n|---|---:|---|\n");
            for t in ["Log in", "Search a record", "Create and save", "Month-end report", "Export to Excel"] {
                let _ = writeln!(b, "| {t} | {} | pass |", 1 + cx.rng.below(testers));
            }
            b.push('\n');
        }
        BCP => {
            let _ = writeln!(
                b,
                "The users of {name} keep the same address and the same sign-in, so the plan\nis short:\n\n1. a notice in the application one week before promotion;\n2. a briefing of the service desk;\n3. a freeze of data entry during the change window.\n\nThe plan was published on {executed} and signed off by the business approver.\n"
            );
        }
        6 => {
            let _ = writeln!(
                b,
                "The production VMs are built, patched and backed up; the firewall rules and\nthe TLS certificate for `{}` are in place. The cutover runbook\n({}) was rehearsed on {executed}.\n",
                cx.host,
                cx.link(1)
            );
        }
        DOMAIN => {
            let _ = writeln!(
                b,
                "Every server was joined to the production domain and moved into the OU\n`Servers/Azure-WEU/{}`. Group policies applied at the next refresh:\n",
                AREAS[cx.p.system % AREAS.len()]
            );
            let _ = writeln!(
                b,
                "```text\nPS> gpresult /r /scope computer\n    Applied Group Policy Objects: GPO-Servers-Baseline, GPO-Azure-WEU\n```\n"
            );
        }
        8 => {
            let _ = writeln!(
                b,
                "Users reach {name} through the hub firewall. Tested from the head office,\nfrom a branch and over VPN on {executed}:\n"
            );
            for (site, ms) in [("head office", 8), ("branch", 23), ("VPN", 41)] {
                let _ = writeln!(b, "- {site}: round trip {} ms to `{}`", ms + cx.rng.below(10), cx.host);
            }
            b.push('\n');
        }
        9 => {
            let _ = writeln!(
                b,
                "Access is granted through the groups `GG-{}-Users` and `GG-{}-Admins`, now\nsynchronised to Entra ID. Three accounts were checked: a normal user, an\nadministrator and a leaver (refused, as expected).\n",
                cx.p.id, cx.p.id
            );
        }
        APP_PERF => {
            let _ = writeln!(
                b,
                "Final performance run on {executed} with production-like volumes. Every measure\nis within target:\n"
            );
            b.push_str("| Measure | Target | On-premises | Azure |\n|---|---:|---:|---:|\n");
            for m in ["Log in", "Search", "Save", "Report"] {
                let onprem = 300 + cx.rng.below(1200);
                let _ = writeln!(b, "| {m} | {} ms | {onprem} ms | {} ms |", onprem * 2, onprem * 3 / 4);
            }
            b.push('\n');
            if cx.attachments.len() > 2 {
                let l = cx.link(2);
                let _ = writeln!(b, "Detail per step: {l}.\n");
            }
        }
        BCDR => {
            let _ = writeln!(
                b,
                "Daily backups run in the vault since replication; a restore of `{first}` into\nthe isolated network was tested on {executed} and took {} minutes.\n",
                20 + cx.rng.below(100)
            );
            b.push_str("> Restore point used: the most recent daily backup, crash-consistent.\n\n");
        }
        12 => {
            b.push_str("The data was classified by its most sensitive content. The protections\nthat class needs (encryption at rest, restricted administrators, logging of\nexports) are in place on the migrated copy.\n\n");
        }
        CISO_ITEM => {
            let _ = writeln!(
                b,
                "The security office reviewed {name} on {executed}: the design, the results of the\nvulnerability scan and the risks listed in the front matter, with their mitigations.\n"
            );
        }
        _ => {
            let _ = writeln!(
                b,
                "{name} was promoted on {executed}: the records in the front matter were changed\nat the start of the window, following {}.\n",
                cx.link(1)
            );
            b.push_str("```sh\n");
            let _ = writeln!(b, "dig +short {}", cx.host);
            let _ = writeln!(b, "# {}", cx.servers[0].new_ip);
            b.push_str("```\n\n");
        }
    }
    match st {
        St::Executed => b.push_str("Executed; the write-up of the evidence is still to be done.\n\n"),
        St::Documented => b.push_str("Documented; waiting for validation by a second engineer.\n\n"),
        St::Stale => {
            let _ = writeln!(
                b,
                "Validated on {validated}. *This evidence is older than the checklist allows; the run has to be repeated.*\n"
            );
        }
        _ => {
            let _ = writeln!(b, "Validated on {validated}.\n");
        }
    }
}

// ---------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------

fn main() {
    let mut workloads = 1000usize;
    let mut seed = 1u64;
    let mut out: Option<PathBuf> = None;
    let mut force = false;
    let mut args = std::env::args().skip(1);
    let usage = "usage: gen_portfolio --workloads N --seed S --out DIR [--force]";
    while let Some(a) = args.next() {
        let mut value = |name: &str| {
            args.next().unwrap_or_else(|| {
                eprintln!("{name} needs a value\n{usage}");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--workloads" | "-n" => workloads = value(&a).parse().unwrap_or(0),
            "--seed" => seed = value(&a).parse().unwrap_or(1),
            "--out" | "-o" => out = Some(PathBuf::from(value(&a))),
            "--force" => force = true,
            "-h" | "--help" => {
                println!(
                    "{usage}\nWrites DIR/content/ (a site root at DIR). --force replaces an existing DIR/content."
                );
                return;
            }
            _ => {
                eprintln!("unknown argument `{a}`\n{usage}");
                std::process::exit(2);
            }
        }
    }
    let Some(out) = out else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    if workloads == 0 {
        eprintln!("--workloads must be a positive number");
        std::process::exit(2);
    }
    let content = out.join("content");
    if content.exists() {
        if !force {
            eprintln!("{} exists; pass --force to replace it", content.display());
            std::process::exit(2);
        }
        if let Err(e) = fs::remove_dir_all(&content) {
            eprintln!("cannot remove {}: {e}", content.display());
            std::process::exit(2);
        }
    }
    let started = std::time::Instant::now();
    match generate(&out, workloads, seed) {
        Ok(s) => eprintln!(
            "generated {} workloads ({} promoted, {} ready, {} blocked; {} releases; {:.2} dependencies per workload) in {:.1} s: {} files, {:.1} MB; {} evidence files averaging {} bytes",
            s.workloads,
            s.promoted,
            s.ready,
            s.blocked,
            s.releases,
            s.dependencies as f64 / s.workloads as f64,
            started.elapsed().as_secs_f64(),
            s.files,
            s.bytes as f64 / 1e6,
            s.evidence_files,
            s.evidence_bytes / s.evidence_files.max(1) as u64
        ),
        Err(e) => {
            eprintln!("cannot write {}: {e}", out.display());
            std::process::exit(1);
        }
    }
}
