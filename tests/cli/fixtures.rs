//! Table-driven rule tests: each `testdata/deck/invalid/*.yaml` line that should produce a
//! finding ends with `# expect: CODE[, CODE...]`; no other line may produce one. Files under
//! `testdata/deck/valid/` must produce no finding at all. A file whose text has a
//! `# router_flavor: expressions` line is checked for Kong's expressions router flavor.

use crate::support::root;
use gateway::env::{Env, EnvMode};
use gateway::load::{self, Disk};
use gateway::router::Flavor;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn fixture_env() -> Env {
    [
        ("DECK_AZURE_OPENAI_KEY", "test-key"),
        ("DECK_AZURE_INSTANCE", "my-instance"),
        ("DECK_FIXTURE_RETRIES", "many"),
        ("DECK_FIXTURE_TIMEOUT", "60000"),
        ("DECK_FIXTURE_FIVE", "5"),
        ("DECK_FIXTURE_TRUE", "true"),
        ("DECK_FIXTURE_PEM_ESCAPED", "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----"),
        ("DECK_FIXTURE_MULTI_LINE", "one\ntwo\nthree"),
    ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// line -> sorted rule codes, from `# expect:` markers.
fn expectations(text: &str) -> BTreeMap<u32, Vec<String>> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if let Some((_, codes)) = line.split_once("# expect:") {
            let mut codes: Vec<String> = codes.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
            codes.sort();
            out.insert(i as u32 + 1, codes);
        }
    }
    out
}

fn findings(path: &PathBuf) -> BTreeMap<u32, Vec<String>> {
    let loaded = load::load(std::slice::from_ref(path), &Disk, &fixture_env(), EnvMode::Mock);
    let mut diags = loaded.diagnostics.clone();
    if loaded.document.is_some() {
        let text = std::fs::read_to_string(path).unwrap();
        let flavor = if text.lines().any(|l| l.trim() == "# router_flavor: expressions") { Flavor::Expressions } else { Flavor::TraditionalCompatible };
        let schemas = gateway::schema::kong::Schemas::bundled();
        diags.extend(gateway::validate::validate_with(&loaded.config, &gateway::validate::Target { schemas: &schemas, flavor: Some(flavor) }));
    }
    let mut out: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for d in diags {
        let line = d.loc.map(|l| l.line).unwrap_or(0);
        out.entry(line).or_default().push(d.rule.code.to_string());
    }
    for codes in out.values_mut() {
        codes.sort();
    }
    out
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json"))
        .collect();
    v.sort();
    v
}

#[test]
fn invalid_fixtures_fire_exactly_the_marked_rules() {
    let mut failures = Vec::new();
    let all = files("testdata/deck/invalid");
    assert!(all.len() >= 8, "fixtures missing: {all:?}");
    for path in &all {
        let text = std::fs::read_to_string(path).unwrap();
        let want = expectations(&text);
        assert!(!want.is_empty(), "{} has no `# expect:` marker", path.display());
        let got = findings(path);
        if want != got {
            failures.push(format!("{}\n  want: {want:?}\n  got:  {got:?}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn valid_fixtures_have_no_findings() {
    let all = files("testdata/deck/valid");
    assert!(all.len() >= 2);
    for path in &all {
        let got = findings(path);
        assert!(got.is_empty(), "{}: {got:?}", path.display());
    }
}

#[test]
fn every_rule_is_exercised_by_some_fixture() {
    let mut seen = std::collections::BTreeSet::new();
    for dir in ["testdata/deck/invalid"] {
        for path in files(dir) {
            for codes in expectations(&std::fs::read_to_string(path).unwrap()).values() {
                seen.extend(codes.iter().cloned());
            }
        }
    }
    // Rules whose input is not a decK file are covered elsewhere (docs pages, bad input).
    // S008 and S009 need a gateway: tests/sync.rs and tests/profiles.rs cover them.
    let elsewhere = ["L001", "L002", "L003", "L006", "L008", "L009", "L010", "L011", "L012", "L013", "L014", "L015", "S008", "S009"];
    let missing: Vec<_> = gateway::rules::ALL
        .iter()
        .map(|r| r.code)
        .filter(|c| !seen.contains(*c) && !elsewhere.contains(c))
        .collect();
    assert!(missing.is_empty(), "rules without a fixture: {missing:?}");
}
