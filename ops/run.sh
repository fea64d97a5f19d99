#!/usr/bin/env bash
# The main job, as far as the system goes today: installs what is missing, builds in release,
# starts local Redis and PostgreSQL (state under .run/), applies migrations, runs the fast-path,
# exchange-parsing and signing benchmarks, then starts venue-sim (ops/scenarios/default.json:
# dislocations and faults), discovers the universe into generated/, creates the shared memory,
# starts the five market gateways and the opportunity detector, and shows per-source health,
# opportunities, tracks and the live top of book until Ctrl-C, which stops everything.
# Options: --keep          leave Redis and PostgreSQL running at the end
#          --futex         the detector sleeps when idle instead of keeping a CPU to itself
#          --duration S    stop by itself after S seconds (non-interactive runs)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$DRAIZER_ROOT"

keep=0
futex=0
duration=0
while [ $# -gt 0 ]; do
    case "$1" in
        --keep) keep=1 ;;
        --futex) futex=1 ;;
        --duration)
            shift
            duration=${1:-}
            [[ "$duration" =~ ^[1-9][0-9]{0,5}$ ]] || die "--duration: expected whole seconds (1-999999), was '${duration}'"
            ;;
        *) die "unknown option $1 (expected --keep, --futex or --duration S)" ;;
    esac
    shift
done

rundir="$DRAIZER_ROOT/.run"
mkdir -p "$rundir"
chmod 755 "$rundir"
# One main job per checkout: a second one would stop the first one's Redis and PostgreSQL.
exec 9>"$rundir/run.lock"
flock -n 9 || die "another main job is running in this checkout (lock $rundir/run.lock); stop it first"

# Ports checked now, not after minutes of building and benchmarks.
port=${DRAIZER_SIM_PORT:-9600}
pg_port=${DRAIZER_PG_PORT:-55432}
tcp_port_free "$port" || die "port $port (venue-sim) is in use on 127.0.0.1; stop what listens there or set DRAIZER_SIM_PORT"
if [ ! -f "$rundir/pg/data/postmaster.pid" ]; then
    tcp_port_free "$pg_port" || die "port $pg_port (PostgreSQL) is in use on 127.0.0.1; stop what listens there or set DRAIZER_PG_PORT"
fi

ensure_swift
ensure_packages "${DRAIZER_PACKAGES[@]}"

log "building (release; the first build compiles SwiftNIO and BoringSSL and takes several minutes)"
swift build -c release
bin="$(swift build -c release --show-bin-path)"
draizer="$bin/draizer"

prefix=${DRAIZER_SHM_PREFIX:-draizer}

# The detector as it is meant to run: busy-polling on the last CPU, which nothing else started
# here may use (this script and so everything it starts from now on keeps off it; the benchmarks
# below are given every CPU back). With one CPU, or --futex, it sleeps on a futex when idle and
# shares the CPUs.
cpus=$(nproc)
every_cpu=()
if [ "$futex" = 0 ] && [ "$cpus" -ge 2 ]; then
    detector_cpu=$((cpus - 1))
    taskset -p -c "0-$((cpus - 2))" $$ >/dev/null
    every_cpu=(taskset -c "0-$((cpus - 1))")
    detector_mode=(--wait busy --cpu "$detector_cpu")
    others="CPUs 0-$((cpus - 2))"
    [ "$cpus" = 2 ] && others="CPU 0"
    detector_note="busy-polling on CPU $detector_cpu, the other services on $others"
else
    detector_mode=(--wait futex)
    detector_note="sleeping on a futex when idle"
