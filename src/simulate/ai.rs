//! What an `ai-proxy` or `ai-proxy-advanced` plugin does with a matched request: the
//! balancer's target, templates resolved from captures, headers and query, Kong's body
//! checks and the body its driver sends ([`crate::ai_proxy::request::prepare`]), streaming
//! ([`crate::ai_proxy::stream::plan`]), and the URL, query and auth headers sent to the
//! provider. The accepted request is kept ([`super::AiExchange`]) so the dry-run listener
//! can answer it with [`crate::ai_proxy::dry_run`].

use super::{query_params, AiExchange, AiResult, AiTarget, ErrorBody, SimRequest, Simulation, Simulator};
use crate::ai_proxy::request::{self, Body, BodyAuth, Conf, Model};
use crate::ai_proxy::stream;
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
        let path = router::path_only(&req.request.target);
        let target = targets[chosen];
        let route_type = target.get_str("route_type").or_else(|| config.get_str("route_type")).unwrap_or("llm/v1/chat").to_string();
        let provider = target.get("model").and_then(|m| m.get_str("provider")).unwrap_or("").to_string();
        let mut ai = AiResult {
            plugin: name.clone(),
            provider: provider.clone(),
            route_type: route_type.clone(),
            model: None,
            targets: Vec::new(),
            upstream_url: None,
            stream: false,
            stream_plan: None,
            notes: Vec::new(),
            exchange: None,
        };
        let mut rt = match resolve_target(target, &lookup) {
            Ok(rt) => rt,
            Err(e) => {
                ai.targets = target_list(&targets, &weights, &shares, &lookup, path, &client_query, false);
                return reject(sim, ai, 400, Some(&e));
            }
        };
        rt.route_type = route_type.clone();
        ai.model = rt.model.clone();
        ai.notes.extend(multi_placeholder_notes(target));
        let conf = ai_conf(config, target, &route_type, &lookup, show_secrets);
        let mut stream = conf.as_ref().is_ok_and(|c| c.response_streaming.as_deref() == Some("always"));
        // Kong's checks and the driver's body (kong/llm/plugin/shared-filters/normalize-request.lua,
        // kong/llm/drivers/*.lua to_format), via ai_proxy::request::prepare
        let mut upstream_body = None;
        let mut plan_model = conf.as_ref().ok().map(|c| c.model.clone()).unwrap_or_default();
        match (&req.body, conf) {
            (_, Err(e)) => {
                ai.targets = target_list(&targets, &weights, &shares, &lookup, path, &client_query, false);
                return reject(sim, ai, 400, Some(&e));
            }
            (None, Ok(_)) => sim.warnings.push("no request body given: the AI proxy's body checks were skipped".into()),
            (Some(raw), Ok(conf)) => {
                let alias = target.get("model").and_then(|m| m.get_str("model_alias"));
                let raw = match alias.zip(conf.model.name.as_deref()) {
                    Some((alias, name)) => apply_alias(raw, alias, name).inspect(|_| {
                        ai.notes.push(format!("model_alias (Kong Enterprise 3.14+): the body's model '{alias}' selects this target, whose model is '{name}'"));
                    }),
                    None => None,
                }
                .unwrap_or_else(|| raw.clone());
                let content_type = req.request.header_values("content-type").next().map(String::from);
                match request::prepare(&conf, &raw, content_type.as_deref()) {
                    Err(e) => {
                        ai.targets = target_list(&targets, &weights, &shares, &lookup, path, &client_query, false);
                        let message = e.message.clone().unwrap_or_else(|| {
                            format!("Kong has no {provider} driver: its require fails and it answers {} with an empty body", e.status)
                        });
                        reject(sim, ai, e.status, Some(&message));
                        if e.message.is_none() {
                            sim.error_body = None;
                        }
                        return;
                    }
                    Ok(p) => {
                        stream = p.stream;
                        rt.model = p.model.clone();
                        ai.model = p.model.clone();
                        ai.notes.extend(p.notes.iter().cloned());
                        upstream_body = Some(match &p.body {
                            Body::Json(j) => j.clone(),
                            Body::Unchanged => super::body_json(&raw),
                        });
                    }
                }
                ai.exchange = Some(AiExchange { conf, body: raw, content_type });
            }
        }
        ai.stream = stream;
        ai.targets = target_list(&targets, &weights, &shares, &lookup, path, &client_query, stream);
        if stream {
            plan_model.name = rt.model.clone();
            let plan = stream::plan(&plan_model, &route_type);
            if !plan.supported {
                sim.warnings.push(format!("streaming: {}", plan.client));
            }
            ai.stream_plan = Some(plan);
        }
        if let Some(model) = &rt.model {
            if model.contains(['/', '?', '#']) || model.contains("..") {
                sim.warnings.push(format!("model name '{model}' contains characters that Kong refuses in upstream paths"));
            }
        }
        let up = match ai_upstream::build_for(&rt, path, &client_query, stream) {
            Ok(u) => u,
            Err(e) => {
                sim.warnings.push(format!("cannot build the {provider} upstream URL: {e}"));
                if let Some(u) = sim.upstream.as_mut() {
                    u.body = upstream_body;
                }
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
        upstream.body = upstream_body;
        ai.upstream_url = Some(upstream.url.clone());
        sim.ai = Some(ai);
    }
}

