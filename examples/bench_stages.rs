//! Times each stage of `gateway validate` on one file: read + parse (YAML to located
//! nodes), flatten (decK document to entities), and the rule families together.
//!
//! cargo run --release --example bench_stages -- /tmp/big.yaml

#![allow(clippy::print_stdout)] // a benchmark prints its numbers

use gateway::env::{Env, EnvMode};
use gateway::load::{self, Disk};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let path = PathBuf::from(std::env::args().nth(1).expect("usage: bench_stages FILE"));
    let runs = 5;
    let (mut t_load, mut t_validate) = (0.0, 0.0);
    let mut entities = 0;
    for _ in 0..runs {
        let t0 = Instant::now();
        let loaded = load::load(std::slice::from_ref(&path), &Disk, &Env::new(), EnvMode::Mock);
        let t1 = Instant::now();
        let diags = gateway::validate::validate(&loaded.config);
        let t2 = Instant::now();
        assert!(diags.iter().all(|d| !d.is_error()), "benchmark input must be valid");
        entities = loaded.config.entities.len();
        t_load += (t1 - t0).as_secs_f64();
        t_validate += (t2 - t1).as_secs_f64();
    }
    let ms = |t: f64| t / runs as f64 * 1000.0;
    println!("entities: {entities}");
    println!("load (read, parse, flatten): {:.1} ms", ms(t_load));
    println!("validate (all rule families): {:.1} ms", ms(t_validate));
}
