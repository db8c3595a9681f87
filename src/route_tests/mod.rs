//! Route tests: a YAML table of requests with expectations, run through the simulator
//! (`gateway test`). In the spirit of Envoy's router_check_tool, for Kong configs.
//!
//! A request field given as a list expands into every combination. Expectations are
//! checked field by field; maps (captures, headers) are compared as subsets.
//! `upstream_body` maps paths into the body sent upstream (`messages.0.role`: keys joined by
//! `.`, a number indexes a list) to the value expected there, itself compared as a subset
//! (maps: the keys given; lists: same length, each item a subset; numbers by value).
//!
//! Cases are expanded one test at a time and each result goes to a sink as soon as it is
//! known (`report.rs` writes the text, JSON and JUnit forms); only the set of routes hit is
//! kept, so memory does not grow with the number of results.

pub mod report;

use crate::node::{Node, Value};
use crate::router::Request;
use crate::simulate::{SimRequest, Simulation, Simulator};
use crate::source::Loc;
use serde::Serialize;
use serde_json::Value as Json;

/// One expanded test case.
#[derive(Clone, Debug)]
pub struct Case<'t> {
    pub name: String,
    pub loc: Loc,
    pub request: SimRequest,
    /// The test's `expect:` map (`None`: no expectations).
    pub expect: Option<&'t Node>,
}

/// A problem in the table itself.
#[derive(Clone, Debug)]
pub struct TableError {
    pub loc: Loc,
    pub message: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
    pub name: String,
    pub line: u32,
    pub passed: bool,
    pub failures: Vec<String>,
    pub route: Option<String>,
    pub status: u16,
}

/// The totals of a run, once every case has run.
#[derive(Clone, Debug)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub routes_total: usize,
    pub routes_covered: usize,
    pub uncovered_routes: Vec<String>,
    pub coverage_percent: f64,
}

const REQUEST_KEYS: &[&str] = &["method", "path", "host", "headers", "body", "scheme", "port", "sni"];
const EXPECT_KEYS: &[&str] = &[
    "route", "status", "service", "uri_captures", "strip_prefix", "upstream_url", "upstream_path", "upstream_host",
    "model", "provider", "headers", "plugins", "error", "no_match", "upstream_body",
];

/// The table's `router_flavor:` (Kong's names), if it names one; `--router-flavor` wins.
pub fn flavor(table: &Node) -> Result<Option<crate::router::Flavor>, TableError> {
    let Some(f) = table.get("router_flavor") else { return Ok(None) };
    match f.as_str().and_then(crate::router::Flavor::from_name) {
        Some(flavor) => Ok(Some(flavor)),
        None => Err(TableError { loc: f.loc, message: "`router_flavor` is traditional_compatible or expressions (Kong's names)".into() }),
    }
}

