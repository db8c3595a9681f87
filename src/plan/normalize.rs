//! Making a config entity and a gateway entity comparable: the same shape, Kong's
//! defaults filled on both sides, server-managed fields and nulls dropped, sets sorted.

use crate::model::kinds::Kind;
use crate::schema::kong::Schemas;
use crate::schema::{Schema, Type};
use serde_json::{Map, Value as Json};

const SERVER_FIELDS: &[&str] = &["id", "created_at", "updated_at", "ws_id"];

/// Fields Kong treats as sets (order does not matter).
fn set_fields(kind: &Kind) -> &'static [&'static str] {
    match kind.key {
        "routes" => &["protocols", "methods", "snis"],
        "plugins" => &["protocols"],
        "rbac_endpoint_permissions" => &["actions"],
        "degraphql_routes" => &["methods"],
        _ => &[],
    }
}

/// Drops nulls (recursively), and records left empty by that: Kong returns unset record fields as
/// nulls inside auto-filled records, which means the same as an absent record.
pub fn drop_nulls(v: &mut Json) {
    match v {
        Json::Object(m) => {
            m.values_mut().for_each(drop_nulls);
            m.retain(|_, x| !x.is_null() && !matches!(x, Json::Object(o) if o.is_empty()));
        }
        Json::Array(a) => a.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

fn common(kind: &Kind, mut body: Json) -> Json {
    drop_nulls(&mut body);
    if let Json::Object(m) = &mut body {
        for f in SERVER_FIELDS {
            m.remove(*f);
        }
        match m.get_mut("tags") {
            Some(Json::Array(a)) if a.is_empty() => {
                m.remove("tags");
            }
            Some(Json::Array(a)) => a.sort_by_key(|x| x.to_string()),
            _ => {}
        }
        for f in set_fields(kind) {
            if let Some(Json::Array(a)) = m.get_mut(*f) {
                a.sort_by_key(|x| x.to_string());
            }
        }
    }
    body
}

/// A gateway entity as comparable JSON.
pub fn normalize_current(kind: &Kind, body: &Json) -> Json {
    common(kind, body.clone())
}

/// A config entity (foreign keys already `{id}`) as comparable JSON.
pub fn normalize_desired(kind: &Kind, body: Json) -> Json {
    let mut body = common(kind, body);
    if kind.key == "services" {
        if let Json::Object(m) = &mut body {
            if let Some(Json::String(url)) = m.remove("url") {
                let (protocol, host, port, path) = crate::simulate::parse_service_url(&url);
                m.insert("protocol".into(), Json::String(protocol));
                m.insert("host".into(), Json::String(host));
                if let Some(p) = port {
                    m.insert("port".into(), Json::from(p));
                }
                if let Some(p) = path {
                    m.insert("path".into(), Json::String(p));
                }
            }
        }
    }
    if let Json::Object(m) = &mut body {
        // decK-only keys that never reach Kong
        m.remove("_config");
    }
    body
}

/// Kong stores a basic-auth password as sha1(password .. consumer id), hex; compare that.
pub fn hash_basic_auth_password(body: &mut Json) {
    let consumer = body.get("consumer").and_then(|c| c.get("id")).and_then(Json::as_str).unwrap_or("").to_string();
    if let Some(Json::String(p)) = body.get_mut("password") {
        *p = sha1_smol::Sha1::from(format!("{p}{consumer}")).digest().to_string();
    }
}

/// Fills Kong's defaults: the entity schema's, and for plugins the plugin's protocols and
/// config (records are filled recursively, as Kong auto-fills them).
pub fn fill_defaults(kind: &Kind, body: &mut Json, schemas: &Schemas) {
    let Json::Object(m) = body else { return };
    if let Some(s) = schemas.entity(kind.key) {
        fill_record(m, s, true);
    }
    let defaults: &[(&str, Json)] = &match kind.key {
        "targets" => vec![("weight", Json::from(100))],
        "jwt_secrets" => vec![("algorithm", Json::from("HS256"))],
        "oauth2_credentials" => vec![("client_type", Json::from("confidential")), ("hash_secret", Json::from(false))],
        "rbac_roles" => vec![("is_default", Json::from(false))],
        "rbac_endpoint_permissions" => vec![("negative", Json::from(false))],
        "degraphql_routes" => vec![("methods", Json::from(vec!["GET"]))],
        _ => vec![],
    };
    for (k, v) in defaults {
        m.entry(k.to_string()).or_insert_with(|| v.clone());
    }
    if kind.key == "plugins" {
        let Some(ps) = m.get("name").and_then(Json::as_str).and_then(|n| schemas.plugin(n)) else { return };
        if !m.contains_key("protocols") {
            if let Some(mut d) = ps.protocols.default.clone() {
                if let Json::Array(a) = &mut d {
                    a.sort_by_key(|x| x.to_string());
                }
                m.insert("protocols".into(), d);
            }
        }
        let config = m.entry("config").or_insert_with(|| Json::Object(Map::new()));
        if let Json::Object(c) = config {
            fill_record(c, &ps.config, true);
        }
    }
}

fn has_defaults(s: &Schema) -> bool {
    s.fields.values().any(|f| f.default.is_some() || (f.ty == Type::Record && has_defaults(f)))
}

/// Kong builds an absent nested record only when nothing in it is required.
pub fn auto_filled(s: &Schema) -> bool {
    s.fields.values().all(|f| !f.required && (f.ty != Type::Record || auto_filled(f)))
}

fn fill_record(m: &mut Map<String, Json>, s: &Schema, deep: bool) {
    for (name, f) in &s.fields {
        match m.get_mut(name) {
            None => {
                if let Some(d) = &f.default {
                    if !d.is_null() {
                        m.insert(name.clone(), d.clone());
                    }
                } else if deep && f.ty == Type::Record && has_defaults(f) && auto_filled(f) {
                    let mut sub = Map::new();
                    fill_record(&mut sub, f, deep);
                    m.insert(name.clone(), Json::Object(sub));
                }
            }
            Some(Json::Object(sub)) if deep && f.ty == Type::Record => fill_record(sub, f, deep),
            Some(Json::Array(items)) if deep => {
                if let Some(item) = f.items.as_deref().filter(|i| i.ty == Type::Record) {
                    for it in items.iter_mut() {
                        if let Json::Object(sub) = it {
                            fill_record(sub, item, deep);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}
