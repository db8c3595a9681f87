//! The forms of a `gateway test` run, written as results arrive: text lines go out as each
//! case finishes; the JSON and JUnit documents open with totals, so their per-case parts are
//! spooled to an unnamed temporary file and copied out after the header. Memory stays flat
//! in the number of cases either way.

use super::{CaseResult, Summary};
use crate::output::json;
use serde_json::{Map, Value as Json};
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::time::{Duration, Instant};

/// How often streamed text is flushed at least (rows are buffered in between).
const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// Where the results of a run go.
pub trait Sink {
    /// One finished case.
    fn case(&mut self, r: &CaseResult) -> io::Result<()>;
    /// The end of the run: totals, coverage, and the closing of any document.
    fn finish(&mut self, summary: &Summary, coverage: &Coverage) -> io::Result<()>;
}

/// What the run was asked about coverage, and whether it passed `--fail-under`.
#[derive(Clone, Debug)]
pub struct Coverage {
    /// `--coverage` (or `--fail-under`): list coverage in the text form.
    pub show: bool,
    pub fail_under: Option<f64>,
}

impl Coverage {
    pub fn ok(&self, summary: &Summary) -> bool {
        self.fail_under.is_none_or(|min| summary.coverage_percent >= min)
    }

    fn message(&self, summary: &Summary) -> String {
        format!("route coverage {:.1}% is below --fail-under {}", summary.coverage_percent, self.fail_under.unwrap_or(0.0))
    }
}

/// `ok`/`FAIL` lines as cases finish, then coverage and totals.
pub struct Text<W: Write> {
    out: BufWriter<W>,
    flushed: Instant,
}

impl<W: Write> Text<W> {
    pub fn new(out: W) -> Text<W> {
        Text { out: BufWriter::new(out), flushed: Instant::now() }
    }
}

impl<W: Write> Sink for Text<W> {
    fn case(&mut self, r: &CaseResult) -> io::Result<()> {
        writeln!(self.out, "{} {} (line {})", if r.passed { "ok  " } else { "FAIL" }, r.name, r.line)?;
        for f in &r.failures {
            writeln!(self.out, "       {f}")?;
        }
        if self.flushed.elapsed() >= FLUSH_EVERY {
            self.out.flush()?;
            self.flushed = Instant::now();
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary, coverage: &Coverage) -> io::Result<()> {
        if coverage.show || coverage.fail_under.is_some() {
            writeln!(self.out, "route coverage: {}/{} ({:.1}%)", summary.routes_covered, summary.routes_total, summary.coverage_percent)?;
            for r in &summary.uncovered_routes {
                writeln!(self.out, "  not covered: {r}")?;
            }
        }
        writeln!(self.out, "{} passed, {} failed", summary.passed, summary.failed)?;
        if !coverage.ok(summary) {
            writeln!(self.out, "error: {}", coverage.message(summary))?;
        }
        self.out.flush()
    }
}

/// A spool: an unnamed temporary file holding the comma-separated items of a JSON array, or
/// XML elements, until the document's header can be written.
struct Spool {
    file: BufWriter<File>,
    items: usize,
}

impl Spool {
    fn new() -> io::Result<Spool> {
        Ok(Spool { file: BufWriter::new(tempfile::tempfile()?), items: 0 })
    }

    /// Appends one pretty-printed JSON value as an element of an array nested one level
    /// inside the document (serde_json's pretty layout).
    fn json_item(&mut self, value: &Json) -> io::Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
        if self.items > 0 {
            self.file.write_all(b",\n")?;
        }
        self.file.write_all(b"    ")?;
        self.file.write_all(text.replace('\n', "\n    ").as_bytes())?;
        self.items += 1;
        Ok(())
    }

    /// Copies the spooled bytes to `out`.
    fn copy_to(self, out: &mut dyn Write) -> io::Result<()> {
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        io::copy(&mut file, out)?;
        Ok(())
    }

