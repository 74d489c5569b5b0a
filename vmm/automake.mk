# vmm/: skiff-vmm, the KVM VMM.  See docs/vmm.md and
# docs/internals/architecture.md.  The library holds everything but main(),
# so the unit tests link the same code.

noinst_LIBRARIES += vmm/libvmm.a
vmm_libvmm_a_SOURCES = \
	vmm/acpi.c \
	vmm/acpi.h \
	vmm/aml.c \
	vmm/aml.h \
	vmm/api.c \
	vmm/api.h \
	vmm/boot-linux.c \
	vmm/boot-linux.h \
	vmm/guest-mem.c \
	vmm/guest-mem.h \
	vmm/i8042.c \
	vmm/i8042.h \
	vmm/io-bus.c \
	vmm/io-bus.h \
	vmm/kvm-vcpu.c \
	vmm/kvm-vcpu.h \
	vmm/kvm-vm.c \
	vmm/kvm-vm.h \
	vmm/serial.c \
	vmm/serial.h \
	vmm/vhost-user.c \
	vmm/vhost-user.h \
	vmm/virtio-blk.c \
	vmm/virtio-blk.h \
	vmm/virtio-mmio.c \
	vmm/virtio-mmio.h \
	vmm/virtio-net.c \
	vmm/virtio-net.h \
	vmm/virtqueue.c \
	vmm/virtqueue.h \
	vmm/vmm.h
LIBVMM = vmm/libvmm.a $(LIBSKIFF)

sbin_PROGRAMS += vmm/skiff-vmm
vmm_skiff_vmm_SOURCES = vmm/skiff-vmm.c
vmm_skiff_vmm_LDADD = $(LIBVMM)
dist_man_MANS += docs/skiff-vmm.8
EXTRA_DIST += docs/vmm.md