/// Kong refuses the request: its status and `{"error":{"message":...}}`.
fn reject(sim: &mut Simulation, ai: AiResult, status: u16, message: Option<&str>) {
    sim.status = status;
    sim.upstream = None;
    sim.error = message.map(|m| ErrorBody { message: m.to_string() });
    sim.error_body = message.map(|m| json!({ "error": { "message": m } }));
    sim.ai = Some(ai);
}

/// Every target of the plugin with the URL it would get (`stream`: a streamed request).
fn target_list(
    targets: &[&Node],
    weights: &[u64],
    shares: &[f64],
    lookup: &dyn Fn(Source, &str) -> Option<String>,
    path: &str,
    client_query: &[(String, String)],
    stream: bool,
) -> Vec<AiTarget> {
    targets
        .iter()
        .enumerate()
        .map(|(i, t)| match resolve_target(t, lookup) {
            Ok(rt) => AiTarget {
                provider: rt.provider.clone(),
                model: rt.model.clone(),
                upstream_url: ai_upstream::build_for(&rt, path, client_query, stream).ok().map(|u| url_of(&u, &[])),
                weight: weights[i],
                share: shares[i],
            },
            Err(_) => AiTarget {
                provider: t.get("model").and_then(|m| m.get_str("provider")).unwrap_or("").to_string(),
                model: None,
                upstream_url: None,
                weight: weights[i],
                share: shares[i],
            },
        })
        .collect()
}

/// The request-side settings of the chosen target (templates resolved), or Kong's 400.
fn ai_conf(config: &Node, target: &Node, route_type: &str, lookup: &dyn Fn(Source, &str) -> Option<String>, show_secrets: bool) -> Result<Conf, String> {
    let record = target.get("model").map(|m| m.to_json(false)).unwrap_or_else(|| json!({}));
    // kong/llm/drivers/shared.lua merge_model_options: templates in every string of `model`
    let record = request::resolve_model(&record, lookup)?;
    let mut conf = Conf::new(route_type, Model::from_record(&record));
    conf.response_streaming = config.get_str("response_streaming").map(String::from);
    conf.max_request_body_size = config.get("max_request_body_size").and_then(Node::as_i64).map(|v| v.max(0) as usize);
    let auth = target.get("auth");
    let a = |k: &str| auth.and_then(|x| x.get(k));
    if let (Some(name), Some(value), Some("body")) = (a("param_name").and_then(Node::as_str), a("param_value"), a("param_location").and_then(Node::as_str)) {
        conf.body_auth = Some(BodyAuth {
            name: name.to_string(),
            value: if show_secrets { value.as_str().unwrap_or("").to_string() } else { "[masked]".into() },
            allow_override: a("allow_override").and_then(Node::as_bool).unwrap_or(false),
        });
    }
    Ok(conf)
}

/// With Kong Enterprise 3.14's `model_alias`, a body naming the alias is served by the
/// target's model (../shared/reference/ai-proxy.md §5): the body with its `model` replaced,
/// when it names the alias.
fn apply_alias(raw: &[u8], alias: &str, name: &str) -> Option<Vec<u8>> {
    let mut body: Json = serde_json::from_slice(raw).ok()?;
    let m = body.as_object_mut()?;
    if alias == name || m.get("model").and_then(Json::as_str) != Some(alias) {
        return None;
    }
    m.insert("model".into(), Json::String(name.to_string()));
    serde_json::to_vec(&body).ok()
}

/// A note for each `model` string with several `$(...)` placeholders: resolved as Kong
/// 3.10.0.3 / 3.11+ does (see [`template::resolve`]), not as OSS master does.
fn multi_placeholder_notes(target: &Node) -> Vec<String> {
    let mut notes = Vec::new();
    let Some(model) = target.get("model") else { return notes };
    model.walk_strings("model", &mut |field, node| {
        if let Value::Str(s) = &node.value {
            if template::placeholders(s).is_ok_and(|p| p.len() > 1) {
                notes.push(format!(
                    "{field} has several $(...) placeholders: all are replaced, left to right, as in Kong Gateway 3.10.0.3 / 3.11+ (Kong commit 41688fe4); Kong OSS master replaces only the first (kong/llm/drivers/shared.lua merge_model_options)"
                ));
            }
        }
    });
    notes
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
