#!/bin/bash
# Skiff quick start, for a Debian 12 machine, as root:
#
#   utilities/quickstart.sh demo    install, build, run the main job
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

# The main job.  Today Skiff has its database, skiff-dbd, configured with
# skiff-vsctl and inspected with skiff-appctl.  The switch and the VMM
# join this run as they land.
#
# The demo's run directory is removed after a success and kept, for its
# log, after a failure.
demo_run=
demo_pid=
demo_ok=
demo_cleanup() {
    if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
        kill -TERM "$demo_pid"
    fi
    if [ -n "$demo_ok" ]; then
        rm -rf "$demo_run"
    elif [ -n "$demo_run" ]; then
        echo "quickstart: kept $demo_run for its logs" >&2
    fi
}

demo() {
    local dir=$top/_build/main
    demo_run=$(mktemp -d /tmp/skiff-demo-XXXXXX)
    local run=$demo_run
    trap demo_cleanup EXIT

    local vsctl=("$dir/utilities/skiff-vsctl" --db="unix:$run/db.sock"
                 --timeout=10 --no-wait)
    local appctl=("$dir/utilities/skiff-appctl" --rundir="$run"
                  -t skiff-dbd -T 10)

    step "starting the database server, skiff-dbd, in $run"
    "$dir/vswitchd/skiff-dbd" --rundir="$run" --db="$run/conf.db" \
        --schema="$top/vswitchd/vswitch.schema.json" --detach --pidfile \
        --log-file="$run/skiff-dbd.log" ||
        fail "skiff-dbd did not start; see $run/skiff-dbd.log"
    demo_pid=$(cat "$run/skiff-dbd.pid")

    # skiff-vswitchd is not built yet, so nothing applies the
    # configuration: --no-wait keeps skiff-vsctl from waiting for it.
    step "skiff-vsctl: a bridge with two ports, in one transaction"
    "${vsctl[@]}" init -- add-br br0 -- add-port br0 vm1 tag=10 \
        -- add-port br0 vm2 ||
        fail "skiff-vsctl failed; see $run/skiff-dbd.log"
    "${vsctl[@]}" set Interface vm1 type=dpdkvhostuser
    step "skiff-vsctl show"
    "${vsctl[@]}" show
    step "skiff-vsctl --format=table list Port"
    "${vsctl[@]}" --format=table --columns=name,tag,interfaces list Port
    step "a bad value is refused, and nothing changes"
    "${vsctl[@]}" set Port vm2 tag=5000 || true
    echo "vm2's tag is still: $("${vsctl[@]}" get Port vm2 tag)"
    step "skiff-appctl db/status"
    "${appctl[@]}" db/status
    step "skiff-appctl exit"
    "${appctl[@]}" exit
    local i
    for i in $(seq 50); do
        kill -0 "$demo_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$demo_pid" 2>/dev/null; then
        fail "skiff-dbd did not exit; see $run/skiff-dbd.log"
    fi
    step "skiff-dbd's log"
    cat "$run/skiff-dbd.log"
    step "done: the database and its tools work"
    demo_ok=1
}

case ${1:-} in
    demo)
        install_packages
        build main
        demo
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
        echo "usage: $0 demo|check" >&2
        exit 2
        ;;
esac
