#!/bin/bash
# skiff-vswitchd end to end: skiff-dbd and skiff-vswitchd, a bridge with
# system ports on veth pairs into network namespaces, real pings through
# NORMAL; ports removed and re-added; VLAN access ports; a bad interface;
# restarts of both daemons.

. "$srcdir/tests/integration/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    skip "vswitchd" "needs root for network namespaces"
    finish
fi
if ! command -v ping >/dev/null || ! command -v ip >/dev/null; then
    skip "vswitchd" "needs ping (iputils-ping) and ip (iproute2)"
    finish
fi

ns1=skvs1-$$
ns2=skvs2-$$
v1=skv$$a
v2=skv$$b
v3=skv$$c
vs_cleanup() {
    stop_all
    ip netns del "$ns1" 2>/dev/null
    ip netns del "$ns2" 2>/dev/null
    ip link del "$v1" 2>/dev/null
    ip link del "$v2" 2>/dev/null
    ip link del "$v3" 2>/dev/null
    ip link del br$$ 2>/dev/null
    cleanup
}
trap vs_cleanup EXIT

schema=$srcdir/vswitchd/vswitch.schema.json
db=$TESTDIR/conf.db
vsctl() { skiff-vsctl --timeout=30 "$@"; }
appctl() { skiff-appctl -t skiff-vswitchd "$@"; }
ping1() { ip netns exec "$ns1" ping -c "$1" -i 0.2 -W 2 10.2.0.2; }

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
if ! setup_ns "$ns1" "$v1" 10.2.0.1 || ! setup_ns "$ns2" "$v2" 10.2.0.2 ||
   ! ip link add "$v3" type veth peer name "${v3}p" || ! ip link set "$v3" up
then
    not_ok "network namespaces and veth pairs"
    finish
fi
ok "network namespaces and veth pairs"

start_dbd() {
    start_daemon dbd skiff-dbd --db="$db" --schema="$schema" \
        --pidfile --log-file="$TESTDIR/dbd.log"
    DBD_PID=$DAEMON_PID
    wait_for "skiff-dbd's socket" 20 test -S "$TESTDIR/db.sock"
}
# The PMD thread on core 1, so that it leaves core 0 to the pings.
start_vswitchd() {
    start_daemon vswitchd skiff-vswitchd --pidfile \
        --log-file="$TESTDIR/vswitchd.log"
    VSWITCHD_PID=$DAEMON_PID
    wait_for "skiff-vswitchd's control socket" 30 appctl version
}
show_logs() {
    tail -n 30 "$TESTDIR/vswitchd.log" "$TESTDIR/vswitchd.stdout" \
        2>/dev/null | sed 's/^/# /'
}

# Bad command lines: exit 2, naming the bad value, before anything starts.
check_fails "a database that is not an active stream is a usage error" 2 \
    skiff-vswitchd punix:/nowhere
check_output "... naming it" '"punix:/nowhere"' echo "$LAST_OUTPUT"
check_fails "two databases are a usage error" 2 \
    skiff-vswitchd unix:/a unix:/b
check_output "... naming the extra one" '"unix:/b"' echo "$LAST_OUTPUT"
check_fails "an unknown option is a usage error" 2 skiff-vswitchd --bogus
check_output "--help describes the database argument and exits 0" \
    'DATABASE is the active stream' skiff-vswitchd --help
check_output "--version names the program" '^skiff-vswitchd \(Skiff\) ' \
    skiff-vswitchd --version

if ! start_dbd; then
    not_ok "skiff-dbd starts"
    finish
fi
check "initialize the database" vsctl --no-wait init -- \
    set Open_vSwitch . other_config:pmd-cpu-mask=0x2 \
    other_config:pmd-maxsleep=1000
if start_vswitchd; then
    ok "skiff-vswitchd starts"
else
    not_ok "skiff-vswitchd starts"
    show_logs
    finish
fi

# skiff-vsctl waits until the switch has applied the change (cur_cfg).
br=br$$
check "add-br and two ports, waiting for the switch" \
    vsctl add-br "$br" -- add-port "$br" "$v1" -- add-port "$br" "$v2"
check_output "the first port is OpenFlow port 1" '^1$' \
    vsctl get Interface "$v1" ofport
check_output "the second is 2" '^2$' vsctl get Interface "$v2" ofport
check_output "the bridge's own port is LOCAL" '^65534$' \
    vsctl get Interface "$br" ofport
check_output "link_state is written back" '^up$' \
    vsctl get Interface "$v1" link_state
check_output "no error on a good interface" '^\[\]$' \
    vsctl get Interface "$v1" error
mac1=$(cat "/sys/class/net/$v1/address")
check_output "mac_in_use is the interface's address" "^\"?$mac1\"?\$" \
    vsctl get Interface "$v1" mac_in_use
check_output "status names the DPDK driver" 'net_af_packet' \
    vsctl get Interface "$v1" status:driver_name
