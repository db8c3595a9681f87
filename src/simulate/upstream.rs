//! After the match: the route's protocol checks (HTTPS redirect, gRPC only), the service
//! target (its `url` shorthand expanded), and the request Kong sends upstream.

use super::{strings, ErrorBody, Named, PluginRef, SimRequest, Simulation, Simulator, UpstreamRequest};
use crate::model::Entity;
use crate::node::Node;
use crate::router::{self, normalize, upstream, Request};
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;

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

/// What the answer for a route takes from the config whatever the request: computed once
/// per route when the [`Simulator`] is built, so a simulation reads no node tree after the
/// match.
pub(super) struct RouteParts<'a> {
    route: Named,
    service: Option<ServiceParts<'a>>,
    strip: bool,
    /// `protocols` has https and not http: requests over http are redirected.
    https_only: bool,
    /// `protocols` are all grpc/grpcs: requests need a gRPC content type.
    grpc_only: bool,
    redirect_code: u16,
    preserve_host: bool,
}

struct ServiceParts<'a> {
    named: Named,
    protocol: String,
    /// `host`, or `host:port` when the port is not the protocol's default.
    authority: String,
    /// The service path, `/` without one.
    base: String,
    /// The plugins that run over http ([0]) and over https ([1]).
    plugins: [RoutePlugins<'a>; 2],
}

struct RoutePlugins<'a> {
    refs: Vec<PluginRef>,
    /// The first active `ai-proxy(-advanced)` instance.
    ai: Option<&'a Entity>,
}

