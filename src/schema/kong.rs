//! Kong's own schema format, as a gateway's `/schemas/{entity}` and `/schemas/plugins/{name}`
//! endpoints answer it, turned into the compact form, and the set of schemas a plan fills
//! defaults from: the gateway's where it answered, the bundled ones otherwise.
//!
//! Kong's form (admin-api.md §7): `{"fields": [{"<name>": {"type": ..., "default": ...,
//! "required": ..., "one_of": [...], "between": [lo, hi], "fields": [...], "elements": {...},
//! "values": {...}}}, ...]}`, fields as an ordered array of single-key objects.

use super::{PluginSchema, Schema, Type};
use indexmap::IndexMap;
use serde_json::Value as Json;
use std::collections::HashMap;

fn ty(name: &str) -> Type {
    match name {
        "string" => Type::String,
        "integer" => Type::Integer,
        "number" => Type::Number,
        "boolean" => Type::Boolean,
        "array" => Type::Array,
        "set" => Type::Set,
        "record" => Type::Record,
        "map" => Type::Map,
        "foreign" => Type::Foreign,
        _ => Type::Any,
    }
}


/// One field definition in Kong's form.
fn field(def: &Json) -> Result<Schema, String> {
    let Json::Object(m) = def else { return Err(format!("a field definition is not an object: {def}")) };
    let t = ty(m.get("type").and_then(Json::as_str).unwrap_or("any"));
    let mut s = Schema::of_type(t);
    s.required = m.get("required").and_then(Json::as_bool).unwrap_or(false);
    s.default = m.get("default").filter(|d| !d.is_null()).cloned();
    if t == Type::Set {
        if let Some(Json::Array(a)) = &mut s.default {
            a.sort_by_key(|x| x.to_string());
        }
    }
    s.choices = m.get("one_of").and_then(Json::as_array).cloned();
    if let Some([lo, hi]) = m.get("between").and_then(Json::as_array).map(Vec::as_slice) {
        s.min = lo.as_f64();
        s.max = hi.as_f64();
    }
    s.len_min = m.get("len_min").and_then(Json::as_u64);
    s.len_max = m.get("len_max").and_then(Json::as_u64);
    s.referenceable = m.get("referenceable").and_then(Json::as_bool).unwrap_or(false);
    s.encrypted = m.get("encrypted").and_then(Json::as_bool).unwrap_or(false);
    if let Some(fields) = m.get("fields") {
        s.fields = fields_of(fields)?;
    }
    if let Some(e) = m.get("elements") {
        s.items = Some(Box::new(field(e)?));
    }
    if let Some(v) = m.get("values") {
        s.values = Some(Box::new(field(v)?));
    }
    Ok(s)
}

fn fields_of(list: &Json) -> Result<IndexMap<String, Schema>, String> {
    let Json::Array(items) = list else { return Err("`fields` is not an array".into()) };
    let mut out = IndexMap::new();
    for item in items {
        let Some((name, def)) = item.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) else {
            return Err(format!("a `fields` entry is not a single-key object: {item}"));
        };
        out.insert(name.clone(), field(def)?);
    }
    Ok(out)
}

/// An entity schema from `GET /schemas/{entity}`.
pub fn entity_schema(answer: &Json) -> Result<Schema, String> {
    let fields = answer.get("fields").ok_or("the answer has no `fields`")?;
    let mut s = Schema::of_type(Type::Record);
    s.fields = fields_of(fields)?;
    Ok(s)
}

/// A plugin schema from `GET /schemas/plugins/{name}`.
pub fn plugin_schema(answer: &Json) -> Result<PluginSchema, String> {
    let top = entity_schema(answer)?;
    let raw = answer.get("fields").and_then(Json::as_array).cloned().unwrap_or_default();
    // a scope the plugin does not take is declared `eq: null`
    let scopes = ["consumer", "consumer_group", "route", "service"]
        .iter()
        .filter(|scope| raw.iter().filter_map(|f| f.get(**scope)).any(|def| def.get("eq").is_none()))
        .map(|s| s.to_string())
        .collect();
    let config = top.fields.get("config").cloned().ok_or("the plugin schema has no `config` field")?;
    let protocols = top.fields.get("protocols").cloned().unwrap_or_else(|| Schema::of_type(Type::Set));
    Ok(PluginSchema { scopes, protocols, config })
}

