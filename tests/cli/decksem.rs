//! decK's file semantics (issue #9), with the real binary: `${{ env }}` rendered over the
//! text, directories as inputs.

use crate::support::{gateway, shared_or_fail};
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn a_directory_input_is_its_config_files_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "conf/1-services.yaml", "_format_version: \"3.0\"\nservices:\n- name: s\n  url: http://h\n");
    write(dir.path(), "conf/sub/2-routes.yml", "_format_version: \"3.0\"\nroutes:\n- name: r\n  service: s\n  paths: [/a]\n");
    write(dir.path(), "conf/README.md", "not a config\n");
    let run = gateway(dir.path(), &["validate", "--output", "json", "conf"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["errors"], serde_json::json!([]), "{doc}");
    // a finding in a file of the directory names that file
    write(dir.path(), "conf/sub/3-bad.json", "{\"_format_version\": \"3.0\", \"routes\": [{\"name\": \"q\", \"service\": \"nope\", \"paths\": [\"/q\"]}]}");
    let run = gateway(dir.path(), &["validate", "--output", "json", "conf"], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["errors"][0]["rule"], "F001", "{doc}");
    assert!(doc["errors"][0]["file"].as_str().unwrap().ends_with("3-bad.json"), "{doc}");
}

#[test]
fn an_empty_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    let run = gateway(dir.path(), &["validate", "empty"], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.transcript().contains("is a directory with no .yaml, .yml or .json file in it"), "{}", run.transcript());
}

/// decK's sync/057-env-var-masking-tests/comprehensive.yaml writes
/// `"X-API-Key:${{ env "DECK_API_KEY" }}"`: the template's quotes inside a double-quoted
/// scalar only work because decK renders the text first. Its PEM comes as a double-quoted
/// scalar with `\n` escapes (verdicts.tsv `@cert-quoted@`).
#[test]
fn deck_057_env_masking_file_reads_as_in_deck() {
    let Some(shared) = shared_or_fail("deck_057_env_masking_file_reads_as_in_deck") else { return };
    let file = shared.join("corpus/deck-testdata/deck/tests/integration/testdata/sync/057-env-var-masking-tests/comprehensive.yaml");
    let dir = tempfile::tempdir().unwrap();
    let file = file.to_str().unwrap();
    let env = [
        ("DECK_CLIENT_CERT", "\"-----BEGIN CERTIFICATE-----\\nMIIBcert\\n-----END CERTIFICATE-----\""),
        ("DECK_CLIENT_KEY", "\"-----BEGIN PRIVATE KEY-----\\nMIIBkey\\n-----END PRIVATE KEY-----\""),
        ("DECK_JWK_KEY", "'{\"kty\": \"RSA\", \"kid\": \"vsR8NCNV_1_LB06LqudGa2r-T0y4Z6VQVYue9IQz6A4\", \"n\": \"x\", \"e\": \"AQAB\"}'"),
        ("DECK_API_KEY", "apiKeySecret"),
        ("DECK_DATABASE_PASSWORD", "databasePassword"),
        ("DECK_BEARER_TOKEN", "bearerToken"),
        ("DECK_WEBHOOK_SECRET", "webhookSecret"),
    ];
    let run = gateway(dir.path(), &["render", "--format", "json", file], &env);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let text = doc.to_string();
    assert!(text.contains("X-API-Key:apiKeySecret"), "{text}");
    assert!(text.contains("-----BEGIN CERTIFICATE-----\\nMIIBcert\\n-----END CERTIFICATE-----"), "the \\n escapes decode: {text}");
}

fn validate_json(shared: &Path, rel: &str, env: &[(String, String)]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let file = shared.join("corpus/deck-testdata").join(rel);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let run = gateway(dir.path(), &["validate", "--output", "json", file.to_str().unwrap()], &env);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{rel}: {e}: {}", run.transcript()))
}

fn rules_of(doc: &serde_json::Value, key: &str) -> Vec<String> {
    doc[key].as_array().unwrap().iter().map(|d| d["rule"].as_str().unwrap().to_string()).collect()
}

