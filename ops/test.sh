#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, starts a throwaway Redis and
# PostgreSQL, runs every test against them, and stops them whatever the outcome.
# Extra arguments go to `swift test` (e.g. --filter RedisBusTests).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$DRAIZER_ROOT"

ensure_swift
# python3-yaml: the compose file check reads YAML with it (tests only).
ensure_packages "${DRAIZER_PACKAGES[@]}" python3-yaml

# Exchange recordings and signing vectors live beside the repository, in ../shared/fixtures.
fixtures=${DRAIZER_FIXTURES:-$DRAIZER_ROOT/../shared/fixtures}
[ -d "$fixtures" ] || die "expected the exchange fixtures in $fixtures (../shared beside the repository, or set DRAIZER_FIXTURES)"
export DRAIZER_FIXTURES="$(cd "$fixtures" && pwd)"

log "building (debug, with tests)"
swift build --build-tests

workdir=$(mktemp -d /tmp/draizer-test.XXXXXX)
chmod 755 "$workdir"
cleanup() {
    stop_redis "$workdir/redis"
    stop_postgres "$workdir/pg"
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_redis "$workdir/redis"
start_postgres "$workdir/pg" 5432
export DRAIZER_TEST_REDIS_URL="$REDIS_URL"
export DRAIZER_TEST_DATABASE_URL="$DATABASE_URL"
export DRAIZER_MIGRATIONS_DIR="$DRAIZER_ROOT/migrations"
# Tests name their servers through DRAIZER_TEST_*; commands they run (discover, gateways) must not
# write into the throwaway database's default schema on their own.
unset DATABASE_URL

if [ "$#" -gt 0 ]; then
    log "running tests: $*"
    swift test --skip-build "$@"
    exit 0
fi
# The detector's process tests hold venue-sim, gateways and the detector to a 50 ms
# injection-to-decision bound on real sockets. That bound is about the system, not about
# sharing two cores with sixty other suites and their child processes, so those tests run
# second, alone; everything else runs first, in parallel.
timed_suites='DetectorProcessTests'
# Both runs always happen; the script fails if either did.
status=0
log "running tests (all but $timed_suites)"
swift test --skip-build --skip "$timed_suites" || status=$?
log "running tests ($timed_suites, alone)"
swift test --skip-build --filter "$timed_suites" || status=$?
exit "$status"
