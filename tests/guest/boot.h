/* What the test guest learns from its loader and firmware tables: the
 * Linux boot protocol's zero page (command line, e820 map, RSDP address)
 * and the ACPI MADT (the number of CPUs). */

#ifndef BOOT_H
#define BOOT_H 1

#include "guest.h"

#define BOOT_CMDLINE_MAX 4096   /* bytes, the terminating NUL included */
#define BOOT_E820_MAX 128       /* entries in the zero page's table */

struct boot_e820 {
    uint64_t addr;
    uint64_t size;
    uint32_t type;              /* 1 RAM, 2 reserved, 3 ACPI data... */
};

struct boot_info {
    char cmdline[BOOT_CMDLINE_MAX];
    struct boot_e820 e820[BOOT_E820_MAX];
    size_t n_e820;
    uint64_t rsdp;              /* boot_params.acpi_rsdp_addr, or 0 */
};

/* Copies what the guest needs out of 'zero_page' into 'info', bounded by
 * the zero page's own limits. */
void boot_read(const uint8_t *zero_page, struct boot_info *info);

/* Prints the command line, the e820 map and the memory size. */
void boot_report(const struct boot_info *info);

/* Finds the MADT through the RSDP ('rsdp_hint' if nonzero, else the
 * BIOS areas the ACPI specification names), prints an "acpi:" line and
 * returns the number of enabled local APICs, or -1 without a usable
 * MADT. */
int acpi_count_cpus(uint64_t rsdp_hint);

#endif /* boot.h */
