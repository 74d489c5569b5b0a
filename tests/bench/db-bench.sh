#!/bin/bash
# db-bench: skiff-dbd side by side with Open vSwitch's ovsdb-server, run by
# "make bench".
#
# Both servers get the same schema (vswitchd/vswitch.schema.json), a fresh
# database for every run, one private directory (so one filesystem), and
# the same client, tests/bench/db-load.  Each test runs BENCH_RUNS times
# per server, interleaved (the server that goes first alternates from
# round to round), so that drift in the machine's speed touches both
# alike.  The table of medians goes to stdout and, with the machine's
# facts, between the markers in docs/benchmarks.md; the rest of that file
# is written by hand and left alone.
#
# Environment: srcdir, builddir (default .), BENCH_RUNS (default 5),
# BENCH_OUTPUT (default $srcdir/docs/benchmarks.md), KEEP_BENCHDIR=1 to
# keep the directory with the databases and the servers' logs.

set -u

srcdir=${srcdir:-.}
builddir=${builddir:-.}
srcdir=$(cd "$srcdir" && pwd)
builddir=$(cd "$builddir" && pwd)
runs=${BENCH_RUNS:-5}
output=${BENCH_OUTPUT:-$srcdir/docs/benchmarks.md}

bench_name=db-bench
. "$srcdir/tests/bench/lib.sh"

schema=$srcdir/vswitchd/vswitch.schema.json
dbd=$builddir/vswitchd/skiff-dbd
load=$builddir/tests/bench/db-load

# The load (see db-load --help).
single_count=2000           # One-row transactions, one at a time.
bulk_rows=1000              # Rows in one durable transaction...
bulk_repeat=5               # ...measured this many times per run.
memory_rows=100000          # Rows inserted for the memory test...
memory_batch=1000           # ...this many per transaction...
memory_checkpoint=30000     # ...with a first reading after this many.
tests=(single single-nondurable bulk memory)

BEGIN_MARK='<!-- BEGIN db-bench results: written by'
BEGIN_MARK+=' tests/bench/db-bench.sh; do not edit -->'
END_MARK='<!-- END db-bench results -->'

for prog in ovsdb-server ovsdb-tool; do
    if ! command -v "$prog" >/dev/null 2>&1; then
        fail "$prog not found: install openvswitch-common"
    fi
done
for prog in "$dbd" "$load"; do
    [ -x "$prog" ] || fail "$prog is not built (run \"make bench\")"
done
case $runs in
    [1-9] | [1-9][0-9]) ;;
    *) fail "BENCH_RUNS must be a number from 1 to 99, not \"$runs\"" ;;
esac

bench_dir

# run_test TEST SERVER ROUND: one run of TEST against a fresh SERVER;
# appends "TEST SERVER KEY=VALUE..." to the results, with the number of
# times the server compacted its file during the run.
run_test() {
    local test=$1 server=$2 log=$BENCHDIR/$2-$1-$3.log args line n
    case $test in
        single)
            args=(--test=single --count="$single_count") ;;
        single-nondurable)
            args=(--test=single --count="$single_count" --durable=false) ;;
        bulk)
            args=(--test=bulk --count="$bulk_rows" --repeat="$bulk_repeat") ;;
        memory)
            args=(--test=memory --count="$memory_rows"
                  --batch="$memory_batch" --checkpoint="$memory_checkpoint")
            ;;
    esac
    start_server "$server" "$log"
    if ! line=$("$load" --remote="unix:$sock" --pid="$server_pid" \
                "${args[@]}" 2>"$BENCHDIR/load.err"); then
        echo "db-bench: $test against $server failed:" >&2
        cat "$BENCHDIR/load.err" >&2
        echo "db-bench: last lines of $log:" >&2
        tail -n 10 "$log" >&2
        exit 1
    fi
    stop_server
    case $server in
        skiff) n=$(grep -c 'compacted to' "$log") ;;
        ovsdb) n=$(grep -c 'compacting database online' "$log") ;;
    esac
    echo "$test $server $line compactions=$n" >>"$results"
    printf '  %-17s %-5s %s compactions=%s\n' "$test" "$server" "$line" "$n"
}

# stats TEST SERVER KEY [SCALE]: "median min max" of KEY (times SCALE, a
# number or a fraction such as 1/1024) over the runs.
stats() {
    key_values "$results" "$@" | median_min_max
}

# range TEST SERVER KEY: KEY's lowest and highest value over the runs.
range() {
    local min max
    read -r _ min max < <(stats "$1" "$2" "$3") || return
    if [ "$min" = "$max" ]; then
        echo "$min"
    else
        echo "$min-$max"
    fi
}

fstype=$(df --output=fstype "$BENCHDIR" | tail -n 1)
echo "db-bench: $runs rounds in $BENCHDIR ($fstype)"
start_time=$(date +%s)
for ((round = 1; round <= runs; round++)); do
    if ((round % 2)); then
        order=(skiff ovsdb)
    else
        order=(ovsdb skiff)
    fi
    echo "round $round of $runs"
    for test in "${tests[@]}"; do
        for server in "${order[@]}"; do
            run_test "$test" "$server" "$round"
        done
    done
done
elapsed=$(($(date +%s) - start_time))

