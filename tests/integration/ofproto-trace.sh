#!/bin/bash
# ofproto/trace against ofproto-testd: tables and flows matched, datapath
# actions and megaflows, resubmit loops, hex packets, and the VLAN matrix
# (every vlan_mode, untagged / tagged / double-tagged ingress, each kind
# of output port) as the datapath actions NORMAL gives.

. "$srcdir/tests/integration/lib.sh"
. "$srcdir/tests/integration/ofproto-lib.sh"

start_testd
ok "ofproto-testd starts"

# Ports: in (1, configured per case), then one output port of each kind.
# Datapath port = OpenFlow port + 100.
setup_bridge() {
    appctl testd/del-br br0 >/dev/null 2>&1
    appctl testd/add-br br0 || return 1
    appctl testd/add-port br0 in 1 101 "$@" || return 1
    appctl testd/add-port br0 acc 2 102 vlan_mode=access tag=10
    appctl testd/add-port br0 trk 3 103 vlan_mode=trunk
    appctl testd/add-port br0 t20 4 104 vlan_mode=trunk trunks=20
    appctl testd/add-port br0 ntg 5 105 vlan_mode=native-tagged tag=10
    appctl testd/add-port br0 nut 6 106 vlan_mode=native-untagged tag=10
    appctl testd/add-port br0 n20 7 107 vlan_mode=native-untagged tag=20
    appctl testd/add-port br0 tun 8 108 vlan_mode=dot1q-tunnel tag=10
}

# Broadcast frames (hex): untagged, tagged VLAN 10, double-tagged 10/20.
eth="ffffffffffff020000000001"
payload="0800450000140000000040110000c0a80001c0a80002"
untagged="$eth$payload"
tagged="${eth}8100000a$payload"
double="${eth}8100000a81000014$payload"

