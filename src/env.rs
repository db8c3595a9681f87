//! Environment values into config nodes: decK's `${{ env "DECK_X" }}` and the docs'
//! `${name}` variables.
//!
//! decK files get decK's own treatment, over the text before YAML parsing (see
//! [`crate::load::template`]). Here, substitution works on parsed string values: docs
//! variables, and `${{ env }}` inside docs pages' blocks. Every substituted node is marked
//! with the variable it came from (output masks those). The environment is an explicit
//! map: nothing here reads the process environment.

use crate::diagnostic::Diagnostic;
use crate::node::{Node, Value};
use crate::rules;
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A snapshot of environment variables.
pub type Env = BTreeMap<String, String>;

/// What to do with values that come from the environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvMode {
    /// Substitute values; an unset variable is an error.
    Resolve,
    /// Substitute values; an unset variable gets a stand-in (like decK's mock mode) and a warning.
    Mock,
    /// Leave decK references alone and turn docs variables into decK references.
    Placeholders,
}

/// A docs variable of one entity_examples block.
#[derive(Clone, Debug)]
pub struct DocsVar {
    pub name: String,
    /// The environment variable, without `$`.
    pub env: String,
    pub description: Option<String>,
    /// `literal_block: true`: the value is a multi-line blob (a JSON key) kept as a block scalar.
    pub literal_block: bool,
}

fn deck_template() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"\$\{\{\s*env\s+"([^"]*)"\s*(?:\|\s*(toBool|toInt|toFloat)\s*)?\}\}"#).expect("valid regex")
    })
}

fn docs_variable() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\$\{([A-Za-z0-9_-]+)\}").expect("valid regex"))
}

fn bare_env() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?:^|[^\w$])\$([A-Z][A-Z0-9_]*)\b").expect("valid regex"))
}

/// The decK spelling of a docs variable's environment variable: `$FOO` -> `DECK_FOO`.
pub fn deck_name(env: &str) -> String {
    format!("DECK_{env}")
}

/// Resolves `${{ ... }}` templates in every string of a parsed document (docs pages' blocks;
/// decK files are rendered over their text instead, see [`crate::load::template`]). The same
/// evaluator as decK's template step, so names, conversions and their errors are decK's; a
/// value that is one conversion (`${{ env "DECK_N" | toInt }}`) takes its type.
pub fn resolve_deck_templates(doc: &mut Node, env: &Env, mode: EnvMode, out: &mut Vec<Diagnostic>) {
    use crate::load::template;
    if mode == EnvMode::Placeholders {
        return;
    }
    doc.walk_strings_mut(&mut |node| {
        let Some(s) = node.as_str() else { return };
        if !s.contains("${{") {
            return;
        }
        let whole = deck_template().find(s).is_some_and(|m| m.start() == 0 && m.end() == s.len());
        let typed = if whole { deck_template().captures(s).and_then(|c| c.get(2)).map(|m| m.as_str().to_string()) } else { None };
        let (rendered, issues) = template::render(s, env, mode);
        let mut failed = false;
        for issue in issues {
            let d = issue.diagnostic();
            failed |= d.is_error();
            out.push(d.at(node.loc));
        }
        let Some(r) = rendered else { return };
        if failed {
            return;
        }
        let var = r.map.var_in(0, usize::MAX).map(String::from);
        let replaced = r.text;
        node.value = match typed.as_deref() {
            Some("toBool" | "toInt" | "toFloat") => crate::yaml::resolve_plain(replaced.trim()),
            _ => Value::Str(replaced),
        };
        if var.is_some() {
            node.env = var;
        }
    });
}

/// Substitutes a docs block's `${name}` variables in every string of `entities`, and warns
/// about references the block does not define and about bare `$NAME` text.
pub fn resolve_docs_variables(
    entities: &mut Node,
    vars: &[DocsVar],
    env: &Env,
    mode: EnvMode,
    out: &mut Vec<Diagnostic>,
    missing: &mut Vec<(DocsVar, crate::source::Loc)>,
) {
    entities.walk_strings_mut(&mut |node| {
        let Some(s) = node.as_str() else { return };
        if !s.contains('$') {
            return;
        }
        let loc = node.loc;
        for caps in bare_env().captures_iter(s) {
            out.push(
                Diagnostic::new(
                    &rules::BARE_ENV_REFERENCE,
                    format!("`${}` is not a docs variable: it stays literal in the config Kong receives", &caps[1]),
                )
                .at(loc)
                .hint("define it in the block's `variables:` and write `${name}`"),
            );
        }
        let mut from_env = None;
        let mut literal = false;
        let replaced = docs_variable()
            .replace_all(s, |caps: &regex::Captures| {
                let name = &caps[1];
                let Some(var) = vars.iter().find(|v| v.name == name) else {
                    out.push(
                        Diagnostic::new(
                            &rules::UNDEFINED_DOCS_VARIABLE,
                            format!("`${{{name}}}` is not defined in this block's variables; it stays literal"),
                        )
                        .at(loc)
                        .hint("add it under `variables:` with `value: $ENV_NAME`"),
                    );
                    return caps[0].to_string();
                };
                let deck = deck_name(&var.env);
                literal |= var.literal_block;
                if mode == EnvMode::Placeholders {
                    return format!("${{{{ env \"{deck}\" }}}}");
                }
                from_env = Some(var.env.clone());
                match env.get(&var.env).or_else(|| env.get(&deck)) {
                    Some(v) => v.clone(),
                    None => {
                        if !missing.iter().any(|(m, _)| m.env == var.env) {
                            missing.push((var.clone(), loc));
                        }
                        var.env.clone()
                    }
                }
            })
            .into_owned();
        if replaced != s {
            node.value = Value::Str(replaced);
            node.block = literal;
            if from_env.is_some() {
                node.env = from_env;
            }
        }
    });
}

