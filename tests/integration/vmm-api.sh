#!/bin/bash
# skiff-vmm's API socket (--api PATH, JSON-RPC through the control
# library, so skiff-appctl drives it): status, info, pause, resume,
# shutdown.

. "$srcdir/tests/integration/lib.sh"
. "$srcdir/tests/integration/vmm-lib.sh"

need_kvm "the API of a running VM"

api=$TESTDIR/vm.api
truncate -s 1M "$TESTDIR/disk.img"
start_daemon vmm "$VMM" --kernel "$GUEST" --cpus 2 --memory 128M \
    --name testvm --disk "$TESTDIR/disk.img,ro" --api "$api" \
    --cmdline "stay" --console "file:$TESTDIR/console.log"
pid=$DAEMON_PID
if ! wait_for "the API socket" 30 test -S "$api"; then
    not_ok "the API socket appears"
    finish
fi
appctl() {
    skiff-appctl -t "$api" -T 10 "$@"
}

check_output "status: running" '^running$' appctl status
check_output "info names the VM" '"name":"testvm"' appctl info
check_output "info gives the memory" '"memory_mib":128' appctl info
check_output "info gives the vCPUs" '"vcpus":2' appctl info
check_output "info lists the disk" \
    '"type":"blk","mmio":"0xd0000000","irq":5.*"readonly":true' appctl info
check_output "pause" '^paused$' appctl pause
check_output "status: paused" '^paused$' appctl status
check_output "info says paused" '"state":"paused"' appctl info
check_output "resume" '^running$' appctl resume
check_output "status: running again" '^running$' appctl status
check_fails "an unknown method is an error" 1 appctl frobnicate
check "the VM still runs" kill -0 "$pid"
check_output "shutdown" 'shutting down' appctl shutdown
check "the VM exits after shutdown" wait_exit "$pid" 10
wait "$pid"
rc=$?
if [ $rc -eq 0 ]; then
    ok "... with status 0"
else
    not_ok "... with status 0 (got $rc)"
fi
check_fails "its API socket is gone" 1 test -e "$api"

finish
