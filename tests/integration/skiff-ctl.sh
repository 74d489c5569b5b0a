#!/bin/bash
# skiff-ctl: starts both daemons with one run directory, reports their
# status, stops them by pid, and reserves hugepages when it can.

. "$srcdir/tests/integration/lib.sh"

run=$TESTDIR/run
ctl() {
    skiff-ctl --rundir="$run" --dbdir="$TESTDIR/db" --logdir="$TESTDIR/log" \
        --schema="$srcdir/vswitchd/vswitch.schema.json" "$@"
}
# Whatever skiff-ctl started is stopped by the pids in its pidfiles, even
# if a check failed half-way.
ctl_cleanup() {
    local f pid
    for f in "$run"/skiff-vswitchd.pid "$run"/skiff-dbd.pid; do
        pid=$(cat "$f" 2>/dev/null) || continue
        kill -TERM "$pid" 2>/dev/null && wait_exit "$pid" 20 ||
            kill -KILL "$pid" 2>/dev/null
    done
    if [ -n "${saved_hugepages:-}" ]; then
        echo "$saved_hugepages" > /proc/sys/vm/nr_hugepages
    fi
    cleanup
}
trap ctl_cleanup EXIT

check_fails "usage: no command" 2 skiff-ctl
check_fails "usage: an unknown command" 2 skiff-ctl frobnicate
check_output "... naming it" '"frobnicate"' echo "$LAST_OUTPUT"
check_fails "usage: a bad --hugepages" 2 skiff-ctl --hugepages=lots start
check_output "... naming it" '"lots"' echo "$LAST_OUTPUT"

check_fails "status before start: not running" 1 ctl status
check_output "... says so for both" 'skiff-vswitchd: not running' \
    echo "$LAST_OUTPUT"

check "start" ctl --hugepages=0 start
check_output "status: both run" 'skiff-dbd: running \(pid [0-9]+\)' \
    ctl status
check_output "... skiff-vswitchd too, with its log" \
    "skiff-vswitchd: running \\(pid [0-9]+\\), log $TESTDIR/log/" \
    echo "$LAST_OUTPUT"
check "the log files exist" test -s "$TESTDIR/log/skiff-vswitchd.log"
check "the database was created" test -s "$TESTDIR/db/conf.db"

# skiff-vsctl waits for the switch (cur_cfg), so this proves both work.
export SKIFF_RUNDIR=$run
check "skiff-vsctl add-br, applied by the switch" \
    skiff-vsctl --timeout=30 add-br br-ctl$$
check_output "start again: already running" 'already running' \
    ctl --hugepages=0 start

dbd_pid=$(cat "$run/skiff-dbd.pid")
vs_pid=$(cat "$run/skiff-vswitchd.pid")
check "restart" ctl --hugepages=0 restart
check_fails "... the old skiff-vswitchd is gone" 1 kill -0 "$vs_pid"
check_fails "... the old skiff-dbd is gone" 1 kill -0 "$dbd_pid"
check_output "... the bridge is still configured" "^br-ctl$$\$" \
    skiff-vsctl list-br

check "stop" ctl stop
check_fails "... skiff-vswitchd's pidfile is gone" 1 \
    test -e "$run/skiff-vswitchd.pid"
check_fails "status after stop: not running" 1 ctl status
check_output "stop again: not running" 'skiff-dbd: not running' ctl stop

# Hugepages: reserved when there are none, and the switch uses them.
if [ "$(id -u)" -ne 0 ]; then
    skip "hugepages" "only root can reserve hugepages"
elif [ "$(cat /proc/sys/vm/nr_hugepages)" -ne 0 ]; then
    skip "hugepages" "the system has hugepages reserved already"
else
    saved_hugepages=0
    check_output "start reserves hugepages" 'hugepages: reserved [1-9]' \
        ctl --hugepages=64 start
    if wait_for "DPDK with hugepages" 20 \
            grep -q 'EAL arguments: .*--in-memory' \
            "$TESTDIR/log/skiff-vswitchd.log"; then
        ok "... and the switch uses them"
    else
        not_ok "... and the switch uses them"
        grep 'EAL arguments' "$TESTDIR/log/skiff-vswitchd.log" | sed 's/^/# /'
    fi
    check "stop" ctl stop
fi
finish
