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
use crate::router::Flavor;
use crate::schema::kong::Schemas;

/// The gateway a config is checked for: the plugin schemas it has and its router flavor.
pub struct Target<'a> {
    /// The bundled schemas plus the plugins the user declared (`--plugin-schemas`).
    pub schemas: &'a Schemas,
    /// Kong's `router_flavor`: which route fields exist and how routes are validated.
    /// `None`: the gateway will say (diff, sync, apply); the checks that depend on it are
    /// left to [`routes_for_flavor`], and the others lean to the laxer flavor.
    pub flavor: Option<Flavor>,
}

/// Runs every rule family over a loaded config, for a Kong with the bundled plugins and the
/// default router flavor.
pub fn validate(config: &Config) -> Vec<Diagnostic> {
    validate_with(config, &Target { schemas: &Schemas::bundled(), flavor: Some(Flavor::TraditionalCompatible) })
}

/// Runs every rule family over a loaded config, for the gateway `target` describes.
pub fn validate_with(config: &Config, target: &Target) -> Vec<Diagnostic> {
    let schemas = target.schemas;
    let mut out = Vec::new();
    entities::check(config, target.flavor, &mut out);
    routes::check(config, target.flavor, &mut out);
    plugins::check(config, schemas, &mut out);
    references::check(config, &mut out);
    deck_file::check(config, schemas, &mut out);
    templates::check(config, &mut out);
    secrets::check(config, schemas, &mut out);
    diagnostic::sort(&mut out);
    out
}

/// The route checks that depend on the router flavor, for a config whose other checks
/// passed with the flavor unknown (`Target::flavor: None`), once the gateway has told it.
pub fn routes_for_flavor(config: &Config, flavor: Flavor) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    entities::check_routes(config, Some(flavor), &mut out);
    routes::check(config, Some(flavor), &mut out);
    out.retain(Diagnostic::is_error);
    diagnostic::sort(&mut out);
    out
}
