//! Machine-readable findings. The validate document is
//! `{"valid", "errors": [...], "warnings": [...], "notes": [...]}`; each finding has
//! `rule`, `name`, `kind` (kong|lint|input), `message`, `file`, `line`, `column`, `entity`,
//! `field`, `hint`.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Sources;
use serde_json::{json, Value};

pub fn finding(d: &Diagnostic, sources: &Sources) -> Value {
    let (file, line, column) = match d.loc {
        Some(l) => (Value::from(sources.name(l.file)), Value::from(l.line), Value::from(l.column)),
        None => (Value::Null, Value::Null, Value::Null),
    };
    json!({
        "rule": d.rule.code,
        "name": d.rule.name,
        "kind": d.rule.origin,
        "message": d.message,
        "file": file,
        "line": line,
        "column": column,
        "entity": d.entity,
        "field": d.field,
        "hint": d.hint,
    })
}

pub fn validation(diags: &[Diagnostic], sources: &Sources, valid: bool) -> Value {
    let pick = |s: Severity| diags.iter().filter(|d| d.severity == s).map(|d| finding(d, sources)).collect::<Vec<_>>();
    json!({
        "valid": valid,
        "errors": pick(Severity::Error),
        "warnings": pick(Severity::Warning),
        "notes": pick(Severity::Note),
    })
}

/// An error that is not a finding (an unreachable gateway, an unreadable test table): the
/// finding keys, `null` where unknown, so every entry of an `errors` array has one shape.
pub fn error(message: &str, file: Option<&str>, line: Option<u32>, column: Option<u32>) -> Value {
    json!({
        "rule": null,
        "name": null,
        "kind": null,
        "message": message,
        "file": file,
        "line": line,
        "column": column,
        "entity": null,
        "field": null,
        "hint": null,
    })
}

/// The one document a command prints under `--output json` when it fails before it has a
/// result of its own: `{"errors": [...]}`; for validate, its usual document with
/// `"valid": false`.
pub fn failure(errors: Vec<Value>, validate: bool) -> Value {
    if validate {
        json!({ "valid": false, "errors": errors, "warnings": [], "notes": [] })
    } else {
        json!({ "errors": errors })
    }
}

/// `file:line:column: message` (as much of it as is known) for one error or finding.
pub fn error_line(e: &Value) -> String {
    let message = e.get("message").and_then(Value::as_str).unwrap_or("failed");
    let rule = e.get("rule").and_then(Value::as_str).map(|r| format!("[{r}] ")).unwrap_or_default();
    let mut at = e.get("file").and_then(Value::as_str).map(String::from).unwrap_or_default();
    for key in ["line", "column"] {
        match e.get(key).and_then(Value::as_u64) {
            Some(n) if n > 0 && !at.is_empty() => at.push_str(&format!(":{n}")),
            _ => break,
        }
    }
    if at.is_empty() {
        format!("{rule}{message}")
    } else {
        format!("{at}: {rule}{message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines() {
        assert_eq!(error_line(&error("boom", None, None, None)), "boom");
        assert_eq!(error_line(&error("boom", Some("k.yaml"), Some(3), Some(7))), "k.yaml:3:7: boom");
        assert_eq!(error_line(&error("boom", Some("k.yaml"), Some(0), Some(0))), "k.yaml: boom");
        let mut e = error("boom", Some("<stdin>"), Some(2), None);
        e["rule"] = "L001".into();
        assert_eq!(error_line(&e), "<stdin>:2: [L001] boom");
        assert_eq!(failure(vec![error("x", None, None, None)], true)["valid"], false);
        assert!(failure(vec![], false).get("valid").is_none());
    }
}
