//! Promotion day, part 5: `promotion_model` in workload.yaml and flight plans
//! (`batch`, `traffic_percent` on cutover records), through the binary.

use crate::common;

use common::{AS_OF, Portfolio, html_text};

const WORKLOAD: &str = "content/workloads/alpha/workload.yaml";
const PROMOTE: &str = "content/workloads/alpha/promote.md";

fn with_model(tag: &str, model: Option<&str>, records: &str) -> Portfolio {
    let p = Portfolio::base(tag);
    if let Some(m) = model {
        p.edit(WORKLOAD, "summary:", &format!("promotion_model: {m}\nsummary:"));
    }
    p.write(
        PROMOTE,
        &format!(
            "---\nstatus: documented\nexecuted_on: 2026-10-15\npromoted_on: 2026-10-15\ndocumented_in: [reports/evidence.txt]\ncutover:\n{records}---\nTraffic moved.\n"
        ),
    );
    p
}

/// Three records, written out of batch order; app's batches add up to 100.
const FLIGHTS: &str = "  - {record: app.example.org, type: CNAME, from: old.example.org, to: new.example.org, ttl: 300, batch: 3, traffic_percent: 60}
  - {record: app.example.org, type: CNAME, from: old.example.org, to: new.example.org, ttl: 300, batch: 1, traffic_percent: 10}
  - {record: api.example.org, type: A, from: 10.0.0.1, to: 10.1.0.1, ttl: 60, batch: 2, traffic_percent: 100}
  - {record: app.example.org, type: CNAME, from: old.example.org, to: new.example.org, ttl: 300, batch: 2, traffic_percent: 30}
";

const SINGLE: &str =
    "  - {record: app.example.org, type: CNAME, from: old.example.org, to: new.example.org, ttl: 300}\n";

fn flight_section(p: &Portfolio) -> Option<String> {
    let html = p.read("public/workloads/alpha/index.html");
    let start = html.find("<section aria-labelledby=\"flight-h\"")?;
    Some(html_text(&html[start..start + html[start..].find("</section>").unwrap()]))
}

#[test]
fn a_flight_plan_that_adds_up_passes_and_the_report_lists_batches_in_order() {
    let p = with_model("flight-ok", Some("flight"), FLIGHTS);
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(run.code, 0);
    assert!(diags.is_empty(), "{diags:#?}");
    let readiness = p.readiness(AS_OF);
    assert_eq!(common::workload(&readiness, "alpha")["decision"], "promoted");
    let plan = flight_section(&p).expect("a flight plan section");
    assert!(
        plan.ends_with(
            "Batch 1 app.example.org : 10% of traffic Batch 2 api.example.org : 100% of traffic app.example.org : 30% of traffic Batch 3 app.example.org : 60% of traffic"
        ),
        "{plan}"
    );
    assert!(plan.contains("promotion_model: flight"), "{plan}");
}

#[test]
fn fractional_percentages_that_add_up_to_100_pass() {
    let records =
        "  - {record: app.example.org, type: A, from: 10.0.0.1, to: 10.1.0.1, ttl: 60, batch: 1, traffic_percent: 33.3}
  - {record: app.example.org, type: A, from: 10.0.0.1, to: 10.1.0.1, ttl: 60, batch: 2, traffic_percent: 33.3}
  - {record: app.example.org, type: A, from: 10.0.0.1, to: 10.1.0.1, ttl: 60, batch: 3, traffic_percent: 33.4}
";
    let p = with_model("flight-fractions", Some("flight"), records);
    assert!(p.diagnostics().is_empty(), "{:#?}", p.diagnostics());
    assert_eq!(p.build(AS_OF).code, 0);
    assert!(flight_section(&p).unwrap().contains("Batch 3 app.example.org : 33.4% of traffic"));
}

