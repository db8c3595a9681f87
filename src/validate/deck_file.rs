//! What decK itself refuses in a file, beyond Kong's schemas: custom entities it does not
//! know, partial links, cloned plugin definitions, and the rate-limiting-advanced
//! `consumer_groups` guard.

use crate::diagnostic::Diagnostic;
use crate::model::{Config, Entity};
use crate::node::{Node, Value};
use crate::rules;

pub fn check(config: &Config, schemas: &crate::schema::kong::Schemas, out: &mut Vec<Diagnostic>) {
    for ent in &config.entities {
        match ent.kind {
            "custom_entities" => custom_entity(ent, out),
            "cloned_plugins" => cloned_plugin(config, schemas, ent, out),
            "plugins" => {
                partials(config, ent, out);
                rla_consumer_groups(config, ent, out);
            }
            _ => {}
        }
    }
}

/// go-database-reconciler `pkg/file/builder.go` `customEntities`: unknown types stop decK with
/// "custom entity X is not supported". This tool syncs DeGraphQL routes only (src/plan/scope.rs).
fn custom_entity(ent: &Entity, out: &mut Vec<Diagnostic>) {
    let ty = ent.node.get("type");
    let name = ty.and_then(Node::as_str).unwrap_or("");
    let message = match name {
        "graphql_ratelimiting_cost_decorations" => "custom entity graphql_ratelimiting_cost_decorations: decK syncs it, but this tool does not; of custom entities only `type: degraphql_routes` is supported".to_string(),
        "" => "custom entity without a `type`: only `type: degraphql_routes` is supported".to_string(),
        other => format!("custom entity {other} is not supported"),
    };
    out.push(
        Diagnostic::new(&rules::UNSUPPORTED_CUSTOM_ENTITY, message)
            .at(ty.map(|t| t.loc).unwrap_or(ent.node.loc))
            .entity(ent.label())
            .field("type"),
    );
}

/// A cloned plugin definition copies an existing plugin, named by `ref`: a plugin the gateway
/// bundles or a custom plugin the file defines. decK's sync fails otherwise (its test
/// sync/054-cloned-plugin-definitions/kong-fake.yaml, "fails with invalid plugin ref").
fn cloned_plugin(config: &Config, schemas: &crate::schema::kong::Schemas, ent: &Entity, out: &mut Vec<Diagnostic>) {
    let Some(r) = ent.node.get_set("ref") else { return }; // the schema asks for it
    let Some(name) = r.as_str() else { return };
    let custom = config.of_kind("custom_plugins").any(|p| p.node.get_str("name") == Some(name));
    if schemas.plugin(name).is_none() && !custom {
        out.push(
            Diagnostic::new(&rules::UNKNOWN_REFERENCE, format!("cloned plugin ref '{name}' is not a plugin: no bundled plugin or custom plugin of the config has that name"))
                .at(r.loc)
                .entity(ent.label())
                .field("ref")
                .hint("`ref` names the plugin the clone copies (rate-limiting, key-auth, ...)"),
        );
    }
}

/// The partial type a plugin's `supported_partials` takes (Kong's plugin schemas; only the
/// plugins whose Redis settings are partials).
fn partial_type(plugin: &str) -> Option<&'static str> {
    match plugin {
        "rate-limiting" | "response-ratelimiting" => Some("redis-ce"),
        "rate-limiting-advanced" | "openid-connect" | "proxy-cache-advanced" | "graphql-rate-limiting-advanced"
        | "graphql-proxy-cache-advanced" | "ai-rate-limiting-advanced" | "saml" => Some("redis-ee"),
        _ => None,
    }
}

/// go-database-reconciler `pkg/file/builder.go` `findLinkedPartials`: every link names a
/// partial by id or name, and the partial must exist (in the file, or in the gateway when
/// `_info.default_lookup_tags.partials` is set).
fn partials(config: &Config, ent: &Entity, out: &mut Vec<Diagnostic>) {
    let Some(links) = ent.node.get_set("partials").and_then(Node::as_seq) else { return };
    let plugin = ent.node.get_str("name").unwrap_or("?");
    for (i, link) in links.iter().enumerate() {
        let field = format!("partials[{i}]");
        let key = match &link.value {
            Value::Map(_) => link.get_str("id").or_else(|| link.get_str("name")),
            _ => None,
        };
        let Some(key) = key else {
            out.push(
                Diagnostic::new(&rules::UNKNOWN_REFERENCE, format!("partial for plugin {plugin}: either partial ID or name is required"))
                    .at(link.loc)
                    .entity(ent.label())
                    .field(field),
            );
            continue;
        };
        match config.find("partials", key) {
            Some(p) => {
                let (Some(want), Some(got)) = (partial_type(plugin), p.node.get_str("type")) else { continue };
                if want != got {
                    out.push(
                        Diagnostic::new(&rules::PARTIAL_TYPE, format!("plugin {plugin} takes partials of type {want}; partial '{key}' is of type {got}"))
                            .at(link.loc)
                            .entity(ent.label())
                            .field(field),
                    );
                }
            }
            None => match config.lookup_tags_for("partials") {
                Some(tags) => out.push(super::references::external("partial", key, "partials", tags).at(link.loc).entity(ent.label()).field(field)),
                None => out.push(
                    Diagnostic::new(&rules::UNKNOWN_REFERENCE, format!("partial {key} for plugin {plugin}: entity not found"))
                        .at(link.loc)
                        .entity(ent.label())
                        .field(field)
                        .hint("define it under `partials:` or fix the id/name"),
                ),
            },
        }
    }
}

/// go-database-reconciler `pkg/file/builder.go` `validatePlugin` with `ErrorConsumerGroupUpgrade`
/// (`pkg/utils/utils.go`), active for Kong 3.4+ unless policy overrides are asked for.
fn rla_consumer_groups(config: &Config, ent: &Entity, out: &mut Vec<Diagnostic>) {
    if ent.node.get_str("name") != Some("rate-limiting-advanced") || config.consumer_group_policy_overrides {
        return;
    }
    let Some(conf) = ent.node.get_set("config") else { return };
    let groups = conf.get("consumer_groups").filter(|g| g.as_seq().is_some_and(|s| !s.is_empty()));
    let enforce = conf.get("enforce_consumer_groups").filter(|e| e.as_bool() == Some(true));
    let Some((field, at)) = groups.map(|g| ("config.consumer_groups", g)).or(enforce.map(|e| ("config.enforce_consumer_groups", e))) else {
        return;
    };
    out.push(
        Diagnostic::new(
            &rules::RLA_CONSUMER_GROUPS,
            "a rate-limiting-advanced plugin with config.consumer_groups and/or config.enforce_consumer_groups was found. Please use Consumer Groups scoped Plugins when running against Kong Enterprise 3.4.0 and above.",
        )
        .at(at.loc)
        .entity(ent.label())
        .field(field)
        .hint("scope a rate-limiting-advanced plugin to each consumer group instead, or set `_info.consumer_group_policy_overrides: true` to keep policy overrides (as decK's --consumer-group-policy-overrides)"),
    );
}
