//! One kind's entities in insertion order (the order lists and pagination follow), with
//! the indexes that spare the store its scans: by id, by unique field and endpoint key
//! (lookups, 409s), by cache key (plugins, targets) and by foreign key (cascades, restrict,
//! nested lists). `put` and `remove` are the only ways in and out, and the one place the
//! indexes are kept in step (`keys` says which keys an entity has).

use crate::store::{cache_key_fields, id_of, Kind};
use indexmap::map::Slice;
use indexmap::IndexMap;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

/// What an entity is found by, besides its id.
#[derive(PartialEq, Eq, Hash)]
enum Key {
    /// A unique field or the endpoint key, and its (non-null) value in canonical form.
    Field(&'static str, String),
    /// The cache key's fields' values in canonical form (plugins, targets).
    Cache(String),
    /// A foreign key field and the id it references.
    Ref(&'static str, String),
}

pub struct Table {
    kind: &'static Kind,
    /// id -> entity, in insertion order
    rows: IndexMap<String, Json>,
    /// key -> ids of the entities that have it (more than one only where a declarative
    /// load keeps a refused entity as a placeholder)
    index: HashMap<Key, Vec<String>>,
}

/// A value as a string equal for equal values (serde_json's `==`: object keys in any
/// order, `0.0 == -0.0`), to key the indexes by.
fn canonical(v: &Json) -> String {
    fn write(v: &Json, out: &mut String) {
        match v {
            Json::Object(m) => {
                let mut entries: Vec<(&String, &Json)> = m.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (i, (k, x)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Json::String(k.clone()).to_string());
                    out.push(':');
                    write(x, out);
                }
                out.push('}');
            }
            Json::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            Json::Number(n) if n.is_f64() && n.as_f64() == Some(0.0) => out.push_str("0.0"),
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(v, &mut out);
    out
}

/// The cache key of an entity (or a body): its values of `fields`, absent ones as null.
fn cache_key(fields: &[&str], e: &Map<String, Json>) -> String {
    canonical(&Json::Array(fields.iter().map(|f| e.get(*f).cloned().unwrap_or(Json::Null)).collect()))
}

impl Table {
    pub fn new(kind: &'static Kind) -> Table {
        Table { kind, rows: IndexMap::new(), index: HashMap::new() }
    }

    /// The entities in insertion order (`[i]` is the i-th, `.values()` all of them).
    pub fn rows(&self) -> &Slice<String, Json> {
        self.rows.as_slice()
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.rows.get_index_of(id)
    }

    fn ids(&self, key: &Key) -> &[String] {
        self.index.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    fn indexed(&self, field: &str) -> bool {
        self.kind.unique.contains(&field) || self.kind.endpoint_key == Some(field)
    }

    /// The first entity (in list order) whose `field`, a unique field or the endpoint key,
    /// equals `value`.
    pub fn first_with(&self, field: &'static str, value: &Json) -> Option<usize> {
        debug_assert!(self.indexed(field), "{}.{field} is not indexed", self.kind.seg);
        self.ids(&Key::Field(field, canonical(value))).iter().filter_map(|id| self.position(id)).min()
    }

    /// Whether an entity other than `except` has `value` in `field`, a unique field.
    pub fn taken(&self, field: &'static str, value: &Json, except: &str) -> bool {
        debug_assert!(self.indexed(field), "{}.{field} is not indexed", self.kind.seg);
        self.ids(&Key::Field(field, canonical(value))).iter().any(|id| id != except)
    }

    /// Whether an entity other than `except` has the cache key `body` has.
    pub fn cache_key_taken(&self, body: &Map<String, Json>, except: &str) -> bool {
        let Some(fields) = cache_key_fields(self.kind) else { return false };
        self.ids(&Key::Cache(cache_key(fields, body))).iter().any(|id| id != except)
    }

    /// Positions of the entities whose foreign key `field` references `id`, in list order.
    pub fn referencing(&self, field: &'static str, id: &str) -> Vec<usize> {
        debug_assert!(self.kind.foreign.iter().any(|(f, _, _)| *f == field), "{}.{field} is not a foreign key", self.kind.seg);
        let mut at: Vec<usize> = self.ids(&Key::Ref(field, id.to_string())).iter().filter_map(|i| self.position(i)).collect();
        at.sort_unstable();
        at
    }

    /// Every key `e` is found by.
    fn keys(&self, e: &Json) -> Vec<Key> {
        let mut keys = Vec::new();
        let Some(m) = e.as_object() else { return keys };
        let fields = self.kind.unique.iter().copied().chain(self.kind.endpoint_key.filter(|ek| !self.kind.unique.contains(ek)));
        for f in fields {
            if let Some(v) = m.get(f).filter(|v| !v.is_null()) {
                keys.push(Key::Field(f, canonical(v)));
            }
        }
        if let Some(fields) = cache_key_fields(self.kind) {
            keys.push(Key::Cache(cache_key(fields, m)));
        }
        for (f, _, _) in self.kind.foreign {
            if let Some(id) = m.get(*f).and_then(|r| r.get("id")).and_then(Json::as_str) {
                keys.push(Key::Ref(f, id.to_string()));
            }
        }
        keys
    }

    /// Stores `e` under its id: in place of the entity with that id, else at the end.
    pub fn put(&mut self, e: Json) {
        let id = id_of(&e).to_string();
        self.unindex(&id);
        for key in self.keys(&e) {
            self.index.entry(key).or_default().push(id.clone());
        }
        self.rows.insert(id, e);
    }

    /// Removes the entity `id`, keeping the others' order.
    pub fn remove(&mut self, id: &str) -> Option<Json> {
        self.unindex(id);
        self.rows.shift_remove(id)
    }

    fn unindex(&mut self, id: &str) {
        let Some(old) = self.rows.get(id) else { return };
        for key in self.keys(old) {
            if let Some(ids) = self.index.get_mut(&key) {
                ids.retain(|i| i != id);
                if ids.is_empty() {
                    self.index.remove(&key);
                }
            }
        }
    }
}
