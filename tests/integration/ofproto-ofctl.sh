#!/bin/bash
# skiff-ofctl end to end against ofproto-testd over a real control socket:
# add-flow, add-flows (file and stdin, all or nothing), mod-flows and
# del-flows (strict and not), dump-flows (filters, --no-stats, --names,
# JSON), dump-ports, show, and errors that change nothing.

. "$srcdir/tests/integration/lib.sh"
. "$srcdir/tests/integration/ofproto-lib.sh"

start_testd
ok "ofproto-testd starts"
appctl testd/add-br br0 >/dev/null
appctl testd/add-port br0 p1 1 11 >/dev/null
appctl testd/add-port br0 p2 2 12 >/dev/null
appctl testd/add-port br0 br0 LOCAL 10 >/dev/null

flows() { ofctl --no-stats dump-flows br0 "$@"; }

check_same "a new bridge has the NORMAL flow" \
    " priority=0 actions=NORMAL" flows
check "add-flow" ofctl add-flow br0 "priority=100,in_port=1,actions=output:2"
check "add-flow with a port name" \
    ofctl add-flow br0 "priority=90 in_port=p2 tcp actions=output:p1"
check_same "dump-flows --no-stats" \
" priority=100,in_port=1 actions=output:2
 priority=90,tcp,in_port=2 actions=output:1
 priority=0 actions=NORMAL" flows
check_same "--names shows port names" \
    " priority=90,tcp,in_port=p2 actions=output:p1" flows --names tcp
check_output "dump-flows shows counters and ages" \
    '^ cookie=0x0, duration=[0-9.]+s, table=0, n_packets=0, n_bytes=0, idle_age=[0-9]+, priority=100,in_port=1 actions=output:2$' \
    ofctl dump-flows br0 in_port=1
check_output "--format=json" '"priority": ?100' \
    ofctl --format=json dump-flows br0 in_port=1

cat >"$TESTDIR/flows.txt" <<'FLOWS'
# a comment, then a blank line

table=1, priority=5, udp, actions=drop
table=1, cookie=0x42, priority=6, ip, nw_dst=10.0.0.0/8, actions=dec_ttl,output:2
FLOWS
check "add-flows FILE" ofctl add-flows br0 "$TESTDIR/flows.txt"
check_same "the file's flows are there" \
" cookie=0x42, table=1, priority=6,ip,nw_dst=10.0.0.0/8 actions=dec_ttl,output:2
 table=1, priority=5,udp actions=drop" flows table=1
check "add-flows from stdin" sh -c \
    "echo 'table=2,actions=output:1' | skiff-ofctl -t ofproto-testd add-flows br0 -"
check_same "the stdin flow is there" " table=2, actions=output:1" \
    flows table=2

printf 'table=3,actions=output:1\ntable=3,priority=7,nw_src=1.2.3.999,actions=drop\n' \
    >"$TESTDIR/bad.txt"
check_fails "add-flows with a bad line fails" 1 \
    ofctl add-flows br0 "$TESTDIR/bad.txt"
check_same "and adds nothing" "" flows table=3
printf 'table=3,actions=output:1\ntable=3,priority=7,actions=goto_table:1\n' \
    >"$TESTDIR/bad2.txt"
check_fails "add-flows rejected by the switch fails" 1 \
    ofctl add-flows br0 "$TESTDIR/bad2.txt"
check_same "and adds nothing either" "" flows table=3

check "mod-flows" ofctl mod-flows br0 "in_port=1 actions=output:LOCAL"
check_same "changes the actions only" \
    " priority=100,in_port=1 actions=LOCAL" flows in_port=1
check "mod-flows --strict at another priority" \
    ofctl --strict mod-flows br0 "priority=99,in_port=1 actions=drop"
check_same "changes nothing" \
    " priority=100,in_port=1 actions=LOCAL" flows in_port=1
check "mod-flows --strict" \
    ofctl --strict mod-flows br0 "priority=100,in_port=1 actions=drop"
check_same "changes the one flow" " priority=100,in_port=1 actions=drop" \
    flows in_port=1

check "del-flows --strict" ofctl --strict del-flows br0 "priority=90,tcp,in_port=2"
check_same "deletes only that flow" \
" priority=100,in_port=1 actions=drop
 priority=0 actions=NORMAL" flows table=0
check "del-flows with a cookie mask" ofctl del-flows br0 "cookie=0x42/-1"
check_same "deletes the flow with that cookie" \
    " table=1, priority=5,udp actions=drop" flows table=1
check "del-flows out_port" ofctl del-flows br0 "out_port=1"
check_same "deletes the flows that output to it" "" flows table=2
check "del-flows" ofctl del-flows br0
check_same "with no flow deletes everything" "" flows

# Timeouts, with the slow path's clock warped (margins of several seconds,
# since real time passes too).
check "a flow with an idle timeout" \
    ofctl add-flow br0 "priority=5,idle_timeout=30,in_port=1,actions=drop"
check "a flow with a hard timeout" \
    ofctl add-flow br0 "priority=5,hard_timeout=60,in_port=2,actions=drop"
check_output "dump-flows shows the timeouts" \
    '^ idle_timeout=30, priority=5,in_port=1 actions=drop$' flows
check "25 seconds pass" appctl testd/warp 25000
check_output "both are still there" 'hard_timeout=60' flows in_port=2
check_output "a packet keeps the idle flow alive" '^actions: drop$' \
    appctl testd/packet 11 ffffffffffff0200000000010800450000140000000040110000c0a80001c0a80002
check "25 more seconds pass" appctl testd/warp 25000
check_same "the idle flow is still there" \
    " idle_timeout=30, priority=5,in_port=1 actions=drop" flows in_port=1
check_output "and the hard one" 'hard_timeout=60' flows in_port=2
check "11 more seconds pass" appctl testd/warp 11000
check_same "both have expired" "" flows
check_output "counters counted the packet" \
    '^  port 1: rx pkts=1, bytes=34' ofctl dump-ports br0 1

check_output "dump-ports lists every port" 'port LOCAL' ofctl dump-ports br0
check_output "dump-ports PORT" '^  port 2: rx pkts=0' ofctl dump-ports br0 2
check_fails "dump-ports of an unknown port fails" 1 ofctl dump-ports br0 9
check_output "show names the ports" '^ 2\(p2\): addr:02:00:00:00:00:0c' \
    ofctl show br0
check_fails "an unknown bridge fails" 1 ofctl add-flow nobr "actions=drop"
check_output "naming the bridge" 'nobr: no such bridge' \
    sh -c 'skiff-ofctl -t ofproto-testd add-flow nobr actions=drop 2>&1; true'
check_fails "a flow the parser refuses exits 1" 1 \
    ofctl add-flow br0 "in_port=1,actions=output:nosuchport"
check_same "and nothing was added" "" flows

finish
