#!/usr/bin/env bash
# Reproduces the numbers in BENCHMARKS.md. Usage: bash bench/run.sh [N]   (default N=10000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --examples --bins
bin=target/release/gateway
target/release/examples/gen_config "$n" > "$work/big.yaml"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: $n services, $n routes, $n plugins ($(wc -c < "$work/big.yaml") bytes)"

measure() { # label, runs, command...
  local label=$1 runs=$2; shift 2
  local times=() rss=0
  for _ in $(seq "$runs"); do
    local start=$EPOCHREALTIME
    /usr/bin/time -f "%M" -o "$work/t" "$@" > /dev/null 2>&1 || true
    local end=$EPOCHREALTIME
    times+=("$(echo "($end - $start) * 1000" | bc -l)")
    read -r m < "$work/t"; (( m > rss )) && rss=$m
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{printf "%.1f", a[int((NR+1)/2)]}')
  echo "$label: median ${median} ms wall over $runs runs, peak RSS $((rss / 1024)) MiB"
}

measure "validate" 7 "$bin" validate "$work/big.yaml"
target/release/examples/bench_stages "$work/big.yaml"
doc=../shared/corpus/docs/collect-metrics-logs-and-traces-with-opentelemetry.md
if [ -f "$doc" ]; then
  measure "render largest doc ($(basename "$doc"), $(wc -c < "$doc") bytes)" 21 "$bin" render --placeholders "$doc"
fi

# Router throughput (issue: 10k routes, 100k requests) and how it scales with route count.
for routes in 1000 10000; do
  target/release/examples/gen_config "$routes" > "$work/r$routes.yaml"
  echo "-- $routes routes"
  target/release/examples/bench_router "$work/r$routes.yaml" 100000
done

# The full simulation path (Simulator::simulate) at 1k/10k/50k routes, and with host-only routes.
# (--atc-build: atc-router adding the same table's traditional_compatible expressions, same run)
for routes in 1000 10000 50000; do
  echo "-- $routes routes (generated in-process), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  target/release/examples/bench_router --routes "$routes" --requests 100000 --linear 300 --atc-build
done
echo "-- 10000 routes + 1000 host-only routes"
target/release/examples/bench_router --routes 10000 --host-only 1000 --requests 100000 --linear 300

# Expression routes (expressions flavor): Simulator::simulate against atc-router's own
# Router::execute on the same matchers. Both scan every matcher in priority order, so 10k
# routes get fewer requests.
echo "-- 1000 expression routes, load average $(cut -d' ' -f1-3 /proc/loadavg)"
target/release/examples/bench_router --routes 1000 --flavor expressions --requests 100000
echo "-- 10000 expression routes, load average $(cut -d' ' -f1-3 /proc/loadavg)"
target/release/examples/bench_router --routes 10000 --flavor expressions --requests 5000

# `gateway test` over 10k routes with 100k and 1M requests, whole process (the table's
# tests are read one at a time: peak RSS should not grow with the rows).
target/release/examples/gen_config 10000 > "$work/tbig.yaml"
target/release/examples/gen_config 10000 --tests 100000 tbig.yaml > "$work/ttests.yaml"
measure "test (10k routes, 100k requests)" 3 "$bin" test "$work/ttests.yaml"
target/release/examples/gen_config 10000 --tests 1000000 tbig.yaml > "$work/ttests1m.yaml"
measure "test (10k routes, 1M requests)" 1 "$bin" test "$work/ttests1m.yaml"

# One `gateway simulate` on the bundled Azure example, whole process.
measure "simulate testdata/azure/kong.yaml" 21 "$bin" simulate testdata/azure/kong.yaml -X POST \
  --path '/openai/deployments/gpt-4o/chat/completions?api-version=2025-01-01-preview'