fi
pids=()
cleanup() {
    # The last started first (the detector, the gateways, then venue-sim), each waited for: no
    # service sees what it reads from go away, and logs an outage, while it is being stopped.
    local i
    for (( i = ${#pids[@]} - 1; i >= 0; i-- )); do
        kill -TERM "${pids[$i]}" 2>/dev/null || true
        wait "${pids[$i]}" 2>/dev/null || true
    done
    if [ "$keep" = 0 ]; then
        stop_redis "$rundir/redis"
        stop_postgres "$rundir/pg"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_redis "$rundir/redis"
stop_postgres "$rundir/pg"
# Without the lock's descriptor: servers left running with --keep must not hold it.
start_redis "$rundir/redis" 9>&-
start_postgres "$rundir/pg" "$pg_port" 127.0.0.1 9>&-

log "applying migrations"
"$draizer" migrate --migrations "$DRAIZER_ROOT/migrations"

log "fast-path benchmark (one JSON line per benchmark)"
"${every_cpu[@]}" "$draizer" bench fastpath

fixtures="$DRAIZER_ROOT/../shared/fixtures"
if [ -d "$fixtures/bench" ]; then
    log "parse benchmarks on the shared corpus (../shared/BENCH.md; peers: C scanner bt 162-239 ns, depth 824 ns)"
    "${every_cpu[@]}" "$draizer" bench parse bt "$fixtures/bench/binance-bookticker.jsonl"
    "${every_cpu[@]}" "$draizer" bench parse depth "$fixtures/bench/binance-depth.jsonl"
    log "request signing (ns per request)"
    "${every_cpu[@]}" "$draizer" bench sign
fi

mkdir -p "$rundir/logs"
# start_service NAME COMMAND...: COMMAND in the background, logging to .run/logs/NAME.log; stopped
# by cleanup, and checked below.
services=()
start_service() {
    local name=$1
    shift
    "$@" >"$rundir/logs/$name.log" 2>&1 &
    pids+=($!)
    services+=("$name")
}

log "starting venue-sim on 127.0.0.1:$port (scenario ops/scenarios/default.json)"
start_service venue-sim "$bin/venue-sim" --port "$port" --scenario "$DRAIZER_ROOT/ops/scenarios/default.json"
for i in $(seq 1 100); do grep -q listening "$rundir/logs/venue-sim.log" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$rundir/logs/venue-sim.log" || die "venue-sim did not start: $(tail -1 "$rundir/logs/venue-sim.log")"

log "discovering instruments (generated/)"
"$draizer" discover --sim-url "http://127.0.0.1:$port" --out "$DRAIZER_ROOT/generated" --validate

log "creating shared memory (prefix $prefix)"
"$draizer" shm remove --prefix "$prefix" >/dev/null 2>&1 || true
"$draizer" shm create --prefix "$prefix"

for exchange in binance bybit okx mexc gateio; do
    log "starting market-gateway --exchange $exchange"
    start_service "gateway-$exchange" "$bin/market-gateway" --exchange "$exchange" --universe "$DRAIZER_ROOT/generated/universe.json" \
        --sim-url "http://127.0.0.1:$port" --shm-prefix "$prefix"
done
sleep 2

log "starting opportunity-detector (tracks in .run/tracks; $detector_note)"
start_service opportunity-detector "$bin/opportunity-detector" --universe "$DRAIZER_ROOT/generated/universe.json" --shm-prefix "$prefix" \
    --tracks-dir "$rundir/tracks" "${detector_mode[@]}"
sleep 1

# A service that refused to start (or died at once) is named with its log's last line.
for i in "${!pids[@]}"; do
    kill -0 "${pids[$i]}" 2>/dev/null || die "${services[$i]} stopped: $(tail -1 "$rundir/logs/${services[$i]}.log")"
done

log "Redis streams: redis-cli -s $rundir/redis/redis.sock XREVRANGE opportunities + - COUNT 5 (also spread.tracks, md.book_ticker, md.funding)"
log "live status (Ctrl-C stops everything; logs in .run/logs)"
if [ "$duration" -gt 0 ]; then
    "$draizer" status --prefix "$prefix" --universe "$DRAIZER_ROOT/generated/universe.json" --watch --interval-millis 2000 --count $(( (duration + 1) / 2 ))
else
    "$draizer" status --prefix "$prefix" --universe "$DRAIZER_ROOT/generated/universe.json" --watch
fi

if [ "$keep" = 1 ]; then
    log "left running: REDIS_URL=$REDIS_URL DATABASE_URL=$DATABASE_URL"
fi