check_output "cur_cfg caught up with next_cfg" \
    "^$(vsctl get Open_vSwitch . next_cfg)\$" \
    vsctl get Open_vSwitch . cur_cfg

if wait_for "the first ping" 10 ping1 1; then
    ok "ping between the namespaces through NORMAL"
else
    not_ok "ping between the namespaces through NORMAL"
    appctl dpctl/dump-flows | sed 's/^/# /'
    show_logs
fi
check "five more pings, none lost" ping1 5
mac2=$(ip -n "$ns2" -o link show "${v2}p" | grep -o 'link/ether [0-9a-f:]*' |
       cut -d' ' -f2)
check_output "fdb/show learned the MAC of ns2 on its port" \
    "^ *$v2 +0 +$mac2 " appctl fdb/show "$br"
check_output "dpif/show lists the ports" "$v1" appctl dpif/show

# Statistics come back every few seconds.
if wait_for "statistics" 15 sh -c \
        "skiff-vsctl get Interface $v1 statistics:rx_packets | \
         grep -qv '^0\$'"; then
    ok "Interface statistics are written back"
else
    not_ok "Interface statistics are written back"
fi

# del-port stops the traffic; add-port brings it back.
check "del-port $v2" vsctl del-port "$br" "$v2"
check_fails "no ping without the port" 1 \
    ip netns exec "$ns1" ping -c 1 -W 1 10.2.0.2
check "add-port $v2 again" vsctl add-port "$br" "$v2"
if wait_for "pings after re-adding" 10 ping1 1; then
    ok "pings again after re-adding the port"
else
    not_ok "pings again after re-adding the port"
fi

# VLANs: access ports on different tags cannot reach each other.
check "tag 10 and tag 20" vsctl set Port "$v1" tag=10 -- \
    set Port "$v2" tag=20
check_fails "different access VLANs: no ping" 1 \
    ip netns exec "$ns1" ping -c 2 -i 0.2 -W 1 10.2.0.2
check "both on tag 10" vsctl set Port "$v2" tag=10
if wait_for "pings in VLAN 10" 10 ping1 1; then
    ok "the same access VLAN pings"
else
    not_ok "the same access VLAN pings"
fi
# (Trunks, with tagged frames checked byte by byte, are in vlan-pcap.sh:
# this kernel may lack 802.1Q interfaces for a namespace to tag with.)
check "untag both" vsctl remove Port "$v1" tag 10 -- \
    remove Port "$v2" tag 10

# ofport_request is honoured.
check "a port with ofport_request=10" vsctl add-port "$br" "$v3" -- \
    set Interface "$v3" ofport_request=10
check_output "... gets OpenFlow port 10" '^10$' \
    vsctl get Interface "$v3" ofport
check "remove it" vsctl del-port "$br" "$v3"

# A bad interface gets its error; the bridge keeps forwarding.
check "an interface of unknown type" \
    vsctl add-port "$br" bad$$ -- set Interface bad$$ type=warp-drive
check_output "... has an error naming the type" 'warp-drive' \
    vsctl get Interface bad$$ error
check_output "... and ofport -1" '^-1$' vsctl get Interface bad$$ ofport
check "the other ports still forward" ping1 2
check "remove the bad port" vsctl del-port "$br" bad$$

# Restart skiff-vswitchd: the same ofports, and pings resume.
check "skiff-vswitchd exits on SIGTERM" kill "$VSWITCHD_PID"
if wait_exit "$VSWITCHD_PID" 20; then
    ok "... and is gone"
else
    not_ok "... and is gone"
fi
check_fails "... having removed its pidfile" 1 \
    test -e "$TESTDIR/skiff-vswitchd.pid"
if start_vswitchd; then
    ok "skiff-vswitchd starts again"
else
    not_ok "skiff-vswitchd starts again"
    show_logs
fi
if wait_for "pings after the restart" 20 ping1 1; then
    ok "pings resume after a restart"
else
    not_ok "pings resume after a restart"
    show_logs
fi
check_output "$v1 kept OpenFlow port 1" '^1$' vsctl get Interface "$v1" ofport
check_output "$v2 kept OpenFlow port 2" '^2$' vsctl get Interface "$v2" ofport

# Restart skiff-dbd under traffic: the datapath keeps forwarding.
ip netns exec "$ns1" ping -c 30 -i 0.1 -W 1 10.2.0.2 \
    >"$TESTDIR/ping-during.out" 2>&1 &
ping_pid=$!
sleep 0.5
kill "$DBD_PID"
wait_exit "$DBD_PID" 10
sleep 0.5
start_dbd
wait "$ping_pid"
check_output "no ping lost while skiff-dbd restarted" \
    ' 30 received, 0% packet loss' cat "$TESTDIR/ping-during.out"
check "the switch follows the database again" \
    vsctl set Bridge "$br" other_config:mac-aging-time=60
check_output "... and applied it" \
    "^$(vsctl get Open_vSwitch . next_cfg)\$" \
    vsctl get Open_vSwitch . cur_cfg

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
