//! `gateway`: offline checks, rendering and simulation of Kong Gateway declarative config.
//!
//! Map of the crate (features → files):
//! - reading inputs: [`source`] (files, locations), [`yaml`] (located YAML/JSON trees),
//!   [`load`] (decK files, docs pages, merging), [`env`] (environment substitution)
//! - the config: [`node`] (located values), [`model`] (flat entities and the table of entity
//!   kinds), [`schema`] (bundled entity and plugin schemas, and a gateway's own `/schemas`
//!   answers)
//! - checks: [`validate`] (one file per rule family), [`rules`] (the rule registry),
//!   [`diagnostic`] (findings as data)
//! - Kong behaviour: [`router`] (route matching), [`ai_proxy`] (AI proxy templates),
//!   [`simulate`] (one request end to end), [`route_tests`] (route tables tested like code)
//! - deploying: [`plan`] (what sync would change, in order: identity, field diff, masking,
//!   write ordering), [`admin`] (the Admin API client: state, schemas)
//! - the shell: [`cli`] (clap), [`app`] (one file per command), [`output`] (text/JSON),
//!   [`exit`] (exit codes)

pub mod admin;
pub mod ai_proxy;
pub mod app;
pub mod capabilities;
pub mod cli;
pub mod diagnostic;
pub mod env;
pub mod exit;
pub mod load;
pub mod model;
pub mod node;
pub mod output;
pub mod plan;
pub mod router;
pub mod route_tests;
pub mod rules;
pub mod schema;
pub mod simulate;
pub mod source;
pub mod url;
pub mod validate;
pub mod yaml;
