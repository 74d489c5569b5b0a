#!/bin/bash
# skiff-vmm's virtio-net is a vhost-user frontend.  Against dpdk-testpmd
# with two net_vhost ports (testpmd is the backend and forwards between
# them), two test guests ping each other.  When testpmd restarts, the
# VMMs see the link go down, reconnect, restore the rings, and the guests
# ping again.

. "$srcdir/tests/integration/lib.sh"
. "$srcdir/tests/integration/vmm-lib.sh"

need_kvm "vhost-user networking"
if ! command -v dpdk-testpmd >/dev/null; then
    skip "vhost-user networking" "dpdk-testpmd is not installed (dpdk)"
    finish
fi

sock0=$TESTDIR/vhost0.sock
sock1=$TESTDIR/vhost1.sock
prefix=skiff-vmm-vhost-$$
# start_testpmd SOCK0 SOCK1 [OPTIONS]: testpmd forwarding between two
# net_vhost ports on the two sockets, OPTIONS added to each (",client=1").
start_testpmd() {
    start_daemon testpmd stdbuf -o0 dpdk-testpmd -l 0,1 --main-lcore 0 \
        --no-huge -m 1024 --file-prefix="$prefix" --no-pci \
        --vdev "net_vhost0,iface=$1,queues=1${3:-}" \
        --vdev "net_vhost1,iface=$2,queues=1${3:-}" \
        -- --forward-mode=io --auto-start --stats-period 10 \
        --total-num-mbufs=4096
    TESTPMD_PID=$DAEMON_PID
}
start_testpmd "$sock0" "$sock1"
wait_for "testpmd's sockets" 30 test -S "$sock0" -a -S "$sock1"
check "testpmd listens on both vhost-user sockets" \
    test -S "$sock0" -a -S "$sock1"

fails_with_unreachable() {
    local out rc
    out=$("$VMM" --kernel "$GUEST" --console none \
              --net "vhost-user=$TESTDIR/nobody.sock" 2>&1)
    rc=$?
    [ $rc -eq 1 ] && printf '%s\n' "$out" | grep -q 'cannot connect to'
}
check "an unreachable vhost-user socket: exit 1 naming it" \
    fails_with_unreachable

# ping_b NAME SOCKET [OPTIONS]: guest A on SOCKET pings B three times and
# exits.
ping_b() {
    timeout 120 "$VMM" --kernel "$GUEST" \
        --net "vhost-user=$2,mac=52:54:00:00:00:01${3:-}" \
        --cmdline "ip=10.0.0.1 ping=10.0.0.2 count=3 exit=1" \
        --console "file:$TESTDIR/$1.log"
}

# Guest B answers on port 1 for the whole test; its API shows the link.
api=$TESTDIR/b.api
start_daemon vmm-b "$VMM" --kernel "$GUEST" --name b --api "$api" \
    --net "vhost-user=$sock1,mac=52:54:00:00:00:02" \
    --cmdline "ip=10.0.0.2" --console "file:$TESTDIR/b.log"
vmm_b=$DAEMON_PID
wait_for "guest B's network" 60 console_has "$TESTDIR/b.log" \
    '^net: device at 0xd0000000 irq 5 mac 52:54:00:00:00:02 ip 10\.0\.0\.2'
check "guest B found its virtio-net device and MAC" \
    console_has "$TESTDIR/b.log" '^net: .*mac 52:54:00:00:00:02'
appctl() {
    skiff-appctl -t "$api" -T 10 "$@"
}
check_output "B's link is up" '"link":"up","connects":1' appctl info

check "guest A pings guest B through testpmd" ping_b a1 "$sock0"
check "... 3 sent, 3 received" \
    console_has "$TESTDIR/a1.log" '^ping: 3 sent, 3 received$'

# testpmd goes away: B's link goes down; it comes back: B reconnects.
kill -TERM "$TESTPMD_PID"
check "testpmd stops" wait_exit "$TESTPMD_PID" 30
link_is() {
    appctl info | grep -q "\"link\":\"$1\""
}
check "B's link goes down without its backend" wait_for "link down" 10 \
    link_is down
check "B's VMM keeps running" kill -0 "$vmm_b"
start_testpmd "$sock0" "$sock1"
check "B reconnects to the new testpmd" wait_for "link up" 30 link_is up
check "guest B saw its link go down..." \
    console_has "$TESTDIR/b.log" '^net: link down$'
check "... and up again" sh -c "tr -d '\\r' <'$TESTDIR/b.log' |
    sed -n '/^net: link down/,\$p' | grep -q '^net: link up'"
check_output "... once more" '"connects":2' appctl info
check "guest A pings guest B again after the restart" ping_b a2 "$sock0"
check "... 3 sent, 3 received" \
    console_has "$TESTDIR/a2.log" '^ping: 3 sent, 3 received$'
kill -TERM "$vmm_b"
check "guest B's VMM stops on SIGTERM" wait_exit "$vmm_b" 10
kill -TERM "$TESTPMD_PID"
check "testpmd stops again" wait_exit "$TESTPMD_PID" 30

# The other way round: the VMMs listen ("server") and testpmd connects.
ssock0=$TESTDIR/server0.sock
ssock1=$TESTDIR/server1.sock
api=$TESTDIR/c.api
start_daemon vmm-c "$VMM" --kernel "$GUEST" --name c --api "$api" \
    --net "vhost-user=$ssock1,mac=52:54:00:00:00:02,server" \
    --cmdline "ip=10.0.0.2" --console "file:$TESTDIR/c.log"
wait_for "guest C's socket" 30 test -S "$ssock1"
check_output "C's link is down while no backend is connected" \
    '"server":true,.*"link":"down","connects":0' appctl info
start_testpmd "$ssock0" "$ssock1" ",client=1"
check "testpmd connects to C; its link comes up" \
    wait_for "link up" 60 link_is up
check "guest A (listening too) pings guest C" \
    ping_b a3 "$ssock0" ",server"
check "... 3 sent, 3 received" \
    console_has "$TESTDIR/a3.log" '^ping: 3 sent, 3 received$'

finish
