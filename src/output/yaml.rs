//! Writes a node tree as YAML that decK reads back unchanged.
//!
//! decK parses YAML 1.1 style, where `yes`, `on` and `y` are booleans, so any string that
//! would read back as something else is quoted. Multi-line strings become literal blocks.

use crate::node::{Node, Value};
use crate::yaml::resolve_plain;

pub fn to_string(node: &Node) -> String {
    let mut out = String::new();
    match &node.value {
        Value::Map(_) | Value::Seq(_) => block(node, 0, &mut out),
        _ => {
            out.push_str(&scalar(node, 0));
            out.push('\n');
        }
    }
    out
}

fn is_collection(n: &Node) -> bool {
    match &n.value {
        Value::Map(m) => !m.is_empty(),
        Value::Seq(s) => !s.is_empty(),
        _ => false,
    }
}

fn block(node: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                out.push_str(&pad);
                out.push_str(&key(&e.key));
                out.push(':');
                value_after(&e.value, indent, indent + 2, out);
            }
        }
        Value::Seq(items) => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                match &item.value {
                    _ if is_collection(item) => {
                        // first line on the dash line, the rest aligned under it
                        let mut inner = String::new();
                        block(item, indent + 2, &mut inner);
                        out.push(' ');
                        out.push_str(&inner[indent + 2..]);
                    }
                    _ => value_after(item, indent, indent + 2, out),
                }
            }
        }
        _ => {}
    }
}

/// Writes what follows `key:` or `-`: a scalar on the same line, or a nested block.
fn value_after(v: &Node, indent: usize, child_indent: usize, out: &mut String) {
    if is_collection(v) {
        out.push('\n');
        let nested = if matches!(v.value, Value::Seq(_)) { indent } else { child_indent };
        block(v, nested, out);
    } else {
        out.push(' ');
        out.push_str(&scalar(v, child_indent));
        out.push('\n');
    }
}

fn key(k: &str) -> String {
    if plain_ok(k) {
        k.to_string()
    } else {
        quote(k)
    }
}

fn scalar(n: &Node, indent: usize) -> String {
    match &n.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_nan() => ".nan".into(),
        Value::Float(f) if f.is_infinite() => if *f > 0.0 { ".inf".into() } else { "-.inf".into() },
        Value::Float(f) => {
            let s = f.to_string();
            if s.contains(['.', 'e', 'E']) { s } else { format!("{s}.0") }
        }
        Value::Str(s) if n.block && literal_ok(s) => literal(&format!("{}\n", s.trim_end_matches('\n')), indent, s.ends_with('\n')),
        Value::Str(s) => string(s, indent),
        Value::Map(_) => "{}".into(),
        Value::Seq(_) => "[]".into(),
    }
}

fn string(s: &str, indent: usize) -> String {
    if plain_ok(s) {
        return s.to_string();
    }
    if s.contains('\n') && literal_ok(s) {
        return literal(s, indent, true);
    }
    quote(s)
}

/// A literal block scalar; `keep_newline` false writes `|-` (no final newline).
fn literal(s: &str, indent: usize, keep_newline: bool) -> String {
    let body = s.strip_suffix('\n').unwrap_or(s);
    let chomp = if !keep_newline || !s.ends_with('\n') {
        "-"
    } else if s.ends_with("\n\n") {
        "+"
    } else {
        ""
    };
    let pad = " ".repeat(indent.max(2));
    let mut out = format!("|{chomp}");
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    if chomp == "+" {
        out.push('\n');
    }
    out
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.escape_default()))
}

fn literal_ok(s: &str) -> bool {
    !s.starts_with([' ', '\n'])
        && !s.contains(['\r', '\t'])
        && s.chars().all(|c| !c.is_control() || c == '\n')
        && s.lines().all(|l| l == l.trim_end())
}

fn plain_ok(s: &str) -> bool {
    if s.is_empty() || s != s.trim() || s.contains('\n') {
        return false;
    }
    if !matches!(resolve_plain(s), Value::Str(_)) {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) && !(first == '-' && s.len() > 1 && !s.starts_with("- ")) {
        return false;
    }
    if s.starts_with("- ") || s.starts_with("? ") || s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    !(s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.chars().any(|c| c.is_control()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse, Origin};

    fn roundtrip(text: &str) {
        let n = parse(text, Origin::default()).unwrap().unwrap();
        let out = to_string(&n);
        let back = parse(&out, Origin::default()).unwrap().unwrap();
        assert_eq!(n.to_json(false), back.to_json(false), "{out}");
    }

    #[test]
    fn strings_that_look_like_other_types_are_quoted() {
        let n = parse("a: ['yes', 'on', 'y', 'no', '1.0', '0x10', 'null', '~', 'true', '', ' x', 'a: b', '- x', '#c', '-x']\n", Origin::default())
            .unwrap()
            .unwrap();
        let out = to_string(&n);
        for q in ["\"yes\"", "\"on\"", "\"y\"", "\"no\"", "\"1.0\"", "\"0x10\"", "\"null\"", "\"~\"", "\"true\"", "\"\"", "\" x\"", "\"a: b\"", "\"- x\"", "\"#c\"", "- -x"] {
            assert!(out.contains(q), "{q} in {out}");
        }
    }

    #[test]
    fn round_trips() {
        roundtrip("_format_version: '3.0'\nservices:\n- name: s\n  port: 80\n  routes:\n  - name: r\n    paths: ['~/a/(?<x>[^/]+)$', /b]\n    headers: {x-a: [v]}\n  tags: []\n  x: {}\n  f: 1.5\n  n: null\n");
        roundtrip("cert: |\n  -----BEGIN-----\n  abc\n  -----END-----\nk: \"a\\nb\"\nz: \"trail \\n\"\nnested:\n- - 1\n  - 2\n- [3]\n");
        roundtrip("v: \"$(uri_captures.x)\"\nw: '${{ env \"DECK_X\" }}'\nq: \"it's\"\n");
    }
}
