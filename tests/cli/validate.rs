//! `gateway validate` end to end: whole output snapshots and exit codes.

use crate::support::gateway_in_root;

#[test]
fn azure_example_is_valid() {
    let run = gateway_in_root(
        &["validate", "testdata/azure/kong.yaml"],
        &[("DECK_AZURE_OPENAI_KEY", "k-123456"), ("DECK_AZURE_INSTANCE", "my-instance")],
    );
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn unset_env_is_a_warning_and_strict_makes_it_an_error() {
    let run = gateway_in_root(&["validate", "testdata/deck/valid/env-templates.yaml"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let strict = gateway_in_root(&["validate", "--strict", "testdata/deck/valid/env-templates.yaml"], &[]);
    assert_eq!(strict.code, 1);
    insta::assert_snapshot!(strict.transcript());
}

#[test]
fn undefined_capture_text() {
    let run = gateway_in_root(&["validate", "testdata/deck/invalid/undefined-uri-capture.yaml"], &[]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn undefined_capture_json() {
    let run = gateway_in_root(&["validate", "--output", "json", "testdata/deck/invalid/undefined-uri-capture.yaml"], &[]);
    assert_eq!(run.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout even when invalid");
    assert_eq!(doc["valid"], false);
    insta::assert_json_snapshot!(doc);
}

#[test]
fn schema_findings_text() {
    let run = gateway_in_root(&["validate", "testdata/deck/invalid/schema.yaml"], &[]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn secrets_never_appear_in_findings() {
    let secret = "sk-very-secret-value-123";
    let run = gateway_in_root(
        &["validate", "--output", "json", "testdata/deck/valid/env-templates.yaml"],
        &[("DECK_AZURE_OPENAI_KEY", secret), ("DECK_AZURE_INSTANCE", "inst")],
    );
    assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
    let literal = gateway_in_root(&["validate", "testdata/deck/invalid/secrets.yaml"], &[]);
    assert!(literal.stderr.contains("[masked]"), "{}", literal.stderr);
    assert!(!literal.stderr.contains("sk-literal-secret"), "{}", literal.stderr);
}

#[test]
fn several_files_merge_like_deck() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), "_format_version: \"3.0\"\nservices:\n- name: s\n  host: example.com\n").unwrap();
    std::fs::write(dir.path().join("b.yaml"), "_format_version: \"3.0\"\nroutes:\n- name: r\n  service: s\n  paths: [/r]\n").unwrap();
    let run = crate::support::gateway(dir.path(), &["validate", "a.yaml", "b.yaml"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let alone = crate::support::gateway(dir.path(), &["validate", "b.yaml"], &[]);
    assert_eq!(alone.code, 1);
    assert!(alone.stderr.contains("service 's' is not defined"), "{}", alone.stderr);
}

#[test]
fn explain_prints_rule_docs() {
    let run = gateway_in_root(&["explain", "T001"], &[]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("T001 undefined-uri-capture"));
    let list = gateway_in_root(&["explain"], &[]);
    assert_eq!(list.stdout.lines().count(), gateway::rules::ALL.len());
    assert_eq!(gateway_in_root(&["explain", "nope"], &[]).code, 1);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(gateway_in_root(&["validate"], &[]).code, 2);
    assert_eq!(gateway_in_root(&["frobnicate"], &[]).code, 2);
}

#[test]
fn help_texts() {
    for (name, args) in [("top", vec!["--help"]), ("simulate", vec!["simulate", "--help"]), ("sync", vec!["sync", "--help"])] {
        let run = gateway_in_root(&args, &[]);
        assert_eq!(run.code, 0);
        insta::assert_snapshot!(format!("help_{name}"), run.stdout);
    }
}

/// A plugin Kong does not bundle is refused as Kong refuses it ("plugin 'x' not enabled",
/// kong/db/schema/entities/plugins.lua), labelled as Kong's verdict; declared with
/// `--plugin-schemas` (Kong's `GET /schemas/plugins/{name}` answer, admin-api.md §7) it is
/// known and its config is checked against that schema.
#[test]
fn custom_plugins_are_refused_until_declared_with_their_schema() {
    use crate::support::gateway;
    let dir = tempfile::tempdir().unwrap();
    let config = "_format_version: \"3.0\"\nplugins:\n- name: set-header\n  config:\n    header: X-Team\n    valu: a\n";
    std::fs::write(dir.path().join("kong.yaml"), config).unwrap();
    let run = gateway(dir.path(), &["validate", "kong.yaml"], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!("unknown_plugin_text", run.stderr);

    std::fs::create_dir(dir.path().join("schemas")).unwrap();
    let schema = serde_json::json!({"fields": [
        {"protocols": {"type": "set", "default": ["grpc", "grpcs", "http", "https"], "elements": {"type": "string", "one_of": ["grpc", "grpcs", "http", "https"]}}},
        {"route": {"type": "foreign", "reference": "routes"}},
        {"service": {"type": "foreign", "reference": "services"}},
        {"config": {"type": "record", "required": true, "fields": [
            {"header": {"type": "string", "required": true}},
            {"value": {"type": "string", "required": true}}
        ]}}
    ]});
    std::fs::write(dir.path().join("schemas/set-header.json"), schema.to_string()).unwrap();
    let run = gateway(dir.path(), &["validate", "--output", "json", "--plugin-schemas", "schemas", "kong.yaml"], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<(String, String)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap_or("").to_string(), e["message"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(found, [("config.value".to_string(), "required field missing".to_string()), ("config.valu".to_string(), "unknown field".to_string())], "{doc}");

    std::fs::write(dir.path().join("kong.yaml"), config.replace("valu:", "value:")).unwrap();
    let run = gateway(dir.path(), &["validate", "--plugin-schemas", "schemas/set-header.json", "kong.yaml"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());

    // a schema file that is not one is a clear error, not a silent skip
    std::fs::write(dir.path().join("schemas/set-header.json"), "{\"message\": \"No plugin named 'set-header'\"}").unwrap();
    let run = gateway(dir.path(), &["validate", "--output", "json", "--plugin-schemas", "schemas", "kong.yaml"], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let message = doc["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("--plugin-schemas schemas/set-header.json: not a plugin schema as Kong's GET /schemas/plugins/set-header answers it"), "{doc}");
}
