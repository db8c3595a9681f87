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

/// Runs every rule family over a loaded config.
pub fn validate(config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    entities::check(config, &mut out);
    routes::check(config, &mut out);
    plugins::check(config, &mut out);
    references::check(config, &mut out);
    deck_file::check(config, &mut out);
    templates::check(config, &mut out);
    secrets::check(config, &mut out);
    diagnostic::sort(&mut out);
    out
}
