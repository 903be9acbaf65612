#!/usr/bin/env bash
# realtime-gateway, soketi 1.6.1 and the bench's own reference server (`realtime-bench floor`)
# side by side, on this machine, with the same app and the same realtime-bench scenarios; prints
# every run's table, then the ratios realtime-gateway / soketi and realtime-gateway / floor.
#
#   clients/bench/side-by-side.sh            # builds (release preset), installs soketi, runs all
#   BENCH_SCENARIOS="fanout-1x1000 publish-http" clients/bench/side-by-side.sh   # a subset
#   BENCH_SERVERS="realtime-gateway floor" clients/bench/side-by-side.sh        # without soketi
#   BENCH_SCENARIOS="cluster-fanout-1x1000 cluster-fanout-1x1000-rate" ...       # scale-out only
#
# cluster-* scenarios run each server as three nodes over one redis-server (soketi with its
# Redis adapter): the publisher talks to node 1, the subscribers are spread over nodes 2 and 3,
# so every delivery crosses Redis; server CPU is the sum of the three nodes and Redis. Compare
# cluster-fanout-1x1000-rate with fanout-1x1000-rate (same rate, one node) for the Redis hop.
#
# The floor serves only what a fan-out needs (WebSocket, subscribe, HTTP publish without
# signatures), so it runs the fanout scenarios only: it is the cheapest fan-out this machine can
# do, and gateway/floor says how close realtime-gateway is to it.
#
# Everything stays on 127.0.0.1. soketi is installed from the npm registry into
# build-release/bench/soketi; results (JSON lines, logs, configs) go to build-release/bench/run-*.
# Each run gets a freshly started server, so one scenario's leftovers (heap, connections in
# TIME_WAIT) do not colour the next. The whole run takes about 7 minutes on 2 cores after the
# build (sizes are chosen for that: 1k-10k subscribers, 10 s per run, idle and connect up to the
# open-file limit).
#
# Environment: GATEWAY_THREADS (I/O threads, default 0 = one per core; the floor gets as many
# loops as the machine has cores), BENCH_THREADS (default 1), BENCH_SCENARIOS (space-separated
# names from the list below), BENCH_SERVERS (default "realtime-gateway soketi floor"),
# GATEWAY_BIN (another realtime-gateway binary, e.g. a build of an older commit), BENCH_PORT_BASE
# (default 16000; the servers listen on base+1, +51, +101, +102, +191, +201), BENCH_SKIP_BUILD=1,
# FANOUT_10K_RATE (publishes/s of fanout-1x10000-rate; default 23, half the peak realtime-gateway
# reached in fanout-1x10000-16pub here: 230k deliveries/s).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="$ROOT/build-release"
WORK="$BUILD/bench"
SOKETI_DIR="$WORK/soketi"
RUN_DIR="$WORK/run-$(date +%Y%m%d-%H%M%S)"
BENCH="$BUILD/clients/bench/realtime-bench"
GATEWAY="${GATEWAY_BIN:-$BUILD/gateway/realtime-gateway}"

# Fixed ports, shifted by BENCH_PORT_BASE: two runs at once on one machine must use different
# bases, or their servers share each port (SO_REUSEPORT) and split each other's connections.
PORT_BASE="${BENCH_PORT_BASE:-16000}"
GW_PORT=$((PORT_BASE + 1))
GW_GRPC_PORT=$((PORT_BASE + 51))
SOKETI_PORT=$((PORT_BASE + 101))
SOKETI_METRICS_PORT=$((PORT_BASE + 191))
SOKETI_CLUSTER_PORT=$((PORT_BASE + 102))
FLOOR_PORT=$((PORT_BASE + 201))
REDIS_PORT=$((PORT_BASE + 301))
# Cluster nodes 1..3: WebSocket/HTTP on base+310+i (gateway), base+320+i (soketi).
CLUSTER_GW_BASE=$((PORT_BASE + 310))
CLUSTER_GW_GRPC_BASE=$((PORT_BASE + 330))
CLUSTER_SOKETI_BASE=$((PORT_BASE + 320))
CLUSTER_SOKETI_METRICS_BASE=$((PORT_BASE + 340))
CLUSTER_SOKETI_CLUSTER_BASE=$((PORT_BASE + 350))
APP_ID=bench-app
APP_KEY=bench-key
APP_SECRET=bench-secret
BENCH_THREADS="${BENCH_THREADS:-1}"
GATEWAY_THREADS="${GATEWAY_THREADS:-0}"
SERVERS="${BENCH_SERVERS:-realtime-gateway soketi floor}"
want_server() { [[ " $SERVERS " == *" $1 "* ]]; }

