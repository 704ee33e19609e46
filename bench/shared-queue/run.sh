#!/usr/bin/env bash
# Measures the send rate of one, two and three `lifeline serve` daemons sharing one queue on
# PostgreSQL, all sending through one SMSC simulator (`lifeline simulate smsc`, a separate process).
#
# The script starts its own PostgreSQL server (Debian's binaries under /usr/lib/postgresql) in a
# temporary directory on 127.0.0.1 with a free port, as the postgres user when run as root, and
# removes it at the end. For each daemon count it creates a fresh database, starts the simulator
# and the daemons (each its own `node`), queues one bulk broadcast with `lifeline broadcast`, and
# times from the broadcast's exit to the last message `delivered` (the delivery receipt applied),
# polling the database every 100 ms. Rate = messages / that time.
#
# The server runs with fsync=on and, unless SYNCHRONOUS_COMMIT=off, synchronous_commit=on (the
# defaults), so the figures include the commit cost a real shared queue pays.
#
# Environment: COUNTS ("1 2 3"), SYNCHRONOUS_COMMIT (on), MESSAGES (5000), RECEIPT_DELAY (20ms), RUN_TIMEOUT (seconds per
# run, 300), LIFELINE (the binary; default .build/release/lifeline, built unless SKIP_BUILD=1),
# KEEP_WORK=1 keeps the configs and logs.
# Output: one line per daemon count on stdout: `daemons=N messages=M seconds=S rate=R`.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
COUNTS=${COUNTS:-"1 2 3"}
MESSAGES=${MESSAGES:-5000}
RECEIPT_DELAY=${RECEIPT_DELAY:-20ms}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
SYNCHRONOUS_COMMIT=${SYNCHRONOUS_COMMIT:-on}
LIFELINE=${LIFELINE:-$ROOT/.build/release/lifeline}
SMPP_USER=lifeline
SMPP_PASSWORD=secret
PG_USER=lifeline_bench

