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