# dump/diff/sync against the Admin API emulator on loopback (release builds of both).
emu=target/release/examples/kong_admin_emulator
sync_n=3334   # x3 kinds = 10,002 entities
target/release/examples/gen_config "$sync_n" > "$work/sync.yaml"
target/release/examples/gen_config "$sync_n" changed > "$work/sync-changed.yaml"
# the client's own CPU time (user + system), apart from the emulator's
client_cpu() { awk '{printf "%.2f s client CPU", $1 + $2}' "$work/cpu"; }
start_emulator() { # extra emulator flags
  "$emu" --listen 127.0.0.1:0 "$@" 2> "$work/emu.log" &
  emu_pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/emu.log" 2>/dev/null && break; sleep 0.05; done
  export GATEWAY_KONG_ADDR=$(sed -n 's/^listening on //p' "$work/emu.log")
}
# latency 0: the emulator itself (one lock, 2 cores) is the bottleneck;
# latency 5 ms per request: closer to a Kong node writing to its database.
for latency in 0 5; do for p in 1 8 32; do
  start_emulator --latency-ms "$latency"
  s=$EPOCHREALTIME
  /usr/bin/time -f "%U %S" -o "$work/cpu" "$bin" sync "$work/sync.yaml" --parallelism "$p" > "$work/sync.out"
  e=$EPOCHREALTIME
  writes=$(curl -s "$GATEWAY_KONG_ADDR/__emulator/requests" | tr ',' '\n' | grep -vc '"GET ')
  secs=$(echo "$e - $s" | bc -l)
  echo "sync create 10,002 entities, emulator latency ${latency} ms, parallelism $p: $(printf '%.2f' "$secs") s, $(printf '%.0f' "$(echo "10002 / $secs" | bc -l)") entities/s, $(printf '%.2f' "$(echo "$writes / 10002" | bc -l)") writes per entity, $(client_cpu) ($(tail -1 "$work/sync.out"))"
  if [ "$p" = 32 ] && [ "$latency" = 0 ]; then
    measure "diff 10,002 entities, nothing changed" 5 "$bin" diff "$work/sync.yaml"
    measure "diff 10,002 entities, 1% changed" 5 "$bin" diff "$work/sync-changed.yaml"
    "$bin" diff "$work/sync-changed.yaml" | tail -1
  fi
  kill "$emu_pid"; wait "$emu_pid" 2>/dev/null || true
done; done

# The same sync against gateways of other versions and editions (the emulator's profiles):
# discovery reads only the collections each one serves.
requests() { curl -s "$GATEWAY_KONG_ADDR/__emulator/requests" | tr ',' '\n' | grep -c '"'; }

for profile in "--kong-version 3.0.1" "--kong-version 3.9.1 --wasm on" "--kong-version 3.10.0 --enterprise"; do
  # shellcheck disable=SC2086
  start_emulator --latency-ms 5 $profile
  s=$EPOCHREALTIME
  /usr/bin/time -f "%U %S" -o "$work/cpu" "$bin" sync "$work/sync.yaml" --parallelism 8 > "$work/sync.out"
  e=$EPOCHREALTIME
  echo "sync create 10,002 entities, profile '$profile', latency 5 ms, parallelism 8: $(printf '%.2f' "$(echo "$e - $s" | bc -l)") s, $(client_cpu), $(requests) requests ($(tail -1 "$work/sync.out"))"
  kill "$emu_pid"; wait "$emu_pid" 2>/dev/null || true
done

# DB-less: the whole configuration in one POST /config (decK cannot do this at all).
for latency in 0 5; do
  start_emulator --latency-ms "$latency" --database off
  for step in "create:$work/sync.yaml" "no change:$work/sync.yaml" "1% changed:$work/sync-changed.yaml"; do
    curl -s -X DELETE "$GATEWAY_KONG_ADDR/__emulator/requests" > /dev/null
    s=$EPOCHREALTIME
    /usr/bin/time -f "%U %S" -o "$work/cpu" "$bin" sync "${step#*:}" > "$work/sync.out"
    e=$EPOCHREALTIME
    echo "DB-less sync 10,002 entities (${step%%:*}), emulator latency ${latency} ms: $(printf '%.2f' "$(echo "$e - $s" | bc -l)") s, $(client_cpu), $(requests) requests ($(tail -1 "$work/sync.out"))"
  done
  kill "$emu_pid"; wait "$emu_pid" 2>/dev/null || true
done
