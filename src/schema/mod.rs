//! Bundled entity and plugin schemas, in the project's compact form.
//!
//! `schemas/plugins-3.15.json` is generated from Kong's 3.15 plugin JSON schemas by
//! `scripts/gen_plugin_schemas.py`; `schemas/entities.json` restates Kong's core entity
//! schemas by hand. Both are compiled into the binary. Keys of a compact node: `type`
//! (string, integer, number, boolean, array, set, record, map, foreign, one_of, any),
//! `required`, `default`, `enum`, `min`/`max`, `len_min`/`len_max`, `fields` (record),
//! `open` (record that also takes unknown keys), `items` (array/set), `values` (map),
//! `one_of` (alternatives), `referenceable`, `encrypted`, `nullable`.

pub mod check;
pub mod kong;
pub mod lua_pattern;
pub mod rules;
pub mod shorthand;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value as Json;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Type {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Set,
    Record,
    Map,
    Foreign,
    OneOf,
    Any,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Schema {
    #[serde(rename = "type")]
    pub ty: Type,
    #[serde(default)]
    pub required: bool,
    pub default: Option<Json>,
    #[serde(rename = "enum")]
    pub choices: Option<Vec<Json>>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Exclusive lower bound (Kong's `gt`), from `schemas/plugin-rules.json`.
    #[serde(default)]
    pub gt: Option<f64>,
    /// The Lua declares the field `required` although it has a default: an explicit null is
    /// "required field missing" (from `schemas/plugin-rules.json`).
    #[serde(default)]
    pub not_null: bool,
    /// A Kong typedef validator the string must pass (`ip_or_cidr`, `header_name`, `url`; see
    /// [`check::typedef_validator`]), from `schemas/plugin-rules.json`.
    #[serde(default)]
    pub validator: Option<String>,
    /// Kong's pattern/length validators on this value, from `schemas/plugin-rules.json`.
    #[serde(skip)]
    pub lua: Option<Box<rules::FieldChecks>>,
    /// The same for the keys of a map.
    #[serde(skip)]
    pub key_checks: Option<Box<rules::FieldChecks>>,
    pub len_min: Option<u64>,
    pub len_max: Option<u64>,
    #[serde(default)]
    pub fields: IndexMap<String, Schema>,
    #[serde(default)]
    pub open: bool,
    pub items: Option<Box<Schema>>,
    pub values: Option<Box<Schema>>,
    pub one_of: Option<Vec<Schema>>,
    #[serde(default)]
    pub referenceable: bool,
    #[serde(default)]
    pub encrypted: bool,
    #[serde(default)]
    pub nullable: bool,
}

impl Schema {
    /// A node of type `ty` with no constraints.
    pub fn of_type(ty: Type) -> Schema {
        Schema {
            ty,
            required: false,
            default: None,
            choices: None,
            min: None,
            max: None,
            gt: None,
            not_null: false,
            validator: None,
            lua: None,
            key_checks: None,
            len_min: None,
            len_max: None,
            fields: IndexMap::new(),
            open: false,
            items: None,
            values: None,
            one_of: None,
            referenceable: false,
            encrypted: false,
            nullable: false,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct PluginSchema {
    /// Which scope keys (consumer, consumer_group, route, service) the plugin accepts.
    pub scopes: Vec<String>,
    pub protocols: Schema,
    pub config: Schema,
}

#[derive(Debug, Deserialize)]
pub struct PluginSet {
    pub kong_version: String,
    pub source: String,
    pub plugins: IndexMap<String, PluginSchema>,
}

static PLUGINS_JSON: &str = include_str!("../../schemas/plugins-3.15.json");
static ENTITIES_JSON: &str = include_str!("../../schemas/entities.json");

/// The bundled Kong 3.15 plugin schemas.
pub fn plugins() -> &'static PluginSet {
    static SET: OnceLock<PluginSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set: PluginSet = serde_json::from_str(PLUGINS_JSON).expect("bundled plugin schemas are valid (checked by tests)");
        for (name, p) in set.plugins.iter_mut() {
            rules::refine(name, &mut p.config);
        }
        set
    })
}

/// The schema of a bundled plugin.
pub fn plugin(name: &str) -> Option<&'static PluginSchema> {
    plugins().plugins.get(name)
}

/// The schema of a core entity kind, by its decK key (`services`, `routes`, ...).
pub fn entity(kind: &str) -> Option<&'static Schema> {
    static SET: OnceLock<IndexMap<String, Schema>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut raw: IndexMap<String, Json> =
            serde_json::from_str(ENTITIES_JSON).expect("bundled entity schemas are valid (checked by tests)");
        raw.shift_remove("_comment");
        raw.into_iter()
            .map(|(k, v)| (k, serde_json::from_value(v).expect("bundled entity schema is valid")))
            .collect()
    })
    .get(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_schemas_load() {
        let set = plugins();
        assert_eq!(set.kong_version, "3.15");
        assert!(set.plugins.len() >= 110, "{}", set.plugins.len());
        let aipa = plugin("ai-proxy-advanced").unwrap();
        let targets = &aipa.config.fields["targets"];
        assert!(targets.required);
        let model = &targets.items.as_ref().unwrap().fields["model"];
        assert!(model.fields["options"].fields.contains_key("azure_instance"));
        assert!(plugin("acl").is_some() && plugin("key-auth").is_some() && plugin("oauth2").is_some());
        for kind in ["services", "routes", "plugins", "consumers", "consumer_groups", "upstreams", "targets",
            "certificates", "snis", "ca_certificates", "vaults"] {
            assert!(entity(kind).is_some(), "{kind}");
        }
    }
}
