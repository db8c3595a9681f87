//! Route fields as Kong 3.x (traditional_compatible) validates them: names, paths, regexes,
//! hosts, headers, methods, SNIs, sources/destinations, protocols and the subschema of the
//! first protocol ("at least one matching field", fields a protocol does not allow).
//!
//! Restated from kong/db/schema/typedefs.lua, kong/db/schema/entities/routes.lua,
//! kong/db/schema/entities/routes_subschemas.lua, kong/db/schema/init.lua (validator order
//! and messages), kong/tools/ip.lua and kong/tools/http.lua. tests/route_schema_spec.rs holds
//! Kong's spec/01-unit/01-db/01-schema/06-routes_spec.lua as a table against this file.

use crate::diagnostic::Diagnostic;
use crate::model::{Config, Entity};
use crate::node::Node;
use crate::router::normalize::normalize;
use crate::router::Flavor;
use crate::router::pattern::{self, RegexRejection};
use crate::rules;

pub fn check(config: &Config, flavor: Option<Flavor>, out: &mut Vec<Diagnostic>) {
    // with the flavor unknown, the laxer expressions-flavor subschemas apply here and the
    // ATC checks wait for the gateway's answer (super::routes_for_flavor)
    for route in config.of_kind("routes") {
        check_route(route, flavor.unwrap_or(Flavor::Expressions), out);
    }
    if let Some(flavor) = flavor {
        check_router_expressions(config, flavor, out);
    }
}

/// The fields Kong's `validate_route` entity check reads (its `field_sources`): Kong skips the
/// check when one of them has an error (kong/db/schema/init.lua `run_entity_check`).
const VALIDATE_ROUTE_FIELDS: &[&str] =
    &["id", "protocols", "snis", "sources", "destinations", "methods", "hosts", "paths", "headers", "expression", "regex_priority", "priority"];

/// Kong's `validate_route` (kong/db/schema/entities/routes.lua), which both ATC flavors run
/// after the route's fields passed: the expression (written, or generated from the classic
/// fields by kong/router/transform.lua) must parse and type-check in atc-router, plus the
/// expressions flavor's rules on mixing fields. Kong skips it for a route with an error on
/// one of the fields it reads (a bad regex path keeps its PCRE message); errors of other
/// fields and of other entity checks do not stop it. Stream routes are checked against the
/// stream schema, as is the expression Kong generates for a route with sources or
/// destinations (a CIDR with host bits set can fail there). The rest of the expression Kong
/// generates for a classic route (kong/router/transform.lua) can only fail where a path or
/// header regex does not compile, which `check_route` checks with the regex crate atc-router
/// uses (tests/router_atc_differential.rs pins the two routers together), so it is not
/// compiled a second time: building atc-router for 10k routes took 1.5 s of a validate.
fn check_router_expressions(config: &Config, flavor: Flavor, out: &mut Vec<Diagnostic>) {
    let blocked: std::collections::HashSet<&str> = out
        .iter()
        .filter(|d| d.is_error() && VALIDATE_ROUTE_FIELDS.contains(&d.field.as_deref().unwrap_or("").split(['.', '[']).next().unwrap_or("")))
        .filter_map(|d| d.entity.as_deref())
        .collect();
    let mut found = Vec::new();
    for route in config.of_kind("routes") {
        if blocked.contains(route.label().as_str()) {
            continue;
        }
        let spec = crate::simulate::route_spec(route);
        let nets = |f: &str| -> Vec<crate::router::atc::Net> {
            let items = route.node.get_set(f).and_then(Node::as_seq).unwrap_or(&[]);
            items.iter().map(|n| crate::router::atc::Net { ip: n.get_str("ip").map(String::from), port: n.get("port").and_then(Node::as_i64) }).collect()
        };
        let nets = crate::router::atc::Nets { sources: nets("sources"), destinations: nets("destinations") };
        if let Err((field, message)) = crate::router::atc::validate_route_with(&spec, &nets, flavor) {
            found.push(router_expression_finding(route, crate::router::atc::RouteError { route: 0, field, message }));
        }
    }
    out.extend(found);
}

fn router_expression_finding(route: &Entity, e: crate::router::atc::RouteError) -> Diagnostic {
    let field = e.field.or_else(|| route.node.get_set("expression").map(|_| "expression"));
    let at = field.and_then(|f| route.node.get(f)).map_or(route.node.loc, |n| n.loc);
    Diagnostic::new(&rules::ROUTER_EXPRESSION, e.kong_message()).at(at).entity(route.label()).field(field.unwrap_or(""))
}

