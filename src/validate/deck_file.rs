//! What decK itself refuses in a file, beyond Kong's schemas: custom entities it does not
//! know or cannot read (GraphQL cost decorations), partial links, cloned plugin definitions, and the rate-limiting-advanced
//! `consumer_groups` guard.

use crate::diagnostic::Diagnostic;
use crate::model::{Config, Entity};
use crate::node::{Node, Value};
use crate::rules;

pub fn check(config: &Config, schemas: &crate::schema::kong::Schemas, out: &mut Vec<Diagnostic>) {
    for ent in &config.entities {
        match ent.kind {
            "custom_entities" => custom_entity(ent, out),
            "graphql_ratelimiting_cost_decorations" => cost_decoration(ent, out),
            "degraphql_routes" => service_is_a_map(ent, out),
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
/// "custom entity X is not supported". decK (cmd/root.go `supportedCustomEntityTypes`) and this
/// tool know `degraphql_routes` and `graphql_ratelimiting_cost_decorations`.
fn custom_entity(ent: &Entity, out: &mut Vec<Diagnostic>) {
    let ty = ent.node.get("type");
    let name = ty.and_then(Node::as_str).unwrap_or("");
    let message = match name {
        "" => format!("custom entity without a `type`: the types are {}", supported_types()),
        other => format!("custom entity {other} is not supported"),
    };
    out.push(
        Diagnostic::new(&rules::UNSUPPORTED_CUSTOM_ENTITY, message)
            .at(ty.map(|t| t.loc).unwrap_or(ent.node.loc))
            .entity(ent.label())
            .field("type")
            .hint(format!("the custom entity types decK syncs: {}", supported_types())),
    );
}

fn supported_types() -> String {
    crate::model::CUSTOM_ENTITY_KINDS.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
}

/// The fields of a GraphQL rate-limiting cost decoration: go-kong kong/graphql_rate_limiting.go
/// (`GraphqlRateLimitingCostDecoration`), the fields GDR pkg/file/types.go
/// `copyToGqlRateLimitingCostDecoration` reads (it drops any other, so one left here would not
/// reach the gateway).
const COST_DECORATION_FIELDS: &[&str] = &["id", "service", "type_path", "add_constant", "mul_constant", "add_arguments", "mul_arguments"];

/// A `graphql_ratelimiting_cost_decorations` custom entity, checked the way decK reads it:
/// `type_path` is required ("type_path is required for graphql_ratelimiting_cost_decorations",
/// GDR pkg/file/builder.go `copyToGraphqlRateLimitingCostDecoration`); the constants are numbers
/// and the argument lists arrays of strings (GDR pkg/file/types.go
/// `copyToGqlRateLimitingCostDecoration`). decK writes every decoration under its service (GDR
/// pkg/types/graphql_ratelimiting_cost_decoration.go `Create` calls go-kong `CreateForService`,
/// which refuses one "without name or ID"), so a decoration without `service` cannot be synced.
fn cost_decoration(ent: &Entity, out: &mut Vec<Diagnostic>) {
    const TYPE: &str = "graphql_ratelimiting_cost_decorations";
    let n = &ent.node;
    let label = ent.label();
    let at = |d: Diagnostic, field: &str| d.at(n.get(field).map_or(n.loc, |f| f.loc)).entity(label.clone()).field(field.to_string());
    for e in n.entries() {
        if !COST_DECORATION_FIELDS.contains(&e.key.as_str()) {
            let mut d = Diagnostic::new(&rules::UNKNOWN_FIELD, format!("unknown field `{}`: decK reads only {} of a {TYPE} entity", e.key, COST_DECORATION_FIELDS[1..].join(", ")))
                .at(e.key_loc)
                .entity(label.clone())
                .field(e.key.clone());
            if let Some(s) = crate::diagnostic::did_you_mean(&e.key, COST_DECORATION_FIELDS.iter().copied()) {
                d = d.hint(format!("did you mean `{s}`?"));
            }
            out.push(d);
        }
    }
    match n.get_set("type_path").map(|v| &v.value) {
        None => out.push(at(Diagnostic::new(&rules::REQUIRED_FIELD, format!("type_path is required for {TYPE}")), "type_path")),
        Some(Value::Str(_)) => {}
        Some(_) => out.push(at(Diagnostic::new(&rules::WRONG_TYPE, "type_path field should be a string"), "type_path")),
    }
    for f in ["add_constant", "mul_constant"] {
        if n.get_set(f).is_some_and(|v| !matches!(v.value, Value::Int(_) | Value::Float(_))) {
            out.push(at(Diagnostic::new(&rules::WRONG_TYPE, format!("{f} field should be a number")), f));
        }
    }
    for f in ["add_arguments", "mul_arguments"] {
        match n.get_set(f).map(|v| &v.value) {
            None => {}
            Some(Value::Seq(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if !matches!(item.value, Value::Str(_)) {
                        out.push(Diagnostic::new(&rules::WRONG_TYPE, format!("{f} elements should be strings")).at(item.loc).entity(label.clone()).field(format!("{f}[{i}]")));
                    }
                }
            }
            Some(_) => out.push(at(Diagnostic::new(&rules::WRONG_TYPE, format!("{f} field should be an array")), f)),
        }
    }
    match n.get_set("service") {
        None => out.push(
            at(Diagnostic::new(&rules::REQUIRED_FIELD, format!("service is required: decK writes a {TYPE} entity under its service")), "service")
                .hint("set `service: {name: ...}` (or `{id: ...}`): go-kong's CreateForService refuses a cost decoration without one"),
        ),
        Some(_) => service_is_a_map(ent, out),
    }
}

/// decK reads a custom entity's `service` as a map (`{name: ...}` or `{id: ...}`) and stops on
/// anything else with "service field should be a map" (GDR pkg/file/types.go, the custom entity
/// readers; gdr tests/integration/testdata/sync/037-degraphql-routes/kong-wrong-svc-config.yaml).
fn service_is_a_map(ent: &Entity, out: &mut Vec<Diagnostic>) {
    if let Some(s) = ent.node.get_set("service").filter(|s| !s.is_map()) {
        out.push(
            Diagnostic::new(&rules::WRONG_TYPE, "service field should be a map (`{name: ...}` or `{id: ...}`)")
                .at(s.loc)
                .entity(ent.label())
                .field("service"),
        );
    }
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

/// The partial type a plugin takes for its Redis settings. Kong Enterprise declares this in its
/// plugin schemas (`supported_partials`), which are not public and absent from OSS Kong; the
/// types come from Kong's docs (developer.konghq.com/gateway/entities/partial: "redis-ce: a
/// short and simple Redis configuration", "redis-ee: ... Sentinel or Cluster"; "each plugin
/// supports only the Partial types listed in its documentation") and decK's corpus (GDR
/// tests/integration/testdata/sync/038-partials/*.yaml link rate-limiting-advanced to redis-ee).
/// Hence F008 is a warning. The AI partial types of 3.13+ (vectordb, embeddings, model) are not
/// checked.
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

#[cfg(test)]
mod tests {
    use crate::env::{Env, EnvMode};
    use crate::load::{self, MemFiles};
    use std::path::PathBuf;

    /// (rule, field, line, message) of every finding `validate` makes for a file.
    fn findings(yaml: &str) -> Vec<(String, String, u32, String)> {
        let files = MemFiles::default().with("kong.yaml", yaml);
        let loaded = load::load(&[PathBuf::from("kong.yaml")], &files, &Env::new(), EnvMode::Resolve);
        let mut all = loaded.diagnostics.clone();
        all.extend(crate::validate::validate(&loaded.config));
        all.iter().map(|d| (d.rule.code.to_string(), d.field.clone().unwrap_or_default(), d.loc.map_or(0, |l| l.line), d.message.clone())).collect()
    }

    const HEAD: &str = "_format_version: '3.0'\nservices:\n- {name: graph, host: graph.internal}\ncustom_entities:\n";

    #[test]
    fn cost_decorations_read_as_decks_builder_does() {
        let ok = format!("{HEAD}- type: graphql_ratelimiting_cost_decorations\n  fields: {{service: {{name: graph}}, type_path: Query.users, add_constant: 2, mul_constant: 1.5, add_arguments: [limit], mul_arguments: []}}\n");
        assert_eq!(findings(&ok), vec![]);
        let bad = format!(
            "{HEAD}- type: graphql_ratelimiting_cost_decorations\n  fields:\n    service: graph\n    add_constant: two\n    add_arguments: [1]\n    mul_arguments: first\n    type_paht: Query.users\n"
        );
        let got = findings(&bad);
        let has = |rule: &str, field: &str, line: u32, msg: &str| got.iter().any(|(r, f, l, m)| r == rule && f == field && *l == line && m.contains(msg));
        assert!(has("S002", "type_path", 7, "type_path is required for graphql_ratelimiting_cost_decorations"), "{got:?}");
        assert!(has("S001", "type_paht", 11, "unknown field `type_paht`"), "{got:?}");
        assert!(has("S003", "service", 7, "service field should be a map"), "{got:?}");
        assert!(has("S003", "add_constant", 8, "add_constant field should be a number"), "{got:?}");
        assert!(has("S003", "add_arguments[0]", 9, "add_arguments elements should be strings"), "{got:?}");
        assert!(has("S003", "mul_arguments", 10, "mul_arguments field should be an array"), "{got:?}");
        // decK writes each under its service: one without cannot be synced
        let orphan = format!("{HEAD}- type: graphql_ratelimiting_cost_decorations\n  fields: {{type_path: Query.users}}\n");
        assert!(findings(&orphan).iter().any(|(r, f, _, m)| r == "S002" && f == "service" && m.starts_with("service is required")), "{:?}", findings(&orphan));
        // without `fields`, decK's "fields are required"
        let empty = format!("{HEAD}- type: graphql_ratelimiting_cost_decorations\n  id: a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d\n");
        assert_eq!(findings(&empty), vec![("S002".into(), "custom_entities[0].fields".into(), 5, "fields are required for graphql_ratelimiting_cost_decorations".into())]);
    }

    #[test]
    fn one_type_path_is_one_decoration() {
        let two = format!(
            "{HEAD}- {{name: other, host: o}}\n- type: graphql_ratelimiting_cost_decorations\n  fields: {{service: {{name: graph}}, type_path: Query.users}}\n- type: graphql_ratelimiting_cost_decorations\n  fields: {{service: {{name: other}}, type_path: Query.users}}\n"
        )
        .replacen("custom_entities:\n- {name: other, host: o}\n", "- {name: other, host: o}\ncustom_entities:\n", 1);
        let got = findings(&two);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!((got[0].0.as_str(), got[0].1.as_str(), got[0].2), ("F002", "type_path", 9), "{got:?}");
        assert!(got[0].3.contains("type_path set to 'Query.users' already declared"), "{got:?}");
    }

    #[test]
    fn other_custom_entity_types_stay_refused() {
        let got = findings(&format!("{HEAD}- type: graphql_cache_entries\n  fields: {{type_path: Query.users}}\n"));
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!((got[0].0.as_str(), got[0].1.as_str(), got[0].2), ("F007", "type", 5));
        assert_eq!(got[0].3, "custom entity graphql_cache_entries is not supported");
    }
}
