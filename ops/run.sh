#!/usr/bin/env bash
# The main job, as far as the system goes today: installs what is missing, builds in release,
# starts local Redis and PostgreSQL (state under .run/), applies migrations, creates the shared
# memory, runs the fast-path, exchange-parsing and signing benchmarks and shows the shared
# memory. Ctrl-C stops everything.
# Options: --keep  leave Redis and PostgreSQL running at the end (prints how to reach them).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$DRAIZER_ROOT"

keep=0
for arg in "$@"; do
    case "$arg" in
        --keep) keep=1 ;;
        *) die "unknown option $arg (expected --keep)" ;;
    esac
done

ensure_swift
ensure_packages "${DRAIZER_PACKAGES[@]}"

log "building (release)"
swift build -c release --product draizer
draizer="$(swift build -c release --show-bin-path)/draizer"

rundir="$DRAIZER_ROOT/.run"
mkdir -p "$rundir"
chmod 755 "$rundir"
prefix=${DRAIZER_SHM_PREFIX:-draizer}
cleanup() {
    if [ "$keep" = 0 ]; then
        stop_redis "$rundir/redis"
        stop_postgres "$rundir/pg"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_redis "$rundir/redis"
stop_postgres "$rundir/pg"
start_redis "$rundir/redis"
start_postgres "$rundir/pg" "${DRAIZER_PG_PORT:-55432}" 127.0.0.1

log "applying migrations"
"$draizer" migrate --migrations "$DRAIZER_ROOT/migrations"

log "creating shared memory (prefix $prefix)"
"$draizer" shm remove --prefix "$prefix" >/dev/null 2>&1 || true
"$draizer" shm create --prefix "$prefix"

log "fast-path benchmark (one JSON line per benchmark)"
"$draizer" bench fastpath

fixtures="$DRAIZER_ROOT/../shared/fixtures"
if [ -d "$fixtures/bench" ]; then
    log "parse benchmarks on the shared corpus (../shared/BENCH.md; peers: C scanner bt 162-239 ns, depth 824 ns)"
    "$draizer" bench parse bt "$fixtures/bench/binance-bookticker.jsonl"
    "$draizer" bench parse depth "$fixtures/bench/binance-depth.jsonl"
    log "request signing (ns per request)"
    "$draizer" bench sign
fi

log "shared memory"
"$draizer" shm inspect --prefix "$prefix"

if [ "$keep" = 1 ]; then
    log "left running: REDIS_URL=$REDIS_URL DATABASE_URL=$DATABASE_URL"
fi
