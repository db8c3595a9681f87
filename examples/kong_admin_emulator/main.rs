//! Test equipment: an in-memory Kong Admin API for `gateway`'s dump/diff/sync tests.
//!
//! Follows ../shared/reference/admin-api.md: generated endpoints (collections, entities by
//! id or endpoint key, a few nested collections), Kong's status codes and error bodies,
//! defaults filled in, PUT upsert, `offset`/`next` pagination, tag filters, uniqueness
//! (409), foreign keys (cascade and restrict), an optional admin token, and injected faults
//! (5xx, 429 with Retry-After, dropped connections, latency). A request log is served under
//! `/__emulator/requests`. Not part of the product: it is built only as an example.
//!
//! kong_admin_emulator [--listen ADDR] [--token T] [--fault-rate F] [--faults 500,429,drop]
//!                     [--retry-after SECS] [--latency-ms N] [--seed N] [--enterprise]
//!                     [--plugin-schemas FILE] [--forbid PATH-PREFIX]
//!                     [--kong-version V] [--wasm on|off] [--database postgres|off]
//!                     [--plugins LIST] [--router-flavor F] [--ai-gateway]
//!
//! `--plugin-schemas` plays another Kong version or a custom plugin: a JSON object of plugin
//! name to schema (the compact form of gateway's src/schema) that replaces or adds to the
//! bundled plugin schemas, for filling defaults and for `GET /schemas/plugins/{name}`; those
//! plugins count as loaded.
//! `--forbid` answers 403 to every request under a path prefix, as Kong Enterprise does for an
//! admin whose RBAC role may not use those endpoints.
//!
//! The profile flags choose the gateway played (profile.rs): `--kong-version` (default
//! 3.10.0; Enterprise reports it with a fourth part), `--wasm` (default off, as
//! kong/templates/kong_defaults.lua), `--database off` for DB-less (declarative.rs),
//! `--plugins` like Kong's `plugins` setting (default `bundled`), `--router-flavor` (default
//! traditional_compatible; `expressions` gives routes `expression` and `priority`, store.rs)
//! and `--ai-gateway` (serve `/ai-models`, which Kong Gateway does
//! not). The default is a Kong 3.10 OSS node on PostgreSQL with wasm off.
//!
//! Modules: http (connections, faults), api (paths), store (entities), table (one kind's
//! entities and their indexes), profile (the gateway played), declarative (DB-less
//! `/config`), schemas (`/schemas`).

mod api;
mod declarative;
mod http;
mod profile;
mod schemas;
mod store;
mod table;

use http::{serve, Lcg};
use schemas::PLUGIN_OVERLAY;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use store::Store;

pub struct Opts {
    pub listen: String,
    pub token: Option<String>,
    pub fault_rate: f64,
    pub faults: Vec<String>,
    pub retry_after: String,
    pub latency_ms: u64,
    pub seed: u64,
    pub enterprise: bool,
    pub plugin_schemas: Option<String>,
    pub forbid: Option<String>,
    pub kong_version: String,
    pub wasm: bool,
    pub dbless: bool,
    pub plugins: String,
    pub router_flavor: String,
    pub ai_gateway: bool,
}

fn on_off(v: &str, flag: &str) -> bool {
    match v {
        "on" => true,
        "off" => false,
        other => panic!("{flag} {other}: expected on or off"),
    }
}

fn opts() -> Opts {
    let mut o = Opts {
        listen: "127.0.0.1:0".into(),
        token: None,
        fault_rate: 0.0,
        faults: vec!["500".into(), "429".into(), "drop".into()],
        retry_after: "1".into(),
        latency_ms: 0,
        seed: 1,
        enterprise: false,
        plugin_schemas: None,
        forbid: None,
        kong_version: "3.10.0".into(),
        wasm: false,
        dbless: false,
        plugins: "bundled".into(),
        router_flavor: "traditional_compatible".into(),
        ai_gateway: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--listen" => o.listen = v,
            "--token" => o.token = Some(v),
            "--fault-rate" => o.fault_rate = v.parse().expect("--fault-rate number"),
            "--faults" => o.faults = v.split(',').map(String::from).collect(),
            "--retry-after" => o.retry_after = v,
            "--latency-ms" => o.latency_ms = v.parse().expect("--latency-ms number"),
            "--seed" => o.seed = v.parse().expect("--seed number"),
            "--plugin-schemas" => o.plugin_schemas = Some(v),
            "--forbid" => o.forbid = Some(v),
            "--kong-version" => o.kong_version = v,
            "--wasm" => o.wasm = on_off(&v, "--wasm"),
            "--database" => {
                o.dbless = match v.as_str() {
                    "off" => true,
                    "postgres" => false,
                    other => panic!("--database {other}: expected postgres or off"),
                }
            }
            "--plugins" => o.plugins = v,
            "--router-flavor" => o.router_flavor = v,
            "--ai-gateway" => {
                o.ai_gateway = true;
                i += 1;
                continue;
            }
            "--enterprise" => {
                o.enterprise = true;
                i += 1;
                continue;
            }
            other => panic!("unknown option {other}"),
        }
        i += 2;
    }
    o
}


pub struct Shared {
    pub store: Mutex<Store>,
    pub rng: Mutex<Lcg>,
    pub opts: Opts,
}

// stderr is this program's interface: tests wait for its `listening on` line
#[allow(clippy::print_stderr)]
fn main() {
    let opts = opts();
    if let Some(path) = &opts.plugin_schemas {
        let text = std::fs::read_to_string(path).expect("--plugin-schemas file");
        PLUGIN_OVERLAY.set(serde_json::from_str(&text).expect("--plugin-schemas: name -> compact plugin schema")).ok();
    }
    match profile::Profile::new(&opts.kong_version, opts.enterprise, opts.wasm, opts.dbless, &opts.router_flavor, &opts.plugins, opts.ai_gateway) {
        Ok(p) => profile::set(p),
        Err(e) => {
            eprintln!("kong_admin_emulator: {e}");
            std::process::exit(2);
        }
    }
    let listener = TcpListener::bind(&opts.listen).expect("bind");
    let addr = listener.local_addr().expect("local addr");
    eprintln!("listening on http://{addr}");
    let seed = opts.seed;
    let shared = Arc::new(Shared { store: Mutex::new(Store::default()), rng: Mutex::new(Lcg(seed)), opts });
    for stream in listener.incoming().flatten() {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || serve(stream, shared));
    }
}
