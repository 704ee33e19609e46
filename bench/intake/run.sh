#!/usr/bin/env bash
# Times `lifeline broadcast --group ... --template ...` end to end (process start, config, reading
# the group, rendering and checking every message, the one committing transaction) for a group of
# 5,000 contacts with names, and writes the figures to bench/intake/RESULTS.md.
#
# Usage: bench/intake/run.sh [LIFELINE_BINARY] [RUNS]
#   Without a binary, builds the release product first. RUNS defaults to 7.
# Every run starts from the same freshly imported database, so each one queues 5,000 messages
# into a queue of the same size.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${2:-7}"
contacts=5000
if [[ -n "${1:-}" ]]; then
    binary="$1"
else
    (cd "$root" && swift build -c release --product lifeline --static-swift-stdlib >&2)
    binary="$root/.build/release/lifeline"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf 'bench1\n' > "$work/smpp.password"
cat > "$work/lifeline.yaml" <<YAML
database: $work/run.db
default_region: GB
templates:
  evacuation: "{name}, fire alarm in {building}: leave now by exit {exit}, then go to {point}. Do not use lifts."
providers:
  - id: carrier
    type: smpp
    host: 127.0.0.1
    port: 2775
    system_id: bench
    password_file: $work/smpp.password
YAML
chmod 600 "$work/lifeline.yaml" "$work/smpp.password"

# Names, exits and national-format numbers, as a registration export would have them.
awk -v count="$contacts" 'BEGIN {
    print "mobile,name,exit"
    split("Ann Bob Chloé Dev Eve Femi Gustav Hana Ivan Júlia", first, " ")
    split("Okafor Smith Nguyen Kowalski García Lee Brown Patel Rossi Müller", last, " ")
    for (i = 0; i < count; i++) {
        printf "07700 %06d,\"%s %s\",%s\n", 900000 + i, first[i % 10 + 1], last[int(i / 10) % 10 + 1], substr("ABCD", i % 4 + 1, 1)
    }
}' > "$work/attendees.csv"

now_ms() { date +%s%3N; }

start=$(now_ms)
"$binary" contacts import "$work/attendees.csv" --group attendees --config "$work/lifeline.yaml" > /dev/null
import_ms=$(( $(now_ms) - start ))
cp "$work/run.db" "$work/base.db"

command=("$binary" broadcast --config "$work/lifeline.yaml" --group attendees --template evacuation
    --var "building=Hall B" --var "point=the north car park" --priority emergency --json)
figures=()
cpu_figures=()
loads=()
for run in $(seq 1 "$runs"); do
    rm -f "$work/run.db-wal" "$work/run.db-shm"
    cp "$work/base.db" "$work/run.db"
    sync
    loads+=("$(cut -d' ' -f1 /proc/loadavg)")
    start=$(now_ms)
    /usr/bin/time -o "$work/time" -f '%U %S' "${command[@]}" > "$work/output"
    elapsed=$(( $(now_ms) - start ))
    cpu=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$work/time")
    recipients=$(sed -n 's/.*"recipients" : \([0-9]*\).*/\1/p' "$work/output")
    if [[ "$recipients" != "$contacts" ]]; then
        echo "run $run queued '$recipients' messages, expected $contacts" >&2
        exit 1
    fi
    figures+=("$elapsed")
    cpu_figures+=("$cpu")
    echo "run $run: ${elapsed} ms wall, ${cpu} ms CPU" >&2
done

sorted=($(printf '%s\n' "${figures[@]}" | sort -n))
median=${sorted[$(( ${#sorted[@]} / 2 ))]}
cpu_sorted=($(printf '%s\n' "${cpu_figures[@]}" | sort -n))
cpu_median=${cpu_sorted[$(( ${#cpu_sorted[@]} / 2 ))]}
queued=$(sqlite3 "$work/run.db" "SELECT COUNT(*) FROM sms_queue WHERE state = 'queued'")
commit="$(cd "$root" && git rev-parse --short HEAD)$(cd "$root" && git diff --quiet HEAD -- Sources || echo '+uncommitted')"
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"

cat > "$root/bench/intake/RESULTS.md" <<MD
# Broadcast intake: 5,000 personalised messages

Command (one process per run, timed from start to exit; the commit is inside it):

    lifeline broadcast --config lifeline.yaml --group attendees --template evacuation \\
        --var "building=Hall B" --var "point=the north car park" --priority emergency --json

- Group: $contacts contacts imported from CSV (national numbers, names with accents, an exit
  column); template with four variables (\`{name}\`, \`{building}\`, \`{exit}\`, \`{point}\`).
- Each run starts from a copy of the same imported database (WAL, \`synchronous=FULL\`).
- Check: the last run left $queued messages queued.
- Source: commit $commit, release build ($binary).
- Machine: $cpu, $(nproc) cores, $(uname -sr), shared with other builds while measured.
- Date: $(date -u '+%Y-%m-%d %H:%M UTC').

Wall time is from process start to exit. CPU time is user plus system time of the process
(\`/usr/bin/time\`): what the broadcast costs when the machine is idle, apart from the waits for
the disk.

| | wall ms | CPU ms |
|---|---|---|
| import of the $contacts-row CSV (\`contacts import\`) | $import_ms | |
| broadcast, fastest of $runs | ${sorted[0]} | ${cpu_sorted[0]} |
| broadcast, median of $runs | $median | $cpu_median |
| broadcast, slowest of $runs | ${sorted[-1]} | ${cpu_sorted[-1]} |

Every run, in order: wall ms ${figures[*]}; CPU ms ${cpu_figures[*]}; 1-minute load average
at the start of each run ${loads[*]}.

Target: committed in under 200 ms.
MD
echo "median ${median} ms wall, ${cpu_median} ms CPU over $runs runs; written to bench/intake/RESULTS.md" >&2
