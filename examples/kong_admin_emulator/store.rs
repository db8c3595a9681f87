//! The entities: kinds and their keys, Kong's defaults, validation, uniqueness (409),
//! foreign keys (cascade and restrict), and pagination with tag filters.

use crate::http::{reply, Reply};
use crate::schemas::plugin_schema;
use crate::table::Table;
use indexmap::map::Slice;
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;

/// How the emulator treats one entity kind.
pub struct Kind {
    /// URL segment.
    pub seg: &'static str,
    /// Name of the entity kind in Kong's messages.
    pub name: &'static str,
    /// Endpoint key (lookup by name in paths).
    pub endpoint_key: Option<&'static str>,
    /// Unique fields (each alone).
    pub unique: &'static [&'static str],
    /// (field, target kind segment, cascade on target delete)
    pub foreign: &'static [(&'static str, &'static str, bool)],
    pub enterprise: bool,
}

pub static KINDS: &[Kind] = &[
    Kind { seg: "licenses", name: "licenses", endpoint_key: None, unique: &[], foreign: &[], enterprise: true },
    Kind { seg: "cloned-plugins", name: "cloned_plugins", endpoint_key: Some("name"), unique: &["name"], foreign: &[], enterprise: true },
    Kind { seg: "custom-plugins", name: "custom_plugins", endpoint_key: Some("name"), unique: &["name"], foreign: &[], enterprise: true },
    Kind { seg: "ai-models", name: "ai_models", endpoint_key: Some("name"), unique: &["name"], foreign: &[], enterprise: true },
    // Kong Enterprise's degraphql plugin: listed at /degraphql_routes, written under
    // /services/{service}/degraphql/routes (the path is rewritten in `handle`)
    Kind { seg: "degraphql_routes", name: "degraphql_routes", endpoint_key: None, unique: &[], foreign: &[("service", "services", true)], enterprise: true },
    // Kong Enterprise's graphql-rate-limiting-advanced cost decorations (DAO
    // `graphql_ratelimiting_advanced_cost_decoration`, endpoint key `type_path`, not unique; the
    // plugin's migration makes `service_id` REFERENCES services ON DELETE CASCADE): served at
    // /graphql-rate-limiting-advanced/costs and /services/{service}/graphql-rate-limiting-advanced/costs,
    // the paths go-kong kong/graphql_rate_limiting_cost_decoration_service.go uses (rewritten in
    // `handle`)
    Kind {
        seg: "graphql_ratelimiting_advanced_cost_decoration",
        name: "graphql_ratelimiting_advanced_cost_decoration",
        endpoint_key: Some("type_path"),
        unique: &[],
        foreign: &[("service", "services", true)],
        enterprise: true,
    },
    // served under /rbac/roles (the path is rewritten in `handle`)
    Kind { seg: "rbac_roles", name: "rbac_roles", endpoint_key: Some("name"), unique: &["name"], foreign: &[], enterprise: true },
    Kind { seg: "services", name: "services", endpoint_key: Some("name"), unique: &["name"], foreign: &[("client_certificate", "certificates", false)], enterprise: false },
    Kind { seg: "routes", name: "routes", endpoint_key: Some("name"), unique: &["name"], foreign: &[("service", "services", false)], enterprise: false },
    Kind { seg: "consumers", name: "consumers", endpoint_key: Some("username"), unique: &["username", "custom_id"], foreign: &[], enterprise: false },
    Kind { seg: "consumer_groups", name: "consumer_groups", endpoint_key: Some("name"), unique: &["name"], foreign: &[], enterprise: true },
    Kind { seg: "upstreams", name: "upstreams", endpoint_key: Some("name"), unique: &["name"], foreign: &[("client_certificate", "certificates", false)], enterprise: false },
    Kind { seg: "targets", name: "targets", endpoint_key: None, unique: &[], foreign: &[("upstream", "upstreams", true)], enterprise: false },
    Kind { seg: "certificates", name: "certificates", endpoint_key: None, unique: &[], foreign: &[], enterprise: false },
    // kong/db/dao/certificates.lua: deleting a certificate deletes its SNIs first
    Kind { seg: "snis", name: "snis", endpoint_key: Some("name"), unique: &["name"], foreign: &[("certificate", "certificates", true)], enterprise: false },
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

pub fn kind(seg: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.seg == seg)
}