fn check_route(route: &Entity, flavor: Flavor, out: &mut Vec<Diagnostic>) {
    let n = &route.node;
    let label = route.label();
    let d = |rule, msg: String, node: &Node, field: String| Diagnostic::new(rule, msg).at(node.loc).entity(&label).field(field);
    if let Some(name) = n.get_set("name") {
        if let Some(msg) = name.as_str().filter(|s| !s.is_empty()).and_then(check_name) {
            out.push(d(&rules::ROUTE_NAME, msg, name, "name".into()).hint("use letters, digits, non-ASCII characters and `.`, `-`, `_`, `~`"));
        }
    }
    if let Some(paths) = n.get("paths").and_then(Node::as_seq) {
        for (i, p) in paths.iter().enumerate() {
            // an empty string is the schema's "length must be at least 1"
            if let Some(path) = p.as_str().filter(|s| !s.is_empty()) {
                if let Some(diag) = check_path(path) {
                    let (rule, msg, hint) = diag;
                    let mut x = d(rule, msg, p, format!("paths[{i}]"));
                    if let Some(h) = hint {
                        x = x.hint(h);
                    }
                    out.push(x);
                } else if path.starts_with('~') {
                    for why in pattern::surprising_constructs(path) {
                        out.push(d(&rules::REGEX_MEANING, why.to_string(), p, format!("paths[{i}]")));
                    }
                }
            }
        }
    }
    if let Some(hosts) = n.get("hosts").and_then(Node::as_seq) {
        for (i, h) in hosts.iter().enumerate() {
            if let Some(msg) = h.as_str().filter(|s| !s.is_empty()).and_then(check_host) {
                out.push(d(&rules::ROUTE_HOST, msg, h, format!("hosts[{i}]")));
            }
        }
    }
    if let Some(snis) = n.get("snis").and_then(Node::as_seq) {
        for (i, h) in snis.iter().enumerate() {
            if let Some(msg) = h.as_str().filter(|s| !s.is_empty()).and_then(check_sni) {
                out.push(d(&rules::ROUTE_SNIS, msg, h, format!("snis[{i}]")));
            }
        }
    }
    for field in ["sources", "destinations"] {
        if let Some(items) = n.get(field).and_then(Node::as_seq) {
            for (i, item) in items.iter().enumerate() {
                if let Some(ip) = item.get("ip") {
                    if let Some(msg) = ip.as_str().and_then(check_ip_or_cidr) {
                        out.push(d(&rules::ROUTE_SOURCES, msg, ip, format!("{field}[{i}].ip")));
                    }
                }
            }
        }
    }
    if let Some(headers) = n.get("headers").filter(|h| h.is_map()) {
        for e in headers.entries() {
            if let Some(msg) = check_header_name(&e.key) {
                out.push(Diagnostic::new(&rules::ROUTE_HEADER, msg).at(e.key_loc).entity(&label).field(format!("headers.{}", e.key)));
            }
            if let Some(values) = e.value.as_seq() {
                if values.is_empty() {
                    out.push(d(&rules::ROUTE_HEADER, "length must be at least 1".into(), &e.value, format!("headers.{}", e.key)));
                }
                for (i, v) in values.iter().enumerate() {
                    if let Some(msg) = v.as_str().and_then(header_regex_error) {
                        out.push(d(&rules::ROUTE_REGEX, format!("Router Expression failed validation: {msg}"), v, format!("headers.{}[{i}]", e.key)));
                    }
                }
            }
        }
    }
    if let Some(methods) = n.get("methods").and_then(Node::as_seq) {
        for (i, m) in methods.iter().enumerate() {
            // typedefs.http_method: `^%u+$`; an empty string is the schema's length error
            if let Some(s) = m.as_str().filter(|s| !s.is_empty()) {
                if !s.bytes().all(|b| b.is_ascii_uppercase()) {
                    out.push(
                        d(&rules::ROUTE_METHOD, format!("invalid value: {s}"), m, format!("methods[{i}]"))
                            .hint(format!("methods are upper case letters: `{}`", s.to_uppercase().replace(|c: char| !c.is_ascii_uppercase(), ""))),
                    );
                }
            }
        }
    }
    check_protocols(n, &label, flavor, out);
    if n.get_str("path_handling") == Some("v1") {
        out.push(
            d(&rules::PATH_HANDLING_V1, "path_handling 'v1' is ignored by Kong's default router flavor (traditional_compatible); v0 applies".into(), n.get("path_handling").unwrap_or(n), "path_handling".into())
                .hint("remove `path_handling` or set it to v0"),
        );
    }
}

