//! Kong's ATC-based router flavors (traditional_compatible and expressions) run on Kong's
//! own engine, the `atc-router` crate, instead of this project's matcher.
//!
//! Pure, no I/O. `schema` declares the fields, `context` takes their values from a
//! [`Request`], `transform` turns routes into expressions and priorities, `engine` runs
//! atc-router. [`ExpressionsRouter`] ties them together (kong/router/atc.lua `new` and
//! `matching`). Kong source read: `Kong/kong` @ 22246ef2 (3.10.0), `Kong/atc-router` v1.7.1.

pub mod context;
pub mod engine;
pub mod schema;
pub mod transform;

use super::priority::Formula;
use super::{dbless_route_id, split_route_id, Match, Request, RouteSpec};
use context::Connection;
use engine::{Engine, Hit, MatcherSpec};
use transform::{sub_routes, Flavor};

/// A route Kong would refuse or leave out of the router, with atc-router's message
/// (or the route schema's, for the checks `validate_route` adds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteError {
    pub route: usize,
    /// The route field a field-level schema error is about (`expression`, `priority`);
    /// `None` for the whole-route expression check.
    pub field: Option<&'static str>,
    pub message: String,
}

impl RouteError {
    /// The text Kong's route schema reports (kong/db/schema/entities/routes.lua): field
    /// errors as `field: message`, the expression check with its fixed prefix.
    pub fn kong_message(&self) -> String {
        match self.field {
            Some(f) => format!("{f}: {}", self.message),
            None => format!("Router Expression failed validation: {}", self.message),
        }
    }
}

/// One matcher of the engine: which route and which of its path groups.
#[derive(Clone, Debug)]
pub struct Matcher {
    pub route: usize,
    pub group: Option<usize>,
    pub uuid: uuid::Uuid,
    pub priority: u64,
    pub expression: String,
}

/// Routes resolved by atc-router with the expressions and priorities Kong generates.
#[derive(Debug)]
pub struct ExpressionsRouter {
    pub flavor: Flavor,
    pub matchers: Vec<Matcher>,
    engine: Engine,
    /// Per matcher, its position in evaluation order (for [`Match::entry`]).
    rank: Vec<usize>,
    /// Matcher indices in evaluation order (the inverse of `rank`).
    order: Vec<usize>,
}

/// The id a (sub-)route has in the router: its `id`, else the DB-less name-derived id
/// (`dbless_route_id`), split sub-routes `split_route_id` of it. Without either Kong draws
/// a random id, so ties are undetermined; then a stand-in ranks such routes in config
/// order (groups in order) among themselves and below every real id, as the project's
/// [`super::Router`] orders them.
fn route_uuid(spec: &RouteSpec, index: usize, count: usize, group: Option<usize>) -> uuid::Uuid {
    match spec.id.or_else(|| spec.name.as_deref().map(dbless_route_id)) {
        Some(id) => group.map_or(id, |g| split_route_id(id, g)),
        None => uuid::Uuid::from_u128((((count - index) as u128) << 32) | u128::from(u32::MAX - group.unwrap_or(0) as u32)),
    }
}

impl ExpressionsRouter {
    /// The expressions flavor (`router_flavor = expressions`).
    pub fn new(routes: &[RouteSpec]) -> Result<Self, Vec<RouteError>> {
        Self::with_flavor(routes, Flavor::Expressions)
    }

