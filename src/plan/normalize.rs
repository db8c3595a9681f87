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

/// Fields Kong computes or attaches itself, which a config does not carry.
fn computed_fields(kind: &Kind) -> &'static [&'static str] {
    match kind.key {
        // Kong lists each certificate with the names of its SNIs (kong/db/dao/certificates.lua:
        // `page` and `select_with_name_list` set `cert.snis`); gateway manages SNIs as entities
        // of their own, so the listed names are no field of the certificate
        "certificates" => &["snis"],
        // sha256 of the certificate, set by Kong on write (kong/db/schema/entities/ca_certificates.lua,
        // `transformations`); decK ignores it too (GDR pkg/state/types.go CACertificate.EqualWithOpts)
        "ca_certificates" => &["cert_digest"],
        _ => &[],
    }
}

/// A gateway entity as comparable JSON.
pub fn normalize_current(kind: &Kind, body: &Json) -> Json {
    let mut body = common(kind, body.clone());
    if let Json::Object(m) = &mut body {
        for f in computed_fields(kind) {
            m.remove(*f);
        }
    }
    body
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
    if kind.key == "targets" {
        if let Some(Json::String(t)) = body.get_mut("target") {
            if let Some(formatted) = kong_target(t) {
                *t = formatted;
            }
        }
    }
    if let Json::Object(m) = &mut body {
        // decK-only keys that never reach Kong
        m.remove("_config");
        for f in computed_fields(kind) {
            m.remove(*f);
        }
    }
    body
}

/// A target as Kong stores and lists it (kong/db/dao/targets.lua `format_target`, with
/// kong/tools/ip.lua `normalize_ip` and `format_host`): the default port 8000 added, an IPv4
/// address without leading zeros, an IPv6 address expanded in brackets (`::1` ->
/// `[0000:0000:0000:0000:0000:0000:0000:0001]:8000`). `None` for what Kong would refuse.
pub fn kong_target(target: &str) -> Option<String> {
    const DEFAULT_PORT: u16 = 8000;
    let colons = target.matches(':').count();
    if colons > 1 || target.starts_with('[') {
        // IPv6: `addr`, `[addr]` or `[addr]:port`
        let (addr, port) = match target.strip_prefix('[') {
            Some(rest) => {
                let (addr, after) = rest.split_once(']')?;
                let port = match after {
                    "" => DEFAULT_PORT,
                    p => p.strip_prefix(':')?.parse().ok()?,
                };
                (addr, port)
            }
            None => (target, DEFAULT_PORT),
        };
        let ip: std::net::Ipv6Addr = addr.parse().ok()?;
        let groups: Vec<String> = ip.segments().iter().map(|g| format!("{g:04x}")).collect();
        return Some(format!("[{}]:{port}", groups.join(":")));
    }
    let (host, port) = match target.split_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().ok()?),
        None => (target, DEFAULT_PORT),
    };
    if !host.is_empty() && host.chars().all(|c| c.is_ascii_digit() || c == '.') {
        let parts: Vec<u8> = host.split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
        if parts.len() != 4 {
            return None;
        }
        let ip = parts.iter().map(u8::to_string).collect::<Vec<_>>().join(".");
        return Some(format!("{ip}:{port}"));
    }
    Some(format!("{host}:{port}"))
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
/// Nulls are dropped after filling: a null, wherever it came from (a default, Kong's answer),
/// means the same as unset.
pub fn fill_defaults(kind: &Kind, body: &mut Json, schemas: &Schemas) {
    fill_schema_defaults(kind, body, schemas);
    drop_nulls(body);
    unset_zero_route_priority(kind, body);
}

/// A route's `priority` of 0 compares as unset. kong/db/schema/entities/routes.lua adds
/// `priority` (required, default 0) only under `router_flavor = expressions`, and its
/// `validate_route` reads 0 as "not set" ("default value 0 means 'no set'"): an expressions
/// gateway answers every route with `"priority": 0`, which a config leaves out, and which
/// the bundled (traditional) routes schema cannot fill when the gateway's own schema is not
/// read (`/schemas/routes` refused, e.g. by RBAC).
fn unset_zero_route_priority(kind: &Kind, body: &mut Json) {
    if kind.key != "routes" {
        return;
    }
    if let Json::Object(m) = body {
        if m.get("priority").and_then(Json::as_i64) == Some(0) {
            m.remove("priority");
        }
    }
}

