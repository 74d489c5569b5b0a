/* boot-linux: the Linux x86 boot protocol loader; see boot-linux.h. */
#include <config.h>

#include "boot-linux.h"

#include <errno.h>
#include <string.h>

#include "guest-mem.h"
#include "unaligned-le.h"
#include "util.h"

/* Setup header fields: offsets in the image and in the zero page. */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP 0x200
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_HEAP_END_PTR 0x224
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_MIN_SIZE 0x268          /* Through init_size (2.10+). */

/* Zero page fields outside the setup header. */
#define ZP_ACPI_RSDP_ADDR 0x070
#define ZP_E820_ENTRIES 0x1e8
#define ZP_E820_TABLE 0x2d0
#define ZP_E820_MAX 128
#define ZP_SIZE 0x1000

#define LOADFLAGS_LOADED_HIGH 0x01
#define LOADFLAGS_CAN_USE_HEAP 0x80
#define XLF_KERNEL_64 0x01

#define E820_RAM 1
#define E820_RESERVED 2

static int
boot_linux_refuse(char **errorp, int error, char *message)
{
    *errorp = message;
    return error;
}

int
boot_linux_parse(const uint8_t *image, size_t size,
                 struct boot_linux_header *hdr, char **errorp)
{
    memset(hdr, 0, sizeof *hdr);
    *errorp = NULL;
    if (size < 1024) {
        return boot_linux_refuse(errorp, ENOEXEC, xasprintf(
            "not a bzImage: %zu bytes is too short for a setup header",
            size));
    }
    if (le_get16(image + HDR_BOOT_FLAG) != 0xaa55) {
        return boot_linux_refuse(errorp, ENOEXEC, xasprintf(
            "not a bzImage: boot flag is 0x%04x, not 0xaa55",
            le_get16(image + HDR_BOOT_FLAG)));
    }
    if (memcmp(image + HDR_MAGIC, "HdrS", 4)) {
        return boot_linux_refuse(errorp, ENOEXEC, xstrdup(
            "not a bzImage: no \"HdrS\" setup header magic"));
    }
    hdr->version = le_get16(image + HDR_VERSION);
    if (hdr->version < 0x020c) {
        return boot_linux_refuse(errorp, EINVAL, xasprintf(
            "boot protocol version %u.%02u is too old (need 2.12 or later "
            "for the 64-bit entry)", hdr->version >> 8,
            hdr->version & 0xff));
    }
    hdr->loadflags = image[HDR_LOADFLAGS];
    if (!(hdr->loadflags & LOADFLAGS_LOADED_HIGH)) {
        return boot_linux_refuse(errorp, EINVAL, xasprintf(
            "loadflags 0x%02x lacks LOADED_HIGH: a zImage, not a bzImage",
            hdr->loadflags));
    }
    hdr->xloadflags = le_get16(image + HDR_XLOADFLAGS);
    if (!(hdr->xloadflags & XLF_KERNEL_64)) {
        return boot_linux_refuse(errorp, EINVAL, xasprintf(
            "xloadflags 0x%04x lacks XLF_KERNEL_64: no 64-bit entry point",
            hdr->xloadflags));
    }

    unsigned int setup_sects = image[HDR_SETUP_SECTS];
    if (!setup_sects) {
        setup_sects = 4;
    }
    hdr->kernel_offset = (size_t) (setup_sects + 1) * 512;
    if (hdr->kernel_offset >= size) {
        return boot_linux_refuse(errorp, EINVAL, xasprintf(
            "setup_sects %u puts the kernel at byte %zu, past the image's "
            "end (%zu bytes)", setup_sects, hdr->kernel_offset, size));
    }
    hdr->kernel_size = size - hdr->kernel_offset;
    hdr->header_end = HDR_MAGIC + (size_t) image[HDR_JUMP + 1];
    if (hdr->header_end < HDR_MIN_SIZE || hdr->header_end > ZP_SIZE
        || hdr->header_end > hdr->kernel_offset) {
        return boot_linux_refuse(errorp, EINVAL, xasprintf(
            "the setup header's jump ends it at 0x%zx, outside 0x%x..0x%zx",
            hdr->header_end, HDR_MIN_SIZE, hdr->kernel_offset));
    }

