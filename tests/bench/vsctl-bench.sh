#!/bin/bash
# vsctl-bench: skiff-vsctl against skiff-dbd side by side with Open
# vSwitch's ovs-vsctl against its ovsdb-server, run by "make bench" after
# db-bench.sh.
#
# Two tests, each on a fresh database that first gets "init" and
# "add-br br0" from the tool under test:
#
#   one-by-one  BENCH_VSCTL_PORTS invocations of "add-port br0 pN";
#   chained     one invocation "add-port br0 p1 -- add-port br0 p2 -- ...".
#
# Both tools run with --no-wait (there is no switch daemon) and
# --db=unix:SOCKET; both servers load vswitchd/vswitch.schema.json from
# one private directory.  Runs are interleaved and the pair that goes
# first alternates from round to round.  After every run the script checks
# that br0 holds exactly the ports it was given plus its own, and stops
# with an error if not: no number comes from a failed run.  The table of
# medians goes to stdout and, with the machine's facts, between this
# script's own markers in docs/benchmarks.md.
#
# Environment: srcdir, builddir (default .), BENCH_VSCTL_RUNS (default 3),
# BENCH_VSCTL_PORTS (default 1000; other values are for trying the script
# out), BENCH_OUTPUT (default $srcdir/docs/benchmarks.md), KEEP_BENCHDIR=1
# to keep the directory with the databases and the servers' logs.

set -u

srcdir=${srcdir:-.}
builddir=${builddir:-.}
srcdir=$(cd "$srcdir" && pwd)
builddir=$(cd "$builddir" && pwd)
runs=${BENCH_VSCTL_RUNS:-3}
n_ports=${BENCH_VSCTL_PORTS:-1000}
output=${BENCH_OUTPUT:-$srcdir/docs/benchmarks.md}

bench_name=vsctl-bench
. "$srcdir/tests/bench/lib.sh"

schema=$srcdir/vswitchd/vswitch.schema.json
dbd=$builddir/vswitchd/skiff-dbd
skiff_vsctl=$builddir/utilities/skiff-vsctl

tests=(one-by-one chained)

BEGIN_MARK='<!-- BEGIN vsctl-bench results: written by'
BEGIN_MARK+=' tests/bench/vsctl-bench.sh; do not edit -->'
END_MARK='<!-- END vsctl-bench results -->'

if ! command -v ovs-vsctl >/dev/null 2>&1; then
    echo "ovs-vsctl not found: install openvswitch-switch" >&2
    echo "vsctl-bench: skipped (nothing to compare skiff-vsctl with)" >&2
    exit 0
fi
for prog in ovsdb-server ovsdb-tool; do
    if ! command -v "$prog" >/dev/null 2>&1; then
        fail "$prog not found: install openvswitch-common"
    fi
done
for prog in "$dbd" "$skiff_vsctl"; do
    [ -x "$prog" ] || fail "$prog is not built (run \"make bench\")"
done
case $runs in
    [1-9] | [1-9][0-9]) ;;
    *) fail "BENCH_VSCTL_RUNS must be a number from 1 to 99, not \"$runs\"" ;;
esac
case $n_ports in
    [1-9] | [1-9][0-9] | [1-9][0-9][0-9] | [1-9][0-9][0-9][0-9]) ;;
    *) fail "BENCH_VSCTL_PORTS must be a number from 1 to 9999, not" \
            "\"$n_ports\"" ;;
esac

bench_dir

# Run copies of Skiff's programs, so that a rebuild during the run (make
# replaces the files in place) cannot change or break them half-way.
if ! mkdir "$BENCHDIR/bin" ||
   ! cp "$dbd" "$skiff_vsctl" "$BENCHDIR/bin/"; then
    fail "cannot copy $dbd and $skiff_vsctl to $BENCHDIR/bin"
fi
dbd=$BENCHDIR/bin/skiff-dbd
skiff_vsctl=$BENCHDIR/bin/skiff-vsctl

# vsctl ARG...: the tool under test ($tool: skiff or ovsdb, the server
# it goes with) against the running server, with its errors in
# $BENCHDIR/vsctl.err.  OVS_RUNDIR and OVS_LOGDIR keep ovs-vsctl's own
# files (it makes none with these options, but it might look) in the
# private directory.
vsctl() {
    case $tool in
        skiff)
            SKIFF_RUNDIR=$BENCHDIR "$skiff_vsctl" --no-wait \
                --db="unix:$sock" "$@" 2>>"$BENCHDIR/vsctl.err"
            ;;
        ovsdb)
            OVS_RUNDIR=$BENCHDIR OVS_LOGDIR=$BENCHDIR \
                ovs-vsctl --no-wait --db="unix:$sock" "$@" \
                2>>"$BENCHDIR/vsctl.err"
            ;;
    esac
}

