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
    // The table's tests are read one at a time, twice: first to check them all (nothing
    // runs when one is wrong), then to run them; only the rest of the table is kept. A file
    // is streamed from disk both times; standard input is read into memory once.
    let source = if is_stdin(&args.tests) || !std::fs::metadata(&args.tests).is_ok_and(|m| m.is_file()) {
        match CliFiles.read(&args.tests) {
            Ok(b) => Table::Bytes(b),
            Err(e) => return one(format!("cannot read the file: {e}")),
        }
    } else {
        Table::File(args.tests.clone())
    };
    let reader = match source.open() {
        Ok(r) => r,
        Err(e) => return one(format!("cannot read the file: {e}")),
    };
    let mut errors: Vec<route_tests::TableError> = Vec::new();
    // a repeated `tests:` key: the last one is the table's (as a parsed tree keeps it)
    let mut occurrence = 0;
    let mut chars = yaml::Utf8Chars::new(reader);
    let parsed = yaml::parse_draining(&mut chars, Origin::default(), "tests", &mut |occ, i, t| {
        if occ != occurrence {
            occurrence = occ;
            errors.clear();
        }
        errors.extend(route_tests::check_test(&t, i));
    });
    match chars.error {
        Some(yaml::CharsError::InvalidUtf8) => return one("the file is not valid UTF-8".into()),
        Some(yaml::CharsError::Read(e)) => return one(format!("cannot read the file: {e}")),
        None => {}
    }
    let table = match parsed {
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
    if route_tests::tests_of(&table).is_none() {
        let e = route_tests::no_tests(&table);
        return fail(vec![(e.message, e.loc.line, e.loc.column)]);
    }
    if !errors.is_empty() {
        return fail(errors.into_iter().map(|e| (e.message, e.loc.line, e.loc.column)).collect());
    }
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
    let mut each = |r: &route_tests::CaseResult| writing = writing && sink.case(r).is_ok();
    let mut runner = route_tests::Runner::new(&sim);
    let defaults = table.get("defaults");
    let reader = source.open().map_err(|e| anyhow!("{name}: cannot read the file again: {e}"))?;
    yaml::parse_draining(yaml::Utf8Chars::new(reader), Origin::default(), "tests", &mut |occ, i, t| {
        if occ == occurrence {
            for c in route_tests::test_cases(defaults, &t, i) {
                runner.case(c, &mut each);
            }
        }
    })
    .map_err(|e| anyhow!("{name}: the table changed while the tests ran: {}", e.message))?;
    let summary = runner.finish();
    let coverage = report::Coverage { show: args.coverage, fail_under: args.fail_under };
    if writing {
        let _ = sink.finish(&summary, &coverage);
    }
    let code = Some(if summary.failed == 0 && coverage.ok(&summary) { Exit::Success } else { Exit::Failure });
    // the config's lint findings do not fail the run; they are said on standard error
    let stderr = crate::output::mask_text(&super::inputs::warnings_text(&prepared.lint), &prepared.secrets);
    Ok(Outcome { stderr, code, streamed: true, ..Default::default() })
}

/// Where the test table is read from.
enum Table {
    /// Standard input (or a path the file system cannot stream), read once.
    Bytes(Vec<u8>),
    File(PathBuf),
}

impl Table {
    fn open(&self) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        Ok(match self {
            Table::Bytes(b) => Box::new(&b[..]),
            Table::File(p) => Box::new(std::fs::File::open(p)?),
        })
    }
}
