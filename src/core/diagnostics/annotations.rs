//! Diagnostics in the forms that GitLab CI and Azure Pipelines show inline:
//! a GitLab Code Quality report and Azure `##vso[task.logissue]` logging
//! commands. (GitHub's workflow commands and SARIF are in `diagnostics`.)
//!
//! Each takes `base`, the site root's path from the top of the repository
//! (see [`crate::load::root::repository_prefix`]), since both services match
//! paths against the repository's files.

use crate::core::diagnostics::{Diagnostic, Report, Severity};
use std::collections::BTreeMap;
use std::fmt::Write as _;

impl Report {
    /// A GitLab Code Quality report: a JSON array of issues. Each issue's
    /// fingerprint is stable from run to run and does not depend on the line,
    /// so that GitLab can tell new problems from old ones on a merge request
    /// even when lines above them moved; identical problems in one file are
    /// told apart by their order.
    pub fn to_gitlab(&self, base: &str) -> String {
        let mut seen: BTreeMap<(String, &str, &str), usize> = BTreeMap::new();
        let issues: Vec<serde_json::Value> = self
            .diagnostics
            .iter()
            .map(|d| {
                let path = format!("{base}{}", d.file);
                let n = seen.entry((path.clone(), d.code.as_str(), &d.message)).or_default();
                *n += 1;
                let key = format!("cutover\0{}\0{path}\0{}\0{n}", d.code.as_str(), d.message);
                serde_json::json!({
                    "type": "issue",
                    "check_name": d.code.as_str(),
                    "description": text(d),
                    "categories": ["Bug Risk"],
                    "fingerprint": &crate::core::digest::sha256_hex(key.as_bytes())[..32],
                    "severity": match d.severity {
                        Severity::Error => "major",
                        Severity::Warning => "minor",
                    },
                    "location": {"path": path, "lines": {"begin": d.line}},
                })
            })
            .collect();
        let mut s = serde_json::to_string_pretty(&issues).expect("issues serialise");
        s.push('\n');
        s
    }

    /// Azure Pipelines logging commands, one `##vso[task.logissue ...]` line
    /// per problem, which the run's summary and log show as errors and warnings.
    pub fn to_azure(&self, base: &str) -> String {
        let mut out = String::new();
        for d in &self.diagnostics {
            let kind = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let _ = writeln!(
                out,
                "##vso[task.logissue type={kind};sourcepath={};linenumber={};columnnumber={};code={}]{}",
                azure_property(&format!("{base}{}", d.file)),
                d.line,
                d.column,
                d.code.as_str(),
                azure_data(&text(d))
            );
        }
        out
    }
}

/// The message with its hint, as one text.
pub(crate) fn text(d: &Diagnostic) -> String {
    match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    }
}

/// A logging command's message, escaped as the Azure Pipelines agent
/// unescapes it (azure-pipelines-task-lib's `escapedata`): `%` first, then
/// the line breaks that would end the command.
fn azure_data(s: &str) -> String {
    s.replace('%', "%AZP25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value: the message's escapes, and `;` and `]`, which would end it.
fn azure_property(s: &str) -> String {
    azure_data(s).replace(';', "%3B").replace(']', "%5D")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diagnostics::{Code, Diagnostic};

    fn report() -> Report {
        let d = |file: &str, line, msg: &str| Diagnostic::new(Code::E0203, file, line, 3, msg);
        Report::from_vec(
            vec![
                d("content/workloads/a;b]/x.md", 4, "100% wrong\r\nsecond line"),
                d("content/workloads/a/x.md", 2, "same"),
                d("content/workloads/a/x.md", 9, "same"),
            ],
            false,
        )
    }

    #[test]
    fn azure_escapes_what_would_end_a_property_or_the_command() {
        let out = report().to_azure("site/");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert!(
            lines[2].starts_with(
                "##vso[task.logissue type=error;sourcepath=site/content/workloads/a%3Bb%5D/x.md;linenumber=4;columnnumber=3;code=E0203]100%AZP25 wrong%0D%0Asecond line%0Ahelp: "
            ),
            "{out}"
        );
    }

    #[test]
    fn gitlab_fingerprints_are_stable_and_distinct() {
        let a: serde_json::Value = serde_json::from_str(&report().to_gitlab("")).unwrap();
        let issues = a.as_array().unwrap();
        let prints: Vec<&str> = issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
        assert_eq!(prints.len(), 3);
        assert!(prints[0] != prints[1] && prints[1] != prints[2] && prints[0] != prints[2], "{prints:?}");
        let again: serde_json::Value = serde_json::from_str(&report().to_gitlab("")).unwrap();
        assert_eq!(a, again);
        assert_eq!(issues[0]["location"]["lines"]["begin"], 2);
        assert_eq!(issues[0]["check_name"], "E0203");
        assert_eq!(issues[0]["severity"], "major");
    }
}
