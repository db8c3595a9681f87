//! Kong's route engine itself: atc-router (the crate Kong links, 1.7.1 = Kong's
//! `.requirements` pin) fed with (uuid, priority, expression) triples.
//!
//! Restates how `kong/router/atc.lua` uses it (`add_matcher` per route, `execute`, then
//! `get_result("http.path")`), and reads atc-router v1.7.1's `src/router.rs` for the
//! order: matchers sit in a `BTreeMap` keyed by `(priority, uuid)` and `execute` walks it
//! in reverse, so the highest priority is tried first and equal priorities go by the
//! greater UUID; the first expression that holds wins. [`Engine::hits`] evaluates the
//! expressions with atc-router's interpreter (`src/interpreter.rs`) in that same order (the
//! `Router` offers no "all matches"), but only the ones a path prefilter ([`PathIndex`])
//! leaves: a matcher whose expression requires `http.path` to start with (or equal) a
//! literal is skipped when the request's path does not. Skipping a matcher whose expression
//! cannot hold changes nothing else: `Router::execute` gives each matcher a fresh `Match`
//! and stops at the first that holds, and the interpreter only reads the context.
//! [`Engine::first_atc`] asks atc-router's own `Router`; [`Engine::hits_unindexed`] is the
//! plain scan.

use super::context::{self, Connection};
use super::schema::http_schema;
use crate::router::Request;
use atc_router::ast::{BinaryOperator, Expression, LogicalExpression, Value};
use atc_router::context::{Context, Match as AtcMatch};
use atc_router::interpreter::Execute;
use atc_router::router::Router as AtcRouter;
use atc_router::schema::Schema;
use std::collections::HashMap;
use std::sync::OnceLock;
use uuid::Uuid;

/// One matcher to add.
#[derive(Clone, Debug)]
pub struct MatcherSpec {
    pub uuid: Uuid,
    pub priority: u64,
    pub expression: String,
}

/// What one matcher produced when its expression held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Index of the matcher in the slice given to [`Engine::build`].
    pub matcher: usize,
    /// The value `http.path` matched (the prefix, or the whole regex match), as
    /// `get_result("http.path")` returns it; `None` when no path predicate matched or the
    /// value is empty.
    pub matched_path: Option<String>,
    /// atc-router's one capture map for the whole expression.
    pub captures: HashMap<String, String>,
}

pub struct Engine {
    router: AtcRouter<'static>,
    /// Parsed expressions in evaluation order: (matcher index, expression).
    ordered: Vec<(usize, Expression)>,
    by_uuid: HashMap<Uuid, usize>,
    index: PathIndex,
}

/// A condition on `http.path` an expression cannot hold without.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathKey {
    /// The path starts with this literal (`^=`, or a `~` regex anchored at `^` with a
    /// literal prefix).
    Prefix(String),
    /// The path is this literal (`==`).
    Exact(String),
}

/// The path prefilter: positions in evaluation order (`Engine::ordered`), by the literal
/// their expression requires of `http.path`, and the positions with no such literal.
#[derive(Debug, Default)]
struct PathIndex {
    prefix: HashMap<String, Vec<usize>>,
    exact: HashMap<String, Vec<usize>>,
    /// The longest prefix literal, in bytes.
    longest: usize,
    /// Positions always evaluated, ascending.
    always: Vec<usize>,
}

impl PathIndex {
    fn new(keys: impl Iterator<Item = Option<PathKey>>) -> PathIndex {
        let mut ix = PathIndex::default();
        for (pos, key) in keys.enumerate() {
            match key {
                Some(PathKey::Prefix(p)) => {
                    ix.longest = ix.longest.max(p.len());
                    ix.prefix.entry(p).or_default().push(pos);
                }
                Some(PathKey::Exact(p)) => ix.exact.entry(p).or_default().push(pos),
                None => ix.always.push(pos),
            }
        }
        ix
    }

