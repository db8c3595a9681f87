//! A route's ATC expression(s) and priority, as Kong generates them.
//!
//! Restates `kong/router/transform.lua` (`get_expression`, `get_priority`,
//! `split_routes_and_services_by_path`, `amending_expression`), `kong/router/compat.lua`
//! (traditional_compatible: classic fields only) and `kong/router/expressions.lua`
//! (expressions flavor: `net.port` amended, a `net.protocol` condition from `protocols`),
//! Kong 3.10.0 (`Kong/kong` @ 22246ef2). Priorities reuse [`crate::router::priority`]
//! (Kong's effective formula by default). Sources/destinations are not route fields here.

use crate::router::priority::{Formula, Inputs};
use crate::router::{split_paths, RouteSpec};

/// Which of Kong's ATC-based router flavors builds the expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// The default flavor: classic route fields only (compat.lua).
    TraditionalCompatible,
    /// Routes may carry `expression` + `priority`; classic routes also get a protocol
    /// condition (expressions.lua).
    Expressions,
}

impl Flavor {
    /// Kong's name for the flavor (`router_flavor` in kong.conf).
    pub fn name(self) -> &'static str {
        match self {
            Flavor::TraditionalCompatible => "traditional_compatible",
            Flavor::Expressions => "expressions",
        }
    }

    /// The flavor Kong calls `name`; `None` for `traditional` (Kong's pre-ATC router, which
    /// this tool does not model) and anything else.
    pub fn from_name(name: &str) -> Option<Flavor> {
        match name {
            "traditional_compatible" => Some(Flavor::TraditionalCompatible),
            "expressions" => Some(Flavor::Expressions),
            _ => None,
        }
    }
}

/// One matcher Kong adds to atc-router for a route: a sub-route when the route's paths
/// are split, else the whole route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubRoute {
    /// 1-based group of a split route; `None` when the route is not split.
    pub group: Option<usize>,
    /// The paths of this sub-route (all of them when not split).
    pub paths: Vec<String>,
    pub expression: String,
    pub priority: u64,
}

/// Expression routes rank above every classic route: `0xFF << 56 | priority`
/// (transform.lua `EXPRESSION_ONLY_BIT`).
pub const EXPRESSION_ONLY_BITS: u64 = 0xFF << 56;

/// Protocols Kong sends to the stream router (transform.lua `is_stream_route` looks at the
/// first protocol); such routes are not in the HTTP router.
pub fn is_stream_route(spec: &RouteSpec) -> bool {
    spec.protocols.first().is_some_and(|p| matches!(p.as_str(), "tcp" | "udp" | "tls" | "tls_passthrough"))
}

/// The (expression, priority) pairs Kong generates for a route, one per sub-route, with
/// the effective priority formula (for `simulate --explain`).
pub fn expression_of(spec: &RouteSpec, flavor: Flavor) -> Vec<(String, u64)> {
    sub_routes(spec, flavor, Formula::Effective).into_iter().map(|s| (s.expression, s.priority)).collect()
}

/// The matchers Kong adds for a route. A route with an `expression` is never split; a
/// route with paths of several kinds is split as [`split_paths`] groups them.
pub fn sub_routes(spec: &RouteSpec, flavor: Flavor, formula: Formula) -> Vec<SubRoute> {
    if let Some(expr) = &spec.expression {
        return vec![SubRoute {
            group: None,
            paths: Vec::new(),
            expression: finish(expr.clone(), spec, flavor),
            priority: EXPRESSION_ONLY_BITS | spec.priority.unwrap_or(0),
        }];
    }
    let groups = split_paths(&spec.paths);
    let split = groups.len() > 1;
    groups
        .into_iter()
        .enumerate()
        .map(|(i, paths)| SubRoute {
            group: split.then_some(i + 1),
            expression: finish(classic_expression(spec, &paths), spec, flavor),
            priority: Inputs::of_route(spec, &paths).priority(formula),
            paths,
        })
        .collect()
}

