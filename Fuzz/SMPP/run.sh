#!/usr/bin/env bash
# Builds the SMPP PDU decoder fuzzer with libFuzzer and AddressSanitizer and runs it.
# Usage: Fuzz/SMPP/run.sh SECONDS
# FUZZ_RUNS=N stops after N executions; FUZZ_OPTIMIZE=1 builds with -O into .build/fuzz-smpp-O
# (see Fuzz/modules.sh). The corpus stays in .build/fuzz-smpp/corpus either way.
set -euo pipefail

seconds="${1:?usage: Fuzz/SMPP/run.sh SECONDS}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$here/../modules.sh"
fuzz_env_check
build="$root/.build/fuzz-smpp"
corpus="$build/corpus"
if [ "${FUZZ_OPTIMIZE:-0}" = 1 ]; then build="$root/.build/fuzz-smpp-O"; fi
swiftc="${SWIFTC:-swiftc}"
optimize=() runs=()
mapfile -t optimize < <(fuzz_optimize_flags)
mapfile -t runs < <(fuzz_runs_flags)
mkdir -p "$corpus" "$build/modules"

# Diagnostics, SMSCodec and OptionalLibraries are compiled first as their own modules because the
# SMPP sources import them. OpenSSL's headers (for TLS) come in through the COpenSSL module map.
# The library itself is opened at run time by the COptionalLibraries trampolines, as in the product.
mkdir -p "$build/modules/COptionalLibraries"
printf 'module COptionalLibraries {\n    header "%s"\n    export *\n}\n' \
    "$root/Sources/COptionalLibraries/include/COptionalLibraries.h" >"$build/modules/COptionalLibraries/module.modulemap"
trampolines=()
for source in "$root"/Sources/COptionalLibraries/*.c; do
    trampolines+=("$build/COptionalLibraries-$(basename "$source" .c).o")
    clang -c -g -fsanitize=address -I "$root/Sources/COptionalLibraries/include" -o "${trampolines[-1]}" "$source"
done
for module in Diagnostics SMSCodec OptionalLibraries; do
    "$swiftc" -sanitize=fuzzer,address "${optimize[@]}" -parse-as-library -swift-version 6 -emit-module -emit-object \
        -module-name "$module" -emit-module-path "$build/modules/$module.swiftmodule" \
        -I "$build/modules/COptionalLibraries" -o "$build/$module.o" -wmo "$root"/Sources/"$module"/*.swift
done

"$swiftc" -sanitize=fuzzer,address "${optimize[@]}" -parse-as-library -swift-version 6 -package-name Lifeline -module-name SMPPFuzz \
    -I "$build/modules" -I "$build/modules/COptionalLibraries" -I "$root/Sources/COpenSSL" \
    "$build/Diagnostics.o" "$build/SMSCodec.o" "$build/OptionalLibraries.o" "${trampolines[@]}" \
    "$root"/Sources/SMPP/*.swift "$here"/FuzzPDUDecoder.swift \
    -o "$build/fuzz-pdu-decoder"

# Seed the corpus with a few valid frames so the fuzzer starts inside the format.
printf '\x00\x00\x00\x10\x00\x00\x00\x15\x00\x00\x00\x00\x07\xa3\xc1\x19' > "$corpus/enquire_link"
printf '\x00\x00\x00\x17\x80\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x02abc123\x00' > "$corpus/submit_sm_resp"
printf '\x00\x00\x00\x11\x80\x00\x00\x02\x00\x00\x00\x0e\x00\x00\x00\x01\x00' > "$corpus/bind_resp_error"

"$build/fuzz-pdu-decoder" -max_total_time="$seconds" "${runs[@]}" -max_len=4096 "$corpus"
