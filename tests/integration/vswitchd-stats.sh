#!/bin/bash
# skiff-vswitchd's OpenFlow counters under traffic that megaflows carry:
# the revalidator pushes each megaflow's packets back to the slow path, so
# dump-flows and dump-ports count every packet exactly once (not only the
# upcalls, and an upcall's packet not twice), a flow with an idle timeout
# lives while traffic goes through it and expires once it stops, and MAC
# ages stay fresh while a host keeps sending.  Real skiff-dbd and
# skiff-vswitchd, two network namespaces on veth pairs, pings.

. "$srcdir/tests/integration/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    skip "vswitchd-stats" "needs root for network namespaces"
    finish
fi
if ! command -v ping >/dev/null || ! command -v ip >/dev/null; then
    skip "vswitchd-stats" "needs ping (iputils-ping) and ip (iproute2)"
    finish
fi

ns1=skst1-$$
ns2=skst2-$$
v1=sks$$a
v2=sks$$b
br=bst$$
st_cleanup() {
    [ -n "$ping_pid" ] && kill "$ping_pid" 2>/dev/null
    stop_all
    ip netns del "$ns1" 2>/dev/null
    ip netns del "$ns2" 2>/dev/null
    ip link del "$v1" 2>/dev/null
    ip link del "$v2" 2>/dev/null
    ip link del "$br" 2>/dev/null
    cleanup
}
trap st_cleanup EXIT

schema=$srcdir/vswitchd/vswitch.schema.json
vsctl() { skiff-vsctl --timeout=30 "$@"; }
appctl() { skiff-appctl -t skiff-vswitchd "$@"; }
ofctl() { skiff-ofctl -T 10 "$@"; }
# pings N INTERVAL: from ns1 to ns2, none lost.
pings() {
    ip netns exec "$ns1" ping -q -c "$1" -i "$2" -W 2 10.4.0.2
}

# No IPv6 and no ARP on the veths: the traffic is the pings, and no stray
# packet makes an upcall that would refresh a MAC by itself.
setup_ns() {
    local ns=$1 v=$2 addr=$3
    ip netns add "$ns" &&
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 &&
    ip link add "$v" type veth peer name "${v}p" &&
    ip link set "${v}p" netns "$ns" &&
    ip -n "$ns" addr add "$addr/24" dev "${v}p" &&
    ip -n "$ns" link set "${v}p" up &&
    sysctl -qw "net.ipv6.conf.$v.disable_ipv6=1" &&
    ip link set "$v" up
}
mac_of() {
    ip -n "$1" -o link show "$2" | grep -o 'link/ether [0-9a-f:]*' |
        cut -d' ' -f2
}
if setup_ns "$ns1" "$v1" 10.4.0.1 && setup_ns "$ns2" "$v2" 10.4.0.2 &&
   mac1=$(mac_of "$ns1" "${v1}p") && mac2=$(mac_of "$ns2" "${v2}p") &&
   ip -n "$ns1" neigh replace 10.4.0.2 lladdr "$mac2" dev "${v1}p" \
       nud permanent &&
   ip -n "$ns2" neigh replace 10.4.0.1 lladdr "$mac1" dev "${v2}p" \
       nud permanent
then
    ok "network namespaces, veth pairs, static neighbours"
else
    not_ok "network namespaces, veth pairs, static neighbours"
    finish
fi

show_logs() {
    tail -n 30 "$TESTDIR/vswitchd.log" "$TESTDIR/vswitchd.stdout" \
        2>/dev/null | sed 's/^/# /'
}
start_daemon dbd skiff-dbd --db="$TESTDIR/conf.db" --schema="$schema" \
    --pidfile --log-file="$TESTDIR/dbd.log"
if ! wait_for "skiff-dbd's socket" 20 test -S "$TESTDIR/db.sock"; then
    not_ok "skiff-dbd starts"
    finish
fi
# The PMD thread on core 1, so that it leaves core 0 to the pings.
check "initialize the database" vsctl --no-wait init -- \
    set Open_vSwitch . other_config:pmd-cpu-mask=0x2 \
    other_config:pmd-maxsleep=1000
start_daemon vswitchd skiff-vswitchd --pidfile \
    --log-file="$TESTDIR/vswitchd.log"
VSWITCHD_PID=$DAEMON_PID
if wait_for "skiff-vswitchd's control socket" 30 appctl version; then
    ok "skiff-vswitchd starts"
else
    not_ok "skiff-vswitchd starts"
    show_logs
    finish
