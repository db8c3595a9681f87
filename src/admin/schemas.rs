//! Reading a gateway's own schemas (`/schemas/{entity}`, `/schemas/plugins/{name}`), so a
//! plan fills the defaults of the Kong version it talks to, custom plugins included.

use super::Client;
use crate::schema::kong::{entity_schema, plugin_schema, Schemas};
use reqwest::Method;

/// Requests in flight at once while reading schemas.
const PARALLEL: usize = 8;

enum Wanted<'a> {
    Entity(&'a str),
    Plugin(&'a str),
}

/// Adds the schemas of `kinds` and `plugins` as the gateway reports them to `schemas`. What
/// the gateway does not answer (older versions, RBAC, a plugin it lacks) keeps the bundled
/// schema; the returned notes say so where that may matter.
pub fn fetch(client: &Client, kinds: &[&str], plugins: &[String], schemas: &mut Schemas) -> Vec<String> {
    let wanted: Vec<Wanted> = kinds.iter().map(|k| Wanted::Entity(k)).chain(plugins.iter().map(|p| Wanted::Plugin(p))).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let answers: Vec<(usize, Result<serde_json::Value, super::ApiError>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..PARALLEL.min(wanted.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut got = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some(w) = wanted.get(i) else { return got };
                        let path = match w {
                            Wanted::Entity(k) => format!("/schemas/{k}"),
                            Wanted::Plugin(p) => format!("/schemas/plugins/{}", crate::url::encode_component(p)),
                        };
                        got.push((i, client.call(Method::GET, &path, None)));
                    }
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("schema thread")).collect()
    });
    let mut notes = Vec::new();
    let mut refused: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    let mut unknown = Vec::new();
    for (i, answer) in answers {
        match (&wanted[i], answer) {
            (Wanted::Entity(k), Ok(a)) => match entity_schema(&a) {
                Ok(s) => schemas.add_entity(k, s),
                Err(e) => notes.push(format!("the gateway's schema of {k} is not readable ({e}); using the bundled one")),
            },
            (Wanted::Plugin(p), Ok(a)) => match plugin_schema(&a) {
                Ok(s) => schemas.add_plugin(p, s),
                Err(e) => notes.push(format!("the gateway's schema of plugin {p} is not readable ({e}); using the bundled one")),
            },
            (Wanted::Plugin(p), Err(e)) if e.status == Some(404) => unknown.push(*p),
            (_, Err(e)) if e.status == Some(404) => {}
            (w, Err(e)) => {
                let why = e.status.map(|s| format!("HTTP {s}")).unwrap_or(e.message);
                let what = match w {
                    Wanted::Entity(k) => k.to_string(),
                    Wanted::Plugin(p) => format!("plugin {p}"),
                };
                refused.entry(why).or_default().push(what);
            }
        }
    }
    for p in unknown {
        if schemas.plugin(p).is_none() {
            notes.push(format!("plugin {p}: neither the gateway nor the bundled schemas know it; its defaults are not filled"));
        }
    }
    for (why, mut what) in refused {
        what.sort();
        notes.push(format!(
            "the gateway did not give its schemas of {} ({why}); their defaults come from the bundled Kong {} schemas",
            what.join(", "),
            crate::schema::plugins().kong_version
        ));
    }
    notes.sort();
    notes
}
