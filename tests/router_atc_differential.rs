//! Differential test: the project's own traditional_compatible router (effective priority
//! formula) against Kong's engine, atc-router, fed with the expressions and priorities
//! `router::atc::transform` generates (kong/router/transform.lua + compat.lua). On random
//! route tables and requests both must pick the same route, with the same path match and
//! the same `uri_captures`, and list the same matches in the same order. A disagreement
//! names the Kong rule involved. Fixed cases restated from Kong's
//! spec/01-unit/08-router_spec.lua (expressions flavor) follow.

use gateway::router::atc::transform::{self, Flavor};
use gateway::router::atc::{engine, ExpressionsRouter};
use gateway::router::{Formula, Match, Request, RouteSpec, Router};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn segment() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "api", "v1", "users", "x-y", "42", "Ünï"]).prop_map(String::from)
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(segment(), 0..4).prop_map(|s| format!("/{}", s.join("/")))
}

fn route_path() -> impl Strategy<Value = String> {
    prop_oneof![
        path(),
        path().prop_map(|p| format!("~{p}/(?<cap>[^/]+)$")),
        path().prop_map(|p| format!("~{p}/(\\d+)?(?<rest>.*)")),
        path().prop_map(|p| format!("~{p}")),
        Just("~/(?i)API/(v\\d)".to_string()),
        Just("~/([ab]+)/.*".to_string()),
        Just("~/.*".to_string()),
        // `"#` cannot sit in an ATC raw string: transform.lua escape_str quotes it instead
        Just("~/a(\"#)?".to_string()),
    ]
}

fn host() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["example.com", "*.example.com", "api.*", "api.example.com:8000", "*.example.com:9000", "other.org"])
        .prop_map(String::from)
}

fn header_value() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["v1", "V2", "Ünï", "~*^v", "~*^v(\\d)", "~*(?<ver>\\d)$", "~*Q"]).prop_map(String::from)
}

fn sni() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["example.com", "*.example.com", "api.*", "other.org."]).prop_map(String::from)
}

fn route() -> impl Strategy<Value = RouteSpec> {
    (
        prop::collection::vec(route_path(), 0..3),
        prop::option::of(prop::collection::vec(host(), 0..2)),
        prop::collection::vec(prop::sample::select(vec!["GET", "POST"]).prop_map(String::from), 0..2),
        prop::collection::vec((prop::sample::select(vec!["x-version", "X_Env"]), prop::collection::vec(header_value(), 1..3)), 0..3),
        prop::collection::vec(sni(), 0..2),
        prop_oneof![-2i64..6, Just(4096), Just(8192), Just(-4097)],
        prop::option::of(any::<u128>()),
    )
        .prop_map(|(paths, hosts, methods, headers, snis, rp, id)| {
            let mut hs: Vec<(String, Vec<String>)> = Vec::new();
            for (name, values) in headers {
                if !hs.iter().any(|(n, _)| n == name) {
                    hs.push((name.to_string(), values));
                }
            }
            // Kong's route schema wants at least one matching field (routes_subschemas.lua);
            // an empty expression is a parse error for atc-router
            let methods = if paths.is_empty() && hosts.as_ref().is_none_or(Vec::is_empty) && methods.is_empty() && hs.is_empty() && snis.is_empty() {
                vec!["GET".to_string()]
            } else {
                methods
            };
            RouteSpec {
                // real ids sort above the engine's stand-ins for id-less routes (1..=n)
                id: id.map(|n| uuid::Uuid::from_u128(n | (1 << 127))),
                paths,
                hosts,
                methods,
                headers: hs,
                snis,
                regex_priority: rp,
                ..RouteSpec::default()
            }
        })
}

/// Request targets: plain paths, and ones Kong normalizes (percent-decoding, dot
/// segments, `//`) or cuts (query string).
fn target() -> impl Strategy<Value = String> {
    (path(), prop::sample::select(vec!["", "/", "?a=1", "/../v1", "//x", "/%61pi", "/%2F"])).prop_map(|(p, tail)| format!("{p}{tail}"))
}

