#!/bin/bash
# skiff-vmm boots the test guest (tests/guest/) through the Linux boot
# protocol, and what the guest prints matches the VMM's arguments: the
# command line, the e820 map, the memory size and the vCPU count (from the
# MADT it found through the RSDP).  The guest's i8042 reset ends the VMM
# with status 0; so do the console's escape key and SIGTERM.

. "$srcdir/tests/integration/lib.sh"
. "$srcdir/tests/integration/vmm-lib.sh"

need_kvm "booting the test guest"

log=$TESTDIR/console.log
check "a 2-vCPU 256 MiB guest boots and resets (exit 0)" \
    timeout 60 "$VMM" --kernel "$GUEST" --cpus 2 --memory 256M \
        --cmdline "exit=1 tag=boot-test" --console "file:$log"
check "it printed the command line it was given" \
    console_has "$log" '^skiff-test-guest: cmdline="exit=1 tag=boot-test"$'
check "the e820 map: low RAM below the EBDA" \
    console_has "$log" '^e820: 0x0000000000000000-0x000000000009fbff type 1'
check "the e820 map: the ACPI area is reserved" \
    console_has "$log" '^e820: 0x00000000000e0000-0x00000000000fffff type 2'
check "the e820 map: RAM from 1 MiB to 256 MiB" \
    console_has "$log" '^e820: 0x0000000000100000-0x000000000fffffff type 1'
check "memory: 256 MiB" console_has "$log" '^memory: 256 MiB$'
check "the guest found the ACPI tables through the RSDP" \
    console_has "$log" '^acpi: rsdp 0x[0-9a-f]+ revision 2, .*FACP APIC'
check "cpus: 2 (from the MADT)" console_has "$log" '^cpus: 2$'
check "the guest reached its exit" \
    console_has "$log" '^skiff-test-guest: exit'

# More memory than fits below the hole: RAM goes on above 4 GiB.
log=$TESTDIR/console-4g.log
check "a 3-vCPU 4 GiB guest boots" \
    timeout 60 "$VMM" --kernel "$GUEST" --cpus 3 --memory 4G \
        --cmdline "exit=1" --console "file:$log"
check "the e820 map: RAM up to the hole at 3 GiB" \
    console_has "$log" '^e820: 0x0000000000100000-0x00000000bfffffff type 1'
check "the e820 map: the rest from 4 GiB" \
    console_has "$log" '^e820: 0x0000000100000000-0x000000013fffffff type 1'
check "memory: 4096 MiB" console_has "$log" '^memory: 4096 MiB$'
check "cpus: 3" console_has "$log" '^cpus: 3$'

# A disk adds a virtio_mmio.device= entry to the guest's command line.
truncate -s 1M "$TESTDIR/disk.img"
log=$TESTDIR/console-disk.log
check "a guest with a disk boots" \
    timeout 60 "$VMM" --kernel "$GUEST" --disk "$TESTDIR/disk.img" \
        --cmdline "exit=1" --console "file:$log"
check "its command line names the virtio-mmio device" \
    console_has "$log" \
    '^skiff-test-guest: cmdline="exit=1 virtio_mmio.device=4K@0xd0000000:5"$'

# The console on stdio: output on stdout; Ctrl-A x ends a guest that
# would otherwise idle.
check_output "the console on stdio prints the guest's lines" \
    '^cpus: 1' \
    timeout 60 "$VMM" --kernel "$GUEST" --cmdline "exit=1"
(sleep 2; printf '\001x') | timeout 60 "$VMM" --kernel "$GUEST" \
    --cmdline "stay" >"$TESTDIR/escape.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
    ok "Ctrl-A x on the stdio console ends the VM with status 0"
else
    not_ok "Ctrl-A x on the stdio console ends the VM with status 0"
    echo "# exit status $rc"
    sed 's/^/#   /' "$TESTDIR/escape.out"
fi

# The console on a unix socket: what the guest printed before a client
# connected is kept for it.  (perl-base speaks unix sockets.)
read_socket() {
    perl -MIO::Socket::UNIX -e '
        my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "$!\n";
        $SIG{ALRM} = sub { exit 0 };
        alarm 3;
        while (sysread($s, my $b, 4096)) { print $b }' "$1"
}
start_daemon vmm-socket "$VMM" --kernel "$GUEST" --cmdline "stay" \
    --console "socket:$TESTDIR/console.sock"
wait_for "the console socket" 30 test -S "$TESTDIR/console.sock"
sleep 1
check_output "a console socket client gets the guest's boot lines" \
    'cmdline="stay"' read_socket "$TESTDIR/console.sock"
kill -TERM "$DAEMON_PID"
check "the VM stops" wait_exit "$DAEMON_PID" 10
check_fails "its console socket is removed" 1 test -e "$TESTDIR/console.sock"

# SIGTERM stops a running VM with status 0.
start_daemon vmm-term "$VMM" --kernel "$GUEST" --cmdline "stay" \
    --console "file:$TESTDIR/term.log"
pid=$DAEMON_PID
wait_for "the guest's first line" 30 \
    console_has "$TESTDIR/term.log" '^cpus: 1$'
kill -TERM "$pid"
wait "$pid"
rc=$?
if [ $rc -eq 0 ]; then
    ok "SIGTERM ends the VM with status 0"
else
    not_ok "SIGTERM ends the VM with status 0 (got $rc)"
fi

finish
