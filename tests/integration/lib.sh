# Shared helpers for Skiff's integration tests (sourced, bash).
#
# Each script:
#   . "$srcdir/tests/integration/lib.sh"
#   check "what it shows" COMMAND ARG...     # ok/not ok from exit status
#   check_output "what" EXPECTED COMMAND...  # output must contain EXPECTED
#   skip "what" "why"
#   start_daemon NAME COMMAND...             # remembered and stopped at exit
#   finish                                   # prints the TAP plan, exits
#
# Results are TAP lines, read by tests/run-tests.sh.  Every script works in
# its own directory ($TESTDIR, used as SKIFF_RUNDIR), and everything it
# started is stopped by PID when it exits, even after a failure.

set -u

srcdir=${srcdir:-.}
builddir=${builddir:-.}
builddir=$(cd "$builddir" && pwd)
srcdir=$(cd "$srcdir" && pwd)
PATH=$builddir/utilities:$builddir/tests:$builddir/vswitchd:$PATH

TESTDIR=$(mktemp -d "${TMPDIR:-/tmp}/skiff-test-XXXXXX")
export SKIFF_RUNDIR=$TESTDIR
export TESTDIR

n_tests=0
n_failed=0
declare -a started_pids=()
declare -A pid_names=()

stop_all() {
    local pid
    for pid in "${started_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${started_pids[@]}"; do
        local i
        for i in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "# ${pid_names[$pid]:-pid $pid} ignored SIGTERM; killing" >&2
            kill -KILL "$pid" 2>/dev/null
        fi
    done
    started_pids=()
}

cleanup() {
    stop_all
    if [ -n "${KEEP_TESTDIR:-}" ]; then
        echo "# kept $TESTDIR"
    else
        rm -rf "$TESTDIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() {
    n_tests=$((n_tests + 1))
    echo "ok $n_tests - $1"
}

not_ok() {
    n_tests=$((n_tests + 1))
    n_failed=$((n_failed + 1))
    echo "not ok $n_tests - $1"
}

skip() {
    n_tests=$((n_tests + 1))
    echo "ok $n_tests # SKIP $1: $2"
}

# check DESC COMMAND...: passes when COMMAND exits 0.
check() {
    local desc=$1
    shift
    local out
    if out=$("$@" 2>&1); then
        ok "$desc"
    else
        not_ok "$desc"
        echo "# command: $*"
        printf '%s\n' "$out" | sed 's/^/#   /'
    fi
}

# check_fails DESC STATUS COMMAND...: passes when COMMAND exits STATUS.
check_fails() {
    local desc=$1 want=$2
    shift 2
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq "$want" ]; then
        ok "$desc"
    else
        not_ok "$desc"
        echo "# command: $* (exit $rc, wanted $want)"
        printf '%s\n' "$out" | sed 's/^/#   /'
    fi
    LAST_OUTPUT=$out
}

# check_output DESC PATTERN COMMAND...: passes when COMMAND exits 0 and its
# output (stdout and stderr) matches the extended regex PATTERN.
check_output() {
    local desc=$1 pattern=$2
    shift 2
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
        ok "$desc"
    else
        not_ok "$desc"
        echo "# command: $* (exit $rc), wanted output matching: $pattern"
        printf '%s\n' "$out" | sed 's/^/#   /'
    fi
    LAST_OUTPUT=$out
}

# start_daemon NAME COMMAND...: runs COMMAND in the background, remembered
# for stop_all.  Sets DAEMON_PID.
start_daemon() {
    local name=$1
    shift
    "$@" >>"$TESTDIR/$name.stdout" 2>&1 &
    DAEMON_PID=$!
    started_pids+=("$DAEMON_PID")
    pid_names[$DAEMON_PID]=$name
}

# wait_for DESC SECONDS COMMAND...: retries COMMAND every 0.1 s until it
# succeeds; returns 1 after SECONDS.
wait_for() {
    local desc=$1 secs=$2
    shift 2
    local i
    for i in $(seq $((secs * 10))); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "# timed out after ${secs}s waiting for $desc"
    return 1
}

# wait_exit PID SECONDS: waits for PID to exit; returns 1 if it does not.
wait_exit() {
    local pid=$1 secs=$2 i
    for i in $(seq $((secs * 10))); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

# Certificates for TLS tests, in $pki (made on first use).
pki=$TESTDIR/pki

# make_ca NAME: a self-signed CA.  make_cert NAME CA: a key and a
# certificate for NAME signed by CA.
make_ca() {
    mkdir -p "$pki"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
        -keyout "$pki/$1-key.pem" -out "$pki/$1-cert.pem" 2>/dev/null
}
make_cert() {
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" \
        -keyout "$pki/$1-key.pem" -out "$pki/$1-req.pem" 2>/dev/null &&
    openssl x509 -req -in "$pki/$1-req.pem" -days 2 \
        -CA "$pki/$2-cert.pem" -CAkey "$pki/$2-key.pem" -CAcreateserial \
        -out "$pki/$1-cert.pem" 2>/dev/null
}

# creds NAME CA: Skiff's options to present NAME's certificate and trust
# CA.
creds() {
    echo "--private-key=$pki/$1-key.pem" "--certificate=$pki/$1-cert.pem" \
         "--ca-cert=$pki/$2-cert.pem"
}

finish() {
    echo "1..$n_tests"
    [ "$n_failed" -eq 0 ]
    exit
}