say() { printf '\n== %s\n' "$*"; }

# --- build --------------------------------------------------------------------------------------
cd "$ROOT"
mkdir -p "$RUN_DIR"
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  say "build (release preset; log in $RUN_DIR/build.log)"
  if ! { cmake --preset release && cmake --build --preset release --target realtime-gateway \
           realtime-bench; } >"$RUN_DIR/build.log" 2>&1; then
    tail -30 "$RUN_DIR/build.log"
    exit 1
  fi
fi

# --- soketi 1.6.1 from the npm registry -------------------------------------------------------
SOKETI_MAIN="$SOKETI_DIR/node_modules/@soketi/soketi/bin/server.js"
if want_server soketi && ! grep -qs '"version": "1.6.1"' "$SOKETI_DIR/node_modules/@soketi/soketi/package.json"; then
  say "install soketi 1.6.1 into $SOKETI_DIR"
  mkdir -p "$SOKETI_DIR"
  # uWebSockets.js is pinned by soketi to a git host that is not reachable; a published build of
  # the same version stands in for it.
  cat >"$SOKETI_DIR/package.json" <<'EOF'
{
  "name": "realtime-bench-soketi",
  "private": true,
  "dependencies": { "@soketi/soketi": "1.6.1" },
  "overrides": { "uWebSockets.js": "npm:@trufflesuite/uws-js-unofficial@20.30.0-unofficial.0" }
}
EOF
  (cd "$SOKETI_DIR" && npm install --no-audit --no-fund --loglevel=error)
fi

# --- configs: one app, client events on, no per-client rate limits on either server ------------
cat >"$RUN_DIR/gateway-config.json" <<EOF
{
  "host": "127.0.0.1", "port": $GW_PORT, "grpc_port": $GW_GRPC_PORT,
  "threads": $GATEWAY_THREADS, "log_level": "warn",
  "apps": [{"id": "$APP_ID", "key": "$APP_KEY", "secret": "$APP_SECRET",
            "enable_client_messages": true, "max_client_events_per_second": 0}]
}
EOF
cat >"$RUN_DIR/soketi-config.json" <<EOF
{
  "host": "127.0.0.1", "port": $SOKETI_PORT,
  "metrics.host": "127.0.0.1", "metrics.port": $SOKETI_METRICS_PORT,
  "cluster.address": "127.0.0.1", "cluster.hostname": "127.0.0.1",
  "cluster.broadcast": "127.255.255.255", "cluster.port": $SOKETI_CLUSTER_PORT,
  "appManager.array.apps": [{"id": "$APP_ID", "key": "$APP_KEY", "secret": "$APP_SECRET",
    "enabled": true, "enableClientMessages": true, "maxConnections": -1,
    "maxBackendEventsPerSecond": -1, "maxClientEventsPerSecond": -1,
    "maxReadRequestsPerSecond": -1, "webhooks": []}]
}
EOF

# Every connection is a descriptor, in the bench and in the server: take the whole hard limit.
ulimit -n "$(ulimit -Hn)"
FD_LIMIT="$(ulimit -n)"
# The largest idle step both processes can hold, leaving room for listeners and the HTTP API.
MAX_IDLE=$(( FD_LIMIT - 500 ))
if (( MAX_IDLE > 50000 )); then MAX_IDLE=50000; fi
if (( MAX_IDLE >= 50000 )); then IDLE_STEPS="1000,10000,50000"; else IDLE_STEPS="1000,10000,$MAX_IDLE"; fi

