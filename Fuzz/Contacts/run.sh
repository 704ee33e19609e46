#!/usr/bin/env bash
# Builds the contacts CSV fuzzer (CSVReader and ContactSheet of the Gateway target) with libFuzzer
# and AddressSanitizer and runs it.
# Usage: Fuzz/Contacts/run.sh SECONDS
# FUZZ_RUNS=N stops after N executions; FUZZ_OPTIMIZE=1 builds with -O into .build/fuzz-O (see
# Fuzz/modules.sh). The corpus under Fuzz/out/ is the same either way.
# Octet 0 of each input picks the default region, the rest is the CSV file. Modules, binary and
# corpus go under .build/fuzz and Fuzz/out/ (both ignored by git); a crashing input is kept as
# Fuzz/out/fuzz-contact-sheet-crash-<sha1>. Exits non-zero on a crash.
set -euo pipefail
seconds="${1:?usage: Fuzz/Contacts/run.sh SECONDS}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../modules.sh"
fuzz_modules_init "$fuzz_root/.build/fuzz"
mkdir -p "$fuzz_root/Fuzz/out"

# Gateway's dependencies, in the order of Package.swift.
fuzz_c_shim COptionalLibraries
for module in Diagnostics OptionalLibraries SMSCodec Store Config SMPP ATModem; do fuzz_module "$module"; done
fuzz_c_shim CCurlShim
fuzz_module CloudSMS
fuzz_target Gateway "$fuzz_build/fuzz-contact-sheet" "$here/FuzzContactSheet.swift"
fuzz_run "$fuzz_build/fuzz-contact-sheet" "$here/seeds" "$seconds" -max_len=8192
