//! Checks a node tree against a compact schema, with Kong's wording.

use super::{shorthand, Schema, Type};
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::node::{join_field, Entry, Node, Value};
use crate::rules;
use serde_json::Value as Json;

/// What a walk knows besides the schema: the plugin whose config it checks (for its
/// deprecated `shorthand_fields`, see [`super::shorthand`]).
#[derive(Clone, Copy, Default)]
pub struct Cx<'a> {
    pub plugin: Option<&'a str>,
}

/// Whether a value is a vault reference, as Kong's `kong.vault.is_reference` tells one:
/// `{vault://...}`.
pub fn is_reference(s: &str) -> bool {
    s.starts_with("{vault://") && s.ends_with('}')
}

/// Checks `node` against `schema`; `field` is the path of `node` inside the entity.
pub fn check(node: &Node, schema: &Schema, field: &str, entity: &str, out: &mut Vec<Diagnostic>) {
    check_in(Cx::default(), node, schema, field, entity, out)
}

/// [`check`] for a plugin's config: also knows the plugin's deprecated field names.
pub fn check_plugin(plugin: &str, node: &Node, schema: &Schema, field: &str, entity: &str, out: &mut Vec<Diagnostic>) {
    check_in(Cx { plugin: Some(plugin) }, node, schema, field, entity, out)
}

