/*
 * boot-linux: loads a bzImage by the Linux x86 boot protocol, 64-bit entry.
 *
 * boot_linux_parse() checks the image's setup header: the 0xAA55 boot
 * flag, the "HdrS" magic, protocol version 2.12 or later, XLF_KERNEL_64 in
 * xloadflags, LOADED_HIGH (a bzImage, not a zImage), a setup size that
 * fits the file with a protected-mode part after it, and a power-of-two
 * kernel_alignment for a relocatable kernel.  Anything else is refused
 * with a message that names the bad field and value.
 *
 * boot_linux_load() then writes guest memory:
 *   0x0500   GDT: null, null, 0x10 flat 64-bit code, 0x18 flat data
 *   0x7000   zero page (boot_params) with the setup header, e820 map,
 *            command line pointer, initrd and ACPI RSDP address
 *   0x9000   PML4, PDPT and 4 page directories: the first 4 GiB
 *            identity-mapped with 2 MiB pages
 *   0x20000  the command line
 *   kernel   the protected-mode part at pref_address aligned to
 *            kernel_alignment (relocatable kernels) or at 1 MiB
 *   initrd   as high as it fits below initrd_addr_max and RAM's end
 * The e820 map: RAM [0, 0x9fc00), reserved to 0xa0000, reserved
 * [0xe0000, 1 MiB) (ACPI tables and the RSDP), RAM from 1 MiB to the
 * hole, RAM from 4 GiB for the rest.  The entry point is the kernel's
 * load address + 0x200, entered in long mode with RSI = zero page.
 */
#ifndef SKIFF_VMM_BOOT_LINUX_H
#define SKIFF_VMM_BOOT_LINUX_H 1

#include <stddef.h>
#include <stdint.h>

struct guest_mem;

#define BOOT_LINUX_GDT 0x500
#define BOOT_LINUX_ZERO_PAGE 0x7000
#define BOOT_LINUX_PML4 0x9000
#define BOOT_LINUX_CMDLINE 0x20000
#define BOOT_LINUX_CMDLINE_MAX 0x10000
#define BOOT_LINUX_ACPI_START 0xE0000
#define BOOT_LINUX_KERNEL_MIN 0x100000

/* What boot_linux_parse() found in the setup header. */
struct boot_linux_header {
    uint16_t version;           /* 0x020f for 2.15. */
    uint8_t loadflags;
    uint16_t xloadflags;
    uint8_t relocatable;
    uint32_t kernel_alignment;
    uint32_t initrd_addr_max;
    uint32_t cmdline_size;      /* Longest command line, without NUL. */
    uint64_t pref_address;
    uint32_t init_size;
    size_t header_end;          /* Setup header bytes end here. */
    size_t kernel_offset;       /* File offset of the protected-mode part. */
    size_t kernel_size;
};

struct boot_linux_config {
    const uint8_t *kernel;
    size_t kernel_size;
    const uint8_t *initrd;      /* NULL for none. */
    size_t initrd_size;
    const char *cmdline;        /* NULL for an empty one. */
    uint64_t rsdp_addr;         /* 0 if there are no ACPI tables. */
};

struct boot_linux_info {
    uint64_t load_addr;
    uint64_t entry;
    uint64_t zero_page;
    uint64_t pml4;
    uint64_t gdt;
    uint16_t gdt_limit;
    uint64_t initrd_addr;       /* 0 without an initrd. */
};

/* Returns 0 and fills *HDR, or EINVAL (ENOEXEC for an image that is not a
 * bzImage at all) with *ERRORP saying why (the caller frees it). */
int boot_linux_parse(const uint8_t *image, size_t size,
                     struct boot_linux_header *hdr, char **errorp);

/* Parses CFG->kernel and loads it with its initrd and command line into
 * MEM.  Returns 0 and fills *INFO, or a positive errno value with *ERRORP
 * saying why; guest memory may then be partly written. */
int boot_linux_load(const struct guest_mem *mem,
                    const struct boot_linux_config *cfg,
                    struct boot_linux_info *info, char **errorp);

#endif /* boot-linux.h */
