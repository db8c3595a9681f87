//! What an `ai-proxy` or `ai-proxy-advanced` plugin does with a matched request: the
//! balancer's target, templates resolved from captures, headers and query, the body checks,
//! and the URL, query and auth headers sent to the provider.

use super::{query_params, AiResult, AiTarget, ErrorBody, SimRequest, Simulation, Simulator};
use crate::ai_proxy::template::{self, Source};
use crate::ai_proxy::upstream::{self as ai_upstream, Target};
use crate::model::Entity;
use crate::node::{Node, Value};
use crate::router;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;

impl Simulator<'_> {
    pub(super) fn apply_ai(&self, sim: &mut Simulation, plugin: &Entity, req: &SimRequest, m: &router::Match, show_secrets: bool) {
        let name = plugin.node.get_str("name").unwrap_or("").to_string();
        let empty = Node::map(plugin.node.loc);
        let config = plugin.node.get_set("config").unwrap_or(&empty);
        let targets: Vec<&Node> = if name == "ai-proxy" {
            vec![config]
        } else {
            config.get("targets").and_then(Node::as_seq).map(|t| t.iter().collect()).unwrap_or_default()
        };
        if targets.is_empty() {
            return;
        }
        let algorithm = config.get("balancer").and_then(|b| b.get_str("algorithm")).unwrap_or("round-robin").to_string();
        let weights: Vec<u64> = targets.iter().map(|t| t.get("weight").and_then(Node::as_i64).unwrap_or(100).max(0) as u64).collect();
        let (chosen, shares, note) = balance(&algorithm, &weights, name == "ai-proxy");
        if let Some(n) = note {
            sim.warnings.push(n);
        }
        let lookup = |source: Source, key: &str| -> Option<String> {
            match source {
                Source::UriCaptures => m.captures.as_ref()?.iter().find(|(k, _)| k == key && k.parse::<usize>().is_err()).map(|(_, v)| v.clone()),
                Source::Headers => {
                    let want = router::header_key(key);
                    req.request.headers.iter().find(|(k, _)| router::header_key(k) == want).map(|(_, v)| v.clone())
                }
                Source::QueryParams => query_params(&req.request.target).into_iter().find(|(k, _)| k == key).map(|(_, v)| v),
            }
        };
        let client_query = query_params(&req.request.target);
        let mut resolved_targets = Vec::new();
        let mut first_error: Option<String> = None;
        for (i, t) in targets.iter().enumerate() {
            match resolve_target(t, &lookup) {
                Ok(rt) => {
                    let url = ai_upstream::build(&rt, router::path_only(&req.request.target), &client_query).ok().map(|u| url_of(&u, &[]));
                    resolved_targets.push(AiTarget {
                        provider: rt.provider.clone(),
                        model: rt.model.clone(),
                        upstream_url: url,
                        weight: weights[i],
                        share: shares[i],
                    });
                }
                Err(e) => {
                    if i == chosen && first_error.is_none() {
                        first_error = Some(e);
                    }
                    resolved_targets.push(AiTarget {
                        provider: t.get("model").and_then(|m| m.get_str("provider")).unwrap_or("").to_string(),
                        model: None,
                        upstream_url: None,
                        weight: weights[i],
                        share: shares[i],
                    });
                }
            }
        }
        let target = targets[chosen];
        let route_type = target.get_str("route_type").or_else(|| config.get_str("route_type")).unwrap_or("llm/v1/chat").to_string();
        let provider = target.get("model").and_then(|m| m.get_str("provider")).unwrap_or("").to_string();
        let mut ai = AiResult { plugin: name.clone(), provider: provider.clone(), route_type: route_type.clone(), model: None, targets: resolved_targets, upstream_url: None };
        if let Some(e) = first_error {
            reject_400(sim, &e);
            sim.ai = Some(ai);
            return;
        }
        let mut rt = match resolve_target(target, &lookup) {
            Ok(rt) => rt,
            Err(e) => {
                reject_400(sim, &e);
                sim.ai = Some(ai);
                return;
            }
        };
        rt.route_type = route_type.clone();
        ai.model = rt.model.clone();
        // body checks (kong/llm/plugin/shared-filters/normalize-request.lua)
        match &req.body {
            None => sim.warnings.push("no request body given: the AI proxy's body checks were skipped".into()),
            Some(body) => match serde_json::from_slice::<Json>(body) {
                Err(_) => return reject_400_ai(sim, ai, "content-type header does not match request body, or bad JSON formatting"),
                Ok(b) => {
                    if route_type != "preserve" {
                        let prompts = b.get("messages").and_then(Json::as_array).is_some_and(|m| !m.is_empty()) || b.get("prompt").is_some_and(Json::is_string);
                        if (route_type.starts_with("llm/v1/chat") || route_type == "llm/v1/completions")
                            && !prompts {
                                return reject_400_ai(sim, ai, "request body doesn't contain valid prompts");
                            }
                    }
                    let body_model = b.get("model").and_then(Json::as_str).filter(|s| !s.is_empty()).map(String::from);
                    match (&rt.model, body_model) {
                        (None, Some(bm)) => rt.model = Some(bm),
                        (Some(cfg), Some(bm)) if *cfg != bm => {
                            let alias = target.get("model").and_then(|m| m.get_str("model_alias"));
                            if alias != Some(bm.as_str()) {
                                return reject_400_ai(sim, ai, &format!("cannot use own model - must be: {cfg}"));
                            }
                        }
                        _ => {}
                    }
                    if rt.model.is_none() && route_type != "preserve" {
                        return reject_400_ai(sim, ai, "model parameter not found in request, nor in gateway configuration");
                    }
                    if b.get("stream").and_then(Json::as_bool) == Some(true) && config.get_str("response_streaming") == Some("deny") {
                        return reject_400_ai(sim, ai, "response streaming is not enabled for this LLM");
                    }
                }
            },
        }
        ai.model = rt.model.clone();
        if let Some(model) = &rt.model {
            if model.contains(['/', '?', '#']) || model.contains("..") {
                sim.warnings.push(format!("model name '{model}' contains characters that Kong refuses in upstream paths"));
            }
        }
        let up = match ai_upstream::build(&rt, router::path_only(&req.request.target), &client_query) {
            Ok(u) => u,
            Err(e) => {
                sim.warnings.push(format!("cannot build the {provider} upstream URL: {e}"));
                sim.ai = Some(ai);
                return;
            }
        };
        let auth = target.get("auth");
        let a = |k: &str| auth.and_then(|x| x.get(k));
        let allow_override = a("allow_override").and_then(Node::as_bool).unwrap_or(false);
        let mut query: Vec<(String, String)> = client_query.clone();
        for (k, v) in &up.query {
            if !query.iter().any(|(qk, _)| qk == k) {
                query.push((k.clone(), v.clone()));
            }
        }
        let mask = |n: &Node| -> String {
            let v = n.as_str().unwrap_or("").to_string();
            if show_secrets { v } else { "[masked]".into() }
        };
        let mut reserialized = provider == "azure";
        if let (Some(pn), Some(pv), Some("query")) = (a("param_name").and_then(Node::as_str), a("param_value"), a("param_location").and_then(Node::as_str)) {
            reserialized = true;
            let client_has = query.iter().any(|(k, _)| k == pn);
            if !(client_has && allow_override) {
                query.retain(|(k, _)| k != pn);
                query.push((pn.to_string(), mask(pv)));
            }
        }
        // kong.service.request.set_query re-serializes with keys sorted
        if reserialized {
            query.sort();
        }
        let upstream = sim.upstream.as_mut().expect("set before AI resolution");
        upstream.host_header = up.authority();
        upstream.path = up.path.clone();
        upstream.url = url_of(&up, &query);
        for (k, v) in &up.headers {
            upstream.headers.insert(k.clone(), v.clone());
        }
        upstream.headers.insert("Content-Type".into(), "application/json".into());
        if let (Some(hn), Some(hv)) = (a("header_name").and_then(Node::as_str), a("header_value")) {
            let client_has = req.request.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(hn));
            if !(client_has && allow_override) {
                upstream.headers.retain(|k, _| !k.eq_ignore_ascii_case(hn));
                upstream.headers.insert(hn.to_string(), mask(hv));
            }
        }
        ai.upstream_url = Some(upstream.url.clone());
        sim.ai = Some(ai);
    }
}