/// The `config:` entries of a table.
pub fn configs(table: &Node) -> Vec<String> {
    match table.get("config").map(|c| &c.value) {
        Some(Value::Str(s)) => vec![s.clone()],
        Some(Value::Seq(items)) => items.iter().filter_map(|i| i.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    }
}

fn scalar(n: &Node) -> Option<String> {
    match &n.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

/// Checks every test of the table, then expands them into cases lazily (one test at a time).
pub fn cases(table: &Node) -> Result<impl Iterator<Item = Case<'_>> + '_, Vec<TableError>> {
    let defaults = table.get("defaults");
    let Some(tests) = tests_of(table) else {
        return Err(vec![no_tests(table)]);
    };
    let errors: Vec<TableError> = tests.iter().enumerate().flat_map(|(i, t)| check_test(t, i)).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(tests.iter().enumerate().flat_map(move |(i, t)| expand(defaults, t, i)))
}

/// The table's `tests:` list (empty in a table whose tests were read one at a time).
pub fn tests_of(table: &Node) -> Option<&[Node]> {
    table.get("tests").and_then(Node::as_seq)
}

/// The error for a table without a `tests:` list.
pub fn no_tests(table: &Node) -> TableError {
    TableError { loc: table.loc, message: "the table needs a `tests:` list".into() }
}

/// What is wrong with test `i` of a table (its fields), in the order [`cases`] reports it.
pub fn check_test(t: &Node, i: usize) -> Vec<TableError> {
    let mut errors = Vec::new();
    let name = test_name(t, i);
    let Some(req) = t.get("request").filter(|r| r.is_map()) else {
        errors.push(TableError { loc: t.loc, message: format!("{name}: needs a `request:` map") });
        return errors;
    };
    for e in req.entries() {
        if !REQUEST_KEYS.contains(&e.key.as_str()) {
            errors.push(TableError { loc: e.key_loc, message: format!("{name}: unknown request field `{}`", e.key) });
        }
    }
    for e in t.get("expect").map(Node::entries).unwrap_or_default() {
        if !EXPECT_KEYS.contains(&e.key.as_str()) {
            errors.push(TableError { loc: e.key_loc, message: format!("{name}: unknown expectation `{}`", e.key) });
        } else if e.key == "upstream_body" && !(e.value.is_map() || e.value.is_null()) {
            errors.push(TableError {
                loc: e.value.loc,
                message: format!("{name}: `upstream_body` is a map of body paths to values (`messages.0.role: system`), or null for no body"),
            });
        }
    }
    errors
}

/// The cases of test `i` (checked by [`check_test`]) with the table's `defaults:`.
pub fn test_cases<'t>(defaults: Option<&'t Node>, t: &'t Node, i: usize) -> Vec<Case<'t>> {
    expand(defaults, t, i)
}

fn test_name(t: &Node, i: usize) -> String {
    t.get_str("name").map(String::from).unwrap_or_else(|| format!("test {}", i + 1))
}

/// The request headers of a test: the table's defaults, then the test's own. A name the
/// test sets replaces the defaults' values for it. Within one map, names differing only in
/// case (`x-tenant`, `X-Tenant`) are one header with several values, as repeated field lines
/// are in HTTP (RFC 9110 §5.2 field names are case-insensitive; §5.3 repeated fields combine
/// into one list); Kong's router then matches any of the values.
fn headers(defaults: Option<&Node>, req: &Node) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for src in [defaults.and_then(|d| d.get("headers")), req.get("headers")].into_iter().flatten() {
        let entries = src.entries();
        headers.retain(|(k, _)| !entries.iter().any(|h| h.key.eq_ignore_ascii_case(k)));
        for h in entries {
            match &h.value.value {
                Value::Seq(vals) => headers.extend(vals.iter().filter_map(scalar).map(|x| (h.key.clone(), x))),
                _ => headers.extend(scalar(&h.value).map(|x| (h.key.clone(), x))),
            }
        }
    }
    headers
}

/// The cases of one (checked) test: every combination of its list-valued fields.
fn expand<'t>(defaults: Option<&'t Node>, t: &'t Node, i: usize) -> Vec<Case<'t>> {
    let name = test_name(t, i);
    let Some(req) = t.get("request") else { return Vec::new() };
    let expect = t.get("expect");
    // combinations of list-valued scalar fields
    let mut variants: Vec<Vec<(String, Node)>> = vec![Vec::new()];
    for key in ["method", "path", "host", "scheme", "port", "sni"] {
        let field = req.get(key).or_else(|| defaults.and_then(|d| d.get(key)));
        let Some(field) = field else { continue };
        let values: Vec<Node> = match &field.value {
            Value::Seq(items) => items.clone(),
            _ => vec![field.clone()],
        };
        variants = variants
            .into_iter()
            .flat_map(|v| values.iter().map(move |x| {
                let mut v = v.clone();
                v.push((key.to_string(), x.clone()));
                v
            }))
            .collect();
    }
    let multiple = variants.len() > 1;
    let headers = headers(defaults, req);
    let body = req.get("body").or_else(|| defaults.and_then(|d| d.get("body"))).map(|b| match &b.value {
        Value::Str(s) => s.clone().into_bytes(),
        _ => b.to_json(false).to_string().into_bytes(),
    });
    let mut out = Vec::with_capacity(variants.len());
    for v in variants {
        let get = |k: &str| v.iter().find(|(key, _)| key == k).and_then(|(_, n)| scalar(n));
        let https = get("scheme").as_deref() == Some("https");
        let path = get("path").unwrap_or_else(|| "/".into());
        let method = get("method").unwrap_or_else(|| "GET".into());
        let label = if multiple { format!("{name} [{method} {path}{}]", get("host").map(|h| format!(" host={h}")).unwrap_or_default()) } else { name.clone() };
        out.push(Case {
            name: label,
            loc: t.loc,
            request: SimRequest {
                request: Request {
                    method,
                    target: path,
                    host: get("host"),
                    headers: headers.clone(),
                    https,
                    listener_port: get("port").and_then(|p| p.parse().ok()).unwrap_or(if https { 8443 } else { 8000 }),
                    sni: get("sni"),
                },
                body: body.clone(),
            },
            expect,
        });
    }
    out
}

/// The value at a `.`-joined path (`messages.0.role`) in a JSON document.
fn json_at<'j>(doc: &'j Json, path: &str) -> Option<&'j Json> {
    path.split('.').try_fold(doc, |v, part| match v {
        Json::Array(items) => items.get(part.parse::<usize>().ok()?),
        Json::Object(m) => m.get(part),
        _ => None,
    })
}

