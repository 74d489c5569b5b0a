#!/bin/bash
# skiff-vswitchd with two dpdkvhostuser ports whose peers are
# dpdk-testpmd's net_virtio_user ports: testpmd sends a first burst on
# each port and then forwards whatever it receives, so packets loop
# through the bridge (NORMAL) both ways.  (--stats-period keeps testpmd
# running without a terminal.)

. "$srcdir/tests/integration/lib.sh"

if ! command -v dpdk-testpmd >/dev/null; then
    skip "vswitchd-vhost" "needs dpdk-testpmd (Debian package dpdk)"
    finish
fi
if [ "$(nproc)" -lt 2 ]; then
    skip "vswitchd-vhost" "needs two cores (a busy-polling PMD and testpmd)"
    finish
fi

tp_prefix=skiff-vswitchd-vhost-tp-$$
vh_cleanup() {
    stop_all
    rm -rf "/var/run/dpdk/$tp_prefix"
    cleanup
}
trap vh_cleanup EXIT

schema=$srcdir/vswitchd/vswitch.schema.json
vsctl() { skiff-vsctl --timeout=30 "$@"; }
appctl() { skiff-appctl -t skiff-vswitchd "$@"; }

start_daemon dbd skiff-dbd --db="$TESTDIR/conf.db" --schema="$schema" \
    --pidfile --log-file="$TESTDIR/dbd.log"
wait_for "skiff-dbd" 20 test -S "$TESTDIR/db.sock"
# The switch's PMD on core 1, testpmd's forwarding lcore on core 0.
check "initialize the database" vsctl --no-wait init -- \
    set Open_vSwitch . other_config:pmd-cpu-mask=0x2
start_daemon vswitchd skiff-vswitchd --pidfile \
    --log-file="$TESTDIR/vswitchd.log"
if wait_for "skiff-vswitchd" 30 appctl version; then
    ok "skiff-vswitchd starts"
else
    not_ok "skiff-vswitchd starts"
    finish
fi
check "a bridge with two dpdkvhostuser ports" vsctl add-br br0 -- \
    add-port br0 vhu1 -- set Interface vhu1 type=dpdkvhostuser -- \
    add-port br0 vhu2 -- set Interface vhu2 type=dpdkvhostuser
check_output "no peer yet: vhu1's link is down" '^down$' \
    vsctl get Interface vhu1 link_state

start_daemon testpmd dpdk-testpmd -l 0,1 --main-lcore 1 --no-huge -m 512 \
    --single-file-segments --iova-mode=va --no-pci \
    --file-prefix="$tp_prefix" \
    --vdev "net_virtio_user0,path=$TESTDIR/vhu1,queues=1" \
    --vdev "net_virtio_user1,path=$TESTDIR/vhu2,queues=1" \
    -- --forward-mode=io --tx-first --nb-cores=1 --total-num-mbufs=8192 \
    --stats-period 5
if vsctl wait-until Interface vhu1 link_state=up -- \
        wait-until Interface vhu2 link_state=up; then
    ok "testpmd connects: both links up in the database"
else
    not_ok "testpmd connects: both links up in the database"
    tail -n 20 "$TESTDIR/testpmd.stdout" | sed 's/^/# /'
fi

# rx_above PORT N: the datapath counted more than N packets in on PORT.
rx_above() {
    local rx
    rx=$(appctl dpif/show | awk -v p="$1" '
        $1 == "port" && $3 == p { found = 1; next }
        found && $1 == "rx" { sub("packets:", "", $2); print $2; exit }')
    [ -n "$rx" ] && [ "$rx" -gt "$2" ]
}
if wait_for "traffic both ways" 30 eval 'rx_above vhu1 10000 &&
                                        rx_above vhu2 10000'; then
    ok "packets loop through the bridge both ways"
else
    not_ok "packets loop through the bridge both ways"
    appctl dpif/show | sed 's/^/# /'
fi
check_output "the bridge learned both testpmd ports" \
    'vhu2 +0 +[0-9a-f:]+ ' appctl fdb/show br0
check_output "... most packets hit the exact-match cache" \
    'emc hits: [1-9][0-9]{3,}' appctl dpif-netdev/pmd-stats-show
if wait_for "statistics in the database" 15 sh -c \
        "skiff-vsctl get Interface vhu2 statistics:rx_packets |
         grep -Eq '^[1-9][0-9]{3,}'"; then
    ok "Interface statistics reach the database"
else
    not_ok "Interface statistics reach the database"
fi
finish
