#!/usr/bin/env bash
# Builds and runs every libFuzzer target for SECONDS each (default 20) and fails on the first crash.
# Usage: Fuzz/run-all.sh [SECONDS]
set -euo pipefail
seconds="${1:-20}"
here="$(cd "$(dirname "$0")" && pwd)"
# HTTPAPI runs two targets (API request bodies and webhooks), each for SECONDS.
for target in SMSCodec SMPP ATModem Config Contacts HTTPAPI; do
    echo "fuzz: $target for ${seconds}s per target"
    log="$(mktemp)"
    if ! SWIFT_BACKTRACE=enable=no bash "$here/$target/run.sh" "$seconds" >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz: $target failed; the crashing input is in the log above"
        exit 1
    fi
    grep -E "^(Done|#[0-9]+ +DONE)" "$log" | tail -n 3 || true
    rm -f "$log"
done
echo "fuzz: every target ran clean"
