//! Offline validation: every check Kong would make when loading the config (`kong`
//! findings) plus checks for configs Kong accepts but that cannot work (`lint` findings).
//!
//! One file per rule family; each returns diagnostics and never prints.

mod ai_proxy;
mod deck_file;
mod entities;
mod plugins;
mod references;
mod routes;
mod secrets;
pub mod templates;

use crate::diagnostic::{self, Diagnostic};
use crate::model::Config;
use crate::schema::kong::Schemas;

/// Runs every rule family over a loaded config, with the bundled schemas only.
pub fn validate(config: &Config) -> Vec<Diagnostic> {
    validate_with(config, &Schemas::bundled())
}

/// Runs every rule family over a loaded config; `schemas` adds plugins the user declared
/// (custom plugins, `--plugin-schemas`) to the bundled ones.
pub fn validate_with(config: &Config, schemas: &Schemas) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    entities::check(config, &mut out);
    routes::check(config, &mut out);
    plugins::check(config, schemas, &mut out);
    references::check(config, &mut out);
    deck_file::check(config, schemas, &mut out);
    templates::check(config, &mut out);
    secrets::check(config, schemas, &mut out);
    diagnostic::sort(&mut out);
    out
}
