//! Route fields as Kong 3.x (traditional_compatible) validates them: paths, regexes,
//! hosts, headers, methods, SNIs and the "at least one matching field" rule.

use crate::diagnostic::Diagnostic;
use crate::model::{Config, Entity};
use crate::node::Node;
use crate::router::normalize::normalize;
use crate::router::pattern::{self, RegexRejection};
use crate::rules;

pub fn check(config: &Config, out: &mut Vec<Diagnostic>) {
    for route in config.of_kind("routes") {
        check_route(route, out);
    }
}

fn check_route(route: &Entity, out: &mut Vec<Diagnostic>) {
    let n = &route.node;
    let label = route.label();
    let d = |rule, msg: String, node: &Node, field: String| Diagnostic::new(rule, msg).at(node.loc).entity(&label).field(field);
    if let Some(paths) = n.get("paths").and_then(Node::as_seq) {
        for (i, p) in paths.iter().enumerate() {
            if let Some(path) = p.as_str() {
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
            if let Some(msg) = h.as_str().and_then(check_host) {
                out.push(d(&rules::ROUTE_HOST, msg, h, format!("hosts[{i}]")));
            }
        }
    }
    if let Some(headers) = n.get("headers").filter(|h| h.is_map()) {
        for e in headers.entries() {
            if e.key.eq_ignore_ascii_case("host") {
                out.push(
                    Diagnostic::new(&rules::ROUTE_HEADER, "cannot contain 'host' header, which must be specified in the 'hosts' attribute")
                        .at(e.key_loc)
                        .entity(&label)
                        .field(format!("headers.{}", e.key)),
                );
            } else if e.key.is_empty() || !e.key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
                out.push(
                    Diagnostic::new(&rules::ROUTE_HEADER, format!("invalid header name: '{}'", e.key))
                        .at(e.key_loc)
                        .entity(&label)
                        .field(format!("headers.{}", e.key)),
                );
            }
            if let Some(values) = e.value.as_seq() {
                if values.is_empty() {
                    out.push(d(&rules::ROUTE_HEADER, "length must be at least 1".into(), &e.value, format!("headers.{}", e.key)));
                }
                for (i, v) in values.iter().enumerate() {
                    if let Some(re) = v.as_str().and_then(|s| s.strip_prefix("~*")) {
                        if let Err(err) = regex::Regex::new(&re.to_lowercase()) {
                            let msg = err.to_string().lines().last().unwrap_or("").trim_start_matches("error: ").to_string();
                            out.push(d(&rules::ROUTE_REGEX, format!("Router Expression failed validation: {msg}"), v, format!("headers.{}[{i}]", e.key)));
                        }
                    }
                }
            }
        }
    }
    if let Some(methods) = n.get("methods").and_then(Node::as_seq) {
        for (i, m) in methods.iter().enumerate() {
            if let Some(s) = m.as_str() {
                if s.is_empty() || !s.bytes().all(|b| b.is_ascii_uppercase()) {
                    out.push(
                        d(&rules::ROUTE_METHOD, format!("invalid value: {s}"), m, format!("methods[{i}]"))
                            .hint(format!("methods are upper case: `{}`", s.to_uppercase())),
                    );
                }
            }
        }
    }
    let protocols: Vec<String> = n
        .get("protocols")
        .and_then(Node::as_seq)
        .map(|p| p.iter().filter_map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_else(|| vec!["http".into(), "https".into()]);
    let has = |f: &str| match n.get_set(f) {
        Some(v) => v.as_seq().map(|s| !s.is_empty()).unwrap_or(v.is_map() && !v.entries().is_empty()),
        None => false,
    };
    if has("snis") && !protocols.iter().any(|p| matches!(p.as_str(), "https" | "grpcs" | "tls" | "tls_passthrough")) {
        out.push(d(
            &rules::ROUTE_SNIS,
            "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'".into(),
            n.get("snis").unwrap_or(n),
            "snis".into(),
        ));
    }
    let http_like = protocols.iter().any(|p| matches!(p.as_str(), "http" | "https" | "ws" | "wss"));
    if http_like {
        let https = protocols.iter().any(|p| p == "https" || p == "wss");
        let mut fields = vec!["methods", "hosts", "headers", "paths"];
        if https {
            fields.push("snis");
        }
        if !fields.iter().any(|f| has(f)) {
            let proto = if https { "https" } else { "http" };
            let list = fields.iter().map(|f| format!("'{f}'")).collect::<Vec<_>>().join(", ");
            out.push(
                Diagnostic::new(&rules::ROUTE_MATCH_FIELDS, format!("must set one of {list} when 'protocols' is '{proto}'"))
                    .at(n.loc)
                    .entity(&label),
            );
        }
    }
    if n.get_str("path_handling") == Some("v1") {
        out.push(
            d(&rules::PATH_HANDLING_V1, "path_handling 'v1' is ignored by Kong's default router flavor (traditional_compatible); v0 applies".into(), n.get("path_handling").unwrap_or(n), "path_handling".into())
                .hint("remove `path_handling` or set it to v0"),
        );
    }
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
            Err(RegexRejection::Pcre(msg)) => Some((
                &rules::ROUTE_REGEX,
                format!("invalid regex: '{}' (PCRE returned: {msg})", path.strip_prefix('~').unwrap_or(path)),
                Some("named groups must be letters, digits and `_`, starting with a letter or `_`".into()),
            )),
            Err(RegexRejection::Router(msg)) => Some((
                &rules::ROUTE_REGEX,
                format!("Router Expression failed validation: {msg}"),
                Some(format!("Kong compiles `{}` with the Rust regex crate: no look-around, back-references, atomic groups or \\Z", pattern::kong_pattern(path))),
            )),
        };
    }
    let rfc3986 = |c: char| c.is_ascii_alphanumeric() || "._~/%:@!$&'()*+,;=-".contains(c);
    if path.chars().all(rfc3986) {
        let b = path.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            if c == b'%' {
                let ok = i + 2 < b.len() && b.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
                if !ok {
                    let seq: String = path[i..].chars().take(3).collect();
                    return Some((&rules::ROUTE_PATH, format!("invalid url-encoded value: '{seq}'"), None));
                }
            }
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

/// Kong's route host rules: wildcards only as the whole leftmost or rightmost label,
/// a valid hostname or IP, an optional valid port.
pub fn check_host(host: &str) -> Option<String> {
    let stars = host.matches('*').count();
    if stars > 1 {
        return Some("invalid wildcard: must have at most one wildcard".into());
    }
    let (name, port) = split_port(host);
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u32>().map_or(true, |v| v > 65535) {
            return Some("invalid port number".into());
        }
    }
    let bare = if stars == 1 {
        if let Some(rest) = name.strip_prefix("*.") {
            rest
        } else if let Some(rest) = name.strip_suffix(".*") {
            rest
        } else {
            return Some("invalid wildcard: must be placed at leftmost or rightmost label".into());
        }
    } else {
        name
    };
    if bare.parse::<std::net::Ipv4Addr>().is_ok() {
        return None;
    }
    if bare.starts_with('[') && bare.ends_with(']') && bare[1..bare.len() - 1].parse::<std::net::Ipv6Addr>().is_ok() {
        return None;
    }
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if bare.is_empty() || bare.len() > 253 || !bare.trim_end_matches('.').split('.').all(valid_label) {
        return Some(format!("invalid hostname: {bare}"));
    }
    None
}

fn split_port(host: &str) -> (&str, Option<&str>) {
    if host.starts_with('[') {
        if let Some(end) = host.find(']') {
            let rest = &host[end + 1..];
            return (&host[..=end], rest.strip_prefix(':'));
        }
        return (host, None);
    }
    match host.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, Some(p)),
        _ => (host, None),
    }
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
        assert!(check_path("/with space").is_none(), "not in RFC 3986 set: Kong does not reject it");
        assert!(check_path("~/foo(?=x)").unwrap().1.starts_with("Router Expression failed validation: look-around"));
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
        assert_eq!(check_host("a.*.com").unwrap(), "invalid wildcard: must be placed at leftmost or rightmost label");
        assert_eq!(check_host("*.a.*").unwrap(), "invalid wildcard: must have at most one wildcard");
    }
}
