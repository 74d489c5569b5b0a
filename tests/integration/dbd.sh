#!/bin/bash
# skiff-dbd against the standard OVSDB client (ovsdb-client): the
# protocol, transactions and their errors, monitors, waits, restarts,
# compaction, bad input and many clients.

. "$srcdir/tests/integration/lib.sh"

if ! command -v ovsdb-client >/dev/null; then
    skip "skiff-dbd with ovsdb-client" \
        "ovsdb-client is not installed (package openvswitch-common)"
    finish
fi

schema=$srcdir/vswitchd/vswitch.schema.json
db=$TESTDIR/conf.db
sock=unix:$TESTDIR/db.sock
log=$TESTDIR/dbd.log

# start_dbd DESC: starts skiff-dbd (in this shell, so that it is stopped
# at exit) and checks that it answers.
start_dbd() {
    start_daemon dbd skiff-dbd --db="$db" --schema="$schema" \
        --remote="punix:$TESTDIR/db.sock" --remote=ptcp:0:127.0.0.1 \
        --pidfile --log-file="$log"
    dbd=$DAEMON_PID
    check "$1" wait_for "skiff-dbd" 10 ovsdb-client list-dbs "$sock"
}

# count_rows TABLE: how many rows TABLE has.
count_rows() {
    tx "{\"op\":\"select\",\"table\":\"$1\",\"where\":[],\"columns\":[\"_uuid\"]}" |
        grep -o '"_uuid"' | wc -l
}

# tx JSON...: runs one transaction of the given operations.
tx() {
    local ops
    ops=$(IFS=,; echo "$*")
    ovsdb-client transact "$sock" "[\"Open_vSwitch\",$ops]"
}

start_dbd "skiff-dbd starts and creates the database"
check_output "list_dbs names the database" '^Open_vSwitch$' \
    ovsdb-client list-dbs "$sock"
version=$(sed -n 's/^ *"version": *"\([0-9.]*\)".*/\1/p' "$schema" | head -n 1)
check_output "get_schema returns the schema's version ($version)" \
    "^$(printf '%s' "$version" | sed 's/\./\\./g')\$" \
    ovsdb-client get-schema-version "$sock"
check_output "the served schema lists the tables" 'Interface' \
    ovsdb-client list-tables "$sock"
check_output "echo is answered" '.' \
    ovsdb-client transact "$sock" '["Open_vSwitch"]'

# A bridge with a port and an interface, all referring to each other.
bridge_ops='{"op":"insert","table":"Interface","row":{"name":"eth0"},"uuid-name":"i"},
{"op":"insert","table":"Port","row":{"name":"eth0","interfaces":["named-uuid","i"]},"uuid-name":"p"},
{"op":"insert","table":"Bridge","row":{"name":"br0","ports":["named-uuid","p"]},"uuid-name":"b"},
{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["named-uuid","b"]]]}'
check_output "insert the root row" '"uuid"' \
    tx '{"op":"insert","table":"Open_vSwitch","row":{"next_cfg":1}}'
check_output "insert a bridge, port and interface by named uuids" \
    '\{"count":1\}\]$' tx "$bridge_ops"
check_output "select finds the bridge" '"name":"br0"' \
    tx '{"op":"select","table":"Bridge","where":[["name","==","br0"]],"columns":["name"]}'

# Errors name what is wrong and change nothing.
check_output "a value out of range is a constraint violation" \
    '5000 is greater than the maximum.*constraint violation' \
    tx '{"op":"update","table":"Port","where":[],"row":{"tag":5000}}'
check_output "two bridges with one name violate the index" \
    'constraint violation' tx "$bridge_ops"
check_output "a reference to no row is refused" \
    'referential integrity violation' \
    tx '{"op":"update","table":"Bridge","where":[],"row":{"ports":["uuid","4a6f6e61-7468-416e-8e4a-6f6e6174680a"]}}'