# run_failed WHAT: reports that WHAT failed in the current run, with the
# tool's errors and the end of the server's log, and stops.
run_failed() {
    echo "vsctl-bench: $test with $tool: $*" >&2
    if [ -s "$BENCHDIR/vsctl.err" ]; then
        echo "vsctl-bench: the tool's errors:" >&2
        tail -n 10 "$BENCHDIR/vsctl.err" >&2
    fi
    echo "vsctl-bench: last lines of $log:" >&2
    tail -n 10 "$log" >&2
    exit 1
}

# now: seconds since the epoch, to the nanosecond.
now() {
    date +%s.%N
}

# verify: checks that br0 holds exactly ports p1...p$n_ports besides its
# own, each with one interface of its name, and nothing else exists.
verify() {
    local got n
    got=$(vsctl list-ports br0) || run_failed "list-ports br0 failed"
    if [ "$got" != "$(cat "$BENCHDIR/expected-ports")" ]; then
        n=$(printf '%s' "$got" | grep -c .)
        run_failed "br0's ports besides its own are not exactly" \
                   "p1...p$n_ports (list-ports shows $n ports)"
    fi
    # The bridge's "ports" column, read back as a set of uuids: its own
    # port and the new ones.
    got=$(vsctl get Bridge br0 ports) || run_failed "get Bridge br0 failed"
    n=$(printf '%s' "$got" | grep -oE '[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}' |
        sort -u | wc -l)
    if [ "$n" -ne "$((n_ports + 1))" ]; then
        run_failed "Bridge br0's ports column holds $n uuids, not" \
                   "$((n_ports + 1))"
    fi
    for table in Port Interface; do
        got=$(vsctl --bare --columns=name list "$table" | grep -c .)
        if [ "$got" -ne "$((n_ports + 1))" ]; then
            run_failed "table $table has $got rows, not $((n_ports + 1))"
        fi
    done
}

# run_test TEST TOOL ROUND: one run of TEST with TOOL against its own
# fresh server; appends "TEST TOOL SECONDS" to the results.
run_test() {
    local start end secs i
    test=$1 tool=$2 log=$BENCHDIR/$2-$1-$3.log
    : >"$BENCHDIR/vsctl.err"
    start_server "$tool" "$log"
    vsctl init || run_failed "init failed"
    vsctl add-br br0 || run_failed "add-br br0 failed"
    case $test in
        one-by-one)
            start=$(now)
            for ((i = 1; i <= n_ports; i++)); do
                vsctl add-port br0 "p$i" ||
                    run_failed "add-port br0 p$i failed"
            done
            end=$(now)
            ;;
        chained)
            start=$(now)
            vsctl "${chain[@]}" ||
                run_failed "the chain of $n_ports add-port commands failed"
            end=$(now)
            ;;
    esac
    verify
    stop_server
    secs=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
    echo "$test $tool $secs" >>"$results"
    printf '  %-10s %-12s %8.3f s\n' "$test" "$tool" "$secs"
}

# stats TEST TOOL: "median min max" of TEST's seconds with TOOL.
stats() {
    awk -v test="$1" -v tool="$2" '$1 == test && $2 == tool { print $3 }' \
        "$results" | median_min_max
}

# The chain, and the ports list-ports must show (it sorts by name).
for ((i = 1; i <= n_ports; i++)); do
    echo "p$i"
done | LC_ALL=C sort >"$BENCHDIR/expected-ports"
chain=()
for ((i = 1; i <= n_ports; i++)); do
    ((i > 1)) && chain+=(--)
    chain+=(add-port br0 "p$i")
done

fstype=$(df --output=fstype "$BENCHDIR" | tail -n 1)
ports_n=$(commas "$n_ports")
echo "vsctl-bench: $runs rounds of $ports_n ports in $BENCHDIR ($fstype)"
start_time=$(date +%s)
for ((round = 1; round <= runs; round++)); do
    if ((round % 2)); then
        order=(skiff ovsdb)
    else
        order=(ovsdb skiff)
    fi
    echo "round $round of $runs"
    for t in "${tests[@]}"; do
        for server in "${order[@]}"; do
            run_test "$t" "$server" "$round"
        done
    done
