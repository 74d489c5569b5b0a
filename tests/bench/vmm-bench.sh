#!/bin/bash
# vmm-bench: skiff-vmm side by side with QEMU (qemu-system-x86_64 -M
# microvm, package qemu-system-x86), run by "make bench" after
# vsctl-bench.sh.
#
# Both VMMs boot the same image, the project's test guest
# (tests/guest/skiff-test-guest.img), with the same RAM (64 MiB), one vCPU
# and the guest's serial console going to a file; tests/bench/vmm-run
# starts each VMM and watches the console file.  Two kinds of run:
#
#   boot   the guest's command line has exit=1: it prints its report and
#          resets the machine through the i8042, which ends both VMMs
#          (QEMU with -no-reboot).  Measured: the wall time from just
#          before fork() to the guest's first console line and to the
#          end of the process; the process's CPU time (wait4()'s rusage,
#          all threads, the guest's own running time included) and its
#          peak RSS; and the CPU time of its threads at the first line,
#          and of its main thread alone (which sets the VM up; the guest
#          runs on the vCPU thread).
#   idle   no exit=1: once the guest prints "skiff-test-guest: idle" (it
#          then halts with interrupts off), and half a second after, the
#          VMM's VmRSS and VmHWM, and the resident part of the guest's
#          RAM mapping (the writable mapping exactly as big as the guest's
#          RAM, from /proc/PID/smaps); their difference is the VMM's own
#          memory.  Then the VMM's CPU time over one second of an idle
#          guest, and SIGTERM.
#
# Each runs BENCH_VMM_RUNS times per VMM, interleaved (the VMM that goes
# first alternates from round to round), so that drift in the machine's
# speed touches both alike.  Every run's console is checked (the guest's
# first line, its memory and CPU count, and "skiff-test-guest: exit" as
# the last line of a boot run) and the VMM's exit status must be 0, so no
# number comes from a failed boot.  Without qemu-system-x86_64, or if it
# cannot boot the guest, only skiff-vmm is measured, with a message.  The
# table goes to stdout and, with the machine's facts, between this
# script's own markers in docs/benchmarks.md.
#
# skiff-vmm is the build in builddir, run from a copy; the output says
# how it was built, and warns when the sanitizers are in it (they inflate
# its time and memory: configure "make bench"'s build dir without
# --enable-sanitizers).
#
# Environment: srcdir, builddir (default .), BENCH_VMM_RUNS (default 10),
# BENCH_VMM_QEMU (default qemu-system-x86_64), BENCH_OUTPUT (default
# $srcdir/docs/benchmarks.md), KEEP_BENCHDIR=1 to keep the consoles and
# the VMMs' logs.

set -u

srcdir=${srcdir:-.}
builddir=${builddir:-.}
srcdir=$(cd "$srcdir" && pwd)
builddir=$(cd "$builddir" && pwd)
runs=${BENCH_VMM_RUNS:-10}
output=${BENCH_OUTPUT:-$srcdir/docs/benchmarks.md}

bench_name='vmm-bench'
. "$srcdir/tests/bench/lib.sh"

vmm=$builddir/vmm/skiff-vmm
vmm_run=$builddir/tests/bench/vmm-run
image=$builddir/tests/guest/skiff-test-guest.img
qemu=${BENCH_VMM_QEMU:-qemu-system-x86_64}
memory_mib=64

BEGIN_MARK='<!-- BEGIN vmm-bench results: written by'
BEGIN_MARK+=' tests/bench/vmm-bench.sh; do not edit -->'
END_MARK='<!-- END vmm-bench results -->'

for file in "$vmm" "$vmm_run"; do
    [ -x "$file" ] || fail "$file is not built (run \"make bench\")"
done
[ -f "$image" ] || fail "$image is not built (run \"make bench\")"
case $runs in
    [1-9] | [1-9][0-9]) ;;
    *) fail "BENCH_VMM_RUNS must be a number from 1 to 99, not \"$runs\"" ;;
esac
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    echo "vmm-bench: skipped: /dev/kvm is missing or not usable" >&2
    exit 0
fi

bench_dir

# Run copies, so that a rebuild during the run cannot change them.
if ! mkdir "$BENCHDIR/bin" ||
   ! cp "$vmm" "$vmm_run" "$image" "$BENCHDIR/bin/"; then
    fail "cannot copy $vmm, $vmm_run and $image to $BENCHDIR/bin"