check_output "an unknown table is named" 'no table named \\"Nope\\"' \
    tx '{"op":"select","table":"Nope","where":[]}'
check_output "an immutable column cannot be updated" \
    'constraint violation' \
    tx '{"op":"update","table":"Bridge","where":[],"row":{"name":"x"}}'
check_output "abort aborts" '"error":"aborted"' \
    tx '{"op":"insert","table":"Bridge","row":{"name":"brx"}}' '{"op":"abort"}'
check_fails "an unknown database is refused" 1 \
    ovsdb-client transact "$sock" '["Nope",{"op":"comment","comment":"x"}]'
check_output "... by name" 'no database named ."Nope' echo "$LAST_OUTPUT"
check_output "nothing was changed by the failures" '^1 1 1$' \
    echo $(count_rows Bridge) $(count_rows Port) $(count_rows Interface)

# Garbage collection: the port and interface go with the bridge.
check "removing the bridge from the root row" \
    tx '{"op":"update","table":"Open_vSwitch","where":[],"row":{"bridges":["set",[]]}}'
check_output "the unreferenced bridge, port and interface are gone" \
    '^0 0 0$' echo $(count_rows Bridge) $(count_rows Port) \
    $(count_rows Interface)

# Monitors: a second client sees the first one's changes.
mon=$TESTDIR/monitor.out
ovsdb-client monitor "$sock" Open_vSwitch Open_vSwitch next_cfg \
    >"$mon" 2>&1 &
started_pids+=("$!")
check "the monitor gets the initial row" \
    wait_for "initial row" 10 grep -q initial "$mon"
check "an update by another client" \
    tx '{"op":"update","table":"Open_vSwitch","where":[],"row":{"next_cfg":2}}'
check "... reaches the monitor as a modification" \
    wait_for "modify" 10 grep -q 'new .* 2$' "$mon"

# Waits.
check_output "a wait that cannot hold in time times out" '"timed out"' \
    tx '{"op":"wait","table":"Open_vSwitch","where":[],"columns":["next_cfg"],"until":"==","rows":[{"next_cfg":3}],"timeout":0}'
out=$TESTDIR/wait.out
ovsdb-client transact "$sock" '["Open_vSwitch",{"op":"wait","table":"Open_vSwitch","where":[],"columns":["next_cfg"],"until":"==","rows":[{"next_cfg":3}]},{"op":"update","table":"Open_vSwitch","where":[],"row":{"cur_cfg":3}}]' >"$out" 2>&1 &
waiter=$!
started_pids+=("$waiter")
sleep 0.5
check "a wait without a timeout is still waiting" kill -0 "$waiter"
check "the awaited change is committed" \
    tx '{"op":"update","table":"Open_vSwitch","where":[],"row":{"next_cfg":3}}'
check "the waiting transaction then completes" wait_exit "$waiter" 10
check_output "... and commits its own change" '"cur_cfg":3' \
    tx '{"op":"select","table":"Open_vSwitch","where":[],"columns":["cur_cfg"]}'

# Many clients at once.
for i in $(seq 50); do
    tx "{\"op\":\"mutate\",\"table\":\"Open_vSwitch\",\"where\":[],\"mutations\":[[\"external_ids\",\"insert\",[\"map\",[[\"client$i\",\"$i\"]]]]]}" \
        >"$TESTDIR/client$i.out" 2>&1 &
    clients+=("$!")
done
failed=0
for pid in "${clients[@]}"; do
    wait "$pid" || failed=$((failed + 1))
done
check_output "50 concurrent clients all commit" '^0$' echo "$failed"
check_output "... and all 50 changes are there" '^50$' \
    bash -c "ovsdb-client transact '$sock' '[\"Open_vSwitch\",{\"op\":\"select\",\"table\":\"Open_vSwitch\",\"where\":[],\"columns\":[\"external_ids\"]}]' | grep -o 'client[0-9]*' | sort -u | wc -l"

