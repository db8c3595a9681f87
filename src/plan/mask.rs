//! Which fields of an entity are secret: values that came from the environment, the fields the
//! kinds table marks as credentials, and plugin fields Kong's schema marks `encrypted`.

use crate::model::kinds::Kind;
use crate::node::{Node, Value};
use crate::schema::kong::Schemas;
use std::collections::BTreeSet;

pub(super) fn env_paths(node: &Node, path: &str, out: &mut BTreeSet<String>) {
    if node.env.is_some() {
        out.insert(path.to_string());
    }
    match &node.value {
        Value::Seq(items) => items.iter().enumerate().for_each(|(i, n)| env_paths(n, &format!("{path}[{i}]"), out)),
        Value::Map(m) => m.iter().for_each(|e| env_paths(&e.value, &crate::node::join_field(path, &e.key), out)),
        _ => {}
    }
}

pub(super) fn is_secret(kind: &Kind, plugin: Option<&str>, path: &str, env: &BTreeSet<String>, schemas: &Schemas) -> bool {
    if env.iter().any(|p| path == p || path.starts_with(&format!("{p}.")) || path.starts_with(&format!("{p}["))) {
        return true;
    }
    let top = path.split(['.', '[']).next().unwrap_or("");
    if kind.secret_fields.contains(&top) {
        return true;
    }
    if let (Some(name), Some(rest)) = (plugin, path.strip_prefix("config.")) {
        if let Some(schema) = schemas.plugin(name) {
            let mut s = &schema.config;
            for part in rest.split('.') {
                let field = part.split('[').next().unwrap_or(part);
                match s.fields.get(field) {
                    Some(sub) => {
                        s = if part.contains('[') { sub.items.as_deref().unwrap_or(sub) } else { sub };
                    }
                    None => return false,
                }
                if s.encrypted {
                    return true;
                }
            }
        }
    }
    false
}

pub(super) const MASK: &str = "[masked]";
