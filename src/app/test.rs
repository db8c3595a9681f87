//! `gateway test`: run a route test table against configs.

use super::inputs::{formula, prepare, Judge};
use super::{Context, Outcome};
use crate::cli::{TestArgs, TestOutput};
use crate::exit::Exit;
use super::inputs::{is_stdin, CliFiles};
use crate::load::Files;
use crate::output::json;
use crate::route_tests::{self, report, report::Sink};
use crate::simulate::Simulator;
use crate::yaml::{self, Origin};
use anyhow::anyhow;
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
    let flavor = match route_tests::flavor(&table) {
        Ok(f) => args.checks.flavor(f),
        Err(e) => return fail(vec![(e.message, e.loc.line, e.loc.column)]),
    };
    let prepared = match prepare(&configs, ctx, &Judge::offline(&super::inputs::declared_schemas(&args.checks.plugin_schemas)?, flavor)) {
        Ok(p) => p,
        Err(outcome) => return Ok(outcome),
    };
    let sim = Simulator::with_flavor(&prepared.loaded.config, formula(args.priority), flavor).map_err(|e| anyhow!(e))?;
    // results go to standard output as the cases run (the table was checked above)
    let stdout = std::io::stdout().lock();
    let mut sink: Box<dyn Sink> = match args.output {
        TestOutput::Json => Box::new(report::JsonDoc::new(stdout, &name)?),
        TestOutput::Junit => Box::new(report::Junit::new(stdout, &name)?),
        TestOutput::Text => Box::new(report::Text::new(stdout)),
    };
    // a closed pipe (`gateway test ... | head`) stops the output, not the run or its verdict
    let mut writing = true;
    let summary = route_tests::run(&sim, cases, |r| writing = writing && sink.case(r).is_ok());
    let coverage = report::Coverage { show: args.coverage, fail_under: args.fail_under };
    if writing {
        let _ = sink.finish(&summary, &coverage);
    }
    let code = Some(if summary.failed == 0 && coverage.ok(&summary) { Exit::Success } else { Exit::Failure });
    // the config's lint findings do not fail the run; they are said on standard error
    let stderr = crate::output::mask_text(&super::inputs::warnings_text(&prepared.lint), &prepared.secrets);
    Ok(Outcome { stderr, code, streamed: true, ..Default::default() })
}
