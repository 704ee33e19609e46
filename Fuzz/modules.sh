# Helpers for the fuzz scripts whose targets need product modules backed by C libraries. They
# compile Swift targets of Sources/ as separate modules with libFuzzer coverage and
# AddressSanitizer, and the C shim targets with clang. One build directory serves every target.
#
# Two environment variables shape a run of any Fuzz/*/run.sh:
#   FUZZ_OPTIMIZE=1   compile the Swift code with -O (still -g and the sanitizers), into BUILD_DIR-O
#                     so the unoptimised build of the short CI pass is left alone (the SMSCodec and
#                     ATModem targets are built with -O either way)
#   FUZZ_RUNS=N       stop after N executions (libFuzzer's -runs), or at SECONDS, whichever comes first
#
# Source this file, then:
#   fuzz_modules_init BUILD_DIR        where modules, objects and generated module maps go
#                                      (BUILD_DIR-O under FUZZ_OPTIMIZE=1)
#   fuzz_module NAME                   Sources/NAME/**/*.swift -> NAME.swiftmodule and NAME.o
#   fuzz_c_shim NAME                   Sources/NAME/*.c -> NAME.o and a module map for its header
#   fuzz_link_flags                    prints the objects and libraries to link
#   fuzz_target_flags                  prints the swiftc flags shared by every fuzz compile
#
# A module is rebuilt only when a file under its Sources folder, or this file, is newer than its
# object. Modules must be built in dependency order (Package.swift lists them). The system
# library modules (CYAML, CSQLite3, CLibPQ and the others) are found through their module maps in
# Sources/; the libraries come from Debian's -dev packages, as for `swift build`. As in the
# product, libcurl, libpq and OpenSSL are not linked: a target whose modules call them builds the
# COptionalLibraries shim and the OptionalLibraries module first, and they are opened at run time.

fuzz_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzz_build=""
fuzz_objects=()

# Checks FUZZ_RUNS (a whole number) and FUZZ_OPTIMIZE (0 or 1), and returns 64 with a message on
# stderr when either is invalid.
fuzz_env_check() {
    case "${FUZZ_RUNS:-}" in
        '') ;;
        *[!0-9]*) echo "invalid FUZZ_RUNS '$FUZZ_RUNS': give a whole number of executions, such as 10000000" >&2; return 64 ;;
    esac
    case "${FUZZ_OPTIMIZE:-0}" in
        0 | 1) ;;
        *) echo "invalid FUZZ_OPTIMIZE '$FUZZ_OPTIMIZE': give 1 for an -O build or 0 for the default" >&2; return 64 ;;
    esac
}

# Prints -runs=N when FUZZ_RUNS is set, nothing otherwise.
fuzz_runs_flags() {
    if [ -n "${FUZZ_RUNS:-}" ]; then printf '%s\n' "-runs=$FUZZ_RUNS"; fi
}

# Prints -O when FUZZ_OPTIMIZE=1, nothing otherwise.
fuzz_optimize_flags() {
    if [ "${FUZZ_OPTIMIZE:-0}" = 1 ]; then printf '%s\n' -O; fi
}

fuzz_modules_init() {
    fuzz_env_check
    fuzz_build="$1"
    if [ "${FUZZ_OPTIMIZE:-0}" = 1 ]; then fuzz_build="$1-O"; fi
    fuzz_objects=()
    mkdir -p "$fuzz_build/modules" "$fuzz_build/objects"
}

fuzz_target_flags() {
    local flags=(
        -sanitize=fuzzer,address -parse-as-library -swift-version 6 -package-name Lifeline -g
        -I "$fuzz_build/modules"
    )
    mapfile -t -O "${#flags[@]}" flags < <(fuzz_optimize_flags)
    local library
    for library in CSQLite3 CYAML CSerialPort CCurl COpenSSL CMicroHTTPD CLibPQ; do
        flags+=(-I "$fuzz_root/Sources/$library")
    done
    for library in CCurlShim CMicroHTTPDShim COptionalLibraries; do
        flags+=(-I "$fuzz_build/modules/$library")
    done
    printf '%s\n' "${flags[@]}"
}

# Whether OUTPUT is missing or older than any file under SOURCE_DIR or this script.
fuzz_stale() {
    local output="$1" source_dir="$2"
    [ ! -f "$output" ] && return 0
    [ "${BASH_SOURCE[0]}" -nt "$output" ] && return 0
    [ -n "$(find "$source_dir" -newer "$output" -type f -print -quit)" ]
}

