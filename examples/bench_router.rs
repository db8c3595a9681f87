//! Router throughput on a generated config: resolutions per second and per-request
//! latency (median, p99) for the indexed router, against a plain scan of every route in
//! priority order (how Kong's matcher walks routes), with identical answers checked; then
//! the full simulation path (`Simulator::simulate`: winner, runner-up, other-formula check,
//! plugins, upstream) that `simulate`, `simulate --serve` and `gateway test` run per request.
//! Also the build time (config to router) and the process's peak RSS (VmHWM).
//!
//! cargo run --release --example gen_config -- 10000 > /tmp/big.yaml
//! cargo run --release --example bench_router -- /tmp/big.yaml 100000
//! cargo run --release --example bench_router -- --routes 50000 [--host-only 1000] [--requests 100000]
//!   (the same config generated in-process; `--host-only K` adds K routes with hosts and no paths;
//!   `--linear N` sizes the linear-scan sample, 2000 by default, 0 to skip it;
//!   `--atc-build` also times atc-router adding the same routes as Kong's
//!   traditional_compatible expressions, right after our build)
//! cargo run --release --example bench_router -- --routes 10000 --flavor expressions
//!   (routes with `expression` + `priority` from `gen_config --expressions`: the full
//!   simulation path in the expressions flavor against atc-router's own `Router::execute`)

#![allow(clippy::print_stdout)]

#[path = "support/config_gen.rs"]
#[allow(dead_code)] // its test-table generator serves gen_config
mod config_gen;

use gateway::env::{Env, EnvMode};
use gateway::load::{self, Disk, Files};
use gateway::router::Formula;
use gateway::router::atc::schema::http_schema;
use gateway::router::atc::transform;
use gateway::router::{Flavor, Request};
use gateway::simulate::{SimRequest, Simulator};
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn requests(sim: &Simulator, n: usize) -> Vec<Request> {
    let routes = sim.route_entities();
    let mut rng = Lcg(7);
    (0..n)
        .map(|k| {
            let r = &routes[rng.next() as usize % routes.len()].node;
            let path = r.get("paths").and_then(|p| p.as_seq()).and_then(|p| p.first()).and_then(|p| p.as_str()).unwrap_or("/");
            let concrete = if let Some(re) = path.strip_prefix('~') {
                re.replace("(?<item_id>[0-9]+)$", &format!("{}", rng.next() % 1000))
                    .replace("(?<deployment>[^/]+)", &format!("gpt-{}", rng.next() % 4))
                    .trim_end_matches('$')
                    .to_string()
            } else {
                format!("{path}/extra")
            };
            let host = r.get("hosts").and_then(|h| h.as_seq()).and_then(|h| h.first()).and_then(|h| h.as_str()).map(|h| h.replace('*', "www"));
            let method = r.get("methods").and_then(|m| m.as_seq()).and_then(|m| m.first()).and_then(|m| m.as_str()).unwrap_or("GET").to_string();
            let header = r.get("headers").and_then(|h| h.get("x-tenant")).and_then(|v| v.as_seq()).and_then(|v| v.first()).and_then(|v| v.as_str()).map(String::from);
            // one request in ten misses on purpose
            let target = if k % 10 == 9 { format!("/miss/{k}") } else { concrete };
            Request {
                method,
                target,
                host,
                headers: header.map(|h| vec![("X-Tenant".to_string(), h)]).unwrap_or_default(),
                https: false,
                listener_port: 8000,
                sni: None,
            }
        })
        .collect()
}

fn percentile(sorted: &[u128], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize] as f64 / 1000.0
}

/// Peak resident set size of this process so far, in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU time this process has used (user + system), in seconds (Linux `/proc/self/stat`,
/// 100 ticks a second): on a shared machine, throughput per CPU-second is steadier than
/// per wall-clock second.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // after the command name: state is field 0, utime field 11, stime field 12
    (ticks(11) + ticks(12)) / 100.0
}

/// Resident set size now, in MiB (Linux `VmRSS`): what a structure holds is the
/// difference before and after building it.
fn rss_now_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok()).unwrap_or(0.0)
        / 1024.0
}

fn rss() -> String {
    peak_rss_mib().map(|m| format!("{m:.0} MiB")).unwrap_or_else(|| "unknown".into())
}

/// A generated config served from memory.
struct Generated(String);

impl Files for Generated {
    fn read(&self, _: &Path) -> Result<Vec<u8>, String> {
        Ok(self.0.as_bytes().to_vec())
    }
    fn exists(&self, _: &Path) -> bool {
        true
    }
}

/// One timed pass over `items`: each item's latency (sorted), wall and CPU seconds, and how
/// many items `f` counted.
struct Pass {
    secs: f64,
    cpu: f64,
    lat: Vec<u128>,
    counted: usize,
}