/// Whether `got` has what `want` says: maps by the keys given, lists item by item (same
/// length), numbers by value, anything else equal.
fn json_subset(want: &Json, got: &Json) -> bool {
    match (want, got) {
        (Json::Object(w), Json::Object(g)) => w.iter().all(|(k, v)| g.get(k).is_some_and(|gv| json_subset(v, gv))),
        (Json::Array(w), Json::Array(g)) => w.len() == g.len() && w.iter().zip(g).all(|(a, b)| json_subset(a, b)),
        (Json::Number(a), Json::Number(b)) => a == b || a.as_f64() == b.as_f64(),
        _ => want == got,
    }
}

fn check(expect: Option<&Node>, s: &Simulation) -> Vec<String> {
    let mut f = Vec::new();
    for e in expect.map(Node::entries).unwrap_or_default() {
        let mut cmp = |what: &str, want: Option<String>, got: Option<String>| {
            if want != got {
                f.push(format!("{what}: expected {}, got {}", want.unwrap_or_else(|| "none".into()), got.unwrap_or_else(|| "none".into())));
            }
        };
        let want = || scalar(&e.value);
        match e.key.as_str() {
            "route" => cmp("route", want(), s.route.as_ref().and_then(|r| r.name.clone().or(r.id.clone()))),
            "no_match" if e.value.as_bool() == Some(true) => cmp("route", None, s.route.as_ref().and_then(|r| r.name.clone())),
            "status" => {
                // a failed status shows Kong's answer (`{"error":{"message":"cannot use own model ..."}}`)
                let got = match &s.error_body {
                    Some(body) => format!("{} (Kong answers {body})", s.status),
                    None => s.status.to_string(),
                };
                if want() != Some(s.status.to_string()) {
                    cmp("status", want(), Some(got));
                }
            }
            "upstream_body" => {
                let body = s.upstream.as_ref().and_then(|u| u.body.as_ref());
                if e.value.is_null() {
                    cmp("upstream_body", None, body.map(Json::to_string));
                }
                for p in e.value.entries() {
                    let want = p.value.to_json(false);
                    let got = body.and_then(|b| json_at(b, &p.key));
                    if !got.is_some_and(|g| json_subset(&want, g)) {
                        let status = if s.status == 200 { String::new() } else { format!(" (Kong answers {})", s.status) };
                        cmp(&format!("upstream_body.{}", p.key), Some(want.to_string()), Some(got.map(Json::to_string).unwrap_or_else(|| format!("none{status}"))));
                    }
                }
            }
            "service" => cmp("service", want(), s.service.as_ref().and_then(|r| r.name.clone().or(r.id.clone()))),
            "strip_prefix" => cmp("strip_prefix", want(), s.strip_prefix.clone()),
            "upstream_url" => cmp("upstream_url", want(), s.upstream.as_ref().map(|u| u.url.clone())),
            "upstream_path" => cmp("upstream_path", want(), s.upstream.as_ref().map(|u| u.path.clone())),
            "upstream_host" => cmp("upstream_host", want(), s.upstream.as_ref().map(|u| u.host_header.clone())),
            "model" => cmp("model", want(), s.ai.as_ref().and_then(|a| a.model.clone())),
            "provider" => cmp("provider", want(), s.ai.as_ref().map(|a| a.provider.clone())),
            "error" => cmp("error", want(), s.error.as_ref().map(|x| x.message.clone())),
            "uri_captures" => {
                if e.value.is_null() {
                    cmp("uri_captures", None, s.uri_captures.as_ref().map(|c| Json::Object(c.clone()).to_string()));
                }
                for c in e.value.entries() {
                    let got = s.uri_captures.as_ref().and_then(|m| m.get(&c.key)).and_then(Json::as_str).map(String::from);
                    cmp(&format!("uri_captures.{}", c.key), scalar(&c.value), got);
                }
            }
            "headers" => {
                for h in e.value.entries() {
                    let got = s.upstream.as_ref().and_then(|u| u.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(&h.key)).map(|(_, v)| v.clone()));
                    cmp(&format!("upstream header {}", h.key), scalar(&h.value), got);
                }
            }
            "plugins" => {
                let want: Vec<String> = e.value.as_seq().unwrap_or(&[]).iter().filter_map(scalar).collect();
                let got: Vec<String> = s.plugins.iter().map(|p| p.name.clone()).collect();
                for w in &want {
                    if !got.contains(w) {
                        cmp("plugins", Some(format!("{w} to run")), Some(format!("[{}]", got.join(", "))));
                    }
                }
            }
            _ => {}
        }
    }
    f
}

