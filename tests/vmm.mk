# Tests of vmm; see tests/automake.mk.

# skiff-vmm's unit tests link its library (vmm/automake.mk).
UNIT_TESTS += \
	tests/unit/test-boot-linux \
	tests/unit/test-virtqueue
tests_unit_test_boot_linux_LDADD = $(LIBVMM) $(CMOCKA_LIBS)
tests_unit_test_virtqueue_LDADD = $(LIBVMM) $(CMOCKA_LIBS)
INTEGRATION_TESTS += \
	tests/integration/vmm-acpi.sh \
	tests/integration/vmm-api.sh \
	tests/integration/vmm-blk.sh \
	tests/integration/vmm-boot.sh \
	tests/integration/vmm-cli.sh \
	tests/integration/vmm-linux.sh \
	tests/integration/vmm-vhost.sh
EXTRA_DIST += tests/integration/vmm-lib.sh

# The test guest (tests/guest/README.md): freestanding code linked at
# 1 MiB, flattened with objcopy and wrapped by mkimage into the bzImage
# format, tests/guest/skiff-test-guest.img in the build tree.  It is built
# with the project's warnings and its own flags, never the sanitizers or
# the user's CFLAGS, for x86-64 (gcc or clang).
GUEST_CODE = \
	tests/guest/head.S \
	tests/guest/traps.S \
	tests/guest/acpi.c \
	tests/guest/blk.c \
	tests/guest/boot.c \
	tests/guest/config.c \
	tests/guest/console.c \
	tests/guest/idt.c \
	tests/guest/lib.c \
	tests/guest/main.c \
	tests/guest/net.c \
	tests/guest/timer.c \
	tests/guest/virtio.c
GUEST_INCLUDES = \
	tests/guest/blk.h \
	tests/guest/boot.h \
	tests/guest/config.h \
	tests/guest/guest.h \
	tests/guest/net.h \
	tests/guest/virtio.h
GUEST_CFLAGS = $(WARNING_CFLAGS) -Wno-unused-command-line-argument \
	-ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-fno-asynchronous-unwind-tables -nostdlib -static -no-pie -O2 \
	-Wl,--build-id=none
GUEST_OBJCOPY = objcopy

check_PROGRAMS += tests/guest/mkimage
tests_guest_mkimage_SOURCES = tests/guest/mkimage.c
tests_guest_mkimage_LDADD =

tests/guest/skiff-test-guest.elf: $(GUEST_CODE) $(GUEST_INCLUDES) \
		tests/guest/guest.lds
	@$(MKDIR_P) tests/guest
	$(AM_V_CCLD)srcs=; \
	for f in $(GUEST_CODE); do srcs="$$srcs $(srcdir)/$$f"; done; \
	$(CC) $(GUEST_CFLAGS) -T $(srcdir)/tests/guest/guest.lds -o $@ $$srcs
tests/guest/skiff-test-guest.bin: tests/guest/skiff-test-guest.elf
	$(AM_V_GEN)$(GUEST_OBJCOPY) -O binary tests/guest/skiff-test-guest.elf $@
tests/guest/setup.elf: tests/guest/setup.S tests/guest/setup.lds
	@$(MKDIR_P) tests/guest
	$(AM_V_CCLD)$(CC) $(GUEST_CFLAGS) -T $(srcdir)/tests/guest/setup.lds \
	  -o $@ $(srcdir)/tests/guest/setup.S
tests/guest/setup.bin: tests/guest/setup.elf
	$(AM_V_GEN)$(GUEST_OBJCOPY) -O binary tests/guest/setup.elf $@
tests/guest/skiff-test-guest.img: tests/guest/setup.bin \
		tests/guest/skiff-test-guest.bin tests/guest/mkimage$(EXEEXT)
	$(AM_V_GEN)tests/guest/mkimage$(EXEEXT) tests/guest/setup.bin \
	  tests/guest/skiff-test-guest.bin $@
check_DATA = tests/guest/skiff-test-guest.img

# The guest's command-line parser, built for the host; the image's layout.
UNIT_TESTS += tests/unit/test-guest-config
INTEGRATION_TESTS += tests/integration/guest-image.sh
tests_unit_test_guest_config_SOURCES = \
	tests/unit/test-guest-config.c \
	tests/guest/config.c
CLEANFILES += \
	tests/guest/setup.elf \
	tests/guest/setup.bin \
	tests/guest/skiff-test-guest.elf \
	tests/guest/skiff-test-guest.bin \
	tests/guest/skiff-test-guest.img
EXTRA_DIST += \
	$(GUEST_CODE) \
	$(GUEST_INCLUDES) \
	tests/guest/guest.lds \
	tests/guest/setup.S \
	tests/guest/setup.lds \
	tests/guest/README.md

# The descriptor walker's fuzz target (see tests/fuzz/automake.mk).
FUZZ_VIRTQUEUE_FILES = \
	tests/fuzz/fuzz-virtqueue.c \
	vmm/guest-mem.c \
	vmm/virtqueue.c
tests/fuzz/fuzz-virtqueue: $(FUZZ_VIRTQUEUE_FILES) config.h
	@$(FUZZ_NEED_CC)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)srcs=; \
	for f in $(FUZZ_VIRTQUEUE_FILES); do srcs="$$srcs $(srcdir)/$$f"; done; \
	$(FUZZ_CC) $(WARNING_CFLAGS) $(FUZZ_CFLAGS) -DHAVE_CONFIG_H \
	  $(FUZZ_CPPFLAGS) -o $@ $$srcs
FUZZ_TARGETS += tests/fuzz/fuzz-virtqueue
EXTRA_DIST += tests/fuzz/fuzz-virtqueue.c tests/fuzz/corpus/virtqueue
CLEANFILES += tests/fuzz/fuzz-virtqueue tests/fuzz/fuzz-virtqueue.log