# measure TEST KEY SCALE FORMAT BETTER NAME: adds the row NAME to the
# tables: the value of KEY in TEST's results, times SCALE, printed with
# FORMAT, BETTER when "higher" or "lower".
measure() {
    local test=$1 key=$2 scale=$3 fmt=$4 better=$5 name=$6
    local s_med s_min s_max o_med o_min o_max s o ratio winner
    read -r s_med s_min s_max < <(stats "$test" skiff "$key" "$scale") ||
        fail "no $key in the results of $test from skiff"
    read -r o_med o_min o_max < <(stats "$test" ovsdb "$key" "$scale") ||
        fail "no $key in the results of $test from ovsdb"
    # shellcheck disable=SC2059 # The formats are the callers' own.
    s=$(printf "$fmt ($fmt-$fmt)" "$s_med" "$s_min" "$s_max")
    # shellcheck disable=SC2059
    o=$(printf "$fmt ($fmt-$fmt)" "$o_med" "$o_min" "$o_max")
    read -r ratio winner < <(awk -v s="$s_med" -v o="$o_med" -v b="$better" '
        BEGIN {
            r = o != 0 ? s / o : 0
            if (s == o) {
                w = "equal"
            } else if ((b == "higher") == (s > o)) {
                w = "Skiff"
            } else {
                w = "ovsdb-server"
            }
            printf "%.2f %s\n", r, w
        }')
    echo "| $name | $s | $o | $ratio | $winner ($better is better) |" \
        >>"$table_md"
    printf '%-54s %-22s %-22s %6s  %s\n' "$name" "$s" "$o" "$ratio" \
        "$winner" >>"$table_txt"
}

table_md=$BENCHDIR/table.md
table_txt=$BENCHDIR/table.txt
{
    echo -n "| Test | Skiff median (min-max) "
    echo "| ovsdb-server median (min-max) | Skiff / ovsdb-server | Better |"
    echo "|---|---:|---:|---:|---|"
} >"$table_md"
printf '%-54s %-22s %-22s %6s  %s\n' test Skiff ovsdb-server ratio better \
    >"$table_txt"

bulk_n=$(commas "$bulk_rows")
memory_n=$(commas "$memory_rows")
checkpoint_n=$(commas "$memory_checkpoint")
batch_n=$(commas "$memory_batch")
measure single value 1 %.0f higher \
    "single: one-row durable transactions (txn/s)"
measure single-nondurable value 1 %.0f higher \
    "single, not durable (txn/s)"
measure bulk value 1 %.1f lower \
    "bulk: one $bulk_n-row durable transaction (ms)"
measure memory rss_before_kb 1/1024 %.1f lower \
    "memory: RSS at start, empty database (MiB)"
measure memory checkpoint_mib 1 %.1f lower \
    "memory: RSS growth, first $checkpoint_n rows (MiB)"
measure memory value 1 %.1f lower \
    "memory: RSS growth, $memory_n rows (MiB)"
measure memory rows_per_s 1 %.0f higher \
    "memory: insert rate, $batch_n-row transactions (rows/s)"

echo
cat "$table_txt"
echo
echo "db-bench: medians (min-max) of $runs runs; ratio is Skiff /" \
    "ovsdb-server; $runs rounds took ${elapsed}s"

# The machine's facts.
machine_facts
fs_source=$(df --output=source "$BENCHDIR" | tail -n 1)
describe_build "$("$dbd" --version | head -n 1)"
if [ -n "$sanitizers" ]; then
    skiff_version+=" and sanitizers \`$sanitizers\` (slower)"
fi
skiff_compactions=$(range memory skiff compactions)
ovsdb_compactions=$(range memory ovsdb compactions)

# The generated part of docs/benchmarks.md.
fragment=$BENCHDIR/fragment.md
cat >"$fragment" <<EOF
$BEGIN_MARK

Results of \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC'):
$runs runs of each test against each server, each run on a fresh
database; the median run, with the lowest and the highest in brackets.

$(cat "$table_md")

The load, from one client (\`tests/bench/db-load\`) over a unix socket,
every row going into the root table \`Queue\` with one \`external_ids\`
entry:

- single: $(commas "$single_count") transactions one after the other,
  each inserting one row and committing with \`"durable": true\`
  ("not durable": \`false\`).
- bulk: one transaction inserting $bulk_n rows with a durable commit; each
  run times $bulk_repeat of them and reports their median.
- memory: $memory_n rows in transactions of $batch_n (\`"durable": false\`);
  the growth of the server's VmRSS (\`/proc/PID/status\`) from before the
  first insert to after the first $checkpoint_n rows and after all of them.
  The insert rate is from the same runs. Times the server compacted its
  file during a memory run: skiff-dbd $skiff_compactions,
  ovsdb-server $ovsdb_compactions.

The machine:

- CPUs: $(nproc), $cpu_model; memory: $mem_total
- kernel: $(uname -srm)
- filesystem of both databases: $fstype on $fs_source
- Skiff: $skiff_version
- ovsdb-server: $(ovsdb-server --version | head -n 1)
- wall time of the whole run: ${elapsed}s

$END_MARK
EOF

write_section db-bench "" "$fragment"
