//! ai-proxy and ai-proxy-advanced: `$(...)` templates and, for simulation, the upstream
//! request Kong's AI drivers build, the body they send, what the client gets back, and
//! streaming.

mod lua;
pub mod request;
pub mod response;
pub mod stream;
pub mod template;
pub mod upstream;