fi
vmm=$BENCHDIR/bin/skiff-vmm
vmm_run=$BENCHDIR/bin/vmm-run
image=$BENCHDIR/bin/skiff-test-guest.img

# vmm_command VMM CONSOLE CMDLINE: sets cmd to the command line that
# boots the test guest with VMM (skiff or qemu), its console to CONSOLE.
vmm_command() {
    local which=$1 console=$2 cmdline=$3
    case $which in
        skiff)
            cmd=("$vmm" --kernel "$image" --memory "${memory_mib}M"
                 --cpus 1 --console "file:$console" --cmdline "$cmdline")
            ;;
        qemu)
            # microvm: no PCI, no firmware beyond qboot; the i8042 is
            # not there by default, and the guest leaves through it.
            cmd=("$qemu" -M microvm -enable-kvm -cpu host
                 -m "${memory_mib}M" -smp 1 -nodefaults -no-user-config
                 -display none -no-reboot -device i8042
                 -serial "file:$console" -kernel "$image"
                 -append "$cmdline")
            ;;
    esac
}

# check_console VMM KIND CONSOLE: checks what the guest printed in a run
# of KIND (boot or idle); prints what is wrong and returns 1 if anything.
check_console() {
    local which=$1 kind=$2 console=$3 first last
    first=$(head -n 1 "$console" | tr -d '\r')
    last=$(tail -n 1 "$console" | tr -d '\r')
    case $first in
        'skiff-test-guest: cmdline='*) ;;
        *) echo "the first console line is \"$first\""; return 1 ;;
    esac
    if ! grep -q "^memory: $memory_mib MiB" "$console"; then
        echo "the guest did not find $memory_mib MiB"
        return 1
    fi
    if ! grep -q '^cpus: 1' "$console"; then
        echo "the guest did not find 1 CPU"
        return 1
    fi
    case $kind in
        boot)
            if [ "$last" != 'skiff-test-guest: exit' ]; then
                echo "the last console line is \"$last\", not" \
                     "\"skiff-test-guest: exit\""
                return 1
            fi
            ;;
        idle)
            if ! grep -q '^skiff-test-guest: idle' "$console"; then
                echo "the guest never printed \"skiff-test-guest: idle\""
                return 1
            fi
            ;;
    esac
    return 0
}

# one_run VMM KIND NAME: one run of KIND with VMM; sets line to vmm-run's
# output, or returns 1 with the reason in why.
one_run() {
    local which=$1 kind=$2 name=$3 console log args
    console=$BENCHDIR/$name.console
    log=$BENCHDIR/$name.log
    case $kind in
        boot)
            vmm_command "$which" "$console" exit=1
            args=()
            ;;
        idle)
            vmm_command "$which" "$console" idle
            args=(--until='skiff-test-guest: idle' --settle=500 --idle=1000
                  --guest-ram="$memory_mib")
            ;;
    esac
    if ! line=$("$vmm_run" --console="$console" --log="$log" "${args[@]}" \
                -- "${cmd[@]}" </dev/null 2>"$BENCHDIR/vmm-run.err"); then
        why="vmm-run failed: $(tail -n 3 "$BENCHDIR/vmm-run.err")"
        why+=$'\n'"last lines of the VMM's output: $(tail -n 5 "$log")"
        return 1
    fi
    case " $line " in
        *' status=0 '*) ;;
        *)
            why="the VMM did not exit with status 0 ($line);"
            why+=$'\n'"last lines of its output: $(tail -n 5 "$log")"
            return 1
            ;;
    esac
    if ! why=$(check_console "$which" "$kind" "$console"); then
        return 1
    fi
    return 0
}

# run_test KIND VMM ROUND: one run, appended to the results as
# "KIND VMM KEY=VALUE...".
run_test() {
    local kind=$1 which=$2 round=$3
    if ! one_run "$which" "$kind" "$which-$kind-$round"; then
        fail "$kind run $round with $which: $why"
    fi
    echo "$kind $which $line" >>"$results"
    printf '  %-4s %-5s %s\n' "$kind" "$which" "$line"
}

# A first boot of each VMM, not counted, brings its files into the page
# cache and shows that it boots the guest.  Is QEMU there, and does it?
if ! one_run skiff boot skiff-trial; then
    fail "skiff-vmm could not boot the test guest: $why"
fi
vmms=(skiff)
qemu_note=
if ! command -v "$qemu" >/dev/null 2>&1; then
    qemu_note="$qemu not found (install qemu-system-x86): QEMU not"
    qemu_note+=" measured"
