//! Kong's route engine itself: atc-router (the crate Kong links, 1.7.1 = Kong's
//! `.requirements` pin) fed with (uuid, priority, expression) triples.
//!
//! Restates how `kong/router/atc.lua` uses it (`add_matcher` per route, `execute`, then
//! `get_result("http.path")`), and reads atc-router v1.7.1's `src/router.rs` for the
//! order: matchers sit in a `BTreeMap` keyed by `(priority, uuid)` and `execute` walks it
//! in reverse, so the highest priority is tried first and equal priorities go by the
//! greater UUID; the first expression that holds wins. [`Engine::first`] asks atc-router's
//! own `Router`; [`Engine::all`] evaluates every expression with atc-router's interpreter
//! (`src/interpreter.rs`) in that same order (the `Router` offers no "all matches").

use super::context::{self, Connection};
use super::schema::http_schema;
use crate::router::Request;
use atc_router::ast::{Expression, Value};
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
        (Engine { router, ordered, by_uuid }, errors)
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

    /// The winner, from atc-router's `Router::execute`. `None` also when the request
    /// path is not UTF-8 or a value is refused (Kong's router errors: 404).
    pub fn first(&self, req: &Request, conn: &Connection) -> Option<Hit> {
        let path = req.match_path()?;
        let mut ctx = self.context(req, &path, conn)?;
        if !self.router.execute(&mut ctx) {
            return None;
        }
        let m = ctx.result.take()?;
        Some(hit(self.by_uuid[&m.uuid], m))
    }

    /// The matchers whose expression holds, in the order atc-router tries them, lazily: the
    /// scan stops where the caller stops reading.
    pub fn hits<'s>(&'s self, req: &Request, conn: &Connection) -> impl Iterator<Item = Hit> + 's {
        let ctx = req.match_path().and_then(|path| self.context(req, &path, conn));
        let mut ctx = ctx;
        self.ordered.iter().filter_map(move |(i, expr)| {
            let ctx = ctx.as_mut()?;
            let mut m = AtcMatch::new();
            expr.execute(ctx, &mut m).then(|| hit(*i, m))
        })
    }

    /// Every matcher whose expression holds, in the order atc-router tries them.
    pub fn all(&self, req: &Request, conn: &Connection) -> Vec<Hit> {
        let Some(path) = req.match_path() else { return Vec::new() };
        let Some(mut ctx) = self.context(req, &path, conn) else { return Vec::new() };
        self.ordered
            .iter()
            .filter_map(|(i, expr)| {
                let mut m = AtcMatch::new();
                expr.execute(&mut ctx, &mut m).then(|| hit(*i, m))
            })
            .collect()
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