impl<'a> Simulator<'a> {
    /// [`RouteParts`] of `route`.
    pub(super) fn route_parts(&self, route: &'a Entity, id: Option<uuid::Uuid>) -> RouteParts<'a> {
        let rn = &route.node;
        let protocols = strings(rn.get("protocols"));
        let protocols = if protocols.is_empty() { vec!["http".to_string(), "https".to_string()] } else { protocols };
        let service = self.config.service_of(route).map(|service| {
            let st = service_target(service);
            let default_port = (st.protocol == "https" && st.port == 443) || (st.protocol == "http" && st.port == 80);
            let plugins = [false, true].map(|https| {
                let (active, conditional) = self.plugins_for(route, service, https);
                let plugin_ref = |(p, scope): &(&Entity, String)| PluginRef {
                    name: p.node.get_str("name").unwrap_or("").into(),
                    id: p.id().map(String::from),
                    scope: scope.clone(),
                };
                RoutePlugins {
                    refs: active.iter().chain(conditional.iter()).map(plugin_ref).collect(),
                    ai: active.iter().find(|(p, _)| matches!(p.node.get_str("name"), Some("ai-proxy" | "ai-proxy-advanced"))).map(|(p, _)| *p),
                }
            });
            ServiceParts {
                named: Named { name: service.name().map(String::from), id: service.id().map(String::from) },
                authority: if default_port { st.host.clone() } else { format!("{}:{}", st.host, st.port) },
                base: st.path.clone().unwrap_or_else(|| "/".into()),
                protocol: st.protocol,
                plugins,
            }
        });
        RouteParts {
            route: Named { name: route.name().map(String::from), id: id.map(|u| u.to_string()) },
            service,
            strip: rn.get("strip_path").and_then(Node::as_bool).unwrap_or(true),
            https_only: protocols.iter().any(|p| p == "https") && !protocols.iter().any(|p| p == "http"),
            grpc_only: protocols.iter().all(|p| p == "grpc" || p == "grpcs"),
            redirect_code: rn.get("https_redirect_status_code").and_then(Node::as_i64).unwrap_or(426) as u16,
            preserve_host: rn.get("preserve_host").and_then(Node::as_bool).unwrap_or(false),
        }
    }

    pub(super) fn after_match(
        &self,
        req: &SimRequest,
        m: &router::Match,
        show_secrets: bool,
        warnings: Vec<String>,
        explanation: Vec<String>,
    ) -> Simulation {
        let parts = &self.parts[m.route];
        let captures: Option<Map<String, Json>> =
            m.captures.as_ref().map(|c| c.iter().map(|(k, v)| (k.clone(), Json::String(v.clone()))).collect());
        let strip = parts.strip;
        let strip_prefix = if strip { m.matched_path.clone() } else { None };
        let mut sim = Simulation {
            status: 200,
            route: Some(parts.route.clone()),
            service: parts.service.as_ref().map(|s| s.named.clone()),
            uri_captures: captures,
            strip_prefix,
            upstream: None,
            plugins: Vec::new(),
            ai: None,
            error: None,
            warnings,
            atc: None,
            explanation,
            error_body: None,
        };
        if !req.request.https && parts.https_only {
            let code = parts.redirect_code;
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
        if parts.grpc_only {
            let ct = req.request.header_values("content-type").next().unwrap_or("");
            if !ct.starts_with("application/grpc") {
                let msg = "Non-gRPC request matched gRPC route";
                sim.status = 415;
                sim.error = Some(ErrorBody { message: msg.into() });
                sim.error_body = Some(json!({ "message": msg }));
                return sim;
            }
        }
        let Some(service) = &parts.service else {
            let msg = "no Service found with those values";
            sim.status = 503;
            sim.error = Some(ErrorBody { message: msg.into() });
            sim.error_body = Some(json!({ "message": msg }));
            return sim;
        };
        let plugins = &service.plugins[usize::from(req.request.https)];
        sim.plugins = plugins.refs.clone();
        let path = req.request.match_path().unwrap_or_default();
        let up_path = normalize::escape(upstream::upstream_path_v0(&path, m.matched_path.as_deref(), &service.base, strip).as_bytes());
        let query = router::query_of(&req.request.target);
        let host_header = match (&req.request.host, parts.preserve_host) {
            (Some(h), true) => h.clone(),
            _ => service.authority.clone(),
        };
        let mut headers: BTreeMap<String, String> = forwarded_headers(&req.request);
        headers.insert("X-Forwarded-Path".into(), router::path_only(&req.request.target).to_string());
        if let Some(prefix) = sim.strip_prefix.as_ref().filter(|p| *p != "/") {
            headers.insert("X-Forwarded-Prefix".into(), prefix.clone());
        }
        let mut url = format!("{}://{}{}", service.protocol, service.authority, up_path);
        if let Some(q) = query {
            url.push('?');
            url.push_str(q);
        }
        let body = req.body.as_deref().map(super::body_json);
        sim.upstream = Some(UpstreamRequest { method: req.request.method.clone(), url, path: up_path, host_header, headers, body });
        if let Some(plugin) = plugins.ai {
            self.apply_ai(&mut sim, plugin, req, m, show_secrets);
        }
        sim
    }
}

/// The client's headers Kong passes on, and the `X-Forwarded-*` ones it adds. A header sent
/// more than once (names compare case-insensitively) is one header whose values are joined
/// with ", " under its first spelling, as RFC 9110 §5.3 allows a recipient to combine them.
fn forwarded_headers(req: &Request) -> BTreeMap<String, String> {
    let mut h: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in &req.headers {
        let lk = k.to_ascii_lowercase();
        if matches!(lk.as_str(), "host" | "connection" | "keep-alive" | "te" | "transfer-encoding" | "upgrade" | "proxy-connection" | "content-length") {
            continue;
        }
        match h.iter_mut().find(|(name, _)| name.eq_ignore_ascii_case(k)) {
            Some((_, values)) => {
                values.push_str(", ");
                values.push_str(v);
            }
            None => {
                h.insert(k.clone(), v.clone());
            }
        }
    }
    h.insert("X-Forwarded-Proto".into(), if req.https { "https".into() } else { "http".into() });
    if let Some(host) = &req.host {
        h.insert("X-Forwarded-Host".into(), host.split(':').next().unwrap_or(host).to_string());
    }
    h.insert("X-Forwarded-Port".into(), req.listener_port.to_string());
    h
}
