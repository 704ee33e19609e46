#!/usr/bin/env bash
# Builds the config loader fuzzer (YAML text through libyaml to LifelineConfig) with libFuzzer
# and AddressSanitizer and runs it.
# Usage: Fuzz/Config/run.sh SECONDS
# FUZZ_RUNS=N stops after N executions; FUZZ_OPTIMIZE=1 builds with -O into .build/fuzz-O (see
# Fuzz/modules.sh). The corpus under Fuzz/out/ is the same either way.
# Modules, binary and corpus go under .build/fuzz and Fuzz/out/ (both ignored by git); a
# crashing input is kept as Fuzz/out/fuzz-config-loader-crash-<sha1>. Exits non-zero on a crash.
set -euo pipefail
seconds="${1:?usage: Fuzz/Config/run.sh SECONDS}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../modules.sh"
fuzz_modules_init "$fuzz_root/.build/fuzz"
mkdir -p "$fuzz_root/Fuzz/out"

fuzz_module Diagnostics
fuzz_module SMSCodec
fuzz_target Config "$fuzz_build/fuzz-config-loader" "$here/FuzzConfigLoader.swift"
fuzz_run "$fuzz_build/fuzz-config-loader" "$here/seeds" "$seconds" -max_len=4096
