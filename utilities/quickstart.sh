#!/bin/bash
# Skiff quick start, for a Debian 12 machine, as root:
#
#   utilities/quickstart.sh demo    install, build, run the main job
#                                   (two VMs pinging through a Skiff
#                                   bridge; --keep leaves them running)
#   utilities/quickstart.sh check   install, build (warnings as errors,
#                                   AddressSanitizer and UBSan), run every
#                                   test; ends with "N passed, N failed,
#                                   N skipped"
#
# Safe to run again: it installs only missing packages and rebuilds only
# what changed.  Builds go to _build/main and _build/check in the source
# tree.

set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

# What Skiff builds with, and what its tests run (openvswitch-common: the
# standard OVSDB client that tests skiff-dbd's compatibility).
packages=(
    build-essential autoconf automake pkg-config
    libdpdk-dev libpcap-dev libnl-3-dev libnl-route-3-dev libjson-c-dev
    libssl-dev libcmocka-dev
    clang openssl iproute2 iputils-ping procps dpdk dpdk-dev
    openvswitch-common acpica-tools
)

step() {
    printf '\n==> %s\n' "$*"
}

fail() {
    printf 'quickstart: %s\n' "$*" >&2
    exit 1
}

install_packages() {
    local missing=() p
    for p in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
                grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        step "packages: all ${#packages[@]} already installed"
        return
    fi
    step "installing ${missing[*]}"
    [ "$(id -u)" -eq 0 ] || fail "installing packages needs root"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q || fail "apt-get update failed"
    apt-get install -y -q --no-install-recommends "${missing[@]}" ||
        fail "apt-get install failed"
}

# ovs-vsctl, a peer the tests check compatibility with, comes in package
# openvswitch-switch, whose installation would start Open vSwitch's own
# services; so only the package's files are unpacked, into _build/peers,
# and put on PATH.
fetch_peers() {
    if command -v ovs-vsctl >/dev/null; then
        return
    fi
    local peers=$top/_build/peers
    if [ ! -x "$peers/usr/bin/ovs-vsctl" ]; then
        step "unpacking ovs-vsctl (package openvswitch-switch) into $peers"
        mkdir -p "$peers"
        if ! (cd "$peers" && apt-get download -q openvswitch-switch); then
            apt-get update -q || fail "apt-get update failed"
            (cd "$peers" && apt-get download -q openvswitch-switch) ||
                fail "cannot download openvswitch-switch"
        fi
        dpkg-deb -x "$peers"/openvswitch-switch_*.deb "$peers" ||
            fail "cannot unpack openvswitch-switch"
    fi
    export PATH=$peers/usr/bin:$PATH
}

# build DIR CONFIGURE-ARGS...: configures (again, if the arguments changed)
# and builds in _build/DIR.
build() {
    local dir=$top/_build/$1
    shift
    if [ ! -x "$top/configure" ] ||
       [ "$top/configure.ac" -nt "$top/configure" ]; then
        step "autoreconf"
        (cd "$top" && autoreconf -fi) || fail "autoreconf failed"
    fi
    mkdir -p "$dir"
    local args="$*"
    if [ ! -f "$dir/Makefile" ] ||
       [ "$(cat "$dir/.configure-args" 2>/dev/null)" != "$args" ]; then
        step "configure $args (in $dir)"
        (cd "$dir" && "$top/configure" "$@") || fail "configure failed"
        printf '%s' "$args" >"$dir/.configure-args"
    fi
    step "make (in $dir)"
    make -C "$dir" -j"$jobs" || fail "the build failed"
}

# The main job: utilities/skiff-demo.sh on the tree just built (two VMs
# pinging each other through a Skiff bridge).  The test guest the VMs boot
# is built by "make check", so it is built here explicitly.
demo() {
    make -C "$top/_build/main" tests/guest/skiff-test-guest.img ||
        fail "building the test guest failed"
    "$top/utilities/skiff-demo.sh" "$top/_build/main" "$@"
}

case ${1:-} in
    demo)
        shift
        install_packages
        build main
        demo "$@"
        ;;
    check)
        install_packages
        fetch_peers
        build check --enable-werror --enable-sanitizers
        step "make check"
        export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1}
        export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
        make -C "$top/_build/check" check
        ;;
    *)
        echo "usage: $0 demo [--keep]|check" >&2
        exit 2
        ;;
esac