/// kong/db/schema/entities/routes.lua `protocols.mutually_exclusive_subsets`, in the order
/// Kong lists the sets.
const PROTOCOL_SUBSETS: &[&[&str]] = &[&["http", "https"], &["tcp", "tls", "udp"], &["tls_passthrough"], &["grpc", "grpcs"]];

/// Kong's `mutually_exclusive_subsets` validator (kong/db/schema/init.lua): the sets the
/// protocols belong to, in order of first use; an error when there is more than one.
pub fn check_protocol_sets(protocols: &[&str]) -> Option<String> {
    let mut member_of: Vec<&[&str]> = Vec::new();
    for p in protocols {
        if let Some(set) = PROTOCOL_SUBSETS.iter().find(|s| s.contains(p)) {
            if !member_of.contains(set) {
                member_of.push(set);
            }
        }
    }
    if member_of.len() <= 1 {
        return None;
    }
    let list = member_of
        .iter()
        .map(|s| format!("({})", s.iter().map(|p| format!("'{p}'")).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!("these sets are mutually exclusive: {list}"))
}

/// Protocol-dependent checks: the mutually exclusive sets, the `snis` conditional of
/// kong/db/schema/entities/routes.lua and the subschema of the first protocol
/// (kong/db/schema/entities/routes_subschemas.lua: http, stream or grpc).
///
/// In the expressions flavor (routes_subschemas.lua's `router_flavor == "expressions"` block)
/// http and grpc routes may set sources and destinations, and `expression` counts among the
/// fields one of which must be set.
fn check_protocols(n: &Node, label: &str, flavor: Flavor, out: &mut Vec<Diagnostic>) {
    let protocols: Vec<&str> = match n.get_set("protocols") {
        Some(p) => match p.as_seq() {
            Some(items) => items.iter().filter_map(Node::as_str).collect(),
            None => return, // the schema's type error
        },
        None => vec!["http", "https"],
    };
    let proto_node = n.get("protocols").unwrap_or(n);
    if protocols.is_empty() {
        // routes.lua: `protocols` has len_min = 1
        out.push(Diagnostic::new(&rules::BAD_LENGTH, "length must be at least 1").at(proto_node.loc).entity(label).field("protocols"));
        return;
    }
    if let Some(msg) = check_protocol_sets(&protocols) {
        // Kong skips the entity checks that read `protocols` once the field has an error
        out.push(Diagnostic::new(&rules::ROUTE_PROTOCOLS, msg).at(proto_node.loc).entity(label).field("protocols"));
        return;
    }
    let has = |f: &str| match n.get_set(f) {
        Some(v) => v.as_seq().map(|s| !s.is_empty()).unwrap_or(v.is_map() && !v.entries().is_empty()),
        None => false,
    };
    let at = |f: &str| n.get(f).map(|v| v.loc).unwrap_or(n.loc);
    if has("snis") && !protocols.iter().any(|p| matches!(*p, "https" | "grpcs" | "tls" | "tls_passthrough")) {
        // an entity check: Kong files its then_err under "@entity"
        out.push(
            Diagnostic::new(&rules::ROUTE_SNIS, "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'")
                .at(at("snis"))
                .entity(label),
        );
        // the same conditional's then_match on the field itself
        out.push(Diagnostic::new(&rules::ROUTE_SNIS, "length must be 0").at(at("snis")).entity(label).field("snis"));
    }
    let contains = |p: &str| protocols.contains(&p);
    let all_in = |set: &[&str]| protocols.iter().all(|p| set.contains(p));
    let expressions = flavor == Flavor::Expressions;
    let at_least_one = |fields: &[&str], msg: &str, out: &mut Vec<Diagnostic>| {
        let with_expression: Vec<&str> = fields.iter().copied().chain(expressions.then_some("expression")).collect();
        let fields = with_expression.as_slice();
        if !fields.iter().any(|f| has(f) || (*f == "expression" && n.get_str(f).is_some_and(|e| !e.is_empty()))) {
            let list = fields.iter().map(|f| format!("'{f}'")).collect::<Vec<_>>().join(", ");
            out.push(Diagnostic::new(&rules::ROUTE_MATCH_FIELDS, msg.replace("%s", &list)).at(n.loc).entity(label));
        }
    };
    let cannot_set = |fields: &[&str], when: &str, out: &mut Vec<Diagnostic>| {
        for f in fields {
            if n.get_set(f).is_some() {
                out.push(
                    Diagnostic::new(&rules::ROUTE_PROTOCOLS, format!("cannot set '{f}' when 'protocols' is {when}"))
                        .at(at(f))
                        .entity(label)
                        .field(*f),
                );
            }
        }
    };
    let first = protocols.iter().find(|p| PROTOCOL_SUBSETS.iter().any(|s| s.contains(*p)) || matches!(**p, "ws" | "wss"));
    match first.copied() {
        Some("http" | "https" | "ws" | "wss") => {
            if !expressions {
                cannot_set(&["sources", "destinations"], "'http' or 'https'", out);
            }
            if contains("https") || contains("wss") {
                at_least_one(&["methods", "hosts", "headers", "paths", "snis"], "must set one of %s when 'protocols' is 'https'", out);
            } else {
                at_least_one(&["methods", "hosts", "headers", "paths"], "must set one of %s when 'protocols' is 'http'", out);
            }
        }
        Some("grpc" | "grpcs") => {
            // the grpc subschema's strip_path defaults to false and must not be true
            if let Some(sp) = n.get_set("strip_path").filter(|v| v.as_bool() == Some(true)) {
                out.push(
                    Diagnostic::new(&rules::ROUTE_PROTOCOLS, "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'")
                        .at(sp.loc)
                        .entity(label)
                        .field("strip_path")
                        .hint("remove `strip_path` (gRPC routes default to false)"),
                );
            }
            cannot_set(if expressions { &["methods"] } else { &["methods", "sources", "destinations"] }, "'grpc' or 'grpcs'", out);
            if contains("grpcs") {
                at_least_one(&["hosts", "headers", "paths", "snis"], "must set one of %s when 'protocols' is 'grpcs'", out);
            } else {
                at_least_one(&["hosts", "headers", "paths"], "must set one of %s when 'protocols' is 'grpc'", out);
            }
        }
        Some(_) => {
            cannot_set(&["methods", "hosts", "paths", "headers"], "'tcp', 'tls', 'tls_passthrough' or 'udp'", out);
            if all_in(&["tcp", "tls", "udp"]) {
                at_least_one(&["sources", "destinations", "snis"], "must set one of %s when 'protocols' is 'tcp', 'tls' or 'udp'", out);
            }
            // the expressions flavor adds 'expression' to this check too (its message
            // has no field list)
            if all_in(&["tls_passthrough"]) && !has("snis") && !(expressions && n.get_str("expression").is_some_and(|e| !e.is_empty())) {
                out.push(Diagnostic::new(&rules::ROUTE_MATCH_FIELDS, "must set snis when 'protocols' is 'tls_passthrough'").at(n.loc).entity(label));
            }
        }
        None => {}
    }
}

/// typedefs.utf8_name (kong/db/schema/typedefs.lua `validate_utf8_name`): ASCII letters,
/// digits, `.`, `-`, `_`, `~`, and any non-ASCII character (the input is already UTF-8).
pub fn check_name(name: &str) -> Option<String> {
    let ok = name.bytes().all(|b| b.is_ascii_alphanumeric() || b".-_~".contains(&b) || b >= 128);
    (!ok).then(|| format!("invalid value '{name}': the only accepted ascii characters are alphanumerics or ., -, _, and ~"))
}

/// A `~*` header value is a regex that Kong lower-cases and hands to atc-router
/// (kong/router/transform.lua `get_expression`: `escape_str(value:lower())`). Lua's
/// `string.lower` changes ASCII letters only, so a non-ASCII letter keeps its case: `[ä-Ö]`
/// stays a reversed range. Returns the regex crate's complaint, if any.
pub fn header_regex_error(value: &str) -> Option<String> {
    let re = value.strip_prefix("~*")?;
    let err = regex::Regex::new(&re.to_ascii_lowercase()).err()?;
    Some(err.to_string().lines().last().unwrap_or("").trim_start_matches("error: ").to_string())
}

/// Route header names: the `match_none` of kong/db/schema/entities/routes.lua (no `host`),
/// then kong/tools/http.lua `validate_header_name`.
pub fn check_header_name(name: &str) -> Option<String> {
    if name.eq_ignore_ascii_case("host") {
        return Some("cannot contain 'host' header, which must be specified in the 'hosts' attribute".into());
    }
    if name.is_empty() {
        return Some("no header name provided".into());
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Some(format!("bad header name '{name}', allowed characters are A-Z, a-z, 0-9, '_', and '-'"));
    }
    None
}

type PathFinding = (&'static rules::Rule, String, Option<String>);

/// Kong's checks on one route path, in Kong's words.
pub fn check_path(path: &str) -> Option<PathFinding> {
    if !(path.starts_with('/') || path.starts_with("~/")) {
        return Some((&rules::ROUTE_PATH, "should start with: / (fixed path) or ~/ (regex path)".into(), None));
    }
    if path.contains("//") {
        return Some((&rules::ROUTE_PATH, "must not have empty segments".into(), None));
    }
    if path.starts_with('~') {
        return match pattern::compile(path) {
            Ok(_) => None,
            Err(RegexRejection::Pcre(msg)) => {
                let hint = if msg.contains("subpattern name") {
                    "named groups must be letters, digits and `_`, starting with a letter or `_`"
                } else if msg.contains("parenthesis") {
                    "balance the parentheses; a literal `(` or `)` is written `\\(` or `\\)`"
                } else if msg.contains("character class") {
                    "close the `[` class with `]`; a literal `[` is written `\\[`"
                } else {
                    "a literal backslash is written `\\\\`"
                };
                Some((
                    &rules::ROUTE_REGEX,
                    format!("invalid regex: '{}' (PCRE returned: {msg})", path.strip_prefix('~').unwrap_or(path)),
                    Some(hint.into()),
                ))
            }
            Err(RegexRejection::Router(msg)) => Some((
                &rules::ROUTE_REGEX,
                format!("Router Expression failed validation: {msg}"),
                Some(format!("Kong compiles `{}` with the Rust regex crate: no look-around, back-references, atomic groups or \\Z", pattern::kong_pattern(path))),
            )),
        };
    }
    // typedefs.lua `validate_path`: only a path of RFC 3986 characters gets the percent check;
    // every valid `%XX` is blanked, then the first `%` left and up to two characters after it
    // are the bad value.
    let rfc3986 = |c: char| c.is_ascii_alphanumeric() || "._~/%:@!$&'()*+,;=-".contains(c);
    if path.chars().all(rfc3986) {
        let b = path.as_bytes();
        let mut raw = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && b.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit) {
                raw.extend_from_slice(b"___");
                i += 3;
            } else {
                raw.push(b[i]);
                i += 1;
            }
        }
        if let Some(at) = raw.iter().position(|&c| c == b'%') {
            let seq = String::from_utf8_lossy(&raw[at..(at + 3).min(raw.len())]).into_owned();
            return Some((&rules::ROUTE_PATH, format!("invalid url-encoded value: '{seq}'"), None));
        }
    }
    let normalized = normalize(path);
    if normalized != path.as_bytes() {
        let n = String::from_utf8_lossy(&normalized).into_owned();
        return Some((
            &rules::NON_NORMALIZED_PATH,
            format!("non-normalized path, consider use '{n}' instead"),
            Some(format!("use `{n}`")),
        ));
    }
    None
}