fi
check "a bridge with two ports" \
    vsctl add-br "$br" -- add-port "$br" "$v1" -- add-port "$br" "$v2"

if wait_for "the first ping" 10 pings 1 0.2; then
    ok "ping through NORMAL"
else
    not_ok "ping through NORMAL"
    show_logs
fi

# n_packets=N of the dump-flows line matching PATTERN (0 if none).
n_packets() {
    ofctl dump-flows "$br" | grep -E -- "$1" |
        sed -n 's/.*n_packets=\([0-9]*\),.*/\1/p' | head -n 1 | grep . ||
        echo 0
}
at_least() { [ "$(n_packets "$1")" -ge "$2" ]; }
normal=' priority=0 actions=NORMAL$'

# 50 pings: 100 packets, only the first of each direction an upcall.
check "50 pings at 0.05 s, none lost" pings 50 0.05
if wait_for "the counts pushed" 5 at_least "$normal" 100; then
    ok "dump-flows counts every packet of the NORMAL flow"
else
    not_ok "dump-flows counts every packet of the NORMAL flow"
    ofctl dump-flows "$br" | sed 's/^/# /'
    appctl dpif-netdev/pmd-stats-show | sed 's/^/# /'
fi
upcalls=$(appctl dpif-netdev/pmd-stats-show |
          awk -F': ' '$1 ~ /miss with success upcall/ {n += $2} END {print n}')
check "... most of which no upcall saw (${upcalls:-?} upcalls)" \
    test "${upcalls:-1000}" -lt 20
rx_of() {
    ofctl dump-ports "$br" "$1" | sed -n 's/.* rx pkts=\([0-9]*\),.*/\1/p'
}
rx_at_least() { [ "$(rx_of "$1")" -ge "$2" ]; }
# Exactly: the first packet of a megaflow is counted by its upcall, and
# not once more when the megaflow's stats are pushed.
if wait_for "port 1's rx" 5 rx_at_least 1 51 &&
   wait_for "port 2's rx" 5 rx_at_least 2 51; then
    sleep 0.5
    check_output "dump-ports counts 51 requests in on port 1" \
        '^51$' rx_of 1
    check_output "... and 51 replies in on port 2" '^51$' rx_of 2
else
    not_ok "dump-ports counts the pings on their input ports"
    ofctl dump-ports "$br" | sed 's/^/# /'
fi

# A flow with a 3 s idle timeout that the pings go through: it stays as
# long as they do (6 s), and goes a few seconds after they stop.
icmp='idle_timeout=3,.*priority=10,icmp actions=NORMAL$'
check "add a flow with idle_timeout=3" \
    ofctl add-flow "$br" "priority=10,icmp,idle_timeout=3,actions=NORMAL"
pings 120 0.05 >"$TESTDIR/ping-idle.out" 2>&1 &
ping_pid=$!
sleep 5.5
# Mid-way, the MAC entries are as fresh as the traffic, though the last
# upcall of either host was when the flow was added, 5 s ago.
for m in "$v1 +0 +$mac1" "$v2 +0 +$mac2"; do
    check_output "fdb/show: ${m%% *}'s MAC refreshed by the traffic" \
        "^ *$m +[01]\$" appctl fdb/show "$br"
done
wait "$ping_pid"
ping_pid=
check_output "6 s of pings, none lost" ' 120 received, 0% packet loss' \
    cat "$TESTDIR/ping-idle.out"
check "the idle_timeout flow lived through them" at_least "$icmp" 200
stopped=$SECONDS
if wait_for "the idle flow to expire" 10 sh -c \
        "! skiff-ofctl dump-flows $br | grep -q 'priority=10,icmp'"; then
    gone=$((SECONDS - stopped))
    check "... and expired ${gone}s after they stopped (2 to 6)" \
        test "$gone" -ge 2 -a "$gone" -le 6
else
    not_ok "the idle flow expires after the pings stop"
    ofctl dump-flows "$br" | sed 's/^/# /'
fi
check_output "the NORMAL flow is still there" "$normal" \
    ofctl dump-flows "$br"

check "skiff-vswitchd exits on request" appctl exit
if wait_exit "$VSWITCHD_PID" 20; then
    ok "skiff-vswitchd exits cleanly"
else
    not_ok "skiff-vswitchd exits cleanly"
fi
if grep -q "ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer" \
        "$TESTDIR/vswitchd.stdout"; then
    not_ok "no sanitizer report"
    grep -A20 "Sanitizer\|runtime error" "$TESTDIR/vswitchd.stdout" |
        sed 's/^/# /' | head -60
else
    ok "no sanitizer report"
fi
finish
