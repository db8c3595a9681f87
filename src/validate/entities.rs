//! Core entity schemas (services, routes, consumers, ...) and their whole-entity checks.

use crate::diagnostic::Diagnostic;
use crate::model::Config;
use crate::rules;
use crate::schema::{self, check};

pub fn check(config: &Config, out: &mut Vec<Diagnostic>) {
    for ent in &config.entities {
        let Some(schema) = schema::entity(ent.kind) else { continue };
        let label = ent.label();
        check::check_record_fields(&ent.node, schema, "", &label, out);
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
