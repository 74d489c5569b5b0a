#!/bin/bash
# vhost-user ports against DPDK's own virtio-user driver in dpdk-testpmd:
# the switch as vhost-user server (dpdkvhostuser) and as client
# (dpdkvhostuserclient, which reconnects by itself), with packets looping
# between testpmd and the switch.  The switch's PMD runs on core 1,
# testpmd's forwarding lcore on core 0.

. "$srcdir/tests/integration/lib.sh"

if ! command -v dpdk-testpmd >/dev/null; then
    skip "dp-vhost" "needs dpdk-testpmd (Debian package dpdk-dev)"
    finish
fi
if [ "$(nproc)" -lt 2 ]; then
    skip "dp-vhost" "needs two cores (a busy-polling PMD and testpmd)"
    finish
fi

prefix=skiff-dp-vhost-$$
tp_prefix=skiff-dp-vhost-tp-$$
dp_cleanup() {
    stop_all
    rm -rf "/var/run/dpdk/$prefix" "/var/run/dpdk/$tp_prefix"
    cleanup
}
trap dp_cleanup EXIT

appctl() { skiff-appctl -t dp-testd "$@"; }

# port_field PORT FIELD: a field of "dptest/port PORT" ("rx", "link"...).
port_field() {
    appctl dptest/port "$1" | awk -v f="$2" \
        '{for (i = 1; i < NF; i++) if ($i == f) print $(i + 1)}'
}
rx_above() { [ "$(port_field "$1" rx)" -gt "$2" ]; }
tx_above() { [ "$(port_field "$1" tx)" -gt "$2" ]; }
link_is() { [ "$(port_field "$1" link)" = "$2" ]; }

# testpmd NAME VDEV...: starts testpmd (io forwarding, a first burst sent
# on each port, counters every second) with virtio-user ports VDEV.
testpmd() {
    local name=$1
    shift
    local vdevs=() v
    for v in "$@"; do
        vdevs+=(--vdev "$v")
    done
    start_daemon "$name" dpdk-testpmd -l 0,1 --main-lcore 1 --no-huge \
        -m 512 --single-file-segments --iova-mode=va --no-pci \
        --file-prefix="$tp_prefix" "${vdevs[@]}" -- --forward-mode=io \
        --tx-first --stats-period 1 --nb-cores=1 --total-num-mbufs=8192 \
        "${TESTPMD_ARGS[@]}"
}

log=$TESTDIR/dp-testd.log
start_daemon dp-testd dp-testd --pidfile --log-file="$log" \
    --file-prefix="$prefix" --main-lcore=0 --pmd-mask=0x2
dp_pid=$DAEMON_PID
if ! wait_for "dp-testd's control socket" 30 appctl version; then
    not_ok "dp-testd starts"
    sed 's/^/# /' "$TESTDIR/dp-testd.stdout" "$log" 2>/dev/null
    finish
fi
ok "dp-testd starts with its PMD on core 1"

# Server mode: two ports, testpmd connects to both; the switch crosses
# them, testpmd's io forwarding crosses them back: packets loop.
check_output "dpdkvhostuser vhu1 is port 1" '^1$' \
    appctl dptest/add-port vhu1 dpdkvhostuser
check_output "dpdkvhostuser vhu2 is port 2" '^2$' \
    appctl dptest/add-port vhu2 dpdkvhostuser
check "its socket is in the run dir" test -S "$TESTDIR/vhu1"
check_output "... with mode 0660" '^660$' stat -c %a "$TESTDIR/vhu1"
check "rule: 1 to 2" appctl dptest/set-rule 1 output:2
check "rule: 2 to 1" appctl dptest/set-rule 2 output:1
check "no guest yet: link down" link_is vhu1 down

TESTPMD_ARGS=()
testpmd testpmd1 "net_virtio_user0,path=$TESTDIR/vhu1,queues=1" \
    "net_virtio_user1,path=$TESTDIR/vhu2,queues=1"
tp1=$DAEMON_PID
if wait_for "vhu1 and vhu2 up" 30 eval 'link_is vhu1 up && link_is vhu2 up'
then
    ok "testpmd's virtio-user ports connect: link up"
else
    not_ok "testpmd's virtio-user ports connect: link up"
    tail -20 "$TESTDIR/testpmd1.stdout" | sed 's/^/# /'
fi
if wait_for "traffic" 30 eval 'rx_above vhu1 10000 && rx_above vhu2 10000 &&
                               tx_above vhu1 10000 && tx_above vhu2 10000'
then
    ok "packets loop both ways through the switch"
