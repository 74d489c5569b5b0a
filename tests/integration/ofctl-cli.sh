#!/bin/bash
# skiff-ofctl's command line: usage errors exit 2 and name the bad
# argument; a bad flow exits 1 naming the token and its column before any
# daemon is contacted; good flows are sent.  (skiff-ofctl against a real
# switch is tested by the ofproto-*.sh scripts.)

. "$srcdir/tests/integration/lib.sh"

# A target that cannot be reached: reaching for it fails with "cannot
# connect", so any other error shows that skiff-ofctl did not try.
nowhere="unix:$TESTDIR/nobody.sock"
ofctl() { skiff-ofctl -t "$nowhere" -T 5 "$@"; }

# check_error DESC STATUS PATTERN COMMAND...: COMMAND exits STATUS, its
# output matches PATTERN (extended regex), and it never tried to connect.
check_error() {
    local desc=$1 want=$2 pattern=$3
    shift 3
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq "$want" ] \
            && printf '%s\n' "$out" | grep -Eq -- "$pattern" \
            && ! printf '%s\n' "$out" | grep -q "cannot connect"; then
        ok "$desc"
    else
        not_ok "$desc"
        echo "# command: $* (exit $rc, wanted $want and: $pattern)"
        printf '%s\n' "$out" | sed 's/^/#   /'
    fi
}

check_output "--help lists the commands" 'dump-flows BRIDGE \[FLOW\]' \
    skiff-ofctl --help
check_output "--version names the program" '^skiff-ofctl \(Skiff\) ' \
    skiff-ofctl --version

# Usage errors: exit 2, naming what is wrong.
check_error "no command" 2 'missing command name' ofctl
check_error "an unknown command is named" 2 'unknown command "frob"' \
    ofctl frob br0
check_error "a missing argument names the usage" 2 \
    'add-flow: missing argument \(usage: add-flow BRIDGE FLOW\)' \
    ofctl add-flow br0
check_error "a missing bridge" 2 'show: missing argument' ofctl show
check_error "an extra argument is named" 2 \
    'add-flow: unexpected argument "extra"' \
    ofctl add-flow br0 "actions=drop" extra
check_error "dump-ports takes one port" 2 'unexpected argument "2"' \
    ofctl dump-ports br0 1 2
check_error "--strict only where it means something" 2 \
    'add-flow: --strict applies only to mod-flows and del-flows' \
    ofctl --strict add-flow br0 "actions=drop"
check_error "a bad --format is named" 2 '--format: "xml" is not text or json' \
    ofctl --format=xml show br0
check_error "a bad --timeout is named" 2 '--timeout: "0" is not' \
    skiff-ofctl -T 0 show br0
check_error "an unknown option" 2 "unrecognized option '--frob'" \
    ofctl --frob show br0
check_error "an empty bridge name" 2 'empty bridge name' ofctl show ""

# Bad flows: exit 1, the token and its column, before any connection.
check_error "a bad value is named with its column" 1 \
    'bad value "10\.0\.0\.300" for nw_src \(column 21\)' \
    ofctl add-flow br0 "ip,in_port=1,nw_src=10.0.0.300,actions=drop"
check_error "the flow is shown with a caret under the column" 1 \
    '^ {22}\^$' \
    ofctl add-flow br0 "ip,in_port=1,nw_src=10.0.0.300,actions=drop"
check_error "an unknown field" 1 'unknown field "nw_sorc" \(column 4\)' \
    ofctl add-flow br0 "ip,nw_sorc=1.2.3.4,actions=drop"
check_error "a missing prerequisite" 1 \
    'tp_dst needs tcp, udp or sctp .* \(column 4\)' \
    ofctl add-flow br0 "ip,tp_dst=80,actions=drop"
check_error "add-flow needs actions" 1 'add-flow needs actions=' \
    ofctl add-flow br0 "in_port=1"
check_error "an unknown action" 1 'unknown action "outptu" \(column 19\)' \
    ofctl add-flow br0 "in_port=1,actions=outptu:2"
check_error "a misspelled bare action is not taken for a port name" 1 \
    'unknown action "nromal"' ofctl add-flow br0 "actions=nromal"
check_error "goto_table must go forward" 1 \
    'goto_table:1 must go to a later table than 2' \
    ofctl add-flow br0 "table=2,actions=goto_table:1"
check_error "mod-flows checks its actions" 1 \
    'bad value "5000" for mod_vlan_vid' \
    ofctl mod-flows br0 "in_port=1,actions=mod_vlan_vid:5000"
check_error "mod-flows --strict checks the flow" 1 'unknown field "prio"' \
    ofctl --strict mod-flows br0 "prio=5,actions=drop"
check_error "del-flows refuses actions" 1 \
    'actions are not allowed in del-flows \(column 11\)' \
    ofctl del-flows br0 "in_port=1,actions=drop"
