#!/bin/bash
# Skiff's main job, end to end: skiff-dbd and skiff-vswitchd started by
# skiff-ctl, a bridge with two vhost-user ports, two VMs under skiff-vmm
# attached to them, and the VMs pinging each other through the switch.
#
#   utilities/skiff-demo.sh BUILDDIR [--keep] [--hugepages=N]
#
# BUILDDIR is a configured and built tree (quickstart.sh demo builds
# _build/main and calls this).  Every step says what it does; a failure
# names the step and the log to read.  By default everything is stopped
# at the end; --keep leaves the switch and both VMs running and says how
# to reach them and how to stop them.  Needs root and /dev/kvm.

set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=
keep=
hugepages=
for arg; do
    case $arg in
        --keep) keep=1 ;;
        --hugepages=*) hugepages=$arg ;;
        -h|--help)
            sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        -*) echo "skiff-demo: unknown option \"$arg\"" >&2; exit 2 ;;
        *) dir=$arg ;;
    esac
done
if [ -z "$dir" ] || [ ! -x "$dir/vswitchd/skiff-vswitchd" ]; then
    echo "skiff-demo: usage: $0 BUILDDIR [--keep] [--hugepages=N]" \
         "(a built tree)" >&2
    exit 2
fi
dir=$(cd "$dir" && pwd)
export PATH=$dir/utilities:$dir/vswitchd:$dir/vmm:$PATH

run=$(mktemp -d /tmp/skiff-demo-XXXXXX)
export SKIFF_RUNDIR=$run
guest=$dir/tests/guest/skiff-test-guest.img
current=
vmm_pids=()
ok=

step() {
    current=$*
    printf '\n==> %s\n' "$*"
}

# fail LOG...: stops with the step's name and the logs to read.
fail() {
    printf '\nskiff-demo: step failed: %s\n' "$current" >&2
    local log
    for log; do
        printf 'skiff-demo: read %s\n' "$log" >&2
        [ -f "$log" ] && tail -n 15 "$log" | sed 's/^/    /' >&2
    done
    exit 1
}

ctl() {
    skiff-ctl --rundir="$run" --dbdir="$run" --logdir="$run" \
        --schema="$top/vswitchd/vswitch.schema.json" $hugepages "$@"
}
vsctl() { skiff-vsctl --timeout=30 "$@"; }

stop_all() {
    local pid
    for pid in "${vmm_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${vmm_pids[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
    done
    ctl stop >/dev/null
}

at_exit() {
    if [ -n "$keep" ] && [ -n "$ok" ]; then
        return
    fi
    stop_all
    if [ -n "$ok" ]; then
        rm -rf "$run"
    else
        echo "skiff-demo: kept $run for its logs" >&2
    fi
}
trap at_exit EXIT

step "checking the machine"
[ "$(id -u)" -eq 0 ] || fail
if [ ! -c /dev/kvm ]; then
    echo "no /dev/kvm: the VMs cannot run here" >&2
    fail
fi
if grep -Eqw 'vmx|svm' /proc/cpuinfo; then
    echo "hardware virtualization is present (vmx or svm); this demo still"
    echo "boots Skiff's test guest: the Linux guest of"
    echo "tests/integration/vmm-linux.sh is not part of it yet"
else
    echo "no vmx or svm in /proc/cpuinfo: /dev/kvm here is a software"
    echo "hypervisor that cannot boot a stock Linux kernel, so the VMs run"
    echo "Skiff's test guest (tests/guest/), which answers ARP and ping"
fi
[ -f "$guest" ] || fail
cpus=$(nproc)
pmd_core=$((cpus - 1))
echo "run directory: $run; the switch's PMD thread goes on core $pmd_core"

step "starting skiff-dbd and skiff-vswitchd (skiff-ctl start)"
ctl start || fail "$run/skiff-dbd.log" "$run/skiff-vswitchd.log"
vsctl set Open_vSwitch . \
    other_config:pmd-cpu-mask=$(printf '0x%x' $((1 << pmd_core))) \
    other_config:pmd-maxsleep=1000 ||
    fail "$run/skiff-vswitchd.log"

step "creating bridge br0 with vhost-user ports vm1 and vm2 (skiff-vsctl)"
vsctl add-br br0 -- \
    add-port br0 vm1 -- set Interface vm1 type=dpdkvhostuser -- \
    add-port br0 vm2 -- set Interface vm2 type=dpdkvhostuser ||
    fail "$run/skiff-vswitchd.log"
for p in vm1 vm2; do
    [ -S "$run/$p" ] || fail "$run/skiff-vswitchd.log"
done

# start_vm NAME MAC CMDLINE: a VM under skiff-vmm on port NAME.
start_vm() {
    skiff-vmm --kernel "$guest" --name "$1" --memory 64M \
        --api "$run/$1.api" --net "vhost-user=$run/$1,mac=$2" \
        --cmdline "$3" --console "file:$run/$1.console" \
        >"$run/$1.log" 2>&1 &
    vmm_pids+=($!)
}
# console_wait NAME PATTERN SECONDS
console_wait() {
    for _ in $(seq $(($3 * 10))); do
        tr -d '\r' <"$run/$1.console" 2>/dev/null | grep -Eq "$2" &&
            return 0
        sleep 0.1
    done
    return 1
}

step "booting VM vm2 (10.0.0.2) on port vm2 (skiff-vmm)"
start_vm vm2 52:54:00:00:00:02 "ip=10.0.0.2"
console_wait vm2 '^net: device at' 60 || fail "$run/vm2.console" "$run/vm2.log"
tr -d '\r' <"$run/vm2.console" | sed 's/^/    vm2| /'

step "booting VM vm1 (10.0.0.1) on port vm1; it pings vm2 ten times"
start_vm vm1 52:54:00:00:00:01 "ip=10.0.0.1 ping=10.0.0.2 count=10"
console_wait vm1 '^ping: [0-9]+ sent' 120 ||
    fail "$run/vm1.console" "$run/vm1.log" "$run/skiff-vswitchd.log"
tr -d '\r' <"$run/vm1.console" | sed 's/^/    vm1| /'
console_wait vm1 '^ping: 10 sent, 10 received$' 1 ||
    fail "$run/vm1.console" "$run/skiff-vswitchd.log"
echo "vm1 and vm2 ping each other through the switch"

step "skiff-vsctl show"
vsctl show
step "skiff-ofctl dump-flows br0"
skiff-ofctl dump-flows br0 || fail "$run/skiff-vswitchd.log"
step "port counters (skiff-appctl dpif/show)"
skiff-appctl -t skiff-vswitchd dpif/show || fail "$run/skiff-vswitchd.log"
step "PMD statistics (skiff-appctl dpif-netdev/pmd-stats-show)"
skiff-appctl -t skiff-vswitchd dpif-netdev/pmd-stats-show ||
    fail "$run/skiff-vswitchd.log"
step "MAC table (skiff-appctl fdb/show br0)"
skiff-appctl -t skiff-vswitchd fdb/show br0

ok=1
if [ -n "$keep" ]; then
    step "still running"
    cat <<EOF
The switch and both VMs keep running (run directory $run).
  consoles:   tail -f $run/vm1.console $run/vm2.console
  VM state:   skiff-appctl -t $run/vm1.api info
  switch:     SKIFF_RUNDIR=$run skiff-vsctl show
  to stop:    kill ${vmm_pids[*]}
              $dir/utilities/skiff-ctl --rundir=$run stop
EOF
else
    step "stopping the VMs and the switch"
fi
