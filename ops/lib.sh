# Shared shell functions for ops/ scripts: installing what is missing and running throwaway
# Redis and PostgreSQL servers. Source it; do not run it.

DRAIZER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Debian packages every build and test needs (C libraries, servers, pkg-config for SwiftPM).
DRAIZER_PACKAGES=(libhiredis-dev liburing-dev libssl-dev libpq-dev redis-server postgresql pkg-config)

log() { printf '[draizer] %s\n' "$*" >&2; }
die() { printf '[draizer] error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Puts the Swift toolchain on PATH (it lives in /opt/swift on our machines).
ensure_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        [ -x /opt/swift/usr/bin/swift ] || die "expected a Swift 6 toolchain on PATH or in /opt/swift, found none"
        export PATH="/opt/swift/usr/bin:$PATH"
    fi
}

# Installs the named Debian packages that are not installed yet (apt-get update only if needed).
ensure_packages() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    # The postgresql package's own cluster is not used; keep it from starting where possible.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

postgres_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] || die "expected PostgreSQL server binaries in /usr/lib/postgresql/*/bin, found none"
    echo "$dir"
}

# tcp_port_free PORT: true when nothing listens on 127.0.0.1:PORT.
tcp_port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Runs a command as the postgres user when we are root (initdb refuses to run as root).
as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_redis DIR: a Redis on a Unix socket in DIR (no TCP, no persistence). Sets REDIS_URL.
start_redis() {
    local dir=$1
    mkdir -p "$dir"
    cat >"$dir/redis.conf" <<CONF
port 0
unixsocket $dir/redis.sock
unixsocketperm 700
dir $dir
save ""
appendonly no
daemonize yes
pidfile $dir/redis.pid
logfile $dir/redis.log
CONF
    redis-server "$dir/redis.conf" || die "redis-server did not start (see $dir/redis.log)"
    local i
    for i in $(seq 1 100); do
        redis-cli -s "$dir/redis.sock" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    redis-cli -s "$dir/redis.sock" ping >/dev/null 2>&1 || die "redis did not answer on $dir/redis.sock (see $dir/redis.log)"
    export REDIS_URL="unix://$dir/redis.sock"
    log "redis ready: $REDIS_URL"
}

stop_redis() {
    local dir=$1
    # Read once: Redis removes its pid file as it exits, between a check and a second read.
    local pid
    pid=$(cat "$dir/redis.pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

# start_postgres DIR PORT [LISTEN]: a fresh cluster in DIR, socket in DIR, owned by a non-root
# user, fsync off (throwaway). LISTEN is a TCP address list ('' = Unix socket only). Sets DATABASE_URL.
start_postgres() {
    local dir=$1 port=$2 listen=${3:-}
    local bin
    bin=$(postgres_bin)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
            || die "initdb failed (see $dir/initdb.log)"
    fi
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-k $dir -p $port -c listen_addresses='$listen' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || die "postgres did not start (see $dir/postgres.log)"
    export DATABASE_URL="postgresql:///postgres?host=$dir&port=$port&user=postgres"
    log "postgres ready: $DATABASE_URL"
}

stop_postgres() {
    local dir=$1
    [ -f "$dir/data/postmaster.pid" ] || return 0
    as_postgres "$(postgres_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}
