//! Which fields of an entity are secret: values that came from the environment, the fields the
//! kinds table marks as credentials, and fields Kong's schema marks `encrypted` (plugin
//! config fields, certificate keys), at any depth: inside records, arrays and maps.

use crate::model::kinds::Kind;
use crate::node::{Node, Value};
use crate::schema::kong::Schemas;
use crate::schema::Schema;
use serde_json::Value as Json;
use std::collections::BTreeSet;

pub(super) fn env_paths(node: &Node, path: &str, out: &mut BTreeSet<String>) {
    if node.env.is_some() {
        out.insert(path.to_string());
    }
    match &node.value {
        Value::Seq(items) => items.iter().enumerate().for_each(|(i, n)| env_paths(n, &format!("{path}[{i}]"), out)),
        Value::Map(m) => m.iter().for_each(|e| env_paths(&e.value, &crate::node::join_field(path, &e.key), out)),
        _ => {}
    }
}

/// One step of a field path: `config`, `targets`, `[0]`.
#[derive(Debug, PartialEq)]
enum Step<'a> {
    Field(&'a str),
    Index,
}

/// `config.targets[0].auth.header_value` -> config, targets, [0], auth, header_value.
fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (field, mut rest) = part.split_once('[').map(|(f, r)| (f, Some(r))).unwrap_or((part, None));
        if !field.is_empty() {
            out.push(Step::Field(field));
        }
        while let Some(r) = rest {
            out.push(Step::Index);
            rest = r.split_once('[').map(|(_, r)| r);
        }
    }
    out
}

/// Whether a schema marks the node at `path` (or one of its ancestors) `encrypted`. Array
/// elements resolve through `elements` (items), map values through `values`.
fn encrypted_at(root: &Schema, path: &[Step]) -> bool {
    let mut s = root;
    for step in path {
        let next = match step {
            Step::Field(f) => s.fields.get(*f).or(s.values.as_deref()),
            Step::Index => s.items.as_deref(),
        };
        match next {
            Some(n) => s = n,
            None => return false,
        }
        if s.encrypted {
            return true;
        }
    }
    false
}

pub(super) fn is_secret(kind: &Kind, plugin: Option<&str>, path: &str, env: &BTreeSet<String>, schemas: &Schemas) -> bool {
    let under = |p: &String| p.is_empty() || path.strip_prefix(p.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']));
    if env.iter().any(under) {
        return true;
    }
    let steps = steps(path);
    let Some(Step::Field(top)) = steps.first() else { return false };
    if kind.secret_fields.contains(top) {
        return true;
    }
    // the gateway's schema and the bundled one: either saying `encrypted` is enough, so a
    // gateway answer that leaves the flag out does not unmask a field
    if let (Some(name), Some(Step::Field("config"))) = (plugin, steps.first()) {
        let rest = &steps[1..];
        let gateway = schemas.plugin(name).map(|p| &p.config);
        let bundled = crate::schema::plugin(name).map(|p| &p.config);
        if gateway.into_iter().chain(bundled).any(|s| encrypted_at(s, rest)) {
            return true;
        }
    }
    let gateway = schemas.entity(kind.key);
    let bundled = crate::schema::entity(kind.key);
    gateway.into_iter().chain(bundled).any(|s| encrypted_at(s, &steps))
}

/// `value` at `path` as it may be shown: every secret inside it (by its own path) `[masked]`.
pub(super) fn masked(path: &str, value: &Json, secret: &dyn Fn(&str) -> bool) -> Json {
    if secret(path) {
        return Json::String(MASK.into());
    }
    match value {
        Json::Object(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), masked(&crate::node::join_field(path, k), v, secret))).collect()),
        Json::Array(a) => Json::Array(a.iter().enumerate().map(|(i, v)| masked(&format!("{path}[{i}]"), v, secret)).collect()),
        other => other.clone(),
    }
}

/// The values at secret paths in `value` (every string and number under a secret node).
pub(super) fn secret_values(path: &str, value: &Json, secret: &dyn Fn(&str) -> bool, out: &mut BTreeSet<String>) {
    if secret(path) {
        leaves(value, out);
        return;
    }
    match value {
        Json::Object(m) => m.iter().for_each(|(k, v)| secret_values(&crate::node::join_field(path, k), v, secret, out)),
        Json::Array(a) => a.iter().enumerate().for_each(|(i, v)| secret_values(&format!("{path}[{i}]"), v, secret, out)),
        _ => {}
    }
}

