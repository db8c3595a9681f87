//! Checks a node tree against a compact schema, with Kong's wording.

use super::{Schema, Type};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::node::{join_field, Node, Value};
use crate::rules;
use serde_json::Value as Json;

/// Checks `node` against `schema`; `field` is the path of `node` inside the entity.
pub fn check(node: &Node, schema: &Schema, field: &str, entity: &str, out: &mut Vec<Diagnostic>) {
    let diag = |rule, msg: String| Diagnostic::new(rule, msg).at(node.loc).entity(entity).field(field);
    if node.is_null() {
        return;
    }
    if schema.referenceable {
        if let Some(s) = node.as_str() {
            if s.starts_with("{vault://") {
                return;
            }
        }
    }
    match schema.ty {
        Type::Any => {}
        Type::String => match node.as_str() {
            Some(s) => {
                let len = s.chars().count() as u64;
                let min = schema.len_min.unwrap_or(1);
                if len < min {
                    out.push(diag(&rules::BAD_LENGTH, format!("length must be at least {min}")));
                } else if let Some(max) = schema.len_max.filter(|m| len > *m) {
                    out.push(diag(&rules::BAD_LENGTH, format!("length must be at most {max}")));
                }
                check_choices(node, schema, &diag, out);
            }
            None => out.push(diag(&rules::WRONG_TYPE, "expected a string".into())),
        },
        Type::Integer => match node.value {
            Value::Int(_) => {
                check_range(node, schema, &diag, out);
                check_choices(node, schema, &diag, out);
            }
            Value::Float(f) if f.fract() == 0.0 => check_range(node, schema, &diag, out),
            _ => out.push(diag(&rules::WRONG_TYPE, "expected an integer".into())),
        },
        Type::Number => match node.value {
            Value::Int(_) | Value::Float(_) => {
                check_range(node, schema, &diag, out);
                check_choices(node, schema, &diag, out);
            }
            _ => out.push(diag(&rules::WRONG_TYPE, "expected a number".into())),
        },
        Type::Boolean => {
            if node.as_bool().is_none() {
                out.push(diag(&rules::WRONG_TYPE, "expected a boolean".into()));
            }
        }
        Type::Array | Type::Set => match node.as_seq() {
            Some(items) => {
                let len = items.len() as u64;
                if let Some(min) = schema.len_min.filter(|m| len < *m) {
                    out.push(diag(&rules::BAD_LENGTH, format!("length must be at least {min}")));
                }
                if let Some(max) = schema.len_max.filter(|m| len > *m) {
                    out.push(diag(&rules::BAD_LENGTH, format!("length must be at most {max}")));
                }
                if let Some(item) = &schema.items {
                    for (i, n) in items.iter().enumerate() {
                        check(n, item, &format!("{field}[{i}]"), entity, out);
                    }
                }
            }
            None => {
                let what = if schema.ty == Type::Set { "expected a set" } else { "expected an array" };
                out.push(diag(&rules::WRONG_TYPE, what.into()));
            }
        },
        Type::Record => {
            if !node.is_map() {
                out.push(diag(&rules::WRONG_TYPE, "expected a record".into()));
                return;
            }
            check_record_fields(node, schema, field, entity, out);
        }
        Type::Map => {
            if !node.is_map() {
                out.push(diag(&rules::WRONG_TYPE, "expected a map".into()));
                return;
            }
            if let Some(values) = &schema.values {
                for e in node.entries() {
                    check(&e.value, values, &join_field(field, &e.key), entity, out);
                }
            }
        }
        Type::Foreign => match &node.value {
            Value::Str(_) => {}
            Value::Map(_) if node.get("id").is_some() || node.get("name").is_some() || node.get("username").is_some() => {}
            _ => out.push(diag(&rules::WRONG_TYPE, "expected a reference: a name, an id, or {id: ...} / {name: ...}".into())),
        },
        Type::OneOf => {
            let alts = schema.one_of.as_deref().unwrap_or(&[]);
            let mut best: Option<Vec<Diagnostic>> = None;
            for alt in alts {
                let mut found = Vec::new();
                check(node, alt, field, entity, &mut found);
                if found.is_empty() {
                    return;
                }
                if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                    best = Some(found);
                }
            }
            out.extend(best.unwrap_or_default());
        }
    }
}

/// Checks the fields of a record: unknown keys, required keys, then each field.
pub fn check_record_fields(node: &Node, schema: &Schema, field: &str, entity: &str, out: &mut Vec<Diagnostic>) {
    for e in node.entries() {
        match schema.fields.get(&e.key) {
            Some(sub) => check(&e.value, sub, &join_field(field, &e.key), entity, out),
            None if schema.open => {}
            None => {
                let mut d = Diagnostic::new(&rules::UNKNOWN_FIELD, "unknown field")
                    .at(e.key_loc)
                    .entity(entity)
                    .field(join_field(field, &e.key));
                if let Some(s) = did_you_mean(&e.key, schema.fields.keys().map(String::as_str)) {
                    d = d.hint(format!("did you mean `{s}`?"));
                }
                out.push(d);
            }
        }
    }
    for (name, sub) in &schema.fields {
        if sub.required && sub.default.is_none() && node.get_set(name).is_none() {
            out.push(
                Diagnostic::new(&rules::REQUIRED_FIELD, "required field missing")
                    .at(node.loc)
                    .entity(entity)
                    .field(join_field(field, name)),
            );
        }
    }
}

fn check_range(node: &Node, schema: &Schema, diag: &dyn Fn(&'static rules::Rule, String) -> Diagnostic, out: &mut Vec<Diagnostic>) {
    let v = match node.value {
        Value::Int(i) => i as f64,
        Value::Float(f) => f,
        _ => return,
    };
    let fmt = |x: f64| if x.fract() == 0.0 { format!("{}", x as i64) } else { format!("{x}") };
    match (schema.min, schema.max) {
        (Some(lo), Some(hi)) if v < lo || v > hi => {
            out.push(diag(&rules::OUT_OF_RANGE, format!("value should be between {} and {}", fmt(lo), fmt(hi))))
        }
        (Some(lo), None) if v < lo => out.push(diag(&rules::OUT_OF_RANGE, format!("value must be at least {}", fmt(lo)))),
        (None, Some(hi)) if v > hi => out.push(diag(&rules::OUT_OF_RANGE, format!("value must be at most {}", fmt(hi)))),
        _ => {}
    }
}

fn check_choices(node: &Node, schema: &Schema, diag: &dyn Fn(&'static rules::Rule, String) -> Diagnostic, out: &mut Vec<Diagnostic>) {
    let Some(choices) = &schema.choices else { return };
    let value = node.to_json(false);
    let same = |c: &Json| match (c, &value) {
        (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
        _ => *c == value,
    };
    if !choices.iter().any(same) {
        let list: Vec<String> = choices
            .iter()
            .map(|c| match c {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        let mut d = diag(&rules::NOT_ONE_OF, format!("expected one of: {}", list.join(", ")));
        if let Some(s) = node.as_str() {
            if let Some(m) = did_you_mean(s, list.iter().map(String::as_str)) {
                d = d.hint(format!("did you mean `{m}`?"));
            }
        }
        out.push(d);
    }
}
