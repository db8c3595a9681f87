//! Kong's router: which route a request hits, in Kong 3.x's default traditional_compatible
//! flavor (../shared/reference/kong-router.md). Knows nothing of decK files: it takes
//! [`RouteSpec`]s and [`Request`]s.
//!
//! A route with paths of several kinds is split into sub-routes (all regex paths; one per
//! prefix length). Sub-routes are tried in descending priority, ties broken by descending
//! UUID; the first one whose every condition holds wins, as in atc-router.

pub mod atc;
mod explain;
pub mod index;
pub mod normalize;
pub mod path_regex;
pub mod pattern;
pub mod priority;
pub mod upstream;

use regex::Regex;
use std::collections::HashMap;

pub use atc::transform::Flavor;
pub use explain::Explained;
pub use priority::Formula;

/// The route fields the router looks at.
#[derive(Clone, Debug)]
pub struct RouteSpec {
    pub name: Option<String>,
    /// `None`: Kong would generate a random id (unnamed route without id, DB mode).
    pub id: Option<uuid::Uuid>,
    pub paths: Vec<String>,
    /// `Some(vec![])` differs from `None` for the plain-host priority bit (Kong quirk).
    pub hosts: Option<Vec<String>>,
    pub methods: Vec<String>,
    pub headers: Vec<(String, Vec<String>)>,
    pub snis: Vec<String>,
    pub regex_priority: i64,
    /// Kong's `protocols` (default `[http, https]`). Not part of matching in
    /// traditional_compatible; the expressions flavor turns it into a `net.protocol` condition.
    pub protocols: Vec<String>,
    /// Expressions flavor: the route's ATC `expression` (Kong route field).
    pub expression: Option<String>,
    /// Expressions flavor: the route's `priority` (Kong route field, default 0).
    pub priority: Option<u64>,
}

/// Kong's default route protocols (kong/db/schema/entities/routes.lua).
pub const DEFAULT_PROTOCOLS: [&str; 2] = ["http", "https"];

impl Default for RouteSpec {
    fn default() -> Self {
        RouteSpec {
            name: None,
            id: None,
            paths: Vec::new(),
            hosts: None,
            methods: Vec::new(),
            headers: Vec::new(),
            snis: Vec::new(),
            regex_priority: 0,
            protocols: DEFAULT_PROTOCOLS.iter().map(|p| p.to_string()).collect(),
            expression: None,
            priority: None,
        }
    }
}

/// A request as the router sees it.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    /// The raw request target (path and optional query).
    pub target: String,
    /// The Host header, as sent (may carry a port); `None` when absent.
    pub host: Option<String>,
    pub headers: Vec<(String, String)>,
    pub https: bool,
    /// Kong's listener port (used for `host:port` routes when the Host header has no port).
    pub listener_port: u16,
    pub sni: Option<String>,
}

impl Request {
    /// The path Kong matches on: query cut, then normalized. `None` when the result is not
    /// UTF-8 (Kong's router errors and answers 404).
    pub fn match_path(&self) -> Option<String> {
        String::from_utf8(normalize::normalize(path_only(&self.target))).ok()
    }

    /// The host part of the Host header and the destination port, split as
    /// kong/router/transform.lua `split_host_port` does: at the first `:` when the rest is a
    /// number. That number is the port even when no real port has it (`:99999` matches no
    /// `host:port` route; too many digits saturate); without one, Kong's listener port.
    pub fn host_and_port(&self) -> (Option<&str>, u64) {
        let listener = u64::from(self.listener_port);
        match &self.host {
            None => (None, listener),
            Some(h) => match h.split_once(':') {
                Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                    (Some(name), port.parse().unwrap_or(u64::MAX))
                }
                _ => (Some(h.as_str()), listener),
            },
        }
    }

    /// All values of a header (names compared case-insensitively, `_` equal to `-`).
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let want = header_key(name);
        self.headers.iter().filter(move |(k, _)| header_key(k) == want).map(|(_, v)| v.as_str())
    }
}

/// The request target without its query string (Kong cuts at the first `?` after the
/// first character).
pub fn path_only(target: &str) -> &str {
    match target.get(1..).and_then(|rest| rest.find('?')) {
        Some(i) => &target[..i + 1],
        None => target,
    }
}

