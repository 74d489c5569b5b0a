#!/bin/bash
# virtio-blk: the test guest writes a sector, flushes and reads it back
# through skiff-vmm's virtio-blk device, and the data is in the image
# file afterwards; a read-only disk refuses the write and stays unchanged;
# the device id is the image's name; bad descriptor chains fail alone.

. "$srcdir/tests/integration/lib.sh"
. "$srcdir/tests/integration/vmm-lib.sh"

need_kvm "virtio-blk round trips"

img=$TESTDIR/disk.img
truncate -s 1M "$img"
log=$TESTDIR/rw.log
check "the guest runs its disk test" \
    timeout 60 "$VMM" --kernel "$GUEST" --disk "$img" \
        --cmdline "exit=1 blktest=1 blksector=7" --console "file:$log"
check "it sees the disk's size" \
    console_has "$log" '^blk: device at 0xd0000000 irq 5: 2048 sectors$'
check "the device id is the image's name" \
    console_has "$log" '^blk: id "disk.img"$'
check "write, flush and read back agree" \
    console_has "$log" '^blk: ok \(sector 7 written, flushed, read back\)'
check_output "sector 7 of the image holds what the guest wrote" \
    '^skiff-test-guest blktest sector=7$' \
    dd if="$img" bs=512 skip=7 count=1 status=none
zero_sector() {
    dd if="$img" bs=512 skip="$1" count=1 status=none |
        cmp -s -n 512 - /dev/zero
}
check "sector 6 is untouched" zero_sector 6
check "sector 8 is untouched" zero_sector 8

# The last sector works; one past the end the guest does not try.
log=$TESTDIR/last.log
check "the last sector round trips" \
    timeout 60 "$VMM" --kernel "$GUEST" --disk "$img" \
        --cmdline "exit=1 blktest=1 blksector=2047" --console "file:$log"
check "... and the guest says so" console_has "$log" '^blk: ok \(sector 2047'

# Read-only: the write fails with IOERR and the file is unchanged.
ro=$TESTDIR/ro.img
truncate -s 64K "$ro"
sum_before=$(md5sum <"$ro")
log=$TESTDIR/ro.log
check "a guest with a read-only disk runs" \
    timeout 60 "$VMM" --kernel "$GUEST" --disk "$ro,ro" \
        --cmdline "exit=1 blktest=1 blksector=3" --console "file:$log"
check "the device says read-only" \
    console_has "$log" '^blk: device at .*: 128 sectors, read-only$'
check "the write is refused with IOERR" \
    console_has "$log" '^blk: write of sector 3 failed: IOERR$'
check_output "the image is unchanged" "^$sum_before\$" md5sum <"$ro"

# A guest that submits bad descriptor chains: one with a buffer outside
# its RAM, one that loops.  Each fails alone, completed with nothing
# written; the VMM keeps serving the good requests that follow.
log=$TESTDIR/bad.log
check "a guest with bad descriptor chains runs to its end (exit 0)" \
    timeout 60 "$VMM" --kernel "$GUEST" --disk "$img" \
        --cmdline "exit=1 blkbad=1 blktest=1 blksector=9" \
        --console "file:$log"
check "the chain with an address outside RAM is refused (len 0)" \
    console_has "$log" '^blk: bad chain a: completed, len 0$'
check "the looping chain is refused (len 0)" \
    console_has "$log" '^blk: bad chain b: completed, len 0$'
check "good requests still work afterwards" \
    console_has "$log" '^blk: ok \(sector 9 written'

# Two disks: each gets its own window and IRQ, in order.
log=$TESTDIR/two.log
truncate -s 2M "$TESTDIR/second.img"
check "a guest with two disks runs" \
    timeout 60 "$VMM" --kernel "$GUEST" --disk "$img" \
        --disk "$TESTDIR/second.img" --cmdline "exit=1" \
        --console "file:$log"
check "the second disk is at 0xd0001000, IRQ 6" \
    console_has "$log" '^blk: device at 0xd0001000 irq 6: 4096 sectors$'

finish
