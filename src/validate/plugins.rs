//! Plugin entities: known plugin, supported scopes, `config` and `protocols` against the
//! bundled Kong 3.15 schemas, plus the AI proxy entity checks.

use super::ai_proxy;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::model::{reference, Config};
use crate::node::Node;
use crate::rules;
use crate::node::join_field;
use crate::schema::kong::Schemas;
use crate::schema::rules::{EntityCheck, Matcher};
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

/// A value by dotted path inside `v` (`model.provider`), null as absent.
fn get<'a>(v: &'a Json, path: &str) -> Option<&'a Json> {
    let mut cur = v;
    for k in path.split('.') {
        cur = cur.get(k)?;
    }
    Some(cur).filter(|x| !x.is_null())
}

/// Every instance of a record rule path (`config.limits.*`, `config.metrics.[]`) in the
/// effective config, with its path in the file (`config.limits.video`, `config.metrics[0]`).
fn instances<'a>(config: &'a Json, path: &str) -> Vec<(String, &'a Json)> {
    let mut found = vec![("config".to_string(), config)];
    for seg in path.split('.').skip(1) {
        found = found
            .into_iter()
            .flat_map(|(at, v)| -> Vec<(String, &Json)> {
                match (seg, v) {
                    ("[]", Json::Array(a)) => a.iter().enumerate().map(|(i, x)| (format!("{at}[{i}]"), x)).collect(),
                    ("*", Json::Object(m)) => m.iter().map(|(k, x)| (join_field(&at, k), x)).collect(),
                    ("[]" | "*", _) => vec![],
                    (name, v) => v.get(name).map(|x| vec![(join_field(&at, name), x)]).unwrap_or_default(),
                }
            })
            .collect();
    }
    found.retain(|(_, v)| v.is_object());
    found
}