/// What the flavor adds to `get_expression`'s result: nothing in traditional_compatible;
/// the `net.port` amendment and the protocol condition in expressions.
fn finish(expr: String, spec: &RouteSpec, flavor: Flavor) -> String {
    match flavor {
        Flavor::TraditionalCompatible => expr,
        Flavor::Expressions => {
            let expr = amend_net_port(&expr);
            match protocol_condition(&spec.protocols) {
                Some(p) if !expr.is_empty() => format!("{expr} && {p}"),
                Some(p) => p,
                None => expr,
            }
        }
    }
}

/// expressions.lua `get_expression`: `(net.protocol == "p" || …)` from `protocols`, grpc →
/// http, grpcs → https, tls_passthrough → tcp; none when the only protocol is https, tls or
/// tls_passthrough (so the runloop can still redirect or answer 426), or there are none.
pub fn protocol_condition(protocols: &[String]) -> Option<String> {
    if protocols.is_empty() || (protocols.len() == 1 && matches!(protocols[0].as_str(), "https" | "tls" | "tls_passthrough")) {
        return None;
    }
    let vals: Vec<String> = protocols
        .iter()
        .map(|p| {
            let p = match p.as_str() {
                "tls_passthrough" => "tcp",
                "grpc" => "http",
                "grpcs" => "https",
                other => other,
            };
            format!("net.protocol == {}", escape_str(p))
        })
        .collect();
    Some(format!("({})", vals.join(" || ")))
}

/// transform.lua `amending_expression`: the deprecated `net.port` becomes `net.dst.port`
/// wherever it is followed by optional blanks and a comparison character (a blind textual
/// rewrite, string literals included).
pub fn amend_net_port(expr: &str) -> String {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"(net\.port)(\s*)([=><!])").expect("constant regex"));
    re.replace_all(expr, "net.dst.port${2}${3}").into_owned()
}

/// transform.lua `escape_str`: a raw string `r#"…"#` unless the text contains `"#`, then a
/// quoted string with `\` and `"` escaped.
pub fn escape_str(s: &str) -> String {
    if !s.contains("\"#") {
        return format!("r#\"{s}\"#");
    }
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// transform.lua `split_host_port`: the port after the first `:` when it is a number.
fn split_host_port(h: &str) -> (&str, Option<u64>) {
    match h.split_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => match port.parse() {
            Ok(p) => (host, Some(p)),
            Err(_) => (h, None),
        },
        _ => (h, None),
    }
}

/// One field's values OR-ed in parentheses (transform.lua `gen_for_field`).
fn or_group(items: Vec<String>) -> String {
    format!("({})", items.join(" || "))
}

/// Lua's `string.lower`: ASCII letters only (C locale).
fn lua_lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// transform.lua `get_expression` for a route's classic fields, restricted to `paths` (one
/// sub-route's group): snis, methods, hosts, paths, headers AND-ed in that order.
pub fn classic_expression(spec: &RouteSpec, paths: &[String]) -> String {
    let mut clauses: Vec<String> = Vec::new();
    if !spec.snis.is_empty() {
        let snis = spec.snis.iter().map(|s| sni_predicate(s)).collect();
        // #6425: SNI conditions only apply to https traffic
        clauses.push(format!("(net.protocol != r#\"https\"# || {})", or_group(snis)));
    }
    if !spec.methods.is_empty() {
        clauses.push(or_group(spec.methods.iter().map(|m| format!("http.method == {}", escape_str(m))).collect()));
    }
    if let Some(hosts) = spec.hosts.as_ref().filter(|h| !h.is_empty()) {
        let preds = hosts
            .iter()
            .map(|h| {
                let (host, port) = split_host_port(h);
                let pred = if let Some(rest) = host.strip_prefix('*') {
                    format!("http.host =^ r#\"{rest}\"#")
                } else if let Some(rest) = host.strip_suffix('*') {
                    format!("http.host ^= r#\"{rest}\"#")
                } else {
                    format!("http.host == r#\"{host}\"#")
                };
                match port {
                    Some(p) => format!("({pred} && net.dst.port == {p})"),
                    None => pred,
                }
            })
            .collect();
        clauses.push(or_group(preds));
    }
    if !paths.is_empty() {
        let preds = paths
            .iter()
            .map(|p| match p.strip_prefix('~') {
                // anchored like the traditional router; `?<` made Rust's `?P<`
                Some(re) => format!("http.path ~ {}", escape_str(&format!("^{}", re.replace("?<", "?P<")))),
                None => format!("http.path ^= {}", escape_str(p)),
            })
            .collect();
        clauses.push(or_group(preds));
    }
    if !spec.headers.is_empty() {
        // Kong walks the headers table with `pairs` (unspecified order); config order here
        let per_header: Vec<String> = spec
            .headers
            .iter()
            .map(|(name, values)| {
                let field = format!("any(lower(http.headers.{}))", lua_lower(name).replace('-', "_"));
                or_group(
                    values
                        .iter()
                        .map(|v| match v.strip_prefix("~*") {
                            Some(re) => format!("{field} ~ {}", escape_str(&lua_lower(re))),
                            None => format!("{field} == {}", escape_str(&lua_lower(v))),
                        })
                        .collect(),
                )
            })
            .collect();
        clauses.push(per_header.join(" && "));
    }
    clauses.join(" && ")
}

