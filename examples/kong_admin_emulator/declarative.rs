//! DB-less `/config` (kong/api/routes/config.lua): `POST` replaces the whole configuration
//! with a declarative one, `GET` exports the current one. Validation reuses the DB-mode
//! store's rules (store.rs: required fields, foreign keys within the document, uniqueness,
//! loaded plugins), collecting every error, shaped as kong/db/errors.lua `declarative_config`
//! and `declarative_config_flattened` shape them.

use crate::http::{message, reply, Reply};
use crate::profile::{self, Gate};
use crate::store::{id_of, is_uuid, Kind, Store, KINDS};
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;

/// kong/db/schema/others/declarative_config.lua: the namespace of the per-entity-type
/// namespaces that deterministic ids are derived in.
const ENTITIES_NAMESPACE: &str = "fd02801f-0957-4a15-a55a-c8d9606f30b5";

const ONLY_DBLESS: &str = "this endpoint is only available when Kong is configured to not use a database";

/// Kinds a declarative configuration may hold, in an order where every foreign key points
/// to a kind already loaded (kong/db/schema/topological_sort.lua orders the export alike).
fn load_order() -> Vec<&'static Kind> {
    let p = profile::get();
    let wanted: Vec<&'static Kind> = KINDS
        .iter()
        .filter(|k| !matches!(k.seg, "consumer_group_consumers" | "rbac_roles" | "licenses" | "custom-plugins" | "cloned-plugins"))
        .filter(|k| p.gate_kind(k.seg) != Gate::NotFound)
        .collect();
    let mut order: Vec<&'static Kind> = Vec::new();
    while order.len() < wanted.len() {
        let before = order.len();
        for k in &wanted {
            if order.iter().any(|o| o.seg == k.seg) {
                continue;
            }
            let ready = k.foreign.iter().all(|(_, t, _)| *t == k.seg || order.iter().any(|o| o.seg == *t) || !wanted.iter().any(|w| w.seg == *t));
            if ready {
                order.push(k);
            }
        }
        if order.len() == before {
            break;
        }
    }
    order
}

fn by_name(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

/// Fields whose values build the id of an entity given without one
/// (declarative_config.lua `get_key_for_uuid_gen`): the schema's `cache_key` when it has
/// one, else its endpoint key. `None`: the id is random (a cache key with an `auto` field —
/// key-auth `key`, jwt `key`, oauth2 `client_id` — or no key at all).
fn id_key_fields(k: &Kind) -> Option<Vec<&'static str>> {
    Some(match k.seg {
        // kong/db/schema/entities/*.lua and kong/plugins/*/daos.lua `cache_key`
        "plugins" => vec!["name", "route", "service", "consumer"],
        "targets" => vec!["upstream", "target"],
        "keys" => vec!["kid", "set"],
        "vaults" => vec!["prefix"],
        "filter-chains" => vec!["route", "service"],
        "basic-auths" | "hmac-auths" => vec!["username"],
        "acls" => vec!["consumer", "group"],
        "key-auths" | "jwts" | "oauth2" => return None,
        _ => return k.endpoint_key.map(|ek| vec![ek]).filter(|_| !k.unique.is_empty()),
    })
}

