//! Property test: the indexed router and a plain scan of every sub-route in priority order
//! (how atc-router evaluates) give the same answer on random configs and requests: the
//! winner, the runner-up and the other priority formula's pick, host-only routes included.

use gateway::router::{Explained, Formula, Match, Request, RouteSpec, Router};
use proptest::prelude::*;

fn segment() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "api", "v1", "users", "x-y", "openai", "chat"]).prop_map(String::from)
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(segment(), 0..4).prop_map(|s| format!("/{}", s.join("/")))
}

fn route_path() -> impl Strategy<Value = String> {
    prop_oneof![
        path(),
        path().prop_map(|p| format!("~{p}/(?<cap>[^/]+)$")),
        path().prop_map(|p| format!("~{p}")),
        Just("~/(?i)API/.*".to_string()),
        Just("~/[ab]+/.*".to_string()),
        Just("~/.*".to_string()),
    ]
}

fn host() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["example.com", "*.example.com", "api.*", "api.example.com:8000", "other.org", "api.example.com", "API.example.com", "*.example.com:8443"])
        .prop_map(String::from)
}

fn route() -> impl Strategy<Value = RouteSpec> {
    (
        prop::collection::vec(route_path(), 0..3),
        prop::option::of(prop::collection::vec(host(), 0..2)),
        prop::collection::vec(prop::sample::select(vec!["GET", "POST"]).prop_map(String::from), 0..2),
        prop::option::of(prop::sample::select(vec!["v1", "v2", "~*^v"]).prop_map(String::from)),
        -2i64..6,
        any::<u128>(),
        any::<bool>(),
    )
        .prop_map(|(paths, hosts, methods, header, rp, id, named)| RouteSpec {
            name: None,
            id: named.then(|| uuid::Uuid::from_u128(id)),
            paths,
            hosts,
            methods,
            headers: header.map(|h| vec![("x-version".to_string(), vec![h])]).unwrap_or_default(),
            snis: Vec::new(),
            regex_priority: rp,
            ..RouteSpec::default()
        })
}

fn request() -> impl Strategy<Value = Request> {
    (
        prop::sample::select(vec!["GET", "POST"]),
        path(),
        prop::option::of(prop::sample::select(vec!["example.com", "api.example.com", "api.example.com:8000", "a.b.example.com", "other.org", "API.example.com", "x.example.com:8443"])),
        prop::option::of(prop::sample::select(vec!["v1", "V2", "w"])),
    )
        .prop_map(|(m, p, h, v)| Request {
            method: m.to_string(),
            target: p,
            host: h.map(String::from),
            headers: v.map(|v| vec![("X-Version".to_string(), v.to_string())]).unwrap_or_default(),
            https: false,
            listener_port: 8000,
            sni: None,
        })
}

/// The plain reference for [`Router::explain`]: the linear scan's winner, the first match of
/// another route in `all_matches`, and a scan of every sub-route in the other formula's order.
fn explain_by_scan(router: &Router, req: &Request) -> Explained {
    let all = router.all_matches(req);
    let winner = all.first().cloned();
    let runner_up = winner.as_ref().and_then(|w| all.iter().find(|m| m.route != w.route).cloned());
    let mut order: Vec<usize> = (0..router.entries.len()).collect();
    order.sort_by(|&a, &b| {
        let (ea, eb) = (&router.entries[a], &router.entries[b]);
        eb.other_priority.cmp(&ea.other_priority).then(eb.uuid.cmp(&ea.uuid))
    });
    let matched: Vec<usize> = all.iter().map(|m: &Match| m.entry).collect();
    let other_formula = order.into_iter().find(|i| matched.contains(i)).map(|i| router.entries[i].route);
    Explained { winner, runner_up, other_formula }
}

