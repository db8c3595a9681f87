//! Entity bodies for online validation (`validate --online`) through `/schemas/{kind}/validate`.

use crate::model::kinds;
use crate::model::{reference, Config, Entity};
use serde_json::Value as Json;

/// Every entity of the config as the body Kong's `/schemas/{kind}/validate` takes, with
/// foreign keys as ids derived from the names (schema validation does not look them up).
pub fn validation_bodies(config: &Config) -> Vec<(&Entity, &'static str, Json)> {
    let fake = |kind: &str, key: &str| uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("{kind}/{key}").as_bytes()).to_string();
    config
        .entities
        .iter()
        .filter_map(|e| {
            let kind = kinds::kind(e.kind)?;
            let schema = online_schema(kind.key)?;
            let mut body = e.node.to_json(false);
            for (field, target) in kind.foreign {
                if let Some(r) = reference(&e.node, field) {
                    let id = if uuid::Uuid::try_parse(&r.key).is_ok() { r.key.clone() } else { fake(target, &r.key) };
                    body[*field] = serde_json::json!({ "id": id });
                }
            }
            if let Json::Object(m) = &mut body {
                m.remove("_config");
            }
            Some((e, schema, body))
        })
        .collect()
}

/// The schema name `/schemas/{name}/validate` knows a kind by, for the kinds decK validates
/// online (decK validate/validate.go); the others have no validate endpoint to trust.
pub(super) fn online_schema(kind: &'static str) -> Option<&'static str> {
    match kind {
        "rbac_roles" => Some("rbac-role"),
        "rbac_endpoint_permissions" => Some("rbac-endpointpermission"),
        "cloned_plugins" | "custom_plugins" | "ai_models" | "degraphql_routes" | "graphql_ratelimiting_cost_decorations" => None,
        other => Some(other),
    }
}
