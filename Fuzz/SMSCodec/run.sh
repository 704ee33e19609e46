#!/usr/bin/env bash
# Builds each SMSCodec libFuzzer target and runs it for the given number of seconds.
#
# Usage: Fuzz/SMSCodec/run.sh SECONDS [TARGET...]
# Targets: FuzzTPDUDecode FuzzReassembly FuzzSeptetUnpacking (all by default).
# Binaries, corpora and crash inputs go under Fuzz/out/ (ignored by git); a crashing input is kept
# there as crash-<sha1>. Exits non-zero when any target crashes or fails to build.
# FUZZ_RUNS=N stops each target after N executions (see Fuzz/modules.sh). The builds are always
# optimised (-O), so FUZZ_OPTIMIZE changes nothing here.
set -euo pipefail

seconds="${1:?usage: $0 SECONDS [TARGET...]}"
shift
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$here/../modules.sh"
fuzz_env_check
runs=()
mapfile -t runs < <(fuzz_runs_flags)
out="$root/Fuzz/out/SMSCodec"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(FuzzTPDUDecode FuzzReassembly FuzzSeptetUnpacking)
fi
mkdir -p "$out"
# Swift's own crash backtracer reads process memory and trips AddressSanitizer after the real
# failure, which buries the report, so leave crash reporting to libFuzzer and ASan.
export SWIFT_BACKTRACE=enable=no

status=0
for target in "${targets[@]}"; do
    echo "== building $target (log: $out/$target.build.log)"
    # The linker warns about every ASan helper symbol; keep that noise in the log unless the build fails.
    if ! swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
        -module-name SMSCodecFuzz \
        "$root"/Sources/SMSCodec/*.swift "$here/$target.swift" \
        -o "$out/$target" > "$out/$target.build.log" 2>&1; then
        grep -v "Cannot export local symbol" "$out/$target.build.log" >&2
        echo "== $target failed to build" >&2
        status=1
        continue
    fi

    corpus="$out/corpus-$target"
    mkdir -p "$corpus"
    if [ -d "$here/seeds/$target" ]; then
        cp -n "$here/seeds/$target"/* "$corpus/" 2>/dev/null || true
    fi

    echo "== running $target for $seconds s${FUZZ_RUNS:+ or $FUZZ_RUNS executions}"
    if ! "$out/$target" "$corpus" \
        -max_total_time="$seconds" "${runs[@]}" \
        -timeout=10 \
        -print_final_stats=1 \
        -artifact_prefix="$out/$target-"; then
        echo "== $target FAILED; crashing input under $out/$target-*" >&2
        status=1
    fi
done
exit "$status"
