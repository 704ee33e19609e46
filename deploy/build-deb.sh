#!/usr/bin/env bash
# Builds the Lifeline Debian package from a compiled lifeline binary, with dpkg-deb alone (no
# debian/ source tree, no debhelper).
#
# Usage: deploy/build-deb.sh [--allow-shared-swift-runtime] BINARY VERSION OUTDIR
#   BINARY   the lifeline executable, built for release with the Swift runtime linked in:
#                swift build -c release --product lifeline --static-swift-stdlib
#   VERSION  the Debian version, such as 1.0.0 or 1.0.0~rc1
#   OUTDIR   where lifeline_VERSION_ARCH.deb is written; created if missing
#
# The Swift runtime. A binary from a plain `swift build` needs libswiftCore.so, libFoundation.so
# and the rest of the toolchain's lib/swift/linux at run time, and finds them through a RUNPATH
# pointing into the toolchain (/opt/swift/usr/lib/swift/linux here). No Debian package provides
# them, and a box has no toolchain.
# --static-swift-stdlib links them into the executable instead (Foundation's ICU data included),
# so the package depends only on Debian libraries. This script refuses a binary that still
# needs a Swift runtime library, unless --allow-shared-swift-runtime is given: the package is
# then only good for inspecting its layout and scripts, because the daemon will not start on a
# box without the toolchain.
#
# Environment: LIFELINE_MAINTAINER ("Name <address>") sets the Maintainer field, else DEBFULLNAME
# and DEBEMAIL as with other Debian tools; SOURCE_DATE_EPOCH, when set,
# dates the changelog and the archive members, for reproducible packages.
#
# The package holds:
#   /usr/bin/lifeline                          the binary, stripped
#   /lib/systemd/system/lifeline.service       the unit
#   /lib/udev/rules.d/99-lifeline-modems.rules stable names for USB modems
#   /etc/lifeline/lifeline.yaml                the example config, a conffile
#   /etc/lifeline/credentials/                 for secrets, mode 700
#   /usr/share/doc/lifeline/                   install guide, hardware notes, example config
set -euo pipefail

usage() {
    echo "usage: $0 [--allow-shared-swift-runtime] BINARY VERSION OUTDIR" >&2
    exit 64
}

allow_shared_runtime=false
if [[ "${1:-}" == "--allow-shared-swift-runtime" ]]; then
    allow_shared_runtime=true
    shift
fi
[[ $# -eq 3 ]] || usage
binary=$1
version=$2
outdir=$3

deploy=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$deploy/.." && pwd)
package=lifeline
if [[ -n "${LIFELINE_MAINTAINER:-}" ]]; then
    maintainer=$LIFELINE_MAINTAINER
elif [[ -n "${DEBEMAIL:-}" ]]; then
    maintainer="${DEBFULLNAME:-Lifeline maintainers} <$DEBEMAIL>"
else
    # A placeholder: lintian reports it (bogus-mail-host) until a real address is given.
    maintainer="Lifeline maintainers <lifeline@localhost>"
fi

fail() {
    echo "build-deb: $*" >&2
    exit 1
}

for tool in dpkg-deb readelf strip gzip; do
    command -v "$tool" >/dev/null || fail "$tool is missing; install it with: apt-get install dpkg binutils gzip"
done
[[ -f "$binary" && -x "$binary" ]] || fail "$binary is not an executable file; build it with: swift build -c release --product lifeline --static-swift-stdlib"
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] \
    || fail "version '$version' is not a Debian version; start with a digit and use letters, digits and . + ~ - (1.0.0, 1.0.0~rc1)"

# The architecture comes from the binary, not from the build machine.
machine=$(LC_ALL=C readelf -h "$binary" | sed -n 's/^ *Machine: *//p')
case "$machine" in
    "Advanced Micro Devices X86-64") architecture=amd64 ;;
    AArch64) architecture=arm64 ;;
    *) fail "$binary is built for '$machine'; this script knows x86-64 (amd64) and AArch64 (arm64)" ;;
esac

# The shared libraries the binary requires (its NEEDED entries).
mapfile -t needed < <(LC_ALL=C readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
swift_runtime=()
for library in "${needed[@]}"; do
    case "$library" in
        libswift* | libFoundation* | lib_Foundation* | libdispatch.so* | libBlocksRuntime.so* | libXCTest.so*)
            swift_runtime+=("$library") ;;
    esac
