//! A site's own look: `templates/` overrides the built-in templates file by
//! file, `static/` adds or replaces files, `cutover templates export` writes
//! the built-ins as a starting point, and a template error names the
//! template, line and column.

use crate::common;

use common::{AS_OF, Portfolio, TempDir, cutover, snapshot};
use std::fs;

fn build(p: &Portfolio) -> common::Run {
    p.build(AS_OF)
}

#[test]
fn a_template_replaces_the_built_in_one_of_its_name() {
    let p = Portfolio::base("tpl-override");
    p.write(
        "templates/workload.html",
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"mine\">Custom report for {{ name }}</h1>{% endblock content %}\n",
    );
    let run = build(&p);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = p.read("public/workloads/alpha/index.html");
    assert!(page.contains("<h1 class=\"mine\">Custom report for Alpha"), "{page}");
    assert!(page.contains("script-src 'self'"), "the built-in base.html still wraps it");
    let index = p.read("public/index.html");
    assert!(!index.contains("class=\"mine\""), "other pages keep the built-in templates");
}

#[test]
fn a_template_that_drops_the_content_security_policy_is_refused() {
    let p = Portfolio::base("tpl-no-csp");
    p.write(
        "templates/workload.html",
        "<!doctype html><html><head><title>{{ name }}</title></head><body>{{ name }}</body></html>\n",
    );
    let run = build(&p);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[E0701]"), "{}", run.stderr);
    assert!(run.stderr.contains("templates/workload.html"), "{}", run.stderr);
    assert!(run.stderr.contains("Content-Security-Policy"), "{}", run.stderr);
    assert!(!p.path("public").exists(), "nothing published without the policy");
}

#[test]
fn static_files_are_added_and_replace_assets() {
    let p = Portfolio::base("tpl-static");
    p.write("static/favicon.ico", "icon");
    p.write("static/assets/logo.svg", "<svg/>");
    p.write("templates/style.css", "body { color: rebeccapurple }\n");
    let run = build(&p);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(p.read("public/favicon.ico"), "icon");
    assert_eq!(p.read("public/assets/logo.svg"), "<svg/>");
    assert_eq!(p.read("public/assets/style.css"), "body { color: rebeccapurple }\n");
    p.write("static/assets/search.js", "// mine\n");
    assert_eq!(build(&p).code, 0);
    assert_eq!(p.read("public/assets/search.js"), "// mine\n", "static/ wins over the built-in asset");
}

#[test]
fn a_template_syntax_error_names_template_line_and_column() {
    let p = Portfolio::base("tpl-syntax");
    p.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n  <p>{{ title </p>\n{% endblock content %}\n",
    );
    let before = snapshot(p.root(), &[]);
    for cmd in ["check", "build"] {
        let run = cutover([cmd, p.root().to_str().unwrap(), "--as-of", AS_OF]);
        assert_eq!(run.code, 1, "{cmd}: a broken template is an error, not a crash:\n{}", run.stderr);
        assert!(run.stderr.contains("error[E0701]"), "{cmd}: {}", run.stderr);
        assert!(run.stderr.contains("--> templates/page.html:3:"), "{cmd}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"));
    }
    common::assert_same_files(&before, &snapshot(p.root(), &[]), "nothing written");
    let (_, diags) = p.check_json(&["--as-of", AS_OF]);
    let d = diags.iter().find(|d| d.code == "E0701").expect("E0701 in JSON");
    assert_eq!((d.file.as_str(), d.line), ("templates/page.html", 3));
    assert!(d.column > 1, "{d:?}");
    assert!(d.message.contains("page.html"), "{d:?}");
}

#[test]
fn a_template_rendering_error_is_a_diagnostic_too() {
    let p = Portfolio::base("tpl-render");
    p.write(
        "templates/checklist.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ no_such_variable.field }}</p>\n{% endblock content %}\n",
    );
    let run = build(&p);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[E0701]") && run.stderr.contains("templates/checklist.html:3:"),
        "{}",
        run.stderr
    );
    assert!(!p.path("public").exists(), "the site was not written");
}

#[test]
fn export_writes_the_built_ins_and_never_overwrites() {
    let p = Portfolio::base("tpl-export");
    let plain = {
        assert_eq!(build(&p).code, 0);
        snapshot(&p.path("public"), &[])
    };
    let dir = p.path("templates");
    let run = cutover(["templates", "export", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for f in ["base.html", "workload.html", "dashboard.html", "style.css", "search.js"] {
        assert!(dir.join(f).is_file(), "{f} exported");
    }
    // The exported files, used as overrides, give the same site.
    assert_eq!(build(&p).code, 0);
    common::assert_same_files(&plain, &snapshot(&p.path("public"), &[]), "exported templates render the same");
    // A second export refuses, and changes nothing.
    fs::write(dir.join("base.html"), "mine").unwrap();
    let run = cutover(["templates", "export", dir.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("refusing to overwrite"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(dir.join("base.html")).unwrap(), "mine");
    let fresh = TempDir::new("tpl-export-fresh");
    assert_eq!(cutover(["templates", "export", fresh.path().join("t").to_str().unwrap()]).code, 0);
}

/// The built-in dashboard renders its matrix a few hundred rows at a time
/// (`matrix-rows.html`); every workload must still get exactly one row, in
/// id order, across the chunk boundaries.
#[test]
fn the_dashboard_matrix_has_one_row_per_workload_in_order() {
    let p = Portfolio::base("tpl-matrix-chunks");
    let ids: Vec<String> = (0..1203).map(|i| format!("w{i:04}")).collect();
    for id in &ids {
        p.write(
            &format!("content/workloads/{id}/workload.yaml"),
            &format!("name: Workload {id}\nowner: team@example.org\ncriticality: standard\n"),
        );
    }
    let run = build(&p);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let index = p.read("public/index.html");
    let rows: Vec<&str> = index
        .split("<th scope=\"row\"><a href=\"workloads/")
        .skip(1)
        .filter_map(|rest| rest.split('/').next())
        .collect();
    let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    expected.push("alpha");
    expected.sort();
    assert_eq!(rows, expected);
    assert!(!index.contains("cutover:matrix-rows"), "the marker never reaches the page");
    assert_eq!(index.matches("<tbody>").count(), index.matches("</tbody>").count());
}

/// A site's own `dashboard.html` written before the matrix moved to
/// `matrix-rows.html` loops over `rows`; it still gets them.
#[test]
fn a_dashboard_of_its_own_still_gets_every_row() {
    let p = Portfolio::base("tpl-dashboard-rows");
    p.write(
        "templates/dashboard.html",
        "{% extends \"base.html\" %}{% block content %}<ol>{% for r in rows %}<li>{{ r.name }}: {{ r.decision }}, {{ r.cells | length }} cells</li>{% endfor %}</ol>{% endblock content %}\n",
    );
    let run = build(&p);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let index = p.read("public/index.html");
    assert!(index.contains("<ol><li>Alpha: "), "{index}");
    assert!(index.contains(" cells</li></ol>"), "{index}");
}
