//! Generates a large, valid decK config for benchmarks: N services, N routes (a mix of
//! prefix and regex paths, hosts, headers, methods) and N plugins. Deterministic.
//!
//! cargo run --release --example gen_config -- 10000 > /tmp/big.yaml
//! cargo run --release --example gen_config -- 10000 changed > /tmp/big-changed.yaml
//!   (the same config with every 33rd service's port changed: 1% of the entities)
//! cargo run --release --example gen_config -- 10000 --host-only 1000 > /tmp/hosts.yaml
//!   (plus 1,000 routes with a host and no paths)
//! cargo run --release --example gen_config -- 10000 --expressions > /tmp/expr.yaml
//!   (routes with an `expression` and a `priority`, for `--router-flavor expressions`)
//! cargo run --release --example gen_config -- 10000 --tests 100000 big.yaml > /tmp/tests.yaml
//!   (a `gateway test` table of 100,000 requests for that config, read from big.yaml)

#![allow(clippy::print_stdout)]

#[path = "support/config_gen.rs"]
mod config_gen;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let args: Vec<String> = std::env::args().collect();
    let changed = args.iter().any(|a| a == "changed");
    let host_only = args.iter().position(|a| a == "--host-only").and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(0);
    match args.iter().position(|a| a == "--tests") {
        Some(i) => {
            let rows = args.get(i + 1).and_then(|v| v.parse().ok()).expect("--tests ROWS CONFIG");
            let config = args.get(i + 2).expect("--tests ROWS CONFIG");
            print!("{}", config_gen::route_tests(n, rows, config));
        }
        None if args.iter().any(|a| a == "--expressions") => print!("{}", config_gen::generate_expressions(n)),
        None => print!("{}", config_gen::generate(n, changed, host_only)),
    }
}
