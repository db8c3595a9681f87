//! Which plugin instances run for a matched route and service: the most specific
//! instance per plugin name, plus consumer-scoped ones that run only for an
//! authenticated consumer. The plugins are indexed by the route and service they name, so a
//! simulation looks only at the global ones and those of its route and service.

use super::{strings, Simulator};
use crate::model::{reference, Config, Entity};
use crate::node::Node;
use std::collections::{BTreeMap, HashMap};

/// The config's plugins (in config order) by the entity they are scoped to.
pub(super) struct PluginIndex<'a> {
    plugins: Vec<&'a Entity>,
    /// Plugins naming neither a route nor a service (global or consumer-only).
    unscoped: Vec<usize>,
    /// Plugins by the address of the route, or else the service, they name; one naming an
    /// entity that does not exist is in no list (it runs nowhere).
    by_entity: HashMap<*const Entity, Vec<usize>>,
}

impl<'a> PluginIndex<'a> {
    pub(super) fn new(config: &'a Config) -> PluginIndex<'a> {
        let plugins: Vec<&'a Entity> = config.of_kind("plugins").collect();
        let mut index = PluginIndex { plugins, unscoped: Vec::new(), by_entity: HashMap::new() };
        for (i, p) in index.plugins.iter().enumerate() {
            let target = match (reference(&p.node, "route"), reference(&p.node, "service")) {
                (None, None) => {
                    index.unscoped.push(i);
                    continue;
                }
                // a plugin on a route and a service needs both: file it under the route
                (Some(r), _) => config.find("routes", &r.key),
                (None, Some(s)) => config.find("services", &s.key),
            };
            if let Some(e) = target {
                index.by_entity.entry(std::ptr::from_ref(e)).or_default().push(i);
            }
        }
        index
    }

    /// The plugins that may run for `route` and `service`, in config order.
    fn candidates(&self, route: &Entity, service: &Entity) -> impl Iterator<Item = &'a Entity> + '_ {
        let mut picked = self.unscoped.clone();
        for e in [std::ptr::from_ref(route), std::ptr::from_ref(service)] {
            picked.extend(self.by_entity.get(&e).into_iter().flatten());
        }
        picked.sort_unstable();
        picked.dedup();
        picked.into_iter().map(|i| self.plugins[i])
    }
}

/// Plugins with the scope they run under.
type Scoped<'a> = Vec<(&'a Entity, String)>;

impl<'a> Simulator<'a> {
    /// Plugins that run for this route and service, most specific instance per name, plus
    /// consumer-scoped ones that run only for an authenticated consumer.
    pub(super) fn plugins_for(&self, route: &Entity, service: &Entity, https: bool) -> (Scoped<'a>, Scoped<'a>) {
        let is = |p: &Entity, kind: &str, target: &Entity| {
            reference(&p.node, if kind == "routes" { "route" } else { "service" })
                .and_then(|r| self.config.find(kind, &r.key))
                .is_some_and(|e| std::ptr::eq(e, target))
        };
        let mut best: BTreeMap<String, (u8, &'a Entity, String)> = BTreeMap::new();
        let mut conditional = Vec::new();
        let proto = if https { "https" } else { "http" };
        for p in self.plugins.candidates(route, service) {
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
    }}