fn reject_400(sim: &mut Simulation, message: &str) {
    sim.status = 400;
    sim.upstream = None;
    sim.error = Some(ErrorBody { message: message.to_string() });
    sim.error_body = Some(json!({ "error": { "message": message } }));
}

fn reject_400_ai(sim: &mut Simulation, ai: AiResult, message: &str) {
    reject_400(sim, message);
    sim.ai = Some(ai);
}

fn url_of(up: &ai_upstream::Upstream, query: &[(String, String)]) -> String {
    let q = if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.iter().map(|(k, v)| format!("{}={}", crate::url::encode_component(k), crate::url::encode_component(v))).collect::<Vec<_>>().join("&"))
    };
    format!("{}://{}{}{q}", up.scheme, up.authority(), up.path)
}

/// Resolves templates in a target's `model` and reads what the driver needs.
fn resolve_target(t: &Node, lookup: &dyn Fn(Source, &str) -> Option<String>) -> Result<Target, String> {
    let model = t.get("model");
    let mut out = Target {
        provider: model.and_then(|m| m.get_str("provider")).unwrap_or("").to_string(),
        route_type: t.get_str("route_type").unwrap_or("llm/v1/chat").to_string(),
        model: None,
        options: BTreeMap::new(),
    };
    if let Some(name) = model.and_then(|m| m.get_str("name")) {
        out.model = Some(template::resolve(name, lookup)?);
    }
    if let Some(opts) = model.and_then(|m| m.get("options")) {
        let mut err = None;
        opts.walk_strings("", &mut |field, node| {
            if err.is_some() {
                return;
            }
            if let Value::Str(s) = &node.value {
                match template::resolve(s, lookup) {
                    Ok(v) => {
                        out.options.insert(field.to_string(), v);
                    }
                    Err(e) => err = Some(e),
                }
            }
        });
        if let Some(e) = err {
            return Err(e);
        }
        for e in opts.entries() {
            if let Value::Bool(b) = e.value.value {
                out.options.insert(e.key.clone(), b.to_string());
            }
            for sub in e.value.entries() {
                if let Value::Bool(b) = sub.value.value {
                    out.options.insert(format!("{}.{}", e.key, sub.key), b.to_string());
                }
            }
        }
    }
    Ok(out)
}

