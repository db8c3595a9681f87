//! Test equipment: an in-memory Kong Admin API for `gateway`'s dump/diff/sync tests.
//!
//! Follows ../shared/reference/admin-api.md: generated endpoints (collections, entities by
//! id or endpoint key, a few nested collections), Kong's status codes and error bodies,
//! defaults filled in, PUT upsert, `offset`/`next` pagination, tag filters, uniqueness
//! (409), foreign keys (cascade and restrict), an optional admin token, and injected faults
//! (5xx, 429 with Retry-After, dropped connections, latency). A request log is served under
//! `/__emulator/requests`. Not part of the product: it is built only as an example.
//!
//! kong_admin_emulator [--listen ADDR] [--token T] [--fault-rate F] [--faults 500,429,drop]
//!                     [--retry-after SECS] [--latency-ms N] [--seed N] [--enterprise]
//!                     [--plugin-schemas FILE] [--forbid PATH-PREFIX]
//!
//! `--plugin-schemas` plays another Kong version or a custom plugin: a JSON object of plugin
//! name to schema (the compact form of gateway's src/schema) that replaces or adds to the
//! bundled plugin schemas, for filling defaults and for `GET /schemas/plugins/{name}`.
//! `--forbid` answers 403 to every request under a path prefix, as Kong Enterprise does for an
//! admin whose RBAC role may not use those endpoints.

use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct Opts {
    listen: String,
    token: Option<String>,
    fault_rate: f64,
    faults: Vec<String>,
    retry_after: String,
    latency_ms: u64,
    seed: u64,
    enterprise: bool,
    plugin_schemas: Option<String>,
    forbid: Option<String>,
}

fn opts() -> Opts {
    let mut o = Opts {
        listen: "127.0.0.1:0".into(),
        token: None,
        fault_rate: 0.0,
        faults: vec!["500".into(), "429".into(), "drop".into()],
        retry_after: "1".into(),
        latency_ms: 0,
        seed: 1,
        enterprise: false,
        plugin_schemas: None,
        forbid: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--listen" => o.listen = v,
            "--token" => o.token = Some(v),
            "--fault-rate" => o.fault_rate = v.parse().expect("--fault-rate number"),
            "--faults" => o.faults = v.split(',').map(String::from).collect(),
            "--retry-after" => o.retry_after = v,
            "--latency-ms" => o.latency_ms = v.parse().expect("--latency-ms number"),
            "--seed" => o.seed = v.parse().expect("--seed number"),
            "--plugin-schemas" => o.plugin_schemas = Some(v),
            "--forbid" => o.forbid = Some(v),
            "--enterprise" => {
                o.enterprise = true;
                i += 1;
                continue;
            }
            other => panic!("unknown option {other}"),
        }
        i += 2;
    }
    o
}

/// How the emulator treats one entity kind.
struct Kind {
    /// URL segment.
    seg: &'static str,
    /// Name of the entity kind in Kong's messages.
    name: &'static str,
    /// Endpoint key (lookup by name in paths).
    endpoint_key: Option<&'static str>,
    /// Unique fields (each alone).
    unique: &'static [&'static str],
    /// (field, target kind segment, cascade on target delete)
    foreign: &'static [(&'static str, &'static str, bool)],
    enterprise: bool,
}

static KINDS: &[Kind] = &[
    Kind { seg: "licenses", name: "licenses", endpoint_key: None, unique: &[], foreign: &[], enterprise: true },
    Kind { seg: "cloned-plugins", name: "cloned_plugins", endpoint_key: Some("name"), unique: &["name"], foreign: &[], enterprise: true },
    Kind { seg: "custom-plugins", name: "custom_plugins", endpoint_key: Some("name"), unique: &["name"], foreign: &[], enterprise: true },
    Kind { seg: "ai-models", name: "ai_models", endpoint_key: Some("name"), unique: &["name"], foreign: &[], enterprise: true },
    // Kong Enterprise's degraphql plugin: listed at /degraphql_routes, written under
    // /services/{service}/degraphql/routes (the path is rewritten in `handle`)
    Kind { seg: "degraphql_routes", name: "degraphql_routes", endpoint_key: None, unique: &[], foreign: &[("service", "services", true)], enterprise: true },
    // served under /rbac/roles (the path is rewritten in `handle`)
    Kind { seg: "rbac_roles", name: "rbac_roles", endpoint_key: Some("name"), unique: &["name"], foreign: &[], enterprise: true },
    Kind { seg: "services", name: "services", endpoint_key: Some("name"), unique: &["name"], foreign: &[("client_certificate", "certificates", false)], enterprise: false },
    Kind { seg: "routes", name: "routes", endpoint_key: Some("name"), unique: &["name"], foreign: &[("service", "services", false)], enterprise: false },
    Kind { seg: "consumers", name: "consumers", endpoint_key: Some("username"), unique: &["username", "custom_id"], foreign: &[], enterprise: false },
    Kind { seg: "consumer_groups", name: "consumer_groups", endpoint_key: Some("name"), unique: &["name"], foreign: &[], enterprise: true },
    Kind { seg: "upstreams", name: "upstreams", endpoint_key: Some("name"), unique: &["name"], foreign: &[("client_certificate", "certificates", false)], enterprise: false },
    Kind { seg: "targets", name: "targets", endpoint_key: None, unique: &[], foreign: &[("upstream", "upstreams", true)], enterprise: false },
    Kind { seg: "certificates", name: "certificates", endpoint_key: None, unique: &[], foreign: &[], enterprise: false },
    Kind { seg: "snis", name: "snis", endpoint_key: Some("name"), unique: &["name"], foreign: &[("certificate", "certificates", false)], enterprise: false },
    Kind { seg: "ca_certificates", name: "ca_certificates", endpoint_key: None, unique: &[], foreign: &[], enterprise: false },
    Kind { seg: "key-sets", name: "key_sets", endpoint_key: Some("name"), unique: &["name"], foreign: &[], enterprise: false },
    Kind { seg: "keys", name: "keys", endpoint_key: Some("name"), unique: &["name"], foreign: &[("set", "key-sets", true)], enterprise: false },
    Kind { seg: "partials", name: "partials", endpoint_key: Some("name"), unique: &["name"], foreign: &[], enterprise: true },
    Kind {
        seg: "filter-chains",
        name: "filter_chains",
        endpoint_key: Some("name"),
        unique: &["name"],
        foreign: &[("service", "services", true), ("route", "routes", true)],
        enterprise: false,
    },
    Kind {
        seg: "mtls-auths",
        name: "mtls_auth_credentials",
        endpoint_key: None,
        unique: &[],
        foreign: &[("consumer", "consumers", true), ("ca_certificate", "ca_certificates", false)],
        enterprise: true,
    },
    Kind { seg: "vaults", name: "vaults", endpoint_key: Some("prefix"), unique: &["prefix"], foreign: &[], enterprise: false },
    Kind { seg: "key-auths", name: "keyauth_credentials", endpoint_key: None, unique: &["key"], foreign: &[("consumer", "consumers", true)], enterprise: false },
    Kind { seg: "basic-auths", name: "basicauth_credentials", endpoint_key: None, unique: &["username"], foreign: &[("consumer", "consumers", true)], enterprise: false },
    Kind { seg: "acls", name: "acls", endpoint_key: None, unique: &[], foreign: &[("consumer", "consumers", true)], enterprise: false },
    Kind { seg: "jwts", name: "jwt_secrets", endpoint_key: None, unique: &["key"], foreign: &[("consumer", "consumers", true)], enterprise: false },
    Kind { seg: "hmac-auths", name: "hmacauth_credentials", endpoint_key: None, unique: &["username"], foreign: &[("consumer", "consumers", true)], enterprise: false },
    Kind { seg: "oauth2", name: "oauth2_credentials", endpoint_key: None, unique: &["client_id"], foreign: &[("consumer", "consumers", true)], enterprise: false },
    Kind {
        seg: "consumer_group_consumers",
        name: "consumer_group_consumers",
        endpoint_key: None,
        unique: &[],
        foreign: &[("consumer_group", "consumer_groups", true), ("consumer", "consumers", true)],
        enterprise: true,
    },
    Kind {
        seg: "plugins",
        name: "plugins",
        endpoint_key: Some("instance_name"),
        unique: &["instance_name"],
        foreign: &[("route", "routes", true), ("service", "services", true), ("consumer", "consumers", true), ("consumer_group", "consumer_groups", true)],
        enterprise: false,
    },
];

