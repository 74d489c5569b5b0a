#!/bin/bash
# skiff-vsctl's switch, bridge, port and interface commands against
# skiff-dbd: init, show, emer-reset, add-br, del-br, list-br, br-exists,
# br-set-external-id, br-get-external-id, add-port, add-bond, del-port,
# list-ports, port-to-br, list-ifaces, iface-to-br; --may-exist and
# --if-exists; errors that leave the database as it was; "--" chains that
# commit all or nothing; and many clients adding ports at once.

. "$srcdir/tests/integration/lib.sh"

schema=$srcdir/vswitchd/vswitch.schema.json
sock=unix:$TESTDIR/db.sock

have_client=false
if command -v ovsdb-client >/dev/null; then
    have_client=true
fi

vsctl() {
    skiff-vsctl --db="$sock" --no-wait --timeout=60 "$@"
}

# tx JSON...: one transaction of the given operations (ovsdb-client).
tx() {
    local ops
    ops=$(IFS=,; echo "$*")
    ovsdb-client transact "$sock" "[\"Open_vSwitch\",$ops]"
}

# get_column TABLE NAME COLUMN: COLUMN of TABLE's row named NAME, as JSON.
get_column() {
    local where="[[\"name\",\"==\",\"$2\"]]"
    tx "{\"op\":\"select\",\"table\":\"$1\",\"where\":$where,
         \"columns\":[\"$3\"]}"
}

# count_rows TABLE: how many rows TABLE has.
count_rows() {
    tx "{\"op\":\"select\",\"table\":\"$1\",\"where\":[],
         \"columns\":[\"_uuid\"]}" | grep -o '"_uuid"' | wc -l
}

# state: everything the tests can see of the database.
state() {
    vsctl show
    if $have_client; then
        ovsdb-client dump "$sock" Open_vSwitch
    fi
}

# check_exact DESC EXPECTED COMMAND...: passes when COMMAND exits 0 and
# prints exactly EXPECTED.
check_exact() {
    local desc=$1 want=$2
    shift 2
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
        ok "$desc"
    else
        not_ok "$desc"
        echo "# command: $* (exit $rc); wanted:"
        printf '%s\n' "$want" | sed 's/^/#   /'
        echo "# got:"
        printf '%s\n' "$out" | sed 's/^/#   /'
    fi
}

# check_error DESC MESSAGE COMMAND...: passes when COMMAND exits 1 with
# MESSAGE (a fixed string) on stderr and nothing on stdout, and the
# database is unchanged.
check_error() {
    local desc=$1 msg=$2
    shift 2
    local before after out err rc
    before=$(state)
    out=$("$@" 2>"$TESTDIR/stderr")
    rc=$?
    err=$(cat "$TESTDIR/stderr")
    after=$(state)
    if [ "$rc" -eq 1 ] && [ -z "$out" ] &&
       printf '%s\n' "$err" | grep -Fq -- "$msg" &&
       [ "$before" = "$after" ]; then
        ok "$desc"
    else
        not_ok "$desc"
        echo "# command: $* (exit $rc), wanted exit 1 and: $msg"
        printf '%s\n' "$out" "$err" | sed 's/^/#   /'
        [ "$before" = "$after" ] || echo "# the database changed"
    fi
}

# check_same DESC COMMAND...: passes when COMMAND exits 0 and the database
# is unchanged.
check_same() {
    local desc=$1
    shift
    local before after out rc
    before=$(state)
    out=$("$@" 2>&1)
    rc=$?
    after=$(state)
    if [ "$rc" -eq 0 ] && [ "$before" = "$after" ]; then
        ok "$desc"
    else
        not_ok "$desc"
        echo "# command: $* (exit $rc)"
        printf '%s\n' "$out" | sed 's/^/#   /'
        [ "$before" = "$after" ] || echo "# the database changed"
    fi
}

# show_body: "show" without its first line (the root row's uuid).
show_body() {
    vsctl show | sed 1d
}

start_daemon dbd skiff-dbd --db="$TESTDIR/conf.db" --schema="$schema" \
    --remote="punix:$TESTDIR/db.sock" --log-file="$TESTDIR/dbd.log"
check "skiff-dbd starts" wait_for "skiff-dbd's socket" 10 \
    test -S "$TESTDIR/db.sock"