    /// Either ATC flavor, with Kong's effective priority formula. Stream routes
    /// ([`transform::is_stream_route`]) are left out of the HTTP router.
    pub fn with_flavor(routes: &[RouteSpec], flavor: Flavor) -> Result<Self, Vec<RouteError>> {
        let mut matchers = Vec::new();
        let mut errors = Vec::new();
        for (i, r) in routes.iter().enumerate() {
            if transform::is_stream_route(r) {
                continue;
            }
            if let Err((field, message)) = validate_route(r, flavor) {
                errors.push(RouteError { route: i, field, message });
                continue;
            }
            for sub in sub_routes(r, flavor, Formula::Effective) {
                matchers.push(Matcher {
                    route: i,
                    group: sub.group,
                    uuid: route_uuid(r, i, routes.len(), sub.group),
                    priority: sub.priority,
                    expression: sub.expression,
                });
            }
        }
        let specs: Vec<MatcherSpec> =
            matchers.iter().map(|m| MatcherSpec { uuid: m.uuid, priority: m.priority, expression: m.expression.clone() }).collect();
        let (engine, failed) = Engine::build(&specs);
        errors.extend(failed.into_iter().map(|(m, message)| RouteError { route: matchers[m].route, field: None, message }));
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.route);
            return Err(errors);
        }
        let mut rank = vec![0; matchers.len()];
        let mut order: Vec<usize> = (0..matchers.len()).collect();
        order.sort_by(|&a, &b| (matchers[b].priority, matchers[b].uuid).cmp(&(matchers[a].priority, matchers[a].uuid)));
        for (pos, &m) in order.iter().enumerate() {
            rank[m] = pos;
        }
        Ok(ExpressionsRouter { flavor, matchers, engine, rank, order })
    }

    /// The matcher a [`Match::entry`] names.
    pub fn matcher(&self, entry: usize) -> &Matcher {
        &self.matchers[self.order[entry]]
    }

    /// The route Kong picks.
    pub fn find(&self, req: &Request) -> Option<Match> {
        self.find_with(req, &Connection::default())
    }

    /// The route Kong picks, with connection facts for `net.src.*` / `net.dst.ip`.
    pub fn find_with(&self, req: &Request, conn: &Connection) -> Option<Match> {
        self.engine.first(req, conn).map(|h| self.to_match(h))
    }

    /// The route atc-router's own `Router::execute` picks, scanning every matcher (what
    /// [`ExpressionsRouter::find`], which evaluates only the matchers the path prefilter
    /// leaves, must agree with).
    pub fn find_atc(&self, req: &Request) -> Option<Match> {
        self.engine.first_atc(req, &Connection::default()).map(|h| self.to_match(h))
    }

    /// Every matching (sub-)route in the order atc-router tries them; the first is the winner.
    pub fn all_matches(&self, req: &Request) -> Vec<Match> {
        self.all_matches_with(req, &Connection::default())
    }

    /// The winner and the runner-up (the first match of another route), scanning matchers
    /// in atc-router's order only as far as the runner-up.
    pub fn winner_and_runner_up(&self, req: &Request) -> (Option<Match>, Option<Match>) {
        let mut hits = self.engine.hits(req, &Connection::default()).map(|h| self.to_match(h));
        let Some(winner) = hits.next() else { return (None, None) };
        let runner_up = hits.find(|m| m.route != winner.route);
        (Some(winner), runner_up)
    }

    pub fn all_matches_with(&self, req: &Request, conn: &Connection) -> Vec<Match> {
        self.engine.all(req, conn).into_iter().map(|h| self.to_match(h)).collect()
    }

    /// kong/router/atc.lua `matching`: `uri_captures` only when the capture map has more
    /// than the whole match (`has_capture`). Order: "0", other numbers ascending, then names
    /// ascending (Kong's is a Lua table, unordered).
    fn to_match(&self, h: Hit) -> Match {
        let m = &self.matchers[h.matcher];
        let captures = (h.captures.len() >= 2).then(|| {
            let mut caps: Vec<(String, String)> = h.captures.into_iter().collect();
            caps.sort_by(|(a, _), (b, _)| capture_order(a).cmp(&capture_order(b)));
            caps
        });
        Match { route: m.route, entry: self.rank[h.matcher], matched_path: h.matched_path, captures }
    }
}

const OTHER_FIELDS: &str = "'methods', 'hosts', 'paths', 'headers', 'snis', 'sources' or 'destinations'";

