#!/bin/bash
# A daemon's life: --detach, pidfiles, a second instance, SIGTERM, a stale
# pidfile after a crash, --rundir.

. "$srcdir/tests/integration/lib.sh"

pidfile=$TESTDIR/skiff-testd.pid

# --detach returns once the daemon is ready.
check "skiff-testd --detach returns 0" \
    skiff-testd --detach --pidfile --log-file="$TESTDIR/testd.log"
if [ -s "$pidfile" ]; then
    pid=$(cat "$pidfile")
    started_pids+=("$pid")
    ok "the pidfile exists when --detach returns"
else
    not_ok "the pidfile exists when --detach returns"
    finish
fi
check "the detached daemon answers at once" \
    skiff-appctl -t skiff-testd -T 5 version
check_output "it runs in its own session" "^ *$pid\$" \
    ps -o sid= -p "$pid"
check_output "it changed to /" '^/$' readlink "/proc/$pid/cwd"

check_fails "a second daemon with the same pidfile is refused" 1 \
    skiff-testd --pidfile --ctl=second.ctl
check_output "... naming the pidfile and the running pid" \
    "skiff-testd\\.pid.*$pid|$pid.*skiff-testd\\.pid" echo "$LAST_OUTPUT"
check "the first daemon still answers" skiff-appctl -t skiff-testd version

check "SIGTERM is delivered" kill -TERM "$pid"
check "the daemon exits on SIGTERM" wait_exit "$pid" 10
check_fails "its pidfile is removed" 1 test -e "$pidfile"
check_fails "its control socket is removed" 1 \
    test -e "$TESTDIR/skiff-testd.$pid.ctl"
check_output "it logged why it exited" 'exiting' cat "$TESTDIR/testd.log"

# A crash leaves a pidfile nobody holds; the next start replaces it.
start_daemon crashy skiff-testd --pidfile
crashy=$DAEMON_PID
wait_for "the pidfile" 10 test -s "$pidfile"
kill -KILL "$crashy"
wait "$crashy" 2>/dev/null
check "a killed daemon leaves its pidfile behind" test -s "$pidfile"
check_fails "skiff-appctl reports the stale pidfile" 1 \
    skiff-appctl -t skiff-testd version
check_output "... as stale" 'stale' echo "$LAST_OUTPUT"
start_daemon again skiff-testd --pidfile
again=$DAEMON_PID
check "a new daemon starts over a stale pidfile" \
    wait_for "the new daemon" 10 skiff-appctl -t skiff-testd version
check_output "... and writes its own pid" "^$again\$" cat "$pidfile"
check "exit stops it" skiff-appctl -t skiff-testd exit
check "... and it exits" wait_exit "$again" 10

# --rundir puts every run file in another directory.
other=$TESTDIR/other-run
start_daemon rundir skiff-testd --rundir="$other" --pidfile
rundir_pid=$DAEMON_PID
check "--rundir creates the directory and the pidfile in it" \
    wait_for "the pidfile" 10 test -s "$other/skiff-testd.pid"
check "skiff-appctl --rundir finds the daemon" \
    skiff-appctl --rundir="$other" -t skiff-testd version
check_output "the control socket is in that directory" \
    "skiff-testd\\.$rundir_pid\\.ctl" ls "$other"

check_fails "an unknown option stops the daemon with status 2" 2 \
    skiff-testd --no-such-option
check_fails "a stray argument stops the daemon with status 2" 2 \
    skiff-testd stray

finish
