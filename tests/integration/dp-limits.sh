#!/bin/bash
# The datapath's limits, on pcap ports with dp-testd's learning switch
# (megaflows match in_port, eth src and dst, so every source MAC is a new
# megaflow): the flow limit, the upcall rate limit, and idle expiry by the
# revalidator.

. "$srcdir/tests/integration/lib.sh"

prefix=skiff-dp-limits-$$
dp_cleanup() {
    rm -rf "/var/run/dpdk/$prefix"
    cleanup
}
trap dp_cleanup EXIT

appctl() { skiff-appctl -t dp-testd "$@"; }
count() { pcap-tool count "$1" 2>/dev/null || echo 0; }
has_count() { [ "$(count "$1")" -eq "$2" ]; }
stat_of() {
    appctl dpif-netdev/pmd-stats-show | awk -F': ' -v k="  $1" \
        '$1 == k {print $2}'
}
n_flows() { appctl dpctl/dump-flows | grep -c '^pmd='; }

# broadcasts FILE BYTE: 40 broadcast UDP packets, each from its own MAC
# 00:00:00:00:BYTE:NN.
broadcasts() {
    local pkts=() i
    for i in $(seq 10 49); do
        pkts+=("$(pcap-tool udp 00:00:00:00:$2:$i ff:ff:ff:ff:ff:ff \
            10.0.0.$i 10.0.0.255 1000 2000 8)")
    done
    pcap-tool write "$1" "${pkts[@]}"
}

log=$TESTDIR/dp-testd.log
start_daemon dp-testd dp-testd --pidfile --log-file="$log" \
    --file-prefix="$prefix"
if ! wait_for "dp-testd's control socket" 30 appctl version; then
    not_ok "dp-testd starts"
    sed 's/^/# /' "$TESTDIR/dp-testd.stdout" "$log" 2>/dev/null
    finish
fi
ok "dp-testd starts"
check "learning switch on" appctl dptest/learn on
check_output "output port is port 1" '^1$' \
    appctl dptest/add-port out1 pcap tx_pcap="$TESTDIR/out1.pcap"

# Flow limit: only 5 megaflows are installed; the other packets are still
# forwarded, with the actions of their upcall.
check "flow limit 5" appctl dptest/set flow-limit=5
broadcasts "$TESTDIR/in1.pcap" 01
check_output "input port is port 2" '^2$' \
    appctl dptest/add-port in1 pcap rx_pcap="$TESTDIR/in1.pcap"
if wait_for "40 packets out" 10 has_count "$TESTDIR/out1.pcap" 40; then
    ok "every packet is flooded despite the flow limit"
else
    not_ok "every packet is flooded despite the flow limit"
fi
check "only 5 megaflows are installed" test "$(n_flows)" -eq 5
check "... 35 upcalls were not installed" \
    test "$(stat_of "upcalls not installed (flow limit)")" -eq 35
check "... 40 upcalls answered" \
    test "$(stat_of "miss with success upcall")" -eq 40

# Idle expiry: megaflows unused for max-idle-ms go, busy ones stay.  The
# busy one: a net_null port (endless frames) with a drop rule.
check "no flow limit" appctl dptest/set flow-limit=100000
check "rule: port 3 drops" appctl dptest/set-rule 3 drop
check_output "a busy port is port 3" '^3$' \
    appctl dptest/add-port busy dpdk dpdk-devargs=net_null0
busy_flow() { appctl dpctl/dump-flows | grep -c 'in_port(3), .*actions:drop$'; }
if wait_for "the busy megaflow" 5 eval '[ "$(busy_flow)" -eq 1 ]'; then
    ok "a megaflow for the busy port"
else
    not_ok "a megaflow for the busy port"
fi
check "megaflows are there" test "$(n_flows)" -ge 2
check "max idle 100 ms" appctl dptest/set max-idle-ms=100
if wait_for "only the busy megaflow" 5 eval '[ "$(n_flows)" -eq 1 ]'; then
    ok "idle megaflows expire"
else
    not_ok "idle megaflows expire"
fi
check_output "... counted by the revalidator" 'expired [1-9]' \
    appctl dpif-netdev/pmd-stats-show
