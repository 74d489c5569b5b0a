#!/bin/bash
# MAC learning observed with fdb/show: packets handed to ofproto-testd's
# upcall handler as the datapath would, learning per VLAN, moves, aging
# (mac-aging-time, with the slow path's clock warped), the table size
# limit (mac-table-size), flooding within a VLAN, and fdb/flush.

. "$srcdir/tests/integration/lib.sh"
. "$srcdir/tests/integration/ofproto-lib.sh"

start_testd
ok "ofproto-testd starts"

check "add a bridge" appctl testd/add-br br0
check "add ports" sh -c '
    skiff-appctl -t ofproto-testd testd/add-port br0 p1 1 11 tag=10 &&
    skiff-appctl -t ofproto-testd testd/add-port br0 p2 2 12 tag=10 &&
    skiff-appctl -t ofproto-testd testd/add-port br0 p3 3 13 tag=20 &&
    skiff-appctl -t ofproto-testd testd/add-port br0 p4 4 14 vlan_mode=trunk'

# frame DST SRC [VLAN]: an IPv4 frame in hex.
frame() {
    local tag=
    if [ -n "${3:-}" ]; then
        tag=$(printf '8100%04x' "$3")
    fi
    echo "${1//:/}${2//:/}${tag}0800450000140000000040110000c0a80001c0a80002"
}
A=02:00:00:00:00:0a
B=02:00:00:00:00:0b
C=02:00:00:00:00:0c
BCAST=ff:ff:ff:ff:ff:ff

check_output "an unknown destination floods within VLAN 10 only" \
    '^actions: output:12,push_vlan\(tpid=0x8100,vid=10,pcp=0\),output:14$' \
    appctl testd/packet 11 "$(frame $B $A)"
check_output "fdb/show lists the learned source" \
    '^ +p1 +10  02:00:00:00:00:0a +[0-9]+$' appctl fdb/show br0
check_output "the reply goes straight back" '^actions: output:11$' \
    appctl testd/packet 12 "$(frame $A $B)"
check_output "both are learned" '^ +p2 +10  02:00:00:00:00:0b' \
    appctl fdb/show br0
check_output "the megaflow holds the addresses and in_port" \
    '^mask: in_port\(12\),eth\(src=02:00:00:00:00:0b,dst=02:00:00:00:00:0a\)' \
    appctl testd/packet 12 "$(frame $A $B)"
check_output "a broadcast in VLAN 20 reaches only VLAN 20 ports" \
    '^actions: push_vlan\(tpid=0x8100,vid=20,pcp=0\),output:14$' \
    appctl testd/packet 13 "$(frame $BCAST $C)"
check_output "the same MAC is learned per VLAN" \
    '^ +p4 +10  02:00:00:00:00:0c' \
    sh -c "skiff-appctl -t ofproto-testd testd/packet 14 $(frame $BCAST $C 10) >/dev/null && skiff-appctl -t ofproto-testd fdb/show br0"
check_output "and VLAN 20's entry stays" '^ +p3 +20  02:00:00:00:00:0c' \
    appctl fdb/show br0

check_output "a MAC that moves is relearned" '^ +p4 +10  02:00:00:00:00:0a' \
    sh -c "skiff-appctl -t ofproto-testd testd/packet 14 $(frame $BCAST $A 10) >/dev/null && skiff-appctl -t ofproto-testd fdb/show br0"
check_output "and traffic follows it" \
    '^actions: push_vlan\(tpid=0x8100,vid=10,pcp=0\),output:14$' \
    appctl testd/packet 12 "$(frame $A $B)"
check_output "reserved multicast is not forwarded" '^actions: drop$' \
    appctl testd/packet 11 "$(frame 01:80:c2:00:00:0e $A)"

# Aging.
check "mac-aging-time=10" appctl testd/set-br br0 mac-aging-time=10
check "5 seconds pass" appctl testd/warp 5000
check_output "entries still there after 5 s" '02:00:00:00:00:0b' \
    appctl fdb/show br0
check "B talks again" appctl testd/packet 12 "$(frame $BCAST $B)"
check "6 more seconds pass" appctl testd/warp 6000
fdb=$(appctl fdb/show br0)
if ! grep -q 02:00:00:00:00:0a <<<"$fdb" && grep -q 02:00:00:00:00:0b <<<"$fdb"; then
    ok "after 11 s, only the refreshed entry is left"
else
    not_ok "after 11 s, only the refreshed entry is left"
    printf '%s\n' "$fdb" | sed 's/^/#   /'
fi

# Size limit.
check "mac-table-size=2" appctl testd/set-br br0 mac-table-size=2
for i in 1 2 3; do
    appctl testd/packet 11 "$(frame $BCAST 02:00:00:00:01:0$i)" >/dev/null
done
check_output "the table holds at most 2 entries, the newest" \
    '^2 02:00:00:00:01:02 02:00:00:00:01:03$' \
    sh -c "skiff-appctl -t ofproto-testd fdb/show br0 | awk 'NR > 1 { n++; m = m \" \" \$3 } END { print n m }'"

check_output "fdb/flush BR" 'flushed' appctl fdb/flush br0
check_same "leaves the table empty" " port  VLAN  MAC                Age" \
    appctl fdb/show br0
appctl testd/packet 11 "$(frame $BCAST $A)" >/dev/null
check_output "fdb/flush without a bridge flushes all" 'flushed' \
    appctl fdb/flush
check_same "all empty" " port  VLAN  MAC                Age" \
    appctl fdb/show br0
check_fails_output "fdb/show of an unknown bridge fails" 'no such bridge' \
    appctl fdb/show nobr
check_fails_output "a bad bridge setting is refused" 'bad bridge setting' \
    appctl testd/set-br br0 mac-table-size=0

finish
