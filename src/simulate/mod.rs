//! Simulating a request against a config, as Kong 3.x would handle it: the route, its
//! captures, the plugins that run, the upstream request, and what an AI proxy plugin
//! sends to the provider.
//!
//! Adapts the decK model to the router's and AI proxy's small inputs; no I/O. This file
//! holds the result types and the [`Simulator`] (a config with its router built once);
//! each step of a simulation has its own file:
//! - `route.rs`: which route wins, the runner-up and the priority explanation;
//! - `upstream.rs`: after the match, protocol checks and the request sent to the service;
//! - `plugins.rs`: which plugin instances run for a route and service;
//! - `ai.rs`: what an `ai-proxy(-advanced)` plugin sends to the provider;
//! - `query.rs`: query string parameters.

mod ai;
mod plugins;
mod query;
mod route;
mod upstream;

pub use query::query_params;
pub use route::route_id;
pub use upstream::{parse_service_url, service_target, ServiceTarget};

use crate::model::{Config, Entity};
use crate::node::Node;
use crate::router::{Formula, Request, RouteSpec, Router};
use route::route_spec;
use serde::Serialize;
use serde_json::{Map, Value as Json};
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
    pub(super) fn rejected(status: u16, message: &str, body: Json) -> Simulation {
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

/// A config prepared for many simulations (router built once).
pub struct Simulator<'a> {
    config: &'a Config,
    routes: Vec<&'a Entity>,
    router: Router,
    formula: Formula,
    plugins: plugins::PluginIndex<'a>,
    /// Each route's id as Kong has it (computed once: a DB-less id is two SHA-1 hashes).
    route_ids: Vec<Option<uuid::Uuid>>,
}

pub(super) fn strings(n: Option<&Node>) -> Vec<String> {
    n.and_then(Node::as_seq).map(|s| s.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default()
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
        let route_ids = specs.iter().map(|s| s.id).collect();
        Ok(Simulator { config, routes, router, formula, plugins: plugins::PluginIndex::new(config), route_ids })
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
}
