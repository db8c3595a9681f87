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
pub use route::{route_id, route_spec};
pub use upstream::{parse_service_url, service_target, ServiceTarget};

use crate::model::{Config, Entity};
use crate::node::Node;
use crate::router::atc::ExpressionsRouter;
use crate::router::{Flavor, Formula, Request, RouteSpec, Router};
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
    /// The body sent upstream: for an AI proxy the body Kong's driver builds
    /// ([`crate::ai_proxy::request::prepare`]), otherwise the client's body as given (JSON
    /// when it parses, else a string); `null` when no body was given.
    pub body: Option<Json>,
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
    /// Whether Kong streams this request (the body's `stream`, or `response_streaming: always`).
    pub stream: bool,
    /// What streaming changes upstream and what the client receives (streamed requests only).
    pub stream_plan: Option<crate::ai_proxy::stream::StreamPlan>,
    /// Where the simulation rests on an assumption rather than Kong's OSS code.
    pub notes: Vec<String>,
    /// What the AI proxy was configured with and the body it read (for the dry-run listener).
    #[serde(skip)]
    pub exchange: Option<AiExchange>,
}

/// The AI proxy's view of an accepted request, enough to replay it with
/// [`crate::ai_proxy::dry_run`].
#[derive(Clone, Debug, PartialEq)]
pub struct AiExchange {
    pub conf: crate::ai_proxy::request::Conf,
    pub body: Vec<u8>,
    pub content_type: Option<String>,
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
    /// The ATC expressions and priorities of the winner and runner-up (`--explain` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub atc: Option<AtcExplanation>,
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
            atc: None,
            explanation: Vec::new(),
            error_body: Some(body),
        }
    }
}

/// The router of Kong's flavor: the project's indexed matcher for traditional_compatible
/// (checked against atc-router by tests/router_atc_differential.rs), atc-router itself for
/// the expressions flavor.
enum Routing {
    Classic(Router),
    Expressions(ExpressionsRouter),
}

/// A config prepared for many simulations (router built once).
pub struct Simulator<'a> {
    config: &'a Config,
    routes: Vec<&'a Entity>,
    specs: Vec<RouteSpec>,
    routing: Routing,
    formula: Formula,
    flavor: Flavor,
    plugins: plugins::PluginIndex<'a>,
    /// What each route's answer takes from the config whatever the request (its id as
    /// Kong has it, service target, plugins, strip settings), computed once.
    parts: Vec<upstream::RouteParts<'a>>,
}

/// One matcher Kong gives atc-router for a route (`simulate --explain`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AtcMatcher {
    pub route: String,
    pub expression: String,
    pub priority: u64,
}

/// The winner's and the runner-up's matchers, as Kong's router generates them.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AtcExplanation {
    pub router_flavor: &'static str,
    pub winner: Option<AtcMatcher>,
    pub runner_up: Option<AtcMatcher>,
}

/// A body as shown in the simulation: JSON when it parses, else its text.
pub(crate) fn body_json(raw: &[u8]) -> Json {
    serde_json::from_slice(raw).unwrap_or_else(|_| Json::String(String::from_utf8_lossy(raw).into_owned()))
}

pub(super) fn strings(n: Option<&Node>) -> Vec<String> {
    n.and_then(Node::as_seq).map(|s| s.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default()
}

impl<'a> Simulator<'a> {
    /// A simulator for Kong's default router flavor, traditional_compatible.
    pub fn new(config: &'a Config, formula: Formula) -> Result<Simulator<'a>, String> {
        Self::with_flavor(config, formula, Flavor::TraditionalCompatible)
    }

    /// A simulator for a router flavor (`--router-flavor`).
    pub fn with_flavor(config: &'a Config, formula: Formula, flavor: Flavor) -> Result<Simulator<'a>, String> {
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
        let routing = match flavor {
            Flavor::TraditionalCompatible => Routing::Classic(
                Router::new(&specs, formula).map_err(|e| format!("route '{}': path '{}': {}", routes[e.route].label(), e.path, e.message))?,
            ),
            Flavor::Expressions => Routing::Expressions(ExpressionsRouter::new(&specs).map_err(|errors| {
                errors.iter().map(|e| format!("route '{}': {}", routes[e.route].label(), e.kong_message())).collect::<Vec<_>>().join("; ")
            })?),
        };
        let mut sim = Simulator { config, routes, specs, routing, formula, flavor, plugins: plugins::PluginIndex::new(config), parts: Vec::new() };
        sim.parts = sim.routes.iter().zip(&sim.specs).map(|(r, s)| sim.route_parts(r, s.id)).collect();
        Ok(sim)
    }

    pub fn route_entities(&self) -> &[&'a Entity] {
        &self.routes
    }

    /// The project's router (traditional_compatible); `None` in the expressions flavor.
    pub fn router(&self) -> Option<&Router> {
        match &self.routing {
            Routing::Classic(r) => Some(r),
            Routing::Expressions(_) => None,
        }
    }

    /// atc-router with Kong's expressions (expressions flavor); `None` in traditional_compatible.
    pub fn expressions_router(&self) -> Option<&ExpressionsRouter> {
        match &self.routing {
            Routing::Classic(_) => None,
            Routing::Expressions(r) => Some(r),
        }
    }

    pub fn flavor(&self) -> Flavor {
        self.flavor
    }
}
