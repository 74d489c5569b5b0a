#!/bin/bash
# The README's main job (utilities/skiff-demo.sh, which quickstart.sh demo
# runs after building), in its stop-at-the-end form, on this build tree:
# two VMs ping each other through a Skiff bridge, and nothing is left
# running afterwards.

. "$srcdir/tests/integration/lib.sh"
. "$srcdir/tests/integration/vmm-lib.sh"

need_kvm "the main job"
if [ "$(id -u)" -ne 0 ]; then
    skip "the main job" "needs root"
    finish
fi

# run_demo N: runs the demo, output in $TESTDIR/demoN.out.
run_demo() {
    "$srcdir/utilities/skiff-demo.sh" "$builddir" --hugepages=0 \
        >"$TESTDIR/demo$1.out" 2>&1
}
for n in 1 2; do
    if run_demo $n; then
        ok "the main job succeeds (run $n)"
    else
        not_ok "the main job succeeds (run $n)"
        tail -n 40 "$TESTDIR/demo$n.out" | sed 's/^/# /'
    fi
    check_output "... the VMs pinged each other" \
        'vm1\| ping: 10 sent, 10 received' cat "$TESTDIR/demo$n.out"
    check_output "... it showed the flows" 'priority=0 actions=NORMAL' \
        echo "$LAST_OUTPUT"
    check_output "... the port counters" 'vm2 \(dpdkvhostuser' \
        echo "$LAST_OUTPUT"
    check_output "... and the PMD statistics" 'emc hits: [0-9]+' \
        echo "$LAST_OUTPUT"
    run=$(sed -n 's/^run directory: \([^;]*\);.*/\1/p' "$TESTDIR/demo$n.out")
    check "... and removed its run directory $run" test ! -e "$run"
done
check_fails "a tree that is not built is a usage error" 2 \
    "$srcdir/utilities/skiff-demo.sh" "$TESTDIR"
finish