    /// The positions whose path literal `path` satisfies, ascending (without `always`).
    fn candidates(&self, path: &str) -> Vec<usize> {
        let mut out = Vec::new();
        for len in 0..=self.longest.min(path.len()) {
            if path.is_char_boundary(len) {
                if let Some(ps) = self.prefix.get(&path[..len]) {
                    out.extend_from_slice(ps);
                }
            }
        }
        if let Some(ps) = self.exact.get(path) {
            out.extend_from_slice(ps);
        }
        out.sort_unstable();
        out
    }
}

/// Merges two ascending lists lazily.
struct Merge<'a> {
    a: &'a [usize],
    b: Vec<usize>,
    i: usize,
    j: usize,
}

impl Iterator for Merge<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        let (x, y) = (self.a.get(self.i), self.b.get(self.j));
        match (x, y) {
            (Some(&x), Some(&y)) if x < y => {
                self.i += 1;
                Some(x)
            }
            (_, Some(&y)) => {
                self.j += 1;
                Some(y)
            }
            (Some(&x), None) => {
                self.i += 1;
                Some(x)
            }
            (None, None) => None,
        }
    }
}

/// The path literal an expression requires, from its top-level `And` chain only (an `Or`
/// or a `Not` is not entered): a predicate on `http.path` without `lower()`/`any()` that is
/// `^= "lit"`, `== "lit"` or `~` a regex that regex-syntax reads as the start-of-text
/// anchor followed by a literal. The first such predicate found, left to right. `None`
/// when there is none (the matcher is always evaluated).
///
/// Sound because `http.path` has exactly one value ([`context::values_of`]), and
/// atc-router's predicate in its default "all values" mode holds only if that value
/// satisfies the operator (src/interpreter.rs `Predicate::execute`).
pub fn path_key(expr: &Expression) -> Option<PathKey> {
    match expr {
        Expression::Logical(l) => match l.as_ref() {
            LogicalExpression::And(a, b) => path_key(a).or_else(|| path_key(b)),
            LogicalExpression::Or(..) | LogicalExpression::Not(_) => None,
        },
        Expression::Predicate(p) => {
            if p.lhs.var_name != "http.path" || !p.lhs.transformations.is_empty() {
                return None;
            }
            match (&p.op, &p.rhs) {
                (BinaryOperator::Prefix, Value::String(s)) => Some(PathKey::Prefix(s.clone())),
                (BinaryOperator::Equals, Value::String(s)) => Some(PathKey::Exact(s.clone())),
                (BinaryOperator::Regex, Value::Regex(re)) => anchored_literal(re.as_str()).map(PathKey::Prefix),
                _ => None,
            }
        }
    }
}

/// The literal every match of `pattern` starts at the start of the text with, when the
/// pattern (as regex-syntax parses it with the `regex` crate's defaults, which atc-router's
/// `Regex::new` uses) is a concatenation beginning with the `\A`/`^` anchor (not the
/// multi-line one) followed by a literal. `None` otherwise, or when the pattern does not
/// parse.
fn anchored_literal(pattern: &str) -> Option<String> {
    use regex_syntax::hir::{HirKind, Look};
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let HirKind::Concat(parts) = hir.kind() else { return None };
    match (parts.first().map(|h| h.kind()), parts.get(1).map(|h| h.kind())) {
        (Some(HirKind::Look(Look::Start)), Some(HirKind::Literal(lit))) => String::from_utf8(lit.0.to_vec()).ok(),
        _ => None,
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("matchers", &self.ordered.len()).finish()
    }
}

impl Engine {
    /// Adds every matcher; the ones atc-router refuses come back as (matcher index,
    /// atc-router's message) and are left out, as Kong leaves them out (atc.lua
    /// `new_from_scratch` logs and skips them). Like atc-router, this accepts field names
    /// Kong's route schema would refuse (see [`super::schema::check_segment_fields`]).
    pub fn build(matchers: &[MatcherSpec]) -> (Engine, Vec<(usize, String)>) {
        let mut router = AtcRouter::new(schema());
        let mut errors = Vec::new();
        let mut ordered = Vec::new();
        let mut by_uuid = HashMap::new();
        for (i, m) in matchers.iter().enumerate() {
            let added = router
                .add_matcher(m.priority as usize, m.uuid, &m.expression)
                .and_then(|()| atc_router::parser::parse(&m.expression).map_err(|e| e.to_string()));
            match added {
                Ok(expr) => {
                    ordered.push((i, expr));
                    by_uuid.insert(m.uuid, i);
                }
                Err(e) => errors.push((i, e)),
            }
        }
        // atc-router src/router.rs: BTreeMap<(priority, uuid)> iterated in reverse
        ordered.sort_by(|(a, _), (b, _)| (matchers[*b].priority, matchers[*b].uuid).cmp(&(matchers[*a].priority, matchers[*a].uuid)));
        let index = PathIndex::new(ordered.iter().map(|(_, e)| path_key(e)));
        (Engine { router, ordered, by_uuid, index }, errors)
    }