fn check_in(cx: Cx, node: &Node, schema: &Schema, field: &str, entity: &str, out: &mut Vec<Diagnostic>) {
    let diag = |rule, msg: String| Diagnostic::new(rule, msg).at(node.loc).entity(entity).field(field);
    if node.is_null() {
        return;
    }
    // A reference is resolved at runtime: Kong checks only that the field may hold one
    // (`referenceable = true`); elsewhere `{vault://...}` is literal text.
    if schema.referenceable && node.as_str().is_some_and(is_reference) {
        return;
    }
    match schema.ty {
        Type::Any => {}
        Type::String => match node.as_str() {
            Some(s) => {
                let before = out.len();
                let len = s.chars().count() as u64;
                let min = schema.len_min.unwrap_or(1);
                if len < min {
                    out.push(diag(&rules::BAD_LENGTH, format!("length must be at least {min}")));
                } else if let Some(max) = schema.len_max.filter(|m| len > *m) {
                    out.push(diag(&rules::BAD_LENGTH, format!("length must be at most {max}")));
                }
                check_choices(node, schema, &diag, out);
                // Kong stops at a field's first failing validator: its patterns come after
                // length and one_of, its typedef's custom validator last
                if before == out.len() {
                    if let Some(msg) = schema.lua.as_deref().and_then(|c| c.check_str(s)) {
                        out.push(diag(&rules::INVALID_VALUE, msg));
                    }
                }
                if before == out.len() {
                    if let Some(msg) = schema.validator.as_deref().and_then(|v| typedef_validator(v, s)) {
                        out.push(diag(&rules::INVALID_VALUE, msg));
                    }
                }
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
                if let Some(msg) = schema.lua.as_deref().and_then(|c| c.check_len(items.len())) {
                    out.push(diag(&rules::BAD_LENGTH, msg));
                }
                if let Some(item) = &schema.items {
                    for (i, n) in items.iter().enumerate() {
                        check_in(cx, n, item, &format!("{field}[{i}]"), entity, out);
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
            record_fields(cx, node, schema, field, entity, out);
        }
        Type::Map => {
            if !node.is_map() {
                out.push(diag(&rules::WRONG_TYPE, "expected a map".into()));
                return;
            }
            if let Some(msg) = schema.lua.as_deref().and_then(|c| c.check_len(node.entries().len())) {
                out.push(diag(&rules::BAD_LENGTH, msg));
            }
            if let Some(keys) = schema.key_checks.as_deref() {
                for e in node.entries() {
                    if let Some(msg) = keys.check_str(&e.key) {
                        out.push(
                            Diagnostic::new(&rules::INVALID_VALUE, msg).at(e.key_loc).entity(entity).field(join_field(field, &e.key)),
                        );
                    }
                }
            }
            if let Some(values) = &schema.values {
                for e in node.entries() {
                    check_in(cx, &e.value, values, &join_field(field, &e.key), entity, out);
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
                check_in(cx, node, alt, field, entity, &mut found);
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
    record_fields(Cx::default(), node, schema, field, entity, out)
}

/// `config.targets[0].model` -> `config.targets.model`: where a record sits in the schema.
fn schema_path(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut skip = false;
    for c in field.chars() {
        match c {
            '[' => skip = true,
            ']' => skip = false,
            _ if !skip => out.push(c),
            _ => {}
        }
    }
    out
}

fn record_fields(cx: Cx, node: &Node, schema: &Schema, field: &str, entity: &str, out: &mut Vec<Diagnostic>) {
    let shorthands = match cx.plugin {
        Some(p) => shorthand::at(p, &schema_path(field), schema),
        None => Default::default(),
    };
    for e in node.entries() {
        match schema.fields.get(&e.key) {
            Some(sub) => check_in(cx, &e.value, sub, &join_field(field, &e.key), entity, out),
            None if shorthands.contains_key(e.key.as_str()) => {
                check_shorthand(cx, node, e, shorthands[e.key.as_str()], schema, field, entity, out)
            }
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
        // Kong fills a default only for an absent field; an explicit null on a required
        // field stays null and fails (kong/db/schema/init.lua, `validate_fields`/REQUIRED).
        let explicit_null = cx.plugin.is_some() && node.get(name).is_some_and(Node::is_null);
        let covered = shorthands.values().any(|s| {
            s.replaced_with.iter().any(|p| p.len() == 1 && p[0] == *name) && node.get_set(&s.name).is_some()
        });
        if !covered && ((sub.required || sub.not_null) && explicit_null || (sub.required && sub.default.is_none() && node.get_set(name).is_none())) {
            out.push(
                Diagnostic::new(&rules::REQUIRED_FIELD, "required field missing")
                    .at(node.loc)
                    .entity(entity)
                    .field(join_field(field, name)),
            );
        }
    }
}

/// A deprecated field name Kong translates: its value checked against the shorthand's own
/// definition, refused when the new field holds a different value, else a warning naming
/// the new field (kong/db/schema/init.lua, `process_auto_fields` and
/// `validate_deprecation_exclusiveness`).
#[allow(clippy::too_many_arguments)]
fn check_shorthand(cx: Cx, node: &Node, e: &Entry, s: &shorthand::Shorthand, record: &Schema, field: &str, entity: &str, out: &mut Vec<Diagnostic>) {
    let path = join_field(field, &e.key);
    if let Some(vs) = shorthand::value_schema(s, record) {
        check_in(cx, &e.value, &vs, &path, entity, out);
    }
    let new_paths: Vec<String> = s.replaced_with.iter().map(|p| join_field(field, &p.join("."))).collect();
    if !e.value.is_null() && s.ty != "array" {
        for p in &s.replaced_with {
            let mut cur = Some(node);
            for k in p {
                cur = cur.and_then(|n| n.get_set(k));
            }
            if let Some(new) = cur {
                if new.to_json(false) != e.value.to_json(false) {
                    let show = |n: &Node| match n.to_json(false) {
                        Json::String(s) => s,
                        other => other.to_string(),
                    };
                    out.push(
                        Diagnostic::new(&rules::ENTITY_CHECK, format!(
                            "both deprecated and new field are used but their values mismatch: {} = {} vs {} = {}",
                            e.key, show(&e.value), p.join("."), show(new)
                        ))
                        .at(e.key_loc)
                        .entity(entity)
                        .field(&path),
                    );
                    return;
                }
            }
        }
    }
    if e.value.is_null() {
        // decK dumps list shorthands as null: nothing to move, nothing to warn about
        return;
    }
    let plugin = cx.plugin.unwrap_or("");
    let msg = if new_paths.is_empty() {
        format!("{plugin}: {path} is deprecated and ignored")
    } else {
        format!("{plugin}: {path} is deprecated, please use {} instead", new_paths.join(", "))
    };
    let mut d = Diagnostic::new(&rules::DEPRECATED_FIELD, msg).at(e.key_loc).entity(entity).field(&path);
    if let Some(n) = &s.note {
        d = d.hint(n.clone());
    }
    out.push(d);
}

fn check_range(node: &Node, schema: &Schema, diag: &dyn Fn(&'static rules::Rule, String) -> Diagnostic, out: &mut Vec<Diagnostic>) {
    let v = match node.value {
        Value::Int(i) => i as f64,
        Value::Float(f) => f,
        _ => return,
    };
    let fmt = |x: f64| if x.fract() == 0.0 { format!("{}", x as i64) } else { format!("{x}") };
    if let Some(gt) = schema.gt.filter(|gt| v <= *gt) {
        out.push(diag(&rules::OUT_OF_RANGE, format!("value must be greater than {}", fmt(gt))));
        return;
    }
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

/// Kong's typedef validators (kong/db/schema/typedefs.lua), restated: the error Kong gives
/// for `value`, or `None` when it passes.
pub fn typedef_validator(name: &str, value: &str) -> Option<String> {
    match name {
        // validate_ip_or_cidr (kong/tools/ip.lua is_valid_ip_or_cidr)
        "ip_or_cidr" => {
            let (addr, prefix) = match value.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (value, None),
            };
            let ok = match addr.parse::<std::net::IpAddr>() {
                Ok(ip) => {
                    let max = if ip.is_ipv4() { 32 } else { 128 };
                    prefix.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|n| n <= max))
                }
                Err(_) => false,
            };
            (!ok).then(|| format!("invalid ip or cidr range: '{value}'"))
        }
        // kong/tools/http.lua validate_header_name
        "header_name" => {
            let ok = !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            (!ok).then(|| format!("bad header name '{value}', allowed characters are A-Z, a-z, 0-9, '_', and '-'"))
        }
        // validate_url: LuaSocket's url.parse must find a host, then a scheme
        "url" => {
            let scheme_end = value.find(':').filter(|&i| {
                i > 0 && value.as_bytes()[0].is_ascii_alphabetic()
                    && value[..i].bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
            });
            let rest = scheme_end.map_or(value, |i| &value[i + 1..]);
            let host = rest.strip_prefix("//").map(|a| {
                let auth = a.split(['/', '?', '#']).next().unwrap_or("");
                let auth = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
                auth.split(':').next().unwrap_or("").to_string()
            });
            if host.as_deref().is_none_or(str::is_empty) {
                Some("missing host in url".into())
            } else if scheme_end.is_none() {
                Some("missing scheme in url".into())
            } else {
                None
            }
        }
        // kong/plugins/cors/schema.lua validate_asterisk_or_regex: `*`, or a value PCRE compiles
        // (Kong's is_regex validator)
        "asterisk_or_regex" => {
            (value != "*" && !crate::router::pattern::pcre_compiles(value)).then(|| format!("'{value}' is not a valid regex"))
        }
        _ => None,
    }
}