# Bad input: the server answers or drops that client, and stays up.
port=$(skiff-appctl -t skiff-dbd db/status | sed -n 's/^listening: ptcp:\([0-9]*\):.*/\1/p')
send_raw() {
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf '%s' "$1" >&3
    timeout 5 cat <&3 >"$TESTDIR/raw.out"
    exec 3>&-
}
deep=$(printf '[%.0s' $(seq 100))
check "garbage is sent" send_raw '{"method":"list_dbs",'
check "deeply nested JSON is sent" send_raw "{\"method\":\"echo\",\"params\":$deep"
check "a wrong-typed request is sent" \
    send_raw '{"method":"transact","params":[5,{"op":7}],"id":1}'
check_output "... and answered with an error" '"error"' cat "$TESTDIR/raw.out"
check "a huge string is sent" \
    send_raw "{\"method\":\"echo\",\"params\":[\"$(head -c 2000000 /dev/zero | tr '\0' x)\"],\"id\":2}"
check_output "the server still serves" '^Open_vSwitch$' \
    ovsdb-client list-dbs "$sock"

# Durability: a clean restart and a crash keep every committed change.
check "skiff-dbd exits on SIGTERM" kill -TERM "$dbd"
check "... promptly" wait_exit "$dbd" 10
start_dbd "skiff-dbd restarts on the same file"
check_output "the data survived the restart" '"next_cfg":3' \
    tx '{"op":"select","table":"Open_vSwitch","where":[],"columns":["next_cfg"]}'

committed=$TESTDIR/committed
: >"$committed"
writer() {
    local i
    for i in $(seq 1000); do
        while :; do
            if tx "{\"op\":\"mutate\",\"table\":\"Open_vSwitch\",\"where\":[],\"mutations\":[[\"other_config\",\"insert\",[\"map\",[[\"k$i\",\"v\"]]]]]}" \
                    2>/dev/null | grep -q '^\[{"count":1}\]$'; then
                echo "k$i" >>"$committed"
                break
            fi
            sleep 0.05
        done
    done
}
writer &
writer_pid=$!
started_pids+=("$writer_pid")
for round in 1 2 3; do
    sleep "$((RANDOM % 3 + 1)).$((RANDOM % 10))"
    kill -KILL "$dbd"
    wait "$dbd" 2>/dev/null
    start_dbd "skiff-dbd restarts after kill -9 ($round)"
done
check "the writer finishes across three crashes" wait_exit "$writer_pid" 300
lost=0
have=$(tx '{"op":"select","table":"Open_vSwitch","where":[],"columns":["other_config"]}' |
       grep -o '"k[0-9]*"' | tr -d '"' | sort -u)
while read -r k; do
    grep -qx "$k" <<<"$have" || lost=$((lost + 1))
done <"$committed"
check_output "every change the client saw committed is there" '^0$' \
    echo "$lost"
check_output "1,000 changes were committed" '^1000$' \
    bash -c "sort -u '$committed' | wc -l"

size_before=$(stat -c %s "$db")
check "db/compact" skiff-appctl -t skiff-dbd db/compact
size_after=$(stat -c %s "$db")
check_output "compaction shrinks the file" '^yes$' \
    bash -c "[ $size_after -lt $size_before ] && echo yes"
kill -TERM "$dbd"
wait_exit "$dbd" 10
start_dbd "skiff-dbd restarts on the compacted file"
check_output "the data survived compaction" '^1000$' \
    bash -c "ovsdb-client transact '$sock' '[\"Open_vSwitch\",{\"op\":\"select\",\"table\":\"Open_vSwitch\",\"where\":[],\"columns\":[\"other_config\"]}]' | grep -o '\"k[0-9]*\"' | sort -u | wc -l"
check_output "db/status counts the rows" 'rows in Open_vSwitch: 1' \
    skiff-appctl -t skiff-dbd db/status

