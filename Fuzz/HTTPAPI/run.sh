#!/usr/bin/env bash
# Builds the HTTP API fuzzers with libFuzzer and AddressSanitizer and runs each for SECONDS:
#   fuzz-api-requests  JSON bodies of POST /v1/messages and /v1/broadcasts through the route checks
#   fuzz-webhooks      Twilio status callbacks (form and signature) and Vonage receipts (query,
#                      form, JSON) through the API's request handling, without a socket
# Usage: Fuzz/HTTPAPI/run.sh SECONDS [TARGET...]
# FUZZ_RUNS=N stops after N executions; FUZZ_OPTIMIZE=1 builds with -O into .build/fuzz-O (see
# Fuzz/modules.sh). The corpus under Fuzz/out/ is the same either way.
# Modules, binaries and corpora go under .build/fuzz and Fuzz/out/ (both ignored by git); a
# crashing input is kept as Fuzz/out/<target>-crash-<sha1>. Exits non-zero on a crash.
set -euo pipefail
seconds="${1:?usage: Fuzz/HTTPAPI/run.sh SECONDS [TARGET...]}"
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(FuzzAPIRequests FuzzWebhooks); fi
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../modules.sh"
fuzz_modules_init "$fuzz_root/.build/fuzz"
mkdir -p "$fuzz_root/Fuzz/out"

# HTTPAPI's dependencies, in the order of Package.swift.
fuzz_c_shim COptionalLibraries
for module in Diagnostics OptionalLibraries SMSCodec Store Config SMPP ATModem; do fuzz_module "$module"; done
fuzz_c_shim CCurlShim
fuzz_module CloudSMS
fuzz_module Gateway
fuzz_c_shim CMicroHTTPDShim

status=0
for target in "${targets[@]}"; do
    case "$target" in
        FuzzAPIRequests) binary="$fuzz_build/fuzz-api-requests" ;;
        FuzzWebhooks) binary="$fuzz_build/fuzz-webhooks" ;;
        *) echo "unknown target $target: give FuzzAPIRequests or FuzzWebhooks" >&2; exit 64 ;;
    esac
    fuzz_target HTTPAPI "$binary" "$here/$target.swift"
    fuzz_run "$binary" "$here/seeds/$target" "$seconds" -max_len=4096 || status=1
done
exit "$status"