# init and show.
check_exact "show on an empty database prints nothing" "" vsctl show
check "init creates the root row" vsctl init
check_output "show prints the root row's uuid" \
    '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' vsctl show
root=$(vsctl show)
check_exact "init again keeps the same root row" "$root" \
    vsctl init -- show

# add-br, br-exists, list-br.
check "add-br br0" vsctl add-br br0
check_exact "a new bridge has an internal port and interface of its name" \
"    Bridge br0
        Port br0
            Interface br0
                type: internal" show_body
check_exact "the bridge is in the root row's tree" "$root" \
    eval "vsctl show | head -n 1"
check_error "add-br of an existing bridge fails" \
    "a bridge named br0 already exists" vsctl add-br br0
check_same "--may-exist add-br of an existing bridge does nothing" \
    vsctl --may-exist add-br br0
check "br-exists br0" vsctl br-exists br0
check_fails "br-exists of a missing bridge exits 2" 2 vsctl br-exists br9
if [ -z "$LAST_OUTPUT" ]; then
    ok "br-exists of a missing bridge prints nothing"
else
    not_ok "br-exists of a missing bridge prints nothing"
    printf '%s\n' "$LAST_OUTPUT" | sed 's/^/#   /'
fi
check "add-br br2 and br1" vsctl add-br br2 -- add-br br1
check_exact "list-br lists the bridges sorted" "br0
br1
br2" vsctl list-br

# br-set-external-id and br-get-external-id.
check "br-set-external-id sets keys" \
    vsctl br-set-external-id br0 zeta 26 -- br-set-external-id br0 alpha 1
check_exact "br-get-external-id KEY prints its value" "26" \
    vsctl br-get-external-id br0 zeta
check_exact "br-get-external-id prints every key, sorted" "alpha=1
zeta=26" vsctl br-get-external-id br0
check "br-set-external-id replaces a value" \
    vsctl br-set-external-id br0 alpha 2
check_exact "the new value is there" "2" vsctl br-get-external-id br0 alpha
check "br-set-external-id without a value removes the key" \
    vsctl br-set-external-id br0 zeta
check_exact "the key is gone" "alpha=2" vsctl br-get-external-id br0
check_exact "br-get-external-id of a missing key prints nothing" "" \
    vsctl br-get-external-id br0 nothere
check_error "br-set-external-id on a missing bridge fails" \
    "no bridge named br9" vsctl br-set-external-id br9 a b
check_error "br-get-external-id on a missing bridge fails" \
    "no bridge named br9" vsctl br-get-external-id br9

# add-port, add-bond, list-ports, list-ifaces, port-to-br, iface-to-br.
check "add-port with a setting" vsctl add-port br0 p1 tag=10
check "add-port" vsctl add-port br0 p0
check "add-bond with a setting" \
    vsctl add-bond br0 bond0 e2 e1 lacp=active
check_exact "list-ports lists the ports sorted, without the bridge's own" \
"bond0
p0
p1" vsctl list-ports br0
check_exact "list-ifaces lists the interfaces sorted, without the bridge's" \
"e1
e2
p0
p1" vsctl list-ifaces br0
check_exact "list-ports of a bridge with no other port prints nothing" "" \
    vsctl list-ports br1
check_exact "show has the ports, interfaces and settings" \
"    Bridge br0
        Port bond0
            lacp: active
            Interface e1
            Interface e2
        Port br0
            Interface br0
                type: internal
        Port p0
            Interface p0
        Port p1
            tag: 10
            Interface p1
    Bridge br1
        Port br1
            Interface br1
                type: internal
    Bridge br2
        Port br2
            Interface br2
                type: internal" show_body
check_exact "port-to-br" "br0" vsctl port-to-br bond0
check_exact "port-to-br of a bridge's own port" "br1" vsctl port-to-br br1
check_exact "iface-to-br" "br0" vsctl iface-to-br e2
check_error "port-to-br of a missing port fails" "no port named p9" \
    vsctl port-to-br p9
check_error "iface-to-br of a missing interface fails" \
    "no interface named e9" vsctl iface-to-br e9
check_error "list-ports of a missing bridge fails" "no bridge named br9" \
    vsctl list-ports br9
check_error "list-ifaces of a missing bridge fails" "no bridge named br9" \
    vsctl list-ifaces br9
