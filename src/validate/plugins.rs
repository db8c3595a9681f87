//! Plugin entities: known plugin, supported scopes, `config` and `protocols` against the
//! bundled Kong 3.15 schemas, plus the AI proxy entity checks.

use super::ai_proxy;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::model::{reference, Config};
use crate::node::Node;
use crate::rules;
use crate::schema::rules::EntityCheck;
use crate::schema::kong::Schemas;
use crate::schema::{self, check, shorthand, PluginSchema, Schema, Type};
use serde_json::Value as Json;

/// The schema that applies to a plugin name: bundled or declared, or that of the plugin a
/// cloned plugin copies.
pub fn schema_for<'s>(config: &Config, schemas: &'s Schemas, name: &str) -> Option<&'s PluginSchema> {
    schemas.plugin(name).or_else(|| base_of(config, name).and_then(|base| schemas.plugin(base)))
}

/// The plugin a cloned plugin copies (`cloned_plugins[].ref`).
fn base_of<'a>(config: &'a Config, name: &str) -> Option<&'a str> {
    config.of_kind("cloned_plugins").find(|c| c.node.get_str("name") == Some(name)).and_then(|c| c.node.get_str("ref"))
}

pub fn check(config: &Config, schemas: &Schemas, out: &mut Vec<Diagnostic>) {
    for plugin in config.of_kind("plugins") {
        let label = plugin.label();
        let n = &plugin.node;
        let Some(name_node) = n.get("name") else { continue };
        let Some(name) = name_node.as_str() else { continue };
        let Some(schema) = schema_for(config, schemas, name) else {
            if config.of_kind("custom_plugins").chain(config.of_kind("cloned_plugins")).any(|c| c.node.get_str("name") == Some(name)) {
                // defined by the config itself (Enterprise custom/cloned plugin): Kong knows it
                continue;
            }
            let mut d = Diagnostic::new(
                &rules::UNKNOWN_PLUGIN,
                format!("plugin '{name}' not enabled; add it to the 'plugins' configuration property"),
            )
            .at(name_node.loc)
            .entity(&label)
            .field("name");
            if let Some(s) = did_you_mean(name, schema::plugins().plugins.keys().map(String::as_str)) {
                d = d.hint(format!("did you mean `{s}`?"));
            } else {
                d = d.hint(format!(
                    "not bundled with Kong {}: a custom plugin must be installed on every Kong node (`plugins = bundled,<name>` in kong.conf); declare it with `--plugin-schemas {name}.json` (the gateway's `GET /schemas/plugins/{name}`) to check its config",
                    schema::plugins().kong_version
                ));
            }
            out.push(d);
            continue;
        };
        for scope in ["consumer", "consumer_group", "route", "service"] {
            if reference(n, scope).is_some() && !schema.scopes.iter().any(|s| s == scope) {
                let scope_node = n.get(scope).unwrap_or(n);
                out.push(
                    Diagnostic::new(&rules::PLUGIN_SCOPE, "value must be null")
                        .at(scope_node.loc)
                        .entity(&label)
                        .field(scope)
                        .hint(format!("plugin '{name}' cannot be applied to a {}", scope.replace('_', " "))),
                );
            }
        }
        let empty = Node::map(n.loc);
        let config_node = n.get_set("config").unwrap_or(&empty);
        if n.get_set("_config").is_none() {
            // a cloned plugin has the rules of the plugin it copies
            let base = if schemas.plugin(name).is_some() { name } else { base_of(config, name).unwrap_or(name) };
            let before = out.len();
            check::check_plugin(base, config_node, &schema.config, "config", &label, out);
            // Kong runs entity checks only on a config whose fields are valid, and a plugin linked
            // to partials is checked with the partials' config merged in (Kong Enterprise;
            // the partial's fields are not in the file), so its entity checks are not run here
            let linked = n.get_set("partials").and_then(Node::as_seq).is_some_and(|p| !p.is_empty());
            if !linked && !out[before..].iter().any(Diagnostic::is_error) {
                entity_checks(base, n, config_node, &schema.config, &label, out);
            }
            if matches!(base, "pre-function" | "post-function") {
                lua_functions(base, config_node, &label, out);
            }
        }
        if let Some(protocols) = n.get_set("protocols") {
            check::check(protocols, &schema.protocols, "protocols", &label, out);
        }
        match name {
            "ai-proxy" => ai_proxy::check_ai_proxy(config_node, &label, out),
            "ai-proxy-advanced" => ai_proxy::check_ai_proxy_advanced(config_node, &label, out),
            _ => {}
        }
    }
}

