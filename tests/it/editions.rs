//! Promotion day, part 3: `build --edition public|internal`. Unique marker
//! strings are planted in every place the public edition must withhold, and
//! every byte of every output file (and every output path) is searched.

use crate::common;

use common::{AS_OF, Portfolio, Run, cutover, snapshot};
use std::collections::BTreeMap;
use std::ffi::OsStr;

/// Where each marker is planted; none may reach the public edition.
const WITHHELD: &[(&str, &str)] = &[
    ("MARKER-BODY-7f3a", "a confidential workload's evidence body"),
    ("MARKER-CLASS-BODY-41aa", "the body of the confidential workload's data classification"),
    ("MARKER-HC-BODY-0c3d", "a highly-confidential workload's evidence body"),
    ("MARKER-RISK-1d5e", "a confidential workload's risk description (item field)"),
    ("MARKER-MITIGATION-77b0", "a confidential workload's risk mitigation (item field)"),
    ("MARKER-DOMAIN-2f6a", "a confidential workload's `domain` (item field)"),
    ("MARKER-ATTACH-9a4c", "the content of an attachment linked from confidential evidence"),
    ("MARKER-FILENAME-6e0b", "the file name of an attachment linked from confidential evidence"),
    ("MARKER-BODYLINK-5c1f", "the file name of an attachment linked only from a confidential body"),
    ("marker-record-4a9b", "a cutover record name of a non-confidential workload"),
    ("10.77.66.55", "a cutover record's old address"),
    ("marker-target-2c8d", "a cutover record's new target"),
    ("MARKER-SENSITIVE-DOMAIN-3b7e", "a built-in field the checklist marks sensitive"),
    ("MARKER-SENSITIVE-FIELD-8e1f", "a custom field marked sensitive"),
    ("MARKER-SENSITIVE-NESTED-5d2c", "a field of list entries marked sensitive"),
];

/// Shown in both editions: a non-confidential workload's body and ordinary fields.
const SHOWN: &[&str] = &["MARKER-VISIBLE-BODY-11ee", "MARKER-VISIBLE-MITIGATION-22ff"];

fn portfolio(tag: &str) -> Portfolio {
    let p = Portfolio::base(tag);
    let a = "content/workloads/alpha";
    // A checklist that marks fields sensitive: a built-in one, a new one, and one inside list entries.
    let builtin = cutover([OsStr::new("checklist"), p.root().as_os_str()]).stdout;
    let checklist = builtin
        .replacen(
            "    domain:\n      type: string\n      required_from: documented\n",
            "    domain:\n      type: string\n      required_from: documented\n      sensitive: true\n",
            1,
        )
        .replacen(
            "    last_restore_test:\n      type: date\n      required_from: executed\n",
            "    last_restore_test:\n      type: date\n      required_from: executed\n    recovery_site:\n      type: string\n      required_from: executed\n      sensitive: true\n",
            1,
        )
        .replacen(
            "        description:\n          type: text\n",
            "        description:\n          type: text\n          sensitive: true\n",
            1,
        );
    assert_eq!(checklist.matches("sensitive: true").count(), 3, "the built-in checklist changed shape:\n{builtin}");
    p.write("content/checklist.yaml", &checklist);

    // alpha (internal): promoted in flights; sensitive fields; a body that stays visible.
    p.edit(&format!("{a}/workload.yaml"), "summary:", "promotion_model: flight\nsummary:");
    p.set_field(&format!("{a}/domain-alignment.md"), "domain", "MARKER-SENSITIVE-DOMAIN-3b7e");
    p.set_field(&format!("{a}/bcdr-validation.md"), "recovery_site", "MARKER-SENSITIVE-FIELD-8e1f");
    p.edit(&format!("{a}/ciso-verification.md"), "Old TLS on the batch interface.", "MARKER-SENSITIVE-NESTED-5d2c");
    p.edit(&format!("{a}/ciso-verification.md"), "Interface retired next quarter.", "MARKER-VISIBLE-MITIGATION-22ff");
    p.edit(&format!("{a}/stage.md"), "Done;", "MARKER-VISIBLE-BODY-11ee;");
    p.write(
        &format!("{a}/promote.md"),
        "---\nstatus: documented\nexecuted_on: 2026-10-12\npromoted_on: 2026-10-12\ndocumented_in: [reports/evidence.txt]\ncutover:\n  - record: marker-record-4a9b.example.org\n    type: A\n    from: 10.77.66.55\n    to: 10.1.2.3\n    ttl: 300\n    batch: 1\n    traffic_percent: 100\n  - record: www.example.org\n    type: CNAME\n    from: old.example.org\n    to: marker-target-2c8d.example.net\n    ttl: 60\n    batch: 2\n    traffic_percent: 100\n---\nTraffic moved in two flights.\n",
    );

    // secret (confidential): markers in bodies, item fields, and attachments.
    let s = "content/workloads/secret";
    p.add_ready_workload("secret", "name: Secret\nowner: s@example.org\ncriticality: standard\nrelease: wave-1\n");
    p.set_field(&format!("{s}/data-classification.md"), "classification", "confidential");
    p.edit(&format!("{s}/data-classification.md"), "Done;", "MARKER-CLASS-BODY-41aa;");
    p.write(&format!("{s}/reports/MARKER-FILENAME-6e0b.txt"), "MARKER-ATTACH-9a4c\n");
    p.write(&format!("{s}/reports/MARKER-BODYLINK-5c1f.csv"), "a,b\n");
    p.write(
        &format!("{s}/stage.md"),
        "---\nstatus: validated\nexecuted_on: 2026-09-01\ndocumented_in: [reports/MARKER-FILENAME-6e0b.txt, \"https://wiki.example.org/stage\"]\nvalidated_by: val.idator@example.org\nvalidated_on: 2026-09-10\n---\nMARKER-BODY-7f3a: restored, see [the log](reports/MARKER-BODYLINK-5c1f.csv).\n",
    );
    p.edit(&format!("{s}/ciso-verification.md"), "Old TLS on the batch interface.", "MARKER-RISK-1d5e");
    p.edit(&format!("{s}/ciso-verification.md"), "Interface retired next quarter.", "MARKER-MITIGATION-77b0");
    p.set_field(&format!("{s}/domain-alignment.md"), "domain", "MARKER-DOMAIN-2f6a");
    p.set_field(&format!("{s}/bcdr-validation.md"), "recovery_site", "somewhere");

    // vault (highly-confidential).
    let v = "content/workloads/vault";
    p.add_ready_workload("vault", "name: Vault\nowner: v@example.org\ncriticality: standard\n");
    p.set_field(&format!("{v}/data-classification.md"), "classification", "highly-confidential");
    p.edit(&format!("{v}/assess.md"), "Done;", "MARKER-HC-BODY-0c3d;");
    p.set_field(&format!("{v}/bcdr-validation.md"), "recovery_site", "elsewhere");
    p
}

