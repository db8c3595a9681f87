//! `/schemas` answers: plugin and entity schemas in Kong's Lua-schema JSON form, from
//! gateway's compact schemas (plus `--plugin-schemas`).

use crate::store::{entity_defaults, expressions_flavor, expressions_route_fields, Kind};
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;

pub static PLUGIN_OVERLAY: std::sync::OnceLock<BTreeMap<String, gateway::schema::PluginSchema>> = std::sync::OnceLock::new();

/// The schema of a plugin this gateway has: `--plugin-schemas` first, then the bundled ones.
pub fn plugin_schema(name: &str) -> Option<&'static gateway::schema::PluginSchema> {
    PLUGIN_OVERLAY.get().and_then(|o| o.get(name)).or_else(|| gateway::schema::plugin(name))
}

/// A value's field definition in Kong's schema form (the type read off the default).
pub fn lua_field_of_default(v: &Json) -> Json {
    let mut def = Map::new();
    let ty = match v {
        Json::Bool(_) => "boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Json::Number(_) => "number",
        Json::Array(_) => "array",
        Json::Object(m) => {
            def.insert("fields".into(), Json::Array(m.iter().map(|(k, x)| json!({ k.clone(): lua_field_of_default(x) })).collect()));
            "record"
        }
        _ => "string",
    };
    def.insert("type".into(), json!(ty));
    if let Json::Array(a) = v {
        def.insert("elements".into(), a.first().map(lua_field_of_default).map(|mut e| {
            e.as_object_mut().map(|o| o.remove("default"));
            e
        }).unwrap_or(json!({"type": "string"})));
    }
    def.insert("default".into(), v.clone());
    Json::Object(def)
}

/// A compact schema node in Kong's schema form.
pub fn lua_field(s: &gateway::schema::Schema) -> Json {
    use gateway::schema::Type;
    let ty = match s.ty {
        Type::String => "string",
        Type::Integer => "integer",
        Type::Number => "number",
        Type::Boolean => "boolean",
        Type::Array => "array",
        Type::Set => "set",
        Type::Record => "record",
        Type::Map => "map",
        Type::Foreign => "foreign",
        Type::OneOf | Type::Any => "any",
    };
    let mut def = Map::new();
    def.insert("type".into(), json!(ty));
    if s.required {
        def.insert("required".into(), json!(true));
    }
    if let Some(d) = &s.default {
        def.insert("default".into(), d.clone());
    }
    if let Some(c) = &s.choices {
        def.insert("one_of".into(), json!(c));
    }
    if let (Some(lo), Some(hi)) = (s.min, s.max) {
        def.insert("between".into(), json!([lo, hi]));
    }
    if s.encrypted {
        def.insert("encrypted".into(), json!(true));
    }
    if s.referenceable {
        def.insert("referenceable".into(), json!(true));
    }
    if !s.fields.is_empty() || s.ty == Type::Record {
        def.insert("fields".into(), Json::Array(s.fields.iter().map(|(k, f)| json!({ k.clone(): lua_field(f) })).collect()));
    }
    if let Some(i) = &s.items {
        def.insert("elements".into(), lua_field(i));
    }
    if let Some(v) = &s.values {
        def.insert("values".into(), lua_field(v));
    }
    Json::Object(def)
}

/// `GET /schemas/plugins/{name}`: the plugin's fields as Kong lists them.
pub fn plugin_schema_answer(name: &str, ps: &gateway::schema::PluginSchema) -> Json {
    let mut fields = vec![json!({"id": {"type": "string", "auto": true}}), json!({"name": {"type": "string", "required": true, "default": name}})];
    for scope in ["consumer", "consumer_group", "route", "service"] {
        let mut def = json!({"type": "foreign", "reference": format!("{scope}s")});
        if !ps.scopes.iter().any(|s| s == scope) {
            def["eq"] = Json::Null;
        }
        fields.push(json!({ scope: def }));
    }
    fields.push(json!({"protocols": lua_field(&ps.protocols)}));
    fields.push(json!({"enabled": {"type": "boolean", "default": true}}));
    fields.push(json!({"config": lua_field(&ps.config)}));
    json!({ "fields": fields })
}

/// `GET /schemas/{entity}`: the fields this emulator fills defaults for, in Kong's form, and
/// the routes fields of the router flavor.
pub fn entity_schema_answer(k: &Kind) -> Json {
    let defaults = entity_defaults(k);
    let mut fields: Vec<Json> = vec![json!({"id": {"type": "string", "auto": true}})];
    // the expressions flavor's route fields as routes.lua declares them (`priority`'s default
    // is among the defaults, `expression` has none)
    let flavor_fields = if k.seg == "routes" && expressions_flavor() { expressions_route_fields() } else { Vec::new() };
    for (name, v) in defaults.as_object().expect("object") {
        let def = flavor_fields.iter().find(|(f, _)| f == name).map_or_else(|| lua_field_of_default(v), |(_, d)| d.clone());
        fields.push(json!({ name.clone(): def }));
    }
    for (name, def) in flavor_fields.iter().filter(|(f, _)| defaults.get(*f).is_none()) {
        fields.push(json!({ name.to_string(): def }));
    }
    json!({ "fields": fields })
}