/// The fields of a kind's cache key, unique together (kong/db/schema/entities/plugins.lua
/// and targets.lua `cache_key`).
pub fn cache_key_fields(k: &Kind) -> Option<&'static [&'static str]> {
    match k.seg {
        "plugins" => Some(&["consumer", "name", "route", "service", "consumer_group", "model"]),
        "targets" => Some(&["target", "upstream"]),
        _ => None,
    }
}

pub struct Store {
    /// kind segment -> entities in insertion order, indexed (table.rs)
    tables: BTreeMap<&'static str, Table>,
    /// RBAC endpoint permissions (not a generated collection: no ids, no indexes)
    pub endpoints: Vec<Json>,
    pub log: Vec<String>,
    pub clock: u64,
    /// DB-less: md5 of the loaded declarative configuration (kong/api/routes/health.lua);
    /// 32 zeros until one is loaded (kong/constants.lua DECLARATIVE_EMPTY_CONFIG_HASH).
    pub config_hash: String,
    /// Schema transformations run on write (basic-auth password hashing). A declarative
    /// config with `_transform: false` is loaded without them.
    pub transform: bool,
}

impl Default for Store {
    fn default() -> Store {
        Store { tables: BTreeMap::new(), endpoints: Vec::new(), log: Vec::new(), clock: 0, config_hash: "0".repeat(32), transform: true }
    }
}

pub fn is_uuid(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok() && s.len() == 36
}

pub fn id_of(e: &Json) -> &str {
    e.get("id").and_then(Json::as_str).unwrap_or("")
}