/// Builds into ROOT/<dir> with `--edition` (if given) and returns every output file.
fn build(p: &Portfolio, dir: &str, edition: Option<&str>) -> (Run, BTreeMap<String, Vec<u8>>) {
    let out = p.path(dir);
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("build"),
        p.root().as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--as-of"),
        OsStr::new(AS_OF),
    ];
    if let Some(e) = edition {
        args.extend([OsStr::new("--edition"), OsStr::new(e)]);
    }
    let run = cutover(&args);
    assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
    (run, snapshot(&out, &[]))
}

/// Markers found anywhere in the output: in a file's bytes or in its path.
fn found(site: &BTreeMap<String, Vec<u8>>, marker: &str) -> Vec<String> {
    let needle = marker.as_bytes();
    site.iter()
        .filter(|(path, bytes)| path.contains(marker) || bytes.windows(needle.len()).any(|w| w == needle))
        .map(|(path, _)| path.clone())
        .collect()
}

fn text(site: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(site.get(path).unwrap_or_else(|| panic!("no {path}")).clone()).unwrap()
}

#[test]
fn the_public_edition_withholds_every_planted_marker_and_the_internal_one_shows_them() {
    let p = portfolio("edition-markers");
    let (_, internal) = build(&p, "internal", Some("internal"));
    let (_, public) = build(&p, "public", Some("public"));
    assert!(public.contains_key("readiness.json") && public.contains_key("search-index.js"));
    for (marker, place) in WITHHELD {
        assert!(!found(&internal, marker).is_empty(), "the internal edition should show {place} ({marker})");
        let leaks = found(&public, marker);
        assert!(leaks.is_empty(), "the public edition leaks {place} ({marker}) in {leaks:?}");
    }
    for marker in SHOWN {
        assert!(!found(&internal, marker).is_empty(), "{marker}");
        assert!(!found(&public, marker).is_empty(), "non-confidential evidence stays public: {marker}");
    }
    // No attachment of a confidential workload is published; others are.
    let published = |site: &BTreeMap<String, Vec<u8>>, w: &str| -> Vec<String> {
        let prefix = format!("workloads/{w}/");
        site.keys()
            .filter(|k| k.starts_with(&prefix) && !k.ends_with("index.html") && !k.ends_with('/'))
            .cloned()
            .collect()
    };
    assert_eq!(
        published(&internal, "secret"),
        [
            "workloads/secret/reports/MARKER-BODYLINK-5c1f.csv",
            "workloads/secret/reports/MARKER-FILENAME-6e0b.txt",
            "workloads/secret/reports/evidence.txt"
        ]
    );
    assert!(published(&public, "secret").is_empty(), "{:?}", published(&public, "secret"));
    assert!(published(&public, "vault").is_empty());
    assert_eq!(published(&public, "alpha"), ["workloads/alpha/reports/evidence.txt"]);
    // Links in the public site still resolve: nothing points at a withheld file.
    let broken = common::broken_links(&p.path("public"));
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn the_public_edition_says_what_was_withheld_and_keeps_statuses_and_decisions() {
    let p = portfolio("edition-decisions");
    let (_, internal) = build(&p, "internal", None);
    let (_, public) = build(&p, "public", Some("public"));
    // The same decisions, reasons and item statuses: readiness.json is the same document.
    assert_eq!(text(&public, "readiness.json"), text(&internal, "readiness.json"));
    let readiness: serde_json::Value = serde_json::from_str(&text(&public, "readiness.json")).unwrap();
    assert_eq!(common::workload(&readiness, "secret")["decision"], "ready");
    assert_eq!(common::workload(&readiness, "alpha")["decision"], "promoted");
    assert_eq!(common::item(&readiness, "secret", "stage")["status"], "validated");

    let note = "<p class=\"edition-note\">Public edition: confidential evidence, cutover records and sensitive fields are withheld. Statuses and decisions are complete.</p>";
    for (path, bytes) in &public {
        if path.ends_with(".html") {
            let html = std::str::from_utf8(bytes).unwrap();
            assert!(html.contains(note), "{path} says it is the public edition");
            assert!(!text(&internal, path).contains("edition-note"), "{path}: the internal edition has no note");
        }
    }
    // The dashboard is the internal one plus the note: every status and decision is there.
    assert_eq!(text(&public, "index.html").replacen(note, "", 1), text(&internal, "index.html"));

    let report = text(&public, "workloads/secret/index.html");
    assert!(report.contains("Decision: ready"), "{report}");
    let stage = &report[report.find("id=\"item-stage\"").unwrap()..];
    let stage = &stage[..stage.find("</article>").unwrap()];
    assert!(stage.contains("validated"), "{stage}");
    // Addresses carry break points (`<wbr>`) after `@` and dots.
    assert!(stage.replace("<wbr>", "").contains("2026-09-10 by val.idator@example.org"), "who signed stays: {stage}");
    assert!(stage.contains("Withheld from this public edition: the evidence text, the attached documents."), "{stage}");
    assert!(stage.contains("https://wiki.example.org/stage"), "links to systems of record stay: {stage}");
    let ciso = &report[report.find("id=\"item-ciso-verification\"").unwrap()..];
    assert!(
        ciso.contains("Withheld from this public edition: the evidence text, the item fields, the attached documents.")
    );

    let alpha = text(&public, "workloads/alpha/index.html");
    let promote = &alpha[alpha.find("id=\"item-promote\"").unwrap()..];
    // Every workload's promotion evidence names hosts and addresses: its text,
    // attached plans and cutover records are withheld, whatever the class.
    assert!(
        promote.contains(
            "Withheld from this public edition: the evidence text, the attached documents, sensitive fields."
        ),
        "{promote}"
    );
    assert!(!alpha.contains("flight-h"), "the flight plan lists cutover records: withheld");
    assert!(text(&internal, "workloads/alpha/index.html").contains("flight-h"));
    let domain = &alpha[alpha.find("id=\"item-domain-alignment\"").unwrap()..];
    assert!(
        domain[..domain.find("</article>").unwrap()].contains("Withheld from this public edition: sensitive fields.")
    );

    // The security view keeps decisions and statuses, and does not pretend a withheld classification is missing.
    let security = text(&public, "security/index.html");
    let row = &security[security.find("../workloads/secret/index.html").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("badge ready"), "{row}");
    assert!(row.contains("validated"), "{row}");
    assert!(!row.contains("not classified"), "{row}");
    assert!(row.contains("withheld"), "{row}");
}

#[test]
fn internal_is_the_default_edition_and_an_unknown_edition_is_refused() {
    let p = portfolio("edition-default");
    let (_, default) = build(&p, "default", None);
    let (_, internal) = build(&p, "internal", Some("internal"));
    common::assert_same_files(&default, &internal, "no --edition means internal");
    let out = p.path("other");
    let run = cutover([
        OsStr::new("build"),
        p.root().as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--edition"),
        OsStr::new("secret"),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("public") && run.stderr.contains("internal"), "{}", run.stderr);
    assert!(!out.exists());
}
