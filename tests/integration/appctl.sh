#!/bin/bash
# skiff-appctl against a real daemon (skiff-testd) over its unix control
# socket: built-in commands, the daemon's own commands, log levels, errors,
# bad input and many clients at once.

. "$srcdir/tests/integration/lib.sh"

log=$TESTDIR/testd.log
start_daemon testd skiff-testd --pidfile --log-file="$log" \
    --remote=ptcp:0:127.0.0.1
testd=$DAEMON_PID
if ! wait_for "skiff-testd's control socket" 10 \
        skiff-appctl -t skiff-testd version; then
    not_ok "skiff-testd starts"
    cat "$TESTDIR/testd.stdout" "$log" 2>/dev/null | sed 's/^/# /'
    finish
fi
ok "skiff-testd starts and answers on its control socket"

appctl() { skiff-appctl -t skiff-testd "$@"; }

check_output "list-commands lists built-in and daemon commands" \
    'vlog/set.*' appctl list-commands
for cmd in list-commands version vlog/list vlog/set vlog/reopen exit \
           test/echo test/log; do
    if ! printf '%s\n' "$LAST_OUTPUT" | grep -q "^  $cmd "; then
        not_ok "list-commands includes $cmd"
    fi
done
check_output "version names the program" '^skiff-testd \(Skiff\) [0-9]' \
    appctl version
check_output "test/echo returns its arguments" '^a b c$' \
    appctl test/echo a b c
check_output "arguments may start with a dash" '^-x --y$' \
    appctl test/echo -x --y
check_output "--format=json wraps the result" '^\{"result":"hi"\}$' \
    appctl --format=json test/echo hi

sock=$(ls "$TESTDIR"/skiff-testd.*.ctl)
check_output "the socket is named after the daemon's pid" \
    "skiff-testd\\.$testd\\.ctl" echo "$sock"
check_output "a socket path works as the target" '^p$' \
    skiff-appctl -t "$sock" test/echo p
check_output "unix:PATH works as the target" '^u$' \
    skiff-appctl -t "unix:$sock" test/echo u
check_output "the socket's mode is 0660" '^660$' stat -c %a "$sock"

# Errors: exit status 1 with a message naming what was wrong.
check_fails "a failing command exits 1" 1 appctl test/fail boom
check_output "... and prints its error" '^boom$' echo "$LAST_OUTPUT"
check_fails "an unknown command exits 1" 1 appctl no/such
check_output "... naming the command" '"no/such" is not a valid command' \
    echo "$LAST_OUTPUT"
check_fails "too many arguments exit 1" 1 appctl version extra
check_output "... saying how many are allowed" 'takes at most 0 arguments' \
    echo "$LAST_OUTPUT"
check_fails "too few arguments exit 1" 1 appctl test/log info
check_output "... saying how many are needed" 'needs at least 2 arguments' \
    echo "$LAST_OUTPUT"
check_fails "--format=json reports errors too" 1 \
    appctl --format=json test/fail oops
check_output "... as an error member" '^\{"error":"oops"\}$' \
    echo "$LAST_OUTPUT"

# Usage errors: exit status 2.
check_fails "no command is a usage error" 2 skiff-appctl -t skiff-testd
check_fails "a bad --timeout is a usage error" 2 appctl -T soon version
check_output "... naming the value" '"soon"' echo "$LAST_OUTPUT"
check_fails "a bad --format is a usage error" 2 appctl -f yaml version
check_fails "an unknown option is a usage error" 2 appctl --bogus version
check_output "--help describes the options" 'usage: skiff-appctl' \
    skiff-appctl --help

check_fails "a daemon that is not running is reported" 1 \
    skiff-appctl -t skiff-nothing version
check_output "... with the pidfile it looked for" \
    'skiff-nothing\.pid.*is skiff-nothing running' echo "$LAST_OUTPUT"

# Log levels at run time.
check "test/log info is accepted" appctl test/log info first-info-message
check "... and written to the log file" grep -q first-info-message "$log"
check "vlog/set testd:file:warn" appctl vlog/set testd:file:warn
check_output "vlog/list shows the change" \
    '^testd +WARN +OFF +WARN' appctl vlog/list
check "an info message after that" appctl test/log info second-info-message
check_fails "... is not logged" 1 grep -q second-info-message "$log"
check "a warning still is" appctl test/log warn first-warning
check "... and appears in the file" grep -q 'testd|WARN|first-warning' "$log"
before=$(appctl vlog/list)
check_fails "vlog/set with an unknown word fails" 1 \
    appctl vlog/set testd:file:loud
check_output "... naming the word" '"loud"' echo "$LAST_OUTPUT"
check_fails "vlog/set with one bad spec of two fails" 1 \
    appctl vlog/set ANY:file:dbg nonesuch:warn
check_output "... and changes nothing" '' \
    test "$before" = "$(appctl vlog/list)"

mv "$log" "$log.1"
check "vlog/reopen after rotation" appctl vlog/reopen
check "a message after reopening" appctl test/log warn after-rotation
check "... goes to the new file" grep -q after-rotation "$log"
check_fails "... not the old one" 1 grep -q after-rotation "$log.1"

# Bad input on a control connection: the daemon drops that client only.
port=$(appctl test/listeners | sed -n 's/^ptcp:\([0-9]*\):.*/\1/p')
check_output "the ptcp listener reports its port" '^[0-9]+$' echo "$port"
send_garbage() {
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf '%s' "$1" >&3
    timeout 5 cat <&3 >"$TESTDIR/garbage.out"
    exec 3>&-
    return 0
}
check "garbage bytes are sent" send_garbage '}{ not json at all'
check "the daemon still answers after garbage" appctl version
check "an invalid JSON-RPC request is sent" \
    send_garbage '{"method":"version","params":"x","id":1}'
check_output "... and answered with an error" '"error":"[^"]' \
    cat "$TESTDIR/garbage.out"
check "a request with a non-string argument is sent" \
    send_garbage '{"method":"test/echo","params":[1],"id":7}'
check_output "... and answered with an error naming the argument" \
    'argument 1 of \\"test/echo\\" is not a string' cat "$TESTDIR/garbage.out"
check "the daemon still answers" appctl test/echo alive

# Many clients at once.
for i in $(seq 20); do
    appctl test/echo "client-$i" >"$TESTDIR/client-$i.out" 2>&1 &
done
wait_clients() {
    local i
    for i in $(seq 20); do
        grep -qx "client-$i" "$TESTDIR/client-$i.out" || return 1
    done
}
sleep 0.1
check "20 clients at once all get their answers" \
    wait_for "20 clients" 20 wait_clients

check "exit is answered" appctl exit
check "the daemon exits" wait_exit "$testd" 10
wait "$testd"
check_output "... with status 0" '^0$' echo $?
check_fails "its socket is removed" 1 test -e "$sock"
check_fails "its pidfile is removed" 1 test -e "$TESTDIR/skiff-testd.pid"

finish