    hdr->relocatable = image[HDR_RELOCATABLE];
    hdr->kernel_alignment = le_get32(image + HDR_KERNEL_ALIGNMENT);
    if (hdr->relocatable
        && (hdr->kernel_alignment < 0x1000
            || (hdr->kernel_alignment & (hdr->kernel_alignment - 1)))) {
        return boot_linux_refuse(errorp, EINVAL, xasprintf(
            "kernel_alignment 0x%x is not a power of two of at least 4 KiB",
            hdr->kernel_alignment));
    }
    hdr->initrd_addr_max = le_get32(image + HDR_INITRD_ADDR_MAX);
    hdr->cmdline_size = le_get32(image + HDR_CMDLINE_SIZE);
    hdr->pref_address = le_get64(image + HDR_PREF_ADDRESS);
    hdr->init_size = le_get32(image + HDR_INIT_SIZE);
    return 0;
}

/* Where the protected-mode part goes, or 0 if it does not fit below
 * LIMIT. */
static uint64_t
boot_linux_place_kernel(const struct boot_linux_header *hdr, uint64_t limit)
{
    uint64_t need = hdr->init_size > hdr->kernel_size
                    ? hdr->init_size : hdr->kernel_size;
    uint64_t addr = BOOT_LINUX_KERNEL_MIN;

    if (hdr->relocatable) {
        uint64_t align = hdr->kernel_alignment;
        uint64_t pref = hdr->pref_address;
        if (pref >= BOOT_LINUX_KERNEL_MIN && pref < limit
            && need <= limit - pref) {
            addr = pref;
        }
        addr = (addr + align - 1) & ~(align - 1);
    }
    return addr < limit && need <= limit - addr ? addr : 0;
}

struct e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
};

static int
boot_linux_e820(const struct guest_mem *mem, struct e820_entry *e)
{
    uint64_t low = guest_mem_low_size(mem);
    int n = 0;

    e[n++] = (struct e820_entry) { 0, 0x9fc00, E820_RAM };
    e[n++] = (struct e820_entry) { 0x9fc00, 0x400, E820_RESERVED };
    e[n++] = (struct e820_entry) { BOOT_LINUX_ACPI_START,
                                   0x100000 - BOOT_LINUX_ACPI_START,
                                   E820_RESERVED };
    e[n++] = (struct e820_entry) { 0x100000, low - 0x100000, E820_RAM };
    if (mem->n_regions > 1) {
        e[n++] = (struct e820_entry) { mem->regions[1].gpa,
                                       mem->regions[1].size, E820_RAM };
    }
    return n;
}

static void
boot_linux_page_tables(uint8_t *pml4)
{
    uint8_t *pdpt = pml4 + 0x1000;
    uint8_t *pd = pml4 + 0x2000;

    memset(pml4, 0, 0x6000);
    le_put64(pml4, (BOOT_LINUX_PML4 + 0x1000) | 0x3);
    for (uint64_t i = 0; i < 4; i++) {
        le_put64(pdpt + i * 8, (BOOT_LINUX_PML4 + 0x2000 + i * 0x1000) | 0x3);
        for (uint64_t j = 0; j < 512; j++) {
            uint64_t addr = (i << 30) | (j << 21);
            le_put64(pd + i * 0x1000 + j * 8, addr | 0x83);
        }
    }
}

static void
boot_linux_gdt(uint8_t *gdt)
{
    memset(gdt, 0, 32);
    le_put64(gdt + 0x10, 0x00af9b000000ffffULL);   /* 64-bit code. */
    le_put64(gdt + 0x18, 0x00cf93000000ffffULL);   /* Flat data. */
}

static void
boot_linux_zero_page(uint8_t *zp, const uint8_t *image,
                     const struct boot_linux_header *hdr,
                     const struct guest_mem *mem,
                     const struct boot_linux_config *cfg,
                     const struct boot_linux_info *info)
{
    struct e820_entry e820[8];
    int n = boot_linux_e820(mem, e820);

    memset(zp, 0, ZP_SIZE);
    memcpy(zp + HDR_SETUP_SECTS, image + HDR_SETUP_SECTS,
           hdr->header_end - HDR_SETUP_SECTS);
    zp[HDR_TYPE_OF_LOADER] = 0xff;
    zp[HDR_LOADFLAGS] |= LOADFLAGS_CAN_USE_HEAP;
    le_put16(zp + HDR_HEAP_END_PTR, 0xfe00);
    le_put32(zp + HDR_CODE32_START, (uint32_t) info->load_addr);
    le_put32(zp + HDR_CMD_LINE_PTR, BOOT_LINUX_CMDLINE);
    le_put32(zp + HDR_RAMDISK_IMAGE, (uint32_t) info->initrd_addr);
    le_put32(zp + HDR_RAMDISK_SIZE, (uint32_t) cfg->initrd_size);
    le_put64(zp + ZP_ACPI_RSDP_ADDR, cfg->rsdp_addr);
    zp[ZP_E820_ENTRIES] = (uint8_t) n;
    for (int i = 0; i < n; i++) {
        uint8_t *p = zp + ZP_E820_TABLE + i * 20;
        le_put64(p, e820[i].addr);
        le_put64(p + 8, e820[i].size);
        le_put32(p + 16, e820[i].type);
    }
}

