//! The ways `cutover diff` prints: for a person, for a program, for a pull
//! request (Markdown), and as GitHub Actions annotations.

use super::{Diff, WorkloadChange};
use crate::core::diagnostics::{gh_data, gh_property};
use crate::evaluate::Decision;

fn decision(d: Option<Decision>) -> &'static str {
    d.map_or("(none)", Decision::as_str)
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

impl Diff {
    fn head_label(&self) -> String {
        if self.head == "worktree" { "the work tree".into() } else { short(&self.head).to_string() }
    }

    /// The `--format json` document, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }

    /// For a terminal: a heading line, then each workload that changed.
    pub fn to_human(&self) -> String {
        let mut out = format!("readiness from {} to {}, as of {}\n", short(&self.base), self.head_label(), self.as_of);
        if self.workloads.is_empty() {
            out.push_str("no workload changed\n");
            return out;
        }
        for w in &self.workloads {
            let mark = if w.regression { "regression" } else { "change" };
            out.push_str(&format!("{mark}: {} ({}): {} -> {}\n", w.id, w.name, decision(w.from), decision(w.to)));
            for i in &w.items {
                out.push_str(&format!("    {}: {}\n", i.id, satisfied_change(i.from, i.to)));
            }
        }
        let n = self.regressions();
        out.push_str(&format!(
            "{} workload{} changed, {n} regression{}\n",
            self.workloads.len(),
            plural(self.workloads.len()),
            plural(n)
        ));
        out
    }

    /// For a pull-request comment or a CI job summary: a count, then a
    /// table, regressions first, each workload linked to its page when
    /// site.yaml gives the address the site is published at.
    pub fn to_markdown(&self) -> String {
        let n = self.regressions();
        let mut out = format!(
            "### Promotion readiness: `{}` to {}, as of {}\n\n",
            short(&self.base),
            self.head_label(),
            self.as_of
        );
        if self.workloads.is_empty() {
            out.push_str("No workload changed.\n");
            return out;
        }
        out.push_str(&format!(
            "**{n} regression{}**, {} other change{}.\n\n",
            plural(n),
            self.workloads.len() - n,
            plural(self.workloads.len() - n)
        ));
        out.push_str("| | Workload | Decision | Items |\n|---|---|---|---|\n");
        for w in &self.workloads {
            let mark = if w.regression { "regression" } else { "" };
            let items: Vec<String> =
                w.items.iter().map(|i| format!("{} {}", code(&i.id), satisfied_change(i.from, i.to))).collect();
            out.push_str(&format!(
                "| {mark} | {} | {} to **{}** | {} |\n",
                self.link(w),
                decision(w.from),
                decision(w.to),
                items.join("<br>")
            ));
        }
        out
    }

    /// A workload's name, linked to its report when the site's address is known.
    fn link(&self, w: &WorkloadChange) -> String {
        let text = format!("{} ({})", md(&w.name), code(&w.id));
        match &self.base_url {
            Some(base) if w.to.is_some() => {
                format!("[{text}]({}/workloads/{}/index.html)", base.trim_end_matches('/'), w.id)
            }
            _ => text,
        }
    }

    /// GitHub Actions workflow commands: an error annotation on each file
    /// whose change brought a regression.
    pub fn to_github(&self) -> String {
        let mut out = String::new();
        for w in self.workloads.iter().filter(|w| w.regression) {
            for (file, line, message) in &w.files {
                out.push_str(&format!(
                    "::error file={},line={line},title={}::{}\n",
                    gh_property(&format!("{}{file}", self.prefix)),
                    gh_property(&format!("readiness regression: {}", w.id)),
                    gh_data(message)
                ));
            }
        }
        out
    }
}

fn satisfied_change(from: bool, to: bool) -> &'static str {
    match (from, to) {
        (true, false) => "no longer satisfied",
        (false, true) => "now satisfied",
        _ => "unchanged",
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// An id as code, when it is one (an invalid folder name is shown as text).
fn code(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') { format!("`{s}`") } else { md(s) }
}

/// Text from the portfolio made inert in Markdown (a table cell): every
/// character that Markdown or HTML could read as syntax is escaped.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '!' | '|' | '~' | '<' | '>' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn markdown_text_is_inert() {
        assert_eq!(md("a|b <script> [x](y)"), "a\\|b \\<script\\> \\[x\\]\\(y\\)");
        assert_eq!(md("two\nlines"), "two lines");
    }
}