# --- the scenarios: name|arguments (the same for both servers unless marked gateway-only) -------
SCENARIO_LIST=(
  "connect-5000|connect --connections 5000 --duration 30"
  "connect-max|connect --connections $MAX_IDLE --connect-concurrency 1024 --duration 30"
  "idle|idle --steps $IDLE_STEPS --duration 5"
  "fanout-1x1000|fanout --connections 1000 --channels 1 --publishers 4 --duration 10"
  "fanout-1x1000-rate|fanout --connections 1000 --channels 1 --rate 50 --duration 10"
  "fanout-1x10000|fanout --connections 10000 --channels 1 --publishers 4 --duration 10"
  "fanout-1x1000-16pub|fanout --connections 1000 --channels 1 --publishers 16 --duration 10"
  "fanout-1x10000-16pub|fanout --connections 10000 --channels 1 --publishers 16 --duration 10"
  "fanout-1x1000-batch|fanout --connections 1000 --channels 1 --publishers 4 --batch 10 --duration 10"
  "fanout-1x10000-batch|fanout --connections 10000 --channels 1 --publishers 4 --batch 10 --duration 10"
  "fanout-1x10000-rate|fanout --connections 10000 --channels 1 --rate ${FANOUT_10K_RATE:-23} --duration 10"
  "fanout-100x20|fanout --connections 2000 --channels 100 --publishers 4 --duration 10"
  "fanout-100x20-rate|fanout --connections 2000 --channels 100 --rate 1000 --duration 10"
  "client-events-50x10|client-events --connections 500 --channels 50 --rate 5000 --duration 10"
  "publish-http|publish --publishers 8 --duration 10"
  # permessage-deflate (gateway/README.md, "Compression"): a realistic 1.2 KB chat broadcast and a
  # small 150-byte one, offered compression (--compress, as browsers do) or not. soketi 1.6.1
  # cannot switch compression on (its uWebSockets app sets none), so it declines the offer.
  "fanout-1x1000-json1200|fanout --connections 1000 --channels 1 --payload json --payload-bytes 1200 --publishers 4 --duration 10"
  "fanout-1x1000-json1200-deflate|fanout --connections 1000 --channels 1 --payload json --payload-bytes 1200 --publishers 4 --duration 10 --compress"
  "fanout-1x10000-json1200|fanout --connections 10000 --channels 1 --payload json --payload-bytes 1200 --publishers 4 --duration 10"
  "fanout-1x10000-json1200-deflate|fanout --connections 10000 --channels 1 --payload json --payload-bytes 1200 --publishers 4 --duration 10 --compress"
  # The same load offered to both forms (and both servers): server CPU per delivery at equal
  # batching, where full-speed runs on a busy machine differ in how much CPU each got.
  "fanout-1x1000-json1200-rate|fanout --connections 1000 --channels 1 --payload json --payload-bytes 1200 --rate 25 --duration 10"
  "fanout-1x1000-json1200-deflate-rate|fanout --connections 1000 --channels 1 --payload json --payload-bytes 1200 --rate 25 --duration 10 --compress"
  "fanout-1x10000-json1200-rate|fanout --connections 10000 --channels 1 --payload json --payload-bytes 1200 --rate 2.5 --duration 10"
  "fanout-1x10000-json1200-deflate-rate|fanout --connections 10000 --channels 1 --payload json --payload-bytes 1200 --rate 2.5 --duration 10 --compress"
  "fanout-1x1000-json150|fanout --connections 1000 --channels 1 --payload json --payload-bytes 150 --publishers 4 --duration 10"
  "fanout-1x1000-json150-deflate|fanout --connections 1000 --channels 1 --payload json --payload-bytes 150 --publishers 4 --duration 10 --compress"
  "fanout-1x10000-json150|fanout --connections 10000 --channels 1 --payload json --payload-bytes 150 --publishers 4 --duration 10"
  "fanout-1x10000-json150-deflate|fanout --connections 10000 --channels 1 --payload json --payload-bytes 150 --publishers 4 --duration 10 --compress"
  "idle-deflate|idle --steps $IDLE_STEPS --duration 5 --compress"
  "fanout-1x1000-grpc-rate|gateway-only fanout --connections 1000 --channels 1 --publisher grpc --rate 50 --duration 10"
  "fanout-1x1000-grpc|gateway-only fanout --connections 1000 --channels 1 --publisher grpc --publishers 4 --duration 10"
  "publish-grpc|gateway-only publish --publisher grpc --publishers 8 --duration 10"
  "cluster-fanout-1x1000|cluster fanout --connections 1000 --channels 1 --publishers 4 --duration 10"
  "cluster-fanout-1x1000-16pub|cluster fanout --connections 1000 --channels 1 --publishers 16 --duration 10"
  "cluster-fanout-1x1000-rate|cluster fanout --connections 1000 --channels 1 --rate 50 --duration 10"
  "cluster-fanout-1x10000|cluster fanout --connections 10000 --channels 1 --publishers 16 --duration 10"
)
SELECTED="${BENCH_SCENARIOS:-}"