fn kind(seg: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.seg == seg)
}

/// The JSON body Kong answers, and its status.
struct Reply {
    status: u16,
    body: Option<Json>,
    headers: Vec<(String, String)>,
}

fn reply(status: u16, body: Json) -> Reply {
    Reply { status, body: Some(body), headers: Vec::new() }
}

fn message(status: u16, m: &str) -> Reply {
    reply(status, json!({ "message": m }))
}

#[derive(Default)]
struct Store {
    /// kind segment -> entities in insertion order
    data: BTreeMap<&'static str, Vec<Json>>,
    log: Vec<String>,
    clock: u64,
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok() && s.len() == 36
}

fn id_of(e: &Json) -> &str {
    e.get("id").and_then(Json::as_str).unwrap_or("")
}

fn lua_table(m: &Map<String, Json>) -> String {
    let parts: Vec<String> = m
        .iter()
        .map(|(k, v)| match v {
            Json::String(s) => format!("{k}=\"{s}\""),
            Json::Null => format!("{k}=null"),
            Json::Object(o) => format!("{k}={}", lua_table(o)),
            other => format!("{k}={other}"),
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

fn schema_violation(fields: Map<String, Json>) -> Reply {
    let msgs: Vec<String> = fields
        .iter()
        .map(|(k, v)| match v {
            Json::Array(a) if k == "@entity" => a.iter().filter_map(Json::as_str).collect::<Vec<_>>().join("; "),
            Json::String(s) => format!("{k}: {s}"),
            other => format!("{k}: {other}"),
        })
        .collect();
    let message = if msgs.len() == 1 { format!("schema violation ({})", msgs[0]) } else { format!("{} schema violations ({})", msgs.len(), msgs.join("; ")) };
    reply(400, json!({ "code": 2, "name": "schema violation", "message": message, "fields": fields }))
}

/// Where RBAC endpoint permissions are kept (they are not a generated collection).
const ENDPOINTS: &str = "rbac_endpoints";

static PLUGIN_OVERLAY: std::sync::OnceLock<BTreeMap<String, gateway::schema::PluginSchema>> = std::sync::OnceLock::new();

/// The schema of a plugin this gateway has: `--plugin-schemas` first, then the bundled ones.
fn plugin_schema(name: &str) -> Option<&'static gateway::schema::PluginSchema> {
    PLUGIN_OVERLAY.get().and_then(|o| o.get(name)).or_else(|| gateway::schema::plugin(name))
}

/// Kong 3.x upstream health-check defaults (kong/db/schema/entities/upstreams.lua).
fn healthchecks_defaults() -> Json {
    json!({
        "threshold": 0,
        "active": {"type": "http", "timeout": 1, "concurrency": 10, "http_path": "/", "https_verify_certificate": true,
            "healthy": {"interval": 0, "http_statuses": [200, 302], "successes": 0},
            "unhealthy": {"interval": 0, "http_statuses": [429, 404, 500, 501, 502, 503, 504, 505], "tcp_failures": 0, "timeouts": 0, "http_failures": 0}},
        "passive": {"type": "http",
            "healthy": {"http_statuses": [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308], "successes": 0},
            "unhealthy": {"http_statuses": [429, 500, 503], "tcp_failures": 0, "timeouts": 0, "http_failures": 0}}
    })
}

/// Fills `body` from `defaults`, descending into records the body gives in part.
fn merge_defaults(body: &mut Map<String, Json>, defaults: &Map<String, Json>) {
    for (key, v) in defaults {
        match body.get_mut(key) {
            Some(Json::Object(sub)) => {
                if let Json::Object(d) = v {
                    merge_defaults(sub, d);
                }
            }
            Some(x) if !x.is_null() => {}
            _ => {
                body.insert(key.clone(), v.clone());
            }
        }
    }
}

/// The entity defaults this emulator fills, per kind.
fn entity_defaults(k: &Kind) -> Json {
    match k.seg {
        "services" => json!({"protocol": "http", "port": 80, "retries": 5, "connect_timeout": 60000, "write_timeout": 60000, "read_timeout": 60000, "enabled": true}),
        "routes" => json!({"protocols": ["http", "https"], "https_redirect_status_code": 426, "strip_path": true, "preserve_host": false,
            "request_buffering": true, "response_buffering": true, "regex_priority": 0, "path_handling": "v0"}),
        "upstreams" => json!({"algorithm": "round-robin", "hash_on": "none", "hash_fallback": "none", "hash_on_cookie_path": "/", "slots": 10000, "use_srv_name": false,
            "healthchecks": healthchecks_defaults()}),
        "targets" => json!({"weight": 100}),
        "plugins" => json!({"enabled": true}),
        "jwts" => json!({"algorithm": "HS256"}),
        "oauth2" => json!({"client_type": "confidential", "hash_secret": false}),
        "rbac_roles" => json!({"is_default": false}),
        "degraphql_routes" => json!({"methods": ["GET"]}),
        _ => json!({}),
    }
}

/// Kong's defaults for a kind, filled where the body has none (`plugin`: the plugin's schema).
fn fill_defaults(k: &Kind, body: &mut Map<String, Json>, plugin: Option<&gateway::schema::PluginSchema>) {
    merge_defaults(body, entity_defaults(k).as_object().expect("object"));
    // credentials Kong generates when absent, and the basic-auth password it hashes
    let generated: &[&str] = match k.seg {
        "key-auths" => &["key"],
        "jwts" => &["key", "secret"],
        "oauth2" => &["client_id", "client_secret"],
        _ => &[],
    };
    for f in generated {
        if body.get(*f).is_none_or(Json::is_null) {
            body.insert(f.to_string(), json!(uuid::Uuid::new_v4().simple().to_string()));
        }
    }
    if k.seg == "plugins" {
        if let Some(ps) = plugin {
            if body.get("protocols").is_none_or(Json::is_null) {
                if let Some(d) = &ps.protocols.default {
                    body.insert("protocols".into(), d.clone());
                }
            }
            let config = body.entry("config").or_insert_with(|| json!({}));
            if config.is_null() {
                *config = json!({});
            }
            if let Json::Object(c) = config {
                fill_record(c, &ps.config);
            }
        }
    }
}

/// Kong fills every record: defaults for missing fields, nested records built and filled.
fn fill_record(m: &mut Map<String, Json>, s: &gateway::schema::Schema) {
    use gateway::schema::Type;
    for (name, f) in &s.fields {
        let present = m.get(name).is_some_and(|v| !v.is_null());
        if !present {
            if let Some(d) = &f.default {
                m.insert(name.clone(), d.clone());
            } else if f.ty == Type::Record && builds(f) {
                let mut sub = Map::new();
                fill_record(&mut sub, f);
                m.insert(name.clone(), Json::Object(sub));
            } else {
                m.insert(name.clone(), Json::Null);
            }
        } else if let Some(Json::Object(sub)) = m.get_mut(name) {
            if f.ty == Type::Record {
                fill_record(sub, f);
            }
        }
    }
}

/// An absent nested record is built (and filled) only when none of its fields is required.
fn builds(s: &gateway::schema::Schema) -> bool {
    s.fields.values().all(|f| !f.required && (f.ty != gateway::schema::Type::Record || builds(f)))
}

/// A value's field definition in Kong's schema form (the type read off the default).
fn lua_field_of_default(v: &Json) -> Json {
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
fn lua_field(s: &gateway::schema::Schema) -> Json {
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
fn plugin_schema_answer(name: &str, ps: &gateway::schema::PluginSchema) -> Json {
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

/// `GET /schemas/{entity}`: the fields this emulator fills defaults for, in Kong's form.
fn entity_schema_answer(k: &Kind) -> Json {
    let defaults = entity_defaults(k);
    let mut fields: Vec<Json> = vec![json!({"id": {"type": "string", "auto": true}})];
    for (name, v) in defaults.as_object().expect("object") {
        fields.push(json!({ name.clone(): lua_field_of_default(v) }));
    }
    json!({ "fields": fields })
}

/// Entity fields Kong returns as `null` when unset.
fn null_fields(k: &Kind) -> &'static [&'static str] {
    match k.seg {
        "services" => &["name", "path", "tags", "client_certificate", "tls_verify", "tls_verify_depth", "ca_certificates"],
        "routes" => &["name", "hosts", "paths", "methods", "headers", "snis", "sources", "destinations", "tags", "service"],
        "consumers" => &["username", "custom_id", "tags"],
        "plugins" => &["instance_name", "route", "service", "consumer", "consumer_group", "tags"],
        "upstreams" => &["tags", "host_header", "client_certificate"],
        "rbac_roles" => &["comment"],
        "licenses" | "degraphql_routes" => &[],
        "targets" => &["tags"],
        _ => &["tags"],
    }
}

impl Store {
    fn all(&self, seg: &str) -> &[Json] {
        self.data.get(seg).map(Vec::as_slice).unwrap_or(&[])
    }

    fn find(&self, seg: &str, key: &str) -> Option<usize> {
        let k = kind(seg)?;
        let items = self.all(seg);
        if is_uuid(key) {
            items.iter().position(|e| id_of(e) == key)
        } else {
            let ek = k.endpoint_key?;
            items.iter().position(|e| e.get(ek).and_then(Json::as_str) == Some(key))
        }
    }

    /// `/rbac/roles/{role}/endpoints[/{workspace}/{endpoint}]`: Kong Enterprise RBAC endpoint
    /// permissions, as go-kong's client uses them (kong/endpoint_permission_service.go):
    /// `actions` sent as a comma-separated string and answered as an array.
    fn rbac_endpoints(&mut self, method: &str, role: &str, ep: &[&str], query: &BTreeMap<String, String>, body: Option<&[u8]>) -> Reply {
        let Some(ri) = self.find("rbac_roles", role) else { return message(404, "Not found") };
        let rid = id_of(&self.all("rbac_roles")[ri]).to_string();
        let parsed: Map<String, Json> = match body.filter(|b| !b.is_empty()).map(serde_json::from_slice::<Json>) {
            None => Map::new(),
            Some(Ok(Json::Object(m))) => m,
            Some(_) => return message(400, "Cannot parse JSON body"),
        };
        let actions_of = |v: &Json| -> Result<Vec<String>, String> {
            let list: Vec<String> = match v {
                Json::String(s) => s.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect(),
                Json::Array(a) => a.iter().filter_map(Json::as_str).map(String::from).collect(),
                _ => return Err("expected a string".into()),
            };
            match list.iter().find(|a| !["read", "create", "update", "delete"].contains(&a.as_str())) {
                Some(bad) => Err(format!("unknown action '{bad}'")),
                None => Ok(list),
            }
        };
        let mine = |e: &Json| e["role"]["id"] == json!(rid);
        match (method, ep) {
            ("GET", []) => {
                let items: Vec<&Json> = self.all(ENDPOINTS).iter().filter(|e| mine(e)).collect();
                self.list(items, query, &format!("/rbac/roles/{role}/endpoints"), false)
            }
            ("POST", []) => {
                let (Some(ws), Some(endpoint)) = (parsed.get("workspace").and_then(Json::as_str), parsed.get("endpoint").and_then(Json::as_str)) else {
                    let missing: Map<String, Json> = ["workspace", "endpoint"].iter().filter(|f| !parsed.contains_key(**f)).map(|f| (f.to_string(), json!("required field missing"))).collect();
                    return schema_violation(missing);
                };
                if self.all(ENDPOINTS).iter().any(|e| mine(e) && e["workspace"] == json!(ws) && e["endpoint"] == json!(endpoint)) {
                    let message = format!("UNIQUE violation detected on '{{endpoint=\"{endpoint}\",role={{id=\"{rid}\"}},workspace=\"{ws}\"}}'");
                    return reply(409, json!({"code": 5, "name": "unique constraint violation", "message": message}));
                }
                let actions = match parsed.get("actions").map(actions_of).unwrap_or(Ok(vec!["read".into(), "create".into(), "update".into(), "delete".into()])) {
                    Ok(a) => a,
                    Err(e) => return schema_violation([("actions".to_string(), json!(e))].into_iter().collect()),
                };
                self.clock += 1;
                let entity = json!({
                    "role": {"id": rid}, "workspace": ws, "endpoint": endpoint, "actions": actions,
                    "negative": parsed.get("negative").and_then(Json::as_bool).unwrap_or(false),
                    "comment": parsed.get("comment").cloned().unwrap_or(Json::Null),
                    "created_at": 1_700_000_000 + self.clock,
                });
                self.data.entry(ENDPOINTS).or_default().push(entity.clone());
                reply(201, entity)
            }
            (_, [ws, rest @ ..]) if !rest.is_empty() => {
                let endpoint = format!("/{}", rest.join("/"));
                let at = self.all(ENDPOINTS).iter().position(|e| {
                    mine(e) && e["workspace"] == json!(ws) && (e["endpoint"] == json!(endpoint) || (endpoint == "/*" && e["endpoint"] == json!("*")))
                });
                match (method, at) {
                    ("GET", Some(i)) => reply(200, self.all(ENDPOINTS)[i].clone()),
                    ("PATCH", Some(i)) => {
                        let mut e = self.all(ENDPOINTS)[i].clone();
                        if let Some(a) = parsed.get("actions") {
                            match actions_of(a) {
                                Ok(a) => e["actions"] = json!(a),
                                Err(m) => return schema_violation([("actions".to_string(), json!(m))].into_iter().collect()),
                            }
                        }
                        for f in ["negative", "comment"] {
                            if let Some(v) = parsed.get(f) {
                                e[f] = v.clone();
                            }
                        }
                        self.data.get_mut(ENDPOINTS).expect("present")[i] = e.clone();
                        reply(200, e)
                    }
                    ("DELETE", Some(i)) => {
                        self.data.get_mut(ENDPOINTS).expect("present").remove(i);
                        Reply { status: 204, body: None, headers: Vec::new() }
                    }
                    ("DELETE", None) => Reply { status: 204, body: None, headers: Vec::new() },
                    ("GET" | "PATCH", None) => message(404, "Not found"),
                    _ => message(405, "Method not allowed"),
                }
            }
            _ => message(405, "Method not allowed"),
        }
    }

    /// A plugin's schema: known to this gateway, or the source of a stored cloned plugin.
    fn plugin_schema(&self, name: &str) -> Option<&'static gateway::schema::PluginSchema> {
        plugin_schema(name).or_else(|| {
            let clone = self.all("cloned-plugins").iter().find(|c| c.get("name").and_then(Json::as_str) == Some(name))?;
            plugin_schema(clone.get("ref").and_then(Json::as_str)?)
        })
    }

    /// A custom plugin streamed in through `/custom-plugins` (its schema is Lua source).
    fn is_custom_plugin(&self, name: &str) -> bool {
        self.all("custom-plugins").iter().any(|c| c.get("name").and_then(Json::as_str) == Some(name))
    }

    /// `POST`: a new entity, under the id the body gives or a fresh one; 201 when stored.
    fn create(&mut self, k: &'static Kind, body: Map<String, Json>) -> Reply {
        let id = body.get("id").and_then(Json::as_str).map(String::from).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        if self.find(k.seg, &id).is_some() {
            return reply(400, json!({"code": 3, "name": "primary key violation", "message": format!("primary key violation on key '{{id=\"{id}\"}}'"), "fields": {"id": id}}));
        }
        let mut r = self.upsert(k, &id, body, None);
        if r.status == 200 {
            r.status = 201;
        }
        r
    }

    /// Validates and stores `body` as entity `id` of kind `k` (insert or replace).
    fn upsert(&mut self, k: &'static Kind, id: &str, body: Map<String, Json>, replace_at: Option<usize>) -> Reply {
        self.write(k, id, body, replace_at, false)
    }

    /// `dry`: schema validation only (`/schemas/{kind}/validate`): no foreign-key lookups,
    /// no uniqueness, nothing stored.
    fn write(&mut self, k: &'static Kind, id: &str, mut body: Map<String, Json>, replace_at: Option<usize>, dry: bool) -> Reply {
        body.remove("id");
        if k.seg == "services" {
            if let Some(Json::String(url)) = body.remove("url") {
                let (scheme, rest) = url.split_once("://").unwrap_or(("http", &url));
                let (auth, path) = match rest.find('/') {
                    Some(i) => (&rest[..i], Some(rest[i..].to_string())),
                    None => (rest, None),
                };
                let (host, port) = match auth.rsplit_once(':') {
                    Some((h, p)) if p.parse::<u16>().is_ok() => (h.to_string(), p.parse::<u16>().ok()),
                    _ => (auth.to_string(), None),
                };
                body.insert("protocol".into(), json!(scheme));
                body.insert("host".into(), json!(host));
                body.insert("port".into(), json!(port.unwrap_or(if scheme == "https" { 443 } else { 80 })));
                if let Some(p) = path {
                    body.insert("path".into(), json!(p));
                }
            }
            if body.get("host").is_none_or(Json::is_null) {
                let mut f = Map::new();
                f.insert("host".into(), json!("required field missing"));
                return schema_violation(f);
            }
        }
        let required: &[&str] = match k.seg {
            "licenses" => &["payload"],
            "cloned-plugins" => &["name", "ref"],
            "custom-plugins" => &["name", "schema", "handler"],
            "ai-models" => &["name"],
            "degraphql_routes" => &["uri", "query"],
            _ => &[],
        };
        let missing: Map<String, Json> = required.iter().filter(|f| body.get(**f).is_none_or(Json::is_null)).map(|f| (f.to_string(), json!("required field missing"))).collect();
        if !missing.is_empty() {
            return schema_violation(missing);
        }
        if k.seg == "routes" {
            let set = |f: &str| body.get(f).is_some_and(|v| v.as_array().map(|a| !a.is_empty()).unwrap_or(v.is_object()));
            if !["methods", "hosts", "headers", "paths", "snis"].iter().any(|f| set(f)) {
                let msg = "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'";
                let mut f = Map::new();
                f.insert("@entity".into(), json!([msg]));
                return schema_violation(f);
            }
        }
        let plugin = body.get("name").and_then(Json::as_str).and_then(|n| self.plugin_schema(n)).filter(|_| k.seg == "plugins");
        if k.seg == "plugins" {
            let name = body.get("name").and_then(Json::as_str).unwrap_or("");
            if plugin.is_none() && !self.is_custom_plugin(name) {
                let mut f = Map::new();
                f.insert("name".into(), json!(format!("plugin '{name}' not enabled; add it to the 'plugins' configuration property")));
                return schema_violation(f);
            }
        }
        if k.seg == "plugins" && dry {
            if let Some(ps) = plugin {
                for scope in ["consumer", "consumer_group", "route", "service"] {
                    if body.get(scope).is_some_and(|v| !v.is_null()) && !ps.scopes.iter().any(|s| s == scope) {
                        let mut f = Map::new();
                        f.insert(scope.into(), json!("value must be null"));
                        return schema_violation(f);
                    }
                }
            }
        }
        if dry {
            return reply(200, json!({"message": "schema validation successful"}));
        }
        for (field, target, _) in k.foreign {
            let Some(v) = body.get(*field).filter(|v| !v.is_null()) else { continue };
            let Some(fid) = v.get("id").and_then(Json::as_str) else {
                let mut f = Map::new();
                f.insert(field.to_string(), json!({"id": "missing primary key"}));
                return schema_violation(f);
            };
            if self.find(target, fid).is_none() {
                let msg = format!("the foreign key '{{id=\"{fid}\"}}' does not reference an existing '{target}' entity.");
                return reply(400, json!({"code": 4, "name": "foreign key violation", "message": msg, "fields": {field.to_string(): msg}}));
            }
        }
        // uniqueness (each unique field alone), then the plugin and target cache keys
        let others: Vec<&Json> = self.all(k.seg).iter().filter(|e| id_of(e) != id).collect();
        for u in k.unique {
            if let Some(v) = body.get(*u).filter(|v| !v.is_null()) {
                if others.iter().any(|e| e.get(*u) == Some(v)) {
                    let mut f = Map::new();
                    f.insert(u.to_string(), v.clone());
                    let message = format!("UNIQUE violation detected on '{}'", lua_table(&f));
                    return reply(409, json!({"code": 5, "name": "unique constraint violation", "message": message, "fields": f}));
                }
            }
        }
        let cache_key: Option<Vec<&str>> = match k.seg {
            "plugins" => Some(vec!["consumer", "name", "route", "service", "consumer_group", "model"]),
            "targets" => Some(vec!["target", "upstream"]),
            _ => None,
        };
        if let Some(keys) = cache_key {
            let project = |e: &Map<String, Json>| keys.iter().map(|f| e.get(*f).cloned().unwrap_or(Json::Null)).collect::<Vec<_>>();
            let mine = project(&body);
            if others.iter().any(|e| e.as_object().map(project).as_ref() == Some(&mine)) {
                let mut f = Map::new();
                for (key, v) in keys.iter().zip(mine) {
                    f.insert(key.to_string(), v);
                }
                let message = format!("UNIQUE violation detected on '{}'", lua_table(&f));
                return reply(409, json!({"code": 5, "name": "unique constraint violation", "message": message, "fields": f}));
            }
        }
        fill_defaults(k, &mut body, plugin);
        if k.seg == "basic-auths" && replace_at.is_none_or(|i| self.all(k.seg)[i].get("password") != body.get("password")) {
            let consumer = body.get("consumer").and_then(|c| c.get("id")).and_then(Json::as_str).unwrap_or("").to_string();
            if let Some(Json::String(p)) = body.get_mut("password") {
                *p = sha1_smol::Sha1::from(format!("{p}{consumer}")).digest().to_string();
            }
        }
        for f in null_fields(k) {
            body.entry(f.to_string()).or_insert(Json::Null);
        }
        self.clock += 1;
        let created = replace_at.and_then(|i| self.all(k.seg)[i].get("created_at").cloned()).unwrap_or(json!(1_700_000_000 + self.clock));
        body.insert("id".into(), json!(id));
        body.insert("created_at".into(), created);
        body.insert("updated_at".into(), json!(1_700_000_000 + self.clock));
        let entity = Json::Object(body);
        let items = self.data.entry(k.seg).or_default();
        match replace_at {
            Some(i) => items[i] = entity.clone(),
            None => items.push(entity.clone()),
        }
        reply(200, entity)
    }

    fn delete(&mut self, k: &'static Kind, id: &str) -> Reply {
        // restrict: another kind's non-cascading foreign key points here
        for other in KINDS {
            for (field, target, cascade) in other.foreign {
                if *target == k.seg && !cascade && self.all(other.seg).iter().any(|e| e.get(*field).and_then(|f| f.get("id")).and_then(Json::as_str) == Some(id)) {
                    let msg = format!("an existing '{}' entity references this '{}' entity", other.name, k.name);
                    return reply(400, json!({"code": 4, "name": "foreign key violation", "message": msg, "fields": {"@referenced_by": other.name}}));
                }
            }
        }
        if let Some(items) = self.data.get_mut(k.seg) {
            items.retain(|e| id_of(e) != id);
        }
        if k.seg == "rbac_roles" {
            if let Some(eps) = self.data.get_mut(ENDPOINTS) {
                eps.retain(|e| e["role"]["id"] != json!(id));
            }
        }
        for other in KINDS {
            for (field, target, cascade) in other.foreign {
                if *target == k.seg && *cascade {
                    let doomed: Vec<String> = self
                        .all(other.seg)
                        .iter()
                        .filter(|e| e.get(*field).and_then(|f| f.get("id")).and_then(Json::as_str) == Some(id))
                        .map(|e| id_of(e).to_string())
                        .collect();
                    for d in doomed {
                        self.delete(other, &d);
                    }
                }
            }
        }
        Reply { status: 204, body: None, headers: Vec::new() }
    }

    fn list(&self, items: Vec<&Json>, query: &BTreeMap<String, String>, base: &str, top: bool) -> Reply {
        let size = match query.get("size") {
            None => 100,
            Some(s) => match s.parse::<usize>() {
                Ok(n) if (1..=1000).contains(&n) => n,
                Ok(_) => return reply(400, json!({"code": 9, "name": "invalid size", "message": "size must be an integer between 1 and 1000"})),
                Err(_) => return reply(400, json!({"code": 9, "name": "invalid size", "message": "size must be a number"})),
            },
        };
        let tags = query.get("tags").filter(|_| top);
        let filtered: Vec<&Json> = items
            .into_iter()
            .filter(|e| match tags {
                None => true,
                Some(t) => {
                    let have: Vec<&str> = e.get("tags").and_then(Json::as_array).map(|a| a.iter().filter_map(Json::as_str).collect()).unwrap_or_default();
                    if t.contains('/') {
                        t.split('/').any(|x| have.contains(&x))
                    } else {
                        t.split(',').all(|x| have.contains(&x))
                    }
                }
            })
            .collect();
        let start = match query.get("offset") {
            None => 0,
            Some(o) => match o.strip_prefix("o").and_then(|n| n.parse::<usize>().ok()) {
                Some(n) => n,
                None => return reply(400, json!({"code": 7, "name": "invalid offset", "message": format!("'{o}' is not a valid offset: bad base64 encoding")})),
            },
        };
        let page: Vec<Json> = filtered.iter().skip(start).take(size).map(|e| (*e).clone()).collect();
        let mut body = Map::new();
        body.insert("data".into(), Json::Array(page));
        let end = start + size;
        if end < filtered.len() {
            let offset = format!("o{end}");
            let mut next = format!("{base}?offset={offset}");
            if top {
                if let Some(t) = tags {
                    next.push_str(&format!("&tags={t}"));
                }
                next.push_str(&format!("&size={size}"));
            }
            body.insert("offset".into(), json!(offset));
            body.insert("next".into(), json!(next));
        } else {
            body.insert("next".into(), Json::Null);
        }
        reply(200, Json::Object(body))
    }

    fn handle(&mut self, method: &str, path: &str, query: &BTreeMap<String, String>, body: Option<&[u8]>, enterprise: bool) -> Reply {
        let segs: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
        let segs: &[&str] = if segs.first() == Some(&"default") { &segs[1..] } else { &segs };
        if let ["services", service, "degraphql", "routes", rest @ ..] = segs {
            let inner = format!("/services/{service}/degraphql_routes/{}", rest.join("/"));
            return self.handle(method, &inner, query, body, enterprise);
        }
        if let ["rbac", "roles", rest @ ..] = segs {
            if !enterprise {
                return message(404, "Not found");
            }
            if let [role, "endpoints", ep @ ..] = rest {
                return self.rbac_endpoints(method, role, ep, query, body);
            }
            let inner = format!("/rbac_roles/{}", rest.join("/"));
            return self.handle(method, &inner, query, body, enterprise);
        }
        let parsed: Option<Map<String, Json>> = match body {
            Some(b) if !b.is_empty() => match serde_json::from_slice::<Json>(b) {
                Ok(Json::Object(m)) => Some(m),
                _ => return message(400, "Cannot parse JSON body"),
            },
            _ => None,
        };
        let writes = matches!(method, "POST" | "PUT" | "PATCH");
        let new_id = || uuid::Uuid::new_v4().to_string();
        match segs {
            [] | ["kong"] if method == "GET" => reply(
                200,
                json!({"tagline": "Welcome to kong", "version": "3.10.0", "edition": if enterprise { "enterprise" } else { "community" },
                       "hostname": "emulator", "configuration": {"database": "postgres", "router_flavor": "traditional_compatible"},
                       "plugins": {"enabled_in_cluster": []}}),
            ),
            ["status"] if method == "GET" => reply(200, json!({"database": {"reachable": true}, "server": {}, "memory": {}})),
            ["schemas", "plugins", name] if method == "GET" && *name != "validate" => match self.plugin_schema(name) {
                Some(ps) => reply(200, plugin_schema_answer(name, ps)),
                None if self.is_custom_plugin(name) => {
                    let empty: gateway::schema::PluginSchema = serde_json::from_value(json!({
                        "scopes": ["consumer", "route", "service"],
                        "protocols": {"type": "set", "default": ["grpc", "grpcs", "http", "https"]},
                        "config": {"type": "record"}
                    }))
                    .expect("schema");
                    reply(200, plugin_schema_answer(name, &empty))
                }
                None => message(404, &format!("No plugin named '{name}'")),
            },
            ["schemas", name] if method == "GET" => match KINDS.iter().find(|k| k.name == *name && (enterprise || !k.enterprise)) {
                Some(k) => reply(200, entity_schema_answer(k)),
                None => message(404, &format!("No entity named '{name}'")),
            },
            ["schemas", "rbac-endpointpermission", "validate"] if method == "POST" && enterprise => {
                let b = parsed.unwrap_or_default();
                let missing: Map<String, Json> = ["workspace", "endpoint"].iter().filter(|f| b.get(**f).is_none_or(Json::is_null)).map(|f| (f.to_string(), json!("required field missing"))).collect();
                if missing.is_empty() { reply(200, json!({"message": "schema validation successful"})) } else { schema_violation(missing) }
            }
            ["schemas", "rbac-role", "validate"] if method == "POST" && enterprise => {
                let k = kind("rbac_roles").expect("kind");
                self.write(k, &new_id(), parsed.unwrap_or_default(), None, true)
            }
            ["schemas", name, "validate"] if method == "POST" => match KINDS.iter().find(|k| k.name == *name && (enterprise || !k.enterprise)) {
                Some(k) => self.write(k, &new_id(), parsed.unwrap_or_default(), None, true),
                None => message(404, &format!("No entity named '{name}'")),
            },
            [seg] | [seg, _] if kind(seg).is_none_or(|k| k.enterprise && !enterprise) || matches!(*seg, "targets" | "consumer_group_consumers") => {
                message(404, "Not found")
            }
            [seg] => {
                let k = kind(seg).expect("checked");
                match method {
                    "GET" => {
                        let items: Vec<&Json> = self.all(k.seg).iter().collect();
                        self.list(items, query, &format!("/{seg}"), true)
                    }
                    "POST" => self.create(k, parsed.unwrap_or_default()),
                    _ => message(405, "Method not allowed"),
                }
            }
            [seg, key] => {
                let k = kind(seg).expect("checked");
                let at = self.find(k.seg, key);
                match method {
                    "GET" => match at {
                        Some(i) => reply(200, self.all(k.seg)[i].clone()),
                        None => message(404, "Not found"),
                    },
                    "PUT" => {
                        let mut b = parsed.unwrap_or_default();
                        let id = match at {
                            Some(i) => id_of(&self.all(k.seg)[i]).to_string(),
                            None if is_uuid(key) => key.to_string(),
                            None => {
                                if let Some(ek) = k.endpoint_key {
                                    b.insert(ek.into(), json!(key));
                                }
                                new_id()
                            }
                        };
                        self.upsert(k, &id, b, at)
                    }
                    "PATCH" => match at {
                        Some(i) => {
                            let mut merged = self.all(k.seg)[i].as_object().cloned().unwrap_or_default();
                            for (f, v) in parsed.unwrap_or_default() {
                                merged.insert(f, v);
                            }
                            let id = id_of(&self.all(k.seg)[i]).to_string();
                            self.upsert(k, &id, merged, Some(i))
                        }
                        None => {
                            let (field, msg) = if is_uuid(key) { ("id", format!("could not find the entity with primary key '{{id=\"{key}\"}}'")) } else { (k.endpoint_key.unwrap_or("id"), format!("could not find the entity with '{{{}=\"{key}\"}}'", k.endpoint_key.unwrap_or("id"))) };
                            reply(404, json!({"code": 6, "name": "not found", "message": msg, "fields": {field: key}}))
                        }
                    },
                    "DELETE" => match at {
                        Some(i) => {
                            let id = id_of(&self.all(k.seg)[i]).to_string();
                            self.delete(k, &id)
                        }
                        None => Reply { status: 204, body: None, headers: Vec::new() },
                    },
                    _ => message(405, "Method not allowed"),
                }
            }
            ["consumer_groups", g, "consumers"] | ["consumer_groups", g, "consumers", _] if enterprise => {
                let Some(gi) = self.find("consumer_groups", g) else { return message(404, "Not found") };
                let gid = id_of(&self.all("consumer_groups")[gi]).to_string();
                let member_kind = kind("consumer_group_consumers").expect("kind");
                let members = |s: &Store| -> Vec<String> {
                    s.all(member_kind.seg)
                        .iter()
                        .filter(|m| m["consumer_group"]["id"] == json!(gid))
                        .filter_map(|m| m["consumer"]["id"].as_str().map(String::from))
                        .collect()
                };
                match (method, segs) {
                    ("GET", [_, _, _]) => {
                        let ids = members(self);
                        let consumers: Vec<&Json> = self.all("consumers").iter().filter(|c| ids.iter().any(|i| i == id_of(c))).collect();
                        self.list(consumers, query, &format!("/consumer_groups/{g}/consumers"), false)
                    }
                    ("POST", [_, _, _]) => {
                        let who = parsed.as_ref().and_then(|b| b.get("consumer")).and_then(Json::as_str).unwrap_or("").to_string();
                        let Some(ci) = self.find("consumers", &who) else { return message(404, "Not found") };
                        let cid = id_of(&self.all("consumers")[ci]).to_string();
                        if members(self).contains(&cid) {
                            return reply(409, json!({"message": format!("consumer '{cid}' already in group '{gid}'")}));
                        }
                        let mut b = Map::new();
                        b.insert("consumer_group".into(), json!({"id": gid}));
                        b.insert("consumer".into(), json!({"id": cid}));
                        let id = format!("{gid}:{cid}");
                        let r = self.upsert(member_kind, &id, b, None);
                        if r.status != 200 {
                            return r;
                        }
                        let consumer = self.all("consumers")[ci].clone();
                        reply(201, json!({"consumer_group": self.all("consumer_groups")[gi].clone(), "consumers": [consumer]}))
                    }
                    ("DELETE", [_, _, _, c]) => {
                        if let Some(ci) = self.find("consumers", c) {
                            let id = format!("{gid}:{}", id_of(&self.all("consumers")[ci]));
                            if let Some(items) = self.data.get_mut(member_kind.seg) {
                                items.retain(|m| id_of(m) != id);
                            }
                        }
                        Reply { status: 204, body: None, headers: Vec::new() }
                    }
                    _ => message(405, "Method not allowed"),
                }
            }
            [pseg, pkey, cseg] | [pseg, pkey, cseg, _] => {
                let nested: Option<(&'static Kind, &str)> = match (*pseg, *cseg) {
                    ("upstreams", "targets") => Some((kind("targets").expect("kind"), "upstream")),
                    ("services", "routes") => Some((kind("routes").expect("kind"), "service")),
                    ("services", "plugins") => Some((kind("plugins").expect("kind"), "service")),
                    ("routes", "plugins") => Some((kind("plugins").expect("kind"), "route")),
                    ("consumers", "plugins") => Some((kind("plugins").expect("kind"), "consumer")),
                    ("consumers", "key-auth") => Some((kind("key-auths").expect("kind"), "consumer")),
                    ("services", "degraphql_routes") if enterprise => Some((kind("degraphql_routes").expect("kind"), "service")),
                    _ => None,
                };
                let Some((ck, fk)) = nested else { return message(404, "Not found") };
                let Some(pi) = self.find(pseg, pkey) else { return message(404, "Not found") };
                let pid = id_of(&self.all(pseg)[pi]).to_string();
                let belongs = |e: &Json| e.get(fk).and_then(|f| f.get("id")).and_then(Json::as_str) == Some(pid.as_str());
                if let [_, _, _, ckey] = segs {
                    let at = self.all(ck.seg).iter().position(|e| belongs(e) && (id_of(e) == *ckey || (ck.seg == "targets" && e.get("target").and_then(Json::as_str) == Some(ckey))));
                    return match (method, at) {
                        ("GET", Some(i)) => reply(200, self.all(ck.seg)[i].clone()),
                        ("PUT" | "PATCH", Some(i)) => {
                            let mut merged = if method == "PATCH" { self.all(ck.seg)[i].as_object().cloned().unwrap_or_default() } else { Map::new() };
                            for (f, v) in parsed.unwrap_or_default() {
                                merged.insert(f, v);
                            }
                            merged.insert(fk.into(), json!({"id": pid}));
                            let id = id_of(&self.all(ck.seg)[i]).to_string();
                            self.upsert(ck, &id, merged, Some(i))
                        }
                        ("DELETE", Some(i)) => {
                            let id = id_of(&self.all(ck.seg)[i]).to_string();
                            self.delete(ck, &id)
                        }
                        ("DELETE", None) => Reply { status: 204, body: None, headers: Vec::new() },
                        ("GET" | "PUT" | "PATCH", None) => message(404, "Not found"),
                        _ => message(405, "Method not allowed"),
                    };
                }
                match method {
                    "GET" => {
                        let items: Vec<&Json> = self.all(ck.seg).iter().filter(|e| belongs(e)).collect();
                        self.list(items, query, &format!("/{pseg}/{pkey}/{cseg}"), false)
                    }
                    "POST" => {
                        let mut b = parsed.unwrap_or_default();
                        b.insert(fk.into(), json!({"id": pid}));
                        self.create(ck, b)
                    }
                    _ => message(405, "Method not allowed"),
                }
            }
            _ if writes => message(405, "Method not allowed"),
            _ => message(404, "Not found"),
        }
    }
}

struct Lcg(u64);
impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Shared {
    store: Mutex<Store>,
    rng: Mutex<Lcg>,
    opts: Opts,
}

fn status_text(s: u16) -> &'static str {
    match s {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Status",
    }
}

fn query_of(q: &str) -> BTreeMap<String, String> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() {
            let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(b[i + 1]) * 16 + hex(b[i + 2]));
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Serves one connection (HTTP/1.1 keep-alive) until the client closes it.
fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("/").to_string());
        let mut headers: Vec<(String, String)> = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let header = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let len: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (path, q) = target.split_once('?').unwrap_or((&target, ""));
        let path = decode(path);
        let query = query_of(q);
        let internal = path.starts_with("/__emulator");
        let reply = if internal {
            let mut store = shared.store.lock().unwrap_or_else(|e| e.into_inner());
            match method.as_str() {
                "DELETE" => {
                    store.log.clear();
                    Reply { status: 204, body: None, headers: Vec::new() }
                }
                _ => reply(200, json!(store.log)),
            }
        } else {
            if shared.opts.latency_ms > 0 {
                std::thread::sleep(Duration::from_millis(shared.opts.latency_ms));
            }
            let fault = {
                let mut rng = shared.rng.lock().unwrap_or_else(|e| e.into_inner());
                let roll = rng.unit();
                let pick = rng.unit();
                (roll < shared.opts.fault_rate && path != "/").then(|| {
                    let n = shared.opts.faults.len().max(1);
                    shared.opts.faults.get(((pick * n as f64) as usize).min(n - 1)).cloned().unwrap_or_default()
                })
            };
            match fault.as_deref() {
                Some("drop") => return, // close without answering, before doing anything
                Some("429") => Reply {
                    status: 429,
                    body: Some(json!({"message": "API rate limit exceeded"})),
                    headers: vec![("Retry-After".into(), shared.opts.retry_after.clone())],
                },
                Some("500") => message(500, "An unexpected error occurred"),
                _ if shared.opts.token.as_ref().is_some_and(|t| header("kong-admin-token").as_deref() != Some(t.as_str())) => {
                    message(401, "Invalid credentials. Token or User credentials required")
                }
                // an RBAC role that may not read these endpoints
                _ if shared.opts.forbid.as_ref().is_some_and(|p| path.starts_with(p.as_str())) => message(403, "Forbidden"),
                _ => {
                    let mut store = shared.store.lock().unwrap_or_else(|e| e.into_inner());
                    store.log.push(format!("{method} {target}"));
                    store.handle(&method, &path, &query, Some(&body), shared.opts.enterprise)
                }
            }
        };
        let payload = reply.body.map(|b| b.to_string()).unwrap_or_default();
        let mut head = format!("HTTP/1.1 {} {}\r\nContent-Length: {}\r\n", reply.status, status_text(reply.status), payload.len());
        if !payload.is_empty() {
            head.push_str("Content-Type: application/json; charset=utf-8\r\n");
        }
        for (k, v) in reply.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        head.push_str(&payload);
        // one write per answer: a split write meets the client's delayed ACK (40 ms stalls)
        if writer.write_all(head.as_bytes()).is_err() {
            return;
        }
        if header("connection").is_some_and(|c| c.eq_ignore_ascii_case("close")) {
            return;
        }
    }
}

fn main() {
    let opts = opts();
    if let Some(path) = &opts.plugin_schemas {
        let text = std::fs::read_to_string(path).expect("--plugin-schemas file");
        PLUGIN_OVERLAY.set(serde_json::from_str(&text).expect("--plugin-schemas: name -> compact plugin schema")).ok();
    }
    let listener = TcpListener::bind(&opts.listen).expect("bind");
    let addr = listener.local_addr().expect("local addr");
    eprintln!("listening on http://{addr}");
    let seed = opts.seed;
    let shared = Arc::new(Shared { store: Mutex::new(Store::default()), rng: Mutex::new(Lcg(seed)), opts });
    for stream in listener.incoming().flatten() {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || serve(stream, shared));
    }
}
