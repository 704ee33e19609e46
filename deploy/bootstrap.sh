#!/usr/bin/env bash
# Installs what Lifeline needs to build and test on Debian 12 with the Swift toolchain on PATH:
# the C libraries' -dev packages, the protocol peers the tests run against, and a Python
# virtual environment (.venv at the top of the checkout) for the peers that come from PyPI.
# Safe to run again: it installs only what is missing.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

debian_packages=(
    pkg-config
    libsqlite3-dev
    libyaml-dev
    libserialport-dev
    libcurl4-openssl-dev
    libssl-dev
    libmicrohttpd-dev
    libsystemd-dev
    # PostgreSQL's client library for the shared store, and the server its tests start.
    libpq-dev
    postgresql
    python3
    python3-venv
    python3-pip
    # Protocol peers written by others: Kannel's SMPP client against the SMSC simulator, gammu
    # against the modem simulator.
    kannel
    gammu
    # The status page's browser test drives Debian's headless chromium over its DevTools pipe.
    chromium
    # The chaos test steps the daemon's wall clock with libfaketime.
    faketime
)

# Pinned so that a test run today and one next year talk to the same peers.
python_packages=(
    "smpp.twisted3==0.8"
    "smpp.pdu3==0.6"
    "Twisted==23.10.0"
    "openapi-core==0.23.1"
    "botocore==1.44.8"
    "moto[server]==5.2.5"
    "twilio==7.17.0"
    "vonage==3.18.0"
)

missing=()
for package in "${debian_packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -gt 0 ]]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    sudo_command=()
    [[ $(id -u) -eq 0 ]] || sudo_command=(sudo)
    "${sudo_command[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo_command[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "bootstrap: swift is not on PATH; install the Swift 6 toolchain first (swift.org/install/linux)" >&2
    exit 1
fi

venv="$top/.venv"
if [[ ! -x "$venv/bin/python" ]]; then
    echo "bootstrap: creating $venv"
    /usr/bin/python3 -m venv "$venv" 2>/dev/null || python3 -m venv "$venv"
fi
stamp="$venv/.lifeline-packages"
wanted=$(printf '%s\n' "${python_packages[@]}")
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
    echo "bootstrap: installing Python peers into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "${python_packages[@]}"
    printf '%s\n' "$wanted" >"$stamp"
fi