    /// The field names some matcher uses (Kong fills only these).
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.router.fields.keys().map(String::as_str)
    }

    fn context(&self, req: &Request, path: &str, conn: &Connection) -> Option<Context<'static>> {
        let mut ctx = Context::new(schema());
        context::fill(&mut ctx, self.fields(), req, path, conn).ok()?;
        Some(ctx)
    }

    /// The winner: the first of [`Engine::hits`]. `None` also when the request path is not
    /// UTF-8 or a value is refused (Kong's router errors: 404).
    pub fn first(&self, req: &Request, conn: &Connection) -> Option<Hit> {
        self.hits(req, conn).next()
    }

    /// The winner from atc-router's own `Router::execute` (the plain scan `first` must
    /// agree with).
    pub fn first_atc(&self, req: &Request, conn: &Connection) -> Option<Hit> {
        let path = req.match_path()?;
        let mut ctx = self.context(req, &path, conn)?;
        if !self.router.execute(&mut ctx) {
            return None;
        }
        let m = ctx.result.take()?;
        Some(hit(self.by_uuid[&m.uuid], m))
    }

    /// The matchers whose expression holds, in the order atc-router tries them, lazily: the
    /// scan stops where the caller stops reading. Only the matchers the path prefilter
    /// leaves are evaluated.
    pub fn hits<'s>(&'s self, req: &Request, conn: &Connection) -> impl Iterator<Item = Hit> + 's {
        let path = req.match_path();
        let ctx = path.as_deref().and_then(|path| self.context(req, path, conn));
        let candidates = match (&path, &ctx) {
            (Some(path), Some(_)) => self.index.candidates(path),
            _ => Vec::new(),
        };
        let always: &[usize] = if ctx.is_some() { &self.index.always } else { &[] };
        self.evaluate(ctx, Merge { a: always, b: candidates, i: 0, j: 0 })
    }

    /// [`Engine::hits`] without the prefilter: every matcher evaluated in order.
    pub fn hits_unindexed<'s>(&'s self, req: &Request, conn: &Connection) -> impl Iterator<Item = Hit> + 's {
        let ctx = req.match_path().and_then(|path| self.context(req, &path, conn));
        self.evaluate(ctx, 0..self.ordered.len())
    }

    fn evaluate<'s>(&'s self, ctx: Option<Context<'static>>, positions: impl Iterator<Item = usize> + 's) -> impl Iterator<Item = Hit> + 's {
        let mut ctx = ctx;
        positions.filter_map(move |pos| {
            let ctx = ctx.as_mut()?;
            let (i, expr) = &self.ordered[pos];
            let mut m = AtcMatch::new();
            expr.execute(ctx, &mut m).then(|| hit(*i, m))
        })
    }

    /// Every matcher whose expression holds, in the order atc-router tries them.
    pub fn all(&self, req: &Request, conn: &Connection) -> Vec<Hit> {
        self.hits(req, conn).collect()
    }

    /// How many matchers the path prefilter always evaluates, of how many.
    pub fn unindexed_count(&self) -> (usize, usize) {
        (self.index.always.len(), self.ordered.len())
    }
}

/// The fields an expression names, or atc-router's parse/type error (what Kong's route
/// schema gets from `router.validate`).
pub fn fields_of(expression: &str) -> Result<Vec<String>, String> {
    let expr = atc_router::parser::parse(expression).map_err(|e| e.to_string())?;
    atc_router::semantics::Validate::validate(&expr, schema())?;
    let mut fields = HashMap::new();
    atc_router::semantics::FieldCounter::add_to_counter(&expr, &mut fields);
    let mut names: Vec<String> = fields.into_keys().collect();
    names.sort();
    Ok(names)
}

