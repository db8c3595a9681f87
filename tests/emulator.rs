//! The test equipment itself: the Kong Admin API emulator (examples/kong_admin_emulator/)
//! started with each gateway profile and spoken to with raw HTTP. Each test names the Kong
//! source it restates (Kong/kong at 22246ef2 unless a release branch is named).

mod common;

use serde_json::{json, Value};
use std::io::{Read, Write};
use common::admin::emulator;
use std::time::Duration;

/// One request; the status and the body (JSON when it parses, else a string).
fn call(e: &common::Running, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
    let addr = e.url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let body = body.unwrap_or("");
    write!(s, "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let (head, payload) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let value = serde_json::from_str(payload).unwrap_or_else(|_| Value::String(payload.to_string()));
    (status, value)
}

fn get(e: &common::Running, path: &str) -> (u16, Value) {
    call(e, "GET", path, None)
}

const WASM_OFF: &str = "this endpoint is only available when wasm is enabled";

fn not_found() -> (u16, Value) {
    (404, json!({"message": "Not found"}))
}

fn endpoints(e: &common::Running) -> Vec<String> {
    let (s, v) = get(e, "/endpoints");
    assert_eq!(s, 200);
    v["data"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

/// kong/constants.lua on release/3.0.x has no key_sets/keys (added in 3.1, #9737) and no
/// filter_chains (3.4); kong/api/routes/kong.lua has no `edition` before #12097, and the
/// `wasm` setting (kong/templates/kong_defaults.lua) does not exist before 3.4.
#[test]
fn kong_3_0_serves_no_keys_no_filter_chains_and_reports_no_edition() {
    let e = emulator(&["--kong-version", "3.0.0"]);
    for path in ["/key-sets", "/keys", "/filter-chains", "/services/s/filter-chains", "/routes/r/filters/all"] {
        assert_eq!(get(&e, path), not_found(), "{path}");
    }
    let (_, root) = get(&e, "/");
    assert_eq!(root["version"], "3.0.0");
    assert!(root.get("edition").is_none(), "{root}");
    assert!(root["configuration"].get("wasm").is_none());
    assert_eq!(root["configuration"]["database"], "postgres");
    // release/3.0.x bundles 37 plugins; the ai-* ones come with 3.6
    assert!(root["configuration"]["loaded_plugins"].get("key-auth").is_some());
    assert!(root["configuration"]["loaded_plugins"].get("ai-proxy").is_none());
    let eps = endpoints(&e);
    assert!(!eps.iter().any(|p| p.starts_with("/key-sets") || p.contains("filter")), "{eps:?}");
    assert_eq!(get(&e, "/services").0, 200);
}

/// kong/api/routes/filter_chains.lua (PR #11222): with `wasm = off` every filter-chain route
/// answers 400, whatever the method; they stay routed, so `/endpoints` still lists them.
#[test]
fn kong_3_4_with_wasm_off_answers_400_on_every_filter_chain_path() {
    let e = emulator(&["--kong-version", "3.4.2", "--wasm", "off"]);
    let wasm_off = (400, json!({"message": WASM_OFF}));
    for (method, path) in [
        ("GET", "/filter-chains"),
        ("POST", "/filter-chains"),
        ("GET", "/filter-chains/x"),
        ("GET", "/services/s/filter-chains"),
        ("PUT", "/services/s/filter-chains/x"),
        ("GET", "/routes/r/filter-chains"),
        ("GET", "/routes/r/filters/enabled"),
    ] {
        assert_eq!(call(&e, method, path, Some("{}")), wasm_off, "{method} {path}");
    }
    let (_, root) = get(&e, "/");
    assert_eq!(root["configuration"]["wasm"], false);
    assert!(root.get("edition").is_none(), "3.4 predates #12097: {root}");
    assert_eq!(get(&e, "/key-sets").0, 200);
    let eps = endpoints(&e);
    assert!(eps.contains(&"/filter-chains".to_string()) && eps.contains(&"/filter-chains/{filter_chains}".to_string()), "{eps:?}");
}

/// kong/api/routes/kong.lua: `edition` (PR #12097); kong/api/routes/filter_chains.lua.
#[test]
fn kong_3_9_wasm_off_and_on() {
    let off = emulator(&["--kong-version", "3.9.1"]);
    assert_eq!(get(&off, "/filter-chains"), (400, json!({"message": WASM_OFF})));
    let (_, root) = get(&off, "/");
    assert_eq!((root["edition"].as_str(), root["configuration"]["wasm"].as_bool()), (Some("community"), Some(false)));

    let on = emulator(&["--kong-version", "3.9.1", "--wasm", "on"]);
    assert_eq!(get(&on, "/filter-chains"), (200, json!({"data": [], "next": null})));
    assert_eq!(get(&on, "/routes/r/filter-chains"), not_found(), "no such route: 404 as for any parent");
    let (_, root) = get(&on, "/");
    assert_eq!(root["configuration"]["wasm"], true);
    // release/3.9.x adds `redirect` to the bundled plugins
    assert!(root["configuration"]["loaded_plugins"].get("redirect").is_some());
}

/// Kong/kong PR #14347 (in the tree after 3.10.0): default builds have no wasm module, yet
/// kong/constants.lua still lists filter_chains and filter_chains.lua still answers 400.
#[test]
fn kong_3_11_has_no_wasm_build() {
    let e = emulator(&["--kong-version", "3.11.0"]);
    assert_eq!(get(&e, "/filter-chains"), (400, json!({"message": WASM_OFF})));
    let (_, root) = get(&e, "/");
    assert_eq!((root["version"].as_str(), root["configuration"]["wasm"].as_bool()), (Some("3.11.0"), Some(false)));
    let out = std::process::Command::new(common::admin::emulator_binary()).args(["--listen", "127.0.0.1:0", "--kong-version", "3.11.0", "--wasm", "on"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("#14347"));
}

/// go-kong kong/versioning.go reads Enterprise off the four-part version; kong.lua
/// `edition`; Enterprise-only collections (../shared/reference/gateway-versions.md §1).
#[test]
fn enterprise_3_10_and_what_oss_lacks() {
    let ee = emulator(&["--enterprise", "--wasm", "on"]);
    let (_, root) = get(&ee, "/");
    assert_eq!((root["version"].as_str(), root["edition"].as_str()), (Some("3.10.0.0"), Some("enterprise")));
    assert!(root["configuration"]["loaded_plugins"].get("mtls-auth").is_some(), "Enterprise bundles its own plugins");
    for path in ["/partials", "/consumer_groups", "/licenses", "/rbac/roles", "/mtls-auths", "/filter-chains", "/key-sets"] {
        assert_eq!(get(&ee, path).0, 200, "{path}");
    }
    assert_eq!(get(&ee, "/ai-models"), not_found(), "AI Gateway's, not Kong Gateway's");

    let ee39 = emulator(&["--enterprise", "--kong-version", "3.9.0"]);
    assert_eq!(get(&ee39, "/partials"), not_found(), "partials come with Enterprise 3.10");
    assert_eq!(get(&ee39, "/").1["version"], "3.9.0.0");

    let oss = emulator(&[]);
    for path in ["/partials", "/consumer_groups", "/licenses", "/rbac/roles", "/mtls-auths", "/ai-models", "/cloned-plugins", "/custom-plugins", "/services/s/degraphql/routes", "/graphql-rate-limiting-advanced/costs"] {
        assert_eq!(get(&oss, path), not_found(), "{path}");
    }
    let (s, v) = call(&oss, "POST", "/plugins", Some(r#"{"name":"mtls-auth"}"#));
    assert_eq!(s, 400);
    assert_eq!(v["fields"]["name"], "plugin 'mtls-auth' not enabled; add it to the 'plugins' configuration property");
}

/// kong/conf_loader/init.lua (`plugins` setting to `loaded_plugins`, a set serialised as an
/// object), kong/api/routes/kong.lua (`available_on_server` {version, priority}),
/// kong/db/dao/plugins.lua + kong/plugins/*/daos.lua (credential collections exist only with
/// their plugin), kong/db/schema/entities/plugins.lua (the refusal text).
#[test]
fn plugins_setting_decides_plugins_and_credential_collections() {
    let e = emulator(&["--plugins", "key-auth,rate-limiting"]);
    let (_, root) = get(&e, "/");
    assert_eq!(root["configuration"]["loaded_plugins"], json!({"key-auth": true, "rate-limiting": true}));
    assert_eq!(root["configuration"]["plugins"], json!(["key-auth", "rate-limiting"]));
    assert_eq!(root["plugins"]["available_on_server"]["key-auth"], json!({"version": "3.10.0", "priority": 1250}));
    assert_eq!(get(&e, "/plugins/enabled").1, json!({"enabled_plugins": ["key-auth", "rate-limiting"]}));
    for path in ["/basic-auths", "/acls", "/jwts", "/hmac-auths", "/oauth2", "/consumers/c/basic-auth", "/consumers/c/acls"] {
        assert_eq!(get(&e, path), not_found(), "{path}");
    }
    assert_eq!(get(&e, "/key-auths").0, 200);
    assert_eq!(call(&e, "PUT", "/consumers/bob", Some("{}")).0, 200);
    assert_eq!(call(&e, "POST", "/consumers/bob/key-auth", Some(r#"{"key":"k1"}"#)).0, 201);
    assert_eq!(get(&e, "/consumers/bob/key-auth").1["data"][0]["key"], "k1");
    let (s, v) = call(&e, "POST", "/plugins", Some(r#"{"name":"basic-auth"}"#));
    assert_eq!(s, 400);
    assert_eq!(v["message"], "schema violation (name: plugin 'basic-auth' not enabled; add it to the 'plugins' configuration property)");
    assert_eq!(get(&e, "/schemas/plugins/basic-auth"), (404, json!({"message": "No plugin named 'basic-auth'"})));
    let (s, _) = call(&e, "POST", "/plugins", Some(r#"{"name":"key-auth"}"#));
    assert_eq!(s, 201);
    assert_eq!(get(&e, "/").1["plugins"]["enabled_in_cluster"], json!(["key-auth"]));

    let custom = emulator(&["--plugins", "bundled,my-plugin"]);
    assert_eq!(call(&custom, "POST", "/plugins", Some(r#"{"name":"my-plugin"}"#)).0, 201);
    assert!(get(&custom, "/").1["configuration"]["loaded_plugins"].get("cors").is_some());
}

/// kong/api/routes/kong.lua `/endpoints` (PR #5007): sorted with `/` ranked lowest,
/// `:param` written `{param}` with the schema name (kong/api/endpoints.lua).
#[test]
fn endpoints_are_sorted_patterns_with_schema_named_placeholders() {
    let e = emulator(&[]);
    let eps = endpoints(&e);
    let mut sorted = eps.clone();
    sorted.sort_by_key(|p| p.replace('/', "\u{0}"));
    assert_eq!(eps, sorted);
    for p in ["/", "/services/{services}/routes/{routes}", "/basic-auths/{basicauth_credentials}", "/consumers/{consumers}/key-auth", "/routes/{routes}/service", "/plugins"] {
        assert!(eps.contains(&p.to_string()), "{p} not in {eps:?}");
    }
    // `/a/z` sorts before `/ab`
    let pos = |p: &str| eps.iter().position(|x| x == p).unwrap();
    assert!(pos("/key-sets/{key_sets}/keys") < pos("/keys"));
    let (_, root) = get(&e, "/");
    assert_eq!(root["configuration"]["router_flavor"], "traditional_compatible");
    assert_eq!(root["tagline"], "Welcome to kong");
}

/// kong/db/dao/certificates.lua `page` adds the sorted `snis` names; kong/db/schema/entities/
/// upstreams.lua leaves `healthchecks.active.headers`/`https_sni` and the hash fields without
/// default (null).
#[test]
fn certificates_list_their_snis_and_upstreams_answer_nulls() {
    let e = emulator(&[]);
    let (s, cert) = call(&e, "POST", "/certificates", Some(r#"{"cert":"C","key":"K","snis":["b.test","a.test"]}"#));
    assert_eq!(s, 201);
    assert_eq!(cert["snis"], json!(["a.test", "b.test"]));
    let (_, list) = get(&e, "/certificates");
    assert_eq!(list["data"][0]["snis"], json!(["a.test", "b.test"]));
    assert_eq!(get(&e, "/snis").1["data"].as_array().unwrap().len(), 2);
    let id = cert["id"].as_str().unwrap();
    assert_eq!(get(&e, &format!("/certificates/{id}")).1["snis"], json!(["a.test", "b.test"]));
    assert_eq!(call(&e, "DELETE", &format!("/certificates/{id}"), None).0, 204);
    assert_eq!(get(&e, "/snis").1["data"], json!([]), "deleting a certificate deletes its SNIs");

    let (_, up) = call(&e, "POST", "/upstreams", Some(r#"{"name":"u1"}"#));
    assert_eq!(up["healthchecks"]["active"]["headers"], Value::Null);
    assert!(up["healthchecks"]["active"].as_object().unwrap().contains_key("headers"));
    assert!(up["healthchecks"]["active"].as_object().unwrap().contains_key("https_sni"));
    for f in ["hash_on_header", "hash_fallback_header", "hash_on_cookie", "hash_on_query_arg", "hash_fallback_query_arg", "hash_on_uri_capture", "hash_fallback_uri_capture"] {
        assert!(up.as_object().unwrap().contains_key(f), "{f}");
    }
}

fn dbless() -> common::Running {
    emulator(&["--database", "off"])
}

/// kong/db/strategies/off/init.lua (the verbs), kong/api/endpoints.lua (405 with the full
/// error object), spec 02-integration/04-admin_api/15-off_spec.lua; kong/db/dao/init.lua
/// looks the entity up before update and delete.
#[test]
fn dbless_refuses_writes_with_kongs_wording() {
    let e = dbless();
    let refused = |m: &str| (405, json!({"code": 12, "name": "operation unsupported", "message": m}));
    assert_eq!(call(&e, "POST", "/routes", Some(r#"{"hosts":["a.test"]}"#)), refused("cannot create 'routes' entities when not using a database"));
    assert_eq!(call(&e, "PUT", "/routes/r1", Some(r#"{"hosts":["a.test"]}"#)), refused("cannot create or update 'routes' entities by 'name' when not using a database"));
    let id = "0855b320-0dd2-547d-891d-601e9b38647f";
    assert_eq!(call(&e, "PUT", &format!("/services/{id}"), Some(r#"{"host":"h"}"#)), refused("cannot create or update 'services' entities when not using a database"));
    // schema errors come first, as check_insert runs before the strategy
    assert_eq!(call(&e, "POST", "/services", Some("{}")).0, 400);
    // missing entities: 404 for PATCH, 204 for DELETE, as in DB mode
    assert_eq!(call(&e, "PATCH", "/services/nope", Some("{}")).0, 404);
    assert_eq!(call(&e, "DELETE", "/services/nope", None).0, 204);
    let cfg = r#"{"_format_version":"3.0","services":[{"name":"s1","host":"h.test"}],"consumers":[{"username":"bob"}]}"#;
    assert_eq!(call(&e, "POST", "/config", Some(cfg)).0, 201);
    assert_eq!(call(&e, "PATCH", "/services/s1", Some("{}")), refused("cannot update 'services' entities by 'name' when not using a database"));
    assert_eq!(call(&e, "DELETE", "/services/s1", None), refused("cannot remove 'services' entities by 'name' when not using a database"));
    assert_eq!(call(&e, "POST", "/consumers/bob/key-auth", Some("{}")), refused("cannot create 'keyauth_credentials' entities when not using a database"));
    // reads work
    assert_eq!(get(&e, "/services/s1").1["host"], "h.test");

    let db = emulator(&[]);
    let only = (400, json!({"message": "this endpoint is only available when Kong is configured to not use a database"}));
    assert_eq!(get(&db, "/config"), only);
    assert_eq!(call(&db, "POST", "/config", Some(cfg)), only);
}

/// kong/api/routes/config.lua (201 with `{entity_type: {id: entity}}`, empty body, parse
/// errors, check_hash on text bodies), kong/api/routes/health.lua (`configuration_hash`,
/// 32 zeros when empty, no `database`), kong/db/schema/others/declarative_config.lua
/// (UUIDv5 ids), kong/db/declarative/export.lua (`GET /config`).
#[test]
fn dbless_config_load_hash_and_round_trip() {
    let e = dbless();
    let (_, status) = get(&e, "/status");
    assert_eq!(status["configuration_hash"], "0".repeat(32));
    assert!(status.get("database").is_none());
    assert_eq!(call(&e, "POST", "/config", None), (400, json!({"message": "expected a declarative configuration"})));
    let (s, v) = call(&e, "POST", "/config", Some(r#"{"config":"bobby tables"}"#));
    assert_eq!(s, 400);
    assert_eq!(v["fields"], json!({"error": "failed parsing declarative configuration: expected an object"}));
    assert_eq!(v["message"], "declarative config is invalid: {error=\"failed parsing declarative configuration: expected an object\"}");

    let text = "_format_version: \"3.0\"\nservices:\n- name: s1\n  url: http://h.test:8080/p\n  routes:\n  - name: r1\n    paths: [/a]\nconsumers:\n- username: bob\n  basicauth_credentials:\n  - username: bob\n    password: secret\n";
    let body = json!({ "config": text }).to_string();
    let (s, loaded) = call(&e, "POST", "/config?check_hash=1", Some(&body));
    assert_eq!(s, 201, "{loaded}");
    // ids Kong derives: UUIDv5 of the name in the namespace UUIDv5("fd02801f-...", schema name)
    let ns = |schema: &str| uuid::Uuid::new_v5(&uuid::Uuid::parse_str("fd02801f-0957-4a15-a55a-c8d9606f30b5").unwrap(), schema.as_bytes());
    let sid = uuid::Uuid::new_v5(&ns("services"), b"s1").to_string();
    assert_eq!(loaded["services"][&sid]["port"], 8080);
    let rid = uuid::Uuid::new_v5(&ns("routes"), b"r1").to_string();
    assert_eq!(loaded["routes"][&rid]["service"], json!({"id": sid}));
    let cred = loaded["basicauth_credentials"].as_object().unwrap().values().next().unwrap().clone();
    assert_ne!(cred["password"], "secret", "_transform absent: the password is hashed (basic-auth daos.lua)");
    let hash = get(&e, "/status").1["configuration_hash"].as_str().unwrap().to_string();
    assert_eq!(hash.len(), 32);
    assert_ne!(hash, "0".repeat(32));
    // the same text again: 304, nothing loaded
    assert_eq!(call(&e, "POST", "/config?check_hash=1", Some(&body)).0, 304);
    assert_eq!(get(&e, "/routes").1["data"][0]["id"], rid.as_str());

    // GET /config: export form, loaded back unchanged (`_transform: false` keeps the hash)
    let (s, exported) = get(&e, "/config");
    assert_eq!(s, 200);
    let yaml = exported["config"].as_str().unwrap().to_string();
    assert!(yaml.starts_with("_format_version: \"3.0\"\n_transform: false\n"), "{yaml}");
    assert!(yaml.contains(&format!("service: {sid}")), "foreign keys as plain ids: {yaml}");
    let before = (get(&e, "/services").1, get(&e, "/routes").1, get(&e, "/basic-auths").1["data"][0]["password"].clone());
    let (s, _) = call(&e, "POST", "/config", Some(&json!({ "config": yaml }).to_string()));
    assert_eq!(s, 201);
    let after = (get(&e, "/services").1, get(&e, "/routes").1, get(&e, "/basic-auths").1["data"][0]["password"].clone());
    assert_eq!(before.2, after.2);
    assert_eq!(before.0["data"][0]["id"], after.0["data"][0]["id"]);
    assert_eq!(before.1["data"][0]["paths"], after.1["data"][0]["paths"]);
    // a JSON document body (has `_format_version`) is loaded as is and has no text hash
    assert_eq!(call(&e, "POST", "/config?check_hash=1", Some(r#"{"_format_version":"3.0"}"#)).0, 201);
    assert_eq!(get(&e, "/services").1["data"], json!([]));
}

/// kong/db/errors.lua `declarative_config` (positional `fields`) and
/// `declarative_config_flattened` (PR #10161): one entry per entity, nested children pulled
/// up, flattened sections leave `fields`, top-level unknown keys stay.
#[test]
fn dbless_invalid_config_reports_every_error_positionally_and_flattened() {
    let e = dbless();
    let doc = json!({
        "_format_version": "3.0",
        "abnormal_extra_field": 1,
        "services": [
            {"name": "ok", "host": "h.test"},
            {"name": "bad", "tags": ["svc-bad"], "routes": [
                {"name": "fine", "paths": ["/x"]},
                {"name": "pathless", "tags": ["route-bad"]}
            ]},
            {"name": "ok", "host": "other.test"}
        ],
        "plugins": [{"name": "not-a-plugin", "tags": ["plugin-bad"]}]
    });
    let (s, v) = call(&e, "POST", "/config", Some(&doc.to_string()));
    assert_eq!(s, 400);
    assert_eq!((v["code"].as_i64(), v["name"].as_str()), (Some(14), Some("invalid declarative configuration")));
    let f = &v["fields"];
    assert_eq!(f["abnormal_extra_field"], "unknown field");
    assert_eq!(f["services"][0], Value::Null);
    assert_eq!(f["services"][1]["host"], "required field missing");
    assert_eq!(f["services"][1]["routes"][0], Value::Null);
    assert!(f["services"][1]["routes"][1]["@entity"][0].as_str().unwrap().starts_with("must set one of"));
    assert!(f["services"][2].as_str().unwrap().starts_with("uniqueness violation: 'services' entity with primary key set to"), "{f}");
    assert_eq!(f["plugins"][0]["name"], "plugin 'not-a-plugin' not enabled; add it to the 'plugins' configuration property");
    assert!(v.get("flattened_errors").is_none());

    let (s, v) = call(&e, "POST", "/config?flatten_errors=1", Some(&doc.to_string()));
    assert_eq!(s, 400);
    assert_eq!(v["fields"], json!({"abnormal_extra_field": "unknown field"}));
    let flat = v["flattened_errors"].as_array().unwrap();
    assert_eq!(flat.len(), 4, "{flat:#?}");
    let by_tag = |t: &str| flat.iter().find(|x| x["entity_tags"][0] == t).unwrap_or_else(|| panic!("{t}: {flat:#?}")).clone();
    assert_eq!(
        by_tag("svc-bad"),
        json!({"entity_name": "bad", "entity_tags": ["svc-bad"], "entity_type": "service", "entity": {"name": "bad", "tags": ["svc-bad"]},
               "errors": [{"type": "field", "field": "host", "message": "required field missing"}]})
    );
    let route = by_tag("route-bad");
    assert_eq!((route["entity_type"].as_str(), route["errors"][0]["type"].as_str()), (Some("route"), Some("entity")));
    let plugin = by_tag("plugin-bad");
    assert_eq!(plugin["errors"], json!([{"type": "field", "field": "name", "message": "plugin 'not-a-plugin' not enabled; add it to the 'plugins' configuration property"}]));
    assert!(flat.iter().any(|x| x["entity_type"] == "service" && x["entity"]["host"] == "other.test" && x["errors"][0]["type"] == "entity"));
    // nothing was loaded
    assert_eq!(get(&e, "/services").1["data"], json!([]));
}

/// Kong Enterprise's graphql-rate-limiting-advanced cost decorations, at the paths go-kong
/// kong/graphql_rate_limiting_cost_decoration_service.go uses: listed, patched and deleted at
/// /graphql-rate-limiting-advanced/costs, put under /services/{service}/graphql-rate-limiting-advanced/costs/{id}
/// (an upsert that sets the service, kong/api/endpoints.lua `put_entity_endpoint`); the schema's
/// defaults (constants 1, argument lists empty), `type_path` required and the endpoint key, the
/// service foreign key ON DELETE CASCADE (the plugin's daos.lua and migration), and only while
/// the plugin is loaded.
#[test]
fn graphql_cost_decorations_live_under_their_service() {
    let e = emulator(&["--enterprise"]);
    let (s, svc) = call(&e, "POST", "/services", Some(r#"{"name":"graph","host":"graph.internal"}"#));
    assert_eq!(s, 201);
    let sid = svc["id"].as_str().unwrap().to_string();
    let id = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    assert!(endpoints(&e).contains(&"/services/{services}/graphql-rate-limiting-advanced/costs/{graphql_ratelimiting_advanced_cost_decoration}".to_string()));
    let (s, v) = call(&e, "PUT", &format!("/services/graph/graphql-rate-limiting-advanced/costs/{id}"), Some(r#"{"type_path":"Query.users","add_constant":2}"#));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["service"], json!({"id": sid}));
    assert_eq!((v["add_constant"].as_f64(), v["mul_constant"].as_f64()), (Some(2.0), Some(1.0)));
    assert_eq!((&v["add_arguments"], &v["mul_arguments"]), (&json!([]), &json!([])));
    let (s, listed) = get(&e, "/graphql-rate-limiting-advanced/costs");
    assert_eq!((s, listed["data"].as_array().map(Vec::len)), (200, Some(1)));
    assert_eq!(get(&e, &format!("/services/{sid}/graphql-rate-limiting-advanced/costs")).1["data"][0]["id"], id);
    // the endpoint key
    assert_eq!(get(&e, "/graphql-rate-limiting-advanced/costs/Query.users").1["id"], id);
    let (s, v) = call(&e, "PATCH", &format!("/graphql-rate-limiting-advanced/costs/{id}"), Some(r#"{"mul_constant":2.5}"#));
    assert_eq!((s, v["mul_constant"].as_f64(), v["add_constant"].as_f64()), (200, Some(2.5), Some(2.0)));
    let (s, v) = call(&e, "POST", "/services/graph/graphql-rate-limiting-advanced/costs", Some(r#"{"add_constant":1}"#));
    assert_eq!((s, &v["fields"]["type_path"]), (400, &json!("required field missing")), "{v}");
    assert_eq!(call(&e, "DELETE", &format!("/graphql-rate-limiting-advanced/costs/{id}"), None).0, 204);
    assert_eq!(get(&e, "/graphql-rate-limiting-advanced/costs").1["data"], json!([]));
    // deleting the service deletes its decorations
    let (s, _) = call(&e, "POST", "/services/graph/graphql-rate-limiting-advanced/costs", Some(r#"{"type_path":"Query.posts"}"#));
    assert_eq!(s, 201);
    let (s, v) = call(&e, "DELETE", "/services/graph", None);
    assert_eq!(s, 204, "{v}");
    assert_eq!(get(&e, "/graphql-rate-limiting-advanced/costs").1["data"], json!([]));
    // the collection belongs to the plugin
    let without = emulator(&["--enterprise", "--plugins", "key-auth"]);
    assert_eq!(get(&without, "/graphql-rate-limiting-advanced/costs"), not_found());
}

/// A route's fields on a gateway of each router flavor. kong/db/schema/entities/routes.lua
/// adds `expression` (a string, no default) and `priority` (an integer between 0 and 2^46-1,
/// required, default 0) only when `router_flavor = expressions`; everywhere else they are
/// keys outside the schema, "unknown field" (kong/db/schema/init.lua `validate_fields`,
/// the schema-violation body of kong/db/errors.lua). routes_subschemas.lua adds 'expression'
/// to the fields of which an http(s) route must set one.
#[test]
fn route_fields_follow_the_router_flavor() {
    let expr = emulator(&["--router-flavor", "expressions"]);
    assert_eq!(get(&expr, "/").1["configuration"]["router_flavor"], "expressions");
    // a classic route comes back with the flavor's default and an unset expression
    let (s, classic) = call(&expr, "POST", "/routes", Some(r#"{"name":"classic","paths":["/c"]}"#));
    assert_eq!(s, 201, "{classic}");
    assert_eq!((&classic["priority"], &classic["expression"]), (&json!(0), &Value::Null), "{classic}");
    assert!(classic.as_object().unwrap().contains_key("expression"), "Kong answers unset fields as null: {classic}");
    let (s, r) = call(&expr, "PUT", "/routes/by-expr", Some(r#"{"expression":"http.path == \"/e\"","priority":7}"#));
    assert_eq!((s, &r["expression"], &r["priority"]), (200, &json!("http.path == \"/e\""), &json!(7)), "{r}");
    assert_eq!(get(&expr, "/routes/by-expr").1["priority"], 7);
    let (s, r) = call(&expr, "POST", "/routes", Some(r#"{"name":"none"}"#));
    assert_eq!(s, 400, "{r}");
    assert_eq!(r["fields"]["@entity"][0], "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis', 'expression' when 'protocols' is 'https'");
    // the schema served says so
    let (_, schema) = get(&expr, "/schemas/routes");
    let field = |s: &Value, name: &str| s["fields"].as_array().unwrap().iter().find_map(|f| f.get(name).cloned());
    assert_eq!(field(&schema, "priority"), Some(json!({"type": "integer", "between": [0, 70368744177663_i64], "required": true, "default": 0})));
    assert_eq!(field(&schema, "expression").map(|f| f["type"].clone()), Some(json!("string")));

    let compat = emulator(&[]);
    assert_eq!(get(&compat, "/").1["configuration"]["router_flavor"], "traditional_compatible");
    let (s, r) = call(&compat, "POST", "/routes", Some(r#"{"name":"classic","paths":["/c"]}"#));
    assert_eq!(s, 201, "{r}");
    assert!(r.get("priority").is_none() && r.get("expression").is_none(), "no such fields in this schema: {r}");
    for (method, path) in [("POST", "/routes"), ("PUT", "/routes/x")] {
        let (s, r) = call(&compat, method, path, Some(r#"{"paths":["/x"],"expression":"http.path == \"/x\""}"#));
        assert_eq!(
            (s, r),
            (400, json!({"code": 2, "name": "schema violation", "message": "schema violation (expression: unknown field)", "fields": {"expression": "unknown field"}})),
            "{method} {path}"
        );
        let (s, r) = call(&compat, method, path, Some(r#"{"paths":["/x"],"priority":0}"#));
        assert_eq!((s, &r["fields"]), (400, &json!({"priority": "unknown field"})), "{method} {path}: {r}");
    }
    let (_, schema) = get(&compat, "/schemas/routes");
    assert!(field(&schema, "priority").is_none() && field(&schema, "expression").is_none(), "{schema}");
    assert_eq!(get(&compat, "/routes").1["data"].as_array().unwrap().len(), 1, "nothing refused was stored");
}

/// kong/db/schema/entities/routes.lua `validate_route` (traditional_compatible and
/// expressions): an entity check, so its errors come under `@entity`, prefixed "Router
/// Expression failed validation: "; the expression is parsed by atc-router (`router.validate`).
/// `priority` is range-checked as a field first.
#[test]
fn expression_routes_are_checked_as_kongs_validate_route_does() {
    let e = emulator(&["--router-flavor", "expressions"]);
    let entity_error = |body: &str| {
        let (s, r) = call(&e, "POST", "/routes", Some(body));
        assert_eq!((s, r["code"].as_i64(), r["name"].as_str()), (400, Some(2), Some("schema violation")), "{body}: {r}");
        let msg = r["fields"]["@entity"][0].as_str().unwrap_or_else(|| panic!("{body}: {r}")).to_string();
        assert_eq!(r["message"], format!("schema violation ({msg})"));
        msg
    };
    let others = "'methods', 'hosts', 'paths', 'headers', 'snis', 'sources' or 'destinations'";
    assert_eq!(
        entity_error(r#"{"expression":"http.path == \"/a\"","paths":["/a"]}"#),
        format!("Router Expression failed validation: cannot set 'expression' with {others} simultaneously")
    );
    assert_eq!(
        entity_error(r#"{"expression":"http.path == \"/a\"","sources":[{"ip":"10.0.0.1"}]}"#),
        format!("Router Expression failed validation: cannot set 'expression' with {others} simultaneously")
    );
    assert_eq!(
        entity_error(r#"{"expression":"http.path == \"/a\"","regex_priority":3}"#),
        "Router Expression failed validation: cannot set 'regex_priority' with 'expression' simultaneously"
    );
    assert_eq!(entity_error(r#"{"paths":["/a"],"priority":3}"#), format!("Router Expression failed validation: cannot set 'priority' with {others} simultaneously"));
    // atc-router's parser and its type check
    let parse = entity_error(r#"{"expression":"http.path == "}"#);
    assert!(parse.starts_with("Router Expression failed validation: ") && parse.contains("1:14") && parse.contains("expected rhs"), "{parse}");
    // atc-router's semantic check (src/semantics.rs) names no field
    assert_eq!(entity_error(r#"{"expression":"http.nope == \"x\""}"#), "Router Expression failed validation: Unknown LHS field");
    assert_eq!(entity_error(r#"{"expression":"http.path.segments.2_1 == \"x\""}"#), "Router Expression failed validation: illformed http.path.segments.* field");
    // field checks: type and `between`
    let (s, r) = call(&e, "POST", "/routes", Some(r#"{"expression":"http.path == \"/a\"","priority":70368744177664}"#));
    assert_eq!((s, &r["fields"]), (400, &json!({"priority": "value should be between 0 and 70368744177663"})), "{r}");
    let (s, r) = call(&e, "POST", "/routes", Some(r#"{"expression":"http.path == \"/a\"","priority":-1}"#));
    assert_eq!((s, &r["fields"]), (400, &json!({"priority": "value should be between 0 and 70368744177663"})), "{r}");
    let (s, r) = call(&e, "POST", "/routes", Some(r#"{"expression":42}"#));
    assert_eq!((s, &r["fields"]["expression"]), (400, &json!("expected a string")), "{r}");
    // priority 0 is "not set" to validate_route: a classic route may carry it
    assert_eq!(call(&e, "POST", "/routes", Some(r#"{"paths":["/a"],"priority":0}"#)).0, 201);
    assert_eq!(call(&e, "POST", "/routes", Some(r#"{"expression":"http.path == \"/a\"","priority":70368744177663}"#)).0, 201);
    assert_eq!(get(&e, "/routes").1["data"].as_array().unwrap().len(), 2, "nothing refused was stored");
}
