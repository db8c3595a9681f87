//! Literal credentials: a secret plugin field (one Kong stores encrypted) written as a
//! literal instead of an environment variable or a vault reference.

use crate::diagnostic::Diagnostic;
use crate::model::Config;
use crate::node::{join_field, Node, Value};
use crate::rules;
use crate::schema::{Schema, Type};

pub fn check(config: &Config, schemas: &crate::schema::kong::Schemas, out: &mut Vec<Diagnostic>) {
    for plugin in config.of_kind("plugins") {
        let Some(name) = plugin.node.get_str("name") else { continue };
        let Some(schema) = super::plugins::schema_for(config, schemas, name) else { continue };
        let Some(cfg) = plugin.node.get_set("config") else { continue };
        walk(cfg, &schema.config, "config", &plugin.label(), out);
    }
}

fn walk(node: &Node, schema: &Schema, field: &str, label: &str, out: &mut Vec<Diagnostic>) {
    match (&node.value, schema.ty) {
        (Value::Str(s), Type::String) if schema.encrypted => {
            let reference = s.starts_with("{vault://") || s.contains("${");
            // a URL without user info is an endpoint, not a credential
            let plain_url = s.contains("://") && !s.split("://").nth(1).unwrap_or("").split('/').next().unwrap_or("").contains('@');
            if node.env.is_none() && !reference && !plain_url && !s.is_empty() {
                out.push(
                    Diagnostic::new(&rules::LITERAL_CREDENTIAL, "secret written as a literal value")
                        .at(node.loc)
                        .entity(label)
                        .field(field)
                        .hint("use ${{ env \"DECK_...\" }} or a {vault://...} reference so the secret stays out of the file"),
                );
            }
        }
        (Value::Map(entries), Type::Record) => {
            for e in entries {
                if let Some(sub) = schema.fields.get(&e.key) {
                    walk(&e.value, sub, &join_field(field, &e.key), label, out);
                }
            }
        }
        (Value::Seq(items), Type::Array | Type::Set) => {
            if let Some(item) = &schema.items {
                for (i, n) in items.iter().enumerate() {
                    walk(n, item, &format!("{field}[{i}]"), label, out);
                }
            }
        }
        _ => {}
    }
}
