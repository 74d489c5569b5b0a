#!/bin/bash
# System ports: the datapath on veth pairs (net_af_packet), their other
# ends in two network namespaces, and real pings through the switch: first
# with per-port rules, then with dp-testd's learning switch.

. "$srcdir/tests/integration/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    skip "dp-system" "needs root for network namespaces"
    finish
fi
if ! command -v ping >/dev/null || ! command -v ip >/dev/null; then
    skip "dp-system" "needs ping (iputils-ping) and ip (iproute2)"
    finish
fi

prefix=skiff-dp-system-$$
ns1=skdp1-$$
ns2=skdp2-$$
v1=skd$$a
v2=skd$$b
dp_cleanup() {
    stop_all
    ip netns del "$ns1" 2>/dev/null
    ip netns del "$ns2" 2>/dev/null
    ip link del "$v1" 2>/dev/null
    ip link del "$v2" 2>/dev/null
    ip link del "skdt$$" 2>/dev/null
    rm -rf "/var/run/dpdk/$prefix"
    cleanup
}
trap dp_cleanup EXIT

appctl() { skiff-appctl -t dp-testd "$@"; }
ping1() { ip netns exec "$ns1" ping -c "$1" -i 0.2 -W 2 10.1.0.2; }

# Two namespaces, each with one end of a veth pair; the other ends stay
# here for the switch.
setup_ns() {
    local ns=$1 v=$2 addr=$3
    ip netns add "$ns" &&
    ip link add "$v" type veth peer name "${v}p" &&
    ip link set "${v}p" netns "$ns" &&
    ip -n "$ns" addr add "$addr/24" dev "${v}p" &&
    ip -n "$ns" link set "${v}p" up &&
    ip -n "$ns" link set lo up &&
    ip link set "$v" up
}
if ! setup_ns "$ns1" "$v1" 10.1.0.1 || ! setup_ns "$ns2" "$v2" 10.1.0.2
then
    not_ok "network namespaces and veth pairs"
    finish
fi
ok "network namespaces and veth pairs"

log=$TESTDIR/dp-testd.log
start_daemon dp-testd dp-testd --pidfile --log-file="$log" \
    --file-prefix="$prefix"
if ! wait_for "dp-testd's control socket" 30 appctl version; then
    not_ok "dp-testd starts"
    sed 's/^/# /' "$TESTDIR/dp-testd.stdout" "$log" 2>/dev/null
    finish
fi
ok "dp-testd starts"

check_output "system port on $v1 is port 1" '^1$' \
    appctl dptest/add-port p1 system iface="$v1"
check_output "system port on $v2 is port 2" '^2$' \
    appctl dptest/add-port p2 system iface="$v2"
check_output "dpif/show names the driver" 'p1 \(system: driver net_af_packet' \
    appctl dpif/show

check_fails "without rules the switch drops: no ping" 1 \
    ip netns exec "$ns1" ping -c 1 -W 1 10.1.0.2
check "rule: port 1 to port 2" appctl dptest/set-rule 1 output:2
check "rule: port 2 to port 1" appctl dptest/set-rule 2 output:1
# The revalidator replaces the drop megaflows within its interval.
if wait_for "the first ping" 10 ping1 1; then
    ok "ping goes through the switch"
else
    not_ok "ping goes through the switch"
    appctl dpctl/dump-flows | sed 's/^/# /'
fi
check "five more pings, none lost" ping1 5
check_output "megaflows per input port carry the actions" \
    'in_port\(1\), packets:[0-9]+, .*actions:output:2' \
    appctl dpctl/dump-flows
check_output "... both ways" 'in_port\(2\), .*actions:output:1' \
    echo "$LAST_OUTPUT"
check_output "port counters count the pings" \
    'port 1 type system link up link_seq [0-9]+ rx [1-9][0-9]* tx [1-9]' \
    appctl dptest/port p1

# Idle backoff's bound: with a 20 ms longest sleep, an idle PMD sees a
# packet within 20 ms, so no round trip (two packets) takes much longer.
check "max sleep 20 ms" appctl dptest/set max-sleep-us=20000
max_rtt() {
    ip netns exec "$ns1" ping -c 5 -i 0.5 -W 2 10.1.0.2 |
        grep -o 'time=[0-9.]*' | cut -d= -f2 | sort -n | tail -1
}
rtt=$(max_rtt)
check "an idle PMD wakes within its longest sleep (slowest ping ${rtt:-none} ms)" \
    awk -v r="${rtt:-999}" 'BEGIN {exit !(r < 30)}'
check "back to the default" appctl dptest/set max-sleep-us=2000

# Learning switch: flood, learn, then unicast megaflows on MAC addresses.
check "rules off" appctl dptest/del-rule 1
check "rules off" appctl dptest/del-rule 2
check "learning on" appctl dptest/learn on
check "del-flows" appctl dpctl/del-flows
check "pings through the learning switch" ping1 3
mac2=$(ip -n "$ns2" -o link show "${v2}p" | grep -o 'link/ether [0-9a-f:]*' |
       cut -d' ' -f2)
check_output "a unicast megaflow to the learned port" \
    "in_port\\(1\\),eth\\(src=[0-9a-f:]+,dst=$mac2\\).*actions:output:2" \
    appctl dpctl/dump-flows

# An internal port: a tap interface in this namespace, reached from ns1
# through the learning switch.
tap=skdt$$
check_output "internal port on tap $tap is port 3" '^3$' \
    appctl dptest/add-port t1 internal iface="$tap"
check "the kernel sees the tap interface" ip link show "$tap"
check "give it an address" ip addr add 10.1.0.3/24 dev "$tap"
check "bring it up" ip link set "$tap" up
if wait_for "a ping to the internal port" 10 \
        ip netns exec "$ns1" ping -c 1 -W 1 10.1.0.3; then
    ok "ns1 pings the host's internal port through the switch"
else
    not_ok "ns1 pings the host's internal port through the switch"
    appctl dpctl/dump-flows | sed 's/^/# /'
fi
check_output "dpif/show: t1 is a tap" 't1 \(internal: driver net_tap' \
    appctl dpif/show
check "del-port t1" appctl dptest/del-port t1
check_fails "... removes the tap interface" 1 ip link show "$tap"

# A port removed under traffic: pings stop, the switch keeps running.
check "del-port p2 while pinging" appctl dptest/del-port p2
check_fails "no ping without port 2" 1 \
    ip netns exec "$ns1" ping -c 1 -W 1 10.1.0.2
check_output "p2 comes back as port 2" '^2$' \
    appctl dptest/add-port p2 system iface="$v2"
if wait_for "pings after re-adding p2" 10 ping1 1; then
    ok "pings again after the port came back"
else
    not_ok "pings again after the port came back"
fi

check "dp-testd exits on request" appctl exit
if wait_exit "$DAEMON_PID" 20; then
    ok "dp-testd exits cleanly"
else
    not_ok "dp-testd exits cleanly"
fi
check_fails "no sanitizer or EAL error report" 1 \
    grep -Eq 'runtime error|Sanitizer|PANIC|Cause:' "$TESTDIR/dp-testd.stdout"
finish
