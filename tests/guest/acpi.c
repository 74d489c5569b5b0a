/* The test guest's ACPI reader: finds the RSDP, walks the XSDT (or the
 * RSDT) and counts the enabled processors in the MADT.  Every table is
 * checked for its length and checksum before it is read. */

#include "boot.h"

#define ACPI_HEADER_LEN 36
#define ACPI_TABLE_MAX (1 << 20)        /* longer tables are refused */
#define MAPPED_LIMIT (UINT64_C(1) << 32)

/* MADT entry types and flags. */
#define MADT_LOCAL_APIC 0
#define MADT_LOCAL_X2APIC 9
#define MADT_ENABLED 0x1

static uint32_t
get_u32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t
get_u64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof v);
    return v;
}

static bool
acpi_sum_ok(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < n; i++) {
        sum += p[i];
    }
    return sum == 0;
}

/* Returns the RSDP at 'addr' if it is one, else NULL. */
static const uint8_t *
acpi_check_rsdp(uint64_t addr)
{
    if (addr >= MAPPED_LIMIT - 36) {
        return NULL;
    }
    const uint8_t *p = (const uint8_t *) (uintptr_t) addr;
    if (memcmp(p, "RSD PTR ", 8) || !acpi_sum_ok(p, 20)) {
        return NULL;
    }
    if (p[15] >= 2 && !acpi_sum_ok(p, 36)) {
        return NULL;
    }
    return p;
}

/* Searches [start, end) on 16-byte boundaries. */
static const uint8_t *
acpi_scan_rsdp(uint64_t start, uint64_t end)
{
    for (uint64_t a = start; a + 36 <= end; a += 16) {
        const uint8_t *p = acpi_check_rsdp(a);
        if (p) {
            return p;
        }
    }
    return NULL;
}

static const uint8_t *
acpi_find_rsdp(uint64_t hint)
{
    const uint8_t *p = hint ? acpi_check_rsdp(hint) : NULL;
    if (p) {
        return p;
    }

    /* The first KiB of the EBDA, whose segment is at 0x40e, then the
     * BIOS read-only area. */
    uint16_t ebda_seg;
    memcpy(&ebda_seg, (const void *) 0x40e, sizeof ebda_seg);
    uint64_t ebda = (uint64_t) ebda_seg << 4;
    if (ebda >= 0x80000 && ebda < 0xa0000) {
        p = acpi_scan_rsdp(ebda, ebda + 1024);
    }
    return p ? p : acpi_scan_rsdp(0xe0000, 0x100000);
}

/* Returns the table at 'addr' if its header, length and checksum hold,
 * else NULL (after saying why). */
static const uint8_t *
acpi_table(uint64_t addr)
{
    if (!addr || addr >= MAPPED_LIMIT - ACPI_TABLE_MAX) {
        con_printf("acpi: table address 0x%lx out of range\n", addr);
        return NULL;
    }
    const uint8_t *t = (const uint8_t *) (uintptr_t) addr;
    uint32_t len = get_u32(t + 4);
    if (len < ACPI_HEADER_LEN || len > ACPI_TABLE_MAX) {
        con_printf("acpi: table at 0x%lx has bad length %u\n", addr, len);
        return NULL;
    }
    if (!acpi_sum_ok(t, len)) {
        con_printf("acpi: bad checksum in %c%c%c%c at 0x%lx\n",
                   t[0], t[1], t[2], t[3], addr);
        return NULL;
    }
    return t;
}

/* Checks the DSDT that the FADT 'fadt' points to (X_DSDT if set, else
 * DSDT); acpi_table() reports what is wrong with it. */
static void
acpi_check_dsdt(const uint8_t *fadt)
{
    uint32_t len = get_u32(fadt + 4);
    uint64_t dsdt = len >= 148 ? get_u64(fadt + 140) : 0;

    if (!dsdt && len >= 44) {
        dsdt = get_u32(fadt + 40);
    }
    if (!dsdt) {
        con_printf("acpi: FADT has no DSDT\n");
    } else if (acpi_table(dsdt) && memcmp((const void *) (uintptr_t) dsdt,
                                          "DSDT", 4)) {
        con_printf("acpi: FADT's DSDT at 0x%lx is not a DSDT\n", dsdt);
    }
}

static int
acpi_madt_cpus(const uint8_t *madt)
{
    uint32_t len = get_u32(madt + 4);
    int cpus = 0;

    for (uint32_t off = ACPI_HEADER_LEN + 8; off + 2 <= len; ) {
        uint8_t type = madt[off];
        uint8_t elen = madt[off + 1];

        if (elen < 2 || off + elen > len) {
            con_printf("acpi: bad MADT entry at offset %u\n", off);
            return -1;
        }
        if (type == MADT_LOCAL_APIC && elen >= 8
            && (get_u32(madt + off + 4) & MADT_ENABLED)) {
            cpus++;
        } else if (type == MADT_LOCAL_X2APIC && elen >= 16
                   && (get_u32(madt + off + 8) & MADT_ENABLED)) {
            cpus++;
        }
        off += elen;
    }
    return cpus;
}

int
acpi_count_cpus(uint64_t rsdp_hint)
{
    const uint8_t *rsdp = acpi_find_rsdp(rsdp_hint);
    if (!rsdp) {
        con_printf("acpi: no RSDP\n");
        return -1;
    }

    bool x = rsdp[15] >= 2 && get_u64(rsdp + 24);
    uint64_t root_addr = x ? get_u64(rsdp + 24) : get_u32(rsdp + 16);
    const uint8_t *root = acpi_table(root_addr);
    if (!root) {
        return -1;
    }
    con_printf("acpi: rsdp 0x%lx revision %u, %s at 0x%lx:",
               (uint64_t) (uintptr_t) rsdp, rsdp[15], x ? "XSDT" : "RSDT",
               root_addr);

    size_t esize = x ? 8 : 4;
    size_t n = (get_u32(root + 4) - ACPI_HEADER_LEN) / esize;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e = root + ACPI_HEADER_LEN + i * esize;
        uint64_t addr = x ? get_u64(e) : get_u32(e);

        if (addr && addr < MAPPED_LIMIT - ACPI_HEADER_LEN) {
            const uint8_t *t = (const uint8_t *) (uintptr_t) addr;
            con_printf(" %c%c%c%c", t[0], t[1], t[2], t[3]);
        } else {
            con_printf(" (0x%lx)", addr);
        }
    }
    con_printf("\n");

    const uint8_t *madt = NULL;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e = root + ACPI_HEADER_LEN + i * esize;
        const uint8_t *t = acpi_table(x ? get_u64(e) : get_u32(e));

        if (t && !memcmp(t, "APIC", 4)) {
            madt = t;
        } else if (t && !memcmp(t, "FACP", 4)) {
            acpi_check_dsdt(t);
        }
    }
    if (!madt) {
        con_printf("acpi: no MADT\n");
        return -1;
    }
    return acpi_madt_cpus(madt);
}
