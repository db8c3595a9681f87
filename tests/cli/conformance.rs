//! Conformance on real documents: every Kong docs page and plugin example in
//! ../shared/corpus/docs renders (with dummy values for its variables) and validates, or
//! fails for a reason listed here. The table is kept in docs/conformance.md; run with
//! UPDATE_CONFORMANCE=1 to rewrite it after a deliberate change.

use crate::support::shared_or_fail;
use gateway::diagnostic::Severity;
use gateway::env::{Env, EnvMode};
use gateway::load::{self, Disk};
use std::path::{Path, PathBuf};

/// Pages that must not validate, with the rule codes that say why (all real problems).
const EXPECTED_INVALID: &[(&str, &[&str], &str)] = &[
    ("collect-metrics-logs-and-traces-with-opentelemetry.md", &["S001"], "`access_logs_endpoint` is not a field of the Kong 3.15 opentelemetry schema"),
    ("public-network.md", &["F001"], "not a how-to: its plugin names service `my-service`, which the page never defines"),
    ("create-a-webhook-with-kong-gateway.md", &["L014"], "uses the singular {% entity_example %} tag: no config to render"),
    ("kic-plugin-rate-limiting.md", &["L011", "L014"], "a KIC page: singular tag, and its prerequisites are KIC manifests"),
    ("stream-custom-plugins.md", &["P001"], "its plugin `replaceme` is a placeholder for a custom plugin, which Kong refuses unless installed"),
    ("plugin_examples/ai-proxy-advanced/sdk-multiple-azure-deployments.yaml", &["F005", "P002", "S001"], "`zure_instance` typo (unknown field, azure_instance missing); `config` is a list of two configs"),
];

fn inputs(shared: &Path) -> Vec<PathBuf> {
    let docs = shared.join("corpus/docs");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&docs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("MANIFEST.md"))
        .collect();
    for dir in std::fs::read_dir(docs.join("plugin_examples")).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            out.push(f.unwrap().path());
        }
    }
    out.sort();
    out
}

/// Dummy values for every environment variable a page names (`value: $X`, `DECK_X`).
fn dummy_env(text: &str) -> Env {
    let re = regex::Regex::new(r#"value:\s*\$([A-Z][A-Z0-9_]*)|env\s+"(DECK_[A-Z0-9_]+)""#).unwrap();
    re.captures_iter(text)
        .filter_map(|c| c.get(1).or(c.get(2)).map(|m| (m.as_str().to_string(), format!("dummy-{}", m.as_str().to_lowercase()))))
        .collect()
}

struct Row {
    doc: String,
    entities: usize,
    result: String,
}

#[test]
fn every_docs_page_renders_and_validates_or_fails_for_a_stated_reason() {
    let Some(shared) = shared_or_fail("conformance") else { return };
    let docs = shared.join("corpus/docs");
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    let all = inputs(&shared);
    assert!(all.len() >= 50, "corpus incomplete: {} inputs", all.len());
    for path in &all {
        let rel = path.strip_prefix(&docs).unwrap().to_string_lossy().replace('\\', "/");
        let env = dummy_env(&std::fs::read_to_string(path).unwrap());
        let render = load::load(std::slice::from_ref(path), &Disk, &env, EnvMode::Resolve);
        let mut diags = render.diagnostics.clone();
        if render.document.is_some() {
            diags.extend(gateway::validate::validate(&render.config));
        }
        let mut errors: Vec<&str> = diags.iter().filter(|d| d.severity == Severity::Error).map(|d| d.rule.code).collect();
        errors.sort();
        errors.dedup();
        let mut warnings: Vec<&str> = diags.iter().filter(|d| d.severity == Severity::Warning).map(|d| d.rule.code).collect();
        warnings.sort();
        warnings.dedup();
        let expected = EXPECTED_INVALID.iter().find(|(d, _, _)| *d == rel);
        let ok = render.document.is_some() && errors.is_empty();
        let result = match (ok, expected) {
            (true, None) => {
                if warnings.is_empty() { "valid".to_string() } else { format!("valid (warnings: {})", warnings.join(", ")) }
            }
            (false, Some((_, codes, why))) if codes.iter().all(|c| errors.contains(c) || warnings.contains(c)) => {
                format!("invalid as expected ({}): {why}", codes.join(", "))
            }
            _ => {
                failures.push(format!("{rel}: errors {errors:?}, warnings {warnings:?}, expected {:?}", expected.map(|e| e.1)));
                format!("UNEXPECTED: errors {errors:?}")
            }
        };
        rows.push(Row { doc: rel, entities: render.config.entities.len(), result });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let table = render_table(&rows);
    crate::support::assert_generated("docs/conformance.md", &table);
}

fn render_table(rows: &[Row]) -> String {
    let mut s = String::from(
        "# Conformance on Kong's docs\n\n\
         Every page and plugin example in `../shared/corpus/docs` (Kong/developer.konghq.com @ bc1cd742),\n\
         rendered with dummy values for its variables and validated. Generated and checked by\n\
         `tests/cli/conformance.rs`; regenerate with `UPDATE_CONFORMANCE=1 cargo test conformance`.\n\n\
         | doc | entities | result |\n|---|---:|---|\n",
    );
    for r in rows {
        s.push_str(&format!("| {} | {} | {} |\n", r.doc, r.entities, r.result.replace('|', "\\|")));
    }
    s
}
