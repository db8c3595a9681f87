//! The entity checks Kong adds to ai-proxy and ai-proxy-advanced that the JSON schemas
//! cannot express (../shared/reference/ai-proxy.md §1.5), with Kong's messages.

use crate::diagnostic::Diagnostic;
use crate::node::{Node, Value};
use crate::rules;

/// Kong's "non-empty": not missing, not null, not "", not {}.
fn set(n: Option<&Node>) -> bool {
    match n {
        None => false,
        Some(n) => match &n.value {
            Value::Null => false,
            Value::Str(s) => !s.is_empty(),
            Value::Map(m) => !m.is_empty(),
            _ => true,
        },
    }
}

fn path<'a>(n: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    keys.iter().try_fold(n, |cur, k| cur.get(k))
}

/// Checks one LLM target record (the ai-proxy config, or one ai-proxy-advanced target).
fn check_target(t: &Node, field: &str, label: &str, out: &mut Vec<Diagnostic>) {
    let fail = |msg: &str, out: &mut Vec<Diagnostic>| {
        out.push(Diagnostic::new(&rules::AI_PROXY_CHECK, msg).at(t.loc).entity(label).field(field));
    };
    let provider = path(t, &["model", "provider"]).and_then(Node::as_str).unwrap_or("");
    let opt = |k: &str| path(t, &["model", "options", k]);
    if matches!(provider, "bedrock" | "gemini") && path(t, &["auth", "allow_override"]).and_then(Node::as_bool) == Some(true) {
        fail("bedrock and gemini only support auth.allow_override = false", out);
    }
    let group = |keys: &[&str]| keys.iter().map(|k| set(path(t, &["auth", k]))).collect::<Vec<_>>();
    let hv = group(&["header_name", "header_value"]);
    if hv.iter().any(|x| *x) && !hv.iter().all(|x| *x) {
        fail("all or none of these fields must be set: 'auth.header_name', 'auth.header_value'", out);
    }
    let pv = group(&["param_name", "param_value", "param_location"]);
    if pv.iter().any(|x| *x) && !pv.iter().all(|x| *x) {
        fail("all or none of these fields must be set: 'auth.param_name', 'auth.param_value', 'auth.param_location'", out);
    }
    let required: &[(&str, &str, &str)] = &[
        ("llama2", "llama2_format", "must set 'model.options.llama2_format' for llama2 provider"),
        ("mistral", "mistral_format", "must set 'model.options.mistral_format' for mistral provider"),
        ("anthropic", "anthropic_version", "must set 'model.options.anthropic_version' for anthropic provider"),
        ("azure", "azure_instance", "must set 'model.options.azure_instance' for azure provider"),
        ("azure", "azure_deployment_id", "must set 'model.options.azure_deployment_id' for azure provider"),
        ("llama2", "upstream_url", "must set 'model.options.upstream_url' for self-hosted providers/models"),
    ];
    for (p, key, msg) in required {
        if provider == *p && !set(opt(key)) {
            fail(msg, out);
        }
    }
    if path(t, &["logging", "log_statistics"]).and_then(Node::as_bool) == Some(true)
        && t.get_str("route_type") == Some("llm/v1/completions")
        && provider == "anthropic"
    {
        fail("anthropic does not support statistics when route_type is llm/v1/completions", out);
    }
    if let Some(g) = opt("gemini").filter(|g| g.is_map()) {
        let keys = ["api_endpoint", "project_id", "location_id"];
        let s: Vec<bool> = keys.iter().map(|k| set(g.get(k))).collect();
        if s.iter().any(|x| *x) && !s.iter().all(|x| *x) {
            fail("all or none of these fields must be set: 'model.options.gemini.api_endpoint', 'model.options.gemini.project_id', 'model.options.gemini.location_id'", out);
        }
    }
    if let Some(u) = opt("upstream_url") {
        if let Some(s) = u.as_str() {
            if let Err(msg) = crate::url::split(s) {
                out.push(
                    Diagnostic::new(&rules::AI_PROXY_CHECK, msg)
                        .at(u.loc)
                        .entity(label)
                        .field(format!("{field}.model.options.upstream_url")),
                );
            }
        }
    }
}

pub fn check_ai_proxy(config: &Node, label: &str, out: &mut Vec<Diagnostic>) {
    check_target(config, "config", label, out);
    // llm_format's conditionals (kong/plugins/ai-proxy/schema.lua entity_checks) come from
    // schemas/plugin-rules.json with the other generated entity checks
}

pub fn check_ai_proxy_advanced(config: &Node, label: &str, out: &mut Vec<Diagnostic>) {
    let Some(targets) = config.get("targets").and_then(Node::as_seq) else { return };
    let semantic = path(config, &["balancer", "algorithm"]).and_then(Node::as_str) == Some("semantic");
    for (i, t) in targets.iter().enumerate() {
        if !t.is_map() {
            continue;
        }
        let field = format!("config.targets[{i}]");
        check_target(t, &field, label, out);
        if semantic && !set(t.get("description")) {
            out.push(
                Diagnostic::new(&rules::AI_PROXY_CHECK, "description field is required for every target in config.targets array")
                    .at(t.loc)
                    .entity(label)
                    .field(format!("{field}.description")),
            );
        }
    }
}
