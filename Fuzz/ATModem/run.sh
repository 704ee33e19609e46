#!/usr/bin/env bash
# Builds the AT framer fuzzer with libFuzzer and AddressSanitizer and runs it.
# Usage: Fuzz/ATModem/run.sh SECONDS
# Exits non-zero when the fuzzer finds a crash; the crashing input is left in Fuzz/ATModem/artifacts/.
# FUZZ_RUNS=N stops after N executions (see Fuzz/modules.sh). The build is always optimised
# (-O), so FUZZ_OPTIMIZE changes nothing here.
set -eu

seconds="${1:?usage: $0 SECONDS}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../modules.sh"
fuzz_env_check
runs=()
mapfile -t runs < <(fuzz_runs_flags)
sources="$here/../../Sources/ATModem"
build="${TMPDIR:-/tmp}/lifeline-fuzz-atmodem"
mkdir -p "$build" "$here/artifacts" "$build/corpus"
cp "$here"/seeds/* "$build/corpus/" 2>/dev/null || true

# Only the pure files: no serial I/O, no logger.
swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    -module-name ATModemFuzz \
    "$sources/ATLine.swift" \
    "$sources/ATLineFramer.swift" \
    "$sources/ATInputParser.swift" \
    "$sources/ATFinalResult.swift" \
    "$sources/UnsolicitedResultCode.swift" \
    "$sources/CMSErrorCode.swift" \
    "$sources/CMEErrorCode.swift" \
    "$sources/ModemErrorClass.swift" \
    "$sources/ATFields.swift" \
    "$sources/ATResponse.swift" \
    "$sources/StoredMessage.swift" \
    "$here/FuzzEntry.swift" \
    -o "$build/fuzz-atmodem"

"$build/fuzz-atmodem" -max_total_time="$seconds" "${runs[@]}" -max_len=4096 \
    -artifact_prefix="$here/artifacts/" "$build/corpus"