# ovs-vsctl, the standard command-line client, works against skiff-dbd.
if command -v ovs-vsctl >/dev/null; then
    ovs() { timeout 20 ovs-vsctl --db="$sock" --no-wait "$@"; }
    check "ovs-vsctl: init, a bridge and a port in one transaction" \
        ovs init -- add-br ovsbr -- add-port ovsbr ovsp1 tag=9
    check_output "ovs-vsctl: list-ports" '^ovsp1$' ovs list-ports ovsbr
    check_output "ovs-vsctl: --id create prints the row's uuid" \
        '^[0-9a-f]{8}-' ovs -- --id=@q create Queue dscp=3
    check_output "ovs-vsctl: show" 'tag: 9' ovs show
    check "ovs-vsctl: del-br" ovs del-br ovsbr
    check_output "... leaves no port or interface behind" \
        '^0 0$' echo $(count_rows Port) $(count_rows Interface)
else
    skip "ovs-vsctl against skiff-dbd" \
        "ovs-vsctl is not installed (package openvswitch-switch)"
fi

# TLS: clients must present a certificate the CA signed.
if command -v openssl >/dev/null; then
    make_ca ca && make_cert server ca && make_cert client ca &&
        make_ca rogue && make_cert intruder rogue
    start_daemon dbd-tls skiff-dbd --db="$TESTDIR/tls.db" \
        --schema="$schema" --remote=pssl:0:127.0.0.1 --ctl=tls.ctl \
        --log-file="$TESTDIR/tls.log" $(creds server ca)
    check "skiff-dbd listens on pssl" \
        wait_for "pssl" 10 skiff-appctl -t "$TESTDIR/tls.ctl" db/status
    tls_port=$(skiff-appctl -t "$TESTDIR/tls.ctl" db/status |
               sed -n 's/^listening: pssl:\([0-9]*\):.*/\1/p')
    check_output "ovsdb-client with a trusted certificate is served" \
        '^Open_vSwitch$' ovsdb-client -p "$pki/client-key.pem" \
        -c "$pki/client-cert.pem" -C "$pki/ca-cert.pem" \
        list-dbs "ssl:127.0.0.1:$tls_port"
    check_fails "a client with a certificate from another CA is refused" 1 \
        timeout 10 ovsdb-client -p "$pki/intruder-key.pem" \
        -c "$pki/intruder-cert.pem" -C "$pki/ca-cert.pem" \
        list-dbs "ssl:127.0.0.1:$tls_port"
else
    skip "skiff-dbd over TLS" "the openssl command is not installed"
fi

# A bad command line: exit status 2, naming the bad value.
check_fails "a --remote that is not a listener is a usage error" 2 \
    skiff-dbd --db="$TESTDIR/u.db" --remote=tcp:127.0.0.1:1 --ctl=none
check_output "... naming it" '"tcp:127\.0\.0\.1:1"' echo "$LAST_OUTPUT"
check_fails "a stray argument is a usage error" 2 skiff-dbd stray
check_output "... naming it" '"stray"' echo "$LAST_OUTPUT"
check_fails "an unknown option is a usage error" 2 skiff-dbd --bogus
check_fails "... and creates no database" 1 test -e "$TESTDIR/u.db"
check_output "--help describes the options and exits 0" '--remote=REMOTE' \
    skiff-dbd --help
check_output "--version names the program" '^skiff-dbd \(Skiff\) ' \
    skiff-dbd --version

cp "$schema" "$TESTDIR/not-a-db"
check_fails "a file that is not a database is refused" 1 \
    skiff-dbd --db="$TESTDIR/not-a-db" --remote=punix:"$TESTDIR/x.sock" \
    --ctl=none
check_output "... saying so" 'not a Skiff database' echo "$LAST_OUTPUT"
check "... and left as it was" cmp "$schema" "$TESTDIR/not-a-db"

finish
