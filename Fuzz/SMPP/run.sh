#!/usr/bin/env bash
# Builds the SMPP PDU decoder fuzzer with libFuzzer and AddressSanitizer and runs it.
# Usage: Fuzz/SMPP/run.sh SECONDS
set -euo pipefail

seconds="${1:?usage: Fuzz/SMPP/run.sh SECONDS}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$root/.build/fuzz-smpp"
swiftc="${SWIFTC:-swiftc}"
mkdir -p "$build/corpus" "$build/modules"

# Diagnostics and SMSCodec are compiled first as their own modules because the SMPP sources
# import them; OpenSSL (for TLS) comes in through the COpenSSL module map.
for module in Diagnostics SMSCodec; do
    "$swiftc" -sanitize=fuzzer,address -parse-as-library -swift-version 6 -emit-module -emit-object \
        -module-name "$module" -emit-module-path "$build/modules/$module.swiftmodule" \
        -o "$build/$module.o" -wmo "$root"/Sources/"$module"/*.swift
done

"$swiftc" -sanitize=fuzzer,address -parse-as-library -swift-version 6 -package-name Lifeline -module-name SMPPFuzz \
    -I "$build/modules" -I "$root/Sources/COpenSSL" "$build/Diagnostics.o" "$build/SMSCodec.o" -lssl -lcrypto \
    "$root"/Sources/SMPP/*.swift "$here"/FuzzPDUDecoder.swift \
    -o "$build/fuzz-pdu-decoder"

# Seed the corpus with a few valid frames so the fuzzer starts inside the format.
printf '\x00\x00\x00\x10\x00\x00\x00\x15\x00\x00\x00\x00\x07\xa3\xc1\x19' > "$build/corpus/enquire_link"
printf '\x00\x00\x00\x17\x80\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x02abc123\x00' > "$build/corpus/submit_sm_resp"
printf '\x00\x00\x00\x11\x80\x00\x00\x02\x00\x00\x00\x0e\x00\x00\x00\x01\x00' > "$build/corpus/bind_resp_error"

"$build/fuzz-pdu-decoder" -max_total_time="$seconds" -max_len=4096 "$build/corpus"
