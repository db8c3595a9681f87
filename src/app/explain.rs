//! `gateway explain`: print a rule's documentation, or the list of rules.

use super::Outcome;
use crate::diagnostic::Origin;
use crate::exit::Exit;
use crate::rules;
use std::fmt::Write;

pub fn run(rule: Option<&str>) -> anyhow::Result<Outcome> {
    let mut out = String::new();
    match rule {
        None => {
            for r in rules::ALL {
                let _ = writeln!(out, "{}  {:<32} {:?}/{}", r.code, r.name, r.severity, origin(r.origin));
            }
        }
        Some(key) => match rules::find(key) {
            Some(r) => {
                let _ = writeln!(out, "{} {}  ({}, default severity: {:?})\n", r.code, r.name, origin(r.origin), r.severity);
                let _ = writeln!(out, "{}", r.doc);
            }
            None => {
                return Ok(Outcome {
                    stderr: format!("error: no rule named `{key}` (run `gateway explain` for the list)\n"),
                    code: Some(Exit::Failure),
                    ..Default::default()
                })
            }
        },
    }
    Ok(Outcome { stdout: out, ..Default::default() })
}

fn origin(o: Origin) -> &'static str {
    match o {
        Origin::Kong => "kong",
        Origin::Lint => "lint",
        Origin::Input => "input",
    }
}