#[test]
fn percentages_that_do_not_add_up_per_record_are_e0212() {
    // app.example.org: 10 + 30 + 50 = 90; api.example.org: 100.
    let p = with_model("flight-90", Some("flight"), &FLIGHTS.replace("traffic_percent: 60", "traffic_percent: 50"));
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(run.code, 1);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    // Reported at the record's first entry (line 7, the `{` after `  - `).
    assert_eq!(diags[0].at(), ("E0212", PROMOTE, 7, 5));
    assert_eq!(diags[0].message, "traffic for `app.example.org` adds up to 90%, not 100%");
    assert!(diags[0].help.as_deref().unwrap().contains("sum to 100"));
    // Over 100 is refused too.
    let p = with_model("flight-110", Some("flight"), &FLIGHTS.replace("traffic_percent: 60", "traffic_percent: 70"));
    let diags = p.diagnostics();
    assert_eq!(diags.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), ["E0212"]);
    assert!(diags[0].message.contains("adds up to 110%"), "{diags:#?}");
    // And the build refuses to publish it.
    assert_eq!(p.build(AS_OF).code, 1);
}

#[test]
fn a_broken_workload_yaml_does_not_make_flight_records_e0213() {
    // The model is set, but the file fails on another field: the flight
    // checks wait for it instead of assuming the default model.
    let p = with_model("flight-broken-workload", Some("flight"), FLIGHTS);
    p.edit(WORKLOAD, "criticality:", "criticality: super\nx-was-criticality:");
    let codes: Vec<String> = p.diagnostics().into_iter().map(|d| d.code).collect();
    assert!(codes.iter().any(|c| c.as_str() == "E0205" || c.as_str() == "E0204"), "{codes:?}");
    assert!(!codes.iter().any(|c| c.as_str() == "E0213"), "{codes:?}");
}

#[test]
fn batches_outside_the_flight_model_are_e0213() {
    let record = "  - {record: app.example.org, type: CNAME, from: old.example.org, to: new.example.org, ttl: 300, batch: 1, traffic_percent: 100}\n";
    for (tag, model) in
        [("e0213-default", None), ("e0213-single", Some("single-step")), ("e0213-staged", Some("staged"))]
    {
        let p = with_model(tag, model, record);
        let (run, diags) = p.check_json(&["--as-of", AS_OF]);
        assert_eq!(run.code, 1, "{model:?}");
        assert_eq!(diags.len(), 1, "{model:?}: {diags:#?}");
        let column = 1 + record.find("1, traffic").unwrap() as u32;
        assert_eq!(diags[0].at(), ("E0213", PROMOTE, 7, column), "{model:?}");
        assert_eq!(diags[0].message, "`batch` and `traffic_percent` in `cutover` need `promotion_model: flight`");
    }
    // traffic_percent alone is refused the same way, at its value.
    let record =
        "  - {record: app.example.org, type: A, from: 10.0.0.1, to: 10.1.0.1, ttl: 60, traffic_percent: 100}\n";
    let p = with_model("e0213-percent", None, record);
    let diags = p.diagnostics();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].at(), ("E0213", PROMOTE, 7, 1 + record.find("100}").unwrap() as u32));
}

#[test]
fn single_step_and_staged_need_no_batches_and_show_no_flight_plan() {
    for (tag, model) in
        [("model-default", None), ("model-single", Some("single-step")), ("model-staged", Some("staged"))]
    {
        let p = with_model(tag, model, SINGLE);
        assert!(p.diagnostics().is_empty(), "{model:?}: {:#?}", p.diagnostics());
        assert_eq!(p.build(AS_OF).code, 0);
        assert_eq!(flight_section(&p), None, "{model:?}");
    }
}

#[test]
fn an_unknown_promotion_model_is_e0205() {
    let p = with_model("model-unknown", Some("canary"), SINGLE);
    let (run, diags) = p.check_json(&["--as-of", AS_OF]);
    assert_eq!(run.code, 1);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    // promotion_model is inserted as line 5 of workload.yaml; its value starts in column 18.
    assert_eq!(diags[0].at(), ("E0205", WORKLOAD, 5, 18));
    assert_eq!(p.read(WORKLOAD).lines().nth(4).unwrap(), "promotion_model: canary");
    assert_eq!(diags[0].message, "`canary` is not a valid value for `promotion_model`");
    assert_eq!(diags[0].help.as_deref(), Some("use one of: single-step, staged, flight"));
}
