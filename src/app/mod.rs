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

use crate::cli::{Cli, Color, Command};
use crate::env::Env;
use crate::exit::Exit;
use clap::{CommandFactory, Parser};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// What a command produced: text for stdout and stderr, and the exit code. Commands
/// build their whole output first, so nothing partial is written.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<Exit>,
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
    let outcome = match run(cli.command, &ctx) {
        Ok(o) => o,
        Err(e) => Outcome { stderr: format!("error: {e:#}\n"), code: Some(Exit::Failure), ..Default::default() },
    };
    // A closed pipe (`gateway ... | head`) is not an error worth reporting.
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    outcome.exit().into()
}

pub fn run(command: Command, ctx: &Context) -> anyhow::Result<Outcome> {
    match command {
        Command::Render(args) => render::run(&args, ctx),
        Command::Validate(args) => validate::run(&args, ctx),
        Command::Simulate(args) => simulate::run(&args, ctx),
        Command::Test(args) => test::run(&args, ctx),
        Command::Ping(args) => ping::run(&args),
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
