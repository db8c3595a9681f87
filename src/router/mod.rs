//! Kong's router: how a route's fields match a request, in Kong 3.x's default
//! traditional_compatible flavor. This module knows nothing of decK files.

pub mod normalize;
pub mod pattern;