check_error "del-flows without --strict refuses a priority" 1 \
    'priority is not allowed in del-flows without --strict' \
    ofctl del-flows br0 "priority=5"
check_error "dump-flows checks its filter" 1 \
    'bad value "300" for table' ofctl dump-flows br0 "table=300"
check_error "dump-ports refuses a non-port" 1 '"ANY": not a port' \
    ofctl dump-ports br0 ANY
check_error "a port name is checked for syntax first" 1 \
    'nw_src needs ip or arp' \
    ofctl add-flow br0 "in_port=p1,nw_src=1.2.3.4,actions=drop"

# add-flows: comments and blank lines skipped; errors name file and line;
# one bad line sends nothing.
cat >"$TESTDIR/flows.txt" <<'EOF'
# A comment, then a blank line.

priority=10,in_port=1,actions=output:2
   # An indented comment.
priority=10,in_port=2,actions=output:1
ip,nw_dst=10.0.0.1/40,actions=drop
EOF
check_error "add-flows names the file, line and column" 1 \
    'flows\.txt:6: bad value "10\.0\.0\.1/40" for nw_dst \(column 11\)' \
    ofctl add-flows br0 "$TESTDIR/flows.txt"
check_error "add-flows reads standard input" 1 \
    '^skiff-ofctl: -:1: unknown action "bogus"' \
    sh -c "echo 'actions=bogus' | skiff-ofctl -t '$nowhere' add-flows br0 -"
check_error "add-flows: a missing file" 1 \
    'nothere\.txt: cannot open: No such file or directory' \
    ofctl add-flows br0 "$TESTDIR/nothere.txt"
head -c 70000 /dev/zero | tr '\0' 'a' >"$TESTDIR/long.txt"
check_error "add-flows: an overlong line" 1 \
    'long\.txt:1: line longer than 65536 bytes' \
    ofctl add-flows br0 "$TESTDIR/long.txt"
printf 'actions=drop\nin_port=1\0,actions=drop\n' >"$TESTDIR/nul.txt"
check_error "add-flows: a NUL byte" 1 'nul\.txt:2: line contains a NUL' \
    ofctl add-flows br0 "$TESTDIR/nul.txt"

# Good flows are sent: with nobody listening, the connection fails.
check_fails "a good flow goes to the daemon" 1 \
    ofctl add-flow br0 "priority=10,tcp,in_port=1,tp_dst=80,actions=output:2"
if printf '%s\n' "$LAST_OUTPUT" | grep -q "cannot connect"; then
    ok "... and fails only on the connection"
else
    not_ok "... and fails only on the connection"
    printf '%s\n' "$LAST_OUTPUT" | sed 's/^/#   /'
fi
check_fails "a flow that names a port asks the daemon for its ports" 1 \
    ofctl add-flow br0 "in_port=p1,actions=drop"
if printf '%s\n' "$LAST_OUTPUT" | grep -q "cannot connect"; then
    ok "... which needs the connection"
else
    not_ok "... which needs the connection"
    printf '%s\n' "$LAST_OUTPUT" | sed 's/^/#   /'
fi

# Against a daemon without the ofproto commands (skiff-testd): the
# commands of lib/ofp-wire.h are what is sent.
start_daemon testd skiff-testd --pidfile
if ! wait_for "skiff-testd's control socket" 10 \
        skiff-appctl -t skiff-testd version; then
    not_ok "skiff-testd starts"
    finish
fi
t() { skiff-ofctl -t skiff-testd -T 10 "$@"; }
check_fails "add-flow sends ofproto/flow-mod" 1 t add-flow br0 "actions=drop"
check_output "... and reports the daemon's error" \
    '^skiff-ofctl: br0: "ofproto/flow-mod" is not a valid command' \
    echo "$LAST_OUTPUT"
check_fails "add-flows of good lines sends them" 1 \
    sh -c "printf 'actions=drop\n' |
           skiff-ofctl -t skiff-testd add-flows br0 -"
check_output "... as ofproto/flow-mods" '"ofproto/flow-mods" is not a valid' \
    echo "$LAST_OUTPUT"
check_fails "dump-flows sends ofproto/dump-flows" 1 t dump-flows br0
check_output "... named in the error" '"ofproto/dump-flows" is not a valid' \
    echo "$LAST_OUTPUT"
check_fails "show sends ofproto/show" 1 t show br0
check_output "... named in the error" '"ofproto/show" is not a valid' \
    echo "$LAST_OUTPUT"
check_fails "dump-ports sends ofproto/dump-ports" 1 t dump-ports br0 LOCAL
check_output "... named in the error" '"ofproto/dump-ports" is not a valid' \
    echo "$LAST_OUTPUT"
check "skiff-testd is still running" kill -0 "$DAEMON_PID"

finish