/// Kong's `validate_field` for the few validators a conditional uses, on a value that may be
/// absent: `Err` with Kong's message when it fails.
fn passes(m: &Matcher, v: Option<&Json>) -> Result<(), String> {
    let show = |x: &Json| match x {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    let Some(v) = v else {
        if let Some(eq) = &m.eq {
            return Err(format!("value must be {}", show(eq)));
        }
        if m.required {
            return Err("required field missing".into());
        }
        // an absent value passes `one_of` only when the field is optional; the fields Kong's
        // OSS conditionals test with one_of are required, so absent fails here
        return if m.one_of.is_some() { Err("required field missing".into()) } else { Ok(()) };
    };
    if let Some(eq) = m.eq.as_ref().filter(|eq| *eq != v) {
        return Err(format!("value must be {}", show(eq)));
    }
    let list = |l: &[Json]| l.iter().map(show).collect::<Vec<_>>().join(", ");
    if let Some(l) = m.not_one_of.as_ref().filter(|l| l.contains(v)) {
        return Err(format!("must not be one of: {}", list(l)));
    }
    if let Some(l) = m.one_of.as_ref().filter(|l| !l.contains(v)) {
        return Err(format!("expected one of: {}", list(l)));
    }
    if let Some(gt) = m.gt.filter(|gt| v.as_f64().is_none_or(|x| x <= *gt)) {
        let gt = if gt.fract() == 0.0 { format!("{}", gt as i64) } else { gt.to_string() };
        return Err(format!("value must be greater than {gt}"));
    }
    if let Some(want) = m.contains.as_ref().filter(|w| !v.as_array().is_some_and(|a| a.contains(w))) {
        return Err(format!("expected to contain: {}", show(want)));
    }
    Ok(())
}

/// What a failing entity check says: on a field of the record (`Some(field)`, with the entity
/// message as a hint), or on the record itself.
struct Failed {
    field: Option<String>,
    message: String,
    hint: Option<String>,
}

/// One entity check on `rec` (the plugin entity for top-level checks, whose fields are
/// `config.*`; the record itself for a record's own checks), as kong/db/schema/init.lua's
/// entity checkers decide and word it.
fn run_check(c: &EntityCheck, rec: &Json) -> Option<Failed> {
    let set = |f: &[String]| f.iter().filter(|x| non_empty(get(rec, x))).count();
    let entity = |message: String| Some(Failed { field: None, message, hint: None });
    match c {
        EntityCheck::AtLeastOneOf(f) if set(f) == 0 => entity(format!("at least one of these fields must be non-empty: {}", quoted(f))),
        EntityCheck::OnlyOneOf(f) if set(f) != 1 => entity(format!("exactly one of these fields must be non-empty: {}", quoted(f))),
        EntityCheck::MutuallyRequired(f) if set(f) != 0 && set(f) != f.len() => entity(format!("all or none of these fields must be set: {}", quoted(f))),
        EntityCheck::MutuallyExclusive(f) if set(f) > 1 => entity(format!("only one or none of these fields must be set: {}", quoted(f))),
        EntityCheck::Distinct(f) => {
            let vals: Vec<_> = f.iter().filter_map(|p| get(rec, p)).filter(|v| non_empty(Some(v))).collect();
            let repeated = (1..vals.len()).any(|i| vals[..i].contains(&vals[i]));
            if repeated {
                entity(format!("values of these fields must be distinct: {}", quoted(f)))
            } else {
                None
            }
        }
        EntityCheck::Conditional(c) => {
            if passes(&c.if_match, get(rec, &c.if_field)).is_err() {
                return None;
            }
            let message = passes(&c.then_match, get(rec, &c.then_field)).err()?;
            // Kong sets the validator's message on the field and the entity message (the
            // schema's then_err, else "failed conditional validation ...") on the record; a
            // then_err is what the schema wants said, so it leads
            let field = Some(c.then_field.clone());
            Some(match &c.then_err {
                Some(err) => Failed { field, message: err.clone(), hint: Some(message) },
                None => Failed { field, message, hint: Some(format!("failed conditional validation given value of field '{}'", c.if_field)) },
            })
        }
        EntityCheck::ConditionalAtLeastOneOf(c) => {
            let if_value = get(rec, &c.if_field)?;
            let names = if passes(&c.if_match, Some(if_value)).is_ok() {
                (&c.then_at_least_one_of, &c.then_err)
            } else if c.else_match.as_ref().is_some_and(|m| passes(m, Some(if_value)).is_ok()) {
                (&c.else_then_at_least_one_of, &c.else_then_err)
            } else {
                return None;
            };
            if set(names.0) > 0 {
                return None;
            }
            let list = quoted(names.0);
            entity(match names.1 {
                Some(err) => err.replacen("%s", &list, 1),
                None => format!("at least one of these fields must be non-empty: {list}"),
            })
        }
        EntityCheck::MutuallyExclusiveSets { set1, set2 } => {
            let nonempty = |f: &[String]| f.iter().filter(|x| non_empty(get(rec, x))).cloned().collect::<Vec<_>>();
            let (a, b) = (nonempty(set1), nonempty(set2));
            if a.is_empty() || b.is_empty() {
                None
            } else {
                entity(format!("these sets are mutually exclusive: ({}), ({})", quoted(&a), quoted(&b)))
            }
        }
        _ => None,
    }
}

fn check_fields(c: &EntityCheck) -> Vec<&String> {
    match c {
        EntityCheck::AtLeastOneOf(f) | EntityCheck::OnlyOneOf(f) | EntityCheck::MutuallyRequired(f)
        | EntityCheck::MutuallyExclusive(f) | EntityCheck::Distinct(f) => f.iter().collect(),
        EntityCheck::Conditional(c) => vec![&c.if_field, &c.then_field],
        EntityCheck::ConditionalAtLeastOneOf(c) => {
            std::iter::once(&c.if_field).chain(&c.then_at_least_one_of).chain(&c.else_then_at_least_one_of).collect()
        }
        EntityCheck::MutuallyExclusiveSets { set1, set2 } => set1.iter().chain(set2).collect(),
    }
}

/// The entity checks Kong's Lua schema declares for an OSS plugin (schemas/plugin-rules.json),
/// worded as kong/db/schema/init.lua words them: the plugin's own (over `config.*`) and those
/// a record field declares for itself (`config`, `config.limits.*`, `config.metrics.[]`), the
/// latter reported at the record's place in the file (`config.limits.video`). A check whose
/// fields hold a vault reference is skipped: Kong resolves references after validation.
fn entity_checks(plugin: &str, n: &Node, config: &Node, schema: &Schema, label: &str, out: &mut Vec<Diagnostic>) {
    let v = effective(plugin, config, schema);
    if let Some(msg) = custom_validator(plugin, at_path(&v, "config").unwrap_or(&Json::Null)) {
        out.push(Diagnostic::new(&rules::ENTITY_CHECK, msg).at(config.loc).entity(label).field("config"));
    }
    record_validators(plugin, &v, n, label, out);
    let Some(r) = schema::rules::of(plugin) else { return };
    let is_ref = |rec: &Json, p: &str| get(rec, p).and_then(Json::as_str).is_some_and(check::is_reference);
    let whole = serde_json::json!({ "config": v });
    let mut run = |rec: &Json, at: &str, c: &EntityCheck, hint: Option<String>| {
        if check_fields(c).iter().any(|f| is_ref(rec, f)) {
            return;
        }
        let Some(f) = run_check(c, rec) else { return };
        let (field, hint) = match &f.field {
            Some(x) => (join_field(at, x), f.hint),
            None => (if at.is_empty() { "config".to_string() } else { at.to_string() }, hint),
        };
        let mut d = Diagnostic::new(&rules::ENTITY_CHECK, f.message).at(loc_of(n, &field, config)).entity(label).field(field);
        if let Some(h) = hint {
            d = d.hint(h);
        }
        out.push(d);
    };
    for c in &r.entity_checks {
        run(&whole, "", c, Some(r.source.clone()));
    }
    for rc in &r.record_checks {
        for (at, rec) in instances(&v, &rc.record) {
            for c in &rc.checks {
                run(rec, &at, c, None);
            }
        }
    }
}

/// Where a field path of the file (`config.metrics[0].sample_rate`) is, or the nearest
/// enclosing node that is there.
fn loc_of(n: &Node, path: &str, config: &Node) -> crate::source::Loc {
    let mut cur = n;
    let mut best = config.loc;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let Some(next) = cur.get(key) else { break };
        cur = next;
        if let Some(i) = index {
            let Some(item) = cur.as_seq().and_then(|s| s.get(i)) else { break };
            cur = item;
        }
        best = cur.loc;
    }
    best
}