/// typedefs.hosts (kong/db/schema/typedefs.lua): at most one `*`, only as the whole leftmost
/// or rightmost label; then, with `*` replaced by `abc`, kong/tools/ip.lua `normalize_ip` as
/// `typedefs.host_with_optional_port` runs it. Its messages name the substituted host, as
/// Kong's do.
pub fn check_host(host: &str) -> Option<String> {
    if host.matches('*').count() > 1 {
        return Some("invalid wildcard: must have at most one wildcard".into());
    }
    if host.contains('*') && !(host.starts_with("*.") || host.ends_with(".*")) {
        return Some("invalid wildcard: must be placed at leftmost or rightmost label".into());
    }
    normalize_ip(&host.replace('*', "abc")).err()
}

/// kong/tools/ip.lua `normalize_ip`: the address kind by `hostname_type`, then that kind's
/// check. Returns the port, if any, or Kong's error.
pub fn normalize_ip(address: &str) -> Result<(AddressKind, Option<u32>), String> {
    let colons = address.matches(':').count();
    if colons > 1 {
        return normalize_ipv6(address).map(|p| (AddressKind::Ipv6, p));
    }
    let remainder = address.replace(':', "");
    if !remainder.is_empty() && remainder.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return normalize_ipv4(address).map(|p| (AddressKind::Ipv4, p));
    }
    check_hostname(address).map(|p| (AddressKind::Name, p))
}