pub fn lua_table(m: &Map<String, Json>) -> String {
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

pub fn schema_violation(fields: Map<String, Json>) -> Reply {
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

/// Kong 3.x upstream health-check defaults (kong/db/schema/entities/upstreams.lua). `https_sni`
/// and `headers` are the two fields marked NO_DEFAULT there: Kong answers them as null.
pub fn healthchecks_defaults() -> Json {
    json!({
        "threshold": 0,
        "active": {"type": "http", "timeout": 1, "concurrency": 10, "http_path": "/", "https_verify_certificate": true,
            "https_sni": null, "headers": null,
            "healthy": {"interval": 0, "http_statuses": [200, 302], "successes": 0},
            "unhealthy": {"interval": 0, "http_statuses": [429, 404, 500, 501, 502, 503, 504, 505], "tcp_failures": 0, "timeouts": 0, "http_failures": 0}},
        "passive": {"type": "http",
            "healthy": {"http_statuses": [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308], "successes": 0},
            "unhealthy": {"http_statuses": [429, 500, 503], "tcp_failures": 0, "timeouts": 0, "http_failures": 0}}
    })
}

/// Fills `body` from `defaults`, descending into records the body gives in part.
pub fn merge_defaults(body: &mut Map<String, Json>, defaults: &Map<String, Json>) {
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

/// Whether the gateway played runs `router_flavor = expressions` (profile.rs).
pub fn expressions_flavor() -> bool {
    crate::profile::get().router_flavor == "expressions"
}

/// Kong's largest route `priority`, 2^46 - 1 (kong/db/schema/entities/routes.lua `between`).
pub const MAX_ROUTE_PRIORITY: i64 = (1 << 46) - 1;

/// The routes schema's fields of the expressions flavor, in Kong's schema form
/// (kong/db/schema/entities/routes.lua `special_fields`, added only for that flavor).
pub fn expressions_route_fields() -> Vec<(&'static str, Json)> {
    vec![
        ("expression", json!({"type": "string", "description": "The route expression."})),
        ("priority", json!({"type": "integer", "between": [0, MAX_ROUTE_PRIORITY], "required": true, "default": 0})),
    ]
}

/// The route fields only the expressions flavor's schema has.
const EXPRESSIONS_ONLY: [&str; 2] = ["expression", "priority"];

/// The route errors that depend on the router flavor: Kong's routes schema of a gateway
/// without the expressions flavor has no `expression` / `priority` (any key outside the
/// schema is "unknown field", kong/db/schema/init.lua `validate_fields`); with it, their
/// types and range, then `validate_route`, the custom entity check routes.lua adds for the
/// ATC flavors (run here by gateway's own `router::atc::validate_route_with`, atc-router's parser
/// included). Field errors go in `errors`, the entity check's in `entity`.
fn route_flavor_errors(body: &Map<String, Json>, errors: &mut Map<String, Json>, entity: &mut Vec<Json>) {
    use gateway::router::atc::{validate_route_with, Net, Nets};
    use gateway::router::{Flavor, RouteSpec};
    if !expressions_flavor() {
        for f in EXPRESSIONS_ONLY.iter().filter(|f| body.contains_key(**f)) {
            errors.insert(f.to_string(), json!("unknown field"));
        }
        return;
    }
    let given = |f: &str| body.get(f).filter(|v| !v.is_null());
    if given("expression").is_some_and(|v| !v.is_string()) {
        errors.insert("expression".into(), json!("expected a string"));
    }
    match given("priority") {
        Some(v) if !(v.is_i64() || v.is_u64()) => {
            errors.insert("priority".into(), json!("expected an integer"));
        }
        Some(v) if !v.as_i64().is_some_and(|p| (0..=MAX_ROUTE_PRIORITY).contains(&p)) => {
            errors.insert("priority".into(), json!(format!("value should be between 0 and {MAX_ROUTE_PRIORITY}")));
        }
        _ => {}
    }
    if EXPRESSIONS_ONLY.iter().any(|f| errors.contains_key(*f)) {
        return;
    }
    let strings = |f: &str| -> Vec<String> { given(f).and_then(Json::as_array).map(|a| a.iter().filter_map(Json::as_str).map(String::from).collect()).unwrap_or_default() };
    let expression = given("expression").and_then(Json::as_str).map(String::from);
    // `sources` / `destinations` count among the "others" too (is_others_empty)
    let nets = |f: &str| -> Vec<Net> {
        let items = given(f).and_then(Json::as_array).map(Vec::as_slice).unwrap_or(&[]);
        items.iter().map(|n| Net { ip: n.get("ip").and_then(Json::as_str).map(String::from), port: n.get("port").and_then(Json::as_i64) }).collect()
    };
    let nets = Nets { sources: nets("sources"), destinations: nets("destinations") };
    let headers = given("headers")
        .and_then(Json::as_object)
        .map(|h| h.iter().map(|(k, v)| (k.clone(), v.as_array().map(|a| a.iter().filter_map(Json::as_str).map(String::from).collect()).unwrap_or_default())).collect())
        .unwrap_or_default();
    let protocols = strings("protocols");
    let spec = RouteSpec {
        name: given("name").and_then(Json::as_str).map(String::from),
        id: None,
        paths: strings("paths"),
        hosts: given("hosts").map(|_| strings("hosts")),
        methods: strings("methods"),
        headers,
        snis: strings("snis"),
        regex_priority: given("regex_priority").and_then(Json::as_i64).unwrap_or(0),
        protocols: if protocols.is_empty() { RouteSpec::default().protocols } else { protocols },
        expression,
        priority: given("priority").and_then(Json::as_u64),
    };
    if let Err((field, message)) = validate_route_with(&spec, &nets, Flavor::Expressions) {
        match field {
            Some(f) => {
                errors.insert(f.into(), json!(message));
            }
            None => entity.push(json!(format!("Router Expression failed validation: {message}"))),
        }
    }
}

/// The entity defaults this emulator fills, per kind.
pub fn entity_defaults(k: &Kind) -> Json {
    match k.seg {
        "services" => json!({"protocol": "http", "port": 80, "retries": 5, "connect_timeout": 60000, "write_timeout": 60000, "read_timeout": 60000, "enabled": true}),
        "routes" => {
            let mut d = json!({"protocols": ["http", "https"], "https_redirect_status_code": 426, "strip_path": true, "preserve_host": false,
                "request_buffering": true, "response_buffering": true, "regex_priority": 0, "path_handling": "v0"});
            // kong/db/schema/entities/routes.lua: with `router_flavor = expressions` the schema
            // gains `priority` (required, default 0), so every route is stored with it
            if expressions_flavor() {
                d["priority"] = json!(0);
            }
            d
        }
        "upstreams" => json!({"algorithm": "round-robin", "hash_on": "none", "hash_fallback": "none", "hash_on_cookie_path": "/", "slots": 10000, "use_srv_name": false,
            "healthchecks": healthchecks_defaults()}),
        "targets" => json!({"weight": 100}),
        "plugins" => json!({"enabled": true}),
        "jwts" => json!({"algorithm": "HS256"}),
        "oauth2" => json!({"client_type": "confidential", "hash_secret": false}),
        "rbac_roles" => json!({"is_default": false}),
        "degraphql_routes" => json!({"methods": ["GET"]}),
        // the cost decoration schema's defaults (the Enterprise plugin's daos.lua)
        "graphql_ratelimiting_advanced_cost_decoration" => json!({"add_arguments": [], "add_constant": 1, "mul_arguments": [], "mul_constant": 1}),
        _ => json!({}),
    }
}

/// Kong's defaults for a kind, filled where the body has none (`plugin`: the plugin's schema).
pub fn fill_defaults(k: &Kind, body: &mut Map<String, Json>, plugin: Option<&gateway::schema::PluginSchema>) {
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
pub fn fill_record(m: &mut Map<String, Json>, s: &gateway::schema::Schema) {
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
pub fn builds(s: &gateway::schema::Schema) -> bool {
    s.fields.values().all(|f| !f.required && (f.ty != gateway::schema::Type::Record || builds(f)))
}

/// A value's field definition in Kong's schema form (the type read off the default).
/// Entity fields Kong returns as `null` when unset.
pub fn null_fields(k: &Kind) -> &'static [&'static str] {
    match k.seg {
        "services" => &["name", "path", "tags", "client_certificate", "tls_verify", "tls_verify_depth", "ca_certificates"],
        // kong/db/schema/entities/routes.lua: `expression` (expressions flavor only) has no
        // default, so a route without one is answered with `"expression": null`
        "routes" if expressions_flavor() => &["name", "hosts", "paths", "methods", "headers", "snis", "sources", "destinations", "tags", "service", "expression"],
        "routes" => &["name", "hosts", "paths", "methods", "headers", "snis", "sources", "destinations", "tags", "service"],
        "consumers" => &["username", "custom_id", "tags"],
        "plugins" => &["instance_name", "route", "service", "consumer", "consumer_group", "tags"],
        // kong/db/schema/entities/upstreams.lua: every field without a default
        "upstreams" => &["tags", "host_header", "client_certificate", "hash_on_header", "hash_fallback_header", "hash_on_cookie",
            "hash_on_query_arg", "hash_fallback_query_arg", "hash_on_uri_capture", "hash_fallback_uri_capture"],
        "rbac_roles" => &["comment"],
        "licenses" | "degraphql_routes" => &[],
        "graphql_ratelimiting_advanced_cost_decoration" => &["service"],
        "targets" => &["tags"],
        _ => &["tags"],
    }
}

impl Store {
    /// A kind's entities in insertion order: `[i]` is the i-th, `.values()` all of them.
    pub fn all(&self, seg: &str) -> &Slice<String, Json> {
        self.tables.get(seg).map(Table::rows).unwrap_or_default()
    }

    pub fn table(&self, seg: &str) -> Option<&Table> {
        self.tables.get(seg)
    }

    /// The only way to change a kind's entities (the table keeps its indexes in step).
    pub fn table_mut(&mut self, k: &'static Kind) -> &mut Table {
        self.tables.entry(k.seg).or_insert_with(|| Table::new(k))
    }

    /// Position of the entity `key` names: its id (a UUID) or its endpoint key.
    pub fn find(&self, seg: &str, key: &str) -> Option<usize> {
        let k = kind(seg)?;
        let t = self.tables.get(seg)?;
        if is_uuid(key) {
            t.position(key)
        } else {
            t.first_with(k.endpoint_key?, &json!(key))
        }
    }

    /// Whether an entity of `seg` has the id `id` (a UUID or not).
    pub fn has_id(&self, seg: &str, id: &str) -> bool {
        self.tables.get(seg).is_some_and(|t| t.position(id).is_some())
    }

    /// Positions of the `seg` entities whose foreign key `field` references `id`, in order.
    pub fn referencing(&self, seg: &str, field: &'static str, id: &str) -> Vec<usize> {
        self.tables.get(seg).map(|t| t.referencing(field, id)).unwrap_or_default()
    }

    /// The first `seg` entity whose `field` (unique or the endpoint key) is the string `value`.
    fn named(&self, seg: &str, field: &'static str, value: &str) -> Option<&Json> {
        let at = self.tables.get(seg)?.first_with(field, &json!(value))?;
        Some(&self.all(seg)[at])
    }

    /// An entity as Kong answers it: certificates carry `snis`, the sorted names of their SNIs
    /// (kong/db/dao/certificates.lua `page` and `select_with_name_list`, used by
    /// kong/api/routes/certificates.lua; kong/db/dao/snis.lua `list_for_certificate` sorts).
    pub fn shown(&self, k: &Kind, e: &Json) -> Json {
        if k.seg != "certificates" {
            return e.clone();
        }
        let snis = self.all("snis");
        let mut names: Vec<&str> = self.referencing("snis", "certificate", id_of(e)).into_iter().filter_map(|i| snis[i]["name"].as_str()).collect();
        names.sort();
        let mut out = e.clone();
        out["snis"] = json!(names);
        out
    }

    /// A plugin's schema: known to this gateway, or the source of a stored cloned plugin.
    pub fn plugin_schema(&self, name: &str) -> Option<&'static gateway::schema::PluginSchema> {
        plugin_schema(name).or_else(|| {
            let clone = self.named("cloned-plugins", "name", name)?;
            plugin_schema(clone.get("ref").and_then(Json::as_str)?)
        })
    }

    /// A custom plugin streamed in through `/custom-plugins` (its schema is Lua source).
    pub fn is_custom_plugin(&self, name: &str) -> bool {
        self.named("custom-plugins", "name", name).is_some()
    }

    /// `POST`: a new entity, under the id the body gives or a fresh one; 201 when stored.
    pub fn create(&mut self, k: &'static Kind, body: Map<String, Json>) -> Reply {
        let id = body.get("id").and_then(Json::as_str).map(String::from).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        // (an id that is not a UUID is looked up as an endpoint key, but still taken)
        if self.find(k.seg, &id).is_some() || self.has_id(k.seg, &id) {
            return reply(400, json!({"code": 3, "name": "primary key violation", "message": format!("primary key violation on key '{{id=\"{id}\"}}'"), "fields": {"id": id}}));
        }
        let mut r = self.upsert(k, &id, body, None);
        if r.status == 200 {
            r.status = 201;
        }
        r
    }

    /// Validates and stores `body` as entity `id` of kind `k` (insert or replace).
    pub fn upsert(&mut self, k: &'static Kind, id: &str, body: Map<String, Json>, replace_at: Option<usize>) -> Reply {
        self.write(k, id, body, replace_at, false)
    }

    /// Every schema problem of `body` at once (Kong reports them together: "N schema
    /// violations (...)", kong/db/errors.lua), entity-level ones under `@entity`.
    pub fn schema_errors(&self, k: &'static Kind, body: &Map<String, Json>, scopes: bool) -> Map<String, Json> {
        let mut errors = Map::new();
        let mut entity: Vec<Json> = Vec::new();
        let required: &[&str] = match k.seg {
            "services" => &["host"],
            "licenses" => &["payload"],
            "cloned-plugins" => &["name", "ref"],
            "custom-plugins" => &["name", "schema", "handler"],
            "ai-models" => &["name"],
            "degraphql_routes" => &["uri", "query"],
            "graphql_ratelimiting_advanced_cost_decoration" => &["type_path"],
            _ => &[],
        };
        for f in required.iter().filter(|f| body.get(**f).is_none_or(Json::is_null)) {
            errors.insert(f.to_string(), json!("required field missing"));
        }
        if k.seg == "routes" {
            let set = |f: &str| {
                body.get(f).is_some_and(|v| match v {
                    Json::Array(a) => !a.is_empty(),
                    Json::String(s) => !s.is_empty(),
                    other => other.is_object(),
                })
            };
            // kong/db/schema/entities/routes_subschemas.lua: the expressions flavor adds
            // 'expression' to the fields of which a route must set one
            let one_of: &[&str] = if expressions_flavor() { &["methods", "hosts", "headers", "paths", "snis", "expression"] } else { &["methods", "hosts", "headers", "paths", "snis"] };
            if !one_of.iter().any(|f| set(f)) {
                let names: Vec<String> = one_of.iter().map(|f| format!("'{f}'")).collect();
                entity.push(json!(format!("must set one of {} when 'protocols' is 'https'", names.join(", "))));
            }
            route_flavor_errors(body, &mut errors, &mut entity);
        }
        if k.seg == "plugins" {
            let name = body.get("name").and_then(Json::as_str).unwrap_or("");
            // kong/db/schema/entities/plugins.lua: a name outside loaded_plugins has no
            // subschema (the `plugins` setting, kong/conf_loader/init.lua)
            if !self.plugin_known(name) {
                errors.insert("name".into(), json!(format!("plugin '{name}' not enabled; add it to the 'plugins' configuration property")));
            } else if let Some(ps) = self.plugin_schema(name) {
                if scopes {
                    for scope in ["consumer", "consumer_group", "route", "service"] {
                        if body.get(scope).is_some_and(|v| !v.is_null()) && !ps.scopes.iter().any(|s| s == scope) {
                            errors.insert(scope.into(), json!("value must be null"));
                        }
                    }
                }
                // the plugin's config is validated against this gateway's schema of it
                let mut config = Map::new();
                record_errors(&ps.config, body.get("config").and_then(Json::as_object), &mut config);
                if !config.is_empty() {
                    errors.insert("config".into(), Json::Object(config));
                }
            }
        }
        if !entity.is_empty() {
            let mut all = Map::new();
            all.insert("@entity".into(), Json::Array(entity));
            all.extend(errors);
            return all;
        }
        errors
    }

    /// A plugin this gateway runs: in `loaded_plugins` (the profile), streamed in through
    /// `/custom-plugins`, or a stored clone of a loaded one (Enterprise).
    pub fn plugin_known(&self, name: &str) -> bool {
        crate::profile::get().plugin_loaded(name)
            || self.is_custom_plugin(name)
            || self.named("cloned-plugins", "name", name).is_some()
    }

    /// `dry`: schema validation only (`/schemas/{kind}/validate`): no foreign-key lookups,
    /// no uniqueness, nothing stored.
    pub fn write(&mut self, k: &'static Kind, id: &str, mut body: Map<String, Json>, replace_at: Option<usize>, dry: bool) -> Reply {
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
        }
        // kong/db/dao/certificates.lua: `snis` is a pseudo-attribute, a list of names kept as
        // SNI entities of this certificate
        let sni_names: Option<Vec<String>> = if k.seg == "certificates" {
            body.remove("snis").and_then(|v| v.as_array().map(|a| a.iter().filter_map(Json::as_str).map(String::from).collect()))
        } else {
            None
        };
        let errors = self.schema_errors(k, &body, dry);
        if !errors.is_empty() {
            return schema_violation(errors);
        }
        if dry {
            return reply(200, json!({"message": "schema validation successful"}));
        }
        let plugin = body.get("name").and_then(Json::as_str).and_then(|n| self.plugin_schema(n)).filter(|_| k.seg == "plugins");
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
        let table = self.table(k.seg);
        for u in k.unique {
            if let Some(v) = body.get(*u).filter(|v| !v.is_null()) {
                if table.is_some_and(|t| t.taken(u, v, id)) {
                    let mut f = Map::new();
                    f.insert(u.to_string(), v.clone());
                    let message = format!("UNIQUE violation detected on '{}'", lua_table(&f));
                    return reply(409, json!({"code": 5, "name": "unique constraint violation", "message": message, "fields": f}));
                }
            }
        }
        if let Some(keys) = cache_key_fields(k) {
            if table.is_some_and(|t| t.cache_key_taken(&body, id)) {
                let mut f = Map::new();
                for key in keys {
                    f.insert(key.to_string(), body.get(*key).cloned().unwrap_or(Json::Null));
                }
                let message = format!("UNIQUE violation detected on '{}'", lua_table(&f));
                return reply(409, json!({"code": 5, "name": "unique constraint violation", "message": message, "fields": f}));
            }
        }
        fill_defaults(k, &mut body, plugin);
        // kong/plugins/basic-auth/daos.lua `transformations`: the password is stored as
        // crypto.hash(consumer_id, password) (kong/plugins/basic-auth/crypto.lua: sha1 of the
        // password salted with the consumer id); a `_transform: false` declarative config
        // stores it as given
        if self.transform && k.seg == "basic-auths" && replace_at.is_none_or(|i| self.all(k.seg)[i].get("password") != body.get("password")) {
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
        // replace_at is the position of `id` itself: `put` replaces it in place
        debug_assert_eq!(replace_at, self.table(k.seg).and_then(|t| t.position(id)));
        self.table_mut(k).put(entity.clone());
        if let Some(names) = sni_names {
            let sni = kind("snis").expect("kind");
            let dropped: Vec<String> = {
                let snis = self.all(sni.seg);
                self.referencing(sni.seg, "certificate", id)
                    .into_iter()
                    .map(|i| &snis[i])
                    .filter(|s| !names.iter().any(|n| s["name"] == json!(n)))
                    .map(|s| id_of(s).to_string())
                    .collect()
            };
            let now = 1_700_000_000 + self.clock;
            let snis = self.table_mut(sni);
            for d in dropped {
                snis.remove(&d);
            }
            for n in names {
                if snis.first_with("name", &json!(n)).is_none() {
                    snis.put(json!({"id": uuid::Uuid::new_v4().to_string(), "name": n, "certificate": {"id": id}, "tags": null,
                        "created_at": now, "updated_at": now}));
                }
            }
        }
        reply(200, self.shown(k, &entity))
    }

    pub fn delete(&mut self, k: &'static Kind, id: &str) -> Reply {
        // restrict: another kind's non-cascading foreign key points here
        for other in KINDS {
            for (field, target, cascade) in other.foreign {
                if *target == k.seg && !cascade && !self.referencing(other.seg, field, id).is_empty() {
                    let msg = format!("an existing '{}' entity references this '{}' entity", other.name, k.name);
                    return reply(400, json!({"code": 4, "name": "foreign key violation", "message": msg, "fields": {"@referenced_by": other.name}}));
                }
            }
        }
        if let Some(t) = self.tables.get_mut(k.seg) {
            t.remove(id);
        }
        if k.seg == "rbac_roles" {
            self.endpoints.retain(|e| e["role"]["id"] != json!(id));
        }
        for other in KINDS {
            for (field, target, cascade) in other.foreign {
                if *target == k.seg && *cascade {
                    let all = self.all(other.seg);
                    let doomed: Vec<String> = self.referencing(other.seg, field, id).into_iter().map(|i| id_of(&all[i]).to_string()).collect();
                    for d in doomed {
                        self.delete(other, &d);
                    }
                }
            }
        }
        Reply { status: 204, body: None, headers: Vec::new() }
    }

    /// A page of `items`. `top`: a kind's own collection (`/{seg}`), which filters by tags,
    /// carries them in `next`, and answers entities as `shown` (only the page is built).
    pub fn list(&self, items: Vec<&Json>, query: &BTreeMap<String, String>, base: &str, top: Option<&Kind>) -> Reply {
        let size = match query.get("size") {
            None => 100,
            Some(s) => match s.parse::<usize>() {
                Ok(n) if (1..=1000).contains(&n) => n,
                Ok(_) => return reply(400, json!({"code": 9, "name": "invalid size", "message": "size must be an integer between 1 and 1000"})),
                Err(_) => return reply(400, json!({"code": 9, "name": "invalid size", "message": "size must be a number"})),
            },
        };
        let tags = query.get("tags").filter(|_| top.is_some());
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
        let page: Vec<Json> = filtered.iter().skip(start).take(size).map(|e| top.map_or_else(|| (*e).clone(), |k| self.shown(k, e))).collect();
        let mut body = Map::new();
        body.insert("data".into(), Json::Array(page));
        let end = start + size;
        if end < filtered.len() {
            let offset = format!("o{end}");
            let mut next = format!("{base}?offset={offset}");
            if top.is_some() {
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

}

/// Errors of a record's value against its schema, nested as Kong nests them: a required
/// field with no value and no default is "required field missing", a field the schema does
/// not have is "unknown field" (kong/db/schema/init.lua, `validate_fields` and the
/// `ERROR.REQUIRED` / `ERROR.UNKNOWN` messages); present records are checked inside.
fn record_errors(schema: &gateway::schema::Schema, value: Option<&Map<String, Json>>, out: &mut Map<String, Json>) {
    let empty = Map::new();
    let value = value.unwrap_or(&empty);
    for (name, f) in &schema.fields {
        match value.get(name) {
            None | Some(Json::Null) => {
                if f.required && f.default.is_none() {
                    out.insert(name.clone(), json!("required field missing"));
                }
            }
            Some(Json::Object(sub)) if f.ty == gateway::schema::Type::Record => {
                let mut inner = Map::new();
                record_errors(f, Some(sub), &mut inner);
                if !inner.is_empty() {
                    out.insert(name.clone(), Json::Object(inner));
                }
            }
            Some(_) => {}
        }
    }
    if !schema.open {
        for key in value.keys().filter(|k| !schema.fields.contains_key(*k)) {
            out.insert(key.clone(), json!("unknown field"));
        }
    }
}