    /// The spooled items as a JSON array in serde_json's pretty layout, one level deep.
    fn json_array_to(self, out: &mut dyn Write) -> io::Result<()> {
        if self.items == 0 {
            return out.write_all(b"[]");
        }
        out.write_all(b"[\n")?;
        self.copy_to(out)?;
        out.write_all(b"\n  ]")
    }
}

/// The JSON document: totals, `results`, coverage and `errors` (failing cases, coverage
/// below `--fail-under`), laid out as `serde_json::to_string_pretty` lays it out.
pub struct JsonDoc<W: Write> {
    out: W,
    table: String,
    results: Spool,
    errors: Spool,
}

impl<W: Write> JsonDoc<W> {
    /// `table`: the test table's name, the `file` of each error.
    pub fn new(out: W, table: &str) -> io::Result<JsonDoc<W>> {
        Ok(JsonDoc { out, table: table.to_string(), results: Spool::new()?, errors: Spool::new()? })
    }
}

/// Stands for a spooled array in the document's skeleton.
const RESULTS: &str = "@@gateway-test-results@@";
const ERRORS: &str = "@@gateway-test-errors@@";

impl<W: Write> Sink for JsonDoc<W> {
    fn case(&mut self, r: &CaseResult) -> io::Result<()> {
        self.results.json_item(&serde_json::to_value(r).map_err(io::Error::other)?)?;
        if !r.passed {
            let message = format!("{}: {}", r.name, r.failures.join("; "));
            self.errors.json_item(&json::error(&message, Some(&self.table), Some(r.line), None))?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary, coverage: &Coverage) -> io::Result<()> {
        if !coverage.ok(summary) {
            self.errors.json_item(&json::error(&coverage.message(summary), None, None, None))?;
        }
        let mut doc = Map::new();
        doc.insert("passed".into(), summary.passed.into());
        doc.insert("failed".into(), summary.failed.into());
        doc.insert("results".into(), RESULTS.into());
        doc.insert("routes_total".into(), summary.routes_total.into());
        doc.insert("routes_covered".into(), summary.routes_covered.into());
        doc.insert("uncovered_routes".into(), summary.uncovered_routes.clone().into());
        doc.insert("coverage_percent".into(), summary.coverage_percent.into());
        doc.insert("errors".into(), ERRORS.into());
        let skeleton = serde_json::to_string_pretty(&Json::Object(doc)).map_err(io::Error::other)? + "\n";
        let (head, rest) = skeleton.split_once(&format!("\"{RESULTS}\"")).expect("placeholder in skeleton");
        let (middle, tail) = rest.split_once(&format!("\"{ERRORS}\"")).expect("placeholder in skeleton");
        self.out.write_all(head.as_bytes())?;
        std::mem::replace(&mut self.results, Spool::new()?).json_array_to(&mut self.out)?;
        self.out.write_all(middle.as_bytes())?;
        std::mem::replace(&mut self.errors, Spool::new()?).json_array_to(&mut self.out)?;
        self.out.write_all(tail.as_bytes())?;
        self.out.flush()
    }
}

/// JUnit XML: one suite, one testcase per case.
pub struct Junit<W: Write> {
    out: W,
    suite: String,
    cases: Spool,
}

impl<W: Write> Junit<W> {
    /// `suite`: the test table's name.
    pub fn new(out: W, suite: &str) -> io::Result<Junit<W>> {
        Ok(Junit { out, suite: suite.to_string(), cases: Spool::new()? })
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl<W: Write> Sink for Junit<W> {
    fn case(&mut self, r: &CaseResult) -> io::Result<()> {
        let f = &mut self.cases.file;
        write!(f, "    <testcase classname=\"{}\" name=\"{}\">", esc(&self.suite), esc(&r.name))?;
        if !r.passed {
            write!(f, "\n      <failure message=\"{}\">{}</failure>\n    ", esc(&r.failures.join("; ")), esc(&r.failures.join("\n")))?;
        }
        f.write_all(b"</testcase>\n")?;
        self.cases.items += 1;
        Ok(())
    }

    fn finish(&mut self, summary: &Summary, _: &Coverage) -> io::Result<()> {
        let (total, failed) = (summary.passed + summary.failed, summary.failed);
        write!(
            self.out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"{total}\" failures=\"{failed}\">\n  <testsuite name=\"{}\" tests=\"{total}\" failures=\"{failed}\">\n",
            esc(&self.suite),
        )?;
        std::mem::replace(&mut self.cases, Spool::new()?).copy_to(&mut self.out)?;
        self.out.write_all(b"  </testsuite>\n</testsuites>\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results() -> Vec<CaseResult> {
        vec![
            CaseResult { name: "a <1>".into(), line: 3, passed: true, failures: vec![], route: Some("r".into()), status: 200 },
            CaseResult { name: "b".into(), line: 7, passed: false, failures: vec!["route: expected x, got y".into(), "status: expected 200, got 404".into()], route: None, status: 404 },
        ]
    }

    fn summary(results: &[CaseResult]) -> Summary {
        let passed = results.iter().filter(|r| r.passed).count();
        Summary { passed, failed: results.len() - passed, routes_total: 2, routes_covered: 1, uncovered_routes: vec!["r2".into()], coverage_percent: 50.0 }
    }

    fn render(sink: &mut dyn Sink, results: &[CaseResult], coverage: &Coverage) {
        for r in results {
            sink.case(r).unwrap();
        }
        sink.finish(&summary(results), coverage).unwrap();
    }

    /// The document built whole, as `gateway test --output json` did before streaming.
    fn json_whole(results: &[CaseResult], coverage: &Coverage) -> String {
        let s = summary(results);
        let mut errors: Vec<Json> = results
            .iter()
            .filter(|r| !r.passed)
            .map(|r| json::error(&format!("{}: {}", r.name, r.failures.join("; ")), Some("t.yaml"), Some(r.line), None))
            .collect();
        if !coverage.ok(&s) {
            errors.push(json::error(&coverage.message(&s), None, None, None));
        }
        let doc = serde_json::json!({
            "passed": s.passed, "failed": s.failed, "results": results, "routes_total": s.routes_total,
            "routes_covered": s.routes_covered, "uncovered_routes": s.uncovered_routes,
            "coverage_percent": s.coverage_percent, "errors": errors,
        });
        serde_json::to_string_pretty(&doc).unwrap() + "\n"
    }

    #[test]
    fn streamed_json_is_the_whole_document() {
        for (n, fail_under) in [(0, None), (1, None), (2, None), (2, Some(90.0)), (0, Some(90.0))] {
            let results = &results()[..n];
            let coverage = Coverage { show: false, fail_under };
            let mut out = Vec::new();
            render(&mut JsonDoc::new(&mut out, "t.yaml").unwrap(), results, &coverage);
            let got = String::from_utf8(out).unwrap();
            assert_eq!(got, json_whole(results, &coverage), "{n} results, --fail-under {fail_under:?}");
            serde_json::from_str::<Json>(&got).unwrap();
        }
    }

    #[test]
    fn streamed_junit_and_text() {
        let coverage = Coverage { show: true, fail_under: Some(90.0) };
        let mut out = Vec::new();
        render(&mut Junit::new(&mut out, "t.yaml").unwrap(), &results(), &coverage);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"2\" failures=\"1\">\n  <testsuite name=\"t.yaml\" tests=\"2\" failures=\"1\">\n    <testcase classname=\"t.yaml\" name=\"a &lt;1&gt;\"></testcase>\n    <testcase classname=\"t.yaml\" name=\"b\">\n      <failure message=\"route: expected x, got y; status: expected 200, got 404\">route: expected x, got y\nstatus: expected 200, got 404</failure>\n    </testcase>\n  </testsuite>\n</testsuites>\n"
        );
        let mut out = Vec::new();
        render(&mut Text::new(&mut out), &results(), &coverage);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ok   a <1> (line 3)\nFAIL b (line 7)\n       route: expected x, got y\n       status: expected 200, got 404\nroute coverage: 1/2 (50.0%)\n  not covered: r2\n1 passed, 1 failed\nerror: route coverage 50.0% is below --fail-under 90\n"
        );
    }
}