/// The id Kong gives an entity declared without one: UUIDv5 of the key, in a namespace
/// that is itself the UUIDv5 of the schema name (declarative_config.lua `generate_uuid`).
/// Cache keys read `<schema>:<ws_id or *>:<v1>:<v2>...`, a missing optional part as "" and
/// the parent's id for the foreign key to the entity it is nested under
/// (`build_cache_key`); foreign keys given as tables contribute nothing.
fn derived_id(k: &Kind, item: &Map<String, Json>, parent: Option<(&str, &str)>) -> String {
    let random = || uuid::Uuid::new_v4().to_string();
    let Some(fields) = id_key_fields(k) else { return random() };
    let key = if k.endpoint_key.is_some_and(|ek| fields == [ek]) && k.seg != "vaults" {
        match item.get(fields[0]).and_then(Json::as_str) {
            Some(v) => v.to_string(),
            None => return random(),
        }
    } else {
        let mut parts = vec![k.name.to_string(), "*".to_string()];
        for f in fields {
            match item.get(f) {
                Some(Json::String(s)) => parts.push(s.clone()),
                Some(Json::Null) | None => match parent {
                    Some((fk, pid)) if fk == f => parts.push(pid.to_string()),
                    _ if matches!((k.seg, f), ("plugins", "name") | ("targets", "target") | ("acls", "group") | ("acls", "consumer") | ("keys", "kid") | ("targets", "upstream")) => return random(),
                    _ => parts.push(String::new()),
                },
                Some(_) => {}
            }
        }
        parts.join(":")
    };
    let root = uuid::Uuid::parse_str(ENTITIES_NAMESPACE).expect("uuid");
    let ns = uuid::Uuid::new_v5(&root, k.name.as_bytes());
    uuid::Uuid::new_v5(&ns, key.as_bytes()).to_string()
}

/// One entity of the document.
struct Item {
    kind: &'static Kind,
    /// Where it sits in the input: `[("services", 0), ("routes", 1)]`.
    path: Vec<(String, usize)>,
    /// As given, nested children removed (for `flattened_errors`).
    body: Map<String, Json>,
    id: String,
}

/// Puts `err` at `path` in the positional error tree.
fn place(tree: &mut Map<String, Json>, path: &[(String, usize)], err: Json, lens: &BTreeMap<Vec<(String, usize)>, usize>, prefix: &mut Vec<(String, usize)>) {
    let (key, idx) = &path[0];
    let len = lens.get(&{
        let mut p = prefix.clone();
        p.push((key.clone(), usize::MAX));
        p
    });
    let arr = tree.entry(key.clone()).or_insert_with(|| Json::Array(vec![Json::Null; len.copied().unwrap_or(idx + 1)]));
    let Json::Array(a) = arr else { return };
    if a.len() <= *idx {
        a.resize(idx + 1, Json::Null);
    }
    if path.len() == 1 {
        match (&mut a[*idx], err) {
            (Json::Object(have), Json::Object(new)) => have.extend(new),
            (slot, e) => *slot = e,
        }
        return;
    }
    if !a[*idx].is_object() {
        a[*idx] = json!({});
    }
    prefix.push((key.clone(), *idx));
    if let Json::Object(m) = &mut a[*idx] {
        place(m, &path[1..], err, lens, prefix);
    }
    prefix.pop();
}

