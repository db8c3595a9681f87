//! The shell: parses arguments, reads files and the environment, calls the core, writes
//! output. The only place that touches the process environment, stdout and stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod connect;
mod diff;
mod dump;
mod explain;
mod inputs;
mod ping;
mod render;
mod serve;
mod simulate;
mod sync;
mod test;
mod validate;

use crate::cli::{Cli, Color, Command, Output, TestOutput};
use crate::env::Env;
use crate::exit::Exit;
use clap::{CommandFactory, Parser};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// What a command produced: text for stdout and stderr, and the exit code. Commands
/// build their whole output first, so nothing partial is written; `gateway test` alone
/// streams its results (see [`Outcome::streamed`]).
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<Exit>,
    /// For a failure without a document of its own: the errors as JSON objects
    /// (`output::json::finding` or `output::json::error`), which [`Report`] turns into the
    /// JSON or JUnit document under `--output json|junit`. Without them the `error:` lines
    /// of `stderr` are used.
    pub errors: Vec<serde_json::Value>,
    /// The command already wrote its standard output itself, as it went (`gateway test`):
    /// `stdout` is empty and no failure document is to be added.
    pub streamed: bool,
}

impl Outcome {
    pub fn exit(&self) -> Exit {
        self.code.unwrap_or(Exit::Success)
    }
}

/// Settings every command shares.
pub struct Context {
    pub env: Env,
    /// Colour for what goes to stderr (findings).
    pub color: bool,
    /// Colour for what goes to stdout (plans).
    pub color_out: bool,
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { Exit::Usage.into() } else { Exit::Success.into() };
        }
    };
    let env: Env = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    let no_color = env.get("NO_COLOR").is_some_and(|v| !v.is_empty());
    let wants = |terminal: bool| match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => terminal && !no_color,
    };
    let (color, color_out) = (wants(std::io::stderr().is_terminal()), wants(std::io::stdout().is_terminal()));
    colored::control::set_override(color || color_out);
    let ctx = Context { env, color, color_out };
    let report = Report::of(&cli.command);
    let outcome = match run(cli.command, &ctx) {
        Ok(o) => o,
        Err(e) => Outcome {
            stderr: format!("error: {e:#}\n"),
            errors: vec![crate::output::json::error(&format!("{e:#}"), None, None, None)],
            code: Some(Exit::Failure),
            ..Default::default()
        },
    };
    let outcome = report.failure_document(outcome);
    // A closed pipe (`gateway ... | head`) is not an error worth reporting.
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    outcome.exit().into()
}

/// What a command prints on stdout when it fails: nothing (text output; the message is on
/// stderr), or exactly one JSON or JUnit document that carries the errors.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Text,
    /// `{"errors": [...]}`; for validate its own document with `"valid": false`.
    Json { validate: bool },
    /// One testsuite (named after the test table) with one errored testcase.
    Junit { suite: String },
}

impl Report {
    pub fn of(command: &Command) -> Report {
        let json = |o: Output, validate| if o == Output::Json { Report::Json { validate } } else { Report::Text };
        match command {
            Command::Validate(a) => json(a.output, true),
            Command::Simulate(a) => json(a.output, false),
            Command::Test(a) => match a.output {
                TestOutput::Json => Report::Json { validate: false },
                TestOutput::Junit => Report::Junit { suite: crate::load::Files::name(&inputs::CliFiles, &a.tests) },
                TestOutput::Text => Report::Text,
            },
            Command::Ping(a) => json(a.output, false),
            Command::Diff(a) => json(a.output, false),
            Command::Sync(a) | Command::Apply(a) => json(a.write.output, false),
            Command::Reset(a) => json(a.write.output, false),
            // their stdout is the rendered or dumped config (`> kong.yaml`), also under
            // `--output json` (the config's format): errors stay on stderr
            Command::Render(_) | Command::Dump(_) => Report::Text,
            Command::Explain { .. } | Command::Completions { .. } => Report::Text,
        }
    }

    /// A failed outcome that wrote nothing on stdout gets the document carrying its errors.
    /// Success, `diff --exit-code` changes, `simulate`'s Kong answers and failures that
    /// already printed their document are left alone.
    pub fn failure_document(&self, mut outcome: Outcome) -> Outcome {
        if *self == Report::Text || outcome.exit() != Exit::Failure || outcome.streamed || !outcome.stdout.trim().is_empty() {
            return outcome;
        }
        let mut errors = std::mem::take(&mut outcome.errors);
        if errors.is_empty() {
            errors = stderr_errors(&outcome.stderr);
        }
        outcome.stdout = match self {
            Report::Text => unreachable!(),
            Report::Json { validate } => {
                let doc = crate::output::json::failure(errors, *validate);
                serde_json::to_string_pretty(&doc).unwrap_or_else(|_| doc.to_string()) + "\n"
            }
            Report::Junit { suite } => {
                let messages: Vec<String> = errors.iter().map(crate::output::json::error_line).collect();
                crate::route_tests::junit_error(suite, &messages)
            }
        };
        outcome
    }
}

/// The `error: ...` lines of a failure's stderr as errors (the whole text when it has none).
fn stderr_errors(stderr: &str) -> Vec<serde_json::Value> {
    let mut errors: Vec<serde_json::Value> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error: "))
        .map(|m| crate::output::json::error(m, None, None, None))
        .collect();
    if errors.is_empty() {
        let text = stderr.trim();
        errors.push(crate::output::json::error(if text.is_empty() { "failed" } else { text }, None, None, None));
    }
    errors
}

pub fn run(command: Command, ctx: &Context) -> anyhow::Result<Outcome> {
    match command {
        Command::Render(args) => render::run(&args, ctx),
        Command::Validate(args) => validate::run(&args, ctx),
        Command::Simulate(args) => simulate::run(&args, ctx),
        Command::Test(args) => test::run(&args, ctx),
        Command::Ping(args) if args.output == Output::Json => ping::json(&args.conn),
        Command::Ping(args) => ping::run(&args.conn),
        Command::Dump(args) => dump::run(&args),
        Command::Diff(args) => diff::run(&args, ctx),
        Command::Sync(args) => sync::run(&args, ctx, connect::Mode::Sync),
        Command::Apply(args) => sync::run(&args, ctx, connect::Mode::Apply),
        Command::Reset(args) => sync::reset(args, ctx),
        Command::Explain { rule } => explain::run(rule.as_deref()),
        Command::Completions { shell } => Ok(Outcome { stdout: completion_script(shell), ..Default::default() }),
    }
}

/// The completion script for `shell`, generated from the clap definition.
pub fn completion_script(shell: clap_complete::Shell) -> String {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "gateway", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}