/// Which target a cold gateway uses and each target's traffic share, per balancer algorithm
/// (../shared/reference/ai-proxy.md §5); a note when the pick is not deterministic.
fn balance(algorithm: &str, weights: &[u64], single: bool) -> (usize, Vec<f64>, Option<String>) {
    let n = weights.len();
    let total: u64 = weights.iter().sum();
    let proportional: Vec<f64> = weights.iter().map(|w| if total == 0 { 0.0 } else { *w as f64 / total as f64 }).collect();
    if single || n == 1 {
        return (0, vec![1.0], None);
    }
    let max = weights.iter().copied().max().unwrap_or(0);
    let first_max = weights.iter().position(|w| *w == max).unwrap_or(0);
    match algorithm {
        "priority" => {
            let group_total: u64 = weights.iter().filter(|w| **w == max).sum();
            let shares = weights.iter().map(|w| if *w == max && group_total > 0 { *w as f64 / group_total as f64 } else { 0.0 }).collect();
            let note = (weights.iter().filter(|w| **w == max).count() > 1)
                .then(|| "priority balancer: the highest-weight targets share traffic round-robin; the first of them is shown".to_string());
            (first_max, shares, note)
        }
        "least-connections" => (first_max, proportional, Some("least-connections: an idle gateway picks the highest-weight target (shown)".into())),
        "lowest-latency" | "lowest-usage" => (0, proportional, Some(format!("{algorithm}: the pick depends on live measurements; a cold gateway starts with the first target (shown)"))),
        "consistent-hashing" => (0, proportional, Some("consistent-hashing: the target depends on the hash of the balancer's hash_on_header value; the first target is shown".into())),
        "semantic" => (0, proportional, Some("semantic: the target depends on the prompt's embedding; the first target is shown".into())),
        _ => (0, proportional, Some("round-robin: Kong shuffles the wheel per worker, so the first pick is random; shares are exact over a full wheel; the first target is shown".into())),
    }
}
