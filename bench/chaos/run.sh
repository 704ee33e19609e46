#!/usr/bin/env bash
# Runs the chaos pass (Tests/EndToEndTests/ChaosTests.swift) for a list of seeds and a message
# count, and records the figures of each seed in RELIABILITY.md under "Longer runs".
#
# Usage: bench/chaos/run.sh [SEEDS] [MESSAGES]
#   SEEDS     comma-separated seeds, default 101,102,103,104,105
#   MESSAGES  messages per seed, split into bulk, normal and high broadcasts; default 1000
#
# Every process and file of a run stays on this machine: the daemon, the simulators and the
# endpoints listen on 127.0.0.1 only. The test's own verdict (lost messages, unexplained
# duplicates) is recorded next to the figures; a failing verdict makes the script exit 1.
set -euo pipefail

seeds="${1:-101,102,103,104,105}"
messages="${2:-1000}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
record="$root/RELIABILITY.md"
figures="$(mktemp)"
output="$(mktemp)"
trap 'rm -f "$figures" "$output"' EXIT

cd "$root"
timeout 1800 swift build --build-tests >/dev/null
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
status=0
LIFELINE_CHAOS_SEEDS="$seeds" LIFELINE_CHAOS_MESSAGES="$messages" LIFELINE_CHAOS_REPORT="$figures" \
    timeout 3600 swift test --skip-build --filter ChaosTests >"$output" 2>&1 || status=$?
grep '^chaos:' "$output" || true

machine="$(uname -srm), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)"
swift_version="$(swift --version 2>/dev/null | head -n 1)"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
verdict="passed"
if [ "$status" -ne 0 ]; then verdict="FAILED (exit $status)"; fi

python3 - "$figures" "$record" "$started" "$seeds" "$messages" "$machine" "$swift_version" "$commit" "$verdict" <<'PY'
import json, sys
figures_path, record, started, seeds, messages, machine, swift, commit, verdict = sys.argv[1:]
rows = [json.loads(line) for line in open(figures_path) if line.strip()]
lines = [
    "",
    f"### Chaos run {started}",
    "",
    f"- Command: `bench/chaos/run.sh {seeds} {messages}`",
    f"- Seeds: {seeds}; messages per seed: {messages}",
    f"- Machine: {machine}; {swift}; commit {commit}",
    f"- Verdict of the test: {verdict}",
    "",
    "| seed | submitted | delivered | failed with reason | accepted, no report | lost | duplicates (in flight at a fault) | faults fired | black-hole connections | drain after last fault (s) | total (s) | settled |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
]
def fault_names(r):
    # The clock step's direction goes with clock-jump. "Not logged" marks a full disk the daemon never hit.
    names = []
    for name in r['faultsFired']:
        if name == 'clock-jump' and r.get('clockStepSeconds') is not None:
            name += f" ({r['clockStepSeconds'] / 3600:+g} h)"
        if name == 'disk-full' and r.get('diskFullLogged') is False:
            name += " (not logged)"
        names.append(name)
    return ', '.join(names)
for r in rows:
    lines.append(
        f"| {r['seed']} | {r['submitted']} | {r['delivered']} | {r['failedWithReason']} | {r['awaitingReport']} | "
        f"{r['lost']} | {r['duplicates']} ({r['duplicatesInFlightAtFault']}) | {fault_names(r)} | "
        f"{r['blackHoleConnections']} | {r['secondsToDrainAfterLastFault']:.1f} | {r['secondsTotal']:.1f} | "
        f"{'yes' if r['settled'] else 'no'} |"
    )
if not rows:
    lines.append("| (no figures: the test stopped before the first seed finished) |||||||||||")
# The record goes at the end of "Longer runs", before "Network faults", or at the end of the file.
text = open(record).read()
marker = "\n## Network faults"
at = text.find(marker)
if at < 0:
    at = len(text)
text = text[:at].rstrip("\n") + "\n" + "\n".join(lines) + "\n" + text[at:]
with open(record, "w") as handle:
    handle.write(text)
print(f"recorded {len(rows)} rows in {record}")
PY
exit "$status"
