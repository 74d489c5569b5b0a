#!/bin/bash
# The test guest's image (tests/guest/, made by mkimage) has the layout of
# a Linux bzImage: a setup header a boot-protocol loader accepts, the
# 32-bit and 64-bit entry points at offsets 0 and 0x200 of the
# protected-mode part, sizes that cover the binary.  mkimage refuses what
# it cannot wrap.  Loaded away from 1 MiB, the guest moves itself there.

. "$srcdir/tests/integration/lib.sh"
. "$srcdir/tests/integration/vmm-lib.sh"

MKIMAGE=$builddir/tests/guest/mkimage
BIN=$builddir/tests/guest/skiff-test-guest.bin
ELF=$builddir/tests/guest/skiff-test-guest.elf
SETUP=$builddir/tests/guest/setup.bin

# field FILE OFFSET SIZE: the little-endian number of SIZE bytes at OFFSET.
field() {
    od -A n -t u"$3" -j $(($2)) -N "$3" "$1" | tr -d ' '
}

# bytes FILE OFFSET COUNT: COUNT bytes at OFFSET, as text.
bytes() {
    dd if="$1" bs=1 skip=$(($2)) count="$3" 2>/dev/null
}

img=$GUEST
setup_sects=$(field "$img" 0x1f1 1)
setup_size=$(((setup_sects + 1) * 512))
prot_size=$(($(stat -c %s "$img") - setup_size))

check "the boot sector ends with 0xaa55" \
    test "$(field "$img" 0x1fe 2)" -eq $((0xaa55))
check "the header says HdrS" test "$(bytes "$img" 0x202 4)" = HdrS
check "boot protocol 2.15" test "$(field "$img" 0x206 2)" -eq $((0x20f))
check "loadflags: LOADED_HIGH" \
    test $(($(field "$img" 0x211 1) & 1)) -eq 1
check "xloadflags: XLF_KERNEL_64, not loadable above 4 GiB" \
    test $(($(field "$img" 0x236 2) & 3)) -eq 1
check "relocatable, with a power-of-two kernel_alignment" \
    test "$(field "$img" 0x234 1)" -eq 1 \
        -a "$(field "$img" 0x230 4)" -eq $((0x100000))
check "code32_start and pref_address: 1 MiB" \
    test "$(field "$img" 0x214 4)" -eq $((0x100000)) \
        -a "$(field "$img" 0x258 8)" -eq $((0x100000))
check "cmdline_size: 4095" test "$(field "$img" 0x238 4)" -eq 4095
check "syssize covers the protected-mode part" \
    test $(($(field "$img" 0x1f4 4) * 16)) -ge "$prot_size"
check "init_size covers it too, in whole pages" \
    test "$(field "$img" 0x260 4)" -ge "$prot_size" \
        -a $(($(field "$img" 0x260 4) % 4096)) -eq 0
check "kernel_info_offset points at LToP" \
    test "$(bytes "$img" $((setup_size + $(field "$img" 0x268 4))) 4)" = LToP
check "the kernel_version string" \
    test "$(bytes "$img" $((0x200 + $(field "$img" 0x20e 2))) 16)" \
        = skiff-test-guest
check "the protected-mode part is the linked binary" \
    cmp <(tail -c +$((setup_size + 1)) "$img") "$BIN"
check "the 32-bit entry is at offset 0 of it (1 MiB)" \
    grep -Eq '^0+100000 T startup_32$' <(nm "$ELF")
check "the 64-bit entry is at offset 0x200 of it" \
    grep -Eq '^0+100200 T startup_64$' <(nm "$ELF")

# mkimage's refusals.
check_fails "mkimage without its three arguments: usage, exit 2" 2 \
    "$MKIMAGE" "$SETUP" "$BIN"
check_fails "mkimage with a missing binary: exit 1" 1 \
    "$MKIMAGE" "$SETUP" "$TESTDIR/nonexistent" "$TESTDIR/out.img"
check "... naming it" grep -q "nonexistent: No such file" <<<"$LAST_OUTPUT"
head -c 4096 /dev/zero >"$TESTDIR/zero.bin"
check_fails "a binary without the info block: exit 1" 1 \
    "$MKIMAGE" "$SETUP" "$TESTDIR/zero.bin" "$TESTDIR/out.img"
check "... saying so" grep -q "zero.bin: no info block" <<<"$LAST_OUTPUT"
head -c 8192 "$BIN" >"$TESTDIR/short.bin"
check_fails "a truncated binary: exit 1" 1 \
    "$MKIMAGE" "$SETUP" "$TESTDIR/short.bin" "$TESTDIR/out.img"
check "... whose size does not match its info block" \
    grep -q "short.bin: info block does not match" <<<"$LAST_OUTPUT"
check_fails "a real-mode entry too large for its place: exit 1" 1 \
    "$MKIMAGE" "$BIN" "$BIN" "$TESTDIR/out.img"
check "no image is left behind" test ! -e "$TESTDIR/out.img"

# The same image with pref_address 4 MiB: skiff-vmm loads it there and
# the 64-bit entry moves the guest to 1 MiB before running it.
if [ ! -x "$VMM" ]; then
    skip "a guest loaded at 4 MiB runs" "skiff-vmm is not built"
    finish
fi
need_kvm "a guest loaded at 4 MiB runs"
cp "$img" "$TESTDIR/moved.img"
printf '\000\000\100\000' |
    dd of="$TESTDIR/moved.img" bs=1 seek=$((0x258)) conv=notrunc 2>/dev/null
log=$TESTDIR/moved.log
check "a guest whose loader put it at 4 MiB runs and exits" \
    timeout 60 "$VMM" --kernel "$TESTDIR/moved.img" --memory 64M \
        --cmdline "exit=1" --console "file:$log"
check "it entered at 64 bits at 4 MiB and moved itself to 1 MiB" \
    console_has "$log" \
        '^boot: 64-bit entry at 0x400000, moved to 0x100000$'
check "the unmoved image says it ran where it was loaded" \
    timeout 60 "$VMM" --kernel "$img" --memory 64M --cmdline "exit=1" \
        --console "file:$TESTDIR/plain.log"
check "... at 1 MiB" \
    console_has "$TESTDIR/plain.log" '^boot: 64-bit entry at 0x100000$'

# A CPU exception in the guest: reported, then a triple fault ends the VM
# with status 1.
log=$TESTDIR/crash.log
check_fails "a guest that takes an exception ends the VM with status 1" 1 \
    timeout 60 "$VMM" --kernel "$img" --memory 64M --cmdline "crash=1" \
        --console "file:$log"
check "the guest reported the invalid opcode (vector 6)" \
    console_has "$log" '^skiff-test-guest: exception 6 error 0x0 at rip 0x1'

finish