/// The named groups of every regex (`~`) condition of an expression, in order; `None` when
/// atc-router cannot parse it. atc-router keeps one capture map per expression, filled by
/// each regex condition that holds (src/interpreter.rs), and Kong hands it to plugins as
/// `uri_captures` (kong/router/atc.lua), so these are the names a template can read.
pub fn capture_names(expression: &str) -> Option<Vec<String>> {
    fn walk(e: &atc_router::ast::Expression, out: &mut Vec<String>) {
        use atc_router::ast::{Expression, LogicalExpression, Value};
        match e {
            Expression::Logical(l) => match l.as_ref() {
                LogicalExpression::And(a, b) | LogicalExpression::Or(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                LogicalExpression::Not(a) => walk(a, out),
            },
            Expression::Predicate(p) => {
                if let Value::Regex(re) = &p.rhs {
                    out.extend(re.capture_names().flatten().map(String::from).filter(|n| !out.contains(n)).collect::<Vec<_>>());
                }
            }
        }
    }
    let expr = atc_router::parser::parse(expression).ok()?;
    let mut names = Vec::new();
    walk(&expr, &mut names);
    Some(names)
}

/// Kong's HTTP schema, built once (atc-router 1.7.1's `Router` borrows its schema).
fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(http_schema)
}

fn hit(matcher: usize, m: AtcMatch) -> Hit {
    let matched_path = match m.matches.get("http.path") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    Hit { matcher, matched_path, captures: m.captures.into_iter().collect() }
}

#[cfg(test)]
mod capture_name_tests {
    use super::capture_names;