check_error "add-port to a missing bridge fails" "no bridge named br9" \
    vsctl add-port br9 p9
check_error "add-port of a port on another bridge fails, naming it" \
    "a port named p1 already exists on bridge br0" vsctl add-port br1 p1
check_error "add-port of a port already there fails" \
    "a port named p1 already exists on bridge br0" vsctl add-port br0 p1
check_same "--may-exist add-port of a port already there does nothing" \
    vsctl --may-exist add-port br0 p1
check_error "--may-exist add-port of a port on another bridge fails" \
    "a port named p1 already exists on bridge br0" \
    vsctl --may-exist add-port br1 p1
check_error "add-port named like an interface of a bond fails" \
    "an interface named e1 already exists on bridge br0" \
    vsctl add-port br1 e1
check_error "add-port named like a bridge's port fails" \
    "a port named br2 already exists on bridge br2" vsctl add-port br1 br2
check_error "add-br named like a port fails" \
    "a port named p1 already exists on bridge br0" vsctl add-br p1
check_error "add-br named like an interface fails" \
    "an interface named e1 already exists on bridge br0" vsctl add-br e1
check_error "add-bond with one interface fails" \
    "bond bond1 needs at least two interfaces" \
    vsctl add-bond br1 bond1 e5 lacp=active
check_error "add-bond naming an interface twice fails" \
    "interface e5 is named twice" vsctl add-bond br1 bond1 e5 e5
check_error "add-bond with an interface in use fails" \
    "an interface named p0 already exists on bridge br0" \
    vsctl add-bond br1 bond1 e5 p0
check_same "--may-exist add-bond of the same bond does nothing" \
    vsctl --may-exist add-bond br0 bond0 e1 e2
check_error "--may-exist add-bond with other interfaces fails" \
    "port bond0 already exists on bridge br0 with other interfaces" \
    vsctl --may-exist add-bond br0 bond0 e1 e3
check_error "add-port with a bad setting fails" "" \
    vsctl add-port br1 p7 tag=99999
check_error "add-port with an unknown column fails" "" \
    vsctl add-port br1 p7 nosuchcolumn=1
check_fails "add-bond with too few arguments is a usage error" 2 \
    vsctl add-bond br1 bond1 e5

# del-port.
check_error "del-port of a missing port fails" "no port named p9" \
    vsctl del-port p9
check_error "del-port of a missing port on a bridge fails" \
    "no port named p9" vsctl del-port br0 p9
check_error "del-port on a missing bridge fails" "no bridge named br9" \
    vsctl del-port br9 p1
check_error "del-port of a port on another bridge fails" \
    "bridge br1 does not have a port p1" vsctl del-port br1 p1
check_same "--if-exists del-port of a missing port does nothing" \
    vsctl --if-exists del-port p9
check "del-port BRIDGE PORT" vsctl del-port br0 p1
check "del-port PORT of a bond" vsctl del-port bond0
check_exact "the ports are gone" "p0" vsctl list-ports br0
check_error "their interfaces are gone too" "no interface named e1" \
    vsctl iface-to-br e1
check "an interface name is free again once its port is gone" \
    vsctl add-port br1 e1 -- del-port br1 e1
if $have_client; then
    check_exact "no Port or Interface rows are left behind" "4 4" \
        eval 'echo $(count_rows Port) $(count_rows Interface)'
else
    skip "no Port or Interface rows are left behind" \
        "ovsdb-client is not installed (package openvswitch-common)"
fi

# del-br.
check_error "del-br of a missing bridge fails" "no bridge named br9" \
    vsctl del-br br9
check_same "--if-exists del-br of a missing bridge does nothing" \
    vsctl --if-exists del-br br9
check "add-port to br1, then del-br br1" \
    eval "vsctl add-port br1 p11 && vsctl del-br br1"
check_exact "del-br removes the bridge" "br0
br2" vsctl list-br
check_error "del-br removes the bridge's ports" "no port named p11" \
    vsctl port-to-br p11
check_error "del-br removes the bridge's interfaces" \
    "no interface named br1" vsctl iface-to-br br1
if $have_client; then
    check_exact "del-br leaves no rows behind" "2 3 3" \
        eval 'echo $(count_rows Bridge) $(count_rows Port) \
              $(count_rows Interface)'
