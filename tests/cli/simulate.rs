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

/// `simulate --output json` with a body: the body each provider's driver sends upstream.
fn simulate_json(dir: &std::path::Path, args: &[&str], body: &str) -> serde_json::Value {
    std::fs::write(dir.join("body.json"), body).unwrap();
    let mut all = vec!["simulate", "-X", "POST", "--output", "json", "--body", "body.json"];
    all.extend(args);
    let run = gateway(dir, &all, &[]);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr))
}

fn provider_dir(provider: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let cfg = crate::support::root().join(format!("testdata/ai_proxy/providers/{provider}.yaml"));
    std::fs::copy(cfg, dir.path().join("kong.yaml")).unwrap();
    dir
}

// kong/llm/drivers/{openai,anthropic,cohere,gemini,bedrock,huggingface}.lua to_format, via
// ai_proxy::request (tests/ai_proxy_bodies.rs checks every driver in detail)
#[test]
fn upstream_body_is_the_drivers_body() {
    let chat = r#"{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]}"#;
    let cases: &[(&str, &str, serde_json::Value)] = &[
        ("openai", "/max_tokens", 512.into()),
        ("openai", "/messages/0/role", "system".into()),
        ("anthropic", "/system", "be brief".into()),
        ("anthropic", "/messages/0/content", "hi".into()),
        ("cohere", "/message", "hi".into()),
        ("gemini", "/systemInstruction/parts/0/text", "be brief".into()),
        ("gemini", "/generationConfig/maxOutputTokens", 256.into()),
        ("bedrock", "/system/0/text", "be brief".into()),
        ("llama2", "/model", "llama3".into()),
        ("huggingface", "/options/wait_for_model", true.into()),
    ];
    for (provider, pointer, want) in cases {
        let dir = provider_dir(provider);
        let v = simulate_json(dir.path(), &["--path", "/chat"], chat);
        assert_eq!(v["status"], 200, "{provider}: {v}");
        assert_eq!(v["upstream"]["body"].pointer(pointer), Some(want), "{provider} {pointer}: {v}");
    }
    let dir = provider_dir("anthropic");
    let v = simulate_json(dir.path(), &["--path", "/completions"], r#"{"prompt":"hi"}"#);
    assert_eq!(v["upstream"]["body"]["prompt"], "Human: hi\n\nAssistant:", "{v}");
    // no body given: nothing to show
    let run = gateway(dir.path(), &["simulate", "-X", "POST", "--path", "/chat", "--output", "json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(v["upstream"]["body"].is_null(), "{v}");
    assert!(v["warnings"][0].as_str().unwrap().contains("no request body given"), "{v}");
}

// kong/llm/init.lua is_compatible and kong/llm/drivers/gemini.lua (no completions transformer)
#[test]
fn kongs_400s_come_from_the_drivers() {
    let dir = provider_dir("openai");
    let v = simulate_json(dir.path(), &["--path", "/chat"], r#"{"prompt":"hi"}"#);
    assert_eq!((v["status"].as_u64(), v["error"]["message"].as_str()), (Some(400), Some("[llm/v1/completions] message format is not compatible with [llm/v1/chat] route type")));
    assert!(v["upstream"].is_null());
    let dir = provider_dir("gemini");
    let v = simulate_json(dir.path(), &["--path", "/completions"], r#"{"prompt":"hi"}"#);
    assert_eq!((v["status"].as_u64(), v["error"]["message"].as_str()), (Some(400), Some("no transformer for gemini://llm/v1/completions")));
    let run = gateway(dir.path(), &["simulate", "-X", "POST", "--path", "/completions", "--body", "body.json"], &[]);
    assert_eq!(run.code, 3);
    assert!(run.stdout.contains(r#"response:  400 {"error":{"message":"no transformer for gemini://llm/v1/completions"}}"#), "{}", run.stdout);
}

// kong/llm/drivers/gemini.lua and bedrock.lua configure_request: the streaming operation
#[test]
fn streaming_changes_the_operation() {
    let body = r#"{"model":"m1","messages":[{"role":"user","content":"hi"}]}"#;
    for (provider, url) in [
        ("gemini", "https://generativelanguage.googleapis.com/v1beta/models/m1:streamGenerateContent"),
        ("bedrock", "https://bedrock-runtime.us-east-1.amazonaws.com/model/m1/converse-stream"),
    ] {
        let dir = provider_dir(provider);
        // the route sets response_streaming: always
        let v = simulate_json(dir.path(), &["--path", "/body-model"], body);
        assert_eq!(v["ai"]["stream"], true, "{v}");
        assert_eq!(v["upstream"]["url"], url, "{v}");
        assert!(v["ai"]["stream_plan"]["upstream"].as_str().unwrap().contains("operation"), "{v}");
        let run = gateway(dir.path(), &["simulate", "-X", "POST", "--path", "/body-model", "--body", "body.json"], &[]);
        assert!(run.stdout.contains("stream:    yes: the URL operation becomes"), "{}", run.stdout);
    }
    // the body asks for it: same URL, `stream: true` in the body
    let dir = provider_dir("openai");
    let v = simulate_json(dir.path(), &["--path", "/chat"], r#"{"stream":true,"messages":[{"role":"user","content":"hi"}]}"#);
    assert_eq!((v["ai"]["stream"].as_bool(), v["upstream"]["body"]["stream"].as_bool()), (Some(true), Some(true)), "{v}");
    assert_eq!(v["upstream"]["url"], "https://api.openai.com/v1/chat/completions");
    let v = simulate_json(dir.path(), &["--path", "/chat"], r#"{"messages":[{"role":"user","content":"hi"}]}"#);
    assert!(v["ai"]["stream_plan"].is_null(), "{v}");
}

// Kong commit 41688fe4 (Gateway 3.10.0.3 / 3.11): every placeholder of upstream_path
#[test]
fn upstream_path_with_several_placeholders() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kong.yaml"),
        r#"_format_version: "3.0"
services:
  - name: llm
    url: http://llm.internal
    routes:
      - name: tenant-chat
        paths: ["~/t/(?<org>[a-z]+)/chat$"]
        plugins:
          - name: ai-proxy
            config:
              route_type: llm/v1/chat
              model:
                provider: openai
                name: gpt-4o
                options:
                  upstream_path: "/v1/orgs/$(uri_captures.org)/teams/$(headers.x-team)/chat/completions"
"#,
    )
    .unwrap();
    let v = simulate_json(dir.path(), &["--path", "/t/acme/chat", "-H", "X-Team: blue"], r#"{"messages":[{"role":"user","content":"hi"}]}"#);
    assert_eq!(v["upstream"]["url"], "https://api.openai.com/v1/orgs/acme/teams/blue/chat/completions", "{v}");
    let notes = v["ai"]["notes"].to_string();
    assert!(notes.contains("model.options.upstream_path has several $(...) placeholders") && notes.contains("41688fe4"), "{v}");
    let run = gateway(dir.path(), &["simulate", "-X", "POST", "--path", "/t/acme/chat", "-H", "X-Team: blue"], &[]);
    assert!(run.stdout.contains("note:      model.options.upstream_path has several"), "{}", run.stdout);
    // the second placeholder's value is missing: Kong's 400 names it
    let v = simulate_json(dir.path(), &["--path", "/t/acme/chat"], r#"{"messages":[{"role":"user","content":"hi"}]}"#);
    assert_eq!((v["status"].as_u64(), v["error"]["message"].as_str()), (Some(400), Some("headers key x-team was not provided")));
}

// kong/llm/drivers/shared.lua override_upstream_url: preserve keeps the request's path,
// upstream_url gives only scheme, host and port
#[test]
fn preserve_with_upstream_url_keeps_the_request_path() {
    for provider in ["openai", "azure", "anthropic", "mistral"] {
        let dir = provider_dir(provider);
        let v = simulate_json(dir.path(), &["--path", "/preserve/v1/files?purpose=batch"], r#"{"anything":"goes"}"#);
        assert_eq!(v["status"], 200, "{v}");
        assert_eq!(v["upstream"]["path"], "/preserve/v1/files", "{provider}: {v}");
        assert!(v["upstream"]["url"].as_str().unwrap().starts_with(&format!("http://{provider}.internal:8080/preserve/v1/files?")), "{provider}: {v}");
        // the body goes upstream as the client sent it
        assert_eq!(v["upstream"]["body"], serde_json::json!({"anything": "goes"}), "{v}");
    }
}

#[test]
fn text_output_shows_the_whole_body_when_piped() {
    let dir = provider_dir("openai");
    let messages: Vec<String> = (0..40).map(|i| format!(r#"{{"role":"user","content":"m{i}"}}"#)).collect();
    std::fs::write(dir.path().join("body.json"), format!(r#"{{"messages":[{}]}}"#, messages.join(","))).unwrap();
    let run = gateway(dir.path(), &["simulate", "-X", "POST", "--path", "/chat", "--body", "body.json"], &[]);
    assert!(run.stdout.contains("body:      {\n"), "{}", run.stdout);
    assert!(run.stdout.contains(r#""content": "m39""#) && !run.stdout.contains("more lines"), "{}", run.stdout);
}

/// `gateway test`: `upstream_body` expectations (paths into the driver's body, values as
/// subsets), and a failed status shows Kong's answer.
#[test]
fn route_tests_check_the_upstream_body_and_show_kongs_answer() {
    let dir = provider_dir("anthropic");
    std::fs::write(
        dir.path().join("t.yaml"),
        r#"config: [kong.yaml]
defaults: {method: POST, headers: {Content-Type: application/json}}
tests:
  - name: anthropic's body
    request: {path: /chat, body: {messages: [{role: system, content: be brief}, {role: user, content: hi}]}}
    expect:
      status: 200
      upstream_body: {max_tokens: 512, system: be brief, messages.0.role: user, messages: [{content: hi}]}
  - name: wrong body expectations
    request: {path: /chat, body: {messages: [{role: user, content: hi}]}}
    expect: {upstream_body: {max_tokens: 100, messages.0.role: system, temperature: 1, messages: [{}, {}]}}
  - name: refused
    request: {path: /chat, body: {model: other, messages: [{role: user, content: hi}]}}
    expect: {status: 200, upstream_body: {max_tokens: 512}}
  - name: no body, none upstream
    request: {path: /chat}
    expect: {status: 200, upstream_body: null}
"#,
    )
    .unwrap();
    let run = gateway(dir.path(), &["test", "t.yaml"], &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for line in [
        "ok   anthropic's body (line 4)",
        "upstream_body.max_tokens: expected 100, got 512",
        r#"upstream_body.messages.0.role: expected "system", got "user""#,
        "upstream_body.temperature: expected 1, got none",
        r#"upstream_body.messages: expected [{},{}], got [{"role":"user","content":"hi"}]"#,
        r#"status: expected 200, got 400 (Kong answers {"error":{"message":"cannot use own model - must be: claude-sonnet-4"}})"#,
        "upstream_body.max_tokens: expected 512, got none (Kong answers 400)",
        "ok   no body, none upstream (line 15)",
        "2 passed, 2 failed",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }
    std::fs::write(dir.path().join("bad.yaml"), "config: [kong.yaml]\ntests:\n  - name: x\n    request: {path: /chat}\n    expect: {upstream_body: 5}\n").unwrap();
    let run = gateway(dir.path(), &["test", "bad.yaml"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("bad.yaml:5:29: x: `upstream_body` is a map of body paths to values"), "{}", run.stderr);
}