fn timed<T>(items: &[T], mut f: impl FnMut(&T) -> bool) -> Pass {
    let mut lat = Vec::with_capacity(items.len());
    let mut counted = 0;
    let cpu = cpu_seconds();
    let total = Instant::now();
    for x in items {
        let t = Instant::now();
        let hit = f(x);
        lat.push(t.elapsed().as_nanos());
        counted += usize::from(hit);
    }
    let secs = total.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    lat.sort_unstable();
    Pass { secs, cpu, lat, counted }
}

impl Pass {
    /// `in S s = R <what>/s (C per CPU-second), median M us, p99 P us`
    fn rates(&self, what: &str) -> String {
        let n = self.lat.len() as f64;
        format!(
            "in {:.3} s = {:.0} {what}/s ({:.0} per CPU-second), median {:.2} us, p99 {:.2} us",
            self.secs,
            n / self.secs,
            n / self.cpu.max(0.01),
            percentile(&self.lat, 0.5),
            percentile(&self.lat, 0.99)
        )
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse::<usize>().ok());
    let positional: Vec<&String> = args.iter().enumerate().filter(|(i, a)| !a.starts_with("--") && (*i == 0 || !args[i - 1].starts_with("--"))).map(|(_, a)| a).collect();
    let n: usize = flag("--requests").or_else(|| positional.get(1).and_then(|a| a.parse().ok())).unwrap_or(100_000);
    let expressions = args.windows(2).any(|w| w[0] == "--flavor" && w[1] == "expressions");
    let loaded = match flag("--routes") {
        Some(routes) => {
            let text = if expressions {
                config_gen::generate_expressions(routes)
            } else {
                config_gen::generate(routes, false, flag("--host-only").unwrap_or(0))
            };
            load::load(&[PathBuf::from("generated.yaml")], &Generated(text), &Env::new(), EnvMode::Mock)
        }
        None => {
            let path = PathBuf::from(positional.first().expect("usage: bench_router CONFIG [N] | --routes N [--host-only K] [--requests N]"));
            load::load(&[path], &Disk, &Env::new(), EnvMode::Mock)
        }
    };
    println!("loaded config: peak RSS {}", rss());
    if expressions {
        return bench_expressions(&loaded.config, n);
    }
    let before = rss_now_mib();
    let t = Instant::now();
    let sim = Simulator::new(&loaded.config, Formula::Effective).expect("config builds");
    println!(
        "routes: {}, sub-routes: {}, router build: {:.1} ms, holds {:.0} MiB, peak RSS {}",
        sim.route_entities().len(),
        sim.router().expect("traditional_compatible flavor").entries.len(),
        t.elapsed().as_secs_f64() * 1000.0,
        rss_now_mib() - before,
        rss()
    );
    if args.iter().any(|a| a == "--atc-build") {
        atc_build(&sim);
    }
    let reqs = requests(&sim, n);
    let router = sim.router().expect("traditional_compatible flavor");
    let pass = timed(&reqs, |r| router.find(r).is_some());
    println!("indexed: {n} requests ({} matched) {}", pass.counted, pass.rates("resolutions"));
    let sims: Vec<SimRequest> = reqs.iter().map(|r| SimRequest { request: r.clone(), body: None }).collect();
    let pass = timed(&sims, |r| sim.simulate(r, false).route.is_some());
    println!("Simulator::simulate: {n} requests ({} routed) {}, peak RSS {}", pass.counted, pass.rates("simulations"), rss());
    let sample = flag("--linear").unwrap_or(2000).min(n);
    if sample == 0 {
        return;
    }
    let pass = timed(&reqs[..sample], |r| {
        let m = router.find_linear(r);
        assert_eq!(m, router.find(r), "indexed and linear answers differ for {r:?}");
        m.is_some()
    });
    println!("linear scan: {sample} requests {} (answers identical)", pass.rates("resolutions"));
}

/// atc-router adding the routes Kong's traditional_compatible flavor gives it (one matcher
/// per sub-route: `transform::sub_routes`, the expressions Kong generates), timed alone
/// (the expressions are generated before the clock starts): what Kong's own router build
/// costs for the same table.
fn atc_build(sim: &Simulator) {
    let specs: Vec<_> = sim.route_entities().iter().map(|r| gateway::simulate::route_spec(r)).collect();
    let mut matchers = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let id = spec.id.unwrap_or_else(|| uuid::Uuid::from_u128(i as u128));
        for sub in transform::sub_routes(spec, Flavor::TraditionalCompatible, Formula::Effective) {
            let uuid = sub.group.map_or(id, |g| gateway::router::split_route_id(id, g));
            matchers.push((uuid, sub.priority, sub.expression));
        }
    }
    let schema = http_schema();
    let before = rss_now_mib();
    let t = Instant::now();
    let mut router = atc_router::router::Router::new(&schema);
    for (uuid, priority, expression) in &matchers {
        router.add_matcher(*priority as usize, *uuid, expression).expect("atc-router accepts Kong's expression");
    }
    println!(
        "atc-router add_matcher x {}: {:.1} ms, holds {:.0} MiB, peak RSS {}",
        matchers.len(),
        t.elapsed().as_secs_f64() * 1000.0,
        rss_now_mib() - before,
        rss()
    );
}