/// `validate_periods_order` of rate-limiting (on `config`, capitalised) and
/// response-ratelimiting (on each `config.limits` record, lower case): no limit for a longer
/// period below the limit for a shorter one.
fn periods_order(v: &Json, capital: bool) -> Option<String> {
    const PERIODS: [&str; 6] = ["second", "minute", "hour", "day", "month", "year"];
    let num = |k: &str| v.get(k).and_then(Json::as_f64);
    for (i, lower) in PERIODS.iter().enumerate() {
        let Some(v1) = num(lower) else { continue };
        for upper in &PERIODS[i + 1..] {
            if let Some(v2) = num(upper).filter(|v2| *v2 < v1) {
                let the = if capital { "The" } else { "the" };
                return Some(format!("{the} limit for {upper}({v2:.1}) cannot be lower than the limit for {lower}({v1:.1})"));
            }
        }
    }
    None
}

/// Custom validators of records inside `config`, restated from the Lua schema each names,
/// reported at the record's place in the file.
fn record_validators(plugin: &str, v: &Json, n: &Node, label: &str, out: &mut Vec<Diagnostic>) {
    // kong/plugins/response-ratelimiting/schema.lua: config.limits values, validate_periods_order
    if plugin == "response-ratelimiting" {
        for (at, rec) in instances(v, "config.limits.*") {
            if let Some(msg) = periods_order(rec, false) {
                let loc = loc_of(n, &at, n);
                out.push(Diagnostic::new(&rules::ENTITY_CHECK, msg).at(loc).entity(label).field(at));
            }
        }
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
            if let Some(msg) = periods_order(v, true) {
                return Some(msg);
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
        // kong/plugins/aws-lambda/schema.lua, custom_entity_check on config.proxy_url: a URL
        // naming a scheme (`x://`) must name http
        "aws-lambda" => {
            let proxy = v.get("proxy_url").and_then(Json::as_str).unwrap_or("");
            let scheme = proxy.split_once("://").map(|(s, _)| s).filter(|s| !s.is_empty() && !s.contains(':'));
            scheme.filter(|s| *s != "http").map(|_| "proxy_url scheme must be http".into())
        }
        // kong/plugins/http-log/schema.lua, config's custom_validator: user info in the
        // endpoint (LuaSocket's url.parse finds `user@` before the host) and an Authorization
        // header are not taken together
        "http-log" => {
            let endpoint = v.get("http_endpoint").and_then(Json::as_str).unwrap_or("");
            let authority = endpoint.split_once("//").map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""));
            let userinfo = authority.is_some_and(|a| a.contains('@'));
            let auth_header = v.get("headers").and_then(Json::as_object).is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("authorization")));
            (userinfo && auth_header).then(|| "specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed".into())
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(c: Json) -> EntityCheck {
        serde_json::from_value(c).unwrap()
    }

    // kong/db/schema/init.lua entity_checkers: conditional_at_least_one_of and
    // mutually_exclusive_sets (no OSS plugin schema declares them at the mirror's HEAD; the
    // generator takes them where one does)
    #[test]
    fn conditional_at_least_one_of_as_kong() {
        let c = check(json!({"conditional_at_least_one_of": {
            "if_field": "kind", "if_match": {"one_of": ["a", "b"]}, "then_at_least_one_of": ["x", "y"],
            "else_match": {"eq": "c"}, "else_then_at_least_one_of": ["z"], "else_then_err": "need %s"}}));
        let msg = |rec: Json| run_check(&c, &rec).map(|f| f.message);
        assert_eq!(msg(json!({"kind": "a"})).as_deref(), Some("at least one of these fields must be non-empty: 'x', 'y'"));
        assert_eq!(msg(json!({"kind": "b", "y": "1"})), None);
        assert_eq!(msg(json!({"kind": "c"})).as_deref(), Some("need 'z'"));
        assert_eq!(msg(json!({"kind": "d"})), None, "neither branch");
        assert_eq!(msg(json!({})), None, "no if_field value: passes");
    }

    #[test]
    fn mutually_exclusive_sets_as_kong() {
        let c = check(json!({"mutually_exclusive_sets": {"set1": ["a", "b"], "set2": ["c"]}}));
        let msg = |rec: Json| run_check(&c, &rec).map(|f| f.message);
        assert_eq!(msg(json!({"a": 1, "b": "", "c": [1]})).as_deref(), Some("these sets are mutually exclusive: ('a'), ('c')"));
        assert_eq!(msg(json!({"a": 1, "b": 2})), None);
        assert_eq!(msg(json!({"c": [], "a": 1})), None, "an empty array is not set");
    }

    /// Kong's custom validators (functions) the generator found: each is restated here or named
    /// as skipped in scripts/gen_plugin_rules.py; a new one in Kong fails this after regenerating.
    #[test]
    fn every_custom_validator_is_restated_or_skipped() {
        const RESTATED: &[(&str, &str)] = &[
            ("rate-limiting", "config"),
            ("response-ratelimiting", "config.limits.*"),
            ("request-termination", "config"),
            ("oauth2", "config"),
            ("cors", "config.origins.[]"),
            ("http-log", "config"),
        ];
        // (plugin, path or "*" for all of the plugin's): see the generator's comment for why
        const SKIPPED: &[(&str, &str)] = &[
            ("acme", "config.storage_config.shm.shm_name"),
            ("prometheus", "config"),
            ("request-transformer", "*"),
            ("response-transformer", "*"),
            ("zipkin", "config.static_tags"),
            ("opentelemetry", "config.resource_attributes"),
        ];
        let listed = |l: &[(&str, &str)], name: &str, path: &str| l.iter().any(|(p, at)| *p == name && (*at == "*" || *at == path));
        for (name, _) in schema::plugins().plugins.iter() {
            let Some(r) = schema::rules::of(name) else { continue };
            for path in r.custom_validators.keys() {
                assert!(listed(RESTATED, name, path) || listed(SKIPPED, name, path), "{name} {path}: restate it or list it as skipped");
            }
        }
        for (name, path) in RESTATED {
            assert!(schema::rules::of(name).is_some_and(|r| r.custom_validators.contains_key(*path)), "{name} {path} is no longer in Kong's schema");
        }
    }

    #[test]
    fn nested_record_instances_have_file_paths() {
        let v = json!({"limits": {"video": {"second": 1}}, "metrics": [{"a": 1}, {"b": 2}]});
        let at = |p: &str| instances(&v, p).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(at("config.limits.*"), ["config.limits.video"]);
        assert_eq!(at("config.metrics.[]"), ["config.metrics[0]", "config.metrics[1]"]);
        assert_eq!(at("config"), ["config"]);
        assert!(at("config.nothing.*").is_empty());
    }
}