/// The query string (without `?`), if the target has one.
pub fn query_of(target: &str) -> Option<&str> {
    let p = path_only(target);
    target.get(p.len()..).and_then(|q| q.strip_prefix('?'))
}

pub fn header_key(name: &str) -> String {
    name.to_ascii_lowercase().replace('_', "-")
}

#[derive(Clone, Debug)]
pub enum PathMatcher {
    Prefix(String),
    Regex(path_regex::PathRegex),
}

/// One sub-route: what the router really orders and matches.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Index of the route in the `RouteSpec` slice.
    pub route: usize,
    pub paths: Vec<PathMatcher>,
    pub priority: u64,
    /// The priority under the other formula (for `--priority` comparisons).
    pub other_priority: u64,
    pub uuid: Option<uuid::Uuid>,
    hosts: Vec<HostMatcher>,
    methods: Vec<String>,
    headers: Vec<(String, Vec<HeaderValue>)>,
    snis: Vec<HostMatcher>,
}

#[derive(Clone, Debug)]
enum HostMatcher {
    Exact(String, Option<u16>),
    Suffix(String, Option<u16>),
    Prefix(String, Option<u16>),
}

impl HostMatcher {
    fn parse(h: &str) -> HostMatcher {
        let (name, port) = match h.rsplit_once(':') {
            Some((n, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (n, p.parse().ok()),
            _ => (h, None),
        };
        if let Some(rest) = name.strip_prefix('*') {
            HostMatcher::Suffix(rest.to_string(), port)
        } else if let Some(rest) = name.strip_suffix('*') {
            HostMatcher::Prefix(rest.to_string(), port)
        } else {
            HostMatcher::Exact(name.to_string(), port)
        }
    }

    fn matches(&self, host: &str, port: u64) -> bool {
        let (ok, want_port) = match self {
            HostMatcher::Exact(h, p) => (host == h, p),
            HostMatcher::Suffix(s, p) => (host.ends_with(s.as_str()), p),
            HostMatcher::Prefix(s, p) => (host.starts_with(s.as_str()), p),
        };
        ok && want_port.is_none_or(|p| u64::from(p) == port)
    }
}

#[derive(Clone, Debug)]
enum HeaderValue {
    Equal(String),
    Regex(Regex),
}

/// What matched: the route, its sub-route, and what the path match produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub route: usize,
    pub entry: usize,
    /// The configured prefix (prefix match) or the whole regex match text; `None` when the
    /// route has no paths.
    pub matched_path: Option<String>,
    /// `uri_captures` in Kong's shape: ("0", whole), ("1", ..), names; `None` when no group
    /// participated.
    pub captures: Option<Vec<(String, String)>>,
}

#[derive(Debug)]
pub struct Router {
    pub entries: Vec<Entry>,
    pub formula: Formula,
    index: index::Index,
}

/// A route whose regex Kong's router would not compile.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildError {
    pub route: usize,
    pub path: String,
    pub message: String,
}

impl Router {
    pub fn new(routes: &[RouteSpec], formula: Formula) -> Result<Router, BuildError> {
        let mut entries = Vec::new();
        // header regexes repeat across routes: each distinct one is compiled once
        let mut header_regexes = HashMap::new();
        for (i, r) in routes.iter().enumerate() {
            for paths in split_paths(&r.paths) {
                entries.push(build_entry(i, r, paths, formula, &mut header_regexes)?);
            }
        }
        let split: Vec<usize> = {
            let mut counts = vec![0usize; routes.len()];
            for e in &entries {
                counts[e.route] += 1;
            }
            counts
        };
        // sub-routes of a split route get uuidv5(<id>#<group>) (kong/router/transform.lua)
        let mut group_of = vec![0usize; routes.len()];
        for e in &mut entries {
            if split[e.route] > 1 {
                group_of[e.route] += 1;
                e.uuid = routes[e.route].id.map(|id| split_route_id(id, group_of[e.route]));
            }
        }
        entries.sort_by(|a, b| b.priority.cmp(&a.priority).then(b.uuid.cmp(&a.uuid)));
        let index = index::Index::build(&entries);
        Ok(Router { entries, formula, index })
    }

    /// The route Kong picks, if any.
    pub fn find(&self, req: &Request) -> Option<Match> {
        let path = req.match_path()?;
        self.index.candidates(&path, req.host_and_port().0).into_iter().find_map(|i| self.try_entry(i, req, &path))
    }

