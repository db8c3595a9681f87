//! `gateway validate`: load, run every rule, report.

use super::{Context, Outcome};
use crate::cli::{Output, ValidateArgs};
use crate::diagnostic::{self, Severity};
use crate::env::EnvMode;
use crate::exit::Exit;
use crate::load::{self, Disk};
use crate::output::{self, json, text};

pub fn run(args: &ValidateArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let loaded = load::load(&args.inputs, &Disk, &ctx.env, EnvMode::Mock);
    let mut diags = loaded.diagnostics.clone();
    if loaded.document.is_some() {
        diags.extend(crate::validate::validate(&loaded.config));
    }
    if args.strict {
        for d in diags.iter_mut().filter(|d| d.severity == Severity::Warning) {
            d.severity = Severity::Error;
        }
    }
    diagnostic::sort(&mut diags);
    let secrets = loaded.document.as_ref().map(output::secret_values).unwrap_or_default();
    output::mask_secrets(&mut diags, &secrets);
    let valid = loaded.document.is_some() && !diags.iter().any(|d| d.severity == Severity::Error);
    let code = Some(if valid { Exit::Success } else { Exit::Failure });
    Ok(match args.output {
        Output::Json => Outcome {
            stdout: serde_json::to_string_pretty(&json::validation(&diags, &loaded.sources, valid))? + "\n",
            code,
            ..Default::default()
        },
        Output::Text => {
            let mut stderr = text::diagnostics(&diags, &loaded.sources, ctx.color);
            stderr.push_str(&text::summary(&diags, args.inputs.len(), valid, ctx.color));
            Outcome { stderr, code, ..Default::default() }
        }
    })
}
