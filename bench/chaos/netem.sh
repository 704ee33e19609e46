#!/usr/bin/env bash
# Runs the network fault pass (Tests/EndToEndTests/ChaosNetworkTests.swift). The daemon runs in
# its own network namespace and reaches the SMSC simulator across a veth link with delay and
# loss. A bulk broadcast goes out, a partition window cuts the link, and the chaos audit checks
# the result. Records the figures in RELIABILITY.md under "Network faults".
#
# Usage: bench/chaos/netem.sh [MESSAGES] [DELAY_MS] [LOSS_PERCENT] [PARTITION_SECONDS]
#   defaults: 300 messages, 40 ms delay (jitter a quarter of it), 2 % loss each way, 15 s partition
#
# Needs root, iproute2, and nftables (`apt-get install nftables`) where the kernel has no netem
# qdisc: then loss comes from an nftables rule and there is no delay, as the record states.
# Every address is link-local on the veth pair the test creates; the namespace and the pair are
# deleted at the end. A failing audit (lost messages, unexplained duplicates) makes the script
# exit 1 after recording the figures.
set -euo pipefail

messages="${1:-300}"
delay="${2:-40}"
loss="${3:-2}"
partition="${4:-15}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
record="$root/RELIABILITY.md"

if [ "$(id -u)" -ne 0 ]; then
    echo "netem: run as root: the test creates a network namespace and a veth pair" >&2
    exit 77
fi
probe="lifeline-probe-$$"
if ! ip netns add "$probe" 2>/dev/null; then
    echo "netem: network namespaces are not allowed here (ip netns add failed)" >&2
    exit 77
fi
ip netns delete "$probe"
if ! command -v nft >/dev/null && ! grep -qs '^CONFIG_NET_SCH_NETEM=[ym]' <(zcat /proc/config.gz 2>/dev/null); then
    echo "netem: this kernel has no netem qdisc and nft is missing: install nftables" >&2
    exit 77
fi

figures="$(mktemp)"
output="$(mktemp)"
trap 'rm -f "$figures" "$output"' EXIT

cd "$root"
timeout 1800 swift build --build-tests >/dev/null
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
status=0
LIFELINE_NETNS_CHAOS=1 LIFELINE_NETNS_MESSAGES="$messages" LIFELINE_NETNS_DELAY_MS="$delay" \
    LIFELINE_NETNS_LOSS_PERCENT="$loss" LIFELINE_NETNS_PARTITION_SECONDS="$partition" \
    LIFELINE_NETNS_REPORT="$figures" \
    timeout 1200 swift test --skip-build --filter ChaosNetworkTests >"$output" 2>&1 || status=$?
grep '^chaos-netns:' "$output" || tail -n 40 "$output"

machine="$(uname -srm), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)"
swift_version="$(swift --version 2>/dev/null | head -n 1)"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
verdict="passed"
if [ "$status" -ne 0 ]; then verdict="FAILED (exit $status)"; fi

python3 - "$figures" "$record" "$started" "$messages" "$delay" "$loss" "$partition" "$machine" "$swift_version" "$commit" "$verdict" <<'PY'
import json, sys
figures_path, record, started, messages, delay, loss, partition, machine, swift, commit, verdict = sys.argv[1:]
rows = [json.loads(line) for line in open(figures_path) if line.strip()]
lines = [
    "",
    f"### Network fault run {started}",
    "",
    f"- Command: `bench/chaos/netem.sh {messages} {delay} {loss} {partition}`",
    f"- Machine: {machine}; {swift}; commit {commit}",
    f"- Verdict of the test: {verdict}",
]
if rows:
    r = rows[0]
    lines += [
        f"- Link: {r['linkFaults']}; partition {r['partitionSeconds']} s after a quarter of the copies went out",
        "",
        "| messages | delivered | failed with reason | accepted, no report | lost | duplicates (in flight at a fault) | ambiguous attempts | copies via SMSC | copies via modem | drain after partition (s) | total (s) | settled |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        f"| {r['messages']} | {r['delivered']} | {r['failedWithReason']} | {r['awaitingReport']} | {r['lost']} | "
        f"{r['duplicates']} ({r['duplicatesInFlightAtFault']}) | {r['ambiguousAttempts']} | {r['carrierCopies']} | "
        f"{r['modemCopies']} | {r['secondsToDrainAfterPartition']:.1f} | {r['secondsTotal']:.1f} | "
        f"{'yes' if r['settled'] else 'no'} |",
    ]
else:
    lines.append("- No figures: the test stopped before the audit")
# The record goes at the end of "Network faults", before "Fuzzing", or at the end of the file.
text = open(record).read()
marker = "\n## Fuzzing"
at = text.find(marker)
if at < 0:
    at = len(text)
text = text[:at].rstrip("\n") + "\n" + "\n".join(lines) + "\n" + text[at:]
with open(record, "w") as handle:
    handle.write(text)
print(f"recorded the run in {record}")
PY
exit "$status"