fn request() -> impl Strategy<Value = Request> {
    (
        prop::sample::select(vec!["GET", "POST"]),
        target(),
        prop::option::of(prop::sample::select(vec![
            "example.com",
            "api.example.com",
            "api.example.com:8000",
            "a.b.example.com:9000",
            "other.org",
            "api.example.com:99999",
        ])),
        prop::collection::vec((prop::sample::select(vec!["X-Version", "x-env", "X_ENV"]), prop::sample::select(vec!["v1", "V2", "ünï", "Ünï", "w7", "q"])), 0..3),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["example.com", "api.example.com", "other.org"])),
    )
        .prop_map(|(m, p, h, hs, https, sni)| Request {
            method: m.to_string(),
            target: p,
            host: h.map(String::from),
            headers: hs.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            https,
            listener_port: if https { 8443 } else { 8000 },
            sni: sni.map(String::from),
        })
}

/// Captures as a set (Kong's `uri_captures` is a Lua table: no order).
fn caps(m: &Match) -> Option<BTreeMap<String, String>> {
    m.captures.as_ref().map(|c| c.iter().cloned().collect())
}

/// (route, matched path, uri_captures as a set)
type Outcome = (usize, Option<String>, Option<BTreeMap<String, String>>);

fn outcome(m: Option<&Match>) -> Option<Outcome> {
    m.map(|m| (m.route, m.matched_path.clone(), caps(m)))
}

/// Which Kong rule a disagreement on route `r` involves: the first single field whose
/// condition the two engines judge differently, else ordering or captures.
fn rule_for(spec: &RouteSpec, req: &Request) -> &'static str {
    let only = |f: &dyn Fn(&mut RouteSpec)| {
        let mut s = RouteSpec { id: spec.id, regex_priority: spec.regex_priority, ..RouteSpec::default() };
        f(&mut s);
        s
    };
    let fields: [(RouteSpec, &'static str); 5] = [
        (only(&|s| s.methods = spec.methods.clone()), "methods: `http.method ==` exact (transform.lua get_expression)"),
        (only(&|s| s.hosts = spec.hosts.clone()), "hosts: split_host_port, `*.x` as `=^`, `x.*` as `^=`, port via net.dst.port (transform.lua, atc.lua matching)"),
        (only(&|s| s.paths = spec.paths.clone()), "paths: prefix `^=`, regex `~ \"^…\"` with `?<` -> `?P<` (transform.lua path_val_transform)"),
        (only(&|s| s.headers = spec.headers.clone()), "headers: any(lower(http.headers.x)) against Lua-lowered values, `~*` regex (transform.lua get_expression)"),
        (only(&|s| s.snis = spec.snis.clone()), "snis: `net.protocol != \"https\" || tls.sni …` (transform.lua, #6425)"),
    ];
    for (s, rule) in fields {
        let empty = s.methods.is_empty() && s.hosts.as_ref().is_none_or(Vec::is_empty) && s.paths.is_empty() && s.headers.is_empty() && s.snis.is_empty();
        if empty {
            continue;
        }
        let ours = Router::new(std::slice::from_ref(&s), Formula::Effective).ok().and_then(|r| r.find(req)).is_some();
        let kong = ExpressionsRouter::with_flavor(std::slice::from_ref(&s), Flavor::TraditionalCompatible).ok().and_then(|r| r.find(req)).is_some();
        if ours != kong {
            return rule;
        }
    }
    "captures: atc-router keeps one capture map per expression (src/interpreter.rs), header regexes run after the path regex"
}