else
    skip "del-br leaves no rows behind" \
        "ovsdb-client is not installed (package openvswitch-common)"
fi

# Chains.
check "add-br br3 -- add-port br3 p31 -- add-port br3 p32" \
    vsctl add-br br3 -- add-port br3 p31 -- add-port br3 p32
check_exact "the chain's bridge has both ports" "p31
p32" vsctl list-ports br3
check_exact "later commands of a chain see earlier ones" "br3
p31
p32
p41" vsctl add-port br3 p41 -- port-to-br p41 -- list-ports br3 -- \
    del-port p31 -- del-port p32
check_error "a chain whose last command fails changes nothing" \
    "no bridge named br9" \
    vsctl add-br br4 -- add-port br4 p42 -- add-port br9 p43
check_fails "its first command's bridge does not exist" 2 \
    vsctl br-exists br4
check_error "a chain whose middle command fails changes nothing" \
    "a bridge named br3 already exists" \
    vsctl del-port p41 -- add-br br3 -- add-br br5
check_exact "del-br and add-br of one name in one chain" "" \
    vsctl del-br br3 -- add-br br3 -- list-ports br3
check_exact "a chain that adds and removes a port" "" \
    vsctl add-port br3 tmp -- del-port br3 tmp -- list-ports br3
check "br-exists in a chain after add-br" \
    vsctl add-br br6 -- br-exists br6 -- del-br br6

# show with more columns, and emer-reset (written with ovsdb-client, since
# they are columns these commands do not set).
if $have_client; then
    check "set columns of the bridge, a port and an interface" \
        vsctl add-port br0 p5 -- add-bond br0 bond5 e51 e52
    check_output "with ovsdb-client" '"count"' tx \
'{"op":"insert","table":"Controller","row":{"target":"tcp:127.0.0.1:6653"},"uuid-name":"c"}' \
'{"op":"insert","table":"Manager","row":{"target":"ptcp:6640"},"uuid-name":"m"}' \
'{"op":"insert","table":"Queue","row":{"dscp":1},"uuid-name":"q"}' \
'{"op":"insert","table":"QoS","row":{"type":"x","queues":["map",[[0,["named-uuid","q"]]]]},"uuid-name":"s"}' \
'{"op":"update","table":"Bridge","where":[["name","==","br0"]],"row":{"fail_mode":"secure","controller":["named-uuid","c"],"other_config":["map",[["hwaddr","02:00:00:00:00:01"],["flood","no"]]]}}' \
'{"op":"update","table":"Port","where":[["name","==","p5"]],"row":{"tag":10,"vlan_mode":"native-untagged","trunks":["set",[20,30]],"qos":["named-uuid","s"],"other_config":["map",[["k","v"]]]}}' \
'{"op":"update","table":"Port","where":[["name","==","bond5"]],"row":{"bond_mode":"balance-slb","lacp":"passive","external_ids":["map",[["mine","yes"]]]}}' \
'{"op":"update","table":"Interface","where":[["name","==","p5"]],"row":{"type":"dpdkvhostuserclient","options":["map",[["vhost-server-path","/tmp/vm 1.sock"]]],"error":"could not open it","ingress_policing_rate":100,"ingress_policing_burst":10}}' \
'{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["manager_options","insert",["named-uuid","m"]]]}' \
'{"op":"update","table":"Open_vSwitch","where":[],"row":{"ovs_version":"1.2.3"}}'
    check_exact "show prints the columns that are set" \
