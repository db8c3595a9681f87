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
//!   `--linear N` sizes the linear-scan sample, 2000 by default, 0 to skip it)

#![allow(clippy::print_stdout)]

#[path = "support/config_gen.rs"]
#[allow(dead_code)] // its test-table generator serves gen_config
mod config_gen;

use gateway::env::{Env, EnvMode};
use gateway::load::{self, Disk, Files};
use gateway::router::Formula;
use gateway::router::Request;
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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse::<usize>().ok());
    let positional: Vec<&String> = args.iter().enumerate().filter(|(i, a)| !a.starts_with("--") && (*i == 0 || !args[i - 1].starts_with("--"))).map(|(_, a)| a).collect();
    let n: usize = flag("--requests").or_else(|| positional.get(1).and_then(|a| a.parse().ok())).unwrap_or(100_000);
    let loaded = match flag("--routes") {
        Some(routes) => {
            let text = config_gen::generate(routes, false, flag("--host-only").unwrap_or(0));
            load::load(&[PathBuf::from("generated.yaml")], &Generated(text), &Env::new(), EnvMode::Mock)
        }
        None => {
            let path = PathBuf::from(positional.first().expect("usage: bench_router CONFIG [N] | --routes N [--host-only K] [--requests N]"));
            load::load(&[path], &Disk, &Env::new(), EnvMode::Mock)
        }
    };
    println!("loaded config: peak RSS {}", rss());
    let t = Instant::now();
    let sim = Simulator::new(&loaded.config, Formula::Effective).expect("config builds");
    println!(
        "routes: {}, sub-routes: {}, router build: {:.1} ms, peak RSS {}",
        sim.route_entities().len(),
        sim.router().expect("traditional_compatible flavor").entries.len(),
        t.elapsed().as_secs_f64() * 1000.0,
        rss()
    );
    let reqs = requests(&sim, n);
    let router = sim.router().expect("traditional_compatible flavor");
    let mut lat = Vec::with_capacity(n);
    let mut hits = 0;
    let total = Instant::now();
    for r in &reqs {
        let t = Instant::now();
        let m = router.find(r);
        lat.push(t.elapsed().as_nanos());
        hits += usize::from(m.is_some());
    }
    let secs = total.elapsed().as_secs_f64();
    lat.sort_unstable();
    println!(
        "indexed: {n} requests ({hits} matched) in {:.3} s = {:.0} resolutions/s, median {:.2} us, p99 {:.2} us",
        secs,
        n as f64 / secs,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99)
    );
    let sims: Vec<SimRequest> = reqs.iter().map(|r| SimRequest { request: r.clone(), body: None }).collect();
    let mut lat = Vec::with_capacity(n);
    let mut ok = 0;
    let cpu = cpu_seconds();
    let total = Instant::now();
    for r in &sims {
        let t = Instant::now();
        let s = sim.simulate(r, false);
        lat.push(t.elapsed().as_nanos());
        ok += usize::from(s.route.is_some());
    }
    let secs = total.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    lat.sort_unstable();
    println!(
        "Simulator::simulate: {n} requests ({ok} routed) in {:.3} s = {:.0} simulations/s ({:.0} per CPU-second), median {:.2} us, p99 {:.2} us, peak RSS {}",
        secs,
        n as f64 / secs,
        n as f64 / cpu.max(0.01),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        rss()
    );
    let sample = flag("--linear").unwrap_or(2000).min(n);
    if sample == 0 {
        return;
    }
    let mut lin = Vec::with_capacity(sample);
    let total = Instant::now();
    for r in &reqs[..sample] {
        let t = Instant::now();
        let m = router.find_linear(r);
        lin.push(t.elapsed().as_nanos());
        assert_eq!(m, router.find(r), "indexed and linear answers differ for {r:?}");
    }
    let secs = total.elapsed().as_secs_f64();
    lin.sort_unstable();
    println!(
        "linear scan: {sample} requests in {:.3} s = {:.0} resolutions/s, median {:.2} us, p99 {:.2} us (answers identical)",
        secs,
        sample as f64 / secs,
        percentile(&lin, 0.5),
        percentile(&lin, 0.99)
    );
}
