//! Secrets in `diff` and `sync` output against the Kong Admin API emulator
//! (examples/kong_admin_emulator/): fields Kong's schema marks encrypted are `[masked]`
//! wherever they sit (also inside arrays, also on create), in text, JSON and Kong's error
//! messages; `--show-secrets` shows them. Multi-line strings are diffed line by line.

mod common;

use common::admin::{gateway, ok, text};
use std::path::Path;

/// A literal `config.targets[].auth.header_value` of ai-proxy-advanced: Kong Enterprise's
/// ai-proxy-advanced takes the `auth` record of kong/llm/schemas/init.lua, where
/// `header_value` is `encrypted = true` (bundled from the Kong 3.15 JSON schemas).
const HEADER: &str = "literal-header-value-1234";
const HEADER_V2: &str = "literal-header-value-9999";
/// A key-auth credential's `key` (a credential by the kinds table, model/kinds.rs).
const KEY: &str = "alex-keyauth-literal-5678";

fn emulator() -> common::Running {
    common::admin::emulator(&["--enterprise"])
}

fn ai_config(header_value: &str, lua_b: u8) -> String {
    format!(
        "_format_version: '3.0'
services:
- name: llm
  host: example.com
  routes:
  - name: chat
    paths: [/chat]
    plugins:
    - name: ai-proxy-advanced
      config:
        targets:
        - route_type: llm/v1/chat
          auth: {{header_name: api-key, header_value: {header_value}}}
          model: {{provider: openai, name: gpt-4o}}
    - name: pre-function
      config:
        access:
        - |
          local a = 1
          local b = {lua_b}
          kong.log.info(a + b)
"
    )
}

fn write(dir: &Path, name: &str, body: &str) {
    std::fs::write(dir.join(name), body).unwrap();
}

