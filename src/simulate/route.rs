//! Which route a simulated request hits and why: the winner, the runner-up (the first
//! matching sub-route of another route), the priority explanation, and a warning when
//! Kong's documented and effective priority formulas disagree.

use super::{strings, AtcExplanation, AtcMatcher, Routing, SimRequest, Simulation, Simulator};
use crate::model::Entity;
use crate::node::Node;
use crate::router::atc;
use crate::router::{self, Formula, RouteSpec};
use serde_json::json;

/// The route's id as Kong would have it: explicit, or derived from the name (DB-less).
pub fn route_id(route: &Entity) -> Option<uuid::Uuid> {
    match route.id() {
        Some(id) => uuid::Uuid::parse_str(id).ok(),
        None => route.name().map(router::dbless_route_id),
    }
}

/// The router's view of a route entity (paths, hosts, ..., and the expressions flavor's
/// `expression` and `priority`).
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

impl Simulator<'_> {
    /// What Kong does with the request: the route, why it won, and what follows the match.
    pub fn simulate(&self, req: &SimRequest, show_secrets: bool) -> Simulation {
        self.simulate_routed(req, show_secrets).0
    }

    /// [`Simulator::simulate`], and which of [`Simulator::route_entities`] the request hit.
    pub fn simulate_routed(&self, req: &SimRequest, show_secrets: bool) -> (Simulation, Option<usize>) {
        let http = &req.request;
        let mut warnings = Vec::new();
        let mut explanation = Vec::new();
        let (found, runner_up) = match &self.routing {
            Routing::Classic(router) => {
                let router::Explained { winner, runner_up, other_formula } = router.explain(http);
                let name_of = |route: Option<usize>| route.map(|r| self.routes[r].label());
                let found_route = winner.as_ref().map(|m| m.route);
                // the same route has the same label: only different routes need theirs compared
                let (found_name, other_name) =
                    if found_route == other_formula { (None, None) } else { (name_of(found_route), name_of(other_formula)) };
                if found_name != other_name {
                    let (eff, doc) = match self.formula {
                        Formula::Effective => (found_name, other_name),
                        Formula::Documented => (other_name, found_name),
                    };
                    warnings.push(format!(
                        "Kong's documented priority formula picks {} but the formula Kong really computes on x86-64 picks {} (Kong/kong#14457)",
                        doc.unwrap_or_else(|| "no route".into()),
                        eff.unwrap_or_else(|| "no route".into())
                    ));
                }
                (winner, runner_up)
            }
            // atc-router tries the matchers in order (kong/router/atc.lua); the first of
            // another route is the runner-up
            Routing::Expressions(router) => router.winner_and_runner_up(http),
        };
        let Some(m) = found else {
            let msg = "no Route matched with those values";
            let mut sim = Simulation::rejected(404, msg, json!({ "message": msg }));
            if http.match_path().is_none() {
                sim.warnings.push("the normalized request path is not valid UTF-8: Kong's router errors and answers 404".into());
            }
            sim.warnings.extend(warnings);
            return (sim, None);
        };
        let (winner, runner) = (self.ranked(&m), runner_up.as_ref().map(|r| self.ranked(r)));
        match &self.routing {
            Routing::Classic(_) => explanation.push(format!("priority {:#018x} ({:?} formula)", winner.priority, self.formula)),
            Routing::Expressions(_) => explanation.push(format!("priority {:#018x} (expressions flavor)", winner.priority)),
        }
        if let (Some(runner), Some(re)) = (&runner_up, &runner) {
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
        (self.after_match(req, &m, show_secrets, warnings, explanation), Some(m.route))
    }

    /// `simulate --explain`: the ATC expression and priority Kong generates for the winner
    /// and the runner-up of `req` (kong/router/transform.lua, expressions.lua).
    pub fn explain_atc(&self, req: &SimRequest) -> AtcExplanation {
        let (winner, runner_up) = match &self.routing {
            Routing::Classic(router) => {
                let e = router.explain(&req.request);
                (e.winner, e.runner_up)
            }
            Routing::Expressions(router) => router.winner_and_runner_up(&req.request),
        };
        let matcher = |m: &router::Match| {
            let spec = &self.specs[m.route];
            let priority = self.ranked(m).priority;
            let subs = atc::transform::sub_routes(spec, self.flavor, self.formula);
            let sub = subs.iter().find(|s| s.priority == priority).or(subs.first());
            AtcMatcher {
                route: self.routes[m.route].label(),
                expression: sub.map(|s| s.expression.clone()).unwrap_or_default(),
                priority: sub.map_or(priority, |s| s.priority),
            }
        };
        AtcExplanation { router_flavor: self.flavor.name(), winner: winner.as_ref().map(matcher), runner_up: runner_up.as_ref().map(matcher) }
    }

    /// The priority and id the matched (sub-)route is ordered by.
    fn ranked(&self, m: &router::Match) -> Ranked {
        match &self.routing {
            Routing::Classic(router) => {
                let e = &router.entries[m.entry];
                Ranked { priority: e.priority, uuid: e.uuid }
            }
            Routing::Expressions(router) => {
                let x = router.matcher(m.entry);
                // ids Kong would draw at random are stand-ins here (atc::route_uuid)
                let real = self.specs[m.route].id.is_some() || self.specs[m.route].name.is_some();
                Ranked { priority: x.priority, uuid: real.then_some(x.uuid) }
            }
        }
    }
}

/// What a matched (sub-)route is ordered by: priority, then id (descending).
struct Ranked {
    priority: u64,
    uuid: Option<uuid::Uuid>,
}

fn fmt_id(u: Option<uuid::Uuid>) -> String {
    u.map(|u| u.to_string()).unwrap_or_else(|| "random".into())
}