fn fill_schema_defaults(kind: &Kind, body: &mut Json, schemas: &Schemas) {
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
        // Kong Enterprise's cost decoration schema (graphql-rate-limiting-advanced daos.lua,
        // the DAO go-kong kong/graphql_rate_limiting.go mirrors): constants default to 1,
        // argument lists to empty; decK's dumps show them (deck tests/integration/testdata/
        // dump/012-custom-entities-graphql-ratelimiting/expected-multiple.yaml)
        "graphql_ratelimiting_cost_decorations" => vec![
            ("add_constant", Json::from(1)),
            ("mul_constant", Json::from(1)),
            ("add_arguments", Json::Array(Vec::new())),
            ("mul_arguments", Json::Array(Vec::new())),
        ],
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
                        let mut d = d.clone();
                        // Kong fills a record's default like a given record: its unset fields
                        // get their own defaults, or null (kong/db/schema/init.lua
                        // `adjust_field_for_context`: `handle_missing_field`, then
                        // `process_auto_fields` on the record), e.g. an upstream's
                        // `healthchecks` default has no `threshold`, Kong answers `threshold: 0`
                        if let (Json::Object(sub), true) = (&mut d, deep && f.ty == Type::Record) {
                            fill_record(sub, f, deep);
                        }
                        m.insert(name.clone(), d);
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

#[cfg(test)]
mod tests {
    //! Current-state bodies here are shaped like Kong's own answers (cited per test), not like
    //! the emulator's: where the emulator answers differently, these pin the client.
    use super::*;
    use crate::env::{Env, EnvMode};
    use crate::load::{self, MemFiles};
    use crate::plan::{build, Current};
    use serde_json::json;
    use std::path::PathBuf;

    fn config(yaml: &str) -> crate::model::Config {
        let files = MemFiles::default().with("kong.yaml", yaml);
        let loaded = load::load(&[PathBuf::from("kong.yaml")], &files, &Env::new(), EnvMode::Resolve);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        loaded.config
    }

    fn plan_fields(yaml: &str, current: Vec<(&'static str, Json)>, schemas: &Schemas) -> Vec<String> {
        let current: Vec<Current> = current.into_iter().map(|(kind, body)| Current { kind, body }).collect();
        let plan = build(&config(yaml), &current, schemas).unwrap();
        plan.changes.iter().map(|c| format!("{:?} {} {:?}", c.action, c.name, c.fields)).collect()
    }

    const CERT_ID: &str = "13c562a1-191c-4464-9b18-e5222b46035b";
    const SNI_ID: &str = "d1f2c3b4-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

    #[test]
    fn the_snis_kong_lists_with_a_certificate_are_not_a_change() {
        // GET /certificates lists each certificate with `snis`, the names of its SNIs, sorted
        // (kong/db/dao/certificates.lua `page`, `select_with_name_list`, `parse_name_list`);
        // GET /snis lists the SNIs themselves
        let yaml = format!("_format_version: '3.0'\ncertificates:\n- id: {CERT_ID}\n  cert: CERT\n  key: KEY\n  tags: [before]\n  snis:\n  - name: example.com\n    id: {SNI_ID}\n");
        let cert = json!({"id": CERT_ID, "cert": "CERT", "key": "KEY", "cert_alt": null, "key_alt": null, "tags": ["before"],
                          "snis": ["example.com"], "created_at": 1700000000, "updated_at": 1700000000});
        let sni = json!({"id": SNI_ID, "name": "example.com", "certificate": {"id": CERT_ID}, "tags": null, "created_at": 1700000000, "updated_at": 1700000000});
        let changes = plan_fields(&yaml, vec![("certificates", cert.clone()), ("snis", sni)], &Schemas::bundled());
        assert!(changes.is_empty(), "{changes:#?}");
        // an SNI that really went missing is still planned, as an SNI
        let changes = plan_fields(&yaml, vec![("certificates", cert)], &Schemas::bundled());
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert!(changes[0].starts_with("Create snis/example.com"), "{changes:#?}");
    }

    #[test]
    fn the_digest_kong_computes_for_a_ca_certificate_is_not_a_change() {
        // kong/db/schema/entities/ca_certificates.lua: `cert_digest` is set on write
        let yaml = format!("_format_version: '3.0'\nca_certificates:\n- id: {CERT_ID}\n  cert: CERT\n");
        let ca = json!({"id": CERT_ID, "cert": "CERT", "cert_digest": "a1b2c3", "tags": null, "created_at": 1, "updated_at": 1});
        assert!(plan_fields(&yaml, vec![("ca_certificates", ca)], &Schemas::bundled()).is_empty());
    }

    /// An upstream as Kong answers it when created with only a name: `healthchecks` is the
    /// record default, filled out, its fields without a default `null`
    /// (kong/db/schema/entities/upstreams.lua `healthchecks_config`, `NO_DEFAULT`).
    fn kong_upstream() -> Json {
        json!({
            "id": "a6f7a2a1-7b2b-4c1e-9d1f-3b2a1c0d9e8f", "name": "upstream1", "algorithm": "round-robin",
            "hash_on": "none", "hash_fallback": "none", "hash_on_header": null, "hash_fallback_header": null,
            "hash_on_cookie": null, "hash_on_cookie_path": "/", "hash_on_query_arg": null, "hash_fallback_query_arg": null,
            "hash_on_uri_capture": null, "hash_fallback_uri_capture": null, "slots": 10000, "host_header": null,
            "client_certificate": null, "use_srv_name": false, "tags": null, "created_at": 1, "updated_at": 1,
            "healthchecks": {
                "threshold": 0,
                "active": {
                    "type": "http", "timeout": 1, "concurrency": 10, "http_path": "/", "https_sni": null,
                    "https_verify_certificate": true, "headers": null,
                    "healthy": {"interval": 0, "http_statuses": [200, 302], "successes": 0},
                    "unhealthy": {"interval": 0, "http_statuses": [429, 404, 500, 501, 502, 503, 504, 505], "tcp_failures": 0, "timeouts": 0, "http_failures": 0}
                },
                "passive": {
                    "type": "http",
                    "healthy": {"http_statuses": [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308], "successes": 0},
                    "unhealthy": {"http_statuses": [429, 500, 503], "tcp_failures": 0, "timeouts": 0, "http_failures": 0}
                }
            }
        })
    }

    /// The upstreams schema with the `healthchecks` record default Kong's `GET /schemas/upstreams`
    /// gives it: the defaults of `healthchecks_config`, without `threshold` (added to the fields
    /// after the defaults were taken); `headers` as `null` when `with_null`.
    fn live_upstream_schemas(with_null: bool) -> Schemas {
        let mut s = crate::schema::entity("upstreams").expect("bundled").clone();
        let mut default = kong_upstream()["healthchecks"].clone();
        default.as_object_mut().unwrap().remove("threshold");
        let active = default["active"].as_object_mut().unwrap();
        active.remove("https_sni");
        active.remove("headers");
        if with_null {
            active.insert("headers".into(), Json::Null);
        }
        s.fields.get_mut("healthchecks").unwrap().default = Some(default);
        let mut schemas = Schemas::bundled();
        schemas.add_entity("upstreams", s);
        schemas
    }

    #[test]
    fn an_upstream_kong_filled_with_health_checks_and_nulls_is_not_a_change() {
        let yaml = "_format_version: '3.0'\nupstreams:\n- name: upstream1\n";
        for schemas in [Schemas::bundled(), live_upstream_schemas(false), live_upstream_schemas(true)] {
            let changes = plan_fields(yaml, vec![("upstreams", kong_upstream())], &schemas);
            assert!(changes.is_empty(), "{changes:#?}");
        }
        // a health check the file sets is compared
        let yaml = "_format_version: '3.0'\nupstreams:\n- name: upstream1\n  healthchecks:\n    active:\n      headers: {x-check: [yes]}\n";
        let changes = plan_fields(yaml, vec![("upstreams", kong_upstream())], &live_upstream_schemas(true));
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert!(changes[0].contains("healthchecks.active.headers"), "{changes:#?}");
    }

    /// A route as an expressions-flavor Kong answers it (kong/db/schema/entities/routes.lua:
    /// `priority` filled with its default 0, `expression` null when unset).
    fn kong_expressions_route(name: &str, expression: Option<&str>, priority: i64) -> Json {
        let paths = if expression.is_some() { Json::Null } else { json!(["/p"]) };
        json!({"id": uuid::Uuid::new_v4().to_string(), "name": name, "expression": expression, "priority": priority, "paths": paths,
               "protocols": ["http", "https"], "https_redirect_status_code": 426, "strip_path": true, "preserve_host": false,
               "request_buffering": true, "response_buffering": true, "regex_priority": 0, "path_handling": "v0",
               "hosts": null, "methods": null, "headers": null, "snis": null, "sources": null, "destinations": null,
               "tags": null, "service": null, "created_at": 1, "updated_at": 1})
    }

    #[test]
    fn the_priority_0_an_expressions_gateway_fills_in_is_not_a_change() {
        let yaml = "_format_version: '3.0'\nroutes:\n- name: classic\n  paths: [/p]\n- name: ex\n  expression: http.path == \"/x\"\n";
        // the gateway's own routes schema (expressions flavor), and the bundled one
        let mut live = crate::schema::entity("routes").expect("bundled").clone();
        let flavor = crate::schema::kong::entity_schema(&json!({"fields": [
            {"expression": {"type": "string"}},
            {"priority": {"type": "integer", "between": [0, 70368744177663_i64], "required": true, "default": 0}}
        ]}))
        .unwrap();
        live.fields.extend(flavor.fields);
        let mut with_live = Schemas::bundled();
        with_live.add_entity("routes", live);
        let current = |ex_priority: i64| vec![("routes", kong_expressions_route("classic", None, 0)), ("routes", kong_expressions_route("ex", Some("http.path == \"/x\""), ex_priority))];
        for schemas in [&Schemas::bundled(), &with_live] {
            assert!(plan_fields(yaml, current(0), schemas).is_empty(), "{:#?}", plan_fields(yaml, current(0), schemas));
            // a priority that is not the default is still a change, both ways
            let changes = plan_fields(yaml, current(5), schemas);
            assert_eq!(changes.len(), 1, "{changes:#?}");
            assert!(changes[0].starts_with("Update routes/ex") && changes[0].contains("priority"), "{changes:#?}");
            let explicit = yaml.replace("== \"/x\"\n", "== \"/x\"\n  priority: 9\n");
            let changes = plan_fields(&explicit, current(0), schemas);
            assert_eq!(changes.len(), 1, "{changes:#?}");
            assert!(changes[0].contains("priority"), "{changes:#?}");
        }
    }

    #[test]
    fn targets_compare_as_kong_formats_them() {
        // kong/db/dao/targets.lua `format_target`: default port 8000, IPv6 expanded in brackets
        assert_eq!(kong_target("::1").as_deref(), Some("[0000:0000:0000:0000:0000:0000:0000:0001]:8000"));
        assert_eq!(kong_target("[::1]:80").as_deref(), Some("[0000:0000:0000:0000:0000:0000:0000:0001]:80"));
        assert_eq!(kong_target("[2001:db8::ff]").as_deref(), Some("[2001:0db8:0000:0000:0000:0000:0000:00ff]:8000"));
        assert_eq!(kong_target("001.002.003.004:123").as_deref(), Some("1.2.3.4:123"));
        assert_eq!(kong_target("198.51.100.11").as_deref(), Some("198.51.100.11:8000"));
        assert_eq!(kong_target("example.com").as_deref(), Some("example.com:8000"));
        assert_eq!(kong_target("example.com:80").as_deref(), Some("example.com:80"));
        assert_eq!(kong_target("1.2.3.400"), None);
        let yaml = "_format_version: '3.0'\nupstreams:\n- name: upstream1\n  targets:\n  - target: '::1'\n  - target: example.com\n";
        let up = kong_upstream();
        let target = |t: &str, id: &str| {
            json!({"id": id, "target": t, "weight": 100, "upstream": {"id": up["id"]}, "tags": null, "created_at": 1.5, "updated_at": 1.5})
        };
        let current = vec![
            ("upstreams", up.clone()),
            ("targets", target("[0000:0000:0000:0000:0000:0000:0000:0001]:8000", "11111111-1111-4111-8111-111111111111")),
            ("targets", target("example.com:8000", "22222222-2222-4222-8222-222222222222")),
        ];
        let changes = plan_fields(yaml, current, &Schemas::bundled());
        assert!(changes.is_empty(), "{changes:#?}");
    }
}