done
elapsed=$(($(date +%s) - start_time))

# measure TEST NAME: adds the row NAME to the tables.
table_md=$BENCHDIR/table.md
table_txt=$BENCHDIR/table.txt
measure() {
    local test=$1 name=$2 s_med s_min s_max o_med o_min o_max s o ratio
    local winner
    read -r s_med s_min s_max < <(stats "$test" skiff) ||
        fail "no results of $test from skiff-vsctl"
    read -r o_med o_min o_max < <(stats "$test" ovsdb) ||
        fail "no results of $test from ovs-vsctl"
    s=$(printf '%.2f (%.2f-%.2f)' "$s_med" "$s_min" "$s_max")
    o=$(printf '%.2f (%.2f-%.2f)' "$o_med" "$o_min" "$o_max")
    read -r ratio winner < <(awk -v s="$s_med" -v o="$o_med" '
        BEGIN {
            r = o != 0 ? s / o : 0
            w = s == o ? "equal" : s < o ? "Skiff" : "Open vSwitch"
            printf "%.2f %s\n", r, w
        }')
    echo "| $name | $s | $o | $ratio | $winner |" >>"$table_md"
    printf '%-44s %-22s %-22s %6s  %s\n' "$name" "$s" "$o" "$ratio" \
        "$winner" >>"$table_txt"
}
{
    echo -n "| Test (seconds, lower is better) "
    echo -n "| skiff-vsctl + skiff-dbd median (min-max) "
    echo -n "| ovs-vsctl + ovsdb-server median (min-max) "
    echo "| Skiff / Open vSwitch | Faster |"
    echo "|---|---:|---:|---:|---|"
} >"$table_md"
printf '%-44s %-22s %-22s %6s  %s\n' "test (seconds)" skiff-vsctl ovs-vsctl \
    ratio faster >"$table_txt"
measure one-by-one "$ports_n ports, one add-port per invocation"
measure chained "$ports_n ports, one chained invocation"

echo
cat "$table_txt"
echo
echo "vsctl-bench: medians (min-max) of $runs runs; ratio is Skiff /" \
    "Open vSwitch; $runs rounds took ${elapsed}s"

# The machine's facts.
machine_facts
fs_source=$(df --output=source "$BENCHDIR" | tail -n 1)
describe_build "$("$skiff_vsctl" --version | head -n 1)"
if [ -n "$sanitizers" ]; then
    skiff_version+=" and sanitizers \`$sanitizers\` (slower)"
fi

# The generated part of docs/benchmarks.md.
fragment=$BENCHDIR/fragment.md
cat >"$fragment" <<EOF
$BEGIN_MARK

Results of \`tests/bench/vsctl-bench.sh\` (run by \`make bench\`) on
$(date -u '+%Y-%m-%d %H:%M UTC'): $runs runs of each test with each tool,
each run against its own server started on a fresh database; the median
run, with the lowest and the highest in brackets. The time is the wall
time of the \`add-port\` invocations only (after \`init\` and
\`add-br br0\`), including starting the tool each time.

$(cat "$table_md")

- one by one: $ports_n invocations \`TOOL --no-wait --db=unix:SOCK
  add-port br0 pN\`, one after the other, from a bash loop.
- chained: one invocation \`TOOL --no-wait --db=unix:SOCK add-port br0 p1
  -- add-port br0 p2 -- ... -- add-port br0 p$n_ports\`.
- After each run the script checked, with the tool under test, that
  \`list-ports br0\` shows exactly p1...p$n_ports, that the bridge's
  \`ports\` column holds $(commas $((n_ports + 1))) uuids, and that the
  Port and Interface tables hold $(commas $((n_ports + 1))) rows each.

The machine:

- CPUs: $(nproc), $cpu_model; memory: $mem_total
- kernel: $(uname -srm)
- filesystem of both databases: $fstype on $fs_source
- Skiff: $skiff_version
- Open vSwitch: $(ovs-vsctl --version | head -n 1), $(ovsdb-server --version | head -n 1)
- wall time of the whole run: ${elapsed}s

$END_MARK
EOF

write_section vsctl-bench "skiff-vsctl and ovs-vsctl" "$fragment"