    /// The route the other priority formula would pick (for disagreement warnings).
    pub fn find_with_other_formula(&self, req: &Request) -> Option<Match> {
        let path = req.match_path()?;
        let mut cands = self.index.candidates(&path, req.host_and_port().0);
        cands.sort_by_key(|&i| self.index.other_rank(i));
        cands.into_iter().find_map(|i| self.try_entry(i, req, &path))
    }

    /// Every sub-route that matches, in the order Kong tries them (the first is the winner), by
    /// a plain scan of every sub-route: the reference [`Router::explain`] is tested against.
    pub fn all_matches(&self, req: &Request) -> Vec<Match> {
        let Some(path) = req.match_path() else { return Vec::new() };
        (0..self.entries.len()).filter_map(|i| self.try_entry(i, req, &path)).collect()
    }

    /// The plain reference: every sub-route in priority order, no index (for tests and benchmarks).
    pub fn find_linear(&self, req: &Request) -> Option<Match> {
        let path = req.match_path()?;
        (0..self.entries.len()).find_map(|i| self.try_entry(i, req, &path))
    }

    fn try_entry(&self, i: usize, req: &Request, path: &str) -> Option<Match> {
        let e = &self.entries[i];
        if !e.methods.is_empty() && !e.methods.contains(&req.method) {
            return None;
        }
        if !e.hosts.is_empty() {
            let (host, port) = req.host_and_port();
            let host = host?;
            if !e.hosts.iter().any(|h| h.matches(host, port)) {
                return None;
            }
        }
        if req.https && !e.snis.is_empty() {
            let sni = req.sni.as_deref()?;
            if !e.snis.iter().any(|h| h.matches(sni, 0)) {
                return None;
            }
        }
        // Each header's values in config order, each against the request's values in
        // request order (an OR of `any(lower(http.headers.x)) …` predicates,
        // kong/router/transform.lua get_expression); the first that holds decides.
        let mut header_captures: Vec<Vec<(String, String)>> = Vec::new();
        for (name, values) in &e.headers {
            let mut ok = false;
            'values: for want in values {
                for v in req.header_values(name) {
                    let v = v.to_lowercase();
                    match want {
                        HeaderValue::Equal(s) if *s == v => {
                            ok = true;
                            break 'values;
                        }
                        HeaderValue::Regex(re) => {
                            if let Some(caps) = re.captures(&v) {
                                header_captures.push(groups(re.capture_names(), |i| caps.get(i).map(|m| m.as_str())));
                                ok = true;
                                break 'values;
                            }
                        }
                        HeaderValue::Equal(_) => {}
                    }
                }
            }
            if !ok {
                return None;
            }
        }
        let (matched_path, mut captures) = if e.paths.is_empty() {
            (None, Vec::new())
        } else {
            let found = e.paths.iter().find_map(|p| match p {
                PathMatcher::Prefix(prefix) => path.starts_with(prefix.as_str()).then(|| (prefix.clone(), Vec::new())),
                PathMatcher::Regex(regex) => regex.captures(path).map(|caps| {
                    let whole = caps.get(0).map(|m| m.as_str().to_string()).unwrap_or_default();
                    (whole, groups(regex.capture_names(), |i| caps.get(i).map(|m| m.as_str())))
                }),
            });
            let (p, caps) = found?;
            (Some(p), caps)
        };
        // atc-router keeps ONE capture map per expression (src/interpreter.rs, the `~`
        // arm of `Predicate::execute` inserts every participating group by number and
        // name). The header clauses come after the path clause, so a `~*` header regex
        // that holds replaces "0" and any same-numbered or same-named group of the path's.
        for hc in header_captures {
            for (k, v) in hc {
                match captures.iter_mut().find(|(name, _)| *name == k) {
                    Some(slot) => slot.1 = v,
                    None => captures.push((k, v)),
                }
            }
        }
        // kong/router/atc.lua has_capture: uri_captures only with more than one key
        let captures = (captures.len() >= 2).then_some(captures);
        Some(Match { route: e.route, entry: i, matched_path, captures })
    }
}

