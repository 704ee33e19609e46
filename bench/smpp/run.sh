#!/usr/bin/env bash
# Compares Lifeline's SMPP path with Kannel 1.4.5 against the same SMSC simulator
# (`lifeline simulate smsc`) on 127.0.0.1, with the same window and the same message counts.
#
# For each count, one after the other:
#   Kannel:   bearerbox (SMPP transceiver to the simulator, max-pending-submits = window) and
#             smsbox fed by parallel keep-alive HTTP clients on sendsms (kannel_load.py); receipts
#             are requested with dlr-mask 3 and counted through the dlr-url.
#             Peak RSS: VmHWM of bearerbox plus smsbox.
#   Lifeline: `lifeline bench smpp` (the real daemon over one SMPP link, messages queued as one
#             broadcast). Peak RSS: ru_maxrss of that process.
# Each run gets a fresh simulator. Both figures run from the first submission to the last
# delivery receipt applied.
#
# Environment: COUNTS ("5000 20000"), WINDOW (10), CLIENTS (20), RECEIPT_DELAY (20ms),
# LIFELINE (the binary; default .build/release/lifeline, built unless SKIP_BUILD=1),
# RUN_TIMEOUT (seconds per run, 600), KANNEL_STORE (empty, spool or file), KEEP_WORK=1 keeps
# the configs and logs.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
COUNTS=${COUNTS:-"5000 20000"}
WINDOW=${WINDOW:-10}
CLIENTS=${CLIENTS:-20}
RECEIPT_DELAY=${RECEIPT_DELAY:-20ms}
RUN_TIMEOUT=${RUN_TIMEOUT:-600}
LIFELINE=${LIFELINE:-$ROOT/.build/release/lifeline}
TEXT="Lifeline benchmark: drill at 10:00, assemble in Hall B."
SMPP_USER=lifeline
SMPP_PASSWORD=secret

