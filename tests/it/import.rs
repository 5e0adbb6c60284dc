//! `cutover import FILE.csv`: spreadsheets and readiness.csv exports into
//! workloads, all or nothing, and a second import that changes no byte.

use crate::common;

use common::{Portfolio, TempDir, assert_same_files, cutover, fixture, snapshot};
use cutover::load::yaml::{Value, parse};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

fn csv(name: &str) -> PathBuf {
    fixture("import").join(name)
}

/// A portfolio as `cutover init` writes it, in `<tmp>/site`, with a second
/// release whose title the inventory uses.
fn fresh(tag: &str) -> (TempDir, PathBuf) {
    let tmp = TempDir::new(tag);
    let root = tmp.path().join("site");
    let run = cutover([OsStr::new("init"), root.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let site = root.join("content/site.yaml");
    let text = fs::read_to_string(&site).unwrap();
    let anchor = "    # target: 2026-03-31\n";
    assert!(text.contains(anchor), "init's site.yaml changed:\n{text}");
    fs::write(&site, text.replace(anchor, &format!("{anchor}  - id: wave-2\n    title: Wave 2 - Finance\n"))).unwrap();
    (tmp, root)
}

fn import(file: &Path, root: &Path, extra: &[&str]) -> common::Run {
    let mut args = vec![OsStr::new("import"), file.as_os_str(), root.as_os_str()];
    args.extend(extra.iter().map(OsStr::new));
    cutover(args)
}

/// The top-level keys of a workload.yaml, as text (lists joined with `, `).
fn fields(root: &Path, id: &str) -> BTreeMap<String, String> {
    let text = fs::read_to_string(root.join(format!("content/workloads/{id}/workload.yaml")))
        .unwrap_or_else(|e| panic!("workload {id}: {e}"));
    let Value::Map(entries) = parse(&text).unwrap().value else { panic!("{text}") };
    entries
        .into_iter()
        .map(|(k, v)| {
            let shown = match v.value {
                Value::Seq(items) => items.iter().filter_map(|n| n.value.scalar_text()).collect::<Vec<_>>().join(", "),
                other => other.scalar_text().unwrap_or_default(),
            };
            (k.name, shown)
        })
        .collect()
}

fn workload_ids(root: &Path) -> Vec<String> {
    let mut ids: Vec<String> = fs::read_dir(root.join("content/workloads"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    ids
}

/// `check --format json`: the diagnostics, as `code file:line message` lines.
fn check(root: &Path) -> Vec<String> {
    let run = cutover([OsStr::new("check"), root.as_os_str(), OsStr::new("--format"), OsStr::new("json")]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr));
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {}:{} {}", d["code"], d["file"], d["line"], d["message"]))
        .collect()
}

#[test]
fn the_fixtures_keep_their_bom_and_crlf_line_ends() {
    for name in ["inventory.csv", "one-bad-row.csv", "readiness.csv"] {
        let bytes = fs::read(csv(name)).unwrap();
        let lf = bytes.iter().filter(|b| **b == b'\n').count();
        let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
        assert_eq!(lf, crlf, "{name} lost its CRLF line ends (see .gitattributes)");
    }
    assert!(fs::read(csv("inventory.csv")).unwrap().starts_with(b"\xef\xbb\xbf"), "inventory.csv lost its BOM");
}

#[test]
fn an_inventory_imports_into_a_fresh_portfolio_that_checks_clean() {
    let (_tmp, root) = fresh("inventory");
    let run = import(&csv("inventory.csv"), &root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        workload_ids(&root),
        ["crm", "crm-2", "example", "paie-conges-eu", "reseau-electrique", "zoe-s-strasse-o-portal"]
    );
    let paie = fields(&root, "paie-conges-eu");
    assert_eq!(paie["name"], "Paie, congés (EU)");
    assert_eq!(paie["owner"], "paie@contoso.example");
    assert_eq!(paie["criticality"], "mission-critical");
    assert_eq!(paie["release"], "wave-2", "by the release's title");
    assert_eq!(paie["summary"], "Monthly pay, leave and \"bonus\" runs");
    assert!(!paie.contains_key("depends_on"));
    let grid = fields(&root, "reseau-electrique");
    assert_eq!(grid["name"], "Réseau Électrique");
    assert_eq!(grid["criticality"], "business-critical");
    assert_eq!(grid["release"], "wave-1");
    assert_eq!(grid["depends_on"], "paie-conges-eu, crm", "a name holding a comma, then an id, after a `;`");
    let crm = fields(&root, "crm");
    assert_eq!((crm["criticality"].as_str(), crm.get("release")), ("standard", None), "Low; an empty release");
    let crm2 = fields(&root, "crm-2");
    assert_eq!(crm2["name"], "crm!", "a second name giving `crm` gets `crm-2`");
    assert_eq!((crm2["release"].as_str(), crm2["depends_on"].as_str()), ("wave-1", "crm"));
    let zoe = fields(&root, "zoe-s-strasse-o-portal");
    assert_eq!(zoe["owner"], "Ruiz, Ana");
    assert_eq!(zoe["depends_on"], "reseau-electrique, paie-conges-eu", "by name in another case, and by id");
    // New workloads get what `new` writes: evidence stubs for their criticality.
    assert!(root.join("content/workloads/crm/promote.md").is_file());
    assert_eq!(check(&root), Vec::<String>::new());
    assert_eq!(run.stderr.matches("`Notes`").count(), 1, "the unmapped column is listed once:\n{}", run.stderr);
    assert!(run.stderr.contains("imported 5 rows: 5 new, 0 changed, 0 unchanged"), "{}", run.stderr);
}

#[test]
fn a_second_import_changes_no_byte() {
    let (_tmp, root) = fresh("twice");
    assert_eq!(import(&csv("inventory.csv"), &root, &[]).code, 0);
    let first = snapshot(&root, &[]);
    let run = import(&csv("inventory.csv"), &root, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_same_files(&first, &snapshot(&root, &[]), "after the same import again");
    assert!(run.stderr.contains("0 new, 0 changed, 5 unchanged"), "{}", run.stderr);
}

#[test]
fn one_bad_row_writes_nothing_and_names_its_line_and_column() {
    let (_tmp, root) = fresh("bad-row");
    let before = snapshot(&root, &[]);
    let file = csv("one-bad-row.csv");
    let run = import(&file, &root, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("error[E0805]: `Urgent` is not a criticality\n --> {}:4:30", file.display())),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--value \"criticality:Urgent=standard\""),
        "the hint says how to map it:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was imported"), "{}", run.stderr);
    assert_same_files(&before, &snapshot(&root, &[]), "after a refused import");
}

/// Each kind of bad row, alone in an otherwise good file: its code, line and column, and nothing written.
#[test]
fn every_kind_of_bad_row_is_refused_at_its_cell() {
    let (tmp, root) = fresh("bad-kinds");
    let before = snapshot(&root, &[]);
    let header = "Name,Criticality,Wave,Depends on,Id\r\n";
    let good = "Ledger,High,wave-1,,ledger\r\n";
    for (row, code, column, says) in [
        ("Billing,Urgent,,,\r\n", "E0805", 9, "not a criticality"),
        ("Billing,Low,wave-9,,\r\n", "E0806", 13, "did you mean `wave-1`?"),
        ("Billing,Low,,Ledger; Payrol,\r\n", "E0807", 14, "`Payrol` names no workload"),
        ("Billing,Low,,Billing,\r\n", "E0807", 14, "depends on itself"),
        ("Billing,Low,,,ledger\r\n", "E0808", 15, "row on line 2 are both workload `ledger`"),
        ("LEDGER,Low,,,\r\n", "E0808", 1, "this row and the row on line 2 both name `LEDGER`"),
        (",Low,,,\r\n", "E0804", 1, "has no name"),
        (",Low,,,APP 7\r\n", "E0804", 1, "workload `app-7` has no name"),
        (
            "Billing,Low,,Billing 2,\r\nBilling 2,Low,,billing,\r\n",
            "E0807",
            14,
            "dependency cycle: billing -> billing-2 -> billing",
        ),
    ] {
        let file = tmp.path().join("bad.csv");
        fs::write(&file, format!("{header}{good}{row}")).unwrap();
        let run = import(&file, &root, &[]);
        assert_eq!(run.code, 1, "{row:?}: {}", run.stderr);
        let at = format!("error[{code}]: ");
        assert!(run.stderr.contains(&at), "{row:?}:\n{}", run.stderr);
        assert!(run.stderr.contains(says), "{row:?}:\n{}", run.stderr);
        assert!(run.stderr.contains(&format!("{}:3:{column}\n", file.display())), "{row:?}:\n{}", run.stderr);
        assert_same_files(&before, &snapshot(&root, &[]), row);
    }
}

/// What only cutover's own validation finds is found before writing, and told at the row.
#[test]
fn a_row_that_would_make_the_portfolio_fail_check_writes_nothing() {
    let (tmp, root) = fresh("validated");
    let before = snapshot(&root, &[]);
    let file = tmp.path().join("links.csv");
    fs::write(&file, "Name,Summary\nLedger,fine\nBilling,See [the runbook](runbook.md)\n").unwrap();
    let run = import(&file, &root, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[E0402]: workload `billing` would not pass `cutover check`"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("--> {}:3:1", file.display())), "{}", run.stderr);
    assert_same_files(&before, &snapshot(&root, &[]), "after an import check refused");
}

#[test]
fn files_that_are_no_table_are_refused_cleanly() {
    let (tmp, root) = fresh("no-table");
    let before = snapshot(&root, &[]);
    let missing = tmp.path().join("missing.csv");
    let run = import(&missing, &root, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("cannot read") && run.stderr.contains("missing.csv"), "{}", run.stderr);
    for (bytes, code, at, says) in [
        (&b""[..], "E0802", "1:1", "the file is empty"),
        (&b"\xef\xbb\xbf\r\n"[..], "E0802", "1:1", "the file is empty"),
        (&b"Application,Owner\r\n"[..], "E0802", "1:1", "a header row and no workload"),
        (&b"Application,Owner\r\nCaf\xe9,x\r\n"[..], "E0801", "2:4", "not UTF-8"),
        (&b"Application,Owner\nPayroll, EU,x\n"[..], "E0801", "2:13", "3 cells"),
        (&b"Owner,Wave\nx,wave-1\n"[..], "E0803", "1:1", "no column holds the workloads' names or ids"),
        (&b"Application,App name\nx,y\n"[..], "E0803", "1:13", "both hold `name`"),
    ] {
        let file = tmp.path().join("f.csv");
        fs::write(&file, bytes).unwrap();
        let run = import(&file, &root, &[]);
        assert_eq!(run.code, 1, "{says}: {}", run.stderr);
        assert!(run.stderr.contains(&format!("error[{code}]")), "{says}:\n{}", run.stderr);
        assert!(run.stderr.contains(&format!("{}:{at}", file.display())), "{says}:\n{}", run.stderr);
        assert!(run.stderr.contains(says), "{says}:\n{}", run.stderr);
    }
    assert_same_files(&before, &snapshot(&root, &[]), "after refused files");
}

#[test]
fn dry_run_prints_the_changes_and_writes_nothing() {
    let (tmp, root) = fresh("dry-run");
    let before = snapshot(&root, &[]);
    let run = import(&csv("inventory.csv"), &root, &["--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("new workload paie-conges-eu (line 2)\n  name: Paie, congés (EU)\n"), "{}", run.stdout);
    assert!(run.stdout.contains("would import 5 rows: 5 new"), "{}", run.stdout);
    assert_same_files(&before, &snapshot(&root, &[]), "after --dry-run");
    // On an existing workload: each changed field, old → new.
    let file = tmp.path().join("change.csv");
    fs::write(&file, "id,owner,wave,criticality\nexample,ops@example.org,,High\n").unwrap();
    let run = import(&file, &root, &["--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "changed workload example (line 2)\n  owner: migration-team@example.org → ops@example.org\n  criticality: standard → mission-critical\n  release: wave-1 → (none)\n"
        ),
        "{}",
        run.stdout
    );
    assert_same_files(&before, &snapshot(&root, &[]), "after --dry-run of a change");
}

#[test]
fn an_existing_workload_keeps_its_comments_its_other_fields_and_its_evidence() {
    let p = Portfolio::base("keeps-comments");
    let yaml = "content/workloads/alpha/workload.yaml";
    let original = "# Alpha: the pilot.\r\nname: Alpha   # as the business says it\r\nowner: alpha-team@example.org # until October\r\ncriticality: business-critical\r\nrelease: wave-1\r\n\r\n# What it is.\r\nsummary: The first workload.\r\nx-cost-centre: CC-1\r\n";
    p.write(yaml, original);
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(p.path(yaml), fs::Permissions::from_mode(0o640)).unwrap();
        || fs::metadata(p.path(yaml)).unwrap().permissions().mode() & 0o777
    };
    let evidence = snapshot(&p.path("content/workloads/alpha"), &["workload.yaml"]);
    let dir = TempDir::new("keeps-comments-csv");
    let file = dir.path().join("owners.csv");
    fs::write(&file, "Workload,Application owner,Business criticality\r\nalpha,new-team@example.org,Medium\r\n")
        .unwrap();
    let run = import(&file, p.root(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(p.read(yaml), original.replace("alpha-team@example.org", "new-team@example.org"));
    #[cfg(unix)]
    assert_eq!(mode(), 0o640, "the file keeps its mode");
    let leftovers: Vec<_> = fs::read_dir(p.path("content/workloads/alpha"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("cutover-import"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_same_files(&evidence, &snapshot(&p.path("content/workloads/alpha"), &["workload.yaml"]), "alpha's evidence");
    assert!(run.stderr.contains("0 new, 1 changed, 0 unchanged"), "{}", run.stderr);
    assert_eq!(p.diagnostics(), vec![], "the base fixture still checks clean");
}

#[test]
fn an_export_imported_into_an_empty_root_gives_the_same_workloads() {
    // The hand-written export in the fixtures, and the one `build` writes.
    let built = common::TempDir::new("export-built");
    let run = cutover([
        OsStr::new("build"),
        common::repo().as_os_str(),
        OsStr::new("--out"),
        built.path().join("site").as_os_str(),
        OsStr::new("-q"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = built.path().join("site/readiness.csv");
    assert_eq!(
        fs::read_to_string(&written).unwrap().lines().next().unwrap().split(',').take(7).collect::<Vec<_>>(),
        ["workload", "name", "owner", "release", "criticality", "decision", "reasons"],
        "the export's header as FORMAT.md gives it"
    );
    for export in [csv("readiness.csv"), written] {
        export_round_trip(&export);
    }
}

fn export_round_trip(export: &std::path::Path) {
    let p = Portfolio::empty("export");
    fs::copy(common::repo().join("content/site.yaml"), p.path("content/site.yaml")).unwrap();
    let run = cutover([OsStr::new("import"), export.as_os_str(), OsStr::new("--root"), p.root().as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sample = common::repo();
    assert_eq!(workload_ids(p.root()), workload_ids(&sample));
    for id in workload_ids(&sample) {
        let (theirs, ours) = (fields(&sample, &id), fields(p.root(), &id));
        for key in ["name", "owner", "criticality", "release"] {
            assert_eq!(ours.get(key), theirs.get(key), "{id}: {key}");
        }
    }
    assert!(!run.stderr.contains("`decision`"), "cutover's own columns are not listed one by one:\n{}", run.stderr);
    assert!(run.stderr.contains("left out 17 readiness.csv columns"), "{}", run.stderr);
    assert!(check(p.root()).iter().all(|d| !d.starts_with("\"E")), "{:?}", check(p.root()));
}

#[test]
fn map_and_value_name_what_no_usual_header_says() {
    let (tmp, root) = fresh("map-value");
    let file = tmp.path().join("cmdb.csv");
    fs::write(&file, "System,Manager,Tier,Batch\nLedger,fin@example.org,Tier 1,B1\n").unwrap();
    let run = import(
        &file,
        &root,
        &["--map", "System=name", "--map", "Manager=owner", "--map", "Tier=criticality", "--map", "Batch=release"],
    );
    assert_eq!(run.code, 1, "an unmapped word is refused:\n{}", run.stderr);
    let run = import(
        &file,
        &root,
        &[
            "--map",
            "System=name",
            "--map",
            "Manager=owner",
            "--map",
            "Tier=criticality",
            "--map",
            "Batch=release",
            "--value",
            "criticality:tier 1=mission-critical",
            "--value",
            "release:B1=wave-2",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ledger = fields(&root, "ledger");
    assert_eq!((ledger["criticality"].as_str(), ledger["release"].as_str()), ("mission-critical", "wave-2"));
    let run = import(&file, &root, &["--map", "Nope=name"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no column headed so"), "{}", run.stderr);
    let run = import(&file, &root, &["--map", "System=nam"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("did you mean `name`?"), "{}", run.stderr);
}

#[test]
fn the_root_is_positional_or_an_option_not_both() {
    let (tmp, root) = fresh("root-forms");
    let file = tmp.path().join("one.csv");
    fs::write(&file, "name,owner\nLedger,fin@example.org\n").unwrap();
    let both =
        cutover([OsStr::new("import"), file.as_os_str(), root.as_os_str(), OsStr::new("--root"), root.as_os_str()]);
    assert_eq!(both.code, 2, "{}", both.stderr);
    let run = cutover([OsStr::new("import"), file.as_os_str(), OsStr::new("--root"), root.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(fields(&root, "ledger")["owner"], "fin@example.org");
    let nowhere = import(&file, tmp.path(), &[]);
    assert_eq!(nowhere.code, 2);
    assert!(nowhere.stderr.contains("no site root"), "{}", nowhere.stderr);
}
