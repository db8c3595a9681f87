//! ai-proxy and ai-proxy-advanced: `$(...)` templates and, for simulation, the upstream
//! request Kong's AI drivers build, the body they send, what the client gets back, and
//! streaming. Everything here is pure (no I/O) and never panics on any input.
//!
//! How a simulation uses it, for the chosen target of an `ai-proxy(-advanced)` plugin:
//! 1. [`request::resolve_model`] on the target's `model` record (as JSON) with the
//!    request's headers / named captures / query arguments; an error is Kong's 400;
//! 2. [`request::Model::from_record`] on the result, [`request::Conf`] with the target's
//!    `route_type` and the plugin's `response_streaming`, `max_request_body_size` and a
//!    body-located auth parameter;
//! 3. [`request::prepare`] with the client's body and `Content-Type`: `Err` is Kong's
//!    answer (status and `{"error":{"message":...}}`), `Ok` gives the model Kong uses,
//!    whether it streams, and the upstream body;
//! 4. [`upstream::build_for`] with `stream` from step 3 for the URL (streaming changes the
//!    Gemini and Bedrock operation); [`stream::plan`] says what streaming does per provider;
//! 5. a dry-run listener answers with [`dry_run::dry_run`] (steps 3 and the simulated
//!    provider answer through Kong's response path).

mod dry_run;
mod lua;
pub mod request;
pub mod response;
pub mod stream;
pub mod template;
pub mod upstream;

pub use dry_run::{dry_run, DryRun};
