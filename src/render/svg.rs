//! Pictures drawn at build time as inline SVG: they need no script, print,
//! and take their colours from the stylesheet (classes, not inline styles,
//! so the Content-Security-Policy can forbid inline styles).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Text escaped for SVG/XML content and attribute values, written straight
/// into the formatter: a graph escapes every label and link, and a string
/// for each was most of what it allocated.
struct Esc<'a>(&'a str);

impl std::fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..i])?;
            f.write_str(match rest.as_bytes()[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[i + 1..];
        }
        f.write_str(rest)
    }
}

/// One part of a whole, for bars and rings.
pub struct Part<'a> {
    pub class: &'a str,
    pub label: &'a str,
    pub value: usize,
}

fn describe(parts: &[Part]) -> String {
    let total: usize = parts.iter().map(|p| p.value).sum();
    let list: Vec<String> = parts.iter().map(|p| format!("{} {}", p.value, p.label)).collect();
    format!("{} of {total}", list.join(", "))
}

/// A horizontal bar split into parts, with a text equivalent for screen readers.
pub fn stacked_bar(parts: &[Part], width: u32, height: u32) -> String {
    let total: usize = parts.iter().map(|p| p.value).sum();
    let mut s = format!(
        r#"<svg class="bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{}" preserveAspectRatio="none">"#,
        Esc(&describe(parts))
    );
    let _ = write!(s, r#"<rect class="track" x="0" y="0" width="{width}" height="{height}" rx="3"/>"#);
    let mut x = 0.0f64;
    for p in parts.iter().filter(|p| p.value > 0) {
        let w = f64::from(width) * p.value as f64 / total.max(1) as f64;
        let _ = write!(
            s,
            r#"<rect class="seg {}" x="{x:.2}" y="0" width="{w:.2}" height="{height}"><title>{} {}</title></rect>"#,
            Esc(p.class),
            p.value,
            Esc(p.label)
        );
        x += w;
    }
    s.push_str("</svg>");
    s
}

/// A ring chart of the parts with the total in the middle.
pub fn ring(parts: &[Part], caption: &str) -> String {
    let total: usize = parts.iter().map(|p| p.value).sum();
    let r = 40.0f64;
    let circumference = 2.0 * std::f64::consts::PI * r;
    let mut s = format!(
        r#"<svg class="ring" viewBox="0 0 120 120" width="160" height="160" role="img" aria-label="{}">"#,
        Esc(&describe(parts))
    );
    let _ = write!(s, r#"<circle class="track" cx="60" cy="60" r="{r}" fill="none" stroke-width="18"/>"#);
    let mut offset = 0.0f64;
    for p in parts.iter().filter(|p| p.value > 0) {
        let len = circumference * p.value as f64 / total.max(1) as f64;
        let _ = write!(
            s,
            r#"<circle class="seg {}" cx="60" cy="60" r="{r}" fill="none" stroke-width="18" stroke-dasharray="{len:.3} {:.3}" stroke-dashoffset="{:.3}" transform="rotate(-90 60 60)"><title>{} {}</title></circle>"#,
            Esc(p.class),
            circumference - len,
            -offset,
            p.value,
            Esc(p.label)
        );
        offset += len;
    }
    let _ = write!(
        s,
        r#"<text class="ring-total" x="60" y="56" text-anchor="middle" dominant-baseline="central">{total}</text>"#
    );
    let _ = write!(s, r#"<text class="ring-caption" x="60" y="74" text-anchor="middle">{}</text></svg>"#, Esc(caption));
    s
}

/// A date line from the earlier to the later of the as-of date and a target.
pub fn timeline(as_of: &str, target: &str, days_left: i64) -> String {
    let (w, left, right) = (640.0f64, 90.0f64, 550.0f64);
    let (a_x, t_x) = if days_left >= 0 { (left, right) } else { (right, left) };
    let state = if days_left >= 0 { "ahead" } else { "overdue" };
    let label = match days_left {
        0 => "target is the as-of date".to_string(),
        d if d > 0 => format!("{d} days to target"),
        d => format!("{} days past target", -d),
    };
    format!(
        r#"<svg class="timeline {state}" viewBox="0 0 {w} 70" width="100%" role="img" aria-label="As of {as_of}; target {target}; {label}"><line class="axis" x1="{left}" y1="30" x2="{right}" y2="30" stroke-width="4"/><circle class="asof" cx="{a_x}" cy="30" r="8"/><text x="{a_x}" y="60" text-anchor="middle">as of {as_of}</text><rect class="target" x="{tx0}" y="22" width="16" height="16" transform="rotate(45 {t_x} 30)"/><text x="{t_x}" y="60" text-anchor="middle">target {target}</text><text class="span" x="{mid}" y="18" text-anchor="middle">{label}</text></svg>"#,
        tx0 = t_x - 8.0,
        mid = (left + right) / 2.0,
        label = Esc(&label),
        as_of = Esc(as_of),
        target = Esc(target),
    )
}

/// A node of a dependency graph.
pub struct GraphNode {
    pub id: String,
    pub label: String,
    pub decision: &'static str,
    pub href: String,
    /// Drawn emphasised (the workload the page is about) or faded (outside the release).
    pub role: NodeRole,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum NodeRole {
    Normal,
    Focus,
    External,
}

const NODE_W: f64 = 190.0;
/// The graph's font size (`svg.graph` in style.css) and the room a label has:
/// the box less its left padding, the status symbol at the right and a gap.
const FONT_PX: f64 = 13.0;
const LABEL_W: f64 = NODE_W - 10.0 - 8.0 - 16.0 - 6.0;
const NODE_H: f64 = 40.0;
const COL_GAP: f64 = 70.0;
const ROW_GAP: f64 = 14.0;
/// Columns taller than this are wrapped so a wide release stays readable.
const MAX_ROWS: usize = 12;

/// A layered drawing of a dependency graph: dependencies left of the
/// workloads that need them, edges as curves with arrowheads.
/// `edges` are (dependant, dependency) pairs between known nodes.
pub fn dependency_graph(nodes: &[GraphNode], edges: &[(String, String)], title: &str) -> String {
    if nodes.is_empty() {
        return String::new();
    }
    let index: BTreeMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let deps: Vec<Vec<usize>> = {
        let mut d = vec![Vec::new(); nodes.len()];
        for (a, b) in edges {
            if let (Some(&ia), Some(&ib)) = (index.get(a.as_str()), index.get(b.as_str())) {
                d[ia].push(ib);
            }
        }
        d
    };
    let layer = layers(&deps);
    let columns = order_columns(&layer, &deps);
    let mut pos = vec![(0.0f64, 0.0f64); nodes.len()];
    let mut x = 10.0;
    let mut height: f64 = 0.0;
    for col in &columns {
        for chunk in col.chunks(MAX_ROWS) {
            for (row, &n) in chunk.iter().enumerate() {
                let y = 10.0 + row as f64 * (NODE_H + ROW_GAP);
                pos[n] = (x, y);
                height = height.max(y + NODE_H + 10.0);
            }
            x += NODE_W + COL_GAP;
        }
    }
    let width = x - COL_GAP + 10.0;
    let mut s = format!(
        r#"<svg class="graph" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="group" aria-label="{}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>"#,
        Esc(title)
    );
    for (a, targets) in deps.iter().enumerate() {
        for &b in targets {
            let (x1, y1) = (pos[b].0 + NODE_W, pos[b].1 + NODE_H / 2.0);
            let (x2, y2) = (pos[a].0, pos[a].1 + NODE_H / 2.0);
            let c = ((x2 - x1).abs() / 2.0).max(30.0);
            let _ = write!(
                s,
                r#"<path class="edge" d="M{},{y1} C{},{y1} {},{y2} {},{y2}" marker-end="url(#arrow)"/>"#,
                Tenths(x1),
                Tenths(x1 + c),
                Tenths(x2 - c),
                Tenths(x2 - 2.0),
                y1 = Tenths(y1),
                y2 = Tenths(y2),
            );
        }
    }
    for (i, n) in nodes.iter().enumerate() {
        let (nx, ny) = pos[i];
        let role = match n.role {
            NodeRole::Normal => "",
            NodeRole::Focus => " focus",
            NodeRole::External => " external",
        };
        // Measured, not counted: the label ends before the status symbol
        // whatever its letters, and the whole name is the node's tooltip.
        let label = super::textwidth::fit(&n.label, FONT_PX, n.role == NodeRole::Focus, LABEL_W);
        let _ = write!(
            s,
            r#"<a href="{href}"><g class="node {d}{role}"><title>{full}: {d}</title><rect x="{}" y="{}" width="{NODE_W}" height="{NODE_H}" rx="6"/><text x="{tx}" y="{ty}">{label}</text><text class="sym" x="{sx}" y="{ty}" text-anchor="end">{sym}</text></g></a>"#,
            Tenths(nx),
            Tenths(ny),
            href = Esc(&n.href),
            d = n.decision,
            full = Esc(&n.label),
            tx = Tenths(nx + 10.0),
            ty = Tenths(ny + NODE_H / 2.0 + 5.0),
            sx = Tenths(nx + NODE_W - 8.0),
            label = Esc(&label),
            sym = decision_symbol(n.decision),
        );
    }
    s.push_str("</svg>");
    s
}

/// A coordinate to one decimal place. `format!("{:.1}")` takes the float
/// formatter's exact-precision path, which was 2% of a build in the
/// dependency graphs alone; the layout's coordinates are multiples of a
/// half, so rounding to tenths here writes the same digits.
struct Tenths(f64);

impl std::fmt::Display for Tenths {
    /// The whole part through the integer formatter directly and the
    /// decimal as one `write_str`: a nested `write!` per coordinate cost
    /// more than the rest of the graph's formatting.
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        const DECIMALS: [&str; 10] = [".0", ".1", ".2", ".3", ".4", ".5", ".6", ".7", ".8", ".9"];
        let tenths = (self.0 * 10.0).round() as i64;
        if tenths < 0 {
            f.write_str("-")?;
        }
        let abs = tenths.unsigned_abs();
        std::fmt::Display::fmt(&(abs / 10), f)?;
        f.write_str(DECIMALS[(abs % 10) as usize])
    }
}

fn decision_symbol(d: &str) -> &'static str {
    match d {
        "promoted" => "★",
        "ready" => "✓",
        _ => "✕",
    }
}

/// Longest path from the sources: a node sits one column right of its deepest dependency.
fn layers(deps: &[Vec<usize>]) -> Vec<usize> {
    let n = deps.len();
    let mut layer = vec![0usize; n];
    // Relax up to n times; cycles (which validation reports) simply stop growing at n.
    for _ in 0..n {
        let mut changed = false;
        for a in 0..n {
            for &b in &deps[a] {
                if layer[a] < layer[b] + 1 && layer[b] < n {
                    layer[a] = layer[b] + 1;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    layer
}

/// Nodes per column, ordered by the average row of their neighbours to reduce crossings.
fn order_columns(layer: &[usize], deps: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let depth = layer.iter().copied().max().unwrap_or(0);
    let mut cols: Vec<Vec<usize>> = vec![Vec::new(); depth + 1];
    for (i, &l) in layer.iter().enumerate() {
        cols[l].push(i);
    }
    let mut neighbours: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); layer.len()];
    for (a, ds) in deps.iter().enumerate() {
        for &b in ds {
            neighbours[a].insert(b);
            neighbours[b].insert(a);
        }
    }
    for _ in 0..4 {
        let mut row = vec![0.0f64; layer.len()];
        for col in &cols {
            for (r, &n) in col.iter().enumerate() {
                row[n] = r as f64;
            }
        }
        for col in cols.iter_mut().skip(1) {
            col.sort_by(|&a, &b| {
                let key = |n: usize| {
                    let ns = &neighbours[n];
                    if ns.is_empty() { row[n] } else { ns.iter().map(|&m| row[m]).sum::<f64>() / ns.len() as f64 }
                };
                key(a).total_cmp(&key(b)).then(a.cmp(&b))
            });
        }
    }
    cols
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str) -> GraphNode {
        GraphNode {
            id: id.into(),
            label: format!("<{id}>"),
            decision: "ready",
            href: format!("{id}.html"),
            role: NodeRole::Normal,
        }
    }

    #[test]
    fn esc_replaces_the_five_markup_characters_and_keeps_the_rest() {
        let esc = |s: &str| Esc(s).to_string();
        assert_eq!(esc(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
        assert_eq!(esc("Zürich → <Ω>"), "Zürich → &lt;Ω&gt;");
        assert_eq!(esc(""), "");
        assert_eq!(esc("&&"), "&amp;&amp;");
    }

    #[test]
    fn tenths_write_one_decimal() {
        let shown: Vec<String> =
            [0.0, 30.5, 268.0, -2.5, 1234.25, -0.04, 0.96, -1e6].iter().map(|v| Tenths(*v).to_string()).collect();
        assert_eq!(shown, ["0.0", "30.5", "268.0", "-2.5", "1234.3", "0.0", "1.0", "-1000000.0"]);
    }

    #[test]
    fn dependencies_sit_left_of_dependants() {
        let nodes = vec![node("a"), node("b"), node("c")];
        let edges = vec![("a".to_string(), "b".to_string()), ("b".to_string(), "c".to_string())];
        let svg = dependency_graph(&nodes, &edges, "t");
        let x_of = |label: &str| {
            let at = svg.find(&format!("&lt;{label}&gt;</text>")).unwrap();
            let rect = svg[..at].rfind("<rect x=\"").unwrap();
            svg[rect + 9..].split('"').next().unwrap().parse::<f64>().unwrap()
        };
        assert!(x_of("c") < x_of("b") && x_of("b") < x_of("a"), "{svg}");
        assert!(!svg.contains("<a>") && !svg.contains("<c>"), "labels are escaped");
    }

    #[test]
    fn long_labels_end_before_the_symbol_and_keep_the_full_name_as_tooltip() {
        let mut long = node("crm");
        long.label = "Customer relationship management".into();
        long.role = NodeRole::Focus;
        let mut wide = node("mmm");
        wide.label = "MMMMMMMMMMMMMMMMMM".into();
        let svg = dependency_graph(&[long, wide], &[], "t");
        for full in ["Customer relationship management", "MMMMMMMMMMMMMMMMMM"] {
            assert!(svg.contains(&format!("<title>{full}: ready</title>")), "{svg}");
            assert!(!svg.contains(&format!(">{full}</text>")), "{full} is drawn whole: {svg}");
        }
        for (label, bold) in [("Customer rel", true), ("MMMMMMMMM", false)] {
            // `">` ends the text element's attributes (the tooltip's `<title>` has none).
            let at = svg.find(&format!("\">{label}")).unwrap_or_else(|| panic!("{label} in {svg}"));
            let shown = svg[at + 2..].split('<').next().unwrap();
            assert!(shown.ends_with('…'), "{shown}");
            assert!(super::super::textwidth::width(shown, FONT_PX, bold) <= LABEL_W, "{shown}");
        }
    }

    #[test]
    fn wide_layers_wrap() {
        let nodes: Vec<GraphNode> = (0..50).map(|i| node(&format!("w{i}"))).collect();
        let svg = dependency_graph(&nodes, &[], "t");
        let width: f64 = svg.split("width=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        let height: f64 = svg.split("height=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        assert!(height < 800.0 && width > 800.0, "{width}x{height}");
    }

    #[test]
    fn bars_describe_themselves() {
        let svg = stacked_bar(
            &[
                Part { class: "promoted", label: "promoted", value: 1 },
                Part { class: "blocked", label: "blocked", value: 3 },
            ],
            100,
            10,
        );
        assert!(svg.contains(r#"aria-label="1 promoted, 3 blocked of 4""#), "{svg}");
        assert!(svg.contains(r#"width="25.00""#), "{svg}");
    }
}
