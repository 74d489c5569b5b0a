#!/bin/bash
# A stock Debian kernel under skiff-vmm: an initramfs made from Debian
# packages (busybox-static, and linux-image-cloud-amd64, whose virtio
# drivers are modules) boots with 2 vCPUs, a disk and a network device.
# The kernel must find the CPUs through the MADT and the virtio-mmio
# devices through the DSDT (it is built without virtio_mmio.device=
# support), and ping the test guest through dpdk-testpmd.  Its
# "reboot -f" (reboot=k: the keyboard controller) ends the VMM.
#
# A stock kernel needs hardware virtualization: on a machine whose
# /dev/kvm is the software nested hypervisor (kvm_pvm) it cannot boot, so
# this test runs only where /proc/cpuinfo has vmx or svm.  It downloads
# the two packages with "apt-get download".

. "$srcdir/tests/integration/lib.sh"
. "$srcdir/tests/integration/vmm-lib.sh"

need_kvm "a Linux guest"
if ! grep -Eqw 'vmx|svm' /proc/cpuinfo; then
    skip "a Linux guest" "no vmx or svm in /proc/cpuinfo: a stock kernel cannot boot under this machine's KVM"
    finish
fi
for tool in dpdk-testpmd apt-get apt-cache dpkg-deb; do
    if ! command -v $tool >/dev/null; then
        skip "a Linux guest" "$tool is not installed"
        finish
    fi
done

# The packages, unpacked in $TESTDIR/root.
pkgs=$TESTDIR/pkgs
root=$TESTDIR/root
mkdir -p "$pkgs" "$root"
image=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
        awk '/Depends: linux-image-/ { print $2; exit }')
if [ -z "$image" ] ||
   ! (cd "$pkgs" && apt-get download -q busybox-static "$image") \
       >"$TESTDIR/download.log" 2>&1; then
    skip "a Linux guest" "cannot download busybox-static and linux-image-cloud-amd64 (see apt)"
    finish
fi
for deb in "$pkgs"/*.deb; do
    dpkg-deb -x "$deb" "$root"
done
kernel=$(ls "$root"/boot/vmlinuz-* | head -n 1)
moddir=$(ls -d "$root"/lib/modules/* | head -n 1)
busybox=$root/bin/busybox
check "the packages hold a kernel and busybox" \
    test -f "$kernel" -a -x "$busybox"

# The initramfs: busybox, the virtio modules in load order, an init.
initrd_dir=$TESTDIR/initrd
mkdir -p "$initrd_dir"/{bin,dev,proc,sys,modules}
cp "$busybox" "$initrd_dir/bin/busybox"
modules="drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko
         drivers/virtio/virtio_mmio.ko net/core/failover.ko
         drivers/net/net_failover.ko drivers/net/virtio_net.ko
         drivers/block/virtio_blk.ko"
n=0
for m in $modules; do
    for f in "$moddir/kernel/$m" "$moddir/kernel/$m.xz"; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        case $f in
            *.xz) xz -dc "$f" >"$initrd_dir/modules/$n.ko" ;;
            *) cp "$f" "$initrd_dir/modules/$n.ko" ;;
        esac
    done
done
cat >"$initrd_dir/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /modules/*.ko; do insmod "$m"; done
echo "linux: cpus $(grep -c ^processor /proc/cpuinfo)"
echo "linux: disk $(cat /sys/block/vda/size 2>/dev/null) sectors"
ip link set eth0 up
ip addr add 10.0.0.1/24 dev eth0
if ping -c 3 -W 2 10.0.0.2 >/dev/null; then
    echo "linux: ping ok"
else
    echo "linux: ping failed"
fi
reboot -f
INIT
chmod +x "$initrd_dir/init"
check "the initramfs has the virtio modules" test "$n" -eq 7
(cd "$initrd_dir" && find . | "$busybox" cpio -o -H newc) \
    >"$TESTDIR/initrd.cpio" 2>/dev/null
check "the initramfs is built" test -s "$TESTDIR/initrd.cpio"

# The test guest answers on the other testpmd port.
sock0=$TESTDIR/vhost0.sock
sock1=$TESTDIR/vhost1.sock
start_daemon testpmd stdbuf -o0 dpdk-testpmd -l 0,1 --main-lcore 0 \
    --no-huge -m 1024 --file-prefix="skiff-vmm-linux-$$" --no-pci \
    --vdev "net_vhost0,iface=$sock0,queues=1" \
    --vdev "net_vhost1,iface=$sock1,queues=1" \
    -- --forward-mode=io --auto-start --stats-period 10 \
    --total-num-mbufs=4096
wait_for "testpmd's sockets" 30 test -S "$sock0" -a -S "$sock1"
start_daemon peer "$VMM" --kernel "$GUEST" \
    --net "vhost-user=$sock1,mac=52:54:00:00:00:02" \
    --cmdline "ip=10.0.0.2" --console "file:$TESTDIR/peer.log"

truncate -s 8M "$TESTDIR/disk.img"
log=$TESTDIR/linux.log
check "Linux boots and reboots (exit 0)" \
    timeout 300 "$VMM" --kernel "$kernel" --initrd "$TESTDIR/initrd.cpio" \
        --cpus 2 --memory 512M --disk "$TESTDIR/disk.img" \
        --net "vhost-user=$sock0,mac=52:54:00:00:00:01" \
        --cmdline "console=ttyS0 reboot=k panic=-1 rdinit=/init" \
        --console "file:$log"
check "it found both vCPUs (the MADT)" console_has "$log" '^linux: cpus 2$'
check "it found the disk (the DSDT)" \
    console_has "$log" '^linux: disk 16384 sectors$'
check "it pinged the test guest through the network device" \
    console_has "$log" '^linux: ping ok$'

finish