/// The config Kong's entity checks see: shorthands moved to their new fields, then defaults
/// filled into absent fields and records (kong/db/schema/init.lua, `process_auto_fields`).
fn effective(plugin: &str, config: &Node, schema: &Schema) -> Json {
    let mut v = config.to_json(false);
    fill(plugin, "config", &mut v, schema);
    v
}

fn fill(plugin: &str, at: &str, v: &mut Json, schema: &Schema) {
    let Json::Object(m) = v else { return };
    for (name, s) in shorthand::at(plugin, at, schema) {
        let Some(val) = m.remove(name).filter(|x| !x.is_null()) else { continue };
        if s.ty == "array" {
            continue;
        }
        for path in &s.replaced_with {
            let mut cur = &mut *m;
            for k in &path[..path.len() - 1] {
                let e = cur.entry(k.clone()).or_insert_with(|| Json::Object(Default::default()));
                if !e.is_object() {
                    *e = Json::Object(Default::default());
                }
                let Json::Object(next) = e else { unreachable!() };
                cur = next;
            }
            let last = cur.entry(path[path.len() - 1].clone()).or_insert(Json::Null);
            if last.is_null() {
                *last = val.clone();
            }
        }
    }
    for (name, f) in &schema.fields {
        let e = m.entry(name.clone()).or_insert(Json::Null);
        if e.is_null() {
            if let Some(d) = &f.default {
                *e = d.clone();
            } else if f.ty == Type::Record && !f.nullable {
                *e = Json::Object(Default::default());
            }
        }
        if f.ty == Type::Record {
            fill(plugin, &format!("{at}.{name}"), e, f);
        }
    }
}

fn at_path<'a>(v: &'a Json, path: &str) -> Option<&'a Json> {
    let mut cur = v;
    for k in path.split('.').skip(1) {
        cur = cur.get(k)?;
    }
    Some(cur).filter(|x| !x.is_null())
}

