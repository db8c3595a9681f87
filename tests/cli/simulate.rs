//! `gateway simulate` and `gateway test` end to end (the real binary).

use crate::support::{gateway, gateway_in_root};

const AZURE: &str = "testdata/azure/kong.yaml";
const CHAT: &str = "/openai/deployments/gpt-4o/chat/completions?api-version=2025-01-01-preview";

#[test]
fn azure_example_text() {
    let run = gateway_in_root(&["simulate", AZURE, "--method", "POST", "--path", CHAT], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn azure_example_json_schema() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body.json");
    std::fs::write(&body, r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#).unwrap();
    let run = gateway_in_root(
        &["simulate", AZURE, "-X", "POST", "--path", CHAT, "--body", body.to_str().unwrap(), "--output", "json", "--header", "api-key: client"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["status", "route", "service", "uri_captures", "strip_prefix", "upstream", "plugins", "ai", "error", "warnings"]);
    assert_eq!(v["status"], 200);
    assert_eq!(v["uri_captures"]["azure_deployment"], "gpt-4o");
    assert_eq!(v["upstream"]["url"], "https://my-azure-instance.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2025-01-01-preview");
    assert_eq!(v["upstream"]["path"], "/openai/deployments/gpt-4o/chat/completions");
    assert_eq!(v["upstream"]["host_header"], "my-azure-instance.openai.azure.com");
    assert_eq!(v["upstream"]["headers"]["api-key"], "[masked]");
    assert_eq!(v["ai"]["model"], "gpt-4o");
    assert_eq!(v["ai"]["targets"][0]["share"], 1.0);
    insta::assert_json_snapshot!(v, { ".ai.targets[].upstream_url" => "[url]" });
}

#[test]
fn kong_answers_are_exit_3() {
    let run = gateway_in_root(&["simulate", AZURE, "--path", CHAT], &[]);
    assert_eq!(run.code, 3, "GET does not match a POST-only route");
    assert!(run.stdout.contains("Kong answers 404"), "{}", run.stdout);
    assert!(run.stdout.contains(r#"{"message":"no Route matched with those values"}"#));
}

#[test]
fn missing_capture_gives_kongs_runtime_400_and_a_warning() {
    let run = gateway_in_root(
        &["simulate", "testdata/deck/invalid/undefined-uri-capture.yaml", "-X", "POST", "--path", "/openai/deployments/gpt-4o/chat/completions", "--output", "json"],
        &[],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["status"], 400);
    assert_eq!(v["error"]["message"], "uri_captures key deployment was not provided");
    assert!(v["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("[T001]")), "{v}");
}

#[test]
fn a_config_kong_refuses_is_not_simulated() {
    let run = gateway_in_root(&["simulate", "testdata/deck/invalid/route-regex.yaml", "--path", "/"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("Kong would refuse this config"), "{}", run.stderr);
}

#[test]
fn show_secrets_only_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = std::fs::read_to_string(crate::support::root().join("testdata/deck/valid/env-templates.yaml")).unwrap();
    std::fs::write(dir.path().join("kong.yaml"), cfg).unwrap();
    let env = [("DECK_AZURE_OPENAI_KEY", "sk-azure-secret-42"), ("DECK_AZURE_INSTANCE", "inst")];
    let masked = gateway(dir.path(), &["simulate", "-X", "POST", "--path", CHAT, "--output", "json"], &env);
    assert_eq!(masked.code, 0, "{}", masked.stderr);
    assert!(!masked.stdout.contains("sk-azure-secret-42") && masked.stdout.contains("[masked]"));
    let shown = gateway(dir.path(), &["simulate", "-X", "POST", "--path", CHAT, "--show-secrets"], &env);
    assert!(shown.stdout.contains("api-key: sk-azure-secret-42"), "{}", shown.stdout);
}

#[test]
fn simulate_needs_env_like_render() {
    let run = gateway_in_root(&["simulate", "testdata/deck/valid/env-templates.yaml", "-X", "POST", "--path", CHAT], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("DECK_AZURE_OPENAI_KEY"), "{}", run.stderr);
}

#[test]
fn formulas_disagree_warning() {
    let dir = tempfile::tempdir().unwrap();
    // Kong/kong#14457 (kong-router.md §1.4): regex_priority 2 shares the header-count bit
    std::fs::write(
        dir.path().join("kong.yaml"),
        r#"_format_version: "3.0"
services:
  - name: hooks
    url: http://hooks.internal
    routes:
      - name: generic
        paths: ["~/webhook/([a-zA-Z0-9-]+)"]
        headers: {Environment-Region: [production-us]}
        regex_priority: 1
      - name: specific
        paths: ["~/(?i)webhook/foo/bar/?$"]
        headers: {Environment-Region: [production-us]}
        regex_priority: 2
"#,
    )
    .unwrap();
    let args = ["simulate", "--path", "/webhook/foo/bar", "-H", "Environment-Region: production-us", "--output", "json"];
    let eff = gateway(dir.path(), &args, &[]);
    let v: serde_json::Value = serde_json::from_str(&eff.stdout).unwrap();
    assert_eq!(v["route"]["name"], "generic");
    assert!(v["warnings"][0].as_str().unwrap().contains("documented priority formula picks routes/specific"), "{v}");
    let mut doc_args = args.to_vec();
    doc_args.extend(["--priority", "documented"]);
    let doc = gateway(dir.path(), &doc_args, &[]);
    let v: serde_json::Value = serde_json::from_str(&doc.stdout).unwrap();
    assert_eq!(v["route"]["name"], "specific");
}

#[test]
fn route_tests_for_the_azure_how_to() {
    let run = gateway_in_root(&["test", "testdata/azure/tests.yaml", "--coverage"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn route_tests_report_failures_and_junit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(crate::support::root().join(AZURE), dir.path().join("kong.yaml")).unwrap();
    std::fs::write(
        dir.path().join("t.yaml"),
        "config: [kong.yaml]\ntests:\n  - name: wrong expectation\n    request: {method: POST, path: /openai/deployments/a/chat/completions}\n    expect: {route: other-route}\n  - name: right\n    request: {method: POST, path: /nowhere}\n    expect: {route: null}\n",
    )
    .unwrap();
    let run = gateway(dir.path(), &["test", "t.yaml"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("route: expected other-route, got azure-chat-route"), "{}", run.stdout);
    assert!(run.stdout.contains("1 passed, 1 failed"));
    let junit = gateway(dir.path(), &["test", "t.yaml", "--output", "junit"], &[]);
    assert!(junit.stdout.contains(r#"<testsuite name="t.yaml" tests="2" failures="1">"#), "{}", junit.stdout);
    assert!(junit.stdout.contains("<failure message=\"route: expected other-route, got azure-chat-route\">"));
    let cov = gateway(dir.path(), &["test", "t.yaml", "--fail-under", "100"], &[]);
    assert_eq!(cov.code, 1);
}

#[test]
fn route_test_table_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.yaml"), "config: [kong.yaml]\ntests:\n  - name: x\n    request: {paht: /}\n").unwrap();
    let run = gateway(dir.path(), &["test", "t.yaml"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("t.yaml:4:15: x: unknown request field `paht`"), "{}", run.stderr);
}

#[test]
fn ai_proxy_spec_cases() {
    let run = gateway_in_root(&["test", "testdata/ai_proxy/tests.yaml", "--coverage", "--fail-under", "100"], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.ends_with("14 passed, 0 failed\n"), "{}", run.stdout);
}

#[test]
fn https_only_routes_over_http() {
    // kong-router.md §6.6: 426 "Please use HTTPS protocol", or a redirect per https_redirect_status_code
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kong.yaml"),
        "_format_version: \"3.0\"\nservices:\n- name: s\n  host: h\n  routes:\n  - name: secure\n    protocols: [https]\n    paths: [/secure]\n  - name: moved\n    protocols: [https]\n    https_redirect_status_code: 301\n    paths: [/moved]\n",
    )
    .unwrap();
    let run = gateway(dir.path(), &["simulate", "--path", "/secure", "--host", "api.example.com", "--output", "json"], &[]);
    assert_eq!(run.code, 3);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((v["status"].as_u64(), v["error"]["message"].as_str()), (Some(426), Some("Please use HTTPS protocol")));
    let run = gateway(dir.path(), &["simulate", "--path", "/moved?x=1", "--host", "api.example.com:8000", "--output", "json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((v["status"].as_u64(), v["error"]["message"].as_str()), (Some(301), Some("redirect to https://api.example.com/moved?x=1")));
    let ok = gateway(dir.path(), &["simulate", "--path", "/secure", "--scheme", "https"], &[]);
    assert_eq!(ok.code, 0, "{}", ok.stdout);
}

/// A config whose one route needs `x-tenant: a` (the first of two values in the tests below).
const TENANT_ROUTE: &str = r#"_format_version: "3.0"
services:
  - name: tenants
    url: http://tenants.internal
    routes:
      - name: tenant-a
        paths: [/t]
        headers: {x-tenant: [a]}
"#;

/// A header given twice in a row of a test table, in two cases, is one header with two values
/// (RFC 9110 §5.2, §5.3); Kong's router matches any of them (kong/router/atc.lua adds every
/// value of a repeated header). A name the row sets still replaces the defaults' values.
#[test]
fn route_test_header_repeated_in_two_cases_keeps_both_values() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kong.yaml"), TENANT_ROUTE).unwrap();
    std::fs::write(
        dir.path().join("t.yaml"),
        "config: [kong.yaml]\ndefaults:\n  headers: {x-tenant: a}\ntests:\n  - name: both values\n    request: {path: /t, headers: {x-tenant: a, X-Tenant: b}}\n    expect: {route: tenant-a}\n  - name: the row replaces the default\n    request: {path: /t, headers: {X-TENANT: b}}\n    expect: {no_match: true}\n  - name: the default alone\n    request: {path: /t}\n    expect: {route: tenant-a}\n",
    )
    .unwrap();
    let run = gateway(dir.path(), &["test", "t.yaml"], &[]);
    assert_eq!(run.stdout, "ok   both values (line 5)\nok   the row replaces the default (line 8)\nok   the default alone (line 11)\n3 passed, 0 failed\n", "{}", run.stderr);
    assert_eq!(run.code, 0);
}

#[test]
fn simulate_header_repeated_in_two_cases_keeps_both_values() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kong.yaml"), TENANT_ROUTE).unwrap();
    let args = ["simulate", "kong.yaml", "--path", "/t", "--header", "X-Tenant: b", "--header", "x-tenant: a", "--output", "json"];
    let run = gateway(dir.path(), &args, &[]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["route"]["name"], "tenant-a", "{}", run.stdout);
    // forwarded upstream as one header, values in the order sent
    assert_eq!(v["upstream"]["headers"]["X-Tenant"], "b, a", "{}", run.stdout);
    assert!(v["upstream"]["headers"].get("x-tenant").is_none(), "{}", run.stdout);
}

/// `gateway test` writes a JSON document that parses, with one result per case in table
/// order, and JUnit counts that match its testcases, also when cases fail.
#[test]
fn route_test_documents_stay_whole() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kong.yaml"), TENANT_ROUTE).unwrap();
    let rows: String = (0..300).map(|i| format!("  - name: row {i}\n    request: {{path: /t, headers: {{x-tenant: {}}}}}\n    expect: {{route: tenant-a}}\n", if i % 3 == 0 { "b" } else { "a" })).collect();
    std::fs::write(dir.path().join("t.yaml"), format!("config: [kong.yaml]\ntests:\n{rows}")).unwrap();
    let run = gateway(dir.path(), &["test", "t.yaml", "--output", "json"], &[]);
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((v["passed"].as_u64(), v["failed"].as_u64()), (Some(200), Some(100)));
    let names: Vec<&str> = v["results"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, (0..300).map(|i| format!("row {i}")).collect::<Vec<_>>());
    assert_eq!(v["errors"].as_array().unwrap().len(), 100);
    let junit = gateway(dir.path(), &["test", "t.yaml", "--output", "junit"], &[]);
    assert!(junit.stdout.contains(r#"<testsuite name="t.yaml" tests="300" failures="100">"#), "{}", junit.stdout);
    assert_eq!(junit.stdout.matches("<testcase ").count(), 300);
    assert_eq!(junit.stdout.matches("<failure ").count(), 100);
    assert!(junit.stdout.ends_with("</testsuites>\n"));
}