/// transform.lua `sni_op_transform` / `sni_val_transform`.
fn sni_predicate(sni: &str) -> String {
    let (op, val) = if sni.starts_with('*') {
        let v = if sni.len() > 1 { sni.strip_suffix('.').unwrap_or(sni) } else { sni };
        ("=^", &v[1..])
    } else if let Some(v) = sni.strip_suffix('*') {
        ("^=", v)
    } else {
        ("==", if sni.len() > 1 { sni.strip_suffix('.').unwrap_or(sni) } else { sni })
    };
    format!("tls.sni {op} {}", escape_str(val))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    // spec/01-unit/08-router_spec.lua, "check regex with '\\'"
    #[test]
    fn regex_path_with_backslash() {
        let r = RouteSpec { methods: strs(&["GET"]), paths: strs(&["~/\\d+"]), ..RouteSpec::default() };
        assert_eq!(expression_of(&r, Flavor::TraditionalCompatible)[0].0, r##"(http.method == r#"GET"#) && (http.path ~ r#"^/\d+"#)"##);
    }

    // spec/01-unit/08-router_spec.lua, "generate http expression" (host with port)
    #[test]
    fn host_with_port() {
        let r = RouteSpec { hosts: Some(strs(&["www.example.com:8000"])), ..RouteSpec::default() };
        assert_eq!(expression_of(&r, Flavor::TraditionalCompatible)[0].0, r##"((http.host == r#"www.example.com"# && net.dst.port == 8000))"##);
    }

    #[test]
    fn all_classic_fields_in_kong_order() {
        let r = RouteSpec {
            snis: strs(&["*.example.com", "api.*", "example.org."]),
            methods: strs(&["GET", "POST"]),
            hosts: Some(strs(&["*.example.com", "api.*", "x.org"])),
            paths: strs(&["~/(?<id>\\d+)$", "~/b"]),
            headers: vec![("X-Test".into(), strs(&["~*Quote", "Plain"]))],
            ..RouteSpec::default()
        };
        assert_eq!(
            expression_of(&r, Flavor::TraditionalCompatible)[0].0,
            concat!(
                r##"(net.protocol != r#"https"# || (tls.sni =^ r#".example.com"# || tls.sni ^= r#"api."# || tls.sni == r#"example.org"#))"##,
                r##" && (http.method == r#"GET"# || http.method == r#"POST"#)"##,
                r##" && (http.host =^ r#".example.com"# || http.host ^= r#"api."# || http.host == r#"x.org"#)"##,
                r##" && (http.path ~ r#"^/(?P<id>\d+)$"# || http.path ~ r#"^/b"#)"##,
                r##" && (any(lower(http.headers.x_test)) ~ r#"quote"# || any(lower(http.headers.x_test)) == r#"plain"#)"##,
            )
        );
    }

    #[test]
    fn quoted_string_when_raw_cannot_hold_it() {
        let raw = r##"/a"#b\c"##;
        assert_eq!(escape_str(raw), r##""/a\"#b\\c""##);
        let e = atc_router::parser::parse(&format!("http.path == {}", escape_str(raw)));
        match e {
            Ok(atc_router::ast::Expression::Predicate(p)) => assert!(matches!(p.rhs, atc_router::ast::Value::String(ref v) if v == raw)),
            other => panic!("{other:?}"),
        }
    }

    // The split of kong/router/transform.lua split_routes_and_services_by_path, each group
    // with its own priority (regex bit for the regex group, prefix length otherwise).
    #[test]
    fn split_sub_routes() {
        let r = RouteSpec { paths: strs(&["~/r.*$", "/long-path", "/one", "/two"]), ..RouteSpec::default() };
        let subs = sub_routes(&r, Flavor::TraditionalCompatible, Formula::Effective);
        assert_eq!(subs.iter().map(|s| s.group).collect::<Vec<_>>(), vec![Some(1), Some(2), Some(3)]);
        assert_eq!(subs[2].expression, r##"(http.path ^= r#"/one"# || http.path ^= r#"/two"#)"##);
        assert!(subs[0].priority & (1 << 51) != 0);
        assert_eq!(subs[1].priority & 0x7FFFF, 10);
        let single = RouteSpec { paths: strs(&["/a", "/b"]), ..RouteSpec::default() };
        assert_eq!(sub_routes(&single, Flavor::TraditionalCompatible, Formula::Effective)[0].group, None);
    }

    // transform.lua path_val_transform: `^` goes before everything, inline flags included,
    // and the `?<` rewrite is blind (look-behind becomes the invalid `(?P<=`)
    #[test]
    fn regex_paths_anchored_and_rewritten_blindly() {
        let r = RouteSpec { paths: strs(&["~/(?i)API/(?<v>v\\d)$"]), ..RouteSpec::default() };
        assert_eq!(expression_of(&r, Flavor::TraditionalCompatible)[0].0, r##"(http.path ~ r#"^/(?i)API/(?P<v>v\d)$"#)"##);
        let lb = RouteSpec { paths: strs(&["~/(?<=a)b"]), ..RouteSpec::default() };
        assert_eq!(expression_of(&lb, Flavor::TraditionalCompatible)[0].0, r##"(http.path ~ r#"^/(?P<=a)b"#)"##);
    }

    // kong/router/expressions.lua get_expression
    #[test]
    fn expressions_flavor_adds_protocols() {
        let r = RouteSpec { paths: strs(&["/a"]), ..RouteSpec::default() };
        assert_eq!(
            expression_of(&r, Flavor::Expressions)[0].0,
            r##"(http.path ^= r#"/a"#) && (net.protocol == r#"http"# || net.protocol == r#"https"#)"##
        );
        let https = RouteSpec { paths: strs(&["/a"]), protocols: strs(&["https"]), ..RouteSpec::default() };
        assert_eq!(expression_of(&https, Flavor::Expressions)[0].0, r##"(http.path ^= r#"/a"#)"##);
        let grpc = RouteSpec { paths: strs(&["/a"]), protocols: strs(&["grpc", "grpcs"]), ..RouteSpec::default() };
        assert!(expression_of(&grpc, Flavor::Expressions)[0].0.ends_with(r##"(net.protocol == r#"http"# || net.protocol == r#"https"#)"##));
        let expr = RouteSpec { expression: Some("net.port == 80".into()), priority: Some(7), protocols: strs(&["http"]), ..RouteSpec::default() };
        assert_eq!(expression_of(&expr, Flavor::Expressions), vec![(r##"net.dst.port == 80 && (net.protocol == r#"http"#)"##.to_string(), (0xFF << 56) | 7)]);
    }

    // Lua's string.lower leaves non-ASCII bytes alone
    #[test]
    fn header_values_lowered_ascii_only() {
        let r = RouteSpec { headers: vec![("x".into(), strs(&["ÉA"]))], ..RouteSpec::default() };
        assert_eq!(expression_of(&r, Flavor::TraditionalCompatible)[0].0, r##"(any(lower(http.headers.x)) == r#"Éa"#)"##);
    }
}
