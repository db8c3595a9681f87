//! Which route a simulated request hits and why: the winner, the runner-up (the first
//! matching sub-route of another route), the priority explanation, and a warning when
//! Kong's documented and effective priority formulas disagree.

use super::{strings, SimRequest, Simulation, Simulator};
use crate::model::Entity;
use crate::node::Node;
use crate::router::{self, Formula, RouteSpec};
use serde_json::json;

/// The route's id as Kong would have it: explicit, or derived from the name (DB-less).
pub fn route_id(route: &Entity) -> Option<uuid::Uuid> {
    match route.id() {
        Some(id) => uuid::Uuid::parse_str(id).ok(),
        None => route.name().map(router::dbless_route_id),
    }
}

pub(super) fn route_spec(e: &Entity) -> RouteSpec {
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
        let router::Explained { winner: found, runner_up, other_formula: other } = self.router.explain(http);
        let mut warnings = Vec::new();
        let mut explanation = Vec::new();
        let name_of = |route: Option<usize>| route.map(|r| self.routes[r].label());
        let found_route = found.as_ref().map(|m| m.route);
        // the same route has the same label: only different routes need theirs compared
        let (found_name, other_name) = if found_route == other { (None, None) } else { (name_of(found_route), name_of(other)) };
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
        let Some(m) = found else {
            let msg = "no Route matched with those values";
            let mut sim = Simulation::rejected(404, msg, json!({ "message": msg }));
            if http.match_path().is_none() {
                sim.warnings.push("the normalized request path is not valid UTF-8: Kong's router errors and answers 404".into());
            }
            sim.warnings.extend(warnings);
            return (sim, None);
        };
        let winner = &self.router.entries[m.entry];
        explanation.push(format!("priority {:#018x} ({:?} formula)", winner.priority, self.formula));
        if let Some(runner) = &runner_up {
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
        (self.after_match(req, route, &m, show_secrets, warnings, explanation), Some(m.route))
    }
}

fn fmt_id(u: Option<uuid::Uuid>) -> String {
    u.map(|u| u.to_string()).unwrap_or_else(|| "random".into())
}