done
if [[ ${#swift_runtime[@]} -gt 0 ]]; then
    if ! $allow_shared_runtime; then
        fail "$binary needs the Swift runtime (${swift_runtime[*]}), which no Debian package provides; rebuild it with: swift build -c release --product lifeline --static-swift-stdlib"
    fi
    echo "build-deb: warning: $binary needs ${swift_runtime[*]}; this package will not run without the Swift toolchain" >&2
fi

# A binary linked with RELR relocations (`-z pack-relative-relocs`, as Package.swift sets for
# release builds) needs glibc 2.36 or later. dpkg-shlibdeps does not derive that from the
# GLIBC_ABI_DT_RELR version the binary requires, so the minimum is set here.
libc6=libc6
if LC_ALL=C readelf -V "$binary" | grep -q GLIBC_ABI_DT_RELR; then
    libc6="libc6 (>= 2.36)"
fi

# Depends: the Debian libraries the daemon uses. libmicrohttpd12 is listed although the binary
# may not link it yet, because the HTTP API needs it. Versions come from dpkg-shlibdeps when
# dpkg-dev is installed; otherwise the names are used without versions.
# libcurl, libpq and OpenSSL are opened with dlopen only when the config needs them (cloud
# providers, a PostgreSQL store, SMPP over TLS and signatures), so dpkg-shlibdeps cannot see
# them: they are listed here with the oldest version that has every function and option the
# daemon uses (CURLOPT_PROTOCOLS_STR needs curl 7.85).
base_depends=("$libc6" libgcc-s1 libsqlite3-0 libyaml-0-2 libserialport0 "libcurl4 (>= 7.85.0)"
    "libpq5 (>= 9.0~)" "libssl3 (>= 3.0.0)" libmicrohttpd12 libsystemd0 passwd)
# Release builds link libstdc++ statically (Package.swift); a debug build still loads it.
if LC_ALL=C readelf -d "$binary" | grep -q 'NEEDED.*libstdc++'; then
    base_depends+=(libstdc++6)
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"
umask 022

install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/lib/udev/rules.d" \
    "$stage/etc/lifeline" "$stage/usr/share/doc/$package/hardware" "$stage/usr/share/doc/$package/examples" \
    "$stage/usr/share/lintian/overrides"
install -d -m 0700 "$stage/etc/lifeline/credentials"

install -m 0755 "$binary" "$stage/usr/bin/lifeline"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/lifeline"
install -m 0644 "$deploy/lifeline.service" "$stage/lib/systemd/system/lifeline.service"
install -m 0644 "$deploy/udev/99-lifeline-modems.rules" "$stage/lib/udev/rules.d/99-lifeline-modems.rules"
install -m 0644 "$deploy/lifeline.example.yaml" "$stage/etc/lifeline/lifeline.yaml"

doc="$stage/usr/share/doc/$package"
install -m 0644 "$deploy/README.md" "$doc/README.md"
install -m 0644 "$deploy/debian/copyright" "$doc/copyright"
install -m 0644 "$deploy/lifeline.example.yaml" "$doc/examples/lifeline.example.yaml"
install -m 0644 "$deploy/debian/lintian-overrides" "$stage/usr/share/lintian/overrides/$package"
for page in README.md compatibility.md usb_modeswitch.md; do
    install -m 0644 "$top/hardware/$page" "$doc/hardware/$page"
done

date_epoch=${SOURCE_DATE_EPOCH:-$(date +%s)}
{
    echo "$package ($version) unstable; urgency=medium"
    echo
    echo "  * Package built with deploy/build-deb.sh from a lifeline binary."
    echo
    echo " -- $maintainer  $(LC_ALL=C date -u -R -d "@$date_epoch")"
} | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

for script in postinst prerm postrm; do
    install -m 0755 "$deploy/debian/$script" "$stage/DEBIAN/$script"
done
echo /etc/lifeline/lifeline.yaml >"$stage/DEBIAN/conffiles"

# Checksums for `dpkg --verify`; dpkg keeps the conffile's own checksum, so it is left out here.
(cd "$stage" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' \
    | LC_ALL=C sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums"

depends=""
if command -v dpkg-shlibdeps >/dev/null; then
    # dpkg-shlibdeps requires a debian/control in its working directory.
    shlib_work=$(mktemp -d)
    mkdir -p "$shlib_work/debian"
    printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$package" "$package" >"$shlib_work/debian/control"
    if depends=$(cd "$shlib_work" && dpkg-shlibdeps -O "$stage/usr/bin/lifeline" 2>"$shlib_work/errors"); then
        depends=${depends#shlibs:Depends=}
    else
        echo "build-deb: dpkg-shlibdeps failed, using unversioned dependencies:" >&2
        cat "$shlib_work/errors" >&2
        depends=""
    fi
    rm -rf "$shlib_work"
fi
# Adds each base dependency that dpkg-shlibdeps did not already name (with a version). A libc6
# entry gives way to the RELR minimum when there is one.
if [[ "$libc6" != libc6 ]]; then
    depends=$(tr ',' '\n' <<<"$depends" | sed 's/^ *//' | grep -v '^libc6\( \|$\)' | paste -sd, - | sed 's/,/, /g')
fi
listed=$(tr ',' '\n' <<<"$depends" | awk '{ print $1 }')
for entry in "${base_depends[@]}"; do
    if ! grep -qxF -- "${entry%% *}" <<<"$listed"; then
        depends=${depends:+$depends, }$entry
    fi
done

installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: $package
Version: $version
Architecture: $architecture
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends
Suggests: usb-modeswitch, picocom, sqlite3
Section: comm
Priority: optional
Description: on-site SMS gateway with a failover pool of providers
 Lifeline queues text messages in SQLite and sends each one through the
 first working provider in a configured order: cloud HTTP APIs (Twilio,
 Vonage, AWS SNS), an SMPP 3.4 link to a mobile carrier, and USB GSM modems
 driven with AT commands, which keep working when the internet is down.
 It tracks delivery receipts, re-routes messages that were not delivered,
 and offers an HTTP API, Prometheus metrics and a command line.
EOF

mkdir -p "$outdir"
deb="$outdir/${package}_${version}_${architecture}.deb"
export SOURCE_DATE_EPOCH=$date_epoch
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
