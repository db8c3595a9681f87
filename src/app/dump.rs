//! `gateway dump`: the gateway's entities as a decK file.

use super::{connect, render, Outcome};
use crate::admin;
use crate::model::kinds;
use crate::cli::{DumpArgs, OptIn};
use crate::node::Node;
use crate::source::Loc;
use anyhow::{anyhow, Context as _};
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

pub fn run(args: &DumpArgs) -> anyhow::Result<Outcome> {
    let client = connect::client(&args.conn)?;
    let info = client.info()?;
    // what a config with nothing in it governs (the default kinds, or RBAC alone), and what was asked for
    let mut kinds = crate::plan::scope(&crate::model::Config::default(), args.rbac_resources_only).unwrap_or_default();
    for extra in &args.include {
        kinds.extend(match extra {
            OptIn::Licenses => &["licenses"][..],
            OptIn::PluginDefinitions => &["cloned_plugins", "custom_plugins"][..],
            OptIn::DegraphqlRoutes => &["degraphql_routes"][..],
            OptIn::GraphqlRatelimitingCostDecorations => &["graphql_ratelimiting_cost_decorations"][..],
        });
    }
    let current = admin::state::fetch(&client, &info, &args.select_tags, &kinds).map_err(|e| anyhow!("reading the gateway's state: {e}"))?;
    // with definitions asked for, syncing the dump manages them too, even when there are none
    let doc = document(&current, &args.select_tags, args.include.contains(&OptIn::PluginDefinitions));
    let body = render::serialize(&Node::from_json(&doc, Loc::default()), args.format.unwrap_or(args.output))?;
    let note = if args.format.is_some() { render::FORMAT_DEPRECATED } else { "" };
    match &args.output_file {
        Some(p) => {
            render::write_atomically(p, &body).with_context(|| format!("writing {}", p.display()))?;
            Ok(Outcome { stderr: format!("{note}wrote {} ({} entities)\n", p.display(), current.len()), ..Default::default() })
        }
        None => Ok(Outcome { stdout: body, stderr: note.into(), ..Default::default() }),
    }
}

/// Kinds decK nests under a parent: (kind, parent kind, foreign-key field, key in the parent).
const NESTED: &[(&str, &str, &str, &str)] = &[
    ("targets", "upstreams", "upstream", "targets"),
    ("snis", "certificates", "certificate", "snis"),
    ("keyauth_credentials", "consumers", "consumer", "keyauth_credentials"),
    ("basicauth_credentials", "consumers", "consumer", "basicauth_credentials"),
    ("acls", "consumers", "consumer", "acls"),
    ("jwt_secrets", "consumers", "consumer", "jwt_secrets"),
    ("hmacauth_credentials", "consumers", "consumer", "hmacauth_credentials"),
    ("oauth2_credentials", "consumers", "consumer", "oauth2_credentials"),
    ("consumer_group_consumers", "consumers", "consumer", "groups"),
    ("mtls_auth_credentials", "consumers", "consumer", "mtls_auth_credentials"),
    ("keys", "key_sets", "set", "keys"),
    ("rbac_endpoint_permissions", "rbac_roles", "role", "endpoint_permissions"),
];