/// Runs every case, each routed once, handing each result to `each` as soon as it is known;
/// coverage counts the routes some case hit (one bit per route).
pub fn run<'t>(sim: &Simulator, cases: impl IntoIterator<Item = Case<'t>>, mut each: impl FnMut(&CaseResult)) -> Summary {
    let mut runner = Runner::new(sim);
    for c in cases {
        runner.case(c, &mut each);
    }
    runner.finish()
}

/// [`run`] one case at a time (for cases read one at a time).
pub struct Runner<'s, 'a> {
    sim: &'s Simulator<'a>,
    hit: Vec<u64>,
    passed: usize,
    failed: usize,
}

impl<'s, 'a> Runner<'s, 'a> {
    pub fn new(sim: &'s Simulator<'a>) -> Self {
        Runner { sim, hit: vec![0u64; sim.route_entities().len().div_ceil(64)], passed: 0, failed: 0 }
    }

    /// Routes one case and hands its result to `each`.
    pub fn case(&mut self, c: Case<'_>, each: &mut impl FnMut(&CaseResult)) {
        let (s, route) = self.sim.simulate_routed(&c.request, false);
        if let Some(i) = route {
            self.hit[i / 64] |= 1 << (i % 64);
        }
        let failures = check(c.expect, &s);
        if failures.is_empty() {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        each(&CaseResult {
            name: c.name,
            line: c.loc.line,
            passed: failures.is_empty(),
            failures,
            route: s.route.as_ref().and_then(|r| r.name.clone()),
            status: s.status,
        });
    }

    /// The totals, with coverage.
    pub fn finish(self) -> Summary {
        let routes = self.sim.route_entities();
        let hit = self.hit;
        let is_hit = |i: usize| hit[i / 64] & (1 << (i % 64)) != 0;
        let covered = (0..routes.len()).filter(|&i| is_hit(i)).count();
        let uncovered = (0..routes.len()).filter(|&i| !is_hit(i)).map(|i| routes[i].label()).collect();
        Summary {
            passed: self.passed,
            failed: self.failed,
            routes_total: routes.len(),
            routes_covered: covered,
            uncovered_routes: uncovered,
            coverage_percent: if routes.is_empty() { 100.0 } else { covered as f64 * 100.0 / routes.len() as f64 },
        }
    }
}

pub(crate) fn xml_escape(s: &str) -> String {
    // XML 1.0 has no way to write most control characters
    let s: String = s.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect();
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// JUnit XML for a run that could not start (the table or the config failed to load): one
/// testcase with an `<error>` carrying the messages, so CI shows why.
pub fn junit_error(suite: &str, messages: &[String]) -> String {
    let first = messages.first().map(String::as_str).unwrap_or("failed");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"1\" failures=\"0\" errors=\"1\">\n  <testsuite name=\"{s}\" tests=\"1\" failures=\"0\" errors=\"1\">\n    <testcase classname=\"{s}\" name=\"load\">\n      <error message=\"{}\">{}</error>\n    </testcase>\n  </testsuite>\n</testsuites>\n",
        xml_escape(first),
        xml_escape(&messages.join("\n")),
        s = xml_escape(suite),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn body_paths_and_subsets() {
        let body = json!({"messages": [{"role": "system", "content": "s"}], "max_tokens": 512, "options": {"a": 1, "b": 2}});
        assert_eq!(json_at(&body, "messages.0.role"), Some(&json!("system")));
        assert_eq!(json_at(&body, "messages.1.role"), None);
        assert_eq!(json_at(&body, "messages.x"), None);
        assert_eq!(json_at(&body, "max_tokens.0"), None);
        assert!(json_subset(&json!({"a": 1}), &body["options"]));
        assert!(!json_subset(&json!({"a": 1, "c": 3}), &body["options"]));
        assert!(json_subset(&json!(512.0), &body["max_tokens"]));
        assert!(!json_subset(&json!("512"), &body["max_tokens"]));
        assert!(json_subset(&json!([{"role": "system"}]), &body["messages"]));
        assert!(!json_subset(&json!([]), &body["messages"]));
    }
}