sleep 1
check "the busy megaflow stays, pass after pass" test "$(busy_flow)" -eq 1
check "del-port busy" appctl dptest/del-port busy
check "del-rule 3" appctl dptest/del-rule 3
wait_for "no megaflows" 5 eval '[ "$(n_flows)" -eq 0 ]'

check "max idle back to 10 s" appctl dptest/set max-idle-ms=10000

# A bad setting is refused and names itself.
check_fails "an unknown tunable is refused" 1 appctl dptest/set bogus=1
check_output "... naming it" '"bogus=1" is not a valid setting' \
    echo "$LAST_OUTPUT"

# Rate limit: one upcall per second with a bucket of one: of 40 new flows
# arriving at once, nearly all are dropped.
check "del-flows" appctl dpctl/del-flows
check "rate limit 1/s, burst 1" \
    appctl dptest/set upcall-rate=1 upcall-burst=1
check "pmd-stats-clear" appctl dpif-netdev/pmd-stats-clear
broadcasts "$TESTDIR/in2.pcap" 02
check_output "second input port takes the free number 3" '^3$' \
    appctl dptest/add-port in2 pcap rx_pcap="$TESTDIR/in2.pcap"
if wait_for "40 packets received" 10 eval \
        '[ "$(stat_of "packets received")" -eq 40 ]'; then
    ok "the PMD receives all 40"
else
    not_ok "the PMD receives all 40"
fi
limited=$(stat_of "miss dropped by rate limit")
answered=$(stat_of "miss with success upcall")
check "at least 38 misses are dropped by the rate limit ($limited)" \
    test "$limited" -ge 38
check "... the rest went up ($answered)" test $((limited + answered)) -eq 40
sleep 0.5
check "... and only those reached the output" \
    test "$(count "$TESTDIR/out1.pcap")" -eq $((40 + answered))

check "no rate limit" appctl dptest/set upcall-rate=0

# Police: a meter passes its burst (the bucket starts full) and drops the
# rest of a back-to-back replay.  40 frames of 50 bytes, cbs 1000 bytes.
check "meter 1: srTCM 1000 B/s, burst 1000 B" \
    appctl dptest/meter-set 1 cir=1000 cbs=1000
check_fails "a bad meter setting is refused" 1 \
    appctl dptest/meter-set 1 cir=1000 bogus=5
check_output "... naming it" '"bogus=5" is not a valid meter setting' \
    echo "$LAST_OUTPUT"
check_fails "a zero rate is refused" 1 appctl dptest/meter-set 2 cir=0 cbs=1
check "rule: port 4 polices with meter 1, then outputs to 1" \
    appctl dptest/set-rule 4 "police(1),output:1"
check "exact-match cache inserts off" appctl dptest/set emc-inv-prob=0
check "pmd-stats-clear" appctl dpif-netdev/pmd-stats-clear
before=$(count "$TESTDIR/out1.pcap")
broadcasts "$TESTDIR/in3.pcap" 03
check_output "third input port is port 4" '^4$' \
    appctl dptest/add-port in3 pcap rx_pcap="$TESTDIR/in3.pcap"
if wait_for "the meter saw 40 packets" 10 eval \
        'appctl dptest/meter-show 1 | awk "{exit \$2 + \$4 + \$6 != 40}"'
then
    ok "the meter saw all 40 packets"
else
    not_ok "the meter saw all 40 packets"
fi
check_output "... 20 or 21 green, the rest red" \
    '^green 2[01] yellow 0 red (19|20)$' appctl dptest/meter-show 1
check "with EMC inserts off, no EMC hits" \
    test "$(stat_of "emc hits")" -eq 0
check "... one upcall, the other 39 hit the megaflow" \
    test "$(stat_of "miss with success upcall")/$(stat_of "megaflow hits")" \
    = 1/39
green=$(appctl dptest/meter-show 1 | awk '{print $2}')
sleep 0.5
check "... only the green ones reached the output" \
    test "$(count "$TESTDIR/out1.pcap")" -eq $((before + green))

check "dp-testd exits on request" appctl exit
if wait_exit "$DAEMON_PID" 20; then
    ok "dp-testd exits cleanly"
else
    not_ok "dp-testd exits cleanly"
fi
check_fails "no sanitizer or EAL error report" 1 \
    grep -Eq 'runtime error|Sanitizer|PANIC|Cause:' "$TESTDIR/dp-testd.stdout"
finish
