#!/bin/bash
# The control protocol over TLS: certificates made here with openssl, a
# daemon listening on pssl:, skiff-appctl connecting with ssl:, and peers
# that must be refused.

. "$srcdir/tests/integration/lib.sh"

if ! command -v openssl >/dev/null; then
    skip "TLS tests" "the openssl command is not installed"
    finish
fi

check "a CA is made" make_ca ca
check "a server certificate is made" make_cert server ca
check "a client certificate is made" make_cert client ca
check "a second, untrusted CA is made" make_ca rogue
check "a certificate from the untrusted CA is made" make_cert intruder rogue


start_daemon testd skiff-testd --pidfile --log-file="$TESTDIR/testd.log" \
    --remote=pssl:0:127.0.0.1 $(creds server ca)
testd=$DAEMON_PID
if ! wait_for "skiff-testd" 10 skiff-appctl -t skiff-testd version; then
    not_ok "skiff-testd starts with a pssl listener"
    sed 's/^/# /' "$TESTDIR/testd.stdout" "$TESTDIR/testd.log"
    finish
fi
port=$(skiff-appctl -t skiff-testd test/listeners |
       sed -n 's/^pssl:\([0-9]*\):.*/\1/p')
check_output "skiff-testd listens on pssl with a real port" '^[0-9]+$' \
    echo "$port"
target=ssl:127.0.0.1:$port

tls() { skiff-appctl -T 10 -t "$target" $(creds client ca) "$@"; }

check_output "list-commands over TLS" 'vlog/set' tls list-commands
check_output "a command with arguments over TLS" '^over tls$' \
    tls test/echo over tls
check "vlog/set over TLS" tls vlog/set testd:file:dbg
check_output "... takes effect" '^testd +WARN +OFF +DBG' tls vlog/list
check_fails "an error over TLS exits 1" 1 tls test/fail nope

check_fails "a client with a certificate from another CA is refused" 1 \
    skiff-appctl -T 10 -t "$target" $(creds intruder rogue) version
check_fails "a client that does not trust the server's CA is refused" 1 \
    skiff-appctl -T 10 -t "$target" $(creds client rogue) version
check_fails "an ssl: target without credentials is refused" 1 \
    skiff-appctl -T 10 -t "$target" version
check_output "... saying what is missing" 'private-key' echo "$LAST_OUTPUT"
check_fails "half the credentials is a usage error" 2 \
    skiff-appctl -t "$target" --private-key="$pki/client-key.pem" version
check_fails "a missing key file is refused" 1 \
    skiff-appctl -t "$target" --private-key="$pki/none.pem" \
    --certificate="$pki/client-cert.pem" --ca-cert="$pki/ca-cert.pem" version
check_output "... naming the file" 'none\.pem' echo "$LAST_OUTPUT"
check_fails "a key that does not match the certificate is refused" 1 \
    skiff-appctl -t "$target" --private-key="$pki/server-key.pem" \
    --certificate="$pki/client-cert.pem" --ca-cert="$pki/ca-cert.pem" version
check_output "... saying they do not match" 'does not match' \
    echo "$LAST_OUTPUT"

plain_garbage() {
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf 'GET / HTTP/1.0\r\n\r\n' >&3
    timeout 5 cat <&3 >/dev/null
    exec 3>&-
}
check "plain text is sent to the TLS port" plain_garbage
check "the daemon still answers over TLS" tls version
check_output "... and logged the failed handshake" 'TLS handshake failed' \
    cat "$TESTDIR/testd.log"

check_fails "skiff-testd refuses pssl: without credentials" 1 \
    skiff-testd --ctl=none --remote=pssl:0:127.0.0.1

check "exit over TLS" tls exit
check "the daemon exits" wait_exit "$testd" 10

finish
