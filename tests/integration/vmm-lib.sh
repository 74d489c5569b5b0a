# Shared by the vmm-*.sh scripts (sourced after lib.sh): where skiff-vmm
# and the test guest are, and whether this machine can run a VM.

VMM=$builddir/vmm/skiff-vmm
GUEST=$builddir/tests/guest/skiff-test-guest.img

# need_kvm WHAT: skips WHAT and finishes unless /dev/kvm can be used.
need_kvm() {
    if [ ! -c /dev/kvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
        skip "$1" "no usable /dev/kvm on this machine"
        finish
    fi
}

# console_has FILE PATTERN: the console log FILE has a line matching the
# extended regex PATTERN (the guest ends lines with "\r\n").
console_has() {
    tr -d '\r' <"$1" | grep -Eq -- "$2"
}
