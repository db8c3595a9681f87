//! `gateway validate`: load, run every rule, report.

use super::{Context, Outcome};
use crate::cli::{Output, ValidateArgs};
use crate::diagnostic::{self, Severity};
use crate::env::EnvMode;
use crate::exit::Exit;
use crate::output::{self, json, text};

pub fn run(args: &ValidateArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let (loaded, mut diags, secrets) = super::inputs::check(&args.inputs, ctx, EnvMode::Mock);
    if args.online && !diags.iter().any(|d| d.blocks()) {
        diags.extend(online(&loaded.config, args)?);
    }
    if args.strict {
        for d in diags.iter_mut().filter(|d| d.severity == Severity::Warning) {
            d.severity = Severity::Error;
        }
    }
    diagnostic::sort(&mut diags);
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

/// Posts every entity to the gateway's `/schemas/{kind}/validate`; rejections become findings.
fn online(config: &crate::model::Config, args: &ValidateArgs) -> anyhow::Result<Vec<crate::diagnostic::Diagnostic>> {
    let client = super::connect::client(&args.conn)?;
    let info = client.info()?;
    // what this gateway's version, edition and settings cannot take at all
    let mut out: Vec<crate::diagnostic::Diagnostic> = crate::capabilities::check(config, &info)
        .into_iter()
        .map(|e| crate::diagnostic::Diagnostic::new(&crate::rules::GATEWAY_CANNOT_TAKE, e.message).at(e.at))
        .collect();
    for (entity, kind, body) in crate::plan::validation_bodies(config) {
        let (status, answer) = client
            .send(reqwest::Method::POST, &format!("/schemas/{kind}/validate"), Some(&body))
            .map_err(|e| anyhow::anyhow!("validating {} online: {e}", entity.label()))?;
        if status.is_success() {
            continue;
        }
        let message = answer.get("message").and_then(serde_json::Value::as_str).map(String::from).unwrap_or_else(|| answer.to_string());
        let field = answer.get("fields").and_then(serde_json::Value::as_object).and_then(|f| f.keys().next().cloned()).unwrap_or_default();
        out.push(
            crate::diagnostic::Diagnostic::new(&crate::rules::ONLINE_REJECTED, format!("{message} (HTTP {})", status.as_u16()))
                .at(entity.node.loc)
                .entity(entity.label())
                .field(field),
        );
    }
    Ok(out)
}