/// A decK document: top-level collections, children nested the way decK nests them,
/// references by name where the target has one.
pub fn document(current: &[crate::plan::Current], select_tags: &[String], include_plugin_definitions: bool) -> Json {
    let mut names: HashMap<String, String> = HashMap::new();
    for c in current {
        let id = c.body.get("id").and_then(Json::as_str);
        let name = c.body.get("name").or_else(|| c.body.get("username")).and_then(Json::as_str);
        if let (Some(id), Some(n)) = (id, name) {
            names.insert(id.to_string(), n.to_string());
        }
    }
    let clean = |kind: &kinds::Kind, body: &Json| -> Json {
        let mut b = body.clone();
        crate::plan::normalize::drop_nulls(&mut b);
        if let Json::Object(m) = &mut b {
            m.retain(|k, _| !matches!(k.as_str(), "created_at" | "updated_at" | "ws_id"));
            for (field, _) in kind.foreign {
                if let Some(id) = m.get(*field).and_then(|f| f.get("id")).and_then(Json::as_str) {
                    if let Some(n) = names.get(id) {
                        m.insert(field.to_string(), Json::String(n.clone()));
                    }
                }
            }
            if let Some(Json::Array(tags)) = m.get_mut("tags") {
                tags.retain(|t| !select_tags.iter().any(|s| t.as_str() == Some(s)));
                if tags.is_empty() {
                    m.remove("tags");
                }
            }
        }
        b
    };
    let sort_key = |b: &Json| b.get("name").or_else(|| b.get("username")).or_else(|| b.get("target")).or_else(|| b.get("endpoint")).or_else(|| b.get("type_path")).or_else(|| b.get("id")).map(|v| v.to_string()).unwrap_or_default();
    // children by parent id
    let mut children: HashMap<(String, &str), Vec<Json>> = HashMap::new();
    for &(kind_key, _, field, child_key) in NESTED {
        let kind = kinds::kind(kind_key).expect("nested kinds are known");
        for c in current.iter().filter(|c| c.kind == kind_key) {
            let Some(parent) = c.body.get(field).and_then(|f| f.get("id")).and_then(Json::as_str) else { continue };
            let item = if kind_key == "consumer_group_consumers" {
                let group = c.body.get("consumer_group").and_then(|g| g.get("id")).and_then(Json::as_str).unwrap_or("");
                serde_json::json!({ "name": names.get(group).cloned().unwrap_or_else(|| group.to_string()) })
            } else {
                let mut item = clean(kind, &c.body);
                if let Json::Object(m) = &mut item {
                    m.remove(field);
                    if kind_key == "rbac_endpoint_permissions" {
                        m.remove("id"); // ours, not Kong's
                    }
                }
                item
            };
            children.entry((parent.to_string(), child_key)).or_default().push(item);
        }
    }
    let mut doc = Map::new();
    doc.insert("_format_version".into(), Json::String("3.0".into()));
    let mut info = Map::new();
    if !select_tags.is_empty() {
        info.insert("select_tags".into(), serde_json::json!(select_tags));
    }
    if current.iter().any(|c| c.kind == "basicauth_credentials") {
        // Kong only returns password hashes; say so, as decK does
        info.insert("skip_hash_for_basic_auth".into(), Json::Bool(true));
    }
    if include_plugin_definitions {
        info.insert("include_plugin_definitions".into(), Json::Bool(true));
    }
    if !info.is_empty() {
        doc.insert("_info".into(), Json::Object(info));
    }
    for kind in kinds::KINDS.iter().filter(|k| !NESTED.iter().any(|n| n.0 == k.key)) {
        let mut items: Vec<Json> = current
            .iter()
            .filter(|c| c.kind == kind.key)
            .map(|c| {
                let mut item = clean(kind, &c.body);
                let id = c.body.get("id").and_then(Json::as_str).unwrap_or("").to_string();
                if let Json::Object(m) = &mut item {
                    for &(_, parent_kind, _, child_key) in NESTED {
                        if parent_kind != kind.key {
                            continue;
                        }
                        if let Some(mut list) = children.remove(&(id.clone(), child_key)) {
                            list.sort_by_key(|b| sort_key(b));
                            m.insert(child_key.to_string(), Json::Array(list));
                        }
                    }
                }
                item
            })
            .collect();
        if items.is_empty() {
            continue;
        }
        items.sort_by_key(|b| sort_key(b));
        if crate::model::CUSTOM_ENTITY_KINDS.contains(&kind.key) {
            // decK's file format has them as custom entities, `{type, id, fields}`, the service
            // named the way the other references are (decK's own dumps of cost decorations keep
            // Kong's `{id}`: GDR pkg/state/builder.go `buildGraphqlRateLimitingCostDecorationFromCustomEntity`)
            let entities = items.into_iter().map(|mut fields| {
                let id = fields.as_object_mut().and_then(|m| m.remove("id"));
                match fields.get("service").cloned() {
                    Some(Json::String(service)) => fields["service"] = serde_json::json!({ "name": service }),
                    Some(Json::Object(mut s)) => {
                        s.retain(|k, _| k == "id");
                        fields["service"] = Json::Object(s);
                    }
                    _ => {}
                }
                let mut e = serde_json::json!({ "type": kind.key, "fields": fields });
                if let Some(id) = id {
                    e["id"] = id;
                }
                e
            });
            if let Json::Array(list) = doc.entry("custom_entities").or_insert_with(|| Json::Array(Vec::new())) {
                list.extend(entities);
            }
            continue;
        }
        doc.insert(kind.key.into(), Json::Array(items));
    }
    Json::Object(doc)
}