/// kong/tools/ip.lua `hostname_type`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AddressKind {
    Ipv4,
    Ipv6,
    Name,
}

/// typedefs.wildcard_host (kong/db/schema/typedefs.lua `validate_wildcard_host`), the type of
/// route `snis` under the traditional_compatible and expressions flavors.
pub fn check_sni(host: &str) -> Option<String> {
    let mut host = host.to_string();
    if let Some(idx) = host.find('*') {
        if idx != 0 && idx != host.len() - 1 {
            return Some("wildcard must be leftmost or rightmost character".into());
        }
        if host.matches('*').count() > 1 {
            return Some("only one wildcard must be specified".into());
        }
        host = host.replace('*', "wildcard");
    }
    match normalize_ip(&host) {
        Err(e) if e != "invalid port number" => Some(format!("invalid value: {host}")),
        Err(_) => Some("must not have a port".into()),
        Ok((kind, _)) if kind != AddressKind::Name => Some("must not be an IP".into()),
        Ok((_, Some(_))) => Some("must not have a port".into()),
        Ok(_) => None,
    }
}

/// typedefs.ip_or_cidr (kong/tools/ip.lua `is_valid_ip_or_cidr`): an IPv4 or IPv6 address,
/// or one with a `/prefix` of 0-32 (IPv4) or 0-128 (IPv6) written without leading zeros.
pub fn check_ip_or_cidr(value: &str) -> Option<String> {
    use std::net::{Ipv4Addr, Ipv6Addr};
    let ok = value.parse::<Ipv4Addr>().is_ok()
        || value.parse::<Ipv6Addr>().is_ok()
        || value.split_once('/').is_some_and(|(ip, prefix)| {
            let bits = (!prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit()) && (prefix == "0" || !prefix.starts_with('0')))
                .then(|| prefix.parse::<u32>().ok())
                .flatten();
            match bits {
                Some(b) => (ip.parse::<Ipv4Addr>().is_ok() && b <= 32) || (ip.parse::<Ipv6Addr>().is_ok() && b <= 128),
                None => false,
            }
        });
    (!ok).then(|| format!("invalid ip or cidr range: '{value}'"))
}

