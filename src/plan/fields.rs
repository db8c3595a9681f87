//! Field-level differences between what the gateway holds and what the config wants.

use super::mask::masked;
use super::{Change, FieldChange};
use crate::model::kinds;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Field-level differences from `old` to `new`, by path. Records are descended on both sides
/// (also on create); arrays when they keep their length. Wherever a whole value is shown (an
/// array on create, an array that changed length, a record added or removed), every secret
/// inside it is masked by its own path.
pub(super) fn diff(path: &str, old: Option<&Json>, new: Option<&Json>, out: &mut BTreeMap<String, FieldChange>, secret: &dyn Fn(&str) -> bool) {
    let key = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    match (old, new) {
        (Some(Json::Object(a)), Some(Json::Object(b))) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                diff(&key(k), a.get(k), b.get(k), out, secret);
            }
        }
        (None, Some(Json::Object(b))) if !b.is_empty() => {
            for (k, v) in b {
                diff(&key(k), None, Some(v), out, secret);
            }
        }
        (Some(Json::Array(a)), Some(Json::Array(b))) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{i}]"), Some(x), Some(y), out, secret);
            }
        }
        (a, b) => {
            if !same(a, b) {
                let show = |v: Option<&Json>| v.map(|v| masked(path, v, secret));
                out.insert(path.to_string(), FieldChange { old: show(a), new: show(b) });
            }
        }
    }
}

pub(super) fn same(a: Option<&Json>, b: Option<&Json>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Json::Number(x)), Some(Json::Number(y))) => x.as_f64() == y.as_f64(),
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Shows `service.id: <uuid>` as `service: <name>` where the target has a name.
pub(super) fn name_foreign_keys(c: &mut Change, names: &HashMap<String, String>) {
    let Some(kind) = kinds::kind(c.kind) else { return };
    for (field, _) in kind.foreign {
        let Some(f) = c.fields.remove(&format!("{field}.id")) else { continue };
        let named = |v: Option<Json>| {
            v.map(|v| match v.as_str().and_then(|id| names.get(id)) {
                Some(n) => Json::String(n.clone()),
                None => v,
            })
        };
        c.fields.insert(field.to_string(), FieldChange { old: named(f.old), new: named(f.new) });
    }
}
