#!/bin/bash
# skiff-vmm's command line: bad arguments exit 2, and missing or malformed
# kernels, disks and sockets exit 1, each with a message naming the bad
# value, before any vCPU runs.

. "$srcdir/tests/integration/lib.sh"
. "$srcdir/tests/integration/vmm-lib.sh"

# fails_with DESC STATUS PATTERN COMMAND...: COMMAND exits STATUS and its
# output matches PATTERN.
fails_with() {
    local desc=$1 status=$2 pattern=$3
    shift 3
    check_fails "$desc" "$status" "$@"
    check_output "... saying: $pattern" "$pattern" echo "$LAST_OUTPUT"
}

check_output "--help describes the options" '--kernel FILE' "$VMM" --help

fails_with "no --kernel" 2 '--kernel is required' "$VMM"
fails_with "--cpus 0" 2 '--cpus "0"' "$VMM" --kernel "$GUEST" --cpus 0
fails_with "--cpus abc" 2 '--cpus "abc"' "$VMM" --kernel "$GUEST" --cpus abc
fails_with "--cpus 1000" 2 '--cpus "1000"' \
    "$VMM" --kernel "$GUEST" --cpus 1000
fails_with "--memory lots" 2 '--memory "lots"' \
    "$VMM" --kernel "$GUEST" --memory lots
fails_with "--memory 8M (too small)" 2 '--memory "8M"' \
    "$VMM" --kernel "$GUEST" --memory 8M
fails_with "--memory 33M (not 2 MiB pages)" 2 '--memory "33M"' \
    "$VMM" --kernel "$GUEST" --memory 33M
fails_with "--memory 1T (too large)" 2 '--memory "1T"' \
    "$VMM" --kernel "$GUEST" --memory 1T
fails_with "--console tty" 2 '--console "tty"' \
    "$VMM" --kernel "$GUEST" --console tty
fails_with "--console file: without a path" 2 '--console "file:"' \
    "$VMM" --kernel "$GUEST" --console file:
fails_with "--disk with an unknown option" 2 'unknown option "rw"' \
    "$VMM" --kernel "$GUEST" --disk "$TESTDIR/d.img,rw"
fails_with "--disk with an empty path" 2 '--disk ",ro"' \
    "$VMM" --kernel "$GUEST" --disk ",ro"
fails_with "--net without vhost-user=" 2 'must start with "vhost-user=PATH"' \
    "$VMM" --kernel "$GUEST" --net "$TESTDIR/sock"
fails_with "--net with an empty path" 2 'socket path is empty' \
    "$VMM" --kernel "$GUEST" --net "vhost-user=,server"
fails_with "--net with a malformed MAC" 2 'bad option "mac=52:54:00:00:00"' \
    "$VMM" --kernel "$GUEST" --net "vhost-user=$TESTDIR/s,mac=52:54:00:00:00"
fails_with "--net with a multicast MAC" 2 \
    '"01:00:5e:00:00:01" is a multicast' \
    "$VMM" --kernel "$GUEST" \
        --net "vhost-user=$TESTDIR/s,mac=01:00:5e:00:00:01"
fails_with "--net with an unknown option" 2 'bad option "queues=2"' \
    "$VMM" --kernel "$GUEST" --net "vhost-user=$TESTDIR/s,queues=2"
fails_with "--name too long" 2 '--name' \
    "$VMM" --kernel "$GUEST" --name "$(printf 'x%.0s' $(seq 70))"
fails_with "an unknown option" 2 'unrecognized option' \
    "$VMM" --kernel "$GUEST" --frobnicate
fails_with "a stray argument" 2 'unexpected argument "extra"' \
    "$VMM" --kernel "$GUEST" extra

# Files that are missing or wrong: exit 1.
fails_with "a missing kernel" 1 "kernel \"$TESTDIR/nope\".*No such file" \
    "$VMM" --kernel "$TESTDIR/nope"
fails_with "a directory as kernel" 1 "not a regular file" \
    "$VMM" --kernel "$TESTDIR"
head -c 4096 /dev/urandom >"$TESTDIR/random.img"
fails_with "random bytes as kernel" 1 'not a bzImage' \
    "$VMM" --kernel "$TESTDIR/random.img"
head -c 100 "$GUEST" >"$TESTDIR/short.img"
fails_with "a truncated kernel" 1 'too short' \
    "$VMM" --kernel "$TESTDIR/short.img"

# The test guest with one header field broken (offsets from the Linux
# boot protocol).
patch_guest() {
    local name=$1 offset=$2 bytes=$3
    cp "$GUEST" "$TESTDIR/$name.img"
    printf "$bytes" | dd of="$TESTDIR/$name.img" bs=1 seek=$((offset)) \
        conv=notrunc status=none
}
patch_guest old-version 0x206 '\x0b\x02'
fails_with "boot protocol 2.11" 1 'version 2.11 is too old' \
    "$VMM" --kernel "$TESTDIR/old-version.img"
patch_guest no-64 0x236 '\x00\x00'
fails_with "no XLF_KERNEL_64" 1 'XLF_KERNEL_64' \
    "$VMM" --kernel "$TESTDIR/no-64.img"
patch_guest zimage 0x211 '\x00'
fails_with "a zImage (no LOADED_HIGH)" 1 'LOADED_HIGH' \
    "$VMM" --kernel "$TESTDIR/zimage.img"
patch_guest bad-magic 0x202 'HdrX'
fails_with "no HdrS magic" 1 'HdrS' "$VMM" --kernel "$TESTDIR/bad-magic.img"
patch_guest big-setup 0x1f1 '\xff'
fails_with "setup_sects past the end" 1 'setup_sects 255' \
    "$VMM" --kernel "$TESTDIR/big-setup.img"

fails_with "a missing initrd" 1 "initrd \"$TESTDIR/nope\"" \
    "$VMM" --kernel "$GUEST" --initrd "$TESTDIR/nope"
fails_with "a command line longer than the kernel takes" 1 \
    'command line is 5000 bytes' \
    "$VMM" --kernel "$GUEST" --console none \
        --cmdline "$(printf 'a%.0s' $(seq 5000))"

need_kvm "checks that need KVM"
fails_with "a missing disk image" 1 "--disk \"$TESTDIR/nope.img\"" \
    "$VMM" --kernel "$GUEST" --disk "$TESTDIR/nope.img" --console none
printf 'abc' >"$TESTDIR/odd.img"
fails_with "a disk image that is not whole sectors" 1 'whole number' \
    "$VMM" --kernel "$GUEST" --disk "$TESTDIR/odd.img" --console none
fails_with "a console file in a missing directory" 1 \
    "console file \"$TESTDIR/no/dir\"" \
    "$VMM" --kernel "$GUEST" --console "file:$TESTDIR/no/dir"
fails_with "an unreachable vhost-user socket" 1 \
    "cannot connect to \"$TESTDIR/nobody.sock\"" \
    "$VMM" --kernel "$GUEST" --console none \
        --net "vhost-user=$TESTDIR/nobody.sock"
fails_with "an API socket in a missing directory" 1 \
    "--api \"$TESTDIR/no/api.sock\"" \
    "$VMM" --kernel "$GUEST" --console none --api "$TESTDIR/no/api.sock"

finish