"    Manager ptcp:6640
    Bridge br0
        Controller tcp:127.0.0.1:6653
        fail_mode: secure
        Port bond5
            bond_mode: balance-slb
            lacp: passive
            Interface e51
            Interface e52
        Port br0
            Interface br0
                type: internal
        Port p0
            Interface p0
        Port p5
            tag: 10
            vlan_mode: native-untagged
            trunks: [20, 30]
            Interface p5
                type: dpdkvhostuserclient
                options: {vhost-server-path=\"/tmp/vm 1.sock\"}
                error: \"could not open it\"
    Bridge br2
        Port br2
            Interface br2
                type: internal
    Bridge br3
        Port br3
            Interface br3
                type: internal
    ovs_version: \"1.2.3\"" show_body

    check "emer-reset" vsctl emer-reset
    check_exact "emer-reset keeps the bridges, ports and interfaces" "bond5
p0
p5" vsctl list-ports br0
    check_exact "emer-reset deletes controllers, managers, QoS, queues" \
        "0 0 0 0" eval 'echo $(count_rows Controller) $(count_rows Manager) \
                        $(count_rows QoS) $(count_rows Queue)'
    check_output "emer-reset clears fail_mode" '"fail_mode":\["set",\[\]\]' \
        get_column Bridge br0 fail_mode
    check_output "emer-reset keeps only other_config:hwaddr of a bridge" \
        '"other_config":\["map",\[\["hwaddr","02:00:00:00:00:01"\]\]\]' \
        get_column Bridge br0 other_config
    check_output "emer-reset clears a port's other_config" \
        '"other_config":\["map",\[\]\]' get_column Port p5 other_config
    check_output "emer-reset keeps a port's tag" '"tag":10' \
        get_column Port p5 tag
    check_output "emer-reset keeps external_ids" '"mine","yes"' \
        get_column Port bond5 external_ids
    check_output "emer-reset zeroes the ingress policing rate" \
        '"ingress_policing_rate":0' get_column Interface p5 ingress_policing_rate
    check_output "emer-reset zeroes the ingress policing burst" \
        '"ingress_policing_burst":0' \
        get_column Interface p5 ingress_policing_burst
    check_same "emer-reset again changes nothing" vsctl emer-reset
    check "del-port p5 -- del-port bond5" vsctl del-port p5 -- del-port bond5
else
    skip "show with more columns and emer-reset" \
        "ovsdb-client is not installed (package openvswitch-common)"
fi

# Many clients at once: ten processes each add 100 ports to one bridge in
# one chain, then ten more each add 10 ports one command at a time.  Every
# conflict must be retried, none lost.
check "add-br brc" vsctl add-br brc
pids=()
for i in $(seq 0 9); do
    args=()
    for j in $(seq 0 99); do
        args+=(-- add-port brc "c$i-$j")
    done
    vsctl "${args[@]:1}" >"$TESTDIR/c$i.out" 2>&1 &
    pids+=($!)
done
failures=0
for pid in "${pids[@]}"; do
    wait "$pid" || failures=$((failures + 1))
done
if [ "$failures" -eq 0 ]; then
    ok "ten concurrent chains of 100 add-port all succeed"
else
    not_ok "ten concurrent chains of 100 add-port all succeed"
    echo "# $failures failed"
    cat "$TESTDIR"/c*.out | sort | uniq -c | head -n 20 | sed 's/^/#   /'
fi
vsctl list-ports brc >"$TESTDIR/ports" 2>&1
check_exact "all 1,000 ports are on the bridge" "1000" \
    eval "wc -l <'$TESTDIR/ports'"
check_exact "no port is listed twice" "" \
    eval "sort '$TESTDIR/ports' | uniq -d"
check_exact "each is the one expected" "" \
    eval "for i in \$(seq 0 9); do for j in \$(seq 0 99); do
              echo c\$i-\$j; done; done | sort |
          comm -3 - <(sort '$TESTDIR/ports')"

pids=()
for i in $(seq 0 9); do
    (
        for j in $(seq 0 9); do
            vsctl add-port brc "d$i-$j" || exit 1
        done
    ) >"$TESTDIR/d$i.out" 2>&1 &
    pids+=($!)
done
failures=0
for pid in "${pids[@]}"; do
    wait "$pid" || failures=$((failures + 1))
done
if [ "$failures" -eq 0 ]; then
    ok "100 add-port commands from ten concurrent loops all succeed"
else
    not_ok "100 add-port commands from ten concurrent loops all succeed"
    echo "# $failures loops failed"
    cat "$TESTDIR"/d*.out | sort | uniq -c | head -n 20 | sed 's/^/#   /'
fi
check_exact "all 1,100 ports are there, each once" "1100 1100" \
    eval 'echo $(vsctl list-ports brc | sort -u | wc -l) \
               $(vsctl list-ports brc | wc -l)'
if $have_client; then
    check_exact "the Port table has no strays" "1105" count_rows Port
else
    skip "the Port table has no strays" \
        "ovsdb-client is not installed (package openvswitch-common)"
fi
check "del-br of the big bridge" vsctl del-br brc
check_exact "and everything of it is gone" "br0
br2
br3" vsctl list-br

finish
