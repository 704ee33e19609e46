#!/usr/bin/env bash
# Writes deploy/symbol-order/lifeline.order: the functions of the release binary that the daemon
# runs, one mangled name per line. Release builds on Linux pass the file to lld
# (--symbol-ordering-file, set in Package.swift), which lays those functions out together so the
# daemon's code fills fewer pages of memory. A function missing from the file still works; it is
# only placed with the rest of the code.
#
# The profile is valgrind's callgrind over three runs of the real daemon on 127.0.0.1:
#   1. start-up with 20,000 queued messages and 5 s of sending to a minimal SMSC
#      (bench/queue/queue_bench.py startup), with the HTTP API listening;
#   2. 30 sends of each kind through the HTTP API and the CLI (queue_bench.py pickup);
#   3. `lifeline bench smpp --messages 2000`: an SMPP link with delivery receipts.
# Regenerate it after large changes to the daemon's code paths; a stale file costs memory, never
# correctness.
#
# Needs: valgrind, python3, and a release build (`swift build -c release --product lifeline
# --static-swift-stdlib`, built here unless SKIP_BUILD=1). Takes about 2 minutes.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 69; }
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    (cd "$root" && swift build -c release --product lifeline --static-swift-stdlib)
fi

work="$(mktemp -d /tmp/lifeline-symbol-order.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# Valgrind 3.19 rejects the debug information of the static binary, so it runs a copy without it.
objcopy --strip-debug "$root/.build/release/lifeline" "$work/lifeline"
cat >"$work/profiled" <<EOF
#!/usr/bin/env bash
if [ "\$1" = serve ]; then
    exec valgrind --tool=callgrind --demangle=no --dump-instr=no --compress-strings=no \
        --compress-pos=no --callgrind-out-file="$work/callgrind.serve.%p" "$work/lifeline" "\$@"
fi
exec "$work/lifeline" "\$@"
EOF
chmod +x "$work/profiled"

python3 "$root/bench/queue/queue_bench.py" "$work/profiled" startup --queued 20000 >"$work/startup.json"
python3 "$root/bench/queue/queue_bench.py" "$work/profiled" pickup --sends 30 >"$work/pickup.json"
valgrind --tool=callgrind --demangle=no --dump-instr=no --compress-strings=no --compress-pos=no \
    --callgrind-out-file="$work/callgrind.bench" "$work/lifeline" bench smpp --messages 2000 >/dev/null 2>&1

python3 - "$here/lifeline.order" "$work"/callgrind.serve.* "$work/callgrind.bench" <<'EOF'
import sys

# Every function of the lifeline object that ran, in the order the profiles list them.
names, seen = [], set()
for path in sys.argv[2:]:
    current_object = ""
    with open(path, errors="replace") as profile:
        for line in profile:
            if line.startswith("ob="):
                current_object = line[3:].strip()
            elif line.startswith("fn="):
                name = line[3:].strip()
                if current_object.endswith("/lifeline") and not name.startswith("0x") and name not in seen:
                    seen.add(name)
                    names.append(name)
if len(names) < 1000:
    sys.exit(f"only {len(names)} functions in the profiles: did the daemon start?")
with open(sys.argv[1], "w") as order:
    order.write("\n".join(names) + "\n")
print(f"{len(names)} functions written to {sys.argv[1]}")
EOF
