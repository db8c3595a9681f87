//! Core entity schemas (services, routes, consumers, ...) and their whole-entity checks.

use crate::diagnostic::Diagnostic;
use crate::model::Config;
use crate::router::Flavor;
use crate::rules;
use crate::schema::{self, check};

pub fn check(config: &Config, flavor: Option<Flavor>, out: &mut Vec<Diagnostic>) {
    for ent in &config.entities {
        let Some(schema) = schema::entity(ent.kind) else { continue };
        let label = ent.label();
        out.extend(schema_findings(ent, schema, flavor));
        if ent.kind == "services" {
            check_service(ent, &label, out);
        }
        if ent.kind == "consumers"
            && ent.node.get_set("username").is_none()
            && ent.node.get_set("custom_id").is_none()
        {
            out.push(
                Diagnostic::new(&rules::ENTITY_CHECK, "at least one of these fields must be non-empty: 'custom_id', 'username'")
                    .at(ent.node.loc)
                    .entity(&label),
            );
        }
    }
}

fn check_service(ent: &crate::model::Entity, label: &str, out: &mut Vec<Diagnostic>) {
    let n = &ent.node;
    match n.get_set("url") {
        Some(url) => {
            if let Some(u) = url.as_str() {
                if let Err(msg) = crate::url::split(u) {
                    out.push(Diagnostic::new(&rules::ENTITY_CHECK, msg).at(url.loc).entity(label).field("url"));
                }
            }
        }
        None if n.get_set("host").is_none() => out.push(
            Diagnostic::new(&rules::REQUIRED_FIELD, "required field missing")
                .at(n.loc)
                .entity(label)
                .field("host")
                .hint("set `host` (and optionally protocol, port, path) or the `url` shorthand"),
        ),
        None => {}
    }
}

/// The route schema's fields for the router flavor: the bundled schema is the default
/// flavor's; with the flavor unknown (the gateway will tell) its verdict on `expression` and
/// `priority` waits.
fn route_flavor_fields(route: &crate::model::Entity, flavor: Option<Flavor>, found: &mut Vec<Diagnostic>) {
    match flavor {
        Some(Flavor::TraditionalCompatible) => expression_fields(found),
        Some(Flavor::Expressions) => expressions_flavor_fields(&route.node, &route.label(), found),
        None => found.retain(|d| !(d.rule.code == rules::UNKNOWN_FIELD.code && matches!(d.field.as_deref(), Some("expression" | "priority")))),
    }
}

/// The route schema's findings alone, for [`super::routes_for_flavor`].
pub fn check_routes(config: &Config, flavor: Option<Flavor>, out: &mut Vec<Diagnostic>) {
    let Some(schema) = schema::entity("routes") else { return };
    for route in config.of_kind("routes") {
        out.extend(schema_findings(route, schema, flavor));
    }
}

/// An entity's findings against its schema; a route's for the router flavor.
fn schema_findings(ent: &crate::model::Entity, schema: &schema::Schema, flavor: Option<Flavor>) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    check::check_record_fields(&ent.node, schema, "", &ent.label(), &mut found);
    if ent.kind == "routes" {
        route_flavor_fields(ent, flavor, &mut found);
    }
    found
}

/// `expression` and `priority` are route fields of Kong's expressions router only
/// (kong/db/schema/entities/routes.lua adds them when `router_flavor` is `expressions`); the
/// default flavor's "unknown field" is replaced by a finding that says so.
fn expression_fields(found: &mut [Diagnostic]) {
    for d in found.iter_mut() {
        let field = d.field.as_deref().unwrap_or("");
        if d.rule.code == rules::UNKNOWN_FIELD.code && (field == "expression" || field == "priority") {
            d.rule = &rules::EXPRESSION_ROUTE;
            d.severity = rules::EXPRESSION_ROUTE.severity;
            d.message = format!(
                "'{field}' needs Kong's expressions router (router_flavor = expressions); under the default traditional_compatible flavor Kong answers \"unknown field\""
            );
            d.hint = Some(if field == "expression" {
                "write the route with paths, hosts, methods, headers or snis, or run Kong with `router_flavor = expressions`".into()
            } else {
                "remove `priority` (use `regex_priority` for regex paths), or run Kong with `router_flavor = expressions`".into()
            });
        }
    }
}

/// The route fields the expressions flavor adds (kong/db/schema/entities/routes.lua, when
/// `router_flavor` is `expressions`): `expression`, a string, and `priority`, an integer
/// between 0 and 2^46 - 1 (default 0). The bundled route schema is the default flavor's, so
/// its "unknown field" for these two gives way to these checks.
fn expressions_flavor_fields(n: &crate::node::Node, label: &str, found: &mut Vec<Diagnostic>) {
    found.retain(|d| !(d.rule.code == rules::UNKNOWN_FIELD.code && matches!(d.field.as_deref(), Some("expression" | "priority"))));
    if let Some(e) = n.get_set("expression").filter(|e| e.as_str().is_none()) {
        found.push(Diagnostic::new(&rules::WRONG_TYPE, "expected a string").at(e.loc).entity(label).field("expression"));
    }
    if let Some(p) = n.get_set("priority") {
        const MAX: i64 = (1 << 46) - 1;
        match p.as_i64() {
            None => found.push(Diagnostic::new(&rules::WRONG_TYPE, "expected an integer").at(p.loc).entity(label).field("priority")),
            Some(v) if !(0..=MAX).contains(&v) => {
                found.push(Diagnostic::new(&rules::OUT_OF_RANGE, format!("value should be between 0 and {MAX}")).at(p.loc).entity(label).field("priority"))
            }
            Some(_) => {}
        }
    }
}
