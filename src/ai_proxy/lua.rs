//! Small helpers that give JSON values the meaning Kong's Lua drivers give the decoded
//! tables: truthiness (`nil` and `false` are false; cjson's `null` sentinel is true),
//! `a or b`, and `#t` / `ipairs` over arrays.

use serde_json::{Map, Value as Json};

/// Lua truthiness of a field read from a decoded request body. An absent key is `nil`;
/// JSON `null` decodes to `cjson.null`, a light userdata, which Lua treats as true.
pub fn truthy(v: Option<&Json>) -> bool {
    !matches!(v, None | Some(Json::Bool(false)))
}

/// A value read from the plugin configuration: the schema turns `null` into `nil`.
pub fn conf(v: Option<&Json>) -> Option<&Json> {
    v.filter(|v| !v.is_null() && **v != Json::Bool(false))
}

/// `options.<key> or request.<key>`: the configured value when set, else the request's.
pub fn conf_or<'a>(options: &'a Json, request: &'a Map<String, Json>, key: &str) -> Option<&'a Json> {
    conf(options.get(key)).or_else(|| request.get(key))
}

/// Sets `key` to `value`, or removes it when `value` is `nil` (Lua assignment semantics).
pub fn set(m: &mut Map<String, Json>, key: &str, value: Option<Json>) {
    match value {
        Some(v) => {
            m.insert(key.to_string(), v);
        }
        None => {
            m.remove(key);
        }
    }
}

/// `x or false`: Kong's drivers write `request.stream or false`.
pub fn or_false(v: Option<&Json>) -> Json {
    match v {
        Some(v) if truthy(Some(v)) => v.clone(),
        _ => Json::Bool(false),
    }
}

/// A string as Lua's `string.format("%s", v)` renders the values a driver can meet; tables
/// have no stable rendering (`table: 0x…`) and are shown as JSON text.
pub fn tostring(v: Option<&Json>) -> String {
    match v {
        None => "nil".into(),
        Some(Json::String(s)) => s.clone(),
        Some(Json::Null) => "userdata: NULL".into(),
        Some(Json::Bool(b)) => b.to_string(),
        Some(Json::Number(n)) => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e15) {
                format!("{}", f as i64)
            } else {
                n.to_string()
            }
        }
        Some(other) => other.to_string(),
    }
}
