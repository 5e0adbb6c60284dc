//! `site.yaml` into [`Site`].

use super::fields::{self, Fields, Sink};
use super::keys;
use crate::core::approvers::Approver;
use crate::core::diagnostics::{Code, Diagnostic};
use crate::core::model::{ProvenancePolicy, Release, ReleaseId, Site};
use crate::load::yaml::{Node, Value};

pub fn from_node(node: &Node, file: &str, diags: &mut Vec<Diagnostic>) -> Site {
    let mut sink = Sink::new(file, 0, diags);
    let mut site = Site::default();
    let Some(top) = Fields::of(&mut sink, node, "site.yaml") else {
        return site;
    };
    top.check_keys(&mut sink, keys::SITE, "site.yaml");
    if let Some(t) = top.get("title").and_then(|n| fields::text(&mut sink, n, "title")) {
        site.title = t;
    }
    site.organisation = top.get("organisation").and_then(|n| fields::text(&mut sink, n, "organisation"));
    site.base_url = top.get("base_url").and_then(|n| base_url(&mut sink, n));
    site.as_of = top.get("as_of").and_then(|n| fields::date(&mut sink, n, "as_of"));
    if let Some(days) =
        top.get("decommission_hold_days").and_then(|n| fields::count(&mut sink, n, "decommission_hold_days"))
    {
        site.decommission_hold_days = days;
    }
    if let Some(days) = top.get("attention_days").and_then(|n| fields::count(&mut sink, n, "attention_days")) {
        site.attention_days = days;
    }
    if let Some(n) = top.get("history_days") {
        site.history_days_at = (n.pos.line, n.pos.column);
        if let Some(days) = fields::count(&mut sink, n, "history_days") {
            site.history_days = days;
        }
    }
    if let Some(n) = top.get("approvers") {
        read_approvers(&mut sink, n, &mut site);
    }
    if let Some(n) = top.get("signoff_provenance") {
        signoff_provenance(&mut sink, n, &mut site);
    }
    if let Some(list) = top.get("releases").and_then(|n| fields::list(&mut sink, n, "releases")) {
        for n in list {
            read_release(&mut sink, n, &mut site.releases);
        }
    }
    site
}

/// The prefix of every page's canonical link: a path (`/`, `/readiness/`) or
/// an address. It is held to the scheme rule of URL fields, so that no
/// `javascript:` or other-scheme value reaches a page.
fn base_url(sink: &mut Sink, node: &Node) -> Option<String> {
    let text = fields::text(sink, node, "base_url")?;
    // As a browser reads it (the sanitiser's view), with `\` as `/`.
    let seen = crate::load::sanitize::browser_view(&text).replace('\\', "/");
    let path = seen.starts_with('/') && !seen.starts_with("//");
    match super::links::resolve(&seen, super::links::Allowed::Web, &Default::default()) {
        Err(e) if e.code == Code::E0403 && !path => {
            let help = "write a path such as / or /readiness/, or the https address the site is published at";
            sink.report(e.code, node.pos, e.message, Some(help.into()));
            None
        }
        _ => Some(text),
    }
}

fn read_approvers(sink: &mut Sink, node: &Node, site: &mut Site) {
    let Some(map) = Fields::of(sink, node, "approvers") else {
        return;
    };
    for (key, people) in map.entries {
        if !crate::core::model::is_valid_id(&key.name) {
            sink.report(
                Code::E0207,
                key.pos,
                format!("`{}` is not a valid role name", key.name),
                Some("role names are ids: lower-case letters, digits and `-`".into()),
            );
            continue;
        }
        let Some(list) = fields::list(sink, people, &key.name) else {
            continue;
        };
        let members = list.iter().filter_map(|p| read_approver(sink, p, &key.name)).collect();
        site.approvers.0.insert(key.name.clone(), members);
    }
}

/// A role entry: a person, or a map with `person`, `since`, `until` and `keys`.
fn read_approver(sink: &mut Sink, node: &Node, role: &str) -> Option<Approver> {
    if !matches!(node.value, Value::Map(_)) {
        return fields::text(sink, node, role).map(|p| Approver::plain(&p));
    }
    let f = Fields::of(sink, node, "an approver")?;
    f.check_keys(sink, keys::APPROVER, "an approver");
    let person = f.get("person").and_then(|n| fields::text(sink, n, "person"));
    let since = f.get("since").and_then(|n| fields::date(sink, n, "since"));
    let until = f.get("until").and_then(|n| fields::date(sink, n, "until"));
    if let (Some(s), Some(u), Some(n)) = (since, until, f.get("since"))
        && s > u
    {
        sink.report(
            Code::E0209,
            n.pos,
            format!("`since` ({s}) is after `until` ({u})"),
            Some("`since` is the first day of the membership and `until` the last; swap them or fix one".into()),
        );
    }
    let mut keys_out = Vec::new();
    if let Some(list) = f.get("keys").and_then(|n| fields::list(sink, n, "keys")) {
        for k in list {
            let Some(line) = fields::text(sink, k, "keys") else { continue };
            match crate::load::git::parse_public_key(&line).map(|_| ()) {
                Ok(()) => keys_out.push(line.trim().to_string()),
                Err(why) => sink.report(
                    Code::E0205,
                    k.pos,
                    format!("this is not an OpenSSH public key: {why}"),
                    Some(
                        "paste one line of the signer's `.pub` file, such as `ssh-ed25519 AAAAC3Nza... ines@laptop`"
                            .into(),
                    ),
                ),
            }
        }
    }
    Some(Approver { person: person?, since, until, keys: keys_out })
}

fn signoff_provenance(sink: &mut Sink, node: &Node, site: &mut Site) {
    let names: Vec<&str> = ProvenancePolicy::ALL.iter().map(|p| p.as_str()).collect();
    if let Some(p) = fields::one_of(sink, node, "signoff_provenance", &names).and_then(|s| ProvenancePolicy::parse(&s))
    {
        site.signoff_provenance = p;
        site.signoff_provenance_at = (node.pos.line, node.pos.column);
    }
}

fn read_release(sink: &mut Sink, node: &Node, releases: &mut Vec<Release>) {
    let Some(f) = Fields::of(sink, node, "a release") else {
        return;
    };
    f.check_keys(sink, keys::RELEASE, "a release");
    let id = f.get("id").and_then(|n| fields::id(sink, n, "id"));
    let title = f.get("title").and_then(|n| fields::text(sink, n, "title"));
    let target = f.get("target").and_then(|n| fields::date(sink, n, "target"));
    let Some(id) = id else { return };
    if releases.iter().any(|r| r.id.0 == id) {
        sink.report(Code::E0305, node.pos, format!("release `{id}` is defined twice"), None);
        return;
    }
    releases.push(Release { title: title.unwrap_or_else(|| id.clone()), id: ReleaseId(id), target });
}
