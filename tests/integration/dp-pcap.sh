#!/bin/bash
# The datapath end to end on pcap ports: packets replayed from a pcap file
# go through flow extraction, the caches, an upcall to dp-testd's slow
# path, the actions, and out to pcap files whose bytes must be exactly the
# expected ones.  Also the datapath's control commands and bad input.

. "$srcdir/tests/integration/lib.sh"

prefix=skiff-dp-pcap-$$
dp_cleanup() {
    rm -rf "/var/run/dpdk/$prefix"
    cleanup
}
trap dp_cleanup EXIT

appctl() { skiff-appctl -t dp-testd "$@"; }

# count FILE: packets in a pcap file (0 if it does not exist yet).
count() { pcap-tool count "$1" 2>/dev/null || echo 0; }
has_count() { [ "$(count "$1")" -eq "$2" ]; }

# Input: 40 UDP packets of 4 flows, 1 ARP request, 1 truncated IPv4 frame.
packets=()
for i in $(seq 40); do
    packets+=("$(pcap-tool udp 00:00:00:00:00:0$((i % 4 + 1)) \
        00:00:00:00:00:99 10.0.0.$((i % 4 + 1)) 10.0.0.99 \
        $((1000 + i % 4)) 2000 $((i % 30)))")
done
packets+=("ffffffffffff0000000000010806000108000604000100000000000\
10a0000010000000000000a000063")
packets+=("00000000009900000000000108004500003c00000000")
n_in=${#packets[@]}
pcap-tool write "$TESTDIR/in.pcap" "${packets[@]}"
printf '%s\n' "${packets[@]}" >"$TESTDIR/in.txt"
# A VLAN tag (TPID 0x8100, VID 10) after the two MAC addresses.
sed 's/^\(.\{24\}\)/\18100000a/' "$TESTDIR/in.txt" >"$TESTDIR/tagged.txt"

log=$TESTDIR/dp-testd.log
start_daemon dp-testd dp-testd --pidfile --log-file="$log" \
    --file-prefix="$prefix"
if ! wait_for "dp-testd's control socket" 30 appctl version; then
    not_ok "dp-testd starts"
    sed 's/^/# /' "$TESTDIR/dp-testd.stdout" "$log" 2>/dev/null
    finish
fi
ok "dp-testd starts DPDK and a datapath"

check_output "a tx-only pcap port is port 1" '^1$' \
    appctl dptest/add-port out1 pcap tx_pcap="$TESTDIR/out1.pcap"
check_output "a second one is port 2" '^2$' \
    appctl dptest/add-port out2 pcap tx_pcap="$TESTDIR/out2.pcap"
# Port 3's packets: tagged to port 1, untagged again to port 2 (the copy
# sent to port 1 must keep its tag).
check "a slow-path rule for port 3" appctl dptest/set-rule 3 \
    "push_vlan(vid=10),output:1,pop_vlan,output:2"
check_output "the replaying port is port 3" '^3$' \
    appctl dptest/add-port in1 pcap rx_pcap="$TESTDIR/in.pcap"

if wait_for "$n_in packets on out1 and out2" 20 \
        eval 'has_count "$TESTDIR/out1.pcap" $n_in &&
              has_count "$TESTDIR/out2.pcap" $n_in'; then
    ok "every packet reaches both outputs"
else
    not_ok "every packet reaches both outputs"
    echo "# out1: $(count "$TESTDIR/out1.pcap"), out2:" \
         "$(count "$TESTDIR/out2.pcap"), wanted $n_in"
fi
pcap-tool print "$TESTDIR/out1.pcap" >"$TESTDIR/out1.txt"
pcap-tool print "$TESTDIR/out2.pcap" >"$TESTDIR/out2.txt"
check "port 1 got the packets tagged, byte for byte, in order" \
    diff -u "$TESTDIR/tagged.txt" "$TESTDIR/out1.txt"
check "port 2 got them unchanged, byte for byte, in order" \
    diff -u "$TESTDIR/in.txt" "$TESTDIR/out2.txt"

check_output "one megaflow, matching in_port only, counted every packet" \
    "^pmd=[0-9]+ in_port\\(3\\), packets:$n_in, bytes:[0-9]+, used:[0-9.]+s, actions:push_vlan\\(tpid=0x8100,vid=10,pcp=0\\),output:1,pop_vlan,output:2$" \
    appctl dpctl/dump-flows
check_output "pmd-stats-show counts the packets" \
    "packets received: $n_in$" appctl dpif-netdev/pmd-stats-show
check_output "... one upcall" "miss with success upcall: 1$" \
    echo "$LAST_OUTPUT"
check_output "... the rest hit the caches" \
    "emc hits: [0-9]+" echo "$LAST_OUTPUT"
hits=$(printf '%s\n' "$LAST_OUTPUT" | awk -F': ' '
    /emc hits/ {e = $2} /megaflow hits/ {m = $2} END {print e + m}')
check "... emc hits + megaflow hits = packets - upcalls" \
    test "$hits" -eq $((n_in - 1))
check_output "... the truncated frame was counted" \
    "truncated or malformed packets: 1$" echo "$LAST_OUTPUT"
check_output "the slow path saw one miss" '^miss 1 ' appctl dptest/upcalls

# A rule change bumps the slow path's version: the revalidator updates the
# megaflow's actions (same mask) without a new upcall.
check "change port 3's rule" appctl dptest/set-rule 3 output:2
if wait_for "the revalidated megaflow" 10 eval \
        'appctl dpctl/dump-flows | grep -q "^pmd=[0-9]* in_port(3), packets:$n_in, .*actions:output:2$"'
then
    ok "the revalidator gives the megaflow its new actions"
else
    not_ok "the revalidator gives the megaflow its new actions"
    appctl dpctl/dump-flows | sed 's/^/# /'
fi
check_output "... without another miss upcall" '^miss 1 ' \
    appctl dptest/upcalls
check_output "... and counts it" 'revalidated 1,' \
    appctl dpif-netdev/pmd-stats-show

# Idle backoff: with nothing to receive, the PMD thread sleeps.  Its CPU
# time (schedstat, ns) over 4 s must stay under 5% of that.
pmd_cpu_ns() {
    local t
    for t in /proc/"$dp_pid"/task/*; do
        if grep -q '^pmd-' "$t/comm" 2>/dev/null; then
            awk '{print $1}' "$t/schedstat"
        fi
    done
}
dp_pid=$(cat "$TESTDIR/dp-testd.pid")
t0=$(pmd_cpu_ns)
sleep 4
t1=$(pmd_cpu_ns)
pct=$(( (${t1:-0} - ${t0:-0}) / 40000000 ))
if [ -n "$t0" ] && [ "$pct" -lt 5 ]; then
    ok "an idle PMD uses under 5% of a core (${pct}%)"
else
    not_ok "an idle PMD uses under 5% of a core (${t0:-?} -> ${t1:-?} ns)"
fi
check_output "... it slept" 'sleeps: [1-9]' \
    appctl dpif-netdev/pmd-stats-show
check_output "dpif/show lists the ports with counters" \
    "port 3: in1 \\(pcap: driver net_pcap" appctl dpif/show
check_output "... rx counter of the replaying port" \
    "rx packets:$n_in bytes" echo "$LAST_OUTPUT"
check_output "pmd-rxq-show lists the queues" "port: in1 +queue-id: 0" \
    appctl dpif-netdev/pmd-rxq-show

# A port without a rule: its packets get a drop megaflow.
pcap-tool write "$TESTDIR/in2.pcap" "${packets[@]:0:5}"
check_output "a second replaying port is port 4" '^4$' \
    appctl dptest/add-port in2 pcap rx_pcap="$TESTDIR/in2.pcap"
if wait_for "a drop megaflow for port 4" 10 eval \
        'appctl dpctl/dump-flows | grep -q "in_port(4), packets:5, .*actions:drop"'; then
    ok "packets without a rule are dropped by a megaflow"
else
    not_ok "packets without a rule are dropped by a megaflow"
    appctl dpctl/dump-flows | sed 's/^/# /'
fi
check "... and reach no output" test "$(count "$TESTDIR/out1.pcap")" -eq $n_in

# Bad input: refused with a message naming the bad value; nothing changes.
check_fails "an unknown port type is refused" 1 \
    appctl dptest/add-port x nosuchtype
check_output "... naming it" '"nosuchtype" is not a port type' \
    echo "$LAST_OUTPUT"
check_fails "an unknown option is refused" 1 \
    appctl dptest/add-port x pcap rx_pcap=/dev/null bogus=1
check_output "... naming it" '"bogus" is not valid for type pcap' \
    echo "$LAST_OUTPUT"
check_fails "a value with a comma is refused" 1 \
    appctl dptest/add-port x pcap "tx_pcap=/tmp/a,iface=lo"
check_fails "a port name too long is refused" 1 \
    appctl dptest/add-port abcdefghijklmnopq pcap tx_pcap=/dev/null
check_output "... naming it" '"abcdefghijklmnopq" is not a valid port name' \
    echo "$LAST_OUTPUT"
check_fails "a duplicate name is refused" 1 \
    appctl dptest/add-port out1 pcap tx_pcap=/dev/null
check_fails "a pcap port without files is refused" 1 \
    appctl dptest/add-port x pcap
check_fails "bad actions are refused" 1 appctl dptest/set-rule 1 "output:"
check_fails "a bad pmd mask is refused" 1 appctl dptest/pmd-mask 0xzz
check_output "... naming it" '"0xzz" is not a pmd mask' echo "$LAST_OUTPUT"
check_output "the datapath still has its four ports" \
    "^dp0: flows:2 pmds:1" appctl dpif/show
check_fails "... and no port x" 1 grep -q "port 5" <<<"$LAST_OUTPUT"

# Control commands change state.
check "pmd-stats-clear" appctl dpif-netdev/pmd-stats-clear
check_output "... zeroes the counters" "packets received: 0$" \
    appctl dpif-netdev/pmd-stats-show
check_output "del-flows deletes both megaflows" '^2 flows deleted$' \
    appctl dpctl/del-flows
check_output "... dump-flows is empty" '^$' appctl dpctl/dump-flows
check "del-port removes a port" appctl dptest/del-port in2
check_fails "... it is gone from dpif/show" 1 \
    eval 'appctl dpif/show | grep -q "in2"'
check_fails "deleting it again fails" 1 appctl dptest/del-port in2

# Two PMD threads: the queues are spread round robin, the output ports
# are shared (their transmit lock is taken), and the packets still arrive.
check "pmd mask 0x3: two PMD threads" appctl dptest/pmd-mask 0x3
check_output "pmd-rxq-show lists two PMDs" 'pmd thread core 1 \(id 1\)' \
    appctl dpif-netdev/pmd-rxq-show
check "... the three queues spread 2 and 1" test "$(printf '%s\n' \
    "$LAST_OUTPUT" |
    awk '/^pmd/ {p = $4} /port:/ {n[p]++} END {print n[0] "," n[1]}')" = 2,1
check "rule: port 4 to ports 1 and 2" appctl dptest/set-rule 4 \
    "output:1,output:2"
pcap-tool write "$TESTDIR/in3.pcap" "${packets[@]}"
n1=$(count "$TESTDIR/out1.pcap")
n2=$(count "$TESTDIR/out2.pcap")
check_output "a new port takes the free number 4" '^4$' \
    appctl dptest/add-port in3 pcap rx_pcap="$TESTDIR/in3.pcap"
if wait_for "$n_in more packets on out1 and out2" 20 \
        eval 'has_count "$TESTDIR/out1.pcap" $((n1 + n_in)) &&
              has_count "$TESTDIR/out2.pcap" $((n2 + n_in))'; then
    ok "every packet reaches both outputs with two PMDs"
else
    not_ok "every packet reaches both outputs with two PMDs"
fi
check "back to one PMD" appctl dptest/pmd-mask 0x2
check "del-port in3" appctl dptest/del-port in3

# A "dpdk" port from any devargs: DPDK's null driver, which receives
# endless zero-filled frames (dropped here: no rule for it).
check_output "a dpdk port from devargs" '^[0-9]+$' \
    appctl dptest/add-port n1 dpdk dpdk-devargs=net_null0
rx_n1() { appctl dptest/port n1 | awk '{print $10}'; }
if wait_for "frames from net_null" 10 eval '[ "$(rx_n1)" -gt 1000 ]'; then
    ok "... receives"
else
    not_ok "... receives"
    appctl dptest/port n1 | sed 's/^/# /'
fi
check_output "... shown with its driver" 'n1 \(dpdk: driver net_null' \
    appctl dpif/show
check_fails "a second port on the same device is refused" 1 \
    appctl dptest/add-port n2 dpdk dpdk-devargs=net_null0
check_output "... saying so" 'already another port' echo "$LAST_OUTPUT"
check_fails "a device no driver makes is refused" 1 \
    appctl dptest/add-port n3 dpdk dpdk-devargs=net_nosuchdriver0
check_output "... naming it" 'cannot make device "net_nosuchdriver0"' \
    echo "$LAST_OUTPUT"
check "... and removed" appctl dptest/del-port n1

check "dp-testd exits on request" appctl exit
if wait_exit "$DAEMON_PID" 20; then
    ok "dp-testd exits cleanly"
else
    not_ok "dp-testd exits cleanly"
fi
check_fails "no sanitizer or EAL error report" 1 \
    grep -Eq 'runtime error|Sanitizer|PANIC|Cause:' "$TESTDIR/dp-testd.stdout"
finish