/// Kong's "non-empty" for entity checks: set, and not an empty string, array or map.
fn non_empty(v: Option<&Json>) -> bool {
    match v {
        None | Some(Json::Null) => false,
        Some(Json::Array(a)) => !a.is_empty(),
        Some(Json::Object(o)) => !o.is_empty(),
        Some(Json::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

fn quoted(fields: &[String]) -> String {
    fields.iter().map(|f| format!("'{f}'")).collect::<Vec<_>>().join(", ")
}

/// The entity checks Kong's Lua schema declares for an OSS plugin (schemas/plugin-rules.json),
/// worded as kong/db/schema/init.lua words them. A check whose fields hold a vault reference
/// is skipped: Kong resolves references after validation.
fn entity_checks(plugin: &str, n: &Node, config: &Node, schema: &Schema, label: &str, out: &mut Vec<Diagnostic>) {
    let v = effective(plugin, config, schema);
    if let Some(msg) = custom_validator(plugin, at_path(&v, "config").unwrap_or(&Json::Null)) {
        out.push(Diagnostic::new(&rules::ENTITY_CHECK, msg).at(config.loc).entity(label).field("config"));
    }
    let Some(r) = schema::rules::of(plugin) else { return };
    let is_ref = |p: &str| at_path(&v, p).and_then(Json::as_str).is_some_and(check::is_reference);
    let at = |p: &str| {
        let mut cur = Some(n);
        for k in p.split('.') {
            cur = cur.and_then(|c| c.get(k));
        }
        cur.map(|c| c.loc).unwrap_or(config.loc)
    };
    for c in &r.entity_checks {
        let fields: Vec<String> = match c {
            EntityCheck::AtLeastOneOf(f) | EntityCheck::OnlyOneOf(f) | EntityCheck::MutuallyRequired(f)
            | EntityCheck::MutuallyExclusive(f) | EntityCheck::Distinct(f) => f.clone(),
            EntityCheck::Conditional(c) => vec![c.if_field.clone(), c.then_field.clone()],
        };
        if fields.iter().any(|f| is_ref(f)) {
            continue;
        }
        let set = fields.iter().filter(|f| non_empty(at_path(&v, f))).count();
        let msg = match c {
            EntityCheck::AtLeastOneOf(f) if set == 0 => format!("at least one of these fields must be non-empty: {}", quoted(f)),
            EntityCheck::OnlyOneOf(f) if set != 1 => format!("exactly one of these fields must be non-empty: {}", quoted(f)),
            EntityCheck::MutuallyRequired(f) if set != 0 && set != f.len() => format!("all or none of these fields must be set: {}", quoted(f)),
            EntityCheck::MutuallyExclusive(f) if set > 1 => format!("only one or none of these fields must be set: {}", quoted(f)),
            EntityCheck::Distinct(f) => {
                let vals: Vec<_> = f.iter().filter_map(|p| at_path(&v, p)).collect();
                if (1..vals.len()).any(|i| vals[..i].contains(&vals[i])) {
                    format!("values of these fields must be distinct: {}", quoted(f))
                } else {
                    continue;
                }
            }
            EntityCheck::Conditional(c) => {
                if at_path(&v, &c.if_field) == Some(&c.if_eq) && at_path(&v, &c.then_field).is_none() {
                    out.push(
                        Diagnostic::new(&rules::ENTITY_CHECK, "required field missing")
                            .at(at(&c.then_field))
                            .entity(label)
                            .field(c.then_field.clone())
                            .hint(format!("failed conditional validation given value of field '{}'", c.if_field)),
                    );
                }
                continue;
            }
            _ => continue,
        };
        out.push(Diagnostic::new(&rules::ENTITY_CHECK, msg).at(config.loc).entity(label).field("config").hint(r.source.clone()));
    }
}

/// Custom validators of OSS plugin `config` records, restated (not copied) from the Lua
/// schemas each names; Kong reports their message on `config`.
fn custom_validator(plugin: &str, v: &Json) -> Option<String> {
    let present = |k: &str| non_empty(v.get(k));
    let num = |k: &str| v.get(k).and_then(Json::as_f64);
    match plugin {
        // kong/plugins/rate-limiting/schema.lua, validate_periods_order
        "rate-limiting" => {
            const PERIODS: [&str; 6] = ["second", "minute", "hour", "day", "month", "year"];
            for (i, lower) in PERIODS.iter().enumerate() {
                let Some(v1) = num(lower) else { continue };
                for upper in &PERIODS[i + 1..] {
                    if let Some(v2) = num(upper).filter(|v2| *v2 < v1) {
                        return Some(format!("The limit for {upper}({v2:.1}) cannot be lower than the limit for {lower}({v1:.1})"));
                    }
                }
            }
            let policy = v.get("policy").and_then(Json::as_str);
            let sync_rate = num("sync_rate").unwrap_or(-1.0);
            if policy != Some("redis") && sync_rate != -1.0 {
                return Some("sync_rate can only be used with the redis policy".into());
            }
            if policy == Some("redis") && sync_rate != -1.0 && sync_rate < 0.02 {
                return Some("sync_rate must be greater than 0.02, or -1 to disable".into());
            }
            None
        }
        // kong/plugins/request-termination/schema.lua, config's custom_validator
        "request-termination" => {
            if present("message") && (present("content_type") || present("body")) {
                Some("message cannot be used with content_type or body".into())
            } else if present("content_type") && !present("body") {
                Some("content_type requires a body".into())
            } else if v.get("echo") == Some(&Json::Bool(true)) && (present("content_type") || present("body")) {
                Some("echo cannot be used with content_type and body".into())
            } else {
                None
            }
        }
        // kong/plugins/oauth2/schema.lua, validate_flows
        "oauth2" => {
            let on = |k: &str| v.get(k) == Some(&Json::Bool(true));
            if ["enable_authorization_code", "enable_implicit_grant", "enable_client_credentials", "enable_password_grant"].iter().any(|k| on(k)) {
                None
            } else {
                Some("at least one of these fields must be true: enable_authorization_code, enable_implicit_grant, enable_client_credentials, enable_password_grant".into())
            }
        }
        _ => None,
    }
}

/// pre-function / post-function: every phase's functions must compile, as Kong's
/// `validate_function` (kong/plugins/pre-function/_schema.lua) checks with `loadstring`. The
/// code is parsed with full_moon (Lua 5.1 syntax, what LuaJIT takes); the parser's message
/// stands in for LuaJIT's.
fn lua_functions(plugin: &str, config: &Node, label: &str, out: &mut Vec<Diagnostic>) {
    for e in config.entries() {
        let Some(items) = e.value.as_seq() else { continue };
        for (i, item) in items.iter().enumerate() {
            let Some(code) = item.as_str() else { continue };
            if let Err(errors) = full_moon::parse(code) {
                let first = errors.first().map(|x| x.to_string()).unwrap_or_default();
                out.push(
                    Diagnostic::new(&rules::INVALID_VALUE, format!("error parsing {plugin}: {first}"))
                        .at(item.loc)
                        .entity(label)
                        .field(format!("config.{}[{i}]", e.key)),
                );
            }
        }
    }
}