int
boot_linux_load(const struct guest_mem *mem,
                const struct boot_linux_config *cfg,
                struct boot_linux_info *info, char **errorp)
{
    struct boot_linux_header hdr;
    int error = boot_linux_parse(cfg->kernel, cfg->kernel_size, &hdr,
                                 errorp);
    if (error) {
        return error;
    }
    memset(info, 0, sizeof *info);

    const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
    size_t cmdline_len = strlen(cmdline);
    uint32_t cmdline_max = hdr.cmdline_size < BOOT_LINUX_CMDLINE_MAX
                           ? hdr.cmdline_size : BOOT_LINUX_CMDLINE_MAX - 1;
    if (cmdline_len > cmdline_max) {
        return boot_linux_refuse(errorp, E2BIG, xasprintf(
            "the command line is %zu bytes; this kernel takes at most %u",
            cmdline_len, cmdline_max));
    }

    uint64_t low = guest_mem_low_size(mem);
    info->load_addr = boot_linux_place_kernel(&hdr, low);
    if (!info->load_addr) {
        return boot_linux_refuse(errorp, ENOMEM, xasprintf(
            "the kernel (%zu bytes, init_size %u) does not fit in %llu MiB "
            "of low memory", hdr.kernel_size, hdr.init_size,
            (unsigned long long) (low >> 20)));
    }
    uint64_t kernel_end = info->load_addr
        + (hdr.init_size > hdr.kernel_size ? hdr.init_size : hdr.kernel_size);

    if (cfg->initrd) {
        uint64_t top = (uint64_t) hdr.initrd_addr_max + 1;
        if (top > low) {
            top = low;
        }
        if (cfg->initrd_size > top || top - cfg->initrd_size < kernel_end) {
            return boot_linux_refuse(errorp, ENOMEM, xasprintf(
                "the initrd (%zu bytes) does not fit between the kernel's "
                "end (0x%llx) and 0x%llx (initrd_addr_max or RAM's end)",
                cfg->initrd_size, (unsigned long long) kernel_end,
                (unsigned long long) top));
        }
        info->initrd_addr = (top - cfg->initrd_size) & ~0xfffULL;
        if (guest_mem_write(mem, info->initrd_addr, cfg->initrd,
                            cfg->initrd_size)) {
            return boot_linux_refuse(errorp, EFAULT,
                                     xstrdup("cannot write the initrd"));
        }
    }

    if (guest_mem_write(mem, info->load_addr,
                        cfg->kernel + hdr.kernel_offset, hdr.kernel_size)
        || guest_mem_write(mem, BOOT_LINUX_CMDLINE, cmdline,
                           cmdline_len + 1)) {
        return boot_linux_refuse(errorp, EFAULT,
                                 xstrdup("cannot write the kernel"));
    }

    uint8_t *zp = guest_mem_ptr(mem, BOOT_LINUX_ZERO_PAGE, ZP_SIZE);
    uint8_t *pml4 = guest_mem_ptr(mem, BOOT_LINUX_PML4, 0x6000);
    uint8_t *gdt = guest_mem_ptr(mem, BOOT_LINUX_GDT, 32);
    if (!zp || !pml4 || !gdt) {
        return boot_linux_refuse(errorp, EFAULT,
                                 xstrdup("guest memory too small"));
    }
    info->entry = info->load_addr + 0x200;
    info->zero_page = BOOT_LINUX_ZERO_PAGE;
    info->pml4 = BOOT_LINUX_PML4;
    info->gdt = BOOT_LINUX_GDT;
    info->gdt_limit = 31;
    boot_linux_gdt(gdt);
    boot_linux_page_tables(pml4);
    boot_linux_zero_page(zp, cfg->kernel, &hdr, mem, cfg, info);
    return 0;
}