fn disagreement(routes: &[RouteSpec], req: &Request, ours: &[Match], kong: &[Match]) -> String {
    let ours_routes: Vec<usize> = ours.iter().map(|m| m.route).collect();
    let kong_routes: Vec<usize> = kong.iter().map(|m| m.route).collect();
    let mut sorted_o = ours_routes.clone();
    let mut sorted_k = kong_routes.clone();
    sorted_o.sort_unstable();
    sorted_k.sort_unstable();
    let rule = if sorted_o != sorted_k {
        let r = sorted_o.iter().chain(&sorted_k).find(|r| sorted_o.contains(r) != sorted_k.contains(r)).copied().unwrap_or(0);
        rule_for(&routes[r], req)
    } else if ours_routes != kong_routes {
        "order: priority from transform.lua get_priority (effective formula), ties by UUID descending (atc-router src/router.rs)"
    } else {
        "captures: atc-router keeps one capture map per expression (src/interpreter.rs); uri_captures only with >= 2 keys (atc.lua has_capture)"
    };
    let exprs: Vec<String> = routes
        .iter()
        .enumerate()
        .map(|(i, r)| format!("  route {i}: {:?}", transform::expression_of(r, Flavor::TraditionalCompatible)))
        .collect();
    format!(
        "Kong rule: {rule}\nrequest: {req:?}\nours: {:?}\natc-router: {:?}\n{}",
        ours.iter().map(|m| outcome(Some(m))).collect::<Vec<_>>(),
        kong.iter().map(|m| outcome(Some(m))).collect::<Vec<_>>(),
        exprs.join("\n")
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn project_router_agrees_with_atc_router(routes in prop::collection::vec(route(), 1..8), reqs in prop::collection::vec(request(), 1..6)) {
        let ours = Router::new(&routes, Formula::Effective).unwrap();
        let kong = ExpressionsRouter::with_flavor(&routes, Flavor::TraditionalCompatible).unwrap();
        for req in &reqs {
            let (o, k) = (ours.all_matches(req), kong.all_matches(req));
            let same = o.len() == k.len() && o.iter().zip(&k).all(|(a, b)| outcome(Some(a)) == outcome(Some(b)));
            prop_assert!(same, "{}", disagreement(&routes, req, &o, &k));
            // the winner from atc-router's own Router::execute is the first of all matches
            prop_assert_eq!(outcome(kong.find(req).as_ref()), outcome(k.first()));
            prop_assert_eq!(outcome(ours.find(req).as_ref()), outcome(kong.find(req).as_ref()));
        }
    }
}

fn protocols() -> impl Strategy<Value = Vec<String>> {
    prop::sample::select(vec![vec!["http", "https"], vec!["https"], vec!["http"], vec!["grpc", "grpcs"], vec!["grpcs"]])
        .prop_map(|v| v.into_iter().map(String::from).collect())
}

/// Whether the expressions flavor's `net.protocol` condition lets a request through
/// (kong/router/expressions.lua: none when https is the only protocol; grpc -> http,
/// grpcs -> https).
fn protocol_allows(protocols: &[String], https: bool) -> bool {
    if protocols.len() == 1 && protocols[0] == "https" {
        return true;
    }
    let want = if https { "https" } else { "http" };
    protocols.iter().any(|p| {
        let p = match p.as_str() {
            "grpc" => "http",
            "grpcs" => "https",
            other => other,
        };
        p == want
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, failure_persistence: None, ..ProptestConfig::default() })]

    /// The expressions flavor on classic routes = traditional_compatible plus the protocol
    /// condition: the project's matches, minus the routes whose protocols refuse the
    /// request's scheme, in the same order.
    #[test]
    fn expressions_flavor_is_compat_plus_protocols(
        routes in prop::collection::vec((route(), protocols()), 1..8),
        reqs in prop::collection::vec(request(), 1..6),
    ) {
        let routes: Vec<RouteSpec> = routes.into_iter().map(|(r, p)| RouteSpec { protocols: p, ..r }).collect();
        let ours = Router::new(&routes, Formula::Effective).unwrap();
        let kong = ExpressionsRouter::new(&routes).unwrap();
        for req in &reqs {
            let want: Vec<Option<Outcome>> =
                ours.all_matches(req).iter().filter(|m| protocol_allows(&routes[m.route].protocols, req.https)).map(|m| outcome(Some(m))).collect();
            let got: Vec<Option<Outcome>> = kong.all_matches(req).iter().map(|m| outcome(Some(m))).collect();
            prop_assert_eq!(&got, &want, "Kong rule: expressions.lua get_expression adds net.protocol from protocols\nrequest {:?}", req);
            prop_assert_eq!(outcome(kong.find(req).as_ref()), want.first().cloned().flatten());
            // the lazy scan simulate uses: the first match, then the first of another route
            let all = kong.all_matches(req);
            let (w, r) = kong.winner_and_runner_up(req);
            prop_assert_eq!(w.as_ref(), all.first());
            prop_assert_eq!(r.as_ref(), all.first().and_then(|w| all.iter().find(|m| m.route != w.route)));
        }
    }
}

// ---- fixed cases restated from Kong's spec/01-unit/08-router_spec.lua (expressions flavor) ----

fn expr_route(id: u128, expression: &str, priority: u64) -> RouteSpec {
    RouteSpec { id: Some(uuid::Uuid::from_u128(id)), expression: Some(expression.to_string()), priority: Some(priority), ..RouteSpec::default() }
}

fn get(target: &str) -> Request {
    Request { method: "GET".into(), target: target.into(), listener_port: 8000, ..Request::default() }
}

fn winner(router: &ExpressionsRouter, req: &Request) -> Option<usize> {
    router.find(req).map(|m| m.route)
}