elif ! one_run qemu boot qemu-trial; then
    qemu_note="$qemu -M microvm could not boot the test guest, QEMU not"
    qemu_note+=" measured: $why"
else
    vmms=(skiff qemu)
fi
if [ -n "$qemu_note" ]; then
    echo "vmm-bench: $qemu_note" >&2
fi

echo "vmm-bench: $runs rounds of ${vmms[*]} in $BENCHDIR"
start_time=$(date +%s)
for ((round = 1; round <= runs; round++)); do
    if ((round % 2)) || ((${#vmms[@]} == 1)); then
        order=("${vmms[@]}")
    else
        order=(qemu skiff)
    fi
    echo "round $round of $runs"
    for kind in boot idle; do
        for which in "${order[@]}"; do
            run_test "$kind" "$which" "$round"
        done
    done
done
elapsed=$(($(date +%s) - start_time))

# stats KIND VMM KEY [SCALE]: "median min max" of KEY (times SCALE, a
# number or a fraction such as 1/1024) over the runs.
stats() {
    key_values "$results" "$@" | median_min_max
}

# measure KIND KEY SCALE FORMAT NAME ANCHOR: adds the row NAME to the
# tables: KEY of KIND's runs, times SCALE, printed with FORMAT, for each
# VMM measured, with ANCHOR (a figure to read it against) after.
table_md=$BENCHDIR/table.md
table_txt=$BENCHDIR/table.txt
measure() {
    local kind=$1 key=$2 scale=$3 fmt=$4 name=$5 anchor=$6
    local s_med s_min s_max q_med q_min q_max s q=- ratio=-
    read -r s_med s_min s_max < <(stats "$kind" skiff "$key" "$scale") ||
        fail "no $key in the $kind runs of skiff-vmm"
    # shellcheck disable=SC2059 # The formats are the callers' own.
    s=$(printf "$fmt ($fmt-$fmt)" "$s_med" "$s_min" "$s_max")
    if ((${#vmms[@]} == 2)); then
        read -r q_med q_min q_max < <(stats "$kind" qemu "$key" "$scale") ||
            fail "no $key in the $kind runs of QEMU"
        # shellcheck disable=SC2059
        q=$(printf "$fmt ($fmt-$fmt)" "$q_med" "$q_min" "$q_max")
        ratio=$(awk -v s="$s_med" -v q="$q_med" '
            BEGIN { if (q != 0) printf "%.2f\n", s / q; else print "-" }')
    fi
    echo "| $name | $s | $q | $ratio | $anchor |" >>"$table_md"
    printf '%-50s %-22s %-22s %6s  %s\n' "$name" "$s" "$q" "$ratio" \
        "$anchor" >>"$table_txt"
}
{
    echo -n "| Measure (lower is better) | skiff-vmm median (min-max) "
    echo "| QEMU microvm median (min-max) | skiff-vmm / QEMU | Anchor |"
    echo "|---|---:|---:|---:|---|"
} >"$table_md"
printf '%-50s %-22s %-22s %6s  %s\n' measure skiff-vmm "QEMU microvm" \
    ratio anchor >"$table_txt"

fc_cpu="Firecracker: 8 CPU ms to its API socket, no guest yet"
fc_mem="Firecracker: <= 5 MiB (its VMM threads)"
measure boot first_line_ms 1 %.1f "boot: to the first console line (ms)" ""
measure boot exit_ms 1 %.1f "boot: to the end of the process (ms)" ""
measure boot first_line_cpu_ms 1 %.1f \
    "boot: CPU time at the first line (ms)" ""
measure boot first_line_main_cpu_ms 1 %.1f \
    "boot: of which the main thread (ms)" "$fc_cpu"
measure boot cpu_ms 1 %.1f "boot: CPU time, start to end (ms)" ""
measure boot user_ms 1 %.1f "boot: of which user (ms)" ""
measure boot sys_ms 1 %.1f "boot: of which system (ms)" ""
measure boot maxrss_kb 1/1024 %.2f "boot: peak RSS (MiB)" ""
measure idle rss_kb 1/1024 %.2f "idle: VmRSS (MiB)" ""
measure idle guest_rss_kb 1/1024 %.2f "idle: guest RAM resident (MiB)" ""
measure idle own_rss_kb 1/1024 %.2f \
    "idle: VMM's own memory, VmRSS - guest (MiB)" "$fc_mem"
measure idle own_hwm_kb 1/1024 %.2f \
    "idle: VMM's own peak, VmHWM - guest (MiB)" "$fc_mem"
measure idle file_kb 1/1024 %.2f "idle: RssFile (MiB)" ""
measure idle anon_kb 1/1024 %.2f "idle: RssAnon (MiB)" ""
measure idle shmem_kb 1/1024 %.2f "idle: RssShmem (MiB)" ""
measure idle idle_cpu_ms_per_s 1 %.2f \
    "idle: CPU time, guest halted (ms per s)" ""

echo
cat "$table_txt"
echo
echo "vmm-bench: medians (min-max) of $runs runs; ratio is skiff-vmm /" \
    "QEMU; $runs rounds took ${elapsed}s"

# The machine's facts.
machine_facts
kvm_module=
for dir in /sys/module/kvm_*; do
    [ -d "$dir" ] && kvm_module+="${kvm_module:+,}${dir##*/}"
done
load=$(cut -d ' ' -f 1-3 /proc/loadavg)
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$builddir/Makefile")
describe_build "skiff-vmm (Skiff) $version"
if [ -n "$sanitizers" ]; then
    skiff_version+=" and sanitizers \`$sanitizers\` (SLOWER AND BIGGER:"
    skiff_version+=" these are not the numbers of a release build)"
    echo "vmm-bench: WARNING: skiff-vmm was built with the sanitizers" \
         "($sanitizers): its time and memory are inflated" >&2
else
    skiff_version+=", no sanitizers"
fi
echo "vmm-bench: measured $skiff_version"
if ((${#vmms[@]} == 2)); then
    qemu_version=$("$qemu" --version | head -n 1)
else
    qemu_version="not measured: $qemu_note"
fi
vmm_command skiff GUEST.console exit=1
skiff_cmd="vmm-run --console=GUEST.console -- ${cmd[*]##*/}"
vmm_command qemu GUEST.console exit=1
qemu_cmd="vmm-run --console=GUEST.console -- ${cmd[*]##*/}"

# The generated part of docs/benchmarks.md.
fragment=$BENCHDIR/fragment.md
cat >"$fragment" <<EOF
$BEGIN_MARK

Results of \`tests/bench/vmm-bench.sh\` (run by \`make bench\`) on
$(date -u '+%Y-%m-%d %H:%M UTC'): $runs boot runs and $runs idle runs
with each VMM, interleaved; the median run, with the lowest and the
highest in brackets. Both VMMs boot the same test guest image with
$memory_mib MiB of RAM and one vCPU.

$(cat "$table_md")

- boot: the guest's command line is \`exit=1\`; it prints its report and
  resets the machine through the i8042, which ends the VMM. The times run
  from just before \`fork()\` in \`tests/bench/vmm-run\` to the first
  \`\\n\` in the console file (inotify) and to the end of the process
  (pidfd). CPU time at the first line: the sum over the VMM's threads of
  \`/proc/PID/task/TID/schedstat\`, and the main thread's alone; start
  to end: \`wait4()\`'s rusage. All but the main thread's include the
  guest's own running time (on the vCPU thread), which this host's KVM
  counts as the VMM's (mostly system) time.
- idle: the guest halts after "skiff-test-guest: idle"; 0.5 s later
  \`vmm-run\` reads VmRSS, VmHWM, RssFile, RssAnon and RssShmem from
  \`/proc/PID/status\`, and "guest RAM resident", the Rss of the one
  writable mapping exactly as large as the guest's RAM in
  \`/proc/PID/smaps\`. The VMM's own memory is VmRSS (or VmHWM) minus
  that. Then the CPU time of all threads over one second of halted guest.
- this run: \`BENCH_VMM_RUNS=$runs bash tests/bench/vmm-bench.sh\` in the
  build directory \`${builddir#"$srcdir"/}\` (the last step of \`make bench\`)
- skiff-vmm: \`$skiff_cmd\`
- QEMU: \`$qemu_cmd\`

The machine:

- CPUs: $(nproc), $cpu_model; memory: $mem_total
- kernel: $(uname -srm); KVM module: ${kvm_module:-unknown}
- load average when the runs ended: $load
- Skiff: $skiff_version
- QEMU: $qemu_version
- wall time of the whole run: ${elapsed}s

$END_MARK
EOF

write_section vmm-bench "skiff-vmm and QEMU" "$fragment"
