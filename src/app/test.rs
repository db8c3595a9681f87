//! `gateway test`: run a route test table against configs.

use super::inputs::{formula, prepare, Judge};
use super::{Context, Outcome};
use crate::cli::{TestArgs, TestOutput};
use crate::exit::Exit;
use super::inputs::{is_stdin, CliFiles};
use crate::load::Files;
use crate::output::json;
use crate::route_tests;
use crate::simulate::Simulator;
use crate::yaml::{self, Origin};
use anyhow::anyhow;
use std::fmt::Write;
use std::path::PathBuf;

pub fn run(args: &TestArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let name = CliFiles.name(&args.tests);
    // each error: message, and where in the table (line 0: the file as a whole)
    let fail = |errors: Vec<(String, u32, u32)>| {
        let stderr = errors
            .iter()
            .map(|(m, line, column)| if *line == 0 { format!("error: {name}: {m}\n") } else { format!("error: {name}:{line}:{column}: {m}\n") })
            .collect();
        let errors = errors.iter().map(|(m, line, column)| json::error(m, Some(&name), Some(*line), Some(*column))).collect();
        Ok(Outcome { stderr, errors, code: Some(Exit::Failure), ..Default::default() })
    };
    let one = |m: String| fail(vec![(m, 0, 0)]);
    if is_stdin(&args.tests) && args.configs.iter().any(|c| is_stdin(c)) {
        return one("the test table and a --config cannot both be `-` (standard input)".into());
    }
    let bytes = match CliFiles.read(&args.tests) {
        Ok(b) => b,
        Err(e) => return one(format!("cannot read the file: {e}")),
    };
    let Ok(text) = String::from_utf8(bytes) else { return one("the file is not valid UTF-8".into()) };
    let table = match yaml::parse(&text, Origin::default()) {
        Ok(Some(t)) if t.is_map() => t,
        Ok(_) => return one("expected a mapping with `tests:`".into()),
        Err(e) => return fail(vec![(e.message, e.loc.line, e.loc.column)]),
    };
    let configs: Vec<PathBuf> = if args.configs.is_empty() {
        let base = args.tests.parent().map(PathBuf::from).unwrap_or_default();
        route_tests::configs(&table).into_iter().map(|c| base.join(c)).collect()
    } else {
        args.configs.clone()
    };
    if configs.is_empty() {
        return one("no config: give --config or a `config:` entry in the table".into());
    }
    let cases = match route_tests::cases(&table) {
        Ok(c) => c,
        Err(errs) => return fail(errs.into_iter().map(|e| (e.message, e.loc.line, e.loc.column)).collect()),
    };
    let prepared = match prepare(&configs, ctx, &Judge::offline(&super::inputs::declared_schemas(&args.checks.plugin_schemas)?, &args.checks)) {
        Ok(p) => p,
        Err(outcome) => return Ok(outcome),
    };
    let sim = Simulator::new(&prepared.loaded.config, formula(args.priority)).map_err(|e| anyhow!(e))?;
    let report = route_tests::run(&sim, &cases);
    let coverage_ok = args.fail_under.is_none_or(|min| report.coverage_percent >= min);
    let code = Some(if report.failed == 0 && coverage_ok { Exit::Success } else { Exit::Failure });
    let mut stdout = match args.output {
        TestOutput::Json => {
            // every failing case, and coverage below --fail-under, is also an error
            let mut errors: Vec<serde_json::Value> = report
                .results
                .iter()
                .filter(|r| !r.passed)
                .map(|r| json::error(&format!("{}: {}", r.name, r.failures.join("; ")), Some(&name), Some(r.line), None))
                .collect();
            if !coverage_ok {
                let message = format!("route coverage {:.1}% is below --fail-under {}", report.coverage_percent, args.fail_under.unwrap_or(0.0));
                errors.push(json::error(&message, None, None, None));
            }
            let mut doc = serde_json::to_value(&report)?;
            doc["errors"] = errors.into();
            serde_json::to_string_pretty(&doc)? + "\n"
        }
        TestOutput::Junit => route_tests::junit(&report, &name),
        TestOutput::Text => {
            let mut s = String::new();
            for r in &report.results {
                let _ = writeln!(s, "{} {} (line {})", if r.passed { "ok  " } else { "FAIL" }, r.name, r.line);
                for f in &r.failures {
                    let _ = writeln!(s, "       {f}");
                }
            }
            if args.coverage || args.fail_under.is_some() {
                let _ = writeln!(s, "route coverage: {}/{} ({:.1}%)", report.routes_covered, report.routes_total, report.coverage_percent);
                for r in &report.uncovered_routes {
                    let _ = writeln!(s, "  not covered: {r}");
                }
            }
            let _ = writeln!(s, "{} passed, {} failed", report.passed, report.failed);
            s
        }
    };
    if !coverage_ok && args.output == TestOutput::Text {
        let _ = writeln!(stdout, "error: route coverage {:.1}% is below --fail-under {}", report.coverage_percent, args.fail_under.unwrap_or(0.0));
    }
    // the config's lint findings do not fail the run; they are said on standard error
    let stderr = crate::output::mask_text(&super::inputs::warnings_text(&prepared.lint), &prepared.secrets);
    Ok(Outcome { stdout, stderr, code, ..Default::default() })
}