/// Kong's Lua pretty-print of an error table (penlight `pretty.write(t, "")`) as used in
/// the message: `{services={{host="required field missing"}}}`. Keys sorted; array items
/// after a hole (a valid sibling) are written with their 1-based index, `[2]="..."`.
fn lua_pretty(v: &Json) -> String {
    match v {
        Json::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| {
                    let key = if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !k.starts_with(|c: char| c.is_ascii_digit()) { k.to_string() } else { format!("[\"{k}\"]") };
                    format!("{key}={}", lua_pretty(&m[*k]))
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Json::Array(a) => {
            let parts: Vec<String> = a.iter().enumerate().filter(|(_, x)| !x.is_null()).map(|(i, x)| if a[..i].iter().any(Json::is_null) { format!("[{}]={}", i + 1, lua_pretty(x)) } else { lua_pretty(x) }).collect();
            format!("{{{}}}", parts.join(","))
        }
        Json::String(s) => format!("\"{s}\""),
        Json::Null => "nil".into(),
        other => other.to_string(),
    }
}

fn declarative_error(fields: Map<String, Json>) -> Json {
    let message = format!("declarative config is invalid: {}", lua_pretty(&Json::Object(fields.clone())));
    json!({"code": 14, "name": "invalid declarative configuration", "message": message, "fields": fields})
}

/// kong/db/errors.lua `declarative_config_flattened`: one entry per entity with errors,
/// nested children pulled up to entries of their own; sections that were flattened leave
/// `fields`, top-level keys that are not entity lists stay there.
fn flatten(doc: &Map<String, Json>, fields: &mut Map<String, Json>) -> Vec<Json> {
    let mut out = Vec::new();
    let mut sections: Vec<String> = fields.keys().cloned().collect();
    sections.sort();
    for section in sections {
        let (Some(Json::Array(errs)), Some(Json::Array(entities))) = (fields.get(&section).cloned(), doc.get(&section)) else { continue };
        let Some(k) = by_name(&section) else { continue };
        fields.remove(&section);
        for (i, e) in errs.iter().enumerate() {
            if let Some(Json::Object(entity)) = entities.get(i) {
                add_entity_errors(k, entity.clone(), e.clone(), &mut out);
            }
        }
    }
    out
}

fn valid_id(v: Option<&Json>) -> Option<String> {
    v.and_then(Json::as_str).filter(|s| is_uuid(s)).map(String::from)
}

fn add_entity_errors(k: &'static Kind, mut entity: Map<String, Json>, err: Json, out: &mut Vec<Json>) {
    let mut err = match err {
        Json::String(s) => {
            let mut m = Map::new();
            m.insert("@entity".into(), json!(s));
            m
        }
        Json::Object(m) if !m.is_empty() => m,
        _ => return,
    };
    let pk = valid_id(entity.get("id"));
    // children nested under this entity (one-to-many): pulled up, each given its parent's key
    for child in KINDS {
        let Some((fk, _, _)) = child.foreign.iter().find(|(_, t, _)| *t == k.seg) else { continue };
        let Some(Json::Array(items)) = entity.remove(child.name) else { continue };
        let child_errs = err.remove(child.name);
        if let Some(Json::Array(ce)) = child_errs {
            for (i, item) in items.into_iter().enumerate() {
                let (Json::Object(mut item), Some(e)) = (item, ce.get(i).cloned()) else { continue };
                if !item.contains_key(*fk) {
                    if let Some(pk) = &pk {
                        item.insert(fk.to_string(), json!({"id": pk}));
                    }
                }
                add_entity_errors(child, item, e, out);
            }
        }
    }
    if err.is_empty() {
        return;
    }
    let mut errors = Vec::new();
    categorize(&err, "", &mut errors);
    let mut entry = Map::new();
    if let Some(n) = entity.get("name").and_then(Json::as_str).filter(|n| !n.is_empty()) {
        entry.insert("entity_name".into(), json!(n));
    }
    if let Some(id) = pk {
        entry.insert("entity_id".into(), json!(id));
    }
    if let Some(Json::Array(tags)) = entity.get("tags") {
        if tags.iter().all(Json::is_string) {
            entry.insert("entity_tags".into(), json!(tags));
        }
    }
    // singular(): one trailing "s" dropped
    entry.insert("entity_type".into(), json!(k.name.strip_suffix('s').unwrap_or(k.name)));
    entry.insert("entity".into(), Json::Object(entity));
    entry.insert("errors".into(), Json::Array(errors));
    out.push(Json::Object(entry));
}

/// kong/db/errors.lua `categorize_errors`: keys in sorted order, `@entity` messages as
/// entity errors, strings as field errors at the dotted path, tables recursed.
fn categorize(errs: &Map<String, Json>, ns: &str, out: &mut Vec<Json>) {
    let mut keys: Vec<&String> = errs.keys().collect();
    keys.sort();
    let join = |f: &str| if ns.is_empty() { f.to_string() } else { format!("{ns}.{f}") };
    for key in keys {
        let v = &errs[key];
        if key == "@entity" {
            match v {
                Json::Array(a) => out.extend(a.iter().map(|m| json!({"type": "entity", "message": m}))),
                m => out.push(json!({"type": "entity", "message": m})),
            }
            continue;
        }
        match v {
            Json::String(s) => out.push(json!({"type": "field", "field": join(key), "message": s})),
            Json::Object(m) => categorize(m, &join(key), out),
            Json::Array(a) => {
                // Lua arrays: numbered from 1
                let m: Map<String, Json> = a.iter().enumerate().filter(|(_, x)| !x.is_null()).map(|(i, x)| ((i + 1).to_string(), x.clone())).collect();
                categorize(&m, &join(key), out)
            }
            _ => {}
        }
    }
}

/// Collects the document's entities, nested children flattened, ids given or derived.
fn collect(section: &str, list: &Json, path: Vec<(String, usize)>, parent: Option<(&'static Kind, &str, String)>, items: &mut Vec<Item>, errors: &mut Vec<(Vec<(String, usize)>, Json)>, lens: &mut BTreeMap<Vec<(String, usize)>, usize>) {
    let Some(k) = by_name(section) else { return };
    let Json::Array(list) = list else {
        let mut p = path.clone();
        p.push((section.to_string(), 0));
        errors.push((p, json!("expected an array")));
        return;
    };
    let mut key = path.clone();
    key.push((section.to_string(), usize::MAX));
    lens.insert(key, list.len());
    for (i, v) in list.iter().enumerate() {
        let mut here = path.clone();
        here.push((section.to_string(), i));
        let Json::Object(input) = v else {
            errors.push((here, json!("expected a record")));
            continue;
        };
        let mut body = input.clone();
        let mut children: Vec<(&'static Kind, Json)> = Vec::new();
        for child in KINDS {
            if child.foreign.iter().any(|(_, t, _)| *t == k.seg) {
                if let Some(c) = body.remove(child.name) {
                    children.push((child, c));
                }
            }
        }
        if let Some((_, fk, pid)) = &parent {
            if body.get(*fk).is_none_or(Json::is_null) {
                body.insert(fk.to_string(), json!(pid));
            }
        }
        let id = match body.get("id").and_then(Json::as_str) {
            Some(id) => id.to_string(),
            None => derived_id(k, input, parent.as_ref().map(|(_, fk, pid)| (*fk, pid.as_str()))),
        };
        for (child, list) in children {
            let fk = child.foreign.iter().find(|(_, t, _)| *t == k.seg).map(|(f, _, _)| *f).expect("has fk");
            collect(child.name, &list, here.clone(), Some((k, fk, id.clone())), items, errors, lens);
        }
        items.push(Item { kind: k, path: here, body, id });
    }
}

/// Validates `doc` and loads it into a new store; Err: the error `fields` tree.
fn load(doc: &Map<String, Json>) -> Result<Store, Map<String, Json>> {
    let order = load_order();
    let mut fields = Map::new();
    if doc.get("_format_version").is_none_or(Json::is_null) {
        fields.insert("_format_version".into(), json!("required field missing"));
    }
    let mut items = Vec::new();
    let mut errors: Vec<(Vec<(String, usize)>, Json)> = Vec::new();
    let mut lens = BTreeMap::new();
    for (key, v) in doc {
        if matches!(key.as_str(), "_format_version" | "_transform" | "_comment" | "_workspace") {
            continue;
        }
        if order.iter().any(|k| k.name == key) {
            collect(key, v, Vec::new(), None, &mut items, &mut errors, &mut lens);
        } else {
            fields.insert(key.clone(), json!("unknown field"));
        }
    }
    // foreign keys: a plain id string, `{id: ...}`, or a name the document declares
    let mut names: BTreeMap<(&str, String), String> = BTreeMap::new();
    for it in &items {
        if let Some(v) = it.kind.endpoint_key.and_then(|ek| it.body.get(ek)).and_then(Json::as_str) {
            names.insert((it.kind.seg, v.to_string()), it.id.clone());
        }
    }
    let mut store = Store::default();
    store.transform = doc.get("_transform").and_then(Json::as_bool).unwrap_or(true);
    for k in &order {
        for it in items.iter().filter(|it| it.kind.seg == k.seg) {
            let mut body = it.body.clone();
            for (f, target, _) in k.foreign {
                let id = match body.get(*f) {
                    Some(Json::String(s)) if is_uuid(s) => Some(s.clone()),
                    Some(Json::String(s)) => Some(names.get(&(*target, s.clone())).cloned().unwrap_or_else(|| s.clone())),
                    Some(Json::Object(o)) => o.get("id").and_then(Json::as_str).map(String::from),
                    _ => None,
                };
                if let Some(id) = id {
                    body.insert(f.to_string(), json!({"id": id}));
                }
            }
            let r = if store.find(k.seg, &it.id).is_some() || store.has_id(k.seg, &it.id) {
                // kong/db/schema/others/declarative_config.lua `validate_references`/uniqueness
                reply(400, json!({"code": 3, "fields": {"@entity": format!("uniqueness violation: '{}' entity with primary key set to '{}' already declared", k.name, it.id)}}))
            } else {
                store.upsert(k, &it.id, body.clone(), None)
            };
            if r.status >= 400 {
                let b = r.body.unwrap_or_default();
                let err = match b["code"].as_i64() {
                    Some(5) => {
                        let (f, v) = b["fields"].as_object().and_then(|m| m.iter().next()).map(|(f, v)| (f.clone(), v.clone())).unwrap_or_default();
                        json!(format!("uniqueness violation: '{}' entity with {f} set to '{}' already declared", k.name, v.as_str().map(String::from).unwrap_or(v.to_string())))
                    }
                    Some(3) => b["fields"]["@entity"].clone(),
                    _ => b["fields"].clone(),
                };
                errors.push((it.path.clone(), err));
                // still declared: entities referring to it are checked on their own merits
                if store.find(k.seg, &it.id).is_none() && !store.has_id(k.seg, &it.id) {
                    let mut placeholder = body;
                    placeholder.insert("id".into(), json!(it.id));
                    store.table_mut(k).put(Json::Object(placeholder));
                }
            }
        }
    }
    for (path, err) in errors {
        place(&mut fields, &path, err, &lens, &mut Vec::new());
    }
    if fields.is_empty() {
        Ok(store)
    } else {
        Err(fields)
    }
}

/// The current configuration in export form (kong/db/declarative/export.lua):
/// `_format_version: "3.0"`, `_transform: false`, one list per entity type in dependency
/// order, foreign keys as plain id strings.
pub fn export(store: &Store) -> Json {
    let mut out = Map::new();
    out.insert("_format_version".into(), json!("3.0"));
    out.insert("_transform".into(), json!(false));
    for k in load_order() {
        let list: Vec<Json> = store
            .all(k.seg)
            .values()
            .map(|e| {
                let mut e = e.clone();
                for (f, _, _) in k.foreign {
                    if let Some(id) = e.get(*f).and_then(|v| v.get("id")).cloned() {
                        e[*f] = id;
                    }
                }
                e
            })
            .collect();
        if !list.is_empty() {
            out.insert(k.name.into(), Json::Array(list));
        }
    }
    Json::Object(out)
}

/// kong/db/declarative/init.lua `unserialize`: JSON first, then YAML; anything but an
/// object is "expected an object".
fn unserialize(text: &str) -> Result<Map<String, Json>, String> {
    let parsed = match serde_json::from_str::<Json>(text) {
        Ok(v) => Ok(v),
        Err(_) => match gateway::yaml::parse(text, Default::default()) {
            Ok(Some(node)) => Ok(node.to_json(false)),
            Ok(None) => Ok(Json::Null),
            Err(e) => Err(e.message),
        },
    };
    match parsed {
        Ok(Json::Object(m)) => Ok(m),
        Ok(_) => Err("failed parsing declarative configuration: expected an object".into()),
        Err(e) => Err(format!("failed parsing declarative configuration: {e}")),
    }
}

fn form_config(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&').find_map(|p| p.strip_prefix("config=")).map(crate::http::decode)
}

/// `/config` (kong/api/routes/config.lua).
pub fn config(store: &mut Store, method: &str, query: &BTreeMap<String, String>, body: Option<&[u8]>) -> Reply {
    if !profile::get().dbless {
        return message(400, ONLY_DBLESS);
    }
    match method {
        // the YAML Kong's exporter writes (lyaml); this emulator writes it with gateway's
        // YAML writer
        "GET" => {
            let doc = gateway::node::Node::from_json(&export(store), Default::default());
            reply(200, json!({"config": gateway::output::yaml::to_string(&doc)}))
        }
        "POST" => post(store, query, body.unwrap_or_default()),
        _ => message(405, "Method not allowed"),
    }
}

fn post(store: &mut Store, query: &BTreeMap<String, String>, body: &[u8]) -> Reply {
    // `truthy()` for flatten_errors; check_hash only when exactly "1"
    let flatten_errors = query.get("flatten_errors").is_some_and(|v| matches!(v.to_lowercase().as_str(), "true" | "1" | "on" | "yes"));
    let check_hash = query.get("check_hash").is_some_and(|v| v == "1");
    // hydrate_config_from_request: a body that is itself the config (`_format_version`)
    // has no text hash; `{"config": text}`, a form `config` field or the raw body is text
    let json_body = serde_json::from_slice::<Json>(body).ok();
    let (doc, hash) = match json_body.as_ref() {
        Some(Json::Object(m)) if m.contains_key("_format_version") => (m.clone(), None),
        _ => {
            let text = match json_body.as_ref().and_then(|b| b.get("config")).and_then(Json::as_str) {
                Some(t) => t.to_string(),
                None => match form_config(body) {
                    Some(t) => t,
                    None if !body.is_empty() => String::from_utf8_lossy(body).into_owned(),
                    None => return message(400, "expected a declarative configuration"),
                },
            };
            match unserialize(&text) {
                Ok(doc) => (doc, Some(md5_hex(text.as_bytes()))),
                Err(e) => {
                    let mut f = Map::new();
                    f.insert("error".into(), json!(e));
                    return reply(400, declarative_error(f));
                }
            }
        }
    };
    if check_hash && hash.as_deref() == Some(store.config_hash.as_str()) {
        return Reply { status: 304, body: None, headers: Vec::new() };
    }
    match load(&doc) {
        Ok(mut new) => {
            // a table body: Kong hashes its cjson encoding of the parsed entities
            // (declarative/init.lua `parse_table`); this hashes the serialised document
            new.config_hash = hash.unwrap_or_else(|| md5_hex(Json::Object(doc.clone()).to_string().as_bytes()));
            new.log = std::mem::take(&mut store.log);
            new.clock = store.clock;
            new.transform = true;
            *store = new;
            let mut out = Map::new();
            for k in load_order() {
                let m: Map<String, Json> = store.all(k.seg).values().map(|e| (id_of(e).to_string(), store.shown(k, e))).collect();
                if !m.is_empty() {
                    out.insert(k.name.into(), Json::Object(m));
                }
            }
            reply(201, Json::Object(out))
        }
        Err(mut fields) => {
            if flatten_errors {
                let flattened = flatten(&doc, &mut fields);
                let mut e = declarative_error(fields);
                e["flattened_errors"] = Json::Array(flattened);
                reply(400, e)
            } else {
                reply(400, declarative_error(fields))
            }
        }
    }
}

/// The MD5 Kong gives a declarative configuration's text (kong/db/declarative/init.lua
/// `unserialize`), as lower-case hex.
fn md5_hex(data: &[u8]) -> String {
    use md5::Digest as _;
    md5::Md5::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}