fn port_number(digits: &str) -> Result<Option<u32>, String> {
    // Lua's tonumber on a run of digits, then `> 65535`
    match digits.trim_start_matches('0').len() {
        0 => Ok(Some(0)),
        1..=5 if digits.parse::<u32>().is_ok_and(|p| p <= 65535) => Ok(digits.parse().ok()),
        _ => Err("invalid port number".into()),
    }
}

fn normalize_ipv4(address: &str) -> Result<Option<u32>, String> {
    let bad = || format!("invalid ipv4 address: {address}");
    let (ip, port) = match address.split_once(':') {
        Some((ip, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => (ip, Some(port)),
        Some(_) => return Err(bad()),
        None => (address, None),
    };
    let octets: Vec<&str> = ip.split('.').collect();
    if octets.len() != 4 || !octets.iter().all(|o| (1..=3).contains(&o.len()) && o.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad());
    }
    if octets.iter().any(|o| o.parse::<u32>().map_or(true, |v| v > 255)) {
        return Err(bad());
    }
    match port {
        Some(p) => port_number(p),
        None => Ok(None),
    }
}

fn normalize_ipv6(address: &str) -> Result<Option<u32>, String> {
    let (mut check, port) = if address.starts_with('[') {
        // Lua's `%b[]`: the balanced bracket run at the start
        let mut depth = 0;
        let mut end = None;
        for (i, c) in address.char_indices() {
            match c {
                '[' => depth += 1,
                ']' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        match end {
            Some(e) => {
                let rest = &address[e + 1..];
                let port = if rest.is_empty() {
                    None
                } else {
                    match rest.strip_prefix(':').filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
                        Some(p) => port_number(p)?,
                        None => return Err("invalid ipv6 address".into()),
                    }
                };
                (address[1..e].to_string(), port)
            }
            None => (address.to_string(), None),
        }
    } else {
        (address.to_string(), None)
    };
    if check.starts_with(':') {
        check.insert(0, '0');
    }
    if check.ends_with(':') {
        check.push('0');
    }
    if check.contains("::") {
        let count = check.matches(':').count();
        let ins = format!(":{}", "0:".repeat(8usize.saturating_sub(count)));
        check = check.replacen("::", &ins, 1);
    }
    let groups: Vec<&str> = check.split(':').collect();
    if groups.len() != 8 || !groups.iter().all(|g| (1..=4).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Err(format!("invalid ipv6 address: {address}"));
    }
    Ok(port)
}

/// kong/tools/ip.lua `check_hostname`: letters, digits, `-`, `.`, `_`; no label may end with
/// `-` and only the last may be empty (a leading `-` is allowed: punycode).
fn check_hostname(address: &str) -> Result<Option<u32>, String> {
    let mut name = address;
    let mut port = None;
    if let Some((h, p)) = address.rsplit_once(':') {
        if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
            name = h;
            port = port_number(p)?;
        }
    }
    let bad = || format!("invalid hostname: {address}");
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)) {
        return Err(bad());
    }
    let labels: Vec<&str> = name.split('.').collect();
    for (i, label) in labels.iter().enumerate() {
        if label.ends_with('-') || (label.is_empty() && i + 1 != labels.len()) {
            return Err(bad());
        }
    }
    Ok(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expectations restated from Kong's spec/01-unit/01-db/01-schema/06-routes_spec.lua
    // via ../shared/reference/kong-router.md §3.3.
    #[test]
    fn path_rules() {
        assert!(check_path("/ok").is_none());
        assert!(check_path("~/ok/(?<x>\\d+)$").is_none());
        assert_eq!(check_path("foo").unwrap().1, "should start with: / (fixed path) or ~/ (regex path)");
        assert_eq!(check_path("/a//b").unwrap().1, "must not have empty segments");
        assert_eq!(check_path("/foo/./bar").unwrap().1, "non-normalized path, consider use '/foo/bar' instead");
        assert_eq!(check_path("/a%2fb").unwrap().1, "non-normalized path, consider use '/a%2Fb' instead");
        assert_eq!(check_path("/x%41").unwrap().1, "non-normalized path, consider use '/xA' instead");
        assert_eq!(check_path("/x%zz").unwrap().1, "invalid url-encoded value: '%zz'");
        assert_eq!(check_path("/x%%41").unwrap().1, "invalid url-encoded value: '%__'");
        assert_eq!(check_path("/some%20words%").unwrap().1, "invalid url-encoded value: '%'");
        assert!(check_path("/with space").is_none(), "not in RFC 3986 set: Kong does not reject it");
        assert!(check_path("~/foo(?=x)").unwrap().1.starts_with("Router Expression failed validation: look-around"));
    }

    /// Kong-origin error messages for one route, under `flavor`.
    fn route_errors(route: &str, flavor: Flavor) -> Vec<String> {
        use crate::load::{self, MemFiles};
        let text = format!("_format_version: \"3.0\"\nroutes:\n  - {route}\n");
        let files = MemFiles::default().with("kong.yaml", &text);
        let loaded = load::load(&[std::path::PathBuf::from("kong.yaml")], &files, &crate::env::Env::default(), crate::env::EnvMode::Mock);
        let schemas = crate::schema::kong::Schemas::bundled();
        let mut msgs: Vec<String> = super::super::validate_with(&loaded.config, &super::super::Target { schemas: &schemas, flavor: Some(flavor) })
            .into_iter()
            .filter(|d| d.rule.origin == crate::diagnostic::Origin::Kong && d.is_error())
            .map(|d| d.message)
            .collect();
        msgs.sort();
        msgs
    }

    // routes_subschemas.lua: under the expressions flavor the tls_passthrough check's
    // then_at_least_one_of is { "snis", "expression" }
    #[test]
    fn tls_passthrough_route_may_match_on_an_expression() {
        let route = r#"{protocols: [tls_passthrough], expression: 'tls.sni == "a.test"'}"#;
        assert_eq!(route_errors(route, Flavor::Expressions), Vec::<String>::new());
        assert_eq!(route_errors("{protocols: [tls_passthrough], sources: [{ip: 1.2.3.4}]}", Flavor::Expressions), vec!["must set snis when 'protocols' is 'tls_passthrough'"]);
    }

    // kong/db/schema/init.lua run_entity_check: validate_route is skipped only for errors on
    // its field_sources; `name` is not one of them, and other entity checks do not stop it
    #[test]
    fn validate_route_runs_despite_errors_elsewhere() {
        let route = r#"{name: "bad name", protocols: [http], expression: 'http.path == 1'}"#;
        assert_eq!(
            route_errors(route, Flavor::Expressions),
            vec![
                "Router Expression failed validation: Type mismatch between the LHS and RHS values of predicate",
                "invalid value 'bad name': the only accepted ascii characters are alphanumerics or ., -, _, and ~",
            ]
        );
        // a finding on `paths` (one of its field_sources) stops it: Kong keeps the PCRE message
        assert_eq!(route_errors(r#"{protocols: [http], paths: ["~/(a"], priority: 3}"#, Flavor::Expressions).len(), 1);
    }

    // kong/router/transform.lua gen_for_nets passes an IPv6 CIDR as written: validate_route
    // (both ATC flavors) fails where atc-router finds host bits set
    #[test]
    fn stream_route_cidr_with_host_bits() {
        let route = r#"{protocols: [tcp], sources: [{ip: "2001:db8::1/64", port: 80}]}"#;
        let want = "Router Expression failed validation:  --> 1:17\n  |\n1 | ((net.src.ip in 2001:db8::1/64 && net.src.port == 80))\n  |                 ^------------^\n  |\n  = host part of address was not zero";
        assert_eq!(route_errors(route, Flavor::TraditionalCompatible), vec![want]);
        assert_eq!(route_errors(route, Flavor::Expressions), vec![want]);
        assert_eq!(route_errors(r#"{protocols: [tcp], sources: [{ip: "10.1.2.3/8"}]}"#, Flavor::TraditionalCompatible), Vec::<String>::new());
    }

    // kong/router/transform.lua lower-cases `~*` header values with Lua's string.lower
    // (ASCII only) before atc-router compiles them.
    #[test]
    fn header_regexes_are_lower_cased_ascii_only() {
        assert_eq!(header_regex_error("plain"), None);
        assert_eq!(header_regex_error("~*V[0-9]+"), None);
        // Ö (U+D6) stays upper case: ä (U+E4) to Ö is a reversed range
        assert_eq!(header_regex_error("~*[ä-Ö]").as_deref(), Some("invalid character class range, the start must be <= the end"));
        // Unicode lower-casing would turn this one into the reversed ö-ä
        assert_eq!(header_regex_error("~*[Ö-ä]"), None);
    }

    #[test]
    fn host_rules() {
        assert!(check_host("example.com").is_none());
        assert!(check_host("*.example.com").is_none());
        assert!(check_host("example.*").is_none());
        assert!(check_host("hello.COM").is_none());
        assert!(check_host("example.com:8000").is_none());
        assert!(check_host("10.0.0.1").is_none());
        assert_eq!(check_host("example.com:1000000").unwrap(), "invalid port number");
        assert_eq!(check_host("example-.org").unwrap(), "invalid hostname: example-.org");
        assert!(check_host("-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n").is_none());
        assert_eq!(check_host("example:").unwrap(), "invalid hostname: example:");
        assert_eq!(check_host("1.2.3.999").unwrap(), "invalid ipv4 address: 1.2.3.999");
        assert!(check_host("[::1]:8000").is_none());
        assert!(check_host("fe80::1").is_none());
        assert_eq!(check_host("[::1]x").unwrap(), "invalid ipv6 address");
        assert_eq!(check_host("*.ex ample.com").unwrap(), "invalid hostname: abc.ex ample.com");
        assert_eq!(check_host("a.*.com").unwrap(), "invalid wildcard: must be placed at leftmost or rightmost label");
        assert_eq!(check_host("*.a.*").unwrap(), "invalid wildcard: must have at most one wildcard");
    }
}