/// Turns the unset docs variables of a run into diagnostics (one per variable).
pub fn missing_docs_vars(missing: &[(DocsVar, crate::source::Loc)], mode: EnvMode) -> Vec<Diagnostic> {
    missing
        .iter()
        .map(|(v, loc)| {
            let desc = v.description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
            let d = Diagnostic::new(
                &rules::UNSET_ENV_VARIABLE,
                format!("variable `{}` needs environment variable {} (or {}), which is not set{desc}", v.name, v.env, deck_name(&v.env)),
            )
            .at(*loc)
            .hint(format!("export {}=... (or {}=...), or render with --placeholders", v.env, deck_name(&v.env)));
            if mode == EnvMode::Mock {
                d.severity(crate::diagnostic::Severity::Warning)
            } else {
                d
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse, Origin};

    fn doc(s: &str) -> Node {
        parse(s, Origin::default()).unwrap().unwrap()
    }

    #[test]
    fn deck_templates_resolve_with_types() {
        let mut d = doc("host: ${{ env \"DECK_HOST\" }}\nport: ${{ env \"DECK_PORT\" | toInt }}\nurl: http://${{ env \"DECK_HOST\" }}:80\n");
        let env: Env = [("DECK_HOST".into(), "example.com".into()), ("DECK_PORT".into(), "8080".into())].into();
        let mut out = vec![];
        resolve_deck_templates(&mut d, &env, EnvMode::Resolve, &mut out);
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(d.get_str("host"), Some("example.com"));
        assert_eq!(d.get("port").unwrap().value, Value::Int(8080));
        assert_eq!(d.get_str("url"), Some("http://example.com:80"));
        assert_eq!(d.get("host").unwrap().env.as_deref(), Some("DECK_HOST"));
    }

    #[test]
    fn deck_templates_need_prefix_and_value() {
        let mut d = doc("a: ${{ env \"HOST\" }}\nb: ${{ env \"DECK_NOPE\" }}\n");
        let mut out = vec![];
        resolve_deck_templates(&mut d, &Env::new(), EnvMode::Resolve, &mut out);
        assert_eq!(out.len(), 2);
        assert!(out[0].message.contains("must be prefixed with 'DECK_', found: 'HOST'"));
        assert_eq!(out[1].message, "environment variable 'DECK_NOPE' present in state file but not set");
        let mut d = doc("a: ${{ env \"DECK_N\" | toInt }}\nb: ${{ env \"DECK_B\" | toBool }}\n");
        let env: Env = [("DECK_N".into(), "ten".into()), ("DECK_B".into(), "T".into())].into();
        let mut out = vec![];
        resolve_deck_templates(&mut d, &env, EnvMode::Resolve, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].message, "error calling toInt: strconv.Atoi: parsing \"ten\": invalid syntax");
        assert_eq!(d.get("b").unwrap().value, Value::Bool(true), "Go's ParseBool takes T");
    }

    #[test]
    fn docs_variables_substitute_embedded_and_keep_kong_templates() {
        let mut d = doc("a: ${key}\nb: http://${otel-host}:4318/v1\nc: $(uri_captures.x)\nd: ${other}\ne: '{vault://env/x}'\n");
        let vars = vec![
            DocsVar { name: "key".into(), env: "API_KEY".into(), description: None, literal_block: false },
            DocsVar { name: "otel-host".into(), env: "OTEL_HOST".into(), description: None, literal_block: false },
        ];
        let env: Env = [("API_KEY".into(), "s3cret".into()), ("DECK_OTEL_HOST".into(), "otel".into())].into();
        let (mut out, mut missing) = (vec![], vec![]);
        resolve_docs_variables(&mut d, &vars, &env, EnvMode::Resolve, &mut out, &mut missing);
        assert_eq!(d.get_str("a"), Some("s3cret"));
        assert_eq!(d.get_str("b"), Some("http://otel:4318/v1"));
        assert_eq!(d.get_str("c"), Some("$(uri_captures.x)"));
        assert_eq!(d.get_str("d"), Some("${other}"));
        assert_eq!(d.get_str("e"), Some("{vault://env/x}"));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].rule.code, "L008");
        assert!(missing.is_empty());
    }

    #[test]
    fn placeholders_emit_deck_references() {
        let mut d = doc("a: Bearer ${key}\n");
        let vars = vec![DocsVar { name: "key".into(), env: "API_KEY".into(), description: None, literal_block: false }];
        let (mut out, mut missing) = (vec![], vec![]);
        resolve_docs_variables(&mut d, &vars, &Env::new(), EnvMode::Placeholders, &mut out, &mut missing);
        assert_eq!(d.get_str("a"), Some("Bearer ${{ env \"DECK_API_KEY\" }}"));
        assert!(missing.is_empty());
    }

    #[test]
    fn bare_env_is_warned() {
        let mut d = doc("id: $CA_CERT_ID\n");
        let (mut out, mut missing) = (vec![], vec![]);
        resolve_docs_variables(&mut d, &[], &Env::new(), EnvMode::Resolve, &mut out, &mut missing);
        assert_eq!(out[0].rule.code, "L009");
    }
}
