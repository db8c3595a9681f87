//! `ping`, `diff`, `sync`, `apply`, `reset` and `dump` against gateways of different versions,
//! editions, settings and database modes: the emulator (examples/kong_admin_emulator/) plays
//! each profile as ../shared/reference/gateway-versions.md describes it (404 on /key-sets
//! before 3.1, 400 on /filter-chains with wasm off, credential collections only with their
//! plugin loaded, 405 on writes and `POST /config` on DB-less nodes), and the real binary
//! runs against it.

mod common;

use common::admin::{config_file, emulator, gateway, get_json, ok, root, take_log, text, writes};
use serde_json::Value;

/// The gateways of the issue: (name, emulator flags).
const PROFILES: &[(&str, &[&str])] = &[
    ("3.0", &["--kong-version", "3.0.1"]),
    ("3.4 wasm off", &["--kong-version", "3.4.2", "--wasm", "off"]),
    ("3.9 wasm off", &["--kong-version", "3.9.1", "--wasm", "off"]),
    ("3.9 wasm on", &["--kong-version", "3.9.1", "--wasm", "on"]),
    ("Enterprise 3.10", &["--kong-version", "3.10.0", "--enterprise"]),
    ("3.11", &["--kong-version", "3.11.0"]),
    ("DB-less", &["--kong-version", "3.10.0", "--database", "off"]),
];

fn profile(name: &str) -> &'static [&'static str] {
    PROFILES.iter().find(|(n, _)| *n == name).map(|(_, f)| *f).expect("a profile of the table")
}

