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
