//! `gateway sync`, `apply` and `reset`: plan, confirm, write (admin/write.rs), report.
#![allow(clippy::print_stderr)]

use super::connect::{self, Mode};
use super::{diff, Context, Outcome};
use crate::admin::write::{self, Status};
use crate::cli::{Output, PlanArgs, ResetArgs, SyncArgs};
use crate::exit::Exit;
use crate::plan;
use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write};

/// `gateway reset`: a plan with nothing wanted, run like sync.
pub fn reset(args: ResetArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let sync = SyncArgs {
        conn: args.conn,
        write: args.write,
        target: PlanArgs { configs: Vec::new(), select_tags: args.select_tags, rbac_resources_only: args.rbac_resources_only, bundled_schemas: true, show_secrets: args.show_secrets },
    };
    run(&sync, ctx, Mode::Reset)
}

/// `sync`, `apply` and `reset`: plan, confirm, write (one request per change, or on a
/// DB-less gateway one `POST /config`), report.
pub fn run(args: &SyncArgs, ctx: &Context, mode: Mode) -> anyhow::Result<Outcome> {
    let planned = match connect::plan(&args.target, &args.conn, ctx, mode)? {
        Ok(p) => p,
        Err(o) => return Ok(o),
    };
    let mask = |t: &str| planned.mask(t);
    let plan_text = diff::text(&planned.plan, ctx.color_out);
    if args.write.dry_run || planned.plan.is_empty() {
        let stdout = match args.write.output {
            Output::Json => serde_json::to_string_pretty(&plan::to_json(&planned.plan, &[]))? + "\n",
            Output::Text => plan_text,
        };
        return Ok(Outcome { stdout: mask(&stdout), stderr: planned.notes_text(), ..Default::default() });
    }
    eprint!("{}", planned.notes_text());
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if interactive && !args.write.yes {
        eprint!("{}", mask(&plan_text));
        eprint!("Apply these {} changes to {}? [y/N] ", planned.plan.changes.len(), planned.client.addr());
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Ok(Outcome { stderr: "nothing applied\n".into(), code: Some(Exit::Failure), ..Default::default() });
        }
    } else if mode == Mode::Reset && !args.write.yes {
        let stderr = format!(
            "{}error: reset would delete {} entities from {} and cannot ask here (no terminal): pass --yes (or --force) to delete them; nothing was deleted\n",
            mask(&plan_text),
            planned.plan.changes.len(),
            planned.client.addr()
        );
        return Ok(Outcome { stderr, code: Some(Exit::Failure), ..Default::default() });
    }
    let terminal = std::io::stderr().is_terminal();
    let progress = |line: &str| {
        if terminal {
            eprint!("{line}");
        }
    };
    let written = if planned.info.dbless() {
        write::post_config(&planned.client, &planned.plan, &progress)
    } else {
        write::execute(&planned.plan, &planned.client, args.write.parallelism as usize, &progress)
    };
    let (results, errors, how) = (&written.results, &written.errors, &written.how);
    let failed = written.count(Status::Failed);
    let applied = written.count(Status::Applied);
    let skipped = results.len() - failed - applied;
    let stdout = match args.write.output {
        Output::Json => {
            let mut doc = plan::to_json(&planned.plan, &[]);
            doc["errors"] = errors
                .iter()
                .map(|e| crate::output::json::error(&e.message, e.at.map(|l| planned.sources.name(l.file)), e.at.map(|l| l.line), e.at.map(|l| l.column)))
                .collect();
            doc["results"] = serde_json::json!({ "applied": applied, "failed": failed, "not_attempted": skipped });
            if let Some(how) = &how {
                doc["results"]["dbless"] = serde_json::json!(how);
            }
            for (i, r) in results.iter().enumerate() {
                doc["changes"][i]["result"] = serde_json::to_value(&r.status)?;
            }
            serde_json::to_string_pretty(&doc)? + "\n"
        }
        Output::Text => {
            let mut s = plan_text;
            for e in errors {
                let _ = writeln!(s, "error: {}{}", planned.at(e.at), e.message);
            }
            let via = how.as_ref().map(|h| format!(" ({h})")).unwrap_or_default();
            let _ = writeln!(s, "applied {applied}, failed {failed}, not attempted {skipped}{via}");
            s
        }
    };
    let code = if failed == 0 && skipped == 0 { Exit::Success } else { Exit::Failure };
    Ok(Outcome { stdout: mask(&stdout), code: Some(code), ..Default::default() })
}

