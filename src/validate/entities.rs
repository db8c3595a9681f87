//! Core entity schemas (services, routes, consumers, ...) and their whole-entity checks.

use crate::diagnostic::Diagnostic;
use crate::model::Config;
use crate::rules;
use crate::schema::{self, check};

pub fn check(config: &Config, out: &mut Vec<Diagnostic>) {
    for ent in &config.entities {
        let Some(schema) = schema::entity(ent.kind) else { continue };
        let label = ent.label();
        let mut found = Vec::new();
        check::check_record_fields(&ent.node, schema, "", &label, &mut found);
        if ent.kind == "routes" {
            expression_fields(&mut found);
        }
        out.extend(found);
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