WORK=$(mktemp -d /tmp/lifeline-shared-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=()
PG_BIN=""
RUN_AS=()

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Stops the processes started since the last call, newest first, and waits for them.
stop_started() {
    local index pid
    for ((index = ${#PIDS[@]} - 1; index >= 0; index--)); do
        pid=${PIDS[index]}
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
}

cleanup() {
    stop_started
    if [[ -n "$PG_BIN" && -d "$WORK/pg/data" ]]; then
        "${RUN_AS[@]}" "$PG_BIN/pg_ctl" stop -w -t 60 -D "$WORK/pg/data" -m fast >/dev/null 2>&1 || true
    fi
    if [[ "${KEEP_WORK:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits (at most $2 seconds) until the command in $1 succeeds.
wait_for() {
    local command=$1 seconds=$2
    for _ in $(seq $((seconds * 10))); do
        if eval "$command" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    log "gave up waiting for: $command"
    return 1
}

start_postgres() {
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
        log "PostgreSQL's server binaries were not found; run bash deploy/bootstrap.sh"
        exit 1
    fi
    mkdir -p "$WORK/pg"
    PG_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
    printf '%s' "$PG_PASSWORD" >"$WORK/pg/password"
    if [[ $(id -u) == 0 ]]; then
        RUN_AS=(/usr/sbin/runuser -u postgres --)
        chown -R postgres "$WORK/pg"
    fi
    "${RUN_AS[@]}" "$PG_BIN/initdb" -D "$WORK/pg/data" -U "$PG_USER" --pwfile="$WORK/pg/password" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"$WORK/initdb.log" 2>&1
    PG_PORT=$(free_port)
    "${RUN_AS[@]}" "$PG_BIN/pg_ctl" start -w -t 60 -D "$WORK/pg/data" -l "$WORK/pg/server.log" \
        -o "-h 127.0.0.1 -p $PG_PORT -k $WORK/pg -c max_connections=100 -c synchronous_commit=$SYNCHRONOUS_COMMIT" >/dev/null
    export PGPASSWORD=$PG_PASSWORD
    log "PostgreSQL on 127.0.0.1:$PG_PORT"
}

sql() {
    psql -X -q -t -A -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$1" -c "$2"
}

# Writes the config of one box into $1 for database $2, SMSC port $3, node $4.
write_config() {
    local directory=$1 database=$2 smsc_port=$3 node=$4
    mkdir -p "$directory"
    printf '%s' "$PG_PASSWORD" >"$directory/database.password"
    printf '%s' "$SMPP_PASSWORD" >"$directory/smpp.password"
    chmod 600 "$directory/database.password" "$directory/smpp.password"
    cat >"$directory/lifeline.yaml" <<EOF
database: postgresql://$PG_USER@127.0.0.1:$PG_PORT/$database
database_password_file: database.password
node: $node
log_level: info
providers:
  - id: carrier
    type: smpp
    host: 127.0.0.1
    port: $smsc_port
    system_id: $SMPP_USER
    password_file: smpp.password
    window: 10
EOF
}

# One run with $1 daemons; prints its result line.
run_once() {
    local daemons=$1 database="bench_$1" run="$WORK/run-$1" index
    mkdir -p "$run"
    sql postgres "CREATE DATABASE $database" >/dev/null

    "$LIFELINE" simulate smsc --system-id "$SMPP_USER" --password "$SMPP_PASSWORD" \
        --receipt-delay "$RECEIPT_DELAY" >"$run/sim.out" 2>"$run/sim.err" &
    PIDS+=($!)
    wait_for "test -s '$run/sim.out'" 10
    local smsc_port
    smsc_port=$(head -n 1 "$run/sim.out")

    for index in $(seq "$daemons"); do
        write_config "$run/box-$index" "$database" "$smsc_port" "box-$index"
        "$LIFELINE" serve --config "$run/box-$index/lifeline.yaml" >"$run/box-$index/daemon.log" 2>&1 &
        PIDS+=($!)
    done
    for index in $(seq "$daemons"); do
        wait_for "grep -q 'Daemon started' '$run/box-$index/daemon.log'" 60
    done

    python3 -c "
import sys
print('number')
for i in range($MESSAGES):
    print('+4477009%05d' % i)
" >"$run/numbers.csv"
    "$LIFELINE" broadcast --config "$run/box-1/lifeline.yaml" --to-file "$run/numbers.csv" \
        --text "Lifeline benchmark: drill at 10:00, assemble in Hall B." --priority bulk --json >"$run/broadcast.json"
    local start end delivered=0
    start=$(date +%s.%N)
    local deadline=$(($(date +%s) + RUN_TIMEOUT))
    while (($(date +%s) < deadline)); do
        delivered=$(sql "$database" "SELECT COUNT(*) FROM sms_queue WHERE state = 'delivered'")
        if ((delivered >= MESSAGES)); then break; fi
        sleep 0.1
    done
    end=$(date +%s.%N)
    stop_started
    sql postgres "DROP DATABASE $database WITH (FORCE)" >/dev/null
    if ((delivered < MESSAGES)); then
        log "run with $daemons daemons: only $delivered of $MESSAGES delivered within ${RUN_TIMEOUT}s"
        return 1
    fi
    python3 -c "
seconds = $end - $start
print(f'daemons=$daemons messages=$MESSAGES seconds={seconds:.2f} rate={$MESSAGES / seconds:.1f}')
"
}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    log "building the release binary"
    (cd "$ROOT" && swift build -c release --product lifeline --static-swift-stdlib >&2)
fi
start_postgres
log "commit $(git -C "$ROOT" rev-parse --short HEAD), synchronous_commit=$SYNCHRONOUS_COMMIT, load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
for daemons in $COUNTS; do
    run_once "$daemons"
done
log "load average after the runs $(cut -d ' ' -f 1-3 /proc/loadavg)"
