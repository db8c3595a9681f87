//! `gateway diff`: the plan, without writing anything.

use super::{connect, Context, Outcome};
use crate::cli::{DiffArgs, Output};
use crate::exit::Exit;
use crate::plan::{self, Action, Plan};
use colored::Colorize;
use std::fmt::Write;

pub fn run(args: &DiffArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let planned = match connect::plan(&args.target, &args.conn, ctx, connect::Mode::Sync)? {
        Ok(p) => p,
        Err(o) => return Ok(o),
    };
    let code = if args.exit_code && !planned.plan.is_empty() { Exit::Changes } else { Exit::Success };
    let stdout = match args.output {
        Output::Json => serde_json::to_string_pretty(&plan::to_json(&planned.plan, &[]))? + "\n",
        Output::Text => text(&planned.plan, ctx.color_out),
    };
    Ok(Outcome { stdout: crate::output::mask_text(&stdout, &planned.secrets), stderr: planned.notes_text(), code: Some(code), ..Default::default() })
}

fn value(v: &Option<serde_json::Value>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_else(|| "(unset)".into())
}

/// The plan for people: one line per change, then its fields.
pub fn text(plan: &Plan, color: bool) -> String {
    let mut out = String::new();
    for c in &plan.changes {
        let (sign, word) = match c.action {
            Action::Create => ("+", "create"),
            Action::Update => ("~", "update"),
            Action::Delete => ("-", "delete"),
        };
        let head = format!("{sign} {word} {}", c.name);
        let head = if !color {
            head
        } else {
            match c.action {
                Action::Create => head.green().to_string(),
                Action::Update => head.yellow().to_string(),
                Action::Delete => head.red().to_string(),
            }
        };
        let _ = writeln!(out, "{head}");
        for (path, f) in &c.fields {
            match c.action {
                Action::Create => {
                    let _ = writeln!(out, "    {path}: {}", value(&f.new));
                }
                _ => {
                    let _ = writeln!(out, "    {path}: {} -> {}", value(&f.old), value(&f.new));
                }
            }
        }
    }
    let s = plan.summary();
    if plan.is_empty() {
        out.push_str("no changes: the gateway matches the config\n");
    } else {
        let _ = writeln!(out, "{} to create, {} to update, {} to delete", s.create, s.update, s.delete);
    }
    out
}
