#!/bin/bash
# skiff-vsctl's database commands against skiff-dbd: list, find, get, set,
# add, remove, clear, create, destroy and wait-until; the value syntax
# (quoted strings, sets, maps, @names across a "--" chain); table, record
# and column names (abbreviations, ".", uuids); the output formats; and
# errors that name the bad value and leave the database as it was.

. "$srcdir/tests/integration/lib.sh"

schema=$srcdir/vswitchd/vswitch.schema.json
sock=unix:$TESTDIR/db.sock

vsctl() {
    skiff-vsctl --db="$sock" --no-wait --timeout=60 "$@"
}

# check_error DESC PATTERN ARG...: "skiff-vsctl ARG..." exits 1 with a
# message matching PATTERN.
check_error() {
    local desc=$1 pattern=$2
    shift 2
    check_fails "$desc" 1 vsctl "$@"
    if ! printf '%s\n' "$LAST_OUTPUT" | grep -Eq -- "$pattern"; then
        not_ok "$desc: the message names the problem"
        echo "# wanted a message matching: $pattern"
        printf '%s\n' "$LAST_OUTPUT" | sed 's/^/#   /'
    fi
}

# check_same DESC EXPECTED ARG...: "skiff-vsctl ARG..." succeeds and
# prints exactly EXPECTED.
check_same() {
    local desc=$1 want=$2
    shift 2
    local out rc
    out=$(vsctl "$@" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
        ok "$desc"
    else
        not_ok "$desc"
        echo "# command: skiff-vsctl $* (exit $rc), wanted:"
        printf '%s\n' "$want" | sed 's/^/#   /'
        echo "# got:"
        printf '%s\n' "$out" | sed 's/^/#   /'
    fi
}

start_daemon dbd skiff-dbd --db="$TESTDIR/conf.db" --schema="$schema" \
    --remote="punix:$TESTDIR/db.sock" --pidfile --log-file="$TESTDIR/dbd.log"
check "skiff-dbd starts" wait_for "skiff-dbd" 10 test -S "$TESTDIR/db.sock"
check "init" vsctl init

# A bridge, and a port and interface made with @names across a chain, the
# interface named before the command that creates it.
check "add-br br0" vsctl add-br br0
check "create a port and interface with @names, add them to br0" \
    vsctl -- --id=@p create Port name=p1 interfaces=@i \
    -- --id=@i create Interface name=p1 -- add Bridge br0 ports @p
check_same "the port is on the bridge" "p1" get Interface p1 name
p1_uuid=$(vsctl get Port p1 _uuid)
check_output "the bridge's ports include the new port" "$p1_uuid" \
    vsctl get Bridge br0 ports
check_output "create with --id prints the new row's uuid too" \
    '^[0-9a-f]{8}-[0-9a-f]{4}-' vsctl -- --id=@x create Queue dscp=2
check_output "create prints the new row's uuid" \
    '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' \
    vsctl create Queue dscp=1

# Names: abbreviated tables, "-" for "_", ".", uuids and their prefixes.
check_same "\"br\" is Bridge" "br0" get br br0 name
check_same "\"int\" is Interface" "p1" get int p1 name
check_same "\"o\" . is the Open_vSwitch row" "0" get o . next_cfg
check_same "table names ignore case" "br0" get BRIDGE br0 name
check_same "\"other-config\" names other_config" "{}" \
    get Bridge br0 other-config
check_same "a record by uuid" "p1" get Port "$p1_uuid" name
check_same "a record by a uuid prefix" "p1" get Port "${p1_uuid:0:8}" name
check_error "an ambiguous table name is refused" 'more than one table' \
    get m x name
check_error "an unknown table is named" 'no table named "Nope"' \
    list Nope
check_error "a missing record is named" 'no row "br9" in table Bridge' \
    get Bridge br9 name
check_error "an unknown column is named" 'no column .*"nope"' \
    get Bridge br0 nope

# set and get, scalars, sets and maps.
check "set a scalar, a set and map keys" \
    vsctl set Port p1 tag=5 trunks=[1,2,3] external_ids:vm=web \
    'external-ids:"a b"="x, y"'
check_same "get prints each value on a line" \
    "$(printf '5\n[1, 2, 3]\nweb\n"x, y"')" \
    get Port p1 tag trunks external_ids:vm 'external_ids:"a b"'
check_same "a whole map" '{"a b"="x, y", vm=web}' get Port p1 external_ids
check "set a whole map and a quoted string with escapes" \
    vsctl set Interface p1 'options={remote_ip="10.0.0.1", key=flow}' \
    'external_ids:d="tab\there"'
check_same "the map reads back" '{key=flow, remote_ip="10.0.0.1"}' \
    get Interface p1 options
check_same "the escapes were decoded" '"tab\there"' \
    get Interface p1 external_ids:d
check "set a boolean and an integer" \
    vsctl set Bridge br0 stp_enable=true -- set Interface p1 mtu_request=9000
check_same "they read back" "$(printf 'true\n9000')" \
    get Bridge br0 stp_enable -- get Interface p1 mtu_request
check "an empty set clears an optional column" vsctl set Port p1 tag=[]
check_same "the tag is empty" "[]" get Port p1 tag
check "set the tag again" vsctl set Port p1 tag=5

# get's options.
check_same "get --if-exists: a missing key prints nothing" "" \
    -- --if-exists get Port p1 external_ids:none
check_same "get --if-exists: a missing record prints nothing" "" \
    -- --if-exists get Port nope name
check_error "get: a missing key is an error naming it" 'no key none' \
    get Port p1 external_ids:none
check "get --id names a row for later commands" \
    vsctl -- --id=@p get Port p1 -- --id=@m create Mirror name=m1 \
    select_src_port=@p -- add Bridge br0 mirrors @m
check_same "the @name stood for the port's uuid" "[$p1_uuid]" \
    get Mirror m1 select_src_port

# add, remove, clear.
check "add set elements and map pairs" \
    vsctl add Port p1 trunks 4 [5,6] -- add Port p1 external_ids vm=no k=v
check_same "added, and an existing key keeps its value" \
    "$(printf '[1, 2, 3, 4, 5, 6]\nweb\nv')" \
    get Port p1 trunks external_ids:vm external_ids:k
check "remove set elements, map keys and pairs" \
    vsctl remove Port p1 trunks 1 [2,3] -- \
    remove Port p1 external_ids vm k=other '"a b"'
check_same "removed; a pair with another value stays" \
    "$(printf '[4, 5, 6]\n{k=v}')" get Port p1 trunks external_ids
check "clear columns" vsctl clear Port p1 trunks external_ids
check_same "they are empty" "$(printf '[]\n{}')" \
    get Port p1 trunks external_ids
check_error "a column that must hold a value cannot be cleared" \
    'interfaces.*at least 1' clear Port p1 interfaces
check_error "add past a column's maximum is refused" 'tag' \
    add Port p1 tag 6

# find, with each kind of operator.
check "a second port" \
    vsctl -- --id=@i create Interface name=p2 type=internal \
    -- --id=@p create Port name=p2 interfaces=@i tag=7 trunks=[1,2] \
    -- add Bridge br0 ports @p
check_same "find =" "p1" --bare --columns=name find Port tag=5
check_same "find !=" "$(printf 'br0\n\np2')" \
    --bare --columns=name find Port tag!=5
check_same "find < and >= together" "p2" \
    --bare --columns=name find Port 'tag>=6' 'tag<8'
check_same "find {>=} (superset)" "p2" \
    --bare --columns=name find Port 'trunks{>=}[2]'
check_same "find {<} (proper subset)" "$(printf 'br0\n\np1')" \
    --bare --columns=name find Port 'trunks{<}[1,2]'
check_same "find by map key" "p2" --bare --columns=name \
    find Interface options:key!=flow type=internal name!=br0
check_same "find with no match prints nothing" "" find Port tag=99
check_error "find: a condition without an operator" \
    'expected COLUMN' find Port tag

# Output formats.
check_same "list: column : value lines" \
    "$(printf '%-20s: %s\n%-20s: %s' name p2 tag 7)" \
    --columns=name,tag list Port p2
check_same "list several records, a blank line between" \
    "$(printf '%-20s: p1\n\n%-20s: p2' name name)" \
    --columns=name list Port p1 p2
check_same "--columns on the command" "$(printf '%-20s: p2' name)" \
    -- --columns=name list Port p2
check_same "table format" \
    "$(printf 'name tag trunks\n---- --- ------\np2   7   [1, 2]')" \
    --format=table --columns=name,tag,trunks list Port p2
json_data='"data":[["p2",7,["set",[1,2]],["map",[]]]]'
json_headings='"headings":["name","tag","trunks","external_ids"]'
check_same "json format" "{$json_data,$json_headings}" \
    --format=json --columns=name,tag,trunks,external_ids list Port p2
check_same "csv format" \
    "$(printf 'name,trunks\np2,"[1, 2]"')" \
    --format=csv --columns=name,trunks list Port p2
check_same "--bare: values only" "$(printf 'p2\n1 2')" \
    --bare --columns=name,trunks list Port p2
check_output "list without records lists every row" 'p1' \
    vsctl list Interface

# create, destroy.
check "create rows that refer to each other" \
    vsctl -- create QoS type=linux-htb 'queues={0=@q}' \
    other_config:max-rate=1000000 -- --id=@q create Queue dscp=10
queue=$(vsctl --bare --columns=_uuid find Queue dscp=10)
check_same "the QoS refers to the queue" "0=$queue" \
    --bare --columns=queues list QoS
check_output "a QoS row exists" 'linux-htb' vsctl --columns=type list QoS
check_error "destroy a referenced queue: refused" '.' destroy Queue "$queue"
check "destroy --all QoS" vsctl -- --all destroy QoS
check_same "no QoS left" "" list QoS
check "destroy --if-exists a missing record" \
    vsctl -- --if-exists destroy QoS nope
check_error "destroy a missing record" 'no row "nope" in table QoS' \
    destroy QoS nope

# wait-until returns at once when its conditions hold, waits while they
# do not, and gives up at --timeout.
check "wait-until: conditions that hold" \
    vsctl wait-until Port p2 tag=7 'trunks{>=}[1]'
check_error "wait-until: a condition that never holds times out" \
    'timed out: tag=8 does not hold' --timeout=1 wait-until Port p2 tag=8
check_error "wait-until: a record that never appears times out" \
    'timed out: no row "p9"' --timeout=1 wait-until Port p9
vsctl wait-until Port p2 tag=8 >"$TESTDIR/wait.out" 2>&1 &
waiter=$!
started_pids+=("$waiter")
sleep 0.5
check "wait-until: still waiting while the condition does not hold" \
    kill -0 "$waiter"
check "another client makes it hold" vsctl set Port p2 tag=8
check "wait-until then returns" wait_exit "$waiter" 20
wait "$waiter"
check_output "... with status 0" '^0$' echo $?
check "restore the tag" vsctl set Port p2 tag=7

# Without --no-wait a change waits for skiff-vswitchd to report, in
# cur_cfg, that it applied next_cfg.  A stand-in plays skiff-vswitchd.
nowait() { skiff-vsctl --db="$sock" --timeout=20 "$@"; }
check_fails "with no switch to apply it, a change times out" 1 \
    nowait --timeout=1 set Bridge br0 external_ids:waited=1
check_output "... saying what it waited for" 'skiff-vswitchd' \
    echo "$LAST_OUTPUT"
check_output "... but the change itself was committed" '^"?1"?$' \
    vsctl get Bridge br0 external_ids:waited
stand_in() {
    while :; do
        local next
        next=$(vsctl get Open_vSwitch . next_cfg 2>/dev/null) &&
            vsctl set Open_vSwitch . cur_cfg="$next" >/dev/null 2>&1
        sleep 0.1
    done
}
stand_in &
stand_in_pid=$!
started_pids+=("$stand_in_pid")
check "with a switch applying changes, a change returns" \
    nowait set Bridge br0 external_ids:waited=2
check_output "... once cur_cfg caught up with next_cfg" '^true$' \
    bash -c "[ \"\$(skiff-vsctl --db='$sock' get Open_vSwitch . cur_cfg)\" -ge \
              \"\$(skiff-vsctl --db='$sock' get Open_vSwitch . next_cfg)\" ] && echo true"
kill "$stand_in_pid"
wait "$stand_in_pid" 2>/dev/null
check_output "read-only commands never wait" 'br0' \
    skiff-vsctl --db="$sock" --timeout=5 list-br

# Errors name the bad value and change nothing.
before=$(vsctl list Port p1 -- list Interface p1)
check_error "out of range" 'tag: 5000 is greater than the maximum' \
    set Port p1 tag=5000
check_error "not an integer" 'tag: "abc" is not an integer' \
    set Port p1 tag=abc
check_error "not one of the allowed values" 'vlan_mode: "bogus"' \
    set Port p1 vlan_mode=bogus
check_error "an immutable column" 'column name of table Port is immutable' \
    set Port p1 name=p9
check_error "an unknown @name inside a chain" '.' \
    set Port p1 tag=6 -- add Bridge br0 ports @nope
check_error "a string without its closing quote" 'closing quote' \
    set Port p1 'external_ids:x="abc'
check_error "a set without its closing bracket" 'expected' \
    set Port p1 'trunks=[1,2'
check_error "a map value where a set belongs" 'trunks' \
    set Port p1 'trunks={1=2}'
check_error "a key on a column that is not a map" 'not a map' \
    set Port p1 tag:x=1
check_error "a later failure undoes earlier commands" 'tag: 5000' \
    set Port p1 tag=6 -- set Port p1 tag=5000
check_same "the database is as it was" "$before" \
    list Port p1 -- list Interface p1

# Usage errors exit 2.
check_fails "an unknown command" 2 vsctl frobnicate
check_fails "too few arguments" 2 vsctl get Port
check_fails "an option the command does not take" 2 \
    vsctl -- --may-exist set Port p1 tag=1

finish
