//! AI proxy templates against the routes they run on: every `$(uri_captures.X)` must be a
//! named group of every regex path of every route the plugin applies to.

use crate::ai_proxy::template::{placeholders, Source};
use crate::diagnostic::Diagnostic;
use crate::model::{Config, Entity};
use crate::node::{Node, Value};
use crate::router::pattern;
use crate::rules;
use std::collections::BTreeSet;

/// The `model` records of an AI proxy plugin, with their field paths.
pub fn model_nodes(plugin: &Entity) -> Vec<(String, &Node)> {
    let Some(config) = plugin.node.get_set("config") else { return Vec::new() };
    match plugin.node.get_str("name") {
        Some("ai-proxy") => config.get_set("model").map(|m| vec![("config.model".to_string(), m)]).unwrap_or_default(),
        Some("ai-proxy-advanced") => config
            .get("targets")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.get_set("model").map(|m| (format!("config.targets[{i}].model"), m)))
            .collect(),
        _ => Vec::new(),
    }
}

/// What a route's paths capture: for each path, `None` for a prefix path, else the
/// regex's group names. An expression route (Kong's expressions flavor) captures the named
/// groups of its regex conditions (router::atc::engine::capture_names).
fn route_captures(route: &Entity) -> Vec<(&Node, Option<Vec<String>>)> {
    if let Some(expr) = route.node.get_set("expression") {
        let names = expr.as_str().and_then(crate::router::atc::engine::capture_names);
        return names.map(|n| vec![(expr, Some(n))]).unwrap_or_default();
    }
    let paths = route.node.get("paths").and_then(Node::as_seq).unwrap_or(&[]);
    paths
        .iter()
        .filter_map(|p| {
            let s = p.as_str()?;
            if !s.starts_with('~') {
                return Some((p, None));
            }
            pattern::compile(s).ok().map(|re| (p, Some(pattern::capture_names(&re))))
        })
        .collect()
}

pub fn check(config: &Config, out: &mut Vec<Diagnostic>) {
    for plugin in config.of_kind("plugins") {
        let models = model_nodes(plugin);
        if models.is_empty() {
            continue;
        }
        let label = plugin.label();
        let routes = config.routes_for_plugin(plugin);
        let mut requirements: BTreeSet<(Source, String)> = BTreeSet::new();
        for (base, model) in models {
            model.walk_strings(&base, &mut |field, node| {
                let Value::Str(s) = &node.value else { return };
                let found = match placeholders(s) {
                    Ok(f) => f,
                    Err(e) => {
                        let rule = match e {
                            crate::ai_proxy::template::TemplateError::Parse(_) => &rules::TEMPLATE_SYNTAX,
                            crate::ai_proxy::template::TemplateError::Source(_) => &rules::TEMPLATE_SOURCE,
                        };
                        out.push(
                            Diagnostic::new(rule, e.to_string())
                                .at(node.loc)
                                .entity(&label)
                                .field(field)
                                .hint("templates are $(headers.NAME), $(uri_captures.NAME) or $(query_params.NAME)"),
                        );
                        return;
                    }
                };
                for p in found {
                    if p.source != Source::UriCaptures {
                        requirements.insert((p.source, p.key.clone()));
                        continue;
                    }
                    for route in &routes {
                        check_capture(route, &p.key, node, field, &label, out);
                    }
                }
            });
        }
        for (source, key) in requirements {
            let what = match source {
                Source::Headers => format!("header `{key}`"),
                _ => format!("query parameter `{key}`"),
            };
            out.push(
                Diagnostic::new(&rules::REQUEST_REQUIREMENT, format!("requests must carry {what}; without it Kong answers 400 \"{source} key {key} was not provided\""))
                    .at(plugin.node.loc)
                    .entity(&label),
            );
        }
    }
}

fn check_capture(route: &Entity, key: &str, node: &Node, field: &str, label: &str, out: &mut Vec<Diagnostic>) {
    let caps = route_captures(route);
    let route_label = route.label();
    let not_provided = format!("Kong answers 400 \"uri_captures key {key} was not provided\"");
    if caps.is_empty() {
        out.push(
            Diagnostic::new(&rules::UNDEFINED_URI_CAPTURE, format!("`$(uri_captures.{key})` cannot resolve on {route_label}: the route has no regex path, so it captures nothing; {not_provided}"))
                .at(node.loc)
                .entity(label)
                .field(field)
                .hint(format!("give {route_label} a regex path with a named group, e.g. `~/.../(?<{key}>[^/]+)`")),
        );
        return;
    }
    for (path_node, names) in caps {
        let path = path_node.as_str().unwrap_or("");
        let at = path_node.loc.line;
        match names {
            None => out.push(
                Diagnostic::new(&rules::UNDEFINED_URI_CAPTURE, format!("`$(uri_captures.{key})` cannot resolve on {route_label}: path '{path}' (line {at}) is a prefix path and captures nothing; {not_provided}"))
                    .at(node.loc)
                    .entity(label)
                    .field(field)
                    .hint(format!("use a regex path such as `~{}(?<{key}>[^/]+)`", path.trim_end_matches('/').to_string() + "/")),
            ),
            Some(names) if !names.iter().any(|n| n == key) => {
                let have = if names.is_empty() { "no named groups".to_string() } else { format!("named groups: {}", names.join(", ")) };
                let what = if route.node.get_set("expression").is_some() { "expression" } else { "path" };
                let mut d = Diagnostic::new(&rules::UNDEFINED_URI_CAPTURE, format!("`$(uri_captures.{key})` names a capture that {route_label} does not have: {what} '{path}' (line {at}) has {have}; {not_provided}"))
                    .at(node.loc)
                    .entity(label)
                    .field(field);
                d = match crate::diagnostic::did_you_mean(key, names.iter().map(String::as_str)) {
                    Some(s) => d.hint(format!("did you mean `$(uri_captures.{s})`?")),
                    None => d.hint(format!("add a named group `(?<{key}>...)` to the path")),
                };
                out.push(d);
            }
            _ => {}
        }
    }
}
