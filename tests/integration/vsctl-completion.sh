#!/bin/bash
# skiff-vsctl's bash completion, run by bash as it would be at a prompt,
# against a real skiff-dbd for the names it completes.

. "$srcdir/tests/integration/lib.sh"

schema=$srcdir/vswitchd/vswitch.schema.json
sock=unix:$TESTDIR/db.sock
start_daemon dbd skiff-dbd --db="$TESTDIR/conf.db" --schema="$schema" \
    --remote="punix:$TESTDIR/db.sock" --ctl=none
check "skiff-dbd starts" wait_for "skiff-dbd" 10 \
    skiff-vsctl --db="$sock" --no-wait init
check "a bridge with two ports" skiff-vsctl --db="$sock" --no-wait \
    add-br br0 -- add-br br1 -- add-port br0 vm1 -- add-port br0 vm2

# complete WORD...: what bash would offer after typing WORD... (the last
# word is the one being completed).
complete_words() {
    bash -c '
        . "$1"; shift
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        _skiff_vsctl
        printf "%s\n" "${COMPREPLY[@]}" | sort' \
        completion "$srcdir/utilities/bash-completion/skiff-vsctl" "$@"
}

check_output "command names complete" '^add-br$' \
    complete_words skiff-vsctl ad
check_output "... to every command that fits" '^add-port$' \
    complete_words skiff-vsctl ad
check_output "options complete" '^--may-exist$' \
    complete_words skiff-vsctl --may
check_output "bridge names complete from the database" '^br1$' \
    complete_words skiff-vsctl "--db=$sock" list-ports br
check_output "port names complete" '^vm2$' \
    complete_words skiff-vsctl "--db=$sock" del-port vm
check_output "table names complete for database commands" '^Interface$' \
    complete_words skiff-vsctl list Int
check_output "completion restarts after --" '^list-br$' \
    complete_words skiff-vsctl "--db=$sock" add-br br9 -- list-b
check_fails "no bridge that is not there" 1 \
    bash -c "$(declare -f complete_words); srcdir='$srcdir' \
             complete_words skiff-vsctl '--db=$sock' list-ports brx | grep ."

finish