SERVER_PID=""
# A port someone else listens on would be shared, not refused (SO_REUSEPORT): stop instead.
require_free_port() {
  if ss -Hltn "sport = :$1" | grep -q .; then
    echo "port $1 is in use (another benchmark run?); set BENCH_PORT_BASE to another base" >&2
    exit 1
  fi
}
start_gateway() {
  require_free_port "$GW_PORT"
  require_free_port "$GW_GRPC_PORT"
  "$GATEWAY" --config "$RUN_DIR/gateway-config.json" >>"$RUN_DIR/gateway.log" 2>&1 &
  SERVER_PID=$!
  wait_ready "http://127.0.0.1:$GW_PORT/readyz"
}
start_floor() {
  require_free_port "$FLOOR_PORT"
  "$BENCH" floor --url "ws://127.0.0.1:$FLOOR_PORT" >>"$RUN_DIR/floor.log" 2>&1 &
  SERVER_PID=$!
  wait_ready "http://127.0.0.1:$FLOOR_PORT/ready"
}
start_soketi() {
  require_free_port "$SOKETI_PORT"
  node "$SOKETI_MAIN" start --config="$RUN_DIR/soketi-config.json" >>"$RUN_DIR/soketi.log" 2>&1 &
  SERVER_PID=$!
  wait_ready "http://127.0.0.1:$SOKETI_PORT/ready"
}
wait_ready() {
  for _ in $(seq 1 150); do
    if curl -fs -o /dev/null "$1"; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "server exited; see $RUN_DIR/*.log" >&2; exit 1; fi
    sleep 0.1
  done
  echo "server not ready at $1" >&2
  exit 1
}
# A cluster: redis-server and three nodes of the server; CLUSTER_PIDS (nodes, then Redis) and
# CLUSTER_URLS (node 1 first) describe it.
CLUSTER_PIDS=()
CLUSTER_URLS=()
start_cluster() {  # server-name
  require_free_port "$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    >>"$RUN_DIR/redis.log" 2>&1 &
  local redis_pid=$!
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  CLUSTER_PIDS=()
  CLUSTER_URLS=()
  for node in 1 2 3; do
    if [[ "$1" == realtime-gateway ]]; then
      local port=$((CLUSTER_GW_BASE + node))
      require_free_port "$port"
      sed -e "s/\"port\": $GW_PORT/\"port\": $port/" \
          -e "s/\"grpc_port\": $GW_GRPC_PORT/\"grpc_port\": $((CLUSTER_GW_GRPC_BASE + node))/" \
          -e "s#\"threads\"#\"redis_url\": \"redis://127.0.0.1:$REDIS_PORT\", \"threads\"#" \
          "$RUN_DIR/gateway-config.json" >"$RUN_DIR/gateway-node$node.json"
      "$GATEWAY" --config "$RUN_DIR/gateway-node$node.json" >>"$RUN_DIR/gateway-node$node.log" 2>&1 &
      SERVER_PID=$!
      wait_ready "http://127.0.0.1:$port/readyz"
    else
      local port=$((CLUSTER_SOKETI_BASE + node))
      require_free_port "$port"
      sed -e "s/\"port\": $SOKETI_PORT/\"port\": $port/" \
          -e "s/\"metrics.port\": $SOKETI_METRICS_PORT/\"metrics.port\": $((CLUSTER_SOKETI_METRICS_BASE + node))/" \
          -e "s/\"cluster.port\": $SOKETI_CLUSTER_PORT/\"cluster.port\": $((CLUSTER_SOKETI_CLUSTER_BASE + node))/" \
          -e "s#\"host\": \"127.0.0.1\",#\"host\": \"127.0.0.1\", \"adapter.driver\": \"redis\", \"adapter.redis.prefix\": \"bench\", \"database.redis.host\": \"127.0.0.1\", \"database.redis.port\": $REDIS_PORT,#" \
          "$RUN_DIR/soketi-config.json" >"$RUN_DIR/soketi-node$node.json"
      node "$SOKETI_MAIN" start --config="$RUN_DIR/soketi-node$node.json" \
        >>"$RUN_DIR/soketi-node$node.log" 2>&1 &
      SERVER_PID=$!
      wait_ready "http://127.0.0.1:$port/ready"
    fi
    CLUSTER_PIDS+=("$SERVER_PID")
    CLUSTER_URLS+=("ws://127.0.0.1:$port")
  done
  CLUSTER_PIDS+=("$redis_pid")
  SERVER_PID=""
}
stop_cluster() {
  for pid in "${CLUSTER_PIDS[@]}"; do SERVER_PID=$pid; stop_server; done
  CLUSTER_PIDS=()
}

stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
trap 'stop_server; stop_cluster' EXIT

run_cluster() {  # server-name scenario-name args...
  local server="$1" name="$2"
  shift 2
  start_cluster "$server"
  local pids
  pids=$(IFS=,; echo "${CLUSTER_PIDS[*]}")
  local command=("$BENCH" "$@" --url "${CLUSTER_URLS[0]}"
                 --subscriber-urls "${CLUSTER_URLS[1]},${CLUSTER_URLS[2]}"
                 --app-id "$APP_ID" --key "$APP_KEY" --secret "$APP_SECRET"
                 --server-pid "$pids" --label "$server (3 nodes + Redis)" --name "$name"
                 --threads "$BENCH_THREADS" --json-file "$RUN_DIR/results-$server.json")
  echo "\$ ${command[*]#"$ROOT/"}" >>"$RUN_DIR/commands.txt"
  "${command[@]}" 2>>"$RUN_DIR/progress.log" || echo "($name against $server failed; see progress.log)"
  stop_cluster
  echo
}

run_one() {  # server-name scenario-name args...
  local server="$1" name="$2"
  shift 2
  if [[ "$1" == cluster ]]; then shift; run_cluster "$server" "$name" "$@"; return; fi
  local url
  case "$server" in
    realtime-gateway) start_gateway; url="ws://127.0.0.1:$GW_PORT" ;;
    floor) start_floor; url="ws://127.0.0.1:$FLOOR_PORT" ;;
    *) start_soketi; url="ws://127.0.0.1:$SOKETI_PORT" ;;
  esac
  local command=("$BENCH" "$@" --url "$url" --app-id "$APP_ID" --key "$APP_KEY"
                 --secret "$APP_SECRET" --server-pid "$SERVER_PID" --label "$server"
                 --name "$name" --threads "$BENCH_THREADS"
                 --json-file "$RUN_DIR/results-$server.json")
  if [[ "$server" == realtime-gateway ]]; then command+=(--grpc "127.0.0.1:$GW_GRPC_PORT"); fi
  echo "\$ ${command[*]#"$ROOT/"}" >>"$RUN_DIR/commands.txt"
  "${command[@]}" 2>>"$RUN_DIR/progress.log" || echo "($name against $server failed; see progress.log)"
  stop_server
  echo
}

say "machine"
echo "nproc: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory: $(free -g | awk '/Mem:/ {print $2 " GiB"}'); kernel: $(uname -r); open files: $FD_LIMIT"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "realtime-gateway: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+changes'), threads=$GATEWAY_THREADS"
echo "soketi: 1.6.1 on node $(node --version); bench threads: $BENCH_THREADS"
echo "servers: $SERVERS; gateway binary: ${GATEWAY#"$ROOT/"}"
echo "results: $RUN_DIR"

for entry in "${SCENARIO_LIST[@]}"; do
  name="${entry%%|*}"
  args="${entry#*|}"
  if [[ -n "$SELECTED" && " $SELECTED " != *" $name "* ]]; then continue; fi
  servers=(realtime-gateway soketi)
  if [[ "$name" == fanout-* ]]; then servers+=(floor); fi
  if [[ "$args" == gateway-only* ]]; then servers=(realtime-gateway); args="${args#gateway-only }"; fi
  for server in "${servers[@]}"; do
    want_server "$server" || continue
    say "$name: $server (load $(cut -d' ' -f1-3 /proc/loadavg))"
    # shellcheck disable=SC2086  # the argument list is split on purpose
    run_one "$server" "$name" $args
  done
done

for other in soketi floor; do
  [[ -s "$RUN_DIR/results-realtime-gateway.json" && -s "$RUN_DIR/results-$other.json" ]] || continue
  say "ratios (A = realtime-gateway, B = $other; 'better' names the winner of each metric)"
  "$BENCH" compare "$RUN_DIR/results-realtime-gateway.json" "$RUN_DIR/results-$other.json"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
