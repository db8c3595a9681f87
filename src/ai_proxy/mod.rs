//! ai-proxy and ai-proxy-advanced: `$(...)` templates and, for simulation, the upstream
//! request Kong's AI drivers build.

pub mod template;
pub mod upstream;
