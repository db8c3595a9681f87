//! `gateway test`: run a route test table against configs.

use super::inputs::{formula, prepare};
use super::{Context, Outcome};
use crate::cli::{TestArgs, TestOutput};
use crate::exit::Exit;
use super::inputs::CliFiles;
use crate::load::Files;
use crate::route_tests;
use crate::simulate::Simulator;
use crate::yaml::{self, Origin};
use anyhow::anyhow;
use std::fmt::Write;
use std::path::PathBuf;

pub fn run(args: &TestArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let name = CliFiles.name(&args.tests);
    let fail = |msg: String| Ok(Outcome { stderr: msg, code: Some(Exit::Failure), ..Default::default() });
    let bytes = match CliFiles.read(&args.tests) {
        Ok(b) => b,
        Err(e) => return fail(format!("error: cannot read {name}: {e}\n")),
    };
    let Ok(text) = String::from_utf8(bytes) else { return fail(format!("error: {name} is not valid UTF-8\n")) };
    let table = match yaml::parse(&text, Origin::default()) {
        Ok(Some(t)) if t.is_map() => t,
        Ok(_) => return fail(format!("error: {name}: expected a mapping with `tests:`\n")),
        Err(e) => return fail(format!("error: {name}:{}:{}: {}\n", e.loc.line, e.loc.column, e.message)),
    };
    let configs: Vec<PathBuf> = if args.configs.is_empty() {
        let base = args.tests.parent().map(PathBuf::from).unwrap_or_default();
        route_tests::configs(&table).into_iter().map(|c| base.join(c)).collect()
    } else {
        args.configs.clone()
    };
    if configs.is_empty() {
        return fail(format!("error: {name}: no config: give --config or a `config:` entry in the table\n"));
    }
    let cases = match route_tests::cases(&table) {
        Ok(c) => c,
        Err(errs) => {
            let mut s = String::new();
            for e in errs {
                let _ = writeln!(s, "error: {name}:{}:{}: {}", e.loc.line, e.loc.column, e.message);
            }
            return fail(s);
        }
    };
    let prepared = match prepare(&configs, ctx) {
        Ok(p) => p,
        Err(outcome) => return Ok(outcome),
    };
    let sim = Simulator::new(&prepared.loaded.config, formula(args.priority)).map_err(|e| anyhow!(e))?;
    let report = route_tests::run(&sim, &cases);
    let coverage_ok = args.fail_under.is_none_or(|min| report.coverage_percent >= min);
    let code = Some(if report.failed == 0 && coverage_ok { Exit::Success } else { Exit::Failure });
    let mut stdout = match args.output {
        TestOutput::Json => serde_json::to_string_pretty(&report)? + "\n",
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
    Ok(Outcome { stdout, code, ..Default::default() })
}
