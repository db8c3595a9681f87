//! Kong's router flavors from the command line (issue #10): `--router-flavor`,
//! `GATEWAY_ROUTER_FLAVOR`, a test table's `router_flavor:`, and `simulate --explain`.
//! The routing itself is pinned against atc-router in tests/router_atc_differential.rs;
//! here the real binary shows the same answers in both flavors' output.

use crate::support::{gateway, root};
use serde_json::Value;

const AZURE: &str = "testdata/azure/kong.yaml";
const AZURE_EXPRESSIONS: &str = "testdata/azure-expressions/kong.yaml";
const CHAT: &str = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

fn json_of(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// An expression route exists only in the expressions flavor: kong/db/schema/entities/
/// routes.lua adds `expression` and `priority` when `router_flavor = expressions`.
#[test]
fn expression_routes_need_the_expressions_flavor() {
    let refused = gateway(&root(), &["validate", "--output", "json", AZURE_EXPRESSIONS], &[]);
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    let doc = json_of(&refused.stdout);
    let rules: Vec<&str> = doc["errors"].as_array().unwrap().iter().map(|e| e["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"R013"), "{doc}");
    for (args, env) in [
        (vec!["validate", "--router-flavor", "expressions", AZURE_EXPRESSIONS], vec![]),
        (vec!["validate", AZURE_EXPRESSIONS], vec![("GATEWAY_ROUTER_FLAVOR", "expressions")]),
    ] {
        let ok = gateway(&root(), &args, &env);
        assert_eq!(ok.code, 0, "{}", ok.transcript());
    }
    let bad = gateway(&root(), &["validate", "--router-flavor", "expression", AZURE_EXPRESSIONS], &[]);
    assert_eq!(bad.code, 2, "a flavor Kong does not have is a usage error: {}", bad.transcript());
}

/// The Azure how-to in both flavors gives the same answer: route, the deployment captured by
/// the regex (atc-router's capture map, kong/router/atc.lua `uri_captures`), and the URL the AI
/// proxy builds from it. The JSON keys are the same in both flavors.
#[test]
fn both_flavors_route_the_azure_how_to_the_same_way() {
    let classic = json_of(&gateway(&root(), &["simulate", "--output", "json", "-X", "POST", "--path", CHAT, AZURE], &[]).stdout);
    let expressions = gateway(&root(), &["simulate", "--output", "json", "--router-flavor", "expressions", "-X", "POST", "--path", CHAT, AZURE_EXPRESSIONS], &[]);
    assert_eq!(expressions.code, 0, "{}", expressions.transcript());
    let expressions = json_of(&expressions.stdout);
    for doc in [&classic, &expressions] {
        assert_eq!(doc["route"]["name"], "azure-chat-route", "{doc}");
        assert_eq!(doc["uri_captures"]["azure_deployment"], "gpt-4o", "{doc}");
        assert_eq!(doc["ai"]["upstream_url"], "https://my-azure-instance.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", "{doc}");
        assert!(doc.get("atc").is_none(), "the ATC explanation only with --explain: {doc}");
    }
    let keys = |d: &Value| d.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&classic), keys(&expressions));
    // a GET is not the expression route (`http.method == "POST"`): the classic catch-all is
    let get = json_of(&gateway(&root(), &["simulate", "--output", "json", "--router-flavor", "expressions", "--path", CHAT, AZURE_EXPRESSIONS], &[]).stdout);
    assert_eq!(get["route"]["name"], "openai-catch-all", "{get}");
}

/// A route test table can name its flavor; `--router-flavor` wins over it.
#[test]
fn a_test_table_names_its_flavor() {
    let run = gateway(&root(), &["test", "testdata/azure-expressions/tests.yaml"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("2 passed, 0 failed"), "{}", run.transcript());
    let forced = gateway(&root(), &["test", "--router-flavor", "traditional_compatible", "testdata/azure-expressions/tests.yaml"], &[]);
    assert_eq!(forced.code, 1, "the default flavor refuses the expression route: {}", forced.transcript());
    assert!(forced.stderr.contains("R013"), "{}", forced.transcript());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.yaml"), "router_flavor: atc\nconfig: [x.yaml]\ntests: []\n").unwrap();
    let bad = gateway(dir.path(), &["test", "t.yaml"], &[]);
    assert_eq!(bad.code, 1, "{}", bad.transcript());
    assert!(bad.stderr.contains("t.yaml:1:16: `router_flavor` is traditional_compatible or expressions"), "{}", bad.transcript());
}

/// `simulate --explain` shows the expression and priority Kong's router is given for the
/// winner and the runner-up: for a classic route the one kong/router/transform.lua generates
/// (methods, then the regex path anchored with `^` and `?<` rewritten to `?P<`), for an
/// expression route its own expression with the protocol condition expressions.lua appends.
#[test]
fn explain_shows_the_atc_expressions_kong_generates() {
    let classic = json_of(&gateway(&root(), &["simulate", "--output", "json", "--explain", "-X", "POST", "--path", CHAT, AZURE], &[]).stdout);
    assert_eq!(classic["atc"]["router_flavor"], "traditional_compatible", "{classic}");
    assert_eq!(
        classic["atc"]["winner"]["expression"],
        r##"(http.method == r#"POST"#) && (http.path ~ r#"^/openai/deployments/(?P<azure_deployment>[^/]+)/chat/completions$"#)"##,
        "{classic}"
    );
    assert!(classic["atc"]["runner_up"].is_null(), "{classic}");
    let run = gateway(&root(), &["simulate", "--explain", "--router-flavor", "expressions", "-X", "POST", "--path", CHAT, AZURE_EXPRESSIONS], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("runner-up routes/openai-catch-all: higher priority than 0x0000000020000007"), "{}", run.stdout);
    assert!(run.stdout.contains("atc:       winner routes/azure-chat-route (expressions, priority 0xff0000000000000a):"), "{}", run.stdout);
    assert!(run.stdout.contains(r##"(http.path ^= r#"/openai"#) && (net.protocol == r#"http"# || net.protocol == r#"https"#)"##), "{}", run.stdout);
}

/// A template names a capture the expression does not have: the named groups of the
/// expression's regex conditions are what atc-router captures.
#[test]
fn templates_read_the_captures_of_an_expression() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(AZURE_EXPRESSIONS)).unwrap().replace("(?<azure_deployment>", "(?<deployment>");
    std::fs::write(dir.path().join("kong.yaml"), text).unwrap();
    let run = gateway(dir.path(), &["validate", "--output", "json", "--router-flavor", "expressions", "kong.yaml"], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let doc = json_of(&run.stdout);
    let first = &doc["errors"][0];
    assert_eq!(first["rule"], "T001", "{doc}");
    assert!(first["message"].as_str().unwrap().contains("expression 'http.path ~"), "{doc}");
    assert!(first["message"].as_str().unwrap().contains("has named groups: deployment"), "{doc}");
}