fn host_only_route() -> impl Strategy<Value = RouteSpec> {
    (prop::collection::vec(host(), 1..3), prop::collection::vec(prop::sample::select(vec!["GET", "POST"]).prop_map(String::from), 0..2), any::<u128>())
        .prop_map(|(hosts, methods, id)| RouteSpec { id: Some(uuid::Uuid::from_u128(id)), hosts: Some(hosts), methods, ..RouteSpec::default() })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    /// Winner, runner-up and the other formula's pick from the index equal the plain scans.
    #[test]
    fn explain_agrees_with_linear_scans(routes in prop::collection::vec(route(), 1..12), reqs in prop::collection::vec(request(), 1..8)) {
        for formula in [Formula::Effective, Formula::Documented] {
            let router = Router::new(&routes, formula).unwrap();
            for r in &reqs {
                let got = router.explain(r);
                prop_assert_eq!(&got, &explain_by_scan(&router, r), "request {:?}", r);
                prop_assert_eq!(got.other_formula, router.find_with_other_formula(r).map(|m| m.route));
            }
        }
    }

    /// Host-only routes (indexed by host, not by path) mixed with path routes: same answers.
    #[test]
    fn host_indexed_routes_agree(host_only in prop::collection::vec(host_only_route(), 1..10), others in prop::collection::vec(route(), 0..6), reqs in prop::collection::vec(request(), 1..8)) {
        let routes: Vec<RouteSpec> = host_only.into_iter().chain(others).collect();
        let router = Router::new(&routes, Formula::Effective).unwrap();
        for r in &reqs {
            prop_assert_eq!(router.find(r), router.find_linear(r), "request {:?}", r);
            prop_assert_eq!(router.explain(r), explain_by_scan(&router, r), "request {:?}", r);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn index_agrees_with_linear_scan(routes in prop::collection::vec(route(), 1..12), reqs in prop::collection::vec(request(), 1..8)) {
        for formula in [Formula::Effective, Formula::Documented] {
            let router = Router::new(&routes, formula).unwrap();
            for r in &reqs {
                prop_assert_eq!(router.find(r), router.find_linear(r), "request {:?}", r);
                let all = router.all_matches(r);
                prop_assert_eq!(router.find(r), all.first().cloned());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// The other-formula lookup equals a router built with that formula.
    #[test]
    fn other_formula_lookup_matches_a_router_built_for_it(routes in prop::collection::vec(route(), 1..10), reqs in prop::collection::vec(request(), 1..6)) {
        let eff = Router::new(&routes, Formula::Effective).unwrap();
        let doc = Router::new(&routes, Formula::Documented).unwrap();
        for r in &reqs {
            let a = eff.find_with_other_formula(r).map(|m| m.route);
            let b = doc.find(r).map(|m| m.route);
            prop_assert_eq!(a, b);
        }
    }

    /// Many regexes under one literal (the RegexSet path of the index) still agree.
    #[test]
    fn shared_prefix_regex_sets_agree(n in 17usize..40, pick in 0usize..40, extra in "[a-z]{0,3}") {
        let routes: Vec<RouteSpec> = (0..n)
            .map(|i| RouteSpec {
                name: Some(format!("r{i}")),
                id: Some(uuid::Uuid::from_u128(i as u128 + 1)),
                paths: vec![format!("~/openai/deployments/(?<d>[^/]+)/r{i}/chat$")],
                regex_priority: (i % 3) as i64,
                ..RouteSpec::default()
            })
            .collect();
        let router = Router::new(&routes, Formula::Effective).unwrap();
        let req = Request {
            method: "POST".into(),
            target: format!("/openai/deployments/x{extra}/r{}/chat", pick % (n + 2)),
            listener_port: 8000,
            ..Request::default()
        };
        prop_assert_eq!(router.find(&req), router.find_linear(&req));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, failure_persistence: None, ..ProptestConfig::default() })]

    /// Many regexes under one literal, some anchored at the end (indexed by the literals
    /// their matches end with), some not (filtered by a `RegexSet`), some ending in `.*$`
    /// (no finite suffix): same answers as the linear scan.
    #[test]
    fn shared_prefix_suffix_index_agrees(n in 40usize..90, picks in prop::collection::vec((0usize..100, 0usize..6, "[a-z]{0,2}"), 1..8)) {
        let routes: Vec<RouteSpec> = (0..n)
            .map(|i| RouteSpec {
                name: Some(format!("r{i}")),
                id: Some(uuid::Uuid::from_u128(i as u128 * 7919 % 101 + 1)),
                paths: vec![match i % 4 {
                    0 => format!("~/openai/deployments/(?<d>[^/]+)/r{}/chat$", i % 30),
                    1 => format!("~/openai/deployments/(?<d>[^/]+)/r{}/(chat|embed)$", i % 30),
                    2 => format!("~/openai/deployments/(?<d>[^/]+)/r{}/chat", i % 30),
                    _ => format!("~/openai/deployments/(?<d>[^/]+)/r{}/.*$", i % 30),
                }],
                regex_priority: (i % 3) as i64,
                ..RouteSpec::default()
            })
            .collect();
        let router = Router::new(&routes, Formula::Effective).unwrap();
        for (pick, tail, extra) in picks {
            let tail = ["chat", "embed", "chat/x", "chatx", "", "x/chat"][tail];
            let req = Request {
                method: "POST".into(),
                target: format!("/openai/deployments/d{extra}/r{}/{tail}", pick % 32),
                listener_port: 8000,
                ..Request::default()
            };
            prop_assert_eq!(router.find(&req), router.find_linear(&req), "request {:?}", req);
            prop_assert_eq!(router.explain(&req), explain_by_scan(&router, &req), "request {:?}", req);
        }
    }
}
