//! Who an entity is: the identity that matches a config entity to one the gateway holds when
//! ids are absent, the label output shows, and the unique values Kong enforces.

use crate::model::kinds::Kind;
use serde_json::Value as Json;
use std::collections::HashMap;

pub(super) fn str_of<'a>(body: &'a Json, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Json::as_str)
}

pub(super) fn foreign_id(body: &Json, field: &str) -> Option<String> {
    body.get(field).and_then(|f| f.get("id")).and_then(Json::as_str).map(String::from)
}

/// What identifies an entity when ids differ or are absent (foreign keys already ids).
pub(super) fn identity(kind: &Kind, body: &Json) -> Option<String> {
    Some(match kind.key {
        "consumers" => match (str_of(body, "username"), str_of(body, "custom_id")) {
            (Some(u), _) => format!("username:{u}"),
            (None, Some(c)) => format!("custom_id:{c}"),
            _ => return None,
        },
        "vaults" => format!("prefix:{}", str_of(body, "prefix")?),
        "certificates" | "ca_certificates" => format!("cert:{}", str_of(body, "cert")?.trim()),
        "keyauth_credentials" => format!("key:{}", str_of(body, "key")?),
        "basicauth_credentials" | "hmacauth_credentials" => format!("username:{}", str_of(body, "username")?),
        "jwt_secrets" => format!("key:{}", str_of(body, "key")?),
        "oauth2_credentials" => format!("client_id:{}", str_of(body, "client_id")?),
        "acls" => format!("{}@{}", str_of(body, "group")?, foreign_id(body, "consumer")?),
        "mtls_auth_credentials" => format!("{}@{}", str_of(body, "subject_name")?, foreign_id(body, "consumer")?),
        "licenses" => format!("payload:{}", str_of(body, "payload")?.trim()),
        // decK matches DeGraphQL routes by uri and query
        "degraphql_routes" => format!("{}|{}", str_of(body, "uri")?, str_of(body, "query")?),
        // decK matches GraphQL cost decorations by type_path alone, whatever their service
        // (GDR pkg/file/builder.go `ingestGraphqlRateLimitingCostDecoration`, `GetByTypePath`)
        "graphql_ratelimiting_cost_decorations" => format!("type_path:{}", str_of(body, "type_path")?),
        "filter_chains" => match str_of(body, "name") {
            Some(n) => format!("name:{n}"),
            None => format!("{}|{}", foreign_id(body, "service").unwrap_or_default(), foreign_id(body, "route").unwrap_or_default()),
        },
        "consumer_group_consumers" => format!("{}@{}", foreign_id(body, "consumer")?, foreign_id(body, "consumer_group")?),
        "rbac_endpoint_permissions" => format!("{}{}@{}", str_of(body, "workspace")?, str_of(body, "endpoint")?, foreign_id(body, "role")?),
        "targets" => format!("{}@{}", str_of(body, "target")?, foreign_id(body, "upstream")?),
        "plugins" => {
            let scope: Vec<String> = ["service", "route", "consumer", "consumer_group"].iter().map(|f| foreign_id(body, f).unwrap_or_default()).collect();
            // AI Gateway 2.0 scopes plugins by model too (go-kong Plugin.Model)
            format!("plugin:{}|{}|{}", str_of(body, "name")?, scope.join("|"), str_of(body, "model").unwrap_or_default())
        }
        _ => format!("name:{}", str_of(body, "name")?),
    })
}

/// A label for output: `services/httpbin`, `plugins/key-auth (route r1)`.
pub(super) fn label(kind: &Kind, body: &Json, names: &HashMap<String, String>) -> String {
    let id = str_of(body, "id").unwrap_or("");
    match kind.key {
        "plugins" => {
            let scopes: Vec<String> = ["service", "route", "consumer", "consumer_group"]
                .iter()
                .filter_map(|f| foreign_id(body, f).map(|id| format!("{} {}", f.replace('_', " "), names.get(&id).cloned().unwrap_or(id))))
                .chain(str_of(body, "model").map(|m| format!("model {m}")))
                .collect();
            let name = str_of(body, "name").unwrap_or("?");
            if scopes.is_empty() { format!("plugins/{name} (global)") } else { format!("plugins/{name} ({})", scopes.join(", ")) }
        }
        "consumers" => format!("consumers/{}", str_of(body, "username").or(str_of(body, "custom_id")).unwrap_or(id)),
        "targets" => format!("targets/{}", str_of(body, "target").unwrap_or(id)),
        "degraphql_routes" => {
            let uri = str_of(body, "uri").unwrap_or(id);
            format!("degraphql_routes{}{uri}", if uri.starts_with('/') { "" } else { "/" })
        }
        "vaults" => format!("vaults/{}", str_of(body, "prefix").unwrap_or(id)),
        "graphql_ratelimiting_cost_decorations" => format!("{}/{}", kind.key, str_of(body, "type_path").unwrap_or(id)),
        "keyauth_credentials" | "basicauth_credentials" | "acls" | "jwt_secrets" | "hmacauth_credentials" | "oauth2_credentials" | "mtls_auth_credentials" => {
            let what = str_of(body, "group").or(str_of(body, "username")).or(str_of(body, "client_id")).or(str_of(body, "subject_name")).map(String::from).unwrap_or_else(|| id.chars().take(8).collect());
            match foreign_id(body, "consumer") {
                Some(c) => format!("{}/{what} (consumer {})", kind.key, names.get(&c).cloned().unwrap_or(c)),
                None => format!("{}/{what}", kind.key),
            }
        }
        "consumer_group_consumers" => {
            let name = |f: &str| foreign_id(body, f).map(|id| names.get(&id).cloned().unwrap_or(id)).unwrap_or_default();
            format!("consumer_group_consumers/{} in {}", name("consumer"), name("consumer_group"))
        }
        "rbac_endpoint_permissions" => {
            let role = foreign_id(body, "role").map(|id| names.get(&id).cloned().unwrap_or(id)).unwrap_or_default();
            format!("rbac_endpoint_permissions/{}{} (role {role})", str_of(body, "workspace").unwrap_or(""), str_of(body, "endpoint").unwrap_or(""))
        }
        "certificates" | "ca_certificates" => format!("{}/{id}", kind.key),
        _ => format!("{}/{}", kind.key, str_of(body, "name").unwrap_or(id)),
    }
}

/// The entity a nested one is written under (targets: their upstream; DeGraphQL routes and
/// GraphQL cost decorations: their service).
pub(super) fn parent_of(kind: &Kind, body: &Json) -> Option<String> {
    match kind.key {
        "targets" => foreign_id(body, "upstream"),
        "degraphql_routes" | "graphql_ratelimiting_cost_decorations" => foreign_id(body, "service"),
        _ => None,
    }
}

pub(super) fn with_id(body: &Json, id: &str) -> Json {
    let mut b = body.clone();
    if let Json::Object(m) = &mut b {
        m.insert("id".into(), Json::String(id.into()));
    }
    b
}

/// The `(kind, field, value)` triples Kong keeps unique that an entity holds.
pub(super) fn unique_values(kind: &'static Kind, body: &Json) -> Vec<(&'static str, &'static str, String)> {
    kind.unique.iter().filter_map(|f| str_of(body, f).map(|v| (kind.key, *f, v.to_string()))).collect()
}
