//! Simulating a request against a config, as Kong 3.x would handle it: the route, its
//! captures, the plugins that run, the upstream request, and what an AI proxy plugin
//! sends to the provider.
//!
//! Adapts the decK model to the router's and AI proxy's small inputs; no I/O.

use crate::ai_proxy::template::{self, Source};
use crate::ai_proxy::upstream::{self as ai_upstream, Target};
use crate::model::{reference, Config, Entity};
use crate::node::{Node, Value};
use crate::router::{self, normalize, upstream, Formula, Request, RouteSpec, Router};
use serde::Serialize;
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;

/// A request to simulate: what the router sees, plus the body the AI proxy reads.
#[derive(Clone, Debug, Default)]
pub struct SimRequest {
    pub request: Request,
    pub body: Option<Vec<u8>>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Named {
    pub name: Option<String>,
    pub id: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct UpstreamRequest {
    pub method: String,
    pub url: String,
    pub path: String,
    pub host_header: String,
    pub headers: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PluginRef {
    pub name: String,
    pub id: Option<String>,
    pub scope: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AiTarget {
    pub provider: String,
    pub model: Option<String>,
    pub upstream_url: Option<String>,
    pub weight: u64,
    pub share: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AiResult {
    pub plugin: String,
    pub provider: String,
    pub route_type: String,
    pub model: Option<String>,
    pub targets: Vec<AiTarget>,
    pub upstream_url: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ErrorBody {
    pub message: String,
}

/// The result, in the JSON shape `gateway simulate --output json` prints.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Simulation {
    pub status: u16,
    pub route: Option<Named>,
    pub service: Option<Named>,
    pub uri_captures: Option<Map<String, Json>>,
    pub strip_prefix: Option<String>,
    pub upstream: Option<UpstreamRequest>,
    pub plugins: Vec<PluginRef>,
    pub ai: Option<AiResult>,
    pub error: Option<ErrorBody>,
    pub warnings: Vec<String>,
    /// Why the route won (text output only).
    #[serde(skip)]
    pub explanation: Vec<String>,
    /// The body Kong answers with when it rejects the request (text output and the listener).
    #[serde(skip)]
    pub error_body: Option<Json>,
}

impl Simulation {
    fn rejected(status: u16, message: &str, body: Json) -> Simulation {
        Simulation {
            status,
            route: None,
            service: None,
            uri_captures: None,
            strip_prefix: None,
            upstream: None,
            plugins: Vec::new(),
            ai: None,
            error: Some(ErrorBody { message: message.to_string() }),
            warnings: Vec::new(),
            explanation: Vec::new(),
            error_body: Some(body),
        }
    }
}

/// Plugins with the scope they run under.
type Scoped<'a> = Vec<(&'a Entity, String)>;

/// A config prepared for many simulations (router built once).
pub struct Simulator<'a> {
    config: &'a Config,
    routes: Vec<&'a Entity>,
    router: Router,
    formula: Formula,
}

fn strings(n: Option<&Node>) -> Vec<String> {
    n.and_then(Node::as_seq).map(|s| s.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default()
}

/// The route's id as Kong would have it: explicit, or derived from the name (DB-less).
pub fn route_id(route: &Entity) -> Option<uuid::Uuid> {
    match route.id() {
        Some(id) => uuid::Uuid::parse_str(id).ok(),
        None => route.name().map(router::dbless_route_id),
    }
}

pub fn route_spec(e: &Entity) -> RouteSpec {
    let n = &e.node;
    RouteSpec {
        name: e.name().map(String::from),
        id: route_id(e),
        paths: strings(n.get("paths")),
        hosts: n.get_set("hosts").map(|h| strings(Some(h))),
        methods: strings(n.get("methods")),
        headers: n.get_set("headers").map(|h| h.entries().iter().map(|e| (e.key.clone(), strings(Some(&e.value)))).collect()).unwrap_or_default(),
        snis: strings(n.get("snis")),
        regex_priority: n.get("regex_priority").and_then(Node::as_i64).unwrap_or(0),
        protocols: n.get_set("protocols").map(|p| strings(Some(p))).unwrap_or_else(|| RouteSpec::default().protocols),
        expression: n.get_str("expression").map(String::from),
        priority: n.get("priority").and_then(Node::as_i64).and_then(|p| u64::try_from(p).ok()),
    }
}

/// A service's protocol, host, port and path (the `url` shorthand expanded).
#[derive(Clone, Debug)]
pub struct ServiceTarget {
    pub protocol: String,
    pub host: String,
    pub port: u16,
    pub path: Option<String>,
}

pub fn service_target(svc: &Entity) -> ServiceTarget {
    let n = &svc.node;
    let (mut protocol, mut host, mut port, mut path) = (
        n.get_str("protocol").unwrap_or("http").to_string(),
        n.get_str("host").unwrap_or("").to_string(),
        n.get("port").and_then(Node::as_i64).map(|p| p as u16),
        n.get_str("path").map(String::from),
    );
    if let Some(url) = n.get_str("url") {
        let (p, h, pt, pa) = parse_service_url(url);
        protocol = p;
        host = h;
        port = pt.or(port);
        path = pa;
    }
    let port = port.unwrap_or(if protocol == "https" || protocol == "grpcs" { 443 } else { 80 });
    ServiceTarget { protocol, host, port, path }
}

/// Splits a service `url` into protocol, host, port and path, as Kong expands it (the port
/// defaults by protocol).
pub fn parse_service_url(url: &str) -> (String, String, Option<u16>, Option<String>) {
    let Ok(p) = crate::url::split(url) else {
        return ("http".into(), url.to_string(), Some(80), None);
    };
    let port = p.port.or(match p.scheme.as_str() {
        "https" | "grpcs" | "wss" => Some(443),
        "http" | "grpc" | "ws" => Some(80),
        _ => None,
    });
    (p.scheme, p.host, port, Some(p.path).filter(|p| !p.is_empty()))
}

impl<'a> Simulator<'a> {
    pub fn new(config: &'a Config, formula: Formula) -> Result<Simulator<'a>, String> {
        let routes: Vec<&Entity> = config
            .of_kind("routes")
            .filter(|r| {
                config.service_of(r).is_none_or(|s| s.node.get("enabled").and_then(Node::as_bool) != Some(false))
            })
            .filter(|r| {
                let protocols = strings(r.node.get("protocols"));
                protocols.is_empty() || protocols.iter().any(|p| matches!(p.as_str(), "http" | "https" | "grpc" | "grpcs" | "ws" | "wss"))
            })
            .collect();
        let specs: Vec<RouteSpec> = routes.iter().map(|r| route_spec(r)).collect();
        let router = Router::new(&specs, formula)
            .map_err(|e| format!("route '{}': path '{}': {}", routes[e.route].label(), e.path, e.message))?;
        Ok(Simulator { config, routes, router, formula })
    }

    pub fn route_entities(&self) -> &[&'a Entity] {
        &self.routes
    }

    /// Just the route Kong picks (for the test runner and benchmarks).
    pub fn find_route(&self, req: &SimRequest) -> Option<&'a Entity> {
        self.router.find(&req.request).map(|m| self.routes[m.route])
    }

    pub fn router(&self) -> &Router {
        &self.router
    }

    pub fn simulate(&self, req: &SimRequest, show_secrets: bool) -> Simulation {
        let http = &req.request;
        let found = self.router.find(http);
        let mut warnings = Vec::new();
        let mut explanation = Vec::new();
        let other = self.router.find_with_other_formula(http);
        let name_of = |m: &Option<router::Match>| m.as_ref().map(|m| self.routes[m.route].label());
        if name_of(&found) != name_of(&other) {
            let (eff, doc) = match self.formula {
                Formula::Effective => (name_of(&found), name_of(&other)),
                Formula::Documented => (name_of(&other), name_of(&found)),
            };
            warnings.push(format!(
                "Kong's documented priority formula picks {} but the formula Kong really computes on x86-64 picks {} (Kong/kong#14457)",
                doc.unwrap_or_else(|| "no route".into()),
                eff.unwrap_or_else(|| "no route".into())
            ));
        }
        let Some(m) = found else {
            let msg = "no Route matched with those values";
            let mut sim = Simulation::rejected(404, msg, json!({ "message": msg }));
            if http.match_path().is_none() {
                sim.warnings.push("the normalized request path is not valid UTF-8: Kong's router errors and answers 404".into());
            }
            sim.warnings.extend(warnings);
            return sim;
        };
        let all = self.router.all_matches(http);
        let winner = &self.router.entries[m.entry];
        explanation.push(format!("priority {:#018x} ({:?} formula)", winner.priority, self.formula));
        if let Some(runner) = all.iter().find(|x| x.route != m.route) {
            let re = &self.router.entries[runner.entry];
            let why = if re.priority == winner.priority {
                format!("same priority; the tie is broken by route id, descending ({} > {})", fmt_id(winner.uuid), fmt_id(re.uuid))
            } else {
                format!("higher priority than {:#018x}", re.priority)
            };
            explanation.push(format!("runner-up {}: {why}", self.routes[runner.route].label()));
            if re.priority == winner.priority && (winner.uuid.is_none() || re.uuid.is_none()) {
                warnings.push(format!(
                    "{} and {} tie on priority and one has no name or id: Kong generates a random id, so either may win",
                    self.routes[m.route].label(),
                    self.routes[runner.route].label()
                ));
            }
        } else {
            explanation.push("no other route matches this request".into());
        }
        let route = self.routes[m.route];
        self.after_match(req, route, &m, show_secrets, warnings, explanation)
    }

    fn after_match(
        &self,
        req: &SimRequest,
        route: &'a Entity,
        m: &router::Match,
        show_secrets: bool,
        warnings: Vec<String>,
        explanation: Vec<String>,
    ) -> Simulation {
        let rn = &route.node;
        let service = self.config.service_of(route);
        let captures: Option<Map<String, Json>> =
            m.captures.as_ref().map(|c| c.iter().map(|(k, v)| (k.clone(), Json::String(v.clone()))).collect());
        let strip = rn.get("strip_path").and_then(Node::as_bool).unwrap_or(true);
        let strip_prefix = if strip { m.matched_path.clone() } else { None };
        let mut sim = Simulation {
            status: 200,
            route: Some(Named { name: route.name().map(String::from), id: route_id(route).map(|u| u.to_string()) }),
            service: service.map(|s| Named { name: s.name().map(String::from), id: s.id().map(String::from) }),
            uri_captures: captures,
            strip_prefix,
            upstream: None,
            plugins: Vec::new(),
            ai: None,
            error: None,
            warnings,
            explanation,
            error_body: None,
        };
        let protocols = strings(rn.get("protocols"));
        let protocols = if protocols.is_empty() { vec!["http".to_string(), "https".to_string()] } else { protocols };
        if !req.request.https && protocols.iter().any(|p| p == "https") && !protocols.iter().any(|p| p == "http") {
            let code = rn.get("https_redirect_status_code").and_then(Node::as_i64).unwrap_or(426) as u16;
            sim.status = code;
            if code == 426 {
                let msg = "Please use HTTPS protocol";
                sim.error = Some(ErrorBody { message: msg.into() });
                sim.error_body = Some(json!({ "message": msg }));
            } else {
                // Kong redirects to the same URL over https
                let host = req.request.host.as_deref().map(|h| h.split(':').next().unwrap_or(h)).unwrap_or("localhost");
                let location = format!("https://{host}{}", req.request.target);
                sim.error = Some(ErrorBody { message: format!("redirect to {location}") });
                sim.error_body = Some(json!({ "message": format!("redirect to {location}") }));
            }
            return sim;
        }
        if protocols.iter().all(|p| p == "grpc" || p == "grpcs") {
            let ct = req.request.header_values("content-type").next().unwrap_or("");
            if !ct.starts_with("application/grpc") {
                let msg = "Non-gRPC request matched gRPC route";
                sim.status = 415;
                sim.error = Some(ErrorBody { message: msg.into() });
                sim.error_body = Some(json!({ "message": msg }));
                return sim;
            }
        }
        let Some(service) = service else {
            let msg = "no Service found with those values";
            sim.status = 503;
            sim.error = Some(ErrorBody { message: msg.into() });
            sim.error_body = Some(json!({ "message": msg }));
            return sim;
        };
        let (plugins, conditional) = self.plugins_for(route, service, req.request.https);
        sim.plugins = plugins.iter().map(|(p, scope)| PluginRef { name: p.node.get_str("name").unwrap_or("").into(), id: p.id().map(String::from), scope: scope.clone() }).collect();
        sim.plugins.extend(conditional.iter().map(|(p, scope)| PluginRef {
            name: p.node.get_str("name").unwrap_or("").into(),
            id: p.id().map(String::from),
            scope: scope.clone(),
        }));
        let path = req.request.match_path().unwrap_or_default();
        let st = service_target(service);
        let base = st.path.clone().unwrap_or_else(|| "/".into());
        let up_path = normalize::escape(upstream::upstream_path_v0(&path, m.matched_path.as_deref(), &base, strip).as_bytes());
        let query = router::query_of(&req.request.target).map(String::from);
        let preserve = rn.get("preserve_host").and_then(Node::as_bool).unwrap_or(false);
        let default_port = (st.protocol == "https" && st.port == 443) || (st.protocol == "http" && st.port == 80);
        let authority = if default_port { st.host.clone() } else { format!("{}:{}", st.host, st.port) };
        let host_header = match (&req.request.host, preserve) {
            (Some(h), true) => h.clone(),
            _ => authority.clone(),
        };
        let mut headers: BTreeMap<String, String> = forwarded_headers(&req.request);
        headers.insert("X-Forwarded-Path".into(), router::path_only(&req.request.target).to_string());
        if let Some(prefix) = sim.strip_prefix.as_ref().filter(|p| *p != "/") {
            headers.insert("X-Forwarded-Prefix".into(), prefix.clone());
        }
        let url = format!("{}://{}{}{}", st.protocol, authority, up_path, query.as_ref().map(|q| format!("?{q}")).unwrap_or_default());
        sim.upstream = Some(UpstreamRequest { method: req.request.method.clone(), url, path: up_path, host_header, headers });
        if let Some((plugin, _)) = plugins.iter().find(|(p, _)| matches!(p.node.get_str("name"), Some("ai-proxy" | "ai-proxy-advanced"))) {
            self.apply_ai(&mut sim, plugin, req, m, show_secrets);
        }
        sim
    }

    /// Plugins that run for this route and service, most specific instance per name, plus
    /// consumer-scoped ones that run only for an authenticated consumer.
    fn plugins_for(&self, route: &Entity, service: &Entity, https: bool) -> (Scoped<'a>, Scoped<'a>) {
        let is = |p: &Entity, kind: &str, target: &Entity| {
            reference(&p.node, if kind == "routes" { "route" } else { "service" })
                .and_then(|r| self.config.find(kind, &r.key))
                .is_some_and(|e| std::ptr::eq(e, target))
        };
        let mut best: BTreeMap<String, (u8, &'a Entity, String)> = BTreeMap::new();
        let mut conditional = Vec::new();
        let proto = if https { "https" } else { "http" };
        for p in self.config.of_kind("plugins") {
            if p.node.get("enabled").and_then(Node::as_bool) == Some(false) {
                continue;
            }
            let protocols = strings(p.node.get("protocols"));
            if !protocols.is_empty() && !protocols.iter().any(|x| x == proto) {
                continue;
            }
            let has_route = reference(&p.node, "route").is_some();
            let has_service = reference(&p.node, "service").is_some();
            let consumer = reference(&p.node, "consumer").or_else(|| reference(&p.node, "consumer_group"));
            let on_route = has_route && is(p, "routes", route);
            let on_service = has_service && is(p, "services", service);
            if (has_route && !on_route) || (has_service && !on_service) {
                continue;
            }
            let name = p.node.get_str("name").unwrap_or("").to_string();
            if let Some(c) = consumer {
                let kind = if reference(&p.node, "consumer").is_some() { "consumer" } else { "consumer group" };
                conditional.push((p, format!("{kind} {} (only when that consumer is authenticated)", c.key)));
                continue;
            }
            let (rank, scope) = match (on_route, on_service) {
                (true, true) => (3, "route+service"),
                (true, false) => (2, "route"),
                (false, true) => (1, "service"),
                (false, false) => (0, "global"),
            };
            if best.get(&name).is_none_or(|(r, _, _)| rank > *r) {
                best.insert(name, (rank, p, scope.to_string()));
            }
        }
        let mut active: Vec<(&'a Entity, String)> = best.into_values().map(|(_, p, s)| (p, s)).collect();
        active.sort_by_key(|(p, _)| p.node.get_str("name").unwrap_or("").to_string());
        (active, conditional)
    }

    fn apply_ai(&self, sim: &mut Simulation, plugin: &Entity, req: &SimRequest, m: &router::Match, show_secrets: bool) {
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

fn fmt_id(u: Option<uuid::Uuid>) -> String {
    u.map(|u| u.to_string()).unwrap_or_else(|| "random".into())
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

/// Query parameters, URL-decoded, in order (a bare `?key` gives "true", as Kong's PDK does).
pub fn query_params(target: &str) -> Vec<(String, String)> {
    let Some(q) = router::query_of(target) else { return Vec::new() };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (crate::url::decode_component(k), crate::url::decode_component(v)),
            None => (crate::url::decode_component(p), "true".into()),
        })
        .collect()
}

fn forwarded_headers(req: &Request) -> BTreeMap<String, String> {
    let mut h = BTreeMap::new();
    for (k, v) in &req.headers {
        let lk = k.to_ascii_lowercase();
        if matches!(lk.as_str(), "host" | "connection" | "keep-alive" | "te" | "transfer-encoding" | "upgrade" | "proxy-connection" | "content-length") {
            continue;
        }
        h.insert(k.clone(), v.clone());
    }
    h.insert("X-Forwarded-Proto".into(), if req.https { "https".into() } else { "http".into() });
    if let Some(host) = &req.host {
        h.insert("X-Forwarded-Host".into(), host.split(':').next().unwrap_or(host).to_string());
    }
    h.insert("X-Forwarded-Port".into(), req.listener_port.to_string());
    h
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
