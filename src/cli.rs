//! Command-line definition (clap). Doc comments here are the `--help` text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Check, render and simulate Kong Gateway declarative configs, offline.
///
/// INPUT files are decK files (YAML or JSON) or Kong docs pages (markdown with
/// `{% entity_examples %}` blocks). Several inputs are merged into one config.
#[derive(Debug, Parser)]
#[command(name = "gateway", version, propagate_version = true, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to use colour in text output (NO_COLOR is honoured with `auto`).
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

pub const EXIT_CODES: &str = "\
Exit codes:
  0  success (validate: valid; render: written)
  1  invalid config, unreadable input, or a tool error
  2  wrong command-line usage";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render docs pages and decK files into one decK config.
    ///
    /// Docs variables (`${name}` with `value: $ENV`) and decK references
    /// (`${{ env "DECK_X" }}`) are filled from the environment; a docs variable `$FOO`
    /// reads FOO, then DECK_FOO. Any unset variable is an error and nothing is written.
    Render(RenderArgs),

    /// Check configs offline: schemas, route regexes, references and AI proxy templates.
    ///
    /// Findings marked `kong` are what Kong itself would reject; `lint` findings are
    /// configs Kong accepts but that cannot work as intended. Unset environment variables
    /// get a stand-in value and a warning.
    Validate(ValidateArgs),

    /// Explain a rule by code or name (`gateway explain T001`); lists all rules without one.
    Explain {
        /// Rule code (T001) or name (undefined-uri-capture).
        rule: Option<String>,
    },

    /// Print a shell completion script.
    Completions {
        /// The shell to generate for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// decK files and docs pages, merged in order.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Write to FILE instead of standard output (written only when rendering succeeds).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    pub format: Format,

    /// Emit `${{ env "DECK_X" }}` references instead of values, so the file holds no secrets.
    #[arg(long)]
    pub placeholders: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// decK files and docs pages, merged in order.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Output format (json goes to standard output, text to standard error).
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,

    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Yaml,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}
