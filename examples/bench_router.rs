//! Router throughput on a generated config: resolutions per second and per-request
//! latency (median, p99) for the indexed router, against a plain scan of every route in
//! priority order (how Kong's matcher walks routes), with identical answers checked.
//!
//! cargo run --release --example gen_config -- 10000 > /tmp/big.yaml
//! cargo run --release --example bench_router -- /tmp/big.yaml 100000

use gateway::env::{Env, EnvMode};
use gateway::load::{self, Disk};
use gateway::router::Formula;
use gateway::router::Request;
use gateway::simulate::Simulator;
use std::path::PathBuf;
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

fn main() {
    let path = PathBuf::from(std::env::args().nth(1).expect("usage: bench_router CONFIG [N]"));
    let n: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let loaded = load::load(&[path], &Disk, &Env::new(), EnvMode::Mock);
    let t = Instant::now();
    let sim = Simulator::new(&loaded.config, Formula::Effective).expect("config builds");
    println!("routes: {}, sub-routes: {}, router build: {:.1} ms", sim.route_entities().len(), sim.router().entries.len(), t.elapsed().as_secs_f64() * 1000.0);
    let reqs = requests(&sim, n);
    let router = sim.router();
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
    let sample = 2000.min(n);
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