#[test]
fn ping_tells_what_each_gateway_is() {
    let r = root();
    for (name, flags) in PROFILES {
        let e = emulator(flags);
        let out = ok(gateway(&r, &e.url, &["ping"]));
        let version = flags[1];
        assert!(out.starts_with(&format!("Kong {version}")), "{name}: {out}");
        assert!(out.contains("router flavor:  traditional_compatible"), "{name}: {out}");
        assert!(out.contains("plugins:        ") && out.contains("key-auth"), "{name}: {out}");
        let json: Value = serde_json::from_slice(&gateway(&r, &e.url, &["ping", "--output", "json"]).stdout).unwrap();
        assert_eq!(json["version"].as_str().unwrap().split('.').take(3).collect::<Vec<_>>().join("."), version, "{name}: {json}");
        let not_served: Vec<&str> = json["not_served"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
        // what each profile lacks, and why (kong/constants.lua, PR #11222, PR #14347)
        match *name {
            "3.0" => {
                assert!(out.contains("key_sets: key sets and keys arrived in Kong 3.1"), "{out}");
                assert!(not_served.contains(&"filter_chains") && not_served.contains(&"consumer_groups"), "{not_served:?}");
            }
            "3.4 wasm off" | "3.9 wasm off" => assert!(out.contains("wasm:           off") && out.contains("filter_chains: wasm is off"), "{name}: {out}"),
            "3.9 wasm on" => assert!(out.contains("wasm:           on") && !not_served.contains(&"filter_chains"), "{out}"),
            "Enterprise 3.10" => {
                assert!(out.contains("(enterprise)") && json["version"].as_str().unwrap().split('.').count() == 4, "{out}");
                assert!(!not_served.contains(&"consumer_groups") && !not_served.contains(&"partials"), "{not_served:?}");
            }
            "3.11" => assert!(out.contains("filter_chains: Kong 3.11 and later ship without wasm"), "{out}"),
            "DB-less" => assert!(out.contains("database:       off (DB-less"), "{out}"),
            _ => unreachable!(),
        }
    }
}

/// `configuration.router_flavor` of `GET /` (kong/api/routes/kong.lua serves the node's
/// configuration), in `ping`'s text and JSON.
#[test]
fn ping_tells_the_router_flavor() {
    let r = root();
    for flavor in ["expressions", "traditional_compatible"] {
        let e = emulator(&["--router-flavor", flavor]);
        let out = ok(gateway(&r, &e.url, &["ping"]));
        assert!(out.lines().any(|l| l == format!("router flavor:  {flavor}")), "{flavor}: {out}");
        let json: Value = serde_json::from_slice(&gateway(&r, &e.url, &["ping", "--output", "json"]).stdout).unwrap();
        assert_eq!(json["router_flavor"], flavor, "{json}");
    }
}

#[test]
fn one_config_syncs_and_round_trips_on_every_profile() {
    let r = root();
    for (name, flags) in PROFILES {
        let e = emulator(flags);
        let out = gateway(&r, &e.url, &["sync", "testdata/sync/profiles/oss.yaml"]);
        assert!(out.status.success(), "{name}: {}", text(&out));
        let log = take_log(&e);
        if *name == "DB-less" {
            // one POST /config carries everything (kong/api/routes/config.lua)
            assert_eq!(writes(&log), vec!["POST /config?flatten_errors=1&check_hash=1"], "{name}: {log:?}");
            assert!(String::from_utf8_lossy(&out.stdout).contains("(DB-less: one POST /config)"), "{}", text(&out));
        } else {
            assert_eq!(writes(&log).len(), 8, "{name}: one write per entity: {log:?}");
        }
        // only the collections this gateway has were read
        assert!(!log.iter().any(|l| l.starts_with("GET /filter-chains")) || *name == "3.9 wasm on", "{name}: {log:?}");
        assert!(!log.iter().any(|l| l.starts_with("GET /key-sets")) || *name != "3.0", "{name}: {log:?}");
        assert!(!log.iter().any(|l| l.starts_with("GET /consumer_groups")) || *name == "Enterprise 3.10", "{name}: {log:?}");
        let diff = gateway(&r, &e.url, &["diff", "testdata/sync/profiles/oss.yaml", "--exit-code"]);
        assert_eq!(diff.status.code(), Some(0), "{name}: {}", text(&diff));
        let again = ok(gateway(&r, &e.url, &["sync", "testdata/sync/profiles/oss.yaml"]));
        assert!(again.contains("no changes"), "{name}: {again}");
        let dir = tempfile::tempdir().unwrap();
        let dump = dir.path().join("dump.yaml");
        ok(gateway(&r, &e.url, &["dump", "-o", dump.to_str().unwrap()]));
        let diff = gateway(&r, &e.url, &["diff", dump.to_str().unwrap(), "--exit-code"]);
        assert_eq!(diff.status.code(), Some(0), "{name}: the dump round-trips: {}", text(&diff));
        take_log(&e);
        gateway(&r, &e.url, &["diff", "testdata/sync/profiles/oss.yaml"]);
        assert!(writes(&take_log(&e)).is_empty(), "{name}: diff never writes");
    }
}

/// Runs `sync FILE` and asserts it is refused before any write, with `needle` in the reason.
fn refused_before_any_write(flags: &[&str], file: &str, needles: &[&str]) -> String {
    let e = emulator(flags);
    let out = gateway(&root(), &e.url, &["sync", file]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    for n in needles {
        assert!(all.contains(n), "`{n}` missing from: {all}");
    }
    assert!(all.contains("nothing was written"), "{all}");
    assert!(writes(&take_log(&e)).is_empty(), "no write may be sent: {all}");
    all
}

#[test]
fn filter_chains_only_where_wasm_is_on() {
    let file = "testdata/sync/profiles/wasm.yaml";
    // the filter chain's line in the file, and the reason per gateway
    refused_before_any_write(profile("3.9 wasm off"), file, &[&format!("{file}:7:5: filter_chains/chain: wasm is off on this gateway")]);
    refused_before_any_write(profile("3.4 wasm off"), file, &["wasm is off", "PR #11222"]);
    refused_before_any_write(profile("3.11"), file, &["Kong 3.11 and later ship without wasm (Kong/kong PR #14347)"]);
    refused_before_any_write(profile("3.0"), file, &["filter chains arrived in Kong 3.4, and this gateway is 3.0.1"]);
    let e = emulator(profile("3.9 wasm on"));
    ok(gateway(&root(), &e.url, &["sync", file]));
    assert_eq!(gateway(&root(), &e.url, &["diff", file, "--exit-code"]).status.code(), Some(0));
}

#[test]
fn enterprise_entities_and_plugins_on_an_oss_gateway_are_refused_with_the_reason() {
    let file = "testdata/sync/profiles/enterprise.yaml";
    let all = refused_before_any_write(
        &["--kong-version", "3.10.0"],
        file,
        &["consumer_groups/gold: consumer groups are Kong Enterprise entities, and this gateway is Kong Gateway (OSS) 3.10.0", "the ai-proxy-advanced plugin is not loaded on this gateway"],
    );
    assert!(all.contains(&format!("{file}:4:5: consumer_groups/gold")), "{all}");
    let e = emulator(profile("Enterprise 3.10"));
    ok(gateway(&root(), &e.url, &["sync", file]));
    assert_eq!(gateway(&root(), &e.url, &["diff", file, "--exit-code"]).status.code(), Some(0));
}

#[test]
fn credentials_and_plugins_need_their_plugin_loaded() {
    // Kong's `plugins = rate-limiting,cors`: no key-auth, so no /key-auths either
    // (kong/db/dao/plugins.lua, kong/plugins/key-auth/daos.lua)
    let all = refused_before_any_write(
        &["--plugins", "rate-limiting,cors"],
        "testdata/sync/profiles/oss.yaml",
        &["keyauth_credentials", "the key-auth plugin is not loaded on this gateway (its `plugins` setting), so it has no /key-auths endpoint", "plugins/key-auth (global): the key-auth plugin is not loaded"],
    );
    assert!(!all.contains("rate-limiting plugin is not loaded"), "{all}");
}

#[test]
fn a_name_held_outside_the_select_tags_is_a_conflict_before_any_write() {
    for name in ["3.9 wasm off", "DB-less"] {
        let e = emulator(profile(name));
        let (dir, _) = config_file("_format_version: '3.0'\n_info: {select_tags: [team-b]}\nservices:\n- name: billing\n  host: other.internal\n");
        ok(gateway(dir.path(), &e.url, &["sync"]));
        take_log(&e);
        let out = gateway(&root(), &e.url, &["sync", "testdata/sync/profiles/team-a.yaml"]);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {all}");
        assert!(
            all.contains("testdata/sync/profiles/team-a.yaml:6:5: services/billing: the gateway already has name 'billing' in services/billing")
                && all.contains("outside the managed select tags [team-a] (its tags: [team-b])"),
            "{name}: {all}"
        );
        assert!(writes(&take_log(&e)).is_empty(), "{name}: nothing written");
        // JSON: one document, the conflict in `errors`
        let out = gateway(&root(), &e.url, &["sync", "testdata/sync/profiles/team-a.yaml", "--output", "json"]);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(doc["errors"][0]["message"].as_str().unwrap().contains("outside the managed select tags"), "{doc}");
        assert_eq!(doc["errors"][0]["line"], 6);
    }
}

#[test]
fn apply_creates_and_updates_but_never_deletes() {
    for name in ["3.9 wasm off", "DB-less"] {
        let e = emulator(profile(name));
        let r = root();
        ok(gateway(&r, &e.url, &["sync", "testdata/sync/profiles/oss.yaml"]));
        let (dir, _) = config_file("_format_version: '3.0'\nservices:\n- name: httpbin\n  url: https://httpbin.example/v2\n- name: extra\n  host: extra.internal\n");
        let out = ok(gateway(dir.path(), &e.url, &["apply"]));
        assert!(out.contains("+ create services/extra") && out.contains("~ update services/httpbin"), "{name}: {out}");
        assert!(!out.contains("- delete"), "{name}: {out}");
        assert_eq!(get_json(&e.url, "/services/httpbin")["path"], "/v2", "{name}");
        assert_eq!(get_json(&e.url, "/consumers/alice")["username"], "alice", "{name}: kept");
        assert_eq!(get_json(&e.url, "/routes/httpbin-route")["name"], "httpbin-route", "{name}: kept");
        // sync of the same file would delete what apply kept
        let diff = ok(gateway(dir.path(), &e.url, &["diff"]));
        assert!(diff.contains("- delete consumers/alice"), "{name}: {diff}");
    }
}

#[test]
fn reset_asks_or_refuses_and_deletes_only_what_it_manages() {
    for name in ["3.9 wasm off", "DB-less"] {
        let e = emulator(profile(name));
        let r = root();
        let (dir, _) = config_file("_format_version: '3.0'\n_info: {select_tags: [team-b]}\nservices:\n- name: payments\n  host: p.internal\n");
        ok(gateway(dir.path(), &e.url, &["sync"]));
        ok(gateway(&r, &e.url, &["sync", "testdata/sync/profiles/team-a.yaml"]));
        take_log(&e);
        // no terminal and no --yes: refuse, delete nothing
        let out = gateway(&r, &e.url, &["reset", "--select-tag", "team-a"]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out));
        assert!(text(&out).contains("pass --yes (or --force)") && text(&out).contains("nothing was deleted"), "{name}: {}", text(&out));
        assert!(writes(&take_log(&e)).is_empty(), "{name}");
        // --dry-run shows the deletes and writes nothing
        let dry = ok(gateway(&r, &e.url, &["reset", "--select-tag", "team-a", "--dry-run"]));
        assert!(dry.contains("- delete services/billing") && dry.contains("- delete routes/billing-route") && !dry.contains("payments"), "{name}: {dry}");
        assert!(writes(&take_log(&e)).is_empty(), "{name}");
        // decK's spelling --force works too
        let out = ok(gateway(&r, &e.url, &["reset", "--select-tag", "team-a", "--force"]));
        assert!(out.contains("applied 2, failed 0"), "{name}: {out}");
        assert_eq!(get_json(&e.url, "/services/billing")["message"], "Not found", "{name}");
        assert_eq!(get_json(&e.url, "/services/payments")["name"], "payments", "{name}: another team's service is kept");
        // everything, with --yes
        ok(gateway(&r, &e.url, &["reset", "--yes"]));
        assert_eq!(get_json(&e.url, "/services")["data"], serde_json::json!([]), "{name}");
    }
}

#[test]
fn dbless_keeps_other_teams_entities_and_sends_no_post_for_diff_dry_run_or_no_change() {
    let e = emulator(profile("DB-less"));
    let r = root();
    let (dir, _) = config_file("_format_version: '3.0'\n_info: {select_tags: [team-b]}\nservices:\n- name: payments\n  host: p.internal\nconsumers:\n- username: carol\n  tags: [team-b]\n  basicauth_credentials:\n  - {username: carol, password: s3cret-pass}\n");
    ok(gateway(dir.path(), &e.url, &["sync"]));
    take_log(&e);
    let dry = ok(gateway(&r, &e.url, &["sync", "testdata/sync/profiles/team-a.yaml", "--dry-run"]));
    assert!(dry.contains("+ create services/billing"), "{dry}");
    ok(gateway(&r, &e.url, &["diff", "testdata/sync/profiles/team-a.yaml"]));
    assert!(writes(&take_log(&e)).is_empty(), "diff and --dry-run send no POST");
    ok(gateway(&r, &e.url, &["sync", "testdata/sync/profiles/team-a.yaml"]));
    assert_eq!(get_json(&e.url, "/services/payments")["name"], "payments", "team-b's service survives team-a's POST /config");
    // team-b's basic-auth password went through as Kong stored it (hashed once, not twice)
    let diff = gateway(dir.path(), &e.url, &["diff", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
    take_log(&e);
    let again = ok(gateway(&r, &e.url, &["sync", "testdata/sync/profiles/team-a.yaml"]));
    assert!(again.contains("no changes"), "{again}");
    assert!(writes(&take_log(&e)).is_empty(), "an unchanged config sends nothing");
}

#[test]
fn select_tags_from_the_command_line_mark_what_sync_writes() {
    // decK: `--select-tag` works as `_info.select_tags` does, on both sides of the plan
    let e = emulator(profile("3.9 wasm off"));
    let (dir, _) = config_file("_format_version: '3.0'\nservices:\n- name: s\n  host: h\n");
    ok(gateway(dir.path(), &e.url, &["sync", "--select-tag", "ci"]));
    assert_eq!(get_json(&e.url, "/services/s")["tags"], serde_json::json!(["ci"]));
    let diff = gateway(dir.path(), &e.url, &["diff", "--select-tag", "ci", "--exit-code"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
}

#[test]
fn dbless_errors_come_back_at_the_users_file_and_line() {
    // A gateway whose cors schema (another version, say) requires `origins`: the bundled
    // schemas do not, so the plan goes ahead and Kong refuses the whole POST /config with
    // flattened errors (kong/db/errors.lua), which must come back at the plugin's line.
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("cors.json");
    std::fs::write(
        &overlay,
        r#"{"cors": {"scopes": ["route", "service"], "protocols": {"type": "set", "default": ["grpc", "grpcs", "http", "https"]},
            "config": {"type": "record", "fields": {"origins": {"type": "array", "required": true, "items": {"type": "string"}}, "max_age": {"type": "number"}}}}}"#,
    )
    .unwrap();
    let mut flags = profile("DB-less").to_vec();
    flags.extend(["--plugin-schemas", overlay.to_str().unwrap()]);
    let e = emulator(&flags);
    std::fs::write(dir.path().join("kong.yaml"), "_format_version: '3.0'\nservices:\n- name: s\n  host: h\n  plugins:\n  - name: cors\n    config: {max_age: 10}\n").unwrap();
    take_log(&e);
    let out = gateway(dir.path(), &e.url, &["sync"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("error: kong.yaml:6:5: plugins/cors (service s): config.origins: required field missing"), "{all}");
    assert!(all.contains("applied 0, failed 1, not attempted 1 (DB-less: POST /config refused, nothing changed)"), "{all}");
    assert_eq!(writes(&take_log(&e)), vec!["POST /config?flatten_errors=1&check_hash=1"]);
    assert_eq!(get_json(&e.url, "/services")["data"], serde_json::json!([]), "all or nothing");
    let json = gateway(dir.path(), &e.url, &["sync", "--output", "json"]);
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["errors"][0]["file"], "kong.yaml", "{doc}");
    assert_eq!(doc["errors"][0]["line"], 6, "{doc}");
    assert_eq!(doc["errors"][0]["message"], "plugins/cors (service s): config.origins: required field missing", "{doc}");
}

#[test]
fn validate_online_says_what_the_gateway_cannot_take() {
    let e = emulator(profile("3.9 wasm off"));
    let file = "testdata/sync/profiles/wasm.yaml";
    let out = gateway(&root(), &e.url, &["validate", "--online", file]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("error[S009]: filter_chains/chain: wasm is off on this gateway") && all.contains(&format!("{file}:7:5")), "{all}");
    assert!(writes(&take_log(&e)).iter().all(|w| w.contains("/validate")), "validate writes nothing");
}

#[test]
fn a_docs_page_rendered_and_piped_to_apply() {
    // Kong's how-tos pipe their entity_examples to `deck gateway apply`; here: render | apply -
    let page = root().join("../shared/corpus/docs/route-openai-sdk-to-azure-deployments.md");
    if !page.exists() {
        assert!(std::env::var_os("CI").is_none(), "../shared is missing, and CI must run this test");
        return;
    }
    let e = emulator(profile("Enterprise 3.10"));
    let key = "azure-key-never-printed-42";
    let rendered = common::admin::gateway_env(&root(), &e.url, &["render", page.to_str().unwrap()], &[("AZURE_OPENAI_KEY", key), ("AZURE_INSTANCE", "my-instance")]);
    assert!(rendered.status.success(), "{}", text(&rendered));
    let mut apply = std::process::Command::new(env!("CARGO_BIN_EXE_gateway"))
        .args(["apply", "-"])
        .env_clear()
        .env("NO_COLOR", "1")
        .env("GATEWAY_KONG_ADDR", &e.url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    apply.stdin.take().unwrap().write_all(&rendered.stdout).unwrap();
    let out = apply.wait_with_output().unwrap();
    let all = text(&out);
    assert!(out.status.success(), "{all}");
    assert!(all.contains("+ create routes/azure-chat-route") && all.contains("applied 3, failed 0"), "{all}");
    assert!(all.contains(r#""header_value":"[masked]""#) && !all.contains(key), "the key from the environment is masked: {all}");
    assert!(get_json(&e.url, "/plugins").to_string().contains(key), "and it reached the gateway");
}

#[test]
fn posting_the_configuration_a_dbless_gateway_runs_is_a_no_op() {
    // kong/api/routes/config.lua: with check_hash=1 Kong answers 304 when the md5 of the posted
    // text is the hash of what it runs; the client posts text, so a retried POST is harmless
    use gateway::admin::{config, Client, Connection};
    let e = emulator(profile("DB-less"));
    let client = Client::new(Connection {
        addr: e.url.clone(),
        headers: Vec::new(),
        workspace: None,
        tls_skip_verify: false,
        ca_cert: None,
        timeout: std::time::Duration::from_secs(10),
        rps_limit: None,
        retries: 0,
    })
    .unwrap();
    let doc = serde_json::json!({"_format_version": "3.0", "services": [{"id": "11111111-1111-4111-8111-111111111111", "name": "s", "host": "h"}]});
    assert!(matches!(config::post(&client, &doc).unwrap(), config::Posted::Loaded));
    assert!(matches!(config::post(&client, &doc).unwrap(), config::Posted::Unchanged));
    assert_eq!(config::get(&client).unwrap().unwrap()["services"][0]["name"], "s");
}

/// An expression route (`expression`, `priority`) exists only on a gateway with
/// `router_flavor = expressions` (kong/db/schema/entities/routes.lua adds the fields for that
/// flavor alone; elsewhere Kong answers "unknown field"). `diff` and `sync` read the flavor off
/// `GET /` and refuse before any write, naming the route, its place in the file and the flavor.
#[test]
fn expression_routes_are_refused_by_a_traditional_compatible_gateway_before_any_write() {
    let file = "testdata/sync/profiles/expressions.yaml";
    let e = emulator(&["--kong-version", "3.10.0"]);
    for cmd in ["sync", "diff"] {
        let out = gateway(&root(), &e.url, &[cmd, file]);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(1), "{cmd}: {all}");
        assert!(
            all.contains(&format!("{file}:8:5: routes/orders-v2 expression: 'expression' needs Kong's expressions router"))
                && all.contains(&format!("{file}:9:5: routes/orders-v2 priority: 'priority' needs Kong's expressions router")),
            "{cmd}: {all}"
        );
        assert!(all.contains("(this gateway's router_flavor is traditional_compatible)") && all.contains("nothing was written"), "{cmd}: {all}");
        let log = take_log(&e);
        assert!(writes(&log).is_empty(), "{cmd}: no write may be sent: {log:?}");
    }
    assert_eq!(get_json(&e.url, "/routes")["data"], serde_json::json!([]));
}

/// The same file on an expressions gateway (DB and DB-less): synced, diffed clean (the
/// `priority: 0` Kong fills into the classic route is no change), updated by `apply`.
#[test]
fn expression_routes_sync_diff_clean_and_apply_on_an_expressions_gateway() {
    let file = "testdata/sync/profiles/expressions.yaml";
    for flags in [&["--router-flavor", "expressions"][..], &["--router-flavor", "expressions", "--database", "off"]] {
        let e = emulator(flags);
        ok(gateway(&root(), &e.url, &["sync", file]));
        let route = get_json(&e.url, "/routes/orders-v2");
        assert_eq!((&route["expression"], &route["priority"]), (&serde_json::json!("http.path ^= \"/v2/orders\" && http.method == \"GET\""), &serde_json::json!(200)), "{flags:?}: {route}");
        assert_eq!(get_json(&e.url, "/routes/orders")["priority"], 0, "{flags:?}: Kong's default");
        take_log(&e);
        let diff = gateway(&root(), &e.url, &["diff", file, "--exit-code"]);
        assert_eq!(diff.status.code(), Some(0), "{flags:?}: {}", text(&diff));
        assert!(writes(&take_log(&e)).is_empty(), "{flags:?}");
        let changed = std::fs::read_to_string(root().join(file)).unwrap().replace("priority: 200", "priority: 300");
        let (dir, _) = config_file(&changed);
        let out = ok(gateway(dir.path(), &e.url, &["apply"]));
        assert!(out.contains("~ update routes/orders-v2") && out.contains("priority: 200 -> 300"), "{flags:?}: {out}");
        assert_eq!(get_json(&e.url, "/routes/orders-v2")["priority"], 300, "{flags:?}");
        assert_eq!(gateway(dir.path(), &e.url, &["diff", "--exit-code"]).status.code(), Some(0), "{flags:?}");
    }
}

/// An expression atc-router cannot parse is refused by an expressions gateway before any write,
/// with atc-router's message (kong/db/schema/entities/routes.lua `validate_route`: "Router
/// Expression failed validation: " and `router.validate`'s error) at the expression's value.
#[test]
fn an_unparsable_expression_is_refused_with_atc_routers_message_at_the_expression() {
    let file = "testdata/sync/profiles/expressions-unparsable.yaml";
    let e = emulator(&["--router-flavor", "expressions"]);
    for cmd in ["sync", "diff"] {
        let out = gateway(&root(), &e.url, &[cmd, file]);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(1), "{cmd}: {all}");
        assert!(all.contains(&format!("{file}:8:17: routes/orders-v2 expression: Router Expression failed validation:")), "{cmd}: {all}");
        // pest's report, as atc-router gives it: the column in the expression and what was expected
        assert!(all.contains(" --> 1:29") && all.contains("= expected term") && all.contains("(this gateway's router_flavor is expressions)"), "{cmd}: {all}");
        assert!(writes(&take_log(&e)).is_empty(), "{cmd}: no write may be sent");
    }
}

/// `validate --online` judges routes by the gateway's own router flavor, not the command
/// line's default: the expression routes are findings against traditional_compatible, valid
/// against expressions; an unparsable expression is R015 at the expression, not posted.
#[test]
fn validate_online_judges_routes_by_the_gateways_router_flavor() {
    let file = "testdata/sync/profiles/expressions.yaml";
    let compat = emulator(&["--kong-version", "3.10.0"]);
    let out = gateway(&root(), &compat.url, &["validate", "--online", file]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("error[R013]: 'expression' needs Kong's expressions router") && all.contains(&format!("{file}:8:5")), "{all}");
    assert!(all.contains("(this gateway's router_flavor is traditional_compatible)"), "{all}");

    let expr = emulator(&["--router-flavor", "expressions"]);
    let out = gateway(&root(), &expr.url, &["validate", "--online", file]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let log = take_log(&expr);
    assert_eq!(log.iter().filter(|l| *l == "POST /schemas/routes/validate").count(), 2, "both routes posted: {log:?}");

    let bad = "testdata/sync/profiles/expressions-unparsable.yaml";
    let out = gateway(&root(), &expr.url, &["validate", "--online", bad]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("error[R015]: Router Expression failed validation:") && all.contains(&format!("{bad}:8:17")) && all.contains("(this gateway's router_flavor is expressions)"), "{all}");
    assert!(!take_log(&expr).iter().any(|l| l.starts_with("POST /schemas/routes")), "a route refused for the flavor is not posted too");
}