else
    not_ok "packets loop both ways through the switch"
    appctl dpif/show | sed 's/^/# /'
fi
check_output "two megaflows carry the loop" \
    'in_port\(1\), packets:[1-9][0-9]*, .*actions:output:2' \
    appctl dpctl/dump-flows
check_output "... most packets hit the exact-match cache" \
    'emc hits: [1-9][0-9]{3,}' appctl dpif-netdev/pmd-stats-show

# Ports come and go while traffic flows on the others.
churn_ok=true
for i in 1 2 3 4 5; do
    appctl dptest/add-port extra$i pcap tx_pcap="$TESTDIR/extra.pcap" \
        >/dev/null && appctl dptest/del-port extra$i || churn_ok=false
done
check "five ports added and removed under traffic" $churn_ok
rx=$(port_field vhu1 rx)
if wait_for "more traffic" 10 rx_above vhu1 $((rx + 10000)); then
    ok "... while the loop keeps going"
else
    not_ok "... while the loop keeps going"
fi
check_output "... and nothing was lost on the way" \
    'tx_dropped 0$' appctl dptest/port vhu2

# Removing a port that megaflows still output to: those packets are
# dropped and counted, the rest goes on.
check "del-port vhu2 under traffic" appctl dptest/del-port vhu2
if wait_for "drops to the removed port" 10 eval \
        'appctl dpif-netdev/pmd-stats-show | grep -q "output port gone: [1-9]"'
then
    ok "packets to the removed port are dropped and counted"
else
    not_ok "packets to the removed port are dropped and counted"
fi

seq_before=$(port_field vhu1 link_seq)
kill -TERM "$tp1"
if wait_exit "$tp1" 20; then
    ok "testpmd stops"
else
    not_ok "testpmd stops"
fi
# testpmd's totals at exit: "Forward statistics for port N" then RX-packets.
tp_rx() {
    awk -v p="$1" 'BEGIN {cur = "none"}
        /Forward statistics for port/ {cur = $6}
        cur == p && /RX-packets:/ {print $2; exit}' "$TESTDIR/testpmd1.stdout"
}
check "testpmd received on port 0 what the switch sent" \
    test "$(tp_rx 0)" -gt 10000
check "... and on port 1" test "$(tp_rx 1)" -gt 10000
if wait_for "vhu1 down" 10 link_is vhu1 down; then
    ok "the guest's disconnect is reported: link down"
else
    not_ok "the guest's disconnect is reported: link down"
fi
check "... and counted as a link event" \
    test "$(port_field vhu1 link_seq)" -gt "$seq_before"
check "the switch still answers" appctl dpif/show

# Client mode: testpmd is the server; the switch connects, and connects
# again after testpmd restarts.
TESTPMD_ARGS=(--port-topology=loop)
sock=$TESTDIR/tp.sock
testpmd testpmd2 "net_virtio_user2,path=$sock,server=1,queues=1"
tp2=$DAEMON_PID
wait_for "testpmd's server socket" 20 test -S "$sock"
check_output "dpdkvhostuserclient vhc takes vhu2's free number, 2" '^2$' \
    appctl dptest/add-port vhc dpdkvhostuserclient vhost-server-path="$sock"
check "rule: 2 back to 2" appctl dptest/set-rule 2 output:2
if wait_for "vhc up and traffic" 30 eval 'link_is vhc up && rx_above vhc 1000'
then
    ok "the client port connects and packets flow"
else
    not_ok "the client port connects and packets flow"
    tail -20 "$TESTDIR/testpmd2.stdout" | sed 's/^/# /'
fi
kill -TERM "$tp2"
wait_exit "$tp2" 20
if wait_for "vhc down" 10 link_is vhc down; then
    ok "the server's exit is reported: link down"
else
    not_ok "the server's exit is reported: link down"
fi
testpmd testpmd3 "net_virtio_user2,path=$sock,server=1,queues=1"
rx=$(port_field vhc rx)
if wait_for "vhc reconnects" 30 eval 'link_is vhc up && rx_above vhc $rx'
then
    ok "the client port reconnects by itself and packets flow again"
else
    not_ok "the client port reconnects by itself and packets flow again"
fi

check "dp-testd exits on request" appctl exit
if wait_exit "$dp_pid" 20; then
    ok "dp-testd exits cleanly"
else
    not_ok "dp-testd exits cleanly"
fi
check_fails "no sanitizer or EAL error report" 1 \
    grep -Eq 'runtime error|Sanitizer|PANIC|Cause:' "$TESTDIR/dp-testd.stdout"
finish
