#!/bin/bash
# Two test guests under skiff-vmm on vhost-user ports of a Skiff bridge
# ping each other through NORMAL: A on a dpdkvhostuser port (the switch
# listens), B on a dpdkvhostuserclient port (B's VMM listens, the switch
# connects).  skiff-vswitchd restarts, B sees its link go down and up as
# the switch reconnects to it, and the pings resume.

. "$srcdir/tests/integration/lib.sh"
. "$srcdir/tests/integration/vmm-lib.sh"

need_kvm "two guests on a Skiff bridge"

schema=$srcdir/vswitchd/vswitch.schema.json
vsctl() { skiff-vsctl --timeout=30 "$@"; }
vsappctl() { skiff-appctl -t skiff-vswitchd "$@"; }

start_daemon dbd skiff-dbd --db="$TESTDIR/conf.db" --schema="$schema" \
    --pidfile --log-file="$TESTDIR/dbd.log"
if ! wait_for "skiff-dbd" 20 test -S "$TESTDIR/db.sock"; then
    not_ok "skiff-dbd starts"
    finish
fi
# The PMD on core 1; the guests' vCPUs share core 0.
check "initialize the database" vsctl --no-wait init -- \
    set Open_vSwitch . other_config:pmd-cpu-mask=0x2 \
    other_config:pmd-maxsleep=1000
start_vswitchd() {
    start_daemon vswitchd skiff-vswitchd --pidfile \
        --log-file="$TESTDIR/vswitchd.log"
    VSWITCHD_PID=$DAEMON_PID
    wait_for "skiff-vswitchd" 30 vsappctl version
}
if start_vswitchd; then
    ok "skiff-vswitchd starts"
else
    not_ok "skiff-vswitchd starts"
    finish
fi

# Guest B answers on vm2 for the whole test; its VMM is the vhost-user
# server.
api=$TESTDIR/b.api
bsock=$TESTDIR/b.sock
start_daemon vmm-b "$VMM" --kernel "$GUEST" --name b --api "$api" \
    --net "vhost-user=$bsock,mac=52:54:00:00:01:02,server" \
    --cmdline "ip=10.3.0.2" --console "file:$TESTDIR/b.log"
vmm_b=$DAEMON_PID
wait_for "B's socket" 30 test -S "$bsock"

check "a bridge with two vhost-user ports" vsctl add-br br0 -- \
    add-port br0 vm1 -- set Interface vm1 type=dpdkvhostuser -- \
    add-port br0 vm2 -- set Interface vm2 type=dpdkvhostuserclient \
    options:vhost-server-path="$bsock"
check "the switch listens on vm1's socket" test -S "$TESTDIR/vm1"
check_output "vm2 connects to B: link up" '^up$' \
    vsctl wait-until Interface vm2 link_state=up -- get Interface vm2 link_state
if wait_for "guest B's network" 60 console_has "$TESTDIR/b.log" \
        '^net: device at .* ip 10\.3\.0\.2'; then
    ok "guest B boots on vm2"
else
    not_ok "guest B boots on vm2"
    tail -n 20 "$TESTDIR/b.log" "$TESTDIR/vmm-b.stdout" | sed 's/^/# /'
fi
link_is() { skiff-appctl -t "$api" -T 10 info | grep -q "\"link\":\"$1\""; }
check "B's link is up" wait_for "link up" 20 link_is up

# ping_b NAME: guest A on vm1 pings B three times and exits.
ping_b() {
    timeout 120 "$VMM" --kernel "$GUEST" \
        --net "vhost-user=$TESTDIR/vm1,mac=52:54:00:00:01:01" \
        --cmdline "ip=10.3.0.1 ping=10.3.0.2 count=3 exit=1" \
        --console "file:$TESTDIR/$1.log"
}
check "guest A pings guest B through the bridge" ping_b a1
check "... 3 sent, 3 received" \
    console_has "$TESTDIR/a1.log" '^ping: 3 sent, 3 received$'
check_output "the bridge learned B's MAC on vm2" \
    '^ *vm2 +0 +52:54:00:00:01:02 ' vsappctl fdb/show br0

# Restart skiff-vswitchd: B's link goes down, then the switch connects to
# B again.
check "skiff-vswitchd stops" kill "$VSWITCHD_PID"
check "... and exits" wait_exit "$VSWITCHD_PID" 20
check "B's link goes down without the switch" \
    wait_for "link down" 20 link_is down
check "B's VMM keeps running" kill -0 "$vmm_b"
if start_vswitchd; then
    ok "skiff-vswitchd starts again"
else
    not_ok "skiff-vswitchd starts again"
fi
check "the restarted switch reconnects to B" \
    wait_for "link up" 60 link_is up
check "guest A pings guest B again" ping_b a2
check "... 3 sent, 3 received" \
    console_has "$TESTDIR/a2.log" '^ping: 3 sent, 3 received$'

kill -TERM "$vmm_b"
check "guest B's VMM stops" wait_exit "$vmm_b" 10
finish