fuzz_module() {
    local name="$1"
    local object="$fuzz_build/objects/$name.o"
    fuzz_objects+=("$object")
    if ! fuzz_stale "$object" "$fuzz_root/Sources/$name"; then return 0; fi
    echo "== compiling module $name"
    local sources=()
    mapfile -t sources < <(find "$fuzz_root/Sources/$name" -name '*.swift' | sort)
    local flags=()
    mapfile -t flags < <(fuzz_target_flags)
    # The linker-facing warnings about exported ASan symbols are noise: show the log on failure only.
    if ! swiftc "${flags[@]}" -emit-module -emit-object -wmo -module-name "$name" \
        -emit-module-path "$fuzz_build/modules/$name.swiftmodule" \
        -o "$object" "${sources[@]}" >"$fuzz_build/objects/$name.log" 2>&1; then
        grep -v "Cannot export local symbol" "$fuzz_build/objects/$name.log" >&2
        rm -f "$object"
        echo "== module $name failed to build" >&2
        return 1
    fi
}

fuzz_c_shim() {
    local name="$1"
    local object="$fuzz_build/objects/$name.o"
    local header
    header="$(find "$fuzz_root/Sources/$name/include" -name '*.h' | head -n 1)"
    fuzz_objects+=("$object")
    mkdir -p "$fuzz_build/modules/$name"
    printf 'module %s {\n    header "%s"\n    export *\n}\n' "$name" "$header" >"$fuzz_build/modules/$name/module.modulemap"
    if ! fuzz_stale "$object" "$fuzz_root/Sources/$name"; then return 0; fi
    echo "== compiling C shim $name"
    # One object per source file, joined into NAME.o with a relocatable link.
    local source parts=()
    for source in "$fuzz_root/Sources/$name"/*.c; do
        parts+=("$fuzz_build/objects/$name-$(basename "$source" .c).part.o")
        clang -c -g -fsanitize=address -I "$fuzz_root/Sources/$name/include" -o "${parts[-1]}" "$source" || return 1
    done
    ld -r -o "$object" "${parts[@]}"
}

fuzz_link_flags() {
    printf '%s\n' "${fuzz_objects[@]}" -lyaml -lsqlite3 -lserialport -lmicrohttpd
}

# Compiles the sources of module NAME together with the entry point files into OUTPUT, so the
# entry point may call the module's internal API; the modules built before are linked in.
fuzz_target() {
    local name="$1" output="$2"
    shift 2
    local sources=()
    mapfile -t sources < <(find "$fuzz_root/Sources/$name" -name '*.swift' | sort)
    local flags=() link=()
    mapfile -t flags < <(fuzz_target_flags)
    mapfile -t link < <(fuzz_link_flags)
    echo "== compiling fuzz target $(basename "$output")"
    if ! swiftc "${flags[@]}" -module-name "$name" "${sources[@]}" "$@" "${link[@]}" \
        -o "$output" >"$output.log" 2>&1; then
        grep -v "Cannot export local symbol" "$output.log" >&2
        echo "== fuzz target $(basename "$output") failed to build" >&2
        return 1
    fi
}

# Runs a built fuzz target for SECONDS (and at most FUZZ_RUNS executions) on a corpus that starts
# from SEEDS, keeping a crashing input under Fuzz/out/NAME-crash-*. The corpus is the same with
# or without FUZZ_OPTIMIZE. Extra libFuzzer options may follow.
fuzz_run() {
    local binary="$1" seeds="$2" seconds="$3"
    shift 3
    local name corpus
    name="$(basename "$binary")"
    corpus="$fuzz_root/Fuzz/out/corpus-$name"
    mkdir -p "$corpus"
    cp -n "$seeds"/* "$corpus/" 2>/dev/null || true
    local runs=()
    mapfile -t runs < <(fuzz_runs_flags)
    # Swift's own crash backtracer trips AddressSanitizer after the real failure; leave crash
    # reporting to libFuzzer and ASan.
    echo "== running $name for $seconds s${FUZZ_RUNS:+ or $FUZZ_RUNS executions}"
    SWIFT_BACKTRACE=enable=no "$binary" "$corpus" -max_total_time="$seconds" "${runs[@]}" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$fuzz_root/Fuzz/out/$name-" "$@"
}