#[test]
fn encrypted_fields_inside_arrays_never_print_unless_asked() {
    let e = emulator();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "v1.yaml", &ai_config(HEADER, 2));
    write(d, "v2.yaml", &ai_config(HEADER_V2, 3));
    let mut all = String::new();
    // create: the whole targets array is shown, the header value inside it masked
    let diff = ok(gateway(d, &e.url, &["diff", "v1.yaml"]));
    assert!(diff.contains(r#""header_name":"api-key","header_value":"[masked]""#), "{diff}");
    all.push_str(&diff);
    let json: serde_json::Value = serde_json::from_str(&ok(gateway(d, &e.url, &["diff", "v1.yaml", "--output", "json"]))).unwrap();
    let plugin = json["changes"].as_array().unwrap().iter().find(|c| c["name"] == "plugins/ai-proxy-advanced (route chat)").unwrap();
    assert_eq!(plugin["fields"]["config.targets"]["new"][0]["auth"]["header_value"], "[masked]");
    all.push_str(&json.to_string());
    let sync = ok(gateway(d, &e.url, &["sync", "v1.yaml"]));
    assert!(sync.contains("applied 4, failed 0"), "{sync}");
    all.push_str(&sync);
    // update: the header value on its own, and the sync's JSON
    let diff = ok(gateway(d, &e.url, &["diff", "v2.yaml"]));
    assert!(diff.contains(r#"config.targets[0].auth.header_value: "[masked]" -> "[masked]""#), "{diff}");
    all.push_str(&diff);
    all.push_str(&ok(gateway(d, &e.url, &["diff", "v2.yaml", "--output", "json"])));
    all.push_str(&ok(gateway(d, &e.url, &["sync", "v1.yaml", "--output", "json"])));
    all.push_str(&text(&gateway(d, &e.url, &["sync", "v2.yaml", "--output", "json"])));
    all.push_str(&text(&gateway(d, &e.url, &["sync", "v1.yaml", "--dry-run"])));
    assert!(all.contains("[masked]"));
    for secret in [HEADER, HEADER_V2] {
        assert!(!all.contains(secret), "{secret} printed:\n{all}");
    }
    // the real value did reach the gateway
    assert!(common::admin::http(&e.url, "GET", "/plugins").contains(HEADER_V2));
    // --show-secrets is the one way to see them
    let shown = ok(gateway(d, &e.url, &["diff", "v1.yaml", "--show-secrets"]));
    assert!(shown.contains(&format!(r#"config.targets[0].auth.header_value: "{HEADER_V2}" -> "{HEADER}""#)), "{shown}");
    let shown = ok(gateway(d, &e.url, &["diff", "v1.yaml", "--show-secrets", "--output", "json"]));
    assert!(shown.contains(HEADER) && shown.contains(HEADER_V2), "{shown}");
}

#[test]
fn errors_about_a_secret_are_masked_too() {
    let e = emulator();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "alex.yaml", &format!("_format_version: '3.0'\nconsumers:\n- username: alex\n  keyauth_credentials:\n  - key: {KEY}\n"));
    // under its own tag, bob's credential cannot see alex's: Kong would answer 409 with the
    // key in its message (UNIQUE violation detected on '{key="..."}'); the plan finds the
    // conflict first and names the key, masked
    write(d, "bob.yaml", &format!("_format_version: '3.0'\n_info: {{select_tags: [team-b]}}\nconsumers:\n- username: bob\n  keyauth_credentials:\n  - key: {KEY}\n"));
    ok(gateway(d, &e.url, &["sync", "alex.yaml"]));
    let mut all = String::new();
    for output in ["text", "json"] {
        let failed = gateway(d, &e.url, &["sync", "bob.yaml", "--output", output]);
        assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
        assert!(text(&failed).contains("the gateway already has key '[masked]'"), "{}", text(&failed));
        all.push_str(&text(&failed));
    }
    assert!(!all.contains(KEY), "{all}");
    let shown = gateway(d, &e.url, &["sync", "bob.yaml", "--show-secrets"]);
    assert!(text(&shown).contains(&format!("the gateway already has key '{KEY}'")), "{}", text(&shown));
}

#[test]
fn multi_line_strings_are_diffed_line_by_line() {
    let e = emulator();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // certificates: `cert` is in clear, `key` is `encrypted = true` in
    // kong/db/schema/entities/certificates.lua (and a credential in the kinds table)
    let cert = |line: &str, key: &str| {
        format!(
            "_format_version: '3.0'\n_info: {{select_tags: [pem]}}\ncertificates:\n- id: 0b7c1a52-3c58-4b8e-9b4e-2f1d7f3a9c10\n  cert: |\n    -----BEGIN CERTIFICATE-----\n    MIIBcertLINEone\n    {line}\n    -----END CERTIFICATE-----\n  key: |\n    -----BEGIN PRIVATE KEY-----\n    {key}\n    -----END PRIVATE KEY-----\n"
        )
    };
    write(d, "c1.yaml", &cert("MIIBcertLINEtwo", "MIIEprivateKEYline1"));
    write(d, "c2.yaml", &cert("MIIBcertLINEtwoRENEWED", "MIIEprivateKEYline2"));
    write(d, "lua1.yaml", &ai_config(HEADER, 2).replace("services:", "_info: {select_tags: [lua]}\nservices:"));
    write(d, "lua2.yaml", &ai_config(HEADER, 3).replace("services:", "_info: {select_tags: [lua]}\nservices:"));
    ok(gateway(d, &e.url, &["sync", "lua1.yaml"]));
    let lua = ok(gateway(d, &e.url, &["diff", "lua2.yaml"]));
    assert_eq!(
        lua,
        "~ update plugins/pre-function (route chat)
    config.access[0]:
      @@ -1,3 +1,3 @@
       local a = 1
      -local b = 2
      +local b = 3
       kong.log.info(a + b)
0 to create, 1 to update, 0 to delete
"
    );
    ok(gateway(d, &e.url, &["sync", "c1.yaml"]));
    let pem = ok(gateway(d, &e.url, &["diff", "c2.yaml"]));
    assert_eq!(
        pem,
        "~ update certificates/0b7c1a52-3c58-4b8e-9b4e-2f1d7f3a9c10
    cert:
      @@ -1,4 +1,4 @@
       -----BEGIN CERTIFICATE-----
       MIIBcertLINEone
      -MIIBcertLINEtwo
      +MIIBcertLINEtwoRENEWED
       -----END CERTIFICATE-----
    key: \"[masked]\" -> \"[masked]\"
0 to create, 1 to update, 0 to delete
"
    );
    assert!(!pem.contains("KEYline"), "never a secret's lines");
    // JSON keeps both values whole
    let json: serde_json::Value = serde_json::from_str(&ok(gateway(d, &e.url, &["diff", "c2.yaml", "--output", "json"]))).unwrap();
    let fields = &json["changes"][0]["fields"];
    assert_eq!(fields["cert"]["new"], "-----BEGIN CERTIFICATE-----\nMIIBcertLINEone\nMIIBcertLINEtwoRENEWED\n-----END CERTIFICATE-----\n");
    assert_eq!(fields["key"], serde_json::json!({"old": "[masked]", "new": "[masked]"}));
}