/// The schemas defaults are filled from: a gateway's answers over the bundled ones.
#[derive(Debug, Default)]
pub struct Schemas {
    entities: HashMap<String, Schema>,
    plugins: HashMap<String, PluginSchema>,
    /// Cloned plugins: clone name -> the plugin it copies.
    clones: HashMap<String, String>,
}

impl Schemas {
    /// Only the bundled schemas.
    pub fn bundled() -> Schemas {
        Schemas::default()
    }

    pub fn add_entity(&mut self, kind: &str, schema: Schema) {
        self.entities.insert(kind.to_string(), schema);
    }

    pub fn add_plugin(&mut self, name: &str, schema: PluginSchema) {
        self.plugins.insert(name.to_string(), schema);
    }

    /// A cloned plugin (Kong Enterprise) has the schema of the plugin it copies.
    pub fn add_clone(&mut self, name: &str, source: &str) {
        self.clones.insert(name.to_string(), source.to_string());
    }

    pub fn entity(&self, kind: &str) -> Option<&Schema> {
        self.entities.get(kind).or_else(|| super::entity(kind))
    }

    pub fn plugin(&self, name: &str) -> Option<&PluginSchema> {
        self.plugins
            .get(name)
            .or_else(|| super::plugin(name))
            .or_else(|| self.clones.get(name).filter(|source| *source != name).and_then(|source| self.plugins.get(source).or_else(|| super::plugin(source))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kong_field_lists_become_compact_schemas() {
        // the shape of Kong's `GET /schemas/plugins/{name}` (admin-api.md §7)
        let answer = json!({"fields": [
            {"consumer": {"type": "foreign", "reference": "consumers", "eq": null}},
            {"route": {"type": "foreign", "reference": "routes"}},
            {"protocols": {"type": "set", "default": ["https", "http"], "elements": {"type": "string", "one_of": ["http", "https"]}}},
            {"config": {"type": "record", "required": true, "fields": [
                {"minute": {"type": "number", "gt": 0}},
                {"policy": {"type": "string", "default": "local", "one_of": ["local", "redis"]}},
                {"redis": {"type": "record", "fields": [{"port": {"type": "integer", "default": 6379, "between": [0, 65535]}}]}},
                {"secret": {"type": "string", "encrypted": true, "referenceable": true}}
            ]}}
        ]});
        let p = plugin_schema(&answer).unwrap();
        assert_eq!(p.scopes, vec!["route".to_string()]);
        assert_eq!(p.protocols.default, Some(json!(["http", "https"])), "set defaults are sorted");
        assert_eq!(p.config.fields["policy"].default, Some(json!("local")));
        let port = &p.config.fields["redis"].fields["port"];
        assert_eq!((port.ty, port.min, port.max, port.default.clone()), (Type::Integer, Some(0.0), Some(65535.0), Some(json!(6379))));
        assert!(p.config.fields["secret"].encrypted);
        assert_eq!(p.config.fields.keys().collect::<Vec<_>>(), ["minute", "policy", "redis", "secret"]);
    }

    #[test]
    fn malformed_answers_are_errors_not_panics() {
        assert!(entity_schema(&json!({"message": "No entity named 'x'"})).is_err());
        assert!(entity_schema(&json!({"fields": [{"a": {}, "b": {}}]})).is_err());
        assert!(plugin_schema(&json!({"fields": [{"name": {"type": "string"}}]})).is_err());
    }

    #[test]
    fn gateway_schemas_win_over_bundled_ones() {
        let mut s = Schemas::bundled();
        assert_eq!(s.entity("services").unwrap().fields["retries"].default, Some(json!(5)));
        s.add_entity("services", entity_schema(&json!({"fields": [{"retries": {"type": "integer", "default": 7}}]})).unwrap());
        assert_eq!(s.entity("services").unwrap().fields["retries"].default, Some(json!(7)));
        assert!(s.plugin("key-auth").is_some(), "bundled fallback");
        s.add_clone("acme-key-auth", "key-auth");
        assert_eq!(s.plugin("acme-key-auth").unwrap().config.fields.keys().collect::<Vec<_>>(), s.plugin("key-auth").unwrap().config.fields.keys().collect::<Vec<_>>());
    }
}
