# Shared by the ofproto-*.sh scripts (sourced after lib.sh): starts
# ofproto-testd and defines appctl / ofctl against it.

start_testd() {
    start_daemon ofproto-testd ofproto-testd --pidfile \
        --log-file="$TESTDIR/ofproto-testd.log"
    if ! wait_for "ofproto-testd's control socket" 10 \
            skiff-appctl -t ofproto-testd version; then
        not_ok "ofproto-testd starts"
        sed 's/^/# /' "$TESTDIR"/ofproto-testd.* 2>/dev/null
        finish
    fi
}

appctl() { skiff-appctl -t ofproto-testd "$@"; }
ofctl() { skiff-ofctl -t ofproto-testd "$@"; }

# check_same DESC EXPECTED COMMAND...: COMMAND exits 0 and prints exactly
# EXPECTED.
check_same() {
    local desc=$1 want=$2
    shift 2
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
        ok "$desc"
    else
        not_ok "$desc"
        echo "# command: $* (exit $rc)"
        echo "# wanted:"
        printf '%s\n' "$want" | sed 's/^/#   /'
        echo "# got:"
        printf '%s\n' "$out" | sed 's/^/#   /'
    fi
}

# check_fails_output DESC PATTERN COMMAND...: COMMAND exits 1 and its
# output matches PATTERN.
check_fails_output() {
    local desc=$1 pattern=$2
    shift 2
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
        ok "$desc"
    else
        not_ok "$desc"
        echo "# command: $* (exit $rc, wanted 1), wanted output matching: $pattern"
        printf '%s\n' "$out" | sed 's/^/#   /'
    fi
}
