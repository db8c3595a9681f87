//! `gateway ping`, `dump`, `diff` and `sync` against the Kong Admin API emulator
//! (examples/kong_admin_emulator/, started here as a separate process on loopback).

mod common;

use serde_json::Value;
use common::admin::{emulator, gateway_env, http, ok, root, take_log, text, writes};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "alex-secret-key-123";

type Emulator = common::Running;

fn gateway(dir: &Path, addr: &str, args: &[&str]) -> Output {
    gateway_env(dir, addr, args, &[("DECK_ALEX_KEY", SECRET)])
}

fn http_get(base: &str, path: &str) -> String {
    http(base, "GET", path)
}

/// Entities at a list endpoint (retried: the emulator may inject faults into reads too).
fn count(e: &Emulator, path: &str) -> usize {
    for _ in 0..50 {
        if let Ok(v) = serde_json::from_str::<Value>(&http_get(&e.url, &format!("{path}?size=1000"))) {
            if let Some(d) = v["data"].as_array() {
                return d.len();
            }
        }
    }
    panic!("{path}: no answer without a fault in 50 tries");
}

#[test]
fn azure_round_trip_sync_dump_diff() {
    let e = emulator(&["--enterprise"]);
    let r = root();
    ok(gateway(&r, &e.url, &["ping"]));
    let out = ok(gateway(&r, &e.url, &["sync", "testdata/azure/kong.yaml"]));
    assert!(out.contains("applied 3, failed 0, not attempted 0"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump.yaml");
    ok(gateway(&r, &e.url, &["dump", "-o", dump.to_str().unwrap()]));
    let dumped = std::fs::read_to_string(&dump).unwrap();
    assert!(dumped.contains("azure-chat-route") && dumped.contains("$(uri_captures.azure_deployment)"), "{dumped}");
    take_log(&e);
    for file in [dump.to_str().unwrap(), "testdata/azure/kong.yaml"] {
        let diff = gateway(&r, &e.url, &["diff", file, "--exit-code"]);
        assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
        assert!(text(&diff).contains("no changes"));
    }
    // a second sync is a no-op: no write request at all
    let again = ok(gateway(&r, &e.url, &["sync", "testdata/azure/kong.yaml"]));
    assert!(again.contains("no changes"), "{again}");
    assert!(writes(&take_log(&e)).is_empty());
    // the gateway's state is what the config says
    let plugin: Value = serde_json::from_str(&http_get(&e.url, "/plugins")).unwrap();
    assert_eq!(plugin["data"][0]["config"]["targets"][0]["model"]["options"]["azure_instance"], "my-azure-instance");
}

#[test]
fn updates_deletes_renames_and_select_tag_isolation() {
    let e = emulator(&["--enterprise"]);
    let r = root();
    ok(gateway(&r, &e.url, &["sync", "testdata/azure/kong.yaml"]));
    ok(gateway(&r, &e.url, &["sync", "testdata/sync/team-a.yaml"]));
    assert_eq!(count(&e, "/services"), 3);
    let diff = gateway(&r, &e.url, &["diff", "testdata/sync/team-a-v2.yaml", "--output", "json", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(2), "changes pending: {}", text(&diff));
    let plan: Value = serde_json::from_slice(&diff.stdout).unwrap();
    assert_eq!(plan["summary"], serde_json::json!({"create": 3, "update": 3, "delete": 4}));
    let minute = plan["changes"].as_array().unwrap().iter().find(|c| c["name"] == "plugins/rate-limiting (service httpbin)").unwrap();
    assert_eq!(minute["action"], "update");
    assert_eq!(minute["fields"]["config.minute"], serde_json::json!({"old": 5, "new": 20}));
    assert_eq!(plan["errors"], serde_json::json!([]));
    ok(gateway(&r, &e.url, &["sync", "testdata/sync/team-a-v2.yaml"]));
    let diff = gateway(&r, &e.url, &["diff", "testdata/sync/team-a-v2.yaml", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    // entities without the tag were left alone
    assert!(http_get(&e.url, "/services/azure-openai-service").contains("azure-openai-service"));
    assert!(http_get(&e.url, "/routes/azure-chat-route").contains("azure-chat-route"));
    assert_eq!(count(&e, "/routes"), 3, "azure-chat-route, anything-v2, backend-route");
    assert!(http_get(&e.url, "/routes/status").contains("Not found"));
    assert_eq!(count(&e, "/upstreams/backend-upstream/targets"), 1);
}

#[test]
fn dry_run_sends_no_write() {
    let e = emulator(&[]);
    let r = root();
    take_log(&e);
    let out = ok(gateway(&r, &e.url, &["sync", "--dry-run", "testdata/sync/team-a.yaml"]));
    assert!(out.contains("13 to create"), "{out}");
    ok(gateway(&r, &e.url, &["diff", "testdata/sync/team-a.yaml"]));
    let log = take_log(&e);
    assert!(!log.is_empty());
    assert!(writes(&log).is_empty(), "{log:?}");
}

#[test]
fn secrets_never_appear_in_output() {
    let e = emulator(&[]);
    let r = root();
    let mut all = String::new();
    for args in [
        vec!["diff", "testdata/sync/team-a.yaml"],
        vec!["diff", "testdata/sync/team-a.yaml", "--output", "json"],
        vec!["sync", "testdata/sync/team-a.yaml", "--output", "json"],
        vec!["sync", "testdata/sync/team-a.yaml"],
    ] {
        all.push_str(&text(&gateway(&r, &e.url, &args)));
    }
    assert!(all.contains("[masked]"), "{all}");
    assert!(!all.contains(SECRET), "{all}");
    // the secret did reach the gateway
    assert!(http_get(&e.url, "/key-auths").contains(SECRET));
}

#[test]
fn converges_under_injected_faults_without_duplicates() {
    let e = emulator(&["--fault-rate", "0.2", "--faults", "500,429,drop", "--retry-after", "0", "--seed", "7"]);
    let r = root();
    let out = gateway(&r, &e.url, &["sync", "testdata/sync/team-a.yaml", "--parallelism", "8"]);
    // retries absorb the faults; if a request exhausted them, a re-run must converge
    if !out.status.success() {
        ok(gateway(&r, &e.url, &["sync", "testdata/sync/team-a.yaml"]));
    }
    let mut converged = false;
    for _ in 0..3 {
        let d = gateway(&r, &e.url, &["diff", "testdata/sync/team-a.yaml", "--exit-code"]);
        if d.status.code() == Some(0) {
            converged = true;
            break;
        }
    }
    assert!(converged, "diff never came back empty");
    let log = take_log(&e);
    assert!(writes(&log).len() >= 13);
    for (path, n) in [("/services", 2), ("/routes", 3), ("/plugins", 3), ("/consumers", 1), ("/key-auths", 1), ("/upstreams", 1)] {
        assert_eq!(count(&e, path), n, "{path}: nothing duplicated, nothing lost");
    }
    assert_eq!(count(&e, "/upstreams/backend-upstream/targets"), 2);
}

#[test]
fn interrupted_sync_then_rerun_converges() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = String::from("_format_version: \"3.0\"\nservices:\n");
    for i in 0..150 {
        cfg.push_str(&format!("- name: s{i}\n  host: h{i}.internal\n  routes:\n  - name: r{i}\n    paths: [/r{i}]\n"));
    }
    std::fs::write(dir.path().join("kong.yaml"), cfg).unwrap();
    let e = emulator(&["--latency-ms", "15"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_gateway"))
        .current_dir(dir.path())
        .args(["sync", "--parallelism", "2"])
        .env_clear()
        .env("GATEWAY_KONG_ADDR", &e.url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while count(&e, "/services") < 20 && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = count(&e, "/services");
    assert!(partial > 0 && partial < 150, "killed mid-way: {partial} services");
    ok(gateway(dir.path(), &e.url, &["sync"]));
    let d = gateway(dir.path(), &e.url, &["diff", "--exit-code"]);
    assert_eq!(d.status.code(), Some(0), "{}", text(&d));
    assert_eq!(count(&e, "/services"), 150);
    assert_eq!(count(&e, "/routes"), 150);
}

#[test]
fn more_than_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = String::from("_format_version: \"3.0\"\nservices:\n");
    for i in 0..1100 {
        cfg.push_str(&format!("- name: s{i}\n  host: h{i}.internal\n"));
    }
    std::fs::write(dir.path().join("kong.yaml"), cfg).unwrap();
    let e = emulator(&[]);
    ok(gateway(dir.path(), &e.url, &["sync", "--parallelism", "16"]));
    take_log(&e);
    let d = gateway(dir.path(), &e.url, &["diff", "--exit-code"]);
    assert_eq!(d.status.code(), Some(0), "{}", text(&d));
    let log = take_log(&e);
    assert!(log.iter().any(|l| l.starts_with("GET /services?size=1000&offset=")), "paged: {log:?}");
    let dump = ok(gateway(dir.path(), &e.url, &["dump", "--output", "json"]));
    let v: Value = serde_json::from_str(&dump).unwrap();
    assert_eq!(v["services"].as_array().unwrap().len(), 1100);
}

#[test]
fn token_protected_admin_api() {
    let e = emulator(&["--token", "s3cr3t-token", "--enterprise"]);
    let r = root();
    let denied = gateway(&r, &e.url, &["ping"]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(text(&denied).contains("refused the request (HTTP 401)"), "{}", text(&denied));
    assert!(text(&denied).contains("Kong-Admin-Token"));
    ok(gateway(&r, &e.url, &["ping", "--headers", "Kong-Admin-Token: s3cr3t-token"]));
    ok(gateway(&r, &e.url, &["sync", "testdata/azure/kong.yaml", "--headers", "Kong-Admin-Token: s3cr3t-token"]));
}

#[test]
fn unreachable_tls_and_non_kong_servers_fail_clearly() {
    let r = root();
    // nothing listens there
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let refused = gateway(&r, &format!("http://127.0.0.1:{port}"), &["ping"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused).contains("cannot reach the Kong Admin API") && text(&refused).contains("could not connect"), "{}", text(&refused));
    // TLS to a plain-HTTP server
    let e = emulator(&[]);
    let tls = gateway(&r, &e.url.replace("http://", "https://"), &["ping"]);
    assert_eq!(tls.status.code(), Some(1));
    assert!(text(&tls).contains("cannot reach the Kong Admin API"), "{}", text(&tls));
    // something that is not Kong: gateway's own dry-run listener
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gateway"));
    cmd.current_dir(&r).args(["simulate", "testdata/azure/kong.yaml", "--serve", "127.0.0.1:0"]);
    let listener = common::start_listening(cmd);
    let not_kong = gateway(&r, &listener.url, &["ping"]);
    drop(listener);
    assert_eq!(not_kong.status.code(), Some(1));
    assert!(text(&not_kong).contains("does not look like a Kong Admin API"), "{}", text(&not_kong));
    // a bad address
    let bad = gateway(&r, "localhost:8001", &["ping"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).contains("must be an http:// or https:// URL"), "{}", text(&bad));
}

#[test]
fn online_validation_asks_the_gateway() {
    let e = emulator(&["--enterprise"]);
    let r = root();
    let good = gateway(&r, &e.url, &["validate", "--online", "testdata/azure/kong.yaml"]);
    assert_eq!(good.status.code(), Some(0), "{}", text(&good));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kong.yaml"), "_format_version: \"3.0\"\nplugins:\n  - name: my-custom-plugin\n").unwrap();
    // offline only the bundled plugins are known: Kong refuses a plugin it has not loaded
    let offline = gateway(dir.path(), &e.url, &["validate", "kong.yaml"]);
    assert_eq!(offline.status.code(), Some(1), "{}", text(&offline));
    assert!(text(&offline).contains("error[P001]"), "{}", text(&offline));
    // online the gateway says it too, in its own words
    let online = gateway(dir.path(), &e.url, &["validate", "--online", "--output", "json", "kong.yaml"]);
    assert_eq!(online.status.code(), Some(1), "{}", text(&online));
    let v: Value = serde_json::from_slice(&online.stdout).unwrap();
    let rules: Vec<&str> = v["errors"].as_array().unwrap().iter().map(|e| e["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"S008") && rules.contains(&"S009"), "{v}");
    assert!(v["errors"].as_array().unwrap().iter().any(|e| e["message"].as_str().unwrap().contains("plugin 'my-custom-plugin' not enabled")), "{v}");
    let log = take_log(&e);
    assert!(log.iter().any(|l| l == "POST /schemas/plugins/validate"), "{log:?}");
    assert!(writes(&log).iter().all(|l| l.contains("/validate")), "validation writes nothing: {log:?}");
    // a gateway that has the custom plugin loaded: online, it is not unknown
    let schemas = dir.path().join("custom.json");
    std::fs::write(&schemas, r#"{"my-custom-plugin": {"scopes": ["route", "service"], "protocols": {"type": "set", "default": ["http", "https"]}, "config": {"type": "record", "fields": {}}}}"#).unwrap();
    let custom = emulator(&["--enterprise", "--plugin-schemas", schemas.to_str().unwrap()]);
    let online = gateway(dir.path(), &custom.url, &["validate", "--online", "kong.yaml"]);
    assert_eq!(online.status.code(), Some(0), "{}", text(&online));
}

#[test]
fn workspace_prefix_and_rate_limit() {
    let e = emulator(&["--enterprise"]);
    let r = root();
    let out = ok(gateway(&r, &e.url, &["sync", "testdata/azure/kong.yaml", "--workspace", "default", "--rps-limit", "200"]));
    assert!(out.contains("applied 3"), "{out}");
    let log = take_log(&e);
    let paths: Vec<&str> = log.iter().map(|l| l.split_whitespace().nth(1).unwrap()).collect();
    assert!(paths.iter().all(|p| *p == "/" || p.starts_with("/default/")), "entity requests go under the workspace: {paths:?}");
    assert!(paths.iter().any(|p| p.starts_with("/default/services")));
}

#[test]
fn a_rejected_write_stops_new_work_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    // an admin whose RBAC role may read plugins but not write them: 403, not retried (the
    // gateway's plugin checks cannot see this coming, so the writes are tried)
    let e = emulator(&["--forbid", "/plugins/"]);
    let cfg = "_format_version: \"3.0\"\nservices:\n- name: s\n  host: h\nplugins:\n- name: cors\n- name: key-auth\n";
    std::fs::write(dir.path().join("kong.yaml"), cfg).unwrap();
    let out = gateway(dir.path(), &e.url, &["sync", "--parallelism", "1", "--output", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["results"], serde_json::json!({"applied": 1, "failed": 1, "not_attempted": 1}), "{v}");
    assert!(v["errors"][0]["message"].as_str().unwrap().contains("Forbidden"), "{v}");
    let results: Vec<&str> = v["changes"].as_array().unwrap().iter().map(|c| c["result"].as_str().unwrap()).collect();
    assert_eq!(results, ["applied", "failed", "not_attempted"]);
    // fixed config: a re-run converges
    std::fs::write(dir.path().join("kong.yaml"), "_format_version: \"3.0\"\nservices:\n- name: s\n  host: h\n").unwrap();
    ok(gateway(dir.path(), &e.url, &["sync"]));
    assert_eq!(gateway(dir.path(), &e.url, &["diff", "--exit-code"]).status.code(), Some(0));
}

#[test]
fn credentials_and_memberships_round_trip() {
    let e = emulator(&["--enterprise"]);
    let r = root();
    let out = ok(gateway(&r, &e.url, &["sync", "testdata/sync/consumers.yaml"]));
    assert!(out.contains("applied 12, failed 0"), "{out}");
    for secret in [SECRET, "jwt-secret-value", "hmac-secret-value", "oauth-secret-value"] {
        assert!(!out.contains(secret), "{secret} leaked: {out}");
    }
    // Kong hashes basic-auth passwords: still no phantom diff
    let d = gateway(&r, &e.url, &["diff", "testdata/sync/consumers.yaml", "--exit-code"]);
    assert_eq!(d.status.code(), Some(0), "{}", text(&d));
    assert!(!http_get(&e.url, "/basic-auths").contains(SECRET), "stored hashed");
    // the dump is a valid decK file that diffs clean
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump.yaml");
    ok(gateway(&r, &e.url, &["dump", "-o", dump.to_str().unwrap()]));
    let dumped = std::fs::read_to_string(&dump).unwrap();
    assert!(dumped.contains("groups:") && dumped.contains("keyauth_credentials:"), "{dumped}");
    ok(gateway(&r, &e.url, &["validate", "--strict", dump.to_str().unwrap()]));
    let d = gateway(&r, &e.url, &["diff", dump.to_str().unwrap(), "--exit-code"]);
    assert_eq!(d.status.code(), Some(0), "{}", text(&d));
    // leaving a group is a membership delete
    std::fs::write(dir.path().join("v2.yaml"), std::fs::read_to_string(r.join("testdata/sync/consumers.yaml")).unwrap().replace("    consumers:\n      - username: sam\n", "")).unwrap();
    let out = ok(gateway(dir.path(), &e.url, &["sync", "v2.yaml"]));
    assert!(out.contains("- delete consumer_group_consumers/sam in silver"), "{out}");
    assert_eq!(gateway(dir.path(), &e.url, &["diff", "v2.yaml", "--exit-code"]).status.code(), Some(0));
}

#[test]
fn keys_partials_filter_chains_and_mtls_credentials() {
    let e = emulator(&["--enterprise", "--wasm", "on"]);
    let dir = tempfile::tempdir().unwrap();
    let cfg = r#"_format_version: "3.0"
key_sets:
  - name: signing
    keys:
      - name: k1
        kid: k1
        jwk: '{"kty":"oct","k":"c2VjcmV0"}'
partials:
  - name: shared-redis
    type: redis-ee
    config: {host: redis.internal}
ca_certificates:
  - id: 55555555-5555-4555-8555-555555555555
    cert: "-----BEGIN CERTIFICATE----- MIIB -----END CERTIFICATE-----"
consumers:
  - username: device
    mtls_auth_credentials:
      - subject_name: device.example.com
        ca_certificate: 55555555-5555-4555-8555-555555555555
services:
  - name: wasm
    host: wasm.internal
filter_chains:
  - name: chain
    service: wasm
    filters:
      - name: response_transformer
        config: '{"add": {"headers": ["x-wasm:1"]}}'
"#;
    std::fs::write(dir.path().join("kong.yaml"), cfg).unwrap();
    let out = ok(gateway(dir.path(), &e.url, &["sync"]));
    assert!(out.contains("applied 8, failed 0"), "{out}");
    assert!(out.contains("jwk: \"[masked]\""), "key material is masked: {out}");
    assert_eq!(gateway(dir.path(), &e.url, &["diff", "--exit-code"]).status.code(), Some(0));
    let dump = dir.path().join("dump.yaml");
    ok(gateway(dir.path(), &e.url, &["dump", "-o", dump.to_str().unwrap()]));
    assert_eq!(gateway(dir.path(), &e.url, &["diff", dump.to_str().unwrap(), "--exit-code"]).status.code(), Some(0), "{}", std::fs::read_to_string(&dump).unwrap());
}

/// Kong keeps names unique (admin-api.md: 409 on a UNIQUE violation), so entities that
/// trade names need their writes ordered, and a swap needs a temporary name.
#[test]
fn swapped_and_chained_unique_names_converge_without_conflicts() {
    let e = emulator(&[]);
    let dir = tempfile::tempdir().unwrap();
    let config = |pairs: &[(&str, &str, &str)]| {
        let mut y = String::from("_format_version: \"3.0\"\nservices:\n");
        for (id, name, _) in pairs {
            y.push_str(&format!("- id: {id}\n  name: {name}\n  host: {name}.internal\n"));
        }
        y.push_str("consumers:\n");
        for (i, (_, name, custom)) in pairs.iter().enumerate() {
            y.push_str(&format!("- id: 0000000{i}-0000-4000-8000-000000000000\n  username: {name}\n  custom_id: {custom}\n"));
        }
        std::fs::write(dir.path().join("kong.yaml"), y).unwrap();
    };
    let (a, b, c) = ("aaaaaaaa-0000-4000-8000-000000000000", "bbbbbbbb-0000-4000-8000-000000000000", "cccccccc-0000-4000-8000-000000000000");
    config(&[(a, "alpha", "c1"), (b, "beta", "c2"), (c, "gamma", "c3")]);
    ok(gateway(dir.path(), &e.url, &["sync"]));
    // alpha and beta swap; gamma takes a new name; consumers rotate all three custom ids
    config(&[(a, "beta", "c2"), (b, "alpha", "c3"), (c, "delta", "c1")]);
    let out = ok(gateway(dir.path(), &e.url, &["sync"]));
    assert!(out.contains("failed 0, not attempted 0"), "{out}");
    assert!(out.contains("(parked on a temporary name that another update takes)"), "a swap goes through a temporary name: {out}");
    let diff = gateway(dir.path(), &e.url, &["diff", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    let service: Value = serde_json::from_str(&http_get(&e.url, &format!("/services/{a}"))).unwrap();
    assert_eq!((service["name"].as_str(), service["host"].as_str()), (Some("beta"), Some("beta.internal")));
    let consumer: Value = serde_json::from_str(&http_get(&e.url, "/consumers/00000002-0000-4000-8000-000000000000")).unwrap();
    assert_eq!((consumer["username"].as_str(), consumer["custom_id"].as_str()), (Some("delta"), Some("c1")));
}

/// decK fills defaults from the gateway's `/schemas` endpoints (deck.md "Defaults"); so does
/// `gateway`, which is what keeps a Kong version with other defaults, or a custom plugin,
/// free of phantom diffs. The emulator plays such a gateway with `--plugin-schemas`.
#[test]
fn defaults_come_from_the_gateways_own_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let bundled: Value = serde_json::from_str(&std::fs::read_to_string(root().join("schemas/plugins-3.15.json")).unwrap()).unwrap();
    let mut rate_limiting = bundled["plugins"]["rate-limiting"].clone();
    rate_limiting["config"]["fields"]["window_alignment"] = serde_json::json!({"type": "string", "default": "aligned"});
    let overlay = serde_json::json!({
        "rate-limiting": rate_limiting,
        "acme-stamp": {"scopes": ["route", "service"], "protocols": {"type": "set", "default": ["https", "http"]},
                       "config": {"type": "record", "fields": {"header": {"type": "string", "default": "X-Acme"}, "value": {"type": "string"}}}}
    });
    let overlay_path = dir.path().join("overlay.json");
    std::fs::write(&overlay_path, overlay.to_string()).unwrap();
    let e = emulator(&["--plugin-schemas", overlay_path.to_str().unwrap()]);
    std::fs::write(
        dir.path().join("kong.yaml"),
        "_format_version: \"3.0\"\nservices:\n- name: api\n  host: api.internal\n  plugins:\n  - name: rate-limiting\n    config: {minute: 5}\n  - name: acme-stamp\n    config: {value: v1}\nupstreams:\n- name: pool\n  healthchecks: {active: {healthy: {interval: 5}}}\n",
    )
    .unwrap();
    let synced = gateway(dir.path(), &e.url, &["sync"]);
    assert!(synced.status.success(), "{}", text(&synced));
    assert!(!text(&synced).contains("note:"), "{}", text(&synced));
    let diff = gateway(dir.path(), &e.url, &["diff", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    // the same plan from the bundled schemas alone sees what this gateway added as changes
    let bundled = gateway(dir.path(), &e.url, &["diff", "--exit-code", "--bundled-schemas"]);
    assert_eq!(bundled.status.code(), Some(2), "{}", text(&bundled));
    let out = text(&bundled);
    assert!(out.contains("config.window_alignment: \"aligned\" -> (unset)") && out.contains("config.header: \"X-Acme\" -> (unset)"), "{out}");
    assert!(!out.contains("upstreams/pool"), "health-check defaults are Kong's, bundled too: {out}");
}

/// Kong Enterprise and AI Gateway kinds of the decK format: licenses and plugin definitions
/// are managed only when the file asks for them (decK's opt-in: GDR dump.Config
/// IncludeLicenses, `--include-plugin-definitions`); AI models always.
#[test]
fn licenses_plugin_definitions_and_ai_models() {
    let e = emulator(&["--enterprise", "--ai-gateway"]);
    let dir = tempfile::tempdir().unwrap();
    let license = r#"{"license":{"signature":"sig-0123456789","payload":{"customer":"Acme Corp"}}}"#;
    let v1 = format!(
        "_format_version: \"3.0\"\nlicenses:\n- payload: '{license}'\ncloned_plugins:\n- name: acme-rate-limiting\n  ref: rate-limiting\n  priority: 902\ncustom_plugins:\n- name: acme-stamp\n  handler: \"return {{ PRIORITY = 1, VERSION = '1.0' }}\"\n  schema: \"return {{ name = 'acme-stamp', fields = {{}} }}\"\nai_models:\n- name: gpt-4o\n  alias: '@openai/gpt-4o'\n- name: gpt-4o-mini\n  alias: '@openai/gpt-4o-mini'\nservices:\n- name: api\n  host: api.internal\n  plugins:\n  - name: acme-rate-limiting\n    config: {{minute: 10, policy: local}}\n  - name: acme-stamp\n  - name: cors\n    model: gpt-4o\n  - name: cors\n    model: gpt-4o-mini\n    config: {{max_age: 60}}\n"
    );
    std::fs::write(dir.path().join("kong.yaml"), &v1).unwrap();
    let synced = gateway(dir.path(), &e.url, &["sync"]);
    let out = text(&synced);
    assert!(synced.status.success(), "{out}");
    assert!(out.contains("applied 10, failed 0, not attempted 0"), "{out}");
    assert!(out.contains("plugins/cors (service api, model gpt-4o-mini)"), "plugins scoped by model (AI Gateway 2.0): {out}");
    assert!(!out.contains("sig-0123456789") && !out.contains("Acme Corp"), "a license payload is masked: {out}");
    // definitions go in before the plugins that use them
    let log = writes(&take_log(&e)).into_iter().cloned().collect::<Vec<_>>();
    let at = |p: &str| log.iter().position(|l| l.contains(p)).unwrap_or_else(|| panic!("{p} in {log:?}"));
    assert!(at("/cloned-plugins/") < at("/plugins/") && at("/custom-plugins/") < at("/plugins/"), "{log:?}");
    for extra in [&[][..], &["--bundled-schemas"][..]] {
        let diff = gateway(dir.path(), &e.url, &[&["diff", "--exit-code"][..], extra].concat());
        assert_eq!(diff.status.code(), Some(0), "{extra:?}: {}", text(&diff));
    }
    // a plain dump leaves the opt-in kinds out; asked for, they round-trip
    let plain = ok(gateway(dir.path(), &e.url, &["dump"]));
    assert!(!plain.contains("licenses:") && !plain.contains("cloned_plugins:") && plain.contains("ai_models:"), "{plain}");
    let full = ok(gateway(dir.path(), &e.url, &["dump", "--include", "licenses", "--include", "plugin-definitions"]));
    assert!(full.contains("include_plugin_definitions: true") && full.contains("licenses:") && full.contains("acme-stamp"), "{full}");
    std::fs::write(dir.path().join("dumped.yaml"), &full).unwrap();
    let diff = gateway(dir.path(), &e.url, &["diff", "dumped.yaml", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    // without definitions in the file they are still managed when _info says so; a license
    // left out of the file is not touched
    std::fs::write(
        dir.path().join("kong.yaml"),
        "_format_version: \"3.0\"\n_info:\n  include_plugin_definitions: true\nai_models:\n- name: gpt-4o\n  alias: '@openai/gpt-4o'\nservices:\n- name: api\n  host: api.internal\n",
    )
    .unwrap();
    let plan = gateway(dir.path(), &e.url, &["diff", "--output", "json"]);
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    let deleted: Vec<&str> = plan["changes"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        deleted,
        [
            "plugins/acme-rate-limiting (service api)",
            "plugins/acme-stamp (service api)",
            "plugins/cors (service api, model gpt-4o)",
            "plugins/cors (service api, model gpt-4o-mini)",
            "ai_models/gpt-4o-mini",
            "cloned_plugins/acme-rate-limiting",
            "custom_plugins/acme-stamp"
        ]
    );
    ok(gateway(dir.path(), &e.url, &["sync"]));
    assert_eq!((count(&e, "/licenses"), count(&e, "/cloned-plugins"), count(&e, "/ai-models"), count(&e, "/plugins")), (1, 0, 1, 0));
}

#[test]
fn kinds_without_a_gateway_endpoint_are_refused_with_the_reason() {
    let e = emulator(&[]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kong.yaml"), "_format_version: \"3.0\"\nservice_packages:\n- name: billing\nrbac_roles:\n- name: ops\n").unwrap();
    take_log(&e);
    let out = gateway(dir.path(), &e.url, &["diff"]);
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out);
    assert!(said.contains("error: kong.yaml:3:3: service_packages/billing: service packages are Konnect entities"), "{said}");
    assert!(said.contains("error: kong.yaml:5:3: rbac_roles/ops: RBAC resources are managed on their own"), "{said}");
    assert!(take_log(&e).is_empty(), "refused before any request");
}

/// RBAC is managed on its own, as decK does with --rbac-resources-only; endpoint permissions
/// live under their role and send `actions` as one comma-separated string (go-kong
/// kong/endpoint_permission_service.go).
#[test]
fn rbac_roles_and_endpoint_permissions_with_rbac_resources_only() {
    let e = emulator(&["--enterprise"]);
    let dir = tempfile::tempdir().unwrap();
    let rbac = |ops_actions: &str| {
        format!(
            "_format_version: \"3.0\"\nrbac_roles:\n- name: ops\n  comment: on call\n  endpoint_permissions:\n  - {{workspace: default, endpoint: /services, actions: [{ops_actions}]}}\n  - {{workspace: default, endpoint: '*', actions: [read], negative: true}}\n- name: auditor\n  endpoint_permissions:\n  - {{workspace: '*', endpoint: '*', actions: [read]}}\n"
        )
    };
    std::fs::write(dir.path().join("rbac.yaml"), rbac("read, update")).unwrap();
    std::fs::write(dir.path().join("kong.yaml"), "_format_version: \"3.0\"\nservices:\n- {name: api, host: api.internal}\n").unwrap();
    // proxy config and RBAC do not mix, either way round
    let mixed = gateway(dir.path(), &e.url, &["diff", "rbac.yaml"]);
    assert_eq!(mixed.status.code(), Some(1));
    assert!(text(&mixed).contains("rbac.yaml:3:3: rbac_roles/ops: RBAC resources are managed on their own"), "{}", text(&mixed));
    let mixed = gateway(dir.path(), &e.url, &["diff", "--rbac-resources-only", "kong.yaml"]);
    assert!(text(&mixed).contains("may hold RBAC roles and endpoint permissions only"), "{}", text(&mixed));
    ok(gateway(dir.path(), &e.url, &["sync", "kong.yaml"]));
    // online validation uses decK's schema names for RBAC (validate/validate.go)
    take_log(&e);
    ok(gateway(dir.path(), &e.url, &["validate", "--online", "rbac.yaml"]));
    let log = take_log(&e);
    assert!(log.iter().any(|l| l == "POST /schemas/rbac-role/validate") && log.iter().any(|l| l == "POST /schemas/rbac-endpointpermission/validate"), "{log:?}");
    let out = ok(gateway(dir.path(), &e.url, &["sync", "--rbac-resources-only", "rbac.yaml"]));
    assert!(out.contains("applied 5, failed 0, not attempted 0"), "{out}");
    assert!(out.contains("rbac_endpoint_permissions/default/services (role ops)"), "{out}");
    let eps: Value = serde_json::from_str(&http_get(&e.url, "/rbac/roles/ops/endpoints")).unwrap();
    let services = eps["data"].as_array().unwrap().iter().find(|p| p["endpoint"] == "/services").unwrap();
    assert_eq!(services["actions"], serde_json::json!(["read", "update"]));
    for config in [&["--rbac-resources-only", "rbac.yaml"][..], &["kong.yaml"][..]] {
        let diff = gateway(dir.path(), &e.url, &[&["diff", "--exit-code"][..], config].concat());
        assert_eq!(diff.status.code(), Some(0), "the other half is not touched: {config:?} {}", text(&diff));
    }
    // a changed action set is an update of that permission only; a dropped role goes with its permissions
    std::fs::write(dir.path().join("rbac.yaml"), rbac("read").replace("- name: auditor\n  endpoint_permissions:\n  - {workspace: '*', endpoint: '*', actions: [read]}\n", "")).unwrap();
    let plan = gateway(dir.path(), &e.url, &["diff", "--rbac-resources-only", "rbac.yaml", "--output", "json"]);
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(plan["summary"], serde_json::json!({"create": 0, "update": 1, "delete": 2}), "{plan}");
    ok(gateway(dir.path(), &e.url, &["sync", "--rbac-resources-only", "rbac.yaml"]));
    let diff = gateway(dir.path(), &e.url, &["diff", "--rbac-resources-only", "rbac.yaml", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    assert_eq!(count(&e, "/rbac/roles"), 1);
    // dump writes the permissions nested under their role, and that file diffs clean
    let dumped = ok(gateway(dir.path(), &e.url, &["dump", "--rbac-resources-only"]));
    assert!(dumped.contains("endpoint_permissions:") && !dumped.contains("auditor") && !dumped.contains("api.internal"), "{dumped}");
    std::fs::write(dir.path().join("dumped.yaml"), &dumped).unwrap();
    let diff = gateway(dir.path(), &e.url, &["diff", "--rbac-resources-only", "dumped.yaml", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
}

/// decK's one custom entity, `degraphql_routes` (GDR pkg/file/builder.go): matched by uri and
/// query, methods default to GET, written under the service (go-kong degraphql_route_service.go).
#[test]
fn degraphql_routes_as_custom_entities() {
    let e = emulator(&["--enterprise"]);
    let dir = tempfile::tempdir().unwrap();
    let config = |query: &str, extra: &str| {
        format!("_format_version: \"3.0\"\nservices:\n- {{name: graph, host: graph.internal}}\ncustom_entities:\n- type: degraphql_routes\n  fields:\n    service: {{name: graph}}\n    uri: /users\n    query: '{query}'\n{extra}")
    };
    std::fs::write(dir.path().join("kong.yaml"), config("{ users { id } }", "")).unwrap();
    let out = ok(gateway(dir.path(), &e.url, &["sync"]));
    assert!(out.contains("+ create degraphql_routes/users"), "{out}");
    let log = writes(&take_log(&e)).into_iter().cloned().collect::<Vec<_>>();
    assert!(log.iter().any(|l| l.starts_with("POST /services/") && l.contains("/degraphql/routes")), "{log:?}");
    let diff = gateway(dir.path(), &e.url, &["diff", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "methods default to GET: {}", text(&diff));
    // a new query is a new route (decK matches by uri and query): the old one goes
    std::fs::write(dir.path().join("kong.yaml"), config("{ users { id name } }", "")).unwrap();
    let plan = gateway(dir.path(), &e.url, &["diff", "--output", "json"]);
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(plan["summary"], serde_json::json!({"create": 1, "update": 0, "delete": 1}), "{plan}");
    ok(gateway(dir.path(), &e.url, &["sync"]));
    assert_eq!(count(&e, "/degraphql_routes"), 1);
    let diff = gateway(dir.path(), &e.url, &["diff", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    let dumped = ok(gateway(dir.path(), &e.url, &["dump", "--include", "degraphql-routes"]));
    assert!(dumped.contains("custom_entities:\n- type: degraphql_routes"), "{dumped}");
    std::fs::write(dir.path().join("dumped.yaml"), &dumped).unwrap();
    let diff = gateway(dir.path(), &e.url, &["diff", "dumped.yaml", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    // other custom entity types are refused, already by the offline checks (rule F007)
    std::fs::write(dir.path().join("kong.yaml"), config("{ users { id } }", "- type: graphql_cache_entries\n  fields: {type_path: Query.users}\n")).unwrap();
    let refused = gateway(dir.path(), &e.url, &["diff"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused).contains("error[F007]") && text(&refused).contains("kong.yaml:10:9"), "{}", text(&refused));
}

/// decK's second custom entity, `graphql_ratelimiting_cost_decorations` (GDR
/// pkg/file/builder.go, pkg/types/graphql_ratelimiting_cost_decoration.go): matched by
/// type_path, Kong's defaults filled, written with a PUT under the service and deleted at
/// /graphql-rate-limiting-advanced/costs/{id} (go-kong
/// kong/graphql_rate_limiting_cost_decoration_service.go), managed only when the file lists some.
#[test]
fn graphql_cost_decorations_as_custom_entities() {
    let e = emulator(&["--enterprise"]);
    let dir = tempfile::tempdir().unwrap();
    let config = |decorations: &str| {
        format!("_format_version: \"3.0\"\nservices:\n- {{name: graph, host: graph.internal}}\n- {{name: other, host: other.internal}}\ncustom_entities:\n{decorations}")
    };
    let users = "- type: graphql_ratelimiting_cost_decorations\n  fields: {service: {name: graph}, type_path: Query.users, add_constant: 2}\n";
    let posts = "- type: graphql_ratelimiting_cost_decorations\n  fields: {service: {name: graph}, type_path: Query.posts, mul_arguments: [first]}\n";
    std::fs::write(dir.path().join("kong.yaml"), config(&format!("{users}{posts}"))).unwrap();
    take_log(&e);
    let out = ok(gateway(dir.path(), &e.url, &["sync"]));
    assert!(out.contains("+ create graphql_ratelimiting_cost_decorations/Query.users"), "{out}");
    let log = writes(&take_log(&e)).into_iter().cloned().collect::<Vec<_>>();
    let puts = log.iter().filter(|l| l.starts_with("PUT /services/") && l.contains("/graphql-rate-limiting-advanced/costs/")).count();
    assert_eq!(puts, 2, "{log:?}");
    assert_eq!(count(&e, "/graphql-rate-limiting-advanced/costs"), 2);
    // Kong fills the constants (1) and the argument lists ([]): no phantom diff
    let diff = gateway(dir.path(), &e.url, &["diff", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    // the same type_path on another service, with other numbers: an update of the same decoration
    let moved = users.replace("{name: graph}", "{name: other}").replace("add_constant: 2", "add_constant: 3");
    std::fs::write(dir.path().join("kong.yaml"), config(&moved)).unwrap();
    let plan = gateway(dir.path(), &e.url, &["diff", "--output", "json"]);
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(plan["summary"], serde_json::json!({"create": 0, "update": 1, "delete": 1}), "{plan}");
    take_log(&e);
    ok(gateway(dir.path(), &e.url, &["sync"]));
    let log = writes(&take_log(&e)).into_iter().cloned().collect::<Vec<_>>();
    assert!(log.iter().any(|l| l.starts_with("DELETE /graphql-rate-limiting-advanced/costs/")), "{log:?}");
    let listed: Value = serde_json::from_str(&http_get(&e.url, "/graphql-rate-limiting-advanced/costs")).unwrap();
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed["data"][0]["add_constant"].as_f64(), Some(3.0), "{listed}");
    let diff = gateway(dir.path(), &e.url, &["diff", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    // the dump writes them back as custom entities, and that file diffs clean
    let dumped = ok(gateway(dir.path(), &e.url, &["dump", "--include", "graphql-ratelimiting-cost-decorations"]));
    assert!(dumped.contains("- type: graphql_ratelimiting_cost_decorations"), "{dumped}");
    std::fs::write(dir.path().join("dumped.yaml"), &dumped).unwrap();
    let diff = gateway(dir.path(), &e.url, &["diff", "dumped.yaml", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    // a file without any leaves them alone (managed only when listed, like DeGraphQL routes)
    std::fs::write(dir.path().join("kong.yaml"), "_format_version: \"3.0\"\nservices:\n- {name: graph, host: graph.internal}\n- {name: other, host: other.internal}\n").unwrap();
    let diff = gateway(dir.path(), &e.url, &["diff", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    // one without type_path is refused before any request, with decK's words
    std::fs::write(dir.path().join("kong.yaml"), config("- type: graphql_ratelimiting_cost_decorations\n  fields: {service: {name: graph}}\n")).unwrap();
    let refused = gateway(dir.path(), &e.url, &["diff"]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(text(&refused).contains("type_path is required for graphql_ratelimiting_cost_decorations"), "{}", text(&refused));
}

/// A gateway that will not show its schemas (an RBAC role without access to /schemas):
/// defaults come from the bundled schemas, a note on stderr says so, and the plan is the same.
#[test]
fn schemas_the_gateway_refuses_fall_back_to_the_bundled_ones_with_a_note() {
    let e = emulator(&["--forbid", "/schemas", "--enterprise"]);
    let r = root();
    ok(gateway(&r, &e.url, &["sync", "testdata/azure/kong.yaml"]));
    let diff = gateway(&r, &e.url, &["diff", "testdata/azure/kong.yaml", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    let stderr = String::from_utf8_lossy(&diff.stderr);
    assert_eq!(
        stderr,
        "note: the gateway did not give its schemas of plugin ai-proxy-advanced, routes, services (HTTP 403); their defaults come from the bundled Kong 3.15 schemas\n"
    );
    let quiet = gateway(&r, &e.url, &["diff", "testdata/azure/kong.yaml", "--bundled-schemas"]);
    assert!(String::from_utf8_lossy(&quiet.stderr).is_empty(), "not asked, nothing to say: {}", text(&quiet));
}