/// The route checks Kong's schema adds for the ATC flavors (kong/db/schema/entities/routes.lua
/// `validate_route`; the traditional_compatible schema has no `expression` / `priority`
/// fields at all), for a route without `sources` or `destinations`; see
/// [`validate_route_with`].
pub fn validate_route(r: &RouteSpec, flavor: Flavor) -> Result<(), (Option<&'static str>, String)> {
    validate_route_with(r, &Nets::default(), flavor)
}

/// The expression kong/router/transform.lua `get_expression` generates for a route with
/// classic fields, sources and destinations included, in its order: snis, sources,
/// destinations, then (HTTP routes) methods, hosts, paths, headers. A stream route's SNI
/// condition applies unless the protocol is tls (an HTTP route's: https).
pub fn kong_expression(r: &RouteSpec, nets: &Nets) -> String {
    let snis_only = RouteSpec { snis: r.snis.clone(), ..RouteSpec::default() };
    let mut snis = transform::classic_expression(&snis_only, &[]);
    let stream = transform::is_stream_route(r);
    if stream {
        snis = snis.replacen("(net.protocol != r#\"https\"#", "(net.protocol != r#\"tls\"#", 1);
    }
    let mut clauses = vec![snis, nets_clause("net.src", &nets.sources), nets_clause("net.dst", &nets.destinations)];
    if !stream {
        let rest = RouteSpec { snis: Vec::new(), ..r.clone() };
        clauses.push(transform::classic_expression(&rest, &r.paths));
    }
    clauses.retain(|c| !c.is_empty());
    clauses.join(" && ")
}

/// transform.lua `gen_for_nets`: per entry `ip == addr` or `ip in addr/mask`, `port == n`,
/// or both AND-ed in parentheses; the entries OR-ed in parentheses. An entry with neither
/// leaves the whole field out (Kong logs an error).
fn nets_clause(prefix: &str, nets: &[Net]) -> String {
    let mut items = Vec::new();
    for n in nets {
        let ip = n.ip.as_deref().map(|ip| match kong_cidr(ip) {
            Some(cidr) => format!("{prefix}.ip in {cidr}"),
            None => format!("{prefix}.ip == {ip}"),
        });
        let port = n.port.map(|p| format!("{prefix}.port == {p}"));
        items.push(match (ip, port) {
            (Some(ip), Some(port)) => format!("({ip} && {port})"),
            (Some(one), None) | (None, Some(one)) => one,
            (None, None) => return String::new(),
        });
    }
    if items.is_empty() {
        return String::new();
    }
    format!("({})", items.join(" || "))
}

/// transform.lua `parse_ip_addr` for an `addr/mask` value: an IPv4 address has its host bits
/// cleared with LuaJIT's 32-bit shifts, whose count is taken modulo 32 (so `/0` keeps the
/// address as written); an IPv6 one is left as written ("FIXME: support ipv6"). `None`
/// without a mask.
fn kong_cidr(ip: &str) -> Option<String> {
    let (addr, mask) = ip.split_once('/')?;
    let (Ok(v4), Ok(bits)) = (addr.parse::<std::net::Ipv4Addr>(), mask.parse::<u32>()) else {
        return Some(ip.to_string());
    };
    let shift = 32u32.wrapping_sub(bits) % 32;
    let cleared = (u32::from(v4) >> shift) << shift;
    Some(format!("{}/{bits}", std::net::Ipv4Addr::from(cleared)))
}

/// One entry of a route's `sources` or `destinations`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Net {
    pub ip: Option<String>,
    pub port: Option<i64>,
}

/// A route's `sources` and `destinations`, which [`RouteSpec`] does not carry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nets {
    pub sources: Vec<Net>,
    pub destinations: Vec<Net>,
}

impl Nets {
    fn is_empty(&self) -> bool {
        self.sources.is_empty() && self.destinations.is_empty()
    }
}