    #[test]
    fn named_groups_of_every_regex_condition() {
        let e = r#"http.path ~ "^/openai/deployments/(?<azure_deployment>[^/]+)/chat$" && (http.headers.x_tenant ~ "(?<tenant>[a-z]+)" || http.method == "GET")"#;
        assert_eq!(capture_names(e), Some(vec!["azure_deployment".to_string(), "tenant".to_string()]));
        assert_eq!(capture_names(r#"http.path ^= "/a""#), Some(vec![]));
        assert_eq!(capture_names("http.path =="), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(n: u128, priority: u64, expression: &str) -> MatcherSpec {
        MatcherSpec { uuid: Uuid::from_u128(n), priority, expression: expression.to_string() }
    }

    fn get(target: &str, headers: &[(&str, &str)]) -> Request {
        Request {
            method: "GET".into(),
            target: target.into(),
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            listener_port: 8000,
            ..Request::default()
        }
    }

    // atc-router src/router.rs: reverse (priority, uuid) order; equal priority -> greater UUID
    #[test]
    fn ties_go_to_the_greater_uuid() {
        let (e, errs) = Engine::build(&[spec(1, 5, r#"http.path ^= "/""#), spec(2, 5, r#"http.path ^= "/""#), spec(3, 4, r#"http.path ^= "/""#)]);
        assert!(errs.is_empty());
        let req = get("/x", &[]);
        assert_eq!(e.first(&req, &Connection::default()).unwrap().matcher, 1);
        assert_eq!(e.all(&req, &Connection::default()).iter().map(|h| h.matcher).collect::<Vec<_>>(), vec![1, 0, 2]);
    }

    fn key(expression: &str) -> Option<PathKey> {
        path_key(&atc_router::parser::parse(expression).unwrap())
    }

    #[test]
    fn path_keys_come_from_the_top_level_and_chain_only() {
        let pre = |s: &str| Some(PathKey::Prefix(s.to_string()));
        assert_eq!(key(r#"http.path ^= "/a""#), pre("/a"));
        assert_eq!(key(r#"http.path == "/a""#), Some(PathKey::Exact("/a".to_string())));
        assert_eq!(key(r#"http.method == "GET" && (http.host == "h" && http.path ^= "/b")"#), pre("/b"));
        assert_eq!(key(r#"http.path ~ "^/api/v1/(?<id>[^/]+)$""#), pre("/api/v1/"));
        // a quantified last char is not part of the literal, nor a case-insensitive letter
        assert_eq!(key(r#"http.path ~ "(?i)^/a""#), pre("/"));
        assert_eq!(key(r#"http.path ~ "^/ab*""#), pre("/a"));
        assert_eq!(key(r##"http.path ~ r#"\A/x"#"##), pre("/x"));
        for none in [
            r#"http.path ^= "/a" || http.method == "GET""#,
            r#"!(http.path ^= "/a")"#,
            r#"lower(http.path) ^= "/a""#,
            r#"any(http.path) ^= "/a""#,
            r#"http.path != "/a""#,
            r#"http.path =^ "/a""#,
            r#"http.path ~ "/a""#,
            r#"http.path ~ "^/a|/b""#,
            r#"http.path ~ "(?m)^/a""#,
            r#"http.path ~ "^(/a)""#,
            r#"http.path.segments.0 == "a""#,
            r#"http.method == "GET""#,
        ] {
            assert_eq!(key(none), None, "{none}");
        }
    }

    // the prefilter only drops matchers that cannot hold; order and results are the scan's
    #[test]
    fn prefilter_skips_only_matchers_that_cannot_hold() {
        let (e, errs) = Engine::build(&[
            spec(1, 1, r#"http.path ^= "/a/""#),
            spec(2, 2, r#"http.path == "/a/b""#),
            spec(3, 0, r#"http.method == "GET""#),
            spec(4, 3, r##"http.path ~ r#"^/a/(?<x>\w+)$"#"##),
            spec(5, 0, r#"http.path ^= "/é""#),
        ]);
        assert!(errs.is_empty());
        assert_eq!(e.unindexed_count(), (1, 5));
        let c = Connection::default();
        for target in ["/a/b", "/a/", "/a", "/", "/é/x", "/a/b/c"] {
            let req = get(target, &[]);
            assert_eq!(e.hits(&req, &c).collect::<Vec<_>>(), e.hits_unindexed(&req, &c).collect::<Vec<_>>(), "{target}");
            assert_eq!(e.first(&req, &c), e.first_atc(&req, &c), "{target}");
        }
        let order = |t: &str| e.all(&get(t, &[]), &c).iter().map(|h| h.matcher).collect::<Vec<_>>();
        assert_eq!(order("/a/b"), vec![3, 1, 0, 2]);
        assert_eq!(order("/é/x"), vec![4, 2]);
    }

    #[test]
    fn errors_carry_atc_router_messages() {
        let (_, errs) = Engine::build(&[
            spec(1, 0, r#"http.path ~ "^/(?=a)""#),
            spec(2, 0, r#"http.paths == "/""#),
            spec(3, 0, r#"http.path == 1"#),
        ]);
        assert_eq!(errs.len(), 3);
        assert!(errs[0].1.contains("look-around"), "{}", errs[0].1);
        assert_eq!(errs[1].1, "Unknown LHS field");
        assert_eq!(errs[2].1, "Type mismatch between the LHS and RHS values of predicate");
        assert_eq!(fields_of(r#"http.path.segments.0 == "a" && net.dst.port > 1"#).unwrap(), vec!["http.path.segments.0", "net.dst.port"]);
    }

    // atc-router src/interpreter.rs: every `~` predicate that holds writes its groups into
    // the one `Match::captures` map, so a header regex evaluated after the path regex
    // replaces "0" (and same-numbered groups).
    #[test]
    fn one_capture_map_per_expression() {
        let (e, _) = Engine::build(&[spec(1, 0, r##"(http.path ~ r#"^/(?P<a>\w+)/(\d+)"#) && (any(lower(http.headers.x)) ~ r#"v(\d)"#)"##)]);
        let h = e.first(&get("/ab/12", &[("X", "V7")]), &Connection::default()).unwrap();
        let want: HashMap<String, String> =
            [("0", "v7"), ("1", "7"), ("2", "12"), ("a", "ab")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(h.captures, want);
        assert_eq!(h.matched_path.as_deref(), Some("/ab/12"));
    }
}
