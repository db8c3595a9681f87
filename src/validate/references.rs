//! References between entities and their identity: foreign keys resolve, names and ids
//! are unique per kind, ids are UUIDs, one plugin instance per name and scope.

use crate::diagnostic::Diagnostic;
use crate::model::{reference, Config, Entity};
use crate::rules;
use std::collections::HashMap;

/// (field, kind it points at) for every foreign key an entity kind can carry.
fn foreign_keys(kind: &str) -> &'static [(&'static str, &'static str)] {
    crate::model::kinds::kind(kind).map(|k| k.foreign).unwrap_or(&[])
}

pub fn check(config: &Config, out: &mut Vec<Diagnostic>) {
    for ent in &config.entities {
        for (field, kind) in foreign_keys(ent.kind) {
            let Some(r) = reference(&ent.node, field) else { continue };
            if crate::model::CUSTOM_ENTITY_KINDS.contains(&ent.kind) && ent.node.get(field).is_some_and(|f| !f.is_map()) {
                continue; // decK reads no name from it: "service field should be a map" (deck_file.rs)
            }
            if r.key.starts_with(&format!("{kind}[")) {
                continue; // an unnamed parent, linked by position
            }
            if config.find(kind, &r.key).is_none() {
                let singular = kind.trim_end_matches('s').replace('_', " ");
                if let Some(tags) = config.lookup_tags_for(kind) {
                    // consumers also come along as members of the looked-up consumer groups
                    let among = if *kind == "consumers" && !config.lookup_tags.iter().any(|(k, _)| *k == "consumers") {
                        "consumer groups (with their consumers)"
                    } else {
                        kind
                    };
                    out.push(external(&singular, &r.key, among, tags).at(r.loc).entity(ent.label()).field(*field));
                    continue;
                }
                out.push(
                    Diagnostic::new(&rules::UNKNOWN_REFERENCE, format!("{singular} '{}' is not defined in the config", r.key))
                        .at(r.loc)
                        .entity(ent.label())
                        .field(*field)
                        .hint(format!("define it under `{kind}:` or fix the name")),
                );
            }
        }
        if let Some(id_node) = ent.node.get_set("id") {
            if let Some(id) = id_node.as_str() {
                if uuid::Uuid::try_parse(id).is_err() || id.len() != 36 {
                    out.push(Diagnostic::new(&rules::INVALID_ID, "expected a valid UUID").at(id_node.loc).entity(ent.label()).field("id"));
                }
            }
        }
    }
    check_unique(config, out);
}

/// decK resolves a reference the file lacks from the gateway, among the entities tagged with
/// `_info.default_lookup_tags` (go-database-reconciler `pkg/dump/dump.go`): not checkable offline.
pub(crate) fn external(singular: &str, key: &str, kind: &str, tags: &[String]) -> Diagnostic {
    Diagnostic::new(
        &rules::EXTERNAL_REFERENCE,
        format!(
            "{singular} '{key}' is not in this config: decK looks it up in the gateway at sync time, among the {kind} tagged {}",
            tags.join(", ")
        ),
    )
    .hint("`_info.default_lookup_tags` names entities managed by another file; make sure that file is synced first")
}

fn check_unique(config: &Config, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(&str, &str, String), &Entity> = HashMap::new();
    for ent in &config.entities {
        let mut keys: Vec<(&str, String)> = Vec::new();
        if let Some(id) = ent.id() {
            keys.push(("id", id.to_string()));
        }
        match ent.kind {
            "services" | "routes" | "upstreams" | "consumer_groups" | "snis" | "vaults" | "partials" | "keys" | "key_sets" => {
                // a vault's `name` is its type (env, aws, ...); vaults are unique by `prefix`
                // (kong/db/schema/entities/vaults.lua)
                if let Some(n) = ent.node.get_str("name").filter(|_| ent.kind != "vaults") {
                    keys.push(("name", n.to_string()));
                }
                if ent.kind == "vaults" {
                    if let Some(p) = ent.node.get_str("prefix") {
                        keys.push(("prefix", p.to_string()));
                    }
                }
            }
            "consumers" => {
                for f in ["username", "custom_id"] {
                    if let Some(v) = ent.node.get_str(f) {
                        keys.push((f, v.to_string()));
                    }
                }
            }
            // decK tells cost decorations apart by type_path alone (GDR pkg/state/
            // graphql_ratelimiting_cost_decoration.go, a unique `typePath` index; pkg/file/builder.go
            // `ingestGraphqlRateLimitingCostDecoration` matches by it): two with one type_path
            // would be the same decoration on the next sync
            "graphql_ratelimiting_cost_decorations" => {
                if let Some(tp) = ent.node.get_str("type_path") {
                    keys.push(("type_path", tp.to_string()));
                }
            }
            "targets" => {
                if let (Some(t), Some(u)) = (ent.node.get_str("target"), reference(&ent.node, "upstream")) {
                    keys.push(("target", format!("{}@{}", t, u.key)));
                }
            }
            "plugins" => {
                let name = ent.node.get_str("name").unwrap_or("");
                let scope: Vec<String> = ["route", "service", "consumer", "consumer_group"]
                    .iter()
                    .map(|s| resolve(config, &ent.node, s).unwrap_or_default())
                    .collect();
                // AI Gateway 2.0 also scopes a plugin by `model`
                let model = ent.node.get_str("model").unwrap_or("");
                keys.push(("scope", format!("{name}|{}|{model}", scope.join("|"))));
            }
            _ => {}
        }
        for (field, value) in keys {
            let key = (ent.kind, field, value.clone());
            match seen.get(&key) {
                Some(first) => {
                    let (rule, msg) = if ent.kind == "plugins" && field == "scope" {
                        (
                            &rules::DUPLICATE_PLUGIN,
                            format!("plugin '{}' is already configured for this scope ({})", ent.node.get_str("name").unwrap_or(""), first.label()),
                        )
                    } else if field == "id" {
                        (&rules::DUPLICATE_ID, format!("uniqueness violation: '{}' entity with primary key set to '{value}' already declared", ent.kind))
                    } else {
                        (&rules::DUPLICATE_NAME, format!("uniqueness violation: '{}' entity with {field} set to '{value}' already declared", ent.kind))
                    };
                    let loc = ent.node.get(field).map(|n| n.loc).unwrap_or(ent.node.loc);
                    let first_loc = first.node.loc;
                    out.push(
                        Diagnostic::new(rule, msg)
                            .at(loc)
                            .entity(ent.label())
                            .field(if field == "scope" { "name" } else { field })
                            .hint(format!("first declared at {}:{}", first_loc.line, first_loc.column)),
                    );
                }
                None => {
                    seen.insert(key, ent);
                }
            }
        }
    }
}

/// A plugin's scope reference resolved to the target entity's id or name, so `{id}` and a
/// name for the same entity compare equal.
fn resolve(config: &Config, node: &crate::node::Node, scope: &str) -> Option<String> {
    let r = reference(node, scope)?;
    let kind = match scope {
        "route" => "routes",
        "service" => "services",
        "consumer" => "consumers",
        _ => "consumer_groups",
    };
    Some(match config.find(kind, &r.key) {
        Some(e) => e.path.clone(),
        None => r.key,
    })
}