/// kong/db/schema/entities/routes.lua `validate_route`. `nets`: the route's `sources` and
/// `destinations`, which Kong counts among the fields an `expression` or a `priority` must
/// not come with. Errors are (field for field-level errors, message without the "Router
/// Expression failed validation: " prefix, see [`RouteError::kong_message`]). A written
/// expression, or the one Kong generates for a route with sources or destinations
/// ([`kong_expression`]), is checked by atc-router against the schema of the route's first
/// protocol (kong/router/atc.lua `schema`: HTTP, or the stream schema for tcp, tls, udp,
/// tls_passthrough); parse and type errors are atc-router's. The expression Kong generates
/// from the other classic fields is checked when the router is built
/// ([`ExpressionsRouter::with_flavor`]).
pub fn validate_route_with(r: &RouteSpec, nets: &Nets, flavor: Flavor) -> Result<(), (Option<&'static str>, String)> {
    if flavor == Flavor::TraditionalCompatible {
        for (field, set) in [("expression", r.expression.is_some()), ("priority", r.priority.is_some())] {
            if set {
                return Err((Some(field), "unknown field".to_string()));
            }
        }
    }
    // the `priority` field: integer between 0 and 2^46 - 1
    if r.priority.is_some_and(|p| p > (1 << 46) - 1) {
        return Err((Some("priority"), format!("value should be between 0 and {}", (1u64 << 46) - 1)));
    }
    let whole = |m: String| (None, m);
    let others = !(nets.is_empty()
        && r.snis.is_empty() && r.methods.is_empty() && r.hosts.as_ref().is_none_or(Vec::is_empty) && r.paths.is_empty() && r.headers.is_empty());
    let Some(expr) = &r.expression else {
        if others && r.priority.is_some_and(|p| p != 0) {
            return Err(whole(format!("cannot set 'priority' with {OTHER_FIELDS} simultaneously")));
        }
        if nets.is_empty() {
            return Ok(());
        }
        let expr = kong_expression(r, nets);
        return if transform::is_stream_route(r) { stream_fields_of(&expr) } else { engine::fields_of(&expr) }.map(|_| ()).map_err(whole);
    };
    if others {
        return Err(whole(format!("cannot set 'expression' with {OTHER_FIELDS} simultaneously")));
    }
    if r.regex_priority != 0 {
        return Err(whole("cannot set 'regex_priority' with 'expression' simultaneously".to_string()));
    }
    let expr = transform::amend_net_port(expr);
    let fields = if transform::is_stream_route(r) { stream_fields_of(&expr) } else { engine::fields_of(&expr) }.map_err(whole)?;
    schema::check_segment_fields(fields.iter().map(String::as_str)).map_err(whole)
}

/// [`engine::fields_of`] against the stream schema, kong/router/fields.lua `STREAM_FIELDS`:
/// the fields a stream route's expression names, or atc-router's parse/type error (an HTTP
/// field is an "Unknown LHS field").
fn stream_fields_of(expression: &str) -> Result<Vec<String>, String> {
    use atc_router::ast::Type;
    static SCHEMA: std::sync::OnceLock<atc_router::schema::Schema> = std::sync::OnceLock::new();
    let schema = SCHEMA.get_or_init(|| {
        let mut s = atc_router::schema::Schema::default();
        s.add_field("net.protocol", Type::String);
        s.add_field("tls.sni", Type::String);
        s.add_field("net.src.port", Type::Int);
        s.add_field("net.dst.port", Type::Int);
        s.add_field("net.src.ip", Type::IpAddr);
        s.add_field("net.dst.ip", Type::IpAddr);
        s
    });
    let expr = atc_router::parser::parse(expression).map_err(|e| e.to_string())?;
    atc_router::semantics::Validate::validate(&expr, schema)?;
    let mut fields = std::collections::HashMap::new();
    atc_router::semantics::FieldCounter::add_to_counter(&expr, &mut fields);
    let mut names: Vec<String> = fields.into_keys().collect();
    names.sort();
    Ok(names)
}

