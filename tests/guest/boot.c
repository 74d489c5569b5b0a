/* The test guest's view of the Linux boot protocol's zero page. */

#include "boot.h"

/* Offsets in struct boot_params (the zero page). */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_CMD_LINE_PTR 0x228
#define BP_CMDLINE_SIZE 0x238
#define BP_E820_TABLE 0x2d0
#define BP_E820_ENTRY_SIZE 20

/* The guest maps only the first 4 GiB. */
#define MAPPED_LIMIT (UINT64_C(1) << 32)

static uint64_t
get_u64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof v);
    return v;
}

static uint32_t
get_u32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof v);
    return v;
}

static void
boot_read_cmdline(const uint8_t *zp, struct boot_info *info)
{
    uint64_t addr = get_u32(zp + BP_CMD_LINE_PTR)
                    | (uint64_t) get_u32(zp + BP_EXT_CMD_LINE_PTR) << 32;
    size_t max = get_u32(zp + BP_CMDLINE_SIZE);

    info->cmdline[0] = '\0';
    if (!addr) {
        return;
    }
    if (!max || max > BOOT_CMDLINE_MAX - 1) {
        max = BOOT_CMDLINE_MAX - 1;
    }
    if (addr >= MAPPED_LIMIT || max > MAPPED_LIMIT - addr) {
        con_printf("skiff-test-guest: command line at 0x%lx is not mapped\n",
                   addr);
        return;
    }

    const char *src = (const char *) (uintptr_t) addr;
    size_t n;
    for (n = 0; n < max && src[n]; n++) {
        info->cmdline[n] = src[n];
    }
    info->cmdline[n] = '\0';
}

void
boot_read(const uint8_t *zp, struct boot_info *info)
{
    boot_read_cmdline(zp, info);

    size_t n = zp[BP_E820_ENTRIES];
    if (n > BOOT_E820_MAX) {
        n = BOOT_E820_MAX;
    }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e = zp + BP_E820_TABLE + i * BP_E820_ENTRY_SIZE;

        info->e820[i].addr = get_u64(e);
        info->e820[i].size = get_u64(e + 8);
        info->e820[i].type = get_u32(e + 16);
    }
    info->n_e820 = n;
    info->rsdp = get_u64(zp + BP_ACPI_RSDP_ADDR);
}

static const char *
e820_type_name(uint32_t type)
{
    switch (type) {
    case 1: return "usable";
    case 2: return "reserved";
    case 3: return "acpi";
    case 4: return "nvs";
    case 5: return "unusable";
    default: return "other";
    }
}

void
boot_report(const struct boot_info *info)
{
    con_printf("skiff-test-guest: cmdline=\"");
    for (const char *p = info->cmdline; *p; p++) {
        con_putc(*p >= ' ' && *p <= '~' ? *p : '?');
    }
    con_printf("\"\n");

    uint64_t ram = 0;
    for (size_t i = 0; i < info->n_e820; i++) {
        const struct boot_e820 *e = &info->e820[i];
        uint64_t last = e->size ? e->addr + e->size - 1 : e->addr;

        con_printf("e820: 0x%016lx-0x%016lx type %u %s\n",
                   e->addr, last, e->type, e820_type_name(e->type));
        if (e->type == 1 || e->type == 3) {
            ram += e->size;
        }
    }
    if (!info->n_e820) {
        con_printf("e820: no entries\n");
    }
    con_printf("memory: %lu MiB\n", (ram + (1 << 20) - 1) >> 20);
}
