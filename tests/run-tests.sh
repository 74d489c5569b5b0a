#!/bin/bash
# Runs Skiff's tests and ends with "N passed, N failed, N skipped".
#
# Usage: run-tests.sh TEST...
#   A TEST ending in .sh is an integration script (run with bash from the
#   source tree); anything else is a unit test program in the build tree.
#   Every test speaks TAP: "ok N - name", "not ok N - name", and
#   "ok N # SKIP reason" (cmocka is told to with CMOCKA_MESSAGE_OUTPUT).
#
# Environment: srcdir, builddir (default .), T (run only the tests whose
# path contains T), SKIFF_TEST_TIMEOUT (seconds per test program, 900).
# Each test's whole output goes to tests/logs/NAME.log; a failing test's
# last lines are printed.

set -u
srcdir=${srcdir:-.}
builddir=${builddir:-.}
filter=${T:-}
limit=${SKIFF_TEST_TIMEOUT:-900}
logdir=$builddir/tests/logs
mkdir -p "$logdir"

passed=0 failed=0 skipped=0

report_failure() {
    local log=$1
    echo "    --- last lines of $log ---"
    tail -n 40 "$log" | sed 's/^/    | /'
}

run_one() {
    local test=$1 name cmd log rc
    name=$(basename "$test")
    name=${name%.sh}
    case $test in
        *.sh) cmd=(bash "$srcdir/$test") ;;
        *) cmd=("$builddir/$test") ;;
    esac
    log=$logdir/$name.log

    local start=$SECONDS
    srcdir=$srcdir builddir=$builddir CMOCKA_MESSAGE_OUTPUT=TAP \
        timeout -k 10 "$limit" "${cmd[@]}" >"$log" 2>&1 </dev/null
    rc=$?

    local n_ok=0 n_fail=0 n_skip=0 plan=
    while IFS= read -r line; do
        case $line in
            "not ok"*"# SKIP"*|"ok"*"# SKIP"*)
                n_skip=$((n_skip + 1))
                echo "SKIP: $name: ${line#*# SKIP}" ;;
            "not ok"*)
                n_fail=$((n_fail + 1))
                echo "FAIL: $name: ${line#not ok }" ;;
            "ok "*)
                n_ok=$((n_ok + 1)) ;;
            1..*)
                plan=${line#1..} ;;
        esac
    done <"$log"

    local total=$((n_ok + n_fail + n_skip))
    if [ $rc -ne 0 ] && [ $n_fail -eq 0 ]; then
        n_fail=1
        if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
            echo "FAIL: $name: timed out after ${limit}s"
        else
            echo "FAIL: $name: exited with status $rc"
        fi
    elif [ -n "$plan" ] && [ "$plan" -gt "$total" ] 2>/dev/null; then
        n_fail=$((n_fail + plan - total))
        echo "FAIL: $name: planned $plan tests, ran $total"
    elif [ $total -eq 0 ]; then
        n_fail=1
        echo "FAIL: $name: reported no results"
    fi

    passed=$((passed + n_ok))
    failed=$((failed + n_fail))
    skipped=$((skipped + n_skip))
    printf '%-28s %3d passed, %d failed, %d skipped (%ds)\n' \
        "$name" "$n_ok" "$n_fail" "$n_skip" $((SECONDS - start))
    if [ $n_fail -ne 0 ]; then
        report_failure "$log"
    fi
}

for test in "$@"; do
    if [ -n "$filter" ] && [[ $test != *"$filter"* ]]; then
        continue
    fi
    run_one "$test"
done

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