// "select() should match http.queries" / "exec() should match http.queries"
#[test]
fn spec_http_queries() {
    let routes = vec![
        expr_route(1, r#"http.path == "/foo/bar" && http.queries.a == "1""#, 100),
        expr_route(2, r#"http.path == "/foo/bar" && http.queries.a == """#, 100),
        expr_route(3, r#"http.path == "/foo/bar" && any(http.queries.a) == "2""#, 100),
    ];
    let r = ExpressionsRouter::new(&routes).unwrap();
    assert_eq!(winner(&r, &get("/foo/bar?a=1")), Some(0));
    assert_eq!(winner(&r, &get("/foo/bar?a=")), Some(1));
    assert_eq!(winner(&r, &get("/foo/bar?a")), Some(1));
    assert_eq!(winner(&r, &get("/foo/bar?a=2&a=10")), Some(2));
    assert_eq!(winner(&r, &get("/foo/bar?a=x")), None);
}

// "select() should match with case sensitivity" / "select() should match with lower() (case insensitive)"
#[test]
fn spec_header_case() {
    let routes = vec![
        expr_route(1, r#"http.path == "/foo/bar" && http.headers.test1 == "Quote""#, 100),
        expr_route(2, r#"http.path == "/foo/bar" && lower(http.headers.test2) == "quote""#, 100),
    ];
    let r = ExpressionsRouter::new(&routes).unwrap();
    let with = |k: &str, v: &str| Request { headers: vec![(k.into(), v.into())], ..get("/foo/bar") };
    assert_eq!(winner(&r, &with("test1", "quote")), None);
    assert_eq!(winner(&r, &with("test1", "Quote")), Some(0));
    assert_eq!(winner(&r, &with("test2", "QuoTe")), Some(1));
}

// "select() should convert 'net.port' to 'net.dst.port' and work well";
// "exec() should use var.server_port if host has no port"
#[test]
fn spec_net_port_amended() {
    let r = ExpressionsRouter::new(&[expr_route(1, r#"http.host == "www.example.com" && net.port == 8000"#, 100)]).unwrap();
    let host = |h: &str, listener: u16| Request { host: Some(h.into()), listener_port: listener, ..get("/") };
    assert_eq!(winner(&r, &host("www.example.com:80", 8000)), None);
    assert_eq!(winner(&r, &host("www.example.com:8000", 80)), Some(0));
    assert_eq!(winner(&r, &host("www.example.com", 8000)), Some(0));
    assert_eq!(winner(&r, &host("www.example.com", 9000)), None);
}

// "exec() should support net.src.* and net.dst.*"
#[test]
fn spec_net_src_dst() {
    use gateway::router::atc::context::Connection;
    let r = ExpressionsRouter::new(&[expr_route(2, r#"net.src.ip == 1.1.1.1 && net.dst.ip == 2.2.2.2 && http.method == "GET""#, 100)]).unwrap();
    assert_eq!(r.find(&get("/foo")).map(|m| m.route), None);
    let conn = Connection { src_ip: Some("1.1.1.1".parse().unwrap()), dst_ip: Some("2.2.2.2".parse().unwrap()), src_port: None };
    assert_eq!(r.find_with(&get("/foo"), &conn).map(|m| m.route), Some(0));
}

// "select() should match single http.segments.*", "... with len", "... range http.segments.*",
// "exec() should normalize uri with http.segments.*"
#[test]
fn spec_path_segments() {
    let single = ExpressionsRouter::new(&[
        expr_route(1, r#"http.path.segments.0 == "foo" && http.path.segments.1 == "bar""#, 100),
        expr_route(2, r#"http.path.segments.0 == "foo" && http.path.segments.2 ^= "baz""#, 200),
        expr_route(3, r##"http.path.segments.0 == "foo" && http.path.segments.3 ~ r#"\d+"#"##, 300),
    ])
    .unwrap();
    assert_eq!(winner(&single, &get("/foo/bar")), Some(0));
    assert_eq!(winner(&single, &get("/foo/bar/bazxxx")), Some(1));
    assert_eq!(winner(&single, &get("/foo/bar/baz/12345")), Some(2));
    assert_eq!(winner(&single, &get("/foo/xxx")), None);

    let len = ExpressionsRouter::new(&[expr_route(1, r#"http.path.segments.0 == "foo" && http.path.segments.len == 1"#, 100)]).unwrap();
    assert_eq!(winner(&len, &get("/foo")), Some(0));
    assert_eq!(winner(&len, &get("/foo/")), Some(0));
    assert_eq!(winner(&len, &get("/foo/xxx")), None);

    let range = ExpressionsRouter::new(&[
        expr_route(1, r##"http.path.segments.0_1 ~ r#"\d+/\w+"#"##, 100),
        expr_route(2, r##"http.path.segments.1_3 == r#"xxx/yyy/zzz"#"##, 100),
        expr_route(3, r##"http.path.segments.1_2 == r#"xxx/yyy"# && http.path.segments.len == 3"##, 100),
    ])
    .unwrap();
    assert_eq!(winner(&range, &get("/123/foo/bar")), Some(0));
    assert_eq!(winner(&range, &get("/foo/xxx/yyy/zzz/bar")), Some(1));
    assert_eq!(winner(&range, &get("/foo/xxx/yyy")), Some(2));
    assert_eq!(winner(&range, &get("/foo/xxx/yyy/")), Some(2));

    let norm = ExpressionsRouter::new(&[expr_route(
        1,
        r#"http.path.segments.0 == "foo" && http.path.segments.1 == "bar" && http.path.segments.2 == "baz" && http.path.segments.len == 3"#,
        100,
    )])
    .unwrap();
    assert_eq!(winner(&norm, &get("/foo/bar/baz")), Some(0));
    assert_eq!(winner(&norm, &get("/foo//bar///baz//")), Some(0));
}

// "select() accepts but does not match wrong http.segments.*": the router accepts it; Kong's
// route schema (routes.lua validate_route) is what refuses it.
#[test]
fn spec_wrong_segments() {
    let specs = [
        engine::MatcherSpec { uuid: uuid::Uuid::from_u128(1), priority: 100, expression: r##"http.path.segments.4_1 == r#"foo"#"##.into() },
        engine::MatcherSpec { uuid: uuid::Uuid::from_u128(2), priority: 100, expression: r##"http.path.segments.10_11 == r#"foo/bar"#"##.into() },
    ];
    let (e, errors) = engine::Engine::build(&specs);
    assert!(errors.is_empty());
    assert!(e.first(&get("/foo/bar"), &Default::default()).is_none());
    let err = ExpressionsRouter::new(&[expr_route(1, r##"http.path.segments.4_1 == r#"foo"#"##, 100)]).unwrap_err();
    assert_eq!(err[0].kong_message(), "Router Expression failed validation: illformed http.path.segments.* field");
}

// "select() should match not expression"
#[test]
fn spec_not_expression() {
    let r = ExpressionsRouter::new(&[expr_route(1, r##"!(http.path ^= r#"/foo"#)"##, 100)]).unwrap();
    assert_eq!(winner(&r, &get("/123/foo/bar")), Some(0));
    assert_eq!(winner(&r, &get("/xyz/hello-world/bar")), Some(0));
    assert_eq!(winner(&r, &get("/foo/bar")), None);
}

// "rejects other fields if expression field exists": the router uses the expression; the
// route schema refuses the route.
#[test]
fn spec_expression_wins_over_other_fields() {
    let mut r = expr_route(1, r##"http.path ^= r#"/bar"#"##, 0);
    r.paths = vec!["/foo".into()];
    assert_eq!(transform::expression_of(&r, Flavor::Expressions)[0].0, r##"http.path ^= r#"/bar"# && (net.protocol == r#"http"# || net.protocol == r#"https"#)"##);
    let err = ExpressionsRouter::new(&[r]).unwrap_err();
    assert!(err[0].message.starts_with("cannot set 'expression' with 'methods', 'hosts', 'paths'"), "{:?}", err);
}

// "expression route has higher priority than traditional route"
#[test]
fn spec_expression_route_above_traditional() {
    let classic = RouteSpec { id: Some(uuid::Uuid::from_u128(1)), paths: vec!["/foo".into()], ..RouteSpec::default() };
    let r = ExpressionsRouter::new(std::slice::from_ref(&classic)).unwrap();
    assert_eq!(winner(&r, &get("/foo/bar")), Some(0));
    let r = ExpressionsRouter::new(&[classic, expr_route(2, r##"http.path ^= r#"/foo"#"##, 0)]).unwrap();
    assert_eq!(winner(&r, &get("/foo/bar")), Some(1));
}

// "works when route.priority is near 2^46"
#[test]
fn spec_priority_near_2_46() {
    let a = expr_route(1, r##"http.path ^= r#"/foo"#"##, (1 << 46) - 3);
    let b = expr_route(2, r##"http.path ^= r#"/foo"#"##, (1 << 46) - 2);
    assert_eq!(winner(&ExpressionsRouter::new(std::slice::from_ref(&a)).unwrap(), &get("/foo/bar")), Some(0));
    assert_eq!(winner(&ExpressionsRouter::new(&[a, b]).unwrap(), &get("/foo/bar")), Some(1));
}

// Parse errors come back per route with atc-router's text.
#[test]
fn parse_errors_per_route() {
    let err = ExpressionsRouter::new(&[expr_route(1, r#"http.path == "/a""#, 0), expr_route(2, r#"http.path = "/a""#, 0), expr_route(3, r#"http.foo == "x""#, 0)]).unwrap_err();
    assert_eq!(err.iter().map(|e| e.route).collect::<Vec<_>>(), vec![1, 2]);
    assert!(err[0].message.contains("expected binary_operator"), "{}", err[0].message);
    assert_eq!(err[1].message, "Unknown LHS field");
}

// ---- the expressions engine's path prefilter against its plain scan and atc-router ----
//
// `Engine::hits` evaluates only the always-tried matchers and those whose required path
// literal the request's path satisfies; it must give what evaluating every matcher in
// atc-router's order gives (src/router.rs `execute`: the (priority, uuid) BTreeMap in
// reverse, first that holds wins; src/interpreter.rs: one fresh `Match` per matcher), and
// its first hit must be `Router::execute`'s answer.

fn path_literal() -> impl Strategy<Value = String> {
    (path(), any::<bool>()).prop_map(|(p, slash)| if slash && p != "/" { format!("{p}/") } else { p })
}

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        path_literal().prop_map(|p| format!(r#"http.path ^= "{p}""#)),
        path_literal().prop_map(|p| format!(r#"http.path == "{p}""#)),
        path_literal().prop_map(|p| format!(r##"http.path ~ r#"^{p}(?<cap>[^/]+)$"#"##)),
        path_literal().prop_map(|p| format!(r##"http.path ~ r#"^{p}(\d+)?(?<rest>.*)"#"##)),
        path_literal().prop_map(|p| format!(r##"http.path ~ r#"^{p}"#"##)),
        path_literal().prop_map(|p| format!(r##"http.path ~ r#"{p}"#"##)),
        path_literal().prop_map(|p| format!(r##"http.path ~ r#"(?i)^{p}"#"##)),
        path_literal().prop_map(|p| format!(r##"http.path ~ r#"^{p}|/b"#"##)),
        path_literal().prop_map(|p| format!(r#"lower(http.path) ^= "{}""#, p.to_lowercase())),
        prop::sample::select(vec!["GET", "POST"]).prop_map(|m| format!(r#"http.method == "{m}""#)),
        prop::sample::select(vec!["v1", "V2", "w7"]).prop_map(|v| format!(r#"http.headers.x_version == "{v}""#)),
        Just(r##"http.headers.x_version ~ r#"(?<ver>\d)$"#"##.to_string()),
        Just(r##"any(lower(http.headers.x_env)) ~ r#"^(?<env>[a-zü]+)"#"##.to_string()),
    ]
}

fn expression() -> impl Strategy<Value = String> {
    atom().prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) && ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) || ({b})")),
            inner.prop_map(|a| format!("!({a})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn path_prefilter_changes_no_answer(
        table in prop::collection::vec((expression(), 0u64..4, any::<u8>()), 1..16),
        reqs in prop::collection::vec(request(), 1..8),
    ) {
        let specs: Vec<engine::MatcherSpec> = table
            .iter()
            .enumerate()
            .map(|(i, (e, p, tie))| engine::MatcherSpec { uuid: uuid::Uuid::from_u128((u128::from(*tie) << 64) | i as u128), priority: *p, expression: e.clone() })
            .collect();
        let (engine, errors) = engine::Engine::build(&specs);
        prop_assert!(errors.is_empty(), "{:?}", errors);
        let conn = gateway::router::atc::context::Connection::default();
        for req in &reqs {
            let indexed: Vec<engine::Hit> = engine.hits(req, &conn).collect();
            let scanned: Vec<engine::Hit> = engine.hits_unindexed(req, &conn).collect();
            prop_assert_eq!(&indexed, &scanned, "{:?} on {:?}", req.target, table);
            prop_assert_eq!(engine.first(req, &conn), engine.first_atc(req, &conn), "{:?} on {:?}", req.target, table);
            prop_assert_eq!(engine.first(req, &conn), scanned.first().cloned());
        }
    }
}