# dp_actions MODE_ARGS... PACKET: the datapath actions of a trace.
dp_actions() {
    local packet=${!#}
    local args=("${@:1:$#-1}")
    setup_bridge "${args[@]}" >/dev/null || return 1
    appctl ofproto/trace br0 in_port=1 "$packet" \
        | sed -n 's/^Datapath actions: //p'
}

# vlan_case DESC EXPECTED MODE_ARGS... PACKET
vlan_case() {
    local desc=$1 want=$2
    shift 2
    check_same "VLAN matrix: $desc" "$want" dp_actions "$@"
}

push10="push_vlan(tpid=0x8100,vid=10,pcp=0)"
tun10="push_vlan(tpid=0x88a8,vid=10,pcp=0)"

vlan_case "access, untagged: floods VLAN 10, tagged on trunks" \
    "output:102,$push10,output:103,output:105,pop_vlan,output:106,$push10,output:107,pop_vlan,output:108" \
    vlan_mode=access tag=10 "$untagged"
vlan_case "access, tagged: dropped" "drop" \
    vlan_mode=access tag=10 "$tagged"
vlan_case "access, double-tagged: dropped" "drop" \
    vlan_mode=access tag=10 "$double"
vlan_case "trunk, untagged: VLAN 0 goes to trunks untagged" \
    "output:103,output:105,output:106,output:107" \
    vlan_mode=trunk "$untagged"
vlan_case "trunk, tagged: access and tunnel ports untagged" \
    "pop_vlan,output:102,$push10,output:103,output:105,pop_vlan,output:106,$push10,output:107,pop_vlan,output:108" \
    vlan_mode=trunk "$tagged"
vlan_case "trunk, double-tagged: only the outer tag is the VLAN" \
    "pop_vlan,output:102,$push10,output:103,output:105,pop_vlan,output:106,$push10,output:107,pop_vlan,output:108" \
    vlan_mode=trunk "$double"
vlan_case "trunk trunks=20, tagged 10: dropped" "drop" \
    vlan_mode=trunk trunks=20 "$tagged"
vlan_case "native-tagged, untagged: in the native VLAN" \
    "output:102,$push10,output:103,output:105,pop_vlan,output:106,$push10,output:107,pop_vlan,output:108" \
    vlan_mode=native-tagged tag=10 "$untagged"
vlan_case "native-untagged, tagged 10: as a trunk" \
    "pop_vlan,output:102,$push10,output:103,output:105,pop_vlan,output:106,$push10,output:107,pop_vlan,output:108" \
    vlan_mode=native-untagged tag=10 "$tagged"
vlan_case "dot1q-tunnel, untagged: a service tag on trunks" \
    "output:102,$tun10,output:103,output:105,pop_vlan,output:106,$tun10,output:107,pop_vlan,output:108" \
    vlan_mode=dot1q-tunnel tag=10 "$untagged"
vlan_case "dot1q-tunnel, tagged: the customer tag stays inside" \
    "output:102,$tun10,output:103,output:105,pop_vlan,output:106,$tun10,output:107,pop_vlan,output:108" \
    vlan_mode=dot1q-tunnel tag=10 "$tagged"
vlan_case "dot1q-tunnel, double-tagged: both customer tags stay" \
    "output:102,$tun10,output:103,output:105,pop_vlan,output:106,$tun10,output:107,pop_vlan,output:108" \
    vlan_mode=dot1q-tunnel tag=10 "$double"
vlan_case "dot1q-tunnel cvlans=20, tagged 10: dropped" "drop" \
    vlan_mode=dot1q-tunnel tag=10 cvlans=20 "$tagged"

# Flow text traces: tables, flows, resubmit, megaflow.
setup_bridge vlan_mode=trunk >/dev/null
check "add-flow through skiff-ofctl" \
    ofctl add-flow br0 "priority=100,in_port=1,tcp,actions=dec_ttl,resubmit(,1)"
check "add a flow to table 1" ofctl add-flow br0 "table=1,actions=output:trk"
check_output "trace names each table and flow matched" \
    'table=0, cookie=0x0, priority=100,tcp,in_port=1 actions=dec_ttl,resubmit\(,1\)' \
    appctl ofproto/trace br0 in_port=1,tcp,nw_ttl=9
trace=$LAST_OUTPUT
if printf '%s\n' "$trace" | grep -q '^    table=1, cookie=0x0, priority=32768 actions=output:3$'; then
    ok "trace shows the resubmitted table, indented"
else
    not_ok "trace shows the resubmitted table, indented"
    printf '%s\n' "$trace" | sed 's/^/#   /'
fi
check_output "trace shows the datapath actions" \
    '^Datapath actions: set\(ipv4\(ttl=8\)\),output:103$' \
    appctl ofproto/trace br0 in_port=1,tcp,nw_ttl=9
check_output "the megaflow holds only what was consulted" \
    '^Megaflow: in_port\(101\),eth_type\(0x0800\),ipv4\(proto=6,ttl=9\)$' \
    appctl ofproto/trace br0 in_port=1,tcp,nw_ttl=9
check_output "ports by name in the trace flow" \
    '^Datapath actions: set\(ipv4\(ttl=8\)\),output:103$' \
    appctl ofproto/trace br0 in_port=in,tcp,nw_ttl=9
check "a resubmit loop" \
    ofctl add-flow br0 "priority=200,in_port=2,actions=resubmit(,0)"
check_output "a resubmit loop is cut and dropped" \
    'resubmit deeper than 64: loop cut' appctl ofproto/trace br0 in_port=2
check_output "and logged" 'resubmit deeper than 64: loop cut' \
    cat "$TESTDIR/ofproto-testd.log"

check_fails_output "trace without in_port fails" 'must give in_port' \
    appctl ofproto/trace br0 tcp
check_fails_output "trace of a bad flow names the bad value" '1\.2\.3\.400' \
    appctl ofproto/trace br0 in_port=1,nw_src=1.2.3.400
check_fails_output "trace of a bad hex packet fails" "bad character 'z'" \
    appctl ofproto/trace br0 in_port=1 0xzz
check_fails_output "trace on an unknown bridge fails" 'nobr: no such bridge' \
    appctl ofproto/trace nobr in_port=1
check_output "the daemon still answers" '^ofproto-testd' appctl version

finish