fn leaves(value: &Json, out: &mut BTreeSet<String>) {
    match value {
        Json::String(s) => {
            out.insert(s.clone());
        }
        Json::Number(n) => {
            out.insert(n.to_string());
        }
        Json::Object(m) => m.values().for_each(|v| leaves(v, out)),
        Json::Array(a) => a.iter().for_each(|v| leaves(v, out)),
        _ => {}
    }
}

pub(super) const MASK: &str = "[masked]";

/// Whether an entity of `kind` (a plugin: named `plugin`) can hold a secret at all: values from
/// the environment, credential fields, or a schema with an `encrypted` field somewhere. The
/// answer per kind and plugin is kept, so entities that cannot are not walked.
pub(super) struct MayHold<'a> {
    schemas: &'a Schemas,
    known: std::cell::RefCell<std::collections::HashMap<(&'static str, Option<String>), bool>>,
}

impl<'a> MayHold<'a> {
    pub fn new(schemas: &'a Schemas) -> MayHold<'a> {
        MayHold { schemas, known: Default::default() }
    }

    pub fn secrets(&self, kind: &Kind, plugin: Option<&str>, env: &BTreeSet<String>) -> bool {
        if !env.is_empty() || !kind.secret_fields.is_empty() {
            return true;
        }
        let key = (kind.key, plugin.map(String::from));
        if let Some(known) = self.known.borrow().get(&key) {
            return *known;
        }
        let plugin_schemas = plugin.into_iter().flat_map(|p| [self.schemas.plugin(p).map(|s| &s.config), crate::schema::plugin(p).map(|s| &s.config)]);
        let entity_schemas = [self.schemas.entity(kind.key), crate::schema::entity(kind.key)];
        let answer = plugin_schemas.chain(entity_schemas).flatten().any(any_encrypted);
        self.known.borrow_mut().insert(key, answer);
        answer
    }
}

fn any_encrypted(s: &Schema) -> bool {
    s.encrypted || s.fields.values().any(any_encrypted) || s.items.as_deref().is_some_and(any_encrypted) || s.values.as_deref().is_some_and(any_encrypted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kinds::kind;

    fn plugin_secret(plugin: &str, path: &str) -> bool {
        is_secret(kind("plugins").unwrap(), Some(plugin), path, &BTreeSet::new(), &Schemas::bundled())
    }

    #[test]
    fn paths_split_into_fields_and_indices() {
        assert_eq!(steps("config.targets[0].auth.header_value"), [Step::Field("config"), Step::Field("targets"), Step::Index, Step::Field("auth"), Step::Field("header_value")]);
        assert_eq!(steps("a[1][2]"), [Step::Field("a"), Step::Index, Step::Index]);
        assert_eq!(steps(""), []);
    }

    /// Restates `encrypted = true` in Kong's plugin schemas, as bundled from the Kong 3.15 JSON
    /// schemas: ai-proxy-advanced (Enterprise) `targets[].auth.*`; kong/plugins/ai-proxy/schema.lua
    /// via kong/llm/schemas/init.lua (`auth.header_value`, `auth.param_value`); ai-mcp-proxy
    /// (Enterprise) `server.session.client.secrets[]` (encrypted elements of an array);
    /// openid-connect (Enterprise) `client_jwk[].d`, `client_secret` (an encrypted array).
    #[test]
    fn encrypted_fields_resolve_through_arrays_records_and_elements() {
        assert!(plugin_secret("ai-proxy-advanced", "config.targets[0].auth.header_value"));
        assert!(plugin_secret("ai-proxy-advanced", "config.targets[3].auth.param_value"));
        assert!(plugin_secret("ai-proxy-advanced", "config.targets[0].auth.gcp_service_account_json"));
        assert!(!plugin_secret("ai-proxy-advanced", "config.targets[0].auth.header_name"));
        assert!(!plugin_secret("ai-proxy-advanced", "config.targets"), "the array as a whole is not a secret: what is inside is");
        assert!(!plugin_secret("ai-proxy-advanced", "config.targets[0].model.name"));
        assert!(plugin_secret("ai-proxy", "config.auth.header_value"));
        assert!(plugin_secret("ai-mcp-proxy", "config.server.session.client.secrets[1]"));
        assert!(plugin_secret("openid-connect", "config.client_jwk[0].d"));
        assert!(!plugin_secret("openid-connect", "config.client_jwk[0].kid"));
        assert!(plugin_secret("openid-connect", "config.client_secret[0]"));
        assert!(plugin_secret("openid-connect", "config.client_secret"));
    }

    #[test]
    fn map_values_resolve_and_a_gateway_schema_cannot_unmask_a_bundled_secret() {
        use crate::schema::kong::plugin_schema;
        let mut schemas = Schemas::bundled();
        // a custom plugin whose map values Kong encrypts (Kong's `values = {encrypted = true}`)
        let custom = serde_json::json!({"fields": [{"config": {"type": "record", "fields": [
            {"headers": {"type": "map", "keys": {"type": "string"}, "values": {"type": "string", "encrypted": true}}},
            {"names": {"type": "map", "keys": {"type": "string"}, "values": {"type": "string"}}}
        ]}}]});
        schemas.add_plugin("acme-headers", plugin_schema(&custom).unwrap());
        // a gateway answer for ai-proxy-advanced that leaves the flag out
        let bare = serde_json::json!({"fields": [{"config": {"type": "record", "fields": [
            {"targets": {"type": "array", "elements": {"type": "record", "fields": [{"auth": {"type": "record", "fields": [{"header_value": {"type": "string"}}]}}]}}}
        ]}}]});
        schemas.add_plugin("ai-proxy-advanced", plugin_schema(&bare).unwrap());
        let p = kind("plugins").unwrap();
        let none = BTreeSet::new();
        assert!(is_secret(p, Some("acme-headers"), "config.headers.x-api-key", &none, &schemas));
        assert!(!is_secret(p, Some("acme-headers"), "config.names.x-api-key", &none, &schemas));
        assert!(is_secret(p, Some("ai-proxy-advanced"), "config.targets[0].auth.header_value", &none, &schemas));
    }

    /// kong/db/schema/entities/certificates.lua: `key` and `key_alt` are `encrypted = true`
    /// (also in the kinds table); keyauth `key` is a credential by the kinds table only.
    #[test]
    fn credential_fields_and_env_paths_are_secret() {
        let none = BTreeSet::new();
        let s = Schemas::bundled();
        assert!(is_secret(kind("certificates").unwrap(), None, "key", &none, &s));
        assert!(!is_secret(kind("certificates").unwrap(), None, "cert", &none, &s));
        assert!(is_secret(kind("keyauth_credentials").unwrap(), None, "key", &none, &s));
        let env: BTreeSet<String> = ["config.targets[1].model.options.azure_instance".to_string()].into();
        let p = kind("plugins").unwrap();
        assert!(is_secret(p, Some("ai-proxy-advanced"), "config.targets[1].model.options.azure_instance", &env, &s));
        assert!(!is_secret(p, Some("ai-proxy-advanced"), "config.targets[0].model.options.azure_instance", &env, &s));
        assert!(!is_secret(p, Some("ai-proxy-advanced"), "config.targets[10].model.options.azure_instance", &env, &s), "[1] is not a prefix of [10]");
    }

    #[test]
    fn a_shown_value_has_every_secret_inside_it_masked() {
        let secret = |p: &str| p.ends_with(".header_value") || p == "b[1]";
        let v = serde_json::json!({"targets": [{"auth": {"header_name": "api-key", "header_value": "s3cret"}}], "b": ["x", "y"]});
        assert_eq!(masked("config", &v, &secret), serde_json::json!({"targets": [{"auth": {"header_name": "api-key", "header_value": "[masked]"}}], "b": ["x", "y"]}));
        assert_eq!(masked("", &v, &secret)["b"], serde_json::json!(["x", "[masked]"]));
        let mut values = BTreeSet::new();
        secret_values("", &v, &secret, &mut values);
        assert_eq!(values, ["s3cret".to_string(), "y".to_string()].into());
    }
}
