//! Query string parameters as Kong's PDK reads them.

use crate::router;

/// Query parameters, URL-decoded, in order (a bare `?key` gives "true", as Kong's PDK does).
pub fn query_params(target: &str) -> Vec<(String, String)> {
    let Some(q) = router::query_of(target) else { return Vec::new() };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (crate::url::decode_component(k), crate::url::decode_component(v)),
            None => (crate::url::decode_component(p), "true".into()),
        })
        .collect()
}
