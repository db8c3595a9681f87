//! Deprecated field names Kong still accepts (`shorthand_fields`), from `schemas/shorthands.json`.
//!
//! Kong's schema code (kong/db/schema/init.lua, `Schema:process_auto_fields`) validates a
//! shorthand's value against the shorthand's own definition, refuses it when the new field
//! is also set to a different value ("both deprecated and new field are used but their
//! values mismatch: ..."), and otherwise moves the value to the new field. The data file
//! restates the shorthands: OSS ones from the plugins' Lua schemas, Enterprise ones from
//! where they are known to be accepted (each entry names its source).

use super::{Schema, Type};
use indexmap::IndexMap;
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
pub struct Shorthand {
    #[serde(default)]
    pub plugin: String,
    /// The record the shorthand sits in (`config`, `config.storage_config.redis`).
    #[serde(default)]
    pub at: String,
    pub name: String,
    /// `string`, `integer`, `number`, `boolean`, `array` or `as_target`.
    #[serde(rename = "type")]
    pub ty: String,
    pub elements: Option<String>,
    pub len_min: Option<u64>,
    /// Paths of the new fields, relative to the record; empty when Kong drops the value.
    pub replaced_with: Vec<Vec<String>>,
    #[serde(default)]
    pub referenceable: bool,
    pub source: String,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Data {
    fields: Vec<Shorthand>,
    enterprise_redis: Vec<Shorthand>,
}

static JSON: &str = include_str!("../../schemas/shorthands.json");

fn data() -> &'static Data {
    static D: OnceLock<Data> = OnceLock::new();
    D.get_or_init(|| serde_json::from_str(JSON).expect("schemas/shorthands.json is valid (checked by tests)"))
}

/// Whether a record is Kong Enterprise's shared redis record (it has both node lists).
pub fn is_enterprise_redis(record: &Schema) -> bool {
    record.fields.contains_key("sentinel_nodes") && record.fields.contains_key("cluster_nodes")
}

/// The shorthands of the record at `at` (a field path without array indexes) of `plugin`.
pub fn at(plugin: &str, at: &str, record: &Schema) -> IndexMap<&'static str, &'static Shorthand> {
    let d = data();
    let mut out: IndexMap<&'static str, &'static Shorthand> =
        d.fields.iter().filter(|s| s.plugin == plugin && s.at == at).map(|s| (s.name.as_str(), s)).collect();
    if is_enterprise_redis(record) && super::plugin(plugin).is_some() {
        for s in &d.enterprise_redis {
            out.entry(s.name.as_str()).or_insert(s);
        }
    }
    out
}

/// The schema a shorthand's value is checked against: its own type, or the new field's.
pub fn value_schema(s: &Shorthand, record: &Schema) -> Option<Schema> {
    if s.ty == "as_target" {
        let path = s.replaced_with.first()?;
        let mut cur = record;
        for k in path {
            cur = cur.fields.get(k)?;
        }
        let mut t = cur.clone();
        t.required = false;
        return Some(t);
    }
    let ty = |name: &str| match name {
        "string" => Type::String,
        "integer" => Type::Integer,
        "number" => Type::Number,
        "boolean" => Type::Boolean,
        "array" => Type::Array,
        _ => Type::Any,
    };
    let mut t = Schema::of_type(ty(&s.ty));
    t.referenceable = s.referenceable;
    t.len_min = s.len_min;
    if let Some(e) = &s.elements {
        t.items = Some(Box::new(Schema::of_type(ty(e))));
    }
    if s.ty == "string" && s.name.ends_with("password") {
        t.len_min = Some(0);
    }
    Some(t)
}


/// Every shorthand entry (tests, `explain`).
pub fn all() -> impl Iterator<Item = &'static Shorthand> {
    data().fields.iter()
}

/// The Enterprise redis record's shorthands.
pub fn enterprise_redis() -> &'static [Shorthand] {
    &data().enterprise_redis
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_loads_and_every_target_exists_in_the_bundled_schemas() {
        assert!(all().count() >= 50);
        for s in all() {
            let p = super::super::plugin(&s.plugin).unwrap_or_else(|| panic!("{}: not bundled", s.plugin));
            let mut rec = &p.config;
            for k in s.at.split('.').skip(1) {
                rec = rec.fields.get(k).unwrap_or_else(|| panic!("{} {}: no record", s.plugin, s.at));
            }
            assert!(!rec.fields.contains_key(&s.name), "{} {}: {} is a real field", s.plugin, s.at, s.name);
            for path in &s.replaced_with {
                let mut cur = rec;
                for k in path {
                    cur = cur.fields.get(k).unwrap_or_else(|| panic!("{} {}.{}: no {}", s.plugin, s.at, s.name, path.join(".")));
                }
            }
            assert!(!s.source.is_empty());
            assert!(value_schema(s, rec).is_some(), "{}", s.name);
        }
        for s in enterprise_redis() {
            let rec = &super::super::plugin("rate-limiting-advanced").unwrap().config.fields["redis"];
            assert!(is_enterprise_redis(rec));
            for path in &s.replaced_with {
                assert!(rec.fields.contains_key(&path[0]), "{}", s.name);
            }
        }
    }
}
