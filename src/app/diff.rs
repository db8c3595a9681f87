//! `gateway diff`: the plan, without writing anything.

use super::{connect, Context, Outcome};
use crate::cli::{DiffArgs, Output};
use crate::exit::Exit;
use crate::plan::{self, Action, Plan};
use colored::Colorize;
use serde_json::Value as Json;
use similar::{ChangeTag, TextDiff};
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

/// Both sides of a field change as text, when they are strings (or unset) and either spans
/// lines (a PEM, Lua code, a prompt). A masked secret is one line, so never diffed line by line.
fn multi_line<'a>(old: &'a Option<Json>, new: &'a Option<Json>) -> Option<(&'a str, &'a str)> {
    let text = |v: &'a Option<Json>| match v {
        None => Some(""),
        Some(Json::String(s)) => Some(s.as_str()),
        Some(_) => None,
    };
    let (o, n) = (text(old)?, text(new)?);
    (o.contains('\n') || n.contains('\n')).then_some((o, n))
}

/// A unified line diff (3 lines of context), indented under its field.
fn line_diff(out: &mut String, old: &str, new: &str, color: bool) {
    let diff = TextDiff::from_lines(old, new);
    let endings_differ = old.ends_with('\n') != new.ends_with('\n');
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        let _ = writeln!(out, "      {}", hunk.header());
        for change in hunk.iter_changes() {
            let sign = match change.tag() {
                ChangeTag::Equal => " ",
                ChangeTag::Delete => "-",
                ChangeTag::Insert => "+",
            };
            let line = format!("{sign}{}", change.value().trim_end_matches(['\n', '\r']));
            let line = match (color, change.tag()) {
                (true, ChangeTag::Delete) => line.red().to_string(),
                (true, ChangeTag::Insert) => line.green().to_string(),
                _ => line,
            };
            let _ = writeln!(out, "      {line}");
            if endings_differ && change.missing_newline() {
                let _ = writeln!(out, "      \\ No newline at end of file");
            }
        }
    }
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
            if let Some((old, new)) = multi_line(&f.old, &f.new) {
                let _ = writeln!(out, "    {path}:");
                line_diff(&mut out, old, new, color);
                continue;
            }
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
