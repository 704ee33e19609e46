#!/usr/bin/env bash
# Runs the queue benchmarks (pickup latency, emergency latency during a bulk send, start-up and
# memory with a large queue) against the real `lifeline serve`, and writes the figures with the
# machine's load to bench/queue/RESULTS.md.
#
# Usage: bench/queue/run.sh [LIFELINE_BINARY]
#   Without a binary, builds the release product first, with the Swift runtime linked in as
#   the package ships it. Environment: SENDS (default 300 per kind of send), BULK (30000),
#   EMERGENCIES (20 per kind of send), QUEUED (1000000).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ -n "${1:-}" ]]; then
    binary="$1"
else
    (cd "$root" && swift build -c release --product lifeline --static-swift-stdlib >&2)
    binary="$root/.build/release/lifeline"
fi
sends="${SENDS:-300}"
bulk="${BULK:-30000}"
emergencies="${EMERGENCIES:-20}"
queued="${QUEUED:-1000000}"
script="$root/bench/queue/queue_bench.py"

load() { cut -d' ' -f1-3 /proc/loadavg; }

load_pickup="$(load)"
pickup="$(python3 "$script" "$binary" pickup --sends "$sends")"
echo "pickup: $pickup" >&2
load_emergency="$(load)"
emergency="$(python3 "$script" "$binary" emergency --bulk "$bulk" --emergencies "$emergencies")"
echo "emergency: $emergency" >&2
load_startup="$(load)"
startup="$(python3 "$script" "$binary" startup --queued "$queued")"
echo "startup: $startup" >&2

commit="$(cd "$root" && git rev-parse --short HEAD)$(cd "$root" && git diff --quiet HEAD -- Sources || echo '+uncommitted')"
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"

cat > "$root/bench/queue/RESULTS.md" <<MD
# Queue benchmarks: raw results

Command: \`bench/queue/run.sh $binary\` (SENDS=$sends BULK=$bulk EMERGENCIES=$emergencies QUEUED=$queued).
Method: \`bench/queue/queue_bench.py\` (its docstring); the SMSC is the minimal one in that script,
in the measuring process, answering every submit_sm at once without receipts.

- Source: commit $commit, release build.
- Machine: $cpu, $(nproc) cores, $(uname -sr); shared with other builds.
- Date: $(date -u '+%Y-%m-%d %H:%M UTC').
- 1-, 5- and 15-minute load average before each part: pickup $load_pickup; emergency
  $load_emergency; start-up $load_startup.

Pickup latency, to the submit_sm read by the SMSC: for sends through the HTTP API from the
response's arrival (the acknowledgement) and from created_at; for \`lifeline send\` from the
acknowledgement line printed and from created_at; with the median and 90th percentile of each
stage read back from the database (both kinds of send together):

    $pickup

Emergency latency during a bulk broadcast, through the HTTP API and \`lifeline send\` in turn:

    $emergency

Start-up and memory, empty queue then the full queue:

    $startup
MD
echo "written to bench/queue/RESULTS.md" >&2