WORK=$(mktemp -d /tmp/lifeline-smpp-bench.XXXXXX)
PIDS=()

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    PIDS=()
    if [[ "${KEEP_WORK:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# The 1-minute load average, to judge how much other work shared the machine during a run.
load_average() { cut -d' ' -f1 /proc/loadavg; }

# Stops the processes started since the last call, in reverse order, and waits for them.
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

ensure_kannel() {
    if dpkg -s kannel kannel-extras >/dev/null 2>&1; then return; fi
    log "installing kannel and kannel-extras"
    export DEBIAN_FRONTEND=noninteractive
    if ! timeout 900 apt-get install -y --no-install-recommends kannel kannel-extras; then
        timeout 300 apt-get update
        timeout 900 apt-get install -y --no-install-recommends kannel kannel-extras
    fi
}

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

# Starts a fresh simulator; sets SIM_PORT.
start_simulator() {
    local name=$1
    "$LIFELINE" simulate smsc --system-id "$SMPP_USER" --password "$SMPP_PASSWORD" \
        --receipt-delay "$RECEIPT_DELAY" >"$WORK/$name-sim.out" 2>"$WORK/$name-sim.err" &
    PIDS+=($!)
    wait_for "test -s '$WORK/$name-sim.out'" 10
    SIM_PORT=$(head -n 1 "$WORK/$name-sim.out")
}

# Kannel keeps queued messages in memory unless a store is configured; KANNEL_STORE=spool or
# KANNEL_STORE=file turns one on, for a run closer to Lifeline's durable queue.
kannel_store_lines() {
    if [[ -n "${KANNEL_STORE:-}" ]]; then
        mkdir -p "$WORK/store"
        if [[ $KANNEL_STORE == spool ]]; then
            printf 'store-type = spool\nstore-location = "%s/store"\n' "$WORK"
        else
            printf 'store-type = file\nstore-location = "%s/store/kannel.store"\n' "$WORK"
        fi
    fi
}

write_kannel_config() {
    local conf=$1 admin_port=$2 box_port=$3 sendsms_port=$4
    cat >"$conf" <<EOF
group = core
admin-port = $admin_port
admin-password = bench
admin-allow-ip = 127.0.0.1
smsbox-port = $box_port
box-allow-ip = 127.0.0.1
log-file = "$WORK/bearerbox.log"
log-level = ${KANNEL_LOG_LEVEL:-3}
dlr-storage = internal
$(kannel_store_lines)

group = smsc
smsc = smpp
smsc-id = simulator
host = 127.0.0.1
port = $SIM_PORT
transceiver-mode = true
smsc-username = $SMPP_USER
smsc-password = $SMPP_PASSWORD
system-type = ""
max-pending-submits = $WINDOW
enquire-link-interval = 30
reconnect-delay = 1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $box_port
sendsms-port = $sendsms_port
log-file = "$WORK/smsbox.log"
log-level = ${KANNEL_LOG_LEVEL:-3}

group = sendsms-user
username = bench
password = benchpw
user-allow-ip = 127.0.0.1
max-messages = 1
concatenation = false

group = sms-service
keyword = default
text = "No service here."
omit-empty = true
EOF
}

run_kannel() {
    local count=$1 admin_port box_port sendsms_port conf
    start_simulator "kannel-$count"
    admin_port=$(free_port); box_port=$(free_port); sendsms_port=$(free_port)
    conf="$WORK/kannel.conf"
    write_kannel_config "$conf" "$admin_port" "$box_port" "$sendsms_port"
    /usr/sbin/bearerbox -v 3 "$conf" >"$WORK/bearerbox.out" 2>&1 &
    local bearerbox=$!
    PIDS+=($bearerbox)
    wait_for "curl -sf 'http://127.0.0.1:$admin_port/status.txt?password=bench' | grep -q 'simulator.*online'" 30
    /usr/sbin/smsbox -v 3 "$conf" >"$WORK/smsbox.out" 2>&1 &
    local smsbox=$!
    PIDS+=($smsbox)
    wait_for "curl -s -o /dev/null 'http://127.0.0.1:$sendsms_port/'" 30
    wait_for "curl -sf 'http://127.0.0.1:$admin_port/status.txt?password=bench' | grep -q 'smsbox:'" 30 || true
    log "kannel: $count messages, window $WINDOW, $CLIENTS HTTP clients, load average $(load_average)"
    timeout "$RUN_TIMEOUT" python3 "$HERE/kannel_load.py" --sendsms-port "$sendsms_port" \
        --user bench --password benchpw --messages "$count" --clients "$CLIENTS" --text "$TEXT" \
        --timeout "$((RUN_TIMEOUT - 10))" --pid "$bearerbox" --pid "$smsbox" \
        | tee "$WORK/kannel-$count.txt" >&2 || true
    stop_started
}

run_lifeline() {
    local count=$1
    start_simulator "lifeline-$count"
    log "lifeline: $count messages, window $WINDOW, load average $(load_average)"
    timeout "$RUN_TIMEOUT" "$LIFELINE" bench smpp --messages "$count" --window "$WINDOW" --smsc-port "$SIM_PORT" \
        | tee "$WORK/lifeline-$count.txt" >&2 || true
    stop_started
}

figure() { # file name
    sed -n "s/^$2: //p" "$1" | head -n 1
}

main() {
    ensure_kannel
    if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
        log "building lifeline (release, Swift runtime linked in)"
        (cd "$ROOT" && timeout 3600 swift build -c release --product lifeline --static-swift-stdlib >&2)
    fi
    log "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)"

    for count in $COUNTS; do
        run_kannel "$count"
        run_lifeline "$count"
    done

    printf '\nSMPP end to end (first submission to last delivery receipt), window %s, receipt delay %s\n' "$WINDOW" "$RECEIPT_DELAY"
    printf 'commit %s, %s, load average at the end %s\n' "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
        "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(load_average)"
    printf '%-8s %-9s %10s %10s %14s\n' messages system "delivered" "msg/s" "peak RSS MiB"
    local count system file rate rss delivered kannel_rate lifeline_rate kannel_rss lifeline_rss
    for count in $COUNTS; do
        for system in kannel lifeline; do
            file="$WORK/$system-$count.txt"
            rate=$(figure "$file" messages_per_second); rss=$(figure "$file" peak_rss_kib)
            delivered=$(figure "$file" delivered | cut -d' ' -f1)
            printf '%-8s %-9s %10s %10s %14s\n' "$count" "$system" "${delivered:-?}" "${rate:-n/a}" \
                "$(awk -v k="${rss:-0}" 'BEGIN { printf "%.1f", k / 1024 }')"
            if [[ $system == kannel ]]; then kannel_rate=$rate; kannel_rss=$rss; else lifeline_rate=$rate; lifeline_rss=$rss; fi
        done
        awk -v l="${lifeline_rate:-0}" -v k="${kannel_rate:-0}" -v lr="${lifeline_rss:-0}" -v kr="${kannel_rss:-0}" \
            'BEGIN { if (k > 0 && kr > 0) printf "%-8s ratio     lifeline/kannel: rate %.2fx, peak RSS %.2fx\n", "", l / k, lr / kr }'
    done
}

main "$@"
