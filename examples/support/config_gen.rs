//! The deterministic decK config behind `gen_config` and `bench_router --routes N`: N
//! services, N routes (a mix of prefix and regex paths, hosts, headers, methods) and N
//! plugins. Shared by the examples with `#[path]`; not an example of its own.

use std::fmt::Write;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The config text; `changed` moves every 33rd service to port 9999 (1% of the entities);
/// `host_only` more routes have hosts and no paths (every fourth a wildcard host).
pub fn generate(n: usize, changed: bool, host_only: usize) -> String {
    let mut rng = Lcg(42);
    let mut out = String::from("_format_version: \"3.0\"\nservices:\n");
    for i in 0..n {
        let port = if changed && i % 33 == 0 { 9999 } else { 8000 + i % 50 };
        let _ = writeln!(out, "- name: svc-{i}\n  host: backend-{}.internal\n  port: {port}\n  path: /v{}", i % 97, i % 3);
    }
    out.push_str("routes:\n");
    for i in 0..n {
        let _ = writeln!(out, "- name: route-{i}\n  service: svc-{i}");
        match rng.pick(4) {
            0 => {
                let _ = writeln!(out, "  paths: [\"~/api/v{}/items-{i}/(?<item_id>[0-9]+)$\"]", i % 5);
            }
            1 => {
                let _ = writeln!(out, "  paths: [/api/r{i}, /legacy/r{i}/v1]");
            }
            2 => {
                let _ = writeln!(out, "  paths: [/svc/{i}]\n  hosts: [\"api-{}.example.com\", \"*.tenant{}.example.org\"]", i % 200, i % 50);
            }
            _ => {
                let _ = writeln!(
                    out,
                    "  paths: [\"~/openai/deployments/(?<deployment>[^/]+)/r{i}/chat/completions$\"]\n  headers:\n    x-tenant: [\"t{}\", \"~*^team-{}\"]\n  methods: [POST]",
                    i % 100,
                    i % 10
                );
            }
        }
    }
    for j in 0..host_only {
        let host = if j % 4 == 3 { format!("*.w{j}.example.net") } else { format!("h{j}.example.net") };
        let _ = writeln!(out, "- name: host-{j}\n  service: svc-{}\n  hosts: [\"{host}\"]", j % n.max(1));
    }
    out.push_str("plugins:\n");
    for i in 0..n {
        match rng.pick(3) {
            0 => {
                let _ = writeln!(out, "- name: rate-limiting\n  route: route-{i}\n  config:\n    minute: {}\n    policy: local", 10 + i % 100);
            }
            1 => {
                let _ = writeln!(out, "- name: key-auth\n  route: route-{i}\n  config:\n    key_names: [apikey]");
            }
            _ => {
                let _ = writeln!(out, "- name: cors\n  service: svc-{i}\n  config:\n    origins: [\"https://app{}.example.com\"]", i % 20);
            }
        }
    }
    out
}

/// The expressions flavor's table: N services and N routes with an `expression` and a
/// `priority` (no classic fields): a prefix (`http.path ^= "/svc/N/"`), a regex with a
/// named capture (`http.path ~ "^/api/N/(?<id>[^/]+)$"`), a prefix with a method, and a
/// regex with a header condition; priorities repeat (ties go by id), and N plugins.
pub fn generate_expressions(n: usize) -> String {
    let mut rng = Lcg(42);
    let mut out = String::from("_format_version: \"3.0\"\nservices:\n");
    for i in 0..n {
        let _ = writeln!(out, "- name: svc-{i}\n  host: backend-{}.internal\n  port: {}\n  path: /v{}", i % 97, 8000 + i % 50, i % 3);
    }
    out.push_str("routes:\n");
    for i in 0..n {
        let expression = match rng.pick(4) {
            0 => format!("http.path ^= \"/svc/{i}/\""),
            1 => format!("http.path ~ \"^/api/{i}/(?<id>[^/]+)$\""),
            2 => format!("http.path ^= \"/orders/{i}/\" && http.method == \"POST\""),
            _ => format!("http.path ~ \"^/tenants/{i}/(?<tenant>[a-z0-9-]+)/items$\" && http.headers.x_tenant == \"t{}\"", i % 100),
        };
        // YAML single quotes keep the expression's double quotes and backslashes as written
        let _ = writeln!(out, "- name: route-{i}\n  service: svc-{i}\n  priority: {}\n  expression: '{expression}'", rng.pick(8));
    }
    out.push_str("plugins:\n");
    for i in 0..n {
        match rng.pick(3) {
            0 => {
                let _ = writeln!(out, "- name: rate-limiting\n  route: route-{i}\n  config:\n    minute: {}\n    policy: local", 10 + i % 100);
            }
            1 => {
                let _ = writeln!(out, "- name: key-auth\n  route: route-{i}\n  config:\n    key_names: [apikey]");
            }
            _ => {
                let _ = writeln!(out, "- name: cors\n  service: svc-{i}\n  config:\n    origins: [\"https://app{}.example.com\"]", i % 20);
            }
        }
    }
    out
}

/// A `gateway test` table of `rows` requests for the config `generate(n, ..)` writes (read
/// from `config`, relative to the table): row k aims at route `k * 7919 % n`, expects it to
/// be routed there, and one row in ten aims at no route.
pub fn route_tests(n: usize, rows: usize, config: &str) -> String {
    let mut rng = Lcg(42);
    let kinds: Vec<u64> = (0..n).map(|_| rng.pick(4)).collect();
    let mut out = format!("config: [{config}]\ntests:\n");
    for k in 0..rows {
        let i = k * 7919 % n.max(1);
        if k % 10 == 9 {
            let _ = writeln!(out, "  - name: miss {k}\n    request: {{path: /miss/{k}}}\n    expect: {{route: null, status: 404}}");
            continue;
        }
        let request = match kinds[i] {
            0 => format!("{{path: /api/v{}/items-{i}/{}}}", i % 5, k % 1000),
            1 => format!("{{path: /api/r{i}/x}}"),
            2 => format!("{{path: /svc/{i}, host: api-{}.example.com}}", i % 200),
            _ => format!("{{method: POST, path: /openai/deployments/gpt-{}/r{i}/chat/completions, headers: {{x-tenant: t{}}}}}", k % 4, i % 100),
        };
        let _ = writeln!(out, "  - name: row {k}\n    request: {request}\n    expect: {{route: route-{i}, status: 200}}");
    }
    out
}