/// Sort key: numbered groups first by number, then names.
pub fn capture_order(name: &str) -> (u8, usize, &str) {
    match name.parse::<usize>() {
        Ok(n) => (0, n, ""),
        Err(_) => (1, 0, name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(target: &str) -> Request {
        Request { method: "GET".into(), target: target.into(), listener_port: 8000, ..Request::default() }
    }

    #[test]
    fn captures_in_our_match_shape() {
        let r = RouteSpec { paths: vec![r"~/(?<user>\w+)/(\d+)?".into()], ..RouteSpec::default() };
        let router = ExpressionsRouter::with_flavor(&[r], Flavor::TraditionalCompatible).unwrap();
        let m = router.find(&get("/ab/")).unwrap();
        // group 2 did not participate: absent, as in Kong >= 3.8
        let want: Vec<(String, String)> = [("0", "/ab/"), ("1", "ab"), ("user", "ab")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(m.captures, Some(want));
        assert_eq!(m.matched_path.as_deref(), Some("/ab/"));
        let prefix = ExpressionsRouter::with_flavor(&[RouteSpec { paths: vec!["/ab".into()], ..RouteSpec::default() }], Flavor::TraditionalCompatible).unwrap();
        let m = prefix.find(&get("/ab/")).unwrap();
        assert_eq!((m.matched_path.as_deref(), m.captures), (Some("/ab"), None));
    }

    #[test]
    fn idless_routes_rank_in_config_order_below_real_ids() {
        let same = |id| RouteSpec { id, paths: vec!["/a".into(), "~/a".into()], ..RouteSpec::default() };
        let routes = [same(None), same(None), same(Some(uuid::Uuid::from_u128(1 << 64)))];
        let router = ExpressionsRouter::with_flavor(&routes, Flavor::TraditionalCompatible).unwrap();
        let order: Vec<(usize, usize)> = router.all_matches(&get("/a")).iter().map(|m| (m.route, m.entry)).collect();
        // regex sub-routes (bit 51) first, then prefix ones; among equals: real id, then route 0, 1
        assert_eq!(order, vec![(2, 0), (0, 1), (1, 2), (2, 3), (0, 4), (1, 5)]);
        let ours = crate::router::Router::new(&routes, Formula::Effective).unwrap();
        assert_eq!(ours.all_matches(&get("/a")).iter().map(|m| m.route).collect::<Vec<_>>(), vec![2, 0, 1, 2, 0, 1]);
    }

    // kong/db/schema/entities/routes.lua validate_route and the compat schema's fields
    #[test]
    fn route_schema_checks() {
        let classic_with_priority = RouteSpec { paths: vec!["/a".into()], priority: Some(3), ..RouteSpec::default() };
        let err = ExpressionsRouter::new(std::slice::from_ref(&classic_with_priority)).unwrap_err();
        assert_eq!(
            err[0].kong_message(),
            "Router Expression failed validation: cannot set 'priority' with 'methods', 'hosts', 'paths', 'headers', 'snis', 'sources' or 'destinations' simultaneously"
        );
        let expr_with_rp = RouteSpec { expression: Some("http.path == \"/\"".into()), regex_priority: 2, ..RouteSpec::default() };
        assert_eq!(ExpressionsRouter::new(&[expr_with_rp]).unwrap_err()[0].message, "cannot set 'regex_priority' with 'expression' simultaneously");
        let expr = RouteSpec { expression: Some("http.path == \"/\"".into()), ..RouteSpec::default() };
        assert_eq!(ExpressionsRouter::with_flavor(&[expr], Flavor::TraditionalCompatible).unwrap_err()[0].kong_message(), "expression: unknown field");
        let too_big = RouteSpec { expression: Some("http.path == \"/\"".into()), priority: Some(1 << 46), ..RouteSpec::default() };
        assert_eq!(ExpressionsRouter::new(&[too_big]).unwrap_err()[0].kong_message(), "priority: value should be between 0 and 70368744177663");
    }

    // routes.lua validate_route: sources/destinations count among the "others"; a stream
    // route's expression is checked against kong/router/fields.lua STREAM_FIELDS
    #[test]
    fn route_schema_checks_nets_and_stream_routes() {
        let expr = RouteSpec { expression: Some("http.path == \"/\"".into()), ..RouteSpec::default() };
        let one_source = Nets { sources: vec![Net { ip: Some("127.0.0.1".into()), port: None }], ..Nets::default() };
        assert_eq!(validate_route_with(&expr, &Nets::default(), Flavor::Expressions), Ok(()));
        assert_eq!(
            validate_route_with(&expr, &one_source, Flavor::Expressions).unwrap_err().1,
            "cannot set 'expression' with 'methods', 'hosts', 'paths', 'headers', 'snis', 'sources' or 'destinations' simultaneously"
        );
        let prio = RouteSpec { priority: Some(5), ..RouteSpec::default() };
        assert_eq!(validate_route_with(&prio, &Nets::default(), Flavor::Expressions), Ok(()));
        assert!(validate_route_with(&prio, &one_source, Flavor::Expressions).unwrap_err().1.starts_with("cannot set 'priority' with"));
        let tcp = |e: &str| RouteSpec { protocols: vec!["tcp".into()], expression: Some(e.into()), ..RouteSpec::default() };
        assert_eq!(validate_route_with(&tcp("net.src.ip == 1.2.3.4 && net.port == 80"), &Nets::default(), Flavor::Expressions), Ok(()));
        assert_eq!(validate_route_with(&tcp("http.path == \"/\""), &Nets::default(), Flavor::Expressions).unwrap_err().1, "Unknown LHS field");
        assert!(validate_route_with(&tcp("net.src.ip in 1.2.3.4/16"), &Nets::default(), Flavor::Expressions).unwrap_err().1.ends_with("host part of address was not zero"));
    }

    // kong/router/transform.lua get_expression / gen_for_nets / parse_ip_addr
    #[test]
    fn expressions_kong_generates_with_sources_and_destinations() {
        let net = |ip: Option<&str>, port: Option<i64>| Net { ip: ip.map(String::from), port };
        let tcp = RouteSpec { protocols: vec!["tls".into()], snis: vec!["a.test".into()], ..RouteSpec::default() };
        let nets = Nets {
            sources: vec![net(Some("10.1.2.3/8"), Some(80)), net(None, Some(8000)), net(Some("1.2.3.4/32"), None)],
            destinations: vec![net(Some("::1"), None)],
        };
        assert_eq!(
            kong_expression(&tcp, &nets),
            r##"(net.protocol != r#"tls"# || (tls.sni == r#"a.test"#)) && ((net.src.ip in 10.0.0.0/8 && net.src.port == 80) || net.src.port == 8000 || net.src.ip in 1.2.3.4/32) && (net.dst.ip == ::1)"##
        );
        assert_eq!(validate_route_with(&tcp, &nets, Flavor::TraditionalCompatible), Ok(()));
        // LuaJIT shifts by 32 are shifts by 0: `/0` keeps the host part, and atc-router
        // refuses it; IPv6 CIDRs are passed as written
        for ip in ["1.2.3.4/0", "2001:db8::1/64"] {
            let nets = Nets { sources: vec![net(Some(ip), None)], ..Nets::default() };
            let err = validate_route_with(&tcp, &nets, Flavor::TraditionalCompatible).unwrap_err().1;
            assert!(err.ends_with("= host part of address was not zero"), "{ip}: {err}");
        }
        assert_eq!(kong_cidr("0.0.0.0/0").as_deref(), Some("0.0.0.0/0"));
        let http = RouteSpec { protocols: vec!["https".into()], snis: vec!["a.test".into()], paths: vec!["/p".into()], ..RouteSpec::default() };
        let dst = Nets { destinations: vec![net(Some("10.0.0.1"), None)], ..Nets::default() };
        assert_eq!(
            kong_expression(&http, &dst),
            r##"(net.protocol != r#"https"# || (tls.sni == r#"a.test"#)) && (net.dst.ip == 10.0.0.1) && (http.path ^= r#"/p"#)"##
        );
    }
}