/// Expression routes: `Simulator::with_flavor(.., Flavor::Expressions)` (winner, runner-up,
/// plugins, upstream) and `ExpressionsRouter::find` (the path-prefiltered scan) against
/// atc-router's own priority scan (`Router::execute`, `ExpressionsRouter::find_atc`) on the
/// same matchers, answers checked equal.
fn bench_expressions(config: &gateway::model::Config, n: usize) {
    let before = rss_now_mib();
    let t = Instant::now();
    let sim = Simulator::with_flavor(config, Formula::Effective, Flavor::Expressions).expect("config builds");
    let er = sim.expressions_router().expect("expressions flavor");
    println!(
        "routes: {}, matchers: {}, Simulator build (atc-router add + our parse): {:.1} ms, holds {:.0} MiB, peak RSS {}",
        sim.route_entities().len(),
        er.matchers.len(),
        t.elapsed().as_secs_f64() * 1000.0,
        rss_now_mib() - before,
        rss()
    );
    let schema = http_schema();
    let before = rss_now_mib();
    let t = Instant::now();
    let mut plain = atc_router::router::Router::new(&schema);
    for m in &er.matchers {
        plain.add_matcher(m.priority as usize, m.uuid, &m.expression).expect("atc-router accepts it");
    }
    println!("atc-router alone, add_matcher x {}: {:.1} ms, holds {:.0} MiB", er.matchers.len(), t.elapsed().as_secs_f64() * 1000.0, rss_now_mib() - before);
    drop(plain);
    let mut rng = Lcg(7);
    let routes = sim.route_entities();
    let reqs: Vec<Request> = (0..n)
        .map(|k| {
            let r = &routes[rng.next() as usize % routes.len()].node;
            let expr = r.get("expression").and_then(|e| e.as_str()).unwrap_or("");
            let i: usize = r.get("name").and_then(|v| v.as_str()).and_then(|v| v.strip_prefix("route-")).and_then(|v| v.parse().ok()).unwrap_or(0);
            let (method, target, headers) = if expr.contains("\"/svc/") {
                ("GET", format!("/svc/{i}/x"), vec![])
            } else if expr.contains("^/api/") {
                ("GET", format!("/api/{i}/item-{}", rng.next() % 1000), vec![])
            } else if expr.contains("/orders/") {
                ("POST", format!("/orders/{i}/new"), vec![])
            } else {
                ("GET", format!("/tenants/{i}/acme-{}/items", rng.next() % 10), vec![("X-Tenant".to_string(), format!("t{}", i % 100))])
            };
            let target = if k % 10 == 9 { format!("/miss/{k}") } else { target };
            Request { method: method.into(), target, host: None, headers, https: false, listener_port: 8000, sni: None }
        })
        .collect();
    let pass = timed(&reqs, |r| er.find_atc(r).is_some());
    let hits = pass.counted;
    println!("atc-router Router::execute: {n} requests ({hits} matched) {}", pass.rates("resolutions"));
    let pass = timed(&reqs, |r| std::hint::black_box(er.find(r)).is_some());
    for r in &reqs {
        assert_eq!(er.find(r), er.find_atc(r), "prefiltered and atc-router answers differ for {r:?}");
    }
    println!("ExpressionsRouter::find (path prefilter): {n} requests {} (answers identical to Router::execute)", pass.rates("resolutions"));
    let sims: Vec<SimRequest> = reqs.iter().map(|r| SimRequest { request: r.clone(), body: None }).collect();
    let pass = timed(&sims, |r| sim.simulate(r, false).route.is_some());
    let ok = pass.counted;
    println!("Simulator::simulate (expressions): {n} requests ({ok} routed) {}, peak RSS {}", pass.rates("simulations"), rss());
    assert_eq!(ok, hits, "simulate and Router::execute routed different numbers of requests");
    for r in sims.iter().take(2000) {
        let want = er.find(&r.request).and_then(|m| routes[m.route].name().map(String::from));
        let got = sim.simulate(r, false).route.and_then(|n| n.name);
        assert_eq!(got, want, "simulate and Router::execute answer differently for {:?}", r.request);
    }
}
