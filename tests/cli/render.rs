//! `gateway render`: docs pages and decK files into one decK file.

use crate::support::{gateway, gateway_in_root, shared_or_fail};

#[test]
fn renders_the_azure_how_to_with_env_values() {
    let Some(shared) = shared_or_fail("renders_the_azure_how_to_with_env_values") else { return };
    let doc = shared.join("corpus/docs/route-openai-sdk-to-azure-deployments.md");
    let run = gateway_in_root(
        &["render", doc.to_str().unwrap()],
        &[("AZURE_OPENAI_KEY", "key-from-env"), ("DECK_AZURE_INSTANCE", "my-instance")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn missing_variables_are_listed_and_nothing_is_written() {
    let Some(shared) = shared_or_fail("missing_variables_are_listed_and_nothing_is_written") else { return };
    let doc = shared.join("corpus/docs/route-openai-sdk-to-azure-deployments.md");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kong.yaml");
    let run = gateway(dir.path(), &["render", doc.to_str().unwrap(), "-o", out.to_str().unwrap()], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("AZURE_OPENAI_KEY") && run.stderr.contains("AZURE_INSTANCE"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing written"));
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no temporary files left behind");
}

#[test]
fn placeholders_keep_secrets_out() {
    let Some(shared) = shared_or_fail("placeholders_keep_secrets_out") else { return };
    let doc = shared.join("corpus/docs/route-openai-sdk-to-azure-deployments.md");
    let run = gateway_in_root(&["render", "--placeholders", doc.to_str().unwrap()], &[("AZURE_OPENAI_KEY", "real-secret")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(r#"header_value: ${{ env "DECK_AZURE_OPENAI_KEY" }}"#), "{}", run.stdout);
    assert!(!run.stdout.contains("real-secret"));
    assert!(run.stdout.contains("$(uri_captures.azure_deployment)"));
}

#[test]
fn deck_files_resolve_env_and_write_json() {
    let dir = tempfile::tempdir().unwrap();
    let run = gateway_in_root(
        &["render", "--format", "json", "-o", dir.path().join("out.json").to_str().unwrap(), "testdata/deck/valid/env-templates.yaml"],
        &[("DECK_AZURE_OPENAI_KEY", "k"), ("DECK_AZURE_INSTANCE", "inst")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap()).unwrap();
    assert_eq!(v["_format_version"], "3.0");
    assert_eq!(v["plugins"][0]["config"]["targets"][0]["model"]["options"]["azure_instance"], "inst");
}

#[test]
fn later_docs_blocks_update_earlier_entities() {
    let Some(shared) = shared_or_fail("later_docs_blocks_update_earlier_entities") else { return };
    let doc = shared.join("corpus/docs/get-started-with-gateway.md");
    let run = gateway_in_root(&["render", "--format", "json", doc.to_str().unwrap()], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let services = v["services"].as_array().unwrap();
    let example: Vec<_> = services.iter().filter(|s| s["name"] == "example_service").collect();
    assert_eq!(example.len(), 1, "one service, updated in place");
    assert_eq!(example[0]["host"], "example_upstream");
    assert!(example[0].get("url").is_none(), "the later block replaced the service's fields");
}

#[test]
fn prereq_entities_come_from_front_matter() {
    let Some(shared) = shared_or_fail("prereq_entities_come_from_front_matter") else { return };
    let doc = shared.join("corpus/docs/route-azure-sdk-to-multiple-azure-deployments.md");
    let run = gateway_in_root(&["render", "--placeholders", "--format", "json", doc.to_str().unwrap()], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["services"][0]["name"], "azure-openai-service");
    assert_eq!(v["routes"][0]["name"], "azure-chat-route");
}

#[test]
fn undefined_and_bare_variables_are_warned() {
    let Some(shared) = shared_or_fail("undefined_and_bare_variables_are_warned") else { return };
    let oidc = shared.join("corpus/docs/configure-oidc-with-multi-idp.md");
    let run = gateway_in_root(&["render", "--placeholders", oidc.to_str().unwrap()], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[L008]") && run.stderr.contains("salt-token"), "{}", run.stderr);
    let public = shared.join("corpus/docs/public-network.md");
    let run = gateway_in_root(&["render", "--placeholders", public.to_str().unwrap()], &[]);
    assert!(run.stderr.contains("warning[L009]") && run.stderr.contains("$CA_CERT_ID"), "{}", run.stderr);
}

#[test]
fn literal_block_variables_stay_block_scalars_with_placeholders() {
    let Some(shared) = shared_or_fail("literal_block_variables_stay_block_scalars_with_placeholders") else { return };
    let doc = shared.join("corpus/docs/set-up-ai-proxy-with-vertex-ai.md");
    let run = gateway_in_root(&["render", "--placeholders", doc.to_str().unwrap()], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("gcp_service_account_json: |-\n        ${{ env \"DECK_GCP_SERVICE_ACCOUNT_JSON\" }}\n"),
        "{}",
        run.stdout
    );
}