/// A regex match's participating groups as atc-router records them: "0", then each
/// numbered group, each named group also under its name.
fn groups<'n, 'h>(names: impl Iterator<Item = Option<&'n str>>, group: impl Fn(usize) -> Option<&'h str>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (gi, name) in names.enumerate() {
        if let Some(m) = group(gi) {
            out.push((gi.to_string(), m.to_string()));
            if let Some(n) = name {
                out.push((n.to_string(), m.to_string()));
            }
        }
    }
    out
}

/// Groups paths the way Kong splits a route: all regex paths together, prefix paths by
/// byte length, groups in order of first appearance. A route without paths is one group.
pub fn split_paths(paths: &[String]) -> Vec<Vec<String>> {
    let mut groups: Vec<(Option<usize>, Vec<String>)> = Vec::new();
    for p in paths {
        let key = if p.starts_with('~') { None } else { Some(p.len()) };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.push(p.clone()),
            None => groups.push((key, vec![p.clone()])),
        }
    }
    if groups.is_empty() {
        return vec![Vec::new()];
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

fn build_entry(route: usize, r: &RouteSpec, paths: Vec<String>, formula: Formula, header_regexes: &mut HashMap<String, Option<Regex>>) -> Result<Entry, BuildError> {
    let mut matchers = Vec::new();
    for p in &paths {
        if p.starts_with('~') {
            let regex = path_regex::compile(p).map_err(|e| BuildError {
                route,
                path: p.clone(),
                message: match e {
                    pattern::RegexRejection::Router(m) | pattern::RegexRejection::Pcre(m) => m,
                },
            })?;
            matchers.push(PathMatcher::Regex(regex));
        } else {
            matchers.push(PathMatcher::Prefix(p.clone()));
        }
    }
    let inputs = priority::Inputs::of_route(r, &paths);
    // Kong lower-cases the configured values with Lua's string.lower (ASCII letters only,
    // transform.lua get_expression) while atc-router lower-cases request values with
    // Rust's Unicode to_lowercase (src/interpreter.rs): `Ünï` never equals a request value.
    let headers = r
        .headers
        .iter()
        .map(|(name, values)| {
            let vals = values
                .iter()
                .filter_map(|v| match v.strip_prefix("~*") {
                    Some(re) => {
                        let re = re.to_ascii_lowercase();
                        header_regexes.entry(re).or_insert_with_key(|re| Regex::new(re).ok()).clone().map(HeaderValue::Regex)
                    }
                    None => Some(HeaderValue::Equal(v.to_ascii_lowercase())),
                })
                .collect();
            (name.clone(), vals)
        })
        .collect();
    Ok(Entry {
        route,
        paths: matchers,
        priority: inputs.priority(formula),
        other_priority: inputs.priority(formula.other()),
        uuid: r.id,
        hosts: r.hosts.iter().flatten().map(|h| HostMatcher::parse(h)).collect(),
        methods: r.methods.clone(),
        headers,
        snis: r.snis.iter().map(|s| HostMatcher::parse(s.strip_suffix('.').unwrap_or(s))).collect(),
    })
}

/// The id of sub-route `group` (1-based) of a split route:
/// `uuidv5("7f145bf9-0dce-4f91-98eb-debbce4b9f6b", "<id>#<group>")`
/// (kong/router/transform.lua `split_routes_and_services_by_path`).
pub fn split_route_id(id: uuid::Uuid, group: usize) -> uuid::Uuid {
    let ns = uuid::Uuid::parse_str("7f145bf9-0dce-4f91-98eb-debbce4b9f6b").expect("constant");
    uuid::Uuid::new_v5(&ns, format!("{id}#{group}").as_bytes())
}

/// The id Kong gives a named route without an id in DB-less mode:
/// `uuidv5(uuidv5(<declarative namespace>, "routes"), name)`.
pub fn dbless_route_id(name: &str) -> uuid::Uuid {
    let ns = uuid::Uuid::parse_str("fd02801f-0957-4a15-a55a-c8d9606f30b5").expect("constant");
    let routes_ns = uuid::Uuid::new_v5(&ns, b"routes");
    uuid::Uuid::new_v5(&routes_ns, name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dbless_ids_match_kong() {
        // ../shared/reference/kong-router.md §1.5: route `example-route` -> eeb325b8-...
        assert_eq!(dbless_route_id("example-route").to_string(), "eeb325b8-afd4-5ba2-a113-c34eeb969c1d");
    }

    #[test]
    fn paths_split_like_kong() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(split_paths(&p(&["~/r.*$", "/long-path", "/one", "/two", "/three", "~/.*"])), vec![p(&["~/r.*$", "~/.*"]), p(&["/long-path"]), p(&["/one", "/two"]), p(&["/three"])]);
        assert_eq!(split_paths(&[]), vec![Vec::<String>::new()]);
    }

    fn one_route(r: RouteSpec) -> Router {
        Router::new(&[r], Formula::Effective).unwrap()
    }

    fn get(target: &str, headers: &[(&str, &str)]) -> Request {
        let headers = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Request { method: "GET".into(), target: target.into(), headers, listener_port: 8000, ..Request::default() }
    }

    // atc-router v1.7.1 src/interpreter.rs (`BinaryOperator::Regex` arm): every regex
    // predicate that holds inserts its groups into the expression's one capture map, and
    // transform.lua puts the header clause after the path clause. So Kong reports the
    // header's match as uri_captures "0" and "1"; the path's other groups survive.
    // router::atc's engine test `one_capture_map_per_expression` runs atc-router on it.
    #[test]
    fn header_regex_captures_replace_the_path_captures_like_kong() {
        let r = one_route(RouteSpec {
            paths: vec![r"~/(?<user>\w+)/(\d+)".into()],
            headers: vec![("x-version".into(), vec![r"~*v(\d)".into()])],
            ..RouteSpec::default()
        });
        let m = r.find(&get("/ab/12", &[("X-Version", "V7")])).unwrap();
        let mut caps = m.captures.unwrap();
        caps.sort();
        let want: Vec<(String, String)> = [("0", "v7"), ("1", "7"), ("2", "12"), ("user", "ab")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(caps, want);
        assert_eq!(m.matched_path.as_deref(), Some("/ab/12"));
        // a prefix route gets uri_captures from a header regex with a group (>= 2 keys) …
        let prefix = one_route(RouteSpec { paths: vec!["/a".into()], headers: vec![("x".into(), vec!["~*^(q)".into()])], ..RouteSpec::default() });
        assert_eq!(prefix.find(&get("/a", &[("x", "Q")])).unwrap().captures, Some(vec![("0".into(), "q".into()), ("1".into(), "q".into())]));
        // … but not from one without groups (only "0": atc.lua has_capture)
        let plain = one_route(RouteSpec { paths: vec!["/a".into()], headers: vec![("x".into(), vec!["~*^q".into()])], ..RouteSpec::default() });
        assert_eq!(plain.find(&get("/a", &[("x", "Q")])).unwrap().captures, None);
    }

    // transform.lua lower-cases configured header values with Lua's string.lower (ASCII
    // only); atc-router lower-cases request values with Unicode rules.
    #[test]
    fn configured_header_values_are_lowered_ascii_only() {
        let r = one_route(RouteSpec { headers: vec![("x".into(), vec!["ÜnÏ".into()])], ..RouteSpec::default() });
        assert!(r.find(&get("/", &[("x", "ÜnÏ")])).is_none());
        let ascii = one_route(RouteSpec { headers: vec![("x".into(), vec!["ABC".into()])], ..RouteSpec::default() });
        assert!(ascii.find(&get("/", &[("x", "abc")])).is_some());
    }

    // transform.lua split_host_port: the Host port is whatever number follows the colon,
    // so `:99999` is not the listener port and matches no `host:port` route.
    #[test]
    fn out_of_range_host_port_is_not_the_listener_port() {
        let r = one_route(RouteSpec { hosts: Some(vec!["api.example.com:8000".into()]), ..RouteSpec::default() });
        let mut req = get("/", &[]);
        req.host = Some("api.example.com:99999".into());
        assert!(r.find(&req).is_none());
        req.host = Some("api.example.com".into());
        assert!(r.find(&req).is_some());
    }

    #[test]
    fn query_and_path() {
        assert_eq!(path_only("/a/b?x=1"), "/a/b");
        assert_eq!(query_of("/a/b?x=1&y"), Some("x=1&y"));
        assert_eq!(path_only("?x"), "?x");
        assert_eq!(query_of("/a"), None);
        assert_eq!(query_of("/a?"), Some(""));
    }
}
