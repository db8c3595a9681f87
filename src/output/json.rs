//! Machine-readable findings. The validate document is
//! `{"valid", "errors": [...], "warnings": [...], "notes": [...]}`; each finding has
//! `rule`, `name`, `kind` (kong|lint), `message`, `file`, `line`, `column`, `entity`,
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
