# Shared by Skiff's benchmark scripts (sourced, bash): messages, a private
# directory cleaned up at exit, and starting and stopping the servers
# under test.  The script sets bench_name first, and schema and dbd
# (skiff-dbd's path) before it starts a server.

fail() {
    echo "$bench_name: $*" >&2
    exit 1
}

# bench_dir: makes the private directory BENCHDIR (removed at exit unless
# KEEP_BENCHDIR is set) with an empty results file, and the exit trap
# that stops whatever server is running.
bench_dir() {
    BENCHDIR=$(mktemp -d "${TMPDIR:-/tmp}/skiff-$bench_name-XXXXXX") ||
        fail "cannot create a temporary directory"
    results=$BENCHDIR/results
    : >"$results"
    server_pid=
    trap cleanup EXIT
    trap 'exit 130' INT TERM
}

# Stops the server that is running, if any, by its pid: SIGTERM, then
# SIGKILL after 10 seconds.
stop_server() {
    local tries
    if [ -n "$server_pid" ]; then
        kill -TERM "$server_pid" 2>/dev/null
        for ((tries = 0; tries < 100; tries++)); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$server_pid" 2>/dev/null; then
            echo "$bench_name: pid $server_pid ignored SIGTERM; killing" >&2
            kill -KILL "$server_pid" 2>/dev/null
        fi
        wait "$server_pid" 2>/dev/null
        server_pid=
    fi
}

cleanup() {
    stop_server
    if [ -n "${KEEP_BENCHDIR:-}" ]; then
        echo "$bench_name: kept $BENCHDIR"
    else
        rm -rf "$BENCHDIR"
    fi
}

# start_server SERVER LOG: starts SERVER (skiff or ovsdb) on a fresh
# database, logging to LOG, in the background of this shell, and waits
# until its socket is there.  Sets server_pid and sock.
start_server() {
    local server=$1 log=$2 db=$BENCHDIR/$1.db out=$BENCHDIR/$1.out tries
    sock=$BENCHDIR/$1.sock
    rm -f "$db" "$sock"
    case $server in
        skiff)
            SKIFF_RUNDIR=$BENCHDIR "$dbd" --db="$db" --schema="$schema" \
                --remote="punix:$sock" --pidfile="$BENCHDIR/skiff-dbd.pid" \
                --log-file="$log" --rundir="$BENCHDIR" >>"$out" 2>&1 &
            ;;
        ovsdb)
            if ! ovsdb-tool create "$db" "$schema" >>"$out" 2>&1; then
                fail "ovsdb-tool create failed: $(tail -n 5 "$out")"
            fi
            OVS_RUNDIR=$BENCHDIR OVS_LOGDIR=$BENCHDIR OVS_DBDIR=$BENCHDIR \
                ovsdb-server "$db" --remote="punix:$sock" \
                --pidfile="$BENCHDIR/ovsdb-server.pid" --log-file="$log" \
                --unixctl="$BENCHDIR/ovsdb-server.ctl" --no-chdir \
                >>"$out" 2>&1 &
            ;;
    esac
    server_pid=$!
    for ((tries = 0; tries < 100; tries++)); do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            wait "$server_pid" 2>/dev/null
            server_pid=
            fail "$server did not start: $(tail -n 5 "$out" "$log")"
        fi
        [ -S "$sock" ] && return 0
        sleep 0.1
    done
    fail "$server did not create $sock within 10 seconds"
}

# commas N: N with thousands separated by commas.
commas() {
    echo "$1" |
        sed -e :a -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'
}

# median_min_max: reads numbers, one per line; prints "median min max", or
# fails if there were none.
median_min_max() {
    sort -g | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) {
                exit 1
            }
            m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            print m, v[1], v[NR]
        }'
}

# key_values RESULTS A B KEY [SCALE]: the values of KEY (times SCALE, a
# number or a fraction such as 1/1024) on the lines of RESULTS whose first
# two fields are A and B, in the form "A B key=value key=value ...".
key_values() {
    awk -v a="$2" -v b="$3" -v key="$4" -v scale="${5:-1}" '
        BEGIN {
            n = split(scale, f, "/")
            factor = n == 2 ? f[1] / f[2] : f[1]
        }
        $1 == a && $2 == b {
            for (i = 3; i <= NF; i++) {
                split($i, kv, "=")
                if (kv[1] == key) {
                    printf "%.17g\n", kv[2] * factor
                }
            }
        }' "$1"
}

# machine_facts: sets cpu_model and mem_total.
machine_facts() {
    cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
                head -n 1)
    mem_total=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' \
                    /proc/meminfo)
}

# describe_build VERSION: sets skiff_version to VERSION (a program's
# "--version" line) with the source commit and the build's CFLAGS, and
# sanitizers to the build's sanitizer flags (empty without); the caller
# says what the sanitizers mean for its numbers.
describe_build() {
    local cflags commit
    cflags=$(sed -n 's/^CFLAGS = //p' "$builddir/Makefile")
    sanitizers=$(sed -n 's/^SANITIZER_CFLAGS = //p' "$builddir/Makefile")
    skiff_version=$1
    if commit=$(git -C "$srcdir" rev-parse --short HEAD 2>/dev/null); then
        if [ -n "$(git -C "$srcdir" status --porcelain \
                   --untracked-files=no 2>/dev/null)" ]; then
            skiff_version+=", commit $commit with uncommitted changes"
        else
            skiff_version+=", commit $commit"
        fi
    fi
    skiff_version+=", CFLAGS \`${cflags:-none}\`"
}

# write_section NAME HEADING FRAGMENT: puts FRAGMENT, which begins with
# $BEGIN_MARK and ends with $END_MARK, into $output: in place of what is
# between the marks there, else appended as a new section "## HEADING"
# with an interpretation still to be written.  An empty HEADING is the
# page's first section (db-bench's).  Without $output (or, for the first
# section, without its marks), a new page is written.
write_section() {
    local name=$1 heading=$2 fragment=$3
    if [ -f "$output" ] && grep -qF "$BEGIN_MARK" "$output" &&
       grep -qF "$END_MARK" "$output"; then
        awk -v begin="$BEGIN_MARK" -v end="$END_MARK" -v frag="$fragment" '
            $0 == begin {
                while ((getline line < frag) > 0) {
                    print line
                }
                skipping = 1
                next
            }
            $0 == end {
                skipping = 0
                next
            }
            !skipping' "$output" >"$BENCHDIR/out.md" ||
            fail "cannot update $output"
    elif [ -f "$output" ] && [ -n "$heading" ]; then
        {
            cat "$output"
            echo
            echo "## $heading"
            echo
            cat "$fragment"
            echo
            echo "### Interpretation"
            echo
            echo "(Not written yet.)"
        } >"$BENCHDIR/out.md"
    elif [ -n "$heading" ]; then
        {
            echo "# Skiff benchmarks"
            echo
            echo "## $heading"
            echo
            cat "$fragment"
        } >"$BENCHDIR/out.md"
    else
        {
            echo "# Skiff benchmarks"
            echo
            cat "$fragment"
            echo
            echo "## Interpretation"
            echo
            echo "(Not written yet.)"
        } >"$BENCHDIR/out.md"
    fi
    cp "$BENCHDIR/out.md" "$output" || fail "cannot write $output"
    echo "$name: wrote $output"
}