/// decK's files that refer, through `_info.default_lookup_tags`, to entities another file
/// manages (verdicts.tsv `state`, e.g. sync/029-lookup-tags-consumers/plugins_lookup.yaml,
/// sync/044-partials-tagging/partial-lookup-tags-names.yaml): no "unknown reference" error,
/// an external-reference note instead.
#[test]
fn default_lookup_tags_references_are_external_not_unknown() {
    let Some(shared) = shared_or_fail("default_lookup_tags_references_are_external_not_unknown") else { return };
    let mut seen = 0;
    let corpus = shared.join("corpus/deck-testdata");
    for row in crate::common::deck_corpus::rows(&corpus) {
        if row.verdict != "state" || !row.note.contains("default_lookup_tags") {
            continue;
        }
        seen += 1;
        let path = row.path;
        let doc = validate_json(&shared, &path, &row.env);
        assert!(!rules_of(&doc, "errors").contains(&"F001".to_string()), "{path}: {doc}");
        assert!(rules_of(&doc, "notes").contains(&"F006".to_string()), "{path}: {doc}");
    }
    assert!(seen >= 20, "only {seen} default_lookup_tags files");
}

/// decK's negatives for its own file rules: the rate-limiting-advanced `consumer_groups` guard
/// (sync/017-consumer-groups-rla-application/kong3x.yaml, render/005-diagnostics/
/// rla-consumer-groups.yaml) and a cloned plugin whose `ref` is no plugin
/// (sync/054-cloned-plugin-definitions/kong-fake.yaml); `_plugin_configs` files validate clean
/// once merged (gdr sync/030-plugin-dedup-consumer-groups, sync/048-plugin-config-nested-merge).
#[test]
fn deck_file_rules_on_decks_own_files() {
    let Some(shared) = shared_or_fail("deck_file_rules_on_decks_own_files") else { return };
    for (rel, rule) in [
        ("deck/tests/integration/testdata/sync/017-consumer-groups-rla-application/kong3x.yaml", "F009"),
        ("deck/tests/integration/testdata/render/005-diagnostics/rla-consumer-groups.yaml", "F009"),
        ("deck/tests/integration/testdata/sync/054-cloned-plugin-definitions/kong-fake.yaml", "F001"),
    ] {
        let doc = validate_json(&shared, rel, &[]);
        assert!(rules_of(&doc, "errors").contains(&rule.to_string()), "{rel}: {doc}");
    }
    for rel in [
        "gdr/tests/integration/testdata/sync/030-plugin-dedup-consumer-groups/kong.yaml",
        "gdr/tests/integration/testdata/sync/048-plugin-config-nested-merge/kong.yaml",
        "deck/tests/integration/testdata/sync/054-cloned-plugin-definitions/kong.yaml",
    ] {
        let doc = validate_json(&shared, rel, &[]);
        assert_eq!(doc["errors"], serde_json::json!([]), "{rel}: {doc}");
    }
}

/// decK's GraphQL rate-limiting cost decorations (`custom_entities` of type
/// `graphql_ratelimiting_cost_decorations`): its valid files validate clean, and the one without
/// `type_path` fails with decK's words ("type_path is required", deck
/// tests/integration/sync_test.go `Test_Sync_GraphqlRateLimitingCostDecorations`), at the file,
/// line and field.
#[test]
fn graphql_cost_decorations_validate_as_in_deck() {
    let Some(shared) = shared_or_fail("graphql_cost_decorations_validate_as_in_deck") else { return };
    let dir = "deck/tests/integration/testdata/sync/052-graphql-ratelimiting-cost-decorations";
    for name in ["kong.yaml", "kong-all-fields.yaml", "kong-mixed.yaml"] {
        let rel = format!("{dir}/{name}");
        let doc = validate_json(&shared, &rel, &[]);
        assert_eq!(doc["errors"], serde_json::json!([]), "{rel}: {doc}");
        assert_eq!(doc["warnings"], serde_json::json!([]), "{rel}: {doc}");
    }
    // the other files of decK's and GDR's with these entities: tests/cli/deck_conformance.rs
    let rel = format!("{dir}/kong-missing-type-path.yaml");
    let file = shared.join("corpus/deck-testdata").join(&rel);
    let tmp = tempfile::tempdir().unwrap();
    let run = gateway(tmp.path(), &["validate", file.to_str().unwrap()], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("error[S002]: type_path is required for graphql_ratelimiting_cost_decorations"), "{}", run.transcript());
    assert!(run.stderr.contains("kong-missing-type-path.yaml:5:7"), "{}", run.transcript());
    assert!(run.stderr.contains("field: type_path"), "{}", run.transcript());
    let doc = validate_json(&shared, &rel, &[]);
    let found = doc["errors"].as_array().unwrap().iter().find(|d| d["field"] == "type_path").cloned();
    let found = found.unwrap_or_else(|| panic!("no type_path finding: {doc}"));
    assert_eq!((found["rule"].as_str(), found["line"].as_u64()), (Some("S002"), Some(5)), "{doc}");
    assert!(found["file"].as_str().unwrap().ends_with("kong-missing-type-path.yaml"), "{doc}");
}
